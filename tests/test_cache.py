"""The compiled cache (SPEC 5 and 6; issue 5 item 2, issue 6 item 3).

The cache is an optimisation only: what kjcdir answers from it is what it answers from
the files; any change to a file, to kjcdir's version, or to the cache file itself
(empty, garbage, truncated, flipped bytes) makes it read the files again and rewrite
the cache; a cache directory that cannot be written costs speed, never an answer; and
processes started at once on a cold cache all answer and leave one sound cache.
"""

from __future__ import annotations

import errno
import importlib.util
import io
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from conftest import REPO, kjcdir_executable, run_process
from kjcdir import cache, sources, store
from kjcdir.output.progress import Progress
from kjcdir.search import search
from kjcdir.store import Loaded, open_directory

QUERIES = [
    "wissmeier", "Wißmeier", "wismeier", "AK Option", "Sozialreferat HLT", "Fulda",
    "0611/1706-69", "170669", "brennert@hlt.de", "@hlt.de", "Müller", "schaefer",
    "Kassel Fallmanagement", "Bürgergeld", "jobcenter", "Team",
]  # fmt: skip


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "kjcdir_benchmark_generate", REPO / "benchmarks" / "generate.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def generate(path: Path, people: int, seed: int = 1, settled: bool = True) -> Path:
    """A generated directory file; settled: last changed a minute ago (see cache.settled)."""
    with open(path, "w", encoding="utf-8") as stream:
        _generator().write(stream, people, seed)
    if settled:
        age_back(path)
    return path


def age_back(path: Path, seconds: int = 60) -> None:
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns - seconds * 1_000_000_000))


def wait_until_settled(path: Path) -> None:
    """For a real process: a file's ctime (which no one can set back) must lie
    cache.SETTLED_NS in the past before its cache is written."""
    wait = (path.stat().st_ctime_ns + cache.SETTLED_NS - time.time_ns()) / 1e9
    if wait > 0:
        time.sleep(wait + 0.05)


REAL_SETTLED_NS = cache.SETTLED_NS  # before settled_at_once sets it to 0


@pytest.fixture(autouse=True)
def settled_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """In this process, files count as settled at once (ctime cannot be set back);
    test_a_file_changed_a_moment_ago_is_not_cached_yet restores the real delay."""
    monkeypatch.setattr(cache, "SETTLED_NS", 0)


