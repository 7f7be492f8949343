"""LDIF export and `kjcdir ldap sync` against a real OpenLDAP server (tests/ldap_server.py).

kjcdir runs as an installed process, as an office's administrator runs it; OpenLDAP's own
ldapsearch, ldapadd and ldapmodify read and write the server independently of ldap3.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

import ldap_server
from conftest import BUNDLED_PEOPLE, free_port, run_process
from ldap_server import ADMIN, BASE, PASSWORD, READER, SUFFIX, WRITER, Slapd

pytestmark = pytest.mark.usefixtures("module_cache")

RENA = f"uid=rena-wissmeier,ou=people,{BASE}"
# The bundled organisations with contact data of their own (an entry each).
BUNDLED_ORGS_WITH_CONTACTS = 4


@pytest.fixture
def slapd(tmp_path: Path) -> Iterator[Slapd]:
    yield from ldap_server.start(tmp_path / "slapd")


def sync(
    server: Slapd | str,
    *extra: str,
    bind_dn: str = ADMIN,
    base: str = BASE,
    password: str = PASSWORD,
    data: Path | None = None,
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    """The installed `kjcdir ldap sync` against the server (or the URL given), with the
    password in KJCDIR_LDAP_PASSWORD."""
    url = server if isinstance(server, str) else server.url
    globals_ = ["--no-bundled", "--data", str(data)] if data is not None else []
    return run_process(
        *globals_, "ldap", "sync", "--url", url, "--base", base, "--bind-dn", bind_dn, *extra,
        env={"KJCDIR_LDAP_PASSWORD": password}, timeout=timeout,
    )  # fmt: skip


def people_file(folder: Path, people: dict[str, str]) -> Path:
    """A directory file: one office, and people by id with one phone number each."""
    data = {
        "organizations": [
            {
                "id": "amt",
                "name": "Kommunales Jobcenter Großstadt",
                "phones": ["+49 611 1706-0"],
                "address": {"street": "Hauptstraße 1", "postal_code": "65189", "city": "Wiesbaden"},
            }
        ],
        "people": [
            {
                "id": person_id,
                "given_name": "Jörg",
                "family_name": person_id.title(),
                "affiliations": [{"org": "amt", "role": "Leitung"}],
                "phones": [phone],
            }
            for person_id, phone in people.items()
        ],
    }
    path = folder / "people.yaml"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


# --- the LDIF export, loaded by ldapadd ------------------------------------------------


def test_ldif_export_loads_with_ldapadd_and_reads_back_attribute_by_attribute(
    slapd: Slapd,
) -> None:
    exported = run_process("export", "--all", "--format", "ldif", "--base", BASE)
    assert exported.returncode == 0, exported.stderr
    slapd.add(exported.stdout)

    found = slapd.search()
    people = {dn for dn, a in found.items() if "inetOrgPerson" in a["objectClass"]}
    assert people == {f"uid={p},ou=people,{BASE}" for p in BUNDLED_PEOPLE}
    rena = found[RENA]
    assert rena["cn"] == ["Rena Wißmeier"]
    assert rena["sn"] == ["Wißmeier"]
    assert rena["givenName"] == ["Rena"]
    assert rena["displayName"] == ["Rena Wißmeier"]
    assert rena["mail"] == ["wissmeier@hess-staedtetag.de"]
    assert rena["telephoneNumber"] == ["+49611170225"]
    assert rena["o"] == ["Hessischer Städtetag"]
    assert rena["ou"] == ["Regiestelle SGB II"]
    assert rena["street"] == ["Frankfurter Straße 2"]
    assert rena["postalCode"] == ["65189"]
    assert rena["l"] == ["Wiesbaden"]
    assert rena["labeledURI"] == ["https://www.hess-staedtetag.de"]
    assert rena["title"], "her role is her title"

    hstt = found[f"uid=hstt,ou=organizations,{BASE}"]
    assert hstt["o"] == ["Hessischer Städtetag", "HStT"]
    assert "organization" in hstt["objectClass"]
    assert hstt["street"] == ["Frankfurter Straße 2"]


def test_ldif_export_of_one_org_holds_its_people_and_their_bodies(slapd: Slapd) -> None:
    exported = run_process("export", "--org", "HStT", "--format", "ldif", "--base", BASE)
    assert exported.returncode == 0, exported.stderr
    slapd.add(exported.stdout)
    found = slapd.search("(objectClass=inetOrgPerson)", "cn")
    assert RENA in found
    assert f"uid=felix-wuerfel,ou=people,{BASE}" not in found  # HLT's
    assert f"uid=hstt,ou=organizations,{BASE}" in slapd.search("(objectClass=organization)")


def test_ldif_written_to_a_file(slapd: Slapd, tmp_path: Path) -> None:
    target = tmp_path / "office.ldif"
    done = run_process("export", "--all", "-o", str(target), "--base", BASE)
    assert done.returncode == 0, done.stderr
    assert "wrote" in done.stderr
    slapd.add(target.read_text(encoding="ascii"))  # base64 keeps the file ASCII
    assert RENA in slapd.search()


# --- sync --------------------------------------------------------------------------------


def test_first_sync_fills_the_base_and_a_second_sends_nothing(slapd: Slapd) -> None:
    first = sync(slapd)
    assert first.returncode == 0, first.stderr
    total = len(BUNDLED_PEOPLE) + BUNDLED_ORGS_WITH_CONTACTS + 2  # + ou=people, ou=organizations
    assert f"{total} added, 0 changed, 0 removed, 0 unchanged" in first.stderr
    assert first.stdout == ""
    assert len(slapd.search()) == total + 1  # and the base itself

    before = slapd.context_csn()
    again = sync(slapd)
    assert again.returncode == 0, again.stderr
    assert f"0 added, 0 changed, 0 removed, {total} unchanged" in again.stderr
    assert slapd.context_csn() == before, "a sync without a change of the data wrote something"


def test_sync_reads_a_ldif_loaded_base_as_its_own(slapd: Slapd) -> None:
    slapd.add(run_process("export", "--all", "-f", "ldif", "--base", BASE).stdout)
    before = slapd.context_csn()
    done = sync(slapd)
    assert done.returncode == 0, done.stderr
    assert " 0 added, 0 changed, 0 removed" in " " + done.stderr.split("kjcdir: ")[-1]
    assert slapd.context_csn() == before


def test_one_changed_phone_number_is_one_modify_of_that_attribute(
    slapd: Slapd, tmp_path: Path
) -> None:
    data = people_file(tmp_path, {"mueller": "+49 611 1706-11", "schulz": "+49 611 1706-12"})
    assert sync(slapd, data=data).returncode == 0
    csns = slapd.entry_csns()
    people_file(tmp_path, {"mueller": "+49 611 1706-99", "schulz": "+49 611 1706-12"})

    planned = sync(slapd, "--dry-run", data=data)
    assert planned.returncode == 0, planned.stderr
    mueller = f"uid=mueller,ou=people,{BASE}"
    assert planned.stdout == (
        f"version: 1\n\ndn: {mueller}\nchangetype: modify\n"
        "replace: telephoneNumber\ntelephoneNumber: +49611170699\n-\n"
    )
    assert slapd.entry_csns() == csns, "--dry-run changed the server"

    done = sync(slapd, data=data)
    assert "0 added, 1 changed, 0 removed, 4 unchanged" in done.stderr
    after = slapd.entry_csns()
    assert [dn for dn in after if after[dn] != csns[dn]] == [mueller]
    assert slapd.search("(uid=mueller)", "telephoneNumber")[mueller] == {
        "telephoneNumber": ["+49611170699"]
    }


def test_a_removed_person_is_one_delete(slapd: Slapd, tmp_path: Path) -> None:
    data = people_file(tmp_path, {"mueller": "+49 611 1706-11", "schulz": "+49 611 1706-12"})
    assert sync(slapd, data=data).returncode == 0
    people_file(tmp_path, {"schulz": "+49 611 1706-12"})
    csns = slapd.entry_csns()
    planned = sync(slapd, "--dry-run", data=data)
    assert planned.stdout == f"version: 1\n\ndn: uid=mueller,ou=people,{BASE}\nchangetype: delete\n"
    done = sync(slapd, data=data)
    assert "0 added, 0 changed, 1 removed, 4 unchanged" in done.stderr
    after = slapd.entry_csns()
    assert set(csns) - set(after) == {f"uid=mueller,ou=people,{BASE}"}
    assert all(after[dn] == csns[dn] for dn in after)


def test_dry_run_ldif_applied_by_ldapmodify_gives_what_sync_gives(
    slapd: Slapd, tmp_path: Path
) -> None:
    planned = sync(slapd, "--dry-run")
    assert planned.returncode == 0, planned.stderr
    assert "dry run, nothing sent: " in planned.stderr
    assert len(slapd.search()) == 1, "--dry-run wrote to the server"
    slapd.modify(planned.stdout)
    again = sync(slapd)
    assert " 0 added, 0 changed, 0 removed" in " " + again.stderr.split("kjcdir: ")[-1]


def test_sync_json_summary(slapd: Slapd) -> None:
    done = sync(slapd, "--json")
    assert done.returncode == 0, done.stderr
    counts = json.loads(done.stdout)
    assert counts == {
        "added": len(BUNDLED_PEOPLE) + BUNDLED_ORGS_WITH_CONTACTS + 2,
        "changed": 0,
        "removed": 0,
        "unchanged": 0,
        "dry_run": False,
    }
    assert done.stderr == ""


def test_a_hand_edit_of_a_synced_entry_is_undone(slapd: Slapd) -> None:
    assert sync(slapd).returncode == 0
    slapd.modify(
        f"dn: {RENA}\nchangetype: modify\nreplace: telephoneNumber\n"
        "telephoneNumber: +4969000000\n-\nadd: mobile\nmobile: +49170000000\n-\n"
    )
    planned = sync(slapd, "--dry-run")
    assert "replace: telephoneNumber\ntelephoneNumber: +49611170225\n-\n" in planned.stdout
    assert "delete: mobile\n-\n" in planned.stdout
    assert sync(slapd).returncode == 0
    assert slapd.search("(uid=rena-wissmeier)")[RENA].get("mobile") is None


def test_paged_read_beyond_the_servers_size_limit(tmp_path: Path) -> None:
    """A plain search of this server stops at 20 entries (for all but its rootdn); the
    sync, bound as another DN, reads all 63 entries page by page."""
    people = {f"person-{n:03d}": f"+49 611 1706-{n:03d}" for n in range(60)}
    data = people_file(tmp_path, people)
    for server in ldap_server.start(tmp_path / "slapd", size_limit=20):
        assert sync(server, data=data, bind_dn=WRITER).returncode == 0
        plain = subprocess.run(
            [server.tools["ldapsearch"], "-x", "-H", server.url, "-D", WRITER, "-w", PASSWORD,
             "-b", BASE, "(objectClass=*)", "1.1"],
            capture_output=True, text=True,
        )  # fmt: skip
        assert plain.returncode == 4, "the server's size limit did not apply"  # sizeLimitExceeded
        again = sync(server, data=data, bind_dn=WRITER)
        assert again.returncode == 0, again.stderr
        assert "0 added, 0 changed, 0 removed, 63 unchanged" in again.stderr


def test_mail_that_ldap_cannot_hold_is_named_and_the_rest_synced(
    slapd: Slapd, tmp_path: Path
) -> None:
    data = people_file(tmp_path, {"mueller": "+49 611 1706-11"})
    content = json.loads(data.read_text(encoding="utf-8"))
    content["people"][0]["emails"] = ["jörg@amt.de", "info@müller-amt.de"]
    data.write_text(json.dumps(content), encoding="utf-8")
    done = sync(slapd, data=data)
    assert done.returncode == 0, done.stderr
    assert "left out: jörg@amt.de." in done.stderr
    found = slapd.search("(uid=mueller)", "mail")
    assert found == {f"uid=mueller,ou=people,{BASE}": {"mail": ["info@xn--mller-amt-q9a.de"]}}
    exported = run_process("--no-bundled", "--data", str(data), "export", "--all",
                           "-f", "ldif", "--base", BASE)  # fmt: skip
    assert exported.returncode == 0 and "left out: jörg@amt.de." in exported.stderr


# --- never touching what is not its own ---------------------------------------------------


def test_a_foreign_entry_under_the_base_is_refused_and_untouched(slapd: Slapd) -> None:
    assert sync(slapd).returncode == 0
    foreign = f"cn=Hausmeister,ou=people,{BASE}"
    slapd.add(f"dn: {foreign}\nobjectClass: person\ncn: Hausmeister\nsn: Meier\n")
    before = slapd.context_csn()
    refused = sync(slapd)
    assert refused.returncode == 2
    assert refused.stderr.count("\n") == 1
    assert "did not write" in refused.stderr and foreign in refused.stderr
    assert slapd.context_csn() == before
    assert foreign in slapd.search()


def test_a_base_holding_other_entries_is_refused(slapd: Slapd) -> None:
    refused = sync(slapd, base=SUFFIX)
    assert refused.returncode == 2
    assert f"{SUFFIX} holds" in refused.stderr and "did not write" in refused.stderr
    assert len(slapd.search()) == 1


def test_an_edited_marker_makes_the_entry_foreign(slapd: Slapd) -> None:
    assert sync(slapd).returncode == 0
    slapd.modify(f"dn: {RENA}\nchangetype: modify\nreplace: description\ndescription: mine\n-\n")
    refused = sync(slapd)
    assert refused.returncode == 2 and RENA in refused.stderr


def test_a_base_that_does_not_exist_is_refused(slapd: Slapd) -> None:
    refused = sync(slapd, base=f"ou=fehlt,{SUFFIX}")
    assert refused.returncode == 2
    assert "does not exist" in refused.stderr
    assert refused.stderr.count("\n") == 1


# --- passwords and errors -----------------------------------------------------------------


def one_sentence(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result
    assert result.stdout == ""
    assert result.stderr.startswith("kjcdir: ") and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert PASSWORD not in result.stderr
    return result.stderr


def test_the_password_comes_from_a_file(slapd: Slapd, tmp_path: Path) -> None:
    secret = tmp_path / "password"
    secret.write_text(PASSWORD + "\n", encoding="utf-8")  # as `echo … > file` writes it
    env = {k: v for k, v in os.environ.items() if k != "KJCDIR_LDAP_PASSWORD"}
    done = subprocess.run(
        [*sync_command(slapd), "--password-file", str(secret)],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert PASSWORD not in done.stdout + done.stderr


def sync_command(server: Slapd) -> list[str]:
    from conftest import kjcdir_executable

    return [kjcdir_executable(), "ldap", "sync", "--url", server.url, "--base", BASE,
            "--bind-dn", ADMIN]  # fmt: skip


def test_no_password_anywhere_is_one_sentence(slapd: Slapd) -> None:
    env = {k: v for k, v in os.environ.items() if k != "KJCDIR_LDAP_PASSWORD"}
    done = subprocess.run(
        sync_command(slapd), capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL
    )
    assert "--password-file" in one_sentence(done)


def test_there_is_no_password_option(slapd: Slapd) -> None:
    refused = run_process(*sync_command(slapd)[1:], "--password", PASSWORD)
    assert refused.returncode == 2 and "--password" in refused.stderr


def test_a_refused_bind_is_one_sentence(slapd: Slapd) -> None:
    message = one_sentence(sync(slapd, password="wrong"))
    assert "refused the bind" in message and "wrong DN or password" in message


def test_an_empty_password_is_refused_before_binding(slapd: Slapd) -> None:
    assert "empty" in one_sentence(sync(slapd, password=""))


def test_an_unreachable_server_is_one_sentence(slapd: Slapd) -> None:
    closed = free_port()
    assert "cannot reach" in one_sentence(sync(f"ldap://127.0.0.1:{closed}"))


def test_starttls_on_a_server_without_tls_is_one_sentence(slapd: Slapd) -> None:
    assert "StartTLS" in one_sentence(sync(slapd, "--starttls"))
    assert len(slapd.search()) == 1


def test_missing_rights_stop_with_what_was_done_and_a_rerun_completes(slapd: Slapd) -> None:
    message = one_sentence(sync(slapd, bind_dn=READER))
    assert "lacks the rights" in message and "0 of" in message
    assert len(slapd.search()) == 1
    done = sync(slapd, bind_dn=WRITER)
    assert done.returncode == 0, done.stderr
    assert len(slapd.search()) == len(BUNDLED_PEOPLE) + BUNDLED_ORGS_WITH_CONTACTS + 3


@pytest.mark.parametrize("base", ["ou=kjcdir,dc", "ou=kjcdir,,dc=example", "kjcdir", " "])
def test_a_base_dn_with_a_syntax_error_is_one_sentence(slapd: Slapd, base: str) -> None:
    message = one_sentence(sync(slapd, base=base))
    assert "is not a DN" in message or "needs a DN" in message


def test_a_base_dn_the_server_cannot_parse_is_one_sentence(slapd: Slapd) -> None:
    message = one_sentence(sync(slapd, base=f"nosuchtype=x,{SUFFIX}"))
    assert "is not a DN this server accepts" in message


@pytest.mark.parametrize("url", ["http://127.0.0.1", "ldap://", "127.0.0.1:389"])
def test_a_bad_url_is_one_sentence(url: str) -> None:
    assert "not an LDAP address" in one_sentence(sync(url))


def test_tls_with_an_untrusted_certificate_and_with_its_ca(tmp_path: Path) -> None:
    for server in ldap_server.start(tmp_path / "slapd", tls=True):
        refused = sync(server, "--starttls")
        assert "not trusted" in one_sentence(refused)
        assert len(server.search()) == 1
        done = sync(server, "--starttls", "--ca-file", str(server.home / "ca.pem"))
        assert done.returncode == 0, done.stderr
        assert RENA in server.search()


# --- the clients of the office's address book (README, "For the whole office") -------------

README = Path(__file__).resolve().parents[1] / "README.md"

# Each client's filter as the client is configured (or ships), with its placeholder; what
# a user types; whom it must find. Sources are in the README's table.
CLIENTS = [
    # Thunderbird's compose autocomplete (AbLDAPAutoCompleteSearch.sys.mjs default)
    ("thunderbird", "(|(cn=*%v1*%v2-*)(mail=*%v*)(givenName=*%v1*)(sn=*%v*))", "wiss", RENA),
    ("thunderbird", "(|(cn=*%v1*%v2-*)(mail=*%v*)(givenName=*%v1*)(sn=*%v*))", "Wißm", RENA),
    # Outlook's Internet Directory Service default (profile property 0x6604)
    (
        "outlook",
        "(&(mail=*)(|(mail=%s*)(|(cn=%s*)(|(sn=%s*)(givenName=%s*)))))",
        "Wißmeier",
        RENA,
    ),
    ("outlook", "(&(mail=*)(|(mail=%s*)(|(cn=%s*)(|(sn=%s*)(givenName=%s*)))))", "rena", RENA),
    # desk phones: name lookup (Snom's recommended filter; Yealink's documented example)
    ("phone", "(|(sn=%*)(cn=%*))", "Wiß", RENA),
    ("phone", "(|(cn=%)(sn=%))", "Wißmeier", RENA),
    # desk phones: the caller's name for an incoming number (Yealink's number filter)
    ("phone", "(|(telephoneNumber=%)(mobile=%)(ipPhone=%))", "+49611170225", RENA),
    # Gigaset (N510, N720): the documented examples
    ("phone", "(|(telephoneNumber=%)(mobile=%)(homePhone=%))", "+49611170225", RENA),
]

# Thunderbird's address-book search box, as boolExpressionToFilter makes it for "wiss".
THUNDERBIRD_BOOK_SEARCH = (
    "(&(|(cn=*wiss*)(givenName=*wiss*)(sn=*wiss*)(mozillaNickname=*wiss*)(mail=*wiss*)"
    "(mozillaSecondEmail=*wiss*)(&(description=*wiss*))(o=*wiss*)(ou=*wiss*)(title=*wiss*)"
    "(mozillaWorkUrl=*wiss*)(mozillaHomeUrl=*wiss*)))"
)


def expand(template: str, typed: str) -> str:
    """The filter a client sends for one typed word. Thunderbird: %v1 the first word, %v2-
    the rest (none here), %v all; its encoder drops the empty piece that `**` leaves.
    Outlook: %s. Phones: %."""
    for placeholder, value in (("%v2-", ""), ("%v1", typed), ("%v", typed), ("%s", typed)):
        template = template.replace(placeholder, value)
    return template.replace("%", typed).replace("**", "*")


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Slapd]:
    """One server filled by a sync of the bundled directory, for the read-only client tests."""
    for server in ldap_server.start(tmp_path_factory.mktemp("office") / "slapd"):
        done = sync(server, bind_dn=WRITER)
        assert done.returncode == 0, done.stderr
        yield server


@pytest.mark.parametrize(("client", "template", "typed", "expected"), CLIENTS)
def test_each_clients_filter_finds_the_person(
    office: Slapd, client: str, template: str, typed: str, expected: str
) -> None:
    documented = README.read_text(encoding="utf-8").replace("\\|", "|")  # table cells escape |
    assert template in documented, f"{client}'s filter is not in the README"
    found = office.search(expand(template, typed), "cn")
    assert list(found) == [expected]


def test_thunderbirds_address_book_search_finds_her(office: Slapd) -> None:
    found = office.search(THUNDERBIRD_BOOK_SEARCH, "cn")
    assert list(found) == [RENA]


def test_the_reverse_lookup_shows_the_callers_name(office: Slapd) -> None:
    found = office.search("(telephoneNumber=+49611170225)", "cn", "displayName")
    assert found == {RENA: {"cn": ["Rena Wißmeier"], "displayName": ["Rena Wißmeier"]}}


def test_an_organisation_is_found_by_its_name_in_an_address_book(office: Slapd) -> None:
    found = office.search(expand(CLIENTS[0][1], "Städtetag"), "o")
    assert f"uid=hstt,ou=organizations,{BASE}" in found


# --- what the review of the first version found --------------------------------------------


def test_values_the_server_takes_as_equal_are_sent_once(slapd: Slapd, tmp_path: Path) -> None:
    """NFC and NFD spellings, case and invisible characters: LDAP compares them as one
    value and would refuse the entry if it were sent twice."""
    data = people_file(tmp_path, {"mueller": "+49 611 1706-11"})
    content = json.loads(data.read_text(encoding="utf-8"))
    content["organizations"].append({"id": "zwei", "name": "Zweites Amt"})
    content["people"][0]["affiliations"] = [
        {"org": "amt", "role": "Geschäftsführung"},
        {"org": "zwei", "role": "Gescha\u0308ftsfu\u0308hrung"},  # NFD
        {"org": "zwei", "role": "GESCHÄFTS\u200bFÜHRUNG"},  # zero-width space
    ]
    data.write_text(json.dumps(content), encoding="utf-8")
    exported = run_process("--no-bundled", "--data", str(data), "export", "--all",
                           "-f", "ldif", "--base", BASE)  # fmt: skip
    slapd.add(exported.stdout)  # ldapadd refuses a value twice
    found = slapd.search("(uid=mueller)", "title")[f"uid=mueller,ou=people,{BASE}"]
    assert found == {"title": ["Geschäftsführung"]}
    assert sync(slapd, data=data).returncode == 0


def test_an_entry_the_server_refuses_is_named_and_the_others_are_sent(tmp_path: Path) -> None:
    data = people_file(tmp_path, {"kurz": "+49 611 1706-11", "lang": "+49 611 1706-12"})
    content = json.loads(data.read_text(encoding="utf-8"))
    content["people"][1]["affiliations"][0]["role"] = "Leitung " * 10  # 80 bytes
    data.write_text(json.dumps(content), encoding="utf-8")
    for server in ldap_server.start(tmp_path / "slapd", title_bytes=40):
        refused = sync(server, data=data)
        message = one_sentence(refused)
        assert f"refused to add uid=lang,ou=people,{BASE}" in message
        assert "the other 4 changes were made" in message
        assert f"uid=kurz,ou=people,{BASE}" in server.search()
        assert f"uid=lang,ou=people,{BASE}" not in server.search()
        # the data fixed, the next sync completes the work
        content["people"][1]["affiliations"][0]["role"] = "Leitung"
        data.write_text(json.dumps(content), encoding="utf-8")
        done = sync(server, data=data)
        assert "1 added, 0 changed, 0 removed, 4 unchanged" in done.stderr


def test_a_peer_that_does_not_speak_ldap_is_one_sentence(tmp_path: Path) -> None:
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]

    def answer_like_http() -> None:
        with listener:
            for _ in range(2):
                peer, _ = listener.accept()
                with peer:
                    peer.recv(1024)
                    peer.sendall(b"HTTP/1.1 400 Bad Request\r\ndate: today\r\n\r\n")

    threading.Thread(target=answer_like_http, daemon=True).start()
    assert "LDAP" in one_sentence(sync(f"ldap://127.0.0.1:{port}", timeout=90))


def test_a_referral_under_the_base_is_foreign(slapd: Slapd) -> None:
    assert sync(slapd).returncode == 0
    referral = f"cn=anderswo,{BASE}"
    slapd.add(
        f"dn: {referral}\nobjectClass: referral\nobjectClass: extensibleObject\n"
        "cn: anderswo\nref: ldap://ldap.example.net/ou=x,dc=example,dc=net\n",
        manage=True,
    )
    before = slapd.context_csn()
    message = one_sentence(sync(slapd))
    assert "did not write" in message and "anderswo" in message
    assert slapd.context_csn() == before


def test_an_alias_under_the_base_is_foreign_and_not_followed(slapd: Slapd) -> None:
    assert sync(slapd).returncode == 0
    alias = f"cn=verweis,ou=people,{BASE}"
    slapd.add(
        f"dn: {alias}\nobjectClass: alias\nobjectClass: extensibleObject\ncn: verweis\n"
        f"aliasedObjectName: {WRITER}\n"
    )
    message = one_sentence(sync(slapd))
    assert alias in message and WRITER not in message.replace(alias, "")


def test_a_base_that_is_one_of_kjcdirs_entries_is_refused(slapd: Slapd) -> None:
    assert sync(slapd).returncode == 0
    before = slapd.context_csn()
    message = one_sentence(sync(slapd, base=f"ou=people,{BASE}"))
    assert "is an entry kjcdir wrote" in message
    assert slapd.context_csn() == before


def test_a_base_written_with_spaces_after_its_commas(slapd: Slapd) -> None:
    done = sync(slapd, base="ou=kjcdir, dc=example, dc=org")
    assert done.returncode == 0, done.stderr
    again = sync(slapd)
    assert " 0 added, 0 changed, 0 removed" in " " + again.stderr.split("kjcdir: ")[-1]


def test_a_server_that_limits_paged_reads_says_how_to_allow_them(tmp_path: Path) -> None:
    data = people_file(tmp_path, {f"p{n:02d}": f"+49 611 1706-{n:02d}" for n in range(30)})
    for server in ldap_server.start(tmp_path / "slapd", size_limit=20, paged_unlimited=False):
        assert sync(server, data=data, bind_dn=WRITER).returncode == 0  # reads an empty base
        message = one_sentence(sync(server, data=data, bind_dn=WRITER))
        assert "size limit" in message and "size.prtotal=unlimited" in message


def test_a_password_file_of_two_lines_is_refused(slapd: Slapd, tmp_path: Path) -> None:
    secret = tmp_path / "password"
    secret.write_text(PASSWORD + "\nsecond line\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "KJCDIR_LDAP_PASSWORD"}
    done = subprocess.run(
        [*sync_command(slapd), "--password-file", str(secret)],
        capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, timeout=60,
    )  # fmt: skip
    assert "more than one line" in one_sentence(done)
    assert "second line" not in done.stderr


def test_ldaps_with_its_ca_and_the_tls_option_checks(tmp_path: Path) -> None:
    for server in ldap_server.start(tmp_path / "slapd", tls=True):
        ca = str(server.home / "ca.pem")
        done = sync(server.ldaps_url, "--ca-file", ca)
        assert done.returncode == 0, done.stderr
        assert "not trusted" in one_sentence(sync(server.ldaps_url))
        other_name = server.ldaps_url.replace("127.0.0.1", "localhost")
        assert "another host name" in one_sentence(sync(other_name, "--ca-file", ca))
        both = sync(server, "--starttls", "--ca-file", ca)
        assert both.returncode == 0, both.stderr
        assert "leave out --starttls" in one_sentence(sync(server.ldaps_url, "--starttls"))
        plain = sync(server, "--ca-file", ca)
        assert "--ca-file is for TLS" in one_sentence(plain)


def test_a_sync_on_a_terminal_shows_entries_sent(slapd: Slapd, tmp_path: Path) -> None:
    """Issue 14: a bar of the entries sent; with --json stderr stays quiet."""
    import sys

    from conftest import run_with_stderr_on_terminal

    data = tmp_path / "people.yaml"
    generate = Path(__file__).resolve().parents[1] / "benchmarks" / "generate.py"
    subprocess.run([sys.executable, str(generate), "1500", str(data)], check=True)
    env = {"KJCDIR_LDAP_PASSWORD": PASSWORD, "KJCDIR_PROGRESS_AFTER": "0"}
    args = ("--no-bundled", "--data", str(data), "ldap", "sync", "--url", slapd.url)
    args += ("--base", BASE, "--bind-dn", ADMIN)
    result = run_with_stderr_on_terminal(*args, env=env, timeout=120)
    assert result.returncode == 0, result.frames
    sending = [frame for frame in result.frames if frame.startswith("kjcdir: sending")]
    assert sending, result.frames
    total = int(sending[0].split()[2].replace(",", ""))  # "kjcdir: sending 1,562 changes"
    assert total > 1500
    assert any(f"of {total:,} entries" in frame for frame in sending), sending
    assert result.frames[-1] == f"kjcdir: {total} added, 0 changed, 0 removed, 0 unchanged."

    quiet = run_with_stderr_on_terminal(*args, "--json", env=env, timeout=120)
    assert quiet.returncode == 0
    assert quiet.terminal == ""
    assert json.loads(quiet.stdout)["unchanged"] == total
