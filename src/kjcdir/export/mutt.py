"""The query_command format of mutt and neomutt, which aerc's address-book-cmd reads too.

    kjcdir: 1 address for 'wissmeier'
    wissmeier@hess-staedtetag.de<TAB>Rena Wißmeier<TAB>Hessischer Städtetag › Regiestelle SGB II

mutt shows the first line as a message (as an error when the exit status is not 0) and
reads `address<TAB>name<TAB>other` from each further line. aerc reads the same lines
and skips the first, which is not an address. A field never holds a tab or a line
break: those would split it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kjcdir.errors import NotFound
from kjcdir.export.clean import one_line
from kjcdir.model import Affiliation, Directory, Person
from kjcdir.store import Loaded


@dataclass(frozen=True)
class Answer:
    status: str  # the first line
    lines: tuple[str, ...]  # one per address

    def text(self) -> str:
        return "".join(f"{line}\n" for line in (self.status, *self.lines))


class NoAddress(NotFound):
    """Nothing to complete; `status` is still the first line mutt shows."""

    def __init__(self, message: str, status: str) -> None:
        super().__init__(message)
        self.status = status


def query(loaded: Loaded, text: str) -> Answer:
    """The addresses of the people the query finds, best first; all addresses without one."""
    from kjcdir.lookup import find_people, lead_affiliations, list_people

    wanted = one_line(text)
    if wanted:
        try:
            people: Sequence[Person] = [
                hit.person for hit in find_people(loaded, wanted, limit=None)
            ]
        except NotFound as error:
            raise NoAddress(error.message, status_line(f"kjcdir: {error.message}")) from None
    else:
        people = list_people(loaded)
    leads = lead_affiliations(loaded, people, query=wanted) if wanted else None
    lines = tuple(address_lines(loaded.directory, people, leads))
    about = f" for '{wanted}'" if wanted else ""
    if not lines:
        message = f"The people found{about} have no e-mail address."
        raise NoAddress(message, status_line(f"kjcdir: {message}"))
    count = f"{len(lines)} address" if len(lines) == 1 else f"{len(lines)} addresses"
    return Answer(status_line(f"kjcdir: {count}{about}"), lines)


def status_line(text: str) -> str:
    """The first line mutt shows: one line, printable, encodable whatever the query held."""
    from kjcdir.output.text import inert

    return inert(one_line(text)).encode("utf-8", "replace").decode("utf-8")


def data_error_status(count: int) -> str:
    problems = "a problem" if count == 1 else f"{count} problems"
    return f"kjcdir: the directory files have {problems}; run `kjcdir check` to see them."


def address_lines(
    directory: Directory,
    people: Sequence[Person],
    leads: Mapping[str, Affiliation] | None = None,
) -> list[str]:
    """`email<TAB>name<TAB>organisation` for each address of each person; the organisation
    of the affiliation in `leads` (the one that explains the hit), else the first."""
    lines = []
    for person in people:
        shown = (leads or {}).get(person.id) or person.first_affiliation
        org = directory.path_text(shown.org_id) if shown else ""
        for email in person.emails:
            fields = (one_line(email), one_line(person.name), one_line(org))
            lines.append("\t".join(fields))
    return lines
