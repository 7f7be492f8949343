"""The loader kjcdir had before it read YAML as a stream (issue 14), kept as a reference.

It composes the whole document into yaml nodes and checks them against the schema;
tests/test_stream_loader.py compares kjcdir.load with it on random valid and broken
files: the same model and the same problems. One change from the shipped version:
the top-level keys are read in file order (the streaming loader cannot read 'people'
before an 'organizations' that comes after it), so a duplicate id shared by an
organisation and a person is reported at whichever comes second in the file.
Phone numbers are read with kjcdir.phones (issue 16 changed how they are shown, which
is no part of reading a file). Remove this file together with that test.
"""

from __future__ import annotations

import contextlib
import datetime
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from kjcdir.errors import Problem
from kjcdir.model import (
    Address,
    Affiliation,
    Meta,
    Organization,
    Person,
    Phone,
)
from kjcdir.phones import parse_phone
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

MAX_ORG_DEPTH = 16  # levels of parents: association › unit › team is three
MAX_PROBLEMS = 200  # per file; a file with more is broken enough to say so and stop
MAX_FILE_BYTES = 64 * 1024 * 1024  # about 250,000 people; more is not a directory file
# Aliases (*name) may repeat an anchored list or mapping (an address shared by many
# people, say), but the repeats may not add more values than this beyond the file's
# own size: an "alias bomb" of nested repeats is refused instead of expanded.
MAX_REPEATED_VALUES = 100_000

STR = "tag:yaml.org,2002:str"
SEQ = "tag:yaml.org,2002:seq"
MAP = "tag:yaml.org,2002:map"
NULL = "tag:yaml.org,2002:null"
MERGE = "tag:yaml.org,2002:merge"
TIMESTAMP = "tag:yaml.org,2002:timestamp"
PLAIN_SCALAR_TAGS = {
    STR,
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    NULL,
    TIMESTAMP,
}
# The tags YAML gives plain text, lists and mappings by itself. Any other tag
# (!!python/object, !!binary, !custom, ...) is refused before its node is read.
KNOWN_TAGS: dict[type[yaml.Node], set[str]] = {
    yaml.ScalarNode: {*PLAIN_SCALAR_TAGS, MERGE},
    yaml.SequenceNode: {SEQ},
    yaml.MappingNode: {MAP},
}
YAML_TAG_PREFIX = "tag:yaml.org,2002:"
DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}\Z")


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


class _Stop(Exception):
    """Reading the file stops here; the reason has been recorded as a problem."""


class _TooManyProblems(_Stop):
    pass


