"""The worked solution as a document: what every printed format shows, in one place.

Like the lecture's solved exercise: title and summary, then the steps numbered and grouped by
phase (per iteration and sample), each as formula = substitution = value with its
explanation, then a table of the results (the new weights, or the maps and new kernels); the
data and the results come from ``stepper.printers.data``. The printers (Markdown, LaTeX, HTML,
PDF) only decide how to write this down, so the numbers are the same in every format and the
same as in the app.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Literal

from stepper.graph_timeline import block as graph_block
from stepper.graph_timeline import node_label, split_title
from stepper.i18n import label
from stepper.printers.data import Given, Table, build_data, build_results
from stepper.printers.grouping import Item, items
from stepper.printers.optimize import Comparison, Part, comparison, parts
from stepper.printers.runs import run_parts
from stepper.printers.working import Worked, worked
from stepper.steps import Phase, Solution, Step
from stepper.timeline import where_in_time

#: What a worksheet leaves blank: nothing (a solution), the values, or values and substitutions.
Blank = Literal["none", "values", "all"]


@dataclass(frozen=True, slots=True)
class Section:
    """Consecutive steps of one phase of one iteration (and sample, before the update)."""

    title: str
    steps: tuple[Step, ...]
    #: The steps as printed, those 0 for one reason as one group (``stepper.printers.grouping``);
    #: None prints them one by one.
    grouped: tuple[Item, ...] | None = None

    @property
    def items(self) -> tuple[Item, ...]:
        return self.steps if self.grouped is None else self.grouped


@dataclass(frozen=True, slots=True)
class Document:
    """Everything a printer writes, already in the reader's language."""

    solution: Solution
    title: str
    summary: str | None
    lang: str
    sections: tuple[Section, ...]
    tables: tuple[Table, ...]
    blank: Blank
    comma: bool
    variant: str | None = None
    #: How each step's substitution is printed in a solution (``stepper.printers.working``):
    #: the steps whose printed numbers differ from the engine's, by step number.
    working: dict[int, Worked] = field(default_factory=dict)
    #: An optimize lesson's optimisers (or a dense lesson's runs), each heading the sections
    #: from its ``first`` on.
    parts: tuple[Part, ...] = ()
    #: Where an optimize lesson's optimisers got to (in a solution, not on a worksheet).
    comparison: Comparison | None = None

    def part_at(self, index: int) -> Part | None:
        """The part whose first section is ``sections[index]``, if one starts there."""
        return next((p for p in self.parts if p.first == index), None)

    #: Steps whose explanation the item printed just before gives word for word: said once
    #: per run.
    repeated: frozenset[int] = frozenset()
    #: What the lesson gives, grouped (by optimiser in an optimize lesson).
    data: tuple[Given, ...] = ()

    @property
    def shows_values(self) -> bool:
        return self.blank == "none"

    def substitution(self, step: Step) -> Step:
        """The step whose numbers the substitution prints: in a solution, with the digits a
        reader needs to get the boxed value and without the sum's terms that are 0."""
        known = self.working.get(step.n)
        return step if known is None else known.step

    def rounded(self, step: Step) -> bool:
        """Whether the value only rounds what the printed substitution gives (write ≈)."""
        known = self.working.get(step.n)
        return known is not None and known.rounded

    def explanation(self, step: Step) -> str | None:
        """The step's explanation, unless a worksheet would give an answer away with it or the
        step before has just given it; the first sum printed without its zero terms says so."""
        if not (
            self.shows_values or not quotes_answer(step.explanation, answer_numbers(self.solution))
        ):
            return None
        words = "" if step.n in self.repeated else step.explanation
        first = next((n for n, w in self.working.items() if w.dropped), None)
        if step.n == first:
            words = f"{words} {label('doc.zero_terms', self.lang)}".strip()
        return words or None

    @property
    def shows_substitutions(self) -> bool:
        return self.blank != "all"


#: Where a worksheet leaves a value to fill in (LaTeX, for Markdown and LaTeX documents), and
#: the small box for a number an earlier step computed, inside a substitution.
BLANK = r"\boxed{\phantom{0.00000}}"
SMALL_BLANK = r"\square"


def latex_parts(doc: Document, step: Step) -> list[str]:
    """formula, substitution, value in LaTeX, with blanks where a worksheet asks the learner;
    the value is left out where it repeats the substitution (ỹ₁ = u₁ = 0.29)."""
    from stepper import formulas

    parts = [formulas.formula(step, "latex")]
    if not step.operands and doc.shows_values:
        return parts  # a constant (δ = 0): the formula is the whole answer
    if doc.shows_values:
        parts.append(formulas.substituted(doc.substitution(step), "latex"))
    elif doc.shows_substitutions:
        parts.append(formulas.substituted(step, "latex", blank=SMALL_BLANK))
    else:
        parts.append(BLANK)
    parts.append(step.shown if doc.shows_values else BLANK)
    if doc.shows_values and parts[-1] == parts[-2]:
        parts.pop()
    return parts


def latex_relations(doc: Document, step: Step, parts: list[str]) -> list[str]:
    """The relations between ``latex_parts``: =, and ≈ before a value that the printed
    substitution only rounds to."""
    relations = ["="] * (len(parts) - 1)
    if len(parts) == 3 and doc.rounded(step):
        relations[-1] = r"\approx"
    return relations


