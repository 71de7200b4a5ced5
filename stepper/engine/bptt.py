"""Backpropagation through time: the error sent back from the last time step to the first.

Unrolled, a recurrent cell is a deep network whose layers are its time steps and share their
weights. So the lecture's backward rule applies step by step, from t = T down to 1: the error
reaching h_t (written εʰ_t) is what comes from the output at t, if there is one, plus what
comes back from step t+1, where h_t was an input of every gate (each gate's δ at t+1 times the
weight that multiplied h_t). From εʰ_t each gate's δ at t follows, as a neuron's δ follows
from its error: times the derivative of the gate's activation and of the cell's rule. An
LSTM's memory c_t has its own error εᶜ_t, which also flows back through the forget gate.

Signs follow the dense convention: every quantity here is −(1/c)·∂L/∂(it), c = 2 for sse.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from stepper.activations import DERIVATIVE
from stepper.engine.recurrent_cells import gate_inputs
from stepper.explain import explain
from stepper.steps import Phase, Quantity

if TYPE_CHECKING:
    from stepper.engine.recurrent import RecurrentRun

Row = list[Quantity]


def backward(run: RecurrentRun) -> None:
    """Every backward quantity, time step by time step from the last."""
    state = run.run
    T = run.T
    state.deltas = {g: [[] for _ in range(T + 2)] for g in run.gate_keys}
    state.out_deltas = {}
    state.dh = [[] for _ in range(T + 2)]
    state.dc = [[] for _ in range(T + 2)]
    units = range(1, run.n_hidden + 1)
    for t in range(T, 0, -1):
        if t in state.outputs:
            state.out_deltas[t] = _output_deltas(run, t)
        state.dh[t] = [_dh(run, t, i) for i in units]
        if run.cell == "rnn":
            state.deltas["h"][t] = [_gate_delta(run, "h", t, i) for i in units]
        elif run.cell == "lstm":
            state.dc[t] = [_dc(run, t, i) for i in units]
            for g in run.gate_keys:
                state.deltas[g][t] = [_gate_delta(run, g, t, i) for i in units]
        else:
            for g in ("z", "n", "r"):  # δʳ reads δⁿ of the same step
                state.deltas[g][t] = [_gate_delta(run, g, t, i) for i in units]


def output_delta(run: RecurrentRun, t: int, i: int) -> Quantity:
    """δ of output i at time t (its error ε itself when the output is linear)."""
    return run.run.out_deltas[t][i - 1]


def gate_input(run: RecurrentRun, gate: str, t: int, i: int, j: int) -> list[Quantity]:
    """What weight j of the gate's unit i multiplied at time t: 1, x, h_{t−1} (r·h_{t−1}
    for the GRU's candidate)."""
    return gate_inputs(run, gate, t)[j]


def _output_deltas(run: RecurrentRun, t: int) -> Row:
    """δ = ε·s'(ỹ) of each output at t; a linear output (or none: h is compared) passes ε."""
    eps = run.run.errors[t]
    act = run.activation
    if not run.Tw or act == "linear":
        return eps
    outs = run.run.outputs[t]
    deltas = []
    for i, (e, y) in enumerate(zip(eps, outs, strict=True), 1):
        sym = run.out_at("delta", t, i, tag="y")
        deltas.append(
            run.emit(
                run.out_key("do", t, i),
                Phase.BACKWARD,
                None,
                template="delta_gate",
                params=(act,),
                sym=sym,
                operands=[e, y],
                value=e.value * DERIVATIVE[act](y.value),
                explanation=explain(
                    f"rec.dy.{act}",
                    run.lang,
                    d=sym.unicode(),
                    eps=e.sym.unicode(),
                    y=y.sym.unicode(),
                    tanh=run.tanh,
                ),
                neuron=i,
            )
        )
    return deltas


