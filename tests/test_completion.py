"""Shell completion through Typer (SPEC 3): ids after `show`, organisation shorts after --org.

Typer 0.28 completes when the program runs with `_KJCDIR_COMPLETE=complete_<shell>`; bash
reads COMP_WORDS/COMP_CWORD, zsh and fish read _TYPER_COMPLETE_ARGS. The same works in
process through CliRunner, which is how most tests here drive it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import BUNDLED_PEOPLE, run_process

# One cache for the module: the bundled directory is compiled once, not per test.
pytestmark = pytest.mark.usefixtures("module_cache")


PEOPLE = BUNDLED_PEOPLE
SHORTS = ["AG KJC", "AK Option", "DLT", "DST", "HLT", "HStT"]
ORGS_WITHOUT_SHORT = [
    "dst-konferenz-optionsstaedte",
    "hlt-koordinierungsstelle",
    "hlt-sozialreferat",
    "hstt-regiestelle",
    "hstt-sozialreferat",
    "lahn-dill-kreis",
    "lhs-wiesbaden",
    "lk-darmstadt-dieburg",
    "lk-fulda",
    "main-taunus-kreis",
    "stadt-offenbach",
]


def bash(cli, line: str, env: dict[str, str] | None = None) -> list[str]:  # type: ignore[no-untyped-def]
    """What bash completion offers for the last word of the command line."""
    words = line.split(" ")
    result = cli(
        env={
            "_KJCDIR_COMPLETE": "complete_bash",
            "COMP_WORDS": line,
            "COMP_CWORD": str(len(words) - 1),
            **(env or {}),
        }
    )
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    return [line for line in result.stdout.splitlines() if line]


def test_show_completes_person_ids(cli) -> None:
    assert bash(cli, "kjcdir show rena") == ["rena-wissmeier"]
    assert bash(cli, "kjcdir show j") == ["joachim-werle", "juergen-stock"]


def test_show_completes_organisation_ids(cli) -> None:
    assert bash(cli, "kjcdir show hstt") == ["hstt", "hstt-sozialreferat", "hstt-regiestelle"]
    assert bash(cli, "kjcdir show lk-") == ["lk-darmstadt-dieburg", "lk-fulda"]


def test_show_completes_every_id_from_nothing(cli) -> None:
    offered = bash(cli, "kjcdir show ")
    assert offered[: len(PEOPLE)] == PEOPLE
    assert len(offered) == 26
    assert len(set(offered)) == 26


def test_show_offers_nothing_for_an_unknown_beginning(cli) -> None:
    assert bash(cli, "kjcdir show xyz") == []


def test_org_option_completes_shorts(cli) -> None:
    assert bash(cli, "kjcdir list --org H") == ["HLT", "HStT"]
    assert bash(cli, "kjcdir list --org A") == ["AG KJC", "AK Option"]
    assert bash(cli, "kjcdir list --org D") == ["DLT", "DST"]


def test_org_option_completes_ids_of_bodies_without_a_short(cli) -> None:
    assert bash(cli, "kjcdir list --org lk") == ["lk-darmstadt-dieburg", "lk-fulda"]
    assert sorted(bash(cli, "kjcdir list --org ")) == sorted(SHORTS + ORGS_WITHOUT_SHORT)


def test_completion_includes_entries_of_kjcdir_data(cli, tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(
        "organizations:\n  - id: lk-kassel\n    name: Landkreis Kassel\n    short: LK KS\n"
        "people:\n  - id: anna-meier\n    family_name: Meier\n"
    )
    env = {"KJCDIR_DATA": str(path)}
    assert bash(cli, "kjcdir show ann", env) == ["anna-meier"]
    assert bash(cli, "kjcdir list --org L", env) == ["LK KS"]
    assert bash(cli, "kjcdir show lk-", env) == ["lk-darmstadt-dieburg", "lk-fulda", "lk-kassel"]


def test_completion_prints_nothing_when_the_data_is_broken(cli, tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("people: [\n")
    assert bash(cli, "kjcdir show rena", {"KJCDIR_DATA": str(path)}) == []


def test_zsh_completion(cli) -> None:
    result = cli(
        env={"_KJCDIR_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": "kjcdir show rena"}
    )
    assert result.exit_code == 0
    assert result.stdout == """_arguments '*: :(("rena-wissmeier"))'\n"""


def test_fish_completion(cli) -> None:
    result = cli(
        env={
            "_KJCDIR_COMPLETE": "complete_fish",
            "_TYPER_COMPLETE_ARGS": "kjcdir list --org H",
            "_TYPER_COMPLETE_FISH_ACTION": "get-args",
        }
    )
    assert result.exit_code == 0
    assert result.stdout.splitlines() == ["HLT", "HStT"]


def test_bash_completion_in_a_real_process() -> None:
    result = run_process(
        env={
            "_KJCDIR_COMPLETE": "complete_bash",
            "COMP_WORDS": "kjcdir show rena",
            "COMP_CWORD": "2",
        }
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "rena-wissmeier\n", "")
    result = run_process(
        env={
            "_KJCDIR_COMPLETE": "complete_bash",
            "COMP_WORDS": "kjcdir list --org HS",
            "COMP_CWORD": "3",
        }
    )
    assert (result.returncode, result.stdout) == (0, "HStT\n")


def test_the_completion_script_names_the_program() -> None:
    result = run_process(env={"_KJCDIR_COMPLETE": "source_bash"})
    assert result.returncode == 0
    assert "_KJCDIR_COMPLETE=complete_bash" in result.stdout
    assert "complete " in result.stdout and "kjcdir" in result.stdout


def test_org_option_completes_lower_case_typing(cli) -> None:
    """Ids are completed as typed, in lower case; the short names (HLT) are not offered."""
    assert bash(cli, "kjcdir list --org hl") == [
        "hlt",
        "hlt-koordinierungsstelle",
        "hlt-sozialreferat",
    ]
    assert bash(cli, "kjcdir list --org dl") == ["dlt", "dlt-ak-option"]


def test_completion_honours_the_data_option(cli, tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("people:\n  - id: anna-meier\n    family_name: Meier\n")
    assert bash(cli, f"kjcdir --data {path} show ann") == ["anna-meier"]
    assert bash(cli, f"kjcdir --no-bundled --data {path} show rena") == []
