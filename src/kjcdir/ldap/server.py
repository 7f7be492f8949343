"""Talking to the LDAP server (through ldap3, a pure-Python client): bind, read the
subtree once, send a plan. Every failure becomes one sentence (KjcdirError)."""

from __future__ import annotations

import re
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
from kjcdir.ldap.plan import Plan, dn_key, is_under

PAGE_SIZE = 500
CONNECT_TIMEOUT = 10  # seconds
ANSWER_TIMEOUT = 60  # seconds for each answer (a page of the read, a write)
# RFC 3296: with ManageDsaIT a referral object is returned as the entry it is, so that a
# foreign one under the base is seen (and the sync refused) instead of followed.
MANAGE_DSA_IT = ("2.16.840.1.113730.3.4.2", False, None)

# What a result code means for the person at the terminal (RFC 4511 4.1.9).
_REASONS = {
    "insufficientAccessRights": "the bind DN lacks the rights",
    "invalidCredentials": "wrong DN or password",
    "unwillingToPerform": "the server is unwilling to perform it",
    "invalidDNSyntax": "the server does not accept it as a DN",
    "noSuchObject": "it does not exist",
    "entryAlreadyExists": "an entry of that DN exists already",
    "objectClassViolation": "the server's schema does not allow it",
    "invalidAttributeSyntax": "a value does not fit its attribute's syntax",
    "attributeOrValueExists": "a value is there twice as the server compares values",
    "constraintViolation": "a value breaks a constraint of the server",
    "undefinedAttributeType": "the server's schema lacks an attribute (load cosine and "
    "inetorgperson)",
    "confidentialityRequired": "the server requires TLS (add --starttls or use ldaps://)",
    "strongerAuthRequired": "the server requires TLS (add --starttls or use ldaps://)",
    "sizeLimitExceeded": "the server's size limit cut the read short",
    "timeLimitExceeded": "the server's time limit cut the read short",
    "busy": "the server is busy",
    "unavailable": "the server is unavailable",
}
# Refusals of one entry's values: the other entries are still sent, and the data must be
# fixed. Any other refusal (rights, a busy server) stops the sync.
_DATA_REFUSALS = frozenset(
    {
        "invalidAttributeSyntax",
        "attributeOrValueExists",
        "constraintViolation",
        "objectClassViolation",
        "undefinedAttributeType",
        "namingViolation",
        "inappropriateMatching",
    }
)
# ldap3's BER decoder fails with these when the peer does not speak LDAP (an HTTP server
# on the port, say).
_GARBLED = (KeyError, IndexError, ValueError, TypeError, AttributeError)


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
        secure = parts.scheme == "ldaps"
        if secure and starttls:
            raise KjcdirError("ldaps:// is encrypted from the start; leave out --starttls.")
        if ca_file is not None and not (secure or starttls):
            raise KjcdirError("--ca-file is for TLS; add --starttls or use ldaps://.")
        if ca_file is not None and not ca_file.is_file():
            raise KjcdirError(f"--ca-file {ca_file} is not a file.")
        self.url = url
        self.host = parts.hostname
        self.secure = secure
        self.port = port or (636 if secure else 389)
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
        if not password:
            # An empty password is an unauthenticated bind (RFC 4513 5.1.2): it "succeeds"
            # and every write then fails for want of rights. Say so at once instead.
            raise KjcdirError("the LDAP password is empty; an empty password binds no one.")
        connection = ldap3.Connection(
            self.server(),
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
        except _GARBLED:
            raise KjcdirError(
                f"{self.url} does not answer in LDAP (is it the right port?)."
            ) from None
        return connection


def read_base(connection: ldap3.Connection, base: str) -> str:
    """The base entry's DN as the server writes it; one sentence if it does not exist, or
    if it is itself an entry kjcdir wrote (a base given one level too deep)."""
    _call(
        connection,
        lambda: connection.search(
            base, "(objectClass=*)", ldap3.BASE, ldap3.DEREF_NEVER, attributes=["description"]
        ),
    )
    outcome = connection.result.get("description")
    if outcome == "invalidDNSyntax":
        raise KjcdirError(
            f"--base '{base}' is not a DN this server accepts: {_reason(connection)}."
        )
    found: list[dict[str, Any]] = [
        answer for answer in connection.response or [] if answer.get("type") == "searchResEntry"
    ]
    if outcome == "noSuchObject" or (outcome == "success" and not found):
        raise KjcdirError(
            f"the base {base} does not exist on the server (or the bind DN cannot see it); "
            "create it first, for example as an organizationalUnit."
        )
    _check(connection, f"reading {base}")
    if Entry(base, _decoded(found[0].get("raw_attributes", {}))).is_own:
        raise KjcdirError(
            f"the base {base} is an entry kjcdir wrote; give the DN above its ou=people "
            "and ou=organizations."
        )
    return str(found[0]["dn"])


def read_entries(connection: ldap3.Connection, base: str) -> list[Entry]:
    """Every entry under the base (not the base itself), with its user attributes: one
    paged read of the whole subtree. Aliases are not followed and referrals not chased:
    they are entries of their own, and never kjcdir's."""
    entries: list[Entry] = []
    base_key = dn_key(base)

    def read() -> None:
        pages = connection.extend.standard.paged_search(
            base,
            "(objectClass=*)",
            ldap3.SUBTREE,
            ldap3.DEREF_NEVER,
            attributes=[ldap3.ALL_ATTRIBUTES],
            paged_size=PAGE_SIZE,
            controls=[MANAGE_DSA_IT],
            generator=True,
        )
        for found in pages:
            if found.get("type") == "searchResRef":  # a referral the server could not return
                uris = ", ".join(found.get("uri") or []) or "elsewhere"
                entries.append(Entry(f"a referral to {uris}", {}))
            elif found.get("type") == "searchResEntry" and dn_key(found["dn"]) != base_key:
                entries.append(Entry(found["dn"], _decoded(found["raw_attributes"])))

    _call(connection, read)
    if connection.result and connection.result.get("description") == "sizeLimitExceeded":
        raise KjcdirError(
            f"the server stopped the read under {base} at its size limit; allow the bind DN "
            'to read it in pages (OpenLDAP: limits dn.exact="BIND-DN" size.prtotal=unlimited).'
        )
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
    """Send the plan: adds (parents first), modifies, deletes (children first).

    An entry whose values the server refuses (a syntax it does not accept, say) is named
    at the end and the others are still sent. Any other refusal (rights, a busy server)
    or a lost connection stops the sync with how far it came; a rerun plans again from
    what the server then holds, so it sends the rest.
    """
    refused: list[str] = []
    for done, (verb, dn, send) in enumerate(_requests(connection, plan)):
        if not is_under(dn, base):  # never outside the base
            raise KjcdirError(f"refusing to write {dn}: it is not under {base}.")
        try:
            ok = _call(connection, send)
        except KjcdirError as error:
            raise KjcdirError(
                f"{error.message.rstrip('.')}; {done} of {plan.size} changes were made, "
                "and a rerun sends the rest."
            ) from None
        if not ok and connection.result.get("description") in _DATA_REFUSALS:
            refused.append(f"{verb} {dn}: {_reason(connection)}")
        elif not ok:
            raise KjcdirError(
                f"the server refused to {verb} {dn}: {_reason(connection)}; "
                f"{done} of {plan.size} changes were made, and a rerun sends the rest."
            )
        if sent is not None:
            sent()
    if refused:
        more = f" (and {len(refused) - 1} more)" if len(refused) > 1 else ""
        raise KjcdirError(
            f"the server refused to {refused[0]}{more}; the other "
            f"{plan.size - len(refused)} changes were made. Fix that data and sync again."
        )


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
    """Run a request; a connection lost on the way, or a peer that stops speaking LDAP,
    is one sentence."""
    try:
        return request()
    except ldap_errors.LDAPException as error:
        raise KjcdirError(
            f"the connection to the LDAP server failed: {_clean(str(error))}."
        ) from None
    except _GARBLED:
        raise KjcdirError("the LDAP server sent an answer that is not LDAP.") from None


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
    lowered = text.lower()
    if "certificate verify failed" in lowered:
        detail = _clean(lowered.split("certificate verify failed", 1)[1]).lstrip(": ")
        return (
            f"the server's certificate is not trusted ({detail or 'unknown'}); "
            "--ca-file names the CA that signed it"
        )
    if "doesn't match" in lowered or "hostname mismatch" in lowered:
        return "the server's certificate is for another host name"
    if "protocolerror" in lowered or "unavailable" in lowered:
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


_SSL_SOURCE = re.compile(r"\(_ssl\.c:\d+\)")


def _clean(text: str) -> str:
    """One short line, without the brackets, quotes and source positions that ldap3's
    nested messages carry."""
    text = _SSL_SOURCE.sub("", text.replace("\n", " "))
    text = " ".join(text.strip(" ()[]'\",.").split())
    return text if len(text) <= 200 else text[:199] + "…"
