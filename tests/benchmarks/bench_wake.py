"""The wake word across voices, rooms and noise: hit rate per model and voice, false wakes per
hour on speech and music, and the cut-off, window and peak tuned per model.

1. Every model's phrase ("hey jarvis", "okay nabu", "hey mycroft", "alexa") is said by every
   voice of tests/support/voices.py in four contexts (alone, before "play some jazz", after
   "so,", before "what's playing"), and the model's raw probability (one per 30 ms inference,
   unsmoothed) is recorded.
2. Background, one set per split, about half an hour of each kind: chatter (espeak-ng and Piper
   reading prose, the project's licence and README with lines naming a wake word left out),
   music (chords, drums, hiss), and the same chatter over other music (music
   :data:`OVER_MUSIC_SNR_DB` below the voice, as when someone talks while it plays): the false
   wakes per hour of each. Apart from it, near misses: every
   voice of the split saying the other models' phrases and look-alikes such as "hey travis",
   "a lexus", "hey microsoft", "okay now boo" (reported as how many of them woke it; said
   every few seconds they are far denser than in life, so they are not counted per hour).
3. Tuning, on the TUNE voices and the tune background only: for each window (1-8 inferences),
   peak (the second stage) and cut-off, the phrases heard, the false wakes per hour and the
   near misses that fire; of the settings hearing the most at <= 1 false wake per hour, the
   middle of the widest run of cut-offs, the one firing on fewer near misses on a tie (see
   :func:`tune`).
4. Report, on the HELD-OUT voices and background only, with the real detector
   (appliance.voice.wake.MicroWakeWord): this run's choice, the settings in the code (TUNED)
   and the models' shipped ones (their JSON).

Parts: QFZZ_WAKE_MODELS=hey_jarvis,alexa picks models; QFZZ_WAKE_MINUTES sets the minutes of
chatter and of music per split (default 30). Results: .bench/wake_<model>.json and .md.
"""

from __future__ import annotations

import collections
import json
import math
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from appliance.audio_format import FRAME_BYTES
from appliance.voice.wake import (
    BUILTIN_MODELS,
    TUNED,
    MicroWakeWord,
    PhraseWake,
    WakeDetector,
    WakeTuning,
)
from tests.benchmarks.report import RESULTS, record
from tests.support.speech import RATE, demo_music, silence
from tests.support.voices import HELD_OUT, TUNE, Voice, _under, render

PHRASES = {
    "hey_jarvis": "hey jarvis",
    "okay_nabu": "okay nabu",
    "hey_mycroft": "hey mycroft",
    "alexa": "alexa",
}
CONTEXTS = ("{}", "{}, play some jazz", "so, {}", "{}, what's playing")
INFERENCE_S = 0.03
REFRACTORY = int(3.0 / INFERENCE_S)  # after a wake the appliance listens, deaf to wake words
OVER_MUSIC_SNR_DB = 5.0
PASS_TAKES = 3  # a voice "works" when the phrase is heard in 3 of its 4 contexts
MAX_FALSE_PER_HOUR = 1.0
ROOT = Path(__file__).resolve().parents[2]
WAKE_WORDS = re.compile(r"jarvis|nabu|mycroft|alexa", re.IGNORECASE)
NEAR_MISSES = ("hey travis", "hey marvin", "hey jar this", "a jar of this", "hey service",
               "alex", "a lexus", "elections", "hey my craft", "hey microsoft", "hey mike",
               "okay now boo", "okay nah boo", "okay a book", "okay")  # fmt: skip
"""Said by each voice of a split, with the other models' phrases, among its chatter: what a
wake word must not fire on is mostly what sounds like it."""


class Tracing(MicroWakeWord):
    """The detector, recording every raw probability and never firing on its own."""

    def __init__(self, model: str) -> None:
        super().__init__(model, cutoff=2.0, window=1)
        self.trace: list[float] = []

    def _decide(self, raw: float) -> bool:
        self.trace.append(raw)
        return False


