"""Hand results to stdout in the chosen form. The CLI calls these and nothing lower."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from kjcdir.model import Affiliation, Directory, Organization, Person
from kjcdir.output import Form, plain, views

if TYPE_CHECKING:
    from kjcdir.lookup import Found, TopicRow

# json escapes C0 controls itself; C1 controls and bidi overrides would pass through
# as raw characters, so they are escaped as well: JSON on a terminal stays inert.
_JSON_ESCAPES = {
    code: f"\\u{code:04x}"
    for code in (*range(0x7F, 0xA0), *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x2028, 0x2029)
}


def to_json(value: Any) -> str:
    import json  # not on the path of a piped lookup

    return json.dumps(value, ensure_ascii=False, indent=2).translate(_JSON_ESCAPES)


def write_json(value: Any) -> None:
    write(to_json(value) + "\n")


def write(text: str, chunk: int = 65536) -> None:
    """Write in slices: when a pipe's reader leaves, the next slice raises BrokenPipeError
    instead of one large write being cut short without a word."""
    for start in range(0, len(text), chunk):
        sys.stdout.write(text[start : start + chunk])


def found_people(
    directory: Directory,
    found: Sequence[Found],
    form: Form,
    leads: Mapping[str, Affiliation] | None = None,
) -> None:
    """`find`: cards on a terminal, lines in a pipe, objects with scores in JSON. A line
    shows the affiliation in `leads` (the one that explains the hit) where there is one."""
    if form is Form.JSON:
        write_json([views.person_object(directory, f.person, f.score) for f in found])
    elif form is Form.PLAIN:
        plain.write_people(sys.stdout, directory, (f.person for f in found), leads)
    else:
        from kjcdir.output import terminal

        panels = [terminal.person_card(directory, f.person, f.score) for f in found]
        terminal.console().print(terminal.cards(panels))


def people_list(
    directory: Directory,
    people: Sequence[Person],
    form: Form,
    leads: Mapping[str, Affiliation] | None = None,
) -> None:
    """`list`: a table on a terminal; rows and lines show the affiliations in `leads`."""
    if form is Form.JSON:
        write_json([views.person_object(directory, person) for person in people])
    elif form is Form.PLAIN:
        plain.write_people(sys.stdout, directory, people, leads)
    else:
        from kjcdir.output import terminal

        terminal.console().print(terminal.people_table(directory, people, leads))


def entry(directory: Directory, item: Person | Organization, form: Form) -> None:
    """`show`: one object in JSON, field<TAB>value lines in a pipe, a card on a terminal."""
    if isinstance(item, Person):
        if form is Form.JSON:
            write_json(views.person_object(directory, item))
        elif form is Form.PLAIN:
            plain.write_fields(sys.stdout, plain.person_fields(directory, item))
        else:
            from kjcdir.output import terminal

            terminal.console().print(terminal.person_card(directory, item))
    elif form is Form.JSON:
        write_json(views.org_object(directory, item))
    elif form is Form.PLAIN:
        plain.write_fields(sys.stdout, plain.org_fields(directory, item))
    else:
        from kjcdir.output import terminal

        terminal.console().print(terminal.org_card(directory, item))


def letter(directory: Directory, item: Person | Organization) -> None:
    """`show --letter`: the address block, an empty line and the greeting line, as plain
    text in every form (it is pasted into a letter). Without an address, the greeting
    alone and a note on stderr."""
    from kjcdir.letter import org_letter, person_letter
    from kjcdir.output.text import inert

    if isinstance(item, Person):
        text, name = person_letter(directory, item), item.name
    else:
        text, name = org_letter(directory, item), item.name
    lines = [*text.address, ""] if text.address else []
    lines.append(text.greeting_line)
    write("".join(inert(line) + "\n" for line in lines))
    if not text.address:
        sys.stdout.flush()  # the letter first, then the note, where both go to one terminal
        error(f"The directory has no postal address for {name}, so only the greeting is printed.")


def organizations(
    directory: Directory, orgs: Sequence[Organization], form: Form, tree: bool
) -> None:
    """`orgs`: the tree of all (tree=True) or the cards of those found."""
    if form is Form.JSON:
        write_json([views.org_object(directory, org) for org in orgs])
    elif form is Form.PLAIN:
        plain.write_orgs(sys.stdout, orgs)
    else:
        from kjcdir.output import terminal

        out = terminal.console()
        if tree:
            out.print(terminal.org_tree(directory))
        else:
            out.print(terminal.cards([terminal.org_card(directory, org) for org in orgs]))


def topics(rows: Sequence[TopicRow], form: Form) -> None:
    if form is Form.JSON:
        write_json(
            [
                {
                    "topic": row.topic,
                    "kind": row.kind,
                    "units": [org.id for org in row.units],
                    "people": [person.id for person in row.people],
                }
                for row in rows
            ]
        )
    elif form is Form.PLAIN:
        for row in rows:
            units = ",".join(org.id for org in row.units)
            people = ",".join(person.id for person in row.people)
            sys.stdout.write(plain.line([row.topic, row.kind, units, people]) + "\n")
    else:
        from kjcdir.output import terminal

        terminal.console().print(terminal.topics_table(rows))


def problem(text: str) -> None:
    """A data problem, `FILE:LINE:COLUMN: message (id)`, as compilers print them (no prefix)."""
    from kjcdir.output.text import inert

    sys.stderr.write(inert(text) + "\n")


def error(message: str) -> None:
    """One sentence on stderr, control characters made visible."""
    from kjcdir.output.text import inert

    sys.stderr.write(f"kjcdir: {inert(message)}\n")
