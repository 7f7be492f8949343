"""Normalisation and ranking: pure functions over a SearchIndex.

A query is split into words the same way the data was; each word is matched against
the index's vocabulary (exactly, as a prefix, or fuzzily with rapidfuzz), the word
scores are carried to people through the fields that hold the word, weighted by field,
and averaged over the query's words. Finally the weak tail is cut off, so that an
unambiguous query returns one person and a name that is not there returns nobody.
"""

from __future__ import annotations

import itertools
import re
from bisect import bisect_left
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from kjcdir.index import (
    FIELD_CONTACT,
    FIELD_DESCRIPTION,
    FIELD_NAME,
    FIELD_ORG,
    FIELD_PLACE,
    FIELD_ROLE,
    FIELD_TOPIC,
    SearchIndex,
)
from kjcdir.normalize import fold, meaningful_words

# How much a perfect match in each field is worth (0..1); names count most.
PERSON_WEIGHTS = {
    FIELD_NAME: 1.0,
    FIELD_CONTACT: 0.95,
    FIELD_ROLE: 0.8,
    FIELD_TOPIC: 0.7,
    FIELD_PLACE: 0.4,
}
# Words of an organisation reach its own people with the first weight and the
# people of its units (further down the tree) with the second: a match in a
# person's own unit outranks one in a parent body's general description.
ORG_WEIGHTS = {
    FIELD_ORG: (0.85, 0.85),
    FIELD_TOPIC: (0.7, 0.45),
    FIELD_DESCRIPTION: (0.55, 0.45),
    FIELD_PLACE: (0.4, 0.4),
}
# What `--in` may name, and the fields each choice covers.
FIELD_GROUPS = {
    "name": {FIELD_NAME},
    "contact": {FIELD_CONTACT},
    "org": {FIELD_ORG},
    "role": {FIELD_ROLE},
    "topic": {FIELD_TOPIC, FIELD_DESCRIPTION},
    "place": {FIELD_PLACE},
}
ALL_FIELDS = frozenset({*PERSON_WEIGHTS, *ORG_WEIGHTS})

FUZZY_CUTOFF = 80.0  # fuzz.ratio below this is a different word, not a typo
# ... and so is a word more edits away than this (with transpositions): one edit in a
# word of up to seven letters, two in a longer one. "wismeier" is a typo of "wissmeier";
# "martin" is not one of "main", nor "luedecke" of "lueck".
MAX_TYPO_EDITS = ((7, 1), (10_000, 2))
MIN_FUZZY_LENGTH = 4  # shorter words match exactly or as a prefix only
MIN_PREFIX_LENGTH = 3
MIN_SCORE = 40.0  # a result must reach this much (an exact word of an address) ...
RELATIVE_CUTOFF = 0.8  # ... and this share of the best result's score
CLOSE_NAME_SCORE = 40.0  # a name this much like the query is worth a hint

_PHONE_QUERY = re.compile(r"[\d\s+()/.\-]+")
# A tel: URI (RFC 3966), as links and vCards hold numbers: the scheme in any case, the
# number, then parameters (;ext=..., ;phone-context=..., ;isub=...) that are not dialled.
_TEL_URI = re.compile(r"\s*tel:([^;]*)(?:;.*)?", re.IGNORECASE | re.DOTALL)
_TRUNK_ZERO = re.compile(r"^(\s*(?:\+|00)\s*\d{1,3})\s*\(0\)")


def query_words(query: str) -> list[tuple[str, ...]]:
    """The query's meaningful words: stop and filler words are dropped unless nothing else
    is left (normalize.meaningful_words)."""
    return meaningful_words(query)


def phone_digits(text: str) -> str | None:
    """A phone-number query as international digits (49611…), or None if it is not one.

    National numbers (0611/1706-69) are read as German ones; a bare extension or part
    of a number (170669) stays as it is and matches inside numbers. A tel: URI
    (tel:+49-611-170669;ext=12) is read as the number it holds.
    """
    uri = _TEL_URI.fullmatch(text)
    if uri is not None:
        text = uri.group(1)
    if not _PHONE_QUERY.fullmatch(text):
        return None
    # "+49 (0)611 …": the trunk zero in brackets is not dialled after the country code
    text = _TRUNK_ZERO.sub(r"\1", text)
    digits = re.sub(r"\D", "", text)
    if len(digits) < 3:
        return None
    return digits if text.strip().startswith("+") else international(digits)


