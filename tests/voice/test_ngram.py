"""The recogniser's language model from the templates: expected counts, not a sample, so it is
the same every time and does not shift when a template is added elsewhere."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from appliance.dj.understand import Understanding, Vocabulary
from appliance.grammar import Alt, Grammar, Ref, Seq, Words
from appliance.voice.grammar_counts import expected_counts, with_prefixes
from appliance.voice.ngram import grammar_arpa
from tests.voice.test_language_model import parse_arpa

Model = dict[int, dict[tuple[str, ...], tuple[float, float]]]

SMALL = Grammar(
    root=Alt(
        (
            *[Seq((Words("play"), Alt((Words("some"),), optional=True), Ref("genre")))] * 3,
            Seq((Words("set the volume to"), Ref("level"))),
            Words("skip"),
            Seq((Words("i"), Alt((Words("really"), Words("do not")), optional=True), Ref("feel"))),
        )
    ),
    rules={"feel": Seq((Alt((Words("like"), Words("love this"))), Alt((), optional=True)))},
    lists={"genre": ["jazz", "bossa nova", "rock"], "level": ["fifty", "fifty eight", "ten"]},
)
COMMON = ("play some jazz", "set the volume to fifty", "skip", "pause", "what's playing")


def log10_probability(model: Model, sentence: str) -> float:
    """log10 P(sentence) under a trigram ARPA model, backing off as a recogniser does."""
    words = ["<s>", *sentence.split(), "</s>"]

    def score(gram: tuple[str, ...]) -> float:
        if gram in model[len(gram)]:
            return model[len(gram)][gram][0]
        if len(gram) == 1:
            return -99.0
        backoff = model[len(gram) - 1].get(gram[:-1], (0.0, 0.0))[1]
        return backoff + score(gram[1:])

    return sum(score(tuple(words[max(0, i - 2) : i + 1])) for i in range(1, len(words)))


def test_expected_counts_are_what_a_large_sample_counts() -> None:
    expected = expected_counts(SMALL, least=0.0)
    rng = random.Random(1)
    sampled: Counter[tuple[str, ...]] = Counter()
    draws = 40000
    for _ in range(draws):
        tokens = ["<s>", *SMALL.sample(rng).split(), "</s>"]
        for n in (1, 2, 3):
            for i in range(len(tokens) - n + 1):
                sampled[tuple(tokens[i : i + n])] += 1
    assert set(sampled) == set(expected)
    for gram, count in sampled.items():
        assert expected[gram] == pytest.approx(count / draws, abs=0.01), gram
    # worked out by hand: "play" in 3 of 6, then "some" half the time, then jazz one in three
    assert expected[("<s>", "play", "some")] == pytest.approx(0.25)
    assert expected[("some", "jazz", "</s>")] == pytest.approx(0.25 / 3)
    assert expected[("to", "fifty", "eight")] == pytest.approx(1 / 18)


def test_the_model_says_what_the_grammar_says_most() -> None:
    model = parse_arpa(grammar_arpa(SMALL))
    assert log10_probability(model, "play some jazz") == pytest.approx(
        log10_probability(model, "play some rock"), abs=0.01
    )
    # "fifty" ends the sentence as often as "fifty eight" goes on
    assert model[3][("to", "fifty", "</s>")][0] == pytest.approx(
        model[3][("to", "fifty", "eight")][0], abs=0.01
    )
    assert log10_probability(model, "play some jazz") > log10_probability(model, "play rock some")
    # every value of every list is a word of the model, however rarely it is said
    assert {("nova",), ("eight",), ("love",)} <= model[1].keys()


NAMES = Vocabulary(artists=("Miles Davis", "Sade"), titles=("So What",))


@pytest.fixture(scope="module")
def templates_model() -> tuple[Grammar, str]:
    """The DJ's grammar and its language model, built once for the tests that read them (a
    model of the whole grammar takes seconds)."""
    grammar = Understanding(vocabulary=NAMES).grammar(names=["alex"])
    return grammar, grammar_arpa(grammar)


def test_the_same_templates_always_give_the_same_model_with_every_word(
    templates_model: tuple[Grammar, str],
) -> None:
    grammar, first = templates_model
    assert first == grammar_arpa(Understanding(vocabulary=NAMES).grammar(names=["alex"]))
    # a word the model lacks can never be heard: a sample of 20000 sentences left out 61 of
    # the 1537 ("keeper", "gimme", "bonjour")
    assert {(word,) for word in grammar.words()} <= parse_arpa(first)[1].keys()
    # a wake word's leftovers before a fifth of the sentences
    prefixed = expected_counts(with_prefixes(SMALL, ["jarvis"], 0.2), least=0.0)
    assert prefixed[("<s>", "jarvis")] == pytest.approx(0.2)
    assert prefixed[("jarvis", "skip", "</s>")] == pytest.approx(0.2 / 6)


def test_more_talk_templates_barely_move_the_commonest_commands(
    templates_model: tuple[Grammar, str],
) -> None:
    """Twenty new sentences of talk take a little of everyone's share, and no more."""
    grammar, model = templates_model
    talk = tuple(Words(f"tell me a story about the {n} little pigs") for n in range(20))
    assert isinstance(grammar.root, Alt)
    templates = grammar.root.items[0]  # the templates, before the paraphrases and the commonest
    assert isinstance(templates, Alt)
    with_talk = Alt(templates.items + talk)
    grown = Grammar(
        root=Alt(tuple(with_talk if i is templates else i for i in grammar.root.items)),
        rules=grammar.rules,
        lists=grammar.lists,
    )
    before = parse_arpa(model)
    after = parse_arpa(grammar_arpa(grown))
    for sentence in COMMON:
        moved = log10_probability(after, sentence) - log10_probability(before, sentence)
        assert abs(moved) < 0.05, (sentence, moved)  # within 12 %
    # and "fifty" is a whole level, not the start of "fifty eight"
    for model in (before, after):
        fifty = log10_probability(model, "set the volume to fifty")
        assert fifty > log10_probability(model, "set the volume to fifty eight")


def test_a_discount_as_large_as_the_floor_is_refused() -> None:
    """A kept n-gram expected less often than the discount would get no probability at all."""
    assert "\\end\\" in grammar_arpa(SMALL, discount=0.01, floor=0.05)
    with pytest.raises(ValueError, match="discount"):
        grammar_arpa(SMALL, discount=0.05, floor=0.02)
