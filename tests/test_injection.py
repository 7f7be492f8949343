"""Injection (issue 6, item 5; SPEC 3 and 4).

A directory file whose every free-text field carries a payload: terminal escape
sequences (clear screen, window title, clipboard write, hyperlinks), C1 controls, bidi
overrides, rich markup, line breaks and tabs that would forge lines or columns, vCard
syntax that would forge cards, and spreadsheet formulas. None of it may act: the
terminal, the pipe, JSON, vCard, CSV and mutt output all keep it inert.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import kjcdir_executable

# Raw sequences a terminal would act on. Written into the YAML file as escapes in double
# quotes, the one way YAML lets control characters into a value.
CLEAR = "\x1b[2J"
TITLE = "\x1b]0;pwned\x07"
CLIPBOARD = "\x1b]52;c;cm0gLXJmIH4=\x07"
LINK = "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\"
C1_CSI = "\x9b31m"
RLO = "\u202e"
MARKUP = "[bold red]rot[/bold red][link=https://evil.example]x[/link]:smile:"
FORGE_LINE = "x\nforged-id\tForged Person\t\t\t\t"
FORGE_CARD = "x\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nFN:Forged\r\nN:Forged;;;;"
VCARD_SPECIALS = "a;b,c\\d:e"

TERMINAL_PAYLOADS = [CLEAR, TITLE, CLIPBOARD, LINK, C1_CSI, RLO]
RAW_DANGERS = ["\x1b", "\x9b", "\x07", RLO]  # on the screen: RLO reorders what follows
EXPORT_DANGERS = ["\x1b", "\x9b", "\x07"]  # in files, a bidi mark is data (Arabic, Hebrew)
EMAIL = "=cmd|'/Ccalc'!A0@mail.example"


def _yaml(text: str) -> str:
    """A double-quoted YAML scalar holding exactly this text."""
    return json.dumps(text)  # JSON strings are YAML double-quoted scalars


def _payload(label: str) -> str:
    return f"{label} {CLEAR}{TITLE}{CLIPBOARD}{LINK}{C1_CSI}{RLO}{MARKUP}{FORGE_LINE}"


DATA = f"""\
meta: {{title: {_yaml(_payload("Titel"))}, source: {_yaml(CLEAR)}, as_of: 2026-11-24}}
organizations:
  - id: evil-org
    name: {_yaml("=HYPERLINK(" + _payload("Org") + ")")}
    short: {_yaml("+EVIL" + CLEAR)}
    aliases: [{_yaml(_payload("Alias"))}]
    description: {_yaml(_payload("Beschreibung"))}
    tasks: [{_yaml(_payload("Aufgabe"))}]
    topics: [{_yaml("@SUM(1+1)" + CLEAR)}]
    address: {{street: {_yaml("-Str. " + _payload("Strasse"))}, postal_code: "@65189",
               city: {_yaml("=Stadt" + CLEAR)}, country: {_yaml("+Land" + RLO)}}}
  - id: evil-unit
    name: {_yaml(FORGE_CARD + VCARD_SPECIALS)}
    parent: evil-org
people:
  - id: evil-person
    given_name: {_yaml("=1+1" + _payload("Vorname"))}
    family_name: {_yaml("-2+3" + FORGE_CARD + VCARD_SPECIALS + _payload("Name"))}
    affiliations:
      - {{org: evil-unit, role: {_yaml("+Rolle" + _payload("Rolle"))}}}
      - {{org: evil-org, role: {_yaml("=Zweite" + FORGE_CARD)}}}
    phones: ["+49 611 1706-69"]
    emails: [{_yaml(EMAIL)}]
    topics: [{_yaml("@Thema" + _payload("Thema"))}, {_yaml(VCARD_SPECIALS)}]
  - id: plain-person
    given_name: Anna
    family_name: Meier
    affiliations: [{{org: evil-org}}]
    emails: [meier@example.de]
