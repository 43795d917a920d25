"""Whisper tiny.en (faster-whisper, int8): commands heard from several voices, text as Whisper
writes it, confidence that tells speech from noise, the wake word's leftovers cut off."""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from appliance.dj.confirm import NEEDED_DESTRUCTIVE
from appliance.dj.understand import Understanding
from appliance.errors import SpeechError
from appliance.events import Transcript
from appliance.voice import stt_whisper
from appliance.voice.stt import CONFIDENT, Vocabulary, load_recognizer, normalise
from appliance.voice.stt_whisper import (
    PROMPT_TOKENS,
    Hypothesis,
    Weighing,
    WhisperRecognizer,
    build_prompt,
    choose,
    model_threads,
    raw,
    strip_wake,
)
from appliance.voice.whisper_prompt import PROMPT_COMMANDS, prompt_vocabulary
from tests.support import whisper as shared
from tests.support.speech import demo_music, silence, speech_pcm
from tests.voice.conftest import recognise as hear

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
    return shared.model_path()


@pytest.fixture(scope="module")
def model() -> Any:
    return shared.shared_model()


@cache
def _recogniser() -> WhisperRecognizer:
    return WhisperRecognizer(
        shared.model_path(), COMMANDS, NAMES, wake_phrases=["hey jarvis"],
        model=shared.shared_model(),
    )  # fmt: skip


@pytest.fixture(scope="module")
def whisper() -> Iterator[WhisperRecognizer]:
    yield _recogniser()


@cache
def heard(voice: str, text: str) -> tuple[Transcript, tuple[str, ...]]:
    """A command said in a voice, decoded once for every test that looks at it."""
    transcript, partials = hear(_recogniser(), silence(0.25) + speech_pcm(text, **VOICES[voice]))
    return transcript, tuple(partials)


@pytest.mark.parametrize("voice", VOICES)
@pytest.mark.parametrize("text", SPOKEN)
def test_commands_from_several_voices_are_heard(voice: str, text: str) -> None:
    transcript, partials = heard(voice, text)
    assert normalise(transcript.text) == text
    assert partials == ()  # Whisper runs once, at the end
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
    assert transcript.text.lower() == "play some jazz."  # the capital is Whisper's to write
    wake = Vocabulary.build((), (), ["hey jarvis"])
    assert strip_wake("Jarvis, play some jazz.", wake) == "play some jazz."
    assert strip_wake("Hey Jarvis.", wake) == ""
    assert strip_wake("Play some Jarvis.", wake) == "Play some Jarvis."
    assert strip_wake("", wake) == ""


def test_confidence_is_higher_on_commands_than_on_noise_and_gibberish(
    whisper: WhisperRecognizer,
) -> None:
    said = [heard("piper joe", text)[0] for text in SPOKEN]
    assert all(normalise(t.text) == text for t, text in zip(said, SPOKEN, strict=True))
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
    assert min(t.confidence for t in said) > max(confidence.values())
    assert statistics.median(t.confidence for t in said) > 0.8


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
    # without tokenizer.json faster-whisper would fetch one from the network: refused first
    with pytest.raises(SpeechError, match=r"not a CTranslate2 Whisper model folder \(no tokeniz"):
        load_recognizer("whisper", tmp_path)
    (tmp_path / "tokenizer.json").write_text("{}")
    with pytest.raises(SpeechError, match="faster-whisper cannot load this model"):
        load_recognizer("whisper", tmp_path)


def test_a_looping_decode_stops_at_the_token_cap_and_is_not_speech(model_path: Path) -> None:
    """Random audio with a short prompt decoded to "Play. Play. Play. ..." for 5-7 s."""
    looping = WhisperRecognizer(model_path, ["play", "skip"], model=shared.shared_model())
    rng = np.random.default_rng(8)
    worst = 0.0
    for _ in range(3):
        started = time.perf_counter()
        transcript, _ = hear(looping, rng.bytes(int(rng.integers(8000, 32000)) * 2))
        worst = max(worst, time.perf_counter() - started)
        tokens = len(looping.model.hf_tokenizer.encode(transcript.text).ids)
        assert tokens <= 48 + 2, transcript.text  # whitespace may split a token in two
        assert transcript.confidence < 0.05  # a loop is not speech; nor its beam's best
    assert worst < 3.0  # 0.5 s here; 2 s idle and 5-7 s under load without the cap


def test_a_reading_that_compresses_like_a_loop_has_no_score_nor_confidence() -> None:
    assert raw(math.log(0.9), 0.01, "Play some jazz.") > 0.8
    loop = "Play. " * 20
    assert raw(math.log(0.9), 0.01, loop) == 0.0
    assert choose([Hypothesis(loop, 0.0)]) == (loop, 0.0)


