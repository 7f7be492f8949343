"""The shortcuts of the fast search path give exactly the answers of the plain computation.

search.py avoids importing rapidfuzz when a bound in pure Python proves that no word
can reach the fuzzy cut-off, carries organisation scores to people unit by unit, finds
phone numbers and e-mail addresses with str.find over one joined string, and sorts
only what survives the cut. Each is checked here against the straightforward version.
"""

from __future__ import annotations

import itertools
import string
from bisect import bisect_left

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from kjcdir import search
from kjcdir.index import Packed, TextTable, build_index
from kjcdir.model import Address, Affiliation, Directory, Meta, Organization, People, Person
from kjcdir.search import (
    FUZZY_CUTOFF,
    MIN_FUZZY_LENGTH,
    MIN_PREFIX_LENGTH,
    SHARP_S_MIN_LENGTH,
    SHARP_S_SCORE,
    allowed_edits,
    cut,
    match_vocabulary,
    prefix_score,
    rank,
)

LETTERS = "aeimnorsuwßäöü"
words = st.text(alphabet=LETTERS, min_size=1, max_size=12)


def naive_sharp_s_variants(form: str) -> list[str]:
    """The form with its first, its second, or both of its first two lone s doubled."""
    lone = [
        at
        for at, char in enumerate(form)
        if char == "s" and form[at - 1 : at] != "s" and form[at + 1 : at + 2] != "s"
    ][:2]
    chosen_sets = [[at] for at in lone] + ([lone] if len(lone) == 2 else [])
    return [
        "".join(c * 2 if at in chosen else c for at, c in enumerate(form)) for chosen in chosen_sets
    ]


def reference_match(forms: tuple[str, ...], vocabulary: tuple[str, ...]) -> dict[int, float]:
    """match_vocabulary without its shortcuts: rapidfuzz for every prefix and every slice."""
    scores: dict[int, float] = {}
    for form in forms:
        position = bisect_left(vocabulary, form)
        while position < len(vocabulary) and vocabulary[position].startswith(form):
            word = vocabulary[position]
            if word == form:
                score = 100.0
            elif len(form) >= MIN_PREFIX_LENGTH:
                score = max(prefix_score(form, word), fuzz.ratio(form, word))
            else:
                break
            if score > scores.get(position, 0.0):
                scores[position] = score
            position += 1
        literal = any(word.startswith(form) for word in vocabulary)
        for variant in (
            [] if literal or len(form) < MIN_PREFIX_LENGTH else naive_sharp_s_variants(form)
        ):
            for position, word in enumerate(vocabulary):  # every word, no bisection
                if word == variant and len(form) >= SHARP_S_MIN_LENGTH:
                    score = SHARP_S_SCORE
                elif word.startswith(variant):
                    score = prefix_score(form, word)
                else:
                    continue
                if score > scores.get(position, 0.0):
                    scores[position] = score
        if len(form) < MIN_FUZZY_LENGTH:
            continue
        start = bisect_left(vocabulary, form[0])
        end = bisect_left(vocabulary, chr(ord(form[0]) + 1), start)
        for word, score, offset in process.extract(
            form, vocabulary[start:end], scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=None
        ):
            typo = OSA.distance(form, word) <= allowed_edits(form)
            if typo and score > scores.get(start + offset, 0.0):
                scores[start + offset] = score
    return scores


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.lists(words, min_size=1, max_size=60), st.lists(words, min_size=1, max_size=2))
# the edges random words seldom reach, each in its own example
@example(["wissmeier"], ["vissmeier"])  # a typo keeps its first letter
@example(["abcdx"], ["abcde"])  # a ratio of exactly the cut-off is a typo
@example(["abcdefgi", "abcdefxy"], ["abcdefgh"])  # 2 edits but a ratio below the cut-off
@example([f"abcdefg{letter}" for letter in "ijklmn"], ["abcdefgh"])  # more than 5 typos
@example(["abcdefghijk"], ["abcdefghij"])  # a beginning whose ratio beats its prefix score
@example(["abcd"], ["abcd", "abc"])  # the best of the forms, not the last
@example(["wissmeier"], ["wissmeier", "wism"])  # ... also where one is read with ß
@example(["wissmann", "wissmeier"], ["wism"])  # every word the ß reading begins
@example(["asset"], ["ase"])  # the ß reading of three typed letters is a beginning
@example(["hasse"], ["hase"])  # ... of four, a whole word
@example(["sosossen"], ["sosose"])  # only the first two lone s are read as ß
def test_match_vocabulary_equals_the_rapidfuzz_reference(
    vocabulary_words: list[str], forms: list[str]
) -> None:
    vocabulary = tuple(sorted(set(vocabulary_words)))
    assert match_vocabulary(tuple(forms), vocabulary) == reference_match(tuple(forms), vocabulary)


