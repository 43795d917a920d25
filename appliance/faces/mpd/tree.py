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
    """One directory: its sub-directories' URIs and its tracks, in the library's order."""

    folders: list[str] = field(default_factory=list)
    files: list[tuple[str, Track]] = field(default_factory=list)  # (URI, track)


class MusicTree:
    """The library's tracks placed under their music folders (built once per library change).

    A track outside every music folder has no URI and is never listed or served."""

    def __init__(self, tracks: Sequence[Track], roots: Sequence[Path]) -> None:
        real = [os.path.abspath(os.path.expanduser(str(root))) for root in roots]
        self._roots = list(dict.fromkeys(real))
        by_root: dict[str, list[tuple[str, Track]]] = {root: [] for root in self._roots}
        for track in tracks:
            root = self._root_of(track.path)
            if root is not None:
                by_root[root].append((to_uri(os.path.relpath(track.path, root)), track))
        used = [root for root in self._roots if by_root[root]]
        self._labels: dict[str, str] = {}
        if len(used) > 1:
            for root in used:
                label = to_uri(os.path.basename(root.rstrip("/")) or "music")
                while label in self._labels.values():
                    label += "+"
                self._labels[root] = label
        self._uris: dict[str, Track] = {}
        self._uri_of: dict[str, str] = {}
        self.folders: dict[str, Folder] = {"": Folder()}
        for root in used:
            label = self._labels.get(root, "")
            for relative, track in by_root[root]:
                uri = f"{label}/{relative}" if label else relative
                if uri in self._uris:
                    continue
                self._uris[uri] = track
                self._uri_of.setdefault(track.track_id, uri)
                self._place(uri, track)
        for folder in self.folders.values():
            folder.folders.sort(key=str.casefold)
        listed = list(self._uris.values())
        self.artists = len({t.artist.casefold() for t in listed if t.artist})
        self.albums = len({t.album.casefold() for t in listed if t.album})
        self.playtime = sum(t.duration for t in listed)
        self.built_at = time.time()

    def _root_of(self, path: str) -> str | None:
        best = None
        for root in self._roots:
            if path.startswith(root.rstrip("/") + "/") and (best is None or len(root) > len(best)):
                best = root
        return best

    def _place(self, uri: str, track: Track) -> None:
        parent = uri.rpartition("/")[0]
        folder = self.folders.get(parent)
        if folder is None:
            folder = self._folder(parent)
        folder.files.append((uri, track))

    def _folder(self, uri: str) -> Folder:
        folder = self.folders.get(uri)
        if folder is None:
            folder = self.folders[uri] = Folder()
            self._folder(uri.rpartition("/")[0]).folders.append(uri)
        return folder

    def __len__(self) -> int:
        return len(self._uris)

    def uri_of(self, track: Track) -> str | None:
        """The URI of a library track (by its id), or of a track at a path in a music folder."""
        uri = self._uri_of.get(track.track_id)
        if uri is not None:
            return uri
        root = self._root_of(track.path)
        if root is None:
            return None
        relative = to_uri(os.path.relpath(track.path, root))
        label = self._labels.get(root, "")
        return f"{label}/{relative}" if label else relative

    def track(self, uri: str) -> Track | None:
        return self._uris.get(clean(uri))

    def folder(self, uri: str) -> Folder | None:
        return self.folders.get(clean(uri))

    def tracks(self) -> Iterator[tuple[str, Track]]:
        """Every (URI, track), in the library's order."""
        return iter(self._uris.items())

    def under(self, uri: str) -> Iterator[tuple[str, Track]]:
        """The file at ``uri`` or every file below the directory ``uri``, depth first."""
        uri = clean(uri)
        track = self._uris.get(uri)
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
        folder = self.folders.get(clean(uri))
        if folder is None:
            return
        stack: list[Folder | str] = [folder]
        while stack:
            item = stack.pop()
            if isinstance(item, str):
                yield "directory", item
                stack.append(self.folders[item])
                continue
            for file in item.files:
                yield "file", file
            stack.extend(reversed(item.folders))
