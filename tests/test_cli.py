"""Every command in its three forms (SPEC 3): --json; tab-separated lines when piped (CliRunner
is not a terminal); rich cards, tables and trees on a terminal (here a stand-in terminal in
the same process; test_terminal.py runs real processes on a pseudo-terminal)."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest

import kjcdir
from conftest import run_process
from kjcdir.normalize import content_words, normalize
from kjcdir.sources import bundled_path

# One cache for the module: the bundled directory is compiled once, not per test.
pytestmark = pytest.mark.usefixtures("module_cache")


ALL_PEOPLE_BY_FAMILY_NAME = [
    "laura-brennert",
    "peter-dubowy",
    "michael-hofmeister",
    "rosemarie-lueck",
    "ariane-patzelt",
    "juergen-stock",
    "joachim-werle",
    "rena-wissmeier",
    "felix-wuerfel",
]
AK_OPTION = {"rosemarie-lueck", "ariane-patzelt", "joachim-werle", "juergen-stock", "peter-dubowy"}
RENA_LINE = (
    "rena-wissmeier\tRena Wißmeier\tHessischer Städtetag › Regiestelle SGB II\t"
    "Regiestelle SGB II\t+49 611 1702-25\t"
    "wissmeier@hess-staedtetag.de"
)
SPEC_PERSON_KEYS = {
    "kind",
    "id",
    "name",
    "salutation",
    "given_name",
    "family_name",
    "greeting",
    "affiliations",
    "phones",
    "emails",
    "address",
    "websites",
    "topics",
}
SPEC_ORG_KEYS = {
    "kind",
    "id",
    "name",
    "short",
    "parent",
    "address",
    "websites",
    "phones",
    "emails",
    "description",
    "tasks",
    "topics",
    "people",
}
ANSI = re.compile(r"\x1b\[[0-9;]*m")
OSC8 = re.compile(r"\x1b\]8;[^;\x1b]*;([^\x1b]*)\x1b\\")
COLOUR = re.compile(r"\x1b\[(?:[0-9;]*;)?(?:3[0-9]|4[0-9]|9[0-7]|10[0-7])(?:;[0-9;]*)?m")
BOX = set("─│╭╮╰╯├└┌┐━")


def ids(stdout: str) -> list[str]:
    return [entry["id"] for entry in json.loads(stdout)]


def column(stdout: str, index: int = 0) -> list[str]:
    return [line.split("\t")[index] for line in stdout.splitlines()]


def visible(stdout: str) -> str:
    """Terminal output without its escape sequences."""
    return ANSI.sub("", OSC8.sub("", stdout.replace("\x1b]8;;\x1b\\", "")))


def assert_plain(stdout: str) -> None:
    assert stdout.endswith("\n")
    assert "\x1b" not in stdout
    assert not BOX & set(stdout)


def json_of(cli, *args: str) -> Any:  # type: ignore[no-untyped-def]
    result = cli(*args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


# -- a stand-in terminal ------------------------------------------------------------------


class _TtyStream:
    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def isatty(self) -> bool:
        return True

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class _TtySys:
    """The sys module as kjcdir.output sees it, with stdout claiming to be a terminal."""

    def __getattr__(self, name: str) -> Any:
        return getattr(sys, name)

    @property
    def stdout(self) -> _TtyStream:
        return _TtyStream(sys.stdout)


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    import kjcdir.output

    monkeypatch.setattr(kjcdir.output, "sys", _TtySys())
    monkeypatch.setenv("TTY_COMPATIBLE", "1")  # rich: the stream understands escape sequences
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.delenv("FORCE_COLOR", raising=False)


# -- JSON shapes (SPEC 3) -----------------------------------------------------------------


def test_show_person_json(cli) -> None:
    rena = json_of(cli, "show", "rena-wissmeier")
    assert set(rena) >= SPEC_PERSON_KEYS
    assert "score" not in rena
    assert {key: rena[key] for key in SPEC_PERSON_KEYS} == {
        "kind": "person",
        "id": "rena-wissmeier",
        "name": "Rena Wißmeier",
        "salutation": "Frau",
        "given_name": "Rena",
        "family_name": "Wißmeier",
        "greeting": "Sehr geehrte Frau Wißmeier",
        "affiliations": [
            {
                "org_id": "hstt-regiestelle",
                "org_path": ["Hessischer Städtetag", "Regiestelle SGB II"],
                "role": "Regiestelle SGB II",
            }
        ],
        "phones": [{"display": "+49 611 1702-25", "e164": "+49611170225"}],
        "emails": ["wissmeier@hess-staedtetag.de"],
        "address": {
            "street": "Frankfurter Straße 2",
            "postal_code": "65189",
            "city": "Wiesbaden",
            "country": None,
        },
        "websites": [],
        "topics": [],
    }


def test_show_person_without_contact_details_json(cli) -> None:
    werle = json_of(cli, "show", "joachim-werle")
    assert werle["affiliations"] == [
        {"org_id": "main-taunus-kreis", "org_path": ["Main-Taunus-Kreis"], "role": None},
        {
            "org_id": "dlt-ak-option",
            "org_path": ["Deutscher Landkreistag", "AK Option"],
            "role": "hessisches Mitglied im AK Option",
        },
        {
            "org_id": "ag-kjc",
            "org_path": ["Arbeitsgemeinschaft der Kommunalen Jobcenter"],
            "role": "Sprecher der hessischen AG KJC",
        },
    ]
    assert (werle["phones"], werle["emails"], werle["address"]) == ([], [], None)
    assert (werle["salutation"], werle["greeting"]) == (None, "Guten Tag Joachim Werle")


def test_show_organization_json(cli) -> None:
    regie = json_of(cli, "show", "hstt-regiestelle")
    assert set(regie) >= SPEC_ORG_KEYS
    expected = {
        "kind": "organization",
        "id": "hstt-regiestelle",
        "name": "Regiestelle SGB II",
        "short": None,
        "parent": "hstt",
        "address": None,
        "websites": [],
        "phones": [],
        "emails": [],
        "description": "Seit 2012 gibt es eine Regiestelle SGB II beim Hessischen Städtetag.",
        "topics": [
            "SGB II",
            "SGB III",
            "Stellungnahmen",
            "Gesetzesänderungen",
            "Optionsstädte",
            "Optionskommunen",
            "Vernetzung",
            "Fachtagungen",
            "Interessenvertretung",
        ],
        "people": ["rena-wissmeier"],
    }
    assert {key: regie[key] for key in SPEC_ORG_KEYS - {"tasks"}} == expected
    assert len(regie["tasks"]) == 6
    assert regie["tasks"][2] == "Vorbereitung und Durchführung von Fachtagungen"


def test_show_association_json(cli) -> None:
    hlt = json_of(cli, "show", "hlt")
    assert (hlt["short"], hlt["parent"], hlt["websites"]) == ("HLT", None, ["https://www.hlt.de"])
    assert hlt["address"] == {
        "street": "Frankfurter Straße 2",
        "postal_code": "65189",
        "city": "Wiesbaden",
        "country": None,
    }
    assert len(hlt["tasks"]) == 8
    ak = json_of(cli, "show", "dlt-ak-option")
    assert set(ak["people"]) == AK_OPTION
    assert (ak["short"], ak["parent"]) == ("AK Option", "dlt")


@pytest.mark.parametrize("city", ["stadt-offenbach", "lhs-wiesbaden"])
def test_the_optionsstaedte_are_members_of_the_konferenz(cli, city: str) -> None:
    """The Konferenz lists its members; each member's card names the Konferenz in turn."""
    shown = json_of(cli, "show", city)
    assert shown["member_of"] == ["dst-konferenz-optionsstaedte"]
    assert shown["members"] == []
    konferenz = json_of(cli, "show", "dst-konferenz-optionsstaedte")
    assert konferenz["members"] == ["stadt-offenbach", "lhs-wiesbaden"]
    assert konferenz["member_of"] == []
    lines = cli("show", city).stdout.splitlines()
    assert "member_of\tdst-konferenz-optionsstaedte" in lines
    assert not [line for line in cli("show", "hlt").stdout.splitlines() if "member_of" in line]


