"""Go to a step by what the learner sees: its number, its symbol (δ₂ or d2) or its key.

As the learner types, the dialog says which step Enter would open (without its value), and
completion offers the symbols as the learner writes them (``stepper.naming``). The step keys
(``d[1,2]``) are what the lesson file and ``stepper solve`` use; the learner rarely needs them,
so they are shown on request: F2 adds them to the line that names the step and to completion.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Input, Static

from stepper.i18n import label
from stepper.naming import Names, typed, written
from stepper.notation import Sym
from stepper.timeline import where as where_in
from stepper.walking import Walk

#: How far into a lesson the prompt looks for its example symbol (a big one has 51,000 steps).
EXAMPLE_WITHIN = 2000
#: How many symbols it tries for one whose typed name finds it alone.
EXAMPLES_TRIED = 5


class NameSuggester(Suggester):
    """Completes a symbol (and a key, when keys are shown) from the solution's names."""

    def __init__(self, names: Names, screen: GotoScreen) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.names = names
        self.screen = screen

    async def get_suggestion(self, value: str) -> str | None:
        return self.names.suggest(value, keys=self.screen.show_keys)


class GotoScreen(ModalScreen[int | None]):
    """Ask for a step; dismiss with its index, or None.

    | key | action |
    | --- | --- |
    | enter | go |
    | f2 | show or hide the step keys |
    | escape | cancel |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", show=False),
        Binding("f2", "toggle_keys", show=False),
    ]

    def __init__(self, walk: Walk, lang: str) -> None:
        super().__init__()
        self.walk = walk
        self.lang = lang
        self.show_keys = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.prompt(), classes="dialog-title")
            yield Input(suggester=NameSuggester(self.walk.names(), self), id="goto-input")
            yield Static(id="goto-target")
            yield Static(id="goto-error", classes="error")
            yield Static(id="goto-keys", classes="hint")

    def prompt(self) -> str:
        """What g takes, with an example from this lesson: its first increment (Δw10 or dw10),
        else its first symbol typed otherwise than written (ỹ1 or y1), if the typed name finds
        that symbol and no other; else its first symbol with indices (z11), else the current
        step's."""
        steps = self.walk.steps[:EXAMPLE_WITHIN]
        indexed = [s for s in steps if s.sym.indices] or [self.walk.step]
        odd = [s for s in indexed if written(s.sym.unicode()).lower() != typed(s.sym.unicode())]
        odd = sorted(odd, key=lambda s: not s.sym.delta)[:EXAMPLES_TRIED]
        chosen = next((s for s in odd if self._alone(s.sym)), indexed[0]).sym.unicode()
        example = written(chosen)
        if typed(chosen) != example.lower():
            example = label("goto.either", self.lang, written=example, typed=typed(chosen))
        return label("goto.prompt", self.lang, last=len(self.walk.steps), example=example)

    def _alone(self, sym: Sym) -> bool:
        """Whether ``sym`` typed in ASCII names only steps of that symbol (adam's m̂₁ typed is
        m1, which is m₁)."""
        found = self.walk.names().matches(typed(sym.unicode()))
        return {self.walk.steps[i].sym for i in found} == {sym}

    def on_mount(self) -> None:
        self.describe("")

    def on_input_changed(self, event: Input.Changed) -> None:
        self.query_one("#goto-error", Static).update("")
        self.describe(event.value)

    def describe(self, text: str) -> None:
        """Name the step Enter would open (the current one while nothing is typed)."""
        index = self.walk.find(text) if text.strip() else self.walk.index
        line = ""
        if index is not None:
            step = self.walk.steps[index]
            parts = [
                label("step_of", self.lang, k=step.n, n=len(self.walk.steps)),
                step.sym.unicode(),
                label(f"phase.{step.phase}", self.lang),
                label("iteration", self.lang, i=step.iteration),
            ]
            if self.walk.solution.recurrent is not None:  # the time step, not the iteration
                parts[2:] = where_in(step, self.walk.solution, self.lang)
            if self.show_keys:
                parts.append(step.key)
            where = " · ".join(parts)
            line = f"→ {where}" if text.strip() else label("goto.here", self.lang, where=where)
        self.query_one("#goto-target", Static).update(line)
        self.query_one("#goto-keys", Static).update(
            label("goto.keys_hide", self.lang)
            if self.show_keys
            else label("goto.keys_show", self.lang, key=self.walk.step.key)
        )

    def on_input_submitted(self, event: Input.Submitted) -> None:
        index = self.walk.find(event.value)
        if index is None:
            self.query_one("#goto-error", Static).update(self.walk.missing(event.value, self.lang))
            return
        self.dismiss(index)

    def action_toggle_keys(self) -> None:
        self.show_keys = not self.show_keys
        self.describe(self.query_one("#goto-input", Input).value)

    def action_cancel(self) -> None:
        self.dismiss(None)
