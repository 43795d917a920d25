"""What Home Assistant sees of the station: its entities, their states, and what a press means.

Functions of a :class:`~appliance.state.StationState`: the list of entities (a media player,
text sensors, buttons, selects, a number, switches, an event), each one's state message, and the
:mod:`appliance.control` commands a command message asks for (a URL to play is checked once,
by the command path's :func:`appliance.faces.urls.check`). Keys are the
CRC-32 of each entity's object id, so they stay the same from one start (and one version) to the
next.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from aioesphomeapi.model import MediaPlayerCommand, MediaPlayerEntityFeature

from appliance import control
from appliance.faces.esphome.messages import Message, pb
from appliance.faces.urls import MAX_URL
from appliance.faces.urls import on_this_network as on_this_network  # the station's check
from appliance.moods import MOODS as STATION_MOODS
from appliance.state import PlayState, StationState

SOURCE = "home_assistant"
MAX_TEXT = 255  # Home Assistant keeps at most 255 characters of a state
VOLUME_STEP = 5
NO_MOOD = "No mood"
MOOD_OF = {NO_MOOD: None, **{mood.capitalize(): mood for mood in STATION_MOODS}}
"""The mood select's options, as a person reads them ("Calm"), -> the station's moods."""
MOODS = tuple(MOOD_OF)
CONFIG = pb.ENTITY_CATEGORY_CONFIG
DIAGNOSTIC = pb.ENTITY_CATEGORY_DIAGNOSTIC

MEDIA_FEATURES = (
    MediaPlayerEntityFeature.PLAY
    | MediaPlayerEntityFeature.PAUSE
    | MediaPlayerEntityFeature.STOP
    | MediaPlayerEntityFeature.VOLUME_SET
    | MediaPlayerEntityFeature.VOLUME_STEP
    | MediaPlayerEntityFeature.VOLUME_MUTE
    | MediaPlayerEntityFeature.PLAY_MEDIA
    | MediaPlayerEntityFeature.MEDIA_ANNOUNCE
)
PLAYER_STATES = {
    PlayState.PLAYING: pb.MEDIA_PLAYER_STATE_PLAYING,
    PlayState.PAUSED: pb.MEDIA_PLAYER_STATE_PAUSED,
    PlayState.STOPPED: pb.MEDIA_PLAYER_STATE_IDLE,
}


class NotAllowed(ValueError):
    """A command message the station cannot act on; the words go to the log and the client."""


class UrlNotAllowed(NotAllowed):
    """A media URL the face refuses before the station sees it (not http(s), too long)."""


@dataclass(frozen=True)
class Entity:
    kind: str  # media_player, text_sensor, button, select, number, switch
    object_id: str
    name: str
    icon: str = ""
    category: int = pb.ENTITY_CATEGORY_NONE

    @property
    def key(self) -> int:
        return zlib.crc32(self.object_id.encode("ascii"))


PLAYER = Entity("media_player", "speaker", "")  # named "": it takes the device's own name
TITLE = Entity("text_sensor", "title", "Title", "mdi:music-note")
ARTIST = Entity("text_sensor", "artist", "Artist", "mdi:account-music")
ALBUM = Entity("text_sensor", "album", "Album", "mdi:album")
DJ_LINE = Entity("text_sensor", "dj_line", "DJ's last line", "mdi:message-text")
LISTENER = Entity("text_sensor", "listener", "Listener", "mdi:account")
MOOD = Entity("text_sensor", "mood", "Mood", "mdi:emoticon-outline")
VOICE = Entity("text_sensor", "voice", "Voice", "mdi:account-voice")
SKIP = Entity("button", "skip", "Skip", "mdi:skip-next")
LIKE = Entity("button", "like", "Like", "mdi:thumb-up")
DISLIKE = Entity("button", "dislike", "Dislike", "mdi:thumb-down")
CHOOSE_LISTENER = Entity("select", "choose_listener", "Who is listening", "mdi:account-switch")
CHOOSE_MOOD = Entity("select", "choose_mood", "Set the mood", "mdi:emoticon")
VOLUME = Entity("number", "volume", "Volume", "mdi:volume-high")
MIC_MUTE = Entity("switch", "microphone_mute", "Microphone mute", "mdi:microphone-off", CONFIG)
COMMENTARY = Entity("switch", "commentary", "DJ commentary", "mdi:radio-tower", CONFIG)
# The API has no reply to a command: a refused one is told as an event (for automations) and
# its reason shown in a sensor ("Refused to play http://...: not on this network")
REFUSED = Entity("event", "refused", "Refused", "mdi:alert-circle-outline", DIAGNOSTIC)
LAST_REFUSAL = Entity("text_sensor", "last_refusal", "Last refusal", "mdi:alert", DIAGNOSTIC)
URL_REFUSED, COMMAND_REFUSED = "url_refused", "command_refused"  # REFUSED's event types

ENTITIES = (
    PLAYER, TITLE, ARTIST, ALBUM, DJ_LINE, LISTENER, MOOD, VOICE, SKIP, LIKE, DISLIKE,
    CHOOSE_LISTENER, CHOOSE_MOOD, VOLUME, MIC_MUTE, COMMENTARY, REFUSED, LAST_REFUSAL,
)  # fmt: skip
BY_KEY = {entity.key: entity for entity in ENTITIES}
assert len(BY_KEY) == len(ENTITIES), "two entities share a key"

BUTTONS: dict[int, Callable[[], control.Command]] = {
    SKIP.key: lambda: control.Skip(source=SOURCE),
    LIKE.key: lambda: control.Like(source=SOURCE),
    DISLIKE.key: lambda: control.Dislike(source=SOURCE),
}


def _text(value: str) -> str:
    return value[:MAX_TEXT]


def shown_name(user_id: str, name: str) -> str:
    """The name Home Assistant shows for a listener: theirs, or for one whose name is only their
    id (the guest, someone added without a name) the id capitalised, "Guest" beside "Alex"."""
    return name if name and name != user_id else user_id[:1].upper() + user_id[1:]


def listener_options(state: StationState) -> dict[str, str]:
    """The listener select's options (shown names; a shared name gets its id) -> listener ids.
    The current listener is always one (Home Assistant refuses a select without options)."""
    known = list(state.listeners)
    if state.listener and state.listener not in dict(known):
        known.append((state.listener, state.listener_name))
    names = [shown_name(user_id, name) for user_id, name in known]
    options: dict[str, str] = {}
    for (user_id, _), name in zip(known, names, strict=True):
        option = name if names.count(name) == 1 else f"{name} ({user_id})"
        options[_text(option)] = user_id
    return options


def shown_mood(mood: str | None) -> str:
    """A mood as the select and the sensor show it: "Calm", or "No mood"."""
    return mood.capitalize() if mood else NO_MOOD


def current_listener_option(state: StationState) -> str:
    for option, user_id in listener_options(state).items():
        if user_id == state.listener:
            return option
    return _text(shown_name(state.listener, state.listener_name))


def list_messages(state: StationState) -> list[Message]:
    """Every entity's ListEntities message, in a stable order."""
    out: list[Message] = []
    for entity in ENTITIES:
        common = {
            "object_id": entity.object_id,
            "key": entity.key,
            "name": entity.name,
            "icon": entity.icon,
            "entity_category": entity.category,
        }
        if entity.kind == "media_player":
            out.append(
                pb.ListEntitiesMediaPlayerResponse(
                    **common, supports_pause=True, feature_flags=int(MEDIA_FEATURES)
                )
            )
        elif entity.kind == "text_sensor":
            out.append(pb.ListEntitiesTextSensorResponse(**common))
        elif entity.kind == "button":
            out.append(pb.ListEntitiesButtonResponse(**common))
        elif entity.kind == "select":
            options = list(listener_options(state)) if entity is CHOOSE_LISTENER else list(MOODS)
            out.append(pb.ListEntitiesSelectResponse(**common, options=options))
        elif entity.kind == "event":
            out.append(
                pb.ListEntitiesEventResponse(**common, event_types=[URL_REFUSED, COMMAND_REFUSED])
            )
        elif entity.kind == "number":
            out.append(
                pb.ListEntitiesNumberResponse(
                    **common,
                    min_value=0,
                    max_value=100,
                    step=1,
                    unit_of_measurement="%",
                    mode=pb.NUMBER_MODE_SLIDER,
                )
            )
        else:
            out.append(pb.ListEntitiesSwitchResponse(**common))
    return out


