"""A throw-away OpenLDAP server for the tests, and OpenLDAP's own tools to read it.

slapd (Debian's `slapd` package) runs on a free loopback port with its configuration,
database and, where asked for, a TLS certificate in a temporary folder; the schemas are
core, cosine and inetorgperson. `ldapsearch` and `ldapadd` (package `ldap-utils`) are the
independent readers and writers. `.ci/run` installs both packages where they are missing.
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import free_port, stop_process

SUFFIX = "dc=example,dc=org"
ADMIN = f"cn=admin,{SUFFIX}"
WRITER = f"cn=writer,{SUFFIX}"  # may write under BASE only
READER = f"cn=reader,{SUFFIX}"  # may read, never write
BASE = f"ou=kjcdir,{SUFFIX}"
PASSWORD = "s3cret-Pässwort"  # umlaut: the password travels as UTF-8
SCHEMAS = Path("/etc/ldap/schema")
MODULES = Path("/usr/lib/ldap")


def _find(name: str) -> str | None:
    return shutil.which(name) or next(
        (str(p) for p in (Path("/usr/sbin") / name, Path("/usr/bin") / name) if p.exists()), None
    )


def require_tools() -> dict[str, str]:
    """The paths of slapd and the ldap-utils, or a skip that says how to get them."""
    names = ("slapd", "slappasswd", "ldapsearch", "ldapadd", "ldapmodify", "ldapdelete")
    tools = {name: _find(name) for name in names}
    missing = [name for name, path in tools.items() if path is None]
    if missing or not (SCHEMAS / "inetorgperson.schema").exists():
        reason = (
            f"OpenLDAP is not installed ({', '.join(missing) or 'schemas'} missing): "
            "apt-get install slapd ldap-utils (.ci/run does)"
        )
        if os.environ.get("KJCDIR_REQUIRE_SLAPD"):  # CI installs it: a skip would hide tests
            pytest.fail(reason)
        pytest.skip(reason)
    return {name: str(path) for name, path in tools.items()}


def _config(
    home: Path,
    password_hash: str,
    size_limit: int,
    tls: bool,
    paged_unlimited: bool,
    title_bytes: int | None,
) -> str:
    limits = f"size.soft={size_limit} size.hard={size_limit}"
    lines = [
        *(f"include {SCHEMAS / name}.schema" for name in ("core", "cosine", "inetorgperson")),
        f"modulepath {MODULES}",
        "moduleload back_mdb",
        "moduleload syncprov",
        "moduleload constraint",
        f"pidfile {home / 'slapd.pid'}",
        # A plain search may return size_limit entries; a paged read all of them, where
        # allowed (OpenLDAP's default holds it to the size limit too).
        f"sizelimit {limits}" + (" size.prtotal=unlimited" if paged_unlimited else ""),
    ]
    if tls:
        lines += [
            f"TLSCACertificateFile {home / 'ca.pem'}",
            f"TLSCertificateFile {home / 'server.pem'}",
            f"TLSCertificateKeyFile {home / 'server.key'}",
        ]
    lines += [
        "database mdb",
        "maxsize 1073741824",
        f'suffix "{SUFFIX}"',
        f'rootdn "{ADMIN}"',
        f"rootpw {password_hash}",
        f"directory {home / 'db'}",
        "overlay syncprov",  # keeps contextCSN: it changes with every write
        *(
            ["overlay constraint", f"constraint_attribute title size {title_bytes}"]
            if title_bytes
            else []
        ),
        "access to attrs=userPassword by anonymous auth by * none",
        f'access to dn.subtree="{BASE}" by dn.exact="{WRITER}" write by * read',
        "access to * by * read",
    ]
    return "\n".join(lines) + "\n"


def _certificates(home: Path) -> None:
    """A CA of this test, and a certificate it signed for 127.0.0.1."""

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=home)

    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Test CA",
            "-keyout", "ca.key", "-out", "ca.pem")  # fmt: skip
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
            "-keyout", "server.key", "-out", "server.csr")  # fmt: skip
    (home / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n", encoding="ascii")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-days", "2", "-extfile", "san.ext",
            "-out", "server.pem")  # fmt: skip


class Slapd:
    def __init__(self, url: str, home: Path, tools: dict[str, str], ldaps_url: str = "") -> None:
        self.url = url
        self.ldaps_url = ldaps_url  # with tls=True: the ldaps:// listener
        self.home = home
        self.tools = tools

    def _run(self, tool: str, *args: str, input: str | None = None) -> str:
        result = subprocess.run(
            [self.tools[tool], "-x", "-H", self.url, *args],
            capture_output=True,
            text=True,
            input=input,
            timeout=60,
        )
        if result.returncode != 0:
            raise AssertionError(f"{tool} {args} failed ({result.returncode}): {result.stderr}")
        return result.stdout

    def add(self, ldif: str, bind_dn: str = ADMIN, manage: bool = False) -> None:
        """Load LDIF content records with OpenLDAP's ldapadd (`manage`: with ManageDsaIT,
        which a referral object needs)."""
        extra = ["-M"] if manage else []
        self._run("ldapadd", "-D", bind_dn, "-w", PASSWORD, *extra, input=ldif)

    def modify(self, ldif: str, bind_dn: str = ADMIN) -> None:
        """Apply LDIF change records with OpenLDAP's ldapmodify."""
        self._run("ldapmodify", "-D", bind_dn, "-w", PASSWORD, input=ldif)

    def search(
        self, query: str = "(objectClass=*)", *attributes: str, base: str = BASE, scope: str = "sub"
    ) -> dict[str, dict[str, list[str]]]:
        """Entries by DN, as ldapsearch reads them (bound as the admin, so nothing is hidden)."""
        text = self._run(
            "ldapsearch", "-LLL", "-o", "ldif-wrap=no", "-D", ADMIN, "-w", PASSWORD,
            "-b", base, "-s", scope, "-E", "pr=200/noprompt", query, *attributes,
        )  # fmt: skip
        return parse_ldif(text)

    def context_csn(self) -> list[str]:
        """The database's contextCSN: it changes with every write to the database."""
        found = self.search("(objectClass=*)", "contextCSN", base=SUFFIX, scope="base")
        return found[SUFFIX]["contextCSN"]

    def entry_csns(self) -> dict[str, str]:
        """Every entry under the base and its entryCSN (which a write of it changes)."""
        found = self.search("(objectClass=*)", "entryCSN")
        return {dn: attributes["entryCSN"][0] for dn, attributes in found.items()}


