"""The speech benchmark without real time: the same rendered lines straight into Whisper and the
station's DJ, in minutes instead of an hour, to iterate on between daemon runs.

Each line of speech_commands.tsv said by each voice (tests/support/voices.py) is decoded as the
listener would hand it over after push-to-talk (0.3 s of silence, the words, the early end's
0.32 s of silence) by a :class:`WhisperRecognizer` with the station's prompt and judge; the
transcript and its confidence go to a real station's dialogue (the player on the private
PulseAudio's null sink, no voice) as a heard request, in order, and the turn is judged as
bench_speech.py judges the daemon's. What it leaves out: the VAD and the endpointer (an early
end inside a pause), the capture's timing.

Whisper's readings are cached under ``.bench/whisper_readings/`` keyed by the audio, the prompt
and the decoding settings, so a second run only re-chooses among them (the judge, the
confidence, the DJ): seconds, not minutes.

Voices: QFZZ_SPEECH_VOICES (names) or QFZZ_SPEECH_SPLIT ("tune", the default, or "held-out").
TUNE voices print each miss; HELD-OUT voices print totals only (never tuned on line by line).
QFZZ_SPEECH_EVERY picks every n-th line; QFZZ_WHISPER_QUICK tries another quick window (seconds;
0: none); QFZZ_WHISPER_DOUBTS replays the lines once per set of signs of mishearing
(appliance/voice/whisper_doubt.py) and bars of the choice, back to back on the same readings
(see :func:`doubt_sets`).
Results: .bench/speech_offline.json (+ the TUNE lines in .bench/speech_offline_tune.jsonl, each
with all of Whisper's readings of it, per window; _1, _2 ... for the further sets of doubts).

Each command not understood is also told apart by where it was lost (:func:`lost_in`, totals
per voice for every voice): misheard (Whisper's chosen words mean something else than the line
typed), heard right and asked about anyway (the confidence or the bar), heard right and still
not understood (the DJ's context), or not understood even typed (the understanding's).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from appliance.config import load_config
from appliance.station import QFZZStation, StationConfig
from appliance.voice import stt_whisper, whisper_doubt
from appliance.voice.stt import normalise
from appliance.voice.stt_whisper import Hypothesis, WhisperRecognizer
from tests.benchmarks.bench_speech import (
    Said,
    corpus_library,
    judge,
    lines,
    reply_facts,
    summarise,
    typed_facts,
)
from tests.benchmarks.report import RESULTS, record
from tests.support.pulse import PulseServer
from tests.support.speech import silence
from tests.support.voices import HELD_OUT, TUNE, Voice, by_name, render

pytestmark = pytest.mark.audio

READINGS = RESULTS / "whisper_readings"
TIER = "whisper-tiny-en"
LEAD_S = 0.3
"""Silence before the words: the benchmark's push-to-talk says 0.3 s of it first."""
TAIL_S = 0.32
"""Silence after them: the listener's final comes after this much (``final_silence_ms``)."""


def chosen_voices() -> tuple[Voice, ...]:
    named = os.environ.get("QFZZ_SPEECH_VOICES")
    if named:
        return by_name(named)
    return HELD_OUT if os.environ.get("QFZZ_SPEECH_SPLIT") == "held-out" else TUNE


def benchmark_station(tmp: Path, stt: str = TIER, play: bool = True) -> QFZZStation:
    """The speech benchmark's station (its library, its DJ, ``stt``'s grammar or prompt) with no
    microphone and no voice: the caller hands it what was heard. ``play``: the player on (the
    null sink), or none (the recognition replay judges the answers alone)."""
    folder = corpus_library(tmp / "music")
    config = tmp / "config.toml"
    config.write_text(
        "[dj]\ncommentary = 0.0\n"
        '[voice]\nwake_word = "none"\n'
        f'[models]\nstt = "{stt}"\n'
        f'[library]\nmusic_folders = ["{folder}"]\n'
    )
    station = QFZZStation(
        StationConfig.from_settings(
            load_config(config), listen="none", speak=False, play=play, data_dir=tmp / "data"
        )
    )
    station.start()
    return station


