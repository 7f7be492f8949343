"""Queries of the kinds in ../shared/queries.yaml, but others: different people, misspellings,
umlaut spellings, units, bodies, roles, topics, phone notations, e-mail addresses, and German
surnames that are not in the directory. The search must serve the kinds, not the sample.

Each case runs `kjcdir find Q --json` over the bundled directory:
  only: the result is exactly this person
  top:  this person comes first
  set:  the result is exactly these people
  none: nobody (exit 1, `[]`)
"""

from __future__ import annotations

import json
from typing import Any

import pytest

# One cache for the module: the bundled directory is compiled once, not per test.
pytestmark = pytest.mark.usefixtures("module_cache")


AK_OPTION = ["rosemarie-lueck", "ariane-patzelt", "joachim-werle", "juergen-stock", "peter-dubowy"]


def case(q: str, **expected: Any) -> Any:
    return pytest.param(q, expected, id=q)


PEOPLE = [
    # umlauts typed, transliterated or dropped; ß as ss
    case("Wissmeier", only="rena-wissmeier"),
    case("WISSMEIER", only="rena-wissmeier"),
    case("Wurfel", only="felix-wuerfel"),
    case("Luck", only="rosemarie-lueck"),
    case("Lueck", only="rosemarie-lueck"),
    case("Lück", only="rosemarie-lueck"),
    case("Jürgen", only="juergen-stock"),
    case("Juergen", only="juergen-stock"),
    case("Jurgen", only="juergen-stock"),
    # given names, full names in either order
    case("Rena", only="rena-wissmeier"),
    case("Laura", only="laura-brennert"),
    case("Michael", only="michael-hofmeister"),
    case("Ariane", only="ariane-patzelt"),
    case("Rosemarie", only="rosemarie-lueck"),
    case("Peter Dubowy", only="peter-dubowy"),
    case("Wißmeier Rena", only="rena-wissmeier"),
    case("Jürgen Stock", only="juergen-stock"),
    case("joachim werle", only="joachim-werle"),
    # small typos
    case("Wissmaier", only="rena-wissmeier"),
    case("Wissmeyer", only="rena-wissmeier"),
    case("Würffel", only="felix-wuerfel"),
    case("Brenert", only="laura-brennert"),
    case("Hofmeiser", only="michael-hofmeister"),
    case("Hoffmeister", only="michael-hofmeister"),
    case("Pazelt", only="ariane-patzelt"),
    case("Dubowi", only="peter-dubowy"),
    case("Dubovy", only="peter-dubowy"),
    case("Stok", top="juergen-stock"),
    case("Werl", only="joachim-werle"),
    # a name and where the person works
    case("Würfel HLT", only="felix-wuerfel"),
    case("Hofmeister Städtetag", only="michael-hofmeister"),
    case("Patzelt Wiesbaden", only="ariane-patzelt"),
    case("Lück Darmstadt", only="rosemarie-lueck"),
]

UNITS_ROLES_TOPICS = [
    case("Regiestelle SGB II", top="rena-wissmeier"),
    case("Regiestele", top="rena-wissmeier"),
    case("Koordinationsstelle", top="laura-brennert"),  # the alias
    case("Koordinierungstelle", top="laura-brennert"),
    case("Sozialreferat", set=["felix-wuerfel", "michael-hofmeister"]),
    case("Sozialreferat Städtetag", top="michael-hofmeister"),
    case("Sozialreferat Staedtetag", top="michael-hofmeister"),
    case("Sozialreferat Landkreistag", top="felix-wuerfel"),
    case("Leiter Sozialreferat", set=["felix-wuerfel", "michael-hofmeister"]),
    case("Kreisbeigeordnete", only="rosemarie-lueck"),
    case("Kreisbeigeordneter", only="rosemarie-lueck"),
    case("Sprecher", only="joachim-werle"),
    case("AG KJC", top="joachim-werle"),
    case("SGB II", top="rena-wissmeier"),
    case("SGB III", top="rena-wissmeier"),
    case("Fachtagung", top="rena-wissmeier"),
    case("Gesetzesänderungen", top="rena-wissmeier"),
    case("Interessenvertretung", top="rena-wissmeier"),
    case("Optionskommunen", top="rena-wissmeier"),
    case("Fachveranstaltungen", top="laura-brennert"),
    case("Öffentlichkeitsarbeit", only="laura-brennert"),
    case("Oeffentlichkeitsarbeit", only="laura-brennert"),
    case("Offentlichkeitsarbeit", only="laura-brennert"),
    case("Akzeptanz", only="laura-brennert"),
    case("Stellungnahme", top="rena-wissmeier"),
    case(
        "Vernetzung",
        only="rena-wissmeier",
    ),
]

