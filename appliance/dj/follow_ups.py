"""Follow-ups from the conversation's context: "more like this", "the one before", "not that
one" refer to what was just said or played; a style that ran out is answered with the nearest
honest alternative."""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime
from typing import TYPE_CHECKING

from appliance.dj.answering import Answer, Part
from appliance.dj.answers_music import truth
from appliance.dj.profile import UserProfile
from appliance.dj.recommend import Pick, Request
from appliance.dj.reply import PlayTrack, Skip
from appliance.library.track import Track
from appliance.state import PlayState

if TYPE_CHECKING:
    from appliance.dj.engine import PersonalizedDJ
    from appliance.dj.understand import Intent

FOLLOW_UPS = frozenset({"more_like", "play_previous"})
"""The follow-ups answered here by intent ("not that one" is a "no": see :meth:`not_that`)."""

NOT_THAT_WORDS = frozenset({"that", "this", "one", "other", "different"})
"""A "no" that points at something ("not that one", "no, the other one"), not a bare no."""

THE_ONE_BEFORE = re.compile(
    r"\b(?:last|previous|earlier) (?:one|song|track|tune|number)\b"
    r"|\bone before\b|\bthe before\b|\b(?:from|of) before\b|\bbefore (?:this|that|it)\b"
)
"""Words of a replay that point at the track before ("put the last song on again", "play again
the before song", "the tune of before once more"), not at the one on air; "last time", "last
sunday" point at no track."""

THE_LAST_ONE = re.compile(r"\blast (?:one|song|track|tune|number)\b")
"""The words of :data:`THE_ONE_BEFORE` people take two ways: "can you play the last song again"
is the track on air to some (the last one heard) and the one before it to others; the tuning
corpora split 20 to 20. Said alone, they are asked about (:func:`two_ways`); with the music
stopped or paused, they are the one just stopped (:func:`halted`)."""

BACK = re.compile(r"\b(?:back|rewind)\b")
"""Words that step back ("go back to the last one", "put the last one back"): with them, "the
last one" is the one before (so labelled in three of the four such lines of tune8-12 and
talk_tune8-12, where "the last one again" was the one on air in seven of eight)."""


def halted(dj: PersonalizedDJ) -> bool:
    """Whether the music was stopped or paused on the track on air: "the last song" is then the
    one just stopped or paused, the last one heard (nothing plays to take it for "this one")."""
    if truth(dj).stopped:
        return True
    track = dj.this_track()
    state = dj.state_from() if dj.state_from is not None else None
    playing = state.now_playing if state is not None else None
    return (
        state is not None
        and state.play_state == PlayState.PAUSED
        and track is not None
        and playing is not None
        and playing.track.track_id == track.track_id
    )


def _the_last_one_alone(text: str) -> bool:
    """Whether a replay's ``text`` points back only as "the last song" does
    (:data:`THE_LAST_ONE`), no other words saying which ("the previous song", "go back to")."""
    if not THE_LAST_ONE.search(text) or BACK.search(text):
        return False
    return not THE_ONE_BEFORE.search(THE_LAST_ONE.sub(" ", text))


def pointed_back(dj: PersonalizedDJ, intent: Intent) -> Intent:
    """``intent`` with each replay that names the track before, when one played, as the step
    back it asks for: "put the last song on again" plays the one before, not this one again.
    With the music stopped or paused (:func:`halted`), "the last song again" is the one just
    stopped, played again; "the previous song" is still the one before it."""
    names = [part.name for part in intent.each()]
    if "replay" not in names or "play_previous" in names or truth(dj).previous is None:
        return intent  # "play it again, the one before": that step back is asked already
    stopped = halted(dj)
    parts = [
        dataclasses.replace(part, name="play_previous", also=())
        if part.name == "replay"
        and THE_ONE_BEFORE.search(part.text.casefold())
        and not (stopped and _the_last_one_alone(part.text.casefold()))
        else dataclasses.replace(part, also=())
        for part in intent.each()
    ]
    if [part.name for part in parts] == names:
        return intent
    return dataclasses.replace(parts[0], also=tuple(parts[1:]))


def two_ways(dj: PersonalizedDJ, intent: Intent, left: str | None = None) -> Track | None:
    """The track before, when ``intent`` is a lone replay whose words point back only as "the
    last song" does (:data:`THE_LAST_ONE`): "this one again, or the one before?" is asked, not
    guessed. None when nothing played before (this one again, then) or nothing is on air (the
    one before, then: the last one heard), when other words say which
    ("the previous song", "the one before", "go back to the last one", "play this again"), with
    other requests said, when the music is stopped or paused (:func:`halted`: the last song is
    the one just stopped, played again without asking), or when the track before is ``left``,
    the one the listener's turn just before moved off (skipped, "not that one", something else
    asked for): "the last one again" then wants back the one left ("skip it", "not that one",
    "play the last one again")."""
    if intent.name != "replay" or intent.also:
        return None
    if not _the_last_one_alone(intent.text.casefold()) or halted(dj) or dj.this_track() is None:
        return None
    previous = truth(dj).previous
    return None if previous is None or previous.track_id == left else previous


