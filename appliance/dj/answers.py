"""Answers from the truth: questions about the music, about the listener, and follow-ups.

What plays, what played before, what comes next and how far along it is are read from the
station's one state when a station runs the DJ (``PersonalizedDJ.state_from``), else from the
DJ's own picks; why a track was chosen is the recommender's real Pick; what the DJ knows of a
listener is their profile, spoken back to them. Nothing here guesses: an answer the DJ cannot
give from what it holds says so. The words come from sentences/talk.yaml.
"""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from appliance.dj import mood as moods
from appliance.dj.lines import MOOD_WORDS, because, join_words, known_for, plural
from appliance.dj.profile import SESSION_GAP, UserProfile, trust_level
from appliance.dj.recommend import Pick, Request
from appliance.dj.reply import Action, PlayTrack, Skip
from appliance.dj.talk import SMALL_TALK, Talk, fill
from appliance.library.track import Track
from appliance.state import PlayState

if TYPE_CHECKING:
    from appliance.dj.engine import PersonalizedDJ
    from appliance.dj.understand import Intent

QUESTIONS = frozenset(
    {"time_left", "whats_next", "whats_previous", "why_this", "count_songs", "have_any"}
)
ABOUT_ME = frozenset(
    {"about_me", "my_likes", "my_mood", "forget_preference", "known_for", "my_trust"}
)
FOLLOW_UPS = frozenset({"more_like", "play_previous"})
FACTUAL = (QUESTIONS | ABOUT_ME | {"whats_playing"}) - {"forget_preference"}
"""Questions answered with a fact: asked again, the fact may be said again in other words
("It's from 1959, like I said."); small talk, jokes and a "no" never are."""
HANDLED = SMALL_TALK | QUESTIONS | ABOUT_ME | FOLLOW_UPS
"""Intents answered here (the DJ's engine hands them over)."""

FACETS = (
    ("artist", frozenset({"who", "who's", "artist", "singer", "band", "sings", "singing", "sang"})),
    ("album", frozenset({"album", "album's", "record"})),
    (
        "year",
        frozenset({"year", "year's", "when", "when's", "old", "decade", "released", "release"})
        | {
            "recorded",
            "made",
            "new",
            "date",
            "came",
            "come",
            "era",
            "vintage",
            "eighties",
            "nineties",
        },
    ),
)
"""Which fact of the track a "what's playing" question asks for, by its words."""

HAVE_QUESTION = re.compile(
    r"^(do you have|have you got|have you|you got|got|you have|do we have|have we got|"
    r"is there|are there|any chance you have|any|anything)\b"
)
"""How a request for music put as a question of having begins ("any jazz?" too)."""

FOLLOW_ON = re.compile(r"^(?:(?:and|so|okay|ok|then)\s+)?(?:(?:what|how)\s+about|and)\b")
"""A turn that carries the last question on to something else ("what about house", "and
rock"): after "how many jazz songs do you have" it asks the same of house, it plays nothing."""

PLAY_WORDS = re.compile(
    r"\b(?:play|playing|put|putting|stick|spin|give|hear|listen|start|queue|throw|blast)\b"
)
"""Words that make a follow-on a request to play ("and play some rock"), not a bare name."""

CARRIED_ON = frozenset({"count_songs", "have_any"})
"""Questions a follow-on turn asks again of what it names."""

NOT_THAT_WORDS = frozenset({"that", "this", "one", "other", "different"})
"""A "no" that points at something ("not that one", "no, the other one"), not a bare no."""


def spoken_name(profile: UserProfile) -> str:
    """What the DJ calls the listener: their name, or nothing when it only knows their id (a
    listener named by id alone, as ``appliance chat --user lee`` is, is not called "lee")."""
    return "" if profile.name == profile.user_id else profile.name


@dataclass(frozen=True)
class Answer:
    """What the DJ says, the actions for the player, and whether it was negative feedback."""

    text: str
    actions: tuple[Action, ...] = ()
    negative: bool = False


