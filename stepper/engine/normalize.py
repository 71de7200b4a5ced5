"""Normalisation of a dense lesson's inputs, as the lecture asks for it: values in (−1, +1).

Before the first forward pass (the ``input`` phase) each statistic is a step, computed from the
samples unless the lesson gives it: min and max of every input over the samples for
``minmax``, mean and standard deviation for ``standard``. Then every input of every sample is
scaled, x' = 2(x − min)/(max − min) − 1 or x' = (x − μ)/σ, and the network sees only x'. The
targets are scaled the same way when the lesson asks; the errors are then in scaled units.

After training, ``convert_back`` writes the trained neuron in the original units (the
lecture's salario = 4.51 + 0.036 · edad): with x' = a·x + b and y = c·ỹ' + d for the scalings,
W_ij = c_i · w_ij · a_j and W_i0 = y's centre + c_i · w_i0 − Σ_j W_ij · x_j's centre, where the
centre is the value that scales to 0 ((min + max)/2, or μ).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from stepper.explain import explain
from stepper.lesson.errors import NumberProblem, msg
from stepper.lesson.schema import Normalize, Statistics
from stepper.notation import Sym
from stepper.numbers import given
from stepper.steps import Phase, Quantity

if TYPE_CHECKING:
    from stepper.engine.dense import DenseRun

#: A statistic pair of one input or output: (min, max) or (μ, σ).
Pair = tuple[Quantity, Quantity]

#: The statistics of each method and their step keys' names (``xmin[1]``, ``ystd[2]``).
NAMES: dict[str, tuple[str, str]] = {"minmax": ("min", "max"), "standard": ("mean", "std")}


def statistic_sym(name: str, letter: str, j: int) -> Sym:
    """x₁ᵐⁱⁿ, x₁ᵐᵃˣ for a range; μ and σ tagged with the variable (μˣ₁, σʸ₁) for a spread."""
    if name in ("min", "max"):
        return Sym(letter, (j,), tag=name)
    return Sym("mu" if name == "mean" else "sigma", (j,), tag=letter)


def scaled_sym(letter: str, j: int) -> Sym:
    """x′_j, the input the network sees (y′_i, a scaled target)."""
    return Sym(letter + "p", (j,))


class Scaling:
    """The statistics and the scaled inputs and targets of one run over a dense lesson."""

    def __init__(self, run: DenseRun, spec: Normalize) -> None:
        self.run = run
        self.spec = spec
        self.method = spec.method
        #: statistic name -> one quantity per input (``x``) or output (``y``).
        self.stats: dict[str, dict[str, list[Quantity]]] = {"x": {}, "y": {}}
        #: sample -> its scaled inputs (x₀ = 1 first) and its scaled targets.
        self.x: dict[int, list[Quantity]] = {}
        self.y: dict[int, list[Quantity]] = {}

    # The input phase ------------------------------------------------------------------------

    def prepare(self) -> None:
        """Every statistic, then every sample's scaled inputs and targets."""
        samples = list(enumerate(self.run.training.samples, 1))
        xs = [(s, smp.values()) for s, smp in samples]
        ys = [(s, smp.y) for s, smp in samples if smp.y is not None]
        self._statistics("x", xs, self.spec.inputs)
        targets = self.spec.targets
        if targets is not False:
            self._statistics("y", ys, targets if isinstance(targets, Statistics) else None)
        for s, sample in samples:
            bias = Quantity(Sym("x", (0,)), "x[0]", 1.0, "1")
            self.x[s] = [bias, *self._scaled(s, "x", sample.values())]
            if targets is not False and sample.y is not None:
                self.y[s] = self._scaled(s, "y", sample.y)

    def _statistics(
        self, letter: str, rows: list[tuple[int, list[float]]], given_stats: Statistics | None
    ) -> None:
        """The two statistics of every column: given, or each a step over the samples."""
        first, second = NAMES[self.method]
        count = len(rows[0][1])
        for name in (first, second):
            values = getattr(given_stats, name) if given_stats is not None else None
            if values is not None:
                self.stats[letter][name] = [
                    Quantity(statistic_sym(name, letter, j), f"{letter}{name}[{j}]", v, given(v))
                    for j, v in enumerate(values, 1)
                ]
        if first in self.stats[letter]:
            return
        self.stats[letter] = {first: [], second: []}
        for j in range(1, count + 1):
            column = [
                Quantity(Sym(letter, (j,), sample=s), _raw_key(letter, j), v, given(v))
                for s, v in ((s, row[j - 1]) for s, row in rows)
            ]
            for name in (first, second):
                self.stats[letter][name].append(self._statistic(name, letter, j, column))

    def _statistic(self, name: str, letter: str, j: int, column: list[Quantity]) -> Quantity:
        values = [q.value for q in column]
        operands = column
        if name == "min":
            template, value = "minimum", min(values)
        elif name == "max":
            template, value = "pool_max", max(values)
        elif name == "mean":
            template, value = "mean", math.fsum(values) / len(values)
        else:
            mean = self.stats[letter]["mean"][j - 1]
            operands = [*column, mean]
            template = "std"
            value = math.sqrt(math.fsum((v - mean.value) ** 2 for v in values) / len(values))
        sym = statistic_sym(name, letter, j)
        words = explain(
            f"norm.{name}",
            self.run.lang,
            stat=sym.unicode(),
            var=Sym(letter, (j,)).unicode(),
            count=len(column),
        )
        return self.run.emit(
            f"{letter}{name}[{j}]",
            Phase.INPUT,
            None,
            template=template,
            params=(),
            sym=sym,
            operands=operands,
            value=value,
            explanation=words,
        )

    def _scaled(self, s: int, letter: str, row: list[float]) -> list[Quantity]:
        """The scaled inputs (targets) of sample ``s``: x' = 2(x − min)/(max − min) − 1, or
        x' = (x − μ)/σ."""
        first, second = NAMES[self.method]
        out = []
        for j, v in enumerate(row, 1):
            raw = Quantity(Sym(letter, (j,)), _raw_key(letter, j), v, given(v))
            a, b = self.stats[letter][first][j - 1], self.stats[letter][second][j - 1]
            spread = b.value - a.value if self.method == "minmax" else b.value
            if spread == 0:  # checked in the file; here a range the rounding shows as 0
                stat = b.sym.unicode() + (f" − {a.sym.unicode()}" if first == "min" else "")
                words = msg("engine.norm.spread", var=raw.sym.unicode(), stat=stat)
                raise NumberProblem(self.run.lesson_id, words, ("training", "normalize"))
            if self.method == "minmax":
                value = 2 * (raw.value - a.value) / (b.value - a.value) - 1
            else:
                value = (raw.value - a.value) / b.value
            sym = scaled_sym(letter, j)
            out.append(
                self.run.emit(
                    f"{letter}n[{j}]",
                    Phase.INPUT,
                    s,
                    template=f"scale_{self.method}",
                    params=(),
                    sym=sym,
                    operands=[raw, a, b],
                    value=value,
                    explanation=explain(
                        f"norm.scale.{self.method}.target"
                        if letter == "y"
                        else f"norm.scale.{self.method}",
                        self.run.lang,
                        scaled=sym.unicode(),
                        var=raw.sym.unicode(),
                    ),
                )
            )
        return out

    # Back to the original units -------------------------------------------------------------

    def convert_back(self) -> None:
        """The trained layer's weights in the original units: first each input's weight, then
        the bias, which reads them."""
        first, second = NAMES[self.method]
        xs = list(zip(self.stats["x"][first], self.stats["x"][second], strict=True))
        ys = list(zip(self.stats["y"].get(first, []), self.stats["y"].get(second, []), strict=True))
        for i, row in enumerate(self.run.weights[0], 1):
            y = ys[i - 1] if ys else None
            slopes = [self._slope(i, j, row[j], xs[j - 1], y) for j in range(1, len(row))]
            self._bias(i, row[0], slopes, xs, y)

    def _centre(self, pair: Pair | None) -> float:
        """The value that scales to 0: (min + max)/2, or μ (0 for targets not scaled)."""
        if pair is None:
            return 0.0
        a, b = pair
        return (a.value + b.value) / 2 if self.method == "minmax" else a.value

    def _half(self, pair: Pair | None) -> float:
        """What scales to 1 from the centre: half the range, or σ (1 for targets not scaled)."""
        if pair is None:
            return 1.0
        a, b = pair
        return (b.value - a.value) / 2 if self.method == "minmax" else b.value

    def _original_sym(self, i: int, j: int) -> Sym:
        """W₁₁ for w₁₁: the same weight in the original units (a capital letter, or the
        letter tagged ᵒ when the lesson's letter is one already)."""
        sym = self.run.weight_sym(1, i, j)
        if sym.letter.islower():
            return Sym(sym.letter.upper(), sym.indices)
        return Sym(sym.letter, sym.indices, tag="o")

    def _stats(self, pair: Pair | None) -> list[Quantity]:
        """The statistics a conversion's formula shows: min and max, or σ alone."""
        if pair is None:
            return []
        return list(pair) if self.method == "minmax" else [pair[1]]

    def _slope(self, i: int, j: int, w: Quantity, x: Pair, y: Pair | None) -> Quantity:
        """W_ij = w_ij · (y's half range)/(x_j's half range), or w_ij · σʸ/σˣ."""
        operands = [w, *self._stats(x), *self._stats(y)]
        sym = self._original_sym(i, j)
        return self.run.emit(
            f"w_orig[1,{i},{j}]",
            Phase.UPDATE,
            None,
            template=f"unscale_slope_{self.method}",
            params=(len(operands),),
            sym=sym,
            operands=operands,
            value=w.value * self._half(y) / self._half(x),
            explanation=explain(
                f"norm.back.slope.{self.method}",
                self.run.lang,
                original=sym.unicode(),
                w=w.sym.unicode(),
                var=Sym("x", (j,)).unicode(),
            ),
            layer=1,
            neuron=i,
        )

    def _bias(
        self, i: int, w0: Quantity, slopes: list[Quantity], xs: list[Pair], y: Pair | None
    ) -> None:
        """W_i0 = y's centre + (y's half range) · w_i0 − Σ_j W_ij · x_j's centre."""
        head = [] if y is None else list(y)
        per_input = [
            [slope, *(x if self.method == "minmax" else x[:1])]
            for slope, x in zip(slopes, xs, strict=True)
        ]
        centres = [self._centre(x) for x in xs]
        value = (
            self._centre(y)
            + self._half(y) * w0.value
            - math.fsum(q.value * c for q, c in zip(slopes, centres, strict=True))
        )
        sym = self._original_sym(i, 0)
        self.run.emit(
            f"w_orig[1,{i},0]",
            Phase.UPDATE,
            None,
            template=f"unscale_bias_{self.method}",
            params=(int(bool(head)),),
            sym=sym,
            operands=[*head, w0, *(q for group in per_input for q in group)],
            value=value,
            explanation=explain(
                f"norm.back.bias.{self.method}",
                self.run.lang,
                original=sym.unicode(),
                w=w0.sym.unicode(),
            ),
            layer=1,
            neuron=i,
        )


def _raw_key(letter: str, j: int) -> str:
    """The key of a given input (``x[1]``) or target (``target[1]``), as the engine names them."""
    return f"x[{j}]" if letter == "x" else f"target[{j}]"
