"""The built-in lessons as a course: grouped by the lecture's topics, in its order, each with its
title and its length (its number of steps), for the picker of ``stepper lesson`` with no LESSON.

Two files beside the lessons say it. ``topics.toml`` is written by hand: the topics in the
lecture's order and, in each, its lessons' ids in order (the topics' names are words of the
program, ``topic.ID`` in the catalogues). ``index.json`` is written by the tests: each lesson's
kind, language, title in every language and number of steps, recorded when the lessons change,
because finding them takes loading every lesson (a third of a second for 35) and solving it
(as much again, and sympy for some): the picker and ``stepper list`` read one small file
instead.
``tests/test_syllabus.py`` loads and solves every lesson and fails while the index differs
(``STEPPER_WRITE_INDEX=1`` rewrites it), and checks that every built-in lesson is in exactly
one topic. Nothing here imports sympy, pydantic or Textual.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from functools import cache
from typing import Any

from stepper.catalog import builtin_folder, builtin_ids
from stepper.i18n import label
from stepper.messages import plural

TOPICS = "topics.toml"
INDEX = "index.json"


@dataclass(frozen=True, slots=True)
class Entry:
    """One built-in lesson as the picker shows it."""

    id: str
    kind: str
    #: The language the lesson speaks, whatever the learner's.
    language: str
    #: The title in every language (a lesson with one title has it in each).
    titles: dict[str, str]
    steps: int

    def title(self, lang: str) -> str:
        return self.titles.get(lang) or next(iter(self.titles.values()), "")

    def length(self, lang: str) -> str:
        """``28 pasos``: the length as the picker writes it."""
        return plural("picker.steps", self.steps, lang, count=self.steps)


@dataclass(frozen=True, slots=True)
class Topic:
    """A topic of the lecture and its lessons, in order."""

    id: str
    lessons: tuple[Entry, ...]

    def name(self, lang: str) -> str:
        return label(f"topic.{self.id}", lang)


def topic_ids() -> list[tuple[str, list[str]]]:
    """``topics.toml``: each topic's id and its lessons' ids, in the lecture's order."""
    with open(builtin_folder() / TOPICS, "rb") as f:
        data = tomllib.load(f)
    return [(t["id"], list(t["lessons"])) for t in data["topic"]]


@cache
def syllabus() -> tuple[Topic, ...]:
    """The topics with their lessons, from ``topics.toml`` and the recorded ``index.json``."""
    index = json.loads((builtin_folder() / INDEX).read_text(encoding="utf-8"))
    return tuple(
        Topic(topic, tuple(Entry(i, **index[i]) for i in lessons)) for topic, lessons in topic_ids()
    )


def numbered() -> list[Entry]:
    """Every listed lesson in the picker's order: the plain picker's number n is item n - 1."""
    return [entry for topic in syllabus() for entry in topic.lessons]


def build_index() -> dict[str, dict[str, Any]]:
    """What ``index.json`` must hold: every built-in lesson loaded and solved (sympy and all)."""
    from stepper.engine import solve
    from stepper.lesson.load import load_lesson
    from stepper.lesson.schema import localized
    from stepper.messages import languages

    index: dict[str, dict[str, Any]] = {}
    every = languages()
    for lesson_id in builtin_ids():
        lesson = load_lesson(builtin_folder() / f"{lesson_id}.yaml", lesson_id)
        titles = {lang: localized(lesson.title, lang, lesson.language) or "" for lang in every}
        steps = len(solve(lesson, lesson.language).steps)
        index[lesson_id] = {
            "kind": lesson.kind,
            "language": lesson.language,
            "titles": titles,
            "steps": steps,
        }
    return index
