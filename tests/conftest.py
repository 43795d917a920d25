"""Fixtures for every test: a private data directory and HOME, and the PulseAudio server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from appliance.dj.understand_weights import FOLDER as UNDERSTANDING
from appliance.voice.lm_cache import FOLDER as LANGUAGE_MODELS
from tests.support import music
from tests.support.pulse import PulseServer


@pytest.fixture(scope="session")
def language_models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder for the recogniser's kept language models (appliance/voice/lm_cache.py) in a
    session: each test's data folder links to it, so a grammar's model is worked out once, in
    the tests and in the daemons they start, not at every pocketsphinx start (seconds each)."""
    return tmp_path_factory.mktemp("language-models")


@pytest.fixture(scope="session")
def kept_caches(
    tmp_path_factory: pytest.TempPathFactory, language_models: Path
) -> dict[Path, Path]:
    """The data folder's caches every test links to one folder of the session: the language
    models, and the understanding's fitted classifier (appliance/dj/understand_weights.py: a few
    seconds of CPU in each station, daemon or command started on a loaded machine)."""
    understanding = tmp_path_factory.mktemp("understanding")
    return {LANGUAGE_MODELS: language_models, UNDERSTANDING: understanding}


def _private_env(root: Path, patch: pytest.MonkeyPatch, kept: dict[Path, Path]) -> Path:
    """HOME and the data directory in ``root``, the data folder's caches linked to ``kept``."""
    home = root / "home"
    home.mkdir()
    patch.setenv("HOME", str(home))
    patch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    patch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    patch.setenv("APPLIANCE_DATA_DIR", str(root / "data"))
    for folder, shared in kept.items():
        link = root / "data" / folder
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(shared, target_is_directory=True)
    patch.delenv("APPLIANCE_CONFIG", raising=False)
    patch.setenv("APPLIANCE_FACES", "off")  # `appliance run` opens no ports unless asked
    patch.delenv("NOTIFY_SOCKET", raising=False)
    patch.delenv("WATCHDOG_USEC", raising=False)
    patch.delenv("JOURNAL_STREAM", raising=False)
    return root / "data"


@pytest.fixture(scope="session", autouse=True)
def session_env(
    tmp_path_factory: pytest.TempPathFactory, kept_caches: dict[Path, Path]
) -> Iterator[Path]:
    """The same for the session's and modules' fixtures, which are made before a test's own
    (they used to keep their language models in the real HOME, and build them again in CI)."""
    with pytest.MonkeyPatch.context() as patch:
        yield _private_env(tmp_path_factory.mktemp("session-env"), patch, kept_caches)


@pytest.fixture(autouse=True)
def isolated_env(
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    kept_caches: dict[Path, Path],
) -> Path:
    """Each test gets its own data directory and HOME; nothing touches the real ones.

    onnxruntime (under Piper) writes into $HOME/.cache, and the appliance keeps its state in the
    data directory, so both point into the test's scratch space.
    """
    return _private_env(tmp_path_factory.mktemp("env"), monkeypatch, kept_caches)


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
