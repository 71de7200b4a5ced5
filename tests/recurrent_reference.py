"""A recurrent cell computed here, independently of the engine, straight from issue 14's
equations: numpy forward through time, backpropagation through time written out by hand, one
update, central finite differences of the loss, and the same cell under torch autograd where
torch is installed (the module takes torch as an argument, so it imports without it).

Every function returns numbers by the engine's step keys (``u[f,2,1]``, ``h[2,1]``,
``dh[1,1]``, ``d[g,2,1]``, ``dw[o,1,0]``, ``t[1,2]``, ``check.loss`` …), so a test compares a
solution's steps with them key by key. Indices are the lecture's: t and i from 1, the column j of
a weight row from 0 (the bias), then the inputs x_1 … x_N, then h_1 … h_M.

The sign convention is the dense one: every δ, and the error reaching h_t and c_t, is
−(1/c)·∂L/∂(·) with c = 2 for sse (L = Σε²) and c = 1 for half_sse (L = ½Σε²), so the error
reaching ỹ is ε = y − ỹ itself; every increment is Δw = −α·∂L/∂w = c·α·Σ_t input·δ.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

Values = dict[str, float]


def sigmoid(u: Any) -> Any:
    return 1.0 / (1.0 + np.exp(-u))


def _identity(u: Any) -> Any:
    return u


#: Each cell's gates in the order of its formulas, and each gate's squashing function.
CELLS: dict[str, tuple[str, ...]] = {
    "rnn": ("h",),
    "lstm": ("f", "i", "g", "o"),
    "gru": ("r", "z", "n"),
}
TANH_GATES = frozenset({"h", "g", "n"})
OUTPUT: dict[str, Callable[[Any], Any]] = {
    "linear": _identity,
    "identity": _identity,
    "tanh": np.tanh,
    "sigmoid": sigmoid,
}


def _slope(activation: str, out: np.ndarray) -> np.ndarray:
    """s'(u) written with s(u): 1, 1 − s², s·(1 − s)."""
    if activation == "tanh":
        return 1.0 - out**2
    if activation == "sigmoid":
        return out * (1.0 - out)
    return np.ones_like(out)


@dataclass(frozen=True)
class Net:
    """A recurrent lesson's numbers. ``gates`` maps a gate to its M × (1 + N + M) matrix,
    ``output`` is K × (1 + M) or None (then the targets are compared with h), ``targets`` has
    one row per time step with ``every_step``, else one row for the last step, or is None
    (forward only); ``alpha`` None: no learning rate, so no update (the errors and δ only)."""

    cell: str
    gates: Mapping[str, np.ndarray]
    sequence: np.ndarray
    h0: np.ndarray
    c0: np.ndarray
    output: np.ndarray | None = None
    activation: str = "linear"
    every_step: bool = False
    targets: np.ndarray | None = None
    loss: str = "sse"
    alpha: float | None = 0.1

    @property
    def steps(self) -> int:
        return len(self.sequence)

    @property
    def inputs(self) -> int:
        return int(self.sequence.shape[1])

    @property
    def hidden(self) -> int:
        return len(self.h0)

    @property
    def factor(self) -> float:
        """c in δ = −(1/c)·∂L/∂u: 2 for sse, 1 for half_sse."""
        return 2.0 if self.loss == "sse" else 1.0

    def out_times(self) -> list[int]:
        """The time steps with an output (and a target): every one, or the last."""
        return list(range(1, self.steps + 1)) if self.every_step else [self.steps]

    def out_key(self, name: str, t: int, k: int) -> str:
        """An output-side key: ``y[t,k]`` with every_step, else ``y[k]``."""
        return f"{name}[{t},{k}]" if self.every_step else f"{name}[{k}]"


def _put(values: Values, nudge: Mapping[str, float], keys: list[str], vec: np.ndarray) -> Any:
    """Store ``vec`` under ``keys``, each moved by its nudge (a finite difference's ±h)."""
    moved = vec + np.array([nudge.get(key, 0.0) for key in keys])
    values.update(zip(keys, (float(v) for v in moved), strict=True))
    return moved


