"""CSV files that Outlook and Google Contacts import without any manual field mapping.

Both programs recognise a CSV by its header names: a column whose name is not theirs is
offered for manual mapping at best and dropped at worst. So the headers below are
spelled exactly as the programs' own exports spell them, and each value sits in its own
column: one phone number, one e-mail address, one website per cell. What does not fit
the columns (a fourth phone number in Outlook, say) goes into the notes, never lost.

Outlook (`outlook_csv`): the columns of desktop Outlook's own CSV export ("Import and
Export" → "Export to a file" → "Comma Separated Values"), a subset of its 92 in the
same order, in German (lang="de") or English (lang="en"): Outlook's import wizard maps the
names of its own UI language automatically. Sources of the names:

- Microsoft Exchange's importer of Outlook CSV files, which lists every column name of
  every Outlook UI language with the code page of that language's files:
  github.com/PiratesRE/exchange_diff, Microsoft.Exchange.Transport.Sync.Common/
  ImportContacts/OutlookCsvLanguageSelect.cs (CreateLanguageObject_de_de and
  CreateLanguageObject_en_us, both `new OutlookCsvLanguage(1252, ...)`), and
  OutlookCsvImportContact.cs (detects the code page, then picks the language whose
  names match the header);
- the full 92-column English header of Outlook's export (Title, First Name, ..., Web
  Page), the same in many public converters that copy it, e.g. from Microsoft's article
  "Create or edit .csv files to import into Outlook" (support.microsoft.com/en-us/
  office/create-or-edit-csv-files-to-import-into-outlook-4518d70d-8fe9-46ad-94fa-
  1494247193c7);
- the full German header of Outlook's export in github.com/bytemine/egroupware2zarafa,
  addressbook.php ("field names like Outlook uses", "a csv row that can be parsed
  natively by Outlook without custom mappings"), written in ISO-8859-1 with `,`.

The file is encoded in Windows-1252 without a byte order mark, with `,` between the
cells (also for German Outlook: "Comma Separated Values" is comma-separated whatever
the regional list separator; bytemine's script for German Outlook writes `,`, and
readers of German Outlook exports split at `,`), every cell quoted and CRLF line ends,
as Outlook writes it. Outlook
reads a CSV in the ANSI code page: Exchange's importer declares code page 1252 for
German and English Outlook files and finds no language for a header in another code
page; a user importing a UTF-8 file with a BOM into Outlook found the BOM read as part
of the first column name and had to re-encode the text in the ANSI code page
(github.com/thomascube/vcfconvert issue 11). A character that Windows-1252 lacks is
replaced by its base letter (ő → o, Ł → L) or else by `?`.

Outlook separates several categories with the Windows list separator: `;` in German
(bytemine's script), `,` in English (github.com/TotalTool/ContactExport,
Split-Categoriesv2.ps1 splits an Outlook export's Categories at `,`).

Google (`google_csv`): the columns of Google Contacts' current "Google CSV" export.
Google has replaced its old header (`Name`, `Given Name`, `Family Name`, `Group
Membership`, `E-mail 1 - Type`, `Organization 1 - Name`, ...: github.com/owncloud-archive/
contacts issue 785, github.com/azamatbayramov/GoogleCSVLoader) with `First Name`, `Last
Name`, `Labels`, `E-mail 1 - Label`, `Organization Name`, .... A file in the form of
Google's current export is what Google's own round trip uses, so that is the form
written here. The names and their order (fixed name and organisation columns, then
numbered e-mail, phone, address and website groups, as many as the widest contact
needs) are those of recent exports quoted in public parsers and tests found by exact
search for `File As,Organization Name,Organization Title` and `"Address 1 - Formatted"`:
`First Name,Middle Name,Last Name,Phonetic First Name,...,Photo,Labels,E-mail 1 -
Label,E-mail 1 - Value,...,Phone 1 - Label,...,Address 1 - Label,Address 1 - Formatted,
...,Website 1 - Label,Website 1 - Value`, with `* myContacts ::: Governo ::: MIPIM 2026
contacts` in Labels. Several labels are separated by ` ::: ` (so was `Group Membership`,
`* My Contacts ::: Group name 1`); `* myContacts` is the system group "Contacts" that
Google's export puts first. UTF-8 without a byte order mark, as those exports are read
(the readers above open them as plain UTF-8); Google's importer also reads a file with a
BOM (its old export was UTF-16 with one: owncloud-archive/contacts pull request 426
shows the header `ÿþName`), but a BOM would only serve Excel, which this file is not for.

Labels and categories are the short names of the organisations a contact belongs to
(`HLT`, `HStT`, `AK Option`, ...): a handful of groups to filter by. The topics, which are
many and would flood Outlook's category list, go into the notes instead.

The files are opened in spreadsheets too, so a cell that a spreadsheet would run as a
formula is defused as in the CSV for programs (csvfile.defuse_for_programs); phone
numbers stay as they are, since Outlook and Google would import an apostrophe.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple

from kjcdir.export.clean import one_line, unique
from kjcdir.export.csvfile import defuse_for_programs
from kjcdir.model import PATH_SEPARATOR, Address, Directory, Organization, Person

OUTLOOK_LANGS = ("de", "en")

OUTLOOK_ENCODING = "cp1252"
GOOGLE_ENCODING = "utf-8"
LINE_END = "\r\n"

# The columns written, in the order of Outlook's export in each language (German sorts
# the columns after the phone numbers by their German names). Keys name the values.
OUTLOOK_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "de": (
        ("title", "Anrede"),
        ("given", "Vorname"),
        ("middle", "Weitere Vornamen"),
        ("family", "Nachname"),
        ("suffix", "Suffix"),
        ("company", "Firma"),
        ("department", "Abteilung"),
        ("job", "Position"),
        ("street", "Straße geschäftlich"),
        ("city", "Ort geschäftlich"),
        ("postal_code", "Postleitzahl geschäftlich"),
        ("country", "Land/Region geschäftlich"),
        ("phone1", "Telefon geschäftlich"),
        ("phone2", "Telefon geschäftlich 2"),
        ("phone3", "Weiteres Telefon"),
        ("email1", "E-Mail-Adresse"),
        ("email2", "E-Mail 2: Adresse"),
        ("email3", "E-Mail 3: Adresse"),
        ("categories", "Kategorien"),
        ("notes", "Notizen"),
        ("website", "Webseite"),
    ),
    "en": (
        ("title", "Title"),
        ("given", "First Name"),
        ("middle", "Middle Name"),
        ("family", "Last Name"),
        ("suffix", "Suffix"),
        ("company", "Company"),
        ("department", "Department"),
        ("job", "Job Title"),
        ("street", "Business Street"),
        ("city", "Business City"),
        ("postal_code", "Business Postal Code"),
        ("country", "Business Country/Region"),
        ("phone1", "Business Phone"),
        ("phone2", "Business Phone 2"),
        ("phone3", "Other Phone"),
        ("categories", "Categories"),
        ("email1", "E-mail Address"),
        ("email2", "E-mail 2 Address"),
        ("email3", "E-mail 3 Address"),
        ("notes", "Notes"),
        ("website", "Web Page"),
    ),
}
OUTLOOK_PHONES = ("phone1", "phone2", "phone3")
OUTLOOK_EMAILS = ("email1", "email2", "email3")
OUTLOOK_CATEGORY_SEPARATOR = {"de": ";", "en": ","}

GOOGLE_FIXED = (
    "First Name",
    "Middle Name",
    "Last Name",
    "Phonetic First Name",
    "Phonetic Middle Name",
    "Phonetic Last Name",
    "Name Prefix",
    "Name Suffix",
    "Nickname",
    "File As",
    "Organization Name",
    "Organization Title",
    "Organization Department",
    "Birthday",
    "Notes",
    "Photo",
    "Labels",
)
GOOGLE_ADDRESS_PARTS = (
    "Label",
    "Formatted",
    "Street",
    "City",
    "PO Box",
    "Region",
    "Postal Code",
    "Country",
    "Extended Address",
)
GOOGLE_LABEL_SEPARATOR = " ::: "
GOOGLE_MY_CONTACTS = "* myContacts"
GOOGLE_WORK = "Work"

# The words of the notes. Google's header is English whatever the user's language; its
# notes are German, like the data and the vCards.
NOTE_WORDS = {
    "de": {
        "phone": "Telefon",
        "email": "E-Mail",
        "website": "Website",
        "also": "Auch",
        "topics": "Themen",
        "tasks": "Aufgaben",
    },
    "en": {
        "phone": "Phone",
        "email": "E-mail",
        "website": "Website",
        "also": "Also",
        "topics": "Topics",
        "tasks": "Tasks",
    },
}

# -- Windows-1252 --------------------------------------------------------------------------

# Letters without a Unicode decomposition, and dashes, that have a close Windows-1252 form.
_CP1252_SUBSTITUTES = {
    "Ł": "L",
    "ł": "l",
    "Đ": "D",
    "đ": "d",
    "Ħ": "H",
    "ħ": "h",
    "ı": "i",
    "Ŧ": "T",
    "ŧ": "t",
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2212": "-",
}


def fit_cp1252(text: str) -> str:
    """The text with every character that Windows-1252 lacks replaced by a close one.

    A letter with a diacritic Windows-1252 does not have loses it (ő → o, Ș → S); a few
    letters and dashes have a fixed substitute (Ł → L, − → -); anything else becomes `?`.
    """
    try:
        text.encode(OUTLOOK_ENCODING)
    except UnicodeEncodeError:
        return "".join(_fit_char(char) for char in text)
    return text


def _fit_char(char: str) -> str:
    if _encodable(char):
        return char
    if char in _CP1252_SUBSTITUTES:
        return _CP1252_SUBSTITUTES[char]
    base = "".join(
        part
        for part in unicodedata.normalize("NFKD", char)
        if not unicodedata.combining(part) and _encodable(part)
    )
    return base or "?"


def _encodable(text: str) -> bool:
    try:
        text.encode(OUTLOOK_ENCODING)
    except UnicodeEncodeError:
        return False
    return True


# -- the contacts --------------------------------------------------------------------------


class _Contact(NamedTuple):
    """What both formats write of a person or an organisation, not yet cleaned."""

    name: str  # as the user knows the contact, for messages
    salutation: str  # Frau, Herr, or as the data writes it: Outlook's Anrede, Google's prefix
    given: str
    family: str
    company: str
    department: str
    job: str
    phones: tuple[str, ...]
    emails: tuple[str, ...]
    websites: tuple[str, ...]
    address: Address | None
    groups: tuple[str, ...]  # the short names of the organisations: labels, categories
    also: tuple[str, ...]  # further affiliations: "role, path"
    about: tuple[str, ...]  # an organisation's description
    topics: tuple[str, ...]
    tasks: tuple[tuple[str, tuple[str, ...]], ...]  # (whose, tasks); whose "" for an org


def _person_contact(directory: Directory, person: Person) -> _Contact:
    from kjcdir.export.vcard import shorts_of, topics_of, websites_of

    first = person.first_affiliation
    company, department = _company(directory, first.org_id) if first else ("", "")
    also = [directory.affiliation_text(aff) for aff in person.affiliations[1:]]
    tasks = []
    for aff in person.affiliations:
        org = directory.organizations.get(aff.org_id)
        if org is not None and org.tasks:
            tasks.append((org.name, org.tasks))
    return _Contact(
        name=person.name,
        salutation=person.salutation or "",
        given=person.given_name or "",
        family=person.family_name,
        company=company,
        department=department,
        job=(first.role or "") if first else "",
        phones=tuple(phone.display for phone in person.phones),
        emails=person.emails,
        websites=websites_of(directory, person),
        address=directory.address_of(person),
        groups=tuple(unique(shorts_of(directory, person))),
        also=tuple(also),
        about=(),
        topics=tuple(topics_of(directory, person)),
        tasks=tuple(tasks),
    )


def _org_contact(directory: Directory, org: Organization) -> _Contact:
    path = directory.org_path(org.id) or (org.name,)
    return _Contact(
        name=org.name,
        salutation="",
        given="",
        family="",
        company=path[0],
        department=PATH_SEPARATOR.join(path[1:]),
        job="",
        phones=tuple(phone.display for phone in org.phones),
        emails=org.emails,
        websites=org.websites,
        address=org.address,
        groups=tuple(unique(unit.short for unit in directory.chain(org.id) if unit.short)),
        also=(),
        about=(org.description,) if org.description else (),
        topics=tuple(unique(org.topics)),
        tasks=(("", org.tasks),) if org.tasks else (),
    )


def _contacts(
    directory: Directory, people: Iterable[Person], orgs: Iterable[Organization]
) -> list[_Contact]:
    contacts = [_person_contact(directory, person) for person in people]
    contacts += [_org_contact(directory, org) for org in orgs]
    return contacts


def _company(directory: Directory, org_id: str) -> tuple[str, str]:
    """The top body's name, and the units below it down to the organisation."""
    path = directory.org_path(org_id)
    if not path:
        return "", ""
    return path[0], PATH_SEPARATOR.join(path[1:])


