"""The words the understanding knows, and where in an utterance its values are named.

Every step asks the same questions of the words ("which genres does this name?", "is this a
person's name or more of a sentence?", "which library names are said here?"); one place answers
them, from the templates' lists, the genres, the numbers and the learned sentences.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from hassil import TextSlotList, TextSlotValue
from hassil.expression import TextChunk
from rapidfuzz import fuzz, process

from appliance.dj.understand_intent import Slot
from appliance.dj.understand_learned import LearnedSet
from appliance.dj.understand_names import NAME_CUTOFF, SHORT_NAME_CUTOFF, NameIndex
from appliance.dj.understand_templates import Templates
from appliance.dj.understand_text import number_words
from appliance.library.genres import GenreMap

SCANNED_LISTS = ("genre", "mood", "activity")
"""Lists searched for in free text a play request left over ("play some jazz for grandma")."""

VALUE_FILLERS = frozenset({"some", "a", "bit", "of", "little", "any", "more", "music", "too"})
"""Words around a bare value ("a bit of jazz too") that do not make it a request of its own."""

MAX_PERSON_NAME_WORDS = 3
"""A listener's name ("this is alex", "mary jane here") is at most this many words."""

NOT_NAMES = frozenset(
    {"home", "back", "here", "done", "ready", "fine", "okay", "good", "late", "early", "sorry"}
    | {"sure", "hungry", "starving", "cold", "hot", "freezing", "busy", "free", "awake", "up"}
    | {"out", "off", "in", "lost", "stuck", "finished", "leaving", "going", "coming", "sick"}
    | {"ill", "bored", "full", "thirsty", "confused", "alone", "outside", "inside", "upstairs"}
    | {"downstairs", "nobody", "someone", "everyone", "fed", "sorted", "noise", "mid", "it"}
)
"""Words said after "i'm" or "it's" that say how one is or what it is, never who."""

PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
"""A value left open in a paraphrase or a learned sentence ("play some {genre}")."""

_Found = TypeVar("_Found")


