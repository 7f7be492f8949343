"""Every case of ../shared/queries.yaml and queries-precision.yaml (SPEC 2: every word
counts), read from the files (the cases are not copied here)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import SHARED


def _cases(kind: str, name: str = "queries.yaml") -> list[Any]:
    path = SHARED / name
    if not path.is_file():
        return [
            pytest.param(
                None, marks=pytest.mark.skip(reason=f"{path} is not here (developers and CI only)")
            )
        ]
    cases = yaml.safe_load(path.read_text(encoding="utf-8"))[kind]
    return [
        pytest.param(case, id=str(case.get("q") or case.get("org") or case.get("topic")))
        for case in cases
    ]


def _ids(stdout: str) -> list[str]:
    return [entry["id"] for entry in json.loads(stdout)]


def _check(case: dict[str, Any], ids: list[str], exit_code: int) -> None:
    if "only" in case:
        assert ids == [case["only"]]
    if "top" in case:
        assert ids and ids[0] == case["top"], ids
    if "set" in case:
        assert sorted(ids) == sorted(case["set"])
    if case.get("none"):
        assert ids == []
        assert exit_code == 1
    else:
        assert exit_code == 0


@pytest.mark.parametrize("case", _cases("find"))
def test_find(cli, case: dict[str, Any]) -> None:
    result = cli("find", case["q"], "--json")
    _check(case, _ids(result.stdout), result.exit_code)


@pytest.mark.parametrize("case", _cases("find", "queries-precision.yaml"))
def test_find_precision(cli, case: dict[str, Any]) -> None:
    result = cli("find", case["q"], "--json")
    _check(case, _ids(result.stdout), result.exit_code)


@pytest.mark.parametrize("case", _cases("list"))
def test_list(cli, case: dict[str, Any]) -> None:
    option = ["--org", case["org"]] if "org" in case else ["--topic", case["topic"]]
    result = cli("list", *option, "--json")
    _check(case, _ids(result.stdout), result.exit_code)


def test_queries_file_is_where_the_tests_expect_it(shared: Path) -> None:
    assert (shared / "queries.yaml").is_file()
