"""A command grammar: the language of the DJ's templates as a small tree, for speech recognisers.

The sentence templates can say billions of sentences ("(play|put on) [some] {genre} [music]
..."), far too many to list for a recogniser; as a tree they are a few hundred nodes. The DJ's
understanding builds it from its templates (:meth:`Understanding.grammar`); a recogniser renders
it in its own form (pocketsphinx: JSGF). It holds no audio and no DJ: just words.
"""

from __future__ import annotations

import enum
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Words:
    """One or more words said in order."""

    text: str


@dataclass(frozen=True)
class Seq:
    """Parts said one after the other."""

    items: tuple[Node, ...]


@dataclass(frozen=True)
class Alt:
    """One of several parts; ``optional``: or nothing."""

    items: tuple[Node, ...]
    optional: bool = False


@dataclass(frozen=True)
class Ref:
    """A named rule or list of the grammar."""

    name: str


Node = Words | Seq | Alt | Ref


@dataclass
class Grammar:
    """``root``: what may be said; ``rules``: shared parts; ``lists``: names and values."""

    root: Node
    rules: dict[str, Node] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)

    def words(self) -> set[str]:
        """Every word the grammar can produce."""
        found: set[str] = set()
        for node in (self.root, *self.rules.values()):
            for part in walk(node):
                if isinstance(part, Words):
                    found.update(part.text.split())
        for values in self.lists.values():
            for value in values:
                found.update(value.split())
        return found

    def sample(self, rng: random.Random) -> str:
        """One sentence the grammar can say, chosen at random (an optional part half the time).
        Every list must have a value: sample a :meth:`pruned` grammar."""
        words: list[str] = []
        stack: list[Node] = [self.root]
        while stack:
            node = stack.pop()
            if isinstance(node, Words):
                words.append(node.text)
            elif isinstance(node, Ref):
                if node.name in self.lists:
                    words.append(rng.choice(self.lists[node.name]))
                else:
                    stack.append(self.rules[node.name])
            elif isinstance(node, Seq):
                stack.extend(reversed(node.items))
            elif node.items and not (node.optional and rng.random() < 0.5):
                stack.append(rng.choice(node.items))
        return " ".join(words)

    def pruned(self, known: Callable[[str], bool]) -> Grammar:
        """The grammar without anything that needs a word ``known`` rejects.

        An alternative that cannot be said is dropped; a sequence with a part that cannot be said
        cannot be said either; list values with unknown words leave their list.
        """
        lists = {
            name: [v for v in values if all(known(w) for w in v.split())]
            for name, values in self.lists.items()
        }
        lists = {name: values for name, values in lists.items() if values}
        rules: dict[str, Node] = {}
        pending = dict(self.rules)
        # rules may use rules: prune until nothing changes
        while True:
            changed = False
            for name, node in list(pending.items()):
                kept = _prune(node, known, rules, lists, pending)
                if kept is _UNDECIDED:
                    continue
                del pending[name]
                changed = True
                if kept is not None:
                    rules[name] = kept
            if not changed:
                break
        root = _prune(self.root, known, rules, lists, {})
        if root is None or root is _UNDECIDED:
            raise ValueError("nothing in the grammar can be said with the known words")
        return Grammar(root=root, rules=rules, lists=lists)


class _Undecided(enum.Enum):
    """A rule that uses a rule not pruned yet: decided on a later pass."""

    UNDECIDED = enum.auto()


_UNDECIDED = _Undecided.UNDECIDED


def _prune(
    node: Node,
    known: Callable[[str], bool],
    rules: dict[str, Node],
    lists: dict[str, list[str]],
    pending: dict[str, Node],
) -> Node | _Undecided | None:
    if isinstance(node, Words):
        return node if all(known(w) for w in node.text.split()) else None
    if isinstance(node, Ref):
        if node.name in pending:
            return _UNDECIDED
        return node if node.name in rules or node.name in lists else None
    if isinstance(node, Seq):
        items = []
        for item in node.items:
            kept = _prune(item, known, rules, lists, pending)
            if kept is None or kept is _UNDECIDED:
                return kept
            items.append(kept)
        return Seq(tuple(items))
    kept_items = []
    for item in node.items:
        kept = _prune(item, known, rules, lists, pending)
        if kept is _UNDECIDED:
            return kept
        if kept is not None:
            kept_items.append(kept)
    if not kept_items:
        return Alt((), optional=True) if node.optional else None
    return Alt(tuple(kept_items), optional=node.optional)


def walk(node: Node) -> Iterator[Node]:
    """The node and every node below it (not following references)."""
    yield node
    if isinstance(node, Seq | Alt):
        for item in node.items:
            yield from walk(item)
