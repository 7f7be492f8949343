"""Everything that writes to the terminal: the core hands data over, output decides its form.

Three forms, as gh has them: rich cards, tables and trees on a terminal; tab-separated
lines when piped (or with --plain); JSON with --json. Rich is imported only for the
first form.
"""

from __future__ import annotations

import sys
from enum import Enum


class Form(Enum):
    RICH = "rich"
    PLAIN = "plain"
    JSON = "json"


def choose_form(json: bool = False, plain: bool = False) -> Form:
    if json:
        return Form.JSON
    if plain or not sys.stdout.isatty():
        return Form.PLAIN
    return Form.RICH
