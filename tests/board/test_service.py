"""The systemd unit: its contents, `systemd-analyze verify`, and installing it."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from appliance.cli import main
from appliance.config import Config, load_config
from appliance.models.catalog import shipped
from appliance.service import ServiceSettings, install_service, render_unit


def settings(tmp_path: Path, user: str = "nobody") -> ServiceSettings:
    return ServiceSettings(
        executable=Path(sys.prefix) / "bin" / "appliance",
        user=user,
        config=tmp_path / "etc" / "config.toml",
        data_dir=Path("/var/lib/appliance"),
        unit_dir=tmp_path / "units",
    )


def unit_lines(text: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in text.splitlines():
        if "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            found.setdefault(key, []).append(value)
    return found


def test_the_unit_is_a_hardened_notify_service(tmp_path: Path) -> None:
    text = render_unit(settings(tmp_path, "appliance"))
    assert re.search(r"@[A-Z_]+@", text) is None  # every placeholder filled
    keys = unit_lines(text)
    assert keys["Type"] == ["notify"] and keys["WatchdogSec"] == ["30"]
    assert keys["Restart"] == ["always"] and keys["StartLimitIntervalSec"] == ["0"]
    assert keys["ExecStart"] == [f"{sys.prefix}/bin/appliance run"]
    assert keys["User"] == ["appliance"] and keys["SupplementaryGroups"] == ["audio"]
    assert keys["StateDirectory"] == ["appliance"]
    for setting, value in {
        "ProtectSystem": "strict", "ProtectHome": "read-only", "PrivateTmp": "yes",
        "NoNewPrivileges": "yes", "IPAddressDeny": "any",
    }.items():  # fmt: skip
        assert keys[setting] == [value], setting
    assert "APPLIANCE_DATA_DIR=/var/lib/appliance" in keys["Environment"]
    assert f"APPLIANCE_CONFIG={tmp_path / 'etc' / 'config.toml'}" in keys["Environment"]
    assert "MemoryDenyWriteExecute" not in keys


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not installed")
def test_systemd_analyze_verify_accepts_the_unit(tmp_path: Path) -> None:
    folder = tmp_path / "verify"
    folder.mkdir()
    unit = folder / "appliance.service"
    unit.write_text(render_unit(settings(tmp_path, "appliance")))
    result = subprocess.run(
        ["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and result.stderr.strip() == "", result.stderr
    # the check is real: a broken unit is reported
    unit.write_text(unit.read_text().replace("Type=notify", "Type=notifyy"))
    result = subprocess.run(
        ["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60
    )
    assert "Failed to parse service type" in result.stderr


MDWE_PROBE = """
import ctypes, sys
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(65, 1, 0, 0, 0) != 0:  # PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN
    sys.exit(3)
import sounddevice
try:
    sounddevice._ffi.callback("PaStreamCallback", lambda *args: 0)
except MemoryError:
    sys.exit(4)
