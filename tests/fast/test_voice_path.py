"""Spoken requests through the whole station on fakes: wake, transcript, answer, music, and the
music's duck around all of it (barge-in, a request nobody could make out, a failing engine)."""

from __future__ import annotations

from appliance.bus import StateChanged
from appliance.player.gain import db_to_amplitude, mpv_volume
from appliance.state import VoiceActivity
from appliance.station import QFZZStation
from tests.fakes import FakeDeck, FakeParts
from tests.support.waiting import wait_until


def playing_deck(station: QFZZStation, fakes: FakeParts) -> FakeDeck:
    """Music on (typed, so nothing is ducked), and the deck that plays it."""
    station.handle("play some jazz")
    wait_until(lambda: fakes.decks.sounding(), timeout=5, what="the music")
    (deck,) = [d for d in fakes.decks.made if d.track is not None]
    wait_until(lambda: deck.volume == full(station), timeout=5, what="full volume")
    fakes.output.said.clear()  # the typed request's answer was said too
    fakes.voice.texts.clear()
    return deck


def full(station: QFZZStation) -> float:
    assert station.player is not None
    return mpv_volume(station.player.volume, 1.0)


def ducked(station: QFZZStation) -> float:
    assert station.player is not None
    duck = db_to_amplitude(station.config.settings.audio.duck_db)
    return mpv_volume(station.player.volume, duck)


def test_a_spoken_request_is_answered_aloud_and_played(
    station: QFZZStation, fakes: FakeParts
) -> None:
    fakes.say("play some jazz")
    wait_until(lambda: fakes.output.said, timeout=10, what="the DJ's answer")
    assert "jazz" in fakes.output.said[0].lower()
    wait_until(lambda: fakes.decks.sounding(), timeout=5, what="the music")
    (track,) = fakes.decks.sounding()
    assert track.genres == ("jazz",)


def test_the_music_dips_from_the_wake_word_until_the_answer_is_said(
    station: QFZZStation, fakes: FakeParts
) -> None:
    deck = playing_deck(station, fakes)
    fakes.output.seconds = 0.6
    with station.events.subscribe() as subscription:
        fakes.say("what's playing")
        wait_until(fakes.output.speaking.is_set, timeout=10, what="the answer")
        assert station.ducking.held and station.snapshot().voice is VoiceActivity.SPEAKING
        wait_until(lambda: deck.volume == ducked(station), timeout=3, what="the duck")
        wait_until(lambda: fakes.output.said, timeout=5, what="the end of the answer")
        wait_until(lambda: not station.ducking.held, timeout=3, what="the duck to go")
        wait_until(lambda: deck.volume == full(station), timeout=3, what="the music back up")
        wait_until(lambda: station.snapshot().voice is VoiceActivity.IDLE, timeout=3)
        events = []
        while (event := subscription.get(timeout=0.05)) is not None:
            events.append(event)
    changes = [e for e in events if isinstance(e, StateChanged)]
    voices = [e.state.voice for e in changes if "voice" in e.changed]
    assert voices.index(VoiceActivity.LISTENING) < voices.index(VoiceActivity.SPEAKING)
    assert voices[-1] is VoiceActivity.IDLE  # the state follows the voice
    assert [e.state.ducked for e in changes if "ducked" in e.changed] == [True, False]
    # strict only while the DJ spoke (the listener takes it up between two reads)
    wait_until(lambda: fakes.wake.strict_changes[:2] == [True, False], timeout=3)


def test_barge_in_cuts_the_answer_and_the_music_stays_down_through_the_next_request(
    station: QFZZStation, fakes: FakeParts
) -> None:
    deck = playing_deck(station, fakes)
    fakes.output.seconds = 30.0  # a long answer: only a barge-in ends it
    with station.events.subscribe() as subscription:
        fakes.say("what's playing")
        wait_until(fakes.output.speaking.is_set, timeout=10, what="the first answer")
        wait_until(lambda: deck.volume == ducked(station), timeout=3, what="the duck")
        dipped = len(deck.volumes)
        fakes.output.seconds = 0.0
        fakes.say("what can you do")
        wait_until(lambda: fakes.output.cut, timeout=10, what="the barge-in")
        assert fakes.output.cut == [fakes.voice.texts[0]]
        wait_until(lambda: fakes.output.said, timeout=10, what="the second answer")
        wait_until(lambda: not station.ducking.held, timeout=3, what="the duck to go")
        wait_until(lambda: deck.volume == full(station), timeout=3, what="the music back up")
        changes = []
        while (event := subscription.get(timeout=0.05)) is not None:
            if isinstance(event, StateChanged) and "ducked" in event.changed:
                changes.append(event.state.ducked)
    assert changes == [True, False]  # down once, up once: it never swelled between the two
    volumes = [round(volume, 1) for _, volume in deck.volumes[dipped:]]
    back = volumes.index(full(station))
    assert volumes[:back] == sorted(volumes[:back]), volumes  # one rise, at the end


def test_words_nobody_could_make_out_and_a_failing_recogniser_release_the_duck(
    station: QFZZStation, fakes: FakeParts
) -> None:
    deck = playing_deck(station, fakes)
    fakes.say("")
    wait_until(lambda: fakes.recognizer.utterances == 1, timeout=10, what="the transcript")
    wait_until(lambda: not station.ducking.held, timeout=3, what="the duck to go")
    wait_until(lambda: deck.volume == full(station), timeout=3, what="the music back up")
    assert fakes.voice.texts == []  # nothing to answer
    fakes.recognizer.fail_next = RuntimeError("the recogniser broke")
    fakes.say("skip")
    wait_until(lambda: fakes.microphone.pending == 0, timeout=10, what="the words heard")
    wait_until(lambda: not station.ducking.held, timeout=3, what="the duck to go")
    wait_until(lambda: deck.volume == full(station), timeout=3, what="the music back up")
    fakes.script.clear()
    fakes.say("what's playing")  # the listener goes on
    wait_until(lambda: len(fakes.output.said) == 1, timeout=10, what="the next answer")
    assert len(fakes.voice.texts) == 1  # the failed request was never answered
