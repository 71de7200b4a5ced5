"""Issue 16's figures for the Python API: what ``import stepper`` costs, and what a program
pays for loading, solving and looking up one step, against the command line's figures.

The targets: ``import stepper`` no dearer than Python's own start (it imports nothing but its
``__init__``), ``stepper.load`` without sympy, and ``Solution.step(key)`` on a big lesson at
the price of one step's formulas, not every step's.

- import: a fresh ``python -c 'import stepper'`` against ``python -c 'pass'``, median wall of
  several runs, and the modules it leaves imported (none of sympy, numpy, textual);
- load / solve / json: in this process, the first call (imports included) and the next;
- step: ``regression-1`` (163 steps): one ``step(key)`` on a fresh solution, against building
  every step record (``steps``), which ``to_json`` and a loop over the steps need.

    python benchmarks/bench_api.py [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import bench_solve  # benchmarks/ is not a package: its environment()


def _wall(code: str, env: dict[str, str], repeat: int) -> float:
    """Median wall seconds of a fresh interpreter running ``code``."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, env=env)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _timed(call):  # type: ignore[no-untyped-def]
    start = time.process_time()
    value = call()
    return value, time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        env = bench_solve.environment(Path(folder))
        subprocess.run([sys.executable, "-c", "import stepper"], check=True, env=env)
        base = _wall("pass", env, args.repeat)
        plain = _wall("import stepper", env, args.repeat)
        probe = (
            "import sys, stepper; stepper.load('backprop-1'); "
            "print(','.join(m for m in ('sympy', 'numpy', 'textual') if m in sys.modules))"
        )
        heavy = subprocess.run(
            [sys.executable, "-c", probe], check=True, env=env, capture_output=True, text=True
        ).stdout.strip()
    print(f"python -c pass            {base * 1000:7.1f} ms wall (median of {args.repeat})")
    print(f"python -c 'import stepper' {plain * 1000:6.1f} ms wall (+{(plain - base) * 1000:.1f})")
    print(f"after stepper.load: heavy modules imported: {heavy or 'none'}")

    import stepper

    for name in ("backprop-1", "cnn-1"):
        _, first = _timed(lambda n=name: stepper.load(n))
        lesson, again = _timed(lambda n=name: stepper.load(n))
        solution, solved = _timed(lambda given=lesson: stepper.solve(given))
        _, json_cpu = _timed(solution.to_json)
        print(
            f"{name:<12} load {first * 1000:6.1f} ms first, {again * 1000:5.1f} ms next; "
            f"solve {solved * 1000:7.1f} ms; to_json {json_cpu * 1000:6.1f} ms "
            f"({len(solution)} steps) CPU"
        )
    fresh = stepper.solve("regression-1")
    _, one = _timed(lambda: fresh.step("loss", iteration=1, sample=1))
    _, every = _timed(lambda: stepper.solve("regression-1").steps)
    print(
        f"regression-1 step(key) {one * 1000:.1f} ms CPU; every step record "
        f"{every * 1000:.1f} ms CPU (solve included) for {len(fresh)} steps"
    )


if __name__ == "__main__":
    main()
