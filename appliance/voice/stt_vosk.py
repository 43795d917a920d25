"""The Vosk tier: Kaldi models for many languages, fed while the person speaks.

With phrases or words the recogniser runs on a runtime grammar (Vosk builds a small bigram
model from the sentences), which is both more accurate on commands and ten to thirty times
cheaper than free text. Words the model does not know are left out (and logged). Models that know
the word ``[unk]`` get it in the grammar as a garbage path, so speech outside the grammar comes out
as ``[unk]`` (dropped from the text) instead of the nearest command; models without it (the small
Korean model, for one) force every sound onto grammar words, so there the transcript's confidence
(the words' mean confidence) is what tells a command from chatter.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from appliance.audio_format import RATE, bytes_for, seconds
from appliance.errors import SpeechError
from appliance.events import Transcript
from appliance.grammar import Grammar
from appliance.voice.stt import Vocabulary, final_transcript, normalise

log = logging.getLogger("appliance.voice.stt_vosk")

UNKNOWN = "[unk]"


def load_model(model_path: Path) -> Any:
    """A Vosk model from a folder (never by language name: that would go to the network)."""
    import vosk

    vosk.SetLogLevel(-1)
    if not (model_path / "am").is_dir() and not (model_path / "conf").is_dir():
        raise SpeechError(
            f"{model_path}: not a Vosk model folder (no am/ or conf/ inside)",
            hint="point the speech model path at the unpacked model, the folder holding am/, "
            "conf/ and graph/",
        )
    try:
        return vosk.Model(str(model_path))
    except Exception as error:  # vosk raises a bare Exception for a model it cannot load
        raise SpeechError(
            f"{model_path}: Vosk cannot load this model ({error})",
            hint="the model may be incomplete: unpack it again",
        ) from error


class VoskRecognizer:
    """Streaming Vosk recognition against a grammar, or with the model's open vocabulary."""

    name = "vosk"

    def __init__(
        self,
        model_path: Path,
        phrases: Sequence[str] = (),
        words: Sequence[str] = (),
        chunk_ms: int = 100,
        model: Any = None,
        grammar: Grammar | None = None,
        wake_phrases: Sequence[str] = (),
    ) -> None:
        self.model_path = model_path
        self.model = model if model is not None else load_model(model_path)
        self.has_unknown = self.knows(UNKNOWN)
        self._chunk_bytes = bytes_for(chunk_ms)
        self.vocabulary = Vocabulary()
        self.grammar: list[str] = []
        self.dropped: list[str] = []
        """Words of the phrases and names that the model does not know."""
        self._recognizer: Any = None
        self._pending = bytearray()
        self._segments: list[dict[str, Any]] = []
        self._partial = ""
        self._decode_s = 0.0
        self._audio_bytes = 0
        self.set_vocabulary(phrases, words, wake_phrases, grammar)

    @property
    def mode(self) -> str:
        return "open" if self.vocabulary.is_open else "grammar"

    def knows(self, word: str) -> bool:
        return int(self.model.vosk_model_find_word(word)) >= 0

    def set_vocabulary(
        self,
        phrases: Sequence[str],
        words: Sequence[str],
        wake_phrases: Sequence[str] = (),
        grammar: Grammar | None = None,
    ) -> None:
        """Vosk takes its grammar as a list of sentences: the phrases (slots filled from the
        words) and the words. A template ``grammar`` is kept for reference but not used: the
        templates say far more sentences than a Vosk grammar can list."""
        import vosk

        vocabulary = Vocabulary.build(phrases, words, wake_phrases, grammar)
        if not vocabulary.phrases and not vocabulary.words:
            self.grammar = []
            self.dropped = []
            recognizer = vosk.KaldiRecognizer(self.model, RATE)
        else:
            sentences = vocabulary.sentences() + vocabulary.wake_prefixes()
            known = {w: self.knows(w) for s in sentences for w in s.split()}
            self.dropped = sorted(w for w, ok in known.items() if not ok)
            if self.dropped:
                log.warning(
                    "the Vosk model does not know these words, so they cannot be recognised: %s",
                    ", ".join(self.dropped[:10]) + (" ..." if len(self.dropped) > 10 else ""),
                )
            self.grammar = [s for s in sentences if all(known[w] for w in s.split())]
            if not self.grammar:
                raise SpeechError(
                    "the Vosk model knows none of the command phrases' words",
                    hint="check that the phrases are in the model's language",
                )
            if self.has_unknown:
                self.grammar.append(UNKNOWN)
            recognizer = vosk.KaldiRecognizer(
                self.model, RATE, json.dumps(self.grammar, ensure_ascii=False)
            )
        recognizer.SetWords(True)
        self._recognizer = recognizer
        self.vocabulary = vocabulary

    # -- streaming ---------------------------------------------------------------------------

    def adapt(self, pcm: bytes) -> None:
        """Nothing to do: Kaldi's online features adapt within each utterance."""

    def start(self) -> None:
        self._recognizer.Reset()
        self._pending.clear()
        self._segments = []
        self._partial = ""
        self._decode_s = 0.0
        self._audio_bytes = 0

    def accept(self, pcm: bytes) -> str | None:
        self._pending += pcm
        if len(self._pending) < self._chunk_bytes:
            return None
        partial = self._process()
        if partial is None or partial == self._partial:
            return None
        self._partial = partial
        return partial

    def _process(self) -> str | None:
        started = time.perf_counter()
        data = bytes(self._pending)
        self._audio_bytes += len(data)
        self._pending.clear()
        if self._recognizer.AcceptWaveform(data):
            # Vosk ended a segment at a pause of its own: keep it, the utterance goes on
            self._segments.append(json.loads(self._recognizer.Result()))
            partial = ""
        else:
            partial = json.loads(self._recognizer.PartialResult()).get("partial", "")
        self._decode_s += time.perf_counter() - started
        return self._text([*(s.get("text", "") for s in self._segments), partial])

    def finish(self) -> Transcript:
        started = time.perf_counter()
        if self._pending:
            self._process()
        self._segments.append(json.loads(self._recognizer.FinalResult()))
        final_s = time.perf_counter() - started
        self._decode_s += final_s
        words = [w for s in self._segments for w in s.get("result", []) if w["word"] != UNKNOWN]
        text = self._text([s.get("text", "") for s in self._segments])
        confidence = sum(w["conf"] for w in words) / len(words) if words and text else 0.0
        self._recognizer.Reset()
        return final_transcript(
            text, confidence, seconds(self._audio_bytes), self._decode_s, final_s
        )

    def _text(self, parts: Sequence[str]) -> str:
        tokens = " ".join(parts).split()
        text = normalise(" ".join(t for t in tokens if t != UNKNOWN))
        return self.vocabulary.strip_wake(text)
