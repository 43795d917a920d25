"""A listener's evidence stored before energy had twenty bins (eight bands "0".."7", no base
rate) is read as it would be kept now: their energy taste counts from the first pick."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from appliance.dj import PersonalizedDJ
from appliance.dj.store import Store
from appliance.dj.taste import ALL, Taste
from tests.dj.test_recommend import generated
from tests.support.tracksets import TrackSet

# an old listener: loved the most intense band, skipped the calm ones, heard some genres
OLD_ROWS = [
    ("energy", "7", 12.0, 1.0),
    ("energy", "6", 6.0, 1.0),
    ("energy", "1", 0.0, 9.0),
    ("energy", "2", 1.0, 8.0),
    ("genre", "rock", 10.0, 10.0),
    ("length", "3", 2.0, 2.0),  # keys "0".."12" of other sides are today's keys
]


def test_old_energy_bands_are_read_as_bins_and_a_base_rate() -> None:
    taste = Taste({(kind, key): (pos, neg) for kind, key, pos, neg in OLD_ROWS})
    energy = taste.by_kind["energy"]
    assert not {"7", "6", "1", "2"} & set(energy)
    assert set(energy) >= {"0.85", "0.90", "0.95", "0.10", "0.15"}  # band 1: 0.125..0.25
    # band 7 (0.875..1) covers half of bin 0.85 and bins 0.90 and 0.95 whole
    assert energy["0.85"][0] == pytest.approx(12.0 * 0.2 + 6.0 * 0.2)
    assert energy["0.95"] == pytest.approx([12.0 * 0.4, 1.0 * 0.4])
    assert sum(pos for pos, _ in energy.values()) == pytest.approx(19.0)
    assert taste.get(ALL, "") == (19.0, 19.0)  # one energy row per event: the base rate
    assert taste.get("genre", "rock") == (10.0, 10.0)
    assert taste.get("length", "3") == (2.0, 2.0)


def test_an_old_listener_gets_the_energy_they_loved_and_the_rows_stay(tmp_path: Path) -> None:
    tracks = generated()
    db = tmp_path / "dj.db"
    store = Store(db)
    store.add_taste("old", OLD_ROWS)
    store.close()
    with PersonalizedDJ(db_path=db, library=TrackSet(tracks), seed=2) as dj:  # type: ignore[arg-type]
        picks = [dj.next_track("old") for _ in range(20)]
        # a new event adds to today's keys; the stored old rows are not touched
        first = picks[0]
        assert first is not None
        dj.record_event("old", first.track_id, "completed", first.duration, first.duration)
    energies = [t.energy for t in picks if t is not None and t.energy is not None]
    library = float(np.mean([t.energy for t in tracks if t.energy is not None]))
    assert np.mean(energies) > library + 0.15, (np.mean(energies), library)
    again = Store(db)
    try:
        stored = again.taste("old")
    finally:
        again.close()
    assert stored[("energy", "7")] == (12.0, 1.0)  # as it was written
    assert ("all", "") in stored  # today's events keep their own base rate
