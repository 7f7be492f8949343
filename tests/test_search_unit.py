"""Ranking as pure functions over small, hand-built directories (SPEC 2).

No files, no CLI: a Directory is built from model objects, indexed, and searched.
"""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kjcdir.index import FIELD_NAME, build_index
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
from kjcdir.normalize import STOP_WORDS, fold
from kjcdir.search import (
    MIN_SCORE,
    RELATIVE_CUTOFF,
    Hit,
    closest_names,
    cut,
    rank,
    search,
)


def directory(orgs: list[Organization], people: list[Person]) -> Directory:
    return Directory(
        meta=Meta("Test", "tests", "2026-01-01"),
        organizations={org.id: org for org in orgs},
        people=People(people),
    )


def person(pid: str, given: str, family: str, *affiliations: Affiliation, **extra) -> Person:  # type: ignore[no-untyped-def]
    return Person(pid, given, family, tuple(affiliations), **extra)


def ids(found: list[Hit], d: Directory) -> list[str]:
    return [d.people.id_at(hit.person) for hit in found]


def found_ids(query: str, d: Directory, **options) -> list[str]:  # type: ignore[no-untyped-def]
    return ids(search(query, build_index(d), **options), d)


# -- a small office with one word in every kind of field ------------------------------------

WORD = "Kranich"
FIELD_ORDER = ["in-name", "in-email", "in-org", "in-role", "in-topic", "in-city"]


@pytest.fixture(scope="module")
def fields_directory() -> Directory:
    orgs = [
        Organization("amt", "Landesamt"),
        Organization("amt-kranich", WORD, parent="amt"),
        Organization("amt-eins", "Referat Eins", parent="amt"),
    ]
    people = [
        person("in-city", "Otto", "Ostwald", Affiliation("amt-eins"), address=Address(city=WORD)),
        person("in-topic", "Tina", "Tessmer", Affiliation("amt-eins"), topics=(WORD,)),
        person("in-role", "Rolf", "Rother", Affiliation("amt-eins", f"Beauftragter {WORD}")),
        person("in-org", "Olga", "Orban", Affiliation("amt-kranich")),
        person("in-email", "Emil", "Ebert", Affiliation("amt-eins"), emails=("kranich@amt.de",)),
        person("in-name", "Nora", WORD, Affiliation("amt-eins")),
        person("nowhere", "Paul", "Pauly", Affiliation("amt-eins")),
    ]
    return directory(orgs, people)


def test_fields_rank_in_the_order_of_the_spec(fields_directory: Directory) -> None:
    """Names; e-mail; organisation names; roles; topics; address and city."""
    hits = rank(WORD, build_index(fields_directory))
    assert ids(hits, fields_directory) == FIELD_ORDER
    scores = [hit.score for hit in hits]
    assert scores == sorted(scores, reverse=True)
    assert len(set(scores)) == len(scores), "each field weighs differently"
    assert scores[0] == 100.0


def test_the_cut_keeps_the_strong_head_and_drops_the_weak_tail(
    fields_directory: Directory,
) -> None:
    index = build_index(fields_directory)
    every = rank(WORD, index)
    kept = search(WORD, index)
    threshold = max(MIN_SCORE, every[0].score * RELATIVE_CUTOFF)
    assert kept == [hit for hit in every if hit.score >= threshold]
    assert ids(kept, fields_directory)[0] == "in-name"
    assert "in-city" not in ids(kept, fields_directory)  # 0.4 of a match is not a result


def test_search_restricted_to_names(fields_directory: Directory) -> None:
    assert found_ids(WORD, fields_directory, fields={FIELD_NAME}) == ["in-name"]


def test_limit(fields_directory: Directory) -> None:
    every = found_ids(WORD, fields_directory)
    assert len(every) > 2
    assert found_ids(WORD, fields_directory, limit=2) == every[:2]


def test_a_word_that_is_nowhere_finds_nobody(fields_directory: Directory) -> None:
    assert found_ids("Zander", fields_directory) == []
    assert rank("Zander", build_index(fields_directory)) == []


# -- the cut itself -------------------------------------------------------------------------


def test_cut_keeps_what_reaches_the_relative_threshold() -> None:
    best = 90.0
    threshold = best * RELATIVE_CUTOFF
    hits = [Hit(0, best), Hit(1, threshold), Hit(2, threshold - 0.1), Hit(3, 10.0)]
    assert cut(hits) == hits[:2]


def test_cut_drops_everything_below_the_minimum_score() -> None:
    assert cut([Hit(0, MIN_SCORE - 0.1), Hit(1, MIN_SCORE - 1)]) == []
    assert cut([Hit(0, MIN_SCORE)]) == [Hit(0, MIN_SCORE)]
    assert cut([]) == []


