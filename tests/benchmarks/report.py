"""How benchmarks report: print a figure table and keep it as JSON in .bench/<name>.json.

Benchmarks run with `make bench` (files named bench_*.py); their figures go into the notes of the
work they measure, so each one states what it measured, on how much, and the median of runs.
"""

from __future__ import annotations

import json
import platform
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parents[2] / ".bench"


def percentile(values: Sequence[float], fraction: float) -> float:
    """The value below which ``fraction`` of ``values`` lie (nearest rank)."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def timed(func: Callable[[], Any], runs: int = 5) -> list[float]:
    """Wall-clock seconds of ``runs`` calls of ``func``."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        func()
        times.append(time.perf_counter() - started)
    return times


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def record(name: str, figures: dict[str, Any]) -> dict[str, Any]:
    """Print ``figures`` and write them, with the machine they were measured on, to JSON."""
    RESULTS.mkdir(exist_ok=True)
    payload = {
        "benchmark": name,
        "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
        "python": platform.python_version(),
        "figures": figures,
    }
    (RESULTS / f"{name}.json").write_text(json.dumps(payload, indent=2) + "\n")
    width = max(len(key) for key in figures) if figures else 0
    print(f"\n== {name}")
    for key, value in figures.items():
        shown = f"{value:.4g}" if isinstance(value, float) else value
        print(f"  {key:<{width}}  {shown}")
    return payload
