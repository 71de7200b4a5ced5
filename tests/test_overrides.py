"""A lesson's own explanations (by key or pattern, replace or append, per language), its
notes and its choice of phases reach the app's REPL and every printed format."""

from __future__ import annotations

import io
import json

import pytest

from stepper.engine import solve
from stepper.lesson.load import lesson_from_text
from stepper.printers import REGISTRY, Options
from stepper.repl import run_plain

LESSON = """\
title: overrides
network:
  inputs: 2
  layers:
    - activation: [linear, tanh]
      weights: [[0.1, -0.2, 0.3], [0.5, 0.4, -0.6]]
training:
  learning_rate: 0.1
  samples: [{x: [0.1, 0.7], y: [0.2, 1.0]}]
explanations:
  y[1,1]: {replace: {es: "¡Lineal! Sale lo que entra.", en: "Linear! Out comes what goes in."}}
  "u[*]": {append: "Remember the bias."}
  "u[1,2]": {replace: "Only neuron 2."}
notes:
  e[2]: A note of the lesson's own.
"""


def explanations(text: str, lang: str) -> dict[str, str]:
    solution = solve(lesson_from_text(text, "overrides"), lang)
    return {s.key: s.explanation for s in solution.steps}


def test_replace_append_exact_before_pattern_and_languages() -> None:
    es, en = explanations(LESSON, "es"), explanations(LESSON, "en")
    assert es["y[1,1]"] == "¡Lineal! Sale lo que entra."
    assert en["y[1,1]"] == "Linear! Out comes what goes in."
    assert en["u[1,1]"].startswith("Net input of neuron 1") and en["u[1,1]"].endswith(
        " Remember the bias."
    )
    assert en["u[1,2]"] == "Only neuron 2."  # the exact key wins over the pattern
    assert en["e[1]"].startswith("Error of output 1")  # untouched


@pytest.mark.parametrize("fmt", ["json", "md", "tex", "html"])
def test_overrides_reach_every_printed_format(fmt: str) -> None:
    solution = solve(lesson_from_text(LESSON, "overrides"), "en")
    document = str(REGISTRY[fmt].render(solution, Options()))
    if fmt == "json":
        steps = {s["key"]: s for s in json.loads(document)["steps"]}
        assert steps["y[1,1]"]["explanation"] == "Linear! Out comes what goes in."
        assert steps["e[2]"]["note"] == "A note of the lesson's own."
        return
    assert "Out comes what goes in." in document
    assert "Remember the bias." in document
    assert "A note of the lesson" in document


def test_overrides_reach_the_plain_repl() -> None:
    out = io.StringIO()
    solution = solve(lesson_from_text(LESSON, "overrides"), "en")
    run_plain(solution, "en", io.StringIO("all\n"), out)
    text = out.getvalue()
    assert "    Linear! Out comes what goes in." in text
    assert "(Note: A note of the lesson's own.)" in text


def test_phases_choose_what_is_shown() -> None:
    text = LESSON + "phases: [forward, error]\n"
    solution = solve(lesson_from_text(text, "overrides"))
    assert {str(s.phase) for s in solution.steps} == {"forward", "error"}
    assert [s.n for s in solution.steps] == list(range(1, len(solution.steps) + 1))
    for step in solution.steps:
        for q in step.operands:
            assert q.step is None or solution.steps[q.step - 1].key == q.key
    only_update = solve(lesson_from_text(LESSON + "phases: [update]\n", "overrides"))
    first = only_update.steps[0]
    assert first.key == "dw[1,1,0]" and first.n == 1
    assert all(q.step is None for q in first.operands)  # δ₁ came from a hidden phase


def test_a_bad_pattern_or_phase_is_located() -> None:
    from stepper.lesson.errors import LessonError

    with pytest.raises(LessonError) as caught:
        lesson_from_text(LESSON + "phases: [sideways]\n", "bad")
    assert [(p.line, p.col) for p in caught.value.problems] == [(16, 10)]
    with pytest.raises(LessonError):
        lesson_from_text(LESSON.replace('"u[*]"', '"u(1)"'), "bad")
