"""A Wyoming server (speech recognition or a voice on another machine): where it is, whether it
answers, and one connection to it with timeouts.

Wyoming is the protocol Home Assistant's voice stack speaks: each message is a JSON line, then
optional JSON data and an optional binary payload (audio). A setting names a server as
``tcp://host:port`` (10300 is speech-to-text's usual port, 10200 text-to-speech's), or as
``wyoming``: the first server announced on the network by zeroconf (``_wyoming._tcp``) that
offers the service. Nothing is sent anywhere else.

A server on a home machine comes and goes (it reboots, it sleeps): :class:`Link` remembers
whether it answered, says so once in the log when that changes, and while it is away tries it
again now and then in a thread of its own, so a command never waits on a server that is known
to be down.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import logging
import re
import socket
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

log = logging.getLogger("appliance.wyoming")

DISCOVER = "wyoming"
"""The setting that finds a server by zeroconf instead of naming it."""
SERVICE_TYPE = "_wyoming._tcp.local."
USUAL_PORTS = {"stt": 10300, "tts": 10200}
SERVICES = {"stt": "asr", "tts": "tts"}
"""Each kind of model, and the part of a server's `describe` answer that offers it."""

CONNECT_TIMEOUT = 1.0
"""Seconds to open a connection: a home server on the LAN answers in milliseconds; one that is
switched off leaves the connection hanging (no refusal comes), so this is what finding out costs."""
PROBE_TIMEOUT = 3.0
"""Seconds a try of the server may take for its `describe` answer: a server busy decoding (or
loading its model) answers late; tries run in the background, except the first, at start-up."""
DISCOVER_TIMEOUT = 3.0
"""Seconds to listen for zeroconf announcements (servers answer a query within one second)."""
RETRY_EVERY = 30.0
"""Seconds between tries of a server that went away."""

MAX_HEADER = 64 * 1024
MAX_DATA = 4 * 2**20
"""A describe answer lists every voice a Piper server knows: about 200 KB; more is not a server."""
MAX_PAYLOAD = 2 * 2**20
"""One message's audio: a server sends chunks of a few KB; 2 MB is a minute of 16 kHz speech."""


class WyomingError(Exception):
    """The server could not be reached, went away, was too slow, or did not speak Wyoming."""


@dataclass(frozen=True)
class Address:
    """A server's host and TCP port."""

    host: str
    port: int

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"tcp://{host}:{self.port}"


_HOSTNAME = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                       r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$")  # fmt: skip
ADDRESS_FORMS = "tcp://HOST:PORT (such as tcp://192.168.1.20:10300), or wyoming (found by zeroconf)"


def is_remote(setting: str) -> bool:
    """Does this [models] value name a Wyoming server (rather than auto or a catalog model)?"""
    text = setting.strip().lower()
    return text == DISCOVER or text.startswith("tcp://")


def parse_address(text: str) -> Address:
    """``tcp://host:port`` as an :class:`Address`; ValueError saying what is wrong."""
    match = re.fullmatch(r"tcp://(\[[^\]]*\]|[^:/\[\]]*)(?::([^/]*))?/?", text.strip(), re.I)
    if match is None:
        raise ValueError(f"{text!r} is not a server address")
    host, port_text = match.group(1), match.group(2)
    if host.startswith("["):
        host = host[1:-1]
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise ValueError(f"{text!r}: {host!r} is not an IPv6 address") from None
    elif not host:
        raise ValueError(f"{text!r} names no host")
    elif not _HOSTNAME.match(host):
        raise ValueError(f"{text!r}: {host!r} is not a host name or IPv4 address")
    if not port_text:
        raise ValueError(f"{text!r} names no port (10300 for speech-to-text, 10200 for a voice)")
    if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        raise ValueError(f"{text!r}: the port must be a number from 1 to 65535")
    return Address(host, int(port_text))


# -- messages ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    """One Wyoming message: its type, its data and its payload (audio)."""

    type: str
    data: dict[str, Any]
    payload: bytes = b""


