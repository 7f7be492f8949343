"""The model as plain tuples, and back: the form the cache stores with marshal."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kjcdir.model import (
    Address,
    Affiliation,
    Directory,
    Meta,
    Organization,
    People,
    Person,
    Phone,
)

if TYPE_CHECKING:
    from kjcdir.cache import CacheFile

Record = tuple[Any, ...]


def _address(address: Address | None) -> Record | None:
    if address is None:
        return None
    return (address.street, address.postal_code, address.city, address.country)


def _phones(phones: tuple[Phone, ...]) -> Record:
    return tuple((phone.display, phone.e164) for phone in phones)


def org_record(org: Organization) -> Record:
    return (
        org.id, org.name, org.short, org.aliases, org.parent, org.members,
        _address(org.address), org.websites, _phones(org.phones), org.emails,
        org.description, org.tasks, org.topics,
    )  # fmt: skip


def person_record(person: Person) -> Record:
    return (
        person.id, person.given_name, person.family_name,
        tuple((aff.org_id, aff.role) for aff in person.affiliations),
        _phones(person.phones), person.emails, _address(person.address),
        person.websites, person.topics,
    )  # fmt: skip


def org_from_record(record: Record) -> Organization:
    (oid, name, short, aliases, parent, members, address, websites, phones, emails,
     description, tasks, topics) = record  # fmt: skip
    return Organization(
        id=oid,
        name=name,
        short=short,
        aliases=aliases,
        parent=parent,
        members=members,
        address=Address(*address) if address else None,
        websites=websites,
        phones=tuple(Phone(*phone) for phone in phones),
        emails=emails,
        description=description,
        tasks=tasks,
        topics=topics,
    )


def person_from_record(record: Record) -> Person:
    pid, given, family, affiliations, phones, emails, address, websites, topics = record
    return Person(
        id=pid,
        given_name=given,
        family_name=family,
        affiliations=tuple(Affiliation(*aff) for aff in affiliations),
        phones=tuple(Phone(*phone) for phone in phones),
        emails=emails,
        address=Address(*address) if address else None,
        websites=websites,
        topics=topics,
    )


def directory_segments(directory: Directory) -> tuple[dict[str, Any], dict[str, Any]]:
    """The directory as cache values and segments: people in chunks, decoded on demand."""
    from kjcdir.index import Chunked

    people = directory.people
    meta = directory.meta
    values = {
        "meta": (meta.title, meta.source, meta.as_of),
        "sources": directory.sources,
        "people": len(people),
    }
    segments: dict[str, Any] = {
        "orgs": tuple(org_record(org) for org in directory.organizations.values()),
        "person_ids": tuple(people.id_at(i) for i in range(len(people))),
    }
    records = [person_record(people.at(i)) for i in range(len(people))]
    segments.update(Chunked.segments("people", records))
    return values, segments


def directory_from_cache(stored: CacheFile) -> Directory:
    """The directory of a cache file; people stay records until they are asked for."""
    from kjcdir.index import Chunked

    values = stored.values
    count = values["people"]
    orgs = stored.load("orgs")
    organizations = {org[0]: org_from_record(org) for org in orgs}
    ids: list[tuple[str, ...]] = []

    def person_ids() -> tuple[str, ...]:
        if not ids:
            loaded = stored.load("person_ids")
            if not isinstance(loaded, tuple) or len(loaded) != count:
                raise ValueError("cached ids that do not fit the people")
            ids.append(loaded)
        return ids[0]

    return Directory(
        meta=Meta(*values["meta"]),
        organizations=organizations,
        people=People(
            Chunked.mapped(stored, "people", count), decode=person_from_record, ids=person_ids
        ),
        sources=tuple(values["sources"]),
    )
