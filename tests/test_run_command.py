"""`appliance run --text`, `appliance run --input FILE.wav` and `appliance chat`, as processes."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import types
from pathlib import Path

import numpy as np
import pytest
import soundfile

from tests.support import music
from tests.support.appliance import Daemon, analyse, first, run_appliance, where
from tests.support.pulse import PulseServer
from tests.support.speech import RATE, speech_pcm
from tests.support.waiting import wait_until

TONES = {genre.lower(): hz for genre, hz in music.TONES.items()}


@pytest.fixture
def config(tone_music: Path, tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        '[station]\nlog_level = "info"\n[dj]\ncommentary = 0.0\n'
        '[models]\nstt = "pocketsphinx-en-us"\n'  # the text these tests expect is its
        f'[library]\nmusic_folders = ["{tone_music}"]\n'
    )
    return path


def test_run_text_answers_typed_requests(config: Path) -> None:
    done = run_appliance(
        "run",
        "--text",
        "--silent",
        "--config",
        str(config),
        input="play some jazz\nwhat's playing\nthis is alex\n",
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    replies = [line for line in done.stdout.splitlines() if line.startswith("DJ Quantum: ")]
    assert len(replies) == 3, done.stdout
    # the DJ's words vary; the track it names does not
    played = re.findall(r"'(Jazz Song \d+)'", replies[0])
    assert played and re.findall(r"'(Jazz Song \d+)'", replies[1]) == played[:1], replies
    assert "Alex" in replies[2]


@pytest.mark.audio
def test_chat_plays_the_music_for_real(pulse: PulseServer, config: Path) -> None:
    recorder = pulse.recorder()
    chat = subprocess.Popen(
        [sys.executable, "-m", "appliance", "chat", "--config", str(config)],
        env={**os.environ, **pulse.env},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert chat.stdin is not None and chat.stdout is not None
    try:
        mark = recorder.mark()
        chat.stdin.write("play some rock\n")
        chat.stdin.flush()
        reply = chat.stdout.readline()
        assert reply.startswith("DJ Quantum: Here's 'Rock Song"), reply
        deadline = time.monotonic() + 20
        heard: list[int] = []
        while not heard and time.monotonic() < deadline:
            time.sleep(0.5)
            part = analyse(recorder.audio()[mark:], TONES)
            heard = where(part, -60.0, rock_share=0.9)
        assert heard, "no rock came out of the speaker"
        chat.stdin.close()
        assert chat.wait(timeout=20) == 0
    finally:
        recorder.stop()
        if chat.poll() is None:
            chat.kill()
            chat.wait()


def logged(daemon: Daemon, pattern: str) -> bool:
    """Whether a line of the daemon's log matches ``pattern`` (a regular expression, any case),
    once the log has been read to its end."""

    def found() -> bool:
        return any(re.search(pattern, line, re.IGNORECASE) for line in daemon.lines)

    with contextlib.suppress(AssertionError):
        wait_until(found, timeout=5)
    return found()


def request_wav(path: Path, text: str, engine: str = "piper") -> Path:
    """A sound file saying ``text`` (then a second of silence), as `run --input` takes it."""
    samples = np.frombuffer(speech_pcm(text, engine=engine), dtype="<i2")
    soundfile.write(path, np.concatenate([samples, np.zeros(RATE, dtype="<i2")]), RATE)
    return path


@pytest.fixture(scope="module")
def bossa_and_rock(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One short track each of bossa nova (a 550 Hz tone) and rock (990 Hz), for the spoken
    runs: the same library and config give them the same language model, worked out once.
    (Not jazz: asked for jazz, the DJ may well pick the bossa nova.)"""
    return music.tone_library(
        tmp_path_factory.mktemp("bossa-and-rock"), {"Bossa Nova": 550.0, "Rock": 990.0}, 1, 5
    )


def speech_config(folder: Path, tmp_path: Path) -> Path:
    """The spoken runs' config: pocketsphinx (the text these tests expect is its), "okay nabu"."""
    config = tmp_path / "config.toml"
    config.write_text(
        '[station]\nlog_level = "info"\n[dj]\ncommentary = 0.0\n'
        '[models]\nstt = "pocketsphinx-en-us"\n'
        f'[voice]\nwake_word = "okay_nabu"\n[library]\nmusic_folders = ["{folder}"]\n'
    )
    return config