def test_stadt_offenbach_is_named_as_a_city(cli) -> None:
    offenbach = json_of(cli, "show", "stadt-offenbach")
    assert (offenbach["name"], offenbach["aliases"]) == ("Stadt Offenbach", ["Offenbach"])


# -- find -----------------------------------------------------------------------------------


def test_find_json_has_scores_best_first(cli) -> None:
    found = json_of(cli, "find", "Landkreistag")
    assert len(found) >= 3
    scores = [entry["score"] for entry in found]
    assert all(0 <= score <= 100 for score in scores)
    assert scores == sorted(scores, reverse=True)
    assert all(set(entry) >= SPEC_PERSON_KEYS for entry in found)
    exact = json_of(cli, "find", "wissmeier")
    assert [(entry["id"], entry["score"]) for entry in exact] == [("rena-wissmeier", 100.0)]


def test_find_piped_prints_tab_separated_lines(cli) -> None:
    result = cli("find", "wissmeier")
    assert result.exit_code == 0
    assert result.stdout == RENA_LINE + "\n"
    assert_plain(result.stdout)


def test_find_piped_keeps_empty_columns(cli) -> None:
    result = cli("find", "patzelt")
    assert result.stdout == "ariane-patzelt\tAriane Patzelt\tLandeshauptstadt Wiesbaden\t\t\t\n"


def test_find_takes_the_query_in_several_words(cli) -> None:
    assert cli("find", "Felix", "Würfel").stdout == cli("find", "Felix Würfel").stdout
    assert column(cli("find", "Felix", "Würfel").stdout) == ["felix-wuerfel"]


def test_find_on_a_terminal_prints_cards(cli, terminal: None) -> None:
    result = cli("find", "wissmeier")
    assert result.exit_code == 0
    out = result.stdout
    assert "╭" in out and "╯" in out
    assert re.search(r"\x1b\]8;[^;]*;tel:\+49611170225\x1b\\\+49 611 1702-25", out)
    assert re.search(
        r"\x1b\]8;[^;]*;mailto:wissmeier@hess-staedtetag\.de\x1b\\wissmeier@hess-staedtetag\.de",
        out,
    )
    text = visible(out)
    assert "Rena Wißmeier" in text
    assert "Hessischer Städtetag › Regiestelle SGB II" in text
    assert "Phone" in text and "E-mail" in text and "Address" in text
    assert "Frankfurter Straße 2" in text and "65189 Wiesbaden" in text
    assert re.search(r"rena-wissmeier · 100\b", text)
    assert "\t" not in text


