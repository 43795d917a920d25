"""The daemon, measured: reply latency stage by stage, memory over an hour of use, start-up.

1. Reply latency: a station in this process (microphone on the private PulseAudio, speech and
   music on its null sink) hears "hey jarvis, <command>" through the FIFO microphone. Each turn
   is timed from the end of the person's speech (when its last voiced 10 ms went into the
   microphone) to the first sample of the answer handed to the device (Turn.first_audio_at),
   split at SpeechEnded, the Transcript, the DJ's answer (Turn.thought_at) and the first chunk
   out of Piper; the recording of the sink then says when that first sample was really played.
2. Memory: `appliance run` with the default small models (pocketsphinx, the joe voice), its
   terminal typed at and its microphone spoken to, over 300+ turns and 100+ track changes on a
   library of 5-10 s tracks; RSS from /proc/<pid>/status at start and after each tenth.
3. Start-up: `appliance run` from process start to READY=1 on a notify socket bound here,
   first start (fresh data directory: the demo library is made) and warm start.
"""

from __future__ import annotations

import contextlib
import math
import os
import queue
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from appliance.config import DJSettings, load_config
from appliance.dialogue import Turn
from appliance.events import SpeechEnded, Transcript
from appliance.memory import ARENAS
from appliance.paths import dj_db_path, library_db_path
from appliance.station import QFZZStation, StationConfig
from tests.benchmarks.daemon_rig import (
    DaemonProcess,
    FastSpeaker,
    FifoMicrophone,
    FileOpens,
    children,
    proc_memory,
    sink_delay,
    station_rig,
)
from tests.benchmarks.report import median, percentile, record
from tests.support import music
from tests.support.pulse import SINK_RATE, PulseServer
from tests.support.speech import speech_pcm

pytestmark = pytest.mark.audio

TRAILING_SILENCE_MS = 500
LATENCY_COMMANDS = (
    "play some jazz",
    "what's playing",
    "turn the volume up",
    "play some rock",
    "skip this song",
    "what's playing",
    "turn the volume down",
    "play some jazz",
)
CLIP_S = 0.4  # the start of the answer looked for in the recording


# -- 1. reply latency, stage by stage -----------------------------------------------------------


@pytest.fixture
def station(pulse: PulseServer, tmp_path: Path) -> Iterator[QFZZStation]:
    folder = music.tone_library(tmp_path / "music", {"Jazz": 660.0, "Rock": 990.0}, seconds=20.0)
    config = tmp_path / "config.toml"
    config.write_text(
        "[dj]\ncommentary = 0.0\n"
        f'[voice]\nwake_word = "hey_jarvis"\ntrailing_silence_ms = {TRAILING_SILENCE_MS}\n'
        f'[library]\nmusic_folders = ["{folder}"]\n'
    )
    settings = load_config(config)
    running = QFZZStation(
        StationConfig.from_settings(
            settings, listen="microphone", speak=True, play=True, data_dir=tmp_path / "data"
        )
    )
    running.start()
    try:
        yield running
    finally:
        running.stop()


def stage_times(
    turn: Turn, spoken_end: float, ended: SpeechEnded, final: Transcript, mark: dict[str, Any]
) -> dict[str, float]:
    """The stages of one turn, in ms."""
    assert turn.thought_at is not None and turn.first_audio_at is not None
    final_at = final.at
    stages = {
        "end_pointing": ended.at - spoken_end,
        "recognition_final": final_at - ended.at,
        "dj": turn.thought_at - final_at,
        "first_tts_chunk": mark["first_at"] - turn.thought_at,
        "output": turn.first_audio_at - mark["first_at"],
        "total": turn.first_audio_at - spoken_end,
        "synthesis_only": mark["first_at"] - mark["started_at"],
        "dj_queue_hop": (turn.heard_at or final_at) - final_at,
        "endpointer_audio_time": turn.timings.get("end_of_speech_s", float("nan")),
    }
    row = {name: seconds * 1000 for name, seconds in stages.items()}
    row["ended_early"] = turn.timings.get("ended_early", 0.0)
    return row


def waited_ms(row: dict[str, float]) -> float:
    """The silence this turn's endpointer waited (audio time from the last voiced frame)."""
    waited = row["endpointer_audio_time"]
    return TRAILING_SILENCE_MS if math.isnan(waited) else waited


