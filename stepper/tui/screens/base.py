"""What every screen of the app shares: the notice shown when the window is too small."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual import events
from textual.screen import Screen
from textual.widgets import Static

from stepper.i18n import label

if TYPE_CHECKING:
    from stepper.tui.app import StepperApp

MIN_WIDTH, MIN_HEIGHT = 60, 20


class SizedScreen(Screen[None]):
    """A screen that says the window is too small instead of drawing a broken layout."""

    @property
    def stepper(self) -> StepperApp:
        """The app, typed as stepper's own."""
        return cast("StepperApp", self.app)

    def too_small_notice(self) -> Static:
        return Static(id="too-small")

    def on_resize(self, event: events.Resize) -> None:
        self.check_size(event.size.width, event.size.height)

    def on_mount(self) -> None:
        self.check_size(self.app.size.width, self.app.size.height)

    def check_size(self, width: int, height: int) -> None:
        small = width < MIN_WIDTH or height < MIN_HEIGHT
        self.set_class(small, "-too-small")
        if small:
            self.query_one("#too-small", Static).update(
                label(
                    "too_small", self.stepper.lang, w=width, h=height, mw=MIN_WIDTH, mh=MIN_HEIGHT
                )
            )
