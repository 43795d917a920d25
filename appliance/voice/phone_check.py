"""A second look at what pocketsphinx heard: do the words fit the audio better than bare phones?

A language model of the templates finds *some* likely sentence in any audio, so a reading being
the search's best says little about whether it was said. This check decodes the same utterance
again with a grammar of only the first pass's few readings, beside a loop over every English
phone weighted at :data:`LOOP_WEIGHT` against them: a reading that beats the loop fits the sounds
as those words, not only as the likeliest sentence the model knows. The loop is the same garbage
path that keeps chatter out of a JSGF command grammar.

The second decoder follows the first one's cepstral mean (the voice's and the room's colour), so
it hears the utterance as the first pass did.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

LOOP_PREFIX = "gbg_"
"""Words of the phone loop: one per phone, left out of any text."""


def add_phone_loop(decoder: Any, dictionary: Path) -> list[str]:
    """Add one word per phone of ``dictionary`` to ``decoder``; their names, for a JSGF rule."""
    phones: set[str] = set()
    with dictionary.open(encoding="utf-8", errors="replace") as lines:
        for line in lines:
            phones.update(line.split()[1:])
    ordered = sorted(p for p in phones if p.isalpha())
    for index, phone in enumerate(ordered):
        decoder.add_word(LOOP_PREFIX + phone.lower(), phone, update=index == len(ordered) - 1)
    return [LOOP_PREFIX + p.lower() for p in ordered]


def loop_rule(words: Sequence[str]) -> str:
    """The JSGF body of one or more phones in a row."""
    return f"({' | '.join(words)})+"


LOOP_WEIGHT = 1e-7
"""The loop's weight against the readings' 1, chosen on the TUNE voices of
tests/support/voices.py (every third line of the speech benchmark, readings the command grammar
says whole): at 1e-10 115 readings beat the loop and 1 of them meant something else than what
was said ('play some garage' for 'play some jazz'), at 1e-7 110 with none wrong, at 1e-5 108.
The loop pays its weight once and then a price per phone, so a long reading beats it easily:
readings the grammar does not say whole (chatter heard as words) beat it as often as not."""


class PhoneCheck:
    """Which of a few readings beats the phone loop on an utterance's audio, if any."""

    def __init__(self, decoder: Any, dictionary: Path, weight: float = LOOP_WEIGHT) -> None:
        self._decoder = decoder
        self._loop = add_phone_loop(decoder, dictionary)
        self.weight = weight
        self._searches = 0
        self.seconds = 0.0
        """How long the last check took."""

    def best(
        self,
        pcm: bytes,
        readings: Sequence[str],
        cmn: str,
        pronunciation: Any,
        optional_before: Sequence[str] = (),
    ) -> str:
        """The reading of ``readings`` that beat the loop on ``pcm``, or "" (the loop won, or
        no reading could be said). ``cmn``: the first decoder's cepstral mean;
        ``pronunciation``: a word's phones (the first decoder's ``lookup_word``), for words
        this decoder was not given yet; ``optional_before``: words that may come first and are
        not part of any reading (what is left of a wake word)."""
        started = time.perf_counter()
        try:
            return self._best(pcm, readings, cmn, pronunciation, optional_before)
        finally:
            self.seconds = time.perf_counter() - started

    def _best(
        self,
        pcm: bytes,
        readings: Sequence[str],
        cmn: str,
        pronunciation: Any,
        optional_before: Sequence[str],
    ) -> str:
        said = [r for r in dict.fromkeys(readings) if r and self._known(r, pronunciation)]
        before = [w for w in dict.fromkeys(optional_before) if self._known(w, pronunciation)]
        if not said or not pcm:
            return ""
        lead = "[<before>] " if before else ""
        lines = [
            "#JSGF V1.0;",
            "grammar check;",
            f"public <utterance> = /1/ {lead}<reading> | /{self.weight:g}/ <loop>;",
            f"<reading> = {' | '.join(f'( {r} )' for r in said)};",
            f"<loop> = {loop_rule(self._loop)};",
        ]
        if before:
            lines.append(f"<before> = {' | '.join(before)};")
        self._searches += 1
        name = f"check{self._searches}"
        self._decoder.add_jsgf_string(name, "\n".join(lines) + "\n")
        self._decoder.activate_search(name)
        if self._searches > 1:
            self._decoder.remove_search(f"check{self._searches - 1}")
        self._decoder.set_cmn(cmn)
        self._decoder.start_utt()
        self._decoder.process_raw(pcm, False, False)
        self._decoder.end_utt()
        hypothesis = self._decoder.hyp()
        tokens = (hypothesis.hypstr if hypothesis else "").split()
        if not tokens or any(t.startswith(LOOP_PREFIX) for t in tokens):
            return ""
        text = " ".join(t.split("(")[0] for t in tokens if not t.startswith(("<", "[", "+")))
        for prefix in sorted(before, key=len, reverse=True):
            if text not in said and text.startswith(prefix + " "):
                text = text[len(prefix) + 1 :]
        return text if text in said else ""

    def _known(self, text: str, pronunciation: Any) -> bool:
        """Every word of ``text`` can be said here: a new word is taken from the first decoder
        with each of its pronunciations ("the", "the(2)")."""
        for word in text.split():
            if self._decoder.lookup_word(word) is not None:
                continue
            phones = pronunciation(word)
            if not phones:
                return False
            self._decoder.add_word(word, phones, update=True)
            for number in range(2, 10):
                other = pronunciation(f"{word}({number})")
                if not other:
                    break
                self._decoder.add_word(f"{word}({number})", other, update=True)
        return True
