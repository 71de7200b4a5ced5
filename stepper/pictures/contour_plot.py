"""The contour plot's frame of reference: cells for points of the plane, the axes and their round
values, and the optimisers' paths drawn on it as wires and marks.

The layout (``stepper.pictures.contour``) chooses the plot's size and what goes beside it; this
module turns points of f's domain into cells and places what the plot shows.
"""

from __future__ import annotations

import math

from rich.cells import cell_len

from stepper.pictures.contour_data import Path, Point, nice_ticks, num
from stepper.pictures.contour_panel import AHEAD_MARK, START_MARK, marker
from stepper.pictures.contour_position import Position
from stepper.pictures.scene import Item, Label, Role, Wire

#: −∇f's length on screen, in columns.
ARROW_LENGTH = 7
#: The most one axis is stretched against the other on screen (a cell is about twice as tall
#: as it is wide): past it the narrower range is widened, so that a round bowl looks round
#: enough and the gradient crosses the contour lines at about a right angle.
STRETCH = 2.5

Cell = tuple[int, int]


class Plot:
    """cols × rows cells from column x of the scene's top row, showing ``box`` (x₀, x₁, y₀, y₁)
    of the plane."""

    def __init__(self, x: int, cols: int, rows: int, box: tuple[float, ...]) -> None:
        self.x, self.cols, self.rows = x, cols, rows
        self.x0, self.x1, self.y0, self.y1 = box
        #: The plot's labels, one per cell: a later mark replaces an earlier one.
        self.marks: dict[Cell, Label] = {}

    def at(self, x: float, y: float) -> tuple[float, float]:
        """Continuous (column, row) of a point, inside the plot from 0 to cols, rows."""
        c = (x - self.x0) / (self.x1 - self.x0) * self.cols
        r = (self.y1 - y) / (self.y1 - self.y0) * self.rows
        return c, r

    def cell(self, c: float, r: float) -> Cell | None:
        """The scene cell of continuous (column, row), pulled inside the plot."""
        if not (math.isfinite(c) and math.isfinite(r)):
            return None
        return self.x + min(self.cols - 1, max(0, int(c))), min(self.rows - 1, max(0, int(r)))

    def mark(self, cell: Cell | None, text: str, role: Role, series: int | None = None) -> None:
        if cell is not None:
            self.marks[cell] = Label(cell[0], cell[1], text, role, series)

    def arrow(self, start: Point, direction: Point) -> tuple[Wire, str] | None:
        """−∇f: from ``start`` along ``direction`` (in f's units), ``ARROW_LENGTH`` columns on
        screen; the wire and its head as the terminal draws it, or None when it leaves the plot."""
        c0, r0 = self.at(*start)
        dc = direction[0] / (self.x1 - self.x0) * self.cols
        dr = -direction[1] / (self.y1 - self.y0) * self.rows
        size = math.hypot(dc, 2 * dr)
        if not math.isfinite(size) or size == 0:
            return None
        c1, r1 = c0 + dc / size * ARROW_LENGTH, r0 + dr / size * ARROW_LENGTH
        if not (0 <= c1 < self.cols and 0 <= r1 < self.rows):
            return None
        a, b = self.cell(c0, r0), self.cell(c1, r1)
        if a is None or b is None or a == b:
            return None
        # The head the terminal draws (render_rich: by the signs of the last step in cells),
        # repeated in the note beside the plot.
        sign = ((b[0] > a[0]) - (b[0] < a[0]), (b[1] > a[1]) - (b[1] < a[1]))
        head = {
            (1, 0): "→", (1, -1): "↗", (0, -1): "↑", (-1, -1): "↖",
            (-1, 0): "←", (-1, 1): "↙", (0, 1): "↓", (1, 1): "↘",
        }[sign]  # fmt: skip
        return Wire((a, b), Role.READ, arrow=True), head


def iterate_mark(at: Position, path: Path, t: int) -> str:
    """Among several optimisers, the shared start ○ and each one's number; alone, t (or, on a
    long run, 0 and dots)."""
    if at.many():
        return START_MARK if t == 0 else marker(path)
    if len(path.points) <= 10:
        return str(t)
    return "0" if t == 0 else "•"