def models() -> list[str]:
    chosen = os.environ.get("QFZZ_WAKE_MODELS")
    names = [m.strip() for m in chosen.split(",")] if chosen else list(BUILTIN_MODELS)
    unknown = [m for m in names if m not in BUILTIN_MODELS]
    if unknown:
        raise ValueError(f"unknown wake models {unknown}: choose from {BUILTIN_MODELS}")
    return names


def frames(pcm: bytes) -> Iterable[bytes]:
    for offset in range(0, len(pcm) - 319, 320):
        yield pcm[offset : offset + 320]


def trace(model: str, clips: Iterable[bytes]) -> np.ndarray:
    """Raw probabilities over ``clips`` streamed one after another (no reset between)."""
    detector = Tracing(model)
    for clip in clips:
        for frame in frames(clip):
            detector.process(frame)
    return np.array(detector.trace)


def fires(raw: np.ndarray, window: int, cutoff: float, peak: float = 0.0) -> int:
    """How often a detector with this window, cut-off and peak fires over ``raw`` (deaf for a
    few seconds after each fire, as the appliance is while it listens): the same decision as
    MicroWakeWord._decide, over a recorded trace."""
    if raw.size < window:
        return 0
    means = np.convolve(raw, np.ones(window) / window, mode="valid")
    ok = means > cutoff
    if peak > 0.0:
        ok &= np.lib.stride_tricks.sliding_window_view(raw, window).max(axis=1) > peak
    count, until = 0, -1
    for index in np.nonzero(ok)[0]:
        if index > until:
            count += 1
            until = int(index) + REFRACTORY
    return count


def phrase_clips(model: str, voice: Voice) -> list[bytes]:
    phrase = PHRASES[model]
    return [silence(0.6) + render(c.format(phrase), voice) + silence(0.8) for c in CONTEXTS]


# -- chatter and music ---------------------------------------------------------------------------


def prose() -> list[str]:
    """Paragraphs of ordinary prose, none naming a wake word."""
    text = (ROOT / "LICENSE").read_text() + "\n\n" + (ROOT / "README.md").read_text()
    paragraphs = []
    for block in re.split(r"\n\s*\n", text):
        words = re.sub(r"[`*#|<>_\[\]()]+", " ", block)
        words = " ".join(words.split()).lstrip("-— ")  # a leading dash reads as an option
        if len(words.split()) >= 8 and not WAKE_WORDS.search(words):
            paragraphs.append(words)
    return paragraphs


@dataclass
class Background:
    speech: list[bytes]
    music: list[bytes]
    near: list[bytes]
    over_music: list[bytes]

    @property
    def speech_h(self) -> float:
        return sum(len(c) for c in self.speech) / 2 / RATE / 3600

    @property
    def music_h(self) -> float:
        return sum(len(c) for c in self.music) / 2 / RATE / 3600

    @property
    def over_music_h(self) -> float:
        return sum(len(c) for c in self.over_music) / 2 / RATE / 3600

    @property
    def hours(self) -> float:
        return self.speech_h + self.music_h + self.over_music_h


def background(split: str, minutes: float, model: str) -> Background:
    """About ``minutes`` of chatter and of music for one split (its own prose and voices), and
    the split's voices saying the other models' phrases and near misses."""
    voices = TUNE if split == "tune" else HELD_OUT
    paragraphs = prose()[0 if split == "tune" else 1 :: 2]
    speech: list[bytes] = []
    total = 0.0
    for index, paragraph in enumerate(paragraphs):
        if total >= minutes * 60:
            break
        clip = render(paragraph, voices[index % len(voices)]) + silence(0.4)
        speech.append(clip)
        total += len(clip) / 2 / RATE
    confusers = [p for m, p in PHRASES.items() if m != model] + list(NEAR_MISSES)
    near = [silence(0.5) + render(p, v) + silence(0.8) for v in voices for p in confusers]
    seed0 = 100 if split == "tune" else 200
    music = [demo_music(60.0, seed=seed0 + n) for n in range(int(minutes))]
    over_music = [
        _under(clip, demo_music(len(clip) / 2 / RATE, seed=seed0 + 50 + n), OVER_MUSIC_SNR_DB)
        for n, clip in enumerate(speech)
    ]
    return Background(speech, music, near, over_music)


