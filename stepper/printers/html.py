"""The worked solution as one self-contained HTML5 file: MathML, inline SVG and print CSS.

Nothing in the file points outside it (no script, font, image or style sheet is fetched), so it
opens the same offline, from an e-mail or from a USB stick. The math is MathML, which browsers
lay out natively: the LaTeX that ``stepper.formulas`` writes is converted with latex2mathml and
then tidied (upright Δ, accent tildes, decimal commas, blanks). A long equation is cut at its
top-level + and − into several ``<math>`` pieces so that it wraps like text on a narrow page.

The layout follows ``stepper.printers.document``: title and summary, the picture (see
``stepper.pictures``), the lesson's data, then the steps numbered and grouped by phase as
formula = substitution = value with the explanation below, then the tables of results. A
worksheet has a box where each value goes (and, with ``blank="all"``, where each substitution
goes); it never prints an answer: no value, no result table, no note, no summary (they
explain the results), and the numbers an explanation would give away are boxes too.

``render_many`` puts several documents (the variants of an exam) in one file, each starting on
a new page when printed.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from html import escape

from stepper import formulas
from stepper.exam.fields import html_fields
from stepper.i18n import label
from stepper.notation import Sym
from stepper.numbers import decimal_comma, pretty
from stepper.pictures import render_svg
from stepper.pictures.conv_print import PRINT_WIDTH
from stepper.pictures.conv_print import print_scene as conv_print_scene
from stepper.pictures.graph import print_scene as graph_print_scene
from stepper.pictures.network import print_scene
from stepper.pictures.recurrent import print_scene as recurrent_print_scene
from stepper.pictures.scene import Scene
from stepper.printers import Options, Printer, optimize, register, typst_prose
from stepper.printers.data import Table, latex_number
from stepper.printers.document import Document, build_document
from stepper.printers.grouping import ZeroGroup
from stepper.printers.typography import quotes
from stepper.repl import exact_note
from stepper.steps import Solution, Step
from stepper.walking import SUBSTITUTION, VALUE

#: What the substitution of a worksheet writes for a number the learner computed earlier.
_BLANK_TEX = r"\square"
_BLANK_MI = "\u25fb"
#: A box to write in. Not an <mspace>: an operator next to nothing but space-like elements
#: loses its spacing (MathML Core's embellished operators), so a phantom digit fills it.
_BLANK_MATHML = (
    '<mpadded class="blank" width="2.2em" height="0.85em" depth="0.3em">'
    "<mphantom><mn>0</mn></mphantom></mpadded>"
)

_GREEK_UPPER = frozenset("ΓΔΘΛΞΠΣΥΦΨΩ")
_SPLIT_AT = frozenset("+−=→")


# --- MathML ------------------------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


_TALL = frozenset({"mfrac", "msqrt", "mroot", "munderover", "munder", "mtable"})
_OPENING = frozenset("([{|")
_CLOSING = frozenset(")]}|")
_BEFORE_UNARY = _OPENING | frozenset("=+\u2212→·×,")


def _tidy(element: ET.Element, comma: bool) -> None:
    """Fix what latex2mathml leaves for browsers to get wrong, in place."""
    for el in element.iter():
        el.tag = _local(el.tag)
    for el in element.iter():
        children = list(el)
        # Parentheses around a flat content: a stretchy fence is drawn with loose side
        # bearings ("tanh ( u )"); the plain glyph is what TeX prints.
        flat = not any(c.tag in _TALL for c in el.iter() if c is not el)
        for k, child in enumerate(children):
            if child.tag != "mo":
                continue
            if child.get("fence") == "true" and flat:
                child.set("stretchy", "false")
            previous = children[k - 1] if k else None
            # A sign first, or after "(" or "=", is unary: (−0.2), not ( − 0.2).
            unary = previous is None or (
                previous.tag == "mo" and (previous.text or "") in _BEFORE_UNARY
            )
            if unary and (child.text or "") in ("\u2212", "-"):
                child.set("form", "prefix")
    for el in element.iter():
        tag, text = el.tag, el.text or ""
        if tag == "mi" and text in _GREEK_UPPER:
            el.set("mathvariant", "normal")  # TeX's Δ is upright; MathML's single <mi> is not
        elif tag == "mn" and comma:
            el.text = decimal_comma(text)
        elif tag == "mover" and len(el) == 2 and _local(el[1].tag) == "mo":
            _accent(el, el[1])
        elif tag == "mo" and text in ("max", "min", "log", "exp"):
            el.tag = "mi"  # an operator name: upright, spaced like a function
            el.attrib.clear()


#: Accents latex2mathml writes as plain characters, and the spacing accents they stand for
#: (\\tilde: ỹ; \\hat: Adam's m̂ and v̂, not a caret).
_ACCENTS = {"~": "\u02dc", "\u02dc": "\u02dc", "\u0303": "\u02dc", "^": "\u02c6"}


def _accent(over: ET.Element, accent: ET.Element) -> None:
    mark = _ACCENTS.get(accent.text or "")
    if mark:
        over.set("accent", "true")
        accent.text = mark
        accent.attrib.pop("stretchy", None)


def _serialize(el: ET.Element) -> str:
    if el.tag == "mi" and (el.text or "") == _BLANK_MI and len(el) == 0:
        return _BLANK_MATHML
    attrs = "".join(f' {k}="{escape(v)}"' for k, v in el.attrib.items())
    inner = escape(el.text or "", quote=False)
    for child in el:
        inner += _serialize(child) + escape(child.tail or "", quote=False)
    return f"<{el.tag}{attrs}>{inner}</{el.tag}>"


def _items(root: ET.Element) -> list[ET.Element]:
    """The top-level items of a converted formula (latex2mathml wraps them in one <mrow>)."""
    out: list[ET.Element] = []
    for item in root:
        out += _unwrap(item)
    return out


def _unwrap(item: ET.Element) -> list[ET.Element]:
    """A bare <mrow>, or a parenthesised group whose content is flat (its fences do not
    stretch), as its items; so that a long sum in parentheses can wrap too."""
    if item.tag != "mrow" or item.attrib:
        return [item]
    children = list(item)
    if children and children[0].get("fence") == "true" and children[0].get("stretchy") != "false":
        return [item]  # tall content between stretchy fences: one piece
    return [part for child in children for part in _unwrap(child)]


def _chunks(items: list[ET.Element]) -> list[list[ET.Element]]:
    """Cut before each top-level binary + − = →, so that a long line can wrap there."""
    chunks: list[list[ET.Element]] = [[]]
    for k, item in enumerate(items):
        previous = items[k - 1] if k else None
        after_operand = previous is not None and (
            previous.tag != "mo" or (previous.text or "") in _CLOSING
        )
        binary = item.tag == "mo" and (item.text or "") in _SPLIT_AT and after_operand
        if binary and chunks[-1]:
            chunks.append([])
        chunks[-1].append(item)
    return [c for c in chunks if c]


def _math(items: Sequence[ET.Element], lead: bool) -> str:
    """One ``<math>`` of ``items``; ``lead``: its first operator is binary (spaced as infix)."""
    first = items[0]
    if lead and first.tag == "mo":
        first.set("form", "infix")
    inner = "".join(_serialize(item) for item in items)
    if len(items) > 1:
        inner = f"<mrow>{inner}</mrow>"
    return f"<math>{inner}</math>"


def mathml(latex: str, *, comma: bool = False, lead: bool = False, split: bool = True) -> str:
    """``latex`` as MathML, cut at top-level + − = → into ``<math>`` pieces joined by ``<wbr>``.

    ``lead`` says the expression continues one before it (it starts with = or +), so its
    first operator is spaced as a binary one. Falls back to escaped text if the LaTeX does not
    convert (it always should; the tests check every built-in lesson).
    """
    from latex2mathml.converter import convert

    try:
        root = ET.fromstring(convert(latex))
    except Exception:  # latex2mathml raises many kinds; a formula must never break the page
        return f'<span class="math-fallback">{escape(latex, quote=False)}</span>'
    _tidy(root, comma)
    items = _items(root)
    if not items:
        return ""
    chunks = _chunks(items) if split else [items]
    return "<wbr>".join(_math(chunk, lead or k > 0) for k, chunk in enumerate(chunks))


def _number_math(shown: str, comma: bool, rounded: bool = False, relation: str = "=") -> str:
    """``= value`` as MathML (``≈ value`` when ``rounded``; ``→ value`` with that
    ``relation``), the minus sign attached to the number."""
    text = decimal_comma(shown) if comma else shown
    if text.startswith("-"):
        number = f"<mrow><mo>\u2212</mo><mn>{escape(text[1:])}</mn></mrow>"
    else:
        number = f"<mn>{escape(text)}</mn>"
    relation = "\u2248" if rounded else relation
    return f'<math><mo form="infix">{relation}</mo>{number}</math>'


_EQUALS = '<math><mo form="infix">=</mo></math>'


def _box(kind: str) -> str:
    return f'<span class="box {kind}"></span>'


# --- the steps ---------------------------------------------------------------------------------


def _same(a: str, b: str) -> bool:
    return a.replace(" ", "") == b.replace(" ", "")


def equation(step: Step, doc: Document, upto: int = VALUE) -> str:
    """formula = substitution = value, each part left out where it would only repeat; ``upto``
    a stage of the walk (``stepper.walking``) stops after the formula or the substitution."""
    comma = doc.comma
    relation = r"\rightarrow" if step.relation == "→" else "="
    lhs = f"{step.sym.latex()} {relation}"
    rhs = formulas.rhs_formula(step, "latex")
    value_tex = formulas.number(step.shown, "latex", alone=True)
    blank = None if doc.shows_values else _BLANK_TEX
    sub = formulas.substituted(doc.substitution(step), "latex", blank=blank)
    show_rhs = not doc.shows_values or not _same(rhs, value_tex)
    show_sub = not (_same(sub, rhs) or _same(sub, value_tex) or _same(sub, _BLANK_TEX))
    # A formula that is its value (∂L/∂L = 1, δ = 0): the symbol, and the value after it.
    parts = [mathml(f"{lhs} {rhs}" if show_rhs else step.sym.latex(), comma=comma)]
    if upto < SUBSTITUTION:
        return parts[0]
    if show_sub and doc.shows_substitutions:
        parts.append(mathml(f"= {sub}", comma=comma, lead=True))
    elif show_sub:  # a box about as wide as what goes in it
        room = min(38.0, max(8.0, 0.42 * len(formulas.substituted(step, "unicode"))))
        box = f'<span class="box sub" style="width: {room:.0f}em"></span>'
        parts.append(f'<span class="blank">{_EQUALS}{box}</span>')
    if upto < VALUE:
        return "<wbr>".join(parts)
    if doc.shows_values:
        arrow = step.relation if not (show_rhs or show_sub) else "="
        value = _number_math(step.shown, comma, doc.rounded(step) and show_sub, arrow)
        parts.append(f'<span class="value">{value}</span>')
    else:
        parts.append(f'<span class="blank">{_EQUALS}{_box("value")}</span>')
    return "<wbr>".join(parts)


_TOKEN = re.compile(r"(?<![\w.,])\d+(?:\.\d+)?(?!\w)")


def _censor(text: str, answers: frozenset[float], comma: bool) -> str:
    """``text`` escaped for HTML, with every number that is a computed answer replaced by a
    small box: for worksheets. A one-digit integer is boxed only as a factor of a × product
    ("1 × 4 × 4"): elsewhere it is a cell, a neuron or a map ("celda (1, 4) del mapa 1"), and
    dropping the whole explanation for it (as ``Document.explanation`` does) would lose more
    than it hides. ``answers`` are absolute values: a sign is not part of the number matched."""
    out: list[str] = []
    at = 0
    for found in _TOKEN.finditer(text):
        token = found.group()
        near = text[max(0, found.start() - 2) : found.end() + 2]
        value = float(token)
        if value in answers and ("." in token or value >= 10 or "×" in near):
            out.append(_plain(text[at : found.start()], comma))
            out.append(_box("small"))
            at = found.end()
    out.append(_plain(text[at:], comma))
    return "".join(out)


def _plain(text: str, comma: bool) -> str:
    """Text as HTML: quotations in ``<q>``, which the browser marks in the page's language;
    a short formula (x₀ = 1) in a span no line breaks inside."""
    text = quotes(text, "", wrap=("\x01", "\x02"))

    def words(part: str) -> str:
        part = escape(decimal_comma(part) if comma else part, quote=False)
        return part.replace("\x01", "<q>").replace("\x02", "</q>")

    out = []
    at = 0
    for formula in typst_prose.formulas(text):
        if formula.short:
            out.append(words(text[at : formula.start]))
            out.append(f'<span class="nobreak">{words(text[formula.start : formula.end])}</span>')
            at = formula.end
    return "".join(out) + words(text[at:])


def _group(group: ZeroGroup, doc: Document) -> str:
    """Steps that are 0 for one reason: their symbols = 0, and the reason once after the step
    numbers. The item takes its first step's anchor."""
    first = group.steps[0].n
    heading = escape(label("doc.steps", doc.lang, n=group.numbers()))
    syms = mathml(", ".join(s.sym.latex() for s in group.steps), comma=doc.comma)
    return (
        f'<li class="step group" id="step-{first}" value="{first}">'
        f'<div class="eq"><span class="n"></span><span class="formula">{syms}<wbr>'
        f'<span class="value">{_number_math("0", doc.comma)}</span></span></div>'
        f'<p class="why"><strong>{heading}.</strong> {_plain(group.reason, doc.comma)}</p></li>'
    )


