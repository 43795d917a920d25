"""The ESPHome native API's two wire formats, from the device's side, without any I/O.

Bytes go in with :meth:`receive`; out come the bytes to send back (handshake replies) and the
whole messages, as (message type, protobuf payload). :meth:`encode` frames messages going out.

- Plaintext: a 0x00 byte, the payload's length and the message type as varints, the payload.
- Noise (``Noise_NNpsk0_25519_ChaChaPoly_SHA256`` keyed with Home Assistant's 32-byte key):
  frames of a 0x01 byte and a 16-bit length. The client's first frame is its hello; the device
  answers with the protocol it chose, its name and MAC; then one handshake message each way;
  after that every frame is one encrypted message (16-bit type, 16-bit length, payload).

Anything malformed, oversized or not decryptable raises :class:`Refused` carrying what to tell
the client before the connection is closed (as ESPHome does): a bad frame ends that one
connection, never the face.
"""

from __future__ import annotations

import base64
import binascii
import enum

from noise.connection import NoiseConnection  # type: ignore[import-untyped]

NOISE_PROTOCOL = b"Noise_NNpsk0_25519_ChaChaPoly_SHA256"
PROLOGUE = b"NoiseAPIInit"
MAX_MESSAGE = 8192  # the largest message a client may send (a media URL fits with room)
MAX_HANDSHAKE_FRAME = 128  # a hello or handshake frame: the real ones are 0 and 49 bytes
MAX_TYPE = 0xFFFF
AEAD_TAG = 16


class Refused(Exception):
    """The client broke the protocol: ``reason`` for the log, ``reply`` to send before closing."""

    def __init__(self, reason: str, reply: bytes = b"") -> None:
        super().__init__(reason)
        self.reason = reason
        self.reply = reply


