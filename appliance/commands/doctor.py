"""`appliance doctor`: check everything the appliance needs; one line per check."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "doctor",
        help="check audio, models, config, data directory, disk and service",
        description="One line per check, with what to fix; exit 0 when all is well.",
    )
    parser.add_argument("--config", help="the config file (default: the one the daemon reads)")
    parser.add_argument("--no-audio", action="store_true", help="skip the audio device checks")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import contextlib

    from appliance.doctor import FAIL, WARN, run_checks
    from appliance.logs import native_stderr_silenced

    # the sound libraries' own complaints while probing: the checks below say it once, clearly
    quiet = contextlib.nullcontext() if args.verbose else native_stderr_silenced()
    with quiet:
        checks = run_checks(args.config, audio=not args.no_audio)
    for check in checks:
        print(check)
    failed = sum(check.status == FAIL for check in checks)
    warned = sum(check.status == WARN for check in checks)
    if failed:
        print((f"{warned} warning(s), " if warned else "") + f"{failed} problem(s) to fix")
    else:
        print(f"it will run; {warned} warning(s) above" if warned else "all is well")
    return 1 if failed else 0
