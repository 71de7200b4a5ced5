"""Steps that are 0 for the same reason, printed as one line with the reason.

cnn-1's backward pass has twelve "δᵃ = 0" steps (the cells that lost the max-pooling) and then
twelve "δᶜ = 0 · [a > 0] = 0" (the same cells: no error arrives to pass through the ReLU): a
solution that prints each one buries the four cells that matter. Within a section, the steps
that are 0 for one reason become one group, printed where its first step was: their symbols,
= 0, the step numbers, and the reason said once. Two reasons are recognised, both read off the
step itself: a constant 0 (the engine's own explanation says why), and a computed 0 that
multiplies everything else (the error δᵃ that arrives is 0).

Worksheets are not grouped: a group would tell the learner which answers are 0.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, replace

from stepper import formulas
from stepper.i18n import label
from stepper.steps import Step

#: Fewer steps than this are printed one by one.
SMALLEST = 3
#: Symbols on one line of a group's equation (twelve δᵃ₁₂ fit a page's width).
PER_LINE = 12


@dataclass(frozen=True, slots=True)
class ZeroGroup:
    """Steps of one section that are 0 for one reason, in their order."""

    steps: tuple[Step, ...]
    reason: str

    def numbers(self, dash: str = "\u2013") -> str:
        """The step numbers, runs written as ranges: 54, 56–65, 68 (LaTeX writes the en dash
        ``--``)."""
        runs: list[list[int]] = []
        for step in self.steps:
            if runs and step.n == runs[-1][-1] + 1:
                runs[-1].append(step.n)
            else:
                runs.append([step.n])
        return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}{dash}{r[-1]}" for r in runs)

    def latex(self, per_line: int = PER_LINE) -> list[str]:
        """Every symbol = 0 as LaTeX, ``per_line`` symbols a line: a, b, c = 0."""
        syms = [s.sym.latex() for s in self.steps]
        rows = [", ".join(syms[k : k + per_line]) for k in range(0, len(syms), per_line)]
        return [*(r + "," for r in rows[:-1]), rows[-1] + " = 0"]


Item = Step | ZeroGroup


def items(steps: Sequence[Step], lang: str) -> tuple[Item, ...]:
    """``steps`` with each set of at least ``SMALLEST`` steps that are 0 for the same reason
    made one group, at the place of its first step."""
    members: dict[Hashable, list[Step]] = {}
    for step in steps:
        why = _why_zero(step)
        if why is not None:
            members.setdefault(why, []).append(step)
    grouped = {k: v for k, v in members.items() if len(v) >= SMALLEST}
    home = {id(v[0]): (k, v) for k, v in grouped.items()}
    inside = {id(s) for v in grouped.values() for s in v}
    out: list[Item] = []
    for step in steps:
        if id(step) in home:
            key, group = home[id(step)]
            out.append(ZeroGroup(tuple(group), _reason(key, group[0], lang)))
        elif id(step) not in inside:
            out.append(step)
    return tuple(out)


def _why_zero(step: Step) -> Hashable | None:
    """What makes ``step`` 0, as a key that steps 0 for the same reason share; None when it
    is not 0, or not for a reason that can be said once for many."""
    if step.value != 0:
        return None
    if not step.operands:
        return ("constant", step.template, step.params, step.explanation)
    for k, q in enumerate(step.operands):
        if q.step is not None and q.value == 0 and _factor(step, k):
            return ("factor", step.template, step.params, k, _bare(step, k))
    return None


def _factor(step: Step, k: int) -> bool:
    """Whether operand ``k`` multiplies the whole formula: 0 there makes it 0 whatever the
    other operands are."""
    numbers = [1.0 + 0.1 * j for j in range(len(step.operands))]
    numbers[k] = 0.0
    try:
        return formulas.evaluate(step, numbers) == 0
    except (ArithmeticError, ValueError):
        return False


def _bare(step: Step, k: int) -> str:
    """Operand ``k``'s symbol without its indices (δᵃ for δᵃ₁₂)."""
    return replace(step.operands[k].sym, indices=(), sample=None).unicode()


def _reason(key: Hashable, first: Step, lang: str) -> str:
    assert isinstance(key, tuple)
    if key[0] == "constant":
        return label("doc.zero_group", lang, reason=first.explanation)
    return label("doc.zero_group.factor", lang, factor=key[-1])
