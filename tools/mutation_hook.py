"""Run at the start of every Python process of a tools/mutation.py run (by a .pth file
that the run puts into the interpreter's site-packages, as coverage.py measures new
processes: a sitecustomize on PYTHONPATH would be shadowed by a test's own).

mutmut learns which tests reach which function by recording calls in its own process,
and runs only those tests against a function's mutants; a test that runs kjcdir in a
new process would neither be recorded nor run. This module makes new processes count:

- in a process a test started (it inherits MUTANT_UNDER_TEST), the mutated copy goes on
  the path, so the mutant under test runs there too; while mutmut collects which tests
  reach which function, the process writes the functions it reached to a file at exit;
- in mutmut's own process, those files are read into the functions the running test
  reached, just before mutmut takes them for the test.

It uses mutmut's internals (mutmut.state and mutmut.configuration, as of mutmut 3.8).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

WORK = Path(os.environ["KJCDIR_MUTATION_WORK"])
REACHED = WORK / "reached"  # one file per process started under a test


def _record_at_exit() -> None:
    import atexit

    from mutmut.configuration import config
    from mutmut.state import state

    here = os.getcwd()
    os.chdir(WORK)  # mutmut reads its configuration from the working folder
    try:
        config()
    finally:
        os.chdir(here)

    def write() -> None:
        reached = state()._stats
        if reached:  # written whole, then named, so that mutmut never reads half of it
            partial = REACHED / f".{os.getpid()}.partial"
            partial.write_text("\n".join(reached), encoding="utf-8")
            partial.rename(REACHED / f"{os.getpid()}.txt")

    atexit.register(write)


class _WithNewProcesses(set[str]):
    """The set mutmut keeps of the functions the running test reached."""

    def __iter__(self) -> Iterator[str]:
        for record in REACHED.glob("*.txt"):
            self.update(record.read_text(encoding="utf-8").split())
            record.unlink()
        return super().__iter__()


def _gather_in_mutmut() -> None:
    from mutmut.state import state

    REACHED.mkdir(exist_ok=True)
    state()._stats = _WithNewProcesses()


if "MUTANT_UNDER_TEST" in os.environ:
    sys.path.insert(0, str(WORK / "mutants" / "src"))
    if os.environ["MUTANT_UNDER_TEST"] == "stats":
        _record_at_exit()
else:  # mutmut's own process: it sets MUTANT_UNDER_TEST itself, later
    _gather_in_mutmut()