class Connection:
    """One TCP connection to a server; every read and write has a deadline."""

    def __init__(self, sock: socket.socket, address: Address) -> None:
        self.address = address
        self._sock = sock
        self._buffer = bytearray()

    @classmethod
    def open(cls, address: Address, timeout: float = CONNECT_TIMEOUT) -> Connection:
        try:
            sock = socket.create_connection((address.host, address.port), timeout=timeout)
        except OSError as error:
            raise WyomingError(f"cannot connect to {address}: {_reason(error)}") from error
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return cls(sock, address)

    def send(self, kind: str, data: dict[str, Any] | None = None, payload: bytes = b"",
             timeout: float = CONNECT_TIMEOUT) -> None:  # fmt: skip
        """Send one message (within ``timeout`` seconds: a server that stops reading fails)."""
        header: dict[str, Any] = {"type": kind, "version": "1.0.0"}
        body = json.dumps(data, ensure_ascii=False).encode() if data else b""
        if body:
            header["data_length"] = len(body)
        if payload:
            header["payload_length"] = len(payload)
        frame = json.dumps(header).encode() + b"\n" + body + payload
        try:
            self._sock.settimeout(timeout)
            self._sock.sendall(frame)
        except OSError as error:
            raise WyomingError(f"{self.address} went away: {_reason(error)}") from error

    def receive(self, deadline: float) -> Message:
        """The next message, by ``deadline`` (time.monotonic()); WyomingError if none comes."""
        line = self._read_line(deadline)
        try:
            header = json.loads(line)
            kind = header["type"]
            data = header.get("data") or {}
            data_length = int(header.get("data_length") or 0)
            payload_length = int(header.get("payload_length") or 0)
            if not isinstance(kind, str) or not isinstance(data, dict):
                raise ValueError("no type")
        except (ValueError, KeyError, TypeError, OverflowError) as error:
            raise WyomingError(f"{self.address} does not speak Wyoming ({error})") from None
        if not 0 <= data_length <= MAX_DATA or not 0 <= payload_length <= MAX_PAYLOAD:
            raise WyomingError(f"{self.address} sent a message too large to be Wyoming's")
        if data_length:
            try:
                extra = json.loads(self._read_exactly(data_length, deadline))
            except ValueError:
                raise WyomingError(f"{self.address} sent data that is not JSON") from None
            if not isinstance(extra, dict):
                raise WyomingError(f"{self.address} sent data that is not a JSON object")
            data = {**data, **extra}
        payload = self._read_exactly(payload_length, deadline) if payload_length else b""
        return Message(kind, data, payload)

    def _read_line(self, deadline: float) -> bytes:
        while True:
            end = self._buffer.find(b"\n")
            if end >= 0:
                line = bytes(self._buffer[:end])
                del self._buffer[: end + 1]
                return line
            if len(self._buffer) > MAX_HEADER:
                raise WyomingError(f"{self.address} sent a header line too long to be Wyoming's")
            self._fill(deadline)

    def _read_exactly(self, size: int, deadline: float) -> bytes:
        while len(self._buffer) < size:
            self._fill(deadline)
        out = bytes(self._buffer[:size])
        del self._buffer[:size]
        return out

    def _fill(self, deadline: float) -> None:
        left = deadline - time.monotonic()
        if left <= 0:
            raise WyomingError(f"{self.address} did not answer in time")
        try:
            self._sock.settimeout(left)
            chunk = self._sock.recv(65536)
        except TimeoutError:
            raise WyomingError(f"{self.address} did not answer in time") from None
        except OSError as error:
            raise WyomingError(f"{self.address} went away: {_reason(error)}") from error
        if not chunk:
            raise WyomingError(f"{self.address} closed the connection")
        self._buffer += chunk

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._sock.close()

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _reason(error: OSError) -> str:
    if isinstance(error, TimeoutError):
        return "no answer in time"
    return error.strerror or str(error) or type(error).__name__


