"""For the Home Assistant face's tests: the web tests' station double (real Library and DJ)
with the commands only Home Assistant sends (mood, commentary, microphone, a URL to play), and a
raw encrypted client (aioesphomeapi's own Noise handshake) for what a real client never sends."""

from __future__ import annotations

import asyncio
import hashlib

from aioesphomeapi.noise import NoiseHandshake

from appliance import control
from appliance.faces import urls
from appliance.library.track import Track
from appliance.moods import MOODS
from tests.faces.web_station import DoubleStation

URL_BIND = "localhost"  # the faces' bind the double checks URLs under, as the tests bind


class HomeStation(DoubleStation):
    def execute(self, command: control.Command) -> control.Outcome:
        match command:
            case control.PlayUrl(url=url) if (refused := urls.refusal(url, URL_BIND)) is not None:
                return control.Outcome(False, error=refused)  # as the command path checks it
            case control.SetMood(mood=mood):
                if mood is not None and mood not in MOODS:
                    return control.Outcome(False, error=f"{mood!r} is not a mood")
                self.update(mood=mood)
            case control.SetCommentary(on=on):
                self.update(commentary=on)
            case control.MuteMicrophone(on=on):
                self.update(microphone_muted=on)
            case control.PlayUrl(url=url, announce=False):
                digest = hashlib.sha256(url.encode()).hexdigest()[:16]
                self._play(Track(f"url-{digest}", url, url.rsplit("/", 1)[-1], ""), "dj")
            case _:
                return super().execute(command)
        self.executed.append(command)
        return control.Outcome(True)


def frame(payload: bytes) -> bytes:
    return bytes((1, len(payload) >> 8, len(payload) & 0xFF)) + payload


async def raw(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 5)


async def handshake(
    port: int, key: str
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter, object]:
    reader, writer = await raw(port)
    client = NoiseHandshake(key, b"NoiseAPIInit\x00\x00")
    writer.write(b"\x01\x00\x00" + frame(b"\x00" + client.write_message()))
    for _ in range(2):
        header = await asyncio.wait_for(reader.readexactly(3), 5)
        body = await reader.readexactly((header[1] << 8) | header[2])
    client.read_message(body[1:])
    return reader, writer, client.get_ciphers()[0]


def sealed(encrypt: object, message_type: int, payload: bytes) -> bytes:
    head = bytes((message_type >> 8, message_type & 0xFF, len(payload) >> 8, len(payload) & 0xFF))
    return frame(encrypt.encrypt(head + payload))  # type: ignore[attr-defined]


async def closed_by_the_face(reader: asyncio.StreamReader) -> bool:
    """True when the face ends the connection (whatever it said first) within 5 s."""
    try:
        while await asyncio.wait_for(reader.read(4096), 5):
            pass
    except ConnectionError:  # reset: closed at once
        return True
    except TimeoutError:
        return False
    return True
