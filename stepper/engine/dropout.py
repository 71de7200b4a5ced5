"""Dropout in a dense lesson: a hidden layer's outputs through the lesson's fixed mask.

In training, each neuron j of a layer with dropout is kept (r_j = 1) or dropped (r_j = 0) for
the sample, and a kept output is divided by 1 − p (inverted dropout, as torch does), so that
the next layer receives z̃_j = r_j z_j / (1 − p), on average the z_j it would get without
dropout. Backwards the same factor multiplies γ_j = s'(u_j) · r_j / (1 − p) · Σ_i δ_i w_ij: a
dropped neuron changed nothing downstream, so no error reaches it (γ_j = 0), its incoming
synapses get Δw = 0, and so do the synapses it feeds (their input z̃_j is 0). A sample
without y only passes forward, with no mask: dropout acts in training only. The check phase
passes a sample forward with its same mask, so that the loss before and after the update
are of the same network.

The dense engine calls ``outputs`` after a layer's activations and asks ``factor`` for each
hidden γ; everything else (the next layer's u, Δw) reads z̃ as it would read z.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from stepper.explain import explain
from stepper.lesson.schema import DenseLesson, Layer
from stepper.notation import Sym
from stepper.numbers import given
from stepper.steps import DropoutShape, Phase, Quantity

if TYPE_CHECKING:
    from stepper.engine.dense import DenseRun

#: The letters: the mask r (Srivastava et al.'s), the rate p (torch's), z̃ the output after it.
MASK, RATE = "r", "p"


@dataclass(frozen=True, slots=True)
class Kept:
    """The mask entry and the rate of one neuron for the current sample: γ's extra factor."""

    r: Quantity
    p: Quantity

    @property
    def value(self) -> float:
        return self.r.value / (1.0 - self.p.value)


class Dropout:
    """The masks of one run and which neurons the current sample drops."""

    def __init__(self, lesson: DenseLesson, lang: str) -> None:
        self.lang = lang
        self.layers: list[Layer] = list(lesson.network.layers)
        with_dropout = [l for l, layer in enumerate(self.layers, 1) if layer.dropout]
        #: p carries its layer's number only when several layers have dropout.
        self.indexed = len(with_dropout) > 1
        #: Layer -> neuron -> its factor, for the sample being passed (empty: no mask).
        self.now: dict[int, dict[int, Kept]] = {}
        #: (sample, key) of the dropped outputs z̃ and their γ: what makes an increment 0.
        self.zeros: dict[tuple[int, str], int] = {}
        self.targets = [s.y is not None for s in lesson.training.samples]

    def any(self) -> bool:
        return any(layer.dropout for layer in self.layers)

    def start(self) -> None:
        """A new forward pass: no mask applied yet."""
        self.now = {}

    def rate(self, l: int) -> Quantity:
        dropout = self.layers[l - 1].dropout
        assert dropout is not None
        sym = Sym(RATE, (l,)) if self.indexed else Sym(RATE)
        return Quantity(sym, f"p[{l}]", dropout.rate, given(dropout.rate))

    def outputs(self, run: DenseRun, s: int, l: int, outs: list[Quantity]) -> list[Quantity]:
        """The outputs the next layer reads: ``outs`` themselves, or with a mask (training
        samples of a layer with dropout) each z̃_j = r_j z_j / (1 − p) as a step."""
        dropout = self.layers[l - 1].dropout
        if dropout is None or not self.targets[s - 1]:
            return outs
        mask = dropout.for_sample(s)
        p = self.rate(l)
        factors: dict[int, Kept] = {}
        dropped: list[Quantity] = []
        for i, (z, bit) in enumerate(zip(outs, mask, strict=True), 1):
            n = run.neuron(l, i)
            r = Quantity(Sym(MASK, (n,)), f"r[{l},{i}]", float(bit), str(bit))
            factors[i] = Kept(r, p)
            if bit == 0:  # keyed as the steps are, with a run's prefix (sgd.drop[1,2])
                self.zeros[(s, f"{run.run_prefix}drop[{l},{i}]")] = n
                self.zeros[(s, f"{run.run_prefix}d[{l},{i}]")] = n
            said = explain(
                "drop.dropped" if bit == 0 else "drop.kept",
                run.lang,
                i=n,
                out=z.sym.unicode(),
                r=r.sym.unicode(),
                p=p.sym.unicode(),
                rate=p.shown,
            )
            if run.before is not None:  # the check phase
                said += explain("drop.check", run.lang)
            dropped.append(
                run.emit(
                    f"drop[{l},{i}]",
                    Phase.FORWARD,
                    s,
                    template="dropout",
                    params=(),
                    sym=Sym(z.sym.letter, z.sym.indices, tilde=True),
                    operands=[r, z, p],
                    value=bit * z.value / (1.0 - p.value),
                    explanation=run.once("dropout", said),
                    layer=l,
                    neuron=i,
                )
            )
        self.now[l] = factors
        return dropped

    def factor(self, l: int, j: int) -> Kept | None:
        """Neuron j of layer l's mask and rate for the sample whose γ is computed, if any."""
        return self.now.get(l, {}).get(j)

    def gamma_words(self, run: DenseRun, kept: Kept, l: int, j: int, words: str) -> str:
        """Why γ_j carries the mask: 0 through a dropped neuron, else scaled as z̃ was."""
        n = run.neuron(l, j)
        r, p = kept.r.sym.unicode(), kept.p.sym.unicode()
        if kept.r.value == 0:
            out = Sym(run.out_letters[l - 1], (n,), tilde=True).unicode()
            return explain("g.dropped", run.lang, i=n, r=r, out=out)
        return words + explain("g.kept", run.lang, i=n, r=r, p=p)

    def increment_words(self, s: int | None, x: Quantity, d: Quantity) -> str:
        """Why an increment is 0 when dropout made it so: its neuron was dropped (γ = 0), or
        its input is a dropped neuron's output (z̃ = 0); else nothing to add."""
        if s is None:
            return ""
        n = self.zeros.get((s, d.key))
        if n is not None:
            return explain(
                "dw.dropped.neuron", self.lang, i=n, d=Sym(d.sym.letter, d.sym.indices).unicode()
            )
        n = self.zeros.get((s, x.key))
        if n is not None:
            return explain(
                "dw.dropped.input", self.lang, i=n, x=replace(x.sym, sample=None).unicode()
            )
        return ""

    def shape(self, l: int) -> DropoutShape | None:
        """What the picture draws of layer l's dropout: the rate and each sample's mask."""
        dropout = self.layers[l - 1].dropout
        if dropout is None:
            return None
        masks = tuple(
            tuple(dropout.for_sample(s)) if target else None
            for s, target in enumerate(self.targets, 1)
        )
        return DropoutShape(dropout.rate, masks)
