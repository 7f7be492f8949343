"""People and organisations as an Excel workbook (XlsxWriter), for people to read (SPEC 4).

CSV cannot say that a cell is text: spreadsheets turn `+49611170225` into a number and
`01067` into 1067, and the apostrophe that defuses a formula shows. In the workbook every
value is a text cell (`write_string`, formatted `@`), so nothing is evaluated, nothing
needs an apostrophe, and no value is changed. Two sheets, people and organisations, each
with a frozen bold header row, an autofilter and column widths that fit the content.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Sequence
from typing import Any

from kjcdir.errors import KjcdirError
from kjcdir.export.clean import drop_controls
from kjcdir.export.table import ORG_COLUMNS, PERSON_COLUMNS, Column, org_row, person_row
from kjcdir.model import Directory, Organization, Person

SHEET_NAMES = {"en": ("People", "Organisations"), "de": ("Personen", "Organisationen")}
MIN_WIDTH = 6  # characters
MAX_WIDTH = 60  # a long description wraps in the cell's own view, not across the screen
MAX_CELL = 32_767  # characters in one cell: Excel's limit, which XlsxWriter would cut to
MAX_ROWS = 1_048_576  # rows of a sheet, the header included


def workbook(
    directory: Directory, people: Sequence[Person], orgs: Sequence[Organization], lang: str
) -> bytes:
    """The bytes of the .xlsx file: the people on one sheet, the organisations on another."""
    import xlsxwriter

    buffer = io.BytesIO()
    book: Any = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            # write_string is used throughout; these keep XlsxWriter from guessing anyway
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    # The file depends on the data alone: its date is the directory's, not the clock's.
    created = _as_of(directory.meta.as_of)
    book.set_properties({"title": directory.meta.title or "kjcdir", "created": created})
    header = book.add_format({"bold": True, "num_format": "@", "bottom": 1})
    text = book.add_format({"num_format": "@"})
    people_sheet, orgs_sheet = SHEET_NAMES.get(lang, SHEET_NAMES["en"])
    rows = [person_row(directory, person) for person in people]
    _sheet(book.add_worksheet(people_sheet), PERSON_COLUMNS, rows, lang, header, text)
    rows = [org_row(directory, org) for org in orgs]
    _sheet(book.add_worksheet(orgs_sheet), ORG_COLUMNS, rows, lang, header, text)
    book.close()
    return buffer.getvalue()


def _sheet(
    sheet: Any,
    columns: Sequence[Column],
    rows: list[list[str]],
    lang: str,
    header: Any,
    text: Any,
) -> None:
    if len(rows) >= MAX_ROWS:
        raise KjcdirError(
            f"A sheet holds at most {MAX_ROWS - 1:,} rows and this export has {len(rows):,}; "
            "export CSV instead."
        )
    labels = [column.label(lang) for column in columns]
    widths = [len(label) for label in labels]
    for index, label in enumerate(labels):
        sheet.write_string(0, index, label, header)
    for row_number, row in enumerate(rows, start=1):
        for index, value in enumerate(row):
            cell = _cell_text(value)
            if len(cell) > MAX_CELL:
                raise KjcdirError(
                    f"The {columns[index].key} cell of {row[0]} would hold {len(cell):,} "
                    f"characters and an Excel cell holds at most {MAX_CELL:,}; export CSV instead."
                )
            widths[index] = max(widths[index], _longest_line(cell))
            if cell:
                sheet.write_string(row_number, index, cell, text)
    for index, width in enumerate(widths):
        # The `@` format on the whole column keeps what users type later text as well.
        sheet.set_column(index, index, min(max(width, MIN_WIDTH), MAX_WIDTH) + 2, text)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(rows), 1), len(columns) - 1)


def _cell_text(value: str) -> str:
    """The value as a cell holds it: no control characters, and a line break as a cell
    writes one (LF; a CR would be stored as `_x000D_`, which not every reader decodes)."""
    return drop_controls(value).replace("\r\n", "\n").replace("\r", "\n")


def _longest_line(cell: str) -> int:
    return max((len(line) for line in cell.splitlines()), default=0)


def _as_of(as_of: str) -> datetime.datetime:
    try:
        day = datetime.date.fromisoformat(as_of.strip()[:10])
    except ValueError:
        day = datetime.date(2000, 1, 1)
    return datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.timezone.utc)
