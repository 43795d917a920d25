"""The sentence templates file: read once, checked whole, compiled into hassil intents.

Every mistake in the file is reported with its file and line (an unknown list or rule, a template
that does not parse, a mood the DJ does not know), so whoever edits the templates can fix them
without reading code.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from hassil import Intents
from hassil.expression import (
    Alternative,
    Expression,
    Group,
    ListReference,
    RuleReference,
    Sentence,
    TextChunk,
)
from hassil.parse_expression import parse_sentence

from appliance.dj.understand_match import rules_as_lists, split_per_sentence
from appliance.dj.understand_opinion import PARTS as OPINION_PARTS
from appliance.errors import ConfigError

SENTENCES_FILE = Path(__file__).with_name("sentences") / "en.yaml"

RUNTIME_LISTS = ("genre", "level", "artist", "album", "title", "named")
"""Lists the code fills in (genre map, volume numbers, library names), not the file."""

FALLBACK_LISTS = ("artist_text", "album_text", "title_text", "any_text")
"""Wildcard lists of the fallback templates: words that may name something in the library."""

PARAPHRASE_LISTS = ("genre", "mood", "activity", "level", "artist", "name")
"""What a paraphrase may leave open: ``{genre}`` stands for any genre, and so on."""

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml when it is there: the file is read at every start, ten times faster."""

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
PLAIN_WORDS = re.compile(r"[a-z' ]+")
"""What a paraphrase or a learned sentence may hold: lower-case words and apostrophes."""


@dataclass(frozen=True)
class Templates:
    """Everything read from one templates file."""

    path: Path
    intents: Intents
    """The templates every utterance is tried against first (rules compiled for matching)."""
    fallback: Intents
    """Looser templates (names as free text) tried when nothing else matched."""
    respellings: dict[str, str]
    slips: dict[str, str]
    number_slips: dict[str, str]
    sample_names: tuple[str, ...]
    words: frozenset[str]
    """Every word written in the templates, rules, skip words and the file's lists."""
    rules: dict[str, Sentence]
    """The expansion rules as written, for expanding templates into sentences."""
    paraphrases: dict[str, tuple[str, ...]]
    """Per intent, sentences in people's own words with ``{list}`` placeholders (for the model
    that catches what the templates miss, and for the recogniser's language model)."""
    digest: str = ""
    """What the file held, in short: files that hold the same share one model."""
    genre_styles: dict[str, str] = field(default_factory=dict)
    """Styles people name a genre by ("hymns", "slow jams") -> the genre the appliance knows."""
    values_said: dict[str, dict[str, str]] = field(default_factory=dict)
    """Per list ({mood}, {activity}), more ways of saying its values ("the night shift": work),
    understood like the list's own but not drawn on for the model's examples."""
    opinions: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """The phrases an opinion of the track is said in, per part of it ("track", "good", ...:
    appliance/dj/understand_opinion.py)."""


def _scalar_lines(text: str) -> dict[str, int]:
    """The first line (1-based) each scalar value appears on, for error messages."""
    lines: dict[str, int] = {}
    try:
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.YAMLError:
        return lines
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            lines.setdefault(node.value, node.start_mark.line + 1)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.extend((key, value))
    return lines


def walk(expression: Expression) -> Iterator[Expression]:
    """Every expression inside ``expression`` (itself included), depth first."""
    stack = [expression]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, Group):
            stack.extend(reversed(node.items))


def chunk_words(expression: Expression) -> set[str]:
    """The literal words written in a template expression."""
    return {
        word
        for node in walk(expression)
        if isinstance(node, TextChunk)
        for word in node.text.split()
    }


