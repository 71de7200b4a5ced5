"""PDF: the worked solution typeset by typst, from the PyPI package (compiler and fonts in one
wheel; no network, no TeX).

The document is written as typst source and compiled in memory: A4, New Computer Modern for
the text and New Computer Modern Math for the formulas (both bundled with typst; system fonts
are ignored, so every machine prints the same pages, with the fonts embedded). It shows what
every printed format shows (``stepper.printers.document``): title and summary, the data (the
network drawn with its weights, or the image and the kernels as tables), the steps numbered
and grouped by phase as formula = substitution = value with the explanation in smaller text,
then the result tables.

Each step is running text with inline math, so a long sum (a wide neuron, a convolution
window) breaks across lines at its operators instead of overflowing the page. A worksheet has
boxes where the values go (and the substitutions, with ``blank="all"``) and never an answer:
no value, no number an earlier step computed, no note, no result table, and no explanation or
summary that quotes a computed number.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from stepper.exam.fields import typst_fields
from stepper.i18n import label
from stepper.notation import Sym
from stepper.numbers import decimal_comma
from stepper.pictures import render_typst
from stepper.pictures.conv_print import PRINT_WIDTH
from stepper.pictures.conv_print import print_scene as conv_print_scene
from stepper.pictures.graph import print_scene as graph_print_scene
from stepper.pictures.network import print_scene
from stepper.pictures.recurrent import print_scene as recurrent_print_scene
from stepper.pictures.scene import Scene
from stepper.pictures.vector import DEJAVU
from stepper.printers import Options, Printer, optimize, register, typst_prose
from stepper.printers.data import ELIDED, Table, is_number
from stepper.printers.document import Document, build_document
from stepper.printers.grouping import ZeroGroup
from stepper.printers.typography import quotes
from stepper.steps import Solution, Step

#: The box a worksheet leaves for a value, and the small one for a number an earlier step
#: computed inside a substitution.
VALUE_BOX = "#box(stroke: 0.5pt, width: 2.5cm, height: 1.2em, baseline: 0.3em)"
SMALL_BOX = "#box(stroke: 0.5pt, width: 1.1em, height: 1.1em, baseline: 0.2em)"

#: Steps with more slots than this write their substitution on a line of its own.
LONG = 8
#: Steps with up to this many slots are never split across pages (more may not fit on one).
WHOLE = 100
#: The text width of the page (A4, 2 cm margins), in points: pictures are shrunk to fit it.
_TEXT_WIDTH = 480.0
#: Matrices (images, kernels, maps) printed as tables up to this many columns.
_TABLE_COLUMNS = 16

_PREAMBLE = r"""
#set document(title: TITLE, date: none)
#set text(font: "New Computer Modern", size: 10.5pt, lang: LANG, hyphenate: true)
#show math.equation: set text(font: "New Computer Modern Math")
#set par(justify: false, leading: 0.62em)
// Names (Nesterov, Adagrad, ReLU) are never hyphenated; other words may be.
#show regex("\\b\\p{Lu}[\\p{L}\\p{M}]+"): set text(hyphenate: false)
#let running(title, variant) = context text(size: 8.5pt, fill: luma(40%), {
  if counter(page).get().first() > 1 { title }
  h(1fr)
  strong(variant)
})
#set page(
  paper: "a4",
  margin: (x: 2cm, top: 2.3cm, bottom: 2cm),
  footer: context align(center, text(size: 8.5pt, fill: luma(40%), counter(page).display())),
)
#set table(stroke: 0.4pt + luma(140), inset: (x: 5pt, y: 3.5pt))
#show heading: set text(hyphenate: false)
#show heading.where(level: 1): set text(size: 16pt)
#show heading.where(level: 2): set text(size: 12pt)
#show heading.where(level: 2): set block(above: 1.3em, below: 0.7em)
#show heading.where(level: 3): set text(size: 10.5pt)
#let value(body) = box(fill: luma(228), inset: (x: 2.5pt), outset: (y: 2.5pt), radius: 2pt, body)
#let explain(body) = text(size: 8.8pt, fill: luma(30%), body)
#let note(head, body) = text(size: 8.8pt, style: "italic")[*#head:* #body]
#let step(n, body, whole: true, ..rest) = block(above: 1em, below: 1em, breakable: not whole, {
  // Lines as tall as their fractions and scripts, so nothing below them overlaps.
  par(hanging-indent: 2.7em, text(bottom-edge: "bounds", {
    box(width: 2.1em, align(right, strong[#n.]))
    h(0.6em)
    body
  }))
  for r in rest.pos() { block(above: 0.5em, pad(left: 2.7em, r)) }
})
#let matrix(columns, cells, title: none, pairs: false) = box(baseline: 100%, stack(
  spacing: 0.45em,
  if title != none { text(size: 9pt, weight: "bold", title) },
  table(
    columns: columns,
    align: center + horizon,
    fill: if pairs { (x, y) => if calc.even(x) { luma(238) } } else { none },
    ..cells,
  ),
))
"""


def _s(text: str) -> str:
    """A typst string literal."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", " ")
    return f'"{escaped}"'


