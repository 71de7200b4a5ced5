"""What heads an exam: course, instructor, date, points per item and instructions.

They come from the lesson's ``exam:`` section, each overridden by the command line's option
of the same name, already in the reader's language, so a printer writes them as they are.
"""

from __future__ import annotations

from dataclasses import dataclass

from stepper.lesson.schema import Exam, localized


@dataclass(frozen=True, slots=True)
class ExamHeader:
    """The exam's header as printed; a field left out is None."""

    course: str | None = None
    instructor: str | None = None
    date: str | None = None
    points: float | None = None
    instructions: str | None = None


def exam_header(
    section: Exam | None,
    lang: str,
    fallback: str,
    *,
    course: str | None = None,
    instructor: str | None = None,
    date: str | None = None,
    points: float | None = None,
    instructions: str | None = None,
) -> ExamHeader:
    """The header of an exam in ``lang``: the lesson's ``section`` (a text given per language
    falls back to ``fallback``, the lesson's language), each field replaced by the option given."""
    given = section or Exam()
    return ExamHeader(
        course=course or localized(given.course, lang, fallback),
        instructor=instructor or given.instructor,
        date=date or (str(given.date) if given.date is not None else None),
        points=points if points is not None else given.points,
        instructions=instructions or localized(given.instructions, lang, fallback),
    )
