"""The command grammar: the DJ's templates as a tree that says what the DJ understands."""

from __future__ import annotations

import random

import pytest

from appliance.dj.understand import Understanding, Vocabulary
from appliance.grammar import Alt, Grammar, Ref, Seq, Words


@pytest.fixture(scope="module")
def understanding() -> Understanding:
    return Understanding(vocabulary=Vocabulary(artists=("Miles Davis", "Sade")))


def test_sampled_sentences_are_understood(understanding: Understanding) -> None:
    grammar = understanding.grammar(names=["zoe"])
    rng = random.Random(4)
    samples = [grammar.sample(rng) for _ in range(300)]
    understood = [understanding.parse(s).name != "unknown" for s in samples]
    assert sum(understood) / len(samples) >= 0.97, [
        s for s, ok in zip(samples, understood, strict=True) if not ok
    ]


def test_the_grammar_holds_lists_and_names(understanding: Understanding) -> None:
    grammar = understanding.grammar(names=["zoe"])
    assert "jazz" in grammar.lists["list_genre"]
    assert "miles davis" in grammar.lists["list_artist"]
    assert "zoe" in grammar.lists["list_name"]
    assert {"play", "skip", "volume", "sade"} <= grammar.words()


def test_pruning_drops_what_cannot_be_said() -> None:
    grammar = Grammar(
        root=Alt((Seq((Words("play"), Ref("genre"))), Seq((Words("zorp"), Ref("genre"))))),
        lists={"genre": ["jazz", "blorf rock"]},
    )
    pruned = grammar.pruned(lambda word: word not in {"zorp", "blorf"})
    assert pruned.lists == {"genre": ["jazz"]}
    assert pruned.root == Alt((Seq((Words("play"), Ref("genre"))),))
    rng = random.Random(1)
    assert {pruned.sample(rng) for _ in range(20)} == {"play jazz"}
    with pytest.raises(ValueError):
        grammar.pruned(lambda word: False)


def test_rules_that_use_rules_are_pruned_in_order() -> None:
    grammar = Grammar(
        root=Seq((Ref("outer"),)),
        rules={"outer": Seq((Words("turn"), Ref("inner"))), "inner": Alt((Words("up"),))},
    )
    assert grammar.pruned(lambda word: True).rules.keys() == {"outer", "inner"}
    with pytest.raises(ValueError):
        grammar.pruned(lambda word: word != "up")


def test_paraphrases_corrections_and_answers_reach_the_grammar(
    understanding: Understanding,
) -> None:
    words = understanding.grammar().words()
    # paraphrases ("whack on some reggae", "this one's a keeper"), corrections, yes and no
    assert {"whack", "keeper", "meant", "nope", "yeah", "homework"} <= words
    # chatter examples teach the understanding what to ignore, never the recogniser
    assert "kettle" not in words


def test_the_language_model_samples_paraphrases_and_library_names(
    understanding: Understanding,
) -> None:
    # pocketsphinx's trigram model holds what Grammar.sample says on average (voice/ngram.py)
    grammar = understanding.grammar(names=["zoe"])
    rng = random.Random(2)
    samples = {grammar.sample(rng) for _ in range(4000)}
    text = "\n".join(samples)
    said = [grammar.sample(rng) for _ in range(4000)]
    written = understanding._templates.paraphrases  # the ones without placeholders, as written
    plain = {s for intent, texts in written.items() if intent != "unknown" for s in texts}
    assert sum(sentence in plain for sentence in said) / len(said) > 0.05
    assert "miles davis" in text and "sade" in text
    assert "friends" in text  # a community question: words from the paraphrases too


def test_the_digest_is_of_what_the_grammar_says_not_of_its_objects() -> None:
    def grammar(genre: str = "jazz", optional: bool = False, extra: str | None = None) -> Grammar:
        some = Alt((Words("some"),), optional=True)
        play = Seq((Words("play"), some, Ref("genre")))
        return Grammar(
            root=Alt((play, Seq((Words("skip"), some)), Ref("again")), optional=optional),
            rules={"again": Words("once more")},
            lists={"genre": [genre, "rock"] + ([extra] if extra else [])},
        )

    shared = grammar()
    written_twice = Grammar(  # the same sentences, each part its own object
        root=Alt(
            (
                Seq((Words("play"), Alt((Words("some"),), optional=True), Ref("genre"))),
                Seq((Words("skip"), Alt((Words("some"),), optional=True))),
                Ref("again"),
            )
        ),
        rules={"again": Words("once more")},
        lists={"genre": ["jazz", "rock"]},
    )
    assert written_twice.digest() == shared.digest() == grammar().digest()
    others = [grammar("blues"), grammar(optional=True), grammar(extra="soul")]
    others.append(
        Grammar(root=shared.root, rules={"again": Words("once more please")}, lists=shared.lists)
    )
    assert len({g.digest() for g in [shared, *others]}) == 5


def test_pruning_a_part_met_many_times_prunes_each_alike(understanding: Understanding) -> None:
    grammar = understanding.grammar(names=["zoe"])
    kept = grammar.pruned(lambda word: word != "jazz")
    assert "jazz" not in kept.words() and "rock" in kept.words()
    rng = random.Random(7)
    assert all("jazz" not in kept.sample(rng).split() for _ in range(200))
