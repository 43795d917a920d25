"""Finding music files in folders and reading one file into what the index stores.

Walking only lists and stats (cheap, so an unchanged library re-scans in a blink); reading opens
the file, parses its tags and container with mutagen, checks the audio is all there and hashes
it into the content id. Anything wrong with one file becomes a reason in the report, never an
exception that stops the scan.
"""

from __future__ import annotations

import logging
import os
import stat
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, BinaryIO

import mutagen

from appliance.library.container import inspect
from appliance.library.filenames import readable, shown
from appliance.library.genres import GenreMap
from appliance.library.identity import content_id
from appliance.library.lean import lean_view
from appliance.library.presence import present
from appliance.library.progress import Progress
from appliance.library.tags import TagValues, guess_from_path, read_tag_values, with_title

log = logging.getLogger(__name__)

AUDIO_SUFFIXES = frozenset(
    {".mp3", ".flac", ".ogg", ".oga", ".opus", ".m4a", ".m4b", ".aac", ".wav", ".wave",
     ".aif", ".aiff", ".aifc"}
)  # fmt: skip
# What music folders hold besides music: passed over without a word.
COMPANION_SUFFIXES = frozenset(
    {".jpg", ".jpeg", ".png", ".gif", ".bmp", ".webp", ".tif", ".tiff", ".m3u", ".m3u8",
     ".pls", ".xspf", ".cue", ".log", ".nfo", ".sfv", ".md5", ".ffp", ".accurip", ".lrc",
     ".pdf", ".db", ".ini", ".url", ".sha1", ".sha256", ".par2", ".torrent", ".json", ".xml"}
)  # fmt: skip


