"""Data text is shown literally (SPEC 3): square brackets are not rich markup, and control
characters from the data (escape sequences, C1 controls, bidi overrides) never reach the
terminal, piped, as JSON, on a terminal, or in messages on stderr."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from test_cli import terminal  # noqa: F401  (the stand-in terminal fixture)
from test_terminal import run_tty

# One cache for the module: the bundled directory is compiled once, not per test.
pytestmark = pytest.mark.usefixtures("module_cache")


ESC = "\x1b"
CSI_C1 = "\x9b"
RLO = "\u202e"
EVIL_FILE = r"""
organizations:
  - id: evil-org
    name: "Amt [red]rot[/red]"
    short: "[bold]EV[/bold]"
    description: "Zeile eins\nZeile zwei\tmit Tab \e[2J"
    websites: ["https://example.org/\x9b31m"]
    tasks: ["\e]8;;http://evil\e\\Klick mich\e]8;;\e\\"]
    topics: ["Thema \u202eesrever"]
people:
  - id: evil-person
    given_name: "[bold]x[/bold]"
    family_name: "Evil\e[31mRot"
    affiliations:
      - {org: evil-org, role: "[link=http://evil]Klick[/link]"}
    phones: ["+49 611 1706-00"]
    emails: [evil@example.org]
    topics: ["\e]8;;http://evil\e\\osc\e]8;;\e\\", "c1\x9b31mcsi", "bidi\u202eevil", ":smile: :x:"]
  - id: evil-two
    given_name: Bob
    family_name: "Tab\tNew\nLine"
    affiliations: [{org: evil-org, role: "\e[2J\e[H"}]
