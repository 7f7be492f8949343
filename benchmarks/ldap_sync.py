"""`kjcdir ldap sync` against a real OpenLDAP server on loopback: whole processes.

    python benchmarks/ldap_sync.py [--people 10000] [--runs 3] [--kjcdir PATH]

(with pytest installed, as the test extras bring it: the server is the tests' own)

Starts slapd (Debian's `slapd` package) with the tests' throw-away configuration
(tests/ldap_server.py), generates a directory of N people (benchmarks/generate.py), and
measures, each as the median of --runs:

- the floors: OpenLDAP's own `ldapadd` loading kjcdir's LDIF export of the same data into
  the empty base, and `ldapsearch` reading the whole subtree in pages of 500;
- the first sync into the empty base (the base is emptied again between runs);
- a resync with nothing changed, and one with one phone number changed.

A resync reads the subtree once and sends only the difference, so it should cost the
paged read and the load of the directory (from kjcdir's cache), and nothing per
unchanged entry beyond that. Prints a Markdown table for the README.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

import ldap_server  # noqa: E402 (the tests' server, found through the path above)


def timed(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=3600)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{command[:3]} failed: {done.stderr[-2000:]}")
    return seconds, done.stderr.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--kjcdir", default=shutil.which("kjcdir") or "kjcdir")
    options = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="kjcdir-ldap-bench-"))
    data = work / "people.yaml"
    subprocess.run(
        [sys.executable, str(HERE / "generate.py"), str(options.people), str(data)], check=True
    )
    changed = work / "changed.yaml"
    text = data.read_text(encoding="utf-8")
    phone_at = text.index("phones: [")
    first_phone = text[phone_at : text.index("]", phone_at) + 1]
    changed.write_text(
        text.replace(first_phone, 'phones: ["+49 611 9999-99"]', 1), encoding="utf-8"
    )

    env = {
        **os.environ,
        "KJCDIR_LDAP_PASSWORD": ldap_server.PASSWORD,
        "KJCDIR_CACHE_DIR": str(work / "cache"),
    }
    servers = ldap_server.start(work / "slapd")
    server = next(servers)
    try:

        def sync(source: Path, *extra: str) -> list[str]:
            return [
                options.kjcdir, "--no-bundled", "--data", str(source), "ldap", "sync",
                "--url", server.url, "--base", ldap_server.BASE,
                "--bind-dn", ldap_server.WRITER, *extra,
            ]  # fmt: skip

        def empty_base() -> None:
            for container in ("people", "organizations"):
                subprocess.run(
                    [server.tools["ldapdelete"], "-x",
                     "-H", server.url, "-D", ldap_server.ADMIN, "-w", ldap_server.PASSWORD,
                     "-r", f"ou={container},{ldap_server.BASE}"],
                    capture_output=True,
                )  # fmt: skip

        read = [
            server.tools["ldapsearch"], "-x", "-LLL", "-H", server.url,
            "-D", ldap_server.WRITER, "-w", ldap_server.PASSWORD, "-b", ldap_server.BASE,
            "-E", "pr=500/noprompt", "(objectClass=*)", "*",
        ]  # fmt: skip
        timed(sync(data, "--dry-run"), env)  # compiles kjcdir's cache of the data
        timed(sync(changed, "--dry-run"), env)
        ldif = work / "all.ldif"
        timed([options.kjcdir, "--no-bundled", "--data", str(data), "export", "--all",
               "-f", "ldif", "--base", ldap_server.BASE, "-o", str(ldif)], env)  # fmt: skip
        load = [
            server.tools["ldapadd"], "-x", "-H", server.url, "-D", ldap_server.WRITER,
            "-w", ldap_server.PASSWORD, "-f", str(ldif),
        ]  # fmt: skip
        first, unchanged, one_change, floor, loads = [], [], [], [], []
        summaries: dict[str, str] = {}
        for _ in range(options.runs):
            empty_base()
            loads.append(timed(load, env)[0])
            empty_base()
            seconds, summaries["first"] = timed(sync(data), env)
            first.append(seconds)
            floor.append(timed(read, env)[0])
            seconds, summaries["unchanged"] = timed(sync(data), env)
            unchanged.append(seconds)
            seconds, summaries["one change"] = timed(sync(changed), env)
            one_change.append(seconds)
            timed(sync(data), env)  # back to the original for the next round
    finally:
        servers.close()
        shutil.rmtree(work, ignore_errors=True)

    read_s = statistics.median(floor)
    load_s = statistics.median(loads)
    print(f"{options.people:,} people, medians of {options.runs}. Floors: OpenLDAP's `ldapadd` "
          f"loads the LDIF export into the empty base in **{load_s:.2f} s**; its `ldapsearch` "
          f"reads the subtree in pages of 500 in **{read_s:.2f} s**.\n")  # fmt: skip
    print("| `kjcdir ldap sync` | time | ratio to its floor | summary |")
    print("|---|---|---|---|")
    rows = (
        ("first, into the empty base", first, load_s, "first"),
        ("again, nothing changed", unchanged, read_s, "unchanged"),
        ("again, one phone number changed", one_change, read_s, "one change"),
    )
    for name, series, floor_s, key in rows:
        median = statistics.median(series)
        summary = summaries[key].removeprefix("kjcdir: ").rstrip(".")
        print(f"| {name} | {median:.2f} s | {median / floor_s:.1f} × | {summary} |")
    print(
        f"\nMachine: {os.cpu_count()} CPUs, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}; slapd on 127.0.0.1 (back-mdb)."
    )


if __name__ == "__main__":
    main()
