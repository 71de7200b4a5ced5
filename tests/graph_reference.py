"""A graph lesson computed here, independently of the engine, from the design in docs/lessons.md
("## kind: graph"): its own reading of the formulas (Python's ``ast``, evaluated by the little
interpreter below with ``math`` or with torch, never by eval), its own split of an
``expression`` into nodes, and two witnesses for every derivative: central finite differences
of the output (a node's gradient by moving the node's value and computing what lies downstream
again) and torch autograd in float64 (the module takes torch as an argument, so it imports
without it).

Every function returns numbers by the engine's step keys (``val[n1]``, ``grad[a]``,
``local[L,d]``, ``contrib[n2,x]``, ``new[a]``, ``check.val[L]``, each behind the graph's prefix
``operations.`` / ``functions.`` when a lesson works two granularities), so that a test compares
a solution's steps with them key by key, and ``keys`` gives the order the design prescribes.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

Numbers = dict[str, float]


def _sigmoid(a: float) -> float:
    return 1.0 / (1.0 + math.exp(-a)) if a >= 0 else math.exp(a) / (1.0 + math.exp(a))


#: The functions a graph's formula may call, with floats.
MATH: dict[str, Callable[..., Any]] = {
    **{name: getattr(math, name) for name in ("exp", "log", "sqrt", "tanh", "sin", "cos")},
    "sigmoid": _sigmoid,
    "relu": lambda a: max(0.0, a),
    "max": max,
}


def torch_calls(torch: Any) -> dict[str, Callable[..., Any]]:
    """The same functions on float64 tensors (a number, as in ``exp(1)``, made one first)."""

    def tensor(x: Any) -> Any:
        return x if isinstance(x, torch.Tensor) else torch.tensor(x, dtype=torch.float64)

    def lift(function: Callable[..., Any]) -> Callable[..., Any]:
        return lambda *args: function(*map(tensor, args))

    functions = {
        "exp": torch.exp,
        "log": torch.log,
        "sqrt": torch.sqrt,
        "tanh": torch.tanh,
        "sin": torch.sin,
        "cos": torch.cos,
        "sigmoid": torch.sigmoid,
        "relu": torch.relu,
        "max": torch.maximum,
    }
    return {name: lift(function) for name, function in functions.items()}


def _bin(op: ast.operator, a: Any, b: Any) -> Any:
    """a op b, with floats (a real power only: math.pow refuses a fractional power of a
    negative number, which ``**`` would make complex) or tensors."""
    if isinstance(op, ast.Add):
        return a + b
    if isinstance(op, ast.Sub):
        return a - b
    if isinstance(op, ast.Mult):
        return a * b
    if isinstance(op, ast.Div):
        return a / b
    if isinstance(op, ast.Pow):
        return math.pow(a, b) if isinstance(a, float) else a**b
    raise ValueError(f"operator {type(op).__name__} is not a graph's")


def evaluate(
    tree: ast.expr, env: Mapping[str, Any], calls: Mapping[str, Callable[..., Any]]
) -> Any:
    """A formula's tree with ``env``'s values for its names: numbers, + - * / **, unary minus,
    and the calls of ``calls``; anything else is refused."""
    if isinstance(tree, ast.Constant) and isinstance(tree.value, int | float):
        return float(tree.value)
    if isinstance(tree, ast.Name):
        return env[tree.id]
    if isinstance(tree, ast.BinOp):
        return _bin(tree.op, evaluate(tree.left, env, calls), evaluate(tree.right, env, calls))
    if isinstance(tree, ast.UnaryOp) and isinstance(tree.op, ast.USub | ast.UAdd):
        value = evaluate(tree.operand, env, calls)
        return -value if isinstance(tree.op, ast.USub) else value
    if (
        isinstance(tree, ast.Call)
        and isinstance(tree.func, ast.Name)
        and tree.func.id in calls
        and not tree.keywords
    ):
        return calls[tree.func.id](*(evaluate(a, env, calls) for a in tree.args))
    raise ValueError(f"not a graph formula: {ast.dump(tree)}")


def names_in(tree: ast.expr) -> tuple[str, ...]:
    """The names a formula reads, each once, in the order it first names them (left to right,
    as written; a called function's name is not one)."""
    found: dict[str, None] = {}

    def walk(node: ast.expr) -> None:
        if isinstance(node, ast.Name):
            found.setdefault(node.id)
        elif isinstance(node, ast.BinOp):
            walk(node.left)
            walk(node.right)
        elif isinstance(node, ast.UnaryOp):
            walk(node.operand)
        elif isinstance(node, ast.Call):
            for argument in node.args:
                walk(argument)

    walk(tree)
    return tuple(found)


@dataclass(frozen=True)
class Node:
    """A computed node: its name, its formula's tree over its operands, and the operands."""

    name: str
    tree: ast.expr

    @property
    def operands(self) -> tuple[str, ...]:
        return names_in(self.tree)


@dataclass(frozen=True)
class Graph:
    """One graph of a lesson: its key prefix, the inputs with their values (in the lesson's
    order), the computed nodes in order, the output, and the descent step's α and inputs."""

    prefix: str
    inputs: dict[str, float]
    nodes: tuple[Node, ...]
    output: str
    learning_rate: float | None
    trainable: tuple[str, ...]

    def node(self, name: str) -> Node:
        return next(n for n in self.nodes if n.name == name)

    @property
    def names(self) -> list[str]:
        return [*self.inputs, *(n.name for n in self.nodes)]

    def consumers(self, name: str) -> list[str]:
        """The nodes that read ``name``, in forward order."""
        return [n.name for n in self.nodes if name in n.operands]


def formula_tree(text: str) -> ast.expr:
    """A formula's syntax tree (a YAML block's line breaks read as spaces)."""
    return ast.parse(" ".join(text.split()), mode="eval").body


def graphs(data: Mapping[str, Any]) -> list[Graph]:
    """The graphs a lesson's data describes (one for ``nodes``; one per granularity for an
    ``expression``), read here from the plain data."""
    inputs = {name: float(value) for name, value in data["inputs"].items()}
    rate = data.get("learning_rate")
    trainable = tuple(data.get("trainable") or inputs)
    if data.get("nodes") is not None:
        nodes = tuple(Node(name, formula_tree(text)) for name, text in data["nodes"].items())
        output = data.get("output") or nodes[-1].name
        return [Graph("", inputs, nodes, output, rate, trainable)]
    output = data.get("output") or "f"
    given = data.get("split", "operations")
    splits = list(dict.fromkeys([given] if isinstance(given, str) else given))
    tree = formula_tree(data["expression"])
    return [
        Graph(
            f"{split}." if len(splits) > 1 else "",
            inputs,
            split_expression(tree, output, expand_sigmoid=split == "operations"),
            output,
            rate,
            trainable,
        )
        for split in splits
    ]


def split_expression(tree: ast.expr, output: str, *, expand_sigmoid: bool) -> tuple[Node, ...]:
    """One node per operation of the tree, numbered n1, n2, … in the order they are computed
    (children before their parent, left to right), the root named ``output``; numbers are not
    nodes, nor is an operation on numbers alone (``-2``, ``2 + 3``, ``exp(1)`` stay in the
    formula that reads them); with ``expand_sigmoid`` a sigmoid(u) becomes −u, exp(·), 1 + ·
    and 1/· (CS231n's gates)."""
    nodes: list[Node] = []

    def make(formula: ast.expr) -> ast.expr:
        if not names_in(formula):
            return formula
        name = f"n{len(nodes) + 1}"
        nodes.append(Node(name, formula))
        return ast.Name(name, ast.Load())

    def visit(node: ast.expr) -> ast.expr:
        if isinstance(node, ast.Constant | ast.Name):
            return node
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.UAdd):
            return visit(node.operand)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return make(ast.UnaryOp(ast.USub(), visit(node.operand)))
        if isinstance(node, ast.BinOp):
            return make(ast.BinOp(visit(node.left), node.op, visit(node.right)))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            arguments = [visit(a) for a in node.args]
            if node.func.id == "sigmoid" and expand_sigmoid and names_in(node):
                (u,) = arguments
                negated = make(ast.UnaryOp(ast.USub(), u))
                exponential = make(ast.Call(ast.Name("exp", ast.Load()), [negated], []))
                plus = make(ast.BinOp(ast.Constant(1), ast.Add(), exponential))
                return make(ast.BinOp(ast.Constant(1), ast.Div(), plus))
            return make(ast.Call(ast.Name(node.func.id, ast.Load()), arguments, []))
        raise ValueError(f"not a graph formula: {ast.dump(node)}")

    if not isinstance(visit(tree), ast.Name) or not nodes:
        raise ValueError("an expression without an operation has no node")
    nodes[-1] = replace(nodes[-1], name=output)
    return tuple(nodes)


