"""Hostile files (issue 6, item 1; SPEC 1.4 and 6).

Every file here is one that a user could hand kjcdir: edited by hand, pasted from a web
page or a spreadsheet, saved in the wrong encoding, or built to hurt. For each, both
`kjcdir check FILE` and `kjcdir --data FILE find x` must finish within seconds with exit 2
and problems of the form `FILE:LINE:COLUMN: message` (a valid file: exit 0 or 1), never a
traceback, and no YAML tag may build a Python object.
"""

from __future__ import annotations

import os
import random
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import run_process
from kjcdir.load import (
    MAX_FILE_BYTES,
    MAX_ID,
    MAX_LIST,
    MAX_LONG_TEXT,
    MAX_ORG_DEPTH,
    MAX_PROBLEMS,
    MAX_SHORT_TEXT,
    parse_file,
)

SECONDS = 10.0  # "within seconds": generous for slow CI machines, far below a hang

VALID_PERSON = "people:\n  - id: anna-meier\n    given_name: Anna\n    family_name: Meier\n"


@dataclass(frozen=True)
class Hostile:
    """A broken file: its bytes, and where (line) and what (a phrase) kjcdir must report."""

    name: str
    content: bytes | Callable[[], bytes]
    line: int
    phrase: str

    def data(self) -> bytes:
        return self.content() if callable(self.content) else self.content


def _u(text: str) -> bytes:
    return text.encode("utf-8")


def _nested(depth: int, opening: str, closing: str, inner: str = "") -> bytes:
    return _u("people: " + opening * depth + inner + closing * depth + "\n")


def _billion_laughs(field: str | None) -> bytes:
    """Nine levels of nine aliases each: 9**9 values if anything expanded them."""
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 10):
        lines.append(f"l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 9) + "]")
    if field is None:  # anchors under unknown top-level keys
        return _u("\n".join(lines) + "\npeople: []\n")
    # the anchors on lines 2-11 (as unknown keys of meta), the field on line 15; the items
    # of l9 are the l8 list of line 10, where YAML places them
    anchors = "".join(f"  {line}\n" for line in lines)
    return _u(
        f"meta:\n{anchors}people:\n  - id: anna-meier\n    family_name: Meier\n    {field}: *l9\n"
    )


def _amplifier() -> bytes:
    """Valid-looking people that all repeat one long anchored list: linear text, no linear work."""
    topics = ", ".join(f"topic-{n}" for n in range(MAX_LIST))
    lines = [f"people:\n  - {{id: p0, family_name: X, topics: &t [{topics}]}}\n"]
    lines += [f"  - {{id: p{n}, family_name: X, topics: *t}}\n" for n in range(1, 20_000)]
    return _u("".join(lines))


def _many_problems() -> bytes:
    return _u("people:\n" + "".join(f"  - {{id: P{n}, family_name: X}}\n" for n in range(5000)))


def _deep_parents() -> bytes:
    lines = ["organizations:\n"]
    for n in range(3000):  # o0 is the top, o1 its unit, o2 a unit of o1, ...
        parent = f", parent: o{n - 1}" if n else ""
        lines.append(f"  - {{id: o{n}, name: Org {n}{parent}}}\n")
    return _u("".join(lines))


def _random_bytes() -> bytes:
    # fixed seed: the same bytes on every run; a lone continuation byte first is never UTF-8
    return b"\x80" + random.Random(6).randbytes(64 * 1024)


