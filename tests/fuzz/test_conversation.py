"""Any conversation, in any order: no sentence the DJ says (answers, greetings, commentary between
tracks) comes back within 20 answers. Hypothesis picks the turns; a few conversations in
`make test`, many in `make fuzz`."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from appliance.dj import PersonalizedDJ
from appliance.library import Library
from tests.dj.test_talk import library  # noqa: F401  (the talk tests' small library fixture)
from tests.dj.test_talk_never_again import TURNS, repeated
from tests.fuzz.conftest import fuzz_rounds

pytestmark = pytest.mark.fuzz

GREET, COMMENT = "<greeting>", "<commentary>"
"""Not said by the listener: a greeting from a face, or the DJ's talk between two tracks."""


@settings(max_examples=fuzz_rounds(4, 200))
@given(
    turns=st.lists(st.sampled_from((*TURNS, GREET, COMMENT)), min_size=30, max_size=45),
    seed=st.integers(0, 2**16),
)
def test_no_conversation_repeats_a_sentence_within_20_answers(
    library: Library,  # noqa: F811  (the imported fixture)
    turns: list[str],
    seed: int,
) -> None:
    dj = PersonalizedDJ(library=library, seed=seed)
    said = []
    try:
        for turn in turns:
            if turn == GREET:
                said.append(dj.greet_user("kai", "Kai"))
            elif turn == COMMENT:
                pick = dj.last_pick("kai")
                if pick is not None:
                    said.append(dj.commentary("kai", dj.now_playing, pick))
            else:
                said.append(dj.respond("kai", turn).text)
    finally:
        dj.close()
    assert not repeated(said), repeated(said)[:3]
