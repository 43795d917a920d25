"""Test speech is the same bytes every time: a cached rendering must be the one a fresh run makes.

espeak-ng's breath noise (variants such as ``+f5``) draws from the C library's random numbers,
which its PulseAudio client also draws from when a HOME has no pulse folder yet (each test's
HOME); sox dithers its 16-bit output with a random seed. Either made a render depend on the run.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.support import speech, voices


def _fresh_render(text: str, name: str, home: Path, scratch: Path, mp: pytest.MonkeyPatch) -> bytes:
    """``text`` rendered by a new espeak-ng and sox, with no cache, in ``home``, with no audio
    server or runtime folder in the environment (as in a test without the pulse fixture)."""
    home.mkdir(exist_ok=True)
    mp.setenv("HOME", str(home))
    for name_ in ("XDG_RUNTIME_DIR", "PULSE_SERVER", "PULSE_RUNTIME_PATH"):
        mp.delenv(name_, raising=False)
    scratch.mkdir()
    mp.setattr(voices, "CACHE", scratch / "voices")
    mp.setattr(speech, "_cache_dir", scratch)
    return voices.render(text, voices.by_name(name)[0])


@pytest.mark.parametrize(
    ("name", "text"),
    [("us_f5_slow", "hey jarvis"), ("rp_m1_room", "no i said jazz")],
    ids=["espeak-variant", "sox-reverb"],
)
def test_a_voice_renders_the_same_bytes_in_every_run(
    name: str, text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rendered three times afresh: in a new HOME, another new HOME, and the first one again."""
    takes = [
        _fresh_render(text, name, tmp_path / home, tmp_path / f"take{i}", monkeypatch)
        for i, home in enumerate(("home-a", "home-b", "home-a"))
    ]
    digests = [hashlib.sha256(take).hexdigest()[:12] for take in takes]
    assert len(set(digests)) == 1, f"{name} said {text!r} differently: {digests}"
