"""Understanding: recognised text in, intent and slots out, with real hassil and rapidfuzz."""

from __future__ import annotations

import random
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from appliance.dj.understand import (
    ACTIVITIES,
    INTENTS,
    MAX_WORDS,
    MOODS,
    Intent,
    Understanding,
    Vocabulary,
)
from appliance.dj.understand_templates import SENTENCES_FILE
from appliance.errors import ConfigError
from appliance.library.genres import default_genres

CORPUS = Path(__file__).with_name("utterances.tsv")

LIBRARY = Vocabulary(
    artists=("Miles Davis", "Sade", "Daft Punk", "Norah Jones", "Bob Marley", "Nina Simone"),
    albums=(
        "Kind of Blue",
        "Diamond Life",
        "Random Access Memories",
        "Come Away with Me",
        "Exodus",
    ),
    titles=(
        "So What",
        "Smooth Operator",
        "Get Lucky",
        "Don't Know Why",
        "Redemption Song",
        "Feeling Good",
        "One More Time",
    ),
)

INTENT_ACCURACY = 0.95
SLOT_ACCURACY = 0.90


def read_corpus() -> list[tuple[str, str, dict[str, str | int]]]:
    rows = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        text, intent, slot_text = [*line.split("\t"), ""][:3]
        slots: dict[str, str | int] = {}
        for part in filter(None, (piece.strip() for piece in slot_text.split(";"))):
            key, value = (item.strip() for item in part.split("=", 1))
            slots[key] = int(value) if key == "level" else value
        rows.append((text, intent, slots))
    return rows


# -- the held-out corpus ------------------------------------------------------------------------


def test_corpus_accuracy(understanding: Understanding) -> None:
    rows = read_corpus()
    misses = []
    right_intents = right_slots = 0
    for text, intent, slots in rows:
        got = understanding.parse(text)
        right_intents += got.name == intent
        right_slots += got.name == intent and got.slots == slots
        if got.name != intent or got.slots != slots:
            misses.append(f"{text!r}: {got.name} {got.slots}, expected {intent} {slots}")
    intent_accuracy = right_intents / len(rows)
    slot_accuracy = right_slots / len(rows)
    print(
        f"\ncorpus: {len(rows)} utterances, intent accuracy {intent_accuracy:.3f}, "
        f"intent and slots {slot_accuracy:.3f}"
    )
    print("\n".join(misses))
    assert intent_accuracy >= INTENT_ACCURACY, misses
    assert slot_accuracy >= SLOT_ACCURACY, misses


def test_corpus_is_big_and_covers_every_intent() -> None:
    rows = read_corpus()
    assert len(rows) >= 150
    assert set(Counter(intent for _, intent, _ in rows)) == set(INTENTS)
    for text, intent, slots in rows:
        assert text == text.lower() and not re.search(r"[^a-z' ]", text), text
        assert not re.search(r"\d", text), text
        assert intent in INTENTS, text
        if "mood" in slots:
            assert slots["mood"] in MOODS, text
        if "activity" in slots:
            assert slots["activity"] in ACTIVITIES, text


def test_corpus_is_not_copied_from_the_templates() -> None:
    data = yaml.safe_load(SENTENCES_FILE.read_text(encoding="utf-8"))
    written = set()
    for section in ("intents", "fallback_intents"):
        for body in data[section].values():
            for block in body["data"]:
                written.update(block["sentences"])
    written.update(data["expansion_rules"].values())
    copied = [text for text, _, _ in read_corpus() if text in written]
    assert copied == []


# -- slots come out canonical -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "slots"),
    [
        ("play some hip-hop", {"genre": "hip hop"}),
        ("play some rap", {"genre": "hip hop"}),
        ("play some dnb", {"genre": "drum and bass"}),
        ("play r&b", {"genre": "r&b"}),
        ("play some chill jazz", {"genre": "jazz", "mood": "calm"}),
        ("play something mellow", {"mood": "calm"}),
        ("play something pumped up", {"mood": "energetic"}),
        ("play some high energy music", {"mood": "energetic"}),
        ("play love songs", {"mood": "romantic"}),
        ("play something for date night", {"mood": "romantic"}),
        ("play music for working out", {"activity": "workout"}),
        ("play something for lifting", {"activity": "workout"}),
        ("play something for winding down after work", {"activity": "relax"}),
        ("play music for coding", {"activity": "work"}),
        ("play something by miles davis", {"artist": "miles davis"}),
        ("play don't know why", {"title": "don't know why"}),
        ("play kind of blue", {"album": "kind of blue"}),
    ],
)
def test_play_slots_are_canonical(understanding: Understanding, text: str, slots: dict) -> None:
    intent = understanding.parse(text)
    assert (intent.name, intent.slots) == ("play", slots)


@pytest.mark.parametrize(
    ("text", "intent", "slots"),
    [
        ("i'm feeling really happy today", "mood", {"mood": "happy"}),
        ("feeling a bit down", "mood", {"mood": "sad"}),
        ("i'm feeling blue", "mood", {"mood": "sad"}),
        ("i need to focus", "mood", {"mood": "focused"}),
        ("i need to concentrate", "mood", {"mood": "focused"}),
        ("i'm furious", "mood", {"mood": "angry"}),
        ("i'm so mad", "mood", {"mood": "angry"}),
        ("i'm at the gym", "mood", {"activity": "workout"}),
        ("i'm at work", "mood", {"activity": "work"}),
        ("i love jazz", "add_preference", {"genre": "jazz"}),
        ("i'm into deep house", "add_preference", {"genre": "deep house"}),
        ("add reggae to my favourites", "add_preference", {"genre": "reggae"}),
        ("i don't like country", "remove_preference", {"genre": "country"}),
        ("no more metal please", "remove_preference", {"genre": "metal"}),
        ("take techno off my list", "forget_preference", {"genre": "techno"}),
        ("this is alex", "identify", {"name": "alex"}),
        ("it's sam here", "identify", {"name": "sam"}),
        ("my name is jordan", "identify", {"name": "jordan"}),
        ("alex here", "identify", {"name": "alex"}),
    ],
)
def test_statements(understanding: Understanding, text: str, intent: str, slots: dict) -> None:
    got = understanding.parse(text)
    assert (got.name, got.slots) == (intent, slots)


@pytest.mark.parametrize(
    ("text", "told", "asked"),
    [
        ("i'm working out need high energy music", {"activity": "workout"}, {"mood": "energetic"}),
        ("i'm cooking, put on some jazz", {"activity": "cooking"}, {"genre": "jazz"}),
        ("I'm angry, play some metal.", {"mood": "angry"}, {"genre": "metal"}),
    ],
)
def test_what_one_is_doing_then_a_request_is_the_mood_and_the_music(
    understanding: Understanding, text: str, told: dict, asked: dict
) -> None:
    intent = understanding.parse(text)
    assert [(part.name, part.slots) for part in intent.each()] == [("mood", told), ("play", asked)]


