"""kjcdir's speed, measured as users meet it: whole processes, ratios to `import typer`.

    python benchmarks/run.py [--sizes 1000,10000,100000] [--runs 7] [--first-runs 5]

Measures in one run, so that every figure can be divided by a floor taken on the same
machine at the same time (absolute times on shared machines drift):

- the floor: `python -c "import typer"`;
- `kjcdir find wissmeier` on the bundled directory, piped and on a pseudo-terminal;
- for each N: a synthetic directory of N people (benchmarks/generate.py), its first
  load (cold cache, stderr on a pseudo-terminal so that the progress bar is drawn)
  beside its own floor, iterating `yaml.parse` (libyaml) over the same file, and a
  repeated `find` (warm cache), with the peak memory (maximum RSS) of each child;
- hostile files (issue 14): flat lists of 20 MB and 64 MB and an alias bomb, each to
  be refused (exit 2) in bounded memory.

Each figure is the median of --runs runs (--first-runs for first loads), taken in
turns with the floor. Prints a Markdown table (the README shows the latest one) and
the machine it ran on. Pure Python: subprocess, pty and os.wait4, no other tools.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
BUNDLED_QUERY = "wissmeier"
SYNTHETIC_QUERY = "schaefer"  # a common family name in every generated directory
GOALS = {
    "bundled-piped": 1.3,
    "bundled-terminal": 2.0,
    "repeated-10000": 2.0,
    "repeated-100000": 6.0,
}
FIRST_LOAD_GOAL = 2.0  # × iterating yaml.parse over the same file (issue 14)
MEMORY_LIMIT = 300.0  # MB: a first load of 100,000 people, and any hostile file


@dataclass
class Sample:
    seconds: float  # wall clock, start to exit
    cpu: float  # user + system time of the child
    peak_mb: float
    output: bytes = b""  # what the child wrote to the pseudo-terminal, if it had one


@dataclass
class Series:
    samples: list[Sample] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return statistics.median(sample.seconds for sample in self.samples)

    @property
    def cpu(self) -> float:
        return statistics.median(sample.cpu for sample in self.samples)

    @property
    def peak_mb(self) -> float:
        return max(sample.peak_mb for sample in self.samples)


def _drain(fd: int, sink: bytearray) -> threading.Thread:
    def read() -> None:
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # EIO: the pseudo-terminal's other side has closed
                return
            if not chunk:
                return
            sink.extend(chunk)

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread


def run_child(
    command: Sequence[str],
    env: dict[str, str],
    stdout_tty: bool = False,
    stderr_tty: bool = False,
    refused: bool = False,
) -> Sample:
    """One process: wall time from start to exit, and its own peak memory (os.wait4)."""
    import pty

    readers: list[threading.Thread] = []
    captured = bytearray()
    closers: list[int] = []
    if stdout_tty or stderr_tty:
        master, slave = pty.openpty()
        _set_size(slave)
        closers.append(slave)
    out_read, out_write = os.pipe()
    closers.append(out_write)
    stdout = slave if stdout_tty else out_write
    stderr = slave if stderr_tty else subprocess.DEVNULL
    started = time.perf_counter()
    process = subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr, env=env
    )
    for fd in closers:
        os.close(fd)
    readers.append(_drain(out_read, bytearray()))
    if stdout_tty or stderr_tty:
        readers.append(_drain(master, captured))
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    for reader in readers:
        reader.join(timeout=5)
    os.close(out_read)
    if stdout_tty or stderr_tty:
        os.close(master)
    if process.returncode not in ((2,) if refused else (0, 1)):
        raise SystemExit(f"{' '.join(command)} ended with exit code {process.returncode}")
    # ru_maxrss is in kilobytes on Linux, in bytes on macOS
    peak = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
    return Sample(elapsed, usage.ru_utime + usage.ru_stime, peak, bytes(captured))


def _set_size(fd: int, rows: int = 40, columns: int = 100) -> None:
    with contextlib.suppress(ImportError, OSError):
        import fcntl
        import struct
        import termios

        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))


def kjcdir_command(python: str) -> list[str]:
    """The console script beside the interpreter, as users run it; else `python -m kjcdir`."""
    script = Path(python).with_name("kjcdir")
    return [str(script)] if script.exists() else [python, "-m", "kjcdir"]


def child_environment(cache: Path) -> dict[str, str]:
    env = dict(os.environ)
    # Installed packages carry compiled bytecode; a setting that forbids writing it
    # would make every run compile kjcdir from source, which no user's run does.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    for name in ("KJCDIR_DATA", "NO_COLOR", "KJCDIR_DEBUG"):
        env.pop(name, None)
    env["KJCDIR_CACHE_DIR"] = str(cache)
    env.setdefault("TERM", "xterm-256color")
    return env


def compile_bytecode(python: str, env: dict[str, str]) -> None:
    """Write kjcdir's .pyc files (as pip does on install), so that runs load bytecode."""
    subprocess.run(
        [python, "-c", "import compileall, kjcdir, os; "
         "compileall.compile_dir(os.path.dirname(kjcdir.__file__), quiet=1)"],
        env=env, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def machine() -> dict[str, str]:
    model = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "cpus": str(os.cpu_count()),
        "cpu": model,
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
    }


