"""Piper speech with the real joe-us voice from PyPI: streaming, format, and broken voices."""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from appliance.errors import SpeechError
from appliance.voice import tts_piper
from appliance.voice.tts_piper import (
    PiperSpeech,
    SpeechAudio,
    default_voice_path,
    first_breath,
    split_sentences,
)

THREE_SENTENCES = "Here is some jazz. It is by Miles Davis. Enjoy the music!"


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PiperSpeech]:
    """The voice, loaded once (onnxruntime writes into $HOME/.cache: a scratch one)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOME", str(tmp_path_factory.mktemp("home")))
        yield PiperSpeech.load()


def test_default_voice_is_joe_at_22050_hz(speech: PiperSpeech) -> None:
    assert speech.model_path == default_voice_path()
    assert "joe" in speech.model_path.name
    assert speech.sample_rate == 22050


def test_one_chunk_per_sentence_of_real_speech(speech: PiperSpeech) -> None:
    chunks = list(speech.synthesize(THREE_SENTENCES))
    assert [chunk.text for chunk in chunks] == split_sentences(THREE_SENTENCES)
    for chunk in chunks:
        assert isinstance(chunk, SpeechAudio)
        assert chunk.sample_rate == speech.sample_rate
        assert len(chunk.pcm) % 2 == 0
        samples = np.frombuffer(chunk.pcm, dtype="<i2").astype(np.float64)
        assert 0.5 < chunk.seconds < 4.0  # a short sentence, spoken
        assert np.abs(samples).max() > 10000  # normalised speech, not silence
    # the longer sentence takes longer to say
    assert chunks[1].seconds > chunks[2].seconds


def test_first_sentence_arrives_before_the_rest_are_synthesised(speech: PiperSpeech) -> None:
    speech._kept.clear()  # said by an earlier test: made afresh here
    voice = speech._voice
    real = voice.phoneme_ids_to_audio
    calls: list[int] = []

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return real(*args, **kwargs)

    voice.phoneme_ids_to_audio = counting
    try:
        stream = speech.synthesize(THREE_SENTENCES)
        first = next(stream)
        assert first.text == "Here is some jazz."
        assert len(calls) == 1  # only the first sentence has been through the model
        rest = list(stream)
    finally:
        del voice.phoneme_ids_to_audio
    assert len(rest) == 2
    assert len(calls) == 3


def test_blank_text_says_nothing(speech: PiperSpeech) -> None:
    assert list(speech.synthesize("  \n ")) == []


def test_sentences_are_split_after_their_punctuation() -> None:
    assert split_sentences('Hi there. "Great!" she said.  Next… ok (really.) yes') == [
        "Hi there.", '"Great!"', "she said.", "Next…", "ok (really.)", "yes",
    ]  # fmt: skip
    assert split_sentences("Version 1.5 is out") == ["Version 1.5 is out"]


def test_a_missing_voice_raises_a_speech_error_with_a_hint(tmp_path: Path) -> None:
    with pytest.raises(SpeechError) as caught:
        PiperSpeech.load(tmp_path / "en_US-nobody-medium.onnx")
    assert "en_US-nobody-medium.onnx" in str(caught.value)
    assert caught.value.hint and "appliance models fetch" in caught.value.hint


def test_a_voice_without_its_config_is_refused(tmp_path: Path) -> None:
    model = tmp_path / "voice.onnx"
    shutil.copy(default_voice_path(), model)
    with pytest.raises(SpeechError, match=r"voice\.onnx\.json"):
        PiperSpeech.load(model)


def test_a_damaged_voice_raises_a_speech_error(tmp_path: Path) -> None:
    model = tmp_path / "voice.onnx"
    model.write_bytes(b"\x08\x01garbage, not an onnx graph" * 50)
    shutil.copy(default_voice_path().with_name(default_voice_path().name + ".json"),
                tmp_path / "voice.onnx.json")  # fmt: skip
    with pytest.raises(SpeechError) as caught:
        PiperSpeech.load(model)
    assert "voice.onnx" in str(caught.value)
    assert caught.value.hint and "damaged" in caught.value.hint

    (tmp_path / "voice.onnx.json").write_text("{ not json")
    with pytest.raises(SpeechError, match="not a Piper voice configuration"):
        PiperSpeech.load(model)


GROWTH_SCRIPT = """
import sys
from tests.support.process import rss_mb
from appliance.voice.tts_piper import PiperSpeech

