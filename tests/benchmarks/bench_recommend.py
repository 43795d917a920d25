"""Does the DJ learn? Simulated listeners with hidden tastes, and next_track's speed.

A generated library of 5,000 tracks (artists with a home genre, energy and tempo that suit it).
Each simulated listener secretly loves a few genre families and some artists, dislikes others,
and prefers a certain energy; they play 200 tracks, skipping early what they dislike, finishing
what they love (and now and then saying so). We report the share of tracks played to the end over
the last 100, for the DJ and for plain shuffle. Aim: at least twice shuffle's share, and 80 %.
Then next_track's latency on a 100,000-track index. The library here is a plain list of tracks:
the DJ reads a library only through tracks()/get()/generation, and what is measured is the pick.
"""

from __future__ import annotations

import os
import random
import time

import numpy as np

from appliance.dj import PersonalizedDJ
from appliance.dj.recommend import Catalog
from appliance.library.genres import default_genres
from appliance.library.track import Track
from tests.benchmarks.report import median, percentile, record
from tests.support.tracksets import TrackSet

GENRES = default_genres()
FAMILIES = [g for g in GENRES.names() if not GENRES.parents(g) and GENRES.descendants(g)]


def generate_library(size: int, seed: int = 1) -> list[Track]:
    rng = random.Random(seed)
    genre_energy = {g: rng.uniform(0.1, 0.95) for g in GENRES.names()}
    artists = []
    for number in range(max(50, size // 10)):
        family = rng.choice(FAMILIES)
        home = rng.choice(sorted(GENRES.descendants(family) | {family}))
        artists.append((f"artist {number}", home))
    tracks = []
    for number in range(size):
        artist, home = rng.choice(artists)
        energy = min(1.0, max(0.0, rng.gauss(genre_energy[home], 0.12)))
        tracks.append(
            Track(
                track_id=f"t{number}",
                path=f"/music/{number}.flac",
                title=f"song {number}",
                artist=artist,
                album=f"{artist} album {number % 4}",
                genres=(home,),
                duration=rng.uniform(150, 300),
                bpm=round(70 + energy * 90 + rng.gauss(0, 8), 1),
                energy=round(energy, 3),
            )
        )
    return tracks


class HiddenTaste:
    """A listener the DJ knows nothing about."""

    def __init__(self, tracks: list[Track], seed: int) -> None:
        rng = random.Random(seed)
        self.rng = rng
        families = rng.sample(FAMILIES, 6)
        self.loved = set().union(*({f} | GENRES.descendants(f) for f in families[:2]))
        self.disliked = set().union(*({f} | GENRES.descendants(f) for f in families[2:4]))
        artists = sorted({t.artist for t in tracks if t.genres[0] not in self.disliked})
        self.loved_artists = set(rng.sample(artists, 8))
        self.energy = rng.uniform(0.2, 0.8)

    def react(self, track: Track) -> tuple[str, float]:
        """(event, position): how far they listened and what they did."""
        genre = track.genres[0]
        affinity = 0.0
        if genre in self.loved:
            affinity += 2.5
        if genre in self.disliked:
            affinity -= 3.0
        if track.artist in self.loved_artists:
            affinity += 1.5
        affinity -= 2.0 * abs((track.energy or 0.5) - self.energy)
        keep = 1 / (1 + np.exp(-(affinity - 0.8) * 1.6))
        if self.rng.random() < keep:
            if affinity > 2.5 and self.rng.random() < 0.25:
                return "liked", track.duration
            return "completed", track.duration
        return "skipped", track.duration * self.rng.uniform(0.03, 0.4 if affinity < 0 else 0.7)


def listen(tracks: list[Track], seed: int, shuffle: bool) -> float:
    """Share of the last 100 of 200 tracks played to the end."""
    listener = HiddenTaste(tracks, seed)
    dj = PersonalizedDJ(library=TrackSet(tracks), seed=seed)
    rng = random.Random(seed + 1000)
    outcomes = []
    for _ in range(200):
        track = rng.choice(tracks) if shuffle else dj.next_track("listener")
        assert track is not None
        event, position = listener.react(track)
        if event == "liked":
            dj.record_event("listener", track.track_id, "liked")
            event = "completed"
        dj.record_event("listener", track.track_id, event, position, track.duration)
        outcomes.append(event == "completed")
    dj.close()
    return sum(outcomes[100:]) / 100


def test_simulated_listeners() -> None:
    tracks = generate_library(5000)
    seeds = range(12)
    dj_scores = [listen(tracks, seed, shuffle=False) for seed in seeds]
    shuffle_scores = [listen(tracks, seed, shuffle=True) for seed in seeds]
    dj_share = float(np.mean(dj_scores))
    shuffle_share = float(np.mean(shuffle_scores))
    record(
        "recommend_listeners",
        {
            "library_tracks": len(tracks),
            "listeners": len(seeds),
            "dj_completed_share_last_100": round(dj_share, 3),
            "shuffle_completed_share_last_100": round(shuffle_share, 3),
            "dj_over_shuffle": round(dj_share / shuffle_share, 2),
            "dj_worst_listener": min(dj_scores),
            "dj_best_listener": max(dj_scores),
        },
    )
    assert dj_share >= 2 * shuffle_share
    assert dj_share >= 0.8


def feature_bytes(catalog: Catalog | None) -> int:
    """What the catalog's arrays of track features take (the tracks themselves not counted)."""
    assert catalog is not None
    arrays = [catalog.energy, catalog.bpm, catalog.artist_idx, *catalog.own]
    for side in catalog.sides.values():
        arrays.append(side.codes)
        if side.groups is not None:
            arrays += [*side.groups, side.total]
    return sum(array.nbytes for array in arrays)


def timed_picks(dj: PersonalizedDJ, user: str, count: int = 60) -> tuple[list, list]:
    """Wall and CPU seconds of ``count`` picks."""
    times, cpu = [], []
    for _ in range(count):
        started, used = time.perf_counter(), time.process_time()
        dj.next_track(user)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - used)
    return times, cpu


def test_next_track_latency_on_100k_tracks() -> None:
    """next_track on 100,000 tracks, for a listener of 300 events and one of 40,000 (years of
    listening): a pick must not slow down as the history grows."""
    tracks = generate_library(100_000, seed=2)
    dj = PersonalizedDJ(library=TrackSet(tracks), seed=5)
    dj.update_preferences("alex", ["jazz", "electronic"])
    started = time.perf_counter()
    dj.next_track("alex")  # builds the catalog once
    build = time.perf_counter() - started
    rng = random.Random(9)
    figures: dict[str, float] = {}
    heard = 0
    for events in (300, 40_000):
        for _ in range(events - heard):
            track = rng.choice(tracks)
            event = rng.choice(["completed", "completed", "skipped", "liked", "disliked"])
            dj.record_event("alex", track.track_id, event, rng.uniform(0, 30), track.duration)
        heard = events
        times, cpu = timed_picks(dj, "alex")
        figures[f"next_track_median_ms_{events}_events"] = round(median(times) * 1000, 2)
        figures[f"next_track_p99_ms_{events}_events"] = round(percentile(times, 0.99) * 1000, 2)
        # CPU time: what the pick costs when other processes share the cores
        figures[f"next_track_cpu_median_ms_{events}_events"] = round(median(cpu) * 1000, 2)
    record(
        "recommend_latency",
        {
            "tracks": len(tracks),
            "catalog_build_s": round(build, 3),
            "catalog_features_mb": round(feature_bytes(dj.catalog()) / 2**20, 1),
            **figures,
            "load_average": round(os.getloadavg()[0], 1),
        },
    )
    assert figures["next_track_median_ms_300_events"] < 20
    assert figures["next_track_median_ms_40000_events"] < 20
