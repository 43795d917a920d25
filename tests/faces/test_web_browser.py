"""The page in a real browser (Debian's headless chromium, driven by Selenium) against a real
started station: log in, see what plays, skip it, talk to the DJ, a wrong password refused; the
API and the WebSocket on that station (commands move the real player and teach the real DJ);
and, on the station's double, what a hostile library, a narrow phone, a keyboard and a restart
do to the page."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import secrets
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as seen
from selenium.webdriver.support.ui import WebDriverWait

from appliance.config import Config, load_config
from appliance.control import ClearQueue, Enqueue, Play, Skip
from appliance.models.store import models_dir
from appliance.state import Said
from tests.board.conftest import ModelServer, make_zip, model_server  # noqa: F401
from tests.faces.web_station import (
    PASSWORD,
    DoubleStation,
    Served,
    catalog_with,
    file_settings,
    logged_in,
    on_any_port,
    serving,
    started_station,
    web_settings,
)
from tests.support import music
from tests.support.pulse import PulseServer
from tests.support.sound import settled_level
from tests.support.waiting import wait_until

CHROMIUM = Path("/usr/bin/chromium")
DRIVER = Path("/usr/bin/chromedriver")
WAIT = 10
TIMEOUT = 10
TAG = secrets.token_hex(4)
STATION = f"Kitchen {TAG}"  # announced on the loopback: a name no other announcer there has


@pytest.fixture(scope="module")
def tones(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two tracks a genre of 30 s, not the shared 2 s ``songs``: none ends while a test of the
    real station looks at what it plays."""
    return music.tone_library(tmp_path_factory.mktemp("tones"), music.TONES, 2, seconds=30.0)


@pytest.fixture(scope="module")
def station(tones: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, str]]:
    """Here the real station (started once, with its page's URL), not the shared double."""
    made, url = started_station(tones, tmp_path_factory.mktemp("station"), name=STATION)
    yield made, url
    made.stop()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    if not CHROMIUM.exists() or not DRIVER.exists():
        pytest.fail("chromium and chromium-driver are not installed: run `make test`")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--window-size=420,900", "--disable-gpu"):  # fmt: skip
        options.add_argument(argument)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium')}")
    driver = webdriver.Chrome(options=options, service=Service(str(DRIVER)))
    driver.set_page_load_timeout(WAIT)
    yield driver
    driver.quit()


def text_of(driver: WebDriver, element_id: str) -> str:
    return driver.find_element(By.ID, element_id).text


def wait_text(driver: WebDriver, element_id: str, test: Any, what: str) -> str:
    WebDriverWait(driver, WAIT).until(lambda d: test(text_of(d, element_id)), what)
    return text_of(driver, element_id)


def log_in(driver: WebDriver, url: str, password: str = PASSWORD) -> None:
    driver.delete_all_cookies()
    driver.get(url + "/")
    WebDriverWait(driver, WAIT).until(seen.visibility_of_element_located((By.ID, "password")))
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.ID, "login-button").click()


def test_a_wrong_password_is_refused(browser: WebDriver, station: tuple[Any, str]) -> None:
    _, url = station
    log_in(browser, url, "not it")
    error = wait_text(browser, "login-error", bool, "the refusal")
    assert "wrong password" in error
    assert not browser.find_element(By.ID, "app").is_displayed()


def test_a_phone_pairs_with_the_code_the_station_says(
    browser: WebDriver, station: tuple[Any, str]
) -> None:
    real, url = station
    logged: list[str] = []  # the code is said privately (never a DJ line), and logged
    handler = logging.Handler()
    handler.emit = lambda record: logged.append(record.getMessage())  # type: ignore[method-assign]
    logging.getLogger("appliance.faces.web").addHandler(handler)
    try:
        browser.delete_all_cookies()
        browser.get(url + "/")
        WebDriverWait(browser, WAIT).until(
            seen.visibility_of_element_located((By.ID, "pair-start"))
        )
        browser.find_element(By.ID, "pair-start").click()
        box = WebDriverWait(browser, WAIT).until(
            seen.visibility_of_element_located((By.ID, "pair-code"))
        )
        found = lambda: [line for line in logged if "pairing code for" in line]  # noqa: E731
        wait_until(found, WAIT, "the station to log the pairing code")
    finally:
        logging.getLogger("appliance.faces.web").removeHandler(handler)
    code = found()[-1].split(":")[-1].split("(")[0].strip()
    assert len(code) == 6 and code.isdigit()
    assert not any(code in line.text for line in real.snapshot().dj_lines)
    box.send_keys(code)
    browser.find_element(By.ID, "pair-button").click()
    WebDriverWait(browser, WAIT).until(seen.visibility_of_element_located((By.ID, "skip")))
    assert not browser.find_element(By.ID, "login-view").is_displayed()


