"""Walking through a solution: where the learner is, and every way to move.

Headless, shared by the Textual app and the plain REPL. The solution is never recomputed
while walking: a position is just (step index, stage). Stage 1 shows the formula with its
explanation, stage 2 adds the substitution, stage 3 the value. In a quiz, a step starts at
stage 0 (only the question), and hints raise it to 1 and 2. A step whose right side is one
number as it stands (``at_once``: ỹ₁ = u₁, δ₁ = ε₁, δᵃ = 0) has nothing to substitute or
compute, and is shown whole in one reveal, also in a quiz, where it is not asked.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field, replace

from stepper import formulas
from stepper.graph_timeline import block
from stepper.i18n import label
from stepper.naming import Names
from stepper.steps import Phase, Solution, Step
from stepper.timeline import time_of

FORMULA, SUBSTITUTION, VALUE = 1, 2, 3
#: How much of an unknown step name ``Walk.missing`` says back.
ECHO = 24


@dataclass
class Walk:
    """A position in a solution, the jumps taken to get there, and the moves."""

    solution: Solution
    first_stage: int = FORMULA
    index: int = 0
    stage: int = FORMULA
    jumps: list[tuple[int, int]] = field(default_factory=list)
    _names: tuple[Solution, Names] | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.stage = self.start(self.index) if self.steps else self.first_stage

    @property
    def steps(self) -> tuple[Step, ...]:
        return self.solution.steps

    @property
    def step(self) -> Step:
        return self.steps[self.index]

    @property
    def at_end(self) -> bool:
        return self.index == len(self.steps) - 1 and self.stage == VALUE

    def rebased(self, solution: Solution) -> Walk:
        """This walk in a changed solution (an edit, a restore, a reloaded file): at the same
        stage of the same step (``same_place``), with the jumps forgotten, since their
        indices belong to the old solution."""
        moved = replace(
            self, solution=solution, index=same_place(self.step, self.index, solution.steps)
        )
        moved.jumps = []
        moved.stage = max(self.stage, moved.start(moved.index))
        return moved

    def revealed(self) -> int:
        """How many steps are fully revealed (value shown)."""
        return self.index + (1 if self.stage == VALUE else 0)

    def start(self, index: int) -> int:
        """The stage step ``index`` opens at: the whole of it when it is shown at once."""
        return VALUE if at_once(self.steps[index]) else self.first_stage

    def _set(self, index: int, stage: int) -> bool:
        index = max(0, min(index, len(self.steps) - 1))
        if stage < VALUE:
            stage = max(stage, self.start(index))
        moved = (index, stage) != (self.index, self.stage)
        self.index, self.stage = index, stage
        return moved

    def next(self) -> bool:
        """Reveal the next stage, or start the next step."""
        if self.stage < VALUE:
            return self._set(self.index, self.stage + 1)
        if self.index < len(self.steps) - 1:
            return self._set(self.index + 1, self.first_stage)
        return False

    def back(self) -> bool:
        """Hide the last stage shown, or return to the previous step whole."""
        if self.stage > self.start(self.index):
            return self._set(self.index, self.stage - 1)
        if self.index > 0:
            return self._set(self.index - 1, VALUE)
        return False

    def next_step(self) -> bool:
        """Finish this step and show the next one's formula."""
        if self.index == len(self.steps) - 1:
            return self._set(self.index, VALUE)
        return self._set(self.index + 1, self.first_stage)

    def previous_step(self) -> bool:
        """Back to the previous step, whole."""
        if self.index == 0:
            return self._set(0, self.first_stage)
        return self._set(self.index - 1, VALUE)

    def reveal_phase(self) -> bool:
        """Reveal the rest of the current phase (this iteration and sample; in a recurrent
        lesson, this time step: a phase there holds every step of the sequence; going back
        through a graph, this node's edges)."""
        here = self.step
        last = self.index
        timed = self.solution.recurrent is not None
        graph = self.solution.graph
        while last + 1 < len(self.steps):
            after = self.steps[last + 1]
            if graph is not None and block(after, graph) != block(here, graph):
                break
            if not _same_block(after, here, timed):
                break
            last += 1
        return self._set(last, VALUE)

    def home(self) -> bool:
        return self._set(0, self.first_stage)

    def end(self) -> bool:
        return self._set(len(self.steps) - 1, VALUE)

    def jump(self, index: int) -> bool:
        """Go to step ``index`` whole, remembering where we were so ``unjump`` returns."""
        self.jumps.append((self.index, self.stage))
        return self._set(index, VALUE)

    def unjump(self) -> bool:
        if not self.jumps:
            return False
        return self._set(*self.jumps.pop())

    def find(self, text: str) -> int | None:
        """The index of the step ``text`` names: its number (1-based), its key or its symbol
        as the screen writes it or a keyboard types it (δ₂, d2, Δw12, ỹ₂, y2; see
        ``stepper.naming``).

        A name that repeats over iterations and samples finds the occurrence nearest before the
        current position (the one the learner has in mind), else the first after it.
        """
        text = text.strip()
        if re.fullmatch(r"[0-9]+", text):
            n = self._number(text)
            return n - 1 if 1 <= n <= len(self.steps) else None
        matches = self.names().matches(text)
        if not matches:
            return None
        before = bisect_right(matches, self.index)
        return matches[before - 1] if before else matches[0]

    def missing(self, text: str, lang: str) -> str:
        """Why ``find`` found nothing, in the learner's language: a number out of range says
        the range. What was typed is echoed cut to ``ECHO`` characters (a pasted page would
        otherwise be said back whole)."""
        text = text.strip()
        shown = text if len(text) <= ECHO else text[: ECHO - 1] + "…"
        if re.fullmatch(r"[0-9]+", text):
            return label("goto.range", lang, text=shown, last=len(self.steps))
        return label("goto.unknown", lang, text=shown)

    def _number(self, text: str) -> int:
        # A number longer than any step count names no step (and int() of one of
        # thousands of digits is refused by Python itself).
        return int(text) if len(text.lstrip("0")) <= len(str(len(self.steps))) else 0

    def names(self) -> Names:
        """Every step's names, built on the first goto after the solution changed."""
        if self._names is None or self._names[0] is not self.solution:
            self._names = (self.solution, Names(self.steps))
        return self._names[1]


