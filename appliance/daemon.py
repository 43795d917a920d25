"""Running the station until it is told to stop: `appliance run` and `appliance chat`.

The main thread starts the station and waits for SIGTERM or SIGINT, then stops it (music faded,
state flushed) well within systemd's patience. In a terminal, typed lines go to the DJ as if they
had been said (an empty line is push-to-talk when the microphone listens), and every turn is
printed, so the appliance can be tried from a keyboard.
"""

from __future__ import annotations

import gc
import logging
import signal
import sys
import threading
from typing import TextIO

from appliance.dialogue import Turn
from appliance.logs import silence_alsa_errors
from appliance.memory import limit_arenas
from appliance.station import QFZZStation, StationConfig

log = logging.getLogger("appliance.daemon")


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
            self.station.handle(text)
        self.closed.set()


def run(config: StationConfig, user: str | None = None, stdin: TextIO | None = None) -> int:
    """Start the station, serve until a signal (or, for typed input, the end of it), stop."""
    stdin = stdin or sys.stdin
    stop = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        log.info("stopping (%s)", signal.Signals(signum).name)
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    limit_arenas()  # before the station's threads start
    silence_alsa_errors()
    station = QFZZStation(config)
    try:
        station.start()
        if user and station.dialogue is not None:
            dj = station.get_dj()
            if user not in dj.user_profiles:
                dj.register_user(user, user)  # an existing listener keeps their name
            station.dialogue.user_id = user
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
        return 0
    finally:
        station.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
