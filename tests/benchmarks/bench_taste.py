"""Does the DJ learn every side of a listener's taste? Simulated listeners judge it (issue 14).

Written apart from the recommender: the listeners (tests/support/listeners.py) have hidden tastes
of six kinds (genre; genre with a tempo range; energy; era; a handful of artists; one taste in the
morning and another in the evening), drawn at random per listener, and react as people do, with
noise. Each listener gets a fresh DJ (in memory) over the same generated library of 3,000 tracks;
the DJ picks 200 tracks, the listener reacts and the DJ is told what they did. In the same run:
plain shuffle, and an oracle that knows the hidden taste. Figures, per kind and overall:

- completed share over picks 101-200 (a liked track counts: it plays to its end), DJ, shuffle,
  oracle; cold start: the same over picks 1-20, DJ and shuffle;
- told: the same listeners when they first say "i love <one of their genres>";
- promises, in a separate run of 1,000 picks per kind: after "i don't like <genre>", after
  "i don't like <artist>" (with a dislike of that artist's track) and after each disliked track,
  none of them comes back; no track repeats within 50 picks (also checked over every DJ run).

Targets (issue 14): DJ >= 80 % on average and >= 65 % for the worst kind, >= 4x shuffle; cold start
>= 2x shuffle; nothing disliked comes back; no repeat within 50. QFZZ_TASTE_QUICK=1 runs two
listeners per kind and 300-pick promise runs (the figures are then rougher).

The DJ's picks depend on Python's string hashing, so the simulation runs in a child process with
PYTHONHASHSEED=0 (QFZZ_TASTE_HASHSEED chooses another); the same seed gives the same figures.
It also runs on its own: `PYTHONHASHSEED=0 python -m tests.benchmarks.bench_taste`.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from appliance.dj import PersonalizedDJ
from appliance.library.track import Track
from tests.benchmarks.report import RESULTS, record
from tests.support.listeners import (
    GENRES,
    KINDS,
    ArtistListener,
    GeneratedLibrary,
    GenreListener,
    GenreTempoListener,
    Listener,
    ListeningDays,
    Oracle,
    Play,
    Shuffle,
    TimeOfDayListener,
    completed,
    covered,
    expected_share,
    generate_library,
    make_listeners,
    repeats,
)

ROOT = Path(__file__).resolve().parents[2]
QUICK = os.environ.get("QFZZ_TASTE_QUICK") == "1"
PER_KIND = 2 if QUICK else 6
LIBRARY_SIZE = 3000
PICKS = 200
LATE, COLD = slice(100, 200), slice(0, 20)
PROMISE_PICKS = 300 if QUICK else 1000
USER = "listener"
BLOCKABLE = ("country", "metal", "reggae", "classical", "hip hop", "jazz", "electronic", "folk")

AVERAGE_TARGET, WORST_TARGET, SHUFFLE_TIMES, COLD_TIMES = 0.80, 0.65, 4.0, 2.0


@dataclass
class Promises:
    """What one promise run saw: the sentences' understanding and every broken promise."""

    genre: str
    artist: str = ""
    genre_reply: str = ""
    artist_reply: str = ""
    genre_back: int = 0
    artist_back: int = 0
    tracks_disliked: int = 0
    track_back: int = 0
    repeats: list[int] = field(default_factory=list)  # the picks that repeated a recent track
    picks: int = 0
    first_genre_back: int | None = None
    first_artist_back: int | None = None


@dataclass
class Outcome:
    """One listener's arms."""

    listener: Listener
    dj: list[Play]
    shuffle: list[Play]
    oracle: list[Play]
    told_genre: str | None = None
    told: list[Play] = field(default_factory=list)


def teach(dj: PersonalizedDJ, track: Track, event: str, position: float) -> None:
    """Tell the DJ what the station's player and the listener's voice would tell it."""
    if event == "liked":  # said "i love this" while it played; it then plays to its end
        dj.record_event(USER, track.track_id, "liked", position, track.duration)
        dj.record_event(USER, track.track_id, "completed", track.duration, track.duration)
    else:
        dj.record_event(USER, track.track_id, event, position, track.duration)


def new_dj(music: GeneratedLibrary, seed: int, clock: ListeningDays) -> PersonalizedDJ:
    return PersonalizedDJ(library=music.library(), seed=seed, clock=clock)  # type: ignore[arg-type]


