"""A tiny arranger for the demo library: chords, a bass line and drums at a given tempo.

Everything is numpy and fast: oscillators read one-cycle wave tables instead of summing sines,
drum hits are synthesised once per track and mixed in where a pattern says, and each chord's bar
is rendered once and reused wherever the chord comes back. Styles are data: 16-step patterns for
each drum, a bass line over the chord, a way of playing the chords, swing, and a loudness.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

RATE = 22050
STEPS = 16  # sixteenth notes in a 4/4 bar
_TABLE_SIZE = 4096

CHORD_SHAPES: dict[str, tuple[int, ...]] = {
    "maj": (0, 4, 7),
    "min": (0, 3, 7),
    "maj7": (0, 4, 7, 11),
    "min7": (0, 3, 7, 10),
    "7": (0, 4, 7, 10),
    "add9": (0, 4, 7, 14),
    "sus2": (0, 2, 7),
    "5": (0, 7, 12),
}


@dataclass(frozen=True)
class Style:
    """How a genre plays: drum patterns ('x' hit, 'o' soft, '.' rest), a bass pattern ('r' root,
    'f' fifth, 't' third, 'o' octave, '-' hold), how chords are played and how loud it is mixed."""

    progression: tuple[tuple[int, str], ...]  # (semitones above the key, chord shape)
    chords: str  # pad, stabs, keys, comp, skank, power, arp
    chord_steps: str = "x..............."
    kick: str = ""
    snare: str = ""
    clap: str = ""
    hat: str = ""
    open_hat: str = ""
    bass: str = ""
    swing: float = 0.0  # how late the off-sixteenths come, as a share of a step
    bars_per_chord: int = 1
    loudness_db: float = -14.0  # RMS of the finished track
    bright: bool = True  # False: a warm low-pass over the mix (lo-fi, ambient)
    bells: bool = False  # sparse chimes over the chords (for styles without drums)
    crackle: bool = False  # a little vinyl dust


def midi_hz(note: float) -> float:
    return 440.0 * 2 ** ((note - 69) / 12)


def _table(*harmonics: float) -> np.ndarray:
    phase = np.arange(_TABLE_SIZE) * 2 * np.pi / _TABLE_SIZE
    wave = sum(level * np.sin((k + 1) * phase) for k, level in enumerate(harmonics))
    return (wave / np.abs(wave).max()).astype(np.float32)


_TABLES = {
    "pad": _table(1, 0.45, 0.25, 0.12, 0.06),
    "keys": _table(1, 0.35, 0.12, 0.06, 0.03),
    "bass": _table(1, 0.3, 0.08),
    "saw": _table(*(1 / k for k in range(1, 14))),
    "sine": _table(1),
}


def _envelope(size: int, attack: float, release: float, decay: float | None) -> np.ndarray:
    t = np.arange(size, dtype=np.float32) / RATE
    env = np.minimum(1.0, t / max(attack, 1e-3))
    if decay:
        env *= np.exp(-t / decay)
    tail = int(release * RATE)
    if tail and size > tail:
        env[-tail:] *= np.linspace(1.0, 0.0, tail, dtype=np.float32)
    return env


def tone(
    note: float,
    seconds: float,
    table: str = "sine",
    attack: float = 0.005,
    release: float = 0.05,
    decay: float | None = None,
    detune: float = 0.0,
) -> np.ndarray:
    """One note from a wave table; ``detune`` (in semitones) adds a second, chorused voice."""
    size = max(1, int(seconds * RATE))
    waves = _TABLES[table]
    voices = (note,) if not detune else (note - detune, note + detune)
    out = np.zeros(size, dtype=np.float32)
    steps = np.arange(size, dtype=np.float64)
    for voice in voices:
        index = (steps * (midi_hz(voice) * _TABLE_SIZE / RATE)).astype(np.int64) % _TABLE_SIZE
        out += waves[index]
    return out * _envelope(size, attack, release, decay) / len(voices)


def _noise(rng: np.random.Generator, seconds: float, brightness: int) -> np.ndarray:
    noise = rng.standard_normal(int(seconds * RATE)).astype(np.float32)
    for _ in range(brightness):  # each difference tilts the noise towards the highs
        noise = np.diff(noise, prepend=0.0).astype(np.float32)
    return noise / (np.abs(noise).max() + 1e-9)


def drum_kit(rng: np.random.Generator) -> dict[str, np.ndarray]:
    """One set of synthesised drum hits."""
    t = np.arange(int(0.4 * RATE), dtype=np.float32) / RATE
    pitch = 46 + 90 * np.exp(-t / 0.03)
    kick = np.sin(2 * np.pi * np.cumsum(pitch) / RATE) * np.exp(-t / 0.15)
    t_snare = t[: int(0.25 * RATE)]
    snare = 0.7 * _noise(rng, 0.25, 1) * np.exp(-t_snare / 0.06) + 0.5 * np.sin(
        2 * np.pi * 185 * t_snare
    ) * np.exp(-t_snare / 0.04)
    clap = np.zeros(int(0.3 * RATE), dtype=np.float32)
    burst = _noise(rng, 0.3, 1)
    for delay in (0.0, 0.011, 0.023):
        start = int(delay * RATE)
        decay = (0.012 if delay < 0.02 else 0.09) * RATE
        shape = np.exp(-np.arange(clap.size - start) / decay)
        clap[start:] += burst[: clap.size - start] * shape
    t_hat = np.arange(int(0.3 * RATE), dtype=np.float32) / RATE
    hat_noise = _noise(rng, 0.3, 2)
    return {
        "kick": kick.astype(np.float32),
        "snare": snare.astype(np.float32),
        "clap": (0.6 * clap / np.abs(clap).max()).astype(np.float32),
        "hat": (0.35 * hat_noise * np.exp(-t_hat / 0.018)).astype(np.float32),
        "open_hat": (0.3 * hat_noise * np.exp(-t_hat / 0.09)).astype(np.float32),
    }


def _add(out: np.ndarray, sound: np.ndarray, at: int, gain: float = 1.0) -> None:
    if 0 <= at < out.size:
        end = min(out.size, at + sound.size)
        out[at:end] += gain * sound[: end - at]


def _step_time(step: int, step_seconds: float, swing: float) -> float:
    return (step + (swing if step % 2 else 0.0)) * step_seconds


def _hits(pattern: str) -> list[tuple[int, float]]:
    marks = enumerate(pattern)
    return [(step, 1.0 if mark == "x" else 0.55) for step, mark in marks if mark in "xo"]


def drum_bar(
    style: Style, kit: dict[str, np.ndarray], bar_seconds: float, fill: bool
) -> np.ndarray:
    """One bar of drums (with the last hits' tails); ``fill`` adds snare hits at the end."""
    out = np.zeros(int((bar_seconds + 0.5) * RATE), dtype=np.float32)
    step = bar_seconds / STEPS
    for name in ("kick", "snare", "clap", "hat", "open_hat"):
        pattern = getattr(style, name)
        if fill and name == "snare" and pattern:
            pattern = pattern[:12] + "xoxx"
        for index, gain in _hits(pattern):
            _add(out, kit[name], int(_step_time(index, step, style.swing) * RATE), gain)
    return out


def _voicing(key: int, degree: int, shape: str, low: int = 52, high: int = 72) -> list[int]:
    notes = []
    for interval in CHORD_SHAPES[shape]:
        note = key + degree + interval
        while note > high:
            note -= 12
        while note < low:
            note += 12
        notes.append(note)
    return sorted(set(notes))


def chord_bar(style: Style, key: int, chord: tuple[int, str], bar_seconds: float) -> np.ndarray:
    """One bar of the chord, played the style's way."""
    degree, shape = chord
    notes = _voicing(key, degree, shape)
    kind = style.chords
    span = bar_seconds * (style.bars_per_chord if kind == "pad" else 1)
    out = np.zeros(int((span + 1.5) * RATE), dtype=np.float32)
    step = bar_seconds / STEPS
    if kind == "pad":  # one sustained chord for as long as the chord lasts
        length = span + 0.6
        for note in notes:
            _add(out, tone(note, length, "pad", attack=0.25, release=0.6, detune=0.07), 0)
        return out / len(notes)
    if kind == "arp":
        cycle = [*notes, notes[0] + 12]
        for index in range(STEPS):
            sound = tone(cycle[index % len(cycle)] + 12, step * 1.8, "saw", decay=0.12)
            _add(out, sound, int(index * step * RATE), 0.5)
        for note in notes:
            _add(out, tone(note, bar_seconds + 0.4, "pad", attack=0.3, release=0.4), 0, 0.5)
        return out / len(notes)
    settings = {
        "stabs": ("saw", 0.16, 0.08, 12),
        "keys": ("keys", bar_seconds * 0.9, 0.9, 0),
        "comp": ("keys", 0.35, 0.25, 0),
        "skank": ("keys", 0.12, 0.06, 12),
        "power": ("saw", step * 2, None, -12),
    }
    table, length, decay, shift = settings[kind]
    for index, gain in _hits(style.chord_steps):
        at = int(_step_time(index, step, style.swing) * RATE)
        for note in notes:
            _add(out, tone(note + shift, length, table, decay=decay, release=0.04), at, gain)
    if kind == "power":
        out = np.tanh(2.5 * out / len(notes)).astype(np.float32) * 0.8 * len(notes)
    return out / len(notes)


def bass_bar(style: Style, key: int, chord: tuple[int, str], bar_seconds: float) -> np.ndarray:
    """One bar of the bass line over the chord."""
    degree, shape = chord
    root = key + degree - 24
    while root > 47:
        root -= 12
    while root < 33:
        root += 12
    third = 3 if CHORD_SHAPES[shape][1] == 3 else 4
    offsets = {"r": 0, "f": 7, "t": third, "o": 12}
    out = np.zeros(int((bar_seconds + 0.5) * RATE), dtype=np.float32)
    step = bar_seconds / STEPS
    pattern = style.bass
    for index, mark in enumerate(pattern):
        if mark not in offsets:
            continue
        held = 1
        while index + held < len(pattern) and pattern[index + held] == "-":
            held += 1
        seconds = held * step * 0.92
        sound = tone(root + offsets[mark], seconds, "bass", attack=0.004, release=0.03)
        _add(out, sound, int(_step_time(index, step, style.swing) * RATE))
    return out


def _warm(audio: np.ndarray) -> np.ndarray:
    """A gentle low-pass (a short triangular filter): takes the edge off the highs."""
    kernel = np.array([1, 2, 3, 4, 3, 2, 1], dtype=np.float32) / 16
    return np.convolve(audio, kernel, mode="same").astype(np.float32)


def render(style: Style, bpm: float, key: int, seconds: float, seed: int) -> np.ndarray:
    """A finished mono track: intro, groove with a fill every fourth bar, fade out."""
    rng = np.random.default_rng(seed)
    bar_seconds = 240.0 / bpm
    bars = max(4, round(seconds / bar_seconds))
    total = int(bars * bar_seconds * RATE)
    drums = np.zeros(total + RATE, dtype=np.float32)
    bass = np.zeros_like(drums)
    chords = np.zeros_like(drums)
    kit = drum_kit(rng)
    has_drums = any((style.kick, style.snare, style.hat, style.clap))
    groove = fill = intro = None
    if has_drums:
        groove = drum_bar(style, kit, bar_seconds, fill=False)
        fill = drum_bar(style, kit, bar_seconds, fill=True)
        intro = drum_bar(Style((), "pad", hat=style.hat), kit, bar_seconds, fill=False)
    chord_cache: dict[int, np.ndarray] = {}
    bass_cache: dict[int, np.ndarray] = {}
    for bar in range(bars):
        at = int(bar * bar_seconds * RATE)
        which = (bar // style.bars_per_chord) % len(style.progression)
        chord = style.progression[which]
        if which not in chord_cache:
            chord_cache[which] = chord_bar(style, key, chord, bar_seconds)
            bass_cache[which] = bass_bar(style, key, chord, bar_seconds)
        if style.chords != "pad" or bar % style.bars_per_chord == 0:
            _add(chords, chord_cache[which], at)
        if bar >= 1:
            _add(bass, bass_cache[which], at)
        if groove is not None and fill is not None and intro is not None:
            part = intro if bar < 2 else fill if bar % 4 == 3 else groove
            _add(drums, part, at)
    mix = 0.55 * drums + 0.5 * bass + 0.42 * chords
    if style.bells:
        scale = (0, 2, 4, 7, 9, 12, 14, 16)
        for start in np.arange(bar_seconds, bars * bar_seconds - 2, bar_seconds / 2):
            if rng.random() < 0.55:
                note = key + 12 + scale[rng.integers(len(scale))]
                _add(mix, tone(note, 2.5, "keys", decay=0.9, release=0.3), int(start * RATE), 0.18)
    if style.crackle:
        dust = np.zeros_like(mix)
        spots = rng.integers(0, mix.size, size=int(mix.size / RATE * 12))
        dust[spots] = rng.uniform(-0.15, 0.15, spots.size)
        mix += dust
    if not style.bright:
        mix = _warm(mix)
    mix -= mix.mean()
    rms = float(np.sqrt(np.mean(np.square(mix[:total])))) or 1.0
    mix *= 10 ** (style.loudness_db / 20) / rms
    mix = np.tanh(1.1 * mix) / 1.1
    fade_in = int(0.02 * RATE)
    mix[:fade_in] *= np.linspace(0, 1, fade_in, dtype=np.float32)
    fade_out = int(min(2.5, bar_seconds * 1.5) * RATE)
    mix[total - fade_out : total] *= np.linspace(1, 0, fade_out, dtype=np.float32) ** 1.5
    return np.clip(mix[:total], -0.99, 0.99).astype(np.float32)
