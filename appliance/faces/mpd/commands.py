"""The MPD commands this face answers, each mapped onto the station's own commands.

Reading commands answer from the station's latest state and the music tree; every change goes
through ``station.execute`` with ``source="mpd"`` (see :meth:`MpdFace.execute`), so ``next`` from
a phone is a skip the DJ learns from, exactly as a spoken one. What the appliance does not do
(stored playlists, switching outputs, random or repeat: the DJ chooses what follows) is refused
with an ACK that says so, and ``status`` reports it as it is.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from appliance import control
from appliance.faces import secrets
from appliance.faces.mpd import art
from appliance.faces.mpd.filters import OTHER_TAGS, TAGS, Query, Song, parse, tag_values
from appliance.faces.mpd.protocol import (
    Ack,
    Closed,
    Code,
    Reply,
    boolean,
    integer,
    number,
    span,
)
from appliance.faces.mpd.queue import MAX_LENGTH, Entry
from appliance.faces.mpd.songs import DEFAULT_TAGS, song
from appliance.faces.mpd.tree import MusicTree, clean
from appliance.library.track import Track
from appliance.state import PlayState

if TYPE_CHECKING:
    from appliance.faces.mpd.session import Session

Handler = Callable[["Session", list[str], Reply], Awaitable[None]]


@dataclass(frozen=True)
class Spec:
    handler: Handler
    low: int
    high: int


COMMANDS: dict[str, Spec] = {}
PUBLIC = frozenset({"password", "ping", "close", "commands", "notcommands", "tagtypes"})
REFUSED = frozenset({"config"})  # known, answered, never allowed (MPD: local clients only)
OPTIONS = {"random": "0", "repeat": "0", "single": "0", "consume": "1"}  # what the station does
MAX_BINARY = 4 * 1024 * 1024
MAX_GROUPS = 3  # "group" tags of one list (apps use one or two)
MAX_ADD = 500  # tracks one add, findadd or searchadd may queue (as the station's own Enqueue)


def command(*names: str, low: int = 0, high: int = 0) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        for name in names:
            COMMANDS[name] = Spec(handler, low, high)
        return handler

    return register


# -- connection ----------------------------------------------------------------------------


@command("ping")
async def _ping(s: Session, args: list[str], reply: Reply) -> None:
    pass


@command("close")
async def _close(s: Session, args: list[str], reply: Reply) -> None:
    raise Closed


@command("password", low=1, high=1)
async def _password(s: Session, args: list[str], reply: Reply) -> None:
    if not secrets.same(args[0], s.face.password):
        async with s.face.guessing:  # one wrong guess at a time, whatever the connections
            await asyncio.sleep(s.face.password_delay)
        raise Ack(Code.PASSWORD, "incorrect password")
    s.authenticated = True


@command("commands")
async def _commands(s: Session, args: list[str], reply: Reply) -> None:
    for name in sorted(COMMANDS):
        if (s.authenticated or name in PUBLIC) and name not in REFUSED:
            reply.add("command", name)


@command("notcommands")
async def _notcommands(s: Session, args: list[str], reply: Reply) -> None:
    for name in sorted(COMMANDS):
        if not (s.authenticated or name in PUBLIC) or name in REFUSED:
            reply.add("command", name)


@command("tagtypes", high=64)
async def _tagtypes(s: Session, args: list[str], reply: Reply) -> None:
    if not args:
        for name, spelled in TAGS.items():
            if name in s.tags:
                reply.add("tagtype", spelled)
        return
    action, names = args[0], [name.lower() for name in args[1:]]
    if action in ("clear", "all"):
        if names:
            raise Ack(Code.ARG, "Too many arguments")
        s.tags = set() if action == "clear" else set(DEFAULT_TAGS)
        return
    if action not in ("enable", "disable") or not names:
        raise Ack(Code.ARG, "Unknown sub command" if names else "Not enough arguments")
    unknown = [name for name in names if name not in TAGS and name not in OTHER_TAGS]
    if unknown:
        raise Ack(Code.ARG, f"Unknown tag type: {unknown[0]}")
    if action == "enable":
        s.tags |= set(names)
    else:
        s.tags -= set(names)


@command("binarylimit", low=1, high=1)
async def _binarylimit(s: Session, args: list[str], reply: Reply) -> None:
    value = integer(args[0], 0)
    if value < 64:
        raise Ack(Code.ARG, "Value too small")
    s.binary_limit = min(value, MAX_BINARY)


@command("config")
async def _config(s: Session, args: list[str], reply: Reply) -> None:
    raise Ack(Code.PERMISSION, "Command only permitted to local clients")


# -- what is playing -----------------------------------------------------------------------


def _elapsed(s: Session) -> float:
    state = s.face.state
    now = state.now_playing
    if now is None:
        return 0.0
    if state.play_state == PlayState.PLAYING and now.started_at > 0:
        elapsed = time.time() - now.started_at
    else:
        elapsed = now.position
    if now.duration > 0:
        elapsed = min(elapsed, now.duration)
    return max(0.0, elapsed)


@command("status")
async def _status(s: Session, args: list[str], reply: Reply) -> None:
    """Polled by every app every second or so: all but the clock is kept per state version."""
    face = s.face
    fixed = face.answer("status")
    if fixed is None:
        fixed = _status_fixed(s)
        face.keep_answer("status", fixed)
    reply.raw(fixed)
    state = face.state
    if state.now_playing is not None and state.play_state != PlayState.STOPPED:
        elapsed, duration = _elapsed(s), state.now_playing.duration
        reply.add("time", f"{int(elapsed)}:{round(duration)}")
        reply.add("elapsed", f"{elapsed:.3f}")
        if duration > 0:
            reply.add("duration", f"{duration:.3f}")


def _status_fixed(s: Session) -> bytes:
    """``status``'s lines that do not move with the clock."""
    state, queue = s.face.state, s.face.queue
    lines = Reply.lines()
    lines.add("volume", state.volume)  # MPD has no mute: muted, the level stays (as on Pulse)
    for name, value in OPTIONS.items():
        lines.add(name, value)
    lines.add("partition", "default")
    lines.add("playlist", queue.version)
    lines.add("playlistlength", len(queue))
    lines.add("mixrampdb", "0.000000")
    lines.add("state", {"playing": "play", "paused": "pause"}.get(state.play_state, "stop"))
    if s.face.updating:
        lines.add("updating_db", s.face.update_job)
    if queue.on_air and queue.entries:
        lines.add("song", 0)
        lines.add("songid", queue.entries[0].id)
    if len(queue) > (1 if queue.on_air else 0):
        following = 1 if queue.on_air else 0
        lines.add("nextsong", following)
        lines.add("nextsongid", queue.entries[following].id)
    return lines.data()


