"""The equation's layout (stepper.equation): what the app's step pane and --plain both show.

The properties are checked on every step of every built-in lesson at several widths: each line
within the width, every ``=`` in the column of the formula's relation, a break only after an
operator, and the lines of a part joined back giving the part's text exactly.
"""

from __future__ import annotations

import re
from itertools import pairwise

import pytest
from rich.cells import cell_len

from stepper import formulas
from stepper.equation import OPERATORS, Line, elide, lay_out, step_lines, wrap
from stepper.numbers import pretty
from stepper.steps import Solution, Step
from stepper.walking import FORMULA, SUBSTITUTION, VALUE, at_once

WIDTHS = (28, 36, 44, 60, 78)


def parts_of(lines: list[Line]) -> dict[int, str]:
    """Each part's text, its lines joined back with the space a break took (none after the
    slash of a quotient)."""
    joined: dict[int, str] = {}
    for line in lines:
        if not line.continues:
            joined[line.stage] = line.body
        else:
            space = "" if joined[line.stage].endswith("/") else " "
            joined[line.stage] += space + line.body
    return joined


def relation_column(line: Line) -> int:
    """The column of the line's ``=`` (or of the formula's ``→``)."""
    lead = line.lead.rstrip()
    return cell_len(lead) - 1


def every_step(builtin: dict[str, Solution]) -> list[tuple[str, Step]]:
    return [(lid, step) for lid, sol in builtin.items() for step in sol.steps]


@pytest.mark.parametrize("width", WIDTHS)
def test_every_built_in_step_lays_out_within_the_width_aligned(
    builtin: dict[str, Solution], width: int
) -> None:
    """At every width from 28 to 78 cells: no line wider than the width, each part's first
    line has its ``=`` in the column of the formula's relation, continuation lines start at
    the column where the formula's right side starts, and a broken line ends with an
    operator, an argument's comma or a quotient's slash."""
    for lid, step in every_step(builtin):
        lines = step_lines(step, VALUE, width)
        where = f"{lid} {step.key}"
        assert all(cell_len(line.text) <= width for line in lines), where
        firsts = [line for line in lines if not line.continues]
        assert len({relation_column(line) for line in firsts}) == 1, where
        assert firsts[0].lead == f"{step.sym.unicode()} {step.relation} "
        assert all(line.lead.endswith("= ") for line in firsts[1:]), where
        start = cell_len(firsts[0].lead)
        for before, line in pairwise(lines):
            assert cell_len(line.lead) == start, where
            if line.continues:
                last = before.body.split(" ")[-1]
                assert last in OPERATORS or last.endswith((",", "/")), (where, before.body)


@pytest.mark.parametrize("width", WIDTHS)
def test_joining_the_lines_gives_back_each_part(builtin: dict[str, Solution], width: int) -> None:
    """Nothing is lost or changed by the wrapping: the formula's right side, the substitution
    and the value come back whole (a part equal to the one before is written once)."""
    for lid, step in every_step(builtin):
        parts = parts_of(step_lines(step, VALUE, width))
        rhs = formulas.rhs_formula(step, "unicode")
        substituted = formulas.substituted(step, "unicode")
        assert parts[FORMULA] == rhs, (lid, step.key)
        if substituted != rhs:
            assert parts[SUBSTITUTION] == substituted, (lid, step.key)
        if pretty(step.shown) != substituted:
            assert parts[VALUE] == pretty(step.shown), (lid, step.key)


def test_the_update_writes_its_arrow_and_the_equals_signs_under_it() -> None:
    """w₁₀ → w₁₀ + Δw₁₀: the substitution's and the value's = stand under the arrow."""
    lines = lay_out("w₁₀", "→", [(1, "w₁₀ + Δw₁₀"), (2, "0.1 + 0.06504"), (3, "0.16504")])
    assert [line.text for line in lines] == [
        "w₁₀ → w₁₀ + Δw₁₀",
        "    = 0.1 + 0.06504",
        "    = 0.16504",
    ]


def test_a_wide_left_side_keeps_the_column() -> None:
    """E[g²]₁ is six cells wide: the = of every part is in column 7, not column 3."""
    lines = lay_out(
        "E[g²]₁",
        "→",
        [(1, "ρ · E[g²]₁ + (1 − ρ) · g₁²"), (2, "0.9 · 0 + (1 − 0.9) · (−155)²"), (3, "2402.5")],
        width=30,
    )
    assert [line.text for line in lines] == [
        "E[g²]₁ → ρ · E[g²]₁ +",
        "         (1 − ρ) · g₁²",
        "       = 0.9 · 0 +",
        "         (1 − 0.9) · (−155)²",
        "       = 2402.5",
    ]


