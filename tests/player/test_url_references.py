"""A playlist or an HLS index fetched through the URL relay must not send mpv to the hosts it
names: those were never checked (mpv would resolve and fetch them itself)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from appliance.library.track import Track
from appliance.player import Player
from appliance.player.deck import Deck
from appliance.player.relay import RELAY
from tests.support.waiting import wait_until


class Server:
    """A server on ``host`` answering every request with ``body``; it counts the requests."""

    def __init__(self, host: str, body: bytes = b"", kind: str = "audio/mpeg") -> None:
        self.listening = socket.create_server((host, 0))
        self.port = self.listening.getsockname()[1]
        self.body, self.kind = body, kind
        self.requests: list[bytes] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.listening.accept()
            except OSError:
                return
            with connection:
                connection.settimeout(5)
                try:
                    self.requests.append(connection.recv(65536))
                    head = f"HTTP/1.1 200 OK\r\nContent-Type: {self.kind}\r\n"
                    head += f"Content-Length: {len(self.body)}\r\nConnection: close\r\n\r\n"
                    connection.sendall(head.encode() + self.body)
                except OSError:
                    pass

    def close(self) -> None:
        self.listening.close()


@pytest.fixture
def unchecked() -> Iterator[Server]:
    """The host a playlist names: nobody checked it, so it must see no request."""
    server = Server("127.0.0.2", b"\xff\xfb" * 2000)
    yield server
    server.close()


def playlists(unchecked: Server) -> dict[str, tuple[bytes, str]]:
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


def pinned(name: str, body: bytes, kind: str, servers: list[Server]) -> tuple[Track, Server]:
    checked = Server("127.0.0.1", body, kind)
    servers.append(checked)
    url = f"http://127.0.0.1:{checked.port}/{name}"
    RELAY.pin(url, ("127.0.0.1",), lambda _url: ("127.0.0.1",))
    return Track(track_id=f"url-{name}", path=url, title=name, artist=""), checked


@pytest.mark.parametrize("name", ["list.m3u", "live.m3u8"])
def test_the_player_follows_no_reference_in_a_relayed_playlist(
    name: str, unchecked: Server
) -> None:
    servers: list[Server] = []
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
def test_the_announcement_deck_follows_no_reference(name: str, unchecked: Server) -> None:
    from appliance.command_path import announcement_options

    servers: list[Server] = []
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
