"""What `kjcdir export` writes: the options checked together, and the bytes of each format."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

from kjcdir.errors import KjcdirError
from kjcdir.model import Directory, Organization, Person

FORMATS = ("vcard", "csv", "json", "xlsx", "outlook", "google", "ldif")
VCARD_VERSIONS = ("3.0", "4.0")
LANGS = ("de", "en")
_ENDINGS = {
    ".vcf": "vcard",
    ".vcard": "vcard",
    ".csv": "csv",
    ".json": "json",
    ".xlsx": "xlsx",
    ".ldif": "ldif",
}
# Formats that need -o: their bytes are no text (written to a file, or to a pipe with -o -).
BINARY_FORMATS = ("xlsx",)
# What each format not fit for a terminal is, for the sentence that refuses to print it there:
# Windows-1252 has bytes (0x9B, CSI) that an 8-bit terminal takes for an escape sequence.
NOT_FOR_TERMINALS = {"xlsx": "a binary workbook", "outlook": "Windows-1252 text"}


def writes_organizations(format_name: str) -> bool:
    """Whether the format writes the organisations it is given (CSV holds people only)."""
    return format_name != "csv"


LABELLED_FORMATS = ("xlsx", "outlook")  # headers in English or German (--lang)


class ExportRequest(NamedTuple):
    format: str  # one of FORMATS
    version: str  # vCard version
    excel: bool  # CSV for German Excel
    lang: str  # de or en: the headers of outlook and xlsx
    base: str = ""  # the base DN of an LDIF export

    @classmethod
    def from_options(
        cls,
        format_name: str | None,
        output: Path | None,
        vdir: Path | None,
        vcard_version: str | None,
        excel: bool,
        with_orgs: bool,
        lang: str | None = None,
        prune: bool = False,
        base: str | None = None,
    ) -> ExportRequest:
        """Check the export options against each other; one sentence for what does not fit."""
        fmt = _format(format_name, output, vdir)
        if vdir is not None and output is not None:
            raise KjcdirError("Give -o FILE or --vdir DIR, not both.")
        if vdir is not None and fmt != "vcard":
            raise KjcdirError("--vdir writes vCards; leave out --format or give --format vcard.")
        if prune and vdir is None:
            raise KjcdirError("--prune removes stale cards from a vdir; add --vdir DIR.")
        if excel and fmt != "csv":
            raise KjcdirError("--excel shapes CSV; add --format csv.")
        if vcard_version is not None and fmt != "vcard":
            raise KjcdirError("--vcard-version is for vCards; leave it out or give --format vcard.")
        version = vcard_version or "3.0"
        if version not in VCARD_VERSIONS:
            raise KjcdirError(f"--vcard-version takes 3.0 or 4.0, not '{vcard_version}'.")
        if with_orgs and fmt == "csv":
            raise KjcdirError(
                "CSV holds people only; --with-orgs works with vcard, json, outlook and google "
                "(xlsx always has a sheet of organisations)."
            )
        if lang is not None and fmt not in LABELLED_FORMATS:
            raise KjcdirError("--lang chooses the headers of outlook and xlsx; leave it out.")
        if fmt in BINARY_FORMATS and output is None:
            raise KjcdirError(f"{fmt} is a binary file; give -o FILE.{fmt} (or -o - for a pipe).")
        if fmt == "ldif":
            if base is None:
                raise KjcdirError(
                    "LDIF entries need the DN they go under: add --base, such as "
                    "--base ou=jobcenter,dc=example,dc=org."
                )
            from kjcdir.ldap.entries import checked_base

            base = checked_base(base)
        elif base is not None:
            raise KjcdirError("--base is the DN of an LDIF export; add --format ldif.")
        return cls(fmt, version, excel, _lang(lang), base or "")


def _format(name: str | None, output: Path | None, vdir: Path | None) -> str:
    """--format, else what -o's ending says, else vCard."""
    if name is not None:
        fmt = name.strip().lower()
        if fmt not in FORMATS:
            choices = f"{', '.join(FORMATS[:-1])} or {FORMATS[-1]}"
            raise KjcdirError(f"--format takes {choices}, not '{name}'.")
        return fmt
    if output is not None and vdir is None:
        return _ENDINGS.get(output.suffix.lower(), "vcard")
    return "vcard"


