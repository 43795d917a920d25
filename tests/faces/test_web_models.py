"""Models on the System page through the API: the catalog listed with what is installed, a
fetch from a local HTTP server in the background with its progress, a bad checksum or no
network said in one line, and removal confirmed and refused for a model the station uses."""

from __future__ import annotations

import asyncio
import logging
import socket
from pathlib import Path
from typing import Any

import pytest
import requests

from appliance.faces.web import models as web_models
from appliance.faces.web.models import FetchJob
from appliance.models.store import models_dir
from tests.board.conftest import MODEL_FILES, ModelServer, make_zip, model_server  # noqa: F401
from tests.faces.web_station import (
    DoubleStation,
    Served,
    catalog_with,
    logged_in,
    model_entry,
    serving,
    web_settings,
)
from tests.support.waiting import wait_until

TIMEOUT = 5
PAUSE = 15 * 4096  # the server sends 4 KiB chunks: it pauses after this many bytes


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def archive() -> bytes:
    return make_zip()


@pytest.fixture
def catalog(tmp_path: Path, model_server: ModelServer, archive: bytes) -> Path:  # noqa: F811
    """The shipped catalog plus test models served from 127.0.0.1: a good one (paused after
    60 KiB until the test lets it go on), one whose checksum is wrong, one on a port nobody
    answers and one without a published checksum."""
    good = model_server.add("/good.zip", archive, pause_at=PAUSE)
    bad = model_server.add("/bad.zip", archive)
    gone = f"http://127.0.0.1:{closed_port()}/gone.zip"
    return catalog_with(
        tmp_path,
        good,
        archive,
        model_entry("bad-model", bad, archive, sha256="0" * 64),
        model_entry("gone-model", gone, archive),
        model_entry("open-model", bad, archive, sha256=""),
    )


@pytest.fixture
def face_options(catalog: Path) -> dict[str, Any]:
    """The shared ``served`` page, reading the models from ``catalog``."""
    return {"catalog": catalog}


def listed(session: requests.Session, served: Served) -> dict[str, Any]:
    answer = session.get(f"{served.url}/api/models", timeout=TIMEOUT)
    assert answer.status_code == 200, answer.text
    return answer.json()


def row(session: requests.Session, served: Served, name: str) -> dict[str, Any]:
    return next(m for m in listed(session, served)["models"] if m["name"] == name)


def job(session: requests.Session, served: Served, name: str) -> dict[str, Any]:
    answer = session.get(f"{served.url}/api/models/{name}/fetch", timeout=TIMEOUT)
    assert answer.status_code == 200, answer.text
    return answer.json()["job"]


def finished(session: requests.Session, served: Served, name: str) -> dict[str, Any]:
    wait_until(lambda: job(session, served, name)["phase"] in ("installed", "failed"), 20,
               f"the fetch of {name} to end")  # fmt: skip
    return job(session, served, name)


