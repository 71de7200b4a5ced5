"""Where a computational graph's boxes and edges go, left to right, as ``dot -Grankdir=LR``.

micrograd's ``draw_dot`` hands its graph to Graphviz; here the same few steps of a layered
drawing are done by hand, on character cells: each node in the column of its depth (an input
at 0, a node one past its deepest operand); an edge that spans several columns passes through
each column between as a one-row stand-in (dot's virtual nodes), so that every edge runs
between neighbouring columns and none crosses a box; each column ordered by where its
operands are (the barycentre heuristic), then placed as near their rows as the boxes above
allow; and in the gap between two columns, each edge that changes rows bends on a vertical
track of its own (the edges of one source share theirs: a fork).

An edge across more than ``REACH`` columns is not drawn all the way: its operand's name is
written in the column before its node, with a short arrow into it (a stub), as a circuit
diagram labels a long wire at both ends. A 60-node lesson whose inputs each feed six nodes
along a chain would otherwise pass hundreds of wires through every column.

Only sizes go in (each box's width and height, whether it is framed, and the width of each
name for the stubs); the texts, roles and the window of columns a screen shows are
``stepper.pictures.graph``'s.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from stepper.steps import GraphRun

#: A box's place in a column: a node's name, or (source, consumer, column) for the row an
#: edge takes through a column it passes (or, for a stub, where it starts).
Entry = str | tuple[str, str, int]
#: The most columns an edge is drawn across; a longer one is a stub.
REACH = 3


@dataclass(frozen=True, slots=True)
class Size:
    """A box as the layout sees it: its cells and whether it has an outline (a computed node;
    an input is written as two bare lines)."""

    w: int
    h: int
    framed: bool


@dataclass(frozen=True, slots=True)
class Box:
    """A node's place: its top-left cell (the outline's corner, or an input's first line)."""

    name: str
    column: int
    x: int
    y: int
    size: Size

    @property
    def row(self) -> int:
        """The row of its value, where its outgoing edges leave."""
        return self.y + 1 if self.size.framed else self.y

    def port(self, k: int) -> int:
        """The row where its ``k``-th operand's edge comes in: one row each, in order."""
        return self.y + 1 + min(k, self.size.h - 3)


@dataclass(frozen=True, slots=True)
class Route:
    """An edge from operand ``source`` to node ``target``, as cells from where it leaves the
    source's column to the cell before the target's outline (its arrow)."""

    source: str
    target: str
    points: tuple[tuple[int, int], ...]
    #: The column it leaves: its source's, or for a stub the column before its target's.
    start: int
    #: Whether it is a stub: it starts at its points' first cell, after the source's name.
    stub: bool = False


@dataclass(frozen=True, slots=True)
class Geometry:
    """A whole graph laid out: boxes, edges, and each column's left edge and width."""

    boxes: Mapping[str, Box]
    routes: tuple[Route, ...]
    lefts: tuple[int, ...]
    widths: tuple[int, ...]
    height: int


def depths(run: GraphRun) -> dict[str, int]:
    """Each node's column: 0 for an input, one past its deepest operand otherwise."""
    depth: dict[str, int] = {}
    for node in run.nodes:
        depth[node.name] = 1 + max((depth[m] for m in node.operands), default=-1)
    return depth


def columns(run: GraphRun, depth: Mapping[str, int]) -> list[list[Entry]]:
    """The entries of each column, ordered by the mean place of what feeds them (inputs in
    the lesson's order): fewer edges cross."""
    cols: list[list[Entry]] = [[] for _ in range(max(depth.values()) + 1)]
    feeds: dict[Entry, list[tuple[Entry, int]]] = {}
    stubs = {
        (m, n.name, depth[n.name] - 1)
        for n in run.nodes
        for m in n.operands
        if long(m, n.name, depth)
    }
    for node in run.nodes:
        cols[depth[node.name]].append(node.name)
        for k, m in enumerate(node.operands):
            before: Entry = m
            if long(m, node.name, depth):
                stub = (m, node.name, depth[node.name] - 1)
                cols[stub[2]].append(stub)
                feeds.setdefault(node.name, []).append((stub, k))
                continue
            for c in range(depth[m] + 1, depth[node.name]):
                stand_in = (m, node.name, c)
                cols[c].append(stand_in)
                feeds[stand_in] = [(before, 0)]
                before = stand_in
            feeds.setdefault(node.name, []).append((before, k))
    for c in range(1, len(cols)):
        place = {e: i for i, e in enumerate(cols[c - 1])}
        centres = {e: _centre(feeds.get(e, []), place) for e in cols[c]}
        for e in cols[c]:  # a stub beside what else feeds its node, else last
            if isinstance(e, tuple) and e not in feeds:
                others = [centres[f] for f, _ in feeds[e[1]] if f in centres and f not in stubs]
                centres[e] = sum(others) / len(others) + 0.5 if others else math.inf
        cols[c].sort(key=centres.__getitem__)
    return cols


def long(m: str, n: str, depth: Mapping[str, int]) -> bool:
    """Whether the edge m → n is drawn as a stub."""
    return depth[n] - depth[m] > REACH


def _centre(fed: list[tuple[Entry, int]], place: Mapping[Entry, int]) -> float:
    """The mean place of what feeds an entry in the column before it."""
    return sum(place[f] for f, _ in fed) / len(fed) if fed else 0.0


