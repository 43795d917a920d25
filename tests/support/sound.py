"""Finding sound in a recording of the speaker, in ways a busy machine cannot fool.

A sound server under load may pause a stream for a moment (an underrun) and go on later: the
recording then holds the same samples with a gap of silence somewhere. So a clip is looked for
piece by piece, levels are the median over many short windows, and a test waits for the
recording to hold what it needs instead of sleeping for a fixed time.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np

from tests.support.pulse import SINK_RATE, Recorder


def as_float(pcm: bytes) -> np.ndarray:
    """Raw s16le as float samples (an odd trailing byte is left out)."""
    return np.frombuffer(pcm[: len(pcm) // 2 * 2], dtype="<i2").astype(np.float64)


def find(recording: np.ndarray, clip: np.ndarray) -> tuple[int, float]:
    """Where ``clip`` sits in ``recording`` and how well it matches there (the correlation
    coefficient: 1.0 for the very same samples).

    The cross-correlation (by FFT) is divided by the energy of the recording under the clip at
    each lag, so a loud passage elsewhere never outbids the place where the clip really is;
    where the recording is far quieter than the clip nothing is looked for.
    """
    if clip.size == 0 or recording.size < clip.size or not np.any(clip):
        return 0, 0.0
    size = 1 << int(np.ceil(np.log2(recording.size + clip.size)))
    spectrum = np.fft.rfft(recording, size) * np.conj(np.fft.rfft(clip, size))
    lags = recording.size - clip.size + 1
    dot = np.fft.irfft(spectrum, size)[:lags]
    energy = np.concatenate(([0.0], np.cumsum(recording**2)))
    under = np.sqrt(np.maximum(energy[clip.size :] - energy[:lags], 0.0))
    norm = np.linalg.norm(clip)
    # where the recording is (nearly) silent the ratio means nothing: no match there
    score = np.where(under > 0.1 * norm, dot / np.maximum(under * norm, 1e-9), -1.0)
    lag = int(np.argmax(score))
    segment = recording[lag : lag + clip.size]
    if not segment.std() or not clip.std():
        return lag, 0.0
    return lag, float(np.corrcoef(segment, clip)[0, 1])


def played_problems(
    recording: np.ndarray,
    clip: np.ndarray,
    piece: int = 2048,
    threshold: float = 0.99,
    min_rms: float = 300.0,
    underrun_loss: int = 4096,
) -> list[str]:
    """What is wrong with ``clip`` as it came out in ``recording``: [] when every audible piece
    of it is there, sample for sample and in order.

    Each piece is looked for on its own; one that is not found whole is split in halves down to
    256 samples. Where the found pieces jump to a different place in the recording, the output
    ran dry for a moment (an underrun on a busy machine): the recording holds silence there,
    and at most ``underrun_loss`` samples of the clip (what the output still had buffered) may
    be missing around it; elsewhere the audio stack's recovery may lose a few milliseconds
    (256 samples), never a whole block of the speaker's. Anything else missing, added, changed
    or out of order is a problem.
    """
    placed: list[tuple[int, int, int]] = []  # (start in the clip, end, lag - start)
    unfound: list[tuple[int, int, float]] = []  # (start, end, best match)

    def place(start: int, length: int) -> None:
        part = clip[start : start + length]
        if np.sqrt(np.mean(part**2)) < min_rms:
            return  # near silence: nothing to recognise it by
        lag, match = find(recording, part)
        if match > threshold:
            placed.append((start, start + length, lag - start))
        elif length <= 256:
            unfound.append((start, start + length, match))
        else:
            place(start, length // 2)
            place(start + length // 2, length - length // 2)

    for start in range(0, clip.size, piece):
        place(start, min(piece, clip.size - start))
    if not placed:
        return ["no part of the clip is in the recording"]
    runs: list[list[int]] = []  # [start, end, delay]: stretches found in one piece
    for start, end, delay in placed:
        if runs and runs[-1][2] == delay:
            runs[-1][1] = end
        else:
            runs.append([start, end, delay])
    problems = [
        f"samples {start}-{end} not found (best match {match:.2f})"
        for start, end, match in unfound
        if start < runs[0][0] or end > runs[-1][1]
    ]
    for (_, end, delay), (start, _, next_delay) in itertools.pairwise(runs):
        missing = sum(min(e, start) - max(s, end) for s, e, _ in unfound if s < start and e > end)
        extra = next_delay - delay  # samples the recording has here that the clip has not
        lost = max(0, -extra) + missing
        between = recording[end + delay : max(end + delay, start + next_delay)]
        zeros = int(np.count_nonzero(between == 0))  # what a server that ran dry plays
        where = f"samples {end}-{start}"
        if extra < -underrun_loss:
            problems.append(f"{where}: out of order ({extra} samples)")
        elif lost > underrun_loss:
            problems.append(f"{where}: {lost} samples lost")
        elif lost > 256 and zeros < 32:
            problems.append(f"{where}: {lost} samples lost where the output never ran dry")
        elif extra > 0 and zeros < extra - 64:
            problems.append(f"{where}: {extra} samples that are not in the clip")
    return problems


def tone_levels(
    audio: np.ndarray, freq: float, window_s: float = 0.05, rate: int = SINK_RATE
) -> np.ndarray:
    """The amplitude of ``freq`` in each ``window_s`` window (a single-bin DFT per window)."""
    size = int(window_s * rate)
    count = audio.size // size
    frames = audio[: count * size].reshape(count, size)
    probe = np.exp(-2j * np.pi * freq * np.arange(size) / rate)
    return np.abs(frames @ probe) * 2 / size


def tone_db(
    audio: np.ndarray, freq: float, window_s: float = 0.5, hop_s: float = 0.1, rate: int = SINK_RATE
) -> float:
    """The level of ``freq`` in dB: the median over overlapping ``window_s`` windows, so that
    an underrun gap (or a window that catches the edge of a change) does not move it."""
    size, hop = int(window_s * rate), int(hop_s * rate)
    probe = np.exp(-2j * np.pi * freq * np.arange(size) / rate)
    levels = [
        np.abs(audio[start : start + size] @ probe) * 2 / size
        for start in range(0, audio.size - size + 1, hop)
    ]
    if not levels:
        raise ValueError(f"{audio.size / rate:.2f} s of audio is shorter than one window")
    return float(20 * np.log10(np.median(levels) + 1e-9))


def ends_quiet(audio: np.ndarray, seconds: float = 0.3, rate: int = SINK_RATE) -> bool:
    """True when something loud was recorded and the last ``seconds`` are silent again."""
    tail = int(seconds * rate)
    if audio.size <= tail:
        return False
    loud = np.abs(audio[:-tail]).max() > 1000
    return bool(loud and np.abs(audio[-tail:]).max() < 50)


def played_out(recorder: Recorder, start: int) -> np.ndarray:
    """Everything recorded since ``start``, once something has been heard and fallen silent
    again: on PulseAudio the end-file event comes before the last sound (0.3 s, more when the
    machine is busy), and the recording lags a little behind that."""
    return as_float(
        recorder.wait_for(lambda audio: ends_quiet(as_float(audio), 0.5), start, what="the end")
    )


def settled_level(
    recorder: Recorder, freq: float, moved: Callable[[float], bool], timeout: float = 15.0
) -> float:
    """The level of ``freq`` (dB) once it has held still: the last 0.6 s recorded and the 0.6 s
    before them agree within 1 dB, and ``moved`` accepts it (it has changed as expected).

    Waiting for the level, not for a fixed time, copes with a fade that the player applies a
    little late and with output buffers that grow on a busy machine.
    """
    span = int(0.6 * SINK_RATE) * 2
    levels: list[float] = []

    def steady(audio: bytes) -> bool:
        if len(audio) < 2 * span:
            return False
        last = tone_db(as_float(audio[-span:]), freq, window_s=0.2, hop_s=0.05)
        previous = tone_db(as_float(audio[-2 * span : -span]), freq, window_s=0.2, hop_s=0.05)
        levels.append(last)
        return abs(last - previous) < 1.0 and moved(last)

    recorder.wait_for(steady, recorder.mark(), timeout, what=f"a steady level of {freq:g} Hz")
    return levels[-1]
