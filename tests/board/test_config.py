"""The config file: every kind of mistake reported with file, line, key and what is valid."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import time as clock
from pathlib import Path

import pytest

from appliance import paths
from appliance.cli import main
from appliance.config import (
    Config,
    ConfigError,
    InvalidConfig,
    example_config,
    load_config,
    parse_config,
    save_config,
)
from appliance.toml_check import key_lines
from tests.support.appliance import as_nobody, run_appliance


def problems_of(text: str, tmp_path: Path) -> list[str]:
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(InvalidConfig) as caught:
        load_config(path)
    assert isinstance(caught.value, ConfigError) and caught.value.exit_code == 2
    return [str(problem) for problem in caught.value.problems]


def test_no_file_means_every_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(paths, "DEFAULT_CONFIG", tmp_path / "absent.toml")
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
    assert config.dj.quiet_hours == (clock(22, 30), clock(7, 0))
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
        "(valid: station, dj, voice, audio, library, models, faces, web, mpd, home_assistant, "
        "snapcast, users)",
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
    assert "(valid: auto, " in problems[0] and ", vosk-model-en-us-0.22," in problems[0]
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
    # every commented-out line is itself valid once uncommented, but for the secrets: their
    # examples are placeholders the check refuses, so no one runs with a key everyone knows
    secrets = ("password", "encryption_key")
    assert all(re.search(rf'^# {key} = "<', text, re.M) for key in secrets)
    for key in secrets:
        with pytest.raises(InvalidConfig, match=f"{key}: is the example's placeholder"):
            parse_config(re.sub(rf"^# ({key} = )", r"\1", text, flags=re.M))
    kept = re.sub(rf"^# ({'|'.join(secrets)}) = ", r"#\1 = ", text, flags=re.M)
    uncommented = re.sub(r"^# (\w+ = |\[\[users\]\]$)", r"\1", kept, flags=re.M)
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


def check(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`appliance config check ...` as a real process (a hang fails instead of freezing)."""
    return run_appliance("config", "check", *args, env=env, timeout=30)


def test_environment_naming_a_missing_file_is_an_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "qfzz.tmol"
    monkeypatch.setenv("APPLIANCE_CONFIG", str(missing))
    with pytest.raises(InvalidConfig) as caught:
        load_config()
    assert str(caught.value.problems[0]).startswith(
        f"{missing}: no such file (named by $APPLIANCE_CONFIG)"
    )
    assert main(["config", "check"]) == 2
    assert "named by $APPLIANCE_CONFIG" in capsys.readouterr().err
    assert main(["doctor", "--no-audio"]) == 1
    assert "FAIL config:" in capsys.readouterr().out
    monkeypatch.setenv("APPLIANCE_CONFIG", "")  # empty: as if unset
    assert load_config().source is None


