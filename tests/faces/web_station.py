"""For the web face's tests: a small double of the station (the ``Station`` protocol) over a
real library and a real DJ, and a runner that serves a WebFace on 127.0.0.1 from a loop thread.

The double keeps one StationState and publishes a StateChanged for every change, as the station
does; its commands are the few the page sends, carried out simply (a skip takes the next track of
the library, "play some jazz" the first jazz track), so the face's own behaviour is what a test
sees.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests

from appliance import control
from appliance.bus import DJSaid, EventBus, StateChanged
from appliance.config import Config, load_config, parse_config
from appliance.dj import PersonalizedDJ
from appliance.faces.web import WebFace
from appliance.library import Library
from appliance.library.track import Track
from appliance.state import NowPlaying, PlayState, Said, StationState


class DoubleStation:
    """Snapshot, execute and events over a real Library and PersonalizedDJ (see above)."""

    def __init__(self, music: Path, data: Path) -> None:
        self.events = EventBus()
        self.library = Library(data / "library.db")
        self.library.scan([music], progress=False)
        self.dj = PersonalizedDJ(db_path=str(data / "dj.db"), library=self.library)
        self.dj.register_user("guest", "Guest")
        self.dj.register_user("alex", "Alex")
        self.tracks = self.library.tracks()
        self.executed: list[control.Command] = []
        self._lock = threading.Lock()
        self._state = StationState(listener="guest", listener_name="Guest",
                                   listeners=(("guest", "Guest"), ("alex", "Alex")))  # fmt: skip
        self._play(self.tracks[0], "dj")

    def close(self) -> None:
        self.dj.close()
        self.library.close()

    def snapshot(self) -> StationState:
        return self._state

    def update(self, **changes: Any) -> None:
        with self._lock:
            before = self._state
            state = dataclasses.replace(before, version=before.version + 1, **changes)
            self._state = state
        self.events.publish(StateChanged(state, frozenset(changes)))

    def _play(self, track: Track, by: str, why: str = "") -> None:
        now = NowPlaying(track, 0.0, track.duration, time.time(), by, why)
        self.update(now_playing=now, play_state=PlayState.PLAYING)

    def _index(self) -> int:
        track = self._state.track
        return self.tracks.index(track) if track in self.tracks else -1

    def execute(self, command: control.Command) -> control.Outcome:
        self.executed.append(command)
        state = self._state
        by = command.by or state.listener
        match command:
            case control.Skip():
                if state.track is not None:
                    self.dj.record_event(by, state.track.track_id, "skipped", position=1.0)
                self._play(self.tracks[(self._index() + 1) % len(self.tracks)], "dj")
            case control.Previous():
                self._play(self.tracks[self._index() - 1], by)
            case control.Pause():
                self.update(play_state=PlayState.PAUSED)
            case control.Resume():
                self.update(play_state=PlayState.PLAYING)
            case control.Stop():
                self.update(play_state=PlayState.STOPPED, now_playing=None)
            case control.SetVolume(level=level, step=step):
                self.update(volume=max(0, min(100, level if level is not None else
                                              state.volume + step)))  # fmt: skip
            case control.Mute(on=on):
                self.update(muted=(not state.muted) if on is None else on)
            case control.Like() | control.Dislike():
                if state.track is None:
                    return control.Outcome(False, error="nothing is playing")
                event = "liked" if isinstance(command, control.Like) else "disliked"
                self.dj.record_event(by, state.track.track_id, event)
            case control.Play(track_id=track_id) if track_id:
                track = self.library.get(track_id)
                if track is None:
                    return control.Outcome(False, error="no such track")
                self._play(track, by)
            case control.Enqueue(track_id=track_id) if track_id:
                track = self.library.get(track_id)
                if track is None:
                    return control.Outcome(False, error="no such track")
                self.update(up_next=(*state.up_next, track))
            case control.RemoveQueued(index=index):
                if index >= len(state.up_next):
                    return control.Outcome(False, error="nothing queued there")
                queue = list(state.up_next)
                del queue[index]
                self.update(up_next=tuple(queue))
            case control.SwitchListener(user_id=user_id, name=name):
                self.dj.register_user(user_id, name or user_id)
                known = dict(state.listeners)
                known.setdefault(user_id, name or user_id)
                self.update(listener=user_id, listener_name=known[user_id],
                            listeners=tuple(known.items()))  # fmt: skip
            case control.Ask(text=text):
                answer = self.dj.interact(by, text)
                if "jazz" in text.casefold():
                    jazz = next(t for t in self.tracks if "jazz" in t.genres)
                    self._play(jazz, by, "for your jazz")
                said = Said(answer, by, time.time())
                self.update(dj_lines=(*state.dj_lines[-4:], said))
                self.events.publish(DJSaid(said))
                return control.Outcome(True, text=answer)
            case control.Announce(private=True):
                return control.Outcome(True)  # spoken only: never among the lines, no event
            case control.Announce(text=text):
                said = Said(text, state.listener, time.time())
                self.update(dj_lines=(*state.dj_lines[-4:], said))
                self.events.publish(DJSaid(said))
                return control.Outcome(True, text=text)
            case _:
                return control.Outcome(False, error="the double does not do that")
        return control.Outcome(True)


PASSWORD = "open sesame"  # the station password of web_settings and started_station


def logged_in(url: str, password: str = PASSWORD) -> requests.Session:
    """A requests session logged in to the page at ``url``, its CSRF token in its headers."""
    session = requests.Session()
    answer = session.post(f"{url}/api/login", json={"password": password}, timeout=5)
    assert answer.status_code == 200, answer.text
    session.headers["X-CSRF-Token"] = answer.json()["csrf"]
    return session


def on_any_port(settings: Config) -> Config:
    """``settings`` with the web page on a port the system picks (the file cannot say 0)."""
    return dataclasses.replace(settings, web=dataclasses.replace(settings.web, port=0))


def settings_text(music: Path, extra: str = "") -> str:
    """A settings file's text: ``music`` the library, PASSWORD the password, then ``extra``."""
    return f'[library]\nmusic_folders = ["{music}"]\n[faces]\npassword = "{PASSWORD}"\n{extra}'


