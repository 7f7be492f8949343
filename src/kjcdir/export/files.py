"""Writing export files and vdirs without destroying anything (SPEC 4).

- `-o FILE` makes a new file, or with --force replaces a regular file (through a symbolic
  link only with --force, and only when the link points to a regular file). A device,
  FIFO, socket or folder is never replaced: writing into one is what stdout is for.
- `--vdir DIR` writes one card per contact. Names are resolved in the open folder, never
  through a link; a card's file is replaced only when it holds kjcdir's own card of that
  contact (its PRODID and UID), or with --force when it is another regular file. Links,
  devices, FIFOs and foreign cards are skipped and reported, and the export fails.
  kjcdir's own cards of contacts that left the directory are reported, and with --prune
  removed; nothing else in the folder is ever removed.
- Every file is written to a temporary file in its folder and linked or renamed into
  place (kjcdir.atomic), so nothing is ever half-written and nothing is left behind.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Container, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kjcdir.atomic import ChangedError, Folder, is_plain_name, is_temporary_name, kind_of
from kjcdir.errors import KjcdirError
from kjcdir.output.text import inert

# A card larger than this cannot be one kjcdir wrote (its limits keep cards far smaller);
# reading a foreign file at a card's name stops here.
MAX_CARD_BYTES = 4 * 1024 * 1024


def write_file(path_text: str, data: bytes, force: bool = False) -> None:
    """Write data to the file named by path_text; see the module's rules."""
    shown = inert(path_text)
    if not path_text:
        raise KjcdirError("-o needs a file name (or '-' for standard output).")
    if path_text.endswith(("/", os.sep)) or (os.altsep and path_text.endswith(os.altsep)):
        raise KjcdirError(f"{shown} ends with a '/', which names a folder; give a file name.")
    if os.path.basename(path_text) in (".", ".."):  # Path() would drop a trailing '/.'
        raise KjcdirError(f"{shown} names a folder; give a file name.")
    path = Path(path_text)
    try:
        entry = os.lstat(path)
    except FileNotFoundError:
        entry = None
    except OSError as error:
        raise KjcdirError(f"Cannot write {shown}: {describe(error)}.") from None
    target = path
    if entry is not None and stat.S_ISLNK(entry.st_mode):
        if not force:
            raise KjcdirError(
                f"{shown} is a symbolic link; kjcdir does not write through links "
                "(--force replaces the regular file it points to)."
            )
        target, entry = _link_target(path, shown)
    if entry is not None:
        if stat.S_ISDIR(entry.st_mode):
            raise KjcdirError(f"{shown} is a folder; give a file name.")
        if not stat.S_ISREG(entry.st_mode):
            raise KjcdirError(
                f"{shown} is {kind_of(entry.st_mode)}, not a regular file; kjcdir replaces "
                "regular files only (-o - writes to standard output)."
            )
        if not force:
            raise KjcdirError(f"{shown} exists already; add --force to replace it.")
    try:
        with Folder(target.parent) as folder:
            if entry is None:
                folder.create(target.name, data)
            else:
                folder.replace_file(target.name, data, entry)
    except ChangedError:
        raise KjcdirError(f"{shown} was changed by another program as kjcdir wrote it.") from None
    except FileExistsError:  # appeared between the check and the link
        raise KjcdirError(f"{shown} exists already; add --force to replace it.") from None
    except OSError as error:
        why = describe(error)
        if error.errno in (errno.EACCES, errno.EPERM):
            # The file may be writable while its folder is not: the new file is made there.
            why += f" (kjcdir writes the new file in {inert(str(target.parent))}, then renames it)"
        raise KjcdirError(f"Cannot write {shown}: {why}.") from None