def international(digits: str) -> str:
    """Digits without a +, as international digits: 0049… and 0611… (a German trunk
    zero) become 49…; other digits (a part of a number, 170669) stay as they are."""
    if digits.startswith("00"):
        return digits[2:]
    if digits.startswith("0"):
        return "49" + digits[1:]
    return digits


def prefix_score(prefix: str, word: str) -> float:
    """A typed beginning of a word: below an exact match, above a distant typo."""
    return 85.0 + 10.0 * len(prefix) / len(word)


def _rapidfuzz() -> tuple[Any, Any]:
    """rapidfuzz's fuzz and process, imported when a query first needs them (~10 ms)."""
    from rapidfuzz import fuzz, process

    return fuzz, process


# Up to this many candidate words, a query word's typos are first looked for with a
# bound in pure Python: a lookup on the bundled directory usually proves that no word
# can reach the cut-off and so never imports rapidfuzz. Larger slices go to rapidfuzz.
_SMALL_SLICE = 400


def _may_reach_cutoff(form: str, letters: dict[str, int], word: str) -> bool:
    """Could fuzz.ratio(form, word) reach FUZZY_CUTOFF? An upper bound that never misses.

    fuzz.ratio is 200 * LCS / (len(form) + len(word)); the longest common subsequence
    holds no more of each letter than both words have. ratio >= 80 needs 5 * LCS >= 2 *
    (total length), checked in integers.
    """
    total = len(form) + len(word)
    shorter = min(len(form), len(word))
    if 5 * shorter < 2 * total:
        return False
    common = 0
    for letter, count in letters.items():
        found = word.count(letter)
        common += count if found > count else found
    return 5 * common >= 2 * total


def _prefix_ratio_may_win(form: str, word: str) -> bool:
    """Is fuzz.ratio of a typed beginning possibly above its prefix_score? For a prefix,
    ratio is exactly 200 * len(form) / (len(form) + len(word)); a margin covers rounding."""
    ratio = 200.0 * len(form) / (len(form) + len(word))
    return ratio > prefix_score(form, word) - 0.5


def allowed_edits(word: str) -> int:
    """How many edits (with transpositions) a typo of this query word may hold."""
    return next(allowed for length, allowed in MAX_TYPO_EDITS if len(word) <= length)


# A typed word with one s where the data has ß (casefolded to ss): "Wismeier", or "wism"
# while typing Wißmeier. Tried only where the word as typed matches no word and begins
# none, and scored below what it would score as typed: "Hase" never finds "Hasse" while
# Hase is in the directory, and "ros" finds "Rosa" before "Roß".
SHARP_S_SCORE = 95.0
SHARP_S_MIN_LENGTH = 4  # typed letters, for a whole word
_SINGLE_S = re.compile(r"(?<!s)s(?!s)")


def _sharp_s_variants(form: str) -> list[str]:
    """The form with its first, its second, or both of its first two lone s doubled."""
    places = [match.start() for match in _SINGLE_S.finditer(form)][:2]
    variants = []
    for count in range(1, len(places) + 1):
        for chosen in itertools.combinations(places, count):
            variants.append("".join(
                "ss" if at in chosen else char for at, char in enumerate(form)
            ))  # fmt: skip
    return variants


def _match_sharp_s(
    form: str, variant: str, vocabulary: Sequence[str], scores: dict[int, float]
) -> None:
    """Score the words that are `variant` or begin with it, as the typed form would score
    as their beginning (a whole word of SHARP_S_MIN_LENGTH typed letters: SHARP_S_SCORE)."""
    if len(form) < MIN_PREFIX_LENGTH:
        return
    position = bisect_left(vocabulary, variant)
    while position < len(vocabulary) and vocabulary[position].startswith(variant):
        word = vocabulary[position]
        whole = word == variant and len(form) >= SHARP_S_MIN_LENGTH
        score = SHARP_S_SCORE if whole else prefix_score(form, word)
        if score > scores.get(position, 0.0):
            scores[position] = score
        position += 1


