"""Standard output that is written completely or fails: never cut off without a word.

A pipe's write() may take only part of what it is given when the reader leaves (`| head
-c 100`), and Python's buffered stdout returns that short count without an error, so the
rest of an export was lost and kjcdir exited 0. kjcdir's entry point puts a writer under
sys.stdout that writes every byte or raises: a closed pipe ends as exit 141, any other
failure as one sentence and exit 2 (kjcdir.cli).
"""

from __future__ import annotations

import io
import sys
from typing import TYPE_CHECKING, TextIO

from kjcdir.atomic import write_all

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer


class CompleteWriter(io.RawIOBase):
    """A raw stream over a descriptor whose write() takes every byte or raises."""

    def __init__(self, fd: int) -> None:
        super().__init__()
        self._fd = fd

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._fd

    def isatty(self) -> bool:
        import os

        return os.isatty(self._fd)

    def write(self, data: WriteableBuffer, /) -> int:
        view = memoryview(data)
        write_all(self._fd, view)
        return view.nbytes


def complete_stdout(stream: TextIO) -> TextIO:
    """A text stream like `stream` (encoding, line buffering) over a CompleteWriter, or
    `stream` itself when it has no descriptor (a test's capture) or is a Windows console.
    Either way, what the encoding cannot show becomes '?' instead of an error."""
    try:
        fd = stream.fileno()
        # A Windows console takes text through its own API, not UTF-8 bytes on fd 1.
        keep = sys.platform == "win32" and stream.isatty()
    except (AttributeError, OSError, ValueError):
        keep = True
    if keep:
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")
        return stream
    stream.flush()
    return io.TextIOWrapper(
        io.BufferedWriter(CompleteWriter(fd)),
        encoding=getattr(stream, "encoding", None) or "utf-8",
        errors="replace",  # a terminal that cannot show umlauts still gets the contact
        line_buffering=getattr(stream, "line_buffering", False),
    )


def write_bytes(data: bytes) -> None:
    """Export data to standard output, as bytes: the format fixes UTF-8, not the terminal."""
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:  # a text-only stream (rare): let it encode
        sys.stdout.write(data.decode("utf-8"))
        return
    view = memoryview(data)
    while view:
        # BufferedWriter.write may report fewer bytes than it was given (see the module's
        # docstring) where no CompleteWriter is underneath: write the rest again.
        written = buffer.write(view)
        if not written:
            raise OSError("the output took no more bytes")
        view = view[written:]
    buffer.flush()
