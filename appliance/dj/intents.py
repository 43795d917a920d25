"""The names of what a listener can ask: one enum, so a handler table can be checked whole.

A StrEnum: each name is also its plain string ("play"), so intents parsed from the sentence
templates and comparisons with strings keep working.
"""

from __future__ import annotations

import enum


class IntentName(enum.StrEnum):
    """Every intent the understanding gives, in the order the grammar lists them."""

    PLAY = "play"
    SKIP = "skip"
    LIKE = "like"
    DISLIKE = "dislike"
    REPLAY = "replay"
    PAUSE = "pause"
    RESUME = "resume"
    STOP = "stop"
    VOLUME_UP = "volume_up"
    VOLUME_DOWN = "volume_down"
    SET_VOLUME = "set_volume"
    REFINE = "refine"  # "something slower", "older stuff": the picks move that way
    ROOM = "room"  # "play in the kitchen too", "which rooms are playing"
    WHATS_PLAYING = "whats_playing"
    ADD_PREFERENCE = "add_preference"
    REMOVE_PREFERENCE = "remove_preference"
    MOOD = "mood"
    COMMUNITY = "community"
    GREET = "greet"
    HELP = "help"
    IDENTIFY = "identify"
    CORRECT = "correct"
    CONFIRM = "confirm"
    DENY = "deny"
    # talking with the DJ: small talk, questions about the music and the listener, follow-ups
    THANKS = "thanks"
    BYE = "bye"
    HOW_ARE_YOU = "how_are_you"
    WHO_ARE_YOU = "who_are_you"
    DJ_OPINION = "dj_opinion"  # "do you like this song?": the DJ's own taste, nothing recorded
    COMPLIMENT = "compliment"
    COMPLAINT = "complaint"
    JOKE = "joke"
    FACT = "fact"
    TIME_LEFT = "time_left"
    WHATS_NEXT = "whats_next"
    WHATS_PREVIOUS = "whats_previous"
    WHY_THIS = "why_this"
    COUNT_SONGS = "count_songs"
    HAVE_ANY = "have_any"
    ABOUT_ME = "about_me"
    MY_LIKES = "my_likes"
    MY_MOOD = "my_mood"
    FORGET_PREFERENCE = "forget_preference"
    KNOWN_FOR = "known_for"
    MY_TRUST = "my_trust"
    MORE_LIKE = "more_like"
    PLAY_PREVIOUS = "play_previous"
    UNKNOWN = "unknown"
