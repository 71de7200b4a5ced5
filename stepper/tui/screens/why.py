"""Why: the quantities the current step reads, each with its value and a jump to its step."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from stepper.i18n import label
from stepper.numbers import pretty
from stepper.steps import Step


class WhyScreen(ModalScreen[int | None]):
    """List what ``step`` reads; choosing a computed one dismisses with that step's index.

    | key | action |
    | --- | --- |
    | enter | jump to the chosen step (b returns) |
    | escape, w | close |
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,w", "close", show=False)]

    def __init__(self, step: Step, lang: str) -> None:
        super().__init__()
        self.step = step
        self.lang = lang

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(
                label("why.title", self.lang, sym=self.step.sym.unicode()), classes="dialog-title"
            )
            options = []
            for q in self.step.reads:
                origin = (
                    label("why.step", self.lang, n=q.step)
                    if q.step is not None
                    else label("why.given", self.lang)
                )
                options.append(
                    Option(
                        f"{q.sym.unicode()} = {pretty(q.shown)}   ({origin})",
                        id=str(q.step) if q.step is not None else None,
                        disabled=q.step is None,
                    )
                )
            yield OptionList(*options, id="why-list")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.dismiss(int(event.option.id) - 1)

    def action_close(self) -> None:
        self.dismiss(None)
