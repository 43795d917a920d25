"""The programme's way to the rooms: a PulseAudio pipe sink that snapserver reads as a pipe source.

The music's mpv streams carry the client name :data:`PROGRAMME_CLIENT`; everything else the
appliance plays (a reply to a spoken request above all) has another name and is never moved, so
it stays on the local speaker. While the rooms are reachable the programme's streams are moved:

* to the pipe sink alone when this board has a room of its own (a snapclient here, named in
  ``[snapcast] local_room``): the local speaker then hears the programme through Snapcast, in
  step with the other rooms;
* otherwise to a combined sink feeding both the local speaker and the pipe sink (the other rooms
  hear it Snapcast's buffer later than this one).

The DJ's talk between tracks is part of the programme too: around it (:meth:`Programme.on_air`)
this process's own voice stream follows the music, and comes back here after it.

While the server is away they go back to the local speaker, so the music never stops here. New
streams (mpv opens one per format change) are caught by following ``pactl subscribe``. The pipe
sink runs on the system clock, so nothing stalls when no snapserver reads it.
"""

from __future__ import annotations

import json
import logging
import os
import re
import select
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any

from appliance.rooms.rpc import RoomsError

log = logging.getLogger("appliance.rooms")

PROGRAMME_CLIENT = "qfzz"  # the music player's audio_client_name
PIPE_SINK = "qfzz_snapcast"
COMBINED_SINK = "qfzz_programme"
LOCAL = "@DEFAULT_SINK@"
PACTL_TIMEOUT = 5.0
SWEEP = 5.0  # seconds between two looks at every stream, besides following new ones
MAX_PAUSE = 10.0  # seconds between two attempts to reach a sound server that went away
_FORMATS = {16: "s16le", 24: "s24-32le", 32: "s32le"}  # snapcast pads 24-bit samples to 32
_NEW_STREAM = re.compile(r"Event 'new' on sink-input #(\d+)")


def pulse_format(sample_format: str) -> tuple[str, int, int]:
    """PulseAudio's (format, rate, channels) for snapserver's ``rate:bits:channels``."""
    try:
        rate, bits, channels = (int(part) for part in sample_format.split(":"))
    except ValueError:
        rate = bits = channels = 0
    if bits not in _FORMATS or not 8000 <= rate <= 192000 or not 1 <= channels <= 8:
        raise RoomsError(
            f"[snapcast] sample_format {sample_format!r} is not rate:bits:channels",
            'use the stream\'s sampleformat from snapserver.conf, e.g. "48000:16:2" '
            f"(bits: {', '.join(str(b) for b in _FORMATS)})",
        )
    return _FORMATS[bits], rate, channels


