"""Changing one number of a lesson from inside the app (the learner's "what if α were 0.5?").

The changed lesson goes through the same validation as a file, so the engine never sees a
lesson a file could not hold; the app re-solves it and keeps the learner's position.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from stepper.i18n import label
from stepper.lesson.checks import check_dense
from stepper.lesson.conv_checks import check_conv
from stepper.lesson.errors import speaking
from stepper.lesson.formula import check_optimize
from stepper.lesson.graph_checks import check_graph
from stepper.lesson.load import schema_found
from stepper.lesson.recurrent_checks import check_recurrent
from stepper.lesson.schema import (
    ConvLesson,
    GraphLesson,
    Lesson,
    OptimizeLesson,
    RecurrentLesson,
)
from stepper.notation import GATE_LETTERS, Sym, named
from stepper.numbers import decimal_comma, given


@dataclass(frozen=True, slots=True)
class Editable:
    """A number the learner may change: where it sits in the lesson and what it is called."""

    path: tuple[str | int, ...]
    name: str
    value: float

    def describe(self, *, comma: bool = False) -> str:
        """``w₁₂ = 0.3`` (``0,3`` with a decimal comma, as the lesson writes it)."""
        return f"{self.name} = {self.written(comma=comma)}"

    def written(self, *, comma: bool = False) -> str:
        """The number as the lesson writes it; the learner edits it so (``,`` or ``.`` both
        read back)."""
        text = given(self.value)
        return decimal_comma(text) if comma else text


def editable_numbers(lesson: Lesson, neuron_offsets: list[int], lang: str) -> list[Editable]:
    """α, every initial weight, every input and every target, in the lecture's notation."""
    if isinstance(lesson, ConvLesson):
        return _conv_numbers(lesson)
    if isinstance(lesson, OptimizeLesson):
        return _optimize_numbers(lesson)
    if isinstance(lesson, RecurrentLesson):
        return _recurrent_numbers(lesson)
    if isinstance(lesson, GraphLesson):
        return _graph_numbers(lesson)
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
        for j, value in enumerate(sample.x if isinstance(sample.x, list) else []):
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


def _conv_numbers(lesson: ConvLesson) -> list[Editable]:
    """α, the kernels' weights and biases, the image's pixels and the head's weights."""
    out: list[Editable] = []
    if lesson.learning_rate is not None:
        out.append(Editable(("learning_rate",), "α", lesson.learning_rate))
    many = len(lesson.kernels) > 1
    for k, kernel in enumerate(lesson.kernels):
        mats = kernel.channels()
        for ch, matrix in enumerate(mats):
            where: tuple[str | int, ...] = ("kernels", k, "weights")
            if len(mats) > 1 or (
                kernel.weights and not isinstance(kernel.weights[0][0], int | float)
            ):
                where = (*where, ch)
            for m, row in enumerate(matrix):
                for n, value in enumerate(row):
                    sym = Sym("k", (m + 1, n + 1), sample=k + 1 if many else None)
                    out.append(Editable((*where, m, n), sym.unicode(), value))
        out.append(Editable(("kernels", k, "bias"), Sym("b", (k + 1,)).unicode(), kernel.bias))
    channels = lesson.channels()
    for ch, matrix in enumerate(channels):
        where = (
            ("image",)
            if isinstance(lesson.image and lesson.image[0][0], int | float)
            else ("image", ch)
        )
        for r, row in enumerate(matrix):
            for c, value in enumerate(row):
                sym = Sym("x", (r + 1, c + 1), sample=ch + 1 if len(channels) > 1 else None)
                out.append(Editable((*where, r, c), sym.unicode(), value))
    if lesson.dense:
        for i, row in enumerate(lesson.dense.weights):
            for j, value in enumerate(row):
                out.append(
                    Editable(("dense", "weights", i, j), Sym("w", (i + 1, j)).unicode(), value)
                )
    return out


def _optimize_numbers(lesson: OptimizeLesson) -> list[Editable]:
    """The start point (every start point: one list each) and each optimiser's learning rate."""
    starts = lesson.starts()
    out = [
        Editable(
            ("start", k, i) if len(starts) > 1 else ("start", i),
            Sym(name).unicode() + "⁽⁰⁾" + (f" ({k + 1})" if len(starts) > 1 else ""),
            value,
        )
        for k, point in enumerate(starts)
        for i, (name, value) in enumerate(zip(lesson.variables, point, strict=True))
    ]
    for k, optimizer in enumerate(lesson.optimizers):
        if optimizer.learning_rate is not None:
            out.append(
                Editable(
                    ("optimizers", k, "learning_rate"),
                    f"α ({optimizer.id or optimizer.name})",
                    optimizer.learning_rate,
                )
            )
    return out


