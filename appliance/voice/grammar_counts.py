"""How often a grammar says each n-gram: expected counts, worked out from the grammar's tree.

A language model trained on sentences sampled from the templates shifts whenever a template
changes: the sample is drawn anew, rare n-grams come and go, and "set the volume to fifty" was
once heard as "fifty eight". Expected counts have no sample: a sentence's share depends only on
the choices above it (an optional part is said half the time, an alternative's parts alike, a
list's values alike), so a template added elsewhere moves the others' n-grams only by the share
it takes.

The grammar's tree holds tens of thousands of nodes but only a few thousand distinct ones (the
templates repeat their rules and lists), so it is first folded into a graph of distinct parts.
Then, parents before children, how often each part is said; and children before parents, each
part's first two and last two words (with their chances). A sequence adds the n-grams that cross
from one of its parts into the next, a run of words those inside it, each times how often the
part is said. Chances too small to reach a kept n-gram are not followed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from appliance.grammar import Alt, Grammar, Node, Ref, Seq, Words

Gram = tuple[str, ...]
Dist = dict[Gram, float]
Ranked = list[tuple[Gram, float]]

START, END = "<s>", "</s>"
WORDS, SEQ, ALT = 0, 1, 2
_EMPTY: Gram = ()


class Graph:
    """The grammar folded into distinct parts, each child numbered before its parents.

    A part is words, a sequence of parts, or a choice among parts with their chances (what
    is left over is saying nothing); a list is a choice among its values."""

    def __init__(self, grammar: Grammar) -> None:
        self._grammar = grammar
        self.kinds: list[int] = []
        self.data: list[object] = []
        self._numbers: dict[tuple[int, object], int] = {}
        self._seen: dict[int, int] = {}  # id of a node -> its part
        self._alive: list[Node] = []  # nodes stay alive while their ids are keys
        self._named: dict[str, int] = {}

    def part(self, kind: int, data: object) -> int:
        key = (kind, data)
        number = self._numbers.get(key)
        if number is None:
            number = self._numbers[key] = len(self.kinds)
            self.kinds.append(kind)
            self.data.append(data)
        return number

    def words(self, words: Gram) -> int:
        return self.part(WORDS, words)

    def choice(self, chances: dict[int, float]) -> int:
        if len(chances) == 1 and abs(next(iter(chances.values())) - 1.0) < 1e-12:
            return next(iter(chances))
        return self.part(ALT, tuple(sorted(chances.items())))

    def node(self, node: Node) -> int:
        number = self._seen.get(id(node))
        if number is not None:
            return number
        if isinstance(node, Words):
            number = self.words(tuple(node.text.split()))
        elif isinstance(node, Ref):
            number = self.named(node.name)
        elif isinstance(node, Seq):
            empty = self.words(_EMPTY)
            items = tuple(i for i in (self.node(item) for item in node.items) if i != empty)
            number = items[0] if len(items) == 1 else self.part(SEQ, items) if items else empty
        else:
            said = 0.5 if node.optional else 1.0
            chances: dict[int, float] = defaultdict(float)
            for item in node.items:  # an item given twice is said twice as often
                chances[self.node(item)] += said / len(node.items)
            if node.optional or not node.items:
                chances[self.words(_EMPTY)] += 1.0 - said if node.items else 1.0
            number = self.choice(chances)
        self._seen[id(node)] = number
        self._alive.append(node)
        return number

    def named(self, name: str) -> int:
        number = self._named.get(name)
        if number is None:
            if name in self._grammar.lists:
                values = self._grammar.lists[name]
                chances: dict[int, float] = defaultdict(float)
                for value in values:
                    chances[self.words(tuple(value.split()))] += 1.0 / len(values)
                number = self.choice(chances)
            else:
                number = self.node(self._grammar.rules[name])
            self._named[name] = number
        return number


def _ranked(dist: Dist) -> Ranked:
    return sorted(dist.items(), key=_chance, reverse=True)


def _chance(item: tuple[Gram, float]) -> float:
    return item[1]


def _cross(out: Dist, left: Ranked, right: Ranked, least: float) -> None:
    """Add each ``left`` + ``right`` pair's chance to ``out``, but none at or below ``least`` (both
    sides ranked likeliest first, so each loop stops at the first pair too rare)."""
    if not right:
        return
    top = right[0][1]
    for gram, chance in left:
        if chance * top <= least:
            break
        for other, other_chance in right:
            joint = chance * other_chance
            if joint <= least:
                break
            out[gram + other] += joint


class _Ends:
    """A part's first two words and its last two (all of it when shorter; () when it says
    nothing), each with its chance."""

    __slots__ = ("_heads", "_tails", "empty", "first", "last")

    def __init__(self, first: Dist, last: Dist) -> None:
        self.first = first
        self.last = last
        self.empty = first.get(_EMPTY, 0.0)
        self._tails: tuple[Ranked, Ranked] | None = None
        self._heads: tuple[Ranked, Ranked] | None = None

    def tails(self) -> tuple[Ranked, Ranked]:
        """The last word, and the last two words (when there are two)."""
        if self._tails is None:
            self._tails = _split(self.last, last=True)
        return self._tails

    def heads(self) -> tuple[Ranked, Ranked]:
        """The first word, and the first two words (when there are two)."""
        if self._heads is None:
            self._heads = _split(self.first, last=False)
        return self._heads


def _split(ends: Dist, last: bool) -> tuple[Ranked, Ranked]:
    one: Dist = defaultdict(float)
    two: Ranked = []
    for gram, chance in ends.items():
        if len(gram) == 2:
            two.append((gram, chance))
            one[gram[1:] if last else gram[:1]] += chance
        elif gram:
            one[gram] += chance
    two.sort(key=_chance, reverse=True)
    return _ranked(one), two


def _join(left: _Ends, right: _Ends, crossing: Dist, least: float) -> _Ends:
    """``left`` then ``right`` (chosen independently); the n-grams crossing from one into the
    other go to ``crossing``."""
    tail1, tail2 = left.tails()
    head1, head2 = right.heads()
    _cross(crossing, tail1, head1, least)
    _cross(crossing, tail2, head1, least)
    _cross(crossing, tail1, head2, least)
    first: Dist = defaultdict(float)
    for gram, chance in left.first.items():
        if len(gram) == 2:
            first[gram] += chance
        elif gram:  # one word: the right part's first word follows it, if it says one
            _cross(first, [(gram, chance)], head1, least)
            if chance * right.empty > least:
                first[gram] += chance * right.empty
    for gram, chance in right.first.items():
        if left.empty * chance > least:
            first[gram] += left.empty * chance
    last: Dist = defaultdict(float)
    for gram, chance in right.last.items():
        if len(gram) == 2:
            last[gram] += chance
        elif gram:
            _cross(last, tail1, [(gram, chance)], least)
            if chance * left.empty > least:
                last[gram] += chance * left.empty
    for gram, chance in left.last.items():
        if right.empty * chance > least:
            last[gram] += right.empty * chance
    return _Ends(first, last)


def _inside(counts: Dist, words: Gram, chance: float) -> None:
    for n in (1, 2, 3):
        for start in range(len(words) - n + 1):
            counts[words[start : start + n]] += chance


def expected_counts(grammar: Grammar, least: float = 1e-6) -> Dist:
    """How many times each unigram, bigram and trigram (with ``<s>`` and ``</s>``) is said in
    one sentence of ``grammar``, on average. A contribution of ``least`` or less is left out. Every
    list must have a value: pass a :meth:`Grammar.pruned` grammar."""
    return _counts(fold(grammar), least)


def fold(grammar: Grammar) -> tuple[Graph, int]:
    """The grammar's distinct parts, and the number of the whole sentence (``<s>``, the root,
    ``</s>``)."""
    graph = Graph(grammar)
    root = graph.node(grammar.root)
    top = graph.part(SEQ, (graph.words((START,)), root, graph.words((END,))))
    return graph, top


def _counts(folded: tuple[Graph, int], least: float) -> Dist:
    graph, top = folded
    kinds, data = graph.kinds, graph.data
    said = [0.0] * len(kinds)  # how often each part is said in one sentence
    said[top] = 1.0
    for number in range(top, -1, -1):  # parents (higher numbers) before their children
        chance = said[number]
        if not chance or kinds[number] == WORDS:
            continue
        if kinds[number] == SEQ:
            for item in data[number]:  # type: ignore[attr-defined]
                said[item] += chance
        else:
            for item, share in data[number]:  # type: ignore[attr-defined]
                said[item] += chance * share
    counts: Dist = defaultdict(float)
    ends: list[_Ends | None] = [None] * len(kinds)
    for number, kind in enumerate(kinds):
        chance = said[number]
        if kind == WORDS:
            words: Gram = data[number]  # type: ignore[assignment]
            ends[number] = _Ends({words[:2]: 1.0}, {words[-2:]: 1.0})
            if chance:
                _inside(counts, words, chance)
            continue
        if not chance:
            continue
        floor = least / chance
        if kind == SEQ:
            items: tuple[int, ...] = data[number]  # type: ignore[assignment]
            crossing: Dist = defaultdict(float)
            joined = ends[items[0]]
            for item in items[1:]:
                joined = _join(joined, ends[item], crossing, floor)  # type: ignore[arg-type]
            ends[number] = joined
            for gram, expected in crossing.items():
                counts[gram] += expected * chance
        else:
            first: Dist = defaultdict(float)
            last: Dist = defaultdict(float)
            for item, share in data[number]:  # type: ignore[attr-defined]
                part = ends[item]
                assert part is not None
                for target, source in ((first, part.first), (last, part.last)):
                    for gram, value in source.items():
                        if share * value > floor:
                            target[gram] += share * value
            ends[number] = _Ends(first, last)
    return counts


def with_prefixes(grammar: Grammar, prefixes: Iterable[str], share: float) -> Grammar:
    """``grammar`` with one of ``prefixes`` (alike) said before ``share`` of its sentences (what
    is left of a wake word before a command), rounded to a twentieth."""
    prefixes = list(prefixes)
    if not prefixes or share <= 0:
        return grammar
    parts = 20
    with_one = round(share * parts)
    root = Alt(
        (Seq((Alt(tuple(Words(p) for p in prefixes)), grammar.root)),) * with_one
        + (grammar.root,) * (parts - with_one)
    )
    return Grammar(root=root, rules=grammar.rules, lists=grammar.lists)
