"""`--format xlsx`: the workbook read back with openpyxl, cell by cell, against the JSON."""

from __future__ import annotations

import json
import os
import pty
import subprocess
from pathlib import Path
from typing import Any

import pytest

from conftest import kjcdir_executable, run_process
from test_export_data import HOSTILE, hostile_file

openpyxl = pytest.importorskip("openpyxl", reason="openpyxl reads the workbooks (test extras)")

PERSON_KEYS = [
    "id", "name", "given_name", "family_name", "organization", "role", "phone", "phone_e164",
    "email", "street", "postal_code", "city", "country", "website", "topics",
    "other_affiliations",
]  # fmt: skip
ORG_KEYS = [
    "id", "name", "short", "organization", "phone", "phone_e164", "email", "street",
    "postal_code", "city", "country", "website", "topics", "description",
]  # fmt: skip
ENGLISH_PEOPLE_HEADER = [
    "ID", "Name", "Given name", "Family name", "Organisation", "Role", "Phone", "Phone (E.164)",
    "E-mail", "Street", "Postal code", "City", "Country", "Website", "Topics",
    "Other affiliations",
]  # fmt: skip
GERMAN_PEOPLE_HEADER = [
    "ID", "Name", "Vorname", "Nachname", "Organisation", "Funktion", "Telefon",
    "Telefon (E.164)", "E-Mail", "Straße", "PLZ", "Ort", "Land", "Website", "Themen",
    "Weitere Funktionen",
]  # fmt: skip