def step_item(
    step: Step, doc: Document, answers: frozenset[float] = frozenset(), upto: int = VALUE
) -> str:
    """One step as the document lists it: its number, its equation (``upto`` a stage of the
    walk), its explanation, and once its value is shown, its notes. ``answers`` are the
    numbers a worksheet boxes in the explanation (``_answers``)."""
    lang = doc.lang
    parts = [
        f'<li class="step" id="step-{step.n}" value="{step.n}">',
        f'<div class="eq"><span class="n">{step.n}</span>'
        f'<span class="formula">{equation(step, doc, upto)}</span></div>',
    ]
    if doc.shows_values:
        explanation = _plain(doc.explanation(step) or "", doc.comma)
    elif step.n not in doc.repeated:  # said once per run, as in the solution
        explanation = _censor(step.explanation, answers, doc.comma)
    else:
        explanation = ""
    if explanation:
        parts.append(f'<p class="why">{explanation}</p>')
    if doc.shows_values and upto >= VALUE:
        drift = exact_note(step, lang)
        if drift:
            parts.append(f'<p class="exact">{_plain(drift, doc.comma)}</p>')
        if step.note:
            note = _plain(" ".join(step.note.split()), doc.comma)
            parts.append(
                f'<p class="note"><strong>{escape(label("note", lang))}:</strong> {note}</p>'
            )
    parts.append("</li>")
    return "".join(parts)