@pytest.fixture(scope="module")
def ten_thousand(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = generate(tmp_path_factory.mktemp("large") / "people-10000.yaml", 10_000)
    wait_until_settled(path)
    return path


@pytest.fixture
def small(tmp_path: Path) -> Path:
    return generate(tmp_path / "people-300.yaml", 300)


def cache_files() -> list[Path]:
    root = cache.cache_dir()
    return sorted(root.glob("*")) if root.is_dir() else []


def snapshot(loaded: Loaded) -> tuple[Any, ...]:
    """Everything a command can see: meta, every person and organisation, search results."""
    directory = loaded.directory
    people = directory.people
    return (
        directory.meta,
        directory.sources,
        [repr(people.at(position)) for position in range(len(people))],
        list(people),
        [repr(org) for org in directory.organizations.values()],
        {
            query: [(people.id_at(hit.person), hit.score) for hit in search(query, loaded.index)]
            for query in QUERIES
        },
        [loaded.index.sort_keys[position] for position in range(len(people))],
    )


def open_small(path: Path) -> Loaded:
    return open_directory([path], include_bundled=False, progress=False)


# -- hits and round trips ------------------------------------------------------------------


def test_the_second_open_reads_the_cache_and_sees_the_same_directory(small: Path) -> None:
    first = open_small(small)
    second = open_small(small)
    assert (first.from_cache, second.from_cache) == (False, True)
    assert snapshot(first) == snapshot(second)
    assert len(cache_files()) == 1


def test_the_bundled_directory_is_the_same_from_the_cache() -> None:
    built = open_directory([], progress=False)
    cached = open_directory([], progress=False)
    assert cached.from_cache
    assert snapshot(built) == snapshot(cached)
    for entry_id in built.directory.people:
        assert cached.directory.people[entry_id] == built.directory.people[entry_id]


def test_a_second_run_answers_from_the_cache_with_the_same_output() -> None:
    cold = run_process("find", "wissmeier")
    [cache_path] = cache_files()
    written = cache_path.stat().st_mtime_ns
    warm = run_process("find", "wissmeier")
    assert cold.returncode == warm.returncode == 0
    assert cold.stdout == warm.stdout
    assert cache_path.stat().st_mtime_ns == written  # read, not rewritten


# -- invalidation --------------------------------------------------------------------------


def test_a_touched_file_invalidates_the_cache(small: Path) -> None:
    before = snapshot(open_small(small))
    stat = small.stat()
    os.utime(small, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    again = open_small(small)
    assert not again.from_cache
    assert snapshot(again) == before
    assert open_small(small).from_cache
    assert len(cache_files()) == 1  # the same cache file, rewritten


def test_a_file_changed_a_moment_ago_is_not_cached_yet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second change within the file system's timestamp tick, to the same size, would
    leave size and times as they were: the cache waits until the file has settled."""
    monkeypatch.setattr(cache, "SETTLED_NS", 2_000_000_000)
    fresh = generate(tmp_path / "fresh.yaml", 40, settled=False)
    first = open_small(fresh)
    assert cache_files() == []
    stat = fresh.stat()
    text = fresh.read_text(encoding="utf-8").replace('family_name: "', 'family_name: "X', 1)
    fresh.write_text(text.replace('given_name: "', 'given_name: "', 1)[:-1], encoding="utf-8")
    os.utime(fresh, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # the same tick
    assert fresh.stat().st_size == stat.st_size
    second = open_small(fresh)
    assert not second.from_cache
    assert second.directory.people.at(0).family_name.startswith("X")
    assert snapshot(second) != snapshot(first)
    age_back(fresh)  # an old mtime is not enough: the ctime says the file just changed
    open_small(fresh)
    assert not open_small(fresh).from_cache
    wait_until_settled(fresh)
    open_small(fresh)
    assert open_small(fresh).from_cache


def test_a_path_with_a_line_break_is_cached(tmp_path: Path) -> None:
    odd = tmp_path / "line\nbreak|bar.yaml"
    generate(odd, 20)
    open_small(odd)
    assert open_small(odd).from_cache


def test_a_changed_file_is_read_again(small: Path) -> None:
    open_small(small)
    stat = small.stat()
    text = small.read_text(encoding="utf-8").replace('family_name: "', 'family_name: "Neu', 1)
    small.write_text(text, encoding="utf-8")
    os.utime(small, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same mtime: the size tells
    changed = open_small(small)
    assert not changed.from_cache
    assert changed.directory.people.at(0).family_name.startswith("Neu")


def test_a_cache_of_another_version_is_rebuilt(
    small: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(open_small(small))
    monkeypatch.setattr(cache, "FORMAT", cache.FORMAT.replace("|", "-next|", 1))
    other = open_small(small)
    assert not other.from_cache
    assert snapshot(other) == before
    assert open_small(small).from_cache
    assert len(cache_files()) == 1


def test_other_files_get_their_own_cache(small: Path, tmp_path: Path) -> None:
    other = generate(tmp_path / "other.yaml", 50, seed=2)
    open_small(small)
    open_small(other)
    assert len(cache_files()) == 2
    assert open_small(small).from_cache and open_small(other).from_cache


# -- broken cache files ----------------------------------------------------------------------


def _flip(data: bytes, position: int) -> bytes:
    return data[:position] + bytes([data[position] ^ 0x55]) + data[position + 1 :]


DAMAGE = {
    "empty": lambda data: b"",
    "garbage": lambda data: os.urandom(len(data)),
    "truncated": lambda data: data[: len(data) // 2],
    "one byte short": lambda data: data[:-1],
    "one byte more": lambda data: data + b"\0",
    "flipped byte near the end": lambda data: _flip(data, len(data) - 10),
    "flipped byte in the middle": lambda data: _flip(data, len(data) // 2),
    "flipped byte in the key": lambda data: _flip(data, 40),
    "flipped byte in the header": lambda data: _flip(data, data.index(b"Synthetische") + 3),
    "the old format": lambda data: b"KJCDIR-CACHE-1\n" + data[15:],
}


@pytest.mark.parametrize("damage", list(DAMAGE), ids=list(DAMAGE))
def test_a_damaged_cache_is_ignored_and_rebuilt(small: Path, damage: str) -> None:
    before = snapshot(open_small(small))
    [cache_path] = cache_files()
    cache_path.write_bytes(DAMAGE[damage](cache_path.read_bytes()))
    again = open_small(small)
    assert not again.from_cache
    assert snapshot(again) == before
    rebuilt = open_small(small)
    assert rebuilt.from_cache
    assert snapshot(rebuilt) == before


def test_a_damaged_cache_gives_the_same_output_in_a_real_process() -> None:
    expected = run_process("find", "AK Option")
    [cache_path] = cache_files()
    cache_path.write_bytes(b"\0" * 100)
    damaged = run_process("find", "AK Option")
    assert (damaged.returncode, damaged.stdout, damaged.stderr) == (0, expected.stdout, "")


def test_a_cache_that_is_a_directory_is_ignored(small: Path) -> None:
    before = snapshot(open_small(small))
    [cache_path] = cache_files()
    cache_path.unlink()
    cache_path.mkdir()
    assert snapshot(open_small(small)) == before


def test_an_unwritable_cache_directory_costs_speed_not_answers(
    small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = snapshot(open_small(small))
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the cache directory should be\n")
    monkeypatch.setenv("KJCDIR_CACHE_DIR", str(blocker / "kjcdir"))
    for _ in range(2):
        loaded = open_small(small)
        assert not loaded.from_cache
        assert snapshot(loaded) == expected
    result = run_process("find", "wissmeier")
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout.startswith("rena-wissmeier\t")


def test_the_cache_lives_in_xdg_cache_home(
    small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KJCDIR_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    open_small(small)
    assert list((tmp_path / "xdg" / "kjcdir").glob("directory-*.bin"))
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")  # the XDG spec says: ignore it
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache.cache_dir() == tmp_path / "home" / ".cache" / "kjcdir"


def test_kjcdir_cache_dir_comes_before_the_platform_s_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KJCDIR_CACHE_DIR", str(tmp_path / "mine"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_dir() == tmp_path / "mine"


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="the XDG rules are Linux's")
def test_without_xdg_cache_home_the_cache_is_in_dot_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KJCDIR_CACHE_DIR")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache.cache_dir() == tmp_path / "home" / ".cache" / "kjcdir"


def test_the_platform_s_cache_folder_comes_from_platformdirs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """macOS and Windows users get their platform's folder: kjcdir asks platformdirs."""
    import platformdirs

    asked: list[tuple[object, ...]] = []

    def user_cache_path(*args: object, **options: object) -> Path:
        asked.append((*args, *sorted(options.items())))
        return tmp_path / "Library" / "Caches" / "kjcdir"

    monkeypatch.delenv("KJCDIR_CACHE_DIR")
    monkeypatch.setattr(platformdirs, "user_cache_path", user_cache_path)
    assert cache.cache_dir() == tmp_path / "Library" / "Caches" / "kjcdir"
    assert asked == [("kjcdir", ("appauthor", False))]


@pytest.mark.parametrize("failing", [None, "fsync", "rename"])
def test_a_write_leaves_no_temporary_files(
    small: Path, monkeypatch: pytest.MonkeyPatch, failing: str | None
) -> None:
    """Written or failed (a full disk while it is flushed, a rename refused), a cache write
    leaves no temporary file behind, and a failed one costs speed, not the answer."""
    from kjcdir import atomic

    if failing == "fsync":

        def fsync(fd: int) -> None:
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(atomic.os, "fsync", fsync)
    elif failing == "rename":

        def rename(self: atomic.Folder, old: str, new: str) -> None:
            raise OSError(errno.EACCES, "Permission denied")

        monkeypatch.setattr(atomic.Folder, "rename", rename)
    loaded = open_small(small)
    assert not loaded.from_cache
    assert [path.name for path in cache_files() if not path.name.startswith("directory-")] == []
    written = [path for path in cache_files() if path.name.startswith("directory-")]
    assert len(written) == (1 if failing is None else 0)
    monkeypatch.undo()
    assert len(open_small(small).directory.people) == len(loaded.directory.people)


# -- processes at once -----------------------------------------------------------------------


def test_eight_processes_at_once_on_a_cold_cache(ten_thousand: Path) -> None:
    command = [kjcdir_executable(), "--no-bundled", "--data", str(ten_thousand), "find"]
    queries = ["schaefer", "Müller Kassel", "0611", "Fallmanagement"] * 2
    processes = [
        subprocess.Popen(
            [*command, query],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=dict(os.environ),
        )
        for query in queries
    ]
    outputs = [process.communicate(timeout=300) for process in processes]
    assert [process.returncode for process in processes] == [0] * 8
    assert [stderr for _, stderr in outputs] == [""] * 8
    assert outputs[:4] == outputs[4:]  # the same query, the same answer
    assert all(stdout for stdout, _ in outputs)
    # one sound cache, and no temporary files left behind
    assert len(cache_files()) == 1
    files = sources.data_files([ten_thousand], False)
    identity = sources.DataFile(files[0]).identity()
    assert identity is not None
    assert cache.read(cache.cache_key([identity]), files) is not None
    warm = run_process("--no-bundled", "--data", str(ten_thousand), "find", queries[0])
    assert (warm.returncode, warm.stdout) == (0, outputs[0][0])
    assert open_directory([ten_thousand], include_bundled=False).from_cache


# -- what the index answers in place of a walk over all people ---------------------------------


@pytest.mark.parametrize("from_cache", [False, True])
def test_staff_are_the_members_of_the_subtree(small: Path, from_cache: bool) -> None:
    for paths, bundled in (([], True), ([small], False)):
        open_directory(paths, include_bundled=bundled, progress=False)
        loaded = open_directory(paths, include_bundled=bundled, progress=False)
        if not from_cache:
            files = [sources.DataFile(path) for path in sources.data_files(paths, bundled)]
            loaded = store._build(files, Progress(False))
        assert loaded.from_cache is from_cache
        directory = loaded.directory
        for org_id in directory.organizations:
            members = directory.members_of(directory.subtree(org_id))
            expected = [directory.people.position(person.id) for person in members]
            assert loaded.staff(org_id) == expected, org_id
        assert loaded.staff("no-such-org") == []


def test_names_in_the_index_are_the_people_s_names(small: Path) -> None:
    open_small(small)
    loaded = open_small(small)
    people = loaded.directory.people
    assert list(loaded.index.names) == [people.at(i).name for i in range(len(people))]


def test_data_from_a_pipe_is_never_cached(tmp_path: Path) -> None:
    """`--data <(generate)`: a pipe has no size or time that could tell a change."""
    source = generate(tmp_path / "people.yaml", 30)
    fifo = tmp_path / "pipe.yaml"
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes here")
    os.mkfifo(fifo)
    reading, writing = os.pipe()
    try:
        assert sources.DataFile(Path(f"/proc/self/fd/{reading}")).identity() is None
    finally:
        os.close(reading)
        os.close(writing)

    def feed() -> None:
        fifo.write_bytes(source.read_bytes())

    writer = threading.Thread(target=feed)
    writer.start()
    result = run_process("--no-bundled", "--data", str(fifo), "find", "schaefer")
    writer.join()
    assert result.returncode in (0, 1), result.stderr
    assert cache_files() == []


def test_without_a_home_folder_the_cache_is_a_folder_of_the_user_in_tmp(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """HOME unset and no entry in passwd: platformdirs raises; kjcdir still answers, with
    a cache folder of the user's own (trusted only if it is theirs alone)."""
    import platformdirs

    def no_home(*args: object, **options: object) -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.delenv("KJCDIR_CACHE_DIR")
    monkeypatch.setattr(platformdirs, "user_cache_path", no_home)
    user = os.getuid() if hasattr(os, "getuid") else "user"
    assert cache.cache_dir() == Path(tempfile.gettempdir()) / f"kjcdir-cache-{user}"


# -- the file's layout and the module's small rules, directly -----------------------------------


def written_parts(segments: dict[str, Any]) -> bytes:
    return b"".join(bytes(part) for part in cache._parts("the key", {"n": 1}, segments))


def parse(content: bytes, key: str = "the key") -> cache.CacheFile:
    import mmap

    with tempfile.TemporaryFile() as file:
        file.write(content)
        file.flush()
        mapped = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
    return cache._parse(mapped, key.encode())


def test_every_segment_starts_on_an_eight_byte_boundary_of_the_file() -> None:
    """int32 arrays are mapped straight from the file: the layout pads each segment to 8."""
    import array
    import marshal

    content = written_parts(
        {"odd": b"abc", "ints": array.array("i", [1, 2, 3]), "value": ("a", 1), "last": b"z"}
    )
    prefix_length = len(cache.MAGIC) + 4 + len(b"the key")
    header_length = int.from_bytes(content[prefix_length : prefix_length + 8], "big")
    header = marshal.loads(content[prefix_length + 12 : prefix_length + 12 + header_length])
    data_start = len(content) - header["size"]
    assert data_start % cache.ALIGN == 0
    assert {offset % cache.ALIGN for offset, _ in header["segments"].values()} == {0}
    assert set(content[prefix_length + 12 + header_length : data_start]) <= {0}  # NUL padding
    read = parse(content)
    assert bytes(read.segment("odd")) == b"abc" and bytes(read.segment("last")) == b"z"
    assert read.segment("ints").cast("i").tolist() == [1, 2, 3]
    assert read.load("value") == ("a", 1) and read.values == {"n": 1}


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda content: b"NOT-A-CACHE" + content[11:], "another key or not a cache"),
        (lambda content: content[:40], "truncated or corrupt header"),
        (lambda content: content[:-1], "truncated or corrupt"),
        (lambda content: content[:-1] + bytes([content[-1] ^ 1]), "truncated or corrupt"),
    ],
    ids=["another magic", "cut in the header", "cut in the data", "a flipped bit"],
)
def test_a_damaged_file_is_refused_with_its_reason(damage: Any, reason: str) -> None:
    content = written_parts({"segment": b"x" * 100})
    with pytest.raises(cache.CacheError) as raised:
        parse(damage(content))
    assert str(raised.value) == reason