BODIES_AND_PLACES = [
    case("Hessischer Städtetag", set=["michael-hofmeister", "rena-wissmeier"]),
    case("Staedtetag", set=["michael-hofmeister", "rena-wissmeier"]),
    case("hstt", set=["michael-hofmeister", "rena-wissmeier"]),
    case("hlt", set=["felix-wuerfel", "laura-brennert"]),
    case(
        "Hessischer Landkreistag",
        set=["felix-wuerfel", "laura-brennert"],
    ),
    case("Deutscher Landkreistag", set=AK_OPTION),
    case("DLT", set=AK_OPTION),
    case("ak option", set=AK_OPTION),
    case("AK-Option", set=AK_OPTION),
    case("Landkreis Fulda", only="juergen-stock"),
    case("Darmstadt-Dieburg", only="rosemarie-lueck"),
    case("Dieburg", only="rosemarie-lueck"),
    case("Main-Taunus-Kreis", only="joachim-werle"),
    case("Main Taunus", only="joachim-werle"),
    case("Lahn Dill", only="peter-dubowy"),
    case("Landeshauptstadt Wiesbaden", only="ariane-patzelt"),
    case("Arbeitsgemeinschaft der Kommunalen Jobcenter", top="joachim-werle"),
    case(
        "Frankfurter Straße",
        set=["felix-wuerfel", "laura-brennert", "michael-hofmeister", "rena-wissmeier"],
    ),
    case("65189", set=["felix-wuerfel", "laura-brennert", "michael-hofmeister", "rena-wissmeier"]),
]

CONTACTS = [
    # phone numbers in the notations people write them
    case("0611/1702-25", only="rena-wissmeier"),
    case("0611 170225", only="rena-wissmeier"),
    case("+49 611 1702-25", only="rena-wissmeier"),
    case("+49611170225", only="rena-wissmeier"),
    case("0049 611 1702 25", only="rena-wissmeier"),
    case("(0611) 1702-22", only="michael-hofmeister"),
    case("0611-1706-22", only="laura-brennert"),
    case("1706-22", only="laura-brennert"),
    case("170222", only="michael-hofmeister"),
    case("1702", set=["michael-hofmeister", "rena-wissmeier"]),
    case(
        "+49 (0)611 1706-69",
        only="felix-wuerfel",
    ),
    # e-mail addresses, whole or begun
    case("wuerfel@hlt.de", only="felix-wuerfel"),
    case("WISSMEIER@HESS-STAEDTETAG.DE", only="rena-wissmeier"),
    case("hofmeister@hess-staedtetag.de", only="michael-hofmeister"),
    case("brennert@", only="laura-brennert"),
    case("hofmeister@hess", only="michael-hofmeister"),
    case("@hess-staedtetag.de", set=["michael-hofmeister", "rena-wissmeier"]),
    case("@hlt.de", set=["felix-wuerfel", "laura-brennert"]),
]

NOBODY = [
    case(name, none=True)
    for name in (
        "Meier",
        "Schmidt",
        "Fischer",
        "Becker",
        "Hoffmann",
        "Schulz",
        "Wagner",
        "Weber",
        "Mueller",
        "Muller",
        "Schäfer",
        "Krüger",
        "Köhler",
        "Weiß",
        "Hofmann",
        "Wissmann",
        "Zimmermann",
        "Werner",
        "Dubois",
        "Stockmann",
    )
] + [
    case(
        "Lüdecke",
        none=True,
    ),
    case(
        "Martin",
        none=True,
    ),
    case(
        "Frank",
        none=True,
    ),
    case(
        "Stein",
        none=True,
    ),
]


def run(cli, query: str) -> tuple[list[str], int]:  # type: ignore[no-untyped-def]
    result = cli("find", query, "--json")
    return [entry["id"] for entry in json.loads(result.stdout)], result.exit_code


def check(ids: list[str], exit_code: int, expected: dict[str, Any]) -> None:
    if "only" in expected:
        assert ids == [expected["only"]]
    if "top" in expected:
        assert ids and ids[0] == expected["top"], ids
    if "set" in expected:
        assert sorted(ids) == sorted(expected["set"])
    if expected.get("none"):
        assert (ids, exit_code) == ([], 1)
    else:
        assert exit_code == 0


@pytest.mark.parametrize(("query", "expected"), PEOPLE)
def test_people(cli, query: str, expected: dict[str, Any]) -> None:
    check(*run(cli, query), expected)


@pytest.mark.parametrize(("query", "expected"), UNITS_ROLES_TOPICS)
def test_units_roles_and_topics(cli, query: str, expected: dict[str, Any]) -> None:
    check(*run(cli, query), expected)


