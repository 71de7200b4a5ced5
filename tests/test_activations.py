"""The activations' calculus: sympy's derivative (written with the output y) against numbers.

Three independent things must agree at every point u: a central finite difference of the
float function ``FORWARD[name]``, the engine's ``DERIVATIVE[name](y)`` and the sympy-derived
``derivative_in_output(name)`` evaluated at y = s(u).
"""

from __future__ import annotations

import math

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from stepper.activations import DERIVATIVE, FORWARD, derivative_in_output

NAMES = ("linear", "tanh", "sigmoid", "relu")
H = 1e-6

points = st.floats(min_value=-6.0, max_value=6.0, allow_nan=False, allow_infinity=False)


def central_difference(name: str, u: float) -> float:
    f = FORWARD[name]
    return (f(u + H) - f(u - H)) / (2 * H)


def derived_at(name: str, u: float) -> float:
    expr, y = derivative_in_output(name)
    return float(sympy.sympify(expr).subs(y, FORWARD[name](u)))


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=60, deadline=None)
@given(u=points)
def test_derivative_matches_finite_difference(name: str, u: float) -> None:
    # ReLU has a kink at 0: the finite difference is meaningless within H of it.
    if name == "relu" and abs(u) < 10 * H:
        return
    numeric = central_difference(name, u)
    # Truncation error is O(H² |s'''|) ≈ 1e-12 here; rounding error is ~ eps/H ≈ 1e-10.
    assert derived_at(name, u) == pytest.approx(numeric, abs=1e-8, rel=1e-7)
    assert DERIVATIVE[name](FORWARD[name](u)) == pytest.approx(numeric, abs=1e-8, rel=1e-7)


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=60, deadline=None)
@given(u=points)
def test_sympy_form_equals_engine_form(name: str, u: float) -> None:
    y = FORWARD[name](u)
    assert derived_at(name, u) == pytest.approx(DERIVATIVE[name](y), abs=1e-15, rel=1e-14)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("u", [-3.0, -0.5, 0.0, 0.5, 3.0])
def test_sympy_form_at_fixed_points(name: str, u: float) -> None:
    """Including the off side of ReLU (u ≤ 0, y = 0), where the derivative the engine uses is 0."""
    y = FORWARD[name](u)
    assert derived_at(name, u) == pytest.approx(DERIVATIVE[name](y), abs=1e-15, rel=1e-14)


def test_the_lecture_forms() -> None:
    """tanh' = 1 − y² and sigmoid' = y(1 − y), as the lecture writes them; linear' = 1."""
    d_tanh, y = derivative_in_output("tanh")
    assert sympy.simplify(d_tanh - (1 - y**2)) == 0
    d_sigmoid, y = derivative_in_output("sigmoid")
    assert sympy.simplify(d_sigmoid - y * (1 - y)) == 0
    d_linear, y = derivative_in_output("linear")
    assert sympy.simplify(sympy.sympify(d_linear) - 1) == 0
    # Written with y alone: no u left over.
    for name in NAMES:
        expr, y = derivative_in_output(name)
        assert sympy.sympify(expr).free_symbols <= {y}


def test_forward_functions_are_the_textbook_ones() -> None:
    for u in (-2.5, -0.3, 0.0, 0.7, 4.0):
        assert FORWARD["tanh"](u) == pytest.approx(math.tanh(u), rel=1e-15, abs=1e-300)
        assert FORWARD["sigmoid"](u) == pytest.approx(1 / (1 + math.exp(-u)), rel=1e-14)
        assert FORWARD["relu"](u) == max(0.0, u)
        assert FORWARD["linear"](u) == u
    # The sigmoid must not overflow for large |u|.
    assert FORWARD["sigmoid"](-800.0) == pytest.approx(0.0, abs=1e-300)
    assert FORWARD["sigmoid"](800.0) == 1.0
