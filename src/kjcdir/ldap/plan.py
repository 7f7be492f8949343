"""What a server must be sent to make the subtree under the base equal to the directory.

Pure: the entries wanted and the entries read from the server go in, the changes come
out. Only attributes that differ are replaced; an entry the same in both is not named.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

from kjcdir.errors import KjcdirError
from kjcdir.ldap.entries import Entry, values_of


class Modify(NamedTuple):
    dn: str
    replace: dict[str, tuple[str, ...]]  # attributes to set to exactly these values
    delete: tuple[str, ...]  # attributes to remove


class Plan(NamedTuple):
    adds: list[Entry]  # parents before their children
    modifies: list[Modify]
    deletes: list[str]  # children before their parents
    unchanged: int

    @property
    def size(self) -> int:
        return len(self.adds) + len(self.modifies) + len(self.deletes)

    def summary(self) -> str:
        return (
            f"{len(self.adds)} added, {len(self.modifies)} changed, "
            f"{len(self.deletes)} removed, {self.unchanged} unchanged"
        )


_UNESCAPED_COMMA = re.compile(r"(?<!\\),")


def dn_key(dn: str) -> str:
    """A DN for comparison: RDNs without the spaces around them, and case ignored (the
    attributes of kjcdir's DNs, uid, ou and dc, all compare ignoring case)."""
    return ",".join(part.strip() for part in _UNESCAPED_COMMA.split(dn)).casefold()


def is_under(dn: str, base: str) -> bool:
    """Whether the entry `dn` lies below `base` (not the base itself)."""
    return dn_key(dn).endswith("," + dn_key(base))


def _depth(dn: str) -> int:
    return len(_UNESCAPED_COMMA.split(dn))


def foreign_sentence(present: list[Entry], base: str) -> str | None:
    """The sentence that refuses a base holding entries kjcdir did not write, or None."""
    foreign = [
        entry.dn
        for entry in present
        if not entry.is_own or not is_under(entry.dn, base)  # a referral, say
    ]
    if not foreign:
        return None
    count = f"{len(foreign)} entries" if len(foreign) > 1 else "an entry"
    return (
        f"{base} holds {count} that kjcdir did not write ({foreign[0]}); "
        "give kjcdir a base of its own, such as a new, empty organizationalUnit."
    )


def plan(wanted: Iterable[Entry], present: Iterable[Entry], base: str) -> Plan:
    """The changes from `present` (the entries under the base, without the base itself)
    to `wanted`. Refuses (KjcdirError) if any present entry is not kjcdir's."""
    present_list = list(present)
    refusal = foreign_sentence(present_list, base)
    if refusal is not None:
        raise KjcdirError(refusal)
    on_server = {dn_key(entry.dn): entry for entry in present_list}
    adds: list[Entry] = []
    modifies: list[Modify] = []
    unchanged = 0
    for entry in wanted:
        existing = on_server.pop(dn_key(entry.dn), None)
        if existing is None:
            adds.append(entry)
            continue
        change = difference(entry, existing)
        if change is None:
            unchanged += 1
        else:
            modifies.append(change)
    adds.sort(key=lambda entry: _depth(entry.dn))  # stable: the given order within a depth
    deletes = sorted((entry.dn for entry in on_server.values()), key=_depth, reverse=True)
    return Plan(adds, modifies, deletes, unchanged)


def difference(wanted: Entry, existing: Entry) -> Modify | None:
    """The attributes to replace and to remove on `existing` to make it `wanted`."""
    replace = {
        name: values
        for name, values in wanted.attributes.items()
        if sorted(values) != sorted(values_of(existing.attributes, name))
    }
    wanted_names = {name.lower() for name in wanted.attributes}
    delete = tuple(name for name in existing.attributes if name.lower() not in wanted_names)
    if not replace and not delete:
        return None
    return Modify(wanted.dn, replace, delete)
