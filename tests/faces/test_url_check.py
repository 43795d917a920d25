"""The one URL check every face's PlayUrl passes (appliance/faces/urls.py): http(s) only, every
address of the host on this network under [faces] bind, a resolver that hangs bounded."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from appliance.faces import urls


def test_only_http_urls_whose_every_address_is_on_this_network_pass() -> None:
    assert urls.refusal("http://127.0.0.1:8123/x.mp3", "lan") is None
    assert urls.refusal("https://localhost/x.mp3", "localhost") is None
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
