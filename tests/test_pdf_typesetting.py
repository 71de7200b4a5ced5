"""The PDF's typesetting: formulas in prose set as math, lines of math that break only before
an operator, steps kept whole on a page, headings kept with what follows, the document's own
fonts only (no fallback font for a subscript the text font lacks)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stepper.catalog import builtin_ids
from stepper.engine import solve
from stepper.i18n import label
from stepper.lesson.load import load_lesson
from stepper.printers import REGISTRY, Options
from stepper.printers import pdf as pdf_printer
from stepper.printers.document import build_document
from stepper.printers.typography import quotes
from stepper.printers.typst_math import breaking
from stepper.printers.typst_prose import prose
from tests.conftest import solved

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdffonts") is None,
    reason="poppler's pdftotext and pdffonts are not installed",
)


def _maths(markup: str) -> list[str]:
    return re.findall(r"\$([^$]*)\$", markup)


# -- prose ------------------------------------------------------------------------------------


def test_a_formula_in_prose_is_math_kept_on_one_line() -> None:
    markup = prose("la entrada x₀ = 1 multiplica al sesgo w₁₀.", lang="es")
    assert "#box($x_(0) = 1$)" in markup
    assert _maths(markup) == ["x_(0) = 1", "w_(1 0)"] or _maths(markup) == ["x_(0) = 1", "w_(10)"]
    assert '#" multiplica al sesgo "' in markup


@pytest.mark.parametrize(
    ("text", "math"),
    [
        ("Δw = 2αxδ, un paso", ["Delta w = 2 alpha x delta"]),
        ("con ỹ₂ y ε₂ redondeados", ["tilde(y)_(2)", "ε_(2)"]),
        ("E[g²]₁ → ρ·E[g²]₁", ["E [g^(2)]_(1) -> ρ dot E [g^(2)]_(1)"]),
        ("redondea tgh(0.12) ≈ 0.12; con", ['op("tgh") (0.12) approx 0.12']),
        ("γₖ = (1 − zₖ²) δ₃ t₃ₖ. Después", ["γ_(k) = (1 - z_(k)^(2)) δ_(3) t_(3 k)"]),
        ("la entrada x₀⁽³⁾ de", ["x_(0)^((3))"]),
        ("es ỹ₁ = u₄ = 0,097 y", ['tilde(y)_(1) = u_(4) = 0","097']),
        ("y x es la entrada", ["x"]),
        ("paso a paso, u, ỹ, ε y los", ["u", "tilde(y)", "ε"]),
        ("Hacia atrás · nodo e", ["e"]),  # a graph's node, not the word e
        ("the edges of node a", ["a"]),
        ("La neurona de CS231n, f = σ(u)", ["f = σ (u)"]),
    ],
)
def test_formulas_found_in_prose(text: str, math: list[str]) -> None:
    found = _maths(prose(text, lang="es"))
    # Greek letters may be written by name or as themselves: compare the glyphs typst sets.
    names = {"Delta": "Δ", "alpha": "α", "delta": "δ"}
    normal = [re.sub(r"[A-Za-z]+", lambda m: names.get(m.group(), m.group()), f) for f in found]
    wanted = [re.sub(r"[A-Za-z]+", lambda m: names.get(m.group(), m.group()), f) for f in math]
    assert normal == wanted


@pytest.mark.parametrize(
    "text",
    [
        "paso a paso y los nuevos valores, u otros",
        "e con los nuevos valores de las entradas",
        "el gradiente respecto de cada nodo y cada entrada",
        "Celda (3, 1) del mapa 1",
        "el año pequeño de la señal",
        "that channel's kernel",
        "los logits 2.0, 1.0 y 0.1",
        "Después, un paso por la convolución, hasta su activación, y acción = éxito",
        "La neurona sigmoide de CS231n",
    ],
)
def test_words_stay_text(text: str) -> None:
    assert _maths(prose(text, lang="es")) == []


def test_quotes_are_typographic() -> None:
    assert quotes('Rosenbrock\'s "valley"', "en") == "Rosenbrock’s “valley”"
    assert quotes('el "valle"', "es") == "el «valle»"


# -- lines of math -------------------------------------------------------------------------------


def test_math_breaks_only_before_an_operator_outside_groups() -> None:
    markup = breaking("u_1 = w_(10) dot x_0 + (-0.2) times 0.1 - tanh(a + b) approx 0.29")
    boxes = re.findall(r"#box\(\$(.*?)\$\)", markup)
    assert boxes == [
        "u_1",
        "thick = thick w_(10) dot x_0",
        "med + med (-0.2) times 0.1",
        "med - med tanh(a + b)",
        "thick approx thick 0.29",
    ]
    # Nothing between the boxes but a break that takes no room.
    assert markup == "#sym.zws".join(f"#box(${b}$)" for b in boxes)


def test_escaped_parentheses_are_glyphs_a_line_may_break_inside() -> None:
    boxes = re.findall(r"#box\(\$(.*?)\$\)", breaking(r"\(a + b\) dot c"))
    assert boxes == [r"\(a", r"med + med b\) dot c"]


# -- the printed pages ---------------------------------------------------------------------------


def _pdf(lesson_id: str, tmp_path: Path) -> Path:
    path = tmp_path / f"{lesson_id}.pdf"
    data = REGISTRY["pdf"].render(solved(lesson_id), Options())
    assert isinstance(data, bytes)
    path.write_bytes(data)
    return path


@needs_poppler
@pytest.mark.parametrize("lesson_id", ["backprop-1", "classify-1", "optimizers-1"])
def test_only_the_documents_fonts(lesson_id: str, tmp_path: Path) -> None:
    """A glyph the text font lacks (a subscript ₀, say) would come from a fallback font."""
    listing = subprocess.run(
        ["pdffonts", str(_pdf(lesson_id, tmp_path))], capture_output=True, text=True, check=True
    ).stdout
    fonts = {line.split()[0].split("+")[-1] for line in listing.splitlines()[2:]}
    allowed = re.compile(r"NewCM10-\w+-Identity-H|NewCMMath-Book-Identity-H|DejaVuSansMono.*")
    assert fonts and all(allowed.fullmatch(f) for f in fonts), fonts


@needs_poppler
def test_one_epsilon(tmp_path: Path) -> None:
    """optimizers-1 writes ξ (the literature's ε) in formulas, explanations and notes, and ε
    once, where an explanation says so: every one is the formulas' (math italic, from the math
    font), none the text font's or a lunate ϵ."""
    text = subprocess.run(
        ["pdftotext", str(_pdf("optimizers-1", tmp_path)), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert text.count("𝜉") > 20
    assert text.count("𝜀") == 2  # "the literature writes ε; in the lecture ε is the error"
    assert not set("εϵ𝜖ξ") & set(text)


@needs_poppler
@pytest.mark.parametrize("lesson_id", ["cnn-1", "optimizers-1", "backprop-1"])
def test_steps_whole_on_a_page_and_headings_with_what_follows(
    lesson_id: str, tmp_path: Path
) -> None:
    path = _pdf(lesson_id, tmp_path)
    solution = solved(lesson_id)
    doc = build_document(solution)
    lang = solution.language
    headings = {s.title for s in doc.sections} | {
        label("doc.results", lang),
        label("pdf.data", lang),
    }
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = text.split("\f")[:-1]
    assert len(pages) > 1
    # A step's number, or a group of zero steps ("Pasos 70, 72–81").
    group = label("doc.steps", lang, n="").strip()
    step = re.compile(rf"^(\d+\. |{re.escape(group)} \d)")
    for n, page in enumerate(pages, 1):
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        body = lines[1:-1] if n > 1 else lines[:-1]  # the running title, the page number
        assert body[-1] not in headings, f"page {n} ends with the heading {body[-1]!r}"
        if n > 1:
            # A page starts with a step's number or a heading; a tall formula's scripts and
            # fractions may come first, but never words of an explanation.
            starts = [k for k, line in enumerate(body) if step.match(line) or line in headings]
            assert starts, f"page {n} has no step and no heading"
            before = body[: starts[0]]
            assert not any(re.search(r"[a-záéíóú]{4,}", line) for line in before), before


# -- every text compiles ----------------------------------------------------------------------


def _compiles(markups: list[str]) -> None:
    source = "\n\n".join(f"#par({m})" for m in markups)
    pdf_printer.compile_source(pdf_printer.preamble_for("es") + source)


@pytest.mark.parametrize("lang", ["es", "en"])
def test_every_lessons_prose_compiles(lang: str) -> None:
    """Each formula the finder sets as math is valid typst: one document of every summary,
    explanation and note of every built-in lesson compiles."""
    texts: set[str] = set()
    for lesson_id in builtin_ids():
        solution = solved(lesson_id, lang)
        texts.add(solution.summary or "")
        texts |= {s.explanation or "" for s in solution.steps}
        texts |= {s.note or "" for s in solution.steps}
    markups = [prose(t, lang=lang) for t in sorted(texts) if t]
    assert sum("$" in m for m in markups) > 50
    _compiles(markups)


@settings(max_examples=150, deadline=None)
@given(
    st.text(
        alphabet="xyzwαδεΔ∇∂ỹm\u0302₀₁₂ₖ²⁽⁾ᵗ0123456789.,;:=≈→+−·×/√‖()[]{}^ ’'\"ab", max_size=40
    )
)
def test_any_text_compiles(text: str) -> None:
    _compiles([prose(text, lang="es"), prose(text, lang="en", comma=True)])


@needs_poppler
@pytest.mark.slow
def test_a_step_taller_than_a_page_flows_on(tmp_path: Path) -> None:
    """A 300-input neuron's net input does not fit on one page: it goes on over the next
    instead of being kept whole and cut off at the foot. Every input is 0.777, so the text
    must show it 300 times in u₁'s substitution and 300 times in the increments."""
    inputs = 300
    weights = ", ".join(f"{(-1) ** j * (j % 7 + 1) / 100:.2f}" for j in range(inputs + 1))
    lesson = tmp_path / "wide.yaml"
    lesson.write_text(
        "id: wide\ntitle: wide\ndisplay: {decimals: 4}\n"
        f"network:\n  inputs: {inputs}\n  layers:\n    - activation: linear\n"
        f"      weights:\n        - [{weights}]\n"
        "training:\n  learning_rate: 0.1\n  samples:\n"
        f"    - x: [{', '.join(['0.777'] * inputs)}]\n      y: [1]\n",
        encoding="utf-8",
    )
    solution = solve(load_lesson(lesson, "wide"))
    path = tmp_path / "wide.pdf"
    data = REGISTRY["pdf"].render(solution, Options())
    assert isinstance(data, bytes)
    path.write_bytes(data)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert text.count("0.777") >= 2 * inputs


@needs_poppler
def test_names_are_never_hyphenated(tmp_path: Path) -> None:
    """In a narrow column the common words break with a hyphen, the names never do."""
    words = "Rosenbrock actualización Nesterov retropropagado AdaDelta descendente " * 6
    source = pdf_printer.preamble_for("es") + f"#box(width: 2.6cm)[{words}]"
    path = tmp_path / "names.pdf"
    path.write_bytes(pdf_printer.compile_source(source))
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    broken = [line for line in text.splitlines() if line.rstrip().endswith(("-", "\u00ad", "‐"))]
    assert broken, "nothing was hyphenated: the column does not test anything"
    assert not any(re.search(r"\b[A-Z]\w*[-\u00ad‐]$", line.rstrip()) for line in broken), broken