@dataclass(frozen=True)
class Truth:
    """What the listener hears, as the station's state (or the DJ alone) tells it."""

    track: Track | None
    left: float | None  # seconds to the end of the track, when known
    up_next: Track | None
    previous: Track | None
    why: str  # the station's words for why the track was chosen ("" when not known)


def truth(dj: PersonalizedDJ) -> Truth:
    """What plays, what played, what comes: from the station's state when there is one."""
    track = dj._current()
    state = dj.state_from() if dj.state_from is not None else None
    if state is None:
        return Truth(track, None, None, dj.played_before, "")
    left = None
    playing = state.now_playing
    if playing is not None and playing.duration:
        position = playing.position
        if state.play_state == PlayState.PLAYING and playing.started_at:
            position = time.time() - playing.started_at
        left = max(0.0, playing.duration - position)
    same = playing is not None and track is not None and playing.track == track
    return Truth(
        track,
        left if same else None,
        state.up_next[0] if state.up_next else None,
        state.last_played if same or track is None else state.track,
        playing.why if same and playing is not None else "",
    )


def reason(pick: Pick) -> str:
    """The recommender's reasons for ``pick`` as a clause ("because your friend Sam loved it")."""
    reasons = dict(pick.reasons)
    if reasons.get("ran_short"):
        return f"because you'd heard all the {reasons['ran_short']} I have, and it's the nearest"
    if not pick.matched:
        return "because it's the closest I have to what you asked for"
    if "friend" in reasons:
        return f"because your friend {reasons['friend']} loved it"
    learned = because(pick)
    if learned:
        return f"because it's {learned}"
    if "mood" in reasons:
        return f"to suit your {MOOD_WORDS.get(reasons['mood'], reasons['mood'])} mood"
    if "genre" in reasons:
        return f"because you like {reasons['genre']}"
    if "new" in reasons:
        return "to explore: it's something you haven't heard yet"
    return "to explore a little, I'm still learning what you like"


BEFORE_WORDS = frozenset({"last", "before", "earlier", "previous", "previously"})
"""Words that move a "what was that" to the track before the one on air."""


ARTIST_WORDS = frozenset(
    {"artist", "artists", "band", "bands", "singer", "singers", "musicians", "groups", "who"}
)
"""Words that ask "what do I like" of artists, not styles."""

NOW_WORDS = frozenset({"this", "now", "playing", "current", "currently", "on"})
"""Words that keep a question on the track on air, whatever was asked before."""


def facet(intent: Intent) -> str:
    """What a "what's playing" question asks about: title, artist, album or year."""
    words = set(intent.text.split())
    return next((name for name, cues in FACETS if cues & words), "title")


def asks_before(intent: Intent) -> bool:
    """A question about the track before ("what was that one before"), said in past tense."""
    words = set(intent.text.split())
    return bool(BEFORE_WORDS & words) and bool({"was", "did", "played"} & words)


