"""The DJ's voice from a Wyoming server (a home server's Piper), the local voice standing by.

The reply is split into sentences here, as the local voice does (:func:`first_breath`), and each
is a `synthesize` message on one connection; the server's `audio-chunk` messages are handed on
as they arrive, so the first one plays while the rest is being made and sent, and the speech
output, ducking and barge-in work as with the local voice.

When the server cannot be reached, closes the connection, or is silent for longer than
``budget`` seconds, the local voice says that sentence (again, from its start) and the rest of
the reply; the server is tried again later (see :class:`appliance.wyoming_link.Link`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

from appliance.audio_format import CHANNELS, WIDTH
from appliance.voice.speaker import Voice
from appliance.voice.tts_piper import SpeechAudio, first_breath, split_sentences
from appliance.wyoming_link import Connection, Link, WyomingError

log = logging.getLogger("appliance.voice.tts_wyoming")

BUDGET = 1.5
"""Seconds the server may take for a sentence's first audio, and between two of its chunks,
before the local voice takes over (Piper joe took 0.05-0.55 s for a first sentence here)."""


class WyomingSpeech:
    """A voice on a Wyoming server, with a local voice (Piper) to fall back on."""

    def __init__(
        self, link: Link, fallback: Voice, budget: float = BUDGET, voice: str | None = None
    ) -> None:
        """``voice``: the server's voice name (None: the server's default)."""
        self.link = link
        self.fallback = fallback
        self.budget = budget
        self.voice = voice
        self.sample_rate = int(getattr(fallback, "sample_rate", 22050))
        self.last_engine = ""
        """Who said the last sentence: "wyoming" or "local"."""

    def synthesize(self, text: str) -> Iterator[SpeechAudio]:
        """One chunk at a time as the server sends them (see the module doc)."""
        connection: Connection | None = None
        try:
            for sentence in first_breath(split_sentences(text)):
                if connection is None and self.link.usable():
                    try:
                        connection = self.link.connect()
                    except WyomingError as error:
                        self.link.failed(str(error))
                if connection is not None:
                    try:
                        yield from self._remote(connection, sentence)
                        self.last_engine = "wyoming"
                        continue
                    except WyomingError as error:
                        self.link.failed(str(error))
                        connection.close()
                        connection = None
                self.last_engine = "local"
                yield from self.fallback.synthesize(sentence)
        finally:
            if connection is not None:
                connection.close()

    def _remote(self, connection: Connection, sentence: str) -> Iterator[SpeechAudio]:
        data: dict[str, object] = {"text": sentence}
        if self.voice:
            data["voice"] = {"name": self.voice}
        connection.send("synthesize", data)
        rate, width, channels = self.sample_rate, WIDTH, CHANNELS
        while True:
            message = connection.receive(time.monotonic() + self.budget)
            if message.type in ("audio-start", "audio-chunk"):
                rate = _number(message.data.get("rate"), rate)
                width = _number(message.data.get("width"), width)
                channels = _number(message.data.get("channels"), channels)
                if width != WIDTH or channels != CHANNELS or not 8000 <= rate <= 48000:
                    raise WyomingError(
                        f"{connection.address} sends audio of {width} bytes x {channels} "
                        f"channels at {rate} Hz; the appliance plays 16-bit mono"
                    )
            if message.type == "audio-chunk" and message.payload:
                whole = len(message.payload) // WIDTH * WIDTH  # a sample cut in two is dropped
                yield SpeechAudio(message.payload[:whole], rate, sentence)
            elif message.type == "audio-stop":
                return
            elif message.type == "error":
                raise WyomingError(f"the server says: {message.data.get('text', 'error')}")


def _number(value: object, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def with_server(setting: str, local: Voice) -> WyomingSpeech:
    """The voice for a [models] tts of ``tcp://host:port`` or ``wyoming``: the server (checked
    now; said in the log) speaks, ``local`` stands by."""
    return WyomingSpeech(Link(setting, "tts"), local)
