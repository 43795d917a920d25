"""`appliance doctor` on a working setup (private PulseAudio) and on broken ones."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from appliance.cli import main
from appliance.config import Config
from appliance.doctor import FAIL, OK, check_models, check_service
from tests.support.pulse import PulseServer


@pytest.mark.audio
def test_all_is_well_with_a_microphone_and_a_speaker(pulse: PulseServer) -> None:
    # a fresh process: PortAudio freezes its device list when first loaded
    result = subprocess.run(
        [sys.executable, "-m", "appliance", "doctor"],
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ.copy(),
    )
    lines = result.stdout.splitlines()
    assert result.returncode == 0, result.stdout + result.stderr
    status = {line.split(":")[0].split(None, 1)[1]: line.split()[0] for line in lines[:-1]}
    assert status["config"] == status["data directory"] == status["disk space"] == OK
    assert status["microphone"] == OK and status["speaker"] == OK
    assert "mpv plays through pulse" in result.stdout
    assert {"stt model", "tts model", "wake model", "vad model"} <= set(status)
    warned = sum(line.split()[0] == "warn" for line in lines[:-1])
    assert lines[-1] == ("all is well" if not warned else f"it will run; {warned} warning(s) above")


def test_problems_are_reported_with_their_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data directory should be")
    config = tmp_path / "config.toml"
    config.write_text(f'[station]\ndata_dir = "{blocker}"\n')
    assert main(["doctor", "--no-audio", "--config", str(config)]) == 1
    out = capsys.readouterr().out
    assert (
        f"FAIL data directory: {config}: station.data_dir: cannot use {blocker}: it is a file"
        in out
    )
    assert "(fix: set station.data_dir (or $APPLIANCE_DATA_DIR) to a folder" in out
    config.write_text("[dj]\ncommentary = 7\n")
    assert main(["doctor", "--no-audio", "--config", str(config)]) == 1
    out = capsys.readouterr().out
    assert out.startswith("FAIL config: invalid configuration (1 problem):")
    assert "(fix: `appliance config check`)" in out and out.rstrip().endswith("to fix")


def test_model_checks_name_what_to_fetch(data_dir: Path) -> None:
    checks = {check.name: check for check in check_models(Config())}
    assert checks["wake model"].status == OK and "package, intact" in checks["wake model"].message
    assert checks["tts model"].status != FAIL  # falls back to the wheel's voice
    assert "appliance models fetch" in checks["tts model"].message
    assert checks["recogniser"].message.startswith("speech recognition: ")


def test_service_check_without_systemd() -> None:
    assert check_service().status == OK


def test_the_report_comes_without_the_sound_libraries_noise(tmp_path: Path) -> None:
    # no sound server and no card: ALSA, JACK and PipeWire each used to print their complaints
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PULSE", "PIPEWIRE"))}
    done = subprocess.run(
        [sys.executable, "-m", "appliance", "doctor"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**env, "XDG_RUNTIME_DIR": str(tmp_path)},
    )
    assert done.stderr == ""
    assert done.stdout.splitlines()[0].startswith("ok   config: ")
    assert "microphone: " in done.stdout and "speaker: " in done.stdout


def test_the_faces_ports_are_checked() -> None:
    import socket
    from dataclasses import replace

    from appliance.config import FacesSettings, MpdSettings, WebSettings
    from appliance.doctor import WARN, check_faces

    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    taken = holder.getsockname()[1]
    try:
        config = replace(
            Config(),
            faces=FacesSettings(bind="localhost"),
            web=WebSettings(port=taken),
            mpd=MpdSettings(port=0),
        )
        found = {check.name: check for check in check_faces(config)}
        assert found["web"].status == WARN and "[web] port" in found["web"].fix
        assert found["mpd"].status == OK
    finally:
        holder.close()
    if os.geteuid() != 0:  # a port under 1024 needs privileges this user lacks
        low = replace(Config(), faces=FacesSettings(bind="localhost"), web=WebSettings(port=80))
        assert next(check_faces(low)).status == FAIL
