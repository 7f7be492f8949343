"""Writes that never destroy (issue 9, items 1-4, 6 and 7; SPEC 4).

`export -o`, `qr -o` and `--vdir` replace nothing but regular files, never write through
a symbolic link (in a vdir, not even with --force), leave foreign cards alone, and leave
no temporary file behind on any way out: an error, Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import vobject

from conftest import interruptible, kjcdir_executable
from kjcdir import atomic
from kjcdir.errors import Terminated
from kjcdir.export import files, render, vcard
from test_export_files import planted_link
from test_process import write_directory

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file types and signals")
root_only = pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0, reason="making a device node needs root"
)

EXPORT = ["export", "felix", "-o"]


def temporaries(folder: Path) -> list[str]:
    """kjcdir's temporary files (and those of 0.1.0) left in a folder."""
    return sorted(
        name
        for name in os.listdir(folder)
        if atomic.is_temporary_name(name) or (name.startswith(".") and name.endswith(".tmp"))
    )


def one_sentence(stderr: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("kjcdir: ") and lines[0].endswith("."), stderr
    return lines[0]


# -- 1. only regular files are replaced ------------------------------------------------------


def make_fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def make_socket(path: Path) -> Path:
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.close()  # the socket file stays
    return path


def make_device(path: Path) -> Path:
    os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # a copy of /dev/null
    return path


SPECIAL = {
    "fifo": pytest.param(make_fifo, marks=posix_only),
    "socket": pytest.param(make_socket, marks=posix_only),
    "device": pytest.param(make_device, marks=[posix_only, root_only]),
}


@pytest.mark.parametrize("make", list(SPECIAL.values()), ids=list(SPECIAL))
@pytest.mark.parametrize("command", [EXPORT, ["export", "--all", "-f", "csv", "-o"]])
def test_force_never_replaces_what_is_not_a_regular_file(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path, make: Callable[[Path], Path], command: list[str]
) -> None:
    special = make(tmp_path / "target")
    before = os.lstat(special)
    result = cli(*command, str(special), "--force")
    assert result.exit_code == 2
    assert "not a regular file" in one_sentence(result.stderr)
    after = os.lstat(special)
    assert stat.S_IFMT(after.st_mode) == stat.S_IFMT(before.st_mode)
    assert (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)
    assert temporaries(tmp_path) == []


@pytest.mark.parametrize("make", list(SPECIAL.values()), ids=list(SPECIAL))
def test_nor_one_behind_a_symbolic_link(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path, make: Callable[[Path], Path]
) -> None:
    special = make(tmp_path / "special")
    link = tmp_path / "link.vcf"
    link.symlink_to(special)
    result = cli(*EXPORT, str(link), "--force")
    assert result.exit_code == 2
    assert "symbolic link to a" in one_sentence(result.stderr)
    assert not stat.S_ISREG(os.lstat(special).st_mode)
    assert link.is_symlink() and os.readlink(link) == str(special)


@posix_only
@root_only
def test_a_qr_code_never_replaces_a_device(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    device = make_device(tmp_path / "code.png")
    result = cli("qr", "felix-wuerfel", "-o", str(device), "--force")
    assert result.exit_code == 2
    assert "a device" in one_sentence(result.stderr)
    assert stat.S_ISCHR(os.lstat(device).st_mode)


@posix_only
def test_the_real_process_refuses_a_fifo_without_blocking(tmp_path: Path) -> None:
    """Opening a FIFO to write would wait for a reader forever; kjcdir never opens it."""
    fifo = make_fifo(tmp_path / "pipe.vcf")
    result = subprocess.run(
        [kjcdir_executable(), *EXPORT, str(fifo), "--force"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert "FIFO" in one_sentence(result.stderr)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


# -- 3. -o and symbolic links, folders, stdout ---------------------------------------------------


def test_a_symbolic_link_is_refused_without_force(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    link = tmp_path / "contacts.vcf"
    link.symlink_to(victim)
    result = cli(*EXPORT, str(link))
    assert result.exit_code == 2
    assert one_sentence(result.stderr) == (
        f"kjcdir: {link} is a symbolic link; kjcdir does not write through links "
        "(--force replaces the regular file it points to)."
    )
    assert victim.read_text() == "keep me\n"
    assert os.readlink(link) == str(victim)


def test_a_dangling_link_is_refused_even_with_force(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    outside = tmp_path / "elsewhere" / "created.vcf"
    outside.parent.mkdir()
    link = tmp_path / "contacts.vcf"
    link.symlink_to(outside)
    for extra in ([], ["--force"]):
        result = cli(*EXPORT, str(link), *extra)
        assert result.exit_code == 2
        assert "symbolic link" in one_sentence(result.stderr)
    assert not outside.exists()
    assert os.listdir(outside.parent) == []
    assert link.is_symlink()


def test_force_replaces_the_regular_file_a_link_points_to(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    real = tmp_path / "real" / "contacts.vcf"
    real.parent.mkdir()
    real.write_text("old\n")
    real.chmod(0o640)
    link = tmp_path / "contacts.vcf"
    link.symlink_to(real)
    result = cli(*EXPORT, str(link), "--force")
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink() and os.readlink(link) == str(real)  # the link stays a link
    assert "FN:Felix Würfel" in real.read_text(encoding="utf-8")
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert temporaries(real.parent) == [] and temporaries(tmp_path) == []


@pytest.mark.parametrize("suffix", ["/", "//"])
def test_a_trailing_slash_names_a_folder_and_is_refused(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path, suffix: str
) -> None:
    result = cli(*EXPORT, str(tmp_path / "out") + suffix)
    assert result.exit_code == 2
    assert "folder" in one_sentence(result.stderr)
    assert os.listdir(tmp_path) == []


def test_a_dash_writes_to_standard_output(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli(*EXPORT, "-")
    assert result.exit_code == 0
    assert result.stdout.startswith("BEGIN:VCARD")
    assert result.stderr == ""
    assert os.listdir(tmp_path) == []
    qr = cli("qr", "felix-wuerfel", "-o", "-")
    assert qr.exit_code == 0 and "█" in qr.stdout
    assert os.listdir(tmp_path) == []


# -- 7. long names ----------------------------------------------------------------------------


def test_a_legal_250_byte_name_is_written(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    name = "k" * 246 + ".vcf"
    assert len(name.encode()) == 250
    result = cli(*EXPORT, str(tmp_path / name))
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / name).read_text(encoding="utf-8").startswith("BEGIN:VCARD")
    assert temporaries(tmp_path) == []


def test_temporary_names_are_short() -> None:
    name = atomic.temporary_name()
    assert len(name) <= 20
    assert atomic.is_temporary_name(name)
    assert atomic.is_plain_name(name)


# -- 2 and 4. vdirs: no link followed, no foreign file replaced ------------------------------------


def test_a_link_in_the_vdir_is_never_written_through(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    vdir = tmp_path / "vd"
    vdir.mkdir()
    victim = tmp_path / "victim"
    victim.write_text("keep me\n")
    (vdir / "rena-wissmeier.vcf").symlink_to("../victim")
    (vdir / "felix-wuerfel.vcf").symlink_to("../created-outside")
    result = cli("export", "--all", "--vdir", str(vdir))
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert any(
        line.startswith("kjcdir: skipped rena-wissmeier.vcf: a symbolic link") for line in lines
    )
    assert any(
        line.startswith("kjcdir: skipped felix-wuerfel.vcf: a symbolic link") for line in lines
    )
    assert lines[-1] == f"kjcdir: {vdir}: 7 written, 0 unchanged, 2 skipped."
    assert victim.read_text() == "keep me\n"
    assert not (tmp_path / "created-outside").exists()
    assert (vdir / "rena-wissmeier.vcf").is_symlink()
    # --force replaces foreign cards, never links
    forced = cli("export", "--all", "--vdir", str(vdir), "--force")
    assert forced.exit_code == 2
    assert victim.read_text() == "keep me\n"
    assert not (tmp_path / "created-outside").exists()


@posix_only
def test_a_fifo_or_folder_at_a_card_s_name_is_skipped(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    vdir = tmp_path / "vd"
    vdir.mkdir()
    os.mkfifo(vdir / "peter-dubowy.vcf")
    (vdir / "laura-brennert.vcf").mkdir()
    result = cli("export", "--all", "--vdir", str(vdir), "--force")
    assert result.exit_code == 2
    assert "skipped peter-dubowy.vcf: a FIFO" in result.stderr
    assert "skipped laura-brennert.vcf: a folder" in result.stderr
    assert stat.S_ISFIFO(os.lstat(vdir / "peter-dubowy.vcf").st_mode)
    assert (vdir / "laura-brennert.vcf").is_dir()


def test_foreign_cards_are_replaced_only_with_force(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    vdir = tmp_path / "vd"
    vdir.mkdir()
    foreign = b"BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//Apple Inc.//iOS 17//EN\r\nEND:VCARD\r\n"
    (vdir / "felix-wuerfel.vcf").write_bytes(foreign)
    (vdir / "notes.txt").write_text("mine\n")
    (vdir / "someone-else.vcf").write_bytes(foreign)
    result = cli("export", "--all", "--vdir", str(vdir))
    assert result.exit_code == 2
    assert (
        "kjcdir: skipped felix-wuerfel.vcf: not written by kjcdir; --force replaces it.\n"
        in result.stderr
    )
    assert (vdir / "felix-wuerfel.vcf").read_bytes() == foreign
    forced = cli("export", "--all", "--vdir", str(vdir), "--force")
    assert forced.exit_code == 0, forced.stderr
    assert forced.stderr == f"kjcdir: {vdir}: 1 written, 8 unchanged.\n"
    card = vobject.readOne((vdir / "felix-wuerfel.vcf").read_text(encoding="utf-8"))
    assert card.uid.value == vcard.uid("felix-wuerfel")
    # files at no contact's name stay, --force or not
    assert (vdir / "notes.txt").read_text() == "mine\n"
    assert (vdir / "someone-else.vcf").read_bytes() == foreign


def test_kjcdir_s_own_older_card_is_updated_without_force(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    vdir = tmp_path / "vd"
    assert cli("export", "--all", "--vdir", str(vdir)).exit_code == 0
    card = vdir / "rena-wissmeier.vcf"
    old = card.read_text(encoding="utf-8").replace("Wißmeier", "Wissmeier-Alt")
    card.write_text(old, encoding="utf-8")
    card.chmod(0o600)
    result = cli("export", "--all", "--vdir", str(vdir))
    assert result.exit_code == 0, result.stderr
    assert result.stderr == f"kjcdir: {vdir}: 1 written, 8 unchanged.\n"
    assert "Wißmeier" in card.read_text(encoding="utf-8")
    assert stat.S_IMODE(card.stat().st_mode) == 0o600


def test_a_kjcdir_card_of_another_contact_is_foreign(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The UID ties a card to its name: kjcdir's card of Laura at Felix's name is not Felix's."""
    vdir = tmp_path / "vd"
    assert cli("export", "--all", "--vdir", str(vdir)).exit_code == 0
    laura = (vdir / "laura-brennert.vcf").read_bytes()
    (vdir / "felix-wuerfel.vcf").write_bytes(laura)
    result = cli("export", "--all", "--vdir", str(vdir))
    assert result.exit_code == 2
    assert "skipped felix-wuerfel.vcf: not written by kjcdir" in result.stderr
    assert (vdir / "felix-wuerfel.vcf").read_bytes() == laura


def test_is_own_card_agrees_with_vobject() -> None:
    from kjcdir.store import open_directory

    directory = open_directory([], progress=False).directory
    for person in directory.people.values():
        for version in ("3.0", "4.0"):
            text = vcard.person_card(directory, person, version)
            parsed = vobject.readOne(text)
            assert parsed.prodid.value == vcard.PRODID
            assert parsed.uid.value == vcard.uid(person.id)
            assert vcard.is_own_card(text.encode(), person.id)
            assert not vcard.is_own_card(text.encode(), "someone-else")
            assert not vcard.is_own_card((text + text).encode(), person.id)  # two cards
            changed = text.replace(vcard.PRODID, "-//Other//EN")
            assert not vcard.is_own_card(changed.encode(), person.id)
    assert not vcard.is_own_card(b"\xff\xfe not text", "felix-wuerfel")
    # folded lines and lower-case names are still read as RFC 6350 allows
    folded = vcard.person_card(directory, directory.people["felix-wuerfel"]).replace(
        "UID:urn:uuid:", "uid:urn:\r\n uuid:"
    )
    assert vcard.is_own_card(folded.encode(), "felix-wuerfel")


def test_a_link_swapped_in_during_the_export_redirects_nothing(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Between kjcdir's look at a name and its write, another program puts a link there."""
    vdir = tmp_path / "vd"
    assert cli("export", "--all", "--vdir", str(vdir)).exit_code == 0
    (vdir / "felix-wuerfel.vcf").unlink()
    own = vdir / "rena-wissmeier.vcf"
    own.write_text(own.read_text(encoding="utf-8").replace("Rena", "Rene"), encoding="utf-8")
    victim = tmp_path / "victim"
    victim.write_text("keep me\n")
    real_lstat = atomic.Folder.lstat

    def lstat_then_swap(self: atomic.Folder, name: str) -> os.stat_result | None:
        seen = real_lstat(self, name)
        if name in ("felix-wuerfel.vcf", "rena-wissmeier.vcf") and not (vdir / name).is_symlink():
            (vdir / name).unlink(missing_ok=True)
            (vdir / name).symlink_to("../victim")
        return seen

    monkeypatch.setattr(atomic.Folder, "lstat", lstat_then_swap)
    result = cli("export", "--all", "--vdir", str(vdir))
    assert result.exit_code == 2
    assert "skipped felix-wuerfel.vcf" in result.stderr
    assert "skipped rena-wissmeier.vcf" in result.stderr
    assert victim.read_text() == "keep me\n"
    assert temporaries(vdir) == []


def test_a_name_that_is_not_plain_is_refused(tmp_path: Path) -> None:
    """Ids are checked on every load; the writer checks again (ids from a damaged cache)."""
    for name in ("../escaped.vcf", "a/b.vcf", "..", "", "x\0.vcf"):
        with pytest.raises(files.KjcdirError):
            files.write_vdir(tmp_path / "vd", [(name, b"x")], render.is_own_card, False, ())
    assert sorted(os.listdir(tmp_path)) == ["vd"]


# -- 6. nothing left behind ---------------------------------------------------------------------


# The steps of a write, and whether each runs for a new file, a replaced one, or both.
STEPS = [
    ("write", "new.vcf"),
    ("write", "exists.vcf"),
    ("fsync", "new.vcf"),
    ("fsync", "exists.vcf"),
    ("link", "new.vcf"),
    ("fchmod", "exists.vcf"),
    ("replace", "exists.vcf"),
]


@pytest.mark.parametrize(("step", "name"), STEPS, ids=[f"{s}-{n}" for s, n in STEPS])
@pytest.mark.parametrize("error", [KeyboardInterrupt, Terminated, OSError])
def test_an_interruption_at_any_step_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str, name: str, error: type
) -> None:
    existing = tmp_path / "exists.vcf"
    existing.write_text("old\n")
    calls: list[str] = []

    def failing(*args: object, **kwargs: object) -> object:
        calls.append(step)
        raise error(15) if error is Terminated else error()

    real = getattr(os, step)
    monkeypatch.setattr(os, step, failing)
    with pytest.raises((error, files.KjcdirError)):
        files.write_file(str(tmp_path / name), b"BEGIN:VCARD\r\n", force=True)
    monkeypatch.setattr(os, step, real)
    assert calls == [step]  # the step did run, and failed
    assert temporaries(tmp_path) == []
    assert existing.read_text() == "old\n"
    assert sorted(os.listdir(tmp_path)) == ["exists.vcf"]


@posix_only
@pytest.mark.parametrize("sent", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_during_a_vdir_export_leaves_no_temporary_file(
    tmp_path_factory: pytest.TempPathFactory, sent: signal.Signals
) -> None:
    data = write_directory(tmp_path_factory.mktemp("data") / "people.yaml", 1500)
    command = [kjcdir_executable(), "--no-bundled", "--data", str(data)]
    subprocess.run([*command, "info"], capture_output=True, check=True)  # warm the cache
    chance = random.Random(9)
    codes = set()
    for attempt in range(6):
        vdir = tmp_path_factory.mktemp("vd")
        process = subprocess.Popen(
            [*command, "export", "--all", "--vdir", str(vdir)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=interruptible,
        )
        # strike somewhere in the middle of the export, counted in cards written (a
        # delay in seconds would miss the export altogether on a fast machine)
        strike_at = chance.randrange(5, 1000)
        deadline = time.monotonic() + 60
        while len(os.listdir(vdir)) < strike_at and process.poll() is None:
            assert time.monotonic() < deadline
            time.sleep(0.002)
        process.send_signal(sent)
        _, errors = process.communicate(timeout=60)
        codes.add(process.returncode)
        assert process.returncode in (0, 128 + sent), errors
        assert "Traceback" not in errors
        assert temporaries(vdir) == [], f"attempt {attempt}"
        for card in os.listdir(vdir):  # every card in place is whole
            assert (vdir / card).read_bytes().endswith(b"END:VCARD\r\n")
    assert 128 + sent in codes  # the signal did strike during an export


def test_the_cache_s_temporary_file_goes_on_ctrl_c(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kjcdir import cache
    from kjcdir.store import open_directory

    data = write_directory(tmp_path / "people.yaml", 200)
    real_fsync = os.fsync
    monkeypatch.setattr(cache, "SETTLED_NS", 0)

    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        open_directory([data], include_bundled=False, progress=False)
    monkeypatch.setattr(os, "fsync", real_fsync)
    folder = cache.cache_dir()
    assert [name for name in os.listdir(folder) if name.startswith(".")] == []
    assert os.listdir(folder) == []  # and no half cache under the real name either


# -- found in review: names that are folders, shared folders, unreadable cards -------------------


def test_an_empty_vdir_name_is_refused(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--vdir "$DIR"` with DIR unset must not fill the current folder with cards."""
    monkeypatch.chdir(tmp_path)
    result = cli("export", "--all", "--vdir", "")
    assert result.exit_code == 2
    assert one_sentence(result.stderr) == "kjcdir: --vdir needs a folder name."
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("name", ["out/.", "out/..", "."])
def test_a_name_ending_in_a_dot_folder_is_refused(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "out").mkdir()
    monkeypatch.chdir(tmp_path)
    result = cli(*EXPORT, name)
    assert result.exit_code == 2
    assert "folder" in one_sentence(result.stderr)
    assert sorted(os.listdir(tmp_path)) == ["out"] and os.listdir(tmp_path / "out") == []


@posix_only
@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0,
    reason="giving a link to another uid needs root",
)
def test_force_never_follows_another_user_s_link_in_a_shared_folder(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path
) -> None:
    """In /tmp (sticky, anyone may write) another user plants out.vcf -> ~/precious; the
    kernel would not follow it (fs.protected_symlinks), and neither does kjcdir."""
    link, precious = planted_link(tmp_path, 0o1777)
    result = cli(*EXPORT, str(link), "--force")
    assert result.exit_code == 2
    assert one_sentence(result.stderr) == (
        f"kjcdir: {link} is a symbolic link of another user in a shared folder; kjcdir does "
        "not follow it."
    )
    assert precious.read_bytes() == b"keep me"
    os.lchown(link, 0, 0)  # the user's own link there is followed with --force
    assert cli(*EXPORT, str(link), "--force").exit_code == 0
    assert precious.read_text(encoding="utf-8").startswith("BEGIN:VCARD")


def test_an_unreadable_card_is_named_as_such(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vdir = tmp_path / "vd"
    assert cli("export", "--all", "--vdir", str(vdir)).exit_code == 0
    card = vdir / "rena-wissmeier.vcf"
    card.write_text(card.read_text(encoding="utf-8").replace("Rena", "Rene"), encoding="utf-8")
    real = atomic.Folder.read_regular

    def unreadable(self: atomic.Folder, name: str, limit: int) -> bytes | None:
        return None if name == card.name else real(self, name, limit)

    monkeypatch.setattr(atomic.Folder, "read_regular", unreadable)  # as chmod 000 does to a user
    result = cli("export", "--all", "--vdir", str(vdir))
    assert result.exit_code == 2
    assert "skipped rena-wissmeier.vcf: it cannot be read; --force replaces it." in result.stderr
    assert "Rene" in card.read_text(encoding="utf-8")
    forced = cli("export", "--all", "--vdir", str(vdir), "--force")
    assert forced.exit_code == 0, forced.stderr
    assert "Rena" in card.read_text(encoding="utf-8")


def test_a_folder_that_cannot_be_written_is_named(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--force replaces a writable file in a read-only folder? No: the new file is made
    in the folder. The sentence says so, rather than blaming the file."""
    target = tmp_path / "shared.vcf"
    target.write_text("old\n")
    real_open = os.open

    def no_new_files(path: str, flags: int, *args: object, **kwargs: object) -> int:
        if flags & os.O_CREAT:
            raise PermissionError(13, "Permission denied")
        return real_open(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", no_new_files)
    result = cli(*EXPORT, str(target), "--force")
    monkeypatch.setattr(os, "open", real_open)
    assert result.exit_code == 2
    assert one_sentence(result.stderr) == (
        f"kjcdir: Cannot write {target}: permission denied "
        f"(kjcdir writes the new file in {tmp_path}, then renames it)."
    )
    assert target.read_text() == "old\n"


# -- the folder primitives themselves -------------------------------------------------------------


def test_a_file_replaced_by_another_program_is_not_overwritten(tmp_path: Path) -> None:
    """replace_file replaces the file it checked, not one another program put there since."""
    target = tmp_path / "card.vcf"
    target.write_text("checked\n")
    with atomic.Folder(tmp_path) as folder:
        checked = folder.lstat("card.vcf")
        assert checked is not None
        other = tmp_path / "other"
        other.write_text("theirs\n")
        os.replace(other, target)  # a regular file still, but another one
        with pytest.raises(atomic.ChangedError):
            folder.replace_file("card.vcf", b"ours\n", checked)
    assert target.read_text() == "theirs\n"
    assert temporaries(tmp_path) == []


@posix_only
def test_reading_a_card_never_follows_a_link(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even if a link appears between the look (lstat) and the open, O_NOFOLLOW refuses it."""
    outside = tmp_path / "outside.vcf"
    outside.write_bytes(b"secret")
    folder_path = tmp_path / "vd"
    folder_path.mkdir()
    (folder_path / "card.vcf").symlink_to(outside)
    regular = os.stat(outside)
    monkeypatch.setattr(atomic.Folder, "lstat", lambda self, name: regular)
    with atomic.Folder(folder_path) as folder:
        assert folder.read_regular("card.vcf", 100) is None


@posix_only
def test_names_are_resolved_in_the_folder_that_was_opened(tmp_path: Path) -> None:
    """A folder swapped for another (or for a link) after it was opened gets nothing."""
    opened = tmp_path / "vd"
    opened.mkdir()
    with atomic.Folder(opened) as folder:
        opened.rename(tmp_path / "moved")
        (tmp_path / "elsewhere").mkdir()
        opened.symlink_to(tmp_path / "elsewhere")
        folder.create("card.vcf", b"BEGIN:VCARD\r\n")
    assert (tmp_path / "moved" / "card.vcf").read_bytes() == b"BEGIN:VCARD\r\n"
    assert os.listdir(tmp_path / "elsewhere") == []


# -- a signal whose handler runs just before the signals are held -------------------------------


def test_a_signal_handled_while_held_is_raised_when_the_hold_ends() -> None:
    done: list[str] = []
    with pytest.raises(KeyboardInterrupt), atomic.signals_held():
        atomic.interrupt(KeyboardInterrupt())  # as kjcdir's handler does
        done.append("the rest of the block")
    assert done == ["the rest of the block"]
    with pytest.raises(Terminated):  # and at once when nothing is held
        atomic.interrupt(Terminated(signal.SIGTERM))


def test_a_signal_while_the_temporary_file_is_made_leaves_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = atomic.Folder._create_temporary

    def made_then_interrupted(self: atomic.Folder, mode: int) -> tuple[str, int]:
        made = real(self, mode)
        atomic.interrupt(KeyboardInterrupt())  # the handler runs right after the open
        return made

    monkeypatch.setattr(atomic.Folder, "_create_temporary", made_then_interrupted)
    with atomic.Folder(tmp_path) as folder, pytest.raises(KeyboardInterrupt):
        folder.create("card.vcf", b"x")
    assert os.listdir(tmp_path) == []


def test_a_signal_during_the_clean_up_does_not_stop_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A handler that fired just before the clean-up held the signals raises inside it:
    the clean-up is done again, then the interruption goes on."""
    real_close = atomic.Temporary.close
    raised: list[bool] = []

    def close(self: atomic.Temporary) -> None:
        if not raised:
            raised.append(True)
            raise Terminated(signal.SIGTERM)
        real_close(self)

    monkeypatch.setattr(atomic.Temporary, "close", close)
    with atomic.Folder(tmp_path) as folder, pytest.raises(Terminated), folder.temporary():
        raise KeyboardInterrupt  # the first interruption, mid-write
    assert raised == [True]
    assert os.listdir(tmp_path) == []
