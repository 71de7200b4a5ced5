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
from dataclasses import dataclass

from stepper.i18n import label
from stepper.notation import Sym
from stepper.numbers import given
from stepper.printers import Options, Printer, register
from stepper.printers.document import Document, Table, build_document, decimal_comma
from stepper.steps import ConvShape, NetworkShape, Quantity, Solution, Step

#: The box a worksheet leaves for a value, and the small one for a number an earlier step
#: computed inside a substitution.
VALUE_BOX = "#box(stroke: 0.5pt, width: 2.5cm, height: 1.2em, baseline: 0.3em)"
SMALL_BOX = "#box(stroke: 0.5pt, width: 1.1em, height: 1.1em, baseline: 0.2em)"

#: Steps with more slots than this write their substitution on a line of its own.
LONG = 8
#: Dense networks drawn with every node and a label on every synapse up to this size.
_DRAWN_NODES = 6
#: Matrices (images, kernels, maps) printed as tables up to this many columns.
_TABLE_COLUMNS = 16

_PREAMBLE = r"""
#set document(title: TITLE, date: none)
#set text(font: "New Computer Modern", size: 10.5pt, lang: LANG, hyphenate: true)
#show math.equation: set text(font: "New Computer Modern Math")
#set par(justify: false, leading: 0.62em)
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
#show heading.where(level: 1): set text(size: 16pt)
#show heading.where(level: 2): set text(size: 12pt)
#show heading.where(level: 2): set block(above: 1.3em, below: 0.7em)
#show heading.where(level: 3): set text(size: 10.5pt)
#let value(body) = box(fill: luma(228), inset: (x: 2.5pt), outset: (y: 2.5pt), radius: 2pt, body)
#let explain(body) = text(size: 8.8pt, fill: luma(30%), body)
#let note(head, body) = text(size: 8.8pt, style: "italic")[*#head:* #body]
#let step(n, body, ..rest) = block(above: 1em, below: 1em, {
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
    return decimal_comma(text) if doc.comma else text


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
        return "$" + " ".join(parts) + "$"
    if not template.bare:
        if doc.shows_values:
            parts.append(tm.substitution(step, comma=doc.comma))
        elif doc.shows_substitutions:
            parts.append(tm.substitution(step, comma=doc.comma, blank=SMALL_BOX))
        else:
            parts.append(_substitution_box(step))
    if doc.shows_values:
        parts.append(f"#value[${tm.number_typst(step.shown, comma=doc.comma)}$]")
    else:
        parts.append(VALUE_BOX)
    if len(parts) == 3 and template.arity > LONG:
        # A long sum: the substitution starts a line of its own, under the formula (two
        # equations, as a line break inside one would stop it from wrapping).
        return f"${parts[0]}$ #linebreak() $= {parts[1]} = {parts[2]}$"
    return "$" + " = ".join(parts) + "$"


def step_block(doc: Document, step: Step, answers: set[float], previous: Step | None = None) -> str:
    """One numbered step; an explanation the step before has just given is not repeated."""
    body = step_math(doc, step)
    rest = []
    repeated = previous is not None and previous.explanation == step.explanation
    if (
        step.explanation
        and not repeated
        and (doc.shows_values or not _reveals(step.explanation, answers))
    ):
        rest.append(f"explain({_s(_prose(doc, step.explanation))})")
    if step.note and doc.shows_values:
        rest.append(f"note({_s(label('note', doc.lang))}, {_s(_prose(doc, step.note.strip()))})")
    extra = "".join(f", {r}" for r in rest)
    return f"#step({_s(str(step.n))}, [{body}]{extra})"


# -- the data: the network, or the image and the kernels ---------------------------------------


def _num(doc: Document, value: float | str) -> str:
    from stepper.printers import typst_math as tm

    shown = value if isinstance(value, str) else given(value)
    return f"${tm.number_typst(shown, comma=doc.comma)}$"


def _place(x: float, y: float, body: str, *, width: float = 0.0, height: float = 0.0) -> str:
    """``body`` centred on (x, y) cm inside the drawing."""
    if width:
        return (
            f"#place(dx: {x - width / 2:.2f}cm, dy: {y - height / 2:.2f}cm, "
            f"box(width: {width:.2f}cm, height: {height:.2f}cm, align(center + horizon, {body})))"
        )
    return f"#place(dx: {x:.2f}cm, dy: {y:.2f}cm, {body})"


def _shown_nodes(size: int) -> list[int | None]:
    """The nodes of a column that are drawn (1-based), None for the ⋮ of an elided column."""
    if size <= _DRAWN_NODES:
        return list(range(1, size + 1))
    return [1, 2, 3, None, size]


@dataclass(frozen=True, slots=True)
class _Layout:
    """Where the nodes of a dense network's drawing go (in cm).

    ``columns`` holds each column's nodes from the top: a neuron's (or input's) index, 0 for
    a bias node, None for the ⋮ of an elided column.
    """

    columns: tuple[tuple[int | None, ...], ...]
    left: float
    gap: float
    band: float
    radius: float
    labelled: bool

    @property
    def span(self) -> float:
        return max(len(c) for c in self.columns) * self.band

    def at(self, c: int, r: int) -> tuple[float, float]:
        return self.left + self.gap * c, (r + 0.5) * self.span / len(self.columns[c])


def _layout(shape: NetworkShape) -> _Layout:
    labelled = _small(shape)
    layers = len(shape.layers)
    columns: list[tuple[int | None, ...]] = [(0, *_shown_nodes(shape.inputs))]
    for l, layer in enumerate(shape.layers, 1):
        shown = _shown_nodes(layer.size)
        columns.append((0, *shown) if l < layers else tuple(shown))
    return _Layout(
        columns=tuple(columns),
        left=2.6,
        gap=min(6.2, 12.0 / layers) if labelled else min(3.5, 12.0 / layers),
        band=1.7 if labelled else 0.95,
        radius=0.42 if labelled else 0.3,
        labelled=labelled,
    )


def network_drawing(doc: Document, shape: NetworkShape) -> str:
    """The lecture's picture of a dense network: the inputs with x₀ = 1, the neurons with
    their number and activation, a bias node before each later layer, and the weight on every
    synapse (for a network small enough to label; a bigger one has its columns elided)."""
    lay = _layout(shape)
    lines, labels = _synapses(doc, lay)
    nodes: list[str] = []
    if not lay.labelled:
        # No room between the nodes: each layer's activations go under its column.
        for l, layer in enumerate(shape.layers, 1):
            names = dict.fromkeys(_activation_name(a, doc.lang) for a in layer.activations)
            x, y = lay.at(l, len(lay.columns[l]) - 1)
            body = f"text(size: 7.5pt, fill: luma(35%), {_s(', '.join(names))})"
            nodes.append(_place(x, y + lay.radius + 0.25, body, width=3.0, height=0.4))
    last = len(lay.columns) - 1
    for c, column in enumerate(lay.columns):
        for r, i in enumerate(column):
            x, y = lay.at(c, r)
            if i is None:
                nodes.append(_place(x, y, "$dots.v$", width=1.0, height=0.6))
            elif c == 0 or i == 0:
                nodes += _source_node(doc, shape, c, i, at=(x, y))
            else:
                nodes += _neuron(doc, shape, c, i, at=(x, y), radius=lay.radius, last=c == last)
    width = lay.left + lay.gap * len(shape.layers) + 3.2
    height = lay.span + (0 if lay.labelled else 0.4)
    body = "\n".join([*lines, *labels, *nodes])
    return f"#align(center, box(width: {width:.2f}cm, height: {height:.2f}cm, [\n{body}\n]))"


def _synapses(doc: Document, lay: _Layout) -> tuple[list[str], list[str]]:
    """The synapses' lines, and (when the network is small enough) their weights' labels,
    each where it covers no other label, node or crossing."""
    from stepper.printers import typst_math as tm

    weights = {q.key: q for q in doc.solution.given}
    size = 2 * lay.radius + 0.1
    placed = [
        (*lay.at(c, r), size, size)
        for c, column in enumerate(lay.columns)
        for r in range(len(column))
    ]
    lines: list[str] = []
    labels: list[str] = []
    for l in range(1, len(lay.columns)):
        targets = [r for r, i in enumerate(lay.columns[l]) if i]
        synapses: list[tuple[Segment, float, Quantity | None]] = []
        for k, r_target in enumerate(targets):
            i = lay.columns[l][r_target]
            # Labels of one neuron's synapses preferably at one distance along them, each
            # neuron's at another: near the source for the top neuron, near it for the bottom.
            t = 0.55 if len(targets) == 1 else 0.27 + 0.38 * k / (len(targets) - 1)
            for r_source, j in enumerate(lay.columns[l - 1]):
                if j is not None:
                    segment = (*lay.at(l - 1, r_source), *lay.at(l, r_target))
                    synapses.append((segment, t, weights.get(f"w[{l},{i},{j}]")))
        segments = [segment for segment, _, _ in synapses]
        for segment, t, q in synapses:
            sx, sy, tx, ty = segment
            lines.append(
                f"#place(line(start: ({sx:.2f}cm, {sy:.2f}cm), end: ({tx:.2f}cm, "
                f"{ty:.2f}cm), stroke: 0.5pt + luma(110)))"
            )
            if not lay.labelled or q is None:
                continue
            box = (0.13 * len(f"{q.sym.unicode()} = {q.shown}") + 0.25, 0.4)
            lx, ly = _label_spot(segment, t, box, segments, placed)
            placed.append((lx, ly, *box))
            text = f"{tm.sym_typst(q.sym)} = {tm.number_typst(q.shown, comma=doc.comma)}"
            body = f"box(fill: white, inset: (x: 1.5pt, y: 1pt), text(size: 7.5pt, ${text}$))"
            labels.append(_place(lx, ly, body, width=2.6, height=0.5))
    return lines, labels


#: A line of the drawing, (x0, y0, x1, y1) in cm; a box, (centre x, centre y, width, height).
Segment = tuple[float, float, float, float]
Rect = tuple[float, float, float, float]


def _crossings(segment: Segment, others: Sequence[Segment]) -> list[tuple[float, float]]:
    """Where other lines cross this one (not at a shared end)."""
    x0, y0, x1, y1 = segment
    found = []
    for u0, v0, u1, v1 in others:
        d = (x1 - x0) * (v1 - v0) - (y1 - y0) * (u1 - u0)
        if abs(d) < 1e-9:
            continue
        t = ((u0 - x0) * (v1 - v0) - (v0 - y0) * (u1 - u0)) / d
        s = ((u0 - x0) * (y1 - y0) - (v0 - y0) * (x1 - x0)) / d
        if 0.02 < t < 0.98 and 0.02 < s < 0.98:
            found.append((x0 + t * (x1 - x0), y0 + t * (y1 - y0)))
    return found


def _overlaps(a: Rect, b: Rect, margin: float = 0.06) -> bool:
    return (
        abs(a[0] - b[0]) < (a[2] + b[2]) / 2 + margin
        and abs(a[1] - b[1]) < (a[3] + b[3]) / 2 + margin
    )


def _label_spot(
    segment: Segment,
    preferred: float,
    size: tuple[float, float],
    segments: Sequence[Segment],
    placed: Sequence[Rect],
) -> tuple[float, float]:
    """Where on its synapse a weight's label goes: as near ``preferred`` (a fraction of the
    way from the source) as it can without covering another label, a node, or a place where
    another synapse crosses (which would leave it unclear which line it names)."""
    x0, y0, x1, y1 = segment
    crossings = [(cx, cy, 0.2, 0.2) for cx, cy in _crossings(segment, segments)]
    candidates = sorted((0.16 + 0.03 * k for k in range(24)), key=lambda t: abs(t - preferred))
    for avoid in (list(placed) + crossings, list(placed)):
        for t in candidates:
            spot = (x0 + (x1 - x0) * t, y0 + (y1 - y0) * t, *size)
            if not any(_overlaps(spot, other) for other in avoid):
                return spot[0], spot[1]
    return x0 + (x1 - x0) * preferred, y0 + (y1 - y0) * preferred


def _small(shape: NetworkShape) -> bool:
    """Whether every node and every weight of the network can be drawn."""
    return shape.inputs < _DRAWN_NODES and all(layer.size <= _DRAWN_NODES for layer in shape.layers)


def _source_node(
    doc: Document, shape: NetworkShape, c: int, i: int, *, at: tuple[float, float]
) -> list[str]:
    """An input (with its value, for a single sample) or a bias node (= 1)."""
    from stepper.printers import typst_math as tm

    x, y = at
    letter = "x" if c == 0 else shape.layers[c - 1].out_letter
    sym = tm.sym_typst(Sym(letter, (i,)))
    if i == 0:
        text = f"${sym} = 1$"
    elif len(shape.samples) == 1:
        value = tm.number_typst(given(shape.samples[0][i - 1]), comma=doc.comma)
        text = f"${sym} = {value}$"
    else:
        text = f"${sym}$"
    dot = _place(x, y, "circle(radius: 0.15cm, fill: white, stroke: 0.7pt)", width=0.4, height=0.4)
    if c == 0:
        where = _place(
            x - 1.45, y, f"align(right, text(size: 9.5pt, {text}))", width=2.5, height=0.5
        )
    else:
        where = _place(x, y - 0.45, f"text(size: 8.5pt, {text})", width=2.4, height=0.5)
    return [dot, where]


def _neuron(
    doc: Document,
    shape: NetworkShape,
    c: int,
    i: int,
    *,
    at: tuple[float, float],
    radius: float,
    last: bool,
) -> list[str]:
    """A neuron: its running number in a circle, its activation below, its output beside."""
    from stepper.printers import typst_math as tm

    x, y = at
    layer = shape.layers[c - 1]
    name = _activation_name(layer.activations[i - 1], doc.lang)
    compact = not _small(shape)
    out = [
        _place(
            x,
            y,
            f"circle(radius: {radius}cm, fill: white, stroke: 0.8pt, "
            f"align(center + horizon, text(size: {8 if compact else 10}pt, "
            f"${i + layer.offset}$)))",
            width=2 * radius + 0.1,
            height=2 * radius + 0.1,
        )
    ]
    if compact:
        # No room between the nodes: the layer's activations go under its column instead.
        if not last:
            return out
    else:
        out.append(
            _place(
                x,
                y + radius + 0.22,
                f"text(size: 7.5pt, fill: luma(35%), {_s(name)})",
                width=2.0,
                height=0.4,
            )
        )
    if not last:
        sym = tm.sym_typst(Sym(layer.out_letter, (i + layer.offset,)))
        out.append(
            _place(x, y - radius - 0.22, f"text(size: 8.5pt, ${sym}$)", width=0.8, height=0.4)
        )
        return out
    result = tm.sym_typst(Sym("y", (i,), tilde=True))
    target = shape.targets[0] if len(shape.samples) == 1 else None
    if target is not None:
        wanted = tm.number_typst(given(target[i - 1]), comma=doc.comma)
        result += f" quad (#text(size: 8pt)[${tm.sym_typst(Sym('y', (i,)))} = {wanted}$])"
    out.append(
        f"#place(line(start: ({x + radius:.2f}cm, {y:.2f}cm), end: ({x + radius + 0.7:.2f}cm, "
        f"{y:.2f}cm), stroke: 0.6pt))"
    )
    out.append(
        f"#place(dx: {x + radius + 0.8:.2f}cm, dy: {y - 0.25:.2f}cm, "
        f"box(height: 0.5cm, align(horizon, text(size: 9.5pt, ${result}$))))"
    )
    return out


def _activation_name(name: str, lang: str) -> str:
    return label(f"activation.{name}", lang)


def _matrix(doc: Document, rows: Sequence[Sequence[float | str]], title: str = "") -> str:
    columns = max(len(r) for r in rows)
    cells = ", ".join(f"[{_num(doc, v)}]" for row in rows for v in row)
    head = f", title: {_s(title)}" if title else ""
    return f"#matrix({columns}, ({cells},){head})"


def _row_of(boxes: Iterable[str]) -> str:
    """Markup items (each starting with ``#``) side by side, wrapping like words."""
    return "#block(above: 0.9em, below: 0.9em)[" + " #h(1.4em) ".join(boxes) + "]"


def _channel(c: int, count: int, lang: str) -> str:
    """A channel's name: R, G, B for a colour image, else its number."""
    return "RGB"[c - 1] if count == 3 else label("pdf.channel", lang, c=c)


def conv_data(doc: Document, shape: ConvShape) -> list[str]:
    """The image (a table per channel) and the kernels (a table per channel, with bias)."""
    lang = doc.lang
    out: list[str] = []
    boxes: list[str] = []
    if shape.image:
        channels = shape.image
        rows, cols = len(channels[0]), len(channels[0][0]) if channels[0] else 0
        if cols <= _TABLE_COLUMNS:
            for c, channel in enumerate(channels, 1):
                title = label("pdf.image", lang)
                if len(channels) > 1:
                    title += " · " + _channel(c, len(channels), lang)
                boxes.append(_matrix(doc, channel, title))
        else:
            out.append(f"#par({_s(label('pdf.image_size', lang, r=rows, c=cols))})")
    for k, (kernel, name, bias) in enumerate(
        zip(shape.kernels, shape.names, shape.biases, strict=True), 1
    ):
        for c, channel in enumerate(kernel, 1):
            title = f"{label('pdf.kernel', lang, k=k)}: {name}"
            if len(kernel) > 1:
                title += " · " + _channel(c, len(kernel), lang)
            if bias and c == len(kernel):
                title += f" ({label('pdf.bias', lang)} {_prose(doc, given(bias))})"
            if channel and len(channel[0]) <= _TABLE_COLUMNS:
                boxes.append(_matrix(doc, channel, title))
    if boxes:
        out.insert(0, _row_of(boxes))
    return out


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
        out.append(network_drawing(doc, shape))
        drawn = set(_DRAWN["dense"])
        if not _small(shape):
            drawn.discard("w")
        if len(shape.samples) > 1:
            out.append(samples_table(doc, shape))
    elif solution.conv is not None:
        out += conv_data(doc, solution.conv)
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


# -- the document ---------------------------------------------------------------------------------


def body(doc: Document) -> list[str]:
    """Everything after the preamble for one document (one variant)."""
    lang = doc.lang
    kind = label("doc.worksheet" if doc.blank != "none" else "doc.solution", lang)
    variant = label("doc.variant", lang, id=doc.variant) if doc.variant else ""
    header = _s(doc.title)
    out = [
        f"#set page(header: running({header}, {_s(variant)}))",
        "#counter(page).update(1)",
        f"#heading(level: 1, {_s(doc.title)})",
        f'#text(style: "italic", {_s(kind)})'
        + (f" #h(0.6em) · #h(0.6em) #strong({_s(variant)})" if variant else ""),
    ]
    if doc.blank != "none":
        out.append(
            f"#block(above: 1.2em)[#{_s(label('doc.name', lang))}: "
            "#box(width: 9cm, stroke: (bottom: 0.5pt), height: 1em)]"
        )
    answers = _answers(doc.solution) if doc.blank != "none" else set()
    if doc.summary and (doc.shows_values or not _reveals(doc.summary, answers)):
        out.append(f"#block(above: 1.1em, below: 1.1em, {_s(_prose(doc, doc.summary))})")
    out += data_section(doc)
    for section in doc.sections:
        out.append(f"#heading(level: 2, {_s(section.title)})")
        previous: Step | None = None
        for step in section.steps:
            out.append(step_block(doc, step, answers, previous))
            previous = step
    if doc.tables:
        out.append(f"#heading(level: 2, {_s(label('doc.results', lang))})")
        tables = [result_table(doc, t) for t in doc.tables]
        out.append(_row_of(t for t in tables if t))
    return out


def preamble(doc: Document) -> str:
    return _PREAMBLE.replace("TITLE", _s(doc.title)).replace("LANG", _s(doc.lang))


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
