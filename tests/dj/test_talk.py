"""Talking with the DJ: small talk in character, answers from the truth, questions about oneself,
follow-ups, lines that do not repeat, and the two bugs a new listener met (a "welcome back" on the
first hello; a skip announcing the track already playing)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from appliance.dj import PersonalizedDJ
from appliance.dj.pool import LinePool, sentences
from appliance.dj.reply import PlayTrack, Skip
from appliance.dj.talk import load_phrasebook
from appliance.errors import ConfigError
from appliance.library import Library
from appliance.state import PlayState, StationState
from tests.benchmarks.bench_conversation import Player
from tests.support.conversation_truth import _says_no
from tests.support.music import make_track

GENRES = {
    "Jazz": ("Marisol Quartet", "Blue Hour Sessions", 2015),
    "Rock": ("Iron Lilac", "Loud Weather", 2014),
}


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 14, 19, 30)

    def __call__(self) -> datetime:
        return self.now


@contextmanager
def on_air(library: Library, user: str, seed: int) -> Iterator[tuple[PersonalizedDJ, Player]]:
    """A DJ of ``library`` with the conversation benchmark's player, its first pick for
    ``user`` on air: the ground of the tests of answers and follow-ups."""
    dj = PersonalizedDJ(library=library, seed=seed, clock=Clock())
    player = Player(dj, user)
    player.start(dj.next_track(user))
    try:
        yield dj, player
    finally:
        dj.close()


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    folder = tmp_path_factory.mktemp("talk-music")
    for genre, (artist, album, year) in GENRES.items():
        for number in range(3):
            make_track(
                folder / f"{genre}{number}.flac",
                seconds=1.0,
                freq=300 + 40 * number + (200 if genre == "Rock" else 0),
                noise=0.01,
                artist=artist,
                album=album,
                date=str(year),
                title=f"{genre} Tune {number}",
                genre=genre,
            )
    with Library(tmp_path_factory.mktemp("talk-db") / "library.db") as lib:
        lib.scan([folder], progress=False)
        yield lib


@pytest.fixture
def dj(library: Library) -> Iterator[PersonalizedDJ]:
    dj = PersonalizedDJ(library=library, seed=5, clock=Clock())
    yield dj
    dj.close()


def test_a_newcomers_first_hello_is_a_welcome_not_a_welcome_back(dj: PersonalizedDJ) -> None:
    text = dj.respond("sam", "hi").text
    assert "Welcome back" not in text and "again" not in text
    assert "Welcome" in text


def test_welcome_back_counts_sessions_and_time(dj: PersonalizedDJ) -> None:
    dj.respond("sam", "hi")
    dj._clock.now += timedelta(days=3)  # type: ignore[attr-defined]
    text = dj.respond("sam", "hello").text
    assert text.startswith("Welcome back!")  # "sam" is an id: the DJ knows no name to use
    assert "1 session" in text and "3 days" in text  # the guide's count of turns


def test_skips_never_announce_the_same_track_twice_in_a_row(dj: PersonalizedDJ) -> None:
    dj.respond("ana", "play some jazz")
    announced = []
    said = []
    for _ in range(8):
        reply = dj.respond("ana", "skip")
        said.append(reply.text)
        skip = next(a for a in reply.actions if isinstance(a, Skip))
        if skip.then is not None:
            announced.append(skip.then.track_id)
    assert all(a != b for a, b in itertools.pairwise(announced)), announced


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("thanks so much", "thanks"),
        ("bye for now", "bye"),
        ("how are you", "how_are_you"),
        ("who are you", "who_are_you"),
        ("you're the best dj", "compliment"),
        ("you always play the same stuff", "complaint"),
        ("tell me a joke", "joke"),
        ("tell me a fun fact", "fact"),
    ],
)
def test_small_talk_is_answered_in_character(dj: PersonalizedDJ, text: str, intent: str) -> None:
    reply = dj.respond("ana", text)
    assert reply.intent == intent
    assert reply.text and "Not sure I caught that" not in reply.text
    assert reply.actions == ()


def test_small_talk_follows_trust(library: Library) -> None:
    book = load_phrasebook()
    close = set(book.talk["thanks"]["close"])
    new = set(book.talk["thanks"]["new"])
    dj = PersonalizedDJ(library=library, seed=1)
    dj.register_user("bo", "Bo")
    dj.user_profiles["bo"].trust_score = 0.95
    said = {dj.respond("bo", "thanks").text for _ in range(12)}
    assert said & {t.replace("{name}", "Bo") for t in close}
    assert not said & new


def test_music_questions_are_answered_from_what_plays(dj: PersonalizedDJ) -> None:
    reply = dj.respond("ana", "play some jazz")
    track = next(a.track for a in reply.actions if isinstance(a, PlayTrack))
    assert track.artist in dj.respond("ana", "who sings this").text
    assert track.album in dj.respond("ana", "what album is this from").text
    assert str(track.year) in dj.respond("ana", "what year is this from").text
    assert track.title in dj.respond("ana", "what's this").text
    why = dj.respond("ana", "why did you pick this").text
    assert "jazz" in why.lower() or "asked" in why.lower()
    nxt = dj.respond("ana", "what's next").text
    coming = dj.next_track("ana")
    assert coming is not None and coming.title in nxt
    assert track.title in dj.respond("ana", "what did we just hear").text
    count = dj.respond("ana", "how many jazz songs do you have").text
    assert "3 jazz tracks" in count
    assert "3 jazz tracks" in dj.respond("ana", "do you have any jazz").text
    for _ in range(2):  # asked again: a no again, in other words
        lacking = dj.respond("ana", "do you have any reggae").text
        assert "reggae" in lacking and _says_no(lacking), lacking


def test_questions_about_me_speak_the_profile_back(dj: PersonalizedDJ) -> None:
    dj.respond("ana", "i love jazz")
    dj.respond("ana", "i'm feeling happy")
    assert "jazz" in dj.respond("ana", "what do i like").text
    assert "happy" in dj.respond("ana", "what mood am i in").text
    about = dj.respond("ana", "what do you know about me").text.casefold()
    assert "jazz" in about and "happy" in about
    assert "visit" in dj.respond("ana", "how long have we known each other").text
    assert "Friend" in dj.respond("ana", "what's my trust level").text


@pytest.mark.parametrize(
    "text", ["do you like jazz", "are you a fan of rock music", "what do you think of jazz"]
)
def test_asking_the_djs_taste_in_a_genre_is_small_talk(dj: PersonalizedDJ, text: str) -> None:
    reply = dj.respond("kai", text)
    assert dj.understanding.parse(text).name == "dj_opinion"
    assert any(genre in reply.text.casefold() for genre in ("jazz", "rock")), reply.text
    assert not [a for a in reply.actions if isinstance(a, PlayTrack | Skip)]
    profile = dj.user_profiles["kai"]
    assert profile.music_preferences == [] and profile.blocked_genres == []


def test_forgetting_a_liking_never_adds_it(dj: PersonalizedDJ) -> None:
    for text in ("forget that i like jazz", "forget i love jazz", "please forget about jazz"):
        dj.respond("neo", text)
        assert "jazz" not in dj.user_profiles["neo"].music_preferences, text
    dj.respond("neo", "i love jazz")
    dj.respond("neo", "forget that i like jazz")
    profile = dj.user_profiles["neo"]
    assert "jazz" not in profile.music_preferences and "jazz" not in profile.blocked_genres


def test_follow_ups_refer_to_what_just_played(dj: PersonalizedDJ) -> None:
    first = next(
        a.track for a in dj.respond("ana", "play some rock").actions if isinstance(a, PlayTrack)
    )
    second = next(
        a.track for a in dj.respond("ana", "play some jazz").actions if isinstance(a, PlayTrack)
    )
    back = dj.respond("ana", "play the one before")
    assert [a.track for a in back.actions if isinstance(a, PlayTrack)] == [first]
    more = dj.respond("ana", "more like this")
    assert any(isinstance(a, PlayTrack) for a in more.actions)
    other = dj.respond("ana", "not that one")
    assert any(isinstance(a, Skip) for a in other.actions), other
    assert second is not None


def test_no_sentence_comes_back_within_twenty_answers(dj: PersonalizedDJ) -> None:
    texts = ["skip", "louder", "thanks", "pause", "resume", "quieter", "tell me a joke"] * 3
    said = [dj.respond("ana", t).text for t in texts]
    for index, text in enumerate(said):
        before = {s for earlier in said[max(0, index - 19) : index] for s in sentences(earlier)}
        assert not set(sentences(text)) & before, (index, text)


def test_a_request_that_ran_short_is_said_honestly(library: Library) -> None:
    """When the only track left for a request is the one on air, a skip says the DJ has run out
    of it and names the nearest thing, instead of announcing the same track again."""
    dj = PersonalizedDJ(library=library, seed=2)
    reply = dj.respond("kim", "play some jazz")
    on_air = next(a.track for a in reply.actions if isinstance(a, PlayTrack))
    for track in library.tracks_for_genre("jazz"):
        if track != on_air:  # ruled out: the jazz on air is all the jazz there is
            dj.record_event("kim", track.track_id, "disliked")
    skipped = dj.respond("kim", "skip")
    nxt = next(a.then for a in skipped.actions if isinstance(a, Skip))
    assert nxt is not None and nxt != on_air and "jazz" not in nxt.genres
    assert "jazz" in skipped.text and nxt.title in skipped.text


def test_the_pool_prefers_the_first_fresh_phrasing() -> None:
    import random

    pool = LinePool(random.Random(0))
    assert pool.choose(["One.", "Two."]) == "One."
    pool.said("One.")
    assert pool.choose(["One.", "Two."]) == "Two."


def test_a_broken_phrasebook_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "talk.yaml"
    path.write_text("talk:\n  thanks:\n    any:\n      - 'Hi {na me}'\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"talk\.yaml"):
        load_phrasebook(path)


def test_an_introduction_counts_as_the_first_hello(dj: PersonalizedDJ) -> None:
    introduced = dj.respond("guest", "this is sam")
    assert "Sam" in introduced.text
    text = dj.respond(introduced.user_id, "hello").text
    assert "Welcome" not in text and "I'm DJ" not in text, text


def test_what_i_heard_last_time_comes_from_my_history(library: Library) -> None:
    clock = Clock()
    with PersonalizedDJ(library=library, seed=5, clock=clock) as dj:
        dj.now_playing_from = lambda: None  # a station with nothing on air
        dj.state_from = lambda: StationState(play_state=PlayState.STOPPED)
        assert "no" in dj.respond("ana", "what did i listen to last time").text.casefold()
        heard = library.tracks_for_genre("jazz")[:2]
        for track in heard:
            dj.record_event("ana", track.track_id, "completed")
        clock.now += timedelta(days=1)  # the next evening: a new sitting, nothing playing
        text = dj.respond("ana", "what did i listen to last time").text
        assert "first track" not in text, text
        assert all(track.title in text for track in heard), text


def test_forgetting_a_liking_says_what_listening_taught_and_forgets_it(dj: PersonalizedDJ) -> None:
    jazz = dj.library.tracks_for_genre("jazz")  # type: ignore[union-attr]
    for _ in range(3):
        for track in jazz:
            dj.record_event("neo", track.track_id, "completed")
    dj.respond("neo", "i love jazz")
    assert "jazz" in dj.respond("neo", "what do i like").text.casefold()
    forgot = dj.respond("neo", "forget that i like jazz").text
    assert "jazz" in forgot.casefold() and "listen" in forgot.casefold(), forgot
    assert "jazz" not in dj.respond("neo", "what do you know about me").text.casefold()
    assert "jazz" not in dj.favourites("neo")


def test_what_you_know_about_me_names_me_at_most_once(dj: PersonalizedDJ) -> None:
    for text in ("this is alex", "what do you know about me"):
        reply = dj.respond("guest", text)
    for _ in range(6):  # every phrasing drawn in turn
        assert reply.text.count("Alex") <= 1, reply.text
        reply = dj.respond("alex", "what do you know about me")


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("how many jazz pieces have you got", "3"),
        ("any idea how many rock tracks there are", "3"),
        ("you are having any jazz songs", "3"),
        ("is there anything by the marisol quartet", "3"),
    ],
)
def test_a_count_or_a_have_is_of_what_was_named(dj: PersonalizedDJ, text: str, count: str) -> None:
    """However the question is put, the count is of the genre or artist it names, not of the
    whole library (6 tracks)."""
    reply = dj.respond("ana", text)
    assert reply.intent in ("count_songs", "have_any", "play"), reply.intent
    assert count in reply.text and "6" not in reply.text, reply.text


def test_a_style_the_library_lacks_is_answered_honestly(dj: PersonalizedDJ) -> None:
    reply = dj.respond("ana", "have you got any gamelan music")
    assert reply.intent == "have_any", reply.text
    assert "gamelan" in reply.text and _says_no(reply.text), reply.text


@pytest.mark.parametrize("text", ["have you got any polka music", "have you got any reggae"])
def test_a_genre_the_library_lacks_is_a_no(dj: PersonalizedDJ, text: str) -> None:
    """A style the genre map knows (polka: world) or a genre, none of it here: a no, then the
    nearest."""
    assert _says_no(dj.respond("ana", text).text)


def test_no_phrasing_says_where_twice() -> None:
    """Every phrasing of every answer, expanded: none says "in the library in the library"."""
    book = load_phrasebook()
    doubled = [
        line
        for section, situations in book.sections.items()
        for situation in situations
        for line in book.lines(section, situation)
        if re.search(r"\bin the library\W+in the library\b", line)
    ]
    assert not doubled


@pytest.mark.parametrize("text", ["remind me what we just heard", "name the previous track"])
def test_asking_what_came_before_names_it_and_plays_nothing(dj: PersonalizedDJ, text: str) -> None:
    first = next(
        a.track for a in dj.respond("ana", "play some rock").actions if isinstance(a, PlayTrack)
    )
    dj.respond("ana", "play some jazz")
    reply = dj.respond("ana", text)
    assert reply.intent == "whats_previous" and first.title in reply.text, reply.text
    assert not reply.actions


def test_any_said_alone_is_asked_as_a_question_of_having(dj: PersonalizedDJ) -> None:
    """ "Any jazz?" is "do you have any jazz": the answer says how much, and plays it."""
    reply = dj.respond("ana", "any jazz")
    assert "3" in reply.text, reply.text
    assert any(isinstance(a, PlayTrack | Skip) for a in reply.actions), reply.actions


@pytest.mark.parametrize(
    ("question", "then"),
    [
        ("how many jazz tracks are in the library", "what about rock"),
        ("have you got jazz in there", "and how about rock"),
        ("how many jazz tracks have you got in there", "what about iron lilac"),
    ],
)
def test_a_follow_on_asks_the_last_question_again(
    dj: PersonalizedDJ, question: str, then: str
) -> None:
    """ "What about rock" right after a count asks the count of rock: it plays nothing."""
    dj.respond("ana", question)
    reply = dj.respond("ana", then)
    assert not reply.actions, reply.text
    assert "3" in reply.text and ("rock" in reply.text or "Iron Lilac" in reply.text), reply.text


@pytest.mark.parametrize(
    ("question", "then"),
    [
        ("how many jazz tracks are in the library", "and play some rock"),
        ("have you got jazz in there", "and now play some rock please"),
        ("how many jazz tracks have you got in there", "so what about putting on some rock"),
    ],
)
def test_a_follow_on_that_asks_to_play_plays(dj: PersonalizedDJ, question: str, then: str) -> None:
    """Only a bare name carries the question over: a turn with a play verb is a request."""
    dj.respond("ana", question)
    reply = dj.respond("ana", then)
    played = [a.track for a in reply.actions if isinstance(a, PlayTrack)]
    assert played and "rock" in played[0].genres, reply.text


def test_what_about_a_genre_with_no_question_before_plays_it(dj: PersonalizedDJ) -> None:
    dj.respond("ana", "how many jazz tracks are in the library")
    dj.respond("ana", "thanks")  # the question is no longer the turn before
    reply = dj.respond("ana", "go on then what about rock")
    assert any(isinstance(a, PlayTrack) for a in reply.actions), reply.text


def test_a_listener_known_by_id_alone_is_not_called_by_it(library: Library) -> None:
    """`appliance chat --user lee` makes a listener whose name is their id: the DJ calls them
    nothing until they say their name, and then calls them by it."""
    with PersonalizedDJ(library=library, seed=5, clock=Clock()) as dj:
        dj.register_user("lee", "lee")  # as the console's SwitchListener does, no name given
        turns = ["hi", "thanks", "so what do you know about me", "how much do you trust me now"]
        turns += ["hello", "how long have you known me for", "bye", "hello", "that was great"]
        said = [dj.respond("lee", text).text for text in turns * 3]
        assert not [text for text in said if re.search(r"\blee\b", text, re.IGNORECASE)]
        assert "Lee" in dj.respond("lee", "my name is lee").text
        assert dj.user_profiles["lee"].name == "Lee"


def test_that_one_after_asking_what_came_before_is_the_track_before(dj: PersonalizedDJ) -> None:
    first = next(
        a.track for a in dj.respond("ana", "play some rock").actions if isinstance(a, PlayTrack)
    )
    dj.respond("ana", "play some jazz")
    assert first.title in dj.respond("ana", "what was the last one").text
    reply = dj.respond("ana", "who did that one")
    assert "Iron Lilac" in reply.text and first.title in reply.text, reply.text
    now = dj.respond("ana", "who sings this").text  # "this": the track on air again
    assert "Marisol Quartet" in now, now


def test_what_listening_shows_of_artists_is_said_no_stronger_than_it_is(
    dj: PersonalizedDJ,
) -> None:
    """Artists liked on balance, one of their tracks skipped: no "you never skip them"."""
    jazz = dj.library.tracks_for_genre("jazz")  # type: ignore[union-attr]
    for track in jazz[:2]:
        dj.record_event("ana", track.track_id, "liked")
    dj.record_event("ana", jazz[2].track_id, "skipped", position=5.0, duration=200.0)
    assert dj.liked_artists("ana") == ["Marisol Quartet"]
    said = " ".join(dj.respond("ana", "tell me all you know about me").text for _ in range(12))
    for claim in ("never skip", "to the end", "all the way through", "keep playing"):
        assert claim not in said, claim


def test_how_long_on_the_first_day_is_said_plainly(dj: PersonalizedDJ) -> None:
    dj.respond("ana", "hi")
    said = [dj.respond("ana", "how long have you known me for").text for _ in range(10)]
    assert all("today" in text.casefold() and "1 visit" in text for text in said), said
    assert not [t for t in said if "back to today" in t or "since today" in t or "first today" in t]


@pytest.mark.parametrize("text", ["which artists am i into", "what bands do i like"])
def test_what_i_like_asked_of_artists_names_the_artists(dj: PersonalizedDJ, text: str) -> None:
    none = dj.respond("ana", text)
    assert none.intent == "my_likes" and "artist" in none.text.casefold(), none  # none yet
    for track in dj.library.tracks_for_genre("rock")[:2]:  # type: ignore[union-attr]
        dj.record_event("ana", track.track_id, "liked")
    assert "Iron Lilac" in dj.respond("ana", text).text


def test_forgetting_an_artist_forgets_what_listening_taught(dj: PersonalizedDJ) -> None:
    for track in dj.library.tracks_for_genre("rock")[:2]:  # type: ignore[union-attr]
        dj.record_event("ana", track.track_id, "liked")
    assert dj.liked_artists("ana") == ["Iron Lilac"]
    said = dj.respond("ana", "forget that i'm into iron lilac").text
    assert "Iron Lilac" in said and "listening" in said, said
    assert dj.liked_artists("ana") == []
    assert "Iron Lilac" not in dj.respond("ana", "so what do you know about me").text


def test_more_like_this_when_its_style_ran_out_says_so(dj: PersonalizedDJ) -> None:
    """All the jazz heard: "more like this" plays what is nearest and says the jazz ran out,
    never "more like that" over a rock track."""
    dj.respond("ana", "play some jazz")
    dj.respond("ana", "skip")
    last = next(a.then for a in dj.respond("ana", "skip").actions if isinstance(a, Skip))
    assert last is not None and "jazz" in last.genres  # the third and last jazz track
    reply = dj.respond("ana", "more like this")
    played = next(a.track for a in reply.actions if isinstance(a, PlayTrack))
    assert "jazz" not in played.genres, played  # every jazz track was heard: no repeat
    assert "jazz" in reply.text.casefold(), reply.text


def test_once_every_track_has_played_a_skip_still_moves_on(tmp_path: Path) -> None:
    """The demo library playing on a station, a loved track skipped again and again: once every
    track has played lately, no skip (nor "not that one") brings back the track it skips, and
    "what's next" never promises it."""
    from tests.benchmarks.bench_conversation import USER, conversation_rig

    with conversation_rig(tmp_path) as (dj, library, player):
        heard: set[str] = set()
        after = 0  # turns once every track has played: the case this is about
        for turn in range(120):
            after += len(heard) == len(library.tracks())
            if after > 12:
                break
            text = ("i love this", "what's next", "skip", "not that one")[turn % 4]
            on_air = player.track
            assert on_air is not None
            heard.add(on_air.track_id)
            reply = dj.respond(USER, text)
            moved = [a.then for a in reply.actions if isinstance(a, Skip)]
            assert not moved or moved[0] != on_air, (turn, reply.text)
            if text == "what's next":  # never the track on air, promised as the next one
                assert on_air.title not in reply.text, (turn, reply.text)
            player.apply(reply)
        assert after > 12, len(heard)


def test_more_like_this_plays_the_track_promised_as_next(dj: PersonalizedDJ) -> None:
    """ "What's next" named a jazz track: "more like this" over jazz plays that one, as said."""
    dj.respond("ana", "play some jazz")
    dj.respond("ana", "what's next")
    promised = dj.ahead["ana"][1].track
    reply = dj.respond("ana", "more like this")
    assert [a.track for a in reply.actions if isinstance(a, PlayTrack)] == [promised], reply.text
    assert "ana" not in dj.ahead  # used: not promised again


def test_why_an_artist_says_no_more_than_the_balance_of_listening(library: Library) -> None:
    """A liked artist is liked on balance: "why this one" does not say they are played through."""
    from appliance.dj.lines import because
    from appliance.dj.recommend import Pick

    track = library.tracks_for_genre("jazz")[0]
    said = because(Pick(track=track, reasons=(), matched=True, top=("artist", "marisol quartet")))
    assert "Marisol Quartet" in said, said
    for claim in ("never skip", "to the end", "all the way through", "keep playing"):
        assert claim not in said, said


def test_forgetting_an_artist_liked_once_says_it_forgot(dj: PersonalizedDJ) -> None:
    """Liked once and skipped once: no favourite, but listening had taught something of them,
    and forgetting it says so."""
    rock = dj.library.tracks_for_genre("rock")  # type: ignore[union-attr]
    dj.record_event("ana", rock[0].track_id, "liked")
    dj.record_event("ana", rock[1].track_id, "skipped", position=5.0, duration=200.0)
    assert dj.liked_artists("ana") == []
    said = dj.respond("ana", "forget that i'm into iron lilac").text
    assert "Iron Lilac" in said and "listening" in said, said


def test_a_reason_names_the_artist_and_album_as_the_library_writes_them(library: Library) -> None:
    """The taste keeps names case-folded; what the DJ says of them is spelled as written."""
    from appliance.dj.lines import because
    from appliance.dj.recommend import Pick

    track = library.tracks_for_genre("jazz")[0]
    for kind, written in (("artist", "Marisol Quartet"), ("album", "Blue Hour Sessions")):
        said = because(Pick(track=track, reasons=(), matched=True, top=(kind, written.casefold())))
        assert written in said, said


@pytest.mark.parametrize(
    "text", ["forget that i like zorblat", "take the zorblat trio off my likes"]
)
def test_forgetting_a_liking_of_a_name_the_library_lacks_says_there_was_none(
    dj: PersonalizedDJ, text: str
) -> None:
    """A name the library lacks was never a liking here: said so, by name, never "not sure I
    caught that"."""
    reply = dj.respond("ana", text)
    assert reply.intent == "forget_preference", reply.text
    assert "zorblat" in reply.text.casefold() and not reply.actions, reply.text


@pytest.mark.parametrize("text", ["forget that i like this one", "forget about the party"])
def test_forgetting_what_names_no_music_is_no_liking_taken_back(
    dj: PersonalizedDJ, text: str
) -> None:
    assert dj.respond("ana", text).intent != "forget_preference"