def _file_of(tree: MusicTree, track: Track) -> str:
    """A queued track's ``file``: its URI, a stream's URL, else its id (never a path outside
    the music folders)."""
    if track.path.startswith(("http://", "https://")):
        return " ".join(track.path.split())
    return tree.uri_of(track) or track.track_id


async def _entry(s: Session, reply: Reply, position: int, entry: Entry) -> None:
    tree = await s.face.known_tree()
    uri = _file_of(tree, entry.track)
    song(reply, (uri, entry.track), s.tags)
    if position == 0 and s.face.queue.on_air and "comment" in s.tags:
        now = s.face.state.now_playing
        if now is not None and now.chosen_by == "dj":  # the DJ's own pick, shown as such
            reply.add("Comment", f"the DJ's pick: {now.why}" if now.why else "the DJ's pick")
    reply.add("Pos", position)
    reply.add("Id", entry.id)


@command("currentsong")
async def _currentsong(s: Session, args: list[str], reply: Reply) -> None:
    """Polled with ``status``: kept per state version and the client's tags."""
    queue = s.face.queue
    if not (queue.on_air and queue.entries):
        return
    variant = ("currentsong", frozenset(s.tags))
    kept = s.face.answer(variant)
    if kept is None:
        lines = Reply.lines()
        await _entry(s, lines, 0, queue.entries[0])
        kept = lines.data()
        s.face.keep_answer(variant, kept)
    reply.raw(kept)


