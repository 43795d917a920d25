"""The faces' host starts with the station (when asked) and stops before it; `appliance run`
asks for it and says where the faces are and how to get in."""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import socket
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

import pytest

from appliance import daemon
from appliance.commands import run as run_command
from appliance.config import Config
from appliance.control import Station
from appliance.faces import host, secrets
from appliance.station import QFZZStation, StationConfig


class TinyFace:
    """A face that answers each connection with the station's state version."""

    name = "web"
    instances: ClassVar[list[TinyFace]] = []

    def __init__(self, station: Station, settings: Config, data_dir: Path) -> None:
        self.station = station
        self.server: asyncio.Server | None = None
        self.stopped = False
        TinyFace.instances.append(self)

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(f"{self.station.snapshot().version}\n".encode())
        await writer.drain()
        writer.close()

    async def stop(self) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()
        self.stopped = True

    @property
    def port(self) -> int:
        assert self.server is not None
        return int(self.server.sockets[0].getsockname()[1])

    def addresses(self) -> list[str]:
        return [f"http://127.0.0.1:{self.port}/"]


@pytest.fixture
def tiny_faces(monkeypatch: pytest.MonkeyPatch) -> list[TinyFace]:
    monkeypatch.setattr(host, "FACES", {"web": ("web", f"{__name__}:TinyFace")})
    TinyFace.instances = []
    return TinyFace.instances


def ask(port: int) -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        return connection.makefile().readline().strip()


def terminal_output(write: Callable[[io.TextIOWrapper], None]) -> str:
    """What ``write`` printed to a real terminal (a pseudo-terminal's far end)."""
    main, side = os.openpty()
    with os.fdopen(side, "w", closefd=True) as tty:
        assert tty.isatty()
        write(tty)
    chunks = []
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:  # EIO: the terminal's other side is closed and all was read
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main)
    return b"".join(chunks).decode().replace("\r\n", "\n")


def test_the_faces_start_and_stop_with_the_station(
    make_station: Callable[..., QFZZStation], tiny_faces: list[TinyFace]
) -> None:
    quiet = make_station("[web]\nenabled = true\n")
    assert quiet.faces is None and tiny_faces == []  # off unless asked
    station = make_station("[web]\nenabled = true\n", faces=True)
    (face,) = tiny_faces
    assert station.faces is not None
    assert int(ask(face.port)) == station.snapshot().version
    port = face.port
    out = io.StringIO()  # not a terminal: the journal under systemd, which others may read
    daemon.show_faces(station, out)
    assert station.data_dir is not None
    word = secrets.password(station.config.settings, station.data_dir)
    kept = station.data_dir / secrets.PASSWORD_FILE
    assert word not in out.getvalue()
    assert out.getvalue() == (
        f"web: http://127.0.0.1:{port}/\n"
        f"password: kept in {kept} (read it with `sudo cat {kept}`)\n"
    )
    assert kept.read_text().strip() == word
    assert terminal_output(lambda tty: daemon.show_faces(station, tty)) == (
        f"web: http://127.0.0.1:{port}/\npassword: {word}\n"
    )
    station.stop()
    assert face.stopped
    with pytest.raises(OSError):
        ask(port)


def test_a_face_the_config_turns_off_does_not_start(
    make_station: Callable[..., QFZZStation], tiny_faces: list[TinyFace]
) -> None:
    station = make_station("[web]\nenabled = false\n", faces=True)
    assert tiny_faces == []
    out = io.StringIO()
    daemon.show_faces(station, out)
    assert out.getvalue() == ""


@pytest.mark.parametrize(("variable", "faces"), [(None, True), ("off", False)])
def test_appliance_run_asks_for_the_faces(
    monkeypatch: pytest.MonkeyPatch, variable: str | None, faces: bool
) -> None:
    if variable is None:
        monkeypatch.delenv(run_command.NO_FACES_VARIABLE, raising=False)
    else:
        monkeypatch.setenv(run_command.NO_FACES_VARIABLE, variable)
    configs: list[StationConfig] = []

    def started(config: StationConfig, user: str | None = None) -> int:
        configs.append(config)
        return 0

    monkeypatch.setattr(daemon, "run", started)
    monkeypatch.setattr("appliance.logs.setup_logging", lambda level: None)
    args = argparse.Namespace(
        config=None, text=True, input=None, user=None, silent=True, verbose=False
    )
    assert run_command.run(args) == 0
    assert configs[0].faces is faces
