"""The Home Assistant face under hostile input: any bytes, split anywhere, give whole messages or
a refusal (never another error); broken, oversized, undecryptable and unparsable frames end that
one connection, and the face goes on serving Home Assistant's own client."""

from __future__ import annotations

import asyncio
import os
import random
from dataclasses import replace
from pathlib import Path
from unittest import mock

import pytest
from aioesphomeapi import APIClient
from aioesphomeapi.noise import NoiseHandshake
from hypothesis import given
from hypothesis import strategies as st

from appliance.config import HomeAssistantSettings
from appliance.faces import secrets
from appliance.faces.esphome.face import ID_FILE, MAX_CLIENTS, EsphomeFace
from appliance.faces.esphome.messages import TYPE_OF, pb
from appliance.faces.esphome.wire import MAX_MESSAGE, NoiseWire, PlainWire, Refused, decode_key
from tests.faces.esphome_support import (
    HomeStation,
    closed_by_the_face,
    frame,
    handshake,
    raw,
    sealed,
)
from tests.faces.test_esphome import face_settings
from tests.fuzz.conftest import fuzz_rounds
from tests.support import music

pytestmark = pytest.mark.fuzz
KEY = "Gd/Pz5rJk1T0xYsRWbZ0m0Ur2aBq4hM3jC0bXW2kq9Q="