def test_log_in_see_the_title_and_skip_to_the_next(
    browser: WebDriver, station: tuple[Any, str]
) -> None:
    real, url = station
    assert real.execute(Play(genre="jazz", source="test")).ok
    wait_until(lambda: real.snapshot().track is not None, WAIT, "the first track")
    # up next is rock: the DJ's own pick after a skip can be the skipped track again
    assert real.execute(Enqueue(genre="rock", source="test")).ok
    playing = real.snapshot().track.title
    log_in(browser, url)
    wait_text(browser, "title", lambda text: text == playing, f"{playing} on the page")
    started = time.monotonic()
    browser.find_element(By.ID, "skip").click()
    after = wait_text(browser, "title", lambda t: t not in ("", playing), "the next title")
    assert after == real.snapshot().track.title
    assert time.monotonic() - started < 5
    skipped = real.get_dj().export_profile(real.snapshot().listener)["listening"]
    assert any(row["event"] == "skipped" for row in skipped)
    asked = browser.execute_script(
        "return performance.getEntriesByType('resource').map(entry => entry.name)"
    )
    assert any(f"/api/cover/{real.snapshot().track.track_id}" in name for name in asked)
    cover = browser.find_element(By.ID, "cover").get_attribute("src")  # these tones have none
    assert cover is not None and cover.endswith("/static/icon.svg")
    browser.execute_script("document.getElementById('volume').value = 40;"
                           "document.getElementById('volume').dispatchEvent("
                           "new Event('change'))")  # fmt: skip
    wait_until(lambda: real.snapshot().volume == 40, WAIT, "the volume from the slider")
    wait_text(browser, "status", lambda t: "volume 40" in t, "the volume on the page")


def test_typing_to_the_dj_answers_and_plays(browser: WebDriver, station: tuple[Any, str]) -> None:
    real, url = station
    assert real.execute(Play(genre="rock", source="test")).ok
    log_in(browser, url)
    WebDriverWait(browser, WAIT).until(seen.visibility_of_element_located((By.ID, "ask-text")))
    box = browser.find_element(By.ID, "ask-text")
    box.send_keys("play some jazz")
    box.submit()
    answer = wait_text(browser, "answer", lambda t: t not in ("", "\u2026"), "the DJ's answer")
    assert "jazz" in answer.casefold()
    track = lambda: real.snapshot().track  # noqa: E731
    wait_until(lambda: track() is not None and "jazz" in track().genres, WAIT, "jazz to play")
    title = track().title
    wait_text(browser, "title", lambda t: t == title, "the jazz title on the page")
    lines = browser.find_element(By.ID, "lines").text
    assert answer in lines


def test_a_bad_setting_shows_its_error_and_is_not_saved(
    browser: WebDriver, station: tuple[Any, str]
) -> None:
    real, url = station
    file = real.config.settings.source
    before = file.read_text()
    log_in(browser, url)
    WebDriverWait(browser, WAIT).until(seen.visibility_of_element_located((By.ID, "skip")))
    browser.find_element(By.CSS_SELECTOR, "[data-tab=settings]").click()
    volume = WebDriverWait(browser, WAIT).until(
        seen.visibility_of_element_located((By.ID, "set-audio-volume"))
    )
    volume.clear()
    volume.send_keys("150")
    browser.find_element(By.ID, "settings-save").click()
    error = wait_text(browser, "settings-errors", bool, "the setting's error")
    assert "audio.volume" in error and "0 to 100" in error
    assert text_of(browser, "settings-result") == "Not saved:"
    assert file.read_text() == before