def test_find_takes_tel_uris(cli) -> None:
    """tel: links (RFC 3966) are pasted as they are: each number finds its person first."""
    people = [person for person in json_of(cli, "list") if person["phones"]]
    assert people
    for person in people:
        number = person["phones"][0]["e164"]
        for query in (f"tel:{number}", f"TEL:{number};ext=1"):
            found = json_of(cli, "find", query)
            assert found and found[0]["id"] == person["id"], query


def test_find_limit(cli) -> None:
    every = ids(cli("find", "Landkreistag", "--json").stdout)
    assert len(every) > 2
    assert ids(cli("find", "Landkreistag", "--limit", "2", "--json").stdout) == every[:2]
    assert ids(cli("find", "Landkreistag", "-n", "1", "--json").stdout) == every[:1]
    assert column(cli("find", "Landkreistag", "--limit", "2").stdout) == every[:2]


def test_find_limit_is_ten_by_default(cli, tmp_path: Path) -> None:
    staff = "".join(
        f"  - id: person-{n:02d}\n    family_name: Person{n:02d}\n"
        f"    affiliations: [{{org: testamt}}]\n"
        for n in range(12)
    )
    path = tmp_path / "amt.yaml"
    path.write_text(f"organizations:\n  - id: testamt\n    name: Testamt\npeople:\n{staff}")
    assert len(ids(cli("--data", str(path), "find", "Testamt", "--json").stdout)) == 10
    twelve = cli("--data", str(path), "find", "Testamt", "--limit", "12", "--json").stdout
    assert len(ids(twelve)) == 12


def test_find_limit_must_be_positive(cli) -> None:
    result = cli("find", "wissmeier", "--limit", "0")
    assert result.exit_code == 2
    assert "--limit" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("query", "fields", "expected"),
    [
        ("Wiesbaden", "name", []),
        ("Wiesbaden", "org", ["ariane-patzelt"]),
        ("Sprecher", "role", ["joachim-werle"]),
        ("Sprecher", "name", []),
        ("Sprecher", "org,topic", []),
        ("Fachtagungen", "topic", ["rena-wissmeier"]),
        ("Fachtagungen", "name,org,role", []),
        ("0611/1706-69", "contact", ["felix-wuerfel"]),
        ("0611/1706-69", "name", []),
        ("brennert@hlt.de", "contact", ["laura-brennert"]),
        ("brennert@hlt.de", "role", []),
        ("Würfel", "org,role,topic", []),
        ("Würfel", "contact", ["felix-wuerfel"]),  # the e-mail address wuerfel@hlt.de
        ("Würfel", "name", ["felix-wuerfel"]),
        ("Patzelt Wiesbaden", "name,org", ["ariane-patzelt"]),
        ("Regiestelle", "org", ["rena-wissmeier"]),
        ("Regiestelle", "name", []),
    ],
)
def test_find_in_restricts_the_fields(cli, query: str, fields: str, expected: list[str]) -> None:
    result = cli("find", query, "--in", fields, "--json")
    assert ids(result.stdout) == expected
    assert result.exit_code == (0 if expected else 1)


def test_find_in_with_an_unknown_field(cli) -> None:
    result = cli("find", "wissmeier", "--in", "name,shoesize")
    assert result.exit_code == 2
    assert "shoesize" in result.stderr
    for name in ("name", "org", "role", "topic", "contact"):
        assert name in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("query", "close"), [("Hofmann", "Michael Hofmeister"), ("Wissmann", None)]
)
def test_nothing_found_exits_1_with_a_hint(cli, query: str, close: str | None) -> None:
    result = cli("find", query)
    assert result.exit_code == 1
    assert result.stdout == ""
    [hint] = result.stderr.splitlines()
    assert hint.startswith(f"kjcdir: No one matches '{query}'.")
    if close:
        assert "Closest names:" in hint and close in hint
    result = cli("find", query, "--json")
    assert (result.exit_code, result.stdout) == (1, "[]\n")
    assert result.stderr.startswith("kjcdir: No one matches")


def test_nothing_found_points_to_organisations_that_match(cli) -> None:
    result = cli("find", "Offenbach")
    assert result.exit_code == 1
    assert "kjcdir orgs Offenbach" in result.stderr


def test_an_empty_query_is_a_usage_error(cli) -> None:
    result = cli("find", " ")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("kjcdir: ")


# -- show -----------------------------------------------------------------------------------


def test_show_person_piped_prints_field_and_value_lines(cli) -> None:
    result = cli("show", "felix-wuerfel")
    assert result.exit_code == 0
    assert result.stdout == (
        "kind\tperson\n"
        "id\tfelix-wuerfel\n"
        "name\tFelix Würfel\n"
        "given_name\tFelix\n"
        "family_name\tWürfel\n"
        "greeting\tGuten Tag Felix Würfel\n"
        "organization\tHessischer Landkreistag › Sozialreferat\n"
        "role\tLeiter des Sozialreferats\n"
        "phone\t+49 611 1706-69\n"
        "email\twuerfel@hlt.de\n"
        "address\tFrankfurter Straße 2, 65189 Wiesbaden\n"
    )


