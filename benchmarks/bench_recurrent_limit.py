"""Where a recurrent lesson's size limit sits (stepper.lesson.recurrent_limits.MAX_PRODUCTS).

A recurrent lesson's work grows with the products it writes out: gates × hidden × (1 + inputs +
hidden) × T, three times when it trains. This prints, for LSTMs of 100 steps with more and more
hidden units, the products, the steps, and the wall time and peak RSS of ``stepper solve`` to
JSON (a fresh subprocess each, as benchmarks/bench_solve.py runs them, with its environment)
and of ``stepper lesson``'s solve alone (in this process, the limit lifted for the sizes past
it); then the time ``stepper check`` takes to refuse the issue's huge lesson (100 steps, 64
units), which must be immediate.

    python benchmarks/bench_recurrent_limit.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

SIZES = (8, 12, 20)  # hidden units of a 100-step LSTM with one input


def lesson_text(steps: int, hidden: int, inputs: int = 1) -> str:
    """An LSTM whose numbers are all small (the work depends on the sizes only)."""
    row = "[" + ", ".join(["0.1"] * (1 + inputs + hidden)) + "]"
    matrix = "[" + ", ".join([row] * hidden) + "]"
    x = "[" + ", ".join(["0.5"] * inputs) + "]"
    return (
        f"kind: recurrent\ncell: lstm\ninputs: {inputs}\nhidden: {hidden}\n"
        f"sequence: [{', '.join([x] * steps)}]\ngates:\n"
        + "".join(f"  {gate}: {matrix}\n" for gate in "figo")
        + f"output: {{weights: [[{', '.join(['0.1'] * (1 + hidden))}]]}}\n"
        + "targets: [[1.0]]\ntraining: {learning_rate: 0.1}\n"
    )


def bench_solve() -> ModuleType:
    """benchmarks/bench_solve.py, for its ``run`` (one timed subprocess) and ``environment``."""
    sys.path.insert(0, str(Path(__file__).parent))
    import bench_solve

    return bench_solve


def main() -> None:
    import stepper.lesson.recurrent_limits as limits
    from stepper.engine import solve
    from stepper.lesson.load import lesson_from_text

    bench = bench_solve()
    py = sys.executable
    print(f"limit: {limits.MAX_PRODUCTS:,} products")
    print(
        f"{'lesson':<22} {'products':>9} {'steps':>7} {'solve s':>8} {'JSON wall s':>11} {'MiB':>5}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = bench.environment(folder)
        for hidden in SIZES:
            text = lesson_text(100, hidden)
            path = folder / f"lstm-{hidden}.yaml"
            path.write_text(text)
            allowed = limits.MAX_PRODUCTS
            limits.MAX_PRODUCTS = 10**12  # measure past the limit too
            lesson = lesson_from_text(text, path.name)
            limits.MAX_PRODUCTS = allowed
            start = time.perf_counter()
            steps = len(solve(lesson).steps)
            seconds = time.perf_counter() - start
            count = limits.products(lesson)
            wall = peak = float("nan")
            if count <= allowed:
                cmd = [py, "-m", "stepper", "solve", str(path), "-o", str(folder / "out.json")]
                bench.run(cmd, env)  # fill the bytecode and formula caches, untimed
                wall, _, peak = bench.run(cmd, env)
            name = f"LSTM 100 steps, {hidden} units"
            print(f"{name:<22} {count:>9,} {steps:>7,} {seconds:>8.2f} {wall:>11.2f} {peak:>5.0f}")
        huge = folder / "huge.yaml"
        huge.write_text(lesson_text(100, 64))
        start = time.perf_counter()
        done = subprocess.run(
            [py, "-m", "stepper", "check", str(huge)], env=env, capture_output=True, check=False
        )
        wall = time.perf_counter() - start
        told = done.stderr.decode().strip()
        print(f"stepper check refusing 100 steps × 64 units: {wall:.2f} s, exit {done.returncode}:")
        print(f"  {told}")
    print("(JSON wall: nan past the limit, where stepper refuses the lesson)")


if __name__ == "__main__":
    main()
