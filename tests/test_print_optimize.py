"""An optimize lesson in print: each optimiser its own part with its parameters, its
iterations in order, a comparison table, the contour picture with the paths, and the
lecture's letters (β, ρ, E[g²], m̂, ‖∇f‖) where the PDF used to print program names."""

from __future__ import annotations

import math
import re
import shutil
from pathlib import Path

import pytest

from stepper.catalog import builtin_ids
from stepper.printers import REGISTRY, Options
from stepper.printers.document import build_document
from stepper.printers.optimize import point_text
from tests.conftest import builtin_ids_of, compile_latex, solved
from tests.test_pdf import pdf_text

#: optimizers-1.yaml's optimisers and their parameters, as the lesson file gives them, and
#: the defaults docs/lessons.md states (Adagrad's ξ = 1e-10, Adam's β₁, β₂ and ξ = 1e-8).
LESSON_SETTINGS = [
    ("Momento", {"alpha": 0.0005, "beta": 0.9}),
    ("Nesterov", {"alpha": 0.0005, "beta": 0.9}),
    ("Adagrad", {"alpha": 0.1, "xi": 1e-10}),
    ("AdaDelta", {"rho": 0.9, "xi": 0.001}),
    ("Adam", {"alpha": 0.1, "beta_1": 0.9, "beta_2": 0.999, "xi": 1e-8}),
]


def test_each_optimiser_is_a_part_with_its_own_parameters() -> None:
    doc = build_document(solved("optimizers-1"))
    assert [p.title for p in doc.parts] == [name for name, _ in LESSON_SETTINGS]
    for part, (_, settings) in zip(doc.parts, LESSON_SETTINGS, strict=True):
        found = {q.sym.text(): q.value for q in part.settings}
        assert found == pytest.approx(settings), part.title


def test_sections_follow_one_optimiser_through_its_iterations() -> None:
    """Every section holds the steps of one optimiser and one iteration; within a part the
    iterations only go forward, 0, 1, 2, 3; every section's title names its optimiser."""
    solution = solved("optimizers-1")
    doc = build_document(solution)
    starts = [p.first for p in doc.parts] + [len(doc.sections)]
    seen = 0
    for part, begin, end in zip(doc.parts, starts, starts[1:], strict=False):
        iterations = []
        for section in doc.sections[begin:end]:
            prefixes = {s.key.split(".")[0] for s in section.steps}
            assert len(prefixes) == 1, section.title
            assert len({s.iteration for s in section.steps}) == 1, section.title
            assert section.title.startswith(part.title + " · "), section.title
            iterations.append(section.steps[0].iteration)
            seen += len(section.steps)
        assert iterations == [0, 1, 2, 3], part.title
    assert seen == len(solution.steps)


def test_nesterovs_look_ahead_is_filed_with_the_gradient_taken_there() -> None:
    doc = build_document(solved("optimizers-1"))
    looked = 0
    for section in doc.sections:
        keys = [s.key for s in section.steps]
        for k, key in enumerate(keys):
            if key.startswith("nesterov.ahead["):
                looked += 1
                after = keys[k + 1 :]
                # the gradient at the look-ahead point follows in the same section, and no
                # update of the point comes between them
                assert "nesterov.grad[x]" in after, section.title
                before = after[: after.index("nesterov.grad[x]")]
                assert not [b for b in before if b in ("nesterov.x", "nesterov.y")]
    assert looked == 6  # x and y, three iterations


def _descent_1() -> tuple[float, float, float]:
    """descent-1 by hand: f = x² + 10y², α = 0.09, five steps from (4, 1.5); ∂f/∂x = 2x and
    ∂f/∂y = 20y, so x is multiplied by 1 − 0.18 and y by 1 − 1.8 at each step."""
    x, y = 4.0 * 0.82**5, 1.5 * (-0.8) ** 5
    return x, y, x * x + 10 * y * y


def test_the_comparison_gives_each_optimisers_last_point_and_f() -> None:
    doc = build_document(solved("descent-1"))
    assert doc.comparison is not None
    [(name, iterations, point, f)] = doc.comparison.rows
    assert name == "Descenso por gradiente"
    x, y, fx = _descent_1()
    assert iterations == 5
    assert [float(v) for v in point] == pytest.approx([x, y], abs=5e-5)
    assert float(f) == pytest.approx(fx, abs=5e-5)


