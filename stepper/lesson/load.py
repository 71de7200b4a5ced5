"""Loading a lesson: read, parse safely, validate, check, and report every problem with its place.

The order matters for the messages: YAML syntax first (nothing else can be said about a file
that does not parse), then the schema, then the checks that need a valid schema (row lengths,
layers that chain, limits). Every problem of one stage is reported together.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from stepper.lesson.checks import check_dense
from stepper.lesson.errors import LessonError, Problem
from stepper.lesson.schema import MODELS, DenseLesson, Lesson
from stepper.lesson.yamlsafe import MAX_BYTES, locate, parse

_KINDS_LATER = {"conv": "convolutional lessons", "optimize": "optimiser lessons"}


def load_lesson(path: str | Path, display_path: str | None = None) -> Lesson:
    """Load and validate the lesson at ``path``; raise LessonError listing every problem."""
    shown = display_path or str(path)
    text = read_text(Path(path), shown)
    return lesson_from_text(text, shown, default_id=Path(path).stem)


def read_text(path: Path, shown: str) -> str:
    """The file's text, or a LessonError that says plainly why not."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise LessonError(
                [Problem(shown, f"the file has {size:,} bytes; lessons are limited to "
                         f"{MAX_BYTES:,}")]
            )
        raw = path.read_bytes()
    except FileNotFoundError:
        raise LessonError([Problem(shown, "no such file")]) from None
    except IsADirectoryError:
        raise LessonError([Problem(shown, "this is a folder, not a lesson file")]) from None
    except OSError as exc:
        raise LessonError([Problem(shown, f"cannot read the file: {exc.strerror}")]) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise LessonError([Problem(shown, "the file is not UTF-8 text", line, 1)]) from None


def lesson_from_text(text: str, shown: str, default_id: str = "lesson") -> Lesson:
    """Validate a lesson given as YAML text (``shown`` names it in messages)."""
    if not text.strip():
        raise LessonError([Problem(shown, "the file is empty; a lesson needs at least a network")])
    data, tree = parse(shown, text)
    if not isinstance(data, dict):
        raise LessonError(
            [Problem(shown, "a lesson is a mapping of fields (title, network, training, ...)", 1, 1)]
        )
    kind = data.get("kind", "dense")
    if kind in _KINDS_LATER:
        line, col = locate(tree, ("kind",))
        raise LessonError(
            [Problem(shown, f"kind '{kind}' ({_KINDS_LATER[kind]}) is not supported by this "
                     "version of stepper yet; only 'dense' is", line, col)]
        )
    try:
        lesson = DenseLesson.model_validate(data)
    except ValidationError as exc:
        raise LessonError(_schema_problems(exc, data, tree, shown)) from None
    problems = [
        Problem(shown, message, *locate(tree, where, key=on_key))
        for where, message, on_key in check_dense(lesson)
    ]
    if problems:
        raise LessonError(problems)
    if lesson.id is None:
        lesson = lesson.model_copy(update={"id": default_id})
    return lesson


def _data_path(loc: tuple[Any, ...], data: Any) -> tuple[tuple[Any, ...], Any]:
    """Split a pydantic location into the path that exists in the data (dropping union branch
    names) and the value found there."""
    path: list[Any] = []
    node = data
    for step in loc:
        if isinstance(node, dict) and step in node:
            node = node[step]
        elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            node = node[step]
        elif isinstance(step, str) and not isinstance(node, dict | list):
            continue
        elif isinstance(step, str) and ("[" in step or step in _TYPE_NAMES):
            continue
        else:
            return tuple(path), node
        path.append(step)
    return tuple(path), node


_TYPE_NAMES = {"str", "int", "float", "bool", "list", "dict", "function-after", "literal"}
_KNOWN_FIELDS = sorted({name for model in MODELS for name in model.model_fields})


def label(path: tuple[Any, ...]) -> str:
    """network.layers[1].weights[2] for a data path (list positions counted from 1)."""
    out = ""
    for step in path:
        out += f"[{step + 1}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out or "the lesson"


def describe(value: Any) -> str:
    """A value as a person would name it in a message."""
    if isinstance(value, bool):
        return f"the truth value {str(value).lower()}"
    if value is None:
        return "nothing"
    if isinstance(value, str):
        try:
            float(value.replace(",", "."))
        except ValueError:
            return f"the text {value!r}"
        return f"the text {value!r} (a number in quotes or with a comma; write it plainly)"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return repr(value)


_EXPECTED = {
    "float_type": "a number",
    "int_type": "a whole number",
    "bool_type": "true or false",
    "string_type": "text",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
}


def _message(err: Any, value: Any, path: tuple[Any, ...]) -> str:
    kind = err["type"]
    where = label(path)
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden":
        name = path[-1] if path else "?"
        close = difflib.get_close_matches(str(name), _KNOWN_FIELDS, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        return f"unknown field '{name}'{hint}"
    if kind in _EXPECTED:
        return f"{where}: expected {_EXPECTED[kind]}, got {describe(value)}"
    if kind == "literal_error":
        return f"{where}: {describe(value)} is not allowed; expected one of {ctx.get('expected')}"
    if kind == "finite_number":
        return f"{where}: expected a finite number, got {value}"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        sign = {"greater_than_equal": "≥", "greater_than": ">", "less_than_equal": "≤",
                "less_than": "<"}[kind]
        bound = next(iter(ctx.values()), "?")
        return f"{where}: must be {sign} {bound}, got {value}"
    if kind == "too_short":
        return f"{where}: needs at least {ctx.get('min_length')} item(s)"
    if kind == "string_pattern_mismatch":
        return f"{where}: {describe(value)} does not have the expected form"
    return f"{where}: {err['msg']}"


def _schema_problems(exc: ValidationError, data: Any, tree: Any, shown: str) -> list[Problem]:
    problems: dict[tuple[Any, ...], Problem] = {}
    for err in exc.errors():
        path, value = _data_path(tuple(err["loc"]), data)
        if err["type"] == "missing":
            field = err["loc"][-1]
            line, col = locate(tree, path, key=True)
            message = f"{label(path) + ': ' if path else ''}missing field '{field}'"
            problems.setdefault((*path, field), Problem(shown, message, line, col))
            continue
        if err["type"] == "extra_forbidden":
            line, col = locate(tree, path, key=True)
        else:
            line, col = locate(tree, path)
        # A union (one activation or a list of them) reports one error per branch: keep the
        # first, which names the simple form.
        problems.setdefault(path, Problem(shown, _message(err, value, path), line, col))
    return sorted(problems.values(), key=lambda p: (p.line or 0, p.col or 0))
