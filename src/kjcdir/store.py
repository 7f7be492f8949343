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


def bundled_path() -> Path:
    """The directory file shipped with kjcdir.

    In a wheel it lies inside the package; in a source checkout (editable installs,
    the test suite) it is the repository's data/directory.yaml.
    """
    packaged = Path(__file__).with_name("data") / "directory.yaml"
    if packaged.is_file():
        return packaged
    return Path(__file__).resolve().parents[2] / "data" / "directory.yaml"


def data_files(paths: Sequence[str | Path], include_bundled: bool = True) -> list[Path]:
    """The files in use, in layering order: the bundled file first, then the users'."""
    files = [bundled_path()] if include_bundled else []
    files.extend(Path(path) for path in paths)
    return files


def open_directory(
    paths: Sequence[str | Path],
    include_bundled: bool = True,
    progress: bool | None = None,
) -> Loaded:
    """Load the data in use; raises kjcdir.errors.DataError if a file has problems.

    A load from the files that takes more than a second shows its progress on stderr;
    `progress` None means: when stderr is a terminal.
    """
    files = data_files(paths, include_bundled)
    key = cache.cache_key(files)
    now = time.time_ns()
    if key is not None:
        stored = cache.read(key)
        if stored is not None:
            loaded = _from_cache(stored, files)
            if loaded is not None:
                return loaded
    show = _stderr_is_terminal() if progress is None else progress
    with _Progress(show) as report, _GcPaused():
        loaded = _build(files, report)
        if key is not None and cache.settled(key, now):
            report.stage("writing the cache")
            values, segments = _cache_parts(loaded)
            cache.write(key, values, segments)
    return loaded


def _build(files: list[Path], report: _Progress) -> Loaded:
    from kjcdir.index import build_index
    from kjcdir.load import load_files

    size = sum(_size(path) for path in files)
    what = _safe(files[0].name) if len(files) == 1 else f"{len(files)} files"
    report.stage(f"reading and checking {what} ({_megabytes(size)})")
    directory = load_files(files)
    report.stage(f"indexing {len(directory.people):,} people")
    index = build_index(directory, progress=report.fraction)
    return Loaded(directory, index, tuple(files), from_cache=False)


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


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


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
