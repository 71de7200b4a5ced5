"""Issue 15's speed figures: the built-in graph lessons, and the worst graphs a lesson may hold,
solved to JSON and to every other format.

The target: each built-in graph lesson to JSON in under 2 s. The worst cases have no target;
their figures are for checking the limits (stepper.lesson.graph_checks: 60 nodes, 2,000
parts in all the formulas, 20 inputs; a formula's own limits in stepper.lesson.formula):

- many-nodes: the most nodes, 33 parts each, over the most inputs, every node and input a fork;
- deep-nodes: the longest formulas, 10 nodes of 199 parts of terms three calls deep, 21
  operands each;
- sigmoid-layer: one expression, six neurons sigmoid(w·x₁ + v·x₂ + b) over the same two
  inputs, added up, split both ways (53 nodes as CS231n's gates, 35 with each sigmoid one
  node; x₁ and x₂ fork six ways).

Each has a descent step and its check (tests/graph_synthetic.py writes them).
Each figure is a fresh ``stepper solve`` subprocess, start-up and imports included, as a user
sees it, run interleaved with the baseline ``import sympy, numpy`` (benchmarks/bench_solve.py's
``run``, wall, CPU and peak RSS, and its ``environment``: bytecode and formula caches in a
temporary folder, filled by one untimed run). A format that fails is reported with its first
line of error, and the rest go on. Last, in this process, ``solve`` alone for each worst case
(no start-up; the first solve, so sympy's derivatives included), in CPU seconds, with its step
count and the peak of Python's allocations (a second solve, traced).

    python benchmarks/bench_graph.py [--repeat N] [--formats json,md,tex,html,pdf]
"""

from __future__ import annotations

import argparse
import importlib
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(1, str(Path(__file__).parent.parent))
import bench_solve  # benchmarks/ is not a package: its environment()

from tests.graph_synthetic import LARGEST  # the lessons, which the number tests check too

TARGET_SECONDS = 2.0
BUILTIN = ("graph-1", "graph-2", "graph-3", "graph-4")
FORMATS = ("json", "md", "tex", "html", "pdf")
#: A command that takes longer is stopped and reported as such.
TIMEOUT = 600.0


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, float, float] | str:
    """Wall seconds, CPU seconds and peak RSS (MiB) of one run of ``cmd`` (as bench_solve's
    run: os.wait4 gives this child's own figures), or the last line of the error of a command
    that fails, or a note that it was stopped after TIMEOUT."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    assert proc.stderr is not None
    stopped = threading.Event()

    def stop() -> None:
        stopped.set()
        proc.kill()

    timer = threading.Timer(TIMEOUT, stop)
    timer.start()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    timer.cancel()
    wall = time.perf_counter() - start
    proc.stderr.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if stopped.is_set():
        return f"stopped after {TIMEOUT:.0f} s"
    if proc.returncode != 0:
        lines = [line for line in err.decode(errors="replace").splitlines() if line.strip()]
        return "failed: " + (lines[-1] if lines else f"exit {proc.returncode}")[:90]
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each command (3)")
    parser.add_argument("--formats", default=",".join(FORMATS), help="formats to print")
    args = parser.parse_args()
    formats = [f for f in args.formats.split(",") if f]
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = bench_solve.environment(folder)
        for name, write in LARGEST.items():
            (folder / f"{name}.yaml").write_text(write(), encoding="utf-8")
        commands: dict[str, list[str]] = {
            "import sympy, numpy (baseline)": [py, "-c", "import sympy, numpy"],
        }
        lessons = [(b, b) for b in BUILTIN] + [(n, str(folder / f"{n}.yaml")) for n in LARGEST]
        for name, lesson in lessons:
            for fmt in formats:
                out = [] if fmt == "json" else ["-o", str(folder / f"out.{fmt}")]
                commands[f"{name}: {fmt}"] = [
                    *[py, "-m", "stepper", "solve", lesson, "--format", fmt, *out]
                ]
        failed: dict[str, str] = {}
        for name, cmd in commands.items():  # fill the bytecode and formula caches, untimed
            result = run(cmd, env)
            if isinstance(result, str):
                failed[name] = result
        walls: dict[str, list[float]] = {name: [] for name in commands if name not in failed}
        cpus: dict[str, list[float]] = {name: [] for name in walls}
        peaks: dict[str, float] = dict.fromkeys(walls, 0.0)
        for _ in range(args.repeat):
            for name, times in walls.items():
                result = run(commands[name], env)
                if isinstance(result, str):
                    failed[name] = result
                    continue
                times.append(result[0])
                cpus[name].append(result[1])
                peaks[name] = max(peaks[name], result[2])
        importlib.import_module("sympy")  # before the clock: the figures are the derivatives
        alone = {
            name: bench_solve.in_process(Path(lesson), Path(lesson).stem, warm=False)
            for name, lesson in lessons
            if lesson.endswith(".yaml") and f"{name}: json" not in failed
        }
    report(commands, walls, cpus, peaks, failed)
    for name, (seconds, count, allocated) in alone.items():
        print(
            f"solve() alone, first in its process, {name}: {seconds:.3f} CPU s for {count} steps, "
            f"{allocated:.1f} MiB allocated at the peak"
        )
    print(f"({args.repeat} interleaved runs each; MiB = the process's peak RSS)")


def report(
    commands: dict[str, list[str]],
    walls: dict[str, list[float]],
    cpus: dict[str, list[float]],
    peaks: dict[str, float],
    failed: dict[str, str],
) -> None:
    """One line per command: median and least wall time, median CPU time, peak memory, and,
    for a built-in lesson to JSON, the target it meets or misses (on the median wall time)."""
    print(f"{'what':<34} {'wall s':>7} {'min s':>7} {'cpu s':>7} {'MiB':>5}  target")
    for name in commands:
        if name in failed or not walls.get(name):
            print(f"{name:<34} {failed.get(name, 'no run')}")
            continue
        wall = statistics.median(walls[name])
        goal = ""
        if name.split(":")[0] in BUILTIN and name.endswith(": json"):
            goal = f"< {TARGET_SECONDS:.0f} s {'ok' if wall < TARGET_SECONDS else 'MISSED'}"
        print(
            f"{name:<34} {wall:>7.3f} {min(walls[name]):>7.3f} "
            f"{statistics.median(cpus[name]):>7.3f} {peaks[name]:>5.0f}  {goal}"
        )


if __name__ == "__main__":
    main()