speech = PiperSpeech.load()
first, *replies = sys.argv[1:]
list(speech.synthesize(first))  # the model has run once
start = rss_mb()
grown = []
for _ in range(3):
    for text in replies:
        list(speech.synthesize(text))
    grown.append(rss_mb() - start)
print(min(grown[1:]))  # the heap's passing peaks (20 MB once) are not growth
"""


def test_memory_does_not_grow_reply_after_reply() -> None:
    """Once the voice has spoken, replies of every length, again and again, leave it where it
    was: 1-2 MB; with onnxruntime's memory arena, 110 MB from the first longer reply on (the
    process grew by 180 MB over the first 25 replies). Measured in a process of its own: in the
    test run's process, other tests' threads and models move the figure by tens of MB."""
    replies = [
        "Okay.",
        "Here's 'So What' by Miles Davis, some jazz for your calm evening.",
        "That was Blue in Green by Miles Davis, and next up something calmer for your evening, "
        "a favourite of your friend Sam, who has played it every night this week. Enjoy it.",
        "You're part of a community of three listeners, and together you love jazz and rock.",
    ]
    done = subprocess.run(
        [sys.executable, "-c", GROWTH_SCRIPT, *replies],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode == 0, done.stderr
    assert float(done.stdout.strip().splitlines()[-1]) < 25


def test_a_long_first_sentence_is_spoken_in_two_breaths() -> None:
    text = "Here's 'So What' by Miles Davis, some jazz for your calm evening. Enjoy!"
    assert first_breath(split_sentences(text)) == [
        "Here's 'So What' by Miles Davis,",
        "some jazz for your calm evening.",
        "Enjoy!",
    ]
    short = ["Here is some jazz, enjoy.", "Long second sentences, however long, stay whole."]
    assert first_breath(short) == short
    # no comma early enough, or too little after it: whole
    unbroken = ["Here is a long sentence with no comma in it at all for you."]
    assert first_breath(unbroken) == unbroken
    late = ["Here is a long sentence that has its comma only at the very, end."]
    assert first_breath(late) == late


def test_the_first_breath_is_a_chunk_of_its_own(speech: PiperSpeech) -> None:
    chunks = list(speech.synthesize("Here's 'So What' by Miles Davis, some jazz for your evening."))
    assert [chunk.text for chunk in chunks] == [
        "Here's 'So What' by Miles Davis,",
        "some jazz for your evening.",
    ]
    assert chunks[0].seconds > 0.8 and chunks[1].seconds > 0.8
    assert chunks[0].seconds + chunks[1].seconds < 6


def test_a_short_sentence_said_again_comes_without_piper(speech: PiperSpeech) -> None:
    """The DJ's short answers recur: the second time, the same audio comes at once and the
    model is not run; a long sentence is made afresh each time."""
    voice = speech._voice
    real = voice.phoneme_ids_to_audio
    calls: list[int] = []

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return real(*args, **kwargs)

    speech._kept.clear()
    short = "Paused for a moment."
    long = "That was a long one, and here is another sentence that goes on for a good while yet."
    voice.phoneme_ids_to_audio = counting
    try:
        first = list(speech.synthesize(short))
        made = len(calls)
        again = list(speech.synthesize(f"{short} {long}"))
        assert len(calls) > made  # the long sentence went through the model
        assert [c.pcm for c in again[: len(first)]] == [c.pcm for c in first]
        assert again[0].text == short
        before = len(calls)
        list(speech.synthesize(short))
        assert len(calls) == before  # kept
        list(speech.synthesize(long))
        assert len(calls) > before  # too long to keep
    finally:
        del voice.phoneme_ids_to_audio


def test_kept_sentences_are_bounded(speech: PiperSpeech, monkeypatch: pytest.MonkeyPatch) -> None:
    from appliance.voice import tts_piper

    monkeypatch.setattr(tts_piper, "KEEP_SENTENCES", 2)
    for word in ("One.", "Two.", "Three."):
        list(speech.synthesize(word))
    assert list(speech._kept) == ["Two.", "Three."]


class _CountingModel:
    """The voice's model with each run counted (the real model still runs)."""

    def __init__(self, speech: PiperSpeech) -> None:
        self.voice = speech._voice
        self.real = self.voice.phoneme_ids_to_audio
        self.calls = 0

    def __enter__(self) -> _CountingModel:
        def counting(*args: object, **kwargs: object) -> object:
            self.calls += 1
            return self.real(*args, **kwargs)

        self.voice.phoneme_ids_to_audio = counting
        return self

    def __exit__(self, *exc: object) -> None:
        del self.voice.phoneme_ids_to_audio


