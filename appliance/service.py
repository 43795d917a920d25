"""Installing the appliance as a systemd service: the unit file, its user, and reloading systemd.

The unit (systemd/appliance.service) is a template; :func:`render_unit` fills in this install's
paths. :func:`install_service` writes it atomically, creates the dedicated user (in the ``audio``
group) when run as root, and reloads systemd when systemd runs; without root it writes nothing
and returns the commands to run instead. Where no config file exists yet, it writes the
commented example there, so the settings are one edit away.
"""

from __future__ import annotations

import grp
import ipaddress
import os
import pwd
import shlex
import stat
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from appliance.atomic import write_atomically
from appliance.config import Config
from appliance.errors import ApplianceError
from appliance.models.catalog import shipped

UNIT_NAME = "appliance.service"
UNIT_DIR = Path("/etc/systemd/system")
DEFAULT_USER = "appliance"
DEFAULT_DATA_DIR = Path("/var/lib/appliance")
DEFAULT_CONFIG = Path("/etc/appliance/config.toml")

Runner = Callable[[Sequence[str]], subprocess.CompletedProcess[str]]


class ServiceError(ApplianceError):
    """The service could not be installed."""


def appliance_executable() -> Path:
    """This install's `appliance` command (the venv's, when running from one)."""
    candidate = Path(sys.prefix) / "bin" / "appliance"
    if candidate.exists():
        return candidate
    return Path(sys.argv[0]).resolve()


@dataclass(frozen=True)
class ServiceSettings:
    """What the unit file needs to know about this install."""

    executable: Path = field(default_factory=appliance_executable)
    user: str = DEFAULT_USER
    config: Path = DEFAULT_CONFIG
    data_dir: Path = DEFAULT_DATA_DIR
    unit_dir: Path = UNIT_DIR

    @property
    def unit_path(self) -> Path:
        return self.unit_dir / UNIT_NAME


# What "this network" is to the unit: systemd's own names for the loopback and link-local
# ranges, the private ranges a home router hands out, and mDNS (how Home Assistant and music apps
# find the appliance). The same ranges as appliance/faces/lan.py, which checks every peer again.
LAN_ALLOW = (
    "localhost link-local 10.0.0.0/8 172.16.0.0/12 192.168.0.0/16 fc00::/7 224.0.0.251 ff02::fb"
)
LOCAL_FAMILIES = "AF_UNIX AF_NETLINK"
# Parts on the faces' loop that only connect out (to a server the config names, opened by
# _servers): they accept no one, so they open nothing to this network on their own.
CLIENT_PARTS = frozenset({"snapcast"})


def network_lines(config: Config) -> list[str]:
    """The unit's network settings for ``config``: closed unless a face or a server it names
    (Snapcast, Wyoming) needs it, and then open to no more than that."""
    from appliance.faces.host import configured_faces

    allow: list[str] = []
    listening = [name for name in configured_faces(config) if name not in CLIENT_PARTS]
    if listening:
        allow.append(LAN_ALLOW if config.faces.bind == "lan" else "localhost")
    for host in _servers(config):
        allow.append(_reach(host))
    if not allow:
        return [f"RestrictAddressFamilies={LOCAL_FAMILIES}", "IPAddressDeny=any"]
    return [
        f"RestrictAddressFamilies={LOCAL_FAMILIES} AF_INET AF_INET6",
        "IPAddressDeny=any",
        *(f"IPAddressAllow={entry}" for entry in dict.fromkeys(allow)),
    ]


def _servers(config: Config) -> list[str]:
    """Hosts of the servers the config names: the Snapcast server, Wyoming speech engines."""
    from appliance.wyoming_link import is_remote, parse_address

    hosts = [config.snapcast.server] if config.snapcast.enabled else []
    for name in (config.models.stt, config.models.tts):
        if not is_remote(name):
            continue
        try:
            hosts.append(parse_address(name).host)
        except ValueError:  # "wyoming": a server found by mDNS on this network
            hosts.append("wyoming.local")
    return [host for host in hosts if host]


def _reach(host: str) -> str:
    """What the unit must allow to reach ``host``: an address outside this network exactly,
    else this network (a name such as homeserver.local resolves on it)."""
    from appliance.faces.lan import allowed

    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return "localhost" if host == "localhost" else LAN_ALLOW
    if ip.is_loopback:
        return "localhost"
    return LAN_ALLOW if allowed(str(ip)) else str(ip)


