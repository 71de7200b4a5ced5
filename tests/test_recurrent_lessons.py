"""The built-in recurrent lessons lstm-1, gru-1 and rnn-2, worked by hand.

Each lesson's numbers are computed here the way a student computes them on paper, one equation
of the cell at a time, with math.tanh and the sigmoid written out, and never with the engine:
forward through time, the error, backpropagation through time from the last step to the
first (the error reaching h and c, each gate's δ), the increments summed over time, the new
weights, and the loss after the update. The solution must agree to 1e-12. The tests also pin
what each lesson is for: a forget gate that forgets some and keeps some, an input gate that
writes the stimulus and then hardly writes, a reset gate that turns the candidate's sign, an
update gate that renews and then keeps, and a second unit's error reaching the first through
the recurrent matrix.
"""

from __future__ import annotations

import math

import pytest

from stepper.steps import Solution
from tests.conftest import solved

TOL = 1e-12
ALPHA = 0.1  # every lesson's learning rate; sse, so Δw = 2α · input · δ


def sigma(u: float) -> float:
    """The sigmoid, as the lecture writes it."""
    return 1 / (1 + math.exp(-u))


def values(solution: Solution) -> dict[str, float]:
    """The value of each key (the check phase's keys are prefixed, so none repeats)."""
    return {step.key: step.value for step in solution.steps}


def agree(found: dict[str, float], expected: dict[str, float]) -> None:
    """Every expected key is in the solution, with the value worked here."""
    for key, value in expected.items():
        assert key in found, key
        assert found[key] == pytest.approx(value, abs=TOL), key


# --- lstm-1: x = 1 then 0, h₀ = 0, c₀ = 0.8, target 0.5 ----------------------------------------


def lstm_forward(w: dict[str, list[float]]) -> dict[str, float]:
    """lstm-1's two steps with the gate rows ``w`` ([bias, w_x, w_h]), one line per equation."""
    s: dict[str, float] = {}
    x1, x2, h0, c0 = 1.0, 0.0, 0.0, 0.8
    # step 1
    s["u[f,1,1]"] = w["f"][0] + w["f"][1] * x1 + w["f"][2] * h0
    s["u[i,1,1]"] = w["i"][0] + w["i"][1] * x1 + w["i"][2] * h0
    s["u[g,1,1]"] = w["g"][0] + w["g"][1] * x1 + w["g"][2] * h0
    s["u[o,1,1]"] = w["o"][0] + w["o"][1] * x1 + w["o"][2] * h0
    s["f[1,1]"] = sigma(s["u[f,1,1]"])
    s["i[1,1]"] = sigma(s["u[i,1,1]"])
    s["g[1,1]"] = math.tanh(s["u[g,1,1]"])
    s["o[1,1]"] = sigma(s["u[o,1,1]"])
    s["c[1,1]"] = s["f[1,1]"] * c0 + s["i[1,1]"] * s["g[1,1]"]
    s["h[1,1]"] = s["o[1,1]"] * math.tanh(s["c[1,1]"])
    # step 2
    h1, c1 = s["h[1,1]"], s["c[1,1]"]
    s["u[f,2,1]"] = w["f"][0] + w["f"][1] * x2 + w["f"][2] * h1
    s["u[i,2,1]"] = w["i"][0] + w["i"][1] * x2 + w["i"][2] * h1
    s["u[g,2,1]"] = w["g"][0] + w["g"][1] * x2 + w["g"][2] * h1
    s["u[o,2,1]"] = w["o"][0] + w["o"][1] * x2 + w["o"][2] * h1
    s["f[2,1]"] = sigma(s["u[f,2,1]"])
    s["i[2,1]"] = sigma(s["u[i,2,1]"])
    s["g[2,1]"] = math.tanh(s["u[g,2,1]"])
    s["o[2,1]"] = sigma(s["u[o,2,1]"])
    s["c[2,1]"] = s["f[2,1]"] * c1 + s["i[2,1]"] * s["g[2,1]"]
    s["h[2,1]"] = s["o[2,1]"] * math.tanh(s["c[2,1]"])
    # the error of h₂ against its target
    s["e[1]"] = 0.5 - s["h[2,1]"]
    s["loss"] = s["e[1]"] ** 2
    return s


LSTM_GATES = {
    "f": [1.0, -2.0, 0.5],
    "i": [-1.0, 2.0, 0.3],
    "g": [0.0, 0.8, 0.5],
    "o": [0.5, 0.3, 0.2],
}


