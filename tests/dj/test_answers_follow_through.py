"""Answers and follow-ups checked against what a station really plays (the conversation
benchmark's player: it starts what the DJ's actions say and keeps what played before): a track an
earlier request of the same breath starts, a track just skipped, music stopped, a track promised
or queued next, and what the listener likes of several kinds."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from appliance.dj import PersonalizedDJ
from appliance.dj.reply import PlayTrack, Reply
from appliance.dj.talk import load_phrasebook, phrasings
from appliance.library import Library
from appliance.library.track import Track
from appliance.state import PlayState, StationState
from tests.benchmarks.bench_conversation import Player
from tests.dj.test_talk import Clock, library, on_air  # noqa: F401  (the module's small library fixture)
from tests.support.conversation_truth import Truth, _has, same, started

USER = "ana"


@pytest.fixture
def rig(library: Library) -> Iterator[tuple[PersonalizedDJ, Player]]:  # noqa: F811
    with on_air(library, USER, seed=7) as both:
        yield both


def said(dj: PersonalizedDJ, player: Player, text: str) -> str:
    reply = dj.respond(USER, text)
    player.apply(reply)
    return reply.text


def test_whats_next_after_a_track_started_in_the_same_breath_is_the_one_after_it(
    rig: tuple[PersonalizedDJ, Player],
) -> None:
    """ "More like this, and what's up next?": the next is the track after the one "more like
    this" starts, never that one again (every track heard: a repeat may come, but not that)."""
    dj, player = rig
    for text in ["put some jazz on for me"] + ["skip this one for me"] * 6:
        said(dj, player, text)
    reply = dj.respond(USER, "more like this, and what's up next?")
    assert reply.intents == ("more_like", "whats_next"), reply
    player.apply(reply)
    now = player.track
    assert now is not None and reply.text.count(now.title) == 1, reply.text
    coming = player.end_of_track()
    assert coming is not None and coming.title in reply.text, (coming, reply.text)


def test_the_track_just_skipped_is_the_one_before(rig: tuple[PersonalizedDJ, Player]) -> None:
    dj, player = rig
    said(dj, player, "skip this one for me")
    before, now = player.previous, player.track
    assert before is not None and now is not None
    answer = said(dj, player, "the track you just skipped, what was it called")
    assert before.title in answer and now.title not in answer, answer


@pytest.mark.parametrize("question", ["what's the title", "what's it called", "who sings it"])
def test_a_fact_asked_while_the_music_is_stopped_says_so_and_names_the_last(
    rig: tuple[PersonalizedDJ, Player], question: str
) -> None:
    """Stopped, the track is still the station's (it starts again on "resume"): the answer says
    nothing plays and which track it was, not "you're listening to" it."""
    dj, player = rig
    track = player.track
    assert track is not None
    said(dj, player, "stop the music now please")
    answer = said(dj, player, question)
    assert "nothing" in answer.casefold() and track.title in answer, answer
    assert "listening to" not in answer, answer


def test_a_station_that_stopped_the_music_is_answered_with_the_track_it_stopped(
    library: Library,  # noqa: F811
) -> None:
    """The station's own stop: nothing on air, the track stopped is the last played."""
    dj = PersonalizedDJ(library=library, seed=7, clock=Clock())
    try:
        track = library.tracks()[0]
        dj.now_playing_from = lambda: None
        dj.state_from = lambda: StationState(last_played=track, play_state=PlayState.STOPPED)
        answer = dj.respond(USER, "what's this one called then").text
        assert "nothing" in answer.casefold() and track.title in answer, answer
        dj.state_from = lambda: StationState(play_state=PlayState.STOPPED)  # nothing ever
        assert "nothing" in dj.respond(USER, "what's this one called then").text.casefold()
    finally:
        dj.close()


def test_not_that_one_after_whats_next_never_plays_the_one_named(
    rig: tuple[PersonalizedDJ, Player],
) -> None:
    dj, player = rig
    now = player.track
    said(dj, player, "what's coming up next then")
    promised = dj.ahead[USER][1].track
    reply = dj.respond(USER, "no not that one thanks")
    moved = started(reply)
    assert moved is not None and not same(moved, now) and not same(moved, promised), reply.text
    assert moved.title in reply.text