class _FileReader:
    """Checks one file's nodes against the schema and builds model objects."""

    def __init__(self, path: str, repeat_budget: int = MAX_REPEATED_VALUES) -> None:
        self.result = ParsedFile(path)
        self.entry_id: str | None = None
        self.seen_ids: dict[str, tuple[int, int]] = {}
        self.entered: set[int] = set()  # lists and mappings already read (by identity)
        self.repeat_budget = repeat_budget

    # -- problems ---------------------------------------------------------------
    def problem(self, node: yaml.Node | None, message: str) -> None:
        line, column = _position(node)
        self.result.problems.append(Problem(self.result.path, line, column, message, self.entry_id))
        if len(self.result.problems) >= MAX_PROBLEMS:
            raise _TooManyProblems

    def stop(self, node: yaml.Node | None, message: str) -> None:
        self.problem(node, message)
        raise _Stop

    # -- generic node checks ----------------------------------------------------
    def foreign_tag(self, node: yaml.Node) -> bool:
        """Report a tag that would build something other than text, lists and mappings."""
        if node.tag in KNOWN_TAGS.get(type(node), ()):
            return False
        tag = str(node.tag)
        if tag.startswith(YAML_TAG_PREFIX):
            tag = "!!" + tag[len(YAML_TAG_PREFIX) :]
        self.problem(
            node,
            f"YAML tag '{_shorten(tag)}' is not allowed "
            "(a directory file holds text, lists and mappings only)",
        )
        return True

    def enter(self, node: yaml.SequenceNode | yaml.MappingNode) -> None:
        """Count a list or mapping read a second time through an alias against the budget.

        Composed YAML shares the node of an anchor among its aliases, so a repeat is
        a node seen before. Reading is bounded by the schema's depth; the budget
        bounds its breadth, so nested aliases cannot multiply the work.
        """
        if id(node) not in self.entered:
            self.entered.add(id(node))
            return
        self.repeat_budget -= len(node.value)
        if self.repeat_budget < 0:
            self.stop(
                node,
                "the value anchored here is repeated through aliases (*) so often that the "
                "file would grow far beyond its size (an alias bomb); write the values out",
            )

    def mapping(
        self, node: yaml.Node, what: str, allowed: Iterable[str], required: Iterable[str] = ()
    ) -> dict[str, yaml.Node] | None:
        if self.foreign_tag(node):
            return None
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, f"{what} must be a mapping of keys to values, not a {_kind(node)}")
            return None
        self.enter(node)
        allowed = set(allowed)
        pairs: dict[str, yaml.Node] = {}
        keys: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key_node.tag == MERGE:
                self.problem(key_node, "YAML merge keys (<<) are not supported; write the keys out")
            elif not isinstance(key, str) or key_node.tag != STR:
                shown = f" '{_shorten(key)}'" if isinstance(key, str) else ""
                self.problem(key_node, f"{what} has a key{shown} that is not a plain name")
            elif key in pairs:
                self.problem(
                    key_node,
                    f"duplicate key '{_shorten(key)}' in {what} (the first is on line "
                    f"{_position(keys[key])[0]}; one of the two values would be lost)",
                )
            elif key not in allowed:
                self.problem(
                    key_node,
                    f"unknown key '{_shorten(key)}' in {what} (allowed: "
                    f"{', '.join(sorted(allowed))})",
                )
            else:
                pairs[key] = value_node
                keys[key] = key_node
        for key in required:
            if key not in pairs:
                self.problem(node, f"{what} is missing the key '{key}'")
        return pairs

    def text(
        self, node: yaml.Node, what: str, limit: int = MAX_SHORT_TEXT, allow_date: bool = False
    ) -> str | None:
        if self.foreign_tag(node):
            return None
        if not isinstance(node, yaml.ScalarNode):
            self.problem(node, f"{what} must be text, not a {_kind(node)}")
            return None
        if node.tag == NULL:
            self.problem(node, f"{what} is empty")
            return None
        if node.tag != STR and not (allow_date and node.tag == TIMESTAMP):
            self.problem(node, f"{what} must be text (put it in quotes): {_shorten(node.value)}")
            return None
        value = str(node.value).strip()
        if not value:
            self.problem(node, f"{what} is empty")
            return None
        if not is_visible(value):
            self.problem(node, f"{what} holds only invisible characters: '{_shorten(value)}'")
            return None
        if len(value) > limit:
            self.problem(node, f"{what} is too long ({len(value)} characters, at most {limit})")
            return None
        return value

    def text_list(
        self, node: yaml.Node, what: str, limit: int = MAX_SHORT_TEXT
    ) -> list[tuple[str, yaml.Node]]:
        if self.foreign_tag(node):
            return []
        if isinstance(node, yaml.ScalarNode) and node.tag == NULL:
            return []  # `topics:` with nothing after it is an empty list
        if isinstance(node, yaml.ScalarNode) and node.tag == STR:
            # A single value where a list is expected is what people write; accept it.
            items: list[yaml.Node] = [node]
        elif isinstance(node, yaml.SequenceNode):
            self.enter(node)
            items = list(node.value)
        else:
            self.problem(node, f"{what} must be a list of text, not a {_kind(node)}")
            return []
        if len(items) > MAX_LIST:
            self.problem(node, f"{what} has too many items ({len(items)}, at most {MAX_LIST})")
            return []
        values = []
        for item in items:
            value = self.text(item, f"an item of {what}", limit)
            if value is not None:
                values.append((value, item))
        return values

    def identifier(self, node: yaml.Node, what: str) -> str | None:
        value = self.text(node, what, MAX_ID)
        if value is not None and not ID_PATTERN.match(value):
            self.problem(node, f"{what} '{_shorten(value)}' may only hold a-z, 0-9 and '-'")
            return None
        return value

    # -- schema parts -------------------------------------------------------------
    def emails(self, node: yaml.Node) -> tuple[str, ...]:
        found = []
        for value, item in self.text_list(node, "emails"):
            if EMAIL_PATTERN.match(value):
                found.append(value)
            else:
                self.problem(item, f"malformed e-mail address '{_shorten(value)}'")
        return tuple(found)

    def websites(self, node: yaml.Node) -> tuple[str, ...]:
        found = []
        for value, item in self.text_list(node, "websites", MAX_URL):
            if is_web_url(value):
                found.append(value)
            else:
                self.problem(
                    item, f"malformed URL '{_shorten(value)}' (write it as https://host/...)"
                )
        return tuple(found)

    def phones(self, node: yaml.Node) -> tuple[Phone, ...]:
        found = []
        for value, item in self.text_list(node, "phones", MAX_PHONE):
            phone = parse_phone(value)
            if phone is None:
                self.problem(item, f"invalid phone number '{_shorten(value)}'")
            else:
                found.append(phone)
        return tuple(found)

    def address(self, node: yaml.Node) -> Address | None:
        keys = ("street", "postal_code", "city", "country")
        pairs = self.mapping(node, "address", keys)
        if pairs is None:
            return None
        if not pairs:
            self.problem(node, "address is empty")
            return None
        values = {key: self.text(value, key) for key, value in pairs.items()}
        return Address(**values)

    def affiliations(self, node: yaml.Node, person_id: str) -> tuple[Affiliation, ...]:
        if self.foreign_tag(node):
            return ()
        if isinstance(node, yaml.ScalarNode) and node.tag == NULL:
            return ()
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, "affiliations must be a list of {org: ..., role: ...}")
            return ()
        self.enter(node)
        if len(node.value) > MAX_AFFILIATIONS:
            self.problem(
                node,
                f"affiliations has too many items ({len(node.value)}, at most {MAX_AFFILIATIONS})",
            )
            return ()
        found = []
        for item in node.value:
            pairs = self.mapping(item, "an affiliation", ("org", "role"), ("org",))
            if not pairs or "org" not in pairs:
                continue
            org_id = self.identifier(pairs["org"], "org")
            role = self.text(pairs["role"], "role") if "role" in pairs else None
            if org_id is not None:
                self.reference("affiliation", person_id, org_id, pairs["org"])
                found.append(Affiliation(org_id, role))
        return tuple(found)

    def reference(self, kind: str, source_id: str, target: str, node: yaml.Node) -> None:
        line, column = _position(node)
        self.result.references.append((kind, source_id, target, line, column))

    def entry_start(self, pairs: dict[str, yaml.Node], node: yaml.Node) -> str | None:
        self.entry_id = None
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
    def organization(self, node: yaml.Node) -> None:
        keys = (
            "id", "name", "short", "aliases", "parent", "members", "address", "websites",
            "phones", "emails", "description", "tasks", "topics",
        )  # fmt: skip
        self.entry_id = _peek_id(node)
        pairs = self.mapping(node, "an organisation", keys, ("id", "name"))
        if pairs is None:
            return
        org_id = self.entry_start(pairs, node)
        name = self.text(pairs["name"], "name") if "name" in pairs else None
        values = _Values(pairs)
        short = values.get("short", lambda n: self.text(n, "short"))
        parent = values.get("parent", lambda n: self.identifier(n, "parent"))
        members = values.get("members", lambda n: self.text_list(n, "members", MAX_ID), [])
        org = Organization(
            id=org_id or "",
            name=name or "",
            short=short,
            aliases=tuple(v for v, _ in values.get("aliases", self._list("aliases"), [])),
            parent=parent,
            members=tuple(v for v, _ in members),
            address=values.get("address", self.address),
            websites=values.get("websites", self.websites, ()),
            phones=values.get("phones", self.phones, ()),
            emails=values.get("emails", self.emails, ()),
            description=values.get("description", self._long_text("description")),
            tasks=tuple(v for v, _ in values.get("tasks", self._list("tasks", 2000), [])),
            topics=tuple(v for v, _ in values.get("topics", self._list("topics"), [])),
        )
        if org_id is None or name is None:
            return
        if parent is not None:
            self.reference("parent", org_id, parent, pairs["parent"])
        for member, member_node in members:
            self.reference("member", org_id, member, member_node)
        self.result.organizations.append(org)

    def person(self, node: yaml.Node) -> None:
        keys = (
            "id", "salutation", "given_name", "family_name", "affiliations", "phones", "emails",
            "address", "websites", "topics",
        )  # fmt: skip
        self.entry_id = _peek_id(node)
        pairs = self.mapping(node, "a person", keys, ("id", "family_name"))
        if pairs is None:
            return
        person_id = self.entry_start(pairs, node)
        values = _Values(pairs)
        family_name = values.get("family_name", lambda n: self.text(n, "family_name"))
        person = Person(
            id=person_id or "",
            given_name=values.get("given_name", lambda n: self.text(n, "given_name")),
            family_name=family_name or "",
            affiliations=values.get(
                "affiliations", lambda n: self.affiliations(n, person_id or ""), ()
            ),
            phones=values.get("phones", self.phones, ()),
            emails=values.get("emails", self.emails, ()),
            address=values.get("address", self.address),
            websites=values.get("websites", self.websites, ()),
            topics=tuple(v for v, _ in values.get("topics", self._list("topics"), [])),
            salutation=values.get("salutation", lambda n: self.text(n, "salutation")),
        )
        if person_id is not None and family_name is not None:
            self.result.people.append(person)

    def meta(self, node: yaml.Node) -> None:
        pairs = self.mapping(node, "meta", ("title", "source", "as_of"))
        if pairs is None:
            return
        values = {
            key: self.text(value, key, MAX_LONG_TEXT, allow_date=key == "as_of")
            for key, value in pairs.items()
        }
        as_of = values.get("as_of")
        if as_of is not None and not _is_date(as_of):
            self.problem(pairs["as_of"], f"as_of '{_shorten(as_of)}' is not a date like 2026-11-24")
            values["as_of"] = None
        self.result.meta = Meta(**{key: value or "" for key, value in values.items()})

    def document(self, root: yaml.Node | None) -> None:
        if root is None or (isinstance(root, yaml.ScalarNode) and root.tag == NULL):
            self.problem(root, "the file holds no directory (expected 'organizations' or 'people')")
            return
        if self.foreign_tag(root):
            return
        if not isinstance(root, yaml.MappingNode):
            self.problem(root, f"the file must be a mapping of keys to values, not a {_kind(root)}")
            return
        self.enter(root)
        allowed = ("meta", "organizations", "people")
        seen: dict[str, yaml.Node] = {}
        # file order: each key is checked, then its value read, before the next key
        for key_node, node in root.value:
            self.entry_id = None
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key_node.tag == MERGE:
                self.problem(key_node, "YAML merge keys (<<) are not supported; write the keys out")
                continue
            if not isinstance(key, str) or key_node.tag != STR:
                shown = f" '{_shorten(key)}'" if isinstance(key, str) else ""
                self.problem(key_node, f"the file has a key{shown} that is not a plain name")
                continue
            if key in seen:
                self.problem(
                    key_node,
                    f"duplicate key '{_shorten(key)}' in the file (the first is on line "
                    f"{_position(seen[key])[0]}; one of the two values would be lost)",
                )
                continue
            if key not in allowed:
                self.problem(
                    key_node,
                    f"unknown key '{_shorten(key)}' in the file (allowed: {', '.join(allowed)})",
                )
                continue
            seen[key] = key_node
            if key == "meta":
                self.meta(node)
                continue
            read = self.organization if key == "organizations" else self.person
            if self.foreign_tag(node):
                continue
            if isinstance(node, yaml.ScalarNode) and node.tag == NULL:
                continue  # `people:` with nothing under it is an empty list
            if not isinstance(node, yaml.SequenceNode):
                self.problem(node, f"'{key}' must be a list, not a {_kind(node)}")
                continue
            self.enter(node)
            for item in node.value:
                read(item)
        self.entry_id = None
        if not seen.keys() & {"organizations", "people"}:
            self.problem(root, "the file has neither 'organizations' nor 'people'")

    # small factories that keep the entry readers short
    def _list(self, what: str, limit: int = MAX_SHORT_TEXT) -> Callable[[yaml.Node], Any]:
        return lambda node: self.text_list(node, what, limit)

    def _long_text(self, what: str) -> Callable[[yaml.Node], str | None]:
        return lambda node: self.text(node, what, MAX_LONG_TEXT)


