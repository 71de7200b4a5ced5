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
from stepper.numbers import decimal_comma, given
from stepper.pictures import render_typst
from stepper.pictures.conv_print import PRINT_WIDTH
from stepper.pictures.conv_print import print_scene as conv_print_scene
from stepper.pictures.network import print_scene, weights_shown
from stepper.pictures.scene import Scene
from stepper.pictures.vector import DEJAVU
from stepper.printers import Options, Printer, optimize, register, typst_prose
from stepper.printers.document import Document, Table, build_document
from stepper.printers.grouping import ZeroGroup
from stepper.printers.typography import quotes
from stepper.steps import NetworkShape, Quantity, Solution, Step

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


def _num(doc: Document, value: float | str) -> str:
    from stepper.printers import typst_math as tm

    shown = value if isinstance(value, str) else given(value)
    return f"${tm.number_typst(shown, comma=doc.comma)}$"


def scene_drawing(doc: Document, scene: Scene) -> str:
    """A printed picture (the network's or the conv lesson's ``print_scene``) drawn in typst,
    centred, with the document's decimal mark and its font shrunk to fit the text width."""
    if doc.comma:
        scene = scene.map_labels(decimal_comma)
    metrics = DEJAVU.fit(scene.width, _TEXT_WIDTH)
    return f"#align(center)[{render_typst.render(scene, metrics)}]"


def _matrix(doc: Document, rows: Sequence[Sequence[float | str]], title: str = "") -> str:
    columns = max(len(r) for r in rows)
    cells = ", ".join(f"[{_num(doc, v)}]" for row in rows for v in row)
    head = f", title: {_s(title)}" if title else ""
    return f"#matrix({columns}, ({cells},){head})"


def _row_of(boxes: Iterable[str]) -> str:
    """Markup items (each starting with ``#``) side by side, wrapping like words."""
    return "#block(above: 0.9em, below: 0.9em)[" + " #h(1.4em) ".join(boxes) + "]"


def samples_table(doc: Document, shape: NetworkShape) -> str:
    """The training pairs, when there are several: one row each, x then y."""
    from stepper.printers import typst_math as tm

    outputs = shape.layers[-1].size
    has_y = any(t is not None for t in shape.targets)
    head = [_s(label("doc.pair", doc.lang))]
    head += [f"${tm.sym_typst(Sym('x', (j,)))}$" for j in range(1, shape.inputs + 1)]
    if has_y:
        head += [f"${tm.sym_typst(Sym('y', (i,)))}$" for i in range(1, outputs + 1)]
    cells = [f"[{h}]" if h.startswith("$") else h for h in head]
    for p, (x, y) in enumerate(zip(shape.samples, shape.targets, strict=True), 1):
        cells.append(f"[{p}]")
        cells += [f"[{_num(doc, v)}]" for v in x]
        if has_y:
            cells += [f"[{_num(doc, v)}]" if y else "[]" for v in (y or [0] * outputs)]
    columns = len(head)
    return (
        f"#align(center, box(stack(spacing: 0.4em, text(size: 9pt, "
        f"{_s(label('pdf.samples', doc.lang))}), table(columns: {columns}, align: center, "
        f"{', '.join(cells)}))))"
    )


#: Given quantities the picture already shows, by the root of their key.
_DRAWN = {"dense": {"w", "x", "target", "y"}, "conv": {"x", "k", "b", "pad"}}


def other_data(doc: Document, drawn: set[str]) -> list[str]:
    """Every other number the lesson gives, once: the sizes and α on one line, then each
    indexed quantity (a dense head's weights, the targets) on a line of its own."""
    from stepper.printers import typst_math as tm

    groups: dict[str, dict[Sym, Quantity]] = {}
    for step in doc.solution.steps:
        for q in step.operands:
            root = q.key.split("[")[0]
            if q.step is None and root not in drawn:
                groups.setdefault(root if "[" in q.key else "", {}).setdefault(q.sym, q)
    for root in [r for r in groups if r and len(groups[r]) == 1]:
        groups.setdefault("", {}).update(groups.pop(root))
    lines = []
    for root in sorted(groups, key=bool):
        items = [
            f"${tm.sym_typst(q.sym)} = {tm.number_typst(q.shown, comma=doc.comma)}$"
            for q in groups[root].values()
        ]
        lines.append("#par(" + " + [, ] + ".join(f"[{i}]" for i in items) + ")")
    return lines


def data_section(doc: Document) -> list[str]:
    """What the lesson gives: the network drawn (and its training pairs), or the image and
    the kernels, then every other given number."""
    solution = doc.solution
    out: list[str] = []
    drawn: set[str] = set()
    if solution.network is not None:
        shape = solution.network
        scene = print_scene(solution, doc.lang, worksheet=not doc.shows_values)
        out.append(scene_drawing(doc, scene))
        drawn = set(_DRAWN["dense"])
        if not all(weights_shown(scene, solution, l) for l in range(1, len(shape.layers) + 1)):
            drawn.discard("w")
        if any(item.key == "alpha" for item in scene.labels()):
            drawn.add("alpha")
        if len(shape.samples) > 1:
            out.append(samples_table(doc, shape))
    elif solution.conv is not None:
        scene = conv_print_scene(solution, doc.lang, PRINT_WIDTH, worksheet=not doc.shows_values)
        if scene.items:
            out.append(scene_drawing(doc, scene))
        drawn = set(_DRAWN["conv"])
    out += other_data(doc, drawn)
    if not out:
        return []
    return [f"#heading(level: 2, {_s(label('pdf.data', doc.lang))})", *out]


# -- result tables ------------------------------------------------------------------------------


def result_table(doc: Document, table: Table) -> str:
    """A table of results: symbol and value pairs side by side, or a map as a matrix."""
    from stepper.printers import typst_math as tm

    if all(len(row) == 2 and isinstance(row[0], Sym) for row in table.rows):
        # symbol → new value: several pairs a row, to keep a long list short.
        per_row = 4 if len(table.rows) > 4 else len(table.rows)
        cells = []
        for sym, shown in table.rows:
            if isinstance(sym, Sym) and isinstance(shown, str):
                cells += [f"[${tm.sym_typst(sym)}$]", f"[{_num(doc, shown)}]"]
        return (
            f"#matrix({2 * per_row}, ({', '.join(cells)},), title: {_s(table.title)}, pairs: true)"
        )
    rows = [[c if isinstance(c, str) else "" for c in row] for row in table.rows]
    if max(len(r) for r in rows) > _TABLE_COLUMNS:
        return ""
    return _matrix(doc, rows, table.title)


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
        tables = [result_table(doc, t) for t in doc.tables]
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