def build_document(
    solution: Solution, *, blank: Blank = "none", comma: bool = False, variant: str | None = None
) -> Document:
    """The document of ``solution``; ``blank`` makes it a worksheet."""
    # A summary sets the problem but often announces its results (ỹ ≈ [0.097, 0.614], "the
    # map is 4×4"): a worksheet goes without it.
    summary = " ".join(solution.summary.split()) if solution.summary and blank == "none" else None
    working = {}
    if blank == "none":
        for step in solution.steps:
            done = worked(step, solution.decimals)
            if done.step is not step or done.rounded:
                working[step.n] = done
    found: tuple[Part, ...] = ()
    if solution.optimize is not None:
        own, titled = parts(solution)
        found = tuple(own)
        sections = [Section(title, steps) for title, steps in titled]
    elif solution.runs:
        own, sections = run_parts(solution, _sections)
        found = tuple(own)
    elif solution.graph is not None and len(solution.graph.runs) > 1:
        own, sections = _graph_parts(solution)
        found = tuple(own)
    else:
        sections = _sections(solution)
    if blank == "none":  # a worksheet's groups would tell which answers are 0
        lang = solution.language
        sections = [replace(s, grouped=items(s.steps, lang)) for s in sections]
    return Document(
        solution=solution,
        title=solution.title,
        summary=summary,
        lang=solution.language,
        sections=tuple(sections),
        tables=() if blank != "none" else build_results(solution),
        blank=blank,
        comma=comma,
        variant=variant,
        working=working,
        parts=found,
        comparison=comparison(solution) if solution.optimize and blank == "none" else None,
        repeated=_repeated(sections),
        data=build_data(solution),
    )


def _repeated(sections: list[Section]) -> frozenset[int]:
    """The steps whose explanation is the one of the item printed just before them."""
    found = set()
    for section in sections:
        before: str | None = None
        for item in section.items:
            words = item.explanation if isinstance(item, Step) else None
            if isinstance(item, Step) and words and words == before:
                found.add(item.n)
            before = words
    return frozenset(found)


def _graph_parts(solution: Solution) -> tuple[list[Part], list[Section]]:
    """A graph lesson that works two graphs (``split: [operations, functions]``): a part per
    graph, its sections titled after the graph's name, so that a page starting mid-part
    still says which graph it is."""
    shape = solution.graph
    assert shape is not None
    found: list[Part] = []
    out: list[Section] = []
    for run in shape.runs:
        name = split_title(run, solution.language)
        name = name[:1].upper() + name[1:]
        steps = tuple(s for s in solution.steps if shape.run_of(s.key) is run)
        found.append(Part(name, (), len(out)))
        own = _sections(replace(solution, steps=steps))
        out += [replace(section, title=f"{name} · {section.title}") for section in own]
    return found, out


def _sections(solution: Solution) -> list[Section]:
    lang = solution.language
    sections: list[Section] = []
    block: tuple[object, ...] = ()
    current: list[Step] = []
    several = solution.steps[-1].iteration > 1 if solution.steps else False
    recurrent = solution.recurrent is not None
    graph = solution.graph
    for step in solution.steps:
        here: tuple[object, ...] = (
            step.phase,
            step.iteration,
            None if step.phase == Phase.UPDATE else step.sample,
        )
        if recurrent:  # a section per time step, forward from the first, back from the last;
            here = (step.phase, *where_in_time(step, lang))  # the update's, per gate
        elif graph is not None:  # forward at once, back node by node with its edges
            here = graph_block(step, graph)
        if here != block and current:
            sections.append(Section(_title(current[0], solution, several), tuple(current)))
            current = []
        block = here
        current.append(step)
    if current:
        sections.append(Section(_title(current[0], solution, several), tuple(current)))
    return sections


def _title(step: Step, solution: Solution, several: bool) -> str:
    lang = solution.language
    parts = [label(f"phase.{step.phase}", lang).capitalize()]
    if solution.recurrent is not None:  # one update after the whole sequence: the time step
        return " · ".join([*parts, *where_in_time(step, lang)])
    if solution.graph is not None:  # one pass each way: going back, the node
        node = node_label(step, solution.graph, lang)
        return " · ".join([*parts, node] if node is not None else parts)
    if several:
        parts.append(label("iteration", lang, i=step.iteration))
    if step.sample is not None and step.phase != Phase.UPDATE:
        parts.append(label("sample", lang, s=step.sample))
    return " · ".join(parts)


_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


def answer_numbers(solution: Solution) -> frozenset[str]:
    """The values the steps compute that the lesson does not give, unsigned: what a worksheet
    must not write anywhere."""
    givens = {q.shown.lstrip("-") for s in solution.steps for q in s.operands if q.step is None}
    return frozenset({s.shown.lstrip("-") for s in solution.steps} - givens - {"0", "1", "2"})


def quotes_answer(words: str, answers: frozenset[str]) -> bool:
    """Whether ``words`` write one of ``answers`` (a summary announcing ỹ ≈ 0.097, or "before
    the update ε² = 0.78351", would spoil a worksheet)."""
    found = {n.replace(",", ".") for n in _NUMBER.findall(words)}
    return bool(found & answers)