def forward(net: Net, nudge: Mapping[str, float] | None = None) -> Values:
    """Every forward and error value by key. ``nudge`` adds a number to a quantity right after
    it is computed (a pre-activation ``u[G,t,i]``, a state ``h[t,i]`` or ``c[t,i]``, an
    output pre-activation ``v[…]``), so that ∂L/∂(that quantity), the error reaching it from
    everywhere it is used, is a difference of two losses."""
    nudge = nudge or {}
    values: Values = {}
    units = range(1, net.hidden + 1)
    h, c = net.h0.astype(float), net.c0.astype(float)
    states = [h]
    for t in range(1, net.steps + 1):

        def gate(name: str, past: np.ndarray, t: int = t) -> Any:
            keys = [f"u[{name},{t},{i}]" for i in units]
            u = _put(values, nudge, keys, net.gates[name] @ _column(net, t, past))
            act = np.tanh(u) if name in TANH_GATES else sigmoid(u)
            if name != "h":  # the rnn's gate is the state itself, stored below
                _put(values, {}, [f"{name}[{t},{i}]" for i in units], act)
            return act

        if net.cell == "rnn":
            h = gate("h", h)
        elif net.cell == "lstm":
            f, i_, g, o = (gate(name, h) for name in ("f", "i", "g", "o"))
            c = _put(values, nudge, [f"c[{t},{i}]" for i in units], f * c + i_ * g)
            h = o * np.tanh(c)
        else:
            r, z = gate("r", h), gate("z", h)
            n = gate("n", r * h)
            h = (1.0 - z) * n + z * h
        h = _put(values, nudge, [f"h[{t},{i}]" for i in units], h)
        states.append(h)
    _error(net, states, values, nudge)
    return values


def _error(net: Net, states: list[np.ndarray], values: Values, nudge: Mapping[str, float]) -> None:
    """Outputs, errors ε = y − ỹ and the loss (no loss without targets)."""
    total = 0.0
    for s, t in enumerate(net.out_times()):
        if net.output is None:
            out = states[t]
        else:
            size = range(1, len(net.output) + 1)
            v = _put(
                values,
                nudge,
                [net.out_key("v", t, k) for k in size],
                net.output @ np.concatenate([[1.0], states[t]]),
            )
            out = _put(
                values, {}, [net.out_key("y", t, k) for k in size], OUTPUT[net.activation](v)
            )
        if net.targets is None:
            continue
        e = net.targets[s] - out
        _put(values, {}, [net.out_key("e", t, k) for k in range(1, len(e) + 1)], e)
        total += float(np.sum(e**2))
    if net.targets is not None:
        values["loss"] = total if net.loss == "sse" else 0.5 * total


def loss(net: Net, nudge: Mapping[str, float] | None = None) -> float:
    return forward(net, nudge)["loss"]


def _column(net: Net, t: int, past: np.ndarray) -> np.ndarray:
    return np.concatenate([[1.0], net.sequence[t - 1], past])


@dataclass
class _States:
    """The forward pass as vectors by time step (index 0: the initial states), and the
    errors reaching c_t as BPTT finds them."""

    h: list[np.ndarray]
    c: list[np.ndarray]
    gates: dict[str, list[np.ndarray]]
    dc: dict[int, np.ndarray]


@dataclass
class _Back:
    """What one time step of BPTT hands on: the δ of each gate with the column it multiplies
    (``dw`` sums δ·columnᵀ over time), and the error passed to h_{t−1} and c_{t−1}."""

    deltas: dict[str, np.ndarray]
    columns: dict[str, np.ndarray]
    to_h: np.ndarray
    to_c: np.ndarray


def _past_part(net: Net, name: str, delta: np.ndarray) -> np.ndarray:
    """The error a gate's δ sends back to h_{t−1} (or r ⊙ h_{t−1}): its h columns, transposed."""
    past: np.ndarray = net.gates[name][:, 1 + net.inputs :].T @ delta
    return past


def _back_rnn(net: Net, fwd: _States, t: int, dh: np.ndarray, dc_next: np.ndarray) -> _Back:
    delta = dh * (1.0 - fwd.h[t] ** 2)
    column = _column(net, t, fwd.h[t - 1])
    return _Back({"h": delta}, {"h": column}, _past_part(net, "h", delta), dc_next)


