"""A graph lesson's nodes: its own named formulas, or its expression split one node per operation.

A node is a small formula over the names it reads (inputs and earlier nodes). A lesson's
``nodes`` are taken as written. An ``expression`` is split as CS231n draws its circuits: every
operation whose operands hold a name becomes a node, numbered in the order it is computed
(children first, left to right), the root named by ``output``; a part made of numbers only
(``exp(2)``, the exponent of a power) stays inside the node that reads it, as numbers are not
nodes. With ``split: operations`` a sigmoid is written out as its gates, −u, exp, 1 + ·, 1/·;
with ``functions`` it stays one node. Each node's formula is printed back to text and read
again by the same safe parser, so it is checked like any formula a lesson writes.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass

from stepper.lesson.formula import GRAPH_FUNCTIONS, Formula, parse_formula

#: The short label of a function's node in a box: its name, σ for the sigmoid.
_CALL_LABELS = {"sigmoid": "σ"}
_BINARY_LABELS: dict[type[ast.operator], str] = {
    ast.Add: "+",
    ast.Sub: "−",
    ast.Mult: "·",
    ast.Div: "/",
}


@dataclass(frozen=True)
class Node:
    """A computed node: its name, its formula over ``operands`` (the names it reads, each
    once, in the order the formula first names them) and the label of its outermost
    operation (``·``, ``exp``, ``1/x``)."""

    name: str
    formula: Formula
    op: str
    #: One operation on distinct names and numbers (a·b, tanh(u), 1/n₇), whose local
    #: derivatives the rule of that operation explains; not x·x, nor tanh(w·x + b).
    simple: bool = False

    @property
    def operands(self) -> tuple[str, ...]:
        return self.formula.variables


def _read(tree: ast.expr) -> list[ast.Name]:
    """The names a formula reads (not the functions it calls)."""
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    return [n for n in ast.walk(tree) if isinstance(n, ast.Name) and id(n) not in called]


def named_in_order(tree: ast.expr) -> tuple[str, ...]:
    """The names a formula reads, each once, in the order it writes them."""
    names = sorted(_read(tree), key=lambda n: (n.lineno, n.col_offset))
    return tuple(dict.fromkeys(n.id for n in names))


def label(tree: ast.expr) -> str:
    """The short label of a formula's outermost operation, for a node's box."""
    if isinstance(tree, ast.BinOp):
        if isinstance(tree.op, ast.Pow):
            return "^" + ast.unparse(tree.right)
        if isinstance(tree.op, ast.Div) and _is_one(tree.left):
            return "1/x"
        return _BINARY_LABELS[type(tree.op)]
    if isinstance(tree, ast.UnaryOp):
        return "−x" if isinstance(tree.op, ast.USub) else label(tree.operand)
    if isinstance(tree, ast.Call) and isinstance(tree.func, ast.Name):
        return _CALL_LABELS.get(tree.func.id, tree.func.id)
    return ""


def _is_one(tree: ast.expr) -> bool:
    return isinstance(tree, ast.Constant) and tree.value == 1


def node(name: str, text: str, known: Sequence[str]) -> Node:
    """A node from its formula's text, over the names it reads among ``known``."""
    tree = parse_formula(text, known, GRAPH_FUNCTIONS).tree
    operands = named_in_order(tree)
    formula = parse_formula(text, operands, GRAPH_FUNCTIONS)
    return Node(name, formula, label(tree), _simple(tree))


def _simple(tree: ast.expr) -> bool:
    """Whether ``tree`` is one operation whose operands are names read once, or numbers."""
    called = tree.func if isinstance(tree, ast.Call) else None
    parts = [c for c in ast.iter_child_nodes(tree) if isinstance(c, ast.expr) and c is not called]
    names = [c for c in parts if isinstance(c, ast.Name)]
    plain = all(isinstance(c, ast.Name) or not _read(c) for c in parts)
    return plain and len({n.id for n in names}) == len(names) == len(_read(tree))