class _Checker:
    """Collects every problem of a templates file, each with its line."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = _scalar_lines(text)
        self.problems: list[str] = []

    def add(self, where: object, message: str, near: str = "") -> None:
        """A problem at the line of the scalar ``where``; for something missing, at the line of
        ``near`` (its section), else the file's first line."""
        line = self.lines.get(str(where)) or self.lines.get(near) or 1
        self.problems.append(f"{self.path}:{line}: {message}")

    def parse(self, text: Any) -> Sentence | None:
        if not isinstance(text, str) or not text.strip():
            self.add(str(text), f"a template must be text, not {text!r}")
            return None
        try:
            return parse_sentence(text, keep_text=True)
        except Exception as error:  # hassil raises several kinds for bad syntax
            self.add(text, f"template {text!r} does not parse: {error}")
            return None

    def raise_if_any(self) -> None:
        if self.problems:
            raise ConfigError(
                "the sentence templates are invalid:\n  " + "\n  ".join(self.problems),
                hint="fix the lines named above (template syntax: [optional] (a|b) {list} <rule>)",
            )


def _check_references(
    checker: _Checker,
    sentence: Sentence,
    rules: Mapping[str, Sentence],
    lists: set[str],
) -> None:
    for node in walk(sentence.expression):
        if isinstance(node, ListReference) and node.list_name not in lists:
            checker.add(
                sentence.text or "",
                f"template {sentence.text!r} uses unknown list {{{node.list_name}}}"
                f" (known: {', '.join(sorted(lists))})",
            )
        elif isinstance(node, RuleReference) and node.rule_name not in rules:
            checker.add(
                sentence.text or "",
                f"template {sentence.text!r} uses unknown rule <{node.rule_name}>",
            )


def _check_intents(
    checker: _Checker,
    section: str,
    intents: Any,
    rules: Mapping[str, Sentence],
    lists: set[str],
    allowed: tuple[str, ...],
) -> set[str]:
    """Check one ``intents`` section; return the words its templates use."""
    words: set[str] = set()
    if not isinstance(intents, dict):
        checker.add(section, f"`{section}` must map intent names to their templates")
        return words
    for name, body in intents.items():
        if not isinstance(name, str) or name not in allowed:
            checker.add(
                name, f"unknown intent {name!r} in `{section}` (known: {', '.join(allowed)})"
            )
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, list) or not data:
            checker.add(name, f"intent {name!r} needs `data:` with a list of `sentences:` blocks")
            continue
        for block in data:
            sentences = block.get("sentences") if isinstance(block, dict) else None
            if not isinstance(sentences, list) or not sentences:
                checker.add(name, f"intent {name!r} has a `data` block without `sentences:`")
                continue
            for text in sentences:
                sentence = checker.parse(text)
                if sentence is not None:
                    _check_references(checker, sentence, rules, lists)
                    words |= chunk_words(sentence.expression)
    return words


def _check_list_outputs(
    checker: _Checker, lists: Mapping[str, Any], name: str, allowed: tuple[str, ...]
) -> None:
    body = lists.get(name)
    values = body.get("values") if isinstance(body, dict) else None
    if not isinstance(values, list) or not values:
        checker.add(name, f"list {{{name}}} must have `values:`", near="lists")
        return
    for value in values:
        out = value.get("out") if isinstance(value, dict) else value
        if out not in allowed:
            spoken = value.get("in") if isinstance(value, dict) else value
            checker.add(
                str(spoken),
                f"{{{name}}} value {spoken!r} gives {out!r},"
                f" which is not one of {', '.join(allowed)}",
            )


def _phrase_lists(
    checker: _Checker, data: Mapping[str, Any], key: str, parts: tuple[str, ...]
) -> dict[str, tuple[str, ...]]:
    """A section of named lists of phrases, checked: each name one of ``parts``, each phrase
    lower-case words as a recogniser writes them."""
    found: dict[str, tuple[str, ...]] = {}
    for name, phrases in _mapping(checker, data, key).items():
        if name not in parts:
            checker.add(str(name), f"`{key}` has parts {', '.join(parts)}, not {name!r}")
            continue
        if not isinstance(phrases, list):
            checker.add(str(name), f"`{key}: {name}` must be a list of phrases")
            continue
        kept = []
        for phrase in phrases:
            said = str(phrase)
            if not isinstance(phrase, str):  # a bare no, yes, on or off is read as true/false
                checker.add(
                    str(name),
                    f"`{key}: {name}` holds {said}, not words: put a phrase such as no, yes, on"
                    ' or off in quotes ("no")',
                )
            elif said != " ".join(said.split()) or said != said.lower() or not said:
                checker.add(said, f"`{key}: {name}`: {said!r} must be lower-case words")
            else:
                kept.append(said)
        found[name] = tuple(kept)
    return found


