"""`export --vdir DIR [--prune]`: kjcdir's cards of contacts that left the directory.

Without --prune the summary names them; with it, kjcdir removes exactly those cards (its
PRODID and the UID it gives that id) and nothing else: foreign cards, links, other files
and cards of contacts still in the directory stay.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from conftest import run_process
from kjcdir import atomic
from kjcdir.export import vcard


def directory_file(folder: Path, people: list[str], orgs: tuple[str, ...] = ("amt",)) -> Path:
    data = {
        "organizations": [
            {"id": org, "name": f"Amt {org}", "phones": ["+49 611 1706-0"]} for org in orgs
        ],
        "people": [
            {"id": person, "family_name": person.title(), "affiliations": [{"org": orgs[0]}]}
            for person in people
        ],
    }
    path = folder / "people.yaml"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def export(cli: Any, data: Path, vdir: Path, *extra: str) -> Any:
    return cli("--no-bundled", "--data", str(data), "export", "--all", "--vdir", str(vdir), *extra)


def foreign_card(uid: str, prodid: str = "-//Other//EN") -> str:
    lines = ["BEGIN:VCARD", "VERSION:3.0", f"PRODID:{prodid}", f"UID:{uid}", "FN:X", "N:X;;;;"]
    return "\r\n".join([*lines, "END:VCARD", ""])


@pytest.fixture
def vdir_with_stale_cards(cli, tmp_path: Path) -> tuple[Path, Path]:  # type: ignore[no-untyped-def]
    vdir = tmp_path / "vdir"
    data = directory_file(tmp_path, ["anna", "bert", "carla"], orgs=("amt", "alt-amt"))
    assert export(cli, data, vdir, "--with-orgs").exit_code == 0
    assert sorted(os.listdir(vdir)) == [
        "alt-amt.vcf", "amt.vcf", "anna.vcf", "bert.vcf", "carla.vcf",
    ]  # fmt: skip
    directory_file(tmp_path, ["anna", "carla"], orgs=("amt",))  # bert and alt-amt left
    return data, vdir


def test_without_prune_the_stale_cards_are_named_and_kept(cli, vdir_with_stale_cards) -> None:  # type: ignore[no-untyped-def]
    data, vdir = vdir_with_stale_cards
    result = export(cli, data, vdir, "--with-orgs")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines() == [
        "kjcdir: 2 cards of contacts no longer in the directory: alt-amt.vcf, bert.vcf; "
        "--prune removes them.",
        f"kjcdir: {vdir}: 0 written, 3 unchanged.",
    ]
    assert (vdir / "bert.vcf").exists() and (vdir / "alt-amt.vcf").exists()


def test_prune_removes_exactly_kjcdirs_stale_cards(cli, vdir_with_stale_cards) -> None:  # type: ignore[no-untyped-def]
    data, vdir = vdir_with_stale_cards
    # Things that are not kjcdir's stale cards, at names of contacts that left:
    (vdir / "gone-1.vcf").write_text(foreign_card(vcard.uid("gone-1")))  # another PRODID
    (vdir / "gone-2.vcf").write_text(foreign_card("urn:uuid:x", vcard.PRODID))  # another UID
    (vdir / "gone-3.vcf").symlink_to(vdir / "bert.vcf")  # a link to a stale card
    (vdir / "notes.txt").write_text("not a card")
    (vdir / "gone-4.vcf").mkdir()
    result = export(cli, data, vdir, "--with-orgs", "--prune")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines() == [
        "kjcdir: removed alt-amt.vcf: no longer in the directory.",
        "kjcdir: removed bert.vcf: no longer in the directory.",
        f"kjcdir: {vdir}: 0 written, 3 unchanged, 2 removed.",
    ]
    assert sorted(os.listdir(vdir)) == [
        "amt.vcf", "anna.vcf", "carla.vcf", "gone-1.vcf", "gone-2.vcf", "gone-3.vcf",
        "gone-4.vcf", "notes.txt",
    ]  # fmt: skip
    assert os.path.islink(vdir / "gone-3.vcf")
    again = export(cli, data, vdir, "--with-orgs", "--prune")
    assert again.stderr.splitlines() == [f"kjcdir: {vdir}: 0 written, 3 unchanged."]


def test_cards_of_contacts_still_in_the_directory_stay(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A narrower export is no removal: --prune looks at the directory, not the selection."""
    vdir = tmp_path / "vdir"
    data = directory_file(tmp_path, ["anna", "bert"])
    assert export(cli, data, vdir).exit_code == 0
    args = ["--no-bundled", "--data", str(data), "export", "anna", "--vdir", str(vdir)]
    result = cli(*args, "--prune")
    assert result.exit_code == 0, result.stderr
    assert sorted(os.listdir(vdir)) == ["anna.vcf", "bert.vcf"]
    assert "removed" not in result.stderr