# -- the benchmark ---------------------------------------------------------------------------


class Confirmed:
    """The second stage the issue asks for, measured here and not shipped: a model's fire is
    only a candidate until pocketsphinx's keyword search (:class:`PhraseWake`) finds the phrase
    in the last ``seconds`` of audio. Measured (the _confirmed rows): it rejected most real wake
    words (okay_nabu at its tuned cut-off heard 4 of 14 held-out voices with it, 12 without;
    hey_mycroft 0 and 12), and on the TUNE voices it kept 9-16 of 19 look-alikes ("a lexus",
    "alex") that fired alexa at a low cut-off while dropping 8-14 of 31 real "alexa"s
    (thresholds 1e-60 to 1e-20). While the DJ speaks (strict) the model decides alone."""

    def __init__(
        self, detector: MicroWakeWord, seconds: float = 2.0, threshold: float = 1e-20
    ) -> None:
        self.detector = detector
        self.name = detector.name
        self.phrase = detector.phrase
        self._spotter = PhraseWake(
            detector.phrase, threshold=threshold, restart_s=seconds + 1.0, pronounce_missing=True
        )
        self._recent: collections.deque[bytes] = collections.deque(
            maxlen=max(1, int(seconds * 100))  # 10 ms frames
        )
        self.candidates = 0  # fires of the model (for the log and the benchmark)
        self.rejected = 0  # of those, the phrase the recogniser did not find

    @property
    def strict(self) -> bool:
        return self.detector.strict

    def process(self, frame: bytes) -> bool:
        self._recent.append(frame)
        if not self.detector.process(frame):
            return False
        if self.detector.strict:
            return True
        self.candidates += 1
        if self._confirm():
            return True
        self.rejected += 1
        return False

    def _confirm(self) -> bool:
        """Whether the keyword search finds the phrase in the audio held."""
        self._spotter.reset()
        heard = b"".join(self._recent) + b"\0" * (5 * FRAME_BYTES)  # flushes its last frames
        found = any(
            self._spotter.process(heard[at : at + FRAME_BYTES])
            for at in range(0, len(heard) - FRAME_BYTES + 1, FRAME_BYTES)
        )
        self._spotter.reset()
        return found

    def reset(self) -> None:
        self.detector.reset()
        self._recent.clear()

    def set_strict(self, strict: bool) -> None:
        self.detector.set_strict(strict)


PEAKS = (0.0, 0.8, 0.9, 0.95, 0.98)


def tune(
    model: str,
    traces: dict[tuple[str, int], np.ndarray],
    bg: np.ndarray,
    hours: float,
    near: list[np.ndarray],
) -> tuple[WakeTuning, int, float, int, list[tuple[int, float, float, int, float, int]]]:
    """The setting that hears the most tune phrases at <= 1 false wake per hour, and the whole
    table. Many cut-offs usually tie; the chosen one is the middle of the widest run of them
    (for one window and peak), so that voices fainter than the tune ones still pass it and
    look-alikes stronger than the tune background still do not; among equally wide runs, the
    one whose middle fires on the fewest near misses (the second stage earns its place here)."""
    table = []
    for window in range(1, 9):
        for peak in PEAKS:
            for cutoff in np.round(np.arange(0.3, 0.995, 0.01), 3):
                false = fires(bg, window, cutoff, peak) / hours
                hits = sum(fires(raw, window, cutoff, peak) > 0 for raw in traces.values())
                fooled = sum(fires(raw, window, cutoff, peak) > 0 for raw in near)
                table.append((window, float(cutoff), peak, hits, false, fooled))
    allowed = [row for row in table if row[4] <= MAX_FALSE_PER_HOUR]
    assert allowed, f"{model}: no setting keeps false wakes under 1 per hour"
    most = max(row[3] for row in allowed)
    fewest = min(row[4] for row in allowed if row[3] == most)
    near_at = {(r[0], r[2], round(r[1], 2)): r[5] for r in table}
    best: tuple[tuple[float, int, float, int], WakeTuning] | None = None
    for window in range(1, 9):
        for peak in PEAKS:
            good = [r[1] for r in allowed if r[:1] == (window,) and r[2] == peak
                    and r[3:5] == (most, fewest)]  # fmt: skip
            # a mean under peak/window cannot have a moment above the peak: cut-offs below
            # that decide nothing (with a window of 1 the rule is just "above the peak")
            floor = math.ceil(peak / window * 100 - 1e-6) / 100
            good = sorted({max(cutoff, floor) for cutoff in good})
            for start, stop in _runs(good):
                middle = round((start + stop) / 2, 2)
                fooled = near_at[(window, peak, middle)]
                key = (round(stop - start, 3), -fooled, -peak, -window)
                if best is None or key > best[0]:
                    best = (key, WakeTuning(middle, window, peak))
    assert best is not None
    return best[1], most, fewest, -best[0][1], table


