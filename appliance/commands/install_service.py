"""`appliance install-service`: run the appliance as a systemd service."""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any


def register(sub: Any) -> None:
    from appliance.service import DEFAULT_CONFIG, DEFAULT_DATA_DIR, DEFAULT_USER, UNIT_DIR

    parser = sub.add_parser(
        "install-service",
        help="install the systemd service (as root), or print how to",
        description="Writes /etc/systemd/system/appliance.service for this install, creates "
        "its user (in the audio group) and reloads systemd.",
    )
    parser.add_argument("--user", default=DEFAULT_USER, help="the service user")
    parser.add_argument(
        "--config",
        default=None,
        help="the config file the service reads "
        f"(default: $APPLIANCE_CONFIG, else {DEFAULT_CONFIG})",
    )
    parser.add_argument("--data-dir", default=str(DEFAULT_DATA_DIR))
    parser.add_argument("--unit-dir", default=str(UNIT_DIR))
    parser.add_argument("--print", action="store_true", help="only print the unit file")
    parser.set_defaults(func=run)


_SYSTEM_USER = re.compile(r"[a-z_][a-z0-9_-]{0,31}")


def _check(args: argparse.Namespace) -> None:
    """Refuse what would make a broken unit: an empty or impossible user, an empty path."""
    from appliance.errors import UsageError

    if not _SYSTEM_USER.fullmatch(args.user):
        raise UsageError(
            f"--user: {args.user!r} cannot be a system user's name",
            hint="1 to 32 lower-case letters, digits, '-' or '_', not starting with a digit "
            "(e.g. appliance)",
        )
    for option in ("config", "data_dir", "unit_dir"):
        value = getattr(args, option)
        if value is None:  # --config not given: $APPLIANCE_CONFIG or the default
            continue
        if not str(value).strip() or str(value) == ".":
            flag = "--" + option.replace("_", "-")
            raise UsageError(f"{flag}: an empty path", hint=f"give {flag} an absolute path")


def run(args: argparse.Namespace) -> int:
    from appliance.paths import config_path
    from appliance.service import ServiceSettings, install_service, render_unit

    _check(args)
    settings = ServiceSettings(
        user=args.user,
        config=config_path(args.config).expanduser().absolute(),
        data_dir=Path(args.data_dir).expanduser().absolute(),
        unit_dir=Path(args.unit_dir),
    )
    if args.print:
        print(render_unit(settings), end="")
        return 0
    report = install_service(settings)
    if report.user_created:
        print(f"created the system user {settings.user} (group audio)")
    if report.written:
        print(f"wrote {report.unit_path}")
    if report.config_written:
        print(f"wrote {settings.config} (every setting at its default, commented)")
    if report.reloaded:
        print("systemd reloaded")
    for warning in report.warnings:
        print(f"warning: {warning}")
    if report.commands:
        print("then run:")
        for command in report.commands:
            print(f"  {command}")
    if report.written:
        print("logs: journalctl -u appliance -f")
    return 0 if report.written else 1
