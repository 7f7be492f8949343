"""Branches no other test reached (issue 16).

1. kjcdir.export.files: `-o` and symbolic links, a vdir folder that cannot be created, one
   card that cannot be written, the sentences for permission denied and a read-only file
   system, a file that appears between the check and the link, and the mode of a new file.
2. kjcdir.store._from_cache: a cache of the right key and checksums but the wrong shape is
   a miss: the files are read and the cache is written anew.
3. kjcdir.cache: leftover temporary files are removed (one that cannot be does not stop
   the others), and a failed write leaves no temporary file and the old cache as it was.
4. kjcdir.cli: main()'s catch-all for a bug, the pruning of the commands typer builds
   (`_keep_only_the_invoked_command`, which CliRunner never runs), and `--data=FILE`.
5. `kjcdir qr`: a contact too large for one code, and a terminal too narrow for it.
6. `export --org` of an organisation without people, `export -o -`, `find --in place`.
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
import subprocess
import sys
import time
from array import array
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import BUNDLED_PEOPLE, Cli, run_on_terminal, run_process
from kjcdir import atomic, cache, sources
from kjcdir import cli as kjcdir_cli
from kjcdir.export import files
from test_cache_trust import bundled_copy, content, from_files, open_one, tampered_cache
from test_safe_writes import EXPORT

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX links, modes and ptys")


@pytest.fixture(autouse=True)
def settled_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """In this process files count as settled at once, so that a load writes its cache."""
    monkeypatch.setattr(cache, "SETTLED_NS", 0)


def temporaries(folder: Path) -> list[str]:
    return sorted(name for name in os.listdir(folder) if atomic.is_temporary_name(name))


def only_line(stderr: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


def in_folder(folder: Path, kwargs: dict[str, Any]) -> bool:
    """Is the dir_fd of an os call the given folder?"""
    fd = kwargs.get("dir_fd", kwargs.get("dst_dir_fd"))
    return fd is not None and os.path.samestat(os.fstat(fd), os.stat(folder))


def run_main(prelude: str, *args: str, env: dict[str, str] | None = None) -> Any:
    """kjcdir.cli.main() in a process of its own, after `prelude` has run (to break
    something), with sys.argv = ['kjcdir', *args]."""
    argv = ["kjcdir", *args]
    code = f"import sys\n{prelude}\nfrom kjcdir.cli import main\nsys.argv = {argv!r}\nmain()\n"
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=60,
    )


# -- 1. kjcdir.export.files ------------------------------------------------------------------


@posix_only
def test_force_follows_a_chain_of_links_to_the_regular_file_at_its_end(
    cli: Cli, tmp_path: Path
) -> None:
    """The link is resolved whole (realpath): both links stay, the file at the end is replaced."""
    real = tmp_path / "real.vcf"
    real.write_text("old\n")
    middle = tmp_path / "middle.vcf"
    middle.symlink_to(real)
    link = tmp_path / "contacts.vcf"
    link.symlink_to(middle)
    result = cli(*EXPORT, str(link), "--force")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == f"kjcdir: wrote 1 contact to {link}.\n"
    assert real.read_bytes().startswith(b"BEGIN:VCARD\r\n")
    assert os.readlink(link) == str(middle) and os.readlink(middle) == str(real)
    assert temporaries(tmp_path) == []


@posix_only
def test_force_refuses_a_link_to_a_folder_or_to_nothing(cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    to_folder = tmp_path / "to-folder.vcf"
    to_folder.symlink_to(folder)
    result = cli(*EXPORT, str(to_folder), "--force")
    assert result.exit_code == 2
    assert result.stderr == (
        f"kjcdir: {to_folder} is a symbolic link to a folder; kjcdir replaces regular files only.\n"
    )
    assert os.listdir(folder) == []
    dangling = tmp_path / "dangling.vcf"
    dangling.symlink_to(tmp_path / "nothing.vcf")
    result = cli(*EXPORT, str(dangling), "--force")
    assert result.exit_code == 2
    assert result.stderr == (
        f"kjcdir: {dangling} is a symbolic link to nothing ({tmp_path / 'nothing.vcf'}); "
        "kjcdir does not create files through links.\n"
    )
    assert not (tmp_path / "nothing.vcf").exists()


def test_a_vdir_under_a_regular_file_is_kjcdir_s_own_sentence(cli: Cli, tmp_path: Path) -> None:
    afile = tmp_path / "afile"
    afile.write_text("x\n")
    vdir = afile / "contacts"
    result = cli("export", "--all", "--vdir", str(vdir))
    assert result.exit_code == 2
    assert result.stderr == (
        f"kjcdir: Cannot create the folder {vdir}: a part of the path is not a folder.\n"
    )
    assert afile.read_text() == "x\n"


@pytest.mark.parametrize(
    ("code", "says"),
    [(errno.EACCES, "permission denied"), (errno.EROFS, "the file system is read-only")],
    ids=["read-only-folder", "read-only-file-system"],
)
def test_a_vdir_that_cannot_be_made_is_kjcdir_s_own_sentence(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, says: str
) -> None:
    """As root no folder is read-only: mkdir of the vdir fails as it would for a user."""
    vdir = tmp_path / "contacts"
    real_mkdir = os.mkdir

    def refused(path: Any, *args: Any, **kwargs: Any) -> None:
        if os.fspath(path) == str(vdir):
            raise OSError(code, os.strerror(code), os.fspath(path))
        real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(os, "mkdir", refused)
    result = cli("export", "--all", "--vdir", str(vdir))
    assert result.exit_code == 2
    assert result.stderr == f"kjcdir: Cannot create the folder {vdir}: {says}.\n"
    assert os.listdir(tmp_path) == []


LONG_TARGET = "x" * 300  # a name longer than any file system allows (255 bytes)


@posix_only
def test_a_vdir_link_that_cannot_be_followed_is_kjcdir_s_own_sentence(tmp_path: Path) -> None:
    """Path.is_dir() raises for a link whose target cannot be looked up: that too is a
    folder that cannot be made (it once escaped as 'cannot write the output')."""
    vdir = tmp_path / "contacts"
    vdir.symlink_to(LONG_TARGET)
    result = run_process("export", "--all", "--vdir", str(vdir), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == f"kjcdir: Cannot create the folder {vdir}: the name is too long.\n"


@posix_only
def test_a_vdir_link_into_a_closed_folder_is_kjcdir_s_own_sentence(tmp_path: Path) -> None:
    vdir = tmp_path / "contacts"
    vdir.symlink_to(tmp_path / "closed" / "contacts")
    prelude = (
        "import errno, os\n"
        "real_stat = os.stat\n"
        "def stat(path, *args, **kwargs):\n"
        f"    if os.fspath(path) == {str(vdir)!r} and kwargs.get('follow_symlinks', True):\n"
        "        raise PermissionError(errno.EACCES, 'Permission denied', path)\n"
        "    return real_stat(path, *args, **kwargs)\n"
        "os.stat = stat\n"
    )
    result = run_main(prelude, "export", "--all", "--vdir", str(vdir))
    assert result.returncode == 2
    assert result.stderr == f"kjcdir: Cannot create the folder {vdir}: permission denied.\n"


@pytest.mark.parametrize(
    ("code", "says"),
    [
        (errno.EACCES, "permission denied"),
        (errno.EROFS, "the file system is read-only"),
        (errno.ENOSPC, "the disk is full"),
    ],
    ids=["EACCES", "EROFS", "ENOSPC"],
)
def test_one_card_that_cannot_be_written_fails_the_vdir_export(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, says: str
) -> None:
    vdir = tmp_path / "contacts"
    real_link = os.link

    def failing(source: Any, target: Any, **kwargs: Any) -> None:
        if target == "laura-brennert.vcf":
            raise OSError(code, os.strerror(code))
        real_link(source, target, **kwargs)

    monkeypatch.setattr(os, "link", failing)
    result = cli("export", "--all", "--vdir", str(vdir))
    assert result.exit_code == 2
    assert result.stderr == f"kjcdir: Cannot write {vdir / 'laura-brennert.vcf'}: {says}.\n"
    assert not (vdir / "laura-brennert.vcf").exists()
    assert temporaries(vdir) == []
    for card in os.listdir(vdir):  # the cards written before it are whole
        assert (vdir / card).read_bytes().endswith(b"END:VCARD\r\n")


def test_a_card_created_by_another_program_meanwhile_is_skipped(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vdir = tmp_path / "contacts"
    theirs = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Theirs\r\nEND:VCARD\r\n"
    real_link = os.link

    def racing(source: Any, target: Any, **kwargs: Any) -> None:
        if target == "felix-wuerfel.vcf":
            (vdir / target).write_bytes(theirs)  # between kjcdir's look and its link
        real_link(source, target, **kwargs)

    monkeypatch.setattr(os, "link", racing)
    result = cli("export", "--all", "--vdir", str(vdir))
    assert result.exit_code == 2
    assert result.stderr == (
        "kjcdir: skipped felix-wuerfel.vcf: created by another program.\n"
        f"kjcdir: {vdir}: 8 written, 0 unchanged, 1 skipped.\n"
    )
    assert (vdir / "felix-wuerfel.vcf").read_bytes() == theirs
    assert sorted(os.listdir(vdir)) == sorted(f"{person}.vcf" for person in BUNDLED_PEOPLE)


def test_a_file_created_between_the_check_and_the_link_is_not_replaced(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "contacts.vcf"
    real_link = os.link

    def racing(source: Any, destination: Any, **kwargs: Any) -> None:
        if destination == target.name:
            target.write_text("theirs\n")
        real_link(source, destination, **kwargs)

    monkeypatch.setattr(os, "link", racing)
    result = cli(*EXPORT, str(target))
    assert result.exit_code == 2
    assert result.stderr == f"kjcdir: {target} exists already; add --force to replace it.\n"
    assert target.read_text() == "theirs\n"
    assert os.listdir(tmp_path) == [target.name]


def test_a_file_replaced_while_force_writes_is_kept(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "contacts.vcf"
    target.write_text("old\n")
    real_fsync = os.fsync

    def replaced_meanwhile(fd: int) -> None:
        written = os.fstat(fd)  # kjcdir's temporary file beside the target, not its cache
        ours = any(os.path.samestat(written, (tmp_path / n).stat()) for n in temporaries(tmp_path))
        if ours and target.read_text() == "old\n":
            other = tmp_path / "other"
            other.write_text("theirs\n")
            os.replace(other, target)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", replaced_meanwhile)
    result = cli(*EXPORT, str(target), "--force")
    assert result.exit_code == 2
    assert result.stderr == (
        f"kjcdir: {target} was changed by another program as kjcdir wrote it.\n"
    )
    assert target.read_text() == "theirs\n"
    assert os.listdir(tmp_path) == [target.name]


@pytest.mark.parametrize(
    ("code", "says"),
    [
        (
            errno.EACCES,
            "permission denied (kjcdir writes the new file in {folder}, then renames it)",
        ),
        (
            errno.EPERM,
            "permission denied (kjcdir writes the new file in {folder}, then renames it)",
        ),
        (errno.EROFS, "the file system is read-only"),
        (errno.EIO, "input/output error"),
    ],
    ids=["EACCES", "EPERM", "EROFS", "EIO"],
)
def test_a_new_file_that_cannot_be_made_is_one_sentence(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, says: str
) -> None:
    target = tmp_path / "contacts.vcf"
    real_open = os.open

    def refused(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if flags & os.O_CREAT and in_folder(tmp_path, kwargs):
            raise OSError(code, os.strerror(code))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refused)
    result = cli(*EXPORT, str(target))
    assert result.exit_code == 2
    assert result.stderr == f"kjcdir: Cannot write {target}: {says.format(folder=tmp_path)}.\n"
    assert os.listdir(tmp_path) == []


@pytest.fixture
def umask_027() -> Iterator[None]:
    before = os.umask(0o027)
    try:
        yield
    finally:
        os.umask(before)


@posix_only
@pytest.mark.usefixtures("umask_027")
def test_new_files_get_the_mode_the_umask_gives(cli: Cli, tmp_path: Path) -> None:
    """0666 less the umask (0027): what `>` would make, neither 0600 nor 0644."""
    target = tmp_path / "contacts.vcf"
    assert cli(*EXPORT, str(target)).exit_code == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    code = tmp_path / "felix.png"
    assert cli("qr", "felix-wuerfel", "-o", str(code)).exit_code == 0
    assert stat.S_IMODE(code.stat().st_mode) == 0o640
    vdir = tmp_path / "vd"
    assert cli("export", "--all", "--vdir", str(vdir)).exit_code == 0
    assert {stat.S_IMODE(card.stat().st_mode) for card in vdir.iterdir()} == {0o640}
    os.umask(0o077)
    private = tmp_path / "private.vcf"
    files.write_file(str(private), b"BEGIN:VCARD\r\n")
    assert stat.S_IMODE(private.stat().st_mode) == 0o600


# -- 2. a cache of the right key and checksums but the wrong shape ----------------------------


Shape = Callable[[dict[str, Any], dict[str, Any]], None]

SHAPES: dict[str, Shape] = {
    "sort ranks of another count": lambda values, segments: segments.update(
        sort_ranks=array("i", [0])
    ),
    "vocabulary a list": lambda values, segments: segments.update(
        vocabulary=list(segments["vocabulary"])
    ),
    "postings that do not fit the vocabulary": lambda values, segments: segments.update(
        {"person.name.offsets": array("i", [0])}
    ),
    "a segment missing": lambda values, segments: segments.pop("names.offsets"),
    "meta missing": lambda values, segments: values.pop("meta"),
    "one person more counted": lambda values, segments: values.update(people=values["people"] + 1),
    "a count of people that is text": lambda values, segments: values.update(
        people=str(values["people"])
    ),
}


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return bundled_copy(tmp_path)


def plant_shape(data: Path, shape: Shape) -> Path:
    """A cache for data written by cache.write (right key, right checksums, mode 0600)
    whose records decode but do not fit together."""
    files_in_use = sources.data_files([data], include_bundled=False)
    key, values, segments = tampered_cache(files_in_use, lambda parts: None)
    shape(values, segments)
    assert cache.write(key, files_in_use, values, segments)
    assert cache.read(key, files_in_use) is not None  # the file itself is sound
    return cache.cache_file(files_in_use)


@pytest.mark.parametrize("shape", list(SHAPES))
def test_a_cache_of_the_wrong_shape_is_a_miss_and_is_rewritten(data: Path, shape: str) -> None:
    """open_directory itself reads the files (the CLI's retry without the cache is not
    what saves it) and writes a cache that is then served."""
    planted = plant_shape(data, SHAPES[shape])
    planted_inode = planted.stat().st_ino
    loaded = open_one(data)
    assert not loaded.from_cache
    assert content(loaded.directory) == from_files(data)
    assert planted.stat().st_ino != planted_inode  # rewritten
    again = open_one(data)
    assert again.from_cache
    assert content(again.directory) == from_files(data)


def test_a_command_on_a_cache_of_the_wrong_shape_answers_from_the_files(
    cli: Cli, data: Path
) -> None:
    reference = cli("--no-bundled", "--data", str(data), "find", "wissmeier")
    assert reference.exit_code == 0
    plant_shape(data, SHAPES["sort ranks of another count"])
    result = cli("--no-bundled", "--data", str(data), "find", "wissmeier")
    assert (result.exit_code, result.stdout, result.stderr) == (0, reference.stdout, "")


# -- 3. the cache's temporary files -------------------------------------------------------------


def test_a_leftover_that_cannot_be_removed_does_not_keep_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder at a temporary name (unlink fails) is listed first; the dead writers'
    files after it go all the same, and so does nothing else."""
    folder = cache.cache_dir()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    stuck = folder / ".kjcdir-00000000.tmp"
    stuck.mkdir()
    old = folder / ".kjcdir-ffffffff.tmp"
    old_style = folder / ".tmp-0123.bin"
    lookalike = folder / ".kjcdir-notes.tmp"  # not a name kjcdir makes
    for path in (old, old_style, lookalike):
        path.write_bytes(b"x")
    two_hours_ago = time.time() - 7200
    for path in (stuck, old, old_style, lookalike):
        os.utime(path, (two_hours_ago, two_hours_ago))
    real_names = atomic.Folder.names
    monkeypatch.setattr(atomic.Folder, "names", lambda self: sorted(real_names(self)))
    paths = [tmp_path / "people.yaml"]
    assert cache.write("key", paths, {"n": 1}, {"segment": b"bytes"})
    assert sorted(os.listdir(folder)) == sorted(
        [stuck.name, lookalike.name, cache.cache_name(paths)]
    )