def _dh(run: RecurrentRun, t: int, i: int) -> Quantity:
    """εʰ of unit i at t: from the output at t, and back from every gate of step t+1."""
    state = run.run
    factors: list[list[Quantity]] = []
    if t in state.outputs:
        if run.Tw:
            factors += [[d, run.Tw[k][i]] for k, d in enumerate(state.out_deltas[t])]
        else:
            factors.append([state.errors[t][i - 1]])
    came_back = t < run.T
    later = _from_next(run, t + 1, i) if came_back else []
    factors += later
    sym = run.at("eps", t, i, tag="h")
    value = 0.0
    for group in factors:
        product = 1.0
        for q in group:
            product *= q.value
        value += product
    if came_back:
        first = later[0]
        how = "both" if t in state.outputs else "next"
        words = explain(
            f"rec.dh.{how}.{run.cell}",
            run.lang,
            e=sym.unicode(),
            h=state.h[t][i - 1].sym.unicode(),
            t=t,
            next=t + 1,
            term=" · ".join(q.sym.unicode() for q in first),
        )
    else:
        words = explain(
            "rec.dh.out" if run.Tw else "rec.dh.eps",
            run.lang,
            e=sym.unicode(),
            h=state.h[t][i - 1].sym.unicode(),
        )
    return run.emit(
        f"dh[{t},{i}]",
        Phase.BACKWARD,
        None,
        template="terms",
        params=tuple(len(g) for g in factors),
        sym=sym,
        operands=[q for g in factors for q in g],
        value=value,
        explanation=run.once("state", words),
        neuron=i,
    )


def _from_next(run: RecurrentRun, later: int, i: int) -> list[list[Quantity]]:
    """The terms by which h of unit i at ``later − 1`` reaches the loss through step
    ``later``: each gate's δ there times the weight on h_i (column N + i), and for the GRU its
    direct path z·h and the candidate's, through r."""
    state = run.run
    col = run.n_in + i
    terms: list[list[Quantity]] = []
    if run.cell == "gru":
        terms.append([state.dh[later][i - 1], state.gates["z"][later][i - 1]])
    for g in run.gate_keys:
        for k, d in enumerate(state.deltas[g][later]):
            w = run.W[g][k][col]
            terms.append([d, w, state.gates["r"][later][i - 1]] if g == "n" else [d, w])
    return terms


def _dc(run: RecurrentRun, t: int, i: int) -> Quantity:
    """εᶜ of unit i at t: through h_t = o·tanh(c_t), plus through c_{t+1} = f·c_t + …"""
    state = run.run
    e, o, c = state.dh[t][i - 1], state.gates["o"][t][i - 1], state.c[t][i - 1]
    operands = [e, o, c]
    value = e.value * o.value * (1.0 - math.tanh(c.value) ** 2)
    if t < run.T:
        later, f = state.dc[t + 1][i - 1], state.gates["f"][t + 1][i - 1]
        operands += [later, f]
        value += later.value * f.value
    sym = run.at("eps", t, i, tag="c")
    return run.emit(
        f"dc[{t},{i}]",
        Phase.BACKWARD,
        None,
        template="lstm_dc",
        params=run.tgh,
        sym=sym,
        operands=operands,
        value=value,
        explanation=explain(
            "rec.dc.next" if t < run.T else "rec.dc.last",
            run.lang,
            e=sym.unicode(),
            eh=e.sym.unicode(),
            c=c.sym.unicode(),
            o=o.sym.unicode(),
            tanh=run.tanh,
            next=t + 1,
            f=operands[-1].sym.unicode(),
        ),
        neuron=i,
    )


def _gate_delta(run: RecurrentRun, g: str, t: int, i: int) -> Quantity:
    """δ of the gate's unit i at t: the error reaching the gate's value, times the derivative
    of its activation (written with the value, as the lecture's 1 − z²)."""
    state = run.run
    gate = state.gates[g][t][i - 1]
    template, params, operands, value = _GATE_DELTAS[run.cell, g](run, t, i, gate)
    sym = run.at("delta", t, i, tag=run.tag(g))
    reaching = state.dc[t][i - 1] if run.cell == "lstm" and g != "o" else state.dh[t][i - 1]
    return run.emit(
        f"d[{g},{t},{i}]",
        Phase.BACKWARD,
        None,
        template=template,
        params=params,
        sym=sym,
        operands=operands,
        value=value,
        explanation=explain(
            f"rec.d.{g}",
            run.lang,
            d=sym.unicode(),
            e=reaching.sym.unicode(),
            value=gate.sym.unicode(),
            t=t,
            tanh=run.tanh,
        ),
        neuron=i,
    )


Delta = tuple[str, tuple[int | str, ...], list[Quantity], float]