def lstm_backward(s: dict[str, float], w: dict[str, list[float]]) -> dict[str, float]:
    """Backpropagation through time of lstm-1, from step 2 to step 1; δ = ε · s'(u) as in the
    dense lessons (the error reaching a quantity, with ε = y − h₂)."""
    b: dict[str, float] = {}
    c0, c1, c2 = 0.8, s["c[1,1]"], s["c[2,1]"]
    # step 2: the error reaches h₂ from the target only, and c₂ only through h₂
    b["dh[2,1]"] = s["e[1]"]
    b["dc[2,1]"] = b["dh[2,1]"] * s["o[2,1]"] * (1 - math.tanh(c2) ** 2)
    b["d[o,2,1]"] = b["dh[2,1]"] * math.tanh(c2) * s["o[2,1]"] * (1 - s["o[2,1]"])
    b["d[f,2,1]"] = b["dc[2,1]"] * c1 * s["f[2,1]"] * (1 - s["f[2,1]"])
    b["d[i,2,1]"] = b["dc[2,1]"] * s["g[2,1]"] * s["i[2,1]"] * (1 - s["i[2,1]"])
    b["d[g,2,1]"] = b["dc[2,1]"] * s["i[2,1]"] * (1 - s["g[2,1]"] ** 2)
    # step 1: h₁ receives the four gates' δ of step 2 through their w_h; c₁ receives its part
    # through h₁ and, through the memory, dc₂ times the forget gate f₂
    b["dh[1,1]"] = (
        w["f"][2] * b["d[f,2,1]"]
        + w["i"][2] * b["d[i,2,1]"]
        + w["g"][2] * b["d[g,2,1]"]
        + w["o"][2] * b["d[o,2,1]"]
    )
    b["dc[1,1]"] = (
        b["dh[1,1]"] * s["o[1,1]"] * (1 - math.tanh(c1) ** 2) + b["dc[2,1]"] * s["f[2,1]"]
    )
    b["d[o,1,1]"] = b["dh[1,1]"] * math.tanh(c1) * s["o[1,1]"] * (1 - s["o[1,1]"])
    b["d[f,1,1]"] = b["dc[1,1]"] * c0 * s["f[1,1]"] * (1 - s["f[1,1]"])
    b["d[i,1,1]"] = b["dc[1,1]"] * s["g[1,1]"] * s["i[1,1]"] * (1 - s["i[1,1]"])
    b["d[g,1,1]"] = b["dc[1,1]"] * s["i[1,1]"] * (1 - s["g[1,1]"] ** 2)
    # increments summed over time: the inputs of a gate's row are [1, x_t, h_{t-1}]
    inputs = {1: (1.0, 1.0, 0.0), 2: (1.0, 0.0, s["h[1,1]"])}
    for gate in "figo":
        for j in range(3):
            b[f"dw[{gate},1,{j}]"] = sum(
                2 * ALPHA * inputs[t][j] * b[f"d[{gate},{t},1]"] for t in (1, 2)
            )
            b[f"w[{gate},1,{j}]"] = w[gate][j] + b[f"dw[{gate},1,{j}]"]
    return b


def test_lstm_1_forward_by_hand() -> None:
    s = lstm_forward(LSTM_GATES)
    agree(values(solved("lstm-1")), s)
    # x₁ = 1 closes the forget gate (it keeps 27 % of c₀ = 0.8) and opens the input gate
    assert s["u[f,1,1]"] == pytest.approx(-1.0) and s["u[i,1,1]"] == pytest.approx(1.0)
    assert 0.26 < s["f[1,1]"] < 0.27 and 0.73 < s["i[1,1]"] < 0.74
    # most of c₁ is the stimulus written now, not the memory kept
    assert s["i[1,1]"] * s["g[1,1]"] > s["f[1,1]"] * 0.8
    # x₂ = 0 opens the forget gate (it keeps 77 % of c₁) and almost closes the input gate
    assert 0.77 < s["f[2,1]"] < 0.78 and s["i[2,1]"] < 0.3
    assert s["f[2,1]"] * s["c[1,1]"] > 5 * s["i[2,1]"] * s["g[2,1]"]


def test_lstm_1_backward_and_update_by_hand() -> None:
    s = lstm_forward(LSTM_GATES)
    b = lstm_backward(s, LSTM_GATES)
    agree(values(solved("lstm-1")), b)
    # most of the error reaching c₁ comes back through the memory, from c₂ through f₂
    assert b["dc[2,1]"] * s["f[2,1]"] > 0.8 * b["dc[1,1]"]
    # after the update the forward pass is computed again: the loss went down
    new = {gate: [b[f"w[{gate},1,{j}]"] for j in range(3)] for gate in "figo"}
    after = lstm_forward(new)
    assert values(solved("lstm-1"))["check.loss"] == pytest.approx(after["loss"], abs=TOL)
    assert after["loss"] < s["loss"]


# --- gru-1: x = 1 then 0, h₀ = 0.8, target 0.5 ------------------------------------------------


