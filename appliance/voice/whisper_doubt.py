"""Signs in Whisper's n-best that the reading chosen is not what was said, though Whisper's score
and the readings' agreement make it look sure enough to act on: each is a reason to ask instead
(the Whisper tier caps such a reading's confidence as a toss-up's, see
:data:`appliance.voice.stt_whisper.AMBIGUOUS_CAP`).

- :data:`ECHO`: a sentence written twice in a row that Whisper never wrote once ("Can you dance
  the soul? Can you dance the soul?"). Whisper repeating itself is its loop in small, on audio it
  could not read (:data:`appliance.voice.stt_whisper.COMPRESSION_LIMIT` only catches long loops),
  and the repeat raises its score (a copy is easy to predict); a sentence it also wrote once
  was heard, and its repeat is only a doubled reading of it. A command the speaker said twice
  ("louder. louder.", "next song, next song") is no echo: Whisper writes the repeat in most of
  its readings of the full window, however it punctuates it (:func:`said_twice`), where its
  loops split from the other readings (at most 0.32 of their weight on the TUNE voices).
- :data:`OTHER_VALUE`: the understanding read the chosen reading only in part (under
  :data:`SURE_READ`), and another reading, read word for word, asks for the same requests with a
  value the chosen one lacks or names otherwise ("I love the house." chosen, "... deep house"
  read word for word among the readings): the part skipped may be the misheard name.
- :data:`IN_PART`: the understanding read the chosen reading only in part, no reading read word
  for word means the same, and Whisper's readings split on the words (agreement under
  :data:`IN_PART_AGREEMENT`): the understanding guesses from words Whisper did not agree on
  ("Put on some happy radio.", "... ready.", "... writing.": a play of "happy" without the genre
  it could not hear).
- :data:`LEFT_OVER`: no reading was read word for word, the chosen one was read in part, and the
  readings that write other words mean the same as it (:func:`split_on_left_over`): Whisper split
  on the very words the understanding set aside, so they were not heard, and they may be what
  was asked for ("Put on some happy ready / writing / radio / Brady.", all a play of "happy", for
  "put on some happy reggae"). A reading in part whose split words change its meaning ("upbeat"
  or "up beat") is left to the other signs.
- :data:`OTHER_REQUEST`: in the chosen reading's window, the readings read word for word that
  ask for other requests weigh more than those asking for the chosen one's, whatever the values
  ("It's brilliant.", a like, chosen over "It's video." and "It's me." for "it's priya"): the
  understanding's verdict lifted a reading Whisper mostly heard as something else. Readings
  that differ only in a value ("It's Priya." beside "It's video.") are left to the other signs,
  as that is how names are spelled.
- :data:`OTHERS_WHOLE`: the chosen reading was read in part and every reading read word for
  word asks for other requests ("I love the house.", the genre liked, chosen while "I love this
  song." is read whole): what the understanding could read whole was not what it acts on.

Chosen on the TUNE voices (tests/benchmarks/bench_speech_offline.py, 8 voices x 83 commands and
30 chatter lines, every set of these doubts replayed back to back on the same readings): with all
three, 10 commands acted on wrongly instead of 13 (7 of the 10 are the understanding's: wrong
even typed), 4 chatter lines acted on instead of 9, 578 commands understood instead of 581 (a
play read in part, "Play something upbeat for my run.", is now asked about). On the held-out
voices, measured once afterwards: 27 wrong actions instead of 36, 938 understood instead of 945.
Lifting the echo for a repeat agreed on (:data:`ECHO_AGREEMENT`) changed no TUNE line (none is
said twice) and was measured the same way. :data:`LEFT_OVER` was added later, measured the same
way (see its constant), and so was :data:`OTHER_REQUEST`.

Pure functions over the readings as the choice saw them: no engine, no DJ (its verdicts and
meanings are passed in).
"""

from __future__ import annotations

import math
import re
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from appliance.voice.stt import normalise

