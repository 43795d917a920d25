"""`appliance intent [TEXT]`: show what the DJ understands from an utterance, as JSON.

With TEXT, prints one line. Without, reads one utterance per line from stdin and answers each at
once (one JSON line per input line, flushed), so it works typed by hand or driven by a program.
The library's artists, albums and titles are understood too when the data directory has an index.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from appliance.dj.understand import Understanding, Vocabulary


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "intent",
        help="show the intent and slots the DJ understands from an utterance",
        description=(
            "Print what the DJ understands from TEXT as one line of JSON: "
            '{"intent": ..., "slots": {...}}. Without TEXT, read one utterance per line from '
            "standard input and print one JSON line for each."
        ),
    )
    parser.add_argument(
        "text", nargs="*", metavar="TEXT", help="the utterance (quoting is optional)"
    )
    parser.add_argument("--config", help="the config file (its data directory's library)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from appliance.commands.chat import typed_lines
    from appliance.dj.said import clean_said
    from appliance.dj.understand import Understanding

    understanding = Understanding(vocabulary=_library_names(args.config))
    if args.text:
        # an argument that is not UTF-8 arrives with surrogates: show U+FFFD, as for stdin
        _answer(understanding, clean_said(" ".join(args.text))[0], sys.stdout)
        return 0
    stdin = typed_lines(sys.stdin)
    for line in iter(stdin.readline, ""):
        _answer(understanding, line, sys.stdout)
    return 0


def _library_names(config: str | None) -> Vocabulary | None:
    """The names in the library index of the data directory, if there is one."""
    from appliance.config import load_config
    from appliance.dj.understand import Vocabulary
    from appliance.library import Library
    from appliance.paths import library_db_path

    path = library_db_path(load_config(config).data_dir())
    if not path.exists():
        return None
    library = Library(path)
    try:
        return Vocabulary.of(library)
    finally:
        library.close()


def _answer(understanding: Understanding, text: str, out: TextIO) -> None:
    intent = understanding.parse(text)
    out.write(json.dumps(intent.as_json(), ensure_ascii=False) + "\n")
    out.flush()
