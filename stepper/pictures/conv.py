"""A conv lesson as drawn on the blackboard: image ∗ kernel = map, filled in cell by cell.

``conv_scene`` lays out a solved conv lesson at a position of its walk as a ``Scene``, one
arrangement for the kind of step being computed:

* the sizes (the lecture's "Ejemplo": 28×28×1 → 32 × 28×28 → 32 × 14×14), as revealed;
* a cell of a map: the image with the kernel's window framed over the pixels it reads
  (padding zeros drawn around the image when the kernel pads), the kernel, and the output map
  with the revealed cells written in and the one being computed CURRENT;
* ReLU: the map z beside the map a; pooling: the map with the pooling window framed and, once
  revealed, the winner of a max marked ◂, beside the pooled map;
* the dense head: the flattened values over the head's weights, the logits u, and the softmax
  probabilities as horizontal bars; the targets, the loss and the δ of each class;
* the way back: the error maps filling in beside what each cell reads (the pooling window and
  its winner, the ReLU map), then Δk from the image and the error map, and the kernel's new
  values replacing the old ones (k antes + Δk = k después).

Maps larger than the space are windowed around the cell in focus, with ⋮ and … where rows and
columns are left out, so that a 28×28 image with 32 kernels fits 80 columns. ``print_scene``
is the same blackboard for a printed document: everything revealed, or nothing for a
worksheet. The layout reads only the Solution, never the engine, and is a pure function of
its arguments.
"""

from __future__ import annotations

from collections.abc import Callable

from stepper.notation import MAP_LETTERS, Sym
from stepper.pictures.conv_board import Board, Ink, ink, join, lay_out, to_scene
from stepper.pictures.conv_captions import kernel_caption, pipeline
from stepper.pictures.conv_grids import (
    WINNER_MARK,
    Box,
    Grid,
    image_grid,
    kernel_grid,
    map_grid,
)
from stepper.pictures.conv_print import print_scene
from stepper.pictures.conv_sizes import kernel_sizes, sizes
from stepper.pictures.conv_state import Ctx, parse
from stepper.pictures.conv_table import Table
from stepper.pictures.scene import Frame, Role, Scene
from stepper.steps import Phase, Solution, Step

__all__ = ["ROW_BUDGET", "WINNER_MARK", "conv_scene", "print_scene"]

#: Rows the picture stays within (an 80×24 terminal leaves it about 10–12).
ROW_BUDGET = 12

Arrangement = tuple[list[Board], list[Ink]]


def conv_scene(
    solution: Solution,
    revealed: int,
    current: int | None,
    lang: str,
    width: int,
    *,
    rows: int = ROW_BUDGET,
) -> Scene:
    """The blackboard of ``solution`` with ``steps[:revealed]`` written in, ``current`` lit.

    ``current`` is the index in ``solution.steps`` of the step being computed, or None (the
    title screen, which shows the image, the kernel and the empty map). The scene is at most
    ``width`` columns wide and about ``rows`` tall (grids show the rows around the cell in
    focus when they must; a caption or two may add to it). A lesson that is not a conv lesson
    gives an empty scene.
    """
    if solution.conv is None or not solution.steps or width <= 0:
        return Scene(0, 0)
    ctx = Ctx.build(solution, solution.conv, revealed, current, lang)
    lines, frames = _arrange(ctx, width, rows)
    return to_scene(lines, frames, width, _title(ctx))


def _title(ctx: Ctx) -> str:
    step = ctx.step or ctx.ref
    title = ctx.solution.title
    return f"{title}: {step.sym.unicode()}" if step is not None else title


# --- the arrangements --------------------------------------------------------------------------


def _arrange(ctx: Ctx, width: int, rows: int) -> tuple[list[Ink], list[Frame]]:
    step = ctx.ref
    if step is None:
        if ctx.conv.image:
            return _compose(_overview(ctx), width, rows)
        if "size" in ctx.index.pos or not ctx.conv.classes:
            return sizes(ctx, width), []
        return _compose(_head_forward(ctx, None), width, rows)
    if step.phase == Phase.SHAPE:
        return (kernel_sizes(ctx) if "size[1]" in ctx.index.pos else sizes(ctx, width)), []
    arrangement = _ARRANGEMENTS.get(parse(step.key)[0])
    if arrangement is None:  # a step this picture does not know: the board as before the first
        if ctx.conv.image:
            return _compose(_overview(ctx), width, rows)
        return sizes(ctx, width), []
    return _compose(arrangement(ctx, step), width, rows)


