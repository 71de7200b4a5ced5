"""The HTML printer: one self-contained file, MathML that browsers lay out, worksheets that give
nothing away, and (where Chromium is installed) what a browser actually shows and prints."""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
import tempfile
import zlib
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import pytest

from stepper.catalog import builtin_ids
from stepper.printers import REGISTRY, Options
from stepper.printers.document import Blank, build_document
from stepper.printers.grouping import ZeroGroup
from stepper.printers.html import _censor, mathml, render, render_many
from stepper.steps import Solution
from tests.conftest import solved

LESSONS = builtin_ids()
BLANKS: tuple[Blank, ...] = ("none", "values", "all")
VOID = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    }
)


@cache
def solution(lesson_id: str) -> Solution:
    return solved(lesson_id)


@cache
def page(lesson_id: str, blank: Blank = "none", comma: bool = False) -> str:
    return render(solution(lesson_id), Options(blank=blank, comma=comma))


class Page(HTMLParser):
    """Checks that tags balance, and collects the visible text: per step its value, and every
    number with where it stands (in math, in a script position, in the picture)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict[str, str | None], list[int]]] = []
        self.errors: list[str] = []
        self.text: list[str] = []
        self.math_text: list[str] = []
        self.values: dict[int, str] = {}
        self.numbers: list[tuple[str, bool, bool]] = []  # (number, in math, in a script)
        self.step: int | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.stack:
            self.stack[-1][2][0] += 1
        if tag in VOID:
            return
        self.stack.append((tag, dict(attrs), [0]))
        found = re.fullmatch(r"step-(\d+)", dict(attrs).get("id") or "")
        if found:
            self.step = int(found.group(1))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.stack:
            self.stack[-1][2][0] += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1][0] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1][0] if self.stack else 'nothing'}")
            return
        self.stack.pop()

    def _inside(self, name: str, value: str | None = None) -> bool:
        return any(
            tag == name if value is None else value in (attrs.get("class") or "").split()
            for tag, attrs, _ in self.stack
        )

    def handle_data(self, data: str) -> None:
        if self._inside("style") or self._inside("title"):
            return
        self.text.append(data)
        if self._inside("math"):
            self.math_text.append(data)
        if self.step is not None and self._inside("span", "value"):
            self.values[self.step] = self.values.get(self.step, "") + data
        if self._inside("span", "n"):
            return  # the step's number
        in_math = self._inside("math")
        script = any(
            tag in ("msub", "msup", "msubsup", "munder", "mover") and count[0] > 1
            for tag, _, count in self.stack
        )
        for token in re.findall(r"\d+(?:[.,]\d+)?", data):
            self.numbers.append((token.replace(",", "."), in_math, script))


def parse(html: str) -> Page:
    parser = Page()
    parser.feed(html)
    parser.close()
    return parser


# --- every lesson, every kind of sheet ---------------------------------------------------------


def test_registered() -> None:
    printer = REGISTRY["html"]
    assert not printer.binary
    assert printer.render_many is not None


@pytest.mark.parametrize("blank", BLANKS)
@pytest.mark.parametrize("lesson_id", LESSONS)
def test_self_contained_and_well_formed(lesson_id: str, blank: Blank) -> None:
    html = page(lesson_id, blank)
    assert html.startswith("<!DOCTYPE html>\n<html lang=")
    lang = solution(lesson_id).language
    assert f'<html lang="{lang}">' in html
    assert re.search(r"<title>[^<]+</title>", html)
    for external in (
        "http://",
        "https://",
        "src=",
        "<link",
        "<script",
        "url(",
        "@import",
        "xlink:href",
        "href=",
    ):
        assert external not in html, external
    parser = parse(html)
    assert not parser.errors, parser.errors[:5]
    assert not parser.stack, [tag for tag, _, _ in parser.stack]


@pytest.mark.parametrize("lesson_id", LESSONS)
def test_every_value_is_shown(lesson_id: str) -> None:
    values = parse(page(lesson_id)).values
    doc = build_document(solution(lesson_id))
    # A step 0 for the same reason as others is shown in their group, under its first step.
    home = {
        s.n: item.steps[0].n
        for section in doc.sections
        for item in section.items
        if isinstance(item, ZeroGroup)
        for s in item.steps
    }
    for step in solution(lesson_id).steps:
        shown = values.get(home.get(step.n, step.n), "").replace("\u2212", "-").strip("=\u2248 ")
        assert shown == step.shown, step.key


@pytest.mark.parametrize("blank", BLANKS)
@pytest.mark.parametrize("lesson_id", LESSONS)
def test_math_is_mathml_with_no_latex_left(lesson_id: str, blank: Blank) -> None:
    html = page(lesson_id, blank)
    assert html.count("<math>") >= len(solution(lesson_id).steps)
    parser = parse(html)
    text = "".join(parser.text)
    assert not re.search(r"\\[A-Za-z]+", text), re.search(r".{30}\\[A-Za-z]+.{30}", text)
    assert 'class="math-fallback"' not in html  # every formula converted
    for leftover in ("\\left", "\\right", "\\cdot", "\\times", "\\frac"):
        assert leftover not in text
    math = "".join(parser.math_text)
    assert not set("{}^_\\") & set(math), math[:300]


def _givens(sol: Solution) -> set[float]:
    """Every number the lesson gives: inputs, weights, targets, α, the image and kernels, sizes."""
    numbers = {q.value for q in sol.given}
    for step in sol.steps:
        numbers.update(q.value for q in step.operands if q.step is None)
    if sol.network is not None:
        numbers.update(v for x in sol.network.samples for v in x)
        numbers.update(v for t in sol.network.targets if t is not None for v in t)
    if sol.conv is not None:
        numbers.update(v for m in sol.conv.image for row in m for v in row)
        numbers.update(v for k in sol.conv.kernels for m in k for row in m for v in row)
        numbers.update(sol.conv.biases)
    return numbers


@pytest.mark.parametrize("blank", ["values", "all"])
@pytest.mark.parametrize("lesson_id", LESSONS)
def test_worksheet_gives_no_answer(lesson_id: str, blank: Blank) -> None:
    """No computed value appears, unless the lesson gives the same number (a ReLU or a pooling
    passes an input on; 0.1 may be both α and an input).

    Decimals and numbers of two digits or more are looked for everywhere but in subscripts
    and superscripts (x₅₄ is a cell): the text, the math, the picture. A one-digit integer is
    also an index, a step number, a pair or a map number (and 0, 1, 2 the formulas' own
    constants): those are looked for only as numbers in the math."""
    sol = solution(lesson_id)
    givens = _givens(sol)
    parser = parse(page(lesson_id, blank))
    everywhere = {n for n, _, script in parser.numbers if not script}
    in_math = {n for n, math, script in parser.numbers if math and not script}
    givens = {abs(v) for v in givens}
    for step in sol.steps:
        value = abs(float(step.shown))
        if value in givens:
            continue
        shown = step.shown.lstrip("-")
        if "." in shown or value >= 10:
            assert shown not in everywhere, (step.n, step.key, shown)
        elif value > 2:
            assert shown not in in_math, (step.n, step.key, shown)


@pytest.mark.parametrize("lesson_id", LESSONS)
def test_worksheet_boxes(lesson_id: str) -> None:
    steps = len(solution(lesson_id).steps)
    values = page(lesson_id, "values")
    assert values.count('class="box value"') == steps
    assert 'class="value"' not in values and 'class="results"' not in values
    every = page(lesson_id, "all")
    assert every.count('class="box value"') == steps
    assert every.count('class="box sub"') >= 1
    assert 'class="summary"' not in every and 'class="note"' not in every


def test_worksheet_boxes_replace_what_earlier_steps_computed() -> None:
    """ỹ₂ = tanh(u₂) = tanh(□): the substitution keeps given numbers and boxes earlier results."""
    html = page("backprop-1", "values")
    step = re.search(r'id="step-4".*?</li>', html, re.S)
    assert step is not None
    assert 'mpadded class="blank"' in step.group()
    assert "0.12" not in step.group()
    first = re.search(r'id="step-1".*?</li>', html, re.S)
    assert first is not None and "<mn>0.7</mn>" in first.group()  # x₂ is given


def test_explanations_of_a_worksheet_keep_indices_and_hide_results() -> None:
    html = page("shape-1", "values")
    assert "14" not in re.sub(r"<[^>]+>", "", html.split("</header>", 1)[1])
    assert "Celda (1, 2) del mapa 1" in page("cnn-1", "values")


def test_censor_boxes_results_not_indices() -> None:
    text = "K mapas (32 × 4 × 4); celda (1, 4) del mapa 1; sale 0.25, no 4; 16 valores"
    out = _censor(text, frozenset({16.0, 4.0, 0.25, 1.0}), comma=False)
    assert out.count('class="box small"') == 4  # 4, 4, 0.25 and 16
    assert "(1, 4)" in out and "mapa 1" in out and "no 4" in out and "32" in out


def test_decimal_comma() -> None:
    html = page("backprop-1", comma=True)
    assert "<mn>0,29</mn>" in html and "<mn>0.29</mn>" not in html
    assert "w₁₂ = 0,3" in html  # in the picture
    # Text nodes joined with a space: an explanation's last "1." and the next step's number
    # are separate elements, not the number "1.26".
    assert not re.search(r"\d\.\d", " ".join(parse(html).text))


# --- MathML ------------------------------------------------------------------------------------

LECTURE_LATEX = {
    r"\left(-0.2\right) \cdot 0.1": ["<mo>·</mo>", '<mo form="prefix">−</mo>', "<mn>0.2</mn>"],
    r"0.9 \times 0.5": ["<mo>×</mo>"],
    r"\tilde{y}_{2} = \tanh{\left(u_{2} \right)}": ['<mover accent="true">', "<mi>tanh</mi>"],
    r"\varepsilon_{1} = y_{1} - \tilde{y}_{1}": ["<mi>ε</mi>", "<msub>"],
    r"\Delta w_{10} = 2 \alpha x_{0} \delta_{1}": ['<mi mathvariant="normal">Δ</mi>', "<mi>α</mi>"],
    r"p_{11} = \operatorname{max}{\left(a_{11},a_{12} \right)}": ["<mi>max</mi>"],
    r"a_{11} = \max\left(0, z_{11}\right)": ["<mi>max</mi>"],
    r"\delta^{z}_{11} = \delta^{a}_{11} \theta\left(a_{11}\right)": ["<mi>θ</mi>", "<msubsup>"],
    r"O = \frac{D - N + 2 p}{s} + 1": ["<mfrac>"],
    r"{\varepsilon^{2}}^{(2)}": ["<msup>", '<mo stretchy="false">(</mo><mn>2</mn>'],
    r"k^{(1)}_{11} = 1": ["<msubsup>"],
    r"w_{10} \rightarrow w_{10} + \Delta w_{10}": ['<mo form="infix">→</mo>'],
}


@pytest.mark.parametrize("latex", list(LECTURE_LATEX))
def test_lecture_notation_converts(latex: str) -> None:
    out = mathml(latex)
    assert out.startswith("<math>") and "\\" not in out and "xmlns" not in out
    for part in LECTURE_LATEX[latex]:
        assert part in out, (part, out)


def test_long_sums_wrap_between_terms() -> None:
    out = mathml(r"u_{1} = a + b + \left(c + d\right) - e")
    assert out.count("<math>") == 6  # u₁, = a, + b, + (c, + d), − e
    assert '<mo form="infix">+</mo>' in out


def test_blank_in_math() -> None:
    assert 'class="blank"' in mathml(r"0.2 - \square")


# --- several documents -------------------------------------------------------------------------


def test_variants_one_file_page_breaks() -> None:
    sol = solution("backprop-1")
    html = render_many([(sol, Options(variant="A")), (sol, Options(blank="values", variant="B"))])
    assert html.count("<article") == 2 and html.count("<!DOCTYPE") == 1
    assert "Variante A" in html and "Variante B" in html
    assert re.search(r"\.document \+ \.document \{ break-before: page; \}", html)
    assert "@page { size: A4" in html and "@media print" in html
    parser = parse(html)
    assert not parser.errors and not parser.stack


def test_cli(tmp_path: Path) -> None:
    from stepper.cli import main

    out = tmp_path / "backprop-1.html"
    assert main(["solve", "backprop-1", "--format", "html", "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


# --- in a browser ------------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium is not installed (apt-get install chromium): the HTML is not opened in a "
    "browser, so its rendering is not checked",
)


def _chromium(*args: str) -> subprocess.CompletedProcess[bytes]:
    assert CHROMIUM is not None
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                f"--user-data-dir={profile}",
                *args,
            ],
            capture_output=True,
            timeout=180,
            check=False,
        )


def _png(path: Path) -> tuple[int, int, bytes]:
    """The size of a PNG and its image data, decompressed (still filtered: enough to tell an
    empty page from one with text, without an image library)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    at, width, height, idat = 8, 0, 0, b""
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at : at + 8])
        chunk = data[at + 8 : at + 8 + length]
        if kind == b"IHDR":
            width, height = struct.unpack(">II", chunk[:8])
        elif kind == b"IDAT":
            idat += chunk
        at += 12 + length
    return width, height, zlib.decompress(idat)


