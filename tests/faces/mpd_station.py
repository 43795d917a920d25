"""For the MPD face's tests: a music folder of real files (one with a name that is not UTF-8), a
double of the station (the ``Station`` protocol) over a real library, and a runner that serves
an MpdFace on 127.0.0.1 from its own event loop thread, as the FaceHost does.

The double keeps one StationState and publishes a StateChanged for every change, as the station
does. Its queue behaves as the station's: "up next" plays in order, a played track leaves it,
and when it runs out a skip plays the DJ's pick (the first library track not just played).
"""

from __future__ import annotations

import asyncio
import dataclasses
import io
import os
import threading
import time
from pathlib import Path
from typing import Any

from mutagen import id3
from mutagen.wave import WAVE
from PIL import Image

from appliance import control
from appliance.bus import EventBus, StateChanged
from appliance.config import Config, parse_config
from appliance.faces.mpd import MpdFace
from appliance.library import Library
from appliance.library.track import Track
from appliance.state import NowPlaying, PlayState, StationState
from tests.support import music

PASSWORD = "open sesame"
ODD_NAME = b"Odd/caf\xe9 \\x41 tune.wav"  # Latin-1 é (not UTF-8), and a literal backslash


def png(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(out, "PNG")
    return out.getvalue()


def make_music(folder: Path) -> Path:
    """Four short tracks in three folders: Sade (with a cover.png), Miles Davis (two, one with
    an embedded picture), and a file whose name is Latin-1 bytes."""
    tracks = [
        ("Sade/Love Deluxe/01 No Ordinary Love.wav", "No Ordinary Love", "Sade", "Love Deluxe",
         "Soul", 1),
        ("Miles Davis/Kind of Blue/01 So What.wav", "So What", "Miles Davis", "Kind of Blue",
         "Jazz", 1),
        ("Miles Davis/Kind of Blue/02 Freddie Freeloader.wav", "Freddie Freeloader",
         "Miles Davis", "Kind of Blue", "Jazz", 2),
    ]  # fmt: skip
    for index, (path, title, artist, album, genre, number) in enumerate(tracks):
        music.make_track(
            folder / path, seconds=1.0, freq=300.0 + 100 * index, title=title, artist=artist,
            album=album, genre=genre, tracknumber=number, date=1990 + index,
        )  # fmt: skip
    (folder / "Sade/Love Deluxe/cover.png").write_bytes(png("red"))
    wave = WAVE(folder / tracks[1][0])
    assert wave.tags is not None
    wave.tags.add(id3.APIC(encoding=3, mime="image/png", type=3, desc="", data=png("blue")))
    wave.save()
    plain = music.make_track(
        folder / "Odd" / "plain.wav", seconds=1.0, freq=900.0, title="Cafe Tune", artist="Odd One"
    )
    os.rename(plain, os.fsencode(str(folder)) + b"/" + ODD_NAME)  # soundfile takes str names
    return folder


class DoubleStation:
    """Snapshot, execute and events over a real Library (see the module docstring)."""

    def __init__(self, music_folder: Path, data: Path) -> None:
        self.events = EventBus()
        self.library = Library(data / "library.db")
        self.library.scan([music_folder], progress=False)
        self.tracks = self.library.tracks()
        self.executed: list[control.Command] = []
        self.lock = threading.RLock()
        self._state = StationState(listener="guest", listener_name="Guest")
        self._play(self.tracks[0], "dj", "because you like soul")

    def close(self) -> None:
        self.library.close()

    def snapshot(self) -> StationState:
        return self._state

    def update(self, **changes: Any) -> None:
        with self.lock:
            state = dataclasses.replace(self._state, version=self._state.version + 1, **changes)
            self._state = state
        self.events.publish(StateChanged(state, frozenset(changes)))

    def _play(self, track: Track, by: str, why: str = "", **changes: Any) -> None:
        now = NowPlaying(track, 0.0, track.duration, time.time(), by, why)
        self.update(now_playing=now, play_state=PlayState.PLAYING, **changes)

    def skip(self) -> None:
        """The current track ends: the next queued one plays, else the DJ's pick."""
        with self.lock:
            state = self._state
            if state.up_next:
                self._play(state.up_next[0], "mpd", up_next=state.up_next[1:])
                return
            playing = {t.track_id for t in [*filter(None, [state.track])]}
            pick = next(t for t in self.tracks if t.track_id not in playing)
            self._play(pick, "dj", "something new for you")

    def execute(self, command: control.Command) -> control.Outcome:
        with self.lock:
            self.executed.append(command)
            return self._execute(command)

    def _execute(self, command: control.Command) -> control.Outcome:
        state = self._state
        queue = list(state.up_next)
        match command:
            case control.Skip():
                self.skip()
            case control.Previous():
                self._play(self.tracks[-1], "mpd")
            case control.Pause():
                if state.now_playing is None:
                    return control.Outcome(False, error="nothing is playing")
                self.update(play_state=PlayState.PAUSED)
            case control.Resume():
                if state.now_playing is None:
                    self.skip()
                else:
                    self.update(play_state=PlayState.PLAYING)
            case control.Stop():
                self.update(play_state=PlayState.STOPPED)
            case control.SetVolume(level=level, step=step):
                volume = level if level is not None else state.volume + step
                self.update(volume=max(0, min(100, volume)), muted=False)
            case control.Mute(on=on):
                self.update(muted=(not state.muted) if on is None else on)
            case control.Seek(seconds=seconds, relative=relative):
                if state.now_playing is None:
                    return control.Outcome(False, error="nothing is playing")
                at = seconds + (time.time() - state.now_playing.started_at if relative else 0)
                now = dataclasses.replace(
                    state.now_playing, position=at, started_at=time.time() - at
                )
                self.update(now_playing=now)
            case control.Play(track_id=track_id) if track_id:
                track = self.library.get(track_id)
                if track is None:
                    return control.Outcome(False, error="no such track")
                self._play(track, "mpd")
            case control.Enqueue(track_id=track_id, position=position) if track_id:
                track = self.library.get(track_id)
                if track is None:
                    return control.Outcome(False, error="no such track")
                queue.insert(len(queue) if position is None else position, track)
                if state.now_playing is None or state.play_state == PlayState.STOPPED:
                    self._play(queue.pop(0), "mpd", up_next=tuple(queue))
                else:
                    self.update(up_next=tuple(queue))
            case control.RemoveQueued(index=index):
                if index >= len(queue):
                    return control.Outcome(False, error="nothing queued there")
                del queue[index]
                self.update(up_next=tuple(queue))
            case control.MoveQueued(index=index, to=to):
                if index >= len(queue) or to >= len(queue):
                    return control.Outcome(False, error="nothing queued there")
                queue.insert(to, queue.pop(index))
                self.update(up_next=tuple(queue))
            case control.ClearQueue():
                self.update(up_next=())
            case _:
                return control.Outcome(False, error="the double does not do that")
        return control.Outcome(True)


def mpd_settings(music_folder: Path, bind: str = "localhost") -> Config:
    settings = parse_config(
        f'[library]\nmusic_folders = ["{music_folder}"]\n'
        f'[faces]\npassword = "{PASSWORD}"\nbind = "{bind}"\n'
    )
    return dataclasses.replace(settings, mpd=dataclasses.replace(settings.mpd, port=0))


class Served:
    """An MpdFace on its own event loop thread, as the FaceHost runs it."""

    def __init__(self, station: Any, settings: Config, data: Path, **options: Any) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        options.setdefault("advertise", False)
        self.face = MpdFace(station, settings, data, **options)
        self.call(self.face.start())
        self.port = self.face.port

    def call(self, coroutine: Any, timeout: float = 10.0) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def stop(self) -> None:
        try:
            self.call(self.face.stop())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(5)
            self.loop.close()


def started_station(music_folder: Path, name: str = "QFZZ") -> tuple[Any, MpdFace]:
    """A real QFZZStation called ``name`` over ``music_folder`` with only its MPD face on
    (127.0.0.1, a port the system picks, announced on the loopback only), neither listening nor
    speaking; music to mpv's null output. Returns (station, the MPD face)."""
    from appliance.station import QFZZStation, StationConfig

    settings = parse_config(
        f'[library]\nmusic_folders = ["{music_folder}"]\n[faces]\nbind = "localhost"\n'
        f'password = "{PASSWORD}"\n[web]\nenabled = false\n[home_assistant]\nenabled = false\n'
    )
    settings = dataclasses.replace(
        settings,
        station=dataclasses.replace(settings.station, name=name),
        mpd=dataclasses.replace(settings.mpd, port=0),
    )
    config = StationConfig.from_settings(
        settings, faces=True, listen="none", speak=False, audio_output="null"
    )
    station = QFZZStation(config)
    station.start()
    faces = station.faces.faces if station.faces is not None else []
    face = next((face for face in faces if face.name == "mpd"), None)
    if not isinstance(face, MpdFace):
        station.stop()
        raise AssertionError("the MPD face did not start")
    return station, face
