"""Authoring a recurrent lesson past loading it: the keys its notes and explanations may name,
exam variants of it, the numbers the app lets a learner edit.

``stepper.lesson.recurrent_keys`` lists a lesson's step keys from its sizes alone, so that
``stepper check`` can tell a note on no step without solving; here every lesson of a grid of
shapes (each cell; with and without an output, linear, tanh or sigmoid, every_step, targets, a
learning rate; one and several units) is solved, and the keys the engine emits must be exactly
those. Variants redraw gates, output weights, sequence, targets and α within the lesson's grids;
the exam printers take them as they take a dense lesson's. The edit screen names each number as
the steps do.
"""

from __future__ import annotations

import itertools
import json
import random
import re
from pathlib import Path
from typing import Any

import pytest

from stepper.cli import main
from stepper.engine import solve
from stepper.lesson.load import lesson_from_text
from stepper.lesson.recurrent_keys import step_keys
from stepper.lesson.schema import CELL_GATES, RecurrentLesson

pytest.importorskip("stepper.engine.recurrent")


def _lesson(
    cell: str,
    *,
    hidden: int = 1,
    inputs: int = 1,
    steps: int = 2,
    output: int | None = 1,
    activation: str = "linear",
    every: bool = False,
    targets: bool = True,
    rate: bool = True,
    seed: int = 0,
    extra: str = "",
) -> RecurrentLesson:
    """A lesson of these sizes with small random numbers (|w| ≤ 0.5: no gate saturates)."""
    rng = random.Random(seed)

    def row(n: int) -> str:
        return "[" + ", ".join(f"{rng.uniform(-0.5, 0.5):.2f}" for _ in range(n)) + "]"

    def matrix(rows: int, cols: int) -> str:
        return "[" + ", ".join(row(cols) for _ in range(rows)) + "]"

    gates = "".join(f"  {g}: {matrix(hidden, 1 + inputs + hidden)}\n" for g in CELL_GATES[cell])
    text = (
        f"kind: recurrent\ncell: {cell}\ninputs: {inputs}\nhidden: {hidden}\n"
        f"sequence: {matrix(steps, inputs)}\ngates:\n{gates}"
    )
    if output is not None:
        weights = matrix(output, 1 + hidden)
        every_step = str(every).lower()
        text += (
            f"output: {{activation: {activation}, weights: {weights}, every_step: {every_step}}}\n"
        )
    size = output if output is not None else hidden
    if targets:
        text += f"targets: {matrix(steps if every else 1, size)}\n"
    if targets and rate:
        text += "training: {learning_rate: 0.1}\n"
    lesson = lesson_from_text(text + extra, "grid.yaml")
    assert isinstance(lesson, RecurrentLesson)
    return lesson


def _shape_id(shape: dict[str, Any]) -> str:
    out = f"{shape['cell']}-h{shape['hidden']}-o{shape['output']}-{shape['activation']}"
    out += "-every" if shape["every"] else ""
    out += "" if shape["targets"] else "-forward"
    return out + ("" if shape["rate"] or not shape["targets"] else "-norate")


SHAPES = [
    {"cell": c, "hidden": h, "output": o, "activation": a, "every": e, "targets": t, "rate": r}
    for c, h, (o, a, e), (t, r) in itertools.product(
        sorted(CELL_GATES),
        (1, 2),
        ((1, "linear", False), (2, "tanh", True), (1, "sigmoid", False), (None, "linear", False)),
        ((True, True), (True, False), (False, False)),
    )
]


@pytest.mark.parametrize("shape", SHAPES, ids=_shape_id)
def test_the_keys_a_check_knows_are_the_keys_the_engine_emits(shape: dict[str, Any]) -> None:
    lesson = _lesson(inputs=2, **shape)
    emitted = [step.key for step in solve(lesson).steps]
    assert len(emitted) == len(set(emitted)), "a key emitted twice"
    assert set(step_keys(lesson)) == set(emitted)


