"""The music folders as MPD sees them: URIs relative to the music folder, and their directories.

MPD speaks UTF-8, but a file name on a USB stick may be any bytes. A URI is the path below its
music folder with every byte that is not UTF-8 written ``\\xHH``, a control character (a line
break in a name) ``\\xHH`` too, and a backslash doubled, so that it is printable, one line, and
turns back into the exact name (:func:`from_uri` reverses :func:`to_uri`). With one music folder
its files are at the top; with several, each is a top-level directory named after it.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from appliance.library.track import Track

_NEEDS_ESCAPE = re.compile(r"[\\\x00-\x1f\x7f\udc80-\udcff]")
_ESCAPED = re.compile(r"\\(\\|x[0-9a-fA-F]{2})")


def to_uri(relative: str) -> str:
    """A path below a music folder (Python's str of its bytes) as printable one-line UTF-8."""
    return _NEEDS_ESCAPE.sub(_escape, relative)


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char == "\\":
        return "\\\\"
    code = ord(char)
    return f"\\x{code - 0xDC00 if code >= 0xDC80 else code:02x}"


def from_uri(uri: str) -> str:
    """The path :func:`to_uri` was given (a lone backslash that escapes nothing stays as is)."""
    if "\\" not in uri:
        return uri
    return _ESCAPED.sub(_unescape, uri)


def _unescape(match: re.Match[str]) -> str:
    body = match.group(1)
    if body == "\\":
        return "\\"
    code = int(body[1:], 16)
    return chr(code + 0xDC00) if code >= 0x80 else chr(code)  # a raw byte, as os.fsdecode has it


def clean(uri: str) -> str:
    """A URI as a client may send it ("/Jazz/", "Jazz//a.mp3") in its one written form."""
    return "/".join(part for part in uri.split("/") if part not in ("", "."))


@dataclass
class Folder:
    """One directory: its sub-directories' URIs and its tracks (by file name), in the library's
    order. Names, not whole URIs, are kept: 100,000 tracks cost the tree about half as much."""

    folders: list[str] = field(default_factory=list)
    files: list[tuple[str, Track]] = field(default_factory=list)  # (file name, track)


def _join(folder: str, name: str) -> str:
    return f"{folder}/{name}" if folder else name


class MusicTree:
    """The library's tracks placed under their music folders (built once per library change).

    A track outside every music folder has no URI and is never listed or served."""

    def __init__(self, tracks: Sequence[Track], roots: Sequence[Path]) -> None:
        started = time.perf_counter()
        real = [os.path.abspath(os.path.expanduser(str(root))) for root in roots]
        self._roots = list(dict.fromkeys(real))
        placed = [(self._root_of(track.path), track) for track in tracks]
        used = [root for root in self._roots if any(where == root for where, _ in placed)]
        self._labels: dict[str, str] = {}
        if len(used) > 1:
            for root in used:
                label = to_uri(os.path.basename(root.rstrip("/")) or "music")
                while label in self._labels.values():
                    label += "+"
                self._labels[root] = label
        self.folders: dict[str, Folder] = {"": Folder()}
        self._count = 0
        signature = 0
        seen: set[str] = set()
        for where, track in placed:
            if where is None:
                continue
            uri = self._uri(where, track.path)
            if uri in seen:
                continue
            seen.add(uri)
            parent, _, name = uri.rpartition("/")
            self._folder(parent).files.append((name, track))
            self._count += 1
            signature ^= hash((uri, track.title, track.artist, track.album, track.duration))
        del seen
        for folder in self.folders.values():
            folder.folders.sort(key=str.casefold)
        listed = [track for folder in self.folders.values() for _, track in folder.files]
        self.artists = len({t.artist.casefold() for t in listed if t.artist})
        self.albums = len({t.album.casefold() for t in listed if t.album})
        self.playtime = sum(t.duration for t in listed)
        self.signature = (self._count, signature)  # what a client's copy of it would show
        self.built_at = time.time()
        self.build_seconds = time.perf_counter() - started

    def _root_of(self, path: str) -> str | None:
        best = None
        for root in self._roots:
            if path.startswith(root.rstrip("/") + "/") and (best is None or len(root) > len(best)):
                best = root
        return best

    def _uri(self, root: str, path: str) -> str:
        relative = to_uri(os.path.relpath(path, root))
        label = self._labels.get(root, "")
        return f"{label}/{relative}" if label else relative

    def _folder(self, uri: str) -> Folder:
        folder = self.folders.get(uri)
        if folder is None:
            folder = self.folders[uri] = Folder()
            self._folder(uri.rpartition("/")[0]).folders.append(uri)
        return folder

    def __len__(self) -> int:
        return self._count

    def uri_of(self, track: Track) -> str | None:
        """The URI of a track at a path inside a music folder (None: outside them all)."""
        root = self._root_of(track.path)
        return None if root is None else self._uri(root, track.path)

    def track(self, uri: str) -> Track | None:
        parent, _, name = clean(uri).rpartition("/")
        folder = self.folders.get(parent)
        if folder is None or not name:
            return None
        return next((track for file, track in folder.files if file == name), None)

    def folder(self, uri: str) -> Folder | None:
        return self.folders.get(clean(uri))

    def listing(self, uri: str) -> list[tuple[str, Track]]:
        """(URI, track) of the files directly in the directory ``uri``."""
        uri = clean(uri)
        folder = self.folders.get(uri)
        return [] if folder is None else [(_join(uri, name), t) for name, t in folder.files]

    def tracks(self) -> Iterator[tuple[str, Track]]:
        """Every (URI, track), folder by folder."""
        for kind, item in self.walk(""):
            if kind == "file":
                assert isinstance(item, tuple)
                yield item

    def under(self, uri: str) -> Iterator[tuple[str, Track]]:
        """The file at ``uri`` or every file below the directory ``uri``, depth first."""
        uri = clean(uri)
        track = self.track(uri)
        if track is not None:
            yield uri, track
            return
        for kind, item in self.walk(uri):
            if kind == "file":
                assert isinstance(item, tuple)
                yield item

    def walk(self, uri: str) -> Iterator[tuple[str, str | tuple[str, Track]]]:
        """("directory", uri) and ("file", (uri, track)) below ``uri``, as MPD lists them: a
        directory's files, then each sub-directory and what is below it."""
        uri = clean(uri)
        if uri not in self.folders:
            return
        stack: list[tuple[str, bool]] = [(uri, False)]
        while stack:
            at, announce = stack.pop()
            if announce:
                yield "directory", at
            folder = self.folders[at]
            for name, track in folder.files:
                yield "file", (_join(at, name), track)
            stack.extend((sub, True) for sub in reversed(folder.folders))