class _Values:
    """Reads optional keys of one mapping: absent keys give the default."""

    def __init__(self, pairs: dict[str, yaml.Node]) -> None:
        self.pairs = pairs

    def get(self, key: str, read: Callable[[yaml.Node], Any], default: Any = None) -> Any:
        if key not in self.pairs:
            return default
        value = read(self.pairs[key])
        return default if value is None else value


def _peek_id(node: yaml.Node) -> str | None:
    """The entry's id if it has a well-formed one, so that its key problems can name it."""
    if not isinstance(node, yaml.MappingNode):
        return None
    for key, value in node.value:
        if isinstance(key, yaml.ScalarNode) and key.tag == STR and key.value == "id":
            text = value.value if isinstance(value, yaml.ScalarNode) else None
            if value.tag == STR and isinstance(text, str) and ID_PATTERN.match(text.strip()):
                return text.strip() if len(text) <= MAX_ID else None
    return None


def _position(node: yaml.Node | None) -> tuple[int, int]:
    if node is None or node.start_mark is None:
        return 1, 1
    return node.start_mark.line + 1, node.start_mark.column + 1


def _kind(node: yaml.Node) -> str:
    """What a node holds, in words: "must be text, not a list"."""
    if isinstance(node, yaml.MappingNode):
        return "mapping"
    if isinstance(node, yaml.SequenceNode):
        return "list"
    kinds = {
        NULL: "empty value",
        TIMESTAMP: "date",
        "tag:yaml.org,2002:int": "number",
        "tag:yaml.org,2002:float": "number",
        "tag:yaml.org,2002:bool": "yes/no value",
    }
    return kinds.get(str(node.tag), "piece of text")


