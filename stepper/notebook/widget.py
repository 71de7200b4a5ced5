"""``stepper.walk``: a lesson walked through in a notebook, stage by stage, with its picture.

The widget is an anywidget (the ``notebook`` extra). Python holds the state, the headless
``Walk`` the app and the REPL share, and sends the front end what to draw: the current step
as the HTML printer prints it, cut at the stage reached (formula, then substitution, then
value), the lesson's picture at that position as SVG (the same scene the app draws in cells),
where the learner is, and the buttons and keys. The front end (``walk.js``) only draws what
it is sent and sends the moves back, so that nothing is computed twice and the notebook's
kernel is the only judge of where the learner is.

Without the extra this module still imports (``stepper.walk`` is always there to be asked
for), and calling ``walk`` says how to install it.
"""

from __future__ import annotations

import os
from importlib.util import find_spec
from typing import TYPE_CHECKING

from stepper.lesson.errors import msg, speaking

if TYPE_CHECKING:
    from stepper.api import Solution
    from stepper.lesson.schema import Lesson
    from stepper.notebook.walker import Walker


def walk(lesson: str | os.PathLike[str] | Lesson | Solution, lang: str | None = None) -> Walker:
    """A widget that walks through ``lesson`` (what ``stepper.load`` accepts, or a solution
    already worked out) in ``lang``: next and back, a whole step at a time, the picture.

    Raises ImportError, saying what to install, when the ``notebook`` extra is missing.
    """
    if find_spec("anywidget") is None:
        with speaking(lang):
            raise ImportError(msg("notebook.no_anywidget"))
    from stepper.api import Solution, solve
    from stepper.notebook.walker import Walker

    solution = lesson if isinstance(lesson, Solution) else solve(lesson, lang)
    return Walker(solution)
