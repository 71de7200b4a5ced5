"""``--key``: the answer key of an exam, compact enough to mark thirty variants from.

A cover list of the variant ids, then for each variant one small table of the values the
sheet asks (item, quantity, value as shown): thirty variants of backprop-1 fit on a few
pages, where thirty full solutions take sixty. The same key in every text format, and in PDF
(typst, three tables across the page).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from stepper.exam.header import ExamHeader
from stepper.exam.items import Item, items
from stepper.i18n import label
from stepper.numbers import decimal_comma, pretty
from stepper.printers import Options
from stepper.steps import Solution


@dataclass(frozen=True, slots=True)
class Answers:
    """One variant's asked values (``variant`` None: the lesson itself)."""

    variant: str | None
    items: tuple[Item, ...]
    comma: bool

    def shown(self, item: Item) -> str:
        text = pretty(item.step.shown)
        return decimal_comma(text) if self.comma else text


@dataclass(frozen=True, slots=True)
class AnswerKey:
    """The key: the lesson's title, the exam's header and every variant's answers."""

    lesson: str
    title: str
    lang: str
    header: ExamHeader | None
    answers: tuple[Answers, ...]

    def heading(self, answers: Answers) -> str:
        if answers.variant is None:
            return self.title
        return label("doc.variant", self.lang, id=answers.variant)

    @property
    def full_title(self) -> str:
        return f"{self.title} · {label('exam.key', self.lang)}"

    def cover(self) -> tuple[str, str] | None:
        """The cover list: "Variantes (30)" and the ids, or None for a lesson's own key."""
        ids = [a.variant for a in self.answers if a.variant]
        if not ids:
            return None
        return label("exam.variants", self.lang, n=len(ids)) + ":", ", ".join(ids)

    def top(self) -> list[str]:
        """The lines under the title: course · instructor · date, and the points."""
        header = self.header
        if header is None:
            return []
        lines = [" · ".join(t for t in (header.course, header.instructor, header.date) if t)]
        if header.points is not None:
            lines.append(label("exam.points", self.lang, points=f"{header.points:g}"))
        return [line for line in lines if line]


def answer_key(documents: Sequence[tuple[Solution, Options]]) -> AnswerKey:
    first, options = documents[0]
    return AnswerKey(
        lesson=first.lesson_id.rsplit("-", 1)[0] if options.variant else first.lesson_id,
        title=first.title,
        lang=first.language,
        header=options.exam,
        answers=tuple(Answers(o.variant, tuple(items(s)), o.comma) for s, o in documents),
    )


def _part(item: Item) -> str:
    return f"{item.exercise} {item.part})" if item.part == "a" else f"{item.part})"


# -- text formats ------------------------------------------------------------------------------


def markdown(key: AnswerKey) -> str:
    lang = key.lang
    out = [f"# {key.full_title}", ""]
    out += [f"{line}  " for line in key.top()]
    cover = key.cover()
    if cover:
        out += ["", f"**{cover[0]}** {cover[1]}"]
    for answers in key.answers:
        out += ["", f"## {key.heading(answers)}", ""]
        out += [f"| {label('exam.part', lang)} | | {label('exam.value', lang)} |", "|---|---|--:|"]
        for item in answers.items:
            sym = item.step.sym.unicode()
            out.append(f"| {_part(item)} | {sym} | {answers.shown(item)} |")
    return "\n".join(out) + "\n"


def as_json(key: AnswerKey) -> str:
    record = {
        "lesson": key.lesson,
        "title": key.title,
        "variants": [a.variant for a in key.answers],
        "answers": [
            {
                "variant": a.variant,
                "items": [
                    {
                        "exercise": i.exercise,
                        "part": i.part,
                        "key": i.step.key,
                        "symbol": i.step.sym.unicode(),
                        "value": i.step.value,
                        "shown": i.step.shown,
                    }
                    for i in a.items
                ],
            }
            for a in key.answers
        ],
    }
    return json.dumps(record, ensure_ascii=False, indent=1) + "\n"


_CSS = """
body { font-family: "Latin Modern Roman", "Times New Roman", serif; margin: 1.5rem; }
.variants { display: grid; grid-template-columns: repeat(3, 1fr); gap: 0 2rem; }
section { break-inside: avoid; margin-bottom: 1rem; }
h2 { font-size: 1.05rem; margin: .2rem 0; }
table { border-collapse: collapse; font-size: .9rem; }
td, th { padding: .05rem .5rem; border-bottom: 1px solid #ccc; }
td:last-child { text-align: right; font-variant-numeric: tabular-nums; }
@page { size: A4; margin: 1.5cm; }
"""