class QueuedPlayer(Player):
    """A station with a track someone queued: a skip plays it (the DJ's own pick waits)."""

    queued: Track | None = None

    def state(self) -> StationState:
        state = super().state()
        queue = (self.queued,) if self.queued is not None else ()
        return StationState(
            now_playing=state.now_playing,
            last_played=state.last_played,
            play_state=state.play_state,
            up_next=queue,
        )


def test_not_that_one_while_a_track_is_queued_names_the_queued_track(library: Library) -> None:  # noqa: F811
    dj = PersonalizedDJ(library=library, seed=7, clock=Clock())
    try:
        player = QueuedPlayer(dj, USER)
        player.start(dj.next_track(USER))
        queued = next(t for t in library.tracks() if not same(t, player.track))
        player.queued = queued
        reply = dj.respond(USER, "no not that one thanks")
        assert same(started(reply), queued), reply
        assert queued.title in reply.text, reply.text
    finally:
        dj.close()


def test_what_i_like_names_the_styles_and_the_artists(rig: tuple[PersonalizedDJ, Player]) -> None:
    """Likes of several kinds: the styles said, and the artists listening showed."""
    dj, player = rig
    said(dj, player, "i love jazz")
    for track in dj.library.tracks_for_genre("rock")[:2]:  # type: ignore[union-attr]
        dj.record_event(USER, track.track_id, "liked")
    assert dj.liked_artists(USER) == ["Iron Lilac"]
    for _ in range(6):
        answer = said(dj, player, "what do i like then")
        assert "jazz" in answer.casefold() and "Iron Lilac" in answer, answer


def test_no_likes_yet_is_said_as_not_yet(rig: tuple[PersonalizedDJ, Player]) -> None:
    dj, player = rig
    for _ in range(12):
        answer = said(dj, player, "what kind of music do i like").casefold()
        assert "yet" in answer or "haven't told" in answer or "don't know" in answer, answer


def test_why_a_track_asked_for_by_name_says_it_was_asked_for(
    rig: tuple[PersonalizedDJ, Player],
) -> None:
    dj, player = rig
    said(dj, player, "play rock tune 2")
    assert player.track is not None and player.track.title == "Rock Tune 2"
    for _ in range(10):
        answer = said(dj, player, "why did you pick this one then")
        assert "asked" in answer, answer


def _moved_on(dj: PersonalizedDJ, player: Player) -> tuple[Track, Track, Track, Truth]:
    """After a skip: the track before, the one on air, a third, and the benchmark's truth."""
    said(dj, player, "skip this one for me")
    before, now = player.previous, player.track
    assert before is not None and now is not None
    other = next(t for t in dj.library.tracks() if not same(t, before) and not same(t, now))  # type: ignore[union-attr]
    return before, now, other, Truth(dj, dj.library, player, USER)  # type: ignore[arg-type]


def test_the_checker_asks_a_question_after_a_play_of_the_track_it_started(
    rig: tuple[PersonalizedDJ, Player],
) -> None:
    """The benchmark's truth (tests/support/conversation_truth.py): "play something what's
    this" asks of the track the play starts, and "skip this who was that" of the track on air
    before the turn, whichever order the DJ read them in."""
    dj, player = rig
    before, now, other, truth = _moved_on(dj, player)
    title = truth.checker("title", "play something what's this")
    previous = truth.checker("previous", "skip this who was that")
    assert title is not None and previous is not None

    def reply(text: str, *intents: str) -> Reply:
        return Reply(text, intents[0], USER, actions=(PlayTrack(other),), intents=intents)

    assert title(reply(f"Here's '{other.title}'. It's '{other.title}'.", "play", "whats_playing"))
    assert not title(reply(f"It's '{now.title}'.", "play", "whats_playing"))
    assert not title(reply(f"It's '{now.title}'.", "whats_playing", "play"))  # read the wrong way
    assert previous(reply(f"Skipping. That was '{now.title}'.", "skip", "whats_playing"))
    assert not previous(reply(f"Skipping. That was '{before.title}'.", "skip", "whats_playing"))