def _link_target(link: Path, shown: str) -> tuple[Path, os.stat_result]:
    """The regular file a symbolic link points to (for --force), else a KjcdirError."""
    if _planted(link):
        raise KjcdirError(
            f"{shown} is a symbolic link of another user in a shared folder; kjcdir does not "
            "follow it."
        )
    target = Path(os.path.realpath(link))
    try:
        entry = os.lstat(target)
    except FileNotFoundError:
        raise KjcdirError(
            f"{shown} is a symbolic link to nothing ({inert(str(target))}); "
            "kjcdir does not create files through links."
        ) from None
    except OSError as error:
        raise KjcdirError(f"Cannot write {shown}: {describe(error)}.") from None
    if not stat.S_ISREG(entry.st_mode):
        raise KjcdirError(
            f"{shown} is a symbolic link to {kind_of(entry.st_mode)}; kjcdir replaces "
            "regular files only."
        )
    return target, entry


def _planted(link: Path) -> bool:
    """Is the link another user's, in a folder anyone may write to with the sticky bit
    (/tmp)? The kernel refuses to follow such links (fs.protected_symlinks); kjcdir,
    which resolves the link itself for --force, applies the same rule."""
    geteuid = getattr(os, "geteuid", None)
    if geteuid is None:
        return False
    try:
        owner = os.lstat(link).st_uid
        folder = os.stat(link.parent)
    except OSError:
        return False
    shared = folder.st_mode & stat.S_ISVTX and folder.st_mode & stat.S_IWOTH
    return bool(shared) and owner not in (geteuid(), folder.st_uid)


# Whether the existing content at a card's name is kjcdir's own card of that contact.
OwnCard = Callable[[str, bytes], bool]


@dataclass
class VdirReport:
    written: int = 0
    unchanged: int = 0
    skipped: list[str] = field(default_factory=list)  # one sentence per card not written
    stale: list[str] = field(default_factory=list)  # own cards of contacts no longer there
    removed: list[str] = field(default_factory=list)  # of those, the ones --prune removed


def write_vdir(
    folder_path: Path,
    files: Iterable[tuple[str, bytes]],
    own_card: OwnCard,
    force: bool,
    current: Container[str],
    prune: bool = False,
) -> VdirReport:
    """Write each (name, content) into the folder, leaving cards whose content is the same.

    The vdir layout that khard and vdirsyncer read: one vCard per `<id>.vcf`. Files that
    are not among `files` are never written: the folder may hold contacts of other
    sources. kjcdir's own cards whose names are neither written now nor in `current` (the
    card names of every contact in the directory) are stale: listed in the report, and
    removed with `prune`.
    """
    shown = inert(str(folder_path))
    try:
        # a name too long or a link into a folder closed to the user is a folder that
        # cannot be made (OSError below), not "not a folder": stat is asked, not is_dir,
        # which says False for any error from Python 3.14 on
        if os.path.lexists(folder_path) and not _is_folder(folder_path):
            raise KjcdirError(f"{shown} is not a folder; --vdir needs one.")
        folder_path.mkdir(parents=True, exist_ok=True)
        folder = Folder(folder_path)
    except OSError as error:
        raise KjcdirError(f"Cannot create the folder {shown}: {describe(error)}.") from None
    report = VdirReport()
    exported: set[str] = set()
    with folder:
        for name, data in files:
            if not is_plain_name(name):
                raise KjcdirError(f"Refusing to write {inert(name)!r}: not a plain file name.")
            exported.add(name)
            try:
                _write_card(folder, name, data, own_card, force, report)
            except ChangedError:
                report.skipped.append(f"skipped {inert(name)}: changed by another program.")
            except FileExistsError:
                report.skipped.append(f"skipped {inert(name)}: created by another program.")
            except OSError as error:
                raise KjcdirError(
                    f"Cannot write {_in(folder_path, name)}: {describe(error)}."
                ) from None
        for name, entry in _stale_cards(folder, exported, current, own_card):
            report.stale.append(name)
            if not prune:
                continue
            try:
                folder.remove_file(name, entry)
            except ChangedError:
                report.skipped.append(f"kept {inert(name)}: changed by another program.")
            except OSError as error:
                raise KjcdirError(
                    f"Cannot remove {_in(folder_path, name)}: {describe(error)}."
                ) from None
            else:
                report.removed.append(name)
        if report.written or report.removed:
            folder.sync()
    return report


