"""What the DJ says: short, warm, spoken lines, chosen to fit the listener and the moment.

Every reply here is meant to be heard through a speaker, so lines stay short, avoid symbols, and
name things the way a radio host would. The tone follows trust: the DJ asks exploratory questions
while it is still learning someone, and makes confident picks for a close friend.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import timedelta

from appliance.dj.pool import LinePool
from appliance.dj.recommend import DIRECTIONS, Pick
from appliance.dj.talk import Phrasebook, Talk, load_phrasebook
from appliance.library.track import Track

MOOD_WORDS = {
    "energetic": "energetic",
    "happy": "happy",
    "calm": "calm",
    "sad": "quiet",
    "focused": "focused",
    "romantic": "romantic",
    "angry": "fiery",
}


class _MoodReplies(Mapping[str, tuple[str, ...]]):
    """The phrasings of the reply to each mood (sentences/talk.yaml, ``lines``: ``mood_<mood>``;
    the first is the product guide's)."""

    def __getitem__(self, mood: str) -> tuple[str, ...]:
        found = load_phrasebook().lines("lines", f"mood_{mood}")
        if not found:
            raise KeyError(mood)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(MOOD_WORDS)

    def __len__(self) -> int:
        return len(MOOD_WORDS)


MOOD_REPLIES: Mapping[str, tuple[str, ...]] = _MoodReplies()

SAID_SLOTS = ("genre", "artist", "title", "album", "mood", "activity", "query")
"""Slots a confirmation question names, in this order of preference."""


def join_words(words: Sequence[str], conjunction: str = "and") -> str:
    """ "jazz", "jazz and soul", "jazz, soul and funk"."""
    items = list(words)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def _said(value: object) -> str:
    """A slot's value as words: several values joined ("rock and jazz")."""
    if isinstance(value, tuple):
        return join_words([str(v) for v in value if v])
    return value if isinstance(value, str) else ""


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word if count == 1 else many or word + 's'}"


