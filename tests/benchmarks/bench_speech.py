"""The speech benchmark: people the appliance was not tuned on, through its real audio path.

A station (as `appliance run` builds it: capture child process on the private PulseAudio's FIFO
microphone, VAD, the recogniser tier, the DJ, the player on the null sink) hears every line of
tests/benchmarks/speech_commands.tsv said by each HELD-OUT voice of tests/support/voices.py,
after push-to-talk. What the DJ understood and did comes back as the dialogue's Turn (its
Reply: intent, slots, actions) and is sorted into:

- understood: every intent the line expects, in order, with all its slots (for chatter:
  rejected, the DJ answered it as nothing it can act on);
- asked: the DJ asked a short question instead of acting;
- ignored: nothing heard, or heard as chat with no action;
- WRONG ACTION: acted on something that was not asked for (any action, or a state change such
  as a mood, a preference or a listener switch), or any action at all for a chatter line;
- wrong answer: a harmless wrong reply (help, what's playing...) with no action, also to
  chatter.

A turn is credited to a line only when its text is that line's final transcript (turns left
over from an earlier line are drained first). Reports give the espeak-ng voices and Piper's joe
variants apart as well as together; only a TUNE voice's turns are printed one by one.

The same text typed (the DJ's own understanding, no audio) is checked alongside, so a miss is
told apart as hearing or understanding.

Second part: heard reply latency for short commands, end of speech (its last voiced 10 ms into
the microphone) to the DJ's first sample passing through the null sink, found by
cross-correlation in the recording; the station answers aloud (the accuracy part does not, to
keep the run short). Medians of where the time went come with it: the end-of-speech wait, the
final's wait after it and its decode, the DJ, the first sentence made and sent, the sound server.

To iterate without real time: bench_speech_offline.py replays the same lines and voices
straight into Whisper and the DJ.

A full run is long (each line is said in real time): pick parts with
QFZZ_SPEECH_TIERS (catalog names, default "whisper-tiny-en,pocketsphinx-en-us"),
QFZZ_SPEECH_VOICES (voice names, default every HELD-OUT voice) and QFZZ_SPEECH_EVERY (every
n-th line, default 1). Results: .bench/speech.json (+ speech.md, and one JSON line per turn in
speech_turns.jsonl); the latency in .bench/speech_latency.json.
"""

from __future__ import annotations

import json
import os
import queue
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from appliance.config import load_config
from appliance.dialogue import Turn
from appliance.dj import confirm
from appliance.dj.understand import Understanding
from appliance.station import QFZZStation, StationConfig
from tests.benchmarks.daemon_rig import Heard, sink_delay, station_rig
from tests.benchmarks.report import RESULTS, median, percentile, record
from tests.support import music
from tests.support.corpus import CorpusLine, SlotValue, read_corpus
from tests.support.pulse import SINK_RATE, PulseServer
from tests.support.speech import silence
from tests.support.voices import HELD_OUT, TUNE, Voice, by_name, render

pytestmark = pytest.mark.audio

COMMANDS = Path(__file__).with_name("speech_commands.tsv")
TIERS = ("whisper-tiny-en", "pocketsphinx-en-us")
HARMLESS = confirm.HARMLESS
"""Intents whose answer changes nothing (the DJ's own list: answers, talk, a yes or no with
nothing asked): heard wrongly, they are a wrong answer, not an action. A reply that did act
(a yes to a question asked before) is a wrong action whatever its intent."""
SHORT = ("skip", "pause", "stop", "what's playing", "turn it up", "play some jazz",
         "next song please", "resume")  # fmt: skip
TURN_WAIT_S = 20.0
CLIP_S = 0.4

# the library every corpus line assumes (tests/support/corpus.py): real, tagged files
LIBRARY = (  # artist, album, title, genre
    ("Miles Davis", "Kind of Blue", "So What", "Jazz"),
    ("Sade", "Diamond Life", "Smooth Operator", "Soul"),
    ("Daft Punk", "Random Access Memories", "Get Lucky", "Electronic"),
    ("Daft Punk", "Discovery", "One More Time", "Electronic"),
    ("Norah Jones", "Come Away with Me", "Don't Know Why", "Jazz"),
    ("Bob Marley", "Exodus", "Redemption Song", "Reggae"),
    ("Nina Simone", "I Put a Spell on You", "Feeling Good", "Jazz"),
    ("Joao Gilberto", "Chega de Saudade", "Desafinado", "Bossa Nova"),
    ("The Rockers", "Loud", "Riff", "Rock"),
    ("MC Test", "Beats", "Flow", "Hip Hop"),
    ("Blue Folk", "Roads", "Dust", "Country"),
)


