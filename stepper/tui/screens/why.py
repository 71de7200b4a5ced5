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
from stepper.steps import Step
from stepper.why import reads, why_title


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
        dialog = Vertical(classes="dialog")
        dialog.border_subtitle = label("why.hint", self.lang)
        with dialog:
            yield Static(why_title(self.step, self.lang), classes="dialog-title")
            options = [
                Option(
                    read.text,
                    id=None if read.index is None else str(read.index),
                    disabled=read.index is None,
                )
                for read in reads(self.step, self.lang)
            ]
            yield OptionList(*options, id="why-list")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.dismiss(int(event.option.id))

    def action_close(self) -> None:
        self.dismiss(None)
