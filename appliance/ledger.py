"""A tamper-evident log of community and trust events, kept on the device.

One JSON object per line, each carrying the hash of the line before it (a hash chain; no network,
no mining). Changing, removing or reordering any entry breaks the chain from that entry on, and
:meth:`Ledger.verify` names the first broken one. Every append is fsynced; a last line cut short
by a power cut is reported by :meth:`Ledger.verify` and refused by :meth:`Ledger.append` (never
silently dropped): :meth:`Ledger.repair` moves it aside, keeping a copy, when a person decides to.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from appliance.atomic import fsync_folder, write_atomically
from appliance.errors import StoreError

GENESIS = "0" * 64


@dataclass(frozen=True)
class LedgerEntry:
    """One event in the chain."""

    index: int
    timestamp: float
    kind: str
    data: dict[str, Any]
    prev_hash: str
    hash: str

    @staticmethod
    def digest(index: int, timestamp: float, kind: str, data: dict[str, Any], prev: str) -> str:
        """The hash that seals an entry's contents to the entry before it."""
        body = json.dumps(
            {"index": index, "timestamp": timestamp, "kind": kind, "data": data, "prev": prev},
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        )
        return hashlib.sha256(body.encode("utf-8")).hexdigest()

    def to_line(self) -> str:
        return (
            json.dumps(
                {
                    "index": self.index,
                    "timestamp": self.timestamp,
                    "kind": self.kind,
                    "data": self.data,
                    "prev_hash": self.prev_hash,
                    "hash": self.hash,
                },
                sort_keys=True,
                ensure_ascii=False,
            )
            + "\n"
        )


class LedgerCorrupt(StoreError):
    """The ledger file is damaged; ``index`` is the first entry that cannot be trusted."""

    def __init__(self, path: Path, index: int, reason: str) -> None:
        super().__init__(
            f"{path}: ledger entry {index} {reason}",
            hint="the appliance never rewrites the ledger; inspect it, or move it aside",
        )
        self.index = index


class Ledger:
    """An append-only, hash-chained event log in one file."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        # (entries, last hash, file size) after the last read or write: appending does not
        # re-read the whole log while nothing else has touched the file
        self._tail: tuple[int, str, int] | None = None

    def _lines(self) -> Iterator[tuple[int, bytes, bool]]:
        """(index, raw line, complete) for every line of the file."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return
        for index, line in enumerate(data.splitlines(keepends=True)):
            yield index, line, line.endswith(b"\n")

    def _parse(self, index: int, line: bytes, complete: bool) -> LedgerEntry:
        if not complete:
            raise LedgerCorrupt(self.path, index, "is cut short (an interrupted write)")
        try:
            raw = json.loads(line)
            entry = LedgerEntry(
                index=raw["index"],
                timestamp=raw["timestamp"],
                kind=raw["kind"],
                data=raw["data"],
                prev_hash=raw["prev_hash"],
                hash=raw["hash"],
            )
        except (ValueError, KeyError, TypeError) as error:
            raise LedgerCorrupt(self.path, index, f"is not a ledger entry ({error})") from error
        return entry

    def entries(self) -> list[LedgerEntry]:
        """Every entry, oldest first (LedgerCorrupt on a line that cannot be read)."""
        return [self._parse(*line) for line in self._lines()]

    def verify(self) -> int | None:
        """None when the chain is intact; else the index of the first tampered or broken entry."""
        prev = GENESIS
        for index, line, complete in self._lines():
            try:
                entry = self._parse(index, line, complete)
            except LedgerCorrupt:
                return index
            expected = LedgerEntry.digest(index, entry.timestamp, entry.kind, entry.data, prev)
            if entry.index != index or entry.prev_hash != prev or entry.hash != expected:
                return index
            prev = entry.hash
        return None

    def append(self, kind: str, data: dict[str, Any]) -> LedgerEntry:
        """Add an event; it is on disk (fsynced) when this returns."""
        if not kind:
            raise ValueError("a ledger entry needs a kind")
        with self._lock:
            size = self.path.stat().st_size if self.path.exists() else 0
            if self._tail is not None and self._tail[2] == size:
                count, prev, _ = self._tail
            else:
                last: LedgerEntry | None = None
                count = 0
                for index, line, complete in self._lines():
                    last = self._parse(index, line, complete)
                    count = index + 1
                prev = last.hash if last else GENESIS
            timestamp = round(time.time(), 6)
            clean = json.loads(json.dumps(data, ensure_ascii=False))
            entry = LedgerEntry(
                count,
                timestamp,
                kind,
                clean,
                prev,
                LedgerEntry.digest(count, timestamp, kind, clean, prev),
            )
            self.path.parent.mkdir(parents=True, exist_ok=True)
            created = not self.path.exists()
            rest = memoryview(entry.to_line().encode("utf-8"))
            descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                while rest:  # unbuffered: nothing is left to be flushed after a failure
                    rest = rest[os.write(descriptor, rest) :]
                os.fsync(descriptor)
            except OSError:
                # a full disk took part of the line: cut it off again, or every later append
                # would refuse the log as damaged
                with suppress(OSError):
                    os.ftruncate(descriptor, size)
                raise
            finally:
                os.close(descriptor)
            self._tail = (count + 1, entry.hash, self.path.stat().st_size)
            if created:
                fsync_folder(self.path.parent)
            return entry

    def repair(self) -> Path | None:
        """Cut a last line left incomplete by a power cut, keeping a copy; the copy's path.

        Only an incomplete *last* line is cut; any other damage is left for a person to inspect.
        """
        lines = list(self._lines())
        if not lines or lines[-1][2]:
            return None
        kept = b"".join(line for _, line, _ in lines[:-1])
        backup = self.path.with_name(f"{self.path.name}.{time.strftime('%Y%m%d-%H%M%S')}.damaged")
        write_atomically(backup, self.path.read_bytes())
        write_atomically(self.path, kept)
        self._tail = None
        return backup