def pactl(*args: str, timeout: float = PACTL_TIMEOUT) -> str:
    """Run pactl; a RoomsError saying what is missing when it cannot."""
    if shutil.which("pactl") is None:
        raise RoomsError(
            "pactl is not installed: the programme cannot reach Snapcast",
            "apt-get install pulseaudio-utils (and PulseAudio or PipeWire's pipewire-pulse)",
        )
    try:
        done = subprocess.run(
            ["pactl", *args], capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as error:
        raise RoomsError(f"pactl {args[0]} did not answer in {timeout:g} s") from error
    if done.returncode:
        problem = (done.stderr or done.stdout).strip().splitlines()
        text = problem[-1] if problem else f"exit {done.returncode}"
        if "Connection" in text or "connect" in text:
            raise RoomsError(
                f"no PulseAudio (or PipeWire) sound server answers: {text}",
                "the programme goes to Snapcast through the sound server: start PulseAudio "
                "or PipeWire for the appliance's user",
            )
        raise RoomsError(f"pactl {' '.join(args[:2])} failed: {text}")
    return done.stdout


def _sink_indexes() -> dict[str, int]:
    """Each sink's index by name; :data:`LOCAL` names the default sink's."""
    found = {}
    for line in pactl("list", "short", "sinks").splitlines():
        index, name, *_ = line.split("\t")
        found[name] = int(index)
    default = found.get(pactl("get-default-sink").strip())
    if default is not None:
        found[LOCAL] = default
    return found


def _streams() -> list[dict[str, Any]]:
    found = json.loads(pactl("--format=json", "list", "sink-inputs") or "[]")
    return [item for item in found if isinstance(item, dict)]


class Programme:
    """Sets up the sinks and keeps the programme where the rooms need it; see the module
    docstring. ``setup()``, ``route(to_rooms)``, ``close()``."""

    def __init__(self, fifo: Path, sample_format: str, local_room: bool = False) -> None:
        self.fifo = fifo
        self.format = pulse_format(sample_format)
        self.local_room = local_room
        self.target = LOCAL
        self._talking = False  # the DJ talks between tracks, on the programme
        self.moved = 0  # streams moved so far (what the tests and the log count)
        self._modules: list[str] = []
        self._combined: str | None = None  # the combined sink's module, when this loaded it
        self._lock = threading.Lock()
        self._life = threading.Lock()  # setup after a sound server restart, against close()
        self._closing = threading.Event()
        self._watcher: subprocess.Popen[bytes] | None = None
        self._thread: threading.Thread | None = None

    @property
    def rooms_sink(self) -> str:
        return PIPE_SINK if self.local_room else COMBINED_SINK

    def setup(self) -> None:
        """Load the pipe sink (and the combined one) unless they are there already."""
        pactl("info")
        sinks = _sink_indexes()
        if PIPE_SINK not in sinks:
            if self.fifo.exists() and not self.fifo.is_fifo():
                raise RoomsError(
                    f"{self.fifo} exists and is not a FIFO: snapserver could not read it",
                    "remove it, or set [snapcast] fifo to the path of snapserver's pipe source",
                )
            sample, rate, channels = self.format
            self._load(
                "module-pipe-sink", f"sink_name={PIPE_SINK}", f"file={self.fifo}",
                f"format={sample}", f"rate={rate}", f"channels={channels}",
                "use_system_clock_for_timing=yes",
                "sink_properties=device.description=Snapcast",
            )  # fmt: skip
        if not self.local_room and COMBINED_SINK not in sinks:
            local = pactl("get-default-sink").strip()
            if local in (PIPE_SINK, COMBINED_SINK, ""):
                raise RoomsError(
                    f"the default sound output is {local or 'not set'}, not a speaker",
                    "set the default sink to the board's speaker (pactl set-default-sink)",
                )
            self._combined = self._load(
                "module-combine-sink", f"sink_name={COMBINED_SINK}",
                f"slaves={local},{PIPE_SINK}",
                "sink_properties=device.description=QFZZ-everywhere",
            )  # fmt: skip
        self._follow()

    def _load(self, module: str, *args: str) -> str:
        index = pactl("load-module", module, *args).strip()
        self._modules.append(index)
        log.info("loaded %s (%s)", module, " ".join(args[:2]))
        return index

    def route(self, to_rooms: bool) -> int:
        """Send the programme to the rooms (True) or to the local speaker only; returns how
        many streams were moved."""
        with self._lock:
            self.target = self.rooms_sink if to_rooms else LOCAL
        return self._move_all(voices=self._talking)

    def on_air(self, talking: bool) -> int:
        """The DJ's talk between tracks is part of the programme: while ``talking``, this
        process's other streams (the DJ's voice) go where the music goes; then back here.
        (A reply is never said while it talks: the dialogue takes one turn at a time.)"""
        with self._lock:
            self._talking = talking
        return self._move_all(voices=True)

    def _move_all(self, only: str | None = None, voices: bool = False) -> int:
        """Move the programme's streams (and this process's voice, with ``voices``, or when
        ``only`` is new while the DJ talks on air) where they belong now."""
        with self._lock:
            own = str(os.getpid())
            voice_target = self.target if self._talking else LOCAL
            moved = 0
            try:
                streams = _streams()
                sinks = _sink_indexes()
            except (RoomsError, ValueError) as error:
                log.warning("could not list the sound streams: %s", error)
                return 0
            for stream in streams:
                properties = stream.get("properties") or {}
                index = str(stream.get("index"))
                if only is not None and index != only:
                    continue
                if properties.get("application.name") == PROGRAMME_CLIENT:
                    target = self.target
                elif properties.get("application.process.id") == own and (
                    voices or (only is not None and self._talking)
                ):
                    target = voice_target
                else:
                    continue
                if sinks.get(target) == stream.get("sink"):
                    continue  # there already
                try:
                    pactl("move-sink-input", index, target)
                except RoomsError as error:  # it ended meanwhile
                    log.debug("stream %s not moved: %s", index, error)
                    continue
                moved += 1
            self.moved += moved
            return moved

    def duck_here(self, db: float) -> None:
        """Lower the programme on the local speaker alone by ``db`` (0: back to full): the
        combined sink's stream into the local speaker. With a room of its own, this board's
        snapclient is ducked instead (see :meth:`appliance.rooms.rooms.Rooms.duck`)."""
        if self._combined is None:
            return
        pipe = _sink_indexes().get(PIPE_SINK)
        for stream in _streams():
            if str(stream.get("owner_module")) == self._combined and stream.get("sink") != pipe:
                # a linear factor: "-20dB" would be taken as 20 dB less than now
                factor = 10 ** (min(0.0, db) / 20)
                pactl("set-sink-input-volume", str(stream["index"]), f"{factor:.4f}")

    def _follow(self) -> None:
        if self._watcher is not None:
            return
        self._watcher = subprocess.Popen(
            ["pactl", "subscribe"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
        self._thread = threading.Thread(
            target=self._watch, args=(self._watcher,), name="programme", daemon=True
        )
        self._thread.start()

    def _watch(self, watcher: subprocess.Popen[bytes]) -> None:
        """Move each new stream as it appears; every :data:`SWEEP` seconds look at them all
        (a stream that came before pactl had subscribed, a move that failed)."""
        assert watcher.stdout is not None
        pipe = watcher.stdout.fileno()
        pending = b""
        while True:
            ready, _, _ = select.select([pipe], [], [], SWEEP)
            if not ready:
                self._move_all()
                continue
            data = os.read(pipe, 4096)
            if not data:  # pactl ended: the sound server went away (or close() ended it)
                watcher.wait()
                if not self._closing.is_set():
                    self._recover()
                return
            *lines, pending = (pending + data).split(b"\n")
            for line in lines:
                found = _NEW_STREAM.search(line.decode("utf-8", "replace"))
                if found:
                    self._move_all(found.group(1))

    def _recover(self) -> None:
        """The sound server went away (its modules with it): set the sinks up again once it is
        back, trying again after a pause that doubles up to :data:`MAX_PAUSE`."""
        pause = 0.5
        log.warning("the sound server went away; the programme waits for it")
        while not self._closing.wait(pause):
            with self._life:
                if self._closing.is_set():
                    return
                self._watcher = None
                self._modules.clear()
                self._combined = None
                try:
                    self.setup()
                except RoomsError:
                    pause = min(pause * 2, MAX_PAUSE)
                    continue
            self._move_all(voices=self._talking)
            log.warning("the sound server is back: the programme goes to the rooms again")
            return

    def close(self) -> None:
        """Stop following, put the programme back on the local speaker, unload what was
        loaded (the FIFO stays: snapserver may hold it)."""
        self._closing.set()
        with self._life:
            if self._watcher is not None:
                self._watcher.terminate()
                self._watcher.wait(PACTL_TIMEOUT)
                self._watcher = None
            thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(PACTL_TIMEOUT)
        try:
            self.route(False)
            for index in reversed(self._modules):
                pactl("unload-module", index)
        except RoomsError as error:
            log.warning("could not undo the programme's sinks: %s", error)
        self._modules.clear()
        self._combined = None