# --- Forward ------------------------------------------------------------------------------


def forward(
    graph: Graph,
    inputs: Mapping[str, float] | None = None,
    fixed: Mapping[str, float] | None = None,
) -> Numbers:
    """Every input's and node's value (``inputs`` instead of the lesson's; a name in ``fixed``
    holds that value instead of being computed, which is how a node is moved)."""
    values = dict(graph.inputs if inputs is None else inputs)
    values.update({k: v for k, v in (fixed or {}).items() if k in values})
    for node in graph.nodes:
        if fixed and node.name in fixed:
            values[node.name] = fixed[node.name]
        else:
            values[node.name] = float(evaluate(node.tree, values, MATH))
    return values


def new_inputs(graph: Graph, grads: Mapping[str, float]) -> Numbers:
    """The inputs after the descent step x → x − α·∂OUT/∂x on the trainable ones."""
    rate = graph.learning_rate
    assert rate is not None
    return {x: v - rate * grads[x] if x in graph.trainable else v for x, v in graph.inputs.items()}


# --- The keys, in the design's order ---------------------------------------------------------


def upstream(graph: Graph) -> list[str]:
    """The computed nodes the output depends on (itself included), in forward order."""
    needed = {graph.output}
    for node in reversed(graph.nodes):
        if node.name in needed:
            needed.update(node.operands)
    return [n.name for n in graph.nodes if n.name in needed]


