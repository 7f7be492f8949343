"""The model as plain tuples, and back: the form the cache stores with marshal.

A record read back is checked as strictly as a line of YAML (kjcdir.rules): ids,
e-mail addresses, URLs, phone numbers in E.164, lengths and shapes. One that fails
raises CacheError, which makes kjcdir read the files instead (kjcdir.store and
kjcdir.cli), never an "internal error" and never a wrong answer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import filterfalse
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
        person.websites, person.topics, person.salutation,
    )  # fmt: skip


def org_from_record(record: Record) -> Organization:
    """An organisation from the cache; CacheError if the record is not one kjcdir wrote."""
    check_records([record], ORG_SCHEMA, "organisation")
    return _organization(record)


def person_from_record(record: Record) -> Person:
    """A person from the cache; CacheError if the record is not one kjcdir wrote."""
    check_records([record], PERSON_SCHEMA, "person")
    (pid, given, family, affiliations, phones, emails, address, websites, topics,
     salutation) = record  # fmt: skip
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
        salutation=salutation,
    )


def _organization(record: Record) -> Organization:
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


# -- checks ---------------------------------------------------------------------------
#
# A record's fields are checked column by column over many records at once (4,000
# organisations are checked on every lookup of a large directory), with the C-speed
# map() and all() wherever they can do the work. Each check takes the values of one
# field of all records and says whether every one of them is valid.

Check = Callable[[list[Any]], bool]


def _texts_valid(values: list[Any], limit: int = rules.MAX_SHORT_TEXT) -> bool:
    """Text as the loader keeps it: a str, stripped, not empty, visible, within the limit."""
    if not values:
        return True
    try:
        if max(map(len, values)) > limit or list(map(str.strip, values)) != values:
            return False
    except TypeError:  # not all of them are str
        return False
    return all(values) and all(map(rules.is_visible, filterfalse(str.isprintable, values)))


def _long_texts_valid(values: list[Any]) -> bool:
    return _texts_valid(values, rules.MAX_LONG_TEXT)


def _ids_valid(values: list[Any]) -> bool:
    try:
        return all(map(rules.ID_PATTERN.match, values)) and (
            max(map(len, values), default=0) <= rules.MAX_ID
        )
    except TypeError:
        return False


def _emails_valid(values: list[Any]) -> bool:
    return _texts_valid(values) and all(map(rules.EMAIL_PATTERN.match, values))


def _urls_valid(values: list[Any]) -> bool:
    return _texts_valid(values, rules.MAX_URL) and all(map(rules.is_web_url, values))


def _phones_valid(values: list[Any]) -> bool:
    if not all(type(value) is tuple and len(value) == 2 for value in values):
        return False
    displays = [display for display, _ in values]
    numbers = [number for _, number in values]
    try:
        return _texts_valid(displays, rules.MAX_PHONE) and all(
            map(rules.E164_PATTERN.match, numbers)
        )
    except TypeError:
        return False


def _addresses_valid(values: list[Any]) -> bool:
    if not all(type(value) is tuple and len(value) == 4 for value in values):
        return False
    if any(value == (None, None, None, None) for value in values):
        return False
    return _texts_valid([part for value in values for part in value if part is not None])


def _affiliations_valid(values: list[Any]) -> bool:
    if not all(type(value) is tuple and len(value) == 2 for value in values):
        return False
    return _ids_valid([org for org, _ in values]) and _optional(_texts_valid)(
        [role for _, role in values]
    )


def _optional(check: Check) -> Check:
    return lambda values: check([value for value in values if value is not None])


def _lists(check: Check, limit: int = rules.MAX_LIST) -> Check:
    def valid(values: list[Any]) -> bool:
        if not all(type(value) is tuple for value in values):
            return False
        if max(map(len, values), default=0) > limit:
            return False
        return check([item for value in values for item in value])

    return valid


# The checks of each field, in the order of org_record and person_record.
ORG_SCHEMA: tuple[tuple[str, Check], ...] = (
    ("id", _ids_valid),
    ("name", _texts_valid),
    ("short", _optional(_texts_valid)),
    ("aliases", _lists(_texts_valid)),
    ("parent", _optional(_ids_valid)),
    ("members", _lists(_ids_valid)),
    ("address", _optional(_addresses_valid)),
    ("websites", _lists(_urls_valid)),
    ("phones", _lists(_phones_valid)),
    ("emails", _lists(_emails_valid)),
    ("description", _optional(_long_texts_valid)),
    ("tasks", _lists(_texts_valid)),
    ("topics", _lists(_texts_valid)),
)
PERSON_SCHEMA: tuple[tuple[str, Check], ...] = (
    ("id", _ids_valid),
    ("given_name", _optional(_texts_valid)),
    ("family_name", _texts_valid),
    ("affiliations", _lists(_affiliations_valid, rules.MAX_AFFILIATIONS)),
    ("phones", _lists(_phones_valid)),
    ("emails", _lists(_emails_valid)),
    ("address", _optional(_addresses_valid)),
    ("websites", _lists(_urls_valid)),
    ("topics", _lists(_texts_valid)),
    ("salutation", _optional(_texts_valid)),
)


def check_records(records: Sequence[Any], schema: tuple[tuple[str, Check], ...], what: str) -> None:
    """CacheError unless every record is a tuple of valid fields, as the loader makes them."""
    width = len(schema)
    if not all(type(record) is tuple and len(record) == width for record in records):
        raise CacheError(f"a cached {what} of the wrong shape")
    for column, (field_name, valid) in enumerate(schema):
        if not valid([record[column] for record in records]):
            raise CacheError(f"a cached {what} with an invalid {field_name}")


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
    }
    # in chunks too: a decoded person is checked against its entry, one chunk read
    segments.update(Chunked.segments("person_ids", [people.id_at(i) for i in range(len(people))]))
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
    check_records(orgs, ORG_SCHEMA, "organisation")
    organizations = {record[0]: _organization(record) for record in orgs}
    if len(organizations) != len(orgs):
        raise CacheError("a cached organisation twice")
    for org in organizations.values():
        if any(other not in organizations for other in (*org.members, org.parent or org.id)):
            raise CacheError("a cached organisation that refers to an unknown one")
    id_chunks = Chunked.mapped(stored, "person_ids", count)
    ids: list[tuple[str, ...]] = []

    def person_ids() -> tuple[str, ...]:
        """All ids in order (to find a person by id), checked when first asked for."""
        if not ids:
            loaded = tuple(id_chunks)
            if not _ids_valid(list(loaded)) or len(set(loaded)) != count:
                raise CacheError("cached ids that are not valid")
            ids.append(loaded)
        return ids[0]

    decoded: dict[str, int] = {}  # id → position of the people decoded so far

    def person(position: int, record: Record) -> Person:
        found = person_from_record(record)
        if id_chunks[position] != found.id:
            raise CacheError("a cached person whose id is not the one listed")
        if decoded.setdefault(found.id, position) != position:
            raise CacheError("two cached people with one id")
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
