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
    # kjcdir browse
    "search": (
        "Search: name, organisation, role, topic, phone or e-mail",
        "Suche: Name, Organisation, Funktion, Thema, Telefon oder E-Mail",
    ),
    "quit": ("Quit", "Beenden"),
    "card": ("Card", "Karte"),
    "org": ("Organisation", "Organisation"),
    "org_key": ("Org", "Org."),
    "copy_email": ("E-mail", "E-Mail"),
    "copy_phone": ("Phone", "Telefon"),
    "save": ("vCard", "vCard"),
    "qr": ("QR", "QR"),
    "yes": ("yes", "ja"),
    "no": ("no", "nein"),
    "too_short": (
        "Keep typing: a word needs three letters to match as a beginning.",
        "Weiter tippen: Ein Wortanfang braucht drei Buchstaben.",
    ),
    "no_topics": ("This directory has no topics.", "Dieses Verzeichnis hat keine Themen."),
    "link": (
        "is a symbolic link; kjcdir does not write through links.",
        "ist ein symbolischer Link; kjcdir schreibt nicht durch Links.",
    ),
    "not_a_file": ("is not a regular file.", "ist keine gewöhnliche Datei."),
    "back": ("Back", "Zurück"),
    "count_people": ("people", "Personen"),
    "count_person": ("person", "Person"),
    "of": ("of", "von"),
    "nobody": ("No one matches.", "Niemand passt."),
    "org_prompt": (
        "Organisation (short, name or alias; empty: all)",
        "Organisation (Kürzel, Name oder Alias; leer: alle)",
    ),
    "topic_prompt": ("Topic (empty: all)", "Thema (leer: alle)"),
    "save_prompt": ("Save the vCard as", "vCard speichern unter"),
    "replace": ("exists. Replace it? (y/n)", "gibt es schon. Ersetzen? (j/n)"),
    "copied": ("Copied to the clipboard", "In die Zwischenablage kopiert"),
    "no_email": ("has no e-mail address.", "hat keine E-Mail-Adresse."),
    "no_phone": ("has no phone number.", "hat keine Telefonnummer."),
    "saved": ("Saved", "Gespeichert"),
}


def label(key: str) -> str:
    english, german = _LABELS[key]
    return german if is_german() else english
