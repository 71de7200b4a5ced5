"""The plain REPL: the same lesson as lines on stdin and stdout.

For screen readers, pipes and scripts. Each stage is printed as it is revealed: the formula
with its explanation, then ``= substitution``, then ``= value``. Commands (contract): an empty
line or ``next``, ``back``, ``show KEY``, ``all``, ``quit``; also ``goto N|KEY`` and ``help``.
With ``--quiz`` each value is asked for first; ``h`` gives a hint, ``r`` reveals.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TextIO

from stepper import formulas
from stepper.i18n import label
from stepper.numbers import pretty, shown
from stepper.quiz import Mistakes, Score, is_right, parse_answer
from stepper.steps import Solution, Step
from stepper.walk import FORMULA, SUBSTITUTION, VALUE, Walk


def header(step: Step, total: int, lang: str) -> str:
    where = [label(f"phase.{step.phase}", lang), label("iteration", lang, i=step.iteration)]
    if step.sample is not None:
        where.append(label("sample", lang, s=step.sample))
    return f"[{step.n}/{total} · {' · '.join(where)} · {step.key}]"


def stage_lines(step: Step, stage: int, total: int, lang: str) -> list[str]:
    """What revealing ``stage`` of ``step`` prints."""
    if stage == FORMULA:
        return [
            f"{header(step, total, lang)} {formulas.formula(step, 'unicode')}",
            f"    {step.explanation}",
        ]
    if stage == SUBSTITUTION:
        return [f"    = {formulas.substituted(step, 'unicode')}"]
    line = f"    = {pretty(step.shown)}"
    drift = exact_note(step, lang)
    if drift:
        line += f"    ({drift})"
    if step.note:
        line += f"    ({label('note', lang)}: {step.note.strip()})"
    return [line]


def exact_note(step: Step, lang: str, places: int = 3) -> str | None:
    """With round_intermediate, how the unrounded result reads, when it differs from the shown
    one (a few places more than the lesson shows, so that the drift is visible)."""
    if step.exact is None:
        return None
    decimals = len(step.shown.split(".")[1]) if "." in step.shown else 0
    more = shown(step.exact, decimals + places)
    if shown(step.exact, decimals) == step.shown and more == step.shown:
        return None
    return label("exact", lang, value=pretty(more))


def whole(step: Step, total: int, lang: str) -> list[str]:
    return [
        line
        for stage in (FORMULA, SUBSTITUTION, VALUE)
        for line in stage_lines(step, stage, total, lang)
    ]


class Plain:
    """The REPL's state: a walk, the output stream, and the quiz score if quizzing."""

    def __init__(self, solution: Solution, lang: str, out: TextIO, *, quiz: bool = False) -> None:
        self.solution = solution
        self.lang = lang
        self.out = out
        self.quiz = quiz
        self.walk = Walk(solution, first_stage=0 if quiz else FORMULA)
        self.total = len(solution.steps)
        self.score = Score()
        self.mistakes = Mistakes(solution) if quiz else None
        self.finished = False

    def say(self, *lines: str) -> None:
        for line in lines:
            print(line, file=self.out)

    def start(self) -> None:
        self.say(self.solution.title)
        if self.solution.summary:
            self.say(" ".join(self.solution.summary.split()))
        self.say(label("plain.intro", self.lang), "")
        self.show_current()

    def show_current(self) -> None:
        """Print what the current position has just revealed."""
        step, stage = self.walk.step, self.walk.stage
        if stage == 0:
            self.say(
                f"{header(step, self.total, self.lang)} "
                f"{label('quiz.prompt', self.lang, sym=step.sym.unicode())}",
                f"    {step.explanation}",
            )
        else:
            self.say(*stage_lines(step, stage, self.total, self.lang))

    def advance(self) -> None:
        if self.walk.at_end:
            self.finish()
            return
        before = self.walk.index
        self.walk.next()
        if self.walk.index != before and self.walk.stage == FORMULA:
            self.say("")
        self.show_current()

    def reveal_all(self) -> None:
        while not self.walk.at_end:
            self.advance()
        self.finish()

    def finish(self) -> None:
        if not self.finished:
            self.finished = True
            self.say(label("plain.end", self.lang))

    def command(self, text: str) -> bool:
        """Handle one line; False when the learner quits."""
        word, _, rest = text.strip().partition(" ")
        word = word.lower()
        if word in ("quit", "q", "exit"):
            return False
        if self.quiz and self.walk.stage < VALUE and word not in ("help", "?"):
            self.answer(text)
            return True
        handlers = {
            "": self.advance,
            "next": self.advance,
            "n": self.advance,
            "back": self.go_back,
            "b": self.go_back,
            "p": self.go_back,
            "all": self.reveal_all,
            "help": self.help,
            "?": self.help,
        }
        if word in handlers:
            handlers[word]()
        elif word == "show":
            self.show(rest)
        elif word == "goto":
            self.goto(rest)
        else:
            self.say(label("plain.unknown", self.lang, text=text.strip()))
        return True

    def help(self) -> None:
        self.say(label("plain.help", self.lang))

    def go_back(self) -> None:
        """Hide the last stage and say where that leaves the learner."""
        if not self.walk.back():
            return
        step = self.walk.step
        self.say(f"← {header(step, self.total, self.lang)} {formulas.formula(step, 'unicode')}")
        for stage in range(SUBSTITUTION, self.walk.stage + 1):
            self.say(*stage_lines(step, stage, self.total, self.lang))

    def goto(self, where: str) -> None:
        index = self.walk.find(where)
        if index is None:
            self.say(label("goto.unknown", self.lang, text=where))
            return
        self.walk.jump(index)
        self.say(*whole(self.walk.step, self.total, self.lang))

    def show(self, key: str) -> None:
        matches = [s for s in self.solution.steps if s.key == key.replace(" ", "")]
        if not matches:
            self.say(label("plain.no_key", self.lang, key=key))
        for step in matches:
            self.say(*whole(step, self.total, self.lang))

    def answer(self, text: str) -> None:
        """A line typed while a value is being asked for."""
        step = self.walk.step
        record = self.score.record(step)
        word = text.strip().lower()
        if not word:
            self.show_current()
            return
        if word in ("h", "hint", "pista"):
            record.hints += 1
            self.walk.stage = min(self.walk.stage + 1, SUBSTITUTION)
            formula = formulas.formula(step, "unicode")
            if self.walk.stage == FORMULA:
                self.say("    " + label("quiz.hint_formula", self.lang, formula=formula))
            else:
                self.say(
                    "    "
                    + label(
                        "quiz.hint_substitution",
                        self.lang,
                        formula=formula,
                        substituted=formulas.substituted(step, "unicode"),
                    )
                )
            return
        if word in ("r", "reveal", "revelar"):
            record.revealed = True
            self.walk.stage = VALUE
            self.say("    " + label("quiz.revealed", self.lang, shown=pretty(step.shown)))
            self.advance()
            return
        value = parse_answer(text)
        if value is None:
            self.say("    " + label("quiz.not_number", self.lang, text=text.strip()))
            return
        first = not record.answers
        record.answers.append(text.strip())
        if is_right(step, value):
            record.right = True
            record.right_first = first
            self.walk.stage = VALUE
            self.say("    " + label("quiz.right", self.lang, shown=pretty(step.shown)))
            self.advance()
            return
        self.say("    " + label("quiz.wrong", self.lang, answer=text.strip()))
        mistake = self.mistakes.diagnose(step, value) if self.mistakes else None
        if mistake:
            self.say("    " + label(f"mistake.{mistake}", self.lang))

    def score_line(self) -> str:
        asked = self.score.asked
        pct = 100.0 * self.score.right_first / asked if asked else 0.0
        return label("quiz.score", self.lang, right=self.score.right_first, asked=asked, pct=pct)


def run_plain(
    solution: Solution,
    lang: str,
    lines: Iterable[str],
    out: TextIO,
    *,
    quiz: bool = False,
    save: str | None = None,
) -> None:
    """Run the REPL over ``lines`` until they end or the learner quits."""
    repl = Plain(solution, lang, out, quiz=quiz)
    repl.start()
    for line in lines:
        if not repl.command(line.rstrip("\n")):
            break
    if quiz:
        repl.say(repl.score_line())
        if save:
            from stepper.atomic import write_atomic

            write_atomic(
                save,
                json.dumps(repl.score.as_json(solution.lesson_id), ensure_ascii=False, indent=2)
                + "\n",
            )
            repl.say(label("quiz.saved", lang, path=save))
