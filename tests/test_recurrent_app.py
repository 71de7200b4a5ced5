"""rnn-1 in the app, as a learner walks it at 80×24 and 60×20: every step with Space, the
history and the status line saying the time step, the end screen with the loss before and
after and the new weights by gate; and in the quiz, a typed answer taken and a wrong one
told what BPTT step it forgot."""

from __future__ import annotations

import pytest
from textual.widgets import Label

from stepper.tui.app import StepperApp
from stepper.tui.screens.end import EndScreen
from stepper.tui.screens.walk import WalkScreen
from tests.tui_helpers import history_text, make_app, run_walk, shown_text

pytestmark = pytest.mark.slow  # each test runs the app

SIZES = [(80, 24), (60, 20)]


def status(app: StepperApp) -> str:
    return str(app.screen.query_one("#progress-label", Label).content)


@pytest.mark.parametrize("size", SIZES)
def test_rnn1_walked_step_by_step_to_the_end(size: tuple[int, int]) -> None:
    """Space through every stage of every step: the status line and the history say the
    time step (t = 2 forward, t = 1 on the way back) and the gate of the update; past the
    last step the end screen shows ε² before → after and the cell's weights old → new."""

    async def scenario(app: StepperApp, pilot) -> None:  # type: ignore[no-untyped-def]
        walk = app.walk
        assert walk is not None
        seen: dict[str, str] = {}
        history = ""
        while not isinstance(app.screen, EndScreen):
            assert isinstance(app.screen, WalkScreen)
            seen.setdefault(walk.step.key, status(app))
            if walk.step.key == "u[h,2,1]":
                assert "hacia delante · t = 2" in history_text(app)
            if walk.step.key == "dh[1,1]":
                assert "hacia atrás · t = 1" in history_text(app)
            if walk.step.key == "w[h,1,0]":
                history = history_text(app)
            await pilot.press("space")
        assert len(seen) == len(walk.steps)
        assert seen["u[h,2,1]"].endswith("hacia delante · t = 2")
        assert seen["dh[1,1]"].endswith("hacia atrás · t = 1")
        assert seen["w[h,1,0]"].endswith("· actualización")  # the gate: in the history
        assert "actualización · celda" in history
        end = " ".join(shown_text(app, "#end-text").split())
        before = next(s for s in walk.steps if s.key == "loss").shown
        after = next(s for s in walk.steps if s.key == "check.loss").shown
        assert f"ε²: {before} → {after}" in end
        new = [next(s for s in walk.steps if s.key == f"w[h,1,{j}]").shown for j in range(3)]
        assert "Celda: w₁₀ … w₁₂" in end and " ".join(new) in end

    run_walk(make_app("rnn-1"), scenario, size)


async def answer(pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press(*text, "enter")
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_rnn1_quiz_takes_a_typed_answer_and_names_the_forgotten_term(
    size: tuple[int, int],
) -> None:
    """u₁ = 0.15 typed is right; at εʰ₁ (step 10) the answer 0, the error of step 1 without
    what comes back from step 2, is wrong, and the advice says what was left out."""

    async def scenario(app: StepperApp, pilot) -> None:  # type: ignore[no-untyped-def]
        await answer(pilot, "0.15")
        assert "✓ correcto: 0.15" in " ".join(shown_text(app, "#feedback").split())
        await pilot.press("space")
        walk = app.walk
        assert walk is not None
        while walk.step.key != "dh[1,1]":
            await answer(pilot, "r")
            await pilot.press("space")
        await answer(pilot, "0")
        feedback = " ".join(shown_text(app, "#feedback").split())
        assert "✗ 0 no es" in feedback and "lo que vuelve del paso 2" in feedback
        await answer(pilot, next(s for s in walk.steps if s.key == "dh[1,1]").shown)
        assert app.score.right == 2 and app.score.right_first == 1

    run_walk(make_app("rnn-1", quiz=True), scenario, size)
