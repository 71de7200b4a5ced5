"""A graph lesson's values with floats, to tell where a formula is not defined at the values
given: the checks compute every node in order (no sympy), and the first operation that has no
value there (a log of a number ≤ 0, a square root of a negative, a division by 0, 0 to a
negative power, a negative number to a fractional one, a number too large), or whose slope is
infinite there (√ and powers below 1 at 0: the gradient could not pass), is an ``Outside``:
where in the formula it is written, and what to say, naming the operand as written and its
value. The guarded primitives are the optimize kind's (``stepper.lesson.formula``).
"""

from __future__ import annotations

import ast

from stepper.lesson.errors import msg
from stepper.lesson.formula import FUNCTIONS, Formula, NumericError, divide, finite, power


class Outside(Exception):
    """A value out of its function's domain: where in the formula, and what to say."""

    def __init__(self, offset: int, message: str) -> None:
        super().__init__(message)
        self.offset = offset
        self.message = message


def value(formula: Formula, node: ast.expr, values: dict[str, float]) -> float:
    """``node``'s value with floats, by the guarded primitives of ``formula``; Outside where
    it is not defined, or where its derivative is not (√ and powers below 1 at 0)."""
    if isinstance(node, ast.Constant):
        assert isinstance(node.value, int | float)  # the whitelist's numbers
        return float(node.value)
    if isinstance(node, ast.Name):
        return values[node.id]
    if isinstance(node, ast.UnaryOp):
        inner = value(formula, node.operand, values)
        return -inner if isinstance(node.op, ast.USub) else inner
    if isinstance(node, ast.Call):
        return _call(formula, node, values)
    assert isinstance(node, ast.BinOp)
    a = value(formula, node.left, values)
    b = value(formula, node.right, values)
    try:
        if isinstance(node.op, ast.Div):
            if b == 0:
                raise Outside(
                    formula.span(node.right)[0],
                    msg("graph.division", operand=_text(formula, node.right)),
                )
            return divide(a, b)
        if isinstance(node.op, ast.Pow):
            return _power(formula, node, a, b)
        if isinstance(node.op, ast.Add):
            return finite(a + b)
        if isinstance(node.op, ast.Sub):
            return finite(a - b)
        return finite(a * b)
    except NumericError:
        raise Outside(
            formula.span(node)[0], msg("graph.too_large", part=_text(formula, node))
        ) from None


def _power(formula: Formula, node: ast.BinOp, base: float, exponent: float) -> float:
    """A power, told where it has no real value or an infinite slope (0 to a power below 1:
    x**0.5 at 0 has the slope 0.5/√0)."""
    start = formula.span(node)[0]
    fields = {
        "base": _text(formula, node.left),
        "value": _number(base),
        "exponent": _number(exponent),
    }
    if base == 0 and exponent < 0:
        raise Outside(start, msg("graph.zero_power", **fields))
    if base == 0 and 0 < exponent < 1:
        raise Outside(start, msg("graph.zero_slope_power", **fields))
    if base < 0 and exponent != int(exponent):
        raise Outside(start, msg("graph.fractional_power", **fields))
    return power(base, exponent)


def _call(formula: Formula, node: ast.Call, values: dict[str, float]) -> float:
    assert isinstance(node.func, ast.Name)
    name = node.func.id
    arguments = [value(formula, a, values) for a in node.args]
    if name == "max":
        return max(arguments)
    (a,) = arguments
    (argument,) = node.args
    start = formula.span(node)[0]
    fields = {
        "call": _text(formula, node),
        "operand": _text(formula, argument),
        "value": _number(a),
    }
    if name == "log" and a <= 0:
        raise Outside(start, msg("graph.log", **fields))
    if name == "sqrt" and a < 0:
        raise Outside(start, msg("graph.sqrt", **fields))
    if name == "sqrt" and a == 0:
        raise Outside(start, msg("graph.sqrt_zero", **fields))
    try:
        return finite(FUNCTIONS[name](a))
    except NumericError:
        raise Outside(start, msg("graph.too_large", part=fields["call"])) from None


def _text(formula: Formula, node: ast.AST) -> str:
    start, end = formula.span(node)
    text = " ".join(formula.text[start:end].split())
    return text if len(text) <= 40 else f"{text[:37]}..."


def _number(value: float) -> str:
    return f"{value:.6g}"
