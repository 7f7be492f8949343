"""Every word counts (SPEC 2, issue 11): filler words, the AND rule, commas, SGB numbers,
the sentence that says why no one matched, and lines that show why a person is listed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import run_process
from kjcdir.index import build_index
from kjcdir.model import Affiliation, Directory, Meta, Organization, People, Person
from kjcdir.normalize import meaningful_words, normalize, typed_words
from kjcdir.search import explain_miss, search

# -- normalisation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "same_as"),
    [
        ("SGB 2", "SGB II"),
        ("sgb 3", "SGB III"),
        ("SGB-12", "SGB XII"),
        ("SGB2", "SGB II"),
        ("SGBIII", "SGB III"),
        ("Regiestelle SGB 2", "Regiestelle SGB II"),
    ],
)
def test_social_code_numbers_are_one_word_both_ways(typed: str, same_as: str) -> None:
    assert normalize(typed) == normalize(same_as)


@pytest.mark.parametrize("text", ["SGB 13", "2 SGB", "Abschnitt 2", "SGB Zwei"])
def test_other_numbers_stay_as_they_are(text: str) -> None:
    assert [forms[0] for forms in normalize(text)] == text.lower().replace("-", " ").split()


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("Frau Wißmeier", ["wissmeier"]),
        ("Hr. Hofmeister", ["hofmeister"]),
        ("wer macht Messeauftritte", ["messeauftritte"]),
        ("Ansprechpartnerin für die Regiestelle", ["regiestelle"]),
        ("Kontakt zuständig Fachtagungen", ["fachtagungen"]),
        ("Frau", ["frau"]),  # nothing else left: the word is searched for after all
    ],
)
def test_filler_words_are_dropped_from_queries(query: str, words: list[str]) -> None:
    assert [forms[0] for forms in meaningful_words(query)] == words


def test_typed_words_keep_the_users_spelling() -> None:
    assert typed_words("Frau Landkreis Gießen") == ["Landkreis", "Gießen"]
    assert typed_words("SGB2") == ["sgb", "ii"]  # split differently: the normalised words


# -- the rule, on a small directory --------------------------------------------------------


@pytest.fixture(scope="module")
def office() -> Directory:
    orgs = [
        Organization("amt", "Landesamt", short="LA"),
        Organization("amt-kranich", "Referat Kranich", parent="amt"),
        Organization("stadt", "Stadt Eulenburg"),  # an organisation without people
    ]
    people = [
        Person("nora", "Nora", "Pauly", (Affiliation("amt-kranich", "Leiterin"),)),
        Person("paul", "Paul", "Pauly", (Affiliation("amt"),)),
        Person("otto", "Otto", "Kranich", (Affiliation("amt"),)),
    ]
    return Directory(Meta("t", "t", "2026-01-01"), {o.id: o for o in orgs}, People(people))


def found(query: str, directory: Directory) -> list[str]:
    index = build_index(directory)
    return [directory.people.id_at(hit.person) for hit in search(query, index)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Pauly", ["nora", "paul"]),
        ("Nora Pauly", ["nora"]),
        ("Pauly Leiterin", ["nora"]),
        ("Kranich", ["otto", "nora"]),  # a name outranks a unit
        ("Kranich Pauly", ["nora"]),  # the unit's word reaches its people
        ("LA Kranich", ["otto", "nora"]),  # the body's short reaches the people of its units
        ("Nora Müller", []),  # one word found nowhere: no half match
        ("Nora Eulenburg", []),  # a word of an organisation without people
        ("Otto Leiterin", []),  # both words there, but not in one person
    ],
)
def test_every_meaningful_word_must_be_found_in_the_person(
    office: Directory, query: str, expected: list[str]
) -> None:
    assert found(query, office) == expected


def test_explain_miss_names_missing_and_unreached_words_and_the_partial_matches(
    office: Directory,
) -> None:
    index = build_index(office)
    miss = explain_miss("Nora Müller Eulenburg", index)
    assert (miss.missing, miss.unreached) == ([1], [2])
    assert [office.people.id_at(hit.person) for hit in miss.partial] == ["nora"]
    both = explain_miss("Otto Leiterin", index)
    assert (both.missing, both.unreached) == ([], [])
    # the strongest band only: Otto's name outweighs Nora's role
    assert [office.people.id_at(hit.person) for hit in both.partial] == ["otto"]
    assert not both.all_names  # "Leiterin" is no one's name: no comma hint


# -- through the command line, bundled directory -------------------------------------------


def ids(result: Any) -> list[str]:
    return [entry["id"] for entry in json.loads(result.stdout)]


def test_a_word_found_nowhere_is_named_with_the_partial_matches(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("find", "Jobcenter", "Kassel")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "kjcdir: No one matches all of 'Jobcenter Kassel': 'Kassel' is not in the directory. "
        "Partial matches: Laura Brennert, Joachim Werle, Rena Wißmeier.\n"
    )
    as_json = cli("find", "Jobcenter", "Kassel", "--json")
    assert (as_json.exit_code, as_json.stdout) == (1, "[]\n")


def test_two_names_without_a_comma_get_the_comma_hint(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("find", "Würfel", "Brennert")
    assert result.exit_code == 1
    assert result.stderr == (
        "kjcdir: No one matches all of 'Würfel Brennert'. Partial matches: Laura Brennert, "
        "Felix Würfel. For several people, separate them with commas: 'Würfel, Brennert'.\n"
    )
    assert sorted(ids(cli("find", "Würfel, Brennert", "--json"))) == [
        "felix-wuerfel",
        "laura-brennert",
    ]


def test_a_comma_part_that_finds_no_one_is_said_on_stderr(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("find", "Würfel,", "Müller")
    assert result.exit_code == 0
    assert result.stdout.startswith("felix-wuerfel\t")
    assert result.stderr.startswith("kjcdir: No one matches 'Müller'.")
    nothing = cli("find", ",", ",")
    assert nothing.exit_code == 2


def test_a_single_word_found_nowhere_keeps_the_closest_names_hint(cli) -> None:  # type: ignore[no-untyped-def]
    missing = cli("find", "Patzeltova")
    assert missing.exit_code == 1
    assert missing.stderr == "kjcdir: No one matches 'Patzeltova'. Closest names: Ariane Patzelt.\n"


def test_exports_and_mutt_follow_the_same_rule(cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("export", "Peter", "Müller").exit_code == 1
    mutt = cli("mutt-query", "Landkreis", "Gießen")
    assert mutt.exit_code == 1
    assert mutt.stdout.startswith("kjcdir: No one matches all of 'Landkreis Gießen': 'Gießen'")


# -- the affiliation that explains a line --------------------------------------------------


def test_list_by_org_shows_the_affiliation_within_it(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("list", "--org", "AK Option")
    assert result.exit_code == 0
    lines = [line.split("\t") for line in result.stdout.splitlines()]
    assert len(lines) == 5
    assert {line[2] for line in lines} == {"Deutscher Landkreistag › AK Option"}
    assert all(line[3] for line in lines)  # the role of that affiliation, not the county's


def test_find_shows_the_affiliation_the_query_matched(cli) -> None:  # type: ignore[no-untyped-def]
    werle = cli("find", "Sprecher").stdout.split("\t")
    assert werle[0] == "joachim-werle"
    assert "Sprecher" in werle[3]
    assert werle[2] == "Arbeitsgemeinschaft der Kommunalen Jobcenter"
    county = cli("find", "Werle").stdout.split("\t")
    assert county[2] == "Main-Taunus-Kreis"  # no word points elsewhere: the first affiliation


def two_hat_file(folder: Path) -> Path:
    data = {
        "organizations": [
            {"id": "kreis", "name": "Kreis Nord"},
            {"id": "beirat", "name": "Beirat Arbeit", "topics": ["Arbeitsmarkt"]},
        ],
        "people": [
            {
                "id": "ina-zwei",
                "given_name": "Ina",
                "family_name": "Zwei",
                "emails": ["ina@example.org"],
                "affiliations": [
                    {"org": "kreis", "role": "Dezernentin"},
                    {"org": "beirat", "role": "Vorsitzende"},
                ],
            }
        ],
    }
    path = folder / "zwei.yaml"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_mutt_and_the_process_show_the_matching_affiliation(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = str(two_hat_file(tmp_path))
    mutt = cli("--no-bundled", "--data", data, "mutt-query", "Arbeitsmarkt")
    assert mutt.stdout.splitlines()[1] == "ina@example.org\tIna Zwei\tBeirat Arbeit"
    plain = run_process("--no-bundled", "--data", data, "find", "Vorsitzende")
    assert plain.stdout.split("\t")[2:4] == ["Beirat Arbeit", "Vorsitzende"]
    listed = run_process("--no-bundled", "--data", data, "list", "--org", "kreis")
    assert listed.stdout.split("\t")[2:4] == ["Kreis Nord", "Dezernentin"]


def test_an_export_of_alternatives_says_which_part_found_no_one(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("export", "Würfel, Müller", "-f", "json")
    assert result.exit_code == 0
    assert [entry["id"] for entry in json.loads(result.stdout)] == ["felix-wuerfel"]
    assert result.stderr.startswith("kjcdir: No one matches 'Müller'.")


# -- found in review: what the rules must not break ------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("mailto:wuerfel@hlt.de", ["felix-wuerfel"]),
        ("E-Mail: wuerfel@hlt.de", ["felix-wuerfel"]),
        ("Würfel 170669", ["felix-wuerfel"]),  # a name and part of the number
        ("Würfel 0611 1706-69", ["felix-wuerfel"]),  # the number typed in words
        ("Telefon Würfel", ["felix-wuerfel"]),
        ("Telefonnummer Wißmeier", ["rena-wissmeier"]),
        ("Adresse Hofmeister", ["michael-hofmeister"]),
        ("Frau Dr. Wißmeier", ["rena-wissmeier"]),
        ("Hr. Hofmeister", ["michael-hofmeister"]),
        ("Würfel, Felix", ["felix-wuerfel"]),  # a name as lists write it
        ("(0611) 1702-22", ["michael-hofmeister"]),  # a whole number: not by its parts
        ("65189", None),  # a postal code is a word like any other
        ("beim Hessischen Landkreistag", ["laura-brennert", "felix-wuerfel"]),
        ("des Hessischen Städtetages", ["michael-hofmeister", "rena-wissmeier"]),
    ],
)
def test_contact_words_names_and_declined_bodies(cli, query: str, expected: Any) -> None:  # type: ignore[no-untyped-def]
    result = cli("find", query, "--json")
    assert result.exit_code == 0, result.stderr
    if expected is not None:
        assert ids(result) == expected


def test_hr_without_a_dot_is_a_word(tmp_path: Path) -> None:
    assert [forms[0] for forms in meaningful_words("HR Meier")] == ["hr", "meier"]
    assert [forms[0] for forms in meaningful_words("Hr. Meier")] == ["meier"]


def test_several_parts_that_find_no_one_are_one_sentence(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("find", "Müller, Schneider")
    assert result.exit_code == 1
    assert result.stderr == "kjcdir: No one matches any of 'Müller' or 'Schneider'.\n"


def test_the_miss_sentence_names_fields_left_out_by_in(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("find", "Wißmeier", "HStT", "--in", "name")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "kjcdir: No one matches all of 'Wißmeier HStT': no person has 'HStT' in the fields "
        "searched (--in). Partial matches: Rena Wißmeier."
    )


def test_no_comma_hint_for_words_that_are_no_names(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("find", "Jobcenter", "Darmstadt")
    assert result.exit_code == 1
    assert "commas" not in result.stderr


def test_organisations_follow_the_rule_too(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("orgs", "Kreis Offenbach")
    assert result.exit_code == 1
    assert [
        org["id"] for org in json.loads(cli("orgs", "Konferenz Optionsstädte", "--json").stdout)
    ] == ["dst-konferenz-optionsstaedte"]
    hint = cli("find", "Konferenz der Optionsstädte")
    assert hint.stderr.rstrip().endswith(
        "Organisations match it: try `kjcdir orgs Konferenz der Optionsstädte`."
    )


def test_the_affiliation_found_through_a_bodys_tasks(cli) -> None:  # type: ignore[no-untyped-def]
    """The AK Option members are found through the DLT's description; their lines show
    the affiliation within it, not their county."""
    lines = [line.split("\t") for line in cli("find", "Spitzenverband").stdout.splitlines()]
    assert lines and all(line[2] == "Deutscher Landkreistag › AK Option" for line in lines)


@pytest.mark.parametrize(
    ("query", "missing", "unreached", "partial", "all_names"),
    [
        ("Nora Müller Eulenburg", [1], [2], [("nora", 100.0)], False),
        ("Otto Leiterin", [], [], [("otto", 100.0)], False),
        # two names of two people: the comma hint ("Nora, Otto") is worth giving
        ("Nora Otto", [], [], [("otto", 100.0), ("nora", 100.0)], True),
        ("Pauly Müller", [1], [], [("nora", 100.0), ("paul", 100.0)], False),
        ("Müller", [0], [], [], False),
        ("", [], [], [], False),
        # Paul reaches Pauly by its prefix too, but Nora matched both words: she alone
        ("Nora Paul", [], [], [("nora", 96.5)], True),
    ],
)
def test_explain_miss_exactly(
    office: Directory,
    query: str,
    missing: list[int],
    unreached: list[int],
    partial: list[tuple[str, float]],
    all_names: bool,
) -> None:
    miss = explain_miss(query, build_index(office))
    assert (miss.missing, miss.unreached, miss.all_names) == (missing, unreached, all_names)
    assert [(office.people.id_at(hit.person), hit.score) for hit in miss.partial] == partial