def match_vocabulary(forms: Iterable[str], vocabulary: Sequence[str]) -> dict[int, float]:
    """Scores (0..100) of the vocabulary words that one query word matches, by word id.

    The vocabulary is sorted, so exact and prefix matches are found by bisection;
    typos are found by rapidfuzz over the query word's slice of the vocabulary in one
    batch call (process.extract with fuzz.ratio).
    """
    scores: dict[int, float] = {}
    for form in forms:
        position = first = bisect_left(vocabulary, form)
        while position < len(vocabulary) and vocabulary[position].startswith(form):
            word = vocabulary[position]
            if word == form:
                score = 100.0
            elif len(form) >= MIN_PREFIX_LENGTH:
                score = prefix_score(form, word)
                if _prefix_ratio_may_win(form, word):
                    fuzz, _ = _rapidfuzz()
                    score = max(score, fuzz.ratio(form, word))
            else:
                break
            if score > scores.get(position, 0.0):
                scores[position] = score
            position += 1
        if position == first:  # the form as typed is no word and no beginning of one
            for variant in _sharp_s_variants(form):
                _match_sharp_s(form, variant, vocabulary, scores)
        if len(form) < MIN_FUZZY_LENGTH:
            continue
        # Typos rarely hit the first letter; holding it fixed keeps "weber" from
        # matching "ueber" and narrows the batch to one slice of the sorted vocabulary.
        start = bisect_left(vocabulary, form[0])
        end = bisect_left(vocabulary, chr(ord(form[0]) + 1), start)
        if end - start <= _SMALL_SLICE:
            # The words the loop above matched as a prefix (first..position) already hold
            # a score of at least their fuzz.ratio; only the others could gain.
            letters: dict[str, int] = {}
            for letter in form:
                letters[letter] = letters.get(letter, 0) + 1
            others = itertools.chain(range(start, first), range(position, end))
            if not any(_may_reach_cutoff(form, letters, vocabulary[at]) for at in others):
                continue
        fuzz, process = _rapidfuzz()
        from rapidfuzz.distance import OSA

        edits = allowed_edits(form)
        for word, score, offset in process.extract(
            form, vocabulary[start:end], scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=None
        ):
            word_id = start + offset
            if score > scores.get(word_id, 0.0) and OSA.distance(form, word) <= edits:
                scores[word_id] = score
    return scores


def score_word(
    word_scores: dict[int, float], index: SearchIndex, fields: Collection[str]
) -> dict[int, float]:
    """Best weighted score per person for one query word.

    Each matched word is scored once; the score reaches the people who hold the word
    through the postings, and an organisation's score reaches its people and the
    people of its units: one pass over each organisation's people, however many of
    its words and parents matched.
    """
    best: dict[int, float] = {}
    best_get = best.get
    for field_name, weight in PERSON_WEIGHTS.items():
        if field_name not in fields:
            continue
        postings = index.person_postings[field_name]
        for word_id, score in word_scores.items():
            weighted = weight * score
            for person in postings.get(word_id):
                if weighted > best_get(person, 0.0):
                    best[person] = weighted
    org_direct: dict[int, float] = {}
    org_inherited: dict[int, float] = {}
    for field_name, (direct_weight, inherited_weight) in ORG_WEIGHTS.items():
        if field_name not in fields:
            continue
        postings = index.org_postings[field_name]
        for word_id, score in word_scores.items():
            direct, inherited = direct_weight * score, inherited_weight * score
            for org in postings.get(word_id):
                if direct > org_direct.get(org, 0.0):
                    org_direct[org] = direct
                if inherited > org_inherited.get(org, 0.0):
                    org_inherited[org] = inherited
    # The best score that reaches each unit's own people: its own, or a parent's.
    unit_scores = dict(org_direct)
    for org, score in org_inherited.items():
        for unit in index.org_descendants[org]:
            if score > unit_scores.get(unit, 0.0):
                unit_scores[unit] = score
    org_people = index.org_people
    for unit, score in unit_scores.items():
        for person in org_people[unit]:
            if score > best_get(person, 0.0):
                best[person] = score
    return best