def test_the_comparison_of_optimizers_1_agrees_with_f_at_each_point() -> None:
    """f at each final point, computed here from Rosenbrock's formula, is the f the table
    gives (up to the rounding of the shown coordinates)."""
    doc = build_document(solved("optimizers-1"))
    assert doc.comparison is not None
    assert [row[0] for row in doc.comparison.rows] == [n for n, _ in LESSON_SETTINGS]
    for _, iterations, (x, y), f in doc.comparison.rows:
        assert iterations == 3
        xv, yv = float(x), float(y)
        rosenbrock = (1 - xv) ** 2 + 100 * (yv - xv**2) ** 2
        assert math.isclose(float(f), rosenbrock, rel_tol=2e-3), (x, y, f)


def test_a_worksheet_has_no_comparison_and_no_contour_picture(tmp_path: Path) -> None:
    solution = solved("optimizers-1")
    doc = build_document(solution, blank="values")
    assert doc.comparison is None and doc.parts
    html = str(REGISTRY["html"].render(solution, Options(blank="values")))
    assert "<svg" not in html and 'class="compare"' not in html
    tex = str(REGISTRY["tex"].render(solution, Options(blank="values")))
    assert "tikzpicture" not in tex
    md = str(REGISTRY["md"].render(solution, Options(blank="values")))
    assert "```text" not in md


def _finals(lesson_id: str) -> list[str]:
    """Each optimiser's last f, as shown: the picture's legend (or table) and the comparison
    print it."""
    solution = solved(lesson_id)
    last: dict[str, str] = {}
    for step in solution.steps:
        if step.key.split(".")[-1] == "f":
            last[step.key] = step.shown
    return list(last.values())


@pytest.mark.parametrize("lesson_id", builtin_ids_of("optimize"))
def test_the_solution_draws_the_contour_picture_with_the_paths(
    lesson_id: str, tmp_path: Path
) -> None:
    solution = solved(lesson_id)
    finals = _finals(lesson_id)
    html = str(REGISTRY["html"].render(solution, Options()))
    figure = re.search(r'<figure class="picture".*?</figure>', html, re.S)
    assert figure is not None, lesson_id
    assert "<polyline" in figure.group() or "<path" in figure.group() or "<line" in figure.group()
    for shown in finals:
        assert shown.replace("-", "−") in figure.group() or shown in figure.group()
    tex = str(REGISTRY["tex"].render(solution, Options()))
    assert tex.count(r"\begin{tikzpicture}") == 1, lesson_id
    text = pdf_text(bytes(REGISTRY["pdf"].render(solution, Options())), tmp_path)
    for shown in finals:
        assert text.count(shown) >= 2, (lesson_id, shown)  # the picture and the comparison


#: Names a program gives the optimisers' quantities; the PDF writes β, ρ, E[g²], m̂, r̂, ‖∇f‖, ξ.
PROGRAM_NAMES = re.compile(r"\b(beta\d?|rho|Eg2|mhat|vhat|rhat|norm|eps|xi)\b|\de-\d")


@pytest.mark.parametrize("lesson_id", builtin_ids())
def test_no_program_name_in_the_pdf(lesson_id: str, tmp_path: Path) -> None:
    solution = solved(lesson_id)
    for blank in ("none", "values"):
        pdf = REGISTRY["pdf"].render(solution, Options(blank=blank))  # type: ignore[arg-type]
        text = pdf_text(bytes(pdf), tmp_path)
        assert not PROGRAM_NAMES.findall(text), (lesson_id, blank)


def test_powers_of_ten_are_written_as_such_in_latex() -> None:
    md = str(REGISTRY["md"].render(solved("optimizers-1"), Options()))
    assert r"\xi = 10^{-10}" in md and r"\xi = 10^{-8}" in md
    assert "1e-" not in md


def test_a_point_with_decimal_commas_parts_its_coordinates_with_a_semicolon() -> None:
    assert point_text(("-1.4156", "2.0191"), comma=False) == "(−1.4156, 2.0191)"
    assert point_text(("-1.4156", "2.0191"), comma=True) == "(−1,4156; 2,0191)"
    assert point_text(("2.906",), comma=True) == "2,906"


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
def test_the_latex_of_optimizers_1_compiles_without_overfull_boxes(tmp_path: Path) -> None:
    source = tmp_path / "optimizers-1.tex"
    source.write_text(str(REGISTRY["tex"].render(solved("optimizers-1"), Options())))
    compile_latex(source)
    log = source.with_suffix(".log").read_text(errors="replace")
    widths = [float(w) for w in re.findall(r"Overfull \\hbox \((\d+(?:\.\d+)?)pt too wide", log)]
    assert not [w for w in widths if w > 5], widths