@command("stats")
async def _stats(s: Session, args: list[str], reply: Reply) -> None:
    tree = await s.face.tree()
    reply.add("artists", tree.artists)
    reply.add("albums", tree.albums)
    reply.add("songs", len(tree))
    reply.add("uptime", int(time.monotonic() - s.face.started))
    reply.add("db_playtime", int(tree.playtime))
    reply.add("db_update", int(tree.built_at))
    reply.add("playtime", int(time.monotonic() - s.face.started))


@command("outputs")
async def _outputs(s: Session, args: list[str], reply: Reply) -> None:
    rooms = s.face.state.rooms
    if not rooms:
        reply.add("outputid", 0)
        reply.add("outputname", f"{s.face.settings.station.name} speaker")
        reply.add("plugin", "pulse")
        reply.add("outputenabled", 1)
        return
    for index, room in enumerate(rooms):
        reply.add("outputid", index)
        reply.add("outputname", room.name)
        reply.add("plugin", "snapcast")
        reply.add("outputenabled", int(room.on))


@command("enableoutput", "disableoutput", "toggleoutput", low=1, high=1)
async def _switch_output(s: Session, args: list[str], reply: Reply) -> None:
    integer(args[0], 0)
    raise Ack(Code.SYSTEM, "rooms are switched on the appliance's web page, not from a music app")


@command("replay_gain_status")
async def _replay_gain_status(s: Session, args: list[str], reply: Reply) -> None:
    reply.add("replay_gain_mode", "off")


@command("replay_gain_mode", low=1, high=1)
async def _replay_gain_mode(s: Session, args: list[str], reply: Reply) -> None:
    if args[0] != "off":
        raise Ack(Code.ARG, "replay gain is not applied: the DJ levels the music itself")


async def _fixed_option(name: str, s: Session, args: list[str], reply: Reply) -> None:
    if args[0] not in ("0", "1", "oneshot") or (args[0] == "oneshot" and name != "single"):
        raise Ack(Code.ARG, f"Boolean (0/1) expected: {args[0]}")
    if args[0] != OPTIONS[name]:
        state = "on" if OPTIONS[name] == "1" else "off"
        raise Ack(
            Code.ARG,
            f"{name} stays {state}: played tracks leave the queue, and when it runs out "
            "the DJ picks what plays next",
        )


for _name in OPTIONS:
    COMMANDS[_name] = Spec(partial(_fixed_option, _name), 1, 1)


@command("crossfade", low=1, high=1)
async def _crossfade(s: Session, args: list[str], reply: Reply) -> None:
    integer(args[0], 0)
    raise Ack(Code.ARG, "the DJ sets its own crossfades")


@command("decoders")
async def _decoders(s: Session, args: list[str], reply: Reply) -> None:
    reply.add("plugin", "mpv")
    for suffix in ("mp3", "flac", "ogg", "oga", "opus", "m4a", "mp4", "aac", "wav", "wma"):
        reply.add("suffix", suffix)


@command("urlhandlers")
async def _urlhandlers(s: Session, args: list[str], reply: Reply) -> None:
    pass  # only the library's files: a music app cannot make the appliance fetch a URL


@command("listplaylists")
async def _listplaylists(s: Session, args: list[str], reply: Reply) -> None:
    pass  # no stored playlists: the DJ keeps taste, not lists


@command("load", "listplaylist", "listplaylistinfo", low=1, high=3)
async def _no_playlist(s: Session, args: list[str], reply: Reply) -> None:
    raise Ack(Code.NO_EXIST, "No such playlist")


@command("listpartitions")
async def _listpartitions(s: Session, args: list[str], reply: Reply) -> None:
    reply.add("partition", "default")


@command("listmounts")
async def _listmounts(s: Session, args: list[str], reply: Reply) -> None:
    reply.add("mount", "")


@command("channels", "readmessages", "listneighbors")
async def _nothing(s: Session, args: list[str], reply: Reply) -> None:
    pass


@command("update", "rescan", high=1)
async def _update(s: Session, args: list[str], reply: Reply) -> None:
    # the whole music folders are scanned again, whatever folder is named
    reply.add("updating_db", await s.face.rescan())


# -- playback ------------------------------------------------------------------------------