def latency_figures(rows: list[dict[str, float]]) -> dict[str, float]:
    """Medians of every stage, and the totals the aim is about."""
    figures = {
        f"{stage}_ms_median": median([row[stage] for row in rows])
        for stage in rows[0]
        if stage != "ended_early"
    }
    # each turn's own silence: a whole command ends after the short one, an open one after
    # the trailing one
    after_silence = [row["total"] - waited_ms(row) for row in rows]
    figures["end_pointing_beyond_silence_ms_median"] = median(
        [row["end_pointing"] - waited_ms(row) for row in rows]
    )
    figures["speech_ended_to_first_sample_ms_median"] = median(
        [row["total"] - row["end_pointing"] for row in rows]
    )
    figures["total_after_silence_ms_median"] = median(after_silence)
    figures["total_after_silence_ms_p90"] = percentile(after_silence, 0.9)
    figures["total_after_silence_as_heard_ms_median"] = median(
        [total + row["sink_minus_turn"] for total, row in zip(after_silence, rows, strict=True)]
    )
    # the figure the person lives with: end of their speech -> the DJ audible at the speaker
    # (a whole command ends after the short silence, an open one after the trailing silence)
    heard = [row["total"] + row["sink_minus_turn"] for row in rows]
    figures["heard_reply_ms_median"] = median(heard)
    figures["heard_reply_ms_p90"] = percentile(heard, 0.9)
    figures["ended_early_share"] = sum(row["ended_early"] for row in rows) / len(rows)
    return figures


def test_reply_latency_by_stage(pulse: PulseServer, station: QFZZStation) -> None:
    assert station.listener is not None
    rows: list[dict[str, float]] = []
    correlations: list[float] = []
    missed = 0
    with station_rig(station, pulse, speaking=True) as rig:
        mic, heard, turns = rig.mic, rig.heard, rig.turns
        voice, recorder = rig.voice, rig.recorder
        assert voice is not None and recorder is not None
        for number, command in enumerate(LATENCY_COMMANDS):
            recorded = recorder.mark() // 2
            utterance = mic.say(speech_pcm("hey jarvis") + speech_pcm(command))
            try:
                turn = turns.get(timeout=30)  # comes once the answer has been said
            except queue.Empty:
                missed += 1
                continue
            assert utterance.done.wait(10) and utterance.ended_at is not None
            assert turn.reply is not None and turn.thought_at is not None
            ended, final = heard.for_turn(turn)
            mark = voice.mark_for(turn.reply.text, after=turn.thought_at)
            row = stage_times(turn, utterance.ended_at, ended, final, mark)
            clip = mark["first_pcm"][: int(CLIP_S * SINK_RATE) * 2]
            row["sink_minus_turn"], score = sink_delay(recorder, turn, clip, recorded)
            correlations.append(score)
            shown = ", ".join(f"{stage} {ms:.0f}" for stage, ms in row.items())
            print(f"  turn {number} {command!r}: {shown} (correlation {score:.2f})")
            rows.append(row)
            time.sleep(0.5)
    assert len(rows) >= 5, f"only {len(rows)} turns were heard ({missed} missed)"
    first, rest = rows[0], rows[1:]  # the first answer after start-up, reported on its own
    figures: dict[str, Any] = {
        "turns": len(rest),
        "missed": missed,
        "trailing_silence_ms": TRAILING_SILENCE_MS,
        **latency_figures(rest),
        "first_turn_total_after_silence_ms": first["total"] - waited_ms(first),
        "sink_correlation_min": min(correlations),
        "mic_write_late_max_ms": mic.late_s * 1000,
    }
    record("daemon_latency", figures)
    assert min(correlations) > 0.5, "the answer's first samples were not found in the recording"


# -- 2. memory over an hour of use --------------------------------------------------------------

TYPED = (
    "play some jazz",
    "what's playing",
    "i love this",
    "skip this song",
    "turn it up",
    "play something chill",
    "i'm feeling happy",
    "play some rock",
    "next song",
    "set the volume to forty",
    "i don't like this one",
    "hello",
    "play some blues",
    "pause",
    "resume the music",
    "what should i listen to",
)
SPOKEN = ("play some jazz", "skip this song", "turn the volume up", "what's playing")
TENTHS = 10
TYPED_PER_TENTH = 29
SPOKEN_PER_TENTH = 1
FAST_SPEAKER = "fastspeech"
SPEECH_SPEED = 10.0  # the DJ's answers play ten times faster than real time
IDLE_S = 2.0  # quiet before each memory reading, so that no answer is being made
GENRES = {"Jazz": 330.0, "Rock": 440.0, "Blues": 550.0, "Pop": 660.0, "Classical": 770.0,
          "Electronic": 880.0}  # fmt: skip


