"""The hand-written corpora stay well-formed and as large as the benchmarks need.

A typo in a corpus (an unknown intent, a genre the appliance does not know, a level of 110, a
held-out line copied into the tuning set) would silently skew every score measured on it; these
checks catch it where it is written.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from appliance.library.genres import default_genres
from tests.benchmarks.bench_conversation import FACTUAL, FOLLOW_UPS
from tests.support.corpus import (
    ACTIVITIES,
    ALBUMS,
    ARTISTS,
    INTENTS,
    MOODS,
    SLOTS,
    TALK_TUNING,
    TITLES,
    TUNING,
    CorpusError,
    CorpusLine,
    plain_words,
    read_corpus,
)

TESTS = Path(__file__).resolve().parents[1]
COVERED = INTENTS - {"forget_preference"}
"""Intents every command set must ask for: forgetting a liking ("take jazz off my likes") is
rare, and the sets written before it was an intent never label it."""
CORPUS = TESTS / "dj" / "corpus"
HELDOUT = CORPUS / "heldout.tsv"
TUNE = CORPUS / "tune.tsv"
TUNE2 = CORPUS / "tune2.tsv"
TUNE_U = CORPUS / "tune_u.tsv"  # the understanding's own tuning lines
TUNE3 = CORPUS / "tune3.tsv"
TUNE4 = CORPUS / "tune4.tsv"
TUNE5 = CORPUS / "tune5.tsv"
TUNE6 = CORPUS / "tune6.tsv"  # a development set, learned
TUNE7 = CORPUS / "tune7.tsv"  # a development set, learned
TUNE8 = CORPUS / "tune8.tsv"  # a development set, not learned (it costs a follow-up)
TUNE9 = CORPUS / "tune9.tsv"  # a development set, not learned
TUNE10 = CORPUS / "tune10.tsv"  # a development set, not learned
TUNE11 = CORPUS / "tune11.tsv"  # a development set, not learned
TUNE12 = CORPUS / "tune12.tsv"  # a development set, not learned
TUNE13 = CORPUS / "tune13.tsv"  # a development set, not learned
TUNE14 = CORPUS / "tune14.tsv"  # a development set, not learned
TUNE15 = CORPUS / "tune15.tsv"  # a development set, not learned
TUNE16 = CORPUS / "tune16.tsv"  # a development set, not learned
TUNE17 = CORPUS / "tune17.tsv"  # a development set, not learned
TUNE18 = CORPUS / "tune18.tsv"  # never learned: a fresh check
TALK = CORPUS / "talk_tune.tsv"
TALK2 = CORPUS / "talk_tune2.tsv"
TALK3 = CORPUS / "talk_tune3.tsv"
TALK4 = CORPUS / "talk_tune4.tsv"
TALK5 = CORPUS / "talk_tune5.tsv"  # a development set, not learned (it lets chatter through)
TALK6 = CORPUS / "talk_tune6.tsv"  # a development set, learned
TALK7 = CORPUS / "talk_tune7.tsv"  # a development set, learned
TALK8 = CORPUS / "talk_tune8.tsv"  # a development set, not learned (it lets chatter through)
TALK9 = CORPUS / "talk_tune9.tsv"  # a development set, not learned
TALK10 = CORPUS / "talk_tune10.tsv"  # a development set, not learned
TALK11 = CORPUS / "talk_tune11.tsv"  # a development set, not learned
TALK12 = CORPUS / "talk_tune12.tsv"  # a development set, not learned
TALK13 = CORPUS / "talk_tune13.tsv"  # a development set, not learned
TALK14 = CORPUS / "talk_tune14.tsv"  # a development set, not learned
TALK15 = CORPUS / "talk_tune15.tsv"  # a development set, not learned (the benchmark's own kinds)
TALK16 = CORPUS / "talk_tune16.tsv"  # a development set, not learned (the benchmark's own kinds)
TALK17 = CORPUS / "talk_tune17.tsv"  # never learned: a fresh check (the benchmark's own kinds)
CONVERSATION = CORPUS / "conversation.tsv"
CHATTER = CORPUS / "chatter.tsv"
SPEECH = TESTS / "benchmarks" / "speech_commands.tsv"
ALL = [
    *(HELDOUT, TUNE, TUNE2, TUNE3, TUNE4, TUNE5, TUNE6, TUNE7, TUNE8, TUNE9, TUNE10, TUNE11),
    *(TUNE12, TUNE13, TUNE14, TUNE15, TUNE16, TUNE17, TUNE18, TUNE_U, CHATTER, SPEECH),
]

NAMED = {"artist": ARTISTS, "album": ALBUMS, "title": TITLES, "mood": MOODS, "activity": ACTIVITIES}


def _values(value: str | int | tuple[str, ...]) -> tuple[str | int, ...]:
    return value if isinstance(value, tuple) else (value,)


def _normalised(text: str) -> str:
    """Text as a recogniser would hear it: case, punctuation and spacing do not make it new."""
    return plain_words(text)


def _count(lines: list[CorpusLine], intent: str) -> int:
    return sum(intent in line.intents for line in lines)


def _problems(line: CorpusLine, genres: set[str]) -> list[str]:
    """What is wrong with one line's intents and slots (nothing, for a good line)."""
    where = line.where
    problems = [f"{where}: unknown intent {i!r}" for i in line.intents if i not in INTENTS]
    if "unknown" in line.intents and (len(line.intents) > 1 or line.slots):
        problems.append(f"{where}: 'unknown' stands alone, without slots")
    volume = "set_volume" in line.intents
    if volume != ("level" in line.slots) and "correct" not in line.intents:
        problems.append(f"{where}: level goes with set_volume (or a correction)")
    for name, value in line.slots.items():
        known = genres if name == "genre" else NAMED.get(name)
        if name not in SLOTS:
            problems.append(f"{where}: unknown slot {name!r}")
        elif any(isinstance(v, str) and v != v.lower() for v in _values(value)):
            problems.append(f"{where}: {name}={value!r} should be lower case")
        elif known is not None:
            problems += [
                f"{where}: {name}={v!r} is not one the appliance knows"
                for v in _values(value)
                if v not in known
            ]
    return problems


