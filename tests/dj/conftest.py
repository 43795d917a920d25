"""The understanding most tests of tests/dj parse with: one per module, knowing the names of the
library every corpus line assumes (a module that needs another defines its own fixture)."""

from __future__ import annotations

import pytest

from appliance.dj.understand import Understanding
from tests.dj.test_understand import LIBRARY


@pytest.fixture(scope="module")
def understanding() -> Understanding:
    return Understanding(vocabulary=LIBRARY)
