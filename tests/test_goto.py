"""The goto dialog: it names the step Enter would open, completes symbols as the learner
writes them, says the range of a number out of it, and shows the step keys on F2."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from stepper.tui.app import StepperApp
from tests.test_tui import run
from tests.tui_helpers import make_app, shown_text

pytestmark = pytest.mark.slow  # each test runs the app


@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
def test_goto_by_symbol_with_completion_range_and_keys(size: tuple[int, int]) -> None:
    """g at step 1 says where the learner is; 99 is refused with the range 1–28; d offers d1
    (δ₁) and → takes it; F2 adds its key d[1,1]; Enter opens δ₁ whole."""

    async def scenario(app: StepperApp, pilot: Pilot[int]) -> None:
        await pilot.press("enter", "g")
        assert "Paso 1 de 28 · u₁" in " ".join(shown_text(app, "#goto-target").split())
        await pilot.press("9", "9", "enter")
        assert "No hay paso 99: los pasos son 1–28" in shown_text(app, "#goto-error")
        box = app.screen.query_one("#goto-input", Input)
        box.value = ""
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("right")
        assert box.value == "d1"
        target = " ".join(shown_text(app, "#goto-target").split())
        assert target.startswith("→ Paso 8 de 28 · δ₁") and "d[1,1]" not in target
        await pilot.press("f2")
        assert "d[1,1]" in shown_text(app, "#goto-target")
        await pilot.press("enter")
        assert app.walk is not None and app.walk.step.key == "d[1,1]"

    run(make_app(), scenario, size)
