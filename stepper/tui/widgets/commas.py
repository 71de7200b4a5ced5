"""Any renderable drawn with decimal commas, for a lesson with ``decimal_comma: true``.

The picture and the history write numbers as the lesson shows them (0.29); a lesson that
asks for a decimal comma must not mix 0.29 and 0,29 on one screen. A comma takes the cell a
point took, so the drawing is changed segment by segment once laid out, and nothing moves.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.segment import Segment

from stepper.numbers import decimal_comma


@dataclass(frozen=True, slots=True)
class Commas:
    """``inner`` with every decimal point between two digits drawn as a comma."""

    inner: RenderableType

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for segment in console.render(self.inner, options):
            if segment.control or "." not in segment.text:
                yield segment
            else:
                yield Segment(decimal_comma(segment.text), segment.style)


def with_commas(renderable: RenderableType, comma: bool) -> RenderableType:
    """``renderable`` as it is, or with decimal commas when the lesson asks for them."""
    return Commas(renderable) if comma else renderable
