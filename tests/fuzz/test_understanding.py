"""Fuzzing the understanding: any text in, a known intent out, never an error; any broken
templates file in, every problem reported with its file and line, never a traceback."""

from __future__ import annotations

import copy
import io
import json
import logging
import re
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from appliance.cli import main
from appliance.dj.understand import ACTING, INTENTS, MOODS, Understanding
from appliance.dj.understand_templates import SENTENCES_FILE, load_templates
from appliance.dj.understand_tidy import (
    ASKED_WORDS,
    MEANT_ANYWAY,
    QUESTION_ENDS,
    WONDERING,
    asked_plainly,
)
from appliance.dj.understand_unasked import NO_MATTER
from appliance.errors import ConfigError
from tests.fuzz.conftest import fuzz_rounds

pytestmark = pytest.mark.fuzz

UNDERSTANDING = Understanding()
VOCABULARY = sorted(UNDERSTANDING.vocabulary_words())
SHIPPED = yaml.safe_load(SENTENCES_FILE.read_text(encoding="utf-8"))

words = st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=30).map(" ".join)
control = st.text(st.characters(max_codepoint=0x9F, categories=["Cc"]), min_size=1)
texts = st.one_of(
    st.text(),
    words,
    st.tuples(words, control, words).map("".join),
    st.tuples(words, st.sampled_from([", ", ". ", " and ", "! ", "; "]), words).map("".join),
    st.text(min_size=2000, max_size=20000),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)


