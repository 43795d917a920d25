"""The genre map: canonical genre names, their spoken aliases and their family tree.

The map is data (``genres.toml`` beside this module). Scanning normalises tags through it,
understanding matches spoken genre names against it, and recommending widens a request to every
genre below the one asked for ("electronic" takes in "deep house").
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from appliance.errors import LibraryError

DATA_FILE = Path(__file__).with_name("genres.toml")

_NON_WORD = re.compile(r"[^0-9a-z]+")


def genre_key(name: str) -> str:
    """The form genre names are compared in: case-folded, "&" read as "and", words only.

    >>> genre_key(" Hip-Hop "), genre_key("R&B"), genre_key("Drum'n'Bass")
    ('hip hop', 'r and b', 'drum n bass')
    """
    text = name.casefold().replace("&", " and ").replace("'n'", " n ")
    return _NON_WORD.sub(" ", text).strip()


@dataclass(frozen=True)
class Genre:
    """One genre of the map."""

    name: str
    aliases: tuple[str, ...]
    parents: tuple[str, ...]


class GenreMap:
    """Lookup over the genre tree: normalise a name, walk up to parents or down to children."""

    def __init__(self, genres: Iterable[Genre], source: str = "<genres>") -> None:
        self._genres: dict[str, Genre] = {}
        self._by_key: dict[str, str] = {}
        problems: list[str] = []
        for genre in genres:
            if genre.name in self._genres:
                problems.append(f"genre {genre.name!r} is defined twice")
            self._genres[genre.name] = genre
        for genre in self._genres.values():
            for spoken in (genre.name, *genre.aliases):
                key = genre_key(spoken)
                owner = self._by_key.setdefault(key, genre.name)
                if owner != genre.name:
                    problems.append(f"{spoken!r} names both {owner!r} and {genre.name!r}")
            problems.extend(
                f"genre {genre.name!r} has unknown parent {parent!r}"
                for parent in genre.parents
                if parent not in self._genres
            )
        if problems:
            raise LibraryError(f"{source}: " + "; ".join(problems))
        self._children: dict[str, list[str]] = {name: [] for name in self._genres}
        for genre in self._genres.values():
            for parent in genre.parents:
                self._children[parent].append(genre.name)
        for name in self._genres:
            if name in self.ancestors(name):
                raise LibraryError(f"{source}: genre {name!r} is its own ancestor")

    @classmethod
    def from_toml(cls, path: Path) -> GenreMap:
        """Read a genre map file (format: see the comment at the top of genres.toml)."""
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as error:
            raise LibraryError(f"{path}: cannot read the genre map: {error}") from error
        genres = [
            Genre(
                name=name,
                aliases=tuple(entry.get("aliases", ())),
                parents=tuple(entry.get("parents", ())),
            )
            for name, entry in data.get("genre", {}).items()
        ]
        return cls(genres, source=str(path))

    def names(self) -> list[str]:
        """Every canonical genre name."""
        return list(self._genres)

    def spoken_forms(self) -> dict[str, str]:
        """Every way of saying a genre (normalised) mapped to its canonical name."""
        return dict(self._by_key)

    def canonical(self, name: str) -> str | None:
        """The canonical name for ``name`` or an alias of it; None when the map lacks it."""
        return self._by_key.get(genre_key(name))

    def normalise(self, name: str) -> str:
        """The canonical name when known, else the cleaned-up lower-case name."""
        return self.canonical(name) or genre_key(name)

    def parents(self, name: str) -> tuple[str, ...]:
        """The direct parents of a genre (empty for a top-level or unknown genre)."""
        genre = self._genres.get(self.normalise(name))
        return genre.parents if genre else ()

    def ancestors(self, name: str) -> set[str]:
        """Every genre above ``name`` in the tree."""
        found: set[str] = set()
        stack = list(self.parents(name))
        while stack:
            parent = stack.pop()
            if parent not in found:
                found.add(parent)
                stack.extend(self._genres[parent].parents)
        return found

    def descendants(self, name: str) -> set[str]:
        """Every genre below ``name`` in the tree."""
        found: set[str] = set()
        stack = list(self._children.get(self.normalise(name), ()))
        while stack:
            child = stack.pop()
            if child not in found:
                found.add(child)
                stack.extend(self._children[child])
        return found

    def covers(self, requested: str, genre: str) -> bool:
        """True when a track of ``genre`` answers a request for ``requested``."""
        wanted = self.normalise(requested)
        have = self.normalise(genre)
        return have == wanted or wanted in self.ancestors(have)


@cache
def default_genres() -> GenreMap:
    """The genre map shipped with the appliance (read once)."""
    return GenreMap.from_toml(DATA_FILE)