# --- data and results --------------------------------------------------------------------------


def _number(shown: str, comma: bool) -> str:
    text = pretty(shown)
    return escape(decimal_comma(text) if comma else text, quote=False)


def _network(doc: Document) -> Scene:
    """The network as printed: the first pass revealed, or nothing on a worksheet."""
    scene = print_scene(doc.solution, doc.lang, worksheet=not doc.shows_values)
    return scene.map_labels(decimal_comma) if doc.comma else scene


def _recurrent(doc: Document) -> Scene:
    """The cell unrolled in time as printed: forward values and gradients, or only symbols."""
    scene = recurrent_print_scene(doc.solution, doc.lang, worksheet=not doc.shows_values)
    return scene.map_labels(decimal_comma) if doc.comma else scene


def _graph(doc: Document) -> Scene:
    """The computational graph as printed: every value and gradient, or only the given."""
    scene = graph_print_scene(doc.solution, doc.lang, worksheet=not doc.shows_values)
    return scene.map_labels(decimal_comma) if doc.comma else scene


def _conv(doc: Document) -> Scene:
    """The image and the kernels as printed: with their maps, or alone on a worksheet."""
    scene = conv_print_scene(doc.solution, doc.lang, PRINT_WIDTH, worksheet=not doc.shows_values)
    return scene.map_labels(decimal_comma) if doc.comma else scene


