"""Names the recogniser may get slightly wrong: library names and single words, found by near miss.

Thresholds are chosen so a slip lands ("miles davies" -> "miles davis", "jaz" -> "jazz") while a
word that merely shares letters with a name does not turn into it ("hungry" is not "angry", "my
neighbour" is not an artist).
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping

from hassil import TextSlotList, TextSlotValue
from hassil.expression import TextChunk
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

KINDS = ("artist", "album", "title")
"""Kinds of library names, in the order that wins when a name is more than one of them ("play
sade" means the artist more often than her self-titled album)."""

NAME_CUTOFF = 85.0
"""Least similarity (0-100, rapidfuzz ratio) for a heard phrase to be taken as a library name."""

SHORT_NAME_CUTOFF = 88.0
"""The same for phrases of five letters or fewer, where one wrong letter weighs more."""

BESIDE_NAME_CUTOFF = 75.0
"""The least similarity for a phrase said beside a library name said exactly ("get lucky by daft
pump", "nina simone feeling could"): a request that names one song or artist plainly is asking
for names, so a second name heard less well still lands."""

MIN_BESIDE_LETTERS = 6
"""A phrase beside a name needs this many letters to be taken as a second name."""

MIN_CORRECTED_WORD = 3
"""Words shorter than this are never corrected: too many short words are one letter apart."""


MENDED_KEPT = 4096
"""How many mended words the corrector remembers."""

MIN_NAME_WORD = 4
"""A first or last name said alone must have at least this many letters to stand for a name."""


def _word_distance(length: int) -> int:
    """Edits allowed when correcting a word of ``length`` letters to a known word."""
    return 1 if length < 8 else 2


class NameIndex:
    """The library's names by kind: exact lookups, near-miss lookups and hassil slot lists."""

    def __init__(self, names: Mapping[str, Iterable[str]], normalise: Callable[[str], str]) -> None:
        self._by_key: dict[str, dict[str, str]] = {kind: {} for kind in KINDS}
        for kind in KINDS:
            for name in names.get(kind, ()):
                key = normalise(name)
                if key:
                    self._by_key[kind].setdefault(key, name.strip().lower())
        self._keys = {kind: list(self._by_key[kind]) for kind in KINDS}
        self._words = frozenset(
            word for table in self._by_key.values() for key in table for word in key.split()
        )

    def __len__(self) -> int:
        return sum(len(table) for table in self._by_key.values())

    def words(self) -> frozenset[str]:
        """Every word of every name, normalised."""
        return self._words

    def keys(self) -> dict[str, list[str]]:
        """The normalised names, by kind."""
        return {kind: list(keys) for kind, keys in self._keys.items()}

    def slot_lists(self) -> dict[str, TextSlotList]:
        """hassil lists {artist}, {album}, {title} and {named} (any kind, value (kind, name))."""
        lists: dict[str, TextSlotList] = {}
        named: list[TextSlotValue] = []
        for kind in KINDS:
            values = [
                TextSlotValue(text_in=TextChunk(key), value_out=name)
                for key, name in self._by_key[kind].items()
            ]
            lists[kind] = TextSlotList(name=kind, values=values)
            named.extend(
                TextSlotValue(text_in=TextChunk(key), value_out=(kind, name))
                for key, name in self._by_key[kind].items()
            )
        lists["named"] = TextSlotList(name="named", values=named)
        return lists

    def find_exact(self, text: str) -> tuple[str, str] | None:
        """(kind, name) of the library name spelled exactly ``text`` (normalised), if any."""
        for kind in KINDS:
            name = self._by_key[kind].get(text)
            if name is not None:
                return kind, name
        return None

    def find_by_word(self, text: str, kind: str) -> str | None:
        """The one name of ``kind`` that has ``text`` as one of its words ("miles" -> "miles
        davis"), when exactly one has it; short or common words never count."""
        if len(text) < MIN_NAME_WORD or " " in text:
            return None
        found = {
            name for key, name in self._by_key[kind].items() if text in key.split() and key != text
        }
        return found.pop() if len(found) == 1 else None

    def find(
        self, text: str, kinds: Iterable[str] = KINDS, cutoff: float | None = None
    ) -> tuple[str, str, float] | None:
        """The library name ``text`` most likely means: (kind, name, similarity) or None.

        An exact name wins; otherwise the most similar name above the cutoff (by default, by
        the phrase's length), earlier kinds winning ties.
        """
        kinds = [kind for kind in KINDS if kind in set(kinds)]
        for kind in kinds:
            name = self._by_key[kind].get(text)
            if name is not None:
                return kind, name, 100.0
        if cutoff is None:
            cutoff = SHORT_NAME_CUTOFF if len(text) <= 5 else NAME_CUTOFF
        best: tuple[str, str, float] | None = None
        for kind in kinds:
            found = process.extractOne(
                text, self._keys[kind], scorer=fuzz.ratio, score_cutoff=cutoff
            )
            if found is not None and (best is None or found[1] > best[2]):
                best = (kind, self._by_key[kind][found[0]], found[1])
        return best


class WordCorrector:
    """Mends words the recogniser got one letter wrong, towards words the DJ knows."""

    def __init__(self, known: Iterable[str]) -> None:
        self._known = frozenset(known)
        self._mended: dict[str, str] = {}
        self._mended_lock = threading.Lock()  # the listener's thread and the DJ's both mend
        self._by_length: dict[int, list[str]] = defaultdict(list)
        for word in sorted(self._known):
            self._by_length[len(word)].append(word)

    def __contains__(self, word: str) -> bool:
        return word in self._known

    def correct(self, word: str) -> str:
        """The known word ``word`` most likely is, or ``word`` itself (remembered: one utterance
        is tried in several parts, and people repeat themselves)."""
        if word in self._known or len(word) < MIN_CORRECTED_WORD or not word.isalpha():
            return word
        mended = self._mended.get(word)
        if mended is None:
            mended = self._nearest(word)
            with self._mended_lock:
                self._mended[word] = mended
                while len(self._mended) > MENDED_KEPT:
                    self._mended.pop(next(iter(self._mended)))
        return mended

    def _nearest(self, word: str) -> str:
        allowed = _word_distance(len(word))
        best: tuple[int, float, str] | None = None
        for length in range(len(word) - allowed, len(word) + allowed + 1):
            candidates = self._by_length.get(length)
            if not candidates:
                continue
            found = process.extractOne(
                word, candidates, scorer=Levenshtein.distance, score_cutoff=allowed
            )
            if found is None:
                continue
            rank = (int(found[1]), -fuzz.ratio(word, found[0]), found[0])
            if best is None or rank < best:
                best = rank
        return best[2] if best is not None else word

    def correct_all(self, words: list[str]) -> list[str]:
        return [self.correct(word) for word in words]
