"""display.tanh: the Spanish lecture writes tgh; a lesson shown in Spanish does too, one shown in
English writes tanh, and ``display: {tanh: ...}`` chooses. Every output says it the same way
(formula, substitution, explanation, LaTeX, typst, the network picture); the text form a
program evaluates keeps tanh."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from stepper import formulas
from stepper.catalog import builtin_folder
from stepper.engine import solve
from stepper.lesson.load import lesson_from_text
from stepper.printers import typst_math
from stepper.steps import Solution, Step
from tests.test_hostile import edited, refused


def backprop1(lang: str | None = None, tanh: str | None = None) -> Solution:
    text = (builtin_folder() / "backprop-1.yaml").read_text(encoding="utf-8")
    if tanh is not None:
        text = text.replace("display:\n", f"display:\n  tanh: {tanh}\n", 1)
    return solve(lesson_from_text(text, "backprop-1.yaml", "backprop-1"), lang)


def tanh_step(solution: Solution) -> Step:
    return next(s for s in solution.steps if s.key == "y[1,2]")


def written(step: Step) -> list[str]:
    """What a reader sees of the step: formula and substitution in Unicode, LaTeX and typst,
    and the explanation."""
    typst = typst_math.compiled(step.template, step.params, len(step.operands))
    return [
        formulas.formula(step, "unicode"),
        formulas.substituted(step, "unicode"),
        formulas.formula(step, "latex"),
        formulas.substituted(step, "latex"),
        str(typst),
        step.explanation,
    ]


@pytest.mark.parametrize(
    ("lang", "tanh", "name"),
    [("es", None, "tgh"), ("en", None, "tanh"), ("es", "tanh", "tanh"), ("en", "tgh", "tgh")],
)
def test_every_output_writes_the_chosen_name(lang: str, tanh: str | None, name: str) -> None:
    solution = backprop1(lang, tanh)
    step = tanh_step(solution)
    other = "tanh" if name == "tgh" else "tgh"
    for form in written(step):
        assert name in form, form
        assert other not in form, form
    assert solution.network is not None and solution.network.tanh == name


@pytest.mark.parametrize("tanh", ["tgh", "tanh"])
def test_the_text_form_is_tanh_and_evaluates_to_the_value(tanh: str) -> None:
    """substituted_text stays Python's tanh (the contract), and the formula worked out from
    the shown numbers gives the step's value: tanh(0.12) = 0.11943."""
    step = tanh_step(backprop1("es", tanh))
    assert formulas.substituted(step, "text") == "tanh(0.12)"
    assert formulas.evaluate(step, [0.12]) == pytest.approx(math.tanh(0.12), rel=1e-15)
    assert step.shown == "0.11943"


def test_the_picture_names_the_neuron_as_the_formulas_do() -> None:
    from stepper.printers import REGISTRY, Options

    spanish = str(REGISTRY["md"].render(backprop1("es"), Options()))
    english = str(REGISTRY["md"].render(backprop1("en"), Options()))
    assert "(2 tgh)" in spanish and "(2 tanh)" not in spanish
    assert "(2 tanh)" in english and "(2 tgh)" not in english


@pytest.mark.parametrize("value", ["tangent", "TGH", "1", "true", "[tgh]"])
def test_a_wrong_name_is_refused_where_it_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    text = edited("backprop-1", "display:\n", f"display:\n  tanh: {value}\n")
    line = text.splitlines().index(f"  tanh: {value}") + 1
    refused(tmp_path, capsys, text, (line, 9), "tanh")