@pytest.mark.parametrize(
    ("kind", "text", "intents", "answer"),
    [  # a question said first, read as a play and then the question
        ("title", "what's this one, play something else", ("play", "whats_playing"), "other"),
        ("title", "what is this song", ("play", "whats_playing"), "other"),  # a play not asked
        ("previous", "who was the one before this", ("skip", "whats_previous"), "now"),
    ],
)
def test_the_checker_counts_an_answer_of_a_move_nobody_asked_first_as_wrong(
    rig: tuple[PersonalizedDJ, Player], kind: str, text: str, intents: tuple[str, ...], answer: str
) -> None:
    """The truth is decided from the words said, not from the DJ's reading of them: answered
    of the track its own misreading started (or left), the answer is wrong."""
    dj, player = rig
    before, now, other, truth = _moved_on(dj, player)
    check = truth.checker(kind, text)
    assert check is not None
    named = {"other": other, "now": now}[answer]
    misread = Reply(
        f"Here's '{other.title}'. That's '{named.title}'.",
        intents[0],
        USER,
        actions=(PlayTrack(other),),
        intents=intents,
    )
    assert not check(misread), misread.text
    right = before if kind == "previous" else now
    assert check(Reply(f"That's '{right.title}'.", intents[-1], USER, intents=intents[-1:]))


@pytest.mark.parametrize(
    ("text", "intents"),
    [
        ("play it again, the one before this", {"replay", "play_previous"}),
        ("play that one again the one before", {"replay", "play_previous"}),
        ("play the previous song once more please", {"play_previous"}),  # "the last": asked
        ("play again the before song please", {"play_previous"}),
        ("put again the tune of before please", {"play_previous"}),
    ],
)
def test_a_replay_that_names_the_one_before_plays_the_one_before(
    rig: tuple[PersonalizedDJ, Player], text: str, intents: set[str]
) -> None:
    dj, player = rig
    said(dj, player, "skip this one for me")
    before = player.previous
    reply = dj.respond(USER, text)
    assert set(reply.intents) == intents, reply
    assert same(started(reply), before) and len(reply.actions) == 1, reply


@pytest.mark.parametrize(
    "text", ["put again the tune of before please", "play the last song once more please"]
)
def test_a_replay_that_names_the_one_before_replays_this_one_when_none_came_before(
    rig: tuple[PersonalizedDJ, Player], text: str
) -> None:
    """With nothing played before, the words that point back have no track to point at: the
    replay is of the track on air."""
    dj, player = rig
    assert player.previous is None
    now = player.track
    reply = dj.respond(USER, text)
    assert reply.intents == ("replay",) and same(started(reply), now), reply


def test_who_was_it_after_a_skip_in_the_same_breath_is_the_track_skipped(
    rig: tuple[PersonalizedDJ, Player],
) -> None:
    dj, player = rig
    said(dj, player, "skip this one for me")
    skipped = player.track
    assert skipped is not None
    reply = dj.respond(USER, "skip this who was it by anyway")
    assert reply.intents == ("skip", "whats_playing"), reply
    spoken = reply.text.split(". ", 1)[-1]  # after "Skipping. Here's ..."
    assert skipped.artist in reply.text and skipped.title in spoken, reply.text
    back = dj.respond(USER, "go back to the one before what was it called")
    assert back.intents == ("play_previous", "whats_playing"), back
    assert same(started(back), skipped) and back.text.count(skipped.title) == 2, back.text


def test_again_of_last_time_is_this_one_again(rig: tuple[PersonalizedDJ, Player]) -> None:
    """ "Last time" names no track: a replay that says it is of the track on air."""
    dj, player = rig
    said(dj, player, "skip this one for me")
    now = player.track
    reply = dj.respond(USER, "play this again, one last time")
    assert reply.intents == ("replay",) and same(started(reply), now), reply


def test_the_checker_takes_nothing_started_as_right_when_nothing_came_before(
    rig: tuple[PersonalizedDJ, Player],
) -> None:
    """The benchmark's truth: "the one before" with nothing played before has no track to go
    back to; the DJ is right to say so and start none (it was never counted right before)."""
    dj, player = rig
    assert player.previous is None
    truth = Truth(dj, dj.library, player, USER)  # type: ignore[arg-type]
    acts = truth.follow_up("the_one_before")
    assert acts is not None
    reply = dj.respond(USER, "play the one before this one")
    assert reply.intents == ("play_previous",) and reply.actions == (), reply
    assert acts(reply)
    other = next(t for t in dj.library.tracks() if not same(t, player.track))  # type: ignore[union-attr]
    assert not acts(Reply("Here's another.", "play_previous", USER, actions=(PlayTrack(other),)))


