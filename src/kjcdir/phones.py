"""Phone numbers as written in a directory file → DIN 5008 display and E.164.

phonenumbers is the authority on what a valid number is. Most numbers in a directory
are German numbers in DIN 5008 international form (`+49 611 1706-69`): those are read
and checked here with phonenumbers' own patterns, compiled once, at a sixth of the cost
of its general parser (a first load of 100,000 people spends much of its time on phone
numbers). Other `+49` numbers are checked so too but formatted by phonenumbers (slower);
every other notation goes through phonenumbers.parse.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from kjcdir.model import Phone

# "+49 611 1706-69": a German number in international form, digits, spaces and hyphens
_GERMAN_INTERNATIONAL = re.compile(r"\+49[ -]*[1-9][0-9 -]*\Z")
# DIN 5008's international form: country code, area code, number, and the extension
# after a hyphen; a number written so (with its true country code) is shown as written
_DIN_5008 = re.compile(r"\+([1-9][0-9]{0,2}) [1-9][0-9]* [0-9]+(?:-[0-9]+)?\Z")
# the extension the source marks: the digits after its last hyphen ("0611 1706-69")
_EXTENSION = re.compile(r"-\s*([0-9]+)\s*\Z")


@functools.lru_cache(maxsize=4096)
def parse_phone(text: str) -> Phone | None:
    """A phone number as written, in any notation → its DIN 5008 international form
    (`+49 611 1706-69`, the extension where the source marks one) and E.164; None if
    phonenumbers does not take it for a valid number."""
    digits = _german_digits(text)
    if digits is not None:
        if not _german_numbers().valid(digits):
            return None
        if _written_in_din_5008(text, "+49" + digits):
            return Phone(display=text, e164="+49" + digits)
        from phonenumbers import PhoneNumber

        number = PhoneNumber(country_code=49, national_number=int(digits))
        return Phone(display=din_5008(number, text), e164="+49" + digits)
    import phonenumbers  # only the loader needs it; cached directories skip it

    try:
        number = phonenumbers.parse(text, "DE")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    display = text if _written_in_din_5008(text, e164) else din_5008(number, text)
    return Phone(display=display, e164=e164)


def _written_in_din_5008(text: str, e164: str) -> bool:
    """In DIN 5008 form, and holding the very digits of the number (phonenumbers drops a
    trunk prefix written after the country code, as in +7 8 495…)."""
    form = _DIN_5008.match(text)
    return form is not None and text.replace(" ", "").replace("-", "") == e164


def din_5008(number: Any, text: str) -> str:
    """`+49 611 1706-69`: the country code, the area (national destination) code and the
    rest as phonenumbers divides the number, the rest split before the extension that
    `text` marks with a hyphen; an extension in phonenumbers' own notation (`x12`,
    `ext. 12`) follows as `ext. 12`."""
    import phonenumbers

    national = phonenumbers.national_significant_number(number)
    area = phonenumbers.length_of_national_destination_code(number)
    head, rest = (national[:area], national[area:]) if 0 < area < len(national) else ("", national)
    extension = _marked_extension(text, national, len(head))
    if extension is not None and len(extension) < len(rest) and rest.endswith(extension):
        rest = f"{rest[: -len(extension)]}-{extension}"
    shown = " ".join(part for part in (f"+{number.country_code}", head, rest) if part)
    return f"{shown} ext. {number.extension}" if number.extension else shown


def _marked_extension(text: str, national: str, area: int) -> str | None:
    """The digits after the source's last hyphen, if that hyphen marks an extension: one
    that follows the number's first group, not one right after a longer prefix written
    as one group (`01805-123456` is 0180 5123456, not 180 5 with extension 123456)."""
    marked = _EXTENSION.search(text)
    if marked is None:
        return None
    places = [index for index, char in enumerate(text) if char in "0123456789"]
    digits = "".join(text[index] for index in places)
    start = len(digits) - len(national)
    if start < 0 or not digits.endswith(national) or area == 0:
        return None
    area_end = places[start + area - 1] + 1
    between = text[area_end : marked.start()]
    if not any(char not in "0123456789" for char in between):
        return None  # no separator between the area code and the hyphen
    return marked.group(1)


def _german_digits(text: str) -> str | None:
    """The national number of a German number in the form most files use (+49, then
    digits, spaces and hyphens), or None for any other form.

    For that form phonenumbers.parse(text, "DE") finds country code 49 and the national
    number of all further digits: nothing in it is an extension, and Germany's national
    prefix (0) cannot start it. Its lengths are those parse accepts (2 to 17 digits).
    """
    if _GERMAN_INTERNATIONAL.match(text) is None:
        return None
    digits = text[3:].replace(" ", "").replace("-", "")
    return digits if 2 <= len(digits) <= 17 else None


class _NumberPatterns:
    """phonenumbers' test of a valid number of one region, compiled once.

    phonenumbers.is_valid_number accepts a national number that matches the region's
    general description and the description of any one type (fixed line, mobile, toll
    free, ...), each of them a set of lengths and a pattern. Asked the same, with the
    patterns compiled once, that costs a sixth of the time; a first load of many people
    spends much of its time here. tests/test_validation.py holds the two to the same
    answers.
    """

    # phonenumbers asks in another order, for the type; any order gives the same validity,
    # and most numbers in a directory are fixed lines and mobiles
    TYPES = (
        "fixed_line", "mobile", "toll_free", "premium_rate", "shared_cost", "voip",
        "personal_number", "pager", "uan", "voicemail",
    )  # fmt: skip

    def __init__(self, region: str) -> None:
        from phonenumbers import PhoneMetadata

        metadata = PhoneMetadata.metadata_for_region(region)
        self.general = _description(getattr(metadata, "general_desc", None))
        self.types = [
            found
            for name in self.TYPES
            if (found := _description(getattr(metadata, name, None))) is not None
        ]

    def valid(self, national_number: str) -> bool:
        if self.general is None or not _matches(self.general, national_number):
            return False
        return any(_matches(description, national_number) for description in self.types)


def _description(description: Any) -> tuple[frozenset[int], re.Pattern[str]] | None:
    if description is None or not description.national_number_pattern:
        return None
    return frozenset(description.possible_length), re.compile(description.national_number_pattern)


def _matches(description: tuple[frozenset[int], re.Pattern[str]], number: str) -> bool:
    lengths, pattern = description
    if lengths and len(number) not in lengths:
        return False
    return pattern.fullmatch(number) is not None


@functools.cache
def _german_numbers() -> _NumberPatterns:
    return _NumberPatterns("DE")
