"""What sympy works out for each node of a graph: its formula as a template, and the local
derivative ∂n/∂m for each operand m.

Each local derivative is ``sympy.diff`` of the node's formula, then written with the node's own
value where that is shorter, as the lecture writes tanh' as 1 − tgh²: ∂n/∂u = 1 − n² for
n = tanh(u), n(1 − n) for a sigmoid, n for exp, −n² for n = 1/u. Steps are 0 at 0:
relu'(0) = 0 (as the dense kind takes it) and, at a tie, ∂max(a, b)/∂a = ∂max(a, b)/∂b = 0,
so that max(0, u) and relu(u) agree (torch gives each ½ at a tie; the built-in lessons have
none).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from stepper.formulas import register_expression
from stepper.lesson.formula import numeric

if TYPE_CHECKING:
    import sympy

    from stepper.engine.graph_split import Node

Numeric = Callable[[Sequence[float]], float]


@dataclass(frozen=True)
class Local:
    """∂n/∂m as a template over ``reads`` (m's fellow operands, and n itself when written
    with its own value), and as a float function of their values in that order."""

    operand: str
    template: str
    reads: tuple[str, ...]
    value: Numeric
    own: bool


@dataclass(frozen=True)
class Derived:
    """A node's formula as a template over its operands, and its local derivatives in the
    order of its operands."""

    template: str
    locals: tuple[Local, ...]


def derive(node: Node, *, tgh: bool = False) -> Derived:
    """The node's formula and local derivatives; with ``tgh`` tanh is written tgh, as the
    Spanish lecture writes it (``display.tanh``; the text form keeps tanh)."""
    return _derive(node.name, node.formula.text, node.operands, tgh)


@cache
def _derive(name: str, text: str, operands: tuple[str, ...], tgh: bool) -> Derived:
    import sympy

    from stepper.lesson.formula import GRAPH_FUNCTIONS, parse_formula

    symbols = [sympy.Symbol(m) for m in operands]
    expr = parse_formula(text, operands, GRAPH_FUNCTIONS).to_sympy(symbols)
    own = sympy.Symbol(name)
    whole = _evaluated(expr)
    found = []
    for m, s in zip(operands, symbols, strict=True):
        slope = _tidy(sympy.diff(whole, s))
        written = _tidy(slope.subs(whole, own))
        mine = sympy.count_ops(written) < sympy.count_ops(slope)
        if mine:
            slope = written
        reads = [v for v in (*symbols, own) if v in slope.free_symbols]
        found.append(
            Local(
                m,
                register_expression(_written(slope, tgh), reads),
                tuple(v.name for v in reads),
                numeric(slope, reads),
                mine,
            )
        )
    return Derived(register_expression(_written(expr, tgh), symbols), tuple(found))


def _written(expr: sympy.Expr, tgh: bool) -> sympy.Expr:
    """``expr`` as printed: tanh as tgh where the lesson writes it so (nothing evaluated)."""
    import sympy

    from stepper.formulas import tgh_function

    if not tgh or not expr.has(sympy.tanh):
        return expr
    if isinstance(expr, sympy.tanh):
        return tgh_function()(_written(expr.args[0], tgh))
    return expr.func(*(_written(a, tgh) for a in expr.args), evaluate=False)


def _evaluated(expr: sympy.Expr) -> sympy.Expr:
    """``expr`` built again with sympy's evaluation (as written it is unevaluated, 1·n⁻¹),
    so that a derivative's sympy.diff form can be matched against it."""
    if not expr.args:
        return expr
    return expr.func(*(_evaluated(a) for a in expr.args))


def _tidy(slope: sympy.Expr) -> sympy.Expr:
    """A derivative as printed: steps 0 at 0 (Heaviside(u, 0), written [u > 0]). (sympy's e,
    from a formula's exp(1), stays: the printers write it e, and exp(1) in the text form.)"""
    import sympy

    return slope.replace(sympy.Heaviside, lambda u, *at: sympy.Heaviside(u, 0))
