"""Mutation testing of the modules the suite must guard most closely (issue 16, item 6).

    python tools/mutation.py --python VENV/bin/python [MODULE ...]

mutmut changes the code of a module one small step at a time (a `<` for a `<=`, a
constant, a dropped call) and runs the tests that cover the changed function: a change
the tests do not notice (a surviving mutant) is a behaviour no test pins. This script
copies the committed tree into a scratch folder, runs mutmut there once per module with
the tests that cover it, and prints a Markdown table of the results; the README's
Development section shows the latest one.

The interpreter given by --python needs kjcdir's dependencies, the test extras and
mutmut, but not kjcdir itself: the tests must import the mutated copy. For example:

    python3 -m venv /tmp/venv-mut
    /tmp/venv-mut/bin/pip install -e '.[test]' 'mutmut==3.8.*'
    /tmp/venv-mut/bin/pip uninstall -y kjcdir

Tests that run kjcdir in a new process (the console script, `python -c`) count like the
others: during a run, a .pth file in that interpreter's site-packages runs
tools/mutation_hook.py in every process (it leans on mutmut 3.8's internals). The file
is removed at the end of the run.

Not part of CI: a run takes from minutes (normalize.py) to most of an hour (cache.py,
whose functions every command reaches).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# each module, and the tests that cover it
MODULES = {
    "src/kjcdir/normalize.py": [
        "tests/test_normalize.py",
        "tests/test_search_unit.py",
        "tests/test_search_kinds.py",
    ],
    "src/kjcdir/search.py": [
        "tests/test_normalize.py",  # phone_digits and query_words
        "tests/test_search_unit.py",
        "tests/test_search_kinds.py",
        "tests/test_speed_search.py",
        "tests/test_precision.py",
    ],
    "src/kjcdir/cache.py": [
        "tests/test_cache.py",
        "tests/test_cache_trust.py",
        "tests/test_branches.py",  # the cache's failure paths
    ],
    "src/kjcdir/export/files.py": [
        "tests/test_export_files.py",
        "tests/test_safe_writes.py",
        "tests/test_export_cli.py",
        "tests/test_vdir_prune.py",
        "tests/test_branches.py",
    ],
}


HOOK_LINE = (
    "import os, runpy; os.environ.get('KJCDIR_MUTATION_WORK') and runpy.run_path("
    "os.path.join(os.environ['KJCDIR_MUTATION_WORK'], 'tools', 'mutation_hook.py'))\n"
)


@contextlib.contextmanager
def hook_installed(python: str) -> Iterator[None]:
    """A .pth file in the interpreter's site-packages that runs mutation_hook.py in every
    process of a run (and in none outside it: the line checks for the run's variable)."""
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    pth = Path(purelib) / f"kjcdir_mutation_hook_{os.getpid()}.pth"  # one per run
    pth.write_text(HOOK_LINE, encoding="utf-8")
    try:
        yield
    finally:
        pth.unlink(missing_ok=True)


def run(module: str, tests: list[str], python: str, keep: bool) -> dict[str, int]:
    """mutmut over one module in a scratch copy of the committed tree; its counts."""
    work = Path(tempfile.mkdtemp(prefix="kjcdir-mutation-"))
    work.chmod(0o755)  # the tests that run kjcdir as another user must reach the copy
    try:
        archive = subprocess.run(
            ["git", "-C", str(REPO), "archive", "HEAD"], check=True, capture_output=True
        )
        subprocess.run(["tar", "-x", "-C", str(work)], input=archive.stdout, check=True)
        present = [test for test in tests if (work / test).exists()]
        with (work / "pyproject.toml").open("a", encoding="utf-8") as config:
            config.write(
                "\n[tool.mutmut]\n"
                'source_paths = ["src"]\n'
                f"only_mutate = {json.dumps([module])}\n"
                f"pytest_add_cli_args_test_selection = {json.dumps(present)}\n"
                'also_copy = ["data", "tests", "benchmarks"]\n'
                "debug = true\n"  # pytest's own output in mutmut.log, for a failed run
            )
        mutmut = [python, "-m", "mutmut"]
        # Tests that start kjcdir in a new process count too: see mutation_hook.py, which
        # a .pth file runs in every process that has KJCDIR_MUTATION_WORK. The kjcdir
        # console script is a shim that runs `python -m kjcdir`.
        shims = work / "bin"
        shims.mkdir()
        shim = shims / "kjcdir"
        shim.write_text(f'#!/bin/sh\nexec "{python}" -m kjcdir "$@"\n', encoding="utf-8")
        shim.chmod(0o755)
        env = {
            **os.environ,
            "PATH": f"{shims}{os.pathsep}{os.environ.get('PATH', '')}",
            "KJCDIR_MUTATION_WORK": str(work),
        }
        log = work / "mutmut.log"
        with log.open("wb") as output, hook_installed(python):
            mutmut_run = subprocess.Popen(
                [*mutmut, "run"],
                cwd=work,
                env=env,
                stdout=output,
                stderr=output,
                start_new_session=True,
            )
            try:
                returncode = mutmut_run.wait(timeout=7200)
            except BaseException:
                os.killpg(mutmut_run.pid, signal.SIGKILL)  # its forked workers too
                mutmut_run.wait()
                raise
        if returncode != 0:
            raise SystemExit(f"mutmut run failed for {module} (exit code {returncode}); see {log}")
        subprocess.run(
            [*mutmut, "export-cicd-stats"], cwd=work, check=True, stdout=subprocess.DEVNULL
        )
        stats: dict[str, int] = json.loads(
            (work / "mutants" / "mutmut-cicd-stats.json").read_text(encoding="utf-8")
        )
        if not stats.get("total"):
            raise SystemExit(f"mutmut made no mutants of {module}")
        survivors = subprocess.run(
            [*mutmut, "results"], cwd=work, check=True, capture_output=True, text=True
        ).stdout
        print(f"-- {module}: survivors and uncovered mutants\n{survivors}", file=sys.stderr)
        return stats
    except BaseException:
        keep = True  # mutmut.log and the mutants say what went wrong
        raise
    finally:
        if keep:
            print(f"kept {work} (mutmut show NAME there shows a mutant)", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("modules", nargs="*", default=list(MODULES), help="modules to mutate")
    parser.add_argument("--python", required=True, help="an interpreter with mutmut (see above)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folders")
    args = parser.parse_args()
    rows = [
        "| module | mutants | killed (or timed out) | survived | not covered | other "
        "| killed of all |",
        "|---|---|---|---|---|---|---|",
    ]
    for module in args.modules:
        stats = run(module, MODULES[module], args.python, args.keep)
        total = stats["total"]
        killed = stats["killed"] + stats.get("timeout", 0)
        # suspicious, segfault, skipped, not checked: counted, so the columns add up
        other = total - killed - stats["survived"] - stats["no_tests"]
        share = f"{killed / total:.0%}" if total else "–"
        rows.append(
            f"| `{module.removeprefix('src/')}` | {total} | {killed} | {stats['survived']} | "
            f"{stats['no_tests']} | {other} | {share} |"
        )
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
