"""A request made while the first scan of a large library has not reached a track yet is told
to wait, not that the library is empty (the advice "add some music" would be wrong)."""

from __future__ import annotations

import re
import threading
from pathlib import Path

from appliance.dj import PersonalizedDJ
from appliance.dj.reply import PlayTrack
from appliance.library import Library
from appliance.library.scan import ScanReport
from tests.support.music import make_track


def test_a_request_during_the_first_scan_is_asked_to_wait(tmp_path: Path) -> None:
    music = tmp_path / "music"
    for number in range(2):
        make_track(
            music / f"jazz{number}.flac",
            seconds=1.0,
            freq=300 + 50 * number,
            noise=0.01,
            artist="Quartet",
            title=f"Blue {number}",
            genre="Jazz",
            bpm=90,
        )
    library = Library(tmp_path / "library.db")
    walked, go_on = threading.Event(), threading.Event()

    def hold(_seen: int, report: ScanReport) -> None:
        if not walked.is_set():  # after the walk, before any track is stored
            walked.set()
            go_on.wait(30)

    scan = threading.Thread(target=library.scan, args=([music],), kwargs={"on_progress": hold})
    scan.start()
    dj = PersonalizedDJ(library=library, seed=3)
    try:
        assert walked.wait(30)
        assert library.scanning and not library.tracks()
        waiting = dj.respond("ana", "play some jazz")
        assert not waiting.actions and "empty" not in waiting.text, waiting
        assert re.search(r"still (reading|going through|working through)", waiting.text), waiting
        go_on.set()
        scan.join(30)
        assert not library.scanning
        playing = dj.respond("ana", "play some jazz")
        assert any(isinstance(action, PlayTrack) for action in playing.actions), playing
    finally:
        go_on.set()
        scan.join(30)
        dj.close()
        library.close()
