"""A contact's vCard as a QR code (segno): block characters for the terminal, PNG or SVG.

The code holds the compact vCard 3.0 of the contact (vcard.person_card(compact=True)):
what a phone's camera app needs to offer "add contact", small enough to scan from a
screen. Its bytes are UTF-8, announced with an ECI header: without one, readers guess
the encoding, and zbar (like others) guesses Shift JIS for UTF-8 ("Wiﾃ殞eier") and for
ISO 8859-1 alike ("Stra絽"). Phone cameras (iOS, Android's ZXing and Lens) read ECI.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from kjcdir.errors import KjcdirError
from kjcdir.output.text import inert

FORMATS = (".png", ".svg")
QUIET_ZONE = 4  # modules of light border the QR standard asks for
SCALE = 8  # pixels per module in PNG and SVG files: about 4 cm wide on paper at 150 dpi

# Two rows of modules per line of text. A module is True when dark. On a terminal the
# drawn character is the light part (the foreground is light on most terminals), so the
# code is drawn as light-on-dark; `invert` draws dark modules instead, for terminals
# with a light background.
_HALF_BLOCKS = {
    (False, False): "\u2588",  # █ both light
    (False, True): "\u2580",  # ▀ top light
    (True, False): "\u2584",  # ▄ bottom light
    (True, True): " ",
}


def make(payload: str) -> Any:
    """The QR code of the text, as a segno.QRCode.

    Error correction L (7 %, raised where it costs no size): a code on a screen or a
    clean print needs no more, and L keeps a contact's code within 80 columns.
    """
    import segno

    try:
        return segno.make_qr(payload, error="l", boost_error=True, encoding="utf-8", eci=True)
    except segno.DataOverflowError:
        raise KjcdirError("This contact holds too much text for one QR code.") from None


def terminal_text(code: Any, invert: bool = False) -> str:
    """The code in half-block characters, two module rows per line, with its quiet zone."""
    rows = [[bool(bit) for bit in row] for row in code.matrix_iter(scale=1, border=QUIET_ZONE)]
    return "".join(line + "\n" for line in half_block_lines(rows, invert))


def width(code: Any) -> int:
    """Columns the terminal drawing takes, quiet zone included."""
    return int(code.symbol_size(scale=1, border=QUIET_ZONE)[0])


def half_block_lines(rows: Sequence[Sequence[bool]], invert: bool = False) -> Iterable[str]:
    """Rows of modules (True = dark) as lines of half blocks; an odd last row pairs with light."""
    for top_index in range(0, len(rows), 2):
        top = rows[top_index]
        bottom = rows[top_index + 1] if top_index + 1 < len(rows) else [False] * len(top)
        yield "".join(
            _HALF_BLOCKS[(upper != invert, lower != invert)]
            for upper, lower in zip(top, bottom, strict=True)
        )


def check_file_name(path: Path) -> str:
    """The image kind the file name asks for: png or svg; else a KjcdirError."""
    kind = path.suffix.lower()
    if kind not in FORMATS:
        raise KjcdirError(f"Give -o a file name ending in .png or .svg, not '{inert(path.name)}'.")
    return kind[1:]


def image(code: Any, path: Path) -> bytes:
    """The code as the bytes of a PNG or SVG file, chosen by the file name's ending."""
    import io

    buffer = io.BytesIO()
    # A light background of its own (segno's SVG is transparent by default): on a dark
    # page or in a dark viewer, a transparent code shows dark on dark and does not scan.
    code.save(
        buffer,
        kind=check_file_name(path),
        scale=SCALE,
        border=QUIET_ZONE,
        dark="#000",
        light="#fff",
    )
    return buffer.getvalue()
