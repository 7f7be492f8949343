"""The cache is trusted no further than an optimisation (issue 9, items 8-12).

8. Its key is the identity of the descriptors actually read (fstat: device, inode, size,
   mtime_ns, ctime_ns), and it is stored only if they are unchanged at the end of the
   load: a symlink switched during a load, an edit with the old mtime put back, or a file
   changed while it was read can never make one content be served for another.
9. It is used only in a folder of the user's own that no one else may write to, and only
   from files of the user's own with mode 0600; every record read from it is checked as
   strictly as YAML, and one that fails is a miss that rebuilds the cache.
10. A FIFO, device or symbolic link at the cache path is a miss, never a hang.
11. Each Python version keeps its own cache file in a shared folder.
12. The cache is replaced by rename, never truncated under a process that has it mapped.

The old code (before issue 9) keyed the cache by stat() of the resolved path taken before
reading, used any folder and file, opened the file with a blocking open(), named it
without the Python version and decoded records unchecked: each test says what it did.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from array import array
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conftest import OTHER_UID, Cli, as_another_user, kjcdir_executable, run_process
from kjcdir import atomic, cache, load, records, sources
from kjcdir.index import Chunked, build_index
from kjcdir.model import Directory
from kjcdir.store import Loaded, open_directory
from test_cache import age_back, cache_files, generate, snapshot, wait_until_settled

OTHER_TAG = "cpython-399"  # another Python's sys.implementation.cache_tag
TARGET = "rena-wissmeier"  # a person of the bundled directory with a phone and an e-mail
FAKE_PHONE = ("+49 30 5555-66", "+4930555566")
FAKE_EMAIL = "attacker@example.org"
ESCAPE = "../../escaped-file"
REAL_SETTLED_NS = cache.SETTLED_NS  # before settled_at_once sets it to 0

root_only = pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0,
    reason="needs root: giving files to another uid (chown, setpriv) or making a device node",
)
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX owners, modes and FIFOs")


@pytest.fixture(autouse=True)
def settled_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """In this process files count as settled at once (ctime cannot be set back); real
    processes need wait_until_settled before they write a cache for a fresh file."""
    monkeypatch.setattr(cache, "SETTLED_NS", 0)


@pytest.fixture(autouse=True)
def warnings_anew(monkeypatch: pytest.MonkeyPatch) -> None:
    """The once-per-process warning about a shared folder, as in a fresh process."""
    monkeypatch.setattr(cache, "_warned", set(), raising=False)


@pytest.fixture
def people(tmp_path: Path) -> Path:
    return generate(tmp_path / "people.yaml", 200)


def bundled_copy(folder: Path) -> Path:
    """A copy of the bundled directory in folder/data, a minute old (so that it is
    cached; used with --no-bundled --data)."""
    path = folder / "data" / "directory.yaml"
    path.parent.mkdir()
    shutil.copyfile(sources.bundled_path(), path)
    age_back(path)
    return path


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return bundled_copy(tmp_path)


# -- helpers -----------------------------------------------------------------------------


def open_one(path: Path) -> Loaded:
    return open_directory([path], include_bundled=False, progress=False)


def content(directory: Directory) -> tuple[Any, ...]:
    """What a directory holds (not which file names it came from): meta, organisations,
    people by id and every person decoded."""
    people = directory.people
    return (
        directory.meta,
        list(directory.organizations.values()),
        list(people),
        [people.at(position) for position in range(len(people))],
    )


def from_files(path: Path) -> tuple[Any, ...]:
    """The content of a file as the loader reads it now, without any cache."""
    return content(load.load_files([path]))


def key_for(files: list[Path]) -> str:
    """The key open_directory computes for these files as they are now."""
    opened = [sources.DataFile(path) for path in files]
    try:
        identities = [item.identity() for item in opened]
    finally:
        for item in opened:
            item.close()
    assert None not in identities
    return cache.cache_key(identity for identity in identities if identity)


@dataclass
class Parts:
    """A directory's records as the cache stores them, to be tampered with."""

    people: list[Any]
    orgs: list[Any]
    ids: list[Any]
    target: int  # the position of TARGET

    def edit_person(self, field: int, value: Any) -> None:
        record = list(self.people[self.target])
        record[field] = value
        self.people[self.target] = tuple(record)

    def edit_org(self, org_id: str, field: int, value: Any) -> None:
        [position] = [i for i, record in enumerate(self.orgs) if record[0] == org_id]
        record = list(self.orgs[position])
        record[field] = value
        self.orgs[position] = tuple(record)


Edit = Callable[[Parts], None]

# fields of records.person_record / org_record
P_ID, P_GIVEN, P_FAMILY, P_AFFILIATIONS, P_PHONES, P_EMAILS = 0, 1, 2, 3, 4, 5
P_SALUTATION = 9
O_ID, O_PARENT, O_MEMBERS = 0, 4, 5


def fake_contact(parts: Parts) -> None:
    """TARGET with someone else's phone number and e-mail address: a valid record."""
    parts.edit_person(P_PHONES, (FAKE_PHONE,))
    parts.edit_person(P_EMAILS, (FAKE_EMAIL,))


def tampered_cache(files: list[Path], edit: Edit) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """The key, values and segments of a cache for the files as they are now, with the
    records changed by `edit`: checksums and key as kjcdir computes them."""
    directory = load.load_files(files)
    values, segments = records.directory_segments(directory)
    segments.update(build_index(directory).segments())
    people = directory.people
    parts = Parts(
        people=[records.person_record(people.at(i)) for i in range(len(people))],
        orgs=list(segments["orgs"]),
        ids=[people.id_at(i) for i in range(len(people))],
        target=people.position(TARGET) if TARGET in people else 0,
    )
    edit(parts)
    segments.update(Chunked.segments("people", parts.people))
    segments["orgs"] = tuple(parts.orgs)
    segments.update(Chunked.segments("person_ids", parts.ids))
    return key_for(files), values, segments


