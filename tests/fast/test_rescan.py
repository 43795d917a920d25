"""A library re-scan asked by a face (the Rescan command): it runs on a thread of its own, one
at a time, tells its progress on the event stream, and the new names reach the recogniser."""

from __future__ import annotations

import shutil
from pathlib import Path

from appliance import control as c
from appliance.bus import Notice
from appliance.config import parse_config
from appliance.station import QFZZStation, StationConfig
from tests.fakes import FakeParts
from tests.support import music
from tests.support.waiting import wait_until


def test_a_rescan_finds_new_music_tells_its_progress_and_runs_once_at_a_time(
    short_music: Path, fakes: FakeParts, isolated_env: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "music"
    shutil.copytree(short_music / "Jazz Artist 0", folder / "Jazz Artist 0")
    shutil.copytree(short_music / "Rock Artist 0", folder / "Rock Artist 0")
    settings = parse_config(f'[library]\nmusic_folders = ["{folder}"]\n')
    config = StationConfig.from_settings(
        settings, listen="microphone", data_dir=isolated_env, parts=fakes.parts()
    )
    station = QFZZStation(config)
    station.start()
    try:
        library = station.library
        assert library is not None
        wait_until(lambda: len(library.tracks()) == 2, timeout=10, what="the first scan")
        wait_until(lambda: not station._scanner or not station._scanner.is_alive(), timeout=10)
        music.make_track(
            folder / "Zed Quartet" / "Blue Hour.flac",
            seconds=1.0,
            freq=523.0,
            title="Blue Hour",
            artist="Zed Quartet",
            genre="Jazz",
        )
        (folder / "Rock Artist 0" / "Rock 0.flac").unlink()
        with station.events.subscribe() as subscription:
            with library._scanning:  # the first scan waits here: it is surely still running
                first = station.execute(c.Rescan(source="web"))
                assert first.ok, first
                second = station.execute(c.Rescan(source="web"))
                assert not second.ok and "already" in second.error
            notices = []
            while (event := subscription.get(timeout=10)) is not None:
                if isinstance(event, Notice) and event.kind == "library-scan":
                    notices.append(event.detail)
                    if event.detail.get("done"):
                        break
        assert notices and notices[-1]["done"] is True, notices
        last = notices[-1]
        assert (last["seen"], last["added"], last["removed"]) == (2, 1, 1), notices
        assert len(notices) >= 2  # what the walk found, then the end
        assert [t.artist for t in library.tracks()].count("Zed Quartet") == 1
        # the scan's thread ends just after its last notice: then the next one may run
        wait_until(lambda: not station._scanner or not station._scanner.is_alive(), timeout=10)
        assert station.execute(c.Rescan(source="web")).ok

        def learned() -> bool:
            return any(
                "zed" in " ".join(v.phrases + v.words).lower()
                or (v.grammar is not None and "zed" in v.grammar.words())
                for v in fakes.recognizer.vocabularies
            )

        wait_until(learned, timeout=15, what="the new artist in the recogniser's vocabulary")
    finally:
        station.stop()
