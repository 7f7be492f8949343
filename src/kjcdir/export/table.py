"""People and organisations as rows of text cells: what the CSV and XLSX exports share.

One list of columns per sheet, each with the key that CSV writes as its header (for
programs) and the labels that the workbook shows (for people, in English or German).
Several values in one cell are separated by `, `; an organisation's place is its path
from the top body down (`Hessischer Städtetag › Sozialreferat`), as on the cards.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from kjcdir.model import Address, Directory, Organization, Person, Phone

LIST_SEPARATOR = ", "  # between several phones, e-mails, websites or topics in one cell


class Column(NamedTuple):
    key: str  # the CSV header
    english: str
    german: str

    def label(self, lang: str) -> str:
        return self.german if lang == "de" else self.english


# The contact details, in the same columns for people and organisations (_contact_cells).
_CONTACT_COLUMNS = (
    Column("phone", "Phone", "Telefon"),
    Column("phone_e164", "Phone (E.164)", "Telefon (E.164)"),
    Column("email", "E-mail", "E-Mail"),
    Column("street", "Street", "Straße"),
    Column("postal_code", "Postal code", "PLZ"),
    Column("city", "City", "Ort"),
    Column("country", "Country", "Land"),
    Column("website", "Website", "Website"),
    Column("topics", "Topics", "Themen"),
)

PERSON_COLUMNS = (
    Column("id", "ID", "ID"),
    Column("name", "Name", "Name"),
    Column("given_name", "Given name", "Vorname"),
    Column("family_name", "Family name", "Nachname"),
    Column("organization", "Organisation", "Organisation"),
    Column("role", "Role", "Funktion"),
    *_CONTACT_COLUMNS,
    Column("other_affiliations", "Other affiliations", "Weitere Funktionen"),
)

ORG_COLUMNS = (
    Column("id", "ID", "ID"),
    Column("name", "Name", "Name"),
    Column("short", "Short", "Kürzel"),
    Column("organization", "Organisation", "Organisation"),
    *_CONTACT_COLUMNS,
    Column("description", "Description", "Beschreibung"),
)


def person_row(directory: Directory, person: Person) -> list[str]:
    """The person's cells, in the order of PERSON_COLUMNS, as in the data (not cleaned).

    The address and website are the person's own, else their organisation's (as on the
    cards); the topics are the person's and those of the units they belong to.
    """
    from kjcdir.export.vcard import topics_of, websites_of

    first = person.first_affiliation
    others = (directory.affiliation_text(aff) for aff in person.affiliations[1:])
    return [
        person.id,
        person.name,
        person.given_name or "",
        person.family_name,
        directory.path_text(first.org_id) if first else "",
        (first.role or "") if first else "",
        *_contact_cells(
            person.phones,
            person.emails,
            directory.address_of(person),
            websites_of(directory, person),
            topics_of(directory, person),
        ),
        "; ".join(others),
    ]


def org_row(directory: Directory, org: Organization) -> list[str]:
    """The organisation's own cells, in the order of ORG_COLUMNS."""
    return [
        org.id,
        org.name,
        org.short or "",
        directory.path_text(org.id),
        *_contact_cells(org.phones, org.emails, org.address, org.websites, org.topics),
        org.description or "",
    ]


def _contact_cells(
    phones: Sequence[Phone],
    emails: Sequence[str],
    address: Address | None,
    websites: Sequence[str],
    topics: Sequence[str],
) -> list[str]:
    """The cells of _CONTACT_COLUMNS."""
    address = address or Address()
    return [
        LIST_SEPARATOR.join(phone.display for phone in phones),
        LIST_SEPARATOR.join(phone.e164 for phone in phones),
        LIST_SEPARATOR.join(emails),
        address.street or "",
        address.postal_code or "",
        address.city or "",
        address.country or "",
        LIST_SEPARATOR.join(websites),
        LIST_SEPARATOR.join(topics),
    ]
