"""Shared fixtures: an isolated cache, the CLI runner, and the shared/ folder beside the repo."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kjcdir.cli import app

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"

# The people of the bundled directory, in file order (SPEC 1.1 fixes their ids).
BUNDLED_PEOPLE = [
    "felix-wuerfel",
    "laura-brennert",
    "michael-hofmeister",
    "rena-wissmeier",
    "rosemarie-lueck",
    "ariane-patzelt",
    "joachim-werle",
    "juergen-stock",
    "peter-dubowy",
]


@pytest.fixture(autouse=True)
def isolated_environment(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Each test gets its own cache and no user data or locale from the developer's shell."""
    cache = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("KJCDIR_CACHE_DIR", str(cache))
    for variable in ("KJCDIR_DATA", "LC_ALL", "LC_MESSAGES", "LANG", "NO_COLOR", "KJCDIR_DEBUG"):
        monkeypatch.delenv(variable, raising=False)
    yield


@pytest.fixture(scope="module")
def module_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture
def module_cache(module_cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """One cache for a whole module (opt in with `pytestmark = usefixtures("module_cache")`):
    the bundled directory is compiled once, not per test. The cache is keyed by the files'
    identity, so the users' files of one test never meet another's."""
    monkeypatch.setenv("KJCDIR_CACHE_DIR", str(module_cache_dir))
    return module_cache_dir


@pytest.fixture
def shared() -> Path:
    """../shared beside the project root: present for developers and CI, not on users' machines."""
    if not SHARED.is_dir():
        pytest.skip(
            f"{SHARED} is not here (it sits beside the repository only for developers and CI)"
        )
    return SHARED


class Cli:
    """Runs kjcdir through Typer's CliRunner."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
        return self.runner.invoke(app, list(args), env=env)

    def json(self, *args: str) -> object:
        result = self(*args, "--json")
        return json.loads(result.stdout)


@pytest.fixture
def cli() -> Cli:
    return Cli()


def console_script(name: str) -> str | None:
    """An installed console script: the one beside this Python first, else on PATH."""
    candidate = Path(sys.executable).with_name(name)
    return str(candidate) if candidate.exists() else shutil.which(name)


def kjcdir_executable() -> str:
    """The installed kjcdir, as users run it."""
    found = console_script("kjcdir")
    if found is None:
        pytest.skip("the kjcdir console script is not installed")
    return found


def run_process(
    *args: str,
    env: dict[str, str] | None = None,
    input: str | None = None,
    cwd: Path | None = None,
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    """Run the installed kjcdir as a real process, piped."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [kjcdir_executable(), *args],
        capture_output=True,
        text=True,
        env=full_env,
        input=input,
        cwd=cwd,
        timeout=timeout,
    )


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (a server started on it may
    still lose it to another program: callers retry)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """End a server a test started: politely, then for sure."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
