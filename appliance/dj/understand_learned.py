"""What people were heard saying: example sentences the model learns from besides the templates.

``sentences/learned.tsv`` holds requests written by people who never saw the templates (the
tuning corpora, one line each), so the model that catches paraphrases learns how people really
talk, not only how the templates expand. A line is ``intent<TAB>sentence[<TAB>slots]``:

- the sentence is lower-case words as a recogniser writes them; a value said in it stands as a
  placeholder (``play some {genre} for {activity}``), so it teaches once for every value;
- the slots, ``name=value; ...``, are those the sentence means without saying them ("my dog
  died": ``mood=sad``): a request close to it that names no value means the same.

A person can add lines by hand; a mistake is reported with the file and line.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

from appliance.dj.understand_templates import PLAIN_WORDS
from appliance.errors import ConfigError

LEARNED_FILE = Path(__file__).with_name("sentences") / "learned.tsv"

IMPLIED_SLOTS = ("genre", "mood", "activity")
"""Slots a sentence may mean without naming them."""

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
_NOTHING: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True, slots=True)  # thousands of lines: no dict of attributes each
class Learned:
    """One sentence heard, with its intent and the slots it means without saying them."""

    intent: str
    text: str
    implied: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class LearnedSet:
    """Every line of a learned file, and a digest of what it held."""

    lines: tuple[Learned, ...]
    digest: str


def load_learned(
    path: Path,
    intents: Collection[str],
    placeholders: Collection[str],
    values: Mapping[str, Collection[str]],
) -> LearnedSet:
    """Read and check ``path``; an absent file is no lines. ``values``: the values each implied
    slot may take (the moods and activities the DJ knows, the genres of the genre map)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return LearnedSet((), "")
    except OSError as error:
        raise ConfigError(f"cannot read the learned sentences {path}: {error.strerror}") from None
    return _parsed(
        path,
        text,
        tuple(intents),
        tuple(placeholders),
        tuple((name, frozenset(allowed)) for name, allowed in values.items()),
    )


@lru_cache(maxsize=2)
def _parsed(
    path: Path,
    text: str,
    intents: tuple[str, ...],
    placeholders: tuple[str, ...],
    values: tuple[tuple[str, frozenset[str]], ...],
) -> LearnedSet:
    """The lines of ``text``, read from ``path``, checked (kept: every understanding of one
    file reads the same thousands of lines, a tenth of a second each time)."""
    allowed = dict(values)
    problems: list[str] = []
    lines: list[Learned] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or raw.startswith("#"):
            continue
        where = f"{path}:{number}"
        parts = raw.split("\t")
        if len(parts) not in (2, 3):
            problems.append(f"{where}: expected intent<TAB>sentence[<TAB>slots]")
            continue
        intent, sentence = parts[0].strip(), " ".join(parts[1].split())
        if intent not in intents:
            problems.append(f"{where}: unknown intent {intent!r}")
            continue
        unknown = [name for name in _PLACEHOLDER.findall(sentence) if name not in placeholders]
        if unknown:
            problems.append(f"{where}: unknown placeholder {{{unknown[0]}}}")
            continue
        if not PLAIN_WORDS.fullmatch(_PLACEHOLDER.sub(" ", sentence)):
            problems.append(f"{where}: the sentence must be lower-case words and placeholders")
            continue
        implied: dict[str, str] = {}
        for item in filter(None, (piece.strip() for piece in (parts[2:] or [""])[0].split(";"))):
            name, equals, value = (piece.strip() for piece in item.partition("="))
            if not equals or name not in IMPLIED_SLOTS:
                problems.append(
                    f"{where}: slot {item!r} is not name=value with a name among"
                    f" {', '.join(IMPLIED_SLOTS)}"
                )
            elif value not in allowed.get(name, ()):
                problems.append(f"{where}: {name}={value!r} is not a {name} the DJ knows")
            else:
                implied[name] = value
        lines.append(Learned(intent, sentence, implied or _NOTHING))  # one empty for all
    if problems:
        raise ConfigError(
            "the learned sentences are invalid:\n  " + "\n  ".join(problems),
            hint="fix the lines named above (one sentence a line: intent, TAB, sentence)",
        )
    return LearnedSet(tuple(lines), hashlib.sha256(text.encode("utf-8")).hexdigest())