HOSTILE = [
    # -- YAML syntax
    Hostile("unclosed-list", _u("people:\n  - id: a\n    family_name: [Meier\n"), 4, "YAML syntax"),
    Hostile("unclosed-quote", _u("people:\n  - id: 'a\n    family_name: M\n"), 4, "quoted scalar"),
    Hostile("value-after-value", _u("people:\n  - id: a\n    family_name: a: b\n"), 3, "YAML"),
    Hostile("bad-indentation", _u("people:\n  - id: a\n   family_name: M\n"), 3, "YAML syntax"),
    Hostile("tab-indentation", _u("people:\n\t- id: a\n\t  family_name: M\n"), 2, "tab"),
    Hostile("two-documents", _u(VALID_PERSON + "---\n" + VALID_PERSON), 5, "second YAML document"),
    Hostile("dashes-twice", _u("---\n---\n"), 2, "second YAML document"),
    Hostile("undefined-alias", _u("people:\n  - *nobody\n"), 2, "alias"),
    Hostile("duplicate-anchor", _u("a: &x 1\nb: &x 2\npeople: []\n"), 2, "anchor"),
    # -- encodings and bytes
    Hostile(
        "latin-1", "people:\n  - id: a\n    family_name: Müller\n".encode("latin-1"), 3, "UTF-8"
    ),
    Hostile(
        "latin-1-after-umlauts",
        _u("people:\n  - id: a\n    family_name: Groß-") + "Müller\n".encode("latin-1"),
        3,
        "byte 0xfc",
    ),
    Hostile("windows-1252", "people: []\n# Gebühr 5 €\n".encode("cp1252"), 2, "UTF-8"),
    Hostile("utf-16-bom", VALID_PERSON.encode("utf-16"), 1, "UTF-16"),
    Hostile("utf-16-no-bom", VALID_PERSON.encode("utf-16-le"), 1, "U+0000"),
    Hostile("utf-32-bom", VALID_PERSON.encode("utf-32"), 1, "UTF-32"),
    Hostile("nul-byte", _u("people:\n  - id: a\n    family_name: Me\x00ier\n"), 3, "U+0000"),
    Hostile("raw-escape", _u("people:\n  - id: a\n    family_name: \x1b[2J\n"), 3, "U+001B"),
    Hostile("raw-c1-control", _u("people:\n  - id: a\n    family_name: A\u009bB\n"), 3, "U+009B"),
    Hostile("random-bytes", _random_bytes, 1, "not UTF-8"),
    # -- not a directory
    Hostile("empty", b"", 1, "holds no directory"),
    Hostile("only-dashes", _u("---\n"), 2, "holds no directory"),
    Hostile("only-comments", _u("# nothing here\n# at all\n"), 1, "holds no directory"),
    Hostile("bom-only", b"\xef\xbb\xbf", 1, "holds no directory"),
    Hostile("list-at-top", _u("- id: a\n  family_name: M\n"), 1, "mapping"),
    Hostile("scalar-at-top", _u("Anna Meier, HLT, 0611 1706-0\n"), 1, "mapping"),
    Hostile("number-at-top", _u("42\n"), 1, "mapping"),
    Hostile("unknown-top-key", _u("contacts: []\npeople: []\n"), 1, "unknown key 'contacts'"),
    Hostile("neither-list", _u("meta: {title: T}\n"), 1, "neither 'organizations' nor 'people'"),
    Hostile("people-a-mapping", _u("people:\n  anna: {family_name: M}\n"), 2, "must be a list"),
    Hostile("people-a-number", _u("people: 5\n"), 1, "must be a list"),
    # -- resource exhaustion
    Hostile("nesting-20000-lists", _nested(20_000, "[", "]"), 1, "nesting"),
    Hostile("nesting-20000-maps", _nested(20_000, "{a: ", "}", "b"), 1, "nesting"),
    Hostile(
        "string-10-mb",
        lambda: _u('people:\n  - id: a\n    family_name: "' + "x" * 10_000_000 + '"\n'),
        3,
        "too long",
    ),
    Hostile(
        "plain-line-10-mb",
        lambda: _u("people:\n  - id: a\n    family_name: M\n    topics: " + "y" * 10_000_000),
        4,
        "too long",
    ),
    Hostile("billion-laughs-unused", lambda: _billion_laughs(None), 1, "unknown key"),
    Hostile("billion-laughs-in-topics", lambda: _billion_laughs("topics"), 10, "topics"),
    Hostile("billion-laughs-in-phones", lambda: _billion_laughs("phones"), 10, "phones"),
    Hostile("alias-amplifier", _amplifier, 2, "alias bomb"),
    Hostile("recursive-alias", _u("people: &a [*a]\n"), 1, "must be a mapping"),
    Hostile(
        "recursive-alias-in-topics",
        _u("people:\n  - {id: a, family_name: M, topics: &t [x, *t]}\n"),
        2,
        "must be text",
    ),
    Hostile("5000-broken-people", _many_problems, 2, "may only hold"),
    Hostile("3000-deep-parents", _deep_parents, 2 + MAX_ORG_DEPTH, "deeper than"),
    # -- lost data and wrong schema
    Hostile("duplicate-key", _u(VALID_PERSON + "    family_name: Maier\n"), 5, "duplicate key"),
    Hostile("duplicate-top-key", _u(VALID_PERSON + "people: []\n"), 5, "duplicate key 'people'"),
    Hostile(
        "duplicate-address-key",
        _u(VALID_PERSON + "    address: {city: Kassel, city: Fulda}\n"),
        5,
        "duplicate key 'city'",
    ),
    Hostile("duplicate-id", _u(VALID_PERSON + "  - id: anna-meier\n    family_name: M\n"), 5, "id"),
    Hostile("merge-key", _u("people:\n  - <<: {id: a}\n    family_name: M\n"), 2, "merge"),
    Hostile(
        "person-without-name", _u("people:\n  - id: a\n    given_name: Anna\n"), 2, "family_name"
    ),
    Hostile("person-empty-name", _u("people:\n  - id: a\n    family_name: ''\n"), 3, "empty"),
    Hostile("person-null-name", _u("people:\n  - id: a\n    family_name:\n"), 3, "empty"),
    Hostile(
        "person-invisible-name",
        _u('people:\n  - id: a\n    family_name: "\\u200b\\u202e\\x00"\n'),
        3,
        "invisible",
    ),
    Hostile("person-is-text", _u("people:\n  - Anna Meier\n"), 2, "must be a mapping"),
    Hostile("person-unknown-key", _u(VALID_PERSON + "    nickname: A\n"), 5, "unknown key"),
    Hostile("organisation-without-name", _u("organizations:\n  - id: o\n"), 2, "'name'"),
    Hostile(
        "own-parent", _u("organizations:\n  - id: o\n    name: O\n    parent: o\n"), 2, "cycle"
    ),
    Hostile(
        "parent-cycle",
        _u("organizations:\n  - {id: a, name: A, parent: b}\n  - {id: b, name: B, parent: a}\n"),
        2,
        "parent cycle",
    ),
    Hostile(
        "unknown-organisation",
        _u(VALID_PERSON + "    affiliations: [{org: nowhere}]\n"),
        5,
        "unknown organisation",
    ),
    Hostile("as-of-not-a-date", _u("meta: {as_of: 2026-13-45}\npeople: []\n"), 1, "not a date"),
]