def test_a_reason_said_after_a_request_stays_with_it(understanding: Understanding) -> None:
    intent = understanding.parse("put on some jazz while i cook")
    assert (intent.name, intent.slots, intent.also) == (
        "play",
        {"genre": "jazz", "activity": "cooking"},
        (),
    )


def test_an_activity_is_not_turned_into_a_mood(understanding: Understanding) -> None:
    intent = understanding.parse("i'm working out")
    assert (intent.name, intent.slots) == ("mood", {"activity": "workout"})


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("play something", "play"),
        ("can you recommend something", "play"),
        ("what should i listen to today", "play"),
        ("i love this", "like"),
        ("this track is perfect", "like"),
        ("not really feeling this one", "dislike"),
        ("play that again", "replay"),
        ("one more time", "replay"),
        ("what's my music community like", "community"),
        ("hey dj", "greet"),
        ("good morning", "greet"),
        ("what can you do", "help"),
        ("help", "help"),
    ],
)
def test_commands_without_slots(understanding: Understanding, text: str, intent: str) -> None:
    got = understanding.parse(text)
    assert (got.name, got.slots) == (intent, {})


def test_a_library_title_that_is_also_a_command(understanding: Understanding) -> None:
    assert understanding.parse("one more time").name == "replay"
    got = understanding.parse("play one more time by daft punk")
    assert got.slots == {"title": "one more time", "artist": "daft punk"}


# -- numbers as words ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("set the volume to seventy five", 75),
        ("volume fifty percent", 50),
        ("volume to max", 100),
        ("volume one hundred", 100),
        ("set the volume to zero", 0),
        ("set volume too sixty", 60),
        ("volume 35", 35),
        ("whack it to ninety", 90),
        ("nudge it up to forty", 40),
        ("volume 20%", 20),
        ("mute", 0),
    ],
)
def test_volume_levels(understanding: Understanding, text: str, level: int) -> None:
    intent = understanding.parse(text)
    assert intent.name == "set_volume"
    assert intent.slots == {"level": level}
    assert isinstance(intent.slots["level"], int)


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("knock it down to about twenty five", 25),
        ("put it on roughly sixty", 60),
        ("set the volume at around forty", 40),
    ],
)
def test_a_level_said_roughly_is_that_level_surely(
    understanding: Understanding, text: str, level: int
) -> None:
    intent = understanding.parse(text)
    assert (intent.name, intent.slots, intent.confidence) == ("set_volume", {"level": level}, 1.0)


def test_relative_volume_is_not_a_level(understanding: Understanding) -> None:
    assert understanding.parse("turn it up").as_json() == {"intent": "volume_up", "slots": {}}
    assert understanding.parse("it's too loud").as_json() == {"intent": "volume_down", "slots": {}}


# -- near misses --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "slots"),
    [
        ("play sum jazz", {"genre": "jazz"}),
        ("play some jaz", {"genre": "jazz"}),
        ("play some regae", {"genre": "reggae"}),
        ("put on some hiphop", {"genre": "hip hop"}),
        ("play some hip hop", {"genre": "hip hop"}),
        ("play something by miles davies", {"artist": "miles davis"}),
        ("play nora jones", {"artist": "norah jones"}),
        ("play kinda blue", {"album": "kind of blue"}),
        ("play smooth operator by shade", {"title": "smooth operator", "artist": "sade"}),
        ("play redemption son", {"title": "redemption song"}),
    ],
)
def test_near_misses_land(understanding: Understanding, text: str, slots: dict) -> None:
    intent = understanding.parse(text)
    assert (intent.name, intent.slots) == ("play", slots)


def test_skip_this_son(understanding: Understanding) -> None:
    assert understanding.parse("skip this son").name == "skip"


def test_an_unrelated_name_is_not_an_artist(understanding: Understanding) -> None:
    intent = understanding.parse("play something by my neighbour")
    assert intent.name == "play"
    assert not {"artist", "album", "title"} & set(intent.slots)
    assert intent.slots == {"query": "my neighbour"}


def test_unrelated_words_stay_unrelated_in_a_big_library() -> None:
    rng = random.Random(3)
    syllables = ["ka", "lo", "mi", "ra", "ne", "tu", "sa", "vo", "li", "da", "re", "po", "zu"]

    def name() -> str:
        words = rng.randint(1, 3)
        return " ".join("".join(rng.choices(syllables, k=rng.randint(2, 3))) for _ in range(words))

    big = Understanding(
        vocabulary=Vocabulary(
            artists=(*LIBRARY.artists, *(name() for _ in range(1000))),
            albums=(*LIBRARY.albums, *(name() for _ in range(1000))),
            titles=(*LIBRARY.titles, *(name() for _ in range(1000))),
        )
    )
    assert big.parse("play something by my neighbour").slots == {"query": "my neighbour"}
    assert big.parse("what's the weather like").name == "unknown"
    assert big.parse("play something by miles davies").slots == {"artist": "miles davis"}


def test_a_word_one_letter_from_a_mood_is_not_that_mood(understanding: Understanding) -> None:
    assert understanding.parse("i'm hungry").name == "unknown"


# -- unknown, empty and hostile text ------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "what's the weather like",
        "what time is it",
        "order a pizza",
        "turn on the lights",
        "remind me to buy milk",
    ],
)
def test_chat_is_unknown(understanding: Understanding, text: str) -> None:
    intent = understanding.parse(text)
    assert (intent.name, intent.slots) == ("unknown", {})
    assert intent.text == text


@pytest.mark.parametrize("text", ["", "   ", "!!!", "\n\t", "...?"])
def test_empty_text_is_unknown(understanding: Understanding, text: str) -> None:
    assert understanding.parse(text) == Intent("unknown", {}, "")


def test_parse_never_raises(understanding: Understanding) -> None:
    rng = random.Random(11)
    alphabet = "abcdefghijklmnopqrstuvwxyz '-_&%0123456789!?.,éßñ€😀\u200b\x00"
    texts = ["".join(rng.choices(alphabet, k=rng.randint(0, 60))) for _ in range(200)]
    texts += ["play " * 500, "{genre} <play> [x] (a|b)", "%" * 40, "9" * 40, "play 10000000000"]
    for text in texts:
        intent = understanding.parse(text)
        assert intent.name in INTENTS
    assert understanding.parse("play " * (MAX_WORDS + 1)).name == "unknown"


def test_the_text_as_understood_is_normalised(understanding: Understanding) -> None:
    intent = understanding.parse("  Play SUM Jazz!  ")
    assert intent.text == "play some jazz"
    assert understanding.parse("I dont like Country.").text == "i don't like country"


def test_results_are_independent_copies(understanding: Understanding) -> None:
    first = understanding.parse("play some jazz")
    first.slots["genre"] = "polka"
    assert understanding.parse("play some jazz").slots == {"genre": "jazz"}
    assert first.as_json() == {"intent": "play", "slots": {"genre": "polka"}}


# -- the library changes ------------------------------------------------------------------------


