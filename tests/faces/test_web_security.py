"""The web face as a hostile tester sees it: guesses sent all at once, addresses in other
spellings, cover files that are links or bombs, a session that must end, survive a restart or
never be fixed by someone else, error pages, and a page that never reads its WebSocket."""

from __future__ import annotations

import asyncio
import io
import os
import socket
import time
from pathlib import Path
from unittest import mock

import aiohttp
import pytest
import requests
from aiohttp import web
from aiohttp.test_utils import make_mocked_request
from PIL import Image
from yarl import URL

from appliance.faces.web import covers as security_covers
from appliance.faces.web import security
from appliance.faces.web.covers import Covers
from appliance.faces.web.security import COOKIE, FREE_FAILURES, Attempts, Sessions, make_guard
from appliance.state import Said
from tests.faces.web_station import (
    PASSWORD,
    DoubleStation,
    Served,
    logged_in,
    serving,
    settings_page,
    settings_text,
    web_settings,
)

TIMEOUT = 5


# -- guessing the password -----------------------------------------------------------------------


def test_guesses_sent_all_at_once_are_held_to_the_same_limit(served: Served) -> None:
    body = b'{"password": "guess"}'
    head = (
        "POST /api/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    port = served.face.port
    guesses = [socket.create_connection(("127.0.0.1", port), TIMEOUT) for _ in range(20)]
    try:
        for guess in guesses:  # every request is in, its password still on the way
            guess.sendall(head + body[:5])
        time.sleep(0.3)
        for guess in guesses:
            guess.sendall(body[5:])
        statuses = [int(guess.recv(64).split()[1]) for guess in guesses]
    finally:
        for guess in guesses:
            guess.close()
    assert statuses.count(401) <= FREE_FAILURES, statuses  # checked; the rest told to wait
    assert set(statuses) <= {401, 429}
    right = requests.post(f"{served.url}/api/login", json={"password": PASSWORD}, timeout=TIMEOUT)
    assert right.status_code == 429


def test_guesses_from_one_network_in_any_spelling_count_together() -> None:
    now = [0.0]
    attempts = Attempts(clock=lambda: now[0])
    for n in range(FREE_FAILURES):  # one IPv6 network: a device picks any address in its /64
        attempts.failed(f"2001:db8:1:2::{n + 1:x}")
    assert attempts.wait("2001:db8:1:2::ffff") > 0
    assert attempts.wait("2001:db8:1:3::1") == 0
    for _ in range(FREE_FAILURES):
        attempts.failed("::ffff:192.168.1.5")
    assert attempts.wait("192.168.1.5") > 0 and attempts.wait("192.168.1.6") == 0


def test_guesses_from_many_addresses_slow_every_address() -> None:
    now = [0.0]
    attempts = Attempts(clock=lambda: now[0])
    for n in range(security.FREE_FAILURES_ANYWHERE):
        assert attempts.wait(f"10.0.{n // 200}.{n % 200 + 1}") == 0
        attempts.failed(f"10.0.{n // 200}.{n % 200 + 1}")
    assert attempts.wait("192.168.7.7") > 0  # a fresh address waits too
    now[0] += security.FORGET_AFTER + 1
    assert attempts.wait("192.168.7.7") == 0  # and the wait ends


# -- who the peer is -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "bind", "status"),
    [
        ("8.8.8.8", "lan", 403),
        ("::ffff:8.8.4.4", "lan", 403),
        ("2001:4860::8888", "lan", 403),
        ("2002:c0a8:101::1", "lan", 403),  # 6to4 around 192.168.1.1: still a public address
        ("64:ff9b::c0a8:101", "lan", 403),  # NAT64 around 192.168.1.1
        ("::c0a8:101", "lan", 403),  # the old IPv4-compatible form
        ("fe80::1%eth0", "lan", 401),
        ("fd00::5", "lan", 401),
        ("::ffff:127.0.0.1", "localhost", 401),
        ("::1", "localhost", 401),
        ("fd00::5", "localhost", 403),
    ],
)
def test_the_peer_is_the_socket_whatever_the_headers_say(
    address: str, bind: str, status: int
) -> None:
    async def check() -> int:
        transport = mock.Mock()
        transport.get_extra_info.return_value = (address, 40000)
        headers = {
            "X-Forwarded-For": "127.0.0.1",
            "X-Real-IP": "127.0.0.1",
            "Forwarded": "for=127.0.0.1",
        }
        handler = mock.AsyncMock(return_value=web.Response(text="in"))
        guarded = make_guard(bind, Sessions())
        upgrade = {**headers, "Upgrade": "websocket", "Connection": "Upgrade"}
        for path, extra in (("/api/events", upgrade), ("/no/such/page", headers)):
            request = make_mocked_request("GET", path, extra, transport=transport)
            if (await guarded(request, handler)).status != 403:
                break
        else:
            handler.assert_not_called()
        request = make_mocked_request("GET", "/static/app.js", headers, transport=transport)
        response = await guarded(request, handler)
        if response.status == 403:
            handler.assert_not_called()
        else:  # a static file is open to the LAN: in, or 401 for the API
            request = make_mocked_request("GET", "/api/state", headers, transport=transport)
            response = await guarded(request, handler)
        return response.status

    assert asyncio.run(check()) == status


