"""Formulas in the lecture's notation, built with sympy once per kind of step.

Each template is a sympy expression over numbered slot symbols. It is printed once per output
(LaTeX with sympy's LaTeX printer, Python text with its str printer, Unicode from that) and
cached; a step then fills the slots with its symbols (the formula) or with its numbers as
shown (the substitution). So a 784-input layer costs one sympy print, not 25,000, and the
formula and the substitution can never disagree in shape.
"""

from __future__ import annotations

import ast
import json
import math
import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Literal

from stepper import formula_cache
from stepper.activations import derivative_in_output
from stepper.notation import Sym
from stepper.numbers import power_of_ten
from stepper.steps import Step

if TYPE_CHECKING:
    import sympy

Format = Literal["latex", "unicode", "text"]
#: The LaTeX formula writes products by juxtaposition (w_{10} x_{0}), as the contract's example
#: does; the substitution needs the dot between numbers (0.1 \cdot 1).
_Print = Literal["latex", "latex_symbols", "latex_times", "unicode", "text"]
_SLOT = re.compile(r"Zslot(\d+)Z")
#: A slot that is a whole argument of a function call, in any of the printed forms.
_ARGUMENT = re.compile(r"(?:(?<=\()|(?<=,)|(?<=, ))Zslot(\d+)Z(?=\)| \\right\)|\\right\)|,)")
_RELATION = {
    "=": {"latex": "=", "unicode": "=", "text": "="},
    "→": {"latex": r"\rightarrow", "unicode": "→", "text": "->"},
}

Builder = Callable[[Sequence["sympy.Expr"], tuple[int | str, ...]], "sympy.Expr"]
_BUILDERS: dict[str, Builder] = {}


def template(name: str) -> Callable[[Builder], Builder]:
    """Register the sympy builder of one kind of step."""

    def register(fn: Builder) -> Builder:
        _BUILDERS[name] = fn
        return fn

    return register


def _add(*terms: sympy.Expr) -> sympy.Expr:
    import sympy

    return terms[0] if len(terms) == 1 else sympy.Add(*terms, evaluate=False)


def _mul(*factors: sympy.Expr) -> sympy.Expr:
    import sympy

    return factors[0] if len(factors) == 1 else sympy.Mul(*factors, evaluate=False)


def _neg(e: sympy.Expr) -> sympy.Expr:
    import sympy

    return sympy.Mul(sympy.Integer(-1), e, evaluate=False)


def _over(e: sympy.Expr, n: int) -> sympy.Expr:
    import sympy

    return sympy.Mul(e, sympy.Pow(sympy.Integer(n), -1, evaluate=False), evaluate=False)


def _derivative(activation: str, output: sympy.Expr) -> sympy.Expr:
    d, y = derivative_in_output(activation)
    return d.xreplace({y: output})


@template("sum_products")
def _sum_products(s: Sequence[sympy.Expr], p: tuple[int | str, ...]) -> sympy.Expr:
    """u_i = w_i0 x_0 + w_i1 x_1 + ...: slots come in (weight, input) pairs."""
    return _add(*(_mul(s[k], s[k + 1]) for k in range(0, len(s), 2)))


@template("activation")
def _activation(s: Sequence[sympy.Expr], p: tuple[int | str, ...]) -> sympy.Expr:
    import sympy

    name = str(p[0])
    if name == "linear":
        return s[0]
    if name == "tanh":
        return tgh_function()(s[0]) if p[1:] == ("tgh",) else sympy.tanh(s[0])
    if name == "sigmoid":
        return sympy.Pow(_add(sympy.Integer(1), sympy.exp(_neg(s[0]))), -1, evaluate=False)
    return sympy.Max(sympy.Integer(0), s[0], evaluate=False)


@cache
def tgh_function() -> type[sympy.Function]:
    """tanh written tgh, as the Spanish lecture writes it (``display.tanh``); its text form
    stays tanh, which a program evaluates."""
    import sympy

    def evalf(self: sympy.Function, prec: int) -> sympy.Expr:
        return sympy.tanh(*self.args)._eval_evalf(prec)

    return type("tgh", (sympy.Function,), {"_eval_evalf": evalf})


@template("softmax")
def _softmax(s: Sequence[sympy.Expr], p: tuple[int | str, ...]) -> sympy.Expr:
    """e^{u_i} / Σ_j e^{u_j}: slot 0 is u_i, the rest are all the layer's u_j."""
    import sympy

    denominator = _add(*(sympy.exp(x) for x in s[1:]))
    return sympy.Mul(sympy.exp(s[0]), sympy.Pow(denominator, -1, evaluate=False), evaluate=False)


@template("difference")
def _difference(s: Sequence[sympy.Expr], p: tuple[int | str, ...]) -> sympy.Expr:
    return _add(s[0], _neg(s[1]))


@template("copy")
def _copy(s: Sequence[sympy.Expr], p: tuple[int | str, ...]) -> sympy.Expr:
    return s[0]


@template("loss")
def _loss(s: Sequence[sympy.Expr], p: tuple[int | str, ...]) -> sympy.Expr:
    """sse: Σ ε²; half_sse: ½ Σ ε²; cross_entropy: -Σ y log ỹ (slots in (y, ỹ) pairs)."""
    import sympy

    kind = p[0]
    if kind == "cross_entropy":
        terms = (_mul(s[k], sympy.log(s[k + 1])) for k in range(0, len(s), 2))
        return _neg(_add(*terms))
    squares = _add(*(sympy.Pow(e, 2, evaluate=False) for e in s))
    return squares if kind == "sse" else _over(squares, 2)