# -- what a worksheet must not show ----------------------------------------------------------

_NUMBER = re.compile(r"(?<![\w.,])[-−]?\d+(?:[.,]\d+)?")


def _numbers(text: str) -> set[float]:
    """The numbers written in a text (decimal point or comma; ASCII or typographic minus)."""
    found = set()
    for token in _NUMBER.findall(text):
        found.add(float(token.replace("−", "-").replace(",", ".")))
    return found


def _answers(solution: Solution) -> set[float]:
    """The numbers the steps compute that the lesson does not give anyway."""
    from stepper.printers import typst_math

    known: set[float] = {q.value for q in solution.given}
    computed: set[float] = set()
    for step in solution.steps:
        known |= {float(q.shown) for q in step.operands if q.step is None}
        known |= typst_math.constants(step.template, step.params, len(step.operands))
        computed.add(float(step.shown))
    return computed - known


def _reveals(text: str | None, answers: set[float]) -> bool:
    return text is not None and bool(_numbers(text) & answers)


# -- the steps -------------------------------------------------------------------------------


def _prose(doc: Document, text: str) -> str:
    """Words as typst markup, their formulas set as math."""
    return typst_prose.prose(text, lang=doc.lang, comma=doc.comma)


def _substitution_box(step: Step) -> str:
    """A box about as wide as the substitution it stands for, within the line."""
    from stepper import formulas

    width = 0.17 * len(formulas.substituted(step, "unicode"))
    width = min(max(width, 2.5), 12.0)
    return f"#box(stroke: 0.5pt, width: {width:.1f}cm, height: 1.2em, baseline: 0.3em)"


def step_math(doc: Document, step: Step) -> str:
    """formula = substitution = value as typst markup (inline math that wraps), with boxes
    where a worksheet asks."""
    from stepper.printers import typst_math as tm

    lhs = tm.sym_typst(step.sym)
    rhs = tm.formula_rhs(step)
    parts = [f"{lhs} {tm.relation(step)} {rhs}"]
    template = tm.compiled(step.template, step.params, len(step.operands))
    if template.arity == 0:
        # A constant (δ = 0): the formula is the whole answer, and no secret.
        return tm.breaking(" ".join(parts))
    if not template.bare:
        if doc.shows_values:
            parts.append(tm.substitution(doc.substitution(step), comma=doc.comma))
        elif doc.shows_substitutions:
            parts.append(tm.substitution(step, comma=doc.comma, blank=SMALL_BOX))
        else:
            parts.append(_substitution_box(step))
    if doc.shows_values:
        parts.append(f"#value[${tm.number_typst(step.shown, comma=doc.comma)}$]")
    else:
        parts.append(VALUE_BOX)
    last = "approx" if len(parts) == 3 and doc.rounded(step) else "="
    if len(parts) == 3 and template.arity > LONG:
        # A long sum: the substitution starts a line of its own, under the formula.
        tail = f"= {parts[1]} {last} {parts[2]}"
        return f"{tm.breaking(parts[0])} #linebreak() {tm.breaking(tail)}"
    return tm.breaking(" = ".join(parts[:-1]) + f" {last} {parts[-1]}")


