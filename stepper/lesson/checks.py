"""The rules of a dense lesson that a schema cannot state: sizes that fit, and stated limits.

Each check returns (path in the file, message, whether to point at the key rather than the
value); ``stepper.lesson.load`` turns the path into a line and column.
"""

from __future__ import annotations

import math
import re
from typing import Any

from stepper.lesson.schema import DenseLesson

#: The program's stated limits (the contract asks that at least 10^6 of each be accepted).
MAX_WEIGHTS = 1_000_000
MAX_STEPS = 1_000_000

Found = tuple[tuple[Any, ...], str, bool]
_KEY = re.compile(r"^(?:(?:u|y|d)\[\d+,\d+\]|e\[\d+\]|loss|batch_loss|(?:dw|w)\[\d+,\d+,\d+\])$")


def check_dense(lesson: DenseLesson) -> list[Found]:
    """Every problem of a schema-valid dense lesson."""
    found: list[Found] = []
    net = lesson.network
    layers = net.layers
    fan_in = net.inputs
    for l, layer in enumerate(layers, 1):
        here = ("network", "layers", l - 1)
        if not layer.weights:
            found.append(((*here, "weights"), f"layer {l} has no neurons (no weights rows)", False))
        if isinstance(layer.activation, list) and len(layer.activation) != len(layer.weights):
            found.append(
                ((*here, "activation"),
                 f"layer {l} lists {len(layer.activation)} activations for "
                 f"{len(layer.weights)} neurons; give one per neuron or one for the layer", False)
            )
        for i, row in enumerate(layer.weights, 1):
            if len(row) != fan_in + 1:
                source = "input" if l == 1 else f"neuron of layer {l - 1}"
                found.append(
                    ((*here, "weights", i - 1),
                     f"weights row {i} of layer {l} has {len(row)} values; expected {fan_in + 1}: "
                     f"the bias w_{i}0 and one per {source}", False)
                )
        acts = layer.activations()
        if "softmax" in acts and (l != len(layers) or set(acts) != {"softmax"}):
            found.append(
                ((*here, "activation"),
                 "softmax must be the activation of the whole last layer", False)
            )
        fan_in = len(layer.weights)
    outputs = len(layers[-1].weights)
    found += _check_training(lesson, outputs)
    found += _check_limits(lesson)
    return found


def _check_training(lesson: DenseLesson, outputs: int) -> list[Found]:
    found: list[Found] = []
    training = lesson.training
    last_softmax = lesson.network.layers[-1].activations()[0] == "softmax"
    has_targets = any(s.y is not None for s in training.samples)
    for k, sample in enumerate(training.samples, 1):
        here = ("training", "samples", k - 1)
        if len(sample.x) != lesson.network.inputs:
            found.append(((*here, "x"), f"sample {k} has {len(sample.x)} inputs x; the network "
                          f"has {lesson.network.inputs}", False))
        if sample.y is not None and len(sample.y) != outputs:
            found.append(((*here, "y"), f"sample {k} has {len(sample.y)} targets y; the network "
                          f"has {outputs} outputs", False))
        if (sample.y is not None and training.loss == "cross_entropy"
                and (min(sample.y) < 0 or not math.isclose(sum(sample.y), 1.0, abs_tol=1e-9))):
            found.append(((*here, "y"), f"sample {k}: cross-entropy targets are probabilities "
                          "(non-negative, adding up to 1), usually one-hot like [0, 1, 0]", False))
    if has_targets:
        if training.learning_rate is None:
            found.append((("training",), "training with targets y needs a learning_rate α", True))
        elif training.learning_rate <= 0:
            found.append((("training", "learning_rate"),
                          f"the learning rate must be > 0, got {training.learning_rate}", False))
        if training.loss == "cross_entropy" and not last_softmax:
            found.append((("training", "loss"),
                          "cross_entropy needs a softmax last layer", False))
        if last_softmax and training.loss != "cross_entropy":
            found.append((("training", "loss"),
                          f"a softmax last layer is trained with loss cross_entropy, not "
                          f"{training.loss}", False))
    for key in lesson.notes:
        if not _KEY.match(key):
            found.append((("notes", key), f"'{key}' is not a step key (such as u[1,2], e[1], "
                          "loss, d[1,2], dw[1,2,0], w[1,2,0])", True))
    return found


def weight_count(lesson: DenseLesson) -> int:
    return sum(len(row) for layer in lesson.network.layers for row in layer.weights)


def step_count(lesson: DenseLesson) -> int:
    """How many steps the engine will make, computed from the sizes alone."""
    layers = lesson.network.layers
    neurons = sum(len(layer.weights) for layer in layers)
    outputs = len(layers[-1].weights)
    weights = weight_count(lesson)
    training = lesson.training
    batch = training.batch_size
    samples = training.samples
    per_epoch = 0
    for start in range(0, len(samples), batch):
        chunk = samples[start : start + batch]
        trained = sum(1 for s in chunk if s.y is not None)
        per_epoch += 2 * neurons * len(chunk)
        per_epoch += trained * (outputs + 1 + neurons)
        if trained:
            per_epoch += 2 * weights + (weights * trained + 1 if trained > 1 else 0)
    return per_epoch * training.epochs


def _check_limits(lesson: DenseLesson) -> list[Found]:
    found: list[Found] = []
    weights = weight_count(lesson)
    if weights > MAX_WEIGHTS:
        found.append((("network",), f"the network has {weights:,} weights; the limit is "
                      f"{MAX_WEIGHTS:,}", True))
        return found
    steps = step_count(lesson)
    if steps > MAX_STEPS:
        found.append((("training", "epochs"), f"this lesson would take {steps:,} steps; the "
                      f"limit is {MAX_STEPS:,} (fewer epochs, samples or weights)", False))
    return found
