"""Talking to the LDAP server (through ldap3, a pure-Python client): bind, read the
subtree once, send a plan. Every failure becomes one sentence (KjcdirError)."""

from __future__ import annotations

import ssl
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import ldap3
from ldap3.core import exceptions as ldap_errors

from kjcdir.errors import KjcdirError
from kjcdir.ldap.entries import Entry, checked_base
from kjcdir.ldap.plan import Plan, dn_key

PAGE_SIZE = 500
CONNECT_TIMEOUT = 10  # seconds
ANSWER_TIMEOUT = 120  # seconds: a paged read of a big subtree answers page by page

# What a result code means for the person at the terminal (RFC 4511 4.1.9).
_REASONS = {
    "insufficientAccessRights": "the bind DN lacks the rights",
    "invalidCredentials": "wrong DN or password",
    "unwillingToPerform": "the server is unwilling to perform it",
    "invalidDNSyntax": "the server does not accept it as a DN",
    "noSuchObject": "it does not exist",
    "objectClassViolation": "the server's schema does not allow it",
    "undefinedAttributeType": "the server's schema lacks an attribute (load cosine and "
    "inetorgperson)",
    "confidentialityRequired": "the server requires TLS (add --starttls or use ldaps://)",
    "strongerAuthRequired": "the server requires TLS (add --starttls or use ldaps://)",
    "busy": "the server is busy",
    "unavailable": "the server is unavailable",
}


