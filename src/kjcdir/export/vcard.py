"""vCards of people and organisations, built with vobject (SPEC 4).

vCard 3.0 (RFC 2426) by default, 4.0 (RFC 6350) on request. vobject does the escaping
(`\\,` `\\;` `\\\\` `\\n`) and folds lines at 75 octets without splitting a character.
The content depends on the data alone, never on the clock, the locale or kjcdir's
version, so that a vdir written twice from the same data stays byte for byte the same
and a sync tool uploads nothing.
"""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from kjcdir.export.clean import drop_controls, unique
from kjcdir.model import Address, Directory, Organization, Person, Phone

VERSIONS = ("3.0", "4.0")
DEFAULT_VERSION = "3.0"

# The namespace of kjcdir's UIDs: uuid5(NAMESPACE, id). Never change it: address books
# recognise a re-imported contact by its UID and would otherwise duplicate every card.
NAMESPACE = uuid.UUID("0f3c6a52-3b8e-5d1c-9a47-6b6a63646972")

# Without kjcdir's version: an upgrade alone must not rewrite every card of a vdir.
PRODID = "-//kjcdir//Kontaktverzeichnis Kommunale Jobcenter Hessen//DE"


def uid(entry_id: str) -> str:
    """The contact's UID: the same in every export, in 3.0 and 4.0."""
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, entry_id)}"


def is_own_card(data: bytes, entry_id: str) -> bool:
    """Whether data is one vCard that kjcdir wrote for this id: kjcdir's PRODID, and the UID
    kjcdir gives that id (SPEC 4). Only such a file in a vdir is kjcdir's to replace."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    cards = 0
    values: dict[str, list[str]] = {"PRODID": [], "UID": []}
    # RFC 6350 3.2: a line break followed by a space or tab continues the line
    for line in re.sub(r"\r?\n[ \t]", "", text).splitlines():
        name, colon, value = line.partition(":")
        if not colon:
            continue
        name = name.split(";", 1)[0].rsplit(".", 1)[-1].strip().upper()  # no group, no params
        if name == "BEGIN" and value.strip().upper() == "VCARD":
            cards += 1
        elif name in values:
            values[name].append(value.strip())
    return cards == 1 and values == {"PRODID": [PRODID], "UID": [uid(entry_id)]}


def person_card(
    directory: Directory, person: Person, version: str = DEFAULT_VERSION, compact: bool = False
) -> str:
    """One person's vCard, with CRLF line ends.

    `compact` leaves out what a phone scanning a QR code does not need (NOTE, CATEGORIES,
    REV, PRODID), so that the code stays small enough to scan from a screen. The UID stays:
    with it, a scanned contact is the same contact as the one a CardDAV sync brings.
    """
    card = _Card(version, person.id, directory.meta.as_of, compact, kind="individual")
    card.text("fn", person.name)
    card.name(person.family_name, person.given_name or "", person.salutation or "")
    first = person.first_affiliation
    if first is not None:
        card.org(directory.org_path(first.org_id))
        if first.role:
            card.text("title", first.role)
    card.phones(person.phones)
    card.emails(person.emails)
    card.address(directory.address_of(person))
    card.urls(websites_of(directory, person))
    if not compact:
        card.categories([*topics_of(directory, person), *shorts_of(directory, person)])
        card.note(_person_note(directory, person))
    return card.serialize()


def org_card(
    directory: Directory, org: Organization, version: str = DEFAULT_VERSION, compact: bool = False
) -> str:
    """An organisation's own vCard (KIND:org in 4.0; shown as a company by Apple in 3.0)."""
    card = _Card(version, org.id, directory.meta.as_of, compact, kind="org")
    path = directory.org_path(org.id)
    card.text("fn", " – ".join(path) if path else org.name)
    if not card.v4:
        card.name("", "")  # N is required in 3.0; an organisation has none
        card.text("x-abshowas", "COMPANY")
    card.org(path or (org.name,))
    card.phones(org.phones)
    card.emails(org.emails)
    card.address(org.address)
    card.urls(org.websites)
    if not compact:
        card.categories([*org.topics, *(o.short for o in directory.chain(org.id) if o.short)])
        card.note(_org_note(org))
    return card.serialize()


def cards(
    directory: Directory,
    people: Iterable[Person],
    organizations: Iterable[Organization] = (),
    version: str = DEFAULT_VERSION,
) -> str:
    """The cards of the people, then of the organisations, one after the other."""
    texts = [person_card(directory, person, version) for person in people]
    texts += [org_card(directory, org, version) for org in organizations]
    return "".join(texts)