@pytest.mark.parametrize(("query", "expected"), BODIES_AND_PLACES)
def test_bodies_and_places(cli, query: str, expected: dict[str, Any]) -> None:
    check(*run(cli, query), expected)


@pytest.mark.parametrize(("query", "expected"), CONTACTS)
def test_phone_numbers_and_emails(cli, query: str, expected: dict[str, Any]) -> None:
    check(*run(cli, query), expected)


@pytest.mark.parametrize(("query", "expected"), NOBODY)
def test_names_that_are_not_in_the_directory(cli, query: str, expected: dict[str, Any]) -> None:
    check(*run(cli, query), expected)


@pytest.mark.parametrize(
    ("org", "expected"),
    [
        ("Regiestelle SGB II", ["rena-wissmeier"]),
        ("Koordinierungsstelle", ["laura-brennert"]),
        ("Arbeitsgemeinschaft der Kommunalen Jobcenter", ["joachim-werle"]),
        ("Main-Taunus-Kreis", ["joachim-werle"]),
        ("Deutscher Landkreistag", AK_OPTION),
    ],
)
def test_list_by_other_organisations(cli, org: str, expected: list[str]) -> None:
    result = cli("list", "--org", org, "--json")
    assert sorted(entry["id"] for entry in json.loads(result.stdout)) == sorted(expected)


@pytest.mark.parametrize(
    ("topic", "expected"),
    [
        ("Messeauftritte", ["laura-brennert"]),
        ("Stellungnahmen", ["rena-wissmeier"]),
        ("Öffentlichkeitsarbeit", ["laura-brennert"]),
        ("Bundesebene", AK_OPTION),
    ],
)
def test_list_by_other_topics(cli, topic: str, expected: list[str]) -> None:
    result = cli("list", "--topic", topic, "--json")
    assert sorted(entry["id"] for entry in json.loads(result.stdout)) == sorted(expected)


# --- Every word counts (issue 11, rules 1-4) ------------------------------------------
# Expected answers read from data/directory.yaml and the rules: every meaningful word of
# a query must be found in the person (any field of theirs or of their units and the
# bodies above them; exactly, as a prefix or as a typo), else the person is no hit.

# Multi-word queries where exactly one word is nowhere in the directory (not as a word,
# not as the beginning of one, not within a typo of one): nobody, not half a match.
ONE_WORD_NOT_IN_THE_DIRECTORY = [
    case(query, none=True)
    for query in (
        # a real body, unit or topic and a place that is not in it
        "Landkreistag Sachsen",
        "Jobcenter Marburg",
        "Städtetag Bayern",
        "Regiestelle Kassel",
        "Sozialreferat Thüringen",
        "Koordinierungsstelle Niedersachsen",
        "Fachtagungen Potsdam",
        "Öffentlichkeitsarbeit Brandenburg",
        "AK Option Saarland",
        "Sprecher Dresden",
        "Kreisbeigeordnete Marburg",
        "Landkreis Waldeck",
        "Hessischer Landkreistag Erfurt",
        # a real given name and a surname that is not in it, or the other way round
        "Peter Schmidt",
        "Laura Fischer",
        "Michael Becker",
        "Felix Wagner",
        "Jürgen Hoffmann",
        "Rena Schulz",
        "Thomas Würfel",
        # a real surname (typed right or with a typo) and a place that is not in it
        "Hofmeister Hamburg",
        "Wißmeier Kassel",
        "Wissmaier Kassel",
    )
] + [
    # every word is in the directory, but no one person holds them all
    case("Würfel Brennert", none=True),
    case("Messeauftritte und Fachtagungen", none=True),
]

# Multi-word queries where one person holds every word, in their own fields or in
# those of their units and the bodies above them: still found.
EVERY_WORD_IN_ONE_PERSON = [
    case("Rena Wißmeier", only="rena-wissmeier"),
    case("Laura Koordinierungsstelle", only="laura-brennert"),
    case("Lahn-Dill-Kreis AK Option", only="peter-dubowy"),
    case("Kreis Darmstadt-Dieburg", only="rosemarie-lueck"),  # Kreis…: Kreisbeigeordnete
    case("Wißmeier Frankfurt", only="rena-wissmeier"),  # the HStT's Frankfurter Straße
    case("Wissmaier Frankfurter", only="rena-wissmeier"),
    case("Dubowi Lahn Dill", only="peter-dubowy"),
    case("Werle Main-Taunus-Kreis Sprecher", only="joachim-werle"),
    case("Stock Fulda AK Option", only="juergen-stock"),
    case("Patzelt Landeshauptstadt", only="ariane-patzelt"),
    case("Felix Sozialreferat HLT", only="felix-wuerfel"),
    case("Michael Hofmeister Wiesbaden", only="michael-hofmeister"),  # the HStT's address
    case("Brennert Messeauftritte", only="laura-brennert"),
    case("Laura HLT", only="laura-brennert"),
    case("Jürgen Bundesebene", only="juergen-stock"),
    case("Rosemarie Lück Deutscher Landkreistag", only="rosemarie-lueck"),  # AK Option's body
    case("Peter Dubowy Landkreistag", only="peter-dubowy"),
    case("Ariane Optionsstadt", only="ariane-patzelt"),
]

