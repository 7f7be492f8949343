"""Salutations and letters (issue 11, items 10 and 11).

`salutation` is an optional key of a person (SPEC 1.2): checked like every short text,
cached, and carried into the JSON, the Outlook export's Anrede, Google's Name Prefix and
the vCard's N prefix (those exports are tested in test_export_*.py). `show ID --letter`
prints the address block as DIN 5008 lays it out, an empty line and the greeting; the
JSON of a person carries the greeting without its comma.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import run_process
from kjcdir import cache, letter
from kjcdir.errors import DataError
from kjcdir.load import load, parse_file
from kjcdir.model import Person
from kjcdir.rules import MAX_SHORT_TEXT
from kjcdir.store import open_directory

# One cache for the module: the bundled directory is compiled once, not per test.
pytestmark = pytest.mark.usefixtures("module_cache")

# A users' file: a body with a unit and an address, a deep chain, people with and without
# salutation, address or affiliation.
USERS_FILE = """\
organizations:
  - id: kjc-muster
    name: Kommunales Jobcenter Musterkreis
    address: {street: Hauptstraße 1, postal_code: "12345", city: Musterstadt}
  - id: kjc-muster-leistung
    name: Team Leistung
    parent: kjc-muster
  - id: lk-tief
    name: Landkreis Tief
    address: {street: Am Ring 3, postal_code: "34567", city: Tiefenbach}
  - id: lk-tief-kjc
    name: Kommunales Jobcenter
    parent: lk-tief
  - id: lk-tief-standort
    name: Standort Nord
    parent: lk-tief-kjc
  - id: lk-tief-team
    name: Team U25
    parent: lk-tief-standort
  - id: ohne-adresse
    name: Arbeitskreis ohne Adresse
people:
  - id: hans-beispiel
    salutation: Herr
    given_name: Hans
    family_name: Beispiel
    affiliations: [{org: kjc-muster-leistung, role: Teamleitung}]
  - id: kai-ohne
    given_name: Kai
    family_name: Ohne
    affiliations: [{org: kjc-muster}]
  - id: ute-fern
    salutation: Frau Dr.
    given_name: Ute
    family_name: Fern
    address: {street: Rue de la Loi 1, postal_code: "1000", city: Bruxelles, country: Belgien}
  - id: ina-tief
    salutation: Fr.
    given_name: Ina
    family_name: Tief
    affiliations: [{org: lk-tief-team}]
  - id: olaf-nirgends
    salutation: Herr
    given_name: Olaf
    family_name: Nirgends
    affiliations: [{org: ohne-adresse}]
"""


@pytest.fixture
def users_file(tmp_path: Path) -> Path:
    path = tmp_path / "staff.yaml"
    path.write_text(USERS_FILE, encoding="utf-8")
    return path


def own(cli, path: Path, *args: str) -> Any:  # type: ignore[no-untyped-def]
    """kjcdir over the users' file alone."""
    return cli("--no-bundled", "--data", str(path), *args)


def person_file(tmp_path: Path, salutation_line: str) -> Path:
    path = tmp_path / "one.yaml"
    path.write_text(
        f"people:\n  - id: anna\n{salutation_line}    family_name: Muster\n", encoding="utf-8"
    )
    return path


# -- the loader -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "kept"),
    [
        ("Frau", "Frau"),
        ("Herr", "Herr"),
        ("Frau Kreisbeigeordnete", "Frau Kreisbeigeordnete"),
        ('"  Herr Dr.  "', "Herr Dr."),  # stripped, as every text
        ("s" * MAX_SHORT_TEXT, "s" * MAX_SHORT_TEXT),  # at the limit
    ],
)
def test_a_valid_salutation_is_kept(tmp_path: Path, written: str, kept: str) -> None:
    directory = load([person_file(tmp_path, f"    salutation: {written}\n")], include_bundled=False)
    assert directory.people["anna"].salutation == kept


def test_without_a_salutation_there_is_none(tmp_path: Path) -> None:
    directory = load([person_file(tmp_path, "")], include_bundled=False)
    assert directory.people["anna"].salutation is None


