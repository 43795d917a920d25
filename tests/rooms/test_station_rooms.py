"""The rooms in a real started station: its music reaches a real snapclient, SetRoom works from
the command path, the rooms are in the state, and the music plays on here while snapserver is
down, until the rooms come back by themselves."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from appliance.config import parse_config
from appliance.control import Outcome, Play, SetRoom
from appliance.rooms.programme import _streams
from appliance.station import QFZZStation, StationConfig
from tests.rooms.conftest import House
from tests.rooms.snapcast import SnapClient
from tests.rooms.test_programme import ROOM_RATE, strength
from tests.support.music import TONES
from tests.support.pulse import SINK_RATE, PulseServer
from tests.support.waiting import wait_until


def source(house: House) -> str:
    """How the programme reaches the house's server: over TCP, or the pipe it reads itself."""
    server = house.server
    if server.source_port:
        return f'source_port = {server.source_port}\nfifo = "{server.root / "qfzz.fifo"}"\n'
    return f'source_port = 0\nfifo = "{server.fifo}"\n'


def start_station(
    house: House, tone_music: Path, data: Path, extra: str = "", speak: bool = False
) -> QFZZStation:
    settings = parse_config(
        f'[library]\nmusic_folders = ["{tone_music}"]\n'
        "[dj]\ncommentary = 0.0\n"
        "[web]\nenabled = false\n[mpd]\nenabled = false\n[home_assistant]\nenabled = false\n"
        f'[snapcast]\nenabled = true\nserver = "127.0.0.1"\n'
        f"control_port = {house.server.control_port}\n"
        f'stream = "QFZZ"\n{source(house)}{extra}'
    )
    config = StationConfig.from_settings(
        settings, listen="none", speak=speak, faces=True, data_dir=data
    )
    made = QFZZStation(config)
    made.start()
    return made


@pytest.fixture
def station(
    pulse: PulseServer, tcp_house: House, tone_music: Path, tmp_path: Path
) -> Iterator[QFZZStation]:
    made = start_station(tcp_house, tone_music, tmp_path / "data")
    try:
        yield made
    finally:
        made.stop()


def rooms(station: QFZZStation) -> dict:
    return {room.name: room for room in station.snapshot().rooms}


def programme_sinks() -> list[int]:
    return [s["sink"] for s in _streams() if s["properties"].get("application.name") == "qfzz"]


@pytest.mark.audio
def test_the_station_plays_in_the_kitchen_and_rooms_are_commands(
    station: QFZZStation, tcp_house: House, pulse: PulseServer
) -> None:
    house = tcp_house
    wait_until(lambda: {"kitchen", "bedroom"} <= rooms(station).keys(), 15, "the rooms")
    assert rooms(station)["kitchen"].on and rooms(station)["kitchen"].connected
    assert not station.execute(SetRoom(room="", source="test")).ok  # a refusal, not a crash
    assert station.execute(Play(genre="Jazz", source="test")).ok
    wait_until(
        lambda: strength(house.kitchen.heard()[-ROOM_RATE * 4 :], ROOM_RATE, 660, 2) > 0.02,
        20,
        "the station's jazz in the kitchen",
    )

    outcome = station.execute(SetRoom(room="Bedroom", volume=30, latency_ms=50, source="test"))
    assert outcome.ok, outcome.error
    assert "bedroom" in outcome.text
    wait_until(lambda: rooms(station)["bedroom"].volume == 30, 5, "the state")
    assert rooms(station)["bedroom"].latency_ms == 50
    refused = station.execute(SetRoom(room="attic", on=True, source="test"))
    assert not refused.ok and "attic" in refused.error

    async def from_the_loop() -> Outcome:  # a face that forgot run_in_executor: no deadlock
        return station.execute(SetRoom(room="bedroom", volume=20, source="test"))

    assert station.faces is not None
    refused = station.faces.call(from_the_loop(), 5)
    assert not refused.ok and "executor" in refused.error

    house.server.stop(kill=True)
    wait_until(lambda: not rooms(station)["kitchen"].connected, 10, "the rooms to go away")
    vsink = next(
        int(line.split("\t")[0])
        for line in pulse.pactl("list", "short", "sinks").splitlines()
        if line.split("\t")[1] == "vsink"
    )
    wait_until(lambda: programme_sinks() == [vsink] * len(programme_sinks()) != [], 10, "local")
    recorder = pulse.recorder()
    try:
        mark = recorder.mark() // 2 * 2  # a whole sample
        recorder.wait_for(
            lambda audio: strength(audio, SINK_RATE, 660, 1) > 0.02, mark, what="music here"
        )
    finally:
        recorder.stop()
    refused = station.execute(SetRoom(room="kitchen", volume=10, source="test"))
    assert not refused.ok and "not reachable" in refused.error

    house.server.start()
    wait_until(
        lambda: rooms(station).get("kitchen") and rooms(station)["kitchen"].connected,
        60,
        "the kitchen back after its server restarts (backoff up to 10 s, and the client's own)",
    )
    assert station.execute(SetRoom(room="kitchen", volume=80, source="test")).ok


