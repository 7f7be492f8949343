"""`kjcdir mutt-query`: the query_command format of mutt and neomutt, read by aerc too."""

from __future__ import annotations

import os
import subprocess
from email.utils import parseaddr
from pathlib import Path

from conftest import kjcdir_executable, run_process
from test_export_data import hostile_file

RENA = "wissmeier@hess-staedtetag.de\tRena Wißmeier\tHessischer Städtetag › Regiestelle SGB II"


def completions(stdout: str) -> list[list[str]]:
    """What mutt does: the first line is a message, each further one address<TAB>name<TAB>..."""
    lines = stdout.split("\n")
    assert lines[-1] == "", "the output ends with a line break"
    return [line.split("\t") for line in lines[1:-1]]


def test_one_person(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("mutt-query", "wissmeier")
    assert result.exit_code == 0
    assert result.stdout == f"kjcdir: 1 address for 'wissmeier'\n{RENA}\n"
    assert result.stderr == ""


def test_a_group_gives_one_line_per_address(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("mutt-query", "Sozialreferat")
    assert result.exit_code == 0
    rows = completions(result.stdout)
    assert result.stdout.startswith(f"kjcdir: {len(rows)} addresses for 'Sozialreferat'\n")
    assert {row[0] for row in rows} >= {"wuerfel@hlt.de", "hofmeister@hess-staedtetag.de"}
    for row in rows:
        assert len(row) == 3
        name, address = parseaddr(f"{row[1]} <{row[0]}>")
        assert address == row[0] and "@" in address and name == row[1]


def test_misspelt_and_umlaut_queries_find_the_same(cli) -> None:  # type: ignore[no-untyped-def]
    for query in ("Würfel", "wuerfel", "Wurfel"):
        result = cli("mutt-query", query)
        assert result.exit_code == 0, query
        assert completions(result.stdout) == [
            ["wuerfel@hlt.de", "Felix Würfel", "Hessischer Landkreistag › Sozialreferat"]
        ]


def test_nothing_found_exits_1_with_the_message_as_first_line(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("mutt-query", "Müller")
    assert result.exit_code == 1
    lines = result.stdout.split("\n")
    assert len(lines) == 2 and lines[1] == ""
    assert lines[0].startswith("kjcdir: No one matches 'Müller'.")
    assert result.stderr == ""  # stderr would scribble over mutt's screen


def test_people_without_addresses_exit_1(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("mutt-query", "AK Option")
    assert result.exit_code == 1
    assert result.stdout == "kjcdir: The people found for 'AK Option' have no e-mail address.\n"


def test_an_empty_query_lists_every_address(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("mutt-query", "")
    assert result.exit_code == 0
    rows = completions(result.stdout)
    assert result.stdout.startswith("kjcdir: 4 addresses\n")
    assert len(rows) == 4


def test_aerc_style_unquoted_words_are_one_query(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("mutt-query", "rena", "wissmeier")
    assert result.exit_code == 0
    assert completions(result.stdout) == [RENA.split("\t")]


def test_the_status_line_is_not_an_address(cli) -> None:  # type: ignore[no-untyped-def]
    # aerc reads every line and skips those whose first field is no address.
    result = cli("mutt-query", "wissmeier@hess")
    assert result.exit_code == 0
    first = result.stdout.split("\n")[0]
    assert "\t" not in first
    assert not parseaddr(first.split("\t")[0])[1].endswith("hess-staedtetag.de")


def test_hostile_fields_never_split_a_line(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = hostile_file(tmp_path)
    result = cli("--data", str(data), "--no-bundled", "mutt-query", "Zoë")
    assert result.exit_code == 0
    assert "\r" not in result.stdout and "\x1b" not in result.stdout
    rows = completions(result.stdout)
    assert rows == [
        [
            "=1+2@example.org",
            'Zoë Ärger =HYPERLINK("http://evil")',
            "=Amt; für, Test\\Back › Unterabteilung Zwei",
        ],
        [
            "zoe@example.org",
            'Zoë Ärger =HYPERLINK("http://evil")',
            "=Amt; für, Test\\Back › Unterabteilung Zwei",
        ],
    ]


def test_as_mutt_runs_it(tmp_path: Path) -> None:
    done = run_process("mutt-query", "wissmeier", cwd=tmp_path)
    assert done.returncode == 0
    assert done.stdout.splitlines() == ["kjcdir: 1 address for 'wissmeier'", RENA]
    missing = run_process("mutt-query", "Müller", cwd=tmp_path)
    assert missing.returncode == 1
    assert missing.stderr == ""


# -- issue 9, item 13: a Latin-1 terminal, a broken data file ------------------------------


def run_bytes(
    *args: bytes, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    """The installed kjcdir with raw argument bytes, as a terminal in another encoding sends."""
    return subprocess.run(
        [kjcdir_executable().encode(), *args],
        capture_output=True,
        env={**os.environ, **(env or {})},
        timeout=60,
    )


def test_a_latin_1_query_is_read_as_latin_1() -> None:
    """`W\\xfcrfel` is Würfel typed on a Latin-1 terminal: not an internal error, an answer."""
    done = run_bytes(b"mutt-query", b"W\xfcrfel")
    assert done.returncode == 0, done.stderr
    assert done.stderr == b""
    lines = done.stdout.decode("utf-8").splitlines()
    assert lines[0] == "kjcdir: 1 address for 'Würfel'"
    assert lines[1].startswith("wuerfel@hlt.de\tFelix Würfel\t")
    found = run_bytes(b"find", b"W\xfcrfel")
    assert found.returncode == 0 and found.stdout.startswith(b"felix-wuerfel\t")


def test_bytes_that_are_no_text_at_all_give_a_status_line() -> None:
    done = run_bytes(b"mutt-query", b"\xff\xfe\x81")
    assert done.returncode == 1
    assert done.stderr == b""
    [status] = done.stdout.decode("utf-8").splitlines()
    assert status.startswith("kjcdir: No one matches")


def test_a_broken_data_file_is_one_status_line_on_stdout(tmp_path: Path) -> None:
    """mutt shows stdout's first line; stderr would land on its screen."""
    broken = tmp_path / "broken.yaml"
    broken.write_text("people:\n  - id: Bad Id\n    family_name: [x]\n", encoding="utf-8")
    done = run_process("--data", str(broken), "mutt-query", "wissmeier")
    assert done.returncode == 2
    assert done.stderr == ""
    assert done.stdout.splitlines() == [
        "kjcdir: the directory files have 2 problems; run `kjcdir check` to see them."
    ]
