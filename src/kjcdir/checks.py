"""Positioned values → checked text, lists and mappings, with a problem for each flaw.

The generic half of validating a directory file (kjcdir.validate holds the schema):
a problem at its FILE:LINE:COLUMN with the id of the entry it belongs to, and at most
MAX_PROBLEMS of them; tags that would build something other than text, lists and
mappings; the budget of repeats through aliases; mappings of allowed keys; text that
shows something and is not too long; lists of text within their limit.
"""

from __future__ import annotations

from collections.abc import Iterable

from kjcdir.errors import Problem
from kjcdir.rules import ID_PATTERN, MAX_ID, MAX_LIST, MAX_SHORT_TEXT, is_visible
from kjcdir.yamlstream import (
    MAP,
    SEQ,
    STR,
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


class Stop(Exception):
    """Reading the file stops here; the reason has been recorded as a problem."""


class TooManyProblems(Stop):
    pass


class CutShort(Stop):
    """A value was cut short where reading stopped; the reader says why."""


class ValueChecks:
    """Checks of positioned values that any part of the schema uses; records problems."""

    def __init__(self, path: str, repeat_budget: int = MAX_REPEATED_VALUES) -> None:
        self.path = path
        self.problems: list[Problem] = []
        self.entry_id: str | None = None
        self.entry: Value | None = None  # an entry whose id is not looked up yet
        # anchored lists and mappings already read: a second read is a repeat (by identity;
        # the reader keeps every anchored value alive, so an identity is never reused)
        self.entered: set[int] = set()
        self.repeat_budget = repeat_budget
        self.strings: dict[str, str] = {}
        # when reading stopped: the list or mapping that outgrew the reader's limit
        self.cut: Collection | None = None

    # -- problems ---------------------------------------------------------------
    def problem(self, node: Value | None, message: str) -> None:
        if self.entry is not None:  # the id of the entry being read, found when first needed
            self.entry_id, self.entry = _peek_id(self.entry), None
        line, column = position(node)
        self.problems.append(Problem(self.path, line, column, message, self.entry_id))
        if len(self.problems) >= MAX_PROBLEMS:
            raise TooManyProblems

    def stop(self, node: Value | None, message: str) -> None:
        self.problem(node, message)
        raise Stop

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
                        f"{position(seen[name])[0]}; one of the two values would be lost)",
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
                    node, f"{what} must be a mapping of keys to values, not a {kind_of(node)}"
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
                self.problem(node, f"{what} must be text, not a {kind_of(node)}")
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
                self.problem(node, f"{what} must be a list of text, not a {kind_of(node)}")
                return []
        elif isinstance(node, Sequence):
            self.enter(node)
            items = node.items
        else:
            self.problem(node, f"{what} must be a list of text, not a {kind_of(node)}")
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


def position(node: Value | None) -> tuple[int, int]:
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


def kind_of(node: Value) -> str:
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


def shorten(text: object, limit: int = 60) -> str:
    """Text for a message: one line, bounded, control characters made visible."""
    value = repr(str(text))[1:-1]
    return value if len(value) <= limit else value[: limit - 1] + "…"
