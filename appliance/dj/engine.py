"""PersonalizedDJ: the DJ the product guide documents, with memory, taste and a library.

One conversation turn is one transaction: the listener's words and the DJ's answer are recorded,
trust moves, preferences and mood are learned, all or nothing. The DJ is pure (no audio, no
threads of its own); a lock makes it safe to call from the station's threads. Here: the
listeners, the turn's transaction (and answering when it cannot be saved), what plays and the
picks; what a turn asks is carried out by turns.py and handlers.py, questions and small talk
answered by answers.py.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import logging
import random
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from appliance.dj import confirm
from appliance.dj import mood as moods
from appliance.dj.answers import FACTUAL, Conversation, spoken_name
from appliance.dj.catalogs import Catalogs
from appliance.dj.corrections import Done
from appliance.dj.lines import Lines
from appliance.dj.profile import (
    SESSION_GAP,
    TRUST_START,
    TRUST_STEP,
    HistoryView,
    UserProfile,
    clamp_trust,
    trust_level,
)
from appliance.dj.recommend import Catalog, Listener, Pick, Recommender, Request
from appliance.dj.reply import PlayTrack, Reply
from appliance.dj.said import MAX_SAID, clean_said
from appliance.dj.store import BUSY_TIMEOUT_MS, Store
from appliance.dj.taste import EVENTS, Taste, evidence_for, refinement
from appliance.dj.turns import Turns
from appliance.library.genres import GenreMap, default_genres
from appliance.library.track import Track

if TYPE_CHECKING:
    from appliance.dj.understand import Intent, Understanding
    from appliance.library import Library
    from appliance.state import StationState

log = logging.getLogger(__name__)

CONTEXT_SIZE = 20
RECENT_PLAYS = 50
OUTAGE_WAIT_MS = 250  # how long a turn waits for a lock while turns cannot be saved
_T = TypeVar("_T")


class ProfileMap(Mapping[str, UserProfile]):
    """``dj.user_profiles``: every listener the DJ knows, read from its store on demand."""

    def __init__(self, dj: PersonalizedDJ) -> None:
        self._dj = dj

    def __getitem__(self, user_id: str) -> UserProfile:
        profile = self._dj.load_profile(user_id)
        if profile is None:
            raise KeyError(user_id)
        return profile

    def __contains__(self, user_id: object) -> bool:
        return isinstance(user_id, str) and self._dj.load_profile(user_id) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(self._dj.store.user_ids())

    def __len__(self) -> int:
        return len(self._dj.store.user_ids())


class PersonalizedDJ:
    """A personal radio DJ that learns each listener's taste and builds trust over time.

    ``db_path=None`` keeps everything in memory; a path keeps it in SQLite, durable across
    restarts (call :meth:`close` to release it). ``library`` attaches a music library, so that the
    DJ names and plays real tracks. ``clock`` and ``seed`` make it reproducible in tests.
    Beyond the guide's API, its public names (``lines``, ``requests``, ``pick_track``, ...) are
    what its turns, handlers and answers (turns.py, handlers.py, answers*.py) work with.
    """

    def __init__(
        self,
        name: str = "DJ Quantum",
        edge_mode: bool = True,
        db_path: str | Any | None = None,
        library: Library | None = None,
        *,
        station_name: str = "QFZZ",
        genres: GenreMap | None = None,
        clock: Callable[[], datetime] | None = None,
        seed: int | None = None,
    ) -> None:
        self.name = name
        self.edge_mode = edge_mode  # all processing stays on this device; kept for the guide's API
        self.station_name = station_name
        self.library = library
        self.genres = genres or default_genres()
        self.store = Store(db_path)
        self.user_profiles: Mapping[str, UserProfile] = ProfileMap(self)
        self.conversation_context: dict[str, list[str]] = {}
        # What plays now, read from the station's state when a station with a player runs the
        # DJ: a spoken "skip" is then learned from the player's event, which knows how far into
        # the track it came. Alone (None), the DJ's own last pick stands for what plays.
        self.now_playing_from: Callable[[], Track | None] | None = None
        # Called with (kind, data) after trust or community changes are committed: the station
        # keeps them in its tamper-evident ledger when that is switched on.
        self.journal: Callable[[str, dict[str, Any]], object] | None = None
        self._clock = clock or datetime.now
        self._rng = random.Random(seed)
        self.lines = Lines(name, station_name, self._rng)  # what the DJ says, never twice lately
        self._recommender = Recommender(self.genres, np.random.default_rng(seed))
        self._lock = threading.RLock()
        if self.store.path is not None:
            self.store.on_outside_change = self._forget_everyone
        self._profiles: dict[str, UserProfile] = {}
        self._history_counts: dict[str, int] = {}
        self._tastes: dict[str, Taste] = {}
        self.requests: dict[str, Request] = {}  # each listener's standing request: what plays
        self._session_played: dict[str, list[str]] = {}
        self._last_pick: dict[str, Pick] = {}
        self._picked: Track | None = None  # alone: the last pick or request, as if playing
        # with a station: asked for and not started yet, oldest first (the last is "this")
        self._asked: list[Track] = []
        self.questions: dict[str, confirm.Question] = {}  # asked, waiting for a yes or no
        self.done: dict[str, Done] = {}  # the last request a correction would mend
        self._sitting: str | None = None  # the listener the DJ heard from last
        self._understanding: Understanding | None = None
        self._vocabulary_generation: int | None = None
        self._vocabulary: object = None
        # counts changes of the library's names (artists, albums, titles): what a recogniser's
        # vocabulary follows
        self.names_version = 0
        self._catalogs = Catalogs(self.genres)
        self._outage: str | None = None  # why turns cannot be saved, while they cannot
        self._said_cut = False
        # The station's whole state (what plays, how far in, what comes, what came before),
        # when a station runs the DJ: questions about the music are answered from it.
        self.state_from: Callable[[], StationState] | None = None
        self.played_before: Track | None = None  # alone: the pick before the one "playing"
        self._picks: dict[str, Pick] = {}  # track id -> why it was picked (the latest few)
        self.ahead: dict[str, tuple[Request | None, Pick]] = {}  # "what's next", promised
        self.conversation = Conversation(self, self.lines.talk)  # answers, small talk
        self._turns = Turns(self)
        self.intent_table = self._turns.handlers.table()  # who answers each intent

    # -- lifecycle -------------------------------------------------------------------------

    def close(self) -> None:
        """Flush and release the store."""
        with self._lock:
            self.store.close()

    def __enter__(self) -> PersonalizedDJ:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- profiles --------------------------------------------------------------------------

    def load_profile(self, user_id: str) -> UserProfile | None:
        """The listener's profile as stored (re-read when another process changed the store);
        None for a stranger."""
        with self._lock:
            if not self.store.in_transaction and self.store.changed_elsewhere():
                self._forget_everyone()
            cached = self._profiles.get(user_id)
            if cached is not None:
                return cached
            row = self.store.load_user(user_id)
            if row is None:
                return None
            profile = UserProfile(
                user_id=user_id,
                name=row["name"],
                music_preferences=row["preferences"],
                interaction_history=self._history_view(user_id),
                trust_score=row["trust"],
                community_connections=self.store.connections(user_id),
                created_at=row["created_at"],
                blocked_genres=row["blocked"],
                mood=row["mood"],
                mood_set_at=row["mood_at"],
                sessions=row["sessions"],
                last_seen=row["last_seen"],
            )
            self._profiles[user_id] = profile
            self.conversation_context.setdefault(
                user_id, self.store.recent_messages(user_id, CONTEXT_SIZE)
            )
            return profile

    def _history_view(self, user_id: str) -> HistoryView:
        def count() -> int:
            if user_id not in self._history_counts:
                self._history_counts[user_id] = self.store.history_count(user_id)
            return self._history_counts[user_id]

        return HistoryView(
            count, lambda offset, limit: self.store.history_slice(user_id, offset, limit)
        )

    def profile_for(self, user_id: str, name: str | None = None) -> tuple[UserProfile, bool]:
        """The listener's profile, made on first contact; True when it was just made."""
        if not isinstance(user_id, str) or not user_id.strip():
            raise ValueError("user_id must be a non-empty string")
        profile = self.load_profile(user_id)
        if profile is not None:
            return profile, False
        now = self._clock()
        self.store.save_user(
            user_id=user_id,
            name=name or user_id,
            trust=TRUST_START,
            created_at=now,
            sessions=0,
        )
        profile = self.load_profile(user_id)
        assert profile is not None
        return profile, True

    def save_profile(self, profile: UserProfile) -> None:
        """Write ``profile`` to the store (within the caller's transaction, if any)."""
        self.store.save_user(
            user_id=profile.user_id,
            name=profile.name,
            trust=profile.trust_score,
            created_at=profile.created_at,
            last_seen=profile.last_seen,
            sessions=profile.sessions,
            mood=profile.mood,
            mood_at=profile.mood_set_at,
            preferences=profile.music_preferences,
            blocked=profile.blocked_genres,
        )

    def touch(self, profile: UserProfile, now: datetime, *, taking_over: bool = False) -> bool:
        """Count a new session, a sitting: the first contact, a gap longer than
        :data:`SESSION_GAP`, or a listener taking over from someone else ("this is sam"), never
        each turn; True when one began."""
        fresh = (
            profile.last_seen is None
            or now - profile.last_seen > SESSION_GAP
            or (taking_over and self._sitting not in (None, profile.user_id))
        )
        if fresh:
            profile.sessions += 1
            self._session_played.pop(profile.user_id, None)
        profile.last_seen = now
        self._sitting = profile.user_id
        return fresh

    def register_user(self, user_id: str, name: str) -> UserProfile:
        """Make sure a listener exists (listeners named in the config file)."""
        with self._lock, self.store.transaction():
            profile, new = self.profile_for(user_id, name)
            if not new and profile.name != name:
                profile.name = name
                self.save_profile(profile)
            return profile

    def take_over(self, user_id: str) -> None:
        """A face made ``user_id`` the listener (the web page's listener switch): a new sitting
        for them when they take over from someone else (as "this is sam" does)."""

        def arrive() -> None:
            profile, _ = self.profile_for(user_id)
            self.touch(profile, self._clock(), taking_over=True)
            self.save_profile(profile)

        with self._lock:
            self._saving(user_id, arrive)

    def find_user(self, name: str) -> str | None:
        """The id of the listener called ``name`` (or with that id), if the DJ knows them."""
        wanted = name.strip().casefold()
        for user_id in self.store.user_ids():
            profile = self.load_profile(user_id)
            if profile and (profile.name.casefold() == wanted or user_id.casefold() == wanted):
                return user_id
        return None

    # -- the documented API ----------------------------------------------------------------

    def greet_user(self, user_id: str, name: str) -> str:
        """Welcome a newcomer by name, or greet a returning listener like an old friend."""

        def greet() -> str:
            profile, new = self.profile_for(user_id, name)
            now = self._clock()
            if name and profile.name != name:
                profile.name = name
            self.touch(profile, now)
            self.save_profile(profile)
            if new:
                return self.lines.welcome(spoken_name(profile))
            return self.greeting(profile, now)

        with self._lock:
            text, saved = self._saving(user_id, greet)
            # remembered, so the next answers do not say it again; the notice that nothing can
            # be saved is said whole at each outage, never shortened as said lately
            notice = self.lines.cannot_remember() if saved == "outage" else ""
            return self._spoken(text, notice=notice)

    def greeting(self, profile: UserProfile, now: datetime) -> str:
        """Welcome back only someone met before: they have talked to the DJ, or came in an
        earlier session (a listener named in the config, saying their first hello, is new)."""
        turns = self.store.turn_count(profile.user_id)
        if not turns and profile.sessions <= 1:
            return self.lines.welcome(spoken_name(profile))
        return self.lines.welcome_back(
            spoken_name(profile),
            turns,
            now - profile.created_at,
            self.favourites(profile.user_id),
            self.current_mood(profile.user_id),
        )

    def update_preferences(self, user_id: str, preferences: list[str]) -> list[str]:
        """Add music preferences: trimmed, case-folded, deduplicated, in first-seen order."""

        def update() -> list[str]:
            profile, _ = self.profile_for(user_id)
            for raw in preferences:
                value = " ".join(str(raw).split()).casefold()
                if value and value not in profile.music_preferences:
                    profile.music_preferences.append(value)
                canonical = self.genres.normalise(value) if value else ""
                if canonical in profile.blocked_genres:
                    profile.blocked_genres.remove(canonical)
            self.save_profile(profile)
            return list(profile.music_preferences)

        with self._lock:
            return self._saving(user_id, update)[0]

    def get_trust_score(self, user_id: str) -> float:
        """The listener's trust, 0..1 (0.5 for someone the DJ has just met)."""
        profile = self.load_profile(user_id)
        return profile.trust_score if profile else TRUST_START

    def get_trust_level(self, user_id: str) -> str:
        """The trust band: Stranger, Acquaintance, Friend, Close Friend or Best Friend."""
        return trust_level(self.get_trust_score(user_id))

    def get_community_trust(self, user_id: str) -> float:
        """Trust including the community: 70 % the listener's own, 30 % their friends' mean."""
        own = self.get_trust_score(user_id)
        profile = self.load_profile(user_id)
        friends = [
            self.load_profile(friend).trust_score  # type: ignore[union-attr]
            for friend in (profile.community_connections if profile else [])
            if friend in self.user_profiles
        ]
        if not friends:
            return own
        return own * 0.7 + (sum(friends) / len(friends)) * 0.3

    def add_to_community(self, user_id: str, friend_id: str) -> None:
        """Connect a friend to the listener's community (idempotent)."""
        if user_id == friend_id:
            raise ValueError("a listener cannot join their own community")
        with self._lock, self.store.transaction():
            profile, _ = self.profile_for(user_id)
            if friend_id in profile.community_connections:
                return
            self.store.connect(user_id, friend_id, self._clock())
            profile.community_connections.append(friend_id)
        self._log("community_join", {"user_id": user_id, "friend_id": friend_id})

    def remove_from_community(self, user_id: str, friend_id: str) -> bool:
        """Disconnect a friend; True when they were connected."""
        with self._lock, self.store.transaction():
            profile = self.load_profile(user_id)
            if profile is None or friend_id not in profile.community_connections:
                return False
            self.store.disconnect(user_id, friend_id)
            profile.community_connections.remove(friend_id)
        self._log("community_leave", {"user_id": user_id, "friend_id": friend_id})
        return True

    def current_mood(self, user_id: str) -> str | None:
        """The mood the listener last expressed, while it is still current (a few hours)."""
        profile = self.load_profile(user_id)
        if profile is None or not moods.mood_is_current(profile.mood_set_at, self._clock()):
            return None
        return profile.mood

    def clear_mood(self, user_id: str) -> None:
        """Forget the listener's mood: picks follow the time of day again."""
        with self._lock:
            profile, _ = self.profile_for(user_id)
            profile.mood = None
            profile.mood_set_at = None
            self._saving(user_id, lambda: self.save_profile(profile))

    def favourites(self, user_id: str, count: int = 3) -> list[str]:
        """The listener's favourite styles: what they said first, then what listening showed."""
        profile = self.load_profile(user_id)
        if profile is None:
            return []
        found = list(profile.music_preferences)
        learned = self.taste_of(user_id).by_kind.get("genre", {})
        for genre, _ in sorted(learned.items(), key=lambda item: item[1][1] - item[1][0]):
            if self.taste_of(user_id).net("genre", genre) > 1 and genre not in found:
                found.append(genre)
        return found[:count]

    def interact(self, user_id: str, message: str) -> str:
        """One turn of conversation: the DJ's answer to what the listener said."""
        return self.respond(user_id, message).text

    # -- conversation ----------------------------------------------------------------------

    @property
    def understanding(self) -> Understanding:
        """The intent matcher, kept in step with the library's names."""
        from appliance.dj.understand import Understanding, Vocabulary

        with self._lock:
            library = self.library
            names: Vocabulary | None = None
            if library is not None and self._vocabulary_generation != library.generation:
                self._vocabulary_generation = library.generation
                names = Vocabulary.of(library)
            if self._understanding is None:  # built with the names at once, not built twice
                self._understanding = Understanding(genres=self.genres, vocabulary=names)
                if names is not None:
                    self._vocabulary = names
                    self.names_version += 1
            # the generation also moves when tempo and energy are measured: rebuild only when
            # the names themselves changed
            elif names is not None and names != self._vocabulary:
                self._understanding.set_vocabulary(names)
                self._vocabulary = names
                self.names_version += 1
            if self.state_from is not None:  # "the kitchen": the rooms the station has now
                self._understanding.set_rooms([room.name for room in self.state_from().rooms])
            return self._understanding

    def prepare(self, partial: str) -> Intent | None:
        """Start thinking about words still being said: understanding them now makes the
        final answer quicker when the words stay the same (understanding remembers recent
        utterances). Called on the listener's thread: it takes no DJ lock (a turn holds it
        through its transaction); the understanding swaps its state whole and locks its cache."""
        understanding = self._understanding
        return None if understanding is None else understanding.parse(partial)

    def respond(self, user_id: str, message: str, *, confidence: float = 1.0) -> Reply:
        """One turn, with the actions for the player: the station's entry point.

        ``confidence`` (0..1) is how sure the recogniser is of the words; a request heard or
        understood with too little confidence for what it would do is asked about first."""
        message = self._heard(message)
        self._catalog_ahead()
        with self._lock:
            intent = confirm.heard_with(self.understanding.parse(message), confidence)
        return self._respond_to(user_id, intent, message)

    def act(self, user_id: str, intent: str, slots: dict[str, Any] | None = None) -> Reply:
        """A request another face sends already understood (a skip tapped on a phone): the same
        turn the words would make, so it answers, teaches and is remembered alike."""
        from appliance.dj.understand import Intent

        values = " ".join(str(v) for v in (slots or {}).values() if v)
        message = self._heard(f"{intent.replace('_', ' ')} {values}".strip())
        self._catalog_ahead()
        return self._respond_to(user_id, Intent(name=intent, slots=dict(slots or {})), message)

    def _respond_to(self, user_id: str, intent: Intent, message: str) -> Reply:
        """One turn for an understood ``intent`` (``message``: the words, for the history)."""
        with self._lock:
            (reply, trust_before, trust), saved = self._saving(
                user_id, lambda: self._run_turn(user_id, intent, message)
            )
            factual = all(name in FACTUAL for name in (reply.intents or (reply.intent,)))
            notice = self.lines.cannot_remember() if saved == "outage" else ""  # said whole
            text = self._spoken(reply.text, reword=factual, notice=notice)
            reply = dataclasses.replace(reply, text=text)
            context = self.conversation_context.setdefault(user_id, [])
            context.append(message)
            del context[:-CONTEXT_SIZE]
        if saved == "saved" and trust != trust_before:
            self._log("trust", {"user_id": user_id, "trust": trust})
        return reply

    def _spoken(self, text: str, reword: bool = False, notice: str = "") -> str:
        """An answer as said, remembered by the line pool: with a library (the appliance), none
        of its sentences said lately (see ``Lines.spoken``; ``notice`` follows whole); without
        one, the DJ is the product guide's example and says its documented lines word for
        word."""
        if self.library is None:
            text = f"{text} {notice}" if notice else text
            self.lines.pool.said(text)
            return text
        return self.lines.spoken(text, reword=reword, notice=notice)

    def _run_turn(self, user_id: str, intent: Intent, message: str) -> tuple[Reply, float, float]:
        """One turn inside a transaction (of the store, or of a scratch copy when it cannot be
        saved): the reply, and trust before and after."""
        profile, _ = self.profile_for(user_id)
        now = self._clock()
        self.touch(profile, now)
        reply = self._turns.turn(profile, intent, now)
        self._asked_for(reply)
        trust_before = profile.trust_score
        if not reply.negative_feedback:
            profile.trust_score = clamp_trust(profile.trust_score + TRUST_STEP)
        self.save_profile(profile)
        self.store.append_history(
            user_id, [(now, "user_message", message), (now, "dj_response", reply.text)]
        )
        if user_id in self._history_counts:
            self._history_counts[user_id] += 2
        return reply, trust_before, profile.trust_score

    def _heard(self, message: str) -> str:
        """What is understood and kept of ``message``: valid text, at most MAX_SAID characters
        (the first cut is logged)."""
        text, cut = clean_said(message)
        if cut and not self._said_cut:
            self._said_cut = True
            log.warning(
                "a request of %d characters was cut to its first %d (logged once)",
                len(message),
                MAX_SAID,
            )
        return text

    # -- when the store cannot take a write ----------------------------------------------------

    def _saving(self, user_id: str, work: Callable[[], _T]) -> tuple[_T, str]:
        """``work`` in one transaction of the store, and "saved". When the store cannot take it
        (full disk, a lock held too long, a damaged page), memory goes back to where it was and
        ``work`` runs again on a scratch copy of what the store can still tell about the
        listener: the listener is answered and the session goes on (a question asked, what
        played), but nothing is remembered for good. Then "outage" for the first such run since
        the last save (the listener is told once, the log says why once), else "unsaved"."""
        if self.store.in_transaction:  # part of a larger unit of work: that one decides
            return work(), "saved"
        session = self._session(user_id)
        try:
            with self.store.transaction():
                result = work()
        except sqlite3.Error as error:
            self._restore_session(user_id, session)
            self._forget_stored(user_id)
            first = self._outage_began(error)
            if first:
                log.warning(
                    "%s: cannot save turns (%s); answering without remembering until it can",
                    self.store.path,
                    error,
                )
            return self._on_scratch(user_id, work), "outage" if first else "unsaved"
        except BaseException:
            self._forget_cached(user_id)
            raise
        self._saved_again()
        return result, "saved"

    def _outage_began(self, error: sqlite3.Error) -> bool:
        """Note that writes fail; True when they did not a moment ago."""
        first = self._outage is None
        self._outage = str(error)
        if first:
            self.store.wait_for_locks(OUTAGE_WAIT_MS)  # each answer must not wait seconds
        return first

    def _saved_again(self) -> None:
        if self._outage is not None:
            log.warning("%s: turns are saved again", self.store.path)
            self._outage = None
            self.store.wait_for_locks(BUSY_TIMEOUT_MS)

    def _on_scratch(self, user_id: str, work: Callable[[], _T]) -> _T:
        real = self.store
        self.store = real.scratch_copy(user_id)
        try:
            with self.store.transaction():
                return work()
        finally:
            self.store.close()
            self.store = real
            self._forget_stored()  # what the scratch run read is not the truth

    def _session_caches(self) -> tuple[dict[str, Any], ...]:
        """What memory alone holds of each listener's session (the store never has it)."""
        return (self.questions, self.requests, self._session_played, self._last_pick, self.done)

    def _session(self, user_id: str) -> tuple[list[Any], Track | None, list[Track]]:
        kept = [copy.copy(cache.get(user_id)) for cache in self._session_caches()]
        return kept, self._picked, list(self._asked)

    def _restore_session(
        self, user_id: str, session: tuple[list[Any], Track | None, list[Track]]
    ) -> None:
        """Put the session back as it was before a write the store rolled back."""
        kept, self._picked, self._asked = session
        for cache, value in zip(self._session_caches(), kept, strict=True):
            if value is None:
                cache.pop(user_id, None)
            else:
                cache[user_id] = value

    def _forget_stored(self, user_id: str | None = None) -> None:
        """Drop what was read from the store (one listener's, or everyone's)."""
        for cache in (self._profiles, self._tastes, self._history_counts):
            if user_id is None:
                cache.clear()
            else:
                cache.pop(user_id, None)

    def _log(self, kind: str, data: dict[str, Any]) -> None:
        if self.journal is None:
            return
        try:
            self.journal(kind, data)
        except Exception as error:  # the ledger must never stop the DJ from answering
            log.error("could not keep %s in the ledger: %s", kind, error)

    # -- several requests, questions and corrections ------------------------------------------

    # -- recommendations -------------------------------------------------------------------

    def taste_of(self, user_id: str) -> Taste:
        """What listening and talk taught of the listener's taste (read from the store once)."""
        taste = self._tastes.get(user_id)
        if taste is None:
            taste = self._tastes[user_id] = Taste(self.store.taste(user_id))
        return taste

    _taste = taste_of  # the name tests of the taste still use

    def catalog(self) -> Catalog | None:
        """The library as arrays, rebuilt when the library changed (never under the DJ's
        lock by a turn that asked first: see :mod:`appliance.dj.catalogs`)."""
        library = self.library
        return None if library is None else self._catalogs.get(library)

    def _catalog_ahead(self) -> None:
        """Build the catalog, when it must be, before taking the lock: other turns do not wait
        for it. A library that cannot be read now is met again, and handled, by the pick."""
        with contextlib.suppress(sqlite3.Error):
            self.catalog()

    def _listener(self, profile: UserProfile, now: datetime) -> Listener:
        mood = self.current_mood(profile.user_id)
        friends = [
            (self.load_profile(friend).name, self.taste_of(friend))  # type: ignore[union-attr]
            for friend in profile.community_connections
            if friend in self.user_profiles
        ]
        played = self._session_played.get(profile.user_id, [])
        on_air = self.this_track()  # a face may have put it on: it is not the next one either
        if on_air is not None:
            played = [*played, on_air.track_id]
        recent = [p["track_id"] for p in self.store.recent_plays(profile.user_id, 3 * RECENT_PLAYS)]
        last = self._last_pick.get(profile.user_id)
        return Listener(
            preferences=profile.music_preferences,
            blocked=profile.blocked_genres,
            taste=self.taste_of(profile.user_id),
            friends=friends,
            target=moods.target_for(mood, now),
            mood=mood,
            trust=profile.trust_score,
            played=played,
            recent=recent,
            last_artist=last.track.artist if last else None,
            part=moods.part_of_day(now),
        )

    def nothing_to_play(self) -> str:
        """What to say when there is no track: "still reading your music" while a scan has
        not reached one yet (a first start with a large library), else that the library is empty."""
        library = self.library
        return self.lines.nothing_to_play(
            library is not None and library.scanning and not library.tracks()
        )

    def pick_for(
        self,
        profile: UserProfile,
        now: datetime,
        request: Request | None,
        *,
        asked_now: bool = False,
    ) -> Pick | None:
        """The next pick (``asked_now``: the listener makes ``request`` this turn)."""
        catalog = self.catalog()
        if catalog is None:
            return None
        promised = self.ahead.pop(profile.user_id, None)
        if (
            promised is not None
            and promised[0] == request
            and promised[1].track != self.this_track()
        ):
            pick: Pick | None = promised[1]  # "what's next" was answered with it
        else:
            pick = self.fresh_pick(catalog, profile, now, request, asked_now=asked_now)
        if pick is not None:
            self.keep(profile, pick)
        return pick

    def keep(self, profile: UserProfile, pick: Pick) -> None:
        """``pick`` is what plays next: remembered with its reasons, counted as heard."""
        self._picks[pick.track.track_id] = pick
        while len(self._picks) > RECENT_PLAYS:
            del self._picks[next(iter(self._picks))]
        self._last_pick[profile.user_id] = pick
        self._session_played.setdefault(profile.user_id, []).append(pick.track.track_id)
        if self.now_playing_from is None:  # else the player says when it starts
            self._play_alone(pick.track)

    def pick_track(self, profile: UserProfile, now: datetime) -> Track | None:
        """The next track for the listener, for what they last asked for (None: no library)."""
        pick = self.pick_for(profile, now, self.requests.get(profile.user_id))
        return pick.track if pick else None

    def next_track(self, user_id: str) -> Track | None:
        """What plays next for this listener (None without a library or with an empty one)."""

        def pick() -> Track | None:
            profile, _ = self.profile_for(user_id)
            return self.pick_track(profile, self._clock())

        self._catalog_ahead()
        with self._lock:
            return self._saving(user_id, pick)[0]

    def fresh_pick(
        self,
        catalog: Catalog,
        profile: UserProfile,
        now: datetime,
        request: Request | None,
        *,
        asked_now: bool = False,
    ) -> Pick | None:
        """The recommender's pick, never the track on air: when the request ran short and would
        give it again, the best pick without the request. A track the listener names this turn
        is what they get, even on air (it starts again): never another in its place."""
        pick = self._recommender.pick(catalog, self._listener(profile, now), request)
        named = asked_now and request is not None and bool(request.title)
        if named and pick is not None and pick.matched:
            return pick
        if pick is not None and request and pick.track == self.this_track():
            other = self._recommender.pick(catalog, self._listener(profile, now), None)
            if other is not None and other.track != pick.track:  # said honestly: ran short
                asked = request.genre or request.artist or request.album or request.title or ""
                pick = dataclasses.replace(other, reasons=(("ran_short", asked), *other.reasons))
        return pick

    def pick_ahead(self, profile: UserProfile, now: datetime) -> Track | None:
        """The next pick, chosen now and kept: the track that plays after this one (unless the
        listener asks for something else first)."""
        catalog = self.catalog()
        if catalog is None:
            return None
        request = self.requests.get(profile.user_id)
        promised = self.ahead.get(profile.user_id)
        stale = promised is not None and (
            promised[0] != request or promised[1].track == self.this_track()
        )  # asked for something else since, or it came on already
        if promised is None or stale:
            pick = self.fresh_pick(catalog, profile, now, request)
            if pick is None:
                return None
            promised = self.ahead[profile.user_id] = (request, pick)
        return promised[1].track

    def pick_of(self, user_id: str, track: Track) -> Pick | None:
        """Why ``track`` was picked (None: it was not the DJ's pick, or long ago)."""
        pick = self._picks.get(track.track_id)
        last = self._last_pick.get(user_id)
        return last if last is not None and last.track == track else pick

    def liked_artists(self, user_id: str, count: int = 3) -> list[str]:
        """Artists the listener's listening shows they like most, named as the library writes
        them (the taste keeps its keys case-folded)."""
        taste = self.taste_of(user_id)
        scored = [(taste.net("artist", key), key) for key in taste.by_kind.get("artist", {})]
        keys = [name for score, name in sorted(scored, reverse=True) if score > 1][:count]
        return [self.as_written("artist", key) or key for key in keys]

    def as_written(self, kind: str, name: str | None) -> str | None:
        """An artist, title or album ``name`` as heard (the understanding and the taste keep
        names case-folded) as the library writes it, for what the DJ says; else as it is."""
        catalog = self.catalog() if name else None
        if catalog is None or name is None:
            return name
        folded = name.casefold()
        for track in catalog.tracks:
            if getattr(track, kind).casefold() == folded:
                return str(getattr(track, kind))
        return name

    def last_pick(self, user_id: str) -> Pick | None:
        """The last pick for this listener, with the reasons behind it (for commentary)."""
        return self._last_pick.get(user_id)

    def commentary(self, user_id: str, previous: Track | None, pick: Pick) -> str:
        """Radio-style talk over the next track's intro: what played, what comes next, why
        (under the lock: it is remembered with the answers, which turns change too)."""
        with self._lock:
            return self.lines.commentary(previous, pick, moods.part_of_day(self._clock()))

    def last_played_by(self, user_id: str) -> Track | None:
        """The track the listener heard last, from the store's plays (None without a library)."""
        if self.library is None:
            return None
        for play in self.store.recent_plays(user_id, 1):
            return self.library.get(play["track_id"])
        return None

    def track_started(self, track: Track) -> None:
        """The player began ``track``: "what's playing" and "I love this" refer to it now, not
        to what was asked for before it; a track asked for after it is still on its way (two
        quick requests: the first one's start can come after the second was asked)."""
        with self._lock:
            if track in self._asked:
                del self._asked[: self._asked.index(track) + 1]
            else:  # something else began (what was asked could not play): it is "this"
                self._asked.clear()
            if self.now_playing_from is None:
                self._play_alone(track)

    def _play_alone(self, track: Track) -> None:
        """Alone, ``track`` stands for what plays now; the one before it is remembered."""
        if self._picked is not None and track != self._picked:
            self.played_before = self._picked
        self._picked = track

    def this_track(self) -> Track | None:
        """The track a listener means by "this": the one just asked for, else the one playing."""
        return self._asked[-1] if self._asked else self.now_playing

    @contextlib.contextmanager
    def one_breath(self) -> Iterator[Callable[[Reply], None]]:
        """While one utterance's requests are carried out: ``started(reply)`` makes the track a
        request starts "this" for the requests after it ("more like this, and what's next": the
        next is the one after the track "more like this" starts). The player learns of the
        whole turn's actions afterwards, as of any turn."""
        kept = list(self._asked)
        try:
            yield self._asked_for
        finally:
            if self.now_playing_from is not None:
                self._asked[:] = kept

    def _asked_for(self, reply: Reply) -> None:
        for action in reply.actions:
            track = action.track if isinstance(action, PlayTrack) else getattr(action, "then", None)
            if track is not None:
                if self.now_playing_from is not None:
                    self._asked.append(track)  # until the player says it started
                    del self._asked[:-RECENT_PLAYS]
                else:
                    self._play_alone(track)

    @property
    def now_playing(self) -> Track | None:
        """What plays now: the station's state when it runs the DJ, else the DJ's last pick."""
        if self.now_playing_from is not None:
            return self.now_playing_from()
        return self._picked

    def record_event(
        self,
        user_id: str,
        track_id: str,
        event: str,
        position: float | None = None,
        duration: float | None = None,
    ) -> None:
        """Learn from listening: ``event`` is completed, skipped, liked, disliked or replayed.

        ``position`` (seconds into the track) matters for skips: an early skip says more than a
        late one.
        """
        if event not in EVENTS:
            raise ValueError(f"unknown listening event {event!r}; expected one of {EVENTS}")
        with self._lock:
            track = self.library.get(track_id) if self.library is not None else None
            catalog = self._catalogs.current()
            if track is None and catalog is not None and track_id in catalog.index:
                track = catalog.tracks[catalog.index[track_id]]
            if track is None:
                # not in the library (any more): remember the event, learn about the track only
                track = Track(track_id=track_id, path="", title="", artist="")
            try:
                with self.store.transaction():
                    self.profile_for(user_id)
                    self.record(user_id, track, event, position, duration)
            except sqlite3.Error as error:  # the music goes on; this one event is not learned
                self._forget_stored(user_id)
                self._outage_began(error)
                log.warning(
                    "%s: a listening event (%s %s) was not saved: %s",
                    self.store.path,
                    event,
                    track_id,
                    error,
                )
                return
            self._saved_again()

    def learn_rows(self, user_id: str, rows: list[tuple[str, str, float, float]]) -> None:
        """Add evidence of taste (kind, key, for, against) to the store and to the taste."""
        self.store.add_taste(user_id, rows)
        self.taste_of(user_id).add(rows)

    def refine(self, user_id: str, side: str, direction: str) -> bool:
        """Move the picks as the listener asked, from what plays now, and remember it in their
        taste (see :func:`appliance.dj.taste.refinement`): "something slower" is ("tempo",
        "lower"), "older stuff" ("year", "lower"), "louder" music ("loudness", "higher"), "more
        like this" ("track", "more"), "less of that" ("track", "less"). False when there was
        nothing to do (no track to refer to) or it could not be saved."""
        with self._lock:
            taste = self.taste_of(user_id)
            part = moods.part_of_day(self._clock())
            rows = refinement(taste, side, direction, self.this_track(), self.genres, part)
            if not rows:
                return False
            try:
                with self.store.transaction():
                    self.profile_for(user_id)
                    self.learn_rows(user_id, rows)
            except sqlite3.Error as error:
                self._forget_stored(user_id)
                self._outage_began(error)
                log.warning("%s: a refinement was not saved: %s", self.store.path, error)
                return False
            self._saved_again()
            self.ahead.pop(user_id, None)  # the pick promised before no longer fits
            return True

    def record(
        self,
        user_id: str,
        track: Track,
        event: str,
        position: float | None = None,
        duration: float | None = None,
    ) -> None:
        """Learn from the listener's ``event`` on ``track`` (played, skipped at ``position``...)."""
        part = moods.part_of_day(self._clock())  # mornings and evenings are learned apart
        rows = evidence_for(track, event, self.genres, position, duration, part)
        rows += self.taste_of(user_id).verdict(track.track_id, event)  # a dislike rules it out
        with self.store.transaction():
            self.store.record_play(
                user_id, track.track_id, event, position, duration, self._clock()
            )
            self.store.add_taste(user_id, rows)
        self.taste_of(user_id).add(rows)
        played = self._session_played.setdefault(user_id, [])
        if track.track_id not in played:
            played.append(track.track_id)

    # -- the listener owns their data -------------------------------------------------------

    def export_profile(self, user_id: str) -> dict[str, Any] | None:
        """Everything the DJ keeps about a listener, as JSON-ready data (None if unknown)."""
        with self._lock:
            return self.store.export_user(user_id)

    def _forget_everyone(self) -> None:
        """Another process changed the store (a listener deleted their data while the service
        runs): nothing remembered from it may be written back."""
        for user_id in list(self._profiles) + list(self._tastes):
            self._forget_cached(user_id)

    def _forget_cached(self, user_id: str) -> None:
        """Drop what memory holds about a listener; the store has the truth."""
        for cache in (
            self._profiles,
            self._tastes,
            self.requests,
            self._session_played,
            self._last_pick,
            self.ahead,
            self.questions,
            self.done,
            self._history_counts,
            self.conversation_context,
        ):
            cache.pop(user_id, None)

    def delete_profile(self, user_id: str) -> bool:
        """Forget a listener for good; True when there was something to delete."""
        with self._lock:
            self._forget_cached(user_id)
            for profile in self._profiles.values():
                if user_id in profile.community_connections:
                    profile.community_connections.remove(user_id)
            return self.store.delete_user(user_id)