@pytest.mark.parametrize(
    ("section", "situation", "words"),
    [
        ("me", "likes_none", ("don't know", "haven't told", "yet")),
        ("me", "artists_none", ("no artist", "no favourite artist", "yet")),
        ("answers", "previous_none", ("first", "nothing")),
        ("answers", "why_named", ("asked",)),
        ("me", "known_new", ("first session",)),
    ],
)
def test_every_phrasing_of_an_answer_of_none_says_it_plainly(
    section: str, situation: str, words: tuple[str, ...]
) -> None:
    """Each way of saying "none yet", "nothing before", "you asked for it", "our first session"
    says it in so many words (not "so far" alone, or "this one opened the show")."""
    vague = [
        line
        for text in load_phrasebook().lines(section, situation)
        for line in phrasings(text)
        if not _has(line, *words)
    ]
    assert vague == []


def test_the_checker_hears_a_misheard_artist_as_the_one_named(
    rig: tuple[PersonalizedDJ, Player],
) -> None:
    """The benchmark's truth: "do you have any mari sol quartette" asks of Marisol Quartet (3
    tracks), not of a name the library lacks (where any count or a no would do)."""
    dj, player = rig
    truth = Truth(dj, dj.library, player, USER)  # type: ignore[arg-type]
    assert truth.asked_about("do you have any mari sol quartette") == (None, "Marisol Quartet")
    assert truth.asked_about("do you have any radiohead at all") == (None, None)
    check = truth.checker("have", "do you have any mari sol quartette")
    assert check is not None
    assert check(Reply("I do, 3 tracks by Marisol Quartet.", "have_any", USER))
    assert not check(Reply("Sorry, no, I don't have that.", "have_any", USER))


def test_a_mood_only_inferred_from_a_request_is_not_said_back_as_told(
    rig: tuple[PersonalizedDJ, Player],
) -> None:
    """A request for chill music sets the mood the picks follow, but the listener never said
    how they feel: asked their mood, the DJ gives its guess as a guess; a mood said is told
    back as said."""
    dj, player = rig
    said(dj, player, "put something chill on please")
    assert dj.current_mood(USER) == "calm"
    told = ("told me", "you said", "your own account", "you told")
    for _ in range(4):
        for question in ("so which mood am i in right now then", "what do you know about me then"):
            answer = said(dj, player, question)
            assert "calm" in answer and not _has(answer, *told), answer
    said(dj, player, "i'm feeling happy today")
    answer = said(dj, player, "so which mood am i in right now then")
    assert "happy" in answer and not _has(answer, "guess", "your requests", "asked for"), answer


@pytest.mark.parametrize(
    "text", ["what comes next, and surprise me", "what have you got lined up next, skip this"]
)
def test_whats_next_with_a_change_of_track_names_the_one_after_the_change(
    rig: tuple[PersonalizedDJ, Player], text: str
) -> None:
    """Asked what comes next with a request that changes the track in the same breath: the
    next is the one after the track the request starts, not the one it is about to start."""
    dj, player = rig
    reply = dj.respond(USER, text)
    assert "whats_next" in reply.intents and len(reply.intents) == 2, reply
    player.apply(reply)
    now = player.track
    assert now is not None and reply.text.count(now.title) == 1, reply.text
    coming = player.end_of_track()
    assert coming is not None and coming.title in reply.text, (coming, reply.text)


class MeasuredPlayer(QueuedPlayer):
    """A station whose state has the track on air with its measurements filled in by a scan
    since the DJ started it: the same track (by its id), another object."""

    def state(self) -> StationState:
        state = super().state()
        playing = state.now_playing
        if playing is None:
            return state
        measured = replace(playing, track=replace(playing.track, loudness=-9.5, bpm=121.0))
        return replace(state, now_playing=measured)


def test_the_track_on_air_measured_since_is_still_the_same_track(library: Library) -> None:  # noqa: F811
    """Queued again, the track on air is not what "not that one" moves to; and the one before
    is the track that played before it, not the track on air."""
    dj = PersonalizedDJ(library=library, seed=7, clock=Clock())
    try:
        player = MeasuredPlayer(dj, USER)
        player.start(dj.next_track(USER))
        said(dj, player, "skip this one for me")
        before, now = player.previous, player.track
        assert before is not None and now is not None
        answer = dj.respond(USER, "what was the one before this").text
        assert before.title in answer and now.title not in answer, answer
        player.queued = replace(now, loudness=-9.5)
        reply = dj.respond(USER, "no not that one thanks")
        assert started(reply) is not None and not same(started(reply), now), reply
    finally:
        dj.close()
