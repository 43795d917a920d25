"""The Home Assistant face against Home Assistant's own client (aioesphomeapi's APIClient) on
127.0.0.1: the key, the device, its entities, states pushed as the station changes, and commands
that reach the station (a double of it over a real library and DJ) with their source."""

from __future__ import annotations

import asyncio
import base64
import logging
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar
from unittest import mock

import pytest
from aioesphomeapi import (
    APIClient,
    ButtonInfo,
    EntityState,
    Event,
    EventInfo,
    InvalidEncryptionKeyAPIError,
    MediaPlayerCommand,
    MediaPlayerInfo,
    NumberInfo,
    RequiresEncryptionAPIError,
    SelectInfo,
    SwitchInfo,
    TextSensorInfo,
    TextSensorState,
)
from aioesphomeapi.model import MediaPlayerEntityFeature

from appliance.config import Config, FacesSettings, HomeAssistantSettings, parse_config
from appliance.control import PlayUrl, Skip, SwitchListener
from appliance.faces import secrets
from appliance.faces.esphome import EsphomeFace
from appliance.faces.esphome import entities as ents
from appliance.faces.esphome import session as session_module
from appliance.faces.esphome.face import ID_FILE
from appliance.faces.esphome.messages import pb
from appliance.faces.host import FaceHost
from tests.faces.esphome_support import HomeStation, closed_by_the_face, handshake, sealed
from tests.support import music

T = TypeVar("T")
TIMEOUT = 10.0