def _back_lstm(net: Net, fwd: _States, t: int, dh: np.ndarray, dc_next: np.ndarray) -> _Back:
    f, i, g, o = (fwd.gates[name][t] for name in ("f", "i", "g", "o"))
    squashed = np.tanh(fwd.c[t])
    dc = dh * o * (1.0 - squashed**2) + dc_next
    fwd.dc[t] = dc
    deltas = {
        "f": dc * fwd.c[t - 1] * f * (1.0 - f),
        "i": dc * g * i * (1.0 - i),
        "g": dc * i * (1.0 - g**2),
        "o": dh * squashed * o * (1.0 - o),
    }
    column = _column(net, t, fwd.h[t - 1])
    to_h = sum((_past_part(net, name, d) for name, d in deltas.items()), np.zeros(net.hidden))
    return _Back(deltas, dict.fromkeys(deltas, column), to_h, dc * f)


def _back_gru(net: Net, fwd: _States, t: int, dh: np.ndarray, dc_next: np.ndarray) -> _Back:
    r, z, n = (fwd.gates[name][t] for name in ("r", "z", "n"))
    past = fwd.h[t - 1]
    d_z = dh * (past - n) * z * (1.0 - z)
    d_n = dh * (1.0 - z) * (1.0 - n**2)
    to_rh = _past_part(net, "n", d_n)  # the error reaching r ⊙ h_{t−1}
    d_r = to_rh * past * r * (1.0 - r)
    to_h = dh * z + to_rh * r + _past_part(net, "r", d_r) + _past_part(net, "z", d_z)
    column = _column(net, t, past)
    columns = {"r": column, "z": column, "n": _column(net, t, r * past)}
    return _Back({"r": d_r, "z": d_z, "n": d_n}, columns, to_h, dc_next)


BACK = {"rnn": _back_rnn, "lstm": _back_lstm, "gru": _back_gru}


def _states(net: Net, fwd: Values) -> _States:
    units = range(1, net.hidden + 1)
    steps = range(1, net.steps + 1)

    def series(name: str, first: np.ndarray) -> list[np.ndarray]:
        return [first] + [np.array([fwd[f"{name}[{t},{i}]"] for i in units]) for t in steps]

    c = series("c", net.c0.astype(float)) if net.cell == "lstm" else []
    gates = {name: series(name, np.zeros(net.hidden)) for name in CELLS[net.cell]}
    return _States(series("h", net.h0.astype(float)), c, gates, {})


def _output_back(
    net: Net, fwd: Values, states: _States, values: Values
) -> tuple[np.ndarray | None, dict[int, np.ndarray]]:
    """The output layer's δ (keyed ``do``), Σ_t δ·[1, h_t]ᵀ for ∂L/∂T, and the error each
    time step's output sends to its h_t."""
    assert net.targets is not None
    grad = None if net.output is None else np.zeros_like(net.output, dtype=float)
    reach: dict[int, np.ndarray] = {}
    for s, t in enumerate(net.out_times()):
        if net.output is None or grad is None:
            reach[t] = net.targets[s] - states.h[t]
            continue
        size = range(1, len(net.output) + 1)
        y = np.array([fwd[net.out_key("y", t, k)] for k in size])
        do = (net.targets[s] - y) * _slope(net.activation, y)
        _put(values, {}, [net.out_key("do", t, k) for k in size], do)
        reach[t] = net.output[:, 1:].T @ do
        grad += np.outer(do, np.concatenate([[1.0], states.h[t]]))
    return grad, reach


def backward(net: Net) -> Values:
    """Backpropagation through time by hand, from the last step to the first: the output
    layer's δ (keyed ``do``), the error reaching each h_t and c_t (``dh``, ``dc``: the part
    from step t+1 included), each gate's δ ``d[G,t,i]``, the increments ``dw[G,i,j]`` (summed
    over time) and ``dt[k,j]``."""
    assert net.targets is not None, "backward needs targets"
    values: Values = {}
    units = range(1, net.hidden + 1)
    fwd = forward(net)
    states = _states(net, fwd)
    out_grad, reach = _output_back(net, fwd, states, values)
    grads = {name: np.zeros_like(m, dtype=float) for name, m in net.gates.items()}
    to_h, to_c = np.zeros(net.hidden), np.zeros(net.hidden)
    for t in range(net.steps, 0, -1):
        dh = _put(values, {}, [f"dh[{t},{i}]" for i in units], reach.get(t, 0.0) + to_h)
        back = BACK[net.cell](net, states, t, dh, to_c)
        if t in states.dc:
            _put(values, {}, [f"dc[{t},{i}]" for i in units], states.dc[t])
        for name, delta in back.deltas.items():
            _put(values, {}, [f"d[{name},{t},{i}]" for i in units], delta)
            grads[name] += np.outer(delta, back.columns[name])
        to_h, to_c = back.to_h, back.to_c
    if net.alpha is None:
        return values
    step = net.factor * net.alpha
    for name, grad in grads.items():
        for (i, j), value in np.ndenumerate(grad):
            values[f"dw[{name},{i + 1},{j}]"] = step * value
    if out_grad is not None:
        for (k, j), value in np.ndenumerate(out_grad):
            values[f"dt[{k + 1},{j}]"] = step * value
    return values


