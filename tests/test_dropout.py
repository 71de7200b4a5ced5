"""Dropout on a dense layer: z̃ = r·z/(1 − p) forward, γ through the same factor backward.

Checked against computations that share nothing with the engine: dropout-1 worked here in
exact fractions where it can be and in plain float arithmetic where tanh is needed; random
networks with random masks against central finite differences of a numpy forward pass written
here (the mask fixed, as the lesson fixes it); the same networks against torch autograd, with
the mask drawn by torch's own ``F.dropout`` (so inverted scaling is torch's, not ours); and
every wrong value of the new fields answered by a located error, exit 2, no traceback.
"""

from __future__ import annotations

import math
from pathlib import Path
from textwrap import dedent
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stepper.cli import main
from stepper.engine import solve
from stepper.lesson.checks import check_dense
from stepper.lesson.schema import DenseLesson
from stepper.steps import Phase, Solution
from tests.conftest import builtin_lesson, solved

BAD_INPUT = 2
H = 1e-6
ABS, REL = 1e-6, 1e-5
unit = st.floats(min_value=-1.0, max_value=1.0, allow_nan=False, allow_infinity=False)
ACTIVATIONS = ("linear", "tanh", "sigmoid", "relu")


def values(solution: Solution) -> dict[str, float]:
    """The value of each key of the first iteration (its first occurrence)."""
    out: dict[str, float] = {}
    for step in solution.steps:
        out.setdefault(step.key, step.value)
    return out


# --- dropout-1, worked here --------------------------------------------------------------------


def test_dropout_1_by_hand() -> None:
    """backprop-2's numbers with r = (1, 0) and p = 1/2: z̃₁ = 2 z₁, z̃₂ = 0, γ₂ = 0, and the
    weights into and out of neuron 2 keep their values."""
    v = values(solved("dropout-1"))
    z1 = math.tanh(0.1 - 0.2 * 0.1 + 0.3 * 0.7)
    assert v["y[1,1]"] == pytest.approx(z1, abs=1e-15)
    assert v["drop[1,1]"] == pytest.approx(2 * z1, abs=1e-15)
    assert v["drop[1,2]"] == 0.0
    u3 = 0.2 + 0.5 * 2 * z1 - 0.4 * 0
    eps = 1.0 - u3
    assert v["u[2,1]"] == pytest.approx(u3, abs=1e-15)
    assert v["loss"] == pytest.approx(eps**2, abs=1e-15)
    g1 = (1 - z1**2) * eps * 0.5 * 2  # r₁/(1 − p) = 2
    assert v["d[1,1]"] == pytest.approx(g1, abs=1e-15)
    assert v["d[1,2]"] == 0.0
    assert v["dw[2,1,1]"] == pytest.approx(2 * 0.1 * 2 * z1 * eps, abs=1e-15)
    for key in ("dw[2,1,2]", "dw[1,2,0]", "dw[1,2,1]", "dw[1,2,2]"):
        assert v[key] == 0.0, key
    assert v["w[1,2,2]"] == -0.6 and v["w[2,1,2]"] == -0.4
    assert v["dw[1,1,2]"] == pytest.approx(2 * 0.1 * 0.7 * g1, abs=1e-15)


def test_the_explanations_say_why_the_dropped_neuron_gets_no_error() -> None:
    steps = {s.key: s for s in solved("dropout-1", "en").steps}
    assert "drops neuron 2" in steps["drop[1,2]"].explanation
    assert "keeps neuron 1" in steps["drop[1,1]"].explanation
    assert "training only" in steps["drop[1,1]"].explanation  # said once, at the first
    assert "training only" not in steps["drop[1,2]"].explanation
    assert "no error comes back" in steps["d[1,2]"].explanation
    assert "r₁/(1 − p)" in steps["d[1,1]"].explanation
    assert "neuron 2 was dropped" in steps["dw[1,2,1]"].explanation
    assert "output of neuron 2" in steps["dw[2,1,2]"].explanation
    assert "dropped" not in steps["dw[1,1,1]"].explanation
    assert "same mask" in steps["check.drop[1,2]"].explanation


