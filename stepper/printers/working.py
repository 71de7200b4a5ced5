"""The printed working, made to give the boxed value when a reader redoes it by hand.

A substitution shows each number as the lesson shows it (three decimals, say), while the
engine, unless the lesson rounds as it goes, carries on with every digit: then
"Δw₂₂ = 0.5 · 0.5 · 0.758 = 0.189" reads wrong (by hand 0.1895). Each substitution is worked
out from the numbers it prints; when that misses the boxed value, the numbers earlier steps
computed are printed with a decimal or two more (0.7576), and when no few more digits will do
(the engine's rounding of a tie, or a lesson that rounds as it goes) the value is marked as
rounded (≈). A printed sum also leaves out its terms that a computed 0 makes 0 (cnn-1's kernel
gradients are sixteen products, twelve of them 0 · x, errors that never arrived): they
change nothing one can check.

The formula is untouched: only the substitution is printed from the step returned here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from stepper import formulas
from stepper.numbers import shown
from stepper.steps import Quantity, Step

#: At most this many decimals more than the lesson's, before the value is marked ≈ instead.
EXTRA = 3


@dataclass(frozen=True, slots=True)
class Worked:
    """How a step's substitution is printed: ``step`` carries the numbers it shows (some with
    more digits, the zero terms gone), ``rounded`` says the value only rounds what they give
    (≈), ``dropped`` how many zero terms were left out."""

    step: Step
    rounded: bool = False
    dropped: int = 0


def worked(step: Step, decimals: int) -> Worked:
    """The substitution of ``step`` as a reader can check it against its value."""
    if (
        not step.operands
        or formulas.compiled(step.template, step.params, len(step.operands), "text").bare
    ):
        return Worked(step)
    kept = _without_zero_terms(step)
    dropped = (len(step.operands) - len(kept.operands)) // 2
    tried: tuple[str, ...] = ()
    for extra in range(EXTRA + 1):
        candidate = _reshown(kept, decimals + extra) if extra else kept
        numbers = tuple(q.shown for q in candidate.operands)
        if numbers == tried:
            continue  # no digit more to show (a given number, or a lesson that rounds)
        tried = numbers
        try:
            by_hand = formulas.evaluate(candidate, [float(n) for n in numbers])
        except (ArithmeticError, ValueError):
            return Worked(kept, dropped=dropped)
        if rounds_to(by_hand, step.shown, decimals):
            return Worked(candidate, dropped=dropped)
    return Worked(kept, rounded=True, dropped=dropped)


def rounds_to(value: float, boxed: str, decimals: int) -> bool:
    """Whether ``value`` rounded to ``decimals`` places, the way a reader rounds (a half away
    from zero), is the ``boxed`` number."""
    target = float(boxed)
    half = 0.5 * 10.0**-decimals
    # Float noise, relative to the value, but never past half the rounding step: with many
    # decimals and a large value (1050.36 to six places) it would swallow the whole step.
    slack = min(1e-9 * max(1.0, abs(value)), half * 1e-3)
    gap = abs(value - target)
    if gap < half - slack:
        return True
    if gap > half + slack:
        return False
    return abs(target) > abs(value)  # a tie: the boxed number must be the one away from zero


def _reshown(step: Step, decimals: int) -> Step:
    """``step`` with the numbers earlier steps computed shown to ``decimals`` places."""
    operands = tuple(
        q if q.step is None else replace(q, shown=shown(q.value, decimals)) for q in step.operands
    )
    return replace(step, operands=operands)


def _pairs(step: Step) -> tuple[int, int, tuple[int, ...]] | None:
    """Where a sum of products keeps its terms: the first slot of the (a, b) pairs, the slots
    after them, and which of a pair's two slots make the term 0 when they are 0; None for a
    template that is not such a sum."""
    name, params = step.template, step.params
    if name == "sum_products":
        return 0, 0, (0, 1)
    if name == "window":
        return 0, 1 if params[0] else 0, (0, 1)
    if name == "increment_sum":
        return 1, 0, (0, 1)
    if name == "delta_hidden":
        return (0 if str(params[0]) == "linear" else 1), 0, (0, 1)
    if name == "loss" and params[0] == "cross_entropy":
        return 0, 0, (0,)  # y · log ỹ: only y = 0 makes the term 0
    return None


def _lost(q: Quantity) -> bool:
    """Whether ``q`` is a 0 the working produced (an error that never arrived). A sum with
    none keeps its terms as the lecture writes them (a kernel's 0 weight, a one-hot target)."""
    return q.step is not None and q.value == 0


def _without_zero_terms(step: Step) -> Step:
    """``step`` without the terms of its sum that are 0, when a computed 0 makes any of them
    0 (one kept if all are)."""
    layout = _pairs(step)
    if layout is None:
        return step
    first, tail, factors = layout
    operands = step.operands
    end = len(operands) - tail
    pairs = [operands[k : k + 2] for k in range(first, end, 2)]
    if not any(_lost(p[f]) for p in pairs for f in factors):
        return step
    kept = [p for p in pairs if not any(p[f].value == 0 for f in factors)]
    kept = kept or pairs[:1]
    flat: list[Quantity] = [q for pair in kept for q in pair]
    return replace(step, operands=(*operands[:first], *flat, *operands[end:]))
