"""The end of a lesson, headless: the numbers it shows, checked against hand-worked values and
numpy written here, and its layout at 80 and 60 columns."""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pytest

from stepper.ending import Matrix, summarize
from stepper.ending_text import lines, matrix_lines, sparkline
from stepper.quiz import Score
from stepper.quiz.marking import Attempt, Judged
from stepper.steps import Solution
from tests.conftest import solved

#: backprop-1's weights after its one update, as the lecture works them out (w₂₂'s slide says
#: −0.4784, a slip the lesson notes).
LECTURE_NEW = (("0.082", "−0.2018", "0.2874"), ("0.6736", "0.41736", "−0.47848"))


def texts(solution: Solution, width: int = 76, score: Score | None = None) -> list[str]:
    return [line.text for line in lines(summarize(solution, score), solution.language, width)]


def test_backprop_1_weights_old_and_new_as_the_layers_matrix() -> None:
    (matrix,) = summarize(solved("backprop-1")).weights
    assert matrix.old == (("0.1", "−0.2", "0.3"), ("0.5", "0.4", "−0.6"))
    assert matrix.new == LECTURE_NEW
    assert matrix.title == "Capa 1: w₁₀ … w₂₂"


def test_backprop_2_has_one_matrix_per_layer_with_its_letter() -> None:
    summary = summarize(solved("backprop-2"))
    titles = [m.title for m in summary.weights]
    assert sorted(titles) == ["Capa 1: w₁₀ … w₂₂", "Capa 2: t₃₀ … t₃₂"]
    assert all(len(m.old) == len(m.new) for m in summary.weights)


def with_check_loss(solution: Solution, after: float) -> Solution:
    """The solution with one re-forward loss step appended (as the engine's check phase adds)."""
    loss = next(s for s in solution.steps if s.key == "loss")
    extra = replace(
        loss, n=len(solution.steps) + 1, key="check.loss", value=after, shown=f"{after:.5f}"
    )
    return replace(solution, steps=(*solution.steps, extra))


def test_loss_before_and_after_reads_the_check_steps() -> None:
    """ε² before is the last iteration's loss step; after is the check phase's."""
    (change,) = summarize(with_check_loss(solved("backprop-1"), 0.40966)).losses
    assert (change.name, change.before, change.after) == ("ε²", "0.78351", "0.40966")
    line = next(t for t in texts(with_check_loss(solved("backprop-1"), 0.40966)) if "ε²" in t)
    assert "0.78351 → 0.40966" in line and "−47.7 %" in line and "baja" in line


def test_no_loss_line_without_a_check_phase() -> None:
    """A lesson whose re-forward phase is hidden (or that has none) shows no made-up 'after'."""
    full = solved("backprop-1")
    hidden = replace(full, steps=tuple(s for s in full.steps if not s.key.startswith("check.")))
    assert summarize(hidden).losses == ()
    assert not any("ε²" in t for t in texts(hidden))
    assert summarize(solved("conv-1")).losses == ()


def regression_batch_losses() -> list[float]:
    """regression-1 by hand with numpy: a linear neuron from w = (0, 0) on the minmax-scaled
    pairs, the four as one batch, Fₒ the mean of ε² over it, Δw = 2αεx averaged over the batch,
    α = 0.5."""
    x = 2 * (np.array([20.0, 26.0, 32.0, 38.0]) - 20) / 18 - 1  # ages, minmax-scaled
    y = 2 * (np.array([5.2, 5.5, 5.7, 5.9]) - 5.2) / 0.7 - 1  # salaries (M€), likewise
    w = np.zeros(2)
    out = []
    for _ in range(4):
        err = y - (w[0] + w[1] * x)
        out.append(float(np.mean(err**2)))
        w = w + 2 * 0.5 * np.array([np.mean(err), np.mean(err * x)])
    return out


def test_regression_curve_is_the_batch_loss_of_every_iteration() -> None:
    summary = summarize(solved("regression-1"))
    curve = summary.curve[:4]
    assert curve == pytest.approx(regression_batch_losses(), abs=5e-4)
    assert list(curve) == sorted(curve, reverse=True)
    assert any("█" in t and "0.551" in t for t in texts(solved("regression-1")))