def group_block(doc: Document, group: ZeroGroup) -> str:
    """Steps that are 0 for one reason: their symbols = 0 (a line may break after a comma),
    and the reason once."""
    from stepper.printers import typst_math as tm

    syms = ", ".join(f"${tm.sym_typst(s.sym)}$" for s in group.steps)
    head = _s(label("doc.steps", doc.lang, n=group.numbers()))
    return (
        f"#block(above: 1em, below: 1em, breakable: false, pad(left: 2.7em)[#strong({head}) "
        f"#linebreak() {syms} $= 0$ #linebreak() #explain({_prose(doc, group.reason)})])"
    )


def step_block(doc: Document, step: Step, answers: set[float]) -> str:
    """One numbered step; an explanation the step before has just given is not repeated."""
    body = step_math(doc, step)
    rest = []
    if doc.shows_values:
        words = doc.explanation(step)
    else:
        words = None if step.n in doc.repeated else step.explanation
    if words and (doc.shows_values or not _reveals(words, answers)):
        rest.append(f"explain({_prose(doc, words)})")
    if step.note and doc.shows_values:
        rest.append(f"note({_s(label('note', doc.lang))}, {_prose(doc, step.note.strip())})")
    extra = "".join(f", {r}" for r in rest)
    # A step is kept on one page, unless it could be taller than a page (a 300-input neuron).
    if len(step.operands) > WHOLE:
        extra += ", whole: false"
    return f"#step({_s(str(step.n))}, [{body}]{extra})"


# -- the data: the network, or the image and the kernels ---------------------------------------


def _num(doc: Document, shown: str) -> str:
    from stepper.printers import typst_math as tm

    return f"${tm.number_typst(shown, comma=doc.comma)}$"


def scene_drawing(doc: Document, scene: Scene) -> str:
    """A printed picture (the network's or the conv lesson's ``print_scene``) drawn in typst,
    centred, with the document's decimal mark and its font shrunk to fit the text width."""
    if doc.comma:
        scene = scene.map_labels(decimal_comma)
    metrics = DEJAVU.fit(scene.width, _TEXT_WIDTH)
    return f"#align(center)[{render_typst.render(scene, metrics)}]"


def _row_of(boxes: Iterable[str]) -> str:
    """Markup items (each starting with ``#``) side by side, wrapping like words."""
    return "#block(above: 0.9em, below: 0.9em)[" + " #h(1.4em) ".join(boxes) + "]"


def _cell(doc: Document, cell: Sym | str) -> str:
    """A table cell: a symbol or a shown number as math, a word (a sample's category) and the
    elision mark as text."""
    from stepper.printers import typst_math as tm

    if isinstance(cell, Sym):
        return f"[${tm.sym_typst(cell)}$]"
    if cell in ("", ELIDED):
        return f"[{cell}]"
    if not is_number(cell):
        return f"[#{_s(cell)}]"
    return f"[{_num(doc, cell)}]"


def _heading(doc: Document, cell: Sym | str) -> str:
    """A row's or column's heading: its index small and grey, a symbol as math."""
    inner = _cell(doc, cell) if isinstance(cell, Sym) or _NUMBER.fullmatch(cell) else _s(cell)
    return f"text(size: 8pt, fill: luma(35%), {inner})"


def table(doc: Document, table: Table) -> str:
    """A table of data or results: a matrix under its headings (W, a kernel, a map, the
    samples), or symbol and value pairs, several a row to keep a long list short."""
    if table.pairs:
        per_row = 4 if len(table.rows) > 4 else len(table.rows)
        pairs = ", ".join(_cell(doc, c) for row in table.rows for c in row)
        return f"#matrix({2 * per_row}, ({pairs},), title: {_s(table.title)}, pairs: true)"
    width = max(len(row) for row in table.rows)
    if width > _TABLE_COLUMNS:
        return ""
    cells: list[str] = []
    if table.head:
        if table.side:
            cells.append(_heading(doc, table.corner))
        cells += [_heading(doc, h) for h in table.head]
    sides = table.side or ("",) * len(table.rows)
    for side, row in zip(sides, table.rows, strict=True):
        if table.side:
            cells.append(_heading(doc, side))
        cells += [_cell(doc, c) for c in row]
    columns = width + (1 if table.side else 0)
    return f"#matrix({columns}, ({', '.join(cells)},), title: {_s(table.title)})"


