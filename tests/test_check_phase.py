"""The check phase: the last iteration's samples forward again with the updated weights.

Every dense lesson that trains is trained here a second time, in numpy, by the contract's
rule (Δw = −α ∂L/∂w with the gradient written out layer by layer, a batch's increments
averaged), and its last iteration's samples are passed forward with the weights this gives;
each ``check.`` step must be that number. The lecture's example is also held to the issue's
figures (ε² 0.78351 → 0.40966). The conv lessons' check is held to the conv reference in
tests/test_conv.py (``check_after_update``); the substituted text of every check step is
evaluated by tests/test_substitution.py with the other steps.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from stepper.engine import solve
from stepper.engine.runs import training_of
from stepper.lesson.load import lesson_from_text
from stepper.lesson.schema import DenseLesson
from stepper.runs import view
from stepper.steps import Phase, Solution, Step
from tests.conftest import builtin_ids_of, builtin_lesson


def _act(name: str, u: np.ndarray) -> np.ndarray:
    if name == "tanh":
        return np.tanh(u)
    if name == "sigmoid":
        return 1 / (1 + np.exp(-u))
    if name == "relu":
        return np.maximum(u, 0.0)
    return u.copy()


def _slope(name: str, u: np.ndarray) -> np.ndarray:
    """s'(u) of each neuron, from its net input."""
    if name == "tanh":
        return 1 - np.tanh(u) ** 2
    if name == "sigmoid":
        s = 1 / (1 + np.exp(-u))
        return s * (1 - s)
    if name == "relu":
        return (u > 0).astype(float)
    return np.ones_like(u)


class Reference:
    """A dense lesson as numpy arrays: weights per layer (bias in column 0), activations."""

    def __init__(self, lesson: DenseLesson) -> None:
        self.lesson = lesson
        self.weights = [np.array(layer.weights, dtype=float) for layer in lesson.network.layers]
        self.acts = [layer.activations() for layer in lesson.network.layers]

    def forward(self, x: list[float]) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Each layer's u and output."""
        us, outs = [], []
        a = np.array(x, dtype=float)
        for w, acts in zip(self.weights, self.acts, strict=True):
            u = w[:, 0] + w[:, 1:] @ a
            if acts[0] == "softmax":
                e = np.exp(u - u.max())
                a = e / e.sum()
            else:
                a = np.array([_act(name, u[i : i + 1])[0] for i, name in enumerate(acts)])
            us.append(u)
            outs.append(a)
        return us, outs

    def loss(self, out: np.ndarray, y: np.ndarray) -> float:
        kind = self.lesson.training.loss
        if kind == "cross_entropy":
            return float(-sum(t * math.log(p) for t, p in zip(y, out, strict=True) if t))
        return float(np.sum((y - out) ** 2) * (1.0 if kind == "sse" else 0.5))

    def gradients(self, x: list[float], y: list[float]) -> list[np.ndarray]:
        """∂L/∂W of each layer for one sample, by the chain rule written out here."""
        us, outs = self.forward(x)
        target = np.array(y, dtype=float)
        kind = self.lesson.training.loss
        if kind == "cross_entropy":
            grad_u = outs[-1] - target  # softmax with cross-entropy
        else:
            slope = np.array([_slope(a, us[-1][i : i + 1])[0] for i, a in enumerate(self.acts[-1])])
            grad_u = (2.0 if kind == "sse" else 1.0) * (outs[-1] - target) * slope
        inputs = [np.array(x, dtype=float), *outs[:-1]]
        grads: list[np.ndarray] = [np.zeros(0)] * len(self.weights)
        for l in range(len(self.weights) - 1, -1, -1):
            grads[l] = np.outer(grad_u, np.concatenate([[1.0], inputs[l]]))
            if l:
                back = self.weights[l][:, 1:].T @ grad_u
                acts = self.acts[l - 1]
                slope = np.array([_slope(a, us[l - 1][i : i + 1])[0] for i, a in enumerate(acts)])
                grad_u = back * slope
        return grads

    def train(self) -> list[tuple[int, Any]]:
        """Every epoch and batch; returns the last batch's (sample number, sample)."""
        training = self.lesson.training
        alpha = training.learning_rate
        assert alpha is not None
        samples = training.samples
        chunk: list[tuple[int, Any]] = []
        for _ in range(training.epochs):
            for start in range(0, len(samples), training.batch_size):
                chunk = list(enumerate(samples[start : start + training.batch_size], start + 1))
                per_sample = [self.gradients(s.x, s.y) for _, s in chunk]
                for l, layer in enumerate(self.lesson.network.layers):
                    if not layer.trainable:
                        continue  # frozen (freeze-1's first layer): kept as given
                    mean = sum(g[l] for g in per_sample) / len(per_sample)
                    self.weights[l] = self.weights[l] - alpha * mean
        return chunk


def trains(lesson: DenseLesson) -> bool:
    training = lesson.training
    return bool(training.learning_rate) and all(s.y is not None for s in training.samples)


