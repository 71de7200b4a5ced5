"""A conv lesson as drawn on the blackboard: image ∗ kernel = map, filled in cell by cell.

``conv_picture`` turns a solved conv lesson and a position in it into Unicode text, one scene
for the kind of step being computed:

* the sizes (the lecture's "Ejemplo": 28×28×1 → 32 × 28×28 → 32 × 14×14), as revealed;
* a cell of a map: the image with the kernel's window framed over the pixels it reads
  (padding zeros drawn around the image when the kernel pads), the kernel, and the output map
  with the revealed cells written in and the one being computed highlighted;
* ReLU: the map z beside the map a; pooling: the map with the pooling window framed and, once
  revealed, the winner of a max marked ◂, beside the pooled map;
* the dense head: the flattened values over the head's weights, the logits u, and the softmax
  probabilities as horizontal bars; the targets, the loss and the δ of each class;
* the way back: the error maps filling in beside what each cell reads (the pooling window and
  its winner, the ReLU map), then Δk from the image and the error map, and the kernel's new
  values replacing the old ones (k antes + Δk = k después).

Maps larger than the space are windowed around the cell in focus ("zoom"), with ⋮ and … where
rows and columns are left out, so that a 28×28 image with 32 kernels fits 80 columns.

It is headless on purpose, like ``stepper.picture`` (Rich only, never Textual): the app shows
it in a widget, while the REPL, other printers and the tests print it with a Rich console
without paying for Textual's import. It reads only the solution, never the engine, and is a
pure function of its arguments; an index of the steps by key is kept for the last solutions
drawn, so that drawing never scans the steps.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

from rich.console import RenderableType
from rich.style import Style
from rich.text import Text

from stepper.notation import Sym
from stepper.numbers import given, pretty
from stepper.picture import (
    CURRENT_STYLE,
    HEADER_STYLE,
    MORE_STYLE,
    PENDING_STYLE,
    READ_STYLE,
    ROW_BUDGET,
    UPDATED_STYLE,
)
from stepper.solution_cache import PerSolution
from stepper.steps import ConvShape, Phase, Quantity, Solution, Step

#: The winner of a max-pooling window, once its value is revealed.
WINNER_MARK = "◂"
WINNER_STYLE = Style(bold=True, color="yellow")
#: The narrowest a cell is drawn, so that one-digit images still read as a grid.
_MIN_CELL = 2
_BAR_MAX = 40
_BAR_MIN = 6
#: The most weight columns the head's table ever shows (more would not fit a screen).
_TABLE_COLUMNS = 40
#: Bars are shortened to this before weights are left out of the head's table.
_BAR_RELAXED = 12
_EIGHTHS = ("", "▏", "▎", "▍", "▌", "▋", "▊", "▉")
_CHANNEL_NAMES = "RGB"

_WORDS: dict[str, dict[str, str]] = {
    "es": {
        "image": "imagen",
        "kernel": "kernel",
        "conv": "mapa",
        "relu": "ReLU",
        "pool": "pooling",
        "error": "error",
        "channel": "canal",
        "class": "clase",
        "flat": "aplanado",
        "before": "antes",
        "after": "después",
        "max": "máx",
        "average": "media",
        "stride": "paso",
        "padding": "relleno",
        "input": "imagen de entrada",
        "maps": "mapas",
        "outputs": "salidas",
        "values": "valores",
        "params": "parámetros",
        "kernels": "kernels",
        "sums": "suma",
        "of": "de",
        "classes": "clases",
    },
    "en": {
        "image": "image",
        "kernel": "kernel",
        "conv": "map",
        "relu": "ReLU",
        "pool": "pooling",
        "error": "error",
        "channel": "channel",
        "class": "class",
        "flat": "flattened",
        "before": "before",
        "after": "after",
        "max": "max",
        "average": "mean",
        "stride": "stride",
        "padding": "padding",
        "input": "input image",
        "maps": "maps",
        "outputs": "outputs",
        "values": "values",
        "params": "parameters",
        "kernels": "kernels",
        "sums": "sum",
        "of": "of",
        "classes": "classes",
    },
}

#: The letter of each map's cells, as the formulas write them (z₁₁, a₁₁, p₁₁, δᶻ₁₁).
_LETTERS: dict[str, tuple[str, str | None]] = {
    "conv": ("z", None),
    "relu": ("a", None),
    "pool": ("p", None),
    "dpool": ("delta", "p"),
    "drelu": ("delta", "a"),
    "dconv": ("delta", "z"),
}

Cell = tuple[str, Style | None]
Box = tuple[int, int, int, int]  # first row, last row, first column, last column


def conv_picture(
    solution: Solution, revealed: int, current: int | None, lang: str, width: int
) -> RenderableType:
    """The blackboard of ``solution`` with ``steps[:revealed]`` written in, ``current`` lit.

    ``current`` is the index in ``solution.steps`` of the step being computed, or None (the
    title screen, which shows the image, the kernel and the empty map). The text is at most
    ``width`` cells wide and about ``ROW_BUDGET`` rows tall. A lesson that is not a conv
    lesson gives an empty text.
    """
    if solution.conv is None or not solution.steps or width <= 0:
        return Text("")
    ctx = _Ctx.build(solution, solution.conv, revealed, current, lang)
    lines = _scene(ctx, width)
    text = Text(no_wrap=True, overflow="crop")
    for k, line in enumerate(lines):
        if k:
            text.append("\n")
        line.rstrip()
        line.truncate(width)
        text.append_text(line)
    return text


# --- what is known at this position ------------------------------------------------------------


def _parse(key: str) -> tuple[str, tuple[int, ...]]:
    """``conv[1,2,3]`` -> ("conv", (1, 2, 3)); ``loss`` -> ("loss", ())."""
    name, _, rest = key.partition("[")
    try:
        return name, tuple(int(p) for p in rest[:-1].split(",")) if rest else ()
    except ValueError:
        return name, ()


@dataclass(slots=True)
class _Head:
    """The dense head as its steps read it: weights, flattened inputs, logits, targets, α."""

    classes: int
    rows: dict[int, tuple[Quantity, ...]]
    feats: tuple[Quantity, ...]
    logits: dict[int, Quantity]
    targets: dict[int, Quantity]
    alpha: Quantity | None

    def weight(self, i: int, j: int) -> Quantity | None:
        """w_ij before the update: u_i = w_i0 · f₀ + w_i1 · f₁ + … reads them in order."""
        row = self.rows.get(i)
        return row[2 * j] if row is not None and 0 <= 2 * j < len(row) else None


@dataclass(slots=True)
class _Index:
    """The steps of one solution by key, and the widest value of each family of keys."""

    ref: weakref.ref[Solution]
    conv: ConvShape
    pos: dict[str, int]
    widths: dict[str, int]
    memo: dict[str, int] = field(default_factory=dict)
    _head: _Head | None = None

    @classmethod
    def build(cls, solution: Solution) -> _Index:
        pos: dict[str, int] = {}
        widths: dict[str, int] = {}
        for k, step in enumerate(solution.steps):
            pos[step.key] = k
            family = step.key.partition("[")[0]
            if len(step.shown) > widths.get(family, 0):
                widths[family] = len(step.shown)
        assert solution.conv is not None
        return cls(weakref.ref(solution), solution.conv, pos, widths)

    @property
    def steps(self) -> tuple[Step, ...]:
        """The solution's steps (alive while it is drawn: the caller holds it)."""
        solution = self.ref()
        assert solution is not None
        return solution.steps

    def step(self, key: str) -> Step | None:
        k = self.pos.get(key)
        return None if k is None else self.steps[k]

    def head(self) -> _Head:
        if self._head is None:
            self._head = self._build_head()
        return self._head

    def _build_head(self) -> _Head:
        classes = self.conv.classes
        rows: dict[int, tuple[Quantity, ...]] = {}
        for i in range(1, classes + 1):
            u = self.step(f"u[1,{i}]")
            if u is not None:
                rows[i] = u.operands
        feats = rows[1][1::2] if 1 in rows else ()
        logits: dict[int, Quantity] = {}
        y = self.step("y[1,1]")
        for q in y.operands if y is not None else ():
            _, idx = _parse(q.key)
            if q.step is None and q.key.startswith("u[") and len(idx) == 2:
                logits[idx[1]] = q
        targets: dict[int, Quantity] = {}
        loss = self.step("loss")
        for q in loss.operands if loss is not None else ():
            _, idx = _parse(q.key)
            if q.key.startswith("target[") and idx:
                targets[idx[0]] = q
        alpha = None
        for key in ("dw[1,1,0]", "dk[1,1,1,1]", "db[1]"):
            st = self.step(key)
            if st is not None:
                alpha = next((q for q in st.operands if q.key == "alpha"), None)
                break
        return _Head(classes, rows, feats, logits, targets, alpha)


