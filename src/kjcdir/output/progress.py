"""A progress bar on stderr for work that takes more than a second (issue 14, item 6).

The first load of a large directory, an export of thousands of contacts, an LDAP sync:
each tells a Progress how far it has come, in plain numbers (setting an attribute, so
that reporting costs nothing on the hot paths). A thread draws those numbers with
rich once the work has taken DELAY seconds: the share done, the amount, and the time
left. Nothing is drawn when stderr is not a terminal, nor for work that ends sooner
(every lookup), and rich is not even imported then. The bar is erased at the end.

KJCDIR_PROGRESS_AFTER sets the delay in seconds (0: from the start).
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator, Sequence
from types import TracebackType
from typing import TextIO, TypeVar, overload

T = TypeVar("T")

DELAY = 1.0  # seconds of work before a bar appears
INTERVAL = 0.1  # seconds between redraws


def delay() -> float | None:
    """Seconds before a bar appears: DELAY, or KJCDIR_PROGRESS_AFTER if it is a number
    (None: never, for a value beyond a day, `inf` included)."""
    try:
        value = float(os.environ.get("KJCDIR_PROGRESS_AFTER", ""))
    except ValueError:
        return DELAY
    if value != value or value < 0:  # NaN, or a negative number
        return DELAY
    return value if value <= 86_400 else None


def stderr_is_terminal() -> bool:
    try:
        return sys.stderr is not None and sys.stderr.isatty()
    except (ValueError, OSError):
        return False


class Progress:
    """How far some work has come: a stage (what, of how much), and the amount done.

    Use it as a context manager; with `enabled` False (stderr is not a terminal, or the
    output is JSON) it only keeps the numbers.
    """

    def __init__(self, enabled: bool, stream: TextIO | None = None) -> None:
        self.enabled = enabled
        self.stream = stream
        self.completed: float = 0
        self.drawn = False  # whether a bar has been shown
        # the stage: its number (the drawing thread starts a new bar for each), label,
        # total and unit; one tuple, so that the thread never sees half of a stage
        self.current: tuple[int, str, float | None, str] = (0, "", None, "")
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def stage(self, label: str, total: float | None = None, unit: str = "") -> None:
        """A new stage of the work: `label`, of `total` `unit`s (None: not known)."""
        self.completed = 0
        self.current = (self.current[0] + 1, _safe(label), total, unit)

    def update(self, completed: float) -> None:
        self.completed = completed

    def advance(self, amount: float = 1) -> None:
        self.completed += amount

    def __enter__(self) -> Progress:
        if self.enabled:
            self._thread = threading.Thread(target=self._run, name="kjcdir-progress", daemon=True)
            self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()

    def _run(self) -> None:
        wait = delay()
        if wait is None or self._stop.wait(wait):
            return  # the work was done before a bar was worth showing
        try:
            self._draw()
        except Exception:  # a bar that cannot be drawn must not stop the work
            return

    def _draw(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            TaskProgressColumn,
            TextColumn,
            TimeRemainingColumn,
        )
        from rich.progress import Progress as Bar

        console = Console(file=self.stream or sys.stderr, highlight=False, emoji=False)
        bar = Bar(
            TextColumn("{task.description}", markup=False),
            BarColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[amount]}", markup=False),
            TimeRemainingColumn(),
            console=console,
            transient=True,  # erased at the end
            auto_refresh=False,
            redirect_stdout=False,
            redirect_stderr=False,
        )
        bar.start()
        task = None
        stage = 0
        try:
            self.drawn = True
            while True:
                number, label, total, unit = self.current
                completed = self.completed
                if number != stage:  # a new stage: a new task, with its own total
                    stage = number
                    if task is not None:
                        bar.remove_task(task)
                    task = bar.add_task(f"kjcdir: {label}", total=total, amount="")
                if task is not None:
                    done = min(completed, total) if total else completed
                    bar.update(task, completed=done, amount=_amount(done, total, unit))
                    bar.refresh()
                if self._stop.wait(INTERVAL):
                    return
        finally:
            bar.stop()


def _amount(completed: float, total: float | None, unit: str) -> str:
    """'12.3 of 30.0 MB', '4,000 of 10,000 contacts'."""
    if unit == "bytes":
        scale, name = (1_000_000, "MB") if (total or completed) >= 1_000_000 else (1000, "kB")
        done = f"{completed / scale:.1f}"
        return f"{done} of {total / scale:.1f} {name}" if total else f"{done} {name}"
    if total:
        return f"{int(completed):,} of {int(total):,} {unit}".rstrip()
    return f"{int(completed):,} {unit}".rstrip() if completed else ""


def _safe(text: str) -> str:
    """Text for the terminal: no control characters, no escape sequences."""
    return "".join(char if char.isprintable() else "?" for char in text)


class Counted(Sequence[T]):
    """A sequence that tells a Progress of each item taken from it, as an export goes
    through its contacts."""

    def __init__(self, items: Sequence[T], progress: Progress) -> None:
        self.items = items
        self.progress = progress
        self.taken = 0  # items taken at least once

    def __len__(self) -> int:
        return len(self.items)

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[T]: ...
    def __getitem__(self, index: int | slice) -> T | Sequence[T]:
        return self.items[index]

    def __iter__(self) -> Iterator[T]:
        # an export may go through its contacts twice (to gather notes, then to write):
        # each item counts once
        progress = self.progress
        for index, item in enumerate(self.items):
            yield item
            if index == self.taken:
                self.taken += 1
                progress.completed += 1