def _values_said(
    checker: _Checker, data: Mapping[str, Any], allowed: Mapping[str, tuple[str, ...]]
) -> dict[str, dict[str, str]]:
    """The ``values_said`` section, checked: a table of words per list it may add to, each
    giving one of that list's values."""
    found: dict[str, dict[str, str]] = {}
    for name, table in _mapping(checker, data, "values_said").items():
        if name not in allowed:
            checker.add(str(name), f"`values_said` may add to {', '.join(allowed)}, not {name!r}")
            continue
        said = _text_table(checker, {"values_said": table}, "values_said")
        for spoken, out in said.items():
            if out not in allowed[name]:
                checker.add(
                    spoken,
                    f"{{{name}}} value {spoken!r} gives {out!r},"
                    f" which is not one of {', '.join(allowed[name])}",
                )
        found[name] = said
    return found


def _check_levels(checker: _Checker, lists: Mapping[str, Any]) -> None:
    """Volume words in {level} must give a whole number from 0 to 100."""
    body = lists.get("level")
    values = body.get("values") if isinstance(body, dict) else None
    for value in values if isinstance(values, list) else ():
        out = value.get("out") if isinstance(value, dict) else None
        if not isinstance(out, int) or isinstance(out, bool) or not 0 <= out <= 100:
            spoken = value.get("in") if isinstance(value, dict) else value
            checker.add(
                str(spoken),
                f"{{level}} value {spoken!r} must give a number from 0 to 100, not {out!r}",
            )


def _list_words(lists: Mapping[str, Any]) -> set[str]:
    """The words of the spoken values of the file's lists."""
    words: set[str] = set()
    for body in lists.values():
        values = body.get("values") if isinstance(body, dict) else None
        for value in values if isinstance(values, list) else ():
            spoken = value.get("in") if isinstance(value, dict) else value
            words.update(str(spoken).split())
    return words


def _text_table(checker: _Checker, data: Mapping[str, Any], key: str) -> dict[str, str]:
    table = data.get(key, {}) or {}
    if not isinstance(table, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in table.items()
    ):
        checker.add(key, f"`{key}` must map words to words")
        return {}
    return dict(table)