# -- sessions --------------------------------------------------------------------------------------


def test_a_session_id_chosen_before_login_is_never_adopted(served: Served) -> None:
    planted = "planted-by-someone-else-0123456789"
    session = requests.Session()
    session.cookies.set(COOKIE, planted)
    answer = session.post(f"{served.url}/api/login", json={"password": PASSWORD}, timeout=TIMEOUT)
    assert answer.status_code == 200
    assert answer.cookies[COOKIE] != planted
    stranger = requests.Session()
    stranger.cookies.set(COOKIE, planted)
    assert stranger.get(f"{served.url}/api/state", timeout=TIMEOUT).status_code == 401


def test_logout_ends_the_session_and_closes_its_live_pages(served: Served) -> None:
    async def scenario() -> tuple[int, int, float]:
        jar = aiohttp.CookieJar(unsafe=True)
        async with aiohttp.ClientSession(cookie_jar=jar) as client:
            login = await client.post(f"{served.url}/api/login", json={"password": PASSWORD})
            csrf = (await login.json())["csrf"]
            cookie = {COOKIE: jar.filter_cookies(URL(served.url))[COOKIE].value}
            other = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
            await other.post(f"{served.url}/api/login", json={"password": PASSWORD})
            try:
                mine = await client.ws_connect(f"{served.url}/api/events")
                theirs = await other.ws_connect(f"{served.url}/api/events")
                await asyncio.wait_for(mine.receive_json(), TIMEOUT)
                await asyncio.wait_for(theirs.receive_json(), TIMEOUT)
                out = await client.post(f"{served.url}/api/logout", headers={"X-CSRF-Token": csrf})
                started = time.monotonic()
                while not mine.closed:
                    message = await asyncio.wait_for(mine.receive(), TIMEOUT)
                    if message.type in (
                        aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING
                    ):  # fmt: skip
                        break
                closed_after = time.monotonic() - started
                assert not theirs.closed  # another phone's session goes on
                await theirs.close()
                async with aiohttp.ClientSession(cookies=cookie) as stale:
                    again = await stale.get(f"{served.url}/api/state")
                return out.status, again.status, closed_after
            finally:
                await other.close()

    status, reused, closed_after = asyncio.run(scenario())
    assert status == 200 and reused == 401 and closed_after < 2.0


def test_a_login_survives_a_restart_but_not_a_new_password(
    station: DoubleStation, songs: Path, tmp_path: Path
) -> None:
    with serving(station, web_settings(songs), tmp_path) as first:
        session = logged_in(first.url)
        token = session.headers["X-CSRF-Token"]
    with serving(station, web_settings(songs), tmp_path) as again:
        kept = session.get(f"{again.url}/api/session", timeout=TIMEOUT).json()
        assert kept["logged_in"] and kept["csrf"] == token
        skip = session.post(f"{again.url}/api/command", json={"command": "skip"}, timeout=TIMEOUT)
        assert skip.status_code == 200
        stored = (tmp_path / security.SESSIONS_FILE).read_text()
        assert str(session.cookies[COOKIE]) not in stored  # kept hashed: the file is no cookie
        assert os.stat(tmp_path / security.SESSIONS_FILE).st_mode & 0o077 == 0
    changed = web_settings(songs).faces
    import dataclasses

    other = dataclasses.replace(
        web_settings(songs), faces=dataclasses.replace(changed, password="another one")
    )
    with serving(station, other, tmp_path) as third:
        assert session.get(f"{third.url}/api/state", timeout=TIMEOUT).status_code == 401


