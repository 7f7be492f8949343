"""`kjcdir qr`: QR codes decoded back with a real decoder (zbar, through pyzbar)."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from conftest import missing_system_package
from kjcdir.export import qr, vcard
from kjcdir.store import open_directory
from test_export_data import hostile_file

# top light, bottom light → character (the default drawing: light modules are drawn)
CHARACTERS = {"█": (True, True), "▀": (True, False), "▄": (False, True), " ": (False, False)}


@pytest.fixture
def zbar() -> Any:
    """pyzbar.decode; the test extras install pyzbar, the system libzbar0 (see .ci/run)."""
    try:
        from pyzbar import pyzbar
    except ImportError as error:  # pyzbar is there, but libzbar0 is not
        missing_system_package(f"zbar is not installed ({error}): apt-get install libzbar0")
    return pyzbar


def decode(zbar: Any, image: Any) -> str:
    symbols = zbar.decode(image, symbols=[zbar.ZBarSymbol.QRCODE])
    assert len(symbols) == 1
    return str(symbols[0].data.decode("utf-8"))


def card_of(entry_id: str, *paths: Path, bundled: bool = True) -> str:
    directory = open_directory(list(paths), include_bundled=bundled).directory
    if entry_id in directory.people:
        return vcard.person_card(directory, directory.people[entry_id], "3.0", compact=True)
    return vcard.org_card(directory, directory.organizations[entry_id], "3.0", compact=True)


def terminal_image(text: str, invert: bool = False) -> Any:
    """Draw the terminal's half blocks as pixels, as a screen would show them."""
    from PIL import Image

    lines = text.split("\n")[:-1]
    width = len(lines[0])
    assert all(len(line) == width for line in lines)
    scale = 6
    image = Image.new("L", (width * scale, len(lines) * 2 * scale), 0)
    for y, line in enumerate(lines):
        for x, character in enumerate(line):
            for half, drawn in enumerate(CHARACTERS[character]):
                light = drawn != invert
                if light:
                    box = (x * scale, (2 * y + half) * scale)
                    image.paste(255, (*box, box[0] + scale, box[1] + scale))
    return image


