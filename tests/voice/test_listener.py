"""The listener end to end: WAV files and the PulseAudio microphone, real engines throughout."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from appliance.dj import PersonalizedDJ
from appliance.dj.complete import is_complete
from appliance.events import (
    PartialTranscript,
    SpeechEnded,
    SpeechStarted,
    Transcript,
    WakeDetected,
)
from appliance.voice.capture import Microphone, PcmSource, WavSource
from appliance.voice.listener import Listener, State
from appliance.voice.stt import load_recognizer
from appliance.voice.stt_pocketsphinx import PocketsphinxRecognizer
from appliance.voice.stt_vosk import VoskRecognizer
from appliance.voice.vad import Endpointer
from appliance.voice.wake import MicroWakeWord
from tests.support.pulse import PulseServer
from tests.support.speech import demo_music, mix, silence, speech_pcm, write_wav
from tests.support.waiting import wait_until
from tests.voice.conftest import COMMANDS, KO_COMMANDS, NAMES, MicFeeder

# Both engines keep state from one utterance to the next (pocketsphinx adapts its feature
# normalisation to what it heard, the wake model's 30 ms stride runs on): each test gets its own,
# as a freshly started listener has, so no test passes or fails because of the one before it.


@pytest.fixture
def recognizer() -> PocketsphinxRecognizer:
    return PocketsphinxRecognizer(COMMANDS, NAMES)


@pytest.fixture
def jarvis() -> MicroWakeWord:
    return MicroWakeWord("hey_jarvis")


def listen(
    source: Any,
    recognizer: Any,
    wake: list[Any],
    before_run: Any = None,
    **options: Any,
) -> tuple[list[object], Listener]:
    """Run a listener over ``source`` to its end (in a thread, under a timeout)."""
    events: list[object] = []
    for detector in wake:
        detector.set_strict(False)
    listener = Listener(source, wake, recognizer, events.append, **options)
    if before_run:
        before_run(listener)
    thread = threading.Thread(target=listener.run, args=(threading.Event(),), daemon=True)
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive(), "the listener did not finish the file"
    return events, listener


def of(events: list[object], kind: type) -> list[Any]:
    return [e for e in events if isinstance(e, kind)]


def test_a_command_in_one_breath_keeps_its_first_word(
    tmp_path: Path, recognizer: PocketsphinxRecognizer, jarvis: MicroWakeWord
) -> None:
    wav = write_wav(
        tmp_path / "command.wav",
        silence(0.5) + speech_pcm("hey jarvis play some jazz") + silence(0.2),
    )
    events, listener = listen(WavSource(wav), recognizer, [jarvis])
    kinds = [type(e) for e in events if not isinstance(e, PartialTranscript)]
    assert kinds == [WakeDetected, SpeechStarted, SpeechEnded, Transcript]
    assert of(events, WakeDetected)[0].source == "hey_jarvis"
    (transcript,) = of(events, Transcript)
    assert transcript.text == "play some jazz"
    assert of(events, PartialTranscript)[-1].text == "play some jazz"
    assert not of(events, SpeechEnded)[0].timed_out
    timings = transcript.timings
    assert timings["end_of_speech_s"] == pytest.approx(0.5)
    assert {"recognition_final_s", "wake_to_final_s", "first_partial_s", "rtf"} <= set(timings)
    assert listener.state is State.IDLE


@pytest.mark.parametrize("lead_s", [0.0, 0.01, 0.02])
def test_a_command_in_one_breath_keeps_its_first_word_wherever_the_wake_fires(
    recognizer: PocketsphinxRecognizer, jarvis: MicroWakeWord, lead_s: float
) -> None:
    """The wake model decides every 30 ms, so where it fires within "jarvis" moves with the
    timing of the speech (three places, ``lead_s`` apart); the command must come out the same
    from each. Said right as listening begins, as a follow-up is after the last command."""
    pcm = silence(lead_s) + speech_pcm("hey jarvis play some jazz")
    events, _ = listen(PcmSource(pcm), recognizer, [jarvis])
    assert len(of(events, WakeDetected)) == 1
    assert [t.text for t in of(events, Transcript)] == ["play some jazz"]


def test_commands_said_in_one_breath_with_the_wake_word_are_understood() -> None:
    """The daemon's own recogniser (the DJ's template grammar): the wake word fires while the
    command has already begun; the pre-roll and a primed VAD keep its first word."""
    understanding = PersonalizedDJ().understanding
    grammar = understanding.grammar(names=[])
    said = ("skip this song", "stop the music", "what's playing", "turn it down",
            "i love this song", "pause the music", "next song")  # fmt: skip
    understood = []
    # one recogniser for all, as the daemon has: each command starts it afresh
    recognizer = load_recognizer("pocketsphinx", None, [], [], grammar, ["hey jarvis"])
    for command in said:
        pcm = speech_pcm(f"hey jarvis {command}")
        events, _ = listen(PcmSource(pcm), recognizer, [MicroWakeWord("hey_jarvis")])
        (transcript,) = of(events, Transcript)
        heard, meant = understanding.parse(transcript.text), understanding.parse(command)
        understood.append((heard.name, heard.slots) == (meant.name, meant.slots))
    assert all(understood), list(zip(said, understood, strict=True))


def test_the_recogniser_hears_the_wake_word_first_and_a_button_press_does_not(
    recognizer: PocketsphinxRecognizer, jarvis: MicroWakeWord, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second before the pre-roll (the wake word, in this voice) adapts the recogniser."""
    heard: list[bytes] = []
    adapt = recognizer.adapt
    monkeypatch.setattr(recognizer, "adapt", lambda pcm: (heard.append(pcm), adapt(pcm))[1])
    pcm = silence(1.0) + speech_pcm("hey jarvis play some jazz")
    events, _ = listen(PcmSource(pcm), recognizer, [jarvis])
    assert [t.text for t in of(events, Transcript)] == ["play some jazz"]
    (wake,) = heard
    assert len(wake) == 32000  # one second of 16 kHz s16le
    samples = np.frombuffer(wake, dtype="<i2").astype(np.float64)
    assert np.sqrt(np.mean(samples[-16000:] ** 2)) > 300  # the wake word is in it
    heard.clear()
    listen(PcmSource(speech_pcm("skip this song")), recognizer, [], lambda lis: lis.trigger())
    assert heard == []


