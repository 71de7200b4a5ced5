"""SVG snapshots of the history panel and the goto dialog, at 80×24 and 60×20.

Each test's docstring says what the picture must show; ``pytest --snapshot-update`` rewrites
them after a deliberate change.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from tests.tui_helpers import SnapCompare, make_app, settle

pytestmark = pytest.mark.slow  # each test runs the app to take its picture


def test_quiz_after_end_then_home(snap_compare: SnapCompare) -> None:
    """backprop-1's quiz at 80×24 after End then Home: the question u₁ = ? with the answer box,
    the picture with no value computed, and the history holding only its heading and u₁ = ?
    (marked as the current step): nothing the picture does not show."""

    async def end_then_home(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("enter")
        # A steady cursor: a blinking one is caught on or off at random.
        pilot.app.screen.query_one(Input).cursor_blink = False
        pilot.app.screen.set_focus(None)  # out of the answer box, as Escape does
        await pilot.press("end", "home")
        await pilot.pause()  # the footer's keys follow the focus after a refresh

    assert snap_compare(make_app(quiz=True), terminal_size=(80, 24), run_before=end_then_home)


def test_history_at_the_end_at_60x20(snap_compare: SnapCompare) -> None:
    """backprop-2 at its last step at 60×20: the history ends with the check's ε² = 0.22396,
    marked as current, under '… N más' and the check's heading; no scrollbar."""

    async def to_end(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("enter", "end")

    assert snap_compare(make_app("backprop-2"), terminal_size=(60, 20), run_before=to_end)


def test_goto_by_symbol_at_60x20(snap_compare: SnapCompare) -> None:
    """The goto dialog at 60×20 over backprop-1 with dw12 typed: the prompt with the range
    (1–28) and an example from the lesson (Δw10 o dw10), the line '→ Paso 14 de 28 · Δw₁₂ ·
    actualización · iteración 1' with the key dw[1,1,2] after F2, and the hint to hide the
    keys again."""

    async def goto(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("enter", "g", *"dw12", "f2")

    assert snap_compare(make_app(), terminal_size=(60, 20), run_before=goto)
