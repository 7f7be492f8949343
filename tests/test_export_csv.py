"""CSV exports read back with the csv module: header, rows, Excel dialect, defused formulas."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from kjcdir.export.csvfile import HEADER, defuse
from test_export_data import hostile_file

ISSUE_COLUMNS = (
    "id", "name", "given_name", "family_name", "organization", "role", "phone", "phone_e164",
    "email", "street", "postal_code", "city", "website", "topics",
)  # fmt: skip


def read(data: bytes, excel: bool = False) -> list[dict[str, str]]:
    text = data.decode("utf-8-sig" if excel else "utf-8")
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";" if excel else ","))


def export(cli, *args: str) -> bytes:  # type: ignore[no-untyped-def]
    result = cli(*args)
    assert result.exit_code == 0, result.stderr
    return bytes(result.stdout_bytes)


def test_header_and_one_row_per_person(cli) -> None:  # type: ignore[no-untyped-def]
    data = export(cli, "export", "--all", "--format", "csv")
    assert data.startswith(b"id,name,given_name,family_name,organization,role,phone,")
    assert not data.startswith(b"\xef\xbb\xbf")
    assert data.endswith(b"\r\n")
    rows = read(data)
    assert set(ISSUE_COLUMNS) <= set(HEADER)
    assert len(rows) == 9
    assert len({row["id"] for row in rows}) == 9
    rena = next(row for row in rows if row["id"] == "rena-wissmeier")
    assert rena["name"] == "Rena Wißmeier"
    assert rena["given_name"] == "Rena"
    assert rena["family_name"] == "Wißmeier"
    assert rena["organization"] == "Hessischer Städtetag › Regiestelle SGB II"
    assert rena["role"] == "Regiestelle SGB II"
    assert rena["phone"] == "+49 611 1702-25"  # for programs: exactly as in the data
    assert rena["phone_e164"] == "+49611170225"
    assert rena["postal_code"] == "65189"
    assert rena["email"] == "wissmeier@hess-staedtetag.de"
    assert rena["street"] == "Frankfurter Straße 2"
    assert rena["postal_code"] == "65189"
    assert rena["city"] == "Wiesbaden"
    assert rena["website"] == "https://www.hess-staedtetag.de"
    assert "SGB II" in rena["topics"].split(", ")
    werle = next(row for row in rows if row["id"] == "joachim-werle")
    assert werle["phone"] == werle["email"] == ""
    assert "Sprecher der hessischen AG KJC" in werle["other_affiliations"]


def test_the_same_people_as_the_json_export(cli) -> None:  # type: ignore[no-untyped-def]
    rows = read(export(cli, "export", "--org", "hstt", "--format", "csv"))
    people = cli.json("list", "--org", "hstt")
    assert [row["id"] for row in rows] == [person["id"] for person in people]


def test_excel_writes_a_bom_and_semicolons(cli) -> None:  # type: ignore[no-untyped-def]
    data = export(cli, "export", "--all", "--format", "csv", "--excel")
    assert data.startswith(b"\xef\xbb\xbfid;name;given_name;")
    rows = read(data, excel=True)
    assert len(rows) == 9
    rena = next(row for row in rows if row["id"] == "rena-wissmeier")
    assert rena["phone"] == "'+49 611 1702-25"  # Excel would take a leading + for a formula
    assert rena["phone_e164"] == "'+49611170225"
    assert {row["city"] for row in rows} >= {"Wiesbaden"}
    first_line = data.decode("utf-8-sig").split("\r\n")[0]
    assert first_line.split(";") == list(HEADER)


@pytest.mark.parametrize("excel", [False, True])
def test_hostile_values_are_quoted_and_defused(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path, excel: bool
) -> None:
    args = ["--data", str(hostile_file(tmp_path)), "--no-bundled", "export", "--all"]
    data = export(cli, *args, "--format", "csv", *(["--excel"] if excel else []))
    rows = {row["id"]: row for row in read(data, excel)}
    row = rows["hostile-person"]
    assert row["family_name"] == '\'=HYPERLINK("http://evil")'
    assert row["name"] == 'Zoë\tÄrger =HYPERLINK("http://evil")'  # starts with Z: untouched
    assert row["given_name"] == "Zoë\tÄrger"
    assert row["role"] == "'+Leiter; Stellvertretung, kommissarisch\r\nzweite Zeile [31mrot"
    assert row["organization"] == "'=Amt; für, Test\\Back › Unterabteilung\r\nZwei"
    assert row["email"] == "'=1+2@example.org, zoe@example.org"
    assert row["topics"].startswith("'@SUM(A1), -2+3, Komma, Semikolon; Backslash\\ Ende")
    assert row["street"] == "Weg 1; Hinterhaus, 2. OG"
    assert row["website"] == "https://example.org/a,b;c"
    assert row["other_affiliations"] == "'@Beirat, =Amt; für, Test\\Back"
    assert rows["long-person"]["role"] == "'-Referentin"
    assert rows["no-contact"]["email"] == ""
    assert b"\x1b" not in data
    assert row["phone"] == ("'" if excel else "") + "+49 611 1706-69, +49 6078 123-45"
    for cell in (cell for r in rows.values() for cell in r.values()):
        if excel or not re.fullmatch(r"\+[0-9][0-9 -]*(, \+[0-9][0-9 -]*)*", cell):
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_pandas_style_reading_gets_the_data_exactly(cli) -> None:  # type: ignore[no-untyped-def]
    """What a program reads from plain CSV is the JSON export's text, cell for cell."""
    rows = {row["id"]: row for row in read(export(cli, "export", "--all", "-f", "csv"))}
    for person in cli.json("list"):
        row = rows[person["id"]]
        assert row["phone"] == ", ".join(phone["display"] for phone in person["phones"])
        assert row["phone_e164"] == ", ".join(phone["e164"] for phone in person["phones"])
        assert row["email"] == ", ".join(person["emails"])
        address = person["address"] or {}
        assert row["postal_code"] == (address.get("postal_code") or "")
        assert row["family_name"] == person["family_name"]


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_defuse_every_formula_start(start: str) -> None:
    assert defuse(f"{start}1+1") == f"'{start}1+1"


@pytest.mark.parametrize("cell", ["", "a=b", "Müller", "'quoted", " =space first", "1-2"])
def test_defuse_leaves_other_cells_alone(cell: str) -> None:
    assert defuse(cell) == cell