@pytest.mark.audio
def test_run_takes_speech_from_a_file(
    pulse: PulseServer, bossa_and_rock: Path, tmp_path: Path
) -> None:
    """`run --input FILE.wav` hears the file, answers aloud, plays, then stops by itself (the
    silent run, --silent, is the wake-word test's below)."""
    config = speech_config(bossa_and_rock, tmp_path)
    wav = request_wav(tmp_path / "request.wav", "play some rock")
    recorder = pulse.recorder()
    mark = recorder.mark()
    daemon = Daemon(config, {**os.environ, **pulse.env}, "--input", str(wav))
    try:
        daemon.wait_ready(timeout=90)
        code = daemon.proc.wait(timeout=60)  # it stops by itself once the file is answered
        assert code == 0, daemon.log()
        assert logged(daemon, r"heard 'play some rock\.?'"), daemon.log()
        assert logged(daemon, "QFZZ is off air"), daemon.log()  # the log, read to its end
        assert_answered_then_stopped(daemon.lines)
        reply = next(line for line in daemon.lines if re.search(r"guest: '.+' -> ", line))
        assert re.search(r"guest: 'play some rock\.?' -> Here's 'Rock Song", reply, re.I), reply
        deadline = time.monotonic() + 20
        while True:  # mostly there at once; the recorder's last buffers may still be on the way
            part = analyse(recorder.audio()[mark:], TONES)
            floor = float(np.median([f["level"] for f in part[:5]]))
            rock = where(part, floor, rock_share=0.9)
            if rock or time.monotonic() > deadline:
                break
            time.sleep(0.5)  # each look analyses the whole recording again
        spoken = where(part, floor, voice_share=0.1)
        assert spoken and rock and first(spoken) < first(rock), "the answer, then the rock"
    finally:
        recorder.stop()
        daemon.terminate()


def assert_answered_then_stopped(lines: list[str]) -> int:
    """A `run --input` log, whole: it answered, then stopped for the file's end, without a
    traceback. Returns the answer's index."""
    log = "\n".join(lines)
    assert "Traceback" not in log, log
    replies = [i for i, line in enumerate(lines) if re.search(r"guest: '.+' -> ", line)]
    assert replies, "no answer:\n" + log
    stopping = [i for i, line in enumerate(lines) if "the sound file has been heard" in line]
    assert stopping and replies[0] < stopping[0], "answered first, then stopped:\n" + log
    return replies[0]


def run_input(config: Path, wav: Path) -> tuple[list[str], int]:
    """`appliance run --silent --input WAV` to its end: its log lines and the reply's index."""
    done = run_appliance(  # it used to run until killed: the timeout fails the test instead
        "run", "--silent", "--input", str(wav), "--config", str(config), timeout=120
    )
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    return lines, assert_answered_then_stopped(lines)


@pytest.mark.audio
def test_sighup_stops_the_daemon_cleanly(
    pulse: PulseServer, tone_music: Path, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[station]\nlog_level = "info"\n[dj]\ncommentary = 0.0\n'
        f'[library]\nmusic_folders = ["{tone_music}"]\n[[users]]\nid = "alex"\nname = "Alex"\n'
    )
    # typed requests from a pipe left open: the same signal handling and stop as a daemon
    # listening to a microphone, without loading the speech engines the test does not use
    daemon = Daemon(config, {**os.environ, **pulse.env}, "--text", stdin=subprocess.PIPE)
    try:
        daemon.wait_ready(timeout=90)
        daemon.proc.send_signal(signal.SIGHUP)  # what closing the SSH session of `make run` does
        code = daemon.proc.wait(timeout=15)
    finally:
        daemon.terminate()
        if daemon.proc.stdin is not None:
            daemon.proc.stdin.close()
    assert code == 0, daemon.log()  # it used to die of the signal at once (-1)
    assert logged(
        daemon,
        re.escape(
            "stopping (SIGHUP: the terminal that started it closed; a clean stop, as for "
            "SIGTERM); the music fades out"
        ),
    ), daemon.log()
    assert not any("Traceback" in line for line in daemon.lines), daemon.log()
    assert logged(daemon, "QFZZ is off air"), daemon.log()  # station.stop ran to its end
    db = sqlite3.connect(Path(os.environ["APPLIANCE_DATA_DIR"]) / "dj.db")
    try:
        assert db.execute("PRAGMA quick_check").fetchone() == ("ok",)
        assert db.execute("SELECT name FROM users WHERE user_id = 'alex'").fetchone() == ("Alex",)
    finally:
        db.close()


