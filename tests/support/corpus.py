"""The hand-written corpora (tests/dj/corpus/*.tsv, tests/benchmarks/speech_commands.tsv), read
once here so the tests and the benchmarks agree on what a line means.

A line is ``text<TAB>intents<TAB>slots``; intents are joined with "+" in the order spoken, slots
are ``name=value; name=value``, several values of one slot joined with "|". A chatter file may
give the text alone, which reads as intent "unknown". A malformed line raises CorpusError naming
the file and line, so a typo in the data reads as a typo, not as a traceback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from appliance.dj import understand_intent

SlotValue = str | int | tuple[str, ...]

INTENTS = frozenset(
    [
        "play",
        "skip",
        "like",
        "dislike",
        "replay",
        "pause",
        "resume",
        "stop",
        "volume_up",
        "volume_down",
        "set_volume",
        "whats_playing",
        "add_preference",
        "remove_preference",
        "forget_preference",
        "mood",
        "community",
        "greet",
        "help",
        "identify",
        "correct",
        "unknown",
    ]
)
SLOTS = frozenset(
    ["genre", "mood", "activity", "artist", "album", "title", "query", "level", "name"]
)
MOODS = frozenset(understand_intent.MOODS)
ACTIVITIES = frozenset(understand_intent.ACTIVITIES)
# The music library every corpus line assumes (lower case, as the appliance names things).
ARTISTS = frozenset(
    ["miles davis", "sade", "daft punk", "norah jones", "bob marley", "nina simone"]
)
ALBUMS = frozenset(
    ["kind of blue", "diamond life", "random access memories", "come away with me", "exodus"]
)
TITLES = frozenset(
    [
        "so what",
        "smooth operator",
        "get lucky",
        "don't know why",
        "redemption song",
        "feeling good",
        "one more time",
    ]
)

# The tuning corpora (tests/dj/corpus/), in one list: the learned sentences are made of them, the
# leak test checks each against every held-out file, and the conversation benchmark does not
# score a line written in them. Intent-labelled (text, intents, slots) first, then talk corpora
# (text, kind).
TUNING = (
    *("tune.tsv", "tune2.tsv", "tune3.tsv", "tune_u.tsv", "tune4.tsv", "tune5.tsv"),
    *("tune6.tsv", "tune7.tsv"),
)
TALK_TUNING = (
    *("talk_tune.tsv", "talk_tune2.tsv", "talk_tune3.tsv"),
    *("talk_tune_a.tsv", "talk_tune4.tsv", "talk_tune6.tsv", "talk_tune7.tsv"),
)
HELD_OUT = ("heldout.tsv", "conversation.tsv")
"""Never learned, never read line by line: measured as totals only (with
tests/benchmarks/speech_commands.tsv, which the held-out voices say)."""


SPEECH = Path(__file__).resolve().parents[1] / "benchmarks" / "speech_commands.tsv"
"""The spoken benchmark: what the held-out voices say, so held out as well."""


def plain_words(text: str) -> str:
    """Text as a recogniser would hear it (case, punctuation and spacing do not make a line new):
    how a tuning line is compared with the held-out ones."""
    return " ".join(re.sub(r"[^\w' ]+", " ", text.lower()).split())


class CorpusError(ValueError):
    """A corpus line that does not follow the format; the message names file and line."""


@dataclass(frozen=True)
class CorpusLine:
    text: str
    intents: tuple[str, ...]
    slots: dict[str, SlotValue] = field(default_factory=dict)
    where: str = ""  # "file:line", for failure messages

    @property
    def intent(self) -> str:
        """The first intent spoken (the only one for most lines)."""
        return self.intents[0]


def _slot_value(name: str, raw: str, where: str) -> SlotValue:
    if name == "level":
        if not raw.isdigit() or not 0 <= int(raw) <= 100:
            raise CorpusError(f"{where}: level must be a whole number 0..100, got {raw!r}")
        return int(raw)
    values = tuple(part.strip() for part in raw.split("|"))
    if any(not value for value in values):
        raise CorpusError(f"{where}: empty value in slot {name}={raw!r}")
    return values[0] if len(values) == 1 else values


def parse_slots(raw: str, where: str) -> dict[str, SlotValue]:
    """``genre=rock|jazz; artist=sade`` -> {"genre": ("rock", "jazz"), "artist": "sade"}."""
    slots: dict[str, SlotValue] = {}
    for item in filter(None, (part.strip() for part in raw.split(";"))):
        name, equals, value = item.partition("=")
        name = name.strip()
        if not equals or not name:
            raise CorpusError(f"{where}: slot {item!r} is not name=value")
        if name in slots:
            raise CorpusError(f"{where}: slot {name!r} given twice; join values with '|'")
        slots[name] = _slot_value(name, value.strip(), where)
    return slots


def parse_line(line: str, where: str) -> CorpusLine:
    columns = line.split("\t")
    if len(columns) == 1:
        text, intents, slots = columns[0], "unknown", ""
    elif len(columns) == 3:
        text, intents, slots = columns
    else:
        raise CorpusError(f"{where}: expected 1 or 3 tab-separated columns, got {len(columns)}")
    text = text.strip()
    if not text:
        raise CorpusError(f"{where}: empty text")
    names = tuple(part.strip() for part in intents.split("+"))
    if not all(names):
        raise CorpusError(f"{where}: empty intent in {intents!r}")
    return CorpusLine(text, names, parse_slots(slots, where), where)


def read_corpus(path: Path) -> list[CorpusLine]:
    """Every line of a corpus file, skipping blank lines and '#' comments."""
    lines = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        lines.append(parse_line(line.rstrip("\r"), f"{path.name}:{number}"))
    return lines
