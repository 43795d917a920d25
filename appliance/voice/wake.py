"""Wake detection: microWakeWord models, or a custom phrase through a keyword-spotting recogniser.

Every detector takes 10 ms frames of 16 kHz s16le audio and says when it heard its wake word.

While the DJ is talking the listener makes every detector *strict* (see ``set_strict``): the
DJ's voice and the music come out of the speaker next to the microphone, so the detector must be
harder to convince, yet a person who says the wake word over the DJ (barge-in) must still be
heard. Strict therefore means a higher bar held for longer, never a deaf detector:

* microWakeWord: its smoothed probability must stay above ``strict_cutoff`` (by default the
  model's own cutoff) for ``strict_hits`` consecutive inferences (30 ms each) instead of crossing
  it once. A spoken wake word holds the model above its cutoff for 250-450 ms, so it still
  fires, about 60 ms later, even over the DJ's voice 6 dB below it; a brief look-alike in speech
  or music does not. (A higher strict cutoff, 0.985 for four inferences, missed five wake words
  in twelve said over the DJ at -6 dB: too deaf for barge-in.)
* the phrase spotter switches to a keyword threshold several orders of magnitude stricter.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Protocol

from appliance.errors import SpeechError

log = logging.getLogger("appliance.voice.wake")

BUILTIN_MODELS = ("hey_jarvis", "okay_nabu", "hey_mycroft", "alexa")
FRAME_BYTES = 320  # 10 ms at 16 kHz, 16-bit mono


class WakeDetector(Protocol):
    """Says when a frame completes the wake word."""

    name: str
    phrase: str
    """The words of the wake word, lower case (the recogniser absorbs a leftover of them)."""

    def process(self, frame: bytes) -> bool: ...

    def reset(self) -> None: ...

    def set_strict(self, strict: bool) -> None:
        """Strict while the DJ speaks: harder to trigger, never deaf (see the module doc)."""
        ...


class MicroWakeWord:
    """A microWakeWord model through pymicro-wakeword (hey_jarvis by default).

    ``model`` is a built-in name (:data:`BUILTIN_MODELS`) or the path of a model's JSON config.
    ``cutoff`` overrides the model's own probability cutoff.
    """

    def __init__(
        self,
        model: str = "hey_jarvis",
        cutoff: float | None = None,
        strict_cutoff: float | None = None,
        strict_hits: int = 3,
    ) -> None:
        from pymicro_wakeword import MicroWakeWord as Engine
        from pymicro_wakeword import MicroWakeWordFeatures, Model

        try:
            if model in BUILTIN_MODELS:
                self._engine = Engine.from_builtin(Model(model))
            else:
                self._engine = Engine.from_config(Path(model))
        except (OSError, ValueError, KeyError) as error:
            raise SpeechError(
                f"cannot load the wake word model {model!r}: {error}",
                hint=f"use one of {', '.join(BUILTIN_MODELS)} or the path of a microWakeWord "
                "model's .json file (next to its .tflite)",
            ) from error
        self._features = MicroWakeWordFeatures()
        self.name = self._engine.id
        self.phrase = _words(self._engine.wake_word)
        self.cutoff = self._engine.probability_cutoff if cutoff is None else cutoff
        self.strict_cutoff = max(strict_cutoff or 0.0, self.cutoff)
        self.strict_hits = max(1, strict_hits)
        self.strict = False
        self._hits = 0
        self._windows = 0
        self.last_probability = 0.0

    def process(self, frame: bytes) -> bool:
        fired = False
        for features in self._features.process_streaming(frame):
            probability = self._engine.process_streaming_prob(features)
            # the model runs once per `stride` feature windows; in between it answers 0.0
            self._windows += 1
            if probability is None or self._windows % self._engine.stride:
                continue
            self.last_probability = probability
            if self.strict:
                self._hits = self._hits + 1 if probability > self.strict_cutoff else 0
                fired = fired or self._hits >= self.strict_hits
            else:
                fired = fired or probability > self.cutoff
        if fired:
            log.debug("%s fired (p=%.3f, strict=%s)", self.name, self.last_probability, self.strict)
            self.reset()
        return fired

    def reset(self) -> None:
        self._engine.reset()
        self._features.reset()
        self._hits = 0
        self._windows = 0

    def set_strict(self, strict: bool) -> None:
        self.strict = strict
        self._hits = 0


class PhraseWake:
    """A custom wake phrase ("hey dj") spotted by pocketsphinx's keyword search.

    Each word must be in the bundled English dictionary. ``threshold`` is pocketsphinx's keyword
    threshold (larger is stricter); ``strict_threshold`` applies while the DJ speaks.
    """

    def __init__(
        self,
        phrase: str = "hey dj",
        threshold: float = 1e-12,
        strict_threshold: float = 1e-5,
        restart_s: float = 20.0,
    ) -> None:
        from appliance.voice.stt_pocketsphinx import new_decoder

        self.phrase = _words(phrase)
        self.name = self.phrase.replace(" ", "_")
        if not self.phrase:
            raise SpeechError("the wake phrase is empty", hint="set a phrase such as 'hey dj'")
        self._decoder = new_decoder()
        missing = [w for w in self.phrase.split() if self._decoder.lookup_word(w) is None]
        if missing:
            raise SpeechError(
                f"the wake phrase {phrase!r} has words the recogniser cannot pronounce: "
                f"{', '.join(missing)}",
                hint="choose a phrase of ordinary English words, e.g. 'hey dj' or 'hello radio'",
            )
        self._decoder.add_keyphrase("normal", self.phrase)
        self._decoder.add_keyphrase("strict", self.phrase)
        # add_keyphrase takes the threshold from the config at the time of adding
        self._set_threshold("normal", threshold)
        self._set_threshold("strict", strict_threshold)
        self.strict = False
        self._decoder.activate_search("normal")
        self._restart_bytes = int(restart_s * 16000) * 2
        self._fed = 0
        self._pending = bytearray()
        self._decoder.start_utt()

    def _set_threshold(self, search: str, threshold: float) -> None:
        self._decoder.config["kws_threshold"] = threshold
        self._decoder.add_keyphrase(search, self.phrase)

    def process(self, frame: bytes) -> bool:
        # five frames at a time: one call per 50 ms keeps the Python overhead small
        self._pending += frame
        if len(self._pending) < 5 * FRAME_BYTES:
            return False
        self._decoder.process_raw(bytes(self._pending))
        self._fed += len(self._pending)
        self._pending.clear()
        if self._decoder.hyp() is not None:
            log.debug("%s fired (strict=%s)", self.name, self.strict)
            self._restart()
            return True
        if self._fed >= self._restart_bytes:
            # a keyword search never ends its utterance by itself: start a fresh one now and
            # then so memory stays flat
            self._restart()
        return False

    def _restart(self) -> None:
        self._decoder.end_utt()
        self._decoder.start_utt()
        self._fed = 0

    def reset(self) -> None:
        self._pending.clear()
        self._restart()

    def set_strict(self, strict: bool) -> None:
        if strict == self.strict:
            return
        self.strict = strict
        self._decoder.end_utt()
        self._decoder.activate_search("strict" if strict else "normal")
        self._decoder.start_utt()
        self._fed = 0


def _words(text: str) -> str:
    """Lower case words only: "Hey, Jarvis!" -> "hey jarvis"."""
    return " ".join(re.findall(r"[\w']+", text.lower()))


def load_wake(name: str) -> WakeDetector:
    """A detector from a config value: a built-in model name, a model's .json, or a phrase."""
    if name in BUILTIN_MODELS or name.endswith(".json"):
        return MicroWakeWord(name)
    return PhraseWake(name)