def websites_of(directory: Directory, person: Person) -> tuple[str, ...]:
    """The person's websites, else the nearest ones up the first affiliation's chain."""
    if person.websites or not person.affiliations:
        return person.websites
    for org in directory.chain(person.affiliations[0].org_id):
        if org.websites:
            return org.websites
    return ()


def topics_of(directory: Directory, person: Person) -> list[str]:
    """The person's topics, then those of the organisations they belong to, each once."""
    topics = list(person.topics)
    for aff in person.affiliations:
        org = directory.organizations.get(aff.org_id)
        if org is not None:
            topics.extend(org.topics)
    return unique(topics)


def shorts_of(directory: Directory, person: Person) -> list[str]:
    """The shorts (HLT, HStT, …) of the bodies the person belongs to, up every chain."""
    return [
        org.short for aff in person.affiliations for org in directory.chain(aff.org_id) if org.short
    ]


def _person_note(directory: Directory, person: Person) -> str:
    lines = [f"Auch: {directory.affiliation_text(aff)}" for aff in person.affiliations[1:]]
    for aff in person.affiliations:
        org = directory.organizations.get(aff.org_id)
        if org is not None and org.tasks:
            lines.append(f"Aufgaben ({org.name}):")
            lines.extend(f"- {task}" for task in org.tasks)
    return "\n".join(lines)


def _org_note(org: Organization) -> str:
    lines = [org.description] if org.description else []
    if org.tasks:
        lines.append("Aufgaben:")
        lines.extend(f"- {task}" for task in org.tasks)
    return "\n".join(lines)


def _rev(as_of: str, v4: bool) -> str | None:
    """meta.as_of as the card's REV: 3.0 takes ISO 8601 extended, 4.0 the basic form."""
    try:
        day = datetime.date.fromisoformat(as_of.strip()[:10])
    except ValueError:
        return None
    return day.strftime("%Y%m%dT000000Z" if v4 else "%Y-%m-%dT00:00:00Z")


class _Card:
    """A vobject vCard being filled; every value passes drop_controls on its way in."""

    def __init__(self, version: str, entry_id: str, as_of: str, compact: bool, kind: str) -> None:
        import vobject

        if version not in VERSIONS:
            raise ValueError(f"vCard version {version!r} is not one of {VERSIONS}")
        self.v4 = version == "4.0"
        self.card: Any = vobject.vCard()
        self.text("version", version)
        if self.v4:
            self.text("kind", kind)
        self.text("uid", uid(entry_id))
        if not compact:
            self.text("prodid", PRODID)
            rev = _rev(as_of, self.v4)
            if rev is not None:
                self.text("rev", rev)

    def add(self, name: str, content: object, types: Sequence[str] = (), **params: str) -> None:
        line = self.card.add(name)
        line.value = content
        if types:
            line.params["TYPE"] = [kind.lower() if self.v4 else kind.upper() for kind in types]
        for param, param_value in params.items():
            line.params[param.upper()] = [param_value]

    def text(self, name: str, value: str, types: Sequence[str] = ()) -> None:
        self.add(name, drop_controls(value), types)

    def name(self, family: str, given: str, prefix: str = "") -> None:
        """N: family and given name, and the salutation as the honorific prefix."""
        from vobject.vcard import Name

        value = Name(
            family=drop_controls(family), given=drop_controls(given), prefix=drop_controls(prefix)
        )
        self.add("n", value)

    def org(self, path: Sequence[str]) -> None:
        if path:
            self.add("org", [drop_controls(part) for part in path])

    def phones(self, phones: Sequence[Phone]) -> None:
        for phone in phones:
            if self.v4:  # RFC 6350 6.4.1: a tel: URI
                self.add("tel", f"tel:{phone.e164}", ("work", "voice"), value="uri")
            else:
                self.add("tel", phone.e164, ("WORK", "VOICE"))

    def emails(self, emails: Sequence[str]) -> None:
        # INTERNET is a vCard 3.0 type; RFC 6350 dropped it.
        types = ("work",) if self.v4 else ("INTERNET", "WORK")
        for email in emails:
            self.text("email", email, types)

    def address(self, address: Address | None) -> None:
        if address is None:
            return
        from vobject.vcard import Address as VAddress

        value = VAddress(
            street=drop_controls(address.street or ""),
            city=drop_controls(address.city or ""),
            code=drop_controls(address.postal_code or ""),
            country=drop_controls(address.country or ""),
        )
        self.add("adr", value, ("WORK",))

    def urls(self, urls: Sequence[str]) -> None:
        for url in urls:
            self.text("url", url)

    def categories(self, values: Iterable[str]) -> None:
        kept = unique(drop_controls(value) for value in values)
        if kept:
            self.add("categories", kept)

    def note(self, text: str) -> None:
        if text:
            self.text("note", text)

    def serialize(self) -> str:
        return str(self.card.serialize())
