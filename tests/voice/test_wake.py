"""Wake detection on real speech and music: fires on its word, not on anything else."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from appliance.errors import SpeechError
from appliance.voice.wake import (
    BUILTIN_MODELS,
    TUNED,
    MicroWakeWord,
    PhraseWake,
    WakeDetector,
    WakeTuning,
    load_wake,
)
from tests.support.speech import demo_music, mix, music_pcm, silence, speech_pcm
from tests.support.voices import by_name, render

OTHER_SPEECH = (
    "play some jazz",
    "here is something chill for your evening",
    "the next song is a classic from the seventies",
    "okay nabu",
    "hey jay",
    "what is the weather like in paris",
)
# espeak's female voices say "hey jarvis" in a way the model accepts; its default voice does not
ESPEAK_JARVIS = {"engine": "espeak", "voice": "en-us+f4", "speed": 150, "pitch": 70}


def fires(detector: WakeDetector, pcm: bytes) -> list[float]:
    """The times (s) at which ``detector`` fired over ``pcm`` framed in 10 ms."""
    detector.reset()
    padded = silence(0.5) + pcm + silence(0.5)
    return [
        offset / 32000
        for offset in range(0, len(padded) - 319, 320)
        if detector.process(padded[offset : offset + 320])
    ]


@pytest.fixture(scope="module")
def jarvis() -> Iterator[MicroWakeWord]:
    detector = MicroWakeWord("hey_jarvis")
    yield detector


@pytest.fixture(scope="module")
def hey_dj() -> PhraseWake:
    return PhraseWake("hey dj")


def test_hey_jarvis_fires_once_on_piper_and_on_espeak(jarvis: MicroWakeWord) -> None:
    jarvis.set_strict(False)
    assert len(fires(jarvis, speech_pcm("hey jarvis"))) == 1
    assert len(fires(jarvis, speech_pcm("hey jarvis", **ESPEAK_JARVIS))) == 1
    assert jarvis.phrase == "hey jarvis"


@pytest.mark.parametrize("text", OTHER_SPEECH)
def test_hey_jarvis_ignores_other_speech(jarvis: MicroWakeWord, text: str) -> None:
    jarvis.set_strict(False)
    assert fires(jarvis, speech_pcm(text)) == []


def test_hey_jarvis_ignores_music(jarvis: MicroWakeWord) -> None:
    jarvis.set_strict(False)
    for pcm in (
        demo_music(20.0, seed=1),
        demo_music(20.0, seed=2),
        music_pcm(5.0, bpm=120, freq=220, noise=0.05),
        music_pcm(5.0, freq=440, noise=0.3),
    ):
        assert fires(jarvis, pcm) == []


def test_strict_still_hears_the_wake_word_over_the_dj(jarvis: MicroWakeWord) -> None:
    # the person near the microphone, the DJ's voice 12 dB lower; music under both
    dj = speech_pcm("here is something chill for your evening, a classic from the seventies")
    wake = speech_pcm("hey jarvis")
    jarvis.set_strict(True)
    try:
        assert len(fires(jarvis, wake)) == 1
        assert len(fires(jarvis, mix(wake, dj, gain_b=0.25))) == 1
        assert len(fires(jarvis, mix(dj, wake, gain_b=4.0, offset_s=0.8))) == 1
        assert len(fires(jarvis, mix(demo_music(6.0, seed=3), wake, gain_b=1.0, offset_s=2))) == 1
        assert fires(jarvis, dj) == []
        assert fires(jarvis, mix(demo_music(10.0, seed=3), dj, 1.0, 1.0)) == []
    finally:
        jarvis.set_strict(False)


def test_strict_fires_later_than_normal(jarvis: MicroWakeWord) -> None:
    pcm = speech_pcm("hey jarvis")
    jarvis.set_strict(False)
    normal = fires(jarvis, pcm)
    jarvis.set_strict(True)
    strict = fires(jarvis, pcm)
    jarvis.set_strict(False)
    assert normal and strict and strict[0] > normal[0]


def test_okay_nabu_fires_on_its_own_phrase_only() -> None:
    nabu = MicroWakeWord("okay_nabu")
    assert len(fires(nabu, speech_pcm("okay nabu"))) == 1
    assert fires(nabu, speech_pcm("hey jarvis")) == []


def test_hey_dj_phrase_fires_on_its_phrase(hey_dj: PhraseWake) -> None:
    hey_dj.set_strict(False)
    assert len(fires(hey_dj, speech_pcm("hey dj"))) == 1
    assert len(fires(hey_dj, speech_pcm("hey dj, play some jazz"))) == 1
    hey_dj.set_strict(True)
    assert len(fires(hey_dj, speech_pcm("hey dj"))) == 1
    hey_dj.set_strict(False)


@pytest.mark.parametrize("text", OTHER_SPEECH)
def test_hey_dj_phrase_ignores_other_speech(hey_dj: PhraseWake, text: str) -> None:
    hey_dj.set_strict(False)
    assert fires(hey_dj, speech_pcm(text)) == []


def test_hey_dj_phrase_ignores_music(hey_dj: PhraseWake) -> None:
    hey_dj.set_strict(False)
    assert fires(hey_dj, demo_music(20.0, seed=4)) == []


def test_a_phrase_of_unknown_words_is_refused_with_a_hint() -> None:
    with pytest.raises(SpeechError) as error:
        PhraseWake("hey qwzzxv")
    assert "qwzzxv" in str(error.value) and error.value.hint


def test_an_unknown_model_is_refused_with_a_hint() -> None:
    with pytest.raises(SpeechError) as error:
        MicroWakeWord("/nowhere/model.json")
    assert "hey_jarvis" in (error.value.hint or "")


def test_load_wake_picks_the_detector_by_name() -> None:
    assert isinstance(load_wake("okay_nabu"), MicroWakeWord)
    assert isinstance(load_wake("hey dj"), PhraseWake)


# -- tuned settings and the second stage ---------------------------------------------------------


def test_each_model_decides_with_its_tuned_settings() -> None:
    for model in set(BUILTIN_MODELS) & set(TUNED):
        detector = MicroWakeWord(model)
        assert detector.tuning == TUNED[model]
        assert detector.cutoff == TUNED[model].cutoff
    # alexa's tuned setting woke falsely 2.59 times an hour on held-out speech: shipped kept
    assert MicroWakeWord("alexa").tuning == WakeTuning(0.9, 5)
    assert MicroWakeWord("hey_jarvis", cutoff=0.5, window=3).tuning == WakeTuning(
        0.5, 3, TUNED["hey_jarvis"].peak
    )


def test_the_second_stage_holds_back_a_wake_with_no_confident_moment() -> None:
    """A Scottish espeak-ng voice (held out from tuning) says "hey jarvis" so that the model
    stays at 0.6-0.75: a cut-off of 0.5 alone lets it through, the peak of 0.9 holds it back
    (and counts it); Piper's joe, heard with certainty, passes both stages."""
    scottish = render("hey jarvis", by_name("scottish_m5")[0])
    low = MicroWakeWord("hey_jarvis", cutoff=0.5, window=1, peak=0.0)
    assert len(fires(low, scottish)) == 1
    checked = MicroWakeWord("hey_jarvis", cutoff=0.5, window=1, peak=0.9)
    assert fires(checked, scottish) == []
    assert checked.tentative >= 1
    assert len(fires(checked, speech_pcm("hey jarvis"))) == 1