def test_descent_end_point_and_f_by_hand() -> None:
    """descent-1: f = x² + 10y², from (4, 1.5), α = 0.09, five steps of gradient descent."""
    x, y = 4.0, 1.5
    fs = [x**2 + 10 * y**2]
    for _ in range(5):
        x, y = x - 0.09 * 2 * x, y - 0.09 * 20 * y
        fs.append(x**2 + 10 * y**2)
    (descent,) = summarize(solved("descent-1")).descents
    assert descent.start == ("4", "1.5")
    assert [float(v.replace("−", "-")) for v in descent.end] == pytest.approx([x, y], abs=1e-4)
    assert descent.curve == pytest.approx(fs, rel=1e-3)
    assert descent.f.before == "38.5" and float(descent.f.after) == pytest.approx(fs[-1], abs=1e-4)


def test_optimizers_each_have_their_path() -> None:
    """Each named as the picture's legend names it, not by the program's ids."""
    summary = summarize(solved("optimizers-1"))
    assert [d.name for d in summary.descents] == [
        "Momento",
        "Nesterov",
        "Adagrad",
        "AdaDelta",
        "Adam",
    ]
    rosenbrock = (1 - -1.5) ** 2 + 100 * (2 - 1.5**2) ** 2
    assert all(d.f.before_value == pytest.approx(rosenbrock) for d in summary.descents)


def attempt(text: str, judged: Judged) -> Attempt:
    return Attempt(text, float(text), "2026-01-01T00:00:00", 0, judged)


def test_quiz_score_and_what_was_missed() -> None:
    solution = solved("backprop-1")
    score = Score()
    first, second, third = solution.steps[:3]
    right = score.record(first)
    right.answers.append(attempt("0.29", "exact"))
    right.right = right.right_first = True
    late = score.record(second)
    late.answers += [attempt("0.3", "wrong"), attempt("0.29", "exact")]
    late.right = True
    shown = score.record(third)
    shown.revealed = True
    out = texts(solution, score=score)
    assert "Puntuación: 1 de 3 a la primera (33 %)" in out
    assert "  2. ỹ₁ = 0.29  (intentos: 2)" in out
    assert "  3. u₂ = 0.12  (revelado)" in out
    assert not any(t.startswith("  1. ") for t in out)


@pytest.mark.parametrize("width", [76, 56])
@pytest.mark.parametrize("lesson", ["backprop-2", "cnn-1", "optimizers-1", "regression-1"])
def test_no_line_wider_than_the_window(lesson: str, width: int) -> None:
    assert all(len(t) <= width for t in texts(solved(lesson), width))


def test_a_big_matrix_loses_middle_rows_and_columns() -> None:
    """A 32×785 layer: the first columns, '…', the last; the first rows, '⋮', the last."""
    old = tuple(tuple(f"0.{r}{c}" for c in range(785)) for r in range(32))
    out = matrix_lines(Matrix("w", old, old), 56)
    assert all(len(line) <= 56 for line in out)
    assert sum("⋮" in line for line in out) == 2 and all(
        "…" in line for line in out if "0." in line
    )
    assert "0.31784" in out[-1]  # last row (31), last column (784)


def test_side_by_side_when_it_fits_else_one_above_the_other() -> None:
    matrix = Matrix("w", (("0.1", "−0.2"), ("0.5", "0.4")), (("0.082", "−0.2018"), ("1", "2")))
    assert matrix_lines(matrix, 80) == [
        "  ⎡ 0.1  −0.2 ⎤ → ⎡ 0.082  −0.2018 ⎤",
        "  ⎣ 0.5   0.4 ⎦   ⎣     1        2 ⎦",
    ]
    narrow = matrix_lines(matrix, 30)
    assert narrow[2] == "  ↓" and len(narrow) == 5


def test_sparkline_spans_lowest_to_highest() -> None:
    assert sparkline((7.0, 3.0, 0.0)) == "█▄▁"
    assert sparkline((1.0, 1.0)) == "▁▁"