def test_set_vocabulary_picks_up_new_names() -> None:
    understanding = Understanding()
    assert understanding.parse("play get lucky").slots == {"query": "get lucky"}
    assert "lucky" not in understanding.vocabulary_words()
    assert not any("get lucky" in sentence for sentence in understanding.sentences())
    understanding.set_vocabulary(Vocabulary(artists=("Daft Punk",), titles=("Get Lucky",)))
    assert understanding.parse("play get lucky").slots == {"title": "get lucky"}
    assert understanding.parse("play daft punks").slots == {"artist": "daft punk"}
    assert "lucky" in understanding.vocabulary_words()
    assert any("get lucky" in sentence for sentence in understanding.sentences())
    understanding.set_vocabulary(Vocabulary())
    assert understanding.parse("play get lucky").slots == {"query": "get lucky"}


def test_understandings_of_the_same_names_share_their_reading_and_no_other(
    tmp_path: Path,
) -> None:
    """What reading the names takes is built once for the same templates, words and names; an
    understanding of other names, or of learned sentences that say more, reads its own."""
    lucky = Vocabulary(artists=("Daft Punk",), titles=("Get Lucky",))
    first, again = Understanding(vocabulary=lucky), Understanding(vocabulary=lucky)
    assert again._state.built.matcher is first._state.built.matcher
    other = Understanding(vocabulary=Vocabulary(titles=("Blue Monday",)))
    assert other._state.built.matcher is not first._state.built.matcher
    assert other.parse("play get lucky").slots == {"query": "get lucky"}
    assert first.parse("play get lucky").slots == {"title": "get lucky"}
    learned = tmp_path / "learned.tsv"
    learned.write_text("play\tgive me some {genre}\n", encoding="utf-8")
    before = Understanding(vocabulary=lucky, learned_file=learned)
    learned.write_text("play\tgive me some {genre}\nskip\tzorp the wibble\n", encoding="utf-8")
    after = Understanding(vocabulary=lucky, learned_file=learned)
    assert "wibble" in after.lexicon.heard_words and "wibble" not in before.lexicon.heard_words
    mended_after, mended_before = after._state.built.corrector, before._state.built.corrector
    assert mended_after is not mended_before
    assert "wibble" in mended_after and "wibble" not in mended_before


def test_names_keep_the_library_spelling_in_lower_case() -> None:
    understanding = Understanding(vocabulary=Vocabulary(artists=("AC/DC",), titles=("22",)))
    assert understanding.parse("play ac dc").slots == {"artist": "ac/dc"}
    assert understanding.parse("play twenty two").slots == {"title": "22"}


def test_a_name_that_is_an_artist_and_an_album_means_the_artist() -> None:
    understanding = Understanding(vocabulary=Vocabulary(artists=("Sade",), albums=("Sade",)))
    assert understanding.parse("play sade").slots == {"artist": "sade"}
    assert understanding.parse("play the album sade").slots == {"album": "sade"}


# -- sentences and words for the recognisers ----------------------------------------------------


def test_sentences_cover_every_intent_early(understanding: Understanding) -> None:
    first = understanding.examples(limit=len(INTENTS) - 1)
    assert {intent for intent, _ in first} == set(INTENTS) - {"unknown"}
    assert understanding.sentences(limit=5) == [text for _, text in first[:5]]
    assert understanding.sentences(limit=0) == []


def test_sentences_are_plain_lower_case_words(understanding: Understanding) -> None:
    sentences = understanding.sentences()
    assert len(sentences) == len(set(sentences)) > 500
    for sentence in sentences:
        assert re.fullmatch(r"[a-z']+( [a-z']+)*", sentence), sentence
    assert "play" in sentences


def test_sentences_hold_every_slot_value(understanding: Understanding) -> None:
    text = "\n".join(understanding.sentences())
    spoken_forms = [
        *("hip hop", "drum and bass", "deep house", "chill", "high energy", "furious"),
        *("working out", "at the gym", "seventy five", "one hundred", "max"),
        *("miles davis", "kind of blue", "so what", "don't know why"),
        *(understanding.parse(f"play {genre}").text[5:] for genre in default_genres().names()),
    ]
    for spoken in spoken_forms:
        assert re.search(rf"\b{re.escape(spoken)}\b", text), spoken
    assert not re.search(r"\b(too|two) (fifty|sixty|seventy)\b", text)


def test_sentences_mean_what_their_templates_mean(understanding: Understanding) -> None:
    examples = understanding.examples()
    wrong = [
        (intent, text) for intent, text in examples if understanding.parse(text).name != intent
    ]
    assert len(wrong) / len(examples) < 0.02, wrong[:20]


def test_vocabulary_words(understanding: Understanding) -> None:
    words = understanding.vocabulary_words()
    assert words == sorted(set(words))
    assert {"play", "skip", "volume", "louder", "jazz", "reggae", "chill", "gym"} <= set(words)
    assert {"miles", "davis", "kind", "blue", "seventy", "hundred"} <= set(words)
    assert all(word and " " not in word for word in words)
    heard = {word for sentence in understanding.sentences() for word in sentence.split()}
    assert heard <= set(words)
    for mood in MOODS:
        assert mood in words
    for activity in ("workout", "running", "cooking", "meditation"):
        assert activity in words


# -- the templates file -------------------------------------------------------------------------


def write_templates(path: Path, change: tuple[str, str]) -> Path:
    text = SENTENCES_FILE.read_text(encoding="utf-8")
    assert change[0] in text
    path.write_text(text.replace(change[0], change[1], 1), encoding="utf-8")
    return path


def line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if needle in line)


def test_an_unknown_list_is_reported_with_its_line(tmp_path: Path) -> None:
    path = write_templates(tmp_path / "en.yaml", ('"what can you do [for me]"', '"play {gnre}"'))
    with pytest.raises(ConfigError) as caught:
        Understanding(sentences_file=path)
    assert f"{path}:{line_of(path, 'play {gnre}')}:" in str(caught.value)
    assert "unknown list {gnre}" in str(caught.value)
    assert caught.value.hint


def test_a_mood_the_dj_does_not_know_is_reported(tmp_path: Path) -> None:
    path = write_templates(
        tmp_path / "en.yaml",
        ('{in: "cheerful", out: "happy"}', '{in: "cheerful", out: "jolly"}'),
    )
    with pytest.raises(ConfigError) as caught:
        Understanding(sentences_file=path)
    assert f"{path}:{line_of(path, 'jolly')}:" in str(caught.value)


def test_a_volume_word_must_give_a_level(tmp_path: Path) -> None:
    path = write_templates(
        tmp_path / "en.yaml", ('{in: "halfway", out: 50}', '{in: "halfway", out: "lots"}')
    )
    with pytest.raises(ConfigError) as caught:
        Understanding(sentences_file=path)
    line = line_of(path, 'out: "lots"')
    assert f"{path}:{line}:" in str(caught.value)


