"""What `kjcdir export` writes: the options checked together, and the bytes of each format."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

from kjcdir.errors import KjcdirError
from kjcdir.model import Directory, Organization, Person

FORMATS = ("vcard", "csv", "json")
VCARD_VERSIONS = ("3.0", "4.0")
_ENDINGS = {".vcf": "vcard", ".vcard": "vcard", ".csv": "csv", ".json": "json"}


class ExportRequest(NamedTuple):
    format: str  # vcard, csv or json
    version: str  # vCard version
    excel: bool  # CSV for German Excel

    @classmethod
    def from_options(
        cls,
        format_name: str | None,
        output: Path | None,
        vdir: Path | None,
        vcard_version: str | None,
        excel: bool,
        with_orgs: bool,
    ) -> ExportRequest:
        """Check the export options against each other; one sentence for what does not fit."""
        fmt = _format(format_name, output, vdir)
        if vdir is not None and output is not None:
            raise KjcdirError("Give -o FILE or --vdir DIR, not both.")
        if vdir is not None and fmt != "vcard":
            raise KjcdirError("--vdir writes vCards; leave out --format or give --format vcard.")
        if excel and fmt != "csv":
            raise KjcdirError("--excel shapes CSV; add --format csv.")
        if vcard_version is not None and fmt != "vcard":
            raise KjcdirError("--vcard-version is for vCards; leave it out or give --format vcard.")
        version = vcard_version or "3.0"
        if version not in VCARD_VERSIONS:
            raise KjcdirError(f"--vcard-version takes 3.0 or 4.0, not '{vcard_version}'.")
        if with_orgs and fmt == "csv":
            raise KjcdirError("CSV holds people only; --with-orgs works with vcard and json.")
        return cls(fmt, version, excel)


def _format(name: str | None, output: Path | None, vdir: Path | None) -> str:
    """--format, else what -o's ending says, else vCard."""
    if name is not None:
        fmt = name.strip().lower()
        if fmt not in FORMATS:
            raise KjcdirError(f"--format takes vcard, csv or json, not '{name}'.")
        return fmt
    if output is not None and vdir is None:
        return _ENDINGS.get(output.suffix.lower(), "vcard")
    return "vcard"


def vcard_files(
    directory: Directory, people: Sequence[Person], orgs: Sequence[Organization], version: str
) -> Iterator[tuple[str, bytes]]:
    """`<id>.vcf` and its card, one at a time: a vdir of 100,000 is not held in memory."""
    from kjcdir.export import vcard

    for person in people:
        yield f"{person.id}.vcf", vcard.person_card(directory, person, version).encode()
    for org in orgs:
        yield f"{org.id}.vcf", vcard.org_card(directory, org, version).encode()


def is_own_card(name: str, data: bytes) -> bool:
    """Whether the file `<id>.vcf` of a vdir holds kjcdir's own card of that id."""
    from kjcdir.export import vcard

    return name.endswith(".vcf") and vcard.is_own_card(data, name[: -len(".vcf")])


def export_bytes(
    directory: Directory,
    request: ExportRequest,
    people: Sequence[Person],
    orgs: Sequence[Organization],
) -> bytes:
    """The whole export in the requested format."""
    if request.format == "vcard":
        from kjcdir.export import vcard

        return vcard.cards(directory, people, orgs, request.version).encode()
    if request.format == "csv":
        from kjcdir.export import csvfile

        return csvfile.to_csv(directory, people, request.excel).encode()
    from kjcdir.output import views
    from kjcdir.output.emit import to_json

    objects = [views.person_object(directory, person) for person in people]
    objects += [views.org_object(directory, org) for org in orgs]
    return (to_json(objects) + "\n").encode()
