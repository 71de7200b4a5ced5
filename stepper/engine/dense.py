"""Dense networks, as the lecture works them: forward, error, backward (δ, γ), update.

For each iteration (a batch of samples) and each sample: u then ỹ neuron by neuron and layer
by layer; the errors ε = y - ỹ and the loss; δ at the output, then γ in the hidden layers
with the weights before the update; then Δw = c·α·x·δ (c = 2 for the lecture's ε²) and the
new weights, the per-sample increments averaged when a batch has several samples. Last, when
the lesson trains, the last iteration's samples go forward again with the new weights and their
loss is computed again: the check that the update helped.

Neurons are numbered across layers as the lecture does (z₁, z₂ in the hidden layer, then
neuron 3 at the output: δ₃, t₃₁), while step keys count within each layer.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from stepper.activations import DERIVATIVE, FORWARD, tanh_written
from stepper.engine import categories
from stepper.engine.base import Recorder
from stepper.engine.blame import zero_probability
from stepper.engine.collapse import product, single_layer
from stepper.engine.dropout import Dropout
from stepper.engine.frozen import below_words, delta_words, lowest_learning, update_words
from stepper.engine.normalize import Scaling
from stepper.engine.runs import train_runs
from stepper.explain import explain, explain_count
from stepper.lesson.schema import Category, DenseLesson, Sample, Training
from stepper.notation import Sym
from stepper.numbers import given
from stepper.steps import LayerShape, NetworkShape, Phase, Quantity, Solution

Matrix = list[list[Quantity]]


class DenseRun(Recorder):
    """One pass over a dense lesson, collecting its steps."""

    def __init__(self, lesson: DenseLesson, lang: str, *, rounding: bool) -> None:
        super().__init__(lesson, lang, rounding=rounding)
        self.lesson = lesson
        layers = lesson.network.layers
        self.acts = [layer.activations() for layer in layers]
        self.sizes = [lesson.network.inputs] + [len(layer.weights) for layer in layers]
        self.offsets = [0, 0]
        for size in self.sizes[1:-1]:
            self.offsets.append(self.offsets[-1] + size)
        self.letters = [layer.symbol or "w" for layer in layers]
        self.out_letters = [layer.output_symbol or "z" for layer in layers]
        self.trainable = [layer.trainable for layer in layers]
        self.c = 2 if lesson.training.loss == "sse" else 1
        self.cross = lesson.training.loss == "cross_entropy"
        self.tanh = tanh_written(lesson.display.tanh, self.lang)
        #: The lesson's weights as given, layer by layer and row by row: where every run starts.
        self.initial = tuple(
            self._given_weight(l, i, j, v)
            for l, layer in enumerate(layers, 1)
            for i, row in enumerate(layer.weights, 1)
            for j, v in enumerate(row)
        )
        self.dropout = Dropout(lesson, lang)
        self.begin(lesson.training)
        self.batched = False
        self.u: list[list[Quantity]] = []
        self.out: list[list[Quantity]] = []

    def begin(self, training: Training, prefix: str = "") -> None:
        """Start training from the lesson's own weights, with ``training`` (a run's: the
        lesson's with the run's fields) and the run's key ``prefix``; iterations count anew."""
        self.training = training
        self.run_prefix = prefix
        self.iteration = 0
        rate = training.learning_rate or 0.0
        self.alpha = Quantity(Sym("alpha"), prefix + "alpha", rate, given(rate))
        spec = training.normalization()
        #: The input phase of a training that normalises: its statistics and scaled x (and y).
        self.scaling = Scaling(self, spec) if spec is not None else None
        given_ = iter(self.initial)
        self.weights: list[Matrix] = [
            [[next(given_) for _ in row] for row in layer.weights]
            for layer in self.lesson.network.layers
        ]
        #: The inputs x₀ … x_K of each sample given as a category, from its input steps (a
        #: run encodes its samples anew: its steps carry its prefix).
        self.encoded: dict[int, list[Quantity]] = {}

    # Notation ------------------------------------------------------------------------------

    def neuron(self, l: int, i: int) -> int:
        """The lecture's running number of neuron i of layer l."""
        return self.offsets[l] + i

    def weight_sym(self, l: int, i: int, j: int, **extra: Any) -> Sym:
        source = 0 if j == 0 else (j if l == 1 else self.neuron(l - 1, j))
        return Sym(self.letters[l - 1], (self.neuron(l, i), source), **extra)

    def output_sym(self, l: int, i: int) -> Sym:
        if l == len(self.sizes) - 1:
            return Sym("y", (i,), tilde=True)
        return Sym(self.out_letters[l - 1], (self.neuron(l, i),))

    def _given_weight(self, l: int, i: int, j: int, v: float) -> Quantity:
        return Quantity(self.weight_sym(l, i, j), f"w[{l},{i},{j}]", v, given(v))

    # The lecture's stages ------------------------------------------------------------------

    def forward(self, s: int, sample: Sample) -> list[list[Quantity]]:
        """u and output of every neuron; returns each layer's inputs (with the bias 1)."""
        x = self.encoded.get(s)
        if x is None and self.scaling is not None:
            x = self.scaling.x[s]
        elif x is None:
            x = [Quantity(Sym("x", (0,)), "x[0]", 1.0, "1")]
            x += [
                Quantity(Sym("x", (j,)), f"x[{j}]", v, given(v))
                for j, v in enumerate(sample.values(), 1)
            ]
        hot = sample.x.index() if isinstance(sample.x, Category) else None
        inputs = [x]
        self.u, self.out = [], []
        self.dropout.start()
        for l in range(1, len(self.sizes)):
            xs = inputs[-1]
            us: list[Quantity] = []
            outs: list[Quantity] = []
            softmax = self.acts[l - 1][0] == "softmax"
            for i, row in enumerate(self.weights[l - 1], 1):
                if l == 1 and hot is not None:
                    operands, value, words = categories.lookup(self, i, row, xs, hot)
                else:
                    operands = [q for pair in zip(row, xs, strict=True) for q in pair]
                    value = 0.0
                    for w, xj in zip(row, xs, strict=True):
                        value += w.value * xj.value
                    words = explain(
                        "u",
                        self.lang,
                        i=self.neuron(l, i),
                        bias_input=xs[0].sym.unicode(),
                        bias=row[0].sym.unicode(),
                    )
                us.append(
                    self.emit(
                        f"u[{l},{i}]",
                        Phase.FORWARD,
                        s,
                        template="sum_products",
                        params=(),
                        sym=Sym("u", (self.neuron(l, i),)),
                        operands=operands,
                        value=value,
                        explanation=words,
                        layer=l,
                        neuron=i,
                    )
                )
                if not softmax:
                    outs.append(self._activation(s, l, i, us[-1]))
            if softmax:
                outs = [self._softmax(s, l, i, us) for i in range(1, len(us) + 1)]
            self.u.append(us)
            self.out.append(outs)
            bias = Quantity(Sym(self.out_letters[l - 1], (0,)), f"y[{l},0]", 1.0, "1")
            inputs.append([bias, *self.dropout.outputs(self, s, l, outs)])
        return inputs

    def _activation(self, s: int, l: int, i: int, u: Quantity) -> Quantity:
        act = self.acts[l - 1][i - 1]
        sym = self.output_sym(l, i)
        return self.emit(
            f"y[{l},{i}]",
            Phase.FORWARD,
            s,
            template="activation",
            params=(act, "tgh") if act == "tanh" and self.tanh == "tgh" else (act,),
            sym=sym,
            operands=[u],
            value=FORWARD[act](u.value),
            explanation=explain(
                f"y.{act}",
                self.lang,
                i=self.neuron(l, i),
                out=sym.unicode(),
                u=u.sym.unicode(),
                tanh=self.tanh,
            ),
            layer=l,
            neuron=i,
        )

    def _softmax(self, s: int, l: int, i: int, us: list[Quantity]) -> Quantity:
        top = max(q.value for q in us)
        total = math.fsum(math.exp(q.value - top) for q in us)
        value = math.exp(us[i - 1].value - top) / total
        return self.emit(
            f"y[{l},{i}]",
            Phase.FORWARD,
            s,
            template="softmax",
            params=(),
            sym=self.output_sym(l, i),
            operands=[us[i - 1], *us],
            value=value,
            explanation=explain("y.softmax", self.lang, u=us[i - 1].sym.unicode()),
            layer=l,
            neuron=i,
        )

    def errors(self, s: int, y: list[float]) -> tuple[list[Quantity], Quantity]:
        """ε_i = y_i - ỹ_i for each output, then the sample's loss."""
        outs = self.out[-1]
        targets = (self.scaling.y.get(s) if self.scaling is not None else None) or [
            Quantity(Sym("y", (i,)), f"target[{i}]", v, given(v)) for i, v in enumerate(y, 1)
        ]
        eps = [
            self.emit(
                f"e[{i}]",
                Phase.ERROR,
                s,
                template="difference",
                params=(),
                sym=Sym("eps", (i,)),
                operands=[t, o],
                value=t.value - o.value,
                explanation=explain(
                    "e", self.lang, i=i, target=t.sym.unicode(), out=o.sym.unicode()
                ),
            )
            for i, (t, o) in enumerate(zip(targets, outs, strict=True), 1)
        ]
        loss = self.training.loss
        if loss == "cross_entropy":
            operands = [q for pair in zip(targets, outs, strict=True) for q in pair]
            for t, o in zip(targets, outs, strict=True):
                if t.value and o.value <= 0:
                    raise zero_probability(self.lesson, o, self.rounding)
            value = -sum(
                t.value * math.log(o.value) for t, o in zip(targets, outs, strict=True) if t.value
            )
            sym = Sym("L")
        else:
            operands = eps
            value = sum(e.value**2 for e in eps) * (1.0 if loss == "sse" else 0.5)
            sym = Sym("eps2") if loss == "sse" else Sym("L")
        if self.batched:
            sym = replace(sym, sample=s)
        words = explain(f"loss.{loss}", self.lang)
        total = self.emit(
            "loss",
            Phase.ERROR,
            s,
            template="loss",
            params=(loss,),
            sym=sym,
            operands=operands,
            value=value,
            explanation=self.once("log", words) if loss == "cross_entropy" else words,
        )
        return eps, total

    def backward(self, s: int, eps: list[Quantity]) -> list[list[Quantity]]:
        """δ of every neuron, output layer first, then γ in the hidden layers."""
        last = len(self.sizes) - 1
        deltas: list[list[Quantity]] = [[] for _ in range(last)]
        lowest = lowest_learning(self.trainable)  # below it, frozen layers need no δ
        for i, (e, o) in enumerate(zip(eps, self.out[-1], strict=True), 1):
            act = self.acts[-1][i - 1]
            sym = Sym("delta", (self.neuron(last, i),))
            params: tuple[int | str, ...]
            if self.training.loss == "cross_entropy":
                template, params, operands, value = "copy", (), [e], e.value
                words = explain("d.cross_entropy", self.lang, d=sym.unicode(), eps=e.sym.unicode())
            else:
                template, params = "delta_output", (act,)
                operands = [e] if act == "linear" else [e, o]
                value = e.value * DERIVATIVE[act](o.value)
                words = explain(
                    f"d.{act}",
                    self.lang,
                    i=self.neuron(last, i),
                    d=sym.unicode(),
                    eps=e.sym.unicode(),
                    out=o.sym.unicode(),
                    tanh=self.tanh,
                )
            words = delta_words(self, self.trainable, last, words)
            if last == lowest and i == len(eps):
                words = below_words(self, self.trainable, words)
            deltas[-1].append(
                self.emit(
                    f"d[{last},{i}]",
                    Phase.BACKWARD,
                    s,
                    template=template,
                    params=params,
                    sym=sym,
                    operands=operands,
                    value=value,
                    explanation=words,
                    layer=last,
                    neuron=i,
                )
            )
        for l in range(last - 1, lowest - 1, -1):
            for j, z in enumerate(self.out[l - 1], 1):
                act = self.acts[l - 1][j - 1]
                pairs = [(d, self.weights[l][i][j]) for i, d in enumerate(deltas[l])]
                total = 0.0
                for d, w in pairs:
                    total += d.value * w.value
                operands = ([] if act == "linear" else [z]) + [q for p in pairs for q in p]
                sym = Sym("gamma", (self.neuron(l, j),))
                derivative = explain(f"g.derivative.{act}", self.lang, out=z.sym.unicode())
                words = explain("g", self.lang, i=self.neuron(l, j), derivative=derivative)
                template, value = "delta_hidden", DERIVATIVE[act](z.value) * total
                kept = self.dropout.factor(l, j)
                if kept is not None:  # the mask's r/(1 − p) comes back with the error
                    first = 0 if act == "linear" else 1
                    operands[first:first] = [kept.r, kept.p]
                    template, value = "delta_dropout", kept.value * value
                    words = self.dropout.gamma_words(self, kept, l, j, words)
                words = delta_words(self, self.trainable, l, words)
                if l == lowest and j == len(self.out[l - 1]):
                    words = below_words(self, self.trainable, words)
                deltas[l - 1].append(
                    self.emit(
                        f"d[{l},{j}]",
                        Phase.BACKWARD,
                        s,
                        template=template,
                        params=(act,),
                        sym=sym,
                        operands=operands,
                        value=value,
                        explanation=words,
                        layer=l,
                        neuron=j,
                    )
                )
        return deltas

    def increments(
        self,
        s: int | None,
        inputs: list[list[Quantity]],
        deltas: list[list[Quantity]],
        batched: bool,
    ) -> dict[tuple[int, int, int], Quantity]:
        """Δw for every weight of every layer, last layer first as the lecture does."""
        out: dict[tuple[int, int, int], Quantity] = {}
        for l in range(len(self.sizes) - 1, 0, -1):
            if not self.trainable[l - 1]:
                continue  # frozen: no Δw, no new weight
            for i, delta in enumerate(deltas[l - 1], 1):
                d = _of_sample(delta, s) if batched else delta
                for j, source in enumerate(inputs[l - 1]):
                    x = _of_sample(source, s) if batched else source
                    sym = self.weight_sym(l, i, j, delta=True, sample=s if batched else None)
                    words = explain(
                        # Cross-entropy's Δw says why the 2 of the lecture's ε² is gone.
                        "dw.cross_entropy" if self.cross else f"dw.{self.c}",
                        self.lang,
                        w=self.weight_sym(l, i, j).unicode(),
                        x=x.sym.unicode(),
                        d=Sym(d.sym.letter, ()).unicode(),  # δ, or γ in a hidden layer
                    )
                    words += self.dropout.increment_words(s, x, d)
                    if batched:
                        words += explain("dw.sample", self.lang, sample=s)
                    words = update_words(self, self.trainable, words)
                    out[(l, i, j)] = self.emit(
                        f"dw[{l},{i},{j}]",
                        Phase.UPDATE,
                        s,
                        template="increment",
                        params=(self.c,),
                        sym=sym,
                        operands=[self.alpha, x, d],
                        value=self.c * self.alpha.value * x.value * d.value,
                        explanation=words,
                        layer=l,
                        neuron=i,
                    )
                    if not batched:
                        self.apply(l, i, j, out[(l, i, j)])
        return out

    def apply(self, l: int, i: int, j: int, dw: Quantity) -> None:
        old = self.weights[l - 1][i - 1][j]
        self.weights[l - 1][i - 1][j] = self.renewed(f"w[{l},{i},{j}]", old, dw, layer=l, neuron=i)

    def average(self, per_sample: list[dict[tuple[int, int, int], Quantity]]) -> None:
        """A batch's increment is the mean of its samples' increments; then the new weights."""
        count = len(per_sample)
        for l, i, j in per_sample[0]:
            parts = [p[(l, i, j)] for p in per_sample]
            mean = self.emit(
                f"dw[{l},{i},{j}]",
                Phase.UPDATE,
                None,
                template="mean",
                params=(),
                sym=self.weight_sym(l, i, j, delta=True),
                operands=parts,
                value=sum(q.value for q in parts) / count,
                explanation=explain_count(
                    "mean", count, self.lang, w=self.weight_sym(l, i, j).unicode()
                ),
                layer=l,
                neuron=i,
            )
            self.apply(l, i, j, mean)

    # The whole lesson ----------------------------------------------------------------------

    def solution(self) -> Solution:
        runs = train_runs(self, self.lesson.training) if self.lesson.training.runs else ()
        if not runs:
            self.train()
        return self.finish(
            self.lesson, "dense", given=self.initial, network=self.shape(), runs=runs
        )

    def train(self, *, check_all: bool = False) -> None:
        """Every iteration of ``self.training``, then the check of the last update: its
        samples forward again, or (``check_all``) every sample, so that runs trained in
        different ways are measured on the same data."""
        samples = self.training.samples
        size = self.training.batch_size
        chunk: list[tuple[int, Sample]] = []
        self.prepare_inputs()
        collapsed: list[list[Quantity]] = []  # W = t·w, made at the first sample
        updated = True  # a new iteration starts at the beginning and after each update
        for _ in range(self.training.epochs):
            for start in range(0, len(samples), size):
                self.iteration += updated
                chunk = list(enumerate(samples[start : start + size], start + 1))
                updated = any(smp.y is not None for _, smp in chunk)
                batched = sum(1 for _, smp in chunk if smp.y is not None) > 1
                self.batched = batched
                per_sample = []
                losses = []
                for s, sample in chunk:
                    categories.prepare(self, s, sample)
                    inputs = self.forward(s, sample)
                    if self.lesson.network.collapse:  # forward only: the checks say so
                        collapsed = collapsed or product(self, inputs[1][0])
                        single_layer(self, s, collapsed, inputs[0])
                    if sample.y is None:
                        continue
                    eps, loss = self.errors(s, sample.y)
                    losses.append(loss)
                    deltas = self.backward(s, eps)
                    if batched:
                        per_sample.append((s, inputs, deltas))
                    else:
                        self.increments(s, inputs, deltas, batched=False)
                if batched:
                    self.batch_loss(losses)
                    self.average([self.increments(s, i, d, batched=True) for s, i, d in per_sample])
        if self.scaling is not None and self.scaling.spec.convert_back:
            self.scaling.convert_back()
        if self.trains():
            if check_all and len(chunk) != len(samples):
                self.check(list(enumerate(samples, 1)), same_batch=False)
            else:
                self.check(chunk)

    def prepare_inputs(self) -> None:
        """The input phase of a training that normalises: statistics, scaled inputs and
        targets (``stepper.engine.normalize``), all in the first iteration."""
        if self.scaling is None:
            return
        self.iteration = 1
        self.scaling.prepare()
        self.iteration = 0

    def trains(self) -> bool:
        """Whether the lesson updates its weights on every sample (each has a target, and
        there is a learning rate): only then is the last update checked."""
        return bool(self.training.learning_rate) and all(
            s.y is not None for s in self.training.samples
        )

    def check(self, chunk: list[tuple[int, Sample]], *, same_batch: bool = True) -> None:
        """The last iteration's samples forward again with the new weights, and their loss;
        when ``chunk`` is not that iteration's batch, its mean loss is compared with none."""
        with self.checking(same_batch=same_batch):
            self.batched = len(chunk) > 1 if not same_batch else self.batched
            losses = []
            for s, sample in chunk:
                assert sample.y is not None  # trains() said every sample has one
                self.forward(s, sample)
                losses.append(self.errors(s, sample.y)[1])
            if self.batched:
                self.batch_loss(losses, every_sample=not same_batch)

    def batch_loss(self, losses: list[Quantity], *, every_sample: bool = False) -> None:
        """F_o, the mean of ``losses``: a batch's, or (``every_sample``) that of every sample
        with a run's final weights, which its explanation says the runs are compared by."""
        count = len(losses)
        words = (
            explain_count("batch_loss.all", count, self.lang)
            if every_sample
            else explain_count("batch_loss", count, self.lang)
        )
        self.emit(
            "batch_loss",
            Phase.ERROR,
            None,
            template="mean",
            params=(),
            sym=Sym("Fo"),
            operands=losses,
            value=sum(q.value for q in losses) / len(losses),
            explanation=words,
        )

    def shape(self) -> NetworkShape:
        layers = tuple(
            LayerShape(size, tuple(acts), letter, out, offset, trainable, self.dropout.shape(l))
            for l, (size, acts, letter, out, offset, trainable) in enumerate(
                zip(
                    self.sizes[1:],
                    self.acts,
                    self.letters,
                    self.out_letters,
                    self.offsets[1:],
                    self.trainable,
                    strict=True,
                ),
                1,
            )
        )
        samples = self.training.samples
        return NetworkShape(
            inputs=self.sizes[0],
            layers=layers,
            samples=tuple(tuple(s.values()) for s in samples),
            targets=tuple(tuple(s.y) if s.y is not None else None for s in samples),
            categories=(
                tuple(
                    (s.x.category, s.x.index() - 1) if isinstance(s.x, Category) else None
                    for s in samples
                )
                if any(isinstance(s.x, Category) for s in samples)
                else ()
            ),
            of=next((tuple(s.x.of) for s in samples if isinstance(s.x, Category)), ()),
            tanh=self.tanh,
        )


def _of_sample(q: Quantity, s: int | None) -> Quantity:
    """The same quantity marked as sample s's (x⁽ᵖ⁾, δ⁽ᵖ⁾), for a batch's per-sample steps."""
    return replace(q, sym=replace(q.sym, sample=s))
