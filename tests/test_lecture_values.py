"""The built-in lessons give the lecture's numbers, checked against arithmetic done here.

Each value is checked twice: to the digits the slide prints (round(value, k) == slide) and to
full precision against exact arithmetic written in this file (fractions.Fraction for the
rational steps, math.tanh / numpy for the transcendental ones), never against the engine.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction as F

import numpy as np
import pytest

from stepper.catalog import builtin_folder
from stepper.engine import solve
from stepper.lesson.load import load_lesson
from stepper.steps import Solution, Step

REL = 1e-15


def solved(lesson_id: str, lang: str | None = None) -> Solution:
    return solve(load_lesson(builtin_folder() / f"{lesson_id}.yaml", lesson_id), lang)


def steps_by_key(solution: Solution, iteration: int = 1) -> dict[str, Step]:
    out: dict[str, Step] = {}
    for s in solution.steps:
        if s.iteration == iteration:
            assert s.key not in out or s.key.startswith("dw["), f"{s.key} twice"
            out[s.key] = s
    return out


def close(value: float, exact: F | float, rel: float = REL) -> bool:
    """value is exact to a relative ~1e-15 (a few ulps after float64 cancellation)."""
    return math.isclose(value, float(exact), rel_tol=rel, abs_tol=1e-300)


# backprop-1: "Redes de una capa (ejemplo numérico)" ------------------------------------------

# Exact arithmetic of the slide, in decimal fractions: x = [0.1, 0.7], y = [0.2, 1], α = 0.1.
X = [F(1), F("0.1"), F("0.7")]
W1 = [F("0.1"), F("-0.2"), F("0.3")]
W2 = [F("0.5"), F("0.4"), F("-0.6")]
ALPHA = F("0.1")
U1 = sum(w * x for w, x in zip(W1, X, strict=True))
U2 = sum(w * x for w, x in zip(W2, X, strict=True))
Y1 = U1  # linear neuron
Y2 = F(math.tanh(float(U2)))  # the one transcendental number; the rest is exact from here
E1 = F("0.2") - Y1
E2 = F(1) - Y2
D1 = E1  # linear: s' = 1
D2 = E2 * (1 - Y2**2)  # tanh: s' = 1 − ỹ²
NEW = {
    "w[1,1,0]": W1[0] + 2 * ALPHA * X[0] * D1,
    "w[1,1,1]": W1[1] + 2 * ALPHA * X[1] * D1,
    "w[1,1,2]": W1[2] + 2 * ALPHA * X[2] * D1,
    "w[1,2,0]": W2[0] + 2 * ALPHA * X[0] * D2,
    "w[1,2,1]": W2[1] + 2 * ALPHA * X[1] * D2,
    "w[1,2,2]": W2[2] + 2 * ALPHA * X[2] * D2,
}
# (key, slide's number, its digits): ỹ₂, ε₂, δ₂ and w₂ⱼ to more digits than the slide's
# rounded 0.12 / 0.88 / 0.87, as the lesson's notes explain.
SLIDE = [
    ("u[1,1]", 0.29, 2, U1),
    ("u[1,2]", 0.12, 2, U2),
    ("y[1,1]", 0.29, 2, Y1),
    ("y[1,2]", 0.1194, 4, Y2),
    ("e[1]", -0.09, 2, E1),
    ("e[2]", 0.8806, 4, E2),
    ("d[1,1]", -0.09, 2, D1),
    ("d[1,2]", 0.868, 3, D2),
    ("w[1,1,0]", 0.082, 3, NEW["w[1,1,0]"]),
    ("w[1,1,1]", -0.2018, 4, NEW["w[1,1,1]"]),
    ("w[1,1,2]", 0.2874, 4, NEW["w[1,1,2]"]),
    ("w[1,2,0]", 0.6736, 4, NEW["w[1,2,0]"]),
    ("w[1,2,1]", 0.41736, 5, NEW["w[1,2,1]"]),
    ("w[1,2,2]", -0.47848, 5, NEW["w[1,2,2]"]),
]


@pytest.fixture(scope="module", params=["es", "en"])
def backprop1(request: pytest.FixtureRequest) -> dict[str, Step]:
    return steps_by_key(solved("backprop-1", request.param))


def test_exact_arithmetic_is_the_slides() -> None:
    """The arithmetic written above is the slide's, before the engine is asked anything."""
    assert F("0.29") == U1
    assert F("0.12") == U2
    assert F("-0.09") == E1
    assert NEW["w[1,1,0]"] == F("0.082")
    assert NEW["w[1,1,1]"] == F("-0.2018")
    assert NEW["w[1,1,2]"] == F("0.2874")