def _data(doc: Document) -> str:
    """What the lesson gives (``stepper.printers.data``): each group's single numbers in a
    row, then its matrices side by side; an optimiser's group under its name."""
    comma = doc.comma
    parts: list[str] = []
    for group in doc.data:
        if group.title:
            parts.append(f"<h3>{escape(group.title)}</h3>")
        if group.formulas:  # a graph's nodes, as their steps write them
            items = "".join(
                f"<li>{mathml(formulas.formula(s, 'latex'), comma=comma, split=False)}</li>"
                for s in group.formulas
            )
            parts.append(f'<ul class="data">{items}</ul>')
        if group.values:
            items = "".join(
                "<li>"
                + mathml(
                    f"{sym.latex()} = {latex_number(shown)}",
                    comma=comma,
                    split=False,
                )
                + "</li>"
                for sym, shown in group.values
            )
            parts.append(f'<ul class="data">{items}</ul>')
        if group.note:
            parts.append(f'<p class="legend">{_plain(group.note, comma)}</p>')
        if any(not t.drawn for t in group.tables):  # the picture shows the drawn ones
            tables = "".join(_table(table, comma) for table in group.tables if not table.drawn)
            parts.append(f'<div class="tables">{tables}</div>')
    if not parts:
        return ""
    heading = escape(label("html.data", doc.lang))
    return f'<section class="given"><h2>{heading}</h2>{"".join(parts)}</section>'


