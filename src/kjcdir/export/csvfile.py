"""People as CSV: one header row, one row per person (SPEC 4).

Plain CSV is for programs (pandas, scripts, databases): UTF-8, `,` (RFC 4180), and every
value exactly as in the data, so that `+49611170225` stays that text. Only a cell that
could run as a formula when the file is opened in a spreadsheet anyway is defused with a
leading `'`: one that starts with `=`, `@`, a tab or a carriage return, or with `+`/`-`
followed by anything but a number or a phone number.

`excel=True` shapes the file for a German Excel opened with a double click: a byte order
mark, `;`, and every cell that starts like a formula defused, phone numbers included.
For people, the workbook (`--format xlsx`) is better: it needs no apostrophes at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from kjcdir.export.clean import drop_controls
from kjcdir.export.table import PERSON_COLUMNS, person_row
from kjcdir.model import Directory, Person

HEADER = tuple(column.key for column in PERSON_COLUMNS)

# Where a spreadsheet starts a formula (=, +, -, @) or a cell that can hide one (tab,
# carriage return): OWASP's list for CSV injection.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# A sign followed by a number (`-5`, `+3,5`) or by phone numbers (`+49 611 1702-25`,
# `+49 (0)611 170669, +49 6078 123-45`): digits, spaces, brackets, `.`, `,`, `/`, `-`,
# and `+` only where the next number starts. Nothing of it can call a function or reach
# another program, as a formula injection needs to.
_SIGNED_NUMBER = re.compile(r"[+-]\(?[0-9][0-9 ()./,-]*(?:, \+\(?[0-9][0-9 ()./,-]*)*")

BOM = "\ufeff"


def defuse(cell: str) -> str:
    """The cell with a leading `'` if it starts as a spreadsheet formula would (--excel)."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def defuse_for_programs(cell: str) -> str:
    """The cell as it is, unless it could run as a formula: then with a leading `'`.

    Numbers and phone numbers with a sign stay exact, so that programs read them as they
    are in the data.
    """
    if not cell.startswith(FORMULA_STARTS):
        return cell
    if cell[0] in "+-" and _SIGNED_NUMBER.fullmatch(cell):
        return cell
    return "'" + cell


def to_csv(directory: Directory, people: Iterable[Person], excel: bool = False) -> str:
    """The CSV text, with CRLF line ends; encode it as UTF-8."""
    import csv
    import io

    shield = defuse if excel else defuse_for_programs
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";" if excel else ",", lineterminator="\r\n")
    writer.writerow(HEADER)
    for person in people:
        writer.writerow([shield(drop_controls(cell)) for cell in person_row(directory, person)])
    return (BOM if excel else "") + buffer.getvalue()
