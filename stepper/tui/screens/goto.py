"""Go to a step by its number or its key, with completion of keys."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Input, Static

from stepper.i18n import label
from stepper.walk import Walk


class GotoScreen(ModalScreen[int | None]):
    """Ask for a step; dismiss with its index, or None.

    | key | action |
    | --- | --- |
    | enter | go |
    | escape | cancel |
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", show=False)]

    def __init__(self, walk: Walk, lang: str) -> None:
        super().__init__()
        self.walk = walk
        self.lang = lang

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(label("goto.prompt", self.lang), classes="dialog-title")
            yield Input(
                suggester=SuggestFromList(self.walk.keys(), case_sensitive=False), id="goto-input"
            )
            yield Static(id="goto-error", classes="error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        index = self.walk.find(event.value)
        if index is None:
            self.query_one("#goto-error", Static).update(
                label("goto.unknown", self.lang, text=event.value)
            )
            return
        self.dismiss(index)

    def action_cancel(self) -> None:
        self.dismiss(None)
