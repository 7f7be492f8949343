"""benchmarks/generate.py: synthetic directories that kjcdir accepts (issue 5 item 5).

N people in N/25 organisations (Landkreis → Kommunales Jobcenter → Standort → Team),
German names with umlauts and ß, valid German phone numbers in DIN 5008 international
form, the same file for the same seed.
"""

from __future__ import annotations

import importlib.util
import io
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import phonenumbers
import pytest
import yaml

from conftest import REPO, run_process

SCRIPT = REPO / "benchmarks" / "generate.py"
DIN_5008 = re.compile(r"\+49 [1-9]\d{1,4} [1-9]\d{1,7}-\d{1,4}")


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("kjcdir_benchmark_generate", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def generated(people: int, seed: int = 1) -> str:
    out = io.StringIO()
    _generator().write(out, people, seed)
    return out.getvalue()


@pytest.fixture(scope="module")
def thousand() -> dict[str, object]:
    data = yaml.safe_load(generated(1000))
    assert isinstance(data, dict)
    return data


def test_the_script_writes_a_file_that_kjcdir_check_accepts(tmp_path: Path) -> None:
    path = tmp_path / "people.yaml"
    subprocess.run([sys.executable, str(SCRIPT), "500", str(path)], check=True)
    result = run_process("--no-bundled", "check", str(path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{path}: ok (20 organisations, 500 people)"
    found = run_process("--no-bundled", "--data", str(path), "find", "schaefer")
    assert found.returncode == 0 and found.stdout


@pytest.mark.parametrize("people", [1, 7, 26, 250, 3000])
def test_any_size_is_a_valid_directory(tmp_path: Path, people: int) -> None:
    path = tmp_path / "people.yaml"
    path.write_text(generated(people), encoding="utf-8")
    result = run_process("--no-bundled", "check", str(path))
    assert result.returncode == 0, result.stderr
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert len(data["people"]) == people
    assert len(data["organizations"]) == max(3, round(people / 25))


def test_the_same_seed_gives_the_same_file_and_another_seed_another() -> None:
    assert generated(300, seed=5) == generated(300, seed=5)
    assert generated(300, seed=5) != generated(300, seed=6)


def test_organisations_form_landkreis_jobcenter_site_team(thousand: dict[str, object]) -> None:
    orgs = {org["id"]: org for org in thousand["organizations"]}  # type: ignore[attr-defined]
    depth = {}
    for org_id in orgs:
        chain, current = 0, org_id
        while orgs[current].get("parent"):
            current = orgs[current]["parent"]
            chain += 1
        depth[org_id] = chain
    assert set(depth.values()) == {0, 1, 2, 3}
    assert all(orgs[o]["name"].startswith("Team ") for o, d in depth.items() if d == 3)
    assert all("Jobcenter" in orgs[o]["name"] for o, d in depth.items() if d == 1)


def test_names_are_german_with_umlauts_and_sharp_s(thousand: dict[str, object]) -> None:
    people = thousand["people"]
    names = [f"{p['given_name']} {p['family_name']}" for p in people]  # type: ignore[attr-defined]
    assert any(letter in name for name in names for letter in "äöü")
    assert any("ß" in name for name in names)
    assert len(set(names)) > len(names) / 2  # many distinct people, some namesakes
    assert len({p["id"] for p in people}) == len(people)  # type: ignore[attr-defined]


def test_every_phone_number_is_valid_din_5008(thousand: dict[str, object]) -> None:
    entries = [*thousand["organizations"], *thousand["people"]]  # type: ignore[misc]
    numbers = [number for entry in entries for number in entry.get("phones", [])]
    assert len(numbers) > 1000
    assert len(set(numbers)) == len(numbers)
    for number in numbers:
        assert DIN_5008.fullmatch(number), number
        assert phonenumbers.is_valid_number(phonenumbers.parse(number, "DE")), number


def test_people_have_roles_topics_and_e_mail(thousand: dict[str, object]) -> None:
    people = thousand["people"]
    assert all(p["affiliations"][0].get("role") for p in people)  # type: ignore[attr-defined]
    assert any(p.get("topics") for p in people)  # type: ignore[attr-defined]
    emails = [e for p in people for e in p.get("emails", [])]  # type: ignore[attr-defined]
    assert len(set(emails)) == len(emails) > 900
