"""The printed formats: golden files, worksheets without answers, LaTeX that compiles,
the format registry, and exam variants.

Golden files live in tests/golden/, one per built-in lesson and format, with the format's
real extension so that a diff reads as the document. ``STEPPER_UPDATE_GOLDEN=1 pytest``
rewrites them after a deliberate change.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from stepper.catalog import builtin_ids
from stepper.cli import build_parser, main
from stepper.engine import solve
from stepper.lesson.load import lesson_from_text
from stepper.numbers import pretty
from stepper.printers import REGISTRY, Options
from stepper.steps import Solution
from stepper.variation import SATURATION, make_variant, make_variants, variant_id
from tests.conftest import compile_latex, solved

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("STEPPER_UPDATE_GOLDEN") == "1"
TEXT_FORMATS = ("json", "md", "tex")


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
@pytest.mark.parametrize("lesson_id", builtin_ids())
def test_golden(lesson_id: str, fmt: str) -> None:
    document = REGISTRY[fmt].render(solved(lesson_id), Options())
    assert isinstance(document, str)
    path = GOLDEN / f"{lesson_id}.{fmt}"
    if UPDATE or not path.exists():
        path.write_text(document)
    assert document == path.read_text()


def test_format_choices_come_from_the_registry() -> None:
    solve_parser = build_parser()._subparsers._group_actions[0].choices["solve"]  # type: ignore[union-attr]
    formats = next(a for a in solve_parser._actions if a.dest == "format")
    assert sorted(formats.choices) == sorted(REGISTRY)


def test_an_unknown_format_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["solve", "backprop-1", "--format", "docx"])
    assert stop.value.code == 2
    assert "invalid choice: 'docx'" in capsys.readouterr().err


NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
INDICES = re.compile(r"[_^]\{[^{}]*\}")
#: Numbers the templates themselves write (the 2 of 2αxδ, the 1 of 1 − ỹ², max(0, z)).
CONSTANTS = {"0", "1", "2"}
BLOCKS = {
    "md": re.compile(r"^\$\$\n(.*?)\n\$\$$", re.S | re.M),
    "tex": re.compile(r"^\\\[\n(.*?)\n\\\]$|^\\begin\{align\*\}\n(.*?)\n\\end", re.S | re.M),
}


@pytest.mark.parametrize("fmt", ["md", "tex"])
@pytest.mark.parametrize("lesson_id", builtin_ids())
def test_worksheets_contain_no_answer(lesson_id: str, fmt: str) -> None:
    """Each step's math in a worksheet shows the lesson's given numbers and blanks: neither
    its own value nor any value an earlier step computed."""
    solution = solved(lesson_id)
    for blank in ("values", "all"):
        document = str(REGISTRY[fmt].render(solution, Options(blank=blank)))
        blocks = ["".join(m) for m in BLOCKS[fmt].findall(document)]
        assert len(blocks) == len(solution.steps)
        for step, block in zip(solution.steps, blocks, strict=True):
            numbers = set(NUMBER.findall(INDICES.sub("", block.replace("\\left(", "("))))
            givens = {q.shown for q in step.operands if q.step is None}
            # A step with no operands is a constant its template writes (a graph's
            # ∂n/∂m = −1 for a negation or a difference): its formula is its value.
            own = {step.shown} if step.operands else set()
            answers = own | {q.shown for q in step.operands if q.step is not None}
            leaked = (numbers & answers) - givens - CONSTANTS
            assert not leaked, f"{lesson_id} {fmt} {blank} step {step.n}: {leaked}"
            last = block.rstrip().removesuffix("\\end{aligned}").rstrip()
            assert last.endswith("\\boxed{\\phantom{0.00000}}")
        assert "Nota" not in document and "Note:" not in document


def test_worksheet_all_hides_substitutions() -> None:
    solution = solved("backprop-1")
    values = REGISTRY["md"].render(solution, Options(blank="values"))
    everything = REGISTRY["md"].render(solution, Options(blank="all"))
    assert "0.1 \\cdot 1 + \\left(-0.2\\right) \\cdot 0.1" in str(values)
    assert "0.1 \\cdot 1" not in str(everything)


def test_solution_shows_formula_substitution_value() -> None:
    md = str(REGISTRY["md"].render(solved("backprop-1"), Options()))
    assert (
        "w_{22} \\rightarrow w_{22} + \\Delta w_{22} = \\left(-0.6\\right) + 0.12152 = -0.47848"
    ) in md
    assert "−0.4782" in md  # the note on the slide's slip


def test_decimal_comma() -> None:
    text = (Path(__file__).parent.parent / "lessons" / "backprop-1.yaml").read_text()
    lesson = lesson_from_text(
        text.replace("  decimals: 5", "  decimals: 5\n  decimal_comma: true"), "comma"
    )
    md = str(REGISTRY["md"].render(solve(lesson), Options(comma=True)))
    assert "= -0{,}47848" in md
    assert "0.47848" not in md


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
@pytest.mark.parametrize("lesson_id", ["backprop-1", "backprop-2", "cnn-1", "rgb-1"])
@pytest.mark.slow
def test_latex_compiles(lesson_id: str, tmp_path: Path) -> None:
    for blank in ("none", "values"):
        source = tmp_path / f"{lesson_id}-{blank}.tex"
        source.write_text(str(REGISTRY["tex"].render(solved(lesson_id), Options(blank=blank))))
        compile_latex(source)
        assert source.with_suffix(".pdf").exists()


def test_variant_ids_regenerate_their_variant() -> None:
    from stepper.catalog import builtin_folder
    from stepper.lesson.load import load_lesson

    base = load_lesson(builtin_folder() / "backprop-1.yaml")
    exam = make_variants(base, seed=7, count=30)
    ids = [vid for vid, _ in exam]
    assert ids == [variant_id(7, i) for i in range(len(ids))] or len(set(ids)) == 30
    assert len({v.model_dump_json(include={"network", "training"}) for _, v in exam}) == 30
    for vid, variant in exam[:5]:
        assert make_variant(base, vid) == variant
    for _, variant in exam:
        sol = solve(variant)
        u2 = next(s for s in sol.steps if s.key == "u[1,2]")  # the tanh neuron
        assert abs(u2.value) <= SATURATION
        assert variant.notes == {}
    assert make_variants(base, seed=7, count=3) == exam[:3]
    assert make_variants(base, seed=8, count=3) != exam[:3]


def test_variants_through_the_command_line(tmp_path: Path) -> None:
    exam = tmp_path / "exam.md"
    key = tmp_path / "key.md"
    assert (
        main(
            [
                "solve",
                "backprop-1",
                "--variants",
                "4",
                "--seed",
                "7",
                "--worksheet",
                "--format",
                "md",
                "-o",
                str(exam),
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "solve",
                "backprop-1",
                "--variants",
                "4",
                "--seed",
                "7",
                "--format",
                "md",
                "-o",
                str(key),
            ]
        )
        == 0
    )
    sheets, answers = exam.read_text(), key.read_text()
    ids = re.findall(r"Variante (\w+)", sheets)
    assert len(ids) == 4 and ids == re.findall(r"Variante (\w+)", answers)
    one = tmp_path / "one.md"
    assert main(["solve", "backprop-1", "--variant", ids[2], "--format", "md", "-o", str(one)]) == 0
    assert one.read_text().split("Variante")[1] in answers


def test_a_lesson_without_variants_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["solve", "backprop-2", "--variants", "2", "--lang", "en"]) == 2
    assert "declares no variants" in capsys.readouterr().err


PICTURE = re.compile(r"^```text\n(.*?)\n```$", re.S | re.M)
#: Numbers of a contour plot that are not values: the ticks of its axes, and the number of
#: each optimiser's series in the legend.
CONTOUR_STRUCTURE = [
    re.compile(r"^\s*-?[\d.]+┤", re.M),
    re.compile(r"^\s*x(?:\s+-?[\d.]+)+\s*$", re.M),
    re.compile(r"(?<=[\s▓▒░:·])\d (?=\w)"),
]


def _graph_tables_blank(solution: Solution) -> None:
    """A graph's Markdown has no fenced picture but a table of nodes: on a worksheet the
    computed nodes' values and every gradient are blank, in the solution they are all there."""
    for blank in ("values", "all", "none"):
        document = str(REGISTRY["md"].render(solution, Options(blank=blank)))
        assert not PICTURE.findall(document)
        top = document.split("\n## ", 1)[0]  # the table before the data and the steps
        rows = [line.split("|")[1:-1] for line in top.splitlines() if line.startswith("| $")]
        computed = [row for row in rows if row[1].strip()]
        assert computed, solution.lesson_id
        for row in rows:
            filled = [cell.strip() != "" for cell in row[2:4]]
            given = not row[1].strip()  # an input: its value is the lesson's
            if blank == "none":
                assert all(filled), row
            else:
                assert filled == [given, False], (blank, row)


