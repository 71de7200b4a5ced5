"""SVG snapshots of the app at 80×24: what a learner sees at the key moments of a lesson.

Each test's docstring says what the picture must show; ``pytest --snapshot-update`` rewrites
them after a deliberate change, and the diff of the SVG is then read like a screenshot.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from tests.tui_helpers import SnapCompare, make_app, settle

pytestmark = pytest.mark.slow  # each test runs the app to take its picture

SIZE = (80, 24)


async def ready(pilot: Pilot[Any]) -> None:
    await settle(pilot)


def test_title_screen(snap_compare: SnapCompare) -> None:
    """backprop-1's title, its Spanish summary, the network with x₀ = 1, x₁ = 0.1, x₂ = 0.7 and
    the six initial weights on the synapses, and the hint to press Enter."""
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=ready)


def test_mid_forward(snap_compare: SnapCompare) -> None:
    """backprop-1 at u₂ with its substitution shown: u₁ = ỹ₁ = 0.29 written beside neuron 1,
    neuron 2 highlighted with its weights 0.5, 0.4, −0.6 and the inputs it reads, the history
    listing u₁ and ỹ₁, and step 3 of 28 in the forward phase."""
    assert snap_compare(
        make_app(),
        terminal_size=SIZE,
        run_before=ready,
        press=["enter", "n", "n", "n", "n", "n"],
    )


def test_mid_backward(snap_compare: SnapCompare) -> None:
    """backprop-2 at γ₁ with its substitution (1 − 0.28213²) · 0.7067 · 0.5: hidden neuron 1
    highlighted, δ₃ = 0.7067 and t₃₁ = 0.5 marked as read, the t weights not yet updated."""
    assert snap_compare(
        make_app("backprop-2"),
        terminal_size=SIZE,
        run_before=ready,
        press=["enter", "g", *"d[1,1]", "enter", "p"],
    )


def test_update_phase(snap_compare: SnapCompare) -> None:
    """backprop-1 at its last update step: w₂₂ → −0.47848 with the note on the slide's −0.4784,
    every new weight written on its synapse in the picture, step 21 of 28 in the update."""
    phases = ["a", "]"] * 3 + ["a"]  # forward, error, backward, update: each revealed whole
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=ready, press=["enter", *phases])


def test_check_phase(snap_compare: SnapCompare) -> None:
    """backprop-1 at its last step, the check: ε² = (−0.063)² + 0.63694² = 0.40966, the
    explanation saying it was 0.78351 before the update and is lower now; the picture with the
    new weights on the synapses and the values computed again with them (u₁ = ỹ₁ = 0.263,
    ε₂ = 0.63694, ε² = 0.40966), and the progress bar full in the check phase."""
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=ready, press=["enter", "end"])


def test_quiz_reply(snap_compare: SnapCompare) -> None:
    """The quiz at u₂ after the answer −0.38: the question u₂ = ? with the precision expected
    under it (3 cifras o 5 decimales), the answer box with its placeholder (no number in it),
    the red ✗ and the diagnosis that the bias w₂₀ · x₀ was left out."""

    async def answer(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("enter")
        # A steady cursor: a blinking one is caught on or off at random.
        pilot.app.screen.query_one(Input).cursor_blink = False
        # u₁ right, then past ỹ₁ = u₁ (shown whole, not asked) to u₂
        await pilot.press(*"0.29", "enter", "space", "space", *"-0.38", "enter")
        await pilot.pause()

    assert snap_compare(make_app(quiz=True), terminal_size=SIZE, run_before=answer)


def test_help(snap_compare: SnapCompare) -> None:
    """The help dialog over the walk: every key of the table with its Spanish description."""
    assert snap_compare(
        make_app(), terminal_size=SIZE, run_before=ready, press=["enter", "question_mark"]
    )
