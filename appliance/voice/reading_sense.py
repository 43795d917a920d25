"""How the DJ's understanding reads a recogniser's readings, for the recognisers that choose
among several (Whisper's beam, pocketsphinx's n-best): the callbacks the station hands them, and
safe calls of them. A recogniser module must not import the DJ, and a failing callback costs the
choice of a reading, never the command."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Hashable

from appliance.voice.stt import normalise

log = logging.getLogger("appliance.voice.reading_sense")

Judge = Callable[[str], float]
"""How sure the understanding is that a text is a request it can act on: 0 when it is none,
1 when a template says it word for word. The station passes the DJ's."""
Meaning = Callable[[str], Hashable | None]
"""What a text asks for as the understanding reads it (its requests and their slots, any
hashable form), None when nothing: readings that mean the same agree (the station passes the
DJ's)."""


def judged(judge: Judge, text: str) -> float:
    """The judge's verdict on ``text`` in 0..1, 0 when it fails or the text is empty."""
    if not normalise(text):
        return 0.0
    try:
        verdict = float(judge(text))
    except Exception:
        log.exception("could not judge %r", text)
        return 0.0
    return max(0.0, min(1.0, verdict)) if math.isfinite(verdict) else 0.0


def meaning_of(meaning: Meaning, text: str) -> Hashable | None:
    """What ``text`` means, None when the meaning fails."""
    try:
        return meaning(text)
    except Exception:
        log.exception("could not read the meaning of %r", text)
        return None
