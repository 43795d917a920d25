"""What the understanding gives back (:class:`Intent`) and the names it knows without a library.

Kept apart from the steps that find intents so that every step, and every caller, shares one
vocabulary of intents, moods and activities.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from appliance.dj.intents import IntentName

MOODS: tuple[str, ...] = ("energetic", "happy", "calm", "sad", "focused", "romantic", "angry")
ACTIVITIES: tuple[str, ...] = (
    "workout",
    "running",
    "work",
    "study",
    "reading",
    "cooking",
    "dinner",
    "party",
    "relax",
    "sleep",
    "driving",
    "cleaning",
    "meditation",
    "morning",
)
INTENTS: tuple[str, ...] = tuple(IntentName)
TALK_INTENTS = frozenset(INTENTS[INTENTS.index("thanks") : INTENTS.index("unknown")])
"""Talk with the DJ rather than requests for music: questions, small talk, follow-ups."""

QUESTION_INTENTS = frozenset(
    {"whats_playing", "whats_next", "whats_previous", "why_this", "count_songs", "have_any"}
    | {"time_left", "about_me", "my_likes", "my_mood", "known_for", "my_trust"}
)
"""Questions about the music or the listener: answered, never acted on, so a doubt that keeps
a command from being acted on weighs less on them."""

# What a listener says most (the music's controls): the recogniser's language model leans their way
COMMAND_INTENTS = (
    IntentName.PLAY, IntentName.SKIP, IntentName.LIKE, IntentName.DISLIKE, IntentName.REPLAY,
    IntentName.PAUSE, IntentName.RESUME, IntentName.STOP, IntentName.VOLUME_UP,
    IntentName.VOLUME_DOWN, IntentName.SET_VOLUME, IntentName.WHATS_PLAYING, IntentName.MOOD,
    IntentName.ADD_PREFERENCE,
)  # fmt: skip
TEMPLATE_INTENTS: tuple[str, ...] = tuple(name for name in INTENTS if name != "unknown")

Slot = str | int | tuple[str, ...]


@dataclass(frozen=True)
class Intent:
    """What one utterance asks for."""

    name: str
    """One of INTENTS."""
    slots: dict[str, Slot] = field(default_factory=dict)
    """Lower-case strings; set_volume's "level" is an int 0..100; several values of one slot
    ("rock and jazz") are a tuple of strings in the order said."""
    text: str = ""
    """The utterance as understood (normalised, slips mended)."""
    also: tuple[Intent, ...] = ()
    """Further requests said in the same breath, in order ("i hate this, next": dislike, then
    skip in ``also``)."""
    confidence: float = field(default=1.0, compare=False)
    """How sure the understanding is, 0..1: 1 for a template matched word for word, less for
    mended words, loose templates and the model's guesses."""

    def each(self) -> tuple[Intent, ...]:
        """This intent and those in ``also``, in the order said."""
        return (self, *self.also)

    def as_json(self) -> dict[str, Any]:
        """``{"intent": ..., "slots": {...}}``; several values of a slot are a list, and further
        requests of the same utterance come in ``"also"`` (a list of the same form)."""
        found: dict[str, Any] = {
            "intent": self.name,
            "slots": {k: list(v) if isinstance(v, tuple) else v for k, v in self.slots.items()},
        }
        if self.also:
            found["also"] = [intent.as_json() for intent in self.also]
        return found


@dataclass(frozen=True)
class Vocabulary:
    """Names from the music library, as the library spells them."""

    artists: tuple[str, ...] = ()
    albums: tuple[str, ...] = ()
    titles: tuple[str, ...] = ()

    @classmethod
    def of(cls, library: Any) -> Vocabulary:
        """The names in ``library`` (an :class:`appliance.library.Library`)."""
        return cls(
            artists=tuple(library.artists()),
            albums=tuple(library.albums()),
            titles=tuple(library.titles()),
        )


def copy_intent(intent: Intent) -> Intent:
    """An independent copy (a cache keeps the original)."""
    return Intent(
        intent.name,
        dict(intent.slots),
        intent.text,
        tuple(copy_intent(other) for other in intent.also),
        intent.confidence,
    )
