"""xor-1, activations-1 and autoencoder-1 against computations written here: numpy forward
passes, hand arithmetic, central finite differences of ε², and torch autograd where installed.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest

from stepper.steps import Step
from tests.conftest import solved
from tests.dense_reference import finite_gradient, forward, sse, torch_gradient

REL = 1e-13


def by_sample(lesson: str) -> dict[tuple[str, int | None], Step]:
    """The steps of a lesson by (key, sample), the check phase left out."""
    return {(s.key, s.sample): s for s in solved(lesson).steps if s.phase.value != "check"}


# xor-1 ---------------------------------------------------------------------------------------

XOR_W = np.array([[1.0, 1.0, 1.0], [-1.0, 1.0, 1.0]])
XOR_T = np.array([[-1.0, 1.0, -1.0]])
XOR_ACTS = [["tanh", "tanh"], ["tanh"]]
XOR_POINTS = [(-1.0, -1.0), (-1.0, 1.0), (1.0, 1.0), (1.0, -1.0)]


def test_xor_forward_for_the_four_points() -> None:
    steps = by_sample("xor-1")
    for s, x in enumerate(XOR_POINTS, 1):
        us, outs = forward([XOR_W, XOR_T], XOR_ACTS, x)
        for k in (1, 2):
            assert math.isclose(steps[(f"u[1,{k}]", s)].value, us[0][k - 1], rel_tol=REL)
            assert math.isclose(steps[(f"y[1,{k}]", s)].value, outs[0][k - 1], rel_tol=REL)
        assert math.isclose(steps[("y[2,1]", s)].value, outs[1][0], rel_tol=REL)


def test_xor_hidden_outputs_make_the_classes_linearly_separable() -> None:
    """The classes (+1 when x₁ ≠ x₂) are not separable in x, but the output neuron's line
    u₃ = 0 separates them in z: the sign of u₃ is the class of every point."""
    steps = by_sample("xor-1")
    for s, (x1, x2) in enumerate(XOR_POINTS, 1):
        label = 1.0 if x1 != x2 else -1.0
        z1, z2 = steps[("y[1,1]", s)].value, steps[("y[1,2]", s)].value
        assert math.copysign(1.0, -1.0 + z1 - z2) == label
        assert math.copysign(1.0, steps[("u[2,1]", s)].value) == label


def test_xor_only_the_last_point_trains() -> None:
    solution = solved("xor-1")
    trained = {s.sample for s in solution.steps if s.phase.value in {"error", "backward"}}
    assert trained == {4}
    assert {s.key for s in solution.steps if s.key.startswith("w[")} == {
        f"w[{l},{i},{j}]" for l, n in ((1, 2), (2, 1)) for i in range(1, n + 1) for j in range(3)
    }


def test_xor_training_step_against_finite_differences_and_hand() -> None:
    steps = by_sample("xor-1")
    x, y, alpha = (1.0, -1.0), [1.0], 0.1
    weights = [XOR_W, XOR_T]
    # By hand: z = (tanh 1, tanh(−1)), u₃ = −1 + 2 tanh 1, ε = 1 − tanh u₃.
    z = math.tanh(1.0)
    u3 = -1.0 + 2 * z
    eps = 1.0 - math.tanh(u3)
    assert math.isclose(steps[("e[1]", 4)].value, eps, rel_tol=REL)
    assert math.isclose(steps[("loss", 4)].value, eps**2, rel_tol=REL)
    delta3 = eps * (1 - math.tanh(u3) ** 2)
    assert math.isclose(steps[("d[2,1]", 4)].value, delta3, rel_tol=REL)
    gamma = [(1 - z**2) * delta3 * 1.0, (1 - z**2) * delta3 * -1.0]
    for k in (1, 2):
        assert math.isclose(steps[(f"d[1,{k}]", 4)].value, gamma[k - 1], rel_tol=REL)
    grads = finite_gradient(weights, XOR_ACTS, x, y)
    for l, (w, g) in enumerate(zip(weights, grads, strict=True), 1):
        for (i, j), v in np.ndenumerate(w):
            dw = steps[(f"dw[{l},{i + 1},{j}]", 4)].value
            assert math.isclose(dw, -alpha * g[i, j], rel_tol=1e-7, abs_tol=1e-10)
            assert math.isclose(steps[(f"w[{l},{i + 1},{j}]", None)].value, v + dw, rel_tol=REL)


def test_xor_against_torch() -> None:
    torch = pytest.importorskip("torch")
    steps = by_sample("xor-1")
    grads, ugrads = torch_gradient(torch, [XOR_W, XOR_T], XOR_ACTS, (1.0, -1.0), [1.0])
    assert math.isclose(steps[("d[2,1]", 4)].value, -ugrads[1][0] / 2, rel_tol=1e-12)
    for k in (1, 2):
        assert math.isclose(steps[(f"d[1,{k}]", 4)].value, -ugrads[0][k - 1] / 2, rel_tol=1e-12)
    for l, g in enumerate(grads, 1):
        for (i, j), v in np.ndenumerate(g):
            assert math.isclose(
                steps[(f"dw[{l},{i + 1},{j}]", 4)].value, -0.1 * v, rel_tol=1e-12, abs_tol=1e-15
            )


# activations-1 -------------------------------------------------------------------------------

ACTS = ["linear", "tanh", "sigmoid", "relu"]


def test_activations_share_u_and_differ_only_in_s() -> None:
    steps = by_sample("activations-1")
    for s, x in enumerate([0.5, -2.0], 1):
        u = 0.5 + 1.0 * x  # exact in binary: 1 and −1.5
        for i in range(1, 5):
            assert steps[(f"u[1,{i}]", s)].value == u
        values = [steps[(f"y[1,{i}]", s)].value for i in range(1, 5)]
        expected = [u, math.tanh(u), 1 / (1 + math.exp(-u)), max(0.0, u)]
        assert values == pytest.approx(expected, rel=REL)
    assert steps[("y[1,4]", 2)].value == 0.0  # ReLU of a negative u


def test_activations_derivatives_side_by_side() -> None:
    """δᵢ = εᵢ s'(uᵢ): divided by ε, each δ is the derivative worked here by hand, and the
    derivative by central differences of s at u."""
    steps = by_sample("activations-1")
    h = 1e-6
    for s, u in enumerate([1.0, -1.5], 1):
        hand = [1.0, 1 - math.tanh(u) ** 2, math.exp(-u) / (1 + math.exp(-u)) ** 2, float(u > 0)]
        fns: list[Callable[[float], float]] = [
            lambda v: v,
            math.tanh,
            lambda v: 1 / (1 + math.exp(-v)),
            lambda v: max(0.0, v),
        ]
        for i in range(1, 5):
            eps = steps[(f"e[{i}]", s)].value
            assert eps != 0  # the targets were chosen so that the derivative shows
            derivative = steps[(f"d[1,{i}]", s)].value / eps
            assert math.isclose(derivative, hand[i - 1], rel_tol=1e-12, abs_tol=1e-300)
            numeric = (fns[i - 1](u + h) - fns[i - 1](u - h)) / (2 * h)
            assert math.isclose(derivative, numeric, rel_tol=1e-7, abs_tol=1e-9)
    assert steps[("d[1,4]", 2)].value == 0.0  # no error passes back through ReLU at u < 0


def test_activations_show_no_update() -> None:
    phases = {s.phase.value for s in solved("activations-1").steps}
    assert phases == {"forward", "error", "backward"}


# autoencoder-1 -------------------------------------------------------------------------------

AE_W = np.array([[0.0, 0.5, 0.5]])
AE_T = np.array([[0.1, 0.5], [0.3, 1.0]])
AE_ACTS = [["tanh"], ["linear", "linear"]]
AE_X = [0.1, 0.7]


def test_autoencoder_reconstructs_its_input() -> None:
    steps = by_sample("autoencoder-1")
    outs = forward([AE_W, AE_T], AE_ACTS, AE_X)[1]
    code = math.tanh(0.5 * 0.1 + 0.5 * 0.7)  # by hand: the one-number code
    assert math.isclose(steps[("y[1,1]", 1)].value, code, rel_tol=REL)
    for i in (1, 2):
        assert math.isclose(steps[(f"y[2,{i}]", 1)].value, outs[1][i - 1], rel_tol=REL)
        assert math.isclose(steps[(f"e[{i}]", 1)].value, AE_X[i - 1] - outs[1][i - 1], rel_tol=REL)
    assert math.isclose(
        steps[("loss", 1)].value, sse([AE_W, AE_T], AE_ACTS, AE_X, AE_X), rel_tol=REL
    )


def test_autoencoder_update_against_finite_differences() -> None:
    steps = by_sample("autoencoder-1")
    weights = [AE_W, AE_T]
    grads = finite_gradient(weights, AE_ACTS, AE_X, AE_X)
    new = []
    for l, (w, g) in enumerate(zip(weights, grads, strict=True), 1):
        m = w.copy()
        for (i, j), v in np.ndenumerate(w):
            dw = steps[(f"dw[{l},{i + 1},{j}]", 1)].value
            assert math.isclose(dw, -0.1 * g[i, j], rel_tol=1e-7, abs_tol=1e-11)
            m[i, j] = v - 0.1 * g[i, j]
        new.append(m)
    # The check phase: the reconstruction error with the new weights is lower.
    after = solved("autoencoder-1").steps[-1]
    assert after.key == "check.loss"
    assert math.isclose(after.value, sse(new, AE_ACTS, AE_X, AE_X), rel_tol=1e-7)
    assert after.value < steps[("loss", 1)].value


def test_autoencoder_against_torch() -> None:
    torch = pytest.importorskip("torch")
    steps = by_sample("autoencoder-1")
    grads, ugrads = torch_gradient(torch, [AE_W, AE_T], AE_ACTS, AE_X, AE_X)
    assert math.isclose(steps[("d[1,1]", 1)].value, -ugrads[0][0] / 2, rel_tol=1e-12)
    for l, g in enumerate(grads, 1):
        for (i, j), v in np.ndenumerate(g):
            assert math.isclose(
                steps[(f"dw[{l},{i + 1},{j}]", 1)].value, -0.1 * v, rel_tol=1e-12, abs_tol=1e-15
            )