def _stale_cards(
    folder: Folder, exported: set[str], current: Container[str], own_card: OwnCard
) -> Iterable[tuple[str, os.stat_result]]:
    """kjcdir's own cards in the folder of contacts that are not in the directory now, by
    name; each with the lstat it was read under, so that only that file is ever removed."""
    for name in sorted(folder.names()):
        if not name.endswith(".vcf") or name in exported or name in current:
            continue
        if is_temporary_name(name) or not is_plain_name(name):
            continue
        entry = folder.lstat(name)
        if entry is None or not stat.S_ISREG(entry.st_mode) or entry.st_size > MAX_CARD_BYTES:
            continue  # links, FIFOs, devices and folders are never kjcdir's
        data = folder.read_regular(name, MAX_CARD_BYTES)
        if data is not None and own_card(name, data):
            yield name, entry


def _in(folder_path: Path, name: str) -> str:
    return inert(os.path.join(str(folder_path), name))


def _write_card(
    folder: Folder, name: str, data: bytes, own_card: OwnCard, force: bool, report: VdirReport
) -> None:
    entry = folder.lstat(name)
    if entry is None:
        # No fsync per card: thousands would take minutes; the rename keeps each file
        # whole, and the folder is synced once at the end.
        folder.create(name, data, durable=False)
        report.written += 1
        return
    if not stat.S_ISREG(entry.st_mode):
        report.skipped.append(
            f"skipped {inert(name)}: {kind_of(entry.st_mode)}; kjcdir never writes through "
            "or replaces anything but regular files in a vdir."
        )
        return
    existing = folder.read_regular(name, max(len(data), MAX_CARD_BYTES))
    if existing == data:
        report.unchanged += 1
        return
    if existing is None and not force:
        report.skipped.append(f"skipped {inert(name)}: it cannot be read; --force replaces it.")
        return
    if existing is not None and not (force or own_card(name, existing)):
        report.skipped.append(f"skipped {inert(name)}: not written by kjcdir; --force replaces it.")
        return
    folder.replace_file(name, data, entry, durable=False)
    report.written += 1


def vdir_summary(folder_path: Path, report: VdirReport) -> str:
    """`DIR: 3 written, 5 unchanged, 1 removed, 2 skipped.`"""
    removed = f", {len(report.removed)} removed" if report.removed else ""
    skipped = f", {len(report.skipped)} skipped" if report.skipped else ""
    return (
        f"{inert(str(folder_path))}: {report.written} written, {report.unchanged} "
        f"unchanged{removed}{skipped}."
    )


def stale_sentences(report: VdirReport, prune: bool) -> list[str]:
    """What to say of the stale cards: that --prune removes them, or which ones it removed."""
    if prune:
        return [f"removed {inert(name)}: no longer in the directory." for name in report.removed]
    if not report.stale:
        return []
    count = len(report.stale)
    cards = "1 card of a contact" if count == 1 else f"{count} cards of contacts"
    shown = ", ".join(inert(name) for name in report.stale[:MAX_NAMED])
    more = f" and {count - MAX_NAMED} more" if count > MAX_NAMED else ""
    return [
        f"{cards} no longer in the directory: {shown}{more}; --prune removes "
        f"{'it' if count == 1 else 'them'}."
    ]


MAX_NAMED = 10  # stale cards named one by one; more are counted


def describe(error: OSError) -> str:
    """What went wrong, in words a user can act on."""
    reasons = {
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.ENOENT: "the folder does not exist",
        errno.ENOTDIR: "a part of the path is not a folder",
        errno.EROFS: "the file system is read-only",
        errno.ENOSPC: "the disk is full",
        errno.EDQUOT: "the disk quota is used up",
        errno.EISDIR: "it is a folder",
        errno.ENAMETOOLONG: "the name is too long",
        errno.ELOOP: "too many symbolic links",
    }
    if error.errno in reasons:
        return reasons[error.errno]
    return (error.strerror or type(error).__name__).rstrip(".").lower()


def _is_folder(path: Path) -> bool:
    """Whether path (a link followed) is a folder; False where nothing or no folder is
    there; any other error of the file system is raised."""
    try:
        return stat.S_ISDIR(os.stat(path).st_mode)
    except (FileNotFoundError, NotADirectoryError):
        return False