ECHO = "echo"
OTHER_VALUE = "other_value"
IN_PART = "in_part"
LEFT_OVER = "left_over"
"""Measured on the TUNE voices' offline replay (back to back on the same readings, the rule for
taking it fixed beforehand: fewest wrong actions, then most understood): commands acted on
wrongly 10 -> 9 (the one it catches was misheard; 7 of the 9 are wrong even typed), understood
579 and chatter acted on 1 as before, asked 55 -> 56. Held-out voices, measured once afterwards:
wrong actions 28 -> 25, chatter acted on 3 -> 2, understood 942 as before."""
OTHER_REQUEST = "other_request"
"""Measured on the TUNE voices' offline replay (back to back on the same readings and
understanding, the rule fixed beforehand: fewest wrong actions, then most understood): commands
acted on wrongly 17 -> 16 (nyc_f4_music's "it's priya" liked as "It's brilliant."), understood
570 and chatter acted on 1 as before. Comparing whole meanings instead of the requests asked
for caught the same line and asked about 5 names heard right ("It's Priya." beside "It's
video."): not taken."""
OTHERS_WHOLE = "others_whole"
"""The chosen reading was read only in part (under :data:`SURE_READ`) and every reading read
word for word asks for other requests ("I love the house.", a like of the genre house, read in
part beside "I love this song." and "I love the song.", likes of the track on air, for a genre
of two words): the words the understanding could read whole are not the chosen one's. Measured
on the TUNE voices' offline replay (the same readings and understanding, the rule fixed
beforehand: fewest wrong actions, then most understood): commands acted on wrongly 18 -> 17
(nyc_f4_music's genre of two words liked as "house"), understood 570, asked 55 -> 56 and
chatter acted on 2 as before; no other reading's confidence changed."""
NOTHING_LIKELIER = "nothing_likelier"
"""Whisper's likeliest reading of the full window that the understanding reads as no request
is more than e ** :data:`NOTHING_MARGIN` times as likely as the reading chosen: the
understanding's verdict chose against what Whisper mostly heard (a chatter line about passing
something at table, read whole as "pass this song", a skip, from the quick window, while the
full window's likeliest reading was the table talk, 1.5 times as likely)."""
NOTHING_MARGIN = 0.3
"""In ln(Whisper's score): on the TUNE voices' offline replay the table talk was 0.39 above
the reading chosen; the commands heard right and acted on with a reading read as nothing above
theirs were at most 0.22 under it ("Not really feeling this.", "Repeat not track."), so 0.3
asks about none of them: commands understood 570 and wrong actions on commands as before,
chatter acted on 2 -> 1. Held-out voices, replayed once after the choice with
:data:`OTHERS_WHOLE` (totals, back to back on the same readings): commands acted on wrongly
39 -> 37 (misheard 13 -> 11), understood 932 -> 931 of 1,162, asked 149 -> 152, chatter acted
on 3 as before."""
FULL_WINDOW_S = 30.0
"""Whisper's own window, in seconds (the full window's readings)."""
DOUBTS: tuple[str, ...] = (
    ECHO, OTHER_VALUE, IN_PART, LEFT_OVER, OTHER_REQUEST, OTHERS_WHOLE, NOTHING_LIKELIER,
)  # fmt: skip
"""The doubts checked, in order (a benchmark may compare without some)."""
FLOOR = 1e-4
"""The least score a reading is weighed with (ln 0 is not a number)."""
ECHO_AGREEMENT = 0.5
"""From this share of the readings' weight saying the repeated words (the full window read), a
repeat is the speaker's, not an echo: said twice, Whisper wrote it in every reading (agreement
0.77-1.0 for TUNE voices' "louder. louder." and "next song, next song"); its loops on the TUNE
voices had 0.10-0.32. The quick window alone never lifts it (its loops agreed up to 0.64 with
themselves): the full window is read first."""
SURE_READ = 0.9
"""A verdict this high is a reading the understanding read word for word or nearly (the same
bar as :data:`appliance.voice.stt_whisper.SURE_READ`)."""
IN_PART_AGREEMENT = 0.35
"""Under this share of the readings' weight saying the chosen words, a reading understood only
in part is doubted (:data:`IN_PART`). On the TUNE voices 0.25 kept 3 more commands understood
and acted on 2 more chatter lines, the wrong actions on commands the same (10): 0.35 taken, as
the rule fixed beforehand said (fewest wrong actions, then fewest chatter lines acted on)."""


