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
import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from kjcdir.errors import Problem
from kjcdir.model import Address, Affiliation, Meta, Organization, Person, Phone
from kjcdir.rules import (
    EMAIL_PATTERN,
    ID_PATTERN,
    MAX_AFFILIATIONS,
    MAX_ID,
    MAX_LIST,
    MAX_LONG_TEXT,
    MAX_PHONE,
    MAX_SHORT_TEXT,
    MAX_URL,
    is_visible,
    is_web_url,
)
from kjcdir.yamlstream import (
    ITEMS,
    MAP,
    SEQ,
    SKIP,
    STR,
    VALUE,
    Collection,
    Mapping,
    Scalar,
    Sequence,
    Value,
    scalar_tag,
)

MAX_PROBLEMS = 200  # per file; a file with more is broken enough to say so and stop
# Aliases (*name) may repeat an anchored list or mapping (an address shared by many
# people, say), but the repeats may not add more values than this beyond the file's
# own size: an "alias bomb" of nested repeats is refused instead of expanded.
MAX_REPEATED_VALUES = 100_000

NULL = "tag:yaml.org,2002:null"
MERGE = "tag:yaml.org,2002:merge"
TIMESTAMP = "tag:yaml.org,2002:timestamp"
PLAIN_SCALAR_TAGS = frozenset(
    {
        STR,
        "tag:yaml.org,2002:int",
        "tag:yaml.org,2002:float",
        "tag:yaml.org,2002:bool",
        NULL,
        TIMESTAMP,
    }
)
# The tags YAML gives plain text, lists and mappings by itself. Any other tag
# (!!python/object, !!binary, !custom, ...) is refused before its value is read.
SCALAR_TAGS = PLAIN_SCALAR_TAGS | {MERGE}
YAML_TAG_PREFIX = "tag:yaml.org,2002:"
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
    stopped: bool = False  # reading stopped at a limit; the last problem says so


class Stop(Exception):
    """Reading the file stops here; the reason has been recorded as a problem."""


class TooManyProblems(Stop):
    pass


class CutShort(Stop):
    """A value was cut short where reading stopped; the reader says why."""