def _mpd(kind: type[control.Command], **fields: object) -> control.Command:
    return kind(by=None, source="mpd", **fields)


async def _play_position(s: Session, position: int) -> None:
    state, queue = s.face.state, s.face.queue
    if not 0 <= position < len(queue):
        raise Ack(Code.ARG, "Bad song index")
    entry = queue.entries[position]
    if position == 0 and queue.on_air:
        if state.play_state == PlayState.STOPPED:
            await s.face.execute(_mpd(control.Play, track_id=entry.track.track_id))
            return
        steps = [_mpd(control.Seek, seconds=0.0)]
        if state.play_state == PlayState.PAUSED:
            steps.append(_mpd(control.Resume))
        await s.face.execute(*steps)
        return
    await s.face.execute(
        _mpd(control.RemoveQueued, index=queue.up_next_index(position)),
        _mpd(control.Play, track_id=entry.track.track_id),
    )


@command("play", high=1)
async def _play(s: Session, args: list[str], reply: Reply) -> None:
    position = integer(args[0], -1) if args else -1
    if position >= 0:
        await _play_position(s, position)
        return
    state = s.face.state
    if state.play_state == PlayState.PLAYING:
        return
    if state.play_state == PlayState.STOPPED and not s.face.queue.on_air and s.face.queue.entries:
        await _play_position(s, 0)
        return
    await s.face.execute(_mpd(control.Resume))


@command("playid", high=1)
async def _playid(s: Session, args: list[str], reply: Reply) -> None:
    song_id = integer(args[0], -1) if args else -1
    if song_id == -1:
        await _play(s, [], reply)
        return
    await _play_position(s, _position_of_id(s, song_id))


def _position_of_id(s: Session, song_id: int) -> int:
    position = s.face.queue.position_of(song_id)
    if position is None:
        raise Ack(Code.NO_EXIST, "No such song")
    return position


@command("pause", high=1)
async def _pause(s: Session, args: list[str], reply: Reply) -> None:
    state = s.face.state.play_state
    pause = boolean(args[0]) if args else state == PlayState.PLAYING
    if pause and state == PlayState.PLAYING:
        await s.face.execute(_mpd(control.Pause))
    elif not pause and state == PlayState.PAUSED:
        await s.face.execute(_mpd(control.Resume))


@command("stop")
async def _stop(s: Session, args: list[str], reply: Reply) -> None:
    await s.face.execute(_mpd(control.Stop))


@command("next")
async def _next(s: Session, args: list[str], reply: Reply) -> None:
    await s.face.execute(_mpd(control.Skip))


@command("previous")
async def _previous(s: Session, args: list[str], reply: Reply) -> None:
    await s.face.execute(_mpd(control.Previous))


async def _seek_to(s: Session, position: int, seconds: float) -> None:
    if seconds < 0:
        raise Ack(Code.ARG, "Negative seek position")
    if not (position == 0 and s.face.queue.on_air):
        await _play_position(s, position)
    await s.face.execute(_mpd(control.Seek, seconds=seconds))


@command("seek", low=2, high=2)
async def _seek(s: Session, args: list[str], reply: Reply) -> None:
    await _seek_to(s, integer(args[0], 0), number(args[1]))


@command("seekid", low=2, high=2)
async def _seekid(s: Session, args: list[str], reply: Reply) -> None:
    await _seek_to(s, _position_of_id(s, integer(args[0], 0)), number(args[1]))


@command("seekcur", low=1, high=1)
async def _seekcur(s: Session, args: list[str], reply: Reply) -> None:
    if not s.face.queue.on_air:
        raise Ack(Code.PLAYER_SYNC, "Not playing")
    word = args[0]
    seconds = number(word)
    if word[:1] in "+-":
        await s.face.execute(_mpd(control.Seek, seconds=seconds, relative=True))
    else:
        await _seek_to(s, 0, seconds)


@command("setvol", low=1, high=1)
async def _setvol(s: Session, args: list[str], reply: Reply) -> None:
    level = integer(args[0], 0, 100)
    steps = [_mpd(control.SetVolume, level=level)]
    if s.face.state.muted and level > 0:
        steps.append(_mpd(control.Mute, on=False))
    await s.face.execute(*steps)


