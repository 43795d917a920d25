"""The web face on a real started QFZZStation, as the daemon runs it (the FaceHost starts it):
commands sent over HTTP move the real player and teach the real DJ, and the WebSocket sees it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import requests

from appliance.control import ClearQueue, Enqueue, Play
from tests.faces.web_station import started_station
from tests.support import music
from tests.support.waiting import wait_until

PASSWORD = "open sesame"
TIMEOUT = 10


@pytest.fixture(scope="module")
def tones(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return music.tone_library(tmp_path_factory.mktemp("tones"), music.TONES, 2, seconds=30.0)


@pytest.fixture(scope="module")
def station(tones: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, str]]:
    """One started station for the module (each test sets up what it plays)."""
    made, url = started_station(tones, tmp_path_factory.mktemp("station"))
    yield made, url
    made.stop()


def login(url: str) -> requests.Session:
    session = requests.Session()
    answer = session.post(f"{url}/api/login", json={"password": PASSWORD}, timeout=TIMEOUT)
    assert answer.status_code == 200
    session.headers["X-CSRF-Token"] = answer.json()["csrf"]
    return session


def test_commands_move_the_real_station(station: tuple[Any, str]) -> None:
    real, url = station
    session = login(url)
    send = lambda **body: session.post(f"{url}/api/command", json=body, timeout=TIMEOUT)  # noqa: E731
    assert send(command="play", genre="jazz").status_code == 200
    wait_until(lambda: real.snapshot().track is not None, 10, "the first track")
    first = real.snapshot().track
    # up next is rock: the DJ's own pick after a skip can be the skipped track again
    assert send(command="enqueue", genre="rock").status_code == 200
    assert [t.genres for t in real.snapshot().up_next] == [("rock",), ("rock",)]
    assert send(command="skip").status_code == 200
    wait_until(lambda: real.snapshot().track not in (None, first), 10, "the next track")
    guest = real.get_dj().export_profile(real.snapshot().listener)["listening"]
    assert any(row["track_id"] == first.track_id and row["event"] == "skipped" for row in guest)
    assert send(command="switch_listener", user_id="alex", name="Alex").status_code == 200
    second = real.snapshot().track
    assert send(command="like", by="alex").status_code == 200
    plays = real.get_dj().export_profile("alex")["listening"]
    assert any(row["track_id"] == second.track_id and row["event"] == "liked" for row in plays)
    assert send(command="volume", level=35).json()["ok"]
    assert real.snapshot().volume == 35
    assert send(command="pause").status_code == 200
    wait_until(lambda: real.snapshot().play_state == "paused", 5, "the pause")
    state = session.get(f"{url}/api/state", timeout=TIMEOUT).json()
    assert state["play_state"] == "paused" and state["volume"] == 35
    assert state["listener"] == "alex"
    assert {"id": "alex", "name": "Alex"} in state["listeners"]


def test_the_websocket_sees_the_real_track_and_volume_change(station: tuple[Any, str]) -> None:
    real, url = station
    real.execute(ClearQueue(source="test"))  # nothing left queued by another test
    real.execute(Play(genre="rock", source="test"))
    real.execute(Enqueue(genre="jazz", source="test"))  # what a skip goes to
    wait_until(lambda: real.snapshot().track is not None, 10, "the first track")

    async def follow() -> tuple[float, float]:
        jar = aiohttp.CookieJar(unsafe=True)
        async with aiohttp.ClientSession(cookie_jar=jar) as client:
            login = await client.post(f"{url}/api/login", json={"password": PASSWORD})
            headers = {"X-CSRF-Token": (await login.json())["csrf"]}
            async with client.ws_connect(f"{url}/api/events") as socket:
                first = await asyncio.wait_for(socket.receive_json(), TIMEOUT)
                title = first["state"]["now_playing"]["track"]["title"]
                started = time.monotonic()
                await client.post(f"{url}/api/command", json={"command": "skip"}, headers=headers)
                while True:
                    event = await asyncio.wait_for(socket.receive_json(), 1.0)
                    now = (event.get("state") or {}).get("now_playing") or {}
                    if now and now["track"]["title"] != title:
                        break
                track_change = time.monotonic() - started
                started = time.monotonic()
                volume = {"command": "volume", "level": 22}
                await client.post(f"{url}/api/command", json=volume, headers=headers)
                while True:
                    event = await asyncio.wait_for(socket.receive_json(), 1.0)
                    if event["type"] == "state" and event["state"]["volume"] == 22:
                        break
                return track_change, time.monotonic() - started

    track_change, volume_change = asyncio.run(follow())
    assert track_change < 1.0 and volume_change < 1.0


def test_the_page_is_announced_on_the_loopback(station: tuple[Any, str]) -> None:
    from zeroconf import Zeroconf

    _, url = station
    browser = Zeroconf(interfaces=["127.0.0.1"])
    try:
        info = browser.get_service_info("_http._tcp.local.", "QFZZ._http._tcp.local.", 3000)
        assert info is not None and url.endswith(f":{info.port}")
        assert info.server == "qfzz.local."  # the speaker's name as a host name
    finally:
        browser.close()
