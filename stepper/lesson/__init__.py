"""Lesson files: the schema, safe loading with located errors, and the built-in catalogue."""

from stepper.lesson.errors import LessonError, Problem
from stepper.lesson.load import load_lesson
from stepper.lesson.schema import DenseLesson, Lesson

__all__ = ["DenseLesson", "Lesson", "LessonError", "Problem", "load_lesson"]
