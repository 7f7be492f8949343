"""Writes that never destroy: files put in place by rename, names resolved in an open folder.

Everything kjcdir writes (exports, vdir cards, the cache) goes through here:

- A folder is opened once and every name in it is resolved relative to that descriptor
  (`dir_fd`) without following symbolic links (`O_NOFOLLOW`), so a link swapped in while
  kjcdir works can neither redirect a write nor make it replace something else.
- Content is written to a temporary file with a short random name in the same folder and
  then linked (for a new file: fails if a file appeared meanwhile) or renamed (to replace
  one) into place, so a reader sees the old file or the new one, never half of one.
- The temporary file is removed on every way out: an exception, Ctrl-C, or SIGTERM and
  SIGHUP, which kjcdir's entry point turns into an exception. Signals are held while the
  file is created and while it is removed, so no interrupt falls between creating a
  temporary file and knowing its name.

On a system without `dir_fd` (Windows) names are joined to the folder's path instead.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from kjcdir.errors import Terminated

O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
O_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
O_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation

# Short, so that a legal 255-byte target name still has a legal temporary name beside it.
TEMPORARY_PREFIX = ".kjcdir-"
TEMPORARY_SUFFIX = ".tmp"

# os.replace takes src_dir_fd/dst_dir_fd where os.rename does (it is not listed itself)
_DIR_FD = {os.open, os.rename, os.link, os.stat, os.unlink} <= os.supports_dir_fd


def is_plain_name(name: str) -> bool:
    """A name inside a folder: no separator, not '.' or '..', no NUL."""
    if not name or name in (".", "..") or "\0" in name:
        return False
    return not any(separator and separator in name for separator in ("/", os.sep, os.altsep))


def temporary_name() -> str:
    return f"{TEMPORARY_PREFIX}{os.urandom(4).hex()}{TEMPORARY_SUFFIX}"


def is_temporary_name(name: str) -> bool:
    return (
        name.startswith(TEMPORARY_PREFIX)
        and name.endswith(TEMPORARY_SUFFIX)
        and len(name) == len(TEMPORARY_PREFIX) + 8 + len(TEMPORARY_SUFFIX)
    )


def kind_of(mode: int) -> str:
    """What a file system entry is, in words: 'a FIFO', 'a device', ..."""
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISREG(mode):
        return "a regular file"
    return "not a regular file"


# While signals are held, kjcdir's own handlers (cli._end_on_signals) keep what they
# would raise here, and the hold raises it when it ends. The mask alone is not enough:
# a signal that arrived just before it was set has its Python handler still to run.
_holds = 0
_deferred: list[BaseException] = []


def interrupt(error: BaseException) -> None:
    """What a signal handler calls: raise the error now, or when the signals are no
    longer held."""
    if _holds:
        if not _deferred:
            _deferred.append(error)
        return
    raise error


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Hold SIGINT, SIGTERM and SIGHUP until the block is done (delivered right after it)."""
    import signal

    global _holds
    block = getattr(signal, "pthread_sigmask", None)  # None on Windows
    wanted = {signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", signal.SIGTERM)}
    previous = None
    _holds += 1
    try:
        if block is not None:
            previous = block(signal.SIG_BLOCK, wanted)
        yield
    finally:
        if block is not None and previous is not None:
            block(signal.SIG_SETMASK, previous)
        _holds -= 1
        if not _holds and _deferred:
            raise _deferred.pop()


class Folder:
    """A folder opened once; every name is resolved relative to it, never through a link."""

    def __init__(self, path: str | Path) -> None:
        self.path = os.fspath(path)
        self.fd: int | None = None
        if _DIR_FD:
            self.fd = os.open(self.path, os.O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        elif not os.path.isdir(self.path):
            error = errno.ENOTDIR if os.path.lexists(self.path) else errno.ENOENT
            raise OSError(error, os.strerror(error), self.path)

    def __enter__(self) -> Folder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def _at(self, name: str) -> tuple[str, dict[str, Any]]:
        if not is_plain_name(name):
            raise ValueError(f"not a plain file name: {name!r}")
        if self.fd is not None:
            return name, {"dir_fd": self.fd}
        return os.path.join(self.path, name), {}

    def stat(self) -> os.stat_result:
        """The folder's own status (of the open descriptor, not of its path now)."""
        return os.fstat(self.fd) if self.fd is not None else os.stat(self.path)

    def lstat(self, name: str) -> os.stat_result | None:
        """The entry at name, a link itself rather than what it points to; None if absent."""
        where, extra = self._at(name)
        try:
            return os.stat(where, follow_symlinks=False, **extra)
        except FileNotFoundError:
            return None

    def open(self, name: str, flags: int, mode: int = 0o666) -> int:
        where, extra = self._at(name)
        return os.open(where, flags | O_NOFOLLOW | O_CLOEXEC | O_BINARY, mode, **extra)

    def read_regular(self, name: str, limit: int) -> bytes | None:
        """The content of a regular file at name (at most limit + 1 bytes); None for anything
        else: a link, a FIFO or device (opened without blocking), a folder, nothing."""
        entry = self.lstat(name)
        if entry is None or not stat.S_ISREG(entry.st_mode):
            return None  # not even opened: opening some devices has effects of its own
        try:
            fd = self.open(name, os.O_RDONLY | O_NONBLOCK)
        except OSError:
            return None
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return None
            return read_up_to(fd, limit + 1)
        finally:
            os.close(fd)

    def link(self, source: str, target: str) -> None:
        """A second name for source; FileExistsError if target exists (never replaced)."""
        source_where, _ = self._at(source)
        target_where, _ = self._at(target)
        if self.fd is not None:
            os.link(
                source_where,
                target_where,
                src_dir_fd=self.fd,
                dst_dir_fd=self.fd,
                follow_symlinks=False,
            )
        else:
            os.link(source_where, target_where)

    def rename(self, source: str, target: str) -> None:
        """Rename source over target (which, a link included, is replaced, not followed)."""
        source_where, _ = self._at(source)
        target_where, _ = self._at(target)
        if self.fd is not None:
            os.replace(source_where, target_where, src_dir_fd=self.fd, dst_dir_fd=self.fd)
        else:
            os.replace(source_where, target_where)

    def unlink(self, name: str) -> None:
        where, extra = self._at(name)
        os.unlink(where, **extra)

    def remove_file(self, name: str, checked: os.stat_result) -> None:
        """Remove the regular file that lstat showed at name (`checked`); ChangedError if
        another entry took its place or the file was written since."""
        now = self.lstat(name)
        if (
            now is None
            or not stat.S_ISREG(now.st_mode)
            or not _same(now, checked)
            or (now.st_size, now.st_mtime_ns) != (checked.st_size, checked.st_mtime_ns)
        ):
            raise ChangedError(errno.EEXIST, "changed before kjcdir removed it", name)
        self.unlink(name)

    def names(self) -> list[str]:
        """The names in the folder (of the open descriptor where there is one)."""
        return os.listdir(self.fd if self.fd is not None else self.path)

    def sync(self) -> None:
        """Make renames in the folder durable; not every system lets a folder be synced."""
        if self.fd is None:
            return
        with contextlib.suppress(OSError):
            os.fsync(self.fd)

    @contextlib.contextmanager
    def temporary(self, mode: int = 0o666) -> Iterator[Temporary]:
        """A new temporary file, open for writing, removed on the way out unless it was
        renamed into place (Temporary.renamed)."""
        made: Temporary | None = None
        try:
            with signals_held():
                made = Temporary(*self._create_temporary(mode))
            yield made
        finally:
            if made is not None:
                self._discard(made)

    def _discard(self, made: Temporary) -> None:
        """Close the temporary file, and remove it unless it was renamed into place. A
        handler that ran before the signals were held may raise even here: then the
        clean-up is done again, and the interruption raised after it."""
        interruption: BaseException | None = None
        while True:
            try:
                with signals_held():
                    made.close()
                    if not made.renamed:
                        with contextlib.suppress(OSError):
                            self.unlink(made.name)
                break
            except (KeyboardInterrupt, Terminated) as stop:
                interruption = interruption or stop
        if interruption is not None:
            raise interruption

    def _create_temporary(self, mode: int) -> tuple[str, int]:
        for _ in range(100):
            name = temporary_name()
            try:
                fd = self.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
            except FileExistsError:
                continue
            return name, fd
        raise FileExistsError(errno.EEXIST, "no free temporary name", self.path)

    # -- the three ways to put content at a name -------------------------------------------

    def create(self, name: str, data: bytes, *, durable: bool = True) -> None:
        """A new file at name; FileExistsError if anything is there (or appears meanwhile).
        Its mode is what the umask gives a new file."""
        with self._written(data, None, None, durable) as temporary:
            self._link_new(temporary, name)
        if durable:
            self.sync()

    def replace_file(
        self, name: str, data: bytes, checked: os.stat_result, *, durable: bool = True
    ) -> None:
        """Replace the regular file that lstat showed at name (`checked`), keeping its mode
        and, where kjcdir may, its owner; ChangedError if another entry took its place."""
        mode = stat.S_IMODE(checked.st_mode) & 0o777
        with self._written(data, mode, checked, durable) as temporary:
            now = self.lstat(name)
            if now is None or not stat.S_ISREG(now.st_mode) or not _same(now, checked):
                raise ChangedError(errno.EEXIST, "changed while kjcdir wrote", name)
            self._rename_into_place(temporary, name)
        if durable:
            self.sync()

    def put(self, name: str, parts: Iterable[bytes | memoryview], mode: int) -> None:
        """Content written part by part, renamed over whatever is at name: for a folder of
        kjcdir's own (the cache's), where nothing else belongs."""
        with self._written(parts, mode, None, durable=True) as temporary:
            self._rename_into_place(temporary, name)
        self.sync()

    @contextlib.contextmanager
    def _written(
        self,
        data: bytes | Iterable[bytes | memoryview],
        mode: int | None,
        owner_of: os.stat_result | None,
        durable: bool,
    ) -> Iterator[Temporary]:
        """A temporary file holding data, closed (Windows renames no open file), ready to be
        linked or renamed into place; removed on the way out if it was not."""
        parts = [data] if isinstance(data, (bytes, bytearray, memoryview)) else data
        with self.temporary(0o600 if mode is not None else 0o666) as temporary:
            for part in parts:
                write_all(temporary.fd, part)
            if mode is not None:
                _chmod(temporary, self, mode)
            if owner_of is not None:
                _keep_owner(temporary.fd, owner_of)
            if durable:
                os.fsync(temporary.fd)
            temporary.close()
            yield temporary

    def _rename_into_place(self, temporary: Temporary, name: str) -> None:
        self.rename(temporary.name, name)
        temporary.renamed = True

    def _link_new(self, temporary: Temporary, name: str) -> None:
        try:
            self.link(temporary.name, name)  # the temporary name is removed on the way out
        except FileExistsError:
            raise
        except OSError as error:
            if error.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
                raise
            # A file system without hard links (FAT, some network shares): check, then
            # rename; a file appearing between the two is the one case left to chance.
            if self.lstat(name) is not None:
                raise FileExistsError(errno.EEXIST, "exists", name) from None
            self._rename_into_place(temporary, name)


class Temporary:
    """A temporary file being written: its name in the folder and its descriptor."""

    __slots__ = ("fd", "name", "renamed")

    def __init__(self, name: str, fd: int) -> None:
        self.name = name
        self.fd = fd  # -1 once closed
        self.renamed = False

    def close(self) -> None:
        if self.fd >= 0:
            fd, self.fd = self.fd, -1
            with contextlib.suppress(OSError):
                os.close(fd)


class ChangedError(FileExistsError):
    """The entry to be replaced is no longer the regular file that was checked."""


def _same(one: os.stat_result, other: os.stat_result) -> bool:
    return (one.st_dev, one.st_ino) == (other.st_dev, other.st_ino)


def _chmod(temporary: Temporary, folder: Folder, mode: int) -> None:
    if hasattr(os, "fchmod"):
        os.fchmod(temporary.fd, mode)
    else:  # Windows: only the read-only flag exists
        where, extra = folder._at(temporary.name)
        with contextlib.suppress(OSError, NotImplementedError):
            os.chmod(where, mode, **extra)


def _keep_owner(fd: int, replaced: os.stat_result) -> None:
    """A replaced file keeps its owner and group where kjcdir may give them (as root)."""
    chown = getattr(os, "fchown", None)
    if chown is None:
        return
    current = os.fstat(fd)
    if (current.st_uid, current.st_gid) != (replaced.st_uid, replaced.st_gid):
        with contextlib.suppress(OSError):
            chown(fd, replaced.st_uid, replaced.st_gid)


def write_all(fd: int, data: bytes | memoryview) -> None:
    """Write every byte; a descriptor that takes none is an error, never a silent cut."""
    view = memoryview(data).cast("B")
    while view:
        try:
            written = os.write(fd, view)
        except BlockingIOError:
            _wait_writable(fd)
            continue
        if written <= 0:
            raise OSError(errno.EIO, "the output took no more bytes")
        view = view[written:]


def _wait_writable(fd: int) -> None:
    """A descriptor another process made non-blocking (a shared pipe): wait, then go on."""
    import select

    select.select([], [fd], [])


def read_up_to(fd: int, limit: int) -> bytes:
    """At most limit bytes from fd, fewer only at its end."""
    parts: list[bytes] = []
    left = limit
    while left > 0:
        try:
            part = os.read(fd, min(left, 1 << 20))
        except BlockingIOError:
            break
        if not part:
            break
        parts.append(part)
        left -= len(part)
    return b"".join(parts)
