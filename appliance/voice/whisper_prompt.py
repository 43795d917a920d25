"""What the daemon puts in Whisper's prompt: the commands people say most, in their plainest
words, and the names it should spell (listeners first, then some of the library).

Chosen by hand, not taken from the templates' expansions, whose first sentences include rare
forms ("set it six", "i've loved art rock") and left out "put on": with "Pause." first and no
"Put on", an en-gb "put on some rock music" came out "Pause on some rock music."
"""

from __future__ import annotations

from collections.abc import Sequence

PROMPT_COMMANDS: tuple[str, ...] = (
    "play some jazz", "skip", "pause", "stop", "resume", "louder", "quieter",
    "put on some rock music", "skip this song", "next song", "stop the music", "turn it up",
    "turn it down", "set the volume to fifty", "what's playing", "i love this song",
    "i don't like this song", "play that again", "i'm feeling happy", "what can you do", "yes",
    "no", "hello",
)  # fmt: skip
"""Most common first: the prompt keeps as many as fit its commands' share."""
LIBRARY_NAMES = 30
"""Library names offered at most: a large library must not crowd out the listeners' names."""


def prompt_vocabulary(
    listeners: Sequence[str], library: Sequence[str]
) -> tuple[list[str], list[str]]:
    """(command sentences, names) for :class:`~appliance.voice.stt_whisper.WhisperRecognizer`:
    the listeners' names before the library's, which are capped at :data:`LIBRARY_NAMES`."""
    return list(PROMPT_COMMANDS), [*listeners, *library[:LIBRARY_NAMES]]