THREE_VARIABLES = """
title: Three variables
language: en
kind: optimize
function: x1**2 + 2*x2**2 + 3*x3**2
variables: [x1, x2, x3]
start: [1, 1, 1]
iterations: 2
optimizers:
  - {name: adam, learning_rate: 0.1}
  - {name: momentum, id: heavy, learning_rate: 0.1, momentum: 0.5}
"""


def test_three_variables_print_a_table_as_tall_as_its_rows(tmp_path: Path) -> None:
    """More than two variables have no plane to draw: the picture is the table of where each
    optimiser is, a head row and one row each, not a page of blank; an optimiser's id names
    its part and its row of the comparison; the point has three coordinates."""
    from stepper.engine import solve
    from stepper.lesson.load import load_lesson
    from stepper.printers.optimize import picture

    path = tmp_path / "three.yaml"
    path.write_text(THREE_VARIABLES)
    solution = solve(load_lesson(path, "three"))
    assert picture(solution, "en").height == 3
    doc = build_document(solution)
    assert [p.title for p in doc.parts] == ["Adam", "heavy"]
    assert doc.comparison is not None
    # momentum by hand: v → 0.5v − 0.1g, x → x + v; g = 2x, 4x, 6x from 1
    x = [1.0, 1.0, 1.0]
    v = [0.0, 0.0, 0.0]
    for _ in range(2):
        g = [2 * x[0], 4 * x[1], 6 * x[2]]
        v = [0.5 * vi - 0.1 * gi for vi, gi in zip(v, g, strict=True)]
        x = [xi + vi for xi, vi in zip(x, v, strict=True)]
    name, _, point, _ = doc.comparison.rows[1]
    assert name == "heavy"
    assert [float(c) for c in point] == pytest.approx(x, abs=5e-5)


#: Each optimiser's line on an exam sheet, written here from the lesson file.
SHEET_LINES = {
    "Momento": r"$\alpha = 0.0005$, $\beta = 0.9$",
    "Nesterov": r"$\alpha = 0.0005$, $\beta = 0.9$",
    "Adagrad": r"$\alpha = 0.1$, $\xi = 10^{-10}$",
    "AdaDelta": r"$\rho = 0.9$, $\xi = 0.001$",
    "Adam": r"$\alpha = 0.1$, $\beta_{1} = 0.9$, $\beta_{2} = 0.999$, $\xi = 10^{-8}$",
}
ROSENBROCK = r"f(x, y) = \left(1 - x\right)^{2} + 100 \left(y - x^{2}\right)^{2}"


@pytest.mark.parametrize("fmt", ["md", "tex", "html", "pdf"])
def test_an_exam_sheet_states_f_the_start_and_each_optimisers_parameters(
    fmt: str, tmp_path: Path
) -> None:
    """An exam sheet prints no formula of a step, so it states the problem itself: f's
    formula, where the optimisers start, and each optimiser's parameters under its name,
    just before its first exercise."""
    from stepper.exam.sheet import render_sheet

    sheet = render_sheet(fmt, [(solved("optimizers-1"), Options(blank="values"))])
    if fmt in ("md", "tex"):
        text = str(sheet)
        assert f"${ROSENBROCK}$; $x = -1.5, \\; y = 2$" in text
        for name, line in SHEET_LINES.items():
            head = f"**{name}:**" if fmt == "md" else rf"\paragraph{{{name}}}"
            assert f"{head} {line}" in text, name
        return
    if fmt == "pdf":
        text = pdf_text(bytes(sheet), tmp_path)
    else:  # the HTML's text, its MathML's tags left out
        text = re.sub(r"<[^>]+>", "", str(sheet).split("<body>")[1])
    text = text.replace("−", "-")
    assert "100" in text and "-1.5" in text
    for name, settings in LESSON_SETTINGS:
        first = text.index(f"{name} · ")  # its first exercise's heading
        between = text[text.rfind(name, 0, first - 1) : first]
        for key, value in settings.items():
            if key != "xi":
                assert f"{value:g}" in between, (fmt, name, key)
