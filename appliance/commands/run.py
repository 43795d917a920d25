"""`appliance run`: the appliance itself, as the service runs it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from appliance.errors import UsageError


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "run",
        help="run the appliance (the daemon)",
        description=(
            "Run the appliance: listen, answer, play. Listens through the microphone when there "
            "is one, and reads typed requests when there is not (or with --text)."
        ),
    )
    parser.add_argument("--config", help="the config file (default: /etc/appliance/config.toml)")
    how = parser.add_mutually_exclusive_group()
    how.add_argument("--text", action="store_true", help="type requests instead of speaking")
    how.add_argument("--input", metavar="FILE.wav", help="take the speech from a sound file")
    parser.add_argument("--user", help="who is listening (default: the config's default_user)")
    parser.add_argument("--silent", action="store_true", help="answer in text only, no voice")
    parser.add_argument(
        "--fetch-models",
        action="store_true",
        help="first fetch the models this board's plan names and say which recogniser runs "
        "(what `make run` does; a few seconds at most without a network)",
    )
    parser.set_defaults(func=run, manages_logging=True)


def run(args: argparse.Namespace) -> int:
    from appliance import daemon
    from appliance.config import load_config
    from appliance.logs import setup_logging
    from appliance.station import StationConfig

    settings = load_config(args.config)
    level = settings.station.log_level
    if sys.stdin.isatty() and level in ("debug", "info"):
        level = "warning"  # a person at the keyboard reads the DJ, not the log (-v: everything)
    setup_logging("debug" if args.verbose else level)
    if getattr(args, "fetch_models", False):
        _prepare_models(settings)
    listen = "keyboard" if args.text else "auto"
    input_file = None
    if args.input:
        input_file = Path(args.input)
        if not input_file.is_file():
            raise UsageError(f"{input_file}: no such sound file")
        listen = "file"
    config = StationConfig.from_settings(
        settings, listen=listen, input_file=input_file, speak=not args.silent
    )
    return daemon.run(config, user=args.user)


def _prepare_models(settings: Any) -> None:
    """Fetch the plan's missing models (verified, with progress), then say which recogniser
    runs and why, on stderr: the person who typed `make run` reads it."""
    from appliance.hardware import select_models
    from appliance.models.planned import fetch_planned

    def say(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    fetch_planned(settings, say=say)
    stt = select_models(settings)["stt"]
    say(stt.why or f"speech recognition: {stt.name}")
    if stt.note:
        say(f"  {stt.note}")
