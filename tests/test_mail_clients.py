"""The README's lines for mutt, neomutt and aerc, run through `sh -c` as those clients do.

mutt (query.c, mutt_buffer_quote_filename) puts the query in single quotes, writing a `'`
or a backquote as `'\\''` / `'\\``'`, and runs the line with the shell; aerc puts the
typed text in unquoted (completer.go: strings.ReplaceAll, then sh -c). The tests take
the lines from the README itself, so the README cannot drift into an unsafe line.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, kjcdir_executable

README = REPO / "README.md"

HOSTILE_QUERIES = [
    "wuerfel; touch {marker}",
    "wuerfel && touch {marker}",
    "$(touch {marker})",
    "`touch {marker}`",
    "O'Brien'; touch {marker}; '",
    "'$(touch {marker})'",
    "$HOME * ?",
    "a\\'b \" c",
    "Würfel | touch {marker}",
]


def mutt_quoted(query: str) -> str:
    """The query as mutt and neomutt put it in place of %s."""
    quoted = "".join("'\\" + char + "'" if char in "'`" else char for char in query)
    return f"'{quoted}'"


def readme_line(pattern: str) -> str:
    match = re.search(pattern, README.read_text(encoding="utf-8"), re.MULTILINE)
    assert match, f"the README has no line matching {pattern!r}"
    return match.group(1)


def mutt_command() -> str:
    """The command of `set query_command = "..."` in the README, as muttrc reads it."""
    value = readme_line(r'^set query_command = "((?:[^"\\]|\\.)*)"$')
    return re.sub(r"\\(.)", r"\1", value)  # muttrc's backslash escapes in double quotes


def aerc_command() -> str:
    return readme_line(r"^address-book-cmd = (.*)$").strip()


@pytest.fixture
def recorder(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """A `kjcdir` first on PATH that writes the arguments it received to a file."""
    folder = tmp_path / "bin"
    folder.mkdir()
    record = tmp_path / "argv.json"
    script = folder / "kjcdir"
    script.write_text(
        f"#!{sys.executable}\n"
        "import json, sys\n"
        f"open({str(record)!r}, 'w').write(json.dumps(sys.argv[1:]))\n"
    )
    script.chmod(0o755)
    env = {**os.environ, "PATH": f"{folder}{os.pathsep}{os.environ.get('PATH', '')}"}
    return env, record


def run_sh(command: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["sh", "-c", command], env=env, cwd=cwd, capture_output=True, text=True, timeout=60
    )


def test_the_mutt_line_leaves_the_quoting_to_mutt() -> None:
    command = mutt_command()
    assert command == "kjcdir mutt-query %s"
    assert "'%s'" not in command and '"%s"' not in command


@pytest.mark.parametrize("template", HOSTILE_QUERIES)
def test_mutt_hands_a_hostile_query_to_kjcdir_as_one_argument(
    template: str, recorder: tuple[dict[str, str], Path], tmp_path: Path
) -> None:
    env, record = recorder
    marker = tmp_path / "ran"
    query = template.format(marker=marker)
    command = mutt_command().replace("%s", mutt_quoted(query))
    done = run_sh(command, env, tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(record.read_text()) == ["mutt-query", query]
    assert not marker.exists()


def test_the_quoting_is_what_shlex_reads_back() -> None:
    # mutt's quoting, read by a POSIX shell lexer, gives the query back unchanged.
    for template in HOSTILE_QUERIES:
        query = template.format(marker="/tmp/x")
        assert shlex.split(mutt_quoted(query)) == [query]


def test_the_real_kjcdir_answers_a_hostile_query_through_the_mutt_line(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    query = f"wuerfel; touch {marker}"
    folder = str(Path(kjcdir_executable()).parent)
    env = {**os.environ, "PATH": f"{folder}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = run_sh(mutt_command().replace("%s", mutt_quoted(query)), env, tmp_path)
    assert done.returncode == 1  # nobody matches the whole text: one query, not two commands
    assert done.stdout.startswith("kjcdir: ")
    assert "touch" in done.stdout.splitlines()[0]  # the status line repeats the query
    assert not marker.exists()
    done = run_sh(mutt_command().replace("%s", mutt_quoted("O'Würfel")), env, tmp_path)
    assert "syntax error" not in done.stderr
    assert done.stderr == ""


@pytest.mark.parametrize(
    ("typed", "words"),
    [("wuerfel", ["wuerfel"]), ("Felix Würfel", ["Felix", "Würfel"]), ("", [])],
)
def test_aerc_passes_ordinary_queries_as_words(
    typed: str, words: list[str], recorder: tuple[dict[str, str], Path], tmp_path: Path
) -> None:
    env, record = recorder
    command = aerc_command()
    assert command == "kjcdir mutt-query %s"
    done = run_sh(command.replace("%s", typed), env, tmp_path)  # aerc: no quoting
    assert done.returncode == 0, done.stderr
    assert json.loads(record.read_text()) == ["mutt-query", *words]


def test_the_real_kjcdir_completes_through_the_aerc_line(tmp_path: Path) -> None:
    folder = str(Path(kjcdir_executable()).parent)
    env = {**os.environ, "PATH": f"{folder}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = run_sh(aerc_command().replace("%s", "Felix Würfel"), env, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[1].startswith("wuerfel@hlt.de\tFelix Würfel\t")
