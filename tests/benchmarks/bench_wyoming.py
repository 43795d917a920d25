"""Speech on a Wyoming server against the local engines, in one run on this machine: the
recogniser's final after the end of a command, the voice's first audio of a reply, and how long
the local engine takes over when the server is killed or hangs."""

from __future__ import annotations

import socket
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from appliance.voice.stt_whisper import WhisperRecognizer
from appliance.voice.stt_wyoming import WyomingRecognizer
from appliance.voice.tts_piper import PiperSpeech
from appliance.voice.tts_wyoming import WyomingSpeech
from appliance.wyoming_link import Address, Link
from tests.support import whisper
from tests.support.speech import silence, speech_pcm
from tests.support.wyoming_servers import WyomingServer

COMMANDS = ("turn the volume up", "play some jazz", "stop the music", "what's playing")
REPLY = "Here's So What by Miles Davis, some jazz for your evening."
ROUNDS = 5


def _final_after_end(recognizer: object, pcm: bytes) -> float:
    """Seconds from the last audio handed over to the final transcript."""
    recognizer.start()  # type: ignore[attr-defined]
    for offset in range(0, len(pcm), 320):
        recognizer.accept(pcm[offset : offset + 320])  # type: ignore[attr-defined]
    started = time.perf_counter()
    recognizer.finish()  # type: ignore[attr-defined]
    return time.perf_counter() - started


def _first_audio(synthesize: Callable[[str], object]) -> float:
    started = time.perf_counter()
    pieces = iter(synthesize(REPLY))  # type: ignore[call-overload]
    next(pieces)
    first = time.perf_counter() - started
    for _ in pieces:
        pass
    return first


def _median_ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.0f} ms (of {len(values)})"


def test_remote_and_local_speech_latency(tmp_path: Path) -> None:
    stt_server = WyomingServer("stt", tmp_path / "stt")
    tts_server = WyomingServer("tts", tmp_path / "tts")
    stt_server.start()
    tts_server.start()
    try:
        local = WhisperRecognizer(whisper.model_path(), model=whisper.shared_model())
        remote = WyomingRecognizer(Link(str(stt_server.address), "stt"), local, budget=10.0)
        voice = PiperSpeech.load()
        remote_voice = WyomingSpeech(Link(str(tts_server.address), "tts"), voice, budget=10.0)
        clips = [speech_pcm(c) + silence(0.3) for c in COMMANDS]
        _final_after_end(remote, clips[0])  # the server's first call loads its model
        _first_audio(remote_voice.synthesize)
        results: dict[str, list[float]] = {k: [] for k in ("stt-remote", "stt-local")}
        results |= {"tts-remote": [], "tts-local": []}
        for _ in range(ROUNDS):
            for clip in clips:
                results["stt-remote"].append(_final_after_end(remote, clip))
                results["stt-local"].append(_final_after_end(local, clip))
            results["tts-remote"].append(_first_audio(remote_voice.synthesize))
            results["tts-local"].append(_first_audio(voice.synthesize))
        for name, values in results.items():
            print(f"{name}: median {_median_ms(values)}, max {max(values) * 1000:.0f} ms")
        reply = [a + b for a, b in zip(results["stt-remote"], results["tts-remote"], strict=False)]
        local_reply = [
            a + b for a, b in zip(results["stt-local"], results["tts-local"], strict=False)
        ]
        print(f"reply (final + first audio, DJ turn excluded): remote {_median_ms(reply)}, "
              f"local {_median_ms(local_reply)}")  # fmt: skip
        # fall back: the server killed (refused at once) and a server that hangs (the budget)
        stt_server.kill()
        down = WyomingRecognizer(Link(str(stt_server.address), "stt"), local)
        down.link._up = True  # it answered before the kill
        print(
            f"fallback, server killed: final after {_final_after_end(down, clips[0]) * 1000:.0f} ms"
        )
        with socket.create_server(("127.0.0.1", 0)) as mute:
            link = Link(str(Address("127.0.0.1", mute.getsockname()[1])), "stt")
            link._up = True
            hung = WyomingRecognizer(link, local)
            took = _final_after_end(hung, clips[0])
        print(f"fallback, server hangs: final after {took * 1000:.0f} ms (budget {hung.budget} s)")
    finally:
        stt_server.kill()
        tts_server.kill()