def web_settings(music: Path, extra: str = "") -> Config:
    return on_any_port(parse_config(settings_text(music, extra)))


def file_settings(file: Path) -> Config:
    """The settings in ``file``, read as the station reads them, the page on any port."""
    return on_any_port(load_config(file))


class Served:
    """A WebFace running on its own event loop thread, as the FaceHost runs it."""

    def __init__(self, station: Any, settings: Config, data: Path, **options: Any) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.face = WebFace(station, settings, data, **options)
        self.call(self.face.start())
        self.url = f"http://127.0.0.1:{self.face.port}"

    def call(self, coroutine: Any, timeout: float = 10.0) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def stop(self) -> None:
        try:
            self.call(self.face.stop())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(5)
            self.loop.close()


@contextmanager
def serving(station: Any, settings: Config, data: Path, **options: Any) -> Iterator[Served]:
    """A WebFace (not advertised) for the length of a with block, stopped however it ends."""
    server = Served(station, settings, data, advertise=False, **options)
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def settings_page(
    station: Any, text: str, data: Path
) -> Iterator[tuple[Served, requests.Session, Path]]:
    """The page served with the settings ``text`` written to ``data``/config.toml, the file its
    settings form edits: (the page, a session logged in to it, the file)."""
    file = data / "config.toml"
    file.write_text(text)
    with serving(station, file_settings(file), data) as server:
        yield server, logged_in(server.url), file


def model_entry(name: str, url: str, data: bytes, *, sha256: str | None = None) -> str:
    """A catalog entry for a test model: ``data`` (a zip) fetched from ``url``; ``sha256`` the
    checksum published for it (None: the right one, "": none)."""
    digest = hashlib.sha256(data).hexdigest() if sha256 is None else sha256
    checksum = f'sha256 = "{digest}"\n' if digest else ""
    return (
        f'\n[model."{name}"]\nkind = "stt"\nengine = "vosk"\nlanguage = "en-us"\ntier = 1\n'
        f'licence = "Apache-2.0"\ndescription = "a test model"\nram_mb = 10\nrtf = 0.1\n'
        f'disk_mb = 1\n[[model."{name}".files]]\nurl = "{url}"\n{checksum}'
        f'bytes = {len(data)}\nunpack = "zip"\nstrip = "test-model"\n'
    )


def catalog_with(folder: Path, url: str, data: bytes, *more: str) -> Path:
    """``folder``/catalog.toml: the shipped model catalog plus "test-model" (``data`` served at
    ``url``) and the ``more`` entries (:func:`model_entry`)."""
    from appliance.models.catalog import shipped

    path = folder / "catalog.toml"
    path.write_text(
        shipped("models", "catalog.toml").read_text(encoding="utf-8")
        + model_entry("test-model", url, data)
        + "".join(more),
        encoding="utf-8",
    )
    return path


def started_station(
    music: Path, folder: Path, extra: str = "", name: str = "QFZZ", **fields: Any
) -> Any:
    """A real QFZZStation called ``name`` over ``music`` with its faces on (the web page on
    127.0.0.1, port 0, announced on the loopback only), neither listening nor speaking; music to
    mpv's null output unless ``audio_output`` says otherwise. Its settings file and data are in
    ``folder``. Returns (station, the page's URL)."""
    from appliance.config import load_config
    from appliance.station import QFZZStation, StationConfig

    file = folder / "config.toml"
    file.write_text(
        f'[station]\nname = "{name}"\ndata_dir = "{folder / "data"}"\n'
        f'[library]\nmusic_folders = ["{music}"]\n[faces]\nbind = "localhost"\n'
        f'password = "open sesame"\n[mpd]\nenabled = false\n'
        f"[home_assistant]\nenabled = false\n{extra}"
    )
    settings = on_any_port(load_config(file))
    options: dict[str, Any] = {"listen": "none", "speak": False, "audio_output": "null"}
    config = StationConfig.from_settings(settings, faces=True, **{**options, **fields})
    station = QFZZStation(config)
    station.start()
    faces = station.faces.faces if station.faces is not None else []
    web = next((face for face in faces if face.name == "web"), None)
    if web is None:
        station.stop()
        raise AssertionError("the web face did not start")
    return station, f"http://127.0.0.1:{web.port}"  # type: ignore[attr-defined]
