"""Frozen layers (``trainable: false``) and the lesson freeze-1, against computations written
here: numpy, central finite differences of ε², torch autograd, and random networks.

What must hold for any network: a frozen layer has no dw and no w steps; the layers that learn
move by −α ∂ε²/∂w (by finite differences, whatever is frozen around them); d steps exist
exactly for the lowest layer that learns and every layer above it, and each is −½ ∂ε²/∂u.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stepper.cli import main
from stepper.engine import solve
from stepper.lesson import checks
from stepper.lesson.load import lesson_from_text
from stepper.lesson.schema import DenseLesson, Layer, Network, Sample, Training
from stepper.steps import Solution
from tests.conftest import solved
from tests.dense_reference import finite_gradient, torch_gradient
from tests.test_hostile import edited, refused

BAD_INPUT = 2


def by_key(solution: Solution) -> dict[tuple[str, int | None], float]:
    return {(s.key, s.sample): s.value for s in solution.steps if s.phase.value != "check"}


# freeze-1 ------------------------------------------------------------------------------------


def test_freeze1_trains_t_as_backprop2_and_keeps_w() -> None:
    """The forward pass, ε and δ₃ are backprop-2's; t moves as in backprop-2 (numpy here);
    w has no increment, no new value and no γ."""
    steps = by_key(solved("freeze-1"))
    x = np.array([1.0, 0.1, 0.7])
    w = np.array([[0.1, -0.2, 0.3], [0.5, 0.4, -0.6]])
    t = np.array([0.2, 0.5, -0.4])
    z = np.concatenate([[1.0], np.tanh(w @ x)])
    eps = 1.0 - t @ z
    assert math.isclose(steps[("d[2,1]", 1)], eps, rel_tol=1e-14)
    new_t = t + 2 * 0.1 * z * eps
    for j in range(3):
        assert math.isclose(steps[(f"w[2,1,{j}]", None)], new_t[j], rel_tol=1e-14)
    keys = {k for k, _ in steps}
    assert not {k for k in keys if re.match(r"(dw|w|d)\[1,", k)}
    bp2 = by_key(solved("backprop-2"))
    shared = {k for k in steps if not k[0].startswith(("w[1", "dw[1", "d[1"))}
    assert shared <= set(bp2)
    assert all(steps[k] == bp2[k] for k in shared)


def test_freeze1_says_why_once() -> None:
    """The first increment says the frozen layer keeps its weights and that this is how a
    pretrained network is reused; δ₃ says layer 1 needs no γ; each once."""
    for lang, reuse, none in (
        ("en", "pretrained network is reused", "it needs no γ"),
        ("es", "se reutiliza una red preentrenada", "no necesita γ"),
    ):
        solution = solved("freeze-1", lang)
        words = [s.explanation for s in solution.steps]
        assert sum(reuse in w for w in words) == 1
        first = next(s for s in solution.steps if s.key.startswith("dw["))
        assert reuse in first.explanation
        delta = next(s for s in solution.steps if s.key == "d[2,1]")
        assert none in delta.explanation
        assert sum(none in w for w in words) == 1


def test_a_frozen_layer_above_one_that_learns_still_has_its_delta() -> None:
    """backprop-2 with its output layer frozen: δ₃ is computed (γ is made from it) and says
    why, the γ and the w updates are backprop-2's, t has no steps."""
    text = edited("backprop-2", "      symbol: t\n", "      symbol: t\n      trainable: false\n")
    solution = solve(lesson_from_text(text, "frozen-top"))
    steps = by_key(solution)
    bp2 = by_key(solved("backprop-2"))
    for key in ("d[2,1]", "d[1,1]", "d[1,2]", "dw[1,1,0]", "dw[1,2,2]"):
        assert steps[(key, 1)] == bp2[(key, 1)]
    assert ("w[1,2,2]", None) in steps
    assert not [k for k, _ in steps if k.startswith(("dw[2", "w[2"))]
    delta = next(s for s in solution.steps if s.key == "d[2,1]")
    assert "Layer 2 is frozen" in delta.explanation and "still needed" in delta.explanation


def test_freeze1_picture_names_the_frozen_layer() -> None:
    from stepper.pictures.network import print_scene

    for lang, word in (("es", "capa 1 · congelada"), ("en", "layer 1 · frozen")):
        solution = solved("freeze-1", lang)
        texts = [label.text for label in print_scene(solution, lang).labels()]
        assert word in texts
        assert not any("capa 2 · congelada" in t or "layer 2 · frozen" in t for t in texts)


def test_freeze1_against_torch() -> None:
    torch = pytest.importorskip("torch")
    steps = by_key(solved("freeze-1"))
    w = np.array([[0.1, -0.2, 0.3], [0.5, 0.4, -0.6]])
    t = np.array([[0.2, 0.5, -0.4]])
    grads, ugrads = torch_gradient(torch, [w, t], [["tanh"] * 2, ["linear"]], [0.1, 0.7], [1.0])
    assert math.isclose(steps[("d[2,1]", 1)], -ugrads[1][0] / 2, rel_tol=1e-13)
    for j in range(3):
        assert math.isclose(steps[(f"dw[2,1,{j}]", 1)], -0.1 * grads[1][0, j], rel_tol=1e-13)


# Random networks -----------------------------------------------------------------------------

ACTIVATIONS = st.sampled_from(["linear", "tanh", "sigmoid"])
VALUES = st.floats(-1.5, 1.5, allow_nan=False).map(lambda v: round(v, 3))


