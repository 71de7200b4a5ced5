"""Authoring a graph lesson past loading it: the keys its notes and explanations may name, exam
variants of it, the exams printed from it, the numbers the app lets a learner edit.

``stepper.lesson.graph_checks.lesson_keys`` lists a lesson's step keys from its formulas alone
(for an expression, from the engine's own split), so that ``stepper check`` can tell a note on
no step without sympy; here lessons of every shape (nodes and expressions, a fork, both
granularities, with and without a descent step, some inputs trainable) are solved and the keys
the engine emits must be exactly those. Variants redraw the inputs and α within the lesson's
grids and never land where a formula is undefined or a sigmoid is flat; the exam printers take
them as they take a dense lesson's. The edit screen names each number as the steps do, and
refuses a number at which a formula is not defined.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from textwrap import dedent
from typing import Any

import pytest

from stepper.cli import main
from stepper.engine import solve
from stepper.lesson.graph_checks import lesson_keys, squashing
from stepper.lesson.load import lesson_from_text
from stepper.lesson.schema import GraphLesson
from tests.test_recurrent_authoring import EXAMS, exam_id

pytest.importorskip("stepper.engine.graph")

MICROGRAD = dedent("""\
    kind: graph
    nodes:
      e: a*b
      d: e + c
      L: d*f
    inputs: {a: 2, b: -3, c: 10, f: -2}
    learning_rate: 0.01
    trainable: [a, b, c, f]
    """)

SHAPES = {
    "micrograd": MICROGRAD,
    "micrograd-no-step": MICROGRAD.replace("learning_rate: 0.01\ntrainable: [a, b, c, f]\n", ""),
    "micrograd-two-trained": MICROGRAD.replace("[a, b, c, f]", "[b, f]"),
    "fork": "kind: graph\nnodes: {p: x*y, f: p + x}\ninputs: {x: 3, y: -2}\nlearning_rate: 0.1\n",
    "fork-expression": "kind: graph\nexpression: x*y + x\ninputs: {x: 3, y: -2}\n",
    "neuron-operations": (
        "kind: graph\nexpression: sigmoid(w0*x0 + w1*x1 + w2)\n"
        "inputs: {w0: 2, x0: -1, w1: -3, x1: -2, w2: -3}\nlearning_rate: 0.5\n"
    ),
    "neuron-both": (
        "kind: graph\nexpression: sigmoid(w0*x0 + w1*x1 + w2)\nsplit: [operations, functions]\n"
        "inputs: {w0: 2, x0: -1, w1: -3, x1: -2, w2: -3}\noutput: s\nlearning_rate: 0.5\n"
        "trainable: [w0, w2]\n"
    ),
    "square-used-three-times": (
        "kind: graph\nexpression: tanh(a*a) + exp(-a) + max(a, 0.5*b)\ninputs: {a: 0.3, b: 2}\n"
        "split: functions\nlearning_rate: 0.2\n"
    ),
}


def _data(text: str) -> dict[str, Any]:
    return lesson_from_text(text, "t.yaml").model_dump(exclude_defaults=True)


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_the_keys_a_check_knows_are_the_keys_the_engine_emits(name: str) -> None:
    lesson = lesson_from_text(SHAPES[name], "t.yaml")
    emitted = [step.key for step in solve(lesson).steps]
    assert len(set(emitted)) == len(emitted)
    assert lesson_keys(_data(SHAPES[name])) == set(emitted)


@pytest.mark.parametrize("name", ["fork", "neuron-both"])
def test_a_note_on_every_key_the_engine_emits_is_accepted_and_shown(name: str) -> None:
    text = SHAPES[name]
    keys = [step.key for step in solve(lesson_from_text(text, "t.yaml")).steps]
    notes = "notes:\n" + "".join(f"  '{key}': nota {n}\n" for n, key in enumerate(keys))
    lesson = lesson_from_text(text + notes, "t.yaml")
    noted = {step.key: step for step in solve(lesson).steps}
    assert len(noted) == len(keys)


# --- exam variants -----------------------------------------------------------------------------

GRIDS = (
    "variants:\n  inputs: {min: -3, max: 3, step: 0.5}\n"
    "  learning_rate: {min: 0.01, max: 0.05, step: 0.01}\n"
)


def test_variants_redraw_the_inputs_and_the_rate_and_keep_the_formulas() -> None:
    from stepper.variation import make_variants, sensible

    lesson = lesson_from_text(MICROGRAD + GRIDS, "t.yaml")
    chosen = make_variants(lesson, seed=3, count=5)
    assert len({vid for vid, _ in chosen}) == 5
    for vid, variant in chosen:
        assert isinstance(variant, GraphLesson)
        assert variant.id == f"{lesson.id}-{vid}"
        assert variant.nodes == lesson.nodes and variant.trainable == lesson.trainable
        assert set(variant.inputs) == set(lesson.inputs)
        assert all(-3 <= v <= 3 and (2 * v).is_integer() for v in variant.inputs.values())
        assert variant.learning_rate in (0.01, 0.02, 0.03, 0.04, 0.05)
        assert sensible(variant)
        gradients = [s.value for s in solve(variant).steps if s.key.startswith("grad[")]
        assert len(gradients) == 7 and 0 not in gradients
        for lang, word in (("es", "entradas"), ("en", "inputs")):
            summary = variant.summary
            assert isinstance(summary, dict) and word in summary[lang]
            assert f"{variant.inputs['a']:g}".replace("-", "−") in summary[lang]
    numbers = [v.model_dump_json(include={"inputs", "learning_rate"}) for _, v in chosen]
    assert len(set(numbers)) == len(numbers)


def test_a_variant_never_lands_where_a_formula_is_undefined_or_a_sigmoid_is_flat() -> None:
    """log(a) with a drawn from −3 … 3: every variant has a > 0; sigmoid(a*b) with its
    argument beyond ±2 for most draws: every variant has |a·b| ≤ 2."""
    from stepper.variation import make_variants

    logs = lesson_from_text(
        "kind: graph\nexpression: log(a)*b\ninputs: {a: 1, b: 2}\n" + GRIDS, "t.yaml"
    )
    for _, variant in make_variants(logs, seed=1, count=6):
        assert variant.inputs["a"] > 0
    flat = lesson_from_text(
        "kind: graph\nexpression: sigmoid(a*b)\ninputs: {a: 1, b: 1}\n" + GRIDS, "t.yaml"
    )
    for _, variant in make_variants(flat, seed=1, count=6):
        (u,) = squashing(variant.model_dump(exclude_defaults=True))
        assert u == variant.inputs["a"] * variant.inputs["b"]
        assert abs(u) <= 2
    allowed = lesson_from_text(
        "kind: graph\nexpression: sigmoid(a*b)\ninputs: {a: 1, b: 1}\n"
        + GRIDS
        + "  saturate: true\n",
        "t.yaml",
    )
    drawn = [v for _, v in make_variants(allowed, seed=1, count=12)]
    assert any(abs(v.inputs["a"] * v.inputs["b"]) > 2 for v in drawn)


def test_a_variant_id_regenerates_the_same_graph_variant() -> None:
    from stepper.variation import make_variant

    lesson = lesson_from_text(MICROGRAD + GRIDS, "t.yaml")
    assert make_variant(lesson, "ab12cd") == make_variant(lesson, "ab12cd")
    assert make_variant(lesson, "ab12cd") != make_variant(lesson, "zz99yy")


@pytest.mark.parametrize("argv", EXAMS, ids=exam_id)
def test_exams_of_a_graph_lesson_are_written(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    """Sheets, keys and Moodle banks of a graph lesson and of its variants, as of a dense one:
    written, each variant under its id, the sheet giving the nodes' formulas it asks about."""
    from stepper.variation import make_variants

    monkeypatch.delenv("STEPPER_SECRET", raising=False)
    text = MICROGRAD + GRIDS
    path = tmp_path / "graph.yaml"
    path.write_text(text, encoding="utf-8")
    target = tmp_path / "out"
    code = main(["solve", str(path), *argv, "-o", str(target)])
    _, err = capsys.readouterr()
    assert code == 0, err
    written = target.read_text(encoding="utf-8")
    assert len(written) > 500
    if "--variants" in argv:
        lesson = lesson_from_text(text, "graph.yaml")
        for vid, _ in make_variants(lesson, seed=1, count=2):
            assert vid in written
    if "json" in argv:
        assert json.loads(written)["lesson"]["kind"] == "graph"