def chunks(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    return [data[a:b] for a, b in zip([0, *points], [*points, len(data)], strict=True)]


def feed(wire: PlainWire | NoiseWire, parts: list[bytes]) -> tuple[bytes, list[tuple[int, bytes]]]:
    out, messages = b"", []
    for part in parts:
        reply, got = wire.receive(part)
        out += reply
        messages += got
    return out, messages


messages_strategy = st.lists(
    st.tuples(st.integers(0, 0xFFFF), st.binary(max_size=300)), min_size=1, max_size=8
)


@given(messages_strategy, st.lists(st.integers(0, 5000), max_size=12))
def test_plaintext_messages_come_through_whole_however_split(
    messages: list[tuple[int, bytes]], cuts: list[int]
) -> None:
    data = PlainWire().encode(messages)
    assert feed(PlainWire(), chunks(data, cuts))[1] == messages


@given(st.binary(max_size=2000), st.lists(st.integers(0, 3000), max_size=8))
def test_any_bytes_give_messages_or_a_refusal(data: bytes, cuts: list[int]) -> None:
    for wire in (PlainWire(), NoiseWire(decode_key(KEY), "qfzz-abcdef", "02aabbccddee")):
        try:
            feed(wire, chunks(data, cuts))
        except Refused as refused:
            assert refused.reason


def split_frames(data: bytes) -> list[bytes]:
    frames = []
    while data:
        size = (data[1] << 8) | data[2]
        frames.append(data[3 : 3 + size])
        data = data[3 + size :]
    return frames


@given(messages_strategy, st.lists(st.integers(0, 5000), max_size=12))
def test_encrypted_messages_come_through_whole_both_ways(
    messages: list[tuple[int, bytes]], cuts: list[int]
) -> None:
    device = NoiseWire(decode_key(KEY), "qfzz-abcdef", "02aabbccddee")
    client = NoiseHandshake(KEY, b"NoiseAPIInit\x00\x00")
    reply, _ = device.receive(b"\x01\x00\x00" + frame(b"\x00" + client.write_message()))
    hello, handshake = split_frames(reply)
    assert hello == b"\x01qfzz-abcdef\x0002aabbccddee\x00" and handshake[0] == 0
    client.read_message(handshake[1:])
    encrypt, decrypt = client.get_ciphers()
    sent = b"".join(
        frame(encrypt.encrypt(bytes((t >> 8, t & 0xFF, len(p) >> 8, len(p) & 0xFF)) + p))
        for t, p in messages
    )
    assert feed(device, chunks(sent, cuts))[1] == messages
    back = [decrypt.decrypt(f) for f in split_frames(device.encode(messages))]
    assert [((m[0] << 8) | m[1], m[4:]) for m in back] == messages


# -- against a running face -------------------------------------------------------------------


FAULTS = (
    "garbage",
    "oversized",
    "plain varint",
    "vanish mid-frame",
    "undecryptable",
    "unparsable",
    "before hello",
    "oversized encrypted",
)


async def inflict(fault: str, port: int, key: str, rng: random.Random) -> bool:
    """One hostile connection; True when the face closed it (or, for a vanishing client, when
    nothing is left of it)."""
    if fault == "garbage":
        reader, writer = await raw(port)
        writer.write(bytes([rng.choice([0, 1, 7, 255])]) + os.urandom(rng.randint(2, 600)))
    elif fault == "oversized":
        reader, writer = await raw(port)
        writer.write(b"\x01\xff\xff" + b"\0" * 1000)
    elif fault == "plain varint":
        reader, writer = await raw(port)
        writer.write(b"\x00\xff\xff\xff\xff\x7f\x01")
    elif fault == "vanish mid-frame":
        reader, writer = await raw(port)
        writer.write(b"\x01\x00\x00\x01\x00\x31\x00" + os.urandom(10))
        writer.close()
        return True
    else:
        reader, writer, encrypt = await handshake(port, key)
        hello = pb.HelloRequest(client_info="fuzz").SerializeToString()
        if fault == "undecryptable":
            writer.write(frame(os.urandom(rng.randint(1, 200))))
        elif fault == "unparsable":
            writer.write(sealed(encrypt, TYPE_OF[type(pb.HelloRequest())], b"\xff" * 9))
        elif fault == "before hello":
            writer.write(sealed(encrypt, TYPE_OF[type(pb.ListEntitiesRequest())], b""))
        else:
            writer.write(sealed(encrypt, 1, hello))
            writer.write(sealed(encrypt, 65, b"\x0a" + b"\xff" * (MAX_MESSAGE + 10)))
    closed = await closed_by_the_face(reader)
    writer.close()
    return closed


def test_bad_frames_close_that_connection_and_the_face_serves_on(tmp_path: Path) -> None:
    songs = music.tone_library(tmp_path / "songs", music.TONES, 1, seconds=2.0)
    station = HomeStation(songs, tmp_path / "station")
    settings = face_settings(songs)
    key = secrets.encryption_key(settings, tmp_path)
    rng = random.Random(12)

    async def scenario() -> None:
        face = EsphomeFace(station, settings, tmp_path)
        await face.start()
        try:
            for round_ in range(fuzz_rounds(2, 30)):
                for fault in FAULTS:
                    assert await inflict(fault, face.port, key, rng), (round_, fault)
            # more clients than it takes: the extra ones are turned away at once
            crowd = [await raw(face.port) for _ in range(MAX_CLIENTS + 3)]
            turned_away = [await closed_by_the_face(reader) for reader, _ in crowd[MAX_CLIENTS:]]
            assert all(turned_away)
            for _, writer in crowd:
                writer.close()
            deadline = asyncio.get_running_loop().time() + 5
            while face.clients and asyncio.get_running_loop().time() < deadline:
                await asyncio.sleep(0.05)
            assert face.clients == 0  # nothing left of any of them
            api = APIClient("127.0.0.1", face.port, None, noise_psk=key)
            await asyncio.wait_for(api.connect(login=False), 10)
            found, _ = await api.list_entities_services()
            assert found
            await api.disconnect()
        finally:
            await face.stop()

    try:
        asyncio.run(asyncio.wait_for(scenario(), 120))
    finally:
        station.close()


def test_the_device_id_on_a_full_or_read_only_disk(small_disk: Path, tmp_path: Path) -> None:
    """A full disk: the face does not start and says which file it could not keep (nothing
    half-written is left); once kept, the id is read back from a disk gone read-only."""
    from tests.support.disks import fill, make_read_only

    settings = replace(
        face_settings(tmp_path),
        home_assistant=HomeAssistantSettings(port=0, encryption_key=KEY),
    )
    data = small_disk / "data"
    data.mkdir()
    fill(small_disk)

    async def start_and_stop(where: Path) -> str:
        face = EsphomeFace(mock.Mock(), settings, where)
        await face.start()
        await face.stop()
        assert face.device is not None
        return face.device.mac

    with pytest.raises(OSError, match=ID_FILE):
        asyncio.run(start_and_stop(data))
    assert list(data.iterdir()) == []
    (small_disk / ".filler").unlink()
    mac = asyncio.run(start_and_stop(data))
    make_read_only(small_disk)
    assert asyncio.run(start_and_stop(data)) == mac