GRU_GATES = {"r": [1.0, -2.0, 0.5], "z": [1.5, -3.0, 0.5], "n": [0.0, 1.0, -1.5]}


def gru_forward(w: dict[str, list[float]]) -> dict[str, float]:
    """gru-1's two steps; the candidate's w_h multiplies r ⊙ h, not h."""
    s: dict[str, float] = {}
    h = 0.8
    for t, x in ((1, 1.0), (2, 0.0)):
        s[f"u[r,{t},1]"] = w["r"][0] + w["r"][1] * x + w["r"][2] * h
        s[f"u[z,{t},1]"] = w["z"][0] + w["z"][1] * x + w["z"][2] * h
        s[f"r[{t},1]"] = sigma(s[f"u[r,{t},1]"])
        s[f"z[{t},1]"] = sigma(s[f"u[z,{t},1]"])
        s[f"u[n,{t},1]"] = w["n"][0] + w["n"][1] * x + w["n"][2] * (s[f"r[{t},1]"] * h)
        s[f"n[{t},1]"] = math.tanh(s[f"u[n,{t},1]"])
        s[f"h[{t},1]"] = (1 - s[f"z[{t},1]"]) * s[f"n[{t},1]"] + s[f"z[{t},1]"] * h
        h = s[f"h[{t},1]"]
    s["e[1]"] = 0.5 - s["h[2,1]"]
    s["loss"] = s["e[1]"] ** 2
    return s


def gru_backward(s: dict[str, float], w: dict[str, list[float]]) -> dict[str, float]:
    """Backpropagation through time of gru-1. From h_t = (1 − z)·n + z·h_{t−1}: the update
    gate's δ is dh·(h_{t−1} − n)·z(1 − z), the candidate's dh·(1 − z)·(1 − n²), and the reset
    gate's error arrives through the candidate's w_h times h_{t−1}."""
    b: dict[str, float] = {}
    before = {1: 0.8, 2: s["h[1,1]"]}
    b["dh[2,1]"] = s["e[1]"]
    for t in (2, 1):
        dh, hp = b[f"dh[{t},1]"], before[t]
        r, z, n = s[f"r[{t},1]"], s[f"z[{t},1]"], s[f"n[{t},1]"]
        b[f"d[z,{t},1]"] = dh * (hp - n) * z * (1 - z)
        b[f"d[n,{t},1]"] = dh * (1 - z) * (1 - n**2)
        b[f"d[r,{t},1]"] = w["n"][2] * b[f"d[n,{t},1]"] * hp * r * (1 - r)
        if t == 2:
            # h₁ reaches h₂ four ways: kept by z₂, and through the candidate, r₂ and z₂
            b["dh[1,1]"] = (
                dh * z
                + w["n"][2] * b["d[n,2,1]"] * r
                + w["r"][2] * b["d[r,2,1]"]
                + w["z"][2] * b["d[z,2,1]"]
            )
    rows = {
        "r": {1: (1.0, 1.0, 0.8), 2: (1.0, 0.0, s["h[1,1]"])},
        "z": {1: (1.0, 1.0, 0.8), 2: (1.0, 0.0, s["h[1,1]"])},
        "n": {1: (1.0, 1.0, s["r[1,1]"] * 0.8), 2: (1.0, 0.0, s["r[2,1]"] * s["h[1,1]"])},
    }
    for gate in "rzn":
        for j in range(3):
            b[f"dw[{gate},1,{j}]"] = sum(
                2 * ALPHA * rows[gate][t][j] * b[f"d[{gate},{t},1]"] for t in (1, 2)
            )
            b[f"w[{gate},1,{j}]"] = w[gate][j] + b[f"dw[{gate},1,{j}]"]
    return b


def test_gru_1_forward_by_hand() -> None:
    s = gru_forward(GRU_GATES)
    agree(values(solved("gru-1")), s)
    # the reset gate matters: it lets the candidate see 35 % of h₀, and that turns its sign
    assert 0.35 < s["r[1,1]"] < 0.36
    assert s["n[1,1]"] > 0 > math.tanh(0.0 + 1.0 * 1.0 - 1.5 * 0.8)
    # the update gate renews at step 1 (75 % candidate) and keeps at step 2 (86 % of h₁)
    assert 0.24 < s["z[1,1]"] < 0.25 and 0.85 < s["z[2,1]"] < 0.86


def test_gru_1_backward_and_update_by_hand() -> None:
    s = gru_forward(GRU_GATES)
    b = gru_backward(s, GRU_GATES)
    agree(values(solved("gru-1")), b)
    new = {gate: [b[f"w[{gate},1,{j}]"] for j in range(3)] for gate in "rzn"}
    after = gru_forward(new)
    assert values(solved("gru-1"))["check.loss"] == pytest.approx(after["loss"], abs=TOL)
    assert after["loss"] < s["loss"]


