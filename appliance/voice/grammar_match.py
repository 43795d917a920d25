"""Whether a transcript is a whole sentence of the command grammar, word for word.

A language model of the templates also lets through word strings no template says ("play some
on", "turn music on"): each trigram is likely, the whole is not a command. On the TUNE voices of
tests/support/voices.py, of pocketsphinx's readings of commands the grammar says whole, 94 % were
right in meaning; of the rest, 28 %. So whether the grammar says it is part of the confidence.
"""

from __future__ import annotations

from appliance.grammar import Grammar
from appliance.voice.grammar_counts import SEQ, WORDS, fold


class GrammarMatch:
    """Answers "does the grammar say exactly these words?" for one grammar, quickly: each part's
    possible first words are known, so only the parts that can start where a word is are
    followed."""

    def __init__(self, grammar: Grammar) -> None:
        graph, top = fold(grammar)
        self._kinds = graph.kinds
        self._data = graph.data
        self._root: int = graph.data[top][1]  # type: ignore[index]
        self._firsts: list[frozenset[str]] = []
        self._nullable: list[bool] = []
        for number, kind in enumerate(self._kinds):  # children are numbered before parents
            data = self._data[number]
            if kind == WORDS:
                words: tuple[str, ...] = data  # type: ignore[assignment]
                self._firsts.append(frozenset(words[:1]))
                self._nullable.append(not words)
            elif kind == SEQ:
                firsts: set[str] = set()
                nullable = True
                for item in data:  # type: ignore[attr-defined]
                    firsts |= self._firsts[item]
                    if not self._nullable[item]:
                        nullable = False
                        break
                self._firsts.append(frozenset(firsts))
                self._nullable.append(nullable)
            else:
                items = [item for item, _share in data]  # type: ignore[attr-defined]
                self._firsts.append(frozenset().union(*(self._firsts[i] for i in items)))
                self._nullable.append(any(self._nullable[i] for i in items))

    def says(self, text: str) -> bool:
        """True when some sentence of the grammar is exactly ``text`` (words by spaces)."""
        words = tuple(text.split())
        if not words:
            return False
        memo: dict[tuple[int, int], frozenset[int]] = {}
        return len(words) in self._ends(self._root, 0, words, memo)

    def _ends(
        self,
        part: int,
        start: int,
        words: tuple[str, ...],
        memo: dict[tuple[int, int], frozenset[int]],
    ) -> frozenset[int]:
        """Where ``part`` can end when it starts at ``start``."""
        key = (part, start)
        found = memo.get(key)
        if found is not None:
            return found
        can_start = start < len(words) and words[start] in self._firsts[part]
        if not can_start and not self._nullable[part]:
            memo[key] = frozenset()
            return memo[key]
        kind, data = self._kinds[part], self._data[part]
        if kind == WORDS:
            said: tuple[str, ...] = data  # type: ignore[assignment]
            end = start + len(said)
            found = frozenset([end]) if words[start:end] == said else frozenset()
        elif kind == SEQ:
            here = {start}
            for item in data:  # type: ignore[attr-defined]
                here = {e for s in here for e in self._ends(item, s, words, memo)}
                if not here:
                    break
            found = frozenset(here)
        else:
            ends: set[int] = set()
            for item, _share in data:  # type: ignore[attr-defined]
                ends |= self._ends(item, start, words, memo)
            found = frozenset(ends)
        memo[key] = found
        return found
