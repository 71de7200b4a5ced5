"""Optimisers on a function of named variables, step by step: the lecture's gradient descent
and the optimisers it lists after it.

sympy differentiates the lesson's function once (``sympy.diff``); each partial derivative is
then a formula over the variables, evaluated at the current point. The optimiser moves the
point with its own state. For a variable x with partial derivative g, at iteration n:

- gradient descent: x → x − α g (the lecture's w → w + Δw with Δw = −α ∂F/∂w);
- momentum (Polyak): Δx → β Δx − α g, x → x + Δx;
- Nesterov (Sutskever et al. 2013): x⁺ = x + β Δx, g taken at x⁺, Δx → β Δx − α g,
  x → x + Δx;
- Adagrad (Duchi et al. 2011): G → G + g², x → x − α g / (√G + ξ);
- AdaDelta (Zeiler 2012): E[g²] → ρ E[g²] + (1 − ρ) g², Δx = −√(E[Δx²] + ξ)/√(E[g²] + ξ) g,
  E[Δx²] → ρ E[Δx²] + (1 − ρ) Δx², x → x + α Δx (α = 1 in the paper);
- Adam (Kingma & Ba 2015): m → β₁ m + (1 − β₁) g, r → β₂ r + (1 − β₂) g², m̂ = m/(1 − β₁ⁿ),
  r̂ = r/(1 − β₂ⁿ), x → x − α m̂/(√r̂ + ξ).

The letters are the lecture's where it has them, and another where the literature's would mean
something else in the lecture (docs/lessons.md, "Letters"): the papers' velocity v, Adam's v
and t, the look-ahead x̃ and the constant ε are Δx, r, n, x⁺ and ξ here, as v is a hidden
output, t a second layer's weight, ỹ the network's output and ε its error. These are
torch.optim's rules too (its SGD momentum keeps b = −Δx/α, and its Nesterov parameters are the
look-ahead points x⁺). Every state starts at 0.

Each optimiser runs from the start, one after the other; with several start points (a lesson
comparing the minima f falls into), every optimiser from the first start, then from the next.
Step keys (with several optimisers each starts with the optimiser's id and a dot, as in
``adam.x``; with several starts, before that, ``startK.`` for the K-th start, as in
``start2.x`` or ``start2.adam.x``): ``f`` the function's value (iteration 0 at the start,
iteration t after the t-th update); ``grad[x]`` the partial derivative; ``grad`` the length of
the gradient (with several variables); the state ``v[x]``, ``ahead[x]``, ``G[x]``, ``Eg2[x]``,
``delta[x]``, ``Edx2[x]``, ``m[x]``, ``mhat[x]``, ``vhat[x]``; and the variable itself, ``x``,
at its new value.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, NoReturn

from stepper.engine.base import Recorder
from stepper.explain import explain
from stepper.formulas import register_expression, template
from stepper.i18n import label
from stepper.lesson.errors import NumberProblem, msg
from stepper.lesson.formula import (
    Formula,
    FormulaError,
    NumericError,
    numeric,
    parse_formula,
    run_prefixes,
)
from stepper.lesson.schema import OptimizeLesson, Optimizer
from stepper.notation import Sym
from stepper.numbers import given
from stepper.steps import OptimizerShape, OptimizeShape, Phase, Quantity, Solution

if TYPE_CHECKING:
    import sympy

#: A lesson's function that takes a logarithm (its first value then says which one).
_LOG = re.compile(r"\blog\b")
#: Largest value a step may reach: past it the optimiser has diverged (and a number with the
#: lesson's decimals no longer means anything on paper).
MAX_VALUE = 1e12
#: Largest derivative shown, in sympy nodes (the formula's own limit is 200).
MAX_DERIVATIVE_NODES = 5_000

#: The letters of the optimisers' quantities where they are not their keys: Adam's second
#: moment and its correction are r and r̂ (Goodfellow, Bengio & Courville's letter), as v is a
#: hidden output in the lecture.
LETTERS = {
    "grad": "g",
    "v": "r",
    "vhat": "rhat",
}
#: The explanations that first show a letter other than the literature's, and the notation
#: (``explain.once.NAME``) said there once in a lesson: the velocity Δx, the look-ahead point
#: x⁺, Adam's step count n and r, the constant ξ.
_SAID_ONCE = {
    "opt.velocity": "velocity",
    "opt.velocity.nesterov": "velocity",
    "opt.ahead": "ahead",
    "opt.adam.v": "moment",
    "opt.adam.mhat": "count",
    "opt.adagrad.step": "xi",
    "opt.adadelta.delta": "xi",
    "opt.adam.step": "xi",
}


# --- The formulas of the optimisers ------------------------------------------------------------


def _minus(e: sympy.Expr) -> sympy.Expr:
    import sympy

    return sympy.Mul(sympy.Integer(-1), e, evaluate=False)


def _times(*factors: sympy.Expr) -> sympy.Expr:
    import sympy

    return sympy.Mul(*factors, evaluate=False)


def _plus(*terms: sympy.Expr) -> sympy.Expr:
    import sympy

    return sympy.Add(*terms, evaluate=False)


def _over(a: sympy.Expr, b: sympy.Expr) -> sympy.Expr:
    import sympy

    return sympy.Mul(a, sympy.Pow(b, -1, evaluate=False), evaluate=False)


def _square(e: sympy.Expr) -> sympy.Expr:
    import sympy

    return sympy.Pow(e, 2, evaluate=False)


def _root(e: sympy.Expr) -> sympy.Expr:
    import sympy

    return sympy.sqrt(e, evaluate=False)


def _one_minus(e: sympy.Expr) -> sympy.Expr:
    import sympy

    return _plus(sympy.Integer(1), _minus(e))


Slots = Sequence["sympy.Expr"]
Params = tuple[int | str, ...]


@template("opt_descent")
def _descent(s: Slots, p: Params) -> sympy.Expr:
    """θ − α·g over (θ, α, g)."""
    return _plus(s[0], _minus(_times(s[1], s[2])))


@template("opt_velocity")
def _velocity(s: Slots, p: Params) -> sympy.Expr:
    """β·v − α·g over (β, v, α, g)."""
    return _plus(_times(s[0], s[1]), _minus(_times(s[2], s[3])))


@template("opt_accumulate")
def _accumulate(s: Slots, p: Params) -> sympy.Expr:
    """G + g² over (G, g)."""
    return _plus(s[0], _square(s[1]))


@template("opt_adaptive")
def _adaptive(s: Slots, p: Params) -> sympy.Expr:
    """θ − α·a/(√b + ε) over (θ, α, a, b, ε): Adagrad's step (a = g, b = G) and Adam's
    (a = m̂, b = v̂)."""
    return _plus(s[0], _minus(_times(s[1], _over(s[2], _plus(_root(s[3]), s[4])))))


@template("opt_average")
def _average(s: Slots, p: Params) -> sympy.Expr:
    """β·m + (1 − β)·g over (β, m, g); with params ("square",) the last term is g²."""
    last = _square(s[2]) if p and p[0] == "square" else s[2]
    return _plus(_times(s[0], s[1]), _times(_one_minus(s[0]), last))


@template("opt_adadelta")
def _adadelta(s: Slots, p: Params) -> sympy.Expr:
    """−√((D + ε)/(E + ε))·g over (D, ε, E, ε, g), with D = E[Δθ²] and E = E[g²]: Zeiler's
    RMS[Δθ]/RMS[g] times the derivative."""
    return _minus(_times(_root(_over(_plus(s[0], s[1]), _plus(s[2], s[3]))), s[4]))


@template("opt_step")
def _step(s: Slots, p: Params) -> sympy.Expr:
    """θ + c·u over (θ, c, u): Nesterov's look-ahead θ + β·v, AdaDelta's θ + α·Δθ."""
    return _plus(s[0], _times(s[1], s[2]))


@template("opt_correct")
def _correct(s: Slots, p: Params) -> sympy.Expr:
    """m/(1 − βᵗ) over (m, β, t): the bias correction of a moment that starts at 0."""
    import sympy

    return _over(s[0], _one_minus(sympy.Pow(s[1], s[2], evaluate=False)))


@template("opt_norm")
def _norm(s: Slots, p: Params) -> sympy.Expr:
    """√(g₁² + g₂² + …): the length of the gradient."""
    return _root(_plus(*(_square(g) for g in s)))


# --- The lesson's function and its derivatives ------------------------------------------------


@dataclass(frozen=True)
class Function:
    """f and its partial derivatives: each a registered formula and a float function."""

    formula: Formula
    f: str
    grads: tuple[str, ...]
    value: Callable[[Sequence[float]], float]
    slopes: tuple[Callable[[Sequence[float]], float], ...]


@cache
def function_of(text: str, variables: tuple[str, ...]) -> Function:
    """Parse (again: the loader did), build with sympy, differentiate once per variable."""
    import sympy

    formula = parse_formula(text, variables)
    symbols = [sympy.Symbol(v) for v in variables]
    f = formula.to_sympy(symbols)
    grads = []
    for s in symbols:
        # exp(1) evaluates to E, which substituted_text may not name: write it back as exp(1).
        g = sympy.diff(f, s).xreplace({sympy.E: sympy.exp(sympy.Integer(1), evaluate=False)})
        if sum(1 for _ in sympy.preorder_traversal(g)) > MAX_DERIVATIVE_NODES:
            raise FormulaError(msg("engine.derivative_long", s=s))
        grads.append(g)
    return Function(
        formula=formula,
        f=register_expression(f, symbols),
        grads=tuple(register_expression(g, symbols) for g in grads),
        value=numeric(f, symbols),
        slopes=tuple(numeric(g, symbols) for g in grads),
    )


# --- The run ---------------------------------------------------------------------------------


@cache
def _explain(key: str, lang: str, fields: tuple[tuple[str, object], ...]) -> str:
    """An explanation, cached: every iteration explains the same steps in the same words."""
    return explain(key, lang, **dict(fields))


@cache
def _text(sym: Sym) -> str:
    """A symbol in Unicode, for the explanations; cached, as every iteration names the same."""
    return sym.unicode()


def _given(sym: Sym, key: str, value: float) -> Quantity:
    return Quantity(sym, key, value, given(value))


class OptimizeRun(Recorder):
    """One pass over an optimize lesson: every optimiser from the start, one after another."""

    def __init__(self, lesson: OptimizeLesson, lang: str, *, rounding: bool) -> None:
        super().__init__(lesson, lang, rounding=rounding)
        self.lesson = lesson
        self.names = tuple(lesson.variables)
        self.n = len(self.names)
        try:
            self.function = function_of(lesson.function, self.names)
        except FormulaError as exc:  # the loader has checked the formula; only this is left
            raise NumberProblem(
                lesson.id or "lesson", msg("engine.function", why=exc), ("function",)
            ) from None
        self.prefix = ""
        self.index = 0  # of the optimiser running, in the lesson's list
        self.origin = 0  # of the start it runs from, from 1 (0: the lesson has one)
        self.ident = ""
        self.family = ""
        self.optimizer = ""
        self.h: dict[str, Quantity] = {}
        self.state: dict[str, list[Quantity]] = {}

    # Notation ------------------------------------------------------------------------------

    def var(self, i: int, *, ahead: bool = False, delta: bool = False) -> Sym:
        """Variable i as the lesson names it: x, or x₁ for x1; its look-ahead point x⁺ or
        its increment Δx."""
        name = self.names[i]
        indices = (int(name[1:]),) if name[1:] else ()
        return Sym(name[0], indices, delta=delta, tag="+" if ahead else None)

    def own(self, letter: str, i: int) -> Sym:
        """An optimiser's quantity of variable i, indexed by the variable's place (v₁ is the
        velocity of the first variable), unless the function has only one."""
        return Sym(LETTERS.get(letter, letter), (i + 1,) if self.n > 1 else ())

    def words(self, key: str, i: int | None = None, **fields: object) -> str:
        """An explanation, with the symbols of variable i at hand as {var}, {g}, ..."""
        if i is not None:
            fields = {"var": _text(self.var(i)), "g": _text(self.own("grad", i)), **fields}
        return _explain(key, self.lang, tuple(fields.items()))

    # Recording -----------------------------------------------------------------------------

    def put(
        self,
        key: str,
        phase: Phase,
        *,
        template: str,
        sym: Sym,
        operands: Sequence[Quantity],
        value: float,
        explanation: str,
        params: tuple[int | str, ...] = (),
        relation: str = "=",
    ) -> Quantity:
        """Record a step, refusing a value that has run away (the optimiser diverged)."""
        if not math.isfinite(value) or abs(value) > MAX_VALUE:
            self.fail(sym, f"it reaches {value:.3g}: the optimiser diverges")
        return self.emit(
            self.prefix + key,
            phase,
            None,
            template=template,
            params=params,
            sym=sym,
            operands=operands,
            value=value,
            explanation=explanation,
            relation=relation,
        )

    def fail(self, sym: Sym, why: str) -> NoReturn:
        """Stop at a value that cannot be computed, blaming the optimiser's learning rate."""
        optimizer = self.lesson.optimizers[self.index]
        rate = "learning_rate" in optimizer.model_fields_set
        ident = self.ident
        if self.origin:
            ident = msg("engine.from_start", ident=ident, k=self.origin)
        raise NumberProblem(
            self.lesson.id or "lesson",
            msg(
                "engine.optimizer_fail",
                ident=ident,
                iteration=self.iteration,
                sym=_text(sym),
                why=why,
            ),
            ("optimizers", self.index, *(["learning_rate"] if rate else [])),
        )

    def at(self, fn: Callable[[Sequence[float]], float], point: list[Quantity], sym: Sym) -> float:
        """``fn`` (f or a partial derivative) at the point, or a plain error where undefined."""
        try:
            return fn([q.value for q in point])
        except NumericError as exc:
            where = ", ".join(f"{_text(q.sym)} = {q.shown}" for q in point)
            self.fail(sym, msg("engine.at_point", where=where, why=exc))

    # The function and its gradient ------------------------------------------------------------

    def value_of_f(self, point: list[Quantity], explanation: str) -> Quantity:
        sym = Sym("f")
        if _LOG.search(self.lesson.function):
            explanation = self.once("log", explanation)
        return self.put(
            "f",
            Phase.FORWARD,
            template="expression",
            params=(self.function.f,),
            sym=sym,
            operands=point,
            value=self.at(self.function.value, point, sym),
            explanation=explanation,
        )

    def gradient(self, at: list[Quantity], *, ahead: bool = False) -> list[Quantity]:
        """Each partial derivative at ``at``, then (with several variables) the gradient's
        length, whose substitution shows the vector."""
        grads = []
        for i, name in enumerate(self.names):
            sym = self.own("grad", i)
            words = self.words("opt.grad", i)
            if ahead:
                words += self.words("opt.grad.ahead", i, ahead=_text(self.var(i, ahead=True)))
            grads.append(
                self.put(
                    f"grad[{name}]",
                    Phase.FORWARD,
                    template="expression",
                    params=(self.function.grads[i],),
                    sym=sym,
                    operands=at,
                    value=self.at(self.function.slopes[i], at, sym),
                    explanation=words,
                )
            )
        if self.n > 1:
            vector = ", ".join(_text(g.sym) for g in grads)
            self.put(
                "grad",
                Phase.FORWARD,
                template="opt_norm",
                sym=Sym("norm"),
                operands=grads,
                value=math.sqrt(sum(g.value * g.value for g in grads)),
                explanation=self.words("opt.norm", vector=vector),
            )
        return grads

    def one(
        self,
        key: str,
        i: int,
        *,
        template: str,
        operands: list[Quantity],
        value: float,
        explanation: str,
        sym: Sym | None = None,
        phase: Phase = Phase.UPDATE,
        relation: str = "→",
        params: tuple[int | str, ...] = (),
        **fields: object,
    ) -> Quantity:
        """The step of variable i's ``key`` (``m[x]``), or of the variable itself for an
        empty key; its symbol is the quantity it updates, the first operand, unless given."""
        words = self.words(explanation, i, **fields)
        if explanation in _SAID_ONCE:
            words = self.once(_SAID_ONCE[explanation], words)
        return self.put(
            f"{key}[{self.names[i]}]" if key else self.names[i],
            phase,
            template=template,
            sym=sym or operands[0].sym,
            operands=operands,
            value=value,
            explanation=words,
            params=params,
            relation=relation,
        )

    # One optimiser -----------------------------------------------------------------------------

    def run(self, optimizer: Optimizer, run: OptimizerShape) -> None:
        """One optimiser from one start: f there, then each iteration and f at its point."""
        prefix = self.prefix = run.prefix
        self.origin = run.origin
        self.ident = optimizer.id or optimizer.name  # as the lesson names it, for messages
        self.family = optimizer.name
        self.optimizer = label(f"optimizer.{optimizer.name}", self.lang)
        if run.origin:  # which start, in the words of the explanations
            self.optimizer = label(
                "optimizer.from", self.lang, name=self.optimizer, point=run.start_text()
            )
        self.h = self.hyperparameters(optimizer.settings())
        self.state = {
            letter: [
                Quantity(self.state_sym(letter, i), f"{prefix}{letter}[{v}]", 0.0, "0")
                for i, v in enumerate(self.names)
            ]
            for letter in ("v", "G", "Eg2", "Edx2", "m")
        }
        point = [
            _given(self.var(i), prefix + name, v)
            for i, (name, v) in enumerate(zip(self.names, run.start, strict=True))
        ]
        self.iteration = 0
        words = self.words("opt.f.start", optimizer=self.optimizer)
        if run.origin:
            words += " " + self.words("opt.f.starts")
        self.value_of_f(point, words)
        move: Callable[[list[Quantity], int], list[Quantity]] = getattr(self, f"_{optimizer.name}")
        for t in range(1, self.lesson.iterations + 1):
            self.iteration = t
            point = move(point, t)
            self.value_of_f(point, self.words("opt.f", optimizer=self.optimizer, t=t))

    def state_sym(self, letter: str, i: int) -> Sym:
        if letter == "v" and self.family in ("momentum", "nesterov"):
            return self.var(i, delta=True)  # the velocity: the increment x moves by
        if letter == "Edx2":
            return Sym(f"E[Δ{_text(self.var(i))}²]")
        return self.own(letter, i)

    def hyperparameters(self, settings: dict[str, float]) -> dict[str, Quantity]:
        """The optimiser's hyper-parameters as given quantities: alpha, beta, rho, beta1, beta2
        and eps, as the optimiser uses them."""
        symbols = {
            "learning_rate": ("alpha", Sym("alpha")),
            "momentum": ("beta", Sym("beta")),
            "rho": ("rho", Sym("rho")),
            "beta1": ("beta1", Sym("beta", (1,))),
            "beta2": ("beta2", Sym("beta", (2,))),
            "epsilon": ("eps", Sym("xi")),
        }
        out = {}
        for field, value in settings.items():
            key, sym = symbols[field]
            out[key] = _given(sym, self.prefix + key, value)
        return out

    # The optimisers: each takes the point and gives the new one --------------------------------

    def _gradient_descent(self, point: list[Quantity], t: int) -> list[Quantity]:
        alpha = self.h["alpha"]
        grads = self.gradient(point)
        return [
            self.one(
                "",
                i,
                template="opt_descent",
                operands=[x, alpha, g],
                value=x.value - alpha.value * g.value,
                explanation="opt.descent",
            )
            for i, (x, g) in enumerate(zip(point, grads, strict=True))
        ]

    def _momentum(self, point: list[Quantity], t: int, *, nesterov: bool = False) -> list[Quantity]:
        alpha, beta, old = self.h["alpha"], self.h["beta"], self.state["v"]
        at = point
        if nesterov:
            at = [
                self.one(
                    "ahead",
                    i,
                    template="opt_step",
                    sym=self.var(i, ahead=True),
                    operands=[x, beta, v],
                    value=x.value + beta.value * v.value,
                    explanation="opt.ahead",
                    relation="=",
                    v=_text(v.sym),
                    ahead=_text(self.var(i, ahead=True)),
                )
                for i, (x, v) in enumerate(zip(point, old, strict=True))
            ]
        grads = self.gradient(at, ahead=nesterov)
        velocity = self.state["v"] = [
            self.one(
                "v",
                i,
                template="opt_velocity",
                sym=v.sym,
                operands=[beta, v, alpha, g],
                value=beta.value * v.value - alpha.value * g.value,
                explanation="opt.velocity.nesterov" if nesterov else "opt.velocity",
                v=_text(v.sym),
            )
            for i, (v, g) in enumerate(zip(old, grads, strict=True))
        ]
        return [
            self.one(
                "",
                i,
                template="sum",
                operands=[x, v],
                value=x.value + v.value,
                explanation="opt.move",
                v=_text(v.sym),
            )
            for i, (x, v) in enumerate(zip(point, velocity, strict=True))
        ]

    def _nesterov(self, point: list[Quantity], t: int) -> list[Quantity]:
        return self._momentum(point, t, nesterov=True)

    def _adagrad(self, point: list[Quantity], t: int) -> list[Quantity]:
        alpha, eps = self.h["alpha"], self.h["eps"]
        grads = self.gradient(point)
        sums = self.state["G"] = [
            self.one(
                "G",
                i,
                template="opt_accumulate",
                operands=[s, g],
                value=s.value + g.value * g.value,
                explanation="opt.adagrad.G",
                G=_text(s.sym),
            )
            for i, (s, g) in enumerate(zip(self.state["G"], grads, strict=True))
        ]
        return [
            self.one(
                "",
                i,
                template="opt_adaptive",
                operands=[x, alpha, g, s, eps],
                value=x.value - alpha.value * (g.value / (math.sqrt(s.value) + eps.value)),
                explanation="opt.adagrad.step",
                G=_text(s.sym),
            )
            for i, (x, g, s) in enumerate(zip(point, grads, sums, strict=True))
        ]

    def _adadelta(self, point: list[Quantity], t: int) -> list[Quantity]:
        alpha, rho, eps = self.h["alpha"], self.h["rho"], self.h["eps"]
        grads = self.gradient(point)
        squares = self.state["Eg2"] = self.average(
            "Eg2", rho, self.state["Eg2"], grads, square=True
        )
        steps = self.state["Edx2"]
        deltas = [
            self.one(
                "delta",
                i,
                template="opt_adadelta",
                sym=self.var(i, delta=True),
                operands=[d, eps, e, eps, g],
                value=-math.sqrt((d.value + eps.value) / (e.value + eps.value)) * g.value,
                explanation="opt.adadelta.delta",
                relation="=",
                E=_text(e.sym),
                D=_text(d.sym),
            )
            for i, (d, e, g) in enumerate(zip(steps, squares, grads, strict=True))
        ]
        self.state["Edx2"] = self.average("Edx2", rho, steps, deltas, square=True)
        if alpha.value == 1:  # Zeiler's rule, with no learning rate: θ → θ + Δθ
            return [
                self.one(
                    "",
                    i,
                    template="sum",
                    operands=[x, d],
                    value=x.value + d.value,
                    explanation="opt.adadelta.step",
                    delta=_text(d.sym),
                )
                for i, (x, d) in enumerate(zip(point, deltas, strict=True))
            ]
        return [
            self.one(
                "",
                i,
                template="opt_step",
                operands=[x, alpha, d],
                value=x.value + alpha.value * d.value,
                explanation="opt.adadelta.step_alpha",
                delta=_text(d.sym),
            )
            for i, (x, d) in enumerate(zip(point, deltas, strict=True))
        ]

    def _adam(self, point: list[Quantity], t: int) -> list[Quantity]:
        alpha, eps = self.h["alpha"], self.h["eps"]
        beta1, beta2 = self.h["beta1"], self.h["beta2"]
        grads = self.gradient(point)
        m = self.state["m"] = self.average("m", beta1, self.state["m"], grads, words="opt.adam.m")
        v = self.state["v"] = self.average(
            "v", beta2, self.state["v"], grads, square=True, words="opt.adam.v"
        )
        step = Quantity(Sym("n"), self.prefix + "t", float(t), str(t))
        mhat = self.correct("mhat", m, beta1, step, "opt.adam.mhat")
        vhat = self.correct("vhat", v, beta2, step, "opt.adam.vhat")
        return [
            self.one(
                "",
                i,
                template="opt_adaptive",
                operands=[x, alpha, a, b, eps],
                value=x.value - alpha.value * (a.value / (math.sqrt(b.value) + eps.value)),
                explanation="opt.adam.step",
                mhat=_text(a.sym),
                vhat=_text(b.sym),
            )
            for i, (x, a, b) in enumerate(zip(point, mhat, vhat, strict=True))
        ]

    def average(
        self,
        key: str,
        beta: Quantity,
        old: list[Quantity],
        new: list[Quantity],
        *,
        square: bool = False,
        words: str | None = None,
    ) -> list[Quantity]:
        """A running average per variable, β·m + (1 − β)·g (of g² with ``square``)."""
        return [
            self.one(
                key,
                i,
                template="opt_average",
                params=("square",) if square else (),
                operands=[beta, m, g],
                sym=m.sym,
                value=beta.value * m.value
                + (1 - beta.value) * (g.value * g.value if square else g.value),
                explanation=words or f"opt.adadelta.{key}",
                E=_text(m.sym),
                new=_text(g.sym),
            )
            for i, (m, g) in enumerate(zip(old, new, strict=True))
        ]

    def correct(
        self, key: str, moment: list[Quantity], beta: Quantity, t: Quantity, words: str
    ) -> list[Quantity]:
        """The bias correction m/(1 − βᵗ) of a moment that started at 0."""
        return [
            self.one(
                key,
                i,
                template="opt_correct",
                sym=self.own(key, i),
                operands=[m, beta, t],
                value=m.value / (1 - beta.value**t.value),
                explanation=words,
                relation="=",
                moment=_text(m.sym),
                t=t.shown,
            )
            for i, m in enumerate(moment)
        ]

    def solution(self) -> Solution:
        lesson = self.lesson
        starts = [tuple(point) for point in lesson.starts()]
        among = len(lesson.optimizers) > 1
        runs = []
        for s, k, prefix in run_prefixes(len(starts), lesson.optimizers):
            optimizer = lesson.optimizers[k]
            settings = tuple(optimizer.settings().items())
            run = OptimizerShape(
                optimizer.name,
                optimizer.id,
                prefix,
                settings,
                start=starts[s],
                origin=s + 1 if len(starts) > 1 else 0,
                among=among,
            )
            self.index = k
            self.run(optimizer, run)
            runs.append(run)
        shape = OptimizeShape(
            variables=self.names,
            names=tuple(_text(self.var(i)) for i in range(self.n)),
            function=self.function.formula,
            starts=tuple(starts),
            iterations=lesson.iterations,
            optimizers=tuple(runs),
        )
        return self.finish(lesson, "optimize", optimize=shape)