def test_the_formulas_show_the_mask() -> None:
    from stepper.formulas import formula, substituted

    steps = {s.key: s for s in solved("dropout-1").steps}
    assert formula(steps["drop[1,2]"], "unicode") == "z̃₂ = r₂ · z₂/(1 − p)"
    assert substituted(steps["drop[1,2]"], "text") == "0*0.11943/(1 - 0.5)"
    assert formula(steps["d[1,2]"], "unicode") == "γ₂ = r₂ · (1 − z₂²) · δ₃ · t₃₂/(1 − p)"
    assert formula(steps["u[2,1]"], "unicode") == "u₃ = t₃₀ · z₀ + t₃₁ · z̃₁ + t₃₂ · z̃₂"


# --- Random networks: finite differences and torch ----------------------------------------------


@st.composite
def lessons(draw: st.DrawFn) -> dict[str, Any]:
    """A dense lesson of 2–3 layers with dropout on some hidden layers: one mask, or one per
    sample; some samples without y (their masks all 1, as the checks ask)."""
    inputs = draw(st.integers(1, 3))
    n_layers = draw(st.integers(2, 3))
    sizes = [inputs] + [draw(st.integers(1, 4)) for _ in range(n_layers)]
    n_samples = draw(st.integers(1, 3))
    samples = []
    for k in range(n_samples):
        sample: dict[str, Any] = {"x": draw(st.lists(unit, min_size=inputs, max_size=inputs))}
        if k == 0 or draw(st.integers(0, 3)):
            sample["y"] = draw(st.lists(unit, min_size=sizes[-1], max_size=sizes[-1]))
        samples.append(sample)
    layers = []
    for l in range(1, n_layers + 1):
        rows = [
            draw(st.lists(unit, min_size=sizes[l - 1] + 1, max_size=sizes[l - 1] + 1))
            for _ in range(sizes[l])
        ]
        layer: dict[str, Any] = {"activation": draw(st.sampled_from(ACTIVATIONS)), "weights": rows}
        if l == 1 or (l < n_layers and draw(st.booleans())):
            bits = st.lists(st.integers(0, 1), min_size=sizes[l], max_size=sizes[l])
            rate = draw(st.sampled_from([0.1, 0.25, 0.5, 0.8]))
            if draw(st.booleans()):
                mask: Any = draw(bits)
            else:
                mask = [draw(bits) if "y" in s else [1] * sizes[l] for s in samples]
            layer["dropout"] = {"rate": rate, "mask": mask}
        layers.append(layer)
    return {
        "network": {"inputs": inputs, "layers": layers},
        "training": {
            "learning_rate": draw(st.sampled_from([0.05, 0.1, 0.5])),
            "loss": draw(st.sampled_from(["sse", "half_sse"])),
            "samples": samples,
            "batch_size": draw(st.integers(1, n_samples)),
        },
    }


def _activate(name: str, u: np.ndarray) -> np.ndarray:
    if name == "tanh":
        return np.tanh(u)
    if name == "sigmoid":
        return 1.0 / (1.0 + np.exp(-u))
    if name == "relu":
        return np.maximum(u, 0.0)
    return u


def _mask(layer: dict[str, Any], s: int) -> np.ndarray | None:
    dropout = layer.get("dropout")
    if dropout is None:
        return None
    mask = dropout["mask"]
    bits = mask[s] if isinstance(mask[0], list) else mask
    return np.array(bits, dtype=float) / (1.0 - dropout["rate"])


def _loss(data: dict[str, Any], weights: list[np.ndarray], s: int) -> float:
    """Sample s's loss (0-based) in numpy, the mask applied when it has y."""
    sample = data["training"]["samples"][s]
    a = np.array(sample["x"], dtype=float)
    for layer, w in zip(data["network"]["layers"], weights, strict=True):
        a = _activate(layer["activation"], w[:, 0] + w[:, 1:] @ a)
        factor = _mask(layer, s)
        if factor is not None and "y" in sample:
            a = a * factor
    err = np.array(sample["y"]) - a
    total = float((err**2).sum())
    return total if data["training"]["loss"] == "sse" else 0.5 * total


