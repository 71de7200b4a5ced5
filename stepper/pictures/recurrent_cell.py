"""What a box of the unrolled recurrent cell holds: the cell's rows, and the lines they make.

A row is one quantity of the cell (a gate, c, h) with its key forward and backward; a box
draws each row for every unit shown, the rows one to a line or gates two to a line, units side
by side or one under another (``stepper.pictures.recurrent`` chooses). Symbols come from the
steps; ``fallback`` only writes a key that no step computes or reads.
"""

from __future__ import annotations

from dataclasses import dataclass

from stepper.notation import Sym
from stepper.pictures.recurrent_state import parse
from stepper.steps import RecurrentShape


@dataclass(frozen=True, slots=True, eq=False)  # one of each per layout: hashed by identity
class Row:
    """One quantity of a box, per hidden unit: its forward key, the pre-activation a gate's
    row shows until the gate is known, and its backward key (``{t}``, ``{i}`` filled in)."""

    forward: str
    pre: str | None
    backward: str
    #: A state (c or h): its own line, and the wire to the next box leaves from it.
    state: bool = False

    def key(self, backward: bool, t: int, i: int) -> str:
        return (self.backward if backward else self.forward).format(t=t, i=i)


def cell_rows(shape: RecurrentShape) -> tuple[Row, ...]:
    """The cell's quantities in the order its formulas compute them."""
    if shape.cell == "rnn":
        return (
            Row("u[h,{t},{i}]", None, "d[h,{t},{i}]"),
            Row("h[{t},{i}]", None, "dh[{t},{i}]", state=True),
        )
    gates = tuple(
        Row(f"{g}[{{t}},{{i}}]", f"u[{g},{{t}},{{i}}]", f"d[{g},{{t}},{{i}}]") for g in shape.gates
    )
    states = ("c", "h") if shape.cell == "lstm" else ("h",)
    return gates + tuple(Row(f"{s}[{{t}},{{i}}]", None, f"d{s}[{{t}},{{i}}]", True) for s in states)


def fallback(key: str, hidden: int) -> Sym:
    """A symbol for a key no step computes and no step reads (never one the engine writes)."""
    name, idx = parse(key)
    nums = tuple(int(p) for p in idx if p.isdigit())
    if hidden == 1 and len(nums) == 2:
        nums = nums[:1]
    tag = idx[0] if idx and not idx[0].isdigit() else None
    if name in ("d", "dh", "dc"):
        return Sym("delta", nums, tag=tag or name[1:])
    if name.startswith("d"):
        return Sym(name[1:], nums, delta=True, tag=tag)
    return Sym(name, nums, tag=tag)


#: One slot of a box: a quantity's row and the unit it is drawn for (None: units left out).
Cell = tuple[Row, int | None]
#: One line of a box: the half it belongs to (True: backward) and its slots, left to right.
Line = tuple[bool, tuple[Cell, ...]]


def is_state(line: Line) -> bool:
    """Whether a line holds a state (h, c): the wires to the next box leave from it."""
    return line[1][0][0].state
