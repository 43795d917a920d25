"""`appliance profile export|delete`: the listener's data, out and gone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from appliance.cli import main
from appliance.dj import PersonalizedDJ
from appliance.paths import dj_db_path


@pytest.fixture
def store_with_alex() -> Path:
    dj = PersonalizedDJ(db_path=dj_db_path())
    dj.greet_user("alex", "Alex")
    dj.interact("alex", "i love jazz")
    dj.add_to_community("alex", "sam")
    dj.close()
    return dj_db_path()


def test_export_prints_everything(
    store_with_alex: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["profile", "export", "alex"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["profile"]["name"] == "Alex"
    assert data["profile"]["preferences"] == ["jazz"]
    assert [row["type"] for row in data["history"]] == ["user_message", "dj_response"]
    assert data["community"][0]["friend_id"] == "sam"


def test_export_to_a_file(store_with_alex: Path, tmp_path: Path) -> None:
    out = tmp_path / "alex.json"
    assert main(["profile", "export", "alex", "-o", str(out)]) == 0
    assert json.loads(out.read_text())["profile"]["user_id"] == "alex"


def test_delete_forgets_for_good(store_with_alex: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["profile", "delete", "alex", "--yes"]) == 0
    capsys.readouterr()
    assert main(["profile", "export", "alex"]) == 2
    assert "no listener 'alex'" in capsys.readouterr().err


def test_unknown_listener_is_a_clear_error(
    store_with_alex: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["profile", "export", "nobody"]) == 2
    err = capsys.readouterr().err
    assert "no listener 'nobody'" in err and "alex" in err


def test_no_store_yet(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["profile", "export", "alex"]) == 2
    assert "no listeners yet" in capsys.readouterr().err


# -- where an export may go ------------------------------------------------------------------


def test_export_refuses_to_overwrite_the_live_database(
    store_with_alex: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = store_with_alex.read_bytes()
    assert main(["profile", "export", "alex", "-o", str(store_with_alex)]) == 2
    err = capsys.readouterr().err
    assert "refusing to write onto" in err and "Traceback" not in err
    assert store_with_alex.read_bytes() == before
    dj = PersonalizedDJ(db_path=store_with_alex)
    assert dj.user_profiles["alex"].name == "Alex"  # every listener still there
    dj.close()


def test_export_refuses_any_sqlite_database_and_other_files(
    store_with_alex: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "music.db"
    other.write_bytes(store_with_alex.read_bytes())  # a database outside the data folder
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n")
    assert main(["profile", "export", "alex", "-o", str(other), "--force"]) == 2
    assert "SQLite database" in capsys.readouterr().err
    assert main(["profile", "export", "alex", "-o", str(notes)]) == 2
    assert "not a JSON export" in capsys.readouterr().err
    assert notes.read_text() == "my notes\n"
    assert main(["profile", "export", "alex", "-o", str(notes), "--force"]) == 0
    assert json.loads(notes.read_text())["profile"]["name"] == "Alex"
    # an earlier export is replaced without --force, whole
    assert main(["profile", "export", "alex", "-o", str(notes)]) == 0
    assert json.loads(notes.read_text())["profile"]["name"] == "Alex"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["music.db", "notes.txt"]  # no temp


def test_export_into_a_folder_or_a_missing_one(
    store_with_alex: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["profile", "export", "alex", "-o", str(tmp_path)]) == 0
    assert json.loads((tmp_path / "alex.json").read_text())["profile"]["user_id"] == "alex"
    capsys.readouterr()
    missing = tmp_path / "nowhere" / "alex.json"
    assert main(["profile", "export", "alex", "-o", str(missing)]) == 2
    err = capsys.readouterr().err
    assert "does not exist" in err and "Traceback" not in err


def test_export_reads_a_read_only_disk(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.support.disks import make_read_only, mounted_tmpfs

    with mounted_tmpfs(tmp_path / "card", size="8m") as card:
        dj = PersonalizedDJ(db_path=card / "dj.db")
        dj.greet_user("alex", "Alex")
        dj.interact("alex", "i love jazz")
        dj.close()
        make_read_only(card)
        env = {"APPLIANCE_DATA_DIR": str(card)}
        with pytest.MonkeyPatch.context() as patch:
            for key, value in env.items():
                patch.setenv(key, value)
            assert main(["profile", "export", "alex"]) == 0
            data = json.loads(capsys.readouterr().out)
            assert data["profile"]["preferences"] == ["jazz"]
            assert main(["profile", "delete", "alex", "--yes"]) == 1
            err = capsys.readouterr().err
            assert "read-only" in err and "Traceback" not in err


def test_export_reads_a_read_only_disk_with_changes_still_in_the_wal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A power cut left the last changes in the WAL; the card then turned read-only."""
    import shutil

    from tests.support.disks import make_read_only, mounted_tmpfs

    work = tmp_path / "work"
    dj = PersonalizedDJ(db_path=work / "dj.db")
    dj.greet_user("alex", "Alex")
    dj.store._db.execute("PRAGMA wal_autocheckpoint = 0")
    dj.interact("alex", "i love jazz")
    with mounted_tmpfs(tmp_path / "card", size="8m") as card:
        for name in ("dj.db", "dj.db-wal"):  # as the power cut left them (no -shm)
            shutil.copyfile(work / name, card / name)
        dj.close()
        make_read_only(card)
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("APPLIANCE_DATA_DIR", str(card))
            assert main(["profile", "export", "alex"]) == 0
        data = json.loads(capsys.readouterr().out)
        assert data["profile"]["preferences"] == ["jazz"]
        assert len(data["history"]) == 2


# -- listener ids ---------------------------------------------------------------------------