def decode_key(key: str) -> bytes:
    """The raw 32 bytes of a base64 key; ValueError in words when it is not one."""
    try:
        raw = base64.b64decode(key.strip(), validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise ValueError(
            "the Home Assistant encryption key must be 32 bytes written in base64 "
            "(44 characters ending in '='), as `head -c 32 /dev/urandom | base64` makes"
        )
    return raw


def varuint(value: int) -> bytes:
    """``value`` as a protobuf-style varint."""
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _read_varuint(buffer: bytearray, at: int, limit_bytes: int) -> tuple[int, int] | None:
    """(value, next position), or None when the buffer ends first; Refused when too long."""
    value = shift = 0
    for index in range(at, min(len(buffer), at + limit_bytes)):
        byte = buffer[index]
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, index + 1
        shift += 7
    if len(buffer) >= at + limit_bytes:
        raise Refused("a length or type longer than the protocol allows")
    return None


class PlainWire:
    """The unencrypted format (only with ``EsphomeFace(plaintext=True)``: a started station
    always has a key)."""

    encrypted = False
    ready = True  # no handshake

    def __init__(self) -> None:
        self._buffer = bytearray()

    def receive(self, data: bytes) -> tuple[bytes, list[tuple[int, bytes]]]:
        self._buffer += data
        messages: list[tuple[int, bytes]] = []
        buffer = self._buffer
        while buffer:
            if buffer[0] != 0x00:
                # An encrypting client: tell it in the plaintext format, as ESPHome does.
                raise Refused(
                    "a client asked for encryption, which this device has off",
                    b"\x00Bad indicator byte",
                )
            length = _read_varuint(buffer, 1, 3)
            if length is None:
                break
            size, at = length
            if size > MAX_MESSAGE:
                raise Refused(f"a message of {size} bytes (at most {MAX_MESSAGE})")
            kind = _read_varuint(buffer, at, 3)
            if kind is None:
                break
            message_type, at = kind
            if message_type > MAX_TYPE:
                raise Refused(f"message type {message_type} is out of range")
            if len(buffer) < at + size:
                break
            messages.append((message_type, bytes(buffer[at : at + size])))
            del buffer[: at + size]
        return b"", messages

    def encode(self, messages: list[tuple[int, bytes]]) -> bytes:
        return b"".join(
            b"\x00" + varuint(len(payload)) + varuint(message_type) + payload
            for message_type, payload in messages
        )


class _Stage(enum.Enum):
    HELLO = "hello"
    HANDSHAKE = "handshake"
    DATA = "data"


def _frame(payload: bytes) -> bytes:
    return bytes((0x01, len(payload) >> 8, len(payload) & 0xFF)) + payload


def _rejection(reason: str) -> bytes:
    """A handshake frame that tells the client why it is refused (it shows the words)."""
    return _frame(b"\x01" + reason.encode("ascii"))


class NoiseWire:
    """The encrypted format, as the responder of the Noise handshake."""

    encrypted = True

    def __init__(self, key: bytes, name: str, mac: str) -> None:
        self._key = key
        self._server_hello = (
            b"\x01" + name.encode("utf-8") + b"\x00" + mac.encode("ascii") + b"\x00"
        )
        self._buffer = bytearray()
        self._stage = _Stage.HELLO
        self._noise: NoiseConnection | None = None

    @property
    def ready(self) -> bool:
        """True once the handshake is done and messages flow."""
        return self._stage is _Stage.DATA

    def _frames(self) -> list[bytes]:
        frames: list[bytes] = []
        buffer = self._buffer
        while len(buffer) >= 3:
            if buffer[0] != 0x01:
                if buffer[0] == 0x00 and self._stage is _Stage.HELLO:
                    raise Refused(
                        "a client without encryption was refused: Home Assistant needs the key",
                        _rejection("Bad indicator byte"),
                    )
                raise Refused(
                    f"a frame began with {buffer[0]:#04x}", _rejection("Bad indicator byte")
                )
            size = (buffer[1] << 8) | buffer[2]
            limit = (
                MAX_MESSAGE + 4 + AEAD_TAG if self._stage is _Stage.DATA else MAX_HANDSHAKE_FRAME
            )
            if size > limit:
                raise Refused(f"a frame of {size} bytes (at most {limit} here)")
            if len(buffer) < 3 + size:
                break
            frames.append(bytes(buffer[3 : 3 + size]))
            del buffer[: 3 + size]
            if self._stage is not _Stage.DATA:
                break  # the next frame is read in the stage this one leaves
        return frames

    def receive(self, data: bytes) -> tuple[bytes, list[tuple[int, bytes]]]:
        self._buffer += data
        out = bytearray()
        messages: list[tuple[int, bytes]] = []
        try:
            while True:
                frames = self._frames()
                if not frames:
                    return bytes(out), messages
                for frame in frames:
                    if self._stage is _Stage.HELLO:
                        out += self._hello(frame)
                    elif self._stage is _Stage.HANDSHAKE:
                        out += self._handshake(frame)
                    else:
                        messages.append(self._decrypt(frame))
        except Refused as refused:  # what was answered before the fault still goes out first
            refused.reply = bytes(out) + refused.reply
            raise

    def _hello(self, frame: bytes) -> bytes:
        noise = NoiseConnection.from_name(NOISE_PROTOCOL)
        noise.set_as_responder()
        noise.set_psks(self._key)
        # The client's hello, with its length, is part of what both sides sign.
        noise.set_prologue(PROLOGUE + len(frame).to_bytes(2, "big") + frame)
        noise.start_handshake()
        self._noise = noise
        self._stage = _Stage.HANDSHAKE
        return _frame(self._server_hello)

    def _handshake(self, frame: bytes) -> bytes:
        assert self._noise is not None
        if not frame or frame[0] != 0x00:
            raise Refused("a malformed handshake", _rejection("Bad handshake error byte"))
        try:
            self._noise.read_message(frame[1:])
        except Exception as error:  # InvalidTag (another key), or a message of the wrong size
            raise Refused(
                "a client with another encryption key was refused",
                _rejection("Handshake MAC failure"),
            ) from error
        reply = bytes(self._noise.write_message())
        self._stage = _Stage.DATA
        return _frame(b"\x00" + reply)

    def _decrypt(self, frame: bytes) -> tuple[int, bytes]:
        assert self._noise is not None
        try:
            plain = self._noise.decrypt(frame)
        except Exception as error:
            raise Refused("a frame that does not decrypt with the key") from error
        if len(plain) < 4:
            raise Refused("an encrypted message too short to carry its type")
        size = (plain[2] << 8) | plain[3]
        if size > len(plain) - 4:
            raise Refused("an encrypted message shorter than its length says")
        return (plain[0] << 8) | plain[1], plain[4 : 4 + size]

    def encode(self, messages: list[tuple[int, bytes]]) -> bytes:
        assert self._noise is not None and self._stage is _Stage.DATA
        out = bytearray()
        for message_type, payload in messages:
            header = bytes((message_type >> 8, message_type & 0xFF, len(payload) >> 8))
            sealed = self._noise.encrypt(header + bytes((len(payload) & 0xFF,)) + payload)
            out += _frame(sealed)
        return bytes(out)
