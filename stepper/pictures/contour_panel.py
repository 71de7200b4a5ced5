"""Beside the contour plot: the table of iterates (one optimiser) or the legend with a loss curve
per optimiser (several), then the notes (−∇f, the look-ahead point, the minimum, the shades).

Each line is built as a ``Line``, pieces of text with their roles laid left to right; the
layout places the lines where the panel goes, beside the plot or under it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from rich.cells import cell_len

from stepper.numbers import pretty
from stepper.pictures.contour_data import BANDS, SHADES, Path, compact, num
from stepper.pictures.contour_position import Position
from stepper.pictures.scene import Item, Label, Raster, Role

#: The minimum, found numerically.
MIN_MARK = "★"
#: Nesterov's look-ahead point, where it takes the derivative (x̃: a tilde).
AHEAD_MARK = "~"
#: The start of each path, when several are drawn.
START_MARK = "○"
SPARKS = "▁▂▃▄▅▆▇█"
#: Where the minimum lies, seen from the box, by octant (0 = east, counter-clockwise).
ARROWS = "→↗↑↖←↙↓↘"
#: The longest sparkline: longer runs are resampled.
MAX_SPARK = 24
#: Stands for the arrowhead of −∇f in its note until the plot has drawn the arrow.
HEAD = "⇣"


@dataclass(slots=True)
class Line:
    """Pieces of one line of text, each with its role, at columns counted from the line's start."""

    items: list[Label | Raster] = field(default_factory=list)
    width: int = 0

    def add(self, text: str, role: Role = Role.PLAIN, series: int | None = None) -> Line:
        """Append ``text``; its blanks only move the pen (no label holds a leading blank)."""
        stripped = text.lstrip(" ")
        start = self.width + cell_len(text) - cell_len(stripped)
        body = stripped.rstrip(" ")
        if body:
            self.items.append(Label(start, 0, body, role, series))
        self.width += cell_len(text)
        return self

    def shades(self) -> Line:
        """The key of f's shades, one cell per band, drawn as the plot's field is."""
        self.items.append(Raster(self.width, 0, (tuple(range(BANDS)),), SHADES))
        self.width += BANDS
        return self

    @property
    def text(self) -> str:
        """The words of the line, for the tests and the notes' arrowhead."""
        return "".join(i.text for i in self.items if isinstance(i, Label))

    def placed(self, x: float, y: float) -> list[Item]:
        """The line's items with its start at column x of row y."""
        return [replace(item, x=item.x + x, y=y) for item in self.items]


def panel(at: Position, height: int, *, contour: bool) -> tuple[list[Line], int]:
    """The legend or the table of iterates, then the notes; and the width it takes at any
    position of the walk, so that the plot beside it keeps its size while notes come and go."""
    extra = notes(at, contour)
    every = notes(at, contour, every=True)
    if at.many():
        lines = legend(at, height)
    else:
        below = len(every) + 1
        lines = iterates(at, height - below if height - below >= 5 else height)
    widest = max((line.width for line in lines + every), default=0)
    room = height - len(lines)
    if room > len(extra):
        lines.append(Line())
    return (lines + extra[: max(0, room)])[: max(0, height)], widest


def notes(at: Position, contour: bool, *, every: bool = False) -> list[Line]:
    """The notes under the legend: −∇f while its arrow is drawn, Nesterov's look-ahead point
    while it is, the minimum (with an arrow when it is out of the box) and the key of the
    shades; with ``every``, each note the lesson ever shows."""
    index = at.index
    out = []
    if contour and (at.gradient() is not None or (every and any(p.grad for p in index.paths))):
        out.append(Line().add(HEAD, Role.READ).add(f" −∇f: {at.word('downhill')}"))
    ahead = at.path if at.ahead() is not None else None
    if every:
        ahead = next((p for p in index.paths if p.ahead), None)
    if ahead is not None and len(index.variables) <= 2:
        names = ", ".join(ahead.ahead_names)
        if len(index.variables) > 1:
            names = f"({names})"
        out.append(Line().add(AHEAD_MARK, series=ahead.series).add(f" {names} {at.word('ahead')}"))
    minima = index.minima()
    if minima:
        box, near = index.box()
        points = [", ".join(compact(v) for v in m) for m in minima]
        where = ", ".join(f"({p})" if len(minima[0]) > 1 else p for p in points)
        line = Line().add(MIN_MARK, Role.MARK).add(f" {at.word('min')} ≈ {where}")
        if not near:
            line.add(" ").add(direction(box, minima[0]), Role.HEADER)
        out.append(line)
    levels = index.levels() if contour else None
    if levels is not None:
        span = levels.high - levels.low
        decimals = max(0, 1 - math.floor(math.log10(span))) if span > 0 else 2
        line = Line().add(f"f {num(levels.low, decimals)} ").shades()
        line.add(" " + num(levels.high, decimals))
        if levels.log:
            line.add(f" ({at.word('log')})", Role.MORE)
        out.append(line)
    return out


