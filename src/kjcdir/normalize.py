"""Normalisation: the one way query and data are turned into comparable words.

Unicode NFKC and casefolding first; then each word in two spellings, German
transliteration (ä → ae, ß → ss) and diacritics dropped (ä → a), so that
`wissmeier`, `Wißmeier`, `wuerfel` and `Wurfel` all meet the data.
"""

from __future__ import annotations

import re

_TRANSLITERATION = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_WORD_SEPARATOR = re.compile(r"[\W_]+")
# A character that is neither ASCII nor part of a word: punctuation such as "›" or "–",
# but also the format characters (zero-width space and joiner, soft hyphen, bidi marks)
# and the combining marks that need a closer look. Text without one (most German text:
# umlauts and ß are word characters) takes the fast paths.
_NON_ASCII_NON_WORD = re.compile(r"[^\w\x00-\x7f]")


def fold(text: str) -> str:
    """Unicode NFKC, then casefold: the form every comparison starts from.

    Format characters (category Cf: zero-width space, joiner and non-joiner, word
    joiner, soft hyphen, byte order mark, LRM/RLM, ...) are dropped: they show nothing,
    so a name copied from a web page with one in it is the name without it.
    """
    if text.isascii():
        return text.casefold()  # NFKC leaves ASCII as it is
    import unicodedata  # not needed for the ASCII queries most users type

    if not text.isprintable():  # format characters are not printable: a quick test
        # before NFKC: a joiner between a letter and its accent would keep them apart
        text = _NON_ASCII_NON_WORD.sub(_drop_format_character, text)
    return unicodedata.normalize("NFKC", text).casefold()


def _drop_format_character(match: re.Match[str]) -> str:
    import unicodedata

    char = match.group()
    return "" if unicodedata.category(char) == "Cf" else char


def strip_marks(text: str) -> str:
    """Drop diacritics: ä → a, é → e."""
    if text.isascii():
        return text
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


# Word forms are asked for once per word of every name, role and topic in the data:
# a directory of 100,000 people has a few thousand distinct words, so they are kept.
_FORMS: dict[str, tuple[str, ...]] = {}
_FORMS_LIMIT = 200_000


def word_forms(word: str) -> tuple[str, ...]:
    """The spellings of one folded word users may type: transliterated and without marks."""
    forms = _FORMS.get(word)
    if forms is None:
        if word.isascii():
            forms = (word,)
        else:
            transliterated = strip_marks(word.translate(_TRANSLITERATION))
            plain = strip_marks(word)
            forms = (transliterated,) if plain == transliterated else (transliterated, plain)
        if len(_FORMS) >= _FORMS_LIMIT:
            _FORMS.clear()
        _FORMS[word] = forms
    return forms


def split_words(text: str) -> list[str]:
    """Folded words; hyphens, slashes, dots and other punctuation separate words."""
    folded = fold(text)
    if folded.isascii() or not _has_marks(folded):
        return [word for word in _WORD_SEPARATOR.split(folded) if word]
    return _split_keeping_marks(folded)


def _has_marks(folded: str) -> bool:
    import unicodedata

    return any(
        unicodedata.category(match.group()).startswith("M")
        for match in _NON_ASCII_NON_WORD.finditer(folded)
    )


def _split_keeping_marks(folded: str) -> list[str]:
    """Split at non-word characters, except combining marks: they belong to their letter.

    Marks are not word characters to `re` (\\w is what str.isalnum() says), yet some are
    left after NFKC: İ casefolds to i + U+0307, and letters without a precomposed form
    keep theirs. word_forms() strips them from the words afterwards.
    """
    import unicodedata

    words: list[str] = []
    start = 0  # where the current word begins
    for match in _WORD_SEPARATOR.finditer(folded):
        separator = match.group()
        if separator.isascii():
            words.append(folded[start : match.start()])
            start = match.end()
            continue
        for position, char in enumerate(separator, match.start()):
            if not unicodedata.category(char).startswith("M"):
                words.append(folded[start:position])
                start = position + 1
    words.append(folded[start:])
    # a word of marks alone (after a space, say) has no letter to search for
    return [
        word
        for word in words
        if word and not all(unicodedata.category(char).startswith("M") for char in word)
    ]


# The German social codes are written with Roman and Arabic numbers alike: "SGB II" and
# "SGB 2" are the same words to the search, in the data and in queries. A number after
# "SGB" (and "SGB2", "SGBII" written as one word) becomes its Roman form.
_ROMAN = ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii")
_SGB_NUMBERS = {str(number): roman for number, roman in enumerate(_ROMAN, start=1)}
_SGB_JOINED = re.compile(r"sgb(1[0-2]|[1-9]|[ivx]+)")


