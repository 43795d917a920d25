"""The conversation benchmark's truth checker: whether a factual answer or a follow-up is right,
found from the player, the library and the profile, never from what the DJ says it knows nor from
how it read what was said (which of a question and a request came first is told from the words).

Also how a repeat is told: a sentence said again in the DJ's words for saying it again ("...,
like I said") is the sentence it repeats (:func:`plain`).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from typing import Protocol

from appliance.dj import PersonalizedDJ
from appliance.dj.lines import MOOD_WORDS, because, plural
from appliance.dj.pool import sentences
from appliance.dj.profile import trust_level
from appliance.dj.recommend import Pick
from appliance.dj.reply import PlayTrack, Reply, Skip
from appliance.dj.talk import load_phrasebook
from appliance.library import Library
from appliance.library.track import Track


class Playing(Protocol):
    """The station's part the checker reads: what plays, what played before, and the end of
    the track on air (the next pick starts)."""

    track: Track | None
    previous: Track | None

    def end_of_track(self) -> Track | None: ...


def again_forms() -> list[tuple[str, str]]:
    """The DJ's ways of saying a sentence again (talk.yaml: said_again, asked_again) as the
    normalised words before and after the sentence, longest first."""
    book = load_phrasebook()
    forms = [*book.lines("lines", "said_again"), *book.lines("lines", "asked_again")]
    parts = (form.partition("{line}") for form in forms)
    found = {(_key(before), _key(after)) for before, _, after in parts}
    return sorted(found, key=lambda form: -len(form[0]) - len(form[1]))


def _key(text: str) -> str:
    return " ".join(sentences(text))


def plain(sentence: str, forms: list[tuple[str, str]]) -> str:
    """A normalised sentence without the words that say it again ("it's from 1959 like i said"
    is "it's from 1959"): a repeat put another way is still a repeat."""
    for before, after in forms:
        head = f"{before} " if before else ""
        tail = f" {after}" if after else ""
        long_enough = (head or tail) and len(sentence) > len(head) + len(tail)
        if long_enough and sentence.startswith(head) and sentence.endswith(tail):
            return sentence[len(head) : len(sentence) - len(tail)]
    return sentence


def spoken_words(text: str) -> str:
    """Lower-case words between spaces; quotes around a title are not part of it."""
    bare = re.sub(r"(?<!\w)'|'(?!\w)", " ", text.casefold())
    return " " + " ".join(re.sub(r"[^\w' ]+", " ", bare).split()) + " "


def _has(reply: str, *phrases: str) -> bool:
    said = spoken_words(reply)
    return any(spoken_words(p) in said for p in phrases if p.strip())


NEGATIONS = (
    *("don't have", "none of", "there's no", "have no", "has no", "haven't got", "afraid not"),
    *("sorry no", "not a single", "no tracks of", "nothing in the way of"),
)
"""How an answer says the library lacks something (the DJ's phrasings of "no")."""


def _says_no(text: str) -> bool:
    """The answer says the library lacks it."""
    said_no = _has(text, *NEGATIONS) or spoken_words(text).startswith(" no ")
    return said_no and not _has(text, "yes")


CLAUSE_MARKS = re.compile(r",|;|[.?!](?:\s|$)|\band\b|\bthen\b")
"""Where a clause of what was said ends: a question and a request said in one breath are
told apart by which clause comes first."""
QUESTION_WORDS = re.compile(
    r"\b(?:what|what's|whats|who|who's|whos|which|when|when's|name|called|title|tell)\b"
)
"""Words that ask about the music (the checker's own list, not the DJ's reading)."""
BACK_WORDS = (
    r"go back|back to|again|once more|replay|previous|one before|the before|last (?:one|song|track)"
)
"""Requests that start the track before or this one again: nothing is left behind by them."""
AWAY_WORDS = re.compile(
    r"\b(?:play|put|skip|next|another|more like|more of|more by|not this|not that|something else"
    r"|change|switch|surprise me|shuffle)\b"
)
"""Requests that move on from the track on air ("skip this, who was it by": the track left)."""
MOVE_WORDS = re.compile(rf"{AWAY_WORDS.pattern}|\b(?:{BACK_WORDS})\b")
"""Requests that start a track ("play a party song, what's this": the track started)."""


def moved_before_asking(text: str, moves: re.Pattern[str] = MOVE_WORDS) -> bool:
    """Whether what was said asks for a move of ``moves`` before it asks about the music: a
    clause that moves comes before the first clause with a question word, or moves before the
    question word in that clause ("play something what's this"). Found from the words alone,
    never from how the DJ read them."""
    for part in CLAUSE_MARKS.split(text.casefold().replace("\u2019", "'")):
        clause = spoken_words(part)
        asked = QUESTION_WORDS.search(clause)
        moved = moves.search(clause)
        if asked is not None:
            return moved is not None and moved.start() < asked.start()
        if moved is not None:
            return True
    return False


def started(reply: Reply) -> Track | None:
    """The track a reply's actions start first (None: it starts none)."""
    for action in reply.actions:
        if isinstance(action, PlayTrack):
            return action.track
        if isinstance(action, Skip):
            return action.then
    return None


def same(track: Track | None, other: Track | None) -> bool:
    """The same track, by its id: a library fills in measurements after a scan, so two copies
    of one track may differ in their other fields."""
    if track is None or other is None:
        return track is other
    return track.track_id == other.track_id


class Truth:
    """What a factual answer must say, found apart from the DJ's answer."""

    def __init__(self, dj: PersonalizedDJ, library: Library, player: Playing, user: str) -> None:
        self.dj = dj
        self.user = user
        self.library = library
        self.player = player
        self.genre_forms = sorted(
            {**dj.genres.spoken_forms(), **{n: n for n in dj.genres.names()}}.items(),
            key=lambda item: -len(item[0]),
        )
        self.artists = sorted({t.artist for t in library.tracks()}, key=len, reverse=True)

    def asked_about(self, text: str) -> tuple[str | None, str | None]:
        """The genre or the artist a question names (None, None: the whole library); an artist
        misheard is still the one named when their name's letters are near all there ("do you
        have any kilo what brothers" names Kilowatt Brothers)."""
        said = spoken_words(text)
        for artist in self.artists:
            if spoken_words(artist) in said or (
                spoken_words(artist.split()[0]) in said and len(artist) > 8
            ):
                return None, artist
        for form, genre in self.genre_forms:
            if spoken_words(form) in said:
                return genre, None
        return None, _misheard(said.split(), self.artists)

    def named(self, text: str) -> tuple[str, Track] | None:
        """The title or the album a question names, the longest said whole, with its track (an
        album's first): "when did slow weather come out" asks of it, whatever plays; a question
        that points at what plays ("is this from slow weather") asks of that."""
        said = spoken_words(text)
        if any(f" {word} " in said for word in ("this", "that", "it", "it's", "that's", "now")):
            return None  # "is this from slow weather": of what plays
        found = [
            (len(name), kind, track)
            for track in self.library.tracks()
            for kind, name in (("title", track.title), ("album", track.album))
            if name and spoken_words(name) in said
        ]
        if not found:
            return None
        _, kind, track = max(found, key=lambda one: one[0])
        return kind, track

    def count(self, text: str) -> int:
        genre, artist = self.asked_about(text)
        if genre:
            return len(self.library.tracks_for_genre(genre))
        if artist:
            return sum(t.artist == artist for t in self.library.tracks())
        return len(self.library.tracks())

    def checker(self, kind: str, text: str) -> Callable[[Reply], bool] | None:
        """Before the turn: how to tell whether the answer to it is right (None: not factual)."""
        dj, player = self.dj, self.player
        track = player.track
        if kind in ("title", "artist", "album", "year"):  # "play something, what's this"
            if moved_before_asking(text):
                return lambda r: _fact_said(r, started(r) or track, kind)
            named = self.named(text)
            if named is not None and kind != named[0] and (kind, named[0]) != ("title", "album"):
                return lambda r: _fact_said(r, named[1], kind)  # "who sings blue hour"
            return lambda r: _fact_said(r, track, kind)
        if kind == "previous":  # "skip this, who was that": the track left
            before = player.previous
            left = moved_before_asking(text, AWAY_WORDS)  # "go back, what was it": the one before

            def previous_said(reply: Reply) -> bool:
                was = track if left and started(reply) is not None else before
                if was is None:
                    return _has(reply.text, "first", "nothing")
                return _has(reply.text, was.title)

            return previous_said
        if kind == "why":
            pick = dj.pick_of(self.user, track) if track else None
            return lambda r: pick is not None and _has(r.text, *_reason_words(pick))
        if kind == "count":  # none at all may be said as a plain no
            expected = self.count(text)
            return lambda r: (
                str(expected) in re.findall(r"\d+", r.text) or (not expected and _says_no(r.text))
            )
        if kind == "have":
            expected = self.count(text)
            if self.asked_about(text) == (None, None):  # a name the library lacks, or none
                return lambda r: str(expected) in re.findall(r"\d+", r.text) or _says_no(r.text)
            if expected:
                return lambda r: str(expected) in re.findall(r"\d+", r.text)
            return lambda r: _says_no(r.text)
        profile = dj.user_profiles.get(self.user)
        if kind == "my_likes":
            likes = dj.favourites(self.user)
            if _has(text, "artist", "artists", "band", "bands", "singer", "singers"):
                artists = dj.liked_artists(self.user)  # asked of artists: those, named
                if not artists:
                    return lambda r: _has(r.text, "no artist", "no favourite artist", "yet")
                return lambda r: all(_has(r.text, artist) for artist in artists)
            if not likes:
                return lambda r: _has(r.text, "don't know", "haven't told", "yet")
            return lambda r: all(_has(r.text, like) for like in likes)
        if kind == "my_mood":
            mood = dj.current_mood(self.user)
            word = MOOD_WORDS.get(mood, mood) if mood else None
            if word is None:  # no mood: the answer names none, and says so
                moods = set(MOOD_WORDS.values())
                words = ("mood", "feel", "feeling")
                return lambda r: not _has(r.text, *moods) and _has(r.text, *words)
            return lambda r: _has(r.text, word)
        if kind == "known_for":  # counted in sittings (visits), not turns
            return self._known_for()
        if kind == "trust":
            level = trust_level(profile.trust_score) if profile else "Friend"
            return lambda r: _has(r.text, level)
        if kind == "about_me":  # the summary: favourites, what is kept away, how long, trust
            likes, blocked = dj.favourites(self.user), profile.blocked_genres if profile else []
            level = trust_level(profile.trust_score) if profile else "Friend"
            known = self._known_for()
            return lambda r: (
                all(_has(r.text, like) for like in likes)
                and all(_has(r.text, genre) for genre in blocked[:3])
                and _has(r.text, level)
                and known(r)
            )
        return None

    def _known_for(self) -> Callable[[Reply], bool]:
        """How long the DJ has known the listener, in sittings (visits), not turns."""
        profile = self.dj.user_profiles.get(self.user)
        turns = self.dj.store.turn_count(self.user)
        visits = max(profile.sessions, 1) if profile else 1
        said = (plural(visits, "visit"), plural(visits, "session"))
        return lambda r: _has(r.text, *said) if turns else _has(r.text, "first session")

    def follow_up(self, kind: str) -> Callable[[Reply], bool] | None:
        """Before a follow-up: how to tell whether the track it starts is the one meant (None:
        not a follow-up checked here). "More like this" may say its style ran out instead."""
        before, now = self.player.previous, self.player.track
        genres = self.dj.genres

        if kind == "the_one_before":  # nothing before: nothing to go back to, nothing started
            return lambda r: same(started(r), before)
        if kind == "again":
            return lambda r: now is not None and same(started(r), now)
        if kind in ("something_else", "not_that"):
            return lambda r: started(r) is not None and not same(started(r), now)
        if kind == "more_like" and now is not None:
            styles = list(now.genres)

            def alike(reply: Reply) -> bool:
                track = started(reply)
                if track is None or same(track, now):
                    return False
                kin = track.artist == now.artist or any(
                    genres.covers(g, h) or genres.covers(h, g) for g in styles for h in track.genres
                )
                return kin or _has(reply.text, *styles)  # or it says the style ran out

            return alike
        return None

    def next_is(self, reply: Reply) -> bool:
        """After "what's next": the track that plays next is the one the DJ named."""
        nxt = self.player.end_of_track()
        return nxt is not None and _has(reply.text, nxt.title)


MISHEARD = 0.85
"""How alike a run of words must be, letter for letter, to an artist's name to name them."""


def _misheard(words: list[str], artists: list[str]) -> str | None:
    """The artist whose name, spaces aside, a run of the words spells nearly letter for letter
    (at least MISHEARD alike, and the closest of any), else None."""
    best, found = MISHEARD, None
    for artist in artists:
        name = "".join(spoken_words(artist).split())
        size = len(artist.split())
        for width in {max(1, size - 1), size, size + 1}:
            for start in range(len(words) - width + 1):
                run = "".join(words[start : start + width])
                alike = difflib.SequenceMatcher(None, run, name).ratio()
                if alike >= best and len(name) >= 8:
                    best, found = alike, artist
    return found


def _fact_said(reply: Reply, track: Track | None, kind: str) -> bool:
    """The answer says the fact ``kind`` asks of ``track`` (of no track: that nothing plays)."""
    if track is None:
        return _has(reply.text, "nothing")
    value = {
        "title": track.title,
        "artist": track.artist,
        "album": track.album,
        "year": str(track.year),
    }[kind]
    return _has(reply.text, value)


def _reason_words(pick: Pick) -> list[str]:
    """What an honest "why" must mention of the recommender's reasons."""
    reasons = dict(pick.reasons)
    if reasons.get("ran_short"):
        return [reasons["ran_short"]]
    if {"artist", "title", "album", "query"} & reasons.keys() and pick.matched:
        return ["asked"]
    if not pick.matched:
        return ["closest"]
    if "friend" in reasons:
        return [reasons["friend"]]
    if because(pick):
        return [because(pick)]
    if "mood" in reasons:
        return [MOOD_WORDS.get(reasons["mood"], reasons["mood"])]
    if "genre" in reasons:
        return [reasons["genre"]]
    if "new" in reasons:
        return ["haven't heard"]
    return ["explore"]
