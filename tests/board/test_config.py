"""The config file: every kind of mistake reported with file, line, key and what is valid."""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path

import pytest

from appliance.cli import main
from appliance.config import (
    Config,
    ConfigError,
    InvalidConfig,
    example_config,
    key_lines,
    load_config,
    parse_config,
)


def problems_of(text: str, tmp_path: Path) -> list[str]:
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(InvalidConfig) as caught:
        load_config(path)
    assert isinstance(caught.value, ConfigError) and caught.value.exit_code == 2
    return [str(problem) for problem in caught.value.problems]


def test_no_file_means_every_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("APPLIANCE_CONFIG", str(tmp_path / "absent.toml"))
    config = load_config()
    assert config == Config()
    assert config.source is None
    assert config.station.name == "QFZZ" and config.dj.name == "DJ Quantum"
    assert config.library.music_folders == (Path.home() / "Music",)
    assert config.data_dir() == Path(__import__("os").environ["APPLIANCE_DATA_DIR"])


def test_environment_names_the_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "qfzz.toml"
    path.write_text('[station]\nname = "Kitchen"\ndata_dir = "~/state"\n')
    monkeypatch.setenv("APPLIANCE_CONFIG", str(path))
    config = load_config()
    assert config.station.name == "Kitchen" and config.source == path
    assert config.data_dir() == Path.home() / "state" and config.data_dir().is_dir()


def test_a_full_valid_file(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(
        """
[station]
log_level = "debug"
ledger = true
[dj]
default_user = "alex"
commentary = 0
quiet_hours = "22:30-07:00"
[voice]
wake_word = "phrase"
wake_phrase = "hello radio"
trailing_silence_ms = 300
max_utterance_s = 30
[audio]
input_device = 2
output_device = "alsa/plughw:CARD=Headphones"
volume = 0
duck_db = -40
[library]
music_folders = ["/srv/music", "~/More Music"]
[models]
stt = "vosk-model-small-en-us-0.15"
tts = "en_US-lessac-low"
wake = "auto"
vad = "micro-vad"
[[users]]
id = "alex"
name = "Alex"
[[users]]
id = "sam-2"
name = "Sam"
"""
    )
    config = load_config(path)
    assert config.dj.quiet_hours == (time(22, 30), time(7, 0))
    assert config.audio.input_device == 2 and config.audio.duck_db == -40.0
    assert config.library.music_folders == (Path("/srv/music"), Path.home() / "More Music")
    assert [user.id for user in config.users] == ["alex", "sam-2"]
    assert config.models.vad == "micro-vad" and config.station.ledger is True


def test_unknown_keys_get_a_suggestion_with_their_line(tmp_path: Path) -> None:
    problems = problems_of(
        '[station]\nname = "x"\n\n[dj]\ncomentary = 0.5\n[vocie]\nwake_word = "alexa"\n', tmp_path
    )
    path = tmp_path / "config.toml"
    assert problems == [
        f"{path}:5: dj.comentary: unknown setting; did you mean 'commentary'? "
        "(valid: name, default_user, commentary, quiet_hours)",
        f"{path}:6: vocie: unknown section; did you mean 'voice'? "
        "(valid: station, dj, voice, audio, library, models, users)",
    ]


def test_wrong_types_and_impossible_values_are_all_reported(tmp_path: Path) -> None:
    text = """[station]
log_level = "verbose"
ledger = "yes"
[dj]
commentary = 1.5
quiet_hours = "22:00-22:00"
[voice]
wake_word = "hey_jarvs"
trailing_silence_ms = 250.5
max_utterance_s = "long"
push_to_talk = 1
[audio]
volume = 101
duck_db = true
input_device = -1
[library]
music_folders = "~/Music"
"""
    problems = problems_of(text, tmp_path)
    by_line = {int(re.search(r":(\d+): ", p).group(1)): p for p in problems}
    assert sorted(by_line) == [2, 3, 5, 6, 8, 9, 10, 11, 13, 14, 15, 17]
    assert "station.log_level: 'verbose' is not one of them" in by_line[2]
    assert "(valid: debug, info, warning, error)" in by_line[2]
    assert "station.ledger: a string where true or false is expected" in by_line[3]
    assert "dj.commentary: 1.5 is out of range (valid: 0 to 1)" in by_line[5]
    assert "starts and ends at the same time" in by_line[6]
    assert "did you mean 'hey_jarvis'?" in by_line[8]
    assert "250.5 is not a whole number (valid: a whole number, 300 to 1500)" in by_line[9]
    assert "voice.max_utterance_s: a string where a number is expected" in by_line[10]
    assert "a number where true or false is expected" in by_line[11]
    assert "audio.volume: 101 is out of range (valid: 0 to 100)" in by_line[13]
    assert "audio.duck_db: a boolean where a number is expected" in by_line[14]
    assert "audio.input_device: -1 is not a device index" in by_line[15]
    assert "a string where a list of folders is expected" in by_line[17]


def test_models_must_be_in_the_catalog_and_of_the_right_kind(tmp_path: Path) -> None:
    problems = problems_of('[models]\nstt = "vosk-small-en"\ntts = "hey_jarvis"\n', tmp_path)
    assert "models.stt: 'vosk-small-en' is not in the model catalog" in problems[0]
    assert "auto, vosk-model-en-us-0.22" in problems[0]
    assert ":3: models.tts: 'hey_jarvis' is a wake model, not a tts model" in problems[1]


def test_users_need_unique_ids_and_names(tmp_path: Path) -> None:
    text = """[dj]
default_user = "robin"
[[users]]
id = "alex"
name = "Alex"

[[users]]
id = "alex"
[[users]]
id = "no spaces"
name = "X"
"""
    problems = problems_of(text, tmp_path)
    assert any(":2: dj.default_user: 'robin' is not one of the [[users]]" in p for p in problems)
    assert any(":7: users[2].name: is missing" in p for p in problems)
    assert any(":8: users[2].id: 'alex' is already used by user 1" in p for p in problems)
    assert any(":10: users[3].id: 'no spaces' has characters" in p for p in problems)


def test_bad_toml_syntax_names_the_line(tmp_path: Path) -> None:
    problems = problems_of('[station]\nname = "QFZZ"\nlog_level = info\n', tmp_path)
    assert len(problems) == 1
    assert problems[0].startswith(f"{tmp_path / 'config.toml'}:3: not valid TOML: ")


def test_missing_explicit_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InvalidConfig) as caught:
        load_config(tmp_path / "nope.toml")
    assert str(caught.value.problems[0]).startswith(f"{tmp_path / 'nope.toml'}: no such file")


