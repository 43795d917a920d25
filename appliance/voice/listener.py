"""The listening loop: wake word (or push-to-talk), the command, end of speech, the transcript.

One thread runs :meth:`Listener.run` over an audio source (the microphone or a file) and emits
the pipeline's events through ``on_event``:

    WakeDetected -> SpeechStarted -> PartialTranscript* -> SpeechEnded -> Transcript

While idle every 10 ms frame goes to the wake detectors and into a ring buffer. When one fires,
the last ``pre_roll_ms`` of audio go to the recogniser first, so "hey jarvis play some jazz" said
in one breath keeps its "play" (wake detection comes a little after the wake word ends, when the
next word may have begun); the recogniser's grammar absorbs what is left of the wake word and
the text leaves it out. The second before that, the wake word itself, is heard first and not
recognised: the recogniser starts the command adapted to this voice and this microphone. The
command is recognised while it is spoken; the endpointer, counting audio time from the wake
word on, decides when the person stopped. When the caller gives ``is_complete`` (the DJ's
understanding: "is this partial text already a whole command?"), a partial it accepts ends the
utterance after a short silence instead of the full trailing one. A recogniser that gives no
partials (Whisper: ``partials = False``) is asked for its final at a somewhat longer short
silence instead (``final_silence_ms``: Whisper rewrites a fragment, "to" becomes "too"),
begun on another thread early in the pause (``speculate_ms``) when the recogniser can decode a
copy of the audio, so that little of its decoding is left to wait for (a whole command heard
surely ends the utterance as soon as that final is ready: ``sure_confidence``): if that is a
whole command it is the transcript; if not, the utterance goes on, the recogniser
restarted on the audio kept so far, and the trial final is kept: when the full silence ends
the utterance with nothing said since, it is the transcript (no second decode of the same
audio).

Other threads talk to the loop only through :meth:`trigger`, :meth:`set_speaking` and
:meth:`set_phrases`, which the loop picks up between frames, so the engines are only ever used by
the loop's own thread.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import enum
import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor

from appliance.audio_format import FRAME_MS
from appliance.events import (
    PartialTranscript,
    SpeechEnded,
    SpeechStarted,
    Transcript,
    WakeDetected,
)
from appliance.grammar import Grammar
from appliance.voice.capture import AudioSource
from appliance.voice.stt import SpeechRecognizer, Vocabulary
from appliance.voice.vad import Endpointer, EndReason, SileroVad, VoiceActivity
from appliance.voice.wake import WakeDetector

log = logging.getLogger("appliance.voice.listener")

WATCH_WAKE_MS = 2500
"""A command begun by a file or a button may open with the wake word all the same (a recording
of someone talking to the appliance): the detectors keep listening this long into it."""

VAD_PRIMING_FRAMES = 30  # 300 ms: what the VAD hears before the command, for its context


class State(enum.Enum):
    IDLE = "idle"
    """Waiting for the wake word or push-to-talk."""
    LISTENING = "listening"
    """Recording and recognising a command."""


class Listener:
    """Turns an audio source into wake, speech and transcript events (see the module doc)."""

    def __init__(
        self,
        microphone: AudioSource,
        wake: Sequence[WakeDetector],
        recognizer: SpeechRecognizer,
        on_event: Callable[[object], None],
        vad: VoiceActivity | None = None,
        endpointer: Endpointer | None = None,
        pre_roll_ms: int = 250,
        restart_gap_ms: int = 120,
        commit_ms: int = 300,
        wake_ms: int = 1000,
        is_complete: Callable[[str], bool] | None = None,
        final_silence_ms: int = 320,
        speculate_ms: int = 150,
        sure_confidence: float = 0.8,
    ) -> None:
        """``pre_roll_ms``: the wake word fires 0.1-0.2 s after it ends, later when the
        command follows in the same breath, so 250 ms of earlier audio keeps the command whole
        with little of the wake word in it (with 150 ms half of the commands said in one
        breath lost their first word; from 300 ms on, a piece of the wake word comes in that
        a commands grammar cannot absorb).

        ``restart_gap_ms``: a pause this long right after the wake word means the command
        comes next; 120 ms is longer than the closures inside words, yet short enough to find
        the pause after a wake word that fired late.

        ``wake_ms``: the audio before the pre-roll the recogniser adapts to when a wake word
        fires (the wake word itself, said by this person into this microphone).

        ``is_complete``: says whether a partial transcript is already a whole command, so the
        endpointer may end early (``Endpointer.early_silence_ms``); called on this thread, it
        must be quick.

        ``final_silence_ms``: the short silence for a recogniser without partials (at least the
        endpointer's ``early_silence_ms``): a pause inside "turn it down to ... twenty" often
        lasts 200-300 ms, and a final taken in it may be a whole command that is not meant.

        ``speculate_ms``: how far into a pause a recogniser that can decode a copy of the audio
        begins that final on another thread (longer than the closures inside words, "skip");
        the wait after the short silence shrinks by up to the difference.

        ``sure_confidence``: a final begun early that is a whole command heard at least this
        surely (the share right, as the DJ's bars: 0.8 is what a skip needs) ends the
        utterance as soon as it is ready, once the endpointer's ``early_silence_ms`` has
        passed, instead of at ``final_silence_ms``: it is what a pause's end would confirm."""
        self.source = microphone
        self.wake = list(wake)
        self.recognizer = recognizer
        self.on_event = on_event
        self.vad = vad if vad is not None else SileroVad()
        self.endpointer = endpointer if endpointer is not None else Endpointer()
        self.pre_roll_frames = max(0, pre_roll_ms // FRAME_MS)
        self.restart_gap_ms = restart_gap_ms
        self.commit_ms = commit_ms
        self.is_complete = is_complete
        self.final_silence_ms = final_silence_ms
        self.speculate_ms = speculate_ms
        self.sure_confidence = sure_confidence
        self._speculator: ThreadPoolExecutor | None = None
        self._final_only = not getattr(recognizer, "partials", True)
        self.state = State.IDLE
        # the wake word and the pre-roll: the recogniser adapts to the one, recognises the other
        self._ring: collections.deque[bytes] = collections.deque(
            maxlen=self.pre_roll_frames + max(1, wake_ms // FRAME_MS)
        )
        self._lock = threading.Lock()
        self._trigger: str | None = None
        self._speaking: bool | None = None
        self._phrases: tuple[Sequence[str], Sequence[str], Grammar | None] | None = None
        self._running = False
        self._speaking_now = False
        self._utterance: _Utterance | None = None
        vocabulary = recognizer.vocabulary
        if vocabulary.wake_phrases != Vocabulary.build((), (), self.wake_phrases).wake_phrases:
            recognizer.set_vocabulary(  # the wake word's leftovers must be part of the grammar
                vocabulary.phrases, vocabulary.words, self.wake_phrases, vocabulary.grammar
            )

    @property
    def wake_phrases(self) -> list[str]:
        return [d.phrase for d in self.wake if d.phrase]

    # -- called from other threads -----------------------------------------------------------

    def trigger(self, source: str = "push_to_talk") -> None:
        """Listen now, as if the wake word was heard (a key or a button was pressed)."""
        with self._lock:
            self._trigger = source

    def set_speaking(self, speaking: bool) -> None:
        """The DJ is (or stopped) talking: the wake detectors turn strict (or relax)."""
        with self._lock:
            self._speaking = speaking

    def set_phrases(
        self, phrases: Sequence[str], words: Sequence[str], grammar: Grammar | None = None
    ) -> None:
        """The library or the commands changed: rebuild the grammar before the next command."""
        with self._lock:
            self._phrases = (tuple(phrases), tuple(words), grammar)
            running = self._running
        if not running:
            self._apply_requests()

    # -- the loop ----------------------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        """Listen until ``stop`` is set or the source runs out; meant for its own thread."""
        with self._lock:
            self._running = True
        self.source.start()
        try:
            while not stop.is_set():
                try:
                    self._apply_requests()
                except Exception:
                    log.exception("could not update the recogniser's vocabulary")
                frame = self.source.read(timeout=0.1)
                if frame is None:
                    if self.source.exhausted:
                        break
                    continue
                try:
                    self.process(frame)
                except Exception:
                    # a failing engine loses this command, never the listener
                    log.exception("the listener failed on a frame; back to waiting")
                    self._abandon()
            if self.state is State.LISTENING:
                self._end(EndReason.SILENCE if self._heard_speech() else EndReason.NO_SPEECH)
        finally:
            with self._lock:
                self._running = False
            if self._speculator is not None:
                self._speculator.shutdown(wait=False)
                self._speculator = None
            self.source.stop()

    def process(self, frame: bytes) -> None:
        """Handle one 10 ms frame (the loop calls this; a test may call it directly)."""
        if self.state is State.IDLE:
            with self._lock:
                triggered, self._trigger = self._trigger, None
            if triggered:
                self._begin(triggered, after_wake_word=False)
                self._listen(frame)
                return
            self._ring.append(frame)
            for detector in self.wake:
                if detector.process(frame):
                    self._begin(detector.name, after_wake_word=True)
                    return
        else:
            self._listen(frame)

    def _apply_requests(self) -> None:
        with self._lock:
            speaking, self._speaking = self._speaking, None
            phrases = self._phrases if self.state is State.IDLE else None
            if phrases is not None:
                self._phrases = None
        if speaking is not None and speaking != self._speaking_now:
            self._speaking_now = speaking
            for detector in self.wake:
                detector.set_strict(speaking)
        if phrases is not None:
            self.recognizer.set_vocabulary(phrases[0], phrases[1], self.wake_phrases, phrases[2])

    def _begin(self, source: str, after_wake_word: bool) -> None:
        """Start a command. Only after a wake word is there a tail of it to drop (see
        :meth:`_leading`); a button or a file starts clean, and a pause in its first word
        (the closure in "skip") must not restart it."""
        now = time.monotonic()
        self._emit(WakeDetected(source=source, at=now))
        # listening from here on: if an engine fails below, _abandon() says so with an empty
        # transcript, and whoever ducked the music for this command lets it go
        watch = 0 if after_wake_word or not self.wake else WATCH_WAKE_MS
        self._utterance = _Utterance(wake_at=now, leading=after_wake_word, watch_wake_ms=watch)
        self.state = State.LISTENING
        for detector in self.wake:
            detector.reset()
        self.vad.reset()
        self.endpointer.reset()
        heard = list(self._ring)
        self._ring.clear()
        cut = max(0, len(heard) - self.pre_roll_frames)
        pre_roll = heard[cut:] if self.pre_roll_frames else []
        if after_wake_word:
            if cut:
                self.recognizer.adapt(b"".join(heard[:cut]))  # the wake word, in this voice
            for frame in heard[max(0, len(heard) - VAD_PRIMING_FRAMES) :]:
                # a fresh VAD takes 100-250 ms to call speech speech: primed with what was
                # just said, it hears a command that began in the same breath as going on
                self.vad.is_speech(frame)
        self.recognizer.start()
        if pre_roll:
            self._feed(b"".join(pre_roll))

    def _listen(self, frame: bytes) -> None:
        utterance = self._utterance
        assert utterance is not None
        if utterance.watch_wake_ms > 0 and self._wake_in_command(utterance, frame):
            return
        self._feed(frame)
        speech = self.vad.is_speech(frame)
        if utterance.leading and self._leading(utterance, speech):
            return
        had_started = self.endpointer.speech_started
        reason = self.endpointer.update(speech, complete=utterance.complete)
        now = time.monotonic()
        if self.endpointer.speech_started and not had_started:
            self._emit(SpeechStarted(at=now))
        if speech and self.endpointer.speech_started:
            utterance.last_voice_at = now
            utterance.tried_final = False
        if reason is not None:
            kept = utterance.trial if utterance.tried_final else None
            if reason is EndReason.SILENCE and kept is not None:
                self._end(reason, dataclasses.replace(kept, at=time.monotonic()))
            else:
                self._end(reason)
        elif self._final_only and (self._short_silence(utterance) or self._sure(utterance)):
            self._try_final(utterance, now)
        elif self._final_only:
            self._speculate(utterance, speech)

    def _feed(self, pcm: bytes) -> None:
        """Audio to the recogniser (and kept, when it may have to hear it again)."""
        utterance = self._utterance
        if self._final_only and utterance is not None:
            utterance.audio += pcm
        self._partial(self.recognizer.accept(pcm))

    def _short_silence(self, utterance: _Utterance) -> bool:
        endpointer = self.endpointer
        return (
            self.is_complete is not None
            and bool(endpointer.early_silence_ms)
            and not utterance.tried_final
            and endpointer.speech_started
            and endpointer.silence_ms >= max(endpointer.early_silence_ms, self.final_silence_ms)
        )

    def _sure(self, utterance: _Utterance) -> bool:
        """The final begun early is ready, a whole command, heard surely: no need to wait for
        the rest of the short silence (see ``sure_confidence``)."""
        speculation = utterance.speculation
        endpointer = self.endpointer
        if (
            speculation is None
            or not speculation.done()
            or utterance.tried_final
            or endpointer.silence_ms < endpointer.early_silence_ms
        ):
            return False
        try:
            transcript = speculation.result()
        except Exception:
            return False  # _try_final meets the failure and the listener's loop handles it
        return (
            transcript.confidence >= self.sure_confidence
            and bool(transcript.text)
            and self._complete(transcript.text)
        )

    def _speculate(self, utterance: _Utterance, speech: bool) -> None:
        """A recogniser that can decode a copy (Whisper's ``decode``) starts its final on
        another thread ``speculate_ms`` into a pause, so that the final is (nearly) ready when
        the short silence has passed; speech after it makes that final stale."""
        if speech:
            utterance.speculation = None
            return
        endpointer = self.endpointer
        decode = getattr(self.recognizer, "decode", None)
        if (
            decode is None
            or utterance.speculation is not None
            or utterance.tried_final
            or self.is_complete is None
            or not endpointer.early_silence_ms
            or not endpointer.speech_started
            or endpointer.silence_ms < self.speculate_ms
        ):
            return
        if self._speculator is None:
            self._speculator = ThreadPoolExecutor(1, thread_name_prefix="final")
        utterance.speculation = self._speculator.submit(decode, bytes(utterance.audio))

    def _try_final(self, utterance: _Utterance, silence_at: float) -> None:
        """The early end for a recogniser without partials: its final now (begun at the
        start of the pause, when it could be), kept if whole."""
        utterance.tried_final = True
        speculation, utterance.speculation = utterance.speculation, None
        if speculation is not None:  # the recogniser still holds the audio: nothing to redo
            transcript = speculation.result()
            transcript = dataclasses.replace(transcript, at=max(transcript.at, time.monotonic()))
            if transcript.text and self._complete(transcript.text):
                self._end(EndReason.COMPLETE, transcript, silence_at)
            else:
                utterance.trial = transcript
            return
        transcript = self.recognizer.finish()
        if transcript.text and self._complete(transcript.text):
            self._end(EndReason.COMPLETE, transcript, silence_at)
            return
        utterance.trial = transcript  # the transcript if nothing more is said
        self.recognizer.start()  # not whole: go on as if nothing happened
        self.recognizer.accept(bytes(utterance.audio))

    def _wake_in_command(self, utterance: _Utterance, frame: bytes) -> bool:
        """A command begun by a file or a button that opens with the wake word ("okay nabu,
        play some bossa nova"): start it again after the wake word, as the microphone does,
        so the recogniser hears the command and not the wake word. True when it fired."""
        utterance.watch_wake_ms -= FRAME_MS
        self._ring.append(frame)
        for detector in self.wake:
            if detector.process(frame):
                self._begin(detector.name, after_wake_word=True)
                return True
        return False

    def _leading(self, utterance: _Utterance, speech: bool) -> bool:
        """Right after the wake word: drop its tail if the person pauses before the command.

        Speech that goes on for ``commit_ms`` is the command said in one breath: keep it all.
        A pause of ``restart_gap_ms`` first means what came before was the end of the wake
        word: the recogniser and the endpointer start over from the pause. True on restart.
        """
        if speech:
            utterance.lead_speech_ms += FRAME_MS
            utterance.lead_gap_ms = 0
            if utterance.lead_speech_ms >= self.commit_ms:
                utterance.leading = False
            return False
        utterance.lead_gap_ms += FRAME_MS
        if utterance.lead_gap_ms < self.restart_gap_ms:
            return False
        utterance.leading = False
        utterance.complete = False
        utterance.audio.clear()
        self.recognizer.start()
        self.endpointer.reset()
        return True

    def _partial(self, text: str | None) -> None:
        if not text or self._utterance is None:
            return
        now = time.monotonic()
        if self._utterance.first_partial_at is None:
            self._utterance.first_partial_at = now
        self._emit(PartialTranscript(text=text, at=now))
        self._utterance.complete = self._complete(text)

    def _complete(self, text: str) -> bool:
        if self.is_complete is None:
            return False
        try:
            return bool(self.is_complete(text))
        except Exception:
            # a failing check costs the early end, never the command
            log.exception("could not tell whether %r is a whole command", text)
            return False

    def _heard_speech(self) -> bool:
        return self.endpointer.speech_started

    def _end(
        self, reason: EndReason, transcript: Transcript | None = None, ended_at: float | None = None
    ) -> None:
        """Close the utterance: SpeechEnded, then the transcript (``transcript`` when the
        early end already has it, from ``ended_at``, when the decision began)."""
        utterance = self._utterance
        assert utterance is not None
        ended_at = time.monotonic() if ended_at is None else ended_at
        endpointer = self.endpointer
        self._emit(
            SpeechEnded(
                at=ended_at,
                last_voice_at=utterance.last_voice_at or utterance.wake_at,
                timed_out=reason not in (EndReason.SILENCE, EndReason.COMPLETE),
            )
        )
        if transcript is None:
            transcript = self.recognizer.finish()
        timings = dict(transcript.timings)
        timings["utterance_s"] = endpointer.elapsed_ms / 1000
        if endpointer.last_voice_ms is not None:
            # audio time from the last voiced frame to the decision: the end-of-speech delay
            timings["end_of_speech_s"] = (endpointer.elapsed_ms - endpointer.last_voice_ms) / 1000
        timings["recognition_final_s"] = transcript.at - ended_at
        timings["ended_early"] = float(reason is EndReason.COMPLETE)
        timings["wake_to_final_s"] = transcript.at - utterance.wake_at
        if utterance.first_partial_at is not None:
            timings["first_partial_s"] = utterance.first_partial_at - utterance.wake_at
        log.info(
            "heard %r (%s, %.2f s of audio, final after %.0f ms)",
            transcript.text,
            reason.value,
            timings["utterance_s"],
            timings["recognition_final_s"] * 1000,
        )
        self._emit(dataclasses.replace(transcript, timings=timings))
        self._back_to_idle()

    def _abandon(self) -> None:
        """Give up on the utterance after a failure: the recogniser is reset and an empty
        transcript says so, so whoever waits for this request (the music is ducked while the
        appliance listens) is not left waiting."""
        listening = self.state is State.LISTENING
        with contextlib.suppress(Exception):
            self.recognizer.finish()
        self._back_to_idle()
        if listening:
            self._emit(Transcript(text="", at=time.monotonic()))

    def _back_to_idle(self) -> None:
        self.state = State.IDLE
        self._utterance = None
        self._ring.clear()
        for detector in self.wake:
            detector.reset()

    def _emit(self, event: object) -> None:
        try:
            self.on_event(event)
        except Exception:
            # a subscriber that raises never takes the listener down
            log.exception("an event handler failed on %s", type(event).__name__)


@dataclasses.dataclass
class _Utterance:
    """The wall-clock marks of one command, for the transcript's stage timings."""

    wake_at: float
    last_voice_at: float | None = None
    first_partial_at: float | None = None
    leading: bool = True
    complete: bool = False
    """The latest partial is a whole command: a short silence may end it."""
    tried_final: bool = False
    """A recogniser without partials was asked for its final in this silence already."""
    trial: Transcript | None = None
    """That final: the transcript when the silence goes on to the end."""
    audio: bytearray = dataclasses.field(default_factory=bytearray)
    """What the recogniser heard, when it may have to hear it again (no partials)."""
    speculation: Future[Transcript] | None = None
    """The final begun early in this pause (see ``Listener._speculate``)."""
    lead_speech_ms: int = 0
    lead_gap_ms: int = 0
    watch_wake_ms: int = 0
    """How much longer the wake detectors listen in a command begun without the wake word."""
