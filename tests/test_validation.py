"""Validation (SPEC 1.4): one broken file per kind of problem, each reported as
`FILE:LINE:COLUMN: message (id)` on stderr with exit code 2 and no traceback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import run_process
from kjcdir.errors import DataError
from kjcdir.load import MAX_PROBLEMS, load, parse_file
from kjcdir.model import Phone
from kjcdir.phones import _german_digits, parse_phone

# One cache for the module: the bundled directory is compiled once, not per test.
pytestmark = pytest.mark.usefixtures("module_cache")


def write(tmp_path: Path, text: str, name: str = "broken.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def check(cli, path: Path, *, bundled: bool = False) -> list[str]:  # type: ignore[no-untyped-def]
    """`kjcdir check FILE`: the problem lines, after asserting what every failure shares."""
    args = [] if bundled else ["--no-bundled"]
    result = cli(*args, "check", str(path))
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines
    location = re.compile(re.escape(str(path)) + r":\d+:\d+: \S")
    for line in lines:
        assert location.match(line), line
    return lines


def one(lines: list[str], path: Path, line: int, column: int, *phrases: str) -> str:
    """The single problem at LINE:COLUMN, holding each phrase."""
    prefix = f"{path}:{line}:{column}: "
    at = [text for text in lines if text.startswith(prefix)]
    assert len(at) == 1, (prefix, lines)
    for phrase in phrases:
        assert phrase in at[0], (phrase, at[0])
    return at[0]


# -- one file per kind -------------------------------------------------------------------


def test_yaml_syntax(cli, tmp_path: Path) -> None:
    path = write(tmp_path, "people:\n  - id: anna-meier\n    family_name: Meier: x\n")
    lines = check(cli, path)
    assert lines == [f"{path}:3:23: YAML syntax: mapping values are not allowed in this context"]


def test_yaml_syntax_unclosed_list(cli, tmp_path: Path) -> None:
    path = write(tmp_path, "people:\n  - id: anna-meier\n    family_name: [Meier\n")
    [line] = check(cli, path)
    assert line.startswith(f"{path}:4:1: YAML syntax: ")


def test_unknown_key(cli, tmp_path: Path) -> None:
    path = write(
        tmp_path, "people:\n  - id: anna-meier\n    family_name: Meier\n    nickname: Anni\n"
    )
    lines = check(cli, path)
    assert len(lines) == 1
    line = one(lines, path, 4, 5, "unknown key 'nickname' in a person", "family_name", "given_name")
    assert line.endswith("(anna-meier)")


def test_unknown_key_of_an_organisation(cli, tmp_path: Path) -> None:
    path = write(tmp_path, "organizations:\n  - id: org-a\n    name: A\n    homepage: x\n")
    one(check(cli, path), path, 4, 5, "unknown key 'homepage' in an organisation")


def test_unknown_top_level_key(cli, tmp_path: Path) -> None:
    path = write(tmp_path, "people: []\nstaff: []\n")
    one(check(cli, path), path, 2, 1, "unknown key 'staff'")


def test_missing_key(cli, tmp_path: Path) -> None:
    path = write(tmp_path, "people:\n  - id: anna-meier\n    given_name: Anna\n")
    lines = check(cli, path)
    assert len(lines) == 1
    assert one(lines, path, 2, 5, "missing the key 'family_name'").endswith("(anna-meier)")


def test_missing_name_of_an_organisation(cli, tmp_path: Path) -> None:
    path = write(tmp_path, "organizations:\n  - id: org-a\n    short: A\n")
    one(check(cli, path), path, 2, 5, "missing the key 'name'")


def test_wrong_types(cli, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "people:\n"
        "  - id: anna-meier\n"
        "    family_name: [Meier, Müller]\n"
        "    given_name: {a: b}\n"
        "    emails: 42\n"
        "    topics: [[x]]\n"
        "    affiliations: hlt\n",
    )
    lines = check(cli, path)
    assert len(lines) == 5
    one(lines, path, 3, 18, "family_name must be text", "(anna-meier)")
    one(lines, path, 4, 17, "given_name must be text", "(anna-meier)")
    one(lines, path, 5, 13, "emails must be a list", "(anna-meier)")
    one(lines, path, 6, 14, "topics must be text", "(anna-meier)")
    one(lines, path, 7, 19, "affiliations must be a list", "(anna-meier)")


def test_a_number_where_text_is_expected(cli, tmp_path: Path) -> None:
    path = write(tmp_path, "organizations:\n  - id: org-a\n    name: 1234\n")
    one(check(cli, path), path, 3, 11, "name must be text", "(org-a)")


def test_malformed_id(cli, tmp_path: Path) -> None:
    path = write(tmp_path, "people:\n  - id: Anna Meier\n    family_name: Meier\n")
    one(check(cli, path), path, 2, 9, "id 'Anna Meier'", "a-z, 0-9 and '-'")


def test_duplicate_ids(cli, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "people:\n  - id: anna-meier\n    family_name: Meier\n"
        "  - id: anna-meier\n    family_name: Meier\n",
    )
    lines = check(cli, path)
    assert lines == [f"{path}:4:9: duplicate id 'anna-meier' (first used on line 2) (anna-meier)"]


def test_duplicate_id_across_people_and_organisations(cli, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "organizations:\n  - id: meier\n    name: Meier GmbH\n"
        "people:\n  - id: meier\n    family_name: Meier\n",
    )
    one(check(cli, path), path, 5, 9, "duplicate id 'meier'", "(meier)")


def test_references_to_unknown_organisations(cli, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "organizations:\n"
        "  - id: org-a\n"
        "    name: A\n"
        "    parent: nothing\n"
        "    members: [nowhere]\n"
        "people:\n"
        "  - id: anna-meier\n"
        "    family_name: Meier\n"
        "    affiliations:\n"
        "      - {org: no-such-org}\n",
    )
    lines = check(cli, path)
    assert len(lines) == 3
    one(lines, path, 4, 13, "unknown parent 'nothing'", "(org-a)")
    one(lines, path, 5, 15, "unknown member 'nowhere'", "(org-a)")
    one(lines, path, 10, 15, "unknown organisation 'no-such-org'", "(anna-meier)")


def test_a_reference_to_a_person_is_named_as_such(cli, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "people:\n  - id: anna-meier\n    family_name: Meier\n"
        "    affiliations: [{org: rena-wissmeier}]\n",
    )
    line = one(check(cli, path, bundled=True), path, 4, 26, "'rena-wissmeier'", "(anna-meier)")
    assert "person" in line


def test_references_to_the_bundled_organisations_are_known(cli, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "people:\n  - id: anna-meier\n    family_name: Meier\n    affiliations: [{org: hlt}]\n",
    )
    result = cli("check", str(path))
    assert result.exit_code == 0, result.stderr
    # ... and unknown where the bundled file is left out
    one(check(cli, path), path, 4, 26, "unknown organisation 'hlt'", "(anna-meier)")


def test_parent_cycles(cli, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "organizations:\n"
        "  - id: org-a\n    name: A\n    parent: org-b\n"
        "  - id: org-b\n    name: B\n    parent: org-a\n"
        "  - id: org-c\n    name: C\n    parent: org-c\n",
    )
    lines = check(cli, path)
    assert lines == [
        f"{path}:2:5: parent cycle: org-a → org-b → org-a (org-a)",
        f"{path}:8:5: parent cycle: org-c → org-c (org-c)",
    ]


def test_malformed_email_addresses(cli, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "people:\n  - id: anna-meier\n    family_name: Meier\n"
        '    emails: [anna.meier@, "anna meier@example.org", anna@example, ok@example.org]\n',
    )
    lines = check(cli, path)
    assert len(lines) == 3
    one(lines, path, 4, 14, "malformed e-mail address 'anna.meier@'", "(anna-meier)")
    one(lines, path, 4, 27, "malformed e-mail address 'anna meier@example.org'", "(anna-meier)")
    one(lines, path, 4, 53, "malformed e-mail address 'anna@example'", "(anna-meier)")


def test_invalid_phone_numbers(cli, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "people:\n  - id: anna-meier\n    family_name: Meier\n"
        '    phones: ["+49 611 12", "+49 611 1706-69", "ruf mich an"]\n',
    )
    lines = check(cli, path)
    assert len(lines) == 2
    one(lines, path, 4, 14, "invalid phone number '+49 611 12'", "(anna-meier)")
    one(lines, path, 4, 47, "invalid phone number 'ruf mich an'", "(anna-meier)")


def test_malformed_urls(cli, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "organizations:\n  - id: org-a\n    name: A\n"
        '    websites: [www.example.org, "ftp://example.org", "https://exa mple.org",'
        " https://example.org]\n",
    )
    lines = check(cli, path)
    assert len(lines) == 3
    one(lines, path, 4, 16, "malformed URL 'www.example.org'", "(org-a)")
    one(lines, path, 4, 33, "malformed URL 'ftp://example.org'", "(org-a)")
    one(lines, path, 4, 54, "malformed URL 'https://exa mple.org'", "(org-a)")


@pytest.mark.parametrize(
    "tag",
    [
        "!!python/object/apply:os.system",
        "!!python/object/new:os.system",
        "!!python/name:os.system",
        "!!python/module:os",
    ],
)
def test_yaml_tags_that_build_python_objects_are_refused(cli, tmp_path: Path, tag: str) -> None:
    marker = tmp_path / "pwned"
    path = write(
        tmp_path,
        f'people:\n  - id: anna-meier\n    family_name: {tag} ["touch {marker}"]\n',
    )
    lines = check(cli, path)
    one(lines, path, 3, 18, "YAML tag", "not allowed")
    assert not marker.exists()


def test_a_tag_on_the_whole_file_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "!!python/object/apply:os.getcwd []\n")
    parsed = parse_file(path)
    assert parsed.problems
    assert parsed.problems[0].line == 1
    assert parsed.organizations == [] and parsed.people == []


# -- all problems of a file, several files ------------------------------------------------


def test_all_problems_of_a_file_are_reported(cli, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "people:\n"
        "  - id: anna-meier\n"
        "    family_name: Meier\n"
        "    emails: [bad@, also-bad]\n"
        '    phones: ["123"]\n'
        "    websites: [nope]\n"
        "  - id: anna-meier\n"
        "    family_name: Meier\n",
    )
    lines = check(cli, path)
    assert len(lines) == 5
    one(lines, path, 4, 14, "'bad@'")
    one(lines, path, 4, 20, "'also-bad'")
    one(lines, path, 5, 14, "'123'")
    one(lines, path, 6, 16, "'nope'")
    one(lines, path, 7, 9, "duplicate id")


def test_problems_of_several_files(cli, tmp_path: Path) -> None:
    first = write(tmp_path, "people:\n  - id: a\n    family_name: A\n    emails: [x]\n", "a.yaml")
    second = write(tmp_path, "people:\n  - id: b\n    family_name: B\n    phones: [y]\n", "b.yaml")
    result = cli("--no-bundled", "check", str(first), str(second))
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    one(lines, first, 4, 14, "malformed e-mail address 'x'", "(a)")
    one(lines, second, 4, 14, "invalid phone number 'y'", "(b)")


def test_the_loader_raises_every_problem(tmp_path: Path) -> None:
    path = write(tmp_path, "people:\n  - id: a\n    family_name: A\n    emails: [x, y]\n")
    with pytest.raises(DataError) as raised:
        load([path], include_bundled=False)
    problems = raised.value.problems
    assert [(p.file, p.line, p.column, p.entry_id) for p in problems] == [
        (str(path), 4, 14, "a"),
        (str(path), 4, 17, "a"),
    ]
    assert str(problems[0]) == f"{path}:4:14: malformed e-mail address 'x' (a)"


def people_with_problems(
    count: int, *, email: bool = True, org: bool = True, prefix: str = "p"
) -> str:
    """A file of `count` people, each with a malformed e-mail address and an unknown org."""
    entries = []
    for number in range(count):
        entry = f"  - id: {prefix}{number}\n    family_name: P{number}\n"
        if email:
            entry += f"    emails: [bad{number}]\n"
        if org:
            entry += f"    affiliations: [{{org: nowhere-{number}}}]\n"
        entries.append(entry)
    return "people:\n" + "".join(entries)


def positions(lines: list[str]) -> list[tuple[int, int]]:
    return [(int(line.split(":")[-3]), int(line.split(":")[-2].split()[0])) for line in lines]


@pytest.mark.parametrize("count", [150, 5000])
def test_a_flood_of_problems_with_references_stops_at_the_limit_in_order(
    cli, tmp_path: Path, count: int
) -> None:
    """Problems of reading and of references together: MAX_PROBLEMS of them, by position,
    then one line that says the list stops there."""
    path = write(tmp_path, people_with_problems(count), "broken5000.yaml")
    lines = check(cli, path)
    assert len(lines) == MAX_PROBLEMS + 1
    assert lines[-1].endswith(f": stopped after {MAX_PROBLEMS} problems")
    found = positions([line.rsplit(" (", 1)[0] for line in lines[:-1]])
    assert found == sorted(found)
    assert sum("malformed e-mail" in line for line in lines) == MAX_PROBLEMS // 2
    assert sum("unknown organisation" in line for line in lines) == MAX_PROBLEMS // 2
    # the first problems of the file, none skipped: p0's e-mail, p0's org, p1's e-mail ...
    assert lines[0].startswith(f"{path}:4:14: malformed e-mail address 'bad0'")
    assert lines[1].startswith(f"{path}:5:26: unknown organisation 'nowhere-0'")
    assert positions(lines[-2:-1]) == positions(lines[-1:])  # where the list stops


def test_references_alone_are_limited_too(cli, tmp_path: Path) -> None:
    path = write(tmp_path, people_with_problems(MAX_PROBLEMS + 50, email=False))
    lines = check(cli, path)
    assert len(lines) == MAX_PROBLEMS + 1
    assert lines[-1].endswith(f": stopped after {MAX_PROBLEMS} problems")
    assert positions(lines) == sorted(positions(lines))


def test_a_file_at_the_limit_is_not_said_to_stop(cli, tmp_path: Path) -> None:
    path = write(tmp_path, people_with_problems(MAX_PROBLEMS // 2))
    lines = check(cli, path)
    assert len(lines) == MAX_PROBLEMS
    assert not any("stopped after" in line for line in lines)


def test_problems_come_file_by_file_in_layering_order(cli, tmp_path: Path) -> None:
    """A reference problem of the first file comes before a reading problem of the second."""
    first = write(tmp_path, people_with_problems(2, email=False), "first.yaml")
    second = write(tmp_path, people_with_problems(2, org=False, prefix="q"), "second.yaml")
    result = cli("--no-bundled", "check", str(first), str(second))
    assert result.exit_code == 2
    files = [line.split(":")[0] for line in result.stderr.splitlines()]
    assert files == [str(first)] * 2 + [str(second)] * 2
    # the loader's DataError carries the same list
    with pytest.raises(DataError) as raised:
        load([first, second], include_bundled=False)
    assert [str(problem) for problem in raised.value.problems] == result.stderr.splitlines()


def test_the_loader_limits_and_orders_the_problems(tmp_path: Path) -> None:
    path = write(tmp_path, people_with_problems(300))
    with pytest.raises(DataError) as raised:
        load([path], include_bundled=False)
    problems = raised.value.problems
    assert len(problems) == MAX_PROBLEMS + 1
    where = [(problem.line, problem.column) for problem in problems]
    assert where == sorted(where)
    assert problems[-1].message == f"stopped after {MAX_PROBLEMS} problems"


# -- check -------------------------------------------------------------------------------


def test_check_without_files_checks_the_data_in_use(cli, bundled_file: Path) -> None:
    result = cli("check")
    assert result.exit_code == 0
    assert result.stdout == f"{bundled_file}: ok (17 organisations, 9 people)\n"
    assert result.stderr == ""


def test_check_without_files_includes_users_files(cli, tmp_path: Path) -> None:
    good = write(tmp_path, "people:\n  - id: anna-meier\n    family_name: Meier\n", "good.yaml")
    bad = write(tmp_path, "people:\n  - id: b\n    family_name: B\n    emails: [x]\n", "bad.yaml")
    result = cli("--data", str(good), "check")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == f"{good}: ok (0 organisations, 1 people)"
    result = cli("check", env={"KJCDIR_DATA": str(bad)})
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{bad}:4:14: ")


def test_check_of_a_good_file(cli, tmp_path: Path) -> None:
    path = write(tmp_path, "people:\n  - id: anna-meier\n    family_name: Meier\n", "good.yaml")
    result = cli("--no-bundled", "check", str(path))
    assert result.exit_code == 0
    assert result.stdout == f"{path}: ok (0 organisations, 1 people)\n"


@pytest.mark.parametrize(
    ("content", "phrase"),
    [
        (b"", "no directory"),
        (b"people:\n  - id: a\n    family_name: M\xfcller\n", "UTF-8"),
        (b"just text\n", "must be a mapping of keys to values, not a piece of text"),
    ],
)
def test_files_that_hold_no_directory(cli, tmp_path: Path, content: bytes, phrase: str) -> None:
    path = tmp_path / "odd.yaml"
    path.write_bytes(content)
    lines = check(cli, path)
    assert phrase in lines[0]


def test_a_byte_order_mark_is_accepted(cli, tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbfpeople:\n  - id: anna-meier\n    family_name: Meier\n")
    assert cli("--no-bundled", "check", str(path)).exit_code == 0


def test_a_missing_file(cli, tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"
    assert check(cli, path) == [f"{path}:1:1: no such file"]


# -- a broken file in use stops every command with the same lines --------------------------


def test_a_broken_data_file_stops_find(cli, tmp_path: Path) -> None:
    path = write(tmp_path, "people:\n  - id: a\n    family_name: A\n    emails: [x]\n")
    result = cli("--data", str(path), "find", "wissmeier")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == f"{path}:4:14: malformed e-mail address 'x' (a)\n"


def test_a_broken_file_in_a_real_process_prints_no_traceback(tmp_path: Path) -> None:
    path = write(tmp_path, "people:\n  - id: a\n    family_name: [unclosed\n")
    for args in (["check", str(path)], ["--data", str(path), "find", "x"]):
        result = run_process(*args)
        assert result.returncode == 2
        assert "Traceback" not in result.stderr
        assert result.stderr.startswith(f"{path}:4:1: YAML syntax: ")


def test_key_problems_carry_their_own_entry_id(cli, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "people:\n"
        "  - id: anna-meier\n    family_name: Meier\n"
        "  - id: bernd-schmidt\n    given_name: Bernd\n"
        "  - id: carla-fischer\n    family_name: Fischer\n    nickname: Carla\n",
    )
    lines = check(cli, path)
    assert one(lines, path, 4, 5, "missing the key 'family_name'").endswith("(bernd-schmidt)")
    assert one(lines, path, 8, 5, "unknown key 'nickname'").endswith("(carla-fischer)")


def test_problems_are_listed_in_file_order(cli, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "people:\n  - id: anna-meier\n    family_name: Meier\n"
        "    emails: [x]\n    phones: [y]\n    affiliations: hlt\n    nickname: z\n",
    )
    lines = check(cli, path)
    positions = [tuple(int(n) for n in line.split(":")[1:3]) for line in lines]
    assert len(positions) == 4
    assert positions == sorted(positions)


@pytest.fixture
def bundled_file() -> Path:
    from kjcdir.sources import bundled_path

    return bundled_path()


# -- phone numbers read without phonenumbers' general parser (issue 14) --------------
# kjcdir.validate reads "+49 …" numbers and tests their validity with phonenumbers'
# patterns compiled once; these tests hold it to phonenumbers' own answers.

AREA_CODES = ["30", "69", "611", "6151", "6431", "5631", "151", "1577", "800", "900", "180"]


def _phonenumbers_reading(text: str) -> Phone | None:
    import phonenumbers

    try:
        number = phonenumbers.parse(text, "DE")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return Phone(text, phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


@st.composite
def german_international_numbers(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        digits = draw(st.sampled_from(AREA_CODES)) + draw(st.text("0123456789", max_size=12))
    else:
        digits = draw(st.text("0123456789", min_size=1, max_size=19))
    written = ""
    for digit in digits:
        written += draw(st.sampled_from(["", "", "", " ", "-", " - "])) + digit
    return "+49" + written


@settings(max_examples=1500, deadline=None, derandomize=True)
@given(german_international_numbers())
def test_german_numbers_in_international_form_are_read_as_phonenumbers_reads_them(
    text: str,
) -> None:
    read = parse_phone.__wrapped__(text)
    expected = _phonenumbers_reading(text)
    assert (read is None) == (expected is None)
    if read is not None and expected is not None:
        assert read.e164 == expected.e164
        # shown in DIN 5008 form: the same digits, grouped by spaces and one hyphen at most
        # (without an area code where phonenumbers knows of none, as for +49 330000)
        assert re.sub(r"[^0-9]", "", read.display) == read.e164[1:]
        din = r"\+49 ([1-9][0-9]* )?[0-9]+(-[0-9]+)?"
        assert re.fullmatch(din, read.display), read.display


def test_the_fast_reading_covers_valid_numbers_of_every_kind() -> None:
    """Fixed lines, mobiles, toll-free, premium: valid, and in the form files write."""
    for text in ("+49 611 1706-0", "+49 151 23456789", "+49 800 1234567", "+49 30 901820"):
        assert _german_digits(text) is not None
        read, expected = parse_phone.__wrapped__(text), _phonenumbers_reading(text)
        assert read is not None and expected is not None
        assert read == expected  # in DIN 5008 form already: shown as written
    for text in ("0611 1706-0", "+49 (0)611 1706-0", "+49 0611 1706", "+1 202 555 0143"):
        assert _german_digits(text) is None  # phonenumbers' parser reads these


def test_every_key_of_the_schema_is_text_when_written_plain() -> None:
    """kjcdir.checks accepts a known key without asking yaml's resolver what it is:
    none of the schema's names may read as a number, a date, a yes/no value or null."""
    import yaml

    from kjcdir.validate import PLAIN_TEXT_KEYS, TOP_KEYS
    from kjcdir.yamlstream import STR, scalar_tag

    for name in sorted(PLAIN_TEXT_KEYS | TOP_KEYS):
        events = list(yaml.parse(f"{name}: x\n", Loader=yaml.SafeLoader))
        key = next(event for event in events if isinstance(event, yaml.ScalarEvent))
        assert scalar_tag(key) == STR, name
        assert yaml.compose(f"{name}: x\n").value[0][0].tag == STR, name  # type: ignore[union-attr]


