"""Recurrent cells unrolled in time, as the lecture's last slides describe them.

A recurrent network "stores representations of earlier inputs": at each time step t its cell
reads the step's input x_t and its own state from the step before, h_{t−1}, through gates
that are small dense layers on [1, x_t, h_{t−1}]. The run works the cell forward from t = 1 to
T (``stepper.engine.recurrent_cells``), compares the outputs with their targets, sends the
error back through time from T to 1 (``stepper.engine.bptt``), and makes one update of every
weight after the whole sequence, each increment summed over the time steps. Last, the sequence
goes forward again with the new weights: the check that the update helped.

The sign convention is the dense one (ε = y − ỹ, δ = ε·s'(u), Δw = 2α·input·δ for the lecture's
ε²): every backward quantity is −(1/c)·∂L/∂(it), with c = 2 for sse and 1 for half_sse.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from babel.lists import format_list

from stepper.activations import FORWARD, canonical, tanh_written
from stepper.engine import bptt, recurrent_cells
from stepper.engine.base import Recorder
from stepper.explain import explain
from stepper.lesson.schema import CELL_GATES, RecurrentLesson
from stepper.notation import GATE_LETTERS, Sym
from stepper.numbers import given
from stepper.steps import Phase, Quantity, RecurrentShape, Solution

Row = list[Quantity]


@dataclass
class Unrolled:
    """What the forward pass leaves for the backward one: per time step (index t, from 1;
    index 0 holds the initial states) each gate's values and pre-activations, the states h and
    c, the inputs [1, x_t] and the outputs compared with targets."""

    h: list[Row] = field(default_factory=list)
    c: list[Row] = field(default_factory=list)
    x: list[Row] = field(default_factory=list)
    gates: dict[str, list[Row]] = field(default_factory=dict)
    #: time step -> the outputs compared with that step's targets (ỹ, or h without an output).
    outputs: dict[int, Row] = field(default_factory=dict)
    #: time step -> the errors ε of those outputs.
    errors: dict[int, Row] = field(default_factory=dict)
    #: Backward, by time step like the forward lists: the error reaching h (εʰ) and c (εᶜ),
    #: each gate's δ, and (time step ->) the outputs' δ.
    dh: list[Row] = field(default_factory=list)
    dc: list[Row] = field(default_factory=list)
    deltas: dict[str, list[Row]] = field(default_factory=dict)
    out_deltas: dict[int, Row] = field(default_factory=dict)


class RecurrentRun(Recorder):
    """One pass over a recurrent lesson, collecting its steps."""

    def __init__(self, lesson: RecurrentLesson, lang: str, *, rounding: bool) -> None:
        super().__init__(lesson, lang, rounding=rounding)
        self.lesson = lesson
        self.cell = lesson.cell
        self.gate_keys = CELL_GATES[lesson.cell]
        self.n_in = lesson.inputs
        self.n_hidden = lesson.hidden
        self.T = len(lesson.sequence)
        self.out_layer = lesson.output
        self.activation = canonical(lesson.output.activation) if lesson.output else "linear"
        self.n_out = len(lesson.output.weights) if lesson.output else lesson.hidden
        self.every_step = bool(lesson.output and lesson.output.every_step)
        training = lesson.training
        self.c = 2 if training is None or training.loss == "sse" else 1
        self.loss_kind = "sse" if self.c == 2 else "half_sse"
        rate = training.learning_rate if training is not None else None
        self.alpha = (
            Quantity(Sym("alpha"), "alpha", rate, given(rate)) if rate is not None else None
        )
        self.tanh = tanh_written(lesson.display.tanh, lang)
        #: The params of a template that writes tanh: ("tgh",) when written tgh.
        self.tgh: tuple[str, ...] = ("tgh",) if self.tanh == "tgh" else ()
        gates = lesson.gates.given()
        self.initial = [
            Quantity(self.weight_sym(g, i, j), f"w[{g},{i}," + f"{j}]", v, given(v))
            for g in self.gate_keys
            for i, row in enumerate(gates[g], 1)
            for j, v in enumerate(row)
        ]
        self.initial += [
            Quantity(Sym("t", (i, j)), f"t[{i},{j}]", v, given(v))
            for i, row in enumerate(lesson.output.weights if lesson.output else [], 1)
            for j, v in enumerate(row)
        ]
        weights = iter(self.initial)
        self.W: dict[str, list[Row]] = {
            g: [[next(weights) for _ in row] for row in gates[g]] for g in self.gate_keys
        }
        self.Tw: list[Row] = [
            [next(weights) for _ in row] for row in (lesson.output.weights if lesson.output else [])
        ]
        self.run = Unrolled()

    # Notation ------------------------------------------------------------------------------

    def tag(self, gate: str) -> str | None:
        """A gate's superscript on its weights, net input and δ (wᶠ₁₀, uᶠ₂, δᶠ₂); none for the
        rnn, whose one gate is the hidden state itself and reads like a lecture's neuron."""
        return None if self.cell == "rnn" else GATE_LETTERS.get(gate, gate)

    def at(self, letter: str, t: int, i: int, tag: str | None = None) -> Sym:
        """A quantity of hidden unit i at time t: h₂ with one unit, h₂‚₁ with several."""
        many = self.n_hidden > 1
        return Sym(letter, (t, i) if many else (t,), tag=tag, comma=many)

    def out_at(
        self, letter: str, t: int, i: int, *, tilde: bool = False, tag: str | None = None
    ) -> Sym:
        """A quantity of output i at time t (ỹ₂, ε₂; ỹ₂‚₁ with several outputs)."""
        many = self.n_out > 1
        return Sym(letter, (t, i) if many else (t,), tilde=tilde, tag=tag, comma=many)

    def weight_sym(self, gate: str, i: int, j: int, *, delta: bool = False) -> Sym:
        """w_ij of a gate: row i (the hidden unit), column j of [1, x, h]."""
        return Sym("w", (i, j), delta=delta, tag=self.tag(gate))

    def gate_sym(self, gate: str, t: int, i: int) -> Sym:
        """A gate's value at time t: f₂, i₂, g₂, o₂, r₂, a₂ (the update gate), n₂; the rnn's
        is h₂."""
        return self.at(GATE_LETTERS.get(gate, gate), t, i)

    def out_key(self, name: str, t: int, i: int) -> str:
        """The key of an output quantity: ``y[t,i]`` with an output at every step, else
        ``y[i]`` (the one after the last step)."""
        return f"{name}[{t},{i}]" if self.every_step else f"{name}[{i}]"

    # The whole lesson ----------------------------------------------------------------------

    def solution(self) -> Solution:
        self.forward_all()
        if self.lesson.targets is not None:
            self.errors()
            bptt.backward(self)
            if self.alpha is not None:
                self.update()
                with self.checking():
                    saved, self.run = self.run, Unrolled()
                    self.forward_all()
                    self.errors()
                    self.run = saved
        return self.finish(
            self.lesson, "recurrent", given=tuple(self.initial), recurrent=self.shape()
        )

    def forward_all(self) -> None:
        """The cell at every time step, from the initial states, and its outputs."""
        run = self.run
        start = self.lesson.initial
        h0 = start.h if start is not None and start.h is not None else [0.0] * self.n_hidden
        c0 = start.c if start is not None and start.c is not None else [0.0] * self.n_hidden
        run.h = [
            [Quantity(self.at("h", 0, i), f"h[0,{i}]", v, given(v)) for i, v in enumerate(h0, 1)]
        ]
        run.c = [
            [Quantity(self.at("c", 0, i), f"c[0,{i}]", v, given(v)) for i, v in enumerate(c0, 1)]
        ]
        run.x = [[]]
        run.gates = {g: [[]] for g in self.gate_keys}
        for t, xs in enumerate(self.lesson.sequence, 1):
            many = self.n_in > 1
            run.x.append(
                [
                    Quantity(
                        Sym("x", (t, j) if many else (t,), comma=many), f"x[{t},{j}]", v, given(v)
                    )
                    for j, v in enumerate(xs, 1)
                ]
            )
            recurrent_cells.step(self, t)
            if self.every_step or t == self.T:
                self.output(t)

    def output(self, t: int) -> None:
        """ỹ = s(T·[1, h_t]) at time t; without an output layer h_t itself is compared."""
        h = self.run.h[t]
        if not self.Tw:
            self.run.outputs[t] = h
            return
        outs = []
        for i, row in enumerate(self.Tw, 1):
            total = row[0].value
            for w, x in zip(row[1:], h, strict=True):
                total += w.value * x.value
            act = self.activation
            sym = self.out_at("y", t, i, tilde=True)
            outs.append(
                self.emit(
                    self.out_key("y", t, i),
                    Phase.FORWARD,
                    None,
                    template="output",
                    params=(act, *self.tgh) if act == "tanh" else (act,),
                    sym=sym,
                    operands=[row[0], *(q for pair in zip(row[1:], h, strict=True) for q in pair)],
                    value=FORWARD[act](total),
                    explanation=explain(
                        f"rec.y.{act}",
                        self.lang,
                        y=sym.unicode(),
                        h=format_list([q.sym.unicode() for q in h], locale=self.lang),
                        tanh=self.tanh,
                    ),
                    neuron=i,
                )
            )
        self.run.outputs[t] = outs

    def errors(self) -> None:
        """ε = y − ỹ at each step with a target, then the loss: the sum of their squares."""
        targets = self.lesson.targets or []
        times = range(1, self.T + 1) if self.every_step else [self.T]
        eps: list[Quantity] = []
        for t, ys in zip(times, targets, strict=True):
            row = []
            for i, (y, out) in enumerate(zip(ys, self.run.outputs[t], strict=True), 1):
                target = Quantity(self.out_at("y", t, i), self.out_key("target", t, i), y, given(y))
                row.append(
                    self.emit(
                        self.out_key("e", t, i),
                        Phase.ERROR,
                        None,
                        template="difference",
                        params=(),
                        sym=self.out_at("eps", t, i),
                        operands=[target, out],
                        value=target.value - out.value,
                        explanation=explain(
                            "rec.e",
                            self.lang,
                            t=t,
                            target=target.sym.unicode(),
                            out=out.sym.unicode(),
                        ),
                        neuron=i,
                    )
                )
            self.run.errors[t] = row
            eps += row
        self.emit(
            "loss",
            Phase.ERROR,
            None,
            template="loss",
            params=(self.loss_kind,),
            sym=Sym("eps2") if self.c == 2 else Sym("L"),
            operands=eps,
            value=sum(e.value**2 for e in eps) * (1.0 if self.c == 2 else 0.5),
            explanation=explain(
                f"rec.loss.{self.loss_kind}.{'every' if self.every_step else 'last'}", self.lang
            ),
        )

    # The update ----------------------------------------------------------------------------

    def update(self) -> None:
        """Δ of every weight, summed over time, and the new weight: the output's first, then
        each gate's, as the lecture updates the last layer first."""
        run = self.run
        for i, row in enumerate(self.Tw, 1):
            for j, old in enumerate(row):
                terms: list[Quantity] = []
                times = sorted(run.outputs)
                for t in times:
                    source = [] if j == 0 else [run.h[t][j - 1]]
                    terms += [*source, bptt.output_delta(self, t, i)]
                sym = Sym("t", (i, j), delta=True)
                words = explain(
                    f"rec.dt.{self.c}.{'every' if self.every_step else 'last'}",
                    self.lang,
                    w=old.sym.unicode(),
                    x=(run.h[times[0]][j - 1].sym.unicode() if j else "1"),
                    d=terms[-1].sym.unicode(),
                )
                size = 1 if j == 0 else 2
                dw = self._increment(f"dt[{i},{j}]", sym, terms, size=size, words=words, i=i)
                row[j] = self.renewed(f"t[{i},{j}]", old, dw, neuron=i)
        for g in self.gate_keys:
            for i, row in enumerate(self.W[g], 1):
                for j, old in enumerate(row):
                    terms = []
                    for t in range(1, self.T + 1):
                        terms += [*bptt.gate_input(self, g, t, i, j), run.deltas[g][t][i - 1]]
                    size = len(terms) // self.T
                    words = explain(
                        f"rec.dw.{self.c}",
                        self.lang,
                        w=old.sym.unicode(),
                        d=Sym("delta", tag=self.tag(g)).unicode(),
                    )
                    sym = self.weight_sym(g, i, j, delta=True)
                    dw = self._increment(
                        f"dw[{g},{i},{j}]", sym, terms, size=size, words=words, i=i
                    )
                    row[j] = self.renewed(f"w[{g},{i},{j}]", old, dw, neuron=i)

    def _increment(
        self, key: str, sym: Sym, terms: list[Quantity], *, size: int, words: str, i: int
    ) -> Quantity:
        """c·α·Σ (input·δ): the sum over time of one weight's per-step gradient terms."""
        assert self.alpha is not None
        total = 0.0
        for k in range(0, len(terms), size):
            product = 1.0
            for q in terms[k : k + size]:
                product *= q.value
            total += product
        return self.emit(
            key,
            Phase.UPDATE,
            None,
            template="increment_terms",
            params=(self.c, size),
            sym=sym,
            operands=[self.alpha, *terms],
            value=self.c * self.alpha.value * total,
            explanation=words,
            neuron=i,
        )

    def shape(self) -> RecurrentShape:
        return RecurrentShape(
            cell=self.cell,
            inputs=self.n_in,
            hidden=self.n_hidden,
            sequence=tuple(tuple(x) for x in self.lesson.sequence),
            gates=self.gate_keys,
            outputs=len(self.Tw),
            every_step=self.every_step,
            activation=self.activation,
            targets=self.lesson.targets is not None,
            tanh=self.tanh,
        )