def parsed_cleanly(text: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.clear()
    with caplog.at_level(logging.ERROR, logger="appliance.dj.understand"):
        intent = UNDERSTANDING.parse(text)
    assert not caplog.records, caplog.records[0].getMessage()  # no swallowed exception
    for part in intent.each():
        assert part.name in INTENTS
        assert part.name != "unknown" or (not part.slots and not intent.also)
        assert 0.0 <= part.confidence <= 1.0
        level = part.slots.get("level")
        assert level is None or (isinstance(level, int) and 0 <= level <= 100)
        assert part.slots.get("mood") in (None, *MOODS)
    json.dumps(intent.as_json())


@given(texts)
def test_any_text_gives_a_known_intent(caplog: pytest.LogCaptureFixture, text: str) -> None:
    parsed_cleanly(text, caplog)


@settings(max_examples=fuzz_rounds(8, 300))  # each builds the understanding anew, as the CLI does
@given(st.lists(texts, min_size=1, max_size=4))
def test_the_intent_command_answers_every_line(texts_in: list[str]) -> None:
    lines = [" ".join(text.splitlines()) or "x" for text in texts_in]
    stdin, stdout = io.StringIO("\n".join(lines) + "\n"), io.StringIO()
    saved = sys.stdin, sys.stdout
    sys.stdin, sys.stdout = stdin, stdout
    try:
        assert main(["intent"]) == 0
    finally:
        sys.stdin, sys.stdout = saved
    answers = [json.loads(line) for line in stdout.getvalue().splitlines()]
    assert len(answers) == len(lines)
    assert all(answer["intent"] in INTENTS for answer in answers)


# -- broken template files ----------------------------------------------------------------------

SECTIONS = ["intents", "lists", "expansion_rules", "fallback_intents", "paraphrases"]
BAD_TEMPLATES = ["play (some", "play [some", "play {nolist}", "play <norule>", "play some)", ""]
WRONG_SHAPES = [["a", "b"], 7, "text", True]


MISTAKES = st.one_of(
    st.tuples(st.just("shape"), st.sampled_from(SECTIONS), st.sampled_from(WRONG_SHAPES)),
    st.tuples(
        st.just("template"),
        st.sampled_from(["skip", "pause", "play"]),
        st.sampled_from(BAD_TEMPLATES),
    ),
    st.tuples(st.just("intent"), st.from_regex(r"[a-z]{3,10}_x", fullmatch=True), st.none()),
    st.tuples(st.just("mood"), st.from_regex(r"zz[a-z]{3,8}", fullmatch=True), st.none()),
    st.tuples(
        st.just("level"),
        st.from_regex(r"zz[a-z]{3,8}", fullmatch=True),
        st.sampled_from([101, -1, "lots", 2.5, None]),
    ),
    st.tuples(st.just("paraphrase"), st.sampled_from(["play {nolist}", "Play 2"]), st.none()),
)


def broken(mistakes: list[tuple[str, object, object]]) -> dict:
    """The shipped templates with ``mistakes``, each one the loader must report."""
    data = copy.deepcopy(SHIPPED)
    for kind, what, how in mistakes:
        intents, lists = data.get("intents"), data.get("lists")
        if kind == "shape":
            data[str(what)] = how
        elif kind == "template" and isinstance(intents, dict):
            intents[what] = {"data": [{"sentences": [f"{how} 5"]}]}
        elif kind == "intent" and isinstance(intents, dict):
            intents[what] = {"data": [{"sentences": ["something"]}]}
        elif kind == "mood" and isinstance(lists, dict):
            lists["mood"]["values"].append({"in": what, "out": f"{what}_mood"})
        elif kind == "level" and isinstance(lists, dict):
            lists["level"]["values"].append({"in": what, "out": how})
        elif kind == "paraphrase":
            data["paraphrases"] = {"play": [what]}
        else:
            data["intents"] = 7  # the section the mistake was for is already broken
    return data


@settings(max_examples=fuzz_rounds(5, 500))  # each reads and checks a whole templates file
@given(st.lists(MISTAKES, min_size=1, max_size=3), st.integers(0, 10**9))
def test_broken_templates_are_reported_with_file_and_line(
    tmp_path_factory: pytest.TempPathFactory, mistakes: list, salt: int
) -> None:
    path = tmp_path_factory.mktemp("templates") / f"en-{salt}.yaml"
    path.write_text(yaml.safe_dump(broken(mistakes), sort_keys=False), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_templates(path, tuple(n for n in INTENTS if n != "unknown"), MOODS, ())
    lines = str(caught.value).splitlines()
    problems = [line.strip() for line in lines[1:] if not line.strip().startswith("hint:")]
    for problem in problems or lines[:1]:
        assert re.match(rf"{re.escape(str(path))}:\d+: ", problem), problem


@given(st.text(max_size=300))
def test_any_yaml_text_is_a_clear_error_or_templates(
    tmp_path_factory: pytest.TempPathFactory, text: str
) -> None:
    path: Path = tmp_path_factory.mktemp("text") / "en.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        load_templates(path, ("play",), MOODS, ())
    except ConfigError as error:
        first, *rest = str(error).splitlines()
        problems = [first]  # one problem, or several listed under a heading
        if first == "the sentence templates are invalid:":
            problems = [line.strip() for line in rest if not line.strip().startswith("hint:")]
        for problem in problems:
            assert re.match(rf"{re.escape(str(path))}:\d+: ", problem), str(error)


# -- no action the words were not sure enough for ------------------------------------------------

SAID = (
    "play some jazz", "play some rock", "skip", "next", "stop", "pause", "resume",
    "turn it up", "turn it down", "set the volume to thirty", "i don't like this",
    "i don't like reggae", "i don't like reggae band 0", "no, i said jazz",
    "no, i said rock band 0",
    "not reggae, jazz", "i said hello to my neighbour", "i meant to call you", "yes", "yeah",
    "okay", "no", "what's playing", "hi this is sam", "hello", "play again", "sort of",
    "i'm feeling sad", "no i said happy", "play something by reggae band 0",
)  # fmt: skip


@pytest.fixture(scope="module")
def small_library(tmp_path_factory: pytest.TempPathFactory):
    from appliance.library import Library
    from tests.support.music import make_track

    folder = tmp_path_factory.mktemp("music")
    for number, (genre, freq) in enumerate({"Rock": 330.0, "Jazz": 440.0, "Reggae": 550.0}.items()):
        make_track(
            folder / f"{genre}.flac",
            seconds=1.0,
            freq=freq,
            noise=0.01,
            artist=f"{genre} Band 0",
            title=f"{genre} Song {number}",
            genre=genre,
        )
    with Library(tmp_path_factory.mktemp("db") / "library.db") as library:
        library.scan([folder], progress=False)
        yield library


@settings(max_examples=fuzz_rounds(20, 600), deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(SAID) | st.sampled_from(("yes", "okay", "stop", "skip")),
            st.floats(0.0, 1.0),
            st.integers(0, 5) | st.integers(0, 150),  # seconds since the turn before
        ),
        min_size=1,
        max_size=12,
    )
)
def test_no_turn_moves_the_music_on_words_heard_unsure(small_library, turns) -> None:
    """Whatever is said, in any order, heard at any confidence, a turn heard below the ordinary
    bar moves no music, and one below the destructive bar never skips or stops (a yes to a
    question needs the bar of what it answers; a correction the bar of what it replays)."""
    from datetime import datetime, timedelta

    from appliance.dj import PersonalizedDJ, confirm
    from appliance.dj.reply import Pause, PlayTrack, Resume, SetVolume, Skip, Stop

    now = [datetime(2026, 6, 1, 20, 0)]
    dj = PersonalizedDJ(db_path=None, library=small_library, seed=3, clock=lambda: now[0])
    try:
        for text, confidence, gap in turns:
            now[0] += timedelta(seconds=gap)
            reply = dj.respond("alex", text, confidence=confidence)
            moves = [
                a for a in reply.actions if isinstance(a, Pause | PlayTrack | Resume | SetVolume)
            ]
            ends = [a for a in reply.actions if isinstance(a, Skip | Stop)]
            if confidence < confirm.NEEDED_ORDINARY:
                assert not moves and not ends, (text, confidence, reply)
            if confidence < confirm.NEEDED_DESTRUCTIVE:
                assert not ends, (text, confidence, reply)
    finally:
        dj.close()


