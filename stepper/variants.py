"""Exam variants: the same lesson with other numbers, each named by a short id.

A lesson's ``variants`` section says which numbers may change (weights, inputs, targets, the
learning rate) and over which grid. A variant's id seeds its own random generator, so the id
alone regenerates exactly that variant (``stepper solve LESSON --variant ID``); a seed and a
count give the ids of a whole exam. Draws that would teach badly are redrawn: a saturated
tanh or sigmoid (|u| > 2) unless the lesson allows it, and numbers that vanish or explode.
"""

from __future__ import annotations

import hashlib
import math
import random
from typing import Any

from stepper.engine import solve
from stepper.lesson.checks import check_dense
from stepper.lesson.errors import LessonError, Problem, msg
from stepper.lesson.schema import DenseLesson, Grid, Lesson

#: Draws tried for one variant before giving up on the lesson's ranges.
ATTEMPTS = 200
#: Largest |u| of a tanh or sigmoid neuron before it counts as saturated.
SATURATION = 2.0
SMALLEST, LARGEST = 1e-3, 1e3
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def variant_id(seed: int, index: int) -> str:
    """The id of the index-th variant of an exam made with ``seed``: 6 base-36 characters."""
    digest = hashlib.sha256(f"{seed}:{index}".encode()).digest()
    number = int.from_bytes(digest[:4], "big")
    out = ""
    for _ in range(6):
        number, rest = divmod(number, 36)
        out = _DIGITS[rest] + out
    return out


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
        if spec.inputs:
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
        if not math.isfinite(step.value) or abs(step.value) > LARGEST:
            return False
        if step.value != 0 and abs(step.value) < SMALLEST and step.key.startswith(("u[", "y[")):
            return False
        if step.key.startswith("u[") and not allow and step.layer and step.neuron:
            act = acts[step.layer - 1][step.neuron - 1]
            if act in ("tanh", "sigmoid") and abs(step.value) > SATURATION:
                return False
    return True


def make_variant(lesson: Lesson, vid: str) -> DenseLesson:
    """Exactly the variant named ``vid`` (the same id always gives the same numbers)."""
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
        rng = random.Random(int(vid, 36))
    except ValueError:
        raise LessonError([Problem(vid, msg("variants.bad_id"))]) from None
    for _ in range(ATTEMPTS):
        candidate = _draw(lesson, rng)
        if sensible(candidate):
            # The lesson's notes speak of its own numbers, not of the variant's.
            return candidate.model_copy(update={"id": f"{lesson.id}-{vid}", "notes": {}})
    raise LessonError(
        [
            Problem(
                lesson.id or "lesson",
                msg("variants.no_sensible", attempts=ATTEMPTS),
            )
        ]
    )


def make_variants(lesson: Lesson, seed: int, count: int) -> list[tuple[str, DenseLesson]]:
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
                        msg("variants.too_few", n=len(out)),
                    )
                ]
            )
        vid = variant_id(seed, index)
        index += 1
        variant = make_variant(lesson, vid)
        numbers = variant.model_dump_json(include={"network", "training"})
        if numbers in seen:
            continue
        seen.add(numbers)
        out.append((vid, variant))
    return out