def known_for(age: timedelta) -> str | None:
    """How long the DJ and the listener have known each other, or None for under a day."""
    days = age.days
    if days < 1:
        return None
    if days < 14:
        return plural(days, "day")
    if days < 60:
        return plural(days // 7, "week")
    if days < 730:
        return plural(days // 30, "month")
    return plural(days // 365, "year")


class Lines:
    """The DJ's phrasebook; ``rng`` picks among alternatives so the DJ does not sound canned,
    and the pool keeps a sentence from coming back within its last answers (the phrasings are
    data: sentences/talk.yaml, section ``lines``)."""

    def __init__(self, dj_name: str, station: str, rng: random.Random) -> None:
        self.dj_name = dj_name
        self.station = station
        self.rng = rng
        self.pool = LinePool(rng)
        self.talk = Talk(self.pool)

    def spoken(self, text: str, reword: bool = True, notice: str = "") -> str:
        """``text`` as the DJ says it now, one answer, remembered as said: its sentences said in
        the last answers left out (see :meth:`LinePool.said_less`); when every one was, and it
        answers a fact asked again (``reword``), one put another way, a last resort (see
        :meth:`LinePool.reword`). ``notice`` (that nothing can be saved) follows whole: it was
        chosen fresh, and it must be heard at each outage."""
        text = self.pool.said_less(text)
        if reword and self.pool.recent(text):
            book = self.talk.book
            text = self.pool.reword(
                text, book.lines("lines", "said_again"), book.lines("lines", "asked_again")
            )
        text = f"{text} {notice}" if notice else text
        self.pool.said(text)
        return text

    def _line(self, situation: str, **fields: object) -> str:
        """The usual phrasing of one of the everyday lines, or another when it was said lately."""
        return self.talk.say("lines", situation, shuffle=False, **fields)

    # -- greetings -------------------------------------------------------------------------

    def welcome(self, name: str) -> str:
        """A newcomer's welcome (``name`` empty: the DJ knows no name to call them by)."""
        return self._line("welcome", name=name or "there", dj=self.dj_name, station=self.station)

    def welcome_back(
        self, name: str, turns: int, age: timedelta, favourites: Sequence[str], mood: str | None
    ) -> str:
        """For someone the DJ has met before: how many times they have talked to it, in the
        product guide's words (it calls each of the listener's turns a session: 50 messages,
        "We've shared 50 sessions together"), how long it has known them, then their taste or
        mood. Spoken answers about the listener count visits instead (see answers.py)."""
        parts = [self._line("welcome_back", name=name)]  # the guide's words first
        if turns > 0:
            parts.append(self._line("shared_sessions", sessions=plural(turns, "session")))
        duration = known_for(age)
        if duration:
            parts.append(self._line("known_since", duration=duration))
        elif age >= timedelta(hours=1):
            hours = plural(int(age.total_seconds() // 3600), "hour")
            parts.append(self._line("met_hours", hours=hours))
        else:
            parts.append(self._line("met_moment"))
        if favourites:
            parts.append(self._line("still_into", liked=join_words(favourites[:3], "or")))
        elif mood:
            parts.append(self._line("still_feeling", mood=MOOD_WORDS.get(mood, mood)))
        else:
            parts.append(self._line("whats_the_vibe"))
        return " ".join(parts)

    def cannot_remember(self) -> str:
        """Said once when turns cannot be saved (full disk, a locked or damaged database)."""
        return self._line("cannot_remember")

    # -- recommendations -------------------------------------------------------------------

    def learning(self) -> str:
        return (
            "I'm learning your taste! Let's start with something smooth. "
            "Tell me what genres you're into?"
        )

    def trust_me(self) -> str:
        return "You know I've got you. Let me play something special for you."

    def based_on_taste(self, preferences: Sequence[str], mood: str | None, confident: bool) -> str:
        taste = ", ".join(preferences[:3])
        if mood:
            line = (
                f"Based on your taste for {taste}, and your {MOOD_WORDS.get(mood, mood)} vibe, "
                "here's a perfect track!"
            )
        else:
            line = f"Based on your taste for {taste}, I've got the perfect track queued up!"
        if confident:
            line += " Let me play something special for you."
        return line

    def propose(self, pick: Pick, part_of_day: str, exploring: bool, confident: bool) -> str:
        """Name a real track and say why it fits."""
        track = pick.track
        reasons = dict(pick.reasons)
        if reasons.get("ran_short"):  # all there is of it has just played: the nearest
            return self.talk.say(
                "follow", "ran_short", genre=reasons["ran_short"], track=track.describe()
            )
        if not pick.matched:
            return self.closest(pick)
        genre = reasons.get("genre") or (track.genres[0] if track.genres else "")
        mood = reasons.get("mood")
        mood_word = MOOD_WORDS.get(mood, mood) if mood else ""
        setting = f"your {mood_word} {part_of_day}" if mood_word else f"your {part_of_day}"
        if "artist" in reasons or "title" in reasons or "album" in reasons:
            situation = "playing_asked"
        else:
            situation = "playing_genre" if genre else "playing"
        line = self._line(situation, track=track.describe(), genre=genre, setting=setting)
        if "friend" in reasons:
            line += f" Your friend {reasons['friend']} loved this one."
        elif because(pick) and reasons.get("asked") != genre:  # not "some jazz. Jazz, like.."
            line += f" {because(pick).capitalize()}."
        if exploring:
            line += " " + self.talk.say("lines", "exploring")
        elif confident:
            line += " " + self.talk.say("lines", "confident")
        return line

    def closest(self, pick: Pick) -> str:
        asked = next(
            (
                detail if kind == "genre" else detail.title()
                for kind, detail in pick.reasons
                if kind in ("genre", "artist", "title", "album", "query")
            ),
            "",
        )
        return self._line("closest", asked=asked or "that", track=pick.track.describe())

    def nothing_to_play(self, scanning: bool = False) -> str:
        """No track to play: the library is empty, or still being read at a first start."""
        return self._line("still_reading" if scanning else "nothing_to_play")

    # -- conversation ----------------------------------------------------------------------

    def mood(self, mood: str) -> str:
        return self._line(f"mood_{mood}" if mood in MOOD_WORDS else "mood_other")

    def community(self, size: int, friends: Sequence[str]) -> str:
        if size == 0:
            return self._line("community_none")
        line = self._line("community", size=plural(size, "music lover"))
        if friends:
            line += " " + self._line("community_friends", friends=join_words(friends[:4]))
        return line

    def help(self) -> str:
        return self._line("help")

    def unknown(self) -> str:
        return self.talk.say("lines", "unknown")

    def now_playing(self, track: Track | None) -> str:
        if track is None:
            return self._nothing_playing()
        line = f"This is {track.describe()}"
        if track.album:
            line += f", from {track.album}"
        line += "."
        if self.pool.recent(line):
            line = self.pool.choose((f"Still {track.describe()}.", f"It's {track.describe()}."))
        else:
            self.pool.choose((line,))
        return line

    def _nothing_playing(self) -> str:
        return self.pool.choose(self.talk.book.talk.get("nothing_playing", {}).get("any", ()))

    def liked(self, track: Track | None) -> str:
        if track is None:
            return self._line("liked")
        return self._line("liked_track", track=track.describe())

    def disliked(self, nxt: Track | None) -> str:
        line = self._line("disliked")
        return line + (" " + self._line("try_next", track=nxt.describe()) if nxt else "")

    def skipping(self, nxt: Track | None, ran_short: str = "") -> str:
        if nxt is None:
            return self._line("skipping_nothing")
        if ran_short:  # "that's all the jazz I have; here's something close"
            return self.talk.say("follow", "ran_short", genre=ran_short, track=nxt.describe())
        return self._line("skipping", track=nxt.describe())

    def refined(self, side: str, direction: str, before: Track | None, after: Track | None) -> str:
        """A refinement said from what really changed: the word asked for, the track now
        chosen and, when both tracks tell it, how it differs ("96 BPM after 128")."""
        if side == "track":
            if after is None:
                return self._line("refined_nothing")
            return self._line("refined_less", track=after.describe())
        word = DIRECTIONS[side][direction == "higher"]
        if after is None:
            return self._line("refined_later", word=word.capitalize())
        change = difference(side, direction, before, after)
        return self._line(
            "refined",
            word=word.capitalize(),
            lower=word,
            track=after.describe(),
            change=f", {change}" if change else "",
        )

    def replay(self, track: Track | None) -> str:
        if track is None:
            return self._line("replay_none")
        return self._line("replay", track=track.describe())

    def paused(self) -> str:
        return self._line("paused")

    def resumed(self) -> str:
        return self._line("resumed")

    def stopped(self) -> str:
        return self._line("stopped")

    def volume(self, direction: str | None, level: int | None = None) -> str:
        if level is not None:
            return self._line("volume_level", level=level)
        return self._line("volume_up" if direction == "up" else "volume_down")

    def preference_added(self, genre: str) -> str:
        return self._line("preference_added", value=genre)

    def preference_removed(self, genre: str) -> str:
        return self._line("preference_removed", value=genre)

    def switched(self, name: str, new: bool) -> str:
        return self._line("switched_new" if new else "switched", name=name, dj=self.dj_name)

    # -- asking before acting ----------------------------------------------------------------

    def check(self, intent: str, slots: Mapping[str, object], heard: str) -> str:
        """A short question instead of an action the DJ is unsure it heard."""
        said = (_said(slots.get(k)) for k in SAID_SLOTS)
        value = next((words for words in said if words), "")
        situation = f"check_{intent}"
        if not self.talk.book.lines("lines", situation) or (intent == "correct" and not value):
            return self._line("check_heard", heard=heard)
        value = value or {"remove_preference": "of that", "play": "something"}.get(intent, "that")
        return self._line(situation, value=value, level=slots.get("level"))

    def again_or_before(self, before: str) -> str:
        """Which of two tracks "the last song again" means: the one on air, or ``before`` (the
        one before it, named)."""
        return self._line("check_again_or_before", before=before)

    def dropped(self) -> str:
        return self._line("dropped")

    def nothing_asked(self) -> str:
        return self._line("nothing_asked")

    def no_nothing_asked(self) -> str:
        """A "no" when nothing was asked and nothing points at a track: a plain okay."""
        return self._line("no_nothing_asked")

    def then_also(self, genre: str) -> str:
        return self._line("then_also", genre=genre)

    # -- between tracks --------------------------------------------------------------------

    def commentary(self, previous: Track | None, pick: Pick, part_of_day: str) -> str:
        """Radio-style talk over the intro of the next track: what played, what's next, why."""
        reasons = dict(pick.reasons)
        parts = []
        if previous is not None:
            parts.append(self._line("commentary_that_was", track=previous.describe()))
        parts.append(self._line("commentary_next", track=pick.track.describe()))
        if "friend" in reasons:
            parts.append(self._line("commentary_friend", friend=reasons["friend"]))
        elif "mood" in reasons:
            mood = MOOD_WORDS.get(reasons["mood"], reasons["mood"])
            parts.append(self._line("commentary_mood", mood=mood, part=part_of_day))
        elif because(pick):
            parts.append(f"{because(pick).capitalize()}.")
        elif "genre" in reasons:
            parts.append(self._line("commentary_genre", genre=reasons["genre"]))
        elif "new" in reasons:
            parts.append(self._line("commentary_new"))
        return self.spoken(" ".join(parts))  # said between answers: one of the last lines


def difference(side: str, direction: str, before: Track | None, after: Track) -> str:
    """How ``after`` differs from ``before`` on ``side``, in words; empty unless both tracks
    know it and ``after`` really lies the way asked."""
    if before is None:
        return ""
    was, now = getattr(before, FEATURES[side]), getattr(after, FEATURES[side])
    if was is None or now is None or (now > was) != (direction == "higher") or now == was:
        return ""
    if side == "tempo":
        return f"{now:.0f} BPM after {was:.0f}"
    if side == "year":
        return f"from {now}, after {was}"
    if side == "loudness":
        return f"{abs(now - was):.0f} dB {'louder' if now > was else 'quieter'} than the last"
    return f"{'more' if now > was else 'less'} energetic than the last"


FEATURES = {"tempo": "bpm", "energy": "energy", "loudness": "loudness", "year": "year"}
"""The track's field each refinable side reads."""


def because(pick: Pick) -> str:
    """The side of the learned taste that weighed most for a pick, in words ("slower, like
    you've been skipping to lately"); empty when no learned side stood out."""
    asked = [detail for kind, detail in pick.reasons if kind == "asked" and detail]
    if asked:  # what the listener asked for leads: "slower, like you asked"
        return f"{join_words(asked)}, like you asked"
    if pick.top is None:
        return ""
    kind, detail = pick.top
    if kind == "tempo" and not detail:  # no skips to be slower or faster than
        return "at the tempo you like"
    if not detail:
        return ""
    if kind == "tempo":
        return f"{detail}, like you've been skipping to lately"
    if kind in ("energy", "year", "length"):
        return f"{detail}, the way you've been listening lately"
    if kind in ("genre_tempo", "genre_energy"):
        return f"{detail}, the way you like it"
    if kind == "artist":  # the taste keeps names case-folded: said as the track writes it
        return f"more {_as_written(detail, pick.track.artist)}, they've gone down well with you"
    if kind == "album":
        return f"more from {_as_written(detail, pick.track.album)}, you've been enjoying it"
    if kind == "genre":
        return f"more {detail}, the way you like it"
    return "one you loved before"


def _as_written(name: str, written: str) -> str:
    """``name`` as ``written`` spells it when they are the same name."""
    return written if written and written.casefold() == name.casefold() else name


FREQUENT_LINES = (
    "skipping",
    "skipping_nothing",
    "paused",
    "resumed",
    "volume_up",
    "volume_down",
    "stopped",
    "liked",
    "disliked",
    "dropped",
    "nothing_asked",
    "replay_none",
)
"""The everyday lines said most often (sentences/talk.yaml, section ``lines``), commonest first."""

_SENTENCE_END = re.compile(r"[.!?]")


def fixed_openings(book: Phrasebook | None = None) -> tuple[str, ...]:
    """What the commonest replies open with, the same words every time, for the DJ's voice to
    make ahead (see ``PiperSpeech.warm``): each phrasing of :data:`FREQUENT_LINES` and of the
    mood replies, up to its first field cut back to the end of a sentence ("Skipping. Here's
    {track}." opens with "Skipping."). The everyday lines come first, the usual phrasings
    before the others, then the mood replies."""
    book = book or load_phrasebook()
    openings: dict[str, None] = {}
    for choices in (
        [book.lines("lines", situation) for situation in FREQUENT_LINES],
        list(MOOD_REPLIES.values()),
    ):
        for rank in range(max(len(options) for options in choices)):
            for options in choices:
                if rank < len(options):
                    text = options[rank].split("{", 1)
                    fixed = text[0] if len(text) == 1 else _before_last_end(text[0])
                    if fixed.strip():
                        openings.setdefault(fixed.strip())
    return tuple(openings)


def _before_last_end(text: str) -> str:
    ends = [match.end() for match in _SENTENCE_END.finditer(text)]
    return text[: ends[-1]] if ends else ""
