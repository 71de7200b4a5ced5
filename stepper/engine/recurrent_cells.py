"""One time step of each recurrent cell: its gates, then its states.

Every gate is a small dense layer on [1, x_t, h_{t−1}]: a net input u (as the lecture's
neuron: each weight times its input, summed) and an activation, σ for a gate that lets a
fraction through, tanh for a candidate value. Then the cell's own rule mixes them:

- rnn: h_t = tanh(u_t), the gate is the state itself;
- lstm: c_t = f_t·c_{t−1} + i_t·g_t (keep some of the old memory, add some of the new), then
  h_t = o_t·tanh(c_t) (let some of it out);
- gru: n_t reads r_t·h_{t−1} (the reset gate chooses how much of the past the candidate sees),
  then h_t = (1 − z_t)·n_t + z_t·h_{t−1} (the update gate z keeps that fraction of the past).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from babel.lists import format_list

from stepper.activations import FORWARD
from stepper.explain import explain
from stepper.steps import Phase, Quantity

if TYPE_CHECKING:
    from stepper.engine.recurrent import RecurrentRun

#: The activation of each gate: σ for the gates that let a fraction through, tanh for the
#: values that are new content (the rnn's state, the LSTM's candidate g, the GRU's n).
GATE_ACTIVATION = {
    "h": "tanh",
    "f": "sigmoid",
    "i": "sigmoid",
    "g": "tanh",
    "o": "sigmoid",
    "r": "sigmoid",
    "z": "sigmoid",
    "n": "tanh",
}


def gate_inputs(run: RecurrentRun, gate: str, t: int) -> list[list[Quantity]]:
    """The factors each weight of ``gate``'s row multiplies at time t, column by column: none
    for the bias (its input is 1, left out as the lecture's w₁₀ + … reads), [x_t,j],
    [h_{t−1},k]; the GRU's candidate n reads [r_t,k, h_{t−1},k] instead of h."""
    columns: list[list[Quantity]] = [[]] + [[q] for q in run.run.x[t]]
    before = run.run.h[t - 1]
    if gate == "n":
        reset = run.run.gates["r"][t]
        return columns + [[r, h] for r, h in zip(reset, before, strict=True)]
    return columns + [[h] for h in before]


def step(run: RecurrentRun, t: int) -> None:
    """Every gate of the cell at time t, then its states (c and h)."""
    for gate in run.gate_keys:
        run.run.gates[gate].append([_gate(run, gate, t, i) for i in range(1, run.n_hidden + 1)])
    if run.cell == "rnn":
        run.run.h.append(run.run.gates["h"][t])
    elif run.cell == "lstm":
        run.run.c.append([_lstm_c(run, t, i) for i in range(1, run.n_hidden + 1)])
        run.run.h.append([_lstm_h(run, t, i) for i in range(1, run.n_hidden + 1)])
    else:
        run.run.h.append([_gru_h(run, t, i) for i in range(1, run.n_hidden + 1)])


def _gate(run: RecurrentRun, gate: str, t: int, i: int) -> Quantity:
    """u of the gate's unit i at time t, then the gate's value s(u)."""
    row = run.W[gate][i - 1]
    columns = gate_inputs(run, gate, t)
    operands: list[Quantity] = []
    counts: list[int] = []
    total = 0.0
    for w, factors in zip(row, columns, strict=True):
        operands += [w, *factors]
        counts.append(1 + len(factors))
        product = w.value
        for q in factors:
            product *= q.value
        total += product
    tag = run.tag(gate)
    before = format_list([q.sym.unicode() for q in run.run.h[t - 1]], locale=run.lang)
    u = run.emit(
        f"u[{gate},{t},{i}]",
        Phase.FORWARD,
        None,
        template="terms",
        params=tuple(counts),
        sym=run.at("u", t, i, tag=tag),
        operands=operands,
        value=total,
        explanation=run.once(
            "times" if run.n_hidden > 1 else "time",
            explain(f"rec.u.{gate}", run.lang, t=t, x=columns[1][0].sym.unicode(), h=before),
        ),
        neuron=i,
    )
    act = GATE_ACTIVATION[gate]
    key = "h" if gate == "h" else gate
    sym = run.gate_sym(gate, t, i)
    words = explain(
        f"rec.gate.{gate}", run.lang, value=sym.unicode(), u=u.sym.unicode(), tanh=run.tanh
    )
    if gate == "z":
        words = run.once("update", words)
    return run.emit(
        f"{key}[{t},{i}]",
        Phase.FORWARD,
        None,
        template="activation",
        params=(act, *run.tgh) if act == "tanh" else (act,),
        sym=sym,
        operands=[u],
        value=FORWARD[act](u.value),
        explanation=words,
        neuron=i,
    )


def _lstm_c(run: RecurrentRun, t: int, i: int) -> Quantity:
    """c_t = f_t·c_{t−1} + i_t·g_t."""
    g = run.run.gates
    f, inp, cand = g["f"][t][i - 1], g["i"][t][i - 1], g["g"][t][i - 1]
    before = run.run.c[t - 1][i - 1]
    sym = run.at("c", t, i)
    return run.emit(
        f"c[{t},{i}]",
        Phase.FORWARD,
        None,
        template="terms",
        params=(2, 2),
        sym=sym,
        operands=[f, before, inp, cand],
        value=f.value * before.value + inp.value * cand.value,
        explanation=explain(
            "rec.c",
            run.lang,
            c=sym.unicode(),
            f=f.sym.unicode(),
            before=before.sym.unicode(),
            i=inp.sym.unicode(),
            g=cand.sym.unicode(),
        ),
        neuron=i,
    )


def _lstm_h(run: RecurrentRun, t: int, i: int) -> Quantity:
    """h_t = o_t·tanh(c_t)."""
    o, c = run.run.gates["o"][t][i - 1], run.run.c[t][i - 1]
    sym = run.at("h", t, i)
    return run.emit(
        f"h[{t},{i}]",
        Phase.FORWARD,
        None,
        template="lstm_hidden",
        params=run.tgh,
        sym=sym,
        operands=[o, c],
        value=o.value * math.tanh(c.value),
        explanation=explain(
            "rec.h.lstm",
            run.lang,
            h=sym.unicode(),
            o=o.sym.unicode(),
            c=c.sym.unicode(),
            tanh=run.tanh,
        ),
        neuron=i,
    )


def _gru_h(run: RecurrentRun, t: int, i: int) -> Quantity:
    """h_t = (1 − z_t)·n_t + z_t·h_{t−1}."""
    z, n = run.run.gates["z"][t][i - 1], run.run.gates["n"][t][i - 1]
    before = run.run.h[t - 1][i - 1]
    sym = run.at("h", t, i)
    return run.emit(
        f"h[{t},{i}]",
        Phase.FORWARD,
        None,
        template="gru_hidden",
        params=(),
        sym=sym,
        operands=[z, n, before],
        value=(1.0 - z.value) * n.value + z.value * before.value,
        explanation=explain(
            "rec.h.gru",
            run.lang,
            h=sym.unicode(),
            z=z.sym.unicode(),
            n=n.sym.unicode(),
            before=before.sym.unicode(),
        ),
        neuron=i,
    )
