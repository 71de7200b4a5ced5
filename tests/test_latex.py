"""LaTeX and Markdown as sources an instructor edits: equations inside the margins (compiled
with the installed TeX), no internal step keys, babel with the lesson's language; and the line
breaking of long equations (``stepper.printers.math_lines``) on its own."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from stepper.catalog import builtin_ids
from stepper.printers import REGISTRY, Options, math_lines
from tests.conftest import compile_latex, solved

OVERFULL = re.compile(r"Overfull \\hbox \((\d+(?:\.\d+)?)pt too wide\)[^\n]*\n(.*?)\n\n", re.S)
#: How far a line may stick out: TeX's own tolerance for a figure, not for an equation.
TOLERANCE_PT = 5.0


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
@pytest.mark.parametrize("lesson_id", builtin_ids())
@pytest.mark.slow
def test_no_line_past_the_margin(lesson_id: str, tmp_path: Path) -> None:
    """Every lesson's solution, and its worksheet in the other language, compiles with no box
    more than 5 pt past the margin (cnn-1 had 18, up to 306 pt)."""
    solution = solved(lesson_id)
    other = solved(lesson_id, "en" if solution.language == "es" else "es")
    for name, solved_, options in (
        ("solution", solution, Options()),
        ("sheet", other, Options(blank="values")),
    ):
        source = tmp_path / f"{lesson_id}-{name}.tex"
        source.write_text(str(REGISTRY["tex"].render(solved_, options)))
        compile_latex(source)
        log = source.with_suffix(".log").read_text(errors="replace")
        wide = [(float(pt), where[:120]) for pt, where in OVERFULL.findall(log)]
        assert not [w for w in wide if w[0] > TOLERANCE_PT], f"{lesson_id} {name}: {wide}"


@pytest.mark.skipif(shutil.which("lualatex") is None, reason="lualatex is not installed")
@pytest.mark.parametrize("lesson_id", builtin_ids())
@pytest.mark.slow
def test_lualatex_compiles_it_too(lesson_id: str, tmp_path: Path) -> None:
    """An instructor on LuaLaTeX gets the same document: the lecture's characters (α, ỹ, ₁₂)
    are defined there too, none is missing from the font (no word set as math: é)."""
    source = tmp_path / f"{lesson_id}.tex"
    source.write_text(str(REGISTRY["tex"].render(solved(lesson_id), Options())))
    run = subprocess.run(
        ["lualatex", "-interaction=nonstopmode", "-halt-on-error", source.name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-2000:]
    log = source.with_suffix(".log").read_text(errors="replace")
    assert "Missing character" not in log
    assert not [pt for pt, _ in OVERFULL.findall(log) if float(pt) > TOLERANCE_PT]


#: A step key as the engine writes it (dk[1,1,1,1], momentum.grad[x], w[1,2,0]).
KEY = re.compile(r"\b[A-Za-z_]+(?:\.[A-Za-z_]+)*\[(?:\d+(?:,\d+)*|[a-z]+)\]", re.ASCII)


def _read(fmt: str, rendered: str | bytes, tmp_path: Path) -> str:
    """What a reader of the document reads: the LaTeX body (a preamble's \\newcommand\\X[2]
    is no key), the HTML page's text without its tags and styles, the PDF's text."""
    if fmt == "tex":
        return str(rendered).split(r"\begin{document}")[-1]
    if fmt == "html":
        body = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", str(rendered), flags=re.S)
        return html.unescape(re.sub(r"<[^>]+>", " ", body))
    if fmt == "pdf":
        if shutil.which("pdftotext") is None:
            pytest.skip("pdftotext is not installed")
        path = tmp_path / "document.pdf"
        path.write_bytes(bytes(rendered) if isinstance(rendered, bytes) else rendered.encode())
        done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
        return done.stdout.decode()
    return str(rendered)


@pytest.mark.parametrize("fmt", ["md", "tex", "html", "pdf"])
@pytest.mark.parametrize("lesson_id", builtin_ids())
def test_no_internal_key(lesson_id: str, fmt: str, tmp_path: Path) -> None:
    """The reader sees the lecture's names (Δk₁₁), never the engine's keys (dk[1,1,1,1]), in
    any document a class is given."""
    solution = solved(lesson_id)
    document = _read(fmt, REGISTRY[fmt].render(solution, Options()), tmp_path)
    keyed = [s.key for s in solution.steps if "[" in s.key or "." in s.key]
    assert not [key for key in keyed if key in document]
    assert not KEY.findall(document)


@pytest.mark.parametrize(("lang", "babel"), [("es", "spanish"), ("en", "english")])
def test_babel_speaks_the_lesson_language(lang: str, babel: str) -> None:
    document = str(REGISTRY["tex"].render(solved("backprop-1", lang), Options()))
    assert rf"\usepackage[{babel},provide=*]{{babel}}" in document


# -- breaking long equations ---------------------------------------------------------------


def _terms(count: int) -> str:
    return " + ".join(f"w_{{{i}}} x_{{{i}}}" for i in range(1, count + 1))


def _unbroken(line_list: list[math_lines.Line]) -> str:
    """The equation the lines print, without the alignment and the line's delimiters."""
    joined = " ".join(f"{line.left} {line.right}" for line in line_list)
    for mark in (r"\right.", r"\left.", r"\quad", "{}"):
        joined = joined.replace(mark, " ")
    return " ".join(joined.split())


