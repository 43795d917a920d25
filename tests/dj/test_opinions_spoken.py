"""Understanding, an opinion of the track that plays said in the many ways people say one: the
verdict in a dialect's or a generation's words, the track named after the verdict, a verdict
denied ("not bad"), someone else's verdict reported, a name or a filler said after it. And
never an opinion of anything that is not the music. Each is a phrasing of our own, not a line of
any corpus. The phrases are data (sentences/en.yaml: ``opinions``), read in a few shapes
(appliance/dj/understand_opinion.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from appliance.dj.understand import SENTENCES_FILE, TIDIED_CONFIDENCE, Understanding
from appliance.dj.understand_intent import Intent
from appliance.dj.understand_opinion import OpinionReader
from appliance.errors import ConfigError
from tests.dj.test_understand import understood_as


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        # the track, then a verdict in regional or young people's words
        ("that record is pure minging", "dislike"),
        ("this one's well mid", "dislike"),
        ("this tune is proper lush", "like"),
        ("that song is absolutely braw", "like"),
        ("this track is a certified banger no cap", "like"),
        ("this beat is lowkey fire", "like"),
        ("this one is a load of old tosh", "dislike"),
        ("this is my anthem", "like"),
        # the verdict, then the track pointed at
        ("cracking song this one", "like"),
        ("dreadful tune that", "dislike"),
        ("what a stonking record this is", "like"),
        # a verdict denied
        ("this one isn't half bad", "like"),
        ("not too shabby this one", "like"),
        ("that track isn't great", "dislike"),
        ("i'm not fussed on this tune at all", "dislike"),
        ("we're not sold on this one", "dislike"),
        # what it does to one
        ("this track gives me the ick", "dislike"),
        ("that song gives me goosebumps", "like"),
        # in Nigerian pidgin and Jamaican patois
        ("this song e dey sweet me", "like"),
        ("this song no go sweet me", "dislike"),
        ("mi love this tune bad", "like"),
        ("mi nuh rate this one", "dislike"),
        # someone else's verdict, reported to the DJ
        ("my husband loves this tune", "like"),
        ("the kids are loving this tune", "like"),
        ("my mum can't stand this track", "dislike"),
        # too much of something, and what the verdict is of
        ("this one's far too jarring", "dislike"),
        ("this track is way too slow for a monday morning", "dislike"),
        ("this song is rubbish for a wedding", "dislike"),
        ("this tune is perfect for the drive home", "like"),
        # a name or a filler after it
        ("this song is rank buddy", "dislike"),
        ("this tune is sweet as mate honestly", "like"),
    ],
)
def test_an_opinion_of_the_track_in_other_words(
    understanding: Understanding, text: str, intent: str
) -> None:
    found = understanding.parse(text)
    assert understood_as(found) == ((intent,), {})
    # read from phrases, not as a template says it: a dislike heard less than surely is asked
    assert intent == "like" or found.confidence <= TIDIED_CONFIDENCE


@pytest.mark.parametrize(
    "text",
    [
        "this cake is pure lush",
        # things named the way a track is, and said of the way a track is
        "this traffic is terrible",
        "this coffee is amazing",
        "she loves that dress",
        "that film gave me the creeps",
        "this weather is minging",
        "my husband loves this jumper",
        "the kids can't stand this cereal",
        "cracking pint this one",
        "this sofa isn't half bad",
        "that pizza no dey sweet me",
        # too loud asks for it quieter; "it's" may be the weather as well as the track
        "this track is too loud",
        "it's lovely in the garden",
        # someone else's verdict of "this", which may be of anything
        "she loves this",
        "my sister can't stand that",
    ],
)
def test_an_opinion_of_anything_else_is_no_verdict_on_the_music(
    understanding: Understanding, text: str
) -> None:
    assert understood_as(understanding.parse(text))[0] not in (("like",), ("dislike",))


def test_opinion_phrases_are_checked_where_they_are_written(tmp_path: Path) -> None:
    """A part the reader does not know, or a phrase not written as heard, names the file."""
    shipped = SENTENCES_FILE.read_text(encoding="utf-8")
    bad = tmp_path / "en.yaml"
    bad.write_text(
        shipped.replace("opinions:\n", "opinions:\n  verdicts: [fab]\n  wow: [Fab]\n", 1)
    )
    with pytest.raises(ConfigError) as error:
        Understanding(sentences_file=bad)
    assert "`opinions` has parts" in str(error.value) and str(bad) in str(error.value)


def test_a_bare_no_among_the_opinion_phrases_is_told_to_be_quoted(tmp_path: Path) -> None:
    """YAML reads a bare no as false: the message names the list's line and says to quote it."""
    shipped = SENTENCES_FILE.read_text(encoding="utf-8")
    bad = tmp_path / "en.yaml"
    bad.write_text(shipped.replace('is no, "no", not,', "is no, no, not,", 1))
    assert bad.read_text() != shipped
    with pytest.raises(ConfigError) as error:
        Understanding(sentences_file=bad)
    line = next(n for n, text in enumerate(shipped.splitlines(), 1) if text.startswith("  not:"))
    assert f"{bad}:{line}: `opinions: not` holds False" in str(error.value)
    assert 'in quotes ("no")' in str(error.value)


def test_the_reader_needs_the_track_and_both_verdicts() -> None:
    """Without the lists that point at the track and say good and bad, nothing is an opinion."""
    reader = OpinionReader({"track": ("this",), "good": ("lovely",)})
    assert reader.read("this is lovely") is None
    reader = OpinionReader({"track": ("this",), "is": ("is",), "good": ("ace",), "bad": ("pants",)})
    assert [reader.read(text) for text in ("this is ace", "this is pants", "this was ace")] == [
        Intent("like", {}, "this is ace"),
        Intent("dislike", {}, "this is pants"),
        None,
    ]
