"""SVG snapshots of the unrolled recurrent cell in the app (rnn-1, lstm-1, gru-1, rnn-2), at 80×24
and 60×20.

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


def goto(key: str) -> list[str]:
    return ["enter", "g", *key, "enter"]


@pytest.mark.parametrize("size", SIZES)
def test_rnn_forward_through_time(snap_compare: SnapCompare, size: tuple[int, int]) -> None:
    """rnn-1 at h₂ (step 4): two boxes t = 1 and t = 2, the heading t = 2 highlighted, u₁ =
    0.15 and h₁ = 0.1489 in box 1, h₀ = 0 wired in from the left, h₁'s wire → into box 2,
    u₂ = 0.5691 read, h₂ = 0.5147 written as the current quantity, x₁ = 0.1 and x₂ = 0.7
    under their boxes, ỹ₂ y₂ = 1 ε₂ ε² above; δ and εʰ waiting below the states."""
    assert snap_compare(
        make_app("rnn-1"), terminal_size=size, run_before=ready, press=goto("h[2,1]")
    )


@pytest.mark.parametrize("size", SIZES)
def test_rnn_gradient_back_through_time(snap_compare: SnapCompare, size: tuple[int, int]) -> None:
    """rnn-1 at εʰ₁ (step 10): the term that flows from step 2 back to step 1; the wire
    between the εʰ rows points left (←), εʰ₁ highlighted in box 1, δ₂ = 0.3567 read in box 2,
    εʰ₂ = 0.4853 and the forward values above them, ỹ₂ = 0.5147 y₂ = 1 ε₂ = 0.4853
    ε² = 0.2355 on top."""
    assert snap_compare(
        make_app("rnn-1"), terminal_size=size, run_before=ready, press=goto("dh[1,1]")
    )


def test_rnn_weight_summed_over_time(snap_compare: SnapCompare) -> None:
    """rnn-1 at Δw₁₂ (step 20) at 80×24: the top line w₁₀ → 0.2272 w₁₁ → 0.5555 Δw₁₂ =
    0.0106, and the quantities Δw₁₂ sums over both steps marked as read: h₀ = 0, h₁ = 0.1489,
    δ₁ = 0.2791, δ₂ = 0.3567."""
    assert snap_compare(
        make_app("rnn-1"), terminal_size=(80, 24), run_before=ready, press=goto("dw[h,1,2]")
    )


def test_lstm_memory_through_time(snap_compare: SnapCompare) -> None:
    """lstm-1 at c₂ (step 19) at 80×24: two boxes with every gate, f₁ = 0.26894, i₁ = 0.73106,
    g₁ = 0.66404, o₁ = 0.68997, c₁ = 0.7006 and h₁ = 0.41726 in box 1; c₀ = 0.8 and h₀ = 0
    wired in; c₂ = 0.60002 current in box 2 with f₂ = 0.77006, i₂ = 0.29425, g₂ = 0.20566 read,
    c₁ read in box 1, c₁'s and h₁'s wires → into box 2; y₂ = 0.5 ε₂ ε² above."""
    assert snap_compare(
        make_app("lstm-1"), terminal_size=(80, 24), run_before=ready, press=goto("c[2,1]")
    )


def test_lstm_window_at_60(snap_compare: SnapCompare) -> None:
    """lstm-1 at c₂ (step 19) at 60×20: one box, t = 2 (gates two to a line), with c₁ = 0.7006
    and h₁ = 0.41726 entering it from the left instead of box 1 (c₁ read), nothing on its
    right (t = 2 is the last step), c₂ = 0.60002 current, x₂ = 0 under the box."""
    assert snap_compare(
        make_app("lstm-1"), terminal_size=(60, 20), run_before=ready, press=goto("c[2,1]")
    )


def test_lstm_cell_gradient_back(snap_compare: SnapCompare) -> None:
    """lstm-1 at εᶜ₁ (step 30) at 80×24: the backward half, each gate's δ in its row (δᶠ₂ =
    0.0088 … δᵒ₂ = 0.01917 in box 2), εᶜ₁ = 0.06299 current, εʰ₁ = 0.01913 and εᶜ₂ = 0.07092
    read, the wires between the εᶜ and εʰ rows pointing left (←)."""
    assert snap_compare(
        make_app("lstm-1"), terminal_size=(80, 24), run_before=ready, press=goto("dc[1,1]")
    )


def test_gru_state_mixes_past_and_candidate(snap_compare: SnapCompare) -> None:
    """gru-1 at h₁ (step 7) at 80×24: two boxes, gates two to a line (r and the update gate
    written a, never z); in box 1 r₁ = 0.35434, then a₁ = 0.24974 and n₁ = 0.51887 read and
    h₁ = 0.58908 current, h₀ = 0.8 wired in from the left and h₁'s wire → into box 2; δʳ, δᵃ, δⁿ
    and εʰ waiting below; x₁ = 1 and x₂ = 0 under the boxes, y₂ = 0.5 ε₂ ε² above."""
    assert snap_compare(
        make_app("gru-1"), terminal_size=(80, 24), run_before=ready, press=goto("h[1,1]")
    )


def test_two_units_gradient_at_60(snap_compare: SnapCompare) -> None:
    """rnn-2 at εʰ₁‚₂ (step 19) at 60×20: the matrix form, two units one under the other in
    each box (time, comma, unit: δ₂‚₁, εʰ₁‚₂); εʰ₁‚₂ = 0.0234 current in box 1, δ₂‚₁ = 0.3569
    and δ₂‚₂ = 0.2211 read in box 2, the εʰ wires pointing left (←), the outputs of both steps
    above (ỹ₁ = 0.2331 and ε₁ = 0.0669, ỹ₂ = 0.5455 and y₂ = 1)."""
    assert snap_compare(
        make_app("rnn-2"), terminal_size=(60, 20), run_before=ready, press=goto("dh[1,2]")
    )
