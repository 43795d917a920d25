"""The systemd notification protocol: READY, WATCHDOG, STOPPING and STATUS to $NOTIFY_SOCKET.

Every call is a no-op returning False when the appliance does not run under systemd (no
$NOTIFY_SOCKET), so the daemon calls them unconditionally. Abstract socket names (``@name``) are
supported. :func:`watchdog_interval` says how often the main loop must call :func:`watchdog`.
"""

from __future__ import annotations

import logging
import os
import socket

log = logging.getLogger(__name__)


def _address() -> str | None:
    address = os.environ.get("NOTIFY_SOCKET")
    if not address:
        return None
    if address.startswith("@"):
        return "\0" + address[1:]
    return address


def notify(*states: str) -> bool:
    """Send ``states`` ("READY=1", "STATUS=...") in one datagram; False when nobody listens."""
    address = _address()
    if address is None or not states:
        return False
    message = "\n".join(states).encode("utf-8")
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.connect(address)
            sock.sendall(message)
    except OSError as error:
        log.warning("cannot notify systemd at %s: %s", os.environ.get("NOTIFY_SOCKET"), error)
        return False
    return True


def ready(status: str | None = None) -> bool:
    """Tell systemd the service is up (models loaded, audio open)."""
    return notify("READY=1", *([f"STATUS={status}"] if status else []))


def watchdog() -> bool:
    """Tell systemd the service is alive; call every :func:`watchdog_interval` seconds."""
    return notify("WATCHDOG=1")


def stopping(status: str | None = None) -> bool:
    """Tell systemd the service is shutting down."""
    return notify("STOPPING=1", *([f"STATUS={status}"] if status else []))


def status(text: str) -> bool:
    """A one-line status `systemctl status` shows."""
    return notify(f"STATUS={text}")


def watchdog_interval() -> float | None:
    """Seconds between watchdog pings: half of $WATCHDOG_USEC; None when no watchdog is set.

    The watchdog is for this process only when $WATCHDOG_PID is unset or names this process.
    """
    usec = os.environ.get("WATCHDOG_USEC")
    if not usec:
        return None
    pid = os.environ.get("WATCHDOG_PID")
    if pid and pid.strip() != str(os.getpid()):
        return None
    try:
        value = int(usec)
    except ValueError:
        return None
    return value / 2_000_000 if value > 0 else None