def _first_batch(data: dict[str, Any]) -> list[int]:
    training = data["training"]
    batch = range(min(training["batch_size"], len(training["samples"])))
    return [s for s in batch if "y" in training["samples"][s]]


def _first_increments(solution: Solution) -> dict[tuple[int, int, int], float]:
    """The first iteration's applied Δw (the mean, in a batch of several)."""
    out: dict[tuple[int, int, int], float] = {}
    for step in solution.steps:
        if step.iteration == 1 and step.key.startswith("dw["):
            l, i, j = (int(v) for v in step.key[3:-1].split(","))
            out[(l, i, j)] = step.value  # a batch's mean comes after its samples' increments
    return out


def _fd_check(data: dict[str, Any]) -> None:
    lesson = DenseLesson.model_validate(data)
    assert check_dense(lesson) == []
    solution = solve(lesson)
    batch = _first_batch(data)
    alpha = data["training"]["learning_rate"]
    weights = [np.array(layer["weights"], dtype=float) for layer in data["network"]["layers"]]
    increments = _first_increments(solution)

    def mean_loss(ws: list[np.ndarray]) -> float:
        return sum(_loss(data, ws, s) for s in batch) / len(batch)

    losses = [s.value for s in solution.steps if s.key == "loss" and s.iteration == 1]
    assert losses == pytest.approx([_loss(data, weights, s) for s in batch], rel=1e-12, abs=1e-14)
    for (l, i, j), dw in increments.items():
        plus = [w.copy() for w in weights]
        minus = [w.copy() for w in weights]
        plus[l - 1][i - 1, j] += H
        minus[l - 1][i - 1, j] -= H
        fd = (mean_loss(plus) - mean_loss(minus)) / (2 * H)
        assert dw == pytest.approx(-alpha * fd, rel=REL, abs=ABS), (l, i, j)
    # A dropped neuron's γ is exactly 0, not merely small.
    for step in solution.steps:
        if step.key.startswith("d[") and step.iteration == 1 and step.sample is not None:
            l, i = (int(v) for v in step.key[2:-1].split(","))
            factor = _mask(data["network"]["layers"][l - 1], step.sample - 1)
            if factor is not None and factor[i - 1] == 0:
                assert step.value == 0.0


def _away_from_kinks(data: dict[str, Any]) -> bool:
    """Whether no ReLU's u is within 1e-4 of 0 for a trained sample of the first batch."""
    weights = [np.array(layer["weights"], dtype=float) for layer in data["network"]["layers"]]
    for s in _first_batch(data):
        sample = data["training"]["samples"][s]
        a = np.array(sample["x"], dtype=float)
        for layer, w in zip(data["network"]["layers"], weights, strict=True):
            u = w[:, 0] + w[:, 1:] @ a
            if layer["activation"] == "relu" and np.any(np.abs(u) < 1e-4):
                return False
            a = _activate(layer["activation"], u)
            factor = _mask(layer, s)
            a = a * factor if factor is not None else a
    return True


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=lessons())
def test_every_increment_with_dropout_is_minus_alpha_times_the_gradient(
    data: dict[str, Any],
) -> None:
    """Δw = −α ∂(mean loss)/∂w with the lesson's masks fixed, for every weight of the first
    update, also those of dropped neurons (0) and of a batch's per-sample masks."""
    if _away_from_kinks(data):
        _fd_check(data)


