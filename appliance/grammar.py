"""A command grammar: the language of the DJ's templates as a small tree, for speech recognisers.

The sentence templates can say billions of sentences ("(play|put on) [some] {genre} [music]
..."), far too many to list for a recogniser; as a tree they are a few hundred nodes. The DJ's
understanding builds it from its templates (:meth:`Understanding.grammar`); a recogniser renders
it in its own form (pocketsphinx: JSGF). It holds no audio and no DJ: just words.
"""

from __future__ import annotations

import enum
import hashlib
import random
from collections.abc import Callable
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
        seen: set[int] = set()  # a part shared by many sentences is looked at once
        stack: list[Node] = [self.root, *self.rules.values()]
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            if isinstance(node, Words):
                found.update(node.text.split())
            elif isinstance(node, Seq | Alt):
                stack.extend(node.items)
        for values in self.lists.values():
            for value in values:
                found.update(value.split())
        return found

    def digest(self) -> str:
        """A hash of everything the grammar can say and how (its rules and lists by name): the
        same for the same grammar in any process. A part shared by many sentences is hashed
        once, where its text would be written out each time it is met."""
        done: dict[int, bytes] = {}

        def of(node: Node) -> bytes:
            found = done.get(id(node))
            if found is None:
                if isinstance(node, Words):
                    made = b"W" + node.text.encode()
                elif isinstance(node, Ref):
                    made = b"R" + node.name.encode()
                else:
                    made = b"S" if isinstance(node, Seq) else b"A1" if node.optional else b"A0"
                    made += b"".join(of(item) for item in node.items)
                found = done[id(node)] = hashlib.sha256(made).digest()
            return found

        digest = hashlib.sha256(of(self.root))
        for name, node in sorted(self.rules.items()):
            digest.update(b"\x00rule " + name.encode() + b"\x00" + of(node))
        for name, values in sorted(self.lists.items()):
            digest.update(b"\x00list " + name.encode() + b"\x00" + "\x1f".join(values).encode())
        return digest.hexdigest()

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
                kept = _Pruning(known, rules, lists, pending).of(node)
                if kept is _UNDECIDED:
                    continue
                del pending[name]
                changed = True
                if kept is not None:
                    rules[name] = kept
            if not changed:
                break
        root = _Pruning(known, rules, lists, {}).of(self.root)
        if root is None or root is _UNDECIDED:
            raise ValueError("nothing in the grammar can be said with the known words")
        return Grammar(root=root, rules=rules, lists=lists)


class _Undecided(enum.Enum):
    """A rule that uses a rule not pruned yet: decided on a later pass."""

    UNDECIDED = enum.auto()


_UNDECIDED = _Undecided.UNDECIDED


_Pruned = Node | _Undecided | None
"""A part pruned: kept (maybe smaller), dropped (None), or not decided on this pass."""


class _Pruning:
    """One part of a grammar pruned, while ``rules`` and ``pending`` stay as they are: a part
    the templates share (most are met many times) is pruned once."""

    def __init__(
        self,
        known: Callable[[str], bool],
        rules: dict[str, Node],
        lists: dict[str, list[str]],
        pending: dict[str, Node],
    ) -> None:
        self._known = known
        self._rules = rules
        self._lists = lists
        self._pending = pending
        self._done: dict[int, _Pruned] = {}

    def of(self, node: Node) -> _Pruned:
        if id(node) in self._done:
            return self._done[id(node)]
        kept: _Pruned
        if isinstance(node, Words):
            kept = node if all(self._known(w) for w in node.text.split()) else None
        elif isinstance(node, Ref):
            if node.name in self._pending:
                kept = _UNDECIDED
            else:
                kept = node if node.name in self._rules or node.name in self._lists else None
        elif isinstance(node, Seq):
            kept = self._seq(node)
        else:
            kept = self._alt(node)
        self._done[id(node)] = kept
        return kept

    def _seq(self, node: Seq) -> _Pruned:
        items = []
        for item in node.items:
            kept = self.of(item)
            if kept is None or kept is _UNDECIDED:
                return kept
            items.append(kept)
        return Seq(tuple(items))

    def _alt(self, node: Alt) -> _Pruned:
        kept_items = []
        for item in node.items:
            kept = self.of(item)
            if kept is _UNDECIDED:
                return kept
            if kept is not None:
                kept_items.append(kept)
        if not kept_items:
            return Alt((), optional=True) if node.optional else None
        return Alt(tuple(kept_items), optional=node.optional)
