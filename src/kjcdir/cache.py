"""The compiled directory on disk: validated model and search index, ready to map.

The cache is an optimisation only. Its key is kjcdir's version, the Python and byte
order it was written with, and each data file's path, size and mtime_ns; a file that
is missing, unreadable, truncated, corrupt, from another version or for other files
is ignored and, where possible, rewritten. Writes go to a temporary file that is
flushed to disk and renamed into place, so concurrent processes never see half a
cache and a crash never leaves one.

Layout (one file per set of data files, named after their paths)::

    MAGIC | key length (4) | key | header length (8) | header CRC-32 (4) | header
    | padding to 8 | segments

The header is a marshalled dict: small values, the size and CRC-32 of the segment
area, and for each named segment its offset and length. Segments are raw bytes (int32 arrays,
UTF-8 text, marshalled chunks of records). The file is memory-mapped and a segment
is decoded only when a command needs it: a search in 100,000 people touches the
vocabulary, a few postings and the ten people it shows, not 30 MB of records.
"""

from __future__ import annotations

import contextlib
import marshal
import mmap
import os
import sys
import zlib
from collections.abc import Mapping
from pathlib import Path
from stat import S_ISREG
from typing import Any

from kjcdir import __version__

MAGIC = b"KJCDIR-CACHE-2\n"
# marshal's format can change between Python versions, and int32 arrays are stored
# in the machine's byte order; the key names both.
FORMAT = f"{__version__}|marshal{marshal.version}|py{sys.version_info[:2]}|{sys.byteorder}"
ALIGN = 8


class CacheError(Exception):
    """A cache file that cannot be used (never shown to users: the files are read instead)."""


def cache_dir() -> Path:
    """$KJCDIR_CACHE_DIR, else $XDG_CACHE_HOME/kjcdir, else ~/.cache/kjcdir."""
    explicit = os.environ.get("KJCDIR_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME")
    if not base or not os.path.isabs(base):  # the XDG spec says to ignore relative paths
        base = os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "kjcdir"


def cache_key(files: list[Path]) -> str | None:
    """Identity of the data files; None if one cannot be read or is not a regular file
    (then nothing is cached)."""
    parts = [FORMAT]
    for path in files:
        try:
            resolved = path.resolve()
            stat = resolved.stat()
        except (OSError, RuntimeError, ValueError):
            return None
        if not S_ISREG(stat.st_mode):
            return None  # a pipe (--data <(...)) or a device: its size and time say nothing
        # repr: a path may hold any character but NUL, a line break included
        parts.append(f"{str(resolved)!r}|{stat.st_size}|{stat.st_mtime_ns}")
    return "\n".join(parts)


# File systems keep modification times in ticks of up to two seconds (FAT; ext3 and
# HFS+ one second; ext4 a few milliseconds). A file changed again within the tick of
# its last change keeps its mtime, and if its size stays the same too, a cache written
# for the first version would be taken for the second ("racy git"). So a cache is only
# written when every file's mtime lies further than this from the time it was read.
SETTLED_NS = 2_000_000_000


def settled(key: str, now_ns: int) -> bool:
    """Were all the key's files last changed long enough before now_ns (the time of
    cache_key) that a later change is bound to change their mtime?"""
    for line in key.split("\n")[1:]:
        mtime = int(line.rsplit("|", 1)[1])
        if abs(now_ns - mtime) < SETTLED_NS:
            return False
    return True


def cache_file(key: str) -> Path:
    """Where the cache for this key lives: named after the files' paths only, so that a
    changed file or a new kjcdir version overwrites its old cache instead of adding one."""
    paths = "\n".join(line.rsplit("|", 2)[0] for line in key.split("\n")[1:])
    digest = zlib.crc32(paths.encode("utf-8", "surrogateescape"))
    return cache_dir() / f"directory-{digest:08x}.bin"


def _encoded(key: str) -> bytes:
    return key.encode("utf-8", "surrogateescape")


