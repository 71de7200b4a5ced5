"""The lesson's picture for the terminal: the layout of its kind, drawn in Rich cells.

The app's screens, the plain REPL and the Markdown printer ask this one function, which picks
the layout by the kind of lesson (the network, the image and its kernels, the contour plot,
the recurrent cell unrolled in time, the computational graph). It is headless on purpose
(Rich only, never Textual), and a test checks that importing it loads no Textual.

Each picture is a renderable that is laid out when Rich draws it, because only then are the
rows at hand known: a 60×20 screen gives the picture 8 rows, fewer than the layouts' budget
of 12. A network, conv, recurrent or graph picture is laid out in those rows and, if it is still
taller, the rows around what the step computes are shown. The contour plot chooses its own height
(``contour_terminal``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.text import Text

from stepper.pictures import render_rich
from stepper.pictures.network import ROW_BUDGET, network_scene
from stepper.pictures.scene import Frame, Label, Role, Scene, Wire
from stepper.steps import Solution


def picture(
    solution: Solution,
    revealed: int,
    current: int | None,
    lang: str,
    width: int,
    *,
    rows: int | None = None,
) -> RenderableType:
    """The picture of ``solution`` with ``steps[:revealed]`` written in, ``current`` (an index
    into ``solution.steps``, or None) highlighted, at most ``width`` cells wide and at most
    ``rows`` tall when a screen says how many it has (a scrolling card, whose console gives no
    height), else as tall as the console gives."""
    if solution.optimize is not None:  # the contour plot chooses its own height
        from stepper.pictures.contour_terminal import ContourPicture

        return ContourPicture(solution, revealed, current, lang, width, rows)
    return FittedPicture(scene_layout(solution, revealed, current, lang, width), rows)


def scene_layout(
    solution: Solution, revealed: int, current: int | None, lang: str, width: int
) -> Callable[[int], Scene]:
    """The layout of the lesson's kind at one position, as a function of the rows it may
    take: the terminal fits it to the rows its console has, a notebook's picture (``stepper.
    notebook.widget``) lays it out once in the rows it chooses and draws it as SVG."""
    if solution.optimize is not None:  # the contour lines of f, and the iterates' paths on them
        from stepper.pictures.contour import contour_scene

        return lambda rows: contour_scene(solution, revealed, current, lang, width, height=rows)
    if solution.recurrent is not None:  # the cell unrolled in time, a box per time step
        from stepper.pictures.recurrent import recurrent_scene

        return lambda rows: recurrent_scene(solution, revealed, current, lang, width, rows=rows)
    if solution.graph is not None:  # the computational graph, left to right
        from stepper.pictures.graph import graph_scene

        return lambda rows: graph_scene(solution, revealed, current, lang, width, rows=rows)
    if solution.conv is not None:  # a conv lesson is drawn as the blackboard's image ∗ kernel
        from stepper.pictures.conv import conv_scene

        return lambda rows: conv_scene(solution, revealed, current, lang, width, rows=rows)
    return lambda rows: network_scene(solution, revealed, current, lang, width, rows=rows)


@dataclass(frozen=True, slots=True)
class FittedPicture:
    """A scene laid out in ``ROW_BUDGET`` rows (Textual measures it so) or, if the console
    gives it fewer, laid out again in those, and cropped to the rows around the current step
    if it cannot be laid out in fewer. (The rows given are never a budget by themselves: a
    picture measured 3 rows tall is then given 3, and must not be laid out anew in them.)"""

    layout: Callable[[int], Scene]
    #: The rows the screen gives, when the console does not know them.
    rows: int | None = None
    #: Scenes laid out, by rows: Textual draws a picture twice, to measure it and to show it,
    #: and a big network takes some 15 ms to lay out.
    scenes: dict[int, Scene] = field(default_factory=dict, compare=False)
    #: Each scene's rows of cells, drawn once (Textual asks for them at every layout).
    drawn: dict[int, list[Text]] = field(default_factory=dict, compare=False)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        rows = options.height
        if self.rows is not None:
            rows = self.rows if rows is None else min(rows, self.rows)
        budget = ROW_BUDGET
        scene = self.scene(budget)
        if rows is not None and scene.height > rows:
            budget = rows
            scene = self.scene(rows)
        if budget not in self.drawn:
            self.drawn[budget] = render_rich.render_lines(scene)
        lines = self.drawn[budget]
        if rows is not None and len(lines) > rows:
            top = window(scene, rows)
            lines = lines[top : top + rows]
        # Textual counts a renderable's rows by its newlines: the last one ends with one too.
        yield Text("\n", no_wrap=True, overflow="crop", end="\n").join(lines)

    def scene(self, rows: int) -> Scene:
        if rows not in self.scenes:
            self.scenes[rows] = self.layout(rows)
        return self.scenes[rows]


def window(scene: Scene, rows: int) -> int:
    """The first of ``rows`` consecutive rows of ``scene`` to show: from the top if what is
    current fits there, else ending at the last current row (so that what is above it, its
    layer's heading or its inputs, shows as far as there is room)."""
    current = [
        y
        for item in scene.items
        if isinstance(item, Label | Frame | Wire) and item.role is Role.CURRENT
        for y in _rows(item)
    ]
    if not current or max(current) < rows:
        return 0
    first, last = min(current), max(current)
    return max(0, min(first, last - rows + 1, scene.height - rows))


def _rows(item: Label | Frame | Wire) -> range:
    """The rows an item is drawn on."""
    if isinstance(item, Label):
        return range(round(item.y), round(item.y) + 1)
    if isinstance(item, Frame):
        return range(round(item.y), round(item.y + item.h))
    ys = [round(y) for _, y in item.points]
    return range(min(ys), max(ys) + 1)
