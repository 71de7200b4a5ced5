"""Edit: change one number of the lesson (α, a weight, an input, a target) and re-solve."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from stepper.edit import Editable, editable_numbers, with_number
from stepper.i18n import label
from stepper.lesson.schema import Lesson
from stepper.quiz import parse_answer
from stepper.steps import Solution


class EditScreen(ModalScreen[Lesson | None]):
    """Choose a number, type its new value; dismiss with the changed lesson, or None.

    | key | action |
    | --- | --- |
    | enter | choose / apply |
    | up, down, pageup, pagedown | move in the list (it scrolls) |
    | escape | cancel |
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", show=False)]

    def __init__(self, lesson: Lesson, solution: Solution, lang: str) -> None:
        super().__init__()
        self.lesson = lesson
        self.lang = lang
        shape = solution.network
        offsets = [layer.offset for layer in shape.layers] if shape else [0]
        self.numbers = editable_numbers(lesson, offsets, lang)
        self.chosen: Editable | None = None
        #: Numbers written with a decimal comma, as the lesson's own are.
        self.comma = lesson.display.decimal_comma

    def compose(self) -> ComposeResult:
        dialog = Vertical(classes="dialog", id="edit-dialog")
        dialog.border_subtitle = label("edit.hint", self.lang)
        with dialog:
            yield Static(label("edit.title", self.lang), classes="dialog-title")
            yield OptionList(
                *(
                    Option(n.describe(comma=self.comma), id=str(k))
                    for k, n in enumerate(self.numbers)
                ),
                id="edit-list",
            )
            yield Static(id="edit-prompt")
            yield Input(id="edit-input", disabled=True)
            yield Static(id="edit-error", classes="error")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.chosen = self.numbers[int(event.option.id or 0)]
        self.query_one("#edit-prompt", Static).update(
            label("edit.prompt", self.lang, name=self.chosen.name)
        )
        field = self.query_one("#edit-input", Input)
        field.disabled = False
        field.value = self.chosen.written(comma=self.comma)
        field.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if self.chosen is None:
            return
        text = event.value.strip()
        value = parse_answer(text)
        if value is None:
            self.refuse(label("edit.not_number", self.lang, text=text))
            return
        try:
            changed = with_number(self.lesson, self.chosen.path, value, self.lang)
        except ValueError as exc:  # the lesson's own checks, in their words
            self.refuse(label("edit.refused", self.lang, name=self.chosen.name, text=text, why=exc))
            return
        self.dismiss(changed)

    def refuse(self, why: str) -> None:
        """Say why, and keep the typed value for the learner to correct."""
        self.query_one("#edit-error", Static).update(why)

    def action_cancel(self) -> None:
        self.dismiss(None)
