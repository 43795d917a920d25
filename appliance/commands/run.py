"""`appliance run`: the appliance itself, as the service runs it."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import Any

from appliance.errors import UsageError

NO_FACES_VARIABLE = "APPLIANCE_FACES"  # "off": no network faces, whatever the config says (tests)


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
    from appliance.dj.profile import check_user_id

    # the command line and the config first: a mistake is said before the heavy imports
    user = check_user_id(args.user, "--user") if args.user is not None else None
    input_file = _sound_file(args.input) if args.input is not None else None
    from appliance.config import load_config

    settings = load_config(args.config)
    from appliance import daemon
    from appliance.logs import setup_logging
    from appliance.station import StationConfig

    level = settings.station.log_level
    if sys.stdin.isatty() and level in ("debug", "info"):
        level = "warning"  # a person at the keyboard reads the DJ, not the log (-v: everything)
    setup_logging("debug" if args.verbose else level)
    for warning in settings.warnings:  # e.g. a music folder on a USB stick not plugged in yet
        logging.getLogger("appliance.config").warning("%s", warning)
    if getattr(args, "fetch_models", False):
        _prepare_models(settings)
    listen = "file" if input_file else "keyboard" if args.text else "auto"
    config = StationConfig.from_settings(
        settings,
        listen=listen,
        input_file=input_file,
        speak=not args.silent,
        faces=os.environ.get(NO_FACES_VARIABLE, "").lower() not in ("off", "0", "no"),
    )
    return daemon.run(config, user=user)


def _sound_file(name: str) -> Path:
    """--input's file, checked before anything starts: a sound file that can be read."""
    import soundfile

    hint = "give a WAV file (16 kHz mono is best), e.g. `sox in.mp3 -r 16000 -c 1 out.wav`"
    if not name.strip():
        raise UsageError("--input: an empty file name", hint=hint)
    path = Path(name).expanduser()
    if path.is_dir():
        raise UsageError(f"--input: {path} is a folder, not a sound file", hint=hint)
    if not path.exists():
        raise UsageError(f"--input: {path}: no such sound file", hint=hint)
    if not path.is_file():
        raise UsageError(f"--input: {path} is not a regular file", hint=hint)
    try:
        info = soundfile.info(str(path))
    except (OSError, RuntimeError, soundfile.LibsndfileError) as error:
        problem = f"--input: {path}: not a sound file this can read ({error})"
        raise UsageError(problem, hint=hint) from error
    if info.frames <= 0:
        raise UsageError(f"--input: {path} holds no sound", hint=hint)
    return path


def _prepare_models(settings: Any, profile: Any = None, catalog: Any = None) -> None:
    """Say which recogniser the plan runs and why, then fetch the plan's missing models
    (verified, with progress), then say what runs instead if one could not be fetched; on
    stderr: the person who typed `make run` reads it. ``profile``, ``catalog``: the board's
    and the shipped ones unless given."""
    from appliance.boards import detect_profile
    from appliance.models.catalog import load_catalog
    from appliance.models.plan import select_models
    from appliance.models.planned import fetch_planned

    def say(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    profile = profile or detect_profile().profile
    catalog = catalog or load_catalog()
    planned = select_models(settings, profile, catalog=catalog)["stt"]
    say(planned.why or f"speech recognition: {planned.name}")
    fetch_planned(settings, say=say, catalog=catalog, profile=profile)
    stt = select_models(settings, profile, catalog=catalog)["stt"]
    if stt.note:
        say(f"  {stt.note}")
