"""Marking one typed line of a quiz: the one place that decides, for the app and --plain.

``mark`` takes what the learner typed at the current question, records it in the Score and
returns a Verdict (what happened and why); the app and the plain REPL only render the
verdict's lines, so both follow the same rules. An answer is right when it stands for the
value by the rounding rule (``stepper.quiz.typed``): exactly as shown, rounded to its own
decimals, or computed from the learner's own accepted earlier answers (follow-through, as an
examiner marks: the learner's rounding carries forward). A right answer counts as right at
the first try only when it is the first answer and no hint was taken; after a hint or a
wrong answer it is right, and the saved file says how it got there.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from stepper import formulas
from stepper.equation import commas
from stepper.i18n import label
from stepper.numbers import decimal_comma, pretty
from stepper.quiz.mistakes import Diagnosis, Mistakes
from stepper.quiz.recompute import evaluate
from stepper.quiz.typed import SIGNIFICANT, Typed, read
from stepper.solution_cache import PerSolution
from stepper.steps import Solution, Step
from stepper.walking import FORMULA, SUBSTITUTION, VALUE, Walk

Judged = Literal["exact", "rounded", "follow-through", "wrong"]
Tone = Literal["right", "wrong", "hint", "reveal", "advice", "info"]
HINT = ("h", "hint", "pista")
REVEAL = ("r", "reveal", "revelar")

_mistakes = PerSolution(Mistakes, 4)


@dataclass
class Attempt:
    """One typed answer: as written, when, after how many hints, and how it was judged."""

    text: str
    value: float
    at: str
    hints_before: int
    judged: Judged
    diagnosis: str | None = None


@dataclass
class Record:
    """What a learner did at one step of a quiz."""

    n: int
    key: str
    answers: list[Attempt] = field(default_factory=list)
    hints: int = 0
    right_first: bool = False
    right: bool = False
    revealed: bool = False
    hinted_at: list[str] = field(default_factory=list)
    revealed_at: str | None = None

    @property
    def accepted(self) -> float | None:
        """The value of the answer last accepted, which later steps may build on."""
        taken = [a.value for a in self.answers if a.judged != "wrong"]
        return taken[-1] if taken else None


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

    @property
    def right(self) -> int:
        return sum(1 for r in self.records.values() if r.right)

    def carried(self) -> dict[int, float]:
        """The learner's accepted answers, by step number."""
        return {n: r.accepted for n, r in self.records.items() if r.accepted is not None}


@dataclass(frozen=True)
class Verdict:
    """What one typed line did: a hint, a reveal, a right or wrong answer, or nothing."""

    kind: Literal["empty", "not_number", "hint", "reveal", "right", "wrong"]
    step: Step
    text: str = ""
    judged: Judged | None = None
    diagnosis: Diagnosis | None = None
    stage: int = 0

    @property
    def done(self) -> bool:
        """Whether the value is now shown and the walk may go on."""
        return self.kind in ("right", "reveal")

    def lines(self, lang: str, *, comma: bool = False) -> list[tuple[Tone, str]]:
        """The reply, line by line, each with its tone (the app colours it, --plain not);
        ``comma`` writes its numbers with a decimal comma, as the lesson's steps are."""
        said = self._lines(lang, commas if comma else str)
        return [(tone, decimal_comma(text)) for tone, text in said] if comma else said

    def _lines(self, lang: str, formula_text: Callable[[str], str]) -> list[tuple[Tone, str]]:
        step, shown = self.step, pretty(self.step.shown)
        if self.kind == "empty":
            return [("info", label("quiz.empty", lang))]
        if self.kind == "not_number":
            return [("wrong", label("quiz.not_number", lang, text=self.text))]
        if self.kind == "hint":
            formula = formula_text(formulas.formula(step, "unicode"))
            if self.stage == FORMULA:
                return [("hint", label("quiz.hint_formula", lang, formula=formula))]
            substituted = formula_text(formulas.substituted(step, "unicode"))
            text = label("quiz.hint_substitution", lang, formula=formula, substituted=substituted)
            return [("hint", text)]
        if self.kind == "reveal":
            return [("reveal", label("quiz.revealed", lang, shown=shown))]
        answer = pretty(self.text)
        if self.kind == "right":
            said = label(
                "quiz.right"
                if self.judged == "exact"
                else "quiz.right_rounded"
                if self.judged == "rounded"
                else "quiz.right_carried",
                lang,
                shown=shown,
                answer=answer,
            )
            return [("right", said)]
        reply: list[tuple[Tone, str]] = [("wrong", label("quiz.wrong", lang, answer=answer))]
        if self.diagnosis:
            reply.append(("advice", self.diagnosis.words(lang)))
        return reply


