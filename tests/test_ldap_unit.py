"""The pure parts of the LDAP support: entries from the model, LDIF text, the sync's plan;
and the options of `export --format ldif` and `ldap sync` through CliRunner."""

from __future__ import annotations

import base64
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import Cli
from kjcdir.errors import KjcdirError
from kjcdir.ldap import ldif
from kjcdir.ldap.entries import MARKER, Entry, checked_base, directory_entries, values_of
from kjcdir.ldap.plan import Modify, dn_key, plan
from kjcdir.model import Address, Affiliation, Directory, Meta, Organization, People, Person, Phone

BASE = "ou=kjcdir,dc=example,dc=org"


def unfolded(text: str) -> list[str]:
    return text.replace("\n ", "").splitlines()


def decoded(line: str) -> tuple[str, str]:
    name, _, value = line.partition(":")
    if value.startswith(":"):
        return name, base64.b64decode(value[1:].strip()).decode("utf-8")
    return name, value.removeprefix(" ")


# --- LDIF values --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "plain"),
    [
        ("Wiesbaden", True),
        ("+49611170225", True),
        ("a: b <c>", True),  # colon and '<' are safe after the first character
        ("Wißmeier", False),
        (" leading space", False),
        ("trailing space ", False),
        (":colon first", False),
        ("<angle first", False),
        ("line\nbreak", False),
        ("carriage\rreturn", False),
        ("escape \x1b[31m", False),  # allowed by the RFC, but never raw on a terminal
    ],
)
def test_a_value_is_plain_only_where_it_is_safe(value: str, plain: bool) -> None:
    written = ldif.line("cn", value)
    assert written.startswith("cn: " if plain else "cn:: ")
    assert decoded(unfolded(written)[0]) == ("cn", value)


def test_an_empty_value_has_nothing_after_the_colon() -> None:
    assert ldif.line("description", "") == "description:"


@settings(deadline=None, derandomize=True, max_examples=300)
@given(st.text(max_size=300))
def test_every_value_comes_back_from_its_folded_line(value: str) -> None:
    written = ldif.line("description", value)
    assert all(len(part) <= ldif.WIDTH for part in written.split("\n"))
    assert all(part.isascii() for part in written.split("\n"))
    assert decoded(unfolded(written)[0]) == ("description", value)


def test_long_lines_fold_at_76_with_one_leading_space() -> None:
    written = ldif.line("description", "x" * 200)
    lines = written.split("\n")
    assert [len(part) for part in lines] == [76, 76, 63]  # 13 + 200 characters
    assert all(part.startswith(" ") for part in lines[1:])


# --- entries ------------------------------------------------------------------------------


def small_directory(*people: Person) -> Directory:
    orgs = {
        "land": Organization(
            "land",
            "Hessischer Städtetag",
            short="HStT",
            address=Address("Frankfurter Straße 2", "65189", "Wiesbaden"),
            websites=("https://example.org",),
            phones=(Phone("+49 611 1702-0", "+4961117020"),),
        ),
        "stelle": Organization("stelle", "Regiestelle SGB II", parent="land"),
        "other": Organization("other", "Deutscher Städtetag", emails=("post@example.org",)),
    }
    return Directory(Meta(), orgs, People(list(people)))


def entries_by_dn(directory: Directory, people: list[Person]) -> dict[str, Entry]:
    orgs = list(directory.organizations.values())
    return {entry.dn: entry for entry in directory_entries(directory, people, orgs, BASE)}


def test_a_person_entry_carries_body_unit_role_and_inherited_address() -> None:
    person = Person(
        "rena",
        "Rena",
        "Wißmeier",
        affiliations=(Affiliation("stelle", "Leitung"), Affiliation("other", "Beirat")),
        phones=(Phone("+49 611 1702-25", "+49611170225"),),
        emails=("r@example.org", "R@Example.org"),
    )
    directory = small_directory(person)
    entry = entries_by_dn(directory, [person])[f"uid=rena,ou=people,{BASE}"]
    attributes = entry.attributes
    assert attributes["objectClass"] == ("top", "person", "organizationalPerson", "inetOrgPerson")
    assert attributes["uid"] == ("rena",)
    assert attributes["cn"] == attributes["displayName"] == ("Rena Wißmeier",)
    assert attributes["sn"] == ("Wißmeier",)
    assert attributes["givenName"] == ("Rena",)
    assert attributes["o"] == ("Hessischer Städtetag", "Deutscher Städtetag")
    assert attributes["ou"] == ("Regiestelle SGB II",)  # a body itself is no unit
    assert attributes["title"] == ("Leitung", "Beirat")
    assert attributes["mail"] == ("r@example.org",)  # mail compares ignoring case
    assert attributes["telephoneNumber"] == ("+49611170225",)
    assert attributes["street"] == ("Frankfurter Straße 2",)
    assert attributes["postalCode"] == ("65189",)
    assert attributes["l"] == ("Wiesbaden",)
    assert attributes["labeledURI"] == ("https://example.org",)
    assert attributes["description"] == (MARKER,)
    assert entry.is_own