@pytest.mark.parametrize("path", ALL, ids=lambda path: path.name)
def test_every_line_names_known_intents_and_slot_values(path: Path) -> None:
    genres = set(default_genres().names())
    problems = [problem for line in read_corpus(path) for problem in _problems(line, genres)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", ALL, ids=lambda path: path.name)
def test_no_line_is_written_twice_in_a_file(path: Path) -> None:
    counts = Counter(line.text for line in read_corpus(path))
    assert [text for text, n in counts.items() if n > 1] == []


def test_the_second_tuning_set_covers_every_intent() -> None:
    lines = read_corpus(TUNE2)
    assert len(lines) >= 700
    assert {i: _count(lines, i) for i in COVERED if _count(lines, i) < 20} == {}
    assert _count(lines, "play") >= 150
    assert _count(lines, "unknown") >= 80
    play_slots = {name for line in lines if "play" in line.intents for name in line.slots}
    assert play_slots >= {"genre", "mood", "activity", "artist", "album", "title", "query"}


def _talk(path: Path) -> list[tuple[str, str]]:
    """(text, kind) per line of a talk corpus (text<TAB>kind), as the conversation benchmark
    reads it."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip() and not line.startswith("#"):
            parts = line.split("\t")
            assert len(parts) == 2 and all(p.strip() for p in parts), f"{path.name}:{number}"
            rows.append((parts[0].strip(), parts[1].strip()))
    return rows


@pytest.mark.parametrize(
    "path",
    [
        *(TALK2, TALK3, TALK4, TALK5, TALK6, TALK7, TALK8, TALK9),
        *(TALK10, TALK11, TALK12, TALK13, TALK14, TALK15, TALK16, TALK17),
    ],
    ids=lambda path: path.name,
)
def test_the_second_talk_tuning_set_is_well_formed(path: Path) -> None:
    rows = _talk(path)
    assert len(rows) >= 250
    kinds = {kind for _, kind in _talk(TALK)} | {"replay"}  # "play that one again"
    if path in (TALK15, TALK16, TALK17):  # labelled as the held-out conversation's kinds
        kinds |= FACTUAL | FOLLOW_UPS | INTENTS
    assert [f"{text!r}: {kind}" for text, kind in rows if kind not in kinds] == []
    counts = Counter(_normalised(text) for text, _ in rows)
    assert [text for text, n in counts.items() if n > 1] == []


# Lines tuning corpora written before this check share with a held-out file (written apart, the
# same everyday words: "pause", "thank you"); a ceiling, so no new overlap comes in. Every later
# corpus shares none. tests/dj/learned_examples.py learns none of them: none shared with
# heldout.tsv, conversation.tsv or the spoken benchmark (compared as here, and as the
# understanding hears them).
OLDER_OVERLAP = {
    ("tune.tsv", "conversation.tsv"): 7,
    ("talk_tune.tsv", "conversation.tsv"): 32,
    ("talk_tune.tsv", "heldout.tsv"): 2,
    ("tune.tsv", "speech_commands.tsv"): 2,
    ("tune2.tsv", "speech_commands.tsv"): 7,
    ("tune_u.tsv", "speech_commands.tsv"): 1,
    ("talk_tune_a.tsv", "speech_commands.tsv"): 1,
}


def _tuning_texts() -> dict[str, list[str]]:
    """Every tuning corpus's texts by file name: the learned ones (corpus.TUNING, TALK_TUNING)
    and any tune*.tsv / talk_tune*.tsv written but not learned yet."""
    names = {*TUNING, *TALK_TUNING}
    names |= {
        path.name for pattern in ("tune*.tsv", "talk_tune*.tsv") for path in CORPUS.glob(pattern)
    }
    return {
        name: [text for text, _ in _talk(CORPUS / name)]
        if name.startswith("talk_")
        else [line.text for line in read_corpus(CORPUS / name)]
        for name in sorted(names)
    }


def test_no_held_out_line_leaks_into_any_tuning_set() -> None:
    """Every tuning corpus against every held-out file (the held-out commands, the held-out
    conversation, the spoken benchmark the held-out voices say); only counts are shown, since a
    held-out line printed here would be read and tuned on."""
    held = {
        HELDOUT.name: {_normalised(line.text) for line in read_corpus(HELDOUT)},
        CONVERSATION.name: {_normalised(text) for text, _ in _talk(CONVERSATION)},
        SPEECH.name: {_normalised(line.text) for line in read_corpus(SPEECH)},
    }
    texts = _tuning_texts()
    assert {*TUNING, *TALK_TUNING, "tune5.tsv", "talk_tune5.tsv"} <= set(texts)
    leaks = []
    for name, lines in texts.items():
        normalised = {_normalised(text) for text in lines}
        for held_name, held_texts in held.items():
            leaked = len(normalised & held_texts)
            allowed = OLDER_OVERLAP.get((name, held_name), 0)
            if leaked > allowed:
                leaks.append(f"{leaked} lines of {name} are lines of {held_name}")
    assert leaks == []


def test_the_held_out_set_covers_every_intent_and_style() -> None:
    lines = read_corpus(HELDOUT)
    assert len(lines) >= 520
    thin = {i: _count(lines, i) for i in COVERED if _count(lines, i) < 15}
    assert thin == {}
    assert _count(lines, "play") >= 140
    assert _count(lines, "skip") >= 30
    assert _count(lines, "mood") >= 25
    assert _count(lines, "correct") >= 20
    assert _count(lines, "unknown") >= 40
    assert sum(len(line.intents) > 1 for line in lines) >= 20
    play_slots = {name for line in lines if "play" in line.intents for name in line.slots}
    assert play_slots >= {"genre", "mood", "activity", "artist", "album", "title", "query"}
    feelings = {line.slots.get("mood") for line in lines if line.intents == ("mood",)}
    assert feelings >= MOODS
    # about a quarter as a transcription engine writes: capitals, punctuation, digits
    written = sum(bool(re.search(r"[A-Z.,!?%0-9]", line.text)) for line in lines)
    assert written >= len(lines) // 5
    percent = [line for line in lines if "%" in line.text or "percent" in line.text]
    assert len(percent) >= 2


def test_the_tuning_set_and_chatter_are_large_enough() -> None:
    assert len(read_corpus(TUNE)) >= 180
    chatter = read_corpus(CHATTER)
    assert len(chatter) >= 220
    assert {line.intents for line in chatter} == {("unknown",)}


def test_the_spoken_benchmark_reads_as_speech() -> None:
    lines = read_corpus(SPEECH)
    commands = [line for line in lines if line.intents != ("unknown",)]
    assert len(commands) >= 70
    assert {i for line in commands for i in line.intents} == COVERED - {"unknown"}
    # the chatter comes last, 30 lines of it
    assert [line.intents for line in lines[len(commands) :]] == [("unknown",)] * 30
    written = [line.where for line in lines if not re.fullmatch(r"[a-z']+( [a-z']+)*", line.text)]
    assert written == [], "spoken text is lower-case words only"
    names = {
        value
        for line in commands
        for slot in ("artist", "album", "title")
        for value in _values(line.slots.get(slot, ()))
        if " " in str(value)
    }
    assert len(names) >= 8


@pytest.mark.parametrize(
    ("line", "complaint"),
    [
        ("volume max\tset_volume\tlevel=110", "level must be a whole number 0..100"),
        ("play jazz\tplay", "expected 1 or 3 tab-separated columns"),
        ("play jazz\tplay\tgenre", "slot 'genre' is not name=value"),
        ("play jazz\tplay\tgenre=jazz; genre=rock", "join values with '|'"),
        ("play jazz\tplay+\tgenre=jazz", "empty intent"),
    ],
)
def test_a_malformed_line_is_named_with_file_and_line(
    tmp_path: Path, line: str, complaint: str
) -> None:
    path = tmp_path / "bad.tsv"
    path.write_text(f"# a comment\n\nskip\tskip\t\n{line}\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=re.escape("bad.tsv:4: ")) as raised:
        read_corpus(path)
    assert complaint in str(raised.value)


def test_slots_read_as_text_numbers_and_lists(tmp_path: Path) -> None:
    path = tmp_path / "good.tsv"
    path.write_text(
        "Set the volume to 30%.\tset_volume\tlevel=30\n"
        "play some rock and some jazz\tplay\tgenre=rock|jazz; mood=happy\n"
        "i hate this next\tdislike+skip\t\n"
        "the kettle's boiled\n",
        encoding="utf-8",
    )
    lines = read_corpus(path)
    assert [line.slots for line in lines] == [
        {"level": 30},
        {"genre": ("rock", "jazz"), "mood": "happy"},
        {},
        {},
    ]
    assert [line.intents for line in lines] == [
        ("set_volume",),
        ("play",),
        ("dislike", "skip"),
        ("unknown",),
    ]
