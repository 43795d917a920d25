"""A small n-gram language model, written in the ARPA format recognisers read.

The DJ's templates can say billions of sentences; a recogniser restricted to a grammar that big
is slow, and one restricted to a short list of examples misses the rest. A trigram model of the
templates is both fast and general: it knows which words follow which in anything the DJ
understands. Its counts are the templates' expected counts (:func:`grammar_arpa`, see
:mod:`appliance.voice.grammar_counts`), not a random sample's, so a template added elsewhere does
not reshuffle what the recogniser expects of the others. Absolute discounting with back-off; a
small discount keeps the model close to the templates.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable

from appliance.grammar import Grammar
from appliance.voice.grammar_counts import END, START, Gram, expected_counts

SENTENCES = 20000.0
"""How many sentences a grammar's expected counts stand for (as many as the sample they replace
held): with :data:`FLOOR`, how rare an n-gram may be and still be kept."""
FLOOR = 0.05
"""An n-gram of two or three words expected fewer times than this in :data:`SENTENCES` is left
to back-off; every word is kept. On the TUNE voices of tests/support/voices.py (every third line
of the speech benchmark) readings right in meaning were 147/224 at 0.5, 150 at 0.2, 153 at 0.1
and 161 at 0.05 (with :data:`DISCOUNT`), against 158 for the 20000-sentence sample: the rare
n-grams a sample keeps by chance are worth keeping."""
DISCOUNT = 0.01
"""Taken off each kept n-gram's expected count; below :data:`FLOOR`, or a kept n-gram's
probability would be nothing or less."""


def arpa(sentences: Iterable[str], order: int = 3, discount: float = 0.05) -> str:
    """The ARPA text of an ``order``-gram model of ``sentences`` (lower case, words by spaces)."""
    counts: list[dict[Gram, float]] = [defaultdict(float) for _ in range(order + 1)]
    for sentence in sentences:
        tokens = [START, *sentence.split(), END]
        for n in range(1, order + 1):
            for i in range(len(tokens) - n + 1):
                counts[n][tuple(tokens[i : i + n])] += 1
    return _model(counts, order, discount)


def grammar_arpa(
    grammar: Grammar,
    discount: float = DISCOUNT,
    sentences: float = SENTENCES,
    floor: float = FLOOR,
) -> str:
    """The ARPA text of a trigram model of ``grammar``'s sentences, from their expected counts
    (as if ``sentences`` of them were said): the same grammar always gives the same text. Every
    list must have a value: pass a :meth:`Grammar.pruned` grammar."""
    if not 0.0 <= discount < floor:
        raise ValueError(f"the discount ({discount}) must be below the floor ({floor})")
    # a contribution a quarter of the floor's chance cannot make an n-gram kept on its own
    expected = expected_counts(grammar, least=floor / sentences / 4)
    counts: list[dict[Gram, float]] = [defaultdict(float) for _ in range(4)]
    for gram, chance in expected.items():
        scaled = chance * sentences
        if len(gram) == 1 or scaled >= floor:
            counts[len(gram)][gram] = scaled
    for word in grammar.words():  # a word in too many choices to count: rare, never unheard
        counts[1].setdefault((word,), floor)
    return _model(counts, 3, discount)


def _model(counts: list[dict[Gram, float]], order: int, discount: float) -> str:
    """The ARPA text of the model of these n-gram ``counts`` (by order; index 0 unused)."""
    if not counts[1]:
        raise ValueError("no sentences to learn from")

    vocabulary = sorted(gram[0] for gram in counts[1] if gram[0] != START)
    total = sum(counts[1][(word,)] for word in vocabulary)
    probability: list[dict[Gram, float]] = [{} for _ in range(order + 1)]
    probability[1][(START,)] = 0.0  # never predicted; written as -99
    for word in vocabulary:
        seen = counts[1][(word,)]
        probability[1][(word,)] = (seen + 0.1) / (total + 0.1 * len(vocabulary))
    for n in range(2, order + 1):
        history_total: dict[Gram, float] = defaultdict(float)
        for gram, seen in counts[n].items():
            history_total[gram[:-1]] += seen
        for gram, seen in counts[n].items():
            probability[n][gram] = (seen - discount) / history_total[gram[:-1]]

    backoff: dict[Gram, float] = {}

    def backed_off(gram: Gram) -> float:
        """P(last word | the words before it), backing off to shorter histories."""
        n = len(gram)
        if gram in probability[n]:
            return probability[n][gram]
        if n == 1:
            return 1e-9
        return backoff.get(gram[:-1], 1.0) * backed_off(gram[1:])

    for n in range(2, order + 1):  # shorter histories first: longer ones back off onto them
        followers: dict[Gram, list[Gram]] = defaultdict(list)
        for gram in probability[n]:
            followers[gram[:-1]].append(gram)
        for history, grams in followers.items():
            left = 1.0 - sum(probability[n][g] for g in grams)
            lower = 1.0 - sum(backed_off(g[1:]) for g in grams)
            backoff[history] = left / lower if lower > 1e-12 else 1e-12

    lines = ["\\data\\"]
    lines += [f"ngram {n}={len(probability[n])}" for n in range(1, order + 1)]
    for n in range(1, order + 1):
        lines += ["", f"\\{n}-grams:"]
        for gram, value in sorted(probability[n].items()):
            log_p = -99.0 if gram == (START,) else math.log10(value)
            line = f"{log_p:.5f}\t{' '.join(gram)}"
            if n < order:
                line += f"\t{math.log10(max(backoff.get(gram, 1.0), 1e-12)):.5f}"
            lines.append(line)
    lines += ["", "\\end\\", ""]
    return "\n".join(lines)
