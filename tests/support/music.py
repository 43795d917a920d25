"""Real music files for tests: tones, noise and click tracks at known tempos, tagged with mutagen.

Audio is synthesised with numpy, written as WAV, and encoded by ffmpeg into the other formats the
appliance reads (MP3, FLAC, Ogg Vorbis, Opus, M4A/AAC), so every test file is a real, decodable
file of that format.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import mutagen
import numpy as np
import soundfile
from mutagen import id3
from mutagen.wave import WAVE

RATE = 44100
TONES = {"Jazz": 660.0, "Rock": 990.0}  # the tone library's genres and their frequencies
FORMATS = ("mp3", "flac", "ogg", "opus", "m4a", "wav")

_ENCODERS = {
    "mp3": ["-c:a", "libmp3lame", "-b:a", "96k"],
    "flac": ["-c:a", "flac"],
    "ogg": ["-c:a", "libvorbis", "-q:a", "2"],
    "opus": ["-c:a", "libopus", "-b:a", "48k"],
    "m4a": ["-c:a", "aac", "-b:a", "96k"],
}

_ID3_FRAMES = {
    "title": "TIT2", "artist": "TPE1", "album": "TALB", "albumartist": "TPE2",
    "genre": "TCON", "date": "TDRC", "tracknumber": "TRCK", "bpm": "TBPM",
}  # fmt: skip


def signal(
    seconds: float = 2.0,
    bpm: float | None = None,
    freq: float = 440.0,
    noise: float = 0.0,
    level: float = 0.3,
    rate: int = RATE,
    seed: int = 0,
) -> np.ndarray:
    """Mono float samples: a sine at ``freq``, plus noise, plus a click on every beat at ``bpm``."""
    t = np.arange(int(seconds * rate)) / rate
    audio = level * np.sin(2 * np.pi * freq * t)
    if noise:
        audio += noise * np.random.default_rng(seed).standard_normal(t.size)
    if bpm:
        audio *= 0.3
        click_len = int(0.03 * rate)
        envelope = np.exp(-np.arange(click_len) / (0.004 * rate))
        burst = np.sin(2 * np.pi * 1800 * np.arange(click_len) / rate) * envelope
        for start in np.arange(0, seconds, 60.0 / bpm):
            index = int(start * rate)
            end = min(index + click_len, t.size)
            audio[index:end] += 0.9 * burst[: end - index]
    return np.clip(audio, -1.0, 1.0).astype(np.float32)


def write(path: Path, audio: np.ndarray, rate: int = RATE) -> Path:
    """Write samples to ``path`` in the format its suffix names."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fmt = path.suffix.lstrip(".").lower()
    if fmt == "wav":
        soundfile.write(path, audio, rate, subtype="PCM_16")
        return path
    wav = path.with_suffix(".src.wav")
    soundfile.write(wav, audio, rate, subtype="PCM_16")
    try:
        subprocess.run(
            ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", str(wav),
             *_ENCODERS[fmt], str(path)],
            check=True,
        )  # fmt: skip
    finally:
        wav.unlink()
    return path


def tag(path: Path, **tags: str | int | list[str]) -> Path:
    """Set tags by their easy names: title, artist, album, albumartist, genre, date, tracknumber,
    bpm. WAV files get an ID3 chunk."""
    values = {
        k: [str(v) for v in value] if isinstance(value, list) else [str(value)]
        for k, value in tags.items()
    }
    if path.suffix.lower() == ".wav":
        wave = WAVE(path)
        if wave.tags is None:
            wave.add_tags()
        frames = wave.tags
        assert frames is not None  # add_tags made them
        for key, value in values.items():
            frames.add(getattr(id3, _ID3_FRAMES[key])(encoding=3, text=value))
        wave.save()
        return path
    audio = mutagen.File(path, easy=True)
    if audio is None:
        raise ValueError(f"mutagen cannot open {path}")
    if audio.tags is None:
        audio.add_tags()
    for key, value in values.items():
        audio[key] = value
    audio.save()
    return path


def make_track(
    path: Path,
    seconds: float = 2.0,
    bpm: float | None = None,
    freq: float = 440.0,
    noise: float = 0.0,
    level: float = 0.3,
    **tags: str | int | list[str],
) -> Path:
    """Synthesise, encode and tag one track."""
    write(path, signal(seconds, bpm=bpm, freq=freq, noise=noise, level=level))
    return tag(path, **tags) if tags else path


def tone_library(
    folder: Path,
    genres: dict[str, float],
    per_genre: int = 3,
    seconds: float = 40.0,
) -> Path:
    """A library where each genre is a pure tone of its own frequency (``{"Jazz": 660.0}``), so
    a recording of the speaker tells which genre plays. Tracks differ in their faint noise (the
    library knows a track by its content), artists differ per track; a tempo tag spares the
    analysis."""
    for number in range(per_genre):
        for index, (genre, freq) in enumerate(genres.items()):
            path = folder / f"{genre} Artist {number}" / f"{genre} {number}.flac"
            noise_seed = number * len(genres) + index  # different noise: a different track
            write(path, signal(seconds, freq=freq, noise=0.002, level=0.5, seed=noise_seed))
            tag(
                path,
                title=f"{genre} Song {number}",
                artist=f"{genre} Artist {number}",
                album=f"{genre} Album {number}",
                genre=genre,
                bpm="100",
            )
    return folder