def test_an_equation_that_fits_stays_on_one_line() -> None:
    assert math_lines.lines(["u_{1}", "0.1 + 0.2", "0.3"]) is None


def test_a_long_sum_breaks_before_a_plus_and_keeps_every_term() -> None:
    formula = "u_{1} = " + _terms(30)
    result = math_lines.lines([formula, "1"], room=30)
    assert result is not None and len(result) >= 3
    for line in result[1:-1]:
        assert line.left == ""
        assert line.right.startswith(r"\quad {} + ")
    assert all(math_lines.width(line.right) <= 30 for line in result)
    assert _unbroken(result) == " ".join(f"{formula} = 1".split()).replace("u_{1} =", "u_{1} =")
    assert result[-1].right == "= 1"


def test_lines_of_a_broken_sum_are_about_as_wide() -> None:
    """Evened out: no last line with one lonely term."""
    result = math_lines.lines(["s = " + _terms(15)], room=36)
    assert result is not None and len(result) == 2
    widths = [math_lines.width(line.right) for line in result]
    assert max(widths) - min(widths) < 6


def test_a_break_inside_parentheses_closes_and_reopens_them() -> None:
    """α(a + b + …) broken inside the parentheses: each line has as many \\left as \\right."""
    inner = " + ".join(f"\\left(-0.{i}\\right) \\cdot 0.{i}" for i in range(1, 25))
    result = math_lines.lines([r"\Delta k", rf"0.5 \cdot \left({inner}\right)"], room=30)
    assert result is not None
    for line in result:
        assert line.right.count(r"\left") == line.right.count(r"\right"), line.right
    # A minus right after "(" is a sign: no line starts with it.
    assert not any(line.right.startswith(r"\quad \left.{} -") for line in result)
    assert result[1].right.startswith(r"\quad \left.{} + ")


def test_width_reads_scripts_and_fractions_smaller() -> None:
    assert math_lines.width("x_{123}") < math_lines.width("x123")
    assert math_lines.width(r"\frac{1234}{5}") < math_lines.width("1234 5")
    assert math_lines.width(r"\left(1\right)") == pytest.approx(math_lines.width("(1)"))
    # A sign takes no space around it; an operator does.
    assert math_lines.width(r"\left(-1\right)") < math_lines.width("(a - 1)") - 0.9


@pytest.mark.parametrize(("lesson_id", "neurons"), [("backprop-1", 2), ("forward-1", 5)])
def test_tikz_draws_each_neuron_as_a_round_box(lesson_id: str, neurons: int) -> None:
    """The lecture's circle: a round box as wide as "(1 tanh)" that the wires end on, its name
    inside in the lesson's language, not parentheses the wires run into."""
    document = str(REGISTRY["tex"].render(solved(lesson_id), Options()))
    boxes = re.findall(
        r"\\node\[draw=[^]]*rounded corners[^]]*\] at \([^)]*\) \{([^}]*)\};", document
    )
    assert len(boxes) == neurons
    assert all(re.fullmatch(r"\d+ (lineal|tgh)", box) for box in boxes), boxes
    assert not re.search(r"\{\(\d+ (lineal|tgh)\)\}", document)


@pytest.mark.parametrize(("lang", "quoted"), [("es", "«borde»"), ("en", "“edge”")])
def test_prose_has_typographic_quotes(lang: str, quoted: str) -> None:
    """cnn-1's two classes are quoted with the language's marks: no straight mark."""
    document = str(REGISTRY["tex"].render(solved("cnn-1", lang), Options()))
    body = document.split(r"\begin{document}")[1]
    assert '"' not in body
    assert quoted in body


