"""The taste benchmark's simulation, checked on its own (not the DJ): the generated library looks
like a real one, each listener's hidden taste is what the oracle plays, and shuffle scores what
chance predicts. If these fail, the benchmark's figures mean nothing."""

from __future__ import annotations

import math
import os
import statistics
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from appliance.library.track import Track
from tests.support.listeners import (
    FIRST_YEAR,
    GENRES,
    KINDS,
    LAST_YEAR,
    MAX_SHARE,
    MIN_SHARE,
    MORNING,
    PLAYED_OUT,
    PROFILES,
    GeneratedLibrary,
    GenreTempoListener,
    Listener,
    ListeningDays,
    Oracle,
    Play,
    Shuffle,
    TimeOfDayListener,
    Truth,
    completed,
    covered,
    expected_share,
    generate_library,
    make_listeners,
    repeats,
)


@pytest.fixture(scope="module")
def music() -> GeneratedLibrary:
    return generate_library(3000, seed=5)


@pytest.fixture(scope="module")
def listeners(music: GeneratedLibrary) -> list[Listener]:
    return make_listeners(music, per_kind=5, seed=5)


def truths(music: GeneratedLibrary, genre: str) -> list[Truth]:
    return [music.truth[t.track_id] for t in music.tracks if covered(t.genres, genre)]


def missing(music: GeneratedLibrary, field: str) -> float:
    return sum(getattr(t, field) is None for t in music.tracks) / len(music.tracks)


def test_the_library_is_seeded_and_at_least_the_size_asked(music: GeneratedLibrary) -> None:
    assert generate_library(3000, seed=5).tracks == music.tracks
    assert generate_library(3000, seed=6).tracks != music.tracks
    assert 3000 <= len(music.tracks) < 3014
    assert len({t.track_id for t in music.tracks}) == len(music.tracks)
    assert len(generate_library(500, seed=5).tracks) >= 500


def test_artists_make_albums_of_8_to_14_tracks_within_their_careers(
    music: GeneratedLibrary,
) -> None:
    albums: dict[tuple[str, str], list[Track]] = defaultdict(list)
    for track in music.tracks:
        albums[track.artist, track.album].append(track)
    assert all(8 <= len(tracks) <= 14 for tracks in albums.values())
    assert all(
        [t.track_number for t in tracks] == list(range(1, len(tracks) + 1))
        for tracks in albums.values()
    )
    for track in music.tracks:
        artist = music.artists[track.artist]
        assert artist.first_year <= music.truth[track.track_id].year <= artist.last_year
        assert artist.genre == music.truth[track.track_id].genres[0]
    assert len(music.artists) >= 100


