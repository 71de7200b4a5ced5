"""The plain REPL: the same lesson as lines on stdin and stdout.

For screen readers, pipes and scripts. Each stage is printed as it is revealed: the formula
with its explanation, then ``= substitution``, then ``= value``. Commands (contract): an empty
line or ``next``, ``back``, ``show KEY``, ``all``, ``quit``; also, as the app's keys, ``goto``
(a number, a key or a symbol), ``why``, ``edit``, ``restore`` and ``help``. With ``--quiz``
each value is asked for first; ``h`` gives a hint, ``r`` reveals. On a terminal each line is
asked for after a prompt that says where the learner is; through a pipe there is no prompt,
so a script's output is the lesson alone. Where colour is allowed (``stepper.color``), each
step's header is bold and what is said beside a value dim, as in the app.
"""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterable, Iterator
from typing import TextIO

from stepper.color import Paint, painter, plain
from stepper.edit import Editable, editable_numbers, with_number
from stepper.ending import summarize
from stepper.ending_text import lines
from stepper.equation import ASIDE_GAP, Line, step_lines
from stepper.i18n import label
from stepper.lesson.errors import LessonError
from stepper.lesson.schema import Lesson
from stepper.notes import after_edit
from stepper.numbers import decimal_comma, given, pretty, shown
from stepper.quiz import Score, mark, parse_answer, question, write_answers
from stepper.steps import Solution, Step
from stepper.timeline import where
from stepper.walking import FORMULA, VALUE, Walk, at_once
from stepper.why import reads, why_title

#: Every command word (and alias) and the method of ``Plain`` that does it; the start line
#: and ``help`` name them all (a test checks).
COMMANDS = {
    **dict.fromkeys(("", "next", "n"), "advance"),
    **dict.fromkeys(("back", "b", "p"), "go_back"),
    **dict.fromkeys(("why", "w"), "why"),
    **dict.fromkeys(("restore", "r"), "restore"),
    **dict.fromkeys(("help", "?"), "help"),
    "all": "reveal_all",
}
#: Commands followed by what they act on: a key, a step, a number of the lesson.
COMMANDS_WITH_TEXT = {"show": "show", "goto": "goto", "g": "goto", "edit": "edit", "e": "edit"}
QUIT = ("quit", "q", "exit")
#: Commands that stay commands while the quiz waits for a value (any other line is an answer).
_DURING_A_QUESTION = {"help", "?", "why", "w", "goto", "g", "show", "back", "b", "edit", "e"}
_DURING_A_QUESTION |= {"restore"}
#: Before each line of a step (the header excepted).
INDENT = "    "
#: Most numbers ``edit`` lists at once; past this it asks for a name to narrow them.
EDIT_LIST = 60


def header(step: Step, total: int, lang: str, solution: Solution | None = None) -> str:
    """``[3/40 · phase · iteration 1 · pair 2 · key]``; in a recurrent lesson (``solution``
    says) the time step instead of the iteration (``[3/40 · hacia delante · t = 2 · h[2,1]]``)."""
    place = where(step, solution, lang)
    return f"[{step.n}/{total} · {' · '.join(place)} · {step.key}]"


def stage_lines(
    step: Step,
    stage: int,
    total: int,
    lang: str,
    *,
    width: int | None = None,
    comma: bool = False,
    solution: Solution | None = None,
    paint: Paint = plain,
) -> list[str]:
    """What revealing ``stage`` of ``step`` prints: on the step's first stage its header,
    explanation and formula (all of it for a step shown at once), then each stage's own lines
    of the equation. The ``=`` signs line up under the formula's (``stepper.equation``)."""
    if stage == (VALUE if at_once(step) else FORMULA):
        return step_text(
            step, stage, total, lang, width=width, comma=comma, solution=solution, paint=paint
        )
    lines = _equation(step, stage, lang, width, comma)
    return [INDENT + _painted(line, paint) for line in lines if line.stage == stage]


