"""Shared fixtures: an isolated cache, the CLI runner, and the shared/ folder beside the repo."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from typer.testing import CliRunner

from kjcdir.cli import app

# Every Hypothesis test: the same examples on every run (a failure is reproduced by
# running it again, and CI cannot turn red by chance), and no deadline per example
# (shared machines are noisy; speed is measured by benchmarks/, not by tests).
settings.register_profile("kjcdir", deadline=None, derandomize=True, database=None)
settings.load_profile("kjcdir")

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


def missing_system_package(reason: str) -> None:
    """A program or library the tests need is not installed: skip, except in CI, which
    installs them all (.ci/run sets KJCDIR_REQUIRE_SLAPD), where a skip would hide tests."""
    if os.environ.get("KJCDIR_REQUIRE_SLAPD"):
        pytest.fail(f"{reason} (CI installs it: see .ci/run)")
    pytest.skip(reason)


OTHER_UID = 54321  # a uid no one uses, for chown and setpriv


def as_another_user() -> list[str]:
    """The command prefix that runs a program as OTHER_UID (setpriv, run as root), once
    it is known that that user can run the installed kjcdir; else the test skips."""
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("setpriv (util-linux) is not installed")
    prefix = [setpriv, f"--reuid={OTHER_UID}", f"--regid={OTHER_UID}", "--clear-groups"]
    probe = subprocess.run([*prefix, kjcdir_executable(), "--version"], capture_output=True)
    if probe.returncode != 0:  # .ci/run makes its environments readable for this
        pytest.skip(
            f"uid {OTHER_UID} cannot run {kjcdir_executable()} (it lies in a folder only "
            "its owner may enter)"
        )
    return prefix


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


def interruptible() -> None:
    """preexec_fn of a process a test sends SIGINT: Ctrl-C acts as at a terminal. A shell
    starts background jobs with SIGINT ignored, and Python then keeps ignoring it."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class StderrOnTerminal:
    """What a process wrote: stdout (piped) and what its terminal showed on stderr."""

    def __init__(self, returncode: int, stdout: str, terminal: bytes) -> None:
        self.returncode = returncode
        self.stdout = stdout
        self.terminal = terminal.decode("utf-8", "replace")

    @property
    def frames(self) -> list[str]:
        """The lines the terminal showed one after the other (escapes and bar glyphs gone)."""
        import re

        text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", self.terminal).replace("━", "")
        text = text.replace("╸", "").replace("╺", "")
        return [" ".join(line.split()) for line in re.split(r"[\r\n]", text) if line.strip()]


def run_with_stderr_on_terminal(
    *args: str, env: dict[str, str] | None = None, timeout: float = 60
) -> StderrOnTerminal:
    """Run the installed kjcdir with stderr (and stdin) on a pseudo-terminal of 100
    columns and stdout piped: as `kjcdir … | less` runs, or an export to a file."""
    full_env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "100", **(env or {})}
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "NO_COLOR"):
        if env is None or name not in env:
            full_env.pop(name, None)
    code, piped, shown = run_on_terminal(args, "stderr", full_env, 100, timeout)
    return StderrOnTerminal(code, piped.decode("utf-8"), shown)


def run_on_terminal(
    args: tuple[str, ...] | list[str],
    which: str,
    env: dict[str, str],
    columns: int,
    timeout: float = 60,
) -> tuple[int, bytes, bytes]:
    """The installed kjcdir with stdin and `which` ("stdout" or "stderr") on a
    pseudo-terminal `columns` wide and the other stream piped: its exit code, what was
    piped, and what the terminal was sent (read until it is closed, within `timeout`)."""
    import fcntl
    import pty
    import select
    import struct
    import termios
    import time

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    on_terminal = {"stdin": slave, "stdout" if which == "stdout" else "stderr": slave}
    on_terminal["stderr" if which == "stdout" else "stdout"] = subprocess.PIPE
    process = subprocess.Popen(
        [kjcdir_executable(), *args],
        env=env,
        close_fds=True,
        **on_terminal,  # type: ignore[arg-type]
    )
    os.close(slave)
    piped_stream = process.stderr if which == "stdout" else process.stdout
    assert piped_stream is not None
    shown, piped = bytearray(), bytearray()
    deadline = time.monotonic() + timeout
    streams = [master, piped_stream.fileno()]
    try:
        while streams:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                process.kill()
                raise AssertionError(f"kjcdir {' '.join(args)} did not finish in {timeout} s")
            ready, _, _ = select.select(streams, [], [], remaining)
            for stream in ready:
                try:
                    chunk = os.read(stream, 65536)
                except OSError:  # EIO: the process has closed the terminal
                    chunk = b""
                if not chunk:
                    streams.remove(stream)
                else:
                    (shown if stream == master else piped).extend(chunk)
    finally:
        os.close(master)
    process.wait(timeout=timeout)
    piped_stream.close()
    return process.returncode, bytes(piped), bytes(shown)