def test_a_listeners_data_is_offered_as_a_download(
    browser: WebDriver, station: tuple[Any, str]
) -> None:
    real, url = station
    assert real.execute(Play(genre="rock", source="test")).ok
    log_in(browser, url)
    WebDriverWait(browser, WAIT).until(seen.visibility_of_element_located((By.ID, "like")))
    browser.find_element(By.ID, "like").click()
    wait_until(lambda: real.get_dj().export_profile(real.snapshot().listener), WAIT, "the like")
    browser.find_element(By.CSS_SELECTOR, "[data-tab=listeners]").click()
    profile = WebDriverWait(browser, WAIT).until(
        seen.element_to_be_clickable((By.XPATH, "//li[contains(., '(listening)')]/button[2]"))
    )
    profile.click()
    link = WebDriverWait(browser, WAIT).until(seen.visibility_of_element_located((By.ID, "export")))
    href = link.get_attribute("href")
    assert href is not None and link.get_attribute("download")
    # what the link downloads, fetched by the page itself with its session
    data = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(arguments[0]).then(r => r.json()).then(done, e => done(String(e)));",
        href,
    )
    assert data["profile"]["user_id"] == real.snapshot().listener
    assert any(row["event"] == "liked" for row in data["listening"])


@pytest.mark.audio
def test_the_volume_slider_changes_what_the_speaker_plays(
    browser: WebDriver, pulse: PulseServer, tones: Path, tmp_path: Path
) -> None:
    real, url = started_station(tones, tmp_path, audio_output="auto")
    recorder = pulse.recorder().start()
    try:
        assert real.execute(Play(genre="jazz", source="test")).ok
        jazz = music.TONES["Jazz"]
        loud = settled_level(recorder, jazz, lambda level: level > 40)
        log_in(browser, url)
        WebDriverWait(browser, WAIT).until(seen.visibility_of_element_located((By.ID, "volume")))
        browser.execute_script(
            "const slider = document.getElementById('volume'); slider.value = 20;"
            "slider.dispatchEvent(new Event('change'));"
        )
        wait_until(lambda: real.snapshot().volume == 20, WAIT, "the volume from the slider")
        quiet = settled_level(recorder, jazz, lambda level: level < loud - 6)
        assert loud - quiet > 6
    finally:
        recorder.stop()
        real.stop()


