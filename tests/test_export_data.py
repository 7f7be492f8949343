"""A directory file of hostile values for the export tests, and checks that it stays hostile.

The other export test modules import HOSTILE / hostile_file from here. The tests
below make sure the loader keeps the awkward characters, so that the export tests
really exercise escaping, folding and formula defusing rather than clean data.
"""

from __future__ import annotations

import json
from pathlib import Path

from kjcdir.store import open_directory

LONG_NAME = "Ärger-Übermaß-" + "Straßenverkehrsüberwachungsdienststellenleiterin" * 5
LONG_TASK = "Überörtliche Prüfung; Beratung, Begleitung\\Betreuung " * 30

# Written as JSON, which is YAML too: every escape below is Python's, not YAML's.
HOSTILE = {
    "meta": {"title": "Hostile; data, for\\tests", "source": "tests", "as_of": "2026-01-02"},
    "organizations": [
        {
            "id": "org-a",
            "name": "=Amt; für, Test\\Back",
            "short": "A;B",
            "address": {
                "street": "Weg 1; Hinterhaus, 2. OG",
                "postal_code": "12345",
                "city": "Groß-Umstadt",
                "country": "Deutschland",
            },
            "websites": ["https://example.org/a,b;c"],
            "emails": ["info@example.org"],
            "phones": ["+49 6078 123-0"],
            "tasks": ["Zeile eins\nZeile zwei; mit, Zeichen\\", LONG_TASK.strip()],
            "topics": ["SGB II, Teil 1", "Back\\slash"],
        },
        {"id": "org-b", "name": "Unterabteilung\r\nZwei", "parent": "org-a"},
    ],
    "people": [
        {
            "id": "hostile-person",
            "given_name": "Zoë\tÄrger",
            "family_name": '=HYPERLINK("http://evil")',
            "affiliations": [
                {
                    "org": "org-b",
                    "role": "+Leiter; Stellvertretung, kommissarisch\r\nzweite Zeile \x1b[31mrot",
                },
                {"org": "org-a", "role": "@Beirat"},
            ],
            "phones": ["+49 611 1706-69", "+49 6078 123-45"],
            "emails": ["=1+2@example.org", "zoe@example.org"],
            "topics": ["@SUM(A1)", "-2+3", "Komma, Semikolon; Backslash\\ Ende"],
        },
        {
            "id": "long-person",
            "given_name": "Łucja",
            "family_name": LONG_NAME,
            "affiliations": [{"org": "org-a", "role": "-Referentin"}],
            "emails": ["lucja@example.org"],
        },
        {"id": "no-contact", "family_name": "Ohnekontakt"},
    ],
}


def hostile_file(folder: Path) -> Path:
    path = folder / "hostile.yaml"
    path.write_text(json.dumps(HOSTILE, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def test_the_hostile_file_is_valid(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("--data", str(hostile_file(tmp_path)), "--no-bundled", "check")
    assert result.exit_code == 0, result.stderr
    assert "(2 organisations, 3 people)" in result.stdout


def test_the_loader_keeps_the_hostile_characters(tmp_path: Path) -> None:
    directory = open_directory([hostile_file(tmp_path)], include_bundled=False).directory
    person = directory.people["hostile-person"]
    role = person.affiliations[0].role or ""
    assert "\r\n" in role and "\x1b" in role and ";" in role and "," in role
    assert person.family_name.startswith("=")
    assert "\t" in (person.given_name or "")
    assert "\\" in directory.organizations["org-a"].name
    assert directory.people["long-person"].family_name == LONG_NAME
    assert len(LONG_NAME.encode()) > 200
    assert directory.meta.as_of == "2026-01-02"