def _values(doc: Document, values: Sequence[tuple[Sym, str]]) -> str:
    """Single numbers on one line: α = 0.1, β = 0.9, …"""
    from stepper.printers import typst_math as tm

    items = [
        f"${tm.sym_typst(sym)} = {tm.number_typst(shown, comma=doc.comma)}$"
        for sym, shown in values
    ]
    return "#par(" + " + [, ] + ".join(f"[{i}]" for i in items) + ")"


def _formulas(steps: Sequence[Step]) -> str:
    """Formulas the lesson gives (a graph's nodes) on one line: e = a·b, d = e + c, …"""
    from stepper.printers import typst_math as tm

    items = [f"${tm.sym_typst(s.sym)} {tm.relation(s)} {tm.formula_rhs(s)}$" for s in steps]
    return "#par(" + " + [, ] + ".join(f"[{i}]" for i in items) + ")"


def _picture(doc: Document) -> Scene | None:
    """The lesson's printed picture, if it has one: a conv lesson without an image, and a
    graph too large to print, have none (an optimize lesson's is drawn with its paths)."""
    solution, lang = doc.solution, doc.lang
    worksheet = not doc.shows_values
    scene = None
    if solution.network is not None:
        scene = print_scene(solution, lang, worksheet=worksheet)
    elif solution.conv is not None:
        scene = conv_print_scene(solution, lang, PRINT_WIDTH, worksheet=worksheet)
    elif solution.recurrent is not None:
        scene = recurrent_print_scene(solution, lang, worksheet=worksheet)
    elif solution.graph is not None:
        scene = graph_print_scene(solution, lang, worksheet=worksheet)
    return scene if scene is not None and scene.items else None


def data_section(doc: Document) -> list[str]:
    """What the lesson gives: the picture (the network, or the image and the kernels), then
    the data (``stepper.printers.data``): single numbers on a line, matrices side by side,
    an optimiser's under its name."""
    picture = _picture(doc)
    out: list[str] = [scene_drawing(doc, picture)] if picture is not None else []
    for group in doc.data:
        if group.title:
            out.append(f"#heading(level: 3, {_s(group.title)})")
        if group.formulas:
            out.append(_formulas(group.formulas))
        if group.values:
            out.append(_values(doc, group.values))
        if group.note:
            out.append(f"#explain({_prose(doc, group.note)})")
        tables = [table(doc, t) for t in group.tables if not t.drawn]  # not twice
        if any(tables):
            out.append(_row_of(t for t in tables if t))
    if not out:
        return []
    return [f"#heading(level: 2, {_s(label('pdf.data', doc.lang))})", *out]


# -- an optimize lesson ---------------------------------------------------------------------------


def optimizer_heading(doc: Document, part: optimize.Part) -> list[str]:
    """An optimiser's heading, and its parameters on the line under it."""
    from stepper.printers import typst_math as tm

    out = [f"#heading(level: 2, {_prose(doc, part.title)})"]
    settings = [
        f"${tm.sym_typst(q.sym)} = {tm.number_typst(q.shown, comma=doc.comma)}$"
        for q in part.settings
    ]
    if settings:
        out.append("#par(" + " + [, ] + ".join(f"[{s}]" for s in settings) + ")")
    return out


def function_line(doc: Document) -> str:
    """f(x, y) = its formula, as typst math: what an exam sheet states of an optimize lesson
    (it prints no step's formula)."""
    from stepper.printers import typst_math as tm

    shape = doc.solution.optimize
    assert shape is not None
    names = ", ".join(tm.sym_typst(optimize.variable(v)) for v in shape.variables)
    return f"$f({names}) = {tm.formula_rhs(doc.solution.steps[0])}$"