def test_the_first_run_walks_through_the_setup(
    browser: WebDriver, tones: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = tmp_path / "config.toml"  # not there yet: nothing is configured
    monkeypatch.setenv("APPLIANCE_CONFIG", str(file))
    with (
        closing(DoubleStation(tones, tmp_path)) as double,
        serving(double, web_settings(tones), tmp_path) as server,
    ):
        log_in(browser, server.url)
        name = WebDriverWait(browser, WAIT).until(
            seen.visibility_of_element_located((By.ID, "setup-name"))
        )
        assert not browser.find_element(By.ID, "tab-now").is_displayed()
        # the double has no microphone (as with listen = "none"): the step says so plainly
        note = wait_text(browser, "mic-note", bool, "the microphone step's note")
        assert 'not listening (listen = "none")' in note
        assert not browser.find_element(By.ID, "wake-test").is_enabled()
        name.clear()
        name.send_keys("Kitchen")
        browser.find_element(By.ID, "setup-listener").send_keys("Sam Jones")
        browser.find_element(By.ID, "setup-save").click()
        WebDriverWait(browser, WAIT).until(seen.visibility_of_element_located((By.ID, "skip")))
        config = load_config(file)
        assert config.station.name == "Kitchen" and config.library.music_folders == (tones,)
        assert [(u.id, u.name) for u in config.users] == [("sam-jones", "Sam Jones")]
        assert double.snapshot().listener == "sam-jones"


def test_the_page_wears_the_station_name_and_an_untouched_save_changes_nothing(
    browser: WebDriver, tones: Path, tmp_path: Path
) -> None:
    file = tmp_path / "config.toml"
    text = (
        '# the demo library\n[station]\nname = "Den Radio"\n[library]\nmusic_folders = []\n'
        f'[faces]\npassword = "{PASSWORD}"\n[web]\nport = 8080\n'
    )
    file.write_text(text)
    with (
        closing(DoubleStation(tones, tmp_path)) as double,
        serving(double, file_settings(file), tmp_path) as server,
    ):
        browser.delete_all_cookies()
        browser.get(server.url + "/")
        WebDriverWait(browser, WAIT).until(lambda d: d.title == "Den Radio", "the name as title")
        assert text_of(browser, "login-name") == "Den Radio"
        log_in(browser, server.url)
        wait_text(browser, "station", lambda t: t == "Den Radio", "the name in the header")
        browser.find_element(By.CSS_SELECTOR, "[data-tab=settings]").click()
        port = WebDriverWait(browser, WAIT).until(
            seen.visibility_of_element_located((By.ID, "set-web-port"))
        )
        port.clear()
        port.send_keys("8080")  # the test serves on port 0, which a file cannot say
        browser.find_element(By.ID, "settings-save").click()
        wait_text(browser, "settings-result", lambda t: "saved" in t, "the saving")
        assert file.read_text() == text


# -- the API on the real station (the browser's station, started once) ------------------------


def test_commands_move_the_real_station(station: tuple[Any, str]) -> None:
    real, url = station
    real.execute(ClearQueue(source="test"))  # nothing left queued by another test
    session = logged_in(url)
    send = lambda **body: session.post(f"{url}/api/command", json=body, timeout=TIMEOUT)  # noqa: E731
    before = real.snapshot().track  # what an earlier test left on air, if anything
    # the answer comes back once the DJ has chosen; the track starts a moment later
    assert send(command="play", genre="jazz").status_code == 200
    wait_until(lambda: real.snapshot().track not in (None, before), 10, "the first track")
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
        info = browser.get_service_info("_http._tcp.local.", f"{STATION}._http._tcp.local.", 3000)
        assert info is not None and url.endswith(f":{info.port}")
        assert info.server == f"kitchen-{TAG}.local."  # the speaker's name as a host name
    finally:
        browser.close()


# -- a hostile library, a narrow phone, a keyboard, a restart (on the station's double) -----------

TITLE = '<img src=x onerror="window.hacked=1">' + "Unbroken" * 20
ARTIST = "<script>window.hacked=2</script>"
LINE = '<b onmouseover="window.hacked=3">bold</b><img src=x onerror="window.hacked=4">'
NAME = '<img src=x onerror="window.hacked=5">'


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[DoubleStation, Config]]:
    """A double station whose first track's title and artist are HTML, and whose DJ line and
    listener name are too; and the settings (from a file) to serve it with."""
    folder = music.tone_library(tmp_path_factory.mktemp("hostile"), music.TONES, 1, seconds=2.0)
    music.tag(folder / "Jazz Artist 0" / "Jazz 0.flac", title=TITLE, artist=ARTIST, album=ARTIST)
    data = tmp_path_factory.mktemp("hostile-data")
    double = DoubleStation(folder, data)
    track = next(t for t in double.tracks if t.title == TITLE)
    double.execute(Play(track_id=track.track_id))
    double.update(dj_lines=(Said(LINE, "guest", time.time()),),
                  listeners=(("guest", NAME), ("alex", "Alex")), listener_name=NAME)  # fmt: skip
    file = data / "config.toml"
    file.write_text(f'[station]\ndata_dir = "{data}"\n[library]\nmusic_folders = ["{folder}"]\n'
                    f'[faces]\npassword = "{PASSWORD}"\n')  # fmt: skip
    yield double, on_any_port(load_config(file))
    double.close()


@pytest.fixture
def hostile_page(hostile: tuple[DoubleStation, Config]) -> Iterator[tuple[DoubleStation, Served]]:
    double, settings = hostile
    with serving(double, settings, settings.data_dir()) as server:
        yield double, server


def no_script_ran(driver: WebDriver) -> None:
    assert driver.execute_script("return window.hacked === undefined"), "a script ran"


def test_html_in_titles_lines_and_names_is_shown_as_text(
    browser: WebDriver, hostile_page: tuple[DoubleStation, Served]
) -> None:
    _, server = hostile_page
    log_in(browser, server.url)
    wait_text(browser, "title", lambda t: t == TITLE, "the title, as text")
    assert text_of(browser, "artist") == ARTIST and LINE in text_of(browser, "lines")
    assert NAME in text_of(browser, "status")
    browser.find_element(By.CSS_SELECTOR, "[data-tab=library]").click()
    browser.find_element(By.CSS_SELECTOR, "[data-browse=artists]").click()
    wait_text(browser, "browse", lambda t: ARTIST in t, "the artist in the library")
    browser.find_element(By.CSS_SELECTOR, "[data-tab=listeners]").click()
    wait_text(browser, "listeners", lambda t: NAME in t, "the listener's name")
    browser.find_element(By.CSS_SELECTOR, "[data-tab=now]").click()
    no_script_ran(browser)
    assert not browser.find_elements(By.CSS_SELECTOR, "main img:not(#cover), main script, main b")