def _runs(cutoffs: list[float], step: float = 0.01) -> list[tuple[float, float]]:
    """Contiguous runs (first, last) in a sorted grid of cut-offs."""
    runs: list[tuple[float, float]] = []
    for cutoff in sorted(cutoffs):
        if runs and cutoff - runs[-1][1] <= step * 1.5:
            runs[-1] = (runs[-1][0], cutoff)
        else:
            runs.append((cutoff, cutoff))
    return runs


def real_hits(detector: WakeDetector, clip: bytes) -> bool:
    detector.reset()
    return any(detector.process(frame) for frame in frames(clip))


def real_false(detector: WakeDetector, clips: list[bytes]) -> int:
    """False wakes of the real detector over a stream, deaf for 3 s after each."""
    detector.reset()
    count = deaf = 0
    for clip in clips:
        for frame in frames(clip):
            if deaf:
                deaf -= 1
                continue
            if detector.process(frame):
                count += 1
                deaf = 300
    return count


@pytest.mark.parametrize("model", models())
def test_wake_across_voices(model: str) -> None:
    minutes = float(os.environ.get("QFZZ_WAKE_MINUTES", "30"))
    tune_bg = background("tune", minutes, model)
    held_bg = background("held_out", minutes, model)
    # 1-3: tune on the tune voices and the tune background
    tune_traces = {
        (v.name, n): trace(model, [clip])
        for v in TUNE
        for n, clip in enumerate(phrase_clips(model, v))
    }
    bg_trace = trace(model, tune_bg.speech + tune_bg.music + tune_bg.over_music)
    near_traces = [trace(model, [clip]) for clip in tune_bg.near]
    best, hits, false, fooled, table = tune(
        model, tune_traces, bg_trace, tune_bg.hours, near_traces
    )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"wake_{model}_table.json").write_text(json.dumps(table))
    shipped = _shipped(model)
    # 4: report on the held-out voices and background with the real detector
    rows: dict[str, Any] = {}
    settings_of = {
        "tuned_now": best,
        "tuned_now_confirmed": best,
        "in_code": TUNED.get(model),
        "shipped": shipped,
    }
    for label, settings in settings_of.items():
        # tuned_now: this run's choice; _confirmed: with the recogniser's second stage;
        # in_code: appliance.voice.wake.TUNED; shipped: the JSON
        if settings is None:
            continue
        micro = MicroWakeWord(
            model, cutoff=settings.cutoff, window=settings.window, peak=settings.peak
        )
        confirm = label.endswith("_confirmed")
        detector: WakeDetector = Confirmed(micro) if confirm else micro
        per_voice = {}
        for voice in HELD_OUT:
            heard = [real_hits(detector, clip) for clip in phrase_clips(model, voice)]
            per_voice[voice.name] = sum(heard)
        fooled_held = sum(real_hits(detector, clip) for clip in held_bg.near)
        speech_false = real_false(detector, held_bg.speech)
        music_false = real_false(detector, held_bg.music)
        over_false = real_false(detector, held_bg.over_music)
        rows[label] = {
            "cutoff": settings.cutoff,
            "window": settings.window,
            "peak": settings.peak,
            "confirm": confirm,
            "voices_working": sum(n >= PASS_TAKES for n in per_voice.values()),
            # espeak-ng speakers and Piper's joe in other conditions apart (joe is one speaker)
            **{
                f"voices_working_{kind}": f"{sum(per_voice[v.name] >= PASS_TAKES for v in of)}"
                f"/{len(of)}"
                for kind, of in (
                    ("espeak", [v for v in HELD_OUT if v.engine == "espeak"]),
                    ("joe", [v for v in HELD_OUT if v.engine == "piper"]),
                )
            },
            "phrases_heard": sum(per_voice.values()),
            "phrases": len(HELD_OUT) * len(CONTEXTS),
            "false_per_h_speech": speech_false / held_bg.speech_h,
            "false_per_h_music": music_false / held_bg.music_h,
            "false_per_h_speech_over_music": over_false / held_bg.over_music_h,
            "false_per_h": (speech_false + music_false + over_false) / held_bg.hours,
            "near_misses_fired": f"{fooled_held}/{len(held_bg.near)}",
            "per_voice": per_voice,
        }
    figures = {
        "model": model,
        "tune_best_window": best.window,
        "tune_best_cutoff": best.cutoff,
        "tune_best_peak": best.peak,
        "tune_hits": f"{hits}/{len(tune_traces)}",
        "tune_false_per_h": false,
        "tune_near_misses_fired": f"{fooled}/{len(near_traces)}",
        "tune_background_h": tune_bg.hours,
        "held_out_speech_h": held_bg.speech_h,
        "held_out_music_h": held_bg.music_h,
        "held_out_speech_over_music_h": held_bg.over_music_h,
        "held_out_voices": len(HELD_OUT),
    }
    for label, row in rows.items():
        for key, value in row.items():
            if key == "per_voice":
                figures[f"{label}_per_voice"] = " ".join(f"{k}={v}" for k, v in value.items())
            else:
                figures[f"{label}_{key}"] = value
    record(f"wake_{model}", figures)
    _markdown(model, figures, rows)


