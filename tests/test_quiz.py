"""The quiz's rules, headless: the rounding rule, follow-through marking and each named mistake.

Every expected value is worked out here by hand from the lecture's numbers (math.tanh,
math.exp, the products written out), never taken from the engine: the test gives the answer a
learner making that mistake would type, and checks that the quiz names that mistake and no
other.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime

import pytest

from stepper.catalog import builtin_ids
from stepper.quiz import Score, mark, parse_answer, question, read
from stepper.quiz.marking import judge
from stepper.quiz.recompute import evaluate
from stepper.steps import Solution, Step
from stepper.walking import FORMULA, SUBSTITUTION, VALUE, Walk
from tests.conftest import solved

Y2 = math.tanh(0.12)  # ỹ₂ of backprop-1: 0.1194272985...
E2 = 1 - Y2  # ε₂ = y₂ − ỹ₂ = 0.8805727...
D2 = E2 * (1 - Y2**2)  # δ₂ = ε₂ (1 − ỹ₂²) = 0.8680109...


def step(solution: Solution, key: str) -> Step:
    return next(s for s in solution.steps if s.key == key)


def verdict(lesson: str, key: str, text: str, carried: dict[int, float] | None = None):  # type: ignore[no-untyped-def]
    """(how it is judged, the mistake named or None) for ``text`` typed at ``key``."""
    sol = solved(lesson)
    typed = read(text)
    assert typed is not None
    judged, diagnosis = judge(sol, step(sol, key), typed, carried or {})
    return judged, diagnosis.name if diagnosis else None


# --- Reading a typed number ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [("0.29", 0.29), ("0,29", 0.29), ("−0.09", -0.09), (" -0,09 ", -0.09), ("6", 6.0)],
)
def test_answers_take_comma_or_point(text: str, value: float) -> None:
    assert parse_answer(text) == value


@pytest.mark.parametrize("text", ["", "abc", "0.2.9", "nan", "inf", "1e999"])
def test_non_numbers_are_not_answers(text: str) -> None:
    assert parse_answer(text) is None


@pytest.mark.parametrize(
    ("text", "decimals", "significant"),
    [
        ("0.119", 3, 3),
        ("0,1194", 4, 4),
        ("0.66", 2, 2),
        ("0.290", 3, 3),
        ("6", 0, 1),
        ("120", 0, 3),
    ],
)
def test_an_answer_keeps_its_own_decimals(text: str, decimals: int, significant: int) -> None:
    typed = read(text)
    assert typed is not None
    assert (typed.decimals, typed.significant) == (decimals, significant)


# --- The rounding rule (issue 11's examples) -----------------------------------------------------


def test_the_exact_tanh_value_by_hand() -> None:
    assert round(Y2, 5) == 0.11943 and step(solved("backprop-1"), "y[1,2]").shown == "0.11943"


@pytest.mark.parametrize(
    ("text", "judged"),
    [
        ("0.11943", "exact"),
        ("0,11943", "exact"),
        ("0.1194", "rounded"),  # 0.11943 to four places
        ("0.119", "rounded"),  # to three: three significant digits are enough
        ("0.119427", "rounded"),  # tanh(0.12) = 0.1194273 to six places
        ("0.1195", "wrong"),  # not a rounding of 0.11943
        ("0.11942", "wrong"),
    ],
)
def test_y2_is_right_rounded_to_the_answers_own_decimals(text: str, judged: str) -> None:
    assert verdict("backprop-1", "y[1,2]", text)[0] == judged


def test_loss_rounded_to_four_places() -> None:
    loss = 0.09**2 + E2**2  # ε² = ε₁² + ε₂² = 0.78351
    assert round(loss, 4) == 0.7835
    assert verdict("backprop-1", "loss", "0.7835") == ("rounded", None)
    assert verdict("backprop-1", "loss", "0.78351") == ("exact", None)


def test_a_softmax_to_two_places_is_too_coarse_and_told_so() -> None:
    """0.66 for ỹ₁ = e²/(e² + e + e^0.1) = 0.659 has two significant digits and two decimals,
    fewer than both 3 and the lesson's 3 decimals: refused, with the precision named."""
    p1 = math.exp(2) / (math.exp(2) + math.exp(1) + math.exp(0.1))
    assert round(p1, 3) == 0.659
    assert verdict("classify-1", "y[1,1]", "0.659") == ("exact", None)
    assert verdict("classify-1", "y[1,1]", "0.66") == ("wrong", "precision")
    assert verdict("classify-1", "y[1,1]", "0.6590") == ("exact", None)
    assert verdict("classify-1", "y[1,1]", "0.65900114") == ("rounded", None)