@needs_chromium
@pytest.mark.parametrize("lesson_id", ["backprop-1", "cnn-1"])
@pytest.mark.slow
def test_screenshot_is_not_blank(lesson_id: str, tmp_path: Path) -> None:
    source = tmp_path / f"{lesson_id}.html"
    source.write_text(page(lesson_id), encoding="utf-8")
    shot = tmp_path / "out.png"
    _chromium(f"--screenshot={shot}", "--window-size=1200,1600", str(source))
    assert shot.exists(), "chromium wrote no screenshot"
    width, height, raw = _png(shot)
    assert (width, height) == (1200, 1600)
    # A blank page filters to runs of one byte; text and lines give many grey levels.
    assert len(set(raw)) > 64
    assert sum(1 for b in raw[::7] if b not in (0, 255)) > len(raw) // 7 // 100


PROBE = """
<script>
const report = {math: 0, inline: 0, sub: 0, subLower: 0, frac: 0, fracStacked: 0, wide: []};
for (const m of document.querySelectorAll('math')) {
  report.math++;
  if (getComputedStyle(m).display.includes('math')) report.inline++;
}
for (const s of document.querySelectorAll('msub')) {
  if (s.children.length !== 2) continue;
  report.sub++;
  const base = s.children[0].getBoundingClientRect();
  const script = s.children[1].getBoundingClientRect();
  const smaller = parseFloat(getComputedStyle(s.children[1]).fontSize)
    < parseFloat(getComputedStyle(s.children[0]).fontSize);
  if (script.top + script.height / 2 > base.top + base.height / 2 && smaller) report.subLower++;
}
for (const f of document.querySelectorAll('mfrac')) {
  report.frac++;
  const top = f.children[0].getBoundingClientRect(), bottom = f.children[1].getBoundingClientRect();
  if (top.bottom <= bottom.top + 1) report.fracStacked++;
}
const page = document.documentElement.clientWidth;
for (const el of document.querySelectorAll('.document *'))
  if (el.getBoundingClientRect().right > page + 1) report.wide.push(el.tagName);
document.body.setAttribute('data-report', JSON.stringify(report));
</script>
"""


