"""Rich output for a terminal: contact cards, tables and trees.

Data never goes through rich's markup parser: every value is wrapped in a Text
after `inert` has replaced control characters, so `[bold]` in a name is shown as
typed and an escape sequence in a field never reaches the terminal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from rich import box
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.panel import Panel
from rich.style import Style
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from kjcdir.model import Affiliation, Directory, Organization, Person, Phone
from kjcdir.output.text import inert, label

if TYPE_CHECKING:
    from kjcdir.lookup import TopicRow

ACCENT = "cyan"
# Narrower than this is no terminal but a wrong size (COLUMNS=0, a pseudo-terminal that
# reports 0 columns): rich would print nothing, or a column of single letters.
MIN_WIDTH = 20
FALLBACK_WIDTH = 80


def console(stderr: bool = False) -> Console:
    # highlight and emoji off: data such as "SGB II" or ":x:" is shown as it is written
    out = Console(stderr=stderr, highlight=False, emoji=False, markup=False)
    if out.width < MIN_WIDTH:  # rich takes COLUMNS, else the terminal's size, as it is
        out.width = FALLBACK_WIDTH
    return out


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
    return plain_text(directory.path_text(org_id))


def _details() -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column(overflow="fold")
    return grid


def person_card(directory: Directory, person: Person, score: float | None = None) -> Card:
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
    from kjcdir.letter import titled_name  # "Frau Rena Wißmeier" where the data gives "Frau"

    return Card(body, plain_text(titled_name(person), f"bold {ACCENT}"), person.id, score)


def _person_topics(directory: Directory, person: Person) -> list[str]:
    """The person's own topics, then those of their own units."""
    topics = list(person.topics)
    for aff in person.affiliations:
        org = directory.organizations.get(aff.org_id)
        if org is not None:
            topics.extend(topic for topic in org.topics if topic not in topics)
    return topics


def org_card(directory: Directory, org: Organization) -> Card:
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
    bodies = directory.member_of(org.id)  # the reverse of `members`
    if bodies:
        body.add_row(
            label("member_of"),
            lines_text(directory.path_text(b.id) for b in bodies),
        )
    people = directory.people_of(org.id)
    if people:
        names = Text("\n").join(_person_line(person) for person in people)
        body.add_row(label("people"), names)
    title = plain_text(org.name, f"bold {ACCENT}")
    if org.short and org.short != org.name:
        title.append_text(plain_text(f" ({org.short})", "bold"))
    return Card(body, title, org.id)


class Card:
    """A contact card: a panel with the name on top and the id in the bottom border.

    rich sizes a panel by its body and title and cuts the bottom border's text to fit,
    so a short card could lose the end of its id. The panel is made wide enough for the
    id; where the terminal is too narrow even for that, the id goes on the card's first
    line, where it folds instead of being cut.
    """

    def __init__(self, body: Table, title: Text, entry_id: str, score: float | None = None) -> None:
        self.body = body
        self.title = title
        self.entry_id = entry_id
        self.score = score  # of a search, after the id

    def panel(self, console: Console, options: ConsoleOptions) -> Panel:
        score = "" if self.score is None else f"{self.score:g}"
        subtitle = plain_text(f"{self.entry_id} · {score}" if score else self.entry_id, "dim")
        body: RenderableType = self.body
        border = subtitle.cell_len + 6  # a corner, a line and a space each side
        if border > options.max_width:
            first_line = plain_text(self.entry_id, "dim")
            first_line.overflow = "fold"
            body = Group(first_line, self.body)
            subtitle = plain_text(score, "dim")
            border = subtitle.cell_len + 6
        panel = Panel(
            body,
            title=self.title,
            title_align="left",
            subtitle=subtitle if subtitle.plain else None,
            subtitle_align="right",
            box=box.ROUNDED,
        )
        # expanded to a width that holds the id (rich measures body and title only)
        panel.width = max(border, Measurement.get(console, options, panel).maximum)
        return panel

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.panel(console, options)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self.panel(console, options))


def _person_line(person: Person) -> Text:
    """Name and id, side by side."""
    line = plain_text(person.name)
    line.append("  ")
    line.append_text(plain_text(person.id, "dim"))
    return line


def people_table(
    directory: Directory,
    people: Iterable[Person],
    leads: Mapping[str, Affiliation] | None = None,
) -> PeopleTable:
    return PeopleTable(directory, people, leads)


