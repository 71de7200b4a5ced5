"""The computational graph, drawn left to right as micrograd's ``draw_dot`` does.

``graph_scene`` turns a solved graph lesson and a position in it into a ``Scene``: a box per
computed node, its operation on its top edge, its value and, once known, the gradient of the
output with respect to it (``∂ = −2``); each input as two bare lines (its value, its
gradient); an arrow from each operand to each node that reads it (an operand read twice has
two: a fork). Where the boxes go is ``graph_layout``'s, what they write and which are
current ``graph_state``'s. With two granularities the picture is the graph of the current
step's run.

A graph wider than the screen shows a window of columns around the node the step is about
(and, for an edge, its other end as far as there is room), each edge cut by the window's
edge labelled with the node it comes from or goes to. The spacing is the lesson's at a size,
the same at every step so that nothing jumps: spaces around ``=`` unless dropping them fits
the whole graph, a blank row between the boxes of a column when the whole graph's height
fits. A picture still taller than the screen is cropped to the rows of the step
(``graph_window``), its edges clipped rather than dropped.

In print (``print_scene``) the whole graph is drawn, in bands of columns one under another
when it is wider than a page, every value and gradient written in.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property

from rich.cells import cell_len

from stepper.graph_timeline import split_title
from stepper.pictures.graph_layout import Box, Geometry, Route, Size, arrange, depths
from stepper.pictures.graph_state import Position
from stepper.pictures.graph_window import clip_columns, crop_rows, moved, placed, row_at
from stepper.pictures.network import ROW_BUDGET
from stepper.pictures.scene import Item, Label, Role, Scene, Wire
from stepper.steps import GraphNode, GraphRun, Phase, Solution

#: Columns of a printed picture before it is cut into bands, and the most rows it may take.
PRINT_WIDTH = 100
PRINT_ROWS = 120
#: The most rows of a box that operands come in on: a sum of twenty terms is not twenty
#: rows tall; its last operands share the last row.
_ROWS_IN = 6
#: Cells left of a cut edge's arrow where the window starts: the label's space and one line.
_CUT = 2


@dataclass(frozen=True, slots=True)
class _Window:
    """The columns shown, ``first`` to ``last``, and the cells they take from ``start``."""

    first: int
    last: int
    start: int
    end: int

    @property
    def width(self) -> int:
        return self.end - self.start


class _Picture:
    """One position's picture: the graph laid out with one spacing, then windowed and drawn."""

    def __init__(self, pos: Position, gap: int, spaced: bool) -> None:
        self.pos = pos
        self.run: GraphRun = pos.run
        pos.spaced = spaced
        self.nodes = {n.name: n for n in self.run.nodes}
        self.depth = depths(self.run)
        self.symbols = {n.name: n.sym.unicode() for n in self.run.nodes}
        cache = pos.index.layouts
        key = (self.run.prefix, gap, spaced)
        if key not in cache:
            names = {name: cell_len(text) for name, text in self.symbols.items()}
            cache[key] = arrange(self.run, self._sizes(), names, gap)
        self.geo: Geometry = cache[key]

    def _sizes(self) -> dict[str, Size]:
        out = {}
        for node in self.run.nodes:
            text = self.pos.width(node)
            if node.is_input:
                out[node.name] = Size(text + 1, 2, False)  # and a cell before its edges
            else:
                # A row for each operand to come in on, up to six (more share the last).
                h = 2 + min(max(2, len(node.operands)), _ROWS_IN)
                out[node.name] = Size(max(text, len(_heading(node))) + 4, h, True)
        return out

    @cached_property
    def last_column(self) -> int:
        return len(self.geo.lefts) - 1

    @property
    def whole(self) -> _Window:
        """Every column."""
        return self.window(0, self.last_column)

    # --- the window of columns ---------------------------------------------------------------

    def window(self, first: int, last: int) -> _Window:
        """The cells columns ``first`` to ``last`` take, with the labels of the cut edges."""
        geo = self.geo
        start, end = geo.lefts[first], geo.lefts[last] + geo.widths[last]
        cut_in = self._cut_in(first)
        if cut_in:
            start -= _CUT + 1 + max(cell_len(text) for text in cut_in.values())
        cut_out = self._cut_out(last)
        if cut_out:
            end += 3 + max(cell_len(text) for text in cut_out.values())
        return _Window(first, last, start, end)

    def choose(self, width: int) -> _Window:
        """The widest window that fits ``width``: the focus's column, then those of the other
        ends of the edges the step computes along or reads (an edge's operand, the consumers a
        gradient comes back from), then neighbours, towards the operands going forward and
        towards the output going back."""
        pos = self.pos
        first = last = self.depth[pos.focus]
        ends = [self.depth[m] for edge in pos.edges | pos.read_edges for m in edge]
        want = (min(ends, default=first), max(ends, default=last))
        backward = pos.phase in (Phase.BACKWARD, Phase.UPDATE)
        best = self.window(first, last)
        while True:
            if first > want[0]:
                options = [(first - 1, last)]
            elif last < want[1]:
                options = [(first, last + 1)]
            else:
                options = [(first, last + 1), (first - 1, last)]
                options = options if backward else options[::-1]
            options = [(a, b) for a, b in options if a >= 0 and b <= self.last_column]
            fits = [w for w in (self.window(a, b) for a, b in options) if w.width <= width]
            if not fits and want != (first, last) and options:
                want = (first, last)  # the other end is too far: only neighbours then
                continue
            if not fits:
                return best
            best = fits[0]
            first, last = best.first, best.last

    def _cut_in(self, first: int) -> dict[int, str]:
        """The edges coming in from columns left of ``first``, by the row they come in on:
        the node each comes from."""
        x = self.geo.lefts[first] - _CUT
        return {
            row_at(r.points, x): self.symbols[r.source]
            for r in self.geo.routes
            if r.start < first <= self.depth[r.target]
        }

    def _cut_out(self, last: int) -> dict[int, str]:
        """The edges going out to columns right of ``last``, by the row they leave on: the
        nodes they go to."""
        x = self.geo.lefts[last] + self.geo.widths[last]
        out: dict[int, list[str]] = {}
        for r in self.geo.routes:
            if r.start <= last < self.depth[r.target]:
                out.setdefault(row_at(r.points, x), []).append(self.symbols[r.target])
        return {y: _names(list(dict.fromkeys(names))) for y, names in out.items()}

    # --- drawing -----------------------------------------------------------------------------

    def draw(self, win: _Window) -> Scene:
        geo, pos = self.geo, self.pos
        shown = [b for b in geo.boxes.values() if win.first <= b.column <= win.last]
        items: list[Item] = []
        lo = geo.lefts[win.first] - (_CUT if win.first else 0)
        hi = geo.lefts[win.last] + geo.widths[win.last] + (0 if win.last == self.last_column else 1)
        routes = [
            r for r in geo.routes if r.start <= win.last and self.depth[r.target] >= win.first
        ]
        order = {Role.PLAIN: 0, Role.READ: 1, Role.CURRENT: 2}
        routes.sort(key=lambda r: order[pos.edge_role((r.source, r.target))])
        for route in routes:
            points = self._start(route)
            clipped = clip_columns(points, lo, hi)
            if len(clipped) > 1:
                role = pos.edge_role((route.source, route.target))
                items.append(Wire(clipped, role, arrow=True))
            if route.stub and route.start >= win.first:
                x, y = route.points[0]
                text = self.symbols[route.source]
                items.append(Label(x - 1 - cell_len(text), y, text, self._cut_role(text)))
        for box in shown:
            items += self._box(box, self.nodes[box.name])
        for y, text in self._cut_in(win.first).items() if win.first else ():
            role = self._cut_role(text)
            items.append(Label(lo - 1 - cell_len(text), y, text, role))
        for y, text in self._cut_out(win.last).items() if win.last < self.last_column else ():
            items.append(Label(hi + 2, y, text, self._cut_role(text)))
        return placed(items, win.start)

    def _cut_role(self, text: str) -> Role:
        """A cut edge's label is read when the step reads a node it names (as that node's
        box would be); otherwise it only says what is left out."""
        named = set(text.split(","))
        nodes = [self.nodes[m] for m, sym in self.symbols.items() if sym in named]
        return Role.READ if any(self.pos.box_role(n) is Role.READ for n in nodes) else Role.MORE

    def _start(self, route: Route) -> tuple[tuple[int, int], ...]:
        """The route from the source's own edge: an outline's right side, or one cell after
        an input's value (a stub's starts where the layout put it)."""
        if route.stub:
            return route.points
        box = self.geo.boxes[route.source]
        if box.size.framed:
            x = box.x + box.size.w - 1
        else:
            x = box.x + self.pos.value(self.nodes[route.source]).width + 1
        _, y = route.points[0]
        rest = tuple(p for p in route.points[1:] if p[0] > x or p[1] != y)
        return ((x, y), *rest)

    def _box(self, box: Box, node: GraphNode) -> list[Item]:
        pos = self.pos
        value, grad = pos.value(node), pos.gradient(node)
        if not box.size.framed:
            return [p.at(box.x, box.y + k) for k, p in enumerate((value, grad)) if p.text]
        role = pos.box_role(node)
        heading = _heading(node)
        out: list[Item] = [
            _outline(box, len(heading), role),
            Label(
                box.x + 2, box.y, heading, Role.CURRENT if node.name == pos.node else Role.HEADER
            ),
        ]
        out += [p.at(box.x + 2, box.y + 1 + k) for k, p in enumerate((value, grad)) if p.text]
        return out