# --- rnn-2: two units, x = 0.1 then 0.7, h₀ = 0, an output and a target at every step ----------


RNN_W = [[0.1, 0.5, 0.8, -0.4], [0.2, -0.3, 0.5, 0.6]]
RNN_T = [0.0, 1.0, 0.5]


def rnn_forward(w: list[list[float]], out: list[float]) -> dict[str, float]:
    """rnn-2's two steps: each unit's row is [bias, w_x, w_h1, w_h2], written out."""
    s: dict[str, float] = {}
    h1, h2 = 0.0, 0.0
    for t, x, y in ((1, 0.1, 0.3), (2, 0.7, 1.0)):
        s[f"u[h,{t},1]"] = w[0][0] + w[0][1] * x + w[0][2] * h1 + w[0][3] * h2
        s[f"u[h,{t},2]"] = w[1][0] + w[1][1] * x + w[1][2] * h1 + w[1][3] * h2
        h1 = s[f"h[{t},1]"] = math.tanh(s[f"u[h,{t},1]"])
        h2 = s[f"h[{t},2]"] = math.tanh(s[f"u[h,{t},2]"])
        s[f"y[{t},1]"] = out[0] + out[1] * h1 + out[2] * h2
        s[f"e[{t},1]"] = y - s[f"y[{t},1]"]
    s["loss"] = s["e[1,1]"] ** 2 + s["e[2,1]"] ** 2
    return s


def rnn_backward(s: dict[str, float], w: list[list[float]], out: list[float]) -> dict[str, float]:
    """Backpropagation through time of rnn-2: h_t's error is its output's error through t_i,
    plus, before the last step, step t+1's δ of both units through the recurrent matrix's
    column i (the transpose)."""
    b: dict[str, float] = {}
    # step 2
    b["dh[2,1]"] = out[1] * s["e[2,1]"]
    b["dh[2,2]"] = out[2] * s["e[2,1]"]
    b["d[h,2,1]"] = b["dh[2,1]"] * (1 - s["h[2,1]"] ** 2)
    b["d[h,2,2]"] = b["dh[2,2]"] * (1 - s["h[2,2]"] ** 2)
    # step 1: its own output's error, and what comes back from step 2 through W's h columns
    b["dh[1,1]"] = out[1] * s["e[1,1]"] + w[0][2] * b["d[h,2,1]"] + w[1][2] * b["d[h,2,2]"]
    b["dh[1,2]"] = out[2] * s["e[1,1]"] + w[0][3] * b["d[h,2,1]"] + w[1][3] * b["d[h,2,2]"]
    b["d[h,1,1]"] = b["dh[1,1]"] * (1 - s["h[1,1]"] ** 2)
    b["d[h,1,2]"] = b["dh[1,2]"] * (1 - s["h[1,2]"] ** 2)
    inputs = {1: (1.0, 0.1, 0.0, 0.0), 2: (1.0, 0.7, s["h[1,1]"], s["h[1,2]"])}
    for i in (1, 2):
        for j in range(4):
            b[f"dw[h,{i},{j}]"] = sum(2 * ALPHA * inputs[t][j] * b[f"d[h,{t},{i}]"] for t in (1, 2))
            b[f"w[h,{i},{j}]"] = w[i - 1][j] + b[f"dw[h,{i},{j}]"]
    # the output weights: a linear output's δ is its error, at both steps
    seen = {1: (1.0, s["h[1,1]"], s["h[1,2]"]), 2: (1.0, s["h[2,1]"], s["h[2,2]"])}
    for j in range(3):
        b[f"dt[1,{j}]"] = sum(2 * ALPHA * seen[t][j] * s[f"e[{t},1]"] for t in (1, 2))
        b[f"t[1,{j}]"] = out[j] + b[f"dt[1,{j}]"]
    return b


def test_rnn_2_forward_by_hand() -> None:
    s = rnn_forward(RNN_W, RNN_T)
    agree(values(solved("rnn-2")), s)
    assert s["u[h,1,1]"] == pytest.approx(0.15) and s["u[h,1,2]"] == pytest.approx(0.17)


def test_rnn_2_backward_and_update_by_hand() -> None:
    s = rnn_forward(RNN_W, RNN_T)
    b = rnn_backward(s, RNN_W, RNN_T)
    agree(values(solved("rnn-2")), b)
    new_w = [[b[f"w[h,{i},{j}]"] for j in range(4)] for i in (1, 2)]
    new_t = [b[f"t[1,{j}]"] for j in range(3)]
    after = rnn_forward(new_w, new_t)
    assert values(solved("rnn-2"))["check.loss"] == pytest.approx(after["loss"], abs=TOL)
    assert after["loss"] < s["loss"] / 3