def _compose(arrangement: Arrangement, width: int, rows: int) -> tuple[list[Ink], list[Frame]]:
    boards, captions = arrangement
    captions = captions[: max(0, rows - 4)]
    lines, frames = lay_out(boards, width, rows - len(captions)) if boards else ([], [])
    return lines + captions, frames


def _captions(*lines: Ink | None) -> list[Ink]:
    return [line for line in lines if line is not None and line.labels]


def _overview(ctx: Ctx) -> Arrangement:
    """Before the first step: image ∗ kernel = the empty map."""
    conv = ctx.conv
    captions = _captions(kernel_caption(ctx, 1), pipeline(ctx))
    if not conv.kernels:
        return [Board([[image_grid(ctx, 1, 0, None)]], [])], captions
    image = image_grid(ctx, 1, conv.paddings[0], None)
    kernel = kernel_grid(ctx, 1, 1, "given", None)
    out = map_grid(ctx, "conv", 1, None, empty=True)
    return _blackboard(image, kernel, out), captions


def _blackboard(image: Grid, kernel: Grid, out: Grid) -> list[Board]:
    """image ∗ kernel = map, with room around the signs, or without when it is tight."""
    return [
        Board([[image], [kernel], [out]], [" ∗ ", " = "]),
        Board([[image], [kernel], [out]], ["∗", "="]),
    ]


def _window(ctx: Ctx, k: int, r: int, c: int) -> Box:
    conv = ctx.conv
    n = len(conv.kernels[k - 1][0])
    pad, s = conv.paddings[k - 1], conv.stride
    r0, c0 = (r - 1) * s + 1 - pad, (c - 1) * s + 1 - pad
    return r0, r0 + n - 1, c0, c0 + n - 1


def _convolution(ctx: Ctx, step: Step) -> Arrangement:
    """A cell of a map: image ∗ kernel = map, the window framed over the pixels it reads."""
    name, idx = parse(step.key)
    if name == "chan" and len(idx) == 4:
        k, ch, r, c = idx
    elif len(idx) == 3:
        (k, r, c), ch = idx, len(ctx.conv.image)
    else:
        return _overview(ctx)
    frame = _window(ctx, k, r, c)
    role = Role.READ if ctx.pixels else Role.MORE
    image = image_grid(ctx, ch, ctx.conv.paddings[k - 1], frame, role)
    kernel = kernel_grid(ctx, k, ch, "after" if ctx.prefix else "given", None)
    out = map_grid(ctx, "conv", k, (r, c))
    captions = _captions(kernel_caption(ctx, k), _channel_sums(ctx, k, r, c))
    return _blackboard(image, kernel, out), captions


def _channel_sums(ctx: Ctx, k: int, r: int, c: int) -> Ink | None:
    """suma: s₁₁⁽¹⁾ = 1.2, s₁₁⁽²⁾ = ?, s₁₁⁽³⁾, b₁ → z₁₁ (an RGB image's channels, then z).
    The terms are listed, not written with + between them: s⁽¹⁾ = 0 + s⁽²⁾ = −6 would read as
    a chain of equalities that does not hold."""
    channels = len(ctx.conv.image)
    if channels < 2:
        return None
    line = ink(f"{ctx.word('sums')}: ", Role.HEADER)
    for ch in range(1, channels + 1):
        key = f"chan[{k},{ch},{r},{c}]"
        if ch > 1:
            line.add(", ")
        line.add(*ctx.slot(key, ctx.sym(key, Sym(MAP_LETTERS["chan"], (r, c), sample=ch))))
    if ctx.conv.biases[k - 1]:
        line.add(f", {Sym('b', (k,)).unicode()}")
    key = f"conv[{k},{r},{c}]"
    line.add(" → ").add(*ctx.slot(key, ctx.sym(key, Sym(MAP_LETTERS["conv"], (r, c)))))
    return line