def test_a_note_on_every_key_the_engine_emits_is_accepted_and_shown() -> None:
    """A note on each key of a two-unit LSTM: the lesson loads, and each note reaches its step."""
    keys = [step.key for step in solve(_lesson("lstm", hidden=2)).steps]
    notes = "notes:\n" + "".join(f"  '{key}': n{k}\n" for k, key in enumerate(keys))
    lesson = _lesson("lstm", hidden=2, extra=notes)
    noted = {step.key: step.note for step in solve(lesson).steps}
    assert [noted[key] for key in keys] == [f"n{k}" for k in range(len(keys))]


# --- exam variants -------------------------------------------------------------------------

GRIDS = """\
variants:
  weights: {min: -0.5, max: 0.5, step: 0.1}
  inputs: {min: 0.1, max: 0.9, step: 0.1}
  targets: {min: -1, max: 1, step: 0.1}
  learning_rate: {min: 0.05, max: 0.3, step: 0.05}
"""


def test_variants_redraw_the_recurrent_numbers_and_keep_the_rest() -> None:
    from stepper.variation import make_variants, sensible

    lesson = _lesson("gru", hidden=2, steps=3, output=1, every=True, extra=GRIDS)
    chosen = make_variants(lesson, seed=3, count=4)
    assert len({vid for vid, _ in chosen}) == 4
    for vid, variant in chosen:
        assert isinstance(variant, RecurrentLesson)
        assert variant.id == f"{lesson.id}-{vid}"
        assert (variant.cell, variant.inputs, variant.hidden) == ("gru", 1, 2)
        assert variant.initial == lesson.initial
        assert variant.gates != lesson.gates
        assert variant.sequence != lesson.sequence
        assert variant.targets != lesson.targets
        assert variant.output is not None and lesson.output is not None
        assert variant.output.weights != lesson.output.weights
        assert variant.output.every_step
        assert [len(r) for r in variant.gates.given()["z"]] == [4, 4]
        every = [v for rows in variant.gates.given().values() for row in rows for v in row]
        assert all(-0.5 <= v <= 0.5 and round(v * 10) == round(v * 10, 6) for v in every)
        assert all(0.1 <= v <= 0.9 for x in variant.sequence for v in x)
        assert variant.training is not None and variant.training.learning_rate in (
            0.05,
            0.1,
            0.15,
            0.2,
            0.25,
            0.3,
        )
        assert sensible(variant)
        saturated = [
            s for s in solve(variant).steps if re.match(r"^u\[[a-z],", s.key) and abs(s.value) > 2
        ]
        assert not saturated
        for lang, word in (("es", "secuencia"), ("en", "sequence")):
            summary = variant.summary
            assert isinstance(summary, dict) and word in summary[lang]
    numbers = [v.model_dump_json(include={"gates", "sequence"}) for _, v in chosen]
    assert len(set(numbers)) == len(numbers)


def test_a_variant_id_regenerates_the_same_recurrent_variant() -> None:
    from stepper.variation import make_variant

    lesson = _lesson("lstm", extra=GRIDS)
    assert make_variant(lesson, "ab12cd") == make_variant(lesson, "ab12cd")
    assert make_variant(lesson, "ab12cd") != make_variant(lesson, "zz99yy")


def _write(folder: Path, lesson: RecurrentLesson) -> Path:
    path = folder / "rec.yaml"
    data: Any = lesson.model_dump(exclude_none=True, exclude_defaults=True)
    data["kind"] = "recurrent"
    path.write_text(json.dumps(data), encoding="utf-8")  # JSON is YAML
    return path


#: Every way of printing an exam: sheets, keys and Moodle banks of a lesson and its variants.
EXAMS = [
    ["--variants", "2", "--worksheet", "exam", "--format", "md"],
    ["--variants", "2", "--worksheet", "exam", "--format", "html"],
    ["--variants", "2", "--worksheet", "exam", "--format", "tex"],
    ["--variants", "2", "--key", "--format", "md"],
    ["--variants", "2", "--format", "moodle"],
    ["--variants", "2", "--worksheet", "--format", "md"],
    ["--variant", "ab12cd", "--format", "json"],
    ["--worksheet", "exam", "--format", "md"],
    ["--key", "--format", "html"],
    ["--format", "moodle"],
]


