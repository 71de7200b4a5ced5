"""The end of a lesson in the app, and every way out of it: Next on the last step shows the end
screen (it never quits); q, Ctrl+Q, Ctrl+C and SIGTERM leave from anywhere, and each writes
--save first; Escape leaves the answer box."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest

from stepper.tui.app import StepperApp
from stepper.tui.screens.end import EndScreen
from stepper.tui.screens.walk import WalkScreen
from stepper.walking import FORMULA, VALUE
from tests.test_tui import run
from tests.tui_helpers import make_app, shown_text

pytestmark = pytest.mark.slow  # each test runs the app

SIZE = (80, 24)


def saved(path: Path) -> dict[str, object]:
    data = json.loads(path.read_text())
    assert isinstance(data, dict)
    return data


@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
def test_next_on_the_last_step_shows_the_end_then_back_home_and_q(size: tuple[int, int]) -> None:
    """End then Space: the end screen (the app still runs) with the weights old → new; ← goes
    back to the last step, Space returns, Home starts over at step 1, and q leaves."""

    async def scenario(app: StepperApp, pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("enter", "end", "space")
        assert isinstance(app.screen, EndScreen) and app.is_running
        shown = shown_text(app, "#end-text")
        assert "Fin de la lección." in shown
        assert "0.41736" in shown and "−0.47848" in shown and "Capa 1" in shown
        await pilot.press("left")
        assert isinstance(app.screen, WalkScreen)
        assert app.walk is not None
        assert (app.walk.index, app.walk.stage) == (len(app.walk.steps) - 1, VALUE)
        await pilot.press("space")
        assert isinstance(app.screen, EndScreen)
        await pilot.press("b")
        await pilot.press("space")
        await pilot.press("home")
        assert isinstance(app.screen, WalkScreen)
        assert (app.walk.index, app.walk.stage) == (0, FORMULA)
        assert "u₁ = w₁₀" in shown_text(app, "#step-text")
        await pilot.press("end", "space", "q")
        await pilot.pause()
        assert app.return_value == 0 and not app.is_running

    run(make_app(), scenario, size)


def test_no_key_but_q_leaves_from_the_end_screen() -> None:
    """Every other key on the end screen leaves the learner there."""

    async def scenario(app: StepperApp, pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("enter", "end", "space")
        await pilot.press(
            "space", "enter", "escape", "n", "p", "right", "end", "x", "question_mark"
        )
        assert isinstance(app.screen, EndScreen) and app.is_running

    run(make_app(), scenario, SIZE)


def test_quiz_end_shows_the_score_and_the_missed_and_q_saves(tmp_path: Path) -> None:
    """In a quiz the end screen says the score and which step was missed; its q writes --save."""
    save = tmp_path / "answers.json"

    async def scenario(app: StepperApp, pilot) -> None:  # type: ignore[no-untyped-def]
        # u₁ right; ỹ₁ = u₁ is shown whole, not asked; u₂ revealed
        await pilot.press("enter", *"0.29", "enter", "space", "space", "r", "enter")
        await pilot.press("escape", "end", "space")
        assert isinstance(app.screen, EndScreen)
        shown = shown_text(app, "#end-text")
        assert "Puntuación: 1 de 2 a la primera (50 %)" in shown
        assert "3. u₂ = 0.12" in shown
        await pilot.press("q")
        await pilot.pause()

    run(make_app(quiz=True, save=str(save)), scenario, SIZE)
    assert saved(save)["asked"] == 2


def test_q_in_the_answer_box_quits_and_saves(tmp_path: Path) -> None:
    """While a question waits, q is no answer: it leaves, and the answers so far are saved."""
    save = tmp_path / "answers.json"

    async def scenario(app: StepperApp, pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("enter", *"0.3", "enter")
        assert app.screen.focused is not None and app.screen.focused.id == "answer"
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running

    run(make_app(quiz=True, save=str(save)), scenario, SIZE)
    assert saved(save)["asked"] == 1 and '"0.3"' in save.read_text()


@pytest.mark.parametrize("key", ["ctrl+q", "ctrl+c"])
def test_ctrl_q_and_ctrl_c_save_from_the_answer_box_and_from_a_dialog(
    tmp_path: Path, key: str
) -> None:
    """Ctrl+Q and Ctrl+C leave from anywhere, the help dialog included, and save first."""
    for where in (["enter", *"0.3", "enter"], ["enter", "escape", "question_mark"]):
        save = tmp_path / f"{key}.json"

        async def scenario(app: StepperApp, pilot, where: list[str] = where) -> None:  # type: ignore[no-untyped-def]
            await pilot.press(*where)
            await pilot.press(key)
            await pilot.pause()
            assert not app.is_running

        run(make_app(quiz=True, save=str(save)), scenario, SIZE)
        assert save.exists(), where
        save.unlink()


def test_escape_leaves_the_answer_box_so_the_walk_keys_move_again() -> None:
    """Escape takes the focus out of the answer box: ← then goes back a step, ? opens help."""

    async def scenario(app: StepperApp, pilot) -> None:  # type: ignore[no-untyped-def]
        # u₁ right, then past ỹ₁ = u₁ (shown whole, not asked) to the question u₂
        await pilot.press("enter", *"0.29", "enter", "space", "space")
        assert app.walk is not None and (app.walk.index, app.walk.stage) == (2, 0)
        await pilot.press("escape")
        assert app.screen.focused is None
        await pilot.press("left")
        assert (app.walk.index, app.walk.stage) == (1, VALUE)

    run(make_app(quiz=True), scenario, SIZE)


def test_sigterm_leaves_and_saves(tmp_path: Path) -> None:
    """SIGTERM (a kill, a closed session) writes --save and ends with 128 + 15."""
    save = tmp_path / "answers.json"

    async def scenario(app: StepperApp, pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("enter", *"0.29", "enter")
        os.kill(os.getpid(), signal.SIGTERM)
        await pilot.pause()
        await pilot.pause()
        assert not app.is_running

    app = make_app(quiz=True, save=str(save))
    run(app, scenario, SIZE)
    assert app.return_code == 128 + signal.SIGTERM
    assert saved(save)["right_first_try"] == 1
    assert signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None)


def test_a_save_that_cannot_be_written_is_reported_not_lost(tmp_path: Path) -> None:
    """A --save path in a missing folder: the app still leaves, with status 2 and the error
    kept for the command line to report."""
    save = tmp_path / "missing" / "answers.json"

    async def scenario(app: StepperApp, pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("enter", "q")
        await pilot.pause()

    app = make_app(quiz=True, save=str(save))
    run(app, scenario, SIZE)
    assert app.return_code == 2 and isinstance(app.save_error, FileNotFoundError)