@dataclass
class ScanReport:
    """What one scan did. ``errors`` lists (path, reason) for every file it could not index."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    moved: int = 0
    unchanged: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed or self.moved)

    def summary(self) -> str:
        """One line: the counts and how long it took."""
        return (
            f"{self.added} added, {self.updated} updated, {self.moved} moved, "
            f"{self.removed} removed, {self.unchanged} unchanged, {len(self.errors)} not indexed "
            f"({self.seconds:.1f} s)"
        )


@dataclass
class Listing:
    """Every music file under the scanned folders, and what could not be looked at."""

    files: dict[str, tuple[int, int]] = field(default_factory=dict)  # path: (size, mtime_ns)
    errors: list[tuple[str, str]] = field(default_factory=list)
    # Folders that were missing or could not be listed: what the index holds under them stays.
    blind_spots: list[str] = field(default_factory=list)


def normalise_root(root: str | os.PathLike[str]) -> str:
    """The absolute form paths are stored in (symbolic links kept, so a mount can move)."""
    return os.path.abspath(os.path.expanduser(os.fspath(root)))


def walk(roots: list[str], progress: Progress | None = None) -> Listing:
    """List the music files under ``roots`` (folders or single files), following links once."""
    listing = Listing()
    seen_folders: set[tuple[int, int]] = set()
    for root in roots:
        try:
            info = os.stat(root)
        except OSError as error:
            listing.errors.append((root, f"cannot open: {error.strerror}"))
            listing.blind_spots.append(root)
            continue
        if stat.S_ISDIR(info.st_mode) and not present(root):
            # an empty music folder is most likely a mount point whose drive is not there:
            # a blind spot, like a missing one (an unplugged drive never empties the library)
            listing.errors.append(
                (root, "the folder is empty (a drive not mounted?): nothing under it was scanned")
            )
            listing.blind_spots.append(root)
        elif stat.S_ISDIR(info.st_mode):
            _walk_folder(root, listing, seen_folders, progress)
        else:
            _add_file(root, os.path.basename(root), info, listing)
    return listing


def _walk_folder(
    root: str, listing: Listing, seen: set[tuple[int, int]], progress: Progress | None
) -> None:
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            info = os.stat(folder)
            key = (info.st_dev, info.st_ino)
            if key in seen:
                continue  # a link back into a folder already walked
            seen.add(key)
            with os.scandir(folder) as entries:
                children = sorted(entries, key=lambda entry: entry.name)
        except OSError as error:
            listing.errors.append((folder, f"cannot list the folder: {error.strerror}"))
            listing.blind_spots.append(folder)
            continue
        for entry in reversed(children):
            if entry.name.startswith("."):
                continue
            try:
                is_folder = entry.is_dir()
            except OSError:
                is_folder = False
            if is_folder:
                stack.append(entry.path)
                continue
            suffix = os.path.splitext(entry.name)[1].lower()
            if suffix in COMPANION_SUFFIXES:
                continue
            if suffix not in AUDIO_SUFFIXES:
                kind = suffix or "no file name extension"
                listing.errors.append((entry.path, f"not a music file ({kind})"))
                continue
            try:
                file_info = entry.stat()
            except FileNotFoundError:
                listing.errors.append((entry.path, "broken link: the file it points to is gone"))
                continue
            except OSError as error:
                listing.errors.append((entry.path, f"cannot read: {error.strerror}"))
                continue
            _add_file(entry.path, entry.name, file_info, listing)
            if progress:
                progress.advance()


def _add_file(path: str, name: str, info: os.stat_result, listing: Listing) -> None:
    if not stat.S_ISREG(info.st_mode):
        listing.errors.append((path, "not a regular file"))
    elif os.path.splitext(name)[1].lower() not in AUDIO_SUFFIXES:
        listing.errors.append((path, f"not a music file ({os.path.splitext(name)[1] or name})"))
    else:
        listing.files[path] = (info.st_size, info.st_mtime_ns)


def _likely_kinds() -> dict[str, list[type]]:
    from mutagen.aac import AAC
    from mutagen.aiff import AIFF
    from mutagen.flac import FLAC
    from mutagen.mp3 import MP3
    from mutagen.mp4 import MP4
    from mutagen.oggflac import OggFLAC
    from mutagen.oggopus import OggOpus
    from mutagen.oggspeex import OggSpeex
    from mutagen.oggvorbis import OggVorbis
    from mutagen.wave import WAVE

    ogg: list[type] = [OggVorbis, OggOpus, OggFLAC, OggSpeex]
    return {
        ".mp3": [MP3], ".flac": [FLAC], ".ogg": ogg, ".oga": ogg, ".opus": [OggOpus, *ogg],
        ".m4a": [MP4], ".m4b": [MP4], ".aac": [AAC, MP4], ".wav": [WAVE], ".wave": [WAVE],
        ".aif": [AIFF], ".aiff": [AIFF], ".aifc": [AIFF],
    }  # fmt: skip


_LIKELY_KINDS: dict[str, list[type]] = {}


def _open_audio(handle: BinaryIO, suffix: str, size: int) -> Any:
    """mutagen's reading of the file, trying first what its name says it is (mutagen's full
    guessing costs more than reading the tags); a misnamed file is still recognised. Large
    tags are read without their pictures (see :mod:`appliance.library.lean`)."""
    view = lean_view(handle, size)
    if not _LIKELY_KINDS:
        _LIKELY_KINDS.update(_likely_kinds())
    likely = _LIKELY_KINDS.get(suffix)
    if likely:
        try:
            audio = mutagen.File(view, options=likely)
        except Exception:  # not what its name says (or damaged): let mutagen guess
            audio = None
        if audio is not None:
            return audio
        view.seek(0)
    return mutagen.File(view)


class BadFile(Exception):
    """A file that cannot be indexed; the message is the reason shown in the scan report."""


@dataclass(frozen=True, slots=True)
class ScannedFile:
    """One file as read: where, which content, what its tags (or path) say, how long."""

    path: str
    content_id: str
    size: int
    mtime_ns: int
    values: TagValues
    duration: float


def read_file(path: str, root: str | None, genres: GenreMap) -> ScannedFile:
    """Read tags, container and content id of one file; raise BadFile with the reason."""
    try:
        handle = open(path, "rb")  # noqa: SIM115 (closed below; mutagen reads through it)
    except OSError as error:
        raise BadFile(f"cannot read: {error.strerror}") from error
    with handle:
        try:
            info = os.fstat(handle.fileno())
            if info.st_size == 0:
                raise BadFile("empty file")
            audio = _open_audio(handle, os.path.splitext(path)[1].lower(), info.st_size)
        except BadFile:
            raise
        except OSError as error:
            raise BadFile(f"cannot read: {error.strerror or error}") from error
        except Exception as error:  # mutagen raises many kinds on damaged input
            kind = Path(path).suffix.lstrip(".").upper() or "audio"
            raise BadFile(f"corrupt or not {kind}: {error}") from error
        if audio is None:
            raise BadFile("not an audio file: its content is no format the appliance reads")
        if getattr(audio.info, "sketchy", False):
            raise BadFile("holds no playable audio")
        try:
            payload = inspect(handle, Path(path), info.st_size, audio)
            if payload.problem:
                raise BadFile(payload.problem)
            audio_id = content_id(handle, payload)
        except OSError as error:
            raise BadFile(f"cannot read: {error.strerror or error}") from error
        length = float(getattr(audio.info, "length", 0.0) or 0.0)
        if length < 0.001:  # under a millisecond (a damaged header may claim a few samples)
            raise BadFile("holds no playable audio")
        try:
            tagged = read_tag_values(audio.tags, genres)
        except Exception as error:  # damaged tag frames: index the file by its path instead
            tagged = TagValues()
            log.info("%s: unreadable tags (%s); naming it from its path", shown(path), error)
    guessed = guess_from_path(Path(path), Path(root) if root else None)
    values = _readable(with_title(tagged.filled_from(guessed), Path(path)))
    return ScannedFile(
        path=path,
        content_id=audio_id,
        size=info.st_size,
        mtime_ns=info.st_mtime_ns,
        values=values,
        duration=round(length, 3),
    )


def _readable(values: TagValues) -> TagValues:
    """Names fit to print and say: a name from a file name that is not UTF-8, or a tag with a
    line break in it, must not break a message, a database row or the DJ's sentence."""
    return replace(
        values,
        title=readable(values.title),
        artist=readable(values.artist),
        album=readable(values.album),
        album_artist=readable(values.album_artist),
        genres=tuple(readable(genre) for genre in values.genres),
    )
