"""When the DJ talks between tracks.

Radio style, now and then: more often for a listener the DJ knows well, never on two tracks in a
row (so never on every track), never during quiet hours, and not at all when the frequency is 0.
"""

from __future__ import annotations

import random
from datetime import datetime, time


def in_quiet_hours(now: datetime, quiet: tuple[time, time] | None) -> bool:
    """True inside ``quiet`` = (start, end); a span like 22:00-07:00 wraps past midnight."""
    if quiet is None:
        return False
    start, end = quiet
    moment = now.time()
    if start <= end:
        return start <= moment < end
    return moment >= start or moment < end


class CommentaryPolicy:
    """Decides, track by track, whether the DJ talks over the next intro."""

    def __init__(
        self,
        frequency: float,
        quiet_hours: tuple[time, time] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.frequency = max(0.0, min(1.0, frequency))
        self.quiet_hours = quiet_hours
        self.rng = rng or random.Random()
        self._talked_last = False

    def chance(self, trust: float) -> float:
        """The chance of talking at one track change: the configured frequency, scaled from
        half (a newcomer) to one and a half times (a best friend), at most 90 %."""
        return min(0.9, self.frequency * (0.5 + max(0.0, min(1.0, trust))))

    def should_talk(self, now: datetime, trust: float) -> bool:
        """Ask once per track change."""
        talk = (
            self.frequency > 0
            and not self._talked_last
            and not in_quiet_hours(now, self.quiet_hours)
            and self.rng.random() < self.chance(trust)
        )
        self._talked_last = talk
        return talk
