"""The speed targets of issue 10, measured in one run against ``import sympy, numpy``.

Each figure is a fresh subprocess, so it includes start-up and imports, as a user sees it.
The commands are run interleaved (one of each, then again) so that a machine busy with other
work slows them alike, and each is compared with the baseline's median from the same run:

- start-up: ``stepper solve backprop-1 --format json``, target ≤ 1.3× the baseline;
- scale: a 784-32-10 network with one sample (about 51,000 steps) solved to JSON, target
  ≤ 6× the baseline and under 500 MB;
- loading: ``stepper check`` of a lesson of 10^6 weights, target under 10 s;
- the 784-32-10 lesson printed to Markdown (each 785-term sum broken into lines), with no
  target: it once took minutes;
- and, for scale, a conv lesson (the lecture's 28×28 image, 32 kernels 3×3, same, ReLU, 2×2
  max pool).

Compiled bytecode is kept in a temporary ``PYTHONPYCACHEPREFIX`` (the way an installed
package runs, even where PYTHONDONTWRITEBYTECODE is set), and stepper's formula cache in a
temporary cache folder; one untimed run of each command fills both first. The cold start-up
(an empty formula cache every run) is shown too.

    python benchmarks/bench_solve.py [--repeat N]
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path


def big_lesson(path: Path, sizes: tuple[int, ...] = (784, 32, 10), seed: int = 1) -> None:
    """A dense lesson of the given layer sizes with one training sample (tanh, then linear)."""
    rng = random.Random(seed)
    lines = [
        "id: big",
        "title: 784-32-10",
        "display: {decimals: 4}",
        "network:",
        f"  inputs: {sizes[0]}",
        "  layers:",
    ]
    for k, (fan_in, n) in enumerate(itertools.pairwise(sizes)):
        act = "tanh" if k < len(sizes) - 2 else "linear"
        lines += [f"    - activation: {act}", "      weights:"]
        for _ in range(n):
            row = ", ".join(f"{rng.uniform(-0.1, 0.1):.4f}" for _ in range(fan_in + 1))
            lines.append(f"        - [{row}]")
    x = ", ".join(f"{rng.random():.3f}" for _ in range(sizes[0]))
    y = ", ".join("1" if i == 3 else "0" for i in range(sizes[-1]))
    lines += [
        "training:",
        "  learning_rate: 0.1",
        "  samples:",
        f"    - x: [{x}]",
        f"      y: [{y}]",
    ]
    path.write_text("\n".join(lines) + "\n")


def conv_lesson(path: Path, side: int = 28, kernels: int = 32, seed: int = 1) -> None:
    """The lecture's sizing example with numbers in it: a side×side image, ``kernels`` random
    3×3 kernels, same padding, ReLU and 2×2 max pooling (28, 32: 25,088 conv cells, 25,088
    ReLU cells, 6,272 pooled cells)."""
    rng = random.Random(seed)
    lines = [
        "id: big-conv",
        "kind: conv",
        f"title: {side}x{side}x1, {kernels} kernels 3x3, same, ReLU, max pool 2x2",
        "display: {decimals: 4}",
        "image:",
    ]
    for _ in range(side):
        lines.append("  - [" + ", ".join(f"{rng.random():.3f}" for _ in range(side)) + "]")
    lines.append("kernels:")
    for _ in range(kernels):
        rows = ", ".join(
            "[" + ", ".join(f"{rng.uniform(-1, 1):.3f}" for _ in range(3)) + "]" for _ in range(3)
        )
        lines += [f"  - weights: [{rows}]", f"    bias: {rng.uniform(-0.1, 0.1):.3f}"]
    lines += ["padding: same", "stride: 1", "activation: relu", "pool: {kind: max, size: 2}"]
    path.write_text("\n".join(lines) + "\n")


def million_lesson(path: Path, seed: int = 1) -> None:
    """A lesson of 10^6 weights: 999 inputs and one tanh layer of 1,000 neurons (1,000 weights
    each, the bias included), one row a line as an instructor writes them, and one sample
    without a target (passed forward only: 2,000 steps, within the limit of 10^6)."""
    rng = random.Random(seed)
    lines = ["id: million", "title: 999-1000", "network:", "  inputs: 999", "  layers:"]
    lines += ["    - activation: tanh", "      weights:"]
    for _ in range(1000):
        lines.append(
            "        - [" + ", ".join(f"{rng.uniform(-1, 1):.4f}" for _ in range(1000)) + "]"
        )
    x = ", ".join(f"{rng.random():.3f}" for _ in range(999))
    lines += ["training:", "  samples:", f"    - x: [{x}]"]
    path.write_text("\n".join(lines) + "\n")


#: The targets: (figure, largest ratio to the baseline or None, largest seconds or None, MiB).
TARGETS = {
    "start-up": (1.3, None, None),
    "784-32-10": (6.0, None, 500.0),
    "check 10^6 weights": (None, 10.0, None),
}


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system) and peak RSS (MiB) of one run of ``cmd``:
    os.wait4 gives this child's own figures, not those of every child so far."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{err.decode()}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def in_process(path: Path, lesson_id: str, *, warm: bool = True) -> tuple[float, int, float]:
    """CPU seconds of ``solve`` alone (imports and loading done, and with ``warm`` a first
    solve, which registers formulas and reads catalogues), its steps, and the peak MiB Python
    allocated while solving."""
    from stepper.engine import solve
    from stepper.lesson.load import load_lesson

    lesson = load_lesson(path, lesson_id)
    if warm:
        solve(lesson)
    start = time.process_time()
    solution = solve(lesson)
    seconds = time.process_time() - start
    tracemalloc.start()  # a run of its own: tracing slows the solve down several times
    solve(lesson)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return seconds, len(solution.steps), peak


def environment(folder: Path) -> dict[str, str]:
    """The subprocesses' environment: bytecode written under ``folder`` (as an installed
    package runs) and stepper's formula cache there too."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(folder / "pyc")
    env["STEPPER_CACHE_DIR"] = str(folder / "cache")
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs of each command (5)")
    args = parser.parse_args()
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = environment(folder)
        big_lesson(folder / "big.yaml")
        conv_lesson(folder / "big-conv.yaml")
        million_lesson(folder / "million.yaml")
        stepper = [py, "-m", "stepper"]
        commands = {
            "import sympy, numpy (baseline)": [py, "-c", "import sympy, numpy"],
            "python -c pass": [py, "-c", "pass"],
            "start-up": [*stepper, "solve", "backprop-1", "--format", "json"],
            "start-up, empty formula cache": [*stepper, "solve", "backprop-1", "--format", "json"],
            "784-32-10": [*stepper, "solve", str(folder / "big.yaml"), "--format", "json"],
            "784-32-10 to Markdown": [
                *[*stepper, "solve", str(folder / "big.yaml"), "--format", "md"],
                *["-o", str(folder / "big.md")],
            ],
            "conv 28x28x32": [*stepper, "solve", str(folder / "big-conv.yaml")],
            "check 10^6 weights": [*stepper, "check", str(folder / "million.yaml")],
        }
        cold = commands["start-up, empty formula cache"]
        for cmd in commands.values():  # fill the bytecode and formula caches, untimed
            run(cmd, env)
        cold_env = dict(env)
        walls: dict[str, list[float]] = {name: [] for name in commands}
        cpus: dict[str, list[float]] = {name: [] for name in commands}
        peaks: dict[str, float] = dict.fromkeys(commands, 0.0)
        for k in range(args.repeat):
            for name, cmd in commands.items():
                if cmd is cold:
                    cold_env["STEPPER_CACHE_DIR"] = str(folder / f"cold-{k}")
                wall, cpu, peak = run(cmd, cold_env if cmd is cold else env)
                walls[name].append(wall)
                cpus[name].append(cpu)
                peaks[name] = max(peaks[name], peak)
    report(walls, cpus, peaks, args.repeat)


