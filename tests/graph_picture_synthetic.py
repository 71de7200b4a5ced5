"""A synthetic graph Solution for the picture's tests, without the engine: docs/lessons.md's keys.

A graph is given as its nodes in order, each an operation over earlier names (``("e", "*",
("a", "b"))``); the values and gradients are a real forward and backward pass in float64
(``+``, ``*``, ``neg``, ``exp``, ``inc`` for 1 + ·, ``inv`` for 1/·), so that the widths are
those of real numbers. The steps follow the key design: ``val[n]`` forward, ``grad[OUT]`` = 1,
then node by node in reverse, operand by operand, ``local[n,m]`` and ``grad[m]`` (one
consumer) or ``contrib[n,m]`` with ``grad[m]`` after the last one (a fork); ``new[x]`` and
``check.val[n]`` with a learning rate; keys prefixed with the split when there are two graphs.
Templates and explanations are placeholders: the picture only writes keys, symbols and values.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

from stepper.notation import Sym, named
from stepper.steps import GraphNode, GraphRun, GraphShape, Phase, Quantity, Solution, Step

Node = tuple[str, str, tuple[str, ...]]

_OPS = {"+": "+", "*": "·", "neg": "−", "exp": "exp", "inc": "+1", "inv": "1/x", "sig": "σ"}

GRAPH_1: tuple[Node, ...] = (
    ("e", "*", ("a", "b")),
    ("d", "+", ("e", "c")),
    ("L", "*", ("d", "f")),
)
INPUTS_1 = {"a": 2.0, "b": -3.0, "c": 10.0, "f": -2.0}

#: CS231n's sigmoid neuron split into operations: 5 inputs, 8 nodes.
GRAPH_2: tuple[Node, ...] = (
    ("n1", "*", ("w0", "x0")),
    ("n2", "*", ("w1", "x1")),
    ("n3", "+", ("n1", "n2")),
    ("n4", "+", ("n3", "w2")),
    ("n5", "neg", ("n4",)),
    ("n6", "exp", ("n5",)),
    ("n7", "inc", ("n6",)),
    ("f", "inv", ("n7",)),
)
#: The same neuron with the sigmoid as one node.
GRAPH_2F: tuple[Node, ...] = (*GRAPH_2[:4], ("f", "sig", ("n4",)))
INPUTS_2 = {"w0": 2.0, "x0": -1.0, "w1": -3.0, "x1": -2.0, "w2": -3.0}

#: A value used twice: f = x·y + x.
GRAPH_3: tuple[Node, ...] = (("n1", "*", ("x", "y")), ("f", "+", ("n1", "x")))
INPUTS_3 = {"x": 3.0, "y": -4.0}

#: A sum of twenty products (a node with 20 operands, as the largest lessons have), then a
#: node reading it and one of its inputs.
WIDE_SUM: tuple[Node, ...] = (
    ("s", "+", tuple(f"x{k}" for k in range(20))),
    ("f", "*", ("s", "x3")),
)
INPUTS_WIDE = {f"x{k}": round(0.1 * k - 0.95, 2) for k in range(20)}


def _forward(op: str, xs: Sequence[float]) -> float:
    if op == "+":
        return sum(xs)
    if op == "*":
        return math.prod(xs)
    if op == "neg":
        return -xs[0]
    if op == "exp":
        return math.exp(xs[0])
    if op == "inc":
        return 1 + xs[0]
    if op == "sig":
        return 1 / (1 + math.exp(-xs[0]))
    return 1 / xs[0]


def _local(op: str, xs: Sequence[float], k: int, out: float) -> float:
    if op in {"+", "inc"}:
        return 1.0
    if op == "*":
        return math.prod(x for j, x in enumerate(xs) if j != k)
    if op == "neg":
        return -1.0
    if op == "exp":
        return out
    if op == "sig":
        return out * (1 - out)
    return -1 / xs[0] ** 2


def _shown(value: float) -> str:
    return f"{round(value, 5):.5f}".rstrip("0").rstrip(".") or "0"


class _Builder:
    def __init__(self) -> None:
        self.steps: list[Step] = []

    def add(
        self, key: str, phase: Phase, sym: Sym, value: float, reads: Sequence[Quantity]
    ) -> Quantity:
        n = len(self.steps) + 1
        shown = _shown(value)
        step = Step(n, key, phase, 1, None, "sum", (), sym, tuple(reads), value, shown, "why")
        self.steps.append(step)
        return Quantity(sym, key, value, shown, n)


def _grad_sym(out: str, name: str) -> Sym:
    return Sym(f"∂{out}/∂{name}")


def _run(
    b: _Builder,
    nodes: Sequence[Node],
    inputs: dict[str, float],
    prefix: str,
    *,
    split: str,
    rate: float | None,
) -> GraphRun:
    values = dict(inputs)
    given = {x: Quantity(named(x), x, v, _shown(v)) for x, v in inputs.items()}
    q: dict[str, Quantity] = dict(given)
    for name, op, operands in nodes:
        values[name] = _forward(op, [values[m] for m in operands])
        q[name] = b.add(
            f"{prefix}val[{name}]",
            Phase.FORWARD,
            named(name),
            values[name],
            [q[m] for m in operands],
        )
    out = nodes[-1][0]
    consumers: dict[str, list[str]] = {}
    for name, _, operands in nodes:
        for m in operands:
            consumers.setdefault(m, []).append(name)
    grads = {out: 1.0}
    gq = {out: b.add(f"{prefix}grad[{out}]", Phase.BACKWARD, _grad_sym(out, out), 1.0, [])}
    parts: dict[str, list[Quantity]] = {}
    for name, op, operands in reversed(nodes):
        xs = [values[m] for m in operands]
        for k, m in enumerate(operands):
            local = _local(op, xs, k, values[name])
            lq = b.add(
                f"{prefix}local[{name},{m}]", Phase.BACKWARD, Sym(f"∂{name}/∂{m}"), local, [q[m]]
            )
            part = grads[name] * local
            if len(consumers[m]) == 1:
                grads[m] = part
                gq[m] = b.add(
                    f"{prefix}grad[{m}]", Phase.BACKWARD, _grad_sym(out, m), part, [gq[name], lq]
                )
                continue
            cq = b.add(
                f"{prefix}contrib[{name},{m}]", Phase.BACKWARD, Sym("c"), part, [gq[name], lq]
            )
            parts.setdefault(m, []).append(cq)
            if len(parts[m]) == len(consumers[m]):
                grads[m] = sum(p.value for p in parts[m])
                gq[m] = b.add(
                    f"{prefix}grad[{m}]", Phase.BACKWARD, _grad_sym(out, m), grads[m], parts[m]
                )
    if rate is not None:
        new = dict(values)
        for x, value in inputs.items():
            new[x] = value - rate * grads[x]
            b.add(f"{prefix}new[{x}]", Phase.UPDATE, named(x), new[x], [given[x], gq[x]])
        for name, op, operands in nodes:
            new[name] = _forward(op, [new[m] for m in operands])
            b.add(f"{prefix}check.val[{name}]", Phase.CHECK, named(name), new[name], [])
    graph = [GraphNode(x, named(x), value=v, trainable=True) for x, v in inputs.items()]
    for name, op, operands in nodes:
        formula = f" {_OPS[op]} ".join(named(m).unicode() for m in operands)
        graph.append(GraphNode(name, named(name), operands, formula, _OPS[op], values[name]))
    return GraphRun(split, prefix, tuple(graph), out)


def synthetic(
    nodes: Sequence[Node] = GRAPH_1,
    inputs: dict[str, float] | None = None,
    *,
    rate: float | None = 0.01,
    functions: Sequence[Node] | None = None,
) -> Solution:
    """A graph lesson worked as the engine would: one run, or with ``functions`` (the same
    expression split by functions) two, ``nodes`` being its split by operations."""
    b = _Builder()
    runs = []
    splits = [("operations", nodes)] + ([("functions", functions)] if functions else [])
    for split, graph in splits:
        prefix = f"{split}." if len(splits) > 1 else ""
        runs.append(_run(b, graph, inputs or dict(INPUTS_1), prefix, split=split, rate=rate))
    shape = GraphShape(tuple(runs), rate)
    return Solution("graph", "Graph", None, "graph", "en", 5, False, tuple(b.steps), graph=shape)


def random_graph(
    size: int, inputs: int = 20, seed: int = 0
) -> tuple[tuple[Node, ...], dict[str, float]]:
    """``size`` nodes of sums and products over ``inputs`` inputs and earlier nodes, each
    input used at least once and each node reading the one before it (so that every node
    reaches the output, and the graph is as deep as it is long: the widest picture)."""
    rng = random.Random(seed)
    names = [f"x{k}" for k in range(inputs)]
    values = {x: round(rng.uniform(-1, 1), 2) for x in names}
    unused = list(names)
    nodes: list[Node] = []
    for k in range(size):
        name = f"n{k + 1}"
        pool = [n for n, _, _ in nodes[-4:]] + names
        first = unused.pop(0) if unused else rng.choice(pool)
        second = nodes[-1][0] if nodes else rng.choice(pool)
        operands = (first, second) if first != second else (first,)
        nodes.append((name, "+" if k % 2 else "*", operands))
    return tuple(nodes), values