# Articles and prepositions, und/oder, salutations, Ansprechpartner(in), Kontakt,
# zuständig and question words are dropped before rule 1 applies.
FILLER_WORDS = [
    case("Herr Würfel", only="felix-wuerfel"),
    case("Hr. Hofmeister", only="michael-hofmeister"),
    case("Fr. Brennert", only="laura-brennert"),
    case("Frau Rena Wißmeier", only="rena-wissmeier"),
    case("Frau Kreisbeigeordnete Lück", only="rosemarie-lueck"),
    case("Herr Dubowy vom Lahn-Dill-Kreis", only="peter-dubowy"),
    case("wer macht Messeauftritte", only="laura-brennert"),
    case("wer macht Stellungnahmen zu Gesetzesänderungen", only="rena-wissmeier"),
    case("Wer ist der Sprecher der AG KJC", only="joachim-werle"),
    case("zuständig für Fachtagungen", only="rena-wissmeier"),
    case("Ansprechpartner HStT Sozialreferat", top="michael-hofmeister"),
    case("Ansprechpartnerin für Öffentlichkeitsarbeit", only="laura-brennert"),
    case("Kontakt Koordinierungsstelle", top="laura-brennert"),
    case("Kontakt zur Regiestelle", only="rena-wissmeier"),
    case("Herr Müller", none=True),
    case("Frau Schmidt", none=True),
]

# Commas separate alternatives; each part follows rule 1 on its own.
ALTERNATIVES = [
    case("Hofmeister, Patzelt", set=["michael-hofmeister", "ariane-patzelt"]),
    case("Würfel, Müller", only="felix-wuerfel"),
    case("Stock, Dubowy, Lück", set=["juergen-stock", "peter-dubowy", "rosemarie-lueck"]),
    case("Rena Wißmeier, Laura Brennert", set=["rena-wissmeier", "laura-brennert"]),
    case("Frau Lück, Herr Werle", set=["rosemarie-lueck", "joachim-werle"]),
    case("Sprecher, Kreisbeigeordnete", set=["joachim-werle", "rosemarie-lueck"]),
    case("Peter Müller, Peter Dubowy", only="peter-dubowy"),
    case("Landkreis Gießen, Fulda", only="juergen-stock"),
    case("Hofmeister, Wißmeier Kassel", only="michael-hofmeister"),
    case("Müller, Schmidt", none=True),
]

# SGB numbers in Arabic or Roman numerals are the same words; only the Regiestelle
# SGB II (name, topics SGB II and SGB III, tasks) carries them.
SGB_NUMBERS = [
    case("SGB 2", only="rena-wissmeier"),
    case("SGB 3", only="rena-wissmeier"),
    case("sgb iii", only="rena-wissmeier"),
    case("SGB-II", only="rena-wissmeier"),
    case("Regiestelle SGB 2", only="rena-wissmeier"),
    case("SGB XII", none=True),
    case("SGB 12", none=True),
]


@pytest.mark.parametrize(("query", "expected"), ONE_WORD_NOT_IN_THE_DIRECTORY)
def test_a_word_found_nowhere_finds_nobody(cli, query: str, expected: dict[str, Any]) -> None:
    check(*run(cli, query), expected)


@pytest.mark.parametrize(("query", "expected"), EVERY_WORD_IN_ONE_PERSON)
def test_every_word_in_one_person(cli, query: str, expected: dict[str, Any]) -> None:
    check(*run(cli, query), expected)


@pytest.mark.parametrize(("query", "expected"), FILLER_WORDS)
def test_filler_words_are_dropped(cli, query: str, expected: dict[str, Any]) -> None:
    check(*run(cli, query), expected)


@pytest.mark.parametrize(("query", "expected"), ALTERNATIVES)
def test_commas_separate_alternatives(cli, query: str, expected: dict[str, Any]) -> None:
    check(*run(cli, query), expected)


@pytest.mark.parametrize(("query", "expected"), SGB_NUMBERS)
def test_sgb_numbers_both_ways(cli, query: str, expected: dict[str, Any]) -> None:
    check(*run(cli, query), expected)
