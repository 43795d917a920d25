"""The library: a SQLite index of the music files, kept up to date by scanning and measuring.

One connection, one lock: the DJ reads, a scan writes in batches, and background analysis writes
a few tracks at a time, so no reader ever waits long and a scan killed halfway leaves every batch
it finished. Files leave the index only after a complete walk of their folder, so an interrupted
scan or an unplugged drive never empties the library; music that goes away while the appliance
runs is hidden until it is back (see :mod:`appliance.library.presence`).
"""

from __future__ import annotations

import logging
import os
import queue
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from appliance.errors import LibraryError
from appliance.library.database import no_space, open_index, out_of_space, read_only_error
from appliance.library.filenames import from_db, shown, to_db
from appliance.library.genres import GenreMap, default_genres
from appliance.library.identity import track_id_for
from appliance.library.presence import Change, Presence
from appliance.library.progress import Progress
from appliance.library.scan import (
    BadFile,
    ScannedFile,
    ScanReport,
    normalise_root,
    read_file,
    walk,
)
from appliance.library.track import Track

if TYPE_CHECKING:
    from appliance.library.features import Features

log = logging.getLogger(__name__)

_BATCH_FILES = 200
_BATCH_SECONDS = 1.0
_IDLE_SECONDS = 30.0
_STOP_TIMEOUT = 15.0
_BACKGROUND_NICE = 19
_ANALYSIS_BATCH = 25
_ANALYSIS_BATCH_SECONDS = 5.0
WATCH_SECONDS = 5.0  # how often the music folders are looked at (a stat each)

_GENRE_SEPARATOR = "|"  # canonical genre names never hold one
_TRACK_COLUMNS = (
    "track_id, path, title, artist, album, album_artist, genres, year, track_number, duration, "
    "bpm, energy, loudness"
)


@dataclass(frozen=True, slots=True)
class LibraryStats:
    """Counts over the index; ``errors`` counts files that could not be indexed or measured."""

    tracks: int
    artists: int
    albums: int
    genres: int
    analysed: int
    errors: int
    pending: int = 0  # tracks still waiting for their tempo and energy to be measured

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