def test_years_span_1955_to_2025_weighted_to_recent_decades(music: GeneratedLibrary) -> None:
    years = [music.truth[t.track_id].year for t in music.tracks]
    assert min(years) >= FIRST_YEAR and max(years) <= LAST_YEAR
    decades = Counter(y // 10 * 10 for y in years)
    assert {1960, 1970, 1980, 1990, 2000, 2010, 2020} <= set(decades)
    assert decades[2010] > decades[1990] > decades[1960]
    assert 1995 <= statistics.median(years) <= 2015


def test_about_15_percent_lack_tempo_energy_or_year_tags(music: GeneratedLibrary) -> None:
    for seed in (5, 14, 21):
        library = music if seed == 5 else generate_library(3000, seed=seed)
        for field in ("bpm", "energy", "year"):
            assert 0.08 <= missing(library, field) <= 0.22, (seed, field)
        # what the tags lack, the listener still hears
        assert all(library.truth[t.track_id].bpm > 0 for t in library.tracks)
    assert all((t.bpm is None) == (t.energy is None) for t in music.tracks)  # unanalysed tracks


def test_tags_come_from_the_genre_map_with_many_sub_genres(music: GeneratedLibrary) -> None:
    assert set(PROFILES) == set(GENRES.names())  # every genre of the map has a sound
    tags = [g for t in music.tracks for g in t.genres]
    assert all(GENRES.canonical(g) == g for g in tags)
    assert len(set(tags)) >= 50
    firsts = [t.genres[0] for t in music.tracks if t.genres]
    assert sum(bool(GENRES.parents(g)) for g in firsts) / len(firsts) > 0.5
    assert 0.1 < sum(len(t.genres) == 2 for t in music.tracks) / len(music.tracks) < 0.4


def test_tempo_and_energy_suit_the_genre_and_vary_within_it(music: GeneratedLibrary) -> None:
    def tempo(genre: str) -> float:
        return statistics.fmean(x.bpm for x in truths(music, genre))

    def energy(genre: str) -> float:
        return statistics.fmean(x.energy for x in truths(music, genre))

    assert tempo("drum and bass") > tempo("house") > tempo("reggae")
    assert tempo("punk") > tempo("folk")
    assert energy("metal") > energy("rock") > energy("folk") > energy("ambient")
    assert statistics.pstdev(x.bpm for x in truths(music, "rock")) > 15
    assert statistics.pstdev(x.energy for x in truths(music, "rock")) > 0.05
    levels = [music.truth[t.track_id] for t in music.tracks]
    assert statistics.correlation([x.energy for x in levels], [x.loudness for x in levels]) > 0.8
    tagged = [t for t in music.tracks if t.bpm is not None]
    assert all(abs(t.bpm - music.truth[t.track_id].bpm) <= 0.5 for t in tagged)


def test_durations_run_from_2_to_9_minutes(music: GeneratedLibrary) -> None:
    seconds = [t.duration for t in music.tracks]
    assert min(seconds) >= 120 and max(seconds) <= 540
    assert 180 <= statistics.median(seconds) <= 330
    assert statistics.fmean(t.duration for t in music.tracks if "punk" in t.genres) < 200


def test_listeners_of_every_kind_with_their_own_tastes(listeners: list[Listener]) -> None:
    assert Counter(x.kind for x in listeners) == dict.fromkeys(KINDS, 5)
    assert len({x.describe() for x in listeners}) == len(listeners)
    for listener in listeners:
        for hour in (8, 20):
            assert MIN_SHARE <= listener.share(hour) <= MAX_SHARE, listener.describe()


def test_the_oracle_plays_only_the_hidden_taste_and_it_is_finished(
    listeners: list[Listener],
) -> None:
    played_out = []
    for number, listener in enumerate(listeners):
        listener.reseed(number)
        oracle = Oracle(listener, seed=number)
        clock = ListeningDays()
        for index in range(100):
            clock.before_pick(index)
            track = oracle.pick(clock.now.hour)
            assert listener.fits(track, clock.now.hour), listener.describe()
            event, position = listener.reaction(track, clock.now.hour)
            clock.heard(position)
            played_out.append(event in PLAYED_OUT)
        assert len(set(oracle.recent[-50:])) == 50  # the oracle repeats nothing within 50 either
    share = sum(played_out) / len(played_out)
    assert 0.86 <= share <= 0.94  # people skip a track they love now and then


def test_shuffle_scores_what_chance_predicts(
    music: GeneratedLibrary, listeners: list[Listener]
) -> None:
    for kind in KINDS:
        group = [x for x in listeners if x.kind == kind]
        outcomes, chances = [], []
        for number, listener in enumerate(group):
            listener.reseed(100 + number)
            shuffle = Shuffle(music.tracks, seed=number)
            clock = ListeningDays()
            hours = []
            for index in range(400):
                clock.before_pick(index)
                hour = clock.now.hour
                event, position = listener.reaction(shuffle.pick(hour), hour)
                clock.heard(position)
                outcomes.append(event in PLAYED_OUT)
                hours.append(hour)
            chances.append(expected_share(listener, hours))
        chance = statistics.fmean(chances)
        share = sum(outcomes) / len(outcomes)
        sigma = math.sqrt(chance * (1 - chance) / len(outcomes))
        assert abs(share - chance) < 4 * sigma, (kind, share, chance)
        assert 0.08 < chance < 0.25


def test_a_tempo_range_holds_only_for_its_genre(music: GeneratedLibrary) -> None:
    rules = [("rock", 140.0, 220.0), ("jazz", 50.0, 100.0)]
    listener = GenreTempoListener(music, rules)
    for track in music.tracks:
        heard = music.truth[track.track_id]
        fast_rock = covered(heard.genres, "rock") and heard.bpm >= 140
        slow_jazz = covered(heard.genres, "jazz") and heard.bpm <= 100
        assert listener.fits(track, 12) == (fast_rock or slow_jazz)
    untagged = [t for t in music.tracks if t.bpm is None and listener.fits(t, 12)]
    assert untagged  # judged by how it sounds, not by its tags
    slow_rock = [
        t
        for t in music.tracks
        if covered(music.truth[t.track_id].genres, "rock") and music.truth[t.track_id].bpm < 100
    ]
    assert slow_rock and not any(listener.fits(t, 12) for t in slow_rock)


def test_a_time_of_day_listener_changes_taste_with_the_hour(listeners: list[Listener]) -> None:
    for listener in (x for x in listeners if isinstance(x, TimeOfDayListener)):
        tracks = listener.music.tracks
        mornings = {t.track_id for t in tracks if listener.fits(t, 8)}
        evenings = {t.track_id for t in tracks if listener.fits(t, 20)}
        assert mornings == {t.track_id for t in tracks if listener.morning.fits(t, 8)}
        assert evenings == {t.track_id for t in tracks if listener.evening.fits(t, 20)}
        assert mornings != evenings
    clock = ListeningDays()
    hours = []
    for index in range(40):
        clock.before_pick(index)
        hours.append(clock.now.hour in MORNING)
        clock.heard(200)
    assert hours == [True] * 10 + [False] * 10 + [True] * 10 + [False] * 10


def test_reactions_are_human(music: GeneratedLibrary, listeners: list[Listener]) -> None:
    listener = listeners[0]
    listener.reseed(3)
    fitting = [t for t in music.tracks if listener.fits(t, 12)][:50]
    other = [t for t in music.tracks if not listener.fits(t, 12)][:50]
    loved = Counter(listener.reaction(t, 12)[0] for t in fitting * 20)
    rest = [listener.reaction(t, 12) for t in other * 20]
    disliked = Counter(event for event, _ in rest)
    assert loved["skipped"] > 0 and loved["liked"] > 0 and loved["disliked"] == 0
    assert disliked["completed"] > 0 and disliked["disliked"] > 0
    early = [position for event, position in rest if event == "skipped" and position <= 40]
    assert len(early) / disliked["skipped"] > 0.6  # what they do not want goes early


def test_repeats_are_two_plays_among_50_consecutive_picks(music: GeneratedLibrary) -> None:
    def plays(indices: list[int], event: str = "completed") -> list[Play]:
        return [Play(music.tracks[i], event, 8) for i in indices]

    between = list(range(1, 50))  # 49 other tracks
    assert repeats(plays([0, *between, 0])) == []  # 51 picks apart from first to last
    assert repeats(plays([0, *between[:-1], 0])) == [49]
    assert repeats(plays([0, 1, 0, 1])) == [2, 3]
    assert completed(plays([0, 1]) + plays([2], "liked") + plays([3], "skipped")) == 0.75


DIGEST = """
import hashlib
from tests.support.listeners import generate_library, make_listeners
music = generate_library(1500, seed=3)
tastes = [x.describe() for x in make_listeners(music, per_kind=1, seed=3)]
print(hashlib.sha256(repr((music.tracks, music.truth, tastes)).encode()).hexdigest())
"""


def test_the_simulation_does_not_depend_on_string_hashing() -> None:
    """Figures must change only when the DJ does: the same seed, the same library and tastes."""
    root = Path(__file__).resolve().parents[2]
    digests = {
        subprocess.run(
            [sys.executable, "-c", DIGEST],
            env=dict(os.environ, PYTHONHASHSEED=seed),
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    assert len(digests) == 1 and len(digests.pop().strip()) == 64
