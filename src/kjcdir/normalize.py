"""Normalisation: the one way query and data are turned into comparable words.

Unicode NFKC and casefolding first; then each word in two spellings, German
transliteration (ä → ae, ß → ss) and diacritics dropped (ä → a), so that
`wissmeier`, `Wißmeier`, `wuerfel` and `Wurfel` all meet the data.
"""

from __future__ import annotations

import re

_TRANSLITERATION = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_WORD_SEPARATOR = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    """Unicode NFKC, then casefold: the form every comparison starts from."""
    if text.isascii():
        return text.casefold()  # NFKC leaves ASCII as it is
    import unicodedata  # not needed for the ASCII queries most users type

    return unicodedata.normalize("NFKC", text).casefold()


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
    return [word for word in _WORD_SEPARATOR.split(fold(text)) if word]


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