def corpus_library(folder: Path) -> Path:
    for number, (artist, album, title, genre) in enumerate(LIBRARY):
        path = folder / artist / f"{title}.flac"
        music.write(path, music.signal(6.0, freq=330.0 + 40 * number, noise=0.002, seed=number))
        music.tag(path, title=title, artist=artist, album=album, genre=genre, bpm="100")
    return folder


def tiers() -> list[str]:
    chosen = os.environ.get("QFZZ_SPEECH_TIERS")
    return [t.strip() for t in chosen.split(",") if t.strip()] if chosen else list(TIERS)


def voices() -> tuple[Voice, ...]:
    return by_name(os.environ.get("QFZZ_SPEECH_VOICES"), HELD_OUT)


def lines() -> list[CorpusLine]:
    every = max(1, int(os.environ.get("QFZZ_SPEECH_EVERY", "1")))
    return read_corpus(COMMANDS)[::every]


def make_station(tmp: Path, tier: str, speak: bool) -> QFZZStation:
    folder = corpus_library(tmp / "music")
    config = tmp / f"config-{tier}-{speak}.toml"
    config.write_text(
        "[dj]\ncommentary = 0.0\n"
        '[voice]\nwake_word = "none"\n'
        f'[models]\nstt = "{tier}"\n'
        f'[library]\nmusic_folders = ["{folder}"]\n'
    )
    station = QFZZStation(
        StationConfig.from_settings(
            load_config(config), listen="microphone", speak=speak, play=True,
            data_dir=tmp / f"data-{tier}-{speak}",
        )
    )  # fmt: skip
    station.start()
    return station


# -- judging a turn ------------------------------------------------------------------------------


def _values(value: Any) -> set[str]:
    if isinstance(value, (tuple, list, set, frozenset)):
        return {str(v).lower() for v in value}
    return {str(value).lower()}


def slots_match(expected: dict[str, SlotValue], got: dict[str, Any]) -> bool:
    return all(name in got and _values(value) == _values(got[name])
               for name, value in expected.items())  # fmt: skip


def judge(line: CorpusLine, intents: tuple[str, ...] | None, slots: dict[str, Any],
          acted: bool, asked: bool) -> str:  # fmt: skip
    """understood, asked, ignored, wrong_action or wrong_answer (see the module doc);
    ``intents``: every intent of the reply in order (None: no reply), ``slots``: all of
    theirs."""
    chatter = line.intent == "unknown"
    if not intents:
        return "ignored"
    intent = intents[0]
    if chatter:
        if acted or (any(i not in HARMLESS for i in intents) and not asked):
            return "wrong_action"
        if asked:
            return "asked"
        return "understood" if intents == ("unknown",) else "wrong_answer"
    if asked and not acted:
        return "asked"  # a question, even about the right thing, is not the command done
    if intents == line.intents and slots_match(line.slots, slots):
        return "understood"
    if intent == "unknown" and not acted:
        return "ignored"
    if acted or intent not in HARMLESS:
        return "wrong_action"
    return "wrong_answer"


def reply_facts(
    turn: Turn, understanding: Understanding
) -> tuple[tuple[str, ...] | None, dict[str, Any], bool, bool]:
    """(intents, slots, acted, asked) of a turn's reply. The reply holds the first request's
    slots only: with several, all of them are those of the DJ's parse of the same words."""
    reply = turn.reply
    if reply is None:
        return None, {}, False, False
    intents = reply.intents or (reply.intent,)
    slots: dict[str, Any] = dict(reply.slots)
    if len(intents) > 1:
        for part in understanding.parse(turn.text).each():
            slots.update(part.slots)
    return intents, slots, bool(reply.actions), reply.question


