"""Fixtures: a real snapserver with two rooms (snapclients "kitchen" and "bedroom")."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.rooms.snapcast import SnapClient, SnapServer, available


@dataclass
class House:
    server: SnapServer
    kitchen: SnapClient
    bedroom: SnapClient


@pytest.fixture
def snapserver(tmp_path: Path) -> Iterator[SnapServer]:
    if not available():
        pytest.fail("snapserver/snapclient are not installed: run `make test`, which installs them")
    server = SnapServer(tmp_path / "snap").start()
    try:
        yield server
    finally:
        server.stop(kill=True)


def _rooms(server: SnapServer, tmp_path: Path) -> Iterator[House]:
    kitchen = SnapClient(server, "kitchen", tmp_path).start()
    bedroom = SnapClient(server, "bedroom", tmp_path).start()
    try:
        yield House(server, kitchen, bedroom)
    finally:
        kitchen.stop()
        bedroom.stop()


@pytest.fixture
def house(snapserver: SnapServer, tmp_path: Path) -> Iterator[House]:
    """The server and two rooms, both connected to it (not yet seen by the server: wait)."""
    yield from _rooms(snapserver, tmp_path)


@pytest.fixture
def tcp_house(tmp_path: Path) -> Iterator[House]:
    """As :func:`house`, the server taking the programme over TCP (the recommended setup)."""
    if not available():
        pytest.fail("snapserver/snapclient are not installed: run `make test`, which installs them")
    server = SnapServer(tmp_path / "snap", tcp_source=True).start()
    try:
        yield from _rooms(server, tmp_path)
    finally:
        server.stop(kill=True)
