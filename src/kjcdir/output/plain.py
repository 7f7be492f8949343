"""Tab-separated lines for pipes and scripts: id first, no colour, no box drawing."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TextIO

from kjcdir.model import Affiliation, Directory, Organization, Person
from kjcdir.output.text import inert


def line(fields: Sequence[str | None]) -> str:
    return "\t".join(inert(field) for field in fields)


def person_line(directory: Directory, person: Person, lead: Affiliation | None = None) -> str:
    """id, name, organisation and role (of one affiliation: `lead`, else the first),
    first phone, first e-mail."""
    first = lead or person.first_affiliation
    return line(
        [
            person.id,
            person.name,
            directory.path_text(first.org_id) if first else "",
            first.role if first else "",
            person.phones[0].display if person.phones else "",
            person.emails[0] if person.emails else "",
        ]
    )


def org_line(org: Organization) -> str:
    return line([org.id, org.short, org.name, org.parent])


def write_people(
    out: TextIO,
    directory: Directory,
    people: Iterable[Person],
    leads: Mapping[str, Affiliation] | None = None,
) -> None:
    """One line per person; `leads` gives the affiliation to show where it is not the first."""
    for person in people:
        lead = leads.get(person.id) if leads else None
        out.write(person_line(directory, person, lead) + "\n")


def write_orgs(out: TextIO, orgs: Iterable[Organization]) -> None:
    for org in orgs:
        out.write(org_line(org) + "\n")


def person_fields(directory: Directory, person: Person) -> list[tuple[str, str | None]]:
    """`show` for one person: one (field, value) per value, as `gh issue view` prints.

    Every `organization` line is followed by its `role` line, empty where the affiliation
    has no role, so that a script pairing the two by position pairs them right.
    """
    from kjcdir.letter import greeting

    fields: list[tuple[str, str | None]] = [
        ("kind", "person"),
        ("id", person.id),
        ("name", person.name),
        ("salutation", person.salutation),
        ("given_name", person.given_name),
        ("family_name", person.family_name),
        ("greeting", greeting(person)),
    ]
    for aff in person.affiliations:
        fields.append(("organization", directory.path_text(aff.org_id)))
        fields.append(("role", aff.role or ""))
    fields += [("phone", phone.display) for phone in person.phones]
    fields += [("email", email) for email in person.emails]
    address = directory.address_of(person)
    if address is not None:
        fields.append(("address", ", ".join(address.lines())))
    fields += [("website", url) for url in person.websites]
    fields += [("topic", topic) for topic in person.topics]
    return fields


def org_fields(directory: Directory, org: Organization) -> list[tuple[str, str | None]]:
    fields: list[tuple[str, str | None]] = [
        ("kind", "organization"),
        ("id", org.id),
        ("name", org.name),
        ("short", org.short),
        ("path", directory.path_text(org.id)),
        ("parent", org.parent),
    ]
    fields += [("alias", alias) for alias in org.aliases]
    fields += [("member", member) for member in org.members]
    fields += [("member_of", body.id) for body in directory.member_of(org.id)]
    if org.address is not None:
        fields.append(("address", ", ".join(org.address.lines())))
    fields += [("website", url) for url in org.websites]
    fields += [("phone", phone.display) for phone in org.phones]
    fields += [("email", email) for email in org.emails]
    fields.append(("description", org.description))
    fields += [("task", task) for task in org.tasks]
    fields += [("topic", topic) for topic in org.topics]
    fields += [("unit", child.id) for child in directory.children(org.id)]
    fields += [("person", person.id) for person in directory.people_of(org.id)]
    return fields


def write_fields(out: TextIO, fields: Iterable[tuple[str, str | None]]) -> None:
    """`field<TAB>value` lines; a field whose value is None is left out, one whose value
    is "" is printed empty (a person's `role`, which pairs with its `organization`)."""
    for name, value in fields:
        if value is not None:
            out.write(line([name, value]) + "\n")
