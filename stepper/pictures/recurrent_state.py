"""What the unrolled recurrent picture knows at one position of a walk.

The layout (``stepper.pictures.recurrent``) asks, for a quantity's key (``f[2,1]``, ``dh[1,1]``,
``w[f,1,0]``), what to write (``f₂ = 0.57444``, ``f₂ = ?`` or ``f₂`` alone) and what it means
now (the current quantity, one the step reads, a weight updated). Symbols are the engine's:
each key is written with the ``Sym`` of its step, or of the operand that reads it (a given
x_t, h₀, an initial weight), never with letters of the picture's own.

Which half of the cell is drawn follows the phase: its forward values (the gates, c_t and h_t)
while the sequence is passed forward, checked and its error measured; the gradients that flow
back (each gate's δ, dc_t and dh_t) while they are computed and while the weights are updated
from them.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field, replace
from functools import lru_cache

from rich.cells import cell_len

from stepper.notation import Sym
from stepper.numbers import given, pretty
from stepper.pictures.blocks import Piece, Spaced
from stepper.pictures.scene import Role
from stepper.solution_cache import PerSolution
from stepper.steps import CHECK, Phase, Quantity, RecurrentShape, Solution, Step

#: The phases whose picture is the gradient flowing back; the others show the forward pass.
BACKWARD_PHASES = frozenset({Phase.BACKWARD, Phase.UPDATE})


@lru_cache(maxsize=1 << 14)
def parse(key: str) -> tuple[str, tuple[str, ...]]:
    """``u[f,2,1]`` -> ("u", ("f", "2", "1")); ``loss`` -> ("loss", ())."""
    name, _, rest = key.partition("[")
    return name, tuple(rest[:-1].split(",")) if rest else ()


def time_of(key: str, shape: RecurrentShape) -> int | None:
    """The time step a key belongs to (``u[f,2,1]`` and ``dh[2,1]`` to 2; an output read
    only at the end, and the loss, to T), or None for what belongs to none (a weight)."""
    name, idx = parse(key.removeprefix(CHECK))
    try:
        if name in ("u", "d") and len(idx) == 3:
            return int(idx[1])
        if (name in ("y", "e") and len(idx) == 1) or name == "loss":
            return shape.steps
        if len(idx) == 2 and name not in ("w", "t", "dw", "dt"):
            return int(idx[0])
    except ValueError:
        return None
    return None


def unit_of(key: str) -> int | None:
    """The hidden unit (or output) a key belongs to: its last index, for the per-step keys."""
    name, idx = parse(key.removeprefix(CHECK))
    if not idx or name in ("w", "dw", "t", "dt"):
        return None
    try:
        return int(idx[-1])
    except ValueError:
        return None


@dataclass(slots=True)
class _Index:
    """The steps of one solution by key, and every quantity a step reads, built once."""

    solution: Solution
    #: Positions of each key's steps, in order.
    at: dict[str, list[int]]
    #: The first operand read under each key: a given x_t, h₀, c₀ or initial weight.
    operands: dict[str, Quantity]
    widths: dict[str, int] = field(default_factory=dict)
    symbols: dict[str, str] = field(default_factory=dict)
    #: The widest slot of the boxes, spaced or not: see ``recurrent._Layout.slot_width``.
    slots: dict[bool, int] = field(default_factory=dict)

    @classmethod
    def build(cls, solution: Solution) -> _Index:
        at: dict[str, list[int]] = {}
        operands: dict[str, Quantity] = {q.key: q for q in solution.given}
        for k, step in enumerate(solution.steps):
            at.setdefault(step.key, []).append(k)
            for q in step.operands:
                operands.setdefault(q.key, q)
        return cls(solution, at, operands)


_index = PerSolution(_Index.build, 2)


@dataclass(slots=True)
class Position(Spaced):
    """One position of the walk: what is revealed, what is current and read, which view."""

    solution: Solution
    shape: RecurrentShape
    index: _Index
    revealed: int
    step: Step | None
    reads: frozenset[str]
    #: The time step the picture is centred on, and the unit or output it points at.
    focus: int
    unit: int | None
    backward: bool
    #: ``check.`` in the check phase: the boxes then show the forward pass again.
    prefix: str = ""
    spaced: bool = True

    @classmethod
    def build(cls, solution: Solution, revealed: int, current: int | None) -> Position:
        shape = solution.recurrent
        assert shape is not None
        steps = solution.steps
        revealed = max(0, min(revealed, len(steps)))
        if current is not None and not 0 <= current < len(steps):
            current = None
        ref = current if current is not None else revealed - 1 if revealed else None
        step = steps[current] if current is not None else None
        phase = steps[ref].phase if ref is not None else Phase.FORWARD
        backward = phase in BACKWARD_PHASES
        reads = frozenset(q.key for q in step.operands) if step is not None else frozenset()
        focus: int | None = None
        unit: int | None = None
        if step is not None:
            focus = time_of(step.key, shape)
            unit = unit_of(step.key)
            if focus is None:  # a weight: the time steps it reads, the last one first
                times = [t for q in step.operands if (t := time_of(q.key, shape)) is not None]
                focus = max(times, default=None)
        if focus is None:
            focus = shape.steps if backward else 1
        prefix = CHECK if phase is Phase.CHECK else ""
        index = _index(solution)
        return cls(solution, shape, index, revealed, step, reads, focus, unit, backward, prefix)

    @property
    def target(self) -> str | None:
        return self.step.key if self.step is not None else None

    def keyed(self, key: str) -> str:
        """In the check phase, a forward quantity's ``check.`` key (when the check has it)."""
        if self.prefix and CHECK + key in self.index.at:
            return CHECK + key
        return key

    def latest(self, key: str) -> Step | None:
        """The latest revealed step of ``key``."""
        positions = self.index.at.get(key, ())
        k = bisect_left(positions, self.revealed)
        return self.solution.steps[positions[k - 1]] if k else None

    def exists(self, key: str) -> bool:
        return key in self.index.at or key in self.index.operands

    def symbol(self, key: str, fallback: Sym) -> str:
        """How the engine writes ``key``: its step's symbol, or that of the operand it is."""
        text = self.index.symbols.get(key)
        if text is None:
            positions = self.index.at.get(key)
            sym = fallback
            if positions:
                sym = self.solution.steps[positions[0]].sym
            elif key in self.index.operands:
                sym = self.index.operands[key].sym
            text = self.index.symbols[key] = replace(sym, sample=None).unicode()
        return text

    def role(self, key: str, otherwise: Role = Role.PLAIN) -> Role:
        if key == self.target:
            return Role.CURRENT
        return Role.READ if key in self.reads else otherwise

    def value_width(self, key: str) -> int:
        """The widest this key's value is ever written (forward and check), so that the
        boxes keep their size from one step to the next."""
        width = self.index.widths.get(key)
        if width is None:
            shown = [
                pretty(self.solution.steps[k].shown)
                for at in (key, CHECK + key)
                for k in self.index.at.get(at, ())
            ]
            q = self.index.operands.get(key)
            if q is not None and q.step is None:  # a given number: written as given
                shown.append(pretty(given(q.value)))
            width = max((cell_len(s) for s in shown), default=1)
            self.index.widths[key] = width
        return width

    # --- slots: a symbol and its value -------------------------------------------------------

    def slot(self, key: str, fallback: Sym) -> Piece:
        """``sym = value`` once revealed, ``sym = ?`` while being computed, else ``sym``
        alone; a number the lesson gives (x_t, h₀) is written as given."""
        sym = self.symbol(key, fallback)
        key = self.keyed(key)
        step = self.latest(key)
        if step is not None:
            return Piece(f"{sym}{self.eq}{pretty(step.shown)}", self.role(key), key)
        if key == self.target:
            return Piece(f"{sym}{self.eq}?", Role.CURRENT, key)
        q = self.index.operands.get(key)
        if q is not None and q.step is None:
            return Piece(f"{sym}{self.eq}{pretty(given(q.value))}", self.role(key, Role.GIVEN), key)
        return Piece(sym, self.role(key, Role.PENDING), key)

    def given_piece(self, key: str, sym: Sym, value: float) -> Piece:
        """A number the lesson gives that no step reads under a key (an x_t from the shape)."""
        text = f"{sym.unicode()}{self.eq}{pretty(given(value))}"
        return Piece(text, self.role(key, Role.GIVEN), key)

    def slot_width(self, key: str, fallback: Sym) -> int:
        return cell_len(self.symbol(key, fallback)) + len(self.eq) + self.value_width(key)

    def shows(self, key: str) -> bool:
        """Whether ``key`` is revealed or being computed (a gate's row shows its u until then)."""
        key = self.keyed(key)
        return key == self.target or self.latest(key) is not None

    def weight(self, key: str, fallback: Sym) -> Piece:
        """A weight of the update: ``wᶠ₁₀ = 0.1`` as given, ``Δwᶠ₁₀ = 0.002`` once its
        increment is known, ``wᶠ₁₀ → 0.102`` once updated; ``= ?`` while computed."""
        delta = f"d{key}"
        new = self.latest(key)
        if new is not None:
            sym = self.symbol(key, fallback)
            return Piece(f"{sym}{self.arrow}{pretty(new.shown)}", self.role(key, Role.UPDATED), key)
        if key == self.target:
            return Piece(f"{self.symbol(key, fallback)}{self.eq}?", Role.CURRENT, key)
        if self.shows(delta):
            return self.slot(delta, replace(fallback, delta=True))
        return self.slot(key, fallback)

    def weight_width(self, key: str, fallback: Sym) -> int:
        widths = [self.slot_width(key, fallback)]
        if f"d{key}" in self.index.at:
            widths.append(self.slot_width(f"d{key}", replace(fallback, delta=True)))
        return max(widths)
