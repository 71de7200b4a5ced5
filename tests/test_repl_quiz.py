"""The quiz in --plain follows the app's rules (stepper.quiz.mark decides for both): the
question line says the precision, rounded and follow-through answers are taken, an empty line
asks again, and a mistake is named for the quantity asked."""

from __future__ import annotations

import io

from stepper.repl import run_plain
from tests.conftest import solved


def quiz(lines: str, lesson: str = "backprop-1") -> str:
    solution = solved(lesson, "en")
    out = io.StringIO()
    run_plain(solution, "en", io.StringIO(lines), out, quiz=True)
    return out.getvalue()


def test_the_question_line_says_the_precision() -> None:
    out = quiz("quit\n")
    assert "· u[1,1]] u₁ = ?   (3 digits or 5 decimals)" in out
    assert "rounded to a whole number" in quiz("quit\n", "shape-1")


def test_an_empty_line_asks_again_and_records_nothing() -> None:
    out = quiz("\nquit\n")
    assert out.count("u₁ = ?") == 2
    assert "    Type a number (or h: hint, r: reveal)." in out
    assert "is not a number" not in out
    assert "Score: 0 of 0" in out


def test_rounded_and_follow_through_answers_as_on_paper() -> None:
    """ỹ₂ = 0.119 (tanh 0.12 = 0.11943 to three places), ε₂ = 0.881, then δ₂ = 0.881 ·
    (1 − 0.119²) = 0.869 from the learner's own values, while the exact δ₂ rounds to 0.868.
    ỹ₁ = u₁ and δ₁ = ε₁ are shown whole, not asked."""
    out = quiz("0.29\n0.12\n0.119\n-0.09\n0.881\n0.7835\n0.869\nquit\n")
    assert "    ✓ right: 0.119, correctly rounded (the value: 0.11943)" in out
    assert "    ✓ right: 0.7835, correctly rounded (the value: 0.78351)" in out
    assert "    ✓ right with your earlier values: 0.869 (with the exact ones: 0.86801)" in out
    assert "Score: 7 of 7 at the first try" in out


def test_a_flipped_increment_is_named_as_such() -> None:
    """Δw₁₀ = 2 · 0.1 · 1 · (−0.09) = −0.018; typed 0.018 after revealing the seven questions
    before it (ỹ₁ = u₁ and δ₁ = ε₁ are shown, not asked)."""
    out = quiz("r\n" * 7 + "0.018\nquit\n")
    advice = out.split("✗ 0.018 is not it")[1].splitlines()[1]
    assert advice.startswith("    That looks like the increment's sign flipped: Δw₁₀ = 2 · α")
    assert "ε = y − ỹ" not in advice


def test_too_few_digits_is_said() -> None:
    out = quiz("0.29\n0.29\n0.12\n0.12\nquit\n")  # ỹ₂ = 0.11943 to two places
    assert "✗ 0.12 is not it" in out
    assert "Rounded right, but too short: give 3 significant digits or 5 decimals." in out