class PeopleTable:
    """`list` as a table laid out for the width it is printed in.

    Wide enough, three columns: name and id, organisation and role, phone and e-mail.
    rich fits a table by shrinking columns, and cut ids and e-mail addresses ("laura-bre…")
    when the unbreakable columns did not fit; so the layout is chosen here instead: two
    columns (name and id beside all the rest) and, narrower still, one. The id column is
    never narrower than the longest id, so an id is always printed whole on its line.
    """

    # Columns that are not the name's get at least this much room; an org path wraps.
    MIN_ORG_WIDTH = 16
    MIN_DETAILS_WIDTH = 24

    def __init__(
        self,
        directory: Directory,
        people: Iterable[Person],
        leads: Mapping[str, Affiliation] | None = None,
    ) -> None:
        self.rows: list[tuple[Text, Text, Text, Text]] = []
        for person in people:
            # the affiliation that explains the row (lookup.lead_affiliations), else the first
            first = (leads or {}).get(person.id) or person.first_affiliation
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
            name, entry_id = plain_text(person.name), plain_text(person.id, "dim")
            self.rows.append((name, entry_id, where, contact))
        self.name_header = label("name")
        self.where_header = f"{label('organization')} / {label('role')}"
        # Phone above e-mail in one column: side by side, two unbreakable columns left the
        # organisation a few letters of an 80-column terminal ("Hess…").
        self.contact_header = f"{label('phone')} / {label('email')}"

    @staticmethod
    def _widest(texts: Iterable[Text | str]) -> int:
        """The cells the longest line of the texts takes."""
        lines = (line for text in texts for line in str(text).split("\n"))
        return max(map(cell_len, lines), default=0)

    def table(self, width: int) -> Table:
        """The table for a line of `width` cells."""
        id_width = self._widest([self.name_header, *(row[1] for row in self.rows)])
        name_width = max(id_width, self._widest(row[0] for row in self.rows))
        contact_width = self._widest([self.contact_header, *(row[3] for row in self.rows)])
        # SIMPLE_HEAD: an edge each side, a divider between columns, one cell of padding
        # each side of every column
        if name_width + self.MIN_ORG_WIDTH + contact_width + _frame(3) <= width:
            return self._three_columns()
        if id_width + self.MIN_DETAILS_WIDTH + _frame(2) <= width:
            room = width - _frame(2) - self.MIN_DETAILS_WIDTH
            return self._two_columns(max(id_width, min(name_width, room)))
        return self._one_column()

    def _table(self, show_lines: bool = False) -> Table:
        # SIMPLE_HEAD's lines between rows are blank: they part the tall rows of narrow layouts
        return Table(box=box.SIMPLE_HEAD, header_style=f"bold {ACCENT}", show_lines=show_lines)

    def _three_columns(self) -> Table:
        table = self._table()
        table.add_column(self.name_header, no_wrap=True)
        table.add_column(self.where_header, ratio=1, min_width=self.MIN_ORG_WIDTH, overflow="fold")
        table.add_column(self.contact_header, no_wrap=True)
        for name, entry_id, where, contact in self.rows:
            table.add_row(_lines(name, entry_id), where, contact)
        return table

    def _two_columns(self, name_width: int) -> Table:
        table = self._table(show_lines=True)
        table.add_column(self.name_header, width=name_width, overflow="fold")
        details = f"{self.where_header}\n{self.contact_header}"
        table.add_column(details, ratio=1, overflow="fold")
        for name, entry_id, where, contact in self.rows:
            table.add_row(_lines(name, entry_id), _lines(where, contact))
        return table

    def _one_column(self) -> Table:
        table = self._table(show_lines=True)
        table.add_column(self.name_header, ratio=1, overflow="fold")
        for row in self.rows:
            table.add_row(_lines(*row))
        return table

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.table(options.max_width)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self.table(options.max_width))


def _frame(columns: int) -> int:
    """The cells a SIMPLE_HEAD table with one cell of padding needs beside its content."""
    return 2 + (columns - 1) + 2 * columns


def _lines(*parts: Text) -> Text:
    """The parts that hold anything, one below the other."""
    return Text("\n").join(part for part in parts if part.plain)


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


def cards(panels: Sequence[RenderableType]) -> Group:
    return Group(*panels)
