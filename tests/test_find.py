"""Goto by what the learner sees: ``Walk.find`` takes a step number, a key, or a symbol as the
screen writes it (δ₂) or as a keyboard types it (d2), in every lesson kind.

The expected steps are read off the lessons by hand (the lecture's order of quantities), not
from the engine's own naming code.
"""

from __future__ import annotations

import pytest

from stepper.naming import indices, typed, written
from stepper.walking import Walk
from tests.conftest import solved


def key_at(walk: Walk, text: str) -> str | None:
    found = walk.find(text)
    return None if found is None else walk.steps[found].key


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("δ₂", "d[1,2]"),
        ("δ2", "d[1,2]"),
        ("d2", "d[1,2]"),
        ("delta_2", "d[1,2]"),
        ("Δw₁₂", "dw[1,1,2]"),
        ("Δw12", "dw[1,1,2]"),
        ("dw12", "dw[1,1,2]"),
        ("Dw12", "dw[1,1,2]"),
        ("w12", "w[1,1,2]"),
        ("w₂₀", "w[1,2,0]"),
        ("ε2", "e[2]"),
        ("e2", "e[2]"),
        ("ε²", "loss"),
        ("e^2", "loss"),
        ("u₂", "u[1,2]"),
        ("u2", "u[1,2]"),
        ("ỹ₂", "y[1,2]"),
        ("y2", "y[1,2]"),
        ("y_tilde_2", "y[1,2]"),
        ("9", "d[1,2]"),
        ("021", "w[1,2,2]"),
        ("d[1,2]", "d[1,2]"),
        ("d[1, 2]", "d[1,2]"),
        (" dw12 ", "dw[1,1,2]"),
    ],
)
def test_backprop_1_by_every_form(text: str, key: str) -> None:
    assert key_at(Walk(solved("backprop-1")), text) == key


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("u₃", "u[2,1]"),
        ("u3", "u[2,1]"),
        ("z1", "y[1,1]"),  # the hidden layer's outputs are z
        ("y1", "y[2,1]"),  # ỹ₁ is the output; z₁'s key is y[1,1] but its symbol is z
        ("ỹ₁", "y[2,1]"),
        ("δ3", "d[2,1]"),
        ("d3", "d[2,1]"),
        ("γ₁", "d[1,1]"),
        ("g2", "d[1,2]"),  # γ typed by its Latin initial
        ("t31", "w[2,1,1]"),
        ("Δt31", "dw[2,1,1]"),
        ("dt31", "dw[2,1,1]"),
        ("w12", "w[1,1,2]"),
        ("dw12", "dw[1,1,2]"),
        ("29", "w[1,2,2]"),
    ],
)
def test_backprop_2_by_every_form(text: str, key: str) -> None:
    assert key_at(Walk(solved("backprop-2")), text) == key


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("c₁₁", "conv[1,1,1]"),
        ("c11", "conv[1,1,1]"),
        ("c23", "conv[1,2,3]"),
        ("conv[1,3,3]", "conv[1,3,3]"),
        ("O", "size"),
        ("o", "size"),  # any case, when no symbol has this case exactly
        ("4", "conv[1,1,1]"),
    ],
)
def test_conv_1_by_every_form(text: str, key: str) -> None:
    assert key_at(Walk(solved("conv-1")), text) == key


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("x", "momentum.x"),  # every optimiser has x: from step 1, the first
        ("g1", "momentum.grad[x]"),
        ("G1", "adagrad.G[x]"),  # case tells adagrad's G₁ from the gradient g₁
        ("G₁", "adagrad.G[x]"),
        ("y⁺", "nesterov.ahead[y]"),  # the look-ahead point, not the coordinate y
        ("y^+", "nesterov.ahead[y]"),
        ("y", "momentum.y"),
        ("adam.x", "adam.x"),
        ("nesterov.y", "nesterov.y"),  # a key
        ("adam.m1", "adam.m[x]"),  # an optimiser's prefix and a symbol
        ("adam.m̂₁", "adam.mhat[x]"),
        ("adam.mhat_1", "adam.mhat[x]"),
        ("nesterov.Δy", "nesterov.v[y]"),  # the velocity is the increment Δy
        ("nesterov.dy", "nesterov.v[y]"),
        ("adam.r2", "adam.v[y]"),  # Adam's second moment is r
    ],
)
def test_optimizers_1_by_every_form(text: str, key: str) -> None:
    assert key_at(Walk(solved("optimizers-1")), text) == key


def test_a_repeated_symbol_finds_the_one_nearest_before_the_position() -> None:
    """Four optimisers each have an x: from the end, x is the last one's; from nesterov's
    first steps, momentum's (the nearest before); from step 1, the first after it."""
    walk = Walk(solved("optimizers-1"))
    keys = [s.key for s in walk.steps]
    assert key_at(walk, "x") == "momentum.x" and walk.find("x") == keys.index("momentum.x")
    walk.index = len(keys) - 1
    assert key_at(walk, "x") == keys[max(i for i, k in enumerate(keys) if k.endswith(".x"))]
    walk.index = keys.index("nesterov.ahead[x]")
    found = walk.find("x")
    assert found == keys.index("momentum.x") + 2 * 8  # momentum's third x (of three)
    assert keys[found] == "momentum.x"


@pytest.mark.parametrize("text", ["29", "0", "9" * 4000, "zz", "w99", "δ", "", "check.zz"])
def test_a_name_of_no_step_finds_nothing(text: str) -> None:
    assert Walk(solved("backprop-1")).find(text) is None


def test_a_number_out_of_range_says_the_range() -> None:
    walk = Walk(solved("backprop-1"))
    assert walk.missing("29", "en") == "There is no step 29: the steps are 1–28"
    assert walk.missing(" 0 ", "es") == "No hay paso 0: los pasos son 1–28"
    assert "«zz»" in walk.missing("zz", "es")
    assert walk.missing("9" * 10_000, "en") == f"There is no step {'9' * 23}…: the steps are 1–28"


def test_the_two_writings_of_a_symbol() -> None:
    assert written("Δw₁‚₁₀") == "Δw1,10"
    assert written("ε²") == "ε^2"
    assert written("Δw₁₂⁽¹⁾") == "Δw12^(1)"
    assert typed("Δw₁‚₁₀") == "dw1,10"
    assert indices("110", loose=False) == {(1, 1, 0)}
    assert indices("110", loose=True) >= {(1, 1, 0), (1, 10), (11, 0), (110,)}
    assert (1, 10) not in indices("1,10,", loose=True)
    assert indices("1,10", loose=True) == {(1, 10)}
    assert typed("ỹ₂") == "y2"
    assert typed("γ₁") == "g1"
    assert typed("m̂₁") == "m1"
    assert typed("δᵃ₁₂") == "da12" and typed("ε²") == "e^2"  # a tag is typed without ^


def test_completion_offers_symbols_as_the_learner_writes_them() -> None:
    """Typing d offers δ₁ in ASCII (d1); typing δ offers δ₁ with a plain digit; Δ offers Δw₁₀."""
    names = Walk(solved("backprop-1")).names()
    assert names.suggest("d") == "d1"
    assert names.suggest("dw") == "dw10"
    assert names.suggest("δ") == "δ1"
    assert names.suggest("Δ") == "Δw10"
    assert names.suggest("ỹ") == "ỹ1"
    assert names.suggest("q") is None