def test_a_lesson_with_few_decimals_asks_for_no_more() -> None:
    """conv-1 shows two decimals: a value shown as a whole number is right as that number."""
    sol = solved("conv-1")
    cell = next(s for s in sol.steps if s.key.startswith("conv[") and s.shown == str(int(s.value)))
    assert judge(sol, cell, read(cell.shown), {})[0] == "exact"  # type: ignore[arg-type]
    assert judge(sol, cell, read(f"{cell.value:.2f}"), {})[0] == "exact"  # type: ignore[arg-type]


def test_the_question_says_the_precision() -> None:
    sol = solved("backprop-1", "en")
    assert question(sol.steps[0], sol, "en") == ("u₁ = ?", "(3 digits or 5 decimals)")
    shape = solved("shape-1", "en")
    assert question(shape.steps[0], shape, "en")[1] == "(rounded to a whole number)"


# --- Follow-through ------------------------------------------------------------------------------


def test_follow_through_uses_the_learners_own_earlier_answers() -> None:
    """Issue 11's example: ỹ₂ answered 0.119 and ε₂ 0.881, so δ₂ = 0.881 · (1 − 0.119²) =
    0.86852 -> 0.869, although the exact δ₂ = 0.86801 rounds to 0.868."""
    sol = solved("backprop-1")
    assert round(0.881 * (1 - 0.119**2), 3) == 0.869 and round(D2, 3) == 0.868
    carried = {step(sol, "y[1,2]").n: 0.119, step(sol, "e[2]").n: 0.881}
    assert verdict("backprop-1", "d[1,2]", "0.869", carried) == ("follow-through", None)
    assert verdict("backprop-1", "d[1,2]", "0.869")[0] == "wrong"  # not without them
    assert verdict("backprop-1", "d[1,2]", "0.868", carried) == ("rounded", None)


def test_follow_through_when_walking_the_quiz() -> None:
    """The same, typed in order: the answers accepted carry on to the steps that read them."""
    walk = Walk(solved("backprop-1"), first_stage=0)
    score = Score()
    replies = []
    for text in ["0.29", "0.29", "0.12", "0.119", "-0.09", "0.881", "0.7835", "-0.09", "0.869"]:
        replies.append(mark(walk, score, text))
        walk.next()
    assert [v.judged for v in replies] == [
        *["exact"] * 3,
        "rounded",
        "exact",
        "rounded",
        "rounded",
        "exact",
        "follow-through",
    ]
    assert "✓ con tus valores anteriores: 0.869" in replies[-1].lines("es")[0][1]


def test_follow_through_in_a_conv_lessons_head() -> None:
    """cnn-1: the probabilities answered to three places, 0.826 and 0.174 (exact 0.8264 and
    0.1736), give the cross-entropy −(1 · log 0.826 + 0 · log 0.174) = 0.19116 -> 0.1912, while
    the exact loss is 0.1907."""
    sol = solved("cnn-1")
    y1, y2, loss = step(sol, "y[1,1]"), step(sol, "y[1,2]"), step(sol, "loss")
    assert (y1.shown, y2.shown, loss.shown) == ("0.8264", "0.1736", "0.1907")
    assert round(-math.log(0.826), 4) == 0.1912
    carried = {y1.n: 0.826, y2.n: 0.174}
    assert verdict("cnn-1", "loss", "0.1912", carried) == ("follow-through", None)
    assert verdict("cnn-1", "loss", "0.1912")[0] == "wrong"


@pytest.mark.parametrize("lesson", builtin_ids())
def test_every_template_recomputes_its_own_value(lesson: str) -> None:
    """Follow-through and the mistakes read each step's formula again with other numbers; with
    the step's own numbers it must give the step's value, for every template of every kind."""
    for s in solved(lesson).steps:
        got = evaluate(s, [q.value for q in s.operands])
        assert got == pytest.approx(s.value, rel=1e-9, abs=1e-12), (lesson, s.key)


