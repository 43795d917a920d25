"""The systemd notification protocol, spoken to a datagram socket the test listens on."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from appliance import sdnotify


@pytest.fixture(params=["path", "abstract"])
def listener(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[socket.socket]:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    if request.param == "path":
        address = str(tmp_path / "notify.sock")
        sock.bind(address)
        monkeypatch.setenv("NOTIFY_SOCKET", address)
    else:
        name = f"qfzz-test-{os.getpid()}-{id(sock)}"
        sock.bind("\0" + name)
        monkeypatch.setenv("NOTIFY_SOCKET", "@" + name)
    sock.settimeout(5)
    try:
        yield sock
    finally:
        sock.close()


def test_every_message_arrives(listener: socket.socket) -> None:
    assert sdnotify.ready("models loaded")
    assert listener.recv(4096) == b"READY=1\nSTATUS=models loaded"
    assert sdnotify.watchdog()
    assert listener.recv(4096) == b"WATCHDOG=1"
    assert sdnotify.status("playing: Blue in Green")
    assert listener.recv(4096) == b"STATUS=playing: Blue in Green"
    assert sdnotify.stopping()
    assert listener.recv(4096) == b"STOPPING=1"
    assert sdnotify.notify("RELOADING=1", "MONOTONIC_USEC=1")
    assert listener.recv(4096) == b"RELOADING=1\nMONOTONIC_USEC=1"


def test_without_systemd_every_call_is_a_quiet_no_op() -> None:
    assert "NOTIFY_SOCKET" not in os.environ
    assert sdnotify.ready() is False
    assert sdnotify.watchdog() is False
    assert sdnotify.stopping() is False
    assert sdnotify.watchdog_interval() is None


def test_a_socket_nobody_listens_on_is_reported_not_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("NOTIFY_SOCKET", str(tmp_path / "gone.sock"))
    assert sdnotify.watchdog() is False
    assert "cannot notify systemd" in caplog.text


def test_watchdog_interval_is_half_the_timeout_for_this_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WATCHDOG_USEC", "30000000")
    assert sdnotify.watchdog_interval() == 15.0
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid()))
    assert sdnotify.watchdog_interval() == 15.0
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid() + 1))
    assert sdnotify.watchdog_interval() is None
    monkeypatch.delenv("WATCHDOG_PID")
    monkeypatch.setenv("WATCHDOG_USEC", "nonsense")
    assert sdnotify.watchdog_interval() is None
