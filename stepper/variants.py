"""Exam variants: the same lesson with other numbers, each named by a short id.

A lesson's ``variants`` section says which numbers may change (weights, inputs, targets, the
learning rate) and over which grid. A variant's id seeds its own random generator, so the id
alone regenerates exactly that variant (``stepper solve LESSON --variant ID``); a seed and a
count give the ids of a whole exam. Draws that would teach badly are redrawn: a saturated
tanh or sigmoid (|u| > 2) unless the lesson allows it, and numbers that vanish or explode.

A variant speaks only of its own numbers: the lesson's summary and notes quote the lesson's
("Se presenta el par x = [0.1, 0.7] …"), so a variant drops them and says what it presents
in a summary written from its own data.
"""

from __future__ import annotations

import math
import random
from typing import Any

from babel.lists import format_list

from stepper.engine import solve
from stepper.exam.secret import variant_id, variant_seed
from stepper.lesson.checks import check_dense
from stepper.lesson.errors import LessonError, Problem, msg, msg_count
from stepper.lesson.schema import Category, DenseLesson, Grid, Lesson, Sample
from stepper.messages import languages, text
from stepper.numbers import given, pretty
from stepper.steps import run_of

#: Draws tried for one variant before giving up on the lesson's ranges.
ATTEMPTS = 200
#: Largest |u| of a tanh or sigmoid neuron before it counts as saturated.
SATURATION = 2.0
SMALLEST, LARGEST = 1e-3, 1e3


def _pick(rng: random.Random, grid: Grid) -> float:
    count = math.floor((grid.max - grid.min) / grid.step + 1e-9) + 1
    value = grid.min + rng.randrange(count) * grid.step
    return float(round(value, 10))


def _draw(lesson: DenseLesson, rng: random.Random) -> DenseLesson:
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


def sensible(lesson: DenseLesson) -> bool:
    """No saturated tanh/sigmoid (unless allowed), nothing vanishing or exploding."""
    if check_dense(lesson):
        return False
    solution = solve(lesson)
    allow = lesson.variants.saturate if lesson.variants else False
    acts = [layer.activations() for layer in lesson.network.layers]
    for step in solution.steps:
        key = run_of(step.key, solution.runs)[1]  # each run's u and ỹ too
        if not math.isfinite(step.value) or abs(step.value) > LARGEST:
            return False
        if step.value != 0 and abs(step.value) < SMALLEST and key.startswith(("u[", "y[")):
            return False
        if key.startswith("u[") and not allow and step.layer and step.neuron:
            act = acts[step.layer - 1][step.neuron - 1]
            if act in ("tanh", "sigmoid") and abs(step.value) > SATURATION:
                return False
    return True


def make_variant(lesson: Lesson, vid: str, secret: str | None = None) -> DenseLesson:
    """Exactly the variant named ``vid`` (the same id and secret always give the same
    numbers)."""
    if not isinstance(lesson, DenseLesson) or lesson.variants is None:
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


def summary_of(variant: DenseLesson, lang: str) -> str:
    """The variant's summary in ``lang``: that it is one, and what it presents, in its numbers."""
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
) -> list[tuple[str, DenseLesson]]:
    """``count`` distinct variants for an exam, with their ids, in order."""
    out: list[tuple[str, DenseLesson]] = []
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
        numbers = variant.model_dump_json(include={"network", "training"})
        if numbers in seen:
            continue
        seen.add(numbers)
        out.append((vid, variant))
    return out
