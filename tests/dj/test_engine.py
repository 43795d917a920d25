"""The DJ beyond the guide's examples: memory across restarts, mood, community, data ownership."""

from __future__ import annotations

import logging
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from appliance.dj import PersonalizedDJ, engine, store
from appliance.dj.profile import trust_level
from appliance.dj.reply import Pause, PlayTrack, SetVolume, Skip, Stop
from appliance.dj.said import MAX_SAID
from appliance.library.track import Track
from tests.support.listeners import generate_library
from tests.support.locks import hold_lock


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 3, 14, 19, 30))


def test_trust_bands() -> None:
    assert [trust_level(x) for x in (0.0, 0.29, 0.3, 0.5, 0.69, 0.7, 0.9, 1.0)] == [
        "Stranger",
        "Stranger",
        "Acquaintance",
        "Friend",
        "Friend",
        "Close Friend",
        "Best Friend",
        "Best Friend",
    ]


def test_state_survives_a_restart(tmp_path: Path, clock: Clock) -> None:
    db = tmp_path / "dj.db"
    dj = PersonalizedDJ(db_path=db, clock=clock)
    dj.greet_user("alex", "Alex")
    dj.update_preferences("alex", ["Jazz", "soul"])
    dj.interact("alex", "i'm feeling happy")
    dj.add_to_community("alex", "sam")
    dj.close()

    again = PersonalizedDJ(db_path=db, clock=clock)
    profile = again.user_profiles["alex"]
    assert profile.name == "Alex"
    assert profile.music_preferences == ["jazz", "soul"]
    assert profile.trust_score == pytest.approx(0.51)
    assert profile.community_connections == ["sam"]
    assert again.current_mood("alex") == "happy"
    assert [e["type"] for e in profile.interaction_history] == ["user_message", "dj_response"]
    assert again.conversation_context["alex"] == ["i'm feeling happy"]
    again.close()


def test_newcomer_is_created_on_first_contact() -> None:
    dj = PersonalizedDJ()
    assert "zoe" not in dj.user_profiles
    dj.interact("zoe", "hello")
    assert "zoe" in dj.user_profiles
    assert dj.user_profiles["zoe"].name == "zoe"
    assert len(dj.user_profiles) == 1


def test_returning_greeting_reflects_the_relationship(clock: Clock) -> None:
    dj = PersonalizedDJ(clock=clock)
    dj.greet_user("alex", "Alex")
    dj.update_preferences("alex", ["jazz", "bossa nova"])
    for _ in range(3):
        clock.advance(days=15)
        dj.interact("alex", "hello")
    greeting = dj.greet_user("alex", "Alex")  # a fourth welcome back: in other words
    assert "Alex" in greeting and "Welcome to" not in greeting
    assert "We've shared 3 sessions together" in greeting  # the guide's word for the three turns
    assert "6 weeks" in greeting
    assert "jazz or bossa nova" in greeting


def test_a_newcomer_saying_hi_is_welcomed_not_welcomed_back(tmp_path: Path) -> None:
    dj = PersonalizedDJ(db_path=tmp_path / "dj.db")  # an empty data folder
    reply = dj.respond("sam", "hi")
    assert reply.intent == "greet"
    assert "Welcome back" not in reply.text and "again" not in reply.text
    assert reply.text.startswith("Hey there! Welcome to QFZZ!")  # known by id alone: no name
    again = dj.respond("sam", "hello")
    assert again.text.startswith("Welcome back! Great to see you again.")
    assert "We've shared 1 session together" in again.text  # the guide counts each turn
    dj.close()


def test_a_listener_named_in_the_config_is_a_newcomer_until_they_talk(clock: Clock) -> None:
    dj = PersonalizedDJ(clock=clock)
    dj.register_user("alex", "Alex")  # what `appliance chat --user alex` does first
    assert dj.respond("alex", "hey dj").text.startswith("Hey Alex! Welcome to QFZZ!")
    clock.advance(days=3)
    greeting = dj.greet_user("alex", "Alex")
    assert greeting.startswith("Welcome back, Alex!")
    assert "We've known each other for 3 days now." in greeting


def test_sessions_count_gaps_not_messages(clock: Clock) -> None:
    dj = PersonalizedDJ(clock=clock)
    for _ in range(5):
        dj.interact("alex", "hello")
        clock.advance(minutes=5)
    assert dj.user_profiles["alex"].sessions == 1
    clock.advance(hours=2)
    dj.interact("alex", "hello")
    assert dj.user_profiles["alex"].sessions == 2