@template("delta_output")
def _delta_output(s: Sequence[sympy.Expr], p: tuple[int | str, ...]) -> sympy.Expr:
    """δ_i = ε_i s'(u_i), with s' derived by sympy; slot 1 is ỹ_i when s' needs it."""
    d = _derivative(str(p[0]), s[1] if len(s) > 1 else s[0])
    return s[0] if d == 1 else _mul(s[0], d)


@template("delta_hidden")
def _delta_hidden(s: Sequence[sympy.Expr], p: tuple[int | str, ...]) -> sympy.Expr:
    """γ_j = s'(u_j) Σ_i δ_i w_ij: slot 0 is z_j, then (δ_i, w_ij) pairs."""
    # Slot 0 is z_j unless the neuron is linear (the engine leaves z out then). Decide by the
    # name, not by d == 1: with numbers in the slots, d is 1 for an active ReLU or z = 0.
    linear = str(p[0]) == "linear"
    d = _derivative(str(p[0]), s[0])
    first = 0 if linear else 1
    pairs = [(s[k], s[k + 1]) for k in range(first, len(s), 2)]
    if linear:
        return _add(*(_mul(*pair) for pair in pairs))
    if len(pairs) == 1:
        return _mul(d, *pairs[0])
    return _mul(d, _add(*(_mul(*pair) for pair in pairs)))


def _kept(r: sympy.Expr, rate: sympy.Expr, *factors: sympy.Expr) -> sympy.Expr:
    """r · factors / (1 − p): dropout's mask over the fraction of neurons kept."""
    import sympy

    return _mul(r, *factors, sympy.Pow(_add(sympy.Integer(1), _neg(rate)), -1, evaluate=False))


@template("dropout")
def _dropout(s: Sequence[sympy.Expr], p: tuple[int | str, ...]) -> sympy.Expr:
    """z̃_j = r_j z_j / (1 − p) over the slots (r, z, p): inverted dropout."""
    r, z, rate = s
    return _kept(r, rate, z)


@template("delta_dropout")
def _delta_dropout(s: Sequence[sympy.Expr], p: tuple[int | str, ...]) -> sympy.Expr:
    """γ_j = r_j s'(u_j) Σ_i δ_i w_ij / (1 − p): ``delta_hidden``'s slots with (r, p) after
    z_j (at the start when the neuron is linear); r first, so that a dropped neuron's 0 shows."""
    import sympy

    first = 0 if str(p[0]) == "linear" else 1
    rest = _delta_hidden([*s[:first], *s[first + 2 :]], p)
    factors = rest.args if isinstance(rest, sympy.Mul) else (rest,)
    return _kept(s[first], s[first + 1], *factors)


@template("increment")
def _increment(s: Sequence[sympy.Expr], p: tuple[int | str, ...]) -> sympy.Expr:
    """Δw_ij = c α x_j δ_i with c = 2 for the lecture's ε² and 1 otherwise."""
    import sympy

    c = int(p[0])
    return _mul(sympy.Integer(2), *s) if c == 2 else _mul(*s)


@template("mean")
def _mean(s: Sequence[sympy.Expr], p: tuple[int | str, ...]) -> sympy.Expr:
    return _over(_add(*s), len(s))


@template("sum")
def _sum(s: Sequence[sympy.Expr], p: tuple[int | str, ...]) -> sympy.Expr:
    return _add(*s)


@template("window")
def _window(s: Sequence[sympy.Expr], p: tuple[int | str, ...]) -> sympy.Expr:
    """A kernel's window: Σ x·k over its cells (slots in (x, k) pairs), plus the bias slot
    last when ``p[0]`` says there is one. The lecture writes these products with ×."""
    pairs = len(s) - (1 if p[0] else 0)
    terms = [_mul(s[k], s[k + 1]) for k in range(0, pairs, 2)]
    if p[0]:
        terms.append(s[-1])
    return _add(*terms)


def _size_formula(inner: sympy.Expr, stride: sympy.Expr, floors: bool) -> sympy.Expr:
    """inner/stride + 1, rounded down (⌊·⌋) when the stride does not divide."""
    import sympy

    ratio = sympy.Mul(inner, sympy.Pow(stride, -1, evaluate=False), evaluate=False)
    if floors:
        ratio = sympy.floor(ratio, evaluate=False)
    return _add(ratio, sympy.Integer(1))


@template("conv_size")
def _conv_size(s: Sequence[sympy.Expr], p: tuple[int | str, ...]) -> sympy.Expr:
    """(D − N + 2p)/s + 1 over the slots (D, N, p, s); ⌊…⌋ when ``p[0]`` says it rounds."""
    import sympy

    d, n, pad, stride = s
    inner = _add(d, _neg(n), _mul(sympy.Integer(2), pad))
    return _size_formula(inner, stride, bool(p and p[0]))


@template("pool_size")
def _pool_size(s: Sequence[sympy.Expr], p: tuple[int | str, ...]) -> sympy.Expr:
    """(D − P)/S + 1 over the slots (D, P, S); ⌊…⌋ when ``p[0]`` says it rounds."""
    d, size, stride = s
    return _size_formula(_add(d, _neg(size)), stride, bool(p and p[0]))


