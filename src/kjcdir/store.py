"""The directory in use: the cache when it is current, else the files, validated and indexed.

This module is on the path of every lookup, so it imports neither yaml nor the
loader until the cache turns out to be missing or stale.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from kjcdir import cache
from kjcdir.model import Directory
from kjcdir.sources import DataFile, OpenFiles, data_files

if TYPE_CHECKING:
    from types import TracebackType

    from kjcdir.index import SearchIndex


class Loaded:
    """The directory in use, its index, the files it came from, and whether from the cache.

    Read-only. (A plain class: a dataclass costs a millisecond at import, on the path
    of every lookup.)
    """

    __slots__ = ("__dict__", "directory", "files", "from_cache", "index")

    directory: Directory
    index: SearchIndex
    files: tuple[Path, ...]
    from_cache: bool

    def __init__(
        self, directory: Directory, index: SearchIndex, files: tuple[Path, ...], from_cache: bool
    ) -> None:
        for name, value in (
            ("directory", directory),
            ("index", index),
            ("files", files),
            ("from_cache", from_cache),
        ):
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Loaded is read-only: cannot set {name}")

    def __repr__(self) -> str:
        return f"Loaded(files={self.files!r}, from_cache={self.from_cache!r})"

    @cached_property
    def _org_positions(self) -> dict[str, int]:
        return {org_id: position for position, org_id in enumerate(self.directory.organizations)}

    def staff(self, org_id: str) -> list[int]:
        """Positions of the people of an organisation and of all its units, in file order.

        The same people as directory.members_of(directory.subtree(org_id)), read from the
        index instead of from every person: a directory of 100,000 people decodes none.
        """
        position = self._org_positions.get(org_id)
        if position is None:
            return []
        org_people = self.index.org_people
        units = self.index.org_descendants[position]
        if not len(units):
            return list(org_people[position])
        found = set(org_people[position])
        for unit in units:
            found.update(org_people[unit])
        return sorted(found)


# The cache's part in a command that failed. Records are checked as they are decoded,
# and a CRC-valid cache could still be inconsistent in a way no check foresaw (a bug, a
# hand-edited file): when a command fails that way, or in any unforeseen way while the
# directory came from the cache, kjcdir.cli runs it once more with READ_CACHE False;
# that load reads the files and writes a sound cache.
READ_CACHE = True
SERVED_FROM_CACHE = False  # whether the last open_directory answered from the cache


def open_directory(
    paths: Sequence[str | Path],
    include_bundled: bool = True,
    progress: bool | None = None,
) -> Loaded:
    """Load the data in use; raises kjcdir.errors.DataError if a file has problems.

    A load from the files that takes more than a second shows its progress on stderr;
    `progress` None means: when stderr is a terminal.
    """
    global SERVED_FROM_CACHE
    SERVED_FROM_CACHE = False
    files = data_files(paths, include_bundled)
    with OpenFiles(DataFile(path) for path in files) as opened:
        identities = [item.identity() for item in opened]
        key = None if None in identities else cache.cache_key(i for i in identities if i)
        now = time.time_ns()
        if key is not None and READ_CACHE:
            stored = cache.read(key, files)
            if stored is not None:
                loaded = _from_cache(stored, files)
                if loaded is not None:
                    SERVED_FROM_CACHE = True
                    return loaded
        show = _stderr_is_terminal() if progress is None else progress
        with _Progress(show) as report, _GcPaused():
            loaded = _build(opened, report)
            if (
                key is not None
                and cache.settled((item.changed_ns() for item in opened), now)
                and all(item.unchanged() for item in opened)
            ):
                report.stage("writing the cache")
                values, segments = _cache_parts(loaded)
                cache.write(key, files, values, segments)
    return loaded


def _build(files: Sequence[DataFile], report: _Progress) -> Loaded:
    from kjcdir.index import build_index
    from kjcdir.load import layer_files

    size = sum(item.opened.st_size for item in files if item.regular and item.opened)
    what = _safe(files[0].path.name) if len(files) == 1 else f"{len(files)} files"
    report.stage(f"reading and checking {what} ({_megabytes(size)})")
    directory = layer_files(files)
    report.stage(f"indexing {len(directory.people):,} people")
    index = build_index(directory, progress=report.fraction)
    return Loaded(directory, index, tuple(item.path for item in files), from_cache=False)


def _cache_parts(loaded: Loaded) -> tuple[dict[str, Any], dict[str, Any]]:
    from kjcdir.records import directory_segments

    values, segments = directory_segments(loaded.directory)
    segments.update(loaded.index.segments())
    return values, segments


def _from_cache(stored: cache.CacheFile, files: list[Path]) -> Loaded | None:
    """The cached directory, or None if the cache does not hold what it should."""
    from kjcdir.index import SearchIndex
    from kjcdir.records import directory_from_cache

    try:
        directory = directory_from_cache(stored)
        index = SearchIndex.mapped(stored, len(directory.people))
    except Exception:
        # A cache of the right key and checksum but the wrong shape (a bug, or a file
        # crafted to look like a cache): the files are read instead, and it is rewritten.
        return None
    return Loaded(directory, index, tuple(files), from_cache=True)


class _GcPaused:
    """The cyclic garbage collector paused: loading 100,000 people allocates millions of
    objects that all stay alive, and each full collection would walk all of them
    again (a first load of 100,000 people took four times as long with it)."""

    def __enter__(self) -> None:
        import gc

        self.enabled = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc: object) -> None:
        import gc

        if self.enabled:
            gc.enable()


def _stderr_is_terminal() -> bool:
    try:
        return sys.stderr is not None and sys.stderr.isatty()
    except (ValueError, OSError):
        return False


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{size / 1000:.0f} kB"


def _safe(text: str) -> str:
    """A file name for the terminal: no control characters, no escape sequences."""
    return "".join(char if char.isprintable() else "?" for char in text)


class _Progress:
    """One line on stderr, redrawn by a thread while a slow first load runs.

    Nothing is shown for loads that take less than DELAY seconds, nor when not
    enabled (stderr is not a terminal); the line is erased when the load ends.
    """

    DELAY = 1.0
    INTERVAL = 0.2

    def __init__(self, enabled: bool, stream: TextIO | None = None) -> None:
        self.enabled = enabled
        self.stream = stream
        self.label = "loading"
        self.share: float | None = None
        self.drawn = 0
        self._stop: Any = None
        self._thread: Any = None
        self._started = 0.0

    def stage(self, label: str) -> None:
        self.label = label
        self.share = None

    def fraction(self, share: float) -> None:
        self.share = share

    def __enter__(self) -> _Progress:
        if self.enabled:
            import threading
            import time

            self._started = time.monotonic()
            self._stop = threading.Event()
            self._thread = threading.Thread(target=self._run, name="kjcdir-progress", daemon=True)
            self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join()
        if self.drawn:
            self._write("\r" + " " * self.drawn + "\r")

    def _run(self) -> None:
        import time

        if self._stop.wait(self.DELAY):
            return
        while True:
            self.draw(time.monotonic() - self._started)
            if self._stop.wait(self.INTERVAL):
                return

    def draw(self, elapsed: float) -> None:
        share = self.share
        done = f" {share:.0%}" if share is not None else ""
        text = f"kjcdir: {self.label}…{done} ({elapsed:.0f} s)"
        self._write("\r" + text.ljust(self.drawn))
        self.drawn = max(self.drawn, len(text))

    def _write(self, text: str) -> None:
        stream = self.stream or sys.stderr
        try:
            stream.write(text)
            stream.flush()
        except (OSError, ValueError):
            pass
