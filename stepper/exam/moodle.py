"""``--format moodle``: a Moodle XML question bank, one Cloze question per variant.

Moodle imports it with Question bank → Import → Moodle XML. Each question is of type
``cloze`` (embedded answers): the data as text, formulas in Moodle's TeX filter syntax
``\\( … \\)``, then one NUMERICAL blank per asked value, ``{W:NUMERICAL:=ANSWER:TOLERANCE}``.
The answer is the engine's value at full precision; the tolerance is one unit of the last
decimal the lesson shows (10^-decimals), so the value as printed, and a hand calculation
that rounded its intermediate values to the lesson's decimals, are both right. All
questions go into one category named after the lesson (``$course$/top/stepper/LESSON``):
an instructor imports thirty variants and puts a random question from that category in the
quiz, which draws one variant per student.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from html import escape

from stepper.exam.header import ExamHeader
from stepper.exam.items import data, items
from stepper.i18n import label
from stepper.numbers import decimal_comma, given
from stepper.printers import Options, Printer, register
from stepper.steps import Quantity, Solution

#: The category every question of a lesson goes to (``$course$``: the course imported into).
CATEGORY = "$course$/top/stepper/{lesson}"


def tolerance(decimals: int) -> str:
    """The accepted error of a blank: one unit of the last decimal shown."""
    return f"{10.0**-decimals:.{decimals}f}"


def weight(header: ExamHeader | None) -> int:
    """A blank's weight: the points per item when whole (Cloze weights are whole numbers);
    else 1, the items weighing the same either way (the quiz scales the question's mark)."""
    points = header.points if header else None
    return int(points) if points is not None and points == int(points) else 1


def _math(text: str) -> str:
    return rf"\({text}\)"


def _given(quantity: Quantity, comma: bool) -> str:
    shown = decimal_comma(quantity.shown, "{,}") if comma else quantity.shown
    return _math(f"{quantity.sym.latex()} = {shown}")


def blank(value: float, decimals: int, marks: int) -> str:
    """The Cloze blank of one value: its weight, the exact answer, the tolerance."""
    if not math.isfinite(value):
        raise ValueError(f"no numeric answer for {value!r}")
    return f"{{{marks}:NUMERICAL:={value!r}:{tolerance(decimals)}}}"


def _matrix(rows: Sequence[Sequence[float]], comma: bool) -> str:
    body = r" \\ ".join(" & ".join(given(v) for v in row) for row in rows)
    text = rf"\begin{{pmatrix}} {body} \end{{pmatrix}}"
    return decimal_comma(text, "{,}") if comma else text


def _grids(solution: Solution, comma: bool) -> list[str]:
    """A conv lesson's image and kernels as the lecture writes them: matrices, a channel
    each (x⁽²⁾ is the second channel), each kernel named."""
    conv = solution.conv
    if conv is None:
        return []
    out = []
    several = len(conv.image) > 1
    for c, channel in enumerate(conv.image, 1):
        name = f"x^{{({c})}}" if several else "x"
        out.append(_math(f"{name} = {_matrix(channel, comma)}"))
    for kernel, title in zip(conv.kernels, conv.names, strict=True):
        for c, channel in enumerate(kernel, 1):
            name = f"k^{{({c})}}" if len(kernel) > 1 else "k"
            out.append(f"{escape(title)}: " + _math(f"{name} = {_matrix(channel, comma)}"))
    return [f"<p>{line}</p>" for line in out]


def _formulas(solution: Solution, comma: bool) -> list[str]:
    """A graph lesson's nodes by their formulas (e = a·b, …): what the blanks ask about, each
    graph's under its name when the lesson works two."""
    if solution.graph is None:
        return []
    from stepper import formulas
    from stepper.printers.graph_data import graph_data

    out = []
    for group in graph_data(solution):
        written = [formulas.formula(s, "latex") for s in group.formulas]
        if comma:
            written = [decimal_comma(text, "{,}") for text in written]
        if written:
            title = f"{escape(group.title)}: " if group.title else ""
            out.append(f"<p>{title}{', '.join(_math(text) for text in written)}</p>")
    return out


def question_html(solution: Solution, options: Options) -> str:
    """The question's text (HTML): header, data, then the exercises with their blanks."""
    lang = solution.language
    header = options.exam
    out: list[str] = []
    if header is not None:
        top = [escape(t) for t in (header.course, header.instructor, header.date) if t]
        if top:
            out.append("<p>" + " · ".join(top) + "</p>")
        if header.instructions:
            out.append(f"<p>{escape(header.instructions)}</p>")
    grids = _grids(solution, options.comma)
    out += _formulas(solution, options.comma)
    for sample, found in data(solution):
        # A conv lesson's image and kernel cells are in its matrices.
        quantities = [q for q in found if not (grids and q.key.startswith(("x[", "k[")))]
        if not quantities:
            continue
        name = label("exam.data", lang)
        if sample is not None:
            name += " · " + label("sample", lang, s=sample)
        givens = ", ".join(_given(q, options.comma) for q in quantities)
        out.append(f"<p><strong>{escape(name)}:</strong> {givens}</p>")
    out += grids
    marks = weight(header)
    exercise = 0
    for item in items(solution):
        if item.exercise != exercise:
            exercise = item.exercise
            name = label("exam.exercise", lang, n=exercise)
            out.append(f"<p><strong>{escape(name)}</strong> · {escape(item.heading)}</p>")
        answer = blank(item.step.value, solution.decimals, marks)
        relation = r"\rightarrow" if item.step.relation == "→" else item.step.relation
        symbol = _math(f"{item.step.sym.latex()} {relation}")
        out.append(f"<p>{item.part}) {symbol} {answer}</p>")
    return "\n".join(out)


def _text(parent: ET.Element, tag: str, text: str, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    ET.SubElement(element, "text").text = text
    return element


def _question(quiz: ET.Element, solution: Solution, options: Options) -> None:
    question = ET.SubElement(quiz, "question", type="cloze")
    name = solution.lesson_id
    if options.variant:
        name = f"{solution.title} · {label('doc.variant', solution.language, id=options.variant)}"
    _text(question, "name", name)
    _text(question, "questiontext", question_html(solution, options), format="html")
    _text(question, "generalfeedback", "", format="html")
    ET.SubElement(question, "penalty").text = "0.3333333"
    ET.SubElement(question, "hidden").text = "0"
    ET.SubElement(question, "idnumber").text = solution.lesson_id


def render_many(documents: list[tuple[Solution, Options]]) -> str:
    """The question bank: the lesson's category, then one question per document."""
    quiz = ET.Element("quiz")
    first = documents[0][0]
    # A variant's id is LESSON-VID (stepper.variation), and a VID has no hyphen.
    lesson = first.lesson_id.rsplit("-", 1)[0] if documents[0][1].variant else first.lesson_id
    category = ET.SubElement(quiz, "question", type="category")
    _text(category, "category", CATEGORY.format(lesson=lesson))
    _text(category, "info", "", format="html")
    for solution, options in documents:
        _question(quiz, solution, options)
    ET.indent(quiz)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(quiz, "unicode") + "\n"


def render(solution: Solution, options: Options) -> str:
    return render_many([(solution, options)])


register(
    Printer(
        "moodle",
        render,
        description="a Moodle XML question bank (Cloze questions)",
        render_many=render_many,
    )
)