@command("volume", low=1, high=1)
async def _volume(s: Session, args: list[str], reply: Reply) -> None:
    # the station steps from its real level, muted or not, and a change of level unmutes
    await s.face.execute(_mpd(control.SetVolume, step=integer(args[0], -100, 100)))


@command("getvol")
async def _getvol(s: Session, args: list[str], reply: Reply) -> None:
    state = s.face.state
    reply.add("volume", state.volume)


# -- the queue -----------------------------------------------------------------------------


def _position(s: Session, word: str) -> int:
    """An insert position: absolute, or "+N"/"-N" from the track on air; as an index of the
    station's "up next" (the track on air always stays first)."""
    queue = s.face.queue
    if word[:1] in "+-":
        if not queue.on_air:
            raise Ack(Code.ARG, "No current song")
        offset = integer(word[1:], 0)
        return offset if word[0] == "+" else 0
    position = integer(word, 0)
    if position > len(queue):
        raise Ack(Code.ARG, "Bad song index")
    return max(0, queue.up_next_index(position))


async def _enqueue(s: Session, songs: list[Song], position: int | None = None) -> None:
    if len(songs) > MAX_ADD:
        raise Ack(Code.PLAYLIST_MAX, f"at most {MAX_ADD} tracks can be added at once")
    if len(s.face.queue) + len(songs) > MAX_LENGTH:
        raise Ack(Code.PLAYLIST_MAX, "Playlist is too large")
    steps = []
    for offset, (_, track) in enumerate(songs):
        at = None if position is None else position + offset
        steps.append(_mpd(control.Enqueue, track_id=track.track_id, position=at))
    await s.face.execute(*steps)


async def _songs_at(s: Session, uri: str) -> list[Song]:
    if "://" in uri:
        raise Ack(Code.ARG, "Unsupported URI scheme")
    tree = await s.face.tree()
    songs = list(tree.under(uri))
    if not songs:
        raise Ack(Code.NO_EXIST, "No such directory")
    return songs


@command("add", low=1, high=2)
async def _add(s: Session, args: list[str], reply: Reply) -> None:
    position = _position(s, args[1]) if len(args) > 1 else None
    await _enqueue(s, await _songs_at(s, args[0]), position)


@command("addid", low=1, high=2)
async def _addid(s: Session, args: list[str], reply: Reply) -> None:
    if "://" in args[0]:
        raise Ack(Code.ARG, "Unsupported URI scheme")
    tree = await s.face.tree()
    found = tree.track(args[0])
    if found is None:
        raise Ack(Code.NO_EXIST, "No such song")
    position = _position(s, args[1]) if len(args) > 1 else None
    before = {entry.id for entry in s.face.queue.entries}
    await _enqueue(s, [(args[0], found)], position)
    for entry in s.face.queue.entries:
        if entry.id not in before and entry.track.track_id == found.track_id:
            reply.add("Id", entry.id)
            return
    raise Ack(Code.SYSTEM, "the track was not queued")


async def _remove(s: Session, positions: list[int]) -> None:
    queue = s.face.queue
    steps: list[control.Command] = []
    skip = False
    for position in sorted(set(positions), reverse=True):
        if position == 0 and queue.on_air:
            skip = True  # taking the track on air out of the queue is skipping it
        else:
            steps.append(_mpd(control.RemoveQueued, index=queue.up_next_index(position)))
    if skip:
        steps.append(_mpd(control.Skip))
    await s.face.execute(*steps)


@command("delete", low=1, high=1)
async def _delete(s: Session, args: list[str], reply: Reply) -> None:
    start, end = span(args[0])
    length = len(s.face.queue)
    end = length if end is None else end
    if start >= length or end > length:
        raise Ack(Code.ARG, "Bad song index")
    await _remove(s, list(range(start, end)))


@command("deleteid", low=1, high=1)
async def _deleteid(s: Session, args: list[str], reply: Reply) -> None:
    await _remove(s, [_position_of_id(s, integer(args[0], 0))])