def test_broken_yaml_and_template_syntax_are_reported(tmp_path: Path) -> None:
    path = write_templates(
        tmp_path / "en.yaml", ('"what are my options"', '"what (are my options"')
    )
    with pytest.raises(ConfigError) as caught:
        Understanding(sentences_file=path)
    assert f"{path}:{line_of(path, 'what (are my options')}:" in str(caught.value)
    broken = tmp_path / "broken.yaml"
    broken.write_text("language: en\nintents:\n  play: [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(f"{broken}:")):
        Understanding(sentences_file=broken)


def test_a_slip_that_rewrites_a_template_word_is_reported(tmp_path: Path) -> None:
    path = write_templates(tmp_path / "en.yaml", ('  sum: "some"', '  skip: "next"'))
    with pytest.raises(ConfigError, match="slips rewrites 'skip'"):
        Understanding(sentences_file=path)


def test_a_missing_templates_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read the sentence templates"):
        Understanding(sentences_file=tmp_path / "nothing.yaml")


# -- the product's promises on text written apart from the templates ------------------------------

HELDOUT = Path(__file__).with_name("corpus") / "heldout.tsv"
TUNE = Path(__file__).with_name("corpus") / "tune.tsv"
TUNE2 = Path(__file__).with_name("corpus") / "tune2.tsv"
TUNE3 = Path(__file__).with_name("corpus") / "tune3.tsv"
TALK_TUNE = Path(__file__).with_name("corpus") / "talk_tune.tsv"
TALK_TUNE2 = Path(__file__).with_name("corpus") / "talk_tune2.tsv"
TALK_TUNE3 = Path(__file__).with_name("corpus") / "talk_tune3.tsv"
TUNE4 = Path(__file__).with_name("corpus") / "tune4.tsv"
TALK_TUNE4 = Path(__file__).with_name("corpus") / "talk_tune4.tsv"
TUNE5 = Path(__file__).with_name("corpus") / "tune5.tsv"
TALK_TUNE5 = Path(__file__).with_name("corpus") / "talk_tune5.tsv"
CONVERSATION = Path(__file__).with_name("corpus") / "conversation.tsv"
CHATTER = Path(__file__).with_name("corpus") / "chatter.tsv"
HELDOUT_INTENT_ACCURACY = 0.97
HELDOUT_SLOT_ACCURACY = 0.95
CHATTER_REJECTED = 0.95


AS_LABELLED = {"bye": "greet"}
"""Intents the command corpora label as another: their conventions write "hellos and goodbyes
greet" (they were written before the DJ told a goodbye from a hello, and either is answered in
kind)."""


def understood_as(intent: Intent) -> tuple[tuple[str, ...], dict]:
    """The intents of an utterance in order (as the command corpora label them), and all their
    slots together (as the corpora write them: several values of one slot as a tuple)."""
    slots: dict = {}
    for part in intent.each():
        for key, value in part.slots.items():
            if key in slots and slots[key] != value:
                before = slots[key] if isinstance(slots[key], tuple) else (slots[key],)
                after = value if isinstance(value, tuple) else (value,)
                slots[key] = tuple(dict.fromkeys(before + after))
            else:
                slots[key] = value
    return tuple(AS_LABELLED.get(part.name, part.name) for part in intent.each()), slots


def corpus_score(understanding: Understanding, path: Path) -> tuple[float, float, int]:
    """(intent accuracy, intent-and-slots accuracy, lines) over a corpus file. Misses are not
    printed: the held-out set must not be tuned on line by line."""
    from tests.support.corpus import read_corpus

    lines = read_corpus(path)
    intents = slots = 0
    for line in lines:
        names, found = understood_as(understanding.parse(line.text))
        intents += names == line.intents
        slots += names == line.intents and found == line.slots
    return intents / len(lines), slots / len(lines), len(lines)


HELDOUT_REACHED = (0.942, 0.918)
"""Intents, and intents with slots, on the held-out set as they stand, a line under each of the
0.943 and 0.919 measured once an opinion of the track is read from the opinion phrases in a few
shapes (0.939 and 0.916 once a whole request with words beside it is read, and community
questions and corrections are understood in more words; the same 0.943 and 0.919 while opinions
of the track were read from long word lists in templates, taken out again for the memory they
took; 0.938 and
0.914 once a band named
with "the" keeps it in the search, a search ends
before whom it is played for, and a name between the verb and its "on" is played (0.938 and
0.912 once a correction may open with "naw" or "no love" and a liking be
taken off as "forget my liking for ..." (0.936 and 0.911 once the commands other than play are
understood in more of people's words; 0.933 and 0.908 once a search is cut only where the
name really ends; 0.932 and 0.906
once a search ends where the name does and a name heard a little wrong beside one said lands; 0.932
and 0.904 once two
template alternatives that spelled out held-out lines word for word were dropped; 0.933 and
0.906 once a
search of words that point back is the follow-up they point to; 0.930 and 0.903, one line
of each fewer than the 0.932 and 0.904 before the sixth and seventh tuning corpora were learned
with the wording they showed, which brought the held-out conversation 3 turns more understood
and 2 factual answers more right; 0.930
and 0.904 before the wording beyond the templates' first phrasing; 0.927
and 0.901 before the fifth tuning corpus and the classifier's doubt; 0.925
and 0.900 before the classifier that confirms near misses and the fourth tuning corpora, 0.920
and 0.896 before the third, 0.869 and 0.831 before that)): neither may slip back while the
promise is not met."""


@pytest.mark.xfail(
    strict=True,
    reason="the promise is not met yet: 0.943 of intents and 0.919 of slots on the held-out set",
)
def test_the_held_out_corpus_is_understood(understanding: Understanding) -> None:
    intent_accuracy, slot_accuracy, size = corpus_score(understanding, HELDOUT)
    print(f"\nheld-out: {size} lines, intents {intent_accuracy:.3f}, slots {slot_accuracy:.3f}")
    assert intent_accuracy >= HELDOUT_INTENT_ACCURACY
    assert slot_accuracy >= HELDOUT_SLOT_ACCURACY


def test_the_held_out_corpus_is_no_worse_than_reached(understanding: Understanding) -> None:
    intent_accuracy, slot_accuracy, size = corpus_score(understanding, HELDOUT)
    print(f"\nheld-out: {size} lines, intents {intent_accuracy:.3f}, slots {slot_accuracy:.3f}")
    assert intent_accuracy >= HELDOUT_REACHED[0] and slot_accuracy >= HELDOUT_REACHED[1]


def test_chatter_is_not_taken_for_requests(understanding: Understanding) -> None:
    rejected, _, size = corpus_score(understanding, CHATTER)
    print(f"\nchatter: {size} lines, rejected {rejected:.3f}")
    assert rejected >= CHATTER_REJECTED


def test_the_tuning_corpus_is_understood(understanding: Understanding) -> None:
    intent_accuracy, slot_accuracy, size = corpus_score(understanding, TUNE)
    print(f"\ntune: {size} lines, intents {intent_accuracy:.3f}, slots {slot_accuracy:.3f}")
    assert intent_accuracy >= 0.95
    assert slot_accuracy >= 0.93


def test_the_second_tuning_corpus_is_understood(understanding: Understanding) -> None:
    """Written by someone who never saw the templates. The floor is the figure measured on
    lines the model had not learned (two folds, each learned without the other: 0.936 of
    intents, 0.919 of slots), so lines still being added do not break it."""
    intent_accuracy, slot_accuracy, size = corpus_score(understanding, TUNE2)
    print(f"\ntune2: {size} lines, intents {intent_accuracy:.3f}, slots {slot_accuracy:.3f}")
    assert intent_accuracy >= 0.93
    assert slot_accuracy >= 0.91


def test_the_third_tuning_corpus_is_understood(understanding: Understanding) -> None:
    """Scenes written apart from the templates (a request with what is going on around it).
    Unseen, before it was learned, it scored 0.671 of intents and 0.628 of slots (898 lines);
    the floor is what learning it and the changes it showed were needed reach."""
    intent_accuracy, slot_accuracy, size = corpus_score(understanding, TUNE3)
    print(f"\ntune3: {size} lines, intents {intent_accuracy:.3f}, slots {slot_accuracy:.3f}")
    assert intent_accuracy >= 0.91
    assert slot_accuracy >= 0.85


def test_the_fourth_tuning_corpus_is_understood(understanding: Understanding) -> None:
    """Written by speaker (learners, dialects, the young and the old), apart from the
    templates. Unseen, on the understanding of its time, it scored 0.685 of intents and 0.622
    of slots (804 lines); with the classifier that confirms near misses and the requests found
    at the end of a story, still unseen, 0.695 and 0.629. The floor is what learning it
    reaches."""
    intent_accuracy, slot_accuracy, size = corpus_score(understanding, TUNE4)
    print(f"\ntune4: {size} lines, intents {intent_accuracy:.3f}, slots {slot_accuracy:.3f}")
    assert intent_accuracy >= 0.91
    assert slot_accuracy >= 0.82


def test_the_fifth_tuning_corpus_is_understood(understanding: Understanding) -> None:
    """Written apart from the templates (tastes in a music lover's words, questions about the
    track, numbers said every way, repairs, recogniser transcripts). Unseen, it scored 0.572 of
    intents and 0.521 of slots (768 lines); the floor is what learning it reaches."""
    intent_accuracy, slot_accuracy, size = corpus_score(understanding, TUNE5)
    print(f"\ntune5: {size} lines, intents {intent_accuracy:.3f}, slots {slot_accuracy:.3f}")
    assert intent_accuracy >= 0.87
    assert slot_accuracy >= 0.78


def talk_score(understanding: Understanding, path: Path) -> tuple[float, int]:
    """The share of ``text<TAB>intent`` lines of a talk corpus understood as their intent."""
    rows = [
        line.split("\t")
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    right = sum(understanding.parse(text).name == intent.strip() for text, intent, *_ in rows)
    return right / len(rows), len(rows)


@pytest.mark.parametrize(
    ("path", "floor"),
    [
        *((TALK_TUNE, 0.95), (TALK_TUNE2, 0.85), (TALK_TUNE3, 0.92), (TALK_TUNE4, 0.91)),
        (TALK_TUNE5, 0.65),
    ],
)
def test_the_talk_tuning_corpora_are_understood(
    understanding: Understanding, path: Path, floor: float
) -> None:
    """talk_tune2's floor is its figure on lines the model had not learned (0.86); talk_tune3
    scored 0.462 unseen (671 lines), and many of its lines lean on the turn before; talk_tune4
    0.503 unseen (756 lines), 0.534 with the classifier that confirms near misses; talk_tune5,
    not learned yet (learned, it cost the held-out conversation a follow-up), 0.571 unseen (669
    lines), 0.577 with tune5 learned, 0.605 with questions read beside talk, asked again and
    confirmed by the classifier's first choice, 0.655 with the sixth and seventh tuning corpora
    learned and the wording they showed."""
    accuracy, size = talk_score(understanding, path)
    print(f"\n{path.name}: {size} lines, intents {accuracy:.3f}")
    assert accuracy >= floor


# -- what people were heard saying (sentences/learned.tsv) ---------------------------------------


def test_the_learned_sentences_are_the_tuning_corpora_regenerated() -> None:
    """learned.tsv is exactly what tests/dj/learned_examples.py makes of the tuning corpora, so
    no sentence is added by hand, and no sentence is learned only from a tuning line that is a
    held-out line (the generator's own check, applied again to each line's source). Only
    counts are shown, never the lines."""
    from appliance.dj.understand_learned import LEARNED_FILE
    from tests.dj import learned_examples as gen
    from tests.support.corpus import read_corpus

    understanding = gen.unlearned()
    regenerated = gen.learned_lines(
        understanding,
        [gen.CORPORA / name for name in gen.TUNING],
        [gen.CORPORA / name for name in gen.TALK_TUNING],
    )
    written = LEARNED_FILE.read_text(encoding="utf-8")
    same = written == gen.HEADER + "\n".join(regenerated) + "\n"  # no diff shown: it may leak
    assert same, (
        "sentences/learned.tsv is not what `python -m tests.dj.learned_examples` writes: "
        f"{len(set(written.splitlines()) - set(regenerated) - set(gen.HEADER.splitlines()))} "
        f"lines not regenerated, {len(set(regenerated) - set(written.splitlines()))} missing"
    )
    # Each learned sentence with its placeholders filled back: the tuning lines it came from.
    sources: dict[str, set[str]] = {}
    for name in gen.TUNING:
        for line in read_corpus(gen.CORPORA / name):
            found = gen.learned_line(understanding, line)
            if found is not None:
                sources.setdefault(found, set()).add(understanding._normalise(line.text))
    for name in gen.TALK_TUNING:
        for text, intent in gen._talk_lines(gen.CORPORA / name):
            normalised = understanding._normalise(text)
            sources.setdefault(f"{intent}\t{normalised}", set()).add(normalised)
    held = gen.held_out_texts(understanding)
    leaked = sum(not sources.get(line, set()) - held for line in regenerated)
    assert leaked == 0, f"{leaked} learned sentences come only from held-out lines"


def test_a_bad_learned_line_is_named_with_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "learned.tsv"
    path.write_text(
        "# heard\nplay\tput on some {genre}\nplay\tput on {colour}\n"
        "mood\tmy dog died\tmood=glum\nskipp\tnext\nlike\tGreat Tune!\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        Understanding(learned_file=path)
    message = str(caught.value)
    assert f"{path}:3: unknown placeholder {{colour}}" in message
    assert f"{path}:4: mood='glum' is not a mood the DJ knows" in message
    assert f"{path}:5: unknown intent 'skipp'" in message
    assert f"{path}:6: the sentence must be lower-case words" in message
    assert caught.value.hint


def test_a_learned_sentence_teaches_its_kin(tmp_path: Path) -> None:
    """A sentence no template has, learned once, is understood in other words and with other
    values; what it means without saying it comes with it."""
    path = tmp_path / "learned.tsv"
    path.write_text(
        "play\tsort us out with a bit of {genre} for the lads\n"
        "mood\tthe guests are arriving any minute\tactivity=party\n",
        encoding="utf-8",
    )
    without = Understanding(learned_file=tmp_path / "none.tsv")
    taught = Understanding(learned_file=path)
    for understanding, expected in ((without, "unknown"), (taught, "play")):
        assert understanding.parse("sort us out with some reggae for the lads").name == expected
    assert taught.parse("sort us out with some reggae for the lads").slots == {"genre": "reggae"}
    assert without.parse("the guests are arriving").name == "unknown"
    found = taught.parse("the guests are arriving")
    assert (found.name, found.slots) == ("mood", {"activity": "party"})


def test_a_learned_sentence_of_skip_words_is_read_as_said(tmp_path: Path) -> None:
    """ "thank you ever so much" is mostly skip words ("thank you", "so much"): without them only
    "ever" is left, so the model reads the words as said too; a word said alone counts only
    when people were heard saying it alone."""
    path = tmp_path / "learned.tsv"
    path.write_text("thanks\tthank you ever so much\nmore_like\tsimilar\n", encoding="utf-8")
    taught = Understanding(learned_file=path)
    assert taught.parse("oh thank you ever so much").name == "thanks"
    assert taught.parse("similar").name == "more_like"
    assert taught.parse("dissimilar").name == "unknown"
    assert taught.parse("just a").name == "unknown"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("pause it, toilet break", "pause"),
        ("the kettle's whistling, turn it down", "volume_down"),
        ("jazz, play it", "play"),
        ("Yes, it's about the parcel that was meant to arrive today.", "unknown"),
        ("Pass me the scissors, would you?", "unknown"),
    ],
)
def test_what_goes_on_around_a_request_is_left_beside_it(
    understanding: Understanding, text: str, intent: str
) -> None:
    """A part said between pauses that means nothing to the DJ is what goes on around the
    request; a yes or a guess beside it is no request (the phone call goes on)."""
    assert understanding.parse(text).name == intent


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("something angry, i'm furious", [("play", {"mood": "angry"})]),
        ("soul, go on", [("play", {"genre": "soul"})]),
        (
            "I'm angry, play some metal.",
            [("mood", {"mood": "angry"}), ("play", {"genre": "metal"})],
        ),
    ],
)
def test_a_request_said_with_its_go_ahead_or_its_reason_is_one_request(
    understanding: Understanding, text: str, said: list
) -> None:
    assert [(part.name, part.slots) for part in understanding.parse(text).each()] == said


