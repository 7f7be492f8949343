"""The directory files in use: which they are, and each one opened once for a load.

kjcdir.store keys its cache by the descriptors opened here, and kjcdir.load reads
from them, so that what is cached is what was read.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from stat import S_ISREG

from kjcdir.atomic import O_BINARY, O_CLOEXEC, read_up_to


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


class DataFile:
    """A directory file, opened once: the cache is keyed by the descriptor that is read.

    fstat after open gives the identity of what is read (not of what a path or link
    names at some other moment); `unchanged` tells whether it is still the same at the
    end of a load, so that a file edited or replaced meanwhile is never cached.
    """

    __slots__ = ("error", "fd", "opened", "path")

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd: int | None = None
        self.opened: os.stat_result | None = None
        self.error: Exception | None = None
        try:
            # A pipe (--data <(...)) blocks here until its writer is there, as it should.
            self.fd = os.open(path, os.O_RDONLY | O_CLOEXEC | O_BINARY)
            self.opened = os.fstat(self.fd)
        except (OSError, ValueError) as error:
            self.error = error
            self.close()

    @property
    def regular(self) -> bool:
        return self.opened is not None and S_ISREG(self.opened.st_mode)

    @property
    def size(self) -> int:
        """The size of a regular file as opened; 0 for a pipe or device (not known)."""
        return self.opened.st_size if self.regular and self.opened is not None else 0

    def identity(self) -> str | None:
        """Path, device, inode, size, mtime and ctime; None for anything but a regular file
        (a pipe's or device's times and size say nothing about its content)."""
        info = self.opened
        if info is None or not self.regular:
            return None
        # repr: a path may hold any character but NUL, a line break included
        return (
            f"{os.path.abspath(self.path)!r}|{info.st_dev}|{info.st_ino}|{info.st_size}"
            f"|{info.st_mtime_ns}|{info.st_ctime_ns}"
        )

    def changed_ns(self) -> int:
        info = self.opened
        return max(info.st_mtime_ns, info.st_ctime_ns) if info is not None else 0

    def unchanged(self) -> bool:
        """Is the open file still as it was when opened (no write, no touch)?"""
        if self.fd is None or self.opened is None:
            return False
        try:
            now = os.fstat(self.fd)
        except OSError:
            return False
        before = self.opened
        return (now.st_size, now.st_mtime_ns, now.st_ctime_ns) == (
            before.st_size,
            before.st_mtime_ns,
            before.st_ctime_ns,
        )

    def read(self, limit: int) -> bytes:
        """At most limit bytes of the file, from its start."""
        assert self.fd is not None
        if self.regular:
            os.lseek(self.fd, 0, os.SEEK_SET)
        return read_up_to(self.fd, limit)

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


class OpenFiles(list[DataFile]):
    """Data files open for one load, closed together at its end."""

    def __enter__(self) -> OpenFiles:
        return self

    def __exit__(self, *exc: object) -> None:
        for item in self:
            item.close()