def updated(net: Net, increments: Values) -> Net:
    """The net with every weight moved by its ``dw``/``dt`` in ``increments``."""
    gates = {
        name: m + _matrix(m.shape, _entries(increments, name)) for name, m in net.gates.items()
    }
    output = net.output
    if output is not None:
        output = output + _matrix(output.shape, _entries(increments, None))
    return replace(net, gates=gates, output=output)


def _entries(increments: Values, gate: str | None) -> Callable[[int, int], float]:
    """A gate's increments by row and column (the output's with no gate)."""
    prefix = "dt[" if gate is None else f"dw[{gate},"
    return lambda i, j: increments[f"{prefix}{i},{j}]"]


def _matrix(shape: tuple[int, ...], entry: Callable[[int, int], float]) -> np.ndarray:
    """A matrix by its entries' keys: rows from 1, columns from 0."""
    return np.array([[entry(i + 1, j) for j in range(shape[1])] for i in range(shape[0])])


def new_weights(net: Net, increments: Values) -> Values:
    """The update: ``w[G,i,j]`` and ``t[k,j]``, each weight plus its increment (none
    without a learning rate)."""
    if net.alpha is None:
        return {}
    moved = updated(net, increments)
    values = {
        f"w[{name},{i + 1},{j}]": float(v)
        for name, m in moved.gates.items()
        for (i, j), v in np.ndenumerate(m)
    }
    if moved.output is not None:
        values.update((f"t[{k + 1},{j}]", float(v)) for (k, j), v in np.ndenumerate(moved.output))
    return values


def check(net: Net, increments: Values) -> Values:
    """The check phase: the forward pass again with the new weights, keys prefixed ``check.``
    (none without a learning rate)."""
    if net.alpha is None:
        return {}
    return {f"check.{key}": value for key, value in forward(updated(net, increments)).items()}


def everything(net: Net, increments: Values) -> Values:
    """Every key a solution of the lesson should carry, given the backward keys and increments
    found one way or another (by hand, by finite differences, by autograd)."""
    if net.targets is None:
        return forward(net)
    return forward(net) | increments | new_weights(net, increments) | check(net, increments)


def _weights(net: Net) -> Iterator[tuple[str, tuple[int, int]]]:
    for name, m in net.gates.items():
        for i, j in np.ndindex(m.shape):
            yield f"dw[{name},{i + 1},{j}]", (i, j)
    if net.output is not None:
        for k, j in np.ndindex(net.output.shape):
            yield f"dt[{k + 1},{j}]", (k, j)


def finite_differences(net: Net, step: float = 1e-6) -> Values:
    """The backward keys again, each from central differences of the loss: the error reaching
    a quantity q is −(1/c)·(L(q + h) − L(q − h))/2h with q nudged where it is computed, and an
    increment is −α·(L(w + h) − L(w − h))/2h with the weight moved in the lesson's numbers."""
    values: Values = {}
    keys = [key for key in forward(net) if key.startswith(("u[", "h[", "c[", "v["))]
    for key in keys:
        slope = (loss(net, {key: step}) - loss(net, {key: -step})) / (2 * step)
        name = {"u": "d", "h": "dh", "c": "dc", "v": "do"}[key[0]]
        inner = key[key.index("[") :]
        values[name + inner] = -slope / net.factor
    for key, (i, j) in _weights(net) if net.alpha is not None else ():
        moved = []
        for sign in (1.0, -1.0):
            if key.startswith("dw["):
                name = key[3]
                m = {**net.gates, name: net.gates[name].copy()}
                m[name][i, j] += sign * step
                moved.append(loss(replace(net, gates=m)))
            else:
                assert net.output is not None
                out = net.output.copy()
                out[i, j] += sign * step
                moved.append(loss(replace(net, output=out)))
        values[key] = -(net.alpha or 0.0) * (moved[0] - moved[1]) / (2 * step)
    return values


