"""Time ``stepper solve --format json`` on backprop-1, a generated 784-32-10 lesson and a
generated conv lesson (the lecture's 28×28 image, 32 kernels 3×3, same, ReLU, 2×2 max pool).

Each run is a fresh subprocess, so the figures include start-up and imports, as a user sees
them. Beside them, the bare import time of sympy and numpy in the same run, for scale.
Prints wall time (median of a few runs) and peak memory (max RSS of the child).

    python benchmarks/bench_solve.py
"""

from __future__ import annotations

import itertools
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
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


def run_alone(cmd: list[str], repeat: int) -> tuple[float, float]:
    """Like ``run``, but the peak memory is this command's own (os.wait4), not the largest of
    every child so far."""
    walls = []
    peak = 0.0
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        walls.append(time.perf_counter() - start)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed with status {proc.returncode}")
        peak = max(peak, usage.ru_maxrss / 1024)
    return statistics.median(walls), peak


def run(cmd: list[str], repeat: int) -> tuple[float, float]:
    """Median wall seconds and peak RSS (MiB) of ``cmd`` over ``repeat`` runs."""
    walls = []
    peak = 0.0
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
        walls.append(time.perf_counter() - start)
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr.decode()}")
        peak = max(peak, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
    return statistics.median(walls), peak


def main() -> None:
    py = sys.executable
    print(f"{'what':<44} {'wall (s)':>9} {'peak (MiB)':>11}")
    for label, code in (
        ("python -c pass", "pass"),
        ("import numpy", "import numpy"),
        ("import sympy", "import sympy"),
    ):
        wall, _ = run([py, "-c", code], 5)
        print(f"{label:<44} {wall:>9.3f} {'':>11}")
    wall, peak = run([py, "-m", "stepper", "solve", "backprop-1", "--format", "json"], 5)
    print(f"{'stepper solve backprop-1 --format json':<44} {wall:>9.3f} {peak:>11.0f}")
    with tempfile.TemporaryDirectory() as tmp:
        lesson = Path(tmp) / "big.yaml"
        big_lesson(lesson)
        cmd = [py, "-m", "stepper", "solve", str(lesson), "--format", "json"]
        out = subprocess.run(cmd, capture_output=True, check=True).stdout
        steps = out.count(b'"phase":')
        wall, peak = run(cmd, 3)
        print(f"{f'stepper solve 784-32-10 ({steps:,} steps)':<44} {wall:>9.3f} {peak:>11.0f}")

        lesson = Path(tmp) / "big-conv.yaml"
        conv_lesson(lesson)
        cmd = [py, "-m", "stepper", "solve", str(lesson), "--format", "json"]
        out = subprocess.run(cmd, capture_output=True, check=True).stdout
        keys = [
            line.split(b'"key": "', 1)[1].split(b"[", 1)[0]
            for line in out.splitlines()
            if b'"key": "' in line
        ]
        counts = {name: keys.count(name.encode()) for name in ("conv", "relu", "pool")}
        assert counts == {"conv": 25088, "relu": 25088, "pool": 6272}, counts
        wall, peak = run_alone(cmd, 3)
        label = f"stepper solve conv 28x28x32 ({len(keys):,} steps)"
        print(f"{label:<44} {wall:>9.3f} {peak:>11.0f}")


if __name__ == "__main__":
    main()
