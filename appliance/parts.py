"""The parts a station is built from, as factories a test can swap.

The station never constructs an engine itself: it asks its :class:`Parts` for a microphone, a
wake word, a voice activity detector, a recogniser, a voice, a speech output, the player's decks,
the clock and the random source. The defaults are the real engines, built as the appliance always
built them (each imported only when it is first needed); ``tests/fakes.py`` holds stand-ins that
run the whole station in process, on a clock the test moves, with no audio device.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from random import Random
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from appliance.grammar import Grammar
    from appliance.player.deck import DeckFactory, MusicDeck, Post
    from appliance.voice.capture import AudioSource
    from appliance.voice.stt import SpeechRecognizer
    from appliance.voice.tts_piper import SpeechAudio
    from appliance.voice.vad import VoiceActivity
    from appliance.voice.wake import WakeDetector


class Voice(Protocol):
    """Text to speech: one :class:`SpeechAudio` per sentence, as each is made."""

    def synthesize(self, text: str) -> Iterable[SpeechAudio]: ...


class SpeechSink(Protocol):
    """Where the voice is played (see :class:`appliance.voice.speaker.SpeechOutput`)."""

    def say(
        self,
        chunks: Iterable[SpeechAudio],
        on_start: Callable[[float], None] | None = None,
        cancel: Any = None,
    ) -> bool: ...

    def stop(self) -> None: ...

    def close(self) -> None: ...


# recognizer(engine, model folder, phrases, words, grammar, wake phrases)
RecognizerFactory = Callable[
    [str, "Path | None", Sequence[str], Sequence[str], "Grammar | None", Sequence[str]],
    "SpeechRecognizer",
]


def microphone(device: str | int | None) -> AudioSource:
    """The microphone (capture runs in a child process; see appliance.voice.capture)."""
    from appliance.voice.capture import Microphone

    return Microphone(device)


def sound_file(path: Path) -> AudioSource:
    """A sound file heard in place of the microphone, paced like one."""
    from appliance.voice.capture import WavSource

    return WavSource(path, realtime=True)


def wake(name: str) -> WakeDetector:
    """A wake word detector: a built-in model's name, or a phrase."""
    from appliance.voice.wake import load_wake

    return load_wake(name)


def vad(name: str) -> VoiceActivity:
    """Voice activity: "silero" or "micro"."""
    from appliance.voice.vad import load_vad

    return load_vad(name)


def recognizer(
    engine: str,
    model: Path | None,
    phrases: Sequence[str],
    words: Sequence[str],
    grammar: Grammar | None,
    wake_phrases: Sequence[str],
) -> SpeechRecognizer:
    from appliance.voice.stt import load_recognizer

    return load_recognizer(engine, model, phrases, words, grammar, wake_phrases)


def voice(model: Path | None) -> Voice:
    """The Piper voice at ``model`` (None: the one that ships with the appliance)."""
    from appliance.voice.tts_piper import PiperSpeech

    return PiperSpeech.load(model)


def speech_output(device: str | int | None, open_now: bool = True) -> SpeechSink:
    """The speech output stream (opened now, or at the first sentence)."""
    from appliance.voice.speaker import SpeechOutput

    return SpeechOutput(device, open_now=open_now)


def deck(name: str, options: Any, post: Post) -> MusicDeck:
    """One mpv core for the player."""
    from appliance.player.deck import Deck

    return Deck(name, options, post)


@dataclass(frozen=True)
class Parts:
    """Factories for every part of a station that touches a device, a model or time.

    ``clock`` is the monotonic time of the player and the supervisor; ``random`` makes the random
    source of the DJ and its commentary (a seeded ``Random`` makes a station repeatable).
    """

    microphone: Callable[[str | int | None], AudioSource] = microphone
    sound_file: Callable[[Path], AudioSource] = sound_file
    wake: Callable[[str], WakeDetector] = wake
    vad: Callable[[str], VoiceActivity] = vad
    recognizer: RecognizerFactory = recognizer
    voice: Callable[[Path | None], Voice] = voice
    speech_output: Callable[[str | int | None, bool], SpeechSink] = speech_output
    deck: DeckFactory = deck
    clock: Callable[[], float] = time.monotonic
    random: Callable[[], Random] = Random