def keys(graph: Graph) -> list[tuple[str, str]]:
    """Every (key, phase) the design prescribes for this graph, in order: each node's value;
    grad[OUT]; then from the output back, node by node and operand by operand, the local
    derivative and the operand's gradient, or at a fork the contribution, the gradient coming
    after the last one; the descent step; every node again with the new inputs."""
    p = graph.prefix
    out: list[tuple[str, str]] = [(f"{p}val[{n.name}]", "forward") for n in graph.nodes]
    out.append((f"{p}grad[{graph.output}]", "backward"))
    reached = upstream(graph)
    fork = {m: [n for n in graph.consumers(m) if n in reached] for m in graph.names}
    for name in reversed(reached):
        for m in graph.node(name).operands:
            out.append((f"{p}local[{name},{m}]", "backward"))
            if len(fork[m]) > 1:
                out.append((f"{p}contrib[{name},{m}]", "backward"))
                if name == fork[m][0]:
                    out.append((f"{p}grad[{m}]", "backward"))
            else:
                out.append((f"{p}grad[{m}]", "backward"))
    if graph.learning_rate is not None:
        out += [(f"{p}new[{x}]", "update") for x in graph.inputs if x in graph.trainable]
        out += [(f"{p}check.val[{n.name}]", "check") for n in graph.nodes]
    return out