# -- every notation shown in DIN 5008's international form (issue 16, item 1) ----------

NOTATIONS = [
    # written, shown, E.164
    ("+49 611 1706-69", "+49 611 1706-69", "+49611170669"),  # DIN 5008: as written
    ("0611 1706-69", "+49 611 1706-69", "+49611170669"),  # national, with extension
    ("(0611) 17 02-22", "+49 611 1702-22", "+49611170222"),  # brackets, spaces
    ("+49 (0)611 1706-22", "+49 611 1706-22", "+49611170622"),  # the (0)
    ("06151/881-234", "+49 6151 881-234", "+496151881234"),  # a slash
    ("0611 / 1706 - 0", "+49 611 1706-0", "+4961117060"),  # spaces around both
    ("+49 611 1706 - 22", "+49 611 1706-22", "+49611170622"),
    ("030 12345678", "+49 30 12345678", "+493012345678"),  # no extension
    ("0171 1234567", "+49 171 1234567", "+491711234567"),  # a mobile
    ("+4961117060", "+49 611 17060", "+4961117060"),  # no spaces at all
    ("0611-170669", "+49 611 170669", "+49611170669"),  # a hyphen after the area code
    ("+43 1 58858-0", "+43 1 58858-0", "+431588580"),  # Vienna, as written
    ("+1 202 555 0143", "+1 202 5550143", "+12025550143"),  # grouped otherwise
    # a trunk prefix after the country code is dropped: not shown as written
    ("+7 8 4951234567", "+7 495 1234567", "+74951234567"),
    ("+54 11 15-12345678", "+54 911 12345678", "+5491112345678"),
    # a hyphen right after a longer prefix is no extension
    ("01805-123456", "+49 180 5123456", "+491805123456"),
    ("09001-234567", "+49 900 1234567", "+499001234567"),
    # an extension in phonenumbers' notation is kept, after the number
    ("0611 170669 x12", "+49 611 170669 ext. 12", "+49611170669"),
    ("+49 611 170669 ext. 12", "+49 611 170669 ext. 12", "+49611170669"),
]


