"""The history panel: everything revealed so far, grouped by phase, in the lecture's notation.

"So far" is the furthest the learner has been: going back does not take a value out of the
history, it only moves the current step. So the panel only ever appends, and a key press costs
one line, not the whole panel (a 784-32-10 lesson has 51,000 steps); it is rebuilt when the
lesson changes (an edit) or after a jump of more than LIMIT steps.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import RichLog

from stepper.i18n import label
from stepper.numbers import pretty
from stepper.steps import Phase, Solution, Step

#: Steps kept in the panel at most; earlier ones are a jump (g) away.
LIMIT = 300


class History(RichLog):
    """A log of revealed steps with a heading at each change of phase, iteration or sample."""

    def __init__(self, lang: str, *, id: str | None = None) -> None:
        super().__init__(wrap=True, markup=False, auto_scroll=True, id=id)
        self.can_focus = False
        self.lang = lang
        self.solution: Solution | None = None
        self.drawn = 0
        self.block: tuple[object, ...] = ()

    def show(self, solution: Solution, revealed: int) -> None:
        """Make the panel reach at least the first ``revealed`` steps (keeping the last LIMIT)."""
        if revealed <= self.drawn and solution is self.solution:
            return
        if solution is not self.solution or revealed - self.drawn > LIMIT:
            self.clear()
            self.solution = solution
            self.block = ()
            self.drawn = max(0, revealed - LIMIT)
            if self.drawn:
                self.write(Text(label("picture.more", self.lang, n=self.drawn), style="dim"))
        for step in solution.steps[self.drawn : revealed]:
            self._heading(step)
            line = Text(f"{step.sym.unicode()} = ")
            line.append(pretty(step.shown), style="bold")
            self.write(line)
        self.drawn = revealed

    def _heading(self, step: Step) -> None:
        here = (step.phase, step.iteration, None if step.phase == Phase.UPDATE else step.sample)
        if here == self.block:
            return
        self.block = here
        title = [
            label(f"phase.{step.phase}", self.lang),
            label("iteration", self.lang, i=step.iteration),
        ]
        if here[2] is not None:
            title.append(label("sample", self.lang, s=step.sample))
        self.write(Text(" · ".join(title), style="bold cyan"))