@template("product")
def _product(s: Sequence[sympy.Expr], p: tuple[int | str, ...]) -> sympy.Expr:
    return _mul(*s)


@template("place")
def _place(s: Sequence[sympy.Expr], p: tuple[int | str, ...]) -> sympy.Expr:
    """k = id + 1: a category's input, from its id counted from 0 as a tokenizer counts."""
    import sympy

    return _add(s[0], sympy.Integer(1))


@cache
def _iverson() -> type[sympy.Function]:
    """[a = b], Iverson's bracket: 1 when a = b, else 0. Printed ``equal(a, b)`` in text
    (the name ``substituted_text`` promises), as a bracket elsewhere."""
    import sympy

    def evalf(self: sympy.Function, prec: int) -> sympy.Expr:
        a, b = self.args
        return sympy.Integer(1 if a == b else 0)._eval_evalf(prec)

    return type("equal", (sympy.Function,), {"_eval_evalf": evalf})


@template("onehot")
def _onehot(s: Sequence[sympy.Expr], p: tuple[int | str, ...]) -> sympy.Expr:
    """x_j = [k = j], one entry of a one-hot vector: the slots are (k, j)."""
    return _iverson()(s[0], s[1])


@template("kernel_params")
def _kernel_params(s: Sequence[sympy.Expr], p: tuple[int | str, ...]) -> sympy.Expr:
    """K · (N · N · C + 1): each kernel's weights and its bias, over the slots (K, N, N, C)."""
    import sympy

    k, n1, n2, c = s
    return _mul(k, _add(_mul(n1, n2, c), sympy.Integer(1)))


@cache
def _ordered(name: str) -> type[sympy.Function]:
    """A function printed ``max`` or ``min`` that keeps its arguments in the given order (a
    window's cells, the samples; sympy's Max and Min sort them) and still evaluates."""
    import sympy

    plain = {"max": sympy.Max, "min": sympy.Min}[name]

    def evalf(self: sympy.Function, prec: int) -> sympy.Expr:
        return plain(*self.args)._eval_evalf(prec)

    return type(name, (sympy.Function,), {"_eval_evalf": evalf})


@template("pool_max")
def _pool_max(s: Sequence[sympy.Expr], p: tuple[int | str, ...]) -> sympy.Expr:
    """max(a, b, ...) over a pooling window, in the window's order."""
    return _ordered("max")(*s)


@template("minimum")
def _minimum(s: Sequence[sympy.Expr], p: tuple[int | str, ...]) -> sympy.Expr:
    """min(a, b, ...) of an input over the samples, in their order."""
    return _ordered("min")(*s)


@template("std")
def _std(s: Sequence[sympy.Expr], p: tuple[int | str, ...]) -> sympy.Expr:
    """σ = √(Σ (x⁽ᵖ⁾ − μ)² / P): the samples' values, then their mean μ in the last slot."""
    import sympy

    mean = s[-1]
    squares = _add(*(sympy.Pow(_add(x, _neg(mean)), 2, evaluate=False) for x in s[:-1]))
    return sympy.Pow(_over(squares, len(s) - 1), sympy.Rational(1, 2), evaluate=False)


def _ratio(*factors: sympy.Expr) -> sympy.Expr:
    """The product of ``factors`` over the last one, as one flat product: printed
    2·(x − a)/(b − a), without a bracket around the numerator."""
    import sympy

    bottom = sympy.Pow(factors[-1], -1, evaluate=False)
    return sympy.Mul(*factors[:-1], bottom, evaluate=False)


@template("scale_minmax")
def _scale_minmax(s: Sequence[sympy.Expr], p: tuple[int | str, ...]) -> sympy.Expr:
    """x' = 2(x − min)/(max − min) − 1 over the slots (x, min, max): the range onto (−1, 1)."""
    import sympy

    x, low, high = s
    inner = _ratio(sympy.Integer(2), _add(x, _neg(low)), _add(high, _neg(low)))
    return _add(inner, sympy.Integer(-1))


@template("scale_standard")
def _scale_standard(s: Sequence[sympy.Expr], p: tuple[int | str, ...]) -> sympy.Expr:
    """x' = (x − μ)/σ over the slots (x, μ, σ)."""
    x, mean, std = s
    return _ratio(_add(x, _neg(mean)), std)


@template("unscale_slope_minmax")
def _unscale_slope_minmax(s: Sequence[sympy.Expr], p: tuple[int | str, ...]) -> sympy.Expr:
    """W = w (yᵐᵃˣ − yᵐⁱⁿ)/(xᵐᵃˣ − xᵐⁱⁿ) over (w, xᵐⁱⁿ, xᵐᵃˣ, yᵐⁱⁿ, yᵐᵃˣ); with targets
    not scaled (three slots) W = 2w/(xᵐᵃˣ − xᵐⁱⁿ)."""
    import sympy

    w, low, high = s[:3]
    span = _add(high, _neg(low))
    if len(s) == 3:
        return _ratio(sympy.Integer(2), w, span)
    return _ratio(w, _add(s[4], _neg(s[3])), span)


@template("unscale_slope_standard")
def _unscale_slope_standard(s: Sequence[sympy.Expr], p: tuple[int | str, ...]) -> sympy.Expr:
    """W = w σʸ/σˣ over (w, σˣ, σʸ); with targets not scaled (two slots) W = w/σˣ."""
    return _ratio(s[0], s[1]) if len(s) == 2 else _ratio(s[0], s[2], s[1])


