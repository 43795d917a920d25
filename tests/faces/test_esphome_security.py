"""The Home Assistant face's edges: a URL to play must point at this network (its host checked
after resolving it, so no spelling of a public address gets through), Home Assistant's own
connect sequence (hello with login, device info and entities in one packet, both subscriptions)
is answered, and the moods offered are the station's vocabulary, not the DJ's code."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from aioesphomeapi import Event, TextSensorState

from appliance.control import PlayUrl
from appliance.faces import secrets, urls
from appliance.faces.esphome import entities as ents
from tests.faces.esphome_support import HomeStation
from tests.faces.test_esphome import (
    TIMEOUT,
    Home,
    client,
    eventually,
    face_settings,
    home,  # noqa: F401  (a fixture)
    keys,
    run,
    serving,
    short_tracks,  # noqa: F401  (a fixture)
    station,  # noqa: F401  (a fixture)
)

PUBLIC_SPELLINGS = (
    "http://8.8.8.8/a.mp3",
    "http://134744072/a.mp3",  # 8.8.8.8 as one number: resolves without any DNS
    "http://0x08.0x08.0x08.0x08/a.mp3",
    "http://[::ffff:8.8.8.8]/a.mp3",
    "http://[2001:4860:4860::8888]:8080/a.mp3",
    "https://user@8.8.8.8:443/a.mp3",
)


@pytest.mark.parametrize("url", PUBLIC_SPELLINGS)
def test_a_url_on_another_network_is_not_on_this_one(url: str) -> None:
    assert not ents.on_this_network(url, "lan")


def test_urls_on_this_network_pass_and_localhost_binds_to_this_device() -> None:
    assert ents.on_this_network("http://192.168.1.20:8123/api/tts_proxy/x.mp3", "lan")
    assert ents.on_this_network("http://127.0.0.1:8123/x.mp3", "localhost")
    assert ents.on_this_network("http://localhost:8123/x.mp3", "localhost")
    assert not ents.on_this_network("http://192.168.1.20:8123/x.mp3", "localhost")
    assert not ents.on_this_network("http://127.0.0.1:99999/x.mp3", "lan")  # no such port
    assert not ents.on_this_network("http:///x.mp3", "lan")


def test_a_url_to_play_from_another_network_never_reaches_the_station(
    station: HomeStation,  # noqa: F811
    home: Home,  # noqa: F811
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings, key = home.settings, home.key
    local = "http://127.0.0.1:8123/api/tts_proxy/doorbell.mp3"

    seen: list[Any] = []

    async def scenario() -> None:
        async with (
            serving(station, settings, tmp_path) as face,
            client(face, key, login=True) as api,
        ):
            by_id = keys((await api.list_entities_services())[0])
            assert by_id["refused"].event_types == ["url_refused", "command_refused"]
            api.subscribe_states(seen.append)
            player = by_id["speaker"].key
            for url in PUBLIC_SPELLINGS:
                api.media_player_command(player, media_url=url, announcement=True)
            api.media_player_command(player, media_url="ftp://127.0.0.1/a.mp3")  # no http
            api.media_player_command(player, media_url=local)  # after them, in order
            await eventually(
                lambda: any(isinstance(c, PlayUrl) for c in station.executed), "the local URL"
            )
            await eventually(lambda: len(told(seen)[0]) == 7, "each refusal told")

    with caplog.at_level("WARNING", "appliance.faces.esphome"):
        run(scenario())
    assert [c.url for c in station.executed if isinstance(c, PlayUrl)] == [local]
    assert caplog.text.count(f"refused, {urls.NOT_HERE}") == len(PUBLIC_SPELLINGS)
    # Home Assistant is told too: an event per refusal, and its reason in a sensor (the scheme
    # is refused by the face at once, the addresses by the station's check in turn)
    events, reasons = told(seen)
    assert events == ["url_refused"] * 7
    assert "Refused to play ftp://127.0.0.1/a.mp3: a media URL that is not http(s)" in reasons[0]
    assert any(r.startswith("Refused to play http://8.8.8.8/a.mp3: ") for r in reasons)
    assert sum(urls.NOT_HERE in r for r in reasons) == len(PUBLIC_SPELLINGS)


def told(seen: list[Any]) -> tuple[list[str], list[str]]:
    """What Home Assistant was told of refusals: the refusal events' types, and each reason
    the "Last refusal" sensor showed (its first, empty, state left out)."""
    events = [s.event_type for s in seen if isinstance(s, Event) and s.key == ents.REFUSED.key]
    reasons = [
        s.state for s in seen if isinstance(s, TextSensorState) and s.key == ents.LAST_REFUSAL.key
    ]
    return events, [reason for reason in reasons if reason]


def test_a_url_from_home_assistant_is_resolved_once(
    station: HomeStation,  # noqa: F811
    home: Home,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The command path's check is the only one: the face does not resolve the name first
    (a name that answers differently the second time would pass one check and fail the other)."""
    settings, key = home.settings, home.key
    real = socket.getaddrinfo
    asked: list[str] = []

    def resolve(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "speaker.test":
            asked.append(host)
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    url = "http://speaker.test:8123/api/tts_proxy/x.mp3"

    async def scenario() -> None:
        async with (
            serving(station, settings, tmp_path) as face,
            client(face, key, login=True) as api,
        ):
            player = keys((await api.list_entities_services())[0])["speaker"].key
            api.media_player_command(player, media_url=url)
            await eventually(
                lambda: any(isinstance(c, PlayUrl) for c in station.executed), "the URL"
            )

    run(scenario())
    assert asked == ["speaker.test"]


def test_home_assistants_connect_sequence_is_answered(
    station: HomeStation,  # noqa: F811
    home: Home,  # noqa: F811
    tmp_path: Path,
) -> None:
    settings, key = home.settings, home.key

    async def scenario() -> None:
        async with (
            serving(station, settings, tmp_path) as face,
            client(face, key, login=True, client_info="Home Assistant 2025.12") as api,  # at once
        ):
            info, found, services = await asyncio.wait_for(
                api.device_info_and_list_entities(), TIMEOUT
            )
            assert info.name.startswith("kitchen-speaker-") and services == []
            assert {e.object_id for e in found} == {e.object_id for e in ents.ENTITIES}
            seen: list[object] = []
            api.subscribe_states(seen.append)
            api.subscribe_home_assistant_states_and_services(
                seen.append, seen.append, lambda entity, attribute: None
            )
            stateful = [e for e in ents.ENTITIES if e.kind not in ("button", "event")]
            await eventually(lambda: len(seen) >= len(stateful), "the states")
            assert await asyncio.wait_for(api.device_info(), TIMEOUT) == info  # still up

    run(scenario())


def test_moods_come_from_the_vocabulary_and_the_face_loads_no_dj_code() -> None:
    from appliance.dj.mood import MOOD_TARGETS
    from appliance.moods import MOODS

    assert tuple(MOOD_TARGETS) == MOODS  # the DJ's table covers exactly the moods offered
    # offered as a person reads them, each mapped back to the station's own
    assert ("No mood", *(mood.capitalize() for mood in MOODS)) == ents.MOODS
    assert [ents.MOOD_OF[option] for option in ents.MOODS] == [None, *MOODS]
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, appliance.faces.esphome.entities; "
            "print([m for m in sys.modules if m.startswith('appliance.dj')])",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert loaded.stdout.strip() == "[]"


def test_a_damaged_kept_key_is_named_by_its_file_not_by_a_setting_never_set(
    short_tracks: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    from unittest import mock

    from appliance.faces.esphome import EsphomeFace

    kept = tmp_path / secrets.KEY_FILE
    kept.write_text("half a key\n")
    face = EsphomeFace(mock.Mock(), face_settings(short_tracks), tmp_path)
    with pytest.raises(ValueError) as refused:
        run(face.start())
    assert str(kept) in str(refused.value) and "delete it" in str(refused.value)
    assert "[home_assistant] encryption_key" not in str(refused.value)