# -- own unit and role outrank a parent body's general description ------------------------


@pytest.fixture(scope="module")
def units_directory() -> Directory:
    orgs = [
        Organization(
            "verband",
            "Landesverband",
            description="Der Verband berät seine Mitglieder auch zu Fördermitteln.",
        ),
        Organization("verband-eins", "Referat Eins", parent="verband", topics=("Fördermittel",)),
        Organization("verband-zwei", "Referat Zwei", parent="verband"),
    ]
    people = [
        person("in-parent", "Bert", "Bauer", Affiliation("verband-zwei")),
        person("in-unit", "Ute", "Unger", Affiliation("verband-eins")),
        person("in-role", "Rita", "Roth", Affiliation("verband-zwei", "Fördermittel")),
    ]
    return directory(orgs, people)


def test_own_role_and_unit_outrank_the_parent_description(units_directory: Directory) -> None:
    hits = rank("Fördermittel", build_index(units_directory))
    assert ids(hits, units_directory) == ["in-role", "in-unit", "in-parent"]
    assert found_ids("Fördermittel", units_directory) == ["in-role", "in-unit"]


def test_a_unit_name_reaches_its_people_and_the_parent_name_reaches_all(
    units_directory: Directory,
) -> None:
    assert found_ids("Referat Eins", units_directory) == ["in-unit"]
    assert sorted(found_ids("Landesverband", units_directory)) == [
        "in-parent",
        "in-role",
        "in-unit",
    ]


# -- phone numbers and e-mail addresses, reverse ------------------------------------------


@pytest.fixture(scope="module")
def contacts_directory() -> Directory:
    orgs = [Organization("amt", "Amt")]
    people = [
        person(
            "fw",
            "Felix",
            "Würfel",
            Affiliation("amt"),
            phones=(Phone("+49 611 1706-69", "+49611170669"),),
            emails=("wuerfel@hlt.de",),
        ),
        person(
            "lb",
            "Laura",
            "Brennert",
            Affiliation("amt"),
            phones=(Phone("+49 611 1706-22", "+49611170622"),),
            emails=("brennert@hlt.de",),
        ),
    ]
    return directory(orgs, people)


@pytest.mark.parametrize(
    "query", ["0611/1706-69", "+49 611 170669", "170669", "0611 1706 69", "+49611170669"]
)
def test_phone_numbers_match_on_digits_in_any_notation(
    contacts_directory: Directory, query: str
) -> None:
    assert found_ids(query, contacts_directory) == ["fw"]


@pytest.mark.parametrize("person_id", ["fw", "lb"])
def test_a_tel_uri_finds_the_person(contacts_directory: Directory, person_id: str) -> None:
    [phone] = contacts_directory.people[person_id].phones
    uri = f"tel:{phone.display.replace(' ', '-')}"  # as RFC 3966 writes a number
    for query in (f"tel:{phone.e164}", uri, f"{uri};ext=1", uri.upper()):
        assert found_ids(query, contacts_directory) == [person_id], query


def test_the_shared_part_of_two_numbers_finds_both(contacts_directory: Directory) -> None:
    assert sorted(found_ids("0611 1706", contacts_directory)) == ["fw", "lb"]


@pytest.mark.parametrize("query", ["wuerfel@hlt.de", "WUERFEL@HLT.DE", "wuerfel@"])
def test_email_reverse_lookup(contacts_directory: Directory, query: str) -> None:
    assert found_ids(query, contacts_directory) == ["fw"]


def test_a_full_address_outranks_a_shared_domain(contacts_directory: Directory) -> None:
    hits = rank("brennert@hlt.de", build_index(contacts_directory))
    assert ids(hits, contacts_directory)[0] == "lb"
    assert found_ids("brennert@hlt.de", contacts_directory) == ["lb"]


def test_format_characters_in_the_data_are_dropped_as_in_the_query() -> None:
    """A name pasted from a web page with a soft hyphen or joiner in it is found as typed."""
    d = directory(
        [Organization("amt", "Amt")],
        [
            person("soft", "Anna", "Kreuz\u00adberger", Affiliation("amt")),
            person("joined", "Otto", "Qu\u200dappe", Affiliation("amt")),
        ],
    )
    assert found_ids("Kreuzberger", d) == ["soft"]
    assert found_ids("quappe", d) == ["joined"]
    assert found_ids("qua\u200bppe", d) == ["joined"]


# -- the hint when nothing is found -----------------------------------------------------------


def test_closest_names_for_a_hint() -> None:
    names = ["Rena Wißmeier", "Felix Würfel", "Laura Brennert"]
    assert closest_names("Wissmaier", names)[0] == "Rena Wißmeier"
    assert closest_names("Brenner", names)[0] == "Laura Brennert"
    many = ["Anna Meier", "Bernd Meier", "Clara Meier"]
    assert closest_names("Meier", many) == many
    assert closest_names("Meier", many, limit=2) == ["Anna Meier", "Bernd Meier"]
    assert closest_names("zzzz", many) == []


