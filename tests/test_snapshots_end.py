"""SVG snapshots of the end screen, at 80×24 and 60×20: what a learner sees after the last step.

Each docstring says what the picture must show; ``pytest --snapshot-update`` rewrites them after
a deliberate change, and the SVG's diff is then read like a screenshot.
"""

from __future__ import annotations

import pytest

from tests.tui_helpers import SnapCompare, make_app, settle

pytestmark = pytest.mark.slow  # each test runs the app to take its picture


@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
def test_end_of_backprop_1(snap_compare: SnapCompare, size: tuple[int, int]) -> None:
    """backprop-1 after Next on its last step: "Fin de la lección.", the loss ε² before and
    after the update (0.78351 → 0.40966, −47.7 %, down) from the check phase, and layer 1's
    weights as two 2×3 matrices, old (0.1 −0.2 0.3 / 0.5 0.4 −0.6) → new (0.082 −0.2018
    0.2874 / 0.6736 0.41736 −0.47848); the footer offers Home, ←/b and q."""
    assert snap_compare(
        make_app(), terminal_size=size, run_before=settle, press=["enter", "end", "space"]
    )


@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
def test_end_of_a_quiz(snap_compare: SnapCompare, size: tuple[int, int]) -> None:
    """backprop-2 in a quiz, u₁ answered right, z₁ revealed, then Escape, End and Next: the end
    screen with the score "1 de 2 a la primera (50 %)" first, then the weights of both layers
    (layer 1 first), and at the bottom z₁ = 0.28213 listed as not right at the first try
    (revealed)."""
    assert snap_compare(
        make_app("backprop-2", quiz=True),
        terminal_size=size,
        run_before=settle,
        press=["enter", *"0.29", "enter", "space", "r", "enter", "escape", "end", "space"],
    )


@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
def test_end_of_several_starts(snap_compare: SnapCompare, size: tuple[int, int]) -> None:
    """minima-1 after Next on its last step: each start's path, "Desde −0.5: (−0.5) →
    (−1.0575)" with f −0.6875 → −1.5148 and "Desde 0.5: (0.5) → (0.9288)" with f −0.1875 →
    −0.5167, each with its sparkline, then "Los 2 puntos de salida acaban en 2 puntos
    distintos: el más bajo, f = −1.5148, desde −0.5."."""
    assert snap_compare(
        make_app("minima-1"), terminal_size=size, run_before=settle, press=["enter", "end", "space"]
    )
