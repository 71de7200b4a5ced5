"""The walk: the picture, the current step in three stages, what has been revealed, progress.

Every key is an action on the headless ``Walk`` followed by one redraw; nothing is
recomputed when moving. The class is made per language (``walk_screen``) so that the footer
and the help screen speak the learner's language from the same key table.
"""

from __future__ import annotations

from functools import cache

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Header, Input, Label, ProgressBar, Sparkline, Static

from stepper.ending import iteration_losses
from stepper.i18n import label
from stepper.numbers import decimal_comma
from stepper.pictures.terminal import picture as lesson_picture
from stepper.quiz import mark, question
from stepper.repl import exact_note
from stepper.steps import Phase, Solution, run_of
from stepper.timeline import where as where_in
from stepper.tui.keys import WALK_KEYS, bindings, leaving
from stepper.tui.messages import Refreshed
from stepper.tui.screens.base import SizedScreen
from stepper.tui.watch import ProblemsPanel
from stepper.tui.widgets.answer import AnswerBox
from stepper.tui.widgets.commas import with_commas
from stepper.tui.widgets.equation import Equation
from stepper.tui.widgets.footer import KeyFooter
from stepper.tui.widgets.history import History
from stepper.tui.widgets.step_pane import StepPane
from stepper.walking import VALUE, Walk


