"""How big a recurrent lesson may be: small enough to solve in moments and read step by step.

The work grows with the products written out: every gate's pre-activation at every step takes
the bias and a product per input and per hidden unit, and every weight's increment sums one
term per time step; the check phase passes the sequence forward again. A lesson past the limit
is refused at its sequence with the sizes that make it big, before anything is solved.
"""

from __future__ import annotations

from stepper.lesson.checks import Found
from stepper.lesson.errors import msg
from stepper.lesson.schema import CELL_GATES, RecurrentLesson

#: Most products a recurrent lesson may write out (see ``products``). At the limit a lesson
#: solves in about 2 s and writes some 80 MB of JSON in about 8 s; 100 steps of an LSTM with 12
#: units (201,600) pass, with 20 units (528,000: 15 s) they do not. Measured with
#: benchmarks/bench_recurrent_limit.py.
MAX_PRODUCTS = 250_000


def products(lesson: RecurrentLesson) -> int:
    """The products the engine writes out: each gate's row times [1, x_t, h_{t−1}] at every
    step (again in the check phase when the lesson trains), and each gate weight's increment
    as a sum over the steps."""
    steps = len(lesson.sequence)
    width = 1 + lesson.inputs + lesson.hidden
    per_pass = len(CELL_GATES[lesson.cell]) * lesson.hidden * width * steps
    trains = (
        lesson.targets is not None
        and lesson.training is not None
        and lesson.training.learning_rate is not None
    )
    return per_pass * (3 if trains else 1)


def check_limits(lesson: RecurrentLesson) -> list[Found]:
    """The lesson refused at its sequence when it would write out too many products."""
    count = products(lesson)
    if count <= MAX_PRODUCTS:
        return []
    return [
        Found(
            ("sequence",),
            msg(
                "recurrent.products",
                products=count,
                limit=MAX_PRODUCTS,
                steps=len(lesson.sequence),
                gates=len(CELL_GATES[lesson.cell]),
                hidden=lesson.hidden,
                width=1 + lesson.inputs + lesson.hidden,
            ),
            True,
        )
    ]
