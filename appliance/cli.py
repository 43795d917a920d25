"""`appliance <command>`: the single entry point and its error boundary.

Known errors (:class:`appliance.errors.ApplianceError`) become one clear line on stderr and an exit
code; so do a full disk, a read-only disk or an I/O error met on the way (stdout included); a
traceback is shown only with ``-v``. Sub-commands live in :mod:`appliance.commands`.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import importlib
import logging
import os
import pkgutil
import sys
from collections.abc import Sequence

from appliance import __version__, commands
from appliance.errors import ApplianceError
from appliance.logs import setup_logging

log = logging.getLogger("appliance")


def build_parser() -> argparse.ArgumentParser:
    """The full parser, with every sub-command found in :mod:`appliance.commands`."""
    parser = argparse.ArgumentParser(
        prog="appliance",
        description="QFZZ: an offline personal DJ you talk to.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="debug logging and full tracebacks"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        importlib.import_module(f"{commands.__name__}.{module.name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    if not getattr(args, "manages_logging", False):
        setup_logging("debug" if args.verbose else "warning")
    try:
        code = int(args.func(args) or 0)
        sys.stdout.flush()  # here, where a full disk or a closed pipe can still be reported
        return code
    except ApplianceError as error:
        if args.verbose:
            log.exception("failed")
        print(f"appliance: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `appliance ... | head`: the reader has all it wanted
        _drop_stdout()
        return 0
    except OSError as error:
        if error.errno not in _SURROUNDINGS or args.verbose:
            raise
        # no file named: it was the output (`appliance ... > file` on a full disk)
        what = (
            f"{error.filename}: {error.strerror}"
            if error.filename
            else f"cannot write the output: {error.strerror}"
        )
        told = ApplianceError(what, hint=_SURROUNDINGS[error.errno])
        print(f"appliance: error: {told}", file=sys.stderr)
        _drop_stdout()
        return 1


# what the machine around the command can run out of or refuse: a message, not a traceback,
# and what to do about each
_SURROUNDINGS = {
    errno.ENOSPC: "free space on the disk it goes to (`df -h` shows which is full)",
    errno.EDQUOT: "your disk quota is used up: delete some of your files or ask for more",
    errno.EROFS: "the disk is read-only: write somewhere else, or remount it read-write",
    errno.EIO: "the disk failed to read or write: check it (`dmesg`); an SD card may be failing",
}


def _drop_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush of what could not be written
    does not end in a second error at exit."""
    with contextlib.suppress(OSError, ValueError):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