@pytest.mark.parametrize(
    ("written", "column", "phrase"),
    [
        ("[Frau]", 17, "salutation must be text, not a list"),
        ("{de: Frau}", 17, "salutation must be text, not a mapping"),
        ("42", 17, "salutation must be text (put it in quotes): 42"),
        ("", 16, "salutation is empty"),
        ('"\\u200b\\u2060"', 17, "salutation holds only invisible characters"),
        (
            "s" * (MAX_SHORT_TEXT + 1),
            17,
            f"salutation is too long (301 characters, at most {MAX_SHORT_TEXT})",
        ),
    ],
    ids=["list", "mapping", "number", "empty", "invisible", "too-long"],
)
def test_a_bad_salutation_is_a_problem_at_its_place(
    cli, tmp_path: Path, written: str, column: int, phrase: str
) -> None:  # type: ignore[no-untyped-def]
    path = person_file(tmp_path, f"    salutation: {written}\n")
    parsed = parse_file(path)
    [problem] = parsed.problems
    assert (problem.line, problem.column, problem.entry_id) == (3, column, "anna")
    assert phrase in problem.message
    with pytest.raises(DataError):
        load([path], include_bundled=False)
    result = cli("--no-bundled", "check", str(path))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{path}:3:{column}: ")
    assert "Traceback" not in result.stderr


