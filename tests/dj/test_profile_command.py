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
