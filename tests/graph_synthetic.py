"""Random graph lessons for the number tests, as YAML text a user could write.

Each strategy draws the inputs' values first and builds the formulas bottom-up, knowing every
subexpression's value as it goes, so it only picks an operation where it is defined and smooth
at the point, with a margin: a log or sqrt of at least 0.5, a divisor or a base of a negative
or fractional power at least 0.5 away from 0, a relu argument or the two sides of a max at
least 0.05 from the kink (the finite differences move a value by 2e-5 of its size), an exp of
at most 4 and every value within ±50 (no overflow, and derivatives a float64 difference can
measure). Leaves are input names;
numbers (and operations on numbers alone, ``exp(1)``, ``(2 + 1)``) appear only next to a
formula that reads a name (``a*2``, ``3 - b``, ``b*-1.5``), never alone under a function.

Last, the largest graphs the limits allow (``LARGEST``), which benchmarks/bench_graph.py times
and the number tests check like any other.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable
from dataclasses import dataclass, field

from hypothesis import assume
from hypothesis import strategies as st

from stepper.lesson.formula import MAX_CALL_DEPTH, MAX_POWER_DEPTH
from stepper.lesson.graph_checks import MAX_NODES, MAX_PARTS
from stepper.lesson.yamlsafe import parse
from tests import graph_reference as ref

INPUT_NAMES = ("a", "b", "c", "x", "y", "z", "w0", "w1", "x1", "x2", "u3")
NODE_NAMES = ("p", "q", "r", "s", "t", "g", "h", "k", "m", "v")
BOUND = 50.0
DOMAIN = 0.5
KINK = 0.05
EXP_LIMIT = 4.0
#: Numbers as a formula may write them, with their values: an operation on numbers alone
#: (``exp(1)``, ``2 + 1``, ``-(2)``) is a number too, not a node.
CONSTANTS = {
    "2": 2.0,
    "0.5": 0.5,
    "3": 3.0,
    "-1.5": -1.5,
    "1": 1.0,
    "exp(1)": math.e,
    "(2 + 1)": 3.0,
    "-(2)": -2.0,
}
EXPONENTS = ("2", "3", "-1", "0.5", "-2")
FUNCTIONS = ("exp", "log", "sqrt", "tanh", "sin", "cos", "sigmoid", "relu")
KINDS = ("binary", "function", "binary", "function", "constant", "negate")


def _sigmoid(a: float) -> float:
    return 1.0 / (1.0 + math.exp(-a))


#: Each function's value, and whether it is defined and smooth enough at a point.
_FUNCTION: dict[str, tuple[Callable[[float], float], Callable[[float], bool]]] = {
    "exp": (math.exp, lambda v: v <= EXP_LIMIT),
    "log": (math.log, lambda v: v >= DOMAIN),
    "sqrt": (math.sqrt, lambda v: v >= DOMAIN),
    "tanh": (math.tanh, lambda v: True),
    "sin": (math.sin, lambda v: True),
    "cos": (math.cos, lambda v: True),
    "sigmoid": (_sigmoid, lambda v: True),
    "relu": (lambda v: max(0.0, v), lambda v: abs(v) >= KINK),
}


def _binary(op: str, a: float, b: float) -> float | None:
    """a op b, or None where the strategy does not go (near a pole or out of bounds)."""
    if op == "+":
        value = a + b
    elif op == "-":
        value = a - b
    elif op == "*":
        value = a * b
    elif op == "/":
        if abs(b) < DOMAIN:
            return None
        value = a / b
    elif op == "**":
        if (b != int(b) and a < DOMAIN) or (b < 0 and abs(a) < DOMAIN):
            return None
        value = a**b
    elif op == "max":
        if abs(a - b) < KINK:
            return None
        value = max(a, b)
    else:
        raise ValueError(op)
    return value if abs(value) <= BOUND else None


@dataclass(frozen=True)
class Part:
    """A formula as text, its value at the inputs, and how deep it nests what the whitelist
    limits: calls inside calls, and powers of powers (counted along bases, and from 0 again
    inside a call, as ``stepper.lesson.formula`` counts them)."""

    text: str
    value: float
    calls: int = 0
    powers: int = 0

    def wrapped(self, text: str, value: float, *, call: bool = False, power: bool = False) -> Part:
        if call:
            return Part(text, value, self.calls + 1, 0)
        return Part(text, value, self.calls, self.powers + power)


def _joined(text: str, value: float, *parts: Part) -> Part:
    return Part(text, value, max(p.calls for p in parts), max(p.powers for p in parts))


@dataclass
class Builder:
    """Builds formulas over ``values`` (the names it may read), remembering which it read."""

    draw: st.DrawFn
    values: dict[str, float]
    used: set[str] = field(default_factory=set)

    def leaf(self, prefer: list[str]) -> Part:
        """A name: one of ``prefer`` not read yet, or (half the time, and so a fork) any."""
        fresh = [n for n in prefer if n not in self.used]
        if not fresh or self.draw(st.booleans()):
            fresh = list(self.values)
        name = self.draw(st.sampled_from(fresh))
        self.used.add(name)
        return Part(name, self.values[name])

    def tree(self, depth: int, prefer: list[str], *, root: bool = False) -> Part:
        """A formula of at most ``depth`` operations deep (the root one at least)."""
        if depth == 0 or (not root and self.draw(st.integers(0, 2)) == 0):
            return self.leaf(prefer)
        kind = self.draw(st.sampled_from(KINDS))
        if kind == "negate":
            inner = self.tree(depth - 1, prefer)
            return inner.wrapped(f"-({inner.text})", -inner.value)
        if kind == "function":
            inner = self.tree(depth - 1, prefer)
            fits = [f for f in FUNCTIONS if _FUNCTION[f][1](inner.value)]
            name = self.draw(st.sampled_from(fits))
            result = _FUNCTION[name][0](inner.value)
            if abs(result) > BOUND or inner.calls >= MAX_CALL_DEPTH:
                return inner
            return inner.wrapped(f"{name}({inner.text})", result, call=True)
        if kind == "constant":
            return self.with_constant(self.tree(depth - 1, prefer))
        left, right = self.tree(depth - 1, prefer), self.tree(depth - 1, prefer)
        ops = [
            o
            for o in ("+", "-", "*", "/", "max")
            if _binary(o, left.value, right.value) is not None
        ]
        if max(left.calls, right.calls) >= MAX_CALL_DEPTH and "max" in ops:
            ops.remove("max")
        if not ops:
            return left
        op = self.draw(st.sampled_from(ops))
        combined = _binary(op, left.value, right.value)
        assert combined is not None
        if op == "max":
            two = _joined("", combined, left, right)
            return two.wrapped(f"max({left.text}, {right.text})", combined, call=True)
        return _joined(f"({left.text}) {op} ({right.text})", combined, left, right)

    def with_constant(self, part: Part) -> Part:
        """The formula next to a number: times, plus, minus, over, under, or to a power."""
        text, value = part.text, part.value
        choices: list[Part] = []
        for c, k in CONSTANTS.items():
            number = Part(c, k, calls=int(c.startswith("exp")))
            for form, a, op, b in (
                (f"({text})*{c}", value, "*", k),
                (f"({text}) + {c}", value, "+", k),
                (f"{c} - ({text})", k, "-", value),
                (f"({text})/{c}", value, "/", k),
                (f"{c}/({text})", k, "/", value),
            ):
                result = _binary(op, a, b)
                if result is not None:
                    choices.append(_joined(form, result, part, number))
        if part.powers < MAX_POWER_DEPTH:
            for e in EXPONENTS:
                result = _binary("**", value, float(e))
                if result is not None:
                    choices.append(part.wrapped(f"({text})**{e}", result, power=True))
        return choices[self.draw(st.integers(0, len(choices) - 1))]

    def close(self, part: Part, names: list[str]) -> Part:
        """The formula with each of ``names`` it does not read yet added or multiplied in."""
        for name in names:
            if name in self.used:
                continue
            self.used.add(name)
            v = self.values[name]
            op = self.draw(st.sampled_from(("+", "*", "-")))
            moved = _binary(op, part.value, v)
            if moved is None:
                op, moved = "+", part.value + v
            part = _joined(f"({part.text}) {op} {name}", moved, part)
        return part


def _inputs(draw: st.DrawFn) -> dict[str, float]:
    names = draw(st.permutations(INPUT_NAMES))[: draw(st.integers(2, 5))]
    return {name: draw(st.integers(-25, 25)) / 10 for name in names}


def _number(value: float) -> str:
    return repr(value)


def _tail(draw: st.DrawFn, inputs: dict[str, float]) -> list[str]:
    """The lesson's inputs, display (a quarter of them rounded on paper) and maybe a descent
    step, as YAML lines."""
    lines = ["inputs: {" + ", ".join(f"{k}: {_number(v)}" for k, v in inputs.items()) + "}"]
    decimals = draw(st.sampled_from((4, 2, 5, 6)))
    paper = draw(st.sampled_from(("", "", "", ", round_intermediate: true")))
    lines.append(f"display: {{decimals: {decimals}{paper}}}")
    rate = draw(st.sampled_from((None, 0.1, 0.01, 0.5)))
    if rate is not None:
        lines.append(f"learning_rate: {rate}")
        if draw(st.booleans()):
            names = list(inputs)
            chosen = draw(st.lists(st.sampled_from(names), min_size=1, unique=True))
            lines.append(f"trainable: [{', '.join(chosen)}]")
    return lines


@st.composite
def expression_lessons(draw: st.DrawFn) -> str:
    """A lesson with one ``expression`` over 2–5 inputs, split one way, or both when it has a
    sigmoid."""
    inputs = _inputs(draw)
    builder = Builder(draw, dict(inputs))
    names = list(inputs)
    part = builder.tree(draw(st.integers(1, 4)), names, root=True)
    if part.text in inputs:  # an expression needs one operation
        other = next(n for n in names if n != part.text)
        builder.used.add(other)
        part = Part(f"({part.text}) * {other}", part.value * inputs[other])
    text = builder.close(part, names).text
    splits = ["operations", "functions"]
    if "sigmoid" in text:  # both alike otherwise, which the checks refuse
        splits.append("[operations, functions]")
    split = draw(st.sampled_from(splits))
    lines = ["kind: graph", f"expression: '{text}'", f"split: {split}"]
    if draw(st.booleans()):
        lines.append(f"output: {draw(st.sampled_from(('f', 'L', 'y2')))}")
    return _checked("\n".join(lines + _tail(draw, inputs)) + "\n")


@st.composite
def node_lessons(draw: st.DrawFn) -> str:
    """A lesson with 1–6 named ``nodes``, each reading inputs and earlier nodes (the ones not
    read yet first, so that names fork and every one is used), the last reading whatever is
    left."""
    inputs = _inputs(draw)
    count = draw(st.integers(1, 6))
    names = [n for n in NODE_NAMES if n not in inputs][:count]
    builder = Builder(draw, dict(inputs))
    formulas: dict[str, str] = {}
    for k, name in enumerate(names):
        readable = list(builder.values)
        part = builder.tree(draw(st.integers(1, 2)), readable, root=True)
        if part.text in builder.values:  # a node is an operation
            part = builder.with_constant(part)
        if k == len(names) - 1:
            part = builder.close(part, readable)
        formulas[name] = part.text
        builder.values[name] = part.value
    lines = ["kind: graph", "nodes:", *(f"  {k}: '{v}'" for k, v in formulas.items())]
    if draw(st.booleans()):
        lines.append(f"output: {names[-1]}")
    return _checked("\n".join(lines + _tail(draw, inputs)) + "\n")


def _checked(text: str) -> str:
    """``text``, if its descent step lands where every formula is still well inside its domain
    (the check phase computes there); hypothesis draws again otherwise. The step is the
    reference's, with finite differences."""
    data = parse("lesson", text)[0]
    for graph in ref.graphs(data):
        if graph.learning_rate is not None:
            grads, _ = ref.finite_differences(graph)
            assume(well_inside(graph, ref.new_inputs(graph, grads)))
    return text


