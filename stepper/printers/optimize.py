"""An optimize lesson in print: one part per optimiser, a comparison, and the contour picture.

The engine runs the optimisers one after another and files each step by phase, so a printed
document grouped by phase jumped from "iteration 3" of one optimiser to "iteration 0" of the
next, and filed Nesterov's look-ahead (an update-phase step) apart from the gradient taken
there. Here each optimiser is a part of its own, headed by its name and its parameters, and
each of its iterations one section in the order the steps are taken: the look-ahead, the
gradient at it, the update, f at the new point. After the parts, a table compares where each
optimiser got to. The picture is the app's contour plot with every path drawn in (one layout,
``stepper.pictures.contour``; each printer only renders it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from stepper.ending import ends
from stepper.ending_text import ends_sentence
from stepper.i18n import label
from stepper.notation import Sym
from stepper.pictures.contour import contour_scene
from stepper.pictures.scene import Frame, Item, Label, Scene, Wire
from stepper.steps import OptimizerShape, Quantity, Solution, Step

#: An optimiser's given numbers that are no state, by the last part of their key, in the order
#: every format prints them (the data's list and a part's heading alike).
PARAMETERS = ("alpha", "beta", "rho", "beta1", "beta2", "eps", "t")
#: What a part's heading lists: the hyper-parameters (Adam's first t is where it counts from).
_SETTINGS = PARAMETERS[:-1]
#: The printed contour plot, in character cells: wide enough for the legend beside the plot,
#: tall enough that Rosenbrock's valley reads as a valley.
PICTURE_WIDTH = 100
PICTURE_HEIGHT = 20


@dataclass(frozen=True, slots=True)
class Part:
    """One optimiser's share of the document: its heading, its parameters as given numbers,
    and the index in ``Document.sections`` of its first section."""

    title: str
    settings: tuple[Quantity, ...]
    first: int


@dataclass(frozen=True, slots=True)
class Comparison:
    """Where each optimiser got to: one row per optimiser, under ``head``.

    A row is the optimiser's name, its iterations, its last point (one shown number per
    variable) and f there. From several starts, ``notes`` say where the starts ended compared
    (the app's end screen says the same).
    """

    title: str
    head: tuple[str, str, str, str]
    rows: tuple[tuple[str, int, tuple[str, ...], str], ...]
    notes: tuple[str, ...] = ()


def _own(solution: Solution, optimizer: OptimizerShape) -> list[Step]:
    return [s for s in solution.steps if s.key.startswith(optimizer.prefix)]


def parts(solution: Solution) -> tuple[list[Part], list[tuple[str, tuple[Step, ...]]]]:
    """The parts of an optimize lesson and its sections (title, steps): per optimiser, its
    start, then one section per iteration. Several optimisers put their name in every
    section's title, so that a page starting mid-part still says whose steps these are."""
    shape = solution.optimize
    assert shape is not None
    lang = solution.language
    several = len(shape.optimizers) > 1
    found: list[Part] = []
    sections: list[tuple[str, tuple[Step, ...]]] = []
    for optimizer in shape.optimizers:
        name = optimizer.title(lang)
        steps = _own(solution, optimizer)
        found.append(Part(name, _settings(steps, optimizer.prefix), len(sections)))
        by_iteration: dict[int, list[Step]] = {}
        for step in steps:
            by_iteration.setdefault(step.iteration, []).append(step)
        for t, group in by_iteration.items():
            words = label("doc.opt.start", lang) if t == 0 else label("iteration", lang, i=t)
            title = f"{name} · {words}" if several else words[:1].upper() + words[1:]
            sections.append((title, tuple(group)))
    return found, sections


def _settings(steps: list[Step], prefix: str) -> tuple[Quantity, ...]:
    """The optimiser's hyper-parameters as its steps read them (α, β, ρ, β₁, β₂, ε)."""
    given: dict[str, Quantity] = {}
    for step in steps:
        for q in step.operands:
            name = q.key[len(prefix) :]
            if q.step is None and q.key.startswith(prefix) and name in _SETTINGS:
                given.setdefault(name, q)
    return tuple(given[name] for name in _SETTINGS if name in given)


def comparison(solution: Solution) -> Comparison:
    """Each optimiser's iterations, last point and f there, read from its last steps."""
    shape = solution.optimize
    assert shape is not None
    lang = solution.language
    rows = []
    for optimizer in shape.optimizers:
        last: dict[str, Step] = {}
        for step in _own(solution, optimizer):
            last[step.key[len(optimizer.prefix) :]] = step
        point = tuple(last[v].shown for v in shape.variables)
        rows.append((optimizer.title(lang), shape.iterations, point, last["f"].shown))
    starts = len(shape.starts) > 1
    several = len(shape.optimizers) > len(shape.starts)
    head = (
        label("doc.opt.optimizer" if several or not starts else "doc.opt.start_head", lang),
        label("doc.opt.iterations", lang),
        label("doc.opt.point", lang),
        "f",
    )
    title = label(
        "doc.opt.compare_starts" if starts else "doc.opt.compare" if several else "doc.opt.result",
        lang,
    )
    notes = tuple(ends_sentence(e, lang) for e in ends(solution))
    return Comparison(title, head, tuple(rows), notes)


def point_text(point: tuple[str, ...], comma: bool) -> str:
    """A point as the lecture writes it, (−1.4156, 2.0191); with decimal commas its
    coordinates are parted by a semicolon, (−1,4156; 2,0191). One variable's is its number."""
    from stepper.numbers import decimal_comma, pretty

    shown = [decimal_comma(pretty(v)) if comma else pretty(v) for v in point]
    if len(shown) == 1:
        return shown[0]
    return "(" + ("; " if comma else ", ").join(shown) + ")"


def picture(solution: Solution, lang: str) -> Scene:
    """The contour plot with every optimiser's whole path: what a solution shows, as tall as
    what it draws (more than two variables give a table of a few rows, not a page of blank).
    A worksheet prints no picture: its paths and table would be an empty frame, or the
    answers."""
    scene = contour_scene(
        solution, len(solution.steps), None, lang, PICTURE_WIDTH, height=PICTURE_HEIGHT
    )
    return replace(scene, height=min(scene.height, _bottom(scene.items)))


def _bottom(items: tuple[Item, ...]) -> int:
    """The row under the lowest thing drawn."""
    rows = [0.0]
    for item in items:
        if isinstance(item, Label):
            rows.append(item.y + 1)
        elif isinstance(item, Wire):
            rows += [y + 1 for _, y in item.points]
        elif isinstance(item, Frame):
            rows.append(item.y + item.h + 1)
        else:
            rows.append(item.y + len(item.levels))
    return math.ceil(max(rows))


def settings_latex(settings: tuple[Quantity, ...]) -> list[str]:
    """Each parameter as LaTeX, ``\\alpha = 0.0005``."""
    from stepper import formulas

    return [f"{q.sym.latex()} = {formulas.number(q.shown, 'latex', alone=True)}" for q in settings]


def statement(solution: Solution) -> list[str]:
    """The problem an exam sheet sets, in LaTeX: f with its formula and the starting point
    (an exam prints no step's formula, and without these the first answer, f at the start,
    cannot be worked out). Each optimiser's parameters come with its part."""
    from stepper import formulas
    from stepper.numbers import given

    shape = solution.optimize
    if shape is None or not solution.steps:
        return []
    first = solution.steps[0]  # f at the start: its formula reads the variables
    syms = [variable(name) for name in shape.variables]
    names = ", ".join(sym.latex() for sym in syms)
    starts = [
        ", \\; ".join(
            f"{sym.latex()} = {formulas.number(given(v), 'latex', alone=True)}"
            for sym, v in zip(syms, start, strict=True)
        )
        for start in shape.starts
    ]
    return [f"f({names}) = {formulas.rhs_formula(first, 'latex')}", *starts]


def variable(name: str) -> Sym:
    """A variable as the engine names it: x, or x₁ for x1."""
    return Sym(name[0], (int(name[1:]),) if name[1:] else ())
