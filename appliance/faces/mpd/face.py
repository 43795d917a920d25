"""The MPD face: music apps (MALP, Cantata, ncmpcpp, mpc, Home Assistant) control the station.

It listens on ``[mpd] port``, refuses peers outside this network before its greeting, asks for
the station's password, and keeps at most :attr:`MpdFace.max_clients` connections. One task
follows the station's event stream and tells every client in ``idle`` which of MPD's subsystems
changed; the same task keeps the queue's ids and versions (:mod:`.queue`). It is advertised as
``_mpd._tcp`` over mDNS so apps find it by name.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from appliance import control
from appliance.bus import Lagged, Notice, StateChanged
from appliance.config import Config
from appliance.faces import lan, mdns, secrets
from appliance.faces.mpd import art
from appliance.faces.mpd.protocol import MAX_LINE, Ack, Code
from appliance.faces.mpd.queue import PlayQueue
from appliance.faces.mpd.session import SUBSYSTEMS, Session
from appliance.faces.mpd.tree import MusicTree
from appliance.faces.tasks import cancel_all
from appliance.library.demo import FOLDER as DEMO_FOLDER
from appliance.state import StationState

log = logging.getLogger("appliance.faces.mpd")

T = TypeVar("T")
SERVICE = "_mpd._tcp.local."
LIBRARY_CHECK = 5.0  # seconds between looks at whether the library changed (for idle database)
REBUILD_EVERY = 20  # a changed library's tree is rebuilt at most once per 20 times its build


class MpdFace:
    """The MPD protocol server (see the module docstring)."""

    name = "mpd"
    VERSION = "0.23.5"
    timeout = 60.0  # seconds a client may stay silent outside idle
    max_clients = 100
    password_delay = 0.5  # seconds each wrong password costs, one after another face-wide

    def __init__(
        self,
        station: control.Station,
        settings: Config,
        data_dir: Path,
        *,
        advertise: bool = True,
        mdns_interfaces: Sequence[str] | None = None,
    ) -> None:
        self.station = station
        self.settings = settings
        self.data_dir = Path(data_dir)
        self.bind = settings.faces.bind
        self.advertise = advertise
        self.mdns_interfaces = list(mdns_interfaces) if mdns_interfaces else None
        self.roots = [
            *(Path(folder).expanduser() for folder in settings.library.music_folders),
            self.data_dir / DEMO_FOLDER,
        ]
        self.password = ""
        self.guessing = asyncio.Lock()  # held while a wrong password waits out its delay
        self.port = 0
        self.started = time.monotonic()
        self.state = StationState()
        self.queue = PlayQueue()
        self.pictures = art.Pictures()  # covers being read, for all clients together
        self.sessions: set[Session] = set()
        self._told = self.state  # the state idle clients were last told the changes up to
        self._server: asyncio.Server | None = None
        self._tasks: list[asyncio.Task[Any]] = []
        self._subscription: Any = None
        self._tree: MusicTree | None = None
        self._tree_generation: int | None = None
        self._tree_builds = 0  # trees built so far (a kept answer names the one it used)
        self._tree_lock = asyncio.Lock()
        self._announcement: mdns.Announcement | None = None
        self.update_job = 0  # MPD's `updating_db` number of the last library scan asked for
        self.updating = False  # while that scan runs (its notices say when it is done)
        # answers that change only with the state: (what they depend on, per-variant bytes)
        self.answers: tuple[tuple[object, ...], dict[object, bytes]] = ((), {})

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self.password = await self.run(secrets.password, self.settings, self.data_dir)
        self._apply(self.station.snapshot())
        self._told = self.state
        self._subscription = self.station.events.subscribe(loop=loop)
        self._server = await asyncio.start_server(
            self._client,
            host=lan.listen_host(self.bind),
            port=self.settings.mpd.port,
            limit=MAX_LINE + 1,
            reuse_address=True,
        )
        self.port = self._server.sockets[0].getsockname()[1]
        self.started = time.monotonic()
        self._tasks = [
            asyncio.create_task(self._follow(), name="mpd-events"),
            asyncio.create_task(self._watch_library(), name="mpd-library"),
        ]
        if self.advertise:
            name = self.settings.station.name
            self._announcement = mdns.Announcement(
                SERVICE,
                name,
                self.port,
                bind=self.bind,
                server=f"{mdns.host_label(name)}.local.",
                interfaces=self.mdns_interfaces,
            )
            self._tasks.append(asyncio.create_task(self._announcement.start(), name="mpd-mdns"))

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        serving = [session.task for session in self.sessions if session.task is not None]
        for session in list(self.sessions):
            session.close(abort=True)  # its read or write ends: its task finishes by itself
        if serving:
            _, late = await asyncio.wait(serving, timeout=2.0)
            for task in late:  # a command still with the station
                task.cancel()
        await cancel_all(self._tasks)
        self._tasks.clear()
        if self._subscription is not None:
            self._subscription.close()
        if self._announcement is not None:
            await self._announcement.stop()
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2.0)
            self._server = None

    def addresses(self) -> list[str]:
        hosts = mdns.lan_addresses(self.bind)
        return [f"mpd://{host}:{self.port}" for host in [*hosts, "127.0.0.1"]]

    # -- clients ---------------------------------------------------------------------------

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername")
        address = peer[0] if peer else None
        if not lan.allowed(address, self.bind):
            log.warning("mpd: refused %s: not on this network", address)
            writer.close()
            return
        if len(self.sessions) >= self.max_clients:
            log.warning("mpd: refused %s: %d clients already", address, self.max_clients)
            with contextlib.suppress(Exception):
                writer.write(Ack(Code.SYSTEM, "too many clients").line(0, ""))
                await asyncio.wait_for(writer.drain(), 1.0)
            writer.close()
            return
        session = Session(self, reader, writer, str(address))
        session.task = asyncio.current_task()
        self.sessions.add(session)
        try:
            await session.serve()
        except asyncio.CancelledError:  # the face is stopping: this connection just ends
            pass
        except Exception:
            log.exception("mpd: the connection of %s failed", address)
        finally:
            self.sessions.discard(session)
            session.forget()
            session.close()

    # -- the station -----------------------------------------------------------------------

    async def run(self, work: Callable[..., T], *args: Any) -> T:
        """``work(*args)`` on a worker thread (the station's calls may block)."""
        return await asyncio.get_running_loop().run_in_executor(None, work, *args)

    async def execute(self, *commands: control.Command) -> None:
        """Carry out ``commands`` in order, stopping at the first the station refuses (an ACK
        with the station's words); the state is read again afterwards, so this client's next
        command sees what it did."""

        def work() -> control.Outcome | None:
            for command in commands:
                outcome = self.station.execute(command)
                if not outcome.ok:
                    return outcome
            return None

        failed = await self.run(work) if commands else None
        self._apply(self.station.snapshot())
        if failed is not None:
            raise Ack(Code.SYSTEM, failed.error or "the station could not do that")

    def _apply(self, state: StationState) -> None:
        if state.version < self.state.version:
            return  # an older state than one already read
        self.state = state
        self.queue.update(state)

    async def _follow(self) -> None:
        """Follow the station's events: keep the state and queue, wake idle clients."""
        while True:
            event = await self._subscription.next()
            changed: set[str] = set()
            if isinstance(event, Lagged):
                state = self.station.snapshot()
                changed = set(SUBSYSTEMS)
            elif isinstance(event, StateChanged):
                state = event.state
                changed = subsystems(self._told, state)
            elif isinstance(event, Notice) and event.kind == "library-scan":
                if event.detail.get("done"):
                    self.updating = False
                    self.tell({"update", "database"})
                continue
            else:
                continue
            if state.version >= self._told.version:
                self._told = state
            self._apply(state)
            self.tell(changed)

    async def rescan(self) -> int:
        """Scan the music folders again (MPD's ``update``); the job's number for
        ``updating_db``. Idle clients hear "update" and "database" when the scan is done."""
        self.update_job += 1
        self.updating = True  # before asking: a small scan's "done" may come before the answer
        try:
            await self.execute(control.Rescan(by=None, source="mpd"))
        except Ack:
            self.updating = False
            raise
        self.tell({"update"})
        return self.update_job

    def tell(self, changed: set[str]) -> None:
        if changed:
            for session in list(self.sessions):
                session.changed(changed)

    async def _watch_library(self) -> None:
        """Tell clients "database" when what they would list changed (a scan, a folder back);
        measuring tracks' tempo changes the library too, but nothing a client shows."""
        told = None
        while True:
            await asyncio.sleep(LIBRARY_CHECK)
            if not self.sessions:
                continue
            signature = (await self.tree()).signature
            if told is not None and signature != told:
                self.tell({"database"})
            told = signature

    async def _generation(self) -> int | None:
        library = getattr(self.station, "library", None)
        if library is None:
            return None
        try:
            return int(await self.run(lambda: library.generation))
        except Exception:  # a library being closed: asked again later
            return None

    def answer(self, variant: object) -> bytes | None:
        """An answer kept for the state, queue and scan as they are now (None: not kept);
        ``variant`` tells apart what else it depends on (the command, a client's tags)."""
        key = self._answers_key()
        kept_key, kept = self.answers
        return kept.get(variant) if kept_key == key else None

    def keep_answer(self, variant: object, data: bytes) -> None:
        """Keep ``data`` until the state, queue or scan changes: a poll costs a look-up."""
        key = self._answers_key()
        if self.answers[0] != key:
            self.answers = (key, {})
        self.answers[1][variant] = data

    def _answers_key(self) -> tuple[object, ...]:
        return (self.state.version, self.queue.version, self.updating, self.update_job,
                self._tree_builds)  # fmt: skip

    async def known_tree(self) -> MusicTree:
        """The tree as last built, without asking whether the library changed (a queued
        track's URI depends on the music folders, not on the rest of the library): the queue's
        answers never wait for the library or a worker thread."""
        return self._tree if self._tree is not None else await self.tree()

    async def tree(self) -> MusicTree:
        """The music folders' tree, rebuilt off the event loop when the library changed, but
        at most once per :data:`REBUILD_EVERY` times its build took (measuring a large library
        changes it every few seconds; a 100,000-track tree takes seconds to build)."""
        generation = await self._generation()
        tree = self._tree
        if tree is not None and generation == self._tree_generation:
            return tree
        if tree is not None and time.time() - tree.built_at < REBUILD_EVERY * tree.build_seconds:
            return tree
        async with self._tree_lock:
            if self._tree is tree:
                library = getattr(self.station, "library", None)
                tracks = [] if library is None else await self.run(library.tracks)
                self._tree = await self.run(MusicTree, tracks, self.roots)
                self._tree_builds += 1
                self._tree_generation = generation
        assert self._tree is not None
        return self._tree


def subsystems(old: StationState, new: StationState) -> set[str]:
    """MPD's idle subsystems that differ between two states."""
    changed = set()
    old_now, new_now = old.now_playing, new.now_playing
    old_id = old_now.track.track_id if old_now else None
    new_id = new_now.track.track_id if new_now else None
    if old_id != new_id or old.play_state != new.play_state:
        changed.add("player")
    elif old_now and new_now and abs(old_now.started_at - new_now.started_at) > 1.0:
        changed.add("player")  # a seek (or a pause that moved the start)
    if (old_id, [t.track_id for t in old.up_next]) != (new_id, [t.track_id for t in new.up_next]):
        changed.add("playlist")
    if (old.volume, old.muted) != (new.volume, new.muted):
        changed.add("mixer")
    if [(r.id, r.name, r.on) for r in old.rooms] != [(r.id, r.name, r.on) for r in new.rooms]:
        changed.add("output")
    return changed
