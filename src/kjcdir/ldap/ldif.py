"""LDIF (RFC 2849): content records for `ldapadd`, change records for `ldapmodify`.

A value that is not a SAFE-STRING (non-ASCII, a line break, a leading space, colon or
'<', a trailing space) is written base64-encoded after `::`, as the RFC requires. Lines
are folded at 76 columns, as OpenLDAP's own tools write them.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable

from kjcdir.ldap.entries import Entry
from kjcdir.ldap.plan import Plan

WIDTH = 76
# RFC 2849's SAFE-STRING, narrowed to printable ASCII: a control character, which the RFC
# would allow, is base64 too, so that the file is inert on a terminal.
_SAFE = re.compile(r"[\x21-\x39\x3b\x3d-\x7e][\x20-\x7e]*")


def line(name: str, value: str) -> str:
    """`name: value`, or `name:: base64` where the value is not safe; folded."""
    if value == "":
        text = f"{name}:"
    elif _SAFE.fullmatch(value) and not value.endswith(" "):
        text = f"{name}: {value}"
    else:
        text = f"{name}:: {base64.b64encode(value.encode('utf-8')).decode('ascii')}"
    return _folded(text)


def _folded(text: str) -> str:
    """RFC 2849: a long line continues on lines that begin with one space."""
    if len(text) <= WIDTH:
        return text
    parts = [text[:WIDTH]]
    parts.extend(
        " " + text[start : start + WIDTH - 1] for start in range(WIDTH, len(text), WIDTH - 1)
    )
    return "\n".join(parts)


def content_record(entry: Entry, *header: str) -> str:
    """The entry's record; `header` lines (`changetype: add`) follow its dn."""
    lines = [line("dn", entry.dn), *header]
    lines.extend(line(name, value) for name, values in entry.attributes.items() for value in values)
    return "\n".join(lines) + "\n"


def content(entries: Iterable[Entry]) -> str:
    """A whole LDIF file of content records, for `ldapadd -f`."""
    return "version: 1\n\n" + "\n".join(content_record(entry) for entry in entries)


def changes(plan: Plan) -> str:
    """The plan as LDIF change records, in the order a sync sends them: what `--dry-run`
    prints, and what `ldapmodify -f` would apply."""
    records: list[str] = []
    records.extend(content_record(entry, "changetype: add") for entry in plan.adds)
    for change in plan.modifies:
        lines = [line("dn", change.dn), "changetype: modify"]
        for name, values in change.replace.items():
            lines.append(f"replace: {name}")
            lines.extend(line(name, value) for value in values)
            lines.append("-")
        for name in change.delete:
            lines.extend((f"delete: {name}", "-"))
        records.append("\n".join(lines) + "\n")
    records.extend(f"{line('dn', dn)}\nchangetype: delete\n" for dn in plan.deletes)
    return "version: 1\n\n" + "\n".join(records) if records else ""
