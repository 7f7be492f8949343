"""Directory files → validated model.

YAML is composed into nodes (never constructed into Python objects, so no tag can
run code) and the nodes are checked against the schema while their positions are
still known. Every problem of a file is collected and reported as
``FILE:LINE:COLUMN: message (id)``; the files are then layered, later ids replacing
earlier ones, and cross-references are checked on the result.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

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

# Length limits keep a pasted web page or a runaway value out of cards and caches.
MAX_ID = 100
MAX_SHORT_TEXT = 300
MAX_LONG_TEXT = 10_000
MAX_LIST = 500
MAX_PROBLEMS = 200  # per file; a file with more is broken enough to say so and stop

ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]*\Z")
EMAIL_PATTERN = re.compile(
    r"[\w.!#$%&'*+/=?^`{|}~-]+@[^\W_](?:[\w-]*[^\W_])?(?:\.[^\W_](?:[\w-]*[^\W_])?)+\Z"
)

STR = "tag:yaml.org,2002:str"
SEQ = "tag:yaml.org,2002:seq"
MAP = "tag:yaml.org,2002:map"
PLAIN_SCALAR_TAGS = {
    STR,
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}


def bundled_path() -> Path:
    """The directory file shipped with kjcdir.

    In a wheel it lies inside the package; in a source checkout (editable
    installs, the test suite) it is the repository's data/directory.yaml.
    """
    packaged = Path(__file__).with_name("data") / "directory.yaml"
    if packaged.is_file():
        return packaged
    return Path(__file__).resolve().parents[2] / "data" / "directory.yaml"


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    line: int
    column: int
    message: str
    entry_id: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}: {self.message}"
        return f"{where} ({self.entry_id})" if self.entry_id else where


class DataError(Exception):
    """Directory files that cannot be used; carries every problem found."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


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


class _TooManyProblems(Exception):
    pass


