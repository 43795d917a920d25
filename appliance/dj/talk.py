"""The DJ's phrasebook as data (``sentences/talk.yaml``) and its small talk.

Small talk stays in character and follows trust: a listener the DJ is still getting to know is
asked and encouraged, a close friend is teased. Every line comes from the file, so a person adds
phrasings, jokes and facts without touching code; the pool (appliance/dj/pool.py) keeps any of
them from coming back within the last answers. A line may offer choices, ``[Sure|Okay], turning
it up[| a notch].``: it stands for each of its phrasings (here four), so that every situation
has more phrasings than the answers the pool remembers without pages of near-copies.
"""

from __future__ import annotations

import itertools
import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from appliance.dj.pool import LinePool
from appliance.dj.understand_templates import _scalar_lines
from appliance.errors import ConfigError

TALK_FILE = Path(__file__).with_name("sentences") / "talk.yaml"

SECTIONS = ("talk", "answers", "me", "follow", "lines")
"""The file's sections: small talk, answers about the music, about the listener, follow-ups,
and the phrasings of the DJ's everyday lines."""

BANDS = ("any", "new", "close")
"""Who a small-talk line is for: everyone, a listener the DJ barely knows, a close friend."""

SMALL_TALK = frozenset(
    {
        "thanks",
        "bye",
        "how_are_you",
        "who_are_you",
        "dj_opinion",
        "compliment",
        "complaint",
        "joke",
        "fact",
    }
)
"""Intents answered with small talk alone (nothing changes but the conversation)."""

NEW_BELOW = 0.5
"""Trust under this is a Stranger or an Acquaintance: asked, not teased."""

CLOSE_FROM = 0.7
"""Trust from this is a Close or Best Friend: teased."""

_FIELD = re.compile(r"\{([A-Za-z_]+)\}")
_CHOICE = re.compile(r"\[([^\[\]]*)\]")
_NAMED = re.compile(r"\{[Nn]ame\}")


def phrasings(text: str) -> list[str]:
    """Every phrasing a line stands for: each ``[a|b|c]`` is one of its choices (an empty choice
    leaves it out), in order, the first choices first; spacing tidied."""
    parts = _CHOICE.split(text)  # text, choices, text, choices, ..., text
    options = [part.split("|") if index % 2 else [part] for index, part in enumerate(parts)]
    found = (" ".join("".join(pieces).split()) for pieces in itertools.product(*options))
    tidy = (re.sub(r"\s+([,.!?;:])", r"\1", line) for line in found)
    return list(dict.fromkeys(tidy))


def _expanded(texts: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(line for text in texts for line in phrasings(text)))


@dataclass(frozen=True)
class Phrasebook:
    """The file, read and checked: section -> situation -> phrasings (small talk per band)."""

    talk: Mapping[str, Mapping[str, tuple[str, ...]]]
    sections: Mapping[str, Mapping[str, Any]]

    def lines(self, section: str, situation: str) -> tuple[str, ...]:
        """The phrasings of a situation of ``answers``, ``me``, ``follow`` or ``lines``."""
        found = self.sections.get(section, {}).get(situation, ())
        return tuple(found) if isinstance(found, list | tuple) else ()

    def meanings(self, level: str) -> tuple[str, ...]:
        """What a trust level means, in the DJ's words (several phrasings)."""
        meanings = self.sections.get("me", {}).get("trust_meaning", {})
        found = meanings.get(level, ()) if isinstance(meanings, Mapping) else ()
        return (found,) if isinstance(found, str) else tuple(found)