# -- the learned sentences file --------------------------------------------------------------

LEARNED_INTENTS = tuple(name for name in INTENTS if name != "unknown")
learned_line = st.one_of(
    st.text(max_size=80),
    st.tuples(
        st.sampled_from([*LEARNED_INTENTS, "unknown", "skipp", ""]),
        st.lists(st.sampled_from([*VOCABULARY[:200], "{genre}", "{mood}", "{colour}", "X"])).map(
            " ".join
        ),
        st.sampled_from(["", "mood=sad", "mood=glum", "activity=party", "genre", "tempo=fast"]),
    ).map(lambda parts: "\t".join(part for part in parts if part or parts[2])),
)


@settings(max_examples=fuzz_rounds(10, 300), deadline=None)  # each builds a model anew
@given(st.lists(learned_line, max_size=6))
def test_a_learned_file_is_read_or_named_line_by_line(tmp_path_factory, lines: list[str]) -> None:
    """Whatever a person writes into learned.tsv, the understanding starts and parses, or the
    file is refused with its name and line numbers; never a traceback."""
    path = tmp_path_factory.mktemp("learned") / "learned.tsv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    try:
        understanding = Understanding(learned_file=path)
    except ConfigError as error:
        assert re.search(rf"{re.escape(str(path))}:\d+: ", str(error)), str(error)
        assert error.hint
        return
    for text in ("play some jazz", "skip", *lines[:2]):
        assert understanding.parse(text).name in INTENTS


OPENERS = [" ".join(opener) for opener in WONDERING]


@settings(max_examples=fuzz_rounds(50, 2000))
@given(st.sampled_from(OPENERS), st.sampled_from(["", "if ", "whether ", "if you know "]), words)
def test_an_indirect_question_keeps_its_words(opener: str, joint: str, rest: str) -> None:
    """As asked plainly, an indirect question is its own words reordered, without the opener
    (and "do" for "if you have ..."), never more; and it is still understood as some intent."""
    said = f"{opener} {joint}{rest}".split()
    plain = asked_plainly(said)
    assert plain == said or len(plain) <= len(said) + 1
    assert set(plain) <= set(said) | {"do"}
    assert UNDERSTANDING.parse(" ".join(said)).name in INTENTS


UNBROKEN = [word for word in VOCABULARY if word not in QUESTION_ENDS]


@settings(max_examples=fuzz_rounds(50, 2000))
@given(
    st.sampled_from(OPENERS),
    st.sampled_from(sorted(ASKED_WORDS - MEANT_ANYWAY)),
    st.lists(st.sampled_from(UNBROKEN), min_size=1, max_size=6).map(" ".join),
)
def test_an_indirect_question_and_nothing_else_never_acts(
    opener: str, asked: str, rest: str
) -> None:
    """ "do you know what you could skip": whatever the words after the question word would do,
    an indirect question that runs to its end asks, and acts on nothing; read as several, the
    question comes first ("i wonder what this is skip it")."""
    heard = UNDERSTANDING.parse(f"{opener} {asked} {rest}")
    assert heard.name not in ACTING, (opener, asked, rest)


