"""kjcdir's speed, measured as users meet it: whole processes, ratios to `import typer`.

    python benchmarks/run.py [--sizes 1000,10000,100000] [--runs 7] [--first-runs 5]

Measures in one run, so that every figure can be divided by a floor taken on the same
machine at the same time (absolute times on shared machines drift):

- the floor: `python -c "import typer"`;
- `kjcdir find wissmeier` on the bundled directory, piped and on a pseudo-terminal;
- for each N: a synthetic directory of N people (benchmarks/generate.py), its first
  load (cold cache, stderr on a pseudo-terminal so that progress is shown) and a
  repeated `find` (warm cache), with the peak memory (maximum RSS) of each child.

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
FIRST_LOAD_LIMIT = 60.0  # seconds, for 100,000 people
MEMORY_LIMIT = 300.0  # MB, for 100,000 people


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
    command: Sequence[str], env: dict[str, str], stdout_tty: bool = False, stderr_tty: bool = False
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
    if process.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed with exit code {process.returncode}")
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
        first_floor = Series()
        for size in args.sizes:
            first[size] = Series()
            for round_number in range(args.first_runs):
                log(f"first load of {size:,} people, {round_number + 1}/{args.first_runs} …")
                shutil.rmtree(work / "cache", ignore_errors=True)
                first_floor.samples.append(run_child(floor_cmd, env))
                first[size].samples.append(run_child(find_cmd(size), env, stderr_tty=True))
        return report(args, floor, first_floor, results, first, env)
    finally:
        shutil.rmtree(work, ignore_errors=True)


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
    first_floor: Series,
    results: dict[str, Series],
    first: dict[int, Series],
    env: dict[str, str],
) -> str:
    lines = [
        f'Floor: `python -c "import typer"` = **{_ms(floor.seconds)}** wall, '
        f"{_ms(floor.cpu)} CPU (medians of {len(floor.samples)}). Ratios are to the floor "
        "measured in the same round (the median of the rounds' ratios).",
        "",
        "| directory | first load (cold cache) | repeated `find` (warm cache) | peak memory |",
        "|---|---|---|---|",
    ]
    for name, label in (("bundled-piped", "piped"), ("bundled-terminal", "on a terminal")):
        series = results[name]
        lines.append(
            f"| bundled, `find {BUNDLED_QUERY}` {label} | – | "
            f"{_figure(series, floor, GOALS[name])} | {series.peak_mb:.0f} MB |"
        )
    for size in args.sizes:
        repeated = results[f"repeated-{size}"]
        cold = first[size]
        shown = any(b"kjcdir:" in sample.output for sample in cold.samples)
        limit = _verdict(cold.seconds, FIRST_LOAD_LIMIT, " s") if size >= 100_000 else ""
        memory = _verdict(repeated.peak_mb, MEMORY_LIMIT, " MB") if size >= 100_000 else ""
        lines.append(
            f"| {size:,} people, `find {SYNTHETIC_QUERY}` | {_ms(cold.seconds)} = "
            f"{cold.seconds / first_floor.seconds:.0f} ×{limit}; "
            f"{'progress shown' if shown else 'no progress line (under a second)'} | "
            f"{_figure(repeated, floor, GOALS.get(f'repeated-{size}'))} | "
            f"{repeated.peak_mb:.0f} MB{memory} (first load {cold.peak_mb:.0f} MB) |"
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
    args = parser.parse_args(argv)
    if sys.platform == "win32":
        parser.error("the benchmark needs POSIX (pseudo-terminals, os.wait4)")
    table = measure(args)
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