def score_contact(query: str, index: SearchIndex) -> dict[int, float]:
    """Whole-query matches on phone numbers (by digits) and e-mail addresses."""
    scores: dict[int, float] = {}
    digits = phone_digits(query)
    if digits is not None:
        scores = _containing_scores(index.phones.containing(digits), digits)
    folded = fold(query).strip()
    if folded.startswith("mailto:"):  # a link, as web pages and vCards write addresses
        folded = folded[len("mailto:") :].split("?", 1)[0].strip()
    if "@" in folded:
        by_email = _containing_scores(index.emails.containing(folded), folded)
        for person, score in by_email.items():
            scores[person] = max(scores.get(person, 0.0), score)
    return scores


def _containing_scores(matches: Iterable[tuple[int, str]], needle: str) -> dict[int, float]:
    """Each person's best number or address that holds the needle: all of it scores 100,
    a part of it less, the more so the smaller the part; weighted as contact details."""
    weight = PERSON_WEIGHTS[FIELD_CONTACT]
    scores: dict[int, float] = {}
    for person, value in matches:
        score = 100.0 if value == needle else 80.0 + 20.0 * len(needle) / len(value)
        scores[person] = max(scores.get(person, 0.0), weight * score)
    return scores


class Hit:
    """A person (or, for organisation searches, an organisation) and its score."""

    __slots__ = ("person", "score")

    def __init__(self, person: int, score: float) -> None:
        self.person = person  # position in the index
        self.score = score  # 0..100

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Hit):
            return NotImplemented
        return (self.person, self.score) == (other.person, other.score)

    def __hash__(self) -> int:
        return hash((self.person, self.score))

    def __repr__(self) -> str:
        return f"Hit(person={self.person!r}, score={self.score!r})"


def _word_scores(
    words: Sequence[tuple[str, ...]],
    index: SearchIndex,
    fields: Collection[str],
    matches: Sequence[dict[int, float]] | None = None,
) -> list[dict[int, float]]:
    """For each query word, the people it reaches and its best weighted score for each;
    `matches` are the words' vocabulary matches where the caller has them already.

    A word of digits also matches inside phone numbers (`Würfel 170669`, `HLT 0611`):
    numbers are not words of the vocabulary, they are matched by their digits."""
    if matches is None:
        matches = [match_vocabulary(forms, index.vocabulary) for forms in words]
    per_word = []
    for forms, word_scores in zip(words, matches, strict=True):
        scores = score_word(word_scores, index, fields) if word_scores else {}
        if FIELD_CONTACT in fields and forms[0].isdigit() and len(forms[0]) >= 2:
            for person, score in _phone_part_scores(forms[0], index).items():
                if score > scores.get(person, 0.0):
                    scores[person] = score
        per_word.append(scores)
    return per_word


def _phone_part_scores(digits: str, index: SearchIndex) -> dict[int, float]:
    """People whose numbers hold the digits; a part with the trunk zero (0611) is read as
    the German area code (49611), as phone_digits() reads a whole national number."""
    digits = international(digits)
    return _containing_scores(index.phones.containing(digits), digits)


def _scores(
    query: str,
    index: SearchIndex,
    fields: Collection[str],
    named: Mapping[int, float] | None = None,
) -> dict[int, float]:
    """Every person the query reaches, with their score (0..100, one decimal).

    Every meaningful word of the query must reach the person (SPEC 2): a person who
    matches only some of them is no hit, however well. The score is the average of the
    words' scores. A whole query that is a phone number or an e-mail address is matched
    as one; `named` holds the people of a body whose full name the query is ("Hessischer
    Landkreistag"): then they alone are the answer.
    """
    contact = score_contact(query, index) if FIELD_CONTACT in fields else {}
    # A query that is a whole phone number someone has is matched as one, not by its parts
    # (which other numbers may hold as well); a postal code is a word like any other.
    whole_number = bool(contact) and phone_digits(query) is not None
    per_word = [] if whole_number else _word_scores(query_words(query), index, fields)
    scores: dict[int, float] = {}
    if per_word and all(per_word):
        smallest = min(per_word, key=len)
        for person in smallest:
            if all(person in word for word in per_word):
                scores[person] = sum(word[person] for word in per_word) / len(per_word)
    for person, score in contact.items():
        scores[person] = max(scores.get(person, 0.0), score)
    if named:  # the query is a body's name: its people are the answer, no one else
        scores = {person: max(scores.get(person, 0.0), score) for person, score in named.items()}
    return {person: round(score, 1) for person, score in scores.items()}