def step_text(
    step: Step,
    upto: int,
    total: int,
    lang: str,
    *,
    width: int | None = None,
    comma: bool = False,
    mark: str = "",
    solution: Solution | None = None,
    paint: Paint = plain,
) -> list[str]:
    """``step`` as far as stage ``upto``: header, explanation (on a terminal, wrapped between
    words, as the formula is between terms) and the equation's lines."""
    words = decimal_comma(step.explanation) if comma else step.explanation
    if width is None:
        said = [INDENT + words]
    else:
        said = textwrap.wrap(words, width, initial_indent=INDENT, subsequent_indent=INDENT)
    lines = _equation(step, upto, lang, width, comma)
    return [
        mark + paint(header(step, total, lang, solution), "bold"),
        *said,
        *(INDENT + _painted(line, paint) for line in lines),
    ]


def _painted(line: Line, paint: Paint) -> str:
    """The line's text, what it says aside dim."""
    if not line.aside:
        return line.text
    body = line.lead + line.body + ASIDE_GAP if line.body else line.lead
    return body + paint(line.aside, "dim")


def _equation(step: Step, upto: int, lang: str, width: int | None, comma: bool) -> list[Line]:
    """The equation's lines in the width left after the indent (None: one line a part), the
    unrounded value and the lesson's note said after the value."""
    asides = []
    drift = exact_note(step, lang)
    if drift:
        asides.append(f"({drift})")
    if step.note:
        asides.append(f"({label('note', lang)}: {step.note.strip()})")
    aside = ASIDE_GAP.join(asides) if upto == VALUE else ""
    room = None if width is None else width - len(INDENT)
    return step_lines(step, upto, room, comma=comma, aside=decimal_comma(aside) if comma else aside)


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


def terminal_width(out: TextIO) -> int | None:
    """How wide the plain REPL's lines may be: a terminal's width, so that a long formula
    wraps at an operator rather than where the terminal cuts it; through a pipe or into a
    file, no limit: one line a part, for scripts, grep and diff."""
    isatty = getattr(out, "isatty", None)
    if not (isatty and isatty()):
        return None
    import shutil

    return shutil.get_terminal_size().columns


