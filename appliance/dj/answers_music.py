"""Answers about the music, from the truth: what plays (title, artist, album, year), how long is
left, what comes next, what played before, why it was picked (the recommender's real Pick), how
much of a style or an artist the library has.

What plays, what played and what comes are read from the station's one state when a station runs
the DJ (``PersonalizedDJ.state_from``), else from the DJ's own picks. An answer the DJ cannot give
from what it holds says so.
"""

from __future__ import annotations

import difflib
import re
import time
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from appliance.dj.answering import Answer, Part, slot
from appliance.dj.lines import MOOD_WORDS, because, join_words, plural
from appliance.dj.profile import SESSION_GAP, UserProfile
from appliance.dj.recommend import Pick
from appliance.library.track import Track
from appliance.state import PlayState

if TYPE_CHECKING:
    from appliance.dj.engine import PersonalizedDJ
    from appliance.dj.talk import Talk
    from appliance.dj.understand import Intent

QUESTIONS = frozenset(
    {"time_left", "whats_next", "whats_previous", "why_this", "count_songs", "have_any"}
)
"""The questions about the music answered here ("what's playing" too, which the engine asks
for directly: see :meth:`MusicAnswers.whats_playing`)."""

FACETS = (
    ("artist", frozenset({"who", "who's", "artist", "singer", "band", "sings", "singing", "sang"})),
    ("year", frozenset({"year", "year's", "when", "when's", "date", "decade", "era", "vintage"})),
    ("album", frozenset({"album", "album's", "record"})),
    (
        "year",
        frozenset({"old", "released", "release", "recorded", "made", "new"})
        | {"eighties", "nineties"},
    ),
)
"""Which fact of the track a "what's playing" question asks for, by its words, the first that
matches: a year named outright wins over the album it is of ("what year did the album come
out"); only a looser word for it does not ("which album was it released on")."""

HAVE_QUESTION = re.compile(
    r"^(do you have|have you got|have you|you got|got|you have|do we have|have we got|"
    r"is there|are there|any chance you have|any|anything)\b"
)
"""How a request for music put as a question of having begins ("any jazz?" too)."""
BEFORE_WORDS = frozenset({"last", "before", "earlier", "previous", "previously", "skip"})
"""Words that move a "what was that" to the track before the one on air ("the track you just
skipped, what was it called", understood as "skip": the one a skip left)."""

NOW_WORDS = frozenset({"this", "now", "playing", "current", "currently", "on"})
"""Words that keep a question on the track on air, whatever was asked before."""


def facet(intent: Intent) -> str:
    """What a "what's playing" question asks about: title, artist, album or year ("how old's
    this" asks how old, as "which record's this off" asks the record)."""
    words = set(intent.text.split())
    words |= {word.removesuffix("'s") for word in words}
    found = next((name for name, cues in FACETS if cues & words), None)
    if found is None and words & {"came", "come"} and "out" in words:
        return "year"  # "did this come out lately"; "what's this that's come on" asks the title
    return found or "title"


POINTING = frozenset({"this", "that", "it", "it's", "that's", "this's", "playing", "now"})
"""Words that keep a question naming some music on what plays ("is this from exodus")."""

FAR_FUTURE = 9999
"""A year after every track's, for tracks whose year is not known."""

PAST_WORDS = frozenset({"was", "did", "played"})
"""A question about a track in past tense."""


CLAUSE_SUBJECTS = frozenset({"i", "i'm", "we", "you", "he", "she", "they", "my", "our", "your"})
"""Words after which "before" begins a clause of its own ("when's this from, before i was born
i bet"), not the track before."""


def asks_before(intent: Intent) -> bool:
    """A question about the track before ("what was that one before"), said in past tense."""
    said = intent.text.split()
    words = {
        word
        for at, word in enumerate(said)
        if word != "before" or said[at + 1 : at + 2] == [] or said[at + 1] not in CLAUSE_SUBJECTS
    }
    return bool(BEFORE_WORDS & words) and bool(PAST_WORDS & words)


