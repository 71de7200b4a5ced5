"""SVG snapshots of dropout in the app (lesson dropout-1), at 80×24 and 60×20.

Each docstring says what the picture must show (see ``tests/test_snapshots.py``).
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from tests.tui_helpers import SnapCompare, make_app, settle

pytestmark = pytest.mark.slow

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((60, 20), id="60x20")]


async def ready(pilot: Pilot[Any]) -> None:
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES)
def test_the_mask_applied(snap_compare: SnapCompare, size: tuple[int, int]) -> None:
    """dropout-1 at z̃₂ (step 6): neuron 2 drawn as "(2 tgh ✕)", highlighted as the neuron of
    the current step, z̃₂ = 0 under its z₂ = 0.11943 (and at 80×24 neuron 1 unmarked with
    z̃₁ = 0.56427 under z₁); the step pane shows
    z̃₂ = r₂ · z₂/(1 − p) = 0 · 0.11943/(1 − 0.5) = 0 and begins the explanation that
    dropout drops neuron 2 for this sample."""
    assert snap_compare(
        make_app("dropout-1"),
        terminal_size=size,
        run_before=ready,
        press=["enter", "g", *"drop[1,2]", "enter"],
    )


def test_no_error_through_a_dropped_neuron(snap_compare: SnapCompare) -> None:
    """dropout-1 at γ₂ (step 13) at 80×24: γ₂ = 0 under neuron 2 "(2 tgh ✕)", the
    formula γ₂ = r₂ · (1 − z₂²) · δ₃ · t₃₂/(1 − p) with the 0 of r₂ first in its substitution,
    γ₁ = 0.47664 of the kept neuron 1, and the explanation that the error backpropagated to
    neuron 2 is 0 because dropout dropped it."""
    assert snap_compare(
        make_app("dropout-1"),
        terminal_size=(80, 24),
        run_before=ready,
        press=["enter", "g", *"d[1,2]", "enter"],
    )


def test_the_next_layer_reads_the_masked_outputs(snap_compare: SnapCompare) -> None:
    """dropout-1 at u₃ (step 7) at 80×24: neuron 2 "(2 tgh ✕)" struck through and dim (not
    current), z̃₁ = 0.56427 and z̃₂ = 0 marked as read by neuron 3, and the substitution
    0.2 · 1 + 0.5 · 0.56427 + (−0.4) · 0 = 0.48213."""
    assert snap_compare(
        make_app("dropout-1"),
        terminal_size=(80, 24),
        run_before=ready,
        press=["enter", "g", *"u[2,1]", "enter"],
    )