@pytest.mark.parametrize(
    ("cores", "threads"),
    [({0}, 1), ({0, 1}, 2), ({0, 1, 2}, 2), ({0, 1, 2, 3}, 3), (set(range(8)), 4)],
)
def test_whisper_leaves_a_core_for_the_audio(
    monkeypatch: pytest.MonkeyPatch, cores: set[int], threads: int
) -> None:
    """The cores this process may use (affinity, a cgroup cpuset), not the machine's."""
    monkeypatch.setattr(stt_whisper.os, "sched_getaffinity", lambda _pid: cores)
    monkeypatch.setattr(stt_whisper.os, "cpu_count", lambda: 64)
    assert model_threads() == threads


DAEMON_HEARD = (  # (what is said, by whom): each was misheard or asked about with an earlier prompt
    ("put on some rock music", {"engine": "espeak", "voice": "en-gb"}),
    ("skip", {}),
    ("skip this song", {"engine": "espeak", "voice": "en-gb"}),
    ("set the volume to thirty", {"engine": "espeak", "voice": "en-us"}),
    ("stop the music", {"engine": "espeak", "voice": "en-us+m3", "pitch": 30}),
)


def test_the_daemons_prompt_hears_its_commands_surely_enough_to_act(model_path: Path) -> None:
    """The prompt the station builds (a change to it that makes Whisper mishear fails here)."""
    phrases, words = prompt_vocabulary(["sam"], ["Miles Davis", "Nina Simone", "Daft Punk"])
    daemon = WhisperRecognizer(
        model_path, phrases, words, wake_phrases=["hey jarvis"], model=shared.shared_model()
    )
    assert daemon.prompt.startswith("Sam, Miles Davis")
    for text, voice in DAEMON_HEARD:
        transcript, _ = hear(daemon, silence(0.25) + speech_pcm(text, **voice) + silence(0.3))
        said = normalise(transcript.text).replace("30", "thirty")
        assert (said, transcript.confidence >= NEEDED_DESTRUCTIVE) == (text, True), transcript


def test_the_prompts_commands_are_understood_and_names_are_not_crowded_out() -> None:
    understanding = Understanding()
    assert all(understanding.parse(text).name != "unknown" for text in PROMPT_COMMANDS)
    library = [f"artist {n}" for n in range(5000)]
    phrases, words = prompt_vocabulary(["sam", "alex"], library)
    assert phrases == list(PROMPT_COMMANDS) and words[:2] == ["sam", "alex"]
    assert len(words) < 100


class Windows(WhisperRecognizer):
    """Real Whisper that notes each encoder window it decoded with, what each gave, and the
    readings each choice was made among."""

    windows: list[float]
    found: dict[float, list[Hypothesis]]
    among: list[Hypothesis]

    def hypotheses(self, audio: np.ndarray, window_s: float = 30.0) -> list[Hypothesis]:
        self.__dict__.setdefault("windows", []).append(window_s)  # the warm-up's too
        found = super().hypotheses(audio, window_s)
        self.__dict__.setdefault("found", {})[window_s] = found
        return found

    def weighed(self, hypotheses: Sequence[Hypothesis]) -> Weighing:
        self.among = list(hypotheses)
        return super().weighed(hypotheses)


def test_a_sure_quick_reading_spares_the_full_window(model_path: Path) -> None:
    """A command heard surely in the quick window, and understood, is the transcript; one the
    judge doubts is read again in the full window, as is audio longer than the quick window.
    No judge (no understanding to check with): the full window only."""
    whisper = Windows(model_path, COMMANDS, NAMES, model=shared.shared_model())
    skip = silence(0.25) + speech_pcm("skip this song") + silence(0.3)
    audio = np.frombuffer(skip, dtype="<i2").astype(np.float32) / 32768.0
    for judge, windows in (
        (lambda text: 1.0, [stt_whisper.QUICK_WINDOW_S]),
        (lambda text: 0.5, [stt_whisper.QUICK_WINDOW_S, 30.0]),
        (None, [30.0]),
    ):
        whisper.judge, whisper.windows = judge, []
        text, confidence = whisper._transcribe(audio)
        assert normalise(text) == "skip this song"
        shared.premise(whisper.windows == windows, f"read from the windows {windows}")
        assert confidence >= stt_whisper.QUICK_SURE
        # the last choice is among the readings of every window read, the full window's first
        assert whisper.among == [h for w in reversed(windows) for h in whisper.found[w]]
    whisper.judge, whisper.windows = (lambda text: 1.0), []
    long = np.concatenate([audio, np.zeros(int(stt_whisper.QUICK_WINDOW_S * 16000))])
    whisper._transcribe(long)
    assert whisper.windows == [30.0]