class Miss(NamedTuple):
    """Why a query of several words found no one: by position among the meaningful words,
    the words that are nowhere in the directory and those that are, but reach no person
    (an organisation without people, or a field left out by --in); the people who matched
    the most words; and whether every word is some person's name (then the user may have
    meant several people)."""

    missing: list[int]
    unreached: list[int]
    partial: list[Hit]
    all_names: bool


# Partial matches are named only from the strongest band: people who hold a word as it
# was typed, not those who merely share its beginning ("Landkreis" → "Landkreistag").
PARTIAL_CUTOFF = 0.95


def explain_miss(query: str, index: SearchIndex, fields: Collection[str] = ALL_FIELDS) -> Miss:
    """The words of a query that no one matches, and the best partial matches: the people
    who matched the most words, scored over the words they matched, weak tail cut."""
    words = query_words(query)
    matches = [match_vocabulary(forms, index.vocabulary) for forms in words]
    per_word = _word_scores(words, index, fields, matches)
    missing: list[int] = []
    unreached: list[int] = []
    for position, (known, word) in enumerate(zip(matches, per_word, strict=True)):
        if not word:
            (unreached if known else missing).append(position)
    matched: dict[int, list[float]] = {}
    for word in per_word:
        for person, score in word.items():
            matched.setdefault(person, []).append(score)
    most = max((len(scores) for scores in matched.values()), default=0)
    hits = [
        Hit(person, round(sum(scores) / len(scores), 1))
        for person, scores in matched.items()
        if len(scores) == most
    ]
    strong = cut(ordered(hits, index))
    strong = [hit for hit in strong if hit.score >= strong[0].score * PARTIAL_CUTOFF]
    all_names = bool(words) and all(score_word(known, index, {FIELD_NAME}) for known in matches)
    return Miss(missing, unreached, strong, all_names)


def ordered(hits: list[Hit], index: SearchIndex, limit: int | None = None) -> list[Hit]:
    """Best first; equal scores by family name, given name, then file order."""
    ranks = index.sort_ranks

    def key(hit: Hit) -> tuple[float, int]:
        return (-hit.score, ranks[hit.person])

    if limit is not None and limit < len(hits):
        import heapq

        return heapq.nsmallest(limit, hits, key=key)
    hits.sort(key=key)
    return hits


def rank(query: str, index: SearchIndex, fields: Collection[str] = ALL_FIELDS) -> list[Hit]:
    """All people the query reaches, best first, before the cut-off."""
    scores = _scores(query, index, fields)
    return ordered([Hit(person, score) for person, score in scores.items()], index)


def cut(hits: Sequence[Hit]) -> list[Hit]:
    """Drop the weak tail: keep what is close to the best and good enough on its own."""
    if not hits:
        return []
    threshold = max(MIN_SCORE, hits[0].score * RELATIVE_CUTOFF)
    return [hit for hit in hits if hit.score >= threshold]


def search(
    query: str,
    index: SearchIndex,
    fields: Collection[str] = ALL_FIELDS,
    limit: int | None = None,
    named: Mapping[int, float] | None = None,
) -> list[Hit]:
    """The people a query finds, best first, weak tail cut, at most `limit`.

    The same as cut(rank(...))[:limit], without sorting the tail that is cut.
    """
    scores = _scores(query, index, fields, named)
    if not scores:
        return []
    threshold = max(MIN_SCORE, max(scores.values()) * RELATIVE_CUTOFF)
    kept = [Hit(person, score) for person, score in scores.items() if score >= threshold]
    return ordered(kept, index, limit)


def closest_names(query: str, names: Sequence[str], limit: int = 3) -> list[str]:
    """Names that look most like the query, for a hint when nothing was found."""
    from rapidfuzz import fuzz, process, utils

    matches = process.extract(
        fold(query), names, scorer=fuzz.WRatio, processor=utils.default_process, limit=limit
    )
    return [name for name, score, _ in matches if score >= CLOSE_NAME_SCORE]
