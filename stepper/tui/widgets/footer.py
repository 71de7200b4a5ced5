"""The footer: Textual's, with each key marked by its action (``-action-goto``), so that the
stylesheet can leave out the less needed keys on a narrow screen instead of cutting one in
half at the edge (keys come in ``stepper.tui.keys`` order, the essential ones first)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


class KeyFooter(Footer):
    """A compact footer whose keys carry their action as a class."""

    def __init__(self) -> None:
        super().__init__(compact=True)

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                widget.add_class(f"-action-{widget.action}")
            yield widget