def test_nothing_is_cut_off_on_a_narrow_phone(
    browser: WebDriver, hostile_page: tuple[DoubleStation, Served]
) -> None:
    _, server = hostile_page
    browser.set_window_size(320, 640)
    try:
        log_in(browser, server.url)
        wait_text(browser, "title", lambda t: t == TITLE, "the long title")
        for tab in ("now", "queue", "library", "listeners", "settings", "system"):
            browser.find_element(By.CSS_SELECTOR, f"[data-tab={tab}]").click()
            if tab == "settings":
                WebDriverWait(browser, WAIT).until(
                    seen.visibility_of_element_located((By.ID, "settings-save"))
                )
            wide = browser.execute_script(
                "return [document.documentElement.scrollWidth, window.innerWidth]"
            )
            widest = browser.execute_script(
                "return [...document.querySelectorAll('body *')].filter((e) =>"
                " e.getBoundingClientRect().right > window.innerWidth + 1)"
                ".map((e) => e.id || e.tagName).slice(0, 5)"
            )
            assert wide[0] <= wide[1], f"{tab}: {widest} wider than {wide[1]} px"
    finally:
        browser.set_window_size(420, 900)


def test_every_control_has_a_name_and_the_keyboard_reaches_it(
    browser: WebDriver, hostile_page: tuple[DoubleStation, Served]
) -> None:
    double, server = hostile_page
    double.execute(Enqueue(track_id=double.tracks[1].track_id))
    log_in(browser, server.url)
    WebDriverWait(browser, WAIT).until(seen.visibility_of_element_located((By.ID, "skip")))
    unnamed = browser.execute_script(
        """return [...document.querySelectorAll('button, input, select, textarea')]
            .filter((c) => !(c.labels && c.labels.length) && !c.getAttribute('aria-label')
                && !/\\p{L}/u.test(c.textContent))
            .map((c) => c.outerHTML);"""
    )
    assert unnamed == [], unnamed  # a screen reader would say "button" and nothing else
    browser.execute_script(
        "window.focused = [];"
        "document.addEventListener('focusin', (e) => window.focused.push(e.target.id));"
    )
    ActionChains(browser).send_keys(Keys.TAB * 40).perform()  # from the top, Tab after Tab
    reached = set(browser.execute_script("return window.focused"))
    assert {"listener", "skip", "toggle", "volume", "ask-text", "logout"} <= reached


def test_logging_out_shows_the_login_and_ends_the_session(
    browser: WebDriver, hostile_page: tuple[DoubleStation, Served]
) -> None:
    _, server = hostile_page
    log_in(browser, server.url)
    WebDriverWait(browser, WAIT).until(seen.element_to_be_clickable((By.ID, "logout"))).click()
    WebDriverWait(browser, WAIT).until(seen.visibility_of_element_located((By.ID, "password")))
    status = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch('/api/state').then(r => done(r.status), e => done(String(e)));"
    )
    assert status == 401


def test_the_page_comes_back_by_itself_after_a_restart(
    browser: WebDriver, hostile: tuple[DoubleStation, Config]
) -> None:
    double, settings = hostile
    data = settings.data_dir()
    server = Served(double, settings, data, advertise=False)
    port = server.face.port
    try:
        log_in(browser, server.url)
        wait_text(browser, "title", lambda t: t == TITLE, "the title before the restart")
    finally:
        server.stop()
    wait_text(browser, "connection", bool, "the page saying it lost the appliance")
    time.sleep(0.8)  # down for longer than the page's first try to reconnect (at 0.5 s)
    same_port = dataclasses.replace(settings, web=dataclasses.replace(settings.web, port=port))
    with serving(double, same_port, data):
        double.execute(Skip())
        track = double.snapshot().track
        assert track is not None
        title = track.title
        wait_text(browser, "title", lambda t: t == title, "the next title after the restart")
        assert browser.find_element(By.ID, "app").is_displayed()  # no new login
        assert text_of(browser, "connection") == ""
        no_script_ran(browser)


