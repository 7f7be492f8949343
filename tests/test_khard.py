"""khard, run as a process with a configuration of its own, reads the vdirs kjcdir writes."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from conftest import console_script, run_process
from kjcdir.export import vcard
from test_export_data import hostile_file

BUNDLED_NAMES = {
    "Felix Würfel", "Laura Brennert", "Michael Hofmeister", "Rena Wißmeier", "Rosemarie Lück",
    "Ariane Patzelt", "Joachim Werle", "Jürgen Stock", "Peter Dubowy",
}  # fmt: skip
BUNDLED_IDS = (
    "felix-wuerfel", "laura-brennert", "michael-hofmeister", "rena-wissmeier", "rosemarie-lueck",
    "ariane-patzelt", "joachim-werle", "juergen-stock", "peter-dubowy",
)  # fmt: skip

CONFIG = """\
[addressbooks]
[[kjc]]
path = {path}

[general]
debug = no
default_action = list
editor = /bin/false
merge_editor = /bin/false

[contact table]
display = first_name
group_by_addressbook = no
reverse = no
show_nicknames = no
show_uids = yes
sort = last_name
localize_dates = yes
preferred_phone_number_type = pref, cell, home
preferred_email_address_type = pref, work, home

[vcard]
private_objects = Jabber,
preferred_version = 3.0
search_in_source_files = no
skip_unparsable = no
"""


def khard_executable() -> str:
    found = console_script("khard")
    if found is None:
        pytest.fail("khard is missing: it is a test extra (pip install -e '.[test]')")
    return found


class Khard:
    def __init__(self, vdir: Path, home: Path) -> None:
        self.config = home / "khard.conf"
        self.config.write_text(CONFIG.format(path=vdir), encoding="utf-8")
        self.env = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home / "config")}

    def __call__(self, *args: str) -> list[str]:
        done = subprocess.run(
            [khard_executable(), "-c", str(self.config), *args],
            capture_output=True,
            text=True,
            env=self.env,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        assert "rror" not in done.stderr, done.stderr  # nothing it could not parse
        return done.stdout.splitlines()


def export_vdir(tmp_path: Path, *args: str) -> Khard:
    vdir = tmp_path / "vdir"
    done = run_process(*args, "--vdir", str(vdir), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return Khard(vdir, tmp_path)


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_khard_lists_every_exported_contact(tmp_path: Path, version: str) -> None:
    khard = export_vdir(tmp_path, "export", "--all", "--vcard-version", version)
    rows = [line.split("\t") for line in khard("list", "--parsable")]
    assert {row[1] for row in rows} == BUNDLED_NAMES
    assert {row[0] for row in rows} == {vcard.uid(person_id) for person_id in BUNDLED_IDS}


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_khard_finds_addresses_and_phones(tmp_path: Path, version: str) -> None:
    khard = export_vdir(tmp_path, "export", "--all", "--vcard-version", version)
    emails = [line.split("\t")[:2] for line in khard("email", "--parsable", "Wißmeier")[1:]]
    assert emails == [["wissmeier@hess-staedtetag.de", "Rena Wißmeier"]]
    phones = [line.split("\t")[:2] for line in khard("phone", "--parsable", "Würfel")]
    assert phones == [["+49611170669", "Felix Würfel"]]
    organisations = khard("list", "--parsable", "--fields", "name,organisations", "Hofmeister")
    assert organisations == ["Michael Hofmeister\t[['Hessischer Städtetag', 'Sozialreferat']]"]
    details = "\n".join(khard("show", "Werle"))
    assert "Main-Taunus-Kreis" in details
    assert "Auch: Sprecher der hessischen AG KJC" in details


def test_khard_reads_hostile_cards_and_organisations(tmp_path: Path) -> None:
    data = hostile_file(tmp_path)
    args = ("--data", str(data), "--no-bundled", "export", "--all", "--with-orgs")
    khard = export_vdir(tmp_path, *args)
    uids = {line.split("\t")[0] for line in khard("list", "--parsable")}
    assert uids == {vcard.uid(i) for i in ("hostile-person", "long-person", "no-contact", "org-a")}
    emails = [line.split("\t")[0] for line in khard("email", "--parsable", "HYPERLINK")[1:]]
    assert emails == ["=1+2@example.org", "zoe@example.org"]
    shown = "\n".join(khard("show", "--format", "yaml", "HYPERLINK"))
    assert 'Formatted name: "Zoë\\tÄrger =HYPERLINK(\\"http://evil\\")"' in shown
    assert "Last name: =HYPERLINK" in shown
    long_name = "\n".join(khard("show", "--format", "yaml", "Łucja"))
    assert "Ärger-Übermaß-Straßenverkehrsüberwachungsdienststellenleiterin" in long_name
