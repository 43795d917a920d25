"""The Whisper tier: faster-whisper (CTranslate2, int8) with a Whisper model such as tiny.en.

Whisper is not a streaming recogniser: its encoder reads a 30 s window, so it runs once, when
the utterance has ended (about 0.3-0.4 s for a short command on the development machine,
whatever the command's length). A short utterance is read first in a 12 s window, a third of
the cost, and that reading is kept when it is sure and understood (:data:`QUICK_WINDOW_S`).
It gives no partial transcripts: ``accept`` only keeps the audio. pocketsphinx alongside for
partials was measured and left out: it would cost a tenth of a core while listening (real-time
factor 0.10-0.14 with the DJ's language model) and 30-96 MB, and its text was wrong for 40 % of
the commands Whisper heard right, so partials would mislead anything that acts on them (ending
the utterance early); the final is ready a third of a second after the end of speech.

It hears open English, so it is biased rather than constrained: the prompt it reads before the
audio holds the library's names and the DJ's commands as sentences, which turns "let's get" back
into "skip" and "of course" into "pause". A beam search keeps Whisper's :data:`NBEST` readings,
and the station's judge (the DJ's understanding, passed in: this module never imports the DJ)
chooses among them (:func:`choose`). Its text keeps Whisper's capitals, punctuation and digits
("Set the volume to 30."); only what is left of the wake word is cut from the front, and a
hundred said after a pause is mended (:func:`mend_numbers`).

Confidence (0..1) is the share of readings that were right at that value (the shared meaning,
:data:`appliance.voice.stt.CONFIDENT`; a little under it, as a wrong reading weighs double), from
Whisper's own score for the reading chosen and how far the n-best agree with it, in words or in
a meaning the understanding reads surely (:data:`CALIBRATION`, :data:`SURE_READ`, and words it
set aside: :data:`IN_PART_VOTE`; all of them when every reading means it: :data:`UNANIMOUS`);
each window read is one vote, so two windows saying the same count as one did. A reading the
understanding reads word for word and nothing doubts is lifted from 0.7 to the share right
measured for such readings (:data:`SURE_WORDS_FROM`). A reading with another meaning nearly as
likely makes it doubtful (:data:`AMBIGUOUS_MARGIN`), and so does a sign among the readings that
it was misheard (:mod:`appliance.voice.whisper_doubt`: a sentence Whisper looped on, a value a
reading read word for word names otherwise, words understood in part that the readings split
on, readings all read in part that split only on the words the understanding set aside,
readings read word for word that mostly ask for another request, or all do while the one
chosen was read in part). A decode that loops (:data:`COMPRESSION_LIMIT`) is not speech: 0.
"""

from __future__ import annotations

import logging
import math
import os
import re
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

import numpy as np

from appliance.audio_format import RATE
from appliance.errors import SpeechError
from appliance.events import Transcript
from appliance.grammar import Grammar
from appliance.voice import whisper_doubt
from appliance.voice.reading_sense import Judge, Meaning, judged, meaning_of
from appliance.voice.stt import Vocabulary, final_transcript, normalise

log = logging.getLogger("appliance.voice.stt_whisper")
logging.getLogger("faster_whisper").setLevel(logging.WARNING)  # not a line per command