def test_an_exam_item_never_breaks_across_lines() -> None:
    """ "e) Δw₁₂ =" and its box stay together: each item is one \\mbox."""
    from stepper.exam.sheet import latex

    sheet = latex([(solved("backprop-1"), Options(blank="exam"))])
    boxes = sheet.count(r"\boxed{\phantom{")
    assert boxes == len(solved("backprop-1").steps)
    assert len(re.findall(r"\\mbox\{[a-z]\) \$[^$]*\\boxed\{\\phantom\{0+\}\}\$\}", sheet)) == boxes


def test_formulas_in_the_prose_are_math() -> None:
    """ "la entrada x₀ = 1 multiplica al sesgo w₁₀": the formula in the equations' italic, in
    one piece (never "x₀ =" at a line's end), w₁₀ one subscript of two digits, names upright."""
    document = str(REGISTRY["tex"].render(solved("backprop-1"), Options()))
    assert r"la entrada \mbox{$x_{0} = 1$} multiplica al sesgo \mbox{$w_{10}$}" in document
    assert r"\mbox{$\operatorname{tgh}(0.12) ≈ 0.12$}" in document
    assert "_{1}_{0}" not in document


#: A Markdown table's header row with no heading in it.
BLANK_HEADER = re.compile(r"^\|(?: *\|)+\n\|(?:-+\|)+$", re.M)


@pytest.mark.parametrize("lesson_id", builtin_ids())
def test_markdown_tables_have_real_headers(lesson_id: str) -> None:
    """Every Markdown table is headed (a layer's W by its inputs and net inputs); an image, a
    kernel or a map is a matrix, as the lecture writes it, not a table under an empty row."""
    for options in (Options(), Options(blank="values")):
        document = str(REGISTRY["md"].render(solved(lesson_id), options))
        assert not BLANK_HEADER.findall(document)


def test_an_image_in_markdown_is_a_matrix() -> None:
    document = str(REGISTRY["md"].render(solved("conv-1"), Options()))
    kernel = r"$$\begin{pmatrix} 1 & 0 & -1 \\ 1 & 0 & -1 \\ 1 & 0 & -1 \end{pmatrix}$$"
    assert kernel in document


def test_a_latex_table_stays_with_its_title() -> None:
    """cnn-1's "Capa densa: pesos iniciales" sat at a page's foot, its table on the next:
    title and table are one unbreakable block; the image and kernels are matrices."""
    document = str(REGISTRY["tex"].render(solved("cnn-1"), Options()))
    blocks = re.findall(
        r"\\begin\{minipage\}\{\\linewidth\}\n\\textbf\{([^}]*)\}\\par\n(.*?)\\end\{minipage\}",
        document,
        re.S,
    )
    titles = dict(blocks)
    assert r"\begin{tabular}" in titles["Capa densa: pesos iniciales"]
    assert titles["Kernel 1: bordes verticales"].startswith(r"\[\begin{pmatrix} 0.5 & 0 & -0.5")


@pytest.mark.skipif(
    shutil.which("pdflatex") is None or shutil.which("pdftotext") is None,
    reason="pdflatex or pdftotext is not installed",
)
@pytest.mark.slow
def test_no_proper_name_is_hyphenated(tmp_path: Path) -> None:
    """optimizers-1's title broke "Rosen-brock" at the line's end."""
    source = tmp_path / "optimizers-1.tex"
    source.write_text(str(REGISTRY["tex"].render(solved("optimizers-1"), Options())))
    compile_latex(source)
    words = subprocess.run(
        ["pdftotext", str(source.with_suffix(".pdf")), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Rosenbrock" in words
    assert not re.findall(r"\b[A-Z]\w*-\n\w", words)


def test_a_sum_of_785_terms_breaks_as_measuring_each_line_would() -> None:
    """The widths of the runs between cuts, measured once, are those of the slices measured
    one by one (in context and alone), so a 784-input u breaks as before, only without
    measuring every candidate line anew (which took minutes)."""
    from stepper.printers.math_lines import _breaks, _scan, _Spans, _width, lines

    terms = [f"w_{{1,{j}}} \\cdot {(-1) ** j * 0.25 * j:g}" for j in range(785)]
    tex = " + ".join(terms).replace("+ -", "- ")
    tokens, _ = _scan(tex)
    cuts = [i for i, _ in _breaks(tokens)]
    spans = _Spans(tokens, cuts)
    for a, b in [(0, cuts[3]), (cuts[10], cuts[40]), (cuts[500], len(tokens))]:
        assert spans.run(a, b) == pytest.approx(_width(tokens[a:b]), abs=1e-9)
        assert spans.prefix(b) == pytest.approx(_width(tokens[:b]), abs=1e-9)
    broken = lines([r"u_{1}", tex])
    assert broken is not None and len(broken) > 20