def short_library(folder: Path, per_genre: int = 4) -> Path:
    """Tracks of 5 to 10 s in three formats, so the music changes every few seconds."""
    formats = ("flac", "ogg", "mp3")
    for number in range(per_genre):
        for index, (genre, freq) in enumerate(GENRES.items()):
            seed = number * len(GENRES) + index
            path = folder / f"{genre} Artist {number}" / f"{genre} {number}.{formats[seed % 3]}"
            seconds = 5.0 + (seed * 7 % 11) / 2  # 5 to 10 s
            music.write(path, music.signal(seconds, freq=freq + number, noise=0.01, seed=seed))
            music.tag(path, title=f"{genre} Song {number}", artist=f"{genre} Artist {number}",
                      album=f"{genre} Album", genre=genre, bpm="100")  # fmt: skip
    return folder


def wait_for_library(db: Path, tracks: int, timeout: float) -> None:
    """Wait until the library has indexed and measured ``tracks`` files (each is opened for
    that, and those opens are not track starts)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(sqlite3.Error):
            with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as con:
                done = con.execute("SELECT count(*) FROM files WHERE analysis != 0").fetchone()
            if done[0] >= tracks:
                return
        time.sleep(0.2)
    raise AssertionError(f"the library did not index and measure {tracks} tracks in time")


def plays_recorded(db: Path) -> int:
    """Tracks the DJ learnt from (played out or skipped), from its own database."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as con:
        return int(con.execute("SELECT count(*) FROM plays").fetchone()[0])