@pytest.fixture(scope="module")
def short_tracks(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return music.tone_library(tmp_path_factory.mktemp("short"), music.TONES, seconds=3.0)


def face_settings(folder: Path) -> Config:
    """The station's settings; the face on a free port of the loopback (mDNS there too)."""
    settings = parse_config(
        f'[library]\nmusic_folders = ["{folder}"]\n[station]\nname = "Kitchen Speaker"\n'
    )
    return replace(
        settings,
        faces=FacesSettings(bind="localhost"),
        home_assistant=HomeAssistantSettings(port=0),
    )


@pytest.fixture
def station(short_tracks: Path, tmp_path: Path) -> Iterator[HomeStation]:
    made = HomeStation(short_tracks, tmp_path / "station")
    yield made
    made.close()


def run(scenario: Awaitable[T]) -> T:
    return asyncio.run(asyncio.wait_for(scenario, 60))


@asynccontextmanager
async def serving(
    station: Any, settings: Config, data: Path, **options: Any
) -> AsyncIterator[EsphomeFace]:
    face = EsphomeFace(station, settings, data, **options)
    await face.start()
    try:
        yield face
    finally:
        await face.stop()


@dataclass(frozen=True)
class Home:
    """What a test serves the face with: its settings (the short tracks, on the loopback), its
    data folder, and the key Home Assistant is given."""

    settings: Config
    data: Path
    key: str


@pytest.fixture
def home(short_tracks: Path, tmp_path: Path) -> Home:
    settings = face_settings(short_tracks)
    return Home(settings, tmp_path, secrets.encryption_key(settings, tmp_path))


async def connected(
    face: EsphomeFace, key: str | None, client_info: str = "test", **options: Any
) -> APIClient:
    """Home Assistant's client, connected to ``face`` (``options``: for ``connect``)."""
    api = APIClient("127.0.0.1", face.port, None, noise_psk=key, client_info=client_info)
    await asyncio.wait_for(api.connect(**{"login": False, **options}), TIMEOUT)
    return api


@asynccontextmanager
async def client(
    face: EsphomeFace, key: str | None, login: bool = False, client_info: str = "test"
) -> AsyncIterator[APIClient]:
    api = await connected(face, key, client_info, login=login)
    try:
        yield api
    finally:
        await api.disconnect()


async def eventually(check: Callable[[], object], what: str, timeout: float = TIMEOUT) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


def keys(entities: list[Any]) -> dict[str, Any]:
    return {entity.object_id: entity for entity in entities}


def test_home_assistant_connects_with_the_key_and_sees_the_device(
    station: HomeStation, home: Home, tmp_path: Path
) -> None:
    settings, key = home.settings, home.key

    async def scenario() -> None:
        async with serving(station, settings, tmp_path) as face, client(face, key) as api:
            info = await api.device_info()
            assert info.friendly_name == "Kitchen Speaker" and info.model == "QFZZ"
            assert info.name.startswith("kitchen-speaker-") and len(info.name) <= 31
            kept = (tmp_path / ID_FILE).read_text().strip()
            assert info.mac_address == kept.upper() and not info.uses_password
            assert info.project_version and info.api_encryption_supported
            found, services = await api.list_entities_services()
            assert services == []
            by_id = keys(found)
            assert set(by_id) == {entity.object_id for entity in ents.ENTITIES}
            player = by_id["speaker"]
            assert isinstance(player, MediaPlayerInfo) and player.supports_pause
            flags = MediaPlayerEntityFeature(player.feature_flags)
            assert MediaPlayerEntityFeature.MEDIA_ANNOUNCE in flags
            assert MediaPlayerEntityFeature.PLAY_MEDIA in flags
            texts = ("title", "artist", "album", "dj_line", "listener", "mood", "voice")
            for name in (*texts, "last_refusal"):
                assert isinstance(by_id[name], TextSensorInfo)
            assert isinstance(by_id["refused"], EventInfo)
            for name in ("skip", "like", "dislike"):
                assert isinstance(by_id[name], ButtonInfo)
            mood = by_id["choose_mood"]
            assert isinstance(mood, SelectInfo) and mood.options[:2] == ["No mood", "Energetic"]
            listeners = by_id["choose_listener"]
            assert isinstance(listeners, SelectInfo) and listeners.options
            volume = by_id["volume"]
            assert isinstance(volume, NumberInfo) and (volume.min_value, volume.max_value) == (
                0,
                100,
            )
            assert isinstance(by_id["microphone_mute"], SwitchInfo)
            assert isinstance(by_id["commentary"], SwitchInfo)
        # the next start is the same device to Home Assistant
        async with serving(station, settings, tmp_path) as face, client(face, key) as api:
            assert (await api.device_info()).mac_address == info.mac_address

    run(scenario())


def test_a_client_without_the_key_or_with_another_is_refused(
    station: HomeStation, home: Home, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings, key = home.settings, home.key
    other = base64.b64encode(os.urandom(32)).decode()

    async def scenario() -> None:
        async with serving(station, settings, tmp_path) as face:
            with pytest.raises(RequiresEncryptionAPIError):
                async with client(face, None):
                    pass
            with pytest.raises(InvalidEncryptionKeyAPIError):
                async with client(face, other):
                    pass
            async with client(face, key) as api:  # the face still serves
                assert (await api.device_info()).model == "QFZZ"

    with caplog.at_level(logging.WARNING, "appliance.faces.esphome"):
        run(scenario())
    assert "without encryption was refused" in caplog.text
    assert "another encryption key was refused" in caplog.text


def test_without_encryption_the_plaintext_format_serves_and_an_encrypting_client_is_told(
    station: HomeStation, short_tracks: Path, tmp_path: Path
) -> None:
    settings = face_settings(short_tracks)

    async def scenario() -> None:
        async with serving(station, settings, tmp_path, plaintext=True) as face:
            async with client(face, None) as api:
                assert not (await api.device_info()).api_encryption_supported
                found, _ = await api.list_entities_services()
                assert len(found) == len(ents.ENTITIES)
            with pytest.raises(Exception, match=r"plaintext|encryption"):
                async with client(face, secrets.encryption_key(settings, tmp_path)):
                    pass

    run(scenario())


def test_states_follow_the_station_and_commands_reach_it(
    station: HomeStation, home: Home, tmp_path: Path
) -> None:
    settings, key = home.settings, home.key
    dj = station.dj

    async def scenario() -> None:
        async with serving(station, settings, tmp_path) as face, client(face, key) as api:
            found, _ = await api.list_entities_services()
            by_id = keys(found)
            seen: dict[int, EntityState] = {}
            refusals: list[tuple[str, str]] = []  # (event type, the reason the sensor showed)

            def on_state(state: EntityState) -> None:
                seen[state.key] = state
                if isinstance(state, Event) and state.key == ents.REFUSED.key:
                    reason = seen.get(ents.LAST_REFUSAL.key)  # pushed before the event
                    refusals.append((state.event_type, getattr(reason, "state", "")))

            api.subscribe_states(on_state)
            title_key = by_id["title"].key
            stateful = [e for e in ents.ENTITIES if e.kind not in ("button", "event")]
            await eventually(lambda: len(seen) == len(stateful), "every entity's state")

            def title() -> str:
                state = seen.get(title_key)
                return state.state if isinstance(state, TextSensorState) else ""

            assert title() == station.snapshot().track.title  # type: ignore[union-attr]

            # the volume, from the media player and from the number
            api.media_player_command(by_id["speaker"].key, volume=0.35)
            await eventually(lambda: station.snapshot().volume == 35, "volume 35")
            api.number_command(by_id["volume"].key, 60)
            await eventually(lambda: station.snapshot().volume == 60, "volume 60")
            await eventually(
                lambda: getattr(seen.get(by_id["volume"].key), "state", None) == 60,
                "the volume pushed back",
            )

            # skip: the station moves on, the DJ records it, the title follows
            before = station.snapshot().track
            assert before is not None
            user = station.snapshot().listener
            api.button_command(by_id["skip"].key)

            def skipped() -> bool:
                data = dj.export_profile(user) or {"listening": []}
                return any(
                    row["track_id"] == before.track_id and row["event"] == "skipped"
                    for row in data["listening"]
                )

            await eventually(skipped, "the DJ to record the skip")
            await eventually(
                lambda: station.snapshot().track not in (None, before), "the next track"
            )
            await eventually(
                lambda: title() == station.snapshot().track.title,  # type: ignore[union-attr]
                "the new title pushed",
            )

            # the mood select, and a mood that is not offered changes nothing
            api.select_command(by_id["choose_mood"].key, "Calm")
            await eventually(lambda: station.snapshot().mood == "calm", "the mood")
            api.select_command(by_id["choose_mood"].key, "furious")
            api.select_command(by_id["choose_mood"].key, "No mood")
            await eventually(lambda: station.snapshot().mood is None, "the mood cleared")
            # refused by the face: Home Assistant is told by the event, and why by the sensor
            await eventually(lambda: refusals, "the mood's refusal")
            assert refusals[0][0] == ents.COMMAND_REFUSED
            assert refusals[0][1].startswith("Refused: mood 'furious' is not one of ")

            # the switches
            api.switch_command(by_id["microphone_mute"].key, True)
            api.switch_command(by_id["commentary"].key, False)
            await eventually(
                lambda: station.snapshot().microphone_muted and not station.snapshot().commentary,
                "the switches",
            )
            api.switch_command(by_id["microphone_mute"].key, False)
            api.switch_command(by_id["commentary"].key, True)
            await eventually(
                lambda: not station.snapshot().microphone_muted and station.snapshot().commentary,
                "the switches back",
            )

            # pause and play from the media player
            api.media_player_command(by_id["speaker"].key, command=MediaPlayerCommand.PAUSE)
            await eventually(lambda: station.snapshot().play_state == "paused", "paused")
            api.media_player_command(by_id["speaker"].key, command=MediaPlayerCommand.PLAY)
            await eventually(lambda: station.snapshot().play_state == "playing", "playing")

            # refused by the station: a like with nothing playing, told the same way
            api.media_player_command(by_id["speaker"].key, command=MediaPlayerCommand.STOP)
            await eventually(lambda: station.snapshot().track is None, "stopped")
            api.button_command(by_id["like"].key)
            await eventually(lambda: len(refusals) == 2, "the like's refusal")
            assert refusals[1] == (ents.COMMAND_REFUSED, "Refused Like: nothing is playing")

    run(scenario())
    assert station.executed and {c.source for c in station.executed} == {"home_assistant"}
    assert not any(getattr(c, "mood", None) == "furious" for c in station.executed)


def test_a_peer_outside_the_network_is_refused_before_anything_is_read(
    short_tracks: Path, tmp_path: Path
) -> None:
    face = EsphomeFace(mock.Mock(), face_settings(short_tracks), tmp_path)

    async def attempt(address: str) -> bool:
        await face.start()
        try:
            reader = mock.Mock()
            writer = mock.Mock()
            writer.get_extra_info.return_value = (address, 40000)
            await face._accept(reader, writer)
            return bool(writer.transport.abort.called) and not reader.read.called
        finally:
            await face.stop()

    assert run(attempt("8.8.8.8"))
    assert run(attempt("192.168.1.20"))  # bind = "localhost": only this device


def test_the_device_is_advertised_over_mdns_on_the_loopback(
    station: HomeStation, short_tracks: Path, tmp_path: Path
) -> None:
    from zeroconf import IPVersion
    from zeroconf.asyncio import AsyncServiceInfo, AsyncZeroconf

    settings = face_settings(short_tracks)

    async def scenario() -> None:
        async with serving(station, settings, tmp_path) as face:
            assert face.device is not None
            name = f"{face.device.name}._esphomelib._tcp.local."
            browser = AsyncZeroconf(interfaces=["127.0.0.1"], ip_version=IPVersion.V4Only)
            try:
                info = AsyncServiceInfo("_esphomelib._tcp.local.", name)
                assert await info.async_request(browser.zeroconf, 3000)
            finally:
                await browser.async_close()
            # what Home Assistant's ESPHome integration reads
            assert info.port == face.port and info.parsed_addresses() == ["127.0.0.1"]
            assert info.server == f"{face.device.name}.local."
            txt = {k.decode(): (v or b"").decode() for k, v in info.properties.items()}
            assert txt["mac"] == face.device.mac_plain and len(txt["mac"]) == 12
            assert txt["friendly_name"] == "Kitchen Speaker"
            assert txt["api_encryption"] == "Noise_NNpsk0_25519_ChaChaPoly_SHA256"
            assert txt["version"]

    run(scenario())


def test_a_url_and_an_announcement_from_home_assistant(
    station: HomeStation, home: Home, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings, key = home.settings, home.key
    url = "http://127.0.0.1:8123/api/tts_proxy/doorbell.mp3"

    async def scenario() -> None:
        async with serving(station, settings, tmp_path) as face, client(face, key) as api:
            player = keys((await api.list_entities_services())[0])["speaker"].key
            api.media_player_command(player, media_url="file:///etc/passwd")
            api.media_player_command(player, media_url=url, announcement=True)
            await eventually(
                lambda: any(isinstance(c, PlayUrl) for c in station.executed), "the announcement"
            )
            api.media_player_command(player, media_url=url)
            await eventually(
                lambda: getattr(station.snapshot().track, "path", None) == url, "the URL playing"
            )

    with caplog.at_level(logging.WARNING, "appliance.faces.esphome"):
        run(scenario())
    urls = [c for c in station.executed if isinstance(c, PlayUrl)]
    assert [(c.url, c.announce) for c in urls] == [(url, True), (url, False)]
    assert "not http(s)" in caplog.text  # the file URL was refused and never reached it


def test_a_client_that_falls_behind_still_ends_with_the_stations_state(
    station: HomeStation, home: Home, tmp_path: Path
) -> None:
    settings, key = home.settings, home.key

    async def scenario() -> None:
        async with serving(station, settings, tmp_path) as face, client(face, key) as api:
            volume = keys((await api.list_entities_services())[0])["volume"].key
            seen: dict[int, Any] = {}
            api.subscribe_states(lambda state: seen.__setitem__(state.key, state))
            await eventually(lambda: volume in seen, "the first states")
            for level in range(1000):  # far more than a subscriber's queue, without a pause
                station.update(volume=level % 100)
            station.update(volume=42)
            await eventually(lambda: seen[volume].state == 42, "the last volume")

    run(scenario())


def test_a_silent_client_is_pinged_and_one_that_never_answers_is_closed(
    station: HomeStation, home: Home, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(session_module, "QUIET_BEFORE_PING", 0.3)
    settings, key = home.settings, home.key

    async def scenario() -> None:
        async with serving(station, settings, tmp_path) as face:
            reader, writer, encrypt = await handshake(face.port, key)
            hello = pb.HelloRequest(client_info="silent").SerializeToString()
            writer.write(sealed(encrypt, 1, hello))
            writer.write(sealed(encrypt, 36, b""))  # GetTimeRequest: the device's time
            received = await asyncio.wait_for(reader.read(65536), 5)
            assert received  # the hello's answer and the time
            started = asyncio.get_running_loop().time()
            assert await closed_by_the_face(reader)  # pinged, never answered: closed
            assert asyncio.get_running_loop().time() - started < 3
            writer.close()
            # a real client answers the pings and stays
            async with client(face, key) as api:
                await asyncio.sleep(1.5)
                assert (await api.device_info()).model == "QFZZ"

    run(scenario())


def test_a_new_listener_makes_home_assistant_reconnect_to_see_the_option(
    station: HomeStation, home: Home, tmp_path: Path
) -> None:
    settings, key = home.settings, home.key

    async def scenario() -> None:
        async with serving(station, settings, tmp_path) as face:
            stopped: list[bool] = []

            async def on_stop(expected: bool) -> None:
                stopped.append(expected)

            api = await connected(face, key, on_stop=on_stop)
            listeners = keys((await api.list_entities_services())[0])["choose_listener"]
            assert "Sam" not in listeners.options
            api.subscribe_states(lambda state: None)
            await asyncio.get_running_loop().run_in_executor(
                None, station.execute, SwitchListener(user_id="sam", name="Sam", source="test")
            )
            await eventually(lambda: stopped == [True], "the device to ask for a reconnect")
            async with client(face, key) as again:
                listeners = keys((await again.list_entities_services())[0])["choose_listener"]
                assert "Sam" in listeners.options
                again.select_command(listeners.key, "Alex")
                await eventually(lambda: station.snapshot().listener == "alex", "Alex listening")

    run(scenario())


def test_a_track_change_reaches_a_subscribed_client_within_250_ms(
    station: HomeStation, home: Home, tmp_path: Path
) -> None:
    settings, key = home.settings, home.key
    delays: list[float] = []

    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        async with serving(station, settings, tmp_path) as face, client(face, key) as api:
            title = keys((await api.list_entities_services())[0])["title"].key
            arrived: dict[str, float] = {}

            def on_state(state: EntityState) -> None:
                if state.key == title and isinstance(state, TextSensorState):
                    arrived.setdefault(state.state, time.perf_counter())

            api.subscribe_states(on_state)
            await eventually(lambda: arrived, "the first title")
            for _ in range(20):
                arrived.clear()
                sent = time.perf_counter()
                await loop.run_in_executor(None, station.execute, Skip(source="test"))
                now = station.snapshot().track
                assert now is not None
                await eventually(lambda: now.title in arrived, "the title")  # noqa: B023
                delays.append(arrived[now.title] - sent)

    run(scenario())
    delays.sort()
    assert delays[len(delays) // 2] < 0.1 and delays[-2] < 0.25, delays


def test_the_face_host_starts_it_says_where_and_stops_it_quickly(
    station: HomeStation, home: Home, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings, key = home.settings, home.key
    host = FaceHost(station, settings, tmp_path)
    with caplog.at_level(logging.INFO, "appliance.faces"):
        (face,) = host.start(["home_assistant"])
    assert isinstance(face, EsphomeFace) and face.name == "home_assistant"
    (address,) = host.addresses()["home_assistant"]
    assert address.startswith(f"127.0.0.1:{face.port} ") and address in caplog.text

    host.call(connected(face, key), TIMEOUT)  # connected while the host stops
    assert face.clients == 1
    started = time.monotonic()
    host.stop()
    assert time.monotonic() - started < 3.0


def test_a_client_that_vanishes_right_after_a_command_leaves_it_done_once(
    station: HomeStation, home: Home, tmp_path: Path
) -> None:
    settings, key = home.settings, home.key
    before = station.snapshot().track
    assert before is not None

    async def scenario() -> None:
        async with serving(station, settings, tmp_path) as face:
            api = await connected(face, key)
            skip = keys((await api.list_entities_services())[0])["skip"].key
            api.button_command(skip)
            api.force_disconnect()  # gone without a goodbye
            await eventually(lambda: face.clients == 0, "the connection to end")
            await eventually(lambda: station.snapshot().track != before, "the skip")
            await asyncio.sleep(0.3)

    run(scenario())
    assert [type(c).__name__ for c in station.executed] == ["Skip"]
    data = station.dj.export_profile(station.snapshot().listener) or {"listening": []}
    skips = [r for r in data["listening"] if r["event"] == "skipped"]
    assert [r["track_id"] for r in skips] == [before.track_id]


def test_a_key_that_is_not_32_bytes_of_base64_stops_the_face_saying_so(
    short_tracks: Path, tmp_path: Path
) -> None:
    settings = replace(
        face_settings(short_tracks),
        home_assistant=HomeAssistantSettings(port=0, encryption_key="my secret"),
    )
    face = EsphomeFace(mock.Mock(), settings, tmp_path)
    with pytest.raises(ValueError, match=r"\[home_assistant\] encryption_key: .*32 bytes"):
        run(face.start())
    assert face.port == 0 and face.addresses() == []