def _training_ids() -> list[str]:
    ids = []
    for lesson_id in builtin_ids_of("dense"):
        lesson = builtin_lesson(lesson_id)
        shown = lesson.phases is None or "check" in lesson.phases  # activations-1 hides it
        dropout = isinstance(lesson, DenseLesson) and any(
            layer.dropout for layer in lesson.network.layers
        )  # its check, with the sample's mask: tests/test_dropout.py
        if isinstance(lesson, DenseLesson) and trains(lesson) and shown and not dropout:
            ids.append(lesson_id)
    return ids


TRAINING = _training_ids()


def scaled_here(lesson: DenseLesson) -> DenseLesson:
    """A lesson that normalises (minmax from its samples, as regression-1 does) as the same
    lesson with its samples scaled here in numpy and no ``normalize``: what its network sees."""
    spec = lesson.training.normalization()
    if spec is None:
        return lesson
    assert spec.method == "minmax" and spec.inputs is None and spec.targets in (True, False)

    def minmax(rows: list[list[float]]) -> list[list[float]]:
        a = np.array(rows, dtype=float)
        low, high = a.min(axis=0), a.max(axis=0)
        return (2 * (a - low) / (high - low) - 1).tolist()  # type: ignore[no-any-return]

    samples = lesson.training.samples
    xs = minmax([s.x for s in samples])
    ys = minmax([s.y or [] for s in samples]) if spec.targets else [s.y for s in samples]
    new = [s.model_copy(update={"x": x, "y": y}) for s, x, y in zip(samples, xs, ys, strict=True)]
    training = lesson.training.model_copy(update={"samples": new, "normalize": None})
    return lesson.model_copy(update={"training": training})


def check_steps(solution: Solution) -> list[Step]:
    return [s for s in solution.steps if s.phase is Phase.CHECK]


def close(step: Step, want: float) -> None:
    """A step's full-precision value (its exact run's, when the lesson rounds as on paper)."""
    got = step.exact if step.exact is not None else step.value
    assert math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-14), (step.key, got, want)


def test_there_are_lessons_that_train() -> None:
    assert {"backprop-1", "backprop-2", "classify-1", "regression-1"} <= set(TRAINING)


def ways(lesson: DenseLesson) -> list[tuple[DenseLesson, Solution, bool]]:
    """The lesson and its solution; for a lesson trained several ways, each run as a lesson
    of its own and the run's steps alone, and True: its check passes every sample."""
    solution = solve(lesson)
    if not lesson.training.runs:
        return [(lesson, solution, False)]
    out = []
    for shape, run in zip(solution.runs, lesson.training.runs, strict=True):
        training = training_of(run, lesson.training).model_copy(update={"runs": None})
        alone = lesson.model_copy(update={"training": training})
        out.append((alone, view(solution, shape), True))
    return out


@pytest.mark.parametrize("lesson_id", TRAINING)
def test_the_check_is_a_forward_pass_with_the_new_weights(lesson_id: str) -> None:
    """check.u, check.y, check.e and check.loss of each sample of the last batch (of every
    sample, in a run), and check.batch_loss of a batch, are numpy's with the weights numpy's
    training gives."""
    lesson = builtin_lesson(lesson_id)
    assert isinstance(lesson, DenseLesson)
    for way, solution, every in ways(lesson):
        check_way(way, solution, every)


def check_way(lesson: DenseLesson, solution: Solution, every: bool) -> None:
    lesson = scaled_here(lesson)  # what the network sees, when the lesson normalises
    ref = Reference(lesson)
    chunk = ref.train()
    if every:
        chunk = list(enumerate(lesson.training.samples, 1))
    steps = check_steps(solution)
    last = max(s.iteration for s in solution.steps)
    assert steps and solution.steps[-len(steps) :] == tuple(steps)  # the last phase
    assert all(s.iteration == last and s.key.startswith("check.") for s in steps)
    by_key = {(s.key, s.sample): s for s in steps}
    want: dict[tuple[str, int | None], float] = {}
    losses = []
    for n, sample in chunk:
        us, outs = ref.forward(sample.x)
        for l, (u, out) in enumerate(zip(us, outs, strict=True), 1):
            for i, (ui, oi) in enumerate(zip(u, out, strict=True), 1):
                want[(f"check.u[{l},{i}]", n)] = ui
                want[(f"check.y[{l},{i}]", n)] = oi
        y = np.array(sample.y, dtype=float)
        for i, e in enumerate(y - outs[-1], 1):
            want[(f"check.e[{i}]", n)] = e
        losses.append(ref.loss(outs[-1], y))
        want[("check.loss", n)] = losses[-1]
    if len(chunk) > 1:
        want[("check.batch_loss", None)] = sum(losses) / len(losses)
    assert set(by_key) == set(want)
    for key, value in want.items():
        close(by_key[key], value)