# -- property: whatever way a name is typed, its person is found first ---------------------

name_letters = st.text(alphabet=string.ascii_lowercase + "äöüß", min_size=4, max_size=12)
# ... and names with an i, so that the dotted capital I is tried on every run
names_with_i = name_letters.map(lambda name: name[:2] + "i" + name[2:])


def _spellings(name: str) -> list[str]:
    transliterated = name
    for umlaut, spelled in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        transliterated = transliterated.replace(umlaut, spelled)
    without_marks = name.replace("ä", "a").replace("ö", "o").replace("ü", "u")
    zero_width = "\u200d".join(name)  # a joiner between every two letters
    turkish = name.upper().replace("I", "İ")  # a dotted capital I, as Turkish keyboards give
    return [
        name,
        name.upper(),
        name.capitalize(),
        transliterated,
        without_marks,
        zero_width,
        turkish,
    ]


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.one_of(name_letters, names_with_i).filter(lambda name: fold(name) not in STOP_WORDS))
def test_every_spelling_of_a_name_finds_its_person_first(name: str) -> None:
    d = directory(
        [Organization("amt", "Amt")],
        [
            person("target", "Anna", name.capitalize(), Affiliation("amt")),
            person("other", "Otto", "Quwxyz", Affiliation("amt")),
        ],
    )
    index = build_index(d)
    for spelling in _spellings(name):
        hits = search(spelling, index)
        assert hits, spelling
        assert d.people.id_at(hits[0].person) == "target", spelling
        assert hits[0].score == 100.0, spelling


def test_a_lone_s_typed_for_sharp_s_matches_as_a_word_or_a_beginning() -> None:
    """Casefolding writes Wißmeier as wissmeier; keyboards without ß give one s."""
    from kjcdir.search import SHARP_S_SCORE, match_vocabulary, prefix_score

    vocabulary = ("strasse", "wissmeier")
    assert match_vocabulary(("wismeier",), vocabulary)[1] >= SHARP_S_SCORE
    assert match_vocabulary(("wism",), vocabulary) == {1: prefix_score("wism", "wissmeier")}
    assert match_vocabulary(("strase",), vocabulary)[0] >= SHARP_S_SCORE
    assert match_vocabulary(("wi",), vocabulary) == {}  # too short to be a beginning
    assert SHARP_S_SCORE < 100.0  # below the word as the data writes it


def test_a_lone_s_is_read_as_sharp_s_only_where_the_word_as_typed_finds_nothing() -> None:
    from kjcdir.search import match_vocabulary

    # "hase" is a word: no sharp-s reading then (Hasse stays a typo of it, as before)
    hase = match_vocabulary(("hase",), ("hase", "hasse", "hasselbach"))
    assert hase[0] == 100.0 and hase[1] < 90.0 and 2 not in hase
    assert match_vocabulary(("hase",), ("hasselbach",)) != {}  # read as "hasse…" alone
    ros = match_vocabulary(("ros",), ("rosa", "ross"))
    assert ros[0] == ros[1]  # both literal beginnings, ranked by length alike
    # a three-letter word is a beginning, never a whole word, in its sharp-s reading
    assert match_vocabulary(("has",), ("hass",))[0] < 95.0


@pytest.mark.parametrize(
    ("query", "fields", "expected"),
    [
        # a contact is weighed 0.95; a number contained in another scores 80 plus 20 times
        # the share of the number it covers (6 of the 11 digits: 90.9, weighed 86.4)
        ("170669", None, [("fw", 86.4)]),
        ("1706", None, [("lb", 82.9), ("fw", 82.9)]),  # equal: by family name
        ("+49 611 170669", None, [("fw", 95.0)]),  # the whole number
        ("wuerfel@hlt.de", None, [("fw", 95.0)]),
        # a mailto: link as a mail program copies it, with its query after the first "?"
        ("mailto:wuerfel@hlt.de?subject=Hallo?", None, [("fw", 95.0)]),
        ("hlt.de", None, []),  # a shared domain alone reaches no one
        ("170669", {FIELD_NAME}, []),  # numbers are no names
        ("Felix", None, [("fw", 100.0)]),
        ("Feli", None, [("fw", 93.0)]),  # a prefix
    ],
)
def test_scores_of_contacts_and_names_exactly(
    contacts_directory: Directory,
    query: str,
    fields: set[str] | None,
    expected: list[tuple[str, float]],
) -> None:
    index = build_index(contacts_directory)
    hits = rank(query, index, fields) if fields else rank(query, index)
    assert [(contacts_directory.people.id_at(hit.person), hit.score) for hit in hits] == expected