def _cell(step: Step) -> tuple[int, int, int]:
    idx = parse(step.key)[1]
    return (idx[0], idx[1], idx[2]) if len(idx) == 3 else (1, 1, 1)


def _rectify(ctx: Ctx, step: Step) -> Arrangement:
    """ReLU: the map z, and the map a = max(0, z) filling in."""
    k, r, c = _cell(step)
    z = map_grid(ctx, "conv", k, (r, c))
    a = map_grid(ctx, "relu", k, (r, c))
    return [Board([[z], [a]], ["  ReLU → "])], []


def _pool_source(ctx: Ctx) -> str:
    if not ctx.conv.kernels:
        return "x"
    return "relu" if ctx.conv.relu else "conv"


def _pool_window(
    ctx: Ctx, k: int, r: int, c: int, pooled: bool
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
    step = ctx.index.step(ctx.keyed(key))
    if kind == "max" and step is not None and ctx.revealed_at(key) and step.operands:
        best = max(step.operands, key=lambda q: q.value)
        idx = parse(best.key)[1]
        if len(idx) == 3:
            marks[(idx[1], idx[2])] = WINNER_MARK
    return frame, marks


def _pooling(ctx: Ctx, step: Step) -> Arrangement:
    """A pooling window framed over the map (its winner marked ◂), and the pooled map."""
    k, r, c = _cell(step)
    source = _pool_source(ctx)
    frame, marks = _pool_window(ctx, k, r, c, pooled=True)
    grid = map_grid(ctx, source, k, None, frame=frame, marks=marks)
    out = map_grid(ctx, "pool", k, (r, c))
    assert ctx.conv.pool is not None
    kind, size, stride = ctx.conv.pool
    op = f"  {ctx.word('max' if kind == 'max' else 'average')} {size}×{size} → "
    captions = []
    if stride != size:
        captions.append(ink(f"{ctx.word('stride')} S = {stride}", Role.MORE))
    return [Board([[grid], [out]], [op])], captions


def _head_forward(ctx: Ctx, step: Step | None) -> Arrangement:
    """u and the softmax: the flattened values over the weights; ỹ as bars once revealed."""
    i = None if step is None else step.neuron or parse(step.key)[1][-1]
    weights = bool(ctx.index.head().rows)
    table = Table(ctx, weights, True, ("u", "y"), i, None, updating=bool(ctx.prefix))
    return [Board([[table]], [])], []


def _head_error(ctx: Ctx, step: Step) -> Arrangement:
    """The loss and the δ of each class, beside the probabilities and the targets."""
    idx = parse(step.key)[1]
    columns = ("y", "t") if ctx.prefix else ("y", "t", "d")  # the check computes no new δ
    table = Table(ctx, False, False, columns, idx[-1] if idx else None, None)
    loss = [ink(*ctx.slot("loss", ctx.sym("loss", Sym("L"))))] if "loss" in ctx.index.pos else []
    return [Board([[table]], [])], loss


def _alpha(ctx: Ctx) -> list[Ink]:
    alpha = ctx.index.head().alpha
    return (
        [] if alpha is None else [ink(*ctx.given_slot("alpha", alpha.sym.unicode(), alpha.value))]
    )


def _head_update(ctx: Ctx, step: Step) -> Arrangement:
    """The head's weights, each new value replacing the old one as it is revealed."""
    idx = parse(step.key)[1]
    i, j = (idx[1], idx[2]) if len(idx) == 3 else (1, 0)
    table = Table(ctx, True, True, ("d",), i, (j, j), updating=True)
    parts = _alpha(ctx)
    key = f"dw[1,{i},{j}]"
    if key in ctx.index.pos:
        parts.append(ink(*ctx.slot(key, ctx.sym(key, Sym("w", (i, j), delta=True)))))
    return [Board([[table]], [])], [join(parts)] if parts else []


def _error_map(ctx: Ctx, step: Step) -> Arrangement:
    """An error map filling in, beside what its cell reads."""
    name = step.key.partition("[")[0]
    k, r, c = _cell(step)
    out = map_grid(ctx, name, k, (r, c))
    families = {q.key.partition("[")[0] for q in step.operands}
    if "d" in families:  # from the head: δ of the classes through column j of the weights
        j = next((parse(q.key)[1][-1] for q in step.operands if q.key.startswith("w[")), 1)
        table = Table(ctx, True, False, ("d",), None, (j, j))
        return [Board([[table], [out]], [" → "])], []
    source = _pool_source(ctx)
    if ctx.conv.pool is not None and name == "d" + source:  # back through the pooling
        frame, marks = _pool_window(ctx, k, r, c, pooled=False)
        window = map_grid(ctx, source, k, (r, c), frame=frame, marks=marks)
        window.priority = 1
        pr, pc = (r - 1) // ctx.conv.pool[2] + 1, (c - 1) // ctx.conv.pool[2] + 1
        pooled = map_grid(ctx, "dpool", k, (pr, pc))
        return [
            Board([[window], [pooled], [out]], ["  ", " → "]),
            Board([[window, pooled], [out]], [" → "]),
        ], []
    if name == "dconv" and "drelu" in families:  # back through ReLU: θ(a)
        errors = map_grid(ctx, "drelu", k, (r, c))
        relu = map_grid(ctx, "relu", k, (r, c))
        relu.priority = 1
        return [
            Board([[errors], [relu], [out]], ["  ", " → "]),
            Board([[errors, relu], [out]], [" → "]),
        ], []
    return [Board([[out]], [])], []


def _kernel_update(ctx: Ctx, step: Step) -> Arrangement:
    """Δk from the image and the error map, then k antes + Δk = k después."""
    name, idx = parse(step.key)
    if len(idx) != 4:
        return _overview(ctx)
    k, ch, m, n = idx
    several = _captions(kernel_caption(ctx, k)) if len(ctx.conv.kernels) > 1 else []
    if name == "k":
        before = kernel_grid(ctx, k, ch, "before", (m, n))
        delta = kernel_grid(ctx, k, ch, "delta", (m, n))
        after = kernel_grid(ctx, k, ch, "after", (m, n))
        return [
            Board([[before], [delta], [after]], [" + ", " = "]),
            Board([[before, delta], [after]], [" → "]),
        ], several
    region = [(r, c) for chx, r, c in ctx.pixels if chx == ch]
    frame = None
    if region:
        rows = [r for r, _ in region]
        cols = [c for _, c in region]
        frame = (min(rows), max(rows), min(cols), max(cols))
    image = image_grid(ctx, ch, ctx.conv.paddings[k - 1], frame)
    image.priority = 1
    errors = map_grid(ctx, "dconv", k, None)
    delta = kernel_grid(ctx, k, ch, "delta", (m, n))
    return [
        Board([[image], [errors], [delta]], ["  ", " → "]),
        Board([[image], [errors, delta]], ["  "]),
        Board([[errors], [delta]], [" → "]),
    ], [*several, join(_alpha(ctx))]


def _bias_update(ctx: Ctx, step: Step) -> Arrangement:
    """Δb from the whole error map; the kernel's new values beside it."""
    k = parse(step.key)[1][0] if parse(step.key)[1] else 1
    errors = map_grid(ctx, "dconv", k, None)
    after = kernel_grid(ctx, k, len(ctx.conv.kernels[k - 1]), "after", None)
    after.priority = 1
    parts = _alpha(ctx)
    key = f"db[{k}]"
    parts.append(ink(*ctx.slot(key, ctx.sym(key, Sym("b", (k,), delta=True)))))
    bias = ctx.given_slot(f"b[{k}]", Sym("b", (k,)).unicode(), ctx.conv.biases[k - 1])
    parts.append(ink(*bias))
    line = join(parts)
    text, role, written = ctx.computed(f"b[{k}]", pending="")
    if text:
        keep = role in (Role.CURRENT, Role.PENDING)
        line.add(" → ").add(text, role if keep else Role.UPDATED, written)
    return [Board([[errors], [after]], ["   "])], [line]


_ARRANGEMENTS: dict[str, Callable[[Ctx, Step], Arrangement]] = {
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