def _write(tmp_path: Path, case: Hostile) -> Path:
    path = tmp_path / f"{case.name}.yaml"
    path.write_bytes(case.data())
    return path


def _problem_lines(stderr: str, path: Path) -> list[tuple[int, int, str]]:
    """stderr as (line, column, message) of the file; fails on any other kind of line."""
    pattern = re.compile(re.escape(str(path)) + r":(\d+):(\d+): (\S.*)")
    found = []
    for text in stderr.splitlines():
        if text.startswith("kjcdir: … and "):  # `find` shows 20 and counts the rest
            continue
        match = pattern.fullmatch(text)
        assert match, f"not a FILE:LINE:COLUMN problem of {path.name}: {text!r}"
        found.append((int(match[1]), int(match[2]), match[3]))
    assert found, "no problem reported"
    return found


def assert_refused(result, path: Path, line: int, phrase: str, seconds: float) -> None:  # type: ignore[no-untyped-def]
    assert seconds < SECONDS, f"took {seconds:.1f} s"
    assert result.exit_code == 2, (result.stdout, result.stderr[:2000])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stdout == ""
    problems = _problem_lines(result.stderr, path)
    assert any(at == line and phrase in message for at, _, message in problems), (
        line,
        phrase,
        problems[:5],
    )
    for _, column, message in problems:
        assert column >= 1
        assert len(message) < 400, message  # one sentence, not a dump of the value


def timed(run: Callable[[], object]) -> tuple[object, float]:
    start = time.perf_counter()
    result = run()
    return result, time.perf_counter() - start


@pytest.mark.parametrize("case", HOSTILE, ids=lambda case: case.name)
def test_check_refuses_the_file(cli, tmp_path: Path, case: Hostile) -> None:
    path = _write(tmp_path, case)
    result, seconds = timed(lambda: cli("check", str(path)))
    assert_refused(result, path, case.line, case.phrase, seconds)