def describe(
    address: Address, timeout: float = CONNECT_TIMEOUT, connect_timeout: float = CONNECT_TIMEOUT
) -> dict[str, Any]:
    """The server's `info` answer (what it offers: asr, tts, ...), within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    with Connection.open(address, min(timeout, connect_timeout)) as connection:
        connection.send("describe", timeout=timeout)
        while True:
            message = connection.receive(deadline)
            if message.type == "info":
                return message.data


def offers(info: dict[str, Any], kind: str) -> str | None:
    """What the server offers for ``kind`` ("stt"/"tts"), as "program (model)"; None: nothing."""
    for program in info.get(SERVICES[kind]) or ():
        if not isinstance(program, dict) or program.get("installed") is False:
            continue
        items = program.get("models") if kind == "stt" else program.get("voices")
        names = [
            str(item.get("name"))
            for item in items or ()
            if isinstance(item, dict) and item.get("installed", True)
        ]
        name = str(program.get("name") or "unnamed")
        if kind == "stt" and names:
            return f"{name} ({names[0].rstrip('/').rsplit('/', 1)[-1]})"
        if kind == "tts" and names:
            return f"{name} ({len(names)} voices)" if len(names) > 1 else f"{name} ({names[0]})"
        return name
    return None


def discover(
    kind: str,
    timeout: float = DISCOVER_TIMEOUT,
    interfaces: Sequence[str] | None = None,
) -> Address | None:
    """The first server announced by zeroconf that offers ``kind``; None when none answers.

    ``interfaces``: the addresses to listen on (None: every interface)."""
    from zeroconf import InterfaceChoice, ServiceBrowser, ServiceStateChange, Zeroconf

    found: list[str] = []
    arrived = threading.Event()

    def changed(zeroconf: Zeroconf, service_type: str, name: str, state_change: Any) -> None:
        if state_change is ServiceStateChange.Added:
            found.append(name)
            arrived.set()

    try:
        zc = Zeroconf(interfaces=list(interfaces) if interfaces else InterfaceChoice.All)
    except Exception as error:  # no network, or none this process may use (OSError and zeroconf's)
        raise WyomingError(f"zeroconf cannot look for a Wyoming server here ({error})") from error
    browser = ServiceBrowser(zc, SERVICE_TYPE, handlers=[changed])
    try:
        deadline = time.monotonic() + timeout
        tried: set[str] = set()
        while (left := deadline - time.monotonic()) > 0:
            arrived.wait(min(left, 0.1))
            arrived.clear()
            for name in [n for n in found if n not in tried]:
                tried.add(name)
                info = zc.get_service_info(SERVICE_TYPE, name, timeout=int(max(left, 0.1) * 1000))
                if info is None or not info.port:
                    continue
                for host in info.parsed_addresses():
                    address = Address(host, int(info.port))
                    try:
                        if offers(describe(address), kind):
                            return address
                    except WyomingError:
                        continue
    finally:
        browser.cancel()
        zc.close()
    return None


# -- the server's health -------------------------------------------------------------------------


class Link:
    """A server named by a setting: its address (found again by zeroconf when it moved), whether
    it answers, and the tries of it while it does not.

    ``usable()`` is what a command asks: True while the server answered last time. ``failed()``
    says it did not; the next try is :data:`RETRY_EVERY` seconds on, in a thread of its own.
    """

    def __init__(
        self,
        setting: str,
        kind: str,
        *,
        retry_every: float = RETRY_EVERY,
        connect_timeout: float = CONNECT_TIMEOUT,
        probe_timeout: float = PROBE_TIMEOUT,
        discover_timeout: float = DISCOVER_TIMEOUT,
        interfaces: Sequence[str] | None = None,
        finder: Callable[[], Address | None] | None = None,
    ) -> None:
        """``setting``: ``tcp://host:port`` or ``wyoming``; ``kind``: "stt" or "tts".
        ``interfaces``: where zeroconf listens (None: everywhere). Checks the server now."""
        self.setting = setting.strip()
        self.kind = kind
        self.retry_every = retry_every
        self.connect_timeout = connect_timeout
        self.probe_timeout = probe_timeout
        self._discovering = self.setting.lower() == DISCOVER
        self.address: Address | None = None if self._discovering else parse_address(setting)
        self._find = finder or (lambda: discover(kind, discover_timeout, interfaces))
        self.offered = ""
        self.last_problem = ""
        self._lock = threading.Lock()
        self._up = False
        self._said_down = False
        self._next_try = 0.0
        self._probe: threading.Thread | None = None
        self.probe()

    @property
    def where(self) -> str:
        if self.address is not None:
            return str(self.address)
        return "a Wyoming server found by zeroconf"

    def usable(self) -> bool:
        """True while the server answers; when it did not, a try in the background once due."""
        with self._lock:
            if self._up:
                return True
            due = time.monotonic() >= self._next_try
            busy = self._probe is not None and self._probe.is_alive()
            if due and not busy:
                self._next_try = time.monotonic() + self.retry_every
                self._probe = threading.Thread(
                    target=self.probe, name=f"wyoming-{self.kind}-probe", daemon=True
                )
                self._probe.start()
        return False

    def probe(self) -> bool:
        """Ask the server what it offers (finding it first when discovered); True if it answers."""
        try:
            if self._discovering:
                try:
                    found = self._find()
                except WyomingError:
                    raise
                except Exception as error:  # zeroconf's own, from a network that changed under it
                    raise WyomingError(f"zeroconf failed ({error})") from error
                if found is None:
                    raise WyomingError("no Wyoming server answered on the network (zeroconf)")
                self.address = found
            assert self.address is not None
            info = describe(self.address, self.probe_timeout, self.connect_timeout)
            offered = offers(info, self.kind)
            if offered is None:
                raise WyomingError(f"{self.address} offers no {SERVICES[self.kind]} service")
        except WyomingError as error:
            self.failed(str(error))
            return False
        with self._lock:
            was_down, self._up, self._said_down = self._said_down, True, False
            self.offered = offered
        if was_down:
            log.info("%s: the Wyoming server at %s answers again (%s)", self.kind,
                     self.address, offered)  # fmt: skip
        else:
            log.info("%s: the Wyoming server at %s (%s)", self.kind, self.address, offered)
        return True

    def connect(self) -> Connection:
        """A connection to the server (WyomingError when it cannot be reached: call failed())."""
        address = self.address
        if address is None:
            raise WyomingError("no Wyoming server found yet")
        return Connection.open(address, self.connect_timeout)

    def failed(self, reason: str) -> None:
        """The server did not answer: say so once, use the local engine until a try succeeds."""
        with self._lock:
            self._up = False
            self.last_problem = reason
            self._next_try = time.monotonic() + self.retry_every
            said, self._said_down = self._said_down, True
        if not said:
            log.warning(
                "%s: %s; the local engine answers meanwhile, and the server is tried again "
                "every %g s", self.kind, reason, self.retry_every,
            )  # fmt: skip

    def wait_probe(self, timeout: float) -> None:
        """Wait for a try under way (tests, and a clean stop)."""
        probe = self._probe
        if probe is not None:
            probe.join(timeout)
