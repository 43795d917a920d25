"""The one URL check every face's PlayUrl passes (appliance/faces/urls.py): http(s) only, every
address of the host on this network under [faces] bind, a resolver that hangs bounded; and the
relay (appliance/player/relay.py) through which mpv fetches it from the checked address only,
whatever the name resolves to afterwards."""

from __future__ import annotations

import socket
import ssl
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

import pytest

from appliance.faces import urls
from appliance.library.track import Track
from appliance.player.deck import Deck
from appliance.player.relay import RELAY, Relay
from tests.support import music
from tests.support.http_server import QuietFiles, serving_folder
from tests.support.waiting import wait_until


def test_only_http_urls_whose_every_address_is_on_this_network_pass() -> None:
    assert urls.refusal("https://localhost/x.mp3", "localhost") is None
    assert urls.refusal("http://127.0.0.1:8123/x.mp3", "localhost") is None
    # this device and link-local addresses only when the faces serve this device alone
    for inside in ("127.0.0.1:6600", "127.0.0.2", "[::1]", "169.254.169.254", "[fe80::1]",
                   "[::ffff:127.0.0.1]", "localhost:8123"):  # fmt: skip
        assert urls.refusal(f"http://{inside}/x.mp3", "lan") == urls.NOT_HERE, inside
    assert urls.refusal("http://10.1.2.3/x.mp3", "lan") is None
    assert urls.refusal("http://[fd00::5]/x.mp3", "lan") is None
    assert urls.refusal("http://192.168.1.20/x.mp3", "lan") is None
    assert urls.refusal("http://192.168.1.20/x.mp3", "localhost") == urls.NOT_HERE
    assert urls.refusal("http://8.8.8.8/x.mp3", "lan") == urls.NOT_HERE
    assert urls.refusal("http://[2001:4860::8888]/x.mp3", "lan") == urls.NOT_HERE
    for bad in ("file:///etc/passwd", "ftp://127.0.0.1/x", "http:///x.mp3", "http://h:99999/"):
        assert urls.refusal(bad, "lan") == urls.BAD_URL, bad
    assert "2048" in (urls.refusal("http://127.0.0.1/" + "a" * 2048, "lan") or "")


def test_a_name_that_resolves_anywhere_off_this_network_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def rebinding(host: str, port: int, *args: object, **kwargs: object) -> list[tuple]:
        # one private and one public address: a name pointed at both must not pass
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("192.168.1.5", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    assert urls.refusal("http://speaker.example/x.mp3", "lan") == urls.NOT_HERE


def test_a_resolver_that_hangs_is_given_up_on_and_the_caller_goes_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    release = threading.Event()

    def hanging(*args: object, **kwargs: object) -> list[tuple]:
        release.wait(10)
        return []

    monkeypatch.setattr(socket, "getaddrinfo", hanging)
    began = time.monotonic()
    try:
        refused = urls.refusal("http://slow.example/x.mp3", "lan", timeout=0.3)
    finally:
        release.set()
    assert refused is not None and "resolve" in refused
    assert time.monotonic() - began < 2.0


# -- the relay: a name resolved once, fetched from that address only ------------------------

OFF_NETWORK = "203.0.113.7"  # TEST-NET-3: never this network, never reachable


class Seen(QuietFiles):
    """Serves a folder and notes each request's path and Host; /moved-* redirect."""

    requests: ClassVar[list[tuple[str, str]]] = []

    def do_GET(self) -> None:
        self.requests.append((self.path, self.headers.get("Host", "")))
        if self.path.startswith("/moved-here"):
            self.send_response(302)
            self.send_header("Location", "/song.wav")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.path.startswith("/moved-away"):
            self.send_response(302)
            self.send_header("Location", "http://elsewhere.test/song.wav")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        super().do_GET()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[int, list[tuple[str, str]], Path]]:
    """A one-second sound over HTTP on 127.0.0.1; (port, the requests seen, the folder)."""
    music.make_track(tmp_path / "song.wav", seconds=1.0, freq=440.0)
    seen: list[tuple[str, str]] = []
    with serving_folder(tmp_path, type("Handler", (Seen,), {"requests": seen})) as base:
        yield urlsplit(base).port or 0, seen, tmp_path


