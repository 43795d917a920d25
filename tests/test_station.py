"""The station: the guide's station examples, the ledger, and listening that teaches the DJ."""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from appliance.config import Config, parse_config
from appliance.parts import Parts
from appliance.station import QFZZStation, StationConfig
from tests.support import music
from tests.support.waiting import wait_until


@pytest.fixture(scope="module")
def short_tracks(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two genres of three-second tracks, so the player moves on quickly."""
    return music.tone_library(tmp_path_factory.mktemp("short"), music.TONES, seconds=3.0)


def settings(folder: Path, extra: str = "") -> Config:
    return parse_config(f'[library]\nmusic_folders = ["{folder}"]\n{extra}')


@pytest.fixture
def quiet_station(short_tracks: Path) -> Iterator[Callable[..., QFZZStation]]:
    """Stations that play music to mpv's null output and neither listen nor speak."""
    made: list[QFZZStation] = []

    def make(extra: str = "", **fields: object) -> QFZZStation:
        config = StationConfig.from_settings(
            settings(short_tracks, extra),
            **{"listen": "none", "speak": False, "audio_output": "null", **fields},
        )
        station = QFZZStation(config)
        station.start()
        made.append(station)
        return station

    yield make
    for station in made:
        station.stop()


def test_guide_edge_device_integration() -> None:
    station_config = StationConfig(
        station_name="My QFZZ", edge_mode=True, enable_personalization=True
    )
    station = QFZZStation(config=station_config)
    station.start()
    try:
        dj = station.get_dj()
        greeting = dj.greet_user("user_001", "Alex")
        assert greeting.startswith("Hey Alex! Welcome to My QFZZ!")
        response = dj.interact("user_001", "Recommend something chill")
        assert response
        assert dj.current_mood("user_001") == "calm"
        assert station.listen_mode == "microphone"  # waits for a microphone to be plugged in
    finally:
        station.stop()
    assert not station.running


def test_guide_integration_with_blockchain(short_tracks: Path, isolated_env: Path) -> None:
    config = StationConfig(
        station_name="My Personal QFZZ",
        edge_mode=True,
        enable_personalization=True,
        blockchain_enabled=True,
        settings=settings(short_tracks),
        listen="none",
        speak=False,
        play=False,
    )
    station = QFZZStation(config=config)
    station.start()
    try:
        dj = station.get_dj()
        assert "Your Name" in dj.greet_user("your_user_id", "Your Name")
        dj.update_preferences("your_user_id", ["your", "favorite", "genres"])
        assert dj.interact("your_user_id", "What should I listen to today?")
        dj.add_to_community("your_user_id", "friend")
        assert station.verify_ledger() is None
    finally:
        station.stop()
    ledger = isolated_env / "ledger.jsonl"
    lines = ledger.read_text().splitlines()
    kinds = [json.loads(line)["kind"] for line in lines]
    assert kinds == ["trust", "community_join"]
    tampered = json.loads(lines[0])
    tampered["data"]["trust"] = 1.0
    ledger.write_text("\n".join([json.dumps(tampered), *lines[1:]]) + "\n")
    again = QFZZStation(config)
    again.start()
    try:
        assert again.verify_ledger() == 0
    finally:
        again.stop()


def test_the_ledger_is_off_unless_asked(quiet_station: Callable[..., QFZZStation]) -> None:
    station = quiet_station(play=False)
    with pytest.raises(RuntimeError):
        station.verify_ledger()


def test_listening_teaches_the_dj(quiet_station: Callable[..., QFZZStation]) -> None:
    station = quiet_station()
    dj = station.get_dj()
    turn = station.handle("play some jazz")
    assert turn.reply is not None and "jazz" in turn.reply.text
    (action,) = turn.reply.actions
    first = action.track  # type: ignore[union-attr]
    assert first.genres == ("jazz",)
    wait_until(lambda: dj.now_playing == first, what="the player to report the track")
    station.handle("skip this song")

    def events() -> list[tuple[str, str]]:
        data = dj.export_profile("guest") or {"listening": []}
        return [(row["track_id"], row["event"]) for row in data["listening"]]

    wait_until(lambda: (first.track_id, "skipped") in events())
    wait_until(lambda: any(event == "completed" for _, event in events()), timeout=30)
    # the radio went on by itself, with the DJ's own picks
    assert len({track for track, _ in events()}) >= 2, events()


def test_commentary_between_tracks(
    quiet_station: Callable[..., QFZZStation], caplog: pytest.LogCaptureFixture
) -> None:
    """The DJ talks over the change to the next track it picked. Its chance at a change is the
    frequency times half to one and a half (how well it knows the listener): a seeded random
    source makes it talk at the same early change in every run (the second), not after a
    random number of them (eight, 16 s, once)."""
    caplog.set_level(logging.INFO, logger="appliance")
    station = quiet_station(
        '[dj]\ncommentary = 1.0\nquiet_hours = "00:00-00:01"\n',
        speak=True,
        parts=Parts(random=lambda: random.Random(1)),
    )
    station.handle("play some jazz")
    wait_until(lambda: "commentary:" in caplog.text, timeout=40)
    said = [r.getMessage() for r in caplog.records if r.getMessage().startswith("commentary:")]
    assert said[0].startswith("commentary: That was '")
    assert "Up next, '" in said[0]


def test_without_personalization_nothing_is_remembered(
    quiet_station: Callable[..., QFZZStation], isolated_env: Path
) -> None:
    station = quiet_station(enable_personalization=False, play=False)
    station.get_dj().greet_user("alex", "Alex")
    assert station.get_dj().store.path is None
    assert not (isolated_env / "dj.db").exists()


def test_a_damaged_store_is_set_aside_and_the_station_starts(
    quiet_station: Callable[..., QFZZStation],
    isolated_env: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    isolated_env.mkdir(parents=True, exist_ok=True)
    (isolated_env / "dj.db").write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    station = quiet_station(play=False)
    assert station.get_dj().store.path == isolated_env / "dj.db"
    assert any(p.name.startswith("dj.db.damaged-") for p in isolated_env.iterdir())
    assert "damaged" in caplog.text