def test_a_batch_with_one_mask_per_sample() -> None:
    """A fixed case of the property: two samples with different masks in one batch, and a
    third without y that passes with no mask."""
    data = {
        "network": {
            "inputs": 2,
            "layers": [
                {
                    "activation": "tanh",
                    "weights": [[0.1, -0.2, 0.3], [0.5, 0.4, -0.6], [-0.3, 0.2, 0.1]],
                    "dropout": {"rate": 0.25, "mask": [[1, 0, 1], [0, 1, 1], [1, 1, 1]]},
                },
                {"activation": "sigmoid", "weights": [[0.2, 0.5, -0.4, 0.3]]},
            ],
        },
        "training": {
            "learning_rate": 0.5,
            "loss": "half_sse",
            "batch_size": 3,
            "samples": [
                {"x": [0.1, 0.7], "y": [1.0]},
                {"x": [-0.4, 0.2], "y": [0.0]},
                {"x": [0.3, 0.3]},
            ],
        },
    }
    _fd_check(data)
    solution = solve(DenseLesson.model_validate(data))
    assert {s.sample for s in solution.steps if s.key.startswith("drop[")} == {1, 2}
    forward_only = {s.key: s for s in solution.steps if s.sample == 3}
    assert "u[2,1]" in forward_only
    assert [q.key for q in forward_only["u[2,1]"].operands[1::2]] == [
        "y[1,0]",
        *[f"y[1,{i}]" for i in (1, 2, 3)],
    ]


def test_against_torch_with_torchs_own_mask() -> None:
    """torch draws the mask with F.dropout (training=True), which scales a kept value by
    1/(1 − p); the mask it drew goes into the lesson, and the engine's loss, γ and every Δw
    must be torch's."""
    torch = pytest.importorskip("torch")
    f = torch.nn.functional
    torch.manual_seed(13)
    p = 0.4
    for trial in range(20):
        w1 = torch.rand(4, 4, dtype=torch.float64) * 2 - 1
        w2 = torch.rand(2, 5, dtype=torch.float64) * 2 - 1
        x = torch.rand(3, dtype=torch.float64) * 2 - 1
        y = torch.rand(2, dtype=torch.float64) * 2 - 1
        w1.requires_grad_(True)
        w2.requires_grad_(True)
        z = torch.tanh(w1[:, 0] + w1[:, 1:] @ x)
        kept = f.dropout(torch.ones(4, dtype=torch.float64), p=p, training=True)
        mask = [int(v != 0) for v in kept.tolist()]
        assert all(math.isclose(v, 1 / (1 - p)) for v in kept.tolist() if v)
        out = torch.sigmoid(w2[:, 0] + w2[:, 1:] @ (z * kept))
        loss = ((y - out) ** 2).sum()
        loss.backward()
        data = {
            "network": {
                "inputs": 3,
                "layers": [
                    {
                        "activation": "tanh",
                        "weights": w1.detach().tolist(),
                        "dropout": {"rate": p, "mask": mask},
                    },
                    {"activation": "sigmoid", "weights": w2.detach().tolist()},
                ],
            },
            "training": {
                "learning_rate": 0.1,
                "samples": [{"x": x.tolist(), "y": y.tolist()}],
            },
        }
        solution = solve(DenseLesson.model_validate(data))
        v = values(solution)
        assert v["loss"] == pytest.approx(loss.item(), rel=1e-12), trial
        for l, w in ((1, w1), (2, w2)):
            assert w.grad is not None
            for i in range(w.shape[0]):
                for j in range(w.shape[1]):
                    dw = v[f"dw[{l},{i + 1},{j}]"]
                    assert dw == pytest.approx(-0.1 * w.grad[i, j].item(), rel=1e-9, abs=1e-15)


def test_a_sample_without_y_passes_with_no_mask() -> None:
    """No drop steps, the next layer reads z itself, and the picture of that sample draws no
    neuron dropped and no z̃."""
    from stepper.pictures.network import network_scene

    data = {
        "network": {
            "inputs": 1,
            "layers": [
                {
                    "activation": "tanh",
                    "weights": [[0.1, 0.5], [0.2, -0.3]],
                    "dropout": {"rate": 0.5, "mask": [0, 1]},
                },
                {"activation": "linear", "weights": [[0.0, 1.0, 1.0]]},
            ],
        },
        "training": {"learning_rate": 0.1, "samples": [{"x": [0.4], "y": [1.0]}, {"x": [0.4]}]},
    }
    solution = solve(DenseLesson.model_validate(data))
    assert {s.sample for s in solution.steps if s.key.startswith("drop[")} == {1}
    last = solution.steps[-1]
    assert last.key == "y[2,1]" and last.sample == 2
    w = {s.key: s.value for s in solution.steps if s.key.startswith("w[")}  # after sample 1
    z = [math.tanh(w[f"w[1,{i},0]"] + 0.4 * w[f"w[1,{i},1]"]) for i in (1, 2)]
    expected = w["w[2,1,0]"] + w["w[2,1,1]"] * z[0] + w["w[2,1,2]"] * z[1]  # no mask, no 1/(1 − p)
    assert last.value == pytest.approx(expected, abs=1e-15)
    scene = network_scene(solution, len(solution.steps), len(solution.steps) - 1, "en", 100)
    texts = " ".join(getattr(i, "text", "") for i in scene.items)
    # tgh: as the formulas of the solution (in the lesson's Spanish) write it.
    assert "(1 tgh)" in texts and "✕" not in texts and "z̃" not in texts