@pytest.mark.parametrize("case", HOSTILE, ids=lambda case: case.name)
def test_find_refuses_the_file(cli, tmp_path: Path, case: Hostile) -> None:
    path = _write(tmp_path, case)
    result, seconds = timed(lambda: cli("--data", str(path), "find", "x"))
    assert_refused(result, path, case.line, case.phrase, seconds)


def test_problems_of_a_file_are_in_line_order(cli, tmp_path: Path) -> None:
    path = tmp_path / "order.yaml"
    path.write_text(
        "people:\n  - id: a\n    topics: {x: 1}\n    given_name: [G]\n    family_name: 7\n"
        "    emails: [nope]\n    phones: [123]\n    nickname: N\n",
        encoding="utf-8",
    )
    problems = _problem_lines(cli("--no-bundled", "check", str(path)).stderr, path)
    assert [line for line, _, _ in problems] == [3, 4, 5, 6, 7, 8]


def test_a_flood_of_problems_is_cut_short(cli, tmp_path: Path) -> None:
    path = tmp_path / "flood.yaml"
    path.write_bytes(_many_problems())
    check = cli("--no-bundled", "check", str(path))
    problems = _problem_lines(check.stderr, path)
    assert len(problems) == MAX_PROBLEMS + 1
    assert problems[-1][2] == f"stopped after {MAX_PROBLEMS} problems"
    find = cli("--data", str(path), "find", "x")
    assert len(find.stderr.splitlines()) == 21
    assert find.stderr.splitlines()[-1].startswith("kjcdir: … and ")


# -- YAML tags that would build Python objects --------------------------------------------

PYTHON_TAGS = [
    "!!python/object/apply:os.system [{command}]",
    "!!python/object/apply:subprocess.check_output [[sh, -c, {command}]]",
    "!!python/object/new:subprocess.Popen [[sh, -c, {command}]]",
    "!!python/object:os.system {{args: [{command}]}}",
    "!!python/name:os.system",
    "!!python/module:os",
    '!<tag:yaml.org,2002:python/object/apply:os.system> ["{command}"]',
    "!!binary aGVsbG8=",
    "!!set {{a, b}}",
    "!custom {command}",
]


@pytest.mark.parametrize("where", ["top", "entry", "field", "list-item"])
@pytest.mark.parametrize("payload", PYTHON_TAGS)
def test_python_tags_never_run(cli, tmp_path: Path, payload: str, where: str) -> None:
    sentinel = tmp_path / "pwned"
    value = payload.format(command=f"touch {sentinel}")
    text = {
        "top": f"{value}\n",
        "entry": f"people:\n  - {value}\n",
        "field": f"people:\n  - id: a\n    family_name: {value}\n",
        "list-item": (
            f"people:\n  - id: a\n    family_name: M\n    topics:\n      - x\n      - {value}\n"
        ),
    }[where]
    line = {"top": 1, "entry": 2, "field": 3, "list-item": 6}[where]
    path = tmp_path / "tags.yaml"
    path.write_text(text, encoding="utf-8")
    for args in (["check", str(path)], ["--data", str(path), "find", "x"]):
        result, seconds = timed(lambda args=args: cli(*args))
        assert_refused(result, path, line, "YAML tag", seconds)
    assert not sentinel.exists()


def test_python_tags_never_run_in_a_real_process(tmp_path: Path) -> None:
    sentinel = tmp_path / "pwned"
    path = tmp_path / "tags.yaml"
    path.write_text(
        "people:\n  - id: a\n"
        f"    family_name: !!python/object/apply:os.system [touch {sentinel}]\n",
        encoding="utf-8",
    )
    result = run_process("--data", str(path), "find", "x")
    assert result.returncode == 2
    assert result.stderr.startswith(f"{path}:3:18: YAML tag '!!python/object/apply:os.system'")
    assert not sentinel.exists()


# -- wrong types in every field ------------------------------------------------------------

ORG_TEXT = ["name", "short", "parent", "description"]
ORG_LISTS = ["aliases", "members", "websites", "phones", "emails", "tasks", "topics"]
PERSON_TEXT = ["given_name", "family_name"]
PERSON_LISTS = ["phones", "emails", "websites", "topics"]
ADDRESS_KEYS = ["street", "postal_code", "city", "country"]

