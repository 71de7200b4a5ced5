"""Where a graph lesson's size limit sits (stepper.lesson.graph_checks.MAX_PARTS, MAX_NODES).

sympy derives every node's local derivative for each of its operands, and writes each as a
template; the work grows with the parts of the formulas (numbers, names, operations) and with
the operands each node reads. This prints, for graphs at the limit and past it, the parts, the
nodes, the steps, the time ``stepper check`` takes (no sympy: it must be immediate), and the
time to solve the lesson in this process (the parts limit lifted for the sizes past it) and to
write its JSON in a fresh subprocess:

- ``chain``: 60 nodes, each a function of the one before and two inputs, nested 3 deep;
- ``wide``: nodes of many parts, each a sum of products of many of the 20 inputs and the node
  before under functions nested 3 deep (the most operands per node the limits allow); 60
  nodes of 16 such terms are the largest graph a formula's own limits allow.

    python benchmarks/bench_graph_limit.py
"""

from __future__ import annotations

import ast
import subprocess
import sys
import tempfile
import time
from pathlib import Path

INPUTS = [f"x{k}" for k in range(20)]
FUNCTIONS = ("tanh", "sin", "sigmoid", "cos")


def _inputs() -> str:
    return "inputs: {" + ", ".join(f"{x}: 0.{k % 9 + 1}" for k, x in enumerate(INPUTS)) + "}\n"


def chain(nodes: int) -> str:
    """k_j = tanh(sin(sigmoid(k_{j-1}·x_a + x_b))): ten parts a node."""
    rows = []
    for j in range(nodes):
        before = INPUTS[0] if j == 0 else f"k{j - 1}"
        a, b = INPUTS[j % 20], INPUTS[(j + 7) % 20]
        rows.append(f"  k{j}: tanh(sin(sigmoid({before}*{a} + {b})))")
    return "kind: graph\nnodes:\n" + "\n".join(rows) + "\n" + _inputs() + "learning_rate: 0.001\n"


def wide(nodes: int, terms: int) -> str:
    """Each node a sum of ``terms`` products x_a·x_b·(the node before) under three functions."""
    rows = []
    for j in range(nodes):
        parts = []
        for t in range(terms):
            a, b = INPUTS[(3 * t + j) % 20], INPUTS[(5 * t + 2 * j + 1) % 20]
            f, g, h = (FUNCTIONS[(t + k) % len(FUNCTIONS)] for k in range(3))
            inner = f"{a}*{b}" + (f"*w{j - 1}" if j else "")
            parts.append(f"{f}({g}({h}({inner})))")
        rows.append(f"  w{j}: " + " + ".join(parts))
    return "kind: graph\nnodes:\n" + "\n".join(rows) + "\n" + _inputs() + "learning_rate: 0.001\n"


def parts_of(text: str) -> int:
    from ruamel.yaml import YAML

    from stepper.lesson.schema import GraphLesson

    lesson = GraphLesson.model_validate(YAML(typ="safe", pure=True).load(text))
    formulas = list((lesson.nodes or {}).values()) or [lesson.expression or ""]
    return sum(
        isinstance(n, ast.expr)
        for formula in formulas
        for n in ast.walk(ast.parse(formula, mode="eval"))
    )


def main() -> None:
    import stepper.lesson.graph_checks as checks
    from stepper.engine import solve
    from stepper.lesson.errors import LessonError
    from stepper.lesson.load import lesson_from_text

    print(f"limits: {checks.MAX_PARTS} parts in all, {checks.MAX_NODES} nodes")
    cases = {
        "chain 60": chain(60),
        "wide 3 x 16": wide(3, 16),
        "wide 10 x 16": wide(10, 16),
        "wide 11 x 16 (past)": wide(11, 16),
        "wide 20 x 16 (past)": wide(20, 16),
        "wide 60 x 16 (past)": wide(60, 16),
    }
    print(f"{'lesson':<22} {'parts':>6} {'steps':>6} {'check s':>8} {'solve s':>8} {'JSON s':>7}")
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in cases.items():
            parts = parts_of(text)
            start = time.perf_counter()
            try:
                lesson = lesson_from_text(text, "bench.yaml")
                refused = ""
            except LessonError as exc:
                refused = str(exc.problems[0]).split(": ", 1)[1][:60]
            checked = time.perf_counter() - start
            limit = checks.MAX_PARTS
            checks.MAX_PARTS = 10**6  # lifted, to time what the limit keeps out
            try:
                lesson = lesson_from_text(text, "bench.yaml")
            finally:
                checks.MAX_PARTS = limit
            start = time.perf_counter()
            steps = len(solve(lesson).steps)
            solved = time.perf_counter() - start
            json_s = float("nan")
            if not refused:
                path = Path(tmp) / "bench.yaml"
                path.write_text(text, encoding="utf-8")
                start = time.perf_counter()
                subprocess.run(
                    [sys.executable, "-m", "stepper", "solve", str(path), "-o", f"{path}.json"],
                    check=True,
                )
                json_s = time.perf_counter() - start
            print(
                f"{name:<22} {parts:>6} {steps:>6} {checked:>8.3f} {solved:>8.2f} {json_s:>7.2f}"
                + (f"  refused: {refused}" if refused else "")
            )


if __name__ == "__main__":
    main()