def test_the_check_phase_keeps_the_mask() -> None:
    """The loss before and after the update are of the same thinned network: the check's
    values are numpy's, with the mask, after one step w − α ∂L/∂w taken here by central
    differences."""
    lesson = builtin_lesson("dropout-1")
    data = lesson.model_dump(exclude_none=True)
    weights = [np.array(layer["weights"], dtype=float) for layer in data["network"]["layers"]]
    alpha = data["training"]["learning_rate"]
    new = [w.copy() for w in weights]
    for l, w in enumerate(weights):
        for i, j in np.ndindex(*w.shape):
            plus = [m.copy() for m in weights]
            minus = [m.copy() for m in weights]
            plus[l][i, j] += H
            minus[l][i, j] -= H
            new[l][i, j] -= alpha * (_loss(data, plus, 0) - _loss(data, minus, 0)) / (2 * H)
    check = {s.key: s for s in solve(lesson).steps if s.phase is Phase.CHECK}
    z = np.tanh(new[0][:, 0] + new[0][:, 1:] @ np.array([0.1, 0.7]))
    assert check["check.y[1,1]"].value == pytest.approx(z[0], abs=1e-9)
    assert check["check.drop[1,1]"].value == pytest.approx(2 * z[0], abs=1e-9)
    assert check["check.drop[1,2]"].value == 0.0
    assert check["check.loss"].value == pytest.approx(_loss(data, new, 0), abs=1e-9)


def test_the_picture_draws_the_dropped_neuron() -> None:
    from stepper.pictures.network import network_scene

    solution = solved("dropout-1", "en")
    scene = network_scene(solution, len(solution.steps), None, "en", 100)
    glyphs = [i.text for i in scene.items if getattr(i, "text", "").startswith("(")]
    assert any("2" in g and "✕" in g for g in glyphs), glyphs
    assert not any("1" in g and "✕" in g for g in glyphs), glyphs
    texts = " ".join(getattr(i, "text", "") for i in scene.items)
    assert "z̃₂ = 0" in texts and "z̃₁ = " in texts


# --- Hostile input --------------------------------------------------------------------------

LESSON = """\
network:
  inputs: 2
  layers:
    - activation: tanh
      weights:
        - [0.1, -0.2, 0.3]
        - [0.5, 0.4, -0.6]
      dropout:
{dropout}
    - activation: linear
      weights:
        - [0.2, 0.5, -0.4]
training:
  learning_rate: 0.1
  samples:
    - x: [0.1, 0.7]
      y: [1.0]
    - x: [0.2, 0.3]
"""


def _indent(text: str) -> str:
    return "\n".join("        " + line for line in dedent(text).splitlines())


HOSTILE = [
    ("rate: 1\nmask: [1, 0]", 9, "< 1"),
    ("rate: -0.1\nmask: [1, 0]", 9, "≥ 0"),
    ("rate: .nan\nmask: [1, 0]", 9, "finite"),
    ("rate: '0.5'\nmask: [1, 0]", 9, "number"),
    ("rate: 0\nmask: [1, 0]", 9, "drops no neuron"),
    ("rate: 0.5\nmask: [1, 0, 1]", 10, "has 3 values"),
    ("rate: 0.5\nmask: [1, 2]", 10, "≤ 1"),
    ("rate: 0.5\nmask: [1, true]", 10, "whole number"),
    ("rate: 0.5\nmask: [1, 1.0]", 10, "whole number"),
    ("rate: 0.5\nmask: []", 10, "at least 1"),
    ("rate: 0.5\nmask: [[1, 0]]", 10, "1 lists, one per sample"),
    ("rate: 0.5\nmask: [[1, 0], [1]]", 10, "has 1 value"),
    ("rate: 0.5\nmask: [[1, 0], [0, 1]]", 10, "sample 2 has no y"),
    ("rate: 0.5\nmask: [1, 0]\nkeep: [1, 0]", 11, "keep"),
    ("rate: 0.5", 8, "mask"),
]


