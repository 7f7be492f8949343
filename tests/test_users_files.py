"""Users' own directory files (SPEC 1.3): --data (repeatable), KJCDIR_DATA (os.pathsep),
--no-bundled; an id that exists is replaced, a new id is added; the order is the bundled
file, then KJCDIR_DATA, then --data."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from kjcdir.sources import bundled_path

# One cache for the module: the bundled directory is compiled once, not per test.
pytestmark = pytest.mark.usefixtures("module_cache")


ANNA = """\
people:
  - id: anna-meier
    given_name: Anna
    family_name: Meier
    affiliations:
      - {org: hlt-sozialreferat, role: Referentin}
    phones: ["+49 611 1706-70"]
    emails: [meier@hlt.de]
"""

NEW_RENA = """\
people:
  - id: rena-wissmeier
    given_name: Rena
    family_name: Wißmeier
    affiliations:
      - {org: hstt-regiestelle, role: Leiterin der Regiestelle}
    phones: ["+49 611 1702-99"]
    emails: [rena.wissmeier@example.org]
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def person_file(tmp_path: Path, name: str, pid: str, family: str, role: str) -> Path:
    return write(
        tmp_path,
        name,
        f"people:\n  - id: {pid}\n    family_name: {family}\n"
        f"    affiliations: [{{org: hlt, role: {role}}}]\n",
    )


def show(cli, entry_id: str, *options: str, env: dict[str, str] | None = None) -> dict:  # type: ignore[no-untyped-def,type-arg]
    result = cli(*options, "show", entry_id, "--json", env=env)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def info(cli, *options: str, env: dict[str, str] | None = None) -> dict:  # type: ignore[no-untyped-def,type-arg]
    result = cli(*options, "info", "--json", env=env)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_a_new_id_adds_a_person(cli, tmp_path: Path) -> None:
    path = write(tmp_path, "mine.yaml", ANNA)
    found = json.loads(cli("--data", str(path), "find", "Anna Meier", "--json").stdout)
    assert [entry["id"] for entry in found] == ["anna-meier"]
    anna = show(cli, "anna-meier", "--data", str(path))
    assert anna["affiliations"] == [
        {
            "org_id": "hlt-sozialreferat",
            "org_path": ["Hessischer Landkreistag", "Sozialreferat"],
            "role": "Referentin",
        }
    ]
    assert anna["phones"] == [{"display": "+49 611 1706-70", "e164": "+49611170670"}]
    # the bundled address, inherited up the chain
    assert anna["address"]["street"] == "Frankfurter Straße 2"
    facts = info(cli, "--data", str(path))
    assert (facts["people"], facts["organizations"]) == (10, 17)
    listed = json.loads(cli("--data", str(path), "list", "--org", "HLT", "--json").stdout)
    assert sorted(entry["id"] for entry in listed) == [
        "anna-meier",
        "felix-wuerfel",
        "laura-brennert",
    ]


def test_without_the_file_the_person_is_not_there(cli) -> None:
    assert cli("show", "anna-meier").exit_code == 1


def test_an_existing_id_replaces_the_bundled_entry(cli, tmp_path: Path) -> None:
    path = write(tmp_path, "mine.yaml", NEW_RENA)
    rena = show(cli, "rena-wissmeier", "--data", str(path))
    assert rena["phones"] == [{"display": "+49 611 1702-99", "e164": "+49611170299"}]
    assert rena["emails"] == ["rena.wissmeier@example.org"]
    assert rena["affiliations"][0]["role"] == "Leiterin der Regiestelle"
    assert info(cli, "--data", str(path))["people"] == 9
    # the replaced entry is gone from the search, the new one is found
    assert cli("--data", str(path), "find", "0611/1702-25").exit_code == 1
    found = json.loads(
        cli("--data", str(path), "find", "rena.wissmeier@example.org", "--json").stdout
    )
    assert [entry["id"] for entry in found] == ["rena-wissmeier"]


def test_an_existing_organisation_id_replaces_the_organisation(cli, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "orgs.yaml",
        "organizations:\n  - id: hstt-regiestelle\n    name: Regiestelle Grundsicherung\n"
        "    parent: hstt\n",
    )
    rena = show(cli, "rena-wissmeier", "--data", str(path))
    assert rena["affiliations"][0]["org_path"] == [
        "Hessischer Städtetag",
        "Regiestelle Grundsicherung",
    ]
    regie = show(cli, "hstt-regiestelle", "--data", str(path))
    assert regie["tasks"] == []  # the whole entry is replaced, not merged
    assert info(cli, "--data", str(path))["organizations"] == 17


