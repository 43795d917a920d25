"""The recogniser's own words: n-gram models from the templates, pronunciations from espeak-ng."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import pytest
from pocketsphinx import NGramModel

from appliance.dj.understand import Understanding, Vocabulary
from appliance.voice import stt_pocketsphinx
from appliance.voice.ngram import arpa
from appliance.voice.pronounce import ipa_to_arpabet, pronounce
from appliance.voice.stt import load_recognizer
from appliance.voice.stt_pocketsphinx import WAKE_TAIL, PocketsphinxRecognizer, new_decoder
from tests.support.speech import silence, speech_pcm


def parse_arpa(text: str) -> dict[int, dict[tuple[str, ...], tuple[float, float]]]:
    grams: dict[int, dict[tuple[str, ...], tuple[float, float]]] = {}
    order = 0
    for line in text.splitlines():
        if match := re.match(r"\\(\d)-grams:", line):
            order = int(match.group(1))
            grams[order] = {}
        elif order and line and not line.startswith("\\"):
            parts = line.split("\t")
            backoff = float(parts[2]) if len(parts) > 2 else 0.0
            grams[order][tuple(parts[1].split())] = (float(parts[0]), backoff)
    return grams


def test_arpa_counts_and_probabilities_add_up() -> None:
    text = arpa(["play some jazz", "play some rock", "skip this song", "play jazz"])
    header = dict(re.findall(r"ngram (\d)=(\d+)", text))
    grams = parse_arpa(text)
    assert {int(n): len(g) for n, g in grams.items()} == {int(n): int(c) for n, c in header.items()}
    assert grams[2][("play", "some")][0] > grams[2][("play", "jazz")][0]  # seen twice vs once
    unigrams = sum(10**p for gram, (p, _) in grams[1].items() if gram != ("<s>",))
    assert unigrams == pytest.approx(1.0, abs=1e-3)
    # after "play", the seen words plus the backed-off rest make a whole
    seen = {g[1]: 10**p for g, (p, _) in grams[2].items() if g[0] == "play"}
    backoff = 10 ** grams[1][("play",)][1]
    rest = sum(10**p for g, (p, _) in grams[1].items() if g[0] not in seen and g != ("<s>",))
    assert sum(seen.values()) + backoff * rest == pytest.approx(1.0, abs=1e-3)
    assert all(math.isfinite(p) for g in grams.values() for p, _ in g.values())


def test_pocketsphinx_reads_the_model(tmp_path: Path) -> None:
    """pocketsphinx's own reader takes the text (it refuses a malformed one) and scores as it
    says: a seen trigram far above an unseen one. A decoder takes the builder's models below
    (``dj_ears``); one given a model this small took 8-20 s to map its 134,000 dictionary words
    into a table sized for the model's eight."""
    path = tmp_path / "m.arpa"
    path.write_text(arpa(["play some jazz", "skip this song"]))
    model = NGramModel.readfile(str(path))
    assert model.size() == 3
    # a word, then what came before it, the nearest first
    seen, unseen = model.prob(["jazz", "some", "play"]), model.prob(["jazz", "this", "skip"])
    assert seen > unseen


def test_ipa_maps_onto_the_acoustic_models_phones() -> None:
    assert ipa_to_arpabet("sˈeɪd") == "S EY D"
    assert ipa_to_arpabet("dʒˈæz") == "JH AE Z"
    assert ipa_to_arpabet("tʃˈɜːtʃ") == "CH ER CH"
    assert ipa_to_arpabet("ʘ") is None


def test_names_missing_from_the_dictionary_get_a_pronunciation() -> None:
    decoder = new_decoder()
    for word in ("sade", "bossa", "afrobeat"):
        assert decoder.lookup_word(word) is None
        phones = pronounce(word)
        assert phones
        decoder.add_word(word, phones, update=True)  # refused for a phone the model lacks
        assert decoder.lookup_word(word) == phones
    assert pronounce("sade") == "S EY D"


class CountingDecoder:
    """A decoder whose additions of the wake word's tail that rebuild the search are counted."""

    def __init__(self, decoder: Any) -> None:
        self.decoder = decoder
        self.rebuilds = 0

    def add_word(self, word: str, phones: str, update: bool = True) -> Any:
        self.rebuilds += bool(update) and word.startswith(WAKE_TAIL)
        return self.decoder.add_word(word, phones, update=update)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.decoder, name)


@pytest.fixture(scope="module")
def dj_ears() -> tuple[PocketsphinxRecognizer, Understanding, int]:
    """The DJ's grammar heard with the wake word before it, as the listener has it (one model
    worked out and read, not one without the wake word first); and how often adding the wake
    word's tail rebuilt the decoder's search."""
    understanding = Understanding(
        vocabulary=Vocabulary(artists=("Miles Davis", "Sade", "Daft Punk"), titles=("So What",))
    )
    made: list[CountingDecoder] = []

    def counted(*args: Any, **kwargs: Any) -> CountingDecoder:
        made.append(CountingDecoder(new_decoder(*args, **kwargs)))
        return made[-1]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(stt_pocketsphinx, "new_decoder", counted)
        recognizer = load_recognizer(
            "pocketsphinx", None, grammar=understanding.grammar(names=["alex"]),
            wake_phrases=["hey jarvis"],
        )  # fmt: skip
    assert isinstance(recognizer, PocketsphinxRecognizer)
    recognizer._decoder = made[-1].decoder
    return recognizer, understanding, sum(decoder.rebuilds for decoder in made)


def test_the_wake_words_tail_rebuilds_the_search_once(
    dj_ears: tuple[PocketsphinxRecognizer, Understanding, int],
) -> None:
    """Each word added with an update rebuilds the search over the whole dictionary (1-2 s):
    the five words of "jarvis"'s tail used to rebuild it five times at every start."""
    assert dj_ears[2] == 1  # once: not five times, and not never (the tail words are added)


@pytest.mark.parametrize(
    ("said", "intent", "slots"),
    [
        ("play some jazz", "play", {"genre": "jazz"}),
        ("play something by sade", "play", {"artist": "sade"}),
        ("play some bossa nova", "play", {"genre": "bossa nova"}),
        # heard as "put on a low bossa nova" before the lattice's best path was kept
        ("put on a little bossa nova", "play", {"genre": "bossa nova"}),
        ("play so what by miles davis", "play", {"title": "so what", "artist": "miles davis"}),
        ("set the volume to fifty", "set_volume", {"level": 50}),
        ("this is alex", "identify", {"name": "alex"}),
        ("i don't like country", "remove_preference", {"genre": "country"}),
        ("tell me about my community", "community", {}),
        ("what's the weather like", "unknown", {}),
    ],
)
def test_the_whole_command_language_is_heard(
    dj_ears: tuple[PocketsphinxRecognizer, Understanding, int],
    said: str,
    intent: str,
    slots: dict[str, object],
) -> None:
    recognizer, understanding, _ = dj_ears
    recognizer.start()
    pcm = silence(0.2) + speech_pcm(said) + silence(0.3)
    for offset in range(0, len(pcm), 320):
        recognizer.accept(pcm[offset : offset + 320])
    heard = recognizer.finish()
    understood = understanding.parse(heard.text)
    assert (understood.name, dict(understood.slots)) == (intent, slots), heard.text
