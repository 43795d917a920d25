"""Text as the DJ compares it: one spelling for what a recogniser (or a person typing) produces.

Utterances and library names go through the same :class:`Normaliser`, so "Don't Know Why", "dont
know why" and "don't know why" all meet as one key, and "22" in a title meets "twenty two" as a
recogniser spells it.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping

_ONES = (
    *("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"),
    *("eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen"),
    *("eighteen", "nineteen"),
)
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")

NUMBER_WORDS = frozenset((*_ONES, *(tens for tens in _TENS if tens), "hundred"))
"""The words a recogniser spells numbers with."""

_DIGITS = re.compile(r"\d+")
_DECADE = re.compile(r"(?<![\w'])'?(?:19|20)?([1-9]0|2000|00)'?s(?![\w'])")
_DECADES = {
    "2000": "noughties", "00": "noughties",
    "10": "tens", "20": "twenties", "30": "thirties", "40": "forties", "50": "fifties",
    "60": "sixties", "70": "seventies", "80": "eighties", "90": "nineties",
}  # fmt: skip
"""A decade written in digits ("80s", "'90s", "1970s", "2000s") as it is said ("eighties")."""
_STAMMERED = re.compile(r"(?<![\w'-])((?:[^\W\d_]{1,4}-)+)([^\W\d_][\w']*)")
"""A word said with its first sounds repeated ("t-t-turn", "wh-what"), as Whisper writes it."""
_CUT_OFF = re.compile(r"(?<![\w'-])([^\W\d_]{1,4})-\s+(?=\1)")
"""A word broken off and started again ("pl- play"): the broken part."""
_WE_ARE = re.compile(
    r"^(?:were|we)(?= (?!(?:bring|thing|sing|king|ring|wing|spring|string|swing|sting|during)"
    r"(?![\w']))[a-z]+ing(?![\w']))"
)
""""We're" as a recogniser writes it ("were cleaning now"), or as many say it ("we eating
now"), before what is being done."""
_NOT_WORD = re.compile(r"[^\w\s']|_")
_LOOSE_APOSTROPHE = re.compile(r"(?<!\w)'|'(?!\w)")


def number_words(number: int) -> str:
    """A whole number as a recogniser writes it: 75 -> "seventy five", 101 -> "one hundred one".

    >>> number_words(0), number_words(42), number_words(100), number_words(2024)
    ('zero', 'forty two', 'one hundred', 'two thousand twenty four')
    """
    if number < 0:
        return "minus " + number_words(-number)
    if number < 20:
        return _ONES[number]
    if number < 100:
        tens, ones = divmod(number, 10)
        return _TENS[tens] + ("" if ones == 0 else " " + _ONES[ones])
    for size, word in (
        (10**9, "billion"),
        (10**6, "million"),
        (1000, "thousand"),
        (100, "hundred"),
    ):
        if number >= size:
            high, rest = divmod(number, size)
            return f"{number_words(high)} {word}" + ("" if rest == 0 else " " + number_words(rest))
    raise AssertionError("unreachable")


_JOINED = r"(?='(?:s|re|ll|d|m|ve)(?![\w']))"
"""What may be joined to a word by an apostrophe ("wot's", "luv'd")."""


def _phrase_pattern(phrases: Mapping[str, str], before: str = "") -> re.Pattern[str] | None:
    """One regex matching any of ``phrases`` as whole words (longest first), then ``before``."""
    if not phrases:
        return None
    ordered = sorted(phrases, key=len, reverse=True)
    alternatives = "|".join(map(re.escape, ordered))
    return re.compile(rf"(?<![\w'])(?:{alternatives})(?![\w']){before}")


def _without_accents(text: str) -> str:
    """``text`` with the accents of Latin letters left off ("beyoncé": "beyonce"); other
    scripts keep theirs (a Greek name stays as written)."""
    kept: list[str] = []
    for char in unicodedata.normalize("NFKD", text):
        if "\u0300" <= char <= "\u036f" and kept and kept[-1].isascii():
            continue
        kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept))