class Lexicon:
    """The known words and value lists (genres, moods, activities, levels, the file's lists)."""

    def __init__(
        self,
        templates: Templates,
        learned: LearnedSet,
        genres: GenreMap,
        normalise: Callable[[str], str],
    ) -> None:
        self.normalise = normalise
        self._templates = templates
        self._genres = genres
        styles: set[str] = set()
        self.fixed_lists = {"genre": self._genre_list(styles), "level": self._level_list()}
        self.file_lists = {
            name: slot_list
            for name, slot_list in templates.intents.slot_lists.items()
            if isinstance(slot_list, TextSlotList)
        }
        self.unsampled: dict[str, frozenset[str]] = {"genre": frozenset(styles)}
        """Per list, the values as said that the templates' file adds beside the list's own
        (a genre's style, "the night shift"): understood, never drawn on for the model's
        examples, so adding one moves no other reading."""
        for name, more in templates.values_said.items():
            added = self._said_too(name, more)
            if added is not None:
                self.fixed_lists[name], self.unsampled[name] = added
        self.spoken: dict[str, dict[str, Any]] = {
            name: {text_in(value): value.value_out for value in slot_list.values}
            for name, slot_list in {**self.file_lists, **self.fixed_lists}.items()
        }
        """Per list, each value as said -> the value meant."""
        self.words = (
            templates.words
            | {word for table in self.spoken.values() for key in table for word in key.split()}
        ) - {""}
        """Words of the templates and their lists."""
        self.said_too_words = (
            frozenset(
                word for keys in self.unsampled.values() for key in keys for word in key.split()
            )
            - templates.words
            - {
                word
                for slot, table in self.spoken.items()
                for key in table
                if key not in self.unsampled.get(slot, frozenset())
                for word in key.split()
            }
        )
        """Words only the values said in more words use ("nightshift", "hymn"): a library name
        of one of them said alone is that name."""
        self._first_words = {
            slot: frozenset(key.split()[0] for key in table if key)
            for slot, table in self.spoken.items()
        }
        """Per list, the words its phrases begin with (the rest need no look-up)."""
        self.heard_words = frozenset(
            word for line in learned.lines for word in PLACEHOLDER.sub(" ", line.text).split()
        )
        """Words of the learned sentences: known, though no template uses them."""
        self.known_words = self.words | self.heard_words
        """Every word the templates, their lists or the learned sentences use."""
        self.level_words = frozenset(
            word for key in self.spoken["level"] for word in key.split()
        ) | {"percent", "per", "cent"}
        self.genres_key = hash(frozenset(self.spoken["genre"].items()))
        self._genre_keys: list[str] | None = None

    def _genre_list(self, styles: set[str]) -> TextSlotList:
        """The genre map's spoken forms, then the templates' styles (their keys to ``styles``)."""
        spoken: dict[str, str] = {}
        forms = itertools.chain(
            self._genres.spoken_forms().items(),
            ((name, name) for name in self._genres.names()),
        )
        for form, canonical in forms:
            key = self.normalise(form)
            if key:
                spoken.setdefault(key, canonical)
        known = set(spoken.values())
        for said, meant in self._templates.genre_styles.items():
            key = self.normalise(said)
            if key and key not in spoken and meant in known:  # "hymns": gospel
                spoken[key] = meant
                styles.add(key)
        return text_list("genre", spoken.items())

    def _said_too(
        self, name: str, more: dict[str, str]
    ) -> tuple[TextSlotList, frozenset[str]] | None:
        """The file's list ``name`` with ``more`` ways of saying its values after its own, and
        the keys added (None when nothing is added)."""
        written = self.file_lists.get(name)
        if written is None:
            return None
        table = {text_in(value): value.value_out for value in written.values}
        meant = set(table.values())
        added = {
            key: value
            for said, value in more.items()
            if (key := self.normalise(said)) and key not in table and value in meant
        }
        if not added:
            return None
        return text_list(name, [*table.items(), *added.items()]), frozenset(added)

    def _level_list(self) -> TextSlotList:
        """The file's level words ("max", "half") and every number from zero to one hundred."""
        spoken = {number_words(level): level for level in range(101)}
        in_file = self._templates.intents.slot_lists.get("level")
        if isinstance(in_file, TextSlotList):
            spoken.update({text_in(value): int(value.value_out) for value in in_file.values})
        return text_list("level", spoken.items())

    def said_too_after_unknown(self, text: str) -> bool:
        """Whether ``text`` says a value in more words than its list has ("night shift") right
        after a word nothing knows ("commodores night shift": more of a name, not the value)."""
        words = text.split()
        for keys in self.unsampled.values():
            for key in keys:
                size = len(key.split())
                for start in range(1, len(words) - size + 1):
                    said = " ".join(words[start : start + size])
                    if said == key and words[start - 1] not in self.known_words:
                        return True
        return False

    def spans(self, words: list[str], lists: tuple[str, ...]) -> list[tuple[int, int, str]]:
        """(start, length, "<list>") of each longest phrase of ``lists`` in ``words``."""

        def token(phrase: str) -> str | None:
            return next((f"<{slot}>" for slot in lists if phrase in self.spoken[slot]), None)

        firsts = frozenset().union(*(self._first_words[slot] for slot in lists))
        return longest_phrases(words, 4, token, firsts)

    def scan(
        self, text: str, lists: tuple[str, ...] = SCANNED_LISTS, several: bool = True
    ) -> dict[str, Slot]:
        """Values of ``lists`` named anywhere in ``text`` (longest phrase first), in the order
        said; several values of one list ("rock and jazz") as a tuple when ``several``."""
        words = text.split()
        found: dict[str, list[tuple[int, str | int]]] = {}
        for start, size, token in self.spans(words, lists):
            slot = token[1:-1]
            if not _meant_here(words, start, size) or _at_a_time(words, start, size):
                continue
            value = self.spoken[slot][" ".join(words[start : start + size])]
            found.setdefault(slot, []).append((start, value))
        slots: dict[str, Slot] = {}
        for slot, values in found.items():
            ordered = list(dict.fromkeys(value for _start, value in sorted(values)))
            if slot == "level":
                slots[slot] = (
                    ordered[-1]
                    if len(ordered) == 1 or not several
                    else tuple(str(v) for v in ordered)
                )
            elif several and len(ordered) > 1:
                slots[slot] = tuple(str(v) for v in ordered)
            else:
                slots[slot] = str(ordered[0])
        return slots

    def near_genre(self, text: str) -> str | None:
        """The genre ``text`` names, spelled or heard a little wrong ("classic rot"), if it is
        close to one (as close as a library name must be to be taken for it). One word is
        only taken for a genre of several run together ("smoothjazz"): a word heard wrong is
        the word corrector's to mend, and "robots" is not "roots"."""
        genres = self.spoken["genre"]
        if text in genres:
            return str(genres[text])
        cutoff = SHORT_NAME_CUTOFF if len(text) <= 5 else NAME_CUTOFF
        if self._genre_keys is None:
            self._genre_keys = list(genres)
        found = process.extractOne(text, self._genre_keys, scorer=fuzz.ratio, score_cutoff=cutoff)
        if found is None or (" " not in text and " " not in found[0]):
            return None
        return str(genres[found[0]])

    def only_values(self, text: str) -> bool:
        """True when ``text`` names genres, moods or activities and nothing else ("some jazz")."""
        words = [w for w in text.split() if w not in VALUE_FILLERS]
        covered = sum(size for _start, size, _token in self.spans(words, SCANNED_LISTS))
        return bool(words) and covered == len(words)

    def person_name(self, words: str) -> bool:
        """True when ``words`` can be a listener's name rather than more of a sentence."""
        parts = words.split()
        return (
            0 < len(parts) <= MAX_PERSON_NAME_WORDS
            and all(part.replace("'", "").isalpha() for part in parts)
            and not any(part in self.words or part in NOT_NAMES for part in parts)
        )

    def names_in(self, names: NameIndex, text: str, last: bool = False) -> list[tuple[str, str]]:
        """Library names said exactly in ``text`` (a single word only when no template uses
        it), longest first; ``last``: the one said last first."""

        def name(phrase: str) -> tuple[str, str] | None:
            if " " not in phrase and phrase in self.words - self.said_too_words:
                return None
            return names.find_exact(phrase)

        found = longest_phrases(text.split(), 6, name)
        found.sort(key=lambda span: span[0], reverse=last)
        return [hit for _start, _size, hit in found]

    def name_spans(self, names: NameIndex, words: list[str]) -> list[tuple[int, int]]:
        """(start, length) of each library name said in ``words``."""
        spans = []
        text = " ".join(words)
        for _kind, name in self.names_in(names, text):
            key = self.normalise(name).split()
            for start in range(len(words) - len(key) + 1):
                if words[start : start + len(key)] == key:
                    spans.append((start, len(key)))
                    break
        return spans

    def without_names(self, text: str, names: Iterable[str]) -> str:
        """``text`` with the library names said in it left out ("kind of blue" is no sad
        mood)."""
        words = text.split()
        for name in names:
            key = self.normalise(name).split()
            for start in range(len(words) - len(key) + 1):
                if key and words[start : start + len(key)] == key:
                    words[start : start + len(key)] = ["|"]
                    break
        return " ".join(words)