@dataclass(frozen=True)
class Read:
    """One reading as the choice saw it: its words, the understanding's verdict (0..1) and
    meaning (None when not understood or unknown)."""

    text: str
    verdict: float
    meaning: Hashable | None
    weight: float = 1.0
    """Whisper's score for it (:data:`OTHER_REQUEST` weighs readings by it)."""
    window: float = FULL_WINDOW_S
    """The encoder window it was read in, in seconds."""


def doubt(
    chosen: Read,
    readings: Sequence[Read],
    agreement: float,
    doubts: Sequence[str] = DOUBTS,
    *,
    full_share: float | None,
) -> str | None:
    """The first of ``doubts`` the ``chosen`` reading raises among all ``readings`` (itself
    included), with ``agreement`` the share of their weight saying its words and ``full_share``
    the share of the full window's readings alone (None when that window was not read); None
    when none."""
    for name in doubts:
        if (
            name == ECHO
            and echoed(chosen.text, [r.text for r in readings])
            and not said_twice(agreement, full_share)
        ):
            return name
        if name == OTHER_VALUE and named_otherwise(chosen, readings):
            return name
        if name == IN_PART and read_in_part(chosen, readings, agreement):
            return name
        if name == LEFT_OVER and split_on_left_over(chosen, readings):
            return name
        if name == OTHER_REQUEST and outweighed(chosen, readings):
            return name
        if name == OTHERS_WHOLE and only_others_whole(chosen, readings):
            return name
        if name == NOTHING_LIKELIER and nothing_likelier(chosen, readings):
            return name
    return None


def echoed(text: str, texts: Sequence[str]) -> bool:
    """``text`` repeats a sentence back to back, and none of ``texts`` says it once."""
    sentences = [normalise(s) for s in re.split(r"[.?!]+", text)]
    sentences = [s for s in sentences if s]
    once = [s for i, s in enumerate(sentences) if i == 0 or s != sentences[i - 1]]
    if len(once) == len(sentences):
        return False
    said_once = " ".join(once)
    return all(normalise(t) != said_once for t in texts)


def said_twice(agreement: float, full_share: float | None) -> bool:
    """A repeat the speaker said: at least :data:`ECHO_AGREEMENT` of the readings' weight says
    its words, however punctuated, and so do the full window's readings on their own (a quick
    window that loops in all its readings makes half the agreement by itself)."""
    return full_share is not None and min(agreement, full_share) >= ECHO_AGREEMENT


def named_otherwise(chosen: Read, readings: Sequence[Read]) -> bool:
    """``chosen`` was read in part and a reading read word for word asks for the same requests
    with a value it lacks or names otherwise (see :data:`OTHER_VALUE`)."""
    mine = requests(chosen.meaning)
    if mine is None or chosen.verdict >= SURE_READ:
        return False
    for other in readings:
        theirs = requests(other.meaning) if other.verdict >= SURE_READ else None
        if theirs is None or [n for n, _ in theirs] != [n for n, _ in mine]:
            continue
        if any(
            slots.get(key) != value
            for (_name, slots), (_same, wanted) in zip(mine, theirs, strict=True)
            for key, value in wanted.items()
        ):
            return True
    return False


