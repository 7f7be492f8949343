"""kjcdir.export.files called directly: the exact sentences, the vdir report's counts and
the rules for stale cards, case by case (the CLI tests see them through a whole export)."""

from __future__ import annotations

import errno
import os
import stat
import sys
from pathlib import Path

import pytest

from conftest import OTHER_UID
from kjcdir import atomic
from kjcdir.errors import KjcdirError
from kjcdir.export import files
from kjcdir.export.files import VdirReport, describe, stale_sentences, write_file, write_vdir

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file types and links")


def own_always(name: str, data: bytes) -> bool:
    return True


def own_never(name: str, data: bytes) -> bool:
    return False


def refused(call: object, *args: object, **kwargs: object) -> str:
    with pytest.raises(KjcdirError) as raised:
        call(*args, **kwargs)  # type: ignore[operator]
    return str(raised.value)


# -- describe: the reason in words ------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "says"),
    [
        (errno.EACCES, "permission denied"),
        (errno.EPERM, "permission denied"),
        (errno.ENOENT, "the folder does not exist"),
        (errno.ENOTDIR, "a part of the path is not a folder"),
        (errno.EROFS, "the file system is read-only"),
        (errno.ENOSPC, "the disk is full"),
        (errno.EDQUOT, "the disk quota is used up"),
        (errno.EISDIR, "it is a folder"),
        (errno.ENAMETOOLONG, "the name is too long"),
        (errno.ELOOP, "too many symbolic links"),
    ],
)
def test_each_common_error_has_its_own_words(code: int, says: str) -> None:
    assert describe(OSError(code, os.strerror(code))) == says


def test_another_error_is_the_system_s_words_without_the_final_dot() -> None:
    # the X at the end would go with a wider strip; the case is lowered, the inside kept
    assert describe(OSError(errno.EIO, "Odd FLUX.")) == "odd flux"
    assert describe(OSError(errno.EIO, "Odd flux. ")) == "odd flux. "
    assert describe(OSError(errno.EIO, ".Odd flux")) == ".odd flux"


def test_an_error_without_words_is_named_by_its_type() -> None:
    assert describe(FileExistsError()) == "fileexistserror"
    assert describe(OSError()) == "oserror"


# -- write_file: the name, and what is at it --------------------------------------------------


def test_an_empty_name_is_refused() -> None:
    assert refused(write_file, "", b"x") == "-o needs a file name (or '-' for standard output)."


@pytest.mark.parametrize("name", ["out/", "out/.", "out/.."])
def test_a_name_of_a_folder_is_refused(tmp_path: Path, name: str) -> None:
    (tmp_path / "out").mkdir()
    path = f"{tmp_path}{os.sep}{name}"  # as typed: Path() would drop the ending
    expected = (
        f"{path} ends with a '/', which names a folder; give a file name."
        if name.endswith("/")
        else f"{path} names a folder; give a file name."
    )
    assert refused(write_file, path, b"x") == expected
    assert os.listdir(tmp_path / "out") == []


def test_an_existing_file_is_kept_unless_forced(tmp_path: Path) -> None:
    target = tmp_path / "out.vcf"
    target.write_bytes(b"old")
    assert refused(write_file, str(target), b"new") == (
        f"{target} exists already; add --force to replace it."
    )
    assert target.read_bytes() == b"old"
    write_file(str(target), b"new", force=True)
    assert target.read_bytes() == b"new"


@posix_only
def test_a_fifo_is_never_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert refused(write_file, str(fifo), b"x", force=True) == (
        f"{fifo} is a FIFO (named pipe), not a regular file; kjcdir replaces regular files only "
        "(-o - writes to standard output)."
    )
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


@posix_only
def test_a_link_whose_target_cannot_be_looked_at_is_one_sentence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "target.vcf"
    target.write_bytes(b"old")
    link = tmp_path / "link.vcf"
    link.symlink_to(target)
    real_lstat = os.lstat

    def lstat(path: object, *args: object, **kwargs: object) -> os.stat_result:
        if os.fspath(path) == str(target):  # type: ignore[call-overload]
            raise PermissionError(errno.EACCES, "Permission denied", str(target))
        return real_lstat(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "lstat", lstat)
    assert refused(write_file, str(link), b"new", force=True) == (
        f"Cannot write {link}: permission denied."
    )
    monkeypatch.setattr(os, "lstat", real_lstat)
    assert target.read_bytes() == b"old"


