"""The grids of the conv picture: the image (with its padding ring), a kernel, and the maps
(conv, ReLU, pooling and their errors), each under its header, filled in as revealed.

A grid larger than its room shows the rows and columns around the cell in focus, with ⋮ and
… where it leaves some out; the window a kernel or a pooling reads is a ``Frame`` whose first
and last columns are the gaps left of and right of the cells it holds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from stepper.notation import MAP_LETTERS, Sym
from stepper.numbers import given, pretty
from stepper.pictures.conv_board import Drawn, Ink, span
from stepper.pictures.conv_state import Cell, Ctx
from stepper.pictures.scene import Frame, Role, Shape

#: The winner of a max-pooling window, once its value is revealed.
WINNER_MARK = "◂"
#: The narrowest a cell is drawn, so that one-digit images still read as a grid.
_MIN_CELL = 2
_CHANNEL_NAMES = "RGB"

#: The letter of each map's cells, as the formulas write them (c₁₁, a₁₁, m₁₁, δᶜ₁₁).
_LETTERS: dict[str, tuple[str, str | None]] = {
    **{key: (MAP_LETTERS[key], None) for key in ("conv", "relu", "pool")},
    **{f"d{key}": ("delta", MAP_LETTERS[key]) for key in ("conv", "relu", "pool")},
}

Box = tuple[int, int, int, int]  # first row, last row, first column, last column


@dataclass(slots=True)
class Grid:
    """A matrix of numbers under its header, maybe with a framed window and marked cells.

    Rows and columns run lo..hi (the padding ring of an image is 1 − p .. D + p). When it must
    be smaller than it is, it shows the rows and columns around ``focus``, with ⋮ and … where
    it leaves some out.
    """

    header: str
    rows: tuple[int, int]
    cols: tuple[int, int]
    cell: Callable[[int, int], Cell]
    cell_width: int
    focus: Box
    frame: Box | None = None
    frame_role: Role = Role.READ
    marks: dict[tuple[int, int], str] = field(default_factory=dict)
    mark_width: int = 0
    priority: int = 0
    dropped: bool = False
    shown: int = 0
    short: str = ""
    title: str = ""
    #: The most columns ever shown (print caps large grids; the screen has its width).
    most: int | None = None
    #: The width its own numbers need, when ``cell_width`` is wider to match other grids (a
    #: kernel as wide as the widest of the gallery, so the board does not shift from one to
    #: the next): a board too wide for the screen narrows it before it hides a column.
    tight: int | None = None
    _wide: int = 0

    def reset(self) -> None:
        if self._wide:
            self.cell_width = self._wide
        self.shown = self.cols[1] - self.cols[0] + 1
        if self.most is not None:
            self.shown = min(self.shown, self.most)
        self.dropped = False
        self.title = self.header

    def relax(self, excess: int) -> None:
        pass

    def _cspan(self, n: int) -> tuple[int, int]:
        return span(*self.cols, self.focus[2], self.focus[3], n)

    def _body_width(self, n: int) -> int:
        a, b = self._cspan(n)
        cuts = (a > self.cols[0]) + (b < self.cols[1])
        return cuts + n * (1 + self.cell_width + self.mark_width) + 1

    def width(self) -> int:  # a header wider than the grid keeps a space after it
        return max(len(self.title or self.header) + 1, self._body_width(self.shown or 1))

    def height(self) -> int:
        return 1 + self.rows[1] - self.rows[0] + 1

    def shrink(self) -> bool:
        """One column fewer; first the short header (x 6×6) if the long one is the wider."""
        body = self._body_width(self.shown or 1)
        if self.short and self.title != self.short and len(self.title) >= body:
            self.title = self.short
            return True
        if self.tight is not None and self.tight < self.cell_width:
            self._wide, self.cell_width = self.cell_width, self.tight
            return True
        least = min(self.cols[1] - self.cols[0] + 1, self.focus[3] - self.focus[2] + 1, 3)
        if self.shown > max(1, least):
            self.shown -= 1
            return True
        return False

    def render(self, rows: int) -> Drawn:
        lo, hi = self.rows
        avail = max(1, rows - 1)
        n = min(hi - lo + 1, avail)
        while True:
            top, bottom = span(lo, hi, self.focus[0], self.focus[1], n)
            if n + (top > lo) + (bottom < hi) <= avail or n == 1:
                break
            n -= 1
        left, right = self._cspan(self.shown or 1)
        lines = []
        if top > lo:
            lines.append(self._ellipsis(left, right))
        first = len(lines)
        lines += [self._row(r, left, right) for r in range(top, bottom + 1)]
        if bottom < hi:
            lines.append(self._ellipsis(left, right))
        header = Ink().add(self.title or self.header, Role.HEADER).add(" ")
        return header, lines, self._frames(top, bottom, left, right, first)

    def _gap(self, c: int, left: int) -> int:
        """The column of the gap left of cell column ``c`` (right of the last for right + 1)."""
        cut = int(left > self.cols[0])
        return cut + (c - left) * (1 + self.cell_width + self.mark_width)

    def _frames(self, top: int, bottom: int, left: int, right: int, first: int) -> list[Frame]:
        frame = self.frame
        if frame is None:
            return []
        r0, r1 = max(frame[0], top), min(frame[1], bottom)
        c0, c1 = max(frame[2], left), min(frame[3], right)
        if r0 > r1 or c0 > c1:
            return []
        x0, x1 = self._gap(c0, left), self._gap(c1 + 1, left)
        w, h = x1 - x0 + 1, r1 - r0 + 1
        return [Frame(x0, first + r0 - top, w, h, self.frame_role, Shape.BRACKET)]

    def _ellipsis(self, left: int, right: int) -> Ink:
        line = Ink().add(" " if left > self.cols[0] else "")
        for _ in range(left, right + 1):
            line.add(" " + "⋮".rjust(self.cell_width) + " " * self.mark_width, Role.MORE)
        return line

    def _row(self, r: int, left: int, right: int) -> Ink:
        line = Ink()
        if left > self.cols[0]:
            line.add("…", Role.MORE)
        for c in range(left, right + 1):
            line.add(" ")
            text, role, key = self.cell(r, c)
            line.add(text.rjust(self.cell_width), role, key)
            if self.mark_width:
                mark = self.marks.get((r, c), "")
                line.add(mark.ljust(self.mark_width), Role.MARK)
        line.add(" ")
        if right < self.cols[1]:
            line.add("…", Role.MORE)
        return line


def _cells(width: int) -> int:
    return max(_MIN_CELL, width)


def _sup(ctx: Ctx, k: int) -> int | None:
    return k if ctx.many_kernels else None


def channel_name(ctx: Ctx, ch: int) -> str:
    count = len(ctx.conv.image)
    return _CHANNEL_NAMES[ch - 1] if count == 3 else f"{ch}/{count}"


def image_grid(
    ctx: Ctx, ch: int, pad: int, frame: Box | None, frame_role: Role = Role.READ
) -> Grid:
    """Channel ``ch`` of the image, with ``pad`` rings of zeros around it."""
    image = ctx.conv.image[ch - 1]
    rows, cols = len(image), len(image[0])
    pixels = ctx.pixels

    def cell(r: int, c: int) -> Cell:
        read = (ch, r, c) in pixels
        if 1 <= r <= rows and 1 <= c <= cols:
            value = pretty(given(image[r - 1][c - 1]))
            return value, Role.READ if read else Role.PLAIN, f"x[{ch},{r},{c}]"
        return "0", Role.READ if read else Role.PENDING, None

    sym = Sym("x", sample=ch if len(ctx.conv.image) > 1 else None).unicode()
    header = f"{ctx.word('image')} {sym} {rows}×{cols}"
    short = f"{sym} {rows}×{cols}"
    if len(ctx.conv.image) > 1:
        header += f" · {ctx.word('channel')} {channel_name(ctx, ch)}"
        short = f"{sym} {channel_name(ctx, ch)}"
    return Grid(
        header,
        (1 - pad, rows + pad),
        (1 - pad, cols + pad),
        cell,
        _cells(ctx.image_width()),
        frame or (1, 1, 1, 1),
        frame,
        frame_role,
        short=short,
    )


def _kernel_mark(ctx: Ctx, k: int, ch: int) -> int | str | None:
    many_channels = len(ctx.conv.image) > 1
    if len(ctx.conv.kernels) > 1 and many_channels:
        return f"{k},{ch}"
    if len(ctx.conv.kernels) > 1:
        return k
    return ch if many_channels else None


def kernel_grid(ctx: Ctx, k: int, ch: int, mode: str, focus: tuple[int, int] | None) -> Grid:
    """Kernel k's channel ch: as ``given``, ``before`` or ``after`` its update, or its Δk."""
    weights = ctx.conv.kernels[k - 1][ch - 1]
    n = len(weights)
    mark = _kernel_mark(ctx, k, ch)
    sym = Sym("k", sample=mark, delta=mode == "delta").unicode()
    width = ctx.kernel_width()

    def before(r: int, c: int) -> Cell:
        key = f"k[{k},{ch},{r},{c}]"
        return pretty(given(weights[r - 1][c - 1])), ctx.read(key), key

    def after(r: int, c: int) -> Cell:
        return ctx.replaced(f"k[{k},{ch},{r},{c}]", weights[r - 1][c - 1])

    def delta(r: int, c: int) -> Cell:
        return ctx.computed(f"dk[{k},{ch},{r},{c}]")

    if mode == "after":
        cell, width = after, max(width, ctx.index.widths.get("k", 1))
        header = f"{sym} {ctx.word('after')}"
    elif mode == "delta":
        cell, width = delta, ctx.index.widths.get("dk", 1)
        header = f"{sym} {n}×{n}"
    else:
        cell = before
        header = f"{ctx.word('kernel')} {sym} {n}×{n}"
        if mode == "before":
            header = f"{sym} {ctx.word('before')}"
    if len(ctx.conv.image) > 1 and mode == "given":
        header += f" · {channel_name(ctx, ch)}"
    m, c = focus or (1, 1)
    grid = Grid(header, (1, n), (1, n), cell, _cells(width), (m, m, c, c), short=sym)
    if mode == "given":
        grid.tight = _cells(max(len(given(v)) for row in weights for v in row))
    return grid