def voice_level(audio: bytes) -> float:
    """The energy of a room's audio (48 kHz s16le stereo) apart from the music's tones (660 Hz
    jazz, 990 Hz rock): what the DJ's voice adds."""
    samples = np.frombuffer(audio[: len(audio) // 4 * 4], "<i2").reshape(-1, 2)[:, 0] / 32768
    if len(samples) < ROOM_RATE // 10:
        return 0.0
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    hz = np.fft.rfftfreq(len(samples), 1 / ROOM_RATE)
    tones = ((hz > 600) & (hz < 720)) | ((hz > 930) & (hz < 1050))
    voice = (hz > 150) & (hz < 5000) & ~tones
    return float(np.sqrt(np.sum(spectrum[voice] ** 2)) / len(samples))


@pytest.mark.audio
def test_duck_local_and_the_djs_talk_in_the_rooms_and_a_reply_here_only(
    pulse: PulseServer, house: House, tone_music: Path, tmp_path: Path
) -> None:
    """This board's own room is the kitchen (a snapclient here); the bedroom is elsewhere.
    duck = "local" lowers the kitchen alone; the DJ's talk between tracks reaches the rooms, a
    reply to a request does not."""
    station = start_station(
        house, tone_music, tmp_path / "data", 'duck = "local"\nlocal_room = "kitchen"\n', True
    )
    try:
        wait_until(lambda: {"kitchen", "bedroom"} <= rooms(station).keys(), 15, "the rooms")
        dj, dialogue = station.get_dj(), station.dialogue
        assert dialogue is not None and station.voice is not None
        track = dj.next_track(station.user_id)
        pick = dj.last_pick(station.user_id)
        assert track is not None and pick is not None
        assert station.execute(Play(track_id=track.track_id, source="test")).ok
        # the start of the track has once taken over 10 s on a loaded machine
        wait_until(lambda: dj.now_playing == track, 30, "the pick on air")
        about = " ".join((*track.genres, track.artist or "")).casefold()
        hz = next(tone for genre, tone in TONES.items() if genre.casefold() in about)
        window = ROOM_RATE  # bytes of a quarter second of a room's audio

        def level(room: SnapClient) -> float:
            return strength(room.heard()[-window:], ROOM_RATE, hz, 2)

        def steady() -> bool:  # the music fully in, in both rooms
            return min(level(house.bedroom), level(house.kitchen)) > 0.12

        wait_until(steady, 20, "the music in both rooms")
        before = level(house.bedroom)
        station.ducking.hold("test")
        wait_until(lambda: rooms(station)["kitchen"].volume < 30, 5, "the kitchen ducked")
        time.sleep(0.7)  # Snapcast's buffer
        assert level(house.kitchen) < before / 3
        assert level(house.bedroom) > before * 0.7, "the bedroom was ducked too"
        assert rooms(station)["bedroom"].volume == 100
        station.ducking.release("test")
        wait_until(lambda: rooms(station)["kitchen"].volume == 100, 5, "the kitchen back")

        half = ROOM_RATE * 2  # bytes of half a second

        def kitchen_voice() -> float:
            return voice_level(house.kitchen.heard()[-half:])

        wait_until(lambda: not dialogue.speaking, 30, "the DJ silent")
        time.sleep(1.0)
        quiet = kitchen_voice()
        mark = len(house.kitchen.heard()) // 4 * 4  # a whole frame (s16le stereo)
        turn = station.handle("what's playing")  # a reply: only here
        assert turn.reply is not None and turn.reply.text
        time.sleep(1.0)  # the end of the reply, through Snapcast's buffer
        eighth = ROOM_RATE // 2  # bytes of an eighth of a second
        during = house.kitchen.heard()[mark:]
        loud = [
            voice_level(during[start : start + eighth]) >= max(quiet * 3, 1e-3)
            for start in range(0, len(during) - eighth + 1, eighth)
        ]
        busiest = max(sum(loud[first : first + 16]) for first in range(max(1, len(loud) - 15)))
        # a reply sent across the house fills most eighths of a second or two of its words; the
        # clicks of a snapclient starved on a loaded machine, a few
        assert busiest <= 5, f"the reply went across the house ({busiest} of 16 eighths loud)"

        peak = [0.0]

        def talk_heard() -> bool:
            peak[0] = max(peak[0], kitchen_voice())
            return peak[0] > max(quiet * 5, 2e-3)

        dialogue.submit_commentary(None, pick)
        wait_until(talk_heard, 30, "the DJ's talk in the kitchen")
    finally:
        station.stop()