NOT_TEXT = {
    "list": "[x]",
    "mapping": "{a: b}",
    "number": "42",
    "boolean": "true",
    "date": "2026-01-01",
}
NOT_A_LIST = {
    "mapping": "{a: b}",
    "number": "42",
    "boolean": "false",
    "nested": "[[x]]",
    "items": "[{a: b}]",
}
NOT_A_MAPPING = {"list": "[x]", "text": "Wiesbaden", "number": "65189"}


def _org(field: str, value: str) -> str:
    lines = {"id": "o", "name": "O"}
    lines[field] = value
    body = "".join(f"    {key}: {text}\n" for key, text in lines.items()).replace("    ", "  - ", 1)
    return "organizations:\n" + body


def _person(field: str, value: str) -> str:
    lines = {"id": "p", "family_name": "P"}
    lines[field] = value
    body = "".join(f"    {key}: {text}\n" for key, text in lines.items()).replace("    ", "  - ", 1)
    return "organizations:\n  - {id: o, name: O}\npeople:\n" + body


# what kjcdir says of each wrong value, after the field's name
TEXT_SAYS = {
    "list": "must be text, not a list",
    "mapping": "must be text, not a mapping",
    "number": "must be text (put it in quotes): 42",
    "boolean": "must be text (put it in quotes): true",
    "date": "must be text (put it in quotes): 2026-01-01",
}
LIST_SAYS = {
    "mapping": "{} must be a list of text, not a mapping",
    "number": "{} must be a list of text, not a number",
    "boolean": "{} must be a list of text, not a yes/no value",
    "nested": "an item of {} must be text, not a list",
    "items": "an item of {} must be text, not a mapping",
}
ADDRESS_SAYS = {
    "list": "address must be a mapping of keys to values, not a list",
    "text": "address must be a mapping of keys to values, not a piece of text",
    "number": "address must be a mapping of keys to values, not a number",
}
AFFILIATIONS_SAYS = {
    "list": "an affiliation must be a mapping of keys to values, not a piece of text",
    "text": "affiliations must be a list of {org: ..., role: ...}",
    "number": "affiliations must be a list of {org: ..., role: ...}",
    "mapping": "affiliations must be a list of {org: ..., role: ...}",
    "item-text": "an affiliation must be a mapping of keys to values, not a piece of text",
}


def _wrong_types() -> list[object]:
    cases: list[object] = []

    def case(text: str, entry_id: str | None, says: str, name: str) -> None:
        cases.append(pytest.param(text, entry_id, says, id=name))

    for field in ORG_TEXT:
        for kind, value in NOT_TEXT.items():
            case(_org(field, value), "o", f"{field} {TEXT_SAYS[kind]}", f"org-{field}-{kind}")
    for field in ORG_LISTS:
        for kind, value in NOT_A_LIST.items():
            case(_org(field, value), "o", LIST_SAYS[kind].format(field), f"org-{field}-{kind}")
    for kind, value in NOT_A_MAPPING.items():
        case(_org("address", value), "o", ADDRESS_SAYS[kind], f"org-address-{kind}")
    for field in PERSON_TEXT:
        for kind, value in NOT_TEXT.items():
            case(_person(field, value), "p", f"{field} {TEXT_SAYS[kind]}", f"person-{field}-{kind}")
    for field in PERSON_LISTS:
        for kind, value in NOT_A_LIST.items():
            case(
                _person(field, value), "p", LIST_SAYS[kind].format(field), f"person-{field}-{kind}"
            )
    for kind, value in {**NOT_A_MAPPING, "mapping": "{org: o}", "item-text": "[o]"}.items():
        case(_person("affiliations", value), "p", AFFILIATIONS_SAYS[kind], f"affiliations-{kind}")
    for kind, value in NOT_TEXT.items():
        affiliation = f"[{{org: o, role: {value}}}]"
        case(_person("affiliations", affiliation), "p", f"role {TEXT_SAYS[kind]}", f"role-{kind}")
        affiliation = f"[{{org: {value}}}]"
        case(_person("affiliations", affiliation), "p", f"org {TEXT_SAYS[kind]}", f"org-ref-{kind}")
        for key in ADDRESS_KEYS:
            address = f"{{{key}: {value}}}"
            case(_person("address", address), "p", f"{key} {TEXT_SAYS[kind]}", f"{key}-{kind}")
        meta = f"people: []\nmeta: {{title: {value}}}\n"
        case(meta, None, f"title {TEXT_SAYS[kind]}", f"meta-title-{kind}")
    return cases


