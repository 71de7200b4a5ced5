"""The title screen: the lesson's title, summary and picture; Enter or space starts."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static

from stepper.i18n import label
from stepper.lesson.schema import localized
from stepper.picture import network_picture
from stepper.tui.messages import Refreshed
from stepper.tui.screens.base import SizedScreen


class TitleScreen(SizedScreen):
    """Before the first step.

    | key | action |
    | --- | --- |
    | enter, space | start |
    | q | quit |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,space", "start", "▶", key_display="⏎/␣"),
        Binding("q", "quit", "⏻", key_display="q"),
    ]

    def compose(self) -> ComposeResult:
        app = self.stepper
        lesson = app.lesson
        with VerticalScroll(id="title-box"):
            yield Static(localized(lesson.title, app.lang, lesson.language) or "", id="title")
            yield Static(
                " ".join((localized(lesson.summary, app.lang, lesson.language) or "").split()),
                id="summary",
            )
            yield Static(id="title-picture")
        yield Static(label("start", app.lang), id="start")
        yield Footer()
        yield self.too_small_notice()

    def on_mount(self) -> None:
        super().on_mount()
        self.draw_picture()

    def on_refreshed(self, _: Refreshed) -> None:
        self.draw_picture()

    def draw_picture(self) -> None:
        solution = self.stepper.solution
        if solution is not None:
            width = max(40, self.app.size.width - 10)
            self.query_one("#title-picture", Static).update(
                network_picture(solution, 0, None, self.stepper.lang, width)
            )

    def action_start(self) -> None:
        self.stepper.start_walk()

    async def action_quit(self) -> None:
        self.app.exit(0)