def state_messages(state: StationState, refusal: str = "") -> dict[int, Message]:
    """Each entity's state message now, by key; ``refusal``: why the last refused command
    was refused, which the face keeps (the station does not)."""
    track = state.track
    last_line = state.dj_lines[-1].text if state.dj_lines else ""
    texts = {
        TITLE: track.title if track else "",
        ARTIST: track.artist if track else "",
        ALBUM: track.album if track else "",
        DJ_LINE: last_line,
        LISTENER: current_listener_option(state),  # as the select shows it
        MOOD: shown_mood(state.mood),  # as the select shows it
        VOICE: state.voice.value.capitalize(),  # "Listening", as Home Assistant's own states
        LAST_REFUSAL: refusal,
    }
    out: dict[int, Message] = {
        PLAYER.key: pb.MediaPlayerStateResponse(
            key=PLAYER.key,
            state=PLAYER_STATES.get(state.play_state, pb.MEDIA_PLAYER_STATE_IDLE),
            volume=state.volume / 100,
            muted=state.muted,
        ),
        CHOOSE_LISTENER.key: pb.SelectStateResponse(
            key=CHOOSE_LISTENER.key, state=current_listener_option(state)
        ),
        CHOOSE_MOOD.key: pb.SelectStateResponse(key=CHOOSE_MOOD.key, state=shown_mood(state.mood)),
        VOLUME.key: pb.NumberStateResponse(key=VOLUME.key, state=float(state.volume)),
        MIC_MUTE.key: pb.SwitchStateResponse(key=MIC_MUTE.key, state=state.microphone_muted),
        COMMENTARY.key: pb.SwitchStateResponse(key=COMMENTARY.key, state=state.commentary),
    }
    for entity, value in texts.items():
        out[entity.key] = pb.TextSensorStateResponse(key=entity.key, state=_text(value))
    return out


