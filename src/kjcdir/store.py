"""The directory in use: the cache when it is current, else the files, validated and indexed.

This module is on the path of every lookup, so it imports neither yaml nor the
loader until the cache turns out to be missing or stale.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kjcdir import cache
from kjcdir.model import Directory
from kjcdir.sources import DataFile, OpenFiles, data_files

if TYPE_CHECKING:
    from kjcdir.index import SearchIndex
    from kjcdir.output.progress import Progress


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

    A load from the files that takes more than a second shows a progress bar on stderr
    (kjcdir.output.progress); `progress` None means: when stderr is a terminal.
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
        from kjcdir.output.progress import Progress, stderr_is_terminal

        show = stderr_is_terminal() if progress is None else progress
        with Progress(show) as report, _GcPaused():
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


def _build(files: Sequence[DataFile], report: Progress) -> Loaded:
    from kjcdir.index import build_index
    from kjcdir.load import layer_files

    size = sum(item.size for item in files)
    what = files[0].path.name if len(files) == 1 else f"{len(files)} files"
    report.stage(f"reading and checking {what}", total=size or None, unit="bytes")
    directory = layer_files(files, lambda done, _: report.update(done))
    count = len(directory.people)
    report.stage(f"indexing {count:,} people", total=count, unit="people")
    index = build_index(directory, progress=lambda share: report.update(share * count))
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
    again (a first load of 100,000 people took four times as long with it).

    At the end the objects alive are frozen (gc.freeze) before the collector runs
    again: otherwise its first collection walks all of them once more (0.6 s of a
    first load of 100,000 people). They live as long as the command anyway.
    """

    def __enter__(self) -> None:
        import gc

        self.enabled = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc: object) -> None:
        import gc

        if self.enabled:
            gc.freeze()
            gc.enable()
