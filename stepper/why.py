"""What a step reads and where each came from: the lines of the app's ``w`` dialog and of
the plain REPL's ``why``.

Each line names a quantity with its value and its origin: a step of the solution (which the
learner can jump to) or a number the lesson gives.
"""

from __future__ import annotations

from dataclasses import dataclass

from stepper.i18n import label
from stepper.numbers import pretty
from stepper.steps import Step


@dataclass(frozen=True, slots=True)
class Read:
    """One quantity a step reads, as a line, and the index of the step that computed it
    (None for a number the lesson gives)."""

    text: str
    index: int | None


def why_title(step: Step, lang: str) -> str:
    return label("why.title", lang, sym=step.sym.unicode())


def reads(step: Step, lang: str) -> list[Read]:
    """Every quantity ``step`` reads, in the formula's order, the origins in one column."""
    named = [f"{q.sym.unicode()} = {pretty(q.shown)}" for q in step.reads]
    width = max(map(len, named), default=0)
    out = []
    for q, name in zip(step.reads, named, strict=True):
        if q.step is None:
            origin, index = label("why.given", lang), None
        else:
            origin, index = label("why.step", lang, n=q.step), q.step - 1
        out.append(Read(f"{name:<{width}}   ({origin})", index))
    return out