WHOLE_REQUESTS = [
    "skip", "next one", "skip this", "play something", "play anything", "just play something",
    "play some music", "play whatever", "play something for her",
]  # fmt: skip
NOT_MATTERING = [" ".join(phrase) for phrase in NO_MATTER]


@settings(max_examples=fuzz_rounds(30, 1000))
@given(
    st.sampled_from(WHOLE_REQUESTS),
    st.sampled_from([", ", ". "]),
    st.sampled_from(NOT_MATTERING),
)
def test_a_whole_request_said_not_to_matter_still_acts(request: str, joint: str, tail: str) -> None:
    """ "skip, doesn't matter": the tail says the choice does not matter, not that the request
    is taken back; only a request left unfinished ("play the, forget it") is."""
    alone = UNDERSTANDING.parse(request).name
    assert alone in ("play", "skip"), request
    assert UNDERSTANDING.parse(f"{request}{joint}{tail}").name == alone, (request, joint, tail)
    for unfinished in ("play the", "play the, oh,", "put on the, um,", "play, er,"):
        heard = UNDERSTANDING.parse(f"{unfinished}{joint}{tail}")
        assert heard.name == "unknown", (unfinished, joint, tail)


NAME_WORDS = ("zorblat", "quindle", "ferrow", "maplin", "ostrava", "brindle", "tamsk", "yelver")
"""Made-up words: a name no template, genre or library has."""

ASIDES_SAID = (
    "while i cook", "for my nan", "for the little one", "if you've got them", "or someone",
    "cos i'm tired", ", the loud one", ", cheers mate",
)  # fmt: skip


@settings(max_examples=fuzz_rounds(30, 1000))
@given(
    st.sampled_from(["play", "put on", "play some", "stick on"]),
    st.lists(st.sampled_from(NAME_WORDS), min_size=1, max_size=3),
    st.sampled_from(ASIDES_SAID),
)
def test_a_search_ends_where_the_name_does(verb: str, name: list[str], aside: str) -> None:
    said = f"{verb} {' '.join(name)}{'' if aside.startswith(',') else ' '}{aside}"
    intent = UNDERSTANDING.parse(said)
    assert (intent.name, intent.slots.get("query")) == ("play", " ".join(name)), said


@settings(max_examples=fuzz_rounds(30, 1000))
@given(
    st.sampled_from(["play", "put on", "stick on"]),
    st.lists(st.sampled_from(NAME_WORDS), min_size=1, max_size=2),
    st.sampled_from(["me", "you", "my side", "your side", "her"]),
    st.lists(st.sampled_from(NAME_WORDS), min_size=0, max_size=3),
)
def test_by_in_a_title_is_no_artist(
    verb: str, title: list[str], after: str, artist: list[str]
) -> None:
    """ "stand by me", "stand by me by ben e king": what "by" is followed by in a title ("me",
    "my side") names nobody, and the search keeps the title whole."""
    name = f"{' '.join(title)} by {after}"
    said = f"{verb} {name}" + (f" by {' '.join(artist)}" if artist else "")
    intent = UNDERSTANDING.parse(said)
    assert (intent.name, intent.slots.get("query")) == ("play", name), said


@settings(max_examples=fuzz_rounds(30, 1000))
@given(
    st.sampled_from(["play", "put on", "stick on"]),
    st.lists(st.sampled_from(NAME_WORDS), min_size=1, max_size=2),
    st.sampled_from(["because the", "if you leave", "when you were", "let's stay", "cos of"]),
    st.lists(st.sampled_from(NAME_WORDS), min_size=1, max_size=2),
)
def test_a_title_that_starts_like_an_aside_is_searched_whole(
    verb: str, artist: list[str], start: str, rest: list[str]
) -> None:
    """ "patti smith because the night": an aside's word a title goes on from is no aside."""
    name = f"{' '.join(artist)} {start} {' '.join(rest)}"
    intent = UNDERSTANDING.parse(f"{verb} {name}")
    assert (intent.name, intent.slots.get("query")) == ("play", name), name