def test_no_bundled_leaves_the_bundled_file_out(cli, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "alone.yaml",
        "organizations:\n  - id: amt\n    name: Amt\n"
        "people:\n  - id: anna-meier\n    family_name: Meier\n    affiliations: [{org: amt}]\n",
    )
    listed = json.loads(cli("--no-bundled", "--data", str(path), "list", "--json").stdout)
    assert [entry["id"] for entry in listed] == ["anna-meier"]
    facts = info(cli, "--no-bundled", "--data", str(path))
    assert (facts["people"], facts["organizations"]) == (1, 1)
    assert facts["files"] == [str(path)]
    assert cli("--no-bundled", "--data", str(path), "show", "rena-wissmeier").exit_code == 1
    assert cli("--no-bundled", "--data", str(path), "find", "wissmeier").exit_code == 1


def test_kjcdir_data_holds_paths_joined_by_pathsep(cli, tmp_path: Path) -> None:
    first = person_file(tmp_path, "first.yaml", "anna-meier", "Meier", "Eins")
    second = person_file(tmp_path, "second.yaml", "bernd-schmidt", "Schmidt", "Zwei")
    env = {"KJCDIR_DATA": os.pathsep.join([str(first), "", str(second)])}
    facts = info(cli, env=env)
    assert facts["files"] == [str(bundled_path()), str(first), str(second)]
    assert facts["people"] == 11
    assert show(cli, "anna-meier", env=env)["affiliations"][0]["role"] == "Eins"
    assert show(cli, "bernd-schmidt", env=env)["affiliations"][0]["role"] == "Zwei"


def test_data_is_repeatable(cli, tmp_path: Path) -> None:
    first = person_file(tmp_path, "first.yaml", "anna-meier", "Meier", "Eins")
    second = person_file(tmp_path, "second.yaml", "bernd-schmidt", "Schmidt", "Zwei")
    facts = info(cli, "--data", str(first), "--data", str(second))
    assert facts["files"] == [str(bundled_path()), str(first), str(second)]
    assert facts["people"] == 11


def test_order_bundled_then_kjcdir_data_then_data(cli, tmp_path: Path) -> None:
    from_env = person_file(tmp_path, "env.yaml", "rena-wissmeier", "Wißmeier", "aus KJCDIR_DATA")
    from_option = person_file(tmp_path, "opt.yaml", "rena-wissmeier", "Wißmeier", "aus --data")
    env = {"KJCDIR_DATA": str(from_env)}
    # KJCDIR_DATA replaces the bundled entry ...
    assert show(cli, "rena-wissmeier", env=env)["affiliations"][0]["role"] == "aus KJCDIR_DATA"
    # ... and --data replaces both, whichever way round the options are given
    both = show(cli, "rena-wissmeier", "--data", str(from_option), env=env)
    assert both["affiliations"][0]["role"] == "aus --data"
    facts = info(cli, "--data", str(from_option), env=env)
    assert facts["files"] == [str(bundled_path()), str(from_env), str(from_option)]


def test_the_later_data_option_wins(cli, tmp_path: Path) -> None:
    first = person_file(tmp_path, "first.yaml", "rena-wissmeier", "Wißmeier", "erste")
    second = person_file(tmp_path, "second.yaml", "rena-wissmeier", "Wißmeier", "zweite")
    rena = show(cli, "rena-wissmeier", "--data", str(first), "--data", str(second))
    assert rena["affiliations"][0]["role"] == "zweite"
    rena = show(cli, "rena-wissmeier", "--data", str(second), "--data", str(first))
    assert rena["affiliations"][0]["role"] == "erste"


def test_a_person_that_replaces_a_referenced_organisation_breaks_the_reference(
    cli, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "odd.yaml",
        "people:\n  - id: stadt-offenbach\n    family_name: Offenbach\n",
    )
    result = cli("--data", str(path), "show", "stadt-offenbach")
    assert result.exit_code == 2
    reference, change = result.stderr.splitlines()  # file by file, the bundled one first
    assert reference.startswith(f"{bundled_path()}:")
    assert "'stadt-offenbach'" in reference and "person" in reference
    assert f"{path}:2" in reference  # where it became a person
    assert reference.endswith("(dst-konferenz-optionsstaedte)")
    assert change.startswith(f"{path}:2:5: 'stadt-offenbach' is an organisation in ")
    assert change.endswith("(stadt-offenbach)")


