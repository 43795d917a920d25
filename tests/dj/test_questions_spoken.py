"""Questions about what plays and asking after the DJ, said in more of people's words: "how are
you" followed by a clause about the one asking ("how are you doing because i'm not great"), while
"how are you" said of more than how the DJ is still asks someone in the room."""

from __future__ import annotations

import pytest

from appliance.dj.understand import Understanding
from tests.dj.test_understand import LIBRARY


@pytest.fixture(scope="module")
def understanding() -> Understanding:
    return Understanding(vocabulary=LIBRARY)


@pytest.mark.parametrize(
    "text",
    [
        "how are you doing because i'm not great",
        "how are you doing because i'm a nervous wreck",
        "How are you? Because I'm brilliant.",
        "How are you? I haven't slept.",
        "how are you today while i do corrections",
        "how you doing dj i'm not great",
        "How are you holding up? I'm terrified.",
    ],
)
def test_how_are_you_then_about_oneself(understanding: Understanding, text: str) -> None:
    assert understanding.parse(text).name == "how_are_you"


@pytest.mark.parametrize(
    "text",
    [
        "how are you getting home tonight",
        "how are you getting on with your homework",
        "how are you going to pay for that",
        "how are you today with your knee",
    ],
)
def test_how_are_you_of_someone_else_stays_unknown(understanding: Understanding, text: str) -> None:
    assert understanding.parse(text).name == "unknown"