class _FileReader:
    """Checks one file's nodes against the schema and builds model objects."""

    def __init__(self, path: str) -> None:
        self.result = ParsedFile(path)
        self.entry_id: str | None = None
        self.seen_ids: dict[str, tuple[int, int]] = {}

    # -- problems ---------------------------------------------------------------
    def problem(self, node: yaml.Node | None, message: str) -> None:
        line, column = _position(node)
        self.result.problems.append(Problem(self.result.path, line, column, message, self.entry_id))
        if len(self.result.problems) >= MAX_PROBLEMS:
            raise _TooManyProblems

    # -- generic node checks ----------------------------------------------------
    def mapping(
        self, node: yaml.Node, what: str, allowed: Iterable[str], required: Iterable[str] = ()
    ) -> dict[str, yaml.Node] | None:
        if not isinstance(node, yaml.MappingNode) or node.tag != MAP:
            self.problem(node, f"{what} must be a mapping of keys to values")
            return None
        allowed = set(allowed)
        pairs: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str) or key_node.tag not in (STR, "tag:yaml.org,2002:merge"):
                self.problem(key_node, f"{what} has a key that is not a plain name")
            elif key_node.tag == "tag:yaml.org,2002:merge":
                self.problem(key_node, "YAML merge keys (<<) are not supported; write the keys out")
            elif key in pairs:
                self.problem(key_node, f"duplicate key '{key}' in {what}")
            elif key not in allowed:
                self.problem(
                    key_node,
                    f"unknown key '{_shorten(key)}' in {what} (allowed: "
                    f"{', '.join(sorted(allowed))})",
                )
            else:
                pairs[key] = value_node
        for key in required:
            if key not in pairs:
                self.problem(node, f"{what} is missing the key '{key}'")
        return pairs

    def text(
        self, node: yaml.Node, what: str, limit: int = MAX_SHORT_TEXT, allow_date: bool = False
    ) -> str | None:
        if not isinstance(node, yaml.ScalarNode):
            self.problem(node, f"{what} must be text, not a {_kind(node)}")
            return None
        if node.tag not in PLAIN_SCALAR_TAGS:
            self.problem(node, f"YAML tag '{_shorten(node.tag)}' is not allowed")
            return None
        if node.tag == "tag:yaml.org,2002:null":
            self.problem(node, f"{what} is empty")
            return None
        if node.tag != STR and not (allow_date and node.tag == "tag:yaml.org,2002:timestamp"):
            self.problem(node, f"{what} must be text (put it in quotes): {_shorten(node.value)}")
            return None
        value = str(node.value).strip()
        if not value:
            self.problem(node, f"{what} is empty")
            return None
        if len(value) > limit:
            self.problem(node, f"{what} is too long ({len(value)} characters, at most {limit})")
            return None
        return value

    def text_list(
        self, node: yaml.Node, what: str, limit: int = MAX_SHORT_TEXT
    ) -> list[tuple[str, yaml.Node]]:
        if isinstance(node, yaml.ScalarNode) and node.tag == STR:
            # A single value where a list is expected is what people write; accept it.
            items: list[yaml.Node] = [node]
        elif isinstance(node, yaml.SequenceNode) and node.tag == SEQ:
            items = list(node.value)
        else:
            self.problem(node, f"{what} must be a list of text")
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
        for value, item in self.text_list(node, "websites", 2000):
            if _is_web_url(value):
                found.append(value)
            else:
                self.problem(
                    item, f"malformed URL '{_shorten(value)}' (write it as https://host/...)"
                )
        return tuple(found)

    def phones(self, node: yaml.Node) -> tuple[Phone, ...]:
        found = []
        for value, item in self.text_list(node, "phones", 60):
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
        if not isinstance(node, yaml.SequenceNode) or node.tag != SEQ:
            self.problem(node, "affiliations must be a list of {org: ..., role: ...}")
            return ()
        found = []
        for item in node.value[:MAX_LIST]:
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
            "id", "given_name", "family_name", "affiliations", "phones", "emails", "address",
            "websites", "topics",
        )  # fmt: skip
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
        self.result.meta = Meta(**{key: value or "" for key, value in values.items()})

    def document(self, root: yaml.Node | None) -> None:
        if root is None:
            self.problem(None, "the file holds no directory (expected 'organizations' or 'people')")
            return
        pairs = self.mapping(root, "the file", ("meta", "organizations", "people"))
        if pairs is None:
            return
        if not pairs.keys() & {"organizations", "people"}:
            self.problem(root, "the file has neither 'organizations' nor 'people'")
        if "meta" in pairs:
            self.meta(pairs["meta"])
        for key, read in (("organizations", self.organization), ("people", self.person)):
            if key not in pairs:
                continue
            node = pairs[key]
            if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null":
                continue  # `people:` with nothing under it is an empty list
            if not isinstance(node, yaml.SequenceNode) or node.tag != SEQ:
                self.problem(node, f"'{key}' must be a list")
                continue
            for item in node.value:
                read(item)
            self.entry_id = None

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


def _position(node: yaml.Node | None) -> tuple[int, int]:
    if node is None or node.start_mark is None:
        return 1, 1
    return node.start_mark.line + 1, node.start_mark.column + 1


def _kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "mapping"
    if isinstance(node, yaml.SequenceNode):
        return "list"
    return "value"


def _shorten(text: object, limit: int = 60) -> str:
    """Text for a message: one line, bounded, control characters made visible."""
    value = repr(str(text))[1:-1]
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _is_web_url(value: str) -> bool:
    if any(char.isspace() or ord(char) < 32 for char in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    host = parts.hostname or ""
    return parts.scheme in ("http", "https") and "." in host and not host.startswith(".")


def parse_phone(text: str) -> Phone | None:
    """A phone number as written (DIN 5008 preferred) → display and E.164, or None if invalid."""
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


def _din_international(number: Any) -> str:
    import phonenumbers

    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL))


def _decode(path: str, raw: bytes) -> tuple[str | None, Problem | None]:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]  # a UTF-8 byte order mark, as some editors on Windows write
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as error:
        before = raw[: error.start]
        line = before.count(b"\n") + 1
        column = error.start - (before.rfind(b"\n") + 1) + 1
        message = f"not UTF-8 text (byte 0x{raw[error.start]:02x}); save the file as UTF-8"
        return None, Problem(path, line, column, message)


