"""Runs the enabled network faces together on one asyncio loop, in a thread of the daemon.

Each face is a class named in :data:`FACES`, built as ``Face(station, settings, data_dir)``, with
``async start()``, ``async stop()`` and ``addresses()`` (what a person types or taps to reach it).
A face that cannot start (its port is taken) is logged with what to do and the others carry on.
"""

from __future__ import annotations

import asyncio
import errno
import importlib
import importlib.util
import logging
import threading
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, Protocol

from appliance.config import Config
from appliance.control import Station

log = logging.getLogger("appliance.faces")

# face name -> (config section whose ``enabled`` turns it on, "module:Class")
FACES: dict[str, tuple[str, str]] = {
    "web": ("web", "appliance.faces.web:WebFace"),
    "mpd": ("mpd", "appliance.faces.mpd:MpdFace"),
    "home_assistant": ("home_assistant", "appliance.faces.esphome:EsphomeFace"),
    "snapcast": ("snapcast", "appliance.rooms.face:RoomsFace"),
}
START_TIMEOUT = 10.0
STOP_TIMEOUT = 3.0


class Face(Protocol):
    name: str

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    def addresses(self) -> list[str]: ...


def configured_faces(settings: Config) -> list[str]:
    """The names of the faces the config turns on."""
    return [
        name
        for name, (section, _) in FACES.items()
        if getattr(getattr(settings, section), "enabled", False)
    ]


def enabled_faces(settings: Config) -> list[str]:
    """The faces the config turns on that exist in this build."""
    return [
        name
        for name in configured_faces(settings)
        if importlib.util.find_spec(FACES[name][1].split(":")[0]) is not None
    ]


class FaceHost:
    """The faces' event loop and the faces on it."""

    def __init__(self, station: Station, settings: Config, data_dir: Path) -> None:
        self.station = station
        self.settings = settings
        self.data_dir = data_dir
        self.faces: list[Face] = []
        self.loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def start(self, names: list[str] | None = None) -> list[Face]:
        """Start the named faces (default: the enabled ones); returns those that run."""
        chosen = enabled_faces(self.settings) if names is None else names
        if not chosen:
            return []
        ready = threading.Event()
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, args=(ready,), name="faces", daemon=True)
        self._thread.start()
        ready.wait()
        for name in chosen:
            face = self._build(name)
            if face is None:
                continue
            try:
                self.call(face.start(), START_TIMEOUT)
            except Exception as error:  # a taken port, a missing library: the others carry on
                log.error("the %s face did not start: %s", name.replace("_", " "),
                          _why(error, FACES[name][0], self.settings))  # fmt: skip
                continue
            self.faces.append(face)
            for address in face.addresses():
                log.info("%s: %s", name.replace("_", " "), address)
        return list(self.faces)

    def _build(self, name: str) -> Face | None:
        module_name, class_name = FACES[name][1].split(":")
        try:
            cls = getattr(importlib.import_module(module_name), class_name)
            face: Face = cls(self.station, self.settings, self.data_dir)
        except Exception:
            log.exception("the %s face could not be built", name)
            return None
        return face

    def _run(self, ready: threading.Event) -> None:
        assert self.loop is not None
        asyncio.set_event_loop(self.loop)
        self.loop.call_soon(ready.set)
        self.loop.run_forever()
        self.loop.close()

    def call(self, coroutine: Coroutine[Any, Any, Any], timeout: float) -> Any:
        """Run ``coroutine`` on the faces' loop from another thread and wait for it."""
        assert self.loop is not None
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def addresses(self) -> dict[str, list[str]]:
        return {face.name: face.addresses() for face in self.faces}

    def stop(self) -> None:
        """Stop every face (each gets a few seconds), then the loop."""
        if self.loop is None:
            return
        for face in reversed(self.faces):
            try:
                self.call(face.stop(), STOP_TIMEOUT)
            except Exception as error:
                log.warning("stopping the %s face: %s", face.name, error)
        self.faces.clear()
        self.loop.call_soon_threadsafe(self.loop.stop)
        if self._thread is not None:
            self._thread.join(STOP_TIMEOUT)
        self.loop = None


def _why(error: Exception, section: str, settings: Config) -> str:
    """Why a face could not open its port, and what to do about it, in words."""
    code = getattr(error, "errno", None)
    port = getattr(getattr(settings, section), "port", None)
    if code in (errno.EAFNOSUPPORT, errno.EPERM, errno.EACCES):
        return (
            f"the network is closed to it (port {port}): the service's sandbox opens it only "
            "for the faces turned on when it was installed; run `sudo appliance "
            "install-service` again, or for a port under 1024 choose a higher one in "
            f"[{section}] port"
        )
    if code == errno.EADDRINUSE:
        return (
            f"another program already uses port {port}: set another one in [{section}] port, "
            f"or turn the face off with [{section}] enabled = false"
        )
    return str(error)
