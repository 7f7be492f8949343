"""The directory in use: the cache when it is current, else the files, validated and indexed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kjcdir import cache
from kjcdir.index import SearchIndex
from kjcdir.model import Directory


@dataclass(frozen=True)
class Loaded:
    directory: Directory
    index: SearchIndex
    files: tuple[Path, ...]
    from_cache: bool


def open_directory(paths: Sequence[str | Path], include_bundled: bool = True) -> Loaded:
    """Load the data in use; raises kjcdir.load.DataError if a file has problems."""
    from kjcdir.load import data_files

    files = data_files(paths, include_bundled)
    key = cache.cache_key(files)
    if key is not None:
        cached = cache.read(key)
        if cached is not None:
            try:
                return _from_cache(cached, files)
            except (TypeError, ValueError, IndexError, KeyError):
                pass  # a cache of the right key but the wrong shape: rebuild it
    loaded = _build(files)
    if key is not None:
        cache.write(key, _to_cache(loaded))
    return loaded


def _build(files: list[Path]) -> Loaded:
    from kjcdir.index import build_index
    from kjcdir.load import load_files

    directory = load_files(files)
    return Loaded(directory, build_index(directory), tuple(files), from_cache=False)


def _to_cache(loaded: Loaded) -> tuple[object, ...]:
    from kjcdir.records import directory_record

    return (directory_record(loaded.directory), loaded.index.to_plain())


def _from_cache(cached: tuple[object, ...], files: list[Path]) -> Loaded:
    from kjcdir.records import directory_from_record

    directory_plain, index_plain = cached
    directory = directory_from_record(directory_plain)  # type: ignore[arg-type]
    index = SearchIndex.from_plain(index_plain)  # type: ignore[arg-type]
    return Loaded(directory, index, tuple(files), from_cache=True)