def listen_to_dj(
    listener: Listener, music: GeneratedLibrary, seed: int, told: str | None = None
) -> list[Play]:
    clock = ListeningDays()
    dj = new_dj(music, seed, clock)
    plays: list[Play] = []
    try:
        for index in range(PICKS):
            clock.before_pick(index)
            if index == 0 and told:
                dj.respond(USER, f"i love {told}")
            track = dj.next_track(USER)
            assert track is not None, "the DJ picked nothing from a library of 3,000 tracks"
            dj.track_started(track)
            hour = clock.now.hour
            event, position = listener.reaction(track, hour)
            teach(dj, track, event, position)
            clock.heard(position)
            plays.append(Play(track, event, hour))
    finally:
        dj.close()
    return plays


def listen_to(listener: Listener, pick: Callable[[int], Track]) -> list[Play]:
    clock = ListeningDays()
    plays = []
    for index in range(PICKS):
        clock.before_pick(index)
        hour = clock.now.hour
        track = pick(hour)
        event, position = listener.reaction(track, hour)
        clock.heard(position)
        plays.append(Play(track, event, hour))
    return plays


def genre_to_tell(listener: Listener) -> str | None:
    """One genre the listener would name when asked what they like (None: no genre to name)."""
    if isinstance(listener, GenreListener):
        return listener.genres[0]
    if isinstance(listener, GenreTempoListener):
        return listener.rules[0][0]
    if isinstance(listener, ArtistListener):
        homes = Counter(listener.music.artists[a].genre for a in sorted(listener.artists))
        return homes.most_common(1)[0][0]
    if isinstance(listener, TimeOfDayListener):
        return genre_to_tell(listener.morning)
    return None


def run_listener(listener: Listener, music: GeneratedLibrary, index: int) -> Outcome:
    base = 1000 * (index + 1)
    listener.reseed(base + 1)
    dj = listen_to_dj(listener, music, seed=index)
    listener.reseed(base + 2)
    shuffle = listen_to(listener, Shuffle(music.tracks, base + 3).pick)
    listener.reseed(base + 4)
    oracle = listen_to(listener, Oracle(listener, base + 5).pick)
    outcome = Outcome(listener, dj, shuffle, oracle)
    told = genre_to_tell(listener)
    if told is not None:
        listener.reseed(base + 1)  # the same moods as the untold run: only the sentence differs
        outcome.told_genre = told
        outcome.told = listen_to_dj(listener, music, seed=index, told=told)
    return outcome


def genre_to_block(listener: Listener, music: GeneratedLibrary) -> str:
    """A common genre that overlaps the listener's taste least: the one they would rule out."""

    def overlap(genre: str) -> tuple[int, int]:
        tracks = [t for t in music.tracks if covered(t.genres, genre)]
        loved = sum(listener.fits(t, 8) or listener.fits(t, 20) for t in tracks)
        return loved, -len(tracks)

    return min(BLOCKABLE, key=overlap)


def keep_promises(listener: Listener, music: GeneratedLibrary, index: int) -> Promises:
    """A long run in which the listener rules out a genre, an artist and some tracks."""
    clock = ListeningDays()
    dj = new_dj(music, seed=100 + index, clock=clock)
    listener.reseed(7000 + index)
    promises = Promises(genre=genre_to_block(listener, music))
    disliked: set[str] = set()
    plays: list[Play] = []
    explicit = 5  # the first few tracks they skip, they dislike out loud instead
    try:
        for number in range(PROMISE_PICKS):
            clock.before_pick(number)
            if number == 0:
                reply = dj.respond(USER, f"i don't like {promises.genre}")
                promises.genre_reply = f"{reply.intent} {reply.slots}"
            track = dj.next_track(USER)
            assert track is not None
            dj.track_started(track)
            hour = clock.now.hour
            broken = False
            if covered(track.genres, promises.genre):
                promises.genre_back += 1
                if promises.first_genre_back is None:
                    promises.first_genre_back = number
                broken = True
            if promises.artist and track.artist == promises.artist:
                promises.artist_back += 1
                if promises.first_artist_back is None:
                    promises.first_artist_back = number
                broken = True
            if track.track_id in disliked:
                promises.track_back += 1
                broken = True
            if number >= 30 and not promises.artist and not broken:  # after a while
                promises.artist = track.artist
                reply = dj.respond(USER, f"i don't like {track.artist}")
                promises.artist_reply = f"{reply.intent} {reply.slots}"
                event, position = "disliked", 20.0
            elif broken:
                event, position = "disliked", 5.0
            else:
                event, position = listener.reaction(track, hour)
                if event == "skipped" and explicit and not listener.fits(track, hour):
                    explicit -= 1
                    event = "disliked"
            if event == "disliked":
                disliked.add(track.track_id)
            teach(dj, track, event, position)
            clock.heard(position)
            plays.append(Play(track, event, hour))
    finally:
        dj.close()
    promises.tracks_disliked = len(disliked)
    promises.repeats = repeats(plays)
    promises.picks = len(plays)
    return promises


