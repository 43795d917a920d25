"""`appliance chat`: talk to the DJ by typing; the music plays for real."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "chat",
        help="a typed conversation with the DJ (music plays, replies are printed)",
        description=(
            "Talk to the DJ in the terminal. It remembers you (the data directory keeps its "
            "memory), plays the music it picks, and prints what it says."
        ),
    )
    parser.add_argument("--user", help="who you are (default: the config's default_user)")
    parser.add_argument("--config", help="the config file (default: /etc/appliance/config.toml)")
    parser.add_argument("--speak", action="store_true", help="also say the replies aloud")
    parser.set_defaults(func=run, manages_logging=True)


def run(args: argparse.Namespace) -> int:
    from appliance import daemon
    from appliance.config import load_config
    from appliance.logs import setup_logging
    from appliance.station import StationConfig

    settings = load_config(args.config)
    setup_logging("debug" if args.verbose else "warning")
    config = StationConfig.from_settings(settings, listen="keyboard", speak=args.speak)
    return daemon.run(config, user=args.user)
