"""Finding lessons: built-in ids (package data) or paths of YAML files.

The built-in lessons live in the top-level ``lessons/`` folder of the source tree, which the
package installs as ``stepper.lessons`` (package data).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from stepper.lesson.errors import LessonError, Problem, msg

SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True, slots=True)
class Source:
    """Where a lesson comes from: the file to read and the name to use in messages."""

    path: Path
    shown: str
    builtin: bool


def builtin_folder() -> Path:
    """The installed lessons, or, when stepper runs from a source checkout (as the tests do),
    the ``lessons/`` folder beside the package."""
    try:
        return Path(str(resources.files("stepper.lessons")))
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / "lessons"


def builtin_ids() -> list[str]:
    """The ids of the built-in lessons, sorted."""
    return sorted(p.stem for p in builtin_folder().iterdir() if p.suffix in SUFFIXES)


def resolve(name: str) -> Source:
    """A built-in id or a file path; a name that is neither is bad input."""
    candidate = Path(name)
    if candidate.suffix in SUFFIXES or "/" in name or candidate.exists():
        return Source(candidate, name, builtin=False)
    for suffix in SUFFIXES:
        builtin = builtin_folder() / f"{name}{suffix}"
        if builtin.is_file():
            return Source(builtin, f"{name} ({builtin})", builtin=True)
    known = ", ".join(builtin_ids())
    raise LessonError([Problem(name, msg("cli.no_lesson", known=known))])
