"""Errors the CLI turns into one sentence on stderr and an exit code."""

from __future__ import annotations

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