def report(
    walls: dict[str, list[float]],
    cpus: dict[str, list[float]],
    peaks: dict[str, float],
    repeat: int,
) -> None:
    """The table: each command's median wall and CPU time, both as ratios to the baseline's
    medians, its peak memory, and the target it meets or misses (judged on wall time)."""
    base = statistics.median(walls["import sympy, numpy (baseline)"])
    base_cpu = statistics.median(cpus["import sympy, numpy (baseline)"])
    print(
        f"{'what':<31} {'wall s':>7} {'min s':>7} {'ratio':>6} {'cpu s':>7} {'ratio':>6} "
        f"{'MiB':>5}  target"
    )
    for name, times in walls.items():
        wall, cpu = statistics.median(times), statistics.median(cpus[name])
        ratio, seconds, mib = TARGETS.get(name, (None, None, None))
        goal = []
        if ratio is not None:
            goal.append(f"≤ {ratio}× {'ok' if wall / base <= ratio else 'MISSED'}")
        if seconds is not None:
            goal.append(f"< {seconds:.0f} s {'ok' if wall < seconds else 'MISSED'}")
        if mib is not None:
            goal.append(f"< {mib:.0f} MiB {'ok' if peaks[name] < mib else 'MISSED'}")
        print(
            f"{name:<31} {wall:>7.3f} {min(times):>7.3f} {wall / base:>6.2f} "
            f"{cpu:>7.3f} {cpu / base_cpu:>6.2f} {peaks[name]:>5.0f}  {', '.join(goal)}"
        )
    print(
        f"({repeat} interleaved runs each; ratio = median / the baseline's median, of wall "
        "time and of CPU time; CPU time is steadier on a busy machine)"
    )


if __name__ == "__main__":
    main()
