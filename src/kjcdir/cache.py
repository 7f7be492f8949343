"""The compiled directory on disk: validated model and search index, ready to map.

The cache is an optimisation only, and trusted no further than that:

- Its key is kjcdir's version, the Python and byte order it was written with, and the
  identity of each data file *as it was read*: path, device, inode, size, mtime_ns and
  ctime_ns, taken with fstat from the descriptor the loader reads (kjcdir.store). A
  symlink switched during a load, or an edit that puts the old mtime back, cannot
  make one file's content be served for another.
- It is used only in a folder owned by the user that no one else may write to, and
  only from files owned by the user that no one else may read or write (0600); a cache
  folder shared with others is not used (one warning on stderr). Every record read
  from it is checked as strictly as YAML (kjcdir.records).
- A file that is missing, not a regular file (opened without blocking, never through a
  link), truncated, corrupt, from another version or for other files is a miss; the
  files are read and the cache is written anew.
- It is written to a temporary file, flushed and renamed into place (kjcdir.atomic),
  so concurrent processes never see half a cache, a crash or Ctrl-C leaves no
  temporary file, and a file another process has mapped is never truncated under it.

Layout (one file per set of data files and Python version, named after the files'
paths)::

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
import stat
import sys
import zlib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from kjcdir import __version__
from kjcdir.atomic import O_NONBLOCK, Folder, is_temporary_name

MAGIC = b"KJCDIR-CACHE-5\n"  # 5: phone numbers shown in DIN 5008 form whatever the notation
# marshal's format can change between Python versions, and int32 arrays are stored
# in the machine's byte order; the key names both.
PYTHON_TAG = sys.implementation.cache_tag or "python"  # cpython-311
FORMAT = f"{__version__}|marshal{marshal.version}|{PYTHON_TAG}|{sys.byteorder}"
ALIGN = 8


class CacheError(Exception):
    """A cache file that cannot be used (never shown to users: the files are read instead)."""


def cache_dir() -> Path:
    """$KJCDIR_CACHE_DIR, else the user cache folder by the platform's rules (platformdirs):
    $XDG_CACHE_HOME/kjcdir or ~/.cache/kjcdir on Linux, ~/Library/Caches/kjcdir on macOS,
    %LOCALAPPDATA%\\kjcdir\\Cache on Windows."""
    explicit = os.environ.get("KJCDIR_CACHE_DIR")
    if explicit:
        return Path(explicit)
    import platformdirs

    try:
        folder = platformdirs.user_cache_path("kjcdir", appauthor=False)
    except (RuntimeError, KeyError, OSError):
        # no home folder at all (HOME unset, a uid without an entry in passwd): a folder
        # of the user's own in the temporary folder, trusted only if it is theirs alone
        import tempfile

        user = os.getuid() if hasattr(os, "getuid") else "user"
        return Path(tempfile.gettempdir()) / f"kjcdir-cache-{user}"
    if not folder.is_absolute():
        # a relative $XDG_CACHE_HOME, which platformdirs takes as it is: the XDG spec says
        # to ignore it, and a cache beside whatever the current folder is would be wrong
        folder = Path.home() / ".cache" / "kjcdir"
    return folder


def cache_key(identities: Iterable[str]) -> str:
    """The key of a set of data files: kjcdir's format and each file's identity as read
    (store.DataFile.identity)."""
    return "\n".join([FORMAT, *identities])


def cache_name(paths: Sequence[str | Path]) -> str:
    """The cache's file name: after the files' paths only, so that a changed file or a new
    kjcdir version overwrites its old cache instead of adding one; and after the Python
    version, so that Pythons sharing the folder keep one cache each."""
    joined = "\n".join(os.path.abspath(path) for path in paths)
    digest = zlib.crc32(joined.encode("utf-8", "surrogateescape"))
    return f"directory-{digest:08x}-{PYTHON_TAG}.bin"


def cache_file(paths: Sequence[str | Path]) -> Path:
    return cache_dir() / cache_name(paths)


# File systems keep modification times in ticks of up to two seconds (FAT; ext3 and
# HFS+ one second; ext4 a few milliseconds). A file changed again within the tick of
# its last change keeps its times, and if its size and inode stay the same too, a cache
# written for the first version would be taken for the second ("racy git"). So a cache
# is only written when every file's last change lies further than this from the time
# it was opened.
SETTLED_NS = 2_000_000_000


def settled(changed_ns: Iterable[int], now_ns: int) -> bool:
    """Were all files last changed (mtime or ctime, in ns) long enough before now_ns?"""
    return all(abs(now_ns - changed) >= SETTLED_NS for changed in changed_ns)


# -- the folder and its files: the user's own, or not used ------------------------------

_warned: set[str] = set()


def _trusted_folder(create: bool) -> Folder | None:
    """The cache folder, opened, if it is the user's own and no one else can write to it."""
    path = cache_dir()
    if create:
        try:
            path.mkdir(mode=0o700, parents=True, exist_ok=True)
        except (OSError, ValueError):
            return None
    try:
        folder = Folder(path)
    except (OSError, ValueError):
        return None
    reason = _not_trusted(folder)
    if reason is None:
        return folder
    folder.close()
    _warn(path, reason)
    return None