def paths(at: Position, plot: Plot, *, plane: bool) -> tuple[list[Item], str | None]:
    """Every revealed path, joined in order (in the plane; on the curve its points alone); the
    current optimiser's last, the point it works from lit, its look-ahead point, and −∇f
    from it once the gradient is known. The wires, and the head of −∇f if drawn."""
    order = [p for p in at.index.paths if p is not at.path]
    if at.path is not None:
        order.append(at.path)
    wires: list[Item] = []
    cells: dict[int, list[Cell | None]] = {}
    for path in order:
        last = path.latest(at.revealed)
        if plane:
            spots = [plot.at(p[0], p[1]) for p in path.points[: last + 1]]
        else:
            spots = [plot.at(path.points[t][0], path.f[t]) for t in range(last + 1)]
        cells[path.series] = [plot.cell(*s) for s in spots]
        joined = tuple(c for c in cells[path.series] if c is not None)
        if plane and len(set(joined)) > 1:
            wires.append(Wire(joined, series=path.series))
    head = None
    ahead = at.ahead() if plane else None
    gradient = at.gradient() if plane else None
    if gradient is not None and at.path is not None:
        start = ahead or at.path.point(at.path.latest(at.revealed))
        drawn = plot.arrow(start, tuple(-g for g in gradient))
        if drawn is not None:
            wires.append(drawn[0])
            head = drawn[1]
    for path in order:
        for t, cell in enumerate(cells[path.series]):
            plot.mark(cell, iterate_mark(at, path, t), Role.PLAIN, path.series)
    if at.path is not None:
        path = at.path
        if ahead is not None:
            plot.mark(plot.cell(*plot.at(ahead[0], ahead[1])), AHEAD_MARK, Role.PLAIN, path.series)
        own = cells[path.series]
        text = marker(path) if at.many() else iterate_mark(at, path, len(own) - 1)
        plot.mark(own[-1], text, Role.CURRENT, path.series)
    return wires, head


# --- the axes ----------------------------------------------------------------------------------


def y_ticks(lo: float, hi: float, rows: int) -> dict[int, str]:
    """Row -> the label of the round value nearest the row's centre (none on the top row,
    which names the axis)."""
    ticks, decimals = nice_ticks(lo, hi, max(2, rows // 2))
    out: dict[int, str] = {}
    for v in ticks:
        r = int((hi - v) / (hi - lo) * rows)
        if 1 <= r < rows and r not in out and r - 1 not in out and r + 1 not in out:
            out[r] = num(v, decimals)
    return out


def axes(plot: Plot, ticks: dict[int, str], names: tuple[str, str]) -> list[Item]:
    """The frame's left and bottom edges, the round values on them, and the variables' names:
    the vertical one at its top, the horizontal one at its end (or before its values)."""
    left, cols, rows = plot.x - 1, plot.cols, plot.rows
    out: list[Item] = [Wire(((left, 0), (left, rows), (left + cols, rows)), Role.AXIS)]
    out.append(Label(max(0, left - cell_len(names[1])), 0, names[1], Role.HEADER))
    for r, text in ticks.items():
        out += [Label(left - cell_len(text), r, text, Role.AXIS), Label(left, r, "┤", Role.AXIS)]
    placed: list[tuple[int, int, str]] = []
    for most in range(max(2, cols // 8), 1, -1):
        values, decimals = nice_ticks(plot.x0, plot.x1, most)
        placed, end = [], -2
        for v in values:
            c = int((v - plot.x0) / (plot.x1 - plot.x0) * cols)
            if not 0 <= c < cols:
                continue
            text = num(v, decimals)
            start = max(0, min(cols - cell_len(text), c - cell_len(text) // 2))
            if start <= end + 1:
                break
            placed.append((c, start, text))
            end = start + cell_len(text)
        else:
            break
    used = max((start + cell_len(text) - 1 for _, start, text in placed), default=-2)
    for c, start, text in placed:
        out += [
            Label(plot.x + c, rows, "┬", Role.AXIS),
            Label(plot.x + start, rows + 1, text, Role.AXIS),
        ]
    name = names[0]
    if used + 3 + cell_len(name) <= cols:  # the axis's name at its end, or else before its values
        out.append(Label(plot.x + cols - cell_len(name), rows + 1, name, Role.HEADER))
    else:
        out.append(Label(max(0, left - cell_len(name)), rows + 1, name, Role.HEADER))
    return out


def aspect(box: tuple[float, ...], cols: int, rows: int) -> tuple[float, ...]:
    x0, x1, y0, y1 = box
    per_col, per_row = (x1 - x0) / cols, (y1 - y0) / rows / 2
    if per_row > STRETCH * per_col:
        half = per_row / STRETCH * cols / 2
        middle = (x0 + x1) / 2
        return (middle - half, middle + half, y0, y1)
    if per_col > STRETCH * per_row:
        half = per_col / STRETCH * rows * 2 / 2
        middle = (y0 + y1) / 2
        return (x0, x1, middle - half, middle + half)
    return box
