"""The demo library: a few dozen short, tagged tracks so a new appliance has something to play.

Made once into ``<data dir>/demo-music``: the tracks are rendered into a private folder next to
it and the folder is renamed into place only when every file is written and synced, so an
interrupted run never leaves a half library that counts as done (the next run starts over).
Only numpy, soundfile (FLAC and Ogg Vorbis) and mutagen are needed: no sox or ffmpeg.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from mutagen import MutagenError

from appliance.atomic import fsync_file, fsync_folder
from appliance.diskspace import MB, enough_space, free_bytes, is_no_space
from appliance.errors import LibraryError
from appliance.library.progress import Progress
from appliance.library.synth import RATE, Style, render

FOLDER = "demo-music"
VERSION = 1
_MARKER = ".demo-library.json"
_PART = f"{FOLDER}.part-"
NEEDED_MB = 20  # what it takes on disk (15 MB measured), with room to spare

_STYLES: dict[str, Style] = {
    "house": Style(
        progression=((9, "min7"), (5, "maj7"), (0, "maj7"), (7, "7")),
        chords="stabs", chord_steps="...x..x....x..x.",
        kick="x...x...x...x...", clap="....x.......x...", hat="o.o.o.o.o.o.o.o.",
        open_hat="..x...x...x...x.", bass="..r...r-..r...o.", loudness_db=-13.0,
    ),
    "techno": Style(
        progression=((0, "min"), (0, "min"), (8, "maj"), (7, "min")),
        chords="pad", kick="x...x...x...x...", clap="....o.......o...",
        hat="oooooooooooooooo", open_hat="..x...x...x...x.", bass="r.r.r.r.r.r.r.r.",
        loudness_db=-12.0,
    ),
    "ambient": Style(
        progression=((0, "add9"), (5, "maj7"), (9, "min7"), (5, "add9")),
        chords="pad", bass="r---------------", bars_per_chord=2, loudness_db=-23.0,
        bright=False, bells=True,
    ),
    "lofi": Style(
        progression=((5, "maj7"), (4, "min7"), (2, "min7"), (0, "maj7")),
        chords="keys", chord_steps="x.........o.....", kick="x.....x...x.....",
        snare="....o.......o...", hat="o.ooo.o.o.ooo.o.", bass="r.....r...f.....",
        swing=0.3, loudness_db=-20.0, bright=False, crackle=True,
    ),
    "boom bap": Style(
        progression=((0, "min7"), (5, "min7"), (0, "min7"), (8, "maj7")),
        chords="keys", chord_steps="x.......o.......", kick="x......x..x.....",
        snare="....x.......x...", hat="x.o.x.o.x.o.x.o.", bass="r......r..r.....",
        swing=0.25, loudness_db=-15.0,
    ),
    "jazz": Style(
        progression=((2, "min7"), (7, "7"), (0, "maj7"), (9, "7")),
        chords="comp", chord_steps="..o.....o..o....", kick="o.......o.......",
        snare="....o.......o...", hat="x...x.ox....x.ox", bass="r...t...f...o...",
        swing=0.33, loudness_db=-19.0,
    ),
    "synthwave": Style(
        progression=((9, "min"), (5, "maj"), (0, "maj"), (7, "maj")),
        chords="arp", kick="x.......x.......", snare="....x.......x...",
        hat="x.x.x.x.x.x.x.x.", bass="r.o.r.o.r.o.r.o.", loudness_db=-15.0,
    ),
    "rock": Style(
        progression=((0, "5"), (7, "5"), (9, "5"), (5, "5")),
        chords="power", chord_steps="x.x.x.x.x.x.x.x.", kick="x.....x.x.......",
        snare="....x.......x...", hat="x.x.x.x.x.x.x.x.", bass="r.r.r.r.r.r.r.r.",
        loudness_db=-12.5,
    ),
    "reggae": Style(
        progression=((0, "maj"), (5, "maj"), (7, "maj"), (5, "maj")),
        chords="skank", chord_steps="....x.......x...", kick="........x.......",
        snare="........o.......", hat="o.o.o.o.o.o.o.o.", bass="r..r..f.....t...",
        swing=0.2, loudness_db=-17.0,
    ),
    "drum and bass": Style(
        progression=((0, "min7"), (8, "maj7"), (3, "maj7"), (10, "7")),
        chords="pad", kick="x.........x.....", snare="....x.......x...",
        hat="x.o.x.o.x.o.x.o.", bass="r-------f-------", bars_per_chord=2,
        loudness_db=-11.5,
    ),
    "disco": Style(
        progression=((9, "min7"), (2, "min7"), (7, "7"), (0, "maj7")),
        chords="stabs", chord_steps="x.....x...x.....", kick="x...x...x...x...",
        snare="....x.......x...", hat="o.o.o.o.o.o.o.o.", open_hat="..x...x...x...x.",
        bass="r.o.r.o.r.o.r.o.", loudness_db=-13.5,
    ),
    "bossa nova": Style(
        progression=((0, "maj7"), (2, "min7"), (7, "7"), (0, "maj7")),
        chords="comp", chord_steps="x..x..x...x..x..", snare="x..x..x...x..x..",
        hat="oooooooooooooooo", kick="x..xx..xx..xx..x", bass="r.....f.r.....f.",
        loudness_db=-19.5,
    ),
}  # fmt: skip


@dataclass(frozen=True)
class DemoArtist:
    """One made-up artist: an album of three tracks in one style."""

    name: str
    album: str
    year: int
    genre_tag: str  # as a real tagger might spell it; scanning normalises it
    style: str
    key: int  # MIDI note of the key's root
    tracks: tuple[tuple[str, float], ...]  # (title, bpm)


CATALOGUE: tuple[DemoArtist, ...] = (
    DemoArtist("Velvet Harbour", "Night Ferries", 2019, "Deep House", "house", 57,
               (("Lanterns on the Quay", 122), ("Saltwater Lights", 124), ("Last Boat Home", 120))),
    DemoArtist("Juniper Static", "Circuit Gardens", 2021, "Techno", "techno", 55,
               (("Copper Bloom", 130), ("Signal Moss", 128), ("Cold Orchard", 134))),
    DemoArtist("Moss & Meridian", "Slow Weather", 2017, "Ambient", "ambient", 60,
               (("Fog over Larches", 64), ("Driftglass", 70), ("A Quiet Field", 60))),
    DemoArtist("Dusty Almanac", "Sunday Tape Loops", 2020, "Lo-Fi; Hip-Hop", "lofi", 62,
               (("Rain on the Fire Escape", 78), ("Library Hours", 84), ("Tea Gone Cold", 72))),
    DemoArtist("Concrete Sonnets", "Block Letters", 2016, "Hip-Hop/Rap", "boom bap", 58,
               (("Corner Store Psalms", 92), ("Brick by Brick", 88), ("Stoop Talk", 95))),
    DemoArtist("Marisol Quartet", "Blue Hour Sessions", 2015, "Jazz", "jazz", 58,
               (("Blue Hour", 132), ("Sidewalk Stroll", 118), ("After the Matinee", 144))),
    DemoArtist("Neon Paloma", "Midnight Drive Club", 2018, "Synthwave; Electronic", "synthwave",
               57, (("Chrome Sunset", 104), ("Palm Tree Radio", 110), ("Coastline 1986", 100))),
    DemoArtist("Iron Lilac", "Loud Weather", 2014, "Rock", "rock", 52,
               (("Gravel Hearts", 138), ("Thunder in July", 126), ("Kerosene Summer", 150))),
    DemoArtist("Sunsplash Collective", "Trade Winds", 2012, "Reggae", "reggae", 55,
               (("Sunday Market", 76), ("Hillside Sound", 72), ("Blue Mountain Morning", 80))),
    DemoArtist("Kilowatt Brothers", "Breakneck", 2022, "Drum & Bass", "drum and bass", 53,
               (("Voltage Rain", 172), ("Rush Hour Rollers", 174), ("Night Bus Tempo", 170))),
    DemoArtist("Glitter Avenue", "Roller Rink Romance", 2013, "Disco; Funk", "disco", 57,
               (("Mirrorball Mondays", 118), ("Satin Jacket", 122), ("Skate Till Dawn", 116))),
    DemoArtist("Bossa Luz", "Janela Aberta", 2010, "Bossa Nova; Latin", "bossa nova", 62,
               (("Varanda", 128), ("Manhã de Sal", 136), ("Café na Praia", 124))),
)  # fmt: skip

_SECONDS = (24.0, 21.0, 27.0)  # track lengths, varied by position on the album


@dataclass(frozen=True)
class DemoTrack:
    """One track to make: where it goes and what it is."""

    relative_path: str
    artist: DemoArtist
    title: str
    number: int
    bpm: float
    seconds: float
    seed: int


def demo_tracks() -> list[DemoTrack]:
    """Every track of the demo library: two in three FLAC (quick to encode), the rest Ogg."""
    tracks = []
    for artist_index, artist in enumerate(CATALOGUE):
        for number, (title, bpm) in enumerate(artist.tracks, start=1):
            index = artist_index * 3 + number
            suffix = "ogg" if index % 3 == 0 else "flac"
            tracks.append(
                DemoTrack(
                    relative_path=f"{artist.name}/{artist.album}/{number:02d} {title}.{suffix}",
                    artist=artist,
                    title=title,
                    number=number,
                    bpm=bpm,
                    seconds=_SECONDS[(number + artist_index) % len(_SECONDS)],
                    seed=1000 + index,
                )
            )
    return tracks


def ensure_demo_library(data_dir: Path, progress: bool | None = None) -> Path:
    """The folder with the demo tracks, made the first time (safe to call at every start).

    A disk without room for it is a LibraryError saying how much is needed and where; nothing
    partial is left behind.
    """
    target = Path(data_dir) / FOLDER
    if _is_complete(target):
        return target
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _remove_abandoned(target.parent)
        if not enough_space(target.parent, NEEDED_MB * MB):
            raise _no_room(target)
        work = Path(tempfile.mkdtemp(prefix=f"{_PART}{os.getpid()}-", dir=target.parent))
    except OSError as error:
        if is_no_space(error):
            raise _no_room(target) from error
        raise LibraryError(
            f"{target.parent}: cannot make the demo library: {error.strerror}",
            hint="check that the data directory is writable (APPLIANCE_DATA_DIR)",
        ) from error
    try:
        work.chmod(0o755)
        _make(work, progress)
        _publish(work, target)
    except (OSError, RuntimeError, MutagenError) as error:  # soundfile: RuntimeError
        shutil.rmtree(work, ignore_errors=True)  # first, so the free space said is all there is
        if _disk_full(error, target.parent):
            raise _no_room(target) from error
        raise LibraryError(
            f"{target}: cannot make the demo library: {getattr(error, 'strerror', '') or error}",
            hint="check the free space and permissions of the data directory",
        ) from error
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


def _disk_full(error: BaseException, folder: Path) -> bool:
    """Whether a failure to make the library was the disk filling up: an error that carries its
    errno says so itself; soundfile's and mutagen's may hide it, so for them the disk decides."""
    cause: BaseException | None = error
    while cause is not None:
        if is_no_space(cause):
            return True
        if isinstance(cause, OSError) and cause.errno is not None:
            return False
        cause = cause.__cause__ or cause.__context__
    return not enough_space(folder, NEEDED_MB * MB)


def _no_room(target: Path) -> LibraryError:
    free = (free_bytes(target.parent) or 0) / MB
    return LibraryError(
        f"no space for the demo library: it needs about {NEEDED_MB} MB in {target.parent}, "
        f"which has {free:.0f} MB free",
        hint=f"free {NEEDED_MB} MB on that disk, or set library.music_folders to your own music",
    )


def _is_complete(folder: Path) -> bool:
    try:
        marker = json.loads((folder / _MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(marker, dict) and marker.get("version") == VERSION


def _remove_abandoned(parent: Path) -> None:
    """Delete unfinished demo folders whose maker is no longer running."""
    for folder in parent.glob(f"{_PART}*"):
        pid_text = folder.name[len(_PART) :].split("-", 1)[0]
        if pid_text.isdigit() and _running(int(pid_text)):
            continue
        shutil.rmtree(folder, ignore_errors=True)


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _make(work: Path, progress: bool | None) -> None:
    tracks = demo_tracks()
    with (
        Progress("Making the demo library", total=len(tracks), enabled=progress) as bar,
        ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool,
    ):
        for _ in pool.map(lambda track: _write_track(work, track), tracks):
            bar.advance()
    marker = work / _MARKER
    marker.write_text(
        json.dumps({"version": VERSION, "tracks": len(tracks), "made": time.time()}) + "\n",
        encoding="utf-8",
    )
    fsync_file(marker)
    for folder in sorted({(work / track.relative_path).parent for track in tracks}):
        fsync_folder(folder)
        fsync_folder(folder.parent)
    fsync_folder(work)


def _write_track(work: Path, track: DemoTrack) -> None:
    import soundfile
    from mutagen import File as MutagenFile

    audio = render(
        _STYLES[track.artist.style], track.bpm, track.artist.key, track.seconds, track.seed
    )
    path = work / track.relative_path
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".flac":
        soundfile.write(path, audio, RATE, format="FLAC", subtype="PCM_16")
    else:
        soundfile.write(path, audio, RATE, format="OGG", subtype="VORBIS")
    tagged = MutagenFile(path)
    if tagged.tags is None:
        tagged.add_tags()
    artist = track.artist
    tagged.tags.update(
        {
            "title": track.title,
            "artist": artist.name,
            "album": artist.album,
            "albumartist": artist.name,
            "genre": artist.genre_tag,
            "date": str(artist.year),
            "tracknumber": f"{track.number}/{len(artist.tracks)}",
            "bpm": f"{track.bpm:g}",
            "comment": "QFZZ demo library",
        }
    )
    tagged.save()
    fsync_file(path)


def _publish(work: Path, target: Path) -> None:
    """Rename the finished folder into place; an older or unfinished one is set aside first."""
    if target.exists():
        aside = target.with_name(f"{FOLDER}.old-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}")
        if _is_complete(target):
            return  # another process finished first
        target.rename(aside)
        if (aside / _MARKER).exists():  # an older demo library of ours: replaced, not kept
            shutil.rmtree(aside, ignore_errors=True)
    try:
        work.rename(target)
    except OSError:
        if not _is_complete(target):
            raise
        return
    fsync_folder(target.parent)
