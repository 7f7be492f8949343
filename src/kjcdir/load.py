"""Directory files → validated model.

Each file is read as a stream (kjcdir.yamlstream: YAML events → positioned values,
within limits) into a validator (kjcdir.validate: values → model objects and
problems), entry by entry, so that memory holds one entry at a time and a hostile
file is refused after reading no more of it than a limit allows. Every problem of a
file is reported as ``FILE:LINE:COLUMN: message (id)``; the files are then layered,
later ids replacing earlier ones, and cross-references are checked on the result.
"""

from __future__ import annotations

import codecs
import functools
from collections.abc import Callable, Sequence
from pathlib import Path

import yaml

from kjcdir.checks import (
    MAX_PROBLEMS,
    MAX_REPEATED_VALUES,
    CutShort,
    Stop,
    TooManyProblems,
    shorten,
)
from kjcdir.errors import DataError, Problem
from kjcdir.model import Directory, Meta, Organization, People, Person
from kjcdir.phones import parse_phone
from kjcdir.rules import MAX_ID, MAX_LIST, MAX_LONG_TEXT, MAX_SHORT_TEXT
from kjcdir.sources import DataFile, OpenFiles, data_files
from kjcdir.validate import FileValidator, ParsedFile
from kjcdir.yamlstream import ReadStopped, read

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_ID",
    "MAX_LIST",
    "MAX_LONG_TEXT",
    "MAX_ORG_DEPTH",
    "MAX_PROBLEMS",
    "MAX_SHORT_TEXT",
    "ParsedFile",
    "layer",
    "layer_files",
    "load",
    "load_files",
    "parse_bytes",
    "parse_file",
    "parse_phone",
]

MAX_ORG_DEPTH = 16  # levels of parents: association › unit › team is three
MAX_FILE_BYTES = 64 * 1024 * 1024  # about 250,000 people; more is not a directory file

ProgressCallback = Callable[[int, int], None]  # bytes read so far, of how many


_UNICODE_BOMS = (
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\xfe\xff", "UTF-16"),
    (b"\xff\xfe", "UTF-16"),
)


def _check_text(path: str, raw: bytes) -> tuple[memoryview, int, Problem | None]:
    """The file's content without a byte order mark, its length in characters, and the
    problem if it is not UTF-8 (at the first foreign byte), checked a megabyte at a time."""
    content = memoryview(raw)
    if raw.startswith(b"\xef\xbb\xbf"):
        content = content[3:]  # a UTF-8 byte order mark, as some editors on Windows write
    for bom, encoding in _UNICODE_BOMS:
        if raw.startswith(bom):
            return content, 0, Problem(path, 1, 1, f"is {encoding} text; save the file as UTF-8")
    characters = 0
    start = 0
    while start < len(content):
        end = min(start + 2**20, len(content))
        for _ in range(3):  # a chunk ends before a character, not inside one
            if end < len(content) and 0x80 <= content[end] < 0xC0:
                end -= 1
        try:
            characters += len(codecs.utf_8_decode(content[start:end], "strict", True)[0])
        except UnicodeDecodeError as error:
            return content, characters, _not_utf8(path, bytes(content), start + error.start)
        start = end
    return content, characters, None


def _not_utf8(path: str, raw: bytes, offset: int) -> Problem:
    before = raw[:offset]
    line = before.count(b"\n") + 1
    line_start = before.rfind(b"\n") + 1
    column = len(before[line_start:].decode("utf-8", "replace")) + 1
    message = (
        f"not UTF-8 text (byte 0x{raw[offset]:02x}, as Latin-1 or Windows-1252 "
        "files have); save the file as UTF-8"
    )
    return Problem(path, line, column, message)


def _read(path: Path, source: DataFile) -> bytes | str:
    """The file's bytes, or why there are none, in words.

    The bytes come from the descriptor kjcdir.store opened (for the cache key), so that
    what is cached is what was read; a pipe (<(...)) or device is read up to the limit.
    """
    try:
        if path.is_dir():
            return "is a directory, not a directory file"
        if source.error is not None:
            raise source.error
        raw = source.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        return "no such file"
    except IsADirectoryError:
        return "is a directory, not a directory file"
    except OSError as error:
        return f"cannot be read: {error.strerror or type(error).__name__}"
    except ValueError:  # a path with a NUL byte in it
        return "is not a usable file name"
    if len(raw) > MAX_FILE_BYTES:
        return f"is too large for a directory file (over {MAX_FILE_BYTES // 2**20} MB)"
    return raw