class Library:
    """The local music library (see the module docstring); safe to use from several threads."""

    def __init__(self, db_path: str | Path | None = None, genres: GenreMap | None = None) -> None:
        self.path = Path(db_path) if db_path is not None else None
        self.genres = genres or default_genres()
        self._db = open_index(self.path)
        self._lock = threading.RLock()
        self._tracks: tuple[int, list[Track]] | None = None
        self._search: tuple[int, list[Track], dict[str, list[str]]] | None = None
        self._analysis: threading.Thread | None = None
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._scanning = threading.Lock()  # one scan at a time (start-up, the CLI, the watch)
        self.presence = Presence()
        self._watched: list[str] = []
        self._on_change: Callable[[Change], None] | None = None
        self._watch: threading.Thread | None = None
        self._watch_stop = threading.Event()
        self._rescans: queue.SimpleQueue[Change | None] = queue.SimpleQueue()
        self._rescanner: threading.Thread | None = None
        self.watch_cycles = 0  # looks the watch has finished (tests wait on it, not a clock)
        self._never_seen: set[str] = set()  # folders missing since the watch began

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading ---------------------------------------------------------------------------

    @property
    def generation(self) -> int:
        """A number that changes whenever tracks or their features change (in any process)."""
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        return int(row[0]) + self.presence.version

    def tracks(self) -> list[Track]:
        """Every track (each file is one, copies too), in album order."""
        with self._lock:
            generation = self.generation
            cached = self._tracks
            if cached is not None and cached[0] == generation:
                return list(cached[1])
            rows = self._db.execute(
                f"SELECT {_TRACK_COLUMNS} FROM files "
                "ORDER BY artist COLLATE NOCASE, album COLLATE NOCASE, track_number, "
                "title COLLATE NOCASE, path"
            ).fetchall()
        hidden = self.presence.hides
        cached = (generation, [track for track in map(_track, rows) if not hidden(track.path)])
        self._tracks = cached
        return list(cached[1])

    def get(self, track_id: str) -> Track | None:
        """The track with this id."""
        with self._lock:
            row = self._db.execute(
                f"SELECT {_TRACK_COLUMNS} FROM files WHERE track_id = ?",
                (track_id,),
            ).fetchone()
        return _track(row) if row else None

    def artists(self) -> list[str]:
        """Every artist name, sorted."""
        return _distinct(track.artist for track in self.tracks())

    def albums(self) -> list[str]:
        """Every album name, sorted."""
        return _distinct(track.album for track in self.tracks())

    def titles(self) -> list[str]:
        """Every track title, sorted."""
        return _distinct(track.title for track in self.tracks())

    def tracks_for_genre(self, name: str) -> list[Track]:
        """Tracks of the genre ``name`` or any genre below it ("electronic" finds deep house)."""
        return [
            track
            for track in self.tracks()
            if any(self.genres.covers(name, genre) for genre in track.genres)
        ]

    def search(self, text: str, limit: int = 10) -> list[Track]:
        """The tracks whose artist, album or title best match ``text``, however misspelt."""
        import numpy as np
        from rapidfuzz import fuzz, process, utils

        query = utils.default_process(text)
        if not query or limit <= 0:
            return []
        tracks, fields = self._search_fields()
        if not tracks:
            return []
        # One field at a time, misspellings and partial names count; across artist and title
        # together ("so what miles davis") every word must find its place, so that a shared
        # "on the" alone does not make a match.
        scorers = (
            ("title", fuzz.WRatio, 1.0),
            ("artist", fuzz.WRatio, 0.97),
            ("album", fuzz.WRatio, 0.93),
            ("artist_title", fuzz.token_set_ratio, 1.0),
        )
        best = np.zeros(len(tracks))
        for name, scorer, weight in scorers:
            scores = process.cdist([query], fields[name], scorer=scorer, processor=None)[0]
            best = np.maximum(best, scores * weight)
        order = sorted(
            (index for index in range(len(tracks)) if best[index] >= 60),
            key=lambda index: -best[index],
        )
        return [tracks[index] for index in order[:limit]]

    def _search_fields(self) -> tuple[list[Track], dict[str, list[str]]]:
        generation = self.generation
        cached = self._search
        if cached is None or cached[0] != generation:
            from rapidfuzz import utils

            tracks = self.tracks()
            fields = {
                "title": [utils.default_process(t.title) for t in tracks],
                "artist": [utils.default_process(t.artist) for t in tracks],
                "album": [utils.default_process(t.album) for t in tracks],
                "artist_title": [utils.default_process(f"{t.artist} {t.title}") for t in tracks],
            }
            cached = (generation, tracks, fields)
            self._search = cached
        return cached[1], cached[2]

    def stats(self) -> LibraryStats:
        """Counts of tracks, artists, albums, genres, analysed tracks and problem files."""
        tracks = self.tracks()
        with self._lock:
            analysed, pending, failed = self._db.execute(
                "SELECT count(DISTINCT CASE WHEN analysis = 1 THEN track_id END), "
                "count(DISTINCT CASE WHEN analysis = 0 THEN track_id END), "
                "count(DISTINCT CASE WHEN analysis = -1 THEN track_id END) FROM files"
            ).fetchone()
            bad_files = self._db.execute("SELECT count(*) FROM scan_errors").fetchone()[0]
        return LibraryStats(
            tracks=len(tracks),
            artists=len(self.artists()),
            albums=len(self.albums()),
            genres=len({genre for track in tracks for genre in track.genres}),
            analysed=analysed,
            errors=bad_files + failed,
            pending=pending,
        )

    def problems(self) -> list[tuple[str, str]]:
        """(path, reason) for every file the last scans or measurements could not handle."""
        with self._lock:
            rows = self._db.execute(
                "SELECT path, reason FROM scan_errors UNION ALL "
                "SELECT path, 'cannot measure: ' || analysis_error FROM files WHERE analysis = -1 "
                "ORDER BY 1"
            ).fetchall()
        return [(from_db(path), reason) for path, reason in rows]

    # -- scanning --------------------------------------------------------------------------

    @property
    def scanning(self) -> bool:
        """A scan is under way: an empty index may only mean it has not reached a track yet."""
        return self._scanning.locked()

    def scan(
        self,
        paths: Iterable[str | Path],
        progress: bool | None = None,
        on_progress: Callable[[int, ScanReport], None] | None = None,
    ) -> ScanReport:
        """Index the music under ``paths``: new and changed files are read, moved files keep
        their id, files gone from a completely walked folder leave the index. ``on_progress``
        hears the files found and the report so far after the walk and each stored batch."""
        with self._scanning:
            return self._scan(paths, progress, on_progress)

    def _scan(
        self,
        paths: Iterable[str | Path],
        progress: bool | None,
        on_progress: Callable[[int, ScanReport], None] | None = None,
    ) -> ScanReport:
        started = time.monotonic()
        show = sys.stderr.isatty() if progress is None else progress
        roots = list(dict.fromkeys(normalise_root(path) for path in paths))
        report = ScanReport()
        with Progress("Looking for music", enabled=show) as walking:
            listing = walk(roots, walking)
        report.errors.extend(listing.errors)

        known = self._known_under(roots)
        to_read = [
            path
            for path, (size, mtime_ns) in listing.files.items()
            if known.get(path, (None, None))[:2] != (size, mtime_ns)
        ]
        report.unchanged = len(listing.files) - len(to_read)
        tell = on_progress or (lambda _seen, _report: None)
        tell(len(listing.files), report)
        missing: dict[str, list[str]] = {}  # content id: indexed paths the walk did not find
        for path, (_size, _mtime, content) in known.items():
            if path not in listing.files and not _under_any(path, listing.blind_spots):
                missing.setdefault(content, []).append(path)

        broken: list[str] = []
        batch: list[ScannedFile] = []
        committed_at = time.monotonic()
        with Progress("Reading tags", total=len(to_read), enabled=show) as reading:
            for path in to_read:
                try:
                    batch.append(read_file(path, _root_of(path, roots), self.genres))
                except Exception as error:  # one bad file never stops the scan
                    if not isinstance(error, BadFile):
                        log.warning("%s: cannot index: %r", shown(path), error)
                    report.errors.append((path, str(error) or type(error).__name__))
                    if path in known:  # indexed before, broken now: it leaves the index
                        broken.append(path)
                reading.advance()
                if len(batch) >= _BATCH_FILES or time.monotonic() - committed_at > _BATCH_SECONDS:
                    self._store(batch, known, missing, roots, report)
                    tell(len(listing.files), report)
                    batch = []
                    committed_at = time.monotonic()
            self._store(batch, known, missing, roots, report)

        with self._write() as db:
            gone = [path for paths_ in missing.values() for path in paths_] + broken
            db.executemany("DELETE FROM files WHERE path = ?", ((to_db(path),) for path in gone))
            report.removed = len(gone)
            for root in roots:
                low, high = _prefix_range(root)
                db.execute(
                    "DELETE FROM scan_errors WHERE path = ? OR (path >= ? AND path < ?)",
                    (to_db(root), low, high),
                )
            db.executemany(
                "INSERT OR REPLACE INTO scan_errors (path, reason) VALUES (?, ?)",
                ((to_db(path), shown(reason)) for path, reason in report.errors),
            )
            if gone:
                _bump(db)
        report.seconds = time.monotonic() - started
        if report.added or report.updated or report.moved:
            self._wake.set()
        return report

    def _known_under(self, roots: list[str]) -> dict[str, tuple[int, int, str]]:
        known: dict[str, tuple[int, int, str]] = {}
        with self._lock:
            for root in roots:
                low, high = _prefix_range(root)
                rows = self._db.execute(
                    "SELECT path, size, mtime_ns, content_id FROM files "
                    "WHERE path = ? OR (path >= ? AND path < ?)",
                    (to_db(root), low, high),
                )
                for path, size, mtime_ns, content in rows:
                    known[from_db(path)] = (size, mtime_ns, content)
        return known

    def _store(
        self,
        batch: list[ScannedFile],
        known: dict[str, tuple[int, int, str]],
        missing: dict[str, list[str]],
        roots: list[str],
        report: ScanReport,
    ) -> None:
        """Write one batch of read files in one transaction."""
        if not batch:
            return
        with self._write() as db:
            for scanned in batch:
                previous = known.get(scanned.path)
                if previous is not None:
                    _update(db, scanned, same_audio=previous[2] == scanned.content_id)
                    report.updated += 1
                    continue
                origin = _moved_from(db, scanned.content_id, missing, roots)
                if origin is not None:
                    db.execute(
                        "UPDATE files SET path = ?, analysis = max(analysis, 0) WHERE path = ?",
                        (to_db(scanned.path), to_db(origin)),
                    )
                    _update(db, scanned, same_audio=True)
                    report.moved += 1
                else:
                    _insert(db, scanned)
                    report.added += 1
            db.executemany(
                "DELETE FROM scan_errors WHERE path = ?",
                ((to_db(scanned.path),) for scanned in batch),
            )
            _bump(db)

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One transaction; a full disk becomes a clear error (what was committed stays)."""
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield self._db
                except BaseException:
                    if self._db.in_transaction:
                        self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
            except sqlite3.OperationalError as error:
                if self._db.in_transaction:
                    with suppress(sqlite3.Error):
                        self._db.execute("ROLLBACK")
                if self.path is not None and out_of_space(self.path, error):
                    raise no_space(self.path, error) from error
                if (error.sqlite_errorcode or 0) & 0xFF == sqlite3.SQLITE_READONLY:
                    raise read_only_error(self.path) from error
                raise

    # -- measuring -------------------------------------------------------------------------

    def analyse(self, limit: int | None = None, stop: threading.Event | None = None) -> int:
        """Measure tempo and energy of tracks that still lack them; return how many were done.

        Results are written a few at a time (one change of ``generation`` per batch, so the DJ
        does not rebuild its arrays after every track); it can stop between any two tracks and
        carries on later where it left off."""
        from appliance.library.features import measure

        done = 0
        after = 0  # rowid cursor: what is skipped now (music gone) waits for the next pass
        while limit is None or done < limit:
            if stop is not None and stop.is_set():
                break
            size = _ANALYSIS_BATCH if limit is None else min(_ANALYSIS_BATCH, limit - done)
            with self._lock:
                rows = self._db.execute(
                    "SELECT rowid, path, content_id, duration FROM files "
                    "WHERE analysis = 0 AND rowid > ? ORDER BY rowid LIMIT ?",
                    (after, size),
                ).fetchall()
            if not rows:
                break
            after = rows[-1][0]
            results: list[tuple[str, Features | str]] = []
            seen: set[str] = set()  # copies of one recording are measured once
            started = time.monotonic()
            for _rowid, stored, content, duration in rows:
                if stop is not None and stop.is_set():
                    break
                path = from_db(stored)
                if content in seen or self.presence.hides(path):
                    continue  # a folder gone (a stick pulled) is measured when it is back
                seen.add(content)
                try:
                    results.append((content, measure(Path(path), duration)))
                except Exception as error:  # a bad file must never stop the others
                    if not os.path.lexists(stored):
                        continue  # gone, not broken: try again later
                    reason = shown(str(error)) or type(error).__name__
                    log.info("%s: cannot measure tempo and energy: %s", shown(path), reason)
                    results.append((content, reason))
                if time.monotonic() - started > _ANALYSIS_BATCH_SECONDS:
                    after = min(after, _rowid)
                    break
            self._store_features(results)
            done += len(results)
        return done

    def _store_features(self, results: list[tuple[str, Features | str]]) -> None:
        if not results:
            return
        with self._write() as db:
            for content, result in results:  # copies of one recording share what was measured
                if isinstance(result, str):
                    db.execute(
                        "UPDATE files SET analysis = -1, analysis_error = ? "
                        "WHERE content_id = ? AND analysis = 0",
                        (result, content),
                    )
                else:
                    db.execute(
                        "UPDATE files SET energy = ?, loudness = ?, analysis = 1, "
                        "analysis_error = NULL, bpm = CASE WHEN bpm_from_tag THEN bpm ELSE ? END "
                        "WHERE content_id = ? AND analysis = 0",
                        (result.energy, result.loudness, result.bpm, content),
                    )
            _bump(db)

    def start_analysis(self) -> None:
        """Measure in a background thread at the lowest CPU priority until stopped; it picks up
        what scans add, and after a restart carries on where it left off."""
        if self._analysis is not None and self._analysis.is_alive():
            return
        self._stop.clear()
        self._analysis = threading.Thread(
            target=self._analyse_in_background, name="library-analysis", daemon=True
        )
        self._analysis.start()

    def stop_analysis(self, timeout: float = _STOP_TIMEOUT) -> None:
        """Stop the background analysis after the track it is measuring (waiting at most
        ``timeout`` seconds: what it measured is saved in batches, the rest resumes later)."""
        self._stop.set()
        self._wake.set()
        thread = self._analysis
        if thread is not None:
            thread.join(timeout)
            if thread.is_alive():
                log.info("library analysis is finishing a track; it resumes on the next start")
        self._analysis = None

    def _analyse_in_background(self) -> None:
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), _BACKGROUND_NICE)
        except (OSError, AttributeError) as error:
            log.debug("cannot lower the analysis thread's priority: %s", error)
        while not self._stop.is_set():
            try:
                count = self.analyse(stop=self._stop)
                if count:
                    log.info("measured tempo and energy of %d tracks", count)
            except LibraryError as error:  # a full or read-only disk: say it once, stop
                log.warning("measuring tempo and energy stops: %s", error)
                break
            except Exception:
                if self._stop.is_set():
                    break  # the library closed under a measurement: it resumes next start
                log.exception("library analysis failed; retrying later")
            self._wake.wait(_IDLE_SECONDS)
            self._wake.clear()

    # -- music that goes away and comes back -----------------------------------------------

    def check_gone(self, path: str) -> bool:
        """After ``path`` failed to play: True when it is not on disk. Its folder (or the file)
        is then hidden from :meth:`tracks` until it is back, and the watch's ``on_change``
        hears of it the first time."""
        change = self.presence.notice(path, self._watched)
        if change is not None:
            self._tell(change)
            return True
        return self.presence.hides(path)

    def watch(
        self,
        folders: Iterable[str | Path],
        on_change: Callable[[Change], None] | None = None,
        interval: float | None = None,
    ) -> None:
        """Look at the music folders every ``interval`` seconds (a stat each): a folder that
        vanishes or empties is hidden at once; what comes back is shown again and scanned."""
        self._watched = [normalise_root(folder) for folder in folders]
        self._on_change = on_change
        if self._watch is not None and self._watch.is_alive():
            return
        # folders not there to begin with (a stick not plugged in yet) are hidden without a
        # word: only a change is news
        self._never_seen = {c.path for c in self.presence.check(self._watched) if c.gone}
        self._watch_stop.clear()
        self._watch = threading.Thread(
            target=self._watching,
            args=(WATCH_SECONDS if interval is None else interval,),
            name="library-watch",
            daemon=True,
        )
        self._watch.start()
        self._rescanner = threading.Thread(
            target=self._rescanning, name="library-rescan", daemon=True
        )
        self._rescanner.start()

    def _watching(self, interval: float) -> None:
        """Each change is told at once (the radio wakes); a folder that came back is scanned
        by its own thread, so a long scan never delays the next look, and a scan that fails
        (a full or read-only disk) costs that scan only: the folder plays from the index."""
        while not self._watch_stop.wait(interval):
            try:
                changes = self.presence.check(self._watched)
            except Exception:
                log.exception("looking at the music folders failed; trying again")
                changes = []
            for change in changes:
                if not change.gone and change.path in self._never_seen:
                    self._never_seen.discard(change.path)
                    change = replace(change, first=True)
                self._tell(change)
                if not change.gone:
                    self._rescans.put(change)
            self.watch_cycles += 1

    def _rescanning(self) -> None:
        while (change := self._rescans.get()) is not None:
            try:
                self._rescan_after(change)
            except LibraryError as error:
                log.warning("cannot scan %s again: %s", shown(change.path), error)
            except Exception:
                if self._watch_stop.is_set():
                    break  # the library closed under a scan: it resumes next start
                log.exception("scanning %s again failed", shown(change.path))

    def _rescan_after(self, change: Change) -> None:
        """Music came back: what could not be measured while it was away is tried again, its
        folder is scanned (a changed stick, new files) and measuring wakes."""
        roots = [root for root in self._watched if _under_any(change.path, [root])]
        with self._write() as db:
            low, high = _prefix_range(change.path)
            db.execute(
                "UPDATE files SET analysis = 0, analysis_error = NULL WHERE analysis = -1 "
                "AND (path = ? OR (path >= ? AND path < ?))",
                (to_db(change.path), low, high),
            )
        report = self.scan(roots or [change.path], progress=False)
        log.info("scanned %s again: %s", shown(change.path), report.summary())
        if self._analysis is not None:
            self._wake.set()

    def _tell(self, change: Change) -> None:
        what = "folder" if change.folder else "file"
        if change.gone:
            log.warning("music %s gone: %s; playing what is still there", what, shown(change.path))
        else:
            log.warning("music %s back: %s", what, shown(change.path))
        if self._on_change is not None:
            try:
                self._on_change(change)
            except Exception:
                log.exception("the library's change listener failed")

    def close(self) -> None:
        """Stop background work and close the index."""
        self._watch_stop.set()
        self._rescans.put(None)
        for thread in (self._watch, self._rescanner):
            if thread is not None and thread is not threading.current_thread():
                thread.join(1.0)  # a scan it runs ends when the index closes
        self.stop_analysis()
        with self._lock:
            self._db.close()


def _track(row: tuple) -> Track:
    """A Track from a row of ``_TRACK_COLUMNS`` (the Track's own field order)."""
    genres = row[6]
    title, artist, album, album_artist = row[2:6]
    year, track_number, duration, bpm, energy, loudness = row[7:]
    return Track(
        row[0],
        from_db(row[1]),
        title,
        artist,
        album,
        album_artist,
        tuple(genres.split(_GENRE_SEPARATOR)) if genres else (),
        year,
        track_number,
        duration,
        bpm,
        energy,
        loudness,
    )


def _distinct(values: Iterable[str]) -> list[str]:
    unique: dict[str, str] = {}
    for value in values:
        if value:
            unique.setdefault(value.casefold(), value)
    return sorted(unique.values(), key=str.casefold)


def _prefix_range(root: str) -> tuple[bytes, bytes]:
    """Stored paths below folder ``root`` sort in [low, high): b"root/" up to b"root0"."""
    low = to_db(root).rstrip(b"/") + b"/"
    return low, low[:-1] + b"0"


def _under_any(path: str, folders: list[str]) -> bool:
    return any(path == folder or path.startswith(folder.rstrip("/") + "/") for folder in folders)


def _root_of(path: str, roots: list[str]) -> str | None:
    under = [root for root in roots if _under_any(path, [root]) and root != path]
    return max(under, key=len) if under else None


def _bump(db: sqlite3.Connection) -> None:
    db.execute("UPDATE meta SET value = value + 1 WHERE key = 'generation'")


def _moved_from(
    db: sqlite3.Connection, content: str, missing: dict[str, list[str]], roots: list[str]
) -> str | None:
    """The indexed path a new file with this content was moved from, if any: a path the walk
    no longer found, or one outside the scanned folders that no longer exists."""
    candidates = missing.get(content)
    if candidates:
        return candidates.pop()
    # Paths under the scanned folders were settled by the walk; look only outside them, and at
    # a few at most (copies of one file are many rows of one content id).
    outside = "".join(" AND path != ? AND NOT (path >= ? AND path < ?)" for _ in roots)
    values: list[str | bytes] = [content]
    for root in roots:
        values.extend((to_db(root), *_prefix_range(root)))
    rows = db.execute(f"SELECT path FROM files WHERE content_id = ?{outside} LIMIT 8", values)
    for (path,) in rows:
        if not os.path.lexists(path):
            return from_db(path)
    return None


def _tag_values(scanned: ScannedFile) -> dict[str, object]:
    values = scanned.values
    return {
        "path": to_db(scanned.path),
        "content_id": scanned.content_id,
        "size": scanned.size,
        "mtime_ns": scanned.mtime_ns,
        "title": values.title,
        "artist": values.artist,
        "album": values.album,
        "album_artist": values.album_artist,
        "genres": _GENRE_SEPARATOR.join(values.genres),
        "year": values.year,
        "track_number": values.track_number,
        "duration": scanned.duration,
        "tag_bpm": values.bpm,
    }


def _insert(db: sqlite3.Connection, scanned: ScannedFile) -> None:
    """A new file, a track of its own; a copy of content already indexed takes over its
    measured features."""
    values = _tag_values(scanned)

    def taken(track_id: str) -> bool:
        return (
            db.execute("SELECT 1 FROM files WHERE track_id = ?", (track_id,)).fetchone() is not None
        )

    values["track_id"] = track_id_for(scanned.content_id, to_db(scanned.path), taken)
    db.execute(
        "INSERT INTO files (path, track_id, content_id, size, mtime_ns, title, artist, album, "
        "album_artist, genres, year, track_number, duration, bpm, bpm_from_tag, energy, "
        "loudness, analysis, analysis_error) "
        "SELECT :path, :track_id, :content_id, :size, :mtime_ns, :title, :artist, :album, "
        ":album_artist, :genres, :year, :track_number, :duration, coalesce(:tag_bpm, twin.bpm), "
        ":tag_bpm IS NOT NULL, twin.energy, twin.loudness, coalesce(twin.analysis, 0), "
        "twin.analysis_error FROM (SELECT 1) LEFT JOIN "
        "(SELECT bpm, energy, loudness, analysis, analysis_error FROM files "
        "WHERE content_id = :content_id AND analysis != 0 LIMIT 1) AS twin",
        values,
    )


def _update(db: sqlite3.Connection, scanned: ScannedFile, same_audio: bool) -> None:
    """A file whose tags (and perhaps audio) changed: new tags; the features stay only when the
    audio is the same, and a BPM tag always wins over a measured tempo."""
    if same_audio:
        features = (
            "bpm = coalesce(:tag_bpm, CASE WHEN bpm_from_tag THEN NULL ELSE bpm END), "
            "bpm_from_tag = :tag_bpm IS NOT NULL, "
            "analysis = CASE WHEN bpm_from_tag AND :tag_bpm IS NULL THEN 0 ELSE analysis END"
        )
    else:
        features = (
            "bpm = :tag_bpm, bpm_from_tag = :tag_bpm IS NOT NULL, energy = NULL, loudness = NULL, "
            "analysis = 0, analysis_error = NULL"
        )
    db.execute(
        "UPDATE files SET content_id = :content_id, size = :size, mtime_ns = :mtime_ns, "
        "title = :title, artist = :artist, album = :album, album_artist = :album_artist, "
        "genres = :genres, year = :year, track_number = :track_number, duration = :duration, "
        f"{features} WHERE path = :path",
        _tag_values(scanned),
    )
