"""Activation functions: their numbers for the engine and their calculus for the formulas.

The engine computes s(u) and s'(u) in float64 with plain ``math``. The formula shown for
s'(u) is not typed in by hand: sympy differentiates the activation and rewrites the result
in terms of the output ỹ where it can (tanh -> 1 - ỹ², sigmoid -> ỹ(1 - ỹ)), as the lecture
writes it. A test checks that both agree.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import sympy

Activation = Literal["linear", "identity", "tanh", "sigmoid", "relu", "softmax"]


def tanh_written(choice: str | None, lang: str) -> str:
    """How tanh is written: the lesson's ``display.tanh``, else as the lecture does in Spanish
    (tgh) and as English texts do (tanh)."""
    return choice or ("tgh" if lang == "es" else "tanh")


ACTIVATIONS: tuple[str, ...] = ("linear", "identity", "tanh", "sigmoid", "relu", "softmax")


def canonical(name: str) -> str:
    """``identity`` is another name for ``linear``."""
    return "linear" if name == "identity" else name


def _sigmoid(u: float) -> float:
    if u >= 0:
        return 1.0 / (1.0 + math.exp(-u))
    z = math.exp(u)
    return z / (1.0 + z)


FORWARD: dict[str, Callable[[float], float]] = {
    "linear": lambda u: u,
    "tanh": math.tanh,
    "sigmoid": _sigmoid,
    "relu": lambda u: u if u > 0 else 0.0,
}

#: s'(u) written with the output y = s(u), exactly as ``derivative_in_output`` derives it.
DERIVATIVE: dict[str, Callable[[float], float]] = {
    "linear": lambda y: 1.0,
    "tanh": lambda y: 1.0 - y**2,
    "sigmoid": lambda y: y * (1.0 - y),
    "relu": lambda y: 1.0 if y > 0 else 0.0,
}


@cache
def sympy_activation(name: str) -> tuple[sympy.Expr, sympy.Symbol]:
    """s(u) as a sympy expression of the symbol u."""
    import sympy

    u = sympy.Symbol("u")
    exprs = {
        "linear": u,
        "tanh": sympy.tanh(u),
        "sigmoid": 1 / (1 + sympy.exp(-u)),
        "relu": sympy.Max(0, u),
    }
    return exprs[name], u


@cache
def derivative_in_output(name: str) -> tuple[sympy.Expr, sympy.Symbol]:
    """s'(u) derived by sympy and rewritten with the output symbol y where possible."""
    import sympy

    f, u = sympy_activation(name)
    y = sympy.Symbol("y")
    d = sympy.diff(f, u)
    rewritten = d.subs(f, y)
    if u in rewritten.free_symbols:
        solutions = sympy.solve(sympy.Eq(y, f), u)
        if len(solutions) == 1:
            rewritten = sympy.simplify(d.subs(u, solutions[0]))
    # sympy's Heaviside(0) is 1/2. Written with the output, ReLU's whole off side (u <= 0)
    # lands on y = 0, where the slope is 0 (as DERIVATIVE says): pin the step's value at 0.
    rewritten = rewritten.replace(sympy.Heaviside, lambda arg, *_: sympy.Heaviside(arg, 0))
    return rewritten, y
