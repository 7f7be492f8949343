"""Normalisation (SPEC 2): NFKC, casefold, German transliteration and the diacritic-free form,
word splitting, and phone numbers as digits."""

from __future__ import annotations

import string
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kjcdir.normalize import (
    STOP_WORDS,
    content_words,
    fold,
    normalize,
    split_words,
    strip_marks,
    word_forms,
)
from kjcdir.search import phone_digits, query_words

# -- fold: NFKC, then casefold ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("WÜRFEL", "würfel"),
        ("Wißmeier", "wissmeier"),  # casefold turns ß into ss
        ("STRASSE", "strasse"),
        ("ẞ", "ss"),  # capital sharp s
        ("ﬁnanzen", "finanzen"),  # NFKC: the ligature fi
        ("ＨＬＴ", "hlt"),  # NFKC: full-width letters
        ("Städte", "städte"),
        ("Sta\u0308dte", "städte"),  # decomposed ä is composed by NFKC
        ("Ⅱ", "ii"),  # NFKC: the Roman numeral sign
    ],
)
def test_fold_applies_nfkc_and_casefold(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_strip_marks_drops_diacritics_but_keeps_letters() -> None:
    assert strip_marks("äöü éèê ñ Å") == "aou eee n A"
    assert strip_marks("Wißmeier") == "Wißmeier"  # ß carries no diacritic


# -- word forms: transliterated first, diacritics dropped second ---------------------------


@pytest.mark.parametrize(
    ("word", "forms"),
    [
        ("würfel", ("wuerfel", "wurfel")),
        ("lück", ("lueck", "luck")),
        ("städtetag", ("staedtetag", "stadtetag")),
        ("öffentlichkeit", ("oeffentlichkeit", "offentlichkeit")),
        ("jürgen", ("juergen", "jurgen")),
        ("café", ("cafe",)),  # no German umlaut: one form
        ("brennert", ("brennert",)),
        ("ångström", ("angstroem", "angstrom")),
    ],
)
def test_word_forms(word: str, forms: tuple[str, ...]) -> None:
    assert word_forms(word) == forms


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Lahn-Dill-Kreis", ["lahn", "dill", "kreis"]),
        ("0611/1706-69", ["0611", "1706", "69"]),
        ("www.hlt.de", ["www", "hlt", "de"]),
        ("SGB II/III", ["sgb", "ii", "iii"]),
        ("  Main_Taunus,  Kreis ", ["main", "taunus", "kreis"]),
        ("„AG KJC“", ["ag", "kjc"]),
        ("", []),
        ("--/..", []),
    ],
)
def test_split_words_on_hyphens_slashes_dots_and_punctuation(text: str, words: list[str]) -> None:
    assert split_words(text) == words


def test_normalize_gives_every_word_with_its_forms() -> None:
    assert normalize("Felix Würfel") == [("felix",), ("wuerfel", "wurfel")]
    assert normalize("Rena Wißmeier") == [("rena",), ("wissmeier",)]
    assert normalize("Hessischer Städtetag") == [("hessischer",), ("staedtetag", "stadtetag")]


def test_content_words_leave_out_stop_words() -> None:
    assert content_words("Leiter des Sozialreferats") == [("leiter",), ("sozialreferats",)]
    assert content_words("Konferenz der Optionsstädte") == [
        ("konferenz",),
        ("optionsstaedte", "optionsstadte"),
    ]
    assert content_words("z. B. und für die") == []


def test_query_words_keep_stop_words_when_nothing_else_is_left() -> None:
    assert query_words("der Würfel") == [("wuerfel", "wurfel")]
    assert query_words("die") == [("die",)]


# -- properties ---------------------------------------------------------------------------

GERMAN_LETTERS = string.ascii_letters + "äöüÄÖÜß"
german_text = st.text(alphabet=GERMAN_LETTERS + " -/.", max_size=40)


def _transliterate(text: str) -> str:
    for umlaut, spelled in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("Ä", "Ae"), ("Ö", "Oe")):
        text = text.replace(umlaut, spelled)
    return text.replace("Ü", "Ue").replace("ß", "ss")


@settings(derandomize=True)
@given(german_text)
def test_umlauts_and_their_transliteration_normalise_alike(text: str) -> None:
    assert [forms[0] for forms in normalize(text)] == [
        forms[0] for forms in normalize(_transliterate(text))
    ]


@settings(derandomize=True)
@given(german_text)
def test_case_does_not_matter(text: str) -> None:
    assert normalize(text.upper()) == normalize(text.lower()) == normalize(text)


@settings(derandomize=True)
@given(german_text)
def test_the_second_form_is_the_text_without_diacritics(text: str) -> None:
    without_marks = strip_marks(text)
    assert [forms[-1] for forms in normalize(text)] == [
        forms[-1] for forms in normalize(without_marks)
    ]


@settings(derandomize=True)
@given(st.text(max_size=60))
def test_words_never_hold_separators_and_the_first_form_is_plain(text: str) -> None:
    for forms in normalize(text):
        assert forms and all(forms)
        first = forms[0]
        assert not any(char in first for char in " -/.\t\näöüß")
        assert not any(unicodedata.combining(char) for char in first)


@settings(derandomize=True)
@given(st.lists(st.sampled_from(sorted(STOP_WORDS)), min_size=1, max_size=5))
def test_a_text_of_stop_words_has_no_content_words(words: list[str]) -> None:
    assert content_words(" ".join(words)) == []


# -- phone numbers as digits ------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "0611/1706-69",
        "+49 611 170669",
        "+49 611 1706-69",
        "+49611170669",
        "0049 611 170669",
        "(0611) 1706-69",
        "0611 1706 69",
        "0611.170669",
    ],
)
def test_every_notation_of_a_number_gives_the_same_digits(query: str) -> None:
    assert phone_digits(query) == "49611170669"


def test_a_part_of_a_number_stays_as_typed() -> None:
    assert phone_digits("170669") == "170669"
    assert phone_digits("1706-69") == "170669"


@pytest.mark.parametrize("query", ["12", "wuerfel", "0611 Würfel", "", "++", "brennert@hlt.de"])
def test_text_that_is_not_a_phone_number(query: str) -> None:
    assert phone_digits(query) is None


def test_the_trunk_zero_in_brackets_is_dropped() -> None:
    assert phone_digits("+49 (0)611 1706-69") == "49611170669"