def given_nodes(nodes: dict[str, str], inputs: Sequence[str]) -> list[Node]:
    """A lesson's own ``nodes``, each over the inputs and the nodes before it."""
    known = list(inputs)
    out = []
    for name, text in nodes.items():
        out.append(node(name, text, known))
        known.append(name)
    return out


def split(text: str, inputs: Sequence[str], output: str, how: str) -> list[Node]:
    """The nodes of an expression's tree (``how``: operations or functions), n1, n2, … in
    computing order and the root named ``output`` (the loader keeps inputs off those names)."""
    tree = parse_formula(text, inputs, GRAPH_FUNCTIONS).tree
    splitter = _Splitter(set(inputs), sigmoid_gates=how == "operations")
    splitter.visit(tree)
    parts = splitter.parts
    rename = {temp: f"n{k}" for k, (temp, _) in enumerate(parts[:-1], 1)}
    rename[parts[-1][0]] = output
    known = list(inputs)
    out = []
    for temp, part in parts:
        text_of = ast.unparse(_renamed(part, rename))
        out.append(node(rename[temp], text_of, known))
        known.append(rename[temp])
    return out


def _renamed(tree: ast.expr, rename: dict[str, str]) -> ast.expr:
    """``tree`` with its temporary node names replaced by the final ones."""

    class Rename(ast.NodeTransformer):
        def visit_Name(self, n: ast.Name) -> ast.Name:
            return ast.Name(id=rename.get(n.id, n.id), ctx=ast.Load())

    renamed: ast.expr = Rename().visit(tree)
    return ast.fix_missing_locations(renamed)


class _Splitter:
    """Walks an expression's tree children first, and cuts a node at each operation whose
    operands hold a name. ``parts`` collects (temporary name, formula tree over names)."""

    def __init__(self, inputs: set[str], *, sigmoid_gates: bool) -> None:
        self.inputs = inputs
        self.sigmoid_gates = sigmoid_gates
        self.parts: list[tuple[str, ast.expr]] = []

    def new(self, tree: ast.expr) -> ast.Name:
        temp = f"\x00{len(self.parts)}"  # no lesson name holds a NUL
        self.parts.append((temp, tree))
        return ast.Name(id=temp, ctx=ast.Load())

    def visit(self, tree: ast.expr) -> ast.expr:
        """The tree as its parent reads it: a name (an input, or the node just cut), or the
        tree itself when it holds no name (a number, exp(2))."""
        if not _read(tree):
            return tree
        if isinstance(tree, ast.Name):
            return tree
        if isinstance(tree, ast.UnaryOp):
            inner = self.visit(tree.operand)
            if isinstance(tree.op, ast.UAdd):
                return inner
            return self.new(ast.UnaryOp(op=ast.USub(), operand=inner))
        if isinstance(tree, ast.BinOp):
            left, right = self.visit(tree.left), self.visit(tree.right)
            return self.new(ast.BinOp(left=left, op=tree.op, right=right))
        assert isinstance(tree, ast.Call) and isinstance(tree.func, ast.Name)
        args = [self.visit(a) for a in tree.args]
        if tree.func.id == "sigmoid" and self.sigmoid_gates:
            return self.gates(args[0])
        return self.new(
            ast.Call(func=ast.Name(id=tree.func.id, ctx=ast.Load()), args=args, keywords=[])
        )

    def gates(self, u: ast.expr) -> ast.expr:
        """σ(u) = 1/(1 + e^−u) as CS231n's gates: ·(−1), exp, +1 and 1/x."""
        minus = self.new(ast.UnaryOp(op=ast.USub(), operand=u))
        power = self.new(
            ast.Call(func=ast.Name(id="exp", ctx=ast.Load()), args=[minus], keywords=[])
        )
        total = self.new(ast.BinOp(left=ast.Constant(1), op=ast.Add(), right=power))
        return self.new(ast.BinOp(left=ast.Constant(1), op=ast.Div(), right=total))