class FileValidator:
    """Checks one file's values against the schema and builds model objects.

    It is the sink of kjcdir.yamlstream.read: `begin`, `key`, `value`, `section`,
    `item` and `end` while a file is streamed, `whole` for a document handed over
    at once. The top-level keys and the entries are read in file order.
    """

    def __init__(self, path: str, repeat_budget: int = MAX_REPEATED_VALUES) -> None:
        self.result = ParsedFile(path)
        self.entry_id: str | None = None
        self.seen_ids: dict[str, tuple[int, int]] = {}
        # anchored lists and mappings already read: a second read is a repeat (by identity;
        # the reader keeps every anchored value alive, so an identity is never reused)
        self.entered: set[int] = set()
        self.repeat_budget = repeat_budget
        self.root: Value | None = None
        self.top_keys: dict[str, Value] | None = None  # None: the top is not read
        self.read_entry: Callable[[Value], None] | None = None
        self.strings: dict[str, str] = {}
        self.entry: Value | None = None  # an entry whose id is not looked up yet
        # when reading stopped: the list or mapping that outgrew the reader's limit
        self.cut: Collection | None = None

    # -- problems ---------------------------------------------------------------
    def problem(self, node: Value | None, message: str) -> None:
        if self.entry is not None:  # the id of the entry being read, found when first needed
            self.entry_id, self.entry = _peek_id(self.entry), None
        line, column = _position(node)
        self.result.problems.append(Problem(self.result.path, line, column, message, self.entry_id))
        if len(self.result.problems) >= MAX_PROBLEMS:
            raise TooManyProblems

    def stop(self, node: Value | None, message: str) -> None:
        self.problem(node, message)
        raise Stop

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
            self.problem(root, f"the file must be a mapping of keys to values, not a {_kind(root)}")
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
            self.problem(start, f"'{key.value}' must be a list, not a {_kind(start)}")  # type: ignore[union-attr]
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

    # -- generic value checks ---------------------------------------------------
    def foreign_tag(self, node: Value) -> bool:
        """Report a tag that would build something other than text, lists and mappings."""
        if isinstance(node, Scalar):
            tag = scalar_tag(node)
            if tag in SCALAR_TAGS:
                return False
        else:
            tag = node.tag
            if tag == (MAP if isinstance(node, Mapping) else SEQ):
                return False
        if tag.startswith(YAML_TAG_PREFIX):
            tag = "!!" + tag[len(YAML_TAG_PREFIX) :]
        self.problem(
            node,
            f"YAML tag '{shorten(tag)}' is not allowed "
            "(a directory file holds text, lists and mappings only)",
        )
        return True

    def enter(self, node: Sequence | Mapping) -> None:
        """Count a list or mapping read a second time through an alias against the budget.

        An alias shares the value of its anchor, so a repeat is an anchored value seen
        before. Reading is bounded by the schema's depth; the budget bounds its breadth,
        so nested aliases cannot multiply the work.
        """
        if node.anchor is None:
            return  # no alias can name it: it is read once
        if id(node) not in self.entered:
            self.entered.add(id(node))
            return
        self.repeat_budget -= _size(node)
        if self.repeat_budget < 0:
            self.stop(
                node,
                "the value anchored here is repeated through aliases (*) so often that the "
                "file would grow far beyond its size (an alias bomb); write the values out",
            )

    def key_name(
        self, key: Value, what: str, seen: dict[str, Value], allowed: frozenset[str]
    ) -> str | None:
        """A key of a mapping if it is a plain, new and allowed name; else why not."""
        if isinstance(key, Scalar):
            name = key.value
            tag = scalar_tag(key)
            if tag == STR:
                if name in seen:
                    self.problem(
                        key,
                        f"duplicate key '{shorten(name)}' in {what} (the first is on line "
                        f"{_position(seen[name])[0]}; one of the two values would be lost)",
                    )
                elif name not in allowed:
                    self.problem(
                        key,
                        f"unknown key '{shorten(name)}' in {what} (allowed: "
                        f"{', '.join(sorted(allowed))})",
                    )
                else:
                    return str(name)
                return None
            if tag == MERGE:
                self.problem(key, "YAML merge keys (<<) are not supported; write the keys out")
                return None
            self.problem(key, f"{what} has a key '{shorten(name)}' that is not a plain name")
            return None
        self.problem(key, f"{what} has a key that is not a plain name")
        return None

    def mapping(
        self, node: Value, what: str, allowed: frozenset[str], required: Iterable[str] = ()
    ) -> dict[str, Value] | None:
        if not isinstance(node, Mapping):
            if not self.foreign_tag(node):
                self.problem(
                    node, f"{what} must be a mapping of keys to values, not a {_kind(node)}"
                )
            return None
        if node.tag != MAP:
            self.foreign_tag(node)
            return None
        if node.anchor is not None:
            self.enter(node)
        pairs: dict[str, Value] = {}
        keys: dict[str, Value] = {}
        items = node.items
        for index in range(0, len(items) - 1, 2):
            key = items[index]
            if isinstance(key, Scalar) and key.tag is None:
                plain: str = key.value
                # the schema's names are text whether quoted or not (PLAIN_TEXT_KEYS)
                if plain in allowed and plain not in pairs:
                    pairs[plain] = items[index + 1]
                    keys[plain] = key
                    continue
            name = self.key_name(key, what, keys, allowed)
            if name is not None:
                pairs[name] = items[index + 1]
                keys[name] = key
        if not node.more:  # keys after a stop are unknown
            for needed in required:
                if needed not in pairs:
                    self.problem(node, f"{what} is missing the key '{needed}'")
        return pairs

    def text(
        self, node: Value, what: str, limit: int = MAX_SHORT_TEXT, allow_date: bool = False
    ) -> str | None:
        # Most values are sound text: quoted, or plain and read as text, printable, not
        # too long. They are taken here; the rest is checked again below, with its problem.
        if (
            node.__class__ is Scalar
            and node.tag is None
            and (not node.implicit[0] or scalar_tag(node) == STR)
        ):
            value: str = node.value.strip()
            if value and len(value) <= limit and value.isprintable():
                return self.strings.setdefault(value, value) if len(value) <= 64 else value
        return self.checked_text(node, what, limit, allow_date)

    def checked_text(
        self, node: Value, what: str, limit: int = MAX_SHORT_TEXT, allow_date: bool = False
    ) -> str | None:
        if not isinstance(node, Scalar):
            if not self.foreign_tag(node):
                self.problem(node, f"{what} must be text, not a {_kind(node)}")
            return None
        # quoted text without a tag is text: no resolver needs to look at it
        if node.tag is not None or node.implicit[0]:
            tag = scalar_tag(node)
            if tag != STR:
                if self.foreign_tag(node):
                    return None
                if tag == NULL:
                    self.problem(node, f"{what} is empty")
                    return None
                if not (allow_date and tag == TIMESTAMP):
                    self.problem(
                        node, f"{what} must be text (put it in quotes): {shorten(node.value)}"
                    )
                    return None
        value = node.value.strip()
        if not value:
            self.problem(node, f"{what} is empty")
            return None
        # printable text that does not start with a space (it is stripped) shows something
        if not value.isprintable() and not is_visible(value):
            self.problem(node, f"{what} holds only invisible characters: '{shorten(value)}'")
            return None
        if len(value) > limit:
            self.problem(node, f"{what} is too long ({len(value)} characters, at most {limit})")
            return None
        # names, roles, places and topics repeat from person to person: keep one copy
        return self.strings.setdefault(value, value) if len(value) <= 64 else value

    def text_list(
        self, node: Value, what: str, limit: int = MAX_SHORT_TEXT
    ) -> list[tuple[str, Value]]:
        if self.foreign_tag(node):
            return []
        if isinstance(node, Scalar):
            tag = scalar_tag(node)
            if tag == NULL:
                return []  # `topics:` with nothing after it is an empty list
            if tag == STR:
                # A single value where a list is expected is what people write; accept it.
                items: list[Value] = [node]
            else:
                self.problem(node, f"{what} must be a list of text, not a {_kind(node)}")
                return []
        elif isinstance(node, Sequence):
            self.enter(node)
            items = node.items
        else:
            self.problem(node, f"{what} must be a list of text, not a {_kind(node)}")
            return []
        if len(items) > MAX_LIST or (isinstance(node, Sequence) and node.more):
            self.too_many(node, what, MAX_LIST)
            return []
        values = []
        item_of = f"an item of {what}"
        text = self.text
        for item in items:
            value = text(item, item_of, limit)
            if value is not None:
                values.append((value, item))
        return values

    def too_many(self, node: Sequence | Scalar, what: str, limit: int) -> None:
        """A list over its limit. Where reading stopped the list is only the first part of
        one: if it is the list that outgrew the reader's limit, that is the problem."""
        if isinstance(node, Sequence) and node.more:
            self.cut_short(node)
            self.stop(
                node, f"{what} has too many items (more than {_size(node):,}, at most {limit})"
            )
        self.problem(node, f"{what} has too many items ({_size(node)}, at most {limit})")

    def cut_short(self, node: Value) -> None:
        """Stop at a list read only in part, unless it is the one that outgrew the limit."""
        if isinstance(node, Collection) and node.more and node is not self.cut:
            raise CutShort

    def identifier(self, node: Value, what: str) -> str | None:
        value = self.text(node, what, MAX_ID)
        if value is not None and not ID_PATTERN.match(value):
            self.problem(node, f"{what} '{shorten(value)}' may only hold a-z, 0-9 and '-'")
            return None
        return value

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
        line, column = _position(node)
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
        self.seen_ids[entry_id] = _position(pairs["id"])
        self.result.positions[entry_id] = _position(node)
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


