"""Writing export files: atomically, never over an existing file without --force (SPEC 4).

A file is written to a hidden temporary file in the same folder, flushed to disk and
then renamed over the target, so that a reader sees the old file or the new one and
never half of one. Any failure removes the temporary file and becomes one sentence.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kjcdir.errors import KjcdirError
from kjcdir.output.text import inert


def write_file(path: Path, data: bytes, force: bool = False) -> None:
    """Write data to path atomically; refuse to replace an existing file unless force."""
    target = _target(path)
    if target.is_dir():
        raise KjcdirError(f"{_show(path)} is a folder; give a file name.")
    if not force and os.path.lexists(target):
        raise KjcdirError(f"{_show(path)} exists already; add --force to replace it.")
    try:
        _replace(target, data, no_clobber=not force, durable=True)
    except FileExistsError:  # appeared between the check and the rename
        raise KjcdirError(f"{_show(path)} exists already; add --force to replace it.") from None
    except OSError as error:
        raise KjcdirError(f"Cannot write {_show(path)}: {describe(error)}.") from None


@dataclass(frozen=True)
class VdirReport:
    written: int
    unchanged: int


def write_vdir(folder: Path, files: Iterable[tuple[str, bytes]]) -> VdirReport:
    """Write each (name, content) into folder, leaving files whose content is the same.

    The vdir layout that khard and vdirsyncer read: one vCard per `<id>.vcf`. Files that
    are not among `files` are left alone: the folder may hold contacts of other sources.
    """
    if os.path.lexists(folder) and not folder.is_dir():
        raise KjcdirError(f"{_show(folder)} is not a folder; --vdir needs one.")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise KjcdirError(f"Cannot create the folder {_show(folder)}: {describe(error)}.") from None
    written = unchanged = 0
    for name, data in files:
        path = folder / name
        try:
            if path.is_file() and path.read_bytes() == data:
                unchanged += 1
                continue
            # No fsync per card: thousands of them would take minutes; the rename keeps
            # each file whole, and the folder is synced once at the end.
            _replace(_target(path), data, no_clobber=False, durable=False)
        except OSError as error:
            raise KjcdirError(f"Cannot write {_show(path)}: {describe(error)}.") from None
        written += 1
    if written:
        _sync_folder(folder)
    return VdirReport(written, unchanged)


def describe(error: OSError) -> str:
    """What went wrong, in words a user can act on."""
    reasons = {
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.ENOENT: "the folder does not exist",
        errno.ENOTDIR: "a part of the path is not a folder",
        errno.EROFS: "the file system is read-only",
        errno.ENOSPC: "the disk is full",
        errno.EDQUOT: "the disk quota is used up",
        errno.EISDIR: "it is a folder",
        errno.ENAMETOOLONG: "the name is too long",
    }
    if error.errno in reasons:
        return reasons[error.errno]
    return (error.strerror or type(error).__name__).rstrip(".").lower()


def _target(path: Path) -> Path:
    """Write through a symbolic link to the file it points to, as editors do."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def _replace(target: Path, data: bytes, no_clobber: bool, durable: bool) -> None:
    folder = target.parent
    mode = _mode_for(target)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            if durable:
                stream.flush()
                os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        if no_clobber:
            _link_or_rename(temporary, target)
        else:
            os.replace(temporary, target)
    except BaseException:
        _remove(temporary)
        raise
    if durable:
        _sync_folder(folder)


def _link_or_rename(temporary: str, target: Path) -> None:
    """Put the file in place only if nothing is there yet (a hard link fails if it is)."""
    try:
        os.link(temporary, target)
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links: check, then rename
        if os.path.lexists(target):
            raise FileExistsError(errno.EEXIST, "exists", str(target)) from None
        os.replace(temporary, target)
        return
    _remove(temporary)


def _mode_for(target: Path) -> int:
    """The mode of the file replaced, else what the umask gives a new file."""
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _remove(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable; not every system lets a folder be opened."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def write_stdout(data: bytes) -> None:
    """Export data to standard output, as bytes: the format fixes UTF-8, not the terminal."""
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:  # a text-only stream (rare): let it encode
        sys.stdout.write(data.decode("utf-8"))
    else:
        buffer.write(data)
        buffer.flush()


def _show(path: Path) -> str:
    return inert(str(path))