PROMPT_TOKENS = 220
"""Whisper reads at most 223 prompt tokens (half its context); faster-whisper keeps the last."""
COMMAND_TOKENS = 120
"""Of those, the commands' share; the library's names get the rest (and all of it without
commands)."""
MAX_NEW_TOKENS = 48
"""A command is under 20 tokens; the cap stops a decode that loops ("Play. Play. Play. ...", 5-7 s
on random audio) at about a second."""
COMPRESSION_LIMIT = 2.4
"""Text that gzip shrinks more than this is a loop, not speech: confidence 0 (Whisper's own
cut-off, which its temperature fallback would apply but one pass never does)."""
NBEST = 5
"""Readings kept from the beam search for the understanding to choose among (the beam costs
30 ms more than one greedy pass; the encoder's 30 s window costs the rest)."""
JUDGE_WEIGHT = 1.0
"""How much the understanding's verdict (0..1) weighs against ln(Whisper's score) when choosing
a reading; chosen on the TUNE voices (8 voices x 57 lines of speech_commands.tsv: with 0,
272 of 336 commands read right; 0.5, 293; 1, 297; 2 or more, no better, more chatter read as
commands)."""
CALIBRATION = (3.2, 2.1, 1.68)
"""confidence = 1 / (1 + exp(-(3.2 ln(score) + 2.1 agreement + 1.68))): a logistic fit on one
window's TUNE readings, right or wrong in meaning, with a wrong one counting twice (a wrong
action costs more than a question), so the share right is at or a little above it. The raw
score alone (the fit before) put espeak-accented but right commands at 0.05 ("No. I said
jazz."); agreement among the n-best tells those from near misses, which the beam spells several
ways. With both windows read, the agreement is each window's share averaged (:func:`_share`),
on the scale it was fitted on; on the TUNE voices (904 lines, offline replay) the share heard
right in meaning is then 74 % at confidence 0.6-0.7, 84 % at 0.7-0.8, 94 % at 0.8-0.9, 98 %
at 0.9-0.95 and 100 % above, 25-39 % below 0.6 (toss-ups at 0.5 among them). A refit on
those readings (5.43, 3.72, 1.89) was no closer below 0.7 and understood fewer (573 of 664
commands against 581, 10 wrong actions against 13): not taken
(tests/benchmarks/bench_speech_offline.py prints the table)."""
QUICK_WINDOW_S = 12.0
"""The window of the quick first reading, in seconds (the utterance padded up to it; a longer
one has none). The encoder's cost follows its window, not the speech: a 12 s window is about
a third of the 30 s one (on the development machine 50-110 ms instead of 250-350 ms for a
short command), but Whisper, trained on 30 s windows, reads short ones less well (on the TUNE
voices: 81 % of commands understood instead of 84 %, more of them repeated or misheard), so
the quick reading is kept only when it is sure (:data:`QUICK_SURE`, :data:`QUICK_JUDGED`):
231 of 456 TUNE lines (every other line of speech_commands.tsv, 8 voices), none of them meaning
anything else than the full window's reading (tests/benchmarks/bench_speech_offline.py: 85 %
understood with it, 84 % without, the same wrong actions). 0: no quick reading."""
QUICK_SURE = 0.8
"""The least confidence (share right) a quick reading is kept with."""
QUICK_JUDGED = 0.9
"""The least the judge (the DJ's understanding) must grant a quick reading: a request it knows
nearly word for word; without a judge no quick reading is kept."""
SURE_READ = whisper_doubt.SURE_READ
"""Readings the judge grants at least this (read word for word or nearly) agree with the one
chosen when they mean the same (the station's ``meaning``): "Please no more techno for me
ever." and "Place no more techno for me ever." are one request, which word agreement alone
counted as a split vote, so on the TUNE voices such requests heard right were asked about."""
IN_PART_VOTE = 0.85
"""A reading the judge grants at least this, though under :data:`SURE_READ` (words mended, or
taken out around the request: "Place no more techno for me ever."), also agrees with the one
chosen when it means the same and the one chosen is read word for word: Whisper split on words
the understanding sets aside, not on the request. A loose read (0.8: a name found by near miss,
or words left over: "Put on some happy magic.") does not vote, as that is how a misheard name
reads ("Put on some happy music." for "... happy reggae"). On the TUNE voices (offline replay
of 664 commands, back to back on the same readings, tests/benchmarks/bench_speech_offline.py):
commands understood 577 -> 581 and asked 55 -> 51 with it, wrong actions 10 as before (0.8:
581 understood and 11 wrong, the genre lost above acted on; 0.9, only readings read word for
word: as before)."""
AMBIGUOUS_MARGIN = 0.05
"""A reading that means something else and chooses within this much of the one chosen
(ln(score) + :data:`JUDGE_WEIGHT` x judge) makes the reading a toss-up ("I'm working now."
0.852 against "I'm working out." 0.850): its confidence is at most :data:`AMBIGUOUS_CAP`. The
rival counts when it was read in the chosen reading's window or in the full one: the quick
window, which reads less well, does not make a toss-up of the full window's reading (gb_f2's
"Play get lucky." against the quick window's "Play that like it."), while the full window
still doubts a quick reading ("Play something up beat" against its "upbeat")."""
AMBIGUOUS_CAP = 0.5
"""A toss-up's (or a doubted reading's) confidence: below the ordinary bar (asked about), above
a harmless one's."""
UNANIMOUS = True
"""When every reading, of each window read, is understood and means what the one chosen means,
and that one is read word for word (:data:`SURE_READ`), all of them agree however loosely the
understanding read the others: "Please no more techno for me, Amber." (0.73, a word left
over) beside "Please, no more techno for me ever." On the TUNE voices (offline replay, back to
back on the same readings and understanding): understood 570 -> 571, asked 58 -> 57, wrong
actions as before."""
SURE_WORDS_FROM = 0.7
"""A reading read word for word (:data:`SURE_READ`), with no toss-up and no sign of mishearing,
whose confidence is at least this has :data:`SURE_WORDS_CONFIDENCE`: on the TUNE voices 28 of
28 such readings at 0.7-0.8 meant what was said (104 of 105 at 0.8-0.9), against 11 of 14 at
0.6-0.7 (a chatter line read as a skip among them) and 36 of 41 of the other readings at
0.7-0.8. :data:`CALIBRATION` fits all readings alike, so these were asked about before a skip,
a dislike or a correction ("No, I said jazz." 0.73, "Not really feeling this." 0.74). Offline
replay, back to back: understood 571 -> 577, asked 57 -> 52, wrong actions as before. The
held-out voices, replayed once after the choice with :data:`UNANIMOUS` and
``whisper_doubt.OTHER_REQUEST`` (totals): understood 928 -> 932 of 1,162, wrong actions on
commands 39 -> 38, but chatter acted on 2 -> 3."""
SURE_WORDS_CONFIDENCE = 0.85
"""Under the share right measured for them (the Wilson bound of 28 of 28 at 95 % is 0.88)."""
FULL_WINDOW_S = whisper_doubt.FULL_WINDOW_S
"""Whisper's own window, in seconds: what the encoder reads when no quick window is asked (one
value with the doubts', which tell the full window's readings by it)."""
FRAMES_PER_S = 100
"""Whisper's log-mel frames per second of audio (a hop of 10 ms)."""
FLOOR = whisper_doubt.FLOOR
"""The least score a reading is weighed with (ln 0 is not a number), as the doubts weigh it."""