def rule(solution: Solution, lang: str) -> str:
    """The precision the quiz expects, in words (said with every question)."""
    if solution.decimals <= 0:
        return label("quiz.rule_whole", lang)
    return label("quiz.rule", lang, digits=SIGNIFICANT, decimals=solution.decimals)


def question(step: Step, solution: Solution, lang: str) -> tuple[str, str]:
    """The question for ``step`` and, in parentheses, the precision expected (the app
    shows them on two lines, --plain on one)."""
    return label("quiz.prompt", lang, sym=step.sym.unicode()), f"({rule(solution, lang)})"


def mark(walk: Walk, score: Score, text: str, now: datetime | None = None) -> Verdict:
    """Take one typed line at the current question: record it, move the walk (a hint shows
    the next stage, a right answer or a reveal the value) and say what happened."""
    step = walk.step
    record = score.record(step)
    word = text.strip().lower()
    stamp = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    if not word:
        return Verdict("empty", step)
    if word in HINT:
        record.hints += 1
        record.hinted_at.append(stamp)
        walk.stage = max(FORMULA, min(walk.stage + 1, SUBSTITUTION))
        return Verdict("hint", step, stage=walk.stage)
    if word in REVEAL:
        record.revealed, record.revealed_at = True, stamp
        walk.stage = VALUE
        return Verdict("reveal", step, stage=VALUE)
    typed = read(text)
    if typed is None:
        return Verdict("not_number", step, text=text.strip())
    first = not record.answers and not record.hints
    judged, diagnosis = judge(walk.solution, step, typed, score.carried())
    record.answers.append(
        Attempt(
            text.strip(),
            typed.value,
            stamp,
            record.hints,
            judged,
            diagnosis.name if diagnosis else None,
        )
    )
    if judged == "wrong":
        return Verdict("wrong", step, text.strip(), judged, diagnosis, walk.stage)
    if not record.right:  # asked again (after Home, say), the first result stands
        record.right, record.right_first = True, first
    walk.stage = VALUE
    return Verdict("right", step, text.strip(), judged, stage=VALUE)


def judge(
    solution: Solution, step: Step, typed: Typed, carried: dict[int, float]
) -> tuple[Judged, Diagnosis | None]:
    """How ``typed`` stands to ``step``'s value; when wrong, the mistake that explains it."""
    decimals = solution.decimals
    if typed.equals(step.shown):
        return "exact", None
    if typed.agrees(step.value, decimals):
        return "rounded", None
    own = learners_numbers(step, carried)
    recomputed = evaluate(step, own) if own is not None else None
    if recomputed is not None and typed.agrees(recomputed, decimals):
        return "follow-through", None
    # A bare 0 has no significant digit: it rounds nothing, it is a value of its own (an
    # error that "comes back from nowhere", a forgotten term).
    rounded = typed.rounds(step.value) or (recomputed is not None and typed.rounds(recomputed))
    if rounded and typed.significant:
        places = (("digits", str(SIGNIFICANT)), ("decimals", str(decimals)))
        return "wrong", Diagnosis("precision", places)
    readings: list[Sequence[float]] = [[q.value for q in step.operands]]
    if own is not None:
        readings.append(own)
    return "wrong", _mistakes(solution).diagnose(step, typed, readings)


def learners_numbers(step: Step, carried: dict[int, float]) -> list[float] | None:
    """The numbers ``step`` reads, with the learner's accepted answers in place of the
    results they answered; None when the learner answered none of them."""
    if all(q.step not in carried for q in step.operands):
        return None
    return [q.value if q.step is None else carried.get(q.step, q.value) for q in step.operands]
