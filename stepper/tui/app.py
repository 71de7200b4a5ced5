"""The Textual app: a title screen, then the walk through the lesson; with no lesson given,
first the list of the built-in lessons (``stepper.tui.screens.picker``), which leaving a
lesson returns to.

Kept thin: it owns the lesson, its solution and the walk, and re-solves when the learner
changes a number (or, with ``--watch``, saves the file: ``stepper.tui.watch``); the screens
show and move. The title screen needs no sympy, so the lesson is solved and the formula
templates are warmed in a worker while the title is read.
"""

from __future__ import annotations

import asyncio
import gc
import signal
import threading
import time
from typing import ClassVar

from textual import events
from textual.app import App
from textual.binding import Binding, BindingType
from textual.reactive import var
from textual.worker import Worker, WorkerState

from stepper.catalog import Source, resolve
from stepper.engine import solve
from stepper.lesson.errors import LessonError, Problem, msg
from stepper.lesson.load import load_lesson
from stepper.lesson.schema import Lesson
from stepper.messages import DEFAULT_LANGUAGE
from stepper.notes import after_edit
from stepper.quiz import Score, write_answers
from stepper.steps import Solution
from stepper.tui.idle_gc import LOOK, IdleCollector
from stepper.tui.messages import Refreshed
from stepper.tui.watch import POLL, Broken, LessonWatcher, Reloaded
from stepper.walking import FORMULA, Walk

MIN_WIDTH, MIN_HEIGHT = 60, 20

#: Signals that leave the app as ``q`` does.
LEAVING_SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)


