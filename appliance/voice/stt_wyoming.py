"""Speech recognition on a Wyoming server (a home server's Whisper), the local engine standing by.

The command's audio streams to the server while it is spoken (a `transcribe`, `audio-start`,
then `audio-chunk` messages of :data:`CHUNK_BYTES`); at the end an `audio-stop`, and the server's
`transcript` is the final. No partials: a Wyoming recogniser answers once, at the end.

A request is never lost to a server that went away: the audio of the utterance is kept, and when
the server cannot be reached, closes the connection or has not answered within ``budget`` seconds
of the end, the local engine (the one the board's plan picked) hears the same audio. While the
server is known to be down (see :class:`appliance.wyoming_link.Link`) the local engine hears the
command as it is spoken, partials and all, and nothing waits on the server.

Confidence: a Wyoming transcript carries no score. Whisper tiny.en, the smallest model a server
runs, was right for 218 of 252 commands of the held-out voices with the appliance's own prompt
(see stt_whisper.py): every non-empty remote transcript gets :data:`REMOTE_CONFIDENCE`, except
a decode that loops ("Play. Play. Play. ...", Whisper's answer to noise), which is not speech.
"""

from __future__ import annotations

import logging
import time
import zlib
from collections.abc import Sequence

from appliance.audio_format import CHANNELS, RATE, WIDTH, bytes_for, seconds
from appliance.events import Transcript
from appliance.grammar import Grammar
from appliance.voice.stt import SpeechRecognizer, Vocabulary, final_transcript, normalise
from appliance.voice.stt_whisper import COMPRESSION_LIMIT, strip_wake
from appliance.wyoming_link import Connection, Link, WyomingError

log = logging.getLogger("appliance.voice.stt_wyoming")

CHUNK_BYTES = bytes_for(100)
"""100 ms of audio per message: small enough to stream, large enough not to cost a message per
10 ms frame."""
BUDGET = 1.5
"""Seconds from the end of the command to the server's transcript before the local engine hears
it instead (Whisper tiny.en took 0.3-0.6 s here, a larger model on a home server about a second)."""
REMOTE_CONFIDENCE = 0.86
"""See the module doc: 218 / 252 right."""
_FORMAT = {"rate": RATE, "width": WIDTH, "channels": CHANNELS}


class WyomingRecognizer:
    """A recogniser on a Wyoming server, with a local recogniser to fall back on."""

    name = "wyoming"
    partials = False

    def __init__(
        self, link: Link, fallback: SpeechRecognizer, budget: float = BUDGET, language: str = "en"
    ) -> None:
        self.link = link
        self.fallback = fallback
        self.budget = budget
        self.language = language
        self.last_engine = ""
        """Which engine gave the last final: "wyoming" or the fallback's name."""
        self._connection: Connection | None = None
        self._local = False  # this utterance goes to the fallback as it is spoken
        self._audio = bytearray()  # the utterance, for the fallback if the server fails
        self._unsent = bytearray()

    @property
    def vocabulary(self) -> Vocabulary:
        """The local engine's (the wake word's leftovers are cut from the server's text too)."""
        return self.fallback.vocabulary

    @vocabulary.setter
    def vocabulary(self, vocabulary: Vocabulary) -> None:
        self.fallback.vocabulary = vocabulary

    def set_vocabulary(
        self,
        phrases: Sequence[str],
        words: Sequence[str],
        wake_phrases: Sequence[str] = (),
        grammar: Grammar | None = None,
    ) -> None:
        self.fallback.set_vocabulary(phrases, words, wake_phrases, grammar)

    def adapt(self, pcm: bytes) -> None:
        self.fallback.adapt(pcm)

    # -- one utterance ---------------------------------------------------------------------------

    def start(self) -> None:
        self._hang_up()
        self._audio.clear()
        self._unsent.clear()
        self._local = not self.link.usable()
        if self._local:
            self.fallback.start()
            return
        try:
            self._connection = self.link.connect()
            self._connection.send("transcribe", {"language": self.language})
            self._connection.send("audio-start", _FORMAT)
        except WyomingError as error:
            self._lost(error)

    def accept(self, pcm: bytes) -> str | None:
        if self._local:
            return self.fallback.accept(pcm)
        self._audio += pcm
        if self._connection is not None:
            self._unsent += pcm
            if len(self._unsent) >= CHUNK_BYTES:
                self._send_unsent()
        return None

    def finish(self) -> Transcript:
        if self._local:
            self.last_engine = self.fallback.name
            return self.fallback.finish()
        started = time.perf_counter()
        audio_s = seconds(len(self._audio))
        text = self._remote_text()
        if text is None:
            return self._local_final()
        self.last_engine = self.name
        text = strip_wake(text, self.vocabulary)
        confidence = REMOTE_CONFIDENCE if normalise(text) and not loops(text) else 0.0
        self._audio.clear()
        work = time.perf_counter() - started
        return final_transcript(text if confidence else "", confidence, audio_s, work, work)

    def _remote_text(self) -> str | None:
        """The server's transcript, or None when it failed (and the failure is noted)."""
        if self._connection is None:
            return None
        try:
            self._send_unsent()
            connection = self._connection
            if connection is None:
                return None
            connection.send("audio-stop")
            deadline = time.monotonic() + self.budget
            while True:
                message = connection.receive(deadline)
                if message.type == "transcript":
                    text = message.data.get("text")
                    return text.strip() if isinstance(text, str) else ""
                if message.type == "error":
                    raise WyomingError(f"the server says: {message.data.get('text', 'error')}")
        except WyomingError as error:
            self._lost(error)
            return None
        finally:
            self._hang_up()

    def _send_unsent(self) -> None:
        if self._connection is None or not self._unsent:
            return
        try:
            self._connection.send("audio-chunk", _FORMAT, bytes(self._unsent))
        except WyomingError as error:
            self._lost(error)
        self._unsent.clear()

    def _local_final(self) -> Transcript:
        """The utterance heard by the fallback (the server failed during it)."""
        self.fallback.start()
        if self._audio:
            self.fallback.accept(bytes(self._audio))
        self._audio.clear()
        self.last_engine = self.fallback.name
        return self.fallback.finish()

    def _lost(self, error: WyomingError) -> None:
        self.link.failed(str(error))
        self._hang_up()

    def _hang_up(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def close(self) -> None:
        self._hang_up()


def loops(text: str) -> bool:
    """Text that zlib shrinks more than Whisper's own cut-off (:data:`COMPRESSION_LIMIT`)."""
    data = text.encode()
    return len(data) / len(zlib.compress(data)) > COMPRESSION_LIMIT


def with_server(setting: str, local: SpeechRecognizer) -> WyomingRecognizer:
    """The recogniser for a [models] stt of ``tcp://host:port`` or ``wyoming``: the server
    (checked now; said in the log) hears the commands, ``local`` stands by."""
    return WyomingRecognizer(Link(setting, "stt"), local)