@template("unscale_bias_minmax")
def _unscale_bias_minmax(s: Sequence[sympy.Expr], p: tuple[int | str, ...]) -> sympy.Expr:
    """W₀ = (yᵐᵃˣ + yᵐⁱⁿ)/2 + w₀ (yᵐᵃˣ − yᵐⁱⁿ)/2 − Σ W_j (x_jᵐᵃˣ + x_jᵐⁱⁿ)/2: the value at
    the inputs' centres. Slots: (yᵐⁱⁿ, yᵐᵃˣ) when ``p[0]`` says the targets are scaled, w₀,
    then (W_j, x_jᵐⁱⁿ, x_jᵐᵃˣ) per input."""
    import sympy

    head = bool(p and p[0])
    at = 3 if head else 1
    w0 = s[at - 1]
    if head:
        low, high = s[0], s[1]
        terms = [_over(_add(high, low), 2), _ratio(w0, _add(high, _neg(low)), sympy.Integer(2))]
    else:
        terms = [w0]
    for k in range(at, len(s), 3):
        terms.append(_neg(_over(_mul(s[k], _add(s[k + 2], s[k + 1])), 2)))
    return _add(*terms)


@template("unscale_bias_standard")
def _unscale_bias_standard(s: Sequence[sympy.Expr], p: tuple[int | str, ...]) -> sympy.Expr:
    """W₀ = μʸ + w₀ σʸ − Σ W_j μ_jˣ: the value at the inputs' means. Slots: (μʸ, σʸ) when
    ``p[0]`` says the targets are scaled, w₀, then (W_j, μ_jˣ) per input."""
    head = bool(p and p[0])
    at = 3 if head else 1
    w0 = s[at - 1]
    terms = [s[0], _mul(w0, s[1])] if head else [w0]
    for k in range(at, len(s), 2):
        terms.append(_neg(_mul(s[k], s[k + 1])))
    return _add(*terms)


@template("divide")
def _divide(s: Sequence[sympy.Expr], p: tuple[int | str, ...]) -> sympy.Expr:
    return _over(_add(*s), int(p[0]))


@template("zero")
def _zero(s: Sequence[sympy.Expr], p: tuple[int | str, ...]) -> sympy.Expr:
    import sympy

    return sympy.Integer(0)


@template("increment_sum")
def _increment_sum(s: Sequence[sympy.Expr], p: tuple[int | str, ...]) -> sympy.Expr:
    """α · Σ δ·x (slot 0 is α, then (δ, x) pairs): the kernel's gradient step, a correlation
    of the input with the error that comes back."""
    return _mul(s[0], _add(*(_mul(s[k], s[k + 1]) for k in range(1, len(s), 2))))


@template("increment_total")
def _increment_total(s: Sequence[sympy.Expr], p: tuple[int | str, ...]) -> sympy.Expr:
    """α · Σ δ (slot 0 is α): the bias's gradient step."""
    return _mul(s[0], _add(*s[1:]))


# Recurrent cells (stepper.engine.recurrent) --------------------------------------------------


def _tanh(x: sympy.Expr, p: tuple[int | str, ...]) -> sympy.Expr:
    """tanh, written tgh when the step's params say so (``display.tanh``)."""
    import sympy

    return tgh_function()(x) if "tgh" in p else sympy.tanh(x)


def _groups(s: Sequence[sympy.Expr], counts: Sequence[int]) -> list[sympy.Expr]:
    """The products of consecutive slots, ``counts`` of them to each product."""
    out, at = [], 0
    for count in counts:
        out.append(_mul(*s[at : at + count]))
        at += count
    return out


@template("terms")
def _terms(s: Sequence[sympy.Expr], p: tuple[int | str, ...]) -> sympy.Expr:
    """A sum of products, ``p`` giving each product's number of factors: the error reaching a
    hidden state from the output and from every gate of the next time step (δ·w, δ·w·r), a
    GRU candidate's net input (w·x, w·r·h), an LSTM's c = f·c + i·g."""
    return _add(*_groups(s, [int(k) for k in p]))


@template("output")
def _output(s: Sequence[sympy.Expr], p: tuple[int | str, ...]) -> sympy.Expr:
    """ỹ = s(t₀ + t₁·h₁ + …): the bias slot, then (weight, h) pairs: the dense layer on h."""
    import sympy

    total = _add(s[0], *(_mul(s[k], s[k + 1]) for k in range(1, len(s), 2)))
    name = str(p[0])
    if name == "tanh":
        return _tanh(total, p)
    if name == "sigmoid":
        return sympy.Pow(_add(sympy.Integer(1), sympy.exp(_neg(total))), -1, evaluate=False)
    return total


@template("lstm_hidden")
def _lstm_hidden(s: Sequence[sympy.Expr], p: tuple[int | str, ...]) -> sympy.Expr:
    """h = o·tanh(c) over the slots (o, c)."""
    return _mul(s[0], _tanh(s[1], p))


@template("gru_hidden")
def _gru_hidden(s: Sequence[sympy.Expr], p: tuple[int | str, ...]) -> sympy.Expr:
    """h_t = (1 − z)·n + z·h_{t−1} over the slots (z, n, h_{t−1})."""
    import sympy

    z, n, before = s
    return _add(_mul(_add(sympy.Integer(1), _neg(z)), n), _mul(z, before))


