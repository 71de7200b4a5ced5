"""The PDF: typst math for the formulas, documents that compile, and what their text says.

The PDF's text is read back with poppler's pdftotext. Typst writes math letters as Unicode math
italics (𝑤10) and the minus as U+2212, so the checks compare numbers, never letters: a number
glued to a letter is an index (𝑤10, 𝑥21), not a value.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import sympy

from stepper import formulas
from stepper.catalog import builtin_ids
from stepper.cli import main
from stepper.notation import Sym
from stepper.printers import REGISTRY, Options
from stepper.printers.typst_math import (
    compiled,
    constants,
    number_typst,
    sym_typst,
    typst_math,
)
from stepper.steps import Solution
from tests.conftest import solved

needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler's pdftotext is not installed"
)

# -- the math printer -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sym", "typst"),
    [
        (Sym("w", (1, 0)), "w_(10)"),
        (Sym("x", (1,)), "x_1"),
        (Sym("x", (1, 10)), "x_(1,10)"),
        (Sym("y", (2,), tilde=True), "tilde(y)_2"),
        (Sym("w", (1, 0), delta=True), "Delta w_(10)"),
        (Sym("w", (1, 0), delta=True, sample=2), "Delta w^((2))_(10)"),
        (Sym("eps", (1,)), "epsilon_1"),
        (Sym("eps2"), "epsilon^2"),
        (Sym("eps2", sample=1), "epsilon^(2(1))"),
        (Sym("delta", (1, 1), tag="z"), "delta^z_(11)"),
        (Sym("gamma", (1,)), "gamma_1"),
        (Sym("alpha"), "alpha"),
        (Sym("Fo"), "F_o"),
        (Sym("t", (3, 1)), "t_(31)"),
    ],
)
def test_symbols(sym: Sym, typst: str) -> None:
    assert sym_typst(sym) == typst


@pytest.mark.parametrize(
    ("shown", "alone", "comma", "typst"),
    [
        ("0.29", False, False, "0.29"),
        ("-0.2", False, False, "(-0.2)"),
        ("-0.2", True, False, "-0.2"),
        ("-0.47848", False, True, '(-0","47848)'),
        ("12", False, True, "12"),
        ("1e-05", True, False, "1 dot 10^(-5)"),
    ],
)
def test_numbers(shown: str, alone: bool, comma: bool, typst: str) -> None:
    assert number_typst(shown, comma=comma, alone=alone) == typst


def test_unevaluated_order_and_operators() -> None:
    x, y, z = sympy.symbols("x y z")
    expr = sympy.Add(
        sympy.Mul(z, x, evaluate=False),
        sympy.Mul(sympy.Integer(-1), y, evaluate=False),
        evaluate=False,
    )
    assert typst_math(expr) == "z dot x - y"
    assert typst_math(sympy.Mul(y, x, evaluate=False), mul="times") == "y times x"
    assert typst_math(sympy.tanh(x)) == "tanh(x)"
    assert typst_math(sympy.exp(x)) == "e^(x)"
    assert typst_math(sympy.log(x)) == "log(x)"
    assert typst_math(sympy.Heaviside(x, 0)) == "[x > 0]"
    assert typst_math(sympy.Max(0, x)) == "max(0, x)"
    assert typst_math(sympy.Rational(1, 2)) == "display(frac(1, 2))"
    assert typst_math(sympy.Pow(sympy.Add(x, y, evaluate=False), 2, evaluate=False)) == (
        "(x + y)^2"
    )


def test_templates_and_their_slots() -> None:
    def text(name: str, params: tuple[int | str, ...], arity: int) -> str:
        return compiled(name, params, arity).fill(lambda s: f"[{s.index}]")

    assert text("sum_products", (), 4) == "[0] dot [1] + [2] dot [3]"
    assert text("window", (1,), 5) == "[0] times [1] + [2] times [3] + [4]"
    assert text("difference", (), 2) == "[0] - [1]"
    assert text("activation", ("tanh",), 1) == "tanh([0])"
    assert text("activation", ("sigmoid",), 1) == "display(frac(1, 1 + e^(-[0])))"
    assert text("delta_output", ("tanh",), 2) == r"[0] dot \(1 - [1]^2\)"
    assert text("loss", ("half_sse",), 2) == "display(frac([0]^2 + [1]^2, 2))"
    assert text("mean", (), 3) == "display(frac([0] + [1] + [2], 3))"
    # Too long for a fraction that cannot break: a slash, which can.
    assert text("mean", (), 8).endswith(r"\) \/ 8")
    assert text("loss", ("cross_entropy",), 4) == (r"-\([0] dot log([1]) + [2] dot log([3])\)")
    relu = compiled("activation", ("relu",), 1)
    assert [p.enclosed for p in relu.parts if not isinstance(p, str)] == [True]
    assert constants("increment", (2,), 3) >= {2.0}


def test_formula_and_substitution_of_a_step() -> None:
    from stepper.printers.typst_math import formula_rhs, substitution

    step = solved("backprop-1").steps[0]
    assert formula_rhs(step) == "w_(10) dot x_0 + w_(11) dot x_1 + w_(12) dot x_2"
    assert substitution(step) == "0.1 dot 1 + (-0.2) dot 0.1 + 0.3 dot 0.7"
    assert substitution(step, comma=True) == '0","1 dot 1 + (-0","2) dot 0","1 + 0","3 dot 0","7'
    # Every kind of step the unicode printer writes, the typst one writes with the same slots.
    for lesson_id in builtin_ids():
        for step in solved(lesson_id).steps:
            template = compiled(step.template, step.params, len(step.operands))
            unicode = formulas.compiled(step.template, step.params, len(step.operands), "unicode")
            assert template.arity == len(set(re.findall(r"\{(\d+)\}", unicode.pattern)))


# -- the documents --------------------------------------------------------------------------

#: The page's body, below the running header and above the page number (A4 in points).
_BODY = ["-x", "0", "-y", "60", "-W", "596", "-H", "725"]


def pdf_text(pdf: bytes, tmp_path: Path, name: str = "doc", *, body: bool = False) -> str:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    run = subprocess.run(
        ["pdftotext", *(_BODY if body else []), str(path), "-"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return run.stdout.replace("\u2212", "-")


#: A number that is not part of another word: not an index glued to a math letter (𝑤10), nor
#: to a combining tilde (𝑦̃2), nor the rest of a longer number.
NUMBER = re.compile(r"(?<![\w\u0300-\u036f.,])-?\d+(?:\.\d+)?(?![\w.])")


def numbers(text: str) -> set[float]:
    return {float(token) for token in NUMBER.findall(text)}


def render(solution: Solution, **options: object) -> bytes:
    pdf = REGISTRY["pdf"].render(solution, Options(**options))  # type: ignore[arg-type]
    assert isinstance(pdf, bytes)
    return pdf


def test_the_pdf_printer_is_registered_as_binary() -> None:
    printer = REGISTRY["pdf"]
    assert printer.binary
    assert printer.render_many is not None


@needs_pdftotext
@pytest.mark.parametrize("lesson_id", builtin_ids())
def test_the_solution_shows_every_value(lesson_id: str, tmp_path: Path) -> None:
    solution = solved(lesson_id)
    pdf = render(solution)
    assert pdf.startswith(b"%PDF-")
    found = numbers(pdf_text(pdf, tmp_path))
    missing = [s.shown for s in solution.steps if float(s.shown) not in found]
    assert not missing, f"{lesson_id}: values not in the PDF: {missing}"


def _answers(solution: Solution) -> set[float]:
    """What a worksheet must not show: the values the steps compute, except those the lesson
    gives anyway (an input of 1, a weight of 0.1) and those the formulas write themselves
    (the 2 of 2αxδ, the 1 of 1 − ỹ²). Compared without sign: pdftotext cannot tell a binary
    minus glued to a number (1−0.5) from a negative sign. The numbers of the pairs in the
    data's table (1, 2, …) are structure, which pdftotext cannot tell apart from a value
    such as xor-1's u₂ = −3 once the table's columns are taken apart."""
    allowed = {abs(q.value) for q in solution.given}
    if solution.network is not None and len(solution.network.samples) > 1:
        allowed |= set(map(float, range(1, len(solution.network.samples) + 1)))
    if solution.graph is not None:
        # A node's digits are its name (n₄, w₂₀), which pdftotext sets apart from the letter
        # in a fraction's numerator or denominator (∂n₆/∂n₅).
        names = {node.name for run in solution.graph.runs for node in run.nodes}
        allowed |= {float(name[1:]) for name in names if name[1:]}
    computed = set()
    for step in solution.steps:
        allowed |= {abs(float(q.shown)) for q in step.operands if q.step is None}
        allowed |= {abs(c) for c in constants(step.template, step.params, len(step.operands))}
        computed.add(abs(float(step.shown)))
    return computed - allowed


#: Numbers that are not values: step numbers, a pair, an iteration, a neuron, a map cell.
STRUCTURE = [
    re.compile(r"^\d+\.(?=\s)", re.M),
    re.compile(
        r"\b(?:par|pair|iteración|iteration|neurona|neuron|oculta|hidden|salida|output|clase|"
        r"class|mapa|map|kernel|canal|channel|celda|cell|capa|layer)\s+\d+",
        re.I,
    ),
    re.compile(r"\(\d+, \d+\)"),
    re.compile(r"\(\d+ [^\W\d]+\)"),  # a neuron in the drawing: its number and activation
    re.compile(r"\d+ (?:más|more)\b"),  # how many the drawing leaves out
]


@needs_pdftotext
@pytest.mark.parametrize("lesson_id", builtin_ids())
def test_worksheets_contain_no_answer(lesson_id: str, tmp_path: Path) -> None:
    solution = solved(lesson_id)
    answers = _answers(solution)
    for blank in ("values", "all"):
        text = pdf_text(render(solution, blank=blank), tmp_path, blank, body=True)
        for pattern in STRUCTURE:
            text = pattern.sub(" ", text)
        leaked = {abs(n) for n in numbers(text)} & answers
        assert not leaked, f"{lesson_id} {blank}: {sorted(leaked)}"
        assert "Nota" not in text and "Note:" not in text
        assert "Resultados" not in text and "Results" not in text


@needs_pdftotext
def test_worksheet_all_hides_the_substitutions(tmp_path: Path) -> None:
    solution = solved("backprop-1")
    values = pdf_text(render(solution, blank="values"), tmp_path, "values")
    everything = pdf_text(render(solution, blank="all"), tmp_path, "all")
    assert "0.1 ⋅ 1 + (-0.2) ⋅ 0.1 + 0.3 ⋅ 0.7" in values
    assert "0.1 ⋅ 1" not in everything
    assert "Nombre:" in values


@needs_pdftotext
@pytest.mark.parametrize("lesson_id", ["backprop-1", "cnn-1", "classify-1", "regression-1"])
@pytest.mark.slow
def test_no_line_runs_off_the_page(lesson_id: str, tmp_path: Path) -> None:
    solution = solved(lesson_id)
    for blank in ("none", "values", "all"):
        path = tmp_path / f"{blank}.pdf"
        path.write_bytes(render(solution, blank=blank))
        run = subprocess.run(
            ["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True
        )
        right = max(float(x) for x in re.findall(r'xMax="([\d.]+)"', run.stdout))
        assert right <= 595.3 - 56.7 + 1, f"{lesson_id} {blank}: a word ends at {right:.1f}pt"


@needs_pdftotext
def test_decimal_comma_language_and_variant(tmp_path: Path) -> None:
    comma = pdf_text(render(solved("backprop-1"), comma=True), tmp_path, "comma")
    assert "0,29" in comma and "-0,47848" in comma
    assert not re.search(r"(?<![\w\u0300-\u036f])\d+\.\d", comma)
    english = pdf_text(render(solved("backprop-1", "en"), variant="K3"), tmp_path, "en")
    assert "Solution" in english and "Variant K3" in english and "Data" in english
    spanish = pdf_text(render(solved("cnn-1"), blank="values"), tmp_path, "es")
    assert "Hoja de ejercicios" in spanish and "imagen x 6×6" in spanish


@needs_pdftotext
def test_several_variants_in_one_pdf(tmp_path: Path) -> None:
    many = REGISTRY["pdf"].render_many
    assert many is not None
    pdf = many(
        [
            (solved("backprop-1"), Options(blank="values", variant="A1")),
            (solved("backprop-1"), Options(blank="values", variant="B2")),
        ]
    )
    assert isinstance(pdf, bytes)
    text = pdf_text(pdf, tmp_path, "many")
    assert "Variante A1" in text and "Variante B2" in text
    assert text.count("\f") >= 2  # each variant starts on a page of its own


def test_pdf_needs_an_output_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["solve", "backprop-1", "--format", "pdf", "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert "--format pdf needs -o FILE" in err
    assert "Traceback" not in err
    out = tmp_path / "backprop-1.pdf"
    assert main(["solve", "backprop-1", "--format", "pdf", "-o", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF-")
    sheet = tmp_path / "sheet.pdf"
    assert main(["solve", "cnn-1", "--format", "pdf", "--worksheet", "all", "-o", str(sheet)]) == 0
    assert sheet.read_bytes().startswith(b"%PDF-")


def test_the_same_lesson_gives_the_same_bytes() -> None:
    solution = solved("conv-1")
    assert render(solution) == render(solution)
