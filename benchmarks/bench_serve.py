"""``stepper serve`` as a classroom meets it: how long the server takes to listen, how long a
tab waits for its first screen (a lesson's title, and the list of lessons), and what each tab
costs, since every tab is a process of its own: a class of tabs opening at once, and the
memory of each while they are open.

    python benchmarks/bench_serve.py [--tabs 10] [--runs 3]

Needs the serve extra (``pip install '.[serve]'``) and Linux's /proc for the memory figures;
each time is the median of the runs.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.serve_client import screen_text, served  # the checkout's tests/

WS = "ws://127.0.0.1:{port}/ws?width=80&height=24"
TITLE = ("One-layer network", "x₁")


def _rss_mb(pid: int) -> float:
    """The resident memory of ``pid``, in MB (0 once it has gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    kb = next((line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")), 0)
    return int(kb) / 1024


def _apps(server: int) -> list[int]:
    """The tabs' app processes: every ``python -m stepper lesson --app`` below ``server``."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
    below, frontier = [], [server]
    while frontier:
        kids = [child for child, up in parents.items() if up == frontier[-1]]
        frontier.pop()
        below += kids
        frontier += kids
    apps = []
    for pid in below:
        try:
            words = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"--app" in words and b"stepper" in words:
            apps.append(pid)
    return apps


def _first_screens(runs: int, folder: Path) -> None:
    starts, lessons, lists = [], [], []
    for _ in range(runs):
        began = time.perf_counter()
        with served("backprop-1", "--lang", "en", cwd=folder) as (port, _, _):
            starts.append(time.perf_counter() - began)
            began = time.perf_counter()
            asyncio.run(screen_text(WS.format(port=port), TITLE))
            lessons.append(time.perf_counter() - began)
        with served("--lang", "en", cwd=folder) as (port, _, _):
            began = time.perf_counter()
            asyncio.run(screen_text(WS.format(port=port), ("Choose a lesson", "regression-1")))
            lists.append(time.perf_counter() - began)
    print(f"server listening               {statistics.median(starts):7.2f} s")
    print(f"a tab's title screen (lesson)  {statistics.median(lessons):7.2f} s")
    print(f"a tab's list of lessons        {statistics.median(lists):7.2f} s")


def _a_class(tabs: int, folder: Path) -> None:
    with served("backprop-1", "--lang", "en", cwd=folder) as (port, server, _):
        shown: list[float] = []
        everyone = asyncio.Event()
        memory: list[float] = []
        began = time.perf_counter()

        async def hold() -> None:
            """Each tab, once its title shows: the last one measures, then all close."""
            shown.append(time.perf_counter() - began)
            if len(shown) == tabs:
                memory.extend(_rss_mb(pid) for pid in _apps(server.pid))
                memory.append(-_rss_mb(server.pid))  # the server's own, kept apart below
                everyone.set()
            await everyone.wait()

        async def open_all() -> None:
            url = WS.format(port=port)
            await asyncio.gather(*(screen_text(url, TITLE, hold=hold) for _ in range(tabs)))

        asyncio.run(open_all())
    apps, server_mb = [m for m in memory if m > 0], -min(memory)
    print(f"{tabs} tabs at once, all showing  {max(shown):7.2f} s")
    print(f"apps running                   {len(apps):7d}")
    print(f"memory per tab (median RSS)    {statistics.median(apps):7.1f} MB")
    print(f"memory of the {tabs} tabs          {sum(apps):7.1f} MB")
    print(f"the server itself              {server_mb:7.1f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tabs", type=int, default=10, help="tabs opened at once")
    parser.add_argument("--runs", type=int, default=3, help="runs of each timed figure")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    _first_screens(args.runs, folder)
    _a_class(args.tabs, folder)


if __name__ == "__main__":
    main()
