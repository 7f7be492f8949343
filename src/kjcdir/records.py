"""The model as plain tuples, and back: the form the cache stores with marshal.

A record read back is checked as strictly as a line of YAML (kjcdir.rules): ids,
e-mail addresses, URLs, phone numbers in E.164, lengths and shapes. One that fails
raises CacheError, which makes kjcdir read the files instead (kjcdir.store and
kjcdir.cli), never an "internal error" and never a wrong answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kjcdir import rules
from kjcdir.cache import CacheError
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
    """An organisation from the cache; CacheError if the record is not one kjcdir wrote."""
    try:
        (oid, name, short, aliases, parent, members, address, websites, phones, emails,
         description, tasks, topics) = record  # fmt: skip
        return Organization(
            id=_id(oid),
            name=_text(name),
            short=_optional(short, _text),
            aliases=_texts(aliases),
            parent=_optional(parent, _id),
            members=_items(members, _id),
            address=_address_from(address),
            websites=_items(websites, _url),
            phones=_items(phones, _phone),
            emails=_items(emails, _email),
            description=_optional(description, _long_text),
            tasks=_texts(tasks),
            topics=_texts(topics),
        )
    except (TypeError, ValueError) as error:
        raise CacheError(f"a cached organisation that is not valid: {error}") from None


def person_from_record(record: Record) -> Person:
    """A person from the cache; CacheError if the record is not one kjcdir wrote."""
    try:
        pid, given, family, affiliations, phones, emails, address, websites, topics = record
        if not isinstance(affiliations, tuple) or len(affiliations) > rules.MAX_AFFILIATIONS:
            raise ValueError("affiliations")
        return Person(
            id=_id(pid),
            given_name=_optional(given, _text),
            family_name=_text(family),
            affiliations=tuple(
                Affiliation(_id(org_id), _optional(role, _text)) for org_id, role in affiliations
            ),
            phones=_items(phones, _phone),
            emails=_items(emails, _email),
            address=_address_from(address),
            websites=_items(websites, _url),
            topics=_texts(topics),
        )
    except (TypeError, ValueError) as error:
        raise CacheError(f"a cached person that is not valid: {error}") from None


# -- checks: each returns the value or raises ValueError --------------------------------


def _text(value: object, limit: int = rules.MAX_SHORT_TEXT) -> str:
    if not isinstance(value, str) or not value or len(value) > limit or value != value.strip():
        raise ValueError(f"text {value!r:.80}")
    if not rules.is_visible(value):
        raise ValueError("invisible text")
    return value


def _long_text(value: object) -> str:
    return _text(value, rules.MAX_LONG_TEXT)


def _id(value: object) -> str:
    if not rules.is_id(value):
        raise ValueError(f"id {value!r:.120}")
    assert isinstance(value, str)
    return value


def _email(value: object) -> str:
    if not rules.is_email(_text(value)):
        raise ValueError(f"e-mail {value!r:.80}")
    return str(value)


def _url(value: object) -> str:
    if not rules.is_web_url(_text(value, rules.MAX_URL)):
        raise ValueError(f"URL {value!r:.80}")
    return str(value)


def _phone(value: object) -> Phone:
    if not isinstance(value, tuple) or len(value) != 2:
        raise ValueError("a phone")
    display, e164 = value
    if not isinstance(e164, str) or not rules.E164_PATTERN.match(e164):
        raise ValueError(f"phone {e164!r:.40}")
    return Phone(_text(display, rules.MAX_PHONE), e164)


def _optional(value: object, check: Any) -> Any:
    return None if value is None else check(value)


def _items(values: object, check: Any) -> tuple[Any, ...]:
    if not isinstance(values, tuple) or len(values) > rules.MAX_LIST:
        raise ValueError("a list")
    return tuple(check(value) for value in values)


def _texts(values: object) -> tuple[str, ...]:
    return _items(values, _text)


def _address_from(value: object) -> Address | None:
    if value is None:
        return None
    if not isinstance(value, tuple) or len(value) != 4 or value == (None,) * 4:
        raise ValueError("an address")
    return Address(*(_optional(part, _text) for part in value))


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
    """The directory of a cache file; people stay records until they are asked for.

    Organisations, ids and meta are checked here; each person when first decoded.
    """
    from kjcdir.index import Chunked

    values = stored.values
    count = values["people"]
    if not isinstance(count, int) or count < 0:
        raise CacheError("a count of people that is not one")
    orgs = stored.load("orgs")
    if not isinstance(orgs, tuple):
        raise CacheError("cached organisations that are not a list")
    organizations = {}
    for record in orgs:
        org = org_from_record(record)
        if org.id in organizations:
            raise CacheError("a cached organisation twice")
        organizations[org.id] = org
    for org in organizations.values():
        if any(other not in organizations for other in (*org.members, org.parent or org.id)):
            raise CacheError("a cached organisation that refers to an unknown one")
    ids: list[tuple[str, ...]] = []

    def person_ids() -> tuple[str, ...]:
        if not ids:
            loaded = stored.load("person_ids")
            if not isinstance(loaded, tuple) or len(loaded) != count:
                raise CacheError("cached ids that do not fit the people")
            if not all(map(rules.is_id, loaded)) or len(set(loaded)) != count:
                raise CacheError("cached ids that are not valid")
            ids.append(loaded)
        return ids[0]

    def person(record: Record) -> Person:
        found = person_from_record(record)
        if any(aff.org_id not in organizations for aff in found.affiliations):
            raise CacheError("a cached person of an unknown organisation")
        return found

    meta = values["meta"]
    sources = values["sources"]
    if not (isinstance(meta, tuple) and len(meta) == 3 and all(isinstance(v, str) for v in meta)):
        raise CacheError("cached meta data that is not valid")
    if not (isinstance(sources, tuple) and all(isinstance(source, str) for source in sources)):
        raise CacheError("cached file names that are not valid")
    return Directory(
        meta=Meta(*meta),
        organizations=organizations,
        people=People(
            Chunked.mapped(stored, "people", count, tuple), decode=person, ids=person_ids
        ),
        sources=sources,
    )
