"""The Home Assistant face on a real started station (mpv to its null output, no microphone, no
voice), driven by Home Assistant's own client: what it sees, and that its commands reach the
station's command path and teach the DJ as spoken ones do."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from aioesphomeapi import InvalidEncryptionKeyAPIError, RequiresEncryptionAPIError

from appliance import control
from appliance.faces import secrets
from appliance.station import QFZZStation, StationConfig
from tests.faces.test_esphome import client, eventually, face_settings, keys, run, serving
from tests.support import music
from tests.support.http_server import serving_folder
from tests.support.pulse import SINK_RATE, PulseServer
from tests.support.sound import as_float, settled_level, tone_db, tone_levels
from tests.support.waiting import wait_until


@pytest.fixture(scope="module")
def songs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return music.tone_library(tmp_path_factory.mktemp("songs"), music.TONES, seconds=4.0)


@pytest.fixture(scope="module")
def station(songs: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[QFZZStation]:
    # its own data folder: a module's station starts before each test's private HOME is set
    config = StationConfig.from_settings(
        face_settings(songs), listen="none", speak=False, audio_output="null",
        data_dir=tmp_path_factory.mktemp("station-data"),
    )  # fmt: skip
    made = QFZZStation(config)
    made.start()
    outcome = made.execute(control.Play(genre="jazz", source="test"))
    assert outcome.ok, outcome
    wait_until(lambda: made.snapshot().track is not None, what="the first track")
    yield made
    made.stop()


def test_home_assistant_drives_a_real_station(
    station: QFZZStation, songs: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = face_settings(songs)
    key = secrets.encryption_key(settings, tmp_path)
    dj = station.get_dj()
    user = station.snapshot().listener

    def skipped(track_id: str) -> bool:
        data = dj.export_profile(user) or {"listening": []}
        return any(r["track_id"] == track_id and r["event"] == "skipped" for r in data["listening"])

    assert user == "guest" and station.execute(control.SetMood(mood=None, source="test")).ok

    async def scenario() -> None:
        async with serving(station, settings, tmp_path) as face:
            with pytest.raises(RequiresEncryptionAPIError):
                async with client(face, None):
                    pass
            with pytest.raises(InvalidEncryptionKeyAPIError):
                async with client(face, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="):
                    pass
            async with client(face, key) as api:
                info = await api.device_info()
                assert info.friendly_name == "Kitchen Speaker" and info.model == "QFZZ"
                by_id = keys((await api.list_entities_services())[0])
                assert by_id["choose_listener"].options == ["Guest"]  # the name, not "guest"
                seen: dict[int, Any] = {}
                api.subscribe_states(lambda state: seen.__setitem__(state.key, state))
                title = by_id["title"].key

                def shown(name: str) -> str:
                    return getattr(seen.get(by_id[name].key), "state", "")

                # the sensors say what the selects say, in words a person reads: the listener's
                # name, "No mood", and the voice's state capitalised as Home Assistant's own
                await eventually(lambda: shown("listener") == "Guest", "the listener's name")
                await eventually(lambda: shown("mood") == "No mood", "no mood, as the select")
                assert shown("choose_mood") == "No mood" and shown("choose_listener") == "Guest"
                assert shown("voice") == "Idle"

                def shown_title() -> str:
                    return getattr(seen.get(title), "state", "")

                now = station.snapshot().track
                assert now is not None
                await eventually(lambda: shown_title() == now.title, "the title")

                api.media_player_command(by_id["speaker"].key, volume=0.42)
                await eventually(lambda: station.snapshot().volume == 42, "volume 42")

                api.button_command(by_id["skip"].key)
                await eventually(lambda: skipped(now.track_id), "the DJ to record the skip")
                # (the station's next pick may be the skipped track again: not this face's
                # doing; a title change is seen with a track from another genre instead)
                assert station.execute(control.Play(genre="rock", source="test")).ok
                await eventually(
                    lambda: (
                        "Rock" in shown_title()
                        and shown_title() == getattr(station.snapshot().track, "title", "")
                    ),
                    "the new title pushed",
                )

                api.select_command(by_id["choose_mood"].key, "Calm")
                await eventually(lambda: station.snapshot().mood == "calm", "the mood")
                await eventually(
                    lambda: getattr(seen.get(by_id["mood"].key), "state", "") == "Calm",
                    "the mood sensor",
                )

                api.switch_command(by_id["commentary"].key, False)
                await eventually(lambda: not station.snapshot().commentary, "commentary off")
                api.switch_command(by_id["commentary"].key, True)
                await eventually(lambda: station.snapshot().commentary, "commentary on")

            new = control.SwitchListener(user_id="alex", name="Alex", source="test")
            assert station.execute(new).ok
            async with client(face, key) as api:  # a new listener: Home Assistant reconnects
                by_id = keys((await api.list_entities_services())[0])
                assert by_id["choose_listener"].options == ["Guest", "Alex"]
                api.select_command(by_id["choose_listener"].key, "Guest")  # back to the id
                await eventually(lambda: station.snapshot().listener == user, "the guest again")

    with caplog.at_level(logging.INFO):
        run(scenario())
    assert "refused" in caplog.text


@pytest.mark.audio
def test_an_announcement_ducks_the_music_and_brings_it_back(
    pulse: PulseServer, tone_music: Path, tmp_path: Path
) -> None:
    """Jazz (a 660 Hz tone) plays; Home Assistant announces a 1500 Hz chime from a local HTTP
    server: the speaker hears the chime over the music held down, then the music as before."""
    chimes = tmp_path / "http"
    chimes.mkdir()
    music.write(chimes / "chime.wav", music.signal(seconds=2.5, freq=1500.0, level=0.5))
    with serving_folder(chimes) as base:
        url = f"{base}/chime.wav"
        settings = face_settings(tone_music)
        config = StationConfig.from_settings(settings, listen="none", speak=False)
        station = QFZZStation(config)
        recorder = pulse.recorder().start()
        try:
            station.start()
            assert station.execute(control.Play(genre="jazz", source="test")).ok
            before = settled_level(recorder, 660, lambda level: level > 50)
            key = secrets.encryption_key(settings, tmp_path)
            start = recorder.mark()

            async def scenario() -> None:
                async with serving(station, settings, tmp_path) as face, client(face, key) as api:
                    player = keys((await api.list_entities_services())[0])["speaker"].key
                    api.media_player_command(player, media_url=url, announcement=True)
                    await eventually(lambda: station.snapshot().ducked, "the music ducked")
                    await eventually(lambda: not station.snapshot().ducked, "the music back", 20)

            run(scenario())
            heard = recorder.wait_for(
                lambda audio: (
                    len(audio) > 4 * SINK_RATE * 2
                    and tone_db(as_float(audio[-SINK_RATE:]), 1500, window_s=0.2) < 20
                ),
                start,
                what="the chime and its end",
            )
            levels = tone_levels(as_float(heard), 1500, window_s=0.1)
            chiming = np.flatnonzero(levels > 0.3 * levels.max())
            assert chiming.size >= 15  # 2.5 s of chime, in 0.1 s windows (gaps allowed)
            inside = as_float(heard)[
                (chiming[0] + 5) * SINK_RATE // 10 : (chiming[-1] - 2) * SINK_RATE // 10
            ]
            during = tone_db(inside, 660, window_s=0.3, hop_s=0.1)
            after = settled_level(recorder, 660, lambda level: level > during + 3)
            assert during < before - 6, (before, during)
            assert abs(after - before) < 1.5, (before, after)
        finally:
            recorder.stop()
            station.stop()
