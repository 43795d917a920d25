"""Lines that do not repeat: the DJ remembers the sentences of its last few answers and picks a
phrasing none of them used.

Listeners notice a radio host who says the same sentence twice in a few minutes far more than
one who says something plain; so each situation has several phrasings, and the one chosen is the
first (or a random one) whose sentences were not said in the last ``memory`` answers. What is
said at last as a fact asked again goes through :meth:`LinePool.reword`: one sentence said lately
is put another way ("..., like I said"), a last resort that counts as a repeat all the same, as
every situation has more phrasings than the answers remembered. Any other answer says less
rather than again (:meth:`LinePool.said_less`: its sentences said lately are left out, while one
stays).
"""

from __future__ import annotations

import random
import re
from collections import deque
from collections.abc import Iterable, Sequence

MEMORY = 20
"""Answers whose sentences are not said again."""

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_NOT_WORDS = re.compile(r"[^\w' ]+")
_END_MARK = re.compile(r"[.!?]+$")


def _key(sentence: str) -> str:
    return " ".join(_NOT_WORDS.sub(" ", sentence.casefold()).split())


def sentences(text: str) -> list[str]:
    """The sentences of ``text``, normalised (case, punctuation and spacing do not count)."""
    return [key for key in map(_key, _SENTENCE_END.split(text.strip())) if key]


class LinePool:
    """Chooses phrasings that were not said lately; see the module docstring."""

    def __init__(self, rng: random.Random, memory: int = MEMORY) -> None:
        self._rng = rng
        self._said: deque[frozenset[str]] = deque(maxlen=memory)
        self._pending: set[str] = set()  # chosen for the answer being made, not yet said

    def recent(self, text: str) -> bool:
        """True when a sentence of ``text`` was said in the last answers (or this one)."""
        return any(
            key in self._pending or any(key in said for said in self._said)
            for key in sentences(text)
        )

    def choose(self, options: Sequence[str], shuffle: bool = False) -> str:
        """An option none of whose sentences was said lately: the first such (``shuffle``: a
        random one); when every option was, the one said longest ago. A sentence every option
        says (a phrasing chosen for this answer and filled in, "No reggae here. {nearest}")
        tells none apart and is not held against them."""
        if not options:
            return ""
        order = list(options)
        if shuffle:
            self._rng.shuffle(order)
        said = [set(sentences(option)) for option in order]
        common = set.intersection(*said)
        unsaid = (o for o, keys in zip(order, said, strict=True) if not self._recent(keys - common))
        fresh = next(unsaid, None)
        chosen = fresh if fresh is not None else self._oldest(order)
        self._pending.update(sentences(chosen))
        return chosen

    def _recent(self, keys: set[str]) -> bool:
        return any(key in self._pending or self._said_lately(key) for key in keys)

    def shuffled(self, options: Sequence[str]) -> list[str]:
        """``options`` in a random order."""
        order = list(options)
        self._rng.shuffle(order)
        return order

    def coin(self) -> bool:
        """Heads or tails."""
        return self._rng.random() < 0.5

    def _oldest(self, options: list[str]) -> str:
        def last_said(option: str) -> int:
            keys = set(sentences(option))
            for age, said in enumerate(reversed(self._said)):
                if keys & said:
                    return -age
            return 1

        return min(options, key=last_said)

    def reword(self, text: str, statements: Sequence[str], questions: Sequence[str]) -> str:
        """``text`` as it can be said now: the first sentence said in the last answers (or
        earlier in ``text``) put another way by the first of the forms (``{line}`` stands for the
        sentence, its end mark follows) not said lately either; ``questions`` for a question,
        ``statements`` else. One sentence at most: an answer of "like I said"s is no answer."""
        parts = _SENTENCE_END.split(text.strip())
        used: set[str] = set()
        changed = False
        for index, part in enumerate(parts):
            key = _key(part)
            if not changed and key and (key in used or self._said_lately(key)):
                part = self._another_way(part, questions if "?" in part else statements, used)
                parts[index], changed = part, True
            used.update(sentences(part))
        return " ".join(parts) if changed else text

    def said_less(self, text: str) -> str:
        """``text`` without its sentences said in the last answers (or earlier in it): "Skipping.
        Here's 'So What'." when "Skipping." was said lately is "Here's 'So What'."; "Nothing's
        playing. Want me to put something on?" asked again offers nothing twice. When every
        sentence was said lately, ``text`` as it is (the phrasebook has run out: see the test
        that every situation has more phrasings than answers remembered)."""
        parts = _SENTENCE_END.split(text.strip())
        kept = []
        used: set[str] = set()
        for part in parts:
            key = _key(part)
            if key and (key in used or self._said_lately(key)):
                continue
            kept.append(part)
            used.add(key)
        if not kept or len(kept) == len(parts):
            return text
        return " ".join(kept)

    def _said_lately(self, key: str) -> bool:
        return any(key in said for said in self._said)

    def _another_way(self, sentence: str, forms: Sequence[str], used: set[str]) -> str:
        body = sentence.strip()
        mark = _END_MARK.search(body)
        end = mark.group() if mark else "."
        line = body[: mark.start()] if mark else body
        for form in forms:
            said = form.replace("{line}", line) + end
            key = _key(said)
            if key not in used and not self._said_lately(key):
                return said
        return sentence

    def said(self, text: str, also: Iterable[str] = ()) -> None:
        """The DJ said ``text`` (one answer): its sentences are not chosen again for a while."""
        keys = set(sentences(text)) | set(also) | self._pending
        self._pending = set()
        if keys:
            self._said.append(frozenset(keys))