# --- The named mistakes (backprop-1 unless said) -------------------------------------------------


@pytest.mark.parametrize(
    ("key", "text", "mistake", "why"),
    [
        ("e[1]", "0.09", "sign_error", "ỹ₁ − y₁ = 0.29 − 0.2"),
        ("d[1,1]", "0.09", "sign_delta", "δ₁ = ε₁ for the linear neuron, sign swapped"),
        ("dw[1,1,0]", "0.018", "sign_increment", "−(2 · 0.1 · 1 · (−0.09))"),
        ("w[1,1,0]", "0.118", "subtracted", "0.1 − (−0.018)"),
        ("w[1,2,2]", "-0.72152", "subtracted", "−0.6 − 2 · 0.1 · 0.7 · 0.86801"),
        ("y[1,2]", "0.120", "u_for_y", "ỹ₂ = u₂ = 0.12, tanh skipped"),
        ("e[2]", "0.880", "u_for_y", "1 − u₂ = 1 − 0.12"),
        ("d[1,2]", "0.86789", "u_for_y", "ε₂ (1 − u₂²) = 0.88057 · (1 − 0.0144)"),
        ("d[1,2]", "0.8673", "early_rounding", "0.88 · (1 − 0.12²) = 0.867328"),
        ("d[1,2]", "0.87", "precision", "0.86801 to two places"),
        ("e[2]", "0.9", "precision", "0.88057 to one place"),
        ("d[1,2]", "0.88057", "derivative", "δ₂ without (1 − ỹ₂²) is ε₂"),
        ("dw[1,1,0]", "-0.009", "two", "0.1 · 1 · (−0.09)"),
        ("u[1,2]", "-0.38", "bias", "0.4 · 0.1 + (−0.6) · 0.7"),
        ("u[1,1]", "0.777", None, "explained by nothing"),
    ],
)
def test_each_mistake_is_named_from_a_hand_worked_answer(
    key: str, text: str, mistake: str | None, why: str
) -> None:
    assert verdict("backprop-1", key, text) == ("wrong", mistake), why


def test_the_hand_worked_mistakes_are_what_the_table_says() -> None:
    assert round(-0.6 - 2 * 0.1 * 0.7 * D2, 5) == -0.72152
    assert round(E2 * (1 - 0.12**2), 5) == 0.86789
    assert round(0.88 * (1 - 0.12**2), 4) == 0.8673
    assert round(0.4 * 0.1 + (-0.6) * 0.7, 2) == -0.38


def test_an_increment_with_its_sign_flipped_gets_no_advice_about_epsilon() -> None:
    """The diagnosis fits the quantity asked: a Δw's sign is a Δw's, not ε's."""
    sol = solved("backprop-1", "en")
    walk = Walk(sol, first_stage=0)
    walk.index = step(sol, "dw[1,1,0]").n - 1
    reply = mark(walk, Score(), "0.018")
    advice = reply.lines("en")[1][1]
    assert "increment's sign" in advice and "Δw₁₀ = 2 · α · x₀ · δ₁" in advice
    assert "ε" not in advice


def test_two_added_where_the_loss_has_none() -> None:
    dw = step(solved("classify-1"), "dw[1,2,0]")  # α x₀ δ₂ = 0.5 · 1 · (1 − 0.24243)
    assert dw.shown == "0.379" and round(2 * 0.5 * (1 - 0.24243), 3) == 0.758
    assert verdict("classify-1", "dw[1,2,0]", "0.758") == ("wrong", "extra_two")


def test_updated_weight_used_in_gamma() -> None:
    z1 = math.tanh(0.29)
    u3 = 0.2 + 0.5 * z1 + (-0.4) * math.tanh(0.12)
    delta3 = 1.0 - u3
    t31_new = 0.5 + 2 * 0.1 * z1 * delta3
    wrong = (1 - z1**2) * delta3 * t31_new
    assert verdict("backprop-2", "d[1,1]", f"{wrong:.5f}") == ("wrong", "updated")


# --- Marking a line: hints, empty answers, the first try -----------------------------------------


def test_an_empty_answer_asks_for_a_number_and_is_not_recorded() -> None:
    walk, score = Walk(solved("backprop-1", "en"), first_stage=0), Score()
    reply = mark(walk, score, "  ")
    assert reply.kind == "empty" and reply.lines("en") == [
        ("info", "Type a number (or h: hint, r: reveal).")
    ]
    assert score.records[1].answers == [] and score.asked == 0


