"""A playlist or an HLS index fetched through the URL relay must not send mpv to the hosts it
names: those were never checked (mpv would resolve and fetch them itself)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from appliance.library.track import Track
from appliance.player import Player
from appliance.player.deck import Deck
from appliance.player.relay import RELAY
from tests.support.http_server import Canned, response
from tests.support.waiting import wait_until


@pytest.fixture
def unchecked() -> Iterator[Canned]:
    """The host a playlist names: nobody checked it, so it must see no request."""
    with Canned("127.0.0.2", response(b"\xff\xfb" * 2000, "audio/mpeg")) as server:
        yield server


def playlists(unchecked: Canned) -> dict[str, tuple[bytes, str]]:
    elsewhere = f"http://127.0.0.2:{unchecked.port}"
    return {
        "list.m3u": (f"#EXTM3U\n{elsewhere}/song.mp3\n".encode(), "audio/x-mpegurl"),
        "live.m3u8": (
            (
                "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:10\n#EXT-X-MEDIA-SEQUENCE:0\n"
                f"#EXTINF:10.0,\n{elsewhere}/segment0.ts\n#EXT-X-ENDLIST\n"
            ).encode(),
            "application/vnd.apple.mpegurl",
        ),
    }


def pinned(name: str, body: bytes, kind: str, servers: list[Canned]) -> tuple[Track, Canned]:
    checked = Canned(answer=response(body, kind))
    servers.append(checked)
    url = checked.url(f"/{name}")
    RELAY.pin(url, ("127.0.0.1",), lambda _url: ("127.0.0.1",))
    return Track(track_id=f"url-{name}", path=url, title=name, artist=""), checked


@pytest.mark.parametrize("name", ["list.m3u", "live.m3u8"])
def test_the_player_follows_no_reference_in_a_relayed_playlist(
    name: str, unchecked: Canned
) -> None:
    servers: list[Canned] = []
    body, kind = playlists(unchecked)[name]
    track, checked = pinned(name, body, kind, servers)
    try:
        with Player(audio_output="null", mpv_options={"ao_null_untimed": True}) as player:
            player.play(track)
            wait_until(lambda: checked.requests, timeout=10, what="mpv fetched the playlist")
            time.sleep(1.5)  # time enough for mpv to open what the playlist names
        assert unchecked.requests == []
    finally:
        for server in servers:
            server.close()


@pytest.mark.parametrize("name", ["list.m3u", "live.m3u8"])
def test_the_announcement_deck_follows_no_reference(name: str, unchecked: Canned) -> None:
    from appliance.command_path import announcement_options

    servers: list[Canned] = []
    body, kind = playlists(unchecked)[name]
    track, checked = pinned(name, body, kind, servers)
    options: Mapping[str, Any] = {**announcement_options("null", None, 50), "ao_null_untimed": True}
    ended = threading.Event()

    def post(_deck: object, _generation: int, event: dict[str, Any]) -> None:
        if event.get("event") in ("end-file", "shutdown"):
            ended.set()

    deck = Deck("announcement", options, post)
    try:
        deck.start()
        deck.load(track)
        wait_until(lambda: checked.requests, timeout=10, what="mpv fetched the playlist")
        time.sleep(1.5)
        assert unchecked.requests == []
    finally:
        deck.terminate()
        for server in servers:
            server.close()