"""

PEOPLE = 2


@pytest.fixture
def data_file(tmp_path: Path) -> Path:
    path = tmp_path / "evil.yaml"
    path.write_text(DATA, encoding="utf-8")
    return path


def test_the_payload_file_is_valid(cli, data_file: Path) -> None:  # type: ignore[no-untyped-def]
    """The payloads are data, not errors: kjcdir must show them, inertly."""
    result = cli("--no-bundled", "check", str(data_file))
    assert result.exit_code == 0, result.stderr
    assert f"(2 organisations, {PEOPLE} people)" in result.stdout


def assert_inert(text: str) -> None:
    for danger in RAW_DANGERS:
        assert danger not in text, (danger, text[:500])


# -- piped: tab-separated lines ------------------------------------------------------------

PIPED_COMMANDS = [
    ["find", "evil"],
    ["find", "Rolle"],
    ["list"],
    ["list", "--org", "evil-org"],
    ["show", "evil-person"],
    ["show", "evil-org"],
    ["show", "evil-unit"],
    ["orgs"],
    ["orgs", "Beschreibung"],
    ["topics"],
    ["info"],
]


@pytest.mark.parametrize("command", PIPED_COMMANDS, ids=" ".join)
def test_piped_output_stays_inert(cli, data_file: Path, command: list[str]) -> None:  # type: ignore[no-untyped-def]
    result = cli("--no-bundled", "--data", str(data_file), *command)
    assert result.exit_code == 0, result.stderr
    assert_inert(result.stdout + result.stderr)
    assert "forged-id" not in [line.split("\t")[0] for line in result.stdout.splitlines()]
    assert "␛[2J" in result.stdout or (command[0] == "info" and "␛" in result.stdout)
    assert "[bold red]" in result.stdout or command[0] in ("info", "orgs")


@pytest.mark.parametrize("command", [["find", "evil"], ["list"]], ids=" ".join)
def test_piped_people_lines_keep_their_columns(cli, data_file: Path, command: list[str]) -> None:  # type: ignore[no-untyped-def]
    result = cli("--no-bundled", "--data", str(data_file), *command)
    lines = result.stdout.splitlines()
    ids = [line.split("\t")[0] for line in lines]
    assert sorted(ids) == sorted(["evil-person", "plain-person"][: len(lines)])
    assert all(line.count("\t") == 5 for line in lines)  # id, name, path, role, phone, e-mail


def test_show_prints_one_line_per_field(cli, data_file: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("--no-bundled", "--data", str(data_file), "show", "evil-person")
    for line in result.stdout.splitlines():
        name, _, value = line.partition("\t")
        assert name.isidentifier(), line  # no line starts with a forged field name
        assert "\t" not in value


# -- JSON ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [["find", "evil"], ["list"], ["show", "evil-person"], ["orgs"], ["topics"], ["info"]],
    ids=" ".join,
)
def test_json_escapes_and_keeps_every_character(cli, data_file: Path, command: list[str]) -> None:  # type: ignore[no-untyped-def]
    result = cli("--no-bundled", "--data", str(data_file), *command, "--json")
    assert result.exit_code == 0, result.stderr
    assert_inert(result.stdout)
    value = json.loads(result.stdout)
    if command == ["show", "evil-person"]:
        # the data, unchanged (but for the surrounding white space, which the loader strips)
        assert value["given_name"] == ("=1+1" + _payload("Vorname")).strip()


# -- a real terminal -----------------------------------------------------------------------


def run_on_terminal(*args: str) -> tuple[int, str, str]:
    """Run kjcdir with stdout on a pseudo-terminal (so it draws rich cards and tables)."""
    import pty

    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": "160", "LINES": "50", "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    process = subprocess.Popen(
        [kjcdir_executable(), *args],
        stdin=follower,
        stdout=follower,
        stderr=subprocess.PIPE,
        env=env,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the process has ended and closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.stderr is not None
    errors = process.stderr.read().decode("utf-8", "replace")
    return process.wait(timeout=60), b"".join(chunks).decode("utf-8", "replace"), errors


TERMINAL_COMMANDS = [
    ["find", "evil"],
    ["list"],
    ["show", "evil-person"],
    ["show", "evil-org"],
    ["orgs"],
    ["orgs", "Beschreibung"],
    ["topics"],
]


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
@pytest.mark.parametrize("command", TERMINAL_COMMANDS, ids=" ".join)
def test_terminal_output_stays_inert(data_file: Path, command: list[str]) -> None:
    code, output, errors = run_on_terminal("--no-bundled", "--data", str(data_file), *command)
    assert code == 0, errors
    assert errors == ""
    # rich draws with its own escape sequences; none of the data's may get through
    for payload in (CLEAR, TITLE, CLIPBOARD, "\x1b]8;;https://evil.example", C1_CSI, RLO):
        assert payload not in output, payload
    assert "\x07" not in output and "\x9b" not in output
    assert "https://evil.example\x1b" not in output  # no hyperlink to the markup's URL
    if command[0] != "orgs" or len(command) > 1:
        assert "␛" in output  # the escape is shown, as a visible stand-in
    if command != ["orgs"]:  # the tree shows names only; the table cuts long cells short
        assert "[bold" in output  # markup shown as typed
    if command[0] in ("find", "show"):
        assert "[bold red]rot[/bold red]" in output
        assert ":smile:" in output  # no emoji codes either


# -- errors that echo the user's input -----------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["find", CLEAR + "qqqzzz" + RLO],
        ["show", CLIPBOARD + "qqqzzz"],
        ["list", "--org", "qqqzzz" + LINK],
        ["list", "--topic", "\x9bqqqzzz"],
        ["orgs", "\x1b]qqqzzz\x07"],
        ["topics", CLEAR + "qqqzzz"],
        ["find", "--in", CLEAR, "x"],
    ],
    ids=["find", "show", "list-org", "list-topic", "orgs", "topics", "find-in"],
)
def test_error_messages_stay_inert(cli, data_file: Path, command: list[str]) -> None:  # type: ignore[no-untyped-def]
    result = cli("--no-bundled", "--data", str(data_file), *command)
    assert result.exit_code in (1, 2)
    assert_inert(result.stdout + result.stderr)
    assert len(result.stderr.splitlines()) == 1
    if "qqqzzz" in result.stderr:  # the message repeats the input: with stand-ins
        assert "␛" in result.stderr or "\ufffd" in result.stderr


# -- exports --------------------------------------------------------------------------------


def export(cli: Any, path: Path, *args: str) -> str:
    result = cli("--no-bundled", "--data", str(path), "export", "--all", *args)
    assert result.exit_code == 0, result.stderr
    return bytes(result.stdout_bytes).decode("utf-8")  # as written: CRLF, not "\n"


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_vcard_values_neither_forge_nor_break_cards(cli, data_file: Path, version: str) -> None:  # type: ignore[no-untyped-def]
    import vobject

    text = export(cli, data_file, "--format", "vcard", "--vcard-version", version)
    for danger in EXPORT_DANGERS:
        assert danger not in text
    # on the wire: one BEGIN and one END per person, each at the start of a line
    lines = text.split("\r\n")
    assert lines.count("BEGIN:VCARD") == PEOPLE
    assert lines.count("END:VCARD") == PEOPLE
    assert not any(line.startswith("FN:Forged") for line in lines)
    cards = list(vobject.readComponents(text))
    assert len(cards) == PEOPLE
    card = next(card for card in cards if "Meier" not in card.fn.value)
    assert card.fn.value.startswith("=1+1Vorname ")
    assert "END:VCARD\nBEGIN:VCARD" in card.fn.value  # the payload is a value, intact
    assert VCARD_SPECIALS in card.fn.value
    family = card.n.value.family
    family = "".join(family) if isinstance(family, list) else family
    assert family.startswith("-2+3x\nEND:VCARD\nBEGIN:VCARD")
    assert card.org.value[-1].startswith("x\nEND:VCARD")
    assert card.org.value[-1].endswith(VCARD_SPECIALS)
    categories = [value for line in card.contents["categories"] for value in line.value]
    assert VCARD_SPECIALS in categories
    assert [line.value for line in card.contents["email"]] == [EMAIL]


# Every column that free text from the data can reach, with the formula character that
# the payload puts at its start. (id and website cannot start with one: the loader
# refuses such ids and URLs.)
CSV_COLUMNS = {
    "name": "=",
    "given_name": "=",
    "family_name": "-",
    "organization": "=",
    "role": "+",
    "phone": "+",
    "phone_e164": "+",
    "email": "=",
    "street": "-",
    "postal_code": "@",
    "city": "=",
    "country": "+",
    "topics": "@",
    "other_affiliations": "=",
}


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER_CHARACTERS = set("0123456789 ()./,-+")


@pytest.mark.parametrize("excel", [False, True], ids=["rfc4180", "excel"])
def test_csv_formula_defusing_holds_for_every_column(cli, data_file: Path, excel: bool) -> None:  # type: ignore[no-untyped-def]
    text = export(cli, data_file, "--format", "csv", *(["--excel"] if excel else []))
    assert "\x1b" not in text and "\x9b" not in text and "\x07" not in text
    text = text.removeprefix("\ufeff")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";" if excel else ","))
    header, body = rows[0], rows[1:]
    assert len(body) == PEOPLE  # line breaks in values forge no rows
    assert all(len(row) == len(header) for row in body)
    for row in body:
        for name, cell in zip(header, row, strict=True):
            # Plain CSV keeps a sign before digits (phone numbers): no function, no link.
            inert_number = not excel and cell[:1] in ("+", "-") and set(cell) <= NUMBER_CHARACTERS
            assert inert_number or not cell.startswith(FORMULA_STARTS), (name, cell)
    evil = dict(zip(header, next(row for row in body if row[0] == "evil-person"), strict=True))
    assert set(CSV_COLUMNS) | {"id", "website"} >= set(header)
    for name, start in CSV_COLUMNS.items():
        if name.startswith("phone") and not excel:  # a phone number is no formula
            assert evil[name].startswith(start), (name, evil[name])
        else:
            assert evil[name].startswith("'" + start), (name, evil[name])


def test_ids_and_websites_cannot_carry_a_formula(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "formula.yaml"
    path.write_text(
        'people:\n  - id: "=cmd"\n    family_name: X\n'
        '  - id: y\n    family_name: Y\n    websites: ["=HYPERLINK(1)", "+https://x.de"]\n',
        encoding="utf-8",
    )
    result = cli("--no-bundled", "check", str(path))
    assert result.exit_code == 2
    assert [line.split(":")[1] for line in result.stderr.splitlines()] == ["2", "6", "6"]


def test_mutt_lines_keep_their_fields(cli, data_file: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("--no-bundled", "--data", str(data_file), "mutt-query", "")
    assert result.exit_code == 0, result.stderr
    status, *lines = result.stdout.splitlines()
    assert status.startswith("kjcdir: ")
    assert len(lines) == PEOPLE  # one address each; no line forged by a line break
    for line in lines:
        assert line.count("\t") == 2, line
    assert "\x1b" not in result.stdout and "\x9b" not in result.stdout
    assert "\x07" not in result.stdout