def _is_date(text: str) -> bool:
    if not DATE_PATTERN.match(text):
        return False
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _shorten(text: object, limit: int = 60) -> str:
    """Text for a message: one line, bounded, control characters made visible."""
    value = repr(str(text))[1:-1]
    return value if len(value) <= limit else value[: limit - 1] + "…"


_UNICODE_BOMS = (
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\xfe\xff", "UTF-16"),
    (b"\xff\xfe", "UTF-16"),
)


def _decode(path: str, raw: bytes) -> tuple[str | None, Problem | None]:
    """The file's text; a file in another encoding is a problem at its first foreign byte."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]  # a UTF-8 byte order mark, as some editors on Windows write
    for bom, encoding in _UNICODE_BOMS:
        if raw.startswith(bom):
            return None, Problem(path, 1, 1, f"is {encoding} text; save the file as UTF-8")
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as error:
        before = raw[: error.start]
        line = before.count(b"\n") + 1
        line_start = before.rfind(b"\n") + 1
        column = len(before[line_start:].decode("utf-8", "replace")) + 1
        message = (
            f"not UTF-8 text (byte 0x{raw[error.start]:02x}, as Latin-1 or Windows-1252 "
            "files have); save the file as UTF-8"
        )
        return None, Problem(path, line, column, message)


def parse_bytes(name: str, raw: bytes) -> ParsedFile:
    """Read and check one directory file's bytes, as kjcdir.load.parse_file did."""
    reader = _FileReader(name)
    text, problem = _decode(name, raw)
    if problem is not None or text is None:
        reader.result.problems.append(problem or Problem(name, 1, 1, "cannot be decoded"))
        return reader.result
    try:
        root = _compose(text)
    except yaml.YAMLError as error:
        line, column, message = _syntax_problem(error, text)
        reader.result.problems.append(Problem(name, line, column, message))
        return reader.result
    except RecursionError:
        reader.result.problems.append(
            Problem(name, 1, 1, "YAML syntax: exceeded maximum nesting depth")
        )
        return reader.result
    reader.repeat_budget = MAX_REPEATED_VALUES + len(text) // 8
    with contextlib.suppress(_Stop):
        reader.document(root)
    result = reader.result
    result.stopped = len(result.problems) >= MAX_PROBLEMS
    result.problems = _limited(name, result.problems, result.stopped)
    return result