@needs_chromium
@pytest.mark.parametrize("lesson_id", ["backprop-1", "cnn-1"])
@pytest.mark.slow
def test_browser_lays_out_math(lesson_id: str, tmp_path: Path) -> None:
    """Rendered math, not raw markup: a subscript sits lower and smaller than its base, a
    fraction's numerator above its denominator, and nothing sticks out of the page."""
    source = tmp_path / "probe.html"
    source.write_text(page(lesson_id).replace("</body>", PROBE + "</body>"), encoding="utf-8")
    done = _chromium("--window-size=1200,1600", "--dump-dom", str(source))
    found = re.search(rb'data-report="([^"]*)"', done.stdout)
    assert found, done.stderr[-2000:]
    report = json.loads(found.group(1).decode().replace("&quot;", '"'))
    assert report["math"] > 0 and report["inline"] == report["math"]
    assert report["sub"] > 0 and report["subLower"] == report["sub"]
    assert report["fracStacked"] == report["frac"]
    assert report["wide"] == []


@needs_chromium
@pytest.mark.slow
def test_prints_on_a4(tmp_path: Path) -> None:
    source = tmp_path / "cnn-1.html"
    source.write_text(page("cnn-1", "values"), encoding="utf-8")
    pdf = tmp_path / "out.pdf"
    _chromium("--no-pdf-header-footer", f"--print-to-pdf={pdf}", str(source))
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    assert boxes and all(abs(float(w) - 595) < 2 and abs(float(h) - 842) < 2 for w, h in boxes)


