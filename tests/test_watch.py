"""Live reload (``stepper lesson FILE --watch``), driven by the Pilot on a copy of a lesson.

Every save bumps the file's modification time explicitly, so that two saves within the file
system's clock resolution (and of the same size) still look like two saves. The expected
numbers are worked out here by hand from the lecture's formulas, not taken from the engine.
"""

from __future__ import annotations

import asyncio
import math
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from stepper.catalog import Source, builtin_folder
from stepper.cli import main
from stepper.lesson.load import load_lesson
from stepper.steps import Step
from stepper.tui.app import StepperApp
from stepper.walking import VALUE, same_place
from tests.tui_helpers import settle, shown_text

ROW_2 = "[0.5, 0.4, -0.6]"


def watched_copy(tmp_path: Path) -> Path:
    path = tmp_path / "backprop-1.yaml"
    shutil.copy(builtin_folder() / "backprop-1.yaml", path)
    return path


def watching(path: Path) -> StepperApp:
    source = Source(path, str(path), builtin=False)
    return StepperApp(load_lesson(path, str(path)), watch=source, poll=0.05)


def save(path: Path, text: str) -> None:
    """Write the file as an editor would, with a modification time that has surely changed."""
    before = path.stat().st_mtime_ns
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before + 1_000_000_000, before + 1_000_000_000))


async def until(pilot: Pilot[int], done: Callable[[], bool]) -> None:
    """Let the timer see the save and the worker reload it, up to a few seconds."""
    for _ in range(200):
        await pilot.pause(0.02)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if done():
            return
    raise AssertionError("the app did not react to the save")


shown = shown_text


def new_w22(w22: float) -> str:
    """w₂₂ after the step, by hand: u₂ = w₂₀ + w₂₁x₁ + w₂₂x₂, ỹ₂ = tanh u₂, ε₂ = y₂ − ỹ₂,
    δ₂ = ε₂(1 − ỹ₂²), w₂₂ + 2αx₂δ₂, shown to 5 decimals with a true minus sign."""
    y = math.tanh(0.5 + 0.4 * 0.1 + w22 * 0.7)
    delta = (1.0 - y) * (1 - y * y)
    value = w22 + 2 * 0.1 * 0.7 * delta
    return f"{value:.5f}".replace("-", "−")


def test_hand_worked_value_matches_the_lecture() -> None:
    assert new_w22(-0.6) == "−0.47848"


@pytest.mark.slow
def test_a_broken_save_shows_where_and_the_next_good_save_recovers(tmp_path: Path) -> None:
    path = watched_copy(tmp_path)
    original = path.read_text(encoding="utf-8")
    app = watching(path)

    async def scenario() -> None:
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            await pilot.press("enter", "end", *"[" * 7)  # the last weight, before the check
            assert app.walk is not None
            where = (app.walk.index, app.walk.stage)
            assert app.walk.step.key == "w[1,2,2]" and where[1] == VALUE
            panel = app.screen.query_one("#problems", Static)
            assert not panel.has_class("-shown")

            save(path, original.replace(ROW_2, "[0.5, 0.4, -0.5]"))
            await until(pilot, lambda: new_w22(-0.5) in shown(app, "#step-text"))
            assert (app.walk.index, app.walk.stage) == where
            assert "recargada" in app.title and not app.modified

            save(path, original.replace(ROW_2, "[0.5, 0.4]"))
            await until(pilot, lambda: panel.has_class("-shown"))
            assert panel.display
            # in the lesson's language, as the rest of the screen
            assert f"{path}:27:11: la fila de pesos 2 de la capa 1 tiene 2 valores" in str(
                panel.content
            )
            assert new_w22(-0.5) in shown(app, "#step-text")  # the last good lesson stays
            await pilot.press("home", "end", *"[" * 7)  # and it still moves
            assert (app.walk.index, app.walk.stage) == where

            save(path, original.replace(ROW_2, "[0.5, 0.4, -0.4]"))
            await until(pilot, lambda: not panel.has_class("-shown"))
            assert not panel.display
            assert new_w22(-0.4) in shown(app, "#step-text")
            assert (app.walk.index, app.walk.stage) == where

    asyncio.run(scenario())


@pytest.mark.slow
def test_a_lesson_that_changes_shape_keeps_the_same_step(tmp_path: Path) -> None:
    """A third neuron adds steps before w₂₂'s update: the learner stays on w₂₂, not on the
    step that now has its number; r then restores the reloaded lesson, not the first one."""
    path = watched_copy(tmp_path)
    original = path.read_text(encoding="utf-8")
    wider = (
        original.replace("[linear, tanh]", "[linear, tanh, linear]")
        .replace(f"- {ROW_2}", f"- {ROW_2}\n        - [0.2, 0.1, 0.1]")
        .replace("y: [0.2, 1.0]", "y: [0.2, 1.0, 0.5]")
    )
    app = watching(path)

    async def scenario() -> None:
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            await pilot.press("enter", "g", *"d[1,2]", "enter")
            assert app.walk is not None and app.walk.step.key == "d[1,2]"
            before = app.walk.index
            assert app.solution is not None
            steps = len(app.solution.steps)

            save(path, wider)
            await until(pilot, lambda: app.solution is not None and len(app.solution.steps) > steps)
            assert app.walk.step.key == "d[1,2]" and app.walk.index != before
            assert "u₃" in shown(app, "#picture")

            await pilot.press("e", "enter")  # α, the first number listed
            app.screen.query_one("#edit-input").value = "0.5"  # type: ignore[attr-defined]
            await pilot.press("enter")
            await pilot.pause()
            assert app.modified and "modificada" in app.title
            await pilot.press("r")
            assert not app.modified and app.lesson is app.original
            assert app.solution is not None and len(app.solution.steps) > steps

    asyncio.run(scenario())


def test_same_place_prefers_the_same_step_then_the_same_index() -> None:
    lesson = load_lesson(builtin_folder() / "backprop-1.yaml")
    from stepper.engine import solve

    steps = solve(lesson, "en").steps
    step = steps[5]
    assert same_place(step, 5, steps) == 5
    assert same_place(step, 5, steps[1:]) == 4  # moved: found by key
    assert same_place(step, 5, steps[6:]) == 5  # gone: the same index
    assert same_place(step, 30, steps[:3]) == 2  # gone, and shorter: the last step
    moved: Step = steps[9]
    assert same_place(moved, 9, (*steps[:9], steps[10], steps[9])) == 10


def test_watch_needs_a_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lesson", "backprop-1", "--watch", "--lang", "en"]) == 2
    assert "--watch needs a lesson file" in capsys.readouterr().err


def test_a_broken_save_before_the_walk_is_shown_when_it_starts(tmp_path: Path) -> None:
    path = watched_copy(tmp_path)
    app = watching(path)

    async def scenario() -> None:
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            save(path, path.read_text(encoding="utf-8").replace(ROW_2, "[0.5, 0.4]"))
            await until(pilot, lambda: bool(app.problems))
            await pilot.press("enter")
            panel = app.screen.query_one("#problems", Static)
            assert panel.display and f"{path}:27:11:" in str(panel.content)

    asyncio.run(scenario())
