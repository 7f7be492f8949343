"""vdirsyncer, run as a process, syncs the vdirs kjcdir writes with a real CardDAV server.

The server is Radicale, started per test on a free loopback port with its storage in the
test's folder. vdirsyncer gets the pair of the README (`collections = null`, "a wins");
what the server holds is read back over HTTP, never through vdirsyncer.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

import pytest
import vobject

from conftest import BUNDLED_PEOPLE, REPO, console_script, free_port, run_process, stop_process
from kjcdir.export import vcard
from test_khard import BUNDLED_NAMES

USER = "kjcdir"  # Radicale's `none` auth takes any password; owner_only gives /kjcdir/ to it
PASSWORD = "kjcdir"
PROXY_VARIABLES = {"http_proxy", "https_proxy", "all_proxy", "no_proxy"}

RADICALE_CONFIG = """\
[server]
hosts = 127.0.0.1:{port}

[auth]
type = none

[rights]
type = owner_only

[storage]
filesystem_folder = {storage}

[logging]
level = info
"""


def readme_config(status: Path, vdir: Path, url: str, read_only: bool) -> str:
    """The README's vdirsyncer configuration, as a user copies it, with this test's status
    folder, vdir, server and account (and without `read_only` where a test wants vdirsyncer
    to write into the vdir): the README cannot drift from what is tested."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```ini\n(.*?)```", text, re.DOTALL)
    config = next(block for block in blocks if "[pair kjcdir]" in block)
    substitutions = [
        (r'(?m)^status_path = ".*"$', f"status_path = {json.dumps(f'{status}/')}"),
        (r'(?m)^path = "~/\.contacts/kjcdir/"$', f"path = {json.dumps(f'{vdir}/')}"),
        (r'(?m)^url = ".*"$', f"url = {json.dumps(url)}"),
        (r'(?m)^username = ".*"$', f'username = "{USER}"'),
        (r"(?m)^password\.fetch = .*$", f'password = "{PASSWORD}"'),
        (r"(?m)^read_only = true\n", "read_only = true\n" if read_only else ""),
    ]
    for pattern, replacement in substitutions:
        config, count = re.subn(pattern, lambda _, text=replacement: text, config)
        assert count == 1, f"the README's vdirsyncer configuration has no line {pattern}"
    return config


# Extended MKCOL (RFC 5689): a collection that is a CardDAV address book.
MKCOL_ADDRESS_BOOK = b"""\
<?xml version="1.0" encoding="utf-8"?>
<mkcol xmlns="DAV:" xmlns:CR="urn:ietf:params:xml:ns:carddav">
  <set><prop>
    <resourcetype><collection/><CR:addressbook/></resourcetype>
    <displayname>kjcdir</displayname>
  </prop></set>
</mkcol>
"""

PROPFIND_ETAGS = b"""\
<?xml version="1.0" encoding="utf-8"?>
<propfind xmlns="DAV:"><prop><getetag/></prop></propfind>
"""

FOREIGN_CARD = (
    "BEGIN:VCARD\r\n"
    "VERSION:3.0\r\n"
    "PRODID:-//Another Program//EN\r\n"
    "UID:another-program-0001\r\n"
    "FN:Erika Mustermann\r\n"
    "N:Mustermann;Erika;;;\r\n"
    "TEL;TYPE=CELL:+49 170 0000000\r\n"
    "END:VCARD\r\n"
)

PHONE_PRODID = "-//Phone//Contacts 1.0//EN"
PHONE_NUMBER = "+49 170 1234567"


def uid_of(person_id: str) -> str:
    return vcard.uid(person_id)


def lines_of(text: str) -> list[str]:
    """A card's content lines, unfolded and sorted: equal for equal cards, whatever the
    line ends, folding or order a server or client gives them."""
    return sorted(line for line in re.sub(r"\r?\n[ \t]", "", text).splitlines() if line)


def phones(text: str) -> list[str]:
    return [tel.value for tel in vobject.readOne(text).contents.get("tel", [])]


@dataclass(frozen=True)
class ServerCard:
    href: str
    etag: str
    text: str

    @property
    def fn(self) -> str:
        return str(vobject.readOne(self.text).fn.value)