def parse_file(
    path: str | Path,
    source: DataFile | None = None,
    progress: Callable[[int], None] | None = None,
) -> ParsedFile:
    """Read and check one directory file on its own (from `source` if it is open already).

    `progress` is told now and then how many of the file's bytes have been read.
    """
    if source is None:
        with OpenFiles([DataFile(Path(path))]) as opened:
            return parse_file(path, opened[0], progress)
    name = str(path)
    raw = _read(Path(path), source)
    if isinstance(raw, str):
        return ParsedFile(name, problems=[Problem(name, 1, 1, raw)])
    return parse_bytes(name, raw, progress)


def parse_bytes(name: str, raw: bytes, progress: Callable[[int], None] | None = None) -> ParsedFile:
    """Read and check the bytes of a directory file called `name`."""
    content, characters, problem = _check_text(name, raw)
    if problem is not None:
        return ParsedFile(name, problems=[problem])
    # repeats may add about as many values as the file could hold written out: linear work
    validator = FileValidator(name, MAX_REPEATED_VALUES + characters // 8)
    result = validator.result
    try:
        read(content, validator, progress, drain=(TooManyProblems,))
    except yaml.YAMLError as error:
        # a file that is not YAML has that one problem: what was read of it says nothing
        line, column, message = _syntax_problem(error, str(content, "utf-8"))
        return ParsedFile(name, problems=[Problem(name, line, column, message)])
    except ReadStopped as stopped:
        # the entry being read is checked as far as it was read; if that did not say why
        # reading stopped (the list that outgrew the limit may be one the schema does
        # not read), the reader's own sentence does
        validator.cut = stopped.cut
        try:
            stopped.hand_over()
            said = False
        except CutShort:
            said = False
        except Stop:
            said = True  # the sentence recorded last says why (this list, too many problems)
        if not said:
            mark = stopped.mark
            problem = Problem(name, mark.line + 1, mark.column + 1, stopped.message)
            result.problems.append(problem)
    except Stop:
        pass  # the reason is the last problem recorded
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
        return 1, 1, f"YAML syntax: {shorten(error, 120)}"
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
    """The character at a position; the lines before it are skipped, not split off (an
    error on the last line of a large file would copy all of it)."""
    start = 0
    for _ in range(line - 1):
        start = text.find("\n", start) + 1
        if start == 0:
            return ""
    end = text.find("\n", start)
    current = text[start : end if end >= 0 else len(text)]
    return current[column - 1] if 0 < column <= len(current) else ""


def layer(files: Sequence[ParsedFile]) -> tuple[Directory, list[Problem]]:
    """Layer parsed files in order (a later id replaces an earlier one) and check references.

    The problems come file by file in layering order, each file's by line and column and
    at most MAX_PROBLEMS of them: the references checked here join those of reading.
    """
    meta: Meta | None = None
    organizations: dict[str, Organization] = {}
    people: dict[str, Person] = {}
    origin: dict[str, ParsedFile] = {}
    problems: list[Problem] = []
    for parsed in files:
        # the line that says reading stopped is written again once all problems are in
        problems.extend(parsed.problems[:-1] if parsed.stopped else parsed.problems)
        if meta is None and parsed.meta is not None:
            meta = parsed.meta
        for org in parsed.organizations:
            if people.pop(org.id, None) is not None:
                problems.append(_kind_change(org.id, origin[org.id], parsed, "an organisation"))
            organizations[org.id] = org
            origin[org.id] = parsed
        for person in parsed.people:
            if organizations.pop(person.id, None) is not None:
                problems.append(_kind_change(person.id, origin[person.id], parsed, "a person"))
            people[person.id] = person
            origin[person.id] = parsed
    # references are checked only for the entries that survived the layering
    for parsed in files:
        for kind, source_id, target, line, column in parsed.references:
            if origin.get(source_id) is not parsed:
                continue
            if target not in organizations:
                what = {"parent": "parent", "member": "member", "affiliation": "organisation"}[kind]
                hint = ""
                if target in people:
                    hint = f" (that id is a person in {_where(origin[target], target)})"
                problems.append(
                    Problem(
                        parsed.path, line, column, f"unknown {what} '{target}'{hint}", source_id
                    )
                )
    parent_positions = {
        source_id: (line, column)
        for parsed in files
        for kind, source_id, _, line, column in parsed.references
        if kind == "parent" and origin.get(source_id) is parsed
    }
    problems.extend(_hierarchy(organizations, origin, parent_positions))
    directory = Directory(
        meta=meta or Meta(),
        organizations=organizations,
        people=People(list(people.values())),
        sources=tuple(parsed.path for parsed in files),
    )
    return directory, _by_file(problems, files)


def _where(parsed: ParsedFile, entry_id: str) -> str:
    """FILE:LINE of an entry, for a message about another place."""
    return f"{parsed.path}:{parsed.positions.get(entry_id, (1, 1))[0]}"


def _kind_change(entry_id: str, earlier: ParsedFile, later: ParsedFile, now: str) -> Problem:
    """An id that a later file gives to the other kind of entry.

    Replacing an organisation by a person (or the reverse) would silently break every
    reference to it, or turn a person into an organisation nobody meant; the later
    file's entry is the one to change, so the problem is reported there.
    """
    was = "a person" if now == "an organisation" else "an organisation"
    line, column = later.positions.get(entry_id, (1, 1))
    message = (
        f"'{entry_id}' is {was} in {_where(earlier, entry_id)} and {now} here; "
        "an id cannot change its kind (give the new entry another id)"
    )
    return Problem(later.path, line, column, message, entry_id)


def _by_file(problems: Sequence[Problem], files: Sequence[ParsedFile]) -> list[Problem]:
    """The problems grouped by file in layering order, each file's limited by _limited."""
    order: dict[str, int] = {}
    stopped: set[str] = set()
    for place, parsed in enumerate(files):
        order.setdefault(parsed.path, place)
        if parsed.stopped:
            stopped.add(parsed.path)
    grouped: dict[str, list[Problem]] = {}
    for problem in problems:
        grouped.setdefault(problem.file, []).append(problem)
    result: list[Problem] = []
    for path in sorted(grouped, key=lambda path: order.get(path, len(files))):
        result.extend(_limited(path, grouped[path], path in stopped))
    return result


def _hierarchy(
    organizations: dict[str, Organization],
    origin: dict[str, ParsedFile],
    parent_positions: dict[str, tuple[int, int]],
) -> list[Problem]:
    """Parent cycles, and chains of parents deeper than MAX_ORG_DEPTH; in linear time.

    Each organisation's depth is found once (walking up to the first one already
    known), so a hostile chain of thousands of units costs no more than a flat list.
    """
    problems: list[Problem] = []
    depth: dict[str, int] = {}  # 1 for a top body; CYCLE for one in or under a cycle
    cycle = -1

    def report(org_id: str, message: str, at_parent: bool = True) -> None:
        parsed = origin[org_id]
        line, column = parsed.positions.get(org_id, (1, 1))
        if at_parent:
            line, column = parent_positions.get(org_id, (line, column))
        problems.append(Problem(parsed.path, line, column, message, org_id))

    for start in organizations:
        path: list[str] = []
        on_path: dict[str, int] = {}
        current: str | None = start
        while current in organizations and current not in depth and current not in on_path:
            on_path[current] = len(path)
            path.append(current)
            current = organizations[current].parent
        if current is not None and current in on_path:
            loop = path[on_path[current] :]  # [current] alone: its own parent
            report(current, f"parent cycle: {' → '.join([*loop, current])}", at_parent=False)
            below = cycle
        elif current is not None and current in depth:
            below = depth[current]
        else:
            below = 0  # the top of the chain: no parent, or an unknown one (reported elsewhere)
        for org_id in reversed(path):
            if below == cycle:
                depth[org_id] = cycle
                continue
            below += 1
            depth[org_id] = below
            if below == MAX_ORG_DEPTH + 1:
                report(
                    org_id,
                    f"organisation '{org_id}' lies deeper than {MAX_ORG_DEPTH} levels of "
                    "parents; a directory nests units a few levels at most",
                )
    return problems


def layer_files(files: Sequence[DataFile], progress: ProgressCallback | None = None) -> Directory:
    """Parse the open files, layer and check them; raise DataError listing every problem.

    `progress` is told now and then how many bytes of all the files have been read, of
    how many (the sizes of regular files; a pipe counts for nothing).
    """
    total = sum(item.size for item in files)
    parsed = []
    done = 0
    for item in files:
        report = None
        if progress is not None:
            report = functools.partial(_report, progress, done, total)
        parsed.append(parse_file(item.path, item, report))
        done += item.size
    directory, problems = layer(parsed)
    if problems:
        raise DataError(problems)
    return directory


def _report(progress: ProgressCallback, before: int, total: int, position: int) -> None:
    progress(min(before + position, total), total)


def load_files(files: Sequence[Path]) -> Directory:
    """Open, parse, layer and check the files; raise DataError listing every problem."""
    with OpenFiles(DataFile(path) for path in files) as opened:
        return layer_files(opened)


def load(paths: Sequence[str | Path], include_bundled: bool = True) -> Directory:
    """Load the bundled file (unless left out) and the users' files, without the cache."""
    return load_files(data_files(paths, include_bundled))
