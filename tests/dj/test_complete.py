"""Which partial transcripts are whole commands (the listener's early end), with the real
understanding and its templates."""

from __future__ import annotations

import pytest

from appliance.dj import PersonalizedDJ
from appliance.dj.complete import is_complete
from appliance.dj.understand import Intent, Understanding


@pytest.fixture(scope="module")
def understanding() -> Understanding:
    return PersonalizedDJ().understanding


@pytest.mark.parametrize(
    "text",
    ["skip", "pause", "stop", "next song", "turn it up", "what's playing", "i love this",
     "play some jazz", "put on some rock music", "i'm working out", "set the volume to 45",
     "set the volume to one hundred", "set the volume to ten", "set the volume to zero",
     "skip this song please"],
)  # fmt: skip
def test_commands_that_cannot_go_on_are_whole(understanding: Understanding, text: str) -> None:
    assert is_complete(understanding.parse(text))


@pytest.mark.parametrize(
    "text",
    ["play something by", "play something by sade", "play some jazz by miles davis",
     "play so what", "this is alex", "hello", "set the volume to forty", "set the volume to",
     "i love", "play", "the weather is nice today",
     "play some jazz and", "play some jazz for", "play some jazz but", "play some jazz with",
     "play some jazz from", "play some jazz like", "turn it down to", "turn it up to",
     "Turn it down, too.", "pause for", "skip and", "i love jazz by", "no i said jazz not",
     "set the volume to one", "set the volume to 1", "set the volume to five"],
)  # fmt: skip
def test_requests_that_may_go_on_are_not(understanding: Understanding, text: str) -> None:
    assert not is_complete(understanding.parse(text))


def test_free_text_slots_keep_any_intent_open() -> None:
    assert not is_complete(Intent("add_preference", {"artist": "miles"}, "i love miles"))
    assert is_complete(Intent("add_preference", {"genre": "jazz"}, "i love jazz"))
    assert not is_complete(Intent("mood", {}, "i feel"))


def test_preparing_a_partial_does_not_wait_for_a_turn_in_progress() -> None:
    """The listener's thread parses partials while a turn holds the DJ (through its SQLite
    transaction): it must not stall behind it."""
    import threading

    dj = PersonalizedDJ()
    dj.understanding  # noqa: B018 - built, as the station does at start
    done = threading.Event()
    with dj._lock:  # a turn in progress on another thread
        worker = threading.Thread(target=lambda: (dj.prepare("play some jazz"), done.set()))
        worker.start()
        assert done.wait(5), "prepare waited for the DJ's lock"
    worker.join()
    intent = dj.prepare("skip")
    assert intent is not None and is_complete(intent)
