"""Fault injection and fuzzing: short in `make test`, long in `make fuzz`.

Hypothesis runs a few dozen examples per property by default; `QFZZ_FUZZ=long` (what `make
fuzz` sets) runs thousands and lets each take its time. Fault-injection tests read
``fuzz_rounds()`` for how many kills, full disks or hostile files to try.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

LONG = os.environ.get("QFZZ_FUZZ") == "long"

settings.register_profile(
    "short",
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    derandomize=True,
)
settings.register_profile(
    "long",
    max_examples=3000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.load_profile("long" if LONG else "short")


def fuzz_rounds(short: int, long: int) -> int:
    """How many rounds a fault-injection test runs: few in `make test`, many in `make fuzz`."""
    return long if LONG else short


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MB tmpfs: a disk that fills up. Skips where mounting is not allowed (not root)."""
    from tests.support.disks import mounted_tmpfs

    with mounted_tmpfs(tmp_path / "disk", size="2m") as root:
        yield root
