"""Progress bars for long work (issue 14, item 6): the first load of a large directory,
exports, and (in test_ldap_server.py) `ldap sync`.

On a terminal a rich bar shows the share done, the amount and the time left, once the
work has taken a second (KJCDIR_PROGRESS_AFTER changes that); piped, stderr stays
quiet. The bars are drawn by real processes on a pseudo-terminal here.
"""

from __future__ import annotations

import io
import os
import pty
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import kjcdir_executable, run_process, run_with_stderr_on_terminal
from kjcdir.output import progress
from kjcdir.output.progress import Counted, Progress

GENERATE = Path(__file__).resolve().parents[1] / "benchmarks" / "generate.py"
ALWAYS = {"KJCDIR_PROGRESS_AFTER": "0"}


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(scope="module")
def three_thousand(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("progress") / "people.yaml"
    subprocess.run([sys.executable, str(GENERATE), "3000", str(path)], check=True)
    return path


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache of this test alone: each run below is a first load."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("KJCDIR_CACHE_DIR", str(folder))
    return folder


# -- the bar itself --------------------------------------------------------------------


def test_a_bar_shows_the_stage_the_share_the_amount_and_is_erased(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KJCDIR_PROGRESS_AFTER", "0")
    terminal = FakeTerminal()
    with Progress(True, stream=terminal) as bar:
        bar.stage("reading and checking people.yaml", total=2_000_000, unit="bytes")
        bar.update(1_000_000)
        _wait_for(lambda: "1.0 of 2.0 MB" in terminal.getvalue())
        shown = terminal.getvalue()
        bar.stage("indexing 3,000 people", total=3000, unit="people")
        bar.update(750)
        _wait_for(lambda: "750 of 3,000 people" in terminal.getvalue())
    assert "kjcdir: reading and checking people.yaml" in shown
    assert " 50%" in shown
    assert " 25%" in terminal.getvalue()
    after = terminal.getvalue()
    assert after.endswith("\x1b[2K") or after.rstrip("\n").endswith("\x1b[2K")  # erased


def test_work_shorter_than_the_delay_shows_nothing() -> None:
    terminal = FakeTerminal()
    with Progress(True, stream=terminal) as bar:
        bar.stage("indexing", total=10, unit="people")
        bar.update(10)
    assert terminal.getvalue() == ""
    assert not bar.drawn


def test_nothing_is_drawn_when_not_enabled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KJCDIR_PROGRESS_AFTER", "0")
    terminal = FakeTerminal()
    with Progress(False, stream=terminal) as bar:
        bar.stage("exporting", total=10, unit="contacts")
        time.sleep(0.3)
    assert terminal.getvalue() == ""


def test_file_names_are_shown_inertly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KJCDIR_PROGRESS_AFTER", "0")
    terminal = FakeTerminal()
    with Progress(True, stream=terminal) as bar:
        bar.stage("reading evil\x1b[31m[bold].yaml", total=None)
        _wait_for(lambda: "evil" in terminal.getvalue())
    assert "evil?[31m[bold].yaml" in terminal.getvalue()
    assert "\x1b[31m[bold]" not in terminal.getvalue()


@pytest.mark.parametrize(
    ("completed", "total", "unit", "shown"),
    [
        (2_500_000, 30_000_000, "bytes", "2.5 of 30.0 MB"),
        (2_500_000, None, "bytes", "2.5 MB"),
        (4000, 10_000, "contacts", "4,000 of 10,000 contacts"),
        (12, None, "entries", "12 entries"),
        (0, None, "", ""),
        (16_384, 884_100, "bytes", "16.4 of 884.1 kB"),
    ],
)
def test_amounts(completed: int, total: int | None, unit: str, shown: str) -> None:
    assert progress._amount(completed, total, unit) == shown


@pytest.mark.parametrize(
    ("value", "seconds"), [(None, 1.0), ("0", 0.0), ("2.5", 2.5), ("soon", 1.0), ("-1", 1.0)]
)
def test_the_delay_can_be_set(
    monkeypatch: pytest.MonkeyPatch, value: str | None, seconds: float
) -> None:
    if value is None:
        monkeypatch.delenv("KJCDIR_PROGRESS_AFTER", raising=False)
    else:
        monkeypatch.setenv("KJCDIR_PROGRESS_AFTER", value)
    assert progress.delay() == seconds


def test_counted_tells_of_each_item_taken() -> None:
    bar = Progress(False)
    bar.stage("exporting", total=3, unit="contacts")
    items = Counted(["a", "b", "c"], bar)
    assert len(items) == 3
    assert items[1] == "b"
    seen = []
    for item in items:
        seen.append((item, bar.completed))
    assert seen == [("a", 0), ("b", 1), ("c", 2)]
    assert bar.completed == 3


def _wait_for(condition: object, seconds: float = 5) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "the bar was not drawn"
        time.sleep(0.02)


# -- real processes on a terminal -------------------------------------------------------


@pytest.fixture(scope="module")
def twenty_thousand(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Large enough that reading it takes a good part of a second on any machine."""
    path = tmp_path_factory.mktemp("progress") / "people.yaml"
    subprocess.run([sys.executable, str(GENERATE), "20000", str(path)], check=True)
    return path


def test_a_first_load_shows_bytes_read_on_a_terminal(
    twenty_thousand: Path, cache_dir: Path
) -> None:
    result = run_with_stderr_on_terminal(
        "--no-bundled", "--data", str(twenty_thousand), "find", "schaefer", env=ALWAYS
    )
    assert result.returncode == 0
    frames = result.frames
    reading = [frame for frame in frames if frame.startswith("kjcdir: reading and checking")]
    assert reading, frames
    amount = re.compile(r"\d+% \d+\.\d of 5\.\d MB")  # 5.9 MB of YAML
    assert any(amount.search(frame) for frame in reading), reading
    assert "people.yaml" in reading[0]
    # the bar is erased before the answer: the last thing on the terminal clears the line
    assert result.terminal.rstrip().endswith("\x1b[2K")
    assert "Schäfer" in result.stdout


def test_a_load_from_the_cache_shows_no_bar(three_thousand: Path, cache_dir: Path) -> None:
    run_process("--no-bundled", "--data", str(three_thousand), "find", "schaefer")
    time.sleep(2.1)  # the cache is written only for a file left alone two seconds
    run_process("--no-bundled", "--data", str(three_thousand), "find", "schaefer")
    result = run_with_stderr_on_terminal(
        "--no-bundled", "--data", str(three_thousand), "find", "schaefer", env=ALWAYS
    )
    assert result.returncode == 0
    assert "kjcdir:" not in result.terminal


def test_work_under_a_second_shows_no_bar_on_a_terminal(cache_dir: Path) -> None:
    result = run_with_stderr_on_terminal("find", "wissmeier", env={"KJCDIR_PROGRESS_AFTER": "5"})
    assert result.returncode == 0
    assert result.terminal == ""


def test_piped_stderr_stays_quiet(three_thousand: Path, cache_dir: Path) -> None:
    result = run_process(
        "--no-bundled", "--data", str(three_thousand), "find", "schaefer", env=ALWAYS
    )
    assert result.returncode == 0
    assert result.stderr == ""


def test_an_export_shows_contacts_written(
    three_thousand: Path, cache_dir: Path, tmp_path: Path
) -> None:
    output = tmp_path / "all.vcf"
    result = run_with_stderr_on_terminal(
        "--no-bundled", "--data", str(three_thousand), "export", "--all", "-o", str(output),
        env=ALWAYS,
    )  # fmt: skip
    assert result.returncode == 0
    exporting = [frame for frame in result.frames if frame.startswith("kjcdir: exporting")]
    assert exporting, result.frames
    assert any("of 3,000 contacts" in frame for frame in exporting), exporting
    assert "wrote 3000 contacts" in result.frames[-1]
    assert output.read_text(encoding="utf-8").count("BEGIN:VCARD") == 3000


def test_an_export_to_a_vdir_shows_contacts_written(
    three_thousand: Path, cache_dir: Path, tmp_path: Path
) -> None:
    result = run_with_stderr_on_terminal(
        "--no-bundled", "--data", str(three_thousand), "export", "--all",
        "--vdir", str(tmp_path / "cards"), env=ALWAYS,
    )  # fmt: skip
    assert result.returncode == 0
    assert any("of 3,000 contacts" in frame for frame in result.frames), result.frames
    assert len(list((tmp_path / "cards").iterdir())) == 3000


def test_an_export_to_stdout_draws_no_bar(three_thousand: Path, cache_dir: Path) -> None:
    result = run_with_stderr_on_terminal(
        "--no-bundled", "--data", str(three_thousand), "export", "--all", "--format", "csv",
        env=ALWAYS,
    )  # fmt: skip
    assert result.returncode == 0
    assert "kjcdir: exporting" not in result.terminal
    assert result.stdout.count("\n") == 3001


def test_interrupting_a_load_erases_the_bar(three_thousand: Path, cache_dir: Path) -> None:
    """The bar belongs to the work: a failing load ends it before the error is said."""
    broken = three_thousand.with_name("broken.yaml")
    broken.write_bytes(three_thousand.read_bytes() + b"  - id: x\n    family_name: [\n")
    result = run_with_stderr_on_terminal(
        "--no-bundled", "--data", str(broken), "find", "x", env=ALWAYS
    )
    assert result.returncode == 2
    assert result.frames[-1].startswith(f"{broken}:")
    assert "YAML syntax" in result.frames[-1]


def test_progress_is_thread_safe_enough_for_its_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker sets numbers while the thread draws: the bar never shows more than all."""
    monkeypatch.setenv("KJCDIR_PROGRESS_AFTER", "0")
    terminal = FakeTerminal()
    with Progress(True, stream=terminal) as bar:
        bar.stage("exporting", total=100, unit="contacts")
        for _ in range(2000):
            bar.advance()
        time.sleep(0.3)
    assert "100 of 100 contacts" in terminal.getvalue()
    assert "2,000 of 100" not in terminal.getvalue()


@pytest.mark.parametrize("command", [["find", "schaefer"], ["list"], ["info"], ["topics"]])
def test_json_output_keeps_stderr_quiet_on_a_terminal(
    three_thousand: Path, cache_dir: Path, command: list[str]
) -> None:
    result = run_with_stderr_on_terminal(
        "--no-bundled", "--data", str(three_thousand), *command, "--json", env=ALWAYS
    )
    assert result.returncode == 0
    assert result.terminal == ""
    assert result.stdout.startswith(("[", "{"))


@pytest.mark.parametrize("value", ["inf", "1e12", "nan"])
def test_a_delay_of_forever_never_draws_and_never_fails(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    monkeypatch.setenv("KJCDIR_PROGRESS_AFTER", value)
    terminal = FakeTerminal()
    with Progress(True, stream=terminal) as bar:
        bar.stage("indexing", total=10, unit="people")
        time.sleep(0.2)
    assert terminal.getvalue() == ""
    assert capsys.readouterr().err == ""  # no exception in the drawing thread


def test_counted_counts_each_item_once_over_two_passes() -> None:
    bar = Progress(False)
    items = Counted(["a", "b"], bar)
    assert list(items) == ["a", "b"]
    assert list(items) == ["a", "b"]
    assert bar.completed == 2


def test_a_signal_during_a_load_leaves_the_cursor_shown(
    three_thousand: Path, cache_dir: Path, tmp_path: Path
) -> None:
    """SIGTERM while the bar is drawn: kjcdir ends (143) and the terminal's cursor, which
    the bar hides, is shown again."""
    big = tmp_path / "big.yaml"
    subprocess.run([sys.executable, str(GENERATE), "30000", str(big)], check=True)
    master, slave = pty.openpty()
    env = {**os.environ, "KJCDIR_PROGRESS_AFTER": "0", "TERM": "xterm-256color"}
    process = subprocess.Popen(
        [kjcdir_executable(), "--no-bundled", "--data", str(big), "find", "x"],
        stdin=slave,
        stdout=subprocess.DEVNULL,
        stderr=slave,
        env=env,
    )
    os.close(slave)
    received = b""
    deadline = time.monotonic() + 30
    while b"reading and checking" not in received:
        assert time.monotonic() < deadline, received
        received += os.read(master, 65536)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 128 + signal.SIGTERM
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        received += chunk
    os.close(master)
    assert received.count(b"\x1b[?25l") >= 1
    assert received.rfind(b"\x1b[?25h") > received.rfind(b"\x1b[?25l")


def test_check_shows_bytes_checked_on_a_terminal(twenty_thousand: Path, cache_dir: Path) -> None:
    result = run_with_stderr_on_terminal("--no-bundled", "check", str(twenty_thousand), env=ALWAYS)
    assert result.returncode == 0
    checking = [frame for frame in result.frames if frame.startswith("kjcdir: checking")]
    assert checking, result.frames
    assert "people.yaml" in checking[0]
    assert result.stdout.startswith(f"{twenty_thousand}: ok (")
