"""Whatever a face sends, the station answers with an Outcome and goes on: commands of every
kind with hostile values (ids that are not ids, NaN seconds, huge levels, URLs of every
scheme), sent one after another and from several threads at once."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from appliance import control as c
from appliance.config import parse_config
from appliance.state import StationState
from appliance.station import QFZZStation, StationConfig
from tests.support import music

pytestmark = pytest.mark.fuzz

NAMES = ["alex", "sam", "", " ", "a b", "x" * 100, "ωμέγα", "../etc", "guest"]
WORDS = ["jazz", "rock", "Jazz Artist 1", "Rock Song 2", "", "%", "\x00", "a" * 3000]
URLS = [
    "http://127.0.0.1:9/none.flac",  # nothing listens: refused at once
    "https://127.0.0.1:9/x",
    "file:///etc/passwd",
    "javascript:alert(1)",
    "http://",
    "lavfi://sine",
    "",
    "h" * 5000,
]
floats = st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from([0.0, 5.0, -3.0])


def text(values: list[str]) -> st.SearchStrategy[str]:
    return st.sampled_from(values) | st.text(max_size=40)


def maybe(strategy: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    return st.none() | strategy


COMMON = {
    "by": maybe(text(NAMES)),
    "source": st.sampled_from(["voice", "console", "web", "mpd", "", "elsewhere"]),
}
FIELDS: dict[str, st.SearchStrategy[object]] = {
    "track_id": maybe(text(["nope", ""])),
    "query": maybe(text(WORDS)),
    "artist": maybe(text(WORDS)),
    "album": maybe(text(WORDS)),
    "genre": maybe(text(WORDS)),
    "position": maybe(st.integers(-3, 40)),
    "url": text(URLS),
    "announce": st.booleans(),
    "level": maybe(st.integers(-(10**6), 10**6)),
    "step": st.integers(-500, 500),
    "on": maybe(st.booleans()),
    "seconds": floats,
    "relative": st.booleans(),
    "index": st.integers(-3, 40),
    "to": st.integers(-3, 40),
    "user_id": text(NAMES),
    "name": maybe(text(NAMES)),
    "mood": maybe(text(["calm", "energetic", "grumpy", ""])),
    "text": text([*WORDS, "skip", "what's playing", "play some jazz", "stop"]),
    "confidence": floats,
    "wait": st.just(True),
    "room": text(["kitchen", ""]),
    "volume": maybe(st.integers(-50, 500)),
    "muted": maybe(st.booleans()),
    "latency_ms": maybe(st.integers(-(10**6), 10**6)),
}
KINDS = [
    kind
    for kind in vars(c).values()
    if isinstance(kind, type) and issubclass(kind, c.Command) and kind is not c.Command
]


def command_of(kind: type[c.Command]) -> st.SearchStrategy[c.Command]:
    import dataclasses

    fields = {f.name: FIELDS[f.name] for f in dataclasses.fields(kind) if f.name in FIELDS}
    if kind is c.SetMood:
        fields["mood"] = maybe(text(["calm", "energetic", "grumpy", ""]))
    if kind is c.Ask:  # timings stay empty: the voice fills them in
        fields.pop("timings", None)
    return st.builds(kind, **COMMON, **fields)


commands = st.one_of([command_of(kind) for kind in KINDS])


@pytest.fixture(scope="module")
def station(tmp_path_factory: pytest.TempPathFactory) -> Iterator[QFZZStation]:
    folder = music.tone_library(tmp_path_factory.mktemp("music"), music.TONES, seconds=30.0)
    settings = parse_config(f'[library]\nmusic_folders = ["{folder}"]\n')
    config = StationConfig.from_settings(
        settings,
        listen="none",
        speak=False,
        audio_output="null",
        data_dir=tmp_path_factory.mktemp("data"),
    )
    with QFZZStation(config) as started:
        yield started


def answered(station: QFZZStation, command: c.Command) -> c.Outcome:
    outcome = station.execute(command)
    assert isinstance(outcome, c.Outcome)
    assert isinstance(outcome.error, str) and isinstance(outcome.text, str)
    assert outcome.ok or outcome.error, command
    return outcome


def still_on_air(station: QFZZStation) -> None:
    assert answered(station, c.SetVolume(level=50)).ok
    state = station.snapshot()
    assert isinstance(state, StationState) and state.volume == 50
    assert 0 <= state.volume <= 100
    if state.now_playing is not None:
        assert math.isfinite(state.now_playing.position)
    assert all(station.health().values()), station.health()


@given(st.lists(commands, min_size=1, max_size=4))
def test_any_command_is_answered(station: QFZZStation, sent: list[c.Command]) -> None:
    for command in sent:
        answered(station, command)
    still_on_air(station)


def test_commands_from_many_threads_at_once(station: QFZZStation) -> None:
    library = station.library
    assert library is not None
    ids = [t.track_id for t in library.tracks()]
    mixes: list[Callable[[int], c.Command]] = [
        lambda n: c.SetVolume(level=n % 101, source="web"),
        lambda n: c.Enqueue(track_id=ids[n % len(ids)], source="mpd"),
        lambda n: c.RemoveQueued(index=0, source="mpd"),
        lambda n: c.Like(by="alex", source="web"),
        lambda n: c.Pause(source="home_assistant"),
        lambda n: c.Resume(source="home_assistant"),
        lambda n: c.Skip(by="sam", source="web"),
        lambda n: c.Ask(text="what's playing", source="api"),
    ]
    failures: list[BaseException] = []
    seen: list[int] = []

    with station.events.subscribe(size=10_000) as sub:

        def send(offset: int) -> None:
            try:
                for n in range(15):
                    answered(station, mixes[(offset + n) % len(mixes)](n))
            except BaseException as error:  # reported below, in the test's thread
                failures.append(error)

        threads = [threading.Thread(target=send, args=(k,)) for k in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert not any(thread.is_alive() for thread in threads), "a command hung"
        while (event := sub.get(timeout=0)) is not None:
            version = getattr(getattr(event, "state", None), "version", None)
            if version is not None:
                seen.append(version)
    assert failures == []
    assert seen == sorted(seen) and len(set(seen)) == len(seen)  # in order, none twice
    still_on_air(station)
