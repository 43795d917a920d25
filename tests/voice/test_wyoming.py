"""Speech on a Wyoming server: real wyoming-faster-whisper and wyoming-piper servers started here
on 127.0.0.1 (once for the module), the local engines standing by when a server is killed, slow
or not there, and a whole station hearing and answering through them."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from appliance.config import parse_config
from appliance.dialogue import Turn
from appliance.station import QFZZStation, StationConfig
from appliance.voice.stt_whisper import WhisperRecognizer
from appliance.voice.stt_wyoming import REMOTE_CONFIDENCE, WyomingRecognizer
from appliance.voice.tts_piper import PiperSpeech
from appliance.voice.tts_wyoming import WyomingSpeech
from appliance.wyoming_link import Address, Connection, Link, WyomingError, parse_address
from tests.support import music, whisper
from tests.support.pulse import PulseServer
from tests.support.speech import silence, speech_pcm, write_wav
from tests.support.waiting import wait_until
from tests.support.wyoming_servers import WyomingServer, free_port
from tests.voice.conftest import recognise

PHRASE = "turn the volume up"
"""Heard right by a server with no prompt (it hears "skip" as "let's get", "play" before "some jazz
by" as "place": the README says how to give a server the appliance's commands)."""


@pytest.fixture(scope="module")
def stt_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WyomingServer]:
    server = WyomingServer("stt", tmp_path_factory.mktemp("wyoming-stt"))
    server.start()
    yield server
    server.kill()


@pytest.fixture(scope="module")
def tts_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WyomingServer]:
    server = WyomingServer("tts", tmp_path_factory.mktemp("wyoming-tts"))
    server.start()
    yield server
    server.kill()


@pytest.fixture(scope="module")
def local_whisper() -> WhisperRecognizer:
    return WhisperRecognizer(whisper.model_path(), model=whisper.shared_model())


@pytest.fixture(scope="module")
def local_voice(tmp_path_factory: pytest.TempPathFactory) -> PiperSpeech:
    return PiperSpeech.load()


def words(text: str) -> str:
    return " ".join("".join(c for c in text.lower() if c.isalnum() or c == " ").split())


def spoken(pcm: bytes) -> tuple[float, float]:
    """Seconds and RMS (full scale 1.0) of 22050 Hz s16le audio."""
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float64) / 32768.0
    return samples.size / 22050, float(np.sqrt(np.mean(samples**2))) if samples.size else 0.0