def test_empty_attributes_are_left_out() -> None:
    person = Person("solo", None, "Solo")
    entry = entries_by_dn(small_directory(person), [person])[f"uid=solo,ou=people,{BASE}"]
    assert set(entry.attributes) == {"objectClass", "uid", "cn", "sn", "displayName", "description"}


def test_hostile_values_are_one_line_without_controls() -> None:
    person = Person("evil", "A\nB", "C\x1b[2J\rD", emails=("x@example.org",))
    entry = entries_by_dn(small_directory(person), [person])[f"uid=evil,ou=people,{BASE}"]
    assert entry.attributes["cn"] == ("A B C[2J D",)
    text = ldif.content([entry])
    assert "\x1b" not in text and "\r" not in text


def test_an_organisation_entry_has_its_names_and_own_contact_data() -> None:
    directory = small_directory()
    found = entries_by_dn(directory, [])
    land = found[f"uid=land,ou=organizations,{BASE}"].attributes
    assert land["objectClass"] == ("top", "organization", "extensibleObject")
    assert land["o"] == ("Hessischer Städtetag", "HStT")
    assert land["telephoneNumber"] == ("+4961117020",)
    assert land["street"] == ("Frankfurter Straße 2",)
    unit = found[f"uid=stelle,ou=organizations,{BASE}"].attributes
    assert unit["cn"] == ("Hessischer Städtetag – Regiestelle SGB II",)
    assert "street" not in unit  # its own address only
    assert list(found)[:2] == [f"ou=people,{BASE}", f"ou=organizations,{BASE}"]


def test_values_of_ignores_the_case_of_names() -> None:
    assert values_of({"telephonenumber": ("1",)}, "telephoneNumber") == ("1",)
    assert values_of({}, "cn") == ()


@pytest.mark.parametrize("base", ["", "   ", "kjcdir", "ou=a,,dc=b", "=x", "ou=x,"])
def test_checked_base_refuses_what_is_no_dn(base: str) -> None:
    with pytest.raises(KjcdirError, match="DN"):
        checked_base(base)


def test_checked_base_keeps_a_dn_with_umlauts_and_escapes() -> None:
    assert checked_base(" ou=Städte\\,Gemeinden,dc=x ") == "ou=Städte\\,Gemeinden,dc=x"
    assert checked_base("ou=a+cn=b,dc=c") == "ou=a+cn=b,dc=c"


def test_checked_base_drops_the_spaces_between_parts() -> None:
    assert checked_base("ou = kjcdir, dc=example , dc=org") == "ou=kjcdir,dc=example,dc=org"


# --- the plan ------------------------------------------------------------------------------


def own(dn: str, **attributes: tuple[str, ...]) -> Entry:
    return Entry(dn, {**attributes, "description": (MARKER,)})


def test_plan_adds_parents_first_and_deletes_children_first() -> None:
    wanted = [
        own(f"uid=a,ou=people,{BASE}", cn=("A",)),
        own(f"ou=people,{BASE}", ou=("people",)),
    ]
    present = [
        own(f"ou=old,{BASE}", ou=("old",)),
        own(f"uid=x,ou=old,{BASE}", cn=("X",)),
    ]
    result = plan(wanted, present, BASE)
    assert [entry.dn for entry in result.adds] == [f"ou=people,{BASE}", f"uid=a,ou=people,{BASE}"]
    assert result.deletes == [f"uid=x,ou=old,{BASE}", f"ou=old,{BASE}"]
    assert result.summary() == "2 added, 0 changed, 2 removed, 0 unchanged"


def test_plan_replaces_only_the_changed_attributes_and_removes_extra_ones() -> None:
    dn = f"uid=a,ou=people,{BASE}"
    wanted = [own(dn, cn=("A",), mail=("a@x", "b@x"), telephoneNumber=("+491",))]
    # the server writes names as its schema does, and may return values in another order
    present = [
        Entry(
            dn.upper().replace("OU=KJCDIR", "ou=kjcdir"),
            {
                "CN": ("A",),
                "mail": ("b@x", "a@x"),
                "telephonenumber": ("+492",),
                "mobile": ("+493",),
                "description": (MARKER,),
            },
        )
    ]
    result = plan(wanted, present, BASE)
    assert result.adds == [] and result.deletes == []
    assert result.modifies == [Modify(dn, {"telephoneNumber": ("+491",)}, ("mobile",))]
    assert result.unchanged == 0


def test_plan_of_equal_entries_is_empty() -> None:
    entries = [own(f"ou=people,{BASE}", ou=("people",))]
    result = plan(entries, entries, BASE)
    assert result.size == 0 and result.unchanged == 1
    assert ldif.changes(result) == ""


