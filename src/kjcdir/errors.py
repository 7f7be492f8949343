"""Errors the CLI turns into one sentence on stderr and an exit code."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

EXIT_OK = 0
EXIT_NOT_FOUND = 1
EXIT_USAGE = 2


class KjcdirError(Exception):
    """A problem the user can fix; the message is one clear sentence."""

    def __init__(self, message: str, exit_code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


class NotFound(KjcdirError):
    """Nothing matched; exit code 1."""

    def __init__(self, message: str) -> None:
        super().__init__(message, EXIT_NOT_FOUND)


class Terminated(BaseException):
    """SIGTERM or SIGHUP, raised like Ctrl-C's KeyboardInterrupt so that every `finally`
    runs (temporary files are removed) before the process ends with 128 + the signal."""

    def __init__(self, signal_number: int) -> None:
        super().__init__(signal_number)
        self.signal_number = signal_number


class Problem(NamedTuple):
    """One problem of a directory file, at its position.

    (A NamedTuple rather than a dataclass: this module is imported by every lookup.)
    """

    file: str
    line: int
    column: int
    message: str
    entry_id: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}: {self.message}"
        return f"{where} ({self.entry_id})" if self.entry_id else where


class DataError(Exception):
    """Directory files that cannot be used; carries every problem found.

    It lives here, not in kjcdir.load, so that catching it costs no yaml import.
    """

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))
