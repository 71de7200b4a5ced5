"""Blocks: items laid out relative to a corner, then put side by side or one under another.

A layout builds its picture from small rectangles (a neuron, a column of inputs, a header)
whose items have coordinates relative to the rectangle's top-left cell; joining blocks moves
their items. A ``Piece`` is a text not placed yet, with the role and key its label will have.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from rich.cells import cell_len, set_cell_size

from stepper.pictures.scene import Frame, Item, Label, Role, Wire


@dataclass(frozen=True, slots=True)
class Piece:
    """A text not yet placed: what a slot writes, what it means, and the key it shows."""

    text: str
    role: Role = Role.PLAIN
    key: str | None = None

    @property
    def width(self) -> int:
        return cell_len(self.text)

    def at(self, x: int, y: int) -> Label:
        return Label(x, y, self.text, self.role, key=self.key)


class Spaced:
    """How a picture's slots write ``=`` and ``→``: with spaces, or tight when the picture
    must save columns. Mixed into a layout's position, which has the ``spaced`` flag."""

    __slots__ = ()
    spaced: bool

    @property
    def eq(self) -> str:
        return " = " if self.spaced else "="

    @property
    def arrow(self) -> str:
        return " → " if self.spaced else "→"


@dataclass(slots=True)
class Block:
    """Items in a rectangle ``width`` × ``height`` whose top-left cell is (0, 0)."""

    width: int
    height: int
    items: list[Item]


def moved(item: Item, dx: int, dy: int) -> Item:
    """The item ``dx`` columns right and ``dy`` rows down (built directly: this is hot)."""
    if isinstance(item, Label):
        return Label(item.x + dx, item.y + dy, item.text, item.role, item.series, item.key)
    if isinstance(item, Wire):
        points = tuple((x + dx, y + dy) for x, y in item.points)
        return Wire(points, item.role, item.arrow, item.series)
    return replace(item, x=item.x + dx, y=item.y + dy)


def hjoin(blocks: Sequence[Block], gap: int) -> Block:
    """Blocks side by side, ``gap`` columns apart, tops aligned."""
    items: list[Item] = []
    x = 0
    for k, block in enumerate(blocks):
        if k:
            x += gap
        items += [moved(item, x, 0) for item in block.items]
        x += block.width
    return Block(x, max((b.height for b in blocks), default=0), items)


def vstack(blocks: Sequence[Block]) -> Block:
    """Blocks one under another, left edges aligned."""
    items: list[Item] = []
    y = 0
    for block in blocks:
        items += [moved(item, 0, y) for item in block.items]
        y += block.height
    return Block(max((b.width for b in blocks), default=0), y, items)


def line(pieces: Sequence[tuple[int, Piece]]) -> Block:
    """One row of pieces at the given columns."""
    items: list[Item] = [p.at(x, 0) for x, p in pieces if p.text]
    return Block(max((x + p.width for x, p in pieces), default=0), 1, items)


BLANK = Block(0, 1, [])


def extent(items: Sequence[Item]) -> int:
    """The columns the items reach: a block's width less the room its last column keeps."""
    right = 0
    for item in items:
        if isinstance(item, Label):
            right = max(right, int(item.x) + item.width)
        elif isinstance(item, Wire):
            right = max(right, *(int(x) + 1 for x, _ in item.points))
    return right


def crop(items: Sequence[Item], width: int) -> list[Item]:
    """The items as far as ``width`` columns: text cut, lines shortened, the rest left out."""
    out: list[Item] = []
    for item in items:
        if isinstance(item, Label):
            room = width - int(item.x)
            if room <= 0:
                continue
            if len(item.text) <= room // 2 or item.width <= room:  # (no cell is wider than 2)
                out.append(item)
            elif text := set_cell_size(item.text, room).rstrip():
                out.append(replace(item, text=text))
        elif isinstance(item, Wire):
            if all(x < width for x, _ in item.points):
                out.append(item)
                continue
            points = tuple((min(x, width - 1), y) for x, y in item.points)
            if len(set(points)) > 1:
                out.append(replace(item, points=points))
        else:
            out.append(item)
    return out


def window(items: Sequence[Item], top: int, rows: int) -> list[Item]:
    """The items in rows ``top`` ≤ y < ``top + rows``, moved up to row 0: a picture scrolled
    to the part that matters; lines that cross its edges are left out."""
    bottom = top + rows - 1
    out: list[Item] = []
    for item in items:
        if isinstance(item, Label):
            if top <= item.y <= bottom:
                out.append(moved(item, 0, -top))
        elif isinstance(item, Wire):  # whole, or not at all: a cut synapse would mislead
            if all(top <= y <= bottom for _, y in item.points):
                out.append(moved(item, 0, -top))
        elif isinstance(item, Frame):
            y0, y1 = max(item.y, top), min(item.y + item.h, bottom + 1)
            if y1 > y0:
                out.append(replace(item, y=y0 - top, h=y1 - y0))
        elif top <= item.y <= bottom:
            out.append(moved(item, 0, -top))
    return out
