"""The station's memory over typed requests and skips from a face, in this process, with no
client attached: is what it gains in its first requests a warm-up or growth that goes on?

A real station (library, DJ, mpv decks; no sound server, so speech goes to the log) on a small
tone library takes 300 typed requests and 150 Skip commands; RSS is read every 10 requests, and
tracemalloc compares Python's heap after request 100 with the end. Measured here (glibc's
arenas limited as the daemon limits them): 269 MB at the start, 296 MB after 30 requests (the
understanding model, the DJ's catalogs, the first mpv decks), 298 MB at most, 283 MB at the end;
the Python heap grew by 65 KB over the last 200 requests. A warm-up, not growth. Without the
arena limit (a test process that does not call limit_arenas) the same run reached 484 MB.
"""

from __future__ import annotations

import gc
import time
import tracemalloc
from pathlib import Path
from typing import Any

from appliance import control as c
from appliance.config import parse_config
from appliance.memory import limit_arenas
from appliance.station import QFZZStation, StationConfig
from tests.benchmarks.report import record
from tests.support import music
from tests.support.process import rss_mb
from tests.support.waiting import wait_until

REQUESTS = 300
TRACED_FROM = 100
TYPED = (
    "play some jazz",
    "what's playing",
    "turn the volume up",
    "play some rock",
    "i love this",
    "what can you do",
    "play some blues",
    "not really feeling this one",
    "set the volume to forty",
    "tell me about my community",
    "play something by jazz artist 1",
    "what's playing",
)


def test_memory_over_typed_requests_and_skips(isolated_env: Path, tmp_path: Path) -> None:
    limit_arenas()  # as the daemon does before its threads start (else glibc's arenas grow)
    genres = {"Jazz": 660.0, "Rock": 990.0, "Blues": 550.0}
    library = music.tone_library(tmp_path / "music", genres, per_genre=4, seconds=6.0)
    settings = parse_config(f'[library]\nmusic_folders = ["{library}"]\n')
    config = StationConfig.from_settings(
        settings, listen="keyboard", data_dir=isolated_env, faces=False
    )
    station = QFZZStation(config)
    station.start()
    rows: list[float] = []
    python_growth_kb = 0.0
    try:
        index = station.library
        assert index is not None
        wait_until(lambda: len(index.tracks()) == 12, timeout=60, what="the library scan")
        rows.append(rss_mb())
        before: Any = None
        for number in range(1, REQUESTS + 1):
            station.execute(c.Ask(text=TYPED[number % len(TYPED)], source="console"))
            if number % 2 == 0:
                station.execute(c.Skip(source="web"))
            if number == TRACED_FROM:
                tracemalloc.start()
                gc.collect()
                before = tracemalloc.take_snapshot()
            if number % 10 == 0:
                time.sleep(1.0)  # the player's hand-offs settle
                rows.append(rss_mb())
        gc.collect()
        after = tracemalloc.take_snapshot()
        python_growth_kb = sum(s.size_diff for s in after.compare_to(before, "filename")) / 1024
    finally:
        tracemalloc.stop()
        station.stop()
    figures = {
        "requests": REQUESTS,
        "skips": REQUESTS // 2,
        "rss_start_mb": round(rows[0], 1),
        "rss_every_10_mb": " ".join(f"{value:.0f}" for value in rows[1:]),
        "rss_after_30_mb": round(rows[3], 1),
        "rss_end_mb": round(rows[-1], 1),
        "rss_least_after_30_mb": round(min(rows[3:]), 1),
        "rss_most_mb": round(max(rows), 1),
        f"python_heap_growth_after_{TRACED_FROM}_kb": round(python_growth_kb, 1),
    }
    record("station_memory", figures)
    assert python_growth_kb < 2048  # 2 MB over 200 requests would be a leak worth finding
