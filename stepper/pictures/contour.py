"""The optimize picture as a scene: the contour lines of f, and the iterates walking down.

``contour_scene`` lays out a solved optimize lesson at a position of the walk:

* two variables: the plane as a contour plot in character cells, f's levels as shades (blank
  in the valley, ▓ on the slopes, log-spaced when f is a steep valley like Rosenbrock's), axes
  with round values, and the path of each optimiser as it is revealed, its points joined in
  order and the one being worked from lit. Once the gradient of an iteration is known, −∇f
  is drawn from that point as an arrow (the steepest descent, where the step will go), and
  Nesterov's look-ahead point as ~. Beside the plot, for one optimiser, the table of the
  iterates (t, the coordinates, f) filling in value by value; for several, a legend with a
  sparkline of f per iteration for each. The box holds the start, every iterate and, unless
  the paths would shrink to a dot, the minimum (found numerically, ★); otherwise an arrow in
  the legend says where the minimum lies;
* one variable: the curve f(x) with the iterates on it, and the same table or legend;
* more variables: the table alone (one optimiser), or each optimiser's current point and f.

It reads only the Solution (its steps and ``Solution.optimize``) and is a pure function of its
arguments. The scene is ``width`` wide and ``height`` tall (11 rows at 80×24, what the app
gives the picture); the renderers draw it in the terminal, SVG, TikZ and typst alike.
"""

from __future__ import annotations

import math
from dataclasses import replace

from rich.cells import cell_len, set_cell_size

from stepper.pictures.contour_data import SHADES, index
from stepper.pictures.contour_panel import HEAD, MIN_MARK, Line, iterates, latest, panel
from stepper.pictures.contour_plot import Cell, Plot, aspect, axes, paths, y_ticks
from stepper.pictures.contour_position import Position
from stepper.pictures.scene import Item, Label, Raster, Role, Scene, Wire
from stepper.steps import Solution

#: Rows the picture takes at 80×24: what the app gives it.
HEIGHT = 11
#: The most rows it is drawn in, on a screen wide and tall enough (the app decides).
TALL_HEIGHT = 16
#: Columns between the plot and the panel beside it.
GAP = 2
#: The narrowest plot drawn beside its panel; narrower, the panel goes under it.
MIN_PLOT = 20
MAX_PLOT = 100
#: The plot's rows when the panel goes under it.
STACKED_ROWS = 5


def contour_scene(
    solution: Solution,
    revealed: int,
    current: int | None,
    lang: str,
    width: int,
    *,
    height: int = HEIGHT,
) -> Scene:
    """The plane of ``solution`` with ``steps[:revealed]`` drawn in, ``current`` highlighted.

    ``current`` is the index in ``solution.steps`` of the step being computed, or None (the
    title screen). A lesson that is not an optimize lesson gives an empty scene.
    """
    found = index(solution) if solution.optimize is not None else None
    if found is None or not found.paths or width <= 0 or height <= 0:
        return Scene(max(0, width), 0)
    at = Position(found, solution, revealed, current, lang, height)
    n = len(found.variables)
    if n == 2:
        items = _plane(at, width)
    elif n == 1:
        items = _curve(at, width)
    else:
        items = _table(at)
    formula = found.shape.function.text.strip()
    title = f"f({', '.join(found.names)}) = {formula}"
    return Scene(width, height, tuple(_crop(items, width, height)), title)


def _crop(items: list[Item], width: int, height: int) -> list[Item]:
    """What fits in ``width`` × ``height``: labels cut at the right edge, rows past the last
    left out (the panel's last notes, when the screen is short)."""
    out: list[Item] = []
    for item in items:
        if isinstance(item, Label):
            room = width - int(item.x)
            text = set_cell_size(item.text, room).rstrip() if room > 0 else ""
            if item.y < height and text:
                out.append(replace(item, text=text))
        elif isinstance(item, Raster):
            levels = tuple(r[: width - int(item.x)] for r in item.levels[: height - int(item.y)])
            if levels:
                out.append(replace(item, levels=levels))
        else:
            out.append(item)
    return out


def _beside(lines: list[Line], x: int, y: int, head: str | None) -> list[Item]:
    """The panel's lines from (x, y) down, the note on −∇f showing the arrow's head (or left
    blank when the arrow is not drawn)."""
    out: list[Item] = []
    for k, line in enumerate(lines):
        if not line.text.startswith(HEAD):
            out += line.placed(x, y + k)
        elif head is not None:
            first = line.items[0]
            assert isinstance(first, Label)
            drawn = Line([replace(first, text=head), *line.items[1:]], line.width)
            out += drawn.placed(x, y + k)
    return out


# --- two variables: the plane ------------------------------------------------------------------