def _names(names: list[str]) -> str:
    """The nodes a cut edge goes to, the first three and … for the rest (a node of a
    60-node chain may feed eight later ones)."""
    return ",".join(names[:3] + ["…"] * (len(names) > 3))


def _heading(node: GraphNode) -> str:
    """What a box writes on its top edge: its operation."""
    return f" {node.op} "


def _outline(box: Box, heading: int, role: Role) -> Wire:
    """A box's border, open where its operation is written over the top edge (so that no
    medium draws the line through it): ╭─ · ───╮."""
    left, top = box.x, box.y
    right, bottom = left + box.size.w - 1, top + box.size.h - 1
    gap = left + 2 + heading
    points = (
        (gap, top),
        (right, top),
        (right, bottom),
        (left, bottom),
        (left, top),
        (left + 1, top),
    )
    return Wire(points, role)


def _plans(pos: Position, width: int, rows: int) -> Scene:
    """The picture in the spacing of the lesson at this size, the same at every step so that
    nothing jumps: spaces around = unless dropping them fits the whole graph in the width,
    a blank row between boxes when the whole graph's height fits the rows."""
    spaced = True
    if _Picture(pos, 1, True).whole.width > width:
        spaced = _Picture(pos, 1, False).whole.width > width
    picture = _Picture(pos, 1, spaced)
    if picture.geo.height > rows:
        picture = _Picture(pos, 0, spaced)
    return picture.draw(picture.choose(width))