def test_spoken_answers_count_visits_not_turns(tmp_path: Path, clock: Clock) -> None:
    """A household's report: a few requests in one sitting, and the DJ said "We've had 4
    sessions". Answers about the listener count visits (sittings: a gap of half an hour, or a
    switch of listener); only the greeting keeps the guide's count of turns."""
    db = tmp_path / "dj.db"
    dj = PersonalizedDJ(db_path=db, clock=clock, seed=3)
    dj.greet_user("alex", "Alex")
    for said in ("play some jazz for me", "i love jazz", "what can you do", "hello"):
        clock.advance(minutes=3)
        dj.respond("alex", said)
    clock.advance(minutes=3)
    known = dj.respond("alex", "how many sessions have we had")
    assert known.intent == "known_for"
    assert "1 visit" in known.text and "visits" not in known.text
    about = dj.respond("alex", "what do you know about me").text
    assert "1 visit" in about and "visits" not in about

    clock.advance(hours=2)  # a second sitting, after a restart
    dj.close()
    dj = PersonalizedDJ(db_path=db, clock=clock, seed=3)
    dj.greet_user("alex", "Alex")
    clock.advance(minutes=5)
    assert "2 visits" in dj.respond("alex", "how many sessions have we had").text

    clock.advance(minutes=5)  # sam takes over, and alex comes back within minutes: a new sitting
    dj.respond("alex", "this is sam")
    clock.advance(minutes=5)
    dj.respond("sam", "this is alex")
    assert dj.user_profiles["alex"].sessions == 3
    assert dj.user_profiles["sam"].sessions == 1
    clock.advance(minutes=5)
    dj.respond("alex", "this is alex")  # saying who you are again starts nothing new
    assert dj.user_profiles["alex"].sessions == 3
    assert "3 visits" in dj.respond("alex", "how many sessions have we had").text
    dj.close()


def test_mood_fades_after_a_few_hours(clock: Clock) -> None:
    dj = PersonalizedDJ(clock=clock)
    dj.interact("alex", "i'm working out")
    assert dj.current_mood("alex") == "energetic"
    clock.advance(hours=5)
    assert dj.current_mood("alex") is None


def test_community_rules() -> None:
    dj = PersonalizedDJ()
    with pytest.raises(ValueError):
        dj.add_to_community("alex", "alex")
    dj.add_to_community("alex", "sam")
    dj.add_to_community("alex", "sam")
    assert dj.user_profiles["alex"].community_connections == ["sam"]
    assert dj.remove_from_community("alex", "sam") is True
    assert dj.remove_from_community("alex", "sam") is False
    assert dj.user_profiles["alex"].community_connections == []
    assert "haven't connected" in dj.interact("alex", "tell me about my community")


def test_saying_you_dislike_a_genre_blocks_it_and_never_raises_trust() -> None:
    dj = PersonalizedDJ()
    dj.update_preferences("alex", ["country", "jazz"])
    before = dj.get_trust_score("alex")
    dj.interact("alex", "i don't like country")
    profile = dj.user_profiles["alex"]
    assert profile.music_preferences == ["jazz"]
    assert profile.blocked_genres == ["country"]
    assert dj.get_trust_score("alex") == before
    dj.interact("alex", "i love country")
    assert "country" in profile.music_preferences
    assert "country" not in profile.blocked_genres


def test_trust_is_capped(clock: Clock) -> None:
    dj = PersonalizedDJ(clock=clock)
    for _ in range(80):
        dj.interact("alex", "hello")
    assert dj.get_trust_score("alex") == 1.0


def test_player_commands_become_actions() -> None:
    dj = PersonalizedDJ()
    assert dj.respond("alex", "pause").actions == (Pause(),)
    assert dj.respond("alex", "stop the music").actions == (Stop(),)
    assert dj.respond("alex", "set the volume to forty").actions == (SetVolume(level=40),)
    assert dj.respond("alex", "turn it up").actions == (SetVolume(step=10),)
    skip = dj.respond("alex", "skip this song")
    assert skip.intent == "skip" and isinstance(skip.actions[0], Skip)


