"""Fixtures for every test: a private data directory and HOME, and the PulseAudio server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from appliance.voice.lm_cache import FOLDER as LANGUAGE_MODELS
from tests.support import music
from tests.support.pulse import PulseServer


@pytest.fixture(scope="session")
def language_models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder for the recogniser's kept language models (appliance/voice/lm_cache.py) in a
    session: each test's data folder links to it, so a grammar's model is worked out once, in
    the tests and in the daemons they start, not at every pocketsphinx start (seconds each)."""
    return tmp_path_factory.mktemp("language-models")


@pytest.fixture(autouse=True)
def isolated_env(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch, language_models: Path
) -> Path:
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
    kept = root / "data" / LANGUAGE_MODELS
    kept.parent.mkdir(parents=True)
    kept.symlink_to(language_models, target_is_directory=True)
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