#: The index of each solution drawn lately (see stepper.solution_cache).
_index = PerSolution(_Index.build, 2)


@dataclass(slots=True)
class _Ctx:
    """One position of the walk: what is revealed, what the current step reads."""

    solution: Solution
    conv: ConvShape
    index: _Index
    revealed: int
    current: int | None
    step: Step | None
    ref: Step | None
    reads: set[str]
    pixels: set[tuple[int, int, int]]
    lang: str

    @classmethod
    def build(
        cls, solution: Solution, conv: ConvShape, revealed: int, current: int | None, lang: str
    ) -> _Ctx:
        steps = solution.steps
        revealed = max(0, min(revealed, len(steps)))
        if current is not None and not 0 <= current < len(steps):
            current = None
        step = steps[current] if current is not None else None
        ref = step if step is not None else steps[revealed - 1] if revealed else None
        reads: set[str] = set()
        pixels: set[tuple[int, int, int]] = set()
        for q in step.operands if step is not None else ():
            reads.add(q.key)
            if q.key == "pad" and len(q.sym.indices) == 2:
                ch = q.sym.sample if isinstance(q.sym.sample, int) else 1
                pixels.add((ch, *q.sym.indices))
            elif q.key.startswith("x["):
                idx = _parse(q.key)[1]
                if len(idx) == 3:
                    pixels.add((idx[0], idx[1], idx[2]))
        return cls(solution, conv, _index(solution), revealed, current, step, ref, reads,
                   pixels, lang)  # fmt: skip

    def word(self, key: str) -> str:
        return _WORDS.get(self.lang, _WORDS["en"]).get(key, key)

    @property
    def many_kernels(self) -> bool:
        """Maps are told apart by a superscript, as the formulas write them, when there are
        several kernels."""
        return len(self.conv.kernels) > 1

    def computed(self, key: str, pending: str = "·") -> Cell:
        """A step's value as a cell: revealed, being computed (``?``), or still pending."""
        k = self.index.pos.get(key)
        if k is None:
            return "", None
        step = self.solution.steps[k]
        if k == self.current:
            return (pretty(step.shown) if k < self.revealed else "?"), CURRENT_STYLE
        if k < self.revealed:
            return pretty(step.shown), READ_STYLE if key in self.reads else None
        return pending, PENDING_STYLE

    def replaced(self, key: str, old: float) -> Cell:
        """A weight that a step updates: the new value once revealed, the old one dimmed."""
        k = self.index.pos.get(key)
        if k is not None and k == self.current:
            step = self.solution.steps[k]
            return (pretty(step.shown) if k < self.revealed else "?"), CURRENT_STYLE
        if k is not None and k < self.revealed:
            return pretty(self.solution.steps[k].shown), UPDATED_STYLE
        return pretty(given(old)), READ_STYLE if key in self.reads else PENDING_STYLE

    def revealed_at(self, key: str) -> bool:
        k = self.index.pos.get(key)
        return k is not None and k < self.revealed

    def slot(self, key: str, sym: str, quantity: Quantity | None = None) -> Text:
        """``sym = value`` once revealed (or given), ``sym = ?`` while computed, else ``sym``."""
        k = self.index.pos.get(key)
        if k is None:
            if quantity is None:
                return Text(sym, PENDING_STYLE)
            style = READ_STYLE if key in self.reads else None
            return Text(f"{sym} = {pretty(given(quantity.value))}", style or "")
        step = self.solution.steps[k]
        if k == self.current:
            value = pretty(step.shown) if k < self.revealed else "?"
            return Text(f"{sym} = {value}", CURRENT_STYLE)
        if k < self.revealed:
            style = READ_STYLE if key in self.reads else None
            return Text(f"{sym} = {pretty(step.shown)}", style or "")
        return Text(sym, PENDING_STYLE)

    def given_slot(self, key: str, sym: str, value: float) -> Text:
        """``sym = value`` for a number the lesson gives (α, a bias), lit when read."""
        return Text(f"{sym} = {pretty(given(value))}", READ_STYLE if key in self.reads else "")

    def sym(self, key: str, fallback: Sym) -> str:
        step = self.index.step(key)
        return (step.sym if step is not None else fallback).unicode()

    def image_width(self) -> int:
        width = self.index.memo.get("image")
        if width is None:
            width = max(
                (len(given(v)) for ch in self.conv.image for row in ch for v in row), default=1
            )
            self.index.memo["image"] = width
        return width

    def kernel_width(self) -> int:
        width = self.index.memo.get("kernel")
        if width is None:
            width = max(
                (len(given(v)) for k in self.conv.kernels for ch in k for row in ch for v in row),
                default=1,
            )
            self.index.memo["kernel"] = width
        return width

    def map_size(self, family: str) -> Callable[[int], tuple[int, int]]:
        """The rows and columns of map k of ``family`` (conv, relu, pool and their errors)."""
        conv = self.conv
        base = family[1:] if family in ("dpool", "drelu", "dconv") else family

        def size(k: int) -> tuple[int, int]:
            if conv.kernels:
                rows, cols = conv.maps[min(k, len(conv.maps)) - 1]
            else:
                rows, cols = len(conv.image[0]), len(conv.image[0][0])
            if base == "pool" and conv.pool is not None:
                _, f, s = conv.pool
                rows, cols = (rows - f) // s + 1, (cols - f) // s + 1
            return rows, cols

        return size