@pytest.mark.parametrize("lesson_id", builtin_ids())
def test_markdown_worksheet_pictures_contain_no_answer(lesson_id: str) -> None:
    """The picture at the top of a Markdown worksheet shows what the lesson gives and nothing
    a step computes (not a conv map's side), while the solution's picture shows the final
    values. An optimize worksheet has no picture: its paths, legend and table of iterates
    would be an empty frame. A graph's picture is a table of its nodes (markdown's own), whose
    worksheet leaves blank every value and gradient a step computes."""
    from tests.test_pdf import STRUCTURE, _answers, numbers

    solution = solved(lesson_id)
    if solution.graph is not None:
        _graph_tables_blank(solution)
        return
    answers = _answers(solution)
    for blank in ("values", "all"):
        document = str(REGISTRY["md"].render(solution, Options(blank=blank)))
        pictures = PICTURE.findall(document)
        if solution.optimize is not None:
            assert not pictures, lesson_id
            continue
        assert len(pictures) == 1, lesson_id
        text = pictures[0].replace("\u2212", "-")
        for pattern in (*STRUCTURE, *CONTOUR_STRUCTURE):
            text = pattern.sub(" ", text)
        leaked = {abs(n) for n in numbers(text)} & answers
        assert not leaked, f"{lesson_id} {blank}: {sorted(leaked)}"
    solved_picture = PICTURE.findall(str(REGISTRY["md"].render(solution, Options())))[0]
    last = solution.steps[-1]
    if solution.optimize is not None:  # each path's last f in its row of the legend
        finals = {s.key.partition(".")[0]: s for s in solution.steps if s.key.endswith(".f")}
        for step in finals.values():
            assert pretty(step.shown) in solved_picture, (lesson_id, step.key)
    elif solution.conv is None or solution.conv.image:
        shown = {s.shown for s in solution.steps if pretty(s.shown) in solved_picture}
        assert shown, lesson_id
    else:
        assert pretty(last.shown) in solved_picture, lesson_id
