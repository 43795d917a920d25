"""`appliance config check [FILE] | example | show`: the settings file."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "config",
        help="check the config file, or print a commented example",
        description="The settings file (default /etc/appliance/config.toml; $APPLIANCE_CONFIG).",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    check = actions.add_parser("check", help="check a config file; print every problem")
    check.add_argument("file", nargs="?", help="the file (default: the one the daemon reads)")
    check.set_defaults(func=run_check)
    example = actions.add_parser("example", help="print a fully commented example config")
    example.set_defaults(func=run_example)
    show = actions.add_parser("show", help="print the settings in effect, as JSON")
    show.add_argument("--config", help="the config file (default: the one the daemon reads)")
    show.set_defaults(func=run_show)


def run_check(args: argparse.Namespace) -> int:
    from appliance.config import InvalidConfig, load_config
    from appliance.paths import config_path

    try:
        config = load_config(args.file)
    except InvalidConfig as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        print(f"{len(error.problems)} problem(s); `appliance config example` shows every setting")
        return error.exit_code
    if config.source is None:  # no file named and none at the default place
        print(f"{config_path()} does not exist: every setting has its default")
        return 0
    for warning in config.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"{config.source}: valid" + (" (with warnings)" if config.warnings else ""))
    return 0


def run_example(args: argparse.Namespace) -> int:
    from appliance.config import example_config

    sys.stdout.write(example_config())
    return 0


def run_show(args: argparse.Namespace) -> int:
    import dataclasses

    from appliance.config import load_config

    config = load_config(args.config)
    data = dataclasses.asdict(config)
    data["warnings"] = [str(warning) for warning in config.warnings]
    print(json.dumps(data, indent=2, default=str))
    return 0
