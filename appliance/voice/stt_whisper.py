"""The Whisper tier: faster-whisper (CTranslate2, int8) with a Whisper model such as tiny.en.

Whisper is not a streaming recogniser: its encoder always reads a 30 s window, so it runs once,
when the utterance has ended (about 0.3-0.4 s for a short command on the development machine,
whatever the command's length). It gives no partial transcripts: ``accept`` only keeps the audio.
pocketsphinx alongside for partials was measured and left out: it would cost a tenth of a core
while listening (real-time factor 0.10-0.14 with the DJ's language model) and 30-96 MB, and its
text was wrong for 40 % of the commands Whisper heard right, so partials would mislead anything
that acts on them (ending the utterance early); the final is ready a third of a second after
the end of speech.

It hears open English, so it is biased rather than constrained: the prompt it reads before the
audio holds the library's names and the DJ's commands as sentences, which turns "let's get" back
into "skip" and "of course" into "pause". Its text keeps Whisper's capitals, punctuation and
digits ("Set the volume to 30."); only what is left of the wake word is cut from the front.

Confidence (0..1) is the share of transcripts that were right at that score (the shared meaning,
:data:`appliance.voice.stt.CONFIDENT`): Whisper's own score, ``exp(avg_logprob) *
(1 - no_speech_prob)`` over the segments, mapped by a fit on right and wrong transcripts
(:data:`CONFIDENCE_SLOPE`). A decode that loops (:data:`COMPRESSION_LIMIT`) is not speech: 0.
"""

from __future__ import annotations

import logging
import math
import os
import re
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from appliance.audio_format import RATE
from appliance.errors import SpeechError
from appliance.events import Transcript
from appliance.grammar import Grammar
from appliance.voice.stt import Vocabulary, final_transcript, normalise

log = logging.getLogger("appliance.voice.stt_whisper")
logging.getLogger("faster_whisper").setLevel(logging.WARNING)  # not a line per command

PROMPT_TOKENS = 220
"""Whisper reads at most 223 prompt tokens (half its context); faster-whisper keeps the last."""
COMMAND_TOKENS = 120
"""Of those, the commands' share; the library's names get the rest (and all of it without
commands)."""
CONFIDENCE_SLOPE, CONFIDENCE_MIDPOINT = 20.0, 0.716
"""Whisper's score s becomes the share of transcripts right at that score:
1 / (1 + exp(-20 (s - 0.716))), a logistic fit on the TUNE voices of tests/support/voices.py
(18 everyday commands x 8 voices with the daemon's prompt: 130 of 144 right). Checked on the
14 HELD-OUT voices (218 of 252 right; tests/benchmarks/bench_recognition.py reports it): of
those mapped to 0.9 or more, 98 % were right (188); 0.8-0.9, 81 % (16); 0.7-0.8, 56 % (9);
0.5-0.7, 67 % (6); below 0.5, 36 % (33, mapped 0.17 on average: the low end is too modest).
Whisper is rarely unsure of what it writes: a wrong transcript is mostly a near miss written
with confidence ("play something by say"), so the score tells speech from noise (raw 0.0-0.34,
under 0.001 mapped) far better than right from wrong."""
MAX_NEW_TOKENS = 48
"""A command is under 20 tokens; the cap stops a decode that loops ("Play. Play. Play. ...", 5-7 s
on random audio) at about a second."""
COMPRESSION_LIMIT = 2.4
"""Text that gzip shrinks more than this is a loop, not speech: confidence 0 (Whisper's own
cut-off, which its temperature fallback would apply but one pass never does)."""


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
    ) -> None:
        self.model_path = model_path
        self.model = model if model is not None else load_model(model_path)
        self.vocabulary = Vocabulary()
        self.prompt = ""
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
        data = bytes(self._audio[: len(self._audio) // 2 * 2])  # a torn last sample: dropped
        audio = np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0
        self._audio.clear()
        started = time.perf_counter()
        text, confidence = self._transcribe(audio) if audio.size else ("", 0.0)
        text = strip_wake(text, self.vocabulary)
        if not normalise(text):
            text, confidence = "", 0.0
        work = time.perf_counter() - started
        return final_transcript(text, confidence, audio.size / RATE, work, work)

    def _transcribe(self, audio: np.ndarray) -> tuple[str, float]:
        segments, _info = self.model.transcribe(
            audio,
            language="en",
            beam_size=1,
            temperature=0.0,  # one pass: a fallback re-decode would double the wait
            max_new_tokens=MAX_NEW_TOKENS,
            without_timestamps=True,
            condition_on_previous_text=False,
            vad_filter=False,  # the listener's VAD already cut the utterance
            initial_prompt=self.prompt or None,
        )
        segments = list(segments)
        return "".join(s.text for s in segments).strip(), confidence_of(segments)


def confidence_of(segments: Sequence[Any]) -> float:
    """The share of transcripts right at these segments' score (:data:`CONFIDENCE_SLOPE`)."""
    score = raw_score(segments)
    if score <= 0.0:
        return 0.0
    return round(1.0 / (1.0 + math.exp(-CONFIDENCE_SLOPE * (score - CONFIDENCE_MIDPOINT))), 4)


def raw_score(segments: Sequence[Any]) -> float:
    """exp(mean token log-probability) x (1 - the highest no-speech probability), 0..1; 0 for
    a loop."""
    if not segments:
        return 0.0
    tokens = [max(1, len(getattr(s, "tokens", ()) or ())) for s in segments]
    logprob = sum(s.avg_logprob * n for s, n in zip(segments, tokens, strict=True)) / sum(tokens)
    if any(getattr(s, "compression_ratio", 0.0) > COMPRESSION_LIMIT for s in segments):
        return 0.0
    no_speech = max(s.no_speech_prob for s in segments)
    return round(min(1.0, max(0.0, math.exp(logprob) * (1.0 - no_speech))), 4)


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
    "play some jazz."), the rest exactly as Whisper wrote it."""
    tokens = [(m.start(), normalise(m.group())) for m in re.finditer(r"\S+", text)]
    said = [clean for _start, clean in tokens if clean]
    stripped = vocabulary.strip_wake(" ".join(said))
    if stripped == " ".join(said):
        return text
    drop = len(" ".join(said).split()) - len(stripped.split())
    for start, clean in tokens:
        if clean:
            drop -= len(clean.split())
        if drop < 0:
            return re.sub(r"^[\s,.;:!?-]+", "", text[start:])
    return ""