def test_the_lecture_example_loss_before_and_after() -> None:
    """backprop-1: ε² 0.78351 before the update, 0.40966 with the new weights (the issue's
    figures), and the same worked out here with math.tanh."""
    solution = solve(builtin_lesson("backprop-1"))
    steps = {s.key: s for s in solution.steps}
    assert (steps["loss"].shown, steps["check.loss"].shown) == ("0.78351", "0.40966")
    x = (1.0, 0.1, 0.7)
    w1, w2 = [0.1, -0.2, 0.3], [0.5, 0.4, -0.6]
    y1 = sum(w * xi for w, xi in zip(w1, x, strict=True))
    y2 = math.tanh(sum(w * xi for w, xi in zip(w2, x, strict=True)))
    d1, d2 = 0.2 - y1, (1 - y2) * (1 - y2**2)
    w1 = [w + 2 * 0.1 * xi * d1 for w, xi in zip(w1, x, strict=True)]
    w2 = [w + 2 * 0.1 * xi * d2 for w, xi in zip(w2, x, strict=True)]
    after = (0.2 - sum(w * xi for w, xi in zip(w1, x, strict=True))) ** 2 + (
        1 - math.tanh(sum(w * xi for w, xi in zip(w2, x, strict=True)))
    ) ** 2
    assert math.isclose(steps["check.loss"].value, after, rel_tol=1e-13)
    assert round(after, 5) == 0.40966
    words = steps["check.loss"].explanation
    assert "0.78351" in words and "0.40966" in words and "ha ayudado" in words
    english = {s.key: s for s in solve(builtin_lesson("backprop-1"), "en").steps}
    assert "the update helped" in english["check.loss"].explanation


#: The lecture's examples whose update lowers the loss it minimises: a sample's ε² (or L),
#: or a batch's mean Fₒ. regression-1's batch of four lowers Fₒ, not every sample's own loss
#: (its second sample's rises from 0.0073 to 0.0103: the step follows the mean).
LOWER = {
    "backprop-1": "check.loss",
    "backprop-2": "check.loss",
    "classify-1": "check.loss",
    "regression-1": "check.batch_loss",
    "cnn-1": "check.loss",
}


@pytest.mark.parametrize(("lesson_id", "key"), sorted(LOWER.items()))
def test_the_update_lowers_the_loss(lesson_id: str, key: str) -> None:
    solution = solve(builtin_lesson(lesson_id))
    before = next(s for s in reversed(solution.steps) if s.key == key.removeprefix("check."))
    after = next(s for s in solution.steps if s.key == key)
    assert after.value < before.value, (before.value, after.value)
    assert "menor" in after.explanation


def test_in_a_batch_one_sample_may_rise_while_the_mean_falls() -> None:
    solution = solve(builtin_lesson("regression-1"))
    last = max(s.iteration for s in solution.steps)
    before = {s.sample: s for s in solution.steps if s.key == "loss" and s.iteration == last}
    after = {s.sample: s for s in solution.steps if s.key == "check.loss"}
    risen = [k for k in after if after[k].value > before[k].value]
    assert risen == [2]
    for k in risen:
        assert "media" in after[k].explanation and "pasado de largo" not in after[k].explanation


LESSON = """
title: one tanh neuron
network:
  inputs: 1
  layers:
    - activation: tanh
      weights: [[0.1, 0.5]]
training:
  learning_rate: {alpha}
  samples:
    - x: [1.0]
      y: [0.0]
"""


def test_a_learning_rate_too_large_makes_the_loss_rise_and_says_so() -> None:
    """α = 2 overshoots: the loss after the update is higher, and the words say why."""
    solution = solve(lesson_from_text(LESSON.format(alpha=2), "big.yaml"))
    steps = {s.key: s for s in solution.steps}
    assert steps["check.loss"].value > steps["loss"].value
    assert "mayor" in steps["check.loss"].explanation
    assert "α" in steps["check.loss"].explanation


def test_phases_may_leave_the_check_out_or_show_it_alone() -> None:
    without = lesson_from_text(
        LESSON.format(alpha=0.1) + "phases: [forward, error, backward, update]\n", "a.yaml"
    )
    assert not check_steps(solve(without))
    alone = solve(lesson_from_text(LESSON.format(alpha=0.1) + "phases: [check]\n", "b.yaml"))
    assert [s.key for s in alone.steps] == [
        "check.u[1,1]",
        "check.y[1,1]",
        "check.e[1]",
        "check.loss",
    ]
    assert [s.n for s in alone.steps] == [1, 2, 3, 4]
    # The weights it reads were computed in a hidden phase: they read as given.
    assert all(q.step is None for q in alone.steps[0].operands)


def test_no_check_without_training() -> None:
    """A lesson with a sample that has no y, or without a learning rate, makes no check."""
    forward_only = (
        LESSON.format(alpha=0.1)
        .replace("      y: [0.0]\n", "")
        .replace("  learning_rate: 0.1\n", "")
    )
    assert not check_steps(solve(lesson_from_text(forward_only, "c.yaml")))
    mixed = LESSON.format(alpha=0.1) + "    - x: [0.5]\n"
    assert not check_steps(solve(lesson_from_text(mixed, "d.yaml")))
