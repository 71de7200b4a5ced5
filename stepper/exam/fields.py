"""The student's fields on every sheet (a worksheet and an exam sheet alike): name, ID and
group, written once per format so that all sheets ask the same."""

from __future__ import annotations

import json
from html import escape

from stepper.i18n import label


def fields(lang: str) -> tuple[str, str, str]:
    """ "Nombre", "DNI", "Grupo" in ``lang``."""
    return label("doc.name", lang), label("exam.id", lang), label("exam.group", lang)


def typst_fields(lang: str) -> str:
    """A line for the name, a shorter one for the ID and a short one for the group."""
    name, sid, group = (json.dumps(f, ensure_ascii=False) for f in fields(lang))
    return (
        "#block(above: 1.2em, below: 1.2em, grid(columns: (1fr, auto, auto), gutter: 1.2em, "
        f"[#{name}: #box(width: 1fr, stroke: (bottom: 0.5pt), height: 1em)], "
        f"[#{sid}: #box(width: 3.2cm, stroke: (bottom: 0.5pt), height: 1em)], "
        f"[#{group}: #box(width: 1.6cm, stroke: (bottom: 0.5pt), height: 1em)]))"
    )


def html_fields(lang: str) -> str:
    """The same fields as a paragraph of ruled lines (styled inline: any page can hold it)."""
    rule = "display: inline-block; border-bottom: 1px solid #111; margin: 0 1.2em 0 .3em;"
    name, sid, group = (escape(f) for f in fields(lang))
    return (
        f'<p class="fields">{name}:<span style="{rule} width: 20em"></span>'
        f'{sid}:<span style="{rule} width: 7em"></span>'
        f'{group}:<span style="{rule} width: 4em"></span></p>'
    )


def markdown_fields(lang: str) -> str:
    """The fields as one line of bold names and blanks to write on."""
    return "  ".join(f"**{field}:** ______________" for field in fields(lang))


def latex_fields(lang: str) -> str:
    """The fields as one line of rules, the name's the longest."""
    from stepper.printers.latex import text

    name, sid, group = (text(f) for f in fields(lang))
    return (
        rf"{name}: \rule{{7cm}}{{0.4pt}}\hfill {sid}: \rule{{3cm}}{{0.4pt}}\hfill "
        rf"{group}: \rule{{1.5cm}}{{0.4pt}}"
    )
