"""kjcdir as a real process on a pseudo-terminal: cards with OSC 8 hyperlinks, localized
labels, NO_COLOR, and --plain. (test_cli.py covers the forms in-process.)"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

import pytest

from conftest import BUNDLED_PEOPLE, run_on_terminal

OSC8_URL = re.compile(r"\x1b\]8;[^;\x1b]*;([^\x1b]*)\x1b\\")
SGR = re.compile(r"\x1b\[[0-9;]*m")
COLOUR = re.compile(r"\x1b\[(?:[0-9;]*;)?(?:3[0-9]|4[0-9]|9[0-7]|10[0-7])(?:;[0-9;]*)?m")


@dataclass
class TtyResult:
    returncode: int
    stdout: str  # as the terminal received it, \r\n turned into \n
    stderr: str

    @property
    def text(self) -> str:
        """What the user sees: escape sequences removed."""
        return SGR.sub("", OSC8_URL.sub("", self.stdout.replace("\x1b]8;;\x1b\\", "")))

    @property
    def links(self) -> list[str]:
        return [url for url in OSC8_URL.findall(self.stdout) if url]


_shared_cache: dict[str, str] = {}


@pytest.fixture(scope="module", autouse=True)
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """One cache for this module's processes: each of them then starts as fast as a user's."""
    _shared_cache["KJCDIR_CACHE_DIR"] = str(tmp_path_factory.mktemp("tty-cache"))


def run_tty(
    *args: str, env: dict[str, str] | None = None, columns: int = 100, timeout: float = 20
) -> TtyResult:
    """Run the installed kjcdir with stdin and stdout on a pseudo-terminal; stderr piped."""
    full_env = {key: value for key, value in os.environ.items() if key not in _TERMINAL_ENV}
    full_env.update(_shared_cache)
    full_env.update({"TERM": "xterm-256color", "COLUMNS": str(columns), **(env or {})})
    code, stderr, shown = run_on_terminal(args, "stdout", full_env, columns, timeout)
    return TtyResult(code, shown.decode("utf-8").replace("\r\n", "\n"), stderr.decode("utf-8"))


# variables of the developer's terminal that would change what rich does
_TERMINAL_ENV = {"FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "COLORTERM", "NO_COLOR"}


def test_find_on_a_terminal_shows_a_card_with_hyperlinks() -> None:
    result = run_tty("find", "wuerfel")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.links == ["tel:+49611170669", "mailto:wuerfel@hlt.de"]
    assert re.search(
        r"\x1b\]8;[^;]*;tel:\+49611170669\x1b\\\+49 611 1706-69\x1b\]8;;", result.stdout
    )
    text = result.text
    assert "╭" in text and "╰" in text
    assert "Felix Würfel" in text
    assert "Hessischer Landkreistag › Sozialreferat" in text
    assert "Phone" in text and "Address" in text
    assert "Telefon" not in text
    assert "\t" not in text
    assert COLOUR.search(result.stdout)


def test_german_labels_under_a_german_locale() -> None:
    result = run_tty("show", "rena-wissmeier", env={"LANG": "de_DE.UTF-8"})
    assert result.returncode == 0, result.stderr
    text = result.text
    for label in ("Telefon", "E-Mail", "Adresse"):
        assert label in text
    for label in ("Phone", "Address"):
        assert label not in text
    assert "tel:+49611170225" in result.links
    assert "mailto:wissmeier@hess-staedtetag.de" in result.links


def test_lc_all_overrides_lang() -> None:
    text = run_tty("show", "rena-wissmeier", env={"LANG": "de_DE.UTF-8", "LC_ALL": "C"}).text
    assert "Phone" in text and "Telefon" not in text


def test_no_color_is_honoured() -> None:
    result = run_tty("show", "felix-wuerfel", env={"NO_COLOR": "1"})
    assert result.returncode == 0
    assert not COLOUR.search(result.stdout)
    assert "Felix Würfel" in result.text
    assert "tel:+49611170669" in result.links


def test_plain_forces_tab_separated_lines_on_a_terminal() -> None:
    result = run_tty("find", "wissmeier", "--plain")
    assert result.returncode == 0
    assert result.stdout == (
        "rena-wissmeier\tRena Wißmeier\tHessischer Städtetag › Regiestelle SGB II\t"
        "Regiestelle SGB II\t+49 611 1702-25\t"
        "wissmeier@hess-staedtetag.de\n"
    )


def test_list_table_on_an_80_column_terminal() -> None:
    result = run_tty("list", "--org", "HStT", columns=80)
    assert result.returncode == 0
    text = result.text
    assert all(len(line) <= 80 for line in text.splitlines())
    assert "…" not in text
    assert "hofmeister@hess-staedtetag.de" in text
    assert "Hessischer Städtetag ›" in text
    assert set(result.links) == {
        "tel:+49611170222",
        "mailto:hofmeister@hess-staedtetag.de",
        "tel:+49611170225",
        "mailto:wissmeier@hess-staedtetag.de",
    }


def test_nothing_found_on_a_terminal() -> None:
    result = run_tty("find", "Müller")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith("kjcdir: No one matches 'Müller'.")


@pytest.mark.parametrize(
    ("args", "shown"),
    [(["orgs"], "Regiestelle SGB II"), (["topics", "Fachtagungen"], "Fachtagungen")],
)
def test_trees_and_tables_on_a_terminal(args: list[str], shown: str) -> None:
    result = run_tty(*args)
    assert result.returncode == 0, result.stderr
    assert "\t" not in result.text
    assert shown in result.text
    assert re.search("[├└─]", result.text)


# -- widths: a wrong one falls back to 80, and an id is never cut ---------------------------


@pytest.mark.parametrize("args", [["find", "wuerfel"], ["list"], ["show", "felix-wuerfel"]])
@pytest.mark.parametrize(
    ("columns", "env"),
    [(0, {}), (100, {"COLUMNS": "0"}), (100, {"COLUMNS": "12"}), (12, {"COLUMNS": "x"})],
    ids=["no-columns", "COLUMNS=0", "COLUMNS=12", "12-columns"],
)
def test_a_width_below_20_falls_back_to_80(
    args: list[str], columns: int, env: dict[str, str]
) -> None:
    result = run_tty(*args, columns=columns, env=env)
    assert result.returncode == 0, result.stderr
    widths = [len(line) for line in result.text.splitlines()]
    assert "felix-wuerfel" in result.text.split()
    assert max(widths) <= 80
    assert max(widths) > 40  # laid out for 80 columns, not for the width given


def test_list_at_40_columns_prints_every_id_whole() -> None:
    result = run_tty("list", columns=40)
    assert result.returncode == 0, result.stderr
    text = result.text
    assert all(len(line) <= 40 for line in text.splitlines())
    assert "…" not in text
    words = text.split()
    for pid in BUNDLED_PEOPLE:
        assert pid in words, pid
    assert "hofmeister@hess-staedtetag.de" in words  # e-mail addresses are not cut either


# An id as long as a card 40 columns wide can show, longer than the card's name and phone
LONG_ID = "anna-maria-mustermann-schmidt-kassel"


@pytest.mark.parametrize("columns", [40, 100])
@pytest.mark.parametrize("args", [["show", LONG_ID], ["find", "Mustermann"]])
def test_a_card_never_cuts_its_id(tmp_path, columns: int, args: list[str]) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "long.yaml"
    path.write_text(
        f"people:\n  - id: {LONG_ID}\n    given_name: Anna\n    family_name: Mustermann\n"
        '    phones: ["+49 561 1003-1"]\n',  # a card narrower than its id
        encoding="utf-8",
    )
    result = run_tty("--data", str(path), *args, columns=columns)
    assert result.returncode == 0, result.stderr
    assert all(len(line) <= columns for line in result.text.splitlines())
    assert LONG_ID in result.text.split(), result.text
    assert "╭─ Anna Mustermann" in result.text


def test_cards_at_40_columns_show_every_id_whole() -> None:
    result = run_tty("find", "AK Option", columns=40)
    assert result.returncode == 0, result.stderr
    text = result.text
    assert all(len(line) <= 40 for line in text.splitlines())
    found = [pid for pid in BUNDLED_PEOPLE if pid in text.split()]
    assert len(found) == text.count("╭─")  # every card's id, whole