@st.composite
def networks(draw: st.DrawFn) -> tuple[DenseLesson, list[np.ndarray], list[list[str]]]:
    """2 or 3 layers of 1-3 neurons, some frozen (at least one learns), one sample, or two
    in one batch."""
    inputs = draw(st.integers(1, 3))
    sizes = draw(st.lists(st.integers(1, 3), min_size=2, max_size=3))
    trainable = draw(st.lists(st.booleans(), min_size=len(sizes), max_size=len(sizes)))
    if not any(trainable):
        trainable[draw(st.integers(0, len(sizes) - 1))] = True
    layers, weights, acts = [], [], []
    fan_in = inputs
    for size, learns in zip(sizes, trainable, strict=True):
        names = draw(st.lists(ACTIVATIONS, min_size=size, max_size=size))
        rows = [
            draw(st.lists(VALUES, min_size=fan_in + 1, max_size=fan_in + 1)) for _ in range(size)
        ]
        layers.append(Layer(activation=names, weights=rows, trainable=learns))
        weights.append(np.array(rows))
        acts.append(names)
        fan_in = size
    count = draw(st.integers(1, 2))
    samples = [
        Sample(
            x=draw(st.lists(VALUES, min_size=inputs, max_size=inputs)),
            y=draw(st.lists(VALUES, min_size=sizes[-1], max_size=sizes[-1])),
        )
        for _ in range(count)
    ]
    lesson = DenseLesson(
        network=Network(inputs=inputs, layers=layers),
        training=Training(learning_rate=0.1, samples=samples, batch_size=count),
    )
    return lesson, weights, acts


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks())
def test_frozen_layers_against_finite_differences(
    case: tuple[DenseLesson, list[np.ndarray], list[list[str]]],
) -> None:
    lesson, weights, acts = case
    solution = solve(lesson)
    trainable = [layer.trainable for layer in lesson.network.layers]
    lowest = trainable.index(True) + 1
    samples = lesson.training.samples
    steps = by_key(solution)
    keys = {k for k, _ in steps}
    for l, learns in enumerate(trainable, 1):
        has_update = any(re.match(rf"(dw|w)\[{l},", k) for k in keys)
        assert has_update == learns, (l, trainable)
        assert any(k.startswith(f"d[{l},") for k in keys) == (l >= lowest), (l, trainable)
    grads = [finite_gradient(weights, acts, s.x, s.y or []) for s in samples]
    batched = len(samples) > 1
    for l, learns in enumerate(trainable, 1):
        if not learns:
            continue
        for (i, j), v in np.ndenumerate(weights[l - 1]):
            mean = sum(g[l - 1][i, j] for g in grads) / len(grads)
            dw = steps[(f"dw[{l},{i + 1},{j}]", None if batched else 1)]
            assert math.isclose(dw, -0.1 * mean, rel_tol=1e-5, abs_tol=1e-8)
            new = steps[(f"w[{l},{i + 1},{j}]", None)]
            assert math.isclose(new, v + dw, rel_tol=1e-12, abs_tol=1e-15)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks())
def test_frozen_deltas_against_torch(
    case: tuple[DenseLesson, list[np.ndarray], list[list[str]]],
) -> None:
    torch = pytest.importorskip("torch")
    lesson, weights, acts = case
    steps = by_key(solve(lesson))
    sample = lesson.training.samples[0]
    _, ugrads = torch_gradient(torch, weights, acts, sample.x, sample.y or [])
    for l, g in enumerate(ugrads, 1):
        for i, v in enumerate(g, 1):
            d = steps.get((f"d[{l},{i}]", 1))
            if d is not None:
                assert math.isclose(d, -v / 2, rel_tol=1e-9, abs_tol=1e-12)


# Hostile input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "phrase"),
    [
        ('"no"', "expected true or false"),
        ("0", "expected true or false"),
        ("[false]", "got a list"),
    ],
)
def test_trainable_must_be_a_boolean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str, phrase: str
) -> None:
    text = edited("freeze-1", "trainable: false ", f"trainable: {value} ")
    line = next(n for n, s in enumerate(text.splitlines(), 1) if s.startswith("      trainable:"))
    refused(tmp_path, capsys, text, (line, 18), phrase)


def test_every_layer_frozen_with_targets_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = edited("freeze-1", "      symbol: t\n", "      symbol: t\n      trainable: false\n")
    line = next(n for n, s in enumerate(text.splitlines(), 1) if s == "      trainable: false")
    refused(tmp_path, capsys, text, (line, 18), "every layer is frozen")


def test_every_layer_frozen_passes_forward_without_targets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = edited("freeze-1", "      symbol: t\n", "      symbol: t\n      trainable: false\n")
    text = text.replace("      y: [1.0]\n", "")
    path = tmp_path / "forward.yaml"
    path.write_text(text, encoding="utf-8")
    assert main(["check", str(path)]) == 0
    assert capsys.readouterr().err == ""


def test_the_step_limit_counts_what_a_frozen_lesson_makes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """freeze-1 makes exactly as many steps as the limit check counts before solving: at that
    limit it passes, one below it is refused."""
    made = len(solved("freeze-1").steps)
    path = tmp_path / "freeze.yaml"
    path.write_text(edited("freeze-1", "id: freeze-1", "id: freeze"), encoding="utf-8")
    capsys.readouterr()
    monkeypatch.setattr(checks, "MAX_STEPS", made)
    assert main(["check", str(path)]) == 0
    monkeypatch.setattr(checks, "MAX_STEPS", made - 1)
    assert main(["check", str(path)]) == BAD_INPUT
    assert f"would take {made} steps; the limit is {made - 1}" in capsys.readouterr().err


def test_a_misspelt_trainable_gets_a_suggestion(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = edited("freeze-1", "trainable: false ", "trainabel: false ")
    line = next(n for n, s in enumerate(text.splitlines(), 1) if s.startswith("      trainabel:"))
    refused(tmp_path, capsys, text, (line, 7), "did you mean 'trainable'?")