def bundled_line(entry_id: str) -> int:
    """The line of the bundled file on which the entry with this id begins."""
    lines = bundled_path().read_text(encoding="utf-8").splitlines()
    return next(
        number for number, line in enumerate(lines, 1) if line.strip() == f"- id: {entry_id}"
    )


@pytest.mark.parametrize(
    ("entry_id", "text", "was", "now"),
    [
        (
            "hlt",
            "people:\n  - id: hlt\n    family_name: Landkreistag\n",
            "an organisation",
            "a person",
        ),
        (
            "felix-wuerfel",
            "organizations:\n  - id: felix-wuerfel\n    name: Würfel GmbH\n",
            "a person",
            "an organisation",
        ),
    ],
)
def test_an_id_cannot_change_its_kind(
    cli, tmp_path: Path, entry_id: str, text: str, was: str, now: str
) -> None:
    """Either way round, the users' entry is the problem, at its position, naming the
    earlier entry's file and line."""
    path = write(tmp_path, "mine.yaml", text)
    result = cli("check", str(path))
    assert result.exit_code == 2
    expected = (
        f"{path}:2:5: '{entry_id}' is {was} in {bundled_path()}:{bundled_line(entry_id)} "
        f"and {now} here; an id cannot change its kind (give the new entry another id) "
        f"({entry_id})"
    )
    assert expected in result.stderr.splitlines()
    # every command refuses the data with the same line
    found = cli("--data", str(path), "find", "wissmeier")
    assert found.exit_code == 2
    assert expected in found.stderr.splitlines()


def test_an_organisation_turned_person_names_the_place_in_its_references(
    cli, tmp_path: Path
) -> None:
    path = write(tmp_path, "mine.yaml", "people:\n  - id: hlt\n    family_name: Landkreistag\n")
    lines = cli("check", str(path)).stderr.splitlines()
    references = [line for line in lines if "unknown parent 'hlt'" in line]
    assert references
    for line in references:
        assert line.startswith(f"{bundled_path()}:")
        assert f"(that id is a person in {path}:2)" in line


def test_the_same_kind_again_is_no_problem(cli, tmp_path: Path) -> None:
    path = write(tmp_path, "mine.yaml", "organizations:\n  - id: hlt\n    name: Landkreistag\n")
    assert cli("check", str(path)).exit_code == 0


def test_a_users_organisation_with_its_people(cli, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "kreis.yaml",
        "organizations:\n"
        "  - id: lk-kassel\n    name: Landkreis Kassel\n"
        "  - id: lk-kassel-jobcenter\n    name: Jobcenter Landkreis Kassel\n"
        "    parent: lk-kassel\n"
        "people:\n  - id: anna-meier\n    family_name: Meier\n"
        "    affiliations: [{org: lk-kassel-jobcenter}, {org: dlt-ak-option}]\n",
    )
    listed = json.loads(cli("--data", str(path), "list", "--org", "lk-kassel", "--json").stdout)
    assert [entry["id"] for entry in listed] == ["anna-meier"]
    listed = json.loads(cli("--data", str(path), "list", "--org", "AK Option", "--json").stdout)
    assert "anna-meier" in [entry["id"] for entry in listed]
    assert len(listed) == 6
    anna = show(cli, "anna-meier", "--data", str(path))
    assert anna["affiliations"][0]["org_path"] == ["Landkreis Kassel", "Jobcenter Landkreis Kassel"]


def test_a_changed_file_is_read_again(cli, tmp_path: Path) -> None:
    """The cache is keyed by the files' identity: an edit is never hidden by it."""
    path = person_file(tmp_path, "mine.yaml", "anna-meier", "Meier", "vorher")
    assert show(cli, "anna-meier", "--data", str(path))["affiliations"][0]["role"] == "vorher"
    stat = path.stat()
    person_file(tmp_path, "mine.yaml", "anna-meier", "Meier", "nachher")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert show(cli, "anna-meier", "--data", str(path))["affiliations"][0]["role"] == "nachher"


@pytest.mark.parametrize("where", ["option", "environment"])
def test_a_missing_users_file_is_an_error(cli, tmp_path: Path, where: str) -> None:
    path = tmp_path / "nowhere.yaml"
    if where == "option":
        result = cli("--data", str(path), "find", "wissmeier")
    else:
        result = cli("find", "wissmeier", env={"KJCDIR_DATA": str(path)})
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == f"{path}:1:1: no such file\n"