@pytest.fixture
def rebinding(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """rebind.test answers 127.0.0.1 the first time and an address off this network after;
    elsewhere.test is off this network. The names asked are returned."""
    real = socket.getaddrinfo
    asked: list[str] = []

    def resolve(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host in ("rebind.test", "elsewhere.test"):
            asked.append(host)
            first = host == "rebind.test" and asked.count(host) == 1
            address = "127.0.0.1" if first else OFF_NETWORK
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    return asked


def pinned(url: str) -> str:
    """The relay's URL for ``url``, checked as a station whose faces bind to this device (the
    test servers are on the loopback, which a "lan" station refuses)."""
    checked = urls.check(url, "localhost")
    return RELAY.pin(url, checked.addresses, lambda u: urls.check(u, "localhost").addresses)


def test_the_relay_fetches_from_the_address_checked_with_the_urls_own_host(
    server: tuple[int, list[tuple[str, str]], Path], rebinding: list[str]
) -> None:
    port, seen, folder = server
    url = f"http://rebind.test:{port}/song.wav?from=home"
    local = pinned(url)
    assert rebinding == ["rebind.test"]
    assert urls.refusal(url, "localhost") == urls.NOT_HERE  # the name now points off this network
    for _ in range(2):  # twice: each fetch goes to the pinned address, nothing is resolved
        with urllib.request.urlopen(local, timeout=10) as answer:
            assert answer.read() == (folder / "song.wav").read_bytes()
    assert seen == [("/song.wav?from=home", f"rebind.test:{port}")] * 2
    assert rebinding == ["rebind.test"] * 2  # the one check above, never the relay
    assert RELAY.local(url).startswith(f"http://127.0.0.1:{RELAY.port}/")


def test_a_redirect_is_checked_and_pinned_like_a_new_url(
    server: tuple[int, list[tuple[str, str]], Path], rebinding: list[str]
) -> None:
    port, seen, folder = server
    with urllib.request.urlopen(pinned(f"http://127.0.0.1:{port}/moved-here"), timeout=10) as a:
        assert a.read() == (folder / "song.wav").read_bytes()
    assert [path for path, _ in seen] == ["/moved-here", "/song.wav"]
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(pinned(f"http://127.0.0.1:{port}/moved-away"), timeout=10)
    assert refused.value.code == 502
    assert rebinding == ["elsewhere.test"] and len(seen) == 3  # checked, never fetched


def test_a_url_never_pinned_is_not_fetched(
    server: tuple[int, list[tuple[str, str]], Path],
) -> None:
    port, seen, _ = server
    fresh = Relay()  # as after a start: no check to pin it with (a dropped pin is re-checked)
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(fresh.local(f"http://127.0.0.1:{port}/song.wav"), timeout=10)
    assert refused.value.code == 404 and seen == []


def test_https_goes_to_the_pinned_address_with_the_names_sni(
    tmp_path: Path, rebinding: list[str]
) -> None:
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
         "/CN=rebind.test", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    names: list[str | None] = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda sock, name, ctx: names.append(name)
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    listening.listen()
    port = listening.getsockname()[1]
    heard: list[bytes] = []

    def serve() -> None:
        connection, _ = listening.accept()
        with context.wrap_socket(connection, server_side=True) as tls:
            heard.append(tls.recv(4096))
            tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        local = pinned(f"https://rebind.test:{port}/stream")
        with urllib.request.urlopen(local, timeout=10) as answer:
            assert answer.read() == b"hello"
    finally:
        thread.join(5)
        listening.close()
    assert names == ["rebind.test"]
    assert heard[0].startswith(b"GET /stream HTTP/1.1\r\n")
    assert f"Host: rebind.test:{port}".encode() in heard[0]
    assert rebinding == ["rebind.test"]


def test_mpv_plays_a_pinned_url_whose_name_it_could_not_resolve(
    server: tuple[int, list[tuple[str, str]], Path], rebinding: list[str]
) -> None:
    # mpv resolves with the C library, which has never heard of rebind.test: it plays only
    # because the deck hands it the relay's loopback address
    port, seen, _ = server
    url = f"http://rebind.test:{port}/song.wav"
    pinned(url)
    events: list[dict[str, Any]] = []
    options: dict[str, str | bool | int | float] = {
        "ao": "null", "ao_null_untimed": True, "video": False, "ytdl": False, "config": False,
        "idle": True,
    }  # fmt: skip
    deck = Deck("test", options, lambda _deck, _generation, event: events.append(event))
    deck.start()
    try:
        deck.load(Track(track_id="url", path=url, title="song.wav", artist=""))
        ended = lambda: [e for e in events if e.get("event") == "end-file"]  # noqa: E731
        wait_until(lambda: bool(ended()), 10, "mpv to play the stream to its end")
    finally:
        deck.terminate()
    assert ended()[0].get("reason") == "eof", ended()
    assert seen and all(host == f"rebind.test:{port}" for _, host in seen)
    assert rebinding == ["rebind.test"]