def test_right_after_a_hint_is_right_but_not_at_the_first_try() -> None:
    walk, score = Walk(solved("backprop-1"), first_stage=0), Score()
    assert mark(walk, score, "h").stage == FORMULA
    assert mark(walk, score, "pista").stage == SUBSTITUTION
    assert mark(walk, score, "h").stage == SUBSTITUTION
    right = mark(walk, score, "0.29")
    assert right.done and walk.stage == VALUE
    record = score.records[1]
    assert record.right and not record.right_first and record.hints == 3
    assert record.answers[0].hints_before == 3
    walk.next()
    assert mark(walk, score, "0.29").judged == "exact"
    assert score.records[2].right_first
    assert (score.right, score.right_first, score.asked) == (2, 1, 2)


def test_right_after_a_wrong_answer_is_not_at_the_first_try() -> None:
    walk, score = Walk(solved("backprop-1"), first_stage=0), Score()
    when = datetime(2026, 12, 6, 17, 0, 5, tzinfo=UTC)
    assert mark(walk, score, "0.3", when).kind == "wrong"
    assert mark(walk, score, "0,29", when).kind == "right"
    record = score.records[1]
    assert record.right and not record.right_first
    assert [(a.text, a.judged, a.at) for a in record.answers] == [
        ("0.3", "wrong", "2026-12-06T17:00:05+00:00"),
        ("0,29", "exact", "2026-12-06T17:00:05+00:00"),
    ]


def test_a_revealed_value_carries_nothing_forward() -> None:
    walk, score = Walk(solved("backprop-1"), first_stage=0), Score()
    assert mark(walk, score, "r").done and score.records[1].revealed
    assert score.carried() == {}


def test_asked_again_after_home_the_first_result_stands() -> None:
    """Back at u₁ after Home: a wrong answer there now neither takes away the right first try
    nor the accepted 0.29 that later steps build on."""
    walk, score = Walk(solved("backprop-1"), first_stage=0), Score()
    assert mark(walk, score, "0.29").judged == "exact"
    walk.home()
    assert mark(walk, score, "0.3").kind == "wrong"
    record = score.records[1]
    assert record.right and record.right_first and score.carried() == {1: 0.29}


def test_follow_through_in_an_optimize_lesson() -> None:
    """descent-1, f = x² + 10y²: with the new x answered 2.21 (exact 2.20547), ∂f/∂x = 2x is
    2 · 2.21 = 4.42 by the learner's own value, while the exact 2 · 2.20547 = 4.4109."""
    sol = solved("descent-1")
    x = next(s for s in sol.steps if s.key == "x" and s.iteration == 3)
    grad = next(s for s in sol.steps if s.key == "grad[x]" and s.iteration == 4)
    assert x.shown == "2.2055" and grad.shown == "4.4109" and round(2 * 2.21, 2) == 4.42
    typed = read("4.42")
    assert typed is not None
    assert judge(sol, grad, typed, {x.n: 2.21}) == ("follow-through", None)
    assert judge(sol, grad, typed, {})[0] == "wrong"


def test_a_lesson_with_decimal_commas_gets_its_replies_with_them() -> None:
    """A right answer, a revealed value and a hint are written as the lesson's steps are:
    0,869 and max(0; c₁₁), never 0.869 or max(0, 0,5) beside them."""
    walk = Walk(solved("backprop-1"), first_stage=0)
    right = mark(walk, Score(), "0,29")
    assert right.lines("es", comma=True)[0][1].endswith("0,29")
    walk = Walk(solved("cnn-1"), first_stage=0)
    while not walk.step.key.startswith("relu["):
        walk.next_step()
    score = Score()
    hint = mark(walk, score, "h")
    formula = hint.lines("es", comma=True)[0][1]
    assert "max(0; c" in formula and "max(0, c" not in formula
    substituted = mark(walk, score, "h").lines("es", comma=True)[0][1]
    assert re.search(r"max\(0; −?\d+(,\d+)?\)", substituted), substituted
    revealed = mark(walk, score, "r").lines("es", comma=True)[0][1]
    assert "." not in re.sub(r"\.$", "", revealed.split(":")[-1]), revealed