class FollowUps(Part):
    """The intents of FOLLOW_UPS, and "not that one"."""

    KINDS = FOLLOW_UPS

    def more_like(self, profile: UserProfile, intent: Intent, now: datetime) -> Answer:
        dj = self.dj
        track = dj.this_track()
        named = self._named(intent, track)
        if track is None and named is None:
            return Answer(dj.lines.now_playing(None))
        promised = dj.ahead.pop(profile.user_id, None)  # "what's next": used here or dropped
        if named is None and track is not None:  # a direction, not a verdict: no "liked"
            dj.refine(profile.user_id, "track", "more")
        catalog = dj.catalog()
        like = named or Request(  # "more like the lofi one": of that, not of the one on air
            genre=track.genres[0] if track and track.genres else None,
            artist=track.artist if track else None,
        )
        genre, artist = like.genre, like.artist or ""
        wanted = [Request(genre=genre)] if genre else [Request(artist=artist)]
        wanted += [Request(genre=parent) for parent in dj.genres.parents(genre or "")]
        found: tuple[Request, Pick] | None = None  # the first request that still has some
        kept = promised is not None and promised[1].track != track
        if promised is not None and kept and self._answers(promised[1].track, wanted[0]):
            found = (wanted[0], promised[1])  # what "what's next" named, as said
        for request in [] if found is not None else wanted:
            pick = dj.fresh_pick(catalog, profile, now, request) if catalog else None
            if pick is not None and found is None:
                found = (request, pick)  # none left of any of them: the taste's next pick
            if pick is not None and pick.matched and self._answers(pick.track, request):
                found = (request, pick)
                break
        if found is None:
            return Answer(dj.nothing_to_play())
        request, pick = found
        dj.requests[profile.user_id] = request
        dj.keep(profile, pick)
        said = pick.track.describe()
        if not self._answers(pick.track, request):  # all of it heard lately: said so
            asked = genre or artist
            return Answer(
                self._say("follow", "ran_short", genre=asked, track=said), (PlayTrack(pick.track),)
            )
        if request.genre and request.genre != genre:  # its style ran out: the wider one
            line = self._say(
                "follow", "more_like_wider", genre=genre, wider=request.genre, track=said
            )
            return Answer(line, (PlayTrack(pick.track),))
        return Answer(self._say("follow", "more_like", track=said), (PlayTrack(pick.track),))

    def _named(self, intent: Intent, track: Track | None) -> Request | None:
        """The style or the artist a "more like" names that the track on air is not of ("more
        like the lofi one" over jazz), else None: more like the one on air."""
        genre, artist = intent.slots.get("genre"), intent.slots.get("artist")
        if isinstance(genre, str) and genre in self.dj.genres.names():
            heard = track is not None and any(self.dj.genres.covers(genre, g) for g in track.genres)
            return None if heard else Request(genre=genre)
        if isinstance(artist, str) and artist:
            heard = track is not None and track.artist.casefold() == artist.casefold()
            return None if heard else Request(artist=artist)
        return None

    def _answers(self, track: Track, request: Request) -> bool:
        """Whether ``track`` is what ``request`` asks for (its genre, or its artist)."""
        if request.genre:
            return any(self.dj.genres.covers(request.genre, genre) for genre in track.genres)
        artist = request.artist or ""
        return bool(artist) and track.artist.casefold() == artist.casefold()

    def play_previous(self, profile: UserProfile, intent: Intent, now: datetime) -> Answer:
        previous = truth(self.dj).previous
        if previous is None:
            return Answer(self._say("follow", "previous_none"))
        return self.back_to(previous)

    def back_to(self, track: Track) -> Answer:
        """``track``, a track heard before the one on air, played again."""
        return Answer(self._say("follow", "previous", track=track.describe()), (PlayTrack(track),))

    def not_that(self, profile: UserProfile, intent: Intent, now: datetime) -> Answer | None:
        """ "Not that one", "no, the other one" with no question pending: something else for the
        same request, never the track "what's next" just named (the "that" it may mean); a track
        someone queued is what a skip plays, so it is the one named. None for a bare "no"."""
        if not NOT_THAT_WORDS & set(intent.text.split()):
            return None
        dj = self.dj
        track = dj.this_track()
        if track is None:
            return Answer(self._say("follow", "not_that_none"))
        if dj.now_playing_from is None:
            dj.record(profile.user_id, track, "skipped")
        queued = truth(dj).up_next
        if queued is not None and queued.track_id != track.track_id:
            said = self._say("follow", "not_that", track=queued.describe())
            return Answer(said, (Skip(then=queued),))  # the station plays its queue first
        promised = dj.ahead.get(profile.user_id)
        nxt = dj.pick_track(profile, now)
        if promised is not None and nxt is not None and nxt.track_id == promised[1].track.track_id:
            # now counted as heard: another
            nxt = dj.pick_track(profile, now)
        if nxt is None:
            return Answer(self._say("follow", "not_that_none"))
        return Answer(self._say("follow", "not_that", track=nxt.describe()), (Skip(then=nxt),))
