"""The title screen: the lesson's title, summary and picture; Enter or space starts."""

from __future__ import annotations

from functools import cache

from textual import events
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from stepper.i18n import label
from stepper.lesson.schema import localized
from stepper.pictures.terminal import picture as lesson_picture
from stepper.tui.keys import TITLE_KEYS, WALK_KEYS, bindings, leaving
from stepper.tui.messages import Refreshed
from stepper.tui.screens.base import SizedScreen
from stepper.tui.widgets.footer import KeyFooter

#: The fewest rows worth a picture: with less room (a long summary on a small screen) the card
#: shows the title and the summary alone, and the walk shows the picture.
FEWEST_ROWS = 5


class TitleScreen(SizedScreen):
    """Before the first step. Keys: ``stepper.tui.keys.TITLE_KEYS`` (start, help, quit); the
    help lists them, then the walk's, which the learner is about to use.
    """

    def compose(self) -> ComposeResult:
        app = self.stepper
        lesson = app.lesson
        with VerticalScroll(id="title-box"):
            yield Static(localized(lesson.title, app.lang, lesson.language) or "", id="title")
            yield Static(
                " ".join((localized(lesson.summary, app.lang, lesson.language) or "").split()),
                id="summary",
            )
            yield Static(id="title-picture")
        yield Static(label("start", app.lang), id="start")
        yield KeyFooter()
        yield self.too_small_notice()

    def on_mount(self) -> None:
        super().on_mount()
        box = self.query_one("#title-box", VerticalScroll)
        for watched in ("scroll_y", "virtual_size"):
            self.watch(box, watched, self._mark_more_soon, init=False)
        self.draw_picture()
        self.call_after_refresh(self.draw_picture)  # again, at the width the box really has

    def _mark_more_soon(self) -> None:
        """Measure once the layout has settled (a watcher can run before the box's new size)."""
        self.call_after_refresh(self._mark_more)

    def _mark_more(self) -> None:
        """``↓ more`` on the card's frame while a long summary goes on below it (the card
        has the focus, so ↓ scrolls it; no scrollbar is drawn)."""
        box = self.query_one("#title-box", VerticalScroll)
        more = box.scroll_y < box.max_scroll_y
        box.border_subtitle = label("step.more", self.stepper.lang) if more else ""

    def on_refreshed(self, _: Refreshed) -> None:
        self.draw_picture()

    def on_resize(self, event: events.Resize) -> None:
        super().on_resize(event)
        self.call_after_refresh(self.draw_picture)

    def draw_picture(self) -> None:
        solution = self.stepper.solution
        if solution is not None:
            picture = self.query_one("#title-picture", Static)
            box = self.query_one("#title-box", VerticalScroll)
            # The box's inner width once laid out, less the scrollbar that the picture may bring
            # on: a wider picture would wrap, and conv pictures use every column they are given.
            width = picture.content_size.width or max(40, self.app.size.width - 10)
            if not box.show_vertical_scrollbar:
                width -= box.styles.scrollbar_size_vertical
            rows = self.picture_rows(box)
            picture.display = rows is None or rows >= FEWEST_ROWS
            picture.update(
                lesson_picture(solution, 0, None, self.stepper.lang, max(40, width), rows=rows)
            )

    def picture_rows(self, box: VerticalScroll) -> int | None:
        """The rows under the title and the summary, which the layout fits the picture in, so
        that the card needs no scrollbar; None before the box is laid out (the layout's own
        budget then)."""
        summary = self.query_one("#summary", Static)
        if not summary.virtual_region.height:
            return None
        picture = self.query_one("#title-picture", Static)
        top = summary.virtual_region.bottom + picture.styles.margin.top
        return box.scrollable_content_region.height - top

    def action_start(self) -> None:
        self.stepper.start_walk()

    def action_help(self) -> None:
        from stepper.tui.screens.help import HelpScreen

        self.app.push_screen(
            HelpScreen(
                leaving(WALK_KEYS, listed=self.stepper.picking),
                self.stepper.lang,
                first=leaving(TITLE_KEYS, listed=self.stepper.picking),
            )
        )

    async def action_quit(self) -> None:
        self.stepper.close_lesson()


@cache
def title_screen(lang: str, listed: bool = False) -> type[TitleScreen]:
    """The title screen with its footer and bindings in ``lang``; ``listed``: the lesson
    was opened from the list of lessons, to which ``q`` returns."""
    keys = bindings(leaving(TITLE_KEYS, listed=listed), lang)
    return type("TitleScreen", (TitleScreen,), {"BINDINGS": keys})