@pytest.mark.parametrize(("text", "entry_id", "says"), _wrong_types())
def test_wrong_types_in_every_field(
    cli, tmp_path: Path, text: str, entry_id: str | None, says: str
) -> None:
    path = tmp_path / "types.yaml"
    path.write_text(text, encoding="utf-8")
    # the wrong value is always on the last line of the file
    line = text.count("\n")
    result, seconds = timed(lambda: cli("--no-bundled", "check", str(path)))
    assert_refused(result, path, line, says, seconds)
    problems = _problem_lines(result.stderr, path)
    assert all(at == line for at, _, _ in problems), problems
    if entry_id is not None:
        assert all(message.endswith(f"({entry_id})") for _, _, message in problems), problems


# -- ids and lengths -------------------------------------------------------------------------

BAD_IDS = {
    "uppercase": "Anna-Meier",
    "underscore": "anna_meier",
    "space": "'anna meier'",
    "leading-hyphen": "-anna",
    "umlaut": "jürgen",
    "fullwidth": "ａｎｎａ",
    "zero-width-space": '"anna\\u200bmeier"',
    "right-to-left-override": '"anna\\u202emeier"',
    "newline": '"anna\\nmeier"',
    "dot": "anna.meier",
    "slash": "../../etc/passwd",
    "emoji": '"anna-🙂"',
    "too-long": "a" * (MAX_ID + 1),
    "empty": "''",
    "number": "1234",
}


def _bad_id_name(value: str) -> str:
    return next(name for name, bad in BAD_IDS.items() if bad == value)


@pytest.mark.parametrize("value", BAD_IDS.values(), ids=BAD_IDS.keys())
@pytest.mark.parametrize("kind", ["person", "organisation", "reference"])
def test_ids_outside_the_pattern(cli, tmp_path: Path, value: str, kind: str) -> None:
    text = {
        "person": f"people:\n  - id: {value}\n    family_name: M\n",
        "organisation": f"organizations:\n  - id: {value}\n    name: O\n",
        "reference": (
            f"people:\n  - id: p\n    family_name: M\n    affiliations: [{{org: {value}}}]\n"
        ),
    }[kind]
    path = tmp_path / "ids.yaml"
    path.write_text(text, encoding="utf-8")
    line = 2 if kind != "reference" else 4
    field = "org" if kind == "reference" else "id"
    says = {
        "too-long": f"{field} is too long ({MAX_ID + 1} characters, at most {MAX_ID})",
        "empty": f"{field} is empty",
        "number": f"{field} must be text (put it in quotes): 1234",
    }.get(_bad_id_name(value), "may only hold a-z, 0-9 and '-'")
    for args in (["check", str(path)], ["--data", str(path), "find", "x"]):
        result, seconds = timed(lambda args=args: cli(*args))
        assert_refused(result, path, line, says, seconds)
        if says.startswith("may only"):
            assert f"{field} '" in result.stderr  # the id named, inertly


LIMITS = [
    ("id", MAX_ID),
    ("family_name", MAX_SHORT_TEXT),
    ("given_name", MAX_SHORT_TEXT),
    ("salutation", MAX_SHORT_TEXT),
    ("topics", MAX_SHORT_TEXT),
    ("emails", MAX_SHORT_TEXT),
    ("phones", 60),
    ("websites", 2000),
]


@pytest.mark.parametrize(("field", "limit"), LIMITS, ids=[field for field, _ in LIMITS])
def test_fields_have_length_limits(cli, tmp_path: Path, field: str, limit: int) -> None:
    long = "a" * (limit + 1)
    values = {"id": "p", "family_name": "M", field: long}
    if field == "emails":
        values[field] = "a" * (limit - 4) + "@x.de"
    body = "".join(f"    {key}: {text}\n" for key, text in values.items()).replace(
        "    ", "  - ", 1
    )
    path = tmp_path / "long.yaml"
    path.write_text("people:\n" + body, encoding="utf-8")
    line = 2 + list(values).index(field)
    result, seconds = timed(lambda: cli("--no-bundled", "check", str(path)))
    assert_refused(result, path, line, "too long", seconds)