def refusal_event(url: bool) -> Message:
    """The REFUSED event for a refused media URL (``url``) or another refused command."""
    return pb.EventResponse(key=REFUSED.key, event_type=URL_REFUSED if url else COMMAND_REFUSED)


def _level(value: float, scale: float) -> int:
    if not math.isfinite(value) or not 0 <= value <= scale:
        raise NotAllowed(f"a volume of {value} (0 to {scale:g})")
    return round(value * 100 / scale)


def _media_url(url: str) -> str:
    if len(url) > MAX_URL or any(ord(c) < 32 or ord(c) == 127 for c in url):
        raise UrlNotAllowed("a media URL that is too long or holds control characters")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UrlNotAllowed(f"a media URL that is not http(s): {url[:80]!r}")
    return url


def _player_commands(message: Message, state: StationState) -> list[control.Command]:
    out: list[control.Command] = []
    if message.has_command:
        command = message.command
        if command == MediaPlayerCommand.PLAY:
            out.append(control.Resume(source=SOURCE))
        elif command == MediaPlayerCommand.PAUSE:
            out.append(control.Pause(source=SOURCE))
        elif command == MediaPlayerCommand.TOGGLE:
            playing = state.play_state is PlayState.PLAYING
            out.append(control.Pause(source=SOURCE) if playing else control.Resume(source=SOURCE))
        elif command == MediaPlayerCommand.STOP:
            out.append(control.Stop(source=SOURCE))
        elif command in (MediaPlayerCommand.MUTE, MediaPlayerCommand.UNMUTE):
            out.append(control.Mute(on=command == MediaPlayerCommand.MUTE, source=SOURCE))
        elif command in (MediaPlayerCommand.VOLUME_UP, MediaPlayerCommand.VOLUME_DOWN):
            step = VOLUME_STEP if command == MediaPlayerCommand.VOLUME_UP else -VOLUME_STEP
            out.append(control.SetVolume(step=step, source=SOURCE))
        else:
            raise NotAllowed(f"media player command {command} is not supported")
    if message.has_volume:
        out.append(control.SetVolume(level=_level(message.volume, 1.0), source=SOURCE))
    if message.has_media_url:
        announce = message.has_announcement and message.announcement
        out.append(
            control.PlayUrl(url=_media_url(message.media_url), announce=announce, source=SOURCE)
        )
    if not out:
        raise NotAllowed("a media player command that asks for nothing")
    return out


def commands_for(message: Message, state: StationState) -> list[control.Command]:
    """The commands a command message asks for; :class:`NotAllowed` when it asks for nothing
    the station can do (an unknown key, an option that is not offered, a bad value)."""
    key = getattr(message, "key", None)
    entity = BY_KEY.get(key) if isinstance(key, int) else None
    kind = type(message).__name__
    if entity is None:
        raise NotAllowed(f"{kind} for an entity this device does not have (key {key})")
    if isinstance(message, pb.MediaPlayerCommandRequest) and entity is PLAYER:
        return _player_commands(message, state)
    if isinstance(message, pb.ButtonCommandRequest) and entity.key in BUTTONS:
        return [BUTTONS[entity.key]()]
    if isinstance(message, pb.NumberCommandRequest) and entity is VOLUME:
        return [control.SetVolume(level=_level(message.state, 100.0), source=SOURCE)]
    if isinstance(message, pb.SwitchCommandRequest) and entity is MIC_MUTE:
        return [control.MuteMicrophone(on=message.state, source=SOURCE)]
    if isinstance(message, pb.SwitchCommandRequest) and entity is COMMENTARY:
        return [control.SetCommentary(on=message.state, source=SOURCE)]
    if isinstance(message, pb.SelectCommandRequest) and entity is CHOOSE_MOOD:
        if message.state not in MOOD_OF:
            raise NotAllowed(f"mood {message.state[:40]!r} is not one of {', '.join(MOODS)}")
        return [control.SetMood(mood=MOOD_OF[message.state], source=SOURCE)]
    if isinstance(message, pb.SelectCommandRequest) and entity is CHOOSE_LISTENER:
        user_id = listener_options(state).get(message.state)
        if user_id is None:
            raise NotAllowed(f"listener {message.state[:40]!r} is not known here")
        return [control.SwitchListener(user_id=user_id, source=SOURCE)]
    raise NotAllowed(f"{kind} does not apply to {entity.kind} {entity.object_id!r}")