@cache
def load_templates(
    path: Path,
    intent_names: tuple[str, ...],
    moods: tuple[str, ...],
    activities: tuple[str, ...],
) -> Templates:
    """Read, check and compile a templates file (once per process and file)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(
            f"{path}: cannot read the sentence templates: {error.strerror or error}",
            hint="reinstall the appliance package; the file ships with it",
        ) from error
    try:
        data = yaml.load(text, Loader=_LOADER)  # a safe loader
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        place = f"{path}:{mark.line + 1 if mark is not None else 1}"
        raise ConfigError(
            f"{place}: the sentence templates are not valid YAML: "
            f"{getattr(error, 'problem', None) or error}",
            hint="check the indentation and quoting on that line",
        ) from error
    if not isinstance(data, dict):
        raise ConfigError(
            f"{path}:1: the sentence templates must be a YAML mapping, not {type(data).__name__}",
            hint="start from the shipped sentences/en.yaml",
        )

    checker = _Checker(path, text)
    rules: dict[str, Sentence] = {}
    written_rules = _mapping(checker, data, "expansion_rules")
    for name, body in written_rules.items():
        if not isinstance(name, str):
            checker.add(str(name), f"expansion rule name {name!r} must be text")
            continue
        sentence = checker.parse(body)
        if sentence is not None:
            rules[name] = sentence
    file_lists = _mapping(checker, data, "lists")
    for name, body in file_lists.items():
        if not isinstance(name, str) or not isinstance(body, dict):
            checker.add(str(name), f"list {name!r} must be a mapping with `values:` or `wildcard:`")
    lists = set(file_lists) | set(RUNTIME_LISTS)
    words: set[str] = set()
    for rule in rules.values():
        _check_references(checker, rule, rules, lists)
        words |= chunk_words(rule.expression)
    main = data.get("intents")
    words |= _check_intents(checker, "intents", main, rules, lists, intent_names)
    if isinstance(main, dict):
        for name in intent_names:
            if name not in main:
                checker.add("intents", f"intent {name!r} has no templates")
    fallback = _mapping(checker, data, "fallback_intents")
    _check_intents(
        checker, "fallback_intents", fallback, rules, lists | set(FALLBACK_LISTS), intent_names
    )
    _check_list_outputs(checker, file_lists, "mood", moods)
    _check_list_outputs(checker, file_lists, "activity", activities)
    _check_levels(checker, file_lists)
    skip_list = data.get("skip_words") or []
    if not isinstance(skip_list, list):
        checker.add("skip_words", "`skip_words` must be a list of words and phrases")
        skip_list = []
    skip_words = [str(word) for word in skip_list]
    paraphrases = _paraphrases(checker, data, intent_names)
    words |= _list_words(file_lists)
    for phrase in skip_words:
        words.update(phrase.split())
    respellings = _text_table(checker, data, "respellings")
    slips = _text_table(checker, data, "slips")
    number_slips = _text_table(checker, data, "number_slips")
    genre_styles = _text_table(checker, data, "genre_styles")
    values_said = _values_said(checker, data, {"mood": moods, "activity": activities})
    opinions = _phrase_lists(checker, data, "opinions", OPINION_PARTS)
    words |= {
        word for phrases in opinions.values() for phrase in phrases for word in phrase.split()
    }
    for table_name, table in (("respellings", respellings), ("slips", slips)):
        for heard in table:
            if heard in words:
                checker.add(
                    heard,
                    f"{table_name} rewrites {heard!r}, a word the templates use: it could never"
                    " match; remove it from one or the other",
                )
    # paraphrases are normalised like what is heard ("lemme" -> "let me"): their words join the
    # vocabulary after the check above, which is about templates
    words |= {
        word
        for intent, texts in paraphrases.items()
        if intent != "unknown"  # chatter's words are not words the DJ listens for
        for text in texts
        for word in _PLACEHOLDER.sub(" ", text).split()
    }
    names = data.get("sample_names") or ()
    if not isinstance(names, list | tuple):
        checker.add("sample_names", "`sample_names` must be a list of names")
        names = ()
    sample_names = tuple(str(name) for name in names)
    checker.raise_if_any()
    assert isinstance(main, dict)  # anything else was reported above

    shared = {
        "language": data.get("language", "en"),
        "expansion_rules": written_rules,
        "skip_words": skip_words,
    }
    fallback_lists = {name: {"wildcard": True} for name in FALLBACK_LISTS}
    try:
        intents = Intents.from_dict(
            {**shared, "intents": split_per_sentence(main), "lists": file_lists}
        )
        fallback_intents = Intents.from_dict(
            {
                **shared,
                "intents": split_per_sentence(fallback),
                "lists": {**file_lists, **fallback_lists},
            }
        )
    except Exception as error:  # hassil's own checks: a shape the checks above let through
        line = checker.lines.get("intents") or 1
        raise ConfigError(
            f"{path}:{line}: the sentence templates cannot be compiled: {error}",
            hint="compare the file's structure with the shipped sentences/en.yaml",
        ) from error
    expansion_rules = dict(intents.expansion_rules)
    rules_as_lists(intents)
    rules_as_lists(fallback_intents)
    return Templates(
        path=path,
        intents=intents,
        fallback=fallback_intents,
        rules=expansion_rules,
        paraphrases=paraphrases,
        respellings=respellings,
        slips=slips,
        number_slips=number_slips,
        sample_names=sample_names,
        words=frozenset(words),
        digest=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        genre_styles=genre_styles,
        values_said=values_said,
        opinions=opinions,
    )


def _mapping(checker: _Checker, data: Mapping[str, Any], key: str) -> dict[Any, Any]:
    """A section that must be a mapping (empty when absent); a problem when it is not."""
    section = data.get(key) or {}
    if not isinstance(section, dict):
        checker.add(key, f"`{key}` must be a mapping, not {type(section).__name__}")
        return {}
    return section


def _paraphrases(
    checker: _Checker, data: Mapping[str, Any], intent_names: tuple[str, ...]
) -> dict[str, tuple[str, ...]]:
    """The ``paraphrases`` section, checked: known intents, plain lower-case words, known
    placeholders."""
    found: dict[str, tuple[str, ...]] = {}
    for name, texts in _mapping(checker, data, "paraphrases").items():
        if not isinstance(name, str) or name not in (*intent_names, "unknown"):
            checker.add(
                str(name),
                f"unknown intent {name!r} in `paraphrases` (known: {', '.join(intent_names)},"
                " and unknown for what is not a request)",
            )
            continue
        if not isinstance(texts, list):
            checker.add(name, f"paraphrases of {name!r} must be a list of sentences")
            continue
        kept = []
        for text in texts:
            if not isinstance(text, str) or not text.strip():
                checker.add(str(text), f"a paraphrase must be text, not {text!r}")
                continue
            unknown = [n for n in _PLACEHOLDER.findall(text) if n not in PARAPHRASE_LISTS]
            plain = _PLACEHOLDER.sub(" ", text)
            if unknown:
                checker.add(
                    text,
                    f"paraphrase {text!r} uses unknown placeholder {{{unknown[0]}}}"
                    f" (known: {', '.join(PARAPHRASE_LISTS)})",
                )
            elif not PLAIN_WORDS.fullmatch(plain):
                checker.add(
                    text,
                    f"paraphrase {text!r} must be lower-case words as a recogniser writes them"
                    " (no digits or punctuation but the apostrophe)",
                )
            else:
                kept.append(" ".join(text.split()))
        found[name] = tuple(kept)
    return found


class Expander:
    """Turns templates into example sentences without expanding every combination.

    Variant 0 of a template is its plainest form: no optional words, the first of every choice.
    Variant ``k`` > 0 takes, at each choice, option ``k`` (shifted per choice, modulo the number
    of options), so a few variants per template use every word in it; each list reference takes
    the list's next value in turn, so over all sentences every value appears.
    """

    def __init__(self, rules: Mapping[str, Sentence], values: Mapping[str, list[str]]) -> None:
        self._rules = rules
        self._values = values
        self._cursor = dict.fromkeys(values, 0)

    def width(self, expression: Expression) -> int:
        """How many variants it takes to use every option of ``expression`` once."""
        widest = 1
        for node in walk(expression):
            if isinstance(node, Alternative):
                widest = max(widest, len(node.items))
            elif isinstance(node, RuleReference) and node.rule_name in self._rules:
                widest = max(widest, self.width(self._rules[node.rule_name].expression))
        return widest + 1

    def next_value(self, list_name: str) -> str:
        values = self._values.get(list_name) or [f"{{{list_name}}}"]
        index = self._cursor.get(list_name, 0)
        self._cursor[list_name] = index + 1
        return values[index % len(values)]

    def unused(self, list_name: str) -> int:
        """How many values of a list no sentence has used yet."""
        return max(0, len(self._values.get(list_name) or ()) - self._cursor.get(list_name, 0))

    def variant(self, expression: Expression, k: int) -> str:
        return " ".join(self._pieces(expression, k, itertools.count()))

    def _pieces(self, expression: Expression, k: int, salt: Iterator[int]) -> Iterator[str]:
        if isinstance(expression, TextChunk):
            yield from expression.text.split()
        elif isinstance(expression, Alternative):
            offset = next(salt)
            items = expression.items
            if k == 0:
                chosen = items[-1] if expression.is_optional else items[0]
            else:
                chosen = items[(k - 1 + offset) % len(items)]
            yield from self._pieces(chosen, k, salt)
        elif isinstance(expression, Group):
            for item in expression.items:
                yield from self._pieces(item, k, salt)
        elif isinstance(expression, ListReference):
            yield from self.next_value(expression.list_name).split()
        elif isinstance(expression, RuleReference):
            yield from self._pieces(self._rules[expression.rule_name].expression, k, salt)
