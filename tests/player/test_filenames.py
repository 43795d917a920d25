"""mpv opens a file whose name is not UTF-8 byte for byte, alone and queued gaplessly."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from appliance.library import Library
from appliance.library.track import Track
from appliance.player import Player
from tests.player.conftest import EventLog

NAMES = [b"x\xe9y.ogg", b"\xed\xa0\x80 dir/\xff.flac", b"new\nline\x1b.mp3"]


@pytest.mark.parametrize("name", NAMES)
def test_mpv_plays_a_file_named_in_any_bytes(
    name: bytes, fast_player: Player, events: EventLog, music: dict[str, Track], tmp_path: Path
) -> None:
    source = {"ogg": "one", "flac": "two", "mp3": "three"}[name.rsplit(b".", 1)[1].decode()]
    target = os.fsencode(tmp_path) + b"/" + name
    os.makedirs(os.path.dirname(target), exist_ok=True)
    shutil.copyfile(music[source].path, target)
    with Library(None) as library:  # the path as the index hands it to the player
        library.scan([tmp_path], progress=False)
        (track,) = library.tracks()
    assert os.fsencode(track.path) == target
    fast_player.play(track)
    fast_player.enqueue(music["one"])  # queued gaplessly behind it
    ended = events.wait(lambda e: getattr(e, "track", None) == track and hasattr(e, "reason"))
    assert (ended.reason, ended.error) == ("eof", None)  # type: ignore[attr-defined]
    assert ended.position == pytest.approx(1.0, abs=0.1)  # type: ignore[attr-defined]
    assert events.ended("one").reason == "eof"


def test_a_bad_name_queued_gaplessly_plays_too(
    fast_player: Player, events: EventLog, music: dict[str, Track], tmp_path: Path
) -> None:
    target = os.fsencode(tmp_path) + b"/caf\xe9.ogg"
    shutil.copyfile(music["one"].path, target)
    queued = Track(track_id="cafe", path=os.fsdecode(target), title="cafe", artist="", duration=1)
    fast_player.play(music["two"])
    fast_player.enqueue(queued)
    assert events.ended("cafe").reason == "eof"
    assert events.started("cafe").track.path == os.fsdecode(target)