class Plain:
    """The REPL's state: a walk, the output stream, and the quiz score if quizzing.

    ``lesson`` is what ``edit`` changes and ``restore`` brings back; without it (a solution
    handed in alone) the numbers cannot be changed.
    """

    def __init__(
        self,
        solution: Solution,
        lang: str,
        out: TextIO,
        *,
        quiz: bool = False,
        lesson: Lesson | None = None,
        color: bool = False,
    ) -> None:
        self.solution = solution
        self.lang = lang
        self.original = self.lesson = lesson
        self.out = out
        self.quiz = quiz
        self.walk = Walk(solution, first_stage=0 if quiz else FORMULA)
        self.total = len(solution.steps)
        self.score = Score()
        self.finished = False
        #: Lines wrap to this many cells (None: they do not); numbers with a decimal comma.
        self.width = terminal_width(out)
        self.comma = lesson is not None and lesson.display.decimal_comma
        self.paint = painter(color)

    def say(self, *lines: str) -> None:
        for line in lines:
            print(line, file=self.out)

    def start(self) -> None:
        self.say(self.solution.title)
        if self.solution.summary:
            self.say(" ".join(self.solution.summary.split()))
        # Wrapped between commands, not inside one, as a terminal of 80 columns would cut it.
        self.say(*textwrap.wrap(label("plain.intro", self.lang), 79))
        if self.quiz:
            self.say(*textwrap.wrap(label("plain.intro.quiz", self.lang), 79))
        self.say("")
        self.show_current()

    def prompt(self) -> str:
        """Where the learner is, before the line they type on a terminal."""
        return f"{self.walk.index + 1}/{self.total}> "

    def show_current(self) -> None:
        """Print what the current position has just revealed."""
        step, stage = self.walk.step, self.walk.stage
        if stage == 0:
            asked = "   ".join(question(step, self.solution, self.lang))
            self.say(
                f"{self.paint(header(step, self.total, self.lang, self.solution), 'bold')} {asked}",
                f"    {step.explanation}",
            )
        else:
            self.say(*self.stage_lines(step, stage))

    def stage_lines(self, step: Step, stage: int) -> list[str]:
        return stage_lines(
            step,
            stage,
            self.total,
            self.lang,
            width=self.width,
            comma=self.comma,
            solution=self.solution,
            paint=self.paint,
        )

    def step_text(self, step: Step, upto: int, mark: str = "") -> list[str]:
        return step_text(
            step,
            upto,
            self.total,
            self.lang,
            width=self.width,
            comma=self.comma,
            mark=mark,
            solution=self.solution,
            paint=self.paint,
        )

    def whole(self, step: Step) -> list[str]:
        return self.step_text(step, VALUE)

    def advance(self) -> None:
        if self.walk.at_end:
            self.finish()
            return
        before = self.walk.index
        self.walk.next()
        if self.walk.index != before and self.walk.stage != 0:
            self.say("")
        self.show_current()
        if self.quiz and self.walk.stage == VALUE and not self.walk.at_end:
            self.advance()  # a step shown at once asks nothing: on to the next question

    def reveal_all(self) -> None:
        while not self.walk.at_end:
            self.advance()
        self.finish()

    def finish(self) -> None:
        """The end of the lesson: what the app's end screen shows, as lines."""
        if not self.finished:
            self.finished = True
            summary = summarize(self.solution, self.score if self.quiz else None)
            ending = lines(summary, self.lang, 80, brackets=False, comma=self.comma)
            self.say("", *(line.text for line in ending))

    def command(self, text: str) -> bool:
        """Handle one line; False when the learner quits."""
        word, _, rest = text.strip().partition(" ")
        word = word.lower()
        if word in QUIT:
            return False
        if self.quiz and self.walk.stage < VALUE and word not in _DURING_A_QUESTION:
            self.answer(text)
            return True
        if word in COMMANDS:
            getattr(self, COMMANDS[word])()
        elif word in COMMANDS_WITH_TEXT:
            getattr(self, COMMANDS_WITH_TEXT[word])(rest.strip())
        else:
            self.say(label("plain.unknown", self.lang, text=text.strip()))
        return True

    def help(self) -> None:
        self.say(*label("plain.help", self.lang).splitlines())

    def go_back(self) -> None:
        """Hide the last stage and say where that leaves the learner."""
        if self.walk.back():
            self.show_position("← ")

    def show_position(self, mark: str = "") -> None:
        """The current step as far as it is revealed (after a move back, an edit, a restore)."""
        step = self.walk.step
        if self.walk.stage == 0:
            self.show_current()
            return
        self.say(*self.step_text(step, self.walk.stage, mark))

    def why(self) -> None:
        """What the current step reads and where each came from (the app's w)."""
        self.say(why_title(self.walk.step, self.lang))
        self.say(*(f"    {read.text}" for read in reads(self.walk.step, self.lang)))

    def numbers(self) -> list[Editable]:
        """The numbers of the lesson that ``edit`` may change, in the app's order."""
        assert self.lesson is not None
        shape = self.solution.network
        offsets = [layer.offset for layer in shape.layers] if shape else [0]
        return editable_numbers(self.lesson, offsets, self.lang)

    def edit(self, text: str) -> None:
        """``edit`` lists the numbers, ``edit NAME`` those so named, ``edit N|NAME VALUE``
        changes one and solves the lesson again, through the same checks as a file."""
        if self.lesson is None:
            self.say(label("plain.edit.none", self.lang))
            return
        numbers = self.numbers()
        which, _, value_text = text.rpartition(" ") if " " in text else (text, "", "")
        chosen = _choose(numbers, which) if value_text else None
        if chosen is None:
            self.list_numbers(numbers, which)
            return
        value = parse_answer(value_text)
        if value is None:
            self.say(label("quiz.not_number", self.lang, text=value_text))
            return
        try:
            self.adopt(with_number(self.lesson, chosen.path, value, self.lang))
        except ValueError as exc:
            self.say(label("edit.bad", self.lang, text=value_text, why=exc))
            return
        except LessonError as exc:  # numbers that validate but overflow when solved
            why = "; ".join(problem.message for problem in exc.problems)
            self.say(label("edit.bad", self.lang, text=value_text, why=why))
            return
        edited = decimal_comma(given(value)) if self.comma else given(value)
        self.say(label("plain.edited", self.lang, name=chosen.name, value=edited))
        self.show_position()

    def list_numbers(self, numbers: list[Editable], text: str) -> None:
        """The numbers named ``text`` (all, when it is empty), each with the number that
        ``edit N VALUE`` takes; too many are counted, not listed."""
        wanted = _name(text)
        found = [(k, n) for k, n in enumerate(numbers, 1) if _name(n.name).startswith(wanted)]
        if not found:
            self.say(label("plain.edit.unknown", self.lang, text=text))
        elif len(found) > EDIT_LIST:
            self.say(label("plain.edit.many", self.lang, count=len(found)))
        else:
            self.say(label("plain.edit.list", self.lang))
            self.say(*(f"    {k}. {n.describe(comma=self.comma)}" for k, n in found))

    def restore(self) -> None:
        """The lesson as it was before any edit, at the same place (the app's r)."""
        if self.original is None or self.lesson is self.original:
            self.say(label("plain.restore.none", self.lang))
            return
        self.adopt(self.original)
        self.say(label("plain.restored", self.lang))
        self.show_position()

    def adopt(self, lesson: Lesson) -> None:
        """Solve ``lesson`` and stand at the same place in it."""
        from stepper.engine import solve

        solution = solve(lesson, self.lang)
        if lesson is not self.original:
            solution = after_edit(solution, self.lang)
        self.lesson, self.solution = lesson, solution
        self.walk = self.walk.rebased(solution)
        self.total = len(solution.steps)

    def goto(self, where: str) -> None:
        index = self.walk.find(where)
        if index is None:
            self.say(self.walk.missing(where, self.lang))
            return
        self.walk.jump(index)
        self.say(*self.whole(self.walk.step))

    def show(self, key: str) -> None:
        matches = [s for s in self.solution.steps if s.key == key.replace(" ", "")]
        if not matches:
            self.say(label("plain.no_key", self.lang, key=key))
        for step in matches:
            self.say(*self.whole(step))

    def answer(self, text: str) -> None:
        """A line typed while a value is being asked for: marked by ``stepper.quiz.mark``
        (as in the app), its verdict printed, and on to the next step once it is right or
        revealed. An empty line repeats the question."""
        verdict = mark(self.walk, self.score, text)
        if verdict.kind == "empty":
            self.show_current()
        self.say(*("    " + line for _, line in verdict.lines(self.lang, comma=self.comma)))
        if verdict.done:
            self.advance()

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
    lesson: Lesson | None = None,
    color: bool = False,
) -> None:
    """Run the REPL over ``lines`` until they end or the learner quits; ``lesson`` is the one
    ``solution`` solves, for ``edit`` and ``restore``; ``color``: whether it may use colour."""
    repl = Plain(solution, lang, out, quiz=quiz, lesson=lesson, color=color)
    repl.start()
    for line in _read(lines, out, repl):
        if not repl.command(line.rstrip("\n")):
            break
    if quiz:
        if not repl.finished:  # else the end's summary has said the score
            repl.say(repl.score_line())
        if save:
            write_answers(save, solution, repl.score)
            repl.say(label("quiz.saved", lang, path=save))


