"""The recurrent cell unrolled in time, laid out once: a box per time step, its gates inside.

``recurrent_scene`` turns a solved recurrent lesson and a position in it into a ``Scene``, as
the lecture draws an unrolled RNN: one box per time step t with the cell's gates in it (rnn:
u and h; lstm: f i g o, then c and h; gru: r z n, then h), x_t under the box, the states h_t
(and c_t) passing right from box to box, and the output ỹ with its error ε above the last box
(above every box when the lesson reads an output at every step).

In the backward phase the same boxes hold what flows back: each gate's δ in the gate's row,
dc_t and dh_t in the state's, and the wires between boxes point left. While the weights are
updated the top line shows the row of weights being updated (Δw, then the new w), and the
boxes the δ's each increment sums over time.

Values are written in as the walk reveals them; the quantity being computed and those it reads
carry their roles, and the box of its time step its heading. A long sequence shows a window of
boxes around the current time step: the states that enter it on its left (h₀, or the h_t of
the last box left out, and its gradient), "… N more" on its right; many hidden units show the
current one and its first neighbours. The layout tries, in order, fewer rows (gates two to a
line, no connectors) and fewer columns (no spaces around =) until it fits the rows and width.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import product

from stepper.i18n import label
from stepper.notation import Sym
from stepper.pictures.blocks import Piece, extent
from stepper.pictures.network import ROW_BUDGET
from stepper.pictures.network_state import pick
from stepper.pictures.recurrent_cell import Line, Row, cell_rows, fallback, is_state
from stepper.pictures.recurrent_state import Position, parse, time_of
from stepper.pictures.scene import Item, Label, Role, Scene, Wire
from stepper.steps import Phase, Solution

#: Columns of a printed picture at most, and its rows: a page shows both halves of each box.
PRINT_WIDTH = 100
PRINT_ROWS = 30
#: Cells between two boxes: the wire that carries the state (├──→│).
_GAP = 3
#: Columns between two slots in a box.
_SLOT_GAP = 2


@dataclass(frozen=True, slots=True)
class _Plan:
    """How to lay the boxes out: the halves drawn, gates per line, units side by side or one
    under another, connectors, spacing, and the units and time steps shown."""

    views: tuple[bool, ...]  # the halves drawn: (False,) forward, (True,) backward, or both
    fold: int
    stack: bool  # each unit on its own line (a matrix's rows), rather than side by side
    above: bool  # a row for the connector between the output and its box
    below: bool  # a row for the connector between x_t and its box
    spaced: bool
    units: tuple[int | None, ...]
    first: int  # the first time step shown
    count: int  # boxes shown
    rows: int


@dataclass(frozen=True, slots=True)
class _Geometry:
    """Where one plan puts things: the boxes' lines from row ``top`` (their top border) down,
    their inner width, the width of a slot and each box's left border."""

    plan: _Plan
    lines: tuple[Line, ...]
    top: int
    inner: int
    slot: int
    lefts: tuple[int, ...]
    width: int

    @property
    def bottom(self) -> int:
        """The row of the boxes' bottom border."""
        return self.top + len(self.lines) + 1

    def states(self) -> list[tuple[Line, int]]:
        """The state lines and their rows."""
        return [(line, self.top + 1 + n) for n, line in enumerate(self.lines) if is_state(line)]

    @property
    def state_row(self) -> int:
        """The row of the last state line: where "… N more" is written."""
        return self.states()[-1][1]


