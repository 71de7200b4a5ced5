"""The history panel: the values revealed up to the current position, grouped by phase, in the
lecture's notation.

It shows exactly what the picture at the current position shows, no more: going back, Home, a
jump or an edit takes values out of it as they take them out of the picture (in a quiz, a value
not yet answered never shows). It ends with the current step, marked, as ``u₂ = ?`` until its
value is revealed, so the learner always sees where they are.

The panel is virtual: it draws only the rows that fit, walking back from the current step, so
a key press costs the panel's height in rows whatever the lesson's size (a 784-32-10 lesson has
51,000 steps; End draws as fast as Next). PgUp and PgDn (and the mouse wheel) look further
back; the next move returns to the current step. Rows left out above or below are counted in
a dim ``… N more`` line instead of a scrollbar.
"""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len
from rich.console import RenderableType
from rich.text import Text
from textual import events
from textual.widget import Widget

from stepper.graph_timeline import block as graph_block
from stepper.i18n import label
from stepper.numbers import pretty
from stepper.steps import Phase, Solution, Step, key_prefix, run_of
from stepper.timeline import where, where_in_time
from stepper.tui.widgets.commas import with_commas


def block(step: Step) -> tuple[object, ...]:
    """What a heading names: the phase and iteration, and the sample before the update (the
    update interleaves per-sample increments with new weights, which belong to no sample);
    and the run of the key's prefix (an optimiser, a start, a dense lesson's run)."""
    sample = None if step.phase == Phase.UPDATE else step.sample
    return step.phase, step.iteration, sample, key_prefix(step.key)