def _unstammered(match: re.Match[str]) -> str:
    """The word a stammer leads to, when each repeated part begins it ("t-t-turn": "turn");
    a hyphenated word ("k-pop", "lo-fi", "go-go") stays as written."""
    word = match.group(2)
    parts = match.group(1).split("-")[:-1]
    if all(len(part) < len(word) and word.startswith(part) for part in parts):
        return word
    return match.group()


def _look_up(table: Mapping[str, str], match: re.Match[str]) -> str:
    return table[match.group()]


DROPPED_G_WORDS = frozenset({"thin"})
"""Words an "-ing" word said without its g would be taken for ("thing"): left as said."""


def dropped_g(words: Iterable[str]) -> dict[str, str]:
    """The "-in" many voices say for "-ing" ("what's playin", "somethin else", "comin up
    next") -> the word meant, for each "-ing" word of ``words`` (five letters or more) whose
    short form is no word of ``words`` itself ("bangin" stays when the templates use it)."""
    words = frozenset(words)
    return {
        word[:-1]: word
        for word in sorted(words)
        if word.endswith("ing")
        and len(word) >= 5
        and word[:-1] not in words
        and word[:-1] not in DROPPED_G_WORDS
    }


class Normaliser:
    """Lower case, no accents or punctuation, numbers as words, then respellings and slips mended.

    A "were" or "we" before what is being done is "we're" first (``_WE_ARE``).
    ``respellings`` map a recogniser's spelling to the one the templates use ("im" -> "i'm");
    ``slips`` map words a recogniser hears in place of others ("sum" -> "some");
    ``number_slips`` do the same only in front of a number ("volume too sixty"), where "too"
    and "two" cannot mean themselves. Each table applies to whole words and phrases in one pass,
    so a replacement is never replaced again.
    """

    def __init__(
        self,
        respellings: Mapping[str, str] | None = None,
        slips: Mapping[str, str] | None = None,
        number_slips: Mapping[str, str] | None = None,
    ) -> None:
        self._tables: list[tuple[re.Pattern[str], dict[str, str]]] = []
        # a word respelled keeps what is joined to it ("wot's this": "what's this")
        stems = {
            self._clean(key): self._clean(value)
            for key, value in (respellings or {}).items()
            if re.fullmatch(r"[a-z]+", self._clean(key))
            and re.fullmatch(r"[a-z]+", self._clean(value))
        }
        if stems:
            ordered = "|".join(map(re.escape, sorted(stems, key=len, reverse=True)))
            self._tables.append((re.compile(rf"(?<![\w'])(?:{ordered}){_JOINED}"), stems))
        numbers = "|".join(sorted(NUMBER_WORDS))
        for table, before in (
            (respellings, ""),
            (slips, ""),
            (number_slips, rf"(?= (?:{numbers})(?![\w']))"),
        ):
            cleaned = {self._clean(key): self._clean(value) for key, value in (table or {}).items()}
            pattern = _phrase_pattern(cleaned, before)
            if pattern is not None:
                self._tables.append((pattern, cleaned))

    @staticmethod
    def _clean(text: str) -> str:
        """Case, punctuation, spacing and digits only: the part that needs no tables."""
        text = unicodedata.normalize("NFKC", text).casefold()
        if not text.isascii():  # "beyoncé" as a recogniser spells it: "beyonce"
            text = _without_accents(text)
        text = text.replace("’", "'").replace("‘", "'").replace("`", "'")
        text = text.replace("&", " and ").replace("%", " percent ").replace("+", " plus ")
        if "-" in text:  # "t-t-turn it up", "pl- play daft punk": the words meant
            text = _CUT_OFF.sub("", _STAMMERED.sub(_unstammered, text))
        text = _NOT_WORD.sub(" ", text)
        text = _LOOSE_APOSTROPHE.sub(" ", text)
        if any(char.isdigit() for char in text):
            text = _DECADE.sub(lambda match: f" {_DECADES[match.group(1)]} ", text)
            text = _DIGITS.sub(lambda match: f" {number_words(int(match.group()))} ", text)
        return " ".join(text.split())

    def __call__(self, text: str) -> str:
        """The normalised form of ``text`` (may be empty)."""
        text = _WE_ARE.sub("we're", self._clean(text))
        for pattern, table in self._tables:
            text = pattern.sub(functools.partial(_look_up, table), text)
        return " ".join(text.split())
