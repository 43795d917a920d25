"""Speech recognition: one streaming interface, engines as tiers behind it.

A recogniser is fed audio while the person speaks (``accept``), reports partial text as it
changes, and gives the final :class:`~appliance.events.Transcript` at the end of the utterance
(``finish``). Engines: ``whisper`` (a CTranslate2 Whisper model folder; it runs once at the end
and gives no partials), ``vosk`` (any Vosk model directory) and ``pocketsphinx`` (its bundled US
English model), and a Wyoming server that stands in front of one of them, each in its own module,
which builds on this one and is imported (by name) only when asked for.

Every transcript carries a ``confidence`` from 0 to 1 (1.0 for typed text) with one meaning for
every engine: the share of transcripts at that confidence that were right. Each engine maps its
own score onto it from measured right and wrong transcripts (see its module).

Biasing: ``phrases`` are example command sentences and ``words`` the vocabulary the appliance can
hear (genres, artists, titles). A phrase may hold a slot such as ``{artist}`` or ``{name}``, which
stands for any entry of ``words``: "play something by {artist}" with the words "miles davis" and
"nina simone" covers both sentences. A ``grammar`` (:class:`appliance.grammar.Grammar`, the
templates as a tree) describes every command exactly and compactly; an engine that can use one
(pocketsphinx) prefers it to the phrases. With no phrases, words or grammar, a recogniser runs
with open vocabulary (free text).
"""

from __future__ import annotations

import importlib
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Protocol

from appliance.errors import SpeechError
from appliance.events import Transcript
from appliance.grammar import Grammar

ENGINES = ("whisper", "vosk", "pocketsphinx")
CONFIDENT = 0.5
"""Below this a transcript is more likely wrong (or not speech at all) than right: a confidence is
the share of transcripts at that value that were right. How each engine's map was fitted, and on
what voices it was checked: see its module."""
SLOT = re.compile(r"\{[^{}]*\}")


class SpeechRecognizer(Protocol):
    """A streaming recogniser: ``start``, ``accept`` while the person speaks, ``finish``."""

    name: str
    vocabulary: Vocabulary
    """What the grammar was built from (empty: open vocabulary)."""

    def adapt(self, pcm: bytes) -> None:
        """Hear ``pcm`` (the wake word just said) without recognising it, so that the command
        that follows is heard through this voice and this microphone. Call between utterances."""
        ...

    def start(self) -> None:
        """Begin a new utterance."""
        ...

    def accept(self, pcm: bytes) -> str | None:
        """Feed 16 kHz s16le mono audio; return the partial text when it changed."""
        ...

    def finish(self) -> Transcript:
        """End the utterance; the final text (empty when nothing in the grammar was heard)."""
        ...

    def set_vocabulary(
        self,
        phrases: Sequence[str],
        words: Sequence[str],
        wake_phrases: Sequence[str] = (),
        grammar: Grammar | None = None,
    ) -> None:
        """Rebuild the grammar; ``wake_phrases`` may precede a command and are left out of the
        text. Call between utterances."""
        ...


def final_transcript(
    text: str, confidence: float, audio_s: float, decode_s: float, final_s: float
) -> Transcript:
    """An utterance's final result, with the recogniser's timings: seconds of audio, seconds
    spent decoding it (and on the final part), real-time factor."""
    return Transcript(
        text=text,
        at=time.monotonic(),
        confidence=confidence,
        timings={
            "audio_s": audio_s,
            "decode_s": decode_s,
            "final_s": final_s,
            "rtf": decode_s / audio_s if audio_s else 0.0,
        },
    )


def normalise(text: str) -> str:
    """Lower case words separated by single spaces; slots such as ``{artist}`` are kept."""
    tokens = re.findall(r"\{[^{}]*\}|[\w']+", text.lower())
    return " ".join(t.strip("'") if not t.startswith("{") else t for t in tokens if t.strip("'"))


