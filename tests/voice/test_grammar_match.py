"""Whether the command grammar says a transcript whole: part of pocketsphinx's confidence."""

from __future__ import annotations

from appliance.dj.understand import Understanding, Vocabulary
from appliance.voice.grammar_match import GrammarMatch
from tests.voice.test_ngram import SMALL


def test_only_whole_sentences_of_the_grammar_are_said() -> None:
    match = GrammarMatch(SMALL)
    for said in ("play some jazz", "play bossa nova", "set the volume to fifty eight", "skip",
                 "i do not love this", "i like"):  # fmt: skip
        assert match.says(said), said
    for not_said in ("", "play some", "play some jazz please", "skip skip", "bossa nova",
                     "set the volume to eight", "i really do not like", "play nova"):  # fmt: skip
        assert not match.says(not_said), not_said


def test_misreadings_of_the_language_model_are_not_commands() -> None:
    understanding = Understanding(vocabulary=Vocabulary(artists=("Miles Davis", "Sade")))
    match = GrammarMatch(understanding.grammar(names=["alex"]))
    for said in ("play some jazz", "turn the music off", "set the volume to fifty", "skip",
                 "play something by sade", "this is alex"):  # fmt: skip
        assert match.says(said), said
    # what pocketsphinx heard on TUNE voices: likely trigrams, no template's sentence
    for misheard in ("play some on", "turn music on", "i love the hall", "volume seventy i am"):
        assert not match.says(misheard), misheard