class Target:
    """Where to sync to, and as whom: checked when made, before a password is asked for.
    The password itself is no part of it, so that no repr or log can show it."""

    def __init__(
        self,
        url: str,
        base: str,
        bind_dn: str,
        starttls: bool = False,
        ca_file: Path | None = None,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("ldap", "ldaps") or not parts.hostname:
            raise KjcdirError(
                f"--url '{url}' is not an LDAP address; write ldap://HOST[:PORT] "
                "or ldaps://HOST[:PORT]."
            )
        try:
            port = parts.port
        except ValueError:
            raise KjcdirError(f"--url '{url}' has no valid port.") from None
        if not bind_dn.strip():
            raise KjcdirError("--bind-dn needs a DN, such as cn=kjcdir,dc=example,dc=org.")
        self.url = url
        self.host = parts.hostname
        self.secure = parts.scheme == "ldaps"
        self.port = port or (636 if self.secure else 389)
        self.base = checked_base(base)
        self.bind_dn = bind_dn
        self.starttls = starttls
        self.ca_file = ca_file

    def server(self) -> ldap3.Server:
        tls = ldap3.Tls(
            validate=ssl.CERT_REQUIRED,
            ca_certs_file=str(self.ca_file) if self.ca_file else None,
            sni=self.host,
        )
        return ldap3.Server(
            self.host,
            port=self.port,
            use_ssl=self.secure,
            tls=tls,
            get_info=ldap3.NONE,
            connect_timeout=CONNECT_TIMEOUT,
        )

    def connect(self, password: str) -> ldap3.Connection:
        """An open, bound connection; TLS first where asked for."""
        if self.ca_file is not None and not self.ca_file.is_file():
            raise KjcdirError(f"--ca-file {self.ca_file} is not a file.")
        server = self.server()
        if not password:
            # An empty password is an unauthenticated bind (RFC 4513 5.1.2): it "succeeds"
            # and every write then fails for want of rights. Say so at once instead.
            raise KjcdirError("the LDAP password is empty; an empty password binds no one.")
        connection = ldap3.Connection(
            server,
            user=self.bind_dn,
            password=password,
            raise_exceptions=False,
            receive_timeout=ANSWER_TIMEOUT,
            auto_referrals=False,
        )
        try:
            connection.open()
            if self.starttls and not connection.start_tls():
                raise KjcdirError(f"StartTLS with {self.url} failed: {_reason(connection)}.")
            if not connection.bind():
                raise KjcdirError(
                    f"the server refused the bind as {self.bind_dn}: {_reason(connection)}."
                )
        except ldap_errors.LDAPStartTLSError as error:
            raise KjcdirError(f"StartTLS with {self.url} failed: {_tls_reason(error)}.") from None
        except ldap_errors.LDAPSocketOpenError as error:
            text = str(error)
            if "ssl" in text.lower() or "certificate" in text.lower():
                raise KjcdirError(f"TLS with {self.url} failed: {_tls_reason(error)}.") from None
            raise KjcdirError(
                f"cannot reach the LDAP server at {self.url}: {_socket_reason(text)}."
            ) from None
        except ldap_errors.LDAPException as error:
            raise KjcdirError(
                f"the LDAP server at {self.url} failed: {_clean(str(error))}."
            ) from None
        return connection


def read_base(connection: ldap3.Connection, base: str) -> str:
    """The base entry's DN as the server writes it; one sentence if it does not exist."""
    _call(
        connection,
        lambda: connection.search(base, "(objectClass=*)", ldap3.BASE, attributes=["1.1"]),
    )
    outcome = connection.result.get("description")
    if outcome == "invalidDNSyntax":
        raise KjcdirError(
            f"--base '{base}' is not a DN this server accepts: {_reason(connection)}."
        )
    if outcome == "noSuchObject" or (outcome == "success" and not connection.response):
        raise KjcdirError(
            f"the base {base} does not exist on the server (or the bind DN cannot see it); "
            "create it first, for example as an organizationalUnit."
        )
    _check(connection, f"reading {base}")
    found: list[dict[str, Any]] = connection.response or []
    return str(found[0]["dn"])


def read_entries(connection: ldap3.Connection, base: str) -> list[Entry]:
    """Every entry under the base (not the base itself), with its user attributes: one
    paged read of the whole subtree."""
    entries: list[Entry] = []
    base_key = dn_key(base)

    def read() -> None:
        pages = connection.extend.standard.paged_search(
            base,
            "(objectClass=*)",
            ldap3.SUBTREE,
            attributes=[ldap3.ALL_ATTRIBUTES],
            paged_size=PAGE_SIZE,
            generator=True,
        )
        for found in pages:
            if found.get("type") != "searchResEntry" or dn_key(found["dn"]) == base_key:
                continue
            entries.append(Entry(found["dn"], _decoded(found["raw_attributes"])))

    _call(connection, read)
    _check(connection, f"reading the entries under {base}")
    return entries


def _decoded(raw: dict[str, list[bytes]]) -> dict[str, tuple[str, ...]]:
    return {
        name: tuple(value.decode("utf-8", "replace") for value in values)
        for name, values in raw.items()
    }


def apply(
    connection: ldap3.Connection, plan: Plan, base: str, sent: Callable[[], None] | None = None
) -> None:
    """Send the plan: adds (parents first), modifies, deletes (children first). A refusal
    stops it with one sentence that says how far it came; a rerun sends the rest, because
    it plans again from what the server then holds."""
    for done, (verb, dn, send) in enumerate(_requests(connection, plan)):
        if not dn_key(dn).endswith("," + dn_key(base)):  # never outside the base
            raise KjcdirError(f"refusing to write {dn}: it is not under {base}.")
        ok = _call(connection, send)
        if not ok:
            raise KjcdirError(
                f"the server refused to {verb} {dn}: {_reason(connection)}; "
                f"{done} of {plan.size} changes were made, and a rerun sends the rest."
            )
        if sent is not None:
            sent()


def _requests(
    connection: ldap3.Connection, plan: Plan
) -> Iterator[tuple[str, str, Callable[[], Any]]]:
    for entry in plan.adds:
        attributes = {name: list(values) for name, values in entry.attributes.items()}
        yield "add", entry.dn, partial(connection.add, entry.dn, attributes=attributes)
    for change in plan.modifies:
        changes: dict[str, list[tuple[str, list[str]]]] = {
            name: [(ldap3.MODIFY_REPLACE, list(values))] for name, values in change.replace.items()
        }
        changes.update({name: [(ldap3.MODIFY_DELETE, [])] for name in change.delete})
        yield "change", change.dn, partial(connection.modify, change.dn, changes)
    for dn in plan.deletes:
        yield "remove", dn, partial(connection.delete, dn)


def _call(connection: ldap3.Connection, request: Callable[[], Any]) -> Any:
    """Run a request; a connection lost on the way is one sentence."""
    try:
        return request()
    except ldap_errors.LDAPException as error:
        raise KjcdirError(
            f"the connection to the LDAP server failed: {_clean(str(error))}."
        ) from None


def _check(connection: ldap3.Connection, doing: str) -> None:
    if connection.result and connection.result.get("result", 0) != 0:
        raise KjcdirError(f"the server failed {doing}: {_reason(connection)}.")


def _reason(connection: ldap3.Connection) -> str:
    result = connection.result or {}
    description = str(result.get("description") or "no answer")
    reason = _REASONS.get(description, description)
    message = _clean(str(result.get("message") or ""))
    return f"{reason} ({message})" if message and message != reason else reason


def _tls_reason(error: Exception) -> str:
    text = str(error)
    if "certificate verify failed" in text.lower():
        detail = _clean(text.lower().split("certificate verify failed", 1)[1].split("(_ssl")[0])
        return (
            f"the server's certificate is not trusted ({detail.lstrip(': ') or 'unknown'}); "
            "--ca-file names the CA that signed it"
        )
    if "protocolerror" in text.lower() or "unavailable" in text.lower():
        return "the server does not offer StartTLS"
    return _clean(text) or type(error).__name__


def _socket_reason(text: str) -> str:
    lowered = text.lower()
    if "refused" in lowered:
        return "connection refused"
    if "timed out" in lowered or "timeout" in lowered:
        return "no answer (timed out)"
    if "invalid server address" in lowered or "name or service" in lowered:
        return "unknown host"
    return _clean(text)


def _clean(text: str) -> str:
    """One line, without the brackets and quotes that ldap3's nested messages carry."""
    return " ".join(text.replace("\n", " ").strip(" ()[]'\",.").split())