def well_inside(graph: ref.Graph, inputs: dict[str, float]) -> bool:
    """Whether, at ``inputs``, every log and sqrt in the graph's formulas reads at least
    DOMAIN, every divisor and base of a negative or fractional power is that far from 0, no
    exp overflows and every node is within BOUND (the margins the strategies keep at the
    start)."""
    values = dict(inputs)
    try:
        for node in graph.nodes:
            for part in ast.walk(node.tree):
                if not _inside(part, values):
                    return False
            values[node.name] = ref.evaluate(node.tree, values, ref.MATH)
            if abs(values[node.name]) > BOUND:
                return False
    except (ValueError, ZeroDivisionError, OverflowError):
        return False
    return True


def _inside(part: ast.AST, values: dict[str, float]) -> bool:
    def at(tree: ast.expr) -> float:
        return float(ref.evaluate(tree, values, ref.MATH))

    if isinstance(part, ast.Call) and isinstance(part.func, ast.Name):
        name, argument = part.func.id, part.args[0]
        if name in ("log", "sqrt"):
            return at(argument) >= DOMAIN
        if name == "exp":
            return at(argument) <= 2 * EXP_LIMIT
    if isinstance(part, ast.BinOp) and isinstance(part.op, ast.Div):
        return abs(at(part.right)) >= DOMAIN
    if isinstance(part, ast.BinOp) and isinstance(part.op, ast.Pow):
        exponent = at(part.right)
        return (exponent >= 0 and exponent == int(exponent)) or abs(at(part.left)) >= DOMAIN
    return True


