"""Markdown: the worked solution with math in $…$ and $$…$$, as GitHub and Jupyter render it.

The picture is the app's own, as text in a fenced block; every formula is the LaTeX that the
JSON solution carries, so the three agree to the character.
"""

from __future__ import annotations

import io
import re

from rich.console import Console, RenderableType

from stepper.exam.fields import markdown_fields
from stepper.i18n import label
from stepper.notation import Sym
from stepper.numbers import decimal_comma, pretty
from stepper.pictures import render_rich
from stepper.pictures.conv_print import PRINT_WIDTH
from stepper.pictures.conv_print import print_scene as conv_print_scene
from stepper.pictures.network import print_scene
from stepper.pictures.recurrent import print_scene as recurrent_print_scene
from stepper.pictures.terminal import picture
from stepper.printers import Options, Printer, latex, math_lines, optimize, register
from stepper.printers.data import ELIDED, Table, is_number, latex_number
from stepper.printers.document import (
    Document,
    build_document,
    latex_parts,
    latex_relations,
)
from stepper.printers.graph_data import graph_nodes
from stepper.printers.grouping import ZeroGroup
from stepper.steps import Solution, Step


def picture_text(doc: Document) -> str:
    """The app's picture as plain text, as the other documents print it: in a solution every
    value revealed (the network's, the maps of a conv lesson, the optimisers' whole paths), on
    a worksheet nothing computed (the image and its kernels without their maps, the starting
    points)."""
    solution = doc.solution
    worksheet = not doc.shows_values
    scene = None
    if solution.optimize is not None:
        # Every path and the table beside them, or no frame at all on a worksheet.
        scene = None if worksheet else optimize.picture(solution, doc.lang)
        if scene is None or not scene.width:
            return ""
    elif solution.network is not None and solution.conv is None:
        scene = print_scene(solution, doc.lang, worksheet=worksheet)
    elif solution.conv is not None:
        scene = conv_print_scene(solution, doc.lang, PRINT_WIDTH, worksheet=worksheet)
    elif solution.recurrent is not None:
        scene = recurrent_print_scene(solution, doc.lang, worksheet=worksheet)
    if scene is not None and scene.width:
        drawn: RenderableType = render_rich.render(
            scene.map_labels(decimal_comma) if doc.comma else scene
        )
        width = scene.width
    else:  # the sizes of a conv lesson without an image
        width = 100
        drawn = picture(solution, 0 if worksheet else len(solution.steps), None, doc.lang, width)
    # Not Rich's Jupyter display: in a notebook it would show the picture as an output of its
    # own instead of writing it into the string.
    console = Console(
        width=width, record=True, file=io.StringIO(), color_system=None, force_jupyter=False
    )
    console.print(drawn)
    return console.export_text().rstrip()


def _math(doc: Document, text: str) -> str:
    return decimal_comma(text, "{,}") if doc.comma else text


def _text(doc: Document, text: str) -> str:
    return decimal_comma(text) if doc.comma else text


def step_math(doc: Document, step: Step) -> str:
    """formula = substitution = value, with blanks where a worksheet asks the learner; wider
    than a page, in aligned lines (``math_lines``)."""
    parts = latex_parts(doc, step)
    relations = latex_relations(doc, step, parts)
    broken = math_lines.lines(parts, relations=relations)
    if broken is None:
        return _math(doc, math_lines.joined(parts, relations))
    return _math(doc, "\\begin{aligned}\n" + math_lines.aligned(broken) + "\n\\end{aligned}")


def _group(doc: Document, group: ZeroGroup) -> list[str]:
    """Steps that are 0 for one reason: their symbols = 0, and the reason once."""
    rows = group.latex()
    tex = (
        rows[0]
        if len(rows) == 1
        else "\\begin{gathered}\n" + " \\\\\n".join(rows) + "\n\\end{gathered}"
    )
    return [
        f"**{label('doc.steps', doc.lang, n=group.numbers())}**",
        "",
        "$$",
        _math(doc, tex),
        "$$",
        "",
        _text(doc, group.reason),
        "",
    ]


def step_lines(doc: Document, step: Step) -> list[str]:
    """One step: its number, its equation in $$ math, its explanation and its note."""
    out = [f"**{label('doc.step', doc.lang, n=step.n)}**", "", "$$", step_math(doc, step), "$$", ""]
    words = doc.explanation(step)
    if words:
        out += [_text(doc, words), ""]
    if step.note and doc.shows_values:
        out += [f"> **{label('note', doc.lang)}:** {_text(doc, step.note.strip())}", ""]
    return out


def _picture(doc: Document) -> list[str]:
    """The app's picture as text in a fenced block; a graph's nodes as a table, which reads
    better in plain text than boxes and arrows do."""
    if doc.solution.graph is not None:
        tables = graph_nodes(doc.solution, worksheet=not doc.shows_values)
        return [line for table in tables for line in _table(doc, table)]
    picture = picture_text(doc)
    return ["```text", picture, "```", ""] if picture else []


