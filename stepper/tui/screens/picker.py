"""The picker: the built-in lessons, grouped by the lecture's topics, to choose one from.

``stepper lesson`` with no LESSON opens here. Each row is a lesson's id, its title and its
length, read from the recorded index (``stepper.syllabus``), so the list is drawn at once with
no lesson loaded or solved. A topic's name is a row the cursor skips. A row is one line, its
title cut to the width; the highlighted lesson's whole title is written under the list. The
lesson chosen opens on its title screen; leaving it (``q``) comes back here, on the same row,
and ``q`` here quits.
"""

from __future__ import annotations

from functools import cache

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option

from stepper.i18n import label
from stepper.syllabus import Entry, numbered, syllabus
from stepper.tui.keys import PICKER_KEYS, bindings
from stepper.tui.screens.base import SizedScreen
from stepper.tui.widgets.footer import KeyFooter

#: Every listed lesson by id, and the width of the longest id (the rows' first column).
ENTRIES = {entry.id: entry for entry in numbered()}
ID_WIDTH = max(map(len, ENTRIES))


class PickerScreen(SizedScreen):
    """The list of lessons. Keys: ``stepper.tui.keys.PICKER_KEYS``.

    | key | action |
    | --- | --- |
    | enter | open the highlighted lesson |
    | up, k / down, j | the previous / next lesson (PgUp, PgDn, Home, End: the list's own) |
    | ? | the keys |
    | q | quit |
    """

    def compose(self) -> ComposeResult:
        lang = self.stepper.lang
        options: list[Option] = []
        length = max(len(entry.length(lang)) for entry in ENTRIES.values())
        for topic in syllabus():
            options.append(Option(Text(topic.name(lang), style="bold"), disabled=True))
            options += [
                Option(self.row(entry, lang, length), id=entry.id) for entry in topic.lessons
            ]
        yield Header()
        yield OptionList(*options, id="picker-list")
        yield Static(id="picker-title")
        yield KeyFooter()
        yield self.too_small_notice()

    @staticmethod
    def row(entry: Entry, lang: str, length: int) -> Table:
        """The lesson's id, its title (cut to the room left) and its length, right-aligned in
        ``length`` columns."""
        row = Table.grid(padding=(0, 1), expand=True)
        row.add_column(no_wrap=True, style="bold", width=ID_WIDTH)
        row.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
        row.add_column(no_wrap=True, justify="right", style="dim", width=length)
        row.add_row(entry.id, entry.title(lang), entry.length(lang))
        return row

    def on_mount(self) -> None:
        super().on_mount()
        self.list.highlighted = 1  # the first lesson, under the first topic's name

    def on_screen_resume(self) -> None:
        self.app.title = label("picker.title", self.stepper.lang)
        self.app.sub_title = ""

    @property
    def list(self) -> OptionList:
        return self.query_one("#picker-list", OptionList)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        entry = ENTRIES.get(event.option.id or "")
        title = entry.title(self.stepper.lang) if entry else ""
        self.query_one("#picker-title", Static).update(title)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.stepper.open_builtin(event.option.id)

    def action_open(self) -> None:
        self.list.action_select()

    def action_cursor_up(self) -> None:
        self.list.action_cursor_up()

    def action_cursor_down(self) -> None:
        self.list.action_cursor_down()

    def action_help(self) -> None:
        from stepper.tui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(PICKER_KEYS, self.stepper.lang))

    def action_quit(self) -> None:
        self.stepper.leave()


@cache
def picker_screen(lang: str) -> type[PickerScreen]:
    """The picker with its footer and bindings in ``lang``."""
    return type("PickerScreen", (PickerScreen,), {"BINDINGS": bindings(PICKER_KEYS, lang)})