def _note_lines(
    contact: _Contact,
    words: dict[str, str],
    phones: Sequence[str] = (),
    emails: Sequence[str] = (),
    websites: Sequence[str] = (),
) -> list[str]:
    """The notes: what did not fit the columns, further affiliations, topics, tasks."""
    lines = list(contact.about)
    lines += [f"{words['phone']}: {phone}" for phone in phones]
    lines += [f"{words['email']}: {email}" for email in emails]
    lines += [f"{words['website']}: {website}" for website in websites]
    lines += [f"{words['also']}: {also}" for also in contact.also]
    if contact.topics:
        lines.append(f"{words['topics']}: {', '.join(contact.topics)}")
    for whose, tasks in contact.tasks:
        lines.append(f"{words['tasks']} ({whose}):" if whose else f"{words['tasks']}:")
        lines += [f"- {task}" for task in tasks]
    return lines


# -- writing -------------------------------------------------------------------------------


class _Cells:
    """Cleans values into cells: close characters, one line, no control characters,
    defused formulas. Notes keep their line breaks."""

    def __init__(self, fit: Callable[[str], str], newline: str) -> None:
        self.fit = fit
        self.newline = newline

    def cell(self, text: str | None) -> str:
        return defuse_for_programs(self.fit(one_line(text or "")))

    def lines(self, lines: Iterable[str]) -> str:
        kept = (self.fit(one_line(line)) for line in lines)
        return defuse_for_programs(self.newline.join(line for line in kept if line))

    def joined(self, values: Iterable[str], separator: str, forbidden: Sequence[str]) -> str:
        """Several values in one cell, each cleared of the separator's characters."""
        cleaned = []
        for value in values:
            text = one_line(value)
            for part in forbidden:
                text = text.replace(part, " ")
            text = self.fit(one_line(text))
            if text:
                cleaned.append(text)
        return defuse_for_programs(separator.join(cleaned))


