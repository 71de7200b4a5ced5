"""A synthetic recurrent Solution, for the picture's tests: the brief's step keys, any size.

The forward numbers are a real pass of the cell (numpy, float64), so that widths are those of
real values; the backward and update steps carry made-up small numbers, since the picture only
writes them. Symbols follow the brief's shape (f₂, uᶠ₂, δᶠ₂; h₂,₁ with several units).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from stepper.lesson.schema import CELL_GATES
from stepper.notation import Sym
from stepper.steps import Phase, Quantity, RecurrentShape, Solution, Step


@dataclass(frozen=True)
class Spec:
    """The lesson's sizes."""

    cell: str = "lstm"
    steps: int = 2
    hidden: int = 1
    inputs: int = 1
    outputs: int = 1
    every_step: bool = False
    check: bool = True
    seed: int = 0


def given(sym: Sym, key: str, value: float) -> Quantity:
    return Quantity(sym, key, value, f"{value:.5g}")


@dataclass
class _Builder:
    spec: Spec
    xs: list[tuple[float, ...]]
    weights: dict[str, np.ndarray]
    out_w: np.ndarray
    steps: list[Step] = field(default_factory=list)

    @property
    def gates(self) -> tuple[str, ...]:
        return tuple(CELL_GATES[self.spec.cell])

    def sym(self, letter: str, t: int, i: int, **kw: object) -> Sym:
        indices = (t,) if self.spec.hidden == 1 else (t, i)
        return Sym(letter, indices, **kw)  # type: ignore[arg-type]

    def add(
        self, key: str, phase: Phase, sym: Sym, value: float, reads: list[Quantity]
    ) -> Quantity:
        n = len(self.steps) + 1
        shown = f"{round(value, 5):.5f}".rstrip("0").rstrip(".")
        step = Step(n, key, phase, 1, None, "sum", (), sym, tuple(reads), value, shown, "why")
        self.steps.append(step)
        return Quantity(sym, key, value, shown, n)

    def weight(self, g: str, i: int, j: int) -> Quantity:
        return given(Sym("w", (i, j), tag=g), f"w[{g},{i},{j}]", float(self.weights[g][i - 1, j]))

    def gate(self, prefix: str, phase: Phase, g: str, t: int, reads: list[Quantity]) -> np.ndarray:
        spec = self.spec
        values = np.zeros(spec.hidden)
        h = np.array([q.value for q in reads if q.key.startswith(("h[", "check.h["))])
        for i in range(1, spec.hidden + 1):
            w = self.weights[g][i - 1]
            u = w[0] + w[1 : 1 + spec.inputs] @ np.array(self.xs[t - 1]) + w[1 + spec.inputs :] @ h
            ws = [self.weight(g, i, j) for j in range(1 + spec.inputs + spec.hidden)]
            uq = self.add(
                f"{prefix}u[{g},{t},{i}]", phase, self.sym("u", t, i, tag=g), u, reads + ws
            )
            act = math.tanh(u) if g in ("h", "g", "n") else 1 / (1 + math.exp(-u))
            values[i - 1] = act
            if spec.cell != "rnn":
                self.add(f"{prefix}{g}[{t},{i}]", phase, self.sym(g, t, i), act, [uq])
        return values

    def forward(self, prefix: str, phase: Phase) -> None:
        spec = self.spec
        h, c = np.zeros(spec.hidden), np.zeros(spec.hidden)
        hq = [given(self.sym("h", 0, i), f"h[0,{i}]", 0.0) for i in range(1, spec.hidden + 1)]
        cq = [given(self.sym("c", 0, i), f"c[0,{i}]", 0.5) for i in range(1, spec.hidden + 1)]
        loss = 0.0
        for t in range(1, spec.steps + 1):
            xq = [
                given(Sym("x", (t,) if spec.inputs == 1 else (t, j)), f"x[{t},{j}]", x)
                for j, x in enumerate(self.xs[t - 1], start=1)
            ]
            v = {g: self.gate(prefix, phase, g, t, xq + hq) for g in self.gates}
            if spec.cell == "rnn":
                h = v["h"]
            elif spec.cell == "lstm":
                c = v["f"] * (c + 0.5 * (t == 1)) + v["i"] * v["g"]
                cq = [
                    self.add(f"{prefix}c[{t},{i}]", phase, self.sym("c", t, i), c[i - 1], cq)
                    for i in range(1, spec.hidden + 1)
                ]
                h = v["o"] * np.tanh(c)
            else:
                h = (1 - v["z"]) * v["n"] + v["z"] * h
            hq = [
                self.add(f"{prefix}h[{t},{i}]", phase, self.sym("h", t, i), h[i - 1], cq)
                for i in range(1, spec.hidden + 1)
            ]
            if spec.every_step or t == spec.steps:
                loss += self.output(prefix, phase, t, h, hq)
        self.add(f"{prefix}loss", phase if prefix else Phase.ERROR, Sym("L"), loss, [])

    def output(self, prefix: str, phase: Phase, t: int, h: np.ndarray, hq: list[Quantity]) -> float:
        spec, loss = self.spec, 0.0
        for k in range(1, spec.outputs + 1):
            y = self.out_w[k - 1, 0] + self.out_w[k - 1, 1:] @ h
            index = (t, k) if spec.every_step else (k,)
            name = ",".join(map(str, index))
            self.add(f"{prefix}y[{name}]", phase, Sym("y", index, tilde=True), y, hq)
            if not prefix:
                self.add(f"e[{name}]", Phase.ERROR, Sym("eps", index), 1 - y, [])
            loss += (1 - y) ** 2
        return loss

    def backward(self) -> None:
        spec = self.spec
        states = ("c", "h") if spec.cell == "lstm" else ("h",)
        for t in range(spec.steps, 0, -1):
            for s in reversed(states):
                for i in range(1, spec.hidden + 1):
                    sym = self.sym("delta", t, i, tag=s)
                    self.add(f"d{s}[{t},{i}]", Phase.BACKWARD, sym, 0.01 * t * i, [])
            for g in self.gates:
                for i in range(1, spec.hidden + 1):
                    reads = [Quantity(self.sym("h", t, i), f"h[{t},{i}]", 0.0, "0", 1)]
                    sym = self.sym("delta", t, i, tag=g)
                    self.add(f"d[{g},{t},{i}]", Phase.BACKWARD, sym, -0.003 * t, reads)

    def update(self) -> None:
        spec = self.spec
        for k in range(1, spec.outputs + 1):
            for j in range(1 + spec.hidden):
                self.add(f"dt[{k},{j}]", Phase.UPDATE, Sym("t", (k, j), delta=True), 0.01, [])
                value = float(self.out_w[k - 1, j]) + 0.01
                self.add(f"t[{k},{j}]", Phase.UPDATE, Sym("t", (k, j)), value, [])
        for g in self.gates:
            for i in range(1, spec.hidden + 1):
                for j in range(1 + spec.inputs + spec.hidden):
                    reads = [
                        Quantity(self.sym("delta", t, i, tag=g), f"d[{g},{t},{i}]", 0.0, "0", 1)
                        for t in range(1, spec.steps + 1)
                    ]
                    sym = Sym("w", (i, j), delta=True, tag=g)
                    self.add(f"dw[{g},{i},{j}]", Phase.UPDATE, sym, 0.002, reads)
                    self.weights[g][i - 1, j] += 0.002
                    value = float(self.weights[g][i - 1, j])
                    self.add(f"w[{g},{i},{j}]", Phase.UPDATE, Sym("w", (i, j), tag=g), value, [])