def test_salutation_is_named_among_the_keys_of_a_person(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = person_file(tmp_path, "    anrede: Frau\n")
    result = cli("--no-bundled", "check", str(path))
    assert result.exit_code == 2
    assert "unknown key 'anrede' in a person" in result.stderr
    assert "salutation" in result.stderr  # among the allowed keys


def test_the_salutation_comes_back_from_the_cache(
    users_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cache's person record carries the salutation."""
    monkeypatch.setattr(cache, "SETTLED_NS", 0)  # cache the file at once (see test_cache.py)
    first = open_directory([users_file], include_bundled=False, progress=False)
    second = open_directory([users_file], include_bundled=False, progress=False)
    assert (first.from_cache, second.from_cache) == (False, True)
    salutations = {pid: p.salutation for pid, p in second.directory.people.items()}
    assert salutations == {
        "hans-beispiel": "Herr",
        "kai-ohne": None,
        "ute-fern": "Frau Dr.",
        "ina-tief": "Fr.",
        "olaf-nirgends": "Herr",
    }


# -- the greeting ------------------------------------------------------------------------------


def person(salutation: str | None, given: str | None = "Anna", family: str = "Muster") -> Person:
    return Person(id="p", given_name=given, family_name=family, salutation=salutation)


@pytest.mark.parametrize(
    ("salutation", "given", "greeting", "addressee"),
    [
        ("Frau", "Rena", "Sehr geehrte Frau Muster", "Frau Rena Muster"),
        ("Herr", "Hans", "Sehr geehrter Herr Muster", "Herrn Hans Muster"),
        (
            "Frau Kreisbeigeordnete",
            "Rosemarie",
            "Sehr geehrte Frau Kreisbeigeordnete Muster",
            "Frau Kreisbeigeordnete Rosemarie Muster",
        ),
        ("Herr Dr.", "Hans", "Sehr geehrter Herr Dr. Muster", "Herrn Dr. Hans Muster"),
        ("Fr.", "Ina", "Sehr geehrte Frau Muster", "Frau Ina Muster"),  # spelled out
        ("hr.", "Hans", "Sehr geehrter Herr Muster", "Herrn Hans Muster"),
        ("Frau  Dr.", "Ute", "Sehr geehrte Frau Dr. Muster", "Frau Dr. Ute Muster"),
        ("Dr.", "Anna", "Guten Tag Dr. Anna Muster", "Dr. Anna Muster"),  # no Frau, no Herr
        (None, "Felix", "Guten Tag Felix Muster", "Felix Muster"),
        (None, None, "Guten Tag Muster", "Muster"),
    ],
)
def test_greeting_and_addressee(
    salutation: str | None, given: str | None, greeting: str, addressee: str
) -> None:
    someone = person(salutation, given)
    assert letter.greeting(someone) == greeting
    assert letter.addressee(someone) == addressee


def test_frauke_is_no_frau() -> None:
    """Only the whole first word counts: a salutation is no prefix match."""
    assert letter.greeting(person("Frauke")) == "Guten Tag Frauke Anna Muster"


@pytest.mark.parametrize(
    ("person_id", "salutation", "greeting"),
    [
        ("rena-wissmeier", "Frau", "Sehr geehrte Frau Wißmeier"),
        ("rosemarie-lueck", "Frau Kreisbeigeordnete", "Sehr geehrte Frau Kreisbeigeordnete Lück"),
        ("felix-wuerfel", None, "Guten Tag Felix Würfel"),
        ("peter-dubowy", None, "Guten Tag Peter Dubowy"),
    ],
)
def test_json_carries_salutation_and_greeting(
    cli, person_id: str, salutation: str | None, greeting: str
) -> None:  # type: ignore[no-untyped-def]
    shown = json.loads(cli("show", person_id, "--json").stdout)
    assert (shown["salutation"], shown["greeting"]) == (salutation, greeting)
    assert not shown["greeting"].endswith(",")
    listed = {item["id"]: item for item in json.loads(cli("list", "--json").stdout)}
    assert (listed[person_id]["salutation"], listed[person_id]["greeting"]) == (
        salutation,
        greeting,
    )


def test_json_export_carries_them_too(cli) -> None:  # type: ignore[no-untyped-def]
    exported = json.loads(cli("export", "--all", "-f", "json").stdout)
    by_id = {item["id"]: item for item in exported}
    assert by_id["rena-wissmeier"]["salutation"] == "Frau"
    assert by_id["rena-wissmeier"]["greeting"] == "Sehr geehrte Frau Wißmeier"
    assert by_id["joachim-werle"]["salutation"] is None


def test_show_piped_prints_salutation_and_greeting_lines(cli) -> None:  # type: ignore[no-untyped-def]
    lines = cli("show", "rosemarie-lueck").stdout.splitlines()
    assert lines[:7] == [
        "kind\tperson",
        "id\trosemarie-lueck",
        "name\tRosemarie Lück",
        "salutation\tFrau Kreisbeigeordnete",
        "given_name\tRosemarie",
        "family_name\tLück",
        "greeting\tSehr geehrte Frau Kreisbeigeordnete Lück",
    ]
    felix = cli("show", "felix-wuerfel").stdout.splitlines()
    assert not [line for line in felix if line.startswith("salutation\t")]


# -- show --letter -----------------------------------------------------------------------------

RENA_LETTER = (
    "Hessischer Städtetag\n"
    "Regiestelle SGB II\n"
    "Frau Rena Wißmeier\n"
    "Frankfurter Straße 2\n"
    "65189 Wiesbaden\n"
    "\n"
    "Sehr geehrte Frau Wißmeier,\n"
)


def test_letter_of_a_person_with_a_salutation(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("show", "rena-wissmeier", "--letter")
    assert (result.exit_code, result.stdout, result.stderr) == (0, RENA_LETTER, "")


def test_letter_of_a_person_without_a_salutation(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("show", "felix-wuerfel", "--letter")
    assert result.exit_code == 0
    assert result.stdout == (
        "Hessischer Landkreistag\n"
        "Sozialreferat\n"
        "Felix Würfel\n"
        "Frankfurter Straße 2\n"
        "65189 Wiesbaden\n"
        "\n"
        "Guten Tag Felix Würfel,\n"
    )


def test_letter_of_a_person_without_an_address(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("show", "rosemarie-lueck", "--letter")
    assert result.exit_code == 0
    assert result.stdout == "Sehr geehrte Frau Kreisbeigeordnete Lück,\n"
    assert result.stderr == (
        "kjcdir: The directory has no postal address for Rosemarie Lück, "
        "so only the greeting is printed.\n"
    )


def test_letters_from_a_users_file(cli, users_file: Path) -> None:  # type: ignore[no-untyped-def]
    with_salutation = own(cli, users_file, "show", "hans-beispiel", "--letter")
    assert (with_salutation.exit_code, with_salutation.stderr) == (0, "")
    assert with_salutation.stdout == (
        "Kommunales Jobcenter Musterkreis\n"
        "Team Leistung\n"
        "Herrn Hans Beispiel\n"
        "Hauptstraße 1\n"
        "12345 Musterstadt\n"
        "\n"
        "Sehr geehrter Herr Beispiel,\n"
    )
    without = own(cli, users_file, "show", "kai-ohne", "--letter")
    assert without.stdout == (
        "Kommunales Jobcenter Musterkreis\n"
        "Kai Ohne\n"
        "Hauptstraße 1\n"
        "12345 Musterstadt\n"
        "\n"
        "Guten Tag Kai Ohne,\n"
    )
    nowhere = own(cli, users_file, "show", "olaf-nirgends", "--letter")
    assert (nowhere.exit_code, nowhere.stdout) == (0, "Sehr geehrter Herr Nirgends,\n")
    [note] = nowhere.stderr.splitlines()
    assert note == (
        "kjcdir: The directory has no postal address for Olaf Nirgends, "
        "so only the greeting is printed."
    )


def test_the_country_line_only_where_a_country_is_given(cli, users_file: Path) -> None:  # type: ignore[no-untyped-def]
    """Without an affiliation the block is the person and the address; the country, in
    capitals as DIN 5008 writes a destination country, is the block's last line."""
    result = own(cli, users_file, "show", "ute-fern", "--letter")
    assert result.stdout == (
        "Frau Dr. Ute Fern\n"
        "Rue de la Loi 1\n"
        "1000 Bruxelles\n"
        "BELGIEN\n"
        "\n"
        "Sehr geehrte Frau Dr. Fern,\n"
    )
    assert "DEUTSCHLAND" not in cli("show", "rena-wissmeier", "--letter").stdout


def test_a_deep_chain_keeps_the_block_within_six_lines(cli, users_file: Path) -> None:  # type: ignore[no-untyped-def]
    result = own(cli, users_file, "show", "ina-tief", "--letter")
    block, greeting = result.stdout.split("\n\n")
    assert block.splitlines() == [
        "Landkreis Tief",
        "Kommunales Jobcenter, Standort Nord, Team U25",
        "Frau Ina Tief",
        "Am Ring 3",
        "34567 Tiefenbach",
    ]
    assert greeting == "Sehr geehrte Frau Tief,\n"


def test_letter_to_an_organisation(cli, users_file: Path) -> None:  # type: ignore[no-untyped-def]
    """An organisation: its body and units, the nearest address up its chain (as for a
    person), and "Sehr geehrte Damen und Herren"."""
    regie = cli("show", "hstt-regiestelle", "--letter")
    assert (regie.exit_code, regie.stderr) == (0, "")
    assert regie.stdout == (
        "Hessischer Städtetag\n"
        "Regiestelle SGB II\n"
        "Frankfurter Straße 2\n"
        "65189 Wiesbaden\n"
        "\n"
        "Sehr geehrte Damen und Herren,\n"
    )
    hlt = cli("show", "hlt", "--letter").stdout
    assert hlt.startswith("Hessischer Landkreistag\nFrankfurter Straße 2\n")
    team = own(cli, users_file, "show", "kjc-muster-leistung", "--letter").stdout
    assert team.splitlines()[:2] == ["Kommunales Jobcenter Musterkreis", "Team Leistung"]
    nowhere = cli("show", "dlt-ak-option", "--letter")
    assert (nowhere.exit_code, nowhere.stdout) == (0, "Sehr geehrte Damen und Herren,\n")
    assert nowhere.stderr == (
        "kjcdir: The directory has no postal address for AK Option, "
        "so only the greeting is printed.\n"
    )


def test_letter_and_json_do_not_go_together(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("show", "rena-wissmeier", "--letter", "--json")
    assert (result.exit_code, result.stdout) == (2, "")
    [line] = result.stderr.splitlines()
    assert line.startswith("kjcdir: --letter ")


def test_letter_of_an_unknown_id(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("show", "rena", "--letter")
    assert (result.exit_code, result.stdout) == (1, "")
    assert "rena-wissmeier" in result.stderr


def test_letter_with_plain_is_the_same_text(cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("show", "rena-wissmeier", "--letter", "--plain").stdout == RENA_LETTER


def test_letter_on_a_terminal_is_plain_text(cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """No rich markup, colour or box on a terminal either: the text is pasted into letters."""
    import kjcdir.output

    class TtySys:
        def __getattr__(self, name: str) -> Any:
            import sys

            return getattr(sys, name)

        @property
        def stdout(self) -> Any:
            import sys

            class Tty:
                def isatty(self) -> bool:
                    return True

                def __getattr__(self, name: str) -> Any:
                    return getattr(sys.stdout, name)

            return Tty()

    monkeypatch.setattr(kjcdir.output, "sys", TtySys())
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    assert cli("show", "rena-wissmeier", "--letter").stdout == RENA_LETTER


HOSTILE = """\
organizations:
  - id: evil
    name: "Amt\\e]8;;https://evil.example\\a[bold]Klick[/bold]\\u202e"
    address: {street: "Weg 1\\nZeile", postal_code: "12345", city: "Stadt\\e[2J"}
people:
  - id: mallory
    salutation: "Frau\\e[31m"
    given_name: "[red]Mal"
    family_name: "Lory\\u2028X"
    affiliations: [{org: evil}]
"""


def test_hostile_data_stays_inert_in_a_letter(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "hostile.yaml"
    path.write_text(HOSTILE, encoding="utf-8")
    result = own(cli, path, "show", "mallory", "--letter")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "\u2028" not in out
    lines = out.split("\n")
    # no line forged: the block's four lines, the empty line, the greeting, the end
    assert len(lines) == 7, lines
    assert lines[0] == "Amt␛]8;;https://evil.example␇[bold]Klick[/bold]\ufffd"
    assert lines[1] == "Frau␛[31m [red]Mal Lory\ufffdX"
    assert lines[2] == "Weg 1␊Zeile"
    assert lines[3] == "12345 Stadt␛[2J"
    # "Frau␛[31m" is no "Frau": the greeting does not guess
    assert lines[5] == "Guten Tag Frau␛[31m [red]Mal Lory\ufffdX,"


# -- a real process ----------------------------------------------------------------------------


def test_letter_in_a_real_process(tmp_path: Path, users_file: Path) -> None:
    result = run_process("show", "rena-wissmeier", "--letter")
    assert (result.returncode, result.stdout, result.stderr) == (0, RENA_LETTER, "")
    nowhere = run_process(
        "--no-bundled", "--data", str(users_file), "show", "olaf-nirgends", "--letter"
    )
    assert nowhere.returncode == 0
    assert nowhere.stdout == "Sehr geehrter Herr Nirgends,\n"
    assert nowhere.stderr.count("\n") == 1
    assert "no postal address for Olaf Nirgends" in nowhere.stderr


def test_review_fixes_for_letters(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Herrn in the data is Herr in the greeting; Germany is no destination country; a card
    is headed in the nominative (Herr), the address block in the accusative (Herrn)."""
    import json as json_module

    data = {
        "organizations": [
            {
                "id": "amt",
                "name": "Amt",
                "address": {
                    "street": "Weg 1",
                    "postal_code": "12345",
                    "city": "Stadt",
                    "country": "Deutschland",
                },
            }
        ],
        "people": [
            {
                "id": "karl-kunz",
                "given_name": "Karl",
                "family_name": "Kunz",
                "salutation": "Herrn",
                "affiliations": [{"org": "amt"}],
            }
        ],
    }
    path = tmp_path / "herrn.yaml"
    path.write_text(json_module.dumps(data), encoding="utf-8")
    args = ["--no-bundled", "--data", str(path)]
    letter = cli(*args, "show", "karl-kunz", "--letter")
    assert letter.exit_code == 0, letter.stderr
    assert letter.stdout == (
        "Amt\nHerrn Karl Kunz\nWeg 1\n12345 Stadt\n\nSehr geehrter Herr Kunz,\n"
    )
    from kjcdir.letter import titled_name
    from kjcdir.store import open_directory

    person = open_directory([path], include_bundled=False).directory.people["karl-kunz"]
    assert titled_name(person) == "Herr Karl Kunz"