FAILING_STEPS = {
    "write": errno.ENOSPC,  # the disk fills while the file is written
    "fsync": errno.EIO,
    "replace": errno.EROFS,  # the rename into place
}


@pytest.mark.parametrize("had_cache", [True, False], ids=["old-cache", "no-cache"])
@pytest.mark.parametrize("step", list(FAILING_STEPS))
def test_a_failed_cache_write_leaves_the_old_cache_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str, had_cache: bool
) -> None:
    paths = [tmp_path / "people.yaml"]
    path = cache.cache_file(paths)
    if had_cache:
        assert cache.write("key", paths, {"n": 1}, {"segment": b"old"})
        before = (path.stat().st_ino, path.read_bytes())
    calls: list[str] = []

    def failing(*args: Any, **kwargs: Any) -> None:
        calls.append(step)
        raise OSError(FAILING_STEPS[step], os.strerror(FAILING_STEPS[step]))

    with monkeypatch.context() as patch:
        patch.setattr(os, step, failing)
        assert cache.write("key", paths, {"n": 2}, {"segment": b"new"}) is False
    assert calls == [step]
    folder = cache.cache_dir()
    if had_cache:
        assert os.listdir(folder) == [path.name]
        assert (path.stat().st_ino, path.read_bytes()) == before
        stored = cache.read("key", paths)
        assert stored is not None
        assert stored.values == {"n": 1} and bytes(stored.segment("segment")) == b"old"
    else:
        assert os.listdir(folder) == []


