"""The quiz: right answers within half a unit of the last shown decimal, and each classic
mistake named from a wrong answer that a learner making it would type (worked out here by
hand from the lecture's numbers, not taken from the engine)."""

from __future__ import annotations

import math

import pytest

from stepper.quiz import Mistakes, is_right, parse_answer, tolerance
from stepper.steps import Solution, Step
from tests.conftest import solved


def step(solution: Solution, key: str) -> Step:
    return next(s for s in solution.steps if s.key == key)


@pytest.mark.parametrize(
    ("text", "value"),
    [("0.29", 0.29), ("0,29", 0.29), ("−0.09", -0.09), (" -0,09 ", -0.09), ("6", 6.0)],
)
def test_answers_take_comma_or_point(text: str, value: float) -> None:
    assert parse_answer(text) == value


@pytest.mark.parametrize("text", ["", "abc", "0.2.9", "nan", "inf"])
def test_non_numbers_are_not_answers(text: str) -> None:
    assert parse_answer(text) is None


def test_tolerance_is_half_a_unit_of_the_last_shown_decimal() -> None:
    assert tolerance("0.29") == pytest.approx(0.005)
    assert tolerance("0.86801") == pytest.approx(0.000005)
    assert tolerance("6") == pytest.approx(0.5)


def test_right_within_half_a_unit() -> None:
    u1 = step(solved("backprop-1"), "u[1,1]")
    assert is_right(u1, 0.29)
    assert is_right(u1, 0.2949)
    assert not is_right(u1, 0.2951)
    assert not is_right(u1, 0.3)


def test_sign_of_epsilon_swapped() -> None:
    sol = solved("backprop-1")
    # ε₁ = y₁ − ỹ₁ = 0.2 − 0.29; the swapped sign is ỹ₁ − y₁ = 0.09.
    assert Mistakes(sol).diagnose(step(sol, "e[1]"), 0.09) == "sign"


def test_derivative_left_out() -> None:
    sol = solved("backprop-1")
    eps2 = 1 - math.tanh(0.12)  # δ₂ without (1 − ỹ₂²) is just ε₂
    assert Mistakes(sol).diagnose(step(sol, "d[1,2]"), round(eps2, 5)) == "derivative"


def test_tanh_derivative_with_u() -> None:
    sol = solved("backprop-1")
    wrong = (1 - math.tanh(0.12)) * (1 - 0.12**2)  # ε₂ (1 − u₂²)
    assert Mistakes(sol).diagnose(step(sol, "d[1,2]"), round(wrong, 5)) == "tanh_u"


def test_two_of_the_increment_forgotten() -> None:
    sol = solved("backprop-1")
    # Δw₁₀ = 2 · 0.1 · 1 · (−0.09) = −0.018; without the 2: −0.009.
    assert Mistakes(sol).diagnose(step(sol, "dw[1,1,0]"), -0.009) == "two"


def test_two_added_where_the_loss_has_none() -> None:
    sol = solved("classify-1")
    dw = step(sol, "dw[1,2,0]")  # α x₀ δ₂ = 0.5 · 1 · (1 − 0.2424)
    assert Mistakes(sol).diagnose(dw, round(2 * 0.5 * (1 - 0.24243), 3)) == "extra_two"


def test_bias_dropped() -> None:
    sol = solved("backprop-1")
    # u₂ without w₂₀ · x₀: 0.4 · 0.1 + (−0.6) · 0.7 = −0.38
    assert Mistakes(sol).diagnose(step(sol, "u[1,2]"), -0.38) == "bias"


def test_updated_weight_used_in_gamma() -> None:
    sol = solved("backprop-2")
    z1 = math.tanh(0.29)
    u3 = 0.2 + 0.5 * z1 + (-0.4) * math.tanh(0.12)
    delta3 = 1.0 - u3
    t31_new = 0.5 + 2 * 0.1 * z1 * delta3
    wrong = (1 - z1**2) * delta3 * t31_new
    assert Mistakes(sol).diagnose(step(sol, "d[1,1]"), round(wrong, 5)) == "updated"


def test_unexplained_wrong_answer_names_nothing() -> None:
    sol = solved("backprop-1")
    assert Mistakes(sol).diagnose(step(sol, "u[1,1]"), 0.777) is None
