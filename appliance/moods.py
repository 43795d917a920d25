"""The moods the station knows, by name: the vocabulary every face offers and every command
carries (the DJ's :data:`appliance.dj.mood.MOOD_TARGETS` says what each asks of the music)."""

from __future__ import annotations

MOODS: tuple[str, ...] = ("energetic", "happy", "calm", "sad", "focused", "romantic", "angry")