def synthetic(spec: Spec | None = None, **sizes: object) -> Solution:
    """A solved-looking recurrent lesson: forward, error, backward, update and check steps."""
    spec = spec or Spec(**sizes)  # type: ignore[arg-type]
    rng = np.random.default_rng(spec.seed)
    gates = tuple(CELL_GATES[spec.cell])
    xs = [
        tuple(round(float(v), 1) for v in rng.uniform(-1, 1, spec.inputs))
        for _ in range(spec.steps)
    ]
    size = 1 + spec.inputs + spec.hidden
    weights = {g: rng.uniform(-1, 1, (spec.hidden, size)).round(1) for g in gates}
    out_w = rng.uniform(-1, 1, (spec.outputs, 1 + spec.hidden)).round(1)
    build = _Builder(spec, xs, weights, out_w)
    build.forward("", Phase.FORWARD)
    build.backward()
    build.update()
    if spec.check:
        build.forward("check.", Phase.CHECK)
    shape = RecurrentShape(
        cell=spec.cell,
        inputs=spec.inputs,
        hidden=spec.hidden,
        sequence=tuple(xs),
        gates=gates,
        outputs=spec.outputs,
        every_step=spec.every_step,
    )
    return Solution(
        lesson_id=f"{spec.cell}-synthetic",
        title=f"{spec.cell} synthetic",
        summary=None,
        kind="recurrent",
        language="en",
        decimals=5,
        round_intermediate=True,
        steps=tuple(build.steps),
        recurrent=shape,
    )
