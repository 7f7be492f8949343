"""Rich output for a terminal: contact cards, tables and trees.

Data never goes through rich's markup parser: every value is wrapped in a Text
after `inert` has replaced control characters, so `[bold]` in a name is shown as
typed and an escape sequence in a field never reaches the terminal.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.style import Style
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from kjcdir.model import Directory, Organization, Person, Phone
from kjcdir.output.plain import PATH_SEPARATOR
from kjcdir.output.text import inert, label

if TYPE_CHECKING:
    from kjcdir.lookup import TopicRow

ACCENT = "cyan"


def console(stderr: bool = False) -> Console:
    # highlight and emoji off: data such as "SGB II" or ":x:" is shown as it is written
    return Console(stderr=stderr, highlight=False, emoji=False, markup=False)


def plain_text(value: str | None, style: str | Style = "") -> Text:
    return Text(inert(value), style=style)


def lines_text(values: Iterable[str], style: str = "") -> Text:
    """One value a line; each value itself made inert (a newline in data stays visible)."""
    return Text("\n").join(plain_text(value, style) for value in values)


def link(value: str, url: str) -> Text:
    return Text(inert(value), style=Style(link=inert(url)))


def phone_text(phones: Sequence[Phone]) -> Text:
    return Text(", ").join(link(phone.display, f"tel:{phone.e164}") for phone in phones)


def email_text(emails: Sequence[str]) -> Text:
    return Text(", ").join(link(email, f"mailto:{email}") for email in emails)


def website_text(urls: Sequence[str]) -> Text:
    return Text(", ").join(link(url, url) for url in urls)


def org_path_text(directory: Directory, org_id: str) -> Text:
    return plain_text(PATH_SEPARATOR.join(directory.org_path(org_id)))


def _details() -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column(overflow="fold")
    return grid


def person_card(directory: Directory, person: Person, score: float | None = None) -> Panel:
    body = _details()
    for aff in person.affiliations:
        line = Text()
        if aff.role:
            line.append_text(plain_text(aff.role, "bold"))
            line.append("\n")
        line.append_text(org_path_text(directory, aff.org_id))
        body.add_row(label("organization"), line)
    if person.phones:
        body.add_row(label("phone"), phone_text(person.phones))
    if person.emails:
        body.add_row(label("email"), email_text(person.emails))
    address = directory.address_of(person)
    if address is not None:
        body.add_row(label("address"), lines_text(address.lines()))
    if person.websites:
        body.add_row(label("website"), website_text(person.websites))
    topics = _person_topics(directory, person)
    if topics:
        body.add_row(label("topics"), plain_text(", ".join(topics)))
    subtitle = plain_text(person.id, "dim")
    if score is not None:
        subtitle.append(f" · {score:g}", style="dim")
    return Panel(
        body,
        title=plain_text(person.name, f"bold {ACCENT}"),
        title_align="left",
        subtitle=subtitle,
        subtitle_align="right",
        box=box.ROUNDED,
        expand=False,
    )


def _person_topics(directory: Directory, person: Person) -> list[str]:
    """The person's own topics, then those of their own units."""
    topics = list(person.topics)
    for aff in person.affiliations:
        org = directory.organizations.get(aff.org_id)
        if org is not None:
            topics.extend(topic for topic in org.topics if topic not in topics)
    return topics


def org_card(directory: Directory, org: Organization) -> Panel:
    body = _details()
    if org.parent:
        body.add_row(label("part_of"), org_path_text(directory, org.parent))
    if org.description:
        body.add_row("", plain_text(org.description, "italic"))
    if org.address is not None:
        body.add_row(label("address"), lines_text(org.address.lines()))
    if org.phones:
        body.add_row(label("phone"), phone_text(org.phones))
    if org.emails:
        body.add_row(label("email"), email_text(org.emails))
    if org.websites:
        body.add_row(label("website"), website_text(org.websites))
    if org.tasks:
        body.add_row(label("tasks"), lines_text(f"• {task}" for task in org.tasks))
    if org.topics:
        body.add_row(label("topics"), plain_text(", ".join(org.topics)))
    units = directory.children(org.id)
    if units:
        body.add_row(label("units"), lines_text(unit.name for unit in units))
    members = [directory.organizations[m].name for m in org.members if m in directory.organizations]
    if members:
        body.add_row(label("members"), lines_text(members))
    people = directory.people_of(org.id)
    if people:
        names = Text("\n").join(_person_line(person) for person in people)
        body.add_row(label("people"), names)
    title = plain_text(org.name, f"bold {ACCENT}")
    if org.short and org.short != org.name:
        title.append_text(plain_text(f" ({org.short})", "bold"))
    return Panel(
        body,
        title=title,
        title_align="left",
        subtitle=plain_text(org.id, "dim"),
        subtitle_align="right",
        box=box.ROUNDED,
        expand=False,
    )


def _person_line(person: Person, stacked: bool = False) -> Text:
    """Name and id, side by side or (in narrow table cells) one above the other."""
    line = plain_text(person.name)
    line.append("\n" if stacked else "  ")
    line.append_text(plain_text(person.id, "dim"))
    return line


def people_table(directory: Directory, people: Iterable[Person]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, header_style=f"bold {ACCENT}")
    table.add_column(label("name"), no_wrap=True)
    table.add_column(f"{label('organization')} / {label('role')}", ratio=1, min_width=16)
    # Phone above e-mail in one column: side by side, two unbreakable columns left the
    # organisation a few letters of an 80-column terminal ("Hess…").
    table.add_column(f"{label('phone')} / {label('email')}", no_wrap=True)
    for person in people:
        first = person.affiliations[0] if person.affiliations else None
        where = Text()
        if first is not None:
            where.append_text(org_path_text(directory, first.org_id))
            if first.role:
                where.append("\n")
                where.append_text(plain_text(first.role, "italic dim"))
        contact = Text("\n").join(
            part
            for part in (phone_text(person.phones[:1]), email_text(person.emails[:1]))
            if part.plain
        )
        table.add_row(_person_line(person, stacked=True), where, contact)
    return table


def org_tree(directory: Directory) -> Tree:
    tree = Tree(plain_text(label("organizations"), "bold"), guide_style="dim")

    def add(branch: Tree, org: Organization) -> None:
        title = plain_text(org.name, f"bold {ACCENT}" if not org.parent else "bold")
        if org.short and org.short != org.name:
            title.append_text(plain_text(f" ({org.short})"))
        title.append_text(plain_text(f"  {org.id}", "dim"))
        node = branch.add(title)
        for unit in directory.children(org.id):
            add(node, unit)
        for person in directory.people_of(org.id):
            role = next((a.role for a in person.affiliations if a.org_id == org.id), None)
            line = _person_line(person)
            if role:
                line.append_text(plain_text(f"  {role}", "italic"))
            node.add(line)

    for root in directory.roots():
        add(tree, root)
    return tree


def topics_table(rows: Iterable[TopicRow]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, header_style=f"bold {ACCENT}")
    table.add_column(label("topic"), overflow="fold", ratio=3)
    table.add_column(label("units"), overflow="fold", ratio=2)
    table.add_column(label("people"), overflow="fold", ratio=2)
    for row in rows:
        topic = plain_text(row.topic)
        if row.kind == "task":
            topic.append_text(plain_text(f" ({label('task')})", "dim"))
        table.add_row(
            topic,
            lines_text(org.label for org in row.units),
            lines_text(person.name for person in row.people),
        )
    return table


def cards(panels: Sequence[Panel]) -> Group:
    return Group(*panels)