class Radicale:
    """A Radicale server of this test: HTTP with urllib, never through a proxy."""

    def __init__(self, url: str, log: Path) -> None:
        self.url = url
        self.log = log
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        credentials = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        self.authorization = f"Basic {credentials}"

    def request(
        self, method: str, path: str, body: bytes | None = None, **headers: str
    ) -> tuple[int, Message, bytes]:
        request = urllib.request.Request(
            self.url + path,
            data=body,
            method=method,
            headers={"Authorization": self.authorization, **headers},
        )
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            pytest.fail(f"{method} {path}: {error.code} {error.reason}; see {self.log}")

    def address_book(self, name: str) -> str:
        """A new, empty address book; its path (vdirsyncer's `collections = null` needs an
        existing collection at its URL)."""
        path = f"/{USER}/{name}/"
        status, _, _ = self.request(
            "MKCOL", path, MKCOL_ADDRESS_BOOK, **{"Content-Type": "application/xml"}
        )
        assert status == 201
        return path

    def cards(self, book: str) -> dict[str, ServerCard]:
        """Every card in the address book, by UID, read with PROPFIND and GET."""
        _, _, body = self.request(
            "PROPFIND", book, PROPFIND_ETAGS, Depth="1", **{"Content-Type": "application/xml"}
        )
        cards: dict[str, ServerCard] = {}
        for response in ET.fromstring(body).iter("{DAV:}response"):
            href = response.findtext("{DAV:}href") or ""
            etag = response.findtext(".//{DAV:}getetag")
            if href.rstrip("/") == book.rstrip("/") or etag is None:
                continue  # the collection itself
            _, _, data = self.request("GET", href)
            text = data.decode("utf-8")
            uid = str(vobject.readOne(text).uid.value)
            assert uid not in cards, f"two cards with UID {uid} on the server"
            cards[uid] = ServerCard(href, etag, text)
        return cards

    def put(self, card: ServerCard, text: str) -> None:
        """Change a card on the server, as a phone would: only if nobody changed it since."""
        status, _, _ = self.request(
            "PUT",
            card.href,
            text.encode("utf-8"),
            **{"If-Match": card.etag, "Content-Type": "text/vcard; charset=utf-8"},
        )
        assert status in (200, 201, 204)


