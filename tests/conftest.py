"""Fixtures for every test: a private data directory and HOME, and the PulseAudio server."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support import music
from tests.support.pulse import PulseServer


@pytest.fixture(scope="session", autouse=True)
def language_models_once() -> Iterator[None]:
    """The recogniser's language model of a command grammar is worked out once per grammar in a
    session, not at every pocketsphinx start (seconds each): ``grammar_arpa`` gives the same
    text for the same grammar (tests/voice/test_ngram.py checks it, calling it directly), and
    listening tests often use the same one. Daemons the tests start work it out themselves."""
    from appliance.voice import stt_pocketsphinx

    made: dict[str, str] = {}
    original = stt_pocketsphinx.grammar_arpa

    @functools.wraps(original)
    def once(*args: Any, **kwargs: Any) -> str:
        key = hashlib.sha256(repr((args, sorted(kwargs.items()))).encode()).hexdigest()
        if key not in made:
            made[key] = original(*args, **kwargs)
        return made[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(stt_pocketsphinx, "grammar_arpa", once)
        yield


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test gets its own data directory and HOME; nothing touches the real ones.

    onnxruntime (under Piper) writes into $HOME/.cache, and the appliance keeps its state in the
    data directory, so both point into the test's scratch space.
    """
    root = tmp_path_factory.mktemp("env")
    home = root / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("APPLIANCE_DATA_DIR", str(root / "data"))
    monkeypatch.delenv("APPLIANCE_CONFIG", raising=False)
    monkeypatch.setenv("APPLIANCE_FACES", "off")  # `appliance run` opens no ports unless asked
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    monkeypatch.delenv("WATCHDOG_USEC", raising=False)
    monkeypatch.delenv("JOURNAL_STREAM", raising=False)
    return root / "data"


@pytest.fixture
def pulse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[PulseServer]:
    """A private PulseAudio server (null sink ``vsink``, FIFO microphone ``vmic``).

    Its environment is exported for the test, so mpv (ao=pulse) and sounddevice (ALSA's pulse
    plugin) in this process and in child processes reach it.
    """
    if not PulseServer.available():
        pytest.fail("pulseaudio is not installed: run `make test`, which installs it")
    server = PulseServer(tmp_path / "pulse").start()
    for key, value in server.env.items():
        monkeypatch.setenv(key, value)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def tone_music(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A music folder where jazz is a 660 Hz tone and rock a 990 Hz one (``music.TONES``),
    three 40 s tracks each: a recording of the speaker tells which plays."""
    return music.tone_library(tmp_path_factory.mktemp("tone-music"), music.TONES)