@dataclass(frozen=True)
class Vocabulary:
    """What a grammar is built from: normalised phrases, words and wake phrases."""

    phrases: tuple[str, ...] = ()
    words: tuple[str, ...] = ()
    wake_phrases: tuple[str, ...] = ()
    grammar: Grammar | None = None

    @classmethod
    def build(
        cls,
        phrases: Iterable[str],
        words: Iterable[str],
        wake_phrases: Iterable[str] = (),
        grammar: Grammar | None = None,
    ) -> Vocabulary:
        return cls(_unique(phrases), _unique(words), _unique(wake_phrases), grammar)

    @property
    def is_open(self) -> bool:
        """No phrases, words or grammar: recognise free text."""
        return not self.phrases and not self.words and self.grammar is None

    def sentences(self, limit: int = 20000) -> list[str]:
        """Every phrase with its slots filled from the words, plus each word on its own.

        When filling the slots would give more than ``limit`` sentences, each slotted phrase
        contributes its fixed parts instead (a bigram grammar still links them to the words).
        """
        out: list[str] = []
        for phrase in self.phrases:
            slots = len(SLOT.findall(phrase))
            if not slots:
                out.append(phrase)
            elif len(self.words) ** slots <= limit - len(out) and self.words:
                out.extend(islice(_fill(phrase, self.words), limit))
            else:
                out.extend(p.strip() for p in SLOT.split(phrase) if p.strip())
        out.extend(self.words)
        return list(dict.fromkeys(out))

    def wake_prefixes(self) -> list[str]:
        """What may be left of a wake phrase before a command: each of its suffixes."""
        prefixes: list[str] = []
        for phrase in self.wake_phrases:
            tokens = phrase.split()
            prefixes.extend(" ".join(tokens[i:]) for i in range(len(tokens)))
        return list(dict.fromkeys(prefixes))

    def strip_wake(self, text: str) -> str:
        """The text without a leading (leftover of a) wake phrase."""
        for prefix in sorted(self.wake_prefixes(), key=len, reverse=True):
            if text == prefix:
                return ""
            if text.startswith(prefix + " "):
                return text[len(prefix) + 1 :]
        return text


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(n for n in (normalise(i) for i in items) if n))


def _fill(phrase: str, words: Sequence[str]) -> Iterable[str]:
    match = SLOT.search(phrase)
    if not match:
        yield phrase
        return
    for word in words:
        yield from _fill(phrase[: match.start()] + word + phrase[match.end() :], words)


def _engine(module: str, name: str) -> Callable[..., SpeechRecognizer]:
    """An engine's recogniser class (or factory), imported by name only when it is asked for:
    each engine builds on this module (its Vocabulary and transcripts) and loads heavy libraries,
    so this module never imports one."""
    recognizer: Callable[..., SpeechRecognizer] = getattr(
        importlib.import_module(f"appliance.voice.{module}"), name
    )
    return recognizer


def load_recognizer(
    engine: str,
    model_path: Path | None,
    phrases: Sequence[str] = (),
    words: Sequence[str] = (),
    grammar: Grammar | None = None,
    wake_phrases: Sequence[str] = (),
    server: str = "",
) -> SpeechRecognizer:
    """A recogniser of ``engine``: "whisper" or "vosk" (``model_path`` required) or
    "pocketsphinx" (``model_path`` optional: the bundled US English model by default). Vosk is
    biased by the phrases and words, Whisper prompted with them; pocketsphinx follows the
    ``grammar`` when there is one. With a ``server`` (a Wyoming server: ``tcp://host:port``, or
    ``wyoming`` to find one by zeroconf) the server hears the commands and ``engine`` stands by."""
    if server:
        local = load_recognizer(engine, model_path, phrases, words, grammar, wake_phrases)
        return _engine("stt_wyoming", "with_server")(server, local)
    if engine == "whisper":
        if model_path is None:
            raise SpeechError(
                "the whisper engine needs a model directory",
                hint="give the folder of a CTranslate2 Whisper model (model.bin, config.json, "
                "tokenizer.json), or choose the pocketsphinx engine, which needs no download",
            )
        return _engine("stt_whisper", "WhisperRecognizer")(
            Path(model_path), phrases, words, grammar=grammar, wake_phrases=wake_phrases
        )
    if engine == "vosk":
        if model_path is None:
            raise SpeechError(
                "the vosk engine needs a model directory",
                hint="give the folder of a Vosk model (the one holding am/, conf/ and graph/), "
                "or choose the pocketsphinx engine, which needs no download",
            )
        return _engine("stt_vosk", "VoskRecognizer")(
            Path(model_path), phrases, words, grammar=grammar, wake_phrases=wake_phrases
        )
    if engine == "pocketsphinx":
        return _engine("stt_pocketsphinx", "PocketsphinxRecognizer")(
            phrases, words, model_path=model_path, grammar=grammar, wake_phrases=wake_phrases
        )
    raise SpeechError(
        f"unknown speech recognition engine {engine!r}",
        hint=f"choose one of: {', '.join(ENGINES)}",
    )
