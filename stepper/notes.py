"""A lesson's notes after the learner changes one of its numbers.

A note that quotes numbers ("La diapositiva redondea tgh(0.12) ≈ 0.12") speaks of the lesson
as written; once a number is changed, those numbers are no longer the ones on screen. Such a
note is marked as being about the original lesson rather than hidden: what it says of the
slides (their rounding, an erratum) is still worth reading, and restoring the lesson brings
the note back unmarked. A note that quotes no number ("γ₁ usa t₃₁ antes de actualizarlo")
holds for any numbers and stays as it is. A number is an ASCII digit: the subscripts of
symbols (t₃₁) are names, not numbers.
"""

from __future__ import annotations

import re
from dataclasses import replace

from stepper.i18n import label
from stepper.steps import Solution

_NUMBER = re.compile(r"[0-9]")


def after_edit(solution: Solution, lang: str) -> Solution:
    """``solution`` (of an edited lesson) with each note that quotes a number marked as about
    the original lesson."""
    if not any(step.note and _NUMBER.search(step.note) for step in solution.steps):
        return solution
    steps = tuple(
        replace(step, note=label("note.original", lang, note=step.note.strip()))
        if step.note and _NUMBER.search(step.note)
        else step
        for step in solution.steps
    )
    return replace(solution, steps=steps)