class CacheFile:
    """A cache file that matched its key: the header's values and its segments, mapped."""

    def __init__(self, values: dict[str, Any], segments: dict[str, memoryview]) -> None:
        self.values = values
        self._segments = segments

    def segment(self, name: str) -> memoryview:
        """The raw bytes of a segment (KeyError if there is none of that name)."""
        return self._segments[name]

    def load(self, name: str) -> Any:
        """A segment that holds one marshalled value."""
        return marshal.loads(self._segments[name])


def read(key: str) -> CacheFile | None:
    """The cache file for this key, checked whole, or None for any kind of miss."""
    try:
        with open(cache_file(key), "rb") as stream:
            size = os.fstat(stream.fileno()).st_size
            if size == 0:
                return None
            mapped = mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):
        return None
    try:
        return _parse(mapped, _encoded(key))
    except (CacheError, ValueError, EOFError, TypeError, KeyError, IndexError, OverflowError):
        return None


def _parse(mapped: mmap.mmap, key: bytes) -> CacheFile:
    view = memoryview(mapped)
    prefix = MAGIC + len(key).to_bytes(4, "big") + key
    if view[: len(prefix)] != prefix:
        raise CacheError("another key or not a cache")
    position = len(prefix)
    header_length = int.from_bytes(view[position : position + 8], "big")
    header_crc = int.from_bytes(view[position + 8 : position + 12], "big")
    position += 12
    header_bytes = view[position : position + header_length]
    if len(header_bytes) != header_length or zlib.crc32(header_bytes) != header_crc:
        raise CacheError("truncated or corrupt header")
    header = marshal.loads(header_bytes)
    if not isinstance(header, dict):
        raise CacheError("not a header")
    position += header_length
    start = position + (-position) % ALIGN
    data = view[start:]
    if len(data) != header["size"] or zlib.crc32(data) != header["crc"]:
        raise CacheError("truncated or corrupt")
    segments = {
        name: data[offset : offset + length]
        for name, (offset, length) in header["segments"].items()
    }
    return CacheFile(header["values"], segments)


def write(key: str, values: Mapping[str, Any], segments: Mapping[str, Any]) -> bool:
    """Store the values and segments atomically; False (and no trace) if that fails.

    Each segment is bytes-like (written as it is) or, for anything else, marshalled.
    """
    import tempfile

    target = cache_file(key)
    encoded_key = _encoded(key)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(prefix=".tmp-", suffix=".bin", dir=target.parent)
    except (OSError, ValueError):
        return False
    try:
        table: dict[str, tuple[int, int]] = {}
        blobs: list[bytes | memoryview] = []
        size = 0
        crc = 0
        for name, value in segments.items():
            blob = memoryview(value).cast("B") if _is_buffer(value) else marshal.dumps(value)
            padding = b"\0" * ((-size) % ALIGN)
            for part in (padding, blob):
                crc = zlib.crc32(part, crc)
                blobs.append(part)
            size += len(padding)
            table[name] = (size, len(blob))
            size += len(blob)
        header = marshal.dumps(
            {"values": dict(values), "segments": table, "size": size, "crc": crc}
        )
        prefix = MAGIC + len(encoded_key).to_bytes(4, "big") + encoded_key
        prefix += len(header).to_bytes(8, "big") + zlib.crc32(header).to_bytes(4, "big") + header
        with os.fdopen(fd, "wb") as stream:
            stream.write(prefix + b"\0" * ((-len(prefix)) % ALIGN))
            for blob in blobs:
                stream.write(blob)
            stream.flush()
            os.fsync(stream.fileno())  # the content is on disk before the name points at it
        os.replace(temporary, target)
    except (OSError, ValueError, TypeError):
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        return False
    _remove_leftovers(target.parent)
    return True


def _remove_leftovers(directory: Path, age: float = 3600.0) -> None:
    """Temporary files of writers that were killed half-way (an hour old: surely dead)."""
    import time

    now = time.time()
    with contextlib.suppress(OSError):
        for entry in os.scandir(directory):
            if entry.name.startswith(".tmp-") and entry.name.endswith(".bin"):
                with contextlib.suppress(OSError):
                    if now - entry.stat().st_mtime > age:
                        os.unlink(entry.path)


def _is_buffer(value: Any) -> bool:
    try:
        memoryview(value)
    except TypeError:
        return False
    return True