@st.composite
def national_notations(draw: st.DrawFn) -> str:
    """German numbers as people write them without +49: 0, an area code, separators."""
    area = draw(st.sampled_from(["611", "6151", "641", "69", "30", "171", "1805", "9001"]))
    rest = draw(st.text("0123456789", min_size=3, max_size=9))
    opening, closing = draw(st.sampled_from([("", ""), ("(", ")")]))
    written = f"{opening}0{area}{closing}"
    for digit in rest:
        written += draw(st.sampled_from(["", "", " ", "/", "-", " - "])) + digit
    return written


@given(national_notations())
def test_every_notation_shows_the_digits_it_dials(text: str) -> None:
    read = parse_phone.__wrapped__(text)
    if read is not None:
        shown = read.display.split(" ext. ")[0]
        assert re.sub(r"[^0-9]", "", shown) == read.e164[1:], (text, read)
        assert re.fullmatch(r"\+49 ([1-9][0-9]* )?[0-9]+(-[0-9]+)?", shown), (text, read)


@pytest.mark.parametrize(("written", "shown", "e164"), NOTATIONS, ids=[n[0] for n in NOTATIONS])
def test_every_notation_is_shown_in_din_5008_form(written: str, shown: str, e164: str) -> None:
    assert parse_phone.__wrapped__(written) == Phone(shown, e164)


def test_a_users_national_number_keeps_its_extension(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "staff.yaml"
    data.write_text(
        "people:\n  - id: anna-meier\n    family_name: Meier\n"
        '    phones: ["0611 1706-69", "(0611) 17 02-22"]\n',
        encoding="utf-8",
    )
    shown = cli.json("--no-bundled", "--data", str(data), "show", "anna-meier")
    assert [phone["display"] for phone in shown["phones"]] == [
        "+49 611 1706-69",
        "+49 611 1702-22",
    ]
    assert [phone["e164"] for phone in shown["phones"]] == ["+49611170669", "+49611170222"]