def exam_id(argv: list[str]) -> str:
    return "-".join(a.strip("-") for a in argv if a != "2")


@pytest.mark.parametrize("argv", EXAMS, ids=exam_id)
def test_exams_of_a_recurrent_lesson_are_written(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    """Sheets, keys and Moodle banks of a recurrent lesson and of its variants, as of a dense
    one: written, each variant under its id."""
    from stepper.variation import make_variants

    monkeypatch.delenv("STEPPER_SECRET", raising=False)
    lesson = _lesson("lstm", hidden=2, extra=GRIDS)
    path = _write(tmp_path, lesson)
    target = tmp_path / "out"
    code = main(["solve", str(path), *argv, "-o", str(target)])
    _, err = capsys.readouterr()
    assert code == 0, err
    assert "Traceback" not in err
    written = target.read_text(encoding="utf-8")
    assert len(written) > 500
    if "--variants" in argv:
        for vid, _ in make_variants(lesson, seed=1, count=2):
            assert vid in written
    if "exam" in argv and ("md" in argv or "tex" in argv):
        assert "w^{f}" in written  # the data: the sheet asks nothing it does not give


# --- the app's edit screen -----------------------------------------------------------------


@pytest.mark.parametrize("cell", sorted(CELL_GATES))
@pytest.mark.parametrize("hidden", [1, 2])
def test_the_edit_screen_names_each_number_as_the_steps_do(cell: str, hidden: int) -> None:
    """Every number the learner may edit is named as the steps show it when they read it."""
    from stepper.edit import editable_numbers

    lesson = _lesson(
        cell,
        hidden=hidden,
        inputs=2,
        output=1,
        extra="initial: {h: [0.1, 0.2]}\n" if hidden == 2 else "initial: {h: [0.1]}\n",
    )
    shown: dict[str, set[str]] = {}
    for step in solve(lesson, "en").steps:
        for q in step.operands:
            if q.step is None:
                shown.setdefault(q.key, set()).add(q.sym.unicode())
    numbers = editable_numbers(lesson, [], "en")
    assert numbers
    for number in numbers:
        if number.path == ("training", "learning_rate"):
            assert number.name == "α"
            continue
        key = _given_key(number.path)
        if key is None:
            continue
        assert key in shown, (number.path, sorted(shown))
        assert number.name in shown[key], (number.path, number.name, shown[key])


def _given_key(path: tuple[str | int, ...]) -> str | None:
    """The key of the quantity a given number is read as (None: not read as an operand)."""
    head = path[0]
    if head == "gates":
        _, gate, i, j = path
        return f"w[{gate},{int(i) + 1},{j}]"
    if head == "output":
        _, _, i, j = path
        return f"t[{int(i) + 1},{j}]"
    if head == "initial":
        _, name, i = path
        return f"{name}[0,{int(i) + 1}]"
    if head == "sequence":
        _, t, j = path
        return f"x[{int(t) + 1},{int(j) + 1}]"
    return None


def test_the_list_shows_the_recurrent_lessons_kind_in_its_column(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    recurrent = [line for line in lines if line.split()[1] == "recurrent"]
    assert any(line.startswith("rnn-1 ") for line in recurrent)
    # The titles start in one column, past the longest kind.
    starts = {len(line) - len(line.split(None, 2)[2]) for line in lines}
    assert len(starts) == 1


def test_an_explanation_pattern_with_a_gate_reaches_exactly_its_steps() -> None:
    """``u[f,*,1]`` appends to the forget gate's net input of unit 1 at every step, and to no
    other step (not unit 2's, not another gate's, not the check phase's)."""
    extra = "explanations:\n  'u[f,*,1]': {append: OLVIDO}\n  'dh[2,2]': {replace: SOLO}\n"
    lesson = _lesson("lstm", hidden=2, steps=3, extra=extra)
    steps = solve(lesson).steps
    appended = [s.key for s in steps if s.explanation.endswith("OLVIDO")]
    assert appended == ["u[f,1,1]", "u[f,2,1]", "u[f,3,1]"]
    assert [s.key for s in steps if s.explanation == "SOLO"] == ["dh[2,2]"]
