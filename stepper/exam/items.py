"""What an exam asks and what it gives: the numbered items and the data.

An item is one value the learner computes, numbered as the worksheet numbers it: exercise N
is the document's N-th section (a phase of one sample), its steps the parts a), b), … The
data are the numbers the steps read and no step computed (inputs, targets, weights, α), in
the order the solution first reads them: exactly what a student needs and nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass

from stepper.i18n import label
from stepper.printers.document import build_document
from stepper.steps import Quantity, Solution, Step


@dataclass(frozen=True, slots=True)
class Item:
    """One asked value: exercise ``exercise`` part ``part`` (a, b, …) of a section titled
    ``heading``."""

    exercise: int
    part: str
    heading: str
    step: Step

    def name(self, lang: str) -> str:
        """ "Ejercicio 3 b)", in the reader's language."""
        return label("exam.item", lang, n=self.exercise, part=self.part)


def part_letter(index: int) -> str:
    """a, b, …, z, aa, ab, …: the letter of the index-th part (0-based)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


def items(solution: Solution) -> list[Item]:
    """Every value the worksheet asks, numbered as the worksheet numbers it."""
    document = build_document(solution, blank="values")
    return [
        Item(n, part_letter(k), section.title, step)
        for n, section in enumerate(document.sections, 1)
        for k, step in enumerate(section.steps)
    ]


def data(solution: Solution) -> list[tuple[int | None, list[Quantity]]]:
    """The given numbers: those of no single sample first (weights, α; key None), then each
    sample's own (its x and y), every quantity once, in the order the steps first read them."""
    groups: dict[int | None, dict[str, Quantity]] = {None: {}}
    for step in solution.steps:
        for quantity in step.operands:
            if quantity.step is not None:
                continue
            own = quantity.key.startswith(("x[", "target["))
            group = groups.setdefault(step.sample if own else None, {})
            group.setdefault(quantity.key, quantity)
    return [(sample, list(found.values())) for sample, found in groups.items() if found]
