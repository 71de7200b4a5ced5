"""A recurrent lesson's data and results as the printed formats show them.

The data, in the order a textbook states the problem: the sequence x_1 … x_T as a table, a
row per time step (with each step's targets beside it when the lesson reads an output at
every step), each gate's weights as its matrix (a row per hidden unit, the columns the bias,
the inputs x_t and the previous state h_{t−1}, as the lesson writes them), the output's
weights, then the single numbers: the initial states, the targets of the last step, α. The
symbols are the engine's (the letters of ``stepper.notation``), read off the quantities the
steps read, so that the table and the steps name a weight alike.

The results: the states through time (a row per time step, a column per gate and state:
what the forward pass computed, at a glance), then each gate's new weights and the output's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace

from stepper.i18n import label
from stepper.notation import Sym
from stepper.numbers import given
from stepper.printers.data import Cell, Given, Table, givens, grid
from stepper.steps import CHECK, Quantity, RecurrentShape, Solution, Step
from stepper.timeline import time_of

_GATE_WEIGHT = re.compile(r"^w\[([a-z]),(\d+),(\d+)\]$")
_OUTPUT_WEIGHT = re.compile(r"^t\[(\d+),(\d+)\]$")
_TARGET = re.compile(r"^target\[(\d+)(?:,(\d+))?\]$")
_INPUT = re.compile(r"^x\[\d+(?:,\d+)?\]$")
#: What flows back through time: the errors reaching h and c, each gate's δ, the output's.
_BACKWARD = ("dh", "dc", "d", "do")


def _letter(sym: Sym) -> Sym:
    """A weight's symbol without its indices: the matrix's name in its table's corner."""
    return replace(sym, indices=(), sample=None)


def _columns(shape: RecurrentShape, gate: str | None) -> tuple[Cell, ...]:
    """What each column of a gate's row multiplies: 1 (the bias), x_t's entries, then
    h_{t−1}'s (a GRU's candidate n multiplies r_t ⊙ h_{t−1}: the note says so). The index is
    left out of a vector of one entry, as the lecture writes a lone x."""
    xs: list[Cell] = [
        Sym("x", (j,)) if shape.inputs > 1 else Sym("x") for j in range(1, shape.inputs + 1)
    ]
    hs: list[Cell] = [
        Sym("h", (k,)) if shape.hidden > 1 else Sym("h") for k in range(1, shape.hidden + 1)
    ]
    return ("1", *xs, *hs) if gate is not None else ("1", *hs)


def _matrix(
    title: str, cells: Mapping[tuple[int, int], str], corner: Sym, head: tuple[Cell, ...]
) -> Table:
    """A gate's (or the output's) matrix: its rows the units, its columns as ``head``."""
    table = grid(title, cells, corner)
    named = tuple(
        head[int(h)] if isinstance(h, str) and h.isdigit() and int(h) < len(head) else h
        for h in table.head
    )
    return Table(table.title, table.rows, named, table.side, corner)


def _gate_tables(
    solution: Solution, weights: Iterable[tuple[str, Sym, str]], new: bool
) -> list[Table]:
    """One matrix per gate, in the cell's order, then the output's, of ``weights`` (key,
    symbol, shown)."""
    shape = solution.recurrent
    assert shape is not None
    lang = solution.language
    gates: dict[str, dict[tuple[int, int], str]] = {}
    output: dict[tuple[int, int], str] = {}
    corners: dict[str, Sym] = {}
    for key, sym, shown in weights:
        if found := _GATE_WEIGHT.match(key):
            gate, i, j = found.group(1), int(found.group(2)), int(found.group(3))
            gates.setdefault(gate, {})[i, j] = shown
            corners.setdefault(gate, _letter(sym))
        elif found := _OUTPUT_WEIGHT.match(key):
            output[int(found.group(1)), int(found.group(2))] = shown
            corners.setdefault("", _letter(sym))
    tables = [
        _matrix(
            label(f"data.gate.{gate}.new" if new else f"data.gate.{gate}", lang),
            gates[gate],
            corners[gate],
            _columns(shape, gate),
        )
        for gate in shape.gates
        if gate in gates
    ]
    if output:
        title = label("data.output.new" if new else "data.output", lang)
        tables.append(_matrix(title, output, corners[""], _columns(shape, None)))
    return tables