class StoredWhisper(WhisperRecognizer):
    """Whisper whose readings of audio it read before come from :data:`READINGS`; those of the
    last utterance stay in ``last`` (window -> readings), for the TUNE lines' record."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.last: dict[float, list[Hypothesis]] = {}
        super().__init__(*args, **kwargs)

    def hypotheses(self, audio: np.ndarray, window_s: float = 30.0) -> list[Hypothesis]:
        found = self._stored(audio, window_s)
        self.last[window_s] = found
        return found

    def _stored(self, audio: np.ndarray, window_s: float) -> list[Hypothesis]:
        settings = f"{self.prompt}|{stt_whisper.NBEST}|{stt_whisper.MAX_NEW_TOKENS}"
        if window_s != 30.0:
            settings += f"|{window_s:g}"
        pcm = (audio * 32768.0).round().astype("<i2").tobytes()
        key = hashlib.sha256(pcm + settings.encode() + str(self.model_path).encode())
        path = READINGS / f"{key.hexdigest()[:24]}.json"
        if path.exists():
            return [
                Hypothesis(h["text"], h["score"], window_s) for h in json.loads(path.read_text())
            ]
        found = super().hypotheses(audio, window_s)
        READINGS.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps([asdict(h) for h in found]))
        return found


def recogniser_for(station: QFZZStation) -> StoredWhisper:
    """Whisper as the station would build it: its prompt, its model, the DJ as the judge."""
    stt = station._models()["stt"]
    assert stt.engine == "whisper" and stt.location is not None, stt
    phrases, words, grammar = station._vocabulary("whisper")
    recognizer = StoredWhisper(Path(stt.location), phrases, words, grammar)
    recognizer.judge = station._judge
    recognizer.meaning = station._meaning
    quick = os.environ.get("QFZZ_WHISPER_QUICK")  # trying another quick window (0: none)
    if quick:
        recognizer.quick_window_s = float(quick)
    return recognizer


def readings_of(recognizer: StoredWhisper, station: QFZZStation) -> dict[str, list[Any]]:
    """Every reading of the last utterance, per window (seconds), as [text cleaned, Whisper's
    score, the judge's verdict]: what a calibration or a choice is fitted on."""
    return {
        f"{window:g}": [
            [recognizer.clean(h.text), h.score, station._judge(recognizer.clean(h.text))]
            for h in found
        ]
        for window, found in recognizer.last.items()
    }


def weighing_of(recognizer: StoredWhisper) -> dict[str, Any]:
    """What the last utterance's confidence came of (Whisper's score for the reading chosen,
    the agreement, a toss-up), worked out again from its readings as the recogniser pooled them:
    what :data:`stt_whisper.CALIBRATION` is fitted on."""
    full, quick = recognizer.last.get(30.0, []), recognizer.last.get(recognizer.quick_window_s, [])
    pool = [*full, *quick] if 30.0 in recognizer.last else quick
    cleaned = [replace(h, text=recognizer.clean(h.text)) for h in pool]
    if not cleaned:
        return {}
    weighed = stt_whisper.weigh(cleaned, recognizer.judge, recognizer.meaning)
    return {
        "score": weighed.score,
        "agreement": weighed.agreement,
        "toss_up": weighed.toss_up,
        "doubt": weighed.doubt,
    }


def lost_in(heard_right: bool, typed: str, outcome: str) -> str:
    """Where a command not understood was lost: "misheard <outcome>", "heard right, <outcome>"
    (right: the words Whisper chose mean what the line typed means), or "not understood typed"
    (heard right, but the line typed is not understood either: the understanding's)."""
    if not heard_right:
        return f"misheard {outcome}"
    return f"heard right, {outcome}" if typed == "understood" else "not understood typed"


CALIBRATION_BINS = (0.0, 0.2, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0)
"""Confidence bins of the calibration table (the bars the DJ asks or acts at fall on edges)."""


def calibration_table(pairs: list[tuple[float, bool]]) -> dict[str, str]:
    """Per confidence bin of the TUNE lines, how many and the share heard right in meaning (the
    words chosen mean what the line typed means): a calibrated confidence is about that share."""
    table: dict[str, str] = {}
    for low, high in itertools.pairwise(CALIBRATION_BINS):
        inside = [right for c, right in pairs if low <= c < high or (high == 1.0 and c == 1.0)]
        if inside:
            share = sum(inside) / len(inside)
            table[f"{TIER}/calibration/{low:.2f}-{high:.2f}"] = f"n={len(inside)} right={share:.2f}"
    return table


SETTINGS = {
    "in_part": (whisper_doubt, "IN_PART_AGREEMENT"),
    "said_twice": (whisper_doubt, "ECHO_AGREEMENT"),
    "vote": (stt_whisper, "IN_PART_VOTE"),
    "unanimous": (stt_whisper, "UNANIMOUS"),
    "sure_words": (stt_whisper, "SURE_WORDS_FROM"),
    "nothing_margin": (whisper_doubt, "NOTHING_MARGIN"),
}
"""The bars a set of doubts may give another value (``name:value``): the agreement under which
a reading read in part is doubted, the agreement from which a repeat is the speaker's, the
least verdict a reading in part votes for the meaning of one read whole with, whether readings
all meaning the same all vote (0 or 1), the confidence from which a reading read whole is
lifted (1.01: never), how much likelier (in ln) a reading of no request must be to doubt a
request (whisper_doubt.NOTHING_MARGIN)."""


def doubt_sets() -> list[tuple[str, tuple[str, ...], dict[str, float]]]:
    """The sets of doubts (appliance/voice/whisper_doubt.py) to replay, back to back on the same
    readings: QFZZ_WHISPER_DOUBTS, sets split by ";", doubts by "," ("none": no doubt; a bar of
    :data:`SETTINGS` as "in_part:0.35", "said_twice:1.01" or "vote:0.9"), e.g.
    "echo,other_value,in_part,said_twice:1.01,vote:0.9;echo,other_value,in_part" for before and
    after (a bar not named keeps the module's value). Unset: the module's own, once."""
    spec = os.environ.get("QFZZ_WHISPER_DOUBTS")
    if not spec:
        return [("", whisper_doubt.DOUBTS, {})]
    sets = []
    for named in spec.split(";"):
        doubts, bars = [], {}
        for part in (p.strip() for p in named.split(",")):
            name, _, value = part.partition(":")
            if name in SETTINGS and value:
                bars[name] = float(value)
            if name in whisper_doubt.DOUBTS:
                doubts.append(name)
            elif name != "none" and name not in SETTINGS:
                raise ValueError(f"QFZZ_WHISPER_DOUBTS: unknown doubt {name!r}")
        sets.append((named.strip(), tuple(doubts), bars))
    return sets


def test_speech_offline(
    pulse: PulseServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    figures: dict[str, str] = {}
    defaults = {name: getattr(module, attr) for name, (module, attr) in SETTINGS.items()}
    for run, (label, doubts, bars) in enumerate(doubt_sets()):
        monkeypatch.setattr(whisper_doubt, "DOUBTS", doubts)
        for name, (module, attr) in SETTINGS.items():
            monkeypatch.setattr(module, attr, bars.get(name, defaults[name]))
        if label:
            print(f"== doubts: {label}")
        found = replay(tmp_path / f"run{run}", run)
        prefix = f"{label}/" if label else ""
        figures.update({prefix + key: value for key, value in found.items()})
    record("speech_offline", figures)


def replay(tmp_path: Path, run: int = 0) -> dict[str, str]:
    """Every chosen voice's lines through Whisper (stored readings) and a fresh station's
    dialogue: the figures, each voice's lines printed as the module doc says (the TUNE lines of
    the ``run``-th set of doubts in speech_offline_tune[_<run>].jsonl)."""
    station = benchmark_station(tmp_path)
    rows: list[Said] = []
    try:
        recognizer = recogniser_for(station)
        dialogue = station.dialogue
        assert dialogue is not None
        understanding = station.get_dj().understanding
        tuning = {v.name for v in TUNE}
        out: list[dict[str, Any]] = []
        lost: dict[str, dict[str, int]] = {}
        calibration: list[tuple[float, bool]] = []  # TUNE: (confidence, heard right in meaning)
        for voice in chosen_voices():
            for line in lines():
                pcm = silence(LEAD_S) + render(line.text, voice) + silence(TAIL_S)
                recognizer.last = {}
                transcript = recognizer.decode(pcm)
                text, confidence = transcript.text, transcript.confidence
                if normalise(text):
                    turn = dialogue.ask(text, confidence=confidence, spoken=True)
                    facts = reply_facts(turn, understanding)
                else:
                    facts = (None, {}, False, False)
                intents, slots, acted, asked = facts
                meant = typed_facts(understanding, line.text)
                typed = judge(line, *meant, False, False)
                outcome = judge(line, intents, slots, acted, asked)
                if line.intent != "unknown" and outcome != "understood":
                    heard = typed_facts(understanding, text) if normalise(text) else None
                    heard_right = heard == meant
                    kind = lost_in(heard_right, typed, outcome)
                    voice_lost = lost.setdefault(voice.name, {})
                    voice_lost[kind] = voice_lost.get(kind, 0) + 1
                rows.append(Said(TIER, voice, line, text, confidence, outcome, typed, intents,
                                 slots, acted, asked))  # fmt: skip
                if voice.name in tuning:  # held-out lines are never shown one by one
                    heard_ok = bool(normalise(text)) and typed_facts(understanding, text) == meant
                    calibration.append((confidence, heard_ok))
                    out.append({"voice": voice.name, "text": line.text, "heard": text,
                                "confidence": confidence, "outcome": outcome, "right": heard_ok,
                                "intents": list(intents or ()), "typed": typed,
                                "readings": readings_of(recognizer, station),
                                "weighing": weighing_of(recognizer)})  # fmt: skip
                    if outcome != "understood":
                        print(f"  {voice.name}: {line.text!r} -> {text!r} {confidence:.2f} "
                              f"{intents} {outcome.upper()}")  # fmt: skip
            done = [r for r in rows if r.voice == voice and r.line.intent != "unknown"]
            right = sum(r.outcome == "understood" for r in done)
            wrong = sum(r.outcome == "wrong_action" for r in done)
            losses = ", ".join(f"{k} {n}" for k, n in sorted(lost.get(voice.name, {}).items()))
            print(f"{voice.name}: {right}/{len(done)} understood, {wrong} wrong; lost: {losses}")
    finally:
        station.stop()
    summary = summarise(rows)
    figures = {
        key: " ".join(
            f"{name}={value:.0f}" if isinstance(value, float) else f"{name}={value}"
            for name, value in cell.items()
        )
        for key, cell in summary.items()
    }
    for name, where in lost.items():
        figures[f"{TIER}/{name}/lost"] = " ".join(
            f"{k.replace(' ', '_').replace(',', '')}={n}" for k, n in sorted(where.items())
        )
    everywhere: dict[str, int] = {}
    for where in lost.values():
        for k, n in where.items():
            everywhere[k] = everywhere.get(k, 0) + n
    figures[f"{TIER}/ALL/lost"] = " ".join(
        f"{k.replace(' ', '_').replace(',', '')}={n}" for k, n in sorted(everywhere.items())
    )
    figures.update(calibration_table(calibration))
    for key in figures:
        if key.endswith(("/ALL", "/ALL-espeak", "/ALL-joe", "/ALL/lost")):
            print(key, figures[key])
    if out:
        name = f"speech_offline_tune_{run}.jsonl" if run else "speech_offline_tune.jsonl"
        with (RESULTS / name).open("w") as lines_out:
            lines_out.writelines(json.dumps(row) + "\n" for row in out)
    assert rows
    return figures