@pytest.mark.parametrize("command", [["profile", "export"], ["profile", "delete"], ["chat"]])
@pytest.mark.parametrize("bad", ["", "   ", "a b", "x/../y", "a" * 65, ".", "..", "alex\n"])
def test_a_listener_id_is_checked_with_a_clear_message(
    command: list[str], bad: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [*command, "--user", bad] if command == ["chat"] else [*command, bad]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "is not a listener id" in err and "letters, digits" in err
    assert "Traceback" not in err


def test_config_names_only_real_listeners_as_valid(tmp_path: Path) -> None:
    from appliance.config import InvalidConfig, load_config

    path = tmp_path / "config.toml"
    path.write_text('[dj]\ndefault_user = "bob"\n[[users]]\nid = ""\nname = "Bob"\n')
    with pytest.raises(InvalidConfig) as caught:
        load_config(path)
    assert "(valid: guest, )" not in str(caught.value)
    assert "users[1].id" in str(caught.value)


def test_delete_while_another_process_holds_the_database(
    store_with_alex: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from appliance.dj import store
    from tests.support.locks import hold_lock

    monkeypatch.setattr(store, "BUSY_TIMEOUT_MS", 300)
    holder = hold_lock(store_with_alex, 30.0)
    try:
        assert main(["profile", "delete", "alex", "--yes"]) == 1
    finally:
        holder.kill()
        holder.wait()
    err = capsys.readouterr().err
    assert "database is locked" in err and "nothing was deleted" in err
    assert "Traceback" not in err
    dj = PersonalizedDJ(db_path=store_with_alex)
    assert "alex" in dj.user_profiles
    dj.close()


def test_export_of_a_damaged_database_is_a_message(
    store_with_alex: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import os

    data = bytearray(store_with_alex.read_bytes())
    for offset in range(4096, len(data), 4096):  # every page but the header
        data[offset : offset + 200] = os.urandom(200)
    store_with_alex.write_bytes(bytes(data))
    assert main(["profile", "export", "alex"]) == 1
    err = capsys.readouterr().err
    assert "damaged" in err and "recovers what can be read" in err
    assert "Traceback" not in err
    assert store_with_alex.read_bytes() == bytes(data)  # export changes nothing


def test_an_id_the_dj_made_from_a_spoken_name_can_be_exported_and_deleted(
    store_with_alex: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from appliance.config import load_config

    dj = PersonalizedDJ(db_path=store_with_alex)
    made = dj.respond("alex", "my name is Ωμέγα Άλφα").user_id
    dj.close()
    assert made and made != "alex"
    assert main(["profile", "export", made]) == 0
    assert json.loads(capsys.readouterr().out)["profile"]["name"] == "Ωμέγα Άλφα"
    config = tmp_path / "config.toml"  # the config takes the same id
    config.write_text(f'[[users]]\nid = "{made}"\nname = "Omega"\n', encoding="utf-8")
    load_config(config)
    assert main(["profile", "delete", made, "--yes"]) == 0


def test_export_never_makes_a_file_inside_the_data_folder(
    store_with_alex: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inside = store_with_alex.parent / "alex.json"
    assert main(["profile", "export", "alex", "-o", str(inside)]) == 2
    assert "data folder" in capsys.readouterr().err
    assert not inside.exists()


def test_export_on_a_read_only_disk_of_a_file_not_ours_leaves_no_copy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a read-only disk the database and its WAL are read from a private copy: a file that
    turns out not to be the DJ's must not leave that copy behind."""
    import shutil
    import sqlite3
    import tempfile

    from tests.support.disks import make_read_only, mounted_tmpfs

    work = tmp_path / "work"
    work.mkdir()
    other = sqlite3.connect(work / "dj.db", isolation_level=None)
    other.execute("PRAGMA journal_mode = WAL")
    other.execute("PRAGMA wal_autocheckpoint = 0")
    other.execute("CREATE TABLE recipes (name TEXT)")
    other.execute("INSERT INTO recipes VALUES ('soup')")
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    with mounted_tmpfs(tmp_path / "card", size="8m") as card:
        for name in ("dj.db", "dj.db-wal"):
            shutil.copyfile(work / name, card / name)
        other.close()
        make_read_only(card)
        monkeypatch.setenv("APPLIANCE_DATA_DIR", str(card))
        assert main(["profile", "export", "alex"]) == 1
    err = capsys.readouterr().err
    assert "not the DJ's database" in err and "Traceback" not in err
    assert list(scratch.iterdir()) == []


def test_export_as_another_user_beside_the_running_service_reads_no_copy(tmp_path: Path) -> None:
    """The service's shared-memory file is closed to other users: export says whose files they
    are instead of copying a database that is being written."""
    import os
    import shutil
    import subprocess
    import sys
    import tempfile

    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to act as another user")
    data = Path(tempfile.mkdtemp(dir="/tmp"))
    try:
        data.chmod(0o755)
        service = PersonalizedDJ(db_path=data / "dj.db")  # running: WAL and -shm open
        service.greet_user("alex", "Alex")
        (data / "dj.db-shm").chmod(0o600)
        nobody = ["setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups"]
        done = subprocess.run(
            [*nobody, sys.executable, "-m", "appliance", "profile", "export", "alex"],
            env={
                "APPLIANCE_DATA_DIR": str(data),
                "HOME": str(data),
                "TMPDIR": str(data),
                "PATH": os.environ["PATH"],
            },
            cwd=Path(__file__).resolve().parents[2],
            capture_output=True,
            text=True,
            timeout=60,
        )
        service.close()
    finally:
        shutil.rmtree(data)
    assert done.returncode == 1, done.stdout
    assert "cannot read the DJ's database" in done.stderr and "user that owns" in done.stderr
    assert "Traceback" not in done.stderr