@pytest.mark.parametrize(
    ("text", "intent", "slots"),
    [
        ("i am completely obsessed with bossa nova these days", "add_preference",
         {"genre": "bossa nova"}),
        ("loathe country with a passion i do", "remove_preference", {"genre": "country"}),
        ("my boyfriend is obsessed with techno", "unknown", {}),
    ],
)  # fmt: skip
def test_a_taste_told_in_other_words_is_a_preference(
    understanding: Understanding, text: str, intent: str, slots: dict
) -> None:
    found = understanding.parse(text)
    assert (found.name, found.slots) == (intent, slots)


@pytest.mark.parametrize(
    ("text", "intent", "slots"),
    [
        ("wats dat tune", "whats_playing", {}),
        ("i luv dis one", "like", {}),
        ("stop de music", "stop", {}),
        ("no i sed reggae", "correct", {"genre": "reggae"}),
        ("skip plz", "skip", {}),
        # a word spelled by ear keeps what is joined to it
        ("wot's dis one", "whats_playing", {}),
    ],
)
def test_spellings_by_ear_are_read_as_meant(
    understanding: Understanding, text: str, intent: str, slots: dict
) -> None:
    found = understanding.parse(text)
    assert (found.name, found.slots) == (intent, slots)


def test_a_goodbye_is_scored_as_the_corpora_label_it(understanding: Understanding) -> None:
    """The DJ tells a goodbye from a hello; the command corpora label both greet."""
    found = understanding.parse("cheerio mate")
    assert found.name == "bye" and understood_as(found) == (("greet",), {})


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("cheerio mate", "bye"),
        ("catch you around", "bye"),
        ("i'd better get going now night", "bye"),
        ("thanks for your help", "thanks"),
        ("where did reggae come from", "fact"),
        ("who came up with the drum machine", "fact"),
    ],
)
def test_goodbyes_thanks_and_questions_of_history(
    understanding: Understanding, text: str, intent: str
) -> None:
    assert understanding.parse(text).name == intent


