"""``--worksheet=exam``: the sheet a student sits the exam with.

Headed with the course, instructor and date, fields for the student's name, ID and group,
the variant's id, the instructions and the points per item; then the data (the printers'
own picture of the network, or of the image and kernels; a recurrent lesson's sequence,
matrices and states, a graph lesson's node formulas and inputs, as the printers' data section
gives them) and the exercises, numbered as the
key and the Moodle bank number them (``stepper.exam.items``): "Ejercicio 1", a), b), … Each
item is the quantity asked and a box as wide as its answer can be (a sign, the digits of its
integer part, the lesson's decimals), so the box does not tell how many decimals the value
has; each exercise leaves room for the working. No formula, substitution or explanation is
printed: on an exam they are hints.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from html import escape

from stepper.exam.fields import html_fields, latex_fields, markdown_fields, typst_fields
from stepper.exam.header import ExamHeader
from stepper.exam.items import Item, data, items
from stepper.i18n import label
from stepper.numbers import decimal_comma
from stepper.printers import Options, optimize
from stepper.printers.document import Document, build_document
from stepper.steps import Solution

#: Working room left under an exercise, per item (typst em).
ROOM = 1.6


def width(item: Item, decimals: int) -> int:
    """Characters an answer may take: a sign, its integer digits, a point and the decimals."""
    whole = abs(item.step.value)
    digits = len(str(int(whole))) if math.isfinite(whole) else 1
    return 1 + digits + (1 + decimals if decimals else 0)


def _document(solution: Solution, options: Options) -> Document:
    return build_document(solution, blank="values", comma=options.comma, variant=options.variant)


def _exercises(solution: Solution) -> list[list[Item]]:
    out: list[list[Item]] = []
    for item in items(solution):
        if not out or out[-1][0].exercise != item.exercise:
            out.append([])
        out[-1].append(item)
    return out


def _top(doc: Document, header: ExamHeader | None) -> tuple[str, list[str]]:
    """The line under the title (course · instructor · date) and the lines above the data
    (instructions, points per item, written with the lesson's decimal comma if it has one)."""
    if header is None:
        return "", []
    line = " · ".join(t for t in (header.course, header.instructor, header.date) if t)
    lines = [header.instructions] if header.instructions else []
    if header.points is not None:
        points = f"{header.points:g}"
        points = decimal_comma(points) if doc.comma else points
        lines.append(label("exam.points", doc.lang, points=points))
    return line, lines


# -- PDF (typst) ---------------------------------------------------------------------------------


def _s(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def typst_body(doc: Document, header: ExamHeader | None) -> list[str]:
    from stepper.printers import pdf
    from stepper.printers.typst_math import sym_typst

    lang = doc.lang
    variant = label("doc.variant", lang, id=doc.variant) if doc.variant else ""
    line, lines = _top(doc, header)
    out = [
        f"#set page(header: running({_s(doc.title)}, {_s(variant)}))",
        "#counter(page).update(1)",
        f"#heading(level: 1, {_s(doc.title)})",
        f'#text(style: "italic", {_s(label("exam.sheet", lang))})'
        + (f" #h(0.6em) · #h(0.6em) #strong({_s(variant)})" if variant else ""),
    ]
    if line:
        out.append(f"\n#{_s(line)}")
    out.append(typst_fields(lang))
    out += [f"#block(below: 0.8em, {_s(text)})" for text in lines]
    out += pdf.data_section(doc)
    if doc.solution.optimize is not None:
        out.append(f"#par[{pdf.function_line(doc)}]")
    for exercise in _exercises(doc.solution):
        first = exercise[0]
        part = doc.part_at(first.exercise - 1)
        if part is not None:
            out += pdf.optimizer_heading(doc, part)
        title = f"{label('exam.exercise', lang, n=first.exercise)} · {first.heading}"
        cells = []
        for item in exercise:
            chars = width(item, doc.solution.decimals)
            box = f"#box(stroke: 0.5pt, width: {0.6 * chars + 0.6:.1f}em, height: 1.4em)"
            relation = "arrow.r" if item.step.relation == "→" else item.step.relation
            cells.append(f"[{item.part}) ${sym_typst(item.step.sym)} {relation}$ {box}]")
        out.append(
            "#block(breakable: false, above: 1.4em)["
            f"#heading(level: 2, {_s(title)})\n"
            "#grid(columns: (1fr, 1fr, 1fr), column-gutter: 1em, row-gutter: 0.8em, "
            + ", ".join(cells)
            + f")\n#v({ROOM * len(exercise):.1f}em)]"
        )
    return out


def pdf(documents: Sequence[tuple[Solution, Options]]) -> bytes:
    from stepper.printers import pdf as printer

    docs = [(_document(s, o), o.exam) for s, o in documents]
    parts = [printer.preamble(docs[0][0])]
    for k, (doc, header) in enumerate(docs):
        if k:
            parts.append("#pagebreak(weak: true)")
        parts += typst_body(doc, header)
    return printer.compile_source("\n".join(parts) + "\n")


# -- Markdown ------------------------------------------------------------------------------------


def _md_one(doc: Document, header: ExamHeader | None) -> str:
    from stepper.printers.markdown import data, picture_text

    lang = doc.lang
    line, lines = _top(doc, header)
    kind = f"*{label('exam.sheet', lang)}*"
    if doc.variant:
        kind += f" · **{label('doc.variant', lang, id=doc.variant)}**"
    out = [f"# {doc.title}", "", kind, ""]
    if line:
        out += [line, ""]
    out += [markdown_fields(lang), ""]
    out += [item for text in lines for item in (text, "")]
    picture = picture_text(doc)
    if picture:
        out += ["```text", picture, "```", ""]
    if doc.solution.recurrent is not None or doc.solution.graph is not None:
        out += data(doc)  # its picture gives no numbers (no formulas): the data do
    problem = optimize.statement(doc.solution)
    if problem:
        out += [f"**{label('exam.data', lang)}:** " + "; ".join(f"${t}$" for t in problem), ""]
    for exercise in _exercises(doc.solution):
        first = exercise[0]
        part = doc.part_at(first.exercise - 1)
        if part is not None:
            settings = ", ".join(f"${t}$" for t in optimize.settings_latex(part.settings))
            out += [f"**{part.title}:** {settings}", ""]
        out += [f"## {label('exam.exercise', lang, n=first.exercise)} · {first.heading}", ""]
        for item in exercise:
            room = r"\phantom{" + "0" * width(item, doc.solution.decimals) + "}"
            relation = r"\rightarrow" if item.step.relation == "→" else item.step.relation
            out += [f"{item.part}) ${item.step.sym.latex()} {relation} \\boxed{{{room}}}$", ""]
    return "\n".join(out)


def markdown(documents: Sequence[tuple[Solution, Options]]) -> str:
    pages = [_md_one(_document(s, o), o.exam) for s, o in documents]
    return "\n\n---\n\n".join(page.rstrip() for page in pages) + "\n"


# -- LaTeX ---------------------------------------------------------------------------------------


def _tex_one(doc: Document, header: ExamHeader | None) -> list[str]:
    from stepper.printers.latex import data, text, tikz_conv, tikz_network

    lang = doc.lang
    line, lines = _top(doc, header)
    kind = label("exam.sheet", lang)
    if doc.variant:
        kind += " · " + label("doc.variant", lang, id=doc.variant)
    out = [rf"\section*{{{text(doc.title)}}}", rf"\textit{{{text(kind)}}}", ""]
    if line:
        out += [text(line), ""]
    out += [latex_fields(lang), ""]
    out += [item for t in lines for item in (text(t), "")]
    out += tikz_network(doc)
    out += tikz_conv(doc)
    if doc.solution.recurrent is not None or doc.solution.graph is not None:
        out += data(doc)  # its picture gives no numbers (no formulas): the data do
    problem = optimize.statement(doc.solution)
    if problem:
        out += [
            rf"\textbf{{{text(label('exam.data', lang))}:}} "
            + "; ".join(f"${t}$" for t in problem),
            "",
        ]
    for exercise in _exercises(doc.solution):
        first = exercise[0]
        part = doc.part_at(first.exercise - 1)
        if part is not None:
            settings = ", ".join(f"${t}$" for t in optimize.settings_latex(part.settings))
            out += [rf"\paragraph{{{text(part.title)}}} {settings}", ""]
        title = f"{label('exam.exercise', lang, n=first.exercise)} · {first.heading}"
        out += [r"\begin{minipage}{\linewidth}", rf"\subsection*{{{text(title)}}}"]
        for item in exercise:
            room = r"\phantom{" + "0" * width(item, doc.solution.decimals) + "}"
            relation = r"\rightarrow" if item.step.relation == "→" else item.step.relation
            # One unbreakable item: a line never ends between "e)", "Δw₁₂ =" and its box.
            item_tex = rf"{item.part}) ${item.step.sym.latex()} {relation} \boxed{{{room}}}$"
            out.append(rf"\mbox{{{item_tex}}}\quad")
        out += [rf"\par\vspace{{{ROOM * len(exercise):.1f}em}}", r"\end{minipage}", ""]
    return out


def latex(documents: Sequence[tuple[Solution, Options]]) -> str:
    from stepper.printers.latex import preamble

    lang = documents[0][0].language
    out = [preamble(lang), r"\begin{document}"]
    for k, (solution, options) in enumerate(documents):
        if k:
            out.append(r"\clearpage")
        out += _tex_one(_document(solution, options), options.exam)
    out.append(r"\end{document}")
    return "\n".join(out) + "\n"


# -- HTML --------------------------------------------------------------------------------------

_CSS = """
body { font-family: "Latin Modern Roman", "Times New Roman", serif; margin: 1.5rem auto;
  max-width: 50rem; line-height: 1.4; }
article + article { break-before: page; }
.exercise { break-inside: avoid; margin-top: 1.2rem; }
.exercise h2 { font-size: 1.05rem; margin: 0 0 .4rem; }
.items { display: grid; grid-template-columns: repeat(3, 1fr); gap: .6rem 1rem; }
.box { display: inline-block; border: 1px solid #000; height: 1.4em; vertical-align: middle; }
.data li { display: inline-block; margin-right: 1.2rem; }
figure { margin: 1rem 0; text-align: center; }
@page { size: A4; margin: 1.8cm; }
"""


def _html_formulas(doc: Document) -> list[str]:
    """A graph lesson's node formulas (e = a·b, …), the problem the exercises ask about."""
    from stepper import formulas
    from stepper.printers.html import mathml

    out = []
    for group in doc.data if doc.solution.graph is not None else ():
        given = "".join(
            f"<li>{mathml(formulas.formula(s, 'latex'), comma=doc.comma, split=False)}</li>"
            for s in group.formulas
        )
        out.append(f'<ul class="data">{given}</ul>')
    return out


def _html_one(doc: Document, header: ExamHeader | None) -> str:
    from stepper.pictures import render_svg
    from stepper.pictures.conv_print import PRINT_WIDTH
    from stepper.pictures.conv_print import print_scene as conv_scene
    from stepper.pictures.network import print_scene
    from stepper.printers.html import mathml

    solution, lang = doc.solution, doc.lang
    line, lines = _top(doc, header)
    kind = label("exam.sheet", lang)
    if doc.variant:
        kind += " · " + label("doc.variant", lang, id=doc.variant)
    out = [f'<article lang="{lang}"><p><em>{escape(kind)}</em></p>']
    out.append(f"<h1>{escape(doc.title)}</h1>")
    if line:
        out.append(f"<p>{escape(line)}</p>")
    out.append(html_fields(lang))
    out += [f"<p>{escape(t)}</p>" for t in lines]
    scene = None
    if solution.conv is not None:
        scene = conv_scene(solution, lang, PRINT_WIDTH, worksheet=True)
    elif solution.network is not None:
        scene = print_scene(solution, lang, worksheet=True)
    if scene is not None and scene.items:
        out.append(f"<figure>{render_svg.render(scene)}</figure>")
    problem = optimize.statement(solution)
    if problem:
        given = "".join(f"<li>{mathml(t, comma=doc.comma, split=False)}</li>" for t in problem)
        heading = escape(label("exam.data", lang))
        out.append(f'<p><strong>{heading}:</strong></p><ul class="data">{given}</ul>')
    out += _html_formulas(doc)
    for sample, quantities in [] if problem else data(solution):
        heading = label("exam.data", lang)
        if sample is not None:
            heading += " · " + label("sample", lang, s=sample)
        given = "".join(
            f"<li>{mathml(f'{q.sym.latex()} = {q.shown}', comma=doc.comma, split=False)}</li>"
            for q in quantities
        )
        out.append(f'<p><strong>{escape(heading)}:</strong></p><ul class="data">{given}</ul>')
    for exercise in _exercises(solution):
        first = exercise[0]
        part = doc.part_at(first.exercise - 1)
        if part is not None:
            settings = ", ".join(
                mathml(t, comma=doc.comma, split=False)
                for t in optimize.settings_latex(part.settings)
            )
            out.append(f"<p><strong>{escape(part.title)}:</strong> {settings}</p>")
        title = f"{label('exam.exercise', lang, n=first.exercise)} · {first.heading}"
        cells = []
        for item in exercise:
            relation = r"\rightarrow" if item.step.relation == "→" else item.step.relation
            symbol = mathml(f"{item.step.sym.latex()} {relation}", split=False)
            chars = width(item, solution.decimals) + 1
            box = f'<span class="box" style="width: {chars}ch"></span>'
            cells.append(f"<div>{item.part}) {symbol} {box}</div>")
        room = f"{ROOM * len(exercise):.1f}em"
        out.append(
            f'<section class="exercise" style="padding-bottom: {room}">'
            f'<h2>{escape(title)}</h2><div class="items">{"".join(cells)}</div></section>'
        )
    out.append("</article>")
    return "\n".join(out)


def html(documents: Sequence[tuple[Solution, Options]]) -> str:
    first = documents[0][0]
    title = f"{first.title} · {label('exam.sheet', first.language)}"
    body = "\n".join(_html_one(_document(s, o), o.exam) for s, o in documents)
    return (
        f'<!DOCTYPE html>\n<html lang="{first.language}"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head>\n<body>\n{body}\n"
        "</body></html>\n"
    )


#: The exam sheet's writer for each format that has one.
WRITERS: dict[str, Callable[[Sequence[tuple[Solution, Options]]], str | bytes]] = {
    "pdf": pdf,
    "md": markdown,
    "tex": latex,
    "html": html,
}


def render_sheet(fmt: str, documents: Sequence[tuple[Solution, Options]]) -> str | bytes:
    """The exam sheets of ``documents`` (one per variant) in format ``fmt``."""
    return WRITERS[fmt](documents)