def direction(box: tuple[float, ...], point: tuple[float, ...]) -> str:
    """The arrow from the box's centre towards ``point``."""
    x0, x1, y0, y1 = box
    dx = (point[0] - (x0 + x1) / 2) / (x1 - x0)
    dy = (point[1] - (y0 + y1) / 2) / (y1 - y0)
    return ARROWS[round(math.atan2(dy, dx) / (math.pi / 4)) % 8]


def iterates(at: Position, lines: int) -> list[Line]:
    """t, the coordinates and f of every iteration so far, the one being computed lit, in
    ``lines`` lines (a long run: the start, ⋮, the rows around the current one, and a
    sparkline of f)."""
    index = at.index
    path = index.paths[0]
    revealed = at.revealed
    total = len(path.points)
    headers = ["t", *index.names, "f"]
    widths = [len(str(total - 1))]
    for i in range(len(index.names)):
        widths.append(max(cell_len(pretty(path.texts[t][i])) for t in range(total)))
    widths.append(max(cell_len(pretty(s)) for s in path.f_text))
    widths = [max(w, cell_len(h)) for w, h in zip(widths, headers, strict=True)]
    head = Line()
    for k, (h, w) in enumerate(zip(headers, widths, strict=True)):
        head.add(("  " if k else "") + h.rjust(w), Role.HEADER)
    busy = at.iteration() if at.path is path else None
    lines = max(lines, 3)
    rows = lines - 1 if total <= lines - 1 else lines - 2
    out = [head]
    for t in window(total, rows, busy if busy is not None else path.latest(revealed)):
        if t is None:
            out.append(Line().add("⋮", Role.MORE))
            continue
        line = Line()
        if t == busy:
            line.add(str(t).rjust(widths[0]), Role.CURRENT)
        elif path.shown_at(t, revealed):
            line.add(str(t).rjust(widths[0]), series=path.series)
        else:
            line.add(str(t).rjust(widths[0]), Role.PENDING)
        cells = [
            (pretty(path.texts[t][i]), path.at[t][i] < revealed) for i in range(len(index.names))
        ]
        cells.append((pretty(path.f_text[t]), path.f_at[t] < revealed))
        for (text, known), w in zip(cells, widths[1:], strict=True):
            line.add("  ")
            if known:
                line.add(text.rjust(w))
            else:
                line.add("·".rjust(w), Role.PENDING)
        out.append(line)
    if total > rows:
        out.append(spark(at, path, Line().add("f "), value=False))
    return out


def window(total: int, rows: int, focus: int) -> list[int | None]:
    """The iterations shown in ``rows`` rows: all, or the start, ⋮ and those around focus."""
    if total <= rows:
        return list(range(total))
    if rows < 4:  # no room for the start: the rows up to the one in focus
        end = min(total, max(focus + 1, rows))
        return list(range(end - rows, end))
    tail = rows - 2
    end = min(total, max(focus + 2, tail + 1))
    return [0, None, *range(end - tail, end)]


