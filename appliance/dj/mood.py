"""Moods, what they ask of the music, and how activities and the time of day suggest them.

A mood steers the pick through a target energy (0..1) and tempo (BPM), and a few genres that
usually suit it. A stated mood lasts a few hours; without one, the time of day sets a gentle
default (brighter mornings, calmer nights).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

MOOD_LIFETIME = timedelta(hours=4)


@dataclass(frozen=True)
class MoodTarget:
    """What a mood asks of the music."""

    energy: float
    bpm: float
    genres: tuple[str, ...] = ()


MOOD_TARGETS: dict[str, MoodTarget] = {
    "energetic": MoodTarget(0.85, 128, ("electronic", "dance pop", "hip hop", "rock", "funk")),
    "happy": MoodTarget(0.7, 116, ("pop", "funk", "soul", "disco", "reggae", "latin")),
    "calm": MoodTarget(0.3, 84, ("ambient", "downtempo", "jazz", "classical", "acoustic", "lo-fi")),
    "sad": MoodTarget(0.25, 74, ("blues", "soul", "acoustic", "singer-songwriter", "classical")),
    "focused": MoodTarget(0.4, 96, ("ambient", "classical", "lo-fi", "post rock", "idm")),
    "romantic": MoodTarget(0.35, 82, ("r&b", "soul", "jazz", "bossa nova", "neo soul")),
    "angry": MoodTarget(0.92, 140, ("metal", "punk", "hard rock", "drum and bass", "hip hop")),
}

# What each activity the DJ understands usually means for the music.
ACTIVITY_MOODS: dict[str, str] = {
    "workout": "energetic",
    "running": "energetic",
    "cleaning": "energetic",
    "party": "happy",
    "cooking": "happy",
    "driving": "happy",
    "morning": "happy",
    "work": "focused",
    "study": "focused",
    "reading": "focused",
    "dinner": "romantic",
    "relax": "calm",
    "sleep": "calm",
    "meditation": "calm",
}


def mood_for_activity(activity: str | None) -> str | None:
    """The mood an activity suggests ("workout" -> "energetic"), or None."""
    return ACTIVITY_MOODS.get(activity or "")


def part_of_day(when: datetime) -> str:
    """morning (5-12), afternoon (12-17), evening (17-22) or night."""
    hour = when.hour
    if 5 <= hour < 12:
        return "morning"
    if 12 <= hour < 17:
        return "afternoon"
    if 17 <= hour < 22:
        return "evening"
    return "night"


# Without a stated mood, the time of day suggests a target.
DAYTIME_TARGETS: dict[str, MoodTarget] = {
    "morning": MoodTarget(0.6, 110),
    "afternoon": MoodTarget(0.6, 112),
    "evening": MoodTarget(0.45, 98),
    "night": MoodTarget(0.3, 86),
}


def target_for(mood: str | None, when: datetime) -> MoodTarget:
    """The target for a mood, or the time of day's when there is none."""
    return MOOD_TARGETS.get(mood or "") or DAYTIME_TARGETS[part_of_day(when)]


def mood_is_current(set_at: datetime | None, now: datetime) -> bool:
    """A stated mood counts for :data:`MOOD_LIFETIME` after it was said."""
    return set_at is not None and now - set_at <= MOOD_LIFETIME
