"""What every part of the DJ's answers shares: the answer itself, the listener as the DJ calls
them, a slot's one value, and the phrasebook at hand."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from appliance.dj.profile import UserProfile
from appliance.dj.reply import Action
from appliance.dj.talk import Talk

if TYPE_CHECKING:
    from appliance.dj.engine import PersonalizedDJ
    from appliance.dj.understand import Intent


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


def slot(intent: Intent, name: str) -> str | None:
    """A slot's value as one word or name (the first of several), None when not given."""
    value = intent.slots.get(name)
    if isinstance(value, tuple):
        value = value[0] if value else None
    return value if isinstance(value, str) and value else None


class Part:
    """One kind of answers (about the music, about the listener, follow-ups): each intent of
    ``KINDS`` is answered by the method of its name, (profile, intent, now) -> Answer."""

    KINDS: frozenset[str] = frozenset()

    def __init__(self, dj: PersonalizedDJ, talk: Talk) -> None:
        self.dj = dj
        self.talk = talk

    def _say(self, section: str, situation: str, **fields: object) -> str:
        return self.talk.phrase(section, situation, fields)