def test_a_segment_that_cannot_be_stored_is_no_write_and_no_file(tmp_path: Path) -> None:
    paths = [tmp_path / "people.yaml"]
    assert cache.write("key", paths, {"n": 1}, {"segment": object()}) is False
    assert os.listdir(cache.cache_dir()) == []


def test_a_cache_that_cannot_be_put_in_place_costs_no_answer(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    reference = cli("find", "wissmeier")
    for path in cache.cache_dir().iterdir():
        path.unlink()

    def read_only(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(os, "replace", read_only)
    result = cli("find", "wissmeier")
    assert (result.exit_code, result.stdout, result.stderr) == (0, reference.stdout, "")
    assert os.listdir(cache.cache_dir()) == []


# -- 4. kjcdir.cli ------------------------------------------------------------------------------


BROKEN_FIND = (
    "import kjcdir.lookup\n"
    "def broken(*args, **kwargs):\n"
    "    raise RuntimeError('the index is upside down')\n"
    "kjcdir.lookup.find_people = broken\n"
)


def test_a_bug_is_one_sentence_and_exit_2() -> None:
    """Twice: on a cold cache, and on a warm one (where the command is first run once
    more from the files, in case the cache was to blame)."""
    for _ in range(2):
        result = run_main(BROKEN_FIND, "find", "wissmeier")
        assert (result.returncode, result.stdout) == (2, "")
        assert result.stderr == (
            "kjcdir: internal error: RuntimeError: the index is upside down "
            "(KJCDIR_DEBUG=1 shows more).\n"
        )
    assert len(os.listdir(cache.cache_dir())) == 1


def test_kjcdir_debug_shows_the_traceback() -> None:
    result = run_main(BROKEN_FIND, "find", "wissmeier", env={"KJCDIR_DEBUG": "1"})
    assert result.returncode == 1
    assert result.stderr.startswith("Traceback (most recent call last):\n")
    assert result.stderr.endswith("RuntimeError: the index is upside down\n")
    assert "internal error" not in result.stderr


ALL_COMMANDS = [
    "find", "show", "list", "orgs", "topics", "check", "info", "export", "mutt-query",
    "qr", "browse", "ldap",
]  # fmt: skip


@pytest.fixture
def registered(monkeypatch: pytest.MonkeyPatch) -> Callable[[], list[str]]:
    """The app's commands and groups as copies that the test may prune; their names."""
    app = kjcdir_cli.app
    monkeypatch.setattr(app, "registered_commands", list(app.registered_commands))
    monkeypatch.setattr(app, "registered_groups", list(app.registered_groups))
    for name in list(os.environ):
        if name.endswith("_COMPLETE"):
            monkeypatch.delenv(name)

    def names() -> list[str]:
        commands = [
            info.name or getattr(info.callback, "__name__", "").replace("_", "-")
            for info in kjcdir_cli.app.registered_commands
        ]
        return [*commands, *(str(group.name) for group in kjcdir_cli.app.registered_groups)]

    assert names() == ALL_COMMANDS
    return names


@pytest.mark.parametrize(
    ("args", "kept"),
    [
        (["find", "wissmeier"], ["find"]),
        (["--data", "own.yaml", "find", "x"], ["find"]),
        (["--data=own.yaml", "find", "x"], ["find"]),
        (["--no-bundled", "--data", "own.yaml", "list"], ["list"]),
        (["--data", "a.yaml", "--data=b.yaml", "--no-bundled", "show", "x"], ["show"]),
        (["--data=list", "find", "list"], ["find"]),
        (["--data", "list", "find", "list"], ["find"]),
        (["mutt-query", "x"], ["mutt-query"]),
        (["ldap", "sync", "--url", "ldap://localhost"], ["ldap"]),
        (["--help"], ALL_COMMANDS),
        (["-h"], ALL_COMMANDS),
        (["--data", "own.yaml", "--help"], ALL_COMMANDS),
        (["--version"], ALL_COMMANDS),
        ([], ALL_COMMANDS),
        (["--data"], ALL_COMMANDS),
        (["--data", "own.yaml"], ALL_COMMANDS),
        (["nosuch", "find"], ALL_COMMANDS),
    ],
)
def test_only_the_invoked_command_is_kept(
    registered: Callable[[], list[str]], args: list[str], kept: list[str]
) -> None:
    kjcdir_cli._keep_only_the_invoked_command(args)
    assert registered() == kept


@pytest.mark.parametrize("variable", ["_KJCDIR_COMPLETE", "KJCDIR_COMPLETE"])
def test_shell_completion_keeps_every_command(
    registered: Callable[[], list[str]], monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    monkeypatch.setenv(variable, "complete_bash")
    kjcdir_cli._keep_only_the_invoked_command(["find", "x"])
    assert registered() == ALL_COMMANDS


@pytest.fixture
def named_like_a_command(tmp_path: Path) -> Path:
    """A data file named `show`, with Anna List: a file name and a query word that are
    command names, so that a wrong count of the global options' values picks the wrong
    command (and click then finds no `find` or `list`)."""
    path = tmp_path / "show"
    path.write_text(
        "meta: {title: Probe, source: tests, as_of: 2026-01-02}\n"
        "organizations:\n  - {id: amt, name: Testamt Nord}\n"
        "people:\n"
        "  - {id: anna-list, given_name: Anna, family_name: List,\n"
        "     affiliations: [{org: amt, role: Leiterin}], emails: [list@example.org]}\n",
        encoding="utf-8",
    )
    return path


ANNA = "anna-list\tAnna List\tTestamt Nord\tLeiterin\t\tlist@example.org\n"


@pytest.mark.parametrize(
    "args",
    [
        ["--data", "show", "find", "List"],
        ["--data=show", "find", "List"],
        ["--data=show", "find", "list"],
        ["--no-bundled", "--data", "show", "list"],
        ["--no-bundled", "--data=show", "list"],
    ],
)
def test_a_pruned_run_after_global_options_works(
    named_like_a_command: Path, args: list[str]
) -> None:
    result = run_process(*args, cwd=named_like_a_command.parent)
    assert (result.returncode, result.stdout, result.stderr) == (0, ANNA, "")


def test_help_lists_every_command_in_a_real_process(named_like_a_command: Path) -> None:
    for args in (["--help"], ["--data", "show", "--help"]):
        result = run_process(*args, cwd=named_like_a_command.parent)
        assert result.returncode == 0, result.stderr
        section = result.stdout.split("Commands")[1]
        listed = [
            found.group(1)
            for found in map(re.compile(r"│ ([a-z][a-z-]*) ").match, section.splitlines())
            if found
        ]
        assert listed == ALL_COMMANDS


@pytest.mark.parametrize(
    "args", [["nosuch"], ["nosuch", "find"], ["--data", "show", "nosuch"], ["--no-bundled", "x"]]
)
def test_an_unknown_command_is_still_click_s_no_such_command(
    named_like_a_command: Path, args: list[str]
) -> None:
    result = run_process(*args, cwd=named_like_a_command.parent)
    assert (result.returncode, result.stdout) == (2, "")
    unknown = args[-2] if args[-1] == "find" else args[-1]
    assert result.stderr == f"kjcdir: No such command '{unknown}'.\n"


def test_data_with_an_equals_sign_is_data_with_a_value(
    cli: Cli, named_like_a_command: Path
) -> None:
    spaced = cli("--no-bundled", "--data", str(named_like_a_command), "list", "--json")
    joined = cli("--no-bundled", f"--data={named_like_a_command}", "list", "--json")
    assert spaced.exit_code == joined.exit_code == 0
    assert joined.stdout == spaced.stdout
    assert [person["id"] for person in json.loads(joined.stdout)] == ["anna-list"]


# -- 5. kjcdir qr -------------------------------------------------------------------------------


@pytest.fixture
def too_large(tmp_path: Path) -> Path:
    """A person whose compact vCard is over 3,000 bytes (a QR code holds 2,953), each value
    within the loader's limits."""
    data = {
        "meta": {"title": "Large", "source": "tests", "as_of": "2026-01-02"},
        "organizations": [{"id": "amt", "name": "Testamt"}],
        "people": [
            {
                "id": "max-lang",
                "given_name": "Max",
                "family_name": "Lang",
                "affiliations": [{"org": "amt", "role": "R" * 300}],
                "websites": [f"https://example.org/{n}/" + "a" * 1000 for n in range(3)],
            }
        ],
    }
    path = tmp_path / "large.yaml"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_a_contact_too_large_for_a_code_is_one_sentence(
    cli: Cli, too_large: Path, tmp_path: Path
) -> None:
    base = ["--no-bundled", "--data", str(too_large)]
    assert cli(*base, "check").exit_code == 0
    target = tmp_path / "max.png"
    for extra in ([], ["-o", str(target)], ["-o", "-"]):
        result = cli(*base, "qr", "max-lang", *extra)
        assert (result.exit_code, result.stdout) == (2, "")
        assert result.stderr == "kjcdir: This contact holds too much text for one QR code.\n"
    assert sorted(os.listdir(tmp_path)) == ["large.yaml"]


def on_a_terminal(*args: str, columns: int, timeout: float = 60) -> tuple[int, str, str]:
    """The installed kjcdir with stdout on a pseudo-terminal `columns` wide (and no
    COLUMNS variable): its exit code, what the terminal showed, and stderr (piped)."""
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    code, errors, shown = run_on_terminal(args, "stdout", env, columns, timeout)
    return code, shown.decode("utf-8").replace("\r\n", "\n"), errors.decode("utf-8")


@posix_only
def test_a_terminal_too_narrow_for_the_code_is_told_so() -> None:
    piped = run_process("qr", "felix-wuerfel")
    assert piped.returncode == 0 and piped.stderr == ""
    width = len(piped.stdout.split("\n")[0])
    narrow = on_a_terminal("qr", "felix-wuerfel", columns=width - 1)
    assert narrow == (
        0,
        piped.stdout,
        f"kjcdir: the code is {width} columns wide and the terminal {width - 1}: "
        "widen the window or write a file with -o FILE.png.\n",
    )
    assert on_a_terminal("qr", "felix-wuerfel", columns=width) == (0, piped.stdout, "")


# -- 6. export --org, export -o -, find --in place ---------------------------------------------


@pytest.mark.parametrize("org", ["stadt-offenbach", "Offenbach"])
def test_export_of_an_organisation_without_people_finds_no_one(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, org: str
) -> None:
    monkeypatch.chdir(tmp_path)
    says = f"kjcdir: No one belongs to '{org}'.\n"
    for extra, stdout in (([], ""), (["-f", "json"], "[]\n"), (["-o", "out.vcf"], "")):
        result = cli("export", "--org", org, *extra)
        assert (result.exit_code, result.stdout, result.stderr) == (1, stdout, says)
    assert os.listdir(tmp_path) == []


def test_export_to_a_dash_is_standard_output(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    reference = cli("export", "--all", "-f", "csv")
    result = cli("export", "--all", "-f", "csv", "-o", "-")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == reference.stdout
    assert result.stdout.startswith("id,name,")
    assert len(result.stdout.splitlines()) == 1 + len(BUNDLED_PEOPLE)
    assert os.listdir(tmp_path) == []


def test_find_in_place_finds_the_people_whose_address_it_is(cli: Cli) -> None:
    """Wiesbaden is the city of four people's address, and a word of Ariane Patzelt's
    organisation (Landeshauptstadt Wiesbaden), who has no address: `--in place` finds
    the four and not her; a name is no place."""
    everyone = cli.json("list")
    assert isinstance(everyone, list)
    living = {
        person["id"]
        for person in everyone
        if person["address"] and person["address"]["city"] == "Wiesbaden"
    }
    assert len(living) == 4 and "ariane-patzelt" not in living
    found = cli.json("find", "Wiesbaden", "--in", "place")
    assert isinstance(found, list)
    assert {person["id"] for person in found} == living
    assert len(found) == len(living)
    by_org = cli.json("find", "Wiesbaden", "--in", "org")
    assert isinstance(by_org, list)
    assert [person["id"] for person in by_org] == ["ariane-patzelt"]
    name = cli("find", "Wißmeier", "--in", "place", "--json")
    assert (name.exit_code, name.stdout) == (1, "[]\n")


@posix_only
def test_is_folder_asks_stat_and_raises_what_is_no_answer(tmp_path: Path) -> None:
    """Path.is_dir() says False for any error from Python 3.14 on: write_vdir asks stat,
    so that a folder it cannot look at stays 'cannot create', not 'not a folder'."""
    from kjcdir.export.files import _is_folder

    (tmp_path / "folder").mkdir()
    (tmp_path / "file").write_text("x")
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    (tmp_path / "long").symlink_to(LONG_TARGET)
    assert _is_folder(tmp_path / "folder")
    assert not _is_folder(tmp_path / "file")
    assert not _is_folder(tmp_path / "dangling")
    assert not _is_folder(tmp_path / "file" / "below")  # ENOTDIR
    with pytest.raises(OSError) as raised:
        _is_folder(tmp_path / "long")
    assert raised.value.errno == errno.ENAMETOOLONG