def render_unit(
    settings: ServiceSettings, template: Path | None = None, config: Config | None = None
) -> str:
    """The unit file for ``settings``, its network opened as ``config`` (default: the
    settings' config file, or the defaults when there is none yet) needs."""
    text = (template or shipped("systemd", UNIT_NAME)).read_text(encoding="utf-8")
    if config is None:
        config = _config_of(settings)
    text = text.replace("@NETWORK@", "\n".join(network_lines(config)))
    values = {
        "@APPLIANCE@": str(settings.executable),
        "@USER@": settings.user,
        "@CONFIG@": str(settings.config),
        "@DATA_DIR@": str(settings.data_dir),
        "@DOCS@": str(shipped("README.md")),
    }
    for placeholder, value in values.items():
        if any(char.isspace() for char in value):
            raise ServiceError(
                f"{value!r} contains a space, which the unit file cannot hold unquoted",
                hint="install the appliance under a path without spaces",
            )
        text = text.replace(placeholder, value)
    return text


def _config_of(settings: ServiceSettings) -> Config:
    """The config the service will run with; the defaults when the file does not exist yet."""
    from appliance.config import load_config

    if not settings.config.exists():
        return Config()
    return load_config(settings.config)


def unreadable_parents(path: Path, user: str) -> list[Path]:
    """Folders above ``path`` that ``user`` could not pass through (so could not run it)."""
    try:
        account = pwd.getpwnam(user)
        groups = {g.gr_gid for g in grp.getgrall() if user in g.gr_mem} | {account.pw_gid}
    except KeyError:
        account, groups = None, set()
    blocked = []
    for folder in path.parents:
        try:
            info = folder.stat()
        except OSError:
            continue
        if info.st_mode & stat.S_IXOTH:
            continue
        if account is not None and info.st_uid == account.pw_uid and info.st_mode & stat.S_IXUSR:
            continue
        if info.st_gid in groups and info.st_mode & stat.S_IXGRP:
            continue
        blocked.append(folder)
    return blocked


@dataclass
class InstallReport:
    """What install_service did, and what is left for the person to do."""

    unit_path: Path
    written: bool = False
    user_created: bool = False
    config_written: bool = False  # a commented example, where there was no config file
    reloaded: bool = False
    commands: list[str] = field(default_factory=list)  # to run by hand (as root)
    warnings: list[str] = field(default_factory=list)


def _run(command: Sequence[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(command), capture_output=True, text=True, timeout=60, check=False)


def systemd_running() -> bool:
    """True when systemd is the init system (the documented check)."""
    return Path("/run/systemd/system").is_dir()


def _write_atomically(path: Path, text: str) -> None:
    """A unit or config file written whole or not at all (its folder made first)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, text.encode("utf-8"), 0o644)


def install_service(
    settings: ServiceSettings,
    *,
    run: Runner = _run,
    is_root: bool | None = None,
    with_systemd: bool | None = None,
) -> InstallReport:
    """Write the unit, create the user, reload systemd; without root, say what to run instead."""
    is_root = os.geteuid() == 0 if is_root is None else is_root
    with_systemd = systemd_running() if with_systemd is None else with_systemd
    unit = render_unit(settings)
    report = InstallReport(settings.unit_path)
    useradd = [
        "useradd", "--system", "--user-group", "--groups", "audio",
        "--home-dir", str(settings.data_dir), "--no-create-home",
        "--shell", "/usr/sbin/nologin", settings.user,
    ]  # fmt: skip
    user_exists = True
    try:
        pwd.getpwnam(settings.user)
    except KeyError:
        user_exists = False
    if not is_root:
        executable = shlex.quote(str(settings.executable))
        report.commands.append(f"sudo {executable} install-service")
        report.warnings.append("not running as root: nothing was written")
        return report
    if not user_exists:
        result = run(useradd)
        if result.returncode != 0:
            raise ServiceError(
                f"cannot create the user {settings.user}: {result.stderr.strip()}",
                hint="create it by hand: " + shlex.join(useradd),
            )
        report.user_created = True
    _write_atomically(settings.unit_path, unit)
    report.written = True
    if not settings.config.exists():
        from appliance.config import example_config

        _write_atomically(settings.config, example_config())
        report.config_written = True
    blocked = unreadable_parents(settings.executable, settings.user)
    if blocked:
        report.warnings.append(
            f"the {settings.user} user cannot reach {settings.executable}: "
            + ", ".join(str(folder) for folder in blocked)
            + " are closed to it"
        )
        report.commands.extend(f"chmod o+x {shlex.quote(str(folder))}" for folder in blocked)
    if with_systemd:
        result = run(["systemctl", "daemon-reload"])
        report.reloaded = result.returncode == 0
        if not report.reloaded:
            report.warnings.append(f"systemctl daemon-reload failed: {result.stderr.strip()}")
        report.commands.append(f"systemctl enable --now {UNIT_NAME}")
    else:
        report.warnings.append("systemd is not running here: the unit was written, not loaded")
    return report