def test_show_person_piped_one_line_per_affiliation(cli) -> None:
    lines = cli("show", "joachim-werle").stdout.splitlines()
    assert lines[6:] == [
        "organization\tMain-Taunus-Kreis",
        "role\t",
        "organization\tDeutscher Landkreistag › AK Option",
        "role\thessisches Mitglied im AK Option",
        "organization\tArbeitsgemeinschaft der Kommunalen Jobcenter",
        "role\tSprecher der hessischen AG KJC",
    ]


@pytest.mark.parametrize("person_id", ["ariane-patzelt", "joachim-werle", "rosemarie-lueck"])
def test_show_piped_pairs_every_organization_with_a_role_line(cli, person_id: str) -> None:
    """A role line follows every organisation line, empty where the affiliation has none,
    so that pairing the two kinds of line by position gives each affiliation its own role."""
    lines = [line.split("\t") for line in cli("show", person_id).stdout.splitlines()]
    assert all(len(fields) == 2 for fields in lines)
    organizations = [value for name, value in lines if name == "organization"]
    roles = [value for name, value in lines if name == "role"]
    expected = json_of(cli, "show", person_id)["affiliations"]
    assert list(zip(organizations, roles, strict=True)) == [
        (" › ".join(aff["org_path"]), aff["role"] or "") for aff in expected
    ]
    assert [name for name, _ in lines if name in ("organization", "role")] == [
        "organization",
        "role",
    ] * len(expected)


def test_show_patzelt_piped_has_an_empty_role_for_wiesbaden(cli) -> None:
    lines = cli("show", "ariane-patzelt").stdout.splitlines()
    assert lines[lines.index("organization\tLandeshauptstadt Wiesbaden") + 1] == "role\t"
    assert lines[lines.index("organization\tDeutscher Landkreistag › AK Option") + 1] == (
        "role\thessisches Mitglied im AK Option"
    )


def test_show_organization_piped(cli) -> None:
    result = cli("show", "hstt-regiestelle")
    assert result.exit_code == 0
    assert_plain(result.stdout)
    lines = result.stdout.splitlines()
    assert lines[:5] == [
        "kind\torganization",
        "id\thstt-regiestelle",
        "name\tRegiestelle SGB II",
        "path\tHessischer Städtetag › Regiestelle SGB II",
        "parent\thstt",
    ]
    assert "alias\tRegiestelle für die Kommunalen Jobcenter" in lines
    assert [line for line in lines if line.startswith("task\t")][2] == (
        "task\tVorbereitung und Durchführung von Fachtagungen"
    )
    assert len([line for line in lines if line.startswith("task\t")]) == 6
    assert len([line for line in lines if line.startswith("topic\t")]) == 9
    assert lines[-1] == "person\trena-wissmeier"
    assert all(len(line.split("\t")) == 2 for line in lines)


def test_show_association_piped_lists_its_units(cli) -> None:
    lines = cli("show", "hlt").stdout.splitlines()
    assert [line for line in lines if line.startswith("unit\t")] == [
        "unit\thlt-sozialreferat",
        "unit\thlt-koordinierungsstelle",
    ]
    assert "website\thttps://www.hlt.de" in lines


def test_show_person_on_a_terminal(cli, terminal: None) -> None:
    result = cli("show", "felix-wuerfel")
    assert result.exit_code == 0
    assert "\x1b]8;" in result.stdout
    assert "tel:+49611170669" in result.stdout
    assert "mailto:wuerfel@hlt.de" in result.stdout
    text = visible(result.stdout)
    assert "Felix Würfel" in text
    assert "Leiter des Sozialreferats" in text
    assert "Hessischer Landkreistag › Sozialreferat" in text
    assert "felix-wuerfel" in text
    assert " · " not in text  # a score only where something was searched


def test_show_organization_on_a_terminal(cli, terminal: None) -> None:
    result = cli("show", "hstt-regiestelle")
    assert result.exit_code == 0
    text = visible(result.stdout)
    assert "Regiestelle SGB II" in text
    assert "Part of" in text and "Hessischer Städtetag" in text
    assert "Tasks" in text and "• Vorbereitung und Durchführung von Fachtagungen" in text
    assert "Rena Wißmeier" in text
    result = cli("show", "hlt")
    assert "https://www.hlt.de" in OSC8.findall(result.stdout)
    assert "Hessischer Landkreistag (HLT)" in visible(result.stdout)


@pytest.mark.parametrize(
    ("env", "label"), [({}, "Member of"), ({"LANG": "de_DE.UTF-8"}, "Mitglied von")]
)
def test_a_member_organisation_on_a_terminal_names_its_body(
    cli, terminal: None, env: dict[str, str], label: str
) -> None:
    text = visible(cli("show", "stadt-offenbach", env=env).stdout)
    assert "Stadt Offenbach" in text
    [line] = [line for line in text.splitlines() if label in line]
    assert "Deutscher Städtetag › Konferenz der Optionsstädte" in line