def test_a_button_pressed_soon_after_start_gets_all_the_audio_before_it(
    recognizer: PocketsphinxRecognizer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fewer frames than the pre-roll in the ring: all of them reach the recogniser."""
    fed: list[int] = []
    accept = recognizer.accept
    monkeypatch.setattr(recognizer, "accept", lambda pcm: (fed.append(len(pcm)), accept(pcm))[1])
    listener = Listener(PcmSource(b""), [], recognizer, lambda _event: None)
    frame = speech_pcm("play some jazz")[:320]
    for _ in range(20):  # 200 ms heard while idle (the pre-roll is 250 ms), then the button
        listener.process(frame)
    listener.trigger()
    listener.process(frame)
    assert fed[:2] == [20 * 320, 320]


def test_a_pause_after_the_wake_word_drops_its_tail(
    recognizer: PocketsphinxRecognizer, jarvis: MicroWakeWord
) -> None:
    pcm = (
        silence(0.5)
        + speech_pcm("hey jarvis")
        + silence(0.8)
        + speech_pcm("play something by miles davis")
        + silence(0.5)
        + speech_pcm("hey jarvis")
        + silence(0.3)
        + speech_pcm("skip this song")
    )
    events, _ = listen(PcmSource(pcm), recognizer, [jarvis])
    assert [t.text for t in of(events, Transcript)] == [
        "play something by miles davis",
        "skip this song",
    ]
    assert len(of(events, WakeDetected)) == 2


def test_push_to_talk_listens_without_a_wake_word(recognizer: PocketsphinxRecognizer) -> None:
    pcm = silence(0.4) + speech_pcm("turn the volume up")
    events, _ = listen(
        PcmSource(pcm), recognizer, [], before_run=lambda listener: listener.trigger()
    )
    assert of(events, WakeDetected)[0].source == "push_to_talk"
    assert [t.text for t in of(events, Transcript)] == ["turn the volume up"]


def test_nobody_speaking_after_the_button_ends_with_an_empty_transcript(
    recognizer: PocketsphinxRecognizer,
) -> None:
    events, _ = listen(
        PcmSource(silence(3.0)),
        recognizer,
        [],
        before_run=lambda listener: listener.trigger("button"),
        endpointer=Endpointer(no_speech_s=2.0),
    )
    (ended,) = of(events, SpeechEnded)
    assert ended.timed_out
    assert of(events, SpeechStarted) == []
    assert [t.text for t in of(events, Transcript)] == [""]
    assert of(events, Transcript)[0].timings["utterance_s"] == pytest.approx(2.0)


def test_talking_on_and_on_is_cut_at_the_maximum(recognizer: PocketsphinxRecognizer) -> None:
    talk = speech_pcm("here is something chill for your evening, a classic from the seventies")
    events, _ = listen(
        PcmSource(talk + talk),
        recognizer,
        [],
        before_run=lambda listener: listener.trigger(),
        endpointer=Endpointer(max_utterance_s=2.0),
    )
    (ended,) = of(events, SpeechEnded)
    assert ended.timed_out
    assert of(events, Transcript)[0].timings["utterance_s"] == pytest.approx(2.0)


def barge_in(lead_s: float = 0.0) -> bytes:
    """The DJ talking over ducked music, a person saying "hey jarvis" over it, then a command.

    The daemon stops the DJ's sentence on the wake word, so the DJ's voice ends with it.
    ``lead_s`` of silence first moves the words against the wake model's 30 ms stride.
    """
    dj = speech_pcm("here is something chill for your evening, a classic from the seventies")
    wake = speech_pcm("hey jarvis")
    talk = mix(dj[: int(0.8 * 32000) + len(wake)], wake, gain_b=4.0, offset_s=0.8)
    said = silence(lead_s) + talk + silence(0.3) + speech_pcm("stop the music")
    return mix(said, demo_music(8.0, seed=6), gain_b=0.25)


@pytest.mark.parametrize("lead_s", [0.0, 0.01, 0.02])
def test_the_wake_word_over_the_dj_is_still_heard(
    recognizer: PocketsphinxRecognizer, jarvis: MicroWakeWord, lead_s: float
) -> None:
    """Strict while the DJ talks, yet heard once, wherever the word falls against the stride."""
    events, listener = listen(
        PcmSource(barge_in(lead_s)),
        recognizer,
        [jarvis],
        before_run=lambda lis: lis.set_speaking(True),
    )
    assert jarvis.strict
    assert len(of(events, WakeDetected)) == 1
    kinds = [type(e) for e in events if not isinstance(e, PartialTranscript)]
    assert kinds == [WakeDetected, SpeechStarted, SpeechEnded, Transcript]
    assert listener.state is State.IDLE


def test_the_command_after_barging_in_is_understood(
    recognizer: PocketsphinxRecognizer, jarvis: MicroWakeWord
) -> None:
    """What the person says after interrupting the DJ is the command, music and all."""
    events, _ = listen(
        PcmSource(barge_in()), recognizer, [jarvis], before_run=lambda lis: lis.set_speaking(True)
    )
    assert [t.text for t in of(events, Transcript)] == ["stop the music"]


def test_the_dj_talking_over_music_never_wakes_it(
    recognizer: PocketsphinxRecognizer, jarvis: MicroWakeWord
) -> None:
    dj = speech_pcm("the next song is a classic from the seventies, here is something chill")
    pcm = mix(demo_music(15.0, seed=7), dj + silence(1.0) + dj, 1.0, 2.0)
    events, _ = listen(
        PcmSource(pcm), recognizer, [jarvis], before_run=lambda lis: lis.set_speaking(True)
    )
    assert events == []


def test_new_phrases_apply_to_the_next_command(recognizer: PocketsphinxRecognizer) -> None:
    standalone = PocketsphinxRecognizer(["play some jazz"], [])
    pcm = speech_pcm("play something by daft punk")

    def before(listener: Listener) -> None:
        listener.set_phrases(["play something by {artist}"], ["daft punk"])
        listener.trigger()

    events, _ = listen(PcmSource(pcm), standalone, [], before_run=before)
    assert [t.text for t in of(events, Transcript)] == ["play something by daft punk"]


def test_a_failing_subscriber_does_not_stop_the_listener(
    recognizer: PocketsphinxRecognizer,
) -> None:
    seen: list[object] = []

    def on_event(event: object) -> None:
        seen.append(event)
        if isinstance(event, PartialTranscript):
            raise RuntimeError("subscriber bug")

    listener = Listener(PcmSource(speech_pcm("skip this song")), [], recognizer, on_event)
    listener.trigger()
    listener.run(threading.Event())
    assert [t.text for t in of(seen, Transcript)] == ["skip this song"]


def test_vosk_korean_through_the_listener(vosk_ko_path: Path, vosk_ko_model: Any) -> None:
    recognizer = VoskRecognizer(vosk_ko_path, KO_COMMANDS, (), model=vosk_ko_model)
    pcm = silence(0.3) + speech_pcm("재즈 틀어 줘", engine="espeak", voice="ko")
    events, _ = listen(
        PcmSource(pcm), recognizer, [], before_run=lambda listener: listener.trigger()
    )
    (transcript,) = of(events, Transcript)
    assert transcript.text == "재즈 틀어 줘"
    assert of(events, PartialTranscript)
    assert transcript.timings["end_of_speech_s"] == pytest.approx(0.5)


@pytest.mark.audio
def test_the_listener_on_the_pulse_microphone(
    pulse: PulseServer, feeder: MicFeeder, recognizer: PocketsphinxRecognizer, jarvis: MicroWakeWord
) -> None:
    events: list[object] = []
    jarvis.set_strict(False)

    listener = Listener(Microphone(device="pulse"), [jarvis], recognizer, events.append)
    stop = threading.Event()
    thread = threading.Thread(target=listener.run, args=(stop,), daemon=True)
    thread.start()
    try:
        wait_until(lambda: listener.source.available, 15, "the microphone")
        # where the word falls against the model's 30 ms stride changes its score a little: like
        # a person, say it again when it was not heard. The listener may run behind the
        # microphone on a busy machine: saying it again while it still works through the first
        # time would talk over the command, so it gets ample time to answer first. A pause
        # after the wake word keeps this test on the microphone's path; the command in one
        # breath, wherever the wake fires, is the test above.
        said = speech_pcm("hey jarvis") + silence(0.5) + speech_pcm("play some jazz")
        for _attempt in range(3):
            feeder.say(said + silence(1.5))
            feeder.wait_said(timeout=20)
            try:
                wait_until(lambda: of(events, WakeDetected), 10, "the wake word")
                break
            except AssertionError:
                continue
        wait_until(lambda: of(events, Transcript), 20, f"the transcript; events: {events}")
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()
    assert [t.text for t in of(events, Transcript)] == ["play some jazz"], events
    assert not listener.source.available


# -- the early end: a whole command needs only a short silence ----------------------------------


@pytest.fixture(scope="module")
def whole() -> Any:
    """The station's check: the DJ's own understanding of the partial transcript."""
    understanding = PersonalizedDJ().understanding
    checked: list[str] = []

    def check(text: str) -> bool:
        checked.append(text)
        return is_complete(understanding.parse(text))

    check.checked = checked  # type: ignore[attr-defined]
    return check


def early(recognizer: Any, pcm: bytes, check: Any) -> tuple[list[object], Transcript]:
    events, _ = listen(
        PcmSource(silence(0.3) + pcm + silence(1.5)),
        recognizer,
        [],
        before_run=lambda listener: listener.trigger(),
        endpointer=Endpointer(trailing_silence_ms=500, early_silence_ms=200),
        is_complete=check,
    )
    (transcript,) = of(events, Transcript)
    return events, transcript


@pytest.mark.parametrize("command", ["skip this song", "turn the volume up", "play some jazz"])
def test_a_whole_command_ends_after_a_short_silence(
    recognizer: PocketsphinxRecognizer, whole: Any, command: str
) -> None:
    events, transcript = early(recognizer, speech_pcm(command), whole)
    assert transcript.text == command
    assert transcript.timings["ended_early"] == 1.0
    assert transcript.timings["end_of_speech_s"] < 0.3  # the full wait is 0.5 s
    assert not of(events, SpeechEnded)[0].timed_out


def test_a_name_being_said_waits_through_a_pause(
    recognizer: PocketsphinxRecognizer, whole: Any
) -> None:
    """A name is open: a 350 ms pause after "play something by" does not end it."""
    pcm = speech_pcm("play something by") + silence(0.35) + speech_pcm("daft punk")
    _, transcript = early(recognizer, pcm, whole)
    assert transcript.text == "play something by daft punk"
    assert transcript.timings["ended_early"] == 0.0
    assert transcript.timings["end_of_speech_s"] == pytest.approx(0.5)


@pytest.mark.parametrize(
    "sentence", ["play some jazz by miles davis", "skip this song please", "turn it up a little"]
)
def test_a_whole_command_said_on_in_one_breath_is_heard_to_its_end(
    recognizer: PocketsphinxRecognizer, whole: Any, sentence: str
) -> None:
    """The gaps between words are shorter than the short silence: no early end inside."""
    more = ("play some {genre} by {artist}", "skip this song please", "turn it up a little")
    recognizer = PocketsphinxRecognizer((*COMMANDS, *more), NAMES)
    _, transcript = early(recognizer, speech_pcm(sentence), whole)
    assert transcript.text == sentence


def test_a_failing_check_costs_only_the_early_end(recognizer: PocketsphinxRecognizer) -> None:
    def broken(text: str) -> bool:
        raise RuntimeError("understanding bug")

    _, transcript = early(recognizer, speech_pcm("skip this song"), broken)
    assert transcript.text == "skip this song"
    assert transcript.timings["ended_early"] == 0.0
    assert transcript.timings["end_of_speech_s"] == pytest.approx(0.5)


@pytest.fixture(scope="module")
def whisper() -> Any:
    """The Whisper tier (no partials), with the commands and names of these tests."""
    stt_whisper = pytest.importorskip("appliance.voice.stt_whisper")
    from tests.support import whisper as shared

    return stt_whisper.WhisperRecognizer(
        shared.model_path(), COMMANDS, NAMES, model=shared.shared_model()
    )


def test_without_partials_a_whole_command_ends_at_the_short_silence(
    whisper: Any, whole: Any
) -> None:
    """Whisper's final, asked for at the short silence, is whole: it is the transcript."""
    assert whisper.partials is False
    events, transcript = early(whisper, speech_pcm("skip this song"), whole)
    assert transcript.text.lower().strip(".!") == "skip this song"
    assert transcript.timings["ended_early"] == 1.0
    assert transcript.timings["end_of_speech_s"] < 0.4  # 0.32 s for Whisper; the full wait 0.5
    assert len(of(events, SpeechEnded)) == 1


def test_without_partials_an_open_request_goes_on_after_its_final_was_tried(
    whisper: Any, whole: Any
) -> None:
    """A name is not whole: the recogniser starts again on all it heard, and
    the name after the pause is part of the one transcript."""
    counting = Counting(whisper)
    pcm = speech_pcm("play something by") + silence(0.3) + speech_pcm("daft punk")
    events, transcript = early(counting, pcm, whole)
    assert "daft punk" in transcript.text.lower()
    assert transcript.text.lower().startswith("play something by")
    assert transcript.timings["ended_early"] == 0.0
    assert len(of(events, SpeechEnded)) == 1
    assert counting.finishes == 2  # the trial final in the pause, then the whole utterance


class Counting:
    """A recogniser whose finals (finish(), or decode() begun early in a pause) are counted
    (everything else is the real one's)."""

    def __init__(self, recognizer: Any) -> None:
        self._recognizer = recognizer
        self.finishes = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._recognizer, name)

    def finish(self) -> Transcript:
        self.finishes += 1
        return self._recognizer.finish()

    def decode(self, pcm: bytes) -> Transcript:
        self.finishes += 1
        return self._recognizer.decode(pcm)