def _lang(name: str | None) -> str:
    """--lang, else German where the locale is German, else English."""
    if name is None:
        from kjcdir.output.text import is_german

        return "de" if is_german() else "en"
    lang = name.strip().lower()
    if lang not in LANGS:
        raise KjcdirError(f"--lang takes de or en, not '{name}'.")
    return lang


def vcard_files(
    directory: Directory, people: Sequence[Person], orgs: Sequence[Organization], version: str
) -> Iterator[tuple[str, bytes]]:
    """`<id>.vcf` and its card, one at a time: a vdir of 100,000 is not held in memory."""
    from kjcdir.export import vcard

    for person in people:
        yield f"{person.id}.vcf", vcard.person_card(directory, person, version).encode()
    for org in orgs:
        yield f"{org.id}.vcf", vcard.org_card(directory, org, version).encode()


class CardNames:
    """The card names `<id>.vcf` of every contact the directory has a card for, as a
    container: what a vdir export may keep although it did not write it now. An
    organisation has a card only while it has contact data of its own (as --with-orgs
    writes them): one whose last phone was removed must not keep it on the phones."""

    def __init__(self, directory: Directory) -> None:
        self.directory = directory

    def __contains__(self, name: object) -> bool:
        from kjcdir.export.selection import has_contact_data

        if not isinstance(name, str) or not name.endswith(".vcf"):
            return False
        entry_id = name[: -len(".vcf")]
        if entry_id in self.directory.people:
            return True
        org = self.directory.organizations.get(entry_id)
        return org is not None and has_contact_data(org)


def is_own_card(name: str, data: bytes) -> bool:
    """Whether the file `<id>.vcf` of a vdir holds kjcdir's own card of that id."""
    from kjcdir.export import vcard
    from kjcdir.rules import is_id

    # A name that is no id (another program's, or not even UTF-8) is never kjcdir's card.
    entry_id = name[: -len(".vcf")]
    return name.endswith(".vcf") and is_id(entry_id) and vcard.is_own_card(data, entry_id)


def export_bytes(
    directory: Directory,
    request: ExportRequest,
    people: Sequence[Person],
    orgs: Sequence[Organization],
    notes: list[str] | None = None,
) -> bytes:
    """The whole export in the requested format; what the user should know of it (values
    that the format could not hold as they are) is added to `notes`."""
    if request.format == "vcard":
        from kjcdir.export import vcard

        return vcard.cards(directory, people, orgs, request.version).encode()
    if request.format == "csv":
        from kjcdir.export import csvfile

        return csvfile.to_csv(directory, people, request.excel).encode()
    if request.format == "xlsx":
        from kjcdir.export import xlsx

        return xlsx.workbook(directory, people, orgs, request.lang)
    if request.format == "outlook":
        from kjcdir.export import addressbooks

        changed: list[str] = []
        data = addressbooks.outlook_csv(directory, people, orgs, request.lang, changed)
        if changed and notes is not None:
            notes.append(_cp1252_note(changed))
        return data
    if request.format == "google":
        from kjcdir.export import addressbooks

        return addressbooks.google_csv(directory, people, orgs)
    if request.format == "ldif":
        from kjcdir.ldap import ldif
        from kjcdir.ldap.entries import directory_entries, mail_note

        note = mail_note([*people, *orgs])
        if note is not None and notes is not None:
            notes.append(note)
        return ldif.content(directory_entries(directory, people, orgs, request.base)).encode()
    from kjcdir.output import views
    from kjcdir.output.emit import to_json

    objects = [views.person_object(directory, person) for person in people]
    objects += [views.org_object(directory, org) for org in orgs]
    return (to_json(objects) + "\n").encode()


def _cp1252_note(names: Sequence[str]) -> str:
    from kjcdir.output.text import inert

    shown = ", ".join(inert(name) for name in names[:5])
    more = f" and {len(names) - 5} more" if len(names) > 5 else ""
    contacts = "1 contact" if len(names) == 1 else f"{len(names)} contacts"
    return (
        f"Outlook reads Windows-1252, which lacks some letters of {contacts} ({shown}{more}); "
        "they are written as the nearest letter (Ł as L) or '?'."
    )