def test_a_kept_session_expires(tmp_path: Path) -> None:
    now = [1_000_000.0]
    sessions = Sessions(tmp_path / security.SESSIONS_FILE, "key", clock=lambda: now[0])
    opened = sessions.open()
    assert sessions.find(opened.token) is not None
    now[0] += security.SESSION_LIFE + 1
    assert sessions.find(opened.token) is None
    later = Sessions(tmp_path / security.SESSIONS_FILE, "key", clock=lambda: now[0])
    assert later.find(opened.token) is None
    (tmp_path / security.SESSIONS_FILE).write_text("{not json")  # damaged: nobody is in
    assert Sessions(tmp_path / security.SESSIONS_FILE, "key").find(opened.token) is None


# -- error pages -----------------------------------------------------------------------------------


def test_error_pages_are_json_with_the_security_headers(served: Served) -> None:
    session = logged_in(served.url)
    for method, path, status in (
        ("GET", "/no/such/page", 404),
        ("GET", "/api/nothing", 404),
        ("PUT", "/api/state", 405),
        ("GET", "/static/nothing.js", 404),
    ):
        answer = session.request(method, f"{served.url}{path}", timeout=TIMEOUT)
        assert answer.status_code == status, (path, answer.text)
        assert answer.headers["Content-Type"].startswith("application/json")
        assert answer.json()["ok"] is False and answer.json()["error"]
        assert answer.headers["Content-Security-Policy"] == security.CSP
        assert answer.headers["X-Content-Type-Options"] == "nosniff"


# -- cover art -------------------------------------------------------------------------------------