def read_in_part(chosen: Read, readings: Sequence[Read], agreement: float) -> bool:
    """``chosen`` was read in part, no reading read word for word means the same, and the
    readings split on its words (see :data:`IN_PART`)."""
    if chosen.meaning is None or chosen.verdict >= SURE_READ or agreement >= IN_PART_AGREEMENT:
        return False
    return not any(r.verdict >= SURE_READ and r.meaning == chosen.meaning for r in readings)


def split_on_left_over(chosen: Read, readings: Sequence[Read]) -> bool:
    """``chosen`` was read in part, no reading was read word for word, and every reading that
    writes other words and is understood means the same as ``chosen`` (at least one does): the
    words they split on are words the understanding set aside (see :data:`LEFT_OVER`)."""
    if chosen.meaning is None or chosen.verdict >= SURE_READ:
        return False
    if any(r.verdict >= SURE_READ for r in readings):
        return False
    said = normalise(chosen.text)
    others = [r.meaning for r in readings if normalise(r.text) != said and r.meaning is not None]
    return bool(others) and all(meant == chosen.meaning for meant in others)


def outweighed(chosen: Read, readings: Sequence[Read]) -> bool:
    """Readings of ``chosen``'s window read word for word (:data:`SURE_READ`) that ask for
    other requests weigh more than the understood readings asking for the requests ``chosen``
    asks for, whatever their values (see :data:`OTHER_REQUEST`)."""
    if chosen.meaning is None:
        return False
    asked = _asked(chosen.meaning)
    mine = [r for r in readings if r.window == chosen.window and r.meaning is not None]
    same = sum(r.weight for r in mine if _asked(r.meaning) == asked)
    other = sum(r.weight for r in mine if _asked(r.meaning) != asked and r.verdict >= SURE_READ)
    return other > same


def only_others_whole(chosen: Read, readings: Sequence[Read]) -> bool:
    """``chosen`` was read in part, some reading was read word for word, and every one read
    so asks for other requests than ``chosen`` does, whatever the values (see
    :data:`OTHERS_WHOLE`)."""
    if chosen.meaning is None or chosen.verdict >= SURE_READ:
        return False
    asked = _asked(chosen.meaning)
    whole = [r for r in readings if r.verdict >= SURE_READ and r.meaning is not None]
    return bool(whole) and all(_asked(r.meaning) != asked for r in whole)


def nothing_likelier(chosen: Read, readings: Sequence[Read]) -> bool:
    """Of the full window's readings, the likeliest one the understanding reads as no request
    (verdict 0) is more than e ** :data:`NOTHING_MARGIN` times as likely as ``chosen``, which
    asks for something (see :data:`NOTHING_LIKELIER`)."""
    if chosen.meaning is None:
        return False
    nothing = [r.weight for r in readings if r.window == FULL_WINDOW_S and r.verdict <= 0.0]
    if not nothing:
        return False
    likeliest = math.log(max(max(nothing), FLOOR))
    return likeliest - math.log(max(chosen.weight, FLOOR)) > NOTHING_MARGIN


def _asked(meaning: Hashable | None) -> Hashable | None:
    """The names of a meaning's requests, their values aside (the meaning itself when it has
    another form)."""
    found = requests(meaning)
    return meaning if found is None else tuple(name for name, _ in found)


def requests(meaning: Hashable | None) -> list[tuple[str, dict[str, str]]] | None:
    """A meaning as the station writes it (each request's name and its (slot, value) pairs),
    None when it is none or has another form (then no slot is compared)."""
    if not isinstance(meaning, tuple) or not meaning:
        return None
    found: list[tuple[str, dict[str, str]]] = []
    for part in meaning:
        if not (isinstance(part, tuple) and len(part) == 2 and isinstance(part[0], str)):
            return None
        name, slots = part
        if not isinstance(slots, tuple) or not all(
            isinstance(s, tuple) and len(s) == 2 for s in slots
        ):
            return None
        found.append((name, {str(k): str(v) for k, v in slots}))
    return found
