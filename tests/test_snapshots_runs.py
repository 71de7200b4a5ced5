"""SVG snapshots of batch-1, a lesson trained several ways: a run's step in the walk, and the
end screen comparing the runs, at 80×24 and 60×20.

Each docstring says what the picture must show; ``pytest --snapshot-update`` rewrites them after
a deliberate change, and the SVG's diff is then read like a screenshot.
"""

from __future__ import annotations

import pytest

from tests.tui_helpers import SnapCompare, make_app, settle

pytestmark = pytest.mark.slow  # each test runs the app to take its picture


@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
def test_a_step_of_the_mini_batch(snap_compare: SnapCompare, size: tuple[int, int]) -> None:
    """batch-1 in the mini-batch's first update, at pair 2's increment Δw₁₀⁽²⁾ = 2 · α ·
    x₀⁽²⁾ · δ₁⁽²⁾ (pair 1's, 0.52 and 0.26, above it in the history): the picture draws the
    mini-batch's own start, w₁₀ = w₁₁ = 0 (not SGD's updated weights), pair 2, Fₒ = 0.2865
    and α = 0.5; the history heads the run's blocks "Mini-lote de 2"; the status line says
    "minibatch · actualización · iteración 1"."""
    assert snap_compare(
        make_app("batch-1"),
        terminal_size=size,
        run_before=settle,
        press=["enter", "g", *"minibatch.dw[1,1,0]", "enter", "n", "n", "n", "n"],
    )


@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
def test_the_end_compares_the_runs(snap_compare: SnapCompare, size: tuple[int, int]) -> None:
    """batch-1 after Next on its last step: "Las formas de entrenar, comparadas", a table of
    the start (w₁₀ = w₁₁ = 0) and one row per run: SGD (lote de 1) 4 pasos, 0.3883, 0.1686,
    Fₒ 0.0022; Mini-lote de 2 2 pasos, 0.3098, 0.1108, 0.0281; Lote de 4 1 paso, 0.5575,
    0.4085, 0.0896; and what Fₒ is: the mean error of the 4 pairs with each run's weights."""
    assert snap_compare(
        make_app("batch-1"), terminal_size=size, run_before=settle, press=["enter", "end", "space"]
    )