# --- grids -------------------------------------------------------------------------------------


class _Part(Protocol):
    """Something the board lays out: a grid of numbers, the head's table, fixed lines."""

    priority: int
    dropped: bool

    def reset(self) -> None: ...
    def relax(self, excess: int) -> None: ...
    def width(self) -> int: ...
    def height(self) -> int: ...
    def shrink(self) -> bool: ...
    def render(self, rows: int) -> tuple[Text | None, list[Text]]: ...


def _span(lo: int, hi: int, f0: int, f1: int, n: int) -> tuple[int, int]:
    """``n`` consecutive indices of lo..hi around f0..f1, as centred on them as they can be."""
    if n >= hi - lo + 1:
        return lo, hi
    n = max(1, n)
    start = f0 - max(0, n - (f1 - f0 + 1)) // 2
    start = max(lo, min(start, hi - n + 1))
    return start, start + n - 1


@dataclass(slots=True)
class _Grid:
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
    frame_style: Style | None = READ_STYLE
    marks: dict[tuple[int, int], str] = field(default_factory=dict)
    mark_width: int = 0
    priority: int = 0
    dropped: bool = False
    shown: int = 0
    short: str = ""
    title: str = ""

    def reset(self) -> None:
        self.shown = self.cols[1] - self.cols[0] + 1
        self.dropped = False
        self.title = self.header

    def relax(self, excess: int) -> None:
        pass

    def _cspan(self, n: int) -> tuple[int, int]:
        return _span(*self.cols, self.focus[2], self.focus[3], n)

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
        least = min(self.cols[1] - self.cols[0] + 1, self.focus[3] - self.focus[2] + 1, 3)
        if self.shown > max(1, least):
            self.shown -= 1
            return True
        return False

    def render(self, rows: int) -> tuple[Text | None, list[Text]]:
        lo, hi = self.rows
        avail = max(1, rows - 1)
        n = min(hi - lo + 1, avail)
        while True:
            top, bottom = _span(lo, hi, self.focus[0], self.focus[1], n)
            if n + (top > lo) + (bottom < hi) <= avail or n == 1:
                break
            n -= 1
        left, right = self._cspan(self.shown or 1)
        lines = []
        if top > lo:
            lines.append(self._ellipsis(left, right))
        lines += [self._row(r, left, right) for r in range(top, bottom + 1)]
        if bottom < hi:
            lines.append(self._ellipsis(left, right))
        header = Text(self.title or self.header, HEADER_STYLE)
        header.append(" ")
        return header, lines

    def _ellipsis(self, left: int, right: int) -> Text:
        line = Text(" " if left > self.cols[0] else "")
        for _ in range(left, right + 1):
            line.append(" " + "⋮".rjust(self.cell_width) + " " * self.mark_width, MORE_STYLE)
        return line

    def _edges(self, r: int) -> tuple[str, str] | None:
        frame = self.frame
        if frame is None or not frame[0] <= r <= frame[1]:
            return None
        if frame[0] == frame[1]:
            return "[", "]"
        if r == frame[0]:
            return "┌", "┐"
        return ("└", "┘") if r == frame[1] else ("│", "│")

    def _row(self, r: int, left: int, right: int) -> Text:
        line = Text()
        if left > self.cols[0]:
            line.append("…", MORE_STYLE)
        edges = self._edges(r)
        frame = self.frame
        for c in range(left, right + 1):
            if edges is not None and frame is not None and c == frame[2]:
                line.append(edges[0], self.frame_style)
            elif edges is not None and frame is not None and c == frame[3] + 1:
                line.append(edges[1], self.frame_style)
            else:
                line.append(" ")
            text, style = self.cell(r, c)
            line.append(text.rjust(self.cell_width), style)
            if self.mark_width:
                mark = self.marks.get((r, c), "")
                line.append(mark.ljust(self.mark_width), WINNER_STYLE if mark else None)
        if edges is not None and frame is not None and frame[3] == right:
            line.append(edges[1], self.frame_style)
        else:
            line.append(" ")
        if right < self.cols[1]:
            line.append("…", MORE_STYLE)
        return line


def _cells(width: int) -> int:
    return max(_MIN_CELL, width)


def _sup(ctx: _Ctx, k: int) -> int | None:
    return k if ctx.many_kernels else None


def _channel_name(ctx: _Ctx, ch: int) -> str:
    count = len(ctx.conv.image)
    return _CHANNEL_NAMES[ch - 1] if count == 3 else f"{ch}/{count}"


def _image_grid(
    ctx: _Ctx, ch: int, pad: int, frame: Box | None, frame_style: Style | None = READ_STYLE
) -> _Grid:
    """Channel ``ch`` of the image, with ``pad`` rings of zeros around it."""
    image = ctx.conv.image[ch - 1]
    rows, cols = len(image), len(image[0])
    pixels = ctx.pixels

    def cell(r: int, c: int) -> Cell:
        read = (ch, r, c) in pixels
        if 1 <= r <= rows and 1 <= c <= cols:
            return pretty(given(image[r - 1][c - 1])), READ_STYLE if read else None
        return "0", READ_STYLE if read else PENDING_STYLE

    sym = Sym("x", sample=ch if len(ctx.conv.image) > 1 else None).unicode()
    header = f"{ctx.word('image')} {sym} {rows}×{cols}"
    short = f"{sym} {rows}×{cols}"
    if len(ctx.conv.image) > 1:
        header += f" · {ctx.word('channel')} {_channel_name(ctx, ch)}"
        short = f"{sym} {_channel_name(ctx, ch)}"
    return _Grid(
        header,
        (1 - pad, rows + pad),
        (1 - pad, cols + pad),
        cell,
        _cells(ctx.image_width()),
        frame or (1, 1, 1, 1),
        frame,
        frame_style,
        short=short,
    )


def _kernel_mark(ctx: _Ctx, k: int, ch: int) -> int | str | None:
    many_channels = len(ctx.conv.image) > 1
    if len(ctx.conv.kernels) > 1 and many_channels:
        return f"{k},{ch}"
    if len(ctx.conv.kernels) > 1:
        return k
    return ch if many_channels else None


