"""A full disk: the demo library, the daemon's start, model downloads and installs, and doctor.

Each says what it needs and where, leaves nothing half-written, and the appliance carries on.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from appliance.cli import main
from appliance.config import parse_config
from appliance.diskspace import free_bytes
from appliance.errors import LibraryError, ModelError
from appliance.library import demo
from appliance.library.demo import ensure_demo_library
from appliance.models.catalog import CatalogModel, ModelFile
from appliance.models.fetch import fetch_model
from appliance.models.store import find_installed, models_dir
from appliance.station import QFZZStation, StationConfig
from tests.board.conftest import ModelServer, make_zip, model_server, write_catalog  # noqa: F401
from tests.support.disks import fill, mounted_tmpfs

pytestmark = pytest.mark.fuzz


def plain_model(url: str, data: bytes, **fields: object) -> CatalogModel:
    file = ModelFile(url=url, sha256=hashlib.sha256(data).hexdigest(), **fields)  # type: ignore[arg-type]
    return CatalogModel(
        name="test-model", kind="stt", engine="vosk", language="en-us", tier=1, licence="",
        description="", disk_mb=0.1, ram_mb=10, rtf=0.1, files=(file,),
    )  # fmt: skip


def everything(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*"))


def in_background(work: Callable[[], object]) -> tuple[threading.Thread, list[BaseException]]:
    errors: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as error:  # handed to the test
            errors.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.005)


# --- the demo library and the daemon --------------------------------------------------------------


def test_the_demo_library_on_a_small_disk_says_what_it_needs_and_leaves_nothing(
    small_disk: Path,
) -> None:
    data = small_disk / "data"
    with pytest.raises(LibraryError) as caught:
        ensure_demo_library(data, progress=False)
    assert f"no space for the demo library: it needs about 20 MB in {data}, which has" in str(
        caught.value
    )
    assert "free 20 MB on that disk, or set library.music_folders" in (caught.value.hint or "")
    assert everything(data) == []


def test_a_disk_that_fills_while_the_demo_library_is_made_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tracks = demo.demo_tracks()[:3]  # three tracks show it as well as fifty, in a fraction
    monkeypatch.setattr(demo, "demo_tracks", lambda: tracks)
    monkeypatch.setattr(demo, "ThreadPoolExecutor", lambda max_workers: ThreadPoolExecutor(1))
    first_written, disk_full = threading.Event(), threading.Event()
    write_track = demo._write_track

    def in_step(work: Path, track: demo.DemoTrack) -> None:
        if track is not tracks[0]:
            first_written.set()
            disk_full.wait(timeout=30)  # the next track meets a full disk
        write_track(work, track)

    monkeypatch.setattr(demo, "_write_track", in_step)
    with mounted_tmpfs(tmp_path / "disk", size="24m") as disk:
        data = disk / "data"
        thread, errors = in_background(lambda: ensure_demo_library(data, progress=False))
        assert first_written.wait(timeout=30), "the demo library never started"
        fill(disk)  # the rest of the disk goes, as another writer would take it
        disk_full.set()
        thread.join(timeout=60)
        assert len(errors) == 1 and isinstance(errors[0], LibraryError), errors
        assert "no space for the demo library: it needs about 20 MB" in str(errors[0])
        assert everything(data) == []
        (disk / ".filler").unlink()
        assert ensure_demo_library(data, progress=False) == data / "demo-music"  # room again


def test_the_daemon_starts_on_a_full_disk_with_an_empty_library(
    small_disk: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data = small_disk / "data"
    leftover = models_dir(data) / ".tmp-vosk-model-small-en-us-0.15-abc123"
    leftover.mkdir(parents=True)
    (leftover / "final.mdl").write_bytes(os.urandom(600_000))  # an interrupted install
    (models_dir(data) / ".downloads" / "gone").mkdir(parents=True)  # a failed fetch's folder
    fill(small_disk)  # not a byte left: dj.db and library.db meet ENOSPC as they are made
    config = StationConfig.from_settings(
        parse_config(""), listen="none", speak=False, play=False, data_dir=data
    )
    station = QFZZStation(config)
    with caplog.at_level(logging.INFO, logger="appliance"):
        station.start()
    try:
        assert station.running
        assert station.library is not None and station.library.tracks() == []
        reply = station.handle("what can you do")
        assert reply.reply.text
    finally:
        station.stop()
    assert "no space for the demo library: it needs about 20 MB" in caplog.text
    assert f"removed what an interrupted model install left: {leftover}" in caplog.text
    assert not leftover.exists() and not (models_dir(data) / ".downloads").exists()


# --- models ---------------------------------------------------------------------------------------


def test_a_download_that_cannot_fit_is_refused_before_it_starts(
    small_disk: Path,
    model_server: ModelServer,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = small_disk / "data"
    payload = os.urandom(3 * 2**20)
    url = model_server.add("/big.onnx", payload)
    downloads = models_dir(data) / ".downloads" / "test-model"
    with pytest.raises(ModelError) as caught:
        fetch_model(plain_model(url, payload), data, quiet=True)
    assert str(caught.value).startswith(f"no space left on {downloads}: free ")
    assert "MB and run again" in str(caught.value)
    assert "nothing partial was kept" in (caught.value.hint or "")
    assert everything(models_dir(data)) == []
    catalog = write_catalog(tmp_path / "catalog.toml", url, payload, unpack="")
    monkeypatch.setenv("APPLIANCE_DATA_DIR", str(data))
    assert main(["models", "--catalog", str(catalog), "fetch", "test-model"]) == 1
    err = capsys.readouterr().err
    assert f"test-model: no space left on {downloads}: free" in err and "Traceback" not in err


@pytest.mark.parametrize("resumable", [True, False])
def test_a_disk_that_fills_during_a_download_says_no_space(
    resumable: bool,
    tmp_path: Path,
    model_server: ModelServer,  # noqa: F811
) -> None:
    payload = os.urandom(1_500_000)
    url = model_server.add("/voice.onnx", payload, pause_at=256_000, ignore_range=not resumable)
    served = model_server.files["/voice.onnx"]
    model = plain_model(url, payload)
    with mounted_tmpfs(tmp_path / "disk", size="4m") as disk:
        data = disk / "data"
        part = models_dir(data) / ".downloads" / "test-model" / "voice.onnx.part"
        thread, errors = in_background(lambda: fetch_model(model, data, quiet=True))
        wait_for(lambda: part.exists() and part.stat().st_size >= 256_000, "no download started")
        fill(disk)  # while the server waits: the rest of the download meets a full disk
        served.resume.set()
        thread.join(timeout=60)
        assert len(errors) == 1 and isinstance(errors[0], ModelError), errors
        message, hint = errors[0].message, errors[0].hint or ""
        assert message.startswith(f"no space left on {part.parent}: free ")
        assert message.endswith(" MB and run again")
        assert "run again, it resumes" not in message
        if resumable:
            assert f"downloaded so far are kept in {part}; the next run resumes" in hint
            kept = part.stat().st_size
            assert kept >= 256_000
        else:
            assert "nothing partial was kept" in hint
            assert not (models_dir(data) / ".downloads").exists()
        (disk / ".filler").unlink()
        installed = fetch_model(model, data, quiet=True)
        assert installed.load_path.joinpath("voice.onnx").read_bytes() == payload
        if resumable:
            assert model_server.requests[-1] == ("/voice.onnx", f"bytes={kept}-")
        assert everything(models_dir(data)) == ["test-model", "test-model/.installed.json",
                                                "test-model/voice.onnx"]  # fmt: skip


def test_an_install_without_room_to_unpack_says_how_much_and_keeps_the_download(
    small_disk: Path,
    model_server: ModelServer,  # noqa: F811
) -> None:
    data = small_disk / "data"
    files = {f"graph/part{i:03d}.txt": f"{i}\n".encode() * 30 for i in range(600)}
    archive = make_zip(files=files)  # small, but 600 files take 600 blocks (2.4 MB) unpacked
    url = model_server.add("/many.zip", archive)
    model = CatalogModel(
        **{**plain_model(url, archive).__dict__, "files": (
            ModelFile(url=url, sha256=hashlib.sha256(archive).hexdigest(), unpack="zip",
                      strip="test-model"),
        )}
    )  # fmt: skip
    with pytest.raises(ModelError) as caught:
        fetch_model(model, data, quiet=True)
    base = models_dir(data)
    assert str(caught.value).startswith(f"no space left on {base}: free ")
    assert f"its download is kept in {base / '.downloads' / 'test-model'}" in (
        caught.value.hint or ""
    )
    assert everything(base) == [".downloads", ".downloads/test-model",
                                ".downloads/test-model/many.zip"]  # fmt: skip
    assert find_installed(model, data) is None


# --- doctor -------------------------------------------------------------------------------------


def test_doctor_on_a_full_disk_fails_the_disk_check(
    small_disk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = small_disk / "data"
    data.mkdir()
    fill(small_disk)
    config = tmp_path / "config.toml"
    config.write_text(f'[station]\ndata_dir = "{data}"\n')
    assert main(["doctor", "--no-audio", "--config", str(config)]) == 1
    out = capsys.readouterr().out
    assert f"FAIL disk space: 0 MB free in {data}: listeners' history, the music index" in out
    assert "(fix: free at least 50 MB there, 500 MB to fetch models)" in out
    assert "all is well" not in out


def test_doctor_checks_the_models_folder_when_it_is_another_disk(
    isolated_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    models = models_dir(isolated_env)
    with mounted_tmpfs(models, size="2m"):
        fill(models)
        main(["doctor", "--no-audio"])
        out = capsys.readouterr().out
    assert "disk space: " in out and f"MB free in {isolated_env}\n" in out  # the data folder's
    # only models live there: a full models disk blocks fetching them, nothing else
    assert f"warn disk space: 0 MB free in {models}: models cannot be fetched there" in out
    assert "(fix: free at least 500 MB there to fetch models)" in out
    assert "listeners' history" not in out


# --- what review found ----------------------------------------------------------------------------


@pytest.mark.parametrize("no_length", [True, False])
def test_a_server_sending_more_than_expected_never_fills_a_small_disk(
    no_length: bool,
    tmp_path: Path,
    model_server: ModelServer,  # noqa: F811
) -> None:
    payload = os.urandom(30 * 2**20)
    url = model_server.add("/voice.onnx", payload, no_length=no_length)
    model = plain_model(url, payload, bytes=1000)
    with mounted_tmpfs(tmp_path / "disk", size="8m") as disk:
        data = disk / "data"
        free = free_bytes(disk)
        with pytest.raises(ModelError) as caught:
            fetch_model(model, data, quiet=True)
        assert "than expected" in caught.value.message and "no space" not in caught.value.message
        assert "the download was deleted" in caught.value.message
        assert everything(models_dir(data)) == []
        assert free_bytes(disk) == free  # the disk is as it was


def test_an_unrelated_late_error_in_the_demo_library_is_not_called_no_space(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def half_then_denied(work: Path, progress: bool | None) -> None:
        (work / "half.flac").write_bytes(os.urandom(10 * 2**20))  # the work takes 10 MB ...
        raise PermissionError(errno.EACCES, "Permission denied", str(work))  # ... then this

    monkeypatch.setattr(demo, "_make", half_then_denied)
    with mounted_tmpfs(tmp_path / "disk", size="25m") as disk:
        data = disk / "data"
        with pytest.raises(LibraryError) as caught:
            ensure_demo_library(data, progress=False)
        assert "no space" not in caught.value.message, caught.value.message
        assert "Permission denied" in caught.value.message
        assert everything(data) == []

        def half_then_full(work: Path, progress: bool | None) -> None:
            (work / "half.flac").write_bytes(os.urandom(10 * 2**20))
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(demo, "_make", half_then_full)
        with pytest.raises(LibraryError) as caught:  # a full disk is still said as such,
            ensure_demo_library(data, progress=False)
        assert "no space for the demo library" in caught.value.message
        assert "which has 25 MB free" in caught.value.message  # ... with the space there is
