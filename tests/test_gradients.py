"""Every increment is a gradient step: Δw = −α ∂(batch mean loss)/∂w, checked numerically.

Random small dense networks are solved by the engine; the test runs its own forward pass in
numpy (nothing from the engine's arithmetic), takes a central finite difference of the batch's
mean loss with respect to each weight, and compares −α times it with the engine's increment.
The contract's losses: sse = Σε², half_sse = ½Σε², cross_entropy = −Σ y log softmax(u).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from stepper.engine import solve
from stepper.lesson.checks import check_dense
from stepper.lesson.errors import LessonError
from stepper.lesson.schema import DenseLesson
from stepper.steps import Solution, Step

H = 1e-6
# Central differences with H = 1e-6: truncation O(H²·L''') ≈ 1e-12 and rounding ≈ 1e-16·L/H
# ≈ 1e-10 for these losses (L ≲ 50); 1e-6 absolute + 1e-5 relative leaves a wide margin
# while still catching any wrong factor, sign or term.
ABS, REL = 1e-6, 1e-5

unit = st.floats(min_value=-1.0, max_value=1.0, allow_nan=False, allow_infinity=False)
HIDDEN = ("linear", "tanh", "sigmoid")


@st.composite
def lessons(draw: st.DrawFn) -> dict[str, Any]:
    inputs = draw(st.integers(1, 4))
    n_layers = draw(st.integers(1, 3))
    softmax = draw(st.booleans())
    sizes = [inputs] + [draw(st.integers(1, 4)) for _ in range(n_layers)]
    if softmax:
        sizes[-1] = draw(st.integers(2, 4))
    layers = []
    for l in range(1, n_layers + 1):
        rows = [
            draw(st.lists(unit, min_size=sizes[l - 1] + 1, max_size=sizes[l - 1] + 1))
            for _ in range(sizes[l])
        ]
        if softmax and l == n_layers:
            activation: str | list[str] = "softmax"
        elif draw(st.booleans()):
            activation = draw(st.sampled_from(HIDDEN))
        else:
            activation = [draw(st.sampled_from(HIDDEN)) for _ in range(sizes[l])]
        layers.append({"activation": activation, "weights": rows})
    loss = "cross_entropy" if softmax else draw(st.sampled_from(["sse", "half_sse"]))
    n_samples = draw(st.integers(1, 3))
    samples = []
    for _ in range(n_samples):
        x = draw(st.lists(unit, min_size=inputs, max_size=inputs))
        outputs = sizes[-1]
        if not softmax:
            y = draw(st.lists(unit, min_size=outputs, max_size=outputs))
        elif draw(st.booleans()):
            hot = draw(st.integers(0, outputs - 1))
            y = [1.0 if k == hot else 0.0 for k in range(outputs)]
        else:
            raw = draw(st.lists(st.floats(0.01, 1.0), min_size=outputs, max_size=outputs))
            y = [v / sum(raw) for v in raw]
        samples.append({"x": x, "y": y})
    return {
        "network": {"inputs": inputs, "layers": layers},
        "training": {
            "learning_rate": draw(st.floats(0.0, 1.0, exclude_min=True)),
            "loss": loss,
            "samples": samples,
            "batch_size": draw(st.integers(1, n_samples)),
            "epochs": draw(st.integers(1, 2)),
        },
    }


# An independent forward pass ------------------------------------------------------------------


def _activate(name: str, u: np.ndarray) -> np.ndarray:
    if name == "tanh":
        return np.tanh(u)
    if name == "sigmoid":
        return 1.0 / (1.0 + np.exp(-u))
    assert name == "linear"
    return u


def forward(weights: list[np.ndarray], acts: list[list[str]], x: np.ndarray) -> np.ndarray:
    """Outputs for a batch: x has one sample per row."""
    a = x
    for w, names in zip(weights, acts, strict=True):
        u = w[:, 0] + a @ w[:, 1:].T
        if names[0] == "softmax":
            e = np.exp(u - u.max(axis=1, keepdims=True))
            a = e / e.sum(axis=1, keepdims=True)
        else:
            a = np.column_stack([_activate(n, u[:, i]) for i, n in enumerate(names)])
    return a


def sample_losses(
    weights: list[np.ndarray], acts: list[list[str]], loss: str, x: np.ndarray, y: np.ndarray
) -> np.ndarray:
    out = forward(weights, acts, x)
    if loss == "cross_entropy":
        return -(y * np.log(out)).sum(axis=1)
    squares = ((y - out) ** 2).sum(axis=1)
    return squares if loss == "sse" else 0.5 * squares


def gradient(
    weights: list[np.ndarray], acts: list[list[str]], loss: str, x: np.ndarray, y: np.ndarray
) -> dict[tuple[int, int, int], float]:
    """Central differences of the mean loss over the rows of x, keyed like dw[l,i,j]."""
    grads = {}
    for l, w in enumerate(weights, 1):
        for i in range(w.shape[0]):
            for j in range(w.shape[1]):
                plus = [m.copy() for m in weights]
                minus = [m.copy() for m in weights]
                plus[l - 1][i, j] += H
                minus[l - 1][i, j] -= H
                up = sample_losses(plus, acts, loss, x, y).mean()
                down = sample_losses(minus, acts, loss, x, y).mean()
                grads[(l, i + 1, j)] = (up - down) / (2 * H)
    return grads


def _indices(key: str) -> tuple[int, ...]:
    return tuple(int(v) for v in key[key.index("[") + 1 : -1].split(","))


def _activations(layer: dict[str, Any]) -> list[str]:
    act = layer["activation"]
    return act if isinstance(act, list) else [act] * len(layer["weights"])


def _increments_and_weights(
    steps: list[Step],
    chunk: list[int],
    alone: list[dict[tuple[int, int, int], float]],
    alpha: float,
) -> tuple[dict[tuple[int, ...], Step], dict[tuple[int, ...], Step]]:
    """One iteration's applied Δw and new w by weight; a batch's per-sample Δw are checked
    here against −α ∂L_p/∂w of their sample alone (when ``alone`` has the differences)."""
    applied: dict[tuple[int, ...], Step] = {}
    new: dict[tuple[int, ...], Step] = {}
    for s in steps:
        if s.key.startswith("dw["):
            if s.sample is not None and len(chunk) > 1:
                fd = alone[chunk.index(s.sample - 1)].get(_indices(s.key))
                if fd is not None:
                    assert s.value == pytest.approx(-alpha * fd, rel=REL, abs=ABS), s.key
            else:
                applied[_indices(s.key)] = s
        elif s.key.startswith("w["):
            assert _indices(s.key) not in new, f"{s.key} appears twice in one iteration"
            new[_indices(s.key)] = s
            assert _indices(s.key) in applied, f"{s.key} comes before its increment"
    return applied, new


# The property ---------------------------------------------------------------------------------


def check_gradients(data: dict[str, Any]) -> None:
    lesson = DenseLesson.model_validate(data)
    assert check_dense(lesson) == [], "the generated lesson should be valid"
    try:
        solution: Solution = solve(lesson)
    except LessonError as refused:
        # A training that overflows is refused as bad input (test_divergence_is_refused);
        # there is no gradient to compare.
        assert "overflow" in str(refused)
        assume(False)
    training = data["training"]
    alpha, loss = training["learning_rate"], training["loss"]
    acts = [_activations(layer) for layer in data["network"]["layers"]]
    weights = [np.array(layer["weights"], dtype=float) for layer in data["network"]["layers"]]
    samples = training["samples"]
    size = training["batch_size"]

    by_iteration: dict[int, list[Step]] = defaultdict(list)
    for step in solution.steps:
        by_iteration[step.iteration].append(step)
    chunks = [
        list(range(start, min(start + size, len(samples))))
        for _ in range(training.get("epochs", 1))
        for start in range(0, len(samples), size)
    ]
    assert sorted(by_iteration) == list(range(1, len(chunks) + 1))

    for iteration, chunk in enumerate(chunks, 1):
        steps = by_iteration[iteration]
        assert {s.sample for s in steps if s.sample is not None} == {k + 1 for k in chunk}
        x = np.array([samples[k]["x"] for k in chunk], dtype=float)
        y = np.array([samples[k]["y"] for k in chunk], dtype=float)

        # The losses themselves, per sample and (for a batch) their mean.
        expected = sample_losses(weights, acts, loss, x, y)
        got = [s.value for s in steps if s.key == "loss"]
        assert got == pytest.approx(list(expected), rel=1e-12, abs=1e-14)
        batch_losses = [s.value for s in steps if s.key == "batch_loss"]
        if len(chunk) > 1:
            assert batch_losses == pytest.approx([expected.mean()], rel=1e-12, abs=1e-14)
        else:
            assert batch_losses == []

        # The applied increment of each weight: −α ∂(mean loss)/∂w. A central difference
        # carries a rounding error of about 1e-16·L/H: once gradient descent has diverged
        # (L > 100, which α = 1 on an sse network of linear layers can reach) it would exceed
        # the tolerance, so the finite differences are compared only while L ≤ 100; the
        # update w = old + Δw is checked in every iteration regardless.
        compare = float(expected.max()) <= 100.0
        grads = gradient(weights, acts, loss, x, y) if compare else {}
        alone = [
            gradient(weights, acts, loss, x[p : p + 1], y[p : p + 1]) if compare else {}
            for p in range(len(chunk))
        ]
        applied, new = _increments_and_weights(steps, chunk, alone, alpha)
        every = {
            (l, i + 1, j)
            for l, w in enumerate(weights, 1)
            for i in range(w.shape[0])
            for j in range(w.shape[1])
        }
        assert set(applied) == every == set(new)
        for (l, i, j), dw in applied.items():
            if compare:
                fd = grads[(l, i, j)]
                assert dw.value == pytest.approx(-alpha * fd, rel=REL, abs=ABS), (
                    f"iteration {iteration}: {dw.key} = {dw.value}, −α ∂F/∂w = {-alpha * fd}"
                )
            old = weights[l - 1][i - 1, j]
            assert new[(l, i, j)].value == old + dw.value, new[(l, i, j)].key

        # The next iteration starts from the new weights.
        for (l, i, j), w in new.items():
            weights[l - 1][i - 1, j] = w.value


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=lessons())
@pytest.mark.slow
def test_every_increment_is_minus_alpha_times_the_gradient(data: dict[str, Any]) -> None:
    check_gradients(data)


def test_a_two_layer_batch_by_hand() -> None:
    """A fixed case, so the property is exercised even where hypothesis is not run in depth:
    two tanh hidden neurons, a sigmoid output, half_sse, two samples in one batch, two epochs."""
    check_gradients(
        {
            "network": {
                "inputs": 2,
                "layers": [
                    {"activation": "tanh", "weights": [[0.1, -0.2, 0.3], [0.5, 0.4, -0.6]]},
                    {"activation": "sigmoid", "weights": [[0.2, 0.5, -0.4]]},
                ],
            },
            "training": {
                "learning_rate": 0.3,
                "loss": "half_sse",
                "batch_size": 2,
                "epochs": 2,
                "samples": [{"x": [0.1, 0.7], "y": [1.0]}, {"x": [-0.5, 0.2], "y": [0.0]}],
            },
        }
    )


def test_softmax_cross_entropy_by_hand() -> None:
    check_gradients(
        {
            "network": {
                "inputs": 2,
                "layers": [
                    {
                        "activation": ["tanh", "linear"],
                        "weights": [[0.1, -0.2, 0.3], [0.5, 0.4, -0.6]],
                    },
                    {
                        "activation": "softmax",
                        "weights": [[0.2, 0.5, -0.4], [0.0, -0.3, 0.8], [0.1, 0.1, 0.1]],
                    },
                ],
            },
            "training": {
                "learning_rate": 0.5,
                "loss": "cross_entropy",
                "batch_size": 2,
                "samples": [
                    {"x": [0.1, 0.7], "y": [0.0, 1.0, 0.0]},
                    {"x": [-0.5, 0.2], "y": [0.2, 0.3, 0.5]},
                    {"x": [0.9, -0.9], "y": [1.0, 0.0, 0.0]},
                ],
            },
        }
    )


def test_divergence_is_refused(tmp_path: Any) -> None:
    """A learning rate that makes the weights explode gives a clear error, not nan."""
    from stepper.cli import main

    path = tmp_path / "diverge.yaml"
    path.write_text(
        "network: {inputs: 1, layers: [{activation: linear, weights: [[1, 1]]}]}\n"
        "training:\n  learning_rate: 1000\n  epochs: 200\n"
        "  samples: [{x: [10], y: [1]}]\n"
    )
    assert main(["solve", str(path)]) == 2