async def _move(s: Session, start: int, end: int, to: int) -> None:
    queue = s.face.queue
    length = len(queue)
    if start >= length or end > length or to < 0 or to + (end - start) > length:
        raise Ack(Code.ARG, "Bad song index")
    if queue.on_air and (start == 0 or to == 0):
        raise Ack(Code.ARG, "the track on air stays first: play another track to replace it")
    moves: list[tuple[int, int]] = []
    if to <= start:  # each, first to last, into its place
        moves = [(start + offset, to + offset) for offset in range(end - start)]
    else:  # the first of the range to its final place, as often as the range is long
        moves = [(start, to + (end - start) - 1)] * (end - start)
    await s.face.execute(
        *(
            _mpd(control.MoveQueued, index=queue.up_next_index(a), to=queue.up_next_index(b))
            for a, b in moves
            if a != b
        )
    )


@command("move", low=2, high=2)
async def _move_cmd(s: Session, args: list[str], reply: Reply) -> None:
    start, end = span(args[0])
    end = len(s.face.queue) if end is None else end
    await _move(s, start, end, integer(args[1], 0))


@command("moveid", low=2, high=2)
async def _moveid(s: Session, args: list[str], reply: Reply) -> None:
    position = _position_of_id(s, integer(args[0], 0))
    await _move(s, position, position + 1, integer(args[1], 0))


@command("clear")
async def _clear(s: Session, args: list[str], reply: Reply) -> None:
    steps = [_mpd(control.ClearQueue)]
    if s.face.queue.on_air:
        steps.append(_mpd(control.Stop))  # as MPD: an empty queue is silence
    await s.face.execute(*steps)


@command("shuffle", high=1)
async def _shuffle(s: Session, args: list[str], reply: Reply) -> None:
    raise Ack(Code.ARG, "the DJ orders the music: ask it for something else instead")


async def _entries(s: Session, reply: Reply, chosen: list[tuple[int, Entry]]) -> None:
    for position, entry in chosen:
        await _entry(s, reply, position, entry)
        await reply.flush_if_big()


@command("playlistinfo", high=1)
async def _playlistinfo(s: Session, args: list[str], reply: Reply) -> None:
    entries = list(enumerate(s.face.queue.entries))
    if args:
        start, end = span(args[0])
        if start >= len(entries) and not (end is None and start == len(entries)):
            raise Ack(Code.ARG, "Bad song index")
        entries = entries[start:end]
    await _entries(s, reply, entries)


@command("playlistid", high=1)
async def _playlistid(s: Session, args: list[str], reply: Reply) -> None:
    entries = list(enumerate(s.face.queue.entries))
    if args:
        position = _position_of_id(s, integer(args[0], 0))
        entries = entries[position : position + 1]
    await _entries(s, reply, entries)


@command("playlist")
async def _playlist(s: Session, args: list[str], reply: Reply) -> None:
    tree = await s.face.tree()
    for position, entry in enumerate(s.face.queue.entries):
        reply.add(str(position), f"file: {_file_of(tree, entry.track)}")


def _changes(s: Session, args: list[str]) -> list[tuple[int, Entry]]:
    version = integer(args[0], -(2**31))
    changed = s.face.queue.changed_since(version)
    if len(args) > 1:
        start, end = span(args[1])
        changed = [(p, e) for p, e in changed if p >= start and (end is None or p < end)]
    return changed


@command("plchanges", low=1, high=2)
async def _plchanges(s: Session, args: list[str], reply: Reply) -> None:
    await _entries(s, reply, _changes(s, args))


@command("plchangesposid", low=1, high=2)
async def _plchangesposid(s: Session, args: list[str], reply: Reply) -> None:
    for position, entry in _changes(s, args):
        reply.add("cpos", position)
        reply.add("Id", entry.id)


async def _queue_songs(s: Session) -> list[tuple[Song, int, Entry]]:
    tree = await s.face.tree()
    return [
        ((_file_of(tree, entry.track), entry.track), position, entry)
        for position, entry in enumerate(s.face.queue.entries)
    ]


async def _queue_filter(exact: bool, s: Session, args: list[str], reply: Reply) -> None:
    query = parse(args, exact)
    for item, position, entry in await _queue_songs(s):
        if query.test(item):
            await _entry(s, reply, position, entry)