def test_a_model_file_that_is_not_a_model_is_refused_with_a_hint(tmp_path: Path) -> None:
    config = tmp_path / "broken.json"
    config.write_text('{"wake_word": "hey you"}')
    with pytest.raises(SpeechError) as error:
        MicroWakeWord(str(config))
    assert "broken.json" in str(error.value) and error.value.hint


def test_tuned_okay_nabu_hears_voices_its_shipped_settings_missed() -> None:
    """Joe in pink noise at 15 dB SNR and over music at 10 dB (held-out conditions): the
    shipped cut-off hears "okay nabu" in 2 of 4 contexts, the tuned one in all 4."""
    contexts = (
        "okay nabu",
        "okay nabu, play some jazz",
        "so, okay nabu",
        "okay nabu, what's playing",
    )
    shipped = MicroWakeWord("okay_nabu", cutoff=0.85, window=5, peak=0.0)
    tuned = MicroWakeWord("okay_nabu")
    for name in ("joe_noise15", "joe_music10"):
        voice = by_name(name)[0]
        said = [silence(0.6) + render(text, voice) + silence(0.8) for text in contexts]
        assert sum(len(fires(tuned, pcm)) == 1 for pcm in said) == 4
        assert sum(bool(fires(shipped, pcm)) for pcm in said) <= 2


def test_a_model_s_phrase_the_dictionary_lacks_is_spotted_by_its_pronunciation() -> None:
    """The recogniser's dictionary has no "nabu": refused for a listener's phrase, pronounced by
    espeak-ng when asked (the wake benchmark spots the models' phrases so)."""
    with pytest.raises(SpeechError):
        PhraseWake("okay nabu")
    spotter = PhraseWake("okay nabu", pronounce_missing=True)
    assert len(fires(spotter, speech_pcm("okay nabu"))) == 1
    assert fires(spotter, speech_pcm("play some jazz")) == []


def test_tuned_hey_jarvis_hears_a_voice_the_peak_of_0_95_missed() -> None:
    """espeak-ng's slow en-us f5 (a held-out voice) holds the model between 0.64 and 0.95: the
    earlier setting's peak of 0.95 heard none of its four "hey jarvis", the tuned one three.
    (A whole run once rendered "hey jarvis" otherwise, with other breath noise, on which the old
    setting fired: renders are the same in every run now, tests/test_speech_support.py.)"""
    voice = by_name("us_f5_slow")[0]
    contexts = (
        "hey jarvis",
        "hey jarvis, play some jazz",
        "so, hey jarvis",
        "hey jarvis, what's playing",
    )
    said = [silence(0.6) + render(text, voice) + silence(0.8) for text in contexts]
    tuned = MicroWakeWord("hey_jarvis")
    peaked = MicroWakeWord("hey_jarvis", cutoff=0.64, window=1, peak=0.95)
    assert sum(len(fires(tuned, pcm)) == 1 for pcm in said) >= 3
    assert sum(len(fires(peaked, pcm)) == 1 for pcm in said) == 0