def test_many_stale_cards_are_counted_after_ten(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    vdir = tmp_path / "vdir"
    people = [f"p{n:02}" for n in range(14)]
    data = directory_file(tmp_path, people)
    assert export(cli, data, vdir).exit_code == 0
    directory_file(tmp_path, ["p00"])
    result = export(cli, data, vdir)
    first = result.stderr.splitlines()[0]
    assert first.startswith("kjcdir: 13 cards of contacts no longer in the directory: p01.vcf,")
    assert first.endswith("p10.vcf and 3 more; --prune removes them.")


def test_prune_needs_a_vdir(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("export", "--all", "--prune")
    assert result.exit_code == 2
    assert result.stderr == "kjcdir: --prune removes stale cards from a vdir; add --vdir DIR.\n"


def test_a_card_changed_before_removal_is_kept(tmp_path: Path) -> None:
    (tmp_path / "a.vcf").write_text("one")
    with atomic.Folder(tmp_path) as folder:
        checked = folder.lstat("a.vcf")
        assert checked is not None
        (tmp_path / "a.vcf").write_text("two, longer")  # written by another program meanwhile
        with pytest.raises(atomic.ChangedError):
            folder.remove_file("a.vcf", checked)
        (tmp_path / "a.vcf").unlink()
        (tmp_path / "a.vcf").write_text("one")  # another file at the same name
        with pytest.raises(atomic.ChangedError):
            folder.remove_file("a.vcf", checked)
        now = folder.lstat("a.vcf")
        assert now is not None
        folder.remove_file("a.vcf", now)
    assert not (tmp_path / "a.vcf").exists()


def test_the_installed_kjcdir_prunes_a_real_folder(tmp_path: Path) -> None:
    vdir = tmp_path / "vdir"
    data = directory_file(tmp_path, ["anna", "bert"])
    args = ["--no-bundled", "--data", str(data), "export", "--all", "--vdir", str(vdir)]
    assert run_process(*args).returncode == 0
    directory_file(tmp_path, ["anna"])
    kept = run_process(*args)
    assert kept.returncode == 0 and "bert.vcf; --prune removes it." in kept.stderr
    assert (vdir / "bert.vcf").exists()
    pruned = run_process(*args, "--prune")
    assert pruned.returncode == 0, pruned.stderr
    assert os.listdir(vdir) == ["anna.vcf"]


def test_a_name_that_is_no_id_is_never_taken_for_a_stale_card(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Not even one that is no UTF-8 (another program's Latin-1 `Müller.vcf`)."""
    vdir = tmp_path / "vdir"
    vdir.mkdir()
    foreign = os.path.join(os.fsencode(vdir), b"M\xfcller.vcf")
    with open(foreign, "wb") as card:
        card.write(foreign_card(vcard.uid("mueller"), vcard.PRODID).encode())
    (vdir / "Anna.vcf").write_text(foreign_card(vcard.uid("Anna"), vcard.PRODID))
    data = directory_file(tmp_path, ["anna"])
    result = export(cli, data, vdir, "--prune")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines() == [f"kjcdir: {vdir}: 1 written, 0 unchanged."]
    assert os.path.exists(foreign) and (vdir / "Anna.vcf").exists()


def test_an_organisation_without_contact_data_loses_its_card(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """--with-orgs writes organisations that have contact data; one that lost its last
    phone has no card any more, so its old card (with the old number) is stale."""
    vdir = tmp_path / "vdir"
    data = directory_file(tmp_path, ["anna"])
    assert export(cli, data, vdir, "--with-orgs").exit_code == 0
    assert "TEL" in (vdir / "amt.vcf").read_text()
    document = json.loads(data.read_text())
    document["organizations"][0]["phones"] = []
    data.write_text(json.dumps(document), encoding="utf-8")
    result = export(cli, data, vdir, "--with-orgs", "--prune")
    assert result.exit_code == 0, result.stderr
    assert "removed amt.vcf: no longer in the directory." in result.stderr
    assert sorted(os.listdir(vdir)) == ["anna.vcf"]
