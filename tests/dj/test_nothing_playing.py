"""With nothing playing, "I love this" and "I hate this" have no track to be about."""

from __future__ import annotations

from pathlib import Path

import pytest

from appliance.dj import PersonalizedDJ


@pytest.mark.parametrize("text", ["i love this", "this is good", "i hate this"])
def test_a_verdict_with_nothing_playing_is_not_learned(tmp_path: Path, text: str) -> None:
    dj = PersonalizedDJ(db_path=tmp_path / "dj.db", seed=1)
    try:
        reply = dj.respond("ana", text)
        assert reply.intent in ("like", "dislike")
        said = reply.text.casefold()
        assert any(word in said for word in ("nothing", "no music", "quiet")), reply.text
        assert "enjoying" not in reply.text and "remember" not in reply.text
        assert reply.actions == ()
        assert not dj._taste("ana").by_kind
        assert dj.store.recent_plays("ana", 5) == []
    finally:
        dj.close()