def _sym_cell(sym: Sym, tag: str = "td") -> str:
    return f'<{tag} class="sym">{mathml(sym.latex(), split=False)}</{tag}>'


def _heading(cell: Sym | str) -> str:
    return _sym_cell(cell, "th") if isinstance(cell, Sym) else f"<th>{escape(cell)}</th>"


def _table(table: Table, comma: bool) -> str:
    """A table under its title: a matrix with its headings (a W, a kernel, a map), or
    symbols with their values."""
    if table.pairs:
        inner = _values_table(table, comma)
    else:
        head = ""
        if table.head:
            corner = _heading(table.corner) if table.side else ""
            head = f"<thead><tr>{corner}{''.join(_heading(h) for h in table.head)}</tr></thead>"
        sides = table.side or ("",) * len(table.rows)
        body = "".join(
            "<tr>"
            + (_heading(side) if table.side else "")
            + "".join(
                f"<td>{_number(cell, comma)}</td>" if isinstance(cell, str) else _sym_cell(cell)
                for cell in row
            )
            + "</tr>"
            for side, row in zip(sides, table.rows, strict=True)
        )
        inner = f'<table class="grid">{head}<tbody>{body}</tbody></table>'
    return f'<figure class="table"><figcaption>{escape(table.title)}</figcaption>{inner}</figure>'


