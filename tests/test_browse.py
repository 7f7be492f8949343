"""`kjcdir browse`, driven through Textual's own test harness (App.run_test and its Pilot).

The tests type as a user types and read what the app then holds: the list, the card's
person, the status line, the clipboard and the OSC 52 sequence sent to the terminal,
files written. tests/test_browse_terminal.py runs the installed command in tmux.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import vobject

from conftest import BUNDLED_PEOPLE, Cli
from kjcdir.browse import LIST_LIMIT, AskScreen, BrowseApp, ConfirmScreen, QrScreen
from kjcdir.lookup import people_as_you_type
from kjcdir.store import open_directory

pytestmark = pytest.mark.usefixtures("module_cache")

Script = Callable[[BrowseApp, Any], Awaitable[None]]


def drive(
    script: Script, query: str = "", size: tuple[int, int] = (120, 30), data: Path | None = None
) -> BrowseApp:
    """Run the app headless at `size` (columns, lines) on the bundled directory (or on the
    file `data` alone), let `script` use it, and return it."""
    loaded = open_directory([data], False) if data else open_directory([], True)
    app = BrowseApp(loaded, query)

    async def run() -> None:
        async with app.run_test(size=size) as pilot:
            await settle(app, pilot)
            await script(app, pilot)

    asyncio.run(run())
    return app


async def settle(app: BrowseApp, pilot: Any) -> None:
    """Until the searches started by the keys so far have answered and been shown."""
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def keys(app: BrowseApp, pilot: Any, *pressed: str) -> None:
    await pilot.press(*pressed)
    await settle(app, pilot)


def shown(app: BrowseApp) -> list[str]:
    return [person.id for person in app.page.people]


def status(app: BrowseApp) -> str:
    return str(app.query_one("#status").render())


def card_id(app: BrowseApp) -> str | None:
    return app.card_person.id if app.card_person else None


# --- the list and the card ------------------------------------------------------------


def test_an_empty_field_lists_everyone_in_file_order() -> None:
    async def script(app: BrowseApp, pilot: Any) -> None:
        assert shown(app) == BUNDLED_PEOPLE
        assert status(app) == f"{len(BUNDLED_PEOPLE)} people"
        assert card_id(app) == BUNDLED_PEOPLE[0]

    drive(script)


def test_every_key_gives_finds_answer_and_the_card_follows() -> None:
    seen: list[list[str]] = []

    async def script(app: BrowseApp, pilot: Any) -> None:
        for key in "wism":
            await keys(app, pilot, key)
            seen.append(shown(app))
        assert card_id(app) == "rena-wissmeier"
        assert status(app) == "1 person"

    drive(script)
    loaded = open_directory([], True)
    expected = [[p.id for p in people_as_you_type(loaded, "wism"[:n]).people] for n in (1, 2, 3, 4)]
    assert seen == expected
    assert seen[-1] == ["rena-wissmeier"]


def test_the_query_argument_fills_the_field() -> None:
    async def script(app: BrowseApp, pilot: Any) -> None:
        assert app.query_one("#search").value == "Hofmeister"  # type: ignore[attr-defined]
        assert shown(app) == ["michael-hofmeister"]

    drive(script, query="Hofmeister")


def test_backspace_to_empty_lists_everyone_again() -> None:
    async def script(app: BrowseApp, pilot: Any) -> None:
        await keys(app, pilot, *"wism")
        await keys(app, pilot, *["backspace"] * 4)
        assert shown(app) == BUNDLED_PEOPLE

    drive(script)


def test_arrows_and_pages_move_the_selection_from_the_search_field() -> None:
    async def script(app: BrowseApp, pilot: Any) -> None:
        await keys(app, pilot, "down", "down")
        assert card_id(app) == BUNDLED_PEOPLE[2]
        await keys(app, pilot, "up")
        assert card_id(app) == BUNDLED_PEOPLE[1]
        await keys(app, pilot, "pagedown")
        assert card_id(app) == BUNDLED_PEOPLE[-1]  # nine people fit on one page
        await keys(app, pilot, "pageup")
        assert card_id(app) == BUNDLED_PEOPLE[0]
        assert app.focused is app.query_one("#search")  # typing goes on

    drive(script)


def test_enter_focuses_the_card_and_escape_returns_to_the_search() -> None:
    async def script(app: BrowseApp, pilot: Any) -> None:
        await keys(app, pilot, *"wism", "enter")
        assert app.focused is app.query_one("#card")
        await keys(app, pilot, "escape")
        assert app.focused is app.query_one("#search")
        assert app.is_running

    drive(script)


@pytest.mark.parametrize(
    "text",
    [
        "[bold red]x[/]",
        "\x1b[2J",
        ",,,",
        "   ",
        "x" * 500,
        "0611",
        "@",
        "ü" * 3,
        "[link=file:///etc/passwd]",
    ],
)
def test_any_text_in_the_field_is_fine(text: str) -> None:
    async def script(app: BrowseApp, pilot: Any) -> None:
        app.query_one("#search").value = text  # type: ignore[attr-defined]
        await settle(app, pilot)
        assert app.is_running
        loaded = app.loaded
        assert shown(app) == [p.id for p in people_as_you_type(loaded, text).people]

    drive(script)


def test_no_match_says_so() -> None:
    async def script(app: BrowseApp, pilot: Any) -> None:
        await keys(app, pilot, *"zzqx")
        assert shown(app) == [] and card_id(app) is None
        assert status(app) == "No one matches."

    drive(script)


# --- filters -------------------------------------------------------------------------------


def test_ctrl_o_filters_by_an_organisation_with_its_units() -> None:
    async def script(app: BrowseApp, pilot: Any) -> None:
        await keys(app, pilot, "ctrl+o")
        assert isinstance(app.screen, AskScreen)
        await keys(app, pilot, *"HLT", "enter")
        loaded = app.loaded
        hlt = set(loaded.directory.subtree("hlt"))
        assert shown(app)
        for person in app.page.people:
            assert any(aff.org_id in hlt for aff in person.affiliations)
        assert "Organisation: Hessischer Landkreistag" in status(app)
        # and with a query: its hits within the organisation
        await keys(app, pilot, *"wism")
        assert shown(app) == []
        # an empty answer lifts the filter
        await keys(app, pilot, "ctrl+o", "ctrl+u", "enter")
        assert shown(app) == ["rena-wissmeier"]

    drive(script)


def test_ctrl_o_completes_shorts_names_and_aliases() -> None:
    async def script(app: BrowseApp, pilot: Any) -> None:
        await keys(app, pilot, "ctrl+o", *"Hessischer St")
        field = app.screen.query_one("#answer")
        assert field._suggestion == "Hessischer Städtetag"  # type: ignore[attr-defined]
        await keys(app, pilot, "right", "enter")  # → takes the suggestion
        assert status(app).endswith("Organisation: Hessischer Städtetag")

    drive(script)


def test_an_unknown_organisation_is_a_notice_not_an_error() -> None:
    async def script(app: BrowseApp, pilot: Any) -> None:
        await keys(app, pilot, "ctrl+o", *"Nirgendwo", "enter")
        assert app.is_running and app.org_id is None
        assert shown(app) == BUNDLED_PEOPLE
        notices = [notice.message for notice in app._notifications]
        assert any("Nirgendwo" in message for message in notices)

    drive(script)


def test_ctrl_t_filters_by_topic() -> None:
    async def script(app: BrowseApp, pilot: Any) -> None:
        await keys(app, pilot, "ctrl+t", *"Sozialreferat", "enter")
        assert shown(app)
        assert set(shown(app)) < set(BUNDLED_PEOPLE)
        assert "Topic: Sozialreferat" in status(app)
        await keys(app, pilot, "ctrl+t", "escape")  # Esc keeps the filter
        assert "Topic: Sozialreferat" in status(app)

    drive(script)


# --- copying, saving, the QR code ------------------------------------------------------


def written_to_terminal(app: BrowseApp) -> list[str]:
    """What the app writes to its terminal from now on (Textual's driver)."""
    sent: list[str] = []
    driver = app._driver
    assert driver is not None
    original = driver.write

    def write(data: str) -> None:
        sent.append(data)
        original(data)

    driver.write = write  # type: ignore[method-assign]
    return sent


def test_copying_sends_osc_52_with_the_email_and_the_phone() -> None:
    async def script(app: BrowseApp, pilot: Any) -> None:
        sent = written_to_terminal(app)
        await keys(app, pilot, *"wism", "ctrl+e")
        email = "wissmeier@hess-staedtetag.de"
        assert app.clipboard == email
        assert f"\x1b]52;c;{base64.b64encode(email.encode()).decode()}\a" in sent
        await keys(app, pilot, "ctrl+p")
        assert app.clipboard == "+49 611 1702-25"

    drive(script)


def test_copying_what_a_person_lacks_is_a_notice(tmp_path: Path) -> None:
    data = tmp_path / "p.yaml"
    data.write_text(
        '{"organizations": [{"id": "a", "name": "Amt"}], '
        '"people": [{"id": "ohne", "family_name": "Ohne", "affiliations": [{"org": "a"}]}]}',
        encoding="utf-8",
    )
    app = BrowseApp(open_directory([data], False))

    async def run() -> None:
        async with app.run_test() as pilot:
            await settle(app, pilot)
            await keys(app, pilot, "ctrl+e", "ctrl+p")
            notices = [notice.message for notice in app._notifications]
            assert notices == ["Ohne has no e-mail address.", "Ohne has no phone number."]
            assert app.clipboard == ""

    asyncio.run(run())


def test_ctrl_s_writes_the_vcard_and_never_replaces_without_asking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "rena-wissmeier.vcf"

    async def script(app: BrowseApp, pilot: Any) -> None:
        await keys(app, pilot, *"wism", "ctrl+s")
        assert isinstance(app.screen, AskScreen)
        assert app.screen.query_one("#answer").value == "rena-wissmeier.vcf"  # type: ignore[attr-defined]
        await keys(app, pilot, "enter")
        card = vobject.readOne(target.read_text(encoding="utf-8"))
        assert card.fn.value == "Rena Wißmeier"
        target.write_text("mine\n", encoding="utf-8")
        await keys(app, pilot, "ctrl+s", "enter")
        assert isinstance(app.screen, ConfirmScreen)
        await keys(app, pilot, "n")
        assert target.read_text(encoding="utf-8") == "mine\n"
        await keys(app, pilot, "ctrl+s", "enter", "j")
        assert vobject.readOne(target.read_text(encoding="utf-8")).fn.value == "Rena Wißmeier"
        target.write_text("mine\n", encoding="utf-8")
        await keys(app, pilot, "ctrl+s", "enter", "y")
        assert vobject.readOne(target.read_text(encoding="utf-8")).fn.value == "Rena Wißmeier"

    drive(script)


def test_a_vcard_that_cannot_be_written_is_a_notice(tmp_path: Path) -> None:
    async def script(app: BrowseApp, pilot: Any) -> None:
        await keys(app, pilot, "ctrl+s", "ctrl+u", *str(tmp_path / "nowhere" / "x.vcf"), "enter")
        notices = [notice.message for notice in app._notifications]
        assert len(notices) == 1 and "folder does not exist" in notices[0]
        assert app.is_running

    drive(script)


def test_ctrl_r_shows_the_qr_code_and_escape_closes_it() -> None:
    async def script(app: BrowseApp, pilot: Any) -> None:
        await keys(app, pilot, *"wism", "ctrl+r")
        assert isinstance(app.screen, QrScreen)
        assert "▀" in app.screen.drawing or "▄" in app.screen.drawing
        from kjcdir.export import qr, vcard

        person = app.loaded.directory.people["rena-wissmeier"]
        payload = vcard.person_card(app.loaded.directory, person, "3.0", compact=True)
        assert app.screen.drawing == qr.terminal_text(qr.make(payload))
        drawing = app.screen.query_one("#qr > Static").region
        width = max(len(line) for line in app.screen.drawing.splitlines())
        assert drawing.width == width and drawing.height > 0  # drawn, not laid out at 0×0
        await keys(app, pilot, "escape")
        assert not isinstance(app.screen, QrScreen)
        assert app.is_running

    drive(script)


# --- quitting, layout ----------------------------------------------------------------------


def test_escape_in_the_search_field_quits() -> None:
    async def script(app: BrowseApp, pilot: Any) -> None:
        await keys(app, pilot, "escape")

    app = drive(script)
    assert app.return_code in (None, 0)
    assert not app.is_running


def test_q_quits_from_the_list_and_is_a_letter_in_the_field() -> None:
    async def script(app: BrowseApp, pilot: Any) -> None:
        await keys(app, pilot, "q")
        assert app.query_one("#search").value == "q"  # type: ignore[attr-defined]
        assert app.is_running
        await keys(app, pilot, "ctrl+u", "tab")  # to the list
        assert app.focused is app.query_one("#people")
        await keys(app, pilot, "q")

    app = drive(script)
    assert not app.is_running


@pytest.mark.parametrize(
    ("size", "narrow"), [((80, 24), True), ((60, 20), True), ((120, 30), False)]
)
def test_the_card_goes_below_the_list_under_100_columns(
    size: tuple[int, int], narrow: bool
) -> None:
    async def script(app: BrowseApp, pilot: Any) -> None:
        people, card = app.query_one("#people").region, app.query_one("#card").region
        if narrow:
            assert card.y >= people.bottom and card.width == people.width
        else:
            assert card.x >= people.right and card.y == people.y
        assert people.height > 0 and card.height > 0

    drive(script, size=size)


def test_no_color_is_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    """Textual reads NO_COLOR and draws through a filter that takes the colours out."""
    from textual.filter import Monochrome, NoColor

    monkeypatch.setenv("NO_COLOR", "1")

    async def script(app: BrowseApp, pilot: Any) -> None:
        assert any(isinstance(f, (Monochrome, NoColor)) for f in app._filters)

    drive(script)


# --- the command --------------------------------------------------------------------------


def test_browse_without_a_terminal_is_one_sentence(cli: Cli) -> None:
    result = cli("browse")
    assert result.exit_code == 2
    assert result.stderr == "kjcdir: browse needs a terminal; use find.\n"
    assert result.stdout == ""


# --- what the review of the first version found ----------------------------------------


def notices(app: BrowseApp) -> list[str]:
    return [notice.message for notice in app._notifications]


def many_people(folder: Path, count: int, topics: bool = True) -> Path:
    """A directory file of `count` people called Schmidt, in one office."""
    office = {"id": "amt", "name": "Amt", **({"topics": ["Beratung"]} if topics else {})}
    people = [
        {"id": f"p{n:03d}", "given_name": f"Anna{n:03d}", "family_name": "Schmidt",
         "affiliations": [{"org": "amt"}]}
        for n in range(count)
    ]  # fmt: skip
    path = folder / "people.yaml"
    path.write_text(json.dumps({"organizations": [office], "people": people}), encoding="utf-8")
    return path


def drive_data(data: Path, script: Script, size: tuple[int, int] = (120, 30)) -> BrowseApp:
    return drive(script, size=size, data=data)


def test_the_count_line_counts_every_hit_beyond_the_list(tmp_path: Path) -> None:
    async def script(app: BrowseApp, pilot: Any) -> None:
        assert status(app) == f"{LIST_LIMIT} of 250 people"
        await keys(app, pilot, *"schmidt")
        assert len(shown(app)) == LIST_LIMIT
        assert status(app) == f"{LIST_LIMIT} of 250 people"

    drive_data(many_people(tmp_path, 250), script)


def test_ctrl_t_without_topics_is_a_notice(tmp_path: Path) -> None:
    async def script(app: BrowseApp, pilot: Any) -> None:
        await keys(app, pilot, "ctrl+t")
        assert notices(app) == ["This directory has no topics."]
        assert app.is_running and not isinstance(app.screen, AskScreen)

    drive_data(many_people(tmp_path, 3, topics=False), script)


def test_the_main_keys_do_nothing_inside_a_dialog() -> None:
    async def script(app: BrowseApp, pilot: Any) -> None:
        await keys(app, pilot, "ctrl+o")
        depth = len(app.screen_stack)
        await keys(app, pilot, "ctrl+o", "ctrl+t", "ctrl+s", "ctrl+r", "ctrl+e")
        assert len(app.screen_stack) == depth
        assert app.clipboard == ""

    drive(script)


def test_a_resize_under_a_dialog_moves_the_card_below() -> None:
    async def script(app: BrowseApp, pilot: Any) -> None:
        await keys(app, pilot, "ctrl+o")
        await pilot.resize_terminal(80, 24)
        await keys(app, pilot, "escape")
        people, card = app.query_one("#people").region, app.query_one("#card").region
        assert card.y >= people.bottom

    drive(script)


def test_saving_onto_a_link_or_a_folder_is_refused_without_asking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep\n", encoding="utf-8")
    (tmp_path / "link.vcf").symlink_to(victim)
    (tmp_path / "folder.vcf").mkdir()

    async def script(app: BrowseApp, pilot: Any) -> None:
        await keys(app, pilot, "ctrl+s", "ctrl+u", *"link.vcf", "enter")
        await keys(app, pilot, "ctrl+s", "ctrl+u", *"folder.vcf", "enter")
        assert not isinstance(app.screen, ConfirmScreen)
        assert notices(app) == [
            "link.vcf is a symbolic link; kjcdir does not write through links.",
            "folder.vcf is not a regular file.",
        ]

    drive(script)
    assert victim.read_text(encoding="utf-8") == "keep\n"


def test_org_completion_offers_only_names_that_name_one_organisation() -> None:
    async def script(app: BrowseApp, pilot: Any) -> None:
        names = app._org_names()
        assert "Sozialreferat" not in names  # the HLT's and the HStT's
        assert names["HStT"] == "hstt"
        assert names["hlt-sozialreferat"] == "hlt-sozialreferat"
        await keys(app, pilot, "ctrl+o", *"hstt-sozialreferat", "enter")
        assert status(app).endswith("Hessischer Städtetag › Sozialreferat")
        assert shown(app) == ["michael-hofmeister"]
        await keys(app, pilot, "ctrl+o")
        assert app.screen.query_one("#answer").value == "hstt-sozialreferat"  # type: ignore[attr-defined]

    drive(script)


def test_under_an_org_filter_each_line_names_the_affiliation_within_it() -> None:
    async def script(app: BrowseApp, pilot: Any) -> None:
        await keys(app, pilot, "ctrl+o", *"AK Option", "enter")
        directory = app.loaded.directory
        inside = directory.subtree(app.org_id or "")
        for person in app.page.people:
            lead = app.page.leads.get(person.id) or person.first_affiliation
            assert lead is not None and lead.org_id in inside

    drive(script)


def test_one_or_two_letters_ask_for_more() -> None:
    async def script(app: BrowseApp, pilot: Any) -> None:
        await keys(app, pilot, "w")
        assert status(app) == "Keep typing: a word needs three letters to match as a beginning."
        await keys(app, pilot, "i", "s")
        assert "rena-wissmeier" in shown(app)

    drive(script)


def test_ctrl_c_quits() -> None:
    async def script(app: BrowseApp, pilot: Any) -> None:
        await keys(app, pilot, *"wis", "ctrl+c")

    assert not drive(script).is_running
