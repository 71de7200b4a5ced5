"""SVG snapshots of the computational graph in the app (graph-1, graph-2), at 80×24 and 60×20.

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
def test_a_node_computed_from_its_operands(
    snap_compare: SnapCompare, size: tuple[int, int]
) -> None:
    """graph-1 at d (step 2): a = 2, b = −3, c = 10, f = −2 down the left; the box · with
    e = −6 read (its outline and value in the read style), the box + with d = 4 current (its
    heading + and its line), the edges e → d and c = 10 read; L's box waiting, L alone in it
    (at 60×20 its column left out, the edges into it ending → L)."""
    assert snap_compare(
        make_app("graph-1"), terminal_size=size, run_before=ready, press=goto("val[d]")
    )


@pytest.mark.parametrize("size", SIZES)
def test_an_edge_going_back(snap_compare: SnapCompare, size: tuple[int, int]) -> None:
    """graph-1 at ∂L/∂f, the local derivative on the edge f → L (step 7): that edge alone in
    the current style from f to L's box, d's box and d = 4 read (∂L/∂f = d), L = −8 with
    ∂ = 1, d's ∂ = −2 written, e and the inputs without a gradient yet. At 60×20 the inputs'
    column is left out: a, b, c, f are written where their edges come in."""
    assert snap_compare(
        make_app("graph-1"), terminal_size=size, run_before=ready, press=goto("local[L,f]")
    )


def test_the_neuron_back_through_its_gates(snap_compare: SnapCompare) -> None:
    """graph-2 (split into operations) at ∂f/∂w₂ at 80×24: the five inputs down the left
    (w₂'s ∂ = 0.1966 current), the boxes ·, ·, + and + with their values and gradients, the
    edge w₂ → n₄ and n₄'s box read, the sigmoid's other gates left out on the right (→ n₅)."""
    assert snap_compare(
        make_app("graph-2"),
        terminal_size=(80, 24),
        run_before=ready,
        press=goto("operations.grad[w2]"),
    )


def test_a_window_of_the_neuron_at_60(snap_compare: SnapCompare) -> None:
    """graph-2 at ∂n₄/∂w₂ at 60×20: the columns of n₃ and n₄ only, n₁, n₂ and w₂ written where
    their edges come in from the left, the edge from w₂ into n₄ current, → n₅ on the right."""
    assert snap_compare(
        make_app("graph-2"),
        terminal_size=(60, 20),
        run_before=ready,
        press=goto("operations.local[n4,w2]"),
    )
