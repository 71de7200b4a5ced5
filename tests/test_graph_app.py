"""Graph lessons in the app, as a learner walks them: graph-1 (micrograd's L = (a·b + c)·f)
stepped through at 80×24 and 60×20, the status line and the history naming the node going
back, the end screen with L before and after the descent step; in the quiz, a fork's gradient
given as one contribution told so; and --plain printing every step."""

from __future__ import annotations

import io

import pytest
from textual.widgets import Label

from stepper.catalog import resolve
from stepper.engine import solve
from stepper.lesson.load import lesson_from_text, load_lesson
from stepper.repl import run_plain
from stepper.tui.app import StepperApp
from stepper.tui.screens.end import EndScreen
from stepper.tui.screens.walk import WalkScreen
from tests.tui_helpers import history_text, make_app, run_walk, shown_text

pytestmark = pytest.mark.slow  # each test runs the app

SIZES = [(80, 24), (60, 20)]

#: x feeds p = x·y and f = p + x: ∂f/∂x = y + 1 adds two contributions.
FORK = """
id: fork
kind: graph
language: es
title: {es: Un valor usado dos veces}
nodes:
  p: x*y
  f: p + x
inputs: {x: 3, y: -2}
"""


def status(app: StepperApp) -> str:
    return str(app.screen.query_one("#progress-label", Label).content)


@pytest.mark.parametrize("size", SIZES)
def test_graph1_walked_step_by_step_to_the_end(size: tuple[int, int]) -> None:
    """Space through every stage of every step: going back the status line and the history
    say whose edges these are (nodo d at ∂d/∂c); past the last step the end screen shows L
    before → after the descent step and the inputs old → new."""

    async def scenario(app: StepperApp, pilot) -> None:  # type: ignore[no-untyped-def]
        walk = app.walk
        assert walk is not None
        seen: dict[str, str] = {}
        while not isinstance(app.screen, EndScreen):
            assert isinstance(app.screen, WalkScreen)
            seen.setdefault(walk.step.key, status(app))
            if walk.step.key == "local[d,c]":
                assert "hacia atrás · nodo d" in history_text(app)
            if walk.step.key == "new[a]":
                assert "actualización" in history_text(app)
            await pilot.press("space")
        assert len(seen) == len(walk.steps)
        assert seen["val[e]"].endswith("· hacia delante")
        assert seen["local[d,c]"].endswith("· hacia atrás · nodo d")
        assert seen["grad[a]"].endswith("· hacia atrás · nodo e")
        assert seen["new[a]"].endswith("· actualización")
        end = " ".join(shown_text(app, "#end-text").split())
        after = next(s for s in walk.steps if s.key == "check.val[L]").shown.replace("-", "−")
        assert f"L: −8 → {after}" in end
        new_a = next(s for s in walk.steps if s.key == "new[a]").shown
        assert f"a: 2 → {new_a}" in end

    run_walk(make_app("graph-1"), scenario, size)


async def answer(pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press(*text, "enter")
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_the_quiz_tells_a_fork_s_gradient_given_as_one_contribution(
    size: tuple[int, int],
) -> None:
    """At ∂f/∂x the answer y = −2 (the part through p alone) is wrong, and the advice says
    that the gradients of a value used twice add; the sum y + 1 = −1 is then right."""

    async def scenario(app: StepperApp, pilot) -> None:  # type: ignore[no-untyped-def]
        walk = app.walk
        assert walk is not None
        while walk.step.key != "grad[x]":
            await answer(pilot, "r")
            await pilot.press("space")
        await answer(pilot, "-2")
        feedback = " ".join(shown_text(app, "#feedback").split())
        assert "✗" in feedback and "la suma de todas sus contribuciones" in feedback
        await answer(pilot, "-1")
        assert "✓" in " ".join(shown_text(app, "#feedback").split())

    lesson = lesson_from_text(FORK, "fork.yaml")
    run_walk(StepperApp(lesson, quiz=True), scenario, size)


def test_plain_prints_every_step_of_graph1() -> None:
    lesson = load_lesson(resolve("graph-1").path, "graph-1")
    solution = solve(lesson)
    out = io.StringIO()
    run_plain(solution, "es", io.StringIO("all\n"), out, lesson=lesson)
    text = out.getvalue()
    total = len(solution.steps)
    for step in solution.steps:
        assert f"[{step.n}/{total} · " in text and f"· {step.key}]" in text
    assert "hacia atrás · nodo L" in text and "comprobación" in text
