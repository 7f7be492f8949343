"""The process in hostile environments (issue 6, item 4; SPEC 3 and 6).

These run the installed console script as a real process, as users and scripts do:
a reader that goes away (`kjcdir list | head -1`), Ctrl-C during a long first load, and
output streams that cannot encode umlauts.
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import interruptible, kjcdir_executable, run_process

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals, pipes and ptys")

GIVEN = ["Jürgen", "Anna", "Björn", "Änne", "Özlem", "Grete", "Ulf"]
FAMILY = ["Müller", "Weiß", "Schäfer", "Groß", "Köhler", "Bäcker", "Wüst"]


def write_directory(path: Path, people: int) -> Path:
    """A synthetic directory file: `people` people in people/25 organisations, with umlauts."""
    orgs = max(1, people // 25)
    out = ["meta: {title: Synthetic, source: tests, as_of: 2026-11-24}\norganizations:\n"]
    out += [
        f"  - {{id: org-{n}, name: Jobcenter Nummer {n}, topics: [SGB II, Thema {n % 50}]}}\n"
        for n in range(orgs)
    ]
    out.append("people:\n")
    out += [
        f"  - {{id: p-{n}, given_name: {GIVEN[n % 7]}, family_name: {FAMILY[n // 7 % 7]}-{n}, "
        f"affiliations: [{{org: org-{n % orgs}, role: Referent}}], "
        f"phones: ['+49 611 {1_000_000 + n}'], emails: [p{n}@example.de]}}\n"
        for n in range(people)
    ]
    path.write_text("".join(out), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def large_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Enough people that `list` writes far more than a pipe buffer holds (64 KiB)."""
    return write_directory(tmp_path_factory.mktemp("large") / "large.yaml", 4000)


def _environment() -> dict[str, str]:
    # the autouse fixture has set KJCDIR_CACHE_DIR for this test in os.environ
    return {**os.environ, "NO_COLOR": "1"}


# -- a reader that goes away -------------------------------------------------------------------


@posix_only
@pytest.mark.skipif(shutil.which("head") is None or shutil.which("sh") is None, reason="no sh")
@pytest.mark.parametrize("form", [[], ["--json"]], ids=["lines", "json"])
def test_list_into_head_ends_quietly(tmp_path: Path, large_file: Path, form: list[str]) -> None:
    command = [kjcdir_executable(), "--no-bundled", "--data", str(large_file), "list", *form]
    errors = tmp_path / "stderr"
    status = tmp_path / "status"
    # POSIX sh has no PIPESTATUS: kjcdir's own status leaves through a file
    wrapper = f"{shlex.join(command)}; echo $? >{shlex.quote(str(status))}"
    script = f"( {wrapper} ) 2>{shlex.quote(str(errors))} | head -n 1"
    result = subprocess.run(
        ["sh", "-c", script], capture_output=True, text=True, env=_environment(), timeout=120
    )
    assert result.returncode == 0
    assert len(result.stdout.splitlines()) == 1
    expected_start = "[" if form else "p-"
    assert result.stdout.startswith(expected_start)
    assert errors.read_text() == ""  # no BrokenPipeError, no "Exception ignored"
    assert status.read_text().strip() == "141"  # ended as `cat` does when its reader leaves


@posix_only
@pytest.mark.skipif(shutil.which("sh") is None, reason="no sh")
@pytest.mark.parametrize("command", [["list"], ["list", "--json"], ["show", "p-1"], ["orgs"]])
def test_a_reader_that_leaves_never_gets_a_traceback(large_file: Path, command: list[str]) -> None:
    """What holds today whatever the exit code: nothing on stderr, no traceback, no hang."""
    script = (
        f"{shlex.join([kjcdir_executable(), '--no-bundled', '--data', str(large_file), *command])}"
        " | head -n 1"
    )
    result = subprocess.run(
        ["sh", "-c", script], capture_output=True, text=True, env=_environment(), timeout=120
    )
    assert result.stderr == ""
    assert len(result.stdout.splitlines()) == 1


