"""The blackboard's arrangement: parts (grids, the head's table) side by side under their
headers, with an operator (∗, =, →) between two columns, windowed until they fit.

Each part writes its rows left to right into ``Ink`` (the scene's labels of one row, placed
at the column where they start), and the board shifts them to where the part stands. A
board that does not fit is shrunk part by part (fewer columns shown around the cell in
focus, shorter bars, shorter headers) and, last, parts of lower priority are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from rich.cells import cell_len, set_cell_size

from stepper.pictures.scene import Frame, Item, Label, Role, Scene

#: A label of a row being written: its column, text, role and the key of the quantity it
#: writes (the row is known later).
Run = tuple[int, str, Role, str | None]


@dataclass(slots=True)
class Ink:
    """One row being written left to right: its labels and the columns taken."""

    labels: list[Run] = field(default_factory=list)
    width: int = 0

    def add(self, text: str, role: Role = Role.PLAIN, key: str | None = None) -> Ink:
        """``text`` after what is written (writing quantity ``key``, if any); its spaces take
        room but make no label."""
        body = text.strip(" ")
        if body:
            lead = len(text) - len(text.lstrip(" "))
            self.labels.append((self.width + lead, body, role, key))
        self.width += cell_len(text)
        return self

    def pad(self, width: int) -> Ink:
        """Spaces up to column ``width``."""
        self.width = max(self.width, width)
        return self

    def cat(self, other: Ink) -> Ink:
        """``other`` written after what is written."""
        dx = self.width
        self.labels += [(x + dx, text, role, key) for x, text, role, key in other.labels]
        self.width += other.width
        return self


def join(parts: list[Ink], sep: str = "   ") -> Ink:
    line = Ink()
    for k, part in enumerate(parts):
        if k:
            line.add(sep)
        line.cat(part)
    return line


def ink(text: str, role: Role = Role.PLAIN, key: str | None = None) -> Ink:
    return Ink().add(text, role, key)


#: What a part draws in ``rows`` rows: its header (None for none), its body rows, and the
#: frames over the body (``y`` counts the body's rows).
Drawn = tuple[Ink | None, list[Ink], list[Frame]]


class Part(Protocol):
    """Something the board lays out: a grid of numbers, the head's table."""

    priority: int
    dropped: bool

    def reset(self) -> None: ...
    def relax(self, excess: int) -> None: ...
    def width(self) -> int: ...
    def height(self) -> int: ...
    def shrink(self) -> bool: ...
    def render(self, rows: int) -> Drawn: ...


def span(lo: int, hi: int, f0: int, f1: int, n: int) -> tuple[int, int]:
    """``n`` consecutive indices of lo..hi around f0..f1, as centred on them as they can be."""
    if n >= hi - lo + 1:
        return lo, hi
    n = max(1, n)
    start = f0 - max(0, n - (f1 - f0 + 1)) // 2
    start = max(lo, min(start, hi - n + 1))
    return start, start + n - 1


def shift(frame: Frame, dx: float, dy: float) -> Frame:
    return Frame(frame.x + dx, frame.y + dy, frame.w, frame.h, frame.role, frame.shape)


@dataclass(slots=True)
class Board:
    """Columns of parts side by side, with an operator (∗, =, →) between two columns."""

    columns: list[list[Part]]
    ops: list[str]

    def live(self) -> list[tuple[list[Part], str]]:
        out: list[tuple[list[Part], str]] = []
        for k, column in enumerate(self.columns):
            parts = [p for p in column if not p.dropped]
            if parts:
                op = self.ops[k - 1] if k and out else ""
                out.append((parts, op))
        return out

    def parts(self) -> list[Part]:
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

    def render(self, rows: int) -> tuple[list[Ink], list[Frame]]:
        """The board's rows, and its frames where they fall on them."""
        drawn: list[tuple[list[Drawn], str]] = []
        for parts, op in self.live():
            share = rows if len(parts) == 1 else max(2, rows // len(parts))
            drawn.append(([p.render(share) for p in parts], op))
        tallest = max((len(c[0][1]) for c, _ in drawn if len(c) == 1), default=0)
        headed = any(header is not None for column, _ in drawn for header, _, _ in column)
        columns: list[tuple[list[Ink], list[Frame], str]] = []
        for column, op in drawn:
            lines: list[Ink] = []
            frames: list[Frame] = []
            if len(column) == 1:
                header, body, boxes = column[0]
                lines += [Ink() for _ in range((tallest - len(body)) // 2)]
                if header is not None or headed:
                    lines.append(header if header is not None else Ink())
                frames += [shift(f, 0, len(lines)) for f in boxes]
                lines += body
            else:
                for header, body, boxes in column:
                    lines += [header] if header is not None else []
                    frames += [shift(f, 0, len(lines)) for f in boxes]
                    lines += body
            columns.append((lines, frames, op))
        at = int(headed) + (tallest - 1) // 2 if tallest else 0
        height = max((len(lines) for lines, _, _ in columns), default=0)
        out = [Ink() for _ in range(height)]
        frames_out: list[Frame] = []
        x = 0
        for lines, frames, op in columns:
            width = max((line.width for line in lines), default=0)
            if op.strip() and at < height:
                out[at].pad(x).add(op, Role.HEADER)
            x += len(op)
            for r, line in enumerate(lines):
                out[r].pad(x).cat(line)
            frames_out += [shift(f, x, 0) for f in frames]
            x += width
        return out, frames_out


def lay_out(boards: list[Board], width: int, rows: int) -> tuple[list[Ink], list[Frame]]:
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


def to_scene(lines: list[Ink], frames: list[Frame], width: int, title: str) -> Scene:
    """The rows as one scene, cropped to ``width`` columns."""
    items: list[Item] = []
    right = height = 0
    for y, line in enumerate(lines):
        for x, whole, role, key in line.labels:
            text, size = whole, cell_len(whole)
            if x + size > width:  # cropped, as the terminal would
                text = set_cell_size(whole, max(0, width - x)).rstrip()
                size = cell_len(text)
            if text:
                items.append(Label(x, y, text, role, key=key))
                right, height = max(right, x + size), y + 1
    for frame in frames:
        if frame.x + frame.w <= width and frame.y + frame.h <= len(lines):
            items.append(frame)
            right = max(right, int(frame.x + frame.w))
            height = max(height, int(frame.y + frame.h))
    return Scene(right, height, tuple(items), title)