def _graph_numbers(lesson: GraphLesson) -> list[Editable]:
    """α, then every input's value."""
    out = []
    if lesson.learning_rate is not None:
        out.append(Editable(("learning_rate",), "α", lesson.learning_rate))
    out += [
        Editable(("inputs", name), named(name).unicode(), v) for name, v in lesson.inputs.items()
    ]
    return out


def _recurrent_numbers(lesson: RecurrentLesson) -> list[Editable]:
    """α, every gate's weights and the output's, then the numbers of the sequence."""
    out: list[Editable] = []
    if lesson.training is not None and lesson.training.learning_rate is not None:
        out.append(Editable(("training", "learning_rate"), "α", lesson.training.learning_rate))
    for gate, rows in lesson.gates.given().items():
        # The engine's letters (stepper.engine.recurrent): an rnn's one gate untagged (w₁₀),
        # the GRU's update gate z written a.
        tag = None if lesson.cell == "rnn" else GATE_LETTERS.get(gate, gate)
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                sym = Sym("w", (i + 1, j), tag=tag)
                out.append(Editable(("gates", gate, i, j), sym.unicode(), value))
    if lesson.output is not None:
        for i, row in enumerate(lesson.output.weights):
            for j, value in enumerate(row):
                out.append(
                    Editable(("output", "weights", i, j), Sym("t", (i + 1, j)).unicode(), value)
                )
    return out + _sequence_numbers(lesson)


def _sequence_numbers(lesson: RecurrentLesson) -> list[Editable]:
    """A recurrent lesson's initial states, inputs and targets, by time step."""
    out: list[Editable] = []
    for name in ("h", "c"):
        state = getattr(lesson.initial, name) if lesson.initial is not None else None
        for i, value in enumerate(state or []):
            sym = _at(name, 0, i + 1, lesson.hidden)
            out.append(Editable(("initial", name, i), sym.unicode(), value))
    for t, x in enumerate(lesson.sequence):
        for j, value in enumerate(x):
            sym = _at("x", t + 1, j + 1, lesson.inputs)
            out.append(Editable(("sequence", t, j), sym.unicode(), value))
    every = lesson.output is not None and lesson.output.every_step
    outputs = len(lesson.output.weights) if lesson.output is not None else lesson.hidden
    for t, y in enumerate(lesson.targets or []):
        for i, value in enumerate(y):
            sym = _at("y", t + 1 if every else len(lesson.sequence), i + 1, outputs)
            out.append(Editable(("targets", t, i), sym.unicode(), value))
    return out


def _at(letter: str, t: int, i: int, size: int) -> Sym:
    """A recurrent quantity as the engine writes it: time first, then (with several) the unit
    after a comma: x₂, h₂‚₁."""
    return Sym(letter, (t, i) if size > 1 else (t,), comma=size > 1)


def with_number(
    lesson: Lesson, path: tuple[str | int, ...], value: float, lang: str | None = None
) -> Lesson:
    """The lesson with one number changed; ValueError (in plain words, in ``lang``, else the
    lesson's language) if that breaks it."""
    with speaking(lang or lesson.language):
        return _with_number(lesson, path, value)


def _with_number(lesson: Lesson, path: tuple[str | int, ...], value: float) -> Lesson:
    data: Any = lesson.model_dump()
    node = data
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    model = type(lesson)
    try:
        changed = model.model_validate(data)
    except ValidationError as exc:
        raise ValueError("; ".join(f.message for f in schema_found(exc, data, model))) from None
    if isinstance(changed, OptimizeLesson):
        # As the file would hold it: a hyper-parameter left out is absent, not None (which
        # the checks read as given to an optimiser that has no such parameter).
        trouble = [f.message for f in check_optimize(changed.model_dump(exclude_none=True))]
    elif isinstance(changed, ConvLesson):
        trouble = [f.message for f in check_conv(changed)]
    elif isinstance(changed, RecurrentLesson):
        trouble = [f.message for f in check_recurrent(changed)]
    elif isinstance(changed, GraphLesson):
        # As the file would hold it: a split left out is absent (with nodes it is an error).
        trouble = [f.message for f in check_graph(changed.model_dump(exclude_defaults=True))]
    else:
        trouble = [message for _, message, _ in check_dense(changed)]
    if trouble:
        raise ValueError("; ".join(trouble))
    return changed
