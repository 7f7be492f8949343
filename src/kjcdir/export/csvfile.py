"""People as CSV for spreadsheets: one header row, one row per person (SPEC 4).

UTF-8 with `,` by default (RFC 4180); `excel=True` writes the byte order mark and `;`,
which is what a German Excel opens with a double click. A cell that a spreadsheet would
take for a formula is defused with a leading apostrophe.
"""

from __future__ import annotations

from collections.abc import Iterable

from kjcdir.export.clean import drop_controls
from kjcdir.model import Directory, Person

HEADER = (
    "id",
    "name",
    "given_name",
    "family_name",
    "organization",
    "role",
    "phone",
    "phone_e164",
    "email",
    "street",
    "postal_code",
    "city",
    "country",
    "website",
    "topics",
    "other_affiliations",
)

# Where a spreadsheet starts a formula (=, +, -, @) or a cell that can hide one (tab,
# carriage return): OWASP's list for CSV injection.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

LIST_SEPARATOR = ", "  # between several phones, e-mails, websites or topics in one cell
PATH_SEPARATOR = " › "  # between an organisation and its units, as on the cards
BOM = "\ufeff"


def defuse(cell: str) -> str:
    """The cell, with a leading `'` if a spreadsheet would read it as a formula."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def row(directory: Directory, person: Person) -> list[str]:
    """The person's cells, in the order of HEADER, not yet defused."""
    from kjcdir.export.vcard import topics_of, websites_of

    first = person.affiliations[0] if person.affiliations else None
    address = directory.address_of(person)
    others = [
        ", ".join(filter(None, (aff.role, PATH_SEPARATOR.join(directory.org_path(aff.org_id)))))
        for aff in person.affiliations[1:]
    ]
    return [
        person.id,
        person.name,
        person.given_name or "",
        person.family_name,
        PATH_SEPARATOR.join(directory.org_path(first.org_id)) if first else "",
        (first.role or "") if first else "",
        LIST_SEPARATOR.join(phone.display for phone in person.phones),
        LIST_SEPARATOR.join(phone.e164 for phone in person.phones),
        LIST_SEPARATOR.join(person.emails),
        (address.street or "") if address else "",
        (address.postal_code or "") if address else "",
        (address.city or "") if address else "",
        (address.country or "") if address else "",
        LIST_SEPARATOR.join(websites_of(directory, person)),
        LIST_SEPARATOR.join(topics_of(directory, person)),
        "; ".join(others),
    ]


def to_csv(directory: Directory, people: Iterable[Person], excel: bool = False) -> str:
    """The CSV text, with CRLF line ends; encode it as UTF-8."""
    import csv
    import io

    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";" if excel else ",", lineterminator="\r\n")
    writer.writerow(HEADER)
    for person in people:
        writer.writerow([defuse(drop_controls(cell)) for cell in row(directory, person)])
    return (BOM if excel else "") + buffer.getvalue()
