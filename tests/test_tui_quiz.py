"""The quiz in the app, driven by the Pilot at 80×24 and 60×20: the question says the precision,
the answer box gives nothing away, an empty answer asks for a number, a rounded answer and a
follow-through answer are taken, and the saved file tells how each answer was judged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.widgets import Input

from stepper.tui.app import StepperApp
from stepper.walking import VALUE
from tests.tui_helpers import make_app, run_walk, shown_text

pytestmark = pytest.mark.slow  # each test runs the app

SIZES = [(80, 24), (60, 20)]


async def answer(pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press(*text, "enter")
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_the_question_says_the_precision_and_the_box_no_number(size: tuple[int, int]) -> None:
    """At the first question the step pane reads "u₁ = ?" with "(3 cifras o 5 decimales)"
    under it, and the answer box's placeholder names what to type without any number in it
    (the old one, "h · r · 0.29", gave u₁ away)."""

    async def scenario(app: StepperApp, pilot) -> None:  # type: ignore[no-untyped-def]
        step = shown_text(app, "#step-text")
        assert "u₁ = ?" in step and "(3 cifras o 5 decimales)" in step
        placeholder = app.screen.query_one("#answer", Input).placeholder
        assert placeholder == "número · h pista · r revelar"
        assert not any(c.isdigit() for c in placeholder)

    run_walk(make_app(quiz=True), scenario, size)


@pytest.mark.parametrize("size", SIZES)
def test_an_empty_answer_asks_for_a_number(size: tuple[int, int]) -> None:
    """Enter in the empty box: the feedback asks for a number (with h and r), never
    "«» no es un número", nothing is recorded and the question stays open."""

    async def scenario(app: StepperApp, pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("enter")
        await pilot.pause()
        feedback = " ".join(shown_text(app, "#feedback").split())
        assert "Escribe un número (o h: pista, r: revelar)." in feedback
        assert "«»" not in feedback
        assert app.score.asked == 0 and app.walk is not None and app.walk.stage == 0

    run_walk(make_app(quiz=True), scenario, size)


@pytest.mark.parametrize("size", SIZES)
def test_rounded_and_follow_through_answers_are_taken(
    size: tuple[int, int], tmp_path: Path
) -> None:
    """backprop-1 answered as on paper with three places: ỹ₂ = 0.119 is taken as correctly
    rounded (the value 0.11943 is shown beside it), and after ε₂ = 0.881 the δ₂ of
    0.881 · (1 − 0.119²) = 0.869 is taken "con tus valores anteriores", although the exact
    value rounds to 0.868. The saved file says how each answer was judged. ỹ₁ = u₁ and
    δ₁ = ε₁ have nothing to compute: they are shown whole, not asked (seven questions)."""
    save = tmp_path / "answers.json"

    async def scenario(app: StepperApp, pilot) -> None:  # type: ignore[no-untyped-def]
        await answer(pilot, "0.29")
        await pilot.press("space", "space")  # past ỹ₁ = u₁, shown whole
        await answer(pilot, "0.12")
        await pilot.press("space")
        await answer(pilot, "0.119")
        assert "✓ correcto: 0.119, bien redondeado (el valor: 0.11943)" in " ".join(
            shown_text(app, "#feedback").split()
        )
        for text in ["-0.09", "0.881", "0.7835"]:
            await pilot.press("space")
            await answer(pilot, text)
        await pilot.press("space", "space")  # past δ₁ = ε₁, shown whole
        await answer(pilot, "0.869")
        feedback = " ".join(shown_text(app, "#feedback").split())
        assert "✓ con tus valores anteriores: 0.869 (con los exactos: 0.86801)" in feedback
        assert app.walk is not None and app.walk.stage == VALUE
        await pilot.press("q")
        await pilot.pause()

    run_walk(make_app(quiz=True, save=str(save)), scenario, size)
    data = json.loads(save.read_text(encoding="utf-8"))
    judged = {q["key"]: q["judged"] for q in data["questions"]}
    assert judged["y[1,2]"] == "rounded" and judged["d[1,2]"] == "follow-through"
    assert data["right_first_try"] == data["asked"] == 7


@pytest.mark.parametrize("size", SIZES)
def test_a_flipped_increment_gets_advice_about_the_increment(size: tuple[int, int]) -> None:
    """At Δw₁₀ (step 10) the answer 0.018, the increment with its sign flipped: the feedback
    names the increment's sign and its formula Δw₁₀ = 2 · α · x₀ · δ₁, not ε's sign."""

    async def scenario(app: StepperApp, pilot) -> None:  # type: ignore[no-untyped-def]
        for _ in range(9):
            await answer(pilot, "r")
            await pilot.press("space")
        await answer(pilot, "0.018")
        feedback = " ".join(shown_text(app, "#feedback").split())
        assert "signo del incremento" in feedback and "ε = y − ỹ" not in feedback

    run_walk(make_app(quiz=True), scenario, size)


@pytest.mark.parametrize("size", SIZES)
def test_each_new_question_is_seen_from_its_first_line(size: tuple[int, int]) -> None:
    """classify-1's tall picture leaves the step pane a few rows: the first question shows
    "u₁ = ?" at the pane's top (the answer box is not centred at the cost of the question),
    and after a right answer, whose formula, substitution and value scroll the pane, the next
    question again starts at its first line. A digit typed right after Space is the answer's
    first character."""

    async def scenario(app: StepperApp, pilot) -> None:  # type: ignore[no-untyped-def]
        pane = app.screen.query_one("#step")
        assert pane.scroll_y == 0 and shown_text(app, "#step-text").startswith("u₁ = ?")
        await answer(pilot, "h")
        await answer(pilot, "h")
        await answer(pilot, "2.3")  # u₁ = 0.5 + 1 · 1 + 1 · 0.5 = 2: two hints, a wrong answer
        await answer(pilot, "r")
        await pilot.press("space", "1")
        await pilot.pause()
        assert pane.scroll_y == 0 and shown_text(app, "#step-text").startswith("u₂ = ?")
        assert app.screen.query_one("#answer", Input).value == "1"

    run_walk(make_app("classify-1", quiz=True), scenario, size)


@pytest.mark.parametrize("size", SIZES)
def test_a_hint_is_shown_once_in_the_step_pane(size: tuple[int, int]) -> None:
    """h shows the formula u₁ = w₁₀ · x₀ + … in the step pane, a second h adds the substitution
    under it; the feedback line stays empty instead of repeating them, so the answer box
    stays close to the question."""

    async def scenario(app: StepperApp, pilot) -> None:  # type: ignore[no-untyped-def]
        def step_text() -> str:
            return " ".join(shown_text(app, "#step-text").split())

        await answer(pilot, "h")
        assert step_text().startswith("u₁ = w₁₀ · x₀ + w₁₁ · x₁ + w₁₂ · x₂")
        assert shown_text(app, "#feedback").strip() == ""
        await answer(pilot, "h")
        assert "= 0.1 · 1 + (−0.2) · 0.1 + 0.3 · 0.7" in step_text()
        assert shown_text(app, "#feedback").strip() == ""
        assert app.score.records[1].hints == 2

    run_walk(make_app(quiz=True), scenario, size)
