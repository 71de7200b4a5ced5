"""Exam variants: the same lesson with other numbers, each named by a short id.

A lesson's ``variants`` section says which numbers may change (weights, inputs, targets, the
learning rate) and over which grid: in a dense lesson the layers' weights and the samples; in a
recurrent one every gate's and the output's weights, the sequence x_1 … x_T and the targets
(the initial states stay as written); in a graph lesson its inputs and α (the formulas stay).
A variant's id seeds its own random generator, so the id alone regenerates exactly that
variant (``stepper solve LESSON --variant ID``); a seed and a count give the ids of a whole
exam. Draws that would teach badly are redrawn: a saturated tanh or sigmoid (|u| > 2; every
gate of a recurrent cell is one, and every tanh and sigmoid of a graph's formulas) unless the
lesson allows it, inputs a graph's functions are not defined at, and numbers that vanish or
explode.

A variant speaks only of its own numbers: the lesson's summary and notes quote the lesson's
("Se presenta el par x = [0.1, 0.7] …"), so a variant drops them and says what it presents
in a summary written from its own data.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable
from typing import Any

from babel.lists import format_list

from stepper.engine import solve
from stepper.exam.secret import variant_id, variant_seed
from stepper.lesson.checks import check_dense
from stepper.lesson.errors import LessonError, Problem, msg, msg_count
from stepper.lesson.graph_checks import check_graph, squashing
from stepper.lesson.recurrent_checks import check_recurrent
from stepper.lesson.schema import (
    Category,
    DenseLesson,
    GraphLesson,
    Grid,
    Lesson,
    RecurrentLesson,
    Sample,
)
from stepper.messages import languages, text
from stepper.notation import named
from stepper.numbers import given, pretty
from stepper.steps import Step, run_of

#: Draws tried for one variant before giving up on the lesson's ranges.
ATTEMPTS = 200
#: Largest |u| of a tanh or sigmoid neuron before it counts as saturated.
SATURATION = 2.0
SMALLEST, LARGEST = 1e-3, 1e3


def _pick(rng: random.Random, grid: Grid) -> float:
    count = math.floor((grid.max - grid.min) / grid.step + 1e-9) + 1
    value = grid.min + rng.randrange(count) * grid.step
    return float(round(value, 10))


#: A lesson that may have exam variants.
Varied = DenseLesson | RecurrentLesson | GraphLesson
#: The fields of each kind whose numbers a variant draws (two variants that agree on them are
#: the same exercise).
_NUMBERS = {
    "dense": {"network", "training"},
    "recurrent": {"gates", "output", "sequence", "targets", "training"},
    "graph": {"inputs", "learning_rate"},
}


def _draw(lesson: Varied, rng: random.Random) -> Varied:
    if isinstance(lesson, RecurrentLesson):
        return _draw_recurrent(lesson, rng)
    if isinstance(lesson, GraphLesson):
        return _draw_graph(lesson, rng)
    spec = lesson.variants
    assert spec is not None
    data: Any = lesson.model_dump()
    if spec.weights:
        for layer in data["network"]["layers"]:
            layer["weights"] = [[_pick(rng, spec.weights) for _ in row] for row in layer["weights"]]
    for sample in data["training"]["samples"]:
        if spec.inputs and isinstance(sample["x"], list):  # a category is not a number
            sample["x"] = [_pick(rng, spec.inputs) for _ in sample["x"]]
        if spec.targets and sample["y"] is not None:
            sample["y"] = [_pick(rng, spec.targets) for _ in sample["y"]]
    if spec.learning_rate and data["training"]["learning_rate"] is not None:
        data["training"]["learning_rate"] = _pick(rng, spec.learning_rate)
    return DenseLesson.model_validate(data)


def _draw_recurrent(lesson: RecurrentLesson, rng: random.Random) -> RecurrentLesson:
    spec = lesson.variants
    assert spec is not None
    data: Any = lesson.model_dump()

    def drawn(rows: list[list[float]], grid: Grid) -> list[list[float]]:
        return [[_pick(rng, grid) for _ in row] for row in rows]

    if spec.weights:
        gates = data["gates"]
        for gate, rows in gates.items():
            gates[gate] = None if rows is None else drawn(rows, spec.weights)
        if data["output"] is not None:
            data["output"]["weights"] = drawn(data["output"]["weights"], spec.weights)
    if spec.inputs:
        data["sequence"] = drawn(data["sequence"], spec.inputs)
    if spec.targets and data["targets"] is not None:
        data["targets"] = drawn(data["targets"], spec.targets)
    training = data["training"]
    if spec.learning_rate and training is not None and training["learning_rate"] is not None:
        training["learning_rate"] = _pick(rng, spec.learning_rate)
    return RecurrentLesson.model_validate(data)


def _draw_graph(lesson: GraphLesson, rng: random.Random) -> GraphLesson:
    """Every input from ``inputs``' grid, α from ``learning_rate``'s (when the lesson has one);
    the formulas stay."""
    spec = lesson.variants
    assert spec is not None
    data: Any = lesson.model_dump()
    if spec.inputs:
        data["inputs"] = {name: _pick(rng, spec.inputs) for name in data["inputs"]}
    if spec.learning_rate and data["learning_rate"] is not None:
        data["learning_rate"] = _pick(rng, spec.learning_rate)
    return GraphLesson.model_validate(data)


def _trouble(lesson: Varied) -> bool:
    """Whether the checks refuse the drawn numbers (a graph's log of a negative, a recurrent
    lesson's sizes never change but are checked as the loader does)."""
    if isinstance(lesson, GraphLesson):
        return bool(check_graph(lesson.model_dump(exclude_defaults=True)))
    if isinstance(lesson, RecurrentLesson):
        return bool(check_recurrent(lesson))
    return bool(check_dense(lesson))


def sensible(lesson: Varied) -> bool:
    """No saturated tanh/sigmoid (unless allowed), nothing vanishing or exploding."""
    if _trouble(lesson):
        return False
    allow = lesson.variants.saturate if lesson.variants else False
    if isinstance(lesson, GraphLesson) and not allow and _flat(lesson):
        return False
    solution = solve(lesson)
    squashed = _squashed(lesson)
    for step in solution.steps:
        key = run_of(step.key, solution.runs)[1]  # each run's u and ỹ too
        if isinstance(lesson, GraphLesson):  # operations.check.val[n3] is a val[n3]
            key = key.rsplit(".", 1)[-1]
            if key.startswith("grad[") and step.value == 0:
                return False  # nothing flows back to it: half the exercise is zeros
        if not math.isfinite(step.value) or abs(step.value) > LARGEST:
            return False
        if step.value != 0 and abs(step.value) < SMALLEST and key.startswith(("u[", "y[", "val[")):
            return False
        if not allow and squashed(key, step) and abs(step.value) > SATURATION:
            return False
    return True


def _flat(lesson: GraphLesson) -> bool:
    """Whether a tanh or sigmoid of the graph's formulas gets an argument beyond ±2."""
    return any(abs(u) > SATURATION for u in squashing(lesson.model_dump(exclude_defaults=True)))


def _squashed(lesson: Varied) -> Callable[[str, Step], bool]:
    """Whether a step is the net input of a tanh or a sigmoid: a dense neuron's with one of
    them, any recurrent gate's (``u[f,2,1]``: σ or tanh, every one)."""
    if isinstance(lesson, RecurrentLesson):
        return lambda key, step: _GATE_INPUT.match(key) is not None
    if isinstance(lesson, GraphLesson):  # its functions' arguments are checked before solving
        return lambda key, step: False
    acts = [layer.activations() for layer in lesson.network.layers]

    def dense(key: str, step: Step) -> bool:
        if not key.startswith("u[") or not step.layer or not step.neuron:
            return False
        return acts[step.layer - 1][step.neuron - 1] in ("tanh", "sigmoid")

    return dense


_GATE_INPUT = re.compile(r"^u\[[a-z],")


def make_variant(lesson: Lesson, vid: str, secret: str | None = None) -> Varied:
    """Exactly the variant named ``vid`` (the same id and secret always give the same
    numbers)."""
    if (
        not isinstance(lesson, DenseLesson | RecurrentLesson | GraphLesson)
        or lesson.variants is None
    ):
        raise LessonError(
            [
                Problem(
                    lesson.id or "lesson",
                    msg("variants.none"),
                )
            ]
        )
    try:
        rng = random.Random(variant_seed(vid, secret))
    except ValueError:
        raise LessonError([Problem(vid, msg("variants.bad_id"))]) from None
    for _ in range(ATTEMPTS):
        candidate = _draw(lesson, rng)
        if sensible(candidate):
            # The lesson's summary and notes speak of its own numbers, not of the variant's.
            summary = {lang: summary_of(candidate, lang) for lang in languages()}
            return candidate.model_copy(
                update={"id": f"{lesson.id}-{vid}", "notes": {}, "summary": summary}
            )
    raise LessonError(
        [
            Problem(
                lesson.id or "lesson",
                msg("variants.no_sensible", attempts=ATTEMPTS),
            )
        ]
    )


def summary_of(variant: Varied, lang: str) -> str:
    """The variant's summary in ``lang``: that it is one, and what it presents, in its numbers."""
    if isinstance(variant, GraphLesson):
        return text("variant.summary.graph", lang, data=_graph_text(variant, lang))
    if isinstance(variant, RecurrentLesson):
        return text("variant.summary", lang, data=_sequence_text(variant, lang))
    samples = variant.training.samples
    rate = variant.training.learning_rate
    fields = {"rate": ""}
    if rate is not None and any(sample.y is not None for sample in samples):
        fields["rate"] = " " + text("variant.rate", lang, alpha=given(rate))
    if len(samples) > 1:
        listed = [f"({_sample_text(sample)})" for sample in samples]
        data = text("variant.many", lang, samples=format_list(listed, locale=lang), **fields)
    elif samples[0].y is None:
        data = text("variant.one.input", lang, x=_inputs(samples[0]), **fields)
    else:
        data = text("variant.one", lang, x=_inputs(samples[0]), y=_vector(samples[0].y), **fields)
    return text("variant.summary", lang, data=data)


def _sequence_text(variant: RecurrentLesson, lang: str) -> str:
    """What a recurrent variant presents: its sequence, its targets and its rate."""
    shown = [_vector(x) for x in variant.sequence[:SHOWN]]
    shown += ["…"] if len(variant.sequence) > SHOWN else []
    training = variant.training
    rate = training.learning_rate if training is not None else None
    fields = {"xs": ", ".join(shown), "rate": ""}
    if rate is not None and variant.targets is not None:
        fields["rate"] = " " + text("variant.rate", lang, alpha=given(rate))
    if variant.targets is None:
        return text("variant.sequence.input", lang, **fields)
    ys = [_vector(y) for y in variant.targets[:SHOWN]]
    ys += ["…"] if len(variant.targets) > SHOWN else []
    return text("variant.sequence", lang, ys=", ".join(ys), **fields)


def _graph_text(variant: GraphLesson, lang: str) -> str:
    """What a graph variant presents: its inputs and its rate."""
    values = [f"{named(name).unicode()} = {pretty(given(v))}" for name, v in variant.inputs.items()]
    rate = variant.learning_rate
    fields = {"rate": " " + text("variant.rate", lang, alpha=given(rate)) if rate else ""}
    return text("variant.graph", lang, inputs=format_list(values, locale=lang), **fields)


#: The time steps a recurrent variant's summary lists before "…".
SHOWN = 6


def _vector(values: list[float]) -> str:
    return "[" + ", ".join(pretty(given(v)) for v in values) + "]"


def _inputs(sample: Sample) -> str:
    """A sample's x as the lesson gives it: its numbers, or the name of its category."""
    return sample.x.category if isinstance(sample.x, Category) else _vector(sample.x)


def _sample_text(sample: Sample) -> str:
    x = f"x = {_inputs(sample)}"
    return x if sample.y is None else f"{x}, y = {_vector(sample.y)}"


def make_variants(
    lesson: Lesson, seed: int, count: int, secret: str | None = None
) -> list[tuple[str, Varied]]:
    """``count`` distinct variants for an exam, with their ids, in order."""
    out: list[tuple[str, Varied]] = []
    seen: set[str] = set()
    index = 0
    while len(out) < count:
        if index > count * 10 + 100:
            raise LessonError(
                [
                    Problem(
                        lesson.id or "lesson",
                        msg_count("variants.too_few", len(out)),
                    )
                ]
            )
        vid = variant_id(seed, index, secret)
        index += 1
        variant = make_variant(lesson, vid, secret)
        numbers = variant.model_dump_json(include=_NUMBERS[variant.kind])
        if numbers in seen:
            continue
        seen.add(numbers)
        out.append((vid, variant))
    return out
