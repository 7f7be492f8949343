"""The search index: the directory's words, normalised once, and where each one occurs.

Everything in a SearchIndex is a plain tuple, dict, str or int, so that the cache can
store it with marshal and load it back in a few milliseconds. People and organisations
are referred to by their position in the directory.

Words of an organisation are indexed once for the organisation, not once per person:
search carries an organisation's score to its people (and to the people of its units),
so that a directory of 100,000 people in 4,000 organisations stays small.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass

from kjcdir.model import Directory, Organization, Person
from kjcdir.normalize import content_words, fold

FIELD_NAME = "name"
FIELD_CONTACT = "contact"
FIELD_ORG = "org"
FIELD_ROLE = "role"
FIELD_TOPIC = "topic"
FIELD_DESCRIPTION = "description"
FIELD_PLACE = "place"

PERSON_FIELDS = (FIELD_NAME, FIELD_CONTACT, FIELD_ROLE, FIELD_TOPIC, FIELD_PLACE)
ORG_FIELDS = (FIELD_ORG, FIELD_TOPIC, FIELD_DESCRIPTION, FIELD_PLACE)

Postings = dict[int, tuple[int, ...]]  # word id → positions of people or organisations


@dataclass(frozen=True)
class SearchIndex:
    vocabulary: tuple[str, ...]  # sorted, distinct normalised word forms
    person_postings: dict[str, Postings]
    org_postings: dict[str, Postings]
    org_people: tuple[tuple[int, ...], ...]  # per organisation: its own people
    org_descendants: tuple[tuple[int, ...], ...]  # per organisation: its units, however deep
    person_phones: dict[int, tuple[str, ...]]  # international digits, 49611170669
    person_emails: dict[int, tuple[str, ...]]  # folded addresses
    sort_keys: tuple[str, ...]  # per person: family name, given name, folded

    def to_plain(self) -> tuple[object, ...]:
        return astuple(self)

    @classmethod
    def from_plain(cls, plain: tuple[object, ...]) -> SearchIndex:
        return cls(*plain)  # type: ignore[arg-type]


def sort_key(person: Person) -> str:
    return fold(f"{person.family_name}\t{person.given_name or ''}")


def build_index(directory: Directory) -> SearchIndex:
    people = list(directory.people.values())
    orgs = list(directory.organizations.values())
    org_position = {org.id: position for position, org in enumerate(orgs)}

    word_ids: dict[str, int] = {}
    person_words: dict[str, dict[int, set[int]]] = {name: {} for name in PERSON_FIELDS}
    org_words: dict[str, dict[int, set[int]]] = {name: {} for name in ORG_FIELDS}

    def add(table: dict[int, set[int]], texts: list[str], position: int) -> None:
        for text in texts:
            for forms in content_words(text):
                for form in forms:
                    word_id = word_ids.setdefault(form, len(word_ids))
                    table.setdefault(word_id, set()).add(position)

    org_people: list[list[int]] = [[] for _ in orgs]
    person_phones: dict[int, tuple[str, ...]] = {}
    person_emails: dict[int, tuple[str, ...]] = {}
    for position, person in enumerate(people):
        add(person_words[FIELD_NAME], [person.given_name or "", person.family_name], position)
        # the local part of an address is a name; the domain would match everyone there
        add(person_words[FIELD_CONTACT], [email.split("@")[0] for email in person.emails], position)
        add(
            person_words[FIELD_ROLE],
            [aff.role for aff in person.affiliations if aff.role],
            position,
        )
        address = directory.address_of(person)
        if address is not None:
            add(person_words[FIELD_PLACE], list(address.lines()), position)
        add(person_words[FIELD_TOPIC], list(person.topics), position)
        if person.phones:
            person_phones[position] = tuple(phone.e164.lstrip("+") for phone in person.phones)
        if person.emails:
            person_emails[position] = tuple(fold(email) for email in person.emails)
        for affiliation in person.affiliations:
            org_at = org_position.get(affiliation.org_id)
            if org_at is not None and position not in org_people[org_at][-1:]:
                org_people[org_at].append(position)

    for position, org in enumerate(orgs):
        add(org_words[FIELD_ORG], _org_names(org), position)
        add(org_words[FIELD_TOPIC], [*org.topics, *org.tasks], position)
        add(org_words[FIELD_DESCRIPTION], [org.description] if org.description else [], position)
        if org.address is not None:
            add(org_words[FIELD_PLACE], list(org.address.lines()), position)

    descendants = tuple(
        tuple(
            sorted(
                org_position[unit]
                for unit in directory.subtree(org.id)
                if unit != org.id and unit in org_position
            )
        )
        for org in orgs
    )

    # Renumber words in sorted order, so that prefixes can be found by bisection.
    vocabulary = tuple(sorted(word_ids))
    renumber = {word_ids[word]: new_id for new_id, word in enumerate(vocabulary)}

    def freeze(table: dict[int, set[int]]) -> Postings:
        return {renumber[word_id]: tuple(sorted(places)) for word_id, places in table.items()}

    return SearchIndex(
        vocabulary=vocabulary,
        person_postings={name: freeze(table) for name, table in person_words.items()},
        org_postings={name: freeze(table) for name, table in org_words.items()},
        org_people=tuple(tuple(people_at) for people_at in org_people),
        org_descendants=descendants,
        person_phones=person_phones,
        person_emails=person_emails,
        sort_keys=tuple(sort_key(person) for person in people),
    )


def _org_names(org: Organization) -> list[str]:
    return [org.name, *([org.short] if org.short else []), *org.aliases]