# -- another user's link in a shared folder (the kernel's fs.protected_symlinks rule) -----------

needs_root = pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0, reason="giving a link to another uid"
)


def planted_link(tmp_path: Path, folder_mode: int) -> tuple[Path, Path]:
    """A link of another user, out.vcf in a folder of this mode, to the file `precious`
    (test_safe_writes shows the sticky shared folder's refusal through the CLI)."""
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(folder_mode)
    precious = tmp_path / "precious"
    precious.write_bytes(b"keep me")
    link = shared / "out.vcf"
    link.symlink_to(precious)
    os.lchown(link, OTHER_UID, OTHER_UID)
    return link, precious


@posix_only
@needs_root
@pytest.mark.parametrize(
    "folder_mode", [0o1755, 0o0777], ids=["sticky-not-shared", "shared-not-sticky"]
)
def test_another_user_s_link_elsewhere_is_followed_with_force(
    tmp_path: Path, folder_mode: int
) -> None:
    """Only a folder both sticky and writable by anyone is what the kernel guards."""
    link, precious = planted_link(tmp_path, folder_mode)
    write_file(str(link), b"new", force=True)
    assert precious.read_bytes() == b"new"


# -- write_vdir: the report -----------------------------------------------------------------------


@pytest.fixture
def vdir(tmp_path: Path) -> Path:
    return tmp_path / "vdir"


def test_a_name_that_is_not_plain_is_refused(vdir: Path) -> None:
    assert refused(write_vdir, vdir, [("../x.vcf", b"x")], own_always, False, set()) == (
        "Refusing to write '../x.vcf': not a plain file name."
    )


def test_changed_cards_are_counted_one_by_one(vdir: Path) -> None:
    first = write_vdir(vdir, [("a.vcf", b"1"), ("b.vcf", b"1")], own_always, False, set())
    assert (first.written, first.unchanged) == (2, 0)
    again = write_vdir(vdir, [("a.vcf", b"2"), ("b.vcf", b"2")], own_always, False, set())
    assert (again.written, again.unchanged, again.skipped) == (2, 0, [])
    same = write_vdir(vdir, [("a.vcf", b"2"), ("b.vcf", b"2")], own_always, False, set())
    assert (same.written, same.unchanged) == (0, 2)


