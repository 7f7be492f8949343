"""Positioned values → model objects and problems: the schema of a directory file.

kjcdir.yamlstream hands a FileValidator the file's top-level keys and, one by one,
the entries of 'organizations' and 'people'; the validator checks each against the
schema while its positions are known, builds the model objects of the sound ones and
records every problem as FILE:LINE:COLUMN with the id of the entry it belongs to.
Cross-references (parents, members, affiliations) are only recorded here: they are
checked once all files are layered (kjcdir.load.layer).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from kjcdir.checks import (
    MAX_REPEATED_VALUES,
    NULL,
    ValueChecks,
    kind_of,
    position,
    shorten,
)
from kjcdir.errors import Problem
from kjcdir.model import Address, Affiliation, Meta, Organization, Person, Phone
from kjcdir.phones import parse_phone
from kjcdir.rules import (
    EMAIL_PATTERN,
    MAX_AFFILIATIONS,
    MAX_ID,
    MAX_LONG_TEXT,
    MAX_PHONE,
    MAX_SHORT_TEXT,
    MAX_URL,
    is_web_url,
)
from kjcdir.yamlstream import (
    ITEMS,
    SKIP,
    VALUE,
    Mapping,
    Scalar,
    Sequence,
    Value,
    scalar_tag,
)

DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}\Z")

TOP_KEYS = frozenset(("meta", "organizations", "people"))
ORGANIZATION_KEYS = frozenset(
    (
        "id", "name", "short", "aliases", "parent", "members", "address", "websites",
        "phones", "emails", "description", "tasks", "topics",
    )
)  # fmt: skip
PERSON_KEYS = frozenset(
    (
        "id", "salutation", "given_name", "family_name", "affiliations", "phones", "emails",
        "address", "websites", "topics",
    )
)  # fmt: skip
ADDRESS_KEYS = frozenset(("street", "postal_code", "city", "country"))
AFFILIATION_KEYS = frozenset(("org", "role"))
META_KEYS = frozenset(("title", "source", "as_of"))
# Every key name of the schema: none of them is read as anything but text when written
# without quotes (tests/test_validation.py holds them to that), so that a key written
# plain needs no resolver to be accepted.
PLAIN_TEXT_KEYS = ORGANIZATION_KEYS | PERSON_KEYS | ADDRESS_KEYS | AFFILIATION_KEYS | META_KEYS


@dataclass
class ParsedFile:
    path: str
    meta: Meta | None = None
    organizations: list[Organization] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # positions of references, checked once all files are layered: (kind, id, target, line, col)
    references: list[tuple[str, str, str, int, int]] = field(default_factory=list)
    positions: dict[str, tuple[int, int]] = field(default_factory=dict)
    stopped: bool = False  # reading stopped at MAX_PROBLEMS; the last problem says so


class FileValidator(ValueChecks):
    """Checks one file's values against the schema and builds model objects.

    It is the sink of kjcdir.yamlstream.read: `begin`, `key`, `value`, `section`,
    `item` and `end` while a file is streamed, `whole` for a document handed over
    at once. The top-level keys and the entries are read in file order.
    """

    def __init__(self, path: str, repeat_budget: int = MAX_REPEATED_VALUES) -> None:
        super().__init__(path, repeat_budget)
        self.result = ParsedFile(path, problems=self.problems)
        self.seen_ids: dict[str, tuple[int, int]] = {}
        self.root: Value | None = None
        self.top_keys: dict[str, Value] | None = None  # None: the top is not read
        self.read_entry: Callable[[Value], None] | None = None

    # -- the top of the document (kjcdir.yamlstream.Sink) ------------------------------
    def whole(self, root: Value | None) -> None:
        """A document handed over at once: read it as a stream would be."""
        if root is None or (isinstance(root, Scalar) and scalar_tag(root) == NULL):
            self.problem(root, "the file holds no directory (expected 'organizations' or 'people')")
            return
        self.begin(root)
        if not isinstance(root, Mapping):
            return
        for key, value in root.pairs():
            want = self.key(key)
            if want != SKIP:
                self.value(key, value)
        if not root.more:
            self.end()

    def begin(self, root: Value) -> None:
        self.root = root
        if self.foreign_tag(root):
            return
        if not isinstance(root, Mapping):
            self.problem(
                root, f"the file must be a mapping of keys to values, not a {kind_of(root)}"
            )
            return
        self.enter(root)
        self.top_keys = {}

    def key(self, key: Value) -> int:
        """Check a top-level key; say whether its value is wanted, whole or by items."""
        self.entry_id = self.entry = None
        seen = self.top_keys
        if seen is None:
            return SKIP
        name = self.key_name(key, "the file", seen, TOP_KEYS)
        if name is None:
            return SKIP
        seen[name] = key
        return VALUE if name == "meta" else ITEMS

    def value(self, key: Value, value: Value) -> None:
        name = str(key.value)  # type: ignore[union-attr]  # key() accepted only plain names
        if name == "meta":
            self.meta(value)
            return
        if self.section(key, value) and isinstance(value, Sequence):
            for item in value.items:
                self.item(key, item)
        self.entry_id = self.entry = None

    def section(self, key: Value, start: Value) -> bool:
        """The value of 'organizations' or 'people' begins: is it a list to read?"""
        self.read_entry = None
        if self.foreign_tag(start):
            return False
        if isinstance(start, Scalar) and scalar_tag(start) == NULL:
            return False  # `people:` with nothing under it is an empty list
        if not isinstance(start, Sequence):
            self.problem(start, f"'{key.value}' must be a list, not a {kind_of(start)}")  # type: ignore[union-attr]
            return False
        self.enter(start)
        self.read_entry = self.organization if key.value == "organizations" else self.person  # type: ignore[union-attr]
        return True

    def item(self, key: Value, item: Value) -> None:
        if self.read_entry is not None:
            self.read_entry(item)

    def end(self) -> None:
        self.entry_id = self.entry = None
        if self.top_keys is not None and not self.top_keys.keys() & {"organizations", "people"}:
            self.problem(self.root, "the file has neither 'organizations' nor 'people'")

    # -- schema parts -------------------------------------------------------------
    def emails(self, node: Value) -> tuple[str, ...]:
        found = []
        for value, item in self.text_list(node, "emails"):
            if EMAIL_PATTERN.match(value):
                found.append(value)
            else:
                self.problem(item, f"malformed e-mail address '{shorten(value)}'")
        return tuple(found)

    def websites(self, node: Value) -> tuple[str, ...]:
        found = []
        for value, item in self.text_list(node, "websites", MAX_URL):
            if is_web_url(value):
                found.append(value)
            else:
                self.problem(
                    item, f"malformed URL '{shorten(value)}' (write it as https://host/...)"
                )
        return tuple(found)

    def phones(self, node: Value) -> tuple[Phone, ...]:
        found = []
        for value, item in self.text_list(node, "phones", MAX_PHONE):
            phone = parse_phone(value)
            if phone is None:
                self.problem(item, f"invalid phone number '{shorten(value)}'")
            else:
                found.append(phone)
        return tuple(found)

    def address(self, node: Value) -> Address | None:
        pairs = self.mapping(node, "address", ADDRESS_KEYS)
        if pairs is None:
            return None
        if not pairs:
            self.problem(node, "address is empty")
            return None
        values = {key: self.text(value, key) for key, value in pairs.items()}
        return Address(**values)

    def affiliations(self, node: Value, person_id: str) -> tuple[Affiliation, ...]:
        if self.foreign_tag(node):
            return ()
        if isinstance(node, Scalar) and scalar_tag(node) == NULL:
            return ()
        if not isinstance(node, Sequence):
            self.problem(node, "affiliations must be a list of {org: ..., role: ...}")
            return ()
        self.enter(node)
        if len(node.items) > MAX_AFFILIATIONS or node.more:
            self.too_many(node, "affiliations", MAX_AFFILIATIONS)
            return ()
        found = []
        for item in node.items:
            pairs = self.mapping(item, "an affiliation", AFFILIATION_KEYS, ("org",))
            if not pairs or "org" not in pairs:
                continue
            org_id = self.identifier(pairs["org"], "org")
            role = self.text(pairs["role"], "role") if "role" in pairs else None
            if org_id is not None:
                self.reference("affiliation", person_id, org_id, pairs["org"])
                found.append(Affiliation(org_id, role))
        return tuple(found)

    def reference(self, kind: str, source_id: str, target: str, node: Value) -> None:
        line, column = position(node)
        self.result.references.append((kind, source_id, target, line, column))

    def entry_start(self, pairs: dict[str, Value], node: Value) -> str | None:
        self.entry_id = self.entry = None
        if "id" not in pairs:
            return None
        entry_id = self.identifier(pairs["id"], "id")
        if entry_id is None:
            return None
        self.entry_id = entry_id
        if entry_id in self.seen_ids:
            line, _ = self.seen_ids[entry_id]
            self.problem(pairs["id"], f"duplicate id '{entry_id}' (first used on line {line})")
            return None
        self.seen_ids[entry_id] = position(pairs["id"])
        self.result.positions[entry_id] = position(node)
        return entry_id

    # -- entries ------------------------------------------------------------------
    # The values are read in the order of the fields; an absent key reads as its default.
    def organization(self, node: Value) -> None:
        self.entry_id, self.entry = None, node
        pairs = self.mapping(node, "an organisation", ORGANIZATION_KEYS, ("id", "name"))
        if pairs is None:
            return
        org_id = self.entry_start(pairs, node)
        get = pairs.get
        name = self.text(pairs["name"], "name") if "name" in pairs else None
        short = self.optional_text(get("short"), "short")
        found = get("parent")
        parent = self.identifier(found, "parent") if found is not None else None
        found = get("members")
        members = self.text_list(found, "members", MAX_ID) if found is not None else []
        aliases = self.texts(get("aliases"), "aliases")
        found = get("address")
        address = self.address(found) if found is not None else None
        found = get("websites")
        websites = self.websites(found) if found is not None else ()
        found = get("phones")
        phones = self.phones(found) if found is not None else ()
        found = get("emails")
        emails = self.emails(found) if found is not None else ()
        description = self.optional_text(get("description"), "description", MAX_LONG_TEXT)
        tasks = self.texts(get("tasks"), "tasks", 2000)
        topics = self.texts(get("topics"), "topics")
        if org_id is None or name is None:
            return
        if parent is not None:
            self.reference("parent", org_id, parent, pairs["parent"])
        for member, member_node in members:
            self.reference("member", org_id, member, member_node)
        self.result.organizations.append(
            Organization(
                id=org_id,
                name=name,
                short=short,
                aliases=aliases,
                parent=parent,
                members=tuple(value for value, _ in members),
                address=address,
                websites=websites,
                phones=phones,
                emails=emails,
                description=description,
                tasks=tasks,
                topics=topics,
            )
        )

    def person(self, node: Value) -> None:
        self.entry_id, self.entry = None, node
        pairs = self.mapping(node, "a person", PERSON_KEYS, ("id", "family_name"))
        if pairs is None:
            return
        person_id = self.entry_start(pairs, node)
        get = pairs.get
        family_name = self.optional_text(get("family_name"), "family_name")
        given_name = self.optional_text(get("given_name"), "given_name")
        found = get("affiliations")
        affiliations = self.affiliations(found, person_id or "") if found is not None else ()
        found = get("phones")
        phones = self.phones(found) if found is not None else ()
        found = get("emails")
        emails = self.emails(found) if found is not None else ()
        found = get("address")
        address = self.address(found) if found is not None else None
        found = get("websites")
        websites = self.websites(found) if found is not None else ()
        topics = self.texts(get("topics"), "topics")
        salutation = self.optional_text(get("salutation"), "salutation")
        if person_id is not None and family_name is not None:
            self.result.people.append(
                Person(
                    id=person_id,
                    given_name=given_name,
                    family_name=family_name,
                    affiliations=affiliations,
                    phones=phones,
                    emails=emails,
                    address=address,
                    websites=websites,
                    topics=topics,
                    salutation=salutation,
                )
            )

    def optional_text(
        self, node: Value | None, what: str, limit: int = MAX_SHORT_TEXT
    ) -> str | None:
        return None if node is None else self.text(node, what, limit)

    def texts(self, node: Value | None, what: str, limit: int = MAX_SHORT_TEXT) -> tuple[str, ...]:
        if node is None:
            return ()
        return tuple(value for value, _ in self.text_list(node, what, limit))

    def meta(self, node: Value) -> None:
        pairs = self.mapping(node, "meta", META_KEYS)
        if pairs is None:
            return
        values = {
            key: self.text(value, key, MAX_LONG_TEXT, allow_date=key == "as_of")
            for key, value in pairs.items()
        }
        as_of = values.get("as_of")
        if as_of is not None and not _is_date(as_of):
            self.problem(pairs["as_of"], f"as_of '{shorten(as_of)}' is not a date like 2026-11-24")
            values["as_of"] = None
        self.result.meta = Meta(**{key: value or "" for key, value in values.items()})


def _is_date(text: str) -> bool:
    if not DATE_PATTERN.match(text):
        return False
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return True
