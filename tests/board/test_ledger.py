"""The tamper-evident ledger: chained, durable, and loud about damage."""

from __future__ import annotations

import itertools
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from appliance.ledger import Ledger, LedgerCorrupt


def filled(path: Path, count: int = 4) -> Ledger:
    ledger = Ledger(path)
    for index in range(count):
        ledger.append("trust", {"user": "alex", "delta": index, "note": "café"})
    return ledger


def test_entries_chain_and_verify(tmp_path: Path) -> None:
    ledger = filled(tmp_path / "ledger.jsonl")
    entries = ledger.entries()
    assert [entry.index for entry in entries] == [0, 1, 2, 3]
    assert entries[0].prev_hash == "0" * 64
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(entries))
    assert entries[2].data == {"user": "alex", "delta": 2, "note": "café"}
    assert ledger.verify() is None
    assert Ledger(tmp_path / "empty.jsonl").verify() is None


@pytest.mark.parametrize(
    "tamper",
    ["change data", "change kind", "delete entry", "swap entries", "rehash one entry"],
)
def test_any_tampering_names_the_first_bad_entry(tmp_path: Path, tamper: str) -> None:
    path = tmp_path / "ledger.jsonl"
    filled(path)
    lines = path.read_text().splitlines(keepends=True)
    record = json.loads(lines[1])
    if tamper == "change data":
        lines[1] = lines[1].replace('"delta": 1', '"delta": 100')
    elif tamper == "change kind":
        lines[1] = lines[1].replace('"trust"', '"community"')
    elif tamper == "delete entry":
        del lines[1]
    elif tamper == "swap entries":
        lines[1], lines[2] = lines[2], lines[1]
    else:  # a forger who recomputes the entry's own hash still breaks the next link
        from appliance.ledger import LedgerEntry

        record["data"]["delta"] = 100
        record["hash"] = LedgerEntry.digest(
            1, record["timestamp"], "trust", record["data"], record["prev_hash"]
        )
        lines[1] = json.dumps(record) + "\n"
    path.write_text("".join(lines))
    assert Ledger(path).verify() == (2 if tamper == "rehash one entry" else 1)


def test_a_cut_short_last_line_is_reported_not_dropped(tmp_path: Path) -> None:
    path = tmp_path / "ledger.jsonl"
    ledger = filled(path, 3)
    with path.open("a") as stream:
        stream.write('{"index": 3, "timestamp": 1.0, "kind": "tr')  # the power went out
    assert ledger.verify() == 3
    with pytest.raises(LedgerCorrupt, match="entry 3 is cut short") as caught:
        ledger.append("trust", {"user": "sam"})
    assert caught.value.index == 3
    backup = ledger.repair()
    assert backup is not None and backup.read_bytes().endswith(b'"kind": "tr')
    assert ledger.verify() is None and len(ledger.entries()) == 3
    assert ledger.append("trust", {"user": "sam"}).index == 3
    assert ledger.repair() is None


APPENDER = """
import sys
from appliance.ledger import Ledger
ledger = Ledger(sys.argv[1])
print("ready", flush=True)
while True:
    ledger.append("community", {"event": "like", "padding": "x" * 2000})
"""


def test_kill_9_while_appending_leaves_a_verifiable_ledger(tmp_path: Path) -> None:
    path = tmp_path / "ledger.jsonl"
    child = subprocess.Popen(
        [sys.executable, "-c", APPENDER, str(path)], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None and child.stdout.readline() == "ready\n"
    deadline = time.monotonic() + 20
    while not path.exists() or path.stat().st_size < 60_000:
        assert time.monotonic() < deadline and child.poll() is None
        time.sleep(0.01)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=10)
    ledger = Ledger(path)
    broken = ledger.verify()
    count = len(path.read_bytes().splitlines())
    assert broken is None or broken == count - 1  # at most the very last line, never silently
    if broken is not None:
        ledger.repair()
    assert ledger.verify() is None and len(ledger.entries()) >= 20
