"""The understanding the daemon builds at start is counted by the board plans, and the catalog's
figure for it is no less than what building it really takes."""

from __future__ import annotations

import copy
from dataclasses import replace
from pathlib import Path

from appliance.boards import get_profile
from appliance.models.catalog import Catalog, load_catalog
from appliance.models.plan import plan_models
from tests.support.understanding_memory import probe

OVERSTATED_MB = 15.0
"""How far above the measured growth the catalog's figure may be (a start that reads kept
weights grows about 5 MB less than one that fits them, and a test run has measured 3 MB more
than the benchmark; more would cost a small board a model)."""


def with_understanding(steady: float, peak: float) -> Catalog:
    catalog = copy.copy(load_catalog())
    catalog.reference = replace(
        catalog.reference, understanding_mb=steady, understanding_peak_mb=peak
    )
    return catalog


def test_the_plan_counts_the_understanding_in_its_total_and_peak() -> None:
    board = get_profile("rpi-4-8gb")  # room for the best models either way
    without = plan_models(board, catalog=with_understanding(0.0, 0.0))
    counted = plan_models(board, catalog=with_understanding(60.0, 75.0))
    assert counted.models == without.models
    assert counted.total_ram_mb == round(without.total_ram_mb + 60.0, 1)
    assert counted.headroom_mb == round(without.headroom_mb - 60.0, 1)
    # the fit on its own thread may meet the voice's peak: both are counted
    assert counted.peak_ram_mb == round(without.peak_ram_mb + 60.0 + 15.0, 1)
    assert counted.to_dict()["understanding_mb"] == 60.0
    building = plan_models(board, catalog=with_understanding(60.0, 9000.0))  # past the budget
    speaking = without.peak_ram_mb - without.total_ram_mb
    assert building.peak_ram_mb == round(building.total_ram_mb + speaking + 8940.0, 1)
    assert any("while the understanding is built" in note for note in building.notes)
    squeezed = plan_models(get_profile("rpi-4-1gb"), catalog=with_understanding(390.0, 390.0))
    roomy = plan_models(get_profile("rpi-4-1gb"), catalog=with_understanding(0.0, 0.0))
    assert squeezed.fits and squeezed.by_kind()["stt"].name != roomy.by_kind()["stt"].name


def test_the_catalog_counts_no_less_than_the_understanding_takes(isolated_env: Path) -> None:
    """One process builds it, reading the session's kept classifier (or fitting it and keeping
    it for the tests after): its growth over its imports, at the end and at most."""
    figures = probe("build", isolated_env)
    reference = load_catalog().reference
    grown = figures["rss"] - figures["imports"]
    highest = figures["peak"] - figures["imports"]
    assert reference.understanding_mb - OVERSTATED_MB <= grown <= reference.understanding_mb, (
        f"the understanding grew a process by {grown:.1f} MB; the catalog says "
        f"{reference.understanding_mb:g} (models/catalog.toml: measure it again with "
        "tests/benchmarks/bench_understand.py)"
    )
    assert highest <= reference.understanding_peak_mb