@pytest.mark.usefixtures("english_problems")
@pytest.mark.parametrize(("dropout", "line", "phrase"), HOSTILE)
def test_wrong_dropout_is_a_located_error(
    dropout: str,
    line: int,
    phrase: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(LESSON.format(dropout=_indent(dropout)), encoding="utf-8")
    code = main(["check", str(path)])
    _, err = capsys.readouterr()
    assert code == BAD_INPUT
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"{path}:{line}:"), err
    assert phrase in lines[0], err
    assert "Traceback" not in err


@pytest.mark.usefixtures("english_problems")
def test_dropout_on_the_output_layer_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = LESSON.format(dropout=_indent("rate: 0.5\nmask: [1, 1]")).replace(
        "        - [0.2, 0.5, -0.4]\n",
        "        - [0.2, 0.5, -0.4]\n      dropout: {rate: 0.5, mask: [1]}\n",
    )
    path = tmp_path / "last.yaml"
    path.write_text(text, encoding="utf-8")
    assert main(["check", str(path)]) == BAD_INPUT
    err = capsys.readouterr().err
    assert err.startswith(f"{path}:14:7: dropout acts on the outputs of a hidden layer"), err


def test_the_quiz_recognises_a_kept_value_left_unscaled() -> None:
    """Forgetting the 1/(1 − p) of inverted dropout is a named mistake, on z̃ and on γ."""
    from stepper.quiz.mistakes import Mistakes

    solution = solved("dropout-1", "en")
    mistakes = Mistakes(solution)
    steps = {s.key: s for s in solution.steps}
    z1 = steps["y[1,1]"].value
    for key, unscaled in (("drop[1,1]", z1), ("d[1,1]", steps["d[1,1]"].value / 2)):
        step = steps[key]
        found = {
            d.name: v for d, v in mistakes.alternatives(step, [q.value for q in step.operands])
        }
        assert found["unscaled"] == pytest.approx(unscaled, rel=1e-12), key
    dropped = steps["drop[1,2]"]
    found = {d.name for d, _ in mistakes.alternatives(dropped, [q.value for q in dropped.operands])}
    assert "unscaled" not in found  # 0 either way: nothing to diagnose


def test_dropout_in_runs() -> None:
    """Each run of ``training.runs`` applies the same masks; its prefixed steps say why their
    increments are 0, as the lesson without runs does."""
    from stepper.catalog import builtin_folder
    from stepper.lesson.load import load_lesson

    lesson = load_lesson(builtin_folder() / "dropout-1.yaml", "dropout-1")
    assert isinstance(lesson, DenseLesson)
    runs = [{"id": "slow", "learning_rate": 0.1}, {"id": "fast", "learning_rate": 0.5}]
    data = lesson.model_dump(exclude_none=True)
    data["training"]["runs"] = runs
    both = solve(DenseLesson.model_validate(data), "en")
    alone = values(solve(lesson, "en"))
    steps = {s.key: s for s in both.steps}
    assert steps["slow.dw[1,1,1]"].value == alone["dw[1,1,1]"]
    assert steps["fast.dw[1,1,1]"].value == pytest.approx(5 * alone["dw[1,1,1]"], rel=1e-12)
    for run in ("slow", "fast"):
        assert steps[f"{run}.drop[1,2]"].value == 0.0
        assert steps[f"{run}.d[1,2]"].value == 0.0
        assert "neuron 2 was dropped" in steps[f"{run}.dw[1,2,1]"].explanation
        assert "output of neuron 2" in steps[f"{run}.dw[2,1,2]"].explanation
