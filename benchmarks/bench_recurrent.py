"""Issue 14's speed target: a 10-step LSTM with 8 hidden units solves to JSON in under 2 s.

The lesson: 4 inputs, 8 hidden units, 10 time steps, a linear output of one unit at every step
(so every h_t receives an error from its own output and from step t+1), sse, one update and
the check. Each figure is a fresh ``stepper solve`` subprocess, start-up and imports included,
as a user sees it, run interleaved with the baseline ``import sympy, numpy`` (the same way as
benchmarks/bench_solve.py, whose ``run`` measures wall, CPU and peak RSS, with its
``environment``: bytecode and formula caches in a temporary folder); the same lesson to
Markdown and HTML is shown too, with no target. Last, in this process, the solve alone (no
start-up), in CPU seconds, with its step count and the peak of Python's allocations
(tracemalloc, in a run of its own). On a busy machine the CPU seconds are the steadier figure.

    python benchmarks/bench_recurrent.py [--repeat N]
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import statistics
import sys
import tempfile
from pathlib import Path
from types import ModuleType

TARGET_SECONDS = 2.0


def lstm_lesson(path: Path, steps: int = 10, hidden: int = 8, inputs: int = 4) -> None:
    """The benchmark's lesson, written as an instructor would (numbers of two decimals)."""
    rng = random.Random(14)

    def row(size: int) -> str:
        return "[" + ", ".join(f"{rng.uniform(-0.5, 0.5):.2f}" for _ in range(size)) + "]"

    width = 1 + inputs + hidden
    lines = [
        "id: big-lstm",
        "kind: recurrent",
        f"title: LSTM {inputs}-{hidden}, {steps} steps",
        "cell: lstm",
        f"inputs: {inputs}",
        f"hidden: {hidden}",
        "display: {decimals: 4}",
        "sequence:",
        *(f"  - {row(inputs)}" for _ in range(steps)),
        "gates:",
        *(f"  {gate}: [{', '.join(row(width) for _ in range(hidden))}]" for gate in "figo"),
        "output:",
        "  activation: linear",
        f"  weights: [{row(1 + hidden)}]",
        "  every_step: true",
        "targets:",
        *(f"  - {row(1)}" for _ in range(steps)),
        "training: {learning_rate: 0.1, loss: sse}",
    ]
    path.write_text("\n".join(lines) + "\n")


def bench_solve() -> ModuleType:
    """benchmarks/bench_solve.py, for its ``run`` (one timed subprocess) and ``environment``."""
    spec = importlib.util.spec_from_file_location(
        "bench_solve", Path(__file__).with_name("bench_solve.py")
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs of each command (5)")
    args = parser.parse_args()
    bench = bench_solve()
    run = bench.run
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = bench.environment(folder)
        lesson = folder / "lstm.yaml"
        lstm_lesson(lesson)
        solve = [py, "-m", "stepper", "solve", str(lesson), "--format"]
        commands = {
            "import sympy, numpy (baseline)": [py, "-c", "import sympy, numpy"],
            "LSTM 10 steps, 8 units: JSON": [*solve, "json"],
            "the same to Markdown": [*solve, "md", "-o", str(folder / "lstm.md")],
            "the same to HTML": [*solve, "html", "-o", str(folder / "lstm.html")],
        }
        for cmd in commands.values():  # fill the bytecode and formula caches, untimed
            run(cmd, env)
        walls: dict[str, list[float]] = {name: [] for name in commands}
        cpus: dict[str, list[float]] = {name: [] for name in commands}
        peaks: dict[str, float] = dict.fromkeys(commands, 0.0)
        for _ in range(args.repeat):
            for name, cmd in commands.items():
                wall, cpu, peak = run(cmd, env)
                walls[name].append(wall)
                cpus[name].append(cpu)
                peaks[name] = max(peaks[name], peak)
        seconds, count, allocated = bench.in_process(lesson, "big-lstm")
    print(f"{'what':<31} {'wall s':>7} {'min s':>7} {'cpu s':>7} {'MiB':>5}  target")
    for name, times in walls.items():
        wall = statistics.median(times)
        goal = ""
        if name.endswith("JSON"):
            goal = f"< {TARGET_SECONDS:.0f} s {'ok' if wall < TARGET_SECONDS else 'MISSED'}"
        print(
            f"{name:<31} {wall:>7.3f} {min(times):>7.3f} {statistics.median(cpus[name]):>7.3f} "
            f"{peaks[name]:>5.0f}  {goal}"
        )
    print(
        f"solve() alone, in process: {seconds:.3f} CPU s for {count} steps, "
        f"{allocated:.1f} MiB allocated at the peak"
    )
    print(f"({args.repeat} interleaved runs each; MiB = the process's peak RSS)")


if __name__ == "__main__":
    main()