def graph_scene(
    solution: Solution,
    revealed: int,
    current: int | None,
    lang: str,
    width: int,
    *,
    rows: int | None = None,
) -> Scene:
    """The graph of ``solution`` (of the current step's run), ``steps[:revealed]`` written in,
    ``current`` (an index into ``solution.steps``, or None) highlighted, at most ``width``
    columns wide and aiming at ``rows`` rows (``ROW_BUDGET`` without); a lesson with no graph
    gives an empty scene."""
    if solution.graph is None or not solution.steps or width <= 0:
        return Scene(max(width, 0), 0, title=solution.title)
    rows = ROW_BUDGET if rows is None else max(1, rows)
    pos = Position.build(solution, revealed, current)
    return replace(crop_rows(_plans(pos, width, rows), rows), title=solution.title)


def print_scene(solution: Solution, lang: str, *, worksheet: bool = False) -> Scene:
    """The graph for a printed document: every value and gradient revealed (none on a
    worksheet), the whole graph in bands of columns one under another as a page is wide;
    with two granularities, one graph under the other, each under its name. A graph taller
    than ``PRINT_ROWS`` (some two pages) is not drawn: the empty scene says so, and the
    results table lists every node."""
    shape = solution.graph
    if shape is None or not solution.steps:
        return Scene(0, 0, title=solution.title)
    parts: list[Scene] = []
    for run in shape.runs:
        revealed = 0
        if not worksheet:
            mine = [
                k
                for k, s in enumerate(solution.steps)
                if shape.run_of(s.key) is run and s.phase in (Phase.FORWARD, Phase.BACKWARD)
            ]
            revealed = max(mine, default=-1) + 1
        pos = Position.build(solution, revealed, None, run=run)
        if len(shape.runs) > 1:
            name = split_title(run, lang)
            name = name[:1].upper() + name[1:]
            parts.append(Scene(len(name), 1, (Label(0, 0, name, Role.HEADER),)))
        parts += _bands(pos)
    scene = stacked(parts)
    if scene.height > PRINT_ROWS:
        return Scene(0, 0, title=solution.title)
    return replace(scene, title=solution.title)


def _bands(pos: Position) -> list[Scene]:
    """One run's graph as printed: whole if it fits the page (with spaces around =, or
    without), else cut into bands of columns, each band's cut edges labelled."""
    for spaced in (True, False):
        picture = _Picture(pos, 1, spaced)
        if picture.whole.width <= PRINT_WIDTH:
            return [picture.draw(picture.whole)]
    picture = _Picture(pos, 1, True)
    bands = []
    first = 0
    while first <= picture.last_column:
        last = first
        while last < picture.last_column and picture.window(first, last + 1).width <= PRINT_WIDTH:
            last += 1
        bands.append(picture.draw(picture.window(first, last)))
        first = last + 1
    return bands


def stacked(scenes: list[Scene]) -> Scene:
    """Scenes one under another, a blank row between them."""
    items: list[Item] = []
    top = 0
    for scene in scenes:
        for item in scene.items:
            if isinstance(item, Label):
                items.append(replace(item, y=item.y + top))
            elif isinstance(item, Wire):
                items.append(moved(item, 0, top))
        top += scene.height + 1
    return Scene(max((s.width for s in scenes), default=0), max(0, top - 1), tuple(items))
