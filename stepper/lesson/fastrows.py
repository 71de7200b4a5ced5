"""A fast path through the YAML reader for the rows of numbers that make a lesson big.

ruamel's scanner is pure Python and spends some 100 µs on each number, so a lesson of 10^6
weights took about a minute to read. Such a lesson is almost all rows like
``[0.1, -0.2, 0.3]``. Before ruamel sees the text, each row that is certainly plain numbers
(one line, decimal numbers in the forms below, commas, spaces) is read here with one regular
expression and replaced, in the text ruamel reads, by an empty ``[]``: padded with spaces to
the row's length where something follows on its line, so that every other character keeps its
line and column (ruamel skips spaces one at a time, so the padding is left out at a line's
end, where nothing can be shifted). Once ruamel has built its tree, the empty sequences at
those places get their numbers back, and an item's position is computed from the row's text
only when a message needs it.

The numbers mean what YAML 1.2 (ruamel's round-trip reader) makes of them: ``12`` and ``-0``
are integers, ``0.5``, ``-1.25e-3`` and ``1e5`` floats. Everything else is left to ruamel:
``+1``, ``.5``, ``1.``, ``0x1F``, ``012``, ``1_000``, ``.inf``, integers of more than 18
digits, tags, anchors inside a row, comments, rows that span lines. A row that turns out not
to be a sequence (inside a quoted text, a block scalar or a comment) leaves no empty sequence
where it was written; ``fill`` then says so, and the caller reads the file again with that row
left as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_INT = r"-?(?:0|[1-9][0-9]{0,17})"
_NUMBER = rf"{_INT}(?:\.[0-9]{{1,20}}(?:[eE][-+]?[0-9]{{1,3}})?|[eE][-+]?[0-9]{{1,3}})?"
_ROW = re.compile(rf"\[ *({_NUMBER}(?: *, *{_NUMBER})*) *\]")
_ITEM = re.compile(_NUMBER)
_LINE_END = re.compile(r" *(?:\r?\n|\Z)")
#: Rows shorter than this are left to ruamel: the fast path pays off on long rows only.
MIN_ITEMS = 8


@dataclass(frozen=True, slots=True)
class Row:
    """A row read here: its numbers, and where it and its text are."""

    values: list[int | float]
    line: int  # 0-based, as ruamel counts
    col: int
    text: str


class Places(dict[int, list[int]]):
    """``lc.data`` of a filled sequence: an item's [line, column], worked out on first use."""

    def __init__(self, row: Row) -> None:
        super().__init__()
        self.row = row

    def __missing__(self, index: int) -> list[int]:
        starts = [m.start() for m in _ITEM.finditer(self.row.text)]
        for k, start in enumerate(starts):
            self[k] = [self.row.line, self.row.col + start]
        return self[index] if 0 <= index < len(starts) else super().__getitem__(index)


def mask(
    text: str, only: set[tuple[int, int]] | None = None
) -> tuple[str, dict[tuple[int, int], Row]]:
    """``text`` with each long row of plain numbers emptied (``only`` those at these places,
    when given), and those rows by (line, col)."""
    rows: dict[tuple[int, int], Row] = {}
    pieces: list[str] = []
    last = 0  # the end of the text copied so far
    counted, line, line_start = 0, 0, 0  # lines counted up to ``counted``
    for match in _ROW.finditer(text):
        inner = match.group(1)
        if inner.count(",") + 1 < MIN_ITEMS:
            continue
        start, end = match.span()
        newlines = text.count("\n", counted, start)
        if newlines:
            line += newlines
            line_start = text.rfind("\n", counted, start) + 1
        counted = start
        col = start - line_start
        if only is not None and (line, col) not in only:
            continue
        values = [
            float(item) if ("." in item or "e" in item or "E" in item) else int(item)
            for item in inner.split(",")
        ]
        rows[(line, col)] = Row(values, line, col, match.group())
        pieces += [text[last:start], "[]"]
        if not _LINE_END.match(text, end):  # something follows on the line: keep its column
            pieces.append(" " * (end - start - 2))
        last = end
    if not rows:
        return text, rows
    pieces.append(text[last:])
    return "".join(pieces), rows


def fill(tree: Any, rows: dict[tuple[int, int], Row]) -> set[tuple[int, int]]:
    """Put the rows back into the empty sequences ruamel made of them; return the places of
    those filled. A row missing from them was no sequence after all (it was inside a text, a
    comment or a key, or under a refused tag), and the text ruamel read was not the file's."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    filled: set[tuple[int, int]] = set()
    seen: set[int] = set()
    todo = [tree]
    while todo:
        node = todo.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, CommentedMap):
            todo += node.values()
        elif isinstance(node, CommentedSeq):
            where = (node.lc.line, node.lc.col)
            row = rows.get(where)
            if row is not None and not node:
                list.extend(node, row.values)
                node.lc.data = Places(row)
                filled.add(where)
            else:
                todo += node
    return filled


def values(node: Any) -> list[int | float] | None:
    """The numbers of a sequence filled here (a copy), else None."""
    data = getattr(getattr(node, "lc", None), "data", None)
    return list.copy(node) if isinstance(data, Places) else None


def size(node: Any, rows: dict[tuple[int, int], Row]) -> int:
    """How many numbers the composed node ``node`` stands for, if it is an emptied row
    (for the alias budget, which counts the values an alias repeats)."""
    if node.value:
        return 0
    row = rows.get((node.start_mark.line, node.start_mark.column))
    return len(row.values) if row is not None else 0
