"""Cutting a drawn graph to the cells a screen has: its edges clipped, never dropped.

A network's picture scrolled to its current rows leaves out a synapse that crosses the edge
(``blocks.window``): cut in two it would point nowhere. A graph's edge cut at the edge of the
window still says where it goes (the layout labels the columns it leaves out with the node at
the other end; rows cut off above or below continue off the picture), and dropping it would
hide an operand; so here edges are clipped. The layout's edges only run rightwards, level or
plumb, which keeps the clipping to a few comparisons.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import replace

from stepper.pictures.scene import Item, Label, Role, Scene, Wire

Point = tuple[float, float]


def row_at(points: Sequence[tuple[int, int]], x: int) -> int:
    """The row a rightward route is on at column ``x`` (where it runs level there)."""
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        if x0 <= x <= x1 and y0 == y1:
            return y0
    return points[-1][1] if x >= points[-1][0] else points[0][1]


def clip_columns(
    points: Sequence[tuple[int, int]], lo: int, hi: int
) -> tuple[tuple[int, int], ...]:
    """The part of a rightward route between columns ``lo`` and ``hi`` (the layout cuts
    where every route runs level)."""
    out: list[tuple[int, int]] = []
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        if x1 < lo or x0 > hi:
            continue
        a, b = (max(x0, lo), y0), (min(x1, hi), y1)
        if not out or out[-1] != a:
            out.append(a)
        out.append(b)
    return tuple(out)


def clip_rows(wire: Wire, top: int, bottom: int) -> list[Wire]:
    """The pieces of a level-or-plumb wire within rows ``top`` to ``bottom``; the arrow stays
    with the piece that ends where the wire does."""
    pieces: list[list[Point]] = []
    for (x0, y0), (x1, y1) in itertools.pairwise(wire.points):
        if max(y0, y1) < top or min(y0, y1) > bottom:
            continue
        a = (x0, min(max(y0, top), bottom))
        b = (x1, min(max(y1, top), bottom))
        if pieces and pieces[-1][-1] == a:
            pieces[-1].append(b)
        else:
            pieces.append([a, b])
    last = wire.points[-1]
    return [
        replace(wire, points=tuple(p), arrow=wire.arrow and p[-1] == last)
        for p in pieces
        if len(set(p)) > 1
    ]


def focus_rows(items: Iterable[Item]) -> tuple[list[int], list[int]]:
    """The rows a screen must show of the step (its lines, where the edge it computes along
    comes in) and those it should (where that edge leaves, and the edges it reads along)."""
    must: list[int] = []
    should: list[int] = []
    for item in items:
        if isinstance(item, Label) and item.role is Role.CURRENT:
            must.append(int(item.y))
        elif isinstance(item, Wire) and item.arrow and item.role is Role.CURRENT:
            must.append(int(item.points[-1][1]))  # where the edge comes in
            should.append(int(item.points[0][1]))
        elif isinstance(item, Wire) and item.arrow and item.role is Role.READ:
            should += [int(y) for _, y in (item.points[0], item.points[-1])]
    return must, should


def crop_rows(scene: Scene, rows: int) -> Scene:
    """The ``rows`` rows of ``scene`` around the step: all it computes along if they fit,
    else the rows of what it computes."""
    if scene.height <= rows:
        return scene
    must, should = focus_rows(scene.items)
    top = 0
    for wanted in (must + should, must):
        if wanted and max(wanted) - min(wanted) < rows:
            lo, hi = min(wanted), max(wanted)
            top = lo - (rows - (hi - lo + 1)) // 2
            break
    else:
        top = min(must, default=0)
    top = max(0, min(top, scene.height - rows))
    bottom = top + rows - 1
    items: list[Item] = []
    for item in scene.items:
        if isinstance(item, Label):
            if top <= item.y <= bottom:
                items.append(replace(item, y=item.y - top))
        elif isinstance(item, Wire):
            items += [moved(w, 0, -top) for w in clip_rows(item, top, bottom)]
    return replace(scene, height=rows, items=tuple(items))


def moved(wire: Wire, dx: int, dy: int) -> Wire:
    return replace(wire, points=tuple((x + dx, y + dy) for x, y in wire.points))


def placed(items: Sequence[Item], start: int) -> Scene:
    """The items moved so that column ``start`` is column 0 and their top row is row 0, in a
    scene just as large as they are."""
    ys: list[float] = []
    xs: list[float] = []
    for item in items:
        if isinstance(item, Label):
            ys.append(item.y)
            xs.append(item.x + item.width)
        elif isinstance(item, Wire):
            ys += [y for _, y in item.points]
            xs += [x + 1 for x, _ in item.points]
    top = int(min(ys, default=0))
    out: list[Item] = []
    for item in items:
        if isinstance(item, Label):
            out.append(replace(item, x=item.x - start, y=item.y - top))
        elif isinstance(item, Wire):
            out.append(moved(item, -start, -top))
    width = int(max(xs, default=start)) - start
    height = int(max(ys, default=top)) - top + 1
    return Scene(width, height, tuple(out))