def test_the_fewest_digits_a_phone_query_may_have() -> None:
    from kjcdir.search import phone_digits

    assert phone_digits("12") is None
    assert phone_digits("123") == "123"
    assert phone_digits("+49 (0)611 17") == "4961117"  # the bracketed trunk zero is dropped


# -- edges of the scores ------------------------------------------------------------------------


def test_a_search_in_one_later_field_still_reaches_it(fields_directory: Directory) -> None:
    """--in topic: the fields before it in the weights are passed over, not the end."""
    from kjcdir.index import FIELD_TOPIC

    assert found_ids(WORD, fields_directory, fields={FIELD_TOPIC}) == ["in-topic"]


def test_partial_matches_within_the_strongest_band_are_all_named(
    fields_directory: Directory,
) -> None:
    """A word held as a name (100) and as an address (95, exactly the band's edge)."""
    from kjcdir.search import PARTIAL_CUTOFF, explain_miss

    miss = explain_miss(f"{WORD} Zzyzx", build_index(fields_directory))
    assert (miss.missing, miss.unreached) == ([1], [])
    assert ids(miss.partial, fields_directory) == ["in-name", "in-email"]
    assert [hit.score for hit in miss.partial] == [100.0, 100.0 * PARTIAL_CUTOFF]


def test_each_word_counts_the_same_in_the_average(contacts_directory: Directory) -> None:
    index = build_index(contacts_directory)
    hits = rank("Feli Würfel", index)  # a beginning (93) and a whole name (100)
    assert [(contacts_directory.people.id_at(hit.person), hit.score) for hit in hits] == [
        ("fw", 96.5)
    ]


def test_a_person_s_best_number_counts_whichever_is_listed_first() -> None:
    """Two numbers hold the digits: the shorter one, covered more by them, scores."""
    short = Phone("+49 611 1706", "+496111706")
    long = Phone("+49 611 1706-6999", "+4961117066999")
    d = directory(
        [Organization("amt", "Amt")],
        [
            person("short-first", "Anna", "Alt", Affiliation("amt"), phones=(short, long)),
            person("long-first", "Berta", "Bald", Affiliation("amt"), phones=(long, short)),
        ],
    )
    hits = rank("1706", build_index(d))
    expected = round(0.95 * (80.0 + 20.0 * 4 / len("496111706")), 1)
    assert [(d.people.id_at(hit.person), hit.score) for hit in hits] == [
        ("short-first", expected),
        ("long-first", expected),
    ]


def test_hits_are_hashable_by_person_and_score() -> None:
    assert len({Hit(1, 50.0), Hit(1, 50.0), Hit(2, 50.0), Hit(1, 60.0)}) == 3
    assert hash(Hit(1, 50.0)) == hash(Hit(1, 50.0))


def test_closest_names_default_to_three_and_ignore_case(monkeypatch: pytest.MonkeyPatch) -> None:
    from rapidfuzz import fuzz, utils

    from kjcdir import search as search_module

    four = ["Anna Meier", "Bernd Meier", "Clara Meier", "Dora Meier"]
    assert closest_names("meier", four) == four[:3]
    assert closest_names("MEIER", ["MEIER"]) == ["MEIER"]
    # a name exactly as like the query as the threshold asks is still a hint
    likeness = fuzz.WRatio("abcd", "axxxxb", processor=utils.default_process)
    monkeypatch.setattr(search_module, "CLOSE_NAME_SCORE", likeness)
    assert closest_names("abcd", ["axxxxb"]) == ["axxxxb"]
    monkeypatch.setattr(search_module, "CLOSE_NAME_SCORE", likeness + 0.1)
    assert closest_names("abcd", ["axxxxb"]) == []


def test_partial_matches_are_scored_to_one_decimal(fields_directory: Directory) -> None:
    from kjcdir.search import explain_miss

    # "kranic" begins Kranich (85 + 10 * 6/7); "Nora" is her name (100); one decimal
    miss = explain_miss("Kranic Nora Zzyzx", build_index(fields_directory))
    assert miss.missing == [2]
    assert [(hit.score, ids([hit], fields_directory)) for hit in miss.partial] == [
        (96.8, ["in-name"])
    ]


def test_the_people_of_a_named_body_are_the_answer_even_unreached_by_its_words(
    contacts_directory: Directory,
) -> None:
    """lookup passes the people of a body the query names ("beim Hessischen
    Landkreistag", in a declined form the words may not reach): they alone are found."""
    index = build_index(contacts_directory)
    position = contacts_directory.people.position("lb")
    assert search("Zzyzx", index, named={position: 100.0}) == [Hit(position, 100.0)]
    assert search("Felix", index, named={position: 100.0}) == [Hit(position, 100.0)]
