"""Starting the app for Pilot tests and snapshots, with the lesson solved before the first key."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Awaitable, Callable

from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Static

from stepper.catalog import resolve
from stepper.lesson.load import load_lesson
from stepper.tui.app import StepperApp

#: pytest-textual-snapshot's ``snap_compare`` fixture, as the snapshot tests annotate it.
SnapCompare = Callable[..., bool]


def make_app(
    lesson_id: str = "backprop-1",
    *,
    lang: str | None = None,
    quiz: bool = False,
    save: str | None = None,
) -> StepperApp:
    return StepperApp(
        load_lesson(resolve(lesson_id).path, lesson_id), lang=lang, quiz=quiz, save=save
    )


async def settle(pilot: Pilot[int]) -> None:
    """Wait for the worker that solves the lesson, then for the screen to catch up."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def run_walk(
    app: StepperApp, scenario: Callable[..., Awaitable[None]], size: tuple[int, int]
) -> None:
    """Run ``scenario(app, pilot)`` at ``size`` once the title card is passed: the lesson
    solved, Enter pressed, the walk screen on its first step."""

    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await pilot.press("enter")
            await pilot.pause()
            await scenario(app, pilot)

    asyncio.run(main())


def shown_text(app: StepperApp, selector: str) -> str:
    """What a Static shows, drawn as the screen draws it (a picture is laid out when drawn,
    in the rows its widget has)."""
    widget = app.screen.query_one(selector, Static)
    console = Console(width=widget.content_region.width, record=True, file=io.StringIO())
    console.print(widget.content, height=widget.content_region.height or None)
    return console.export_text()


def history_text(app: StepperApp) -> str:
    """The history panel's rows as the screen shows them, one a line."""
    from stepper.tui.widgets.history import History

    return str(app.screen.query_one(History).render())


def screen_lines(app: StepperApp) -> list[str]:
    """The whole screen as text, one string a row, dialogs over what they cover: what a
    learner reads (the same composition ``App.export_screenshot`` draws)."""
    console = Console(width=app.size.width, height=app.size.height, record=True, file=io.StringIO())
    console.print(
        app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    )
    return console.export_text().splitlines()