def parse_ldif(text: str) -> dict[str, dict[str, list[str]]]:
    """ldapsearch's unfolded LDIF (-o ldif-wrap=no): `name: value` and `name:: base64`."""
    entries: dict[str, dict[str, list[str]]] = {}
    for record in text.strip().split("\n\n"):
        dn = ""
        attributes: dict[str, list[str]] = {}
        for line in record.splitlines():
            if not line or line.startswith("#"):
                continue
            name, _, value = line.partition(":")
            if value.startswith(":"):
                value = base64.b64decode(value[1:].strip()).decode("utf-8")
            else:
                value = value[1:] if value.startswith(" ") else value
            if name == "dn":
                dn = value
            else:
                attributes.setdefault(name, []).append(value)
        if dn:
            entries[dn] = attributes
    return entries


def start(
    home: Path,
    size_limit: int = 500,
    tls: bool = False,
    paged_unlimited: bool = True,
    title_bytes: int | None = None,
) -> Iterator[Slapd]:
    """Run slapd until the generator is closed; a fresh database with the base, a writer
    and a reader in it. `tls`: StartTLS on the ldap:// port and an ldaps:// port
    (`Slapd.ldaps_url`); `title_bytes`: the constraint overlay refuses longer titles."""
    tools = require_tools()
    home.mkdir(parents=True, exist_ok=True)
    (home / "db").mkdir()
    if tls:
        if shutil.which("openssl") is None:
            pytest.skip("openssl is not installed: it makes the test's certificates")
        _certificates(home)
    password_hash = subprocess.run(
        [tools["slappasswd"], "-s", PASSWORD], capture_output=True, text=True, check=True
    ).stdout.strip()
    config = home / "slapd.conf"
    config.write_text(
        _config(home, password_hash, size_limit, tls, paged_unlimited, title_bytes),
        encoding="utf-8",
    )
    log = home / "slapd.log"
    for _ in range(3):  # another program may take the free port before slapd binds it
        url = f"ldap://127.0.0.1:{free_port()}"
        ldaps_url = f"ldaps://127.0.0.1:{free_port()}" if tls else ""
        listen = f"{url}/ {ldaps_url}/" if tls else f"{url}/"
        with log.open("ab") as log_file:
            process = subprocess.Popen(
                [tools["slapd"], "-f", str(config), "-h", listen, "-d", "0"],
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
        if _answers(tools, url, process):
            break
        stop_process(process)
    else:
        pytest.fail(f"slapd did not start:\n{log.read_text(errors='replace')[-3000:]}")
    server = Slapd(url, home, tools, ldaps_url)
    try:
        server.add(
            f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\no: Example\n"
            f"dc: example\n\n"
            f"dn: {BASE}\nobjectClass: organizationalUnit\nou: kjcdir\n\n"
            + "".join(
                f"dn: {dn}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\n"
                f"cn: {dn.split(',')[0][3:]}\nuserPassword: {password_hash}\n\n"
                for dn in (WRITER, READER)
            )
        )
        yield server
    finally:
        stop_process(process)


def _answers(tools: dict[str, str], url: str, process: subprocess.Popen[bytes]) -> bool:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        probe = subprocess.run(
            [tools["ldapsearch"], "-x", "-H", url, "-s", "base", "-b", "", "(objectClass=*)"],
            capture_output=True,
            timeout=10,
        )
        if probe.returncode == 0:
            return True
        time.sleep(0.1)
    return False