@dataclass(frozen=True)
class Hypothesis:
    """One reading of the audio and Whisper's raw score for it (see :func:`raw`)."""

    text: str
    score: float
    window: float = FULL_WINDOW_S
    """The encoder window it was read in, in seconds: readings of one window are one vote."""


@dataclass(frozen=True)
class _Decoder:
    tokenizer: Any
    suppressed: list[int]


def model_threads() -> int:
    """CTranslate2's threads: the cores this process may use (affinity, cgroup cpusets), less one
    left for the audio when there are more than two, at most four (more do not speed up a short
    command)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        cores = os.cpu_count() or 1
    if cores > 2:
        cores -= 1
    return max(1, min(4, cores))


MODEL_FILES = ("model.bin", "config.json", "tokenizer.json")
"""What a folder must hold: without tokenizer.json faster-whisper fetches one from the network."""


def load_model(model_path: Path) -> Any:
    """A CTranslate2 Whisper model from a folder (never by name: that would go to the network)."""
    missing = [name for name in MODEL_FILES if not (model_path / name).is_file()]
    if missing:
        raise SpeechError(
            f"{model_path}: not a CTranslate2 Whisper model folder "
            f"(no {' or '.join(missing)} inside)",
            hint="point the speech model at the folder holding model.bin, config.json and "
            "tokenizer.json (`appliance models list` shows where each model is)",
        )
    try:
        from faster_whisper import WhisperModel
    except ImportError as error:
        raise SpeechError(
            "the whisper engine needs the faster-whisper package",
            hint="run `make run` again (it installs it), or choose another recogniser",
        ) from error
    try:
        return WhisperModel(
            str(model_path), device="cpu", compute_type="int8", cpu_threads=model_threads()
        )
    except Exception as error:  # CTranslate2 raises RuntimeError/ValueError for a bad model
        raise SpeechError(
            f"{model_path}: faster-whisper cannot load this model ({error})",
            hint="the model may be incomplete: `appliance models verify` checks it",
        ) from error


class WhisperRecognizer:
    """Whisper run once per utterance, biased by a prompt of commands and names."""

    name = "whisper"
    partials = False
    """No partial transcripts (see the module doc)."""

    def __init__(
        self,
        model_path: Path,
        phrases: Sequence[str] = (),
        words: Sequence[str] = (),
        grammar: Grammar | None = None,
        wake_phrases: Sequence[str] = (),
        model: Any = None,
        judge: Judge | None = None,
    ) -> None:
        self.model_path = model_path
        self.model = model if model is not None else load_model(model_path)
        self.judge = judge
        """Chooses among Whisper's readings (see :func:`choose`); may be set after start-up."""
        self.meaning: Meaning | None = None
        """What a reading means, for agreement and toss-ups (see :func:`choose`); may be set
        after start-up, as the judge."""
        self.quick_window_s = QUICK_WINDOW_S
        """The quick first reading's window (see :data:`QUICK_WINDOW_S`)."""
        self.vocabulary = Vocabulary()
        self.prompt = ""
        self._prompt_ids: list[int] = []
        self._decoding: _Decoder | None = None
        self._audio = bytearray()
        self.set_vocabulary(phrases, words, wake_phrases, grammar)
        self._warm_up()

    def _warm_up(self) -> None:
        """The first transcription sets up CTranslate2's buffers (twice as slow): do it now,
        not on the person's first command."""
        started = time.perf_counter()
        self._transcribe(np.zeros(RATE // 2, dtype=np.float32))
        log.debug("whisper warmed up in %.0f ms", (time.perf_counter() - started) * 1000)

    # -- vocabulary ----------------------------------------------------------------------------

    def set_vocabulary(
        self,
        phrases: Sequence[str],
        words: Sequence[str],
        wake_phrases: Sequence[str] = (),
        grammar: Grammar | None = None,
    ) -> None:
        """``phrases``: command sentences, plainest first (the first fill the prompt);
        ``words``: names from the library. Slotted phrases ("play {artist}") are left out."""
        self.vocabulary = Vocabulary.build(phrases, words, wake_phrases, grammar)
        self.prompt = build_prompt(
            [p for p in self.vocabulary.phrases if "{" not in p],
            list(self.vocabulary.words),
            self._count_tokens,
        )
        ids = self._decoder().tokenizer.encode(" " + self.prompt) if self.prompt else []
        self._prompt_ids = ids[-PROMPT_TOKENS:]

    def _count_tokens(self, text: str) -> int:
        tokenizer = getattr(self.model, "hf_tokenizer", None)
        if tokenizer is None:
            return len(text) // 3 + 1
        return len(tokenizer.encode(text, add_special_tokens=False).ids)

    # -- one utterance -------------------------------------------------------------------------

    def adapt(self, pcm: bytes) -> None:
        """Nothing to do: Whisper normalises each window's levels itself."""

    def start(self) -> None:
        self._audio.clear()

    def accept(self, pcm: bytes) -> str | None:
        self._audio += pcm
        return None

    def finish(self) -> Transcript:
        data = bytes(self._audio)
        self._audio.clear()
        return self.decode(data)

    def decode(self, pcm: bytes) -> Transcript:
        """The final transcript of ``pcm`` without touching the utterance being heard: the
        listener may start it on another thread when a pause begins (see listener.py)."""
        data = pcm[: len(pcm) // 2 * 2]  # a torn last sample: dropped
        audio = np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0
        started = time.perf_counter()
        text, confidence = self._transcribe(audio) if audio.size else ("", 0.0)
        if not normalise(text):
            text, confidence = "", 0.0
        work = time.perf_counter() - started
        return final_transcript(text, confidence, audio.size / RATE, work, work)

    def _transcribe(self, audio: np.ndarray) -> tuple[str, float]:
        """The best reading of ``audio`` and its confidence (see :func:`choose`): the quick
        one when it is sure (see :data:`QUICK_WINDOW_S`), else the best of both windows'."""
        quick = self.quick_window_s
        first: list[Hypothesis] = []
        if quick and self.judge is not None and audio.size < quick * RATE:
            first = self.hypotheses(audio, quick)
            weighed = self.weighed(first) if first else None
            if (
                weighed is not None
                and weighed.capped >= QUICK_SURE
                and judged(self.judge, weighed.text) >= QUICK_JUDGED
            ):
                return weighed.text, weighed.confidence
        return self.read([*self.hypotheses(audio), *first])

    def read(self, hypotheses: Sequence[Hypothesis]) -> tuple[str, float]:
        """The reading to act on among Whisper's ``hypotheses`` (cleaned), and its confidence:
        apart from the decoding so a replay of stored readings chooses as the station does.
        When the quick reading was not sure, the full window's readings come first and the
        quick window's after them, all chosen among: a word the quick window heard right
        ("Play some hip hop for the workout." where the full one wrote "dip hop") is still
        there to choose, and each window's agreement counts once (see :func:`_share`)."""
        if not hypotheses:
            return "", 0.0
        weighed = self.weighed(hypotheses)
        return weighed.text, weighed.confidence

    def weighed(self, hypotheses: Sequence[Hypothesis]) -> Weighing:
        """The reading chosen among ``hypotheses`` (cleaned; not empty) and what its
        confidence comes of."""
        cleaned = [replace(h, text=self.clean(h.text)) for h in hypotheses]
        return weigh(cleaned, self.judge, self.meaning)

    def clean(self, text: str) -> str:
        """Whisper's text without the wake word's tail, its numbers mended."""
        return mend_numbers(strip_wake(text, self.vocabulary))

    def hypotheses(self, audio: np.ndarray, window_s: float = FULL_WINDOW_S) -> list[Hypothesis]:
        """Whisper's :data:`NBEST` readings of ``audio`` (one encoder pass over ``window_s``
        seconds, a beam search), its likeliest first; none when it wrote nothing."""
        from faster_whisper.audio import pad_or_trim

        decoder = self._decoder()
        features = self.model.feature_extractor(audio)
        frames = features.shape[-1] - 1
        window = pad_or_trim(features[:, :frames], window_frames(frames, window_s))
        encoded = self.model.encode(window)
        prompt = self.model.get_prompt(decoder.tokenizer, self._prompt_ids, without_timestamps=True)
        result = self.model.model.generate(
            encoded,
            [prompt],
            beam_size=NBEST,
            num_hypotheses=NBEST,
            max_length=len(prompt) + MAX_NEW_TOKENS,
            return_scores=True,
            return_no_speech_prob=True,
            suppress_blank=True,
            suppress_tokens=decoder.suppressed,
        )[0]
        found: list[Hypothesis] = []
        for ids, score in zip(result.sequences_ids, result.scores, strict=True):
            text = decoder.tokenizer.decode(ids).strip()
            if text:
                # scores are sum(logprob) / len; Whisper's average counts the end token too
                logprob = score * len(ids) / (len(ids) + 1)
                weight = raw(logprob, result.no_speech_prob, text)
                found.append(Hypothesis(text, weight, window_s))
        return found

    def _decoder(self) -> _Decoder:
        if self._decoding is None:
            from faster_whisper.tokenizer import Tokenizer
            from faster_whisper.transcribe import get_suppressed_tokens

            tokenizer = Tokenizer(
                self.model.hf_tokenizer, self.model.model.is_multilingual, "transcribe", "en"
            )
            self._decoding = _Decoder(tokenizer, list(get_suppressed_tokens(tokenizer, [-1])))
        return self._decoding


def window_frames(frames: int, least_s: float) -> int:
    """How many log-mel frames the encoder reads for ``frames`` of speech: at least
    ``least_s`` seconds' worth, at most Whisper's 30 s, and an even count (its convolution
    halves them)."""
    full = int(30 * FRAMES_PER_S)
    wanted = max(frames, int(least_s * FRAMES_PER_S))
    return min(full, wanted + wanted % 2)


def raw(logprob: float, no_speech: float, text: str) -> float:
    """Whisper's score for a reading: exp(mean token log-probability) x (1 - no-speech
    probability), 0..1; 0 for a loop (:data:`COMPRESSION_LIMIT`)."""
    if compression_ratio(text) > COMPRESSION_LIMIT:
        return 0.0
    return round(min(1.0, max(0.0, math.exp(logprob) * (1.0 - no_speech))), 4)


def compression_ratio(text: str) -> float:
    """How much zlib shrinks ``text``: a decode that loops shrinks a lot."""
    data = text.encode("utf-8")
    return len(data) / len(zlib.compress(data)) if data else 0.0


def choose(
    hypotheses: Sequence[Hypothesis], judge: Judge | None = None, meaning: Meaning | None = None
) -> tuple[str, float]:
    """The reading to act on and its confidence (the share right, as every engine's).

    With a ``judge`` the reading with the highest ln(score) + :data:`JUDGE_WEIGHT` x judge
    wins: a reading the understanding accepts word for word beats Whisper's likeliest when
    Whisper was less than e times as sure of that ("Skip this one." over "Keep this one.").
    The confidence is :func:`calibrated` from the winner's score and how many of the readings
    (by Whisper's weight, each window's share averaged) say the same words, or with a
    ``meaning``, mean the same and are read surely (:data:`SURE_READ`), whichever is more; and it
    is at most :data:`AMBIGUOUS_CAP` when a reading meaning something else came within
    :data:`AMBIGUOUS_MARGIN` of winning, in the winner's window or the full one, or when the
    readings show a sign of mishearing (:func:`appliance.voice.whisper_doubt.doubt`)."""
    if not hypotheses:
        return "", 0.0
    weighed = weigh(hypotheses, judge, meaning)
    return weighed.text, weighed.confidence


@dataclass(frozen=True)
class Weighing:
    """What the confidence of the reading chosen comes of (see :func:`choose`)."""

    text: str
    score: float
    """Whisper's raw score for it."""
    agreement: float
    """The share of the readings' weight that says the same words or means the same surely."""
    toss_up: bool
    """A reading meaning something else came within :data:`AMBIGUOUS_MARGIN` of it."""
    doubt: str | None = None
    """A sign among the readings that it was misheard (:mod:`appliance.voice.whisper_doubt`)."""
    read_whole: bool = False
    """The understanding read it word for word or nearly (:data:`SURE_READ`)."""

    @property
    def capped(self) -> float:
        """The confidence as :data:`CALIBRATION` fits every reading, capped when doubted (the
        quick window's bar was measured on it)."""
        confidence = calibrated(self.score, self.agreement)
        doubted = self.toss_up or self.doubt is not None
        return min(confidence, AMBIGUOUS_CAP) if doubted else confidence

    @property
    def confidence(self) -> float:
        """:attr:`capped`, lifted for an undoubted reading read whole (:data:`SURE_WORDS_FROM`)."""
        confidence = self.capped
        undoubted = not self.toss_up and self.doubt is None
        if self.read_whole and undoubted and confidence >= SURE_WORDS_FROM:
            return max(confidence, SURE_WORDS_CONFIDENCE)
        return confidence


def weigh(
    hypotheses: Sequence[Hypothesis], judge: Judge | None = None, meaning: Meaning | None = None
) -> Weighing:
    """The reading chosen among ``hypotheses`` (not empty) and what its confidence comes of."""
    if judge is None:
        chosen = 0
        verdicts = [0.0] * len(hypotheses)
        ranks = [0.0] * len(hypotheses)
    else:
        verdicts = [judged(judge, h.text) for h in hypotheses]
        ranks = [
            _log(h.score) + JUDGE_WEIGHT * v for h, v in zip(hypotheses, verdicts, strict=True)
        ]
        chosen = ranks.index(max(ranks))
    best = hypotheses[chosen]
    said = normalise(best.text)
    agreement = _share(hypotheses, [normalise(h.text) == said for h in hypotheses])
    meanings = [
        meaning_of(meaning, h.text) if v > 0.0 and meaning is not None else None
        for h, v in zip(hypotheses, verdicts, strict=True)
    ]
    meant = meanings[chosen]
    reads = [
        whisper_doubt.Read(h.text, v, m, h.score, h.window)
        for h, v, m in zip(hypotheses, verdicts, meanings, strict=True)
    ]
    full = [h for h in hypotheses if h.window == FULL_WINDOW_S]
    full_share = _share(full, [normalise(h.text) == said for h in full]) if full else None
    doubt = whisper_doubt.doubt(
        reads[chosen], reads, agreement, whisper_doubt.DOUBTS, full_share=full_share
    )
    if judge is None or meaning is None or meant is None:
        return Weighing(best.text, best.score, agreement, False, doubt)
    vote = IN_PART_VOTE if verdicts[chosen] >= SURE_READ else SURE_READ
    if UNANIMOUS and verdicts[chosen] >= SURE_READ and all(m == meant for m in meanings):
        vote = 0.0
    sure = _share(
        hypotheses,
        [m == meant and v >= vote for m, v in zip(meanings, verdicts, strict=True)],
    )
    doubting = {best.window, FULL_WINDOW_S}
    toss_up = any(
        m is not None
        and m != meant
        and r >= ranks[chosen] - AMBIGUOUS_MARGIN
        and h.window in doubting
        for h, m, r in zip(hypotheses, meanings, ranks, strict=True)
    )
    whole = verdicts[chosen] >= SURE_READ
    return Weighing(best.text, best.score, max(agreement, sure), toss_up, doubt, whole)


def _share(hypotheses: Sequence[Hypothesis], agreeing: Sequence[bool]) -> float:
    """The share of the readings' weight (Whisper's score) that agrees, each window's share
    averaged: a reading both windows wrote counts as one window's did, not twice, and the
    agreement stays on the scale :data:`CALIBRATION` was fitted on (one window's readings)."""
    weights = [max(h.score, FLOOR) for h in hypotheses]
    windows = sorted({h.window for h in hypotheses})
    shares = []
    for window in windows:
        mine = [
            (w, a)
            for h, w, a in zip(hypotheses, weights, agreeing, strict=True)
            if h.window == window
        ]
        shares.append(sum(w for w, a in mine if a) / sum(w for w, _ in mine))
    return sum(shares) / len(shares)


def calibrated(score: float, agreement: float) -> float:
    """The share of readings right at Whisper's raw ``score`` when ``agreement`` (0..1) of the
    n-best's weight says the same words (:data:`CALIBRATION`); 0 for no score."""
    if score <= 0.0:
        return 0.0
    slope, agreeing, bias = CALIBRATION
    z = slope * _log(score) + agreeing * agreement + bias
    return round(1.0 / (1.0 + math.exp(-z)), 4)


def _log(score: float) -> float:
    return math.log(max(score, FLOOR))


def build_prompt(commands: Sequence[str], names: Sequence[str], count: Any) -> str:
    """Names, then commands, as Whisper-style sentences within :data:`PROMPT_TOKENS`.

    Commands come last so that faster-whisper, which keeps a prompt's last tokens, never cuts
    them; they come in the order given (plainest first) until :data:`COMMAND_TOKENS`."""
    said: list[str] = []
    used = 0
    for command in commands:
        sentence = command[:1].upper() + command[1:] + "."
        cost = count(" " + sentence)
        if used + cost > COMMAND_TOKENS:
            break
        said.append(sentence)
        used += cost
    shown: list[str] = []
    for name in names:
        spelled = " ".join(w[:1].upper() + w[1:] for w in name.split())
        cost = count(" " + spelled + ",")
        if used + cost > PROMPT_TOKENS:
            break
        shown.append(spelled)
        used += cost
    head = ", ".join(shown) + "." if shown else ""
    return " ".join(part for part in (head, " ".join(said)) if part)


def strip_wake(text: str, vocabulary: Vocabulary) -> str:
    """``text`` without a leading leftover of the wake phrase ("Jarvis, play some jazz." ->
    "play some jazz."; "I'm nervous. Skip." -> "Skip.": see :func:`_sounds_like_wake`), the
    rest exactly as Whisper wrote it."""
    tokens = [(m.start(), m.end(), normalise(m.group())) for m in re.finditer(r"\S+", text)]
    said = [clean for _start, _end, clean in tokens if clean]
    stripped = vocabulary.strip_wake(" ".join(said))
    if stripped == " ".join(said):
        return _strip_sounding_like_wake(text, tokens, vocabulary)
    drop = len(" ".join(said).split()) - len(stripped.split())
    for start, _end, clean in tokens:
        if clean:
            drop -= len(clean.split())
        if drop < 0:
            return _rest(text[start:])
    return ""


WAKE_HEARD_AS = {"jarvis": ("nervous", "service", "hardest", "farthest", "harvest")}
"""How Whisper wrote the wake word's tail on the TUNE voices (tests/support/voices.py) when the
command followed in the same breath ("I'm nervous. Skip.", "Service play some jazz."), besides
the words spelled like it (:data:`SPELLED_LIKE`)."""
SPELLED_LIKE = 0.6
"""A word this similar to the wake phrase's last word (difflib's ratio) is its tail: "Travis",
"Jervis", "Harvest" for "jarvis"; "Naboo" for "nabu"; "Microsoft" for "mycroft"."""
WAKE_SENTENCE_WORDS = 3
"""A first sentence this short holding the tail ("I'm nervous.") is all wake word."""


def _strip_sounding_like_wake(
    text: str, tokens: list[tuple[int, int, str]], vocabulary: Vocabulary
) -> str:
    """``text`` without a first word sounding like the wake word's tail ("Service play some
    jazz."), or else without a first sentence of at most :data:`WAKE_SENTENCE_WORDS` words
    ending on one, when more follows ("I'm nervous. Skip.")."""
    tails = {phrase.split()[-1] for phrase in vocabulary.wake_phrases if phrase.split()}
    if not tails or not tokens:
        return text
    if _sounds_like_wake(tokens[0][2], tails):
        return _rest(text[tokens[0][1] :])
    for _start, end, clean in tokens[: min(WAKE_SENTENCE_WORDS, len(tokens) - 1)]:
        if text[end - 1] in ".,!?;:":
            return _rest(text[end:]) if _sounds_like_wake(clean, tails) else text
    return text


def _sounds_like_wake(word: str, tails: set[str]) -> bool:
    return any(
        word in WAKE_HEARD_AS.get(tail, ())
        or SequenceMatcher(None, word, tail).ratio() >= SPELLED_LIKE
        for tail in tails
    )


def _rest(text: str) -> str:
    return re.sub(r"^[\s,.;:!?-]+", "", text)


HUNDRED_HEARD_AS = r"(?:hundred|handry|hendry|henry|andry|and read|under it)"
"""How Whisper wrote "hundred" said after a pause ("set the volume to one ... hundred": "Set
the volume to one. Handry."), on the TUNE voices."""
_HUNDRED = re.compile(
    r"\b(one|two|three|four|five|six|seven|eight|nine|a|[1-9])[.,!?]*\s+"
    + HUNDRED_HEARD_AS
    + r"\b[.,!?]*",
    re.IGNORECASE,
)


def mend_numbers(text: str) -> str:
    """``text`` with a hundred said after a pause made whole again ("one. Handry." -> "one
    hundred."); the understanding would read "one" alone as a volume of 1."""
    mended = _HUNDRED.sub(lambda m: f"{m.group(1)} hundred", text)
    if mended != text and not mended.rstrip().endswith((".", "?", "!")):
        mended = mended.rstrip() + "."
    return mended
