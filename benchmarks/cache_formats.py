"""Which on-disk form answers a lookup in a large directory fastest? (issue 5 item 2)

    python benchmarks/cache_formats.py [N] [--runs 5]

Builds one directory of N synthetic people (default 100,000) and stores the same
validated, normalised directory and index four ways:

- marshal: one marshalled tuple of plain tuples (kjcdir's first cache);
- pickle: the same tuples, pickle protocol 5;
- sqlite: a table of person records, one of postings per field and word, the rest
  marshalled in a table of values;
- mmap: kjcdir's cache (kjcdir.cache): one memory-mapped file of segments, int32
  postings read in place, people in marshalled chunks decoded when shown.

For each, a fresh process opens the store and answers `find schaefer` (postings of the
matched words, the ten people shown, the organisations for their paths), and reports
the time from before the open to the answer, and its peak memory. Prints a Markdown
table of medians.
"""

from __future__ import annotations

import argparse
import marshal
import os
import pickle
import sqlite3
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
QUERY = "schaefer"

CHILD = r"""
import resource, sys, time
kind, path = sys.argv[1], sys.argv[2]
started = time.perf_counter()
from kjcdir.search import search
from kjcdir.model import Directory, Meta, People, Person
from kjcdir.records import org_from_record, person_from_record


def _decode(position: int, record: tuple) -> Person:
    return person_from_record(record)
from kjcdir.index import Packed, SearchIndex, TextTable
if kind in ("marshal", "pickle"):
    if kind == "marshal":
        import marshal
        with open(path, "rb") as stream:
            plain = marshal.loads(stream.read())
    else:
        import pickle
        with open(path, "rb") as stream:
            plain = pickle.load(stream)
    (meta, orgs, people, sources), index_plain = plain
    organizations = {org[0]: org_from_record(org) for org in orgs}
    directory = Directory(Meta(*meta), organizations, People(people, decode=_decode))
    vocabulary, person_postings, org_postings, org_people, org_descendants, ranks = index_plain

    class Postings(dict):
        def get(self, word, default=()):
            return dict.get(self, word, default)

    person_postings = {name: Postings(table) for name, table in person_postings.items()}
    org_postings = {name: Postings(table) for name, table in org_postings.items()}
    index = SearchIndex(
        vocabulary, person_postings, org_postings, org_people, org_descendants,
        TextTable("", (), ()), TextTable("", (), ()), (), ranks, (),
    )
elif kind == "sqlite":
    import marshal, sqlite3
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    values = dict(connection.execute("select name, value from value_table"))
    meta, orgs, vocabulary, org_people, org_descendants, ranks = (
        marshal.loads(values[name])
        for name in ("meta", "orgs", "vocabulary", "org_people", "org_descendants", "ranks")
    )
    organizations = {org[0]: org_from_record(org) for org in orgs}

    class Postings:
        def __init__(self, field):
            self.field = field
        def get(self, word, default=()):
            row = connection.execute(
                "select positions from postings where field = ? and word = ?", (self.field, word)
            ).fetchone()
            return marshal.loads(row[0]) if row else default

    class Records:
        def __init__(self, count):
            self.count = count
        def __len__(self):
            return self.count
        def __getitem__(self, position):
            row = connection.execute(
                "select record from people where position = ?", (position,)
            ).fetchone()
            return marshal.loads(row[0])

    directory = Directory(
        Meta(*meta), organizations, People(Records(len(ranks)), decode=_decode)
    )
    person = {f: Postings("p." + f) for f in ("name", "contact", "role", "topic", "place")}
    org = {f: Postings("o." + f) for f in ("org", "topic", "description", "place")}
    index = SearchIndex(
        vocabulary, person, org, org_people, org_descendants,
        TextTable("", (), ()), TextTable("", (), ()), (), ranks, (),
    )
else:
    from pathlib import Path
    from kjcdir import cache
    from kjcdir.store import open_directory
    loaded = open_directory([Path(path)], include_bundled=False, progress=False)
    assert loaded.from_cache
    directory, index = loaded.directory, loaded.index
hits = search(sys.argv[3], index, limit=10)
shown = [directory.people.at(hit.person) for hit in hits]
paths = [directory.org_path(person.affiliations[0].org_id) for person in shown]
elapsed = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(elapsed, peak, len(hits))
"""


def plain_index(index: Any) -> tuple[Any, ...]:
    def postings(packed: Any) -> dict[int, tuple[int, ...]]:
        return {word: tuple(packed[word]) for word in range(len(packed)) if len(packed[word])}

    return (
        index.vocabulary,
        {name: postings(p) for name, p in index.person_postings.items()},
        {name: postings(p) for name, p in index.org_postings.items()},
        tuple(tuple(people) for people in index.org_people),
        tuple(tuple(units) for units in index.org_descendants),
        tuple(index.sort_ranks),
    )


