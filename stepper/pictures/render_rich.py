"""Draw a Scene in terminal cells as Rich text, knowing nothing of networks or kernels.

The scene is painted cell by cell onto a grid of ``scene.width`` × ``scene.height`` cells, in
item order. Wires and frame borders do not paint characters directly: each marks, in every
cell it passes, which of the four sides the line leaves by, and the box-drawing character is
chosen from those sides once everything is marked, so that lines join where they meet
(╮ ┼ ╯ ├ …) whichever item drew them. Labels and rasters paint characters over lines.

The roles' styles live here (and are importable by anything that styles terminal text the
same way): the current quantity bold reversed, what it reads bold cyan, what is updated green,
what is pending dim.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

from rich.cells import get_character_cell_size
from rich.style import Style
from rich.text import Text

from stepper.pictures.scene import Frame, Label, Raster, Role, Scene, Shape, Wire

#: The neuron the current step computes, and the slot of the value being computed.
CURRENT_STYLE = Style(bold=True, reverse=True)
#: What the current step reads: synapses, inputs, values of this or other neurons.
READ_STYLE = Style(bold=True, color="cyan")
#: A value already updated in this iteration.
UPDATED_STYLE = Style(color="green")
#: A quantity not revealed yet: only its symbol is written.
PENDING_STYLE = Style(dim=True)
HEADER_STYLE = Style(bold=True)
MORE_STYLE = Style(dim=True, italic=True)
AXIS_STYLE = Style(dim=True)
MARK_STYLE = Style(bold=True, color="yellow")
#: A neuron dropout switched off: struck through and dim, as the lecture's crossed-out circle.
DROPPED_STYLE = Style(dim=True, strike=True)

_PLAIN = Style()
ROLE_STYLES: dict[Role, Style] = {
    Role.PLAIN: _PLAIN,
    Role.CURRENT: CURRENT_STYLE,
    Role.READ: READ_STYLE,
    Role.UPDATED: UPDATED_STYLE,
    Role.PENDING: PENDING_STYLE,
    Role.HEADER: HEADER_STYLE,
    Role.MORE: MORE_STYLE,
    Role.AXIS: AXIS_STYLE,
    Role.GIVEN: Style(),
    Role.MARK: MARK_STYLE,
    Role.DROPPED: DROPPED_STYLE,
}

#: The colours of numbered series (the k-th optimiser's path is ``SERIES_COLOURS[k % 7]``).
SERIES_COLOURS = ("#ffd75f", "#ff6e6e", "#6ee7a0", "#6ec8ff", "#ff8cf0", "#ffae5f", "#b4a0ff")
#: A raster's levels, low to high, are coloured along this ramp (the lowest left plain).
SHADE_COLOURS = ("#4a5a78", "#4a6f86", "#55807a", "#7c7f55", "#8a6a4e", "#8a5050")

# Sides a line leaves a cell by, as bits.
_N, _E, _S, _W = 1, 2, 4, 8
_BOX: dict[int, str] = {
    _E | _W: "─",
    _E: "─",
    _W: "─",
    _N | _S: "│",
    _N: "│",
    _S: "│",
    _E | _S: "╭",
    _W | _S: "╮",
    _E | _N: "╰",
    _W | _N: "╯",
    _N | _S | _E: "├",
    _N | _S | _W: "┤",
    _E | _W | _S: "┬",
    _E | _W | _N: "┴",
    _N | _E | _S | _W: "┼",
}
#: Square corners, for frames whose shape is RECT (wires always bend round).
_SQUARE = {"╭": "┌", "╮": "┐", "╰": "└", "╯": "┘"}
_ARROWS = {(1, 0): "→", (-1, 0): "←", (0, 1): "↓", (0, -1): "↑"}
_DIAGONAL_ARROWS = {(1, 1): "↘", (1, -1): "↗", (-1, 1): "↙", (-1, -1): "↖"}


def _cell(v: float) -> int:
    """The cell a coordinate falls in, halves rounded up (a wire may start on a cell's edge)."""
    return math.floor(v + 0.5)


#: One style per (role, series) and per shade, made once: a contour plot has thousands of
#: shaded cells and paths, and a Style made per cell cost half of the drawing.
_SERIES_STYLES: dict[tuple[Role, int], Style] = {
    (role, k): style + Style(color=colour)
    for role, style in ROLE_STYLES.items()
    for k, colour in enumerate(SERIES_COLOURS)
}
_SHADE_STYLES = tuple(Style(color=colour) for colour in SHADE_COLOURS)


def role_style(role: Role, series: int | None = None) -> Style:
    """The terminal style of ``role``, coloured by its series when it has one."""
    if series is None:
        return ROLE_STYLES[role]
    return _SERIES_STYLES[role, series % len(SERIES_COLOURS)]


def render(scene: Scene) -> Text:
    """The scene as one Rich ``Text`` of ``scene.height`` lines (trailing blanks trimmed)."""
    text = Text(no_wrap=True, overflow="crop", end="")
    for k, line in enumerate(render_lines(scene)):
        if k:
            text.append("\n")
        text.append_text(line)
    return text


def render_lines(scene: Scene) -> list[Text]:
    """One Rich ``Text`` per row of the scene, each at most ``scene.width`` cells wide."""
    grid = _Grid(scene.width, scene.height)
    for item in scene.items:
        if isinstance(item, Label):
            grid.label(item)
        elif isinstance(item, Wire):
            grid.wire(item)
        elif isinstance(item, Frame):
            grid.frame(item)
        else:
            grid.raster(item)
    return grid.lines()


@dataclass(slots=True)
class _Grid:
    """Characters, styles and line sides per cell; ``None`` as a character marks the right half
    of a wide character."""

    width: int
    height: int
    chars: dict[tuple[int, int], str | None] = field(default_factory=dict)
    styles: dict[tuple[int, int], Style] = field(default_factory=dict)
    sides: dict[tuple[int, int], int] = field(default_factory=dict)
    square: set[tuple[int, int]] = field(default_factory=set)
    overlays: list[tuple[tuple[int, int], Style]] = field(default_factory=list)

    def inside(self, col: int, row: int) -> bool:
        return 0 <= col < self.width and 0 <= row < self.height

    def put(self, col: int, row: int, char: str | None, style: Style) -> None:
        if self.inside(col, row):
            self.chars[col, row] = char
            self.styles[col, row] = style
            self.sides.pop((col, row), None)

    def label(self, item: Label) -> None:
        col, row = _cell(item.x), _cell(item.y)
        style = role_style(item.role, item.series)
        for char in item.text:
            size = get_character_cell_size(char)
            if size == 0:  # a combining mark joins the character before it
                prev = self.chars.get((col - 1, row))
                if prev:
                    self.chars[col - 1, row] = prev + char
                continue
            if col + size > self.width:
                break
            self.put(col, row, char, style)
            if size == 2:
                self.put(col + 1, row, None, style)
            col += size

    def mark(self, col: int, row: int, side: int, style: Style, square: bool = False) -> None:
        if not self.inside(col, row):
            return
        self.sides[col, row] = self.sides.get((col, row), 0) | side
        self.chars.pop((col, row), None)
        self.styles[col, row] = style
        if square:
            self.square.add((col, row))

    def segment(
        self, a: tuple[int, int], b: tuple[int, int], style: Style, square: bool = False
    ) -> None:
        """A straight run from cell ``a`` to cell ``b``: box lines when level or plumb, else a
        stair of ─/│ and ╱/╲ along the cells nearest the exact line."""
        (x0, y0), (x1, y1) = a, b
        dx, dy = x1 - x0, y1 - y0
        if dy == 0:
            step = 1 if dx > 0 else -1
            for col in range(x0, x1 + step, step):
                side = (_E if col != x1 else 0) | (_W if col != x0 else 0)
                if step < 0:
                    side = (_W if col != x1 else 0) | (_E if col != x0 else 0)
                self.mark(col, y0, side or (_E | _W), style, square)
            return
        if dx == 0:
            step = 1 if dy > 0 else -1
            for row in range(y0, y1 + step, step):
                side = (_S if row != y1 else 0) | (_N if row != y0 else 0)
                if step < 0:
                    side = (_N if row != y1 else 0) | (_S if row != y0 else 0)
                self.mark(x0, row, side or (_N | _S), style, square)
            return
        diagonal = "╲" if (dx > 0) == (dy > 0) else "╱"
        n = max(abs(dx), abs(dy))
        cells = [(x0 + round(dx * t / n), y0 + round(dy * t / n)) for t in range(n + 1)]
        for k, (col, row) in enumerate(cells):
            before = cells[k - 1] if k else None
            after = cells[k + 1] if k + 1 < len(cells) else None
            turns = (before is not None and before[0] != col and before[1] != row) or (
                after is not None and after[0] != col and after[1] != row
            )
            if turns or abs(dx) == abs(dy):
                self.put(col, row, diagonal, style)
            elif abs(dx) > abs(dy):
                self.mark(col, row, _E | _W, style)
            else:
                self.mark(col, row, _N | _S, style)

    def wire(self, item: Wire) -> None:
        style = role_style(item.role, item.series)
        square = item.role is Role.AXIS  # axes meet square; other wires bend round
        cells = [(_cell(x), _cell(y)) for x, y in item.points]
        pairs = zip(itertools.pairwise(cells), itertools.pairwise(item.points), strict=True)
        for (a, b), (p, q) in pairs:
            if a != b:
                self.segment(a, b, style, square)
            elif p != q:  # shorter than a cell: one cell of line, level or plumb
                level = abs(q[0] - p[0]) >= abs(q[1] - p[1])
                self.mark(*a, _E | _W if level else _N | _S, style)
        if item.arrow:
            x1, y1 = cells[-1]
            x0, y0 = next((c for c in reversed(cells) if c != cells[-1]), cells[-1])
            direction = ((x1 > x0) - (x1 < x0), (y1 > y0) - (y1 < y0))
            head = _ARROWS.get(direction) or _DIAGONAL_ARROWS.get(direction)
            if head is not None:
                self.put(x1, y1, head, style)

    def frame(self, item: Frame) -> None:
        """A border in the ring of cells around the frame, or, with no room for the ring inside
        the grid, the framed cells styled with the frame's role."""
        style = role_style(item.role, item.series)
        if item.shape is Shape.BRACKET:
            self.brackets(item, style)
            return
        left, top = _cell(item.x) - 1, _cell(item.y) - 1
        right, bottom = _cell(item.x + item.w), _cell(item.y + item.h)
        if left < 0 or top < 0 or right >= self.width or bottom >= self.height:
            for row in range(top + 1, bottom):
                for col in range(left + 1, right):
                    self.overlays.append(((col, row), style))
            return
        square = item.shape is Shape.RECT
        for col in range(left, right + 1):
            self.mark(
                col, top, (_E if col < right else 0) | (_W if col > left else 0), style, square
            )
            self.mark(
                col, bottom, (_E if col < right else 0) | (_W if col > left else 0), style, square
            )
        for row in range(top, bottom + 1):
            self.mark(
                left, row, (_S if row < bottom else 0) | (_N if row > top else 0), style, square
            )
            self.mark(
                right, row, (_S if row < bottom else 0) | (_N if row > top else 0), style, square
            )

    def brackets(self, item: Frame, style: Style) -> None:
        """┌ │ └ in the frame's first column and ┐ │ ┘ in its last; [ and ] one row high."""
        left, right = _cell(item.x), _cell(item.x + item.w) - 1
        top, bottom = _cell(item.y), _cell(item.y + item.h) - 1
        for row in range(top, bottom + 1):
            if top == bottom:
                ends = "[]"
            else:
                ends = "┌┐" if row == top else "└┘" if row == bottom else "││"
            self.put(left, row, ends[0], style)
            self.put(right, row, ends[1], style)

    def raster(self, item: Raster) -> None:
        top = len(item.palette) - 1
        for r, levels in enumerate(item.levels):
            for c, level in enumerate(levels):
                if level is None:
                    continue
                shade = max(0, min(top, level))
                style = _SHADE_STYLES[shade * (len(SHADE_COLOURS) - 1) // max(1, top)]
                col, row = _cell(item.x) + c, _cell(item.y) + r
                self.put(col, row, item.palette[shade], style)

    def char(self, col: int, row: int) -> str | None:
        sides = self.sides.get((col, row))
        if sides is not None:
            box = _BOX.get(sides, " ")
            return _SQUARE.get(box, box) if (col, row) in self.square else box
        return self.chars.get((col, row), " ")

    def lines(self) -> list[Text]:
        for cell, overlay in self.overlays:
            self.styles[cell] = self.styles.get(cell, _PLAIN) + overlay
        last: dict[int, int] = {}
        for col, row in {*self.chars, *self.sides, *self.styles}:
            if col > last.get(row, -1) and self._ink(col, row):
                last[row] = col
        out = []
        for row in range(self.height):
            line = Text(no_wrap=True, overflow="crop", end="")
            run, run_style = "", _PLAIN
            for col in range(last.get(row, -1) + 1):
                char = self.char(col, row)
                if char is None:  # the right half of a wide character
                    continue
                style = self.styles.get((col, row), _PLAIN)
                if style != run_style and run:
                    line.append(run, run_style)
                    run = ""
                run, run_style = run + char, style
            if run:
                line.append(run, run_style)
            out.append(line)
        return out

    def _ink(self, col: int, row: int) -> bool:
        """Whether the cell shows something: trailing blanks are trimmed unless styled."""
        char = self.char(col, row)
        return char != " " or bool(self.styles.get((col, row)))