def _values_table(table: Table, comma: bool) -> str:
    """Symbol–value pairs, in up to three columns of pairs (filled column by column)."""
    pairs = [row for row in table.rows if len(row) == 2]
    per = 1 if len(pairs) <= 8 else 2 if len(pairs) <= 16 else 3
    height = -(-len(pairs) // per)
    rows = []
    for r in range(height):
        cells = []
        for c in range(per):
            k = c * height + r
            if k < len(pairs):
                sym, value = pairs[k]
                cells.append(
                    (_sym_cell(sym) if isinstance(sym, Sym) else f"<td>{escape(sym)}</td>")
                    + f'<td class="num">{_number(str(value), comma)}</td>'
                )
            else:
                cells.append("<td></td><td></td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f'<table class="values"><tbody>{"".join(rows)}</tbody></table>'


# --- an optimize lesson -------------------------------------------------------------------------


def _contour(doc: Document) -> Scene:
    """The contour plot with every optimiser's path, as a solution prints it."""
    scene = optimize.picture(doc.solution, doc.lang)
    return scene.map_labels(decimal_comma) if doc.comma else scene


def _part(doc: Document, part: optimize.Part) -> str:
    """An optimiser's heading, and its parameters under it."""
    settings = ", ".join(
        mathml(tex, comma=doc.comma, split=False) for tex in optimize.settings_latex(part.settings)
    )
    line = f'<p class="settings">{settings}</p>' if settings else ""
    return f'<h2 class="optimizer">{escape(part.title)}</h2>{line}'


def _comparison(doc: Document, table: optimize.Comparison) -> str:
    """Where each optimiser got to, one row each."""
    head = "".join(f"<th>{escape(h)}</th>" for h in table.head)
    rows = "".join(
        f'<tr><th class="name">{escape(name)}</th><td>{iterations}</td>'
        f"<td>{escape(optimize.point_text(point, doc.comma))}</td>"
        f"<td>{_number(f, doc.comma)}</td></tr>"
        for name, iterations, point, f in table.rows
    )
    notes = "".join(f"<p>{_plain(note, doc.comma)}</p>" for note in table.notes)
    return (
        f'<section class="results"><h2>{escape(table.title)}</h2>'
        f'<table class="compare"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'
        f"{notes}</section>"
    )


# --- the document ------------------------------------------------------------------------------


def _answers(solution: Solution) -> frozenset[float]:
    """The computed values that are not also numbers the lesson gives, without their sign."""
    givens: set[float] = {q.value for q in solution.given}
    for step in solution.steps:
        givens.update(q.value for q in step.operands if q.step is None)
    net, conv = solution.network, solution.conv
    if net is not None:
        givens.update(v for x in net.samples for v in x)
        givens.update(v for t in net.targets if t is not None for v in t)
    if conv is not None:
        givens.update(v for m in conv.image for row in m for v in row)
        givens.update(v for k in conv.kernels for m in k for row in m for v in row)
        givens.update(conv.biases)
    computed = {abs(float(step.shown)) for step in solution.steps}
    return frozenset(computed - {abs(v) for v in givens})


def _css_string(text: str) -> str:
    """A CSS string literal that is safe inside ``<style>``."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3C ")
    return '"' + " ".join(escaped.split()) + '"'


def _pages(docs: Sequence[Document]) -> str:
    """Print styles of each document's pages (a named page each): the lesson's title at the
    top left, the variant at the top right, the page number at the foot, as the PDF has."""
    rules = []
    for k, doc in enumerate(docs, 1):
        variant = label("doc.variant", doc.lang, id=doc.variant) if doc.variant else ""
        rules.append(
            f"@page doc-{k} {{ @top-left {{ content: {_css_string(doc.title)}; }} "
            f"@top-right {{ content: {_css_string(variant)}; }} }}\n"
            f".document:nth-of-type({k}) {{ page: doc-{k}; }}"
        )
    # The first page shows the title in full already.
    rules.append("@page doc-1:first { @top-left { content: none; } }")
    return "\n".join(rules)


def _figure(doc: Document) -> str:
    """The lesson's picture as a figure, with its caption for a screen reader ("" when it
    has none: a worksheet's contour plot, a conv lesson without an image)."""
    solution, lang = doc.solution, doc.lang
    svg = ""
    if solution.conv is not None:
        conv = _conv(doc)
        svg, caption = (
            (render_svg.render(conv) if conv.items else ""),
            label("html.picture.conv", lang),
        )
    elif solution.network is not None:
        svg, caption = render_svg.render(_network(doc)), label("html.picture", lang)
    elif solution.recurrent is not None:
        svg, caption = render_svg.render(_recurrent(doc)), label("html.picture.recurrent", lang)
    elif solution.graph is not None:
        graph = _graph(doc)
        svg = render_svg.render(graph) if graph.items else ""
        caption = label("html.picture.graph", lang)
    elif solution.optimize is not None and doc.shows_values:
        svg, caption = render_svg.render(_contour(doc)), label("html.picture.contour", lang)
    if not svg:
        return ""
    return f'<figure class="picture" aria-label="{escape(caption)}">{svg}</figure>'


def article(doc: Document) -> str:
    """One document as an ``<article>``: what a page holds, and what a notebook shows."""
    solution, lang = doc.solution, doc.lang
    kind = label("doc.solution" if doc.shows_values else "doc.worksheet", lang)
    if doc.variant is not None:
        kind += " · " + label("doc.variant", lang, id=doc.variant)
    head = [f'<p class="kind">{escape(kind)}</p>', f"<h1>{escape(doc.title)}</h1>"]
    if not doc.shows_values:
        head.append(html_fields(lang))
    # Not on a worksheet, even one ``build_document`` lets through: a summary explains the
    # solution, and an answer that is also a given number ("el mapa es de 6 − 3 + 1 = 4") or
    # 0, 1, 2 ("el mapa es de 2×2") passes its check.
    if doc.summary and doc.shows_values:
        head.append(f'<p class="summary">{_plain(doc.summary, doc.comma)}</p>')
    parts = [f'<article class="document" lang="{escape(lang)}">', "<header>", *head, "</header>"]
    figure = _figure(doc)
    if figure:
        parts.append(figure)
    parts.append(_data(doc))
    answers = _answers(solution) if not doc.shows_values else frozenset()
    heading = "h3" if doc.parts else "h2"
    for k, section in enumerate(doc.sections):
        part = doc.part_at(k)
        if part is not None:
            parts.append(_part(doc, part))
        steps = "".join(
            _group(item, doc) if isinstance(item, ZeroGroup) else step_item(item, doc, answers)
            for item in section.items
        )
        parts.append(
            f'<section class="phase"><{heading}>{escape(section.title)}</{heading}>'
            f'<ol class="steps">{steps}</ol></section>'
        )
    if doc.comparison is not None:
        parts.append(_comparison(doc, doc.comparison))
    if doc.tables:
        tables = "".join(_table(table, doc.comma) for table in doc.tables)
        parts.append(
            f'<section class="results"><h2>{escape(label("doc.results", lang))}</h2>'
            f'<div class="tables">{tables}</div></section>'
        )
    parts.append("</article>")
    return "\n".join(p for p in parts if p)


def render_many(documents: list[tuple[Solution, Options]]) -> str:
    """Several documents (an exam's variants, say) in one file, each starting a new page when
    printed; each comes with its own options (blanks, decimal comma, variant id)."""
    docs = [
        build_document(solution, blank=opt.blank, comma=opt.comma, variant=opt.variant)
        for solution, opt in documents
    ]
    if not docs:
        raise ValueError("render_many needs at least one document")
    first = docs[0]
    kind = label("doc.solution" if first.shows_values else "doc.worksheet", first.lang)
    title = f"{first.title} — {kind}"
    variants = [d.variant for d in docs if d.variant is not None]
    if variants:
        title += " · " + ", ".join(label("doc.variant", first.lang, id=v) for v in variants)
    body = "\n".join(article(doc) for doc in docs)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{escape(first.lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="stepper">\n'
        f"<title>{escape(title)}</title>\n<style>{CSS}</style>\n"
        f'<style media="print">\n{_pages(docs)}\n</style>\n</head>\n'
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def render(solution: Solution, options: Options) -> str:
    """The document of one solution (or worksheet) as a self-contained HTML5 file."""
    return render_many([(solution, options)])


#: The file's page: its background and type. A notebook has its own (``scoped``).
PAGE_CSS = """
:root { color-scheme: light; }
html { font-size: 16px; }
body { margin: 0; padding: 2rem 1rem 4rem; background: #f4f2ee; }
"""

#: The documents: flat rules, one selector list each and no comments, so that ``scoped`` can
#: put them under a notebook's wrapper. The headings' weight and the tables' font size are
#: written out although a browser's defaults give them, because a notebook's style sheet
#: sets its own (Jupyter's: headings at 500, tables at 12px).
DOCUMENT_CSS = """
math {
  font-family: 'Latin Modern Math', 'STIX Two Math', 'Cambria Math', 'DejaVu Math TeX Gyre', math;
  font-size: 1.08em;
}
.document {
  max-width: 46rem; margin: 0 auto 2rem; padding: 2rem 2.5rem; background: #fff; color: #111;
  box-shadow: 0 1px 4px rgba(0, 0, 0, .15);
  font-family: 'Latin Modern Roman', 'Latin Modern Math', 'STIX Two Text', Cambria,
    'DejaVu Serif', Georgia, serif;
  line-height: 1.45;
}
header .kind {
  margin: 0; font-size: .85rem; letter-spacing: .06em; text-transform: uppercase; color: #555;
}
h1 { font-size: 1.6rem; font-weight: bold; line-height: 1.2; margin: .2rem 0 .8rem; }
h2 {
  font-size: 1.12rem; font-weight: bold; margin: 1.6rem 0 .5rem; padding-bottom: .15rem;
  border-bottom: 1px solid #bbb;
}
.summary { margin: 0 0 1rem; }
.fields { margin: .4rem 0 1rem; }
figure.picture { margin: 1rem 0; text-align: center; }
figure.picture svg { max-width: 100%; height: auto; }
ul.data {
  list-style: none; padding: 0; margin: .6rem 0; display: flex; flex-wrap: wrap;
  gap: .3rem 1.6rem;
}
section.given h3 { font-size: 1rem; margin: 1rem 0 .3rem; }
p.legend { margin: .3rem 0; font-size: .92rem; color: #333; }
table { border-collapse: collapse; margin: .5rem 0; font-size: inherit; table-layout: auto; }
figure.table { margin: .7rem 0; }
figcaption { font-weight: bold; font-size: .95rem; padding-bottom: .25rem; }
th, td { padding: .15rem .6rem; text-align: right; font-variant-numeric: tabular-nums; }
table.grid td { border: 1px solid #777; min-width: 2.6em; text-align: center; }
table.grid th { font-weight: normal; color: #555; font-size: .85em; text-align: center; }
table.grid td { white-space: nowrap; }
table.values td { border-bottom: 1px solid #ddd; }
table.compare th, table.compare td { border-bottom: 1px solid #ccc; padding: .2rem .8rem; }
table.compare thead th { border-bottom: 1.5px solid #444; }
table.compare th.name { text-align: left; font-weight: normal; }
h2.optimizer { margin-top: 2.2rem; }
h3 { font-size: 1rem; font-weight: bold; margin: 1.1rem 0 .4rem; }
p.settings { margin: 0 0 .6rem; }
table.values td.sym { text-align: left; padding-left: 1.2rem; }
table.values td.sym:first-child { padding-left: .3rem; }
.tables { display: flex; flex-wrap: wrap; gap: .4rem 2.4rem; align-items: flex-start; }
ol.steps { list-style: none; padding: 0; margin: 0; }
li.step { margin: 0 0 .7rem; padding: .35rem 0 .1rem; break-inside: avoid; }
li.step + li.step { border-top: 1px dotted #ccc; }
.eq { display: flex; align-items: baseline; gap: .7rem; }
.eq .n {
  flex: none; min-width: 1.9rem; font-weight: bold; font-size: .9rem; color: #444;
  text-align: right;
}
.eq .formula { flex: 1; line-height: 2.1; }
.eq .value math { font-weight: bold; }
.eq .value mn { font-weight: bold; }
p.why, p.note, p.exact { margin: .1rem 0 .2rem 2.6rem; font-size: .92rem; color: #333; }
p.note { color: #5a3b00; }
p.exact { color: #444; font-style: italic; }
.box {
  display: inline-block; vertical-align: -0.55em; border: 1.2px solid #111; border-radius: 2px;
  height: 1.9em; background: #fff;
}
span.blank { white-space: nowrap; }
.box.value { width: 7em; margin-left: .3em; }
.box.sub { width: 16em; max-width: calc(100% - 3em); margin-left: .3em; }
.box.small { width: 2.2em; height: 1.1em; vertical-align: -0.2em; }
mpadded.blank { border: 1px solid #111; }
span.nobreak { white-space: nowrap; }
:lang(es) q { quotes: "«" "»" "“" "”"; }
.math-fallback { font-family: 'DejaVu Sans Mono', monospace; font-size: .9em; }
"""

#: A printed page: its margins and running heads, and what a screen's page has that paper
#: does not want.
PRINT_CSS = """
@page { size: A4; margin: 18mm 16mm 20mm;
  @top-left, @top-right, @bottom-center {
    font-family: 'Latin Modern Roman', 'DejaVu Serif', serif; font-size: 8.5pt; color: #666;
  }
  @bottom-center { content: counter(page); }
}
@media print {
  html { font-size: 10.5pt; }
  body { background: none; padding: 0; }
  * { background: transparent !important; box-shadow: none !important; }
  .document { max-width: none; margin: 0; padding: 0; }
  .document + .document { break-before: page; }
  h1, h2, h3 { break-after: avoid; }
  figure.picture svg { max-height: 10cm; width: auto; }
  li.step, figure, table, ul.data { break-inside: avoid; }
  p.note { color: #000; }
}
"""

CSS = PAGE_CSS + DOCUMENT_CSS + PRINT_CSS


def scoped(css: str, scope: str) -> str:
    """``css`` (flat rules, as ``DOCUMENT_CSS``) with every selector under ``scope``, so that
    it styles what is inside an element of that class and nothing around it (a notebook's
    own headings and tables)."""
    out = []
    for rule in css.split("}"):
        if "{" not in rule:
            continue
        selectors, body = rule.split("{", 1)
        under = ", ".join(f".{scope} {s.strip()}" for s in selectors.split(","))
        out.append(f"{under} {{{body}}}")
    return "\n".join(out) + "\n"


register(
    Printer(
        "html",
        render,
        description="one self-contained HTML file: MathML, an SVG picture, print styles",
        render_many=render_many,
    )
)
