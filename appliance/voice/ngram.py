"""A small n-gram language model, written in the ARPA format recognisers read.

The DJ's templates can say billions of sentences; a recogniser restricted to a grammar that big
is slow, and one restricted to a short list of examples misses the rest. A trigram model trained
on sentences sampled from the templates is both fast and general: it knows which words follow
which in anything the DJ understands. Absolute discounting with back-off; a small discount keeps
the model close to the templates.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable

START, END = "<s>", "</s>"
Gram = tuple[str, ...]


def arpa(sentences: Iterable[str], order: int = 3, discount: float = 0.05) -> str:
    """The ARPA text of an ``order``-gram model of ``sentences`` (lower case, words by spaces)."""
    counts: list[dict[Gram, int]] = [defaultdict(int) for _ in range(order + 1)]
    for sentence in sentences:
        tokens = [START, *sentence.split(), END]
        for n in range(1, order + 1):
            for i in range(len(tokens) - n + 1):
                counts[n][tuple(tokens[i : i + n])] += 1
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
        history_total: dict[Gram, int] = defaultdict(int)
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