def test_a_file_of_another_key_is_refused() -> None:
    content = written_parts({"segment": b"x" * 100})
    with pytest.raises(cache.CacheError, match="another key or not a cache"):
        parse(content, key="another key")


def test_a_header_that_is_not_a_mapping_is_refused() -> None:
    import marshal
    import zlib

    header = marshal.dumps(["not", "a", "dict"])
    content = (
        cache.MAGIC
        + len(b"the key").to_bytes(4, "big")
        + b"the key"
        + len(header).to_bytes(8, "big")
        + zlib.crc32(header).to_bytes(4, "big")
        + header
    )
    with pytest.raises(cache.CacheError, match=r"^not a header$"):
        parse(content)


def test_paths_and_keys_that_are_not_utf_8_have_a_cache(tmp_path: Path) -> None:
    """A file name of bytes that are not UTF-8 comes to Python with surrogates: its
    cache is named and keyed all the same (on a system whose file names are bytes)."""
    path = f"{tmp_path}/caf\udce9.yaml"
    name = cache.cache_name([path])
    assert name.startswith("directory-") and name.endswith(f"-{cache.PYTHON_TAG}.bin")
    assert name != cache.cache_name([f"{tmp_path}/cafe.yaml"])
    key = cache.cache_key([f"{path}|1|2"])
    assert cache.write(key, [path], {"n": 1}, {"segment": b"data"})
    read = cache.read(key, [path])
    assert read is not None and bytes(read.segment("segment")) == b"data"