def map_grid(
    ctx: Ctx,
    family: str,
    k: int,
    focus: tuple[int, int] | None,
    *,
    frame: Box | None = None,
    marks: dict[tuple[int, int], str] | None = None,
    empty: bool = False,
) -> Grid:
    """Map k of ``family`` (conv, relu, pool, dpool, drelu, dconv), filled in as revealed.

    Its cells are as wide as the widest value the map will hold, so that it does not shift
    while it fills in; an ``empty`` one (before the first step) is drawn narrow.
    """
    if family == "x":  # pooling straight from the image: channel k
        grid = image_grid(ctx, k, 0, frame)
        grid.marks, grid.mark_width = marks or {}, 1 if marks is not None else 0
        return grid
    letter, tag = _LETTERS.get(family, (family, None))
    sym = Sym(letter, sample=_sup(ctx, k), tag=tag).unicode()
    word = ctx.word("error") if family.startswith("d") else ctx.word(family)
    unknown = _unknown_side(ctx, family, k)
    if unknown is not None:
        return _unknown_map(f"{word} {sym} {unknown}×{unknown}", f"{sym} {unknown}×{unknown}")
    rows, cols = ctx.map_size(family)(k)
    computed = ctx.computed

    def cell(r: int, c: int) -> Cell:
        return computed(f"{family}[{k},{r},{c}]")

    r, c = focus or (1, 1)
    box = frame or (r, r, c, c)
    if frame is not None and focus is not None:
        box = (min(r, frame[0]), max(r, frame[1]), min(c, frame[2]), max(c, frame[3]))
    return Grid(
        f"{word} {sym} {rows}×{cols}",
        (1, rows),
        (1, cols),
        cell,
        _cells(1 if empty else ctx.index.widths.get(family, 1)),
        box,
        frame,
        marks=marks or {},
        mark_width=1 if marks is not None else 0,
        short=f"{sym} {rows}×{cols}",
    )


def _unknown_side(ctx: Ctx, family: str, k: int) -> str | None:
    """The symbol of map k's side (O, O⁽²⁾, Q) while a size step still asks for it, else None:
    until then the picture must not give the side away, neither in a header nor by the number
    of cells it draws."""
    base = family[1:] if family in ("dpool", "drelu", "dconv") else family
    keys = [f"size[{k}]" if f"size[{k}]" in ctx.index.pos else "size"]
    if base == "pool":
        keys.append("pool_size")
    pending = [key for key in keys if key in ctx.index.pos and not ctx.revealed_at(key)]
    if not pending:
        return None
    return ctx.sym(pending[-1], Sym("O"))


def _unknown_map(header: str, short: str) -> Grid:
    """A map of a side not known yet: one cell, and ⋯ ⋮ ⋱ for as many more as the side says."""
    marks = {(1, 1): "·", (1, 2): "⋯", (2, 1): "⋮", (2, 2): "⋱"}

    def cell(r: int, c: int) -> Cell:  # PENDING, not MORE: nothing is left out of the window
        return marks[(r, c)], Role.PENDING, None

    return Grid(header, (1, 2), (1, 2), cell, _MIN_CELL, (1, 1, 1, 1), short=short)