def warmed(speech: PiperSpeech, texts: Sequence[str], stop: threading.Event | None = None) -> int:
    """``speech.warm`` on a thread of its own, as the station runs it (at normal priority here:
    at the lowest, a loaded machine starved it for up to 45 s)."""
    made: list[int] = []
    thread = threading.Thread(target=lambda: made.append(speech.warm(texts, stop)))
    thread.start()
    thread.join(120)
    assert made, "the warm-up did not finish"
    return made[0]


def test_warmed_up_a_skips_first_words_come_without_piper(
    speech: PiperSpeech, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After the warm-up with the DJ's fixed openings, a skip's reply (the DJ's own line) opens
    with a chunk made ahead: the model runs only for the track's sentence. (The skip's opening
    comes first: 12 of the 40 the warm-up makes are enough to see it.)"""
    import random

    from appliance.dj.lines import Lines, fixed_openings
    from appliance.library.track import Track

    monkeypatch.setattr(tts_piper, "WARM_SENTENCES", 12)
    speech._kept.clear()
    with _CountingModel(speech) as model:
        made = warmed(speech, fixed_openings())
        assert made == 12 and model.calls >= made
        assert len(speech._kept) <= tts_piper.KEEP_SENTENCES
        reply = Lines("Nova", "QFZZ", random.Random(1)).skipping(
            Track(track_id="t1", path="so-what.flac", title="So What", artist="Miles Davis")
        )
        assert reply.startswith("Skipping. ")
        before = model.calls
        chunks = speech.synthesize(reply)
        first = next(chunks)
        assert first.text == "Skipping." and model.calls == before  # at once, no model
        rest = list(chunks)
        assert rest and model.calls > before  # the track's name is made as it is said


def test_the_warm_up_waits_for_a_reply_and_is_bounded(
    speech: PiperSpeech, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reply being made comes first: the warm-up makes nothing until it is done, then at
    most WARM_SENTENCES; a stop ends it."""
    monkeypatch.setattr(tts_piper, "WARM_SENTENCES", 3)
    speech._kept.clear()
    reply = speech.synthesize("Here is a reply. It has two sentences.")
    next(reply)  # being made and said
    done: list[int] = []
    thread = threading.Thread(target=lambda: done.append(speech.warm(["One.", "Two.", "Go."])))
    thread.start()
    thread.join(0.5)
    assert thread.is_alive() and not done
    assert not {"One.", "Two.", "Go."} & set(speech._kept)
    list(reply)  # the reply is done
    thread.join(30)
    assert done == [3] and {"One.", "Two.", "Go."} <= set(speech._kept)
    stop = threading.Event()
    stop.set()
    assert warmed(speech, ["Four.", "Five."], stop) == 0
