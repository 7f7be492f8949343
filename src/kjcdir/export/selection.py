"""Whom an export is about: a query, an organisation (with its units), both, or everyone."""

from __future__ import annotations

from kjcdir.errors import KjcdirError, NotFound
from kjcdir.model import Organization, Person
from kjcdir.store import Loaded


def select_people(
    loaded: Loaded,
    query: str | None,
    org: str | None,
    everyone: bool,
    notes: list[str] | None = None,
) -> list[Person]:
    """The people to export, in a stable order; NotFound when the selection is empty.

    A query alone gives its hits, best first; `--org` alone the organisation's people by
    family name; both together the hits that belong to the organisation or its units.
    The parts of a query `A, B` that found no one are said in `notes`.
    """
    from kjcdir.lookup import find_people, list_people, resolve_org

    query = query.strip() if query else None
    if everyone and (query or org):
        raise KjcdirError("--all exports everyone; give it without a query or --org.")
    if everyone:
        people = list_people(loaded)
        if not people:
            raise NotFound("The directory holds no one to export.")
        return people
    if query is None and org is None:
        raise KjcdirError("Give a query, --org or --all to choose whom to export.")
    if query is None:
        assert org is not None
        people = list_people(loaded, org)
        if not people:
            raise NotFound(f"No one belongs to '{org}'.")
        return people
    found = [hit.person for hit in find_people(loaded, query, limit=None, notes=notes)]
    if org is None:
        return found
    unit = resolve_org(loaded, org)
    units = loaded.directory.subtree(unit.id)
    people = [p for p in found if any(aff.org_id in units for aff in p.affiliations)]
    if not people:
        raise NotFound(f"No one matching '{query}' belongs to {unit.name}.")
    return people


def organizations_of(
    loaded: Loaded, people: list[Person], org: str | None, everyone: bool
) -> list[Organization]:
    """The organisations behind an export that have contact data of their own, in file order.

    With `--all` every such organisation; else those of the people's affiliations and
    their parents, and with `--org` the organisation and its units.
    """
    from kjcdir.lookup import resolve_org

    directory = loaded.directory
    if everyone:
        return [unit for unit in directory.organizations.values() if has_contact_data(unit)]
    wanted: set[str] = set()
    for person in people:
        for aff in person.affiliations:
            wanted.update(unit.id for unit in directory.chain(aff.org_id))
    if org is not None:
        wanted |= directory.subtree(resolve_org(loaded, org).id)
    return [
        unit
        for unit in directory.organizations.values()
        if unit.id in wanted and has_contact_data(unit)
    ]


def has_contact_data(org: Organization) -> bool:
    """Whether a card of the organisation would tell more than its name."""
    return bool(org.phones or org.emails or org.address or org.websites)