# -- addresses -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tcp://192.168.1.20:10300", Address("192.168.1.20", 10300)),
        ("tcp://homeserver.local:10200", Address("homeserver.local", 10200)),
        ("TCP://[fe80::1]:10300/", Address("fe80::1", 10300)),
    ],
)
def test_an_address_names_a_host_and_a_port(text: str, expected: Address) -> None:
    assert parse_address(text) == expected


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("tcp://192.168.1.20", "names no port"),
        ("tcp://:10300", "names no host"),
        ("tcp://host:99999", "from 1 to 65535"),
        ("tcp://host:port", "from 1 to 65535"),
        ("tcp://bad_host!:10300", "not a host name"),
        ("tcp://[nothex]:10300", "not an IPv6 address"),
        ("http://host:10300", "not a server address"),
    ],
)
def test_a_malformed_address_says_what_is_wrong(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_address(text)


# -- recognition ---------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [PHRASE, "play some jazz"])
def test_a_spoken_command_comes_back_from_the_server_as_its_words(
    stt_server: WyomingServer, local_whisper: WhisperRecognizer, text: str
) -> None:
    link = Link(str(stt_server.address), "stt")
    assert "faster-whisper" in link.offered
    recognizer = WyomingRecognizer(link, local_whisper, budget=10.0)
    transcript, partials = recognise(recognizer, silence(0.2) + speech_pcm(text) + silence(0.3))
    assert recognizer.last_engine == "wyoming"
    assert words(transcript.text) == text
    assert transcript.confidence == REMOTE_CONFIDENCE
    assert partials == []
    nothing, _ = recognise(recognizer, silence(1.0))
    assert nothing.text == "" and nothing.confidence == 0.0


def test_the_audio_streams_to_the_server_while_it_is_spoken(
    stt_server: WyomingServer, local_whisper: WhisperRecognizer
) -> None:
    """A proxy in front of the server sees the audio arrive before the command ends."""
    received: list[tuple[float, int]] = []
    proxy = _Proxy(stt_server.address, received)
    try:
        link = Link(str(proxy.address), "stt")
        recognizer = WyomingRecognizer(link, local_whisper, budget=10.0)
        received.clear()
        pcm = speech_pcm(PHRASE)
        recognizer.start()
        for offset in range(0, len(pcm), 320):
            recognizer.accept(pcm[offset : offset + 320])
        time.sleep(0.3)
        before_end = sum(size for _at, size in received)
        transcript = recognizer.finish()
    finally:
        proxy.close()
    assert before_end >= len(pcm) * 0.9
    assert words(transcript.text) == PHRASE


def test_a_server_killed_mid_command_leaves_the_command_to_the_local_engine_and_comes_back(
    stt_server: WyomingServer, local_whisper: WhisperRecognizer, caplog: pytest.LogCaptureFixture
) -> None:
    link = Link(str(stt_server.address), "stt", retry_every=0.2)
    recognizer = WyomingRecognizer(link, local_whisper, budget=10.0)
    pcm = silence(0.2) + speech_pcm(PHRASE) + silence(0.3)
    half = len(pcm) // 2 // 320 * 320
    caplog.set_level(logging.INFO, logger="appliance.wyoming")
    try:
        recognizer.start()
        for offset in range(0, half, 320):
            recognizer.accept(pcm[offset : offset + 320])
        stt_server.kill()
        for offset in range(half, len(pcm), 320):
            recognizer.accept(pcm[offset : offset + 320])
        started = time.monotonic()
        transcript = recognizer.finish()
        # what the fall back cost beyond the local engine's own decode
        fallback_s = time.monotonic() - started - transcript.timings["decode_s"]
        assert recognizer.last_engine == "whisper"
        assert words(transcript.text) == PHRASE
        assert fallback_s < 0.5, f"the fall back cost {fallback_s:.2f} s"
        # while the server is away, every command goes to the local engine at once
        again, _ = recognise(recognizer, pcm)
        assert recognizer.last_engine == "whisper" and words(again.text) == PHRASE
        downs = [r for r in caplog.records if "local engine answers meanwhile" in r.message]
        assert len(downs) == 1 and not any(r.exc_info for r in caplog.records)
    finally:
        stt_server.start()
    wait_until(lambda: link.usable(), timeout=20, what="the link to find the server again")
    back, _ = recognise(recognizer, pcm)
    assert recognizer.last_engine == "wyoming" and words(back.text) == PHRASE
    assert any("answers again" in r.message for r in caplog.records)


def test_a_server_that_never_answers_costs_the_budget_then_the_local_engine_answers(
    local_whisper: WhisperRecognizer,
) -> None:
    with _Mute() as mute:
        link = Link(str(mute.address), "stt", connect_timeout=0.3, probe_timeout=0.3)
        assert not link.usable()  # describe went unanswered: down from the start
        link._up = True  # as if it had answered before, then hung
        recognizer = WyomingRecognizer(link, local_whisper, budget=0.5)
        started = time.monotonic()
        transcript, _ = recognise(recognizer, speech_pcm(PHRASE))
        elapsed = time.monotonic() - started - transcript.timings["decode_s"]
    assert recognizer.last_engine == "whisper" and words(transcript.text) == PHRASE
    assert 0.5 <= elapsed < 0.5 + 1.0  # the budget, then the local engine at once


def test_nothing_listening_is_the_local_engine_with_one_line_in_the_log(
    local_whisper: WhisperRecognizer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="appliance.wyoming")
    link = Link(f"tcp://127.0.0.1:{free_port()}", "stt", retry_every=0.05)
    recognizer = WyomingRecognizer(link, local_whisper)
    for _ in range(2):
        transcript, _ = recognise(recognizer, speech_pcm(PHRASE))
        assert recognizer.last_engine == "whisper" and words(transcript.text) == PHRASE
        time.sleep(0.06)
        link.wait_probe(2.0)
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "cannot connect" in warnings[0].message
    assert not any(r.exc_info for r in caplog.records)


def test_a_looping_decode_from_the_server_is_not_speech(
    local_whisper: WhisperRecognizer,
) -> None:
    """Whisper's answer to noise is often a loop: it must not be acted on as a command."""
    with _Scripted("Play. Play. Play. Play. Play. Play. Play. Play. Play. Play.") as server:
        recognizer = WyomingRecognizer(Link(str(server.address), "stt"), local_whisper)
        transcript, _ = recognise(recognizer, silence(1.0))
    assert recognizer.last_engine == "wyoming"
    assert transcript.text == "" and transcript.confidence == 0.0


# -- the voice -----------------------------------------------------------------------------------


def test_the_server_speaks_a_line_as_it_is_made(
    tts_server: WyomingServer, local_voice: PiperSpeech
) -> None:
    link = Link(str(tts_server.address), "tts")
    assert "piper" in link.offered
    voice = WyomingSpeech(link, local_voice, budget=10.0)
    line = "Here's So What by Miles Davis, some jazz for your evening. Enjoy it."
    chunks = list(voice.synthesize(line))
    assert voice.last_engine == "wyoming"
    assert {c.sample_rate for c in chunks} == {22050}
    assert len(chunks) > 3  # streamed in pieces, not one block
    assert next(c.text for c in chunks) == "Here's So What by Miles Davis,"
    seconds, rms = spoken(b"".join(c.pcm for c in chunks))
    assert 2.5 < seconds < 9.0
    assert rms > 0.02


def test_a_voice_server_that_goes_away_leaves_the_line_to_the_local_voice_and_comes_back(
    tts_server: WyomingServer, local_voice: PiperSpeech
) -> None:
    link = Link(str(tts_server.address), "tts", retry_every=0.2)
    voice = WyomingSpeech(link, local_voice, budget=10.0)
    line = "That was a good one. Here comes another."
    pieces = voice.synthesize(line)
    first = next(pieces)
    assert voice.last_engine == "" and first.text == "That was a good one."  # from the server
    tts_server.kill()
    try:
        rest = list(pieces)
        assert voice.last_engine == "local"
        said = [c.text for c in rest]
        assert "Here comes another." in said
        seconds, rms = spoken(b"".join(c.pcm for c in rest if c.text == "Here comes another."))
        assert seconds > 0.6 and rms > 0.02
    finally:
        tts_server.start()
    wait_until(lambda: link.usable(), timeout=20, what="the link to find the server again")
    list(voice.synthesize("Back again."))
    assert voice.last_engine == "wyoming"


# -- helpers -------------------------------------------------------------------------------------


class _Mute:
    """A TCP server that accepts and never answers (a hung server)."""

    def __init__(self) -> None:
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.address = Address("127.0.0.1", self._sock.getsockname()[1])
        self._held: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        self._sock.settimeout(0.05)
        while not self._stop.is_set():
            try:
                self._held.append(self._sock.accept()[0])
            except TimeoutError:
                continue

    def __enter__(self) -> _Mute:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)
        for sock in [*self._held, self._sock]:
            sock.close()


