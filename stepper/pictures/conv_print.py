"""The conv blackboard for a printed document: the image, and each kernel with its map.

A document shows the lesson once, not a position of its walk: every value revealed in a
solution, nothing computed on a worksheet (whose maps are the learner's to fill in, so they
are left out, sizes and all). The image is drawn once, beside the first kernel (and again
beside a kernel that pads it differently); each further kernel comes as ``kernel = map``, as
many to a row as the width holds.
"""

from __future__ import annotations

from stepper.i18n import label
from stepper.pictures.conv_board import Board, Ink, ink, lay_out, to_scene
from stepper.pictures.conv_captions import kernel_caption, pipeline
from stepper.pictures.conv_grids import Grid, image_grid, kernel_grid, map_grid
from stepper.pictures.conv_state import Ctx
from stepper.pictures.scene import Role, Scene
from stepper.steps import Phase, Solution

#: The columns a printed picture takes (shrunk to the page: about 8 pt type on A4).
PRINT_WIDTH = 96
#: The most rows and columns of a grid printed (a 28×28 image shows its corner, with ⋮ and …).
PRINT_CELLS = 10
#: The most kernels printed (more are counted in a line under them).
PRINT_KERNELS = 8
#: Columns between two kernels on a row.
_GAP = 4


def print_scene(solution: Solution, lang: str, width: int, *, worksheet: bool) -> Scene:
    """The blackboard of ``solution`` for print, at most ``width`` columns wide; empty for a
    lesson without an image (a lesson on sizes or on the softmax alone)."""
    conv = solution.conv
    if conv is None or not solution.steps or not conv.image or not conv.image[0]:
        return Scene(0, 0)
    # Every value up to the check phase: the maps the lesson's own kernels make.
    steps = solution.steps
    solved = next((k for k, s in enumerate(steps) if s.phase is Phase.CHECK), len(steps))
    ctx = Ctx.build(solution, conv, 0 if worksheet else solved, None, lang)
    tiles: list[list[Ink]] = []
    if not conv.kernels:
        tiles += [_pooled(ctx, "x", ch, worksheet, width) for ch in range(1, len(conv.image) + 1)]
    shown = min(len(conv.kernels), PRINT_KERNELS)
    for k in range(1, shown + 1):
        with_image = k == 1 or conv.paddings[k - 1] != conv.paddings[k - 2]
        tile = _kernel(ctx, k, with_image, worksheet, width)
        caption = kernel_caption(ctx, k)
        tiles.append([*tile, caption] if caption is not None else tile)
        if not worksheet and (conv.relu or conv.pool is not None):
            tiles.append(_pooled(ctx, "relu" if conv.relu else "conv", k, worksheet, width))
    lines = _flow(tiles, width)
    if shown < len(conv.kernels):
        rest = label("picture.more", lang, n=len(conv.kernels) - shown)
        lines += [ink(f"{ctx.word('kernels')}: {rest}", Role.MORE), Ink()]
    after = pipeline(ctx)
    if after.labels:
        lines.append(after)
    return to_scene(lines, [], width, solution.title)


def _kernel(ctx: Ctx, k: int, with_image: bool, worksheet: bool, width: int) -> list[Ink]:
    """image ∗ kernel = map (without the map on a worksheet, without the image when an earlier
    kernel has it beside it already); an RGB image's channels one under another, each beside
    its channel of the kernel, and the map they sum to beside them all."""
    conv = ctx.conv
    pad = conv.paddings[k - 1]
    out: list[Ink] = []
    room = width
    if not worksheet:  # the map first, in at most half the width; the channels get the rest
        out = _board(Board([[map_grid(ctx, "conv", k, None)]], []), width // 2)
        room = width - max(line.width for line in out) - len(" = ")
    rows: list[Ink] = []
    for ch in range(1, len(conv.image) + 1):
        kernel = kernel_grid(ctx, k, ch, "given", None)
        if with_image:
            board = Board([[image_grid(ctx, ch, pad, None)], [kernel]], [" ∗ "])
        else:
            board = Board([[kernel]], [])
        rows += [Ink()] * (ch > 1) + _board(board, room)
    return _beside(rows, " = ", out) if out else rows


def _pooled(ctx: Ctx, source: str, k: int, worksheet: bool, width: int) -> list[Ink]:
    """The map (or the image) the pooling reads, and the pooled map beside it, in a solution;
    the ReLU map alone when nothing pools it."""
    grid = map_grid(ctx, source, k, None)
    pool = ctx.conv.pool
    if pool is None or worksheet:
        return _board(Board([[grid]], []), width)
    kind, size, _ = pool
    op = f"  {ctx.word('max' if kind == 'max' else 'average')} {size}×{size} → "
    return _board(Board([[grid], [map_grid(ctx, "pool", k, None)]], [op]), width)


def _board(board: Board, width: int) -> list[Ink]:
    """A board's rows, its grids cut to ``PRINT_CELLS`` rows and columns."""
    for part in board.parts():
        if isinstance(part, Grid):
            part.most = PRINT_CELLS
    return lay_out([board], width, PRINT_CELLS + 3)[0]


def _beside(left: list[Ink], op: str, right: list[Ink]) -> list[Ink]:
    """``right`` beside ``left``, both centred on the row that carries ``op``."""
    height = max(len(left), len(right))
    lines = [Ink() for _ in range(height)]
    top_left, top_right = (height - len(left)) // 2, (height - len(right)) // 2
    for r, line in enumerate(left):
        lines[top_left + r].cat(line)
    x = max(line.width for line in left)
    lines[height // 2].pad(x).add(op, Role.HEADER)
    for r, line in enumerate(right):
        lines[top_right + r].pad(x + len(op)).cat(line)
    return lines


def _flow(tiles: list[list[Ink]], width: int) -> list[Ink]:
    """Tiles left to right, top-aligned, ``_GAP`` columns apart, a new row when one is full;
    a blank row between rows of tiles."""
    out: list[Ink] = []
    row: list[list[Ink]] = []
    used = 0

    def flush() -> None:
        lines = [Ink() for _ in range(max(len(tile) for tile in row))]
        x = 0
        for tile in row:
            for r, line in enumerate(tile):
                lines[r].pad(x).cat(line)
            x += max(line.width for line in tile) + _GAP
        out.extend([*lines, Ink()])

    for tile in tiles:
        wide = max(line.width for line in tile)
        if row and used + _GAP + wide > width:
            flush()
            row, used = [], 0
        used = used + _GAP + wide if row else wide
        row.append(tile)
    if row:
        flush()
    return out