def html(key: AnswerKey) -> str:
    lang = key.lang
    title = key.full_title
    out = [
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">',
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
    ]
    out += [f"<p>{escape(line)}</p>" for line in key.top()]
    cover = key.cover()
    if cover:
        out.append(f"<p><strong>{escape(cover[0])}</strong> {escape(cover[1])}</p>")
    out.append('<div class="variants">')
    for answers in key.answers:
        out.append(f"<section><h2>{escape(key.heading(answers))}</h2><table>")
        for item in answers.items:
            cells = (_part(item), item.step.sym.unicode(), answers.shown(item))
            out.append("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in cells) + "</tr>")
        out.append("</table></section>")
    out.append("</div></body></html>")
    return "\n".join(out) + "\n"


def latex(key: AnswerKey) -> str:
    from stepper.printers.latex import preamble
    from stepper.printers.latex import text as _tex

    lang = key.lang
    out = [
        preamble(lang),
        r"\begin{document}",
        rf"\section*{{{_tex(key.full_title)}}}",
    ]
    out += [_tex(line) + r"\\" for line in key.top()]
    cover = key.cover()
    if cover:
        out.append(rf"\textbf{{{_tex(cover[0])}}} " + _tex(cover[1]))
    out.append(r"\par\medskip\small\renewcommand{\arraystretch}{1}\setlength{\parskip}{0pt}")
    # Three tables across the page, each a box that never splits; rows of them break pages.
    for k, answers in enumerate(key.answers):
        if k and k % 3 == 0:
            out.append(r"\par\medskip")  # a row of its own: pages break between rows
        out.append(r"\begin{minipage}[t]{0.32\linewidth}")
        out.append(rf"\textbf{{{_tex(key.heading(answers))}}}\\[2pt]")
        out.append(r"\begin{tabular}{@{}llr@{}}")
        for item in answers.items:
            shown = item.step.shown
            shown = decimal_comma(shown, "{,}") if answers.comma else shown
            out.append(rf"{_tex(_part(item))} & ${item.step.sym.latex()}$ & ${shown}$ \\")
        out += [r"\end{tabular}", r"\end{minipage}\hfill"]
    out.append(r"\end{document}")
    return "\n".join(out) + "\n"


def typst_source(key: AnswerKey) -> str:
    from stepper.printers.typst_math import sym_typst

    def s(text: str) -> str:
        return json.dumps(text, ensure_ascii=False)

    lang = key.lang
    out = [
        '#set text(font: "New Computer Modern", size: 9pt, lang: ' + s(lang) + ")",
        '#show math.equation: set text(font: "New Computer Modern Math")',
        '#set page(paper: "a4", margin: 1.6cm, footer: context align(center, '
        "text(size: 8pt, counter(page).display())))",
        "#set table(stroke: none, inset: (x: 4pt, y: 2pt))",
        f"#text(size: 14pt, strong({s(key.full_title)}))",
    ]
    out += [f"\n#{s(line)}" for line in key.top()]
    cover = key.cover()
    if cover:
        out.append(f"\n#strong({s(cover[0])}) #{s(cover[1])}")
    # A grid three tables wide, in the cover list's order row by row; a page breaks between
    # rows, never inside a table.
    tables = []
    for answers in key.answers:
        cells = []
        for item in answers.items:
            cells += [
                f"[{s(_part(item))}]".replace("[", "[#", 1),
                f"[${sym_typst(item.step.sym)}$]",
                f"[{s(answers.shown(item))}]".replace("[", "[#", 1),
            ]
        tables.append(
            f"block(breakable: false)[#strong({s(key.heading(answers))})\n"
            "#table(columns: 3, align: (left, left, right), "
            "table.hline(stroke: 0.4pt), " + ", ".join(cells) + ")]"
        )
    out.append(
        "\n#grid(columns: (1fr, 1fr, 1fr), column-gutter: 1.2em, row-gutter: 1em, "
        + ", ".join(tables)
        + ")"
    )
    return "\n".join(out) + "\n"


def pdf(key: AnswerKey) -> bytes:
    import typst

    source = typst_source(key).encode()
    return bytes(typst.compile(source, format="pdf", ignore_system_fonts=True))


#: The key's writer for each format that has one.
WRITERS: dict[str, Callable[[AnswerKey], str | bytes]] = {
    "md": markdown,
    "json": as_json,
    "html": html,
    "tex": latex,
    "pdf": pdf,
}


def render_key(fmt: str, documents: Sequence[tuple[Solution, Options]]) -> str | bytes:
    """The answer key of ``documents`` (a lesson, or an exam's variants) in format ``fmt``."""
    return WRITERS[fmt](answer_key(documents))