def _sequence(solution: Solution, found: Mapping[str, Quantity]) -> Table:
    """x_1 … x_T a row each, and with an output at every step, the step's targets beside."""
    shape = solution.recurrent
    assert shape is not None
    targets: dict[tuple[int, int], str] = {}
    if shape.every_step:
        for key, q in found.items():
            match = _TARGET.match(key)
            if match and match.group(2):
                targets[int(match.group(1)), int(match.group(2))] = q.shown
    outputs = max((i for _, i in targets), default=0)
    head: list[Cell] = [
        Sym("x", (j,)) if shape.inputs > 1 else Sym("x") for j in range(1, shape.inputs + 1)
    ]
    head += [Sym("y", (i,)) if outputs > 1 else Sym("y") for i in range(1, outputs + 1)]
    rows = tuple(
        (
            *(given(v) for v in x),
            *(targets.get((t, i), "") for i in range(1, outputs + 1)),
        )
        for t, x in enumerate(shape.sequence, 1)
    )
    return Table(label("data.sequence", solution.language), rows, tuple(head), _times(solution))


def _times(solution: Solution) -> tuple[str, ...]:
    """A table's row headings, one per time step: t = 1, t = 2 (a bare t in the corner would
    read as the output's weights t, the lecture's letter)."""
    shape = solution.recurrent
    assert shape is not None
    lang = solution.language
    return tuple(label("time", lang, t=t) for t in range(1, shape.steps + 1))


def recurrent_data(solution: Solution) -> tuple[Given, ...]:
    """What a recurrent lesson gives: the sequence, the gates' and output's matrices, then
    the single numbers (initial states, the last step's targets, α)."""
    shape = solution.recurrent
    assert shape is not None
    lang = solution.language
    found = givens(solution)
    weights = [
        (k, q.sym, q.shown)
        for k, q in found.items()
        if _GATE_WEIGHT.match(k) or _OUTPUT_WEIGHT.match(k)
    ]
    tables = [_sequence(solution, found), *_gate_tables(solution, weights, new=False)]
    used = {k for k, _, _ in weights}
    used |= {k for k in found if _INPUT.match(k)}
    if shape.every_step:
        used |= {k for k in found if _TARGET.match(k)}
    values = tuple((q.sym, q.shown) for k, q in found.items() if k not in used)
    note = label(f"data.gates.note.{shape.cell}", lang)
    return (Given(None, values, tuple(tables), note),)


# -- the results -------------------------------------------------------------------------------


def _through_time(solution: Solution, title: str, backward: bool) -> Table | None:
    """A pass at a glance: a row per time step, a column per quantity of each unit. Forward,
    each gate's value and the states (f, i, g, o, c, h; r, z, n, h; h), and the output when
    read at every step; backward, the errors reaching h and c and each gate's δ."""
    shape = solution.recurrent
    assert shape is not None
    cells: dict[tuple[int, str, str], str] = {}
    letters: dict[str, Sym] = {}
    units: dict[str, list[str]] = {}
    for step in solution.steps:
        t = time_of(step.key)
        name, _, rest = step.key.partition("[")
        args = rest.rstrip("]").split(",")
        if step.key.startswith(CHECK) or t is None or t < 1 or name == "u":
            continue
        if (name in _BACKWARD) != backward or (not backward and name == "e"):
            continue
        column = f"{name}.{args[0]}" if name == "d" else name  # a δ per gate
        letters.setdefault(column, _letter(step.sym))
        if args[-1] not in units.setdefault(column, []):
            units[column].append(args[-1])
        cells[t, column, args[-1]] = step.shown
    columns = [(name, unit) for name in letters for unit in units[name]]
    if not columns:
        return None
    rows = tuple(
        tuple(cells.get((t, name, unit), "") for name, unit in columns)
        for t in range(1, shape.steps + 1)
    )
    head = tuple(
        replace(letters[name], indices=(int(unit),)) if len(units[name]) > 1 else letters[name]
        for name, unit in columns
    )
    return Table(title, rows, head, _times(solution))


def _latest(steps: Iterable[Step]) -> list[Step]:
    """The last step of each new weight (a gate's or the output's)."""
    latest: dict[str, Step] = {}
    for step in steps:
        if step.relation == "→" or (
            not step.key.startswith(CHECK)
            and (_GATE_WEIGHT.match(step.key) or _OUTPUT_WEIGHT.match(step.key))
        ):
            latest[step.key] = step
    return list(latest.values())


def recurrent_results(solution: Solution) -> tuple[Table, ...]:
    """The states through time and the errors back through it, then each gate's new weights
    and the output's."""
    lang = solution.language
    passes = (
        _through_time(solution, label("data.states", lang), backward=False),
        _through_time(solution, label("data.errors", lang), backward=True),
    )
    tables = [table for table in passes if table is not None]
    new = [(s.key, s.sym, s.shown) for s in _latest(solution.steps)]
    tables += _gate_tables(solution, new, new=True)
    return tuple(tables)