@settings(max_examples=300, deadline=None)
@given(words, words)
def test_the_letter_bound_never_misses_a_fuzzy_match(form: str, word: str) -> None:
    letters: dict[str, int] = {}
    for letter in form:
        letters[letter] = letters.get(letter, 0) + 1
    if fuzz.ratio(form, word) >= FUZZY_CUTOFF:
        assert search._may_reach_cutoff(form, letters, word)


@pytest.mark.parametrize("length", range(3, 30))
def test_the_prefix_shortcut_only_skips_ratios_below_the_prefix_score(length: int) -> None:
    for extra in range(1, 30):
        form, word = "a" * length, "a" * length + "b" * extra
        if not search._prefix_ratio_may_win(form, word):
            assert fuzz.ratio(form, word) < prefix_score(form, word)


def test_a_bundled_lookup_needs_no_rapidfuzz_but_a_typo_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    vocabulary = ("regiestelle", "werle", "wiesbaden", "wissmeier", "wuerfel")
    calls: list[int] = []
    original = search._rapidfuzz

    def counting() -> tuple[object, object]:
        calls.append(1)
        return original()

    monkeypatch.setattr(search, "_rapidfuzz", counting)
    assert match_vocabulary(("wissmeier",), vocabulary) == {3: 100.0}
    assert calls == []
    typo = match_vocabulary(("wismeier",), vocabulary)
    assert typo == reference_match(("wismeier",), vocabulary)
    assert typo
    assert calls


# -- scores carried through organisations; search == cut(rank)[:limit] -----------------------


def _directory() -> Directory:
    orgs = [
        Organization("land", "Landkreis Beispiel", address=Address("Am Markt 1", "65189", "Ort")),
        Organization("jc", "Jobcenter Beispiel", parent="land", topics=("Bürgergeld",)),
        Organization("team", "Team Vermittlung", parent="jc", topics=("Vermittlung",)),
        Organization("team2", "Team Leistung", parent="jc", description="Bürgergeld und Miete"),
    ]
    people = []
    for number in range(60):
        org = ("land", "jc", "team", "team2")[number % 4]
        people.append(
            Person(
                f"p{number}",
                ("Anna", "Jürgen", "Björn")[number % 3],
                ("Müller", "Weiß", "Schäfer", "Mueller")[number % 4],
                (Affiliation(org, ("Vermittler", "Leitung")[number % 2]),),
                emails=(f"p{number}@beispiel.de",),
                topics=("Miete",) if number % 7 == 0 else (),
            )
        )
    return Directory(Meta(), {org.id: org for org in orgs}, People(people))


QUERIES = ["Müller", "mueller", "Bürgergeld", "Beispiel", "Ort", "Team", "Miete Weiß", "jürgen"]


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("limit", [None, 1, 3, 10])
def test_search_is_rank_cut_and_limited(query: str, limit: int | None) -> None:
    index = build_index(_directory())
    expected = cut(rank(query, index))
    assert search.search(query, index, limit=limit) == (
        expected if limit is None else expected[:limit]
    )


def test_equal_scores_and_names_keep_file_order() -> None:
    index = build_index(_directory())
    hits = rank("Müller", index)
    for earlier, later in itertools.pairwise(hits):
        if earlier.score == later.score and (
            index.sort_keys[earlier.person] == index.sort_keys[later.person]
        ):
            assert earlier.person < later.person


# -- the packed structures -----------------------------------------------------------------


@given(st.lists(st.lists(st.integers(0, 10_000), max_size=8), max_size=20))
def test_packed_lists_read_back(lists: list[list[int]]) -> None:
    packed = Packed.pack(lists)
    assert len(packed) == len(lists)
    assert [list(items) for items in packed] == lists
    for position, items in enumerate(lists):
        assert list(packed.get(position)) == items
    assert packed.get(len(lists)) == ()
    assert packed.get(-1) == ()


@given(
    st.lists(st.text(alphabet=string.digits + "@.abcä", min_size=1, max_size=12), max_size=30),
    st.text(alphabet=string.digits + "@.abcä", min_size=1, max_size=4),
)
def test_text_table_finds_what_a_loop_finds(entries: list[str], needle: str) -> None:
    table = TextTable.build(enumerate(entries))
    assert list(table.containing(needle)) == [
        (person, entry) for person, entry in enumerate(entries) if needle in entry
    ]
    assert list(table) == list(enumerate(entries))
