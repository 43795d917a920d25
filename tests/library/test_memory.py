"""A scan's memory does not grow with the pictures in the tags (a 60 MB cover cost 200 MB)."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

import mutagen
import pytest
from mutagen.flac import FLAC, Picture
from mutagen.id3 import APIC, ID3
from mutagen.mp4 import MP4, MP4Cover

from tests.library.conftest import Samples

_SCAN = """
import sys
from appliance.library import Library
with Library(None) as library:
    report = library.scan([sys.argv[1]], progress=False)
    (track,) = library.tracks()
    print(report.added, len(report.errors), track.title, track.artist)
# the peak of this program (ru_maxrss would include the parent's size before exec)
status = open("/proc/self/status").read()
print(int(status.split("VmHWM:")[1].split()[0]) // 1024)
"""


def scan_in_child(folder: Path) -> tuple[str, int]:
    """What a scan of ``folder`` in a fresh process found, and its peak RSS in MB."""
    done = subprocess.run(
        [sys.executable, "-c", _SCAN, str(folder)], capture_output=True, text=True,
        timeout=120, check=True,
    )  # fmt: skip
    found, peak = done.stdout.strip().splitlines()
    return found, int(peak)


def add_picture(path: Path, size: int) -> None:
    data = os.urandom(size)
    if path.suffix == ".mp3":
        tags = ID3(path)
        tags.add(APIC(encoding=3, mime="image/jpeg", type=3, desc="front", data=data))
        tags.save(path)
    elif path.suffix in (".ogg", ".opus"):  # base64 in a comment, as the players write it
        audio = mutagen.File(path)
        picture = Picture()
        picture.type, picture.mime, picture.data = 3, "image/jpeg", data
        audio["metadata_block_picture"] = [base64.b64encode(picture.write()).decode("ascii")]
        audio.save()
    elif path.suffix == ".m4a":
        audio = MP4(path)
        audio["covr"] = [MP4Cover(data, imageformat=MP4Cover.FORMAT_JPEG)]
        audio.save()
    else:  # a FLAC block holds at most 16 MB: four pictures
        audio = FLAC(path)
        quarter = size // 4
        for start in range(0, size, quarter):
            picture = Picture()
            picture.type, picture.mime, picture.data = (
                3,
                "image/jpeg",
                data[start : start + quarter],
            )
            audio.add_picture(picture)
        audio.save()


# Tags over 1 MB (lean.LARGE_TAG) are read without their pictures: 16 MB covers show it (read
# whole they cost two to five times their size, over the margin) in seconds, not minutes.
@pytest.mark.parametrize(
    ("fmt", "megabytes"), [("mp3", 16), ("flac", 24), ("m4a", 16), ("ogg", 6), ("opus", 6)]
)
def test_a_huge_cover_does_not_raise_scan_memory(
    fmt: str, megabytes: int, samples: Samples, tmp_path: Path
) -> None:
    plain = samples.copy(samples.tagged(fmt), tmp_path / "plain" / f"song.{fmt}")
    covered = samples.copy(samples.tagged(fmt), tmp_path / "covered" / f"song.{fmt}")
    add_picture(covered, megabytes * 1024 * 1024)
    assert covered.stat().st_size > megabytes * 1024 * 1024
    found, baseline = scan_in_child(plain.parent)
    found_covered, peak = scan_in_child(covered.parent)
    assert found_covered == found == f"1 0 Tagged {fmt.upper()} The Testers"  # tags still read
    assert peak - baseline < 20, f"a scan took {peak} MB with the cover, {baseline} MB without"