def test_a_fetch_shows_its_progress_and_installs_the_model(
    served: Served,
    model_server: ModelServer,  # noqa: F811
    archive: bytes,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    session = logged_in(served.url)
    before = row(session, served, "test-model")
    assert before["installed"] is False and before["fetchable"] is True
    assert before["disk_mb"] == 1 and before["in_use"] is False
    shipped_voice = row(session, served, "en_US-joe-medium")
    assert shipped_voice["installed"] is True and shipped_voice["source"] == "package"
    started = session.post(f"{served.url}/api/models/test-model/fetch", timeout=TIMEOUT)
    assert started.status_code == 202, started.text
    # paused by the server after 60 KiB: the page sees the bytes and the share of the whole
    wait_until(lambda: job(session, served, "test-model")["bytes"] == PAUSE, 10, "60 KiB in")
    halfway = job(session, served, "test-model")
    assert halfway["phase"] == "download" and halfway["total"] == len(archive)
    assert halfway["percent"] == round(100 * PAUSE / len(archive), 1)
    on_loop: list[bool] = []
    progress = FetchJob.progress

    def watched(job: FetchJob) -> dict[str, Any]:
        try:
            asyncio.get_running_loop()
            on_loop.append(True)  # a stat and a listing of the folder on the event loop
        except RuntimeError:
            on_loop.append(False)
        return progress(job)

    monkeypatch.setattr(FetchJob, "progress", watched)
    assert listed(session, served)["jobs"][0]["name"] == "test-model"
    assert on_loop == [False]  # read in the executor, as fetch_progress does
    monkeypatch.undo()
    again = session.post(f"{served.url}/api/models/bad-model/fetch", timeout=TIMEOUT)
    assert again.status_code == 409 and "being fetched" in again.json()["error"]
    model_server.files["/good.zip"].resume.set()
    done = finished(session, served, "test-model")
    assert done["phase"] == "installed" and done["percent"] == 100.0, done
    after = row(session, served, "test-model")
    assert after["installed"] and after["source"] == "download" and after["verified"]
    assert after["size_mb"] == round(sum(len(d) for d in MODEL_FILES.values()) / 2**20, 1)
    folder = models_dir(tmp_path) / "test-model"
    for relative, data in MODEL_FILES.items():
        assert (folder / relative).read_bytes() == data
    twice = session.post(f"{served.url}/api/models/test-model/fetch", timeout=TIMEOUT)
    assert twice.status_code == 409 and "installed already" in twice.json()["error"]


def test_a_bad_checksum_installs_nothing_and_says_so(served: Served, tmp_path: Path) -> None:
    session = logged_in(served.url)
    started = session.post(f"{served.url}/api/models/bad-model/fetch", timeout=TIMEOUT)
    assert started.status_code == 202, started.text
    done = finished(session, served, "bad-model")
    assert done["phase"] == "failed"
    assert "does not match its published checksum" in done["error"]
    assert "\n" not in done["error"]
    assert row(session, served, "bad-model")["installed"] is False
    assert not (models_dir(tmp_path) / "bad-model").exists()


def test_no_network_is_one_line(served: Served) -> None:
    session = logged_in(served.url)
    assert session.post(f"{served.url}/api/models/gone-model/fetch", timeout=TIMEOUT).ok
    done = finished(session, served, "gone-model")
    assert done["phase"] == "failed" and done["error"].startswith("no network: 127.0.0.1")
    assert "\n" not in done["error"] and "internet" in done["hint"]


def test_removal_is_confirmed_and_refused_for_the_model_in_use(
    served: Served,
    station: DoubleStation,
    model_server: ModelServer,  # noqa: F811
    tmp_path: Path,
) -> None:
    session = logged_in(served.url)
    model_server.files["/good.zip"].resume.set()
    assert session.post(f"{served.url}/api/models/test-model/fetch", timeout=TIMEOUT).ok
    assert finished(session, served, "test-model")["phase"] == "installed"
    url = f"{served.url}/api/models/test-model"
    folder = models_dir(tmp_path) / "test-model"
    for body in ({}, {"confirm": "other"}, {"confirm": 1}, []):
        unconfirmed = session.delete(url, json=body, timeout=TIMEOUT)
        assert unconfirmed.status_code == 400 and unconfirmed.json()["key"] == "confirm"
    assert folder.exists()
    station.models = {"stt": "test-model", "wake": "okay_nabu"}  # as the station names them
    assert row(session, served, "test-model")["in_use"] is True
    busy = session.delete(url, json={"confirm": "test-model"}, timeout=TIMEOUT)
    assert busy.status_code == 409 and "restart" in busy.json()["error"]
    assert folder.exists()
    station.models = {"stt": "pocketsphinx-en-us"}
    removed = session.delete(url, json={"confirm": "test-model"}, timeout=TIMEOUT)
    assert removed.status_code == 200, removed.text
    assert not folder.exists() and row(session, served, "test-model")["installed"] is False
    gone = session.delete(url, json={"confirm": "test-model"}, timeout=TIMEOUT)
    assert gone.status_code == 404 and "not installed" in gone.json()["error"]
    shipped_one = session.delete(f"{served.url}/api/models/en_US-joe-medium",
                                 json={"confirm": "en_US-joe-medium"}, timeout=TIMEOUT)  # fmt: skip
    assert shipped_one.status_code == 409 and "package" in shipped_one.json()["error"]


def test_bad_model_requests_get_a_clear_4xx_and_change_nothing(
    served: Served, tmp_path: Path
) -> None:
    session = logged_in(served.url)
    for path in ("/api/models/no-such-model/fetch", "/api/models/%2e%2e%2fetc/fetch",
                 "/api/models/" + "x" * 300 + "/fetch"):  # fmt: skip
        unknown = session.post(f"{served.url}{path}", timeout=TIMEOUT)
        assert unknown.status_code == 404 and "catalog" in unknown.json()["error"], path
    assert session.delete(f"{served.url}/api/models/nope", json={"confirm": "nope"},
                          timeout=TIMEOUT).status_code == 404  # fmt: skip
    never = session.get(f"{served.url}/api/models/test-model/fetch", timeout=TIMEOUT)
    assert never.status_code == 404
    unverified = session.post(f"{served.url}/api/models/open-model/fetch", timeout=TIMEOUT)
    assert unverified.status_code == 409 and "checksum" in unverified.json()["error"]
    in_package = session.post(f"{served.url}/api/models/en_US-joe-medium/fetch", timeout=TIMEOUT)
    assert in_package.status_code == 409 and "package" in in_package.json()["error"]
    text = session.delete(f"{served.url}/api/models/test-model", data="x", timeout=TIMEOUT)
    assert text.status_code == 400
    huge = session.delete(f"{served.url}/api/models/test-model",
                          json={"confirm": "x" * 70_000}, timeout=TIMEOUT)  # fmt: skip
    assert huge.status_code == 413
    stranger = requests.get(f"{served.url}/api/models", timeout=TIMEOUT)
    assert stranger.status_code == 401
    no_token = requests.Session()
    no_token.cookies = session.cookies
    forged = no_token.post(f"{served.url}/api/models/test-model/fetch", timeout=TIMEOUT)
    assert forged.status_code == 403
    assert listed(session, served)["jobs"] == []
    assert not models_dir(tmp_path).exists() or not any(models_dir(tmp_path).iterdir())


def test_a_catalog_no_plan_can_be_made_from_is_still_listed(
    station: DoubleStation,
    songs: Path,
    tmp_path: Path,
    archive: bytes,
    model_server: ModelServer,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(web_models, "_TOLD", set())  # as after a start
    only = tmp_path / "only.toml"  # one recogniser: no voice, wake word or VAD to plan with
    only.write_text(model_entry("test-model", model_server.add("/m.zip", archive), archive))
    with serving(station, web_settings(songs), tmp_path, catalog=only) as server:
        session = logged_in(server.url)
        with caplog.at_level(logging.DEBUG, "appliance.faces.web"):
            for _ in range(3):  # the page lists twice a second while a fetch runs
                (model,) = listed(session, server)["models"]
                assert model["name"] == "test-model" and model["planned"] is False
    told = [r for r in caplog.records if "no hardware plan" in r.getMessage()]
    assert [r.levelno for r in told] == [logging.WARNING] + [logging.DEBUG] * 2  # said once
