"""The recurrent engine: rnn-1 worked by hand here, the order and the letters of its steps, and
every step's substitution on every kind of cell.

The hand-worked numbers are computed in the test with math.tanh from the issue's equations,
not read from the engine; the independent torch and finite-difference checks of every cell are
in tests/test_recurrent_numbers.py.
"""

from __future__ import annotations

import json
import math
import random
from typing import Any

import pytest

from stepper import formulas
from stepper.engine import solve
from stepper.lesson.load import lesson_from_text
from stepper.lesson.schema import CELL_GATES
from stepper.printers.typst_math import sym_typst
from stepper.steps import Phase, Solution
from tests.conftest import solved
from tests.test_substitution import check_substitutions


def lesson(data: dict[str, Any], lang: str | None = None) -> Solution:
    return solve(lesson_from_text(json.dumps(data), "test.yaml"), lang)


def by_key(solution: Solution) -> dict[str, float]:
    return {s.key: s.value for s in solution.steps}


def test_rnn_1_by_hand() -> None:
    """x = 0.1 then 0.7, h₀ = 0, W_h = [0.1, 0.5, 0.8], ỹ = h₂, y = 1, α = 0.1, sse."""
    v = by_key(solved("rnn-1"))
    b, wx, wh, alpha = 0.1, 0.5, 0.8, 0.1
    u1 = b + wx * 0.1 + wh * 0.0
    h1 = math.tanh(u1)
    u2 = b + wx * 0.7 + wh * h1
    h2 = math.tanh(u2)
    eps = 1.0 - h2
    d2 = eps * 1.0 * (1 - h2**2)  # ε through t₁₁ = 1, then tanh's derivative
    e1 = d2 * wh  # the term that flows from step 2 back to step 1
    d1 = e1 * (1 - h1**2)
    expected = {
        "u[h,1,1]": u1,
        "h[1,1]": h1,
        "u[h,2,1]": u2,
        "h[2,1]": h2,
        "y[1]": h2,
        "e[1]": eps,
        "loss": eps**2,
        "dh[2,1]": eps,
        "d[h,2,1]": d2,
        "dh[1,1]": e1,
        "d[h,1,1]": d1,
        "dt[1,0]": 2 * alpha * eps,
        "dt[1,1]": 2 * alpha * h2 * eps,
        "dw[h,1,0]": 2 * alpha * (d1 + d2),
        "dw[h,1,1]": 2 * alpha * (0.1 * d1 + 0.7 * d2),
        "dw[h,1,2]": 2 * alpha * (0.0 * d1 + h1 * d2),
        "w[h,1,0]": b + 2 * alpha * (d1 + d2),
        "w[h,1,2]": wh + 2 * alpha * h1 * d2,
        "t[1,1]": 1.0 + 2 * alpha * h2 * eps,
    }
    for key, value in expected.items():
        assert v[key] == pytest.approx(value, rel=1e-12, abs=1e-15), key
    assert v["h[1,1]"] == pytest.approx(0.148885, abs=1e-6)
    assert v["loss"] == pytest.approx(0.2355, abs=1e-4)
    # The check: the same two steps with the new weights, and a lower loss.
    w0, wx2, wh2 = v["w[h,1,0]"], v["w[h,1,1]"], v["w[h,1,2]"]
    g1 = math.tanh(w0 + wx2 * 0.1)
    g2 = math.tanh(w0 + wx2 * 0.7 + wh2 * g1)
    after = (1.0 - (v["t[1,0]"] + v["t[1,1]"] * g2)) ** 2
    assert v["check.loss"] == pytest.approx(after, rel=1e-12)
    assert v["check.loss"] < v["loss"]


def test_rnn_1_makes_the_term_from_step_2_explicit() -> None:
    """εʰ₁'s formula is δ₂·w₁₂, and its explanation says the error flows back from step 2."""
    for lang, words in (("es", "del paso 2 al 1"), ("en", "from step 2 to step 1")):
        step = next(s for s in solved("rnn-1", lang).steps if s.key == "dh[1,1]")
        assert formulas.formula(step, "unicode") == "εʰ₁ = δ₂ · w₁₂"
        assert "δ₂ · w₁₂" in step.explanation
        assert words in step.explanation


def test_rnn_1_letters() -> None:
    """Time is the subscript; the gate's δ (δ₂) and the error reaching h (εʰ₂) differ."""
    steps = {s.key: s for s in solved("rnn-1").steps}
    assert steps["h[2,1]"].sym.unicode() == "h₂"
    assert steps["d[h,2,1]"].sym.unicode() == "δ₂"
    assert steps["dh[2,1]"].sym.unicode() == "εʰ₂"
    assert steps["dw[h,1,2]"].sym.unicode() == "Δw₁₂"
    assert steps["t[1,1]"].sym.unicode() == "t₁₁"
    assert steps["y[1]"].sym.unicode() == "ỹ₂"