@cache
def load_phrasebook(path: Path = TALK_FILE) -> Phrasebook:
    """Read and check the phrasebook (once per process and file); a mistake is a ConfigError
    naming the file, the line and the key."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"cannot read the DJ's phrasebook {path}: {error.strerror}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        raise ConfigError(
            f"{where}: the DJ's phrasebook is not valid YAML",
            hint="keep each line a quoted string under its situation",
        ) from None
    lines = _scalar_lines(text)
    problems: list[str] = []

    def problem(key: str, message: str) -> None:
        problems.append(f"{path}:{lines.get(key.rsplit('.', 1)[-1], 1)}: {key}: {message}")

    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the DJ's phrasebook must map sections to situations")
    for name in data:
        if name not in SECTIONS:
            problem(str(name), f"unknown section (known: {', '.join(SECTIONS)})")
    talk: dict[str, dict[str, tuple[str, ...]]] = {}
    for situation, bands in (data.get("talk") or {}).items():
        if not isinstance(bands, dict) or not isinstance(bands.get("any"), list):
            problem(f"talk.{situation}", "needs an `any` list of lines")
            continue
        talk[situation] = {}
        for band, texts in bands.items():
            if band not in BANDS:
                problem(f"talk.{situation}.{band}", f"unknown band (known: {', '.join(BANDS)})")
            elif not _strings(texts):
                problem(f"talk.{situation}.{band}", "must be a list of quoted lines")
            else:
                talk[situation][band] = _expanded(texts)
                problems.extend(_bad_fields(path, lines, texts))
    for situation in (SMALL_TALK | {"hello_again", "nothing_playing"}) - talk.keys():
        problem(f"talk.{situation}", "is missing: the DJ needs lines for it")
    sections: dict[str, dict[str, Any]] = {}
    for section in SECTIONS[1:]:
        body = data.get(section) or {}
        if not isinstance(body, dict):
            problem(section, "must map situations to lists of lines")
            continue
        kept: dict[str, Any] = {}
        for situation, texts in body.items():
            if isinstance(texts, dict) and situation == "trust_meaning":
                kept[situation] = {
                    level: _expanded([found] if isinstance(found, str) else found)
                    for level, found in texts.items()
                }
                continue
            if not _strings(texts) or not texts:
                problem(f"{section}.{situation}", "must be a non-empty list of quoted lines")
            else:
                problems.extend(_bad_fields(path, lines, texts))
                kept[situation] = _expanded(texts)
        sections[section] = kept
    if problems:
        raise ConfigError(
            "the DJ's phrasebook is invalid:\n  " + "\n  ".join(problems),
            hint="fix the lines named above; {placeholders} are letters and _ only",
        )
    return Phrasebook(talk, sections)


def _strings(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) and item.strip() for item in value)


def _bad_fields(path: Path, lines: Mapping[str, int], texts: Sequence[str]) -> list[str]:
    """Lines whose braces are not simple ``{placeholders}``, or whose choices are not closed."""
    bad = []
    for text in texts:
        if _CHOICE.sub("", text).count("[") or _CHOICE.sub("", text).count("]"):
            bad.append(f"{path}:{lines.get(text, 1)}: {text!r}: a [choice|choice] not closed")
            continue
        try:
            names = [field for _, field, _, _ in string.Formatter().parse(text) if field]
        except ValueError:
            names = ["?"]
        if any(not _FIELD.fullmatch("{" + name + "}") for name in names):
            bad.append(f"{path}:{lines.get(text, 1)}: {text!r}: a brace that is no placeholder")
    return bad


def band(trust: float) -> str:
    """The small-talk band for a trust score."""
    if trust < NEW_BELOW:
        return "new"
    if trust >= CLOSE_FROM:
        return "close"
    return "any"


def fill(text: str, fields: Mapping[str, object]) -> str:
    """``text`` with its placeholders filled: ``{name}`` as given, ``{Name}`` with a capital
    first letter; a placeholder without a value is left out."""

    def value(match: re.Match[str]) -> str:
        key = match.group(1)
        found = fields.get(key, fields.get(key.lower(), ""))
        words = str(found if found is not None else "")
        return words[:1].upper() + words[1:] if key[:1].isupper() else words

    return " ".join(_FIELD.sub(value, text).split())


def sayable(texts: Sequence[str], fields: Mapping[str, object]) -> list[str]:
    """The phrasings that fit ``fields``: when ``name`` is given empty (the DJ knows no name to
    call the listener by), none that calls them by it, unless every one does."""
    if "name" not in fields or fields["name"]:
        return list(texts)
    unnamed = [text for text in texts if not _NAMED.search(text)]
    return unnamed or list(texts)


class Talk:
    """Picks and fills lines from the phrasebook, never one said in the last answers."""

    def __init__(self, pool: LinePool, book: Phrasebook | None = None) -> None:
        self.pool = pool
        self.book = book or load_phrasebook()

    def say(self, section: str, situation: str, shuffle: bool = True, **fields: object) -> str:
        """A phrasing of ``situation`` in ``section`` (answers, me, follow, lines), filled in."""
        return self.phrase(section, situation, fields, shuffle)

    def phrase(
        self, section: str, situation: str, fields: Mapping[str, object], shuffle: bool = True
    ) -> str:
        """:meth:`say` with the placeholders' values in a mapping."""
        lines = sayable(self.book.lines(section, situation), fields)
        options = [fill(text, fields) for text in lines]
        return self.pool.choose(options, shuffle=shuffle)

    def small_talk(self, kind: str, trust: float, **fields: object) -> str:
        """The answer to small talk (``kind``: one of SMALL_TALK), in tune with trust: about half
        the time one of the lines for the listener's band, when it has any."""
        lines = self.book.talk.get(kind, {})
        common = [fill(text, fields) for text in sayable(lines.get("any", ()), fields)]
        extra = band(trust)
        own = []
        if extra != "any":
            own = [fill(text, fields) for text in sayable(lines.get(extra, ()), fields)]
        if own and self.pool.coin():
            return self.pool.choose(self.pool.shuffled(own) + self.pool.shuffled(common))
        return self.pool.choose(common + own, shuffle=True)
