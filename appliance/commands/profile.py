"""`appliance profile export|delete USER`: the listener owns their data.

Export only reads (a read-only SD card still gives the data up) and writes its file atomically,
never onto a database or any file of the data folder. Delete says why when the disk will not
let it (full, read-only) instead of failing half way.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

from appliance.diskspace import is_no_space
from appliance.errors import ApplianceError, StoreError, UsageError
from appliance.sqlite_files import SQLITE_MAGIC

MAX_JSON_CHECK = 256 << 20  # an existing file is read this far to tell an earlier export


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "profile",
        help="export or delete everything the DJ keeps about a listener",
        description="The listener owns their data: export all of it as JSON, or delete it.",
    )
    parser.add_argument("action", choices=("export", "delete"))
    parser.add_argument("user", help="the listener's id")
    parser.add_argument(
        "-o",
        "--output",
        help="export: write the JSON to this file (or to USER.json in this folder)",
    )
    parser.add_argument(
        "--force", action="store_true", help="export: replace an existing file that is not JSON"
    )
    parser.add_argument("--yes", action="store_true", help="delete without asking")
    parser.add_argument("--config", help="the config file (its data directory is used)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from appliance.config import load_config
    from appliance.dj.profile import check_user_id
    from appliance.paths import dj_db_path

    user = check_user_id(args.user)
    data_dir = load_config(args.config).data_dir()
    path = dj_db_path(data_dir)
    if not path.exists():
        raise UsageError(f"the DJ has no listeners yet ({path} does not exist)")
    if args.action == "export":
        target = (
            export_target(Path(args.output), user, data_dir, args.force) if args.output else None
        )
        return _export(path, user, target)
    return _delete(path, user, args.yes)


def _export(path: Path, user: str, target: Path | None) -> int:
    from appliance.atomic import write_atomically
    from appliance.dj.store import Store

    store = Store(path, read_only=True)
    try:
        data = store.export_user(user)
        if data is None:
            raise UsageError(f"no listener {user!r}", hint=_known(store.user_ids()))
    except sqlite3.Error as error:
        raise StoreError(f"cannot read {user!r} from {path}: {error}") from error
    finally:
        store.close()
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if target is None:
        sys.stdout.write(text)
        return 0
    try:
        write_atomically(target, text.encode("utf-8"), mode=0o600)
    except OSError as error:
        raise ApplianceError(
            f"cannot write {target}: {error.strerror}",
            hint=f"free some space in {target.parent}, or choose another place with -o"
            if is_no_space(error)
            else "choose a place you can write to with -o",
        ) from error
    print(f"Wrote everything about {user!r} to {target}.", file=sys.stderr)
    return 0


def export_target(output: Path, user: str, data_dir: Path, force: bool) -> Path:
    """Where an export may go: a folder gets USER.json; never a database, never a file of the
    data folder, never an existing file that is not JSON (unless ``force``)."""
    if output.is_dir():
        output = output / f"{user}.json"
    folder = output.parent
    if not folder.is_dir():
        raise UsageError(
            f"cannot write {output}: the folder {folder} does not exist",
            hint="create it first, or choose another place with -o",
        )
    if output.is_dir():
        raise UsageError(f"cannot write {output}: it is a folder", hint="choose a file name")
    if output.resolve().is_relative_to(data_dir.resolve()):
        raise UsageError(
            f"refusing to write onto {output}: it is inside the appliance's data folder",
            hint="export somewhere outside " + str(data_dir),
        )
    if not output.exists():
        return output
    if not output.is_file():
        raise UsageError(f"refusing to write onto {output}: it is not a regular file")
    try:
        with output.open("rb") as handle:
            head = handle.read(MAX_JSON_CHECK)
    except OSError as error:
        raise UsageError(f"cannot read {output} to check it: {error.strerror}") from error
    if head.startswith(SQLITE_MAGIC):
        raise UsageError(
            f"refusing to write onto {output}: it is an SQLite database",
            hint="export to a new .json file",
        )
    if not force and not _is_json(head):
        raise UsageError(
            f"refusing to replace {output}: it exists and is not a JSON export",
            hint="choose another name, or add --force to replace it",
        )
    return output


def _is_json(head: bytes) -> bool:
    try:
        json.loads(head.decode("utf-8"))
    except ValueError:
        return False
    return True


def _delete(path: Path, user: str, confirmed: bool) -> int:
    from appliance.dj.store import Store

    try:
        store = Store(path)
    except StoreError as error:
        raise StoreError(f"{error.message}; nothing was deleted", hint=error.hint) from error
    try:
        if store.load_user(user) is None:
            raise UsageError(f"no listener {user!r}", hint=_known(store.user_ids()))
        if not confirmed:
            if not sys.stdin.isatty():
                raise UsageError(
                    "refusing to delete without confirmation", hint="add --yes to confirm"
                )
            answer = input(f"Delete everything about {user!r} for good? [y/N] ")
            if answer.strip().lower() not in ("y", "yes"):
                print("Nothing deleted.")
                return 1
        try:
            store.delete_user(user)
        except sqlite3.Error as error:
            raise StoreError(
                f"could not delete {user!r} from {path} ({error}); nothing was deleted",
                hint="free some space on the disk, make it writable, or wait for whatever holds "
                "the database to let go, and run this again",
            ) from error
        print(f"Deleted {user!r}: profile, history, listening and community links.")
        return 0
    finally:
        store.close()


def _known(users: list[str]) -> str:
    if not users:
        return "the DJ has no listeners yet"
    return "known listeners: " + ", ".join(users[:20])
