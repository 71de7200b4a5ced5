"""The rules of a recurrent lesson that a schema cannot state: the gates its cell has, and
matrices, sequences, states and targets of the sizes the cell needs.

Checks run on the validated lesson (like a conv lesson's) and return ``Found`` problems located
by their path; each message says what size was expected and why, in the cell's own terms.

A mistake is told once, where it is: when every gate and every x_t agree on a size that
``inputs`` or ``hidden`` does not say, the size is wrong, not each row (and the rest is checked
against the size the matrices share); when the gates given are all another cell's, the cell is.
"""

from __future__ import annotations

from dataclasses import dataclass

from stepper.lesson.checks import Found
from stepper.lesson.errors import msg, msg_count
from stepper.lesson.schema import CELL_GATES, RecurrentLesson


@dataclass(frozen=True, slots=True)
class Sizes:
    """The sizes the rest of the lesson is checked against: ``inputs`` and ``hidden`` as the
    lesson says them, or as every matrix and x_t of it agree they are."""

    inputs: int
    hidden: int


def check_recurrent(lesson: RecurrentLesson) -> list[Found]:
    """Every problem of the lesson's sizes, each at its place."""
    from stepper.lesson.recurrent_keys import check_keys
    from stepper.lesson.recurrent_limits import check_limits

    found: list[Found] = []
    cell, gates = _gates_meant(lesson, found)
    sizes = _sizes(lesson, gates, found)
    found += _check_gates(gates, sizes)
    found += _check_sequence(lesson, sizes)
    found += _check_initial(lesson, cell, sizes)
    found += _check_output(lesson, sizes)
    found += _check_targets(lesson, sizes)
    found += _check_training(lesson)
    if found:
        return found
    limits = check_limits(lesson)
    return limits or check_keys(lesson)


def _gates_meant(
    lesson: RecurrentLesson, found: list[Found]
) -> tuple[str, dict[str, list[list[float]]]]:
    """The cell meant and the gates to check the shapes of: the lesson's cell and its gates.
    When none of the cell's gates is given and the gates given are exactly another cell's,
    ``cell`` is the mistake: said once, at ``cell``, and the rest is checked for the other."""
    wanted = CELL_GATES[lesson.cell]
    given = lesson.gates.given()
    if not any(g in given for g in wanted):
        for other, gates in CELL_GATES.items():
            if other != lesson.cell and set(given) == set(gates):
                found.append(
                    Found(
                        ("cell",),
                        msg_count(
                            "recurrent.cell_gates",
                            len(gates),
                            cell=lesson.cell,
                            other=other,
                            given=", ".join(gates),
                            gates=", ".join(wanted),
                        ),
                    )
                )
                return other, given
    names = ", ".join(wanted)
    for gate in given:
        if gate not in wanted:
            found.append(
                Found(
                    ("gates", gate),
                    msg("recurrent.gate_foreign", gate=gate, cell=lesson.cell, gates=names),
                    True,
                )
            )
    for gate in wanted:
        if gate not in given:
            found.append(
                Found(
                    ("gates",),
                    msg_count(
                        "recurrent.gate_missing",
                        lesson.hidden,
                        gate=gate,
                        cell=lesson.cell,
                        cols=1 + lesson.inputs + lesson.hidden,
                    ),
                    True,
                )
            )
    return lesson.cell, {g: rows for g, rows in given.items() if g in wanted}


def _sizes(
    lesson: RecurrentLesson, gates: dict[str, list[list[float]]], found: list[Found]
) -> Sizes:
    """The sizes to check against. When the lesson's ``inputs`` and ``hidden`` do not fit its
    matrices but changing one (or both) would make every gate and every x_t fit, that field is
    the mistake: said there, and the rest is checked against the size the data agree on."""
    lengths = {len(x) for x in lesson.sequence}
    heights = {len(rows) for rows in gates.values()}
    widths = {len(row) for rows in gates.values() for row in rows}
    given = Sizes(lesson.inputs, lesson.hidden)
    if len(lengths) != 1 or len(heights) > 1 or len(widths) != 1:
        return given
    (n,) = lengths
    m = next(iter(heights), lesson.hidden)
    (width,) = widths
    if width != 1 + n + m:
        return given
    candidate = Sizes(n, m)
    if candidate.inputs != lesson.inputs:
        found.append(
            Found(
                ("inputs",),
                msg_count("recurrent.inputs_size", n, inputs=lesson.inputs),
            )
        )
    if candidate.hidden != lesson.hidden:
        found.append(
            Found(
                ("hidden",),
                msg_count("recurrent.hidden_size", m, hidden=lesson.hidden, width=width),
            )
        )
    return candidate