def at_once(step: Step) -> bool:
    """Whether ``step`` is shown whole in one reveal: its right side is one number as it
    stands (the output of a linear neuron, a copied error, the zero of a cell the pooling did
    not pick), so its substitution would only repeat its value. (A printed template with no
    space has no operator: the cheap test first, as a 784-term sum is no identity.)"""
    pattern = formulas.compiled(step.template, step.params, len(step.operands), "unicode").pattern
    if " " in pattern:
        return False
    return formulas.substituted(step, "unicode") == formulas.number(
        step.shown, "unicode", alone=True
    )


#: The phases a recurrent lesson walks through time step by step.
_TIMED = (Phase.FORWARD, Phase.BACKWARD, Phase.CHECK)


def _same_block(a: Step, b: Step, timed: bool = False) -> bool:
    """One phase of one iteration; before the update, also of one sample (the update
    interleaves per-sample increments with new weights, which belong to no sample); with
    ``timed`` (a recurrent lesson), a pass forward or back is also one time step, as its
    headings group it."""
    if (a.phase, a.iteration) != (b.phase, b.iteration):
        return False
    if timed and a.phase in _TIMED and time_of(a.key) != time_of(b.key):
        return False
    return a.phase == Phase.UPDATE or a.sample == b.sample


def same_place(step: Step, index: int, steps: tuple[Step, ...]) -> int:
    """Where the learner stands in a changed solution: on the same step (key, iteration and
    sample) when it is still there, preferably at the same index; else on the same key in the
    same iteration (a sample was taken out); else at the same index, or on the last step when
    the lesson got shorter."""
    if index < len(steps) and _place(steps[index]) == _place(step):
        return index
    for same in (_place, _place_in_iteration):
        found = [i for i, other in enumerate(steps) if same(other) == same(step)]
        if found:
            return found[0]
    return min(index, len(steps) - 1)


def _place(step: Step) -> tuple[object, ...]:
    return step.key, step.iteration, step.sample


def _place_in_iteration(step: Step) -> tuple[object, ...]:
    return step.key, step.iteration