def test_identify_switches_the_listener() -> None:
    dj = PersonalizedDJ()
    dj.register_user("alex", "Alex")
    reply = dj.respond("guest", "this is alex")
    assert reply.intent == "identify"
    assert reply.user_id == "alex"
    assert "Alex" in reply.text
    new = dj.respond("guest", "my name is jordan")
    assert new.user_id == "jordan"
    assert dj.user_profiles["jordan"].name == "Jordan"


def test_unknown_chat_is_answered_gracefully() -> None:
    dj = PersonalizedDJ()
    reply = dj.respond("alex", "what's the weather like on mars")
    assert reply.intent == "unknown"
    assert reply.text and reply.actions == ()


def test_export_and_delete_profile(tmp_path: Path) -> None:
    db = tmp_path / "dj.db"
    dj = PersonalizedDJ(db_path=db)
    dj.greet_user("alex", "Alex")
    dj.interact("alex", "i love jazz with a secret word zanzibar")
    dj.add_to_community("sam", "alex")
    dj.record_event("alex", "t1", "liked")
    data = dj.export_profile("alex")
    assert data is not None
    assert data["profile"]["name"] == "Alex"
    assert any("zanzibar" in row["message"] for row in data["history"])
    assert data["listening"][0]["event"] == "liked"
    assert dj.delete_profile("alex") is True
    assert "alex" not in dj.user_profiles
    assert dj.user_profiles["sam"].community_connections == []
    assert dj.export_profile("alex") is None
    dj.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("dj.db"))
    assert b"zanzibar" not in raw


def test_record_event_rejects_unknown_events() -> None:
    dj = PersonalizedDJ()
    with pytest.raises(ValueError):
        dj.record_event("alex", "t1", "loved")


def test_a_failed_turn_leaves_no_trace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dj = PersonalizedDJ(db_path=tmp_path / "dj.db")
    dj.interact("alex", "hello")
    trust = dj.get_trust_score("alex")

    def broken(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(dj.store, "append_history", broken)
    with pytest.raises(OSError):
        dj.interact("alex", "i'm feeling happy")
    monkeypatch.undo()
    assert dj.get_trust_score("alex") == trust
    assert dj.current_mood("alex") is None
    assert len(dj.user_profiles["alex"].interaction_history) == 2
    dj.close()


def test_deleting_a_listener_while_the_dj_runs_is_not_undone(tmp_path: Path) -> None:
    from appliance.dj.store import Store

    db = tmp_path / "dj.db"
    dj = PersonalizedDJ(db_path=db)
    dj.update_preferences("alex", ["jazz"])
    for _ in range(5):
        dj.interact("alex", "hello")
    other = Store(db)  # `appliance profile delete alex`, from another process
    assert other.delete_user("alex")
    other.close()
    assert "alex" not in dj.user_profiles
    dj.interact("alex", "hello")  # alex comes back as a stranger, nothing of before
    profile = dj.user_profiles["alex"]
    assert profile.music_preferences == []
    assert profile.trust_score == pytest.approx(0.51)
    assert len(profile.interaction_history) == 2
    dj.close()


# -- turns that cannot be saved ------------------------------------------------------------------


def test_a_short_lock_by_another_process_is_waited_out(tmp_path: Path) -> None:
    dj = PersonalizedDJ(db_path=tmp_path / "dj.db")
    dj.interact("alex", "hello")
    holder = hold_lock(tmp_path / "dj.db", 1.0)
    started = time.monotonic()
    reply = dj.respond("alex", "i love jazz")
    assert time.monotonic() - started >= 0.5  # it waited for the lock instead of failing
    assert "can't save" not in reply.text
    holder.wait(timeout=10)
    dj.close()
    again = PersonalizedDJ(db_path=tmp_path / "dj.db")
    assert again.store.turn_count("alex") == 2  # and the turn was kept
    assert again.user_profiles["alex"].music_preferences == ["jazz"]
    again.close()


@pytest.fixture
def short_waits(monkeypatch: pytest.MonkeyPatch) -> int:
    """A lock is given up after 300 ms instead of 3 s: outages come quickly."""
    monkeypatch.setattr(store, "BUSY_TIMEOUT_MS", 300)
    monkeypatch.setattr(engine, "BUSY_TIMEOUT_MS", 300)
    return 300


def test_a_long_lock_still_gets_an_answer_said_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, short_waits: int
) -> None:
    dj = PersonalizedDJ(db_path=tmp_path / "dj.db")
    dj.update_preferences("alex", ["soul"])
    dj.interact("alex", "hello")
    holder = hold_lock(tmp_path / "dj.db", 30.0)
    try:
        with caplog.at_level(logging.WARNING, logger="appliance.dj.engine"):
            first = dj.respond("alex", "i'm feeling happy")  # waits the lock out first
            second = dj.respond("alex", "recommend something")
        assert dj.store._db.execute("PRAGMA busy_timeout").fetchone()[0] == engine.OUTAGE_WAIT_MS
    finally:
        holder.kill()
        holder.wait()
    assert first.intent == "mood" and first.text.startswith(("Love", "That's"))
    assert first.text.endswith("I can't save anything right now, so I won't remember this.")
    assert "soul" in second.text  # it still knows the listener's taste
    assert "can't save" not in second.text  # said once per outage
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "database is locked" in warnings[0].getMessage()
    assert not any(r.exc_info for r in caplog.records)  # a line, not a traceback
    third = dj.respond("alex", "i love jazz")  # the lock is gone: remembered again
    assert "can't save" not in third.text
    assert dj.store._db.execute("PRAGMA busy_timeout").fetchone()[0] == short_waits
    assert dj.store.turn_count("alex") == 2  # the unsaved turns left nothing behind
    assert dj.user_profiles["alex"].music_preferences == ["soul", "jazz"]
    dj.close()