class _Scripted:
    """A Wyoming server that answers every command with one transcript (and `describe` as a
    speech-to-text server)."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.address = Address("127.0.0.1", self._sock.getsockname()[1])
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        program = {"name": "scripted", "installed": True, "models": []}
        self._sock.settimeout(0.05)
        while not self._stop.is_set():
            try:
                peer = self._sock.accept()[0]
            except TimeoutError:
                continue
            with Connection(peer, self.address) as line:
                while True:
                    try:
                        message = line.receive(time.monotonic() + 5)
                    except WyomingError:
                        break
                    if message.type == "describe":
                        line.send("info", {"asr": [program]})
                    elif message.type == "audio-stop":
                        line.send("transcript", {"text": self._text})

    def __enter__(self) -> _Scripted:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)
        self._sock.close()


class _Proxy:
    """Forwards one client at a time to ``target``, noting when the client's bytes arrive."""

    def __init__(self, target: Address, received: list[tuple[float, int]]) -> None:
        self._target = target
        self._received = received
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.address = Address("127.0.0.1", self._sock.getsockname()[1])
        self._threads: list[threading.Thread] = []
        self._open: list[socket.socket] = []
        self._stop = threading.Event()
        self._start(self._accept)

    def _start(self, target: Any, *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _accept(self) -> None:
        self._sock.settimeout(0.05)
        while not self._stop.is_set():
            try:
                client = self._sock.accept()[0]
            except TimeoutError:
                continue
            server = socket.create_connection((self._target.host, self._target.port), 5)
            self._open += [client, server]
            self._start(self._pipe, client, server, True)
            self._start(self._pipe, server, client, False)

    def _pipe(self, source: socket.socket, sink: socket.socket, note: bool) -> None:
        source.settimeout(0.05)
        while not self._stop.is_set():
            try:
                data = source.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            if not data:
                return
            if note:
                self._received.append((time.monotonic(), len(data)))
            try:
                sink.sendall(data)
            except OSError:
                return

    def close(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(5)
        for sock in [*self._open, self._sock]:
            sock.close()


# -- finding a server, and the appliance's settings ----------------------------------------------


def test_wyoming_finds_the_server_of_each_kind_by_zeroconf(
    stt_server: WyomingServer, tts_server: WyomingServer
) -> None:
    """Both servers announced on loopback (never beyond it): each kind finds its own."""
    from zeroconf import ServiceInfo, Zeroconf

    from appliance.wyoming_link import SERVICE_TYPE

    zc = Zeroconf(interfaces=["127.0.0.1"])
    infos = [
        ServiceInfo(
            SERVICE_TYPE,
            f"qfzz-test-{server.kind}.{SERVICE_TYPE}",
            port=server.port,
            addresses=[socket.inet_aton("127.0.0.1")],
            server=f"qfzz-test-{server.kind}.local.",
        )
        for server in (stt_server, tts_server)
    ]
    try:
        for info in infos:
            zc.register_service(info)
        stt = Link("wyoming", "stt", interfaces=["127.0.0.1"], discover_timeout=10.0)
        tts = Link("wyoming", "tts", interfaces=["127.0.0.1"], discover_timeout=10.0)
    finally:
        for info in infos:
            zc.unregister_service(info)
        zc.close()
    assert stt.address == stt_server.address and stt.usable()
    assert tts.address == tts_server.address and tts.usable()


def test_zeroconf_that_cannot_listen_leaves_the_local_engine_and_says_why() -> None:
    """An address that is on no interface here (TEST-NET-1): nothing is sent anywhere."""
    link = Link("wyoming", "stt", interfaces=["192.0.2.1"], discover_timeout=0.5)
    assert not link.usable() and link.address is None
    assert "zeroconf cannot look" in link.last_problem


def test_the_recogniser_named_tcp_is_the_server_with_the_planned_engine_standing_by(
    stt_server: WyomingServer,
) -> None:
    from appliance.voice.stt import load_recognizer

    recognizer = load_recognizer("pocketsphinx", None, server=str(stt_server.address))
    assert isinstance(recognizer, WyomingRecognizer)
    assert recognizer.fallback.name == "pocketsphinx"
    recognizer.budget = 10.0  # this loaded machine's server may pass the 1.5 s of a real one
    transcript, _ = recognise(recognizer, speech_pcm(PHRASE))
    assert recognizer.last_engine == "wyoming" and words(transcript.text) == PHRASE


def test_doctor_says_whether_the_server_answers(stt_server: WyomingServer) -> None:
    from appliance.doctor import OK, WARN, check_wyoming

    answers = check_wyoming("stt", str(stt_server.address), "pocketsphinx-en-us")
    assert answers.status == OK and "faster-whisper" in answers.message
    away = check_wyoming("tts", f"tcp://127.0.0.1:{free_port()}", "en_US-joe-medium")
    assert away.status == WARN
    assert "does not answer" in away.message and "en_US-joe-medium" in away.message
    assert "start the server" in away.fix


# -- the whole station ---------------------------------------------------------------------------


@pytest.mark.audio
def test_the_station_hears_and_answers_through_the_servers(
    stt_server: WyomingServer,
    tts_server: WyomingServer,
    pulse: PulseServer,
    isolated_env: Path,
    tmp_path: Path,
) -> None:
    """[models] stt and tts naming the servers: a spoken command from a file is heard by the
    speech server and answered by the voice server, the planned local engines standing by."""
    tracks = music.tone_library(tmp_path / "music", music.TONES, 1, seconds=5.0)
    wav = write_wav(tmp_path / "say.wav", silence(0.5) + speech_pcm("play some jazz") + silence(2))
    settings = parse_config(
        f'[library]\nmusic_folders = ["{tracks}"]\n[dj]\ncommentary = 0.0\n'
        f'[models]\nstt = "{stt_server.address}"\ntts = "{tts_server.address}"\n'
    )
    config = StationConfig.from_settings(
        settings, listen="file", input_file=wav, speak=True, audio_output="null"
    )
    station = QFZZStation(config)
    turns: list[Turn] = []
    station.turn_listeners.append(turns.append)
    station.start()
    try:
        recognizer = station.listener.recognizer if station.listener else None
        assert isinstance(recognizer, WyomingRecognizer)
        recognizer.budget = 10.0  # before the command ends: this loaded machine's server is slow
        assert recognizer.fallback.name == "pocketsphinx"  # the smallest local engine
        voice = station.voice
        assert isinstance(voice, WyomingSpeech)
        voice.budget = 10.0
        wait_until(lambda: turns and turns[0].first_audio_at, timeout=60, what="a spoken answer")
        assert recognizer.last_engine == "wyoming"
        assert "play some jazz" in turns[0].text.lower()
        assert voice.last_engine == "wyoming"
        turn = turns[0]
        assert turn.heard_at is not None and turn.first_audio_at is not None
        print(f"end of the command to the answer's first sample: "
              f"{turn.first_audio_at - turn.heard_at:.2f} s after the final")  # fmt: skip
    finally:
        station.stop()
