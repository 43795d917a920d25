"""Pronunciations for words the recogniser's dictionary lacks ("sade", "bossa", "afrobeat").

Artist names, song titles and genre words are often missing from the CMU dictionary that
pocketsphinx ships. espeak-ng (built into Piper, so no extra install) knows how to say almost any
word; its IPA is mapped here onto the ARPAbet phones of the acoustic model.
"""

from __future__ import annotations

import logging
import threading
import unicodedata
from functools import cache

log = logging.getLogger(__name__)

# IPA (as espeak-ng writes it for en-us) -> ARPAbet; longest sequences are matched first.
_IPA = {
    "tʃ": "CH", "dʒ": "JH", "eɪ": "EY", "aɪ": "AY", "ɔɪ": "OY", "aʊ": "AW", "oʊ": "OW",
    "ɜː": "ER", "iː": "IY", "uː": "UW", "ɑː": "AA", "ɔː": "AO", "ɪɹ": "IH R", "ɛɹ": "EH R",
    "ʊɹ": "UH R", "ɑːɹ": "AA R", "ɔːɹ": "AO R", "oːɹ": "AO R",
    "ɚ": "ER", "ɝ": "ER", "ɜ": "ER", "i": "IY", "ɪ": "IH", "ᵻ": "IH", "ɛ": "EH", "e": "EH",
    "æ": "AE", "a": "AE", "ʌ": "AH", "ə": "AH", "ɐ": "AH", "ɑ": "AA", "ɒ": "AA", "ɔ": "AO",
    "o": "OW", "ʊ": "UH", "u": "UW", "y": "UW", "ø": "UH",
    "p": "P", "b": "B", "t": "T", "d": "D", "k": "K", "ɡ": "G", "g": "G", "f": "F", "v": "V",
    "θ": "TH", "ð": "DH", "s": "S", "z": "Z", "ʃ": "SH", "ʒ": "ZH", "h": "HH", "x": "HH",
    "ç": "HH", "m": "M", "n": "N", "ŋ": "NG", "l": "L", "ɫ": "L", "ɹ": "R", "r": "R",
    "ɾ": "T", "j": "Y", "w": "W", "ʔ": "",
}  # fmt: skip
_LONGEST = max(len(key) for key in _IPA)
_IGNORED = set("ˈˌː.-‿ ʲ")

# espeak-ng keeps one global state (its voice, its buffers) for the whole process: Piper's
# phonemiser and these pronunciations take turns through this lock.
ESPEAK_LOCK = threading.Lock()
_ready = False


def ipa_to_arpabet(ipa: str) -> str | None:
    """ARPAbet phones for an IPA string, or None when a sound has no match."""
    text = "".join(c for c in unicodedata.normalize("NFD", ipa) if not unicodedata.combining(c))
    phones: list[str] = []
    index = 0
    while index < len(text):
        if text[index] in _IGNORED:
            index += 1
            continue
        for size in range(min(_LONGEST, len(text) - index), 0, -1):
            piece = text[index : index + size]
            if piece in _IPA:
                if _IPA[piece]:
                    phones.append(_IPA[piece])
                index += size
                break
        else:
            return None
    return " ".join(phones) or None


@cache
def pronounce(word: str) -> str | None:
    """ARPAbet phones for one lower-case English word, from espeak-ng; None if unavailable."""
    global _ready
    try:
        from piper import espeakbridge
        from piper.phonemize_espeak import ESPEAK_DATA_DIR
    except ImportError:
        return None
    with ESPEAK_LOCK:
        if not _ready:
            espeakbridge.initialize(str(ESPEAK_DATA_DIR))
            _ready = True
        espeakbridge.set_voice("en-us")
        clauses = espeakbridge.get_phonemes(word.replace("'", ""))
    ipa = "".join(phonemes for phonemes, _terminator, _end in clauses)
    phones = ipa_to_arpabet(ipa)
    if phones is None:
        log.debug("no pronunciation for %r (%s)", word, ipa)
    return phones