def test_a_person_card_shows_the_salutation_with_the_name(cli, terminal: None) -> None:
    assert "Frau Rena Wißmeier" in visible(cli("show", "rena-wissmeier").stdout)
    assert "Frau Kreisbeigeordnete Rosemarie Lück" in visible(cli("show", "rosemarie-lueck").stdout)


def test_show_an_unknown_id(cli) -> None:
    result = cli("show", "rena")
    assert result.exit_code == 1
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("kjcdir: No entry has the id 'rena'.")
    assert "rena-wissmeier" in line
    assert cli("show", "rena", "--json").exit_code == 1


# -- list -----------------------------------------------------------------------------------


def test_list_json_all_people_by_family_name(cli) -> None:
    assert ids(cli("list", "--json").stdout) == ALL_PEOPLE_BY_FAMILY_NAME


def test_list_piped(cli) -> None:
    result = cli("list")
    assert result.exit_code == 0
    assert_plain(result.stdout)
    assert column(result.stdout) == ALL_PEOPLE_BY_FAMILY_NAME
    assert all(len(line.split("\t")) == 6 for line in result.stdout.splitlines())
    assert RENA_LINE in result.stdout.splitlines()


@pytest.mark.parametrize(
    ("org", "expected"),
    [
        ("HStT", {"michael-hofmeister", "rena-wissmeier"}),
        ("hstt", {"michael-hofmeister", "rena-wissmeier"}),
        ("Hessischer Städtetag", {"michael-hofmeister", "rena-wissmeier"}),
        ("DLT", AK_OPTION),  # with its units
        ("AK Option", AK_OPTION),
        ("hlt-koordinierungsstelle", {"laura-brennert"}),
        ("Koordinationsstelle", {"laura-brennert"}),  # an alias
        ("AG KJC", {"joachim-werle"}),
        ("Wiesbaden", {"ariane-patzelt"}),
        ("Landkreis Fulda", {"juergen-stock"}),
        ("Regiestele", {"rena-wissmeier"}),  # a typo
        ("Hessischer Stadtetag", {"michael-hofmeister", "rena-wissmeier"}),
        ("Deutscher Landkreistg", AK_OPTION),
        ("Fulda", {"juergen-stock"}),  # one word of the name
        ("Darmstadt", {"rosemarie-lueck"}),
        ("Lahn Dill", {"peter-dubowy"}),
    ],
)
def test_list_org(cli, org: str, expected: set[str]) -> None:
    assert set(ids(cli("list", "--org", org, "--json").stdout)) == expected


def test_list_topic(cli) -> None:
    assert ids(cli("list", "--topic", "Messeauftritte", "--json").stdout) == ["laura-brennert"]
    assert column(cli("list", "--topic", "Fachtagungen").stdout) == ["rena-wissmeier"]


def test_list_org_and_topic_together(cli) -> None:
    both = cli("list", "--org", "HStT", "--topic", "Fachtagungen", "--json")
    assert ids(both.stdout) == ["rena-wissmeier"]
    none = cli("list", "--org", "HLT", "--topic", "Fachtagungen", "--json")
    assert (none.exit_code, none.stdout) == (1, "[]\n")
    assert none.stderr.startswith("kjcdir: ")


def test_list_org_that_has_nobody(cli) -> None:
    result = cli("list", "--org", "stadt-offenbach")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.startswith("kjcdir: ")


@pytest.mark.parametrize(
    ("org", "named"),
    [
        ("Deutscher Bundestag", ["DLT (dlt)", "DST (dst)"]),
        ("Landkreis Kassel", ["Landkreis Darmstadt-Dieburg (lk-darmstadt-dieburg)"]),
        ("Landkreis", ["Landkreis Fulda (lk-fulda)"]),
        ("Landkreistg", ["HLT (hlt)", "DLT (dlt)"]),
        ("Städtetg", ["HStT (hstt)", "DST (dst)"]),
    ],
)
def test_list_unknown_org_names_the_closest(cli, org: str, named: list[str]) -> None:
    for args in (["list", "--org", org], ["list", "--org", org, "--json"]):
        result = cli(*args)
        assert result.exit_code == 2
        assert result.stdout == ""
        [line] = result.stderr.splitlines()
        assert line.startswith(f"kjcdir: Unknown organisation '{org}'. Closest: ")
        for name in named:
            assert name in line


def test_list_org_with_a_name_two_organisations_share(cli) -> None:
    result = cli("list", "--org", "Sozialreferat")
    assert result.exit_code == 2
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert "hlt-sozialreferat" in line and "hstt-sozialreferat" in line
    assert ids(cli("list", "--org", "hstt-sozialreferat", "--json").stdout) == [
        "michael-hofmeister"
    ]


def test_list_on_a_terminal_is_a_table(cli, terminal: None) -> None:
    result = cli("list")
    assert result.exit_code == 0
    text = visible(result.stdout)
    header = text.splitlines()[1]
    assert "Name" in header and "Phone" in header and "E-mail" in header
    assert "─" in text
    for pid in ALL_PEOPLE_BY_FAMILY_NAME:
        assert pid in text
    assert "tel:+49611170669" in OSC8.findall(result.stdout)
    assert "mailto:brennert@hlt.de" in OSC8.findall(result.stdout)
    assert "\t" not in text


