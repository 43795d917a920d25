"""The DJ beyond the guide's examples: memory across restarts, mood, community, data ownership."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from appliance.dj import PersonalizedDJ
from appliance.dj.profile import trust_level
from appliance.dj.reply import Pause, SetVolume, Skip, Stop


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
    greeting = dj.greet_user("alex", "Alex")
    assert greeting.startswith("Welcome back, Alex!")
    assert "We've shared 3 sessions together" in greeting  # the three conversations
    assert "6 weeks" in greeting
    assert "jazz or bossa nova" in greeting


def test_a_newcomer_saying_hi_is_welcomed_not_welcomed_back(tmp_path: Path) -> None:
    dj = PersonalizedDJ(db_path=tmp_path / "dj.db")  # an empty data folder
    reply = dj.respond("sam", "hi")
    assert reply.intent == "greet"
    assert "Welcome back" not in reply.text and "again" not in reply.text
    assert reply.text.startswith("Hey sam! Welcome to QFZZ!")
    again = dj.respond("sam", "hello")
    assert again.text.startswith("Welcome back, sam! Great to see you again.")
    assert "We've shared 1 session together" in again.text
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
