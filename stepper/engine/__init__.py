"""The step engine: a validated lesson in, the ordered tuple of steps out.

Headless by design: it imports neither Textual nor sympy (an optimize lesson imports sympy when
it is solved, to differentiate its function). Numbers are float64; formulas are rendered later,
by the printers, from the templates each step names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from stepper.engine.blame import overflow
from stepper.engine.conv import ConvRun
from stepper.engine.dense import DenseRun
from stepper.engine.graph import GraphPass
from stepper.engine.optimize import OptimizeRun
from stepper.engine.recurrent import RecurrentRun
from stepper.lesson.errors import LessonError, NumberProblem, msg, speaking
from stepper.lesson.schema import (
    ConvLesson,
    GraphLesson,
    Lesson,
    OptimizeLesson,
    RecurrentLesson,
)
from stepper.steps import Solution


def solve(lesson: Lesson, lang: str | None = None) -> Solution:
    """Work the lesson out in ``lang`` (default: the lesson's own language).

    With ``round_intermediate`` each step computes from the shown values of the steps it
    reads, as on paper; the exact run is made too, and each step keeps its exact value so the
    drift can be shown.
    """
    language = lang or lesson.language
    with speaking(language):  # a number that cannot be worked out is told in it
        return _solve(lesson, language)


def _solve(lesson: Lesson, language: str) -> Solution:
    rounding = lesson.display.round_intermediate
    run = (
        ConvRun
        if isinstance(lesson, ConvLesson)
        else OptimizeRun
        if isinstance(lesson, OptimizeLesson)
        else RecurrentRun
        if isinstance(lesson, RecurrentLesson)
        else GraphPass
        if isinstance(lesson, GraphLesson)
        else DenseRun
    )
    solution = _run(run, lesson, language, rounding)
    if rounding:
        exact = _run(run, lesson, language, False)
        steps = tuple(
            replace(s, exact=e.value) for s, e in zip(solution.steps, exact.steps, strict=True)
        )
        solution = replace(solution, steps=steps)
    if lesson.phases:
        solution = only_phases(solution, lesson.phases)
    if not solution.steps:  # nothing to step through, print or ask
        chosen = ", ".join(lesson.phases or ())
        raise located(
            lesson,
            NumberProblem(
                lesson.id or "lesson",
                msg("engine.no_steps_phases", chosen=chosen)
                if lesson.phases
                else msg("engine.no_steps"),
                ("phases",) if lesson.phases else (),
            ),
        )
    return solution


def only_phases(solution: Solution, phases: Sequence[str]) -> Solution:
    """The steps of the chosen phases, numbered again; a quantity whose step is not shown
    reads as given (its number is still the computed one)."""
    kept = [s for s in solution.steps if s.phase in phases]
    renumber = {s.n: k for k, s in enumerate(kept, 1)}
    steps = tuple(
        replace(
            s,
            n=renumber[s.n],
            operands=tuple(
                replace(q, step=renumber.get(q.step)) if q.step is not None else q
                for q in s.operands
            ),
        )
        for s in kept
    )
    return replace(solution, steps=steps)


def located(lesson: Lesson, problem: NumberProblem) -> LessonError:
    """The problem at the line and column of its number in the lesson's file."""
    from stepper.lesson.load import locate_number

    return locate_number(lesson, problem)


def _run(run: type, lesson: Lesson, language: str, rounding: bool) -> Solution:
    """One pass; a float overflow (Python raises it for ``**``) is the lesson's numbers
    diverging, which is bad input, not a bug."""
    try:
        solution: Solution = run(lesson, language, rounding=rounding).solution()
    except OverflowError:
        raise located(lesson, overflow(lesson, msg("engine.calculation"))) from None
    except NumberProblem as exc:
        raise located(lesson, exc) from None
    return solution
