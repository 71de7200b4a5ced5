"""Starting the app for Pilot tests and snapshots, with the lesson solved before the first key."""

from __future__ import annotations

from textual.pilot import Pilot

from stepper.catalog import resolve
from stepper.lesson.load import load_lesson
from stepper.tui.app import StepperApp


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
