"""`kjcdir browse` as users run it: the installed command in a real terminal (tmux).

tmux (Debian's package; `.ci/run` installs it where missing) gives the command a
pseudo-terminal of a chosen size; `send-keys` types, `capture-pane` reads the screen.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import kjcdir_executable

TIMEOUT = 30  # seconds for the screen to show what is awaited


class Tmux:
    def __init__(self, socket: str) -> None:
        self.socket = socket

    def __call__(self, *args: str) -> str:
        done = subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, timeout=30
        )
        return done.stdout

    def start(self, command: str, env: dict[str, str], width: int = 100, height: int = 30) -> None:
        exports = " ".join(f"{name}={shlex.quote(value)}" for name, value in env.items())
        self("new-session", "-d", "-x", str(width), "-y", str(height), "-s", "t",
             f"env {exports} {command}; echo EXIT=$?; sleep 30")  # fmt: skip

    def screen(self) -> str:
        return self("capture-pane", "-p", "-t", "t")

    def wait_for(self, text: str) -> str:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{text!r} did not appear; the screen:\n{self.screen()}")


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Tmux]:
    if shutil.which("tmux") is None:
        if os.environ.get("KJCDIR_REQUIRE_SLAPD"):  # set by CI, which installs tmux too
            pytest.fail("tmux is not installed (.ci/run installs it)")
        pytest.skip("tmux is not installed: apt-get install tmux (.ci/run does)")
    session = Tmux(f"kjcdir-test-{os.getpid()}-{tmp_path.name}")
    try:
        yield session
    finally:
        session("kill-server")


def environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "KJCDIR_CACHE_DIR": str(tmp_path / "cache"),
        "TERM": "xterm-256color",
        "LANG": "C.UTF-8",
        **extra,
    }


def test_typing_wism_shows_rena_wissmeiers_number(tmux: Tmux, tmp_path: Path) -> None:
    tmux.start(f"{kjcdir_executable()} browse", environment(tmp_path))
    tmux.wait_for("Felix Würfel")  # the first frame: everyone
    tmux("send-keys", "-t", "t", "wism")
    screen = tmux.wait_for("+49 611 1702-25")
    assert "Rena Wißmeier" in screen
    assert "Felix Würfel" not in screen
    tmux("send-keys", "-t", "t", "Escape")
    assert "EXIT=0" in tmux.wait_for("EXIT=")


def test_ctrl_e_puts_the_email_on_the_terminals_clipboard(tmux: Tmux, tmp_path: Path) -> None:
    """OSC 52 reaches tmux, which keeps what it carries as a paste buffer."""
    tmux.start(f"{kjcdir_executable()} browse wissmeier", environment(tmp_path))
    tmux("set-option", "-g", "set-clipboard", "on")
    tmux.wait_for("+49 611 1702-25")
    tmux("send-keys", "-t", "t", "C-e")
    deadline = time.monotonic() + TIMEOUT
    while tmux("show-buffer") != "wissmeier@hess-staedtetag.de" and time.monotonic() < deadline:
        time.sleep(0.2)
    assert tmux("show-buffer") == "wissmeier@hess-staedtetag.de"


def test_german_labels_and_a_narrow_terminal(tmux: Tmux, tmp_path: Path) -> None:
    env = environment(tmp_path, LANG="de_DE.UTF-8")
    tmux.start(f"{kjcdir_executable()} browse wism", env, width=80, height=24)
    screen = tmux.wait_for("Beenden")
    assert "E-Mail" in screen and "vCard" in screen and "QR" in screen  # all at 80 columns
    screen = tmux.wait_for("Telefon")  # the card's label, below the list at 80 columns
    lines = screen.splitlines()
    name_line = next(i for i, line in enumerate(lines) if "Rena Wißmeier" in line)
    phone_line = next(i for i, line in enumerate(lines) if "+49 611 1702-25" in line)
    assert phone_line > name_line


def test_a_data_error_is_one_sentence_before_the_screen_opens(tmux: Tmux, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("people: [\n", encoding="utf-8")
    tmux.start(f"{kjcdir_executable()} --data {broken} browse", environment(tmp_path))
    screen = tmux.wait_for("EXIT=")
    assert "EXIT=2" in screen
    assert f"{broken}:2:1: YAML syntax" in screen  # as `kjcdir check` says it
    assert "Traceback" not in screen


def test_browse_piped_is_one_sentence(tmp_path: Path) -> None:
    done = subprocess.run(
        [kjcdir_executable(), "browse"],
        capture_output=True,
        text=True,
        env={**os.environ, **environment(tmp_path)},
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr == "kjcdir: browse needs a terminal; use find.\n"


def test_sigterm_ends_the_view_and_restores_the_terminal(tmux: Tmux, tmp_path: Path) -> None:
    tmux.start(f"{kjcdir_executable()} browse", environment(tmp_path))
    tmux.wait_for("Felix Würfel")
    shell = tmux("list-panes", "-t", "t", "-F", "#{pane_pid}").strip()
    subprocess.run(["pkill", "-TERM", "-P", shell], check=True)
    screen = tmux.wait_for("EXIT=")
    assert "kjcdir: terminated." in screen and "EXIT=143" in screen
    assert "Felix Würfel" not in screen  # the full screen is gone: the terminal is back