def render_document(doc: Document) -> str:
    lang = doc.lang
    out = [f"# {doc.title}", ""]
    kind = label("doc.worksheet" if doc.blank != "none" else "doc.solution", lang)
    out += [
        f"*{kind}*"
        + (f" · **{label('doc.variant', lang, id=doc.variant)}**" if doc.variant else ""),
        "",
    ]
    if doc.blank != "none":  # a worksheet asks who fills it in, as every sheet does
        out += [markdown_fields(lang), ""]
    if doc.summary:
        out += [doc.summary, ""]
    out += _picture(doc)
    out += data(doc)
    level = "###" if doc.parts else "##"
    for number, section in enumerate(doc.sections, 1):
        part = doc.part_at(number - 1)
        if part is not None:
            out += _part(doc, part)
        out += [f"{level} {number}. {section.title}", ""]
        for item in section.items:
            if isinstance(item, ZeroGroup):
                out += _group(doc, item)
                continue
            out += step_lines(doc, item)
    if doc.comparison is not None:
        out += _comparison(doc, doc.comparison)
    if doc.tables:
        out += [f"## {label('doc.results', lang)}", ""]
        for table in doc.tables:
            out += _table(doc, table)
    return "\n".join(out).rstrip() + "\n"


def _part(doc: Document, part: optimize.Part) -> list[str]:
    """An optimiser's heading and its parameters."""
    settings = ", ".join(f"${_math(doc, t)}$" for t in optimize.settings_latex(part.settings))
    return [f"## {part.title}", "", *([settings, ""] if settings else [])]


def _comparison(doc: Document, table: optimize.Comparison) -> list[str]:
    """Where each optimiser got to, one row each."""
    lines = [f"## {table.title}", "", "| " + " | ".join(table.head) + " |", "|---|--:|--:|--:|"]
    for name, iterations, point, f in table.rows:
        where = _text(doc, optimize.point_text(point, doc.comma))
        lines.append(f"| {name} | {iterations} | {where} | {_text(doc, pretty(f))} |")
    lines.append("")
    return lines + [item for note in table.notes for item in (_text(doc, note), "")]


def data(doc: Document) -> list[str]:
    """The data (``stepper.printers.data``): single numbers on a line, then the matrices; an
    optimiser's under its name."""
    if not doc.data:
        return []
    out = [f"## {label('pdf.data', doc.lang)}", ""]
    for group in doc.data:
        if group.title:
            out += [f"### {group.title}", ""]
        if group.formulas:
            out += [latex.formulas_line(group.formulas), ""]
        if group.values:
            out += [", ".join(f"${s.latex()} = {_number(doc, v)}$" for s, v in group.values), ""]
        if group.note:
            out += [_text(doc, group.note), ""]
        for table in group.tables:
            out += _table(doc, table)
    return out


def _number(doc: Document, shown: str) -> str:
    return _math(doc, latex_number(shown))


def _cell(doc: Document, cell: Sym | str) -> str:
    if isinstance(cell, Sym):
        return f"${cell.latex()}$"
    if cell in ("", ELIDED) or (not _NUMBER.fullmatch(cell) and is_number(cell)):
        return cell
    if not is_number(cell):  # a word (a sample's category), kept literal
        return re.sub(r"([\\`*_<>|\[\]])", r"\\\1", cell)
    return f"${_number(doc, cell)}$"


_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e-?\d+)?")


def _table(doc: Document, table: Table) -> list[str]:
    """A titled table: a matrix under its headings (the corner names it, the indices head the
    columns); symbol–value pairs as a line of equations; a grid without headings (an image, a
    kernel, a map) as the lecture writes it, a matrix. A Markdown table always has a header
    row: none is left blank."""
    title = [f"**{table.title}**", ""]
    if table.pairs:
        return [*title, latex.pairs(doc, table), ""]
    if not table.head:
        return [*title, f"$${latex.matrix(doc, table)}$$", ""]
    head = ([table.corner] if table.side else []) + list(table.head)
    sides = table.side or ("",) * len(table.rows)
    lines = [
        *title,
        "| " + " | ".join(_cell(doc, c) or " " for c in head) + " |",
        "|" + "|".join("---" for _ in head) + "|",
    ]
    for side, row in zip(sides, table.rows, strict=True):
        cells = ([side] if table.side else []) + list(row)
        lines.append("| " + " | ".join(_cell(doc, c) for c in cells) + " |")
    return [*lines, ""]


def render(solution: Solution, options: Options) -> str:
    doc = build_document(
        solution, blank=options.blank, comma=options.comma, variant=options.variant
    )
    return render_document(doc)


#: Between two variants: a rule, and a page break when the Markdown is printed as HTML.
PAGE_BREAK = '\n\n---\n\n<div style="page-break-after: always"></div>\n\n'


def render_many(documents: list[tuple[Solution, Options]]) -> str:
    return PAGE_BREAK.join(render(solution, options) for solution, options in documents)


register(
    Printer(
        "md",
        render,
        description="Markdown with $…$ math (GitHub, Jupyter)",
        render_many=render_many,
    )
)