def test_run_says_what_the_config_warns_of(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from appliance import daemon
    from appliance.cli import main

    started: list[object] = []
    monkeypatch.setattr(daemon, "run", lambda config, user=None: started.append(config) or 0)
    (tmp_path / "music").mkdir()
    path = tmp_path / "config.toml"
    path.write_text(f'[library]\nmusic_folders = ["{tmp_path}/music", "/media/usb-stick"]\n')
    assert main(["run", "--text", "--silent", "--config", str(path)]) == 0
    assert len(started) == 1  # the station would have started, warned of first
    said = [line for line in capsys.readouterr().err.splitlines() if "appliance.config" in line]
    assert [line.split("appliance.config: ")[1] for line in said] == [
        f"{path}:2: library.music_folders: '/media/usb-stick' does not exist (yet?): the "
        "appliance plays what the other folders (or the demo library) hold until it does "
        "(valid: a folder that exists once the appliance runs)"
    ]


def test_run_refuses_an_invalid_config(tmp_path: Path) -> None:
    bad = tmp_path / "config.toml"
    bad.write_text("[audio]\nvolume = 170\nvolum = 3\n")
    done = run_appliance("run", "--text", "--config", str(bad), input="")
    assert done.returncode == 2
    assert f"{bad}:2" in done.stderr and "volume" in done.stderr
    assert f"{bad}:3" in done.stderr and "did you mean" in done.stderr


def test_a_signal_while_the_file_is_answered_is_obeyed_at_once() -> None:
    from appliance import daemon
    from appliance.dialogue import Dialogue, Turn
    from appliance.dj import PersonalizedDJ

    speaking = threading.Event()

    def say(text: str, cancel: threading.Event, on_start: object) -> bool:
        speaking.set()
        return not cancel.wait(30)  # a long answer, cut only by a barge-in or a stop

    turns: list[Turn] = []
    dj = PersonalizedDJ(db_path=None)
    dialogue = Dialogue(dj, "guest", say=say, on_turn=turns.append)
    dialogue.start()
    try:
        dialogue.submit("what can you do")
        assert speaking.wait(30)
        station = types.SimpleNamespace(dialogue=dialogue, player=None, dj=None)
        stop = threading.Event()
        threading.Timer(0.3, stop.set).start()  # SIGTERM while the answer is being said
        started = time.monotonic()
        daemon._finish_answering(station, stop)  # it used to wait for the answer, up to 120 s
        assert time.monotonic() - started < 1.0
        dialogue.barge_in()
        assert dialogue.drain(10)  # the queue runs dry: every turn before the barrier is done
        assert [turn.text for turn in turns] == ["what can you do"]  # no empty turn for anyone
    finally:
        dialogue.stop()
        dj.close()


def test_run_input_hears_the_command_after_the_files_wake_word(
    bossa_and_rock: Path, tmp_path: Path
) -> None:
    """A recording that opens with the wake word ("okay nabu", a pause, "play some bossa
    nova"): the command after it is heard and played, not the wake word's own words."""
    config = speech_config(bossa_and_rock, tmp_path)
    wake, command = (
        np.frombuffer(speech_pcm(text), dtype="<i2")
        for text in ("okay nabu", "play some bossa nova")
    )
    pause, tail = np.zeros(RATE // 2, dtype="<i2"), np.zeros(RATE, dtype="<i2")
    wav = tmp_path / "wake.wav"
    soundfile.write(wav, np.concatenate([wake, pause, command, tail]), RATE)
    lines, reply = run_input(config, wav)
    text = "\n".join(lines)
    assert "wake: okay_nabu" in text, text
    assert re.search(r"heard 'play some bossa nova\.?'", text, re.I), text
    assert re.search(r"-> Here's 'Bossa Nova Song", lines[reply]), text
    assert re.search(r"on air: 'Bossa Nova Song \d+'", text), text
