"""The station's spoken reply latency with the network faces' clients connected, against the
same figure without them, on one real station (faces on, the Whisper tier, speaking aloud).

The station (as `appliance run` builds it, faces included: the web page, MPD and Home Assistant
on 127.0.0.1) hears short commands through the private PulseAudio's FIFO microphone and answers
through Piper on the null sink. The same commands, rendered once in a tuning voice, are said in
blocks: alone (A), with the web page's clients (W: 20 pages on the WebSocket and 20 scripts
polling ``GET /api/state`` once a second, as a page's clock ticks) and with the home's clients
(H: 50 MPD clients in ``idle`` and one Home Assistant ``APIClient`` subscribed to states, and
one app showing ``status``, polled once a second), interleaved A W A H A W A H ... so the
machine's noise falls on each alike. The pages and idle clients run in a child process, niced:
in a home they are other devices, so what is measured is the daemon's cost of serving them,
not their own CPU.

Per turn: end-pointing (the listener's SpeechEnded) to the answer's first sample at the output
(``Turn.first_audio_at``), and the final transcript to the same (what the faces can slow once
the words are known). Median and p90 of each set, and its ratio to the alone blocks (aim: at
most 1.10) taken four ways: whole sets, each turn against its command's alone median, each
command's medians, and each block against the alone block before it. The reply times are
bimodal (a command answered as the speech ends, or a Whisper pass later), so one run's ratios
swing widely: read several. The ``status`` and ``/api/state`` p99 seen in each block. Rounds:
QFZZ_FACES_ROUNDS (default 3). Results: .bench/faces_latency.json, and every turn of every run
appended to .bench/faces_latency_turns.jsonl.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from appliance.config import parse_config
from appliance.dialogue import Turn
from appliance.faces import secrets
from tests.benchmarks.bench_esphome import start_home_clients
from tests.benchmarks.bench_mpd import start_pollers
from tests.benchmarks.bench_speech import _drain, _wait_turn, corpus_library
from tests.benchmarks.daemon_rig import StationRig, station_rig
from tests.benchmarks.report import RESULTS, median, percentile, record
from tests.support.pulse import PulseServer
from tests.support.speech import silence
from tests.support.voices import by_name, render
from tests.support.waiting import wait_until

pytestmark = pytest.mark.audio

PASSWORD = "open sesame"  # the password bench_web's and bench_mpd's clients log in with
COMMANDS = ("what's playing", "turn it up", "turn it down", "skip")
VOICE = "joe"  # a tuning voice: latency, not accuracy, is measured
ROUNDS = int(os.environ.get("QFZZ_FACES_ROUNDS", "3"))
PAGE_POLL_EVERY = "1.0"  # seconds: a page's clock ticks once a second
BLOCK_S = 35.0  # the longest a block of commands may take (the clients' lifetime)
CLIENT_NICE = 10
SETTLE_S = 3.0  # after connecting: the clients' start-up is not what is measured


def make_station(tmp: Path) -> Any:
    from appliance.station import QFZZStation, StationConfig

    folder = corpus_library(tmp / "music")
    settings = parse_config(
        "[dj]\ncommentary = 0.0\n"
        '[voice]\nwake_word = "none"\n'
        '[models]\nstt = "whisper-tiny-en"\n'
        f'[library]\nmusic_folders = ["{folder}"]\n'
        f'[faces]\nbind = "localhost"\npassword = "{PASSWORD}"\n'
    )
    settings = dataclasses.replace(
        settings,
        web=dataclasses.replace(settings.web, port=0),
        mpd=dataclasses.replace(settings.mpd, port=0),
        home_assistant=dataclasses.replace(settings.home_assistant, port=0),
    )
    config = StationConfig.from_settings(
        settings, listen="microphone", speak=True, play=True, faces=True, data_dir=tmp / "data"
    )
    station = QFZZStation(config)
    station.start()
    return station


@dataclasses.dataclass
class Measured:
    block: str  # "alone", "web" or "home"
    number: int  # the block's place in the run
    command: str  # as said (the transcript may differ)
    after_endpoint_ms: float
    after_transcript_ms: float


def say(station: Any, rig: StationRig, command: str, pcm: bytes) -> Turn | None:
    """Say ``command`` after push-to-talk; its turn (None when nothing came back)."""
    assert station.listener is not None
    _drain(rig.turns)
    finals = len(rig.heard.finals)
    station.listener.trigger("push_to_talk")
    rig.mic.say(silence(0.3) + pcm)
    return _wait_turn(rig.turns, rig.heard, finals)


def measure(
    rig: StationRig, turn: Turn | None, block: str, number: int, command: str
) -> Measured | None:
    if turn is None or turn.first_audio_at is None or turn.heard_at is None:
        return None
    ended, final = rig.heard.for_turn(turn)
    return Measured(
        block,
        number,
        command,
        (turn.first_audio_at - ended.at) * 1000,
        (turn.first_audio_at - final.at) * 1000,
    )


def start_clients(kind: str, station: Any, tmp: Path, block: int) -> tuple[list[Any], Path]:
    faces = {face.name: face for face in station.faces.faces}
    out = tmp / f"clients-{block}.json"
    if kind == "home":
        mpd, home = faces["mpd"], faces["home_assistant"]
        key = secrets.encryption_key(station.config.settings, station.data_dir)
        clients = start_home_clients(mpd, home, key, BLOCK_S, out, CLIENT_NICE, wait=15.0)
        pollers = start_pollers(mpd.port, BLOCK_S - 15.0, tmp / f"polls-{block}.json", 1, 1.0)
        time.sleep(SETTLE_S)
        return [clients, pollers], out
    clients = subprocess.Popen(
        [sys.executable, "-m", "tests.benchmarks.bench_faces_latency",
         f"http://127.0.0.1:{faces['web'].port}", str(BLOCK_S), str(out)],
        cwd=Path(__file__).resolve().parents[2],
        env=dict(os.environ, QFZZ_BENCH_POLL_EVERY=PAGE_POLL_EVERY),
        preexec_fn=lambda: os.nice(CLIENT_NICE),
    )  # fmt: skip
    web = faces["web"]
    wait_until(lambda: len(web.context.sockets) >= 20, 15, "every page")
    time.sleep(SETTLE_S)
    return [clients], out


def run_block(
    station: Any, rig: StationRig, kind: str, spoken: dict[str, bytes], tmp: Path, number: int
) -> tuple[list[Measured], dict[str, Any] | None]:
    clients, out = ([], None) if kind == "alone" else start_clients(kind, station, tmp, number)
    rows: list[Measured] = []
    started = time.monotonic()
    shift = number % len(COMMANDS)  # each command in every place of a block, in turn
    for command in COMMANDS[shift:] + COMMANDS[:shift]:
        turn = say(station, rig, command, spoken[command])
        if clients and clients[0].poll() is not None:
            break  # the clients left before this turn ended: it was not measured with them
        row = measure(rig, turn, kind, number, command)
        if row is not None:
            rows.append(row)
        time.sleep(1.0)  # the answer finishes
    result = None
    if clients:
        assert out is not None
        assert time.monotonic() - started < BLOCK_S, "the block outlived its clients"
        assert all(process.wait(BLOCK_S + 60) == 0 for process in clients)
        result = json.loads(out.read_text())
        polls = out.with_name(f"polls-{number}.json")
        if polls.exists():
            result["polls"] = json.loads(polls.read_text())
    return rows, result


def figures_of(rows: list[Measured], kind: str, key: str) -> list[float]:
    return [getattr(row, key) for row in rows if row.block == kind]


def test_reply_latency_with_the_faces_clients(pulse: PulseServer, tmp_path: Path) -> None:
    started = time.time()
    voice = by_name(VOICE)[0]
    spoken = {command: render(command, voice) for command in COMMANDS}
    station = make_station(tmp_path)
    rows: list[Measured] = []
    status_p99: list[float] = []  # MPD status, per home block
    api_p99: list[float] = []  # GET /api/state, per web block
    order = ["alone", "web", "alone", "home"] * ROUNDS
    try:
        assert station.faces is not None and len(station.faces.faces) >= 3
        with station_rig(station, pulse, speaking=True) as rig:
            for command in COMMANDS:  # warm up: Whisper, Piper, the DJ
                say(station, rig, command, spoken[command])
                time.sleep(1.0)
            for number, kind in enumerate(order):
                measured, result = run_block(station, rig, kind, spoken, tmp_path, number)
                rows.extend(measured)
                if result is not None and result.get("polls"):
                    polls = status_p99 if kind == "home" else api_p99
                    polls.append(percentile(result["polls"], 0.99) * 1000)
                shown = [f"{row.after_endpoint_ms:.0f}" for row in measured]
                print(f"  block {number} {kind}: {' '.join(shown)} ms after end-pointing")
    finally:
        station.stop()
    figures: dict[str, Any] = {"rounds": ROUNDS, "commands": " / ".join(COMMANDS)}
    for key, name in (("after_endpoint_ms", "endpoint"), ("after_transcript_ms", "transcript")):
        alone = figures_of(rows, "alone", key)
        figures[f"{name}_alone_turns"] = len(alone)
        figures[f"{name}_alone_median_ms"] = median(alone)
        figures[f"{name}_alone_p90_ms"] = percentile(alone, 0.9)
        for kind in ("web", "home"):
            loaded = figures_of(rows, kind, key)
            figures[f"{name}_{kind}_turns"] = len(loaded)
            figures[f"{name}_{kind}_median_ms"] = median(loaded)
            figures[f"{name}_{kind}_p90_ms"] = percentile(loaded, 0.9)
            figures[f"{name}_{kind}_ratio"] = median(loaded) / median(alone)
            figures[f"{name}_{kind}_paired_ratio"] = paired_ratio(rows, kind, key)
            figures[f"{name}_{kind}_command_ratio"] = command_ratio(rows, kind, key)
            figures[f"{name}_{kind}_block_ratio_median"] = block_ratio(rows, kind, key, order)
    for name, values in (("mpd_status", status_p99), ("web_api", api_p99)):
        if values:
            figures[f"{name}_p99_ms_per_block"] = " ".join(f"{v:.1f}" for v in values)
            figures[f"{name}_p99_ms_median"] = median(values)
    record("faces_latency", figures)
    with (RESULTS / "faces_latency_turns.jsonl").open("a") as out:  # runs pool across calls
        for row in rows:
            out.write(json.dumps({"run": started, **dataclasses.asdict(row)}) + "\n")


def paired_ratio(rows: list[Measured], kind: str, key: str) -> float:
    """The median over ``kind``'s turns of (the turn / the alone median of the same command):
    commands differ (a skip starts a track), so each is held against its own kind."""
    alone: dict[str, list[float]] = {}
    for row in rows:
        if row.block == "alone":
            alone.setdefault(row.command, []).append(getattr(row, key))
    ratios = [
        getattr(row, key) / median(alone[row.command])
        for row in rows
        if row.block == kind and alone.get(row.command)
    ]
    return median(ratios) if ratios else float("nan")


def command_ratio(rows: list[Measured], kind: str, key: str) -> float:
    """The median over the commands of (their median under ``kind`` / their median alone)."""
    ratios = []
    for command in COMMANDS:
        alone = [getattr(r, key) for r in rows if r.block == "alone" and r.command == command]
        loaded = [getattr(r, key) for r in rows if r.block == kind and r.command == command]
        if alone and loaded:
            ratios.append(median(loaded) / median(alone))
    return median(ratios) if ratios else float("nan")


def block_ratio(rows: list[Measured], kind: str, key: str, order: list[str]) -> float:
    """The median over rounds of (this round's ``kind`` block median / the alone block just
    before it): each pair met the same machine at nearly the same moment."""
    ratios = []
    for number, block in enumerate(order):
        if block != kind or number == 0:
            continue
        mine = [getattr(r, key) for r in rows if r.number == number]
        before = [getattr(r, key) for r in rows if r.number == number - 1]
        if mine and before:
            ratios.append(median(mine) / median(before))
    return median(ratios) if ratios else float("nan")


if __name__ == "__main__":  # the web clients' process (Home Assistant's: bench_esphome)
    from tests.benchmarks.bench_web import _clients

    url, seconds, into = sys.argv[1], float(sys.argv[2]), Path(sys.argv[3])
    into.write_text(json.dumps(asyncio.run(_clients(url, seconds))))
