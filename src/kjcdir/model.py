"""The validated directory: immutable records and the relations between them.

Nothing here parses files or formats output; the loader builds these objects and
everything downstream (index, search, output, export) only reads them.

The records are NamedTuples rather than frozen dataclasses: just as immutable, with the
same repr and equality, and a third of the cost to define. This module is imported by
every lookup, and the dataclasses took about 3 ms of a lookup's 20 above the floor.
"""

from __future__ import annotations

from collections.abc import Callable, ItemsView, Iterator, Mapping, Sequence, ValuesView
from typing import NamedTuple


class Address(NamedTuple):
    street: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country: str | None = None

    def lines(self) -> tuple[str, ...]:
        """The address as it is written on an envelope, without empty lines."""
        town = " ".join(part for part in (self.postal_code, self.city) if part)
        return tuple(line for line in (self.street, town, self.country) if line)


class Phone(NamedTuple):
    display: str  # DIN 5008 international form, as written in the data
    e164: str  # derived, for tel: links and vCards


# Between a body and its units wherever a path is one line of text: on the cards, in
# piped lines, in exports ("Hessischer Städtetag › Sozialreferat").
PATH_SEPARATOR = " › "


class Affiliation(NamedTuple):
    org_id: str
    role: str | None = None


class Organization(NamedTuple):
    id: str
    name: str
    short: str | None = None
    aliases: tuple[str, ...] = ()
    parent: str | None = None
    members: tuple[str, ...] = ()  # member organisations (not sub-units)
    address: Address | None = None
    websites: tuple[str, ...] = ()
    phones: tuple[Phone, ...] = ()
    emails: tuple[str, ...] = ()
    description: str | None = None
    tasks: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """The short form where there is one: what users call the body."""
        return self.short or self.name


class Person(NamedTuple):
    id: str
    given_name: str | None
    family_name: str
    affiliations: tuple[Affiliation, ...] = ()
    phones: tuple[Phone, ...] = ()
    emails: tuple[str, ...] = ()
    address: Address | None = None  # own address; see Directory.address_of
    websites: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    salutation: str | None = None  # "Frau", "Herr", or as the source writes it

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}" if self.given_name else self.family_name

    @property
    def first_affiliation(self) -> Affiliation | None:
        """The affiliation shown where one is shown: the first, as the data lists it."""
        return self.affiliations[0] if self.affiliations else None


class Meta(NamedTuple):
    title: str = ""
    source: str = ""
    as_of: str = ""


class People(Mapping[str, Person]):
    """People by id and by position, in file order.

    Built from Person objects by the loader, or from cached plain records, which are
    decoded only when asked for: a search in 100,000 people shows ten of them. The
    records may be a lazy sequence (the cache's chunks), and `ids` a function that
    returns the ids in order, so that finding a person by id decodes no one else.
    """

    def __init__(
        self,
        items: Sequence[Person | tuple[object, ...]],
        decode: Callable[[int, tuple[object, ...]], Person] | None = None,
        ids: Callable[[], Sequence[str]] | None = None,
    ) -> None:
        self._items: Sequence[Person | tuple[object, ...]] = (
            items if decode is not None else list(items)
        )
        self._decode = decode
        self._decoded: dict[int, Person] = {}
        self._ids = ids
        self._positions: dict[str, int] | None = None

    def at(self, position: int) -> Person:
        if position < 0:
            position += len(self._items)
        person = self._decoded.get(position)
        if person is not None:
            return person
        item = self._items[position]
        if isinstance(item, Person):
            return item
        assert self._decode is not None, "records need a decoder"
        person = self._decode(position, item)
        self._decoded[position] = person
        return person

    def id_at(self, position: int) -> str:
        if self._ids is not None:
            return self._ids()[position]
        item = self._items[position]
        return item.id if isinstance(item, Person) else str(item[0])

    def _all_ids(self) -> Sequence[str]:
        if self._ids is not None:
            return self._ids()
        return [self.id_at(i) for i in range(len(self._items))]

    def position(self, person_id: str) -> int:
        if self._positions is None:
            self._positions = {pid: i for i, pid in enumerate(self._all_ids())}
        return self._positions[person_id]

    def __getitem__(self, person_id: str) -> Person:
        return self.at(self.position(person_id))

    def __contains__(self, person_id: object) -> bool:
        try:
            self.position(person_id)  # type: ignore[arg-type]
        except (KeyError, TypeError):
            return False
        return True

    def __iter__(self) -> Iterator[str]:
        return iter(self._all_ids())

    def __len__(self) -> int:
        return len(self._items)

    def values(self) -> ValuesView[Person]:
        return _PeopleValues(self)

    def items(self) -> ItemsView[str, Person]:
        return _PeopleItems(self)