def test_cards_are_not_synced_one_by_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Thousands of fsyncs would take minutes: each card is written whole by a rename,
    and the folder is synced at the end; so 40 cards cost no more syncs than 4."""
    synced: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(fd) or real_fsync(fd))

    def syncs(count: int, content: bytes, vdir: Path) -> int:
        synced.clear()
        cards = [(f"{n}.vcf", content) for n in range(count)]
        assert write_vdir(vdir, cards, own_always, False, set()).written == count
        return len(synced)

    assert syncs(40, b"new", tmp_path / "many") == syncs(4, b"new", tmp_path / "few") >= 1
    assert syncs(40, b"changed", tmp_path / "many") == syncs(4, b"changed", tmp_path / "few")


def test_the_folder_is_synced_when_only_cards_were_removed(
    vdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_vdir(vdir, [("gone.vcf", b"x")], own_always, False, set())
    synced: list[str] = []
    monkeypatch.setattr(atomic.Folder, "sync", lambda self: synced.append(self.path))
    report = write_vdir(vdir, [], own_always, False, set(), prune=True)
    assert (report.written, report.removed) == (0, ["gone.vcf"])
    assert synced == [str(vdir)]
    nothing = write_vdir(vdir, [], own_always, False, set(), prune=True)
    assert (nothing.written, nothing.removed, synced) == (0, [], [str(vdir)])


@posix_only
def test_a_link_at_a_card_s_name_is_skipped_in_words(vdir: Path, tmp_path: Path) -> None:
    vdir.mkdir()
    (vdir / "a.vcf").symlink_to(tmp_path / "elsewhere")
    report = write_vdir(vdir, [("a.vcf", b"x")], own_always, True, set())
    assert report.skipped == [
        "skipped a.vcf: a symbolic link; kjcdir never writes through or replaces anything "
        "but regular files in a vdir."
    ]
    assert not (tmp_path / "elsewhere").exists()


def test_a_card_changed_while_written_is_skipped_in_words(
    vdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_vdir(vdir, [("a.vcf", b"1")], own_always, False, set())

    def changed(*args: object, **kwargs: object) -> None:
        raise atomic.ChangedError(errno.EEXIST, "changed while kjcdir wrote", "a.vcf")

    monkeypatch.setattr(atomic.Folder, "replace_file", changed)
    report = write_vdir(vdir, [("a.vcf", b"2")], own_always, False, set())
    assert report.skipped == ["skipped a.vcf: changed by another program."]
    assert report.written == 0


# -- stale cards ------------------------------------------------------------------------------


def test_the_default_is_to_list_stale_cards_not_remove_them(vdir: Path) -> None:
    write_vdir(vdir, [("gone.vcf", b"x")], own_always, False, set())
    report = write_vdir(vdir, [], own_always, False, set())
    assert (report.stale, report.removed) == (["gone.vcf"], [])
    assert (vdir / "gone.vcf").exists()


def test_a_card_written_now_is_not_stale(vdir: Path) -> None:
    report = write_vdir(vdir, [("new.vcf", b"x")], own_always, False, current=set())
    assert (report.written, report.stale) == (1, [])


def test_only_own_regular_vcf_files_are_stale(vdir: Path, tmp_path: Path) -> None:
    """Sorted by name, what is not a card comes between the cards; each is passed over,
    and the cards after it are still found."""
    vdir.mkdir()
    (vdir / "a.vcf").write_bytes(b"own")
    (vdir / "b-notes.txt").write_bytes(b"own")  # not a card, whatever own_card says
    (vdir / "c.vcf").mkdir()  # a folder
    (vdir / "d.vcf").write_bytes(b"own")
    (vdir / "e.vcf").write_bytes(b"own")
    report = write_vdir(vdir, [], own_always, False, current={"e.vcf"})
    assert report.stale == ["a.vcf", "d.vcf"]
    assert write_vdir(vdir, [], own_never, False, current=set()).stale == []


def test_a_card_of_the_largest_size_read_can_be_stale(vdir: Path) -> None:
    vdir.mkdir()
    (vdir / "big.vcf").write_bytes(b"x" * files.MAX_CARD_BYTES)
    (vdir / "bigger.vcf").write_bytes(b"x" * (files.MAX_CARD_BYTES + 1))
    report = write_vdir(vdir, [], own_always, False, current=set())
    assert report.stale == ["big.vcf"]


def test_a_stale_card_changed_before_its_removal_is_kept_in_words(
    vdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_vdir(vdir, [("gone.vcf", b"x")], own_always, False, set())

    def changed(*args: object) -> None:
        raise atomic.ChangedError(errno.EEXIST, "changed before kjcdir removed it", "gone.vcf")

    monkeypatch.setattr(atomic.Folder, "remove_file", changed)
    report = write_vdir(vdir, [], own_always, False, set(), prune=True)
    assert (report.skipped, report.removed) == (["kept gone.vcf: changed by another program."], [])


def test_a_stale_card_that_cannot_be_removed_is_one_sentence(
    vdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_vdir(vdir, [("gone.vcf", b"x")], own_always, False, set())

    def denied(*args: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", "gone.vcf")

    monkeypatch.setattr(atomic.Folder, "remove_file", denied)
    assert refused(write_vdir, vdir, [], own_always, False, set(), prune=True) == (
        f"Cannot remove {vdir / 'gone.vcf'}: permission denied."
    )


def report_of_stale(count: int) -> VdirReport:
    return VdirReport(stale=[f"{n:02}.vcf" for n in range(count)])


def test_one_stale_card_is_named_in_the_singular() -> None:
    assert stale_sentences(report_of_stale(1), prune=False) == [
        "1 card of a contact no longer in the directory: 00.vcf; --prune removes it."
    ]


def test_up_to_ten_stale_cards_are_named_and_more_are_counted() -> None:
    ten = ", ".join(f"{n:02}.vcf" for n in range(10))
    assert stale_sentences(report_of_stale(10), prune=False) == [
        f"10 cards of contacts no longer in the directory: {ten}; --prune removes them."
    ]
    assert stale_sentences(report_of_stale(12), prune=False) == [
        f"12 cards of contacts no longer in the directory: {ten} and 2 more; --prune removes them."
    ]


def test_pruned_cards_are_named_one_by_one() -> None:
    report = VdirReport(stale=["a.vcf", "b.vcf"], removed=["a.vcf"])
    assert stale_sentences(report, prune=True) == ["removed a.vcf: no longer in the directory."]
    assert stale_sentences(VdirReport(), prune=False) == []
