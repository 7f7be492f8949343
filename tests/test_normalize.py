"""Normalisation (SPEC 2): NFKC, casefold, German transliteration and the diacritic-free form,
word splitting, and phone numbers as digits."""

from __future__ import annotations

import string
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kjcdir import normalize as normalize_module
from kjcdir.normalize import (
    STOP_WORDS,
    content_words,
    fold,
    normalize,
    social_code_words,
    split_words,
    strip_marks,
    typed_words,
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


# Unicode format characters (category Cf) show nothing; web pages and word processors
# leave them in names (a soft hyphen, a zero-width joiner, a bidi mark).
FORMAT_CHARACTERS = [
    "\u200b",  # zero-width space
    "\u200c",  # zero-width non-joiner
    "\u200d",  # zero-width joiner
    "\u2060",  # word joiner
    "\u00ad",  # soft hyphen
    "\ufeff",  # byte order mark / zero-width no-break space
    "\u200e",  # left-to-right mark
    "\u200f",  # right-to-left mark
]


@pytest.mark.parametrize("char", FORMAT_CHARACTERS)
@pytest.mark.parametrize("word", ["Würfel", "Brennert", "Wißmeier"])
def test_format_characters_are_dropped(char: str, word: str) -> None:
    for at in range(len(word) + 1):
        typed = word[:at] + char + word[at:]
        assert fold(typed) == fold(word), (at, typed)
        assert normalize(typed) == normalize(word), (at, typed)


@settings(derandomize=True)
@given(st.text(max_size=30), st.data())
def test_a_format_character_anywhere_changes_nothing(text: str, data: st.DataObject) -> None:
    char = data.draw(st.characters(categories=["Cf"]))
    at = data.draw(st.integers(0, len(text)))
    typed = text[:at] + char + text[at:]
    assert normalize(typed) == normalize(text)


def test_the_turkish_dotted_capital_i_folds_as_i() -> None:
    # casefold gives i + U+0307 (a combining dot): the word must not split at the mark
    assert normalize("WİSSMEİER") == [("wissmeier",)]
    assert normalize("İlse Ünal") == [("ilse",), ("uenal", "unal")]


@settings(derandomize=True)
@given(
    st.text(alphabet=string.ascii_letters + "äöüß", min_size=1, max_size=12),
    st.characters(categories=["Mn", "Mc", "Me"]),
    st.data(),
)
def test_combining_marks_never_split_a_word(word: str, mark: str, data: st.DataObject) -> None:
    at = data.draw(st.integers(1, len(word)))  # after a letter
    marked = word[:at] + mark + word[at:]
    assert len(split_words(marked)) == 1, marked
    assert len(split_words(f"{marked} {word}")) == 2, marked


def test_a_mark_without_a_letter_is_no_word() -> None:
    assert split_words("\u0307") == []
    assert split_words("a \u0301\u0308 b") == ["a", "b"]


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


@pytest.mark.parametrize(
    "query",
    [
        "tel:+49611170669",
        "tel:+49-611-170669",
        "TEL:+49.611.170669",
        "Tel:+49-611-170669;ext=12",
        "tel:+49-611-170669;phone-context=example.org",
        "tel:0611/1706-69",
        " tel:+49 611 1706-69",
    ],
)
def test_a_tel_uri_gives_the_digits_of_its_number(query: str) -> None:
    assert phone_digits(query) == "49611170669"


@pytest.mark.parametrize("query", ["tel:", "tel:wuerfel", "tel:;ext=12", "hotel:+49611170669"])
def test_a_tel_uri_without_a_number(query: str) -> None:
    assert phone_digits(query) is None


def test_the_trunk_zero_in_brackets_is_dropped() -> None:
    assert phone_digits("+49 (0)611 1706-69") == "49611170669"


# -- pinned cases (issue 16, item 6: what mutation testing found no test for) ------------


@pytest.fixture(autouse=True)
def fresh_word_forms(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test computes its word forms: the module keeps them, and a form kept from
    an earlier test would hide a change to how forms are made."""
    monkeypatch.setattr(normalize_module, "_FORMS", {})


@pytest.mark.parametrize(
    ("word", "forms"),
    [
        ("abc", ("abc",)),
        ("müller", ("mueller", "muller")),
        ("café", ("cafe",)),  # no transliteration differs from the plain form
        ("straße", ("strasse", "straße")),  # ß is no mark: kept in the plain form
        ("łódź", ("łodz",)),  # ł has no decomposition
    ],
)
def test_word_forms_are_made_and_kept(word: str, forms: tuple[str, ...]) -> None:
    assert word_forms(word) == forms
    assert normalize_module._FORMS[word] == forms  # kept


def test_kept_word_forms_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(normalize_module, "_FORMS_LIMIT", 3)
    for word in ("eins", "zwei", "drei"):
        word_forms(word)
    assert len(normalize_module._FORMS) == 3
    assert word_forms("vier") == ("vier",)
    assert normalize_module._FORMS == {"vier": ("vier",)}  # the full store was emptied


@pytest.mark.parametrize(
    ("words", "result"),
    [
        (["sgb", "2"], ["sgb", "ii"]),
        (["sgb2"], ["sgb", "ii"]),
        (["sgbii"], ["sgb", "ii"]),
        (["sgb", "12"], ["sgb", "xii"]),
        (["sgb", "13"], ["sgb", "13"]),  # there is no SGB XIII
        (["sgb", "1"], ["sgb", "i"]),
        (["2", "sgb"], ["2", "sgb"]),  # a number before the code is not its book
        (["sgb", "2", "2"], ["sgb", "ii", "2"]),
        (["sgb"], ["sgb"]),
        (["sgbx"], ["sgb", "x"]),
        (["sgb", "ii"], ["sgb", "ii"]),
        (["a", "2"], ["a", "2"]),
        (["leistungen", "nach", "sgb2"], ["leistungen", "nach", "sgb", "ii"]),  # words before
        (["sgb2", "und", "sgb12"], ["sgb", "ii", "und", "sgb", "xii"]),
    ],
)
def test_social_code_words(words: list[str], result: list[str]) -> None:
    assert social_code_words(words) == result


def test_words_without_a_social_code_are_the_same_list() -> None:
    words = ["a", "2"]
    assert social_code_words(words) is words


@pytest.mark.parametrize(
    ("text", "typed"),
    [
        ("Fr. Meier", ["Meier"]),
        ("Hr. Müller", ["Müller"]),
        ("Hrn. Meier", ["Meier"]),
        ("fr.meier", ["meier"]),
        ("Hrnx. Meier", ["Hrnx", "Meier"]),  # no abbreviation
        ("Frau", ["Frau"]),  # nothing else: all words count
        ("der die", ["der", "die"]),
        ("SGB 2 Beratung", ["SGB", "2", "Beratung"]),
        ("sgb12", ["sgb", "xii"]),
        ("Kreis-Offenbach", ["Kreis", "Offenbach"]),
    ],
)
def test_typed_words(text: str, typed: list[str]) -> None:
    assert typed_words(text) == typed