class WalkScreen(SizedScreen):
    """Stepping through the lesson. Keys: see ``stepper.tui.keys.WALK_KEYS`` (and ``?``)."""

    #: No widget is focused on its own: the quiz's answer box takes the focus when a question
    #: is asked (without scrolling the question out of a short pane; None would mean the app's
    #: "*", which focuses the box at once and centres it).
    AUTO_FOCUS = ""
    #: Under 80 columns the screen is ``-narrow``: the stylesheet then leaves out what fits worst.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (80, "-wide")]  # noqa: RUF012 (Textual types it)

    def __init__(self) -> None:
        super().__init__()
        self._losses: tuple[Solution | None, list[tuple[int, float]]] = (None, [])
        #: What the picture shows now (see ``draw_picture``).
        self._picture: tuple[object, ...] = ()

    def compose(self) -> ComposeResult:
        lang = self.stepper.lang
        yield Header()
        yield ProblemsPanel(id="problems")
        yield Static(id="picture")
        with Horizontal(id="middle"):
            with StepPane(id="step", can_focus=False):
                yield Static(id="step-text")
                if self.stepper.quiz:
                    hint = label("quiz.placeholder", self.stepper.lang)
                    yield AnswerBox(id="answer", placeholder=hint)
                yield Static(id="feedback")
                yield Static(id="explanation")
                # Docked to the pane's bottom edge: says that ↓ shows more of the step's text.
                yield Static(label("step.more", lang), id="step-more")
            comma = self.stepper.lesson.display.decimal_comma
            yield History(lang, comma=comma, id="history")
        with Horizontal(id="status"):
            yield Label(id="progress-label")
            yield ProgressBar(id="progress", show_eta=False, show_percentage=False)
            yield Label(label("status.loss", lang), id="loss-label")
            yield Sparkline([], id="loss")
        yield KeyFooter()
        yield self.too_small_notice()

    @property
    def walk(self) -> Walk:
        walk = self.stepper.walk
        assert walk is not None
        return walk

    def on_mount(self) -> None:
        super().on_mount()
        pane = self.query_one("#step", VerticalScroll)
        self.watch(pane, "scroll_y", self._mark_more, init=False)
        self.watch(pane, "virtual_size", self._mark_more, init=False)
        self.redraw()

    def on_step_pane_resized(self, _: StepPane.Resized) -> None:
        self._mark_more()

    def _mark_more(self) -> None:
        """Show ``↓ more`` at the step pane's foot while some of its text is below the pane.
        Measured against the pane's whole height, not the room the mark leaves: the mark takes
        a row, which would otherwise keep itself shown."""
        pane = self.query_one("#step", VerticalScroll)
        mark = self.query_one("#step-more", Static)
        bottom = max(
            (c.virtual_region_with_margin.bottom for c in pane.children if c is not mark),
            default=0,
        )
        mark.set_class(bottom > pane.scroll_y + pane.content_region.height, "-shown")

    def on_refreshed(self, _: Refreshed) -> None:
        self.redraw()

    def on_resize(self, event: object) -> None:
        super().on_resize(event)  # type: ignore[arg-type]
        if self.stepper.walk is not None:
            self.draw_picture()

    # Drawing -------------------------------------------------------------------------------

    def redraw(self) -> None:
        self.draw_picture()
        self.draw_step()
        self.draw_history()
        self.draw_status()

    def draw_picture(self) -> None:
        """Draw the picture anew, unless it would show what it shows: the formula and the
        substitution of a step leave it as the question did, and a picture left alone is
        neither laid out nor measured again (some 10 ms on a 784-32-10 network)."""
        walk = self.walk
        width = max(40, self.app.size.width - 2)
        comma = self.stepper.lesson.display.decimal_comma
        shown = (walk.solution, walk.revealed(), walk.index, self.stepper.lang, width, comma)
        if shown == self._picture:
            return
        self._picture = shown
        picture = lesson_picture(*shown[:-1])
        self.query_one("#picture", Static).update(with_commas(picture, comma))

    def draw_step(self) -> None:
        walk, lang = self.walk, self.stepper.lang
        step = walk.step
        comma = self.stepper.lesson.display.decimal_comma
        commas = decimal_comma if comma else str
        if walk.stage == 0:
            asked, precision = question(step, walk.solution, lang)
            text = Text()
            text.append(asked, style="bold")
            text.append(f"\n{precision}", style="dim")
            self.query_one("#step-text", Static).update(text)
        else:
            drift = exact_note(step, lang) if walk.stage == VALUE else None
            aside = commas(f"({drift})") if drift else ""
            equation = Equation(step, walk.stage, lang, comma, aside)
            self.query_one("#step-text", Static).update(equation)
        words = Text(commas(step.explanation), style="italic")
        if step.note and walk.stage >= VALUE:
            note = commas(step.note.strip())
            words.append(f"\n{label('note', lang)}: {note}", style="yellow")
        self.query_one("#explanation", Static).update(words)
        if not self.stepper.quiz:
            return
        answer = self.query_one("#answer", Input)
        asking = walk.stage < VALUE
        answer.set_class(asking, "-asking")
        if asking:
            if walk.stage == 0:  # a new question: from its first line, whatever was scrolled
                self.query_one("#step").scroll_home(animate=False)
            # At once, not after the next refresh: a digit typed right after Space is the
            # answer's first character.
            self.set_focus(answer, scroll_visible=False)
        elif answer.has_focus:
            self.set_focus(None)

    def draw_history(self) -> None:
        walk = self.walk
        self.query_one(History).show(walk.solution, walk.revealed(), walk.index)

    def draw_status(self) -> None:
        walk, lang = self.walk, self.stepper.lang
        step = walk.step
        total = len(walk.steps)
        where = label("step_of", lang, k=step.n, n=total)
        run = run_of(step.key, walk.solution.runs)[0]
        if run is not None:  # a lesson trained several ways: whose step this is (its id is
            where = f"{where} · {run.id}"  # short; the history heads its steps with its title)
        places = [label(f"phase.{step.phase}", lang), label("iteration", lang, i=step.iteration)]
        if walk.solution.recurrent is not None:  # one update: the time step says where; whose
            # weights are updated the history's heading says (the status line has no room:
            # "actualización · puerta de actualización" left the bar one cell at 60 columns)
            places = where_in(step, walk.solution, lang)
            places = places[:1] if step.phase == Phase.UPDATE else places
        elif walk.solution.graph is not None:  # one pass each way: the node says where (which
            # of two graphs the history's heading says: the status line has no room)
            places = where_in(step, walk.solution, lang)
            places = places[:2] if step.phase == Phase.BACKWARD else places[:1]
        place = " · ".join(places)
        self.query_one("#progress-label", Label).update(f"{where} · {place}")
        self.query_one("#progress", ProgressBar).update(total=total, progress=walk.revealed())
        points = self._loss_points()
        chart = self.query_one("#loss", Sparkline)
        # An optimize lesson's picture charts f per optimiser already: one line mixing them
        # would say nothing.
        # Nor would one mixing the runs of a lesson trained several ways.
        solution = walk.solution
        shown = walk.steps[-1].iteration > 1 and solution.optimize is None and not solution.runs
        chart.set_class(shown, "-shown")
        self.query_one("#loss-label", Label).set_class(shown, "-shown")
        revealed = walk.revealed()
        chart.data = [loss for n, loss in points if n <= revealed] or [0.0]

    def _loss_points(self) -> list[tuple[int, float]]:
        """Each iteration's loss and the step that reveals it, once per solution."""
        solution = self.walk.solution
        if self._losses[0] is not solution:
            self._losses = (solution, iteration_losses(solution))
        return self._losses[1]

    # Actions -------------------------------------------------------------------------------

    def _moved(self, moved: bool) -> None:
        if moved:
            self.query_one("#feedback", Static).update("")
            self.query_one("#step", VerticalScroll).scroll_home(animate=False)
            self.redraw()

    def action_next(self) -> None:
        if self.stepper.quiz and self.walk.stage < VALUE:
            self.query_one("#answer", Input).focus()
            return
        if self.walk.at_end:
            self.stepper.finish()
            return
        self._moved(self.walk.next())

    def action_back(self) -> None:
        self._moved(self.walk.back())

    def action_next_step(self) -> None:
        self._moved(self.walk.next_step())

    def action_previous_step(self) -> None:
        self._moved(self.walk.previous_step())

    def action_reveal_phase(self) -> None:
        self._moved(self.walk.reveal_phase())

    def action_home(self) -> None:
        self._moved(self.walk.home())

    def action_end(self) -> None:
        self._moved(self.walk.end())

    def action_unjump(self) -> None:
        self._moved(self.walk.unjump())

    def action_goto(self) -> None:
        from stepper.tui.screens.goto import GotoScreen

        self.app.push_screen(GotoScreen(self.walk, self.stepper.lang), self._jump_to)

    def action_why(self) -> None:
        from stepper.tui.screens.why import WhyScreen

        self.app.push_screen(WhyScreen(self.walk.step, self.stepper.lang), self._jump_to)

    def _jump_to(self, index: int | None) -> None:
        if index is not None:
            self._moved(self.walk.jump(index))

    def action_edit(self) -> None:
        from stepper.tui.screens.edit import EditScreen

        self.app.push_screen(
            EditScreen(self.stepper.lesson, self.walk.solution, self.stepper.lang), self._edited
        )

    def _edited(self, lesson: object) -> None:
        from stepper.lesson.schema import ConvLesson, DenseLesson, OptimizeLesson, RecurrentLesson

        if isinstance(lesson, DenseLesson | ConvLesson | OptimizeLesson | RecurrentLesson):
            self.stepper.change_lesson(lesson)

    def action_restore(self) -> None:
        if self.stepper.modified:
            self.stepper.change_lesson(self.stepper.original)

    def action_text_up(self) -> None:
        self.query_one("#step", VerticalScroll).scroll_up(animate=False)

    def action_text_down(self) -> None:
        self.query_one("#step", VerticalScroll).scroll_down(animate=False)

    def action_history_up(self) -> None:
        self.query_one(History).page(1)

    def action_history_down(self) -> None:
        self.query_one(History).page(-1)

    def action_help(self) -> None:
        from stepper.tui.screens.help import HelpScreen

        self.app.push_screen(
            HelpScreen(leaving(WALK_KEYS, listed=self.stepper.picking), self.stepper.lang)
        )

    def action_quit(self) -> None:
        self.stepper.close_lesson()

    def action_leave_answer(self) -> None:
        """Escape: out of the answer box, so that the walk's keys move again."""
        if self.focused is not None:
            self.set_focus(None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Escape is offered (in the footer) only while the answer box has the keys."""
        if action == "leave_answer":
            return self.focused is not None
        return True

    # The quiz ------------------------------------------------------------------------------

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value
        event.input.value = ""
        feedback = quiz_reply(self.stepper, self.walk, text)
        self.query_one("#feedback", Static).update(feedback)
        self.draw_step()
        if self.walk.stage == VALUE:
            self.draw_picture()
            self.draw_history()
            self.draw_status()


#: How the app colours each tone of a quiz verdict's lines.
TONES = {
    "right": "bold green",
    "wrong": "red",
    "reveal": "yellow",
    "advice": "yellow",
    "info": "dim",
}


def quiz_reply(app: object, walk: Walk, text: str) -> Text:
    """Mark one typed line (``stepper.quiz.mark`` decides) and show its verdict, coloured. A
    hint says nothing here: the step pane above shows the formula (or the substitution) it
    gives, and saying it twice would push the answer box out of a small pane."""
    from stepper.tui.app import StepperApp

    assert isinstance(app, StepperApp)
    verdict = mark(walk, app.score, text)
    comma = app.lesson.display.decimal_comma
    said = [] if verdict.kind == "hint" else verdict.lines(app.lang, comma=comma)
    return Text("\n").join(Text(line, style=TONES[tone]) for tone, line in said)


@cache
def walk_screen(lang: str, listed: bool = False) -> type[WalkScreen]:
    """The walk screen with its footer and bindings in ``lang``; ``listed``: the lesson
    was opened from the list of lessons, to which ``q`` returns."""
    keys = bindings(leaving(WALK_KEYS, listed=listed), lang)
    return type("WalkScreen", (WalkScreen,), {"BINDINGS": keys})