COMMANDS["playlistfind"] = Spec(partial(_queue_filter, True), 1, 64)
COMMANDS["playlistsearch"] = Spec(partial(_queue_filter, False), 1, 64)


# -- the database --------------------------------------------------------------------------


@command("lsinfo", high=1)
async def _lsinfo(s: Session, args: list[str], reply: Reply) -> None:
    tree = await s.face.tree()
    uri = args[0] if args else ""
    found = tree.track(uri)
    if found is not None:
        song(reply, (clean(uri), found), s.tags)
        return
    folder = tree.folder(uri)
    if folder is None:
        raise Ack(Code.NO_EXIST, "No such directory")
    for sub in folder.folders:
        reply.add("directory", sub)
    for item in tree.listing(uri):
        song(reply, item, s.tags)
        await reply.flush_if_big()


async def _listall(s: Session, args: list[str], reply: Reply, info: bool) -> None:
    tree = await s.face.tree()
    uri = args[0] if args else ""
    found = tree.track(uri)
    if found is not None:
        items: list[tuple[str, object]] = [("file", (clean(uri), found))]
    elif tree.folder(uri) is None:
        raise Ack(Code.NO_EXIST, "No such directory")
    else:
        items = []
    walk = iter(items) if items else tree.walk(uri)
    for count, (kind, item) in enumerate(walk):
        if kind == "directory":
            reply.add("directory", item)
        elif info:
            song(reply, item, s.tags)  # type: ignore[arg-type]
        else:
            reply.add("file", item[0])  # type: ignore[index]
        if count % 256 == 255:  # streamed: the client takes it as it comes
            await reply.flush_if_big()


@command("listall", high=1)
async def _listall_cmd(s: Session, args: list[str], reply: Reply) -> None:
    await _listall(s, args, reply, info=False)


@command("listallinfo", high=1)
async def _listallinfo(s: Session, args: list[str], reply: Reply) -> None:
    await _listall(s, args, reply, info=True)


async def _found(s: Session, args: list[str], exact: bool) -> list[Song]:
    query = parse(args, exact)
    tree = await s.face.tree()
    return await s.face.run(lambda: query.apply(list(tree.tracks())))  # off the loop


async def _find(exact: bool, s: Session, args: list[str], reply: Reply) -> None:
    for item in await _found(s, args, exact):
        song(reply, item, s.tags)
        await reply.flush_if_big()


async def _findadd(exact: bool, s: Session, args: list[str], reply: Reply) -> None:
    await _enqueue(s, await _found(s, args, exact))


COMMANDS["find"] = Spec(partial(_find, True), 1, 64)
COMMANDS["search"] = Spec(partial(_find, False), 1, 64)
COMMANDS["findadd"] = Spec(partial(_findadd, True), 1, 64)
COMMANDS["searchadd"] = Spec(partial(_findadd, False), 1, 64)


def _groups(words: list[str]) -> tuple[list[str], list[str]]:
    """The filter words and the ``group TAG`` names at their end (at most :data:`MAX_GROUPS`:
    each multiplies the rows by the values a track has for that tag)."""
    groups: list[str] = []
    while len(words) >= 2 and words[-2].lower() == "group":
        name = words[-1].lower()
        if name not in TAGS and name not in OTHER_TAGS:
            raise Ack(Code.ARG, f"Unknown tag type: {words[-1]}")
        if name in groups or len(groups) == MAX_GROUPS:
            raise Ack(Code.ARG, f"at most {MAX_GROUPS} different groups")
        groups.insert(0, name)
        words = words[:-2]
    return words, groups


def _filtered(songs: list[Song], words: list[str], exact: bool = True) -> list[Song]:
    if not words:
        return songs
    query: Query = parse(words, exact)
    return query.apply(songs)


