"""The Python API (docs/api.md): what it returns is what the command line prints, its errors
are the command line's located problems in one exception type, and importing it is cheap."""

from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest

import stepper
from stepper import cli

ROOT = Path(__file__).parent.parent

BROKEN = """\
title: Una lección rota
language: es
network:
  inputs: 2
  layers:
    - activation: tanh
      weights: [[0.1, 0.2]]
training:
  learning_rate: -0.1
  samples:
    - x: [0.1, 0.7]
      y: [0.2]
"""


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = cli.main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture(scope="module")
def backprop() -> stepper.Solution:
    return stepper.solve("backprop-1")


def test_importing_stepper_and_loading_a_lesson_import_no_sympy_numpy_or_textual() -> None:
    code = (
        "import sys, stepper\n"
        "lesson = stepper.load('backprop-1')\n"
        "heavy = [m for m in ('sympy', 'numpy', 'textual') if m in sys.modules]\n"
        "print(type(lesson).__name__, heavy)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    assert out.strip() == "DenseLesson []"


def test_the_public_names_are_the_documented_ones() -> None:
    documented = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    for name in stepper.__all__:
        assert f"`{name}" in documented or f"stepper.{name}" in documented, name
    assert "walk" not in dir(stepper) or "stepper.walk" in documented
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        _ = stepper.nothing  # type: ignore[attr-defined]


def test_load_takes_an_id_a_path_a_path_object_or_a_lesson(tmp_path: Path) -> None:
    lesson = stepper.load("backprop-1")
    assert (lesson.id, lesson.kind) == ("backprop-1", "dense")
    path = ROOT / "lessons" / "backprop-1.yaml"
    assert stepper.load(path).model_dump() == lesson.model_dump()
    assert stepper.load(str(path)).model_dump() == lesson.model_dump()
    assert stepper.load(lesson) is lesson


def test_a_bad_lesson_raises_one_error_with_the_command_lines_located_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "rota.yaml"
    bad.write_text(BROKEN, encoding="utf-8")
    with pytest.raises(stepper.LessonError) as caught:
        stepper.load(bad)
    problems = caught.value.problems
    assert problems and all(isinstance(p, stepper.Problem) for p in problems)
    assert capsys.readouterr() == ("", ""), "the library printed something"
    status, out, err = _cli(capsys, "check", str(bad))
    assert status == 2 and out == ""
    assert err.splitlines() == [str(p) for p in problems]
    # Located: the learning rate's line and column, the weights' row.
    lines = {(p.line, p.col) for p in problems}
    assert (9, 18) in lines, problems
    # solve raises the same, and nothing is printed either
    with pytest.raises(stepper.LessonError) as again:
        stepper.solve(bad)
    assert again.value.problems == problems
    assert capsys.readouterr() == ("", "")


def test_an_unknown_lesson_is_a_lesson_error_naming_the_built_in_ones() -> None:
    with pytest.raises(stepper.LessonError) as caught:
        stepper.load("no-such-lesson", lang="en")
    (problem,) = caught.value.problems
    assert problem.path == "no-such-lesson"
    assert "backprop-1" in problem.message and "built-in" in problem.message


def test_a_step_has_the_json_fields_and_the_hand_worked_value(
    backprop: stepper.Solution,
) -> None:
    step = backprop.step("u[1,1]")
    # The lecture's first net input, by hand: 0.1·1 + (−0.2)·0.1 + 0.3·0.7 = 0.29.
    by_hand = (
        Fraction("0.1") - Fraction("0.2") * Fraction("0.1") + Fraction("0.3") * Fraction("0.7")
    )
    assert step.value == pytest.approx(float(by_hand), abs=1e-15)
    assert (step.n, step.phase, step.iteration, step.sample) == (1, "forward", 1, 1)
    assert step.shown == "0.29"
    assert step.substituted_text == "0.1*1 + (-0.2)*0.1 + 0.3*0.7"
    assert step.depends_on[0] == stepper.Dependency("w[1,1,0]", None)
    record = step.to_dict()
    assert record["formula"] == step.formula and record["value"] == step.value
    assert backprop.steps[0] == step
    assert len(backprop) == len(backprop.steps) == len(list(backprop))


def test_the_steps_are_the_json_solutions_steps(
    backprop: stepper.Solution, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = _cli(capsys, "solve", "backprop-1", "--format", "json")
    assert status == 0
    assert backprop.to_json() == out
    records = json.loads(out)["steps"]
    assert [s.to_dict() for s in backprop.steps] == records
    for step, record in zip(backprop.steps, records, strict=True):
        assert step.key == record["key"] and step.shown == record["shown"]
        assert [list(d) for d in step.depends_on] == [
            [d["key"], d["n"]] for d in record["depends_on"]
        ]


def test_a_key_no_step_has_or_several_share_is_a_key_error_saying_which() -> None:
    solution = stepper.solve("regression-1", lang="en")
    with pytest.raises(KeyError, match="no step has the key z"):
        solution.step("z")
    with pytest.raises(KeyError, match=r"20 steps have the key dw\[1,1,0\]: give iteration="):
        solution.step("dw[1,1,0]")
    first = solution.step("dw[1,1,0]", iteration=1, sample=1)
    assert (first.iteration, first.sample) == (1, 1)


@pytest.mark.parametrize(
    ("fmt", "extra"),
    [
        ("md", ()),
        ("html", ()),
        ("tex", ("--worksheet",)),
        ("md", ("--worksheet=all",)),
        ("md", ("--worksheet=exam",)),
        ("moodle", ()),
    ],
)
def test_render_prints_what_stepper_solve_prints(
    fmt: str, extra: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = _cli(capsys, "solve", "backprop-1", "--format", fmt, *extra)
    assert status == 0
    worksheet: stepper.api.Worksheet = None
    if extra:
        worksheet = extra[0].partition("=")[2] or True
    assert stepper.solve("backprop-1").render(fmt, worksheet=worksheet) == out


def test_a_pdf_is_bytes(backprop: stepper.Solution) -> None:
    pdf = backprop.render("pdf")
    assert isinstance(pdf, bytes) and pdf.startswith(b"%PDF-")


def test_variants_are_the_command_lines_variants(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("STEPPER_SECRET", raising=False)
    drawn = stepper.variants("backprop-1", 3, seed=7, secret="s3cret")
    assert len({v.id for v in drawn}) == 3
    status, out, _ = _cli(
        capsys,
        "solve",
        "backprop-1",
        "--variants",
        "3",
        "--seed",
        "7",
        "--secret",
        "s3cret",
        "--format",
        "md",
        "--key",
    )
    assert status == 0
    solutions = [v.solve() for v in drawn]
    assert stepper.render(solutions, "md", key=True) == out
    for v in drawn:
        assert v.id in out
    # The id regenerates the same numbers, with the secret, as --variant ID does.
    again = stepper.variant("backprop-1", drawn[1].id, secret="s3cret")
    assert again.lesson.model_dump() == drawn[1].lesson.model_dump()
    assert again.solve().step("d[1,2]").value == solutions[1].step("d[1,2]").value


def test_the_exam_header_fields_go_over_the_lessons(backprop: stepper.Solution) -> None:
    sheet = backprop.render("md", worksheet="exam", header={"course": "Redes 2026", "points": 0.5})
    assert isinstance(sheet, str)
    assert "Redes 2026" in sheet and "0.5" in sheet


@pytest.mark.parametrize(
    ("call", "where", "words"),
    [
        (lambda s: s.render("docx"), "--format", "no format called docx: one of json"),
        (lambda s: s.render("md", worksheet="some"), "--worksheet", "worksheet must be True"),
        (lambda s: s.render("md", key=True, worksheet=True), "--key", ""),
        (lambda s: s.render("moodle", worksheet=True), "--worksheet", ""),
        (lambda s: s.render("json", worksheet="exam"), "--format", ""),
        (lambda s: s.render("md", header={"teacher": "X"}), "teacher", "course, instructor"),
        (lambda s: s.render("md", header={"points": 0}), "--points", ""),
        (lambda s: stepper.render([], "md"), "solutions", "at least one"),
        (lambda s: stepper.variants("backprop-1", 0), "n", "between 1 and 500"),
    ],
)
def test_bad_arguments_are_lesson_errors_with_their_place(
    call: object, where: str, words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    solution = stepper.solve("backprop-1", lang="en")
    with stepper.lesson.errors.speaking("en"), pytest.raises(stepper.LessonError) as caught:
        call(solution)  # type: ignore[operator]
    (problem,) = caught.value.problems
    assert problem.path == where
    assert words in problem.message
    assert capsys.readouterr() == ("", "")


def test_a_solution_in_english_and_its_repr() -> None:
    solution = stepper.solve("graph-3", lang="en")
    assert solution.language == "en" and solution.kind == "graph"
    assert repr(solution) == f"<Solution 'graph-3' (graph, en): {len(solution)} steps>"
    assert solution.step("grad[x]").value == pytest.approx(-2.0)


@pytest.mark.slow
def test_the_examples_in_the_guide_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every ```python block of docs/api.md runs as written (in an empty folder)."""
    guide = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    blocks = [b.split("```", 1)[0] for b in guide.split("```python\n")[1:]]
    assert len(blocks) >= 3
    monkeypatch.chdir(tmp_path)
    scope: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, "docs/api.md", "exec"), scope)
    out = capsys.readouterr().out
    assert "0.86801" in out  # d[1,2] of backprop-1, printed by the first example
    assert "mi-leccion.yaml" in out  # the error example printed its problem
    assert isinstance(scope["pdf"], bytes) and scope["pdf"].startswith(b"%PDF-")
