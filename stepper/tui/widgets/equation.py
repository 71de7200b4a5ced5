"""The step pane's equation: formula, substitution and value, laid out when Rich draws it.

Only at drawing time is the pane's width known (it changes with the terminal), so this
renderable asks ``stepper.equation`` for the lines then, and styles them: the formula (its
left side too) bold,
the value bold green, an aside (the unrounded value) dim. A sum longer than ``MAX_LINES``
lines a part (a 784-input u) is elided in the middle.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Console, ConsoleOptions, RenderResult
from rich.text import Text

from stepper.equation import ASIDE_GAP, Line, step_lines
from stepper.i18n import label
from stepper.steps import Step
from stepper.walking import FORMULA, VALUE

#: The most lines a part takes before its sum is elided in the middle.
MAX_LINES = 5
_STYLES = {FORMULA: "bold", VALUE: "bold green"}
#: The last layouts drawn, by step (its id, checked against the step kept), stage and width.
_LAID_OUT: dict[tuple[object, ...], tuple[Step, list[Line]]] = {}


@dataclass(frozen=True, slots=True)
class Equation:
    """``step`` as far as ``stage``, in ``lang``, with a decimal comma when ``comma``."""

    step: Step
    stage: int
    lang: str
    comma: bool = False
    aside: str = ""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for line in self.lines(options.max_width):
            style = _STYLES.get(line.stage, "")
            text = Text(line.lead, style=style if line.stage == FORMULA else "")
            text.append(line.body, style=style)
            if line.aside:
                text.append((ASIDE_GAP if line.body else "") + line.aside, style="dim")
            yield text

    def lines(self, width: int) -> list[Line]:
        """The lines at ``width``, laid out once: Textual draws a renderable twice (to
        measure its height, then to show it), and a 784-input u costs milliseconds."""
        key = (id(self.step), self.stage, self.lang, self.comma, self.aside, width)
        kept = _LAID_OUT.get(key)
        if kept is not None and kept[0] is self.step:
            return kept[1]
        lines = step_lines(
            self.step,
            self.stage,
            width,
            comma=self.comma,
            aside=self.aside,
            more=lambda n: label("picture.more", self.lang, n=n),
            max_lines=MAX_LINES,
        )
        if len(_LAID_OUT) >= 16:
            _LAID_OUT.clear()
        _LAID_OUT[key] = (self.step, lines)
        return lines
