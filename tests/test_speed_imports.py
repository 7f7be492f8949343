"""Lazy imports (issue 5 item 1; SPEC 5): a lookup imports only what it needs.

`kjcdir find wissmeier` runs as a real process with PYTHONPROFILEIMPORTTIME (the
environment form of `python -X importtime`), which lists every module the process
imported on stderr. No timings are asserted (machines are noisy; benchmarks/run.py
measures speed); what is asserted is which modules a lookup pays for.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import kjcdir_executable

# Never needed by find, list or show: typer 0.29's pydantic, export, QR and LDAP libraries,
# and the full-screen view's Textual.
NEVER = (
    "pydantic",
    "vobject",
    "segno",
    "xlsxwriter",
    "csv",
    "kjcdir.export",
    "ldap3",
    "kjcdir.ldap",
    "textual",
    "kjcdir.browse",
)
# Needed only to read the YAML files, never with a warm cache.
LOADING = ("yaml", "phonenumbers", "kjcdir.load")
# rich draws the terminal output, never the piped lines.
TERMINAL = ("rich",)

_IMPORT_LINE = re.compile(r"^import time:\s+\d+\s+\|\s+\d+\s+\|\s+(\S+)\s*$", re.MULTILINE)


def imported_modules(*args: str, cache: Path | None = None) -> tuple[set[str], str]:
    """The modules a piped kjcdir process imported, and its stdout."""
    env = {**os.environ, "PYTHONPROFILEIMPORTTIME": "1"}
    for name in ("KJCDIR_DATA", "NO_COLOR", "LC_ALL", "LC_MESSAGES", "LANG", "KJCDIR_DEBUG"):
        env.pop(name, None)
    if cache is not None:
        env["KJCDIR_CACHE_DIR"] = str(cache)
    result = subprocess.run(
        [kjcdir_executable(), *args], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    modules = set(_IMPORT_LINE.findall(result.stderr))
    assert "kjcdir.cli" in modules, "the import profile was not written"
    return modules, result.stdout


def loaded(modules: set[str], packages: tuple[str, ...]) -> list[str]:
    return sorted(
        module
        for module in modules
        if any(module == package or module.startswith(package + ".") for package in packages)
    )


@pytest.fixture(scope="module")
def cold_and_warm(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[set[str], set[str], str, str]:
    """`find wissmeier` twice with one cache directory of its own: first cold, then warm."""
    cache = tmp_path_factory.mktemp("speed-cache")
    cold, cold_output = imported_modules("find", "wissmeier", cache=cache)
    warm, warm_output = imported_modules("find", "wissmeier", cache=cache)
    return cold, warm, cold_output, warm_output


def test_both_runs_answer_the_same(cold_and_warm: tuple[set[str], set[str], str, str]) -> None:
    _, _, cold_output, warm_output = cold_and_warm
    assert cold_output.startswith("rena-wissmeier\t")
    assert cold_output == warm_output


def test_find_never_imports_pydantic_or_the_export_libraries(
    cold_and_warm: tuple[set[str], set[str], str, str],
) -> None:
    cold, warm, _, _ = cold_and_warm
    assert loaded(cold, NEVER) == []
    assert loaded(warm, NEVER) == []


def test_piped_find_never_imports_rich(cold_and_warm: tuple[set[str], set[str], str, str]) -> None:
    cold, warm, _, _ = cold_and_warm
    assert loaded(cold, TERMINAL) == []
    assert loaded(warm, TERMINAL) == []


def test_the_cold_run_reads_the_files(cold_and_warm: tuple[set[str], set[str], str, str]) -> None:
    cold, _, _, _ = cold_and_warm
    assert "yaml" in cold and "kjcdir.load" in cold  # the test would prove nothing otherwise


def test_the_store_imports_neither_yaml_nor_the_loader() -> None:
    """The path from the cache to the search, without the CLI."""
    code = (
        "import sys; from kjcdir.store import open_directory; open_directory([]); "
        "from kjcdir.lookup import find_people; "
        "print(find_people(open_directory([]), 'wissmeier')[0].person.id); "
        "print(' '.join(sorted(sys.modules)))"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)  # cold
    result = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    )
    answer, modules = result.stdout.splitlines()
    assert answer == "rena-wissmeier"
    assert loaded(set(modules.split()), (*LOADING, *TERMINAL, *NEVER, "rapidfuzz")) == []


def test_a_warm_find_imports_neither_yaml_nor_phonenumbers(
    cold_and_warm: tuple[set[str], set[str], str, str],
) -> None:
    _, warm, _, _ = cold_and_warm
    assert loaded(warm, LOADING) == []


def test_an_exact_name_needs_no_rapidfuzz(
    cold_and_warm: tuple[set[str], set[str], str, str],
) -> None:
    """rapidfuzz (~10 ms to import) is loaded when a query word could be a typo of a word
    in the directory; for an exact name on the bundled data a bound proves it is not."""
    _, warm, _, _ = cold_and_warm
    assert loaded(warm, ("rapidfuzz",)) == []


def test_a_typo_still_imports_rapidfuzz_and_finds_the_person() -> None:
    modules, output = imported_modules("find", "wismeier")
    assert output.startswith("rena-wissmeier\t")
    assert "rapidfuzz" in modules