class Conversation:
    """Answers the intents in HANDLED for one DJ (it reads the DJ's state; it changes only the
    listener's preferences when asked to forget one, and what plays through actions)."""

    def __init__(self, dj: PersonalizedDJ, talk: Talk) -> None:
        self.dj = dj
        self.talk = talk
        self._greeted: dict[str, tuple[int, int]] = {}  # listener -> (session, hellos in it)
        self._question: dict[str, str] = {}  # listener -> a question of CARRIED_ON, last turn
        self._turns: dict[str, int] = {}  # listener -> turns so far (for what "that" points at)
        self._before_asked: dict[str, tuple[int, Track]] = {}  # the track before, asked about

    def _say(self, section: str, situation: str, **fields: object) -> str:
        return self.talk.phrase(section, situation, fields)

    def answer(self, profile: UserProfile, intent: Intent, now: datetime) -> Answer:
        """The answer to one of HANDLED."""
        kind = intent.name
        thing = intent.slots.get("genre") or intent.slots.get("artist")
        if kind == "dj_opinion" and isinstance(thing, str):  # "do you like jazz": its taste
            return Answer(self._small_talk(profile, "taste_opinion", now, thing=thing))
        if kind in SMALL_TALK:
            return Answer(self._small_talk(profile, kind, now))
        handler = getattr(self, f"_{kind}")
        answer: Answer = handler(profile, intent, now)
        return answer

    def carried_on(self, user_id: str, intent: Intent) -> Intent:
        """``intent`` as meant after the turn before: a request to play a genre or an artist put
        as a follow-on ("what about house") right after a count or a "do you have" is that
        question again, of what it names (only a bare name: "and play some rock" plays).
        Remembers this turn's question for the next."""
        self._turns[user_id] = self._turns.get(user_id, 0) + 1
        last = self._question.pop(user_id, None)
        named = {"genre", "artist"} & intent.slots.keys()
        if (
            last is not None
            and not intent.also
            and intent.name in ("play", *CARRIED_ON)
            and named
            and intent.slots.keys() <= {"genre", "artist"}
            and (follow := FOLLOW_ON.match(intent.text.casefold()))
            and not PLAY_WORDS.search(intent.text.casefold()[follow.end() :])
        ):
            intent = dataclasses.replace(intent, name=last)
        asked = [part.name for part in intent.each() if part.name in CARRIED_ON]
        if asked:
            self._question[user_id] = asked[-1]
        return intent

    # -- small talk --------------------------------------------------------------------------

    def _small_talk(self, profile: UserProfile, kind: str, now: datetime, **fields: object) -> str:
        dj = self.dj
        return self.talk.small_talk(
            kind,
            profile.trust_score,
            name=spoken_name(profile),
            dj=dj.name,
            station=dj.station_name,
            part=moods.part_of_day(now),
            **fields,
        )

    def hello_again(self, profile: UserProfile, now: datetime) -> str | None:
        """A short hello for a listener greeting the DJ yet again in one session (None: one of
        the first two greetings, a welcome and a welcome back, which the guide describes)."""
        session, count = self._greeted.get(profile.user_id, (profile.sessions, 0))
        count = count + 1 if session == profile.sessions else 1
        self._greeted[profile.user_id] = (profile.sessions, count)
        return self._small_talk(profile, "hello_again", now) if count > 2 else None

    def introduced(self, profile: UserProfile) -> None:
        """ "This is sam" greets Sam ("Nice to meet you, Sam!"): their next hello in the sitting
        is a short hello again, not a second welcome that introduces the DJ once more."""
        self._greeted[profile.user_id] = (profile.sessions, 2)

    # -- the music ---------------------------------------------------------------------------

    def _asked_before(self, user_id: str, track: Track) -> None:
        """The listener asked about ``track``, the one before the one on air, this turn."""
        self._before_asked[user_id] = (self._turns.get(user_id, 0), track)

    def _that_one(self, user_id: str, intent: Intent) -> Track | None:
        """The track before, when the turn before asked about it and this question points at
        it ("what was the last song" then "who did that one"), not at what plays now."""
        turn, track = self._before_asked.get(user_id, (-1, None))
        words = set(intent.text.split())
        if turn != self._turns.get(user_id, 0) - 1 or "that" not in words or NOW_WORDS & words:
            return None
        return track

    def whats_playing(self, user_id: str, intent: Intent) -> str:
        """ "What's this", "who sings it", "which album", "what year": the fact asked for."""
        track = self.dj._current()
        before = truth(self.dj).previous if asks_before(intent) else None
        before = before or self._that_one(user_id, intent)
        if before is not None:
            track = before
            self._asked_before(user_id, before)
        if track is None:
            return self.dj._lines.now_playing(None)
        asked = facet(intent)
        fields = {
            "track": track.describe(),
            "title": f"'{track.title}'",
            "artist": track.artist or "an artist I don't know",
            "album": track.album,
            "year": track.year,
            "station": self.dj.station_name,
        }
        if asked == "album":
            return self._say("answers", "album" if track.album else "no_album", **fields)
        if asked == "year":
            return self._say("answers", "year" if track.year else "no_year", **fields)
        if asked == "artist" and track.artist:
            return self._say("answers", "artist", **fields)
        return self._say("answers", "title", **fields)

    def _time_left(self, profile: UserProfile, intent: Intent, now: datetime) -> Answer:
        known = truth(self.dj)
        track = known.track
        if track is None:
            return Answer(self.dj._lines.now_playing(None))
        title = f"'{track.title}'"
        if known.left is not None:
            return Answer(
                self._say("answers", "remaining", left=_duration(known.left), title=title)
            )
        return Answer(self._say("answers", "length", length=_duration(track.duration), title=title))

    def _whats_next(self, profile: UserProfile, intent: Intent, now: datetime) -> Answer:
        known = truth(self.dj)
        upcoming = known.up_next or self.dj.pick_ahead(profile, now)
        if upcoming is None:
            return Answer(self._say("answers", "previous_none"))
        return Answer(self._say("answers", "next_known", track=upcoming.describe()))

    def _whats_previous(self, profile: UserProfile, intent: Intent, now: datetime) -> Answer:
        known = truth(self.dj)
        if known.previous is not None:
            self._asked_before(profile.user_id, known.previous)
            return Answer(self._say("answers", "previous_known", track=known.previous.describe()))
        if known.track is None:  # nothing on air, nothing before: "last time" is their history
            heard = self._last_sitting(profile.user_id)
            if not heard:
                return Answer(self._say("answers", "history_none"))
            tracks = join_words([track.describe() for track in heard])
            return Answer(self._say("answers", "history", tracks=tracks))
        return Answer(self._say("answers", "previous_none"))

    def _last_sitting(self, user_id: str, most: int = 3) -> list[Track]:
        """The last tracks (newest first, ``most`` of them) of the listener's latest sitting in
        their stored history: plays no more than a session's gap apart."""
        library = self.dj.library
        if library is None:
            return []
        found: list[Track] = []
        later: datetime | None = None
        for play in self.dj.store.recent_plays(user_id, 50):
            at = play["ts"]
            if later is not None and at is not None and later - at > SESSION_GAP:
                break
            later = at or later
            track = library.get(play["track_id"])
            if track is not None and track not in found:
                found.append(track)
                if len(found) == most:
                    break
        return found

    def _why_this(self, profile: UserProfile, intent: Intent, now: datetime) -> Answer:
        known = truth(self.dj)
        track = known.track
        if track is None:
            return Answer(self.dj._lines.now_playing(None))
        pick = self.dj.pick_of(profile.user_id, track)
        title = f"'{track.title}'"
        if pick is not None:
            named = {"artist", "title", "album", "query"} & dict(pick.reasons).keys()
            if named and pick.matched:
                return Answer(self._say("answers", "why_named", track=track.describe()))
            why = reason(pick)
        elif known.why:
            why = known.why
        else:
            return Answer(self._say("answers", "why_unknown"))
        return Answer(self._say("answers", "why", title=title, reason=why))

    def _count_songs(self, profile: UserProfile, intent: Intent, now: datetime) -> Answer:
        library = self.dj.library
        if library is None:
            return Answer(self.dj._lines.nothing_to_play())
        genre, artist = _slot(intent, "genre"), _slot(intent, "artist")
        if genre:
            count = plural(len(library.tracks_for_genre(genre)), f"{genre} track")
        elif artist:
            found = [t for t in library.tracks() if t.artist.casefold() == artist.casefold()]
            count = plural(len(found), "track") + f" by {_name(found, artist)}"
        else:
            tracks = library.tracks()
            artists = len({t.artist for t in tracks if t.artist})
            return Answer(
                self._say(
                    "answers",
                    "count",
                    count=plural(len(tracks), "track") + f" by {plural(artists, 'artist')}",
                )
            )
        return Answer(self._say("answers", "count", count=count))

    def _have_any(self, profile: UserProfile, intent: Intent, now: datetime) -> Answer:
        library = self.dj.library
        if library is None:
            return Answer(self.dj._lines.nothing_to_play())
        genre, artist = _slot(intent, "genre"), _slot(intent, "artist")
        if genre:
            found = library.tracks_for_genre(genre)
            what = genre
            count = plural(len(found), f"{genre} track")
        elif artist:
            found = [t for t in library.tracks() if t.artist.casefold() == artist.casefold()]
            what = _name(found, artist)
            count = plural(len(found), "track") + f" by {what}"
        elif _slot(intent, "query"):  # a name the library does not know
            what = str(_slot(intent, "query"))
            return Answer(self._say("answers", "have_no", what=what, nearest=self._nearest(None)))
        else:  # neither named clearly: what there is, in all
            tracks = library.tracks()
            artists = len({t.artist for t in tracks if t.artist})
            what = plural(len(tracks), "track") + f" by {plural(artists, 'artist')}"
            return Answer(self._say("answers", "count", count=what))
        if found:
            return Answer(self._say("answers", "have_yes", count=count))
        return Answer(self._say("answers", "have_no", what=what, nearest=self._nearest(genre)))

    def have_note(self, intent: Intent) -> str:
        """For a request put as a question of having ("have you got any jazz"): whether the
        library has it and how much, said before the pick; empty for any other request."""
        library = self.dj.library
        if library is None or not HAVE_QUESTION.match(intent.text):
            return ""
        genre, artist = _slot(intent, "genre"), _slot(intent, "artist")
        if genre:
            count = len(library.tracks_for_genre(genre))
            what = plural(count, f"{genre} track")
        elif artist:
            found = [t for t in library.tracks() if t.artist.casefold() == artist.casefold()]
            count, what = len(found), plural(len(found), "track") + f" by {_name(found, artist)}"
        else:
            return ""
        return self._say("answers", "have_note" if count else "have_none", count=what)

    def _nearest(self, genre: str | None) -> str:
        """The nearest honest alternative to a genre the library lacks."""
        library = self.dj.library
        if library is None:
            return ""
        have = sorted({g for t in library.tracks() for g in t.genres})
        if not have:
            return ""
        parents = set(self.dj.genres.parents(genre)) if genre else set()
        related = [g for g in have if parents & (set(self.dj.genres.parents(g)) | {g})]
        other = (related or have)[0]
        return self._say("answers", "nearest", other=other)

    # -- the listener ------------------------------------------------------------------------

    def _likes(self, profile: UserProfile) -> list[str]:
        parts = []
        favourites = self.dj.favourites(profile.user_id)
        if favourites:
            parts.append(self._say("me", "likes", likes=join_words(favourites)))
        if profile.blocked_genres:
            parts.append(
                self._say("me", "blocked", blocked=join_words(profile.blocked_genres[:3], "or"))
            )
        return parts

    def _about_me(self, profile: UserProfile, intent: Intent, now: datetime) -> Answer:
        parts = [self._say("me", "about_intro", name=spoken_name(profile))]
        found = self._likes(profile)
        artists = self.dj.liked_artists(profile.user_id)
        if artists:
            found.append(self._say("me", "artists", artists=join_words(artists)))
        mood = self.dj.current_mood(profile.user_id)
        if mood:
            found.append(self._say("me", "mood", mood=MOOD_WORDS.get(mood, mood)))
        if not found:
            found.append(self._unnamed("me", "about_nothing"))
        parts += found
        parts.append(self._known(profile, now, named=False))
        parts.append(self._unnamed("me", "trust", level=trust_level(profile.trust_score)))
        return Answer(" ".join(parts))

    def _unnamed(self, section: str, situation: str, **fields: object) -> str:
        """A phrasing that does not call the listener by name (once in an answer is enough)."""
        lines = [
            t for t in self.talk.book.lines(section, situation) if "{name}" not in t.casefold()
        ]
        return self.talk.pool.choose([fill(text, fields) for text in lines], shuffle=True)

    def _my_likes(self, profile: UserProfile, intent: Intent, now: datetime) -> Answer:
        """The favourite styles (and what is kept away); asked of artists ("which bands am I
        into"), the artists listening shows first."""
        found = self._likes(profile)
        if not self.dj.favourites(profile.user_id):
            found.insert(0, self._say("me", "likes_none"))
        if ARTIST_WORDS & set(intent.text.split()):
            artists = self.dj.liked_artists(profile.user_id)
            if artists:
                found.insert(0, self._say("me", "artists", artists=join_words(artists)))
            else:
                found.insert(0, self._say("me", "artists_none"))
        return Answer(" ".join(found))

    def _my_mood(self, profile: UserProfile, intent: Intent, now: datetime) -> Answer:
        mood = self.dj.current_mood(profile.user_id)
        if mood is None:
            return Answer(self._say("me", "mood_none"))
        return Answer(self._say("me", "mood", mood=MOOD_WORDS.get(mood, mood)))

    def _known(self, profile: UserProfile, now: datetime, named: bool = True) -> str:
        turns = self.dj.store.turn_count(profile.user_id)
        if turns == 0:
            if not named:
                return self._unnamed("me", "known_new")
            return self._say("me", "known_new", name=spoken_name(profile))
        age = known_for(now - profile.created_at)
        visits = plural(max(profile.sessions, 1), "visit")  # sittings, not turns (as greeted)
        if not age:  # "we go back to today" is no way to say it
            return self._say("me", "known_today", sessions=visits)
        return self._say("me", "known", sessions=visits, ago=f"{age} ago")

    def _known_for(self, profile: UserProfile, intent: Intent, now: datetime) -> Answer:
        return Answer(self._known(profile, now))

    def _my_trust(self, profile: UserProfile, intent: Intent, now: datetime) -> Answer:
        level = trust_level(profile.trust_score)
        lead = self._say("me", "trust", level=level, name=spoken_name(profile))
        meaning = self.talk.pool.choose(self.talk.book.meanings(level), shuffle=True)
        return Answer(f"{lead} {meaning}")

    def _forget_preference(self, profile: UserProfile, intent: Intent, now: datetime) -> Answer:
        """Forget a liking, both as said and as listening taught it (a listener who says "forget
        that I like jazz" means jazz is no favourite of theirs any more, however the DJ came to
        think so); it is not blocked either, and the answer says what was forgotten."""
        what = _slot(intent, "genre") or _slot(intent, "artist")
        if not what:
            return Answer(self.dj._lines.unknown())
        if not _slot(intent, "genre"):  # an artist: only listening can have taught it
            key = what.casefold()
            shown = self.dj._as_written("artist", what) or what
            if not self._unlearn(profile.user_id, "artist", lambda name: name == key):
                return Answer(self._say("me", "forgot_nothing", what=shown))
            return Answer(self._say("me", "forgot_learned", what=shown))
        genres = self.dj.genres
        canonical = genres.normalise(what)

        def meant(genre: str) -> bool:
            return genre == what or genres.covers(canonical, genres.normalise(genre))

        kept = [p for p in profile.music_preferences if not meant(p)]
        said = len(kept) < len(profile.music_preferences)
        taught = self._unlearn(profile.user_id, "genre", meant)
        if not said and not taught:
            return Answer(self._say("me", "forgot_nothing", what=what))
        profile.music_preferences[:] = kept
        request = self.dj._requests.get(profile.user_id)
        if request is not None and request.genre and meant(request.genre):
            self.dj._requests.pop(profile.user_id, None)
        if not taught:
            return Answer(self._say("me", "forgot", what=what))
        return Answer(self._say("me", "forgot_listening" if said else "forgot_learned", what=what))

    def _unlearn(self, user_id: str, side: str, meant: Callable[[str], bool]) -> bool:
        """Set to nothing what listening taught of the genres (``side`` "genre") or artists
        ("artist") ``meant``, at every time of day; True when listening had taught anything of
        them (even too little to count among the favourites or liked artists)."""
        taste = self.dj._taste(user_id)
        rows = [
            (kind, key, -pos, -neg)
            for kind, entries in taste.by_kind.items()
            if kind == side or kind.startswith(f"{side}@")
            for key, (pos, neg) in entries.items()
            if meant(key) and (pos or neg)
        ]
        if rows:
            self.dj._learn_rows(user_id, rows)
        return bool(rows)

    # -- follow-ups --------------------------------------------------------------------------

    def _more_like(self, profile: UserProfile, intent: Intent, now: datetime) -> Answer:
        dj = self.dj
        track = dj._current()
        if track is None:
            return Answer(dj._lines.now_playing(None))
        promised = dj._ahead.pop(profile.user_id, None)  # "what's next": used here or dropped
        dj.refine(profile.user_id, "track", "more")  # a direction, not a verdict: no "liked"
        catalog = dj.catalog()
        genre = track.genres[0] if track.genres else None
        wanted = [Request(genre=genre)] if genre else [Request(artist=track.artist)]
        wanted += [Request(genre=parent) for parent in dj.genres.parents(genre or "")]
        found: tuple[Request, Pick] | None = None  # the first request that still has some
        kept = promised is not None and promised[1].track != track
        if promised is not None and kept and self._answers(promised[1].track, wanted[0]):
            found = (wanted[0], promised[1])  # what "what's next" named, as said
        for request in [] if found is not None else wanted:
            pick = dj._fresh_pick(catalog, profile, now, request) if catalog else None
            if pick is not None and found is None:
                found = (request, pick)  # none left of any of them: the taste's next pick
            if pick is not None and pick.matched and self._answers(pick.track, request):
                found = (request, pick)
                break
        if found is None:
            return Answer(dj._lines.nothing_to_play())
        request, pick = found
        dj._requests[profile.user_id] = request
        dj._keep(profile, pick)
        said = pick.track.describe()
        if not self._answers(pick.track, request):  # all of it heard lately: said so
            asked = genre or track.artist
            return Answer(
                self._say("follow", "ran_short", genre=asked, track=said), (PlayTrack(pick.track),)
            )
        if request.genre and request.genre != genre:  # its style ran out: the wider one
            line = self._say(
                "follow", "more_like_wider", genre=genre, wider=request.genre, track=said
            )
            return Answer(line, (PlayTrack(pick.track),))
        return Answer(self._say("follow", "more_like", track=said), (PlayTrack(pick.track),))

    def _answers(self, track: Track, request: Request) -> bool:
        """Whether ``track`` is what ``request`` asks for (its genre, or its artist)."""
        if request.genre:
            return any(self.dj.genres.covers(request.genre, genre) for genre in track.genres)
        artist = request.artist or ""
        return bool(artist) and track.artist.casefold() == artist.casefold()

    def _play_previous(self, profile: UserProfile, intent: Intent, now: datetime) -> Answer:
        previous = truth(self.dj).previous
        if previous is None:
            return Answer(self._say("follow", "previous_none"))
        return Answer(
            self._say("follow", "previous", track=previous.describe()), (PlayTrack(previous),)
        )

    def not_that(self, profile: UserProfile, intent: Intent, now: datetime) -> Answer | None:
        """ "Not that one", "no, the other one" with no question pending: something else for the
        same request; None for a bare "no" (nothing to act on)."""
        if not NOT_THAT_WORDS & set(intent.text.split()):
            return None
        dj = self.dj
        track = dj._current()
        if track is None:
            return Answer(self._say("follow", "not_that_none"))
        if dj.now_playing_from is None:
            dj._record(profile.user_id, track, "skipped")
        nxt = dj._pick_track(profile, now)
        if nxt is None:
            return Answer(self._say("follow", "not_that_none"))
        return Answer(self._say("follow", "not_that", track=nxt.describe()), (Skip(then=nxt),))


def _slot(intent: Intent, name: str) -> str | None:
    value = intent.slots.get(name)
    if isinstance(value, tuple):
        value = value[0] if value else None
    return value if isinstance(value, str) and value else None


def _name(tracks: list[Track], said: str) -> str:
    """An artist as the library spells them, else as said."""
    return tracks[0].artist if tracks else said.title()


def _duration(seconds: float) -> str:
    """A length in words: "2 minutes 5 seconds", "40 seconds"."""
    whole = max(0, round(seconds))
    minutes, rest = divmod(whole, 60)
    if not minutes:
        return plural(rest, "second")
    if not rest:
        return plural(minutes, "minute")
    return f"{plural(minutes, 'minute')} {plural(rest, 'second')}"
