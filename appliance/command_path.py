"""The one control path: every command of :mod:`appliance.control`, carried out in one place.

The voice, the console and every network face end here. A command that teaches the DJ goes
through the same DJ turn the spoken words make (``PersonalizedDJ.act``), and the music is moved
through the same few methods the dialogue uses for a spoken request (``play``, ``skip``, ``pause``,
...), which keep the station's state in step. Ordinary refusals are an ``Outcome`` with the reason
in words, never an exception. Every method is safe to call from any thread.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from appliance import control as c
from appliance.dj import reply as actions
from appliance.dj.lines import because
from appliance.dj.recommend import Pick
from appliance.errors import ApplianceError
from appliance.events import EndReason
from appliance.faces import urls
from appliance.library.track import Track
from appliance.listener_id import RULE as USER_ID_RULE
from appliance.listener_id import is_user_id
from appliance.moods import MOODS
from appliance.player.relay import RELAY
from appliance.state import PlayState

if TYPE_CHECKING:  # the station's own half, split out to keep station.py small: types only
    from appliance.station import QFZZStation

log = logging.getLogger("appliance.commands")

Handler = Callable[[c.Command], c.Outcome]
NOTHING_PLAYING = "nothing is playing"
NO_PLAYER = "the music player is off"
MAX_ENQUEUE = 500  # tracks one Enqueue may add (a whole genre of a large library is too many)
MAX_TEXT = 2000  # characters of an Announce or Ask
ANNOUNCE_TIMEOUT = 60.0  # the longest an announcement may play
NAMED = frozenset({"title", "album", "artist", "query"})
DJ_ANSWERS = frozenset({c.Play, c.Skip, c.Like, c.Dislike, c.SwitchListener, c.SetMood})
"""Commands whose Outcome.text is the DJ's answer: kept in its lines (see QFZZStation.said)."""
PART_COMMANDS: dict[type[c.Command], str] = {c.SetRoom: "there are no rooms to change"}
"""Commands a part carries out when it runs (``register``), and what is said when it does not."""
FACES = {
    "web": "on the web page",
    "mpd": "from a music app",
    "home_assistant": "from Home Assistant",
}
"""Where a command came from, in words, for ``NowPlaying.why`` (sources not here: the listener
spoke or typed)."""


def why_chosen(pick: Pick | None) -> str:
    """The DJ's reason for a pick in a few words; empty for a track asked for by name."""
    if pick is None:
        return ""
    reasons = dict(pick.reasons)
    if pick.matched and NAMED & reasons.keys():
        return ""
    learned = because(pick)
    if learned:
        return learned
    if "closest" in reasons:
        return "the closest to what you asked for"
    if "friend" in reasons:
        return f"{reasons['friend']} loved this one"
    if "mood" in reasons:
        return f"for your {reasons['mood']} mood"
    if "genre" in reasons:
        return f"more {reasons['genre']}, the way you like it"
    if "new" in reasons:
        return "something new for you"
    return ""