def _kernel_grid(ctx: _Ctx, k: int, ch: int, mode: str, focus: tuple[int, int] | None) -> _Grid:
    """Kernel k's channel ch: as given, with its new values (``after``), or its Δk."""
    weights = ctx.conv.kernels[k - 1][ch - 1]
    n = len(weights)
    mark = _kernel_mark(ctx, k, ch)
    sym = Sym("k", sample=mark, delta=mode == "delta").unicode()
    width = ctx.kernel_width()

    def before(r: int, c: int) -> Cell:
        key = f"k[{k},{ch},{r},{c}]"
        return pretty(given(weights[r - 1][c - 1])), READ_STYLE if key in ctx.reads else None

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
        header += f" · {_channel_name(ctx, ch)}"
    m, c = focus or (1, 1)
    return _Grid(header, (1, n), (1, n), cell, _cells(width), (m, m, c, c), short=sym)


def _map_grid(
    ctx: _Ctx,
    family: str,
    k: int,
    focus: tuple[int, int] | None,
    *,
    frame: Box | None = None,
    marks: dict[tuple[int, int], str] | None = None,
    empty: bool = False,
) -> _Grid:
    """Map k of ``family`` (conv, relu, pool, dpool, drelu, dconv), filled in as revealed.

    Its cells are as wide as the widest value the map will hold, so that it does not shift
    while it fills in; an ``empty`` one (before the first step) is drawn narrow.
    """
    if family == "x":  # pooling straight from the image: channel k
        grid = _image_grid(ctx, k, 0, frame)
        grid.marks, grid.mark_width = marks or {}, 1 if marks is not None else 0
        return grid
    rows, cols = ctx.map_size(family)(k)
    letter, tag = _LETTERS.get(family, (family, None))
    sym = Sym(letter, sample=_sup(ctx, k), tag=tag).unicode()
    word = ctx.word("error") if family.startswith("d") else ctx.word(family)
    computed = ctx.computed

    def cell(r: int, c: int) -> Cell:
        return computed(f"{family}[{k},{r},{c}]")

    r, c = focus or (1, 1)
    box = frame or (r, r, c, c)
    if frame is not None and focus is not None:
        box = (min(r, frame[0]), max(r, frame[1]), min(c, frame[2]), max(c, frame[3]))
    return _Grid(
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


# --- the dense head as a table -----------------------------------------------------------------


def _bar(p: float, width: int) -> str:
    eighths = round(max(0.0, min(1.0, p)) * width * 8)
    full, part = divmod(eighths, 8)
    return "█" * full + _EIGHTHS[part]


@dataclass(slots=True)
class _Table:
    """The head: flattened values over the weights, then u, ỹ (with bars), y and δ per class.

    ┆        f₀   p₁₁   p₁₂
    ┆ aplanado 1   1.2   0.2
    ┆ clase 1  0.1  0.5  −0.2   u₁ = 1.19   ỹ₁ = 0.8264 ██████████████▌
    """

    ctx: _Ctx
    weights: bool
    feats: bool
    columns: tuple[str, ...]
    focus_i: int | None
    focus_j: tuple[int, int] | None
    updating: bool = False
    priority: int = 0
    dropped: bool = False
    bar: int = 0
    shown: int = 0
    widths: dict[int, int] = field(default_factory=dict)

    def reset(self) -> None:
        self.bar = _BAR_MAX if "y" in self.columns else 0
        self.shown = min(self._count(), _TABLE_COLUMNS)
        self.dropped = False

    def relax(self, excess: int) -> None:
        """Shorter bars, down to a dozen cells, before anything is left out."""
        if excess > 0 and self.bar > _BAR_RELAXED:
            self.bar = max(_BAR_RELAXED, self.bar - excess)

    def _count(self) -> int:
        return len(self.ctx.index.head().feats) if self.weights else 0

    def _cspan(self) -> tuple[int, int]:
        focus = self.focus_j or (0, 0)
        return _span(0, self._count() - 1, focus[0], focus[1], self.shown)

    def _label_width(self) -> int:
        head = self.ctx.index.head()
        widths = [len(f"{self.ctx.word('class')} {head.classes}")]
        if self.weights and self.feats:
            widths.append(len(self.ctx.word("flat")))
        return max(widths) + 1

    def _column_width(self, j: int) -> int:
        width = self.widths.get(j)
        if width is None:
            width = self.widths[j] = self._measure_column(j)
        return width

    def _measure_column(self, j: int) -> int:
        head = self.ctx.index.head()
        f = head.feats[j]
        widths = [len(f.sym.unicode()), len(f.shown)]
        for i in range(1, head.classes + 1):
            w = head.weight(i, j)
            if w is not None:
                widths.append(len(given(w.value)))
            if self.updating:
                step = self.ctx.index.step(f"w[1,{i},{j}]")
                if step is not None:
                    widths.append(len(step.shown))
        return max(widths)

    def _slot_width(self, column: str) -> int:
        ctx, head = self.ctx, self.ctx.index.head()
        family = {"u": "u", "y": "y", "t": "target", "d": "d"}[column]
        widths = ctx.index.widths
        value = widths.get(family, 0)
        if column == "u" and head.logits:
            value = max(len(given(q.value)) for q in head.logits.values())
        if column == "t" and head.targets:
            value = max(len(given(q.value)) for q in head.targets.values())
        sym = len(self._sym(column, head.classes))
        return sym + 3 + value + (self.bar + 1 if column == "y" else 0)

    def _sym(self, column: str, i: int) -> str:
        ctx = self.ctx
        if column == "u":
            return ctx.sym(f"u[1,{i}]", Sym("u", (i,)))
        if column == "y":
            return ctx.sym(f"y[1,{i}]", Sym("y", (i,), tilde=True))
        if column == "t":
            return Sym("y", (i,)).unicode()
        return ctx.sym(f"d[1,{i}]", Sym("delta", (i,)))

    def _weights_width(self) -> int:
        if not self.weights or not self.shown:
            return 0
        a, b = self._cspan()
        cuts = (a > 0) + (b < self._count() - 1)
        return cuts + sum(1 + self._column_width(j) for j in range(a, b + 1))

    def width(self) -> int:
        total = self._label_width() + self._weights_width()
        return total + sum(2 + self._slot_width(c) for c in self.columns)

    def height(self) -> int:
        above = (2 if self.feats else 1) if self.weights else 0
        return self.ctx.index.head().classes + above

    def shrink(self) -> bool:
        focus = self.focus_j or (0, 0)
        least = min(self._count(), focus[1] - focus[0] + 1, 2)
        if self.bar > _BAR_RELAXED:
            self.bar -= 1
        elif self.shown > max(1, least):
            self.shown -= 1
        elif self.bar > _BAR_MIN:
            self.bar -= 1
        else:
            return False
        return True

    def render(self, rows: int) -> tuple[Text | None, list[Text]]:
        ctx, head = self.ctx, self.ctx.index.head()
        label = self._label_width()
        header: Text | None = None
        body: list[Text] = []
        spans = self._cspan() if self.weights else (0, -1)
        if self.weights:
            header = Text(" " * label)
            self._feature_row(header, spans, values=False)
            if self.feats:
                line = Text(ctx.word("flat").ljust(label), HEADER_STYLE)
                self._feature_row(line, spans, values=True)
                body.append(line)
        avail = max(1, rows - 1 - len(body))
        n = min(head.classes, avail)
        while True:
            focus = self.focus_i or 1
            top, bottom = _span(1, head.classes, focus, focus, n)
            if n + (top > 1) + (bottom < head.classes) <= avail or n == 1:
                break
            n -= 1
        if top > 1:
            body.append(Text("⋮", MORE_STYLE))
        for i in range(top, bottom + 1):
            body.append(self._class_row(i, label, spans))
        if bottom < head.classes:
            body.append(Text("⋮", MORE_STYLE))
        return header, body

    def _feature_row(self, line: Text, spans: tuple[int, int], values: bool) -> None:
        ctx, head = self.ctx, self.ctx.index.head()
        a, b = spans
        if a > 0:
            line.append("…", MORE_STYLE)
        for j in range(a, b + 1):
            f = head.feats[j]
            width = self._column_width(j)
            line.append(" ")
            if not values:
                line.append(f.sym.unicode().rjust(width), HEADER_STYLE)
            elif f.step is None:
                style = READ_STYLE if f.key in ctx.reads else None
                line.append(pretty(given(f.value)).rjust(width), style)
            else:
                text, style = ctx.computed(f.key)
                line.append(text.rjust(width), style)
        if b < self._count() - 1:
            line.append("…", MORE_STYLE)

    def _class_row(self, i: int, label: int, spans: tuple[int, int]) -> Text:
        ctx, head = self.ctx, self.ctx.index.head()
        line = Text(f"{ctx.word('class')} {i}".ljust(label), HEADER_STYLE)
        a, b = spans
        if self.weights:
            if a > 0:
                line.append("…", MORE_STYLE)
            for j in range(a, b + 1):
                w = head.weight(i, j)
                text, style = ctx.replaced(f"w[1,{i},{j}]", w.value) if w else ("", None)
                if w is not None and not self.updating and style is PENDING_STYLE:
                    style = None
                line.append(" ")
                line.append(text.rjust(self._column_width(j)), style)
            if b < self._count() - 1:
                line.append("…", MORE_STYLE)
        for column in self.columns:
            line.append("  ")
            start = line.cell_len
            line.append_text(self._slot(column, i))
            line.append(" " * (self._slot_width(column) - (line.cell_len - start)))
        return line

    def _slot(self, column: str, i: int) -> Text:
        ctx, head = self.ctx, self.ctx.index.head()
        sym = self._sym(column, i)
        if column == "u":
            return ctx.slot(f"u[1,{i}]", sym, head.logits.get(i))
        if column == "t":
            return ctx.slot(f"target[{i}]", sym, head.targets.get(i))
        if column == "d":
            return ctx.slot(f"d[1,{i}]", sym)
        key = f"y[1,{i}]"
        text = ctx.slot(key, sym)
        step = ctx.index.step(key)
        if step is not None and ctx.revealed_at(key):
            text.append(" " * (self._slot_width("y") - self.bar - text.cell_len))
            style = HEADER_STYLE if ctx.current == ctx.index.pos.get(key) else None
            text.append(_bar(step.value, self.bar), style)
        return text


# --- laying the parts out ----------------------------------------------------------------------


@dataclass(slots=True)
class _Board:
    """Columns of parts side by side, with an operator (∗, =, →) between two columns."""

    columns: list[list[_Part]]
    ops: list[str]

    def live(self) -> list[tuple[list[_Part], str]]:
        out: list[tuple[list[_Part], str]] = []
        for k, column in enumerate(self.columns):
            parts = [p for p in column if not p.dropped]
            if parts:
                op = self.ops[k - 1] if k and out else ""
                out.append((parts, op))
        return out

    def parts(self) -> list[_Part]:
        return [p for column, _ in self.live() for p in column]

    def reset(self) -> None:
        for column in self.columns:
            for part in column:
                part.reset()

    def width(self) -> int:
        return sum(len(op) + max(p.width() for p in parts) for parts, op in self.live())

    def height(self) -> int:
        tallest = 0
        for parts, _ in self.live():
            tallest = max(tallest, sum(p.height() for p in parts))
        return tallest

    def render(self, rows: int) -> list[Text]:
        drawn: list[tuple[list[tuple[Text | None, list[Text]]], str]] = []
        for parts, op in self.live():
            share = rows if len(parts) == 1 else max(2, rows // len(parts))
            drawn.append(([p.render(share) for p in parts], op))
        tallest = max((len(c[0][1]) for c, _ in drawn if len(c) == 1), default=0)
        headed = any(header is not None for column, _ in drawn for header, _ in column)
        columns: list[tuple[list[Text], str]] = []
        for column, op in drawn:
            lines: list[Text] = []
            if len(column) == 1:
                header, body = column[0]
                lines += [Text() for _ in range((tallest - len(body)) // 2)]
                if header is not None or headed:
                    lines.append(header if header is not None else Text())
                lines += body
            else:
                for header, body in column:
                    lines += ([header] if header is not None else []) + body
            columns.append((lines, op))
        at = int(headed) + (tallest - 1) // 2 if tallest else 0
        height = max((len(lines) for lines, _ in columns), default=0)
        widths = [max((x.cell_len for x in lines), default=0) for lines, _ in columns]
        out = []
        for r in range(height):
            line = Text()
            for (lines, op), width in zip(columns, widths, strict=True):
                line.append(op if r == at else " " * len(op), HEADER_STYLE if r == at else None)
                part = lines[r] if r < len(lines) else Text()
                line.append_text(part)
                line.append(" " * (width - part.cell_len))
            out.append(line)
        return out


def _lay_out(boards: list[_Board], width: int, rows: int) -> list[Text]:
    """The first board that fits whole; else the first, windowed (and thinned) until it fits."""
    for board in boards:
        board.reset()
        for part in board.parts():
            part.relax(board.width() - width)
        if board.width() <= width and board.height() <= rows:
            return board.render(rows)
    board = boards[0]
    board.reset()
    for part in board.parts():
        part.relax(board.width() - width)
    while board.width() > width:
        parts = sorted(board.parts(), key=lambda p: -p.width())
        if any(p.shrink() for p in parts):
            continue
        droppable = [p for p in parts if p.priority > 0]
        if not droppable:
            break
        max(droppable, key=lambda p: p.priority).dropped = True
    return board.render(rows)


# --- the scenes --------------------------------------------------------------------------------


def _scene(ctx: _Ctx, width: int) -> list[Text]:
    step = ctx.ref
    if step is None:
        if ctx.conv.image:
            return _compose(ctx, _overview(ctx), width)
        if "size" in ctx.index.pos or not ctx.conv.classes:
            return _sizes(ctx, width)
        return _compose(ctx, _head_forward(ctx, None), width)
    name = step.key.partition("[")[0]
    if step.phase == Phase.SHAPE:
        return _kernel_sizes(ctx) if "size[1]" in ctx.index.pos else _sizes(ctx, width)
    scenes: dict[str, Callable[[_Ctx, Step], tuple[list[_Board], list[Text]]]] = {
        "conv": _convolution,
        "chan": _convolution,
        "relu": _rectify,
        "pool": _pooling,
        "u": _head_forward,
        "y": _head_forward,
        "loss": _head_error,
        "d": _head_error,
        "dpool": _error_map,
        "drelu": _error_map,
        "dconv": _error_map,
        "dw": _head_update,
        "w": _head_update,
        "dk": _kernel_update,
        "k": _kernel_update,
        "db": _bias_update,
        "b": _bias_update,
    }
    scene = scenes.get(name)
    if scene is None:  # a step this picture does not know: the board as before the first
        return _compose(ctx, _overview(ctx), width) if ctx.conv.image else _sizes(ctx, width)
    return _compose(ctx, scene(ctx, step), width)


def _compose(ctx: _Ctx, scene: tuple[list[_Board], list[Text]], width: int) -> list[Text]:
    boards, captions = scene
    captions = captions[: max(0, ROW_BUDGET - 4)]
    lines = _lay_out(boards, width, ROW_BUDGET - len(captions)) if boards else []
    return lines + captions


def _join(parts: Iterable[Text], sep: str = "   ") -> Text:
    line = Text()
    for k, part in enumerate(parts):
        if k:
            line.append(sep)
        line.append_text(part)
    return line


def _kernel_caption(ctx: _Ctx, k: int) -> Text | None:
    """kernel 2 de 32: bordes verticales · b₂ = 0.1 · relleno 1 · paso 2."""
    conv = ctx.conv
    if not conv.kernels:
        return None
    parts = []
    title = Text(ctx.word("kernel"), HEADER_STYLE)
    if len(conv.kernels) > 1:
        title.append(f" {k} {ctx.word('of')} {len(conv.kernels)}", HEADER_STYLE)
    name = conv.names[k - 1] if k <= len(conv.names) else str(k)
    if name != str(k):
        title.append(f": {name}")
    parts.append(title)
    if conv.biases[k - 1] != 0 or f"b[{k}]" in ctx.reads:
        parts.append(ctx.given_slot(f"b[{k}]", Sym("b", (k,)).unicode(), conv.biases[k - 1]))
    if conv.paddings[k - 1]:
        parts.append(Text(f"{ctx.word('padding')} p = {conv.paddings[k - 1]}"))
    if conv.stride != 1:
        parts.append(Text(f"{ctx.word('stride')} s = {conv.stride}"))
    return _join(parts, " · ")


def _pipeline(ctx: _Ctx) -> Text:
    """What comes after the convolution: → ReLU → máx 2×2 → capa densa → softmax (2 clases)."""
    conv = ctx.conv
    parts = ["ReLU"] if conv.relu else []
    if conv.pool is not None:
        kind, size, _ = conv.pool
        parts.append(f"{ctx.word('max' if kind == 'max' else 'average')} {size}×{size}")
    if conv.classes:
        parts.append(f"softmax ({conv.classes} {ctx.word('classes')})")
    return Text(" → ".join(["", *parts]).strip(), MORE_STYLE) if parts else Text()


def _overview(ctx: _Ctx) -> tuple[list[_Board], list[Text]]:
    """Before the first step: image ∗ kernel = the empty map."""
    conv = ctx.conv
    captions = [c for c in (_kernel_caption(ctx, 1), _pipeline(ctx)) if c is not None and c]
    if not conv.kernels:
        return [_Board([[_image_grid(ctx, 1, 0, None)]], [])], captions
    image = _image_grid(ctx, 1, conv.paddings[0], None)
    kernel = _kernel_grid(ctx, 1, 1, "given", None)
    out = _map_grid(ctx, "conv", 1, None, empty=True)
    return _blackboard(image, kernel, out), captions


def _blackboard(image: _Grid, kernel: _Grid, out: _Grid) -> list[_Board]:
    """image ∗ kernel = map, with room around the signs, or without when it is tight."""
    return [
        _Board([[image], [kernel], [out]], [" ∗ ", " = "]),
        _Board([[image], [kernel], [out]], ["∗", "="]),
    ]


def _window(ctx: _Ctx, k: int, r: int, c: int) -> Box:
    conv = ctx.conv
    n = len(conv.kernels[k - 1][0])
    pad, s = conv.paddings[k - 1], conv.stride
    r0, c0 = (r - 1) * s + 1 - pad, (c - 1) * s + 1 - pad
    return r0, r0 + n - 1, c0, c0 + n - 1


def _convolution(ctx: _Ctx, step: Step) -> tuple[list[_Board], list[Text]]:
    """A cell of a map: image ∗ kernel = map, the window framed over the pixels it reads."""
    name, idx = _parse(step.key)
    if name == "chan" and len(idx) == 4:
        k, ch, r, c = idx
    elif len(idx) == 3:
        (k, r, c), ch = idx, len(ctx.conv.image)
    else:
        return _overview(ctx)
    frame = _window(ctx, k, r, c)
    style = READ_STYLE if ctx.pixels else MORE_STYLE
    image = _image_grid(ctx, ch, ctx.conv.paddings[k - 1], frame, style)
    kernel = _kernel_grid(ctx, k, ch, "given", None)
    kernel.priority = 0
    out = _map_grid(ctx, "conv", k, (r, c))
    captions = [c for c in (_kernel_caption(ctx, k), _channel_sums(ctx, k, r, c)) if c]
    return _blackboard(image, kernel, out), captions


def _channel_sums(ctx: _Ctx, k: int, r: int, c: int) -> Text | None:
    """suma: s₁₁⁽¹⁾ = 1.2 + s₁₁⁽²⁾ = ? + s₁₁⁽³⁾ → z₁₁ (an RGB image's channels, then z)."""
    channels = len(ctx.conv.image)
    if channels < 2:
        return None
    line = Text(f"{ctx.word('sums')}: ", HEADER_STYLE)
    for ch in range(1, channels + 1):
        key = f"chan[{k},{ch},{r},{c}]"
        if ch > 1:
            line.append(" + ")
        line.append_text(ctx.slot(key, ctx.sym(key, Sym("s", (r, c), sample=ch))))
    bias = ctx.conv.biases[k - 1]
    if bias:
        line.append(f" + {Sym('b', (k,)).unicode()}")
    key = f"conv[{k},{r},{c}]"
    line.append(" → ")
    line.append_text(ctx.slot(key, ctx.sym(key, Sym("z", (r, c)))))
    return line


def _rectify(ctx: _Ctx, step: Step) -> tuple[list[_Board], list[Text]]:
    """ReLU: the map z, and the map a = max(0, z) filling in."""
    k, r, c = _cell(step)
    z = _map_grid(ctx, "conv", k, (r, c))
    a = _map_grid(ctx, "relu", k, (r, c))
    return [_Board([[z], [a]], ["  ReLU → "])], []


def _cell(step: Step) -> tuple[int, int, int]:
    idx = _parse(step.key)[1]
    return (idx[0], idx[1], idx[2]) if len(idx) == 3 else (1, 1, 1)


def _pool_source(ctx: _Ctx) -> str:
    if not ctx.conv.kernels:
        return "x"
    return "relu" if ctx.conv.relu else "conv"


def _pool_window(
    ctx: _Ctx, k: int, r: int, c: int, pooled: bool
) -> tuple[Box | None, dict[tuple[int, int], str]]:
    """The pooling window of pooled cell (r, c), or of the window that holds map cell (r, c),
    and its winner once the pooled cell is revealed (max pooling only)."""
    pool = ctx.conv.pool
    if pool is None:
        return None, {}
    kind, size, stride = pool
    if not pooled:
        r, c = (r - 1) // stride + 1, (c - 1) // stride + 1
    rows, cols = ctx.map_size("pool")(k)
    if not (1 <= r <= rows and 1 <= c <= cols):
        return None, {}
    r0, c0 = (r - 1) * stride + 1, (c - 1) * stride + 1
    frame = (r0, r0 + size - 1, c0, c0 + size - 1)
    marks: dict[tuple[int, int], str] = {}
    key = f"pool[{k},{r},{c}]"
    step = ctx.index.step(key)
    if kind == "max" and step is not None and ctx.revealed_at(key) and step.operands:
        best = max(step.operands, key=lambda q: q.value)
        idx = _parse(best.key)[1]
        if len(idx) == 3:
            marks[(idx[1], idx[2])] = WINNER_MARK
    return frame, marks


def _pooling(ctx: _Ctx, step: Step) -> tuple[list[_Board], list[Text]]:
    """A pooling window framed over the map (its winner marked ◂), and the pooled map."""
    k, r, c = _cell(step)
    source = _pool_source(ctx)
    frame, marks = _pool_window(ctx, k, r, c, pooled=True)
    grid = _map_grid(ctx, source, k, None, frame=frame, marks=marks)
    out = _map_grid(ctx, "pool", k, (r, c))
    assert ctx.conv.pool is not None
    kind, size, stride = ctx.conv.pool
    op = f"  {ctx.word('max' if kind == 'max' else 'average')} {size}×{size} → "
    captions = []
    if stride != size:
        captions.append(Text(f"{ctx.word('stride')} S = {stride}", MORE_STYLE))
    return [_Board([[grid], [out]], [op])], captions


def _loss_line(ctx: _Ctx) -> list[Text]:
    if "loss" not in ctx.index.pos:
        return []
    return [ctx.slot("loss", ctx.sym("loss", Sym("L")))]


def _head_forward(ctx: _Ctx, step: Step | None) -> tuple[list[_Board], list[Text]]:
    """u and the softmax: the flattened values over the weights; ỹ as bars once revealed."""
    i = None if step is None else step.neuron or _parse(step.key)[1][-1]
    head = ctx.index.head()
    weights = bool(head.rows)
    columns = ("u", "y")
    return [_Board([[_Table(ctx, weights, True, columns, i, None)]], [])], []


def _head_error(ctx: _Ctx, step: Step) -> tuple[list[_Board], list[Text]]:
    """The loss and the δ of each class, beside the probabilities and the targets."""
    idx = _parse(step.key)[1]
    i = idx[-1] if idx else None
    table = _Table(ctx, False, False, ("y", "t", "d"), i, None)
    return [_Board([[table]], [])], _loss_line(ctx)


def _head_update(ctx: _Ctx, step: Step) -> tuple[list[_Board], list[Text]]:
    """The head's weights, each new value replacing the old one as it is revealed."""
    idx = _parse(step.key)[1]
    i, j = (idx[1], idx[2]) if len(idx) == 3 else (1, 0)
    table = _Table(ctx, True, True, ("d",), i, (j, j), updating=True)
    captions = []
    parts = _alpha(ctx)
    key = f"dw[1,{i},{j}]"
    if key in ctx.index.pos:
        parts.append(ctx.slot(key, ctx.sym(key, Sym("w", (i, j), delta=True))))
    if parts:
        captions.append(_join(parts))
    return [_Board([[table]], [])], captions


def _error_map(ctx: _Ctx, step: Step) -> tuple[list[_Board], list[Text]]:
    """An error map filling in, beside what its cell reads."""
    name = step.key.partition("[")[0]
    k, r, c = _cell(step)
    out = _map_grid(ctx, name, k, (r, c))
    families = {q.key.partition("[")[0] for q in step.operands}
    if "d" in families:  # from the head: δ of the classes through column j of the weights
        j = next((_parse(q.key)[1][-1] for q in step.operands if q.key.startswith("w[")), 1)
        table = _Table(ctx, True, False, ("d",), None, (j, j))
        return [_Board([[table], [out]], [" → "])], []
    source = _pool_source(ctx)
    if ctx.conv.pool is not None and name == "d" + source:  # back through the pooling
        frame, marks = _pool_window(ctx, k, r, c, pooled=False)
        window = _map_grid(ctx, source, k, (r, c), frame=frame, marks=marks)
        window.priority = 1
        pr, pc = (r - 1) // ctx.conv.pool[2] + 1, (c - 1) // ctx.conv.pool[2] + 1
        pooled = _map_grid(ctx, "dpool", k, (pr, pc))
        return [
            _Board([[window], [pooled], [out]], ["  ", " → "]),
            _Board([[window, pooled], [out]], [" → "]),
        ], []
    if name == "dconv" and "drelu" in families:  # back through ReLU: θ(a)
        errors = _map_grid(ctx, "drelu", k, (r, c))
        relu = _map_grid(ctx, "relu", k, (r, c))
        relu.priority = 1
        return [
            _Board([[errors], [relu], [out]], ["  ", " → "]),
            _Board([[errors, relu], [out]], [" → "]),
        ], []
    return [_Board([[out]], [])], []


def _kernel_update(ctx: _Ctx, step: Step) -> tuple[list[_Board], list[Text]]:
    """Δk from the image and the error map, then k antes + Δk = k después."""
    name, idx = _parse(step.key)
    if len(idx) != 4:
        return _overview(ctx)
    k, ch, m, n = idx
    if name == "k":
        before = _kernel_grid(ctx, k, ch, "before", (m, n))
        delta = _kernel_grid(ctx, k, ch, "delta", (m, n))
        after = _kernel_grid(ctx, k, ch, "after", (m, n))
        return [
            _Board([[before], [delta], [after]], [" + ", " = "]),
            _Board([[before, delta], [after]], [" → "]),
        ], _kernel_captions(ctx, k)
    region = [(r, c) for chx, r, c in ctx.pixels if chx == ch]
    frame = None
    if region:
        rows = [r for r, _ in region]
        cols = [c for _, c in region]
        frame = (min(rows), max(rows), min(cols), max(cols))
    image = _image_grid(ctx, ch, ctx.conv.paddings[k - 1], frame)
    image.priority = 1
    errors = _map_grid(ctx, "dconv", k, None)
    delta = _kernel_grid(ctx, k, ch, "delta", (m, n))
    captions = [*_kernel_captions(ctx, k), _join(_alpha(ctx))]
    return [
        _Board([[image], [errors], [delta]], ["  ", " → "]),
        _Board([[image], [errors, delta]], ["  "]),
        _Board([[errors], [delta]], [" → "]),
    ], captions


def _alpha(ctx: _Ctx) -> list[Text]:
    alpha = ctx.index.head().alpha
    return [] if alpha is None else [ctx.given_slot("alpha", alpha.sym.unicode(), alpha.value)]


def _kernel_captions(ctx: _Ctx, k: int) -> list[Text]:
    caption = _kernel_caption(ctx, k)
    return [caption] if caption is not None and len(ctx.conv.kernels) > 1 else []


def _bias_update(ctx: _Ctx, step: Step) -> tuple[list[_Board], list[Text]]:
    """Δb from the whole error map; the kernel's new values beside it."""
    k = _parse(step.key)[1][0] if _parse(step.key)[1] else 1
    errors = _map_grid(ctx, "dconv", k, None)
    channels = len(ctx.conv.kernels[k - 1])
    after = _kernel_grid(ctx, k, channels, "after", None)
    after.priority = 1
    parts = _alpha(ctx)
    key = f"db[{k}]"
    parts.append(ctx.slot(key, ctx.sym(key, Sym("b", (k,), delta=True))))
    parts.append(ctx.given_slot(f"b[{k}]", Sym("b", (k,)).unicode(), ctx.conv.biases[k - 1]))
    line = _join(parts)
    text, style = ctx.computed(f"b[{k}]", pending="")
    if text:
        line.append(" → ")
        line.append(text, style if style in (CURRENT_STYLE, PENDING_STYLE) else UPDATED_STYLE)
    return [_Board([[errors], [after]], ["   "])], [line]


# --- the sizes ---------------------------------------------------------------------------------


def _sizes(ctx: _Ctx, width: int) -> list[Text]:
    """The lecture's sizing: 28×28×1 → 32 kernels 3×3 → 32 × 28×28 → max 2×2 → 32 × 14×14."""
    given_q: dict[str, Quantity] = {}
    for key in ("size", "values", "params", "pool_size"):
        step = ctx.index.step(key)
        for q in step.operands if step is not None else ():
            if q.step is None:
                given_q.setdefault(q.key, q)

    def number(key: str) -> Text:
        q = given_q.get(key)
        return Text(q.shown if q else "?", READ_STYLE if key in ctx.reads else "")

    def side(key: str, letter: str) -> Text:
        step = ctx.index.step(key)
        if step is None:
            return Text(letter, PENDING_STYLE)
        text, style = ctx.computed(key, pending=letter)
        return Text(text, style or "")

    def cat(*parts: Text | str) -> Text:
        line = Text()
        for part in parts:
            line.append_text(part if isinstance(part, Text) else Text(part))
        return line

    labels = [ctx.word("input"), ctx.word("maps"), ctx.word("outputs")]
    column = max(len(w) for w in labels) + 3
    lines = []
    count = given_q.get("D")
    pixels = ""
    if count is not None and "C" in given_q:
        pixels = f"{int(count.value) ** 2 * int(given_q['C'].value)} px"
    line = cat(Text(labels[0].ljust(column), HEADER_STYLE), number("D"), "×", number("D"), "×")
    line.append_text(number("C"))
    lines.append(cat(line, "   ", Text(pixels, MORE_STYLE)))
    count = given_q.get("K")
    noun = ctx.word("kernel" if count is not None and count.value == 1 else "kernels")
    kernels = cat("  ↓ ", number("K"), f" {noun} ", number("N"), "×", number("N"))
    kernels.append_text(cat(f" · {ctx.word('padding')} p = ", number("p")))
    kernels.append_text(cat(f" · {ctx.word('stride')} s = ", number("s")))
    if ctx.conv.relu:
        kernels.append(" · ReLU")
    params = _valued(ctx, "params", "P", ctx.word("params"))
    widest = len(ctx.sym("params", Sym("P"))) + 3 + ctx.index.widths.get("params", 1)
    if kernels.cell_len + 3 + widest + 1 + len(ctx.word("params")) <= width:
        lines.append(cat(kernels, "   ", params))
    else:
        lines += [kernels, cat("      ", params)]
    size = side("size", "O")
    maps = cat(Text(labels[1].ljust(column), HEADER_STYLE), number("K"), " × ", size, "×", size)
    lines.append(cat(maps, "   ", _valued(ctx, "values", "V", ctx.word("values"))))
    if "pool_size" in ctx.index.pos and ctx.conv.pool is not None:
        word = "max-pooling" if ctx.conv.pool[0] == "max" else ctx.word("average")
        pooling = cat("  ↓ ", word, " ", number("F"), "×", number("F"))
        lines.append(cat(pooling, f" · {ctx.word('stride')} S = ", number("S")))
        side_q = side("pool_size", "Q")
        outputs = cat(Text(labels[2].ljust(column), HEADER_STYLE), number("K"), " × ")
        outputs.append_text(cat(side_q, "×", side_q))
        lines.append(cat(outputs, "   ", _valued(ctx, "pool_values", "W", ctx.word("values"))))
    return lines


def _valued(ctx: _Ctx, key: str, letter: str, word: str) -> Text:
    """``V = 25088 valores`` once revealed; the slot alone before."""
    text = ctx.slot(key, ctx.sym(key, Sym(letter)))
    if ctx.revealed_at(key):
        text.append(f" {word}")
    return text


def _kernel_sizes(ctx: _Ctx) -> list[Text]:
    """Kernels of different sizes or paddings: the output side of each one's map."""
    conv = ctx.conv
    rows, cols = (len(conv.image[0]), len(conv.image[0][0])) if conv.image else (0, 0)
    head = Text(ctx.word("input"), HEADER_STYLE)
    head.append(f"   {rows}×{cols}×{len(conv.image)}")
    lines = [head]
    for k in range(1, len(conv.kernels) + 1):
        key = f"size[{k}]"
        step = ctx.index.step(key)
        if step is None:
            continue
        reading = ctx.step is not None and ctx.step.key == key
        line = Text(f"  ↓ {ctx.word('kernel')} {k}: ")
        for q in step.operands:
            letter = q.key
            text = f"{letter} = {q.shown}"
            line.append(text, READ_STYLE if reading else "")
            line.append("  ")
        line.append("→  ")
        line.append_text(ctx.slot(key, ctx.sym(key, Sym("O", sample=k))))
        if ctx.revealed_at(key):
            side = step.shown
            line.append(f"   {ctx.word('conv')} {side}×{side}", MORE_STYLE)
        lines.append(line)
    return lines
