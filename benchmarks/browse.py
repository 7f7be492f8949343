"""`kjcdir browse`: the search behind each keystroke, and the time to the first frame.

    python benchmarks/browse.py [--people 10000] [--names 20] [--runs 7] [--kjcdir PATH]

1. In-process, on a generated directory of N people (benchmarks/generate.py): the
   search that browse runs for one keystroke (`lookup.people_as_you_type`, find's
   ranking and rules) for every prefix of the names of --names people spread over the
   directory, as they would be typed letter by letter. Reports the median, the 90th
   percentile and the maximum; the goal is a median of at most 50 ms. Then what each
   answer costs the UI thread of the running view: the list and the card rebuilt.
2. Whole process: `kjcdir browse` on the bundled directory (warm cache) in a
   pseudo-terminal of 100×30, from the start until the first frame shows the first
   person, median of --runs; beside it the `python -c "import typer"` floor.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import pty
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kjcdir.store import Loaded

HERE = Path(__file__).resolve().parent
GOAL_MS = 50.0


def keystrokes(people: int, names: int) -> tuple[list[float], list[float]]:
    from kjcdir.lookup import people_as_you_type
    from kjcdir.store import open_directory

    work = Path(tempfile.mkdtemp(prefix="kjcdir-browse-bench-"))
    data = work / "people.yaml"
    subprocess.run([sys.executable, str(HERE / "generate.py"), str(people), str(data)], check=True)
    os.environ["KJCDIR_CACHE_DIR"] = str(work / "cache")
    open_directory([data], False)  # the first load writes the cache, as a first run does
    loaded = open_directory([data], False)
    directory = loaded.directory
    step = max(1, len(directory.people) // names)
    typed = [
        directory.people.at(position).name for position in range(0, len(directory.people), step)
    ]
    times = []
    for name in typed[:names]:
        for end in range(1, len(name) + 1):
            start = time.perf_counter()
            people_as_you_type(loaded, name[:end])
            times.append((time.perf_counter() - start) * 1000)
    shown = asyncio.run(keys_to_screen(loaded, typed[:names]))
    shutil.rmtree(work, ignore_errors=True)
    return times, shown


async def keys_to_screen(loaded: Loaded, names: list[str]) -> list[float]:
    """The work each answer costs the UI thread in the running view (Textual's test
    harness, no terminal): the list of up to 100 rebuilt and the card replaced. (The
    harness's own waits, about 100 ms a key, make timing whole key presses in it
    meaningless; the drawing itself is Textual's, coalesced between keys.)"""
    from kjcdir.browse import BrowseApp
    from kjcdir.lookup import people_as_you_type

    app = BrowseApp(loaded)
    times = []
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        for name in names:
            for end in range(1, len(name) + 1):
                page = people_as_you_type(loaded, name[:end])
                start = time.perf_counter()
                app.show_page(app.generation, page)
                times.append((time.perf_counter() - start) * 1000)
                await pilot.pause()
    return times


def first_frame(command: list[str], marker: bytes, env: dict[str, str]) -> float:
    """Seconds from the start of `command` in a 100×30 pseudo-terminal until `marker`
    appears in what it writes; then the command is ended."""
    import fcntl
    import struct
    import termios

    pid, fd = pty.fork()
    if pid == 0:  # the child: becomes the command, or ends at once
        try:
            os.execvpe(command[0], command, env)
        finally:
            os._exit(127)  # never the parent's code in the child
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    start = time.perf_counter()
    seen = b""
    try:
        while marker not in seen:
            ready, _, _ = select.select([fd], [], [], 30)
            if not ready:
                raise SystemExit(f"no {marker!r} within 30 s")
            try:
                seen += os.read(fd, 65536)
            except OSError:
                raise SystemExit(f"the command ended before {marker!r}:\n{seen[-500:]!r}") from None
        return time.perf_counter() - start
    finally:
        os.kill(pid, 15)
        # read on until the end: the view restores the terminal as it ends, and a full
        # pseudo-terminal that no one reads would hold it
        while select.select([fd], [], [], 10)[0]:
            try:
                if not os.read(fd, 65536):
                    break
            except OSError:
                break
        _, status = os.waitpid(pid, 0)
        os.close(fd)
        if os.waitstatus_to_exitcode(status) == 127:
            raise SystemExit(f"{command[0]} could not be started")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--names", type=int, default=20)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--kjcdir", default=shutil.which("kjcdir") or "kjcdir")
    options = parser.parse_args()

    times, shown = keystrokes(options.people, options.names)
    median = statistics.median(times)
    p90 = statistics.quantiles(times, n=10)[-1]
    verdict = "✓" if median <= GOAL_MS else "✗"
    print(
        f"Search per keystroke, {options.people:,} people, {len(times)} prefixes of "
        f"{options.names} names: median **{median:.1f} ms** {verdict} (≤ {GOAL_MS:.0f} ms), "
        f"90th percentile {p90:.1f} ms, maximum {max(times):.1f} ms."
    )
    print(
        f"The answer's work on the UI thread (list and card rebuilt): median "
        f"{statistics.median(shown):.1f} ms, 90th percentile "
        f"{statistics.quantiles(shown, n=10)[-1]:.1f} ms, maximum {max(shown):.1f} ms."
    )

    cache = tempfile.mkdtemp(prefix="kjcdir-browse-cache-")
    env = {**os.environ, "KJCDIR_CACHE_DIR": cache, "TERM": "xterm-256color", "LANG": "C.UTF-8"}
    env.pop("NO_COLOR", None)
    browse = [options.kjcdir, "browse"]
    floor_command = [sys.executable, "-c", "import typer; print('ready')"]
    first_frame(browse, "Würfel".encode(), env)  # writes the cache of the bundled data
    frames, floors = [], []
    for _ in range(options.runs):
        frames.append(first_frame(browse, "Würfel".encode(), env))
        floors.append(first_frame(floor_command, b"ready", env))
    shutil.rmtree(cache, ignore_errors=True)
    frame, floor = statistics.median(frames), statistics.median(floors)
    print(
        f"First frame of `kjcdir browse` (bundled directory, warm cache, 100×30 "
        f"pseudo-terminal): **{frame * 1000:.0f} ms**, median of {options.runs}; "
        f'the floor `python -c "import typer"` took {floor * 1000:.0f} ms in the same run '
        f"({frame / floor:.1f} ×)."
    )


if __name__ == "__main__":
    main()