def _csv_text(rows: Iterable[Sequence[str]], quote_all: bool) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(
        buffer,
        delimiter=",",
        quotechar='"',
        quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL,
        lineterminator=LINE_END,
    )
    writer.writerows(rows)
    return buffer.getvalue()


def outlook_csv(
    directory: Directory,
    people: Sequence[Person],
    orgs: Sequence[Organization],
    lang: str,
    changed: list[str] | None = None,
) -> bytes:
    """The people, then the organisations, as a CSV that Outlook's import wizard maps
    by itself: Outlook's own column names in `lang` ("de" or "en"), Windows-1252,
    `,` between quoted cells, CRLF. The names of contacts with characters that
    Windows-1252 lacks (written as the nearest letter) are added to `changed`.

    Three phone numbers (business, business 2, other) and three e-mail addresses get
    columns of their own, the first website the web page; the rest goes to the notes.
    """
    if lang not in OUTLOOK_LANGS:
        raise ValueError(f"Outlook language {lang!r} is not one of {OUTLOOK_LANGS}")
    columns = OUTLOOK_COLUMNS[lang]
    words = NOTE_WORDS[lang]
    separator = OUTLOOK_CATEGORY_SEPARATOR[lang]
    fitted: list[bool] = []

    def fit(text: str) -> str:
        kept = fit_cp1252(text)
        if kept != text:
            fitted.append(True)
        return kept

    cells = _Cells(fit, LINE_END)
    rows: list[list[str]] = [[name for _, name in columns]]
    for contact in _contacts(directory, people, orgs):
        fitted.clear()
        address = contact.address or Address()
        values = {
            "title": cells.cell(contact.salutation),
            "given": cells.cell(contact.given),
            "family": cells.cell(contact.family),
            "company": cells.cell(contact.company),
            "department": cells.cell(contact.department),
            "job": cells.cell(contact.job),
            "street": cells.cell(address.street),
            "city": cells.cell(address.city),
            "postal_code": cells.cell(address.postal_code),
            "country": cells.cell(address.country),
            "website": cells.cell(contact.websites[0] if contact.websites else ""),
            "categories": cells.joined(contact.groups, separator, (";", ",")),
            "notes": cells.lines(
                _note_lines(
                    contact,
                    words,
                    phones=contact.phones[len(OUTLOOK_PHONES) :],
                    emails=contact.emails[len(OUTLOOK_EMAILS) :],
                    websites=contact.websites[1:],
                )
            ),
        }
        for key, phone in zip(OUTLOOK_PHONES, contact.phones, strict=False):
            values[key] = cells.cell(phone)
        for key, email in zip(OUTLOOK_EMAILS, contact.emails, strict=False):
            values[key] = cells.cell(email)
        rows.append([values.get(key, "") for key, _ in columns])
        if fitted and changed is not None:
            changed.append(contact.name)
    return _csv_text(rows, quote_all=True).encode(OUTLOOK_ENCODING, errors="replace")


