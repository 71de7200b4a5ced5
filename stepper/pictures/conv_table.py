"""The dense head of a conv lesson as a table: the flattened values over the weights, then
per class the logit u, the probability ỹ (with a bar), the target y and the error δ.

    ┆        f₀   p₁₁   p₁₂
    ┆ aplanado 1   1.2   0.2
    ┆ clase 1  0.1  0.5  −0.2   u₁ = 1.19   ỹ₁ = 0.8264 ██████████████▌

When it is too wide, the bars get shorter and then go (ỹ's value beside each says the same)
before any weight column is left out around the one in focus: a learner redoing u = Σ w·f
needs every number, not the bar.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from stepper.notation import Sym
from stepper.numbers import given, pretty
from stepper.pictures.conv_board import Drawn, Ink, span
from stepper.pictures.conv_state import Ctx
from stepper.pictures.scene import Role

_BAR_MAX = 40
_BAR_MIN = 6
#: Bars are shortened to this at once when the table is too wide (see ``relax``).
_BAR_RELAXED = 12
#: The most weight columns the table ever shows (more would not fit a screen).
_TABLE_COLUMNS = 40
_EIGHTHS = ("", "▏", "▎", "▍", "▌", "▋", "▊", "▉")


def bar(p: float, width: int) -> str:
    """A horizontal bar of ``p`` × ``width`` cells, in eighths of a cell."""
    eighths = round(max(0.0, min(1.0, p)) * width * 8)
    full, part = divmod(eighths, 8)
    return "█" * full + _EIGHTHS[part]


@dataclass(slots=True)
class Table:
    """The head: flattened values over the weights, then u, ỹ (with bars), y and δ per class."""

    ctx: Ctx
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
        return span(0, self._count() - 1, focus[0], focus[1], self.shown)

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
        return sym + 3 + value + (self.bar + 1 if column == "y" and self.bar else 0)

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
        if self.bar > _BAR_MIN:
            self.bar -= 1
        elif self.bar:  # a bar shorter than that says nothing: none, before any number goes
            self.bar = 0
        elif self.shown > max(1, least):
            self.shown -= 1
        else:
            return False
        return True

    def render(self, rows: int) -> Drawn:
        ctx, head = self.ctx, self.ctx.index.head()
        label = self._label_width()
        header: Ink | None = None
        body: list[Ink] = []
        spans = self._cspan() if self.weights else (0, -1)
        if self.weights:
            header = Ink().add(" " * label)
            self._feature_row(header, spans, values=False)
            if self.feats:
                line = Ink().add(ctx.word("flat").ljust(label), Role.HEADER)
                self._feature_row(line, spans, values=True)
                body.append(line)
        avail = max(1, rows - 1 - len(body))
        n = min(head.classes, avail)
        while True:
            focus = self.focus_i or 1
            top, bottom = span(1, head.classes, focus, focus, n)
            if n + (top > 1) + (bottom < head.classes) <= avail or n == 1:
                break
            n -= 1
        if top > 1:
            body.append(Ink().add("⋮", Role.MORE))
        for i in range(top, bottom + 1):
            body.append(self._class_row(i, label, spans))
        if bottom < head.classes:
            body.append(Ink().add("⋮", Role.MORE))
        return header, body, []

    def _feature_row(self, line: Ink, spans: tuple[int, int], values: bool) -> None:
        ctx, head = self.ctx, self.ctx.index.head()
        a, b = spans
        if a > 0:
            line.add("…", Role.MORE)
        for j in range(a, b + 1):
            f = head.feats[j]
            width = self._column_width(j)
            line.add(" ")
            if not values:
                line.add(f.sym.unicode().rjust(width), Role.HEADER)
            elif f.step is None:
                line.add(pretty(given(f.value)).rjust(width), ctx.read(f.key), f.key)
            else:
                text, role, key = ctx.computed(f.key)
                line.add(text.rjust(width), role, key)
        if b < self._count() - 1:
            line.add("…", Role.MORE)

    def _class_row(self, i: int, label: int, spans: tuple[int, int]) -> Ink:
        ctx, head = self.ctx, self.ctx.index.head()
        line = Ink().add(f"{ctx.word('class')} {i}".ljust(label), Role.HEADER)
        a, b = spans
        if self.weights:
            if a > 0:
                line.add("…", Role.MORE)
            for j in range(a, b + 1):
                w = head.weight(i, j)
                cell = ctx.replaced(f"w[1,{i},{j}]", w.value) if w else ("", Role.PLAIN, None)
                text, role, key = cell
                if w is not None and not self.updating and role is Role.PENDING:
                    role = Role.PLAIN
                line.add(" ")
                line.add(text.rjust(self._column_width(j)), role, key)
            if b < self._count() - 1:
                line.add("…", Role.MORE)
        for column in self.columns:
            line.add("  ")
            start = line.width
            line.cat(self._slot(column, i))
            line.pad(start + self._slot_width(column))
        return line

    def _slot(self, column: str, i: int) -> Ink:
        ctx, head = self.ctx, self.ctx.index.head()
        sym = self._sym(column, i)
        if column == "u":
            return Ink().add(*ctx.slot(f"u[1,{i}]", sym, head.logits.get(i)))
        if column == "t":
            return Ink().add(*ctx.slot(f"target[{i}]", sym, head.targets.get(i)))
        if column == "d":
            return Ink().add(*ctx.slot(f"d[1,{i}]", sym))
        key = ctx.keyed(f"y[1,{i}]")
        text = Ink().add(*ctx.slot(key, sym))
        step = ctx.index.step(key)
        if step is not None and ctx.revealed_at(key) and self.bar:
            text.pad(self._slot_width("y") - self.bar)
            current = ctx.current == ctx.index.pos.get(key)
            text.add(bar(step.value, self.bar), Role.HEADER if current else Role.PLAIN)
        return text