@template("lstm_dc")
def _lstm_dc(s: Sequence[sympy.Expr], p: tuple[int | str, ...]) -> sympy.Expr:
    """The error reaching c_t: εʰ·o·(1 − tanh(c)²), through h_t = o·tanh(c_t), plus εᶜ·f of
    the next step when there is one (c_{t+1} = f·c_t + …); slots (εʰ, o, c[, εᶜ, f])."""
    import sympy

    through = _add(sympy.Integer(1), _neg(sympy.Pow(_tanh(s[2], p), 2, evaluate=False)))
    now = _mul(s[0], s[1], through)
    return _add(now, _mul(s[3], s[4])) if len(s) == 5 else now


def _times_derivative(activation: str, value: sympy.Expr, *factors: sympy.Expr) -> sympy.Expr:
    """``factors`` times s' written with the gate's value, as one flat product: εᶜ·c·f·(1 − f),
    not εᶜ·c·(f·(1 − f))."""
    import sympy

    d = _derivative(activation, value)
    return _mul(*factors, *(d.args if isinstance(d, sympy.Mul) else (d,)))


@template("delta_gate")
def _delta_gate(s: Sequence[sympy.Expr], p: tuple[int | str, ...]) -> sympy.Expr:
    """A gate's δ: the product of the factors that reach it, times its activation's derivative
    written with its value (the last slot): g·(1 − g) for σ, 1 − g² for tanh."""
    return _times_derivative(str(p[0]), s[-1], *s[:-1])


@template("delta_lstm_o")
def _delta_lstm_o(s: Sequence[sympy.Expr], p: tuple[int | str, ...]) -> sympy.Expr:
    """δᵒ = εʰ·tanh(c)·o·(1 − o) over the slots (εʰ, c, o)."""
    return _times_derivative("sigmoid", s[2], s[0], _tanh(s[1], p))


@template("delta_gru_n")
def _delta_gru_n(s: Sequence[sympy.Expr], p: tuple[int | str, ...]) -> sympy.Expr:
    """δⁿ = εʰ·(1 − z)·(1 − n²) over the slots (εʰ, z, n)."""
    import sympy

    return _times_derivative("tanh", s[2], s[0], _add(sympy.Integer(1), _neg(s[1])))


@template("delta_gru_z")
def _delta_gru_z(s: Sequence[sympy.Expr], p: tuple[int | str, ...]) -> sympy.Expr:
    """The update gate's δ = εʰ·(h_{t−1} − n)·z·(1 − z) over the slots (εʰ, h_{t−1}, n, z)."""
    return _times_derivative("sigmoid", s[3], s[0], _add(s[1], _neg(s[2])))


@template("delta_gru_r")
def _delta_gru_r(s: Sequence[sympy.Expr], p: tuple[int | str, ...]) -> sympy.Expr:
    """δʳ = (Σ δⁿ·w)·h_{t−1}·r·(1 − r): (δⁿ, w) pairs, then h_{t−1} and r."""
    reaching = _add(*(_mul(s[k], s[k + 1]) for k in range(0, len(s) - 2, 2)))
    return _times_derivative("sigmoid", s[-1], reaching, s[-2])