def test_list_table_fits_an_80_column_terminal(cli, terminal: None) -> None:
    result = cli("list", env={"COLUMNS": "80"})
    text = visible(result.stdout)
    assert all(len(line) <= 80 for line in text.splitlines())
    assert "…" not in text, text  # nothing cut off
    for word in ("Hessischer", "Koordinierungsstelle", "Sozialreferat", "Darmstadt-Dieburg"):
        assert word in text
    for email in ("hofmeister@hess-staedtetag.de", "wissmeier@hess-staedtetag.de"):
        assert email in text


@pytest.mark.parametrize("width", [20, 24, 30, 36, 40, 46, 52, 60, 70, 74, 80, 100, 140])
def test_list_fits_every_width_and_never_cuts_an_id(cli, terminal: None, width: int) -> None:
    result = cli("list", env={"COLUMNS": str(width)})
    assert result.exit_code == 0
    text = visible(result.stdout)
    assert all(len(line) <= width for line in text.splitlines()), text
    assert "…" not in text, text
    words = text.split()
    for pid in ALL_PEOPLE_BY_FAMILY_NAME:
        if len(pid) <= width - 4:  # one column with its padding and edges: the least room
            assert pid in words, (pid, text)


# -- orgs -----------------------------------------------------------------------------------


def test_orgs_piped(cli) -> None:
    result = cli("orgs")
    assert result.exit_code == 0
    assert_plain(result.stdout)
    lines = result.stdout.splitlines()
    assert len(lines) == 17
    assert lines[:3] == [
        "hlt\tHLT\tHessischer Landkreistag\t",
        "hlt-sozialreferat\t\tSozialreferat\thlt",
        "hlt-koordinierungsstelle\t\tKoordinierungsstelle für die Kommunalen Jobcenter\thlt",
    ]
    assert "dlt-ak-option\tAK Option\tAK Option\tdlt" in lines
    assert lines[-1] == "stadt-offenbach\t\tStadt Offenbach\t"


def test_orgs_json(cli) -> None:
    orgs = json_of(cli, "orgs")
    assert len(orgs) == 17
    assert all(set(org) >= SPEC_ORG_KEYS and org["kind"] == "organization" for org in orgs)
    assert orgs[0]["id"] == "hlt"


def test_orgs_query(cli) -> None:
    assert cli("orgs", "Regiestelle").stdout == "hstt-regiestelle\t\tRegiestelle SGB II\thstt\n"
    assert ids(cli("orgs", "Regiestelle", "--json").stdout) == ["hstt-regiestelle"]
    assert {"hstt", "dst"} <= set(ids(cli("orgs", "Städtetag", "--json").stdout))
    assert ids(cli("orgs", "AK", "Option", "--json").stdout)[0] == "dlt-ak-option"


def test_orgs_query_that_finds_nothing(cli) -> None:
    result = cli("orgs", "qwertz", "--json")
    assert (result.exit_code, result.stdout) == (1, "[]\n")
    assert result.stderr.startswith("kjcdir: No organisation matches 'qwertz'")
    assert cli("orgs", "qwertz").stdout == ""


def test_orgs_on_a_terminal_is_a_tree(cli, terminal: None) -> None:
    result = cli("orgs")
    assert result.exit_code == 0
    lines = visible(result.stdout).splitlines()
    assert lines[0] == "Organisations"
    assert lines[1].startswith("├── Hessischer Landkreistag (HLT)  hlt")
    assert lines[2].startswith("│   ├── Sozialreferat  hlt-sozialreferat")
    assert lines[3].startswith("│   │   └── Felix Würfel  felix-wuerfel  Leiter des Sozialreferats")
    assert lines[-1].startswith("└── Stadt Offenbach  stadt-offenbach")
    assert any("└── AK Option  dlt-ak-option" in line for line in lines)


def test_orgs_query_on_a_terminal_prints_cards(cli, terminal: None) -> None:
    result = cli("orgs", "AK Option")
    text = visible(result.stdout)
    assert "╭─ AK Option" in text
    assert "Deutscher Landkreistag" in text
    for name in ("Rosemarie Lück", "Ariane Patzelt", "Joachim Werle", "Jürgen Stock"):
        assert name in text


# -- topics ---------------------------------------------------------------------------------


def test_topics_json(cli) -> None:
    rows = json_of(cli, "topics")
    assert [row["kind"] for row in rows] == ["topic"] * 22 + ["task"] * 20
    by_topic = {row["topic"]: row for row in rows}
    assert by_topic["Sozialreferat"] == {
        "topic": "Sozialreferat",
        "kind": "topic",
        "units": ["hlt-sozialreferat", "hstt-sozialreferat"],
        "people": ["felix-wuerfel", "michael-hofmeister"],
    }
    assert set(by_topic["Bundesebene"]["people"]) == AK_OPTION
    assert by_topic["den Selbstverwaltungsgedanken zu pflegen"]["units"] == ["hlt"]