def answers(url: str, process: subprocess.Popen[bytes], deadline: float) -> bool:
    """Whether the server answers HTTP before the deadline (any status will do); False if
    it ended first (its port was taken meanwhile, say)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with opener.open(url + "/", timeout=2):
                return True
        except urllib.error.HTTPError:
            return True
        except OSError:
            time.sleep(0.02)
    return False


@pytest.fixture
def radicale(tmp_path: Path) -> Iterator[Radicale]:
    """A Radicale server on 127.0.0.1, storage and log in tmp_path, no authentication."""
    if importlib.util.find_spec("radicale") is None:
        pytest.skip("Radicale is not installed: it is a test extra (pip install -e '.[test]')")
    if console_script("vdirsyncer") is None:
        pytest.skip("vdirsyncer is not installed: it is a test extra (pip install -e '.[test]')")
    home = tmp_path / "radicale"
    home.mkdir()
    config = home / "config"
    log = home / "radicale.log"
    for _ in range(3):  # another program may take the free port before Radicale binds it
        port = free_port()
        config.write_text(
            RADICALE_CONFIG.format(port=port, storage=home / "collections"), encoding="utf-8"
        )
        with log.open("ab") as log_file:
            process = subprocess.Popen(
                [sys.executable, "-m", "radicale", "--config", str(config)],
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                cwd=home,
            )
        url = f"http://127.0.0.1:{port}"
        if answers(url, process, time.monotonic() + 30):
            break
        stop_process(process)
    else:
        pytest.fail(f"Radicale did not start:\n{log.read_text(encoding='utf-8')[-3000:]}")
    try:
        yield Radicale(url, log)
    finally:
        stop_process(process)


class Vdirsyncer:
    """vdirsyncer with a configuration of its own: the README's pair, the vdir against an
    address book of the test's server."""

    def __init__(self, home: Path, vdir: Path, url: str, read_only: bool = False) -> None:
        self.config = home / "vdirsyncer.conf"
        self.status = home / "vdirsyncer-status"
        self.config.write_text(readme_config(self.status, vdir, url, read_only), encoding="utf-8")
        environment = {k: v for k, v in os.environ.items() if k.lower() not in PROXY_VARIABLES}
        self.env = {**environment, "HOME": str(home), "XDG_CONFIG_HOME": str(home / "config")}

    def __call__(self, *args: str) -> str:
        """Run it; its log (stderr), which names every upload, update and deletion."""
        executable = console_script("vdirsyncer")
        assert executable is not None
        done = subprocess.run(
            [executable, "-c", str(self.config), *args],
            capture_output=True,
            text=True,
            input="",  # a question would fail, not hang
            env=self.env,
            timeout=120,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stderr

    def discover(self) -> None:
        log = self("discover", "kjcdir")
        assert "Saved for kjcdir: collections = null" in log, log

    def sync(self) -> str:
        return self("sync", "kjcdir")


@dataclass
class Setup:
    radicale: Radicale
    book: str
    vdir: Path
    vdirsyncer: Vdirsyncer

    def server(self) -> dict[str, ServerCard]:
        return self.radicale.cards(self.book)

    def etags(self) -> dict[str, str]:
        return {uid: card.etag for uid, card in self.server().items()}


def setup(radicale: Radicale, tmp_path: Path, read_only: bool = False) -> Setup:
    book = radicale.address_book("kjcdir")
    vdir = tmp_path / "contacts" / "kjcdir"
    return Setup(radicale, book, vdir, Vdirsyncer(tmp_path, vdir, radicale.url + book, read_only))


def export(vdir: Path, *args: str, data: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`kjcdir [--no-bundled --data FILE] export --all --vdir DIR ...`, as users run it."""
    options = ("--no-bundled", "--data", str(data)) if data is not None else ()
    return run_process(*options, "export", "--all", "--vdir", str(vdir), *args)


def exported(vdir: Path, data: Path | None = None) -> str:
    done = export(vdir, data=data)
    assert done.returncode == 0, done.stderr
    return done.stderr


def vdir_cards(vdir: Path) -> dict[str, str]:
    """The cards vdirsyncer sees in the vdir (files and links to files ending in .vcf),
    by UID."""
    cards: dict[str, str] = {}
    for path in vdir.iterdir():
        if path.suffix == ".vcf" and path.is_file():
            text = path.read_text(encoding="utf-8")
            cards[str(vobject.readOne(text).uid.value)] = text
    return cards


def file_states(vdir: Path) -> dict[str, tuple[int, int, int, bytes]]:
    """What a write would change in the vdir's files: inode, mtime, mode, content."""
    states = {}
    for path in vdir.iterdir():
        entry = path.lstat()
        states[path.name] = (entry.st_ino, entry.st_mtime_ns, entry.st_mode, path.read_bytes())
    return states


def in_sync(situation: Setup) -> dict[str, ServerCard]:
    """The server's cards, after checking that they are the vdir's, card for card."""
    server = situation.server()
    local = vdir_cards(situation.vdir)
    assert set(server) == set(local)
    for uid, text in local.items():
        assert lines_of(server[uid].text) == lines_of(text), uid
    return server


def test_sync_puts_every_exported_card_on_the_server(radicale: Radicale, tmp_path: Path) -> None:
    situation = setup(radicale, tmp_path)
    assert f"{situation.vdir}: 9 written, 0 unchanged." in exported(situation.vdir)
    situation.vdirsyncer.discover()
    log = situation.vdirsyncer.sync()
    assert log.count("Copying (uploading) item") == 9, log
    server = in_sync(situation)
    assert set(server) == {uid_of(person) for person in BUNDLED_PEOPLE}
    assert {card.fn for card in server.values()} == BUNDLED_NAMES
    for person in BUNDLED_PEOPLE:
        text = (situation.vdir / f"{person}.vcf").read_text(encoding="utf-8")
        assert lines_of(server[uid_of(person)].text) == lines_of(text)
        assert vcard.PRODID in server[uid_of(person)].text


def test_unchanged_export_makes_a_sync_that_uploads_nothing(
    radicale: Radicale, tmp_path: Path
) -> None:
    situation = setup(radicale, tmp_path)
    exported(situation.vdir)
    situation.vdirsyncer.discover()
    situation.vdirsyncer.sync()
    before = situation.etags()
    files = file_states(situation.vdir)

    assert f"{situation.vdir}: 0 written, 9 unchanged." in exported(situation.vdir)
    assert file_states(situation.vdir) == files
    log = situation.vdirsyncer.sync()
    assert "Copying" not in log and "Deleting" not in log, log
    assert situation.etags() == before
    in_sync(situation)


def without_person(text: str, person_id: str) -> str:
    """The directory file's text without that person's block (`  - id: ...` and the
    deeper-indented lines under it)."""
    lines = text.splitlines(keepends=True)
    start = lines.index(f"  - id: {person_id}\n")
    end = start + 1
    while end < len(lines) and lines[end].startswith("    "):
        end += 1
    shortened = "".join(lines[:start] + lines[end:])
    assert person_id not in shortened
    return shortened


def test_prune_removes_a_departed_contact_from_the_server_and_nothing_else(
    radicale: Radicale, tmp_path: Path
) -> None:
    situation = setup(radicale, tmp_path)
    vdir = situation.vdir
    # Jürgen Stock is not in the users' directory; a link to kjcdir's card of him (from
    # the bundled directory) looks like a stale card of kjcdir's, but a link is never
    # kjcdir's to remove. vdirsyncer follows it and uploads the card.
    data = tmp_path / "directory.yaml"
    bundled = (REPO / "data" / "directory.yaml").read_text(encoding="utf-8")
    data.write_text(without_person(bundled, "juergen-stock"), encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    exported(elsewhere)
    vdir.mkdir(parents=True)
    (vdir / "juergen-stock.vcf").symlink_to(elsewhere / "juergen-stock.vcf")
    (vdir / "another-program.vcf").write_bytes(FOREIGN_CARD.encode())

    assert f"{vdir}: 8 written, 0 unchanged." in exported(vdir, data)
    situation.vdirsyncer.discover()
    situation.vdirsyncer.sync()
    before = in_sync(situation)
    people = [person for person in BUNDLED_PEOPLE if person != "juergen-stock"]
    assert set(before) == {uid_of(p) for p in people} | {uid_of("juergen-stock")} | {
        "another-program-0001"
    }
    peter = uid_of("peter-dubowy")

    data.write_text(
        without_person(data.read_text(encoding="utf-8"), "peter-dubowy"), encoding="utf-8"
    )
    done = export(vdir, data=data)
    assert done.returncode == 0, done.stderr
    assert "peter-dubowy" in done.stderr and "--prune" in done.stderr, done.stderr
    assert (vdir / "peter-dubowy.vcf").is_file()
    log = situation.vdirsyncer.sync()
    assert "Deleting" not in log and "Copying" not in log, log
    assert situation.etags() == etags_but(before)

    done = export(vdir, "--prune", data=data)
    assert done.returncode == 0, done.stderr
    assert not os.path.lexists(vdir / "peter-dubowy.vcf")
    assert (vdir / "another-program.vcf").read_bytes() == FOREIGN_CARD.encode()
    assert (vdir / "juergen-stock.vcf").is_symlink()
    assert (vdir / "juergen-stock.vcf").resolve() == (elsewhere / "juergen-stock.vcf").resolve()

    log = situation.vdirsyncer.sync()
    assert f"Deleting item {peter} from kjcdir_remote" in log, log
    assert "Copying" not in log, log
    after = in_sync(situation)
    assert peter not in after
    assert etags_but(after) == etags_but(before, peter)
    assert lines_of(after["another-program-0001"].text) == lines_of(FOREIGN_CARD)


def edited_on_the_phone(text: str, prodid: str) -> str:
    """The card as a phone writes it back: another number, and maybe its own PRODID."""
    text = re.sub(r"(?m)^TEL[;:][^\r\n]*", f"TEL;TYPE=CELL:{PHONE_NUMBER}", text)
    return text.replace(f"PRODID:{vcard.PRODID}", f"PRODID:{prodid}")


def phone_edit(situation: Setup, uid: str, prodid: str = PHONE_PRODID) -> None:
    """Change a card on the server as a phone would (always the same change)."""
    card = situation.server()[uid]
    situation.radicale.put(card, edited_on_the_phone(card.text, prodid))
    assert phones(situation.server()[uid].text) == [PHONE_NUMBER]


def reset_status(situation: Setup) -> None:
    """Forget what vdirsyncer knows of the pair's cards (not its collections): its next
    sync compares every card by content, and "a wins" decides each that differs."""
    (situation.vdirsyncer.status / "kjcdir.items").unlink(missing_ok=True)


def etags_but(cards: dict[str, ServerCard], *left_out: str) -> dict[str, str]:
    return {uid: card.etag for uid, card in cards.items() if uid not in left_out}


STUCK = (
    "vdirsyncer uploaded kjcdir's card after a server edit: it no longer keeps a stale "
    "hash (pimutils/vdirsyncer#1155), and the README's status reset may go.\n"
)


@pytest.mark.parametrize("prodid", [vcard.PRODID, PHONE_PRODID], ids=["same-prodid", "phone"])
def test_server_edit_sticks_until_the_status_is_reset(
    radicale: Radicale, tmp_path: Path, prodid: str
) -> None:
    """vdirsyncer 0.19-0.21 (the state of pimutils/vdirsyncer#1155): when a sync copies
    the server's edit into the vdir, the status keeps the hash of the card the vdir held
    before (its Update stores the new etag only). kjcdir's re-export restores exactly that
    card, so vdirsyncer takes the file for unchanged and never uploads it: the server keeps
    the phone's version. With the status removed, the next sync compares both sides by
    content, and "a wins" puts kjcdir's card back."""
    situation = setup(radicale, tmp_path)
    vdir = situation.vdir
    exported(vdir)
    situation.vdirsyncer.discover()
    situation.vdirsyncer.sync()
    before = in_sync(situation)
    felix = uid_of("felix-wuerfel")
    card_file = vdir / "felix-wuerfel.vcf"
    kjcdir_card = card_file.read_bytes()
    assert phones(before[felix].text) == ["+49611170669"]

    phone_edit(situation, felix, prodid)
    log = situation.vdirsyncer.sync()
    assert f"Copying (updating) item {felix} to kjcdir_local" in log, log
    assert phones(card_file.read_text(encoding="utf-8")) == [PHONE_NUMBER]

    done = export(vdir)
    if prodid == vcard.PRODID:
        assert done.returncode == 0, done.stderr
    else:  # the phone's card is not kjcdir's any more: replaced only with --force
        assert done.returncode == 2, done.stderr
        assert "skipped felix-wuerfel.vcf: not written by kjcdir; --force" in done.stderr
        done = export(vdir, "--force")
        assert done.returncode == 0, done.stderr
    assert f"{vdir}: 1 written, 8 unchanged." in done.stderr
    assert card_file.read_bytes() == kjcdir_card

    for _ in range(2):  # the stuck state: no sync uploads kjcdir's card again
        log = situation.vdirsyncer.sync()
        assert "Copying" not in log, STUCK + log
        assert phones(situation.server()[felix].text) == [PHONE_NUMBER]

    reset_status(situation)  # the repair
    log = situation.vdirsyncer.sync()
    assert log.count("Copying") == 1, log
    assert f"Copying (updating) item {felix} to kjcdir_remote" in log, log
    after = in_sync(situation)  # kjcdir's card, on both sides
    assert card_file.read_bytes() == kjcdir_card
    assert etags_but(after, felix) == etags_but(before, felix)
    log = situation.vdirsyncer.sync()
    assert "Copying" not in log and "Deleting" not in log, log
    assert situation.etags() == etags_but(after)


def test_read_only_vdir_reverts_a_server_edit_but_not_the_same_edit_twice(
    radicale: Radicale, tmp_path: Path
) -> None:
    """With `read_only = true` on the vdir's storage vdirsyncer never writes into it: it
    notes a server edit in one sync and puts kjcdir's card back with the next. But that
    update, too, keeps the server side's old hash (the phone's card) in the status: the
    same edit made again on the phone goes unnoticed, and only a reset status helps."""
    situation = setup(radicale, tmp_path, read_only=True)
    vdir = situation.vdir
    exported(vdir)
    situation.vdirsyncer.discover()
    situation.vdirsyncer.sync()
    before = in_sync(situation)
    felix = uid_of("felix-wuerfel")
    files = file_states(vdir)

    phone_edit(situation, felix)
    log = situation.vdirsyncer.sync()
    assert "Copying" not in log, log  # noted, not copied into the read-only vdir
    assert phones(situation.server()[felix].text) == [PHONE_NUMBER]
    log = situation.vdirsyncer.sync()
    assert log.count("Copying") == 1, log
    assert f"Copying (updating) item {felix} to kjcdir_remote" in log, log
    assert etags_but(in_sync(situation), felix) == etags_but(before, felix)
    assert file_states(vdir) == files
    assert f"{vdir}: 0 written, 9 unchanged." in exported(vdir)

    phone_edit(situation, felix)  # the very same edit once more
    for _ in range(2):
        log = situation.vdirsyncer.sync()
        assert "Copying" not in log, STUCK + log
        assert phones(situation.server()[felix].text) == [PHONE_NUMBER]

    reset_status(situation)  # the repair
    log = situation.vdirsyncer.sync()
    assert log.count("Copying") == 1, log
    assert f"Copying (updating) item {felix} to kjcdir_remote" in log, log
    assert etags_but(in_sync(situation), felix) == etags_but(before, felix)
    assert file_states(vdir) == files


def test_sync_reset_sync_restores_every_server_edit_and_prunes(
    radicale: Radicale, tmp_path: Path
) -> None:
    """The README's way: a read-only vdir, and after each export `vdirsyncer sync` (new,
    changed and removed cards), the status removed, `vdirsyncer sync` again (every card
    compared by content). Each run puts kjcdir's cards back on the server, however often
    the phone edits them, and a pruned card stays deleted."""
    situation = setup(radicale, tmp_path, read_only=True)
    vdir = situation.vdir

    def sync_reset_sync() -> str:
        log = situation.vdirsyncer.sync()
        reset_status(situation)
        return log + situation.vdirsyncer.sync()

    data = tmp_path / "directory.yaml"
    shutil.copyfile(REPO / "data" / "directory.yaml", data)
    exported(vdir, data)
    situation.vdirsyncer.discover()
    sync_reset_sync()
    before = in_sync(situation)
    files = file_states(vdir)
    felix, peter = uid_of("felix-wuerfel"), uid_of("peter-dubowy")

    for _ in range(2):  # the same edit on the phone, twice
        phone_edit(situation, felix)
        log = sync_reset_sync()
        assert log.count("Copying") == 1, log
        assert f"Copying (updating) item {felix} to kjcdir_remote" in log, log
        assert etags_but(in_sync(situation), felix) == etags_but(before, felix)
        assert file_states(vdir) == files

    phone_edit(situation, felix)
    data.write_text(
        without_person(data.read_text(encoding="utf-8"), "peter-dubowy"), encoding="utf-8"
    )
    done = export(vdir, "--prune", data=data)
    assert done.returncode == 0, done.stderr
    log = sync_reset_sync()
    assert f"Deleting item {peter} from kjcdir_remote" in log, log
    assert f"Copying (updating) item {felix} to kjcdir_remote" in log, log
    assert log.count("Copying") == 1 and log.count("Deleting item") == 1, log
    after = in_sync(situation)
    assert after.keys() == before.keys() - {peter}
    assert etags_but(after, felix) == etags_but(before, felix, peter)
    log = sync_reset_sync()
    assert "Copying" not in log and "Deleting" not in log, log
    assert situation.etags() == etags_but(after)