def typed_facts(understanding: Understanding, text: str) -> tuple[tuple[str, ...], dict[str, Any]]:
    """(intents, slots) of the words typed: every request in them, in order."""
    intents: list[str] = []
    slots: dict[str, Any] = {}
    for part in understanding.parse(text).each():
        intents.append(part.name)
        slots.update(part.slots)
    return tuple(intents), slots


@dataclass
class Said:
    tier: str
    voice: Voice
    line: CorpusLine
    heard: str
    confidence: float
    outcome: str
    typed: str
    reply_intents: tuple[str, ...] | None
    reply_slots: dict[str, Any]
    acted: bool = False
    asked: bool = False
    ended_early: bool = False


# -- part 1: accuracy ----------------------------------------------------------------------------


def say_lines(station: QFZZStation, pulse: PulseServer, tier: str, voice: Voice) -> list[Said]:
    assert station.listener is not None
    dj = station.get_dj()
    results: list[Said] = []
    with station_rig(station, pulse, speaking=False) as rig:
        mic, heard, turns = rig.mic, rig.heard, rig.turns
        for line in lines():
            _drain(turns)  # a late turn of an earlier line is never this line's
            finals = len(heard.finals)
            station.listener.trigger("push_to_talk")
            mic.say(silence(0.3) + render(line.text, voice) + silence(0.2))
            turn = _wait_turn(turns, heard, finals)
            final = heard.finals[finals] if len(heard.finals) > finals else None
            text = final.text if final else ""
            confidence = final.confidence if final else 0.0
            early = bool(final and final.timings.get("ended_early"))
            understanding = dj.understanding
            facts = reply_facts(turn, understanding) if turn else (None, {}, False, False)
            intents, slots, acted, asked = facts
            typed = judge(line, *typed_facts(understanding, line.text), False, False)
            outcome = judge(line, intents, slots, acted, asked)
            results.append(Said(tier, voice, line, text, confidence, outcome, typed, intents,
                                slots, acted, asked, early))  # fmt: skip
            if voice in TUNE:  # held-out lines are never shown one by one (totals only)
                mark = "" if outcome == "understood" else f"  <- {outcome.upper()}"
                print(f"  {tier} {voice.name}: {line.text!r} -> {text!r} ({intents}){mark}")
            time.sleep(0.3)
    return results


def _drain(turns: queue.Queue[Turn]) -> None:
    while True:
        try:
            turns.get_nowait()
        except queue.Empty:
            return


def _wait_turn(turns: queue.Queue[Turn], heard: Heard, finals: int) -> Turn | None:
    """The turn of this line (its text is this line's final transcript); None once an empty
    transcript says nothing was heard."""
    deadline = time.monotonic() + TURN_WAIT_S
    while time.monotonic() < deadline:
        new = heard.finals[finals:]
        if new and not new[0].text.strip():
            return None
        try:
            turn = turns.get(timeout=0.1)
        except queue.Empty:
            continue
        new = heard.finals[finals:]  # the final comes before its turn
        if new and turn.text == new[0].text:
            return turn
    return None


OUTCOMES = ("understood", "asked", "ignored", "wrong_action", "wrong_answer")