def build_stores(people: int, work: Path) -> None:
    sys.path.insert(0, str(HERE))
    import generate
    from kjcdir import store
    from kjcdir.records import directory_record

    source = work / f"people-{people}.yaml"
    with open(source, "w", encoding="utf-8") as stream:
        generate.write(stream, people)
    os.environ["KJCDIR_CACHE_DIR"] = str(work / "cache")
    print(f"loading {people:,} people …", file=sys.stderr)
    store.open_directory([source], include_bundled=False, progress=False)
    loaded = store.open_directory([source], include_bundled=False, progress=False)
    plain = (directory_record(loaded.directory), plain_index(loaded.index))
    paths = {"mmap": source}
    paths["marshal"] = work / "cache.marshal"
    paths["marshal"].write_bytes(marshal.dumps(plain))
    paths["pickle"] = work / "cache.pickle"
    paths["pickle"].write_bytes(pickle.dumps(plain, protocol=5))
    paths["sqlite"] = work / "cache.sqlite"
    connection = sqlite3.connect(paths["sqlite"])
    connection.execute("create table value_table (name text primary key, value blob)")
    connection.execute("create table people (position integer primary key, record blob)")
    connection.execute(
        "create table postings (field text, word integer, positions blob, "
        "primary key (field, word))"
    )
    (meta, orgs, records, _), (vocabulary, person, org, org_people, descendants, ranks) = plain
    for name, value in (
        ("meta", meta),
        ("orgs", orgs),
        ("vocabulary", vocabulary),
        ("org_people", org_people),
        ("org_descendants", descendants),
        ("ranks", ranks),
    ):
        connection.execute("insert into value_table values (?, ?)", (name, marshal.dumps(value)))
    connection.executemany(
        "insert into people values (?, ?)",
        ((position, marshal.dumps(record)) for position, record in enumerate(records)),
    )
    for prefix, tables in (("p.", person), ("o.", org)):
        for field, table in tables.items():
            connection.executemany(
                "insert into postings values (?, ?, ?)",
                ((prefix + field, word, marshal.dumps(places)) for word, places in table.items()),
            )
    connection.commit()
    connection.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("people", type=int, nargs="?", default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--build", type=Path, help=argparse.SUPPRESS)  # in a child process
    args = parser.parse_args(argv)
    if args.build is not None:
        build_stores(args.people, args.build)
        return 0
    with tempfile.TemporaryDirectory(prefix="kjcdir-formats-") as temporary:
        work = Path(temporary)
        env = {**os.environ, "KJCDIR_CACHE_DIR": str(work / "cache")}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        # Built in a child: Linux hands a parent's peak memory on to the processes it
        # starts, and this one should stay small.
        subprocess.run(
            [sys.executable, __file__, str(args.people), "--build", str(work)], check=True, env=env
        )
        paths = {
            "marshal": work / "cache.marshal",
            "pickle": work / "cache.pickle",
            "sqlite": work / "cache.sqlite",
            "mmap": work / f"people-{args.people}.yaml",
        }
        rows = []
        for kind in ("marshal", "pickle", "sqlite", "mmap"):
            samples = []
            for _ in range(args.runs + 1):  # the first run warms the page cache
                result = subprocess.run(
                    [sys.executable, "-c", CHILD, kind, str(paths[kind]), QUERY],
                    capture_output=True,
                    text=True,
                    env=env,
                    check=True,
                )
                elapsed, peak, hits = result.stdout.split()
                samples.append((float(elapsed), float(peak), int(hits)))
            samples = samples[1:]
            size = paths[kind].stat().st_size if kind != "mmap" else _cache_size(work)
            rows.append(
                f"| {kind} | {size / 1e6:.1f} MB | "
                f"{statistics.median(s[0] for s in samples) * 1000:.0f} ms | "
                f"{max(s[1] for s in samples):.0f} MB |"
            )
    print(f"Open the store and answer `find {QUERY}` in {args.people:,} people ")
    print(f"(median of {args.runs} fresh processes, kjcdir's imports included):\n")
    print("| store | size | open + find | peak memory |")
    print("|---|---|---|---|")
    print("\n".join(rows))
    return 0


def _cache_size(work: Path) -> int:
    return sum(path.stat().st_size for path in (work / "cache").glob("directory-*.bin"))


if __name__ == "__main__":
    sys.exit(main())
