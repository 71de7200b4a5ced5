"""Shared fixtures: built-in lessons solved once per session."""

from __future__ import annotations

import pytest

from stepper.catalog import builtin_folder, builtin_ids
from stepper.engine import solve
from stepper.lesson.load import load_lesson
from stepper.steps import Solution


def solved(lesson_id: str, lang: str | None = None) -> Solution:
    return solve(load_lesson(builtin_folder() / f"{lesson_id}.yaml", lesson_id), lang)


@pytest.fixture(scope="session")
def builtin() -> dict[str, Solution]:
    """Every built-in lesson, solved in its own language."""
    return {lesson_id: solved(lesson_id) for lesson_id in builtin_ids()}