# --- The largest graphs the limits allow (benchmarks/bench_graph.py times them) --------------


def _numbered_inputs(count: int) -> tuple[list[str], str]:
    """``count`` input names x1, x2, … and their values as a YAML flow mapping."""
    names = [f"x{k}" for k in range(1, count + 1)]
    values = ", ".join(f"{x}: {((k * 37) % 19 - 9) / 10}" for k, x in enumerate(names))
    return names, f"{{{values}}}"


def many_nodes(nodes: int = MAX_NODES, inputs: int = 20) -> str:
    """The most nodes (60) of 33 parts each, tanh(xᵢ·hₖ₋₁) + xⱼ·hₖ₋₂ + six more products
    xₗ·hₖ₋ₘ (1,980 of the 2,000 parts a lesson may hold), over the most inputs (20): each node
    forks into several later ones, each input into many, and every step has its descent step
    and check."""
    names, values = _numbered_inputs(inputs)
    more = (MAX_PARTS // nodes - 9) // 4  # each product xₗ·hₖ₋ₘ with its + is 4 parts
    lines = ["id: many-nodes", "kind: graph", "title: 60 nodes", "nodes:"]
    for k in range(1, nodes + 1):
        a, b = names[k % inputs], names[(3 * k + 1) % inputs]
        first = f"h{k - 1}" if k > 1 else names[(k + 5) % inputs]
        second = f"h{k - 2}" if k > 2 else names[(k + 9) % inputs]
        terms = [
            f"{names[(5 * k + j) % inputs]}*{f'h{k - 3 - j}' if k > 3 + j else names[j]}"
            for j in range(more)
        ]
        lines.append(
            f"  h{k}: tanh({a}*{first}) + {b}*{second}" + "".join(f" + {t}" for t in terms)
        )
    lines += [f"inputs: {values}", "learning_rate: 0.01"]
    return "\n".join(lines) + "\n"


def deep_nodes(inputs: int = 20, terms: int = 20) -> str:
    """As many nodes at the formula limit as a lesson may hold (199 parts each: 10 nodes, 1,990
    of the 2,000 parts): 20 terms tanh(sin(cos(xᵢ·m))), three calls deep (the most), m an
    input or an earlier node, so each node has up to 21 operands and sympy derives the longest
    formulas allowed."""
    names, values = _numbered_inputs(inputs)
    nodes = MAX_PARTS // (10 * terms - 1)
    lines = ["id: deep-nodes", "kind: graph", f"title: {nodes} nodes of 20 deep terms", "nodes:"]
    for k in range(1, nodes + 1):
        formula = []
        for j in range(terms):
            x = names[(k + j) % inputs]
            other = f"h{k - 1}" if k > 1 and j % 2 else names[(k + j + 7) % inputs]
            formula.append(f"tanh(sin(cos({x}*{other})))")
        lines.append(f"  h{k}: {' + '.join(formula)}")
    lines += [f"inputs: {values}", "learning_rate: 0.1"]
    return "\n".join(lines) + "\n"


def sigmoid_layer(neurons: int = 6) -> str:
    """A layer of ``neurons`` sigmoid neurons over two inputs, summed, as one expression split
    both ways: x1 and x2 feed every neuron, each has its own w, v and b (20 inputs)."""
    terms = [f"sigmoid(w{k}*x1 + v{k}*x2 + b{k})" for k in range(1, neurons + 1)]
    values = ["x1: 0.5", "x2: -1.5"] + [
        f"{name}{k}: {((k * 7 + ord(name)) % 11 - 5) / 5}"
        for k in range(1, neurons + 1)
        for name in "wvb"
    ]
    lines = [
        "id: sigmoid-layer",
        "kind: graph",
        "title: a layer of sigmoids, summed",
        f"expression: '{' + '.join(terms)}'",
        "split: [operations, functions]",
        f"inputs: {{{', '.join(values)}}}",
        "learning_rate: 0.5",
    ]
    return "\n".join(lines) + "\n"


#: Each largest lesson's id and its writer.
LARGEST: dict[str, Callable[[], str]] = {
    "many-nodes": many_nodes,
    "deep-nodes": deep_nodes,
    "sigmoid-layer": sigmoid_layer,
}