def mean(values: Sequence[float]) -> float:
    return statistics.fmean(values) if values else float("nan")


def summarise(outcomes: Sequence[Outcome], promises: Sequence[Promises]) -> dict[str, Any]:
    """The figures per kind and overall, and the table printed with them."""
    figures: dict[str, Any] = {
        "library tracks": LIBRARY_SIZE,
        "listeners": len(outcomes),
        "picks per listener": PICKS,
    }
    rows = []
    kinds = {kind: [o for o in outcomes if o.listener.kind == kind] for kind in KINDS}
    kinds["all"] = list(outcomes)
    for kind, group in kinds.items():
        told = [o for o in group if o.told]
        row: dict[str, float] = {
            "dj": mean([completed(o.dj[LATE]) for o in group]),
            "shuffle": mean([completed(o.shuffle[LATE]) for o in group]),
            "oracle": mean([completed(o.oracle[LATE]) for o in group]),
            "dj cold": mean([completed(o.dj[COLD]) for o in group]),
            "shuffle cold": mean([completed(o.shuffle[COLD]) for o in group]),
            "worst listener": min(completed(o.dj[LATE]) for o in group),
        }
        if told:  # only listeners with a genre to name
            row["told n"] = len(told)
            row["untold"] = mean([completed(o.dj[LATE]) for o in told])
            row["told"] = mean([completed(o.told[LATE]) for o in told])
            row["untold cold"] = mean([completed(o.dj[COLD]) for o in told])
            row["told cold"] = mean([completed(o.told[COLD]) for o in told])
        rows.append((kind, row))
        for key, value in row.items():
            figures[f"{kind}: {key}"] = round(value, 3) if isinstance(value, float) else value
    per_kind = [row["dj"] for kind, row in rows if kind != "all"]
    overall = dict(rows)["all"]
    figures["dj 101-200 average"] = round(overall["dj"], 3)
    figures["dj 101-200 worst kind"] = round(min(per_kind), 3)
    figures["dj / shuffle 101-200"] = round(overall["dj"] / overall["shuffle"], 2)
    figures["dj / shuffle cold start"] = round(overall["dj cold"] / overall["shuffle cold"], 2)
    figures["repeats within 50 (all DJ runs)"] = sum(
        len(repeats(o.dj)) + len(repeats(o.told)) for o in outcomes
    )
    figures["promise runs x picks"] = f"{len(promises)} x {PROMISE_PICKS}"
    figures["disliked genre back"] = sum(p.genre_back for p in promises)
    figures["disliked artist back"] = sum(p.artist_back for p in promises)
    figures["disliked track back"] = sum(p.track_back for p in promises)
    figures["tracks disliked"] = sum(p.tracks_disliked for p in promises)
    figures["repeats within 50 (promise runs)"] = sum(len(p.repeats) for p in promises)
    figures["table"] = table(rows)
    return figures


def table(rows: Sequence[tuple[str, dict[str, float]]]) -> str:
    head = (
        f"{'kind':<12} {'dj':>5} {'shuf':>5} {'orac':>5} {'x shuf':>6} | {'cold':>5} "
        f"{'shuf':>5} | {'told':>5} {'untold':>6} {'t.cold':>6} {'u.cold':>6} | {'worst':>5}"
    )
    lines = [head]
    for kind, r in rows:
        told = (
            f"{r['told']:5.2f} {r['untold']:6.2f} {r['told cold']:6.2f} {r['untold cold']:6.2f}"
            if "told" in r
            else f"{'-':>5} {'-':>6} {'-':>6} {'-':>6}"
        )
        lines.append(
            f"{kind:<12} {r['dj']:5.2f} {r['shuffle']:5.2f} {r['oracle']:5.2f} "
            f"{r['dj'] / r['shuffle']:6.1f} | {r['dj cold']:5.2f} {r['shuffle cold']:5.2f} | "
            f"{told} | {r['worst listener']:5.2f}"
        )
    legend = (
        "completed share: dj, shuffle, oracle over picks 101-200; cold over picks 1-20; told and "
        "untold: the listeners who can name a genre, with and without naming it; worst: the "
        "lowest listener's dj share"
    )
    return "\n" + "\n".join([*lines, legend])