def versions(python: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        [python, "-c", "import importlib.metadata as m; "
         "print(' '.join(f'{p} {m.version(p)}' for p in ('kjcdir', 'typer', 'rapidfuzz')))"],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    return result.stdout.strip()


def measure(args: argparse.Namespace) -> str:
    python = args.python
    work = Path(tempfile.mkdtemp(prefix="kjcdir-bench-"))
    try:
        env = child_environment(work / "cache")
        compile_bytecode(python, env)
        kjcdir = kjcdir_command(python)
        floor_cmd = [python, "-c", "import typer"]

        def parse_floor_cmd(path: Path) -> list[str]:
            """Iterating yaml.parse with libyaml over the file: the events and their marks."""
            return [python, "-c", PARSE_FLOOR, str(path)]

        bundled_cmd = [*kjcdir, "find", BUNDLED_QUERY]
        files = {}
        for size in args.sizes:
            path = work / f"directory-{size}.yaml"
            log(f"generating {size:,} people …")
            subprocess.run(
                [python, str(HERE / "generate.py"), str(size), str(path)], check=True, env=env
            )
            files[size] = path

        # kjcdir caches a file only once its mtime is two seconds old (cache.settled),
        # as a user's file is that they are not editing at this moment.
        newest = max((path.stat().st_mtime for path in files.values()), default=0.0)
        time.sleep(max(0.0, newest + 2.5 - time.time()))

        def find_cmd(size: int) -> list[str]:
            return [*kjcdir, "--no-bundled", "--data", str(files[size]), "find", SYNTHETIC_QUERY]

        # warm-up: caches built, files in the page cache
        for command in (floor_cmd, bundled_cmd, *(find_cmd(size) for size in args.sizes)):
            run_child(command, env)

        floor = Series()
        results: dict[str, Series] = {"bundled-piped": Series(), "bundled-terminal": Series()}
        for size in args.sizes:
            results[f"repeated-{size}"] = Series()
        log(f"repeated runs: {args.runs} rounds …")
        for _ in range(args.runs):
            floor.samples.append(run_child(floor_cmd, env))
            results["bundled-piped"].samples.append(run_child(bundled_cmd, env))
            results["bundled-terminal"].samples.append(run_child(bundled_cmd, env, True))
            for size in args.sizes:
                results[f"repeated-{size}"].samples.append(run_child(find_cmd(size), env))

        first: dict[int, Series] = {}
        first_floor: dict[int, Series] = {}
        for size in args.sizes:
            first[size] = Series()
            first_floor[size] = Series()
            for round_number in range(args.first_runs):
                log(f"first load of {size:,} people, {round_number + 1}/{args.first_runs} …")
                shutil.rmtree(work / "cache", ignore_errors=True)
                first_floor[size].samples.append(run_child(parse_floor_cmd(files[size]), env))
                first[size].samples.append(run_child(find_cmd(size), env, stderr_tty=True))
        hostile = measure_hostile(work, kjcdir, env) if args.hostile else {}
        return report(args, floor, first_floor, results, first, hostile, env)
    finally:
        shutil.rmtree(work, ignore_errors=True)


PARSE_FLOOR = (
    "import sys, yaml\n"
    "with open(sys.argv[1], 'rb') as stream:\n"
    "    for event in yaml.parse(stream, Loader=yaml.CSafeLoader):\n"
    "        pass\n"
)


def write_hostile(work: Path) -> dict[str, Path]:
    """The files of issue 14: flat lists of 20 and 64 MB, and an alias bomb."""
    head = "people:\n  - id: a\n    family_name: M\n    topics: ["
    files = {}
    for megabytes in (20, 64):
        path = work / f"flat-{megabytes}mb.yaml"
        count = (megabytes * 2**20 - 100 - len(head)) // 3
        with path.open("w", encoding="utf-8") as file:
            file.write(head)
            for _ in range(count // 100_000):
                file.write("a, " * 100_000)
            file.write("a, " * (count % 100_000) + "a]\n")
        files[f"flat list of {megabytes} MB"] = path
    topics = ", ".join(f"topic-{n}" for n in range(500))
    lines = [f"people:\n  - {{id: p0, family_name: X, topics: &t [{topics}]}}\n"]
    lines += [f"  - {{id: p{n}, family_name: X, topics: *t}}\n" for n in range(1, 200_000)]
    bomb = work / "alias-bomb.yaml"
    bomb.write_text("".join(lines), encoding="utf-8")
    files["alias bomb (200,000 repeats of a 500-item list)"] = bomb
    return files


def measure_hostile(work: Path, kjcdir: list[str], env: dict[str, str]) -> dict[str, Sample]:
    results = {}
    for name, path in write_hostile(work).items():
        log(f"hostile file: {name} …")
        results[name] = run_child([*kjcdir, "--no-bundled", "check", str(path)], env, refused=True)
    return results


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


def _verdict(value: float, goal: float | None, unit: str = " ×") -> str:
    if goal is None:
        return ""
    return f" ✓ (≤ {goal:g}{unit})" if value <= goal else f" ✗ (goal ≤ {goal:g}{unit})"


def _ratio(series: Series, floor: Series, cpu: bool = False) -> float:
    """The median of each round's ratio to that round's floor: a burst of load on a
    shared machine then lifts both sides of a ratio, not one figure of the table."""
    if len(series.samples) != len(floor.samples):
        return (series.cpu / floor.cpu) if cpu else (series.seconds / floor.seconds)
    return statistics.median(
        (sample.cpu / base.cpu) if cpu else (sample.seconds / base.seconds)
        for sample, base in zip(series.samples, floor.samples, strict=True)
    )


def _figure(series: Series, floor: Series, goal: float | None = None) -> str:
    """'92 ms = 1.22 × (CPU 1.20 ×) ✓': wall time, its ratio to the floor, the CPU ratio."""
    ratio = _ratio(series, floor)
    cpu_ratio = _ratio(series, floor, cpu=True)
    return (
        f"{_ms(series.seconds)} = **{ratio:.2f} ×** (CPU {cpu_ratio:.2f} ×){_verdict(ratio, goal)}"
    )


def report(
    args: argparse.Namespace,
    floor: Series,
    first_floor: dict[int, Series],
    results: dict[str, Series],
    first: dict[int, Series],
    hostile: dict[str, Sample],
    env: dict[str, str],
) -> str:
    lines = [
        f'Floor: `python -c "import typer"` = **{_ms(floor.seconds)}** wall, '
        f"{_ms(floor.cpu)} CPU (medians of {len(floor.samples)}). Ratios are to the floor "
        "measured in the same round (the median of the rounds' ratios). A first load is "
        "compared with its own floor: iterating `yaml.parse` (libyaml) over the same file.",
        "",
        "| directory | first load (cold cache) | its floor: `yaml.parse` | "
        "repeated `find` (warm cache) | peak memory |",
        "|---|---|---|---|---|",
    ]
    for name, label in (("bundled-piped", "piped"), ("bundled-terminal", "on a terminal")):
        series = results[name]
        lines.append(
            f"| bundled, `find {BUNDLED_QUERY}` {label} | – | – | "
            f"{_figure(series, floor, GOALS[name])} | {series.peak_mb:.0f} MB |"
        )
    for size in args.sizes:
        repeated = results[f"repeated-{size}"]
        cold = first[size]
        shown = any(b"kjcdir:" in sample.output for sample in cold.samples)
        ratio = _ratio(cold, first_floor[size])
        goal = _verdict(ratio, FIRST_LOAD_GOAL) if size >= 10_000 else ""
        memory = _verdict(cold.peak_mb, MEMORY_LIMIT, " MB") if size >= 100_000 else ""
        lines.append(
            f"| {size:,} people, `find {SYNTHETIC_QUERY}` | {_ms(cold.seconds)} = "
            f"**{ratio:.2f} ×**{goal}; {'bar drawn' if shown else 'no bar (under a second)'} | "
            f"{_ms(first_floor[size].seconds)} | "
            f"{_figure(repeated, floor, GOALS.get(f'repeated-{size}'))} | "
            f"{repeated.peak_mb:.0f} MB (first load {cold.peak_mb:.0f} MB{memory}) |"
        )
    if hostile:
        lines += ["", "| hostile file | refused in | peak memory |", "|---|---|---|"]
        for name, sample in hostile.items():
            lines.append(
                f"| {name} | {_ms(sample.seconds)} | "
                f"{sample.peak_mb:.0f} MB{_verdict(sample.peak_mb, MEMORY_LIMIT, ' MB')} |"
            )
    info = machine()
    lines += [
        "",
        f"Medians of {args.runs} runs ({args.first_runs} for first loads); peak memory is the "
        "largest maximum RSS of the child (os.wait4); first loads with stderr on a "
        "pseudo-terminal, repeated runs piped. "
        f"Machine: {info['cpus']} CPUs ({info['cpu']}), {info['system']}, Python "
        f"{info['python']}; {versions(args.python, env)}; {time.strftime('%Y-%m-%d')}.",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--sizes",
        type=lambda text: [int(part) for part in text.split(",") if part],
        default=[1000, 10_000, 100_000],
        help="directory sizes (default 1000,10000,100000)",
    )
    parser.add_argument("--runs", type=int, default=7, help="runs per figure (default 7)")
    parser.add_argument("--first-runs", type=int, default=5, help="runs per first load (default 5)")
    parser.add_argument("--python", default=sys.executable, help="the interpreter with kjcdir")
    parser.add_argument(
        "--no-hostile", dest="hostile", action="store_false", help="leave out the hostile files"
    )
    args = parser.parse_args(argv)
    if sys.platform == "win32":
        parser.error("the benchmark needs POSIX (pseudo-terminals, os.wait4)")
    table = measure(args)
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