# --- the app's edit screen -----------------------------------------------------------------


@pytest.mark.parametrize("name", ["micrograd", "neuron-both"])
def test_the_edit_screen_names_each_number_as_the_steps_do(name: str) -> None:
    """α and every input, named as the steps write them where they read them."""
    from stepper.edit import editable_numbers

    lesson = lesson_from_text(SHAPES[name], "t.yaml")
    shown: dict[str, set[str]] = {}
    for step in solve(lesson, "en").steps:
        for q in step.operands:
            if q.step is None:
                shown.setdefault(q.key.rsplit(".", 1)[-1], set()).add(q.sym.unicode())
    numbers = editable_numbers(lesson, [], "en")
    assert [n.path for n in numbers] == [
        ("learning_rate",),
        *(("inputs", x) for x in lesson.inputs),
    ]
    for number in numbers:
        key = "alpha" if number.path == ("learning_rate",) else str(number.path[1])
        assert number.name in shown[key], (number.path, number.name, shown.get(key))
        value = lesson.learning_rate if key == "alpha" else lesson.inputs[key]
        assert math.isclose(number.value, float(value))


def test_the_edit_screen_refuses_a_number_where_a_formula_is_undefined() -> None:
    from stepper.edit import with_number

    lesson = lesson_from_text("kind: graph\nexpression: log(a)*b\ninputs: {a: 1, b: 2}\n", "t.yaml")
    changed = with_number(lesson, ("inputs", "a"), 2.5)
    assert isinstance(changed, GraphLesson) and changed.inputs["a"] == 2.5
    with pytest.raises(ValueError, match=r"^log\(a\) cannot be computed at the given values"):
        with_number(lesson, ("inputs", "a"), -1.0, "en")
