"""The quiz: is an answer right, and if not, which classic mistake explains it?

An answer is right within half a unit of the last decimal shown. A wrong answer is compared
with the values that each classic mistake would have produced, computed from the step itself
and the steps it reads (never listed per lesson): the sign of ε swapped, s'(u) left out, the
2 of Δw = 2αxδ forgotten (or added), the updated weight used where the old one belongs, the
bias dropped, tanh' taken as 1 - u² instead of 1 - ỹ².
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from stepper.activations import DERIVATIVE
from stepper.steps import Solution, Step


def parse_answer(text: str) -> float | None:
    """A learner's number: ',' or '.' as the decimal separator, − or - as the sign."""
    cleaned = text.strip().replace("−", "-").replace(",", ".").replace(" ", "")
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def tolerance(shown: str) -> float:
    """Half a unit of the last decimal shown (0.29 -> 0.005; 6 -> 0.5)."""
    decimals = len(shown.split(".")[1]) if "." in shown else 0
    return 0.5 * 10.0**-decimals


def is_right(step: Step, answer: float) -> bool:
    return abs(answer - step.value) <= tolerance(step.shown) * (1 + 1e-9)


class Mistakes:
    """Alternative values a step would have under each classic mistake."""

    def __init__(self, solution: Solution) -> None:
        self.solution = solution
        self.by_n = {s.n: s for s in solution.steps}
        self.updated = {(s.key, s.iteration): s for s in solution.steps if s.key.startswith("w[")}

    def _step_of(self, n: int | None) -> Step | None:
        return self.by_n.get(n) if n is not None else None

    def alternatives(self, step: Step) -> list[tuple[str, float]]:
        out: list[tuple[str, float]] = []
        kind = step.key.split("[")[0]
        if kind in ("e", "d", "dw") and step.value != 0:
            out.append(("sign", -step.value))
        if step.template == "delta_output" and step.params[0] != "linear":
            eps, output = step.operands
            out.append(("derivative", eps.value))
            if step.params[0] == "tanh":
                u = self._input_of(output.step)
                if u is not None:
                    out.append(("tanh_u", eps.value * (1 - u**2)))
        if step.template == "delta_hidden":
            out += self._hidden(step)
        if step.template == "increment":
            out.append(
                ("two", step.value / 2) if step.params[0] == 2 else ("extra_two", 2 * step.value)
            )
        if step.template == "sum_products" and len(step.operands) > 2:
            w0, x0 = step.operands[:2]
            out.append(("bias", step.value - w0.value * x0.value))
        return out

    def _input_of(self, n: int | None) -> float | None:
        """u of the neuron whose output step is ``n``."""
        produced = self._step_of(n)
        return produced.operands[0].value if produced and produced.operands else None

    def _hidden(self, step: Step) -> list[tuple[str, float]]:
        act = str(step.params[0])
        ops = list(step.operands)
        z = None if act == "linear" else ops.pop(0)
        pairs = list(zip(ops[0::2], ops[1::2], strict=True))
        total = sum(d.value * w.value for d, w in pairs)
        out: list[tuple[str, float]] = []
        derivative = DERIVATIVE[act](z.value) if z is not None else 1.0
        if z is not None:
            out.append(("derivative", total))
            if act == "tanh":
                u = self._input_of(z.step)
                if u is not None:
                    out.append(("tanh_u", (1 - u**2) * total))
        newer = [self.updated.get((w.key, step.iteration)) for _, w in pairs]
        if all(newer):
            total_new = sum(d.value * n.value for (d, _), n in zip(pairs, newer, strict=True) if n)
            out.append(("updated", derivative * total_new))
        return out

    def diagnose(self, step: Step, answer: float) -> str | None:
        """The mistake that explains ``answer``, if one does."""
        tol = tolerance(step.shown)
        for name, value in self.alternatives(step):
            if abs(value - step.value) > tol and abs(answer - value) <= tol * (1 + 1e-9):
                return name
        return None


@dataclass
class Record:
    """What a learner did at one step of a quiz."""

    n: int
    key: str
    answers: list[str] = field(default_factory=list)
    hints: int = 0
    right_first: bool = False
    right: bool = False
    revealed: bool = False


@dataclass
class Score:
    """The quiz so far: one record per asked step."""

    records: dict[int, Record] = field(default_factory=dict)

    def record(self, step: Step) -> Record:
        return self.records.setdefault(step.n, Record(step.n, step.key))

    @property
    def asked(self) -> int:
        return sum(1 for r in self.records.values() if r.answers or r.revealed)

    @property
    def right_first(self) -> int:
        return sum(1 for r in self.records.values() if r.right_first)

    def as_json(self, lesson_id: str) -> dict[str, object]:
        return {
            "lesson": lesson_id,
            "asked": self.asked,
            "right_first_try": self.right_first,
            "steps": [vars(r) for r in self.records.values()],
        }