class CommandPath:
    """Carries out commands for one station; see the module docstring."""

    def __init__(self, station: QFZZStation) -> None:
        self.station = station
        self._handlers: dict[type[c.Command], Handler] = {
            c.Play: self._play,
            c.Enqueue: self._enqueue,
            c.PlayUrl: self._play_url,
            c.Skip: self._skip,
            c.Previous: self._previous,
            c.Like: self._like,
            c.Dislike: self._dislike,
            c.Pause: lambda _c: self._music(self.pause),
            c.Resume: lambda _c: self._music(self.resume),
            c.Stop: lambda _c: self._music(self.stop),
            c.SetVolume: self._set_volume,
            c.Mute: self._mute,
            c.Seek: self._seek,
            c.RemoveQueued: self._remove_queued,
            c.MoveQueued: self._move_queued,
            c.ClearQueue: self._clear_queue,
            c.SwitchListener: self._switch_listener,
            c.SetMood: self._set_mood,
            c.Announce: self._announce,
            c.Ask: self._ask,
            c.SetCommentary: self._set_commentary,
            c.MuteMicrophone: self._mute_microphone,
            c.Rescan: lambda _c: self.station.rescan(),
        }
        self._extra: dict[type[c.Command], Handler] = {}
        # track id -> (chosen by, why) until it starts; -> who moved on from it until it ends
        self._origins: dict[str, tuple[str, str]] = {}
        self._ended_by: dict[str, str] = {}
        self._lock = threading.Lock()

    # -- the entry point -------------------------------------------------------------------

    def handles(self, kind: type[c.Command]) -> bool:
        return kind in self._handlers or kind in self._extra

    def register(self, kind: type[c.Command], handler: Handler) -> None:
        """Let a part (the rooms) carry out a command type the station does not know."""
        if kind in self._handlers:
            raise ValueError(f"the station handles {kind.__name__} itself")
        self._extra[kind] = handler

    def execute(self, command: c.Command) -> c.Outcome:
        """Carry out ``command``; refusals and failures come back as ``Outcome(ok=False)``."""
        handler = self._handlers.get(type(command)) or self._extra.get(type(command))
        if handler is None:
            missing = PART_COMMANDS.get(type(command))
            return c.Outcome(
                False, error=missing or f"the station cannot do {type(command).__name__}"
            )
        if not self.station.running or self.station.dj is None:
            return c.Outcome(False, error="the station is not running")
        try:
            outcome = handler(command)
            if type(command) in DJ_ANSWERS and outcome.text:
                user = command.user_id if isinstance(command, c.SwitchListener) else command.by
                self.station.said(outcome.text, user or self.station.user_id)
            return outcome
        except ApplianceError as error:
            log.warning("%s failed: %s", type(command).__name__, error)
            return c.Outcome(False, error=error.message)
        except TimeoutError:
            log.warning("%s: the player did not answer in time", type(command).__name__)
            return c.Outcome(False, error="the music player did not answer in time")
        except Exception:  # a fault here must not take the face that asked down with it
            log.exception("%s failed", type(command).__name__)
            return c.Outcome(False, error="that failed; the log says why")

    # -- the music: what the dialogue and the commands both move it with -------------------

    @property
    def volume(self) -> int:
        return self.station.snapshot().volume

    def play(
        self,
        track: Track,
        end_reason: str = EndReason.SKIPPED,
        chosen_by: str | None = None,
        picked_for: str | None = None,
        why: str | None = None,
    ) -> None:
        """Play ``track`` now; the one playing ends with ``end_reason``. ``chosen_by``, ``why``:
        see ``NowPlaying`` and :meth:`note_origin`; ``picked_for``: the listener whose DJ pick it
        may be."""
        player = self._player()
        self.note_origin(track, chosen_by or self.station.user_id, picked_for, why)
        player.play(track, end_reason=end_reason)
        self.station.keeper.update(play_state=PlayState.PLAYING)

    def skip(self) -> None:
        self._player().skip()
        self.station.keeper.update(play_state=PlayState.PLAYING)

    def pause(self) -> bool:
        player = self._player()
        if self.station.snapshot().now_playing is None and player.now_playing is None:
            return False
        player.pause()
        position = player.position or 0.0
        self.station.keeper.change(
            lambda s: {
                "play_state": PlayState.PAUSED,
                "now_playing": s.now_playing and replace(s.now_playing, position=position),
            }
        )
        return True

    def resume(self) -> bool:
        player = self._player()
        player.resume()
        position = player.position or 0.0
        self.station.keeper.change(
            lambda s: {
                "play_state": PlayState.PLAYING,
                "now_playing": s.now_playing
                and replace(s.now_playing, position=position, started_at=time.time() - position),
            }
        )
        return True

    def stop(self, fade: float = 0.5) -> bool:
        self._player().stop(fade)
        self.station.keeper.update(play_state=PlayState.STOPPED)
        return True

    def set_volume(self, level: int) -> None:
        """The listener's volume, 0..100; setting it unmutes."""
        level = max(0, min(100, int(level)))
        self._player().set_volume(level)
        self.station.keeper.update(volume=level, muted=False)

    def apply(self, action: actions.Action, user_id: str) -> None:
        """Carry out one of the DJ's actions for ``user_id`` (the dialogue's and the commands'
        way to move the music)."""
        if isinstance(action, actions.PlayTrack):
            # a new request is not a verdict on what played before it
            self.play(action.track, end_reason=EndReason.REPLACED, chosen_by=user_id)
        elif isinstance(action, actions.Skip):
            leaving = self._current()
            if leaving is not None:  # whoever asked moved on from it: theirs to learn from
                with self._lock:
                    self._ended_by[leaving.track_id] = user_id
            if action.then is not None and not self._player().queue:
                self.play(action.then, action.reason, chosen_by="dj", picked_for=user_id)
            else:  # a queue someone built plays before the DJ's own pick, as for a Skip
                self.skip()
        elif isinstance(action, actions.Pause):
            self.pause()
        elif isinstance(action, actions.Resume):
            self.resume()
        elif isinstance(action, actions.Stop):
            self.stop()
        elif isinstance(action, actions.SetVolume):
            level = action.level if action.level is not None else self.volume + action.step
            self.set_volume(level)
        elif isinstance(action, actions.ChangeRoom):  # "play in the kitchen too"
            outcome = self.execute(
                c.SetRoom(room=action.room, on=action.on, volume=action.volume, muted=action.muted)
            )
            if not outcome.ok:
                log.warning("the room %s could not be changed: %s", action.room, outcome.error)

    # -- who chose a track, who moved on from it -------------------------------------------

    def note_origin(
        self, track: Track, chosen_by: str, picked_for: str | None = None, why: str | None = None
    ) -> None:
        """Remember who chose ``track`` and why until the player starts it. ``why`` None: the
        DJ's reason for its last pick (``picked_for`` is the listener it picked it for, else the
        current one), for a track the DJ chose; a track a face named gives its own ``why``, so
        the DJ's reason from an earlier pick of the same track never sticks to it."""
        dj = self.station.dj
        pick = None
        if why is None and dj is not None:
            user = picked_for or (self.station.user_id if chosen_by == "dj" else chosen_by)
            pick = dj.last_pick(user)
            if pick is not None and pick.track.track_id != track.track_id:
                pick = None
        if why is None:
            why = why_chosen(pick) if pick is not None else ""
        with self._lock:
            self._origins[track.track_id] = (chosen_by, why)
            while len(self._origins) > 64:  # tracks asked for but never started
                del self._origins[next(iter(self._origins))]

    def origin(self, track: Track) -> tuple[str, str] | None:
        """Who chose ``track`` and why, as noted (None when the radio picked it unnoted)."""
        with self._lock:
            return self._origins.pop(track.track_id, None)

    def ended_by(self, track: Track) -> str | None:
        """Who moved on from ``track`` (a skip or a dislike sent from a face), once."""
        with self._lock:
            return self._ended_by.pop(track.track_id, None)

    # -- handlers --------------------------------------------------------------------------

    def _player(self) -> Any:
        player = self.station.player
        if player is None:
            raise ApplianceError(NO_PLAYER)
        return player

    def _music(self, move: Callable[[], bool]) -> c.Outcome:
        return c.Outcome(True) if move() else c.Outcome(False, error=NOTHING_PLAYING)

    def _user(self, command: c.Command) -> str:
        """The listener a command is attributed to (checked: faces send any string)."""
        user = command.by or self.station.user_id
        if not is_user_id(user):
            raise ApplianceError(f"{user!r} is not a listener id", hint=USER_ID_RULE)
        return user

    def _chooser(self, command: c.Command) -> str:
        """``NowPlaying.chosen_by`` for a track a command asked for."""
        if command.by:
            return self._user(command)
        if command.source in ("voice", "console", "test"):
            return self.station.user_id
        return command.source

    def _asked_on(self, command: c.Command) -> str:
        """``NowPlaying.why`` for a track a command named: who asked, and through which face
        ("alex asked for it on the web page"); empty when the listener spoke or typed it."""
        where = FACES.get(command.source)
        if where is None:
            return ""
        if not command.by:
            return f"asked for {where}"
        profile = self.station.get_dj().user_profiles.get(self._user(command))
        return f"{profile.name if profile else command.by} asked for it {where}"

    def _current(self) -> Track | None:
        state = self.station.snapshot()
        if state.now_playing is not None:
            return state.now_playing.track
        player = self.station.player
        return None if player is None else player.now_playing

    def _reply(self, reply: Any, user: str) -> c.Outcome:
        self._player()
        for action in reply.actions:
            self.apply(action, user)
        return c.Outcome(True, text=reply.text)

    def _play(self, command: c.Command) -> c.Outcome:
        assert isinstance(command, c.Play)
        self._player()
        chooser, why = self._chooser(command), self._asked_on(command)
        if command.track_id is not None or command.album is not None:
            tracks = self._tracks(command)
            if not tracks:
                return c.Outcome(False, error=self._not_found(command))
            self.play(tracks[0], end_reason=EndReason.REPLACED, chosen_by=chooser, why=why)
            for position, track in enumerate(tracks[1:]):  # next, in order, before the rest
                self.note_origin(track, chooser, why=why)
                self._player().enqueue(track, position)
            self._queue_changed()
            return c.Outcome(True, text=f"Playing {tracks[0].describe()}.")
        slots = _slots(command)
        if not slots:
            return c.Outcome(False, error=self._not_found(command))
        dj = self.station.get_dj()
        user = self._user(command)
        reply = dj.act(user, "play", slots)
        if not any(isinstance(a, actions.PlayTrack) for a in reply.actions):
            return c.Outcome(False, text=reply.text, error=reply.text or "nothing matched")
        for action in reply.actions:
            if isinstance(action, actions.PlayTrack):
                pick = dj.last_pick(user)  # this turn's pick: its reason, else who asked
                reason = why_chosen(pick) if pick and pick.track == action.track else ""
                self.play(
                    action.track,
                    end_reason=EndReason.REPLACED,
                    chosen_by=chooser,
                    why=reason or why,
                )
            else:
                self.apply(action, self._user(command))
        return c.Outcome(True, text=reply.text)

    def _tracks(self, command: c.Choice) -> list[Track]:
        """The tracks a Play or Enqueue names: one by id, an album in order, an artist's tracks
        (album by album), a genre's, or the best match for the words."""
        library = self.station.library
        if library is None:
            return []
        if command.track_id is not None:
            track = library.get(command.track_id)
            return [track] if track is not None else []
        if command.album is not None:
            album = command.album.casefold()
            found = [
                t
                for t in library.tracks()
                if t.album.casefold() == album
                and (command.artist is None or command.artist.casefold() in _artists(t))
            ]
            return sorted(found, key=lambda t: (t.track_number or 0, t.title.casefold()))
        if command.artist is not None:
            artist = command.artist.casefold()
            found = [t for t in library.tracks() if artist in _artists(t)]
            return sorted(found, key=lambda t: (t.album.casefold(), t.track_number or 0))
        if command.genre is not None:
            return library.tracks_for_genre(command.genre)
        if command.query is not None:
            return library.search(command.query, limit=1)
        return []

    @staticmethod
    def _not_found(command: c.Choice) -> str:
        if command.track_id is not None:
            return f"no track {command.track_id!r} in the library"
        for kind in ("album", "artist", "genre", "query"):
            value = getattr(command, kind)
            if value is not None:
                return f"nothing in the library matches {kind} {value!r}"
        return "say what to play: a track, query, artist, album or genre"

    def _enqueue(self, command: c.Command) -> c.Outcome:
        assert isinstance(command, c.Enqueue)
        player = self._player()
        tracks = self._tracks(command)[:MAX_ENQUEUE]
        if not tracks:
            return c.Outcome(False, error=self._not_found(command))
        if command.position is not None and command.position < 0:
            return c.Outcome(False, error="a queue position counts from 0")
        chooser, why = self._chooser(command), self._asked_on(command)
        for offset, track in enumerate(tracks):
            self.note_origin(track, chooser, why=why)
            at = None if command.position is None else command.position + offset
            player.enqueue(track, at)
        self._queue_changed()
        count = len(tracks)
        text = f"Added {tracks[0].describe()}." if count == 1 else f"Added {count} tracks."
        return c.Outcome(True, text=text)

    def _play_url(self, command: c.Command) -> c.Outcome:
        assert isinstance(command, c.PlayUrl)
        bind = self.station.config.settings.faces.bind
        try:  # mpv fetches it through the relay, from the addresses checked here only
            checked = urls.check(command.url, bind)
            RELAY.pin(command.url, checked.addresses, lambda url: urls.check(url, bind).addresses)
        except urls.NotPlayable as refused:
            return c.Outcome(False, error=str(refused))
        parts = urlsplit(command.url)
        if command.announce:
            return self._announce_url(command.url)
        name = unquote(PurePosixPath(parts.path).name) or parts.netloc
        digest = hashlib.sha256(command.url.encode()).hexdigest()[:16]
        track = Track(track_id=f"url-{digest}", path=command.url, title=name, artist="")
        chooser, why = self._chooser(command), self._asked_on(command)
        self.play(track, end_reason=EndReason.REPLACED, chosen_by=chooser, why=why)
        return c.Outcome(True, text=f"Playing {name}.")

    def _announce_url(self, url: str) -> c.Outcome:
        """Play a sound (a doorbell, a spoken announcement) on a deck of its own over the ducked
        music, then let the music come back."""
        from appliance.player.player import resolve_output

        station = self.station
        options = announcement_options(
            resolve_output(station.config.audio_output),
            station.config.settings.audio.output_device,
            station.snapshot().volume,
        )
        ended = threading.Event()
        failed: list[str] = []

        def post(_deck: object, _generation: int, event: dict[str, Any]) -> None:
            if event.get("event") in ("end-file", "shutdown"):
                if event.get("reason") == "error":
                    failed.append(str(event.get("file_error") or "it could not be played"))
                ended.set()

        deck = station.config.parts.deck("announcement", options, post)
        station.ducking.hold("announcing")
        try:
            deck.start()
            title = unquote(PurePosixPath(urlsplit(url).path).name)
            deck.load(Track(track_id="announcement", path=url, title=title, artist=""))
            if not ended.wait(ANNOUNCE_TIMEOUT):
                return c.Outcome(False, error="the announcement did not end within a minute")
        finally:
            deck.terminate()
            station.ducking.release("announcing")
        if failed:
            return c.Outcome(False, error=f"could not play the announcement: {failed[0]}")
        return c.Outcome(True)

    def _skip(self, command: c.Command) -> c.Outcome:
        track = self._current()
        if track is None:
            return c.Outcome(False, error=NOTHING_PLAYING)
        user = self._user(command)
        self._player()
        with self._lock:
            self._ended_by[track.track_id] = user
        if self._player().queue:  # a queue someone built plays before the DJ's own pick
            self.skip()  # the player's "skipped" teaches the DJ, for ``user``
            return c.Outcome(True)
        reply = self.station.get_dj().act(user, "skip")
        return self._reply(reply, user)

    def _previous(self, command: c.Command) -> c.Outcome:
        self._player().previous()
        self.station.keeper.update(play_state=PlayState.PLAYING)
        return c.Outcome(True)

    def _verdict(self, command: c.Like | c.Dislike, intent: str, event: str) -> c.Outcome:
        user = self._user(command)
        current = self._current()
        dj = self.station.get_dj()
        if command.track_id is None or (current and current.track_id == command.track_id):
            if current is None:
                return c.Outcome(False, error=NOTHING_PLAYING)
            reply = dj.act(user, intent)
            return self._reply(reply, user) if reply.actions else c.Outcome(True, text=reply.text)
        library = self.station.library
        if library is None or library.get(command.track_id) is None:
            return c.Outcome(False, error=f"no track {command.track_id!r} in the library")
        dj.record_event(user, command.track_id, event)
        return c.Outcome(True)

    def _like(self, command: c.Command) -> c.Outcome:
        assert isinstance(command, c.Like)
        return self._verdict(command, "like", "liked")

    def _dislike(self, command: c.Command) -> c.Outcome:
        assert isinstance(command, c.Dislike)
        return self._verdict(command, "dislike", "disliked")

    def _set_volume(self, command: c.Command) -> c.Outcome:
        assert isinstance(command, c.SetVolume)
        level = command.level if command.level is not None else self.volume + command.step
        self.set_volume(level)
        return c.Outcome(True)

    def _mute(self, command: c.Command) -> c.Outcome:
        assert isinstance(command, c.Mute)
        player = self._player()
        state = self.station.snapshot()
        on = not state.muted if command.on is None else command.on
        player.set_volume(0 if on else state.volume)
        self.station.keeper.update(muted=on)
        return c.Outcome(True)

    def _seek(self, command: c.Command) -> c.Outcome:
        assert isinstance(command, c.Seek)
        player = self._player()
        if player.now_playing is None:
            return c.Outcome(False, error=NOTHING_PLAYING)
        target = command.seconds + (player.position or 0.0 if command.relative else 0.0)
        state = self.station.snapshot()
        duration = state.now_playing.duration if state.now_playing else 0.0
        if duration:
            target = min(target, duration)
        target = max(0.0, target)
        if not player.seek(target):
            return c.Outcome(False, error=NOTHING_PLAYING)
        playing = state.play_state == PlayState.PLAYING
        self.station.keeper.change(
            lambda s: {
                "now_playing": s.now_playing
                and replace(
                    s.now_playing,
                    position=target,
                    started_at=time.time() - target if playing else s.now_playing.started_at,
                )
            }
        )
        return c.Outcome(True)

    def _edit_queue(self, edit: Callable[[list[Track]], str]) -> c.Outcome:
        error = self._player().edit_queue(edit)
        self._queue_changed()
        return c.Outcome(False, error=error) if error else c.Outcome(True)

    def _remove_queued(self, command: c.Command) -> c.Outcome:
        assert isinstance(command, c.RemoveQueued)
        index = command.index

        def remove(queue: list[Track]) -> str:
            if not 0 <= index < len(queue):
                return _no_such(index, len(queue))
            del queue[index]
            return ""

        return self._edit_queue(remove)

    def _move_queued(self, command: c.Command) -> c.Outcome:
        assert isinstance(command, c.MoveQueued)
        index, to = command.index, command.to

        def move(queue: list[Track]) -> str:
            if not 0 <= index < len(queue):
                return _no_such(index, len(queue))
            if not 0 <= to < len(queue):
                return _no_such(to, len(queue))
            queue.insert(to, queue.pop(index))
            return ""

        return self._edit_queue(move)

    def _clear_queue(self, command: c.Command) -> c.Outcome:
        def clear(queue: list[Track]) -> str:
            queue.clear()
            return ""

        return self._edit_queue(clear)

    def _queue_changed(self) -> None:
        self.station.refresh_queue()

    def _switch_listener(self, command: c.Command) -> c.Outcome:
        assert isinstance(command, c.SwitchListener)
        if not is_user_id(command.user_id):
            return c.Outcome(False, error=f"{command.user_id!r}: {USER_ID_RULE}")
        name = (command.name or "").strip()[:64]
        dj = self.station.get_dj()
        if command.user_id not in dj.user_profiles:
            dj.register_user(command.user_id, name or command.user_id)
        dj.take_over(command.user_id)
        self.station.switch_listener(command.user_id)
        profile = dj.user_profiles[command.user_id]
        return c.Outcome(True, text=f"Now listening to {profile.name}.")

    def _set_mood(self, command: c.Command) -> c.Outcome:
        assert isinstance(command, c.SetMood)
        user = self._user(command)
        dj = self.station.get_dj()
        if command.mood is None:
            dj.clear_mood(user)
            self.station.refresh_listener()
            return c.Outcome(True)
        mood = command.mood.casefold().strip()
        if mood not in MOODS:
            known = ", ".join(sorted(MOODS))
            return c.Outcome(False, error=f"{command.mood!r} is not a mood; one of: {known}")
        reply = dj.act(user, "mood", {"mood": mood})
        self.station.refresh_listener()
        return c.Outcome(True, text=reply.text)

    def _announce(self, command: c.Command) -> c.Outcome:
        assert isinstance(command, c.Announce)
        text = " ".join(command.text.split())[:MAX_TEXT]
        if not text:
            return c.Outcome(False, error="nothing to announce")
        self.station.announce(text, private=command.private)
        return c.Outcome(True) if command.private else c.Outcome(True, text=text)

    def _ask(self, command: c.Command) -> c.Outcome:
        assert isinstance(command, c.Ask)
        text = command.text.strip()[:MAX_TEXT]
        if not text:
            return c.Outcome(False, error="say something to the DJ")
        user = self._user(command) if command.by else None
        confidence = max(0.0, min(1.0, float(command.confidence)))
        turn = self.station.ask(  # a face's answer need not wait for the voice to say it
            text,
            user,
            command.source,
            confidence,
            dict(command.timings),
            wait=command.wait,
            decided=True,
        )
        if not command.wait:
            return c.Outcome(True)
        if turn.reply is None:
            return c.Outcome(False, error="the DJ did not answer in time")
        return c.Outcome(True, text=turn.reply.text)

    def _set_commentary(self, command: c.Command) -> c.Outcome:
        assert isinstance(command, c.SetCommentary)
        self.station.keeper.update(commentary=bool(command.on))
        return c.Outcome(True)

    def _mute_microphone(self, command: c.Command) -> c.Outcome:
        assert isinstance(command, c.MuteMicrophone)
        self.station.keeper.update(microphone_muted=bool(command.on))
        return c.Outcome(True)


def announcement_options(
    output: str, device: str | None, volume: int
) -> dict[str, str | bool | int | float]:
    """mpv's options for an announcement's deck: a URL is played as it is and nothing it names
    is followed (a playlist's entries, an HLS index's segments were never checked)."""
    options: dict[str, str | bool | int | float] = {
        "ao": output,
        "audio_fallback_to_null": True,
        "video": False,
        "ytdl": False,
        "access_references": False,
        "config": False,
        "idle": True,
        "volume": volume,
    }
    if device:
        options["audio_device"] = device
    return options


def _slots(command: c.Choice) -> dict[str, str]:
    """The DJ's slots for a Play by words, artist or genre (lower case, as understood)."""
    slots = {}
    for kind in ("query", "artist", "genre"):
        value = getattr(command, kind)
        if value is not None and value.strip():
            slots[kind] = " ".join(value.split()).casefold()[:200]
    return slots


def _artists(track: Track) -> set[str]:
    return {track.artist.casefold(), track.album_artist.casefold()}


def _no_such(index: int, length: int) -> str:
    if length == 0:
        return "nothing is queued"
    return f"there is no track {index} in up next (0 to {length - 1})"