@dataclass(frozen=True)
class Truth:
    """What the listener hears, as the station's state (or the DJ alone) tells it."""

    track: Track | None
    left: float | None  # seconds to the end of the track, when known
    up_next: Track | None
    previous: Track | None
    why: str  # the station's words for why the track was chosen ("" when not known)
    stopped: bool = False  # the music is stopped (the track, or the one before, is not heard)
    leaving: Track | None = None  # on air, moved on from this breath (not back to the last one)


def truth(dj: PersonalizedDJ) -> Truth:
    """What plays, what played, what comes: from the station's state when there is one."""
    track = dj.this_track()
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
    same = playing is not None and track is not None and playing.track.track_id == track.track_id
    stopped = (same or track is None) and state.play_state == PlayState.STOPPED  # none asked
    back = (
        track is not None
        and state.last_played is not None
        and track.track_id == state.last_played.track_id
    )
    leaving = state.track if track is not None and not same and not back else None
    return Truth(
        track,
        left if same else None,
        state.up_next[0] if state.up_next else None,
        state.last_played if same or track is None else state.track,
        playing.why if same and playing is not None else "",
        stopped,
        leaving,
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


class MusicAnswers(Part):
    """The questions of QUESTIONS, and "what's playing"; it remembers, per listener, the turn
    count and the track before asked about (what "that one" points at next)."""

    KINDS = QUESTIONS

    def __init__(self, dj: PersonalizedDJ, talk: Talk) -> None:
        super().__init__(dj, talk)
        self._turns: dict[str, int] = {}  # listener -> turns so far (for what "that" points at)
        self._before_asked: dict[str, tuple[int, Track]] = {}  # the track before, asked about

    def new_turn(self, user_id: str) -> None:
        """The listener said something: a question of the turn before is one turn older."""
        self._turns[user_id] = self._turns.get(user_id, 0) + 1

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
        """ "What's this", "who sings it", "which album", "what year": the fact asked for (of
        the music named, when the question names some: "when did kind of blue come out")."""
        named = self._named(intent)
        if named is not None:
            return self._fact(named, facet(intent))
        track = self.dj.this_track()
        known = truth(self.dj)
        before = known.previous if asks_before(intent) else None
        if PAST_WORDS & set(intent.text.split()):  # "skip this, who was it by": the one left
            before = before or known.leaving
        before = before or self._that_one(user_id, intent)
        if before is not None:
            track = before
            self._asked_before(user_id, before)
        if track is None and known.stopped:  # the station stopped it: the one stopped
            track = known.previous
        if track is None:
            return self.dj.lines.now_playing(None)
        asked = facet(intent)
        if before is None and known.stopped:  # nothing heard now: the last one, named
            said = self._say("answers", "stopped", track=track.describe())
            if asked in ("album", "year"):
                return f"{said} {self._fact(track, asked)}"
            return said
        return self._fact(track, asked)

    def _named(self, intent: Intent) -> Track | None:
        """The library's track a question names: the title, else the album's or the artist's
        first (the earliest, for an artist: "when did sade come out")."""
        catalog = self.dj.catalog()
        if catalog is None or POINTING & set(intent.text.split()):  # "is this from exodus"
            return None
        for kind in ("title", "album", "artist"):
            name = slot(intent, kind)
            if name is None:
                continue
            folded = name.casefold()
            found = [track for track in catalog.tracks if getattr(track, kind).casefold() == folded]
            if found:
                return min(found, key=lambda track: track.year or FAR_FUTURE)
        return None

    def _fact(self, track: Track, asked: str) -> str:
        """The fact ``asked`` (title, artist, album, year) of ``track``, in a sentence."""
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

    def time_left(self, profile: UserProfile, intent: Intent, now: datetime) -> Answer:
        known = truth(self.dj)
        track = known.track
        if track is None:
            return Answer(self.dj.lines.now_playing(None))
        title = f"'{track.title}'"
        if known.left is not None:
            return Answer(
                self._say("answers", "remaining", left=_duration(known.left), title=title)
            )
        return Answer(self._say("answers", "length", length=_duration(track.duration), title=title))

    def whats_next(self, profile: UserProfile, intent: Intent, now: datetime) -> Answer:
        known = truth(self.dj)
        upcoming = known.up_next or self.dj.pick_ahead(profile, now)
        if upcoming is None:
            return Answer(self._say("answers", "previous_none"))
        return Answer(self._say("answers", "next_known", track=upcoming.describe()))

    def whats_previous(self, profile: UserProfile, intent: Intent, now: datetime) -> Answer:
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

    def why_this(self, profile: UserProfile, intent: Intent, now: datetime) -> Answer:
        known = truth(self.dj)
        track = known.track
        if track is None:
            return Answer(self.dj.lines.now_playing(None))
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

    def count_songs(self, profile: UserProfile, intent: Intent, now: datetime) -> Answer:
        library = self.dj.library
        if library is None:
            return Answer(self.dj.nothing_to_play())
        genre, artist = slot(intent, "genre"), slot(intent, "artist")
        said = slot(intent, "query")
        if not genre and not artist and said:  # a name as heard ("how many sunsplash songs"),
            # else words that name nothing the library knows: what there is, in all
            artist = heard_artist(str(said), [t.artist for t in library.tracks()])
        if genre:  # none of it: a plain no and the nearest, never "0 tracks"
            have = library.tracks_for_genre(genre)
            if not have:
                return self._no(genre, genre)
            count = plural(len(have), f"{genre} track")
        elif artist:
            found = [t for t in library.tracks() if t.artist.casefold() == artist.casefold()]
            if not found:
                return self._no(_name(found, artist), None)
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

    def _no(self, what: str, genre: str | None) -> Answer:
        """The library has none of ``what``: said so, with the nearest honest alternative."""
        return Answer(self._say("answers", "have_no", what=what, nearest=self._nearest(genre)))

    def have_any(self, profile: UserProfile, intent: Intent, now: datetime) -> Answer:
        library = self.dj.library
        if library is None:
            return Answer(self.dj.nothing_to_play())
        genre, artist = slot(intent, "genre"), slot(intent, "artist")
        if not genre and not artist and slot(intent, "query"):  # a name as heard, if near one
            artist = heard_artist(str(slot(intent, "query")), [t.artist for t in library.tracks()])
        if genre:
            found = library.tracks_for_genre(genre)
            what = genre
            count = plural(len(found), f"{genre} track")
        elif artist:
            found = [t for t in library.tracks() if t.artist.casefold() == artist.casefold()]
            what = _name(found, artist)
            count = plural(len(found), "track") + f" by {what}"
        elif slot(intent, "query"):  # a name the library does not know
            what = str(slot(intent, "query"))
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
        genre, artist = slot(intent, "genre"), slot(intent, "artist")
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


HEARD_ALIKE = 0.8
"""How alike (letters, spaces aside) the words heard and an artist's name must be."""

HEARD_FIRST_WORD = 6
"""An artist's first word at least this long, heard alone, names them ("sunsplash"); a name
this long at least is heard near letter for letter (a short one is too like other words: "sad"
is no "Sade")."""


def heard_artist(said: str, artists: list[str]) -> str | None:
    """The library's artist a name as heard stands for: their first word alone when it is long
    enough to be theirs ("sunsplash"), or their name nearly letter for letter, spaces aside
    ("kilo what brothers"); None when no artist is near enough."""
    words = said.casefold().split()
    heard = "".join(words)
    best, found = HEARD_ALIKE, None
    for artist in dict.fromkeys(a for a in artists if a):
        name = artist.casefold().split()
        if len(name[0]) >= HEARD_FIRST_WORD and name[0] in words:
            return artist
        letters = "".join(name)
        alike = difflib.SequenceMatcher(None, heard, letters).ratio()
        if alike >= best and len(letters) >= HEARD_FIRST_WORD:
            best, found = alike, artist
    return found


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