def jpeg(colour: str, size: tuple[int, int] = (300, 300)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG")
    return out.getvalue()


def test_a_cover_file_linking_outside_the_music_is_not_read(
    station: DoubleStation, songs: Path, tmp_path: Path
) -> None:
    track = station.tracks[0]
    private = tmp_path / "private" / "photo.jpg"
    private.parent.mkdir()
    private.write_bytes(jpeg("green"))
    link = Path(track.path).parent / "cover.jpg"
    link.symlink_to(private)
    try:
        covers = Covers(tmp_path / "cache", [songs])
        assert covers.get(track, 96) is None
        link.unlink()
        link.write_bytes(jpeg("green"))  # the same picture inside the music is served
        assert Covers(tmp_path / "cache2", [songs]).get(track, 96) is not None
    finally:
        link.unlink(missing_ok=True)


def test_a_picture_too_large_to_decode_or_not_a_picture_is_no_cover(
    station: DoubleStation, songs: Path, tmp_path: Path
) -> None:
    track = station.tracks[0]
    cover = Path(track.path).parent / "cover.png"
    huge = io.BytesIO()  # 7000 x 7000: 147 MB once decoded to RGB, 30 KB as a PNG
    Image.new("1", (7000, 7000)).save(huge, "PNG")
    try:
        for data in (huge.getvalue(), b"not a picture at all" * 100, b""):
            cover.write_bytes(data)
            assert Covers(tmp_path / f"cache{len(data)}", [songs]).get(track, 96) is None
    finally:
        cover.unlink(missing_ok=True)


# -- a page that never reads ---------------------------------------------------------------------


def rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def test_a_page_that_never_reads_its_websocket_holds_little_memory(
    served: Served, station: DoubleStation
) -> None:
    session = logged_in(served.url)
    raw = socket.create_connection(("127.0.0.1", served.face.port), timeout=TIMEOUT)
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    try:
        raw.sendall(
            (
                "GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                "Sec-WebSocket-Version: 13\r\n"
                f"Cookie: {COOKIE}={session.cookies[COOKIE]}\r\n\r\n"
            ).encode()
        )
        assert raw.recv(12) == b"HTTP/1.1 101"  # upgraded; from here on nothing is read
        line = Said("x" * 4000, "guest", time.time())
        before = rss()
        for _ in range(6000):  # 6000 changes of ~20 KB each: 120 MB if all were kept
            station.update(dj_lines=(line,) * 5)
        time.sleep(0.5)
        grown = rss() - before
        assert grown < 40 * 1024 * 1024, f"{grown / 2**20:.0f} MB for one page that never reads"
    finally:
        raw.close()


# -- the settings form -----------------------------------------------------------------------------


SYSTEM_FOLDERS = [
    ("library", "music_folders", "/"),
    ("library", "music_folders", "/etc"),
    ("library", "music_folders", "~/Music\n/proc/self"),
    ("station", "data_dir", "/etc/appliance"),
    ("station", "data_dir", "/usr/lib/../../boot"),
    ("station", "data_dir", "/var/lib"),
]


def test_the_form_cannot_point_the_music_or_the_data_at_system_folders(
    station: DoubleStation, songs: Path, tmp_path: Path
) -> None:
    before = settings_text(songs)
    with settings_page(station, before, tmp_path) as (server, session, file):
        for section, key, value in SYSTEM_FOLDERS:
            form = {"values": {section: {key: value}, "faces": {"password": PASSWORD}}}
            answer = session.post(f"{server.url}/api/settings", json=form, timeout=TIMEOUT)
            assert answer.status_code == 400, answer.text
            problem = answer.json()["problems"][0]
            assert problem["key"] == f"{section}.{key}" and "system folder" in problem["problem"]
            assert file.read_text() == before
        form["values"]["station"] = {"data_dir": str(tmp_path / "elsewhere")}
        form["values"]["library"] = {"music_folders": str(tmp_path / "music")}
        assert session.post(f"{server.url}/api/settings", json=form, timeout=TIMEOUT).ok


# -- DNS rebinding ---------------------------------------------------------------------------------


HOSTS = [
    ("evil.example", 403),  # another site's name, pointed at this device by its DNS
    ("speaker.local.evil.example", 403),
    ("127.0.0.1", 200),
    ("192.168.1.5", 200),
    ("[fe80::1]", 200),
    ("localhost", 200),
    ("kitchen.local", 200),
    ("Kitchen.Local.", 200),
    ("kitchen", 200),
    ("kitchen.home.arpa", 200),
    ("kitchen.lan", 200),
]


def test_a_page_asked_for_under_another_sites_name_is_refused(served: Served) -> None:
    port = served.face.port
    for host, status in HOSTS:
        answer = requests.get(
            f"{served.url}/static/app.js", headers={"Host": f"{host}:{port}"}, timeout=TIMEOUT
        )
        assert answer.status_code == status, (host, answer.text)
        if status == 403:
            assert "name" in answer.json()["error"]


def test_before_the_library_and_the_dj_open_the_page_says_so(songs: Path, tmp_path: Path) -> None:
    from appliance.bus import EventBus
    from appliance.control import Outcome
    from appliance.state import StationState

    class Starting:
        """A station whose library and DJ are not open yet."""

        events = EventBus()

        def snapshot(self) -> StationState:
            return StationState()

        def execute(self, command: object) -> Outcome:
            return Outcome(False, error="starting")

    with serving(Starting(), web_settings(songs), tmp_path) as server:
        session = logged_in(server.url)
        for path in ("/api/library/stats", "/api/library/artists", "/api/cover/abc",
                     "/api/library/search?q=x", "/api/listeners/alex/export"):  # fmt: skip
            answer = session.get(f"{server.url}{path}", timeout=TIMEOUT)
            assert answer.status_code == 503, path
            assert "not" in answer.json()["error"] and answer.headers["Content-Security-Policy"]


def test_a_cover_added_later_is_found_after_a_while(
    station: DoubleStation, songs: Path, tmp_path: Path
) -> None:
    now = [0.0]
    covers = Covers(tmp_path / "cache", [songs], clock=lambda: now[0])
    track = station.tracks[0]
    cover = Path(track.path).parent / "cover.jpg"
    try:
        assert covers.get(track, 96) is None
        cover.write_bytes(jpeg("green"))
        assert covers.get(track, 96) is None  # looked for a moment ago: not read again yet
        now[0] += security_covers.LOOK_AGAIN + 1
        assert covers.get(track, 96) is not None
    finally:
        cover.unlink(missing_ok=True)


def test_two_phones_follow_the_same_changes(served: Served, station: DoubleStation) -> None:
    async def two_phones() -> list[str]:
        jars = [aiohttp.CookieJar(unsafe=True) for _ in range(2)]
        async with (
            aiohttp.ClientSession(cookie_jar=jars[0]) as one,
            aiohttp.ClientSession(cookie_jar=jars[1]) as two,
        ):
            tokens = []
            for client in (one, two):
                login = await client.post(f"{served.url}/api/login", json={"password": PASSWORD})
                tokens.append((await login.json())["csrf"])
            pages = [await c.ws_connect(f"{served.url}/api/events") for c in (one, two)]
            for page in pages:
                await asyncio.wait_for(page.receive_json(), TIMEOUT)
            await one.post(
                f"{served.url}/api/command",
                json={"command": "volume", "level": 17},
                headers={"X-CSRF-Token": tokens[0]},
            )
            await two.post(
                f"{served.url}/api/command",
                json={"command": "skip"},
                headers={"X-CSRF-Token": tokens[1]},
            )
            seen = []
            for page in pages:
                volume, title = None, None
                while title is None:
                    event = await asyncio.wait_for(page.receive_json(), TIMEOUT)
                    if event["type"] == "state" and "now_playing" in event["changed"]:
                        volume = event["state"]["volume"]
                        title = event["state"]["now_playing"]["track"]["title"]
                seen.append(f"{volume} {title}")
                await page.close()
            return seen

    first = station.snapshot().track
    seen = asyncio.run(two_phones())
    after = station.snapshot().track
    assert first is not None and after is not None and after != first
    assert seen == [f"17 {after.title}"] * 2


# -- secrets in the settings form ----------------------------------------------------------------

KEY = "q6Mu0cJ+v5T0o3Fj4Kp7t1N9b2Zr8Ew3yHa5Lc6Dd0s="


def test_the_settings_form_masks_the_secrets_and_an_untouched_save_keeps_them(
    station: DoubleStation, songs: Path, tmp_path: Path
) -> None:
    from appliance.config import load_config
    from appliance.faces.web.settings import MASK

    text = settings_text(songs, f'[home_assistant]\nencryption_key = "{KEY}"\n[web]\nport = 8080\n')
    with settings_page(station, text, tmp_path) as (server, session, file):
        answer = session.get(f"{server.url}/api/settings", timeout=TIMEOUT)
        assert PASSWORD not in answer.text and KEY not in answer.text
        form = answer.json()
        values = {s["name"]: {f["key"]: f["value"] for f in s["fields"]} for s in form["sections"]}
        assert values["faces"]["password"] == MASK
        assert values["home_assistant"]["encryption_key"] == MASK
        values["web"]["port"] = 8080
        values["audio"]["volume"] = 55  # a save of the whole form, the masks untouched
        saved = session.post(f"{server.url}/api/settings", json={"values": values},
                             timeout=TIMEOUT)  # fmt: skip
        assert saved.status_code == 200, saved.text
        config = load_config(file)
        assert config.faces.password == PASSWORD
        assert config.home_assistant.encryption_key == KEY
        assert config.audio.volume == 55 and MASK not in file.read_text()
        # a new password typed in its place is saved
        values["faces"]["password"] = "a new long password"
        saved = session.post(f"{server.url}/api/settings", json={"values": values},
                             timeout=TIMEOUT)  # fmt: skip
        assert saved.status_code == 200, saved.text
        assert load_config(file).faces.password == "a new long password"
        assert load_config(file).home_assistant.encryption_key == KEY
