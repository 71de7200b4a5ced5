"""SVG snapshots of the step's equation at 80×24 and 60×20: the = signs in one column, long
formulas wrapped after an operator, an identity step said once (stepper.equation).

Each test's docstring says what the picture must show.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from tests.tui_helpers import SnapCompare, make_app, settle

pytestmark = pytest.mark.slow  # each test runs the app to take its picture


async def ready(pilot: Pilot[Any]) -> None:
    await settle(pilot)


def goto(key: str) -> list[str]:
    """The keys that open the lesson and jump to step ``key``, shown whole."""
    return ["enter", "g", *key, "enter"]


@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
def test_a_new_weight_writes_its_equals_signs_under_the_arrow(
    snap_compare: SnapCompare, size: tuple[int, int]
) -> None:
    """backprop-2 at w₁₀ of the update: w₁₀ → w₁₀ + Δw₁₀, then = 0.1 + 0.06504 and
    = 0.16504, both = in the column of the →, four cells in (w₁₀ is three wide)."""
    assert snap_compare(
        make_app("backprop-2"), terminal_size=size, run_before=ready, press=goto("w[1,1,0]")
    )


@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
def test_an_increment_wider_than_two_cells_keeps_the_column(
    snap_compare: SnapCompare, size: tuple[int, int]
) -> None:
    """backprop-2 at Δw₁₀ = 2 · α · x₀ · γ₁: the substitution 2 · 0.1 · 1 · 0.32522 and the
    value 0.06504 each after an = under the formula's = (Δw₁₀ is four cells wide)."""
    assert snap_compare(
        make_app("backprop-2"), terminal_size=size, run_before=ready, press=goto("dw[1,1,0]")
    )


def test_a_kernel_gradient_wraps_between_its_terms(snap_compare: SnapCompare) -> None:
    """cnn-1 at Δk₁₁ at 60×20, where the step pane leaves 24 cells after "Δk₁₁ = ": the sum
    α · (δᶜ₁₁ · x₁₁ + … is not elided (16 terms), one term a line, each line ending with +
    and the next starting under the α; the pane's "↓ más" says that the rest of the sum and
    the substitution are below."""
    assert snap_compare(
        make_app("cnn-1"), terminal_size=(60, 20), run_before=ready, press=goto("dk[1,1,1,1]")
    )


def test_the_rgb_channels_are_listed_not_chained(snap_compare: SnapCompare) -> None:
    """rgb-1 at c₁₁ = q₁₁⁽¹⁾ + q₁₁⁽²⁾ + q₁₁⁽³⁾ + b₁ with its value −6 at 80×24: under the
    picture the line "suma: q₁₁⁽¹⁾ = 0, q₁₁⁽²⁾ = −6, q₁₁⁽³⁾ = −1, b₁ → c₁₁ = −6" (commas
    between the channels, no chain of = and +), the substitution 0 + (−6) + (−1) + 1."""
    assert snap_compare(
        make_app("rgb-1"), terminal_size=(80, 24), run_before=ready, press=goto("conv[1,1,1]")
    )


def test_a_quotient_breaks_after_its_slash(snap_compare: SnapCompare) -> None:
    """optimizers-1 at AdaDelta's Δx at 60×20: −sqrt((E[Δx²] + ε)/ then (E[g²]₁ + ε)) · g₁
    on the next line under the right side, the substitution broken the same way, = 0.1 last."""
    assert snap_compare(
        make_app("optimizers-1"),
        terminal_size=(60, 20),
        run_before=ready,
        press=goto("adadelta.delta[x]"),
    )


def test_an_identity_step_says_its_value_once(snap_compare: SnapCompare) -> None:
    """backprop-1 at 60×20, one key after u₁'s value: ỹ₁ = u₁ then = 0.29 once (no second
    line repeating it), the linear neuron's explanation under it, step 2 of 21."""
    assert snap_compare(
        make_app(),
        terminal_size=(60, 20),
        run_before=ready,
        press=["enter", "n", "n", "n"],
    )
