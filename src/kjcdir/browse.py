"""`kjcdir browse`: the directory in a full-screen view, searched at every keystroke.

Built with Textual (which draws with rich, as the rest of kjcdir does); this module is
imported only by `browse`, so no other command pays for Textual. The search is
`lookup.people_as_you_type`, `find`'s ranking and rules, run off the UI thread so that
typing never waits for it; the card is the terminal card of `show`.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from kjcdir.errors import KjcdirError, Terminated
from kjcdir.lookup import Page, people_as_you_type, resolve_org
from kjcdir.model import Person
from kjcdir.output.text import inert, is_german, label
from kjcdir.store import Loaded

# Under this width the card goes below the list instead of beside it.
NARROW = 100
LIST_LIMIT = 100  # people in the list (each redrawn at every keystroke); a query narrows the rest


def _number(count: int) -> str:
    """10,000 in English, 10.000 in German."""
    return f"{count:,}".replace(",", "." if is_german() else ",")


def _bindings() -> list[BindingType]:
    """The keys, labelled in the locale's language (read when `browse` imports this)."""
    return [
        Binding("escape", "quit", label("quit")),
        Binding("ctrl+c", "quit", label("quit"), show=False, priority=True),
        Binding("enter", "focus_card", label("card"), show=False),
        Binding("ctrl+o", "choose_org", label("org_key"), priority=True),
        Binding("ctrl+t", "choose_topic", label("topic"), priority=True),
        Binding("ctrl+e", "copy_email", label("copy_email"), priority=True),
        Binding("ctrl+p", "copy_phone", label("copy_phone"), priority=True),
        Binding("ctrl+s", "save_vcard", label("save"), priority=True),
        Binding("ctrl+r", "show_qr", label("qr"), priority=True),
        Binding("down", "move('cursor_down')", show=False),
        Binding("up", "move('cursor_up')", show=False),
        Binding("pagedown", "move('page_down')", show=False),
        Binding("pageup", "move('page_up')", show=False),
    ]


class SearchField(Input):
    """The search field; Ctrl+E copies the e-mail here, so only End goes to the end."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("end", "end", "Go to end", show=False)
        if isinstance(binding, Binding) and binding.action == "end"
        else binding
        for binding in Input.BINDINGS
    ]


class PeopleList(OptionList):
    """The ranked people; `q` quits from here (in the search field it is a letter)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("q", "app.quit", label("quit"))]


class CardView(VerticalScroll):
    """The selected person's card; Esc goes back to the search."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "app.focus_search", label("back"))]


class AskScreen(ModalScreen[str | None]):
    """One line of input, with completion from `choices`; Esc cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", label("back"))]

    def __init__(self, prompt: str, value: str = "", choices: list[str] | None = None) -> None:
        super().__init__()
        self.prompt = prompt
        self.value = value
        self.choices = choices or []

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text(self.prompt), id="prompt")
            suggester = (
                SuggestFromList(self.choices, case_sensitive=False) if self.choices else None
            )
            yield Input(value=self.value, suggester=suggester, id="answer")

    @on(Input.Submitted)
    def answered(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmScreen(ModalScreen[bool]):
    """A yes-or-no question: y/j yes, n or Esc no."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y,j", "answer(True)", label("yes")),
        Binding("n,escape", "answer(False)", label("no")),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text(self.question))

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class QrScreen(ModalScreen[None]):
    """The selected person's QR code (a vCard 3.0), as `kjcdir qr` draws it."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,enter", "close", label("back"))]

    def __init__(self, drawing: str) -> None:
        super().__init__()
        self.drawing = drawing

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="qr"):
            yield Static(Text(self.drawing, no_wrap=True))

    def action_close(self) -> None:
        self.dismiss(None)


