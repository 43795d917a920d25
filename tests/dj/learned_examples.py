"""Writes appliance/dj/sentences/learned.tsv from the tuning corpora (never the held-out ones).

Run ``python -m tests.dj.learned_examples`` after a tuning corpus changed. Each line said as one
request becomes a learned sentence: normalised as the understanding hears it, with the values it
names replaced by placeholders (``play some {genre}``), and the values it means without naming
them kept as its slots ("put on something heavy": genre=metal).
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

from appliance.dj.understand import Understanding
from appliance.dj.understand_learned import IMPLIED_SLOTS, LEARNED_FILE
from appliance.dj.understand_text import number_words
from tests.support.corpus import (
    SPEECH,
    TALK_TUNING,
    TUNING,
    CorpusLine,
    plain_words,
    read_corpus,
)

CORPORA = Path(__file__).with_name("corpus")
HELDOUT = "heldout.tsv"
CONVERSATION = "conversation.tsv"
HEADER = """\
# What people were heard saying, from the tuning corpora (tests/dj/corpus/tune*.tsv and
# talk_tune*.tsv; never the held-out ones): the model that catches paraphrases learns from them.
# Written by `python -m tests.dj.learned_examples`; lines may be added by hand too.
# intent<TAB>sentence (values as {placeholders})[<TAB>slots meant but not said]
"""

NAMES = ("artist", "album", "title", "query")


def unlearned() -> Understanding:
    """An understanding that has learned nothing (no learned file: its own empty folder, since a
    fixed path such as /nonexistent may exist on a shared machine)."""
    with tempfile.TemporaryDirectory() as folder:
        return Understanding(learned_file=Path(folder) / "learned.tsv")


def _talk_lines(path: Path) -> list[tuple[str, str]]:
    """(text, intent) of a talk tuning file (``text<TAB>intent``)."""
    found = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        parts = raw.split("\t")
        if raw.strip() and not raw.startswith("#") and len(parts) >= 2 and parts[1].strip():
            found.append((parts[0], parts[1].strip()))
    return found


def _replace(words: list[str], phrase: list[str], token: str) -> bool:
    for start in range(len(words) - len(phrase) + 1):
        if phrase and words[start : start + len(phrase)] == phrase:
            words[start : start + len(phrase)] = [token]
            return True
    return False


def learned_line(understanding: Understanding, line: CorpusLine) -> str | None:
    """The learned form of one corpus line (None: several requests, or nothing to learn)."""
    if len(line.intents) != 1:
        return None
    words = understanding._normalise(line.text).split()
    if not words:
        return None
    implied: list[str] = []
    for slot, value in line.slots.items():
        values = value if isinstance(value, tuple) else (value,)
        if slot in IMPLIED_SLOTS:
            spoken = understanding.lexicon.spoken[slot]
            named = [
                (start, size)
                for start, size, _token in understanding.lexicon.spans(words, (slot,))
                if spoken[" ".join(words[start : start + size])] in values
            ]
            for start, size in sorted(named, reverse=True):
                words[start : start + size] = [f"{{{slot}}}"]
            if not named and len(values) == 1:
                implied.append(f"{slot}={values[0]}")
        elif slot in NAMES:
            for one in values:
                _replace(words, understanding._normalise(str(one)).split(), "{artist}")
        elif slot == "name":
            _replace(words, understanding._normalise(str(value)).split(), "{name}")
        elif slot == "level":
            _replace(words, number_words(int(value)).split(), "{level}")  # type: ignore[arg-type]
    text = " ".join(words)
    fields = [line.intents[0], text] + (["; ".join(implied)] if implied else [])
    return "\t".join(fields)


def forms(understanding: Understanding, text: str) -> set[str]:
    """A line as the understanding hears it and as the corpora's leak test compares it."""
    return {understanding._normalise(text), plain_words(text)}


def held_out_texts(understanding: Understanding) -> set[str]:
    """The held-out lines (held-out commands, conversation, and the spoken benchmark the
    held-out voices say) in both forms: a tuning line that says exactly the same ("thank you")
    is not learned, so the held-out figures stay honest. Read by the program only, never
    shown."""
    texts = [line.text for line in read_corpus(CORPORA / HELDOUT)]
    texts += [text for text, _ in _talk_lines(CORPORA / CONVERSATION)]
    texts += [line.text for line in read_corpus(SPEECH)]
    return {form for text in texts for form in forms(understanding, text)}


def learned_lines(
    understanding: Understanding, tuning: Iterable[Path], talk: Iterable[Path]
) -> list[str]:
    """The learned lines of the given corpora, sorted, each once (none said word for word in a
    held-out corpus or the spoken benchmark)."""
    held = held_out_texts(understanding)
    lines: set[str] = set()
    for path in tuning:
        if path.exists():
            for line in read_corpus(path):
                found = learned_line(understanding, line)
                if found is not None and not forms(understanding, line.text) & held:
                    lines.add(found)
    for path in talk:
        if path.exists():
            for text, intent in _talk_lines(path):
                normalised = understanding._normalise(text)
                if normalised and "+" not in intent and not forms(understanding, text) & held:
                    lines.add(f"{intent}\t{normalised}")
    return sorted(lines)


def main(target: Path = LEARNED_FILE) -> None:
    understanding = unlearned()
    lines = learned_lines(
        understanding,
        [CORPORA / name for name in TUNING],
        [CORPORA / name for name in TALK_TUNING],
    )
    target.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"{target}: {len(lines)} sentences", file=sys.stderr)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else LEARNED_FILE)
