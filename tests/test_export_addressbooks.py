"""Outlook and Google Contacts CSV read back with the csv module: headers, cells, encoding.

The expected headers are written out here from the programs' own exports, not taken
from the module, so that a typo in either place fails:

- Outlook, German and English: the column names of Microsoft Exchange's importer of
  Outlook CSV files (github.com/PiratesRE/exchange_diff, Microsoft.Exchange.Transport.
  Sync.Common/ImportContacts/OutlookCsvLanguageSelect.cs, CreateLanguageObject_de_de and
  _en_us) in the order of Outlook's export (the English 92-column header of Microsoft's
  "Create or edit .csv files to import into Outlook"; the German one in
  github.com/bytemine/egroupware2zarafa, addressbook.php);
- Google: the header of Google Contacts' current "Google CSV" export, as quoted by public
  parsers of it (`First Name,...,File As,Organization Name,Organization Title,
  Organization Department,Birthday,Notes,Photo,Labels,E-mail 1 - Label,...`).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kjcdir.export.addressbooks import (
    OUTLOOK_LANGS,
    fit_cp1252,
    google_csv,
    outlook_csv,
)
from kjcdir.export.csvfile import defuse_for_programs
from kjcdir.model import Address, Affiliation, Directory, Meta, Organization, People, Person, Phone
from kjcdir.store import open_directory
from test_export_data import LONG_NAME, hostile_file

OUTLOOK_DE = [
    "Anrede", "Vorname", "Weitere Vornamen", "Nachname", "Suffix", "Firma", "Abteilung",
    "Position", "Straße geschäftlich", "Ort geschäftlich", "Postleitzahl geschäftlich",
    "Land/Region geschäftlich", "Telefon geschäftlich", "Telefon geschäftlich 2",
    "Weiteres Telefon", "E-Mail-Adresse", "E-Mail 2: Adresse", "E-Mail 3: Adresse",
    "Kategorien", "Notizen", "Webseite",
]  # fmt: skip
OUTLOOK_EN = [
    "Title", "First Name", "Middle Name", "Last Name", "Suffix", "Company", "Department",
    "Job Title", "Business Street", "Business City", "Business Postal Code",
    "Business Country/Region", "Business Phone", "Business Phone 2", "Other Phone",
    "Categories", "E-mail Address", "E-mail 2 Address", "E-mail 3 Address", "Notes",
    "Web Page",
]  # fmt: skip
GOOGLE_FIXED = [
    "First Name", "Middle Name", "Last Name", "Phonetic First Name", "Phonetic Middle Name",
    "Phonetic Last Name", "Name Prefix", "Name Suffix", "Nickname", "File As",
    "Organization Name", "Organization Title", "Organization Department", "Birthday",
    "Notes", "Photo", "Labels",
]  # fmt: skip
GOOGLE_ADDRESS = [
    "Address 1 - Label", "Address 1 - Formatted", "Address 1 - Street", "Address 1 - City",
    "Address 1 - PO Box", "Address 1 - Region", "Address 1 - Postal Code",
    "Address 1 - Country", "Address 1 - Extended Address",
]  # fmt: skip
OUTLOOK_HEADERS = {"de": OUTLOOK_DE, "en": OUTLOOK_EN}
PHONE_COLUMNS = {
    "de": ["Telefon geschäftlich", "Telefon geschäftlich 2", "Weiteres Telefon"],
    "en": ["Business Phone", "Business Phone 2", "Other Phone"],
}
EMAIL_COLUMNS = {
    "de": ["E-Mail-Adresse", "E-Mail 2: Adresse", "E-Mail 3: Adresse"],
    "en": ["E-mail Address", "E-mail 2 Address", "E-mail 3 Address"],
}
DIN_5008 = re.compile(r"\+[0-9]+( [0-9]+)* [0-9]+(-[0-9]+)?")


def google_header(emails: int, phones: int, websites: int) -> list[str]:
    header = list(GOOGLE_FIXED)
    for kind, count in (("E-mail", emails), ("Phone", phones)):
        for n in range(1, count + 1):
            header += [f"{kind} {n} - Label", f"{kind} {n} - Value"]
    header += GOOGLE_ADDRESS
    for n in range(1, websites + 1):
        header += [f"Website {n} - Label", f"Website {n} - Value"]
    return header


def read_outlook(data: bytes) -> tuple[list[str], list[dict[str, str]]]:
    return _read(data.decode("cp1252"))


def read_google(data: bytes) -> tuple[list[str], list[dict[str, str]]]:
    return _read(data.decode("utf-8"))


def _read(text: str) -> tuple[list[str], list[dict[str, str]]]:
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header = rows[0]
    assert all(len(row) == len(header) for row in rows), "every row has every column"
    return header, [dict(zip(header, row, strict=True)) for row in rows[1:]]


@pytest.fixture
def bundled() -> Directory:
    return open_directory([], True).directory


@pytest.fixture
def hostile(tmp_path: Path) -> Directory:
    return open_directory([hostile_file(tmp_path)], include_bundled=False).directory


def everyone(directory: Directory) -> list[Person]:
    return list(directory.people.values())


def small_directory(*people: Person, orgs: tuple[Organization, ...] = ()) -> Directory:
    org = Organization(
        id="amt",
        name="Amt",
        short="AMT",
        address=Address("Weg 1", "12345", "Stadt", "Deutschland"),
        websites=("https://amt.example",),
    )
    organizations = {o.id: o for o in (org, *orgs)}
    return Directory(Meta(), organizations, People(list(people)))


def phone(display: str) -> Phone:
    return Phone(display, display.replace(" ", "").replace("-", ""))


# -- Outlook -------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", OUTLOOK_LANGS)
def test_outlook_header_is_outlooks_own(bundled: Directory, lang: str) -> None:
    data = outlook_csv(bundled, everyone(bundled), [], lang)
    header, rows = read_outlook(data)
    assert header == OUTLOOK_HEADERS[lang]
    assert len(rows) == 9
    assert not data.startswith(b"\xef\xbb\xbf")  # no BOM: Outlook would read it as text
    assert data.endswith(b"\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")  # CRLF only, also inside notes
    first_line = data.split(b"\r\n", 1)[0]
    assert first_line.startswith(b'"')  # every cell quoted, as Outlook writes them
    if lang == "de":
        assert b'"Stra\xdfe gesch\xe4ftlich"' in first_line  # Windows-1252, not UTF-8


def test_outlook_german_rows(bundled: Directory) -> None:
    _, rows = read_outlook(outlook_csv(bundled, everyone(bundled), [], "de"))
    by_name = {row["Nachname"]: row for row in rows}
    rena = by_name["Wißmeier"]
    assert rena["Vorname"] == "Rena"
    assert rena["Anrede"] == "Frau"  # as the page writes it: "Frau Rena Wißmeier"
    assert rena["Weitere Vornamen"] == rena["Suffix"] == ""
    assert rena["Firma"] == "Hessischer Städtetag"
    assert rena["Abteilung"] == "Regiestelle SGB II"
    assert rena["Position"] == "Regiestelle SGB II"
    assert rena["Straße geschäftlich"] == "Frankfurter Straße 2"
    assert rena["Postleitzahl geschäftlich"] == "65189"
    assert rena["Ort geschäftlich"] == "Wiesbaden"
    assert rena["Land/Region geschäftlich"] == ""
    assert rena["Telefon geschäftlich"] == "+49 611 1702-25"  # as displayed, no apostrophe
    assert rena["Telefon geschäftlich 2"] == rena["Weiteres Telefon"] == ""
    assert rena["E-Mail-Adresse"] == "wissmeier@hess-staedtetag.de"
    assert rena["E-Mail 2: Adresse"] == ""
    assert rena["Webseite"] == "https://www.hess-staedtetag.de"
    assert rena["Kategorien"] == "HStT"
    notes = rena["Notizen"].split("\r\n")
    assert notes[0].startswith("Themen: SGB II, SGB III, Stellungnahmen")
    assert "Aufgaben (Regiestelle SGB II):" in notes
    assert "- Vorbereitung und Durchführung von Fachtagungen" in notes
    assert '"gemeinsamen Einrichtungen"' in rena["Notizen"]  # quotes come back exactly

    felix = by_name["Würfel"]
    assert (felix["Firma"], felix["Abteilung"]) == ("Hessischer Landkreistag", "Sozialreferat")
    assert felix["Telefon geschäftlich"] == "+49 611 1706-69"
    assert felix["Kategorien"] == "HLT"

    werle = by_name["Werle"]
    assert werle["Firma"] == "Main-Taunus-Kreis"
    assert werle["Abteilung"] == werle["Position"] == ""
    assert werle["Telefon geschäftlich"] == werle["E-Mail-Adresse"] == ""
    assert werle["Straße geschäftlich"] == werle["Webseite"] == ""
    assert werle["Kategorien"] == "AK Option;DLT;AG KJC"  # German list separator
    assert werle["Notizen"].split("\r\n")[:2] == [
        "Auch: hessisches Mitglied im AK Option, Deutscher Landkreistag › AK Option",
        "Auch: Sprecher der hessischen AG KJC, Arbeitsgemeinschaft der Kommunalen Jobcenter",
    ]
    assert werle["Anrede"] == ""  # the page gives no salutation for him
    patzelt = by_name["Patzelt"]
    assert patzelt["Firma"] == "Landeshauptstadt Wiesbaden"
    assert patzelt["Position"] == ""
    assert by_name["Lück"]["Anrede"] == "Frau Kreisbeigeordnete"


def test_outlook_english_rows(bundled: Directory) -> None:
    _, rows = read_outlook(outlook_csv(bundled, everyone(bundled), [], "en"))
    by_name = {row["Last Name"]: row for row in rows}
    rena = by_name["Wißmeier"]
    assert rena["First Name"] == "Rena"
    assert rena["Company"] == "Hessischer Städtetag"
    assert rena["Department"] == "Regiestelle SGB II"
    assert rena["Title"] == "Frau"
    assert by_name["Lück"]["Title"] == "Frau Kreisbeigeordnete"
    assert by_name["Würfel"]["Title"] == ""
    assert rena["Job Title"] == "Regiestelle SGB II"
    assert rena["Business Street"] == "Frankfurter Straße 2"
    assert rena["Business Postal Code"] == "65189"
    assert rena["Business City"] == "Wiesbaden"
    assert rena["Business Phone"] == "+49 611 1702-25"
    assert rena["E-mail Address"] == "wissmeier@hess-staedtetag.de"
    assert rena["Web Page"] == "https://www.hess-staedtetag.de"
    assert rena["Notes"].startswith("Topics: SGB II")
    assert "Tasks (Regiestelle SGB II):" in rena["Notes"].split("\r\n")
    werle = by_name["Werle"]
    assert werle["Categories"] == "AK Option,DLT,AG KJC"  # English list separator
    assert werle["Notes"].startswith("Also: hessisches Mitglied im AK Option, ")


@pytest.mark.parametrize("lang", OUTLOOK_LANGS)
def test_outlook_one_value_per_column_and_the_rest_in_the_notes(lang: str) -> None:
    person = Person(
        id="viele",
        given_name="Vera",
        family_name="Viel",
        affiliations=(Affiliation("amt", "Leitung"),),
        phones=tuple(phone(f"+49 611 1702-{n}") for n in range(20, 25)),
        emails=tuple(f"v{n}@example.org" for n in range(1, 6)),
        websites=("https://a.example", "https://b.example"),
    )
    _, rows = read_outlook(outlook_csv(small_directory(person), [person], [], lang))
    (row,) = rows
    assert [row[c] for c in PHONE_COLUMNS[lang]] == [
        "+49 611 1702-20",
        "+49 611 1702-21",
        "+49 611 1702-22",
    ]
    assert [row[c] for c in EMAIL_COLUMNS[lang]] == [
        "v1@example.org",
        "v2@example.org",
        "v3@example.org",
    ]
    web = "Webseite" if lang == "de" else "Web Page"
    assert row[web] == "https://a.example"
    notes = row["Notizen" if lang == "de" else "Notes"].split("\r\n")
    words = ("Telefon", "E-Mail") if lang == "de" else ("Phone", "E-mail")
    assert notes[:5] == [
        f"{words[0]}: +49 611 1702-23",
        f"{words[0]}: +49 611 1702-24",
        f"{words[1]}: v4@example.org",
        f"{words[1]}: v5@example.org",
        "Website: https://b.example",
    ]
    # the address and the website come from the organisation
    street = "Straße geschäftlich" if lang == "de" else "Business Street"
    country = "Land/Region geschäftlich" if lang == "de" else "Business Country/Region"
    assert (row[street], row[country]) == ("Weg 1", "Deutschland")


@pytest.mark.parametrize("lang", OUTLOOK_LANGS)
def test_outlook_phone_cells_hold_one_number_each(bundled: Directory, lang: str) -> None:
    orgs = list(bundled.organizations.values())
    _, rows = read_outlook(outlook_csv(bundled, everyone(bundled), orgs, lang))
    numbers = [row[c] for row in rows for c in PHONE_COLUMNS[lang] if row[c]]
    assert numbers, "the bundled people have phone numbers"
    assert all(DIN_5008.fullmatch(number) for number in numbers), numbers


def test_outlook_organisations_are_companies(bundled: Directory) -> None:
    orgs = [bundled.organizations[i] for i in ("hlt", "hstt-regiestelle", "dlt")]
    _, rows = read_outlook(outlook_csv(bundled, [], orgs, "de"))
    hlt, regiestelle, dlt = rows
    for row in rows:
        assert row["Vorname"] == row["Nachname"] == row["Position"] == ""
    assert (hlt["Firma"], hlt["Abteilung"]) == ("Hessischer Landkreistag", "")
    assert hlt["Straße geschäftlich"] == "Frankfurter Straße 2"
    assert hlt["Webseite"] == "https://www.hlt.de"
    assert hlt["Kategorien"] == "HLT"
    assert hlt["Notizen"].startswith("Der HLT ist die Vertretung aller 21 hessischen Landkreise.")
    assert "Aufgaben:" in hlt["Notizen"].split("\r\n")
    assert (regiestelle["Firma"], regiestelle["Abteilung"]) == (
        "Hessischer Städtetag",
        "Regiestelle SGB II",
    )
    assert regiestelle["Kategorien"] == "HStT"
    assert dlt["Webseite"] == "https://www.kreise.de"
    assert "Website: https://www.kommunenfuerarbeit.de" in dlt["Notizen"].split("\r\n")
    assert "Website: https://www.kommunale-jobcenter.de" in dlt["Notizen"].split("\r\n")


@pytest.mark.parametrize("lang", OUTLOOK_LANGS)
def test_outlook_hostile_values_are_inert(hostile: Directory, lang: str) -> None:
    orgs = list(hostile.organizations.values())
    data = outlook_csv(hostile, everyone(hostile), orgs, lang)
    _, rows = read_outlook(data)
    names = OUTLOOK_HEADERS[lang]
    person = rows[0]
    given, family, company, department, job = (person[names[i]] for i in (1, 3, 5, 6, 7))
    assert family == '\'=HYPERLINK("http://evil")'
    assert given == "Zoë Ärger"  # the tab is a space: one line per cell
    assert company == "'=Amt; für, Test\\Back"
    assert department == "Unterabteilung Zwei"
    assert job == "'+Leiter; Stellvertretung, kommissarisch zweite Zeile [31mrot"
    assert person[PHONE_COLUMNS[lang][0]] == "+49 611 1706-69"
    assert person[PHONE_COLUMNS[lang][1]] == "+49 6078 123-45"
    assert person[EMAIL_COLUMNS[lang][0]] == "'=1+2@example.org"
    assert person[EMAIL_COLUMNS[lang][1]] == "zoe@example.org"
    street = person[names[8]]
    assert street == "Weg 1; Hinterhaus, 2. OG"
    # the short "A;B" of both organisations: once, and without the list separator
    assert person["Kategorien" if lang == "de" else "Categories"] == "A B"
    notes = person["Notizen" if lang == "de" else "Notes"]
    also = "Auch" if lang == "de" else "Also"
    assert notes.split("\r\n")[0] == f"{also}: @Beirat, =Amt; für, Test\\Back"
    assert "@SUM(A1), -2+3, Komma, Semikolon; Backslash\\ Ende" in notes
    assert b"\x1b" not in data
    long = rows[1]
    assert long[names[1]] == "Lucja"  # Ł is not in Windows-1252
    assert long[names[3]] == LONG_NAME
    assert long[names[7]] == "'-Referentin"
    assert rows[2][names[3]] == "Ohnekontakt"
    for row in rows:
        for cell in row.values():
            assert defuse_for_programs(cell) == cell, cell  # nothing left to defuse


def test_outlook_organisation_rows_of_hostile_data(hostile: Directory) -> None:
    orgs = list(hostile.organizations.values())
    _, rows = read_outlook(outlook_csv(hostile, [], orgs, "de"))
    amt, unit = rows
    assert amt["Firma"] == "'=Amt; für, Test\\Back"
    assert amt["Abteilung"] == ""
    assert amt["Telefon geschäftlich"] == "+49 6078 123-0"
    assert amt["E-Mail-Adresse"] == "info@example.org"
    assert amt["Webseite"] == "https://example.org/a,b;c"
    assert amt["Ort geschäftlich"] == "Groß-Umstadt"
    assert amt["Land/Region geschäftlich"] == "Deutschland"
    notes = amt["Notizen"].split("\r\n")
    assert notes[0] == "Themen: SGB II, Teil 1, Back\\slash"
    assert "- Zeile eins Zeile zwei; mit, Zeichen\\" in notes
    assert (unit["Firma"], unit["Abteilung"]) == ("'=Amt; für, Test\\Back", "Unterabteilung Zwei")


def test_outlook_rejects_other_languages(bundled: Directory) -> None:
    with pytest.raises(ValueError, match="fr"):
        outlook_csv(bundled, [], [], "fr")


def test_outlook_without_contacts_is_the_header(bundled: Directory) -> None:
    header, rows = read_outlook(outlook_csv(bundled, [], [], "en"))
    assert (header, rows) == (OUTLOOK_EN, [])


@pytest.mark.parametrize(
    ("text", "fitted"),
    [
        ("Wißmeier Öl €5 „Zitat“ – ›", "Wißmeier Öl €5 „Zitat“ – ›"),  # all in Windows-1252
        ("Łucja Wałęsa", "Lucja Walesa"),
        ("Ștefan Dvořák Őry", "Stefan Dvorák Ory"),  # á is in Windows-1252
        ("Straße −1 ‑ ﬁ", "Straße -1 - fi"),
        ("Tel. ☎ 🙂 名", "Tel. ? ? ?"),
    ],
)
def test_fit_cp1252(text: str, fitted: str) -> None:
    assert fit_cp1252(text) == fitted
    fitted.encode("cp1252")


# -- Google --------------------------------------------------------------------------------


def test_google_header_and_encoding(bundled: Directory) -> None:
    data = google_csv(bundled, everyone(bundled), [])
    header, rows = read_google(data)
    assert header == google_header(emails=1, phones=1, websites=1)
    assert len(rows) == 9
    assert not data.startswith(b"\xef\xbb\xbf")
    assert data.endswith(b"\r\n")
    assert "Wißmeier".encode() in data  # UTF-8


def test_google_rows(bundled: Directory) -> None:
    _, rows = read_google(google_csv(bundled, everyone(bundled), []))
    by_name = {row["Last Name"]: row for row in rows}
    rena = by_name["Wißmeier"]
    assert rena["First Name"] == "Rena"
    assert rena["Middle Name"] == rena["File As"] == ""
    assert rena["Name Prefix"] == "Frau"
    assert by_name["Würfel"]["Name Prefix"] == ""
    assert rena["Organization Name"] == "Hessischer Städtetag"
    assert rena["Organization Department"] == "Regiestelle SGB II"
    assert rena["Organization Title"] == "Regiestelle SGB II"
    assert rena["Labels"] == "* myContacts ::: HStT"
    assert (rena["E-mail 1 - Label"], rena["E-mail 1 - Value"]) == (
        "Work",
        "wissmeier@hess-staedtetag.de",
    )
    assert (rena["Phone 1 - Label"], rena["Phone 1 - Value"]) == ("Work", "+49 611 1702-25")
    assert rena["Address 1 - Label"] == "Work"
    assert rena["Address 1 - Formatted"] == "Frankfurter Straße 2\n65189 Wiesbaden"
    assert rena["Address 1 - Street"] == "Frankfurter Straße 2"
    assert rena["Address 1 - City"] == "Wiesbaden"
    assert rena["Address 1 - Postal Code"] == "65189"
    assert rena["Address 1 - Country"] == rena["Address 1 - Region"] == ""
    assert (rena["Website 1 - Label"], rena["Website 1 - Value"]) == (
        "Work",
        "https://www.hess-staedtetag.de",
    )
    assert rena["Notes"].startswith("Themen: SGB II, SGB III")
    assert "\nAufgaben (Regiestelle SGB II):\n" in rena["Notes"]

    werle = by_name["Werle"]
    assert werle["Organization Name"] == "Main-Taunus-Kreis"
    assert werle["Labels"] == "* myContacts ::: AK Option ::: DLT ::: AG KJC"
    for column in ("E-mail 1 - Label", "E-mail 1 - Value", "Phone 1 - Label", "Phone 1 - Value"):
        assert werle[column] == ""
    assert werle["Address 1 - Label"] == werle["Address 1 - Street"] == ""
    assert werle["Notes"].split("\n")[1] == (
        "Auch: Sprecher der hessischen AG KJC, Arbeitsgemeinschaft der Kommunalen Jobcenter"
    )


def test_google_numbered_columns_grow_with_the_widest_contact() -> None:
    many = Person(
        id="viele",
        given_name="Vera",
        family_name="Viel",
        affiliations=(Affiliation("amt", "Leitung"),),
        phones=(phone("+49 611 1702-20"), phone("+49 611 1702-21"), phone("+49 611 1702-22")),
        emails=("v1@example.org", "v2@example.org"),
        websites=("https://a.example", "https://b.example", "https://c.example", "https://d"),
    )
    few = Person(id="wenig", given_name=None, family_name="Wenig")
    directory = small_directory(many, few)
    header, rows = read_google(google_csv(directory, [many, few], []))
    assert header == google_header(emails=2, phones=3, websites=4)
    vera, wenig = rows
    assert [vera[f"Phone {n} - Value"] for n in (1, 2, 3)] == [
        "+49 611 1702-20",
        "+49 611 1702-21",
        "+49 611 1702-22",
    ]
    assert {vera[f"Phone {n} - Label"] for n in (1, 2, 3)} == {"Work"}
    assert [vera[f"E-mail {n} - Value"] for n in (1, 2)] == ["v1@example.org", "v2@example.org"]
    assert [vera[f"Website {n} - Value"] for n in (1, 2, 3, 4)] == list(many.websites)
    assert vera["Notes"] == ""  # nothing overflows: every value has its column
    assert vera["Address 1 - Country"] == "Deutschland"
    assert vera["Address 1 - Formatted"] == "Weg 1\n12345 Stadt\nDeutschland"
    assert all(wenig[name] == "" for name in header if name not in ("Last Name", "Labels"))
    assert wenig["Labels"] == "* myContacts"


def test_google_organisations_are_companies(bundled: Directory) -> None:
    orgs = [bundled.organizations[i] for i in ("hstt", "dlt")]
    header, rows = read_google(google_csv(bundled, [], orgs))
    assert header == google_header(emails=1, phones=1, websites=3)
    hstt, dlt = rows
    for row in rows:
        assert row["First Name"] == row["Last Name"] == row["Organization Title"] == ""
    assert (hstt["Organization Name"], hstt["Organization Department"]) == (
        "Hessischer Städtetag",
        "",
    )
    assert hstt["Labels"] == "* myContacts ::: HStT"
    assert hstt["Address 1 - Street"] == "Frankfurter Straße 2"
    assert hstt["Notes"].startswith("Der HStT ist der Vertreter von 74 hessischen Städten")
    assert [dlt[f"Website {n} - Value"] for n in (1, 2, 3)] == [
        "https://www.kreise.de",
        "https://www.kommunenfuerarbeit.de",
        "https://www.kommunale-jobcenter.de",
    ]
    assert dlt["Address 1 - Label"] == ""  # the DLT has no address


def test_google_hostile_values_are_inert(hostile: Directory) -> None:
    orgs = list(hostile.organizations.values())
    data = google_csv(hostile, everyone(hostile), orgs)
    header, rows = read_google(data)
    assert header == google_header(emails=2, phones=2, websites=1)
    person, long, nobody, amt, unit = rows
    assert person["Last Name"] == '\'=HYPERLINK("http://evil")'
    assert person["First Name"] == "Zoë Ärger"
    assert person["Organization Name"] == "'=Amt; für, Test\\Back"
    assert person["Organization Department"] == "Unterabteilung Zwei"
    assert person["Organization Title"] == (
        "'+Leiter; Stellvertretung, kommissarisch zweite Zeile [31mrot"
    )
    assert [person["Phone 1 - Value"], person["Phone 2 - Value"]] == [
        "+49 611 1706-69",
        "+49 6078 123-45",
    ]
    assert [person["E-mail 1 - Value"], person["E-mail 2 - Value"]] == [
        "'=1+2@example.org",
        "zoe@example.org",
    ]
    assert person["Labels"] == "* myContacts ::: A;B"
    assert person["Address 1 - Street"] == "Weg 1; Hinterhaus, 2. OG"
    assert person["Website 1 - Value"] == "https://example.org/a,b;c"
    assert person["Notes"].split("\n")[0] == "Auch: @Beirat, =Amt; für, Test\\Back"
    assert long["First Name"] == "Łucja"  # UTF-8 keeps every letter
    assert long["Last Name"] == LONG_NAME
    assert long["Organization Title"] == "'-Referentin"
    assert nobody["Last Name"] == "Ohnekontakt"
    assert amt["Organization Name"] == "'=Amt; für, Test\\Back"
    assert (unit["Organization Name"], unit["Organization Department"]) == (
        "'=Amt; für, Test\\Back",
        "Unterabteilung Zwei",
    )
    assert b"\x1b" not in data
    for row in rows:
        for cell in row.values():
            assert defuse_for_programs(cell) == cell, cell


def test_google_labels_cannot_break_the_separator() -> None:
    org = Organization(id="x", name="X", short="A ::: B")
    person = Person(id="p", given_name="P", family_name="Q", affiliations=(Affiliation("x"),))
    _, rows = read_google(google_csv(small_directory(person, orgs=(org,)), [person], []))
    assert rows[0]["Labels"] == "* myContacts ::: A B"


# -- formula safety ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell",
    [
        "",
        "Müller",
        "a=b",
        " =1+1",  # not at the start
        "'=1+1",  # already defused
        "+49 611 1702-25",
        "+49611170225",
        "+49 (0)611 1702-25",
        "-5",
        "+3.5",
        "-1,5",
        "+1.000,50",
        "+49 611 1706-69, +49 6078 123-45",  # several numbers in one cell (plain CSV)
        "* myContacts ::: HLT",
    ],
)
def test_defuse_for_programs_leaves_inert_cells_alone(cell: str) -> None:
    assert defuse_for_programs(cell) == cell


@pytest.mark.parametrize(
    "cell",
    [
        "=1+1",
        '=HYPERLINK("http://evil","klick")',
        "@SUM(A1)",
        "\t=1",
        "\r=1",
        "+SUM(A1)",
        "-cmd|' /C calc'!A0",
        "-2+3",
        "+49 611 1702-25 abends",
        "- Aufgabe",
        "+1e5",
        "++1",
        "-=1",
        "+\t1",
        "+٣",  # a digit, but not an ASCII one
        "+A1",
        "+",
        "-",
    ],
)
def test_defuse_for_programs_defuses_formulas(cell: str) -> None:
    assert defuse_for_programs(cell) == "'" + cell


# -- round trip ----------------------------------------------------------------------------

ROUND_TRIP = settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TRICKY = st.sampled_from(
    ["=", "+", "-", "@", "\t", "\r", "\n", "\r\n", '"', ",", ";", "'", "\x1b", "\x00", "\x85",
     "\u2028", " ", "ß", "€", "›", "Ł", "🙂", "+49 611 1702-25", "SUM(A1)", "\\"]
)  # fmt: skip
TEXT = st.lists(st.one_of(TRICKY, st.text(max_size=4)), max_size=6).map("".join)


C0_C1 = {*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F, *range(0x80, 0xA0)}


def flattened(text: str) -> str:
    """The text on one line, as a reader of the row expects it: control characters gone,
    each run of white space one space (written here independently of the module)."""
    return " ".join("".join(char for char in text if ord(char) not in C0_C1).split())


def check_cell(cell: str, text: str, windows_1252: bool) -> None:
    """The cell holds the text, flattened, perhaps with an apostrophe before a formula."""
    assert "\n" not in cell and "\r" not in cell
    if windows_1252:
        cell.encode("cp1252")  # never more than Outlook reads
    defused = cell.startswith("'") and cell[1:2] in ("=", "+", "-", "@")
    if not defused:
        assert not cell.startswith(("=", "@", "\t", "\r")), cell
        if cell.startswith(("+", "-")):  # only a number or a phone number may stay so
            assert set(cell) <= set("0123456789 ()./,-+"), cell
    wanted = flattened(text)

    def holds(value: str) -> bool:
        if windows_1252 and not wanted.isascii():
            return len(value) == len(wanted)  # one letter for one
        return value == wanted

    assert holds(cell) or (defused and holds(cell[1:])), (cell, wanted)


@ROUND_TRIP
@given(given_name=TEXT, family=TEXT, role=TEXT, org_name=TEXT, email=TEXT)
def test_every_value_comes_back_as_one_inert_line(
    given_name: str, family: str, role: str, org_name: str, email: str
) -> None:
    org = Organization(id="o", name=org_name)
    person = Person(
        id="p",
        given_name=given_name,
        family_name=family,
        affiliations=(Affiliation("o", role),),
        emails=(email,),
    )
    directory = Directory(Meta(), {"o": org}, People([person]))

    _, (row,) = read_google(google_csv(directory, [person], []))
    check_cell(row["First Name"], given_name, windows_1252=False)
    check_cell(row["Last Name"], family, windows_1252=False)
    check_cell(row["Organization Title"], role, windows_1252=False)
    check_cell(row["Organization Name"], org_name, windows_1252=False)
    check_cell(row["E-mail 1 - Value"], email, windows_1252=False)

    for lang in OUTLOOK_LANGS:
        _, (out,) = read_outlook(outlook_csv(directory, [person], [], lang))
        cells = list(out.values())
        check_cell(cells[1], given_name, windows_1252=True)
        check_cell(cells[3], family, windows_1252=True)
        check_cell(cells[5], org_name, windows_1252=True)
        check_cell(cells[7], role, windows_1252=True)
        check_cell(out[EMAIL_COLUMNS[lang][0]], email, windows_1252=True)


# -- through the command line -------------------------------------------------------------


def test_outlook_through_the_cli_follows_the_locale_and_lang(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    german = cli("export", "--all", "-f", "outlook", env={"LANG": "de_DE.UTF-8"})
    assert german.exit_code == 0, german.stderr
    assert german.stdout_bytes.startswith(b'"Anrede","Vorname",')
    assert "Wißmeier".encode("cp1252") in german.stdout_bytes
    english = cli("export", "--all", "-f", "outlook", "--lang", "en", env={"LANG": "de_DE"})
    assert english.stdout_bytes.startswith(b'"Title","First Name",')
    target = tmp_path / "outlook.csv"
    written = cli("export", "--org", "HLT", "-f", "outlook", "-o", str(target))
    assert written.exit_code == 0, written.stderr
    rows = list(csv.reader(io.StringIO(target.read_bytes().decode("cp1252"), newline="")))
    assert [row[3] for row in rows[1:]] == ["Brennert", "Würfel"]


def test_outlook_says_which_contacts_lost_letters(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = hostile_file(tmp_path)
    result = cli("--data", str(data), "--no-bundled", "export", "--all", "-f", "outlook")
    assert result.exit_code == 0
    assert result.stderr.splitlines()[0] == (
        "kjcdir: Outlook reads Windows-1252, which lacks some letters of 1 contact "
        f"(Łucja {LONG_NAME}); they are written as the nearest letter (Ł as L) or '?'."
    )
    assert "Lucja".encode("cp1252") in result.stdout_bytes
    clean = cli("export", "--all", "-f", "outlook")
    assert clean.stderr == ""


def test_google_through_the_cli(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("export", "wissmeier", "-f", "google")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout_bytes.decode("utf-8"), newline="")))
    assert [(row["First Name"], row["Phone 1 - Value"]) for row in rows] == [
        ("Rena", "+49 611 1702-25")
    ]
    assert cli("export", "--all", "-f", "google", "--lang", "de").exit_code == 2


def test_outlooks_note_follows_a_successful_write_only(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = hostile_file(tmp_path)
    target = tmp_path / "exists.csv"
    target.write_text("mine")
    args = ["--data", str(data), "--no-bundled", "export", "--all", "-f", "outlook"]
    refused = cli(*args, "-o", str(target))
    assert refused.exit_code == 2
    assert refused.stderr == f"kjcdir: {target} exists already; add --force to replace it.\n"
    written = cli(*args, "-o", str(target), "--force")
    assert written.exit_code == 0
    assert written.stderr.splitlines()[0].startswith("kjcdir: Outlook reads Windows-1252")
    assert written.stderr.splitlines()[1] == f"kjcdir: wrote 3 contacts to {target}."


def test_outlook_drops_invisible_characters_before_fitting_them(tmp_path: Path) -> None:
    """What every format drops (C1 controls, line separators) is no lost letter."""
    person = Person(id="p", given_name="Anna\x85", family_name="Eins\u2028Zwei")
    directory = small_directory(person)
    changed: list[str] = []
    data = outlook_csv(directory, [person], [], "de", changed)
    row = list(csv.reader(io.StringIO(data.decode("cp1252"), newline="")))[1]
    assert row[1] == "Anna" and row[3] == "Eins Zwei"
    assert changed == []
