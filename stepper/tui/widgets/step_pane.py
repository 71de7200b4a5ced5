"""The step pane: the step's equation, the answer box and the explanation, scrolled by ↑/↓.

It draws no scrollbar and keeps the scrollbar's column whether or not the text overflows (the
stylesheet's ``overflow-y: scroll``): a column that came and went made the text wrap anew each
time, and the pane was laid out again some 180 times on one key. Without a scrollbar, the
screen marks text below the foot with "↓ más"; whether there is some changes when the text
changes, when it scrolls, and when the pane itself is resized (a taller picture above it), so
the pane says when it is resized.
"""

from __future__ import annotations

from textual import events
from textual.containers import VerticalScroll
from textual.message import Message


class StepPane(VerticalScroll):
    """A VerticalScroll that posts ``Resized`` when its own size changes."""

    class Resized(Message):
        """The pane was given another size."""

    def on_resize(self, event: events.Resize) -> None:
        self.post_message(self.Resized())
