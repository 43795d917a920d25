"""Answers about the listener: what the DJ knows of them (their profile, spoken back to them),
what they like, their mood, how long the two have known each other, their trust level and what
it means; and forgetting a liking when asked, as said and as listening taught it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from appliance.dj.answering import Answer, Part, slot, spoken_name
from appliance.dj.lines import MOOD_WORDS, join_words, known_for, plural
from appliance.dj.profile import UserProfile, trust_level
from appliance.dj.talk import fill

if TYPE_CHECKING:
    from appliance.dj.engine import PersonalizedDJ
    from appliance.dj.talk import Talk
    from appliance.dj.understand import Intent

ABOUT_ME = frozenset(
    {"about_me", "my_likes", "my_mood", "forget_preference", "known_for", "my_trust"}
)
"""The questions about the listener answered here."""

ARTIST_WORDS = frozenset(
    {"artist", "artists", "band", "bands", "singer", "singers", "musicians", "groups", "who"}
)
"""Words that ask "what do I like" of artists, not styles."""

SAID_ARTIST = "said artist"
"""The taste's kind for the artists a listener said they love ("i love <artist>"): forgetting one
says it was told, not learned from listening."""


class ListenerAnswers(Part):
    """The intents of ABOUT_ME (it changes only the listener's likings, when asked to forget).
    It remembers, per listener, a mood the DJ only inferred from a request ("play something
    chill"): that one is not said back as a mood the listener told it."""

    KINDS = ABOUT_ME

    def __init__(self, dj: PersonalizedDJ, talk: Talk) -> None:
        super().__init__(dj, talk)
        self._inferred: dict[str, str] = {}  # listener -> the mood a request implied

    def mood_heard(self, user_id: str, mood: str, said: bool) -> None:
        """The listener's mood is now ``mood``: ``said`` ("i'm feeling happy"), or inferred
        from what they asked for ("play something chill", "music for cooking")."""
        if said:
            self._inferred.pop(user_id, None)
        else:
            self._inferred[user_id] = mood

    def _mood(self, user_id: str, mood: str) -> str:
        """The listener's mood said back: as they told it, or as the DJ guessed it."""
        inferred = self._inferred.get(user_id) == mood
        return self._say(
            "me", "mood_inferred" if inferred else "mood", mood=MOOD_WORDS.get(mood, mood)
        )

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

    def about_me(self, profile: UserProfile, intent: Intent, now: datetime) -> Answer:
        parts = [self._say("me", "about_intro", name=spoken_name(profile))]
        found = self._likes(profile)
        artists = self.dj.liked_artists(profile.user_id)
        if artists:
            found.append(self._say("me", "artists", artists=join_words(artists)))
        mood = self.dj.current_mood(profile.user_id)
        if mood:
            found.append(self._mood(profile.user_id, mood))
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

    def my_likes(self, profile: UserProfile, intent: Intent, now: datetime) -> Answer:
        """The favourite styles (and what is kept away), then the artists listening shows the
        listener likes: likes are of both kinds. Asked of artists ("which bands am I into"), the
        artists come first, and their absence is said too."""
        found = self._likes(profile)
        if not self.dj.favourites(profile.user_id):
            found.insert(0, self._say("me", "likes_none"))
        artists = self.dj.liked_artists(profile.user_id)
        named = self._say("me", "artists", artists=join_words(artists)) if artists else ""
        if ARTIST_WORDS & set(intent.text.split()):
            found.insert(0, named or self._say("me", "artists_none"))
        elif named:
            found.insert(1, named)
        return Answer(" ".join(found))

    def my_mood(self, profile: UserProfile, intent: Intent, now: datetime) -> Answer:
        mood = self.dj.current_mood(profile.user_id)
        if mood is None:
            return Answer(self._say("me", "mood_none"))
        return Answer(self._mood(profile.user_id, mood))

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

    def known_for(self, profile: UserProfile, intent: Intent, now: datetime) -> Answer:
        return Answer(self._known(profile, now))

    def my_trust(self, profile: UserProfile, intent: Intent, now: datetime) -> Answer:
        level = trust_level(profile.trust_score)
        lead = self._say("me", "trust", level=level, name=spoken_name(profile))
        meaning = self.talk.pool.choose(self.talk.book.meanings(level), shuffle=True)
        return Answer(f"{lead} {meaning}")

    def forget_preference(self, profile: UserProfile, intent: Intent, now: datetime) -> Answer:
        """Forget a liking, both as said and as listening taught it (a listener who says "forget
        that I like jazz" means jazz is no favourite of theirs any more, however the DJ came to
        think so); it is not blocked either, and the answer says what was forgotten. A name the
        library lacks (a search) was never a liking here: the answer says so."""
        what = slot(intent, "genre") or slot(intent, "artist")
        if not what:
            query = slot(intent, "query")
            if query:
                return Answer(self._say("me", "forgot_nothing", what=query))
            return Answer(self.dj.lines.unknown())
        if not slot(intent, "genre"):  # an artist: said ("i love <artist>") or learned
            key = what.casefold()
            shown = self.dj.as_written("artist", what) or what
            pos, neg = self.dj.taste_of(profile.user_id).get(SAID_ARTIST, key)
            if pos > neg:
                self.dj.learn_rows(profile.user_id, [(SAID_ARTIST, key, -pos, -neg)])
            if not self._unlearn(profile.user_id, "artist", lambda name: name == key):
                return Answer(self._say("me", "forgot_nothing", what=shown))
            return Answer(self._say("me", "forgot" if pos > neg else "forgot_learned", what=shown))
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
        request = self.dj.requests.get(profile.user_id)
        if request is not None and request.genre and meant(request.genre):
            self.dj.requests.pop(profile.user_id, None)
        if not taught:
            return Answer(self._say("me", "forgot", what=what))
        return Answer(self._say("me", "forgot_listening" if said else "forgot_learned", what=what))

    def _unlearn(self, user_id: str, side: str, meant: Callable[[str], bool]) -> bool:
        """Set to nothing what listening taught of the genres (``side`` "genre") or artists
        ("artist") ``meant``, at every time of day; True when listening had taught anything of
        them (even too little to count among the favourites or liked artists)."""
        taste = self.dj.taste_of(user_id)
        rows = [
            (kind, key, -pos, -neg)
            for kind, entries in taste.by_kind.items()
            if kind == side or kind.startswith(f"{side}@")
            for key, (pos, neg) in entries.items()
            if meant(key) and (pos or neg)
        ]
        if rows:
            self.dj.learn_rows(user_id, rows)
        return bool(rows)