def test_png_decodes_to_the_contacts_vcard(zbar: Any, cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from PIL import Image

    target = tmp_path / "rena.png"
    result = cli("qr", "rena-wissmeier", "-o", str(target))
    assert result.exit_code == 0, result.stderr
    assert target.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    text = decode(zbar, Image.open(target))
    assert text == card_of("rena-wissmeier")
    assert "FN:Rena Wißmeier\r\n" in text
    assert "TEL;TYPE=WORK,VOICE:+49611170225\r\n" in text
    assert text.startswith("BEGIN:VCARD\r\nVERSION:3.0\r\n")


def test_characters_beyond_latin_1_decode_as_utf8(zbar: Any, cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from PIL import Image

    data = hostile_file(tmp_path)
    target = tmp_path / "lucja.png"
    result = cli("--data", str(data), "--no-bundled", "qr", "long-person", "-o", str(target))
    assert result.exit_code == 0, result.stderr
    text = decode(zbar, Image.open(target))
    assert text == card_of("long-person", data, bundled=False)
    assert "Łucja" in text


def test_an_organisation_has_a_code_too(zbar: Any, cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The Städtetag's card as a phone reads it: a company (no person's name), its
    address, and its website; pinned line by line, not only compared with kjcdir's own."""
    from PIL import Image

    target = tmp_path / "hstt.png"
    assert cli("qr", "hstt", "-o", str(target)).exit_code == 0
    text = decode(zbar, Image.open(target))
    assert text == card_of("hstt")
    lines = text.split("\r\n")
    assert lines[:2] == ["BEGIN:VCARD", "VERSION:3.0"]
    assert "FN:Hessischer Städtetag" in lines
    assert "ORG:Hessischer Städtetag" in lines
    assert "N:;;;;" in lines  # no person's name
    assert "X-ABSHOWAS:COMPANY" in lines  # shown as a company by Apple's Contacts
    assert "ADR;TYPE=WORK:;;Frankfurter Straße 2;Wiesbaden;;65189;" in lines
    assert "URL:https://www.hess-staedtetag.de" in lines
    assert lines[-2:] == ["END:VCARD", ""]


@pytest.mark.parametrize("invert", [False, True])
def test_the_terminal_drawing_decodes(zbar: Any, cli, invert: bool) -> None:  # type: ignore[no-untyped-def]
    args = ["qr", "felix-wuerfel", *(["--invert"] if invert else [])]
    result = cli(*args)
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert set(text) <= {"█", "▀", "▄", " ", "\n"}
    assert "\x1b" not in text  # block characters, no colour escape codes
    assert len(text.split("\n")[0]) <= 80  # fits a standard terminal
    assert decode(zbar, terminal_image(text, invert)) == card_of("felix-wuerfel")


def test_svg_is_an_svg_of_the_same_code(zbar: Any, cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The SVG, rendered by cairo and read by zbar, holds Rena Wißmeier's card."""
    target = tmp_path / "rena.svg"
    assert cli("qr", "rena-wissmeier", "-o", str(target)).exit_code == 0
    root = ET.fromstring(target.read_bytes())
    assert root.tag.endswith("svg")
    try:
        import cairosvg
    except (ImportError, OSError) as error:  # cairosvg is there, but libcairo2 is not
        missing_system_package(f"cairosvg cannot render ({error}): apt-get install libcairo2")
    from PIL import Image

    png = cairosvg.svg2png(bytestring=target.read_bytes())
    text = decode(zbar, Image.open(io.BytesIO(png)).convert("L"))
    assert text == card_of("rena-wissmeier")
    assert "FN:Rena Wißmeier\r\n" in text
    assert "TEL;TYPE=WORK,VOICE:+49611170225\r\n" in text


def on_a_dark_page(png: bytes) -> Any:
    """The rendered image laid on black, as a dark web page or viewer shows it."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGBA")
    page = Image.new("RGBA", image.size, (0, 0, 0, 255))
    page.alpha_composite(image)
    return page.convert("L")


@pytest.mark.parametrize("ending", ["svg", "png"])
def test_the_image_decodes_on_a_dark_page(  # type: ignore[no-untyped-def]
    zbar: Any, cli, tmp_path: Path, ending: str
) -> None:
    target = tmp_path / f"felix.{ending}"
    assert cli("qr", "felix-wuerfel", "-o", str(target)).exit_code == 0
    if ending == "svg":
        try:
            import cairosvg
        except (ImportError, OSError) as error:  # cairosvg is there, but libcairo2 is not
            missing_system_package(f"cairosvg cannot render ({error}): apt-get install libcairo2")
        png = cairosvg.svg2png(bytestring=target.read_bytes())
    else:
        png = target.read_bytes()
    assert decode(zbar, on_a_dark_page(png)) == card_of("felix-wuerfel")


def test_a_transparent_code_would_not_decode_on_a_dark_page(zbar: Any) -> None:
    """The check above can fail: segno's own SVG, transparent, is lost on black."""
    try:
        import cairosvg
    except (ImportError, OSError) as error:
        missing_system_package(f"cairosvg cannot render ({error}): apt-get install libcairo2")
    transparent = io.BytesIO()
    qr.make(card_of("felix-wuerfel")).save(
        transparent, kind="svg", scale=qr.SCALE, border=qr.QUIET_ZONE
    )
    png = cairosvg.svg2png(bytestring=transparent.getvalue())
    assert zbar.decode(on_a_dark_page(png), symbols=[zbar.ZBarSymbol.QRCODE]) == []


@pytest.mark.parametrize("entry_id", ["rena-wissmeier", "hstt"])
def test_the_code_carries_the_uid_of_the_vcard_export(  # type: ignore[no-untyped-def]
    zbar: Any, cli, tmp_path: Path, entry_id: str
) -> None:
    """Scanning the code updates the contact a CardDAV sync brought, not a second one."""
    import vobject
    from PIL import Image

    target = tmp_path / "code.png"
    assert cli("qr", entry_id, "-o", str(target)).exit_code == 0
    scanned = vobject.readOne(decode(zbar, Image.open(target)))
    query = ["--with-orgs", "--org", entry_id] if entry_id == "hstt" else [entry_id]
    exported = cli("export", *query)
    assert exported.exit_code == 0, exported.stderr
    uids = {card.fn.value: card.uid.value for card in vobject.readComponents(exported.stdout)}
    assert scanned.uid.value == uids[scanned.fn.value]
    assert scanned.uid.value == vcard.uid(entry_id)


def test_a_file_name_without_png_or_svg_is_refused(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "rena.jpg"
    result = cli("qr", "rena-wissmeier", "-o", str(target))
    assert result.exit_code == 2
    assert result.stderr == "kjcdir: Give -o a file name ending in .png or .svg, not 'rena.jpg'.\n"
    assert not target.exists()


def test_an_existing_image_needs_force(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "rena.png"
    target.write_bytes(b"mine")
    result = cli("qr", "rena-wissmeier", "-o", str(target))
    assert result.exit_code == 2
    assert "exists already; add --force" in result.stderr
    assert target.read_bytes() == b"mine"
    assert cli("qr", "rena-wissmeier", "-o", str(target), "--force").exit_code == 0
    assert target.read_bytes().startswith(b"\x89PNG")


def test_an_unknown_id_exits_1_with_close_ids(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("qr", "rena-wismeier")
    assert result.exit_code == 1
    assert "rena-wissmeier" in result.stderr
    assert result.stdout == ""


def test_half_blocks_pair_rows_and_pad_an_odd_last_row() -> None:
    rows = [[False, True], [True, True], [False, False]]
    assert list(qr.half_block_lines(rows)) == ["▀ ", "██"]
    assert list(qr.half_block_lines(rows, invert=True)) == ["▄█", "  "]
