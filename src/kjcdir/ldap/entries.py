"""The LDAP entries of the directory, and how kjcdir recognises its own.

The tree under the base DN the user gives:

    ou=people,BASE              organizationalUnit
        uid=<person id>         inetOrgPerson
    ou=organizations,BASE       organizationalUnit
        uid=<organisation id>   organization + extensibleObject

The ids are the YAML's, so an entry keeps its DN across every export and sync. Every
entry kjcdir writes carries MARKER in `description`: that is how a sync knows which
entries are its own, and why it refuses a base that holds others.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from typing import NamedTuple

from kjcdir.export.clean import one_line, unique
from kjcdir.model import Address, Directory, Organization, Person

# Never change it: a sync recognises the entries it wrote by this exact value.
MARKER = "kjcdir: written from the YAML directory; edits here are undone by the next sync"

PEOPLE = "people"
ORGANIZATIONS = "organizations"

_PERSON_CLASSES = ("top", "person", "organizationalPerson", "inetOrgPerson")
# `organization` has no mail, cn or labeledURI; extensibleObject (RFC 4512 4.3, built
# into OpenLDAP) allows them, so that address books and phones find a body as a contact.
_ORG_CLASSES = ("top", "organization", "extensibleObject")
_UNIT_CLASSES = ("top", "organizationalUnit")

# Attributes whose equality rule is exact (labeledURI: caseExactMatch) or whose values
# are already canonical (E.164): duplicates are removed exactly, the rest ignoring case.
_EXACT = frozenset({"telephoneNumber", "labeledURI"})


class Entry(NamedTuple):
    dn: str
    attributes: dict[str, tuple[str, ...]]  # canonical names, in the order written

    @property
    def is_own(self) -> bool:
        return MARKER in values_of(self.attributes, "description")


def values_of(attributes: dict[str, tuple[str, ...]], name: str) -> tuple[str, ...]:
    """An attribute's values, whatever the case of its name (LDAP names ignore case)."""
    wanted = name.lower()
    for key, values in attributes.items():
        if key.lower() == wanted:
            return values
    return ()


def checked_base(base: str) -> str:
    """The base DN in its plain RFC 4514 form, if it is a DN; else one sentence. Spaces
    around `,`, `+` and `=` (as Active Directory's tools write DNs) are dropped."""
    from ldap3.core.exceptions import LDAPInvalidDnError
    from ldap3.utils.dn import parse_dn

    from kjcdir.errors import KjcdirError

    example = "ou=jobcenter,dc=example,dc=org"
    if not base.strip():
        raise KjcdirError(f"--base needs a DN, such as {example}.")
    try:
        parts = parse_dn(base.strip(), strip=True)
    except (LDAPInvalidDnError, ValueError, IndexError):
        raise KjcdirError(f"--base '{base}' is not a DN; write it as {example}.") from None
    return "".join(f"{kind}={value}{separator}" for kind, value, separator in parts)


def container_dn(name: str, base: str) -> str:
    return f"ou={name},{base}"


def person_dn(person_id: str, base: str) -> str:
    # Ids are [a-z0-9-] (kjcdir.rules.ID_PATTERN): nothing in them needs escaping in a DN.
    return f"uid={person_id},{container_dn(PEOPLE, base)}"


def org_dn(org_id: str, base: str) -> str:
    return f"uid={org_id},{container_dn(ORGANIZATIONS, base)}"


def directory_entries(
    directory: Directory,
    people: Iterable[Person],
    orgs: Iterable[Organization],
    base: str,
) -> Iterator[Entry]:
    """The containers, then the organisations and the people, in the order given."""
    for name in (PEOPLE, ORGANIZATIONS):
        yield _entry(container_dn(name, base), {"objectClass": _UNIT_CLASSES, "ou": (name,)})
    for org in orgs:
        yield org_entry(directory, org, base)
    for person in people:
        yield person_entry(directory, person, base)


