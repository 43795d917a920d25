"""Fuzzing the web face: any body, any path, any settings form is a clear 4xx or done, never a
500 or a traceback; a settings form is saved whole or not at all; a full disk leaves the old
settings file and still serves a cover."""

from __future__ import annotations

import dataclasses
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from appliance.config import SECTIONS, InvalidConfig, load_config, parse_config
from appliance.faces.web.covers import Covers
from appliance.faces.web.settings import config_text, parsed, toml_value
from appliance.faces.web.shapes import COMMANDS, BadInput, parse_command
from tests.board.conftest import ModelServer, make_zip, model_server  # noqa: F401
from tests.faces.web_station import DoubleStation, Served, on_any_port, web_settings
from tests.fuzz.conftest import fuzz_rounds
from tests.support import music
from tests.support.disks import fill

pytestmark = pytest.mark.fuzz

PASSWORD = "open sesame"
FIELDS = sorted(
    {f.name for cls in COMMANDS.values() for f in dataclasses.fields(cls)} | {"command", "by"}
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from([*COMMANDS, "alex", "../etc", "", "\x00"]),
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3), max_leaves=5)
bodies = st.one_of(
    st.dictionaries(st.sampled_from(FIELDS), values, max_size=5),
    st.fixed_dictionaries({"command": st.sampled_from(list(COMMANDS))}).flatmap(
        lambda base: st.dictionaries(st.sampled_from(FIELDS), values, max_size=4).map(
            lambda extra: {**extra, **base}
        )
    ),
    values,
)


@given(bodies)
def test_any_body_is_a_command_from_the_web_or_a_bad_input(body: Any) -> None:
    try:
        command = parse_command(body)
    except BadInput as error:
        assert str(error)
        return
    assert command.source == "web"
    assert type(command) is COMMANDS[body["command"]]


@pytest.fixture(scope="module")
def songs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return music.tone_library(tmp_path_factory.mktemp("songs"), music.TONES, 1, seconds=2.0)


