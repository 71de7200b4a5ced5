"""The step engine: a validated lesson in, the ordered tuple of steps out.

Headless by design: it imports neither Textual nor sympy. Numbers are float64; formulas are
rendered later, by the printers, from the templates each step names.
"""

from __future__ import annotations

from dataclasses import replace

from stepper.engine.conv import ConvRun
from stepper.engine.dense import DenseRun
from stepper.lesson.schema import ConvLesson, Lesson
from stepper.steps import Solution


def solve(lesson: Lesson, lang: str | None = None) -> Solution:
    """Work the lesson out in ``lang`` (default: the lesson's own language).

    With ``round_intermediate`` each step computes from the shown values of the steps it
    reads, as on paper; the exact run is made too, and each step keeps its exact value so the
    drift can be shown.
    """
    language = lang or lesson.language
    rounding = lesson.display.round_intermediate
    run = ConvRun if isinstance(lesson, ConvLesson) else DenseRun
    solution = run(lesson, language, rounding=rounding).solution()  # type: ignore[arg-type]
    if not rounding:
        return solution
    exact = run(lesson, language, rounding=False).solution()  # type: ignore[arg-type]
    steps = tuple(
        replace(s, exact=e.value) for s, e in zip(solution.steps, exact.steps, strict=True)
    )
    return replace(solution, steps=steps)
