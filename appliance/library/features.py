"""Tempo and energy measured from the audio, for tracks whose tags do not say.

Decoding uses soundfile (libsndfile: WAV, FLAC, Ogg Vorbis, Opus, MP3) and falls back to ffmpeg,
when installed, for what libsndfile cannot read (M4A/AAC). Only a window from the middle of a
track is measured: enough beats for the tempo, representative for loudness, and cheap on a Pi.

Tempo: an onset envelope (spectral flux, the low band that carries kick and bass counting more)
is autocorrelated; each candidate tempo is scored by the correlation at multiples of its beat
period, weighed by a broad preference for tempos near 120 BPM; a tempo two or three times faster
that fits just as well wins (that is the beat, the slower one its bar); the winner is refined on a
fine grid against many beat multiples, which pins it well inside 1 %. Results stay within 60-200
BPM; a drone or silence has no tempo (None). Octave errors remain possible on real music (a
reggae one-drop read at double time), as with any tempo estimator.
Energy: gated loudness of the window mapped onto 0..1, nudged by how percussive the music is.
Loudness: the track's ReplayGain tag when it has one (the loudness its gain brings to the -18
LUFS reference), else the same gated loudness of the window, in dBFS of its mean power (near
LUFS for music: no K-weighting, which moves typical music by a dB or two).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np

WINDOW_SECONDS = 45.0
MIN_BPM = 60.0
MAX_BPM = 200.0
_ANALYSIS_RATE = 11025
_FFT = 512
_HOP = 128
_FFMPEG_TIMEOUT = 120.0
# A beat needs onsets standing out of the envelope and a clear periodicity among them.
_MIN_ONSET = 10.0
_MIN_PERIODICITY = 0.1
_PREFERRED_BPM = 120.0
_PREFERENCE_OCTAVES = 1.0
_SAME_FIT = 0.95
# Onsets below this frequency (kick, bass, the body of a snare) carry the beat: they count more.
_LOW_BAND_HZ = 300.0
_LOW_BAND_WEIGHT = 3.0
# Loudness (dBFS of the gated mean power) mapped linearly onto 0..1.
_QUIET_DB = -32.0
_LOUD_DB = -8.0
_REPLAYGAIN_REFERENCE = -18.0  # ReplayGain 2.0 brings every track to -18 LUFS
_LOUDNESS_RANGE = (-70.0, 0.0)  # what a tag or a measurement can sensibly say


class DecodeError(Exception):
    """The audio could not be decoded (corrupt, truncated, or no decoder for the format)."""


@dataclass(frozen=True, slots=True)
class Features:
    """What measuring one track found. ``bpm`` is None when the audio has no steady beat."""

    bpm: float | None
    energy: float
    loudness: float | None = None  # dB (LUFS-like); None: silence


def measure(path: Path, duration: float | None = None) -> Features:
    """Decode a window of ``path`` and measure its tempo, energy and loudness."""
    samples, rate = decode(path, duration)
    if samples.size < rate:
        raise DecodeError("less than a second of audio")
    envelope, frame_rate = onset_envelope(samples, rate)
    loudness = replaygain_loudness(path)
    if loudness is None:
        measured = gated_loudness(samples, rate)
        loudness = None if measured is None else round(measured, 1)
    return Features(
        bpm=estimate_tempo(envelope, frame_rate),
        energy=estimate_energy(samples, rate, envelope),
        loudness=loudness,
    )


def replaygain_loudness(path: Path) -> float | None:
    """The loudness a ReplayGain track gain tag implies (None: no such tag, or a bad one)."""
    try:
        import mutagen

        audio = mutagen.File(os.fsencode(path), easy=True)
    except Exception:  # an unreadable tag is no tag: the audio is measured instead
        return None
    if audio is None or audio.tags is None:
        return None
    try:
        values = audio.tags.get("replaygain_track_gain") or []
    except Exception:
        return None
    for value in values:
        text = str(value).strip().lower().removesuffix("db").strip()
        try:
            gain = float(text)
        except ValueError:
            continue
        loudness = _REPLAYGAIN_REFERENCE - gain
        if _LOUDNESS_RANGE[0] <= loudness <= _LOUDNESS_RANGE[1]:
            return round(loudness, 1)
    return None


def gated_loudness(samples: np.ndarray, rate: int) -> float | None:
    """Loudness in dBFS of the mean power of 0.4 s blocks, gated as loudness meters gate:
    silence (under -70 dBFS) and blocks 10 dB under the mean do not count. None: silence."""
    block = max(1, int(0.4 * rate))
    usable = samples.size - samples.size % block
    if usable == 0:
        return None
    power = np.square(samples[:usable].astype(np.float64)).reshape(-1, block).mean(axis=1)
    audible = power[power > 1e-7]  # -70 dBFS: silence between songs or tracks does not count
    if audible.size == 0:
        return None
    gate = audible.mean() * 0.1  # relative gate 10 dB under the mean, as loudness meters do
    loud = audible[audible >= gate]
    return float(10 * np.log10(loud.mean()))


def decode(path: Path, duration: float | None = None) -> tuple[np.ndarray, int]:
    """Mono float32 samples of the middle ``WINDOW_SECONDS`` of a track, and their rate."""
    start = 0.0
    if duration and duration > WINDOW_SECONDS:
        start = (duration - WINDOW_SECONDS) / 2
    try:
        return _decode_soundfile(path, start)
    except DecodeError as error:
        failure = error
    unknown_format = "format not recognised" in str(failure).lower()
    ffmpeg = shutil.which("ffmpeg")
    if not ffmpeg:
        if unknown_format:
            raise DecodeError(
                f"cannot decode {path.suffix or 'this'} files without ffmpeg installed"
            ) from failure
        raise failure
    try:
        return _decode_ffmpeg(ffmpeg, path, start)
    except DecodeError as error:
        if unknown_format:
            raise
        raise DecodeError(f"{failure}; {error}") from error


def _decode_soundfile(path: Path, start: float) -> tuple[np.ndarray, int]:
    import soundfile

    try:
        with soundfile.SoundFile(os.fsencode(path)) as audio:  # any name: its bytes
            rate = audio.samplerate
            if audio.seekable() and start > 0:
                audio.seek(int(start * rate))
            block = audio.read(int(WINDOW_SECONDS * rate), dtype="float32", always_2d=True)
    except (RuntimeError, soundfile.LibsndfileError) as error:
        # libsndfile's own message quotes the name as a bytes repr ("Error opening b'/...'")
        reason = getattr(error, "error_string", None) or str(error)
        raise DecodeError(f"libsndfile cannot read it: {reason}") from error
    return block.mean(axis=1), rate


def _decode_ffmpeg(ffmpeg: str, path: Path, start: float) -> tuple[np.ndarray, int]:
    command = [
        ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error",
        "-ss", f"{start:.3f}", "-t", f"{WINDOW_SECONDS:.3f}", "-i", str(path),
        "-vn", "-ac", "1", "-ar", str(_ANALYSIS_RATE), "-f", "f32le", "-",
    ]  # fmt: skip
    try:
        done = subprocess.run(command, capture_output=True, timeout=_FFMPEG_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise DecodeError(f"ffmpeg failed: {error}") from error
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise DecodeError(f"ffmpeg cannot decode it: {reason[-1] if reason else 'no output'}")
    return np.frombuffer(done.stdout, dtype="<f4").copy(), _ANALYSIS_RATE


def _downsample(samples: np.ndarray, rate: int) -> tuple[np.ndarray, int]:
    """Bring audio near 11 kHz by averaging groups of samples (a cheap low-pass)."""
    factor = max(1, round(rate / _ANALYSIS_RATE))
    if factor == 1:
        return samples.astype(np.float32, copy=False), rate
    usable = samples.size - samples.size % factor
    return samples[:usable].reshape(-1, factor).mean(axis=1), rate // factor


def onset_envelope(samples: np.ndarray, rate: int) -> tuple[np.ndarray, float]:
    """Spectral flux of log-compressed magnitudes: peaks where notes and drums start."""
    audio, low_rate = _downsample(samples, rate)
    frame_rate = low_rate / _HOP
    if audio.size < _FFT * 2:
        return np.zeros(1, dtype=np.float32), frame_rate
    window = np.hanning(_FFT).astype(np.float32)
    freqs = np.fft.rfftfreq(_FFT, 1.0 / low_rate)
    weights = np.where(freqs < _LOW_BAND_HZ, _LOW_BAND_WEIGHT, 1.0).astype(np.float32)
    frames = np.lib.stride_tricks.sliding_window_view(audio, _FFT)[::_HOP]
    flux = np.empty(len(frames), dtype=np.float32)
    previous: np.ndarray | None = None
    chunk = 256
    for first in range(0, len(frames), chunk):
        spectrum = np.log1p(100.0 * np.abs(np.fft.rfft(frames[first : first + chunk] * window)))
        if previous is None:
            previous = spectrum[:1]
        rising = np.diff(np.concatenate([previous, spectrum]), axis=0)
        flux[first : first + len(spectrum)] = np.maximum(rising, 0.0) @ weights
        previous = spectrum[-1:]
    return flux, frame_rate


def _smooth(values: np.ndarray, width: int) -> np.ndarray:
    kernel = np.ones(width, dtype=np.float64) / width
    return np.convolve(values, kernel, mode="same")


def _autocorrelation(envelope: np.ndarray) -> np.ndarray:
    """Unbiased autocorrelation of the (mean-removed) envelope, normalised to 1 at lag 0."""
    size = envelope.size
    spectrum = np.fft.rfft(envelope, 2 * size)
    correlation = np.fft.irfft(spectrum * np.conj(spectrum))[:size]
    correlation /= np.arange(size, 0, -1)
    return correlation / correlation[0] if correlation[0] > 0 else correlation


def _at(values: np.ndarray, lags: np.ndarray) -> np.ndarray:
    """``values`` at fractional positions (linear interpolation; 0 beyond the end)."""
    return np.interp(lags, np.arange(values.size), values, right=0.0)


def _score(
    correlation: np.ndarray, frame_rate: float, bpm: np.ndarray, multiples: int
) -> np.ndarray:
    """How well a beat period explains the rhythm: mean correlation at the period's multiples."""
    period = 60.0 * frame_rate / bpm
    total = np.zeros_like(bpm)
    for multiple in range(1, multiples + 1):
        total += _at(correlation, period * multiple)
    return total / multiples


