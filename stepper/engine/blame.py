"""Which number of a lesson to blame when its numbers overflow or underflow.

The engine finds these problems only while it computes, far from the file; a message must still
point at a number the author can change. An overflow comes from a number that is too large for
the arithmetic (a weight of 1e308), or from training that diverges. So the largest number the
lesson gives is blamed when it is large, else the learning rate, which sets how far each update
goes.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from typing import Any

from stepper.lesson.errors import NumberProblem, msg
from stepper.lesson.schema import LessonBase
from stepper.steps import Quantity

#: A number at least this large is blamed before the learning rate.
LARGE = 1e6
#: Fields that hold no number of the calculation (counts, sizes, settings, texts).
_NOT_NUMBERS = frozenset(
    {
        "id",
        "title",
        "summary",
        "language",
        "kind",
        "display",
        "notes",
        "explanations",
        "phases",
        "variants",
        "shape",
        "pool",
        "stride",
        "padding",
        "activation",
        "symbol",
        "name",
        "inputs",
        "epochs",
        "batch_size",
        "iterations",
        "variables",
        "function",
    }
)

Path = tuple[Hashable, ...]


def _numbers(value: Any, path: Path) -> Iterator[tuple[Path, float]]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key not in _NOT_NUMBERS:
                yield from _numbers(item, (*path, key))
    elif isinstance(value, list):
        for k, item in enumerate(value):
            yield from _numbers(item, (*path, k))
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield path, float(value)


def largest(lesson: LessonBase) -> tuple[Path, float] | None:
    """The data path and value of the number of largest size the lesson gives."""
    return max(_numbers(lesson.model_dump(), ()), key=lambda pv: abs(pv[1]), default=None)


def learning_rate(lesson: LessonBase) -> Path | None:
    """Where the learning rate of a dense or conv lesson is written, if it is."""
    data = lesson.model_dump(include={"training", "learning_rate"})
    if (data.get("training") or {}).get("learning_rate") is not None:
        return ("training", "learning_rate")
    if data.get("learning_rate") is not None:
        return ("learning_rate",)
    return None


def overflow(lesson: LessonBase, what: str) -> NumberProblem:
    """The problem for ``what`` (a step, or "the numbers") becoming too large to compute."""
    big = largest(lesson)
    rate = learning_rate(lesson)
    ident = lesson.id or "lesson"
    if rate is not None and (big is None or abs(big[1]) < LARGE):
        return NumberProblem(
            ident,
            msg("engine.overflow_rate", what=what),
            rate,
        )
    if big is None:
        return NumberProblem(ident, msg("engine.overflow", what=what), ())
    return NumberProblem(
        ident,
        msg("engine.overflow_largest", what=what, big=f"{big[1]:g}"),
        big[0],
    )


def zero_probability(lesson: LessonBase, prob: Quantity, rounding: bool) -> NumberProblem:
    """The problem for a probability of 0 where the cross-entropy takes its logarithm.

    On paper (``round_intermediate``) it may be a small one shown as 0: more decimals help.
    Otherwise it is exactly 0, the softmax of logits far apart, which more decimals would not
    change, and computing the loss stably (as log-softmax) would not help either: the step
    must show log ỹ with the ỹ of the step before, and log 0 is -∞. So it is refused, at the
    largest number of the lesson, which drives the logits apart.
    """
    name = prob.sym.unicode()
    if rounding:
        return NumberProblem(
            lesson.id or "lesson",
            msg(
                "engine.zero_rounded",
                name=name,
                shown=prob.shown,
                decimals=lesson.display.decimals,
            ),
            ("display", "decimals") if "display" in lesson.model_fields_set else (),
        )
    big = largest(lesson)
    return NumberProblem(
        lesson.id or "lesson",
        msg("engine.zero_largest", name=name, big=f"{big[1]:g}")
        if big
        else msg("engine.zero", name=name),
        big[0] if big else (),
    )