def test_a_full_disk_still_gets_an_answer(tmp_path: Path) -> None:
    from tests.support.disks import fill, mounted_tmpfs

    with mounted_tmpfs(tmp_path / "disk", size="1m") as disk:
        dj = PersonalizedDJ(db_path=disk / "dj.db")
        dj.interact("alex", "hello")
        fill(disk)
        replies = [dj.respond("alex", f"play some jazz number {i} " + "x" * 400) for i in range(40)]
        assert all(reply.text for reply in replies)
        assert sum("can't save" in reply.text for reply in replies) == 1
        kept = dj.store.turn_count("alex")
        (disk / ".filler").unlink()
        assert "can't save" not in dj.respond("alex", "hello").text
        dj.close()
        again = PersonalizedDJ(db_path=disk / "dj.db")
        assert again.store.turn_count("alex") == kept + 1  # saving resumed with that turn
        again.close()


def test_a_greeting_says_nothing_can_be_saved_at_each_outage(
    tmp_path: Path, short_waits: int
) -> None:
    """A hello during an outage is told, as a turn is; and told again, whole, at the next outage
    though it came within the answers the DJ does not repeat itself in."""
    dj = PersonalizedDJ(db_path=tmp_path / "dj.db", library=generate_library(20).library())
    dj.greet_user("alex", "Alex")
    dj.respond("alex", "play some jazz for me")  # met before: welcomed back from now on
    notices = []
    for _ in range(2):  # two outages, a few answers apart
        holder = hold_lock(tmp_path / "dj.db", 30.0)
        try:
            notices.append(dj.greet_user("alex", "Alex"))
            quiet = dj.greet_user("alex", "Alex")  # the same outage: told once
        finally:
            holder.kill()
            holder.wait()
        assert "can't save" not in quiet
        assert "can't save" not in dj.respond("alex", "what's playing please").text  # saved again
    first, second = notices
    assert first.startswith("Welcome back, Alex!"), first
    assert first.endswith("I can't save anything right now, so I won't remember this."), first
    assert "Alex" in second and "Welcome to" not in second, second  # welcomed back, reworded
    assert "can't save anything" in second, second
    dj.close()


def test_a_question_asked_during_an_outage_is_answered(tmp_path: Path, short_waits: int) -> None:
    dj = PersonalizedDJ(db_path=tmp_path / "dj.db", library=generate_library(60).library())
    dj.interact("alex", "hello")
    holder = hold_lock(tmp_path / "dj.db", 30.0)
    try:
        asked = dj.respond("alex", "skip this song", confidence=0.2)
        assert asked.question
        answered = dj.respond("alex", "yes")
        assert any(isinstance(action, Skip) for action in answered.actions), answered.text
    finally:
        holder.kill()
        holder.wait()
    dj.close()