def _by_key(graph: Graph, grads: Numbers, local: Mapping[tuple[str, str], float]) -> Numbers:
    """The value of every key of ``keys`` from the values, the gradients and the local
    derivatives."""
    p = graph.prefix
    values = forward(graph)
    numbers: Numbers = {}
    for key, _ in keys(graph):
        head, inside = key[len(p) :].rstrip("]").split("[")
        names = inside.split(",")
        if head == "val":
            numbers[key] = values[names[0]]
        elif head == "grad":
            numbers[key] = grads[names[0]]
        elif head == "local":
            numbers[key] = local[names[0], names[1]]
        elif head == "contrib":
            numbers[key] = grads[names[0]] * local[names[0], names[1]]
        elif head == "new":
            numbers[key] = new_inputs(graph, grads)[names[0]]
        elif head == "check.val":
            numbers[key] = forward(graph, new_inputs(graph, grads))[names[0]]
    return numbers


# --- Witness 1: central finite differences ---------------------------------------------------

#: The step of the five-point stencil, relative to the value moved: its truncation error is
#: ~h⁴·f⁽⁵⁾/30 (about 1e-17 here) and its rounding ~1e-16·|f|/h (about 1e-12·|f|).
H = 1e-5


def _stencil(f: Callable[[float], float], at: float) -> float:
    """f'(at) by the five-point central difference."""
    h = H * max(1.0, abs(at))
    return (f(at - 2 * h) - 8 * f(at - h) + 8 * f(at + h) - f(at + 2 * h)) / (12 * h)


def finite_differences(graph: Graph) -> tuple[Numbers, dict[tuple[str, str], float]]:
    """∂OUT/∂m for every input and node m (m's value moved, everything downstream computed
    again), and ∂n/∂m for every edge (m moved in n's formula alone)."""
    values = forward(graph)
    grads: Numbers = {}
    for name in graph.names:

        def out(v: float, name: str = name) -> float:
            return forward(graph, fixed={name: v})[graph.output]

        grads[name] = _stencil(out, values[name])
    local: dict[tuple[str, str], float] = {}
    for node in graph.nodes:
        for m in node.operands:

            def one(v: float, node: Node = node, m: str = m) -> float:
                return float(evaluate(node.tree, {**values, m: v}, MATH))

            local[node.name, m] = _stencil(one, values[m])
    return grads, local


def by_finite_differences(graph: Graph) -> Numbers:
    """Every key's number, the derivatives by finite differences."""
    grads, local = finite_differences(graph)
    return _by_key(graph, grads, local)


# --- Witness 2: torch autograd in float64 ----------------------------------------------------


def autograd(graph: Graph, torch: Any) -> tuple[Numbers, dict[tuple[str, str], float]]:
    """∂OUT/∂m for every input and node by one backward pass through the graph built with
    tensors (each node's gradient kept), and ∂n/∂m for every edge by autograd of n's formula
    alone, its operands fresh leaves."""
    calls = torch_calls(torch)

    def leaf(value: float) -> Any:
        return torch.tensor(value, dtype=torch.float64, requires_grad=True)

    tensors: dict[str, Any] = {x: leaf(v) for x, v in graph.inputs.items()}
    for node in graph.nodes:
        tensor = evaluate(node.tree, tensors, calls)
        if not isinstance(tensor, torch.Tensor):
            tensor = torch.tensor(tensor, dtype=torch.float64)
        if tensor.requires_grad:
            tensor.retain_grad()
        tensors[node.name] = tensor
    tensors[graph.output].backward()
    grads = {
        name: 0.0 if t.grad is None else float(t.grad)
        for name, t in tensors.items()
        if name in graph.names
    }
    values = forward(graph)
    local: dict[tuple[str, str], float] = {}
    for node in graph.nodes:
        operands = {m: leaf(values[m]) for m in node.operands}
        result = evaluate(node.tree, operands, calls)
        derivatives = torch.autograd.grad(result, list(operands.values()), allow_unused=True)
        for m, d in zip(operands, derivatives, strict=True):
            local[node.name, m] = 0.0 if d is None else float(d)
    return grads, local


def by_autograd(graph: Graph, torch: Any) -> Numbers:
    """Every key's number, the derivatives by torch autograd."""
    grads, local = autograd(graph, torch)
    return _by_key(graph, grads, local)