"""


def test_memory_deny_write_execute_would_break_capture() -> None:
    """Why the unit leaves MemoryDenyWriteExecute off: sounddevice's stream callback is a cffi
    callback, which needs writable+executable memory (the kernel's PR_SET_MDWE applies the same
    rule as systemd's MemoryDenyWriteExecute)."""
    result = subprocess.run([sys.executable, "-c", MDWE_PROBE], timeout=60, capture_output=True)
    if result.returncode == 3:
        pytest.skip("this kernel has no PR_SET_MDWE (Linux 6.3+)")
    assert result.returncode == 4, result.stderr


class Recorder:
    """Stands in for useradd and systemctl, which must not change this machine."""

    def __init__(self) -> None:
        self.commands: list[list[str]] = []

    def __call__(self, command: Sequence[str]) -> subprocess.CompletedProcess[str]:
        self.commands.append(list(command))
        return subprocess.CompletedProcess(list(command), 0, "", "")


def test_install_writes_the_unit_creates_the_user_and_reloads(tmp_path: Path) -> None:
    run = Recorder()
    chosen = settings(tmp_path, "qfzz-no-such-user")
    report = install_service(chosen, run=run, is_root=True, with_systemd=True)
    assert report.written and report.user_created and report.reloaded
    assert chosen.unit_path.read_text() == render_unit(chosen)
    assert report.config_written and load_config(chosen.config) == Config(source=chosen.config)
    chosen.config.write_text('[dj]\nname = "DJ Mine"\n')
    again = install_service(chosen, run=Recorder(), is_root=True, with_systemd=False)
    assert not again.config_written and load_config(chosen.config).dj.name == "DJ Mine"
    useradd, reload = run.commands
    assert useradd[:2] == ["useradd", "--system"] and useradd[-1] == "qfzz-no-such-user"
    assert useradd[3:5] == ["--groups", "audio"]
    assert reload == ["systemctl", "daemon-reload"]
    assert "systemctl enable --now appliance.service" in report.commands


def test_without_root_nothing_is_written_and_the_command_is_printed(tmp_path: Path) -> None:
    run = Recorder()
    chosen = settings(tmp_path)
    report = install_service(chosen, run=run, is_root=False)
    assert not report.written and run.commands == [] and not chosen.unit_path.exists()
    assert report.commands == [f"sudo {chosen.executable} install-service"]


def test_without_systemd_the_unit_is_written_but_not_loaded(tmp_path: Path) -> None:
    run = Recorder()
    report = install_service(settings(tmp_path), run=run, is_root=True, with_systemd=False)
    assert report.written and not report.reloaded and run.commands == []
    assert any("systemd is not running" in warning for warning in report.warnings)


def test_install_service_command_prints_the_unit(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["install-service", "--print", "--user", "dj"]) == 0
    out = capsys.readouterr().out
    assert "User=dj" in out and "Type=notify" in out
    assert shipped("systemd", "appliance.service").is_file()


def faces_off(config: Config) -> Config:
    from dataclasses import replace

    from appliance.config import HomeAssistantSettings, MpdSettings, WebSettings

    return replace(
        config,
        web=WebSettings(enabled=False),
        mpd=MpdSettings(enabled=False),
        home_assistant=HomeAssistantSettings(enabled=False),
    )


def test_with_every_network_face_off_the_unit_allows_no_ip_at_all(tmp_path: Path) -> None:
    keys = unit_lines(render_unit(settings(tmp_path), config=faces_off(Config())))
    assert keys["RestrictAddressFamilies"] == ["AF_UNIX AF_NETLINK"]
    assert keys["IPAddressDeny"] == ["any"] and "IPAddressAllow" not in keys


def test_the_faces_open_this_network_and_mdns_only(tmp_path: Path) -> None:
    import ipaddress

    from appliance.faces.lan import PRIVATE_NETWORKS

    keys = unit_lines(render_unit(settings(tmp_path), config=Config()))  # the faces are on
    assert keys["RestrictAddressFamilies"] == ["AF_UNIX AF_NETLINK AF_INET AF_INET6"]
    assert keys["IPAddressDeny"] == ["any"]
    (allowed,) = keys["IPAddressAllow"]
    names = {"localhost": ["127.0.0.0/8", "::1/128"], "link-local": ["169.254.0.0/16", "fe80::/10"]}
    networks = set()
    for entry in allowed.split():
        for network in names.get(entry, [entry]):
            networks.add(ipaddress.ip_network(network))
    mdns = {ipaddress.ip_network("224.0.0.251/32"), ipaddress.ip_network("ff02::fb/128")}
    # exactly the ranges the faces accept peers from (appliance/faces/lan.py), plus mDNS
    assert networks == set(PRIVATE_NETWORKS) | mdns
    assert not any(network.is_global for network in networks - mdns)


def test_bind_localhost_and_named_servers_open_no_more_than_they_need(tmp_path: Path) -> None:
    from dataclasses import replace

    from appliance.config import FacesSettings, ModelSettings, SnapcastSettings

    local = replace(Config(), faces=FacesSettings(bind="localhost"))
    assert unit_lines(render_unit(settings(tmp_path), config=local))["IPAddressAllow"] == [
        "localhost"
    ]
    far = replace(
        faces_off(Config()),
        snapcast=SnapcastSettings(enabled=True, server="203.0.113.9"),
        models=ModelSettings(stt="tcp://127.0.0.1:10300"),
    )
    keys = unit_lines(render_unit(settings(tmp_path), config=far))
    assert keys["IPAddressAllow"] == ["203.0.113.9", "localhost"]
    home = replace(faces_off(Config()), models=ModelSettings(tts="TCP://192.168.1.9:10200"))
    keys = unit_lines(render_unit(settings(tmp_path), config=home))
    assert keys["IPAddressAllow"][0].startswith("localhost link-local 10.0.0.0/8")


def test_install_service_opens_the_network_as_the_config_file_says(tmp_path: Path) -> None:
    chosen = settings(tmp_path)
    chosen.config.parent.mkdir(parents=True)
    chosen.config.write_text("[web]\nenabled = false\n[mpd]\nenabled = false\n"
                             "[home_assistant]\nenabled = false\n")  # fmt: skip
    install_service(chosen, run=Recorder(), is_root=True, with_systemd=False)
    assert "IPAddressAllow" not in unit_lines(chosen.unit_path.read_text())
    chosen.config.write_text("[mpd]\nenabled = true\n")
    install_service(chosen, run=Recorder(), is_root=True, with_systemd=False)
    assert "IPAddressAllow" in unit_lines(chosen.unit_path.read_text())


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not installed")
def test_systemd_analyze_verify_accepts_the_closed_unit(tmp_path: Path) -> None:
    folder = tmp_path / "verify"
    folder.mkdir()
    unit = folder / "appliance.service"
    unit.write_text(render_unit(settings(tmp_path, "appliance"), config=faces_off(Config())))
    result = subprocess.run(
        ["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and result.stderr.strip() == "", result.stderr


def test_install_service_print_reads_the_config_appliance_config_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "quiet.toml"
    config.write_text("[web]\nenabled = false\n[mpd]\nenabled = false\n"
                      "[home_assistant]\nenabled = false\n")  # fmt: skip
    monkeypatch.setenv("APPLIANCE_CONFIG", str(config))
    assert main(["install-service", "--print"]) == 0
    keys = unit_lines(capsys.readouterr().out)
    assert keys["RestrictAddressFamilies"] == ["AF_UNIX AF_NETLINK"]
    assert f"APPLIANCE_CONFIG={config}" in keys["Environment"]
    monkeypatch.delenv("APPLIANCE_CONFIG")
    assert main(["install-service", "--print", "--config", str(tmp_path / "none.toml")]) == 0
    assert "IPAddressAllow" in unit_lines(capsys.readouterr().out)  # no file yet: the defaults