def social_code_words(words: list[str]) -> list[str]:
    """The folded words with each social code's number in Roman form (SGB 2 → sgb ii)."""
    if not any(word.startswith("sgb") for word in words):
        return words
    result: list[str] = []
    for word in words:
        joined = _SGB_JOINED.fullmatch(word)
        if joined is not None:
            number = joined.group(1)
            result += ["sgb", _SGB_NUMBERS.get(number, number)]
        elif result and result[-1] == "sgb" and word in _SGB_NUMBERS:
            result.append(_SGB_NUMBERS[word])
        else:
            result.append(word)
    return result


def normalize(text: str) -> list[tuple[str, ...]]:
    """Each word of the text with its searchable forms."""
    return [word_forms(word) for word in social_code_words(split_words(text))]


# Words that carry no meaning on their own in German or English text; they are
# neither indexed nor matched (unless a query holds nothing else).
STOP_WORDS = frozenset(
    {
        "der",
        "die",
        "das",
        "des",
        "dem",
        "den",
        "ein",
        "eine",
        "einer",
        "eines",
        "einem",
        "einen",
        "und",
        "oder",
        "für",
        "fuer",
        "fur",
        "von",
        "vom",
        "zu",
        "zum",
        "zur",
        "im",
        "in",
        "am",
        "an",
        "auf",
        "aus",
        "bei",
        "beim",
        "mit",
        "sowie",
        "soweit",
        "über",
        "ueber",
        "uber",
        "unter",
        "zwischen",
        "ist",
        "sind",
        "hat",
        "haben",
        "sie",
        "ihr",
        "ihre",
        "ihren",
        "sich",
        "es",
        "etc",
        "bzw",
        "gem",
        "z",
        "b",
        "the",
        "of",
        "and",
        "for",
    }
)


# Words that say how a query is asked, not whom it asks for: dropped from queries (not
# from the data), unless a query holds nothing else. Salutations, the words for a
# contact person, and question words; articles and prepositions are STOP_WORDS above.
# Each in its folded, transliterated form (what normalize() gives first).
FILLER_WORDS = frozenset(
    {
        "frau",
        "herr",
        "herrn",
        "dr",
        "prof",
        "professor",
        "ansprechpartner",
        "ansprechpartnerin",
        "ansprechpartnerinnen",
        "ansprechperson",
        "kontakt",
        "kontaktperson",
        "zustaendig",
        "zustaendige",
        "zustaendiger",
        "zustaendigkeit",
        "telefon",
        "telefonnummer",
        "tel",
        "rufnummer",
        "nummer",
        "e",  # of E-Mail, which splits at its hyphen
        "mail",
        "email",
        "adresse",
        "anschrift",
        "wer",
        "wen",
        "wem",
        "was",
        "macht",
        "machen",
    }
)


# "Fr." and "Hr." with their dot are salutations; without it, "HR" may be a department.
_ABBREVIATED_SALUTATION = re.compile(r"\b(?:fr|hr|hrn)\.", re.IGNORECASE)


def _spelled_out(text: str) -> str:
    return _ABBREVIATED_SALUTATION.sub("Frau ", text)  # either is a filler word


def meaningful_words(text: str) -> list[tuple[str, ...]]:
    """A query's words without stop and filler words; all of them if nothing else is left."""
    words = normalize(_spelled_out(text))
    kept = [forms for forms in words if _is_meaningful(forms[0])]
    return kept or words


def _is_meaningful(form: str) -> bool:
    return form not in STOP_WORDS and form not in FILLER_WORDS


def typed_words(text: str) -> list[str]:
    """The query's meaningful words as the user typed them, one for each word of
    meaningful_words(), for messages ('Gießen' is not in the directory). Where typing and
    normalising do not split alike (SGB2), the normalised word stands in."""
    text = _spelled_out(text)
    typed = [word for word in _WORD_SEPARATOR.split(text) if word]
    folded = social_code_words(split_words(text))
    if len(typed) != len(folded):
        typed = folded
    forms = [word_forms(word)[0] for word in folded]
    kept = [word for word, form in zip(typed, forms, strict=True) if _is_meaningful(form)]
    return kept or typed


def content_words(text: str) -> list[tuple[str, ...]]:
    """The searchable forms of the text's words, stop words left out."""
    return [forms for forms in normalize(text) if forms[0] not in STOP_WORDS]
