"""Which classic mistake explains a wrong answer, worked out from the step itself.

Each mistake is the step computed again the way a learner making it would compute it: with
its formula and other numbers in it (``stepper.quiz.recompute``), or with a piece left out.
Nothing is listed per lesson, and each mistake is only tried on the quantities it can
happen to, so the advice always fits the question: the sign of ε on an ε, the sign of Δw
on a Δw, the subtracted increment on a new weight.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from stepper import formulas
from stepper.i18n import label
from stepper.quiz.graph_mistakes import graph_mistakes
from stepper.quiz.recompute import evaluate
from stepper.quiz.recurrent_mistakes import recurrent_mistakes
from stepper.quiz.typed import Typed
from stepper.steps import Quantity, Solution, Step

Mistake = Literal[
    "precision",
    "sign_error",
    "sign_delta",
    "sign_increment",
    "derivative",
    "u_for_y",
    "two",
    "extra_two",
    "updated",
    "bias",
    "subtracted",
    "early_rounding",
    "unscaled",
    "no_future",
    "sigmoid_as_tanh",
    "tanh_as_sigmoid",
    "gru_swapped",
    "no_memory",
    "one_step",
    "no_upstream",
    "one_contribution",
    "sign_local",
    "input_for_output",
    "added_step",
]
#: The places a slide rounds to when it carries a result on (the lecture's 0.12 for 0.11943).
SLIDE_DECIMALS = 2
_INCREMENTS = ("dw", "dk", "db", "dt")
_UPDATED = ("w", "k", "b")
#: The templates of dropout (``stepper.engine.dropout``): a kept value scaled by 1/(1 − p).
_DROPOUT = ("dropout", "delta_dropout")


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """A named mistake and the symbols its advice names (``u``, ``y``, ``rule``, ...)."""

    name: Mistake
    fields: tuple[tuple[str, str], ...] = ()

    def words(self, lang: str) -> str:
        return label(f"mistake.{self.name}", lang, **dict(self.fields))


def kind(key: str) -> str:
    """The quantity a key names, without indices or prefixes: check.dw[1,2,0] -> dw."""
    return key.split("[", maxsplit=1)[0].rsplit(".", 1)[-1]


class Mistakes:
    """The values a solution's steps would have under each classic mistake."""

    def __init__(self, solution: Solution) -> None:
        self.solution = solution
        self.by_n = {s.n: s for s in solution.steps}
        self.updated = {(s.key, s.iteration): s for s in solution.steps if kind(s.key) == "w"}

    def diagnose(
        self, step: Step, typed: Typed, readings: Sequence[Sequence[float]]
    ) -> Diagnosis | None:
        """The mistake that explains ``typed``, trying each of ``readings`` (the numbers the
        step reads: the exact ones, then the learner's own)."""
        decimals = self.solution.decimals
        for values in readings:
            for diagnosis, value in self.alternatives(step, values):
                if value is not None and typed.agrees(value, decimals):
                    return diagnosis
        return None

    def alternatives(
        self, step: Step, values: Sequence[float]
    ) -> Iterator[tuple[Diagnosis, float | None]]:
        """(mistake, the value it gives) for each mistake that can happen at ``step``."""
        right = evaluate(step, values)
        what = kind(step.key)
        if right is not None and right != 0:
            if what == "e":
                yield Diagnosis("sign_error"), -right
            elif what in ("d", "do") and step.template.startswith("delta"):
                yield Diagnosis("sign_delta"), -right
            elif what in _INCREMENTS:
                yield Diagnosis("sign_increment", (("formula", _formula(step)),)), -right
        # A recurrent lesson's output weights are the lecture's t (an optimizer's t is a count).
        updated = what in _UPDATED or (what == "t" and self.solution.recurrent is not None)
        if updated and step.template == "sum" and len(values) == 2:
            yield Diagnosis("subtracted", (("formula", _formula(step)),)), values[0] - values[1]
        if step.template == "delta_output" and step.params[0] != "linear":
            yield Diagnosis("derivative"), values[0]
        if step.template == "delta_hidden":
            yield from self._hidden(step, values)
        if step.template in ("increment", "increment_terms"):
            if step.params[0] == 2:
                yield Diagnosis("two"), None if right is None else right / 2
            else:
                yield Diagnosis("extra_two"), None if right is None else 2 * right
        if step.template in _DROPOUT and right:  # z̃ or γ without inverted dropout's 1/(1 − p)
            rate = next(k for k, q in enumerate(step.operands) if q.key.startswith("p["))
            yield Diagnosis("unscaled"), right * (1.0 - values[rate])
        if step.template == "sum_products" and len(values) > 2:
            bias = (("w", _sym(step.operands[0])),)
            yield Diagnosis("bias", bias), evaluate(step, [0.0, *values[1:]])
        yield from recurrent_mistakes(self.solution, step, values)
        yield from graph_mistakes(self.solution, step, values)
        yield from self._u_for_y(step, values)
        yield from self._early_rounding(step, values)

    def _hidden(
        self, step: Step, values: Sequence[float]
    ) -> Iterator[tuple[Diagnosis, float | None]]:
        """γ = s'(z) Σ δ w: without s'(z), and with the weights already updated."""
        act = str(step.params[0])
        first = 0 if act == "linear" else 1
        pairs = range(first, len(values), 2)
        total = sum(values[k] * values[k + 1] for k in pairs)
        if first:
            yield Diagnosis("derivative"), total
        newer = [self.updated.get((step.operands[k + 1].key, step.iteration)) for k in pairs]
        if all(newer):
            swapped = list(values)
            for k, new in zip(pairs, newer, strict=True):
                assert new is not None
                swapped[k + 1] = new.value
            yield Diagnosis("updated"), evaluate(step, swapped)

    def _u_for_y(
        self, step: Step, values: Sequence[float]
    ) -> Iterator[tuple[Diagnosis, float | None]]:
        """u where ỹ (or z) belongs: the activation skipped, or s'(u) taken for s'(ỹ)."""
        if step.template == "activation" and step.params[0] != "linear":
            u = step.operands[0]
            yield Diagnosis("u_for_y", (("u", _sym(u)), ("y", step.sym.unicode()))), values[0]
            return
        swapped = list(values)
        names: list[tuple[str, str]] = []
        for k, q in enumerate(step.operands):
            made = self.by_n.get(q.step) if q.step is not None else None
            if made and made.template == "activation" and made.params[0] != "linear":
                swapped[k] = made.operands[0].value
                names.append((_sym(made.operands[0]), _sym(q)))
        if names:
            us, ys = zip(*dict.fromkeys(names), strict=True)
            fields = (("u", ", ".join(us)), ("y", ", ".join(ys)))
            yield Diagnosis("u_for_y", fields), evaluate(step, swapped)

    def _early_rounding(
        self, step: Step, values: Sequence[float]
    ) -> Iterator[tuple[Diagnosis, float | None]]:
        """The earlier results rounded to two places before they are used, as a slide does."""
        if self.solution.decimals <= SLIDE_DECIMALS:
            return
        rounded = list(values)
        names: list[str] = []
        for k, q in enumerate(step.operands):
            if q.step is not None and round(values[k], SLIDE_DECIMALS) != values[k]:
                rounded[k] = round(values[k], SLIDE_DECIMALS)
                names.append(_sym(q))
        if names:
            fields = (("names", ", ".join(dict.fromkeys(names))),)
            yield Diagnosis("early_rounding", fields), evaluate(step, rounded)


def _sym(q: Quantity) -> str:
    return q.sym.unicode()


def _formula(step: Step) -> str:
    return formulas.formula(step, "unicode")