class BrowseApp(App[None]):
    CSS = """
    #search { dock: top; }
    #body { height: 1fr; }
    #people { width: 45%; height: 1fr; }
    #card { width: 1fr; height: 1fr; padding: 0 1; }
    Screen.narrow #body { layout: vertical; }
    Screen.narrow #people { width: 100%; height: 1fr; }
    Screen.narrow #card { width: 100%; height: 1fr; }
    #status { height: 1; padding: 0 1; color: $text-muted; }
    AskScreen, ConfirmScreen, QrScreen { align: center middle; }
    #dialog { width: 80%; max-width: 90; height: auto; border: round $accent; padding: 0 1; }
    #qr { width: 100%; height: 100%; }
    #qr > Static { width: auto; height: auto; }
    """
    TITLE = "kjcdir"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = _bindings()

    def __init__(self, loaded: Loaded, query: str = "") -> None:
        super().__init__()
        self.loaded = loaded
        self.query_text = query
        self.org_id: str | None = None
        self.topic: str | None = None
        self.page = Page([], 0, {})
        self.card_person: Person | None = None  # whose card is shown
        self.generation = 0  # of the search whose answer the list shows
        self.stopped_by: int | None = None  # the signal that ended the view

    def compose(self) -> ComposeResult:
        yield SearchField(value=self.query_text, placeholder=label("search"), id="search")
        yield Static(id="status")
        with Horizontal(id="body"):
            yield PeopleList(id="people")
            with CardView(id="card"):
                yield Static(id="card-content")
        yield Footer()

    def on_mount(self) -> None:
        self._end_on_signals()
        self.query_one("#search", Input).focus()
        self._layout(self.size.width)
        self.search_now()

    _MAIN_ACTIONS = frozenset(
        {"choose_org", "choose_topic", "copy_email", "copy_phone", "save_vcard", "show_qr"}
    )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The keys of the main view do nothing while a dialog is open (there Ctrl+E is
        the field's own: to the end)."""
        return not (action in self._MAIN_ACTIONS and isinstance(self.screen, ModalScreen))

    def _end_on_signals(self) -> None:
        """SIGTERM and SIGHUP (the terminal closed, an SSH connection lost) end the view
        as they end every command: raised in the event loop they would be lost."""
        loop = asyncio.get_running_loop()
        for name in ("SIGTERM", "SIGHUP"):
            number = getattr(signal, name, None)
            if number is not None and signal.getsignal(number) is not signal.SIG_IGN:
                loop.add_signal_handler(number, self._stop, number)

    def _stop(self, number: int) -> None:
        self.stopped_by = number
        self.exit()

    def on_resize(self, event: events.Resize) -> None:
        self._layout(event.size.width)

    def _layout(self, width: int) -> None:
        # the main screen's, also while a dialog is on top of it
        self.screen_stack[0].set_class(width < NARROW, "narrow")

    # --- searching --------------------------------------------------------------------

    @on(Input.Changed, "#search")
    def typed(self, event: Input.Changed) -> None:
        self.query_text = event.value
        self.search_now()

    def search_now(self) -> None:
        self.generation += 1
        self.run_search(self.generation, self.query_text, self.org_id, self.topic)

    @work(thread=True, exclusive=True, group="search")
    def run_search(self, generation: int, text: str, org_id: str | None, topic: str | None) -> None:
        """The search, in a thread: the UI keeps taking keys while it runs; an answer
        that a newer keystroke has overtaken is dropped."""
        page = people_as_you_type(self.loaded, text, org_id, topic, LIST_LIMIT)
        self.call_from_thread(self.show_page, generation, page)

    def show_page(self, generation: int, page: Page) -> None:
        if generation != self.generation:
            return
        self.page = page
        people = self.query_one("#people", PeopleList)
        people.clear_options()
        people.add_options(Option(self._line(person), id=person.id) for person in page.people)
        if page.people:
            people.highlighted = 0
        self._show_card(page.people[0] if page.people else None)
        self._status()

    def _line(self, person: Person) -> Text:
        """Two lines: the name, and the affiliation that explains the hit."""
        directory = self.loaded.directory
        line = Text(inert(person.name), style="bold", no_wrap=True, overflow="ellipsis")
        affiliation = self.page.leads.get(person.id) or person.first_affiliation
        if affiliation is not None:
            line.append("\n" + inert(directory.path_text(affiliation.org_id)), style="dim")
        return line

    def _status(self) -> None:
        page = self.page
        parts = []
        if page.too_short:
            parts.append(label("too_short"))
        elif not page.people and (self.query_text.strip() or self.org_id or self.topic):
            parts.append(label("nobody"))
        else:
            shown, total = _number(len(page.people)), _number(page.total)
            count = shown if shown == total else f"{shown} {label('of')} {total}"
            parts.append(f"{count} {label('count_person' if page.total == 1 else 'count_people')}")
        if self.org_id is not None:
            parts.append(f"{label('org')}: {self.loaded.directory.path_text(self.org_id)}")
        if self.topic is not None:
            parts.append(f"{label('topic')}: {self.topic}")
        self.query_one("#status", Static).update(Text(inert(" · ".join(parts))))

    @on(OptionList.OptionHighlighted, "#people")
    def highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._show_card(self._person_at(event.option_index))

    @on(OptionList.OptionSelected, "#people")
    def selected(self, event: OptionList.OptionSelected) -> None:
        self.action_focus_card()

    @on(Input.Submitted, "#search")
    def submitted(self) -> None:
        self.action_focus_card()

    def _person_at(self, index: int | None) -> Person | None:
        if index is None or not 0 <= index < len(self.page.people):
            return None
        return self.page.people[index]

    def _show_card(self, person: Person | None) -> None:
        from kjcdir.output.terminal import person_card

        self.card_person = person
        content = self.query_one("#card-content", Static)
        content.update(person_card(self.loaded.directory, person) if person else "")

    @property
    def selected_person(self) -> Person | None:
        return self._person_at(self.query_one("#people", PeopleList).highlighted)

    # --- keys -------------------------------------------------------------------------

    def action_move(self, how: str) -> None:
        getattr(self.query_one("#people", PeopleList), f"action_{how}")()

    def action_focus_card(self) -> None:
        if self.selected_person is not None:
            self.query_one("#card", CardView).focus()

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_choose_org(self) -> None:
        names = self._org_names()
        current = next((name for name, org_id in names.items() if org_id == self.org_id), "")
        self.push_screen(
            AskScreen(label("org_prompt"), current, sorted(names, key=str.casefold)),
            self._org_chosen,
        )

    def _org_names(self) -> dict[str, str]:
        """What completion offers: each short, name and alias that names one organisation
        alone; where a name is shared (two bodies' "Sozialreferat"), the unit's id."""
        owners: dict[str, set[str]] = {}
        spelled: dict[str, str] = {}
        for org in self.loaded.directory.organizations.values():
            for text in (org.short, org.name, *org.aliases):
                if text:
                    owners.setdefault(text.casefold(), set()).add(org.id)
                    spelled.setdefault(text.casefold(), text)
        names: dict[str, str] = {}
        for key, ids in owners.items():
            if len(ids) == 1:
                names[spelled[key]] = next(iter(ids))
            else:
                names.update({org_id: org_id for org_id in ids})
        return names

    def _org_chosen(self, text: str | None) -> None:
        if text is None:
            return
        if not text.strip():
            self.org_id = None
        else:
            try:
                self.org_id = resolve_org(self.loaded, text).id
            except KjcdirError as error:
                self.notify(inert(error.message), severity="error", markup=False)
                return
        self.search_now()

    def action_choose_topic(self) -> None:
        from kjcdir.lookup import topic_rows

        try:
            topics = sorted({row.topic for row in topic_rows(self.loaded)}, key=str.casefold)
        except KjcdirError:  # a directory without topics
            self.notify(label("no_topics"), severity="warning", markup=False)
            return
        self.push_screen(
            AskScreen(label("topic_prompt"), self.topic or "", topics), self._topic_chosen
        )

    def _topic_chosen(self, text: str | None) -> None:
        if text is None:
            return
        self.topic = text.strip() or None
        self.search_now()

    def action_copy_email(self) -> None:
        self._copy(lambda person: person.emails[0] if person.emails else None, "no_email")

    def action_copy_phone(self) -> None:
        self._copy(lambda person: person.phones[0].display if person.phones else None, "no_phone")

    def _copy(self, pick: Callable[[Person], str | None], missing: str) -> None:
        """Through OSC 52, the terminal's own clipboard (it works over SSH too)."""
        person = self.selected_person
        if person is None:
            return
        value = pick(person)
        if value is None:
            self.notify(f"{inert(person.name)} {label(missing)}", severity="warning", markup=False)
            return
        self.copy_to_clipboard(value)
        self.notify(f"{label('copied')}: {inert(value)}", markup=False)

    def action_save_vcard(self) -> None:
        person = self.selected_person
        if person is None:
            return
        self.push_screen(
            AskScreen(label("save_prompt"), f"{person.id}.vcf"),
            lambda name: self._save(person, name),
        )

    def _save(self, person: Person, name: str | None, force: bool = False) -> None:
        if not name or not name.strip():
            return
        name = os.path.expanduser(name.strip())
        shown = inert(name)
        if os.path.islink(name):
            self.notify(f"{shown} {label('link')}", severity="error", markup=False)
            return
        if os.path.exists(name) and not os.path.isfile(name):
            self.notify(f"{shown} {label('not_a_file')}", severity="error", markup=False)
            return
        if not force and os.path.lexists(name):
            self.push_screen(
                ConfirmScreen(f"{inert(name)} {label('replace')}"),
                lambda yes: self._save(person, name, force=True) if yes else None,
            )
            return
        from kjcdir.export import files, vcard

        data = vcard.person_card(self.loaded.directory, person).encode()
        try:
            files.write_file(name, data, force)
        except KjcdirError as error:
            self.notify(inert(error.message), severity="error", markup=False)
            return
        self.notify(f"{label('saved')}: {inert(str(Path(name)))}", markup=False)

    def action_show_qr(self) -> None:
        person = self.selected_person
        if person is None:
            return
        from kjcdir.export import qr, vcard

        try:
            code = qr.make(vcard.person_card(self.loaded.directory, person, "3.0", compact=True))
        except KjcdirError as error:
            self.notify(inert(error.message), severity="error", markup=False)
            return
        self.push_screen(QrScreen(qr.terminal_text(code)))


def run(loaded: Loaded, query: str = "") -> None:
    """Show the view until the user leaves it; a signal ends it as it ends any command."""
    app = BrowseApp(loaded, query)
    app.run()
    if app.stopped_by is not None:
        raise Terminated(app.stopped_by)
    if app.return_code:  # Textual has shown what failed; the exit code says so too
        raise KjcdirError("browse stopped on an internal error (shown above).")