"""

# the values as kjcdir must show them
LITERAL = ["[bold]x[/bold]", "[link=http://evil]Klick[/link]", "Amt [red]rot[/red]"]
INERT = ["Evil␛[31mRot", "bidi\ufffdevil", "c1\ufffd31mcsi", "␛]8;;http://evil␛\\osc"]
OWN_LINKS = {"tel:+49611170600", "mailto:evil@example.org"}
# escape sequences kjcdir itself may write on a terminal: SGR colours and OSC 8 links
OWN_SEQUENCES = re.compile(r"\x1b\[[0-9;]*m|\x1b\]8;[^;\x1b\x07]*;[^\x1b\x07]*\x1b\\")
OSC8_URL = re.compile(r"\x1b\]8;[^;\x1b]*;([^\x1b]*)\x1b\\")


@pytest.fixture
def evil(tmp_path: Path) -> Path:
    path = tmp_path / "evil.yaml"
    path.write_text(EVIL_FILE, encoding="utf-8")
    return path


def assert_inert(stdout: str, *, on_terminal: bool) -> None:
    """No control character of the data reaches stdout; brackets stay as typed."""
    assert CSI_C1 not in stdout
    assert RLO not in stdout
    rest = OWN_SEQUENCES.sub("", stdout) if on_terminal else stdout
    assert ESC not in rest, repr(rest[rest.index(ESC) - 20 : rest.index(ESC) + 20])
    assert "\x1b[31mRot" not in stdout
    assert "\x1b[2J" not in stdout
    links = {url for url in OSC8_URL.findall(stdout) if url}
    assert not any("evil" in url and url not in OWN_LINKS for url in links), links


def test_the_file_is_valid_and_holds_the_raw_characters(cli, evil: Path) -> None:
    result = cli("--data", str(evil), "show", "evil-person", "--json")
    assert result.exit_code == 0, result.stderr
    person = json.loads(result.stdout)
    assert person["family_name"] == "Evil\x1b[31mRot"
    assert person["given_name"] == "[bold]x[/bold]"
    assert person["topics"][:3] == [
        "\x1b]8;;http://evil\x1b\\osc\x1b]8;;\x1b\\",
        "c1\x9b31mcsi",
        "bidi\u202eevil",
    ]


@pytest.mark.parametrize(
    "args",
    [
        ["find", "Evil"],
        ["show", "evil-person"],
        ["show", "evil-two"],
        ["show", "evil-org"],
        ["list", "--org", "evil-org"],
        ["orgs"],
        ["orgs", "Amt"],
        ["topics"],
    ],
)
def test_json_escapes_every_control_character(cli, evil: Path, args: list[str]) -> None:
    result = cli("--data", str(evil), *args, "--json")
    assert result.exit_code == 0, result.stderr
    assert_inert(result.stdout, on_terminal=False)
    json.loads(result.stdout)  # still valid, the values unchanged (see above)


def test_piped_lines_show_data_literally(cli, evil: Path) -> None:
    result = cli("--data", str(evil), "list", "--org", "evil-org")
    assert result.exit_code == 0, result.stderr
    assert_inert(result.stdout, on_terminal=False)
    lines = result.stdout.splitlines()
    assert len(lines) == 2  # the newline in a name does not make a third line
    assert all(len(line.split("\t")) == 6 for line in lines)  # nor a tab a seventh column
    assert "[bold]x[/bold] Evil␛[31mRot" in result.stdout
    assert "[link=http://evil]Klick[/link]" in result.stdout
    assert "Tab␉New␊Line" in result.stdout


@pytest.mark.parametrize(
    ("args", "columns"),
    [
        (["show", "evil-person"], 2),
        (["show", "evil-two"], 2),
        (["show", "evil-org"], 2),
        (["orgs"], 4),
        (["topics"], 4),
        (["find", "Evil"], 6),
    ],
)
def test_piped_show_and_others_are_inert(cli, evil: Path, args: list[str], columns: int) -> None:
    result = cli("--data", str(evil), *args)
    assert result.exit_code == 0, result.stderr
    assert_inert(result.stdout, on_terminal=False)
    for line in result.stdout.splitlines():
        assert len(line.split("\t")) == columns, line


def test_piped_show_of_a_person(cli, evil: Path) -> None:
    stdout = cli("--data", str(evil), "show", "evil-person").stdout
    for text in [*LITERAL[:2], *INERT, ":smile: :x:"]:
        assert text in stdout, text


@pytest.mark.parametrize(
    "args",
    [
        ["find", "Evil"],
        ["show", "evil-person"],
        ["show", "evil-two"],
        ["show", "evil-org"],
        ["list"],
        ["orgs"],
        ["orgs", "Amt"],
        ["topics"],
    ],
)
def test_on_a_terminal_data_is_literal_and_inert(
    cli,
    terminal: None,  # noqa: F811
    evil: Path,
    args: list[str],
) -> None:
    result = cli("--data", str(evil), *args, env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.stderr
    assert ESC in result.stdout  # it is taken for a terminal
    assert_inert(result.stdout, on_terminal=True)


def test_on_a_terminal_brackets_and_emoji_codes_are_shown_as_typed(
    cli,
    terminal: None,  # noqa: F811
    evil: Path,
) -> None:
    stdout = cli("--data", str(evil), "show", "evil-person", env={"COLUMNS": "250"}).stdout
    visible = OWN_SEQUENCES.sub("", stdout)
    for text in [*LITERAL, ":smile: :x:", "Evil␛[31mRot", "bidi\ufffdevil"]:
        assert text in visible, text
    links = {url for url in OSC8_URL.findall(stdout) if url}
    assert links == OWN_LINKS
    org = cli("--data", str(evil), "show", "evil-org", env={"COLUMNS": "250"}).stdout
    assert "https://example.org/\ufffd31m" in {url for url in OSC8_URL.findall(org) if url}
    assert "Zeile eins␊Zeile zwei␉mit Tab ␛[2J" in OWN_SEQUENCES.sub("", org)


def test_in_a_real_terminal(evil: Path) -> None:
    for args in (["show", "evil-person"], ["list", "--org", "evil-org"]):
        result = run_tty("--data", str(evil), *args, columns=250)
        assert result.returncode == 0, result.stderr
        assert_inert(result.stdout, on_terminal=True)
        assert "[bold]x[/bold]" in result.text
        assert "Evil␛[31mRot" in result.text


@pytest.mark.parametrize(
    "args",
    [
        ["find", "\x1b[31mnobody\x9b1m\u202e"],
        ["show", "\x1b]8;;http://evil\x1b\\x"],
        ["list", "--org", "\x1b[2Jamt"],
        ["topics", "\x1b[31mx"],
    ],
)
def test_messages_on_stderr_are_inert(cli, args: list[str]) -> None:
    result = cli(*args)
    assert result.exit_code in (1, 2)
    assert result.stderr.startswith("kjcdir: ")
    for char in (ESC, CSI_C1, RLO):
        assert char not in result.stderr
        assert char not in result.stdout


def test_problems_in_a_file_are_reported_inertly(cli, tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(
        'people:\n  - id: anna\n    family_name: A\n    "\\e[31mkey": x\n'
        '    emails: ["\\e[2J@x"]\n    phones: ["\\x9b1m"]\n',
        encoding="utf-8",
    )
    result = cli("--no-bundled", "check", str(path))
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 3
    for char in (ESC, CSI_C1):
        assert char not in result.stderr