def test_music_folders_must_be_absolute_and_missing_ones_are_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    problems = problems_of('[library]\nmusic_folders = ["/srv", "music"]\n', tmp_path)
    assert len(problems) == 1
    assert (
        ":2: library.music_folders: 'music' is a relative path: use an absolute path"
        in (problems[0])
    )
    (tmp_path / "file.mp3").write_bytes(b"x")  # the file system says warnings, never problems
    path = tmp_path / "file.toml"
    path.write_text(f'[library]\nmusic_folders = ["{tmp_path / "file.mp3"}"]\n')
    assert "is a file, not a folder" in str(load_config(path).warnings[0])
    assert parse_config(path.read_text()).warnings == ()
    path = tmp_path / "usb.toml"
    path.write_text(f'[dj]\nname = "X"\n[library]\nmusic_folders = ["{tmp_path}/usb"]\n')
    config = load_config(path)  # a USB stick may be plugged in later: allowed, but said
    assert config.library.music_folders == (tmp_path / "usb",)
    assert [str(w) for w in config.warnings] == [
        f"{path}:4: library.music_folders: '{tmp_path}/usb' does not exist (yet?): the "
        "appliance plays what the other folders (or the demo library) hold until it does "
        "(valid: a folder that exists once the appliance runs)"
    ]
    assert main(["config", "check", str(path)]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == f"{path}: valid (with warnings)"
    assert err.startswith(f"warning: {path}:4: library.music_folders: '{tmp_path}/usb' does")
    assert main(["doctor", "--no-audio", "--config", str(path)]) in (0, 1)
    assert f"warn config: {path}:4: library.music_folders" in capsys.readouterr().out
    (tmp_path / "usb").mkdir()
    assert load_config(path).warnings == ()


def test_a_nul_in_any_value_is_refused_with_file_line_and_key(tmp_path: Path) -> None:
    text = (
        '[station]\nname = "QF\\u0000ZZ"\ndata_dir = "/var/lib/a\\u0000b"\n'
        '[library]\nmusic_folders = ["/srv/m\\u0000usic"]\n[audio]\ninput_device = "mic\\u0000"\n'
    )
    problems = problems_of(text, tmp_path)
    path = tmp_path / "config.toml"
    assert [p.split(" (valid")[0] for p in problems] == [
        f"{path}:2: station.name: contains a NUL character (\\0)",
        f"{path}:3: station.data_dir: contains a NUL character (\\0)",
        f"{path}:5: library.music_folders: contains a NUL character (\\0)",
        f"{path}:7: audio.input_device: contains a NUL character (\\0)",
    ]


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "windows.toml"
    path.write_bytes(b'\xef\xbb\xbf[dj]\r\nname = "DJ Bom"\r\n')
    assert load_config(path).dj.name == "DJ Bom"
    assert parse_config('\ufeff[dj]\nname = "DJ Bom"\n').dj.name == "DJ Bom"
    assert check(str(path)).returncode == 0


def test_a_latin1_byte_is_reported_by_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes('[station]\nname = "Caf\xe9"\n'.encode("latin-1"))
    with pytest.raises(InvalidConfig) as caught:
        load_config(path)
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:2: byte 0xe9 at column 12 is not UTF-8: the file must be UTF-8 text "
        "(valid: save it as UTF-8 (e.g. `iconv -f latin1 -t utf-8`))"
    ]


def test_only_regular_files_of_sane_size_are_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)
    started = time.monotonic()
    done = check(str(fifo))  # it used to wait forever for a writer: a process, so a hang fails
    assert time.monotonic() - started < 20
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"{fifo}: is a FIFO (named pipe), not a regular file" in done.stderr

    def err_of(*args: str) -> str:
        assert main(["config", "check", *args]) == 2
        return capsys.readouterr().err

    assert "/dev/zero: is a device, not a regular file" in err_of("/dev/zero")  # memory ran out
    assert f"{tmp_path}: is a folder, not a regular file" in err_of(str(tmp_path))
    huge = tmp_path / "huge.toml"
    huge.write_text("# padding\n" * 200_000)
    assert "is larger than 1 MB: not a settings file" in err_of(str(huge))
    assert ": an empty file name" in err_of("")
    monkeypatch.setenv("APPLIANCE_CONFIG", str(fifo))
    assert "is a FIFO" in err_of()


def test_save_config_checks_then_replaces_the_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[dj]\nname = "Old"\n')
    path.chmod(0o640)
    config = save_config(path, '[dj]\nname = "New"\n')
    assert config.dj.name == "New" and config.source == path
    assert path.read_text() == '[dj]\nname = "New"\n'
    assert path.stat().st_mode & 0o777 == 0o640  # who may read it stays as it was
    with pytest.raises(InvalidConfig) as caught:
        save_config(path, '[dj]\nname = "Newer"\ncommentary = 3\n')
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:3: dj.commentary: 3 is out of range (valid: 0 to 1)"
    ]
    assert path.read_text() == '[dj]\nname = "New"\n'  # the old file, untouched
    with pytest.raises(InvalidConfig):
        save_config(path, "x" * (2 << 20))
    with pytest.raises(InvalidConfig):
        save_config(path, '[dj]\nname = "\udce9"\n')  # a lone surrogate: not UTF-8
    fresh = tmp_path / "new.toml"
    assert save_config(fresh, "").source == fresh and fresh.read_text() == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.toml", "new.toml"]
    with pytest.raises(ConfigError) as failed:
        save_config(tmp_path / "no-folder" / "config.toml", "")
    assert "cannot save it: No such file or directory; the old file is unchanged" in str(
        failed.value
    )


