"""Live reload (``stepper lesson FILE --watch``): the lesson follows its file as it is saved.

A timer compares the file's size and modification time at every tick (no new dependency, no
inotify); a change re-loads and re-solves it in a worker thread, since loading validates and a
big lesson takes a moment to solve. A good save replaces the lesson (the learner stays on the
same step when it still exists); a broken one leaves the last good lesson running and puts its
problems, one ``PATH:LINE:COL: message`` a line, in a red panel above the walk until the next
good save.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual.widgets import Static

from stepper.catalog import Source
from stepper.engine import solve
from stepper.i18n import label
from stepper.lesson.errors import LessonError, Problem
from stepper.lesson.load import load_lesson
from stepper.lesson.schema import Lesson
from stepper.messages import plural
from stepper.steps import Solution

if TYPE_CHECKING:
    from stepper.tui.app import StepperApp

#: Seconds between two looks at the file.
POLL = 0.5
#: Problems listed in the panel at most; the rest are counted.
SHOWN = 5

Signature = tuple[int, int, int] | None


def signature(path: Path) -> Signature:
    """What changes when the file is saved; None while it is missing (an editor that saves by
    renaming leaves it missing for a moment)."""
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


@dataclass(frozen=True, slots=True)
class Reloaded:
    """A save that loads: the new lesson, already solved."""

    lesson: Lesson
    solution: Solution


@dataclass(frozen=True, slots=True)
class Broken:
    """A save that does not load, and why."""

    problems: tuple[Problem, ...]


def reload(source: Source, lang: str) -> Reloaded | Broken:
    """Load and solve the file again (in a worker thread: nothing here touches the screen)."""
    try:
        lesson = load_lesson(source.path, source.shown, lang)
        return Reloaded(lesson, solve(lesson, lang))
    except LessonError as exc:
        return Broken(tuple(exc.problems))


class LessonWatcher:
    """Looks at one lesson file every ``interval`` seconds and hands each new version to the app.

    One reload runs at a time: a save made while one runs is seen at the next tick, because the
    signature is taken before the file is read. Nothing happens while a dialog is open (the
    dialogs hold the lesson they were opened on) or before the first solution has arrived.
    """

    def __init__(self, app: StepperApp, source: Source, interval: float = POLL) -> None:
        self.app = app
        self.source = source
        self.interval = interval
        self.seen = signature(source.path)
        self.busy = False

    def start(self) -> None:
        self.app.set_interval(self.interval, self.check, name="watch")

    def check(self) -> None:
        from stepper.tui.screens.base import SizedScreen

        app = self.app
        if self.busy or app.solution is None or not isinstance(app.screen, SizedScreen):
            return
        now = signature(self.source.path)
        if now is None or now == self.seen:
            return
        self.seen, self.busy = now, True
        app.run_worker(partial(reload, self.source, app.lang), thread=True, name="watch")

    def done(self, outcome: Reloaded | Broken) -> None:
        """The worker's result, back on the app's thread."""
        self.busy = False
        if isinstance(outcome, Reloaded):
            self.app.reload(outcome.lesson, outcome.solution)
        else:
            self.app.problems = outcome.problems
            if not self.app.screen.query(ProblemsPanel):  # the title screen: a toast instead
                self.app.notify(
                    "\n".join(str(p) for p in outcome.problems[:SHOWN]),
                    title=label("watch.broken", self.app.lang),
                    severity="error",
                    markup=False,
                )


class ProblemsPanel(Static):
    """Why the last save of the watched file did not load; hidden while it did.

    It follows the app's ``problems``, so it is right from the moment it is mounted, whatever
    happened while another screen was showing.
    """

    def on_mount(self) -> None:
        self.watch(self.app, "problems", self.show)

    def show(self, problems: tuple[Problem, ...]) -> None:
        self.set_class(bool(problems), "-shown")
        if not problems:
            self.update("")
            return
        lang = cast("StepperApp", self.app).lang
        text = Text(label("watch.broken", lang), style="bold")
        for problem in problems[:SHOWN]:
            text.append("\n" + str(problem))
        if len(problems) > SHOWN:
            more = len(problems) - SHOWN
            text.append("\n" + plural("watch.more", more, lang, n=more))
        self.update(text)