class _PeopleValues(ValuesView[Person]):
    """The people in file order, by position (no lookups by id)."""

    _mapping: People

    def __iter__(self) -> Iterator[Person]:
        people = self._mapping
        return (people.at(i) for i in range(len(people)))


class _PeopleItems(ItemsView[str, Person]):
    _mapping: People

    def __iter__(self) -> Iterator[tuple[str, Person]]:
        people = self._mapping
        ids = people._all_ids()
        return ((ids[i], people.at(i)) for i in range(len(people)))


class Directory:
    """Organisations and people, keyed by id, in file order. Read-only by convention: the
    loader and the cache build it, everything else only reads it."""

    __slots__ = ("_children", "_member_of", "meta", "organizations", "people", "sources")

    def __init__(
        self,
        meta: Meta,
        organizations: Mapping[str, Organization],
        people: People,
        sources: tuple[str, ...] = (),
    ) -> None:
        self.meta = meta
        self.organizations = organizations
        self.people = people
        self.sources = sources
        self._children: dict[str, list[str]] = {}
        self._member_of: dict[str, list[str]] = {}
        for org in organizations.values():
            if org.parent:
                self._children.setdefault(org.parent, []).append(org.id)
            for member in dict.fromkeys(org.members):  # each once, in order
                self._member_of.setdefault(member, []).append(org.id)

    def __repr__(self) -> str:
        return (
            f"Directory(meta={self.meta!r}, {len(self.organizations)} organisations, "
            f"{len(self.people)} people, sources={self.sources!r})"
        )

    def chain(self, org_id: str) -> list[Organization]:
        """The organisation and its parents, nearest first. Stops at a cycle."""
        chain: list[Organization] = []
        seen: set[str] = set()
        current: str | None = org_id
        while current and current not in seen and current in self.organizations:
            seen.add(current)
            org = self.organizations[current]
            chain.append(org)
            current = org.parent
        return chain

    def org_path(self, org_id: str) -> tuple[str, ...]:
        """Names from the top body down to the organisation itself."""
        return tuple(org.name for org in reversed(self.chain(org_id)))

    def path_text(self, org_id: str) -> str:
        """The path on one line: `Hessischer Städtetag › Sozialreferat`."""
        return PATH_SEPARATOR.join(self.org_path(org_id))

    def affiliation_text(self, affiliation: Affiliation) -> str:
        """The role and the path on one line: `Sprecher der hessischen AG KJC, Arbeits…`."""
        return ", ".join(filter(None, (affiliation.role, self.path_text(affiliation.org_id))))

    def children(self, org_id: str) -> list[Organization]:
        return [self.organizations[child] for child in self._children.get(org_id, [])]

    def member_of(self, org_id: str) -> list[Organization]:
        """The organisations that list this one among their `members`, in file order: the
        reverse of `members`, so that a member's card names the bodies it belongs to."""
        return [
            self.organizations[other]
            for other in self._member_of.get(org_id, [])
            if other in self.organizations
        ]

    def subtree(self, org_id: str) -> set[str]:
        """The organisation's id and the ids of all its units, however deep."""
        found = {org_id}
        stack = [org_id]
        while stack:
            for child in self._children.get(stack.pop(), []):
                if child not in found:
                    found.add(child)
                    stack.append(child)
        return found

    def roots(self) -> list[Organization]:
        return [
            org
            for org in self.organizations.values()
            if not org.parent or org.parent not in self.organizations
        ]

    def address_of(self, person: Person) -> Address | None:
        """The person's own address, else the nearest one up the first affiliation's chain."""
        if person.address is not None:
            return person.address
        if not person.affiliations:
            return None
        for org in self.chain(person.affiliations[0].org_id):
            if org.address is not None:
                return org.address
        return None

    def members_of(self, org_ids: set[str]) -> Iterator[Person]:
        """People with an affiliation to any of the given organisations, in file order."""
        for position in range(len(self.people)):
            person = self.people.at(position)
            if any(aff.org_id in org_ids for aff in person.affiliations):
                yield person

    def people_of(self, org_id: str) -> list[Person]:
        """People affiliated directly with this organisation."""
        return list(self.members_of({org_id}))