def _best_near(correlation: np.ndarray, frame_rate: float, bpm: float) -> float:
    """The best coarse score within 2 % of ``bpm``."""
    near = np.linspace(bpm * 0.98, bpm * 1.02, 9)
    return float(_score(correlation, frame_rate, near, 4).max())


def estimate_tempo(envelope: np.ndarray, frame_rate: float) -> float | None:
    """The tempo in BPM (60-200) of an onset envelope; None when there is no steady beat."""
    if envelope.size < frame_rate * 4:
        return None
    if np.percentile(envelope, 99) - np.median(envelope) < _MIN_ONSET:
        return None  # nothing starts or stops: a drone, a test tone, silence
    signal = envelope.astype(np.float64)
    # Remove the slow swell so only the onsets remain, then soften the peaks a little so a
    # fractional beat period still lands on them.
    signal = signal - _smooth(signal, max(3, int(frame_rate)))
    signal = np.maximum(signal, 0.0)
    signal = _smooth(signal, 3)
    signal -= signal.mean()
    correlation = _autocorrelation(signal)

    grid = np.arange(MIN_BPM, MAX_BPM + 0.25, 0.5)
    coarse = _score(correlation, frame_rate, grid, 4)
    if coarse.max() < _MIN_PERIODICITY:
        return None
    # Music repeats at the beat, the half bar and the bar alike; a listener taps the beat, which
    # most often lies near 120 BPM: weigh the candidates by a broad preference for it.
    prior = np.exp(-0.5 * (np.log2(grid / _PREFERRED_BPM) / _PREFERENCE_OCTAVES) ** 2)
    best = float(grid[np.argmax(coarse * prior)])
    best_score = _best_near(correlation, frame_rate, best)
    # A pulse that explains the rhythm just as well at two or three times the speed (a click on
    # every beat fits half the tempo equally) is the beat itself.
    for multiple in (3, 2):
        faster = best * multiple
        if faster <= MAX_BPM * 1.02:
            score = _best_near(correlation, frame_rate, faster)
            if score >= _SAME_FIT * best_score:
                best = faster
                break

    beats_in_window = int(signal.size / (60.0 * frame_rate / best))
    fine = np.arange(best * 0.97, best * 1.03, 0.02)
    refined = _score(correlation, frame_rate, fine, max(3, beats_in_window // 2))
    bpm = float(fine[np.argmax(refined)])
    while bpm > MAX_BPM * 1.02:
        bpm /= 2
    while bpm < MIN_BPM * 0.98:
        bpm *= 2
    return round(min(max(bpm, MIN_BPM), MAX_BPM), 1)


def estimate_energy(samples: np.ndarray, rate: int, envelope: np.ndarray | None = None) -> float:
    """Energy 0..1: mostly gated loudness, partly how strongly the music hits its onsets."""
    loudness_db = gated_loudness(samples, rate)
    if loudness_db is None:
        return 0.0
    loudness = np.clip((loudness_db - _QUIET_DB) / (_LOUD_DB - _QUIET_DB), 0.0, 1.0)
    punch = 0.0
    if envelope is not None and envelope.size > 1 and envelope.mean() > 0:
        # Peak-to-mean ratio of the onset envelope: drums make sharp peaks, pads make none.
        punch = float(np.clip((np.percentile(envelope, 99) / envelope.mean() - 2.0) / 8.0, 0, 1))
    return round(float(np.clip(0.8 * loudness + 0.2 * punch, 0.0, 1.0)), 3)
