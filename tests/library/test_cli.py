"""`appliance library ...` end to end, in process, against the test's own data directory."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from appliance.cli import main
from appliance.library.demo import FOLDER
from appliance.paths import data_dir, library_db_path
from tests.library.conftest import Samples


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["library", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def write_config(path: Path, folders: list[Path]) -> Path:
    listed = ", ".join(json.dumps(str(folder)) for folder in folders)
    path.write_text(f"[library]\nmusic_folders = [{listed}]\n", encoding="utf-8")
    return path


def test_scan_stats_analyse_search(
    samples: Samples, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    music = tmp_path / "music"
    for fmt in ("flac", "ogg", "mp3"):
        samples.copy(samples.tagged(fmt), music / f"song.{fmt}")
    (music / "broken.flac").write_bytes(os.urandom(3000))

    code, out, _ = run(capsys, "scan", str(music))
    assert code == 0  # bad files are reported, the scan still succeeds
    assert "3 added" in out and "1 not indexed" in out
    assert f"not indexed: {music / 'broken.flac'}: corrupt or not FLAC" in out
    assert library_db_path().exists()

    code, out, _ = run(capsys, "stats", "--json")
    assert code == 0
    assert json.loads(out) == {
        "tracks": 3, "artists": 1, "albums": 1, "genres": 3, "analysed": 0, "errors": 1,
        "pending": 3,
    }  # fmt: skip

    code, out, _ = run(capsys, "analyse")
    assert (code, out.strip()) == (0, "Measured 3 tracks; 3 of 3 are measured.")

    code, out, _ = run(capsys, "stats")
    assert code == 0 and "analysed  3 (0 waiting)" in out and "broken.flac" in out

    code, out, _ = run(capsys, "search", "tagged", "flac", "--limit", "1")
    assert code == 0 and out.startswith("The Testers - Tagged FLAC [Formats]")
    code, _, err = run(capsys, "search", "qqqqzzzz")
    assert (code, err.strip()) == (1, "No matching tracks.")

    code, out, _ = run(capsys, "scan", str(music))
    assert code == 0 and "0 added" in out and "3 unchanged" in out


def test_scan_defaults_to_the_configured_folders(
    samples: Samples, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = samples.copy(samples.tagged("opus"), tmp_path / "a" / "one.opus").parent
    second = samples.copy(samples.untagged("wav"), tmp_path / "b" / "two.wav").parent
    config = write_config(tmp_path / "config.toml", [first, second])
    code, out, _ = run(capsys, "scan", "--config", str(config), "--analyse")
    assert code == 0 and "2 added" in out
    code, out, _ = run(capsys, "stats", "--json", "--config", str(config))
    stats = json.loads(out)
    assert (stats["tracks"], stats["analysed"]) == (2, 2)


def test_scan_with_no_folders_says_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path / "config.toml", [])
    code, _, err = run(capsys, "scan", "--config", str(config))
    assert code == 2
    assert "no music folders to scan" in err and "music_folders" in err


def test_scanning_a_folder_that_is_not_there_is_an_error(
    samples: Samples, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "scan", str(tmp_path / "nonexistent"))
    assert code == 2 and out == ""
    assert err.startswith(f"appliance: error: {tmp_path / 'nonexistent'}: no such folder or file")
    assert "plugged in" in err and "Traceback" not in err
    present = samples.copy(samples.tagged("ogg"), tmp_path / "here" / "one.ogg").parent
    config = write_config(tmp_path / "config.toml", [present, tmp_path / "stick"])
    code, out, err = run(capsys, "scan", "--config", str(config))
    assert code == 0 and "1 added" in out  # a configured drive that is out: the rest is scanned
    assert f"not scanned: {tmp_path / 'stick'}: no such folder" in err
    config = write_config(tmp_path / "none.toml", [tmp_path / "stick"])
    code, _, err = run(capsys, "scan", "--config", str(config))
    assert code == 2 and "stick: no such folder or file (in [library] music_folders" in err


@pytest.mark.parametrize("command", ["analyse", "search"])
@pytest.mark.parametrize("limit", ["-1", "many"])
def test_a_bad_limit_is_an_argument_error(
    command: str, limit: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [command, *(["jazz"] if command == "search" else []), "--limit", limit]
    with pytest.raises(SystemExit) as exited:
        run(capsys, *argv)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert f"argument --limit: {'-1 is negative' if limit == '-1' else repr(limit)}" in err


def test_a_broken_index_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = library_db_path()
    db.write_bytes(b"garbage" * 1000)
    code, _, err = run(capsys, "stats")
    assert code == 1
    assert err.startswith(f"appliance: error: {db} is not a readable SQLite database")
    assert "moved aside" in err and "hint: the next `appliance library scan`" in err
    code, out, _ = run(capsys, "stats", "--json")
    assert code == 0 and json.loads(out)["tracks"] == 0


def test_demo_indexes_the_demo_library(
    demo_library: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(demo_library, data_dir() / FOLDER)  # made already (its making: test_demo)
    code, out, _ = run(capsys, "demo")
    assert code == 0
    assert out.startswith(f"Demo library in {data_dir() / FOLDER}: 36 added")
    code, out, _ = run(capsys, "demo")
    assert code == 0 and "36 unchanged" in out
