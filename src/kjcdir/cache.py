"""The compiled directory on disk: validated model and search index, marshalled.

The cache is an optimisation only. Its key is kjcdir's version and each data file's
path, size and mtime_ns; a file that is missing, unreadable, corrupt, from another
version or for other files is ignored and, where possible, rewritten. Writes go to a
temporary file that is renamed into place, so concurrent processes never see half a
cache.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import sys
import tempfile
import zlib
from pathlib import Path
from typing import Any

from kjcdir import __version__

MAGIC = b"KJCDIR-CACHE-1\n"
# marshal's format can change between Python versions; the key names the one used.
FORMAT = f"{__version__}|marshal{marshal.version}|py{sys.version_info[:2]}"


def cache_dir() -> Path:
    """$KJCDIR_CACHE_DIR, else $XDG_CACHE_HOME/kjcdir, else ~/.cache/kjcdir."""
    explicit = os.environ.get("KJCDIR_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "kjcdir"


def cache_key(files: list[Path]) -> str | None:
    """Identity of the data files; None if one cannot be read (then nothing is cached)."""
    parts = [FORMAT]
    for path in files:
        try:
            resolved = path.resolve()
            stat = resolved.stat()
        except (OSError, RuntimeError):
            return None
        parts.append(f"{resolved}|{stat.st_size}|{stat.st_mtime_ns}")
    return "\n".join(parts)


def cache_file(key: str) -> Path:
    digest = zlib.crc32(key.encode("utf-8", "surrogateescape"))
    return cache_dir() / f"directory-{digest:08x}.bin"


def read(key: str) -> Any | None:
    """The cached value for this key, or None for any kind of miss."""
    try:
        with open(cache_file(key), "rb") as stream:
            blob = stream.read()
    except OSError:
        return None
    encoded_key = key.encode("utf-8", "surrogateescape")
    header = MAGIC + len(encoded_key).to_bytes(4, "big") + encoded_key
    if not blob.startswith(header):
        return None
    try:
        return marshal.loads(blob[len(header) :])
    except (ValueError, EOFError, TypeError):
        return None


def write(key: str, value: Any) -> bool:
    """Store the value atomically; False (and no trace) if the cache cannot be written."""
    target = cache_file(key)
    encoded_key = key.encode("utf-8", "surrogateescape")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
    except OSError:
        return False
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(MAGIC + len(encoded_key).to_bytes(4, "big") + encoded_key)
            marshal.dump(value, stream)
        os.replace(temporary, target)
    except (OSError, ValueError):
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        return False
    return True