def _plane(at: Position, width: int) -> list[Item]:
    idx = at.index
    base, near = idx.box()
    height = at.height
    lines, panel_width = panel(at, height, contour=True)
    rows = height - 2

    def room(box: tuple[float, ...], rows: int) -> tuple[dict[int, str], int, int]:
        ticks = y_ticks(box[2], box[3], rows)
        left = max([cell_len(idx.names[1])] + [cell_len(t) for t in ticks.values()])
        return ticks, left, width - left - 1 - GAP - panel_width

    _, _, cols = room(base, rows)
    beside = cols >= MIN_PLOT
    if not beside:  # too narrow: the plot, and under it what is left of the panel
        rows = STACKED_ROWS
        lines = panel(at, height - 2 - rows, contour=True)[0]
        cols = width - room(base, rows)[1] - 1
    box = aspect(base, max(4, min(cols, MAX_PLOT)), rows)
    ticks, left, cols = room(box, rows)
    if not beside:
        cols = width - left - 1
    cols = max(4, min(cols, MAX_PLOT))
    plot = Plot(left + 1, cols, rows, box)
    items: list[Item] = []
    grid = idx.grid(box, cols, rows)
    if grid is not None:
        levels = tuple(tuple(v if v >= 0 else None for v in row) for row in grid)
        items.append(Raster(plot.x, 0, levels, SHADES))
    items += axes(plot, ticks, (idx.names[0], idx.names[1]))
    for minimum in idx.minima() if near else ():
        plot.mark(plot.cell(*plot.at(minimum[0], minimum[1])), MIN_MARK, Role.MARK)
    wires, head = paths(at, plot, plane=True)
    items += wires
    items += plot.marks.values()
    if beside:
        return items + _beside(lines, plot.x + cols + GAP, 0, head)
    return items + _beside(lines, 0, rows + 2, head)


# --- one variable: the curve -------------------------------------------------------------------


def _curve(at: Position, width: int) -> list[Item]:
    idx = at.index
    (x0, x1), near = idx.box()
    height = at.height
    lines, panel_width = panel(at, height, contour=False)
    rows = height - 2
    lo, hi = _f_range(at)
    ticks = y_ticks(lo, hi, rows)
    left = max([cell_len("f")] + [cell_len(t) for t in ticks.values()])
    cols = width - left - 1 - GAP - panel_width
    beside = cols >= MIN_PLOT
    if not beside:
        cols = width - left - 1
        rows = STACKED_ROWS
        ticks = y_ticks(lo, hi, rows)
        lines = panel(at, height - 2 - rows, contour=False)[0]
    cols = max(4, min(cols, MAX_PLOT))
    plot = Plot(left + 1, cols, rows, (x0, x1, lo, hi))
    items: list[Item] = []
    run: list[Cell] = []
    dx = (x1 - x0) / cols
    for c in range(cols + 1):  # the curve, one point per column, broken where f is undefined
        v = idx.value((x0 + (c + 0.5) * dx,)) if c < cols else math.nan
        cell = plot.cell(c + 0.5, plot.at(x0, v)[1]) if math.isfinite(v) else None
        if cell is not None:
            run.append(cell)
        elif run:
            items.append(Wire(tuple(run)) if len(run) > 1 else Label(*run[0], "·"))
            run = []
    items += axes(plot, ticks, (idx.names[0], "f"))
    for minimum in idx.minima() if near else ():
        plot.mark(plot.cell(*plot.at(minimum[0], idx.value(minimum))), MIN_MARK, Role.MARK)
    wires, head = paths(at, plot, plane=False)
    items += wires
    items += plot.marks.values()
    if beside:
        return items + _beside(lines, plot.x + cols + GAP, 0, head)
    return items + _beside(lines, 0, rows + 2, head)


def _f_range(at: Position) -> tuple[float, float]:
    """The values of f the curve's axis spans: f over the box, and at every iterate."""
    idx = at.index
    (x0, x1), _ = idx.box()
    found = [idx.value((x0 + (x1 - x0) * k / 200,)) for k in range(201)]
    found += [v for p in idx.paths for v in p.f]
    finite = [v for v in found if math.isfinite(v)] or [0.0, 1.0]
    lo, hi = min(finite), max(finite)
    if hi - lo <= 0:
        lo, hi = lo - 1, hi + 1
    pad = (hi - lo) * 0.08
    return lo - pad, hi + pad


# --- more variables: the table -----------------------------------------------------------------


def _table(at: Position) -> list[Item]:
    """One optimiser: the table of iterates. Several: each one's latest point, f, and the
    sparkline of f."""
    lines = latest(at) if at.many() else iterates(at, at.height)
    out: list[Item] = []
    for k, line in enumerate(lines[: at.height]):
        out += line.placed(0, k)
    return out
