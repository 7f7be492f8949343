"""`kjcdir export`: selection, options, JSON, files (atomic, --force), vdirs, errors."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import vobject

from conftest import run_process
from kjcdir.export import vcard
from test_export_data import hostile_file


def uids(text: str) -> list[str]:
    return [card.uid.value for card in vobject.readComponents(text)]


def leftovers(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir() if path.name.startswith("."))


# --- selection -------------------------------------------------------------------------


def test_without_a_selection_it_says_what_to_give(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("export")
    assert result.exit_code == 2
    assert result.stderr == "kjcdir: Give a query, --org or --all to choose whom to export.\n"
    assert result.stdout == ""


def test_all_with_a_query_is_a_usage_error(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("export", "wissmeier", "--all")
    assert result.exit_code == 2
    assert "--all" in result.stderr


def test_a_query_exports_its_hits(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("export", "wissmeier")
    assert result.exit_code == 0
    assert uids(result.stdout) == [vcard.uid("rena-wissmeier")]


def test_a_query_and_org_intersect(cli) -> None:  # type: ignore[no-untyped-def]
    query = "Leiter des Sozialreferats"
    both = json.loads(cli("export", query, "-f", "json").stdout)
    assert {p["id"] for p in both} == {"felix-wuerfel", "michael-hofmeister"}
    hstt = json.loads(cli("export", query, "--org", "HStT", "-f", "json").stdout)
    assert [p["id"] for p in hstt] == ["michael-hofmeister"]


def test_org_takes_units_and_fuzzy_names(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("export", "--org", "Hessischer Städtetag", "-f", "json")
    assert result.exit_code == 0
    ids = [p["id"] for p in json.loads(result.stdout)]
    assert ids == ["michael-hofmeister", "rena-wissmeier"]


def test_an_unknown_org_is_a_usage_error(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("export", "--org", "Bundesagentur", "-f", "json")
    assert result.exit_code == 2
    assert result.stderr.startswith("kjcdir: Unknown organisation 'Bundesagentur'.")


def test_nothing_found_exits_1_with_an_empty_json_array(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("export", "Müller", "-f", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == []
    assert "No one matches 'Müller'" in result.stderr
    result = cli("export", "Müller")
    assert result.exit_code == 1
    assert result.stdout == ""


def test_query_and_org_without_common_people_exit_1(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("export", "wissmeier", "--org", "hlt")
    assert result.exit_code == 1
    assert "belongs to Hessischer Landkreistag" in result.stderr


# --- JSON --------------------------------------------------------------------------------


def test_json_is_the_person_objects_of_list(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("export", "--all", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == cli.json("list")


def test_json_with_orgs_adds_organisation_objects(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("export", "wissmeier", "-f", "json", "--with-orgs")
    objects = json.loads(result.stdout)
    assert [(o["kind"], o["id"]) for o in objects] == [
        ("person", "rena-wissmeier"),
        ("organization", "hstt"),
    ]


# --- option errors -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (
            ["--all", "--format", "xml"],
            "--format takes vcard, csv, json, xlsx, outlook, google or ldif, not 'xml'.",
        ),
        (["--all", "--excel"], "--excel shapes CSV; add --format csv."),
        (["--all", "-f", "json", "--excel"], "--excel shapes CSV"),
        (["--all", "--vcard-version", "2.1"], "--vcard-version takes 3.0 or 4.0, not '2.1'."),
        (["--all", "-f", "csv", "--vcard-version", "4.0"], "--vcard-version is for vCards"),
        (["--all", "--vdir", "d", "-f", "csv"], "--vdir writes vCards"),
        (["--all", "--vdir", "d", "-o", "x.vcf"], "Give -o FILE or --vdir DIR, not both."),
        (["--all", "-f", "csv", "--with-orgs"], "CSV holds people only"),
    ],
)
def test_option_errors_are_one_sentence(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], says: str
) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli("export", *args)
    assert result.exit_code == 2
    assert says in result.stderr
    assert result.stderr.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


# --- files ---------------------------------------------------------------------------


def test_o_writes_the_file_and_infers_the_format(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for name, start in (("a.vcf", b"BEGIN:VCARD\r\n"), ("a.csv", b"id,name,"), ("a.json", b"[")):
        target = tmp_path / name
        result = cli("export", "--all", "-o", str(target))
        assert result.exit_code == 0, result.stderr
        assert result.stdout == ""
        assert target.read_bytes().startswith(start)
        assert f"wrote 9 contacts to {target}." in result.stderr
    assert leftovers(tmp_path) == []


def test_an_existing_file_is_not_replaced_without_force(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "contacts.vcf"
    target.write_text("mine\n")
    result = cli("export", "--all", "-o", str(target))
    assert result.exit_code == 2
    assert result.stderr == f"kjcdir: {target} exists already; add --force to replace it.\n"
    assert target.read_text() == "mine\n"
    result = cli("export", "--all", "-o", str(target), "--force")
    assert result.exit_code == 0
    assert len(uids(target.read_text())) == 9
    assert leftovers(tmp_path) == []


def test_force_keeps_the_mode_of_the_replaced_file(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "contacts.csv"
    target.write_text("old\n")
    target.chmod(0o640)
    assert cli("export", "--all", "-o", str(target), "--force").exit_code == 0
    assert target.stat().st_mode & 0o777 == 0o640


@pytest.mark.parametrize(
    ("where", "says"),
    [
        ("missing/contacts.vcf", "the folder does not exist"),
        ("afile/contacts.vcf", "a part of the path is not a folder"),
    ],
)
def test_an_unwritable_path_is_one_sentence(cli, tmp_path: Path, where: str, says: str) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "afile").write_text("x")
    target = tmp_path / where
    result = cli("export", "--all", "-o", str(target))
    assert result.exit_code == 2
    assert result.stderr == f"kjcdir: Cannot write {target}: {says}.\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]


def test_a_folder_as_output_is_refused(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("export", "--all", "-o", str(tmp_path), "--force")
    assert result.exit_code == 2
    assert "is a folder" in result.stderr


@pytest.mark.parametrize("failing", ["write", "replace"])
def test_a_failure_while_writing_leaves_nothing_behind(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    target = tmp_path / "contacts.vcf"
    if failing == "replace":
        target.write_text("old\n")

    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    if failing == "write":
        monkeypatch.setattr(os, "fsync", disk_full)
    else:
        monkeypatch.setattr(os, failing, disk_full)
    force = ["--force"] if failing == "replace" else []
    result = cli("export", "--all", "-o", str(target), *force)
    assert result.exit_code == 2
    assert result.stderr == f"kjcdir: Cannot write {target}: the disk is full.\n"
    if failing == "replace":
        assert target.read_text() == "old\n"
    else:
        assert not target.exists()
    assert leftovers(tmp_path) == []


def test_a_file_system_without_hard_links_still_gets_the_file(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    target = tmp_path / "contacts.vcf"
    assert cli("export", "--all", "-o", str(target)).exit_code == 0
    assert len(uids(target.read_text())) == 9
    assert cli("export", "--all", "-o", str(target)).exit_code == 2  # still no clobbering
    assert leftovers(tmp_path) == []


def test_the_file_is_renamed_into_place_whole(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "contacts.vcf"
    target.write_text("old\n")
    seen: list[str] = []
    real_replace = os.replace

    def watching_replace(source: str, destination: str, **where: int) -> None:
        # names are relative to the open folder (src_dir_fd): read the temporary file there
        folder = where.get("src_dir_fd")
        opened = os.open(source, os.O_RDONLY, dir_fd=folder)
        with os.fdopen(opened, "rb") as stream:
            seen.append(stream.read().decode())  # complete before it takes the name
        assert target.read_text() == "old\n"
        real_replace(source, destination, **where)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "replace", watching_replace)
    assert cli("export", "--all", "-o", str(target), "--force").exit_code == 0
    assert seen == [target.read_bytes().decode()]
    assert seen[0].endswith("END:VCARD\r\n")


# --- vdir --------------------------------------------------------------------------------


def test_vdir_writes_one_card_per_contact(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "contacts" / "kjc"
    result = cli("export", "--all", "--vdir", str(folder))
    assert result.exit_code == 0, result.stderr
    assert result.stderr == f"kjcdir: {folder}: 9 written, 0 unchanged.\n"
    files = sorted(folder.iterdir())
    assert len(files) == 9
    for path in files:
        assert path.suffix == ".vcf"
        cards = list(vobject.readComponents(path.read_text(encoding="utf-8")))
        assert len(cards) == 1
        assert cards[0].uid.value == vcard.uid(path.stem)


def test_vdir_rewrites_only_changed_files(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "vdir"
    assert cli("export", "--all", "--vdir", str(folder)).exit_code == 0
    old = 1_000_000_000
    for path in folder.iterdir():
        os.utime(path, (old, old))
    inodes = {path.name: path.stat().st_ino for path in folder.iterdir()}
    result = cli("export", "--all", "--vdir", str(folder))
    assert result.stderr == f"kjcdir: {folder}: 0 written, 9 unchanged.\n"
    assert all(path.stat().st_mtime == old for path in folder.iterdir())
    # A data file of the user's own changes one person: only that file is rewritten.
    own = tmp_path / "own.yaml"
    own.write_text(
        "people:\n"
        "  - id: felix-wuerfel\n"
        "    given_name: Felix\n"
        "    family_name: Würfel\n"
        "    affiliations: [{org: hlt-sozialreferat, role: Referatsleiter}]\n"
        '    phones: ["+49 611 1706-69"]\n',
        encoding="utf-8",
    )
    result = cli("--data", str(own), "export", "--all", "--vdir", str(folder))
    assert result.stderr == f"kjcdir: {folder}: 1 written, 8 unchanged.\n"
    changed = [path.name for path in folder.iterdir() if path.stat().st_mtime != old]
    assert changed == ["felix-wuerfel.vcf"]
    assert "TITLE:Referatsleiter" in (folder / "felix-wuerfel.vcf").read_text()
    assert (folder / "laura-brennert.vcf").stat().st_ino == inodes["laura-brennert.vcf"]
    assert leftovers(folder) == []


def test_vdir_leaves_other_files_alone(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "vdir"
    folder.mkdir()
    (folder / "someone-else.vcf").write_text("BEGIN:VCARD\r\nEND:VCARD\r\n")
    assert cli("export", "wissmeier", "--vdir", str(folder)).exit_code == 0
    assert sorted(p.name for p in folder.iterdir()) == ["rena-wissmeier.vcf", "someone-else.vcf"]


def test_vdir_on_a_file_is_refused(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "file"
    path.write_text("x")
    result = cli("export", "--all", "--vdir", str(path))
    assert result.exit_code == 2
    assert result.stderr == f"kjcdir: {path} is not a folder; --vdir needs one.\n"


def test_vdir_version_4_and_hostile_ids(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "vdir"
    data = hostile_file(tmp_path)
    args = ("--data", str(data), "--no-bundled", "export", "--all", "--vdir", str(folder))
    assert cli(*args, "--vcard-version", "4.0", "--with-orgs").exit_code == 0
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["hostile-person.vcf", "long-person.vcf", "no-contact.vcf", "org-a.vcf"]
    assert (folder / "org-a.vcf").read_bytes().startswith(b"BEGIN:VCARD\r\nVERSION:4.0\r\n")


# --- as users run it ---------------------------------------------------------------------


def test_the_real_process_writes_crlf_vcards_and_plain_errors(tmp_path: Path) -> None:
    done = run_process("export", "wissmeier", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("BEGIN:VCARD\nVERSION:3.0\n")  # text mode reads CRLF as LF
    raw = subprocess.run(
        [sys.executable, "-m", "kjcdir", "export", "wissmeier"],
        capture_output=True,
        check=True,
        cwd=tmp_path,
    ).stdout
    assert raw.startswith(b"BEGIN:VCARD\r\nVERSION:3.0\r\n")
    failed = run_process("export", cwd=tmp_path)
    assert failed.returncode == 2
    assert failed.stderr == "kjcdir: Give a query, --org or --all to choose whom to export.\n"
    assert "Traceback" not in failed.stderr


def test_find_imports_nothing_of_the_exports() -> None:
    code = (
        "import sys\n"
        "from kjcdir.cli import main\n"
        "sys.argv = ['kjcdir', 'find', 'wissmeier']\n"
        "try:\n    main()\nexcept SystemExit as done:\n"
        "    assert done.code in (0, None), done.code\n"
        "heavy = [m for m in sys.modules if m.startswith(('kjcdir.export', 'vobject', 'segno'))]\n"
        "sys.stderr.write(repr(heavy))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stderr == "[]"
