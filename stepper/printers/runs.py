"""A lesson trained several ways (``training.runs``) in print: one part per run, its data, and
the comparison of where the runs got to.

The engine trains the runs one after the other. As for an optimize lesson's optimisers, each
run is a part of its own, headed by its title and the learning rate its increments read, its
sections grouped as a lesson without runs groups them and titled with the run's name, so that
a page starting mid-part still says whose steps these are. The data lists what each run
changes; the results set the runs' ends side by side (``stepper.runs.compare``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, TypeVar

from stepper.i18n import label
from stepper.notation import Sym
from stepper.numbers import given
from stepper.printers.data import Cell, Table
from stepper.printers.optimize import Part
from stepper.runs import compare, own_steps
from stepper.steps import Quantity, Solution, Step

#: The training fields a run may change, in the order the data's table lists them, and how
#: each is headed: by its symbol, or by a label.
_HEADINGS: dict[str, Cell] = {"learning_rate": Sym("alpha")}
#: A section of a printed document (``stepper.printers.document.Section``).
S = TypeVar("S", bound=Any)


def run_parts(
    solution: Solution, sections: Callable[[Solution], list[S]]
) -> tuple[list[Part], list[S]]:
    """The parts of a lesson with runs and its sections: per run, the sections ``sections``
    makes of its steps alone, each title after the run's name."""
    found: list[Part] = []
    out: list[S] = []
    for run in solution.runs:
        steps = tuple(own_steps(solution, run))
        alpha = _alpha(steps, run.prefix)
        found.append(Part(run.title, (alpha,) if alpha is not None else (), len(out)))
        own = sections(replace(solution, steps=steps))
        out += [replace(section, title=f"{run.title} · {section.title}") for section in own]
    return found, out


def _alpha(steps: tuple[Step, ...], prefix: str) -> Quantity | None:
    """The learning rate the run's increments read."""
    for step in steps:
        for q in step.operands:
            if q.key == prefix + "alpha":
                return q
    return None


def runs_table(solution: Solution) -> Table:
    """How each run trains, one row per run: every training field some run sets."""
    lang = solution.language
    fields = [name for name, _ in solution.runs[0].settings]
    head = tuple(_HEADINGS.get(name) or label(f"data.runs.{name}", lang) for name in fields)
    rows = tuple(tuple(_shown(v) for _, v in run.settings) for run in solution.runs)
    side = tuple(run.title for run in solution.runs)
    return Table(label("data.runs", lang), rows, head, side)


def _shown(value: object) -> str:
    if value is None:  # a field the run leaves unset, as the lesson does (no normalisation)
        return "—"
    return given(value) if isinstance(value, float) else str(value)


def compared_table(solution: Solution) -> Table | None:
    """The runs' ends side by side (None without runs)."""
    compared = compare(solution)
    if compared is None:
        return None
    return Table(compared.title, compared.rows, compared.head, compared.side)