def test_the_music_and_the_documented_calls_go_on_during_an_outage(
    tmp_path: Path, short_waits: int, caplog: pytest.LogCaptureFixture
) -> None:
    """The station's music source (next_track) and its track-end recording (record_event) must
    not fail while another process holds the database; greetings and preferences answer too."""
    dj = PersonalizedDJ(db_path=tmp_path / "dj.db", library=generate_library(60).library())
    dj.greet_user("alex", "Alex")
    dj.interact("alex", "i love jazz")
    first = dj.next_track("alex")
    assert first is not None
    caplog.set_level(logging.WARNING, logger="appliance.dj.engine")
    holder = hold_lock(tmp_path / "dj.db", 30.0)
    try:
        picks = [dj.next_track("alex") for _ in range(3)]
        dj.record_event("alex", first.track_id, "skipped", position=3.0, duration=200.0)
        greeting = dj.greet_user("alex", "Alex")
        preferences = dj.update_preferences("alex", ["soul"])
    finally:
        holder.kill()
        holder.wait()
    assert all(pick is not None for pick in picks)
    ids = [first.track_id] + [pick.track_id for pick in picks if pick]
    assert len(set(ids)) == 4  # the session's memory of what played goes on
    assert greeting.startswith("Welcome back, Alex!")
    assert preferences == ["jazz", "soul"]
    lines = [r.getMessage() for r in caplog.records]
    assert sum("not saved" in line and first.track_id in line for line in lines) == 1
    assert not any(r.exc_info for r in caplog.records)
    assert dj.next_track("alex") is not None  # the lock is gone
    assert dj.user_profiles["alex"].music_preferences == ["jazz"]  # nothing of the outage kept
    assert [p["event"] for p in dj.export_profile("alex")["listening"]] == []  # type: ignore[index]
    assert "turns are saved again" in caplog.records[-1].getMessage()
    dj.close()


def test_an_unsaved_turn_copies_only_what_a_turn_needs(tmp_path: Path, short_waits: int) -> None:
    dj = PersonalizedDJ(db_path=tmp_path / "dj.db")
    with dj.store.transaction():
        for i in range(200):
            dj.interact("alex", f"hello number {i}")
    holder = hold_lock(tmp_path / "dj.db", 30.0)
    try:
        scratch = dj.store.scratch_copy("alex")
    finally:
        holder.kill()
        holder.wait()
    held = scratch._query("SELECT count(*) FROM history")[0][0]
    assert held == store.SCRATCH_MESSAGES
    assert scratch.history_count("alex") == 400 and scratch.turn_count("alex") == 200
    assert scratch.recent_messages("alex", 2) == ["hello number 198", "hello number 199"]
    assert scratch.history_slice("alex", 398, 2)[0]["message"] == "hello number 199"
    scratch.close()
    dj.close()


def test_a_line_that_is_not_utf8_is_answered_and_kept(tmp_path: Path) -> None:
    dj = PersonalizedDJ(db_path=tmp_path / "dj.db")
    typed = b"play some jazz \xe9\xff".decode("utf-8", "surrogateescape")  # what stdin gives
    reply = dj.respond("alex", typed)
    assert reply.text
    assert dj.respond("alex", "half a surrogate \ud800 here").text
    messages = [e["message"] for e in dj.user_profiles["alex"].interaction_history][::2]
    assert messages == ["play some jazz \ufffd\ufffd", "half a surrogate \ufffd here"]
    dj.close()


def test_a_huge_typed_line_is_cut_and_said_once_in_the_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    dj = PersonalizedDJ()
    with caplog.at_level(logging.WARNING, logger="appliance.dj.engine"):
        dj.interact("alex", "play some jazz " + "la " * 40_000)
        dj.interact("alex", "i love " + "really " * 20_000)
    stored = [e["message"] for e in dj.user_profiles["alex"].interaction_history][::2]
    assert [len(text) <= MAX_SAID for text in stored] == [True, True]
    assert stored[0].startswith("play some jazz la la")
    assert len([r for r in caplog.records if "was cut" in r.getMessage()]) == 1