def test_line_numbers_survive_what_fuzzing_found(tmp_path: Path) -> None:
    # U+0085 inside a string is no line break to TOML (str.splitlines() thought it was)
    problems = problems_of('[dj]\nname = "a\u0085b"\n[[users]]\n', tmp_path)
    assert all(":3: users[1]." in p for p in problems), problems
    # an escaped quote inside an inline table does not open a string that swallows the file
    problems = problems_of('[station]\nname = {"\\"" = false}\n[[users]]\n', tmp_path)
    assert [p.split(": ")[0][-1] for p in problems] == ["2", "3", "3"], problems
    # a dotted key at the top makes its tables there; ''' as a key opens no multi-line string
    assert problems_of("\na.b.c = 1\n", tmp_path)[0].startswith(f"{tmp_path / 'config.toml'}:2: a:")
    problems = problems_of("[station]\nname = {\"'''\" = 1}\n[[users]]\n", tmp_path)
    assert [p.split(": ")[0][-1] for p in problems] == ["2", "3", "3"], problems
    # something left open at the end of the file: its last line, not no line at all
    problems = problems_of('[dj]\nname = "x"\ncommentary = [0.5,\n', tmp_path)
    assert problems[0].startswith(f"{tmp_path / 'config.toml'}:3: not valid TOML: ")
    # nesting too deep for the parser is a problem on its line, not a RecursionError
    problems = problems_of("[dj]\n\ncommentary = " + "{a = " * 700 + "1" + "}" * 700, tmp_path)
    assert ":3: lists or tables nested more than 100 deep" in problems[0], problems


@pytest.fixture
def locked_music() -> Iterator[tuple[Path, Path]]:
    """A config any user can read naming a music folder inside a folder closed to others (a
    stick under /media/$USER, 0750 root): (config file, music folder)."""
    top = Path(tempfile.mkdtemp(prefix="qfzz-locked-"))
    try:
        top.chmod(0o755)
        music = top / "media" / "stick"
        music.mkdir(parents=True)
        (top / "media").chmod(0o750)
        config = top / "config.toml"
        config.write_text(f'[dj]\nname = "X"\n[library]\nmusic_folders = ["{music}"]\n')
        config.chmod(0o644)
        yield config, music
    finally:
        shutil.rmtree(top)


def test_a_music_folder_closed_to_the_user_is_a_warning_not_a_crash(
    locked_music: tuple[Path, Path],
) -> None:
    config, music = locked_music
    load_config(config)  # imports done as root: see as_nobody
    said = as_nobody(lambda: [str(w) for w in load_config(config).warnings])
    assert "escaped" not in said, said
    assert f"{config}:4: library.music_folders: '{music}' cannot be read by this user " in said
    assert "(Permission denied)" in said
    assert main(["config", "check", str(config)]) == 0  # as root: imports done, all readable
    said = as_nobody(lambda: main(["config", "check", str(config)]))
    assert said == "0", said


def test_an_over_long_music_folder_is_a_warning_not_a_crash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "long.toml"
    path.write_text(f'[library]\nmusic_folders = ["/media/{"x" * 300}"]\n')
    assert main(["config", "check", str(path)]) == 0
    err = capsys.readouterr().err
    assert f"{path}:2: library.music_folders: '/media/xxx" in err
    assert "File name too long" in err
    assert main(["doctor", "--no-audio", "--config", str(path)]) in (0, 1)
    assert "File name too long" in capsys.readouterr().out
    named = tmp_path / ("y" * 300)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("APPLIANCE_CONFIG", str(named))
        with pytest.raises(InvalidConfig) as caught:
            load_config()
        assert "File name too long (named by $APPLIANCE_CONFIG)" in str(caught.value)