@pytest.mark.parametrize(("key", "slide", "digits", "exact"), SLIDE)
def test_backprop1_slide_values(
    backprop1: dict[str, Step], key: str, slide: float, digits: int, exact: F
) -> None:
    step = backprop1[key]
    assert round(step.value, digits) == slide
    assert round(float(exact), digits) == slide
    assert close(step.value, exact), (key, step.value, float(exact))


def test_backprop1_increments_and_loss(backprop1: dict[str, Step]) -> None:
    for key, new in NEW.items():
        l, i, j = key[2:-1].split(",")
        old = (W1 if i == "1" else W2)[int(j)]
        assert close(backprop1[f"dw[{l},{i},{j}]"].value, new - old)
    assert close(backprop1["loss"].value, E1**2 + E2**2)


def test_backprop1_shown_strings(backprop1: dict[str, Step]) -> None:
    """backprop-1 shows 5 decimals, trailing zeros trimmed."""
    expected = {
        "u[1,1]": "0.29",
        "u[1,2]": "0.12",
        "y[1,1]": "0.29",
        "y[1,2]": "0.11943",
        "e[1]": "-0.09",
        "e[2]": "0.88057",
        "d[1,1]": "-0.09",
        "d[1,2]": "0.86801",
        "dw[1,1,0]": "-0.018",
        "w[1,1,0]": "0.082",
        "w[1,1,1]": "-0.2018",
        "w[1,1,2]": "0.2874",
        "w[1,2,0]": "0.6736",
        "w[1,2,1]": "0.41736",
        "w[1,2,2]": "-0.47848",
    }
    for key, text in expected.items():
        assert backprop1[key].shown == text, key


def test_backprop1_notes_the_slide_slip(backprop1: dict[str, Step]) -> None:
    note = backprop1["w[1,2,2]"].note
    assert note is not None
    plain = note.replace("−", "-")
    assert "-0.4784" in plain
    assert "-0.4782" in plain


#: The slide's rounded arithmetic (ỹ₂ ≈ 0.12, δ₂ ≈ 0.87), worked here, and the key of the step
#: whose note quotes it beside the exact value.
SLIDE_ROUNDED = {
    "e[2]": (F(1) - F("0.12"), "0.88"),
    "w[1,2,0]": (W2[0] + 2 * ALPHA * X[0] * F("0.87"), "0.674"),
    "w[1,2,1]": (W2[1] + 2 * ALPHA * X[1] * F("0.87"), "0.4174"),
}


@pytest.mark.parametrize("key", sorted(SLIDE_ROUNDED))
def test_backprop1_notes_where_the_slide_rounds(backprop1: dict[str, Step], key: str) -> None:
    """ε₂, w₂₀ and w₂₁ carry a note quoting the slide's rounded number and the exact one."""
    rounded, slide = SLIDE_ROUNDED[key]
    assert rounded == F(slide)  # the slide's own arithmetic, from its rounded ỹ₂ and δ₂
    note = backprop1[key].note
    assert note is not None
    words = note.replace("−", "-")
    assert slide in words
    assert backprop1[key].shown in words  # the exact value, as the step shows it
    assert backprop1[key].shown != slide


def test_backprop1_order_and_phases() -> None:
    """The lecture's order: u, ỹ; ε; δ; then Δw and the new w, one sample, one iteration."""
    steps = solved("backprop-1").steps
    assert [s.key for s in steps[:9]] == [
        "u[1,1]",
        "y[1,1]",
        "u[1,2]",
        "y[1,2]",
        "e[1]",
        "e[2]",
        "loss",
        "d[1,1]",
        "d[1,2]",
    ]
    assert {s.iteration for s in steps} == {1}
    assert [s.phase.value for s in steps][:2] == ["forward", "forward"]
    assert sum(1 for s in steps if s.key.startswith("w[")) == 6


# forward-1: the feedforward example, rounded as on the blackboard ------------------------------

FORWARD_W1 = [[-0.1, 0.2, 0.2], [0.2, 0.1, 0.41], [0.25, 0.3, 0.66]]
FORWARD_T = [[0.2, 0.1, -0.1, -0.1], [0.2, 0.2, 0.6, 0.2]]
FORWARD_X = [1.0, 0.1, 0.7]


@pytest.fixture(scope="module")
def forward1() -> dict[str, Step]:
    return steps_by_key(solved("forward-1"))