@pytest.mark.parametrize(
    ("first", "rest", "intent", "slots"),
    [("turn it down to", "twenty", "set_volume", {"level": 20}),
     ("play some jazz and", "rock", "play", {"genre": ["jazz", "rock"]}),
     ("set the volume to one", "hundred", "set_volume", {"level": 100})],
)  # fmt: skip
def test_without_partials_a_hesitation_inside_a_request_does_not_cut_it(
    whisper: Any, whole: Any, first: str, rest: str, intent: str, slots: dict[str, Any]
) -> None:
    """A 300 ms pause after a linking word or a number that can grow: the request goes on
    to its end, never cut at its first half. (Whisper itself may still drop "hundred" after
    the pause when it decodes the whole: it is given all of it; that is what is checked.)"""
    pcm = speech_pcm(first) + silence(0.3) + speech_pcm(rest)
    _, transcript = early(whisper, pcm, whole)
    assert transcript.timings["audio_s"] >= 0.3 + len(pcm) / 32000  # all of it was decoded
    if rest == "hundred":
        return
    heard = PersonalizedDJ().understanding.parse(transcript.text)
    assert heard.name == intent, transcript.text
    for slot, value in slots.items():
        got = heard.slots.get(slot)
        assert (sorted(got) if isinstance(got, (list, tuple)) else got) == value, transcript.text


def test_without_partials_the_tried_final_is_kept_when_nothing_more_is_said(
    whisper: Any, whole: Any
) -> None:
    """An open request that stays as it was: the final tried in the short silence is the
    transcript at the full silence; the same audio is not decoded twice."""
    counting = Counting(whisper)
    _, transcript = early(counting, speech_pcm("play something by"), whole)
    assert transcript.text.lower().startswith("play something")  # Whisper: "Bye."
    assert transcript.timings["ended_early"] == 0.0
    assert counting.finishes == 1
