"""Regenerate the pictures in docs/ with rich's (and Textual's) own SVG export:
`python docs/make_pictures.py`."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

from rich.console import Console

from kjcdir.output import terminal
from kjcdir.store import Loaded, open_directory

DOCS = Path(__file__).resolve().parent


def main() -> None:
    loaded = open_directory([])
    directory = loaded.directory
    pictures = {
        "card.svg": (
            "kjcdir show rena-wissmeier",
            terminal.person_card(directory, directory.people["rena-wissmeier"]),
        ),
        "list.svg": (
            "kjcdir list --org HLT",
            terminal.people_table(
                directory, [directory.people["felix-wuerfel"], directory.people["laura-brennert"]]
            ),
        ),
    }
    for name, (title, renderable) in pictures.items():
        console = Console(
            record=True, width=92, force_terminal=True, color_system="truecolor", file=io.StringIO()
        )
        console.print(renderable)
        console.save_svg(str(DOCS / name), title=title)
        print(f"wrote {DOCS / name}")
    asyncio.run(browse_picture(loaded))


async def browse_picture(loaded: Loaded) -> None:
    """`kjcdir browse` after typing `wism`, saved by Textual's own screenshot function."""
    from kjcdir.browse import BrowseApp

    app = BrowseApp(loaded)
    async with app.run_test(size=(110, 26)) as pilot:
        await pilot.press(*"wism")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        app.save_screenshot("browse.svg", str(DOCS))
    print(f"wrote {DOCS / 'browse.svg'}")


if __name__ == "__main__":
    main()