def test_scan_again_finds_a_new_file_in_the_music_folder(
    browser: WebDriver, tmp_path: Path
) -> None:
    songs = tmp_path / "songs"
    music.make_track(songs / "One" / "one.flac", 2.0, bpm=100, freq=440.0, noise=0.01,
                     title="One", artist="First", genre="Jazz")  # fmt: skip
    (tmp_path / "station").mkdir()
    real, url = started_station(songs, tmp_path / "station")
    try:
        session = logged_in(url)
        assert real.library.stats().tracks == 1
        music.make_track(songs / "Two" / "two.flac", 2.0, bpm=100, freq=550.0, noise=0.02,
                         title="Brand New", artist="Second", genre="Rock")  # fmt: skip
        reply = session.post(url + "/api/command", json={"command": "rescan"}, timeout=TIMEOUT)
        assert reply.status_code == 200, reply.text

        def found() -> bool:
            answer = session.get(url + "/api/library/search?q=brand", timeout=TIMEOUT).json()
            return any(track["title"] == "Brand New" for track in answer.get("tracks", []))

        wait_until(found, WAIT, "the new file in the library after the API's rescan")
        # the page: its button scans again, the notices show progress, then the counts reload
        music.make_track(songs / "Three" / "three.flac", 2.0, bpm=100, freq=770.0,
                         noise=0.03, title="Third", artist="Third", genre="Rock")  # fmt: skip
        log_in(browser, url)
        WebDriverWait(browser, WAIT).until(seen.visibility_of_element_located((By.ID, "skip")))
        browser.find_element(By.CSS_SELECTOR, "[data-tab=library]").click()
        wait_text(browser, "stats", lambda text: text.startswith("2 tracks"), "two tracks")
        browser.find_element(By.ID, "rescan").click()
        done = wait_text(browser, "scan", lambda text: text.startswith("Scan done"), "done")
        assert "1 added" in done
        wait_text(browser, "stats", lambda text: text.startswith("3 tracks"), "three tracks")
    finally:
        real.stop()


def test_the_system_page_fetches_a_model_with_progress_and_removes_it(
    browser: WebDriver,
    tones: Path,
    tmp_path: Path,
    model_server: ModelServer,  # noqa: F811
) -> None:
    from tests.faces.test_web_models import PAUSE

    data = make_zip()
    catalog = catalog_with(tmp_path, model_server.add("/test.zip", data, pause_at=PAUSE), data)
    with (
        closing(DoubleStation(tones, tmp_path)) as double,
        serving(double, web_settings(tones), tmp_path, catalog=catalog) as server,
    ):
        log_in(browser, server.url)
        WebDriverWait(browser, WAIT).until(seen.visibility_of_element_located((By.ID, "logout")))
        browser.find_element(By.CSS_SELECTOR, "[data-tab=system]").click()
        fetch = WebDriverWait(browser, WAIT).until(
            seen.element_to_be_clickable((By.CSS_SELECTOR, "[aria-label='Fetch test-model']"))
        )
        assert "not installed" in text_of(browser, "model-test-model")
        fetch.click()
        share = f"downloading {round(100 * PAUSE / len(data), 1)}%"
        redrawn = WebDriverWait(browser, WAIT, ignored_exceptions=[StaleElementReferenceException])
        row = lambda d: d.find_element(By.ID, "model-test-model").text  # noqa: E731
        redrawn.until(lambda d: share in row(d), "the download's progress")
        model_server.files["/test.zip"].resume.set()
        redrawn.until(lambda d: "installed just now" in row(d), "installed")
        assert (models_dir(tmp_path) / "test-model" / "README").exists()

        def remove(d: WebDriver) -> bool:  # the list is redrawn once more when the job ends
            try:
                d.find_element(By.CSS_SELECTOR, "[aria-label='Remove test-model']").click()
            except (NoSuchElementException, StaleElementReferenceException):
                return False
            return True

        redrawn.until(remove, "the installed model's Remove button")
        WebDriverWait(browser, WAIT).until(seen.alert_is_present()).accept()
        wait_text(browser, "models-result", lambda t: "removed" in t, "the removal's note")
        assert not (models_dir(tmp_path) / "test-model").exists()
        redrawn.until(lambda d: "not installed" in row(d), "the list redrawn")
