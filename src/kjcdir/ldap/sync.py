"""`kjcdir ldap sync`: make the subtree under the base equal to the directory in use."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from kjcdir.errors import KjcdirError
from kjcdir.ldap.entries import directory_entries
from kjcdir.ldap.plan import Plan, plan
from kjcdir.ldap.server import Target, apply, read_base, read_entries
from kjcdir.model import Directory, Organization, Person
from kjcdir.output.progress import Progress
from kjcdir.store import Loaded

PASSWORD_VARIABLE = "KJCDIR_LDAP_PASSWORD"


def contacts(loaded: Loaded) -> tuple[list[Person], list[Organization]]:
    """Whom the sync writes: everyone, and the organisations with contact data, as
    `export --all` chooses them."""
    from kjcdir.export.selection import organizations_of

    people = list(loaded.directory.people.values())
    return people, organizations_of(loaded, people, None, everyone=True)


def sync(
    target: Target,
    password: str,
    directory: Directory,
    people: list[Person],
    orgs: list[Organization],
    dry_run: bool,
    progress: Progress | None = None,
) -> Plan:
    """Read the subtree once, plan the difference to the entries of `people` and `orgs`,
    and send it (unless `dry_run`); `progress` hears of each entry sent."""
    connection = target.connect(password)
    try:
        base = read_base(connection, target.base)
        if progress is not None:
            progress.stage(f"reading the entries under {base}")
        present = read_entries(connection, base)
        changes = plan(directory_entries(directory, people, orgs, base), present, base)
        if not dry_run:
            sent = None
            if progress is not None:
                progress.stage(f"sending {changes.size:,} changes", changes.size, "entries")
                sent = progress.advance
            apply(connection, changes, base, sent)
        return changes
    finally:
        connection.unbind()


def read_password(password_file: Path | None) -> str:
    """The bind password: from the file, else from KJCDIR_LDAP_PASSWORD, else asked for
    on a terminal; never from the command line, where every user's `ps` would see it."""
    if password_file is not None:
        try:
            text = password_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            reason = getattr(error, "strerror", None) or "not UTF-8 text"
            raise KjcdirError(f"cannot read the password file {password_file}: {reason}.") from None
        # One line; its line break (which `echo secret > file` adds) is not part of it.
        password = text.removesuffix("\n").removesuffix("\r")
        if "\n" in password or "\r" in password:
            raise KjcdirError(
                f"the password file {password_file} has more than one line; "
                "it must hold the password alone."
            )
        return password
    if PASSWORD_VARIABLE in os.environ:
        return os.environ[PASSWORD_VARIABLE]
    if sys.stdin.isatty() and sys.stderr.isatty():
        import getpass

        return getpass.getpass("LDAP password: ", stream=sys.stderr)
    raise KjcdirError(f"no LDAP password: give --password-file FILE or set {PASSWORD_VARIABLE}.")
