"""What every engine shares: recording steps in order, and the rounding of hand calculation.

A run emits steps one by one; each emit returns the quantity that later steps read, which is
the shown (rounded) value when the lesson computes as on paper, and the exact one otherwise.
Inside ``checking()`` the same code emits the check phase: the forward pass again with the new
weights, its loss set beside the loss before the update.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from stepper.engine.blame import overflow
from stepper.explain import explain
from stepper.lesson.errors import msg
from stepper.lesson.schema import LessonBase, localized
from stepper.notation import Sym
from stepper.numbers import parse_shown, shown
from stepper.steps import CHECK, Phase, Quantity, Solution, Step


class Recorder:
    """The growing step list of one run over a lesson."""

    def __init__(self, lesson: LessonBase, lang: str, *, rounding: bool) -> None:
        self.lang = lang
        self.source = lesson
        self.lesson_id = lesson.id or "lesson"
        self.rounding = rounding
        self.decimals = lesson.display.decimals
        self.steps: list[Step] = []
        self.notes = {k: localized(v, lang, lesson.language) for k, v in lesson.notes.items()}
        self.overrides = [
            (
                pattern,
                localized(o.replace, lang, lesson.language),
                localized(o.append, lang, lesson.language),
            )
            for pattern, o in lesson.explanations.items()
        ]
        self.iteration = 1
        #: The losses of this iteration by (key, sample) while the check phase is emitted.
        self.before: dict[tuple[str, int | None], Step] | None = None
        #: The notations already explained in this run (see ``once``).
        self.said: set[str] = set()
        #: What the keys of the steps emitted now start with: a dense lesson's run id and a
        #: dot (``sgd.w[1,1,0]``, ``stepper.engine.runs``), else nothing.
        self.run_prefix = ""
        #: Whether the check phase passes the last iteration's batch again, so that its mean
        #: loss is comparable with the one before the update.
        self.same_batch = True

    def finish(self, lesson: LessonBase, kind: str, **shape: Any) -> Solution:
        """The solution of the steps recorded, titled in the run's language; ``shape`` holds
        what the pictures need (``network``, ``conv``, ``given``)."""
        return Solution(
            lesson_id=lesson.id or "lesson",
            title=localized(lesson.title, self.lang, lesson.language) or (lesson.id or ""),
            summary=localized(lesson.summary, self.lang, lesson.language),
            kind=kind,
            language=self.lang,
            decimals=self.decimals,
            round_intermediate=self.rounding,
            steps=tuple(self.steps),
            **shape,
        )

    def explain(self, key: str, words: str) -> str:
        """The lesson's own words for ``key``: the first override whose key or pattern
        matches (an exact key before a pattern), replacing or extending the built-in ones."""
        chosen = [o for o in self.overrides if o[0] == key] or [
            o for o in self.overrides if "*" in o[0] and matches(o[0], key)
        ]
        if not chosen:
            return words
        _, replace, append = chosen[0]
        words = replace if replace is not None else words
        return f"{words} {append}" if append else words

    def once(self, notation: str, words: str) -> str:
        """``words``, followed the first time in the run by what ``notation`` means: the
        arrow of an update (``arrow``), log as the natural logarithm (``log``). Said where it
        first matters, and once: a reader told on every step stops reading."""
        if notation in self.said:
            return words
        self.said.add(notation)
        return words + explain(f"once.{notation}", self.lang)

    @contextmanager
    def checking(self, *, same_batch: bool = True) -> Iterator[None]:
        """Emit the check phase: the steps inside are keyed ``check.KEY``, explained as the
        same quantity computed again with the new weights, and each loss says how it compares
        with the same loss of this iteration before the update (``same_batch`` False: the
        samples checked are not that iteration's batch, so their mean is compared with none)."""
        n = len(self.run_prefix)
        self.before = {
            (s.key[n:], s.sample): s
            for s in self.steps
            if s.iteration == self.iteration
            and s.key.startswith(self.run_prefix)
            and s.key[n:] in LOSSES
        }
        self.same_batch = same_batch
        try:
            yield
        finally:
            self.before = None
            self.same_batch = True

    def check_words(self, words: str) -> str:
        """The words of a check step that is not a loss: why it is computed again (a kind
        whose update moves other numbers than weights says which)."""
        return explain("check.step", self.lang, words=words)

    def _checked(self, key: str, sample: int | None, value: str, words: str) -> str:
        """The words of a check step: why it is computed again, and for a loss whether the
        update lowered it (compared as shown: what the learner can see)."""
        losses = self.before or {}
        before = losses.get((key, sample))
        if before is None or (key == "batch_loss" and not self.same_batch):
            return self.check_words(words)
        old, new = parse_shown(before.shown), parse_shown(value)
        verdict = "lower" if new < old else "higher" if new > old else "same"
        if verdict == "higher" and key == "loss" and ("batch_loss", None) in losses:
            verdict = "higher_in_batch"  # the batch's step lowers the mean, not each pair's loss
        return explain(
            f"check.loss.{verdict}",
            self.lang,
            words=words,
            loss=before.sym.unicode(),
            before=before.shown,
            after=value,
        )

    def emit(
        self,
        key: str,
        phase: Phase,
        sample: int | None,
        *,
        template: str,
        params: tuple[int | str, ...],
        sym: Sym,
        operands: Sequence[Quantity],
        value: float,
        explanation: str,
        relation: str = "=",
        layer: int | None = None,
        neuron: int | None = None,
    ) -> Quantity:
        """Record a step; return the quantity later steps read (rounded when on paper)."""
        n = len(self.steps) + 1
        if not math.isfinite(value):
            where = CHECK + key if self.before is not None else key
            raise overflow(self.source, msg("engine.step", n=n, key=self.run_prefix + where))
        text = shown(value, self.decimals)
        if self.before is not None:
            explanation = self._checked(key, sample, text, explanation)
            key, phase = CHECK + key, Phase.CHECK
        key = self.run_prefix + key
        explanation = self.explain(key, explanation)
        if relation == "→":
            explanation = self.once("arrow", explanation)
        self.steps.append(
            Step(
                n=n,
                key=key,
                phase=phase,
                iteration=self.iteration,
                sample=sample,
                template=template,
                params=params,
                sym=sym,
                operands=tuple(operands),
                value=value,
                shown=text,
                explanation=explanation,
                relation=relation,
                note=self.notes.get(key),
                layer=layer,
                neuron=neuron,
            )
        )
        return Quantity(sym, key, parse_shown(text) if self.rounding else value, text, n)

    def renewed(
        self,
        key: str,
        old: Quantity,
        delta: Quantity,
        *,
        layer: int | None = None,
        neuron: int | None = None,
    ) -> Quantity:
        """The new value of a weight, a kernel cell or a bias in the update phase: the old one
        plus its increment (w → w + Δw), the same step in every kind of lesson."""
        return self.emit(
            key,
            Phase.UPDATE,
            None,
            template="sum",
            params=(),
            sym=old.sym,
            operands=[old, delta],
            value=old.value + delta.value,
            explanation=explain("w", self.lang),
            relation="→",
            layer=layer,
            neuron=neuron,
        )


#: The keys of a sample's and a batch's loss, which the check phase compares.
LOSSES = frozenset({"loss", "batch_loss"})


def matches(pattern: str, key: str) -> bool:
    """Whether ``key`` fits ``pattern``, where * stands for any run of characters (brackets
    and commas are literal, unlike fnmatch's).

    Matched without a regular expression, in time linear in the key for each piece between
    stars: the text before the first star must start the key, the text after the last must end
    it, and each piece in between is taken at its leftmost place after the one before. Taking
    the leftmost place never loses a match, so nothing is ever retried (a regex of many ``.*``
    backtracks exponentially on a key that almost fits).
    """
    first, *middle = pattern.split("*")
    if not middle:
        return pattern == key
    last = middle.pop()
    end = len(key) - len(last)
    if end < len(first) or not key.startswith(first) or not key.endswith(last):
        return False
    at = len(first)
    for piece in middle:
        found = key.find(piece, at, end)
        if found < 0:
            return False
        at = found + len(piece)
    return True