@posix_only
def test_closed_reader_ends_quietly(large_file: Path) -> None:
    process = subprocess.Popen(
        [kjcdir_executable(), "--no-bundled", "--data", str(large_file), "list"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_environment(),
    )
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.readline()
    process.stdout.close()  # the reader goes away after one line
    errors = process.stderr.read()
    code = process.wait(timeout=120)
    assert first.startswith(b"p-")
    assert errors == b""
    assert code == 141


@posix_only
def test_closed_reader_before_anything_is_written(large_file: Path) -> None:
    read, write = os.pipe()
    os.close(read)  # nobody will ever read
    try:
        result = subprocess.run(
            [kjcdir_executable(), "--no-bundled", "--data", str(large_file), "list"],
            stdout=write,
            stderr=subprocess.PIPE,
            env=_environment(),
            timeout=120,
        )
    finally:
        os.close(write)
    assert result.stderr == b""
    assert result.returncode == 141


@posix_only
@pytest.mark.skipif(shutil.which("sh") is None, reason="no sh")
def test_a_closed_stdout_gets_one_sentence() -> None:
    script = f"{shlex.quote(kjcdir_executable())} find wissmeier >&-"
    result = subprocess.run(
        ["sh", "-c", script], capture_output=True, text=True, env=_environment(), timeout=60
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "internal error" not in result.stderr
    assert result.stderr.startswith("kjcdir: ") and len(result.stderr.splitlines()) == 1


@posix_only
@pytest.mark.skipif(shutil.which("sh") is None, reason="no sh")
def test_a_closed_stderr_does_not_matter() -> None:
    script = f"{shlex.quote(kjcdir_executable())} find wissmeier 2>&-"
    result = subprocess.run(
        ["sh", "-c", script], capture_output=True, text=True, env=_environment(), timeout=60
    )
    assert result.returncode == 0
    assert result.stdout.startswith("rena-wissmeier\t")


@posix_only
@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
@pytest.mark.parametrize("command", [["find", "wissmeier"], ["list", "--json"]])
def test_a_full_disk_gets_one_sentence(command: list[str]) -> None:
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [kjcdir_executable(), *command],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            env=_environment(),
            timeout=60,
        )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr
    assert "internal error" not in result.stderr
    assert result.stderr.startswith("kjcdir: ") and len(result.stderr.splitlines()) == 1
    assert "No space left on device" in result.stderr


# -- Ctrl-C during a long load -----------------------------------------------------------------


@posix_only
@pytest.mark.parametrize("command", [["find", "x"], ["check"]])
def test_ctrl_c_during_a_long_load(tmp_path: Path, command: list[str]) -> None:
    """The load itself says when it is under way: its progress bar, drawn from the start
    (KJCDIR_PROGRESS_AFTER=0) on a pseudo-terminal. Ctrl-C then ends it with 130 and one
    sentence, however fast the machine."""
    import fcntl
    import pty
    import select
    import struct
    import termios

    big = write_directory(tmp_path / "huge.yaml", 40_000)
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    process = subprocess.Popen(
        [kjcdir_executable(), "--no-bundled", "--data", str(big), *command],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=slave,
        env={**_environment(), "KJCDIR_PROGRESS_AFTER": "0", "TERM": "xterm-256color"},
        preexec_fn=interruptible,
    )
    os.close(slave)
    shown = b""
    deadline = time.monotonic() + 60

    while b"checking huge.yaml" not in shown:  # "reading and checking", or check's
        assert process.poll() is None, "the load ended before Ctrl-C; make the file larger"
        ready, _, _ = select.select([master], [], [], max(0.0, deadline - time.monotonic()))
        assert ready, f"no progress bar in time: {shown!r}"
        shown += os.read(master, 65536)
    process.send_signal(signal.SIGINT)
    assert process.stdout is not None
    stdout = process.stdout.read()
    assert process.wait(timeout=60) == 130
    while True:
        ready, _, _ = select.select([master], [], [], 5)
        if not ready:
            break
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the process has closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(master)
    process.stdout.close()
    assert stdout == b""
    said = shown.decode("utf-8", "replace").replace("\r\n", "\n")
    assert "Traceback" not in said
    # after the bar is erased, one line: the sentence
    assert said.rsplit("\x1b[2K", 1)[-1].strip() == "kjcdir: interrupted."


# -- output streams that cannot encode umlauts -------------------------------------------------


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_an_output_that_cannot_encode_still_gets_the_contact(encoding: str) -> None:
    result = subprocess.run(
        [kjcdir_executable(), "find", "wissmeier"],
        capture_output=True,
        env={**_environment(), "PYTHONIOENCODING": encoding},
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == b""
    stdout = result.stdout.decode(encoding)
    assert stdout.startswith("rena-wissmeier\t")
    # ß is not ASCII: a '?' then. Latin-1 has ß, but not the › of the organisation path
    assert ("Wi?meier" if encoding == "ascii" else "Wißmeier") in stdout
    assert "Städtetag ? Regiestelle" in stdout or "St?dtetag ? Regiestelle" in stdout


@pytest.mark.parametrize(
    "args",
    [
        ["find", "wissmeier", "--json"],
        ["show", "rena-wissmeier"],
        ["orgs"],
        ["topics"],
        ["list", "--org", "HStT"],
    ],
    ids=lambda args: " ".join(args),
)
def test_every_command_survives_an_ascii_output(args: list[str]) -> None:
    result = run_process(*args, env={"PYTHONIOENCODING": "ascii"})
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "Traceback" not in result.stdout
    assert result.stdout.isascii()
    assert "?" in result.stdout  # something was replaced, nothing was dropped with an error


def test_an_ascii_error_stream_still_gets_the_sentence() -> None:
    result = run_process("find", "Müllerß", env={"PYTHONIOENCODING": "ascii"})
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("kjcdir: No one matches 'M?ller?'.")


def test_an_ascii_error_stream_names_a_broken_file(tmp_path: Path) -> None:
    path = tmp_path / "Übersicht.yaml"
    path.write_text("people:\n  - id: jürgen\n    family_name: Weiß\n", encoding="utf-8")
    result = run_process("--data", str(path), "find", "x", env={"PYTHONIOENCODING": "ascii"})
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(str(path).replace("Ü", "?") + ":2:9: id 'j?rgen'")


@posix_only
def test_the_c_locale_still_gets_the_contact() -> None:
    result = run_process("find", "wissmeier", env={"LC_ALL": "C", "LANG": "C"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("rena-wissmeier\t")
    assert result.stderr == ""


@posix_only
def test_a_terminal_that_cannot_encode_still_gets_the_card() -> None:
    """The rich form on a real terminal (a pty) whose stream is ASCII."""
    import pty

    leader, follower = pty.openpty()
    try:
        process = subprocess.Popen(
            [kjcdir_executable(), "find", "wissmeier"],
            stdin=follower,
            stdout=follower,
            stderr=subprocess.PIPE,
            env={**_environment(), "PYTHONIOENCODING": "ascii", "COLUMNS": "100"},
        )
        os.close(follower)
        follower = -1
        output = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the pty is closed once the process has ended
                break
            if not chunk:
                break
            output += chunk
        assert process.stderr is not None
        errors = process.stderr.read()
        code = process.wait(timeout=60)
    finally:
        os.close(leader)
        if follower >= 0:
            os.close(follower)
    assert code == 0, errors
    assert errors == b""
    assert b"Wi?meier" in output
    assert output.isascii()