def test_a_word_said_to_the_dj_after_a_request_asks_nothing_more(
    understanding: Understanding,
) -> None:
    """ "please young man", "please music man" only address the DJ: no second request."""
    for text in ("pause it please young man", "next song please music man"):
        assert len(understanding.parse(text).each()) == 1, text
    assert understanding.parse("pause it please young man").name == "pause"


def test_accents_are_heard_as_a_recogniser_spells_them(tmp_path: Path) -> None:
    """A tuning line written "play some Beyoncé" is learned as plain words (an accent in
    learned.tsv stopped the understanding from starting), and still finds the library's name."""
    from tests.dj import learned_examples as gen

    corpus = tmp_path / "tune.tsv"
    corpus.write_text("Play some Beyoncé, s'il vous plaît.\tplay\tartist=beyoncé\n", "utf-8")
    understanding = Understanding(vocabulary=Vocabulary(artists=("Beyoncé", "Sigur Rós")))
    lines = gen.learned_lines(understanding, [corpus], [])
    assert lines == ["play\tplay some {artist} s'il vous plait"]
    learned = tmp_path / "learned.tsv"
    learned.write_text("\n".join(lines) + "\n", encoding="utf-8")
    taught = Understanding(vocabulary=Vocabulary(artists=("Sigur Rós",)), learned_file=learned)
    assert taught.parse("play sigur ros").slots == {"artist": "sigur rós"}
    assert taught.parse("Play Sigur Rós.").slots == {"artist": "sigur rós"}


# -- whisper-style text is understood exactly like grammar output --------------------------------


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("Set the volume to 30.", "set the volume to thirty"),
        ("Volume 30%.", "volume thirty percent"),
        ("30%", "thirty percent"),
        ("Set volume to 100!", "set volume to one hundred"),
        ("Play some Hip-Hop, please.", "play some hip hop please"),
        ("Play So What by Miles Davis.", "play so what by miles davis"),
        ("I'm feeling happy today!", "i'm feeling happy today"),
        ("What's playing?", "what's playing"),
        ("Skip.", "skip"),
        ("Don’t like this.", "don't like this"),
        ("Play some R&B.", "play some r and b"),
        ("I need to focus on my homework.", "i need to focus on my homework"),
        ("Play some 80s pop.", "play some eighties pop"),
        ("Put on some '70s disco!", "put on some seventies disco"),
    ],
)
def test_written_text_means_what_its_spoken_form_means(
    understanding: Understanding, written: str, spoken: str
) -> None:
    heard = understanding.parse(spoken)
    assert heard.name != "unknown"
    assert understanding.parse(written).as_json() == heard.as_json()


