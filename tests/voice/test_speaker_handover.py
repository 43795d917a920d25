"""A new utterance waits for the previous one's synthesis to end without holding the speech
output's lock: closing the output meanwhile is not held up by a sentence being synthesised."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

from appliance.voice.speaker import SpeechOutput
from appliance.voice.tts_piper import SpeechAudio


def test_close_is_not_held_up_while_a_say_waits_for_the_last_synthesis() -> None:
    output = SpeechOutput(open_now=False)
    synthesising, done = threading.Event(), threading.Event()

    def stuck() -> Iterator[SpeechAudio]:  # a voice still working on its sentence
        synthesising.set()
        done.wait(10)
        yield from ()

    cancel = threading.Event()
    cancel.set()  # a barge-in: say() returns at once, its producer still synthesises
    assert output.say(stuck(), cancel=cancel) is False
    assert synthesising.wait(5)
    second = threading.Thread(target=output.say, args=(iter(()),))
    second.start()
    time.sleep(0.2)  # the second say() is now waiting for the first synthesis
    try:
        began = time.monotonic()
        closer = threading.Thread(target=output.close)
        closer.start()
        closer.join(2.0)
        assert not closer.is_alive(), "close() waited for a sentence being synthesised"
        assert time.monotonic() - began < 2.0
    finally:
        done.set()
        second.join(10)
    assert not second.is_alive()