def test_a_track_asked_for_by_name_while_it_plays_is_never_swapped() -> None:
    """Asking by name for the track on air (or the one just played) plays what was asked: the
    DJ used to answer with another track, as though the request had run its course."""
    library = generate_library(60).library()
    titles = Counter(t.title.casefold() for t in library.tracks())
    dj = PersonalizedDJ(library=library, seed=2)
    on_air = dj.next_track("alex")
    while on_air is not None and titles[on_air.title.casefold()] > 1:  # a title of its own
        on_air = dj.next_track("alex")
    assert on_air is not None
    again = dj.respond("alex", f"play {on_air.title}")
    assert [a.track for a in again.actions if isinstance(a, PlayTrack)] == [on_air], again.text
    assert on_air.title in again.text and "heard all" not in again.text
    assert dj.now_playing == on_air
    then = dj.next_track("alex")  # the request is answered: the radio goes on to another
    assert then is not None and then != on_air
    just_played = dj.respond("alex", f"play {on_air.title}")
    assert [a.track for a in just_played.actions if isinstance(a, PlayTrack)] == [on_air]


def test_this_is_the_last_track_asked_for_even_when_an_earlier_one_starts_late() -> None:
    """Two requests in quick succession (typed, or tapped): the player's start of the first
    arrives after the second was asked, and "play it again" replayed the first."""
    library = generate_library(60).library()
    titles = Counter(t.title.casefold() for t in library.tracks())
    first, second, other = [t for t in library.tracks() if titles[t.title.casefold()] == 1][:3]
    dj = PersonalizedDJ(library=library, seed=2)
    on_air: list[Track | None] = [None]
    dj.now_playing_from = lambda: on_air[0]  # as a station runs it: the player says what plays
    for track in (first, second):
        asked = dj.respond("alex", f"play {track.title}")
        assert [a.track for a in asked.actions if isinstance(a, PlayTrack)] == [track]
    on_air[0] = first
    dj.track_started(first)  # late: the second is still on its way
    again = dj.respond("alex", "play it again")
    assert [a.track for a in again.actions if isinstance(a, PlayTrack)] == [second], again.text
    on_air[0] = other
    dj.track_started(other)  # something else began (what was asked failed): it is "this"
    again = dj.respond("alex", "play that again")
    assert [a.track for a in again.actions if isinstance(a, PlayTrack)] == [other], again.text


def test_liked_artists_are_named_as_the_library_names_them() -> None:
    """Asked "what do you know about me", the DJ said "you like marisol quartet": the taste
    keeps names case-folded, a listener hears them as the library writes them."""
    library = generate_library(60).library()
    track = next(t for t in library.tracks() if t.artist != t.artist.casefold())
    dj = PersonalizedDJ(library=library, seed=2)
    for _ in range(3):
        dj.record_event("alex", track.track_id, "liked")
    assert dj.liked_artists("alex") == [track.artist]
    assert track.artist in dj.respond("alex", "what do you know about me").text


def test_names_heard_in_lower_case_are_said_as_the_library_writes_them() -> None:
    """The understanding hears names case-folded: "no more venlo anbridu" was said as heard."""
    library = generate_library(60).library()
    titles = Counter(t.title.casefold() for t in library.tracks())
    track = next(t for t in library.tracks() if titles[t.title.casefold()] == 1)
    dj = PersonalizedDJ(library=library, seed=2)
    assert track.title in dj.respond("alex", f"play {track.title.casefold()}").text
    dj.next_track("alex")  # the request has run its course: the nearest, said as such
    pick = dj.last_pick("alex")
    assert pick is not None and dict(pick.reasons).get("ran_short") == track.title
    dropped = dj.respond("alex", f"i don't like {track.artist.casefold()}")
    assert track.artist in dropped.text, dropped.text


def test_less_of_that_moves_away_from_the_request_that_brought_it() -> None:
    """Asked for bluegrass, then "less of that": the DJ answered "Less of that, then:" with
    the same artist's next bluegrass track (the request still held it there)."""
    library = generate_library(60).library()
    dj = PersonalizedDJ(library=library, seed=2)
    asked = dj.respond("alex", "play some bluegrass")
    playing = [a.track for a in asked.actions if isinstance(a, PlayTrack)]
    assert playing and playing[0].artist == "Venlo Anbridu"
    less = dj.respond("alex", "less of that")
    moved = [a.then for a in less.actions if isinstance(a, Skip)]
    assert moved and moved[0] is not None, less.text
    assert moved[0].artist != "Venlo Anbridu" and "bluegrass" not in moved[0].genres, less.text
    after = dj.next_track("alex")
    assert after is not None and "bluegrass" not in after.genres