def _limited(path: str, problems: Sequence[Problem], stopped: bool = False) -> list[Problem]:
    """One file's problems by position, at most MAX_PROBLEMS of them and then a line that
    says the list stops there (also when reading the file had already stopped)."""
    ordered = sorted(problems, key=lambda problem: (problem.line, problem.column))
    if not stopped and len(ordered) <= MAX_PROBLEMS:
        return ordered
    kept = ordered[:MAX_PROBLEMS]
    last = kept[-1] if kept else Problem(path, 1, 1, "")
    kept.append(Problem(path, last.line, last.column, f"stopped after {MAX_PROBLEMS} problems"))
    return kept


def _syntax_problem(error: yaml.YAMLError, text: str) -> tuple[int, int, str]:
    """A YAML error as a position and one sentence."""
    if isinstance(error, yaml.reader.ReaderError):
        # libyaml gives a byte offset, pure-Python PyYAML a character offset: find the character
        character = error.character if isinstance(error.character, int) else 0
        offset = text.find(chr(character)) if 0 <= character <= 0x10FFFF else -1
        line, column = _offset_position(text, max(offset, 0))
        return (
            line,
            column,
            (
                f"the character U+{character:04X} is not allowed in a YAML file "
                "(control characters must be written as escapes in double quotes); remove it"
            ),
        )
    if not isinstance(error, yaml.MarkedYAMLError):
        return 1, 1, f"YAML syntax: {_shorten(error, 120)}"
    mark = error.problem_mark or error.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = _one_line(error.problem or "malformed YAML")
    context = _one_line(error.context or "")
    context_line = error.context_mark.line + 1 if error.context_mark else None
    if context == "expected a single document in the stream":
        message = (
            "the file holds a second YAML document (after '---'); "
            "a directory file holds one, so split it into two files"
        )
    elif "duplicate anchor" in context:
        message = f"the anchor is defined a second time (first on line {context_line})"
    elif "cannot start any token" in problem and _character_at(text, line, column) == "\t":
        message = "a tab cannot indent YAML or start a value; indent with spaces"
    elif context and context_line is not None and context_line != line:
        message = f"YAML syntax: {problem} ({context} on line {context_line})"
    elif context:
        message = f"YAML syntax: {problem} ({context})"
    else:
        message = f"YAML syntax: {problem}"
    return line, column, message


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _offset_position(text: str, offset: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


def _character_at(text: str, line: int, column: int) -> str:
    lines = text.split("\n", line)
    if line - 1 < len(lines) and column - 1 < len(lines[line - 1]):
        return lines[line - 1][column - 1]
    return ""


def _compose(text: str) -> yaml.Node | None:
    """The document as nodes with their positions; nothing is constructed, no tag runs."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.compose(text, Loader=loader)
