"""hassil recognition, made fast by trying only the templates that can match at all.

hassil tries every template in turn and explores every optional word of each, which over a few
hundred templates costs milliseconds. A template can only match an utterance whose first word is
one it can start with, whose last word is one it can end with, and whose every word is one it can
produce; these sets are computed once per template (lists and rules included), so each utterance
is handed to hassil with the handful of templates that pass, and hassil alone decides the match.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from hassil import Intents, RecognizeResult, SlotList, recognize_all, sample_expression
from hassil.errors import HassilError
from hassil.expression import (
    Alternative,
    Expression,
    Group,
    ListReference,
    Permutation,
    RuleReference,
    Sentence,
    Sequence,
    TextChunk,
)
from hassil.intents import Intent, IntentData, TextSlotList

ANY = "\x00any"
"""Stands for every word: the edge of a wildcard or of a list that is not plain text."""


@dataclass(frozen=True)
class _Edge:
    words: frozenset[str]
    nullable: bool


_EMPTY = _Edge(frozenset(), True)
_ANY_WORD = frozenset([ANY])


class _Edges:
    """The words an expression can start (or end) with, and whether it can match nothing."""

    def __init__(
        self, rules: Mapping[str, Sentence], lists: Mapping[str, SlotList], from_end: bool
    ) -> None:
        self._rules = rules
        self._lists = lists
        self._from_end = from_end
        self._memo: dict[str, _Edge] = {}

    def of(self, expression: Expression) -> _Edge:
        if isinstance(expression, TextChunk):
            words = expression.text.split()
            if not words:
                return _EMPTY
            return _Edge(frozenset([words[-1] if self._from_end else words[0]]), False)
        if isinstance(expression, Alternative):
            edges = [self.of(item) for item in expression.items]
            return _Edge(
                frozenset().union(*(edge.words for edge in edges)),
                any(edge.nullable for edge in edges),
            )
        if isinstance(expression, Permutation):
            edges = [self.of(item) for item in expression.items]
            return _Edge(
                frozenset().union(*(edge.words for edge in edges)),
                all(edge.nullable for edge in edges),
            )
        if isinstance(expression, Group):
            items = reversed(expression.items) if self._from_end else expression.items
            heard: set[str] = set()
            for item in items:
                edge = self.of(item)
                heard |= edge.words
                if not edge.nullable:
                    return _Edge(frozenset(heard), False)
            return _Edge(frozenset(heard), True)
        if isinstance(expression, RuleReference):
            key = f"<{expression.rule_name}>"
            if key not in self._memo:
                self._memo[key] = _EMPTY  # a rule that refers to itself adds nothing more
                rule = self._rules.get(expression.rule_name)
                self._memo[key] = self.of(rule.expression) if rule else _Edge(_ANY_WORD, True)
            return self._memo[key]
        if isinstance(expression, ListReference):
            key = f"{{{expression.list_name}}}"
            if key not in self._memo:
                self._memo[key] = self._list_edge(self._lists.get(expression.list_name))
            return self._memo[key]
        return _Edge(frozenset([ANY]), True)

    def _list_edge(self, slot_list: SlotList | None) -> _Edge:
        if not isinstance(slot_list, TextSlotList):
            return _Edge(frozenset([ANY]), False)
        words: set[str] = set()
        nullable = False
        for value in slot_list.values:
            edge = self.of(value.text_in)
            words |= edge.words
            nullable = nullable or edge.nullable
        return _Edge(frozenset(words), nullable)


class _Vocabulary:
    """Every word an expression can produce (ANY among them for wildcards and ranges)."""

    def __init__(self, rules: Mapping[str, Sentence], lists: Mapping[str, SlotList]) -> None:
        self._rules = rules
        self._lists = lists
        self._memo: dict[str, frozenset[str]] = {}

    def of(self, expression: Expression) -> frozenset[str]:
        if isinstance(expression, TextChunk):
            return frozenset(expression.text.split())
        if isinstance(expression, Group):
            return frozenset().union(*(self.of(item) for item in expression.items))
        if isinstance(expression, RuleReference):
            key = f"<{expression.rule_name}>"
            if key not in self._memo:
                self._memo[key] = frozenset()
                rule = self._rules.get(expression.rule_name)
                self._memo[key] = self.of(rule.expression) if rule else frozenset([ANY])
            return self._memo[key]
        if isinstance(expression, ListReference):
            key = f"{{{expression.list_name}}}"
            if key not in self._memo:
                slot_list = self._lists.get(expression.list_name)
                self._memo[key] = (
                    frozenset().union(*(self.of(value.text_in) for value in slot_list.values))
                    if isinstance(slot_list, TextSlotList)
                    else frozenset([ANY])
                )
            return self._memo[key]
        return frozenset([ANY])


RULE_LIST_PREFIX = "_"
"""Lists made from rules are named "_<rule>"; their entities are words, not slots."""

MAX_RULE_PHRASES = 500
"""A rule with more phrases than this stays a rule (a list of them would cost more to build)."""


def rules_as_lists(intents: Intents) -> None:
    """Let hassil match each rule that is plain words ("<play>": play, put on, ...) as a list.

    hassil tries a rule's alternatives one by one but looks list values up in a trie, so a rule
    of forty phrases costs one lookup instead of forty attempts. What matches is the same. Rules
    that refer to lists, or expand to too many phrases, are left as they are.
    """
    for name, rule in list(intents.expansion_rules.items()):
        try:
            phrases = set(
                itertools.islice(
                    sample_expression(
                        rule.expression, expansion_rules=intents.expansion_rules, expand_lists=False
                    ),
                    MAX_RULE_PHRASES + 1,
                )
            )
        except HassilError:
            continue
        phrases = {" ".join(phrase.split()) for phrase in phrases}
        if len(phrases) > MAX_RULE_PHRASES or any("{" in phrase for phrase in phrases):
            continue
        list_name = RULE_LIST_PREFIX + name
        intents.slot_lists[list_name] = TextSlotList.from_strings(
            sorted(phrase for phrase in phrases if phrase), allow_template=False, name=list_name
        )
        reference: Expression = ListReference(list_name=list_name)
        if "" in phrases:
            reference = Alternative(items=[reference, TextChunk("")], is_optional=True)
        compiled = Sentence(expression=Sequence(items=[reference]), text=rule.text)
        intents.expansion_rules[name] = compiled


def split_per_sentence(intents_dict: dict[str, object]) -> dict[str, object]:
    """The same intents with one data block per template, so a template can be picked alone."""
    split: dict[str, object] = {}
    for name, body in intents_dict.items():
        blocks = body["data"]  # type: ignore[index]
        split[name] = {
            "data": [
                {**block, "sentences": [sentence]}
                for block in blocks
                for sentence in block["sentences"]
            ]
        }
    return split


class TemplateMatcher:
    """Recognition over the templates of ``intents`` (one data block per template)."""

    def __init__(self, intents: Intents, lists: Mapping[str, SlotList]) -> None:
        self._intents = intents
        self._lists = {**intents.slot_lists, **lists}
        self._blocks: list[tuple[Intent, IntentData]] = [
            (intent, data) for intent in intents.intents.values() for data in intent.data
        ]
        firsts = _Edges(intents.expansion_rules, self._lists, from_end=False)
        lasts = _Edges(intents.expansion_rules, self._lists, from_end=True)
        vocabulary = _Vocabulary(intents.expansion_rules, self._lists)
        self._first: dict[str, set[int]] = defaultdict(set)
        self._last: dict[str, set[int]] = defaultdict(set)
        # each template's words as the bits of one number (a few hundred bytes, not a set of
        # a few kilobytes): a word's bit is its number in _bits
        self._bits: dict[str, int] = {}
        self._words: list[int | None] = []
        for index, (_intent, data) in enumerate(self._blocks):
            words: set[str] = set()
            for sentence in data.sentences:
                words |= vocabulary.of(sentence.expression)
                for word in firsts.of(sentence.expression).words:
                    self._first[word].add(index)
                for word in lasts.of(sentence.expression).words:
                    self._last[word].add(index)
            self._words.append(None if ANY in words else self._mask(words, add=True))
        for slot_list in self._lists.values():
            if isinstance(slot_list, TextSlotList):
                slot_list.get_candidates("")  # hassil indexes a list on first use: do it now
        skip = sorted({word.strip() for word in intents.skip_words if word.strip()}, key=len)
        self._skip = (
            re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, reversed(skip))) + r")(?!\w)")
            if skip
            else None
        )

    def _fitting(self, words: list[str]) -> list[int]:
        if not words:
            return []
        starting = self._first.get(words[0], set()) | self._first.get(ANY, set())
        ending = self._last.get(words[-1], set()) | self._last.get(ANY, set())
        heard = self._mask(words)
        return [
            index
            for index in sorted(starting & ending)
            if (known := self._words[index]) is None or (heard >= 0 and heard & known == heard)
        ]

    def _mask(self, words: Iterable[str], add: bool = False) -> int:
        """The bits of ``words`` (-1: one of them is in no template, when not ``add``)."""
        mask = 0
        for word in words:
            bit = self._bits.get(word)
            if bit is None:
                if not add:
                    return -1
                bit = self._bits[word] = len(self._bits)
            mask |= 1 << bit
        return mask

    def variants(self, text: str) -> list[str]:
        """The texts to try, in order: without the skip words ("please", "um"), then as said
        (so "hey dj" still greets although "dj" is a skip word).

        hassil would try both for every template; trying the second only when the first finds
        nothing halves the work.
        """
        if self._skip is None:
            return [text]
        without = " ".join(self._skip.sub(" ", text).split())
        return [without, text] if without and without != text else [text]

    def candidates(self, text: str) -> list[int]:
        """Indexes of the templates that can match ``text`` word for word."""
        return self._fitting(text.split())

    def recognize(self, text: str) -> Iterator[RecognizeResult]:
        """Every hassil match of exactly ``text`` among the templates that can match it."""
        chosen: dict[str, Intent] = {}
        for index in self.candidates(text):
            intent, data = self._blocks[index]
            chosen.setdefault(intent.name, Intent(name=intent.name)).data.append(data)
        if not chosen:
            return
        subset = Intents(
            language=self._intents.language,
            intents=chosen,
            slot_lists=self._lists,
            expansion_rules=self._intents.expansion_rules,
            skip_words=[],
            settings=self._intents.settings,
        )
        yield from recognize_all(text, subset)