def comparison_table(doc: Document, table: optimize.Comparison) -> list[str]:
    """Where each optimiser got to: a ruled table, one row each, the name column left."""
    cells = [f"strong({_s(h)})" if h != "f" else "[$f$]" for h in table.head]
    for name, iterations, point, f in table.rows:
        where = optimize.point_text(point, doc.comma)
        cells += [f"text({_s(name)})", f"[{iterations}]", f"text({_s(where)})"]
        cells.append(f"[{_num(doc, f)}]")
    return [
        f"#heading(level: 2, {_prose(doc, table.title)})",
        "#align(center, table(columns: 4, align: (left, right, right, right), stroke: none, "
        "table.hline(), "
        + ", ".join(cells[:4])
        + ", table.hline(stroke: 0.4pt), "
        + ", ".join(cells[4:])
        + ", table.hline()))",
        *(f"#block({_prose(doc, note)})" for note in table.notes),
    ]


# -- the document ---------------------------------------------------------------------------------


def body(doc: Document) -> list[str]:
    """Everything after the preamble for one document (one variant)."""
    lang = doc.lang
    kind = label("doc.worksheet" if doc.blank != "none" else "doc.solution", lang)
    variant = label("doc.variant", lang, id=doc.variant) if doc.variant else ""
    header = _s(quotes(doc.title, lang))
    out = [
        f"#set page(header: running({header}, {_s(variant)}))",
        "#counter(page).update(1)",
        f"#heading(level: 1, {_prose(doc, doc.title)})",
        f'#text(style: "italic", {_s(kind)})'
        + (f" #h(0.6em) · #h(0.6em) #strong({_s(variant)})" if variant else ""),
    ]
    if doc.blank != "none":
        out.append(typst_fields(lang))
    answers = _answers(doc.solution) if doc.blank != "none" else set()
    if doc.summary and (doc.shows_values or not _reveals(doc.summary, answers)):
        out.append(f"#block(above: 1.1em, below: 1.1em, {_prose(doc, doc.summary)})")
    if doc.solution.optimize is not None and doc.shows_values:
        out.append(scene_drawing(doc, optimize.picture(doc.solution, lang)))
    out += data_section(doc)
    level = 3 if doc.parts else 2
    for k, section in enumerate(doc.sections):
        part = doc.part_at(k)
        if part is not None:
            out += optimizer_heading(doc, part)
        out.append(f"#heading(level: {level}, {_prose(doc, section.title)})")
        for item in section.items:
            if isinstance(item, ZeroGroup):
                out.append(group_block(doc, item))
            else:
                out.append(step_block(doc, item, answers))
    if doc.comparison is not None:
        out += comparison_table(doc, doc.comparison)
    if doc.tables:
        out.append(f"#heading(level: 2, {_s(label('doc.results', lang))})")
        tables = [table(doc, t) for t in doc.tables]
        out.append(_row_of(t for t in tables if t))
    return out


def preamble(doc: Document) -> str:
    return preamble_for(doc.lang, doc.title)


def preamble_for(lang: str, title: str = "") -> str:
    """The page, fonts and the functions the body calls, for a document in ``lang``."""
    return _PREAMBLE.replace("TITLE", _s(quotes(title, lang))).replace("LANG", _s(lang))


def typst_source(documents: Sequence[Document]) -> str:
    """The typst source of one or more documents, each starting on a page of its own."""
    parts = [preamble(documents[0])]
    for k, doc in enumerate(documents):
        if k:
            parts.append("#pagebreak(weak: true)")
        parts += body(doc)
    return "\n".join(parts) + "\n"


def _document(solution: Solution, options: Options) -> Document:
    return build_document(
        solution, blank=options.blank, comma=options.comma, variant=options.variant
    )


def compile_source(source: str) -> bytes:
    import typst

    return bytes(typst.compile(source.encode(), format="pdf", ignore_system_fonts=True))


def render(solution: Solution, options: Options) -> bytes:
    return compile_source(typst_source([_document(solution, options)]))


def render_many(documents: list[tuple[Solution, Options]]) -> bytes:
    """One PDF with each variant on pages of its own."""
    return compile_source(typst_source([_document(s, o) for s, o in documents]))


register(
    Printer(
        "pdf",
        render,
        binary=True,
        description="a printable PDF (A4, typeset by typst; needs -o)",
        render_many=render_many,
    )
)
