"""The history panel follows the position, as the picture does: after End then Home, back, a
goto and an edit it lists exactly the values revealed up to the current step, at 80×24 and
60×20, and it always shows the current step.

The values are backprop-1's from the lecture, worked by hand: u₁ = ỹ₁ = 0.29, u₂ = 0.12,
ỹ₂ = tanh 0.12 = 0.11943, ε₁ = −0.09, ε₂ = 0.88057, ε² = 0.0081 + 0.77540 = 0.78351,
δ₂ = 0.88057 · (1 − 0.11943²) = 0.86801, w₂₂ → −0.6 + 2 · 0.1 · 0.7 · 0.86801 = −0.47848.
"""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

from stepper.tui.app import StepperApp
from tests.test_tui import run
from tests.tui_helpers import history_text, make_app, shown_text

pytestmark = pytest.mark.slow  # each test runs the app

SIZES = [(80, 24), (60, 20)]
#: Every value of backprop-1's forward and error phases, and the last new weight.
VALUES = (
    "0.29",
    "0.12",
    "0.11943",
    "−0.09",
    "0.88057",
    "0.78351",
    "0.86801",
    "−0.47848",
    "0.40966",
)


@pytest.mark.parametrize("size", SIZES)
def test_in_a_quiz_end_then_home_gives_no_answer_away(size: tuple[int, int]) -> None:
    """After End the history lists the check after the update (ε² = 0.40966 last); after Home
    it shows only the first question, u₁ = ?, like the picture, and none of the lesson's values."""

    async def scenario(app: StepperApp, pilot: Pilot[int]) -> None:
        await pilot.press("enter")
        app.screen.set_focus(None)  # out of the answer box, as Escape does
        await pilot.press("end")
        assert "ε² = 0.40966" in history_text(app)
        await pilot.press("home")
        shown = history_text(app)
        assert "u₁ = ?" in shown
        assert not [v for v in VALUES if v in shown], shown
        assert "0.29" not in shown_text(app, "#picture")

    run(make_app(quiz=True), scenario, size)


@pytest.mark.parametrize("size", SIZES)
def test_back_takes_a_value_out_again(size: tuple[int, int]) -> None:
    """ỹ₂ = 0.11943 is listed once its value is shown; one stage back it is ỹ₂ = ? again, and
    back past ỹ₂'s formula it is not listed at all (u₂ = 0.12 is the current step)."""

    async def scenario(app: StepperApp, pilot: Pilot[int]) -> None:
        # u₁ in three stages, ỹ₁ = u₁ in one, u₂ in three, then ỹ₂ to its value
        await pilot.press("enter", *"nn", "n", *"nnn", *"nnn")
        assert "ỹ₂ = 0.11943" in history_text(app)
        await pilot.press("p")
        assert "ỹ₂ = ?" in history_text(app)
        await pilot.press("p", "p")
        shown = history_text(app)
        assert "u₂ = 0.12" in shown and "ỹ₂" not in shown

    run(make_app(), scenario, size)


@pytest.mark.parametrize("size", SIZES)
def test_a_goto_shows_what_comes_before_its_target(size: tuple[int, int]) -> None:
    """g d2 opens δ₂ whole: the history ends at δ₂ = 0.86801 with the loss ε² = 0.78351 above
    it and no increment Δw yet; b returns to step 1, and the history with it."""

    async def scenario(app: StepperApp, pilot: Pilot[int]) -> None:
        await pilot.press("enter", "g", "d", "2", "enter")
        shown = history_text(app)
        assert shown.rstrip().endswith("δ₂ = 0.86801")
        assert "ε² = 0.78351" in shown and "Δw" not in shown
        await pilot.press("b")
        assert "δ₂" not in history_text(app)

    run(make_app(), scenario, size)


@pytest.mark.parametrize("size", SIZES)
def test_at_the_end_the_last_step_shows_and_the_rest_is_counted(size: tuple[int, int]) -> None:
    """At End the panel ends with the check's ε² = 0.40966 and starts with '… N más' over a
    heading (the update's or the check's, as the height allows); PgUp shows earlier rows with
    '… N más' below them, and no further than the first row, the panel filled (but for a
    heading and its row that do not fit together); the next key comes back."""

    async def scenario(app: StepperApp, pilot: Pilot[int]) -> None:
        await pilot.press("enter", "end")
        rows = history_text(app).splitlines()
        assert rows[-1] == "ε² = 0.40966"
        assert rows[0].startswith("… ") and "más" in rows[0]
        assert rows[1].startswith(("actualización", "comprobación"))  # a heading below it
        assert any(row.startswith("comprobación") for row in rows)
        height = app.screen.query_one("#history").size.height
        assert len(rows) == height
        await pilot.press("pageup")
        rows = history_text(app).splitlines()
        assert "ε² = 0.40966" not in rows and "más" in rows[-1]
        await pilot.press(*["pageup"] * 5)  # back to the first row at most, the panel filled
        rows = history_text(app).splitlines()
        assert rows[0].startswith("hacia delante") and height - 1 <= len(rows) <= height
        await pilot.press("p", "n")
        assert history_text(app).splitlines()[-1] == "ε² = 0.40966"

    run(make_app(), scenario, size)


def test_after_an_edit_the_history_shows_the_new_values() -> None:
    """With x₁ changed from 0.1 to 0.3 at ỹ₁, the history shows u₁ = 0.25 (0.1 − 0.06 + 0.21),
    not the lecture's 0.29; restoring brings 0.29 back."""

    async def scenario(app: StepperApp, pilot: Pilot[int]) -> None:
        await pilot.press("enter", *"nnnnnn")
        lesson = app.lesson
        samples = lesson.training.samples  # type: ignore[union-attr]
        changed = samples[0].model_copy(update={"x": [0.3, 0.7]})
        training = lesson.training.model_copy(update={"samples": [changed]})  # type: ignore[union-attr]
        app.change_lesson(lesson.model_copy(update={"training": training}))
        await pilot.pause()
        assert "u₁ = 0.25" in history_text(app) and "0.29" not in history_text(app)
        app.change_lesson(app.original)
        await pilot.pause()
        assert "u₁ = 0.29" in history_text(app)

    run(make_app(), scenario, (80, 24))