def test_forward1_slide_values(forward1: dict[str, Step]) -> None:
    s = forward1
    assert close(
        s["u[1,1]"].value, F("-0.1") + F("0.2") * F("0.1") + F("0.2") * F("0.7"), rel=1e-14
    )
    assert round(s["u[1,1]"].value, 2) == 0.06
    assert s["y[1,1]"].shown == "0.06"
    assert s["y[1,2]"].shown == "0.46"  # the slide's v₂, which its u₄ reads
    assert round(s["y[1,3]"].value, 2) == 0.63
    assert s["u[2,1]"].shown == "0.097"
    assert [s["y[2,1]"].shown, s["y[2,2]"].shown] == ["0.097", "0.614"]
    # The slide's own line: u₄ = 0.2 + 0.1·0.06 − 0.1·0.46 − 0.1·0.63 ≈ 0.097.
    assert round(0.2 + 0.1 * 0.06 - 0.1 * 0.46 - 0.1 * 0.63, 3) == 0.097


def test_forward1_computes_from_shown_values(forward1: dict[str, Step]) -> None:
    """round_intermediate: each step is its formula on the *shown* values of what it reads."""
    s = forward1
    hidden = [1.0]
    for i, row in enumerate(FORWARD_W1, 1):
        u = sum(w * x for w, x in zip(row, FORWARD_X, strict=True))
        assert math.isclose(s[f"u[1,{i}]"].value, u, rel_tol=1e-12)
        assert math.isclose(
            s[f"y[1,{i}]"].value, math.tanh(float(s[f"u[1,{i}]"].shown)), rel_tol=1e-12
        )
        hidden.append(float(s[f"y[1,{i}]"].shown))
    for i, row in enumerate(FORWARD_T, 1):
        u = sum(t * v for t, v in zip(row, hidden, strict=True))
        assert math.isclose(s[f"u[2,{i}]"].value, u, rel_tol=1e-12)
        assert s[f"y[2,{i}]"].value == float(s[f"u[2,{i}]"].shown)  # linear, from the shown u


def test_forward1_keeps_the_exact_values(forward1: dict[str, Step]) -> None:
    """Each step also carries the full-precision value; it differs where rounding drifts."""
    x = np.array(FORWARD_X[1:])
    w1 = np.array(FORWARD_W1)
    u1 = w1[:, 0] + w1[:, 1:] @ x
    v = np.tanh(u1)
    t = np.array(FORWARD_T)
    u2 = t[:, 0] + t[:, 1:] @ v
    exact = {f"u[1,{i}]": u1[i - 1] for i in (1, 2, 3)}
    exact |= {f"y[1,{i}]": v[i - 1] for i in (1, 2, 3)}
    exact |= {f"u[2,{i}]": u2[i - 1] for i in (1, 2)}
    exact |= {f"y[2,{i}]": u2[i - 1] for i in (1, 2)}
    assert set(exact) == set(forward1)
    for key, e in exact.items():
        step = forward1[key]
        assert step.exact is not None, key
        assert math.isclose(step.exact, e, rel_tol=1e-12), key
    # The first layer reads only given numbers: nothing drifts there.
    for i in (1, 2, 3):
        assert math.isclose(
            forward1[f"u[1,{i}]"].value, forward1[f"u[1,{i}]"].exact or 0, rel_tol=1e-15
        )
    # From the second layer on, the rounded v's make the hand value drift from the exact one.
    for key in ("u[2,1]", "u[2,2]", "y[2,1]", "y[2,2]"):
        step = forward1[key]
        assert step.exact is not None
        assert abs(step.value - step.exact) > 1e-6, key
    assert forward1["y[2,1]"].value == 0.097
    assert round(forward1["y[2,1]"].exact or 0, 4) == 0.097
    assert round(forward1["y[2,1]"].exact or 0, 6) == 0.096982


# backprop-2: the two-layer example (δ₃ = ε₁, γₖ = (1 − zₖ²) δ₃ t₃ₖ) ----------------------------