def arrange(
    run: GraphRun, sizes: Mapping[str, Size], names: Mapping[str, int], gap: int
) -> Geometry:
    """The graph laid out with ``gap`` blank rows between the boxes of a column; ``names``
    are the widths of the nodes' names, which a stub writes."""
    depth = depths(run)
    cols = columns(run, depth)
    operands = {n.name: n.operands for n in run.nodes}
    tops: dict[Entry, int] = {}
    rows: dict[Entry, int] = {}  # where each entry's outgoing edge leaves
    slots: dict[tuple[str, str], int] = {}  # the k-th row of its box an edge comes in on

    def feeder(m: str, n: str, c: int) -> Entry:
        """What carries the edge m → n out of column c: m itself, or its stand-in there."""
        return m if c == depth[m] else (m, n, c)

    def into(m: str, n: str) -> int:
        """The row the edge m → n comes in on: its slot in n's box."""
        return tops[n] + 1 + min(slots[m, n], sizes[n].h - 3)

    for c, col in enumerate(cols):
        below = 0  # the first free row under the entries placed so far
        for e in col:
            if isinstance(e, tuple):
                fed = not long(e[0], e[1], depth)
                top = max(rows[feeder(e[0], e[1], c - 1)] if fed else below, below)
                tops[e] = rows[e] = top
                below = top + 1 + gap
                continue
            # The operands come in top to bottom in the order they arrive, so that their
            # edges do not cross on the way in.
            came = {m: rows[feeder(m, e, c - 1)] for m in operands[e]}
            arrive = sorted(operands[e], key=came.__getitem__)
            slots.update({(m, e): k for k, m in enumerate(arrive)})
            aims = [
                rows[feeder(m, e, c - 1)] - 1 - min(k, sizes[e].h - 3) for k, m in enumerate(arrive)
            ]
            top = max(round(sum(aims) / len(aims)) if aims else below, below)
            tops[e], rows[e] = top, top + sizes[e].framed
            below = top + sizes[e].h + gap
    # Each edge's rows column by column: where it leaves its source, where it passes each
    # column between, where it comes in.
    starts = {
        (m, n.name): depth[n.name] - 1 if long(m, n.name, depth) else depth[m]
        for n in run.nodes
        for m in n.operands
    }
    paths = {
        (m, n): [rows[feeder(m, n, c)] for c in range(start, depth[n])] + [into(m, n)]
        for (m, n), start in starts.items()
    }
    gaps: list[list[tuple[Entry, int, int]]] = [[] for _ in range(len(cols) - 1)]
    for (m, n), ys in paths.items():
        for k, c in enumerate(range(starts[m, n], depth[n])):
            gaps[c].append((feeder(m, n, c), ys[k], ys[k + 1]))
    tracks = [_tracks(segments) for segments in gaps]
    widths = [
        max(
            sizes[e].w if isinstance(e, str) else names[e[0]] + 1 if long(*e[:2], depth) else 1
            for e in col
        )
        for col in cols
    ]
    lefts = [0]
    for c in range(1, len(cols)):
        used = max(tracks[c - 1].values(), default=-1) + 1
        lefts.append(lefts[-1] + widths[c - 1] + (used + 4 if used else 2))
    shift = min(tops.values())
    boxes = {
        e: Box(e, c, lefts[c], tops[e] - shift, sizes[e])
        for c, col in enumerate(cols)
        for e in col
        if isinstance(e, str)
    }
    routes = []
    for (m, n), ys in paths.items():
        start, stub = starts[m, n], long(m, n, depth)
        # From the source's own cells (see graph.py), or a stub's from its column's edge.
        points = [(lefts[start] + (widths[start] if stub else 0), ys[0] - shift)]
        for k, c in enumerate(range(start, depth[n])):
            y0, y1 = ys[k] - shift, ys[k + 1] - shift
            if y0 != y1:
                x = lefts[c] + widths[c] + 2 + tracks[c][feeder(m, n, c)]
                points += [(x, y0), (x, y1)]
            last = c + 1 == depth[n]
            points.append((lefts[c + 1] - 1 if last else lefts[c + 1] + widths[c + 1] - 1, y1))
        routes.append(Route(m, n, tuple(points), start, stub))
    height = max(b.y + b.size.h for b in boxes.values())
    height = max([height, *(y + 1 for r in routes for _, y in r.points)])
    return Geometry(boxes, tuple(routes), tuple(lefts), tuple(widths), height)


def _tracks(segments: list[tuple[Entry, int, int]]) -> dict[Entry, int]:
    """The vertical track each source bends on in one gap between columns (from 0, left to
    right), for the sources whose edges change rows there.

    Two sources share a track only where their bends do not meet. A source whose row is one
    another source's edge comes in on takes a track left of that one's, so that its line
    ends before the other begins (on one row they would read as one edge); where two
    sources each want to be left of the other, the one above goes first."""
    ends: dict[Entry, tuple[int, set[int]]] = {}
    for src, y0, y1 in segments:
        ends.setdefault(src, (y0, set()))[1].add(y1)
    bends = {s: (y0, ys) for s, (y0, ys) in ends.items() if ys != {y0}}
    spans = {s: (min(y0, *ys), max(y0, *ys)) for s, (y0, ys) in bends.items()}
    left_of = {s: {o for o in bends if o != s and bends[s][0] in bends[o][1]} for s in bends}
    waiting = {s: {o for o in bends if s in left_of[o]} for s in bends}
    placed: dict[Entry, int] = {}
    while len(placed) < len(bends):
        ready = [s for s in bends if s not in placed and not waiting[s] - placed.keys()]
        s = min(ready or [s for s in bends if s not in placed], key=lambda s: spans[s])
        lo, hi = spans[s]
        t = 1 + max((placed[o] for o in waiting[s] if o in placed), default=-1)
        while any(placed[o] == t and spans[o][0] <= hi and lo <= spans[o][1] for o in placed):
            t += 1
        placed[s] = t
    return placed
