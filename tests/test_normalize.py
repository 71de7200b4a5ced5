"""``training.normalize``: statistics, scaled inputs and targets, the conversion back, checked
against computations of their own.

The statistics and the scaled values are computed again here with numpy (``np.std`` is the
population's, ddof=0); the increments of a normalised lesson are compared with central finite
differences of a numpy forward pass that scales the raw inputs itself, on random lessons; a
normalised regression is trained again with torch; the weights converted back are checked to
predict, from raw inputs, what the trained network predicts from scaled ones, unscaled. Every
wrong value of the new fields is refused at its place, and the step count the limits use is
the engine's.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from stepper import formulas
from stepper.engine import solve
from stepper.lesson.checks import check_dense, check_lesson, step_count
from stepper.lesson.errors import LessonError
from stepper.lesson.load import lesson_from_text
from stepper.lesson.normalize_checks import normalization_steps
from stepper.lesson.schema import DenseLesson
from stepper.numbers import parse_shown
from stepper.steps import Phase, Solution, Step
from tests.conftest import solved
from tests.test_hostile import refused, refused_solve

H = 1e-6
ABS, REL = 1e-6, 1e-5
ACT = {
    "linear": lambda u: u,
    "tanh": np.tanh,
    "sigmoid": lambda u: 1 / (1 + np.exp(-u)),
}


def lesson(**training: Any) -> DenseLesson:
    """The salary-by-age regression in raw units (years, millions of euros), one linear
    neuron, one batch of four, with ``training`` fields added or replaced."""
    data: dict[str, Any] = {
        "id": "t",
        "network": {"inputs": 1, "layers": [{"activation": "linear", "weights": [[0.0, 0.0]]}]},
        "training": {
            "learning_rate": 0.5,
            "batch_size": 4,
            "epochs": 4,
            "samples": [
                {"x": [20.0], "y": [5.2]},
                {"x": [26.0], "y": [5.5]},
                {"x": [32.0], "y": [5.7]},
                {"x": [38.0], "y": [5.9]},
            ],
            **training,
        },
    }
    return DenseLesson.model_validate(data)


def values(solution: Solution, name: str) -> dict[tuple[str, int | None], float]:
    """The steps whose key starts with ``name[`` by (key, sample)."""
    return {(s.key, s.sample): s.value for s in solution.steps if s.key.startswith(name + "[")}


def scaled(x: np.ndarray, method: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x scaled by columns, and the two statistics (min, max) or (μ, σ)."""
    if method == "minmax":
        low, high = x.min(axis=0), x.max(axis=0)
        return 2 * (x - low) / (high - low) - 1, low, high
    mean, std = x.mean(axis=0), x.std(axis=0)
    return (x - mean) / std, mean, std


# --- Statistics and scaled values -------------------------------------------------------------


def test_minmax_by_hand() -> None:
    """Ages 20..38: min 20, max 38, and 26 goes to 2·6/18 − 1 = −1/3; salaries 5.2..5.9."""
    solution = solve(lesson(normalize={"method": "minmax", "targets": True}))
    assert values(solution, "xmin") == {("xmin[1]", None): 20.0}
    assert values(solution, "xmax") == {("xmax[1]", None): 38.0}
    xn = values(solution, "xn")
    assert xn[("xn[1]", 1)] == -1.0
    assert xn[("xn[1]", 2)] == pytest.approx(-1 / 3, abs=1e-15)
    assert xn[("xn[1]", 3)] == pytest.approx(1 / 3, abs=1e-15)
    assert xn[("xn[1]", 4)] == 1.0
    yn = values(solution, "yn")
    assert yn[("yn[1]", 2)] == pytest.approx(2 * 0.3 / 0.7 - 1, abs=1e-14)
    # The input phase comes first, all in iteration 1, before any forward step.
    phases = [s.phase for s in solution.steps]
    first_forward = phases.index(Phase.FORWARD)
    assert set(phases[:first_forward]) == {Phase.INPUT}
    assert first_forward == 4 + 4 * 2  # four statistics, then x′ and y′ of four samples
    assert {s.iteration for s in solution.steps[:first_forward]} == {1}


def test_standard_matches_numpy() -> None:
    x = np.array([[20.0, 3500.0], [26.0, 1200.0], [32.0, 2500.0], [38.0, 4100.0]])
    samples = [{"x": list(row), "y": [0.1 * k]} for k, row in enumerate(x)]
    data = lesson(normalize="standard").model_dump()
    data["network"] = {"inputs": 2, "layers": [{"activation": "tanh", "weights": [[0, 0.1, -0.2]]}]}
    data["training"].update(samples=samples, batch_size=1, epochs=1)
    solution = solve(DenseLesson.model_validate(data))
    want, mean, std = scaled(x, "standard")
    for j in (1, 2):
        assert values(solution, "xmean")[(f"xmean[{j}]", None)] == pytest.approx(mean[j - 1])
        assert values(solution, "xstd")[(f"xstd[{j}]", None)] == pytest.approx(std[j - 1])
        for s in range(1, 5):
            got = values(solution, "xn")[(f"xn[{j}]", s)]
            assert got == pytest.approx(want[s - 1, j - 1], abs=1e-12)
    # The forward pass reads x′, never the raw inputs.
    u = next(s for s in solution.steps if s.key == "u[1,1]")
    assert [q.key for q in u.operands[1::2]] == ["x[0]", "xn[1]", "xn[2]"]


def test_given_statistics_make_no_steps_and_scale_with_the_given_numbers() -> None:
    stats = {"min": [0.0], "max": [40.0]}
    solution = solve(lesson(normalize={"method": "minmax", "inputs": stats}))
    assert not values(solution, "xmin") and not values(solution, "xmax")
    assert values(solution, "xn")[("xn[1]", 2)] == pytest.approx(2 * 26 / 40 - 1)
    step = next(s for s in solution.steps if s.key == "xn[1]" and s.sample == 2)
    assert [q.shown for q in step.operands] == ["26", "0", "40"]
    assert all(q.step is None for q in step.operands)


def test_every_substitution_evaluates_to_its_value() -> None:
    """The displayed numbers in each new template give the step's value (quiz and readers
    compute from them)."""
    for spec in (
        {"method": "minmax", "targets": True, "convert_back": True},
        {"method": "standard", "targets": True, "convert_back": True},
        {"method": "minmax", "convert_back": True},
        {"method": "standard", "convert_back": True},
    ):
        solution = solve(lesson(normalize=spec))
        for step in solution.steps:
            numbers = [parse_shown(q.shown) for q in step.operands]
            got = formulas.evaluate(step, numbers)
            assert got == pytest.approx(step.value, rel=1e-3, abs=2e-4), (spec, step.key)


# --- Training on scaled data: finite differences and torch ------------------------------------


unit = st.floats(min_value=-1.0, max_value=1.0, allow_nan=False, allow_infinity=False)
wide = st.floats(min_value=-5000.0, max_value=5000.0, allow_nan=False, allow_infinity=False)


@st.composite
def normalised(draw: st.DrawFn) -> dict[str, Any]:
    """A random one- or two-layer lesson with raw inputs up to thousands, normalised."""
    inputs = draw(st.integers(1, 3))
    sizes = [inputs] + [draw(st.integers(1, 3)) for _ in range(draw(st.integers(1, 2)))]
    layers = [
        {
            "activation": draw(st.sampled_from(sorted(ACT))),
            "weights": [
                draw(st.lists(unit, min_size=sizes[l - 1] + 1, max_size=sizes[l - 1] + 1))
                for _ in range(sizes[l])
            ],
        }
        for l in range(1, len(sizes))
    ]
    count = draw(st.integers(2, 4))
    targets = draw(st.booleans())
    # Targets left as they are stay small: a loss in the millions would drown the finite
    # differences in rounding (≈ 1e-16·L/H), which is the test's limit, not the engine's.
    ys = wide if targets else unit
    samples = [
        {
            "x": draw(st.lists(wide, min_size=inputs, max_size=inputs)),
            "y": draw(st.lists(ys, min_size=sizes[-1], max_size=sizes[-1])),
        }
        for _ in range(count)
    ]
    method = draw(st.sampled_from(["minmax", "standard"]))
    return {
        "network": {"inputs": inputs, "layers": layers},
        "training": {
            "learning_rate": 0.1,
            "loss": draw(st.sampled_from(["sse", "half_sse"])),
            "batch_size": count,
            "samples": samples,
            "normalize": {"method": method, "targets": targets},
        },
    }


def _spread(column: np.ndarray) -> float:
    return float(column.max() - column.min())


def numpy_loss(data: dict[str, Any], weights: list[np.ndarray]) -> float:
    """The batch's mean loss with the raw inputs scaled here, forward in numpy."""
    training = data["training"]
    spec = training["normalize"]
    x = np.array([s["x"] for s in training["samples"]])
    y = np.array([s["y"] for s in training["samples"]])
    x, _, _ = scaled(x, spec["method"])
    if spec["targets"]:
        y, _, _ = scaled(y, spec["method"])
    acts = [layer["activation"] for layer in data["network"]["layers"]]
    out = x
    for w, act in zip(weights, acts, strict=True):
        out = ACT[act](w[:, 0] + out @ w[:, 1:].T)
    per_sample = ((y - out) ** 2).sum(axis=1)
    half = 0.5 if training["loss"] == "half_sse" else 1.0
    return float(half * per_sample.mean())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(normalised())
def test_increments_are_gradient_steps_on_the_scaled_data(data: dict[str, Any]) -> None:
    for side in ("x", "y") if data["training"]["normalize"]["targets"] else ("x",):
        rows = np.array([s[side] for s in data["training"]["samples"]])
        assume(all(_spread(rows[:, j]) > 1e-3 for j in range(rows.shape[1])))
    model = DenseLesson.model_validate(data)
    assert check_dense(model) == []
    solution = solve(model)
    weights = [np.array(layer["weights"], dtype=float) for layer in data["network"]["layers"]]
    alpha = data["training"]["learning_rate"]
    mean_dw = {s.key: s.value for s in solution.steps if s.key.startswith("dw[") and not s.sample}
    for l, w in enumerate(weights, 1):
        for (i, j), _ in np.ndenumerate(w):
            plus = [m.copy() for m in weights]
            minus = [m.copy() for m in weights]
            plus[l - 1][i, j] += H
            minus[l - 1][i, j] -= H
            slope = (numpy_loss(data, plus) - numpy_loss(data, minus)) / (2 * H)
            got = mean_dw[f"dw[{l},{i + 1},{j}]"]
            assert got == pytest.approx(-alpha * slope, abs=ABS, rel=REL)


def test_training_on_scaled_data_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    solution = solve(lesson(normalize={"method": "standard", "targets": True}))
    x = torch.tensor([[20.0], [26.0], [32.0], [38.0]], dtype=torch.float64)
    y = torch.tensor([[5.2], [5.5], [5.7], [5.9]], dtype=torch.float64)
    xs = (x - x.mean(0)) / x.std(0, unbiased=False)
    ys = (y - y.mean(0)) / y.std(0, unbiased=False)
    w = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    for _ in range(4):  # four epochs of one batch: gradient steps on the mean of ε²
        loss = ((ys[:, 0] - (w[0] + w[1] * xs[:, 0])) ** 2).mean()
        (grad,) = torch.autograd.grad(loss, w)
        with torch.no_grad():
            w -= 0.5 * grad
    last = {s.key: s.value for s in solution.steps if s.key.startswith("w[")}
    assert last["w[1,1,0]"] == pytest.approx(float(w.detach()[0]), abs=1e-12)
    assert last["w[1,1,1]"] == pytest.approx(float(w.detach()[1]), abs=1e-12)


# --- Back to the original units ---------------------------------------------------------------


@pytest.mark.parametrize("method", ["minmax", "standard"])
@pytest.mark.parametrize("targets", [True, False])
def test_the_converted_line_predicts_what_the_network_predicts(method: str, targets: bool) -> None:
    """W₁₀ + W₁₁·x equals the trained neuron on x′ = scale(x), unscaled when y was scaled,
    at ages inside and outside the data."""
    spec = {"method": method, "targets": targets, "convert_back": True}
    solution = solve(lesson(normalize=spec))
    final = {s.key: s.value for s in solution.steps if s.key.startswith("w[")}
    orig = {s.key: s.value for s in solution.steps if s.key.startswith("w_orig[")}
    assert set(orig) == {"w_orig[1,1,0]", "w_orig[1,1,1]"}
    ages = np.array([[20.0], [26.0], [32.0], [38.0]])
    pay = np.array([[5.2], [5.5], [5.7], [5.9]])
    _, xa, xb = scaled(ages, method)
    _, ya, yb = scaled(pay, method)
    for age in (0.0, 20.0, 29.5, 38.0, 65.0):
        x_scaled = (
            2 * (age - xa[0]) / (xb[0] - xa[0]) - 1 if method == "minmax" else (age - xa[0]) / xb[0]
        )
        out = final["w[1,1,0]"] + final["w[1,1,1]"] * x_scaled
        if targets:
            out = (
                (out + 1) * (yb[0] - ya[0]) / 2 + ya[0]
                if method == "minmax"
                else out * yb[0] + ya[0]
            )
        line = orig["w_orig[1,1,0]"] + orig["w_orig[1,1,1]"] * age
        assert line == pytest.approx(out, abs=1e-12)


def test_the_conversion_comes_after_the_last_update_and_before_the_check() -> None:
    solution = solve(lesson(normalize={"method": "minmax", "targets": True, "convert_back": True}))
    keys = [s.key for s in solution.steps]
    first = keys.index("w_orig[1,1,1]")
    assert keys[first - 1] == "w[1,1,1]"
    assert keys[first + 1] == "w_orig[1,1,0]"
    assert solution.steps[first + 2].phase is Phase.CHECK
    assert solution.steps[first].iteration == 4
    bias = solution.steps[first + 1]
    assert "w_orig[1,1,1]" in {q.key for q in bias.operands}  # it reads the converted slope


# --- The limits count these steps --------------------------------------------------------------


@pytest.mark.parametrize(
    "spec",
    [
        "minmax",
        {"method": "standard", "targets": True},
        {"method": "minmax", "inputs": {"min": [0.0], "max": [40.0]}, "convert_back": True},
        {"method": "standard", "targets": {"mean": [5.0], "std": [1.0]}, "convert_back": True},
    ],
)
def test_the_step_count_of_the_limits_is_the_engines(spec: Any) -> None:
    model = lesson(normalize=spec)
    data = model.model_dump()
    base = step_count([1], 2, [True] * 4, 4, 4, trains=True)
    extra = normalization_steps(data["training"], 1, 1, 2)
    assert base + extra == len(solve(model).steps)


# --- Hostile values: refused where they are written --------------------------------------------

BASE = """\
language: en
network:
  inputs: 2
  layers:
    - activation: linear
      weights: [[0.0, 0.1, 0.2]]
training:
  learning_rate: 0.1
  NORMALIZE
  samples:
    - {x: [1.0, 3500.0], y: [1.0]}
    - {x: [2.0, 1000.0], y: [2.0]}
"""


def hostile(normalize: str) -> str:
    return BASE.replace("NORMALIZE", normalize)


@pytest.mark.parametrize(
    ("normalize", "place", "phrase"),
    [
        ("normalize: minmx", (9, 14), "did you mean 'minmax'"),
        ("normalize: 3", (9, 14), "'minmax' or 'standard'"),
        ("normalize: {method: minmax, scale: 2}", (9, 31), "unknown field 'scale'"),
        ("normalize: {inputs: {min: [0, 0], max: [1, 1]}}", (9, 3), "missing field 'method'"),
        ("normalize: {method: minmax, targets: 2}", (9, 40), "true or false"),
        ("normalize: {method: minmax, targets: {min: [0]}}", (9, 41), "min without max"),
        (
            "normalize: {method: minmax, inputs: {mean: [0, 0], std: [1, 1]}}",
            (9, 40),
            "mean is a statistic of standard",
        ),
        (
            "normalize: {method: standard, inputs: {mean: [0], std: [1, 1]}}",
            (9, 48),
            "mean has 1 numbers",
        ),
        (
            "normalize: {method: minmax, inputs: {min: [0, 5], max: [1, 5]}}",
            (9, 62),
            "the range of x₂ is empty",
        ),
        (
            "normalize: {method: standard, inputs: {mean: [0, 0], std: [1, -2]}}",
            (9, 65),
            "standard deviation of x₂ must be > 0",
        ),
        (
            "normalize: {method: standard, inputs: {mean: [0, 0], std: [1, .nan]}}",
            (9, 65),
            "finite",
        ),
        (
            "normalize: {method: minmax, targets: {min: [0, 1], max: [2, 3]}}",
            (9, 46),
            "one per input or output is needed: 1 output",
        ),
        ("normalize: {method: minmax, convert_back: yes}", (9, 45), "true or false"),
    ],
)
def test_a_wrong_normalize_is_refused_at_its_place(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    normalize: str,
    place: tuple[int, int],
    phrase: str,
) -> None:
    refused(tmp_path, capsys, hostile(normalize), place, phrase)


def test_a_column_without_spread_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = hostile("normalize: standard").replace("[2.0, 1000.0]", "[1.0, 1000.0]")
    refused(tmp_path, capsys, text, (9, 3), "x₁ is 1 in every sample")


def test_targets_need_a_y_and_no_cross_entropy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    no_y = hostile("normalize: {method: minmax, targets: true}").replace(", y: [1.0]}", "}")
    no_y = no_y.replace(", y: [2.0]}", "}").replace("  learning_rate: 0.1\n", "")
    refused(tmp_path, capsys, no_y, (8, 40), "no sample has a y")
    ce = hostile("normalize: {method: minmax, targets: true}\n  loss: cross_entropy")
    ce = ce.replace("activation: linear", "activation: softmax")
    ce = ce.replace("[[0.0, 0.1, 0.2]]", "[[0.0, 0.1, 0.2], [0.0, 0.0, 0.0]]")
    ce = ce.replace("y: [1.0]", "y: [1.0, 0.0]").replace("y: [2.0]", "y: [0.0, 1.0]")
    refused(tmp_path, capsys, ce, (9, 40), "probabilities")


def test_convert_back_needs_one_linear_layer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tanh = hostile("normalize: {method: minmax, convert_back: true}").replace(
        "activation: linear", "activation: tanh"
    )
    refused(tmp_path, capsys, tanh, (9, 45), "linear neurons")
    two = hostile("normalize: {method: minmax, convert_back: true}").replace(
        "      weights: [[0.0, 0.1, 0.2]]\n",
        "      weights: [[0.0, 0.1, 0.2]]\n    - activation: linear\n      weights: [[0.0, 1.0]]\n",
    )
    refused(tmp_path, capsys, two, (11, 45), "this network has 2 layers")


def test_a_note_on_a_key_normalisation_does_not_make_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = hostile("normalize: minmax") + "notes:\n  xn[1]: fine\n  xmean[1]: never shown\n"
    refused(tmp_path, capsys, text, (15, 3), "does not compute xmean")
    text = hostile("normalize: minmax") + "notes:\n  xmin[3]: x₃ does not exist\n"
    refused(tmp_path, capsys, text, (14, 3), "the network has 2 inputs")


def test_a_range_that_rounds_to_zero_is_refused_when_solved(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = hostile("normalize: minmax").replace(
        "language: en\n", "language: en\ndisplay: {decimals: 0, round_intermediate: true}\n"
    )
    text = text.replace("[1.0, 3500.0]", "[0.1, 3500.0]").replace("[2.0, 1000.0]", "[0.2, 1000.0]")
    refused_solve(tmp_path, capsys, text, (10, 14), "x₁ has no spread")


def test_notes_on_the_new_keys_are_shown() -> None:
    text = hostile("normalize: {method: minmax, convert_back: true}") + (
        "notes:\n  xmin[2]: the smallest\n  xn[2]: scaled\n  w_orig[1,1,2]: back\n"
    )
    solution = solve(lesson_from_text(text, "notes.yaml"))
    noted = {s.key: s.note for s in solution.steps if s.note}
    assert noted == {"xmin[2]": "the smallest", "xn[2]": "scaled", "w_orig[1,1,2]": "back"}


def test_the_schema_describes_normalize() -> None:
    from stepper.scaffold import json_schema

    defs = json_schema()["$defs"]
    assert set(defs["Normalize"]["properties"]) == {"method", "inputs", "targets", "convert_back"}
    assert defs["Normalize"]["additionalProperties"] is False
    assert set(defs["Statistics"]["properties"]) == {"min", "max", "mean", "std"}
    for field in defs["Normalize"]["properties"].values():
        assert field["description"]
    json.dumps(defs)


def test_check_lesson_reads_a_model_dump() -> None:
    """The app's edits and exam variants check the dumped model: its None statistics are
    statistics not given."""
    model = lesson(normalize={"method": "minmax", "targets": True, "convert_back": True})
    assert check_lesson(model.model_dump()) == []
    with pytest.raises(LessonError):
        lesson_from_text(hostile("normalize: {method: minmax, inputs: {min: [0, 0]}}"), "x.yaml")
    assert math.isfinite(solve(model).steps[-1].value)


def test_a_run_may_normalise_while_another_does_not() -> None:
    """``runs`` with ``normalize``: the run that normalises has its own input phase, its keys
    prefixed; the raw run reads the inputs as given; both start from the lesson's weights."""
    model = lesson(
        runs=[{"id": "raw", "learning_rate": 0.001}, {"id": "norm", "normalize": "minmax"}]
    )
    solution = solve(model)
    keys = [s.key for s in solution.steps]
    assert "norm.xmin[1]" in keys and "norm.xn[1]" in keys
    assert not any(k.startswith("raw.x") for k in keys)
    raw_u = next(s for s in solution.steps if s.key == "raw.u[1,1]")
    norm_u = next(s for s in solution.steps if s.key == "norm.u[1,1]")
    assert [q.value for q in raw_u.operands[1::2]] == [1.0, 20.0]
    assert [q.value for q in norm_u.operands[1::2]] == [1.0, -1.0]
    assert [q.key for q in norm_u.operands[1::2]] == ["x[0]", "norm.xn[1]"]
    # each run's value of every field some run sets (the lesson's α where a run keeps it)
    assert {r.id: dict(r.settings) for r in solution.runs} == {
        "raw": {"learning_rate": 0.001, "normalize": None},
        "norm": {"learning_rate": 0.5, "normalize": "minmax"},
    }


def test_a_note_names_the_run_that_normalises(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """In a lesson with runs, a note on a run's normalisation key is shown when that run
    normalises, and refused when it does not (its keys would never be made)."""
    runs = hostile("runs: [{id: raw}, {id: norm, normalize: minmax}]")
    solution = solve(lesson_from_text(runs + "notes:\n  norm.xmin[1]: here\n", "ok.yaml"))
    assert [s.note for s in solution.steps if s.key == "norm.xmin[1]"] == ["here"]
    refused(tmp_path, capsys, runs + "notes:\n  raw.xmin[1]: never\n", (14, 3), "xmin")


# --- normalize-1: the lecture's w = 0.3, x₁ = 1.2, x₂ = 3500.0 --------------------------------


def exact(step: Step) -> float:
    """A step's value at full precision: normalize-1 rounds as on paper, and each step keeps
    the value of the run that does not."""
    return step.exact if step.exact is not None else step.value


LECTURE_SAMPLES = [((1.2, 3500.0), 0.6), ((0.4, 1000.0), 0.2), ((1.6, 5000.0), 0.9)]


def test_normalize_1_raw_increments_are_thousands_of_times_apart() -> None:
    """The lecture's sample on the raw inputs, worked with exact fractions: δ = 0.6 − ỹ, and
    Δw₁₂/Δw₁₁ = x₂/x₁ = 3500/1.2 ≈ 2917."""
    from fractions import Fraction as F

    steps = {(s.key, s.sample): exact(s) for s in solved("normalize-1").steps}
    alpha = F(1, 10**8)
    delta = F("0.6") - (F("0.3") * F("1.2") + F("0.3") * 3500)
    assert steps[("crudo.d[1,1]", 1)] == pytest.approx(float(delta), rel=1e-15)
    dw1 = 2 * alpha * F("1.2") * delta
    dw2 = 2 * alpha * 3500 * delta
    assert steps[("crudo.dw[1,1,1]", 1)] == pytest.approx(float(dw1), rel=1e-13)
    assert steps[("crudo.dw[1,1,2]", 1)] == pytest.approx(float(dw2), rel=1e-13)
    assert dw2 / dw1 == F(3500) / F("1.2")
    assert 2900 < steps[("crudo.dw[1,1,2]", 1)] / steps[("crudo.dw[1,1,1]", 1)] < 2930


def test_normalize_1_scaled_increments_are_alike() -> None:
    """Scaled by the three samples' ranges, the lecture's sample is x′ = (1/3, 1/4); with
    α = 0.1 its increments are 2αx′δ, in the ratio 3/4."""
    from fractions import Fraction as F

    solution = solved("normalize-1")
    steps = {(s.key, s.sample): exact(s) for s in solution.steps}
    x1 = 2 * (F("1.2") - F("0.4")) / (F("1.6") - F("0.4")) - 1
    x2 = 2 * (F(3500) - 1000) / (5000 - 1000) - 1
    assert (x1, x2) == (F(1, 3), F(1, 4))
    assert (
        steps[("normalizado.xmin[1]", None)] == 0.4
        and steps[("normalizado.xmax[2]", None)] == 5000.0
    )
    delta = F("0.6") - F("0.3") * (x1 + x2)
    dw1, dw2 = 2 * F(1, 10) * x1 * delta, 2 * F(1, 10) * x2 * delta
    assert steps[("normalizado.dw[1,1,1]", 1)] == pytest.approx(float(dw1), rel=1e-13)
    assert steps[("normalizado.dw[1,1,2]", 1)] == pytest.approx(float(dw2), rel=1e-13)
    assert dw2 / dw1 == F(3, 4)


def test_normalize_1_both_runs_match_torch() -> None:
    """Both runs trained again with torch, by SGD from w = (0, 0.3, 0.3): the raw one with
    α = 10⁻⁸ on the inputs as given, the other with α = 0.1 on inputs scaled by torch; the
    final weights and each run's mean loss over the three samples after training."""
    torch = pytest.importorskip("torch")
    x = torch.tensor([s[0] for s in LECTURE_SAMPLES], dtype=torch.float64)
    y = torch.tensor([s[1] for s in LECTURE_SAMPLES], dtype=torch.float64)
    low, high = x.min(0).values, x.max(0).values
    scaled_x = 2 * (x - low) / (high - low) - 1
    # The lesson rounds as on paper; each step keeps its value at full precision too.
    final = {
        s.key: s.exact if s.exact is not None else s.value for s in solved("normalize-1").steps
    }
    for run, inputs, alpha in (("crudo", x, 1e-8), ("normalizado", scaled_x, 0.1)):
        w = torch.tensor([0.0, 0.3, 0.3], dtype=torch.float64, requires_grad=True)
        for k in range(3):
            loss = (y[k] - (w[0] + w[1:] @ inputs[k])) ** 2
            (grad,) = torch.autograd.grad(loss, w)
            with torch.no_grad():
                w -= alpha * grad
        w = w.detach()
        got = [final[f"{run}.w[1,1,{j}]"] for j in range(3)]
        assert got == pytest.approx(w.tolist(), rel=1e-12, abs=1e-15)
        mean = float(((y - (w[0] + inputs @ w[1:])) ** 2).mean())
        assert final[f"{run}.check.batch_loss"] == pytest.approx(mean, rel=1e-10)
    assert final["crudo.check.batch_loss"] > 1e5
    assert final["normalizado.check.batch_loss"] < 0.1