def test_quotations_are_marked_for_the_browser() -> None:
    """cnn-1's summary quotes its classes ("borde", "liso"): <q> gets the language's marks."""
    html = page("cnn-1")
    assert "<q>borde</q>" in html and '"borde"' not in html
    assert ':lang(es) q { quotes: "«" "»"' in html


def test_a_short_formula_in_prose_stays_on_one_line() -> None:
    html = page("backprop-1")
    assert 'la entrada <span class="nobreak">x₀ = 1</span> multiplica' in html
    assert 'redondea <span class="nobreak">tgh(0.12) ≈ 0.12</span>;' in html
    assert '<span class="nobreak">y</span>' not in html  # the Spanish "and" is a word


@needs_chromium
@pytest.mark.slow
def test_printed_pages_carry_the_title_the_variant_and_their_number(tmp_path: Path) -> None:
    """In print, as in the PDF: the lesson's title at the top of every page but the first, the
    variant at the top right, the page number at the foot."""
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler's pdftotext is not installed")
    sol = solution("backprop-1")
    source = tmp_path / "variants.html"
    source.write_text(
        render_many([(sol, Options(variant="A7")), (sol, Options(variant="B9"))]),
        encoding="utf-8",
    )
    pdf = tmp_path / "out.pdf"
    _chromium("--no-pdf-header-footer", f"--print-to-pdf={pdf}", str(source))
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = [[line.strip() for line in p.splitlines() if line.strip()] for p in text.split("\f")]
    pages = [p for p in pages if p]
    assert len(pages) >= 4
    for n, lines in enumerate(pages, 1):
        assert lines[-1] == str(n), f"page {n} ends with {lines[-1]!r}"
    tops = [lines[0] for lines in pages]
    assert tops[0].endswith("Variante A7") and not tops[0].startswith(sol.title)
    assert all(top.startswith(sol.title) for top in tops[1:]), tops
    assert tops[-1].endswith("Variante B9"), tops
