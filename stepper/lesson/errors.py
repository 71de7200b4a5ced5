"""Problems with a lesson, each pointing at a line and column of its file.

A lesson that does not load is bad input, not a bug: the command line prints every problem as
``PATH:LINE:COL: message`` and exits with status 2.
"""

from __future__ import annotations

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