class StepperApp(App[int]):
    """Step through one lesson, or through those the learner picks from the built-in ones."""

    CSS_PATH = "stepper.tcss"
    TITLE = "stepper"
    ENABLE_COMMAND_PALETTE = False
    #: Ctrl+Q and Ctrl+C leave from anywhere, a dialog or the answer box included, and save
    #: first (Textual's own Ctrl+C only tells, in English, that Ctrl+Q quits).
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q,ctrl+c", "quit", show=False, priority=True)
    ]

    problems: var[tuple[Problem, ...]] = var(())
    """Why the last save of the watched file did not load; empty when it did."""

    def __init__(
        self,
        lesson: Lesson | None,
        *,
        lang: str | None = None,
        quiz: bool = False,
        save: str | None = None,
        watch: Source | None = None,
        poll: float = POLL,
    ) -> None:
        super().__init__()
        #: No lesson given: the learner picks them from the list, and ``q`` returns to it.
        self.picking = lesson is None
        self.asked_lang = lang
        #: The list's language: --lang, else the lecture's.
        self.lang = lang or DEFAULT_LANGUAGE
        self.quiz = quiz
        self.save_path = save
        self.watcher = LessonWatcher(self, watch, poll) if watch else None
        self.save_error: OSError | None = None
        self.collector = IdleCollector()
        #: The worker solving the lesson now: a late result for a lesson left is not adopted.
        self.preparing: Worker[Solution] | None = None
        if lesson is not None:
            self.begin(lesson)

    def begin(self, lesson: Lesson) -> None:
        """Take ``lesson`` as the one to walk, from its start."""
        self.original = lesson
        self.lesson = lesson
        self.lang = self.asked_lang or lesson.language
        self.solution: Solution | None = None
        self.walk: Walk | None = None
        self.score = Score()
        self.modified = False
        self.reloaded_at: str | None = None

    def on_mount(self) -> None:
        from stepper.tui.screens.picker import picker_screen

        self.collector.start()
        self.set_interval(LOOK, self.collector.look)

        if self.picking:
            self.push_screen(picker_screen(self.lang)())
        else:
            self.open_title()
        if self.watcher:
            self.watcher.start()
        self._catch_signals(True)

    def on_unmount(self) -> None:
        self._catch_signals(False)
        self.collector.stop()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.InputEvent):
            self.collector.touched()
        await super().on_event(event)

    def _catch_signals(self, catch: bool) -> None:
        """SIGTERM, SIGHUP (the terminal closed) and SIGINT (Ctrl+C from outside the raw
        terminal) leave as ``q`` does, saving the answers, instead of ending the process where
        it stands."""
        if threading.current_thread() is not threading.main_thread():
            return
        loop = asyncio.get_running_loop()
        for signum in LEAVING_SIGNALS:
            if catch:
                loop.add_signal_handler(signum, self.leave, 128 + signum)
            else:
                loop.remove_signal_handler(signum)

    def open_title(self) -> None:
        """The lesson's title screen, while a worker solves the lesson."""
        from stepper.tui.screens.title import title_screen

        self.push_screen(title_screen(self.lang, self.picking)())
        self.preparing = self.run_worker(self._prepare, thread=True, name="prepare")

    def open_builtin(self, lesson_id: str) -> None:
        """The built-in lesson picked from the list (built-in lessons always load)."""
        source = resolve(lesson_id)
        self.begin(load_lesson(source.path, source.shown, self.asked_lang))
        self.open_title()

    def close_lesson(self) -> None:
        """``q`` in a lesson: back to the list when the lesson came from it, else leave."""
        from stepper.tui.screens.picker import PickerScreen

        if not self.picking:
            self.leave()
            return
        self.preparing = None
        self.lang = self.asked_lang or DEFAULT_LANGUAGE
        while not isinstance(self.screen, PickerScreen):
            self.pop_screen()
        # The solution left behind is no longer kept out of the collector (see _adopt).
        gc.unfreeze()

    def _prepare(self) -> Solution:
        solution = solve(self.lesson, self.lang)
        from stepper import formulas

        formulas.formula(solution.steps[0], "unicode")
        return solution

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        result = event.worker.result
        if event.worker is self.preparing and event.state == WorkerState.SUCCESS:
            assert isinstance(result, Solution)
            self._adopt(result)
        elif event.worker.name == "watch" and event.state == WorkerState.SUCCESS:
            assert self.watcher is not None and isinstance(result, Reloaded | Broken)
            self.watcher.done(result)

    def _adopt(self, solution: Solution) -> None:
        self.solution = solution
        # A big lesson's solution is millions of objects that live as long as the walk: kept
        # out of the cycle collector, a full collection costs under a millisecond instead of
        # some 140 ms in the middle of a key press (Python frees them by reference counting).
        gc.freeze()
        if self.walk is None:
            self.walk = Walk(solution, first_stage=0 if self.quiz else FORMULA)
        else:
            self.walk = self.walk.rebased(solution)
        self.refresh_title()
        self.screen.post_message(Refreshed())

    def ensure_solution(self) -> Solution:
        """The solution, computed now if the worker has not finished yet."""
        if self.solution is None:
            self._adopt(self._prepare())
        assert self.solution is not None
        return self.solution

    def refresh_title(self) -> None:
        from stepper.i18n import label

        title = self.solution.title if self.solution else self.lesson.id or "stepper"
        if self.modified:
            title += f" · {label('modified', self.lang)}"
        elif self.reloaded_at:
            title += f" · {label('reloaded', self.lang, time=self.reloaded_at)}"
        self.title = title

    def change_lesson(self, lesson: Lesson, solution: Solution | None = None) -> None:
        """Re-solve after an edit (or a restore), keeping the position."""
        self.lesson = lesson
        self.modified = lesson is not self.original
        solution = solution or solve(lesson, self.lang)
        self._adopt(after_edit(solution, self.lang) if self.modified else solution)

    def reload(self, lesson: Lesson, solution: Solution) -> None:
        """A good save of the watched file: it replaces the lesson and becomes the original,
        so r restores to it and not to what was there before."""
        self.original = lesson
        self.reloaded_at = time.strftime("%H:%M:%S")
        self.problems = ()
        self.change_lesson(lesson, solution)

    def start_walk(self) -> None:
        from stepper.tui.screens.walk import walk_screen

        self.ensure_solution()
        self.switch_screen(walk_screen(self.lang, self.picking)())

    def finish(self) -> None:
        """Next on the last step: the end screen, over the walk (so that ← returns to it)."""
        from stepper.tui.screens.end import end_screen

        if not isinstance(self.screen, end_screen(self.lang, self.picking)):
            self.push_screen(end_screen(self.lang, self.picking)())

    def leave(self, status: int = 0) -> None:
        """Every way out (q, Ctrl+Q, Ctrl+C, a signal, the end screen's q): save, then exit."""
        try:
            self.save()
        except OSError as exc:
            self.save_error = exc
            status = 2
        self.exit(status, return_code=status)

    async def action_quit(self) -> None:
        self.leave()

    def save(self) -> None:
        """Write the quiz's answers to ``--save``, atomically (a file half written is never
        left behind, an older one is replaced whole)."""
        if self.quiz and self.save_path and self.solution is not None:
            write_answers(self.save_path, self.solution, self.score)


def run_app(
    source: Source, *, lang: str | None, quiz: bool, save: str | None, watch: bool = False
) -> int:
    """Load the lesson (errors are bad input, reported before the screen opens) and run."""
    lesson = load_lesson(source.path, source.shown, lang)
    app = StepperApp(lesson, lang=lang, quiz=quiz, save=save, watch=source if watch else None)
    status = app.run() or 0
    if app.save_error is not None:
        why = app.save_error.strerror
        raise LessonError([Problem(save or "-", msg("cli.cannot_write", reason=why))])
    return status


def run_picker(*, lang: str | None, quiz: bool) -> int:
    """The list of built-in lessons, then the lessons picked from it, until the learner quits."""
    return StepperApp(None, lang=lang, quiz=quiz).run() or 0
