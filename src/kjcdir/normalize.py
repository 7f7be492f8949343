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


def normalize(text: str) -> list[tuple[str, ...]]:
    """Each word of the text with its searchable forms."""
    return [word_forms(word) for word in split_words(text)]


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


def content_words(text: str) -> list[tuple[str, ...]]:
    """The searchable forms of the text's words, stop words left out."""
    return [forms for forms in normalize(text) if forms[0] not in STOP_WORDS]
