"""A step's formula computed again with other numbers in it: the learner's, or a mistake's.

Follow-through marking and the mistakes both ask "what would this step give if it read these
numbers?". The answer comes from the step itself: its template printed as Python text
(``stepper.formulas``, the form of ``substituted_text``) with a named slot for each operand,
read once per template with ``ast`` and checked against a whitelist (numbers, the slots,
``+ - * / **``, and the functions that ``substituted_text`` may use), then evaluated with
floats by closures written here. No text is ever passed to eval, and the only text read is
the program's own template; the numbers go in as floats.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Sequence
from functools import cache

from stepper import formulas
from stepper.lesson.formula import FUNCTIONS, NumericError, divide, finite, power
from stepper.steps import Step

Values = Sequence[float]
Evaluator = Callable[[Values], float]


def _heaviside(x: float) -> float:
    """ReLU's slope as the templates write it: 1 where the unit is on, 0 at and below 0."""
    return 1.0 if x > 0 else 0.0


#: The functions of ``substituted_text``, each taking its arguments as floats.
CALLS: dict[str, Callable[..., float]] = {
    **FUNCTIONS,
    "max": max,
    "min": min,
    "abs": abs,
    "heaviside": _heaviside,
    "floor": math.floor,
    "equal": lambda a, b: 1.0 if a == b else 0.0,
}


def evaluate(step: Step, values: Values) -> float | None:
    """``step``'s formula with ``values`` in place of its operands (one per operand, in
    order); None when the numbers make it impossible (a log of 0, a division by 0)."""
    if len(values) != len(step.operands):
        raise ValueError(f"{len(values)} numbers for {len(step.operands)} operands")
    try:
        return finite(float(_evaluator(step.template, step.params, len(values))(values)))
    except (NumericError, OverflowError, ValueError, ZeroDivisionError):
        return None


@cache
def _evaluator(template: str, params: tuple[int | str, ...], arity: int) -> Evaluator:
    pattern = formulas.compiled(template, params, arity, "text").pattern
    text = pattern.format(*(f"s{k}" for k in range(arity)))
    return _compile(ast.parse(text, mode="eval").body)


def _compile(node: ast.expr) -> Evaluator:
    """The checked tree as closures. A long sum (a 784-input u has 785 terms) is one flat
    loop, not 785 nested additions, so no recursion limit is near."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub):
        return _sum(node)
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        constant = float(node.value)
        return lambda v: constant
    if isinstance(node, ast.Name) and node.id.startswith("s") and node.id[1:].isdigit():
        slot = int(node.id[1:])
        return lambda v: v[slot]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        inner = _compile(node.operand)
        return (lambda v: -inner(v)) if isinstance(node.op, ast.USub) else inner
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in CALLS
        and not node.keywords
    ):
        function = CALLS[node.func.id]
        arguments = [_compile(a) for a in node.args]
        return lambda v: finite(float(function(*(a(v) for a in arguments))))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult | ast.Div | ast.Pow):
        a, b = _compile(node.left), _compile(node.right)
        if isinstance(node.op, ast.Mult):
            return lambda v: finite(a(v) * b(v))
        if isinstance(node.op, ast.Div):
            return lambda v: divide(a(v), b(v))
        return lambda v: power(a(v), b(v))
    raise ValueError(f"not a formula of substituted_text: {ast.dump(node)[:80]}")


def _sum(node: ast.BinOp) -> Evaluator:
    terms: list[tuple[float, Evaluator]] = []
    head: ast.expr = node
    while isinstance(head, ast.BinOp) and isinstance(head.op, ast.Add | ast.Sub):
        terms.append((1.0 if isinstance(head.op, ast.Add) else -1.0, _compile(head.right)))
        head = head.left
    terms.append((1.0, _compile(head)))
    terms.reverse()
    return lambda v: finite(math.fsum(sign * term(v) for sign, term in terms))
