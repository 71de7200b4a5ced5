"""``network.collapse`` and linear-1: two linear layers are one, W = t·w, against numpy matrix
products worked here, exact fractions, random networks, and hostile lessons.
"""

from __future__ import annotations

import math
from fractions import Fraction as F
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stepper.engine import solve
from stepper.lesson.schema import DenseLesson, Layer, Network, Sample, Training
from tests.conftest import solved
from tests.test_hostile import edited, refused

W1 = [[0.1, 0.5, -0.3], [-0.2, 0.4, 0.6]]
T = [[0.3, 0.7, -0.5]]
XS = [[1.0, 0.5], [-0.5, 0.4]]


def augmented_product(t: np.ndarray, w: np.ndarray) -> np.ndarray:
    """t · [1 0 … 0; w]: the hidden bias input z₀ = 1 as an extra first row of w."""
    bias_row = np.zeros((1, w.shape[1]))
    bias_row[0, 0] = 1.0
    return t @ np.vstack([bias_row, w])


def test_linear1_product_is_numpys_and_exact() -> None:
    steps = {s.key: s for s in solved("linear-1").steps}
    big_w = augmented_product(np.array(T), np.array(W1))
    # By hand, in fractions: W₃₀ = 0.3 + 0.7·0.1 − 0.5·(−0.2), W₃₁ = 0.7·0.5 − 0.5·0.4, …
    exact = [
        F("0.3") + F("0.7") * F("0.1") + F("-0.5") * F("-0.2"),
        F("0.7") * F("0.5") + F("-0.5") * F("0.4"),
        F("0.7") * F("-0.3") + F("-0.5") * F("0.6"),
    ]
    for j in range(3):
        step = steps[f"W[1,{j}]"]
        assert math.isclose(step.value, big_w[0, j], rel_tol=1e-15)
        assert math.isclose(step.value, float(exact[j]), rel_tol=1e-15, abs_tol=1e-16)
        assert step.sample is None and step.phase.value == "forward"
    assert [steps[f"W[1,{j}]"].shown for j in range(3)] == ["0.47", "0.15", "-0.51"]


def test_linear1_single_layer_gives_the_same_u_for_every_sample() -> None:
    solution = solved("linear-1")
    two = {s.sample: s.value for s in solution.steps if s.key == "u[2,1]"}
    one = {s.sample: s.value for s in solution.steps if s.key == "single.u[1]"}
    big_w = augmented_product(np.array(T), np.array(W1))
    for k, x in enumerate(XS, 1):
        xa = np.array([1.0, *x])
        layered = np.array(T) @ np.concatenate([[1.0], np.array(W1) @ xa])
        assert math.isclose(two[k], layered[0], rel_tol=1e-14)
        assert math.isclose(one[k], (big_w @ xa)[0], rel_tol=1e-14)
        assert math.isclose(one[k], two[k], rel_tol=1e-14)


def test_linear1_order_and_words() -> None:
    """Sample 1 forward, then W once, then the single layer; sample 2 forward, single layer.
    The single layer's step says it is the lecture's u = w²w¹x."""
    keys = [s.key for s in solved("linear-1").steps]
    assert keys.index("y[2,1]") < keys.index("W[1,0]") < keys.index("single.u[1]")
    assert keys.count("W[1,0]") == 1 and keys.count("single.u[1]") == 2
    assert keys[-1] == "single.u[1]"
    single = next(s for s in solved("linear-1", "en").steps if s.key == "single.u[1]")
    assert "u = w²w¹x" in single.explanation
    assert single.sym.unicode() == "u₃"


