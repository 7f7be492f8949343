"""Text from the data made fit for export formats that must not carry control characters."""

from __future__ import annotations

from collections.abc import Callable, Iterable

# C0 controls other than tab, line feed and carriage return; DEL; C1 controls. None of
# them is allowed in a vCard value (RFC 6350 3.3), and none belongs in an address book.
_CONTROLS: dict[int, None] = {
    code: None for code in (*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F, *range(0x80, 0xA0))
}


def drop_controls(text: str) -> str:
    """The text without control characters; tab and line breaks stay."""
    return text.translate(_CONTROLS)


def one_line(text: str) -> str:
    """The text on one line: runs of tabs, line breaks and spaces become one space."""
    return " ".join(drop_controls(text).split())


def unique(values: Iterable[str], key: Callable[[str], str] = str.casefold) -> list[str]:
    """The values, each once (equal under `key`: ignoring case), in their first order;
    values whose key is empty are left out."""
    seen: set[str] = set()
    kept = []
    for value in values:
        compared = key(value)
        if compared and compared not in seen:
            seen.add(compared)
            kept.append(value)
    return kept
