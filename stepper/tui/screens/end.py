"""The end screen: what Next on the last step leads to, instead of leaving the app.

It shows ``stepper.ending``'s summary (the loss before and after the update, the weights old →
new, the loss curve, the quiz's score and what was missed), laid out for the window's width.
It lies over the walk, so going back to review is closing it.
"""

from __future__ import annotations

from functools import cache

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Footer, Header, Static

from stepper.ending import summarize
from stepper.ending_text import lines
from stepper.tui.keys import END_KEYS, bindings, leaving
from stepper.tui.screens.base import SizedScreen

#: How each kind of line is drawn.
STYLES = {"title": "bold", "good": "green", "bad": "yellow", "": ""}


class EndScreen(SizedScreen):
    """The end of the lesson. Keys: see ``stepper.tui.keys.END_KEYS``; ↑/↓ and PgUp/PgDn
    scroll."""

    def __init__(self) -> None:
        super().__init__()
        app = self.stepper
        #: Computed once (a second on a 784-32-10 lesson); a resize only lays it out again.
        self.summary = summarize(app.ensure_solution(), app.score if app.quiz else None)

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="end-box"):
            yield Static(id="end-text")
        yield Footer()
        yield self.too_small_notice()

    def on_mount(self) -> None:
        super().on_mount()
        self.draw()

    def on_resize(self, event: events.Resize) -> None:
        super().on_resize(event)
        self.draw()

    def draw(self) -> None:
        text = Text()
        width = max(20, self.app.size.width - 4)
        comma = self.stepper.lesson.display.decimal_comma
        for line in lines(self.summary, self.stepper.lang, width, comma=comma):
            text.append(line.text + "\n", style=STYLES[line.kind])
        text.rstrip()
        self.query_one("#end-text", Static).update(text)

    def action_start_over(self) -> None:
        from stepper.tui.screens.walk import WalkScreen

        walk = self.app.screen_stack[-2]
        self.dismiss()
        if isinstance(walk, WalkScreen):
            walk.action_home()

    def action_review(self) -> None:
        self.dismiss()

    def action_quit(self) -> None:
        self.stepper.close_lesson()


@cache
def end_screen(lang: str, listed: bool = False) -> type[EndScreen]:
    """The end screen with its footer and bindings in ``lang``; ``listed``: the lesson
    was opened from the list of lessons, to which ``q`` returns."""
    keys = bindings(leaving(END_KEYS, listed=listed), lang)
    return type("EndScreen", (EndScreen,), {"BINDINGS": keys})
