"""What a clerk pastes into a letter (`kjcdir show ID --letter`): the address block as
DIN 5008 lays it out, and the greeting line.

The address block (DIN 5008's Anschriftzone, at most six lines) holds, one a line: the
organisation (the top body), its units down to the person's own, the person with their
salutation ("Frau Rena Wißmeier"), the street, postal code and city, and the country
only where the data gives one, in capital letters as DIN 5008 and Deutsche Post write a
destination country. When the units would make the block longer than six lines, they
share one line, separated by commas.

The greeting follows the salutation: "Sehr geehrte Frau Wißmeier" for Frau, "Sehr
geehrter Herr Würfel" for Herr (a title after it is kept: "Sehr geehrte Frau
Kreisbeigeordnete Lück"), and "Guten Tag Felix Würfel" where no salutation is known, so
that no one is addressed as what they are not. An organisation is greeted with "Sehr
geehrte Damen und Herren".

Nothing here formats for a terminal: the lines are plain text, made inert by the output.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from kjcdir.model import Address, Directory, Organization, Person

# DIN 5008: the Anschriftzone of the address field has six lines.
MAX_ADDRESS_LINES = 6
ORGANIZATION_GREETING = "Sehr geehrte Damen und Herren"
# The first word of a salutation, as the data may write it, and as a letter spells it.
_SALUTATION_WORDS = {
    "frau": "Frau",
    "fr.": "Frau",
    "herr": "Herr",
    "herrn": "Herr",
    "hr.": "Herr",
    "hrn.": "Herr",
}
# A letter within Germany leaves the country out (DIN 5008); so does one to "Germany".
_HOME_COUNTRIES = {"deutschland", "germany", "de", "bundesrepublik deutschland", "brd"}
_DEAR = {"Frau": "Sehr geehrte", "Herr": "Sehr geehrter"}


class Letter(NamedTuple):
    address: tuple[str, ...]  # the address block; empty when the address is unknown
    greeting: str  # without the comma that ends the line in a letter

    @property
    def greeting_line(self) -> str:
        return f"{self.greeting},"


def salutation(person: Person) -> str | None:
    """The person's salutation as a letter writes it: single spaces, `Fr.` and `Hr.`
    spelled out (`Frau`, `Herr`); None where the data gives none."""
    if not person.salutation:
        return None
    words = person.salutation.split()
    if not words:
        return None
    words[0] = _SALUTATION_WORDS.get(words[0].casefold(), words[0])
    return " ".join(words)


def titled_name(person: Person) -> str:
    """The name with the salutation, as a card heads it: `Frau Rena Wißmeier`."""
    spelled = salutation(person)
    return f"{spelled} {person.name}" if spelled else person.name


def addressee(person: Person) -> str:
    """The person's line of the address block: `Frau Rena Wißmeier`, `Herrn Felix Würfel`
    (an address names a man in the accusative, as DIN 5008's examples do), or the name
    alone."""
    spelled = salutation(person)
    if not spelled:
        return person.name
    words = spelled.split()
    if words[0] == "Herr":
        words[0] = "Herrn"
    return f"{' '.join(words)} {person.name}"


def greeting(person: Person) -> str:
    """`Sehr geehrte Frau Wißmeier`, `Sehr geehrter Herr …`, else `Guten Tag Felix Würfel`."""
    spelled = salutation(person)
    if spelled is not None:
        dear = _DEAR.get(spelled.split()[0])
        if dear is not None:
            return f"{dear} {spelled} {person.family_name}"
        return f"Guten Tag {spelled} {person.name}"  # a salutation such as "Dr." alone
    return f"Guten Tag {person.name}"


def person_letter(directory: Directory, person: Person) -> Letter:
    """The address block (the first affiliation's organisation and units, the person, the
    person's address as `show` gives it) and the greeting."""
    address = directory.address_of(person)
    if address is None:
        return Letter((), greeting(person))
    path = directory.org_path(person.affiliations[0].org_id) if person.affiliations else ()
    return Letter(_block(path, addressee(person), address), greeting(person))


def org_letter(directory: Directory, org: Organization) -> Letter:
    """The organisation's block (its body and units, the nearest address up its chain, as
    a person's address is found) and `Sehr geehrte Damen und Herren`."""
    address = next((o.address for o in directory.chain(org.id) if o.address is not None), None)
    if address is None:
        return Letter((), ORGANIZATION_GREETING)
    path = directory.org_path(org.id) or (org.name,)
    return Letter(_block(path, None, address), ORGANIZATION_GREETING)


def _block(path: Sequence[str], person: str | None, address: Address) -> tuple[str, ...]:
    town = " ".join(part for part in (address.postal_code, address.city) if part)
    home = address.country and address.country.strip().casefold() in _HOME_COUNTRIES
    country = address.country.upper() if address.country and not home else None
    place = [line for line in (address.street, town, country) if line]
    names = list(path)
    if person is not None:
        names.append(person)
    if len(names) + len(place) > MAX_ADDRESS_LINES and len(path) > 2:
        names[1 : len(path)] = [", ".join(path[1:])]
    return (*names, *place)