def google_header(emails: int = 1, phones: int = 1, websites: int = 1) -> list[str]:
    """Google's columns with the given number of e-mail, phone and website groups."""
    header = list(GOOGLE_FIXED)
    for kind, count in (("E-mail", emails), ("Phone", phones)):
        for number in range(1, max(count, 1) + 1):
            header += [f"{kind} {number} - Label", f"{kind} {number} - Value"]
    header += [f"Address 1 - {part}" for part in GOOGLE_ADDRESS_PARTS]
    for number in range(1, max(websites, 1) + 1):
        header += [f"Website {number} - Label", f"Website {number} - Value"]
    return header


def google_csv(
    directory: Directory,
    people: Sequence[Person],
    orgs: Sequence[Organization],
) -> bytes:
    """The people, then the organisations, as a Google Contacts CSV: the column names of
    Google's export, one value per numbered column, UTF-8, CRLF.

    There are as many numbered e-mail, phone and website columns as the contact with
    the most of them needs (at least one each); every value is labelled `Work`. Labels
    holds `* myContacts` and the short names of the contact's organisations.
    """
    contacts = _contacts(directory, people, orgs)
    emails = max((len(contact.emails) for contact in contacts), default=1)
    phones = max((len(contact.phones) for contact in contacts), default=1)
    websites = max((len(contact.websites) for contact in contacts), default=1)
    header = google_header(emails, phones, websites)
    cells = _Cells(lambda text: text, "\n")
    words = NOTE_WORDS["de"]
    rows: list[list[str]] = [header]
    for contact in contacts:
        values = {
            "Name Prefix": cells.cell(contact.salutation),
            "First Name": cells.cell(contact.given),
            "Last Name": cells.cell(contact.family),
            "Organization Name": cells.cell(contact.company),
            "Organization Title": cells.cell(contact.job),
            "Organization Department": cells.cell(contact.department),
            "Notes": cells.lines(_note_lines(contact, words)),
            "Labels": cells.joined(
                (GOOGLE_MY_CONTACTS, *contact.groups), GOOGLE_LABEL_SEPARATOR, (":::",)
            ),
        }
        for kind, items in (
            ("E-mail", contact.emails),
            ("Phone", contact.phones),
            ("Website", contact.websites),
        ):
            for number, item in enumerate(items, start=1):
                values[f"{kind} {number} - Label"] = GOOGLE_WORK
                values[f"{kind} {number} - Value"] = cells.cell(item)
        if contact.address is not None:
            address = contact.address
            values.update(
                {
                    "Address 1 - Label": GOOGLE_WORK,
                    "Address 1 - Formatted": cells.lines(address.lines()),
                    "Address 1 - Street": cells.cell(address.street),
                    "Address 1 - City": cells.cell(address.city),
                    "Address 1 - Postal Code": cells.cell(address.postal_code),
                    "Address 1 - Country": cells.cell(address.country),
                }
            )
        rows.append([values.get(name, "") for name in header])
    return _csv_text(rows, quote_all=False).encode(GOOGLE_ENCODING)
