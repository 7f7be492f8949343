"""Complete output or a failing exit (issue 9, item 5; SPEC 4).

A pipe's write() takes only part of a large buffer when its reader leaves, and Python's
buffered stdout reported that short count without an error: `kjcdir export --all | head
-c 100` exited 0 with the rest of the export lost, and a script with `set -o pipefail`
could not tell. Now every byte is written or the exit code says it was not: 141 for a
reader that left (as `list` and `cat` end), 2 with one sentence for any other failure.
"""

from __future__ import annotations

import errno
import io
import os
import shlex
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from conftest import kjcdir_executable
from kjcdir import atomic
from kjcdir.output import stdout
from test_process import write_directory

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX pipes")


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Enough people that every export is far larger than a pipe's 64 KiB buffer."""
    return write_directory(tmp_path_factory.mktemp("big") / "big.yaml", 1500)


COMMANDS = {
    "vcard": ["export", "--all"],
    "csv": ["export", "--all", "-f", "csv"],
    "json": ["export", "--all", "-f", "json"],
    "mutt-query": ["mutt-query", ""],
    "find --json": ["find", "--json", "--limit", "5000", "Referent"],
    "list --json": ["list", "--json"],
    "list": ["list"],
}


@posix_only
@pytest.mark.skipif(shutil.which("bash") is None or shutil.which("head") is None, reason="bash")
@pytest.mark.parametrize("command", list(COMMANDS.values()), ids=list(COMMANDS))
def test_a_reader_that_leaves_early_is_seen_by_pipefail(big: Path, command: list[str]) -> None:
    full = [kjcdir_executable(), "--no-bundled", "--data", str(big), *command]
    # head leaves after 100 bytes, while kjcdir is inside one large write
    script = f"set -o pipefail; {shlex.join(full)} | head -c 100 >/dev/null"
    result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 141, result.stderr
    assert result.stderr == ""


@posix_only
@pytest.mark.parametrize("command", list(COMMANDS.values()), ids=list(COMMANDS))
def test_a_slow_reader_gets_every_byte(big: Path, command: list[str]) -> None:
    full = [kjcdir_executable(), "--no-bundled", "--data", str(big), *command]
    expected = subprocess.run(full, capture_output=True, timeout=120)
    assert expected.returncode == 0
    process = subprocess.Popen(full, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    received = bytearray()
    while chunk := process.stdout.read(997):  # small, uneven reads
        received += chunk
    assert process.wait(timeout=120) == 0
    assert process.stderr.read() == b""
    assert bytes(received) == expected.stdout
    assert len(received) > 65536


@posix_only
@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
@pytest.mark.parametrize("command", [["export", "--all"], ["mutt-query", ""], ["list"]])
def test_a_full_device_is_one_sentence_and_exit_2(big: Path, command: list[str]) -> None:
    with open("/dev/full", "wb") as full:
        result = subprocess.run(
            [kjcdir_executable(), "--no-bundled", "--data", str(big), *command],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    assert result.returncode == 2
    assert result.stderr == "kjcdir: cannot write the output: No space left on device.\n"


# -- the writer itself -----------------------------------------------------------------------


def test_write_all_writes_the_rest_after_a_short_write(monkeypatch: pytest.MonkeyPatch) -> None:
    taken: list[bytes] = []

    def short_write(fd: int, data: memoryview) -> int:
        part = bytes(data[:3])  # a pipe that takes three bytes at a time
        taken.append(part)
        return len(part)

    monkeypatch.setattr(os, "write", short_write)
    atomic.write_all(99, b"0123456789")
    assert b"".join(taken) == b"0123456789"


def test_write_all_fails_when_nothing_more_is_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    answers = iter([4, 0])
    monkeypatch.setattr(os, "write", lambda fd, data: next(answers))
    with pytest.raises(OSError) as raised:
        atomic.write_all(99, b"0123456789")
    assert raised.value.errno == errno.EIO


@posix_only
def test_write_all_waits_on_a_non_blocking_pipe() -> None:
    """A pipe another process made non-blocking answers EAGAIN when full: wait, go on."""
    reading, writing = os.pipe()
    os.set_blocking(writing, False)
    data = os.urandom(1 << 20)  # sixteen pipe buffers
    received = bytearray()

    def drain() -> None:
        while chunk := os.read(reading, 65536):
            received.extend(chunk)

    reader = threading.Thread(target=drain)
    reader.start()
    try:
        atomic.write_all(writing, data)
    finally:
        os.close(writing)
        reader.join(timeout=60)
        os.close(reading)
    assert bytes(received) == data


@posix_only
def test_complete_stdout_keeps_encoding_and_descriptor() -> None:
    reading, writing = os.pipe()
    original = io.TextIOWrapper(io.FileIO(writing, "w"), encoding="latin-1")
    wrapped = stdout.complete_stdout(original)
    assert wrapped.encoding == "latin-1"
    assert wrapped.fileno() == writing
    assert not wrapped.isatty()
    wrapped.write("Würfel ☎\n")
    wrapped.flush()
    os.close(writing)
    with os.fdopen(reading, "rb") as stream:
        assert stream.read() == "Würfel ?\n".encode("latin-1")  # what cannot be shown is '?'


def test_a_capture_without_a_descriptor_is_left_as_it_is() -> None:
    capture = io.StringIO()
    assert stdout.complete_stdout(capture) is capture  # type: ignore[arg-type]