class _Layout:
    """The picture of one position: plans measured, then the chosen one drawn."""

    def __init__(self, pos: Position, lang: str, views: Sequence[tuple[bool, ...]]) -> None:
        self.pos = pos
        self.shape = pos.shape
        self.lang = lang
        #: The halves a plan may draw (False: the forward one), best first; a lesson worked
        #: forward only has no backward half.
        backward = any(key.startswith("dh[") for key in pos.index.at)
        self.choices = tuple(views) if backward else ((False,),)
        self.cell_rows = cell_rows(pos.shape)
        self.top_line = self._has_top_line()
        #: The width of the states entering the first box, by its lines, spacing and step.
        self.sides: dict[tuple[tuple[Line, ...], bool, int], int] = {}

    # --- measuring ------------------------------------------------------------------------------

    def lines(
        self, views: tuple[bool, ...], fold: int, stack: bool, units: tuple[int | None, ...]
    ) -> tuple[Line, ...]:
        """The box's lines: per half, gates ``fold`` to a line, then each state; each unit
        beside the others, or (``stack``) each on a line of its own."""
        gates = [r for r in self.cell_rows if not r.state]
        chunks = [gates[k : k + fold] for k in range(0, len(gates), fold)]
        chunks += [[r] for r in self.cell_rows if r.state]
        out: list[Line] = []
        for back in views:
            for chunk in chunks:
                if stack:
                    out += [(back, tuple((r, i) for r in chunk)) for i in units]
                else:
                    out.append((back, tuple((r, i) for r in chunk for i in units)))
        return tuple(out)

    def slot_width(self, spaced: bool) -> int:
        """The widest slot of any box in either half, so that boxes keep their size from the
        forward pass to the backward one."""
        pos, shape = self.pos, self.shape
        pos.spaced = spaced
        cached = pos.index.slots.get(spaced)
        if cached is not None:
            return cached
        widths = [1]
        for row, t, i in product(
            self.cell_rows, range(1, shape.steps + 1), range(1, shape.hidden + 1)
        ):
            for back in (False, True):
                key = row.key(back, t, i)
                widths.append(pos.slot_width(key, fallback(key, shape.hidden)))
            if row.pre is not None:
                key = row.pre.format(t=t, i=i)
                widths.append(pos.slot_width(key, fallback(key, shape.hidden)))
        pos.index.slots[spaced] = max(widths)
        return max(widths)

    def box_inner(self, lines: tuple[Line, ...], slot: int) -> int:
        """Columns inside a box: the widest line of slots, a column of padding each side."""
        widest = max(
            sum(slot if i is not None else 1 for _, i in cells) + _SLOT_GAP * (len(cells) - 1)
            for _, cells in lines
        )
        return max(widest + 2, len(_title(self.shape.steps)) + 3)

    def rows_of(self, lines: tuple[Line, ...], above: bool, below: bool) -> int:
        top = 1 + above if self.top_line else 0
        return top + 2 + len(lines) + below + 1

    def side_width(self, first: int, lines: tuple[Line, ...], spaced: bool) -> int:
        """Columns left of the first box: the states that enter it (h₀, or h_{t−1})."""
        if (lines, spaced, first) not in self.sides:
            self.pos.spaced = spaced
            widths = [self._entering_width(line, first - 1) for line in lines if is_state(line)]
            self.sides[lines, spaced, first] = max(widths, default=0)
        return self.sides[lines, spaced, first]

    def plan(self, width: int, rows: int) -> _Plan:
        """The best plan: within the rows (or as few over them as can be: the screen shows
        the rows around the current step), at least two boxes when there are two, as many
        units as fit, both halves of the cell, then as many boxes; gates one to a line,
        units side by side, spaces and connectors kept."""
        shape, pos = self.shape, self.pos
        best: tuple[tuple[object, ...], _Plan] | None = None
        folds = (1, 2) if len([r for r in self.cell_rows if not r.state]) > 1 else (1,)
        stacks = (False, True) if shape.hidden > 1 else (False,)
        connectors = ((True, True), (False, True), (False, False))
        for views, fold, stack, (above, below), spaced in product(
            self.choices, folds, stacks, connectors, (True, False)
        ):
            if above and not self.top_line:
                continue
            slot = self.slot_width(spaced)
            for n in range(min(shape.hidden, 12), 0, -1):
                units = tuple(pick(range(1, shape.hidden + 1), n, _set(pos.unit), False))
                if stack and None in units:
                    continue
                lines = self.lines(views, fold, stack, units)
                height = self.rows_of(lines, above, below)
                inner = self.box_inner(lines, slot)
                count, first = self.window(width, lines, inner, spaced)
                if count == 0:
                    continue
                plan = _Plan(views, fold, stack, above, below, spaced, units, first, count, height)
                key = (
                    -max(0, height - rows),
                    min(count, 2),
                    sum(i is not None for i in units),
                    len(views),
                    count,
                    -fold,
                    not stack,
                    spaced,
                    above + below,
                )
                if best is None or key > best[0]:
                    best = (key, plan)
        if best is None:  # narrower than one box: the narrowest one, cropped
            views, fold = self.choices[-1], max(folds)
            units = (pos.unit or 1,)
            height = self.rows_of(self.lines(views, fold, False, units), False, False)
            return _Plan(views, fold, False, False, False, False, units, pos.focus, 1, height)
        return best[1]

    def window(
        self, width: int, lines: tuple[Line, ...], inner: int, spaced: bool
    ) -> tuple[int, int]:
        """How many boxes fit, and from which time step: the boxes around the focus, the one
        it comes from before the one it goes to (later ones when going back)."""
        steps, focus = self.shape.steps, self.pos.focus
        outer = inner + 2
        for count in range(min(steps, width // (outer + _GAP)), 0, -1):
            ahead = count // 2 if not self.pos.backward else (count - 1) // 2
            first = max(1, min(focus - ahead, steps - count + 1))
            used = self.side_width(first, lines, spaced) + count * (_GAP + outer)
            if first + count - 1 < steps:
                used += _GAP + len(self.more(steps - first - count + 1))
            if used <= width:
                return count, first
        return 0, 0

    # --- drawing --------------------------------------------------------------------------------

    def draw(self, plan: _Plan, width: int) -> Scene:
        pos, shape = self.pos, self.shape
        pos.spaced = plan.spaced
        slot = self.slot_width(plan.spaced)
        lines = self.lines(plan.views, plan.fold, plan.stack, plan.units)
        inner = self.box_inner(lines, slot)
        top = (1 + plan.above) if self.top_line else 0
        x = self.side_width(plan.first, lines, plan.spaced) + _GAP
        lefts = tuple(x + k * (inner + 2 + _GAP) for k in range(plan.count))
        geo = _Geometry(plan, lines, top, inner, slot, lefts, width)
        items: list[Item] = self._side(geo)
        last = plan.first + plan.count - 1
        for k, t in enumerate(range(plan.first, last + 1)):
            left = lefts[k]
            items.append(_outline(left, top, inner + 1, geo.bottom, len(_title(t))))
            items += self._box(geo, t, left)
            items += self._x(geo, t, left)
            if k + 1 < plan.count:
                items += self._states(geo, left + inner + 1, lefts[k + 1])
        if last < shape.steps:
            right = lefts[-1] + inner + 1
            more = self.more(shape.steps - last)
            items.append(Label(right + _GAP + 1, geo.state_row, more, Role.MORE))
            items += self._states(geo, right, right + _GAP + 1, arrows=False)
        if self.top_line:
            items += self._top(geo)
        return Scene(width, geo.bottom + plan.below + 2, tuple(items))

    def _side(self, geo: _Geometry) -> list[Item]:
        """Left of the first box, each state as it enters the window: h₀ (c₀) as given, or
        the last box left out's h_t (c_t), wired in; and its gradient, wired out."""
        out: list[Item] = []
        box, t = geo.lefts[0], geo.plan.first - 1
        for line, y in geo.states():
            x = 0
            for p in self._entering(line, t):
                out.append(p.at(x, y))
                x += p.width + 1
            back = line[0]
            if back and x == 0:
                continue  # the gradient goes no further back than step 1
            if x < box - 1:
                ends = ((box - 1, y), (x, y)) if back else ((x, y), (box - 1, y))
                out.append(Wire(ends, arrow=True))
        return out

    def _entering(self, line: Line, t: int) -> list[Piece]:
        """A state line's quantities at time ``t``, unit by unit: h₀ and c₀ as the lesson
        gives them; none for the gradient at t = 0."""
        back = line[0]
        if back and t == 0:
            return []
        out = []
        for row, i in line[1]:
            if i is None:
                out.append(Piece("…", Role.MORE))
                continue
            key = row.key(back, t, i)
            out.append(self.pos.slot(key, fallback(key, self.shape.hidden)))
        return out

    def _entering_width(self, line: Line, t: int) -> int:
        """The widest ``_entering`` ever writes (its values' widest), so nothing moves."""
        if line[0] and t == 0:  # room for h₀ all the same, so that the boxes keep their place
            return self._entering_width((False, line[1]), 0)
        widths = []
        for row, i in line[1]:
            key = row.key(line[0], t, i) if i is not None else ""
            widths.append(self.pos.slot_width(key, fallback(key, self.shape.hidden)) if key else 1)
        return sum(widths) + len(widths) - 1

    def _box(self, geo: _Geometry, t: int, left: int) -> list[Item]:
        """Box t's heading over its top border, and its slots line by line."""
        pos = self.pos
        here = pos.step is not None and time_of(pos.step.key, self.shape) == t
        out: list[Item] = [
            Label(left + 2, geo.top, _title(t), Role.CURRENT if here else Role.HEADER)
        ]
        for n, (back, cells) in enumerate(geo.lines):
            x, y = left + 2, geo.top + 1 + n
            for row, i in cells:
                if i is None:
                    out.append(Label(x, y, "…", Role.MORE))
                    x += 1 + _SLOT_GAP
                    continue
                out.append(self._cell(row, back, t, i).at(x, y))
                x += geo.slot + _SLOT_GAP
        return out

    def _cell(self, row: Row, back: bool, t: int, i: int) -> Piece:
        """A gate's (or state's) slot; a gate's u until the gate itself is known."""
        pos, hidden = self.pos, self.shape.hidden
        key = row.key(back, t, i)
        if not back and row.pre is not None and not pos.shows(key):
            pre = row.pre.format(t=t, i=i)
            if pos.shows(pre):
                return pos.slot(pre, fallback(pre, hidden))
        return pos.slot(key, fallback(key, hidden))

    def _states(self, geo: _Geometry, right: int, to: int, *, arrows: bool = True) -> list[Item]:
        """The wires that carry each state to the next box (→), or its gradient back (←)."""
        out: list[Item] = []
        for n, line in enumerate(geo.lines):
            if is_state(line):
                back, y = line[0], geo.top + 1 + n
                ends = ((to, y), (right + 1, y)) if back else ((right, y), (to - 1, y))
                out.append(Wire(ends, arrow=arrows))
        return out

    def _x(self, geo: _Geometry, t: int, left: int) -> list[Item]:
        """x_t under its box (its inputs as far as they fit), wired into it."""
        room = geo.inner + 2 + _GAP - 1
        pieces = [self._input(t, j) for j in range(1, self.shape.inputs + 1)]
        chosen = _fit(pieces, room)
        out: list[Item] = []
        x = left + 1
        for p in chosen:
            out.append(p.at(x, geo.bottom + 1 + geo.plan.below))
            x += p.width + 1
        if geo.plan.below:
            centre = left + 1 + min(geo.inner // 2, max(1, chosen[0].width // 2) if chosen else 1)
            out.append(Wire(((centre, geo.bottom + 1), (centre, geo.bottom)), arrow=True))
        return out

    def _input(self, t: int, j: int) -> Piece:
        pos, shape = self.pos, self.shape
        for key in (f"x[{t},{j}]", f"x[{t}]"):
            if pos.exists(key):
                return pos.slot(key, fallback(key, shape.hidden))
        value = shape.sequence[t - 1][j - 1]
        sym = Sym("x", (t,) if shape.inputs == 1 else (t, j))
        return pos.given_piece(f"x[{t},{j}]", sym, value)

    def _has_top_line(self) -> bool:
        pos = self.pos
        if any(pos.exists(k) for k in ("loss", *self._outputs(self.shape.steps))):
            return True
        return pos.backward and any(s.phase is Phase.UPDATE for s in pos.solution.steps)

    def _outputs(self, t: int) -> list[str]:
        """The keys above box t: its outputs ỹ, their targets y, their errors ε and δ (at the last
        box, the loss)."""
        shape, pos = self.shape, self.pos
        if not shape.every_step and t != shape.steps:
            return []
        size = shape.outputs or shape.hidden
        keys = []
        for name in ("y", "target", "e", "do"):
            for i in range(1, size + 1):
                key = f"{name}[{t},{i}]" if shape.every_step else f"{name}[{i}]"
                if pos.exists(key):
                    keys.append(key)
        if t == shape.steps and pos.exists("loss"):
            keys.append("loss")
        return keys

    def _top(self, geo: _Geometry) -> list[Item]:
        """The outputs above their boxes; while a weight is updated, its row of weights."""
        pos, plan = self.pos, geo.plan
        weights = self._weights()
        if weights:
            return [p.at(x, 0) for x, p in _spread(weights, geo.width)]
        out: list[Item] = []
        free = 0  # the first column the next box's outputs may take
        for k, t in enumerate(range(plan.first, plan.first + plan.count)):
            keys = self._outputs(t)
            if not keys:
                continue
            left = geo.lefts[k]
            pieces = [pos.slot(key, fallback(key, self.shape.hidden)) for key in keys]
            # Over its box, as far as the next box (the edge for the last one), and further
            # left where the room there is free.
            end = geo.lefts[k + 1] - 1 if k + 1 < len(geo.lefts) else geo.width
            chosen = _fit(pieces, end - free)
            x = max(free, min(left, end - _used(chosen)))
            for p in chosen:
                out.append(p.at(x, 0))
                x += p.width + 2
            free = x + 1  # three columns between two boxes' outputs
            centre = max(left + 4 + len(_title(t)), left + 1 + geo.inner // 2)
            if plan.above and centre <= left + geo.inner:
                out.append(Wire(((centre, geo.top), (centre, geo.top - 1)), arrow=True))
        return out

    def _weights(self) -> list[Piece]:
        """The row of weights the current update step belongs to, or nothing."""
        pos, shape = self.pos, self.shape
        if pos.step is None or pos.step.phase is not Phase.UPDATE:
            return []
        name, idx = parse(pos.step.key)
        name = name.removeprefix("d")
        if name == "w" and len(idx) == 3:
            gate, i = idx[0], idx[1]
            columns = range(1 + shape.inputs + shape.hidden)
            keys = [f"w[{gate},{i},{j}]" for j in columns]
        elif name == "t" and len(idx) == 2:
            keys = [f"t[{idx[0]},{j}]" for j in range(1 + shape.hidden)]
        else:
            return []
        return [pos.weight(key, fallback(key, shape.hidden)) for key in keys]

    def more(self, n: int) -> str:
        return label("picture.more", self.lang, n=n)


def _outline(left: int, top: int, right: int, bottom: int, title: int) -> Wire:
    """A box's border through the cells around it, open where its heading is written over
    the top edge (so that no medium draws the line through the heading's letters): ╭─t = 1─╮."""
    gap = left + 2 + title
    points = ((gap, top), (left + right, top), (left + right, bottom), (left, bottom),
              (left, top), (left + 1, top))  # fmt: skip
    return Wire(points)


def _title(t: int) -> str:
    """A box's heading, written over its top border."""
    return f"t = {t}"


def _set(x: int | None) -> set[int]:
    return set() if x is None else {x}


def _fit(pieces: list[Piece], room: int) -> list[Piece]:
    """As many of ``pieces`` as fit ``room`` columns two apart, what the step computes or
    reads kept first."""
    chosen = list(pieces)
    for keep in ((Role.CURRENT, Role.READ), (Role.CURRENT,)):
        k = len(chosen) - 1
        while _used(chosen) > room and k >= 0:
            if chosen[k].role not in keep:
                del chosen[k]
            k -= 1
    return chosen


def _used(pieces: list[Piece], gap: int = 2) -> int:
    """Columns a row of pieces ``gap`` apart takes."""
    return sum(p.width for p in pieces) + gap * max(0, len(pieces) - 1)


def _spread(pieces: list[Piece], width: int) -> list[tuple[int, Piece]]:
    """A row of weights from the left, elided around the current one when too long."""
    n = len(pieces)
    lit = {k for k, p in enumerate(pieces) if p.role is Role.CURRENT}
    for count in range(n, 0, -1):
        picked = pick(range(n), count, lit, True, lit)
        out: list[tuple[int, Piece]] = []
        x = 0
        for k in picked:
            p = pieces[k] if k is not None else Piece("…", Role.MORE)
            out.append((x, p))
            x += p.width + 2
        if x - 2 <= width:
            return out
    return []


def recurrent_scene(
    solution: Solution,
    revealed: int,
    current: int | None,
    lang: str,
    width: int,
    *,
    rows: int | None = None,
) -> Scene:
    """The cell of ``solution`` unrolled, ``steps[:revealed]`` written in, ``current`` (an index
    into ``solution.steps``, or None) highlighted, at most ``width`` columns wide and aiming at
    ``rows`` rows (``ROW_BUDGET`` without); a lesson with no recurrent cell gives an empty scene."""
    if solution.recurrent is None or not solution.steps or width <= 0:
        return Scene(max(width, 0), 0, title=solution.title)
    rows = ROW_BUDGET if rows is None else max(1, rows)
    pos = Position.build(solution, revealed, current)
    layout = _Layout(pos, lang, ((False, True), (pos.backward,)))
    plan = layout.plan(width, rows)
    if layout.top_line and pos.step is None:  # a title card too short for it all: the cell
        layout.top_line = False  # and its sequence before the output line
        bare = layout.plan(width, rows)
        if bare.rows <= rows and (plan.rows > rows or bare.count > plan.count):
            plan = bare
        else:
            layout.top_line = True
    scene = layout.draw(plan, width)
    return replace(scene, title=solution.title)


def print_scene(solution: Solution, lang: str, *, worksheet: bool = False) -> Scene:
    """The unrolled cell for a printed document: both halves of each box, the forward values
    over the gradients, with every value up to the update revealed (none on a worksheet); the
    new weights are in the result tables."""
    if solution.recurrent is None or not solution.steps:
        return Scene(0, 0, title=solution.title)
    steps = solution.steps
    revealed = 0
    if not worksheet:
        revealed = next((k for k, s in enumerate(steps) if s.phase is Phase.UPDATE), len(steps))
    pos = Position.build(solution, revealed, None)
    pos.focus = 1
    layout = _Layout(pos, lang, ((False, True),))
    scene = layout.draw(layout.plan(PRINT_WIDTH, PRINT_ROWS), PRINT_WIDTH)
    return replace(scene, width=min(scene.width, extent(scene.items)), title=solution.title)
