"""Problems with a lesson, each pointing at a line and column of its file.

A lesson that does not load is bad input, not a bug: the command line prints every problem as
``PATH:LINE:COL: message`` and exits with status 2.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a lesson; ``line`` and ``col`` are 1-based, None when unknown."""

    path: str
    message: str
    line: int | None = None
    col: int | None = None

    def __str__(self) -> str:
        message = " ".join(self.message.split())  # always one line
        if self.line is None:
            return f"{self.path}: {message}"
        return f"{self.path}:{self.line}:{self.col or 1}: {message}"


class LessonError(Exception):
    """A lesson could not be loaded or validated; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


class NumberProblem(LessonError):
    """A lesson that validates but whose numbers cannot be worked out (they overflow, or the
    cross-entropy meets log 0): bad input that only the engine finds.

    ``where`` is the data path of the number to change (``("training", "learning_rate")``);
    ``stepper.engine.solve`` turns it into the line and column of the lesson's file. Until
    then the problem names the lesson, so whoever catches a LessonError can still print it.
    """

    def __init__(self, lesson_id: str, message: str, where: tuple[Hashable, ...]) -> None:
        super().__init__([Problem(lesson_id, message)])
        self.message = message
        self.where = where