def test_a_home_folder_of_no_such_user_is_a_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    problems = problems_of(
        '[station]\ndata_dir = "~nosuchuser/data"\n[library]\n'
        'music_folders = ["~nosuchuser/music"]\n',
        tmp_path,
    )
    assert [p.split(" (valid")[0] for p in problems] == [
        f"{tmp_path / 'config.toml'}:2: station.data_dir: no user 'nosuchuser' for ~nosuchuser",
        f"{tmp_path / 'config.toml'}:4: library.music_folders: no user 'nosuchuser' for "
        "~nosuchuser",
    ]
    monkeypatch.setenv("APPLIANCE_CONFIG", "~nosuchuser/config.toml")
    with pytest.raises(InvalidConfig) as caught:
        load_config()
    assert "no user 'nosuchuser' for ~nosuchuser (named by $APPLIANCE_CONFIG)" in str(caught.value)


def test_default_user_follows_the_listener_id_rule(tmp_path: Path) -> None:
    for bad in ("a b", "../../etc", "x" * 65):
        problems = problems_of(f'[dj]\ndefault_user = "{bad}"\n', tmp_path)
        assert len(problems) == 1 and ":2: dj.default_user: " in problems[0], problems
    assert parse_config('[dj]\ndefault_user = "guest"\n').dj.default_user == "guest"


def test_a_fifo_is_refused_before_it_is_opened(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)
    opened = threading.Event()

    def writer() -> None:  # its open returns only once someone opens the FIFO to read
        os.close(os.open(fifo, os.O_WRONLY))
        opened.set()

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    with pytest.raises(InvalidConfig) as caught:
        load_config(fifo)
    assert "is a FIFO (named pipe), not a regular file" in str(caught.value)
    assert not opened.wait(0.3), "the check opened the FIFO (a device would have been armed)"
    os.close(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK))  # let the writer go
    thread.join(5)


def test_save_config_writes_through_a_link_and_keeps_the_owner(tmp_path: Path) -> None:
    real = tmp_path / "real.toml"
    real.write_text('[dj]\nname = "Old"\n')
    real.chmod(0o640)
    os.chown(real, 65534, 65534)  # the service user's file, saved by root
    link = tmp_path / "link.toml"
    link.symlink_to(real)
    save_config(link, '[dj]\nname = "New"\n')
    assert link.is_symlink() and real.read_text() == '[dj]\nname = "New"\n'
    info = real.stat()
    assert (info.st_uid, info.st_gid, info.st_mode & 0o777) == (65534, 65534, 0o640)


def test_utf16_and_multibyte_text_are_told_apart(tmp_path: Path) -> None:
    path = tmp_path / "notepad.toml"
    path.write_bytes('[dj]\nname = "X"\n'.encode("utf-16"))  # Notepad's "Unicode"
    with pytest.raises(InvalidConfig) as caught:
        load_config(path)
    assert "is UTF-16 text" in str(caught.value) and "iconv -f utf-16" in str(caught.value)
    path.write_bytes('[dj]\nname = "Ωμέγα \xe9"\n'.encode().replace(b"\xc3\xa9", b"\xe9"))
    with pytest.raises(InvalidConfig) as caught:
        load_config(path)
    assert ":2: byte 0xe9 at column 15 " in str(caught.value)  # characters, not bytes


def test_environment_naming_something_unreadable_says_so(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    dangling = tmp_path / "dangling.toml"
    dangling.symlink_to(tmp_path / "gone.toml")
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)
    for named in (dangling, tmp_path, fifo):
        monkeypatch.setenv("APPLIANCE_CONFIG", str(named))
        with pytest.raises(InvalidConfig) as caught:
            load_config()
        assert "(named by $APPLIANCE_CONFIG)" in str(caught.value), caught.value
