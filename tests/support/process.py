"""What this test process itself uses, read from /proc."""

from __future__ import annotations

from pathlib import Path


def rss_mb() -> float:
    """This process's resident memory in MB (0.0 where /proc has no VmRSS)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0