def test_example_passes_the_check_and_documents_every_setting() -> None:
    text = example_config()
    assert parse_config(text) == Config()
    for section in ("station", "dj", "voice", "audio", "library", "models"):
        assert f"[{section}]" in text
    for key in ("data_dir", "quiet_hours", "input_device", "output_device", "id", "name"):
        assert re.search(rf"^# {key} = ", text, re.M), key
    # every commented-out line is itself valid once uncommented
    uncommented = re.sub(r"^# (\w+ = |\[\[users\]\]$)", r"\1", text, flags=re.M)
    config = parse_config(uncommented)
    assert config.station.data_dir == Path("/var/lib/appliance")
    assert [user.id for user in config.users] == ["alex"]


def test_key_lines_follow_tables_arrays_and_multiline_values() -> None:
    text = """a = 1
[t]
list = [
  "x = 1",
  "y",
]
b = '''
c = 2
'''
[[u]]
id = "1"
[[u]]
id = "2"
"""
    lines = key_lines(text)
    assert lines[("a",)] == 1 and lines[("t", "list")] == 3 and lines[("t", "b")] == 7
    assert ("t", "c") not in lines and ("x",) not in lines
    assert lines[("u", 0, "id")] == 11 and lines[("u", 1, "id")] == 13


def test_config_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    example = tmp_path / "example.toml"
    assert main(["config", "example"]) == 0
    example.write_text(capsys.readouterr().out)
    assert main(["config", "check", str(example)]) == 0
    assert capsys.readouterr().out.strip() == f"{example}: valid"
    bad = tmp_path / "bad.toml"
    bad.write_text("[audio]\nvolume = 300\nduck = -3\n")
    assert main(["config", "check", str(bad)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"{bad}:2: audio.volume: 300 is out of range (valid: 0 to 100)",
        f"{bad}:3: audio.duck: unknown setting; did you mean 'duck_db'? "
        "(valid: input_device, output_device, volume, duck_db)",
    ]
    assert main(["config", "check", str(tmp_path / "missing.toml")]) == 2
    assert main(["config", "show", "--config", str(example)]) == 0
    assert '"name": "DJ Quantum"' in capsys.readouterr().out
