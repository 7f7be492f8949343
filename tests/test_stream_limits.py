"""The streaming reader's limits (issue 14, items 1 and 2).

A hostile file is refused after reading no more of it than a limit allows, in bounded
memory: a 20 MB or 64 MB flat list, an alias bomb, a mapping of thousands of keys,
thousands of anchors, nesting without end. The entry being read when a limit stops
the reading is checked as far as it was read, and nothing is invented about the rest.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import kjcdir_executable
from kjcdir import yamlstream
from kjcdir.load import MAX_PROBLEMS, parse_bytes
from kjcdir.rules import MAX_LIST
from kjcdir.validate import FileValidator
from kjcdir.yamlstream import MAX_ANCHORED, MAX_ENTRY, READ_LIMIT, ReadStopped

MEMORY_LIMIT_MB = 300  # the bound for the first load of any file

FLAT_HEAD = "people:\n  - id: a\n    family_name: M\n    topics: ["


def _flat_list(path: Path, size: int) -> Path:
    """`topics: [a, a, a, …]` filling `size` bytes: 'a flat list'."""
    count = (size - len(FLAT_HEAD)) // 3
    with path.open("w", encoding="utf-8") as file:
        file.write(FLAT_HEAD)
        chunk = "a, " * 100_000
        for _ in range(count // 100_000):
            file.write(chunk)
        file.write("a, " * (count % 100_000) + "a]\n")
    return path


# The peak memory of a child counts from its fork: a child of the test process (hundreds
# of MB after a long test run) would inherit that high-water mark. So a small Python
# starts kjcdir and reports its peak (os.wait4), its exit code and its time.
_MEASURE = """
import json, os, subprocess, sys, time
started = time.monotonic()
process = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(process.pid, 0)
peak = usage.ru_maxrss / (2**20 if sys.platform == "darwin" else 1024)
code = os.waitstatus_to_exitcode(status)
print(json.dumps([code, time.monotonic() - started, peak]))
"""


def _peak_of_check(path: Path) -> tuple[int, str, float, float]:
    """`kjcdir check FILE` as a process: exit code, stderr, seconds and peak memory (MB)."""
    import json

    measured = subprocess.run(
        [sys.executable, "-c", _MEASURE, kjcdir_executable(), "--no-bundled", "check", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    code, seconds, peak = json.loads(measured.stdout)
    return code, measured.stderr, seconds, peak


@pytest.mark.skipif(sys.platform == "win32", reason="os.wait4 is POSIX")
@pytest.mark.parametrize("megabytes", [20, 64])
def test_a_flat_list_of_megabytes_is_refused_in_bounded_memory(
    tmp_path: Path, megabytes: int
) -> None:
    size = megabytes * 2**20 - (100 if megabytes == 64 else 0)  # 64 MB: just under the limit
    path = _flat_list(tmp_path / "flat.yaml", size)
    code, stderr, seconds, peak = _peak_of_check(path)
    assert code == 2
    assert stderr == (
        f"{path}:4:13: topics has too many items (more than {READ_LIMIT:,}, "
        f"at most {MAX_LIST}) (a)\n"
    )
    assert peak < MEMORY_LIMIT_MB, f"{peak:.0f} MB"
    assert seconds < 30


def test_reading_stops_at_the_limit_not_at_the_end_of_the_file() -> None:
    """The parser has taken a sliver of a 20 MB list when the reader stops."""
    data = (FLAT_HEAD + "a, " * 7_000_000 + "a]\n").encode()
    positions: list[int] = []
    validator = FileValidator("f.yaml")
    with pytest.raises(ReadStopped):
        yamlstream.read(data, validator, positions.append)
    assert max(positions) < 2**20 < len(data) // 10


def test_an_alias_bomb_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    topics = ", ".join(f"topic-{n}" for n in range(MAX_LIST))
    lines = [f"people:\n  - {{id: p0, family_name: X, topics: &t [{topics}]}}\n"]
    lines += [f"  - {{id: p{n}, family_name: X, topics: *t}}\n" for n in range(1, 20_000)]
    path = tmp_path / "bomb.yaml"
    path.write_text("".join(lines), encoding="utf-8")
    code, stderr, _, peak = _peak_of_check(path)
    assert code == 2
    assert "(an alias bomb)" in stderr
    assert peak < MEMORY_LIMIT_MB


def test_the_entry_cut_short_is_checked_as_far_as_it_was_read() -> None:
    """Problems before the stop are reported; keys after it are not called missing."""
    text = (
        "people:\n"
        "  - id: a\n"
        "    given_name: 42\n"
        f"    topics: [{', '.join(['t'] * (READ_LIMIT + 1))}]\n"
        "    family_name: M\n"
    )
    problems = parse_bytes("f.yaml", text.encode()).problems
    assert [(p.line, p.column, p.message) for p in problems] == [
        (3, 17, "given_name must be text (put it in quotes): 42"),
        (4, 13, f"topics has too many items (more than {READ_LIMIT:,}, at most {MAX_LIST})"),
    ]


def test_a_long_list_the_schema_does_not_read_still_stops_the_reading() -> None:
    text = f"people:\n  - id: a\n    family_name: M\n    nickname: [{', '.join(['n'] * 6000)}]\n"
    problems = parse_bytes("f.yaml", text.encode()).problems
    assert [(p.line, p.column) for p in problems] == [(4, 5), (4, 15)]
    assert problems[0].message.startswith("unknown key 'nickname'")
    assert problems[1].message == (
        f"reading stopped at a list of more than {READ_LIMIT:,} items (a directory file's "
        "lists hold a few hundred at most, apart from 'organizations' and 'people')"
    )


def test_a_mapping_of_thousands_of_keys_is_reported_as_before() -> None:
    """Its first MAX_PROBLEMS unknown keys, then the line that says the list stops."""
    keys = "".join(f"    k{n}: v\n" for n in range(3 * READ_LIMIT))
    result = parse_bytes("f.yaml", f"people:\n  - id: a\n    family_name: M\n{keys}".encode())
    assert result.stopped
    assert len(result.problems) == MAX_PROBLEMS + 1
    assert result.problems[0].message.startswith("unknown key 'k0' in a person")
    assert result.problems[-1].message == f"stopped after {MAX_PROBLEMS} problems"


def test_anchors_beyond_the_limit_stop_the_reading() -> None:
    people = "".join(
        f"  - {{id: p{n}, family_name: X, topics: [&a{n} t]}}\n" for n in range(MAX_ANCHORED + 1)
    )
    problems = parse_bytes("f.yaml", f"people:\n{people}".encode()).problems
    assert len(problems) == 1
    assert problems[0].line == MAX_ANCHORED + 2
    assert problems[0].message.startswith(f"the file anchors (&) more than {MAX_ANCHORED:,}")


def test_values_kept_for_anchors_are_bounded_too() -> None:
    """Anchored values under unknown keys, each within the bound of an entry: together
    they are more than the reader keeps for aliases."""
    inner = "[" + ", ".join(["v"] * 100) + "]"
    value = "[" + ", ".join([inner] * 190) + "]"  # 19,190 values, under MAX_ENTRY
    keys = "".join(f"k{n}: &m{n} {value}\n" for n in range(MAX_ANCHORED // 19_000 + 1))
    problems = parse_bytes("f.yaml", f"people: []\n{keys}".encode()).problems
    assert problems[-1].message.startswith("the values anchored (&) in the file hold more than")


def test_an_entry_of_many_nested_values_is_refused_in_bounded_memory() -> None:
    """Lists of lists within every limit of a list: the entry as a whole is the limit."""
    inner = "[" + ", ".join(["a"] * 2000) + "]"
    junk = "".join(f"      {inner},\n" for _ in range(1000))
    text = f"people:\n  - id: a\n    family_name: M\n    junk: [\n{junk}      a]\n"
    problems = parse_bytes("f.yaml", text.encode()).problems
    assert [(p.line, p.column) for p in problems] == [(2, 5), (4, 5)]
    assert problems[0].message == (
        f"reading stopped at an entry of more than {MAX_ENTRY:,} values (a directory entry "
        "holds a few hundred at most)"
    )
    assert problems[1].message.startswith("unknown key 'junk' in a person")


def test_the_largest_sound_entry_is_read() -> None:
    """An organisation with every list at its limit stays under the bound of an entry."""
    lists = "".join(
        f"    {key}: [{', '.join(f'{key}-{n}' for n in range(MAX_LIST))}]\n"
        for key in ("aliases", "tasks", "topics")
    )
    emails = ", ".join(f"a{n}@x.de" for n in range(MAX_LIST))
    text = f"organizations:\n  - id: o\n    name: O\n{lists}    emails: [{emails}]\n"
    result = parse_bytes("f.yaml", text.encode())
    assert result.problems == []
    assert len(result.organizations[0].topics) == MAX_LIST


def test_an_alias_to_a_whole_list_of_entries_is_refused() -> None:
    """The lists of entries are read once and not kept: an alias cannot repeat one."""
    text = "people: &p\n  - {id: a, family_name: M}\norganizations: *p\n"
    problems = parse_bytes("f.yaml", text.encode()).problems
    assert [(p.line, p.column) for p in problems] == [(3, 16)]
    assert problems[0].message.startswith("the alias *p repeats the whole file or a whole list")


def test_anchored_lists_of_entries_and_an_anchored_top_stream_as_any() -> None:
    """An anchor on 'people' or on the whole file changes nothing: no limit of a kept list."""
    people = "".join(f"  - {{id: p{n}, family_name: X}}\n" for n in range(READ_LIMIT + 1))
    for text in (f"people: &p\n{people}", f"--- &top\npeople:\n{people}"):
        result = parse_bytes("f.yaml", text.encode())
        assert result.problems == []
        assert len(result.people) == READ_LIMIT + 1


def test_a_yaml_error_after_many_problems_is_the_one_problem_said() -> None:
    """Reading stops at MAX_PROBLEMS, but the rest is still parsed: a file that is not
    YAML further on says that, as it would have without the problems."""
    broken = "".join(f"  - x{n}: 1\n" for n in range(MAX_PROBLEMS))
    text = f"people:\n{broken}bad: [\n"
    problems = parse_bytes("f.yaml", text.encode()).problems
    assert len(problems) == 1
    assert problems[0].message.startswith("YAML syntax")
    assert problems[0].line == MAX_PROBLEMS + 3


def test_nesting_is_bounded_without_libyaml_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """libyaml refuses more than 1000 levels itself; the pure-Python parser does not."""
    monkeypatch.delattr(yaml, "CSafeLoader", raising=False)
    text = "people: " + "[" * 1500 + "]" * 1500 + "\n"
    problems = parse_bytes("f.yaml", text.encode()).problems
    assert [problem.message for problem in problems] == [
        "YAML syntax: exceeded maximum nesting depth"
    ]
    assert problems[0].line == 1


def test_progress_counts_the_bytes_the_parser_has_taken() -> None:
    people = "".join(f"  - {{id: p{n}, family_name: X}}\n" for n in range(20_000))
    data = f"people:\n{people}".encode()
    positions: list[int] = []
    result = parse_bytes("f.yaml", data, positions.append)
    assert len(result.people) == 20_000
    assert positions == sorted(positions)
    assert positions[-1] == len(data)
    assert len(positions) > 10  # told now and then, not only at the end