def test_a_file_changed_exactly_the_settling_time_ago_has_settled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert REAL_SETTLED_NS == 2_000_000_000  # a FAT tick: the coarsest file times there are
    monkeypatch.setattr(cache, "SETTLED_NS", REAL_SETTLED_NS)
    now, delay = 10_000_000_000, REAL_SETTLED_NS
    assert cache.settled([now - delay], now)
    assert cache.settled([now + delay], now)  # a time in the future, as far off
    assert not cache.settled([now - delay + 1], now)
    assert not cache.settled([now - 3 * delay, now - delay + 1], now)


def test_a_folder_that_is_not_trusted_is_not_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    monkeypatch.setenv("KJCDIR_CACHE_DIR", str(shared))
    monkeypatch.setattr(cache, "_warned", set())
    assert cache.write("key", ["a.yaml"], {}, {}) is False
    assert os.listdir(shared) == []
    assert capsys.readouterr().err == (
        f"kjcdir: not using the cache folder {shared}: others may write to it; "
        "set KJCDIR_CACHE_DIR to a folder of your own.\n"
    )


class BrokenStderr:
    def __init__(self, error: Exception) -> None:
        self.error = error

    def write(self, text: str) -> int:
        raise self.error


@pytest.mark.parametrize(
    "stderr",
    [None, BrokenStderr(BrokenPipeError(errno.EPIPE, "Broken pipe")), BrokenStderr(ValueError())],
    ids=["no stderr", "a closed pipe", "a closed file"],
)
def test_the_warning_never_fails_the_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stderr: object
) -> None:
    """pythonw has no stderr; a reader may have gone: the cache is still not used, quietly."""
    monkeypatch.setattr(cache, "_warned", set())
    monkeypatch.setattr(sys, "stderr", stderr)
    cache._warn(tmp_path, "others may write to it")
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    cache._warn(tmp_path, "others may write to it")
    assert sys.stderr.getvalue() == ""  # said once per folder, even where it was lost


def test_the_cache_folder_is_made_for_the_user_alone_and_only_to_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "new" / "cache"
    monkeypatch.setenv("KJCDIR_CACHE_DIR", str(folder))
    assert cache.read("key", ["a.yaml"]) is None
    assert not (tmp_path / "new").exists()  # a lookup that finds no cache makes nothing
    old_umask = os.umask(0o022)
    try:
        assert cache.write("key", ["a.yaml"], {}, {"segment": b"x"})
    finally:
        os.umask(old_umask)
    assert folder.stat().st_mode & 0o777 == 0o700
