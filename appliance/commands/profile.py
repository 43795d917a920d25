"""`appliance profile export|delete USER`: the listener owns their data."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from appliance.errors import UsageError


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "profile",
        help="export or delete everything the DJ keeps about a listener",
        description="The listener owns their data: export all of it as JSON, or delete it.",
    )
    parser.add_argument("action", choices=("export", "delete"))
    parser.add_argument("user", help="the listener's id")
    parser.add_argument("-o", "--output", help="export: write the JSON to this file")
    parser.add_argument("--yes", action="store_true", help="delete without asking")
    parser.add_argument("--config", help="the config file (its data directory is used)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from appliance.config import load_config
    from appliance.dj.store import Store
    from appliance.paths import dj_db_path

    path = dj_db_path(load_config(args.config).data_dir())
    if not path.exists():
        raise UsageError(f"the DJ has no listeners yet ({path} does not exist)")
    store = Store(path)
    try:
        if args.action == "export":
            data = store.export_user(args.user)
            if data is None:
                raise UsageError(f"no listener {args.user!r}", hint=_known(store.user_ids()))
            text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
            if args.output:
                with open(args.output, "w", encoding="utf-8") as handle:
                    handle.write(text)
            else:
                sys.stdout.write(text)
            return 0
        if store.load_user(args.user) is None:
            raise UsageError(f"no listener {args.user!r}", hint=_known(store.user_ids()))
        if not args.yes:
            if not sys.stdin.isatty():
                raise UsageError(
                    "refusing to delete without confirmation", hint="add --yes to confirm"
                )
            answer = input(f"Delete everything about {args.user!r} for good? [y/N] ")
            if answer.strip().lower() not in ("y", "yes"):
                print("Nothing deleted.")
                return 1
        store.delete_user(args.user)
        print(f"Deleted {args.user!r}: profile, history, listening and community links.")
        return 0
    finally:
        store.close()


def _known(users: list[str]) -> str:
    if not users:
        return "the DJ has no listeners yet"
    return "known listeners: " + ", ".join(users[:20])
