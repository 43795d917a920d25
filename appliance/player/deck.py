"""One mpv instance (a "deck"): plays a track, and the next one gaplessly when it is queued.

The deck only drives mpv and forwards what mpv reports; every decision is the player's. mpv's
events arrive on python-mpv's event thread and are handed on as plain dicts through ``post``, so
the player handles them on its own thread, in order, together with the commands it receives.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from appliance.errors import PlayerError
from appliance.library.track import Track
from appliance.player.relay import RELAY

log = logging.getLogger(__name__)

# mpv events the player acts on; the rest (log lines, reconfigs) are of no interest to it.
_FORWARDED = {"start-file", "end-file", "playback-restart", "shutdown"}
_OBSERVED = ("current-ao",)


class MusicDeck(Protocol):
    """What the player needs of a deck: :class:`Deck` on mpv, or a test's fake one."""

    name: str
    options: dict[str, str | bool | int | float]
    generation: int
    playing_id: int | None
    output: str | None
    forced_null_until: float | None

    @property
    def alive(self) -> bool: ...

    def start(self) -> None: ...
    def load(self, track: Track, append: bool = False) -> int | None: ...
    def forget_played(self) -> None: ...
    def drop_queued(self) -> None: ...
    def stop(self) -> None: ...
    def seek_start(self) -> None: ...
    def reload_output(self) -> None: ...
    def get(self, name: str) -> Any: ...
    def set(self, name: str, value: Any) -> None: ...
    def set_volume(self, volume: float) -> None: ...
    def terminate(self) -> None: ...


# post(deck, generation, event): how a deck hands mpv's events to the player's thread
Post = Callable[[Any, int, dict[str, Any]], None]
# deck(name, mpv options, post): how the player builds its decks (a test passes fake ones)
DeckFactory = Callable[[str, Mapping[str, str | bool | int | float], Post], MusicDeck]


def _load_mpv() -> Any:
    """python-mpv, which loads libmpv when imported."""
    try:
        import mpv
    except (ImportError, OSError) as error:
        raise PlayerError(
            f"mpv cannot be loaded: {error}",
            hint="install libmpv (`apt-get install libmpv2`) and `pip install python-mpv`",
        ) from error
    return mpv


class Deck:
    """One mpv core; ``post(deck, generation, event)`` receives its events as dicts."""

    def __init__(
        self,
        name: str,
        options: Mapping[str, str | bool | int | float],
        post: Callable[[Deck, int, dict[str, Any]], None],
    ) -> None:
        self.name = name
        self.options = dict(options)
        self.post = post
        self.generation = 0
        self.mpv: Any = None
        self.playing_id: int | None = None  # the playlist entry mpv is currently playing
        self.applied_volume: float | None = None
        self.output: str | None = None  # the audio output mpv opened last ("null": fallback)
        self.forced_null_until: float | None = None  # switched to ao=null after an output error

    def start(self) -> None:
        """Create (or re-create, after it died) the mpv core."""
        mpv = _load_mpv()
        self.generation += 1
        generation = self.generation
        try:
            core = mpv.MPV(log_handler=self._mpv_log, loglevel="warn", **self.options)
        except Exception as error:  # libmpv reports bad options as generic errors
            raise PlayerError(
                f"mpv could not be started: {error}",
                hint="check the audio_output and audio_device settings",
            ) from error
        decode = mpv.lazy_decoder

        def forward(event: Any) -> None:
            kind = event.event_id.value
            if kind == mpv.MpvEventID.PROPERTY_CHANGE:
                data = event.data
                self.post(self, generation, {"event": "property-change", "name": data.name,
                                             "value": data.value})  # fmt: skip
                return
            if kind == mpv.MpvEventID.LOG_MESSAGE:
                return
            info = event.as_dict(decoder=decode)
            if info.get("event") in _FORWARDED:
                self.post(self, generation, info)

        core.register_event_callback(forward)
        for name in _OBSERVED:
            core.observe_property(name, lambda *_: None)  # makes mpv send property-change events
        self.mpv = core
        self.playing_id = None
        self.applied_volume = None
        self.output = None
        self.forced_null_until = None

    @staticmethod
    def _mpv_log(level: str, prefix: str, text: str) -> None:
        log.debug("mpv %s %s: %s", level, prefix, text.strip())

    @property
    def alive(self) -> bool:
        return self.mpv is not None and not self.mpv.core_shutdown

    def _command(self, *args: str | bytes) -> Any:
        """Run an mpv command; None when the core has died (its shutdown event follows)."""
        if not self.alive:
            return None
        try:
            return self.mpv.command(*args)
        except Exception as error:  # mpv refused, or the core died under us
            level = logging.WARNING if self.alive else logging.DEBUG
            log.log(level, "%s: mpv %s failed: %s", self.name, args[0], error)
            return None

    def load(self, track: Track, append: bool = False) -> int | None:
        """Start ``track`` now, or after the current file (gapless); the mpv playlist entry id.

        Appending uses ``append-play``: when the current file ended just before the append
        arrived (mpv had already found its playlist empty and gone idle), it starts at once
        instead of waiting forever in the playlist."""
        # the path's own bytes: a name that is not UTF-8 reaches mpv exactly as the disk has it
        path = os.fsencode(RELAY.local(track.path))  # a URL only through the relay
        result = self._command("loadfile", path, "append-play" if append else "replace")
        return int(result["playlist_entry_id"]) if result else None

    def forget_played(self) -> None:
        """Drop finished entries from mpv's playlist so it does not grow for days."""
        self._command("playlist-clear")

    def drop_queued(self) -> None:
        """Remove a gaplessly queued next file, keeping the one playing."""
        self._command("playlist-clear")

    def stop(self) -> None:
        self._command("stop")

    def seek_start(self) -> None:
        self._command("seek", "0", "absolute")

    def reload_output(self) -> None:
        """Ask mpv to open the audio output again (after it fell back to null)."""
        self._command("ao-reload")

    def get(self, name: str) -> Any:
        if not self.alive:
            return None
        try:
            return getattr(self.mpv, name.replace("-", "_"))
        except (SystemError, AttributeError):
            return None

    def set(self, name: str, value: Any) -> None:
        if not self.alive:
            return
        try:
            setattr(self.mpv, name.replace("-", "_"), value)
        except (SystemError, AttributeError) as error:
            log.debug("%s: setting %s failed: %s", self.name, name, error)

    def set_volume(self, volume: float) -> None:
        """Set mpv's volume, skipping changes too small to hear (fades call this often)."""
        if self.applied_volume is not None and abs(volume - self.applied_volume) < 0.05:
            return
        self.set("volume", round(volume, 2))
        self.applied_volume = volume

    def terminate(self) -> None:
        """Shut the core down and wait for its event thread (never call from that thread)."""
        core, self.mpv = self.mpv, None
        if core is not None:
            try:
                core.terminate()
            except Exception as error:
                log.debug("%s: terminate failed: %s", self.name, error)
