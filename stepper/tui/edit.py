"""Changing one number of a lesson from inside the app (the learner's "what if α were 0.5?").

The changed lesson goes through the same validation as a file, so the engine never sees a
lesson a file could not hold; the app re-solves it and keeps the learner's position.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from stepper.i18n import label
from stepper.lesson.checks import check_dense
from stepper.lesson.schema import DenseLesson
from stepper.notation import Sym
from stepper.numbers import given


@dataclass(frozen=True, slots=True)
class Editable:
    """A number the learner may change: where it sits in the lesson and what it is called."""

    path: tuple[str | int, ...]
    name: str
    value: float

    def describe(self) -> str:
        return f"{self.name} = {given(self.value)}"


def editable_numbers(lesson: DenseLesson, neuron_offsets: list[int], lang: str) -> list[Editable]:
    """α, every initial weight, every input and every target, in the lecture's notation."""
    out: list[Editable] = []
    training = lesson.training
    if training.learning_rate is not None:
        out.append(Editable(("training", "learning_rate"), "α", training.learning_rate))
    for k, layer in enumerate(lesson.network.layers):
        letter = layer.symbol or "w"
        for i, row in enumerate(layer.weights):
            for j, value in enumerate(row):
                source = 0 if j == 0 else (j if k == 0 else neuron_offsets[k - 1] + j)
                sym = Sym(letter, (neuron_offsets[k] + i + 1, source))
                out.append(
                    Editable(("network", "layers", k, "weights", i, j), sym.unicode(), value)
                )
    many = len(training.samples) > 1
    for k, sample in enumerate(training.samples):
        mark = f" ({label('sample', lang, s=k + 1)})" if many else ""
        for j, value in enumerate(sample.x):
            out.append(
                Editable(
                    ("training", "samples", k, "x", j), Sym("x", (j + 1,)).unicode() + mark, value
                )
            )
        for i, value in enumerate(sample.y or []):
            out.append(
                Editable(
                    ("training", "samples", k, "y", i), Sym("y", (i + 1,)).unicode() + mark, value
                )
            )
    return out


def with_number(lesson: DenseLesson, path: tuple[str | int, ...], value: float) -> DenseLesson:
    """The lesson with one number changed; ValueError (in plain words) if that breaks it."""
    data: Any = lesson.model_dump()
    node = data
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    changed = DenseLesson.model_validate(data)
    problems = check_dense(changed)
    if problems:
        raise ValueError("; ".join(message for _, message, _ in problems))
    return changed