@st.composite
def linear_networks(draw: st.DrawFn) -> DenseLesson:
    values = st.floats(-2, 2, allow_nan=False).map(lambda v: round(v, 2))
    inputs, hidden, outputs = (draw(st.integers(1, 4)) for _ in range(3))

    def matrix(rows: int, cols: int) -> list[list[float]]:
        return [draw(st.lists(values, min_size=cols, max_size=cols)) for _ in range(rows)]

    samples = [
        Sample(x=draw(st.lists(values, min_size=inputs, max_size=inputs)))
        for _ in range(draw(st.integers(1, 3)))
    ]
    return DenseLesson(
        network=Network(
            inputs=inputs,
            collapse=True,
            layers=[
                Layer(activation="linear", weights=matrix(hidden, inputs + 1)),
                Layer(activation="identity", weights=matrix(outputs, hidden + 1)),
            ],
        ),
        training=Training(samples=samples),
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(linear_networks())
def test_any_two_linear_layers_collapse(lesson: DenseLesson) -> None:
    solution = solve(lesson)
    w, t = (np.array(layer.weights) for layer in lesson.network.layers)
    big_w = augmented_product(t, w)
    steps = {(s.key, s.sample): s.value for s in solution.steps}
    for (i, j), v in np.ndenumerate(big_w):
        assert math.isclose(steps[(f"W[{i + 1},{j}]", None)], v, rel_tol=1e-12, abs_tol=1e-12)
    for k, sample in enumerate(lesson.training.samples, 1):
        xa = np.array([1.0, *sample.x])
        for i in range(t.shape[0]):
            two = steps[(f"u[2,{i + 1}]", k)]
            one = steps[(f"single.u[{i + 1}]", k)]
            assert math.isclose(one, (big_w @ xa)[i], rel_tol=1e-12, abs_tol=1e-12)
            assert math.isclose(one, two, rel_tol=1e-9, abs_tol=1e-12)
    # the step limit counts what the engine makes
    from stepper.lesson.checks import check_dense

    assert check_dense(lesson) == []


LINEAR_T = "    - activation: linear\n      symbol: t\n"


#: (old text, new text, the text of the line at fault, its column, what the message says)
REFUSED = [
    (LINEAR_T, LINEAR_T.replace("linear", "tanh"), "activation: tanh", 19, "not linear"),
    ("collapse: true", "collapse: 1", "collapse:", 13, "expected true or false"),
    ("collapse: true", "collapse: yes", "collapse:", 13, "expected true or false"),
    (
        "    - x: [-0.5, 0.4]\n",
        "    - x: [-0.5, 0.4]\n      y: [1.0]\n",
        "      y: [1.0]",
        10,
        "sample 2 must have no y",
    ),
    (
        "training:",
        "    - activation: linear\n      weights: [[0.0, 1.0]]\ntraining:",
        "collapse:",
        13,
        "exactly 2 layers, not 3",
    ),
]


@pytest.mark.parametrize("case", REFUSED)
def test_collapse_refuses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: tuple[str, str, str, int, str]
) -> None:
    old, new, needle, col, phrase = case
    text = edited("linear-1", old, new)
    if "y: [1.0]" in new:  # a target needs α, or that would be the first problem told
        text = text.replace("training:\n", "training:\n  learning_rate: 0.1\n")
    line = next(n for n, s in enumerate(text.splitlines(), 1) if needle in s)
    refused(tmp_path, capsys, text, (line, col), phrase)


@pytest.mark.parametrize(
    ("notes", "phrase"),
    [
        ("  W[1,3]: x\n", "W's columns go from 0 (the bias) to 2"),
        ("  single.u[2]: x\n", "the network has 1 output"),
    ],
)
def test_notes_on_the_product_must_name_a_step(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], notes: str, phrase: str
) -> None:
    text = builtin_with_notes(notes)
    line = len(text.splitlines())
    refused(tmp_path, capsys, text, (line, 3), phrase)


def test_notes_on_the_product_need_collapse(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = builtin_with_notes("  W[1,0]: x\n").replace("  collapse: true\n", "")
    refused(tmp_path, capsys, text, (len(text.splitlines()), 3), "only a network with collapse")


def builtin_with_notes(notes: str) -> str:
    return edited("linear-1", "display:", "display:") + "notes:\n" + notes
