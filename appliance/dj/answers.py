"""The DJ's conversation: small talk, questions about the music and about the listener, and
follow-ups, each answered by a part of its own (answers_music.py, answers_me.py, follow_ups.py)
from the truth; what a follow-on turn ("what about house") carries on from the turn before; the
greetings of a sitting. The words come from sentences/talk.yaml.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime
from typing import TYPE_CHECKING

from appliance.dj import mood as moods
from appliance.dj.answering import Answer, Part, spoken_name
from appliance.dj.answers_me import ABOUT_ME, ListenerAnswers
from appliance.dj.answers_music import QUESTIONS, MusicAnswers
from appliance.dj.follow_ups import FOLLOW_UPS, FollowUps
from appliance.dj.profile import UserProfile
from appliance.dj.talk import SMALL_TALK, Talk

if TYPE_CHECKING:
    from appliance.dj.engine import PersonalizedDJ
    from appliance.dj.understand import Intent

__all__ = ["FACTUAL", "HANDLED", "Answer", "Conversation", "spoken_name"]

FACTUAL = (QUESTIONS | ABOUT_ME | {"whats_playing"}) - {"forget_preference"}
"""Questions answered with a fact: asked again, the fact may be said again in other words
("It's from 1959, like I said."); small talk, jokes and a "no" never are."""
HANDLED = SMALL_TALK | QUESTIONS | ABOUT_ME | FOLLOW_UPS
"""Intents answered here (the DJ's engine hands them over)."""

PARTS: tuple[type[Part], ...] = (MusicAnswers, ListenerAnswers, FollowUps)
"""The parts that answer the intents of HANDLED other than small talk."""

FOLLOW_ON = re.compile(r"^(?:(?:and|so|okay|ok|then)\s+)?(?:(?:what|how)\s+about|and)\b")
"""A turn that carries the last question on to something else ("what about house", "and
rock"): after "how many jazz songs do you have" it asks the same of house, it plays nothing."""

PLAY_WORDS = re.compile(
    r"\b(?:play|playing|put|putting|stick|spin|give|hear|listen|start|queue|throw|blast)\b"
)
"""Words that make a follow-on a request to play ("and play some rock"), not a bare name."""

CARRIED_ON = frozenset({"count_songs", "have_any"})
"""Questions a follow-on turn asks again of what it names."""


class Conversation:
    """Answers the intents in HANDLED for one DJ (it reads the DJ's state; it changes only the
    listener's preferences when asked to forget one, and what plays through actions)."""

    def __init__(self, dj: PersonalizedDJ, talk: Talk) -> None:
        self.dj = dj
        self.talk = talk
        self.music = MusicAnswers(dj, talk)
        self.me = ListenerAnswers(dj, talk)
        self.follow = FollowUps(dj, talk)
        self._greeted: dict[str, tuple[int, int]] = {}  # listener -> (session, hellos in it)
        self._question: dict[str, str] = {}  # listener -> a question of CARRIED_ON, last turn
        self._parts: dict[str, Part] = {
            kind: part for part in (self.music, self.me, self.follow) for kind in part.KINDS
        }

    @staticmethod
    def handles(kind: str) -> bool:
        """Whether one of the parts has the method that answers ``kind``."""
        return any(kind in part.KINDS and callable(getattr(part, kind, None)) for part in PARTS)

    def answer(self, profile: UserProfile, intent: Intent, now: datetime) -> Answer:
        """The answer to one of HANDLED."""
        kind = intent.name
        thing = intent.slots.get("genre") or intent.slots.get("artist")
        if kind == "dj_opinion" and isinstance(thing, str):  # "do you like jazz": its taste
            return Answer(self._small_talk(profile, "taste_opinion", now, thing=thing))
        if kind in SMALL_TALK:
            return Answer(self._small_talk(profile, kind, now))
        handler = getattr(self._parts[kind], kind)
        answer: Answer = handler(profile, intent, now)
        return answer

    def carried_on(self, user_id: str, intent: Intent) -> Intent:
        """``intent`` as meant after the turn before: a request to play a genre or an artist put
        as a follow-on ("what about house") right after a count or a "do you have" is that
        question again, of what it names (only a bare name: "and play some rock" plays).
        Remembers this turn's question for the next."""
        self.music.new_turn(user_id)
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