def test_a_sum_breaks_between_its_terms_rather_than_in_a_product() -> None:
    """With room for ``a · b + c`` the line still ends after the +: a product is not cut
    while a sum's break is at hand that leaves a line at least half full."""
    assert wrap("0.1 · 1 + (−0.2) · 0.1 + 0.3 · 0.7", 26) == [
        "0.1 · 1 + (−0.2) · 0.1 +",
        "0.3 · 0.7",
    ]
    assert wrap("0.5 · (0.1389 · 0.9 + 0 · 0.8 + 1 · 2)", 22) == [
        "0.5 · (0.1389 · 0.9 +",
        "0 · 0.8 + 1 · 2)",
    ]
    assert wrap("2 · 0.1 · (1 − 0.5) + 0.25 · 0.3", 24) == [
        "2 · 0.1 · (1 − 0.5) +",
        "0.25 · 0.3",
    ]


def test_no_break_fits_then_the_line_runs_over_rather_than_cut_a_number() -> None:
    """A number is never split: in 5 cells 0.28213 overflows on a line of its own."""
    assert wrap("0.28213 + 0.1", 5) == ["0.28213 +", "0.1"]


def test_a_quotient_written_tight_may_break_after_its_slash() -> None:
    """Adagrad's step at 60×20: (−22.6972)/(sqrt(29957.1229) + 1e-10) has no space before its
    sum, so the line breaks after the slash (and nothing is added there when joined)."""
    assert wrap("0.1 · (−22.6972)/(sqrt(29957.1229) + 1e-10)", 24) == [
        "0.1 · (−22.6972)/",
        "(sqrt(29957.1229) +",
        "1e-10)",
    ]


def test_an_identity_says_its_value_once() -> None:
    """ỹ₁ = u₁, then 0.29 once (the substitution is the value); δᵃ₁₂ = 0 is one line."""
    lines = lay_out("ỹ₁", "=", [(1, "u₁"), (2, "0.29"), (3, "0.29")])
    assert [line.text for line in lines] == ["ỹ₁ = u₁", "   = 0.29"]
    assert [line.text for line in lay_out("δᵃ₁₂", "=", [(1, "0"), (2, "0"), (3, "0")])] == [
        "δᵃ₁₂ = 0"
    ]


def test_an_aside_follows_the_value_or_goes_under_it() -> None:
    """The unrounded value stays on the value's line when it fits, else goes below, at the
    column of the value's text."""
    parts = [(1, "tanh(u₂)"), (2, "tanh(0.12)"), (3, "0.1194")]
    wide = lay_out("ỹ₂", "=", parts, 60, aside="(unrounded: 0.119427)")
    assert wide[-1].text == "   = 0.1194   (unrounded: 0.119427)"
    narrow = lay_out("ỹ₂", "=", parts, 30, aside="(unrounded: 0.119427)")
    assert [line.text for line in narrow[-2:]] == ["   = 0.1194", "     (unrounded: 0.119427)"]


def test_a_long_sum_is_elided_with_the_same_terms_in_formula_and_substitution() -> None:
    """785 terms: both texts keep the same first and last terms and say how many they hide,
    and the kept plus the hidden make 785 in each."""
    rhs = " + ".join(f"w{j} · x{j}" for j in range(785))
    numbers = " + ".join(f"0.{j:03d} · 1" for j in range(785))
    short_rhs, short_numbers = elide(rhs, numbers, lambda n: f"… {n} more", 200)
    assert cell_len(short_rhs) <= 200 and cell_len(short_numbers) <= 200
    for text in (short_rhs, short_numbers):
        hidden = int(re.search(r"… (\d+) more", text).group(1))  # type: ignore[union-attr]
        assert text.count(" · ") + hidden == 785
    head = short_rhs.split(" + … ")[0].count(" · ")
    assert short_numbers.split(" + … ")[0].count(" · ") == head
    assert short_rhs.startswith("w0 · x0 + w1 · x1") and short_rhs.endswith("w784 · x784")
    assert short_numbers.endswith("0.784 · 1")
    assert elide("w0 · x0", "0.1 · 1", lambda n: "…", 200) == ("w0 · x0", "0.1 · 1")
    nine = " + ".join(f"x{j} × k{j}" for j in range(9))  # a conv cell: never elided
    assert elide(nine, nine, lambda n: "…", 20) == (nine, nine)