class History(Widget):
    """The revealed steps up to the current one, with a heading at each change of block."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "history--heading",
        "history--current",
        "history--more",
    }
    DEFAULT_CSS = """
    History {
        overflow: hidden;
    }
    History > .history--heading {
        color: $accent;
        text-style: bold;
    }
    History > .history--current {
        background: $boost;
        text-style: bold;
    }
    History > .history--more {
        color: $text-muted;
    }
    """

    def __init__(self, lang: str, *, comma: bool = False, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lang = lang
        #: The lesson's numbers are written with a decimal comma.
        self.comma = comma
        self.solution: Solution | None = None
        self.revealed = 0
        self.current = 0
        self.back = 0
        #: The headings wrapped to the panel's width, by block, while a render lasts.
        self._headings: dict[tuple[object, ...], list[Text]] = {}

    def show(self, solution: Solution, revealed: int, current: int) -> None:
        """Show the first ``revealed`` steps, and step ``current`` (revealed or not) last."""
        self.solution, self.revealed, self.current, self.back = solution, revealed, current, 0
        self.refresh()

    @property
    def last(self) -> int:
        """The index of the panel's last row when it follows the position."""
        return max(self.current, self.revealed - 1)

    def page(self, pages: float) -> None:
        """Look ``pages`` pages further back (negative: forward again, up to the current step)."""
        rows = max(1, int((self.size.height - 2) * abs(pages)))
        step = rows if pages > 0 else -rows
        self.back = max(0, min(self.last, self.back + step))
        self.refresh()

    def _on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        event.stop()
        self.page(3 / max(3, self.size.height - 2))

    def _on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        event.stop()
        self.page(-3 / max(3, self.size.height - 2))

    def render(self) -> RenderableType:
        height, width = self.size.height, self.size.width
        if self.solution is None or height <= 0 or width <= 0:
            return Text()
        self._headings = {}
        shown = self._window(self.solution.steps, height, width)
        if self.back and len(shown) < height:  # looked back past the first row
            shown = self._from_top(self.solution.steps, height, width)
        return with_commas(Text("\n").join(shown), self.comma)

    def _from_top(self, steps: tuple[Step, ...], height: int, width: int) -> list[Text]:
        """The first rows, as many as fit above the '… N more' line; ``back`` is set to
        where they end, so that PgDn goes on from there."""
        shown: list[Text] = []
        for i in range(self.last + 1):
            lines = self._wrapped(self._row(steps[i]), width)
            if i == 0 or self._block(steps[i - 1]) != self._block(steps[i]):
                lines = self._heading(steps[i], width) + lines
            if shown and len(shown) + len(lines) > height - 1:
                break
            shown += lines
            self.back = self.last - i
        return [*shown[: height - 1], self._more(self.back)] if self.back else shown

    def _window(self, steps: tuple[Step, ...], height: int, width: int) -> list[Text]:
        """The rows that fit, from the step ``back`` steps before the last one upwards."""
        room = height - (1 if self.back else 0)
        rows: list[Text] = []  # bottom up
        top = self.last - self.back + 1
        for i in range(top - 1, -1, -1):
            lines = self._wrapped(self._row(steps[i]), width)
            if i == 0 or self._block(steps[i - 1]) != self._block(steps[i]):
                lines = self._heading(steps[i], width) + lines
            prefix = 1 + len(self._sticky(steps, i, width)) if i > 0 else 0  # "… N more"
            if rows and len(rows) + len(lines) + prefix > room:
                break
            rows.extend(reversed(lines))
            top = i
        shown = rows[::-1]
        if top > 0:
            shown = [self._more(top), *self._sticky(steps, top, width), *shown]
        shown = shown[-room:]
        if self.back:
            shown.append(self._more(self.back))
        return shown

    def _sticky(self, steps: tuple[Step, ...], i: int, width: int) -> list[Text]:
        """The heading of step ``i``'s block when that block starts above it: the top rows
        always say which phase they belong to."""
        same = self._block(steps[i - 1]) == self._block(steps[i])
        return self._heading(steps[i], width) if same else []

    def _row(self, step: Step) -> Text:
        line = Text(f"{step.sym.unicode()} {step.relation} ")
        if step.n - 1 < self.revealed:
            line.append(pretty(step.shown), style="bold")
        else:
            line.append("?")
        if step.n - 1 == self.current:
            line.stylize(self.get_component_rich_style("history--current"))
        return line

    def _block(self, step: Step) -> tuple[object, ...]:
        """What the heading of ``step``'s rows names: ``block``, and in a recurrent lesson
        (one update, no pairs) the phase and the time step instead; in a graph lesson the
        graph, the phase and going back the node (``stepper.graph_timeline``)."""
        if self.solution is not None and self.solution.recurrent is not None:
            return step.phase, *where_in_time(step, self.lang)
        if self.solution is not None and self.solution.graph is not None:
            return graph_block(step, self.solution.graph)
        return block(step)

    def _heading(self, step: Step, width: int) -> list[Text]:
        """The block's title, its parts (phase, iteration, sample) kept whole on a line, after
        the run's title in a lesson trained several ways; a recurrent lesson's phase and time
        step (``hacia delante · t = 2``); a graph lesson's phase and node (``hacia atrás ·
        nodo d``), after the graph's name on a line of its own when it works two."""
        here = self._block(step)
        if here in self._headings:
            return self._headings[here]
        solution = self.solution
        title = None
        if solution is not None and solution.graph is not None:
            parts = where(step, solution, self.lang)
            if len(solution.graph.runs) > 1:
                title = parts.pop()
                title = title[:1].upper() + title[1:]
        elif solution is not None and solution.recurrent is not None:
            parts = where(step, solution, self.lang)
        else:
            parts = [
                label(f"phase.{step.phase}", self.lang),
                label("iteration", self.lang, i=step.iteration),
            ]
            if here[2] is not None:
                parts.append(label("sample", self.lang, s=step.sample))
        shape = self.solution.optimize if self.solution is not None else None
        run = shape.run_of(step.key) if shape is not None and len(shape.optimizers) > 1 else None
        if run is not None:  # whose steps these are: the optimiser, the start
            parts.insert(0, run.title(self.lang))
        way = run_of(step.key, self.solution.runs)[0] if self.solution is not None else None
        title = way.title if way is not None else title
        # A dense lesson trained several ways, a graph lesson that works two graphs: whose
        # steps these are, on a line of its own.
        lines = [title, parts[0]] if title is not None else [parts[0]]
        for part in parts[1:]:
            joined = f"{lines[-1]} · {part}"
            if cell_len(joined) <= width:
                lines[-1] = joined
            else:
                lines[-1] += " ·"
                lines.append(part)
        style = self.get_component_rich_style("history--heading")
        wrapped = [row for line in lines for row in self._wrapped(Text(line, style=style), width)]
        self._headings[here] = wrapped
        return wrapped

    def _more(self, n: int) -> Text:
        return Text(
            label("picture.more", self.lang, n=n),
            style=self.get_component_rich_style("history--more"),
        )

    def _wrapped(self, text: Text, width: int) -> list[Text]:
        return list(text.wrap(self.app.console, width))