def legend(at: Position, height: int) -> list[Line]:
    """Each optimiser: its mark, name, a sparkline of f per iteration and its last f; over
    them a title, under them the shared start (left out, and then optimisers far from the
    current one, when ``height`` is short)."""
    index = at.index
    names = [at.name(p) for p in index.paths]
    name_width = max(cell_len(n) for n in names)
    rows = []
    for path, name in zip(index.paths, names, strict=True):
        line = Line()
        line.add(marker(path), Role.CURRENT if path is at.path else Role.PLAIN, path.series)
        line.add(" " + name.ljust(name_width) + " ")
        rows.append(spark(at, path, line))
    title = Line().add(at.word("per_iteration"), Role.HEADER)
    if len(index.shape.starts) > 1:  # each name says where its run started
        start = Line().add(START_MARK, Role.HEADER).add(f" {at.word('starts')}")
    else:
        where = ", ".join(pretty(s) for s in index.paths[0].texts[0])
        start = Line().add(START_MARK, Role.HEADER).add(f" {at.word('start')} ({where})")
    if len(rows) + 2 <= height:
        return [title, *rows, start]
    if len(rows) + 1 <= height:
        return [title, *rows]
    focus = index.paths.index(at.path) if at.path is not None else 0
    first = max(0, min(focus - height // 2, len(rows) - height))
    return rows[first : first + max(0, height)]


def marker(path: Path) -> str:
    """The mark of an optimiser among several: its place, 1 to 9, then 0."""
    return "1234567890"[path.series % 10]


def spark(at: Position, path: Path, line: Line, *, value: bool = True) -> Line:
    """f per iteration as ▁▂▃…█ (pending ones as ·), then the last f revealed."""
    lo, hi, log = at.index.spark_scale()
    total = len(path.f)
    cells = min(total, MAX_SPARK)
    run, role = "", Role.PLAIN
    for k in range(cells):
        first, end = k * total // cells, (k + 1) * total // cells
        known = [t for t in range(first, end) if path.f_at[t] < at.revealed]
        if not known:
            char, kind = "·", Role.PENDING
        else:
            v = path.f[known[-1]]
            if log:
                s = (math.log(v) - math.log(lo)) / (math.log(hi) - math.log(lo)) if hi > lo else 0
            else:
                s = (v - lo) / (hi - lo) if hi > lo else 0.0
            char, kind = (
                SPARKS[min(len(SPARKS) - 1, max(0, round(s * (len(SPARKS) - 1))))],
                Role.PLAIN,
            )
        if run and kind != role:
            line.add(run, role, path.series if role is Role.PLAIN else None)
            run = ""
        run, role = run + char, kind
    if run:
        line.add(run, role, path.series if role is Role.PLAIN else None)
    if value:
        last = next(
            (
                pretty(path.f_text[t])
                for t in range(total - 1, -1, -1)
                if path.f_at[t] < at.revealed
            ),
            "",
        )
        line.add(" " + last.rjust(at.index.f_width()))
    return line


def latest(at: Position) -> list[Line]:
    """With more than two variables and several optimisers: each one's latest point and f,
    and its sparkline."""
    idx = at.index
    names = [at.name(p) for p in idx.paths]
    name_width = max(cell_len(n) for n in names)
    headers = [*idx.names, "f"]
    columns: list[list[str]] = []
    for path in idx.paths:
        t = path.latest(at.revealed)
        row = [pretty(s) for s in path.texts[t]]
        row.append(pretty(path.f_text[t]) if path.f_at[t] < at.revealed else "·")
        columns.append(row)
    widths = [max(cell_len(h), *(cell_len(r[i]) for r in columns)) for i, h in enumerate(headers)]
    head = Line().add(" " * (name_width + 2))
    for h, w in zip(headers, widths, strict=True):
        head.add(h.rjust(w) + "  ", Role.HEADER)
    out = [head]
    for path, name, row in zip(idx.paths, names, columns, strict=True):
        line = Line()
        line.add(marker(path), Role.CURRENT if path is at.path else Role.PLAIN, path.series)
        line.add(" " + name.ljust(name_width) + " ")
        for text, w in zip(row, widths, strict=True):
            line.add(text.rjust(w) + "  ")
        out.append(spark(at, path, line, value=False))
    return out