def test_elision_leaves_out_only_whole_terms_inside_parentheses() -> None:
    """α · (a₁ + … + a₄₀): the parenthesis that opens with the first term and closes with the
    last is kept, so what is shown balances."""
    rhs = "α · (" + " + ".join(f"δ{j} · x{j}" for j in range(40)) + ")"
    short, _ = elide(rhs, rhs, lambda n: f"… {n}", 80)
    assert short.count("(") == short.count(")") == 1
    assert short.startswith("α · (δ0 · x0") and short.endswith("δ39 · x39)")


def test_identity_steps_are_the_ones_with_nothing_to_substitute(
    builtin: dict[str, Solution],
) -> None:
    """The steps shown at once are exactly those whose substitution is their value: the
    linear outputs (ỹ₁ = u₁), the copied errors (δ₁ = ε₁), the zeros of unpicked cells."""
    found = {(lid, step.key) for lid, step in every_step(builtin) if at_once(step)}
    assert ("backprop-1", "y[1,1]") in found and ("backprop-1", "d[1,1]") in found
    assert ("backprop-1", "y[1,2]") not in found and ("backprop-1", "u[1,1]") not in found
    assert any(lid == "cnn-1" and key.startswith("drelu") for lid, key in found)
    for lid, step in every_step(builtin):
        repeats = formulas.substituted(step, "unicode") == pretty(step.shown)
        assert at_once(step) == repeats, (lid, step.key)


def test_a_decimal_comma_everywhere_and_semicolons_between_arguments(
    builtin: dict[str, Solution],
) -> None:
    """With decimal_comma no line shows a decimal point: max(1,2; 1,175) not max(1.2, 1.175)."""
    for lid, step in every_step(builtin):
        for line in step_lines(step, VALUE, 60, comma=True):
            assert not re.search(r"\d\.\d", line.text), (lid, step.key, line.text)
    pool = next(s for s in builtin["cnn-1"].steps if s.key == "pool[1,1,1]")
    text = [line.text for line in step_lines(pool, VALUE, 80, comma=True)]
    assert text[1] == "    = max(1,2; 1,175; 1,175; 1,125)"


def test_the_substitution_breaks_after_the_same_terms_as_the_formula(
    builtin: dict[str, Solution],
) -> None:
    """conv-1's c₁₁ in 46 cells: the formula takes the kernel's three columns a line, and the
    substitution breaks after the same terms, each number under the symbol it replaces
    (7 × 1 under x₁₁ × k₁₁)."""
    step = next(s for s in builtin["conv-1"].steps if s.key == "conv[1,1,1]")
    lines = step_lines(step, VALUE, 46)
    formula = [line.body for line in lines if line.stage == FORMULA]
    numbers = [line.body for line in lines if line.stage == SUBSTITUTION]
    assert formula == [
        "x₁₁ × k₁₁ + x₂₁ × k₂₁ + x₃₁ × k₃₁ +",
        "x₁₂ × k₁₂ + x₂₂ × k₂₂ + x₃₂ × k₃₂ +",
        "x₁₃ × k₁₃ + x₂₃ × k₂₃ + x₃₃ × k₃₃",
    ]
    assert numbers == [
        "7 × 1 + 4 × 1 + 3 × 1 +",
        "2 × 0 + 5 × 0 + 3 × 0 +",
        "3 × (−1) + 3 × (−1) + 2 × (−1)",
    ]


def test_a_substitution_too_wide_for_the_formula_s_breaks_wraps_on_its_own() -> None:
    """When a line of numbers would not fit where the formula breaks, the substitution wraps
    by itself, still after an operator."""
    lines = lay_out("u", "=", [(1, "a · b + c · d"), (2, "0.12345 · 0.6789 + 0.5 · 0.25")], 16)
    assert [line.body for line in lines if line.stage == 1] == ["a · b +", "c · d"]
    assert [line.body for line in lines if line.stage == 2] == [
        "0.12345 ·",
        "0.6789 +",
        "0.5 · 0.25",
    ]
