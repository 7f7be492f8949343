"""vCard exports, parsed back with vobject: every field, both versions, hostile values."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
import vobject

from kjcdir.export import vcard
from kjcdir.store import Loaded, open_directory
from test_export_data import LONG_NAME, LONG_TASK, hostile_file

VERSIONS = ("3.0", "4.0")
BUNDLED_PEOPLE = 9


def parse_all(text: str) -> list[Any]:
    return list(vobject.readComponents(text))


def by_uid(cards: list[Any]) -> dict[str, Any]:
    return {card.uid.value: card for card in cards}


def values(card: Any, name: str) -> list[Any]:
    return [line.value for line in card.contents.get(name, [])]


def types(line: Any) -> list[str]:
    return [kind for value in line.params.get("TYPE", []) for kind in value.split(",")]


@pytest.fixture
def bundled() -> Loaded:
    return open_directory([], include_bundled=True)


@pytest.fixture
def hostile(tmp_path: Path) -> Loaded:
    return open_directory([hostile_file(tmp_path)], include_bundled=False)


def export(cli, *args: str) -> str:  # type: ignore[no-untyped-def]
    result = cli("export", *args)
    assert result.exit_code == 0, result.stderr
    return str(result.stdout_bytes.decode())  # .stdout would turn CRLF into LF


@pytest.mark.parametrize("version", VERSIONS)
def test_every_bundled_person_round_trips(cli, bundled: Loaded, version: str) -> None:  # type: ignore[no-untyped-def]
    text = export(cli, "--all", "--format", "vcard", "--vcard-version", version)
    cards = by_uid(parse_all(text))
    directory = bundled.directory
    assert len(cards) == BUNDLED_PEOPLE
    for person_id in directory.people:
        person = directory.people[person_id]
        card = cards[vcard.uid(person.id)]
        assert card.version.value == version
        assert card.fn.value == person.name
        assert card.n.value.family == person.family_name
        assert card.n.value.given == (person.given_name or "")
        assert card.n.value.prefix == (person.salutation or "")
        first = person.affiliations[0]
        assert card.org.value == list(directory.org_path(first.org_id))
        assert values(card, "title") == ([first.role] if first.role else [])
        expected_tel = [
            f"tel:{phone.e164}" if version == "4.0" else phone.e164 for phone in person.phones
        ]
        assert values(card, "tel") == expected_tel
        assert values(card, "email") == list(person.emails)
        address = directory.address_of(person)
        if address is None:
            assert "adr" not in card.contents
        else:
            assert card.adr.value.street == address.street
            assert card.adr.value.code == address.postal_code
            assert card.adr.value.city == address.city
        categories = card.categories.value
        for aff in person.affiliations:
            for org in directory.chain(aff.org_id):
                if org.short:
                    assert org.short in categories
        assert card.prodid.value == vcard.PRODID
        assert card.rev.value == (
            "20261124T000000Z" if version == "4.0" else "2026-11-24T00:00:00Z"
        )


def test_wissmeier_card_has_every_field_of_spec_4(cli) -> None:  # type: ignore[no-untyped-def]
    card = parse_all(export(cli, "wissmeier"))[0]
    assert card.fn.value == "Rena Wißmeier"
    assert card.org.value == ["Hessischer Städtetag", "Regiestelle SGB II"]
    assert card.title.value == "Regiestelle SGB II"
    assert card.tel.value == "+49611170225"
    assert card.email.value == "wissmeier@hess-staedtetag.de"
    assert card.adr.value.street == "Frankfurter Straße 2"
    assert card.url.value == "https://www.hess-staedtetag.de"
    assert "SGB II" in card.categories.value and "HStT" in card.categories.value
    assert "Aufgaben (Regiestelle SGB II):" in card.note.value
    assert card.uid.value == "urn:uuid:b96a7254-713a-5f0c-bada-773a65a289fd"
    assert (card.n.value.family, card.n.value.given, card.n.value.prefix) == (
        "Wißmeier",
        "Rena",
        "Frau",
    )


@pytest.mark.parametrize("version", VERSIONS)
def test_the_salutation_is_the_prefix_of_n(cli, version: str) -> None:  # type: ignore[no-untyped-def]
    """The page's salutation ("Frau Kreisbeigeordnete Rosemarie Lück") is N's honorific
    prefix, in both versions; a person without one has an empty prefix."""
    text = export(cli, "--all", "--vcard-version", version)
    cards = by_uid(parse_all(text))
    lueck = cards[vcard.uid("rosemarie-lueck")]
    assert lueck.n.value.prefix == "Frau Kreisbeigeordnete"
    assert "N:Lück;Rosemarie;;Frau Kreisbeigeordnete;\r\n" in text
    assert lueck.fn.value == "Rosemarie Lück"  # the name alone: FN is what lists sort by
    assert cards[vcard.uid("felix-wuerfel")].n.value.prefix == ""
    assert "N:Würfel;Felix;;;\r\n" in text


def test_a_salutation_with_vcard_syntax_stays_one_prefix(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "own.yaml"
    data.write_text(
        "people:\n"
        "  - id: anna\n"
        '    salutation: "Frau; Dr.,\\\\ Prof.\\u001b"\n'
        "    family_name: Muster\n",
        encoding="utf-8",
    )
    result = cli("--no-bundled", "--data", str(data), "export", "--all")
    assert result.exit_code == 0, result.stderr
    [card] = parse_all(result.stdout)
    assert card.n.value.prefix == "Frau; Dr.,\\ Prof."  # escaped, control dropped
    assert card.n.value.family == "Muster"


@pytest.mark.parametrize("version", VERSIONS)
def test_type_parameters_follow_the_version(cli, version: str) -> None:  # type: ignore[no-untyped-def]
    text = export(cli, "wissmeier", "--vcard-version", version)
    card = parse_all(text)[0]
    if version == "3.0":
        assert types(card.tel) == ["WORK", "VOICE"]
        assert types(card.email) == ["INTERNET", "WORK"]
        assert types(card.adr) == ["WORK"]
        assert "TEL;TYPE=WORK,VOICE:+49611170225\r\n" in text
        assert "kind" not in card.contents
    else:
        assert types(card.tel) == ["work", "voice"]
        assert card.tel.params["VALUE"] == ["uri"]
        assert types(card.email) == ["work"]  # INTERNET is not a vCard 4.0 type
        assert types(card.adr) == ["work"]
        assert card.kind.value == "individual"
    assert text.startswith(f"BEGIN:VCARD\r\nVERSION:{version}\r\n")


def test_lines_end_in_crlf(cli) -> None:  # type: ignore[no-untyped-def]
    text = export(cli, "--all")
    assert text.endswith("END:VCARD\r\n")
    assert "\n" not in text.replace("\r\n", "")


def test_people_without_phone_or_email_get_a_card(cli) -> None:  # type: ignore[no-untyped-def]
    cards = by_uid(parse_all(export(cli, "--all")))
    card = cards[vcard.uid("ariane-patzelt")]
    assert card.fn.value == "Ariane Patzelt"
    assert card.org.value == ["Landeshauptstadt Wiesbaden"]
    assert "tel" not in card.contents and "email" not in card.contents
    assert "Auch: hessisches Mitglied im AK Option, Deutscher Landkreistag › AK Option" in (
        card.note.value
    )


def test_uids_are_equal_across_runs_and_versions(cli) -> None:  # type: ignore[no-untyped-def]
    runs = [export(cli, "--all", "--vcard-version", version) for version in (*VERSIONS, "3.0")]
    uid_sets = [[card.uid.value for card in parse_all(text)] for text in runs]
    assert uid_sets[0] == uid_sets[1] == uid_sets[2]
    assert len(set(uid_sets[0])) == BUNDLED_PEOPLE
    assert runs[0] == runs[2]  # byte for byte
    for value in uid_sets[0]:
        assert value.startswith("urn:uuid:")
        assert uuid.UUID(value.removeprefix("urn:uuid:")).version == 5


def test_the_uid_namespace_never_changes() -> None:
    # Changing it would make every re-import a duplicate in users' address books.
    assert vcard.uid("rena-wissmeier") == "urn:uuid:b96a7254-713a-5f0c-bada-773a65a289fd"
    assert vcard.uid("x") == f"urn:uuid:{uuid.uuid5(vcard.NAMESPACE, 'x')}"


@pytest.mark.parametrize("version", VERSIONS)
def test_hostile_values_round_trip(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path, version: str
) -> None:
    data = hostile_file(tmp_path)
    result = cli("--data", str(data), "--no-bundled", "export", "--all", "--vcard-version", version)
    assert result.exit_code == 0, result.stderr
    text = result.stdout_bytes.decode()
    cards = by_uid(parse_all(text))
    assert len(cards) == 3
    card = cards[vcard.uid("hostile-person")]
    assert card.fn.value == 'Zoë\tÄrger =HYPERLINK("http://evil")'
    assert card.n.value.family == '=HYPERLINK("http://evil")'
    assert card.n.value.given == "Zoë\tÄrger"
    # ';' ',' '\' survive in structured and plain values; CR LF comes back as LF;
    # the escape character is dropped (vCard allows no control characters).
    assert card.org.value == ["=Amt; für, Test\\Back", "Unterabteilung\nZwei"]
    assert card.title.value == "+Leiter; Stellvertretung, kommissarisch\nzweite Zeile [31mrot"
    assert card.adr.value.street == "Weg 1; Hinterhaus, 2. OG"
    assert card.adr.value.city == "Groß-Umstadt"
    assert card.adr.value.country == "Deutschland"
    assert values(card, "email") == ["=1+2@example.org", "zoe@example.org"]
    assert values(card, "url") == ["https://example.org/a,b;c"]
    categories = card.categories.value
    assert "Komma, Semikolon; Backslash\\ Ende" in categories
    assert "SGB II, Teil 1" in categories and "Back\\slash" in categories
    assert "A;B" in categories
    assert "Auch: @Beirat, =Amt; für, Test\\Back" in card.note.value
    assert "- Zeile eins\nZeile zwei; mit, Zeichen\\" in card.note.value
    assert LONG_TASK.strip() in card.note.value
    assert "\x1b" not in text
    assert "\\;" in text and "\\," in text and "\\\\" in text and "\\n" in text


@pytest.mark.parametrize("version", VERSIONS)
def test_long_lines_are_folded_at_75_octets(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path, version: str
) -> None:
    data = hostile_file(tmp_path)
    result = cli("--data", str(data), "--no-bundled", "export", "Łucja", "--vcard-version", version)
    assert result.exit_code == 0, result.stderr
    raw = result.stdout_bytes
    lines = raw.split(b"\r\n")
    assert max(len(line) for line in lines) <= 75
    assert sum(1 for line in lines if line.startswith(b" ")) > 5  # really folded
    for line in lines:
        line.decode("utf-8")  # no character split across two lines
    card = parse_all(raw.decode())[0]
    assert card.fn.value == f"Łucja {LONG_NAME}"
    assert card.n.value.family == LONG_NAME
    assert card.title.value == "-Referentin"


def test_organisations_as_cards_of_their_own(cli) -> None:  # type: ignore[no-untyped-def]
    text3 = export(cli, "wissmeier", "--with-orgs")
    text4 = export(cli, "wissmeier", "--with-orgs", "--vcard-version", "4.0")
    for text, version in ((text3, "3.0"), (text4, "4.0")):
        cards = by_uid(parse_all(text))
        assert set(cards) == {vcard.uid("rena-wissmeier"), vcard.uid("hstt")}
        org = cards[vcard.uid("hstt")]
        assert org.fn.value == "Hessischer Städtetag"
        assert org.org.value == ["Hessischer Städtetag"]
        assert org.url.value == "https://www.hess-staedtetag.de"
        assert org.adr.value.city == "Wiesbaden"
        assert "74 hessischen Städten" in org.note.value
        if version == "4.0":
            assert org.kind.value == "org"
        else:
            assert org.x_abshowas.value == "COMPANY"


def test_with_orgs_and_all_adds_every_organisation_with_contact_data(cli) -> None:  # type: ignore[no-untyped-def]
    cards = parse_all(export(cli, "--all", "--with-orgs"))
    uids = {card.uid.value for card in cards}
    for org_id in ("hlt", "hstt", "dlt", "dst"):
        assert vcard.uid(org_id) in uids
    assert vcard.uid("hstt-regiestelle") not in uids  # no contact data of its own
    assert len(cards) == BUNDLED_PEOPLE + 4


def test_compact_card_for_qr_codes_leaves_out_the_long_fields(bundled: Loaded) -> None:
    directory = bundled.directory
    text = vcard.person_card(directory, directory.people["rena-wissmeier"], compact=True)
    card = parse_all(text)[0]
    assert card.fn.value == "Rena Wißmeier"
    assert card.tel.value == "+49611170225"
    for name in ("note", "categories", "prodid", "rev"):
        assert name not in card.contents
    assert card.uid.value == vcard.uid("rena-wissmeier")  # the same contact as synced ones
    assert len(text.encode()) < 500


def test_rev_comes_from_as_of_and_only_from_a_date() -> None:
    assert vcard._rev("2026-11-24", v4=False) == "2026-11-24T00:00:00Z"
    assert vcard._rev("2026-11-24", v4=True) == "20261124T000000Z"
    assert vcard._rev("Herbst 2026", v4=False) is None
    assert vcard._rev("", v4=True) is None
