"""Problems with a lesson, each pointing at a line and column of its file.

A lesson that does not load is bad input, not a bug: the command line prints every problem as
``PATH:LINE:COL: message`` and exits with status 2.

The messages come from the catalogues (``stepper.messages``), in the language of the lesson
being read: ``stepper.lesson.load`` says which (``speaking``) around everything it runs, so
that the checks deep inside need not carry a language from call to call.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

#: The language problems are told in; None until someone says (then the default language).
_LANGUAGE: ContextVar[str | None] = ContextVar("stepper_problem_language", default=None)
#: A top-level ``language:`` line, read without parsing: a file that is not valid YAML
#: still says which language to tell its problems in.
_DECLARED = re.compile(r"""^language:[ \t]*(["']?)([A-Za-z_-]+)\1[ \t]*(?:#.*)?$""", re.M)


def msg(msg_id: str, /, **fields: object) -> str:
    """The catalogue's message ``msg_id`` in the language of the lesson being read."""
    from stepper.messages import DEFAULT_LANGUAGE, text

    return text(msg_id, _LANGUAGE.get() or DEFAULT_LANGUAGE, **fields)


def msg_count(msg_id: str, n: int, /, **fields: object) -> str:
    """The plural message ``msg_id`` in its form for ``n`` (``{n}``), as ``msg`` tells it."""
    from stepper.messages import DEFAULT_LANGUAGE, plural

    return plural(msg_id, n, _LANGUAGE.get() or DEFAULT_LANGUAGE, n=n, **fields)


def telling() -> str | None:
    """The language problems are told in now, if one was chosen."""
    return _LANGUAGE.get()


@contextmanager
def speaking(lang: str | None) -> Iterator[None]:
    """Tell problems in ``lang`` inside the block (None keeps the language chosen outside)."""
    token = _LANGUAGE.set(lang or _LANGUAGE.get())
    try:
        yield
    finally:
        _LANGUAGE.reset(token)


def declared_language(text: str) -> str | None:
    """The language a lesson's text declares at its top level, when it is one stepper has."""
    from stepper.messages import languages

    found = _DECLARED.search(text)
    return found.group(2) if found and found.group(2) in languages() else None


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