def _shipped(model: str) -> WakeTuning:
    import pymicro_wakeword

    config = json.loads(
        (Path(pymicro_wakeword.__file__).parent / "models" / f"{model}.json").read_text()
    )
    micro = config["micro"]
    return WakeTuning(float(micro["probability_cutoff"]), int(micro["sliding_window_size"]))


def _markdown(model: str, figures: dict[str, Any], rows: dict[str, Any]) -> None:
    lines = [f"## {model}", ""]
    lines.append(
        f"Tuned on {len(TUNE)} voices x {len(CONTEXTS)} contexts and "
        f"{figures['tune_background_h']:.2f} h of chatter and music: window "
        f"{figures['tune_best_window']}, cut-off {figures['tune_best_cutoff']}, peak "
        f"{figures['tune_best_peak']} "
        f"({figures['tune_hits']} heard, {figures['tune_false_per_h']:.2f} false/h, "
        f"{figures['tune_near_misses_fired']} near misses fired)."
    )
    lines += ["", "| held-out voice | condition | " + " | ".join(rows) + " |"]
    lines.append("|---|---|" + "---|" * len(rows))
    for voice in HELD_OUT:
        cells = [f"{rows[label]['per_voice'][voice.name]}/{len(CONTEXTS)}" for label in rows]
        lines.append(f"| {voice.name} ({voice.speaker}) | {voice.condition} | "
                     + " | ".join(cells) + " |")  # fmt: skip
    for label, row in rows.items():
        lines.append(
            f"\n{label}: cut-off {row['cutoff']}, window {row['window']}, peak {row['peak']}: "
            "works for "
            f"{row['voices_working']}/{len(HELD_OUT)} voices (>= {PASS_TAKES}/{len(CONTEXTS)}), "
            f"{row['phrases_heard']}/{row['phrases']} phrases; false wakes "
            f"{row['false_per_h_speech']:.2f}/h speech, {row['false_per_h_music']:.2f}/h music, "
            f"{row['false_per_h_speech_over_music']:.2f}/h speech over music "
            f"({figures['held_out_speech_h']:.2f} h, {figures['held_out_music_h']:.2f} h and "
            f"{figures['held_out_speech_over_music_h']:.2f} h); "
            f"near misses fired {row['near_misses_fired']}."
        )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"wake_{model}.md").write_text("\n".join(lines) + "\n")