def _peek_id(node: Value) -> str | None:
    """The entry's id if it has a well-formed one, so that its key problems can name it."""
    if not isinstance(node, Mapping):
        return None
    items = node.items
    for index in range(0, len(items) - 1, 2):
        key, value = items[index], items[index + 1]
        if not (isinstance(key, Scalar) and key.value == "id" and scalar_tag(key) == STR):
            continue
        if isinstance(value, Scalar) and scalar_tag(value) == STR:
            text = str(value.value)
            if ID_PATTERN.match(text.strip()):
                return text.strip() if len(text) <= MAX_ID else None
    return None


def _position(node: Value | None) -> tuple[int, int]:
    if node is None or node.start_mark is None:
        return 1, 1
    return node.start_mark.line + 1, node.start_mark.column + 1


def _size(node: Sequence | Mapping | Scalar) -> int:
    """How many items a list holds, or pairs a mapping (a lone value: one)."""
    if isinstance(node, Mapping):
        return len(node.items) // 2
    if isinstance(node, Sequence):
        return len(node.items)
    return 1


def _kind(node: Value) -> str:
    """What a value holds, in words: "must be text, not a list"."""
    if isinstance(node, Mapping):
        return "mapping"
    if isinstance(node, Sequence):
        return "list"
    kinds = {
        NULL: "empty value",
        TIMESTAMP: "date",
        "tag:yaml.org,2002:int": "number",
        "tag:yaml.org,2002:float": "number",
        "tag:yaml.org,2002:bool": "yes/no value",
    }
    return kinds.get(scalar_tag(node), "piece of text")


