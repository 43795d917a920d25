"""Logging to stderr in the journal's style.

Under systemd (``JOURNAL_STREAM`` set) each line starts with a syslog priority prefix such as
``<4>`` so journald records the level and adds its own timestamp; in a terminal each line carries a
timestamp and the level instead.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Iterator

_PRIORITY = {
    logging.CRITICAL: 2,
    logging.ERROR: 3,
    logging.WARNING: 4,
    logging.INFO: 6,
    logging.DEBUG: 7,
}


class JournalFormatter(logging.Formatter):
    """``<priority>logger: message``, the format journald parses from a service's stderr."""

    def format(self, record: logging.LogRecord) -> str:
        priority = _PRIORITY.get(record.levelno, 6)
        text = f"{record.name}: {record.getMessage()}"
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return "\n".join(f"<{priority}>{line}" for line in text.splitlines())


def setup_logging(level: str | int = "info") -> None:
    """Send the appliance's log to stderr, once, at ``level`` (a name like "info" or a number)."""
    if isinstance(level, str):
        level = logging.getLevelName(level.upper())
        if not isinstance(level, int):
            level = logging.INFO
    handler = logging.StreamHandler(sys.stderr)
    if os.environ.get("JOURNAL_STREAM"):
        handler.setFormatter(JournalFormatter())
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s", "%H:%M:%S")
        )
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)


_ALSA_HANDLER: object = None


def silence_alsa_errors() -> None:
    """Stop libasound printing its own errors to stderr.

    Probing for sound devices (mpv's and PortAudio's) makes ALSA print a screenful for every card
    that is missing; the appliance reports missing devices itself, once, in its own log.
    """
    global _ALSA_HANDLER
    if _ALSA_HANDLER is not None:
        return
    import ctypes

    try:
        asound = ctypes.CDLL("libasound.so.2")
    except OSError:
        return
    handler_type = ctypes.CFUNCTYPE(
        None, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p
    )
    _ALSA_HANDLER = handler_type(lambda *_args: None)  # kept alive: ALSA holds the pointer
    asound.snd_lib_error_set_handler(_ALSA_HANDLER)


@contextlib.contextmanager
def native_stderr_silenced() -> Iterator[None]:
    """Send whatever C libraries print to stderr to /dev/null for the block.

    Probing sound devices makes ALSA, JACK and PipeWire each print their own complaints (about
    25 lines where there is no sound card); a command that reports on devices itself, like
    `appliance doctor`, wraps its probing in this. Python's own stderr is silenced too for the
    block, so nothing that must be read may be written to it meanwhile.
    """
    silence_alsa_errors()
    sys.stderr.flush()
    saved = os.dup(2)
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 2)
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        os.close(null)