def parse_file(path: str | Path) -> ParsedFile:
    """Read and check one directory file on its own."""
    name = str(path)
    reader = _FileReader(name)
    try:
        raw = Path(path).read_bytes()
    except IsADirectoryError:
        reader.result.problems.append(Problem(name, 1, 1, "is a directory, not a directory file"))
        return reader.result
    except FileNotFoundError:
        reader.result.problems.append(Problem(name, 1, 1, "no such file"))
        return reader.result
    except OSError as error:
        reader.result.problems.append(Problem(name, 1, 1, f"cannot be read: {error.strerror}"))
        return reader.result
    text, problem = _decode(name, raw)
    if problem is not None or text is None:
        reader.result.problems.append(problem or Problem(name, 1, 1, "cannot be decoded"))
        return reader.result
    try:
        root = _compose(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        detail = error.problem or error.context or "malformed YAML"
        reader.result.problems.append(Problem(name, line, column, f"YAML syntax: {detail}"))
        return reader.result
    except (yaml.YAMLError, RecursionError, ValueError) as error:
        reader.result.problems.append(Problem(name, 1, 1, f"YAML syntax: {_shorten(error, 120)}"))
        return reader.result
    try:
        reader.document(root)
    except _TooManyProblems:
        reader.result.problems.append(Problem(name, 1, 1, f"stopped after {MAX_PROBLEMS} problems"))
    return reader.result


def _compose(text: str) -> yaml.Node | None:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.compose(text, Loader=loader)


def layer(files: Sequence[ParsedFile]) -> tuple[Directory, list[Problem]]:
    """Layer parsed files in order (a later id replaces an earlier one) and check references."""
    meta: Meta | None = None
    organizations: dict[str, Organization] = {}
    people: dict[str, Person] = {}
    origin: dict[str, ParsedFile] = {}
    problems: list[Problem] = []
    for parsed in files:
        problems.extend(parsed.problems)
        if meta is None and parsed.meta is not None:
            meta = parsed.meta
        for org in parsed.organizations:
            people.pop(org.id, None)
            organizations[org.id] = org
            origin[org.id] = parsed
        for person in parsed.people:
            organizations.pop(person.id, None)
            people[person.id] = person
            origin[person.id] = parsed
    # references are checked only for the entries that survived the layering
    for parsed in files:
        for kind, source_id, target, line, column in parsed.references:
            if origin.get(source_id) is not parsed:
                continue
            if target not in organizations:
                what = {"parent": "parent", "member": "member", "affiliation": "organisation"}[kind]
                hint = "" if target not in people else " (that id is a person)"
                problems.append(
                    Problem(
                        parsed.path, line, column, f"unknown {what} '{target}'{hint}", source_id
                    )
                )
    problems.extend(_cycles(organizations, origin))
    directory = Directory(
        meta=meta or Meta(),
        organizations=organizations,
        people=People(list(people.values())),
        sources=tuple(parsed.path for parsed in files),
    )
    return directory, problems


def _cycles(organizations: dict[str, Organization], origin: dict[str, ParsedFile]) -> list[Problem]:
    problems = []
    reported: set[str] = set()
    for start in organizations:
        path: list[str] = []
        current: str | None = start
        while current in organizations and current not in path:
            path.append(current)
            current = organizations[current].parent
        if current is not None and current in path and current not in reported:
            cycle = path[path.index(current) :]
            reported.update(cycle)
            parsed = origin[current]
            line, column = parsed.positions.get(current, (1, 1))
            loop = " → ".join([*cycle, current])
            problems.append(Problem(parsed.path, line, column, f"parent cycle: {loop}", current))
    return problems


def load_files(files: Sequence[Path]) -> Directory:
    """Parse, layer and check the files; raise DataError listing every problem."""
    directory, problems = layer([parse_file(path) for path in files])
    if problems:
        raise DataError(problems)
    return directory


def load(paths: Sequence[str | Path], include_bundled: bool = True) -> Directory:
    """Load the bundled file (unless left out) and the users' files, without the cache."""
    return load_files(data_files(paths, include_bundled))


def data_files(paths: Sequence[str | Path], include_bundled: bool = True) -> list[Path]:
    """The files in use, in layering order: the bundled file first, then the users'."""
    files = [bundled_path()] if include_bundled else []
    files.extend(Path(path) for path in paths)
    return files
