"""What every handler of the web face shares: the station, the settings and the face's parts."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from aiohttp import web

from appliance.config import Config
from appliance.control import Station
from appliance.faces.web.covers import Covers
from appliance.faces.web.security import Attempts, Refused, Sessions

T = TypeVar("T")


@dataclass
class Context:
    station: Station
    settings: Config
    data_dir: Path
    password: str
    covers: Covers
    sessions: Sessions = field(default_factory=Sessions)
    attempts: Attempts = field(default_factory=Attempts)
    pairing: Any = None  # pairing.Pairing: the spoken code that may be out
    catalog: Path | None = None  # the model catalog (None: the one that ships)
    model_jobs: Any = None  # models.ModelJobs: the page's model fetches
    sockets: set[web.WebSocketResponse] = field(default_factory=set)
    encoded: Any = None  # api.Encoded: the events' JSON, made once for every page
    log_tail: Any = None  # system.LogTail: the log's last lines, while the face runs

    @property
    def library(self) -> Any | None:
        """The station's music library, for reading (None until the station has opened it)."""
        return getattr(self.station, "library", None)

    @property
    def dj(self) -> Any | None:
        """The station's DJ, for reading a listener's profile (None until it is open)."""
        return getattr(self.station, "dj", None)

    def open_library(self) -> Any:
        """The library, or a 503 (raised) for a request that came before it opened."""
        if self.library is None:
            raise Refused(503, "the library is not open yet")
        return self.library

    def open_dj(self) -> Any:
        """The DJ, or a 503 (raised) for a request that came before it opened."""
        if self.dj is None:
            raise Refused(503, "the DJ is not ready yet")
        return self.dj

    async def run(self, work: Callable[..., T], *args: Any) -> T:
        """``work(*args)`` in a worker thread: the station's calls may block."""
        return await asyncio.get_running_loop().run_in_executor(None, work, *args)


CONTEXT: web.AppKey[Context] = web.AppKey("context", Context)


def context(request: web.Request) -> Context:
    return request.app[CONTEXT]
