"""Questions about the music answered from the station's one state, on a real station built
from the fakes (tests/fakes.py): what plays, what played before, what is queued next."""

from __future__ import annotations

from appliance import control as c
from appliance.station import QFZZStation
from tests.support.waiting import wait_until


def _ask(station: QFZZStation, text: str) -> str:
    outcome = station.execute(c.Ask(text=text, source="test"))
    assert outcome.ok, outcome.error
    return outcome.text


def test_music_questions_read_the_stations_state(station: QFZZStation) -> None:
    assert station.execute(c.Play(genre="jazz", source="test")).ok
    wait_until(lambda: station.snapshot().track is not None, timeout=5, what="the music")
    first = station.snapshot().track
    assert first is not None
    assert first.title in _ask(station, "what song is this")
    assert first.artist in _ask(station, "who sings this")
    assert station.execute(c.Skip(source="test")).ok
    wait_until(lambda: station.snapshot().track not in (None, first), timeout=10, what="a skip")
    state = station.snapshot()
    assert state.last_played == first
    assert first.title in _ask(station, "what did we just hear")
    library = station.library
    assert library is not None
    queued = next(t for t in library.tracks() if t != state.track)
    assert station.execute(c.Enqueue(track_id=queued.track_id, source="test")).ok
    wait_until(lambda: station.snapshot().up_next[:1] == (queued,), timeout=5, what="the queue")
    assert queued.title in _ask(station, "what's next")


def test_asking_the_djs_opinion_gets_an_answer_and_records_nothing(station: QFZZStation) -> None:
    from appliance.dj.talk import fill, load_phrasebook

    assert station.execute(c.Play(genre="jazz", source="test")).ok
    wait_until(lambda: station.snapshot().track is not None, timeout=5, what="the music")
    playing = station.snapshot().track
    dj = station.get_dj()
    before = dj.export_profile(station.user_id)
    book = load_phrasebook().talk["dj_opinion"]
    name = dj.user_profiles[station.user_id].name
    answers = {fill(line, {"name": name}) for band in book.values() for line in band}
    for question in ("do you like this song?", "is this any good", "what do you think of it"):
        answer = _ask(station, question)
        assert answer in answers, (question, answer)
    assert station.snapshot().track == playing
    after = dj.export_profile(station.user_id)
    assert before is not None and after is not None
    for key in ("preferences", "blocked"):  # nothing liked or disliked
        assert after["profile"].get(key) == before["profile"].get(key)
    kept = {key for key in before if key not in ("profile", "history")}  # talk is remembered
    assert {key: after[key] for key in kept} == {key: before[key] for key in kept}