@pytest.fixture(scope="module")
def served(songs: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    data = tmp_path_factory.mktemp("data")
    station = DoubleStation(songs, data)
    server = Served(station, web_settings(songs), data, advertise=False)
    yield server
    server.stop()
    station.close()


@pytest.fixture(scope="module")
def session(served: Served) -> requests.Session:
    made = requests.Session()
    answer = made.post(f"{served.url}/api/login", json={"password": PASSWORD}, timeout=5)
    made.headers["X-CSRF-Token"] = answer.json()["csrf"]
    return made


ENDPOINTS = [
    ("POST", "/api/command"),
    ("POST", "/api/settings"),
    ("POST", "/api/listeners/alex/friends"),
    ("DELETE", "/api/listeners/nobody"),
    ("POST", "/api/login"),
    ("POST", "/api/pair"),
    ("POST", "/api/setup/wake-test"),
    ("DELETE", "/api/models/pocketsphinx-en-us"),
]


@given(
    st.sampled_from(ENDPOINTS),
    st.one_of(bodies.map(lambda b: json.dumps(b).encode()), st.binary(max_size=200)),
)
def test_any_request_body_is_answered_in_json_without_a_server_error(
    served: Served, session: requests.Session, endpoint: tuple[str, str], data: bytes
) -> None:
    method, path = endpoint
    headers = {"Content-Type": "application/json"}
    answer = session.request(method, served.url + path, data=data, headers=headers, timeout=5)
    assert answer.status_code < 500, answer.text
    assert isinstance(answer.json(), dict)


@given(st.text(alphabet="abcdef./%?=&_-~0123456789", max_size=40))
def test_any_path_is_answered_without_a_server_error(
    served: Served, session: requests.Session, tail: str
) -> None:
    for prefix in ("/static/", "/api/cover/", "/api/library/", "/api/listeners/", "/api/models/"):
        answer = session.get(served.url + prefix + tail, timeout=5)
        assert answer.status_code < 500, (prefix + tail, answer.text)
        assert "root:" not in answer.text


SETTING_VALUES = st.one_of(
    st.booleans(), st.integers(-5, 70_000), st.text(max_size=12), st.sampled_from(["", "0", "x"])
)


@given(
    st.lists(
        st.tuples(
            st.sampled_from(sorted(SECTIONS)),
            st.text("abcdefghijklmnopqrstuvwxyz_", max_size=20),
            SETTING_VALUES,
        ),
        max_size=4,
    )
)
def test_a_settings_form_is_saved_whole_or_not_at_all(
    served: Served, session: requests.Session, tmp_path_factory: pytest.TempPathFactory,
    changes: list[tuple[str, str, Any]],
) -> None:  # fmt: skip
    file = tmp_path_factory.mktemp("config") / "config.toml"
    before = '[station]\nname = "Before"\n'
    file.write_text(before)
    context = served.face.context
    kept = context.settings
    context.settings = on_any_port(load_config(file))
    real_keys = {name: [f.name for f in dataclasses.fields(cls)] for name, cls in SECTIONS.items()}
    form: dict[str, dict[str, Any]] = {}
    for section, key, value in changes:
        if key == "" and real_keys[section]:  # half of them a real key
            key = real_keys[section][len(form) % len(real_keys[section])]
        form.setdefault(section, {})[key] = value
    try:
        answer = session.post(f"{served.url}/api/settings", json={"values": form}, timeout=5)
    finally:
        context.settings = kept
    assert answer.status_code in (200, 400), answer.text
    if answer.status_code == 400:
        assert file.read_text() == before
        assert answer.json()["error"]
    else:
        load_config(file)  # what was saved passes the check


LAYOUTS = [
    "",
    '# ours\n[station]\nname = "Before"  # the kitchen\n\n[audio]\nvolume = 40\n',
    '[library]\nmusic_folders = [\n  "/srv/music",  # the big disk\n  "~/Music",\n]\n'
    '[[users]]\nid = "sam"\nname = "Sam"\n[dj]\nname = "Toast"\n',
    'audio = {volume = 40, duck_db = -12.5}\nstation.name = "Before"\n',
    '[station]\n"name" = "Before"\ndata_dir = """/var/lib/x"""\n[voice]\n',
    "[library]\nmusic_folders = []\n# a comment = not a key\n[voice]\nmax_utterance_s = 8.0\n",
]
FORM_FIELDS = [
    (section, spec.name, spec.metadata["kind"])
    for section, cls in SECTIONS.items()
    for spec in dataclasses.fields(cls)
    if spec.metadata["kind"] in ("int", "float", "bool", "text", "choice", "paths")
]
FORM_VALUES = st.one_of(
    st.booleans(), st.integers(-20, 200), st.floats(-30, 300, allow_nan=False),
    st.sampled_from(["", "8", "8.0", "-15", "x y", '"quoted"', "a\nb", "~/Music", "1e2"]),
)  # fmt: skip


@given(
    st.sampled_from(LAYOUTS),
    st.lists(st.tuples(st.sampled_from(FORM_FIELDS), FORM_VALUES), max_size=5),
)
def test_a_form_edits_only_the_settings_it_changes(
    layout: str, changes: list[tuple[tuple[str, str, str], Any]]
) -> None:
    """Whatever the file's layout and the form's values: the saved text either passes the
    check with every other setting as it was and each sent one as the loader reads it, or its
    only problems are the sent settings'."""
    current = parse_config(layout)
    form: dict[str, dict[str, Any]] = {}
    for (section, key, _), value in changes:
        form.setdefault(section, {})[key] = value
    text = config_text(form, current, None, layout)
    sent = {f"{section}.{key}" for section, keys in form.items() for key in keys}
    try:
        saved = parse_config(text)
    except InvalidConfig as error:
        assert {problem.key for problem in error.problems} <= sent, (text, error.problems)
        return
    assert saved.users == current.users
    for section, key, kind in FORM_FIELDS:
        now = getattr(getattr(saved, section), key)
        if f"{section}.{key}" not in sent:
            assert now == getattr(getattr(current, section), key), (section, key, text)
            continue
        literal = toml_value(kind, form[section][key])
        if literal is not None:
            assert now == parsed(section, key, literal), (section, key, text)


def test_a_full_disk_keeps_the_old_settings_and_still_serves_a_cover(
    small_disk: Path, served: Served, session: requests.Session, songs: Path
) -> None:
    file = small_disk / "config.toml"
    before = '[station]\nname = "Before"\n'
    file.write_text(before)
    fill(small_disk)
    context = served.face.context
    kept = context.settings
    context.settings = on_any_port(load_config(file))
    try:
        for _ in range(fuzz_rounds(2, 20)):
            long_name = {"station": {"name": "N" * 2000}, "dj": {"name": "D" * 2000}}
            answer = session.post(
                f"{served.url}/api/settings", json={"values": long_name}, timeout=5
            )
            assert answer.status_code == 500 and "old file is unchanged" in answer.json()["error"]
            assert file.read_text() == before
    finally:
        context.settings = kept
    library = served.face.context.library
    assert library is not None
    track = library.tracks()[0]
    out = io.BytesIO()
    Image.new("RGB", (300, 300), "green").save(out, "JPEG")
    (Path(track.path).parent / "cover.jpg").write_bytes(out.getvalue())
    covers = Covers(small_disk / "cache", [songs])
    assert covers.get(track, 96) is not None  # scaled, though it cannot be kept


header_text = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=60
)  # what a header can carry