@template("increment_terms")
def _increment_terms(s: Sequence[sympy.Expr], p: tuple[int | str, ...]) -> sympy.Expr:
    """Δw = c·α·(Σ_t input·δ): one weight's increment summed over time, ``p`` = (c, factors
    in each term); slot 0 is α. The sum is kept in brackets, a term per time step."""
    import sympy

    c, size = int(p[0]), int(p[1])
    terms = _groups(s[1:], [size] * ((len(s) - 1) // size))
    total = _add(*terms)
    return _mul(sympy.Integer(2), s[0], total) if c == 2 else _mul(s[0], total)


# A lesson's own expressions (an optimize lesson's function and its derivatives) -------------

#: id -> (the expression, the variables its operands fill, in order).
_EXPRESSIONS: dict[str, tuple[sympy.Expr, tuple[sympy.Symbol, ...]]] = {}


def register_expression(expr: sympy.Expr, variables: Sequence[sympy.Symbol]) -> str:
    """Make a lesson's own sympy expression a formula: a step names the template ``expression``
    with the id returned here as its params, and its operands fill ``variables`` in order.

    The id is a digest of the expression as written and its variables, so the same lesson
    gets the same id in every run, and the printers' caches (keyed by template and params) stay
    right.
    """
    import hashlib

    names = ",".join(v.name for v in variables)
    digest = hashlib.sha256(f"{_as_written(expr)}|{names}".encode()).hexdigest()[:20]
    key = f"expr-{digest}"
    _EXPRESSIONS.setdefault(key, (expr, tuple(variables)))
    return key


def _as_written(expr: sympy.Basic) -> str:
    """``expr`` spelt out with its arguments in their order: sympy's srepr sorts a product's
    factors, so the unevaluated x·2 (a graph's node) and 2·x (a derivative) would share an id,
    and one would print as the other from the formula cache."""
    import sympy

    if not expr.args:
        return str(sympy.srepr(expr))
    return f"{expr.func.__name__}({', '.join(_as_written(a) for a in expr.args)})"


@template("expression")
def _expression(s: Sequence[sympy.Expr], p: tuple[int | str, ...]) -> sympy.Expr:
    """A registered expression with its variables replaced by the slots."""
    expr, variables = _EXPRESSIONS[str(p[0])]
    return _replaced(expr, dict(zip(variables, s, strict=True)))


def _replaced(expr: sympy.Expr, mapping: dict[sympy.Symbol, sympy.Expr]) -> sympy.Expr:
    """``expr`` with ``mapping`` applied node by node, nothing evaluated: unlike xreplace, the
    author's order of terms survives, and so does a product of numbers (2·1, not 2)."""
    if expr in mapping:
        return mapping[expr]
    if not expr.args:
        return expr
    args = [_replaced(a, mapping) for a in expr.args]
    return expr.func(*args, evaluate=False)


#: Templates whose products the lecture writes with × (the convolution's windows).
_TIMES = frozenset({"window"})


def build(name: str, slots: Sequence[sympy.Expr], params: tuple[int | str, ...]) -> sympy.Expr:
    """The template's sympy expression over any slot contents (symbols or numbers)."""
    return _BUILDERS[name](slots, params)


@cache
def _printers() -> dict[str, Callable[[sympy.Expr], str]]:
    """sympy's LaTeX and str printers, set to keep the formula's order and write max/heaviside
    the way ``substituted_text`` promises (lower-case Python names)."""
    from sympy.printing.latex import LatexPrinter
    from sympy.printing.precedence import PRECEDENCE
    from sympy.printing.str import StrPrinter

    class TextPrinter(StrPrinter):
        def _print_Exp1(self, expr: sympy.Expr) -> str:
            # e, which sympy makes of exp(1) in a derivative: the text has no constant E.
            return "exp(1)"

        def _print_Max(self, expr: sympy.Expr) -> str:
            return "max(" + ", ".join(self._print(a) for a in expr.args) + ")"

        def _print_Heaviside(self, expr: sympy.Expr) -> str:
            return f"heaviside({self._print(expr.args[0])})"

        def _print_tgh(self, expr: sympy.Expr) -> str:
            return f"tanh({self._print(expr.args[0])})"

        #: σ(u) is written out as the quotient 1/(1 + exp(-u)), which needs parentheses
        #: where σ(u) needs none: under a bar or a power, or in a product (0.5/σ(0.2) is not
        #: 0.5/1/(1 + exp(-0.2))).
        sigmoid_is_a_quotient = True

        def parenthesize(self, item: sympy.Expr, level: int, strict: bool = False) -> str:
            if self.sigmoid_is_a_quotient and type(item).__name__ == "sigmoid":
                mul = PRECEDENCE["Mul"]
                if mul < level or (not strict and mul <= level):
                    return f"({self._print(item)})"
            return str(super().parenthesize(item, level, strict))

        def _print_sigmoid(self, expr: sympy.Expr) -> str:
            # A graph's σ(u), written out with the functions a reader's calculator has.
            u = expr.args[0]
            inner = self._print(u)
            if not u.is_Atom or (u.is_Number and u.is_negative):
                inner = f"({inner})"
            return f"1/(1 + exp(-{inner}))"

        def _print_relu(self, expr: sympy.Expr) -> str:
            return f"max(0, {self._print(expr.args[0])})"

    class UnicodeText(TextPrinter):
        sigmoid_is_a_quotient = False

        def _print_Exp1(self, expr: sympy.Expr) -> str:
            return "e"

        def _print_tgh(self, expr: sympy.Expr) -> str:
            return f"tgh({self._print(expr.args[0])})"

        def _print_sigmoid(self, expr: sympy.Expr) -> str:
            return f"σ({self._print(expr.args[0])})"

        def _print_relu(self, expr: sympy.Expr) -> str:
            return f"relu({self._print(expr.args[0])})"

    class Latex(LatexPrinter):
        def _print_Heaviside(self, expr: sympy.Expr, exp: str | None = None) -> str:
            # ReLU's step is Heaviside(y, 0) (value 0 at 0): written [y > 0] (Iverson's
            # bracket, 1 when y > 0 and 0 otherwise), not θ(y), which the lecture never uses.
            tex = rf"\left[{self._print(expr.args[0])} > 0\right]"
            return rf"{tex}^{{{exp}}}" if exp else tex

        def _print_tgh(self, expr: sympy.Expr, exp: str | None = None) -> str:
            tex = rf"\operatorname{{tgh}}{{\left({self._print(expr.args[0])} \right)}}"
            return rf"{tex}^{{{exp}}}" if exp else tex

        def _print_sigmoid(self, expr: sympy.Expr, exp: str | None = None) -> str:
            tex = rf"\sigma\left({self._print(expr.args[0])} \right)"
            return rf"{tex}^{{{exp}}}" if exp else tex

        def _print_relu(self, expr: sympy.Expr, exp: str | None = None) -> str:
            tex = rf"\operatorname{{relu}}{{\left({self._print(expr.args[0])} \right)}}"
            return rf"{tex}^{{{exp}}}" if exp else tex

        def _print_equal(self, expr: sympy.Expr, exp: str | None = None) -> str:
            a, b = (self._print(x) for x in expr.args)
            return rf"\left[{a} = {b}\right]"

    text = TextPrinter({"order": "none"}).doprint
    unicode_text = UnicodeText({"order": "none"}).doprint

    def latex(e: sympy.Expr) -> str:
        return str(Latex({"order": "none", "mul_symbol": "dot"}).doprint(e))

    def latex_symbols(e: sympy.Expr) -> str:
        return str(Latex({"order": "none"}).doprint(e))

    def latex_times(e: sympy.Expr) -> str:
        return str(Latex({"order": "none", "mul_symbol": "times"}).doprint(e))

    def unicode(e: sympy.Expr) -> str:
        return _unicode_from_text(unicode_text(e))

    return {
        "latex": latex,
        "latex_symbols": latex_symbols,
        "latex_times": latex_times,
        "text": text,
        "unicode": unicode,
    }


_UNICODE_POWERS = re.compile(r"\*\*(\d+)")
_UNICODE_EQUAL = re.compile(r"equal\(([^(),]*), ([^(),]*)\)")


def _unicode_from_text(text: str) -> str:
    text = _UNICODE_EQUAL.sub(r"[\1 = \2]", text)
    text = _UNICODE_POWERS.sub(
        lambda m: m.group(1).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")), text
    )
    # A power that is not a plain number (x**(-2), β**t) keeps a caret.
    return _step_bracket(
        text.replace("**", "^").replace("*", " · ").replace(" - ", " − ").replace("-", "−")
    )


def _step_bracket(text: str) -> str:
    """heaviside(y) as Iverson's [y > 0], its argument found by balancing the parentheses."""
    while (at := text.find("heaviside(")) >= 0:
        start = at + len("heaviside(")
        depth, end = 1, start
        while depth:
            depth += {"(": 1, ")": -1}.get(text[end], 0)
            end += 1
        text = f"{text[:at]}[{text[start : end - 1]} > 0]{text[end:]}"
    return text


@dataclass(frozen=True, slots=True)
class Compiled:
    """A printed template as a ``str.format`` pattern whose fields are the slot numbers."""

    pattern: str
    bare: bool
    #: Slots that stand alone as a function's argument (exp(u), max(0, z)): a negative number
    #: needs no parentheses of its own there.
    enclosed: frozenset[int] = frozenset()

    def fill(self, values: Sequence[str]) -> str:
        return self.pattern.format(*values)


@cache
def compiled(name: str, params: tuple[int | str, ...], arity: int, fmt: _Print) -> Compiled:
    """The template printed for ``fmt`` and split at its slots: from the disk cache
    (``stepper.formula_cache``) when it holds it, else printed by sympy and kept there."""
    key = json.dumps([name, params, arity, fmt], ensure_ascii=False)
    kept = formula_cache.lookup(key)
    if kept is not None and _fits(kept[0], arity):
        return Compiled(*kept)
    printed = _compile(name, params, arity, fmt)
    formula_cache.store(key, (printed.pattern, printed.bare, printed.enclosed))
    return printed


def _fits(pattern: str, arity: int) -> bool:
    """Whether a pattern from the cache fills with ``arity`` slots (a damaged one may not)."""
    try:
        pattern.format(*[""] * arity)
    except (IndexError, KeyError, ValueError):
        return False
    return True


def _compile(name: str, params: tuple[int | str, ...], arity: int, fmt: _Print) -> Compiled:
    """Print the template once for ``fmt`` with slot symbols, and split it at the slots."""
    import sympy

    slots = [sympy.Symbol(f"Zslot{k}Z") for k in range(arity)]
    times = name in _TIMES
    printer = "latex_times" if times and fmt in ("latex", "latex_symbols") else fmt
    printed = _printers()[printer](build(name, slots, params))
    if times and fmt == "unicode":
        printed = printed.replace(" · ", " × ")
    escaped = printed.replace("{", "{{").replace("}", "}}")
    pattern = _SLOT.sub(lambda m: "{" + m.group(1) + "}", escaped)
    every = {int(k) for k in _SLOT.findall(printed)}
    free = {int(m.group(1)) for m in _ARGUMENT.finditer(printed)}
    crowded = {int(k) for k in _SLOT.findall(_ARGUMENT.sub("", printed))}
    return Compiled(
        pattern,
        bare=_SLOT.fullmatch(printed) is not None,
        enclosed=frozenset((free - crowded) & every),
    )


def number(shown: str, fmt: Format, *, alone: bool = False) -> str:
    """A shown number as it goes into a substitution: negative ones in parentheses, unless the
    number is the whole expression. LaTeX and Unicode write a power of ten as such (1e-10 as
    10^{-10} and 10⁻¹⁰); the text form keeps Python's 1e-10."""
    if "e" in shown:
        shown = power_of_ten(shown, fmt)
    if not shown.startswith("-"):
        return shown
    if alone:
        return "−" + shown[1:] if fmt == "unicode" else shown
    if fmt == "latex":
        return rf"\left({shown}\right)"
    if fmt == "unicode":
        return "(−" + shown[1:] + ")"
    return f"({shown})"


#: Each symbol printed once per format: a big layer names the same x_j in every neuron, and
#: one dictionary lookup a slot is what a step of a 50,000-step document can afford.
_SYMBOLS: dict[Format, dict[Sym, str]] = {"latex": {}, "unicode": {}, "text": {}}
_PRINT_SYMBOL: dict[Format, Callable[[Sym], str]] = {
    "latex": Sym.latex,
    "unicode": Sym.unicode,
    "text": Sym.text,
}


def _symbol(sym: Sym, fmt: Format) -> str:
    """A symbol in ``fmt``."""
    known = _SYMBOLS[fmt]
    text = known.get(sym)
    if text is None:
        text = known[sym] = _PRINT_SYMBOL[fmt](sym)
    return text


def rhs_formula(step: Step, fmt: Format) -> str:
    """The right-hand side with the lecture's symbols in the slots."""
    how: _Print = "latex_symbols" if fmt == "latex" else fmt
    c = compiled(step.template, step.params, len(step.operands), how)
    known = _SYMBOLS[fmt]
    syms = [known.get(q.sym) or _symbol(q.sym, fmt) for q in step.operands]
    pattern = c.pattern
    powered = _powered(pattern)
    if any(step.operands[k].sym.tag or step.operands[k].sym.sample is not None for k in powered):
        pattern = _grouped(pattern, fmt)  # (x⁺)², {x^{+}}^{2}: not x⁺², x^{+}^{2}
    return pattern.format(*syms)


_POWER = re.compile(r"(?<!\{)\{(\d+)\}(?=\^|[⁰¹²³⁴⁵⁶⁷⁸⁹])")


@cache
def _powered(pattern: str) -> frozenset[int]:
    """The slots of a printed template raised to a power somewhere (``{0}^{{2}}``, ``{0}²``)."""
    return frozenset(int(found.group(1)) for found in _POWER.finditer(pattern))


@cache
def _grouped(pattern: str, fmt: Format) -> str:
    """The pattern with each powered slot grouped, for a symbol that has a superscript."""
    opening, closing = ("{{", "}}") if fmt == "latex" else ("(", ")")
    return _POWER.sub(lambda found: f"{opening}{found.group(0)}{closing}", pattern)


def substituted(step: Step, fmt: Format, *, blank: str | None = None) -> str:
    """The right-hand side with the numbers as shown in the slots, nothing evaluated.

    With ``blank``, the numbers that earlier steps computed are replaced by it (a worksheet
    shows the lesson's given numbers and leaves the learner's own results to fill in).
    """
    c = compiled(step.template, step.params, len(step.operands), fmt)
    if blank is None:  # the common case, kept lean: most numbers are not negative
        return c.pattern.format(
            *[
                q.shown
                if q.shown[:1] != "-" and "e" not in q.shown
                else number(q.shown, fmt, alone=c.bare or k in c.enclosed)
                for k, q in enumerate(step.operands)
            ]
        )
    return c.fill(
        [
            blank if q.step is not None else number(q.shown, fmt, alone=c.bare or k in c.enclosed)
            for k, q in enumerate(step.operands)
        ]
    )


#: The functions a template's text form calls, as a reader works them out.
_CALLS: dict[str, Callable[..., float]] = {
    "exp": math.exp,
    "log": math.log,
    "sqrt": math.sqrt,
    "tanh": math.tanh,
    "sin": math.sin,
    "cos": math.cos,
    "floor": math.floor,
    "max": max,
    "min": min,
    "heaviside": lambda x: 1.0 if x > 0 else 0.0,
    "equal": lambda a, b: 1.0 if a == b else 0.0,
}
_Hand = Callable[[Sequence[float]], float]


@cache
def _by_hand(name: str, params: tuple[int | str, ...], arity: int) -> _Hand:
    """The template as a float function of its slots, built once per kind of step from its
    printed text form (kept on disk like the others, so no sympy is imported for it)."""
    pattern = compiled(name, params, arity, "text").pattern
    tree = ast.parse(pattern.format(*[f"s{k}" for k in range(arity)]), mode="eval")
    return _closure(tree.body)


def _closure(node: ast.expr) -> _Hand:
    """One node of a template's text as nested closures (nothing is eval'd); a long sum is
    one closure over its terms, so that a 785-term neuron does not recurse 785 deep."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        constant = float(node.value)
        return lambda v: constant
    if isinstance(node, ast.Name) and node.id[:1] == "s" and node.id[1:].isdigit():
        return operator.itemgetter(int(node.id[1:]))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _closure(node.operand)
        return lambda v: -inner(v)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _CALLS:
        function, args = _CALLS[node.func.id], [_closure(a) for a in node.args]
        return lambda v: function(*(a(v) for a in args))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub):
        terms: list[tuple[float, _Hand]] = []
        while isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub):
            terms.append((1.0 if isinstance(node.op, ast.Add) else -1.0, _closure(node.right)))
            node = node.left
        terms.append((1.0, _closure(node)))
        return lambda v: math.fsum(sign * term(v) for sign, term in terms)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult | ast.Div | ast.Pow):
        a, b = _closure(node.left), _closure(node.right)
        how = _BINARY[type(node.op)]
        return lambda v: how(a(v), b(v))
    raise ValueError(f"a template's text has {type(node).__name__}")


_BINARY: dict[type[ast.operator], Callable[[float, float], float]] = {
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}


def evaluate(step: Step, numbers: Sequence[float]) -> float:
    """What the step's formula gives with ``numbers`` in its slots: the substitution worked
    out as a reader does it, from the numbers it shows rather than the engine's."""
    return float(_by_hand(step.template, step.params, len(step.operands))(numbers))


def formula(step: Step, fmt: Format) -> str:
    """The whole symbolic equation, left-hand side, relation and right-hand side."""
    return f"{_symbol(step.sym, fmt)} {_RELATION[step.relation][fmt]} {rhs_formula(step, fmt)}"
