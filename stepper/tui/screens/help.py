"""Help: every key of the walk, from the same table as the bindings."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from stepper.i18n import label
from stepper.tui.keys import Key


class HelpScreen(ModalScreen[None]):
    """The key table.

    | key | action |
    | --- | --- |
    | escape, ?, q | close |
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,question_mark,q", "close", show=False)]

    def __init__(self, keys: tuple[Key, ...], lang: str) -> None:
        super().__init__()
        self.keys = keys
        self.lang = lang

    def compose(self) -> ComposeResult:
        table = Table(show_header=False, box=None, padding=(0, 2))
        for key in self.keys:
            table.add_row(f"[bold]{key.display}[/]", label(key.label, self.lang))
        with Vertical(classes="dialog"):
            yield Static(label("help.title", self.lang), classes="dialog-title")
            yield Static(table, id="help-table")

    def action_close(self) -> None:
        self.dismiss(None)
