"""What a listener said, made fit to understand and to store.

Typed lines can carry anything: bytes that are not UTF-8 (Python hands them over as lone
surrogates, which SQLite refuses), control characters, or a 100 KB paste. A request is a
sentence, so the DJ keeps the first ``MAX_SAID`` characters and valid text only.
"""

from __future__ import annotations

import re

MAX_SAID = 500  # characters: far beyond any spoken request, small enough for years of history
_ODD_SURROGATE = re.compile("[\ud800-\udc7f\udd00-\udfff]")  # not a surrogate-escaped byte
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


def clean_said(text: str) -> tuple[str, bool]:
    """The text as valid Unicode (undecodable bytes become U+FFFD), control characters as
    spaces, cut to ``MAX_SAID`` characters; and whether it had to be cut."""
    text = _ODD_SURROGATE.sub("\ufffd", text)
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    text = _CONTROL.sub(" ", text).strip()
    if len(text) <= MAX_SAID:
        return text, False
    return text[:MAX_SAID].rstrip(), True
