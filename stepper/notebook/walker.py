"""The walk widget itself: the state in Python, synced to ``walk.js``, which draws it.

Made by ``stepper.walk`` (``stepper.notebook.widget``), which checks first that anywidget is
installed. Every move the front end sends is one of ``MOVES``, a method of the headless
``Walk``; after it the traits are set anew from the walk, and traitlets sends only those that
changed (a step's formula and substitution leave the picture as it was).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import anywidget
import traitlets

from stepper.i18n import label
from stepper.notebook.display import SCOPE, document, section_title, step_alone, style
from stepper.numbers import decimal_comma
from stepper.pictures import render_svg
from stepper.pictures.terminal import scene_layout
from stepper.walking import Walk

if TYPE_CHECKING:
    from stepper.api import Solution
    from stepper.tui.keys import Key

HERE = Path(__file__).parent

#: The picture's size in cells: wider and taller than the app's at 80×24, as a notebook's
#: cell has the room (the SVG shrinks to the cell's width).
WIDTH, ROWS = 100, 16

#: The buttons, in order: each a move (a method of ``Walk``), its sign, and whether it goes
#: forward (which end of the lesson disables it). Back and next also say their word.
MOVES: tuple[tuple[str, str, bool], ...] = (
    ("home", "⇤", False),
    ("previous_step", "«", False),
    ("back", "←", False),
    ("next", "→", True),
    ("next_step", "»", True),
    ("end", "⇥", True),
)
#: Every move the front end may ask for: the buttons', and the app's ``a`` (the rest of
#: the phase), which has a key and no button.
ALLOWED = frozenset({*(move for move, _, _ in MOVES), "reveal_phase"})

#: The app's key names (Textual's) as a browser's ``KeyboardEvent.key`` says them.
BROWSER_KEYS = {
    "space": " ",
    "right": "ArrowRight",
    "left": "ArrowLeft",
    "backspace": "Backspace",
    "right_square_bracket": "]",
    "left_square_bracket": "[",
    "home": "Home",
    "end": "End",
}


def _moves() -> dict[str, Key]:
    """The app's keys (``stepper.tui.keys``), by the move they make."""
    from stepper.tui.keys import WALK_KEYS

    return {k.action: k for k in WALK_KEYS if k.action in ALLOWED}


class Walker(anywidget.AnyWidget):
    """A solution walked through: the current step at its stage, and the picture.

    Press its buttons, or click it and use the app's keys (→, ←, ], [, a, Home, End).
    ``move(name)`` does from Python what a button does.
    """

    _esm = HERE / "walk.js"
    _css = style() + (HERE / "walk.css").read_text(encoding="utf-8")

    #: The lesson's language, for the front end's ``lang`` attribute.
    lang = traitlets.Unicode("").tag(sync=True)
    #: The wrapper's class, which scopes the document's style sheet.
    scope = traitlets.Unicode(SCOPE).tag(sync=True)
    #: Where the walk stands: the step's index (0-based) and its stage (``stepper.walking``).
    index = traitlets.Int(0).tag(sync=True)
    stage = traitlets.Int(0).tag(sync=True)
    #: "Step 3 of 40 · forward pass · …", as the app's status line.
    position = traitlets.Unicode("").tag(sync=True)
    #: The current step as the HTML printer prints it, cut at the stage reached.
    card = traitlets.Unicode("").tag(sync=True)
    #: The lesson's picture at this position, as SVG.
    picture = traitlets.Unicode("").tag(sync=True)
    #: Whether a move back, or forward, would move at all.
    can_back = traitlets.Bool(False).tag(sync=True)
    can_next = traitlets.Bool(True).tag(sync=True)
    #: The buttons: move, text, title (its label and keys), forward.
    buttons = traitlets.List(traitlets.Dict()).tag(sync=True)
    #: The browser's keys and the moves they make.
    key_moves = traitlets.Dict().tag(sync=True)

    def __init__(self, solution: Solution, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.solution = solution
        self.walk = Walk(solution.solved)
        self._document = document(solution)
        lang = solution.language
        self.lang = lang
        known = _moves()
        words = {"back": f"← {label('key.back', lang)}", "next": f"{label('key.next', lang)} →"}
        self.buttons = [
            {
                "move": move,
                "text": words.get(move, sign),
                "title": f"{label(known[move].label, lang)} ({known[move].display})",
                "forward": forward,
            }
            for move, sign, forward in MOVES
        ]
        self.key_moves = {
            BROWSER_KEYS.get(key, key): app_key.action
            for app_key in known.values()
            for key in app_key.keys.split(",")
        }
        self.on_msg(self._on_msg)
        self._show()

    def move(self, name: str) -> bool:
        """Make the move ``name`` (one of ``MOVES``, or ``reveal_phase``); whether it moved."""
        if name not in ALLOWED:
            raise ValueError(name)
        moved: bool = getattr(self.walk, name)()
        if moved:
            self._show()
        return moved

    def _on_msg(self, _: object, content: object, buffers: object) -> None:
        """A click or a key from the front end: ``{"move": name}``; anything else is ignored
        (the front end is not trusted to name a method)."""
        if isinstance(content, dict) and content.get("move") in ALLOWED:
            self.move(content["move"])

    def _show(self) -> None:
        walk, lang = self.walk, self.lang
        step = walk.step
        where = label("step_of", lang, k=step.n, n=len(walk.steps))
        comma = self._document.comma
        scene = scene_layout(walk.solution, walk.revealed(), walk.index, lang, WIDTH)(ROWS)
        with self.hold_sync():
            self.index, self.stage = walk.index, walk.stage
            self.position = f"{where} · {section_title(self._document, step)}"
            self.card = step_alone(self._document, step, walk.stage)
            self.picture = render_svg.render(scene.map_labels(decimal_comma) if comma else scene)
            self.can_back = (walk.index, walk.stage) != (0, walk.start(0))
            self.can_next = not walk.at_end