def _read(lines: Iterable[str], out: TextIO, repl: Plain) -> Iterator[str]:
    """The learner's lines. From a terminal, each after a prompt that says where they are
    (with line editing when it is the process's own terminal); from a pipe or a file, as they
    come, with no prompt, so that a script's output holds the lesson alone."""
    isatty = getattr(lines, "isatty", None)
    if not (isatty and isatty()):
        yield from lines
        return
    own = lines is sys.stdin and out is sys.stdout
    if own:
        import readline  # noqa: F401  (input() then edits the line and keeps a history)
    while True:
        try:
            if own:
                yield input(repl.prompt())
                continue
            out.write(repl.prompt())
            out.flush()
            line = lines.readline()  # type: ignore[attr-defined]
            if not line:
                raise EOFError
            yield line
        except EOFError:
            out.write("\n")  # Ctrl+D: the shell's prompt then starts on a line of its own
            return


def _name(text: str) -> str:
    """A number's name as typed: w₁₀, w10 and W 10 are one name."""
    return text.translate(_PLAIN_DIGITS).replace(" ", "").lower()


_PLAIN_DIGITS = str.maketrans("₀₁₂₃₄₅₆₇₈₉⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾", "01234567890123456789()")


def _choose(numbers: list[Editable], which: str) -> Editable | None:
    """The number named ``which``: its place in the list (1-based) or its name."""
    if which.isdigit():
        k = int(which) if len(which) <= len(str(len(numbers))) else 0
        return numbers[k - 1] if 1 <= k <= len(numbers) else None
    named = [n for n in numbers if _name(n.name) == _name(which)]
    return named[0] if len(named) == 1 else None
