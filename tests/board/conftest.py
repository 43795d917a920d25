"""A local HTTP server for model downloads (with Range support), and model archives to serve."""

from __future__ import annotations

import hashlib
import io
import os
import tarfile
import threading
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from tests.support.http_server import serving


@dataclass
class Served:
    """One file the server offers, and how it misbehaves."""

    data: bytes
    drop_after: int | None = None  # first request: send this many bytes, then hang up
    delay: float = 0.0  # seconds between 4 KiB chunks
    ignore_range: bool = False
    no_length: bool = False  # send no Content-Length: the body ends when the connection closes
    sent: int = 0  # bytes of the body written to the socket, over every request
    pause_at: int | None = None  # first request: after this many bytes, wait for ``resume``
    resume: threading.Event = field(default_factory=threading.Event)


@dataclass
class ModelServer:
    """What the test server serves and every request it saw."""

    base: str
    files: dict[str, Served] = field(default_factory=dict)
    requests: list[tuple[str, str | None]] = field(default_factory=list)

    def add(self, path: str, data: bytes, **behaviour: object) -> str:
        self.files[path] = Served(data, **behaviour)  # type: ignore[arg-type]
        return f"{self.base}{path}"


def _handler(server: ModelServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            wanted = self.headers.get("Range")
            server.requests.append((self.path, wanted))
            served = server.files.get(self.path)
            if served is None:
                self.send_error(404)
                return
            data, start = served.data, 0
            if wanted and not served.ignore_range:
                start = int(wanted.removeprefix("bytes=").split("-")[0])
                if start >= len(data):
                    self.send_response(416)
                    self.send_header("Content-Range", f"bytes */{len(data)}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            else:
                self.send_response(200)
            body = data[start:]
            if served.no_length:
                self.send_header("Connection", "close")
                self.close_connection = True
            else:
                self.send_header("Content-Length", str(len(body)))
            if not served.ignore_range:  # a server that cannot resume does not say it can
                self.send_header("Accept-Ranges", "bytes")
            self.end_headers()
            limit = len(body)
            if served.drop_after is not None:
                limit = served.drop_after
                served.drop_after = None  # only the first request fails
            sent = 0
            try:
                while sent < limit:
                    if served.pause_at is not None and sent >= served.pause_at:
                        served.pause_at = None
                        self.wfile.flush()
                        served.resume.wait(timeout=30)
                    chunk = body[sent : min(limit, sent + 4096)]
                    self.wfile.write(chunk)
                    sent += len(chunk)
                    served.sent += len(chunk)
                    if served.delay:
                        self.wfile.flush()
                        time.sleep(served.delay)
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                return
            if limit < len(body):
                self.close_connection = True
                self.connection.shutdown(2)

    return Handler


@pytest.fixture
def model_server() -> Iterator[ModelServer]:
    """An HTTP server on 127.0.0.1 serving what the test adds; stopped after the test."""
    state = ModelServer(base="")
    with serving(_handler(state)) as base:
        state.base = base
        yield state


class Zeros(io.RawIOBase):
    """``size`` zero bytes, read as a stream (a huge archive member without the memory)."""

    def __init__(self, size: int) -> None:
        self.left = size

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        count = min(len(buffer), self.left)
        buffer[:count] = bytes(count)
        self.left -= count
        return count


MODEL_FILES = {
    "README": b"A test model.\n",
    "conf/model.conf": b"--sample-frequency=16000\n",
    "am/final.mdl": os.urandom(150_000),
    "graph/words.txt": b"\n".join(f"word{i} {i}".encode() for i in range(2000)),
}


def make_zip(top: str = "test-model", files: dict[str, bytes] | None = None) -> bytes:
    """A zip archive with every file under one top-level folder, as Vosk ships models."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{top}/", b"")
        for name, data in (files or MODEL_FILES).items():
            archive.writestr(f"{top}/{name}", data)
    return buffer.getvalue()


def make_tar(top: str = "test-model", files: dict[str, bytes] | None = None) -> bytes:
    """The same as :func:`make_zip`, as a tar.gz."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in (files or MODEL_FILES).items():
            info = tarfile.TarInfo(f"{top}/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def tar_with(entries: list[tarfile.TarInfo], top: str = "test-model") -> bytes:
    """A tar.gz holding one good file plus ``entries`` (links and other special members)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        good = tarfile.TarInfo(f"{top}/README")
        good.size = 5
        archive.addfile(good, io.BytesIO(b"good\n"))
        for info in entries:
            archive.addfile(info, io.BytesIO(b"x" * info.size) if info.size else None)
    return buffer.getvalue()


@pytest.fixture
def data_dir(isolated_env: Path) -> Path:
    isolated_env.mkdir(parents=True, exist_ok=True)
    return isolated_env


def write_catalog(
    path: Path, url: str, data: bytes, unpack: str = "zip", disk_mb: float = 1.0
) -> Path:
    """A catalog of one model, "test-model", whose one file is ``data`` served at ``url``."""
    archive = f'unpack = "{unpack}"\nstrip = "test-model"\n' if unpack else ""
    path.write_text(
        f'[model."test-model"]\nkind = "stt"\nengine = "vosk"\nlanguage = "en-us"\ntier = 1\n'
        f"ram_mb = 10\nrtf = 0.1\ndisk_mb = {disk_mb}\n"
        f'[[model."test-model".files]]\nurl = "{url}"\n'
        f'sha256 = "{hashlib.sha256(data).hexdigest()}"\n{archive}',
        encoding="utf-8",
    )
    return path
