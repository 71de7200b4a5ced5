"""How a solution and a step show themselves in a notebook (``_repr_html_``,
``_repr_markdown_``): the printers' own HTML and Markdown, cut to a fragment.

The HTML is the HTML printer's ``<article>`` (MathML, the SVG picture), not a whole page: a
notebook output is a piece of the notebook's page. Its style sheet comes with it, every rule
put under the ``stepper-nb`` class of the element that wraps it, so that the notebook's own
headings, tables and body keep their looks. A step alone is printed as the document prints
it, under the heading of its section (phase, iteration, sample).
"""

from __future__ import annotations

from dataclasses import replace
from html import escape
from typing import TYPE_CHECKING

from stepper.walking import VALUE

if TYPE_CHECKING:
    from stepper.api import Solution
    from stepper.printers.document import Document
    from stepper.steps import Step

#: The class of the element every fragment is wrapped in, and its style sheet's scope.
SCOPE = "stepper-nb"

#: What a notebook's page needs beyond the document's rules: the document as a card on its
#: own white (also in a dark theme), not centred in a wide cell, and a step alone without
#: the card's padding.
_NOTEBOOK_CSS = f"""
.{SCOPE} {{ color-scheme: light; }}
.{SCOPE} .document {{ margin: .3rem 0; padding: 1.2rem 1.6rem; }}
.{SCOPE} .document.alone {{ padding: .5rem 1rem .3rem; box-shadow: none;
  border: 1px solid #ddd; }}
.{SCOPE} .document.alone .kind {{ margin: 0 0 .2rem; }}
"""


def style() -> str:
    """The style sheet of a fragment: the HTML printer's document rules, scoped."""
    from stepper.printers.html import DOCUMENT_CSS, scoped

    return scoped(DOCUMENT_CSS, SCOPE) + _NOTEBOOK_CSS


def document(solution: Solution) -> Document:
    """The document the printers print of ``solution``, as ``stepper solve`` prints it."""
    from stepper.printers.document import build_document

    return build_document(
        solution.solved,
        comma=solution.lesson.display.decimal_comma,
        variant=solution.variant_id,
    )


def wrapped(inner: str) -> str:
    """``inner`` in the scoped wrapper, with its style sheet."""
    return f'<div class="{SCOPE}"><style>{style()}</style>{inner}</div>'


def solution_html(solution: Solution) -> str:
    """The whole worked solution, as the HTML printer's article."""
    from stepper.printers.html import article

    return wrapped(article(document(solution)))


def step_alone(doc: Document, step: Step, upto: int = VALUE) -> str:
    """One step as an ``<article>``: its section's heading, then the step as the document
    lists it, up to the walk's stage ``upto`` (the walk widget's card)."""
    from stepper.printers.html import step_item

    # Alone, a step says its explanation even where the document says it once for a run.
    doc = replace(doc, repeated=frozenset())
    return (
        f'<article class="document alone" lang="{escape(doc.lang)}">'
        f'<p class="kind">{escape(section_title(doc, step))}</p>'
        f'<ol class="steps">{step_item(step, doc, upto=upto)}</ol></article>'
    )


def section_title(doc: Document, step: Step) -> str:
    """The heading of the section ``step`` is printed in (phase · iteration · sample)."""
    return next(s.title for s in doc.sections if any(x.n == step.n for x in s.steps))


def step_html(solution: Solution, step: Step) -> str:
    """One step, whole: its heading, its equation and its explanation."""
    return wrapped(step_alone(document(solution), step))


def solution_markdown(solution: Solution) -> str:
    """The Markdown printer's document: math in $…$ and $$…$$, which Jupyter typesets."""
    from stepper.printers.markdown import render_document

    return render_document(document(solution))


def step_markdown(solution: Solution, step: Step) -> str:
    """One step as the Markdown document prints it, under its section's heading."""
    from stepper.printers.markdown import step_lines

    doc = replace(document(solution), repeated=frozenset())
    lines = [f"*{section_title(doc, step)}*", "", *step_lines(doc, step)]
    return "\n".join(lines).rstrip() + "\n"
