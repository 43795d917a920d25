"""Running the station until it is told to stop: `appliance run` and `appliance chat`.

The main thread starts the station and waits for SIGTERM, SIGINT or SIGHUP, then stops it (music
faded, state flushed) well within systemd's patience. SIGHUP is what closing the SSH session that
runs `make run` sends: it is a clean stop too, not a reload (there is nothing to reload without a
restart), and the log says so. With a sound file as input, the daemon stops by itself once the
file has been heard and what it asked for answered and done. In a terminal, typed lines go to
the DJ as if they had been said (an empty line is push-to-talk when the microphone listens), and
every turn is printed, so the appliance can be tried from a keyboard.
"""

from __future__ import annotations

import gc
import logging
import signal
import sys
import threading
import time
from typing import TextIO

from appliance.control import Ask, SwitchListener
from appliance.dialogue import Turn
from appliance.logs import silence_alsa_errors
from appliance.memory import limit_arenas
from appliance.station import QFZZStation, StationConfig

log = logging.getLogger("appliance.daemon")

_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
_WHY = {
    "SIGTERM": "asked to stop",
    "SIGINT": "interrupted",
    "SIGHUP": "the terminal that started it closed; a clean stop, as for SIGTERM",
}
ANSWER_TIMEOUT = 120.0  # the longest a file's request may take to be answered and carried out
TRACK_START_TIMEOUT = 10.0  # the longest a requested track may take to begin sounding


def _finish_answering(station: QFZZStation, stop: threading.Event) -> None:
    """Wait until every request already heard has been answered, spoken and carried out (the
    dialogue drained; a track it asked for counts as done once its sound has begun), or until
    ``stop`` is set: a signal is obeyed at once, never after the answer."""
    if station.dialogue is not None and not station.dialogue.drain(ANSWER_TIMEOUT, stop):
        return
    player, dj = station.player, station.dj
    deadline = time.monotonic() + TRACK_START_TIMEOUT
    while player is not None and dj is not None and time.monotonic() < deadline:
        wanted = player.now_playing
        if wanted is None or dj.now_playing == wanted or stop.wait(0.05):
            break


class Console:
    """The terminal side: reads typed requests, prints each turn."""

    def __init__(self, station: QFZZStation, out: TextIO, stdin: TextIO, show_heard: bool) -> None:
        self.station = station
        self.out = out
        self.stdin = stdin
        self.show_heard = show_heard
        self.closed = threading.Event()

    def print_turn(self, turn: Turn) -> None:
        if turn.reply is None:
            return
        if self.show_heard and turn.spoken:
            self.out.write(f"  (heard) {turn.text}\n")
        self.out.write(f"{self.station.get_dj().name}: {turn.reply.text}\n")
        self.out.flush()

    def read(self) -> None:
        """Read lines until end of input; runs in its own thread or the main one."""
        interactive = self.stdin.isatty()
        while True:
            if interactive:
                self.out.write("> ")
                self.out.flush()
            line = self.stdin.readline()
            if not line:
                break
            text = line.strip()
            if not text:
                listener = self.station.listener
                if listener is not None:
                    listener.trigger("push_to_talk")
                    self.out.write("  (listening)\n")
                continue
            self.station.execute(Ask(text=text, source="console"))
        self.closed.set()


def show_faces(station: QFZZStation, out: TextIO) -> None:
    """Say where the running faces are, and the password or key each asks for, so a person can
    open the page (or pair Home Assistant) from what `appliance run` printed. The secrets
    themselves only to a terminal: under systemd ``out`` is the journal, which others may read,
    so it says where they are kept and how to read them instead."""
    host, data_dir = station.faces, station.data_dir
    if host is None or data_dir is None:
        return
    from appliance.faces import secrets

    running = host.addresses()
    for name, addresses in running.items():
        out.write(f"{name.replace('_', ' ')}: {', '.join(addresses) or '(no address)'}\n")
    settings = station.config.settings
    terminal = out.isatty()

    def secret(label: str, value: str, configured: bool, kept: str) -> None:
        if terminal:
            out.write(f"{label}: {value}\n")
        elif configured:
            out.write(f"{label}: the one set in the config file\n")
        else:
            path = data_dir / kept
            out.write(f"{label}: kept in {path} (read it with `sudo cat {path}`)\n")

    if {"web", "mpd"} & running.keys():
        word = secrets.password(settings, data_dir)
        secret("password", word, bool(settings.faces.password), secrets.PASSWORD_FILE)
    if "home_assistant" in running:
        key = secrets.encryption_key(settings, data_dir)
        configured = bool(settings.home_assistant.encryption_key)
        secret("Home Assistant encryption key", key, configured, secrets.KEY_FILE)
    out.flush()


def run(config: StationConfig, user: str | None = None, stdin: TextIO | None = None) -> int:
    """Start the station, serve until a signal (or, for typed input, the end of it), stop."""
    stdin = stdin or sys.stdin
    stop = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        name = signal.Signals(signum).name
        log.info("stopping (%s: %s); the music fades out", name, _WHY.get(name, "asked to"))
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in _STOP_SIGNALS}
    limit_arenas()  # before the station's threads start
    silence_alsa_errors()
    station = QFZZStation(config)
    try:
        station.start()
        if user:  # an existing listener keeps their name
            station.execute(SwitchListener(user_id=user, source="console"))
        show_faces(station, sys.stderr)
        gc.collect()
        gc.freeze()  # start-up objects live for the whole run: keep them out of GC passes
        keyboard = station.listen_mode == "keyboard"
        console = None
        if keyboard or stdin.isatty():
            console = Console(station, sys.stdout, stdin, show_heard=not keyboard)
            station.turn_listeners.append(console.print_turn)
            reader = threading.Thread(target=console.read, name="console", daemon=True)
            reader.start()
        while not stop.wait(0.2):
            if keyboard and console is not None and console.closed.is_set():
                break  # typed input ended (Ctrl-D, or a pipe ran dry)
            if station.listen_mode == "file" and station.input_finished():
                _finish_answering(station, stop)
                if not stop.is_set():
                    log.info("stopping: the sound file has been heard and answered")
                break
        return 0
    finally:
        station.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
