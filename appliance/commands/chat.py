"""`appliance chat`: talk to the DJ by typing; the music plays for real."""

from __future__ import annotations

import argparse
import io
import sys
from typing import Any, TextIO


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
    from appliance.dj.profile import check_user_id
    from appliance.logs import setup_logging
    from appliance.station import StationConfig

    user = check_user_id(args.user, "--user") if args.user is not None else None
    settings = load_config(args.config)
    setup_logging("debug" if args.verbose else "warning")
    config = StationConfig.from_settings(settings, listen="keyboard", speak=args.speak)
    return daemon.run(config, user=user, stdin=typed_lines(sys.stdin))


def typed_lines(stream: TextIO) -> TextIO:
    """The terminal's input as UTF-8 that never fails to decode: a byte that is not UTF-8 (a
    Latin-1 terminal, a pasted binary) becomes U+FFFD instead of ending the conversation."""
    buffer = getattr(stream, "buffer", None)
    if buffer is None:
        return stream
    return io.TextIOWrapper(buffer, encoding="utf-8", errors="replace", line_buffering=True)