def test_a_forward_only_lesson_shows_what_it_computed() -> None:
    """conv-1 trains nothing: its end shows the feature map, the image's valid cross-correlation
    with the vertical-edge kernel, computed here with numpy (6 in the corner, as on the slide)."""
    image = np.array(
        [[7, 2, 3, 3, 8], [4, 5, 3, 8, 4], [3, 3, 2, 8, 4], [2, 8, 7, 2, 7], [5, 4, 4, 5, 4]]
    )
    kernel = np.array([[1, 0, -1]] * 3)
    expected = [
        [int((image[r : r + 3, c : c + 3] * kernel).sum()) for c in range(3)] for r in range(3)
    ]
    summary = summarize(solved("conv-1"))
    assert summary.weights == () and summary.losses == ()
    (result,) = summary.results
    assert result.title == "bordes verticales: c₁₁ … c₃₃"
    assert [[int(v.replace("−", "-")) for v in row] for row in result.new] == expected
    assert expected[0][0] == 6
    assert "  ⎡  6  −9  −8 ⎤" in texts(solved("conv-1"))


def test_forward_1_shows_the_last_layers_outputs_only() -> None:
    (result,) = summarize(solved("forward-1")).results
    assert result.title == "ỹ₁ … ỹ₂" and len(result.new) == 1 and len(result.new[0]) == 2


def test_backprop_1_loss_after_the_update_by_numpy() -> None:
    """ε² before and after backprop-1's update, the second from a forward pass written here
    with numpy: neuron 1 linear, neuron 2 tanh, x = (1, 0.1, 0.7), y = (0.2, 1), the lecture's
    new weights. The lecture's 0.78351 → 0.40966."""
    x = np.array([1.0, 0.1, 0.7])
    w = np.array([[0.082, -0.2018, 0.2874], [0.6736, 0.41736, -0.47848]])
    u = w @ x
    out = np.array([u[0], np.tanh(u[1])])
    after = float(np.sum((np.array([0.2, 1.0]) - out) ** 2))
    (change,) = summarize(solved("backprop-1")).losses
    assert (change.name, change.before, change.after) == ("ε²", "0.78351", "0.40966")
    assert change.after_value == pytest.approx(after, abs=5e-5)


def test_regression_curve_ends_with_the_loss_after_the_last_update() -> None:
    """regression-1's curve: the four iterations' Fₒ, then Fₒ with the weights after the
    fourth update (numpy here)."""
    x = 2 * (np.array([20.0, 26.0, 32.0, 38.0]) - 20) / 18 - 1  # ages, minmax-scaled
    y = 2 * (np.array([5.2, 5.5, 5.7, 5.9]) - 5.2) / 0.7 - 1  # salaries (M€), likewise
    w = np.zeros(2)
    for _ in range(4):
        err = y - (w[0] + w[1] * x)
        w = w + 2 * 0.5 * np.array([np.mean(err), np.mean(err * x)])
    final = float(np.mean((y - (w[0] + w[1] * x)) ** 2))
    curve = summarize(solved("regression-1")).curve
    assert len(curve) == 5 and curve[-1] == pytest.approx(final, abs=5e-4)


def test_a_lesson_with_decimal_commas_ends_with_them() -> None:
    """The end screen writes numbers as the lesson's steps do: a decimal comma, and a point's
    coordinates apart with ";" so that (−1,5; 2) cannot be read as three numbers."""
    summary = summarize(solved("optimizers-1"))
    text = "\n".join(line.text for line in lines(summary, "es", 80, comma=True))
    assert "(−1,5; 2) → (−1,3441; 2,0453)" in text
    assert not re.search(r"\d\.\d", text)
    backprop = "\n".join(
        line.text for line in lines(summarize(solved("backprop-1")), "es", 80, comma=True)
    )
    assert "ε²: 0,78351 → 0,40966  (−47,7 %)" in backprop


def test_the_end_says_what_the_last_f_step_said() -> None:
    """optimizers-1 rounds as it goes (as the slides do): its f steps are computed at the
    rounded points, and the end screen quotes them (Adam: 8.1822, the last step's value; the
    exact point would give 8.1792)."""
    solution = solved("optimizers-1")
    summary = summarize(solution)
    assert solution.optimize is not None
    for optimizer, descent in zip(solution.optimize.optimizers, summary.descents, strict=True):
        f_steps = [s for s in solution.steps if s.key == optimizer.prefix + "f"]
        assert descent.f.before == f_steps[0].shown
        assert descent.f.after == f_steps[-1].shown
    assert summary.descents[-1].f.after == "8.1822"