def test_organisation_texts_have_length_limits(cli, tmp_path: Path) -> None:
    path = tmp_path / "long.yaml"
    path.write_text(
        "organizations:\n  - id: o\n"
        f"    name: {'n' * (MAX_SHORT_TEXT + 1)}\n"
        f"    description: {'d' * (MAX_LONG_TEXT + 1)}\n"
        f"    tasks: [{'t' * 2001}]\n"
        f"    topics: [{', '.join(['t'] * (MAX_LIST + 1))}]\n",
        encoding="utf-8",
    )
    problems = _problem_lines(cli("--no-bundled", "check", str(path)).stderr, path)
    assert [(line, "too" in message) for line, _, message in problems] == [
        (3, True),
        (4, True),
        (5, True),
        (6, True),
    ]


# -- files that are fine, however odd ------------------------------------------------------

VALID = {
    "utf-8-bom": b"\xef\xbb\xbf" + _u(VALID_PERSON),
    "crlf": _u(VALID_PERSON.replace("\n", "\r\n")),
    "no-final-newline": _u(VALID_PERSON.rstrip("\n")),
    "explicit-document": _u("---\n" + VALID_PERSON + "...\n"),
    "empty-lists": _u("people:\norganizations: []\n"),
    "empty-optional-lists": _u(VALID_PERSON + "    topics:\n    phones: []\n    emails:\n"),
    "shared-address-alias": _u(
        "organizations:\n  - id: o\n    name: O\n"
        "    address: &wi {street: Frankfurter Str. 2, postal_code: '65189', city: Wiesbaden}\n"
        "people:\n"
        + "".join(
            f"  - {{id: p{n}, family_name: P{n}, address: *wi, affiliations: [{{org: o}}]}}\n"
            for n in range(2000)
        )
    ),
    "escapes-in-double-quotes": _u(
        'people:\n  - id: a\n    family_name: "\\e[31mRot\\x9b\\u202e\\0"\n'
    ),
    "markup-and-formulas": _u(
        "people:\n  - id: a\n    family_name: '[bold red]=cmd|calc[/]'\n    topics: ['@SUM(A1)']\n"
    ),
    "unicode-everywhere": _u(
        'people:\n  - id: a\n    given_name: "Zoe\\u0301 \\u200b"\n'
        "    family_name: 'Öztürk \U0001f469\u200d\U0001f4bc'\n"
    ),
}