def person_entry(directory: Directory, person: Person, base: str) -> Entry:
    """A person as inetOrgPerson: name, role, body and unit, phones in E.164, e-mails,
    the postal address (their own, else their organisation's) and websites."""
    from kjcdir.export.vcard import websites_of

    bodies: list[str] = []
    units: list[str] = []
    for affiliation in person.affiliations:
        chain = directory.chain(affiliation.org_id)
        if chain:
            bodies.append(chain[-1].name)
            if len(chain) > 1:
                units.append(chain[0].name)
    return _entry(
        person_dn(person.id, base),
        {
            "objectClass": _PERSON_CLASSES,
            "uid": (person.id,),
            "cn": (person.name,),
            "sn": (person.family_name,),
            "givenName": (person.given_name or "",),
            "displayName": (person.name,),
            "title": tuple(aff.role or "" for aff in person.affiliations),
            "o": tuple(bodies),
            "ou": tuple(units),
            "mail": ldap_mail(person.emails),
            "telephoneNumber": tuple(phone.e164 for phone in person.phones),
            **_address(directory.address_of(person)),
            "labeledURI": websites_of(directory, person),
        },
    )


def org_entry(directory: Directory, org: Organization, base: str) -> Entry:
    """An organisation: its name (and short) as `o`, its path as `cn` and `displayName`
    (as on its vCard), its own phones, e-mails, address and websites."""
    path = " – ".join(directory.org_path(org.id)) or org.name
    return _entry(
        org_dn(org.id, base),
        {
            "objectClass": _ORG_CLASSES,
            "uid": (org.id,),
            "o": (org.name, org.short or ""),
            "cn": (path,),
            "displayName": (path,),
            "mail": ldap_mail(org.emails),
            "telephoneNumber": tuple(phone.e164 for phone in org.phones),
            **_address(org.address),
            "labeledURI": org.websites,
        },
    )


def ldap_mail(addresses: Iterable[str]) -> tuple[str, ...]:
    """The addresses as `mail` can hold them: its syntax is IA5String (ASCII), so a domain
    with umlauts is written in its IDNA form (müller.de → xn--mller-kva.de), which every
    mail client understands. An address without an exact ASCII form is left out (the LDIF
    export and the sync name it): a mailbox name with umlauts (RFC 6531), or a domain that
    Python's IDNA 2003 codec would change (straße.de is not strasse.de under IDNA 2008)."""
    kept = []
    for address in addresses:
        local, _, domain = address.rpartition("@")
        if not local.isascii():
            continue
        if not domain.isascii():
            try:
                encoded = domain.encode("idna")
                if encoded.decode("idna").lower() != domain.lower():
                    continue
            except UnicodeError:
                continue
            domain = encoded.decode("ascii")
        kept.append(f"{local}@{domain}")
    return tuple(kept)


def mail_note(contacts: Iterable[Person | Organization]) -> str | None:
    """The sentence that names the addresses `ldap_mail` had to leave out, if any."""
    lost = [
        address for contact in contacts for address in contact.emails if not ldap_mail((address,))
    ]
    if not lost:
        return None
    more = f" and {len(lost) - 5} more" if len(lost) > 5 else ""
    return (
        f"LDAP's mail attribute holds ASCII addresses only; left out: {', '.join(lost[:5])}{more}."
    )


def _address(address: Address | None) -> dict[str, Sequence[str]]:
    if address is None:
        return {}
    return {
        "street": (address.street or "",),
        "postalCode": (address.postal_code or "",),
        "l": (address.city or "",),
    }


def _entry(dn: str, attributes: dict[str, Sequence[str]]) -> Entry:
    """The entry with every value on one line, empty values and attributes left out, each
    value once (LDAP refuses a value twice), and the marker added."""
    kept: dict[str, tuple[str, ...]] = {}
    for name, values in {**attributes, "description": (MARKER,)}.items():
        lines = [unicodedata.normalize("NFC", one_line(value)) for value in values]
        if name in _EXACT:
            once = tuple(dict.fromkeys(line for line in lines if line))
        else:
            once = tuple(unique(lines, key=_ldap_equal))
        if once:
            kept[name] = once
    return Entry(dn, kept)


def _ldap_equal(value: str) -> str:
    """What the server compares under caseIgnoreMatch (RFC 4518, closely enough): NFKC,
    case folded, without the characters it maps to nothing, spaces collapsed."""
    folded = unicodedata.normalize("NFKC", value).casefold().translate(_MAPPED_TO_NOTHING)
    return " ".join(folded.split())


# RFC 4518 2.2: soft hyphen, zero-width and joiner characters, variation selectors, BOM.
_MAPPED_TO_NOTHING = dict.fromkeys(
    [0xAD, 0x34F, 0x1806, 0x180B, 0x180C, 0x180D, 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF]
)
_MAPPED_TO_NOTHING.update(dict.fromkeys(range(0xFE00, 0xFE10)))