def _check_gates(gates: dict[str, list[list[float]]], sizes: Sizes) -> list[Found]:
    found: list[Found] = []
    width = 1 + sizes.inputs + sizes.hidden
    for gate, rows in gates.items():
        if len(rows) != sizes.hidden:
            found.append(
                Found(
                    ("gates", gate),
                    msg_count("recurrent.gate_rows", len(rows), gate=gate, hidden=sizes.hidden),
                )
            )
        for r, row in enumerate(rows):
            if len(row) != width:
                found.append(
                    Found(
                        ("gates", gate, r),
                        msg_count(
                            "recurrent.gate_row",
                            len(row),
                            gate=gate,
                            need=width,
                            inputs=sizes.inputs,
                            hidden=sizes.hidden,
                        ),
                    )
                )
    return found


def _check_sequence(lesson: RecurrentLesson, sizes: Sizes) -> list[Found]:
    return [
        Found(
            ("sequence", t),
            msg_count("recurrent.sequence_row", len(x), t=t + 1, inputs=sizes.inputs),
        )
        for t, x in enumerate(lesson.sequence)
        if len(x) != sizes.inputs
    ]


def _check_initial(lesson: RecurrentLesson, cell: str, sizes: Sizes) -> list[Found]:
    found: list[Found] = []
    initial = lesson.initial
    if initial is None:
        return found
    if initial.c is not None and cell != "lstm":
        found.append(Found(("initial", "c"), msg("recurrent.initial_c", cell=cell), True))
    states = {"h": initial.h, "c": initial.c if cell == "lstm" else None}
    for name, state in states.items():
        if state is not None and len(state) != sizes.hidden:
            found.append(
                Found(
                    ("initial", name),
                    msg_count("recurrent.initial_size", len(state), name=name, hidden=sizes.hidden),
                )
            )
    return found


def _check_output(lesson: RecurrentLesson, sizes: Sizes) -> list[Found]:
    if lesson.output is None:
        return []
    need = 1 + sizes.hidden
    return [
        Found(
            ("output", "weights", r),
            msg_count("recurrent.output_row", len(row), need=need, hidden=sizes.hidden),
        )
        for r, row in enumerate(lesson.output.weights)
        if len(row) != need
    ]


def _check_targets(lesson: RecurrentLesson, sizes: Sizes) -> list[Found]:
    targets = lesson.targets
    if targets is None:
        return []
    every = lesson.output is not None and lesson.output.every_step
    steps = len(lesson.sequence)
    if every and len(targets) != steps:
        return [
            Found(("targets",), msg_count("recurrent.targets_every", len(targets), steps=steps))
        ]
    if not every and len(targets) != 1:
        return [Found(("targets",), msg_count("recurrent.targets_last", len(targets)))]
    size = len(lesson.output.weights) if lesson.output is not None else sizes.hidden
    what = "outputs" if lesson.output is not None else "hidden"
    return [
        Found(("targets", t), msg_count(f"recurrent.target_size.{what}", len(y), need=size))
        for t, y in enumerate(targets)
        if len(y) != size
    ]


def _check_training(lesson: RecurrentLesson) -> list[Found]:
    """A learning rate with nothing to learn from: the lesson would stop at the forward pass
    and the author would wonder where the update went."""
    training = lesson.training
    if training is None or lesson.targets is not None:
        return []
    return [Found(("training",), msg("recurrent.no_targets"), True)]
