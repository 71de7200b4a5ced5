"""The classic mistakes of a recurrent cell and of backpropagation through time.

Like ``stepper.quiz.mistakes``, each is the step computed again the way a learner making it
would, read off the step itself (its key, its template, where in time its operands sit:
``stepper.timeline``), and tried only where it can happen:

- the error reaching h_t or c_t without what comes back from step t+1 (the commonest slip of
  BPTT: treating the last step's rule as every step's);
- a gate's derivative taken as the other activation's: tanh's 1 − g² for a σ gate, σ's
  g·(1 − g) for the candidate;
- a GRU's h_t with z and 1 − z swapped (the other convention of the literature);
- an LSTM's c_t without the memory f·c_{t−1};
- an increment that takes one time step's term instead of the sum over time (the weights are
  shared by every step);
- a gate's net input without its bias.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from stepper.quiz.recompute import evaluate
from stepper.steps import Solution, Step
from stepper.timeline import time_of

if TYPE_CHECKING:
    from stepper.quiz.mistakes import Diagnosis, Mistake

Found = Iterator[tuple["Diagnosis", float | None]]

#: Where the gate's own value sits among a δ template's slots, and the activation whose
#: derivative the template takes (None: the step's first param says).
_GATE_SLOT: dict[str, tuple[int, str | None]] = {
    "delta_gate": (-1, None),
    "delta_lstm_o": (2, "sigmoid"),
    "delta_gru_z": (3, "sigmoid"),
    "delta_gru_r": (-1, "sigmoid"),
    "delta_gru_n": (2, "tanh"),
}


def _slope(activation: str, g: float) -> float:
    """An activation's derivative written with its value g, as the lecture writes it."""
    return g * (1.0 - g) if activation == "sigmoid" else 1.0 - g * g


def _names(step: Step, slots: Sequence[int]) -> str:
    return ", ".join(dict.fromkeys(step.operands[k].sym.unicode() for k in slots))


def recurrent_mistakes(solution: Solution, step: Step, values: Sequence[float]) -> Found:
    """(mistake, the value it gives) for each recurrent mistake that can happen at ``step``
    (none in a lesson of another kind)."""
    from stepper.quiz.mistakes import Diagnosis, kind

    if solution.recurrent is None:
        return
    what = kind(step.key)
    t = time_of(step.key)
    later = [
        k
        for k, q in enumerate(step.operands)
        if t is not None and q.step is not None and time_of(q.key) == t + 1
    ]
    if what in ("dh", "dc") and t is not None and later:
        zeroed = [0.0 if k in later else v for k, v in enumerate(values)]
        fields = (("e", step.sym.unicode()), ("names", _names(step, later)), ("next", str(t + 1)))
        yield Diagnosis("no_future", fields), evaluate(step, zeroed)
    if step.template in _GATE_SLOT:
        yield from _derivative(solution, step, values)
    if step.template == "gru_hidden":  # slots (z, n, h_{t−1})
        z = step.operands[0].sym.unicode()
        fields = (("z", z), ("n", _names(step, [1])), ("h", _names(step, [2])))
        yield Diagnosis("gru_swapped", fields), evaluate(step, [1.0 - values[0], *values[1:]])
    if what == "c" and t is not None and step.template == "terms":
        memory = [k for k, q in enumerate(step.operands) if kind(q.key) == "c"]
        if memory:
            zeroed = [0.0 if k in memory else v for k, v in enumerate(values)]
            yield Diagnosis("no_memory", (("c", _names(step, memory)),)), evaluate(step, zeroed)
    if step.template == "increment_terms":
        yield from _one_step(step, values)
    if what == "u" and step.template == "terms" and step.params[:1] == (1,) and len(values) > 1:
        bias = (("w", step.operands[0].sym.unicode()),)
        yield Diagnosis("bias", bias), evaluate(step, [0.0, *values[1:]])


def _derivative(solution: Solution, step: Step, values: Sequence[float]) -> Found:
    """The gate's δ with the other activation's derivative: σ's for tanh's, or tanh's for σ's."""
    from stepper.quiz.mistakes import Diagnosis

    slot, activation = _GATE_SLOT[step.template]
    activation = activation or str(step.params[0])
    if activation not in ("sigmoid", "tanh"):
        return
    right = evaluate(step, values)
    g = values[slot]
    own = _slope(activation, g)
    if right is None or own == 0:
        return
    other = "tanh" if activation == "sigmoid" else "sigmoid"
    tanh = solution.recurrent.tanh if solution.recurrent is not None else "tanh"
    fields = (("g", step.operands[slot].sym.unicode()), ("tanh", tanh))
    name: Mistake = "sigmoid_as_tanh" if activation == "sigmoid" else "tanh_as_sigmoid"
    yield Diagnosis(name, fields), right / own * _slope(other, g)


def _one_step(step: Step, values: Sequence[float]) -> Found:
    """Δw from the last time step's term alone (slot 0 is α, then terms of ``params[1]``
    factors, one per time step)."""
    from stepper.quiz.mistakes import Diagnosis

    size = int(step.params[1])
    groups = [range(k, k + size) for k in range(1, len(values), size)]
    if len(groups) < 2:
        return
    times = [max((time_of(step.operands[k].key) or 0) for k in g) for g in groups]
    last = max(times)
    dropped = [k for g, when in zip(groups, times, strict=True) if when != last for k in g]
    zeroed = [0.0 if k in dropped else v for k, v in enumerate(values)]
    yield Diagnosis("one_step", (("t", str(last)),)), evaluate(step, zeroed)
