"""Entries as plain JSON-ready objects: the shapes of `--json` (SPEC 3)."""

from __future__ import annotations

from typing import Any

from kjcdir.model import Address, Directory, Organization, Person, Phone


def address_object(address: Address | None) -> dict[str, str | None] | None:
    if address is None:
        return None
    return {
        "street": address.street,
        "postal_code": address.postal_code,
        "city": address.city,
        "country": address.country,
    }


def phone_objects(phones: tuple[Phone, ...]) -> list[dict[str, str]]:
    return [{"display": phone.display, "e164": phone.e164} for phone in phones]


def person_object(
    directory: Directory, person: Person, score: float | None = None
) -> dict[str, Any]:
    from kjcdir.letter import greeting

    obj: dict[str, Any] = {
        "kind": "person",
        "id": person.id,
        "name": person.name,
        "salutation": person.salutation,
        "given_name": person.given_name,
        "family_name": person.family_name,
        "greeting": greeting(person),
        "affiliations": [
            {
                "org_id": aff.org_id,
                "org_path": list(directory.org_path(aff.org_id)),
                "role": aff.role,
            }
            for aff in person.affiliations
        ],
        "phones": phone_objects(person.phones),
        "emails": list(person.emails),
        "address": address_object(directory.address_of(person)),
        "websites": list(person.websites),
        "topics": list(person.topics),
    }
    if score is not None:
        obj["score"] = score
    return obj


def org_object(directory: Directory, org: Organization) -> dict[str, Any]:
    return {
        "kind": "organization",
        "id": org.id,
        "name": org.name,
        "short": org.short,
        "aliases": list(org.aliases),
        "parent": org.parent,
        "path": list(directory.org_path(org.id)),
        "members": list(org.members),
        "member_of": [body.id for body in directory.member_of(org.id)],
        "address": address_object(org.address),
        "websites": list(org.websites),
        "phones": phone_objects(org.phones),
        "emails": list(org.emails),
        "description": org.description,
        "tasks": list(org.tasks),
        "topics": list(org.topics),
        "units": [child.id for child in directory.children(org.id)],
        "people": [person.id for person in directory.people_of(org.id)],
    }