def measure() -> dict[str, Any]:
    """Run every listener and promise run, print and record the figures, and return them."""
    started = time.perf_counter()
    music = generate_library(LIBRARY_SIZE)
    listeners = make_listeners(music, PER_KIND)
    outcomes = [run_listener(listener, music, i) for i, listener in enumerate(listeners)]
    firsts = [next(x for x in listeners if x.kind == kind) for kind in KINDS]
    promises = [keep_promises(listener, music, i) for i, listener in enumerate(firsts)]
    figures = summarise(outcomes, promises)
    figures["all: shuffle whole run"] = round(mean([completed(o.shuffle) for o in outcomes]), 3)
    figures["all: shuffle by chance"] = round(
        mean([expected_share(o.listener, [p.hour for p in o.shuffle]) for o in outcomes]), 3
    )
    figures["hash seed"] = os.environ.get("PYTHONHASHSEED", "random")
    figures["seconds"] = round(time.perf_counter() - started, 1)
    record("taste", figures)
    record(
        "taste_listeners",
        {
            f"{o.listener.kind} {i}": (
                f"dj {completed(o.dj[LATE]):.2f} shuffle {completed(o.shuffle[LATE]):.2f} "
                f"oracle {completed(o.oracle[LATE]):.2f} cold {completed(o.dj[COLD]):.2f} "
                + (f"told {o.told_genre} {completed(o.told[LATE]):.2f} " if o.told else "")
                + f"(fits {o.listener.share(8):.3f}/{o.listener.share(20):.3f}): "
                f"{o.listener.describe()[:90]}"
            )
            for i, o in enumerate(outcomes)
        },
    )
    record(
        "taste_promises",
        {
            p.genre + " / " + p.artist: (
                f"genre back {p.genre_back} (first at {p.first_genre_back}), artist back "
                f"{p.artist_back} (first at {p.first_artist_back}), tracks back {p.track_back} "
                f"of {p.tracks_disliked}, repeats at picks {p.repeats}; heard as: "
                f"{p.genre_reply} | {p.artist_reply}"
            )
            for p in promises
        },
    )
    return figures


@pytest.fixture(scope="module")
def figures() -> dict[str, Any]:
    """The figures, measured in a process with a fixed hash seed.

    The DJ's picks depend on the order of its sets and dicts of strings, so without a fixed hash
    seed two runs differ by several points per kind; QFZZ_TASTE_HASHSEED picks another seed to
    see that spread.
    """
    if "PYTHONHASHSEED" in os.environ:
        return measure()
    seed = os.environ.get("QFZZ_TASTE_HASHSEED", "0")
    env = dict(os.environ, PYTHONHASHSEED=seed)
    command = [sys.executable, "-m", "tests.benchmarks.bench_taste"]
    subprocess.run(command, env=env, cwd=ROOT, check=True)
    return json.loads((RESULTS / "taste.json").read_text())["figures"]


def test_the_simulation_is_sound(figures: dict[str, Any]) -> None:
    """Before judging the DJ: the oracle gets near the listeners' ceiling, shuffle near chance."""
    assert figures["all: oracle"] > 0.85
    assert abs(figures["all: shuffle whole run"] - figures["all: shuffle by chance"]) < 0.03


def test_learns_every_side_of_taste(figures: dict[str, Any]) -> None:
    assert figures["dj 101-200 average"] >= AVERAGE_TARGET, figures["table"]
    assert figures["dj 101-200 worst kind"] >= WORST_TARGET, figures["table"]
    assert figures["dj / shuffle 101-200"] >= SHUFFLE_TIMES, figures["table"]


def test_cold_start_beats_shuffle(figures: dict[str, Any]) -> None:
    assert figures["dj / shuffle cold start"] >= COLD_TIMES


def test_telling_a_genre_helps(figures: dict[str, Any]) -> None:
    """A listener who names one of their genres hears more they finish at once, and no less
    later (two points of slack: the runs differ only by the sentence, but picks diverge)."""
    assert figures["all: told cold"] > figures["all: untold cold"], figures["table"]
    assert figures["all: told"] >= figures["all: untold"] - 0.02, figures["table"]


def test_keeps_its_promises(figures: dict[str, Any]) -> None:
    broken = {
        key: figures[key]
        for key in (
            "disliked genre back",
            "disliked artist back",
            "disliked track back",
            "repeats within 50 (all DJ runs)",
            "repeats within 50 (promise runs)",
        )
        if figures[key]
    }
    assert not broken, broken


def test_blocked_genres_are_in_the_map() -> None:
    assert all(GENRES.canonical(g) == g for g in BLOCKABLE)


if __name__ == "__main__":
    measure()