@given(
    host=st.one_of(header_text, st.sampled_from(["", "[::1]", "a..b", ".", "x:y:z", "[zz]"])),
    origin=st.one_of(st.none(), header_text, st.sampled_from(["null", "http://", "http://["])),
    cookie=header_text,
    path=st.sampled_from(["/", "/api/state", "/api/events", "/api/command", "/static/app.js"]),
)
def test_any_host_origin_or_cookie_is_answered_without_a_server_error(
    served: Served, host: str, origin: str | None, cookie: str, path: str
) -> None:
    headers = {"Host": host, "Cookie": f"qfzz_session={cookie}"}
    if origin is not None:
        headers["Origin"] = origin
    method = "POST" if path == "/api/command" else "GET"
    answer = requests.request(
        method, served.url + path, headers=headers, json={"command": "skip"}, timeout=5
    )
    assert answer.status_code < 500, (headers, answer.text)
    if path.startswith("/api/"):
        assert answer.status_code in (400, 401, 403), (headers, answer.status_code)


def test_a_model_fetched_from_the_page_onto_a_full_disk_says_so_and_installs_nothing(
    small_disk: Path,
    songs: Path,
    tmp_path: Path,
    model_server: ModelServer,  # noqa: F811
) -> None:
    from appliance.models.store import models_dir
    from tests.faces.web_station import catalog_with, logged_in
    from tests.support.waiting import wait_until

    data = make_zip()
    catalog = catalog_with(tmp_path, model_server.add("/m.zip", data), data)
    station = DoubleStation(songs, tmp_path)
    data_dir = small_disk / "data"
    server = Served(station, web_settings(songs), data_dir, advertise=False, catalog=catalog)
    try:
        page = logged_in(server.url, PASSWORD)
        fill(small_disk)
        started = page.post(f"{server.url}/api/models/test-model/fetch", timeout=5)
        assert started.status_code == 202, started.text

        def job() -> dict[str, Any]:
            return page.get(f"{server.url}/api/models/test-model/fetch", timeout=5).json()["job"]

        wait_until(lambda: job()["phase"] in ("installed", "failed"), 20, "the fetch to end")
        ended = job()
        assert ended["phase"] == "failed" and ended["error"].startswith("no space left on")
        assert "MB and run again" in ended["error"] and "\n" not in ended["error"]
        assert not (models_dir(data_dir) / "test-model").exists()
        listed = page.get(f"{server.url}/api/models", timeout=5).json()["models"]
        assert next(m for m in listed if m["name"] == "test-model")["installed"] is False
    finally:
        server.stop()
        station.close()