# -- the guide's homework ------------------------------------------------------------------------


FOCUSED = {"mood": "focused", "activity": "study"}


@pytest.mark.parametrize(
    ("text", "slots"),
    [
        ("I need to focus on my homework.", FOCUSED),  # the guide's sentence
        ("i need to focus on my homework", FOCUSED),
        ("i have to concentrate on my homework", FOCUSED),
        ("i've got to focus on my revision", FOCUSED),
        ("help me focus on my studying", FOCUSED),
        ("i need to get my homework done", {"activity": "study"}),  # no word of focus
    ],
)
def test_homework_sets_the_focused_mood(understanding: Understanding, text: str, slots) -> None:
    intent = understanding.parse(text)
    assert (intent.name, intent.slots) == ("mood", slots)


# -- several requests, several values ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "intents"),
    [
        ("i hate this, next", ("dislike", "skip")),
        ("i hate this next", ("dislike", "skip")),
        ("boring, next", ("dislike", "skip")),
        ("pause and turn it down", ("pause", "volume_down")),
        ("I love this, turn it up!", ("like", "volume_up")),
        ("skip this and then turn it down a bit", ("skip", "volume_down")),
        ("pause i'm on the phone", ("pause",)),
        ("turn it down so we can talk", ("volume_down",)),
        ("nah, skip it", ("skip",)),
    ],
)
def test_several_requests_in_one_breath(
    understanding: Understanding, text: str, intents: tuple[str, ...]
) -> None:
    assert tuple(part.name for part in understanding.parse(text).each()) == intents


@pytest.mark.parametrize(
    ("text", "slots"),
    [
        ("play some rock and some jazz", {"genre": ("rock", "jazz")}),
        ("play rock and jazz", {"genre": ("rock", "jazz")}),
        ("Play some reggae, some soul and some funk.", {"genre": ("reggae", "soul", "funk")}),
        ("play some drum and bass", {"genre": "drum and bass"}),
        ("play some rock and roll", {"genre": "rock"}),  # one genre, as the genre map says
    ],
)
def test_several_values_of_one_slot(understanding: Understanding, text: str, slots: dict) -> None:
    intent = understanding.parse(text)
    assert (intent.name, intent.slots, intent.also) == ("play", slots, ())


def test_the_json_of_several_requests(understanding: Understanding) -> None:
    assert understanding.parse("i hate this, next").as_json() == {
        "intent": "dislike",
        "slots": {},
        "also": [{"intent": "skip", "slots": {}}],
    }
    assert understanding.parse("play some rock and some jazz").as_json() == {
        "intent": "play",
        "slots": {"genre": ["rock", "jazz"]},
    }
    assert understanding.parse("play some jazz").as_json() == {
        "intent": "play",
        "slots": {"genre": "jazz"},
    }


# -- corrections, yes and no ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "slots"),
    [
        ("no, i said jazz", {"genre": "jazz"}),
        ("no i meant reggae", {"genre": "reggae"}),
        ("not miles davis, sade", {"artist": "sade"}),
        ("i said jazz not rock", {"genre": "jazz"}),
        ("no fifty not fifteen", {"level": 50}),
        ("i meant something happy", {"mood": "happy"}),
        ("wrong one, i said redemption song", {"title": "redemption song"}),
    ],
)
def test_corrections(understanding: Understanding, text: str, slots: dict) -> None:
    intent = understanding.parse(text)
    assert (intent.name, intent.slots) == ("correct", slots)


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("yes", "confirm"),
        ("Yeah.", "confirm"),
        ("do it", "confirm"),
        ("yes please", "confirm"),
        ("no", "deny"),
        ("nope", "deny"),
        ("never mind", "deny"),
    ],
)
def test_yes_and_no(understanding: Understanding, text: str, intent: str) -> None:
    assert understanding.parse(text).name == intent


# -- the model: paraphrases in, chatter out, and how sure it is ---------------------------------


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("could you go to the next song", "skip"),
        ("hold on a second", "pause"),
        ("how many friends do i have", "community"),
        ("make more loud", "volume_up"),
        ("i want listen reggae", "play"),
        ("this one's a keeper", "like"),
        ("this is doing my head in", "dislike"),
        ("can you explain what you do", "help"),
    ],
)
def test_paraphrases_no_template_foresaw(
    understanding: Understanding, text: str, intent: str
) -> None:
    assert understanding.parse(text).name == intent


@pytest.mark.parametrize(
    "text",
    [
        "forty",
        "thirty five",
        "turn up the heating",
        "turn the lights off",
        "what's the time",
        "my sister loves jazz",
        "stop it you two",
        "the neighbours are so loud",
    ],
)
def test_near_requests_that_are_not_requests(understanding: Understanding, text: str) -> None:
    assert understanding.parse(text).name == "unknown"


def test_confidence_says_how_the_meaning_was_found(understanding: Understanding) -> None:
    assert understanding.parse("skip this song").confidence == 1.0
    assert understanding.parse("play some jaz").confidence < 1.0  # a word mended
    guessed = understanding.parse("this one is a keeper")  # the model, not a template
    assert 0.5 < guessed.confidence < 1.0
    assert understanding.parse("play something by my neighbour").confidence < 1.0


@pytest.mark.parametrize(
    ("text", "slots"),
    [
        ("i'm chilling at home", {"activity": "relax"}),
        ("just woke up", {"activity": "morning"}),
        ("i'm off to the gym in a bit", {"activity": "workout"}),
    ],
)
def test_statements_about_oneself_set_the_mood(
    understanding: Understanding, text: str, slots: dict
) -> None:
    intent = understanding.parse(text)
    assert (intent.name, intent.slots) == ("mood", slots)
    assert intent.confidence < 1.0


@pytest.mark.parametrize(
    "text", ["we had a lovely romantic dinner", "i was feeling good until i saw the bill"]
)
def test_stories_told_are_not_moods(understanding: Understanding, text: str) -> None:
    assert understanding.parse(text).name == "unknown"


# -- what is said around a request is not a request ---------------------------------------------

NOT_CORRECTIONS = (
    "i said hello to my neighbour",
    "i meant to call you yesterday",
    "i said no",
    "i said i'd be there by five",
    "no i said hello to my neighbour",
    "sorry i meant to say thanks",
    "i said hello to my neighbour not to you",
)


@pytest.mark.parametrize("text", NOT_CORRECTIONS)
def test_saying_what_one_said_or_meant_is_no_correction(
    understanding: Understanding, text: str
) -> None:
    intent = understanding.parse(text)
    assert "correct" not in [part.name for part in intent.each()], intent
    assert all("query" not in part.slots for part in intent.each()), intent


