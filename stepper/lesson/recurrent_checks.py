"""The rules of a recurrent lesson that a schema cannot state: the gates its cell has, and
matrices, sequences, states and targets of the sizes the cell needs.

Checks run on the validated lesson (like a conv lesson's) and return ``Found`` problems located
by their path; each message says what size was expected and why, in the cell's own terms.
"""

from __future__ import annotations

from stepper.lesson.checks import Found
from stepper.lesson.errors import msg
from stepper.lesson.schema import CELL_GATES, RecurrentLesson


def check_recurrent(lesson: RecurrentLesson) -> list[Found]:
    """Every problem of the lesson's sizes, each at its place."""
    return [
        *_check_gates(lesson),
        *_check_sequence(lesson),
        *_check_initial(lesson),
        *_check_output(lesson),
        *_check_targets(lesson),
    ]


def _check_gates(lesson: RecurrentLesson) -> list[Found]:
    found: list[Found] = []
    wanted = CELL_GATES[lesson.cell]
    given = lesson.gates.given()
    width = 1 + lesson.inputs + lesson.hidden
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
                    msg(
                        "recurrent.gate_missing",
                        gate=gate,
                        cell=lesson.cell,
                        rows=lesson.hidden,
                        cols=width,
                    ),
                    True,
                )
            )
            continue
        rows = given[gate]
        if len(rows) != lesson.hidden:
            found.append(
                Found(
                    ("gates", gate),
                    msg("recurrent.gate_rows", gate=gate, got=len(rows), hidden=lesson.hidden),
                )
            )
        for r, row in enumerate(rows):
            if len(row) != width:
                found.append(
                    Found(
                        ("gates", gate, r),
                        msg(
                            "recurrent.gate_row",
                            gate=gate,
                            got=len(row),
                            need=width,
                            inputs=lesson.inputs,
                            hidden=lesson.hidden,
                        ),
                    )
                )
    return found


def _check_sequence(lesson: RecurrentLesson) -> list[Found]:
    return [
        Found(
            ("sequence", t),
            msg("recurrent.sequence_row", t=t + 1, got=len(x), inputs=lesson.inputs),
        )
        for t, x in enumerate(lesson.sequence)
        if len(x) != lesson.inputs
    ]


def _check_initial(lesson: RecurrentLesson) -> list[Found]:
    found: list[Found] = []
    initial = lesson.initial
    if initial is None:
        return found
    if initial.c is not None and lesson.cell != "lstm":
        found.append(Found(("initial", "c"), msg("recurrent.initial_c", cell=lesson.cell), True))
    for name in ("h", "c"):
        state = getattr(initial, name)
        if state is not None and len(state) != lesson.hidden:
            if name == "c" and lesson.cell != "lstm":
                continue
            found.append(
                Found(
                    ("initial", name),
                    msg("recurrent.initial_size", name=name, got=len(state), hidden=lesson.hidden),
                )
            )
    return found


def _check_output(lesson: RecurrentLesson) -> list[Found]:
    if lesson.output is None:
        return []
    need = 1 + lesson.hidden
    return [
        Found(
            ("output", "weights", r),
            msg("recurrent.output_row", got=len(row), need=need, hidden=lesson.hidden),
        )
        for r, row in enumerate(lesson.output.weights)
        if len(row) != need
    ]


def _check_targets(lesson: RecurrentLesson) -> list[Found]:
    targets = lesson.targets
    if targets is None:
        return []
    every = lesson.output is not None and lesson.output.every_step
    steps = len(lesson.sequence)
    if every and len(targets) != steps:
        return [Found(("targets",), msg("recurrent.targets_every", got=len(targets), steps=steps))]
    if not every and len(targets) != 1:
        return [Found(("targets",), msg("recurrent.targets_last", got=len(targets)))]
    size = len(lesson.output.weights) if lesson.output is not None else lesson.hidden
    what = "outputs" if lesson.output is not None else "hidden"
    return [
        Found(("targets", t), msg(f"recurrent.target_size.{what}", got=len(y), need=size))
        for t, y in enumerate(targets)
        if len(y) != size
    ]
