"""The contour picture in the terminal, laid out when Rich knows how tall it may be.

At 80×24 the app gives the picture 11 rows; on a wide screen with rows to spare the plot is
worth drawing taller, but only the console knows the rows at hand when it draws. So this
renderable lays the scene out at that moment, with the height it chooses, and draws it in
Rich cells; the layout itself stays a pure function of its arguments.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Console, ConsoleOptions, RenderResult

from stepper.pictures import render_rich
from stepper.pictures.contour import HEIGHT, TALL_HEIGHT, contour_scene
from stepper.steps import Solution

#: From this width on the picture is drawn taller when the screen leaves it room.
TALL_WIDTH = 100
#: The share of the screen's height the app gives the picture (its CSS max-height), less
#: the header and the picture's border.
SHARE = 0.55
#: The fewest rows it is drawn in.
LOWEST = 7


@dataclass(frozen=True, slots=True)
class ContourPicture:
    """The picture at one position, ``width`` cells wide, as tall as the screen allows."""

    solution: Solution
    revealed: int
    current: int | None
    lang: str
    width: int
    #: The rows the screen gives the picture, when it says (the title card's room).
    rows: int | None = None

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        height = self.height(options)
        scene = contour_scene(
            self.solution, self.revealed, self.current, self.lang, self.width, height=height
        )
        text = render_rich.render(scene)
        text.end = "\n"  # Textual measures a text without its final newline a row short
        yield text

    def height(self, options: ConsoleOptions) -> int:
        """The rows the screen gives it, exactly the rows the app measured, or a share of the
        screen; up to ``TALL_HEIGHT`` on a wide screen and ``HEIGHT`` on a narrower one."""
        wanted = TALL_HEIGHT if self.width >= TALL_WIDTH else HEIGHT
        if self.rows is not None:
            return max(1, min(wanted, self.rows))
        if options.height is not None:
            return max(LOWEST, min(wanted, options.height))
        return min(wanted, max(HEIGHT, int(options.max_height * SHARE) - 2))