@contextmanager
def cache_folder(path: Path) -> Iterator[None]:
    """KJCDIR_CACHE_DIR set to path for a while."""
    before = os.environ.get("KJCDIR_CACHE_DIR")
    os.environ["KJCDIR_CACHE_DIR"] = str(path)
    try:
        yield
    finally:
        if before is None:
            del os.environ["KJCDIR_CACHE_DIR"]
        else:
            os.environ["KJCDIR_CACHE_DIR"] = before


def plant(data: Path, edit: Edit, into: Path | None = None) -> Path:
    """A cache for `data` (alone) with edited records, written by cache.write (right key,
    right checksums, the user's own, mode 0600); moved into `into` if given (a folder
    cache.write would refuse). Returns its path."""
    files = sources.data_files([data], include_bundled=False)
    key, values, segments = tampered_cache(files, edit)
    if into is None:
        assert cache.write(key, files, values, segments)
        return cache.cache_file(files)
    staging = Path(tempfile.mkdtemp(prefix="kjcdir-staging-"))
    try:
        with cache_folder(staging):
            assert cache.write(key, files, values, segments)
            written = cache.cache_file(files)
        target = into / written.name
        os.replace(written, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def with_data(data: Path, *command: str) -> list[str]:
    return ["--no-bundled", "--data", str(data), *command]


def true_phone(data: Path) -> str:
    return load.load_files([data]).people[TARGET].phones[0].display


def one_warning(stderr: str, folder: Path) -> str:
    """stderr holds exactly one line: the warning about the cache folder."""
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith(f"kjcdir: not using the cache folder {folder}: "), stderr
    return lines[0]


def entries(folder: Path) -> dict[str, tuple[int, int]]:
    """Names in a folder with their inode and mtime_ns (to see a write)."""
    return {path.name: (path.lstat().st_ino, path.lstat().st_mtime_ns) for path in folder.iterdir()}


def files_under(root: Path) -> set[Path]:
    return {path for path in root.rglob("*") if not path.is_dir()}


def edit_and_rename_over(path: Path) -> None:
    """An editor's save: a same-size edit of a copy, renamed over the file (a new inode)."""
    copy = path.with_name("copy.yaml")
    shutil.copy2(path, copy)
    same_size_edit(copy)
    os.replace(copy, path)


def same_size_edit(path: Path) -> None:
    """Change the first ASCII letter of a family name in place: same size, new content,
    and the old mtime put back (`touch -d "$OLD"`)."""
    before = path.stat()
    raw = path.read_bytes()
    at = raw.index(b'family_name: "') + len(b'family_name: "')
    while not (65 <= raw[at] <= 90):  # the first capital ASCII letter of a name
        at = raw.index(b'family_name: "', at) + len(b'family_name: "')
    with open(path, "r+b") as stream:
        stream.seek(at)
        stream.write(b"Q" if raw[at : at + 1] != b"Q" else b"X")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (
        before.st_size,
        before.st_mtime_ns,
        before.st_ino,
    )


# -- 8. the key is what was read -------------------------------------------------------------


def switch_link(link: Path, target: Path) -> None:
    """`ln -sfn target link`, atomically."""
    temporary = link.with_name(link.name + ".new")
    temporary.symlink_to(target.name)
    os.replace(temporary, link)


def test_a_link_switched_during_the_load_keeps_each_target_s_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """cur.yaml -> t1.yaml is switched to t2.yaml while the load runs: the load answers
    with t1 (the file it opened), a later load sees t2, and switching back gives t1.

    The old code took the key from stat() of the resolved path (t1) and then read the
    path again (t2): t2's content was stored under t1's key and the first answer was t2."""
    t1 = generate(tmp_path / "t1.yaml", 60, seed=1)
    t2 = generate(tmp_path / "t2.yaml", 60, seed=2)
    expected_t1, expected_t2 = from_files(t1), from_files(t2)
    assert expected_t1 != expected_t2
    cur = tmp_path / "cur.yaml"
    cur.symlink_to(t1.name)
    original = load.parse_file
    switched: list[bool] = []

    def parse_file(path: str | Path, source: Any = None, progress: Any = None) -> Any:
        if not switched:
            switched.append(True)
            switch_link(cur, t2)
        return original(path, source, progress)

    with monkeypatch.context() as patch:
        patch.setattr(load, "parse_file", parse_file)
        during = open_one(cur)
    assert switched and cur.resolve() == t2.resolve()
    assert not during.from_cache
    assert content(during.directory) == expected_t1
    assert len(cache_files()) == 1  # t1 was unchanged: its content is cached under its key

    after = open_one(cur)
    assert content(after.directory) == expected_t2  # not t1's from the cache
    assert content(open_one(cur).directory) == expected_t2

    switch_link(cur, t1)
    back = open_one(cur)
    assert content(back.directory) == expected_t1
    again = open_one(cur)
    assert again.from_cache
    assert content(again.directory) == expected_t1


@pytest.mark.parametrize("how", ["in place", "replaced by rename"])
def test_a_same_size_edit_with_the_old_mtime_put_back_is_seen(people: Path, how: str) -> None:
    """An edit that keeps the size and puts the old mtime back (touch -d "$OLD") changes
    the ctime (in place) or the inode and ctime (an editor's save by rename): a miss.

    The old key (path, size, mtime) was the same, and the old content was served."""
    open_one(people)
    assert open_one(people).from_cache
    if how == "in place":
        same_size_edit(people)
    else:
        before = people.stat()
        edit_and_rename_over(people)
        os.utime(people, ns=(before.st_atime_ns, before.st_mtime_ns))
        assert (people.stat().st_size, people.stat().st_mtime_ns) == (
            before.st_size,
            before.st_mtime_ns,
        )
    expected = from_files(people)
    changed = open_one(people)
    assert not changed.from_cache
    assert content(changed.directory) == expected
    cached = open_one(people)
    assert cached.from_cache
    assert content(cached.directory) == expected


@pytest.mark.parametrize("how", ["rewritten in place", "replaced by rename"])
def test_a_file_changed_during_the_load_is_never_served_for_its_new_content(
    people: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    """A file changed right after it was read (same size, old mtime put back) is not
    cached for what it holds now: rewritten in place, nothing is cached (the open
    descriptor's ctime changed); replaced by rename, the descriptor read still names the
    old file, whose cache can never match the new one.

    The old code keyed the load by the stat() taken before reading, stored what it had
    read under it, and served that stale content for the changed file."""
    before = from_files(people)
    original = load.parse_file
    changed: list[bool] = []

    def parse_file(path: str | Path, source: Any = None, progress: Any = None) -> Any:
        result = original(path, source, progress)
        if not changed:
            changed.append(True)
            if how == "rewritten in place":
                same_size_edit(people)
            else:
                edit_and_rename_over(people)
        return result

    with monkeypatch.context() as patch:
        patch.setattr(load, "parse_file", parse_file)
        during = open_one(people)
    assert changed
    assert content(during.directory) == before  # what it read
    if how == "rewritten in place":
        assert cache_files() == []
    expected = from_files(people)
    assert expected != before
    after = open_one(people)
    assert not after.from_cache
    assert content(after.directory) == expected
    assert content(open_one(people).directory) == expected


SWITCH_HOOK = """\
import os

if os.environ.get("KJCDIR_TEST_SWITCH_TO"):
    import kjcdir.load

    _original = kjcdir.load.parse_file
    _done = []

    def parse_file(path, source=None, progress=None):
        if not _done:
            _done.append(True)
            link = os.environ["KJCDIR_TEST_LINK"]
            os.symlink(os.environ["KJCDIR_TEST_SWITCH_TO"], link + ".new")
            os.replace(link + ".new", link)
        return _original(path, source, progress)

    kjcdir.load.parse_file = parse_file
"""


def test_a_link_switched_during_a_real_process_keeps_each_target_s_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real-process form of the in-process test: `kjcdir find` with `--data cur.yaml`,
    and the link switched to t2.yaml between open and read (deterministically, by a
    sitecustomize hook in that process only); later runs must show t2, then t1 again.

    A switch timed from outside could not be deterministic: the old code's window lay
    between its stat() and its open(), which no other process can observe."""
    t1 = generate(tmp_path / "t1.yaml", 120, seed=1)
    t2 = generate(tmp_path / "t2.yaml", 120, seed=2)
    monkeypatch.setattr(cache, "SETTLED_NS", REAL_SETTLED_NS)
    wait_until_settled(t2)  # so that the real processes write their cache
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(SWITCH_HOOK, encoding="utf-8")
    query = ["find", "Müller", "--limit", "50"]
    reference = {
        path: run_process("--no-bundled", "--data", str(path), *query).stdout for path in (t1, t2)
    }
    assert reference[t1] and reference[t2] and reference[t1] != reference[t2]
    cur = tmp_path / "cur.yaml"
    cur.symlink_to(t1.name)
    args = ["--no-bundled", "--data", str(cur), *query]
    during = run_process(
        *args,
        env={
            "PYTHONPATH": os.pathsep.join(filter(None, [str(hook), os.environ.get("PYTHONPATH")])),
            "KJCDIR_TEST_SWITCH_TO": t2.name,
            "KJCDIR_TEST_LINK": str(cur),
        },
    )
    assert during.returncode == 0, during.stderr
    assert os.readlink(cur) == t2.name  # the hook did switch it
    assert during.stdout == reference[t1]
    cache_path = cache.cache_file([cur])
    assert cache_path.is_file()  # t1's content was cached, under t1's identity
    for _ in range(2):
        assert run_process(*args).stdout == reference[t2]
    switch_link(cur, t1)
    for _ in range(2):
        assert run_process(*args).stdout == reference[t1]


# -- 9. only the user's own folder and files ---------------------------------------------------


def test_a_planted_cache_is_served_when_it_is_the_user_s_own(data: Path) -> None:
    """The control for the tests below: a cache planted with plant() is well-formed and
    would be served, so that their true answers prove the plant was refused."""
    path = plant(data, fake_contact)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    loaded = open_one(data)
    assert loaded.from_cache
    person = loaded.directory.people[TARGET]
    assert (person.phones[0].display, person.emails) == (FAKE_PHONE[0], (FAKE_EMAIL,))


@posix_only
@pytest.mark.parametrize("mode", [0o1777, 0o777, 0o770, 0o720, 0o702], ids=oct)
def test_a_cache_folder_others_may_write_to_is_not_used(
    cli: Cli, data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: int
) -> None:
    """KJCDIR_CACHE_DIR on a folder that group or others may write to: a valid cache
    planted there (another phone number) is not read, nothing is written, the answer
    comes from the files, and stderr has one warning line.

    The old code used any folder: `find` showed the planted phone number."""
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(mode)
    plant(data, fake_contact, into=shared)
    before = entries(shared)
    monkeypatch.setenv("KJCDIR_CACHE_DIR", str(shared))
    phone = true_phone(data)

    result = cli(*with_data(data, "find", "wissmeier"))
    assert result.exit_code == 0, result.stderr
    assert phone in result.stdout and FAKE_PHONE[0] not in result.stdout
    assert FAKE_EMAIL not in result.stdout
    assert "others may write to it" in one_warning(result.stderr, shared)
    assert entries(shared) == before  # neither written nor replaced
    assert not open_one(data).from_cache

    process = run_process(*with_data(data, "find", "wissmeier"))
    assert process.returncode == 0, process.stderr
    assert process.stdout == result.stdout
    one_warning(process.stderr, shared)
    assert entries(shared) == before


@posix_only
def test_a_shared_cache_folder_warns_once_even_with_nothing_in_it(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An empty 1777 folder: a read and a write are both refused, with one warning."""
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    monkeypatch.setenv("KJCDIR_CACHE_DIR", str(shared))
    for command in (("info",), ("find", "wissmeier")):
        process = run_process(*command)
        assert process.returncode == 0, process.stderr
        one_warning(process.stderr, shared)
    assert list(shared.iterdir()) == []
    result = cli("find", "wissmeier")
    assert result.exit_code == 0 and result.stdout.startswith(f"{TARGET}\t")
    one_warning(result.stderr, shared)
    assert list(shared.iterdir()) == []


@root_only
def test_a_cache_folder_of_another_user_is_not_used(
    cli: Cli, data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 0700 folder that belongs to another uid, with a valid planted cache in it: not
    read, not written, one warning. (The old code used it: root may read anything.)"""
    folder = tmp_path / "theirs"
    folder.mkdir(mode=0o700)
    plant(data, fake_contact, into=folder)
    os.chown(folder, OTHER_UID, OTHER_UID)
    before = entries(folder)
    monkeypatch.setenv("KJCDIR_CACHE_DIR", str(folder))
    result = cli(*with_data(data, "find", "wissmeier"))
    assert result.exit_code == 0, result.stderr
    assert true_phone(data) in result.stdout and FAKE_PHONE[0] not in result.stdout
    assert "belongs to another user" in one_warning(result.stderr, folder)
    assert entries(folder) == before


@posix_only
@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660, 0o620, 0o606], ids=oct)
def test_a_cache_file_others_may_read_or_write_is_not_read(cli: Cli, data: Path, mode: int) -> None:
    """A valid cache file (another phone number) in the user's own folder whose mode is
    not 0600 is not read; it is replaced by one of mode 0600 from the files.

    The old code read it whatever its mode: `find` showed the planted number."""
    path = plant(data, fake_contact)
    path.chmod(mode)
    result = cli(*with_data(data, "find", "wissmeier"))
    assert result.exit_code == 0, result.stderr
    assert true_phone(data) in result.stdout and FAKE_PHONE[0] not in result.stdout
    assert result.stderr == ""
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    rebuilt = open_one(data)
    assert rebuilt.from_cache
    assert content(rebuilt.directory) == from_files(data)


@root_only
def test_a_cache_file_of_another_user_is_not_read(cli: Cli, data: Path) -> None:
    """A valid cache file of mode 0600 that belongs to another uid is not read.
    (The old code read it: root may read anything.)"""
    path = plant(data, fake_contact)
    os.chown(path, OTHER_UID, OTHER_UID)
    result = cli(*with_data(data, "find", "wissmeier"))
    assert result.exit_code == 0, result.stderr
    assert true_phone(data) in result.stdout and FAKE_PHONE[0] not in result.stdout
    assert path.stat().st_uid == os.geteuid()  # replaced by one of the user's own
    assert open_one(data).from_cache


@posix_only
def test_kjcdir_s_own_folder_made_under_a_lax_umask_is_closed_not_refused(
    people: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The default folder ($XDG_CACHE_HOME/kjcdir), left group-writable by an earlier
    version: made 0700 and used, without a warning (only KJCDIR_CACHE_DIR is refused)."""
    monkeypatch.delenv("KJCDIR_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    folder = tmp_path / "xdg" / "kjcdir"
    folder.mkdir(parents=True)
    folder.chmod(0o775)
    open_one(people)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert open_one(people).from_cache
    assert capsys.readouterr().err == ""


POISON_SCRIPT = """\
import os
import sys
from pathlib import Path

from kjcdir import cache, load, records, sources, store
from kjcdir.index import Chunked, build_index

victim, shared = Path(sys.argv[1]), Path(sys.argv[2])
files = sources.data_files([victim], include_bundled=False)
opened = sources.DataFile(victim)
key = cache.cache_key([opened.identity()])  # the victim's file: stat needs no permission
opened.close()
directory = load.load_files(files)
people = directory.people
people_records = [records.person_record(people.at(i)) for i in range(len(people))]
at = people.position("rena-wissmeier")
record = list(people_records[at])
record[4] = (("+49 30 5555-66", "+4930555566"),)
record[5] = ("attacker@example.org",)
people_records[at] = tuple(record)
values, segments = records.directory_segments(directory)
segments.update(build_index(directory).segments())
segments.update(Chunked.segments("people", people_records))
parts = cache._parts(key, values, segments)
fd = os.open(shared / cache.cache_name(files), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
for part in parts:
    os.write(fd, bytes(part))
os.close(fd)
"""


@root_only
def test_another_user_cannot_poison_a_shared_cache_folder(tmp_path: Path) -> None:
    """Two users share a 1777 cache folder. The other user (uid 54321, via setpriv) finds
    that their own kjcdir does not write there, then plants a well-formed cache keyed for
    the victim's file with their phone number and e-mail. The victim (root) runs `find`
    with the same KJCDIR_CACHE_DIR and gets the true data; the same file in a folder of
    the victim's own would have been served (the control at the end).

    The old code served the planted cache to the victim."""
    as_other = as_another_user()
    # under /tmp itself: pytest's tmp_path lies in a 0700 folder the other user cannot enter
    base = Path(tempfile.mkdtemp(prefix="kjcdir-two-users-", dir="/tmp"))
    try:
        base.chmod(0o755)
        shared = base / "shared"
        shared.mkdir()
        shared.chmod(0o1777)
        victim_folder = base / "victim"
        victim_folder.mkdir(mode=0o755)
        data = victim_folder / "directory.yaml"
        shutil.copyfile(sources.bundled_path(), data)
        data.chmod(0o644)
        age_back(data)
        home = base / "home"
        home.mkdir()
        os.chown(home, OTHER_UID, OTHER_UID)
        script = base / "poison.py"
        script.write_text(POISON_SCRIPT, encoding="utf-8")
        script.chmod(0o644)
        env = {**os.environ, "HOME": str(home), "KJCDIR_CACHE_DIR": str(shared)}
        env.pop("XDG_CACHE_HOME", None)
        args = with_data(data, "find", "wissmeier")

        theirs = subprocess.run(
            [*as_other, kjcdir_executable(), *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        assert theirs.returncode == 0, theirs.stderr
        assert "belongs to another user" in one_warning(theirs.stderr, shared)
        assert list(shared.iterdir()) == []

        planting = subprocess.run(
            [*as_other, sys.executable, str(script), str(data), str(shared)],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        assert planting.returncode == 0, planting.stderr
        [planted] = shared.iterdir()
        assert planted.name == cache.cache_name([data])
        assert planted.stat().st_uid == OTHER_UID
        before = entries(shared)

        victim = run_process(*args, env={"KJCDIR_CACHE_DIR": str(shared)})
        assert victim.returncode == 0, victim.stderr
        assert victim.stdout.startswith(f"{TARGET}\t")
        assert true_phone(data) in victim.stdout
        assert FAKE_PHONE[0] not in victim.stdout and FAKE_EMAIL not in victim.stdout
        assert "others may write to it" in one_warning(victim.stderr, shared)
        assert entries(shared) == before

        own = tmp_path / "own"
        own.mkdir(mode=0o700)
        shutil.copyfile(planted, own / planted.name)
        (own / planted.name).chmod(0o600)
        with cache_folder(own):
            control = open_one(data)
        assert control.from_cache
        assert control.directory.people[TARGET].emails == (FAKE_EMAIL,)
    finally:
        shutil.rmtree(base, ignore_errors=True)


@dataclass(frozen=True)
class Poison:
    edit: Edit
    reached_by: frozenset[str]  # the commands that read the poisoned part


ALL = frozenset({"find", "show", "export"})
SHOW = frozenset({"show"})  # only a lookup by id reads the cached list of ids


def _person(field: int, value: Any) -> Edit:
    return lambda parts: parts.edit_person(field, value)


def _id_in_list(value: Any) -> Edit:
    return lambda parts: parts.ids.__setitem__(parts.target, value)


def _escaped_everywhere(parts: Parts) -> None:
    parts.edit_person(P_ID, ESCAPE)
    parts.ids[parts.target] = ESCAPE


def _two_records_with_one_id(parts: Parts) -> None:
    """Felix's record and id entry made Rena's: the ids agree with the records, but twice."""
    felix = parts.ids.index("felix-wuerfel")
    parts.people[felix] = parts.people[parts.target]
    parts.ids[felix] = parts.ids[parts.target]


def _replace_record(make: Callable[[tuple[Any, ...]], Any]) -> Edit:
    def edit(parts: Parts) -> None:
        parts.people[parts.target] = make(parts.people[parts.target])

    return edit


POISONS: dict[str, Poison] = {
    "id ../../escaped-file": Poison(_person(P_ID, ESCAPE), ALL),
    "id ../../escaped-file in record and ids": Poison(_escaped_everywhere, ALL),
    "id with a capital": Poison(_person(P_ID, "Rena-wissmeier"), ALL),
    "id of 101 characters": Poison(_person(P_ID, "r" * 101), ALL),
    "person_ids with ../../escaped-file": Poison(_id_in_list(ESCAPE), SHOW),
    "person_ids with an id of 101 characters": Poison(_id_in_list("r" * 101), SHOW),
    "person_ids with a duplicate": Poison(_id_in_list("felix-wuerfel"), ALL),
    "record with another person's id": Poison(_person(P_ID, "felix-wuerfel"), ALL),
    "two records with one id": Poison(_two_records_with_one_id, frozenset({"show", "export"})),
    "person_ids one short": Poison(lambda parts: parts.ids.pop(), SHOW),
    "person_ids not a tuple": Poison(
        lambda parts: parts.ids.__setitem__(slice(None), [list(parts.ids)]), SHOW
    ),
    "e-mail without @": Poison(_person(P_EMAILS, ("wissmeier.hess-staedtetag.de",)), ALL),
    "phone e164 not E.164": Poison(_person(P_PHONES, (("+49 611 1702-25", "0611170225"),)), ALL),
    "phone not a pair": Poison(_person(P_PHONES, (("+49 611 1702-25",),)), ALL),
    "phones a list": Poison(_person(P_PHONES, [("+49 611 1702-25", "+49611170225")]), ALL),
    "family name empty": Poison(_person(P_FAMILY, ""), ALL),
    "family name invisible": Poison(_person(P_FAMILY, "\u200b"), ALL),
    "record not a tuple": Poison(_replace_record(list), ALL),
    "record of 8 fields": Poison(_replace_record(lambda record: record[:-1]), ALL),
    "record of 10 fields": Poison(_replace_record(lambda record: (*record, ())), ALL),
    "affiliation to an unknown organisation": Poison(
        _person(P_AFFILIATIONS, (("no-such-org", None),)), ALL
    ),
    "affiliation not a pair": Poison(_person(P_AFFILIATIONS, (("hstt-regiestelle",),)), ALL),
    "org with an unknown parent": Poison(
        lambda parts: parts.edit_org("hstt-regiestelle", O_PARENT, "no-such-org"), ALL
    ),
    "org with an unknown member": Poison(
        lambda parts: parts.edit_org("hstt-regiestelle", O_MEMBERS, ("no-such-org",)), ALL
    ),
    "org id ../../escaped-file": Poison(
        lambda parts: parts.edit_org("hstt-regiestelle", O_ID, ESCAPE), ALL
    ),
    "orgs not a tuple of records": Poison(
        lambda parts: parts.orgs.__setitem__(slice(None), ["not an org"]), ALL
    ),
}

COMMANDS = {
    "find": ["find", "wissmeier"],
    "show": ["show", TARGET],
    "export": ["export", "--all", "--vdir", "{vdir}"],
}


@posix_only
@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("poison", list(POISONS))
def test_a_poisoned_record_is_a_miss_and_the_cache_is_rebuilt(
    cli: Cli, data: Path, tmp_path: Path, poison: str, command: str
) -> None:
    """A cache of the user's own, of the right key and checksums, whose records are not
    valid: the command exits 0 with the answer the files give (never "internal error"),
    writes nothing outside its vdir, and the cache is rebuilt once the command has read
    the bad part (a list of ids is read only by a lookup by id).

    The old code decoded records unchecked: `show` printed the planted values, and
    `export --vdir` wrote `../../escaped-file.vcf` two folders up."""
    out = tmp_path / "out" / "deeper"

    def run(vdir: Path) -> Any:
        args = [arg.replace("{vdir}", str(vdir)) for arg in COMMANDS[command]]
        return cli(*with_data(data, *args))

    reference = run(out / "reference")  # from the files
    assert reference.exit_code == 0, reference.stderr
    planted = plant(data, POISONS[poison].edit)
    planted_inode = planted.stat().st_ino
    before = files_under(tmp_path)
    result = run(out / "vdir")
    assert result.exit_code == 0, result.stderr
    assert "internal error" not in result.stderr
    assert result.stdout == reference.stdout
    created = files_under(tmp_path) - before
    assert all(out / "vdir" in path.parents for path in created), created
    if command == "export":
        cards = {path.name: path.read_bytes() for path in (out / "vdir").iterdir()}
        assert cards == {path.name: path.read_bytes() for path in (out / "reference").iterdir()}
        assert result.stderr == reference.stderr.replace("reference", "vdir")
    else:
        assert result.stderr == ""
    assert not list(tmp_path.rglob("escaped-file*"))
    if command in POISONS[poison].reached_by:
        assert planted.stat().st_ino != planted_inode  # replaced
        rebuilt = open_one(data)
        assert rebuilt.from_cache
        assert content(rebuilt.directory) == from_files(data)


def _bundled() -> Directory:
    return load.load([], include_bundled=True)


def test_the_records_of_the_bundled_directory_are_accepted() -> None:
    """Every record kjcdir writes for the bundled directory reads back as it was."""
    directory = _bundled()
    for org in directory.organizations.values():
        assert records.org_from_record(records.org_record(org)) == org
    for person in directory.people.values():
        assert records.person_from_record(records.person_record(person)) == person


def _person_record(field: int, value: Any) -> tuple[Any, ...]:
    record = list(records.person_record(_bundled().people[TARGET]))
    record[field] = value
    return tuple(record)


BAD_PEOPLE: dict[str, Any] = {
    "id ../../escaped-file": _person_record(P_ID, ESCAPE),
    "id with a capital": _person_record(P_ID, "Rena"),
    "id starting with -": _person_record(P_ID, "-rena"),
    "id of 101 characters": _person_record(P_ID, "r" * 101),
    "id empty": _person_record(P_ID, ""),
    "id not text": _person_record(P_ID, 7),
    "id with a line break": _person_record(P_ID, "rena\n"),
    "given name empty": _person_record(P_GIVEN, ""),
    "given name padded": _person_record(P_GIVEN, " Rena"),
    "family name missing": _person_record(P_FAMILY, None),
    "family name invisible": _person_record(P_FAMILY, "\u200b\u200b"),
    "family name too long": _person_record(P_FAMILY, "W" * 301),
    "affiliations a list": _person_record(P_AFFILIATIONS, [("hstt-regiestelle", None)]),
    "affiliation to a bad id": _person_record(P_AFFILIATIONS, ((ESCAPE, None),)),
    "affiliation not a pair": _person_record(P_AFFILIATIONS, (("hstt-regiestelle",),)),
    "affiliation role empty": _person_record(P_AFFILIATIONS, (("hstt-regiestelle", ""),)),
    "too many affiliations": _person_record(P_AFFILIATIONS, (("hstt-regiestelle", None),) * 51),
    "phone e164 not E.164": _person_record(P_PHONES, (("+49 611 1702-25", "0611170225"),)),
    "phone e164 with spaces": _person_record(P_PHONES, (("+49 611 1702-25", "+49 611"),)),
    "phone not a pair": _person_record(P_PHONES, ("+49611170225",)),
    "phone display empty": _person_record(P_PHONES, (("", "+49611170225"),)),
    "phones a list": _person_record(P_PHONES, [("+49 611 1702-25", "+49611170225")]),
    "e-mail without @": _person_record(P_EMAILS, ("wissmeier.hess-staedtetag.de",)),
    "e-mail without a domain": _person_record(P_EMAILS, ("wissmeier@localhost",)),
    "address all empty": _person_record(6, (None, None, None, None)),
    "address of 3 parts": _person_record(6, ("Straße 1", "65189", "Wiesbaden")),
    "website javascript:": _person_record(7, ("javascript:alert(1)",)),
    "topic empty": _person_record(8, ("",)),
    "salutation empty": _person_record(P_SALUTATION, ""),
    "salutation padded": _person_record(P_SALUTATION, " Frau"),
    "salutation not text": _person_record(P_SALUTATION, ("Frau",)),
    "salutation too long": _person_record(P_SALUTATION, "F" * 301),
    "salutation invisible": _person_record(P_SALUTATION, "\u200b"),
    "record of 9 fields": records.person_record(_bundled().people[TARGET])[:-1],
    "record of 11 fields": (*records.person_record(_bundled().people[TARGET]), ()),
    "record None": None,
    "record a number": 42,
}


@pytest.mark.parametrize("record", list(BAD_PEOPLE))
def test_a_bad_person_record_raises_cache_error(record: str) -> None:
    """records.person_from_record checks as strictly as YAML: CacheError, nothing else
    (the old code built a Person from whatever it found)."""
    with pytest.raises(cache.CacheError):
        records.person_from_record(BAD_PEOPLE[record])


def _org_record(field: int, value: Any) -> tuple[Any, ...]:
    record = list(records.org_record(_bundled().organizations["hstt-regiestelle"]))
    record[field] = value
    return tuple(record)


BAD_ORGS: dict[str, Any] = {
    "id ../../escaped-file": _org_record(O_ID, ESCAPE),
    "id of 101 characters": _org_record(O_ID, "o" * 101),
    "name empty": _org_record(1, ""),
    "name not text": _org_record(1, b"HStT"),
    "short invisible": _org_record(2, "\u2028"),
    "aliases a list": _org_record(3, ["HStT"]),
    "parent a bad id": _org_record(O_PARENT, "../hstt"),
    "member a bad id": _org_record(O_MEMBERS, ("Not An Id",)),
    "address of 5 parts": _org_record(6, ("a", "b", "c", "d", "e")),
    "website ftp:": _org_record(7, ("ftp://example.org",)),
    "phone e164 not E.164": _org_record(8, (("+49 611 1702-0", "611"),)),
    "e-mail without @": _org_record(9, ("post.hess-staedtetag.de",)),
    "description too long": _org_record(10, "x" * 10_001),
    "tasks not a tuple": _org_record(11, "Regiestelle"),
    "topics too many": _org_record(12, ("SGB II",) * 501),
    "record of 12 fields": records.org_record(_bundled().organizations["hstt-regiestelle"])[:-1],
    "record None": None,
}


@pytest.mark.parametrize("record", list(BAD_ORGS))
def test_a_bad_org_record_raises_cache_error(record: str) -> None:
    """records.org_from_record checks as strictly as YAML: CacheError, nothing else."""
    with pytest.raises(cache.CacheError):
        records.org_from_record(BAD_ORGS[record])


def test_ids_of_up_to_100_characters_are_accepted() -> None:
    """The id limit is YAML's: 100 characters pass, 101 do not."""
    assert records.person_from_record(_person_record(P_ID, "r" * 100)).id == "r" * 100
    with pytest.raises(cache.CacheError):
        records.person_from_record(_person_record(P_ID, "r" * 101))


# -- 10. a FIFO, device or link at the cache path ----------------------------------------------


@posix_only
def test_a_fifo_at_the_cache_path_is_a_miss_not_a_hang() -> None:
    """A FIFO (of the user's own, mode 0600) at the exact cache path: `info` and `find`
    answer as they do without it, within the timeout, and put a regular cache in its place.

    The old code's open() of the FIFO waited for a writer forever."""
    commands = [("info",), ("find", "wissmeier")]
    reference = {command: run_process(*command) for command in commands}
    path = cache.cache_file(sources.data_files([], include_bundled=True))
    assert path.is_file()
    for command in commands:
        path.unlink()
        os.mkfifo(path, 0o600)
        result = run_process(*command, timeout=60)
        assert (result.returncode, result.stdout, result.stderr) == (
            0,
            reference[command].stdout,
            "",
        )
        assert stat.S_ISREG(path.lstat().st_mode)  # rebuilt over the FIFO


@posix_only
def test_a_symlink_at_the_cache_path_is_not_followed(people: Path, tmp_path: Path) -> None:
    """A link at the cache path to a valid cache elsewhere is a miss; the rebuilt cache
    replaces the link, and the file it pointed to is left as it was.

    The old code's open() followed the link and served what it found there."""
    expected = snapshot(open_one(people))
    [path] = cache_files()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    target = elsewhere / path.name
    os.replace(path, target)
    kept = target.read_bytes()
    path.symlink_to(target)
    again = open_one(people)
    assert not again.from_cache
    assert snapshot(again) == expected
    assert stat.S_ISREG(path.lstat().st_mode)
    assert target.read_bytes() == kept
    assert open_one(people).from_cache


@root_only
def test_a_character_device_at_the_cache_path_is_a_miss(people: Path) -> None:
    """A character device (1, 3: what /dev/null is) of mode 0600 at the cache path is a
    miss, answered at once; the rebuilt cache replaces it. (A guard: the old code, too,
    took this device's size of 0 for a miss, but it opened it blocking.)"""
    expected = snapshot(open_one(people))
    [path] = cache_files()
    path.unlink()
    os.mknod(path, stat.S_IFCHR | 0o600, os.makedev(1, 3))
    again = open_one(people)
    assert not again.from_cache
    assert snapshot(again) == expected
    assert stat.S_ISREG(path.lstat().st_mode)
    assert open_one(people).from_cache


# -- 11. one cache per Python version ------------------------------------------------------------


def test_the_cache_name_holds_the_python_version(tmp_path: Path) -> None:
    """The file name, not only the key, names the Python (the old name did not)."""
    paths = [tmp_path / "a.yaml", tmp_path / "b.yaml"]
    name = cache.cache_name(paths)
    assert cache.PYTHON_TAG in name
    assert cache.PYTHON_TAG in cache.FORMAT
    assert cache.cache_file(paths) == cache.cache_dir() / name
    assert name != cache.cache_name(paths[:1])


def test_two_python_versions_keep_a_cache_each(
    people: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another Python (its PYTHON_TAG and FORMAT) adds a second file beside the first;
    back on the first, its cache is served without a rewrite.

    The old name held no version: each switch overwrote the other's cache."""
    expected = snapshot(open_one(people))
    [first] = cache_files()
    written = first.stat()
    with monkeypatch.context() as patch:
        patch.setattr(cache, "FORMAT", cache.FORMAT.replace(cache.PYTHON_TAG, OTHER_TAG))
        patch.setattr(cache, "PYTHON_TAG", OTHER_TAG)
        other = open_one(people)
        assert not other.from_cache
        assert snapshot(other) == expected
        assert len(cache_files()) == 2
        assert open_one(people).from_cache
    [second] = [path for path in cache_files() if path != first]
    assert OTHER_TAG in second.name
    back = open_one(people)
    assert back.from_cache
    assert snapshot(back) == expected
    now = first.stat()
    assert (now.st_ino, now.st_mtime_ns, now.st_size) == (
        written.st_ino,
        written.st_mtime_ns,
        written.st_size,
    )


# -- 12. replaced by rename, never truncated under a reader ---------------------------------------


def test_a_rewrite_renames_over_a_mapped_cache_never_truncates_it(people: Path) -> None:
    """A Loaded mapped from the cache stays whole while the same process rewrites that
    cache for a changed file: the new cache is a new inode (renamed over the old one,
    which a truncate-and-write would have cut under the mapping: SIGBUS), every person of
    the old Loaded can still be decoded and searched, and no temporary file is left."""
    expected = snapshot(open_one(people))
    old = open_one(people)
    assert old.from_cache
    [path] = cache_files()
    old_inode = path.stat().st_ino
    text = people.read_text(encoding="utf-8").replace('family_name: "', 'family_name: "Neu', 1)
    people.write_text(text, encoding="utf-8")
    new = open_one(people)
    assert not new.from_cache
    assert [item.name for item in cache_files()] == [path.name]
    assert path.stat().st_ino != old_inode
    assert snapshot(old) == expected  # decoded only now, from the old mapping
    assert old.directory.people.at(0).family_name != new.directory.people.at(0).family_name
    assert new.directory.people.at(0).family_name.startswith("Neu")
    assert open_one(people).from_cache
    folder = cache.cache_dir()
    assert [name for name in os.listdir(folder) if atomic.is_temporary_name(name)] == []
    assert [name for name in os.listdir(folder) if not name.startswith("directory-")] == []


def test_cache_writes_go_through_a_temporary_file_and_a_rename(
    people: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The only way kjcdir puts a cache in place is atomic.Folder.write with overwrite,
    which writes a temporary file and renames it: watched here, the target name is never
    opened for writing."""
    opened: list[tuple[str, int]] = []
    original = atomic.Folder.open

    def watch(self: atomic.Folder, name: str, flags: int, mode: int = 0o666) -> int:
        opened.append((name, flags))
        return original(self, name, flags, mode)

    monkeypatch.setattr(atomic.Folder, "open", watch)
    open_one(people)
    [path] = cache_files()
    writes = [name for name, flags in opened if flags & (os.O_WRONLY | os.O_RDWR)]
    assert writes and all(atomic.is_temporary_name(name) for name in writes)
    assert path.name not in writes


# -- found in review --------------------------------------------------------------------------


def test_the_key_is_the_descriptor_s_even_if_the_link_moves_at_once(tmp_path: Path) -> None:
    """The identity is taken from the open descriptor, not from the path a moment later."""
    first, second = tmp_path / "t1.yaml", tmp_path / "t2.yaml"
    first.write_text("people: []\n")
    second.write_text("people: []\n")
    link = tmp_path / "cur.yaml"
    link.symlink_to(first)
    opened = sources.DataFile(link)
    try:
        link.unlink()
        link.symlink_to(second)
        identity = opened.identity()
    finally:
        opened.close()
    assert identity is not None
    assert f"|{first.stat().st_ino}|" in identity
    assert f"|{second.stat().st_ino}|" not in identity


@posix_only
@pytest.mark.parametrize(
    ("segment", "query"),
    [("person.name.values", "wissmeier"), ("emails.text", "wissmeier@hess-staedtetag.de")],
)
def test_an_inconsistent_index_is_a_miss_and_the_cache_is_rebuilt(
    cli: Cli, data: Path, segment: str, query: str
) -> None:
    """A cache with the right key and checksums whose index does not fit its people (a
    bug, a hand-edited file): the command runs again from the files, whose load
    rewrites the cache, instead of failing with "internal error" on every run."""
    reference = cli(*with_data(data, "find", query))
    assert reference.exit_code == 0
    files = sources.data_files([data], include_bundled=False)
    key, values, segments = tampered_cache(files, lambda parts: None)
    if segment.endswith(".values"):
        segments[segment] = array("i", [10**6] * len(segments[segment]))  # no such person
    else:
        segments[segment] = b"\xff\xfe" * (len(segments[segment]) // 2 + 1)  # not UTF-8
    assert cache.write(key, files, values, segments)
    planted = cache.cache_file(files).stat().st_ino
    for _ in range(2):
        result = cli(*with_data(data, "find", query))
        assert (result.exit_code, result.stdout, result.stderr) == (0, reference.stdout, "")
    assert cache.cache_file(files).stat().st_ino != planted  # rewritten
    assert open_one(data).from_cache


def test_mutt_query_keeps_the_cache_warning_off_mutt_s_screen(cli: Cli, tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    with cache_folder(shared):
        answer = run_process("mutt-query", "wissmeier", env={"KJCDIR_CACHE_DIR": str(shared)})
        warned = run_process("find", "wissmeier", env={"KJCDIR_CACHE_DIR": str(shared)})
    assert answer.returncode == 0 and answer.stderr == ""
    assert answer.stdout.startswith("kjcdir: 1 address for 'wissmeier'\n")
    one_warning(warned.stderr, shared)  # where stderr is fine, the warning is there


def test_temporary_files_of_dead_writers_are_cleared_after_an_hour(people: Path) -> None:
    """A writer killed by SIGKILL leaves its temporary file; the next write clears those
    older than an hour (of kjcdir 0.1.0 too), and nothing else."""
    folder = cache.cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    old, fresh = folder / atomic.temporary_name(), folder / atomic.temporary_name()
    just_over, under = folder / atomic.temporary_name(), folder / atomic.temporary_name()
    old_style = folder / ".tmp-abc123.bin"
    # old, but not temporary files: notes, another Python's cache, look-alikes
    foreign = [folder / name for name in ("notes.txt", "directory-0-cpython-399.bin", ".tmp-x.txt")]
    for path in (old, fresh, just_over, under, old_style, *foreign):
        path.write_bytes(b"x")
    now = time.time()
    for path, age in [(old, 7200), (just_over, 3600.2), (under, 3500), (old_style, 7200)]:
        os.utime(path, (now - age, now - age))
    for path in foreign:
        os.utime(path, (now - 7200, now - 7200))
    open_one(people)
    names = {path.name for path in folder.iterdir()}
    assert not {old.name, just_over.name, old_style.name} & names
    assert {fresh.name, under.name, *(path.name for path in foreign)} <= names