@command("list", low=1, high=64)
async def _list(s: Session, args: list[str], reply: Reply) -> None:
    tag = args[0].lower()
    if tag not in TAGS and tag not in OTHER_TAGS and tag != "file":
        raise Ack(Code.ARG, f"Unknown tag type: {args[0]}")
    words, groups = _groups(args[1:])
    if len(words) == 1 and tag == "album":  # the old form: list album ARTIST
        words = ["artist", words[0]]
    elif len(words) == 1:
        raise Ack(Code.ARG, 'should be "Album" for 3 arguments')
    tree = await s.face.tree()
    rows = await s.face.run(_grouped, tree, words, tag, groups)  # off the loop: every track
    spelled = {"file": "file", **TAGS}.get(tag, args[0])
    shown: tuple[str, ...] = ()
    for combination, values in rows:
        for depth, value in enumerate(combination):
            if shown[: depth + 1] != combination[: depth + 1]:
                reply.add(TAGS.get(groups[depth], groups[depth]), value)
        shown = combination
        for value in values:
            reply.add(spelled, value)
        await reply.flush_if_big()


def _grouped(
    tree: MusicTree, words: list[str], tag: str, groups: list[str]
) -> list[tuple[tuple[str, ...], list[str]]]:
    """``list``'s rows: each combination of the groups' values, in order, with its values of
    ``tag`` among the songs the filter ``words`` picks."""
    table: dict[tuple[str, ...], set[str]] = {}
    for item in _filtered(list(tree.tracks()), words):
        keys = [tag_values(item, group) or [""] for group in groups]
        for combination in _product(keys):
            table.setdefault(combination, set()).update(tag_values(item, tag))
    return [
        (combination, sorted(table[combination], key=str.casefold))
        for combination in sorted(table, key=lambda key: [part.casefold() for part in key])
    ]


def _product(lists: list[list[str]]) -> list[tuple[str, ...]]:
    combinations: list[tuple[str, ...]] = [()]
    for values in lists:
        combinations = [(*c, v) for c in combinations for v in values]
    return combinations


@command("count", low=0, high=64)
async def _count(s: Session, args: list[str], reply: Reply) -> None:
    words, groups = _groups(args)
    if len(groups) > 1:
        raise Ack(Code.ARG, "count takes one group")
    tree = await s.face.tree()
    songs = await s.face.run(lambda: _filtered(list(tree.tracks()), words))
    if not groups:
        reply.add("songs", len(songs))
        reply.add("playtime", int(sum(track.duration for _, track in songs)))
        return
    totals: dict[str, list[float]] = {}
    for item in songs:
        for value in tag_values(item, groups[0]) or [""]:
            total = totals.setdefault(value, [0, 0.0])
            total[0] += 1
            total[1] += item[1].duration
    for value in sorted(totals, key=str.casefold):
        reply.add(TAGS.get(groups[0], groups[0]), value)
        reply.add("songs", int(totals[value][0]))
        reply.add("playtime", int(totals[value][1]))


# -- cover art -----------------------------------------------------------------------------


async def _picture(s: Session, args: list[str], reply: Reply, kind: str) -> None:
    uri, offset = args[0], integer(args[1], 0)
    tree = await s.face.tree()
    found = tree.track(uri)
    if found is None:
        raise Ack(Code.NO_EXIST, "No such file")
    key = (kind, clean(uri))
    kept, data = s.face.pictures.get(key)
    if not kept:
        data = await s.face.run(art.picture, found, s.face.roots, kind)
        s.face.pictures.put(key, data)
    if data is None:
        if kind == "albumart":
            raise Ack(Code.NO_EXIST, "No file exists")
        return  # readpicture: no embedded picture is an empty answer
    if offset > len(data):
        raise Ack(Code.ARG, "Bad file offset")
    reply.add("size", len(data))
    if kind == "readpicture":
        reply.add("type", art.mime(data))
    reply.binary(data[offset : offset + s.binary_limit])


@command("albumart", low=2, high=2)
async def _albumart(s: Session, args: list[str], reply: Reply) -> None:
    await _picture(s, args, reply, "albumart")


@command("readpicture", low=2, high=2)
async def _readpicture(s: Session, args: list[str], reply: Reply) -> None:
    await _picture(s, args, reply, "readpicture")


@command("idle", high=len(TAGS) + 20)
async def _idle_listed(s: Session, args: list[str], reply: Reply) -> None:
    raise Ack(Code.ARG, "idle is not allowed in a command list")  # the session handles idle


@command("noidle")
async def _noidle(s: Session, args: list[str], reply: Reply) -> None:
    pass