def workbook(cli: Any, tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> Any:
    target = tmp_path / "kontakte.xlsx"
    result = cli(*args, "-o", str(target), env=env)
    assert result.exit_code == 0, result.stderr
    return openpyxl.load_workbook(target)


def rows_of(sheet: Any) -> list[list[Any]]:
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def text(value: Any) -> str:
    return "" if value is None else value


def unique(values: list[str]) -> list[str]:
    seen: set[str] = set()
    kept = []
    for value in values:
        if value and value.casefold() not in seen:
            seen.add(value.casefold())
            kept.append(value)
    return kept


def expected_person(person: dict[str, Any], orgs: dict[str, dict[str, Any]]) -> list[str]:
    """The row the JSON export's person object says the sheet must hold."""
    affiliations = person["affiliations"]
    first = affiliations[0] if affiliations else None
    address = person["address"] or {}
    websites = person["websites"]
    org_id = first["org_id"] if first else None
    while not websites and org_id in orgs:  # the nearest organisation's, as on the cards
        websites = orgs[org_id]["websites"]
        org_id = orgs[org_id]["parent"]
    topics = list(person["topics"])
    for aff in affiliations:
        topics += orgs[aff["org_id"]]["topics"] if aff["org_id"] in orgs else []
    others = [
        ", ".join(filter(None, [aff["role"], " › ".join(aff["org_path"])]))
        for aff in affiliations[1:]
    ]
    return [
        person["id"],
        person["name"],
        text(person["given_name"]),
        person["family_name"],
        " › ".join(first["org_path"]) if first else "",
        text(first["role"]) if first else "",
        ", ".join(phone["display"] for phone in person["phones"]),
        ", ".join(phone["e164"] for phone in person["phones"]),
        ", ".join(person["emails"]),
        *(text(address.get(key)) for key in ("street", "postal_code", "city", "country")),
        ", ".join(websites),
        ", ".join(unique(topics)),
        "; ".join(others),
    ]


def expected_org(org: dict[str, Any]) -> list[str]:
    address = org["address"] or {}
    return [
        org["id"],
        org["name"],
        text(org["short"]),
        " › ".join(org["path"]),
        ", ".join(phone["display"] for phone in org["phones"]),
        ", ".join(phone["e164"] for phone in org["phones"]),
        ", ".join(org["emails"]),
        *(text(address.get(key)) for key in ("street", "postal_code", "city", "country")),
        ", ".join(org["websites"]),
        ", ".join(org["topics"]),
        text(org["description"]),
    ]


def in_a_cell(values: list[str]) -> list[str]:
    """A cell's line break is LF; the escape character is dropped (see xlsx._cell_text)."""
    return [v.replace("\r\n", "\n").replace("\r", "\n").replace("\x1b", "") for v in values]


def check_against_json(cli: Any, book: Any, data_args: list[str]) -> None:
    people_json = json.loads(cli(*data_args, "export", "--all", "-f", "json").stdout)
    with_orgs = json.loads(cli(*data_args, "export", "--all", "-f", "json", "--with-orgs").stdout)
    all_orgs = {org["id"]: org for org in json.loads(cli(*data_args, "orgs", "--json").stdout)}
    people_sheet, orgs_sheet = book.worksheets
    rows = rows_of(people_sheet)
    assert len(rows) == 1 + len(people_json)
    for row, person in zip(rows[1:], people_json, strict=True):
        assert [text(value) for value in row] == in_a_cell(expected_person(person, all_orgs))
    contact_orgs = [entry for entry in with_orgs if entry["kind"] == "organization"]
    rows = rows_of(orgs_sheet)
    assert len(rows) == 1 + len(contact_orgs)
    for row, org in zip(rows[1:], contact_orgs, strict=True):
        assert [text(value) for value in row] == in_a_cell(expected_org(org))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.value is None or cell.data_type == "s", cell.coordinate


def test_every_cell_is_the_json_exports_text(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    book = workbook(cli, tmp_path, "export", "--all", "--format", "xlsx")
    assert book.sheetnames == ["People", "Organisations"]
    check_against_json(cli, book, [])
    people = book["People"]
    assert [cell.value for cell in people[1]] == ENGLISH_PEOPLE_HEADER
    rena = next(row for row in rows_of(people) if row[0] == "rena-wissmeier")
    assert rena[6:8] == ["+49 611 1702-25", "+49611170225"]  # no apostrophe, no number
    assert rena[10] == "65189"


def test_header_frozen_bold_filtered_and_columns_sized(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    book = workbook(cli, tmp_path, "export", "--org", "HStT", "-f", "xlsx")
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2"
        assert all(cell.font.bold for cell in sheet[1])
        assert not any(cell.font.bold for row in sheet.iter_rows(min_row=2) for cell in row)
        assert sheet.auto_filter.ref.startswith("A1:")
        last_column = sheet.max_column
        assert sheet.auto_filter.ref.endswith(
            f"{openpyxl.utils.get_column_letter(last_column)}{max(sheet.max_row, 2)}"
        )
        widths = [
            sheet.column_dimensions[openpyxl.utils.get_column_letter(i)].width
            for i in range(1, last_column + 1)
        ]
        assert all(8 <= width <= 63 for width in widths), widths
        cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
        assert all(cell.number_format == "@" for cell in cells)
    organisation = book["People"].column_dimensions["E"].width
    assert organisation > book["People"].column_dimensions["A"].width  # fits the longer text


def test_hostile_values_come_back_as_text(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = hostile_file(tmp_path)
    args = ["--data", str(data), "--no-bundled"]
    book = workbook(cli, tmp_path, *args, "export", "--all", "-f", "xlsx")
    check_against_json(cli, book, args)
    rows = {row[0]: row for row in rows_of(book["People"])}
    hostile = rows["hostile-person"]
    assert hostile[3] == HOSTILE["people"][0]["family_name"] == '=HYPERLINK("http://evil")'
    cell = book["People"].cell(row=list(rows).index("hostile-person") + 1, column=4)
    assert cell.data_type == "s"
    assert "\x1b" not in hostile[5]  # the escape character is dropped, the rest kept
    assert hostile[5].startswith("+Leiter; Stellvertretung, kommissarisch\nzweite Zeile")


def test_values_that_look_like_numbers_or_escapes_stay_as_written(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "numbers.yaml"
    data.write_text(
        "organizations:\n"
        "  - id: amt\n    name: '_x0041_ Amt'\n"
        "    address: {street: '1e5', postal_code: '01067', city: Dresden}\n"
        "people:\n"
        "  - id: null-person\n    family_name: '0815'\n    given_name: 'TRUE'\n"
        "    affiliations: [{org: amt, role: '=1+1'}]\n"
        "    phones: ['+49 351 0123-45']\n",
        encoding="utf-8",
    )
    book = workbook(
        cli, tmp_path, "--data", str(data), "--no-bundled", "export", "--all", "-f", "xlsx"
    )
    row = rows_of(book["People"])[1]
    assert row[2:6] == ["TRUE", "0815", "_x0041_ Amt", "=1+1"]
    assert row[6] == "+49 351 0123-45"
    assert row[9:12] == ["1e5", "01067", "Dresden"]


def test_german_headers_by_locale_or_lang(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    book = workbook(cli, tmp_path, "export", "--all", "-f", "xlsx", env={"LANG": "de_DE.UTF-8"})
    assert book.sheetnames == ["Personen", "Organisationen"]
    assert [cell.value for cell in book["Personen"][1]] == GERMAN_PEOPLE_HEADER
    book = workbook(
        cli,
        tmp_path,
        "export",
        "--all",
        "-f",
        "xlsx",
        "--lang",
        "en",
        "--force",
        env={"LANG": "de_DE.UTF-8"},
    )
    assert book.sheetnames == ["People", "Organisations"]


def test_the_ending_chooses_xlsx_and_the_file_is_the_same_each_time(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    assert cli("export", "--all", "-o", str(first)).exit_code == 0
    assert cli("export", "--all", "-o", str(second)).exit_code == 0
    assert first.read_bytes()[:2] == b"PK"
    assert first.read_bytes() == second.read_bytes()  # dated by the data, not the clock


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-f", "xlsx"], "xlsx is a binary file; give -o FILE.xlsx"),
        (["-f", "csv", "--lang", "de"], "--lang chooses the headers of outlook and xlsx"),
        (["-f", "xlsx", "--lang", "fr", "-o", "x.xlsx"], "--lang takes de or en, not 'fr'."),
    ],
)
def test_wrong_options_are_one_sentence(cli, args: list[str], message: str) -> None:  # type: ignore[no-untyped-def]
    result = cli("export", "--all", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_a_cell_longer_than_excel_allows_is_refused_and_nothing_written(
    cli, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    topics = ", ".join(f"'{'Thema' * 59}{n:03}'" for n in range(120))  # 120 × 298 characters
    data = tmp_path / "long.yaml"
    data.write_text(
        f"people:\n  - id: viele-themen\n    family_name: Themen\n    topics: [{topics}]\n",
        encoding="utf-8",
    )
    target = tmp_path / "long.xlsx"
    result = cli("--data", str(data), "--no-bundled", "export", "--all", "-o", str(target))
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "kjcdir: The topics cell of viele-themen would hold 35,998 characters"
    )
    assert "export CSV instead." in result.stderr
    assert not target.exists()
    assert list(tmp_path.iterdir()) == [data]


def test_dash_writes_the_workbook_to_a_pipe(tmp_path: Path) -> None:
    result = subprocess.run(
        [kjcdir_executable(), "export", "--all", "-f", "xlsx", "-o", "-"],
        capture_output=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    target = tmp_path / "piped.xlsx"
    target.write_bytes(result.stdout)
    assert openpyxl.load_workbook(target).sheetnames == ["People", "Organisations"]


@pytest.mark.parametrize(
    ("fmt", "what"), [("xlsx", "a binary workbook"), ("outlook", "Windows-1252 text")]
)
def test_a_workbook_is_never_written_to_a_terminal(fmt: str, what: str) -> None:
    """Nor Outlook's Windows-1252, whose byte 0x9B (›) an 8-bit terminal reads as CSI."""
    leader, follower = pty.openpty()
    try:
        result = subprocess.run(
            [kjcdir_executable(), "export", "--all", "-f", fmt, "-o", "-"],
            stdout=follower,
            stderr=subprocess.PIPE,
            timeout=60,
        )
        os.close(follower)
        follower = -1
        written = b""
        try:
            while chunk := os.read(leader, 4096):
                written += chunk
        except OSError:  # the terminal's other end is closed: all is read
            pass
    finally:
        os.close(leader)
        if follower >= 0:
            os.close(follower)
    assert result.returncode == 2
    assert result.stderr.decode().strip() == (
        f"kjcdir: {fmt} writes {what}, not for a terminal; give -o FILE."
    )
    assert written == b""


def test_the_process_writes_a_readable_file(tmp_path: Path) -> None:
    result = run_process("export", "--org", "HLT", "-o", "hlt.xlsx", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "wrote" in result.stderr
    book = openpyxl.load_workbook(tmp_path / "hlt.xlsx")
    assert [row[0] for row in rows_of(book["People"])[1:]] == ["laura-brennert", "felix-wuerfel"]