def test_memory_over_an_hour_of_use(pulse: PulseServer, isolated_env: Path, tmp_path: Path) -> None:
    home = Path(os.environ["HOME"])
    library = short_library(tmp_path / "music")
    config = tmp_path / "config.toml"
    config.write_text(
        f'[audio]\noutput_device = "{FAST_SPEAKER}"\n[library]\nmusic_folders = ["{library}"]\n'
    )
    dj_line = f"{DJSettings().name}: "
    tracks = [p for p in library.rglob("*") if p.is_file()]
    opens = FileOpens(tracks)
    speaker = FastSpeaker(home, FAST_SPEAKER, speed=SPEECH_SPEED).start()
    mic = FifoMicrophone(pulse).start()
    daemon = DaemonProcess(
        ["run", "--config", str(config)], dict(os.environ), tmp_path / "notify.sock", typed=True
    )
    rows: list[dict[str, Any]] = []
    replies = missed = 0
    try:
        daemon.wait_ready(timeout=90)
        wait_for_library(library_db_path(isolated_env), len(tracks), timeout=60)
        time.sleep(1.0)
        began, opened = time.monotonic(), opens.poll()

        def row() -> dict[str, Any]:
            time.sleep(IDLE_S)  # the last answer has been spoken: memory between replies
            return {
                "turns": replies,
                "track_starts": opens.poll() - opened,
                "plays": plays_recorded(dj_db_path(isolated_env)),
                "s": time.monotonic() - began,
                **daemon.memory_kb(),
            }

        rows.append(row())
        for tenth in range(TENTHS):
            for number in range(TYPED_PER_TENTH):
                daemon.type(TYPED[(tenth * TYPED_PER_TENTH + number) % len(TYPED)])
                replies += 1
                daemon.wait_output(dj_line, replies, timeout=30)
                opens.poll()
            for number in range(SPOKEN_PER_TENTH):
                command = SPOKEN[(tenth * SPOKEN_PER_TENTH + number) % len(SPOKEN)]
                mic.say(speech_pcm("hey jarvis") + speech_pcm(command))
                try:
                    daemon.wait_output(dj_line, replies + 1, timeout=20)
                    replies += 1
                except AssertionError:
                    missed += 1
            rows.append(row())
            print(f"  tenth {tenth + 1}: {rows[-1]}")
        worker_mb = sum(proc_memory(pid)["VmRSS"] for pid in children(daemon.pid)) / 1024
    finally:
        code = daemon.stop()
        mic.stop()
        speaker.stop()
        opens.close()
    assert code == 0, daemon.tail()
    rss = [row["VmRSS"] / 1024 for row in rows]
    figures: dict[str, Any] = {
        "turns": rows[-1]["turns"],
        "spoken_turns_missed": missed,
        "track_starts": rows[-1]["track_starts"],
        "plays_recorded": rows[-1]["plays"],
        "run_s": rows[-1]["s"],
        "rss_start_mb": rss[0],
        "rss_after_tenths_mb": " ".join(f"{value:.0f}" for value in rss[1:]),
        "rss_growth_mb": rss[-1] - rss[0],
        "rss_growth_after_warmup_mb": rss[-1] - rss[1],
        "rss_growth_last_half_mb": rss[-1] - rss[TENTHS // 2],
        "rss_anon_growth_mb": (rows[-1]["RssAnon"] - rows[0]["RssAnon"]) / 1024,
        "rss_file_growth_mb": (rows[-1]["RssFile"] - rows[0]["RssFile"]) / 1024,
        "rss_peak_mb": rows[-1]["VmHWM"] / 1024,
        "capture_worker_rss_mb": worker_mb,
        "malloc": " ".join(f"{k}={v}" for k, v in os.environ.items() if "MALLOC" in k)
        or f"the daemon's own: {ARENAS} arenas",
    }
    record("daemon_memory", figures)
    assert rows[-1]["turns"] >= 300 and rows[-1]["track_starts"] >= 100


# -- 3. start-up to READY=1 ---------------------------------------------------------------------

STARTS = 3  # first starts, each followed by a warm start on the same data directory
PHASE_MARKS = (  # (phase, the debug log line that ends it), in the order the station starts
    ("process_to_first_log", "appliance."),
    ("library_dj_player", "edge optimizer"),
    ("piper_voice", "loaded Piper voice"),
    ("speech_output", "speech output open"),
    ("ears", "is on air in"),
)


def start_once(
    env: dict[str, str], config: Path, notify: Path, *options: str
) -> tuple[dict[str, float], DaemonProcess]:
    """Start `appliance run`, wait for READY=1, stop it: (figures, the stopped process)."""
    daemon = DaemonProcess(["run", "--config", str(config)], env, notify, python_options=options)
    try:
        ready = daemon.wait_ready(timeout=90)
        on_air = daemon.wait_log("is on air in", timeout=5).text
        figures = {
            "ready_s": ready,
            "on_air_s": float(on_air.split("is on air in ")[1].split()[0]),
            "rss_mb": daemon.memory_kb()["VmRSS"] / 1024,
        }
    finally:
        stopped = time.monotonic()
        code = daemon.stop()
    assert code == 0, daemon.tail()
    figures["stop_s"] = time.monotonic() - stopped
    return figures, daemon


def phases(daemon: DaemonProcess) -> dict[str, float]:
    """Seconds per start-up phase, from when the debug log lines that end them arrived."""
    out = {}
    previous = daemon.started_at
    for name, text in PHASE_MARKS:
        line = next((line for line in daemon.log if text in line.text), None)
        if line is not None:
            out[name] = line.at - previous
            previous = line.at
    return out


def import_times(daemon: DaemonProcess, top: int = 6) -> dict[str, float]:
    """Milliseconds of the slowest top-level imports (``-X importtime``) and their total."""
    found = {}
    for line in daemon.log:
        if not line.text.startswith("import time:") or "cumulative" in line.text:
            continue
        _, cumulative, name = line.text.split("|")
        if not name.startswith("  "):  # a top-level import, not one inside another
            found[name.strip()] = int(cumulative) / 1000
    slowest = sorted(found.items(), key=lambda item: -item[1])[:top]
    return {"all": sum(found.values()), **dict(slowest)}


def test_start_up_to_ready(pulse: PulseServer, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("")  # every default: the microphone, pocketsphinx, the joe voice
    debug = tmp_path / "debug.toml"
    debug.write_text('[station]\nlog_level = "debug"\n')
    notify = tmp_path / "notify.sock"
    env = dict(os.environ)
    first: list[dict[str, float]] = []
    warm: list[dict[str, float]] = []
    for run in range(STARTS):
        env["APPLIANCE_DATA_DIR"] = str(tmp_path / f"data{run}")
        first.append(start_once(env, config, notify)[0])
        warm.append(start_once(env, config, notify)[0])
    _, logged = start_once(env, debug, notify)
    _, imported = start_once(env, config, notify, "-X", "importtime")
    figures: dict[str, Any] = {"starts": STARTS}
    for label, runs in (("first", first), ("warm", warm)):
        for key in runs[0]:
            figures[f"{label}_{key}_median"] = median([run[key] for run in runs])
    for name, seconds in phases(logged).items():
        figures[f"warm_phase_{name}_s"] = seconds
    for name, ms in import_times(imported).items():
        figures[f"import_{name}_ms"] = ms
    record("daemon_start", figures)
    assert figures["warm_ready_s_median"] < 30 and figures["first_ready_s_median"] < 60
