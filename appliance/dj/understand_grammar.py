"""The templates as a command grammar for speech recognisers (see :mod:`appliance.grammar`).

Every intent's templates, with their shared rules and their slot lists (genres, moods, levels,
library names), become one small tree, so a recogniser can be told exactly what the DJ can
understand without listing billions of sentences.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping

from hassil.expression import (
    Alternative,
    Expression,
    ListReference,
    Permutation,
    RuleReference,
    Sequence,
    TextChunk,
)
from hassil.intents import Intents

from appliance.grammar import Alt, Grammar, Node, Ref, Seq, Words

RULE = "rule_"
LIST = "list_"


def _words(text: str) -> str:
    return " ".join(text.lower().split())


def convert(expression: Expression) -> Node | None:
    """One template expression as a grammar node (None for an empty text chunk)."""
    if isinstance(expression, TextChunk):
        text = _words(expression.text)
        return Words(text) if text else None
    if isinstance(expression, ListReference):
        return Ref(LIST + expression.list_name)
    if isinstance(expression, RuleReference):
        return Ref(RULE + expression.rule_name)
    if isinstance(expression, Permutation):
        orders = [_seq(order) for order in itertools.permutations(expression.items)]
        return Alt(tuple(node for node in orders if node is not None))
    if isinstance(expression, Alternative):
        items = tuple(node for node in (convert(i) for i in expression.items) if node is not None)
        return Alt(items, optional=expression.is_optional or len(items) < len(expression.items))
    if isinstance(expression, Sequence):
        return _seq(expression.items)
    raise TypeError(f"unknown template part {type(expression).__name__}")


def _seq(items: Iterable[Expression]) -> Node | None:
    nodes = tuple(node for node in (convert(i) for i in items) if node is not None)
    if not nodes:
        return None
    return nodes[0] if len(nodes) == 1 else Seq(nodes)


def build_grammar(
    intents: Intents,
    rules: Mapping[str, object],
    lists: Mapping[str, Iterable[str]],
    weights: Mapping[str, int] | None = None,
) -> Grammar:
    """The grammar of ``intents`` (their templates), ``rules`` and slot ``lists``. ``weights``
    (default 1 each) makes an intent's sentences that many times as likely in a sample."""
    commands = []
    for name, intent in intents.intents.items():
        weight = (weights or {}).get(name, 1)
        for data in intent.data:
            for sentence in data.sentences:
                node = convert(sentence.expression)
                if node is not None:
                    commands.extend([node] * weight)
    grammar_rules: dict[str, Node] = {}
    for name, rule in rules.items():
        node = convert(rule.expression)  # type: ignore[attr-defined]
        if node is not None:
            grammar_rules[RULE + name] = node
    grammar_lists = {
        LIST + name: sorted({_words(v) for v in values if _words(v)})
        for name, values in lists.items()
    }
    return Grammar(root=Alt(tuple(commands)), rules=grammar_rules, lists=grammar_lists)