def _sigmoid_times(factors: list[Quantity], gate: Quantity) -> Delta:
    """δ = (product of ``factors``)·g·(1 − g) for a σ gate g."""
    value = gate.value * (1.0 - gate.value)
    for q in factors:
        value *= q.value
    return "delta_gate", ("sigmoid",), [*factors, gate], value


def _tanh_times(factors: list[Quantity], gate: Quantity) -> Delta:
    """δ = (product of ``factors``)·(1 − g²) for a tanh gate g."""
    value = 1.0 - gate.value**2
    for q in factors:
        value *= q.value
    return "delta_gate", ("tanh",), [*factors, gate], value


def _rnn_h(run: RecurrentRun, t: int, i: int, h: Quantity) -> Delta:
    """h_t = tanh(u_t): δ = εʰ·(1 − h²)."""
    return _tanh_times([run.run.dh[t][i - 1]], h)


def _lstm_f(run: RecurrentRun, t: int, i: int, f: Quantity) -> Delta:
    """c_t = f·c_{t−1} + …: δᶠ = εᶜ·c_{t−1}·f(1 − f)."""
    return _sigmoid_times([run.run.dc[t][i - 1], run.run.c[t - 1][i - 1]], f)


def _lstm_i(run: RecurrentRun, t: int, i: int, gate: Quantity) -> Delta:
    """c_t = … + i·g: δⁱ = εᶜ·g·i(1 − i)."""
    return _sigmoid_times([run.run.dc[t][i - 1], run.run.gates["g"][t][i - 1]], gate)


def _lstm_g(run: RecurrentRun, t: int, i: int, g: Quantity) -> Delta:
    """c_t = … + i·g: δᵍ = εᶜ·i·(1 − g²)."""
    return _tanh_times([run.run.dc[t][i - 1], run.run.gates["i"][t][i - 1]], g)


def _lstm_o(run: RecurrentRun, t: int, i: int, o: Quantity) -> Delta:
    """h_t = o·tanh(c_t): δᵒ = εʰ·tanh(c_t)·o(1 − o)."""
    eh, c = run.run.dh[t][i - 1], run.run.c[t][i - 1]
    value = eh.value * math.tanh(c.value) * o.value * (1.0 - o.value)
    return "delta_lstm_o", run.tgh, [eh, c, o], value


def _gru_z(run: RecurrentRun, t: int, i: int, z: Quantity) -> Delta:
    """h_t = (1 − z)·n + z·h_{t−1}: δ = εʰ·(h_{t−1} − n)·z(1 − z)."""
    eh, before = run.run.dh[t][i - 1], run.run.h[t - 1][i - 1]
    n = run.run.gates["n"][t][i - 1]
    value = eh.value * (before.value - n.value) * z.value * (1.0 - z.value)
    return "delta_gru_z", (), [eh, before, n, z], value


def _gru_n(run: RecurrentRun, t: int, i: int, n: Quantity) -> Delta:
    """h_t = (1 − z)·n + …: δⁿ = εʰ·(1 − z)·(1 − n²)."""
    eh, z = run.run.dh[t][i - 1], run.run.gates["z"][t][i - 1]
    value = eh.value * (1.0 - z.value) * (1.0 - n.value**2)
    return "delta_gru_n", (), [eh, z, n], value


def _gru_r(run: RecurrentRun, t: int, i: int, r: Quantity) -> Delta:
    """n_t reads r·h_{t−1}: the error reaching that product is Σ δⁿ·w (the candidate's
    weights on it), so δʳ = (Σ δⁿ·w)·h_{t−1}·r(1 − r)."""
    col = run.n_in + i
    pairs = [(d, run.W["n"][k][col]) for k, d in enumerate(run.run.deltas["n"][t])]
    before = run.run.h[t - 1][i - 1]
    reaching = 0.0
    for d, w in pairs:
        reaching += d.value * w.value
    value = reaching * before.value * r.value * (1.0 - r.value)
    return "delta_gru_r", (), [*(q for p in pairs for q in p), before, r], value


_GATE_DELTAS = {
    ("rnn", "h"): _rnn_h,
    ("lstm", "f"): _lstm_f,
    ("lstm", "i"): _lstm_i,
    ("lstm", "g"): _lstm_g,
    ("lstm", "o"): _lstm_o,
    ("gru", "r"): _gru_r,
    ("gru", "z"): _gru_z,
    ("gru", "n"): _gru_n,
}