def test_backprop2_against_numpy() -> None:
    steps = steps_by_key(solved("backprop-2"))
    x = np.array([1.0, 0.1, 0.7])
    w = np.array([[0.1, -0.2, 0.3], [0.5, 0.4, -0.6]])
    t = np.array([0.2, 0.5, -0.4])
    alpha, y = 0.1, 1.0
    z = np.concatenate([[1.0], np.tanh(w @ x)])
    out = t @ z  # linear output neuron 3
    eps = y - out
    delta3 = eps  # linear output: s' = 1
    gamma = (1 - z[1:] ** 2) * delta3 * t[1:]  # with t before its update
    new_t = t + 2 * alpha * z * delta3
    new_w = w + 2 * alpha * np.outer(gamma, x)

    for k in (1, 2):
        assert math.isclose(steps[f"u[1,{k}]"].value, (w @ x)[k - 1], rel_tol=1e-14)
        assert math.isclose(steps[f"y[1,{k}]"].value, z[k], rel_tol=1e-14)
    assert math.isclose(steps["y[2,1]"].value, out, rel_tol=1e-14)
    assert math.isclose(steps["e[1]"].value, eps, rel_tol=1e-14)
    assert steps["d[2,1]"].value == steps["e[1]"].value  # δ₃ = ε₁
    for k in (1, 2):
        assert math.isclose(steps[f"d[1,{k}]"].value, gamma[k - 1], rel_tol=1e-14)
        # With the updated t the number would be visibly different: the order matters.
        late = (1 - z[k] ** 2) * delta3 * new_t[k]
        assert not math.isclose(steps[f"d[1,{k}]"].value, late, rel_tol=1e-3)
    for j in range(3):
        assert math.isclose(steps[f"w[2,1,{j}]"].value, new_t[j], rel_tol=1e-14)
        for k in (1, 2):
            assert math.isclose(steps[f"w[1,{k},{j}]"].value, new_w[k - 1, j], rel_tol=1e-14)


# classify-1: softmax and cross-entropy -------------------------------------------------------


def test_classify1_softmax_and_loss() -> None:
    steps = steps_by_key(solved("classify-1"))
    logits = [steps[f"u[1,{i}]"].value for i in (1, 2, 3)]
    assert logits == pytest.approx([2.0, 1.0, 0.1], rel=1e-15)
    e = np.exp(np.array([2.0, 1.0, 0.1]))
    p = e / e.sum()
    probabilities = [steps[f"y[1,{i}]"].value for i in (1, 2, 3)]
    assert probabilities == pytest.approx(list(p), rel=1e-14)
    assert [round(v, 3) for v in probabilities] == [0.659, 0.242, 0.099]
    assert [steps[f"y[1,{i}]"].shown for i in (1, 2, 3)] == ["0.659", "0.242", "0.099"]
    assert math.isclose(steps["loss"].value, -math.log(p[1]), rel_tol=1e-14)
    assert round(steps["loss"].value, 3) == 1.417
    # With softmax and cross-entropy, δ = y − ỹ, and Δw = α x δ.
    y = [0.0, 1.0, 0.0]
    for i in (1, 2, 3):
        assert math.isclose(steps[f"d[1,{i}]"].value, y[i - 1] - p[i - 1], rel_tol=1e-14)
        for j, xj in enumerate([1.0, 1.0, 0.5]):
            assert math.isclose(
                steps[f"dw[1,{i},{j}]"].value, 0.5 * xj * (y[i - 1] - p[i - 1]), rel_tol=1e-14
            )


# regression-1: a batch, four epochs, the mean error falls ------------------------------------


def test_regression1_batch_loss_falls() -> None:
    solution = solved("regression-1")
    losses = [s.value for s in solution.steps if s.key == "batch_loss"]
    x = 2 * (np.array([20.0, 26.0, 32.0, 38.0]) - 20) / 18 - 1  # ages, minmax-scaled
    y = 2 * (np.array([5.2, 5.5, 5.7, 5.9]) - 5.2) / 0.7 - 1  # salaries (M€), likewise
    w0, w1, alpha = 0.0, 0.0, 0.5
    expected = []
    for _ in range(4):  # four epochs of one batch each
        eps = y - (w0 + w1 * x)
        expected.append(np.mean(eps**2))  # mean sse
        w0 += alpha * np.mean(2 * eps)  # Δw = 2αxδ averaged over the batch
        w1 += alpha * np.mean(2 * eps * x)
    assert losses == pytest.approx(expected, rel=1e-13)
    assert all(b < a for a, b in itertools.pairwise(losses))
    final = {s.key: s for s in solution.steps if s.iteration == 4 and s.key.startswith("w[")}
    assert math.isclose(final["w[1,1,0]"].value, w0, rel_tol=1e-13)
    assert math.isclose(final["w[1,1,1]"].value, w1, rel_tol=1e-13)


@pytest.mark.parametrize("lang", ["es", "en"])
@pytest.mark.parametrize("lesson_id", ["classify-1", "cnn-1"])
def test_cross_entropy_increment_says_why_the_2_is_gone(lesson_id: str, lang: str) -> None:
    """The increments of a cross-entropy lesson contrast Δw = αxδ with the lecture's 2αxδ."""
    increments = [s for s in solved(lesson_id, lang).steps if s.key.startswith("dw[")]
    assert increments
    for step in increments:
        assert step.template == "increment" and step.params == (1,)  # no 2 in the formula
        assert "Δw = 2αxδ" in step.explanation and "ε²" in step.explanation, step.key