@pytest.mark.parametrize("content", VALID.values(), ids=VALID.keys())
def test_odd_but_valid_files_are_read(cli, tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "valid.yaml"
    path.write_bytes(content)
    check = cli("check", str(path))
    assert check.exit_code == 0, check.stderr
    assert check.stderr == ""
    assert f"{path}: ok" in check.stdout
    find = cli("--data", str(path), "find", "x")
    assert find.exit_code in (0, 1), find.stderr
    assert "Traceback" not in find.stdout + find.stderr
    assert find.exception is None or isinstance(find.exception, SystemExit)


def test_null_lists_are_empty_lists(tmp_path: Path) -> None:
    path = tmp_path / "valid.yaml"
    path.write_bytes(VALID["empty-optional-lists"])
    parsed = parse_file(path)
    assert parsed.problems == []
    assert parsed.people[0].topics == ()
    assert parsed.people[0].emails == ()


# -- paths that are not files ------------------------------------------------------------------


def _assert_path_refused(cli, path: Path, phrase: str) -> None:  # type: ignore[no-untyped-def]
    for args in (["check", str(path)], ["--data", str(path), "find", "x"]):
        result, seconds = timed(lambda args=args: cli(*args))
        assert_refused(result, path, 1, phrase, seconds)


def test_a_directory_given_as_a_file(cli, tmp_path: Path) -> None:
    _assert_path_refused(cli, tmp_path, "is a directory")


def test_a_missing_path(cli, tmp_path: Path) -> None:
    _assert_path_refused(cli, tmp_path / "nowhere.yaml", "no such file")


def test_a_path_under_a_file(cli, tmp_path: Path) -> None:
    (tmp_path / "file.yaml").write_text(VALID_PERSON, encoding="utf-8")
    _assert_path_refused(cli, tmp_path / "file.yaml" / "more.yaml", "cannot be read")


@pytest.mark.skipif(sys.platform == "win32", reason="Windows has no file modes")
def test_an_unreadable_file(cli, tmp_path: Path) -> None:
    """A file its reader may not read: one sentence, exit 2. Root reads any file, so as
    root (CI runs as root) kjcdir runs as another user, by setpriv."""
    if os.geteuid() != 0:
        path = tmp_path / "secret.yaml"
        path.write_text(VALID_PERSON, encoding="utf-8")
        path.chmod(0)
        try:
            _assert_path_refused(cli, path, "cannot be read")
        finally:
            path.chmod(0o600)
        return
    import shutil
    import subprocess
    import tempfile

    from conftest import OTHER_UID, as_another_user, kjcdir_executable

    as_other = as_another_user()
    # under /tmp itself: pytest's tmp_path lies in a 0700 folder the other user cannot enter
    base = Path(tempfile.mkdtemp(prefix="kjcdir-unreadable-", dir="/tmp"))
    try:
        base.chmod(0o755)
        path = base / "secret.yaml"
        path.write_text(VALID_PERSON, encoding="utf-8")
        path.chmod(0o600)  # root's own, and no one else's
        cache = base / "cache"
        cache.mkdir()
        os.chown(cache, OTHER_UID, OTHER_UID)
        env = {**os.environ, "HOME": str(cache), "KJCDIR_CACHE_DIR": str(cache)}
        for args in (["check", str(path)], ["--data", str(path), "find", "x"]):
            result = subprocess.run(
                [*as_other, kjcdir_executable(), *args],
                capture_output=True,
                text=True,
                env=env,
                timeout=60,
            )
            assert result.returncode == 2, result.stderr
            assert result.stderr == f"{path}:1:1: cannot be read: Permission denied\n"
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_a_file_too_large(cli, tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with open(path, "wb") as stream:
        stream.truncate(MAX_FILE_BYTES + 1)  # sparse: costs no disk
    _assert_path_refused(cli, path, "too large")


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_an_endless_device(cli) -> None:
    _assert_path_refused(cli, Path("/dev/zero"), "too large")


def test_a_hostile_file_name(cli, tmp_path: Path) -> None:
    path = tmp_path / "evil\x1b[2J\nname.yaml"
    path.write_text("people: 5\n", encoding="utf-8")
    result = cli("check", str(path))
    assert result.exit_code == 2
    assert "\x1b" not in result.stderr
    assert len(result.stderr.splitlines()) == 1  # the newline in the name is made visible


def test_the_broken_file_among_several_is_named(cli, tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(VALID_PERSON, encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(VALID_PERSON + "  - id: B\n    family_name: M\n", encoding="utf-8")
    result = cli("--data", str(good), "--data", str(bad), "find", "meier")
    assert_refused(result, bad, 5, "id 'B'", 0)
    env = {"KJCDIR_DATA": os.pathsep.join([str(good), str(bad)])}
    result = cli("find", "meier", env=env)
    assert_refused(result, bad, 5, "id 'B'", 0)


# -- the real process, as users run it ------------------------------------------------------


def test_every_hostile_file_in_one_real_process(tmp_path: Path) -> None:
    paths = [_write(tmp_path, case) for case in HOSTILE]
    start = time.perf_counter()
    result = run_process("--no-bundled", "check", *map(str, paths), timeout=120)
    assert time.perf_counter() - start < 60
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    for case, path in zip(HOSTILE, paths, strict=True):
        assert f"{path}:{case.line}:" in result.stderr, case.name


@pytest.mark.parametrize(
    "name",
    ["nesting-20000-lists", "string-10-mb", "billion-laughs-in-topics", "latin-1", "nul-byte"],
)
def test_find_in_a_real_process(tmp_path: Path, name: str) -> None:
    case = next(case for case in HOSTILE if case.name == name)
    path = _write(tmp_path, case)
    result = run_process("--data", str(path), "find", "x", timeout=60)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert f"{path}:{case.line}:" in result.stderr
    assert all(line.startswith(f"{path}:") for line in result.stderr.splitlines())