LOVE_DONE_TO = frozenset({"it", "to", "this", "that", "them", "these", "those", "hearing", "one"})
"""Words after "love" that make it a verb ("i'd love to hear", "the girls love it"): no mood."""

LOW_AS_FELT = frozenset(
    {"feeling", "feel", "felt", "i'm", "bit", "so", "really", "pretty", "quite", "been", "very"}
    | {"little", "am", "was", "too", "rather", "kinda", "proper", "dead"}
)
"""Words before "low" that make it how one feels ("a bit low"), not how loud ("keep it low")."""


def _meant_here(words: list[str], start: int, size: int) -> bool:
    """Whether a value word means its value where it is said: "love" done to something ("i'd
    love to hear ...") is no romantic mood, and "low" is a sad one only as felt ("feeling low"),
    not as a volume ("keep it low", "low key")."""
    if size != 1:
        return True
    word = words[start]
    after = words[start + 1] if start + 1 < len(words) else ""
    before = words[start - 1] if start else ""
    if word == "love":
        return after not in LOVE_DONE_TO
    if word == "low":
        return before in LOW_AS_FELT
    return True


DAYS = frozenset({"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"})
"""Days before "morning" that make it when something is said ("it's sunday morning")."""

CLOCK = frozenset(number_words(minute).split()[-1] for minute in range(1, 60)) | {"o'clock"}
"""Last words of a clock time before "in the morning" ("four in the morning")."""


def _at_a_time(words: list[str], start: int, size: int) -> bool:
    """ "morning" said as when ("it's sunday morning", "at six in the morning"), not as what
    one is doing ("this morning", "a slow morning", "wake me up in the morning")."""
    said = words[start : start + size]
    if said[-1] != "morning" or size > 2:
        return False
    before = words[:start] + said[:-1]
    if before[-1:] and before[-1] in DAYS:
        return True
    return len(before) >= 3 and before[-3] in CLOCK and before[-2:] == ["in", "the"]


def longest_phrases(
    words: list[str],
    most: int,
    lookup: Callable[[str], _Found | None],
    firsts: frozenset[str] | None = None,
) -> list[tuple[int, int, _Found]]:
    """(start, length, what ``lookup`` found) for each phrase of ``words`` (up to ``most`` words)
    it knows, longest first; a word belongs to one phrase at most. ``firsts``: the words a known
    phrase can begin with (others are not looked up)."""
    found: list[tuple[int, int, _Found]] = []
    used = [False] * len(words)
    for size in range(min(most, len(words)), 0, -1):
        for start in range(len(words) - size + 1):
            if firsts is not None and words[start] not in firsts:
                continue
            if any(used[start : start + size]):
                continue
            hit = lookup(" ".join(words[start : start + size]))
            if hit is not None:
                found.append((start, size, hit))
                used[start : start + size] = [True] * size
    return found


def text_in(value: TextSlotValue) -> str:
    """The words of a list value as said."""
    said = value.text_in
    return said.text if isinstance(said, TextChunk) else ""


def text_list(name: str, pairs: Iterable[tuple[str, Any]]) -> TextSlotList:
    """A hassil list of (said, meant) pairs."""
    return TextSlotList(
        name=name,
        values=[TextSlotValue(text_in=TextChunk(text), value_out=out) for text, out in pairs],
    )
