"""Help: every key, from the same tables as the bindings, in a box that scrolls when the
window is too short for it (60×20 holds about a dozen keys)."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from stepper.i18n import label
from stepper.tui.keys import Key


class HelpScreen(ModalScreen[None]):
    """The key tables: the screen's own (``first``, under a heading) then the walk's.

    | key | action |
    | --- | --- |
    | escape, ?, q | close |
    | up, down, pageup, pagedown, home, end | scroll |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "close", show=False),
        Binding("up", "scroll('scroll_up')", show=False),
        Binding("down", "scroll('scroll_down')", show=False),
        Binding("pageup", "scroll('scroll_page_up')", show=False),
        Binding("pagedown", "scroll('scroll_page_down')", show=False),
        Binding("home", "scroll('scroll_home')", show=False),
        Binding("end", "scroll('scroll_end')", show=False),
    ]

    def __init__(self, keys: tuple[Key, ...], lang: str, first: tuple[Key, ...] = ()) -> None:
        super().__init__()
        self.keys = keys
        self.first = first
        self.lang = lang

    def compose(self) -> ComposeResult:
        box = VerticalScroll(classes="dialog", id="help-box", can_focus=False)
        box.border_subtitle = label("dialog.scroll", self.lang)
        with box:
            yield Static(label("help.title", self.lang), classes="dialog-title")
            if self.first:
                yield Static(label("help.title_keys", self.lang), classes="dialog-heading")
                yield Static(self.table(self.first), id="help-first-table")
                yield Static(label("help.walk_keys", self.lang), classes="dialog-heading")
            yield Static(self.table(self.keys), id="help-table")

    def table(self, keys: tuple[Key, ...]) -> Table:
        table = Table(show_header=False, box=None, padding=(0, 2, 0, 0))
        for key in keys:
            table.add_row(f"[bold]{key.display}[/]", label(key.label, self.lang))
        return table

    def action_scroll(self, how: str) -> None:
        getattr(self.query_one("#help-box", VerticalScroll), how)(animate=False)

    def action_close(self) -> None:
        self.dismiss(None)