def _not_trusted(folder: Folder) -> str | None:
    """Why the open folder may not hold a cache, or None."""
    geteuid = getattr(os, "geteuid", None)
    if geteuid is None:  # Windows: the folder lies in the user's profile, guarded by ACLs
        return None
    info = folder.stat()
    if info.st_uid != geteuid():
        return "it belongs to another user"
    if info.st_mode & 0o022:
        if "KJCDIR_CACHE_DIR" not in os.environ and folder.fd is not None:
            # kjcdir's own folder, made by an earlier version under a lax umask: close it
            with contextlib.suppress(OSError):
                os.fchmod(folder.fd, 0o700)
                return None
        return "others may write to it"
    return None


def _is_own_file(info: os.stat_result) -> bool:
    """A regular file of the user's that no one else may read or write."""
    if not stat.S_ISREG(info.st_mode):
        return False
    geteuid = getattr(os, "geteuid", None)
    return geteuid is None or (info.st_uid == geteuid() and not info.st_mode & 0o077)


def _warn(path: Path, reason: str) -> None:
    """Once per process and folder: a shared cache could show another user's data."""
    key = str(path)
    if key in _warned:
        return
    _warned.add(key)
    from kjcdir.output.text import inert

    with contextlib.suppress(OSError, ValueError, AttributeError):
        sys.stderr.write(
            f"kjcdir: not using the cache folder {inert(key)}: {reason}; "
            "set KJCDIR_CACHE_DIR to a folder of your own.\n"
        )


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


def read(key: str, paths: Sequence[str | Path]) -> CacheFile | None:
    """The cache file for this key, checked whole, or None for any kind of miss."""
    folder = _trusted_folder(create=False)
    if folder is None:
        return None
    try:
        with folder:
            fd = folder.open(cache_name(paths), os.O_RDONLY | O_NONBLOCK)
            try:
                info = os.fstat(fd)
                if not _is_own_file(info) or info.st_size == 0:
                    return None
                mapped = mmap.mmap(fd, 0, access=mmap.ACCESS_READ)
            finally:
                os.close(fd)
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


def write(
    key: str, paths: Sequence[str | Path], values: Mapping[str, Any], segments: Mapping[str, Any]
) -> bool:
    """Store the values and segments atomically; False (and no trace) if that fails.

    Each segment is bytes-like (written as it is) or, for anything else, marshalled.
    """
    folder = _trusted_folder(create=True)
    if folder is None:
        return False
    try:
        with folder:
            folder.put(cache_name(paths), _parts(key, values, segments), mode=0o600)
            _remove_leftovers(folder)
    except (OSError, ValueError, TypeError):
        return False
    return True


def _parts(
    key: str, values: Mapping[str, Any], segments: Mapping[str, Any]
) -> list[bytes | memoryview]:
    """The file's content as parts to write one after the other (no 40 MB join)."""
    encoded_key = _encoded(key)
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
    header = marshal.dumps({"values": dict(values), "segments": table, "size": size, "crc": crc})
    prefix = MAGIC + len(encoded_key).to_bytes(4, "big") + encoded_key
    prefix += len(header).to_bytes(8, "big") + zlib.crc32(header).to_bytes(4, "big") + header
    return [prefix + b"\0" * ((-len(prefix)) % ALIGN), *blobs]


def _remove_leftovers(folder: Folder, age: float = 3600.0) -> None:
    """Temporary files of writers that died without cleaning up (SIGKILL, power loss):
    an hour old, surely dead. kjcdir 0.1.0 named them .tmp-*.bin."""
    import time

    now = time.time()
    with contextlib.suppress(OSError):
        for name in folder.names():
            old_style = name.startswith(".tmp-") and name.endswith(".bin")
            if not (is_temporary_name(name) or old_style):
                continue
            with contextlib.suppress(OSError, ValueError):
                info = folder.lstat(name)
                if info is not None and now - info.st_mtime > age:
                    folder.unlink(name)


def _is_buffer(value: Any) -> bool:
    try:
        memoryview(value)
    except TypeError:
        return False
    return True