def test_topics_piped(cli) -> None:
    result = cli("topics", "Fachtagungen")
    assert result.exit_code == 0
    assert result.stdout == (
        "Fachtagungen\ttopic\thstt-regiestelle\trena-wissmeier\n"
        "Vorbereitung und Durchführung von Fachtagungen\ttask\thstt-regiestelle\trena-wissmeier\n"
    )
    assert len(cli("topics").stdout.splitlines()) == 42


def test_topics_query_that_finds_nothing(cli) -> None:
    result = cli("topics", "qwertz", "--json")
    assert (result.exit_code, result.stdout) == (1, "[]\n")
    assert "qwertz" in result.stderr


@pytest.mark.parametrize(
    "query",
    [
        "...",  # punctuation only
        "\udcff",  # an undecodable byte of argv ($'\\xff'), as Python passes it on
        "— / ¿",  # non-ASCII punctuation
        "\u200b",  # a zero-width space: nothing visible, nothing to look for
        "",
        "  ",
    ],
)
def test_topics_query_without_a_word_finds_nothing(cli, query: str) -> None:
    """A query that normalises to no words matched every topic; it matches none."""
    result = cli("topics", query, "--json")
    assert (result.exit_code, result.stdout) == (1, "[]\n"), result.stderr
    assert result.stderr.startswith("kjcdir: No topic or task matches")
    piped = cli("topics", query)
    assert (piped.exit_code, piped.stdout) == (1, "")


@pytest.mark.parametrize("stop_word", ["der", "und", "für", "die"])
def test_topics_are_not_found_by_their_stop_words(cli, stop_word: str) -> None:
    """Stop words are not looked for (as in `find`): a topic that holds the word is no
    match, only one with a word that begins with it."""
    [forms] = normalize(stop_word)
    holding = [row for row in json_of(cli, "topics") if forms in normalize(row["topic"])]
    assert holding  # the test means something only if some topic holds the word
    result = cli("topics", stop_word, "--json")
    rows = json.loads(result.stdout)
    for row in rows:
        words = [word for word_forms in content_words(row["topic"]) for word in word_forms]
        assert any(word.startswith(forms) for word in words), row
    assert result.exit_code == (0 if rows else 1)


def test_topics_of_a_directory_without_topics(cli, tmp_path: Path) -> None:
    path = tmp_path / "plain.yaml"
    path.write_text("people:\n  - id: anna-meier\n    family_name: Meier\n", encoding="utf-8")
    result = cli("--no-bundled", "--data", str(path), "topics", "--json")
    assert (result.exit_code, result.stdout) == (1, "[]\n")
    assert result.stderr == "kjcdir: The directory holds no topics or tasks.\n"


def test_topics_on_a_terminal_is_a_table(cli, terminal: None) -> None:
    result = cli("topics", "Option")
    text = visible(result.stdout)
    header = text.splitlines()[1]
    assert "Topic" in header and "Units" in header and "People" in header
    assert "Optionskommunen" in text and "Rena Wißmeier" in text
    assert "(task)" in text


# -- check and info -----------------------------------------------------------------------


