"""`appliance library scan|analyse|stats|search|demo`: the music library from the command line."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from appliance.library.filenames import shown

if TYPE_CHECKING:
    from appliance.config import Config
    from appliance.library import Library, Track


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "library",
        help="scan the music folders, measure tracks, show what the library holds",
        description="The local music library: an index of the music folders, with the tempo "
        "and energy of every track.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    scan = actions.add_parser(
        "scan",
        help="index music folders (default: the configured ones)",
        description="Index the music in PATHs (default: [library] music_folders of the "
        "configuration). Only new and changed files are read; files that cannot be indexed "
        "are listed with the reason, and the scan still succeeds.",
    )
    scan.add_argument("paths", nargs="*", metavar="PATH", help="a folder or a music file")
    scan.add_argument(
        "--analyse", action="store_true", help="also measure tempo and energy right away"
    )
    _common(scan)
    scan.set_defaults(func=run_scan)

    analyse = actions.add_parser(
        "analyse",
        help="measure tempo and energy of tracks that lack them",
        description="Measure tempo and energy now (the appliance otherwise does it in the "
        "background, at low priority). Stops cleanly on Ctrl-C and carries on next time.",
    )
    analyse.add_argument(
        "--limit", type=_count, metavar="N", help="measure at most N tracks (0 or more)"
    )
    _common(analyse)
    analyse.set_defaults(func=run_analyse)

    stats = actions.add_parser("stats", help="count tracks, artists, albums, genres, problems")
    stats.add_argument("--json", action="store_true", help="print the counts as JSON")
    _common(stats)
    stats.set_defaults(func=run_stats)

    search = actions.add_parser("search", help="find tracks by artist, album or title")
    search.add_argument("text", nargs="+", help="what to look for (misspellings are fine)")
    search.add_argument(
        "--limit", type=_count, default=10, metavar="N", help="at most N tracks (0 or more)"
    )
    _common(search)
    search.set_defaults(func=run_search)

    demo = actions.add_parser(
        "demo",
        help="make the demo library (once) and index it",
        description="Make the demo library (a few dozen short generated tracks in several "
        "genres) in the data directory, if it is not there yet, and add it to the index.",
    )
    _common(demo)
    demo.set_defaults(func=run_demo)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config", metavar="FILE", help="the configuration file (default: the system one)"
    )


def _count(text: str) -> int:
    """A number of tracks given on the command line: a whole number, 0 or more."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative: give 0 or more")
    return value


def _config(args: argparse.Namespace) -> Config:
    from appliance.config import load_config

    return load_config(args.config)


def _open(config: Config) -> Library:
    from appliance.library import Library
    from appliance.paths import library_db_path

    return Library(library_db_path(config.data_dir()))


def run_scan(args: argparse.Namespace) -> int:
    from appliance.errors import UsageError

    config = _config(args)
    paths = list(args.paths) or [str(folder) for folder in config.library.music_folders]
    if not paths:
        where = args.config or "the configuration"
        raise UsageError(
            "no music folders to scan",
            hint=f"name a folder (appliance library scan ~/Music), or set [library] "
            f"music_folders in {where}",
        )
    paths = _check_folders(paths, named=bool(args.paths), config=args.config)
    library = _open(config)
    try:
        report = library.scan(paths)
        print(f"Scanned {', '.join(shown(path) for path in paths)}: {report.summary()}")
        for path, reason in report.errors:
            print(f"  not indexed: {shown(path)}: {shown(reason)}")
        if args.analyse:
            _measure(library, None)
    finally:
        library.close()
    return 0


def _check_folders(paths: list[str], named: bool, config: str | None) -> list[str]:
    """The paths to scan. A folder named on the command line must be there (a mistyped name is
    an error, not an empty scan); of the configured folders, those missing (a drive not plugged
    in) are reported and the others scanned, unless none is there."""
    import os

    from appliance.errors import UsageError
    from appliance.library.scan import normalise_root

    missing = [path for path in paths if not os.path.exists(normalise_root(path))]
    where = "" if named else f" (in [library] music_folders of {config or 'the configuration'})"
    hint = (
        "check the name, and that the drive holding it is plugged in and mounted; then scan again"
    )
    if missing and (named or len(missing) == len(paths)):
        raise UsageError(f"{shown(missing[0])}: no such folder or file{where}", hint=hint)
    for path in missing:
        print(f"  not scanned: {shown(path)}: no such folder{where}; {hint}", file=sys.stderr)
    return [path for path in paths if path not in missing]


def run_analyse(args: argparse.Namespace) -> int:
    library = _open(_config(args))
    try:
        done = _measure(library, args.limit)
        stats = library.stats()
        print(f"Measured {done} tracks; {stats.analysed} of {stats.tracks} are measured.")
    finally:
        library.close()
    return 0


def _measure(library: Library, limit: int | None) -> int:
    from appliance.library.progress import Progress

    pending = library.stats().pending
    total = min(pending, limit) if limit is not None else pending
    done = 0
    with Progress("Measuring tempo and energy", total=total) as progress:
        while done < total and library.analyse(limit=1):
            done += 1
            progress.advance()
    return done


def run_stats(args: argparse.Namespace) -> int:
    library = _open(_config(args))
    try:
        stats = library.stats()
        problems = library.problems()
    finally:
        library.close()
    if args.json:
        print(json.dumps(stats.as_dict(), indent=2))
        return 0
    print(f"tracks    {stats.tracks}")
    print(f"artists   {stats.artists}")
    print(f"albums    {stats.albums}")
    print(f"genres    {stats.genres}")
    print(f"analysed  {stats.analysed} ({stats.pending} waiting)")
    print(f"errors    {stats.errors}")
    for path, reason in problems[:20]:
        print(f"  {shown(path)}: {shown(reason)}")
    if len(problems) > 20:
        print(f"  ... and {len(problems) - 20} more")
    return 0


def run_search(args: argparse.Namespace) -> int:
    library = _open(_config(args))
    try:
        found = library.search(" ".join(args.text), limit=args.limit)
    finally:
        library.close()
    if not found:
        print("No matching tracks.", file=sys.stderr)
        return 1
    for track in found:
        print(_describe(track))
    return 0


def run_demo(args: argparse.Namespace) -> int:
    from appliance.library import ensure_demo_library

    config = _config(args)
    folder = ensure_demo_library(config.data_dir())
    library = _open(config)
    try:
        report = library.scan([folder])
    finally:
        library.close()
    print(f"Demo library in {shown(str(folder))}: {report.summary()}")
    return 0


def _describe(track: Track) -> str:
    features = []
    if track.bpm:
        features.append(f"{track.bpm:.0f} BPM")
    if track.energy is not None:
        features.append(f"energy {track.energy:.2f}")
    album = f" [{track.album}]" if track.album else ""
    extra = f" ({', '.join(features)})" if features else ""
    name = shown(f"{track.artist or 'unknown artist'} - {track.title}{album}{extra}")
    return f"{name}  {shown(track.path)}"
