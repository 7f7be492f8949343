"""Making data text safe to show, and the labels of the two languages."""

from __future__ import annotations

import os

# C0 controls become their visible Control Pictures (ESC → ␛), DEL becomes ␡; C1
# controls and bidirectional overrides become U+FFFD. Data can then neither send
# escape sequences to a terminal nor reorder or split the lines around it.
_INERT = {code: 0x2400 + code for code in range(0x20)}
_INERT[0x7F] = 0x2421
_INERT.update({code: 0xFFFD for code in range(0x80, 0xA0)})
_INERT.update({code: 0xFFFD for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))})
_INERT.update({0x2028: 0xFFFD, 0x2029: 0xFFFD})


def inert(text: str | None) -> str:
    """Text with every control character replaced by a visible stand-in."""
    return text.translate(_INERT) if text else ""


def is_german() -> bool:
    """German labels when the locale (LC_ALL, LC_MESSAGES, LANG, in that order) says so."""
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable)
        if value:
            return value.lower().startswith("de")
    return False


_LABELS = {
    "phone": ("Phone", "Telefon"),
    "email": ("E-mail", "E-Mail"),
    "address": ("Address", "Adresse"),
    "website": ("Website", "Website"),
    "topics": ("Topics", "Themen"),
    "tasks": ("Tasks", "Aufgaben"),
    "people": ("People", "Personen"),
    "units": ("Units", "Einheiten"),
    "members": ("Members", "Mitglieder"),
    "member_of": ("Member of", "Mitglied von"),
    "part_of": ("Part of", "Gehört zu"),
    "name": ("Name", "Name"),
    "organization": ("Organisation", "Organisation"),
    "role": ("Role", "Funktion"),
    "topic": ("Topic", "Thema"),
    "score": ("Score", "Treffer"),
    "organizations": ("Organisations", "Organisationen"),
    "task": ("task", "Aufgabe"),
}


def label(key: str) -> str:
    english, german = _LABELS[key]
    return german if is_german() else english