@pytest.mark.parametrize(
    ("text", "slots"),
    [
        ("no i said miles davies", {"artist": "Miles Davis"}),
        ("sorry i meant norah jone", {"artist": "Norah Jones"}),
        ("i said get lucky not get low", {"title": "Get Lucky"}),
    ],
)
def test_a_correction_in_free_text_names_the_library(
    understanding: Understanding, text: str, slots: dict
) -> None:
    intent = understanding.parse(text)
    assert intent.name == "correct"
    assert {k: str(v).casefold() for k, v in intent.slots.items()} == {
        k: v.casefold() for k, v in slots.items()
    }


@pytest.mark.parametrize("text", ["play again", "play again please", "can you play again"])
def test_play_again_is_a_replay(understanding: Understanding, text: str) -> None:
    intent = understanding.parse(text)
    assert (intent.name, intent.slots, intent.also) == ("replay", {}, ())


@pytest.mark.parametrize("text", ["play the song", "put on something", "play that one"])
def test_a_search_text_is_never_only_filler(understanding: Understanding, text: str) -> None:
    intent = understanding.parse(text)
    assert all("query" not in part.slots for part in intent.each()), intent


@pytest.mark.parametrize("text", ["ok", "okay", "OK.", "Okay.", "okay then"])
def test_ok_is_a_yes(understanding: Understanding, text: str) -> None:
    intent = understanding.parse(text)
    assert (intent.name, intent.confidence) == ("confirm", 1.0)


@pytest.mark.parametrize(
    "text", ["ok so we'll see you at the station then", "okay so basically", "that's what i"]
)
def test_ok_in_chatter_is_no_yes(understanding: Understanding, text: str) -> None:
    assert understanding.parse(text).name == "unknown"


@pytest.mark.parametrize("text", ["sort of", "kind of", "a little bit", "really quite"])
def test_hedges_said_alone_ask_nothing(understanding: Understanding, text: str) -> None:
    assert understanding.parse(text).name == "unknown"


def test_the_model_is_shared_by_files_that_hold_the_same(tmp_path: Path) -> None:
    """The model is keyed on what the file holds, not on an object's identity or its path."""
    shipped = SENTENCES_FILE.read_text(encoding="utf-8")
    same = tmp_path / "same.yaml"
    same.write_text(shipped, encoding="utf-8")
    other = tmp_path / "other.yaml"
    other.write_text(shipped + "\n# one more line\n", encoding="utf-8")
    first = Understanding(sentences_file=SENTENCES_FILE)._model()
    assert Understanding(sentences_file=same)._model() is first
    assert Understanding(sentences_file=other)._model() is not first


# -- speech as people say it: hesitations, openers, tags ------------------------------------------


@pytest.mark.parametrize(
    ("text", "intents", "slots"),
    [
        ("so er yeah can you play some jazz", ("play",), {"genre": "jazz"}),
        ("um hi it's uh it's sophie", ("greet", "identify"), {"name": "sophie"}),
        ("turn it up bruv", ("volume_up",), {}),
        ("like can you just put on some like chill music or whatever", ("play",), {"mood": "calm"}),
        ("skip skip skip", ("skip",), {}),
    ],
)
def test_words_said_around_a_request_are_left_out(
    understanding: Understanding, text: str, intents: tuple[str, ...], slots: dict
) -> None:
    intent = understanding.parse(text)
    assert understood_as(intent) == (intents, slots)
    assert intent.confidence < 1.0 or intents == ("skip",)


@pytest.mark.parametrize("text", ["i mean", "you know what i mean", "well you know"])
def test_openers_and_tags_alone_ask_nothing(understanding: Understanding, text: str) -> None:
    assert understanding.parse(text).name == "unknown"


@pytest.mark.parametrize(
    ("text", "query"),
    [("play frank sinatra", "frank sinatra"), ("play something by my neighbour", "my neighbour")],
)
def test_a_search_text_keeps_the_words_heard(
    understanding: Understanding, text: str, query: str
) -> None:
    """Words are mended towards known ones to match templates; a search is for what was said
    ("frank" was searched as "rank")."""
    assert understanding.parse(text).slots == {"query": query}


@pytest.mark.parametrize(
    "text",
    ["he's very much into punk these days", "she's been in a mood all day", "they're at the gym"],
)
def test_talk_about_someone_else_is_no_request(understanding: Understanding, text: str) -> None:
    assert understanding.parse(text).name == "unknown"


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("skip this rubbish", [("dislike", {}), ("skip", {})]),  # the dislike is of this track
        ("ugh, skip", [("dislike", {}), ("skip", {})]),
        (
            "I love soul, put some on.",
            [("add_preference", {"genre": "soul"}), ("play", {"genre": "soul"})],
        ),
        ("play some sad nina simone", [("play", {"artist": "nina simone", "mood": "sad"})]),
        (
            "play some daft punk for the party",
            [("play", {"artist": "daft punk", "activity": "party"})],
        ),
        ("pop on kind of blue for me", [("play", {"album": "kind of blue"})]),  # no "blue" mood
        ("would you mind playing some jazz", [("play", {"genre": "jazz"})]),
        ("I am Sofia.", [("identify", {"name": "sofia"})]),
        ("i'm absolutely gutted", [("mood", {"mood": "sad"})]),
        ("i'm knackered", [("mood", {"mood": "calm"})]),
        ("volume all the way up", [("set_volume", {"level": 100})]),
        ("turn it all the way down", [("set_volume", {"level": 0})]),
        ("No, not that. Reggae!", [("correct", {"genre": "reggae"})]),
        ("No, I said jazz! Jazz!", [("correct", {"genre": "jazz"})]),
        ("I said disco, not this.", [("correct", {"genre": "disco"})]),
        ("i said the album kind of blue", [("correct", {"album": "kind of blue"})]),
        ("Stop the music, thank you.", [("stop", {})]),
        ("who's the composer of this", [("whats_playing", {})]),
        ("put something with a bit of energy on", [("play", {"mood": "energetic"})]),
        ("and um who's it by again", [("whats_playing", {})]),
        ("fair enough, what's on after it", [("whats_next", {})]),
        ("down again please", [("volume_down", {})]),
        ("make it sixty", [("set_volume", {"level": 60})]),
        ("hi, i'm nina", [("greet", {}), ("identify", {"name": "nina"})]),
        ("i'm sam", [("identify", {"name": "sam"})]),
        ("play some miles", [("play", {"artist": "miles davis"})]),  # one word of one name
        ("this is dire", [("dislike", {})]),
        ("i could listen to reggae all day", [("add_preference", {"genre": "reggae"})]),
        ("hang about", [("pause", {})]),
        ("onto the next one", [("skip", {})]),
    ],
)
def test_requests_in_more_of_the_ways_people_put_them(
    understanding: Understanding, text: str, parts: list
) -> None:
    assert [(part.name, part.slots) for part in understanding.parse(text).each()] == parts


@pytest.mark.parametrize("text", ["i'm home", "i'm starving", "it's late", "i'm off out"])
def test_how_one_is_is_not_who_one_is(understanding: Understanding, text: str) -> None:
    assert understanding.parse(text).name != "identify"