def test_check_and_info_piped_and_on_a_terminal(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = f"{bundled_path()}: ok (17 organisations, 9 people)\n"
    assert cli("check").stdout == expected
    piped_info = cli("info").stdout
    monkeypatch.setattr("kjcdir.output.sys", _TtySys())
    assert cli("check").stdout == expected
    assert cli("info").stdout == piped_info


def test_info_json(cli, tmp_path: Path) -> None:
    facts = json_of(cli, "info")
    cache = facts.pop("cache")
    assert facts == {
        "version": kjcdir.__version__,
        "title": "Eine gute Verbindung – Der Hessische Landkreistag (HLT), der Hessische "
        "Städtetag (HStT) und die Kommunalen Jobcenter",
        "source": "Seite „Eine gute Verbindung“ (Hessischer Landkreistag, Hessischer "
        "Städtetag und die Kommunalen Jobcenter)",
        "as_of": "2026-11-24",
        "organizations": 17,
        "people": 9,
        "files": [str(bundled_path())],
    }
    import os

    assert cache.startswith(os.environ["KJCDIR_CACHE_DIR"])


def test_info_piped(cli) -> None:
    result = cli("info")
    assert result.exit_code == 0
    assert_plain(result.stdout)
    lines = result.stdout.splitlines()
    assert "as_of\t2026-11-24" in lines
    assert "organizations\t17" in lines
    assert "people\t9" in lines
    assert f"files\t{bundled_path()}" in lines
    assert any(line.startswith("title\tEine gute Verbindung") for line in lines)
    assert any(line.startswith("source\t") for line in lines)
    assert any(line.startswith("cache\t") for line in lines)


def test_info_lists_every_file_in_use(cli, tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("people:\n  - id: anna-meier\n    family_name: Meier\n")
    lines = cli("--data", str(path), "info").stdout.splitlines()
    assert [line for line in lines if line.startswith("files\t")] == [
        f"files\t{bundled_path()}",
        f"files\t{path}",
    ]
    assert "people\t10" in lines


# -- forms chosen on a terminal ----------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["find", "wissmeier"],
        ["show", "rena-wissmeier"],
        ["list"],
        ["orgs"],
        ["orgs", "Regiestelle"],
        ["topics", "Fachtagungen"],
    ],
)
def test_plain_forces_lines_on_a_terminal(
    cli, terminal: None, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    rich = cli(*args)
    assert "\x1b" in rich.stdout  # the stand-in terminal is taken for one
    plain = cli(*args, "--plain")
    assert plain.exit_code == 0
    assert_plain(plain.stdout)
    with monkeypatch.context() as piped:
        piped.setattr("kjcdir.output.sys", sys)
        assert plain.stdout == cli(*args).stdout  # the very lines of a pipe


@pytest.mark.parametrize(
    "args", [["find", "wissmeier"], ["show", "rena-wissmeier"], ["list"], ["orgs"], ["topics"]]
)
def test_json_wins_on_a_terminal(cli, terminal: None, args: list[str]) -> None:
    result = cli(*args, "--json")
    assert "\x1b" not in result.stdout
    json.loads(result.stdout)
    assert json.loads(result.stdout) == json.loads(cli(*args, "--json", "--plain").stdout)


@pytest.mark.parametrize(
    "args",
    [
        ["find", "wissmeier"],
        ["show", "rena-wissmeier"],
        ["show", "hlt"],
        ["list"],
        ["orgs"],
        ["orgs", "HLT"],
        ["topics"],
        ["info"],
        ["check"],
    ],
)
def test_piped_output_has_no_escape_sequences_or_boxes(cli, args: list[str]) -> None:
    result = cli(*args)
    assert result.exit_code == 0
    assert_plain(result.stdout)


# -- labels and colour on a terminal -----------------------------------------------------


@pytest.mark.parametrize(
    ("env", "german"),
    [
        ({"LANG": "de_DE.UTF-8"}, True),
        ({"LC_MESSAGES": "de_AT.UTF-8", "LANG": "en_US.UTF-8"}, True),
        ({"LC_ALL": "de_CH.UTF-8", "LANG": "en_GB.UTF-8"}, True),
        ({"LC_ALL": "C", "LANG": "de_DE.UTF-8"}, False),
        ({"LANG": "en_US.UTF-8"}, False),
        ({}, False),
    ],
)
def test_labels_follow_the_locale(cli, terminal: None, env: dict[str, str], german: bool) -> None:
    text = visible(cli("show", "rena-wissmeier", env=env).stdout)
    labels = ("Telefon", "Adresse", "Themen") if german else ("Phone", "Address", "Topics")
    others = ("Phone", "Address", "Topics") if german else ("Telefon", "Adresse", "Themen")
    for label in labels:
        assert label in text
    for label in others:
        assert label not in text


def test_german_table_and_tree_labels(cli, terminal: None) -> None:
    env = {"LANG": "de_DE.UTF-8"}
    assert "Telefon" in visible(cli("list", env=env).stdout)
    assert visible(cli("orgs", env=env).stdout).startswith("Organisationen\n")
    assert "Thema" in visible(cli("topics", env=env).stdout)


def test_colour_on_a_terminal_and_no_colour_with_no_color(cli, terminal: None) -> None:
    coloured = cli("show", "rena-wissmeier").stdout
    assert COLOUR.search(coloured)
    plain = cli("show", "rena-wissmeier", env={"NO_COLOR": "1"}).stdout
    assert not COLOUR.search(plain)
    assert visible(plain) == visible(coloured)
    assert "tel:+49611170225" in plain  # links are not colour


# -- version, help, usage errors ------------------------------------------------------------


def test_version(cli) -> None:
    result = cli("--version")
    assert result.exit_code == 0
    assert result.stdout == f"kjcdir {kjcdir.__version__}\n"
    assert re.fullmatch(r"\d+\.\d+\.\d+\S*", kjcdir.__version__)


def test_version_and_python_m_in_real_processes() -> None:
    result = run_process("--version")
    assert (result.returncode, result.stdout) == (0, f"kjcdir {kjcdir.__version__}\n")
    import subprocess

    module = subprocess.run(
        [sys.executable, "-m", "kjcdir", "find", "wissmeier"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert module.returncode == 0, module.stderr
    assert module.stdout == RENA_LINE + "\n"


def test_help_lists_the_commands(cli) -> None:
    result = cli("--help")
    assert result.exit_code == 0
    for command in ("find", "show", "list", "orgs", "topics", "check", "info"):
        assert command in result.stdout


@pytest.mark.parametrize(
    ("args", "phrase"),
    [
        (["frobnicate"], "frobnicate"),
        (["find"], "Missing argument"),
        (["show"], "Missing argument"),
        (["list", "--org"], "--org"),
        (["find", "x", "--limit", "many"], "many"),
        (["--no-such-option", "find", "x"], "--no-such-option"),
    ],
)
def test_usage_errors_are_one_sentence_on_stderr(cli, args: list[str], phrase: str) -> None:
    result = cli(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("kjcdir: ")
    assert phrase in line
    assert "Traceback" not in result.stderr


def test_an_unknown_command_suggests_one_sentence_without_double_punctuation(cli) -> None:
    result = cli("org")
    assert result.exit_code == 2
    assert result.stderr == "kjcdir: No such command 'org'. Did you mean 'orgs'?\n"