@dataclass
class _Tape:
    """torch's forward pass: the tensors holding each key's value (``shown``), those whose
    ``.grad`` gives an error key (``watched``: the error keys and the tensor), and the loss."""

    shown: list[tuple[list[str], Any]]
    watched: list[tuple[list[str], Any]]
    loss: Any = None

    def keep(self, keys: list[str], tensor: Any, errors: list[str] | None = None) -> Any:
        self.shown.append((keys, tensor))
        if errors is not None:
            tensor.retain_grad()
            self.watched.append((errors, tensor))
        return tensor


def _torch_forward(torch: Any, net: Net, params: dict[str, Any], out_w: Any) -> _Tape:
    """The cell's equations once more, on torch tensors, so that autograd differentiates them."""
    f64 = torch.float64
    tape = _Tape([], [])
    units = range(1, net.hidden + 1)
    h, c = torch.tensor(net.h0, dtype=f64), torch.tensor(net.c0, dtype=f64)
    hs = [h]
    for t in range(1, net.steps + 1):

        def gate(name: str, past: Any, t: int = t) -> Any:
            column = torch.cat([torch.ones(1, dtype=f64), torch.tensor(net.sequence[t - 1]), past])
            u = tape.keep(
                [f"u[{name},{t},{i}]" for i in units],
                params[name] @ column,
                [f"d[{name},{t},{i}]" for i in units],
            )
            act = torch.tanh(u) if name in TANH_GATES else torch.sigmoid(u)
            return tape.keep([f"{name}[{t},{i}]" for i in units], act)

        if net.cell == "rnn":
            h = gate("h", h)
        elif net.cell == "lstm":
            f, i_, g, o = (gate(name, h) for name in ("f", "i", "g", "o"))
            c = tape.keep(
                [f"c[{t},{i}]" for i in units], f * c + i_ * g, [f"dc[{t},{i}]" for i in units]
            )
            h = o * torch.tanh(c)
        else:
            r, z = gate("r", h), gate("z", h)
            h = (1 - z) * gate("n", r * h) + z * h
        hs.append(tape.keep([f"h[{t},{i}]" for i in units], h, [f"dh[{t},{i}]" for i in units]))
    squash = {"tanh": torch.tanh, "sigmoid": torch.sigmoid}.get(net.activation, lambda u: u)
    total = torch.zeros((), dtype=f64)
    for s, t in enumerate(net.out_times()):
        out = hs[t]
        if out_w is not None:
            size = range(1, len(out_w) + 1)
            v = tape.keep(
                [net.out_key("v", t, k) for k in size],
                out_w @ torch.cat([torch.ones(1, dtype=f64), hs[t]]),
                [net.out_key("do", t, k) for k in size],
            )
            out = tape.keep([net.out_key("y", t, k) for k in size], squash(v))
        if net.targets is not None:
            e = torch.tensor(net.targets[s], dtype=f64) - out
            tape.keep([net.out_key("e", t, k) for k in range(1, len(e) + 1)], e)
            total = total + torch.sum(e**2)
    if net.targets is not None:
        tape.loss = total if net.loss == "sse" else 0.5 * total
    return tape


def torch_values(torch: Any, net: Net) -> Values:
    """Forward values, and the backward keys from torch autograd in float64: ``.grad`` of
    every pre-activation, state and weight after ``loss.backward()``, turned into the sign
    convention (−1/c) and into increments (−α)."""
    f64 = torch.float64
    params = {name: torch.tensor(m, dtype=f64, requires_grad=True) for name, m in net.gates.items()}
    out_w = None
    if net.output is not None:
        out_w = torch.tensor(net.output, dtype=f64, requires_grad=True)
    tape = _torch_forward(torch, net, params, out_w)
    values = {k: v.item() for keys, tensor in tape.shown for k, v in zip(keys, tensor, strict=True)}
    if tape.loss is None:
        return values
    values["loss"] = tape.loss.item()
    tape.loss.backward()
    for keys, tensor in tape.watched:
        grad = torch.zeros_like(tensor) if tensor.grad is None else tensor.grad
        values.update((k, -g.item() / net.factor) for k, g in zip(keys, grad, strict=True))
    for key, (i, j) in _weights(net) if net.alpha is not None else ():
        tensor = params[key[3]] if key.startswith("dw[") else out_w
        assert tensor is not None
        values[key] = -(net.alpha or 0.0) * tensor.grad[i, j].item()
    return values