def test_plan_refuses_foreign_entries_naming_the_first() -> None:
    present = [own(f"ou=people,{BASE}"), Entry(f"cn=z,{BASE}", {"cn": ("z",)}), Entry("cn=y", {})]
    with pytest.raises(KjcdirError, match=r"holds 2 entries that kjcdir did not write \(cn=z,"):
        plan([], present, BASE)


def test_dn_key_ignores_case_and_spaces_between_rdns() -> None:
    assert dn_key("UID=a, ou=People ,DC=x") == dn_key("uid=a,ou=people,dc=x")
    assert dn_key("ou=a\\,b,dc=x") != dn_key("ou=a,ou=b,dc=x")


def test_change_records_say_add_modify_and_delete() -> None:
    dn = f"uid=a,ou=people,{BASE}"
    result = plan(
        [own(dn, cn=("Ä",)), own(f"uid=n,ou=people,{BASE}", cn=("N",))],
        [own(dn, cn=("A",), mobile=("1",)), own(f"uid=gone,ou=people,{BASE}")],
        BASE,
    )
    text = ldif.changes(result)
    assert text.startswith("version: 1\n\n")
    records = text.split("\n\n")[1:]
    assert records[0].startswith(f"dn: uid=n,ou=people,{BASE}\nchangetype: add\n")
    assert records[1] == (
        f"dn: {dn}\nchangetype: modify\nreplace: cn\ncn:: w4Q=\n-\ndelete: mobile\n-"
    )
    assert records[2] == f"dn: uid=gone,ou=people,{BASE}\nchangetype: delete\n"


def test_a_long_dn_is_folded_in_change_records_too() -> None:
    long_base = "ou=" + "x" * 90 + ",dc=example,dc=org"
    entry = own(f"ou=people,{long_base}", ou=("people",))
    text = ldif.changes(plan([entry], [], long_base))
    assert unfolded(text)[2:4] == [f"dn: ou=people,{long_base}", "changetype: add"]


# --- CLI options -------------------------------------------------------------------------


def test_export_ldif_needs_a_base(cli: Cli) -> None:
    result = cli("export", "--all", "--format", "ldif")
    assert result.exit_code == 2
    assert "--base" in result.stderr and result.stdout == ""


def test_base_belongs_to_ldif(cli: Cli) -> None:
    result = cli("export", "--all", "--format", "csv", "--base", BASE)
    assert result.exit_code == 2 and "--format ldif" in result.stderr


def test_export_ldif_refuses_a_base_that_is_no_dn(cli: Cli) -> None:
    result = cli("export", "--all", "--format", "ldif", "--base", "example.org")
    assert result.exit_code == 2 and "is not a DN" in result.stderr


def test_ldif_ending_chooses_the_format(cli: Cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "office.ldif"
    result = cli("export", "wissmeier", "-o", str(target), "--base", BASE)
    assert result.exit_code == 0, result.stderr
    text = target.read_text(encoding="ascii")
    assert text.startswith("version: 1\n\ndn: ou=people,")
    assert f"dn: uid=rena-wissmeier,ou=people,{BASE}" in text
    assert "dn: uid=hstt,ou=organizations," in text  # her body, with its address
    assert re.search(r"^telephoneNumber: \+49611170225$", text, re.MULTILINE)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--url", "http://x", "--base", BASE, "--bind-dn", "cn=a"], "not an LDAP address"),
        (["--url", "ldap://h:99999", "--base", BASE, "--bind-dn", "cn=a"], "no valid port"),
        (["--url", "ldap://h", "--base", "nodn", "--bind-dn", "cn=a"], "is not a DN"),
        (["--url", "ldap://h", "--base", BASE, "--bind-dn", " "], "--bind-dn needs a DN"),
    ],
)
def test_sync_options_are_checked_before_a_password_is_read(
    cli: Cli, options: list[str], message: str
) -> None:
    result = cli("ldap", "sync", *options)  # no password anywhere: not even asked for
    assert result.exit_code == 2
    assert message in result.stderr


def test_sync_needs_its_options(cli: Cli) -> None:
    result = cli("ldap", "sync", "--url", "ldap://h")
    assert result.exit_code == 2 and "--base" in result.stderr


# --- mail is IA5String: ASCII only --------------------------------------------------------


def test_mail_domains_with_umlauts_are_written_in_their_idna_form() -> None:
    from kjcdir.ldap.entries import ldap_mail

    assert ldap_mail(["info@müller-amt.de", "a@b.de"]) == ("info@xn--mller-amt-q9a.de", "a@b.de")


def test_a_mailbox_name_with_umlauts_is_left_out_and_named() -> None:
    from kjcdir.ldap.entries import ldap_mail, mail_note

    assert ldap_mail(["jörg@amt.de"]) == ()
    people = [Person(f"p{n}", None, "X", emails=(f"jörg{n}@amt.de",)) for n in range(7)]
    note = mail_note(people)
    assert note is not None
    assert "ASCII" in note and "jörg0@amt.de" in note and "and 2 more" in note
    assert mail_note([Person("a", None, "A", emails=("a@b.de",))]) is None
