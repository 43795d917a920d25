"""The DJ talks between tracks now and then: more with trust, never twice running, not at night."""

from __future__ import annotations

import random
from datetime import datetime, time
from itertools import pairwise

from appliance.commentary import CommentaryPolicy, in_quiet_hours

EVENING = datetime(2026, 5, 1, 19, 0)


def talks(policy: CommentaryPolicy, trust: float, changes: int = 2000) -> list[bool]:
    return [policy.should_talk(EVENING, trust) for _ in range(changes)]


def test_never_on_two_tracks_in_a_row() -> None:
    said = talks(CommentaryPolicy(1.0, rng=random.Random(1)), trust=1.0)
    assert any(said)
    assert not any(a and b for a, b in pairwise(said))


def test_more_often_with_trust() -> None:
    low = sum(talks(CommentaryPolicy(0.3, rng=random.Random(2)), trust=0.1))
    high = sum(talks(CommentaryPolicy(0.3, rng=random.Random(2)), trust=1.0))
    assert high > 1.5 * low > 0


def test_zero_frequency_is_silent() -> None:
    assert not any(talks(CommentaryPolicy(0.0, rng=random.Random(3)), trust=1.0))


def test_quiet_hours_wrap_past_midnight() -> None:
    quiet = (time(22, 0), time(7, 0))
    assert in_quiet_hours(datetime(2026, 5, 1, 23, 30), quiet)
    assert in_quiet_hours(datetime(2026, 5, 1, 6, 59), quiet)
    assert not in_quiet_hours(datetime(2026, 5, 1, 7, 0), quiet)
    assert not in_quiet_hours(EVENING, quiet)
    assert in_quiet_hours(datetime(2026, 5, 1, 13, 0), (time(12, 0), time(14, 0)))
    policy = CommentaryPolicy(1.0, quiet, rng=random.Random(4))
    assert not any(policy.should_talk(datetime(2026, 5, 1, 23, 0), 1.0) for _ in range(100))