def _is_date(text: str) -> bool:
    if not DATE_PATTERN.match(text):
        return False
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def shorten(text: object, limit: int = 60) -> str:
    """Text for a message: one line, bounded, control characters made visible."""
    value = repr(str(text))[1:-1]
    return value if len(value) <= limit else value[: limit - 1] + "…"


# "+49 611 1706-69": a German number in international form, digits, spaces and hyphens
_GERMAN_INTERNATIONAL = re.compile(r"\+49[ -]*[1-9][0-9 -]*\Z")


@functools.lru_cache(maxsize=4096)
def parse_phone(text: str) -> Phone | None:
    """A phone number as written (DIN 5008 preferred) → display and E.164, or None if invalid."""
    digits = _german_digits(text)
    if digits is not None:
        return Phone(display=text, e164="+49" + digits) if _german_numbers().valid(digits) else None
    import phonenumbers  # only the loader needs it; cached directories skip it

    try:
        number = phonenumbers.parse(text, "DE")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    display = text if text.startswith("+") else _din_international(number)
    return Phone(display=display, e164=e164)


def _german_digits(text: str) -> str | None:
    """The national number of a German number in the form most files use (+49, then
    digits, spaces and hyphens), or None for any other form.

    For that form phonenumbers.parse(text, "DE") finds country code 49 and the national
    number of all further digits: nothing in it is an extension, and Germany's national
    prefix (0) cannot start it. Its lengths are those parse accepts (2 to 17 digits).
    """
    if _GERMAN_INTERNATIONAL.match(text) is None:
        return None
    digits = text[3:].replace(" ", "").replace("-", "")
    return digits if 2 <= len(digits) <= 17 else None


class _NumberPatterns:
    """phonenumbers' test of a valid number of one region, compiled once.

    phonenumbers.is_valid_number accepts a national number that matches the region's
    general description and the description of any one type (fixed line, mobile, toll
    free, ...), each of them a set of lengths and a pattern. Asked the same, with the
    patterns compiled once, that costs a sixth of the time; a first load of many people
    spends much of its time here. tests/test_validation.py holds the two to the same
    answers.
    """

    # phonenumbers asks in another order, for the type; any order gives the same validity,
    # and most numbers in a directory are fixed lines and mobiles
    TYPES = (
        "fixed_line", "mobile", "toll_free", "premium_rate", "shared_cost", "voip",
        "personal_number", "pager", "uan", "voicemail",
    )  # fmt: skip

    def __init__(self, region: str) -> None:
        from phonenumbers import PhoneMetadata

        metadata = PhoneMetadata.metadata_for_region(region)
        self.general = _description(getattr(metadata, "general_desc", None))
        self.types = [
            found
            for name in self.TYPES
            if (found := _description(getattr(metadata, name, None))) is not None
        ]

    def valid(self, national_number: str) -> bool:
        if self.general is None or not _matches(self.general, national_number):
            return False
        return any(_matches(description, national_number) for description in self.types)


def _description(description: Any) -> tuple[frozenset[int], re.Pattern[str]] | None:
    if description is None or not description.national_number_pattern:
        return None
    return frozenset(description.possible_length), re.compile(description.national_number_pattern)


def _matches(description: tuple[frozenset[int], re.Pattern[str]], number: str) -> bool:
    lengths, pattern = description
    if lengths and len(number) not in lengths:
        return False
    return pattern.fullmatch(number) is not None


@functools.cache
def _german_numbers() -> _NumberPatterns:
    return _NumberPatterns("DE")


def _din_international(number: Any) -> str:
    import phonenumbers

    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL))