def summarise(rows: list[Said]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    groups: dict[tuple[str, str], list[Said]] = {}
    for row in rows:
        groups.setdefault((row.tier, row.voice.name), []).append(row)
    for (tier, voice), group in groups.items():
        commands = [r for r in group if r.line.intent != "unknown"]
        chatter = [r for r in group if r.line.intent == "unknown"]
        cell = {o: sum(r.outcome == o for r in commands) for o in OUTCOMES}
        cell["commands"] = len(commands)
        cell["understood_pct"] = 100 * cell["understood"] / max(1, len(commands))
        cell["typed_understood_pct"] = (
            100 * sum(r.typed == "understood" for r in commands) / max(1, len(commands))
        )
        cell.update(_chatter(chatter))
        out[f"{tier}/{voice}"] = cell
    for tier in {r.tier for r in rows}:
        # espeak-ng speakers and Piper's joe in other rooms apart: joe is one speaker
        for name, engines in (("ALL", ("espeak", "piper")), ("ALL-espeak", ("espeak",)),
                              ("ALL-joe", ("piper",))):  # fmt: skip
            mine = [r for r in rows if r.tier == tier and r.voice.engine in engines]
            commands = [r for r in mine if r.line.intent != "unknown"]
            chatter = [r for r in mine if r.line.intent == "unknown"]
            if not mine:
                continue
            total = {o: sum(r.outcome == o for r in commands) for o in OUTCOMES}
            total["commands"] = len(commands)
            total["understood_pct"] = 100 * total["understood"] / max(1, len(commands))
            total["ended_early"] = sum(r.ended_early for r in mine)
            total.update(_chatter(chatter))
            out[f"{tier}/{name}"] = total
    return out


def _chatter(chatter: list[Said]) -> dict[str, int]:
    """Chatter rejected (answered as nothing to act on), answered wrongly, or acted on."""
    return {
        "chatter": len(chatter),
        "chatter_rejected": sum(r.outcome == "understood" for r in chatter),
        "chatter_wrong_answer": sum(r.outcome == "wrong_answer" for r in chatter),
        "chatter_acted_on": sum(r.outcome == "wrong_action" for r in chatter),
    }


def write_report(rows: list[Said], summary: dict[str, Any], unavailable: dict[str, str]) -> None:
    RESULTS.mkdir(exist_ok=True)
    with (RESULTS / "speech_turns.jsonl").open("w") as out:
        for r in rows:
            out.write(json.dumps({
                "tier": r.tier, "voice": r.voice.name, "condition": r.voice.condition,
                "text": r.line.text, "expected": list(r.line.intents),
                "slots": {k: v if not isinstance(v, tuple) else list(v)
                          for k, v in r.line.slots.items()},
                "heard": r.heard, "confidence": r.confidence,
                "reply_intents": list(r.reply_intents or ()), "ended_early": r.ended_early,
                "reply_slots": r.reply_slots, "acted": r.acted, "asked": r.asked,
                "outcome": r.outcome, "typed": r.typed,
            }) + "\n")  # fmt: skip
    voice_of = {v.name: v for v in HELD_OUT}
    md = ["# Speech benchmark (held-out voices)", "",
          "| tier | voice | condition | understood | asked | ignored | WRONG ACTION | "
          "wrong answer | typed | chatter rejected | chatter answered wrongly | "
          "chatter acted on |",
          "|---|---|---|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for key, cell in summary.items():
        tier, voice = key.split("/")
        condition = voice_of[voice].condition if voice in voice_of else ""
        typed = f"{cell['typed_understood_pct']:.0f} %" if "typed_understood_pct" in cell else ""
        md.append(
            f"| {tier} | {voice} | {condition} | {cell['understood']}/{cell['commands']} "
            f"({cell['understood_pct']:.0f} %) | {cell['asked']} | {cell['ignored']} | "
            f"{cell['wrong_action']} | {cell['wrong_answer']} | {typed} | "
            f"{cell['chatter_rejected']}/{cell['chatter']} | "
            f"{cell['chatter_wrong_answer']}/{cell['chatter']} | "
            f"{cell['chatter_acted_on']}/{cell['chatter']} |"
        )
    for tier, why in unavailable.items():
        md.append(f"\n{tier}: not run ({why})")
    (RESULTS / "speech.md").write_text("\n".join(md) + "\n")


def test_speech_held_out_voices(pulse: PulseServer, tmp_path: Path) -> None:
    rows: list[Said] = []
    unavailable: dict[str, str] = {}
    for tier in tiers():
        try:
            station = make_station(tmp_path / tier, tier, speak=False)
        except Exception as error:  # a tier this machine cannot run is reported, not fatal
            unavailable[tier] = f"{type(error).__name__}: {error}"
            continue
        try:
            if station.listener is None:
                unavailable[tier] = "the station has no listener"
                continue
            chosen = station.models.get("stt", "")
            if chosen != tier:
                unavailable[tier] = f"the station chose {chosen!r} instead"
                continue
            for voice in voices():
                rows.extend(say_lines(station, pulse, tier, voice))
                report(rows, unavailable)  # a long run keeps what it has measured so far
        finally:
            station.stop()
    report(rows, unavailable)
    assert rows, f"no tier could run: {unavailable}"


def report(rows: list[Said], unavailable: dict[str, str]) -> None:
    summary = summarise(rows)
    write_report(rows, summary, unavailable)
    figures: dict[str, Any] = {}
    for key, cell in summary.items():
        figures[f"{key}"] = " ".join(
            f"{name}={value:.0f}" if isinstance(value, float) else f"{name}={value}"
            for name, value in cell.items()
        )
    for tier, why in unavailable.items():
        figures[f"{tier}/unavailable"] = why
    record("speech", figures)


# -- part 2: heard reply latency -----------------------------------------------------------------


@pytest.fixture
def speaking(pulse: PulseServer, tmp_path: Path) -> Iterator[tuple[QFZZStation, str]]:
    tier = tiers()[0]
    station = make_station(tmp_path, tier, speak=True)
    try:
        yield station, tier
    finally:
        station.stop()


def test_heard_reply_latency_short_commands(
    pulse: PulseServer, speaking: tuple[QFZZStation, str]
) -> None:
    station, tier = speaking
    assert station.listener is not None
    rows: list[dict[str, Any]] = []
    with station_rig(station, pulse, speaking=True) as rig:
        mic, heard, turns = rig.mic, rig.heard, rig.turns
        voice, recorder = rig.voice, rig.recorder
        assert voice is not None and recorder is not None
        for speaker in voices()[:4]:
            for command in SHORT:
                _drain(turns)
                finals = len(heard.finals)
                recorded = recorder.mark() // 2
                station.listener.trigger("push_to_talk")
                utterance = mic.say(silence(0.3) + render(command, speaker))
                turn = _wait_turn(turns, heard, finals)
                if turn is None:
                    continue
                assert utterance.done.wait(10) and utterance.ended_at is not None
                if turn.reply is None or turn.first_audio_at is None:
                    continue
                mark = voice.mark_for(turn.reply.text, after=turn.thought_at or 0.0)
                clip = mark["first_pcm"][: int(CLIP_S * SINK_RATE) * 2]
                sink_ms, score = sink_delay(recorder, turn, clip, recorded)
                total = (turn.first_audio_at - utterance.ended_at) * 1000 + sink_ms
                thought = turn.thought_at or turn.first_audio_at
                rows.append({
                    "voice": speaker.name, "command": command, "heard_ms": total,
                    "ended_early": turn.timings.get("ended_early", 0.0), "correlation": score,
                    "end_of_speech_ms": 1000 * turn.timings.get("end_of_speech_s", float("nan")),
                    # where the time went: the final after the decision, the DJ, the first
                    # sentence made and sent, the sound server
                    "final_wait_ms": 1000 * turn.timings.get("recognition_final_s", float("nan")),
                    "decode_ms": 1000 * turn.timings.get("decode_s", float("nan")),
                    "dj_ms": 1000 * (thought - (turn.heard_at or thought)),
                    "voice_ms": 1000 * (turn.first_audio_at - thought), "sink_ms": sink_ms,
                })  # fmt: skip
                print(f"  {speaker.name} {command!r}: {total:.0f} ms heard"
                      f" (early {rows[-1]['ended_early']:.0f}, corr {score:.2f})")  # fmt: skip
                time.sleep(0.5)
    assert len(rows) >= 5, f"only {len(rows)} replies measured"
    # a reply not found in the recording (correlation 0.5 or less) has no heard time
    good = [row for row in rows if row["correlation"] > 0.5]
    heard_ms = [row["heard_ms"] for row in good]
    record("speech_latency", {
        "tier": tier,
        "turns": len(rows),
        "replies_found_in_recording": len(good),
        "voices": " ".join(v.name for v in voices()[:4]),
        "heard_reply_ms_median": median(heard_ms) if heard_ms else float("nan"),
        "heard_reply_ms_p90": percentile(heard_ms, 0.9) if heard_ms else float("nan"),
        "end_of_speech_ms_median": median([row["end_of_speech_ms"] for row in rows]),
        **{f"{part}_median": median([row[part] for row in rows])
           for part in ("final_wait_ms", "decode_ms", "dj_ms", "voice_ms", "sink_ms")},
        "ended_early_share": sum(row["ended_early"] for row in rows) / len(rows),
    })  # fmt: skip