def random_lesson(cell: str, seed: int, **over: Any) -> dict[str, Any]:
    """A lesson of ``cell`` with random numbers; ``over`` sets inputs, hidden, steps, outputs
    (0: none), every_step, loss, activation, and whether it has targets and α."""
    rnd = random.Random(seed)
    inputs, hidden, steps = over.get("inputs", 1), over.get("hidden", 1), over.get("steps", 2)
    outputs = over.get("outputs", 1)

    def row(n: int) -> list[float]:
        return [round(rnd.uniform(-1, 1), 2) for _ in range(n)]

    data: dict[str, Any] = {
        "kind": "recurrent",
        "cell": cell,
        "inputs": inputs,
        "hidden": hidden,
        "sequence": [row(inputs) for _ in range(steps)],
        "gates": {g: [row(1 + inputs + hidden) for _ in range(hidden)] for g in CELL_GATES[cell]},
        "initial": {"h": row(hidden), **({"c": row(hidden)} if cell == "lstm" else {})},
        "display": {"decimals": 4},
    }
    every = over.get("every_step", False)
    if outputs:
        data["output"] = {
            "activation": over.get("activation", "linear"),
            "weights": [row(1 + hidden) for _ in range(outputs)],
            "every_step": every,
        }
    if over.get("targets", True):
        size = outputs or hidden
        data["targets"] = [row(size) for _ in range(steps if every else 1)]
    if over.get("learning_rate", True) and over.get("targets", True):
        data["training"] = {"learning_rate": 0.1, "loss": over.get("loss", "sse")}
    return data


CASES = [
    (cell, dict(over))
    for cell in ("rnn", "lstm", "gru")
    for over in (
        {},
        {"hidden": 2, "inputs": 2, "steps": 3, "outputs": 2, "every_step": True},
        {"hidden": 2, "steps": 3, "outputs": 0, "loss": "half_sse"},
        {"activation": "tanh", "every_step": True},
        {"activation": "sigmoid", "hidden": 3, "steps": 1},
        {"loss": "half_sse", "activation": "tanh"},
        {"loss": "half_sse", "every_step": True, "inputs": 3},
        {"targets": False},
        {"learning_rate": False},
    )
]


@pytest.mark.parametrize(("cell", "over"), CASES)
def test_every_substitution_evaluates_to_its_value(cell: str, over: dict[str, Any]) -> None:
    for lang in ("es", "en"):
        solution = lesson(random_lesson(cell, 7, **over), lang)
        check_substitutions(f"{cell} {over}", solution)


@pytest.mark.parametrize(("cell", "over"), CASES)
def test_the_order_of_the_steps(cell: str, over: dict[str, Any]) -> None:
    """Forward, error, backward, update, check; backward from the last step to the first;
    each new weight once; every step's time in its key."""
    data = random_lesson(cell, 3, **over)
    solution = lesson(data)
    phases = [s.phase for s in solution.steps]
    order = [Phase.FORWARD, Phase.ERROR, Phase.BACKWARD, Phase.UPDATE, Phase.CHECK]
    ranks = [order.index(p) for p in phases]
    assert ranks == sorted(ranks)
    assert all(s.sample is None for s in solution.steps)
    backward = [s for s in solution.steps if s.phase == Phase.BACKWARD]
    # The time is the index before the unit's; do[i] (the last step's output) has none.
    indices = [s.key.split("[")[1].rstrip("]").split(",") for s in backward]
    times = [int(ix[-2]) for ix in indices if len(ix) > 1]
    assert times == sorted(times, reverse=True)
    forward = [s for s in solution.steps if s.phase == Phase.FORWARD and s.key.startswith("h[")]
    assert [s.key for s in forward] == [
        f"h[{t},{i}]"
        for t in range(1, len(data["sequence"]) + 1)
        for i in range(1, data["hidden"] + 1)
    ]
    keys = [s.key for s in solution.steps]
    weights = [
        f"w[{g},{i},{j}]"
        for g, rows in data["gates"].items()
        for i, row in enumerate(rows, 1)
        for j in range(len(row))
    ]
    trains = "targets" in data and "training" in data
    for key in weights:
        assert keys.count(key) == (1 if trains else 0), key
        assert keys.count("d" + key) == (1 if trains else 0), key
    if "targets" not in data:
        assert set(phases) == {Phase.FORWARD}
    elif "training" not in data:
        assert phases[-1] == Phase.BACKWARD
    else:
        assert keys[-1] == "check.loss"


def test_the_gru_update_gate_is_not_written_z() -> None:
    """z is a hidden neuron's output in the lecture: the update gate is a on screen, its key z."""
    solution = lesson(random_lesson("gru", 1))
    steps = {s.key: s for s in solution.steps}
    assert steps["z[1,1]"].sym.unicode() == "a₁"
    assert steps["d[z,1,1]"].sym.unicode() == "δᵃ₁"
    assert steps["dw[z,1,0]"].sym.unicode() == "Δwᵃ₁₀"
    shown = [formulas.formula(s, "unicode") for s in solution.steps]
    assert not [f for f in shown if "z" in f]
    assert "actualización" in steps["z[1,1]"].explanation


def test_time_and_unit_are_apart_with_several_units() -> None:
    solution = lesson(random_lesson("lstm", 2, hidden=2, inputs=2))
    steps = {s.key: s for s in solution.steps}
    assert steps["h[2,1]"].sym.unicode() == "h₂‚₁"
    assert steps["c[1,2]"].sym.unicode() == "c₁‚₂"
    assert (
        formulas.formula(steps["h[2,1]"], "latex")
        == r"h_{2,1} = o_{2,1} \operatorname{tgh}{\left(c_{2,1} \right)}"
    )
    assert steps["dw[f,2,3]"].sym.unicode() == "Δwᶠ₂₃"
    assert sym_typst(steps["h[2,1]"].sym) == "h_(2,1)"
    assert sym_typst(steps["u[o,1,2]"].sym) == "u^o_(1,2)"
