"""End of speech: the endpointer's rules, and both voice activity detectors on real audio."""

from __future__ import annotations

import pytest

from appliance.voice.vad import Endpointer, EndReason, MicroVad, SileroVad, load_vad
from tests.support.speech import demo_music, silence, speech_pcm


def run(
    endpointer: Endpointer, pattern: list[tuple[bool, int]], complete_from_ms: int | None = None
) -> tuple[EndReason | None, int]:
    """Feed (speech?, milliseconds) runs; the reason and the elapsed ms when it ended. From
    ``complete_from_ms`` on, the caller says what was heard is a whole command."""
    endpointer.reset()
    for speech, ms in pattern:
        for _ in range(ms // 10):
            complete = complete_from_ms is not None and endpointer.elapsed_ms >= complete_from_ms
            reason = endpointer.update(speech, complete=complete)
            if reason is not None:
                return reason, endpointer.elapsed_ms
    return None, endpointer.elapsed_ms


@pytest.mark.parametrize("trailing", [400, 500, 700])
def test_the_utterance_ends_after_exactly_the_trailing_silence(trailing: int) -> None:
    endpointer = Endpointer(trailing_silence_ms=trailing)
    reason, at = run(endpointer, [(False, 300), (True, 1000), (False, 2000)])
    assert reason is EndReason.SILENCE
    assert at == 300 + 1000 + trailing
    assert endpointer.last_voice_ms == 1300
    assert endpointer.speech_start_ms == 300


def test_pauses_shorter_than_the_trailing_silence_do_not_end_it() -> None:
    endpointer = Endpointer(trailing_silence_ms=600)
    reason, at = run(endpointer, [(True, 500), (False, 550), (True, 500), (False, 1000)])
    assert reason is EndReason.SILENCE
    assert at == 500 + 550 + 500 + 600


def test_talking_past_the_maximum_ends_the_utterance() -> None:
    endpointer = Endpointer(max_utterance_s=3.0)
    reason, at = run(endpointer, [(True, 10000)])
    assert reason is EndReason.MAX_LENGTH
    assert at == 3000


def test_nobody_speaking_ends_it_as_no_speech() -> None:
    endpointer = Endpointer(no_speech_s=2.0)
    reason, at = run(endpointer, [(False, 5000)])
    assert reason is EndReason.NO_SPEECH
    assert at == 2000


def test_a_click_does_not_open_an_utterance() -> None:
    endpointer = Endpointer(min_speech_ms=60, no_speech_s=2.0)
    reason, _ = run(endpointer, [(True, 30), (False, 1000)])
    assert not endpointer.speech_started
    assert reason is None


def test_nonsense_settings_are_refused() -> None:
    with pytest.raises(ValueError):
        Endpointer(trailing_silence_ms=50)
    with pytest.raises(ValueError):
        Endpointer(trailing_silence_ms=700, max_utterance_s=0.5)
    with pytest.raises(ValueError):
        Endpointer(trailing_silence_ms=500, early_silence_ms=50)
    with pytest.raises(ValueError):
        Endpointer(trailing_silence_ms=500, early_silence_ms=600)


def test_a_whole_command_ends_after_the_short_silence() -> None:
    endpointer = Endpointer(trailing_silence_ms=500, early_silence_ms=200)
    reason, at = run(endpointer, [(False, 300), (True, 800), (False, 2000)], complete_from_ms=900)
    assert reason is EndReason.COMPLETE
    assert at == 300 + 800 + 200


def test_a_command_heard_whole_only_during_the_silence_ends_when_it_is() -> None:
    """The recogniser's partial may catch up a little after the words: the short silence is
    counted from the last voice, so the end comes as soon as both hold."""
    endpointer = Endpointer(trailing_silence_ms=500, early_silence_ms=200)
    reason, at = run(endpointer, [(True, 800), (False, 2000)], complete_from_ms=800 + 300)
    assert reason is EndReason.COMPLETE
    assert at == 800 + 300 + 10


def test_an_open_request_waits_the_full_silence_and_a_pause_keeps_it_going() -> None:
    endpointer = Endpointer(trailing_silence_ms=500, early_silence_ms=200)
    reason, at = run(endpointer, [(True, 800), (False, 300), (True, 500), (False, 2000)])
    assert reason is EndReason.SILENCE
    assert at == 800 + 300 + 500 + 500


def test_the_early_end_is_off_unless_asked_for() -> None:
    endpointer = Endpointer(trailing_silence_ms=500)
    reason, at = run(endpointer, [(True, 800), (False, 2000)], complete_from_ms=0)
    assert reason is EndReason.SILENCE
    assert at == 800 + 500


def frames_with_speech(vad: SileroVad | MicroVad, pcm: bytes) -> list[bool]:
    return [vad.is_speech(pcm[i : i + 320]) for i in range(0, len(pcm) - 319, 320)]


@pytest.mark.parametrize("name", ["silero", "micro"])
def test_voice_activity_finds_the_speech_and_not_the_music(name: str) -> None:
    vad = load_vad(name)
    # pymicro-vad is blind while it warms up: give it a second of room noise first
    lead = silence(1.0)
    speech = speech_pcm("play something by miles davis")
    flags = frames_with_speech(vad, lead + speech + silence(1.5))
    lead_frames, speech_frames = len(lead) // 320, len(speech) // 320
    assert not any(flags[:lead_frames])
    assert sum(flags[lead_frames : lead_frames + speech_frames]) > 0.6 * speech_frames
    assert not any(flags[lead_frames + speech_frames + 80 :])  # 0.8 s after the last word
    vad.reset()
    music = demo_music(10.0, seed=5)
    assert sum(frames_with_speech(vad, music)) < 0.05 * len(music) // 320


def test_an_unknown_detector_name_is_refused() -> None:
    with pytest.raises(ValueError):
        load_vad("webrtc")
