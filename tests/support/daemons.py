"""The daemon the end-to-end tests speak to: one config, the recogniser chosen by the test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.appliance import Daemon
from tests.support.pulse import PulseServer


@contextmanager
def tone_daemon(
    pulse: PulseServer, tone_music: Path, config_dir: Path, stt: str, audio: str = ""
) -> Iterator[Daemon]:
    """`appliance run` on ``pulse`` with the tone library, the hey_jarvis wake word, no
    commentary and the ``stt`` model; ``audio``: more lines for its [audio] table. Killed at the
    end if the test left it running."""
    config = config_dir / "config.toml"
    config.write_text(
        '[station]\nlog_level = "info"\n'
        "[dj]\ncommentary = 0.0\n"
        '[voice]\nwake_word = "hey_jarvis"\ntrailing_silence_ms = 500\n'
        f'[models]\nstt = "{stt}"\n'
        f"[audio]\nvolume = 80\n{audio}"
        f'[library]\nmusic_folders = ["{tone_music}"]\n'
    )
    running = Daemon(config, {**os.environ, **pulse.env})
    try:
        yield running
    finally:
        if running.proc.poll() is None:
            running.proc.kill()
            running.proc.wait()
