"""Every example of the product guide's PersonalizedDJ chapter, run against appliance.dj.

The guide prints sample outputs; these tests check what those outputs promise (who is named, the
numbers, the tone), since the DJ varies its wording.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from appliance.dj import PersonalizedDJ, UserProfile
from appliance.dj.lines import MOOD_REPLIES


@pytest.fixture
def dj() -> PersonalizedDJ:
    return PersonalizedDJ(name="DJ Quantum", edge_mode=True, seed=7)


def test_explicit_preference_updates(dj: PersonalizedDJ) -> None:
    dj.update_preferences(
        user_id="user_001", preferences=["jazz", "electronic", "ambient", "downtempo"]
    )
    response = dj.interact("user_001", "Recommend something for me")
    assert response.startswith("Based on your taste for jazz, electronic, ambient")
    assert "perfect track" in response


def test_conversational_learning(dj: PersonalizedDJ) -> None:
    response1 = dj.interact("user_001", "I'm feeling really happy and energetic today!")
    assert dj.current_mood("user_001") in ("energetic", "happy")
    assert response1 in MOOD_REPLIES[dj.current_mood("user_001")]  # type: ignore[index]

    dj.interact("user_001", "Play some chill jazz")
    assert "jazz" in dj.user_profiles["user_001"].music_preferences
    assert dj.current_mood("user_001") == "calm"

    trust_before = dj.get_trust_score("user_001")
    response3 = dj.interact("user_001", "This track is perfect!")
    assert response3
    assert dj.get_trust_score("user_001") == pytest.approx(trust_before + 0.01)


def test_community_influences(dj: PersonalizedDJ) -> None:
    dj.add_to_community("user_001", "friend_002")
    dj.add_to_community("user_001", "friend_003")
    assert dj.user_profiles["user_001"].community_connections == ["friend_002", "friend_003"]


def test_user_profile_structure() -> None:
    profile = UserProfile(
        user_id="user_001",
        name="Alex",
        music_preferences=["jazz", "electronic"],
        interaction_history=[],
        trust_score=0.5,
        community_connections=[],
        created_at=datetime.now(),
    )
    assert profile.trust_score == 0.5
    assert profile.trust_level == "Friend"


def test_profile_evolution(dj: PersonalizedDJ) -> None:
    greeting = dj.greet_user("user_001", "Alex")
    assert greeting == (
        "Hey Alex! Welcome to QFZZ! I'm DJ Quantum, your personal DJ. "
        "Let's discover some great music together!"
    )
    for i in range(50):
        dj.interact("user_001", f"Message {i}")
    greeting = dj.greet_user("user_001", "Alex")
    assert greeting.startswith(  # the guide's words: it calls each message a session
        "Welcome back, Alex! Great to see you again. We've shared 50 sessions together."
    )
    assert "We only met" in greeting  # and how long it has known them
    profile = dj.user_profiles["user_001"]
    assert profile.trust_score == pytest.approx(1.0)
    assert len(profile.interaction_history) == 100
    assert len(profile.community_connections) == 0
    assert f"{profile.trust_score:.2f}" == "1.00"


def test_trust_affects_recommendations(dj: PersonalizedDJ) -> None:
    dj.greet_user("new_user", "Sam")
    response = dj.interact("new_user", "Recommend something")
    assert response.startswith("I'm learning your taste!")
    assert response.endswith("?")
    for i in range(50):
        dj.interact("new_user", f"Message {i}")
    trust = dj.get_trust_score("new_user")
    assert 0.9 <= trust <= 1.0
    confident = dj.interact("new_user", "Recommend something")
    assert confident != response
    assert "something special" in confident
    dj.update_preferences("new_user", ["jazz", "electronic", "ambient"])
    response = dj.interact("new_user", "Recommend something")
    assert response == (
        "Based on your taste for jazz, electronic, ambient, I've got the perfect track queued up! "
        "Let me play something special for you."
    )


def test_checking_trust_score(dj: PersonalizedDJ) -> None:
    dj.greet_user("user_001", "Alex")
    trust_score = dj.get_trust_score("user_001")
    if trust_score < 0.5:
        status = "Building relationship..."
    elif trust_score < 0.7:
        status = "Good relationship established"
    elif trust_score < 0.9:
        status = "Strong relationship"
    else:
        status = "Excellent relationship"
    assert status == "Good relationship established"
    assert dj.get_trust_level("user_001") == "Friend"


def test_context_tracking_and_storage(dj: PersonalizedDJ) -> None:
    dj.interact("user_001", "I'm in a great mood today!")
    dj.interact("user_001", "Play something uplifting")
    dj.interact("user_001", "Maybe some electronic music?")
    dj.interact("user_002", "Feeling a bit down")
    dj.interact("user_002", "Need some comfort music")
    assert dj.conversation_context == {
        "user_001": [
            "I'm in a great mood today!",
            "Play something uplifting",
            "Maybe some electronic music?",
        ],
        "user_002": ["Feeling a bit down", "Need some comfort music"],
    }
    assert dj.current_mood("user_002") == "sad"


def test_interaction_history(dj: PersonalizedDJ) -> None:
    dj.interact("user_001", "I'm in a great mood today!")
    dj.interact("user_001", "Play something uplifting")
    profile = dj.user_profiles["user_001"]
    last = profile.interaction_history[-5:]
    assert [entry["type"] for entry in last] == [
        "user_message",
        "dj_response",
        "user_message",
        "dj_response",
    ]
    assert last[0]["message"] == "I'm in a great mood today!"
    assert all(isinstance(entry["timestamp"], datetime) for entry in last)
    rendered = [f"[{e['timestamp']}] ({e['type']}): {e['message']}" for e in last]
    assert rendered[2].endswith("(user_message): Play something uplifting")


def test_context_aware_responses(dj: PersonalizedDJ) -> None:
    r1 = dj.interact("user_001", "Play something")
    assert r1.startswith("I'm learning your taste!")
    dj.update_preferences("user_001", ["jazz", "electronic"])
    dj.interact("user_001", "I'm feeling energetic")
    r2 = dj.interact("user_001", "Play something")
    assert r2 == (
        "Based on your taste for jazz, electronic, and your energetic vibe, here's a perfect track!"
    )


def test_mood_based_recommendations(dj: PersonalizedDJ) -> None:
    response = dj.interact("user_001", "I'm so happy and excited today!")
    assert dj.current_mood("user_001") in ("energetic", "happy")
    assert response in MOOD_REPLIES[dj.current_mood("user_001")]  # type: ignore[index]
    response = dj.interact("user_001", "I need to relax and chill")
    assert dj.current_mood("user_001") == "calm"
    assert response == "I hear you. Let me create a calming atmosphere with some mellow vibes."
    response = dj.interact("user_001", "Feeling a bit down today")
    assert dj.current_mood("user_001") == "sad"
    assert response in MOOD_REPLIES["sad"]


def test_preference_evolution(dj: PersonalizedDJ) -> None:
    dj.update_preferences("user_001", ["jazz"])
    assert dj.user_profiles["user_001"].music_preferences == ["jazz"]
    dj.update_preferences("user_001", ["electronic", "house"])
    assert dj.user_profiles["user_001"].music_preferences == ["jazz", "electronic", "house"]
    dj.update_preferences("user_001", ["deep house", "jazz fusion", "ambient"])
    expected = ["jazz", "electronic", "house", "deep house", "jazz fusion", "ambient"]
    assert dj.user_profiles["user_001"].music_preferences == expected
    dj.update_preferences("user_001", ["jazz"])
    dj.update_preferences("user_001", ["  Jazz ", "AMBIENT"])
    assert dj.user_profiles["user_001"].music_preferences == expected


def test_community_connections_and_trust_network(dj: PersonalizedDJ) -> None:
    dj.add_to_community("user_001", "friend_002")
    dj.add_to_community("user_001", "friend_003")
    dj.add_to_community("user_001", "friend_004")
    profile = dj.user_profiles["user_001"]
    assert f"Community size: {len(profile.community_connections)}" == "Community size: 3"
    response = dj.interact("user_001", "What's my music community like?")
    assert "community of 3 music lovers" in response

    def calculate_community_trust(user_id: str, dj: PersonalizedDJ) -> float:
        user_trust = dj.get_trust_score(user_id)
        profile = dj.user_profiles[user_id]
        community_trusts = [
            dj.get_trust_score(friend_id)
            for friend_id in profile.community_connections
            if friend_id in dj.user_profiles
        ]
        if community_trusts:
            community_avg = sum(community_trusts) / len(community_trusts)
            return (user_trust * 0.7) + (community_avg * 0.3)
        return user_trust

    assert calculate_community_trust("user_001", dj) == dj.get_community_trust("user_001")
    dj.greet_user("friend_002", "Sam")
    for _ in range(20):
        dj.interact("friend_002", "hello")
    expected = dj.get_trust_score("user_001") * 0.7 + dj.get_trust_score("friend_002") * 0.3
    assert dj.get_community_trust("user_001") == pytest.approx(expected)
    assert calculate_community_trust("user_001", dj) == pytest.approx(expected)


def test_complete_interaction_example(dj: PersonalizedDJ) -> None:
    greeting = dj.greet_user("user_001", "Alex")
    assert "Alex" in greeting and "DJ Quantum" in greeting
    dj.update_preferences("user_001", ["jazz", "electronic", "ambient"])
    response1 = dj.interact("user_001", "I'm feeling really energetic today!")
    assert response1 == "I love that energy! Let me bring up the tempo with some uplifting beats!"
    response2 = dj.interact("user_001", "Can you recommend something?")
    assert response2.startswith("Based on your taste for jazz, electronic, ambient")
    assert f"Trust score: {dj.get_trust_score('user_001'):.2f}" == "Trust score: 0.52"
    dj.add_to_community("user_001", "friend_002")
    response3 = dj.interact("user_001", "Tell me about my community")
    assert "You're part of a trusted community of 1 music lover" in response3


def test_multi_user_example(dj: PersonalizedDJ) -> None:
    users = [
        ("user_001", "Alex", ["jazz", "electronic"]),
        ("user_002", "Sam", ["rock", "indie"]),
        ("user_003", "Jordan", ["classical", "ambient"]),
    ]
    for user_id, name, preferences in users:
        greeting = dj.greet_user(user_id, name)
        assert name in greeting
        dj.update_preferences(user_id, preferences)
        response = dj.interact(user_id, "Play something for me")
        assert ", ".join(preferences) in response
    assert f"Total users: {len(dj.user_profiles)}" == "Total users: 3"
    assert dj.user_profiles["user_002"].music_preferences == ["rock", "indie"]


def test_building_trust_over_time(dj: PersonalizedDJ) -> None:
    dj.greet_user("user_001", "Alex")
    for i in range(10):
        dj.interact("user_001", f"Message {i}")
    assert f"{dj.get_trust_score('user_001'):.2f}" == "0.60"
    for i in range(20):
        dj.interact("user_001", f"Message {i}")
    assert f"{dj.get_trust_score('user_001'):.2f}" == "0.80"
    for i in range(50):
        dj.interact("user_001", f"Message {i}")
    assert f"{dj.get_trust_score('user_001'):.2f}" == "1.00"
    assert dj.get_trust_level("user_001") == "Best Friend"


def test_contextual_conversations(dj: PersonalizedDJ) -> None:
    dj.interact("user_001", "I'm working out, need high-energy music")
    assert dj.current_mood("user_001") == "energetic"
    dj.interact("user_001", "Winding down after work, something relaxing")
    assert dj.current_mood("user_001") == "calm"
    dj.interact("user_001", "Cooking dinner, upbeat but not too intense")
    assert dj.current_mood("user_001") in ("happy", "energetic", "romantic")


def test_feedback_mechanisms(dj: PersonalizedDJ) -> None:
    dj.interact("user_001", "hello")
    trust = dj.get_trust_score("user_001")
    dj.interact("user_001", "That track was perfect!")
    assert dj.get_trust_score("user_001") == pytest.approx(trust + 0.01)
    dj.interact("user_001", "Not really feeling this one")
    assert dj.get_trust_score("user_001") == pytest.approx(trust + 0.01)


def test_trust_levels_steer_the_approach(dj: PersonalizedDJ) -> None:
    approaches = []
    for _ in range(4):
        trust = dj.get_trust_score("user_001")
        if trust < 0.5:
            approaches.append("exploratory")
        elif trust < 0.7:
            approaches.append("personalized")
        else:
            approaches.append("highly_personalized")
        for _ in range(10):
            dj.interact("user_001", "hello")
    assert approaches == ["personalized"] * 2 + ["highly_personalized"] * 2


def test_milestones_follow_history_length(dj: PersonalizedDJ) -> None:
    for _ in range(5):
        dj.interact("user_001", "hello")
    assert len(dj.user_profiles["user_001"].interaction_history) == 10


def test_custom_and_multiple_djs() -> None:
    nova = PersonalizedDJ(name="DJ Nova", edge_mode=True)
    assert nova.greet_user("user_001", "Alex").startswith(
        "Hey Alex! Welcome to QFZZ! I'm DJ Nova, your personal DJ"
    )
    work_dj = PersonalizedDJ(name="DJ Focus", edge_mode=True)
    workout_dj = PersonalizedDJ(name="DJ Energy", edge_mode=True)
    work_dj.interact("user_001", "I need to focus")
    workout_dj.interact("user_001", "I'm working out")
    assert work_dj.current_mood("user_001") == "focused"
    assert workout_dj.current_mood("user_001") == "energetic"
