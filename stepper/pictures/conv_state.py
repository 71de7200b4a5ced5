"""What the conv picture knows at one position of a walk: the steps by key, what is revealed,
what the current step reads, and each value as (text, role).

The layout draws the same solution hundreds of times, so its steps are indexed by key once per
solution (``stepper.solution_cache``), with the widest value of each family of keys, so that a
map keeps its cell width while it fills in. It reads only the Solution, never the engine.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass, field

from stepper.i18n import label
from stepper.notation import Sym
from stepper.numbers import given, pretty
from stepper.pictures.scene import Role
from stepper.solution_cache import PerSolution
from stepper.steps import CHECK, ConvShape, Phase, Quantity, Solution, Step, checked

#: A cell of a grid: its text and what it means to the learner.
#: What a cell or slot writes: its text, its role and the key of the quantity it writes (None
#: for none: a pad of zeros, a cell that does not exist).
Cell = tuple[str, Role, str | None]


def parse(key: str) -> tuple[str, tuple[int, ...]]:
    """``conv[1,2,3]`` -> ("conv", (1, 2, 3)); ``loss`` -> ("loss", ()); a check step's key
    as the quantity it computes again (``check.conv[1,2,3]`` -> ("conv", (1, 2, 3)))."""
    name, _, rest = key.removeprefix(CHECK).partition("[")
    try:
        return name, tuple(int(p) for p in rest[:-1].split(",")) if rest else ()
    except ValueError:
        return name, ()


@dataclass(slots=True)
class Head:
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
class Index:
    """The steps of one solution by key, and the widest value of each family of keys."""

    ref: weakref.ref[Solution]
    conv: ConvShape
    pos: dict[str, int]
    widths: dict[str, int]
    memo: dict[str, int] = field(default_factory=dict)
    _head: Head | None = None

    @classmethod
    def build(cls, solution: Solution) -> Index:
        pos: dict[str, int] = {}
        widths: dict[str, int] = {}
        for k, step in enumerate(solution.steps):
            pos[step.key] = k
            family = step.key.removeprefix(CHECK).partition("[")[0]
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

    def head(self) -> Head:
        if self._head is None:
            self._head = self._build_head()
        return self._head

    def _build_head(self) -> Head:
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
            _, idx = parse(q.key)
            if q.step is None and q.key.startswith("u[") and len(idx) == 2:
                logits[idx[1]] = q
        targets: dict[int, Quantity] = {}
        loss = self.step("loss")
        for q in loss.operands if loss is not None else ():
            _, idx = parse(q.key)
            if q.key.startswith("target[") and idx:
                targets[idx[0]] = q
        alpha = None
        for key in ("dw[1,1,0]", "dk[1,1,1,1]", "db[1]"):
            st = self.step(key)
            if st is not None:
                alpha = next((q for q in st.operands if q.key == "alpha"), None)
                break
        return Head(classes, rows, feats, logits, targets, alpha)


#: The index of each solution drawn lately (see stepper.solution_cache).
index = PerSolution(Index.build, 2)


@dataclass(slots=True)
class Ctx:
    """One position of the walk: what is revealed, what the current step reads."""

    solution: Solution
    conv: ConvShape
    index: Index
    revealed: int
    current: int | None
    step: Step | None
    ref: Step | None
    reads: set[str]
    pixels: set[tuple[int, int, int]]
    lang: str
    #: ``check.`` in the check phase: the maps and the head then show the values computed
    #: again with the new kernels and weights.
    prefix: str = ""

    @classmethod
    def build(
        cls, solution: Solution, conv: ConvShape, revealed: int, current: int | None, lang: str
    ) -> Ctx:
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
                idx = parse(q.key)[1]
                if len(idx) == 3:
                    pixels.add((idx[0], idx[1], idx[2]))
        prefix = CHECK if ref is not None and ref.phase is Phase.CHECK else ""
        return cls(solution, conv, index(solution), revealed, current, step, ref, reads,
                   pixels, lang, prefix)  # fmt: skip

    def keyed(self, key: str) -> str:
        """The key whose value the picture shows for ``key`` now: in the check phase, a
        forward quantity's ``check.`` one (a given number, y₀ = 1, stays itself)."""
        return checked(key, self.index.pos) if self.prefix else key

    def word(self, key: str) -> str:
        return label(f"conv.{key}", self.lang)

    @property
    def many_kernels(self) -> bool:
        """Maps are told apart by a superscript, as the formulas write them, when there are
        several kernels."""
        return len(self.conv.kernels) > 1

    def read(self, key: str) -> Role:
        """READ when the current step reads ``key``, else PLAIN."""
        return Role.READ if self.keyed(key) in self.reads else Role.PLAIN

    def computed(self, key: str, pending: str = "·") -> Cell:
        """A step's value as a cell: revealed, being computed (``?``), or still pending."""
        key = self.keyed(key)
        k = self.index.pos.get(key)
        if k is None:
            return "", Role.PLAIN, None
        step = self.solution.steps[k]
        if k == self.current:
            return (pretty(step.shown) if k < self.revealed else "?"), Role.CURRENT, key
        if k < self.revealed:
            return pretty(step.shown), self.read(key), key
        return pending, Role.PENDING, key

    def replaced(self, key: str, old: float) -> Cell:
        """A weight that a step updates: the new value once revealed, the old one dimmed."""
        k = self.index.pos.get(key)
        if k is not None and k == self.current:
            step = self.solution.steps[k]
            return (pretty(step.shown) if k < self.revealed else "?"), Role.CURRENT, key
        if k is not None and k < self.revealed:
            return pretty(self.solution.steps[k].shown), Role.UPDATED, key
        return pretty(given(old)), Role.READ if key in self.reads else Role.PENDING, key

    def revealed_at(self, key: str) -> bool:
        k = self.index.pos.get(self.keyed(key))
        return k is not None and k < self.revealed

    def slot(self, key: str, sym: str, quantity: Quantity | None = None) -> Cell:
        """``sym = value`` once revealed (or given), ``sym = ?`` while computed, else ``sym``."""
        key = self.keyed(key)
        k = self.index.pos.get(key)
        if k is None:
            if quantity is None:
                return sym, Role.PENDING, key
            return f"{sym} = {pretty(given(quantity.value))}", self.read(key), key
        step = self.solution.steps[k]
        if k == self.current:
            value = pretty(step.shown) if k < self.revealed else "?"
            return f"{sym} = {value}", Role.CURRENT, key
        if k < self.revealed:
            return f"{sym} = {pretty(step.shown)}", self.read(key), key
        return sym, Role.PENDING, key

    def given_slot(self, key: str, sym: str, value: float) -> Cell:
        """``sym = value`` for a number the lesson gives (α, a bias), lit when read."""
        return f"{sym} = {pretty(given(value))}", self.read(key), key

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
