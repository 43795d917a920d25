"""Which songs a ``find``, ``search``, ``list`` or ``count`` means, in both of MPD's ways of saying
it: tag/value pairs (``find artist "Sade"``) and filter expressions
(``find "((artist == 'Sade') AND (album contains 'love'))"``).

``find`` compares exactly, ``search`` ignores case and matches any part. Regular expressions are
refused: a pattern from the network run over every track could take the board's CPU for minutes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from appliance.faces.mpd.protocol import Ack, Code
from appliance.faces.mpd.tree import clean
from appliance.library.filenames import readable
from appliance.library.track import Track

Song = tuple[str, Track]  # (URI, track)
Test = Callable[[Song], bool]

# the tags a client may name (lower case) and how MPD spells them
TAGS = {
    "artist": "Artist",
    "albumartist": "AlbumArtist",
    "album": "Album",
    "title": "Title",
    "track": "Track",
    "genre": "Genre",
    "date": "Date",
    "comment": "Comment",
}
# MPD's other tags: accepted where a client names them (tagtypes, filters, list), never filled
OTHER_TAGS = frozenset(
    {
        "artistsort", "albumsort", "albumartistsort", "titlesort", "name", "mood",
        "originaldate", "composer", "composersort", "performer", "conductor", "work",
        "ensemble", "movement", "movementnumber", "location", "grouping", "disc", "label",
        "musicbrainz_artistid", "musicbrainz_albumid", "musicbrainz_albumartistid",
        "musicbrainz_trackid", "musicbrainz_releasetrackid", "musicbrainz_workid",
    }
)  # fmt: skip
_SPECIAL = ("file", "base", "any", "filename")
MAX_FILTER_WORDS = 64
MAX_NESTING = 32  # parentheses within one another in a filter expression


def tag_values(song: Song, tag: str) -> list[str]:
    """The values of ``tag`` (lower case) for a song, as MPD lists them."""
    uri, track = song
    if tag == "artist":
        values = [track.artist]
    elif tag == "albumartist":
        values = [track.album_artist or track.artist]
    elif tag == "album":
        values = [track.album]
    elif tag == "title":
        values = [track.title]
    elif tag == "track":
        values = [str(track.track_number)] if track.track_number else []
    elif tag == "genre":
        values = [shown_genre(genre) for genre in track.genres]
    elif tag == "date":
        values = [str(track.year)] if track.year else []
    elif tag == "file":
        values = [uri]
    elif tag == "filename":
        values = [uri.rpartition("/")[2]]
    elif tag == "any":
        values = [v for name in TAGS for v in tag_values(song, name)] + [uri]
    else:
        values = []
    return [readable(value) for value in values if value]


SMALL_WORDS = frozenset({"and", "n", "of", "the", "de", "y"})


def shown_genre(name: str) -> str:
    """A genre as a music app lists it: the library keeps them in lower case to compare them
    ("bossa nova", "r&b", "drum and bass"); apps show "Bossa Nova", "R&B", "Drum and Bass"."""

    def word(index: int, text: str) -> str:
        if "&" in text:
            return text.upper()
        if index and text in SMALL_WORDS:
            return text
        return text[:1].upper() + text[1:]

    return " ".join(word(index, text) for index, text in enumerate(name.split(" ")))


@dataclass(frozen=True)
class Query:
    """A parsed filter, with ``sort`` and ``window`` if the client asked for them."""

    test: Test
    sort: str | None = None
    window: tuple[int, int] | None = None

    def apply(self, songs: list[Song]) -> list[Song]:
        chosen = [song for song in songs if self.test(song)]
        if self.sort:
            key = self.sort.lstrip("-")
            chosen.sort(
                key=lambda song: [v.casefold() for v in tag_values(song, key)],
                reverse=self.sort.startswith("-"),
            )
        if self.window:
            chosen = chosen[self.window[0] : self.window[1]]
        return chosen


def parse(words: list[str], exact: bool) -> Query:
    """The filter in a command's arguments (after the command's own leading ones)."""
    if len(words) > MAX_FILTER_WORDS:
        raise Ack(Code.ARG, "too many arguments")
    words, sort, window = _options(words)
    if not words:
        raise Ack(Code.ARG, "Incorrect number of filter arguments")
    if words[0].startswith("("):
        tests = [_Expression(word, exact).parse() for word in words]
    else:
        if len(words) % 2:
            raise Ack(Code.ARG, "Incorrect number of filter arguments")
        op = "==" if exact else "contains"  # the old pairs: search matches any part
        tests = [_compare(words[i], op, words[i + 1], exact) for i in range(0, len(words), 2)]
    return Query(lambda song: all(test(song) for test in tests), sort, window)


def _options(words: list[str]) -> tuple[list[str], str | None, tuple[int, int] | None]:
    sort = window = None
    rest = list(words)
    while len(rest) >= 2 and rest[-2].lower() in ("sort", "window"):
        name, value = rest[-2].lower(), rest[-1]
        if name == "sort":
            if value.lstrip("-").lower() not in (*TAGS, *OTHER_TAGS, "file"):
                raise Ack(Code.ARG, f"Unknown sort tag: {value}")
            sort = value.lower()
        else:
            start, _, end = value.partition(":")
            try:
                window = (int(start), int(end)) if end else (int(start), int(start) + 1)
            except ValueError:
                raise Ack(Code.ARG, f"Bad window: {value}") from None
            if window[0] < 0 or window[1] < window[0]:
                raise Ack(Code.ARG, f"Bad window: {value}")
        rest = rest[:-2]
    return rest, sort, window


def _compare(tag: str, op: str, value: str, exact: bool) -> Test:
    name = tag.lower()
    if name == "base":
        base = clean(value)
        return lambda song: not base or song[0] == base or song[0].startswith(base + "/")
    if name not in TAGS and name not in _SPECIAL and name not in OTHER_TAGS:
        raise Ack(Code.ARG, f"Unknown filter type: {tag}")
    if name == "file":
        value = clean(value)
    match = _matcher(op, value, exact)

    def test(song: Song) -> bool:
        values = tag_values(song, name)
        if op == "!=":
            return not any(match(v) for v in values)
        return any(match(v) for v in values) if values else (not value and op == "==")

    return test


def _matcher(op: str, value: str, exact: bool) -> Callable[[str], bool]:
    """How one value is compared: as written (``find``) or ignoring case (``search``)."""
    fold: Callable[[str], str] = (lambda text: text) if exact else str.casefold
    want = fold(value)
    if op in ("==", "!="):
        return lambda got: fold(got) == want
    if op == "contains":
        return lambda got: want in fold(got)
    if op == "starts_with":
        return lambda got: fold(got).startswith(want)
    raise Ack(Code.ARG, f"Unsupported operator: {op}")


class _Expression:
    """A recursive-descent reader of one filter expression."""

    def __init__(self, text: str, exact: bool) -> None:
        self.text = text
        self.i = 0
        self.exact = exact
        self.depth = 0

    def parse(self) -> Test:
        test = self._expression()
        self._space()
        if self.i != len(self.text):
            raise Ack(Code.ARG, "Unparsed garbage after expression")
        return test

    def _space(self) -> None:
        while self.i < len(self.text) and self.text[self.i] == " ":
            self.i += 1

    def _expect(self, char: str) -> None:
        self._space()
        if not self.text.startswith(char, self.i):
            raise Ack(Code.ARG, f"'{char}' expected")
        self.i += 1

    def _expression(self) -> Test:
        self.depth += 1
        if self.depth > MAX_NESTING:  # deeper would exhaust Python's stack, reading or testing
            raise Ack(Code.ARG, f"Filter nested too deeply (at most {MAX_NESTING})")
        try:
            return self._inside()
        finally:
            self.depth -= 1

    def _inside(self) -> Test:
        self._expect("(")
        self._space()
        if self.text.startswith("!", self.i) and not self.text.startswith("!=", self.i):
            self.i += 1
            inner = self._expression()
            self._expect(")")
            return lambda song: not inner(song)
        if self.text.startswith("(", self.i):
            parts = [self._expression()]
            while True:
                self._space()
                if self.text.startswith("AND", self.i):
                    self.i += 3
                    parts.append(self._expression())
                    continue
                break
            self._expect(")")
            return lambda song: all(part(song) for part in parts)
        tag = self._word()
        if tag.lower() == "base":
            value = self._string()
            self._expect(")")
            return _compare("base", "==", value, self.exact)
        if tag.lower() in ("modified-since", "added-since", "audioformat", "prio"):
            raise Ack(Code.ARG, f"Unsupported filter: {tag}")
        op = self._word()
        if op in ("=~", "!~"):
            raise Ack(Code.ARG, "Regular expressions are not supported")
        if op == "eq_cs":
            op = "=="
        value = self._string()
        self._expect(")")
        return _compare(tag, op, value, self.exact)

    def _word(self) -> str:
        self._space()
        start = self.i
        while self.i < len(self.text) and self.text[self.i] not in " ()'\"":
            self.i += 1
        if start == self.i:
            raise Ack(Code.ARG, "Word expected")
        return self.text[start : self.i]

    def _string(self) -> str:
        self._space()
        if self.i >= len(self.text) or self.text[self.i] not in "'\"":
            raise Ack(Code.ARG, "Quoted string expected")
        quote = self.text[self.i]
        self.i += 1
        out: list[str] = []
        while self.i < len(self.text):
            char = self.text[self.i]
            if char == "\\" and self.i + 1 < len(self.text):
                out.append(self.text[self.i + 1])
                self.i += 2
                continue
            if char == quote:
                self.i += 1
                return "".join(out)
            out.append(char)
            self.i += 1
        raise Ack(Code.ARG, "Closing quote not found")
