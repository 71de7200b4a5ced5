"""Loading a lesson: read, parse safely, validate, check, and report every problem with its place.

A file that is not YAML at all (a syntax error, an alias bomb) gets one problem: nothing else
can be said about it. Otherwise every problem is reported at once, sorted by line: the tags
and duplicate keys the reader refused, what the schema says (wrong types, unknown fields,
values out of range) and what the checks say (row lengths, layers that chain, limits), which
read the plain data and so run even where the schema found problems elsewhere.
"""

from __future__ import annotations

import difflib
import re
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from stepper.lesson.checks import Found, check_lesson
from stepper.lesson.conv_checks import check_conv
from stepper.lesson.errors import LessonError, NumberProblem, Problem
from stepper.lesson.formula import FormulaFound, check_optimize, place
from stepper.lesson.schema import MODELS, ConvLesson, DenseLesson, Lesson, OptimizeLesson
from stepper.lesson.yamlsafe import MAX_BYTES, REFUSED, locate, parse

#: Kinds the format names but this version does not read yet (kind -> what they are).
_KINDS_LATER: dict[str, str] = {}
_MODELS: dict[str, type[DenseLesson] | type[ConvLesson] | type[OptimizeLesson]] = {
    "conv": ConvLesson,
    "optimize": OptimizeLesson,
}
#: Problems printed for one file; past this, one line says how many more there are.
MAX_PROBLEMS = 100


def load_lesson(path: str | Path, display_path: str | None = None) -> Lesson:
    """Load and validate the lesson at ``path``; raise LessonError listing every problem."""
    shown = display_path or str(path)
    text = read_text(Path(path), shown)
    lesson = lesson_from_text(text, shown, default_id=Path(path).stem)
    lesson._source = (str(path), shown)
    return lesson


def locate_number(lesson: Lesson, problem: NumberProblem) -> LessonError:
    """``problem`` (found while solving) at the place of its number in the lesson's file,
    which is read again: this happens once, on the way out. A lesson not loaded from a file
    (an exam variant, a lesson given as text) keeps the problem as it is, naming the lesson."""
    if lesson._source is None:
        return problem
    path, shown = lesson._source
    try:
        _, tree, _ = parse(shown, read_text(Path(path), shown))
    except LessonError:
        return problem
    line, col = locate(tree, problem.where)
    return LessonError([Problem(shown, problem.message, line, col)])


def read_text(path: Path, shown: str) -> str:
    """The file's text, or a LessonError that says plainly why not."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            message = f"the file has {size:,} bytes; lessons are limited to {MAX_BYTES:,}"
            raise LessonError([Problem(shown, message)])
        raw = path.read_bytes()
    except FileNotFoundError:
        raise LessonError([Problem(shown, "no such file")]) from None
    except IsADirectoryError:
        raise LessonError([Problem(shown, "this is a folder, not a lesson file")]) from None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise LessonError([Problem(shown, f"cannot read the file: {reason}")]) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise LessonError(
            [Problem(shown, "the file is not UTF-8 text (save it as UTF-8)", line, col)]
        ) from None


def lesson_from_text(text: str, shown: str, default_id: str = "lesson") -> Lesson:
    """Validate a lesson given as YAML text (``shown`` names it in messages)."""
    if not text.strip():
        raise LessonError([Problem(shown, "the file is empty; a lesson needs at least a network")])
    data, tree, problems = parse(shown, text)
    if not isinstance(data, dict):
        line, col = locate(tree, ())
        what = "a list" if isinstance(data, list) else "a single value"
        problems.append(
            Problem(
                shown,
                f"a lesson is a mapping of fields (title, network, training, ...), not {what}",
                line,
                col,
            )
        )
        raise LessonError(_finish(problems))
    kind = data.get("kind", "dense")
    if isinstance(kind, str) and kind in _KINDS_LATER:
        line, col = locate(tree, ("kind",))
        problems.append(
            Problem(
                shown,
                f"kind '{kind}' ({_KINDS_LATER[kind]}) is not supported by this version of "
                f"stepper yet; only {', '.join(repr(k) for k in ['dense', *_MODELS])} are",
                line,
                col,
            )
        )
        raise LessonError(_finish(problems))
    lesson: Lesson | None = None
    found: list[Found] = []
    model = _MODELS.get(kind, DenseLesson) if isinstance(kind, str) else DenseLesson
    try:
        lesson = model.model_validate(data)
    except ValidationError as exc:
        found += _schema_found(exc, data, model)
    found += _kind_checks(model, data, lesson)
    if not (isinstance(kind, str) and (kind == "dense" or kind in _MODELS)):
        # An unknown kind: the rest of the file cannot be judged against any kind's fields.
        found = [f for f in found if f.path[:1] == ("kind",)]
    for item in _without_echoes(found):
        line, col = locate(tree, item.path, key=item.on_key)
        if isinstance(item, FormulaFound):  # the place inside the formula string
            line, col = place(text, line, col, data.get("function", ""), item.offset)
        problems.append(Problem(shown, item.message, line, col))
    if problems:
        raise LessonError(_finish(problems))
    if lesson is None:  # cannot happen: a failed validation always reports something
        raise LessonError([Problem(shown, "the lesson does not validate", 1, 1)])
    if lesson.id is None:
        lesson = lesson.model_copy(update={"id": default_id})
    return lesson


def _kind_checks(
    model: type[BaseModel], data: dict[str, Any], lesson: Lesson | None
) -> list[Found]:
    """The checks past the schema, for the lesson's kind."""
    if model is DenseLesson:
        return check_lesson(data)
    if model is OptimizeLesson:
        return list(check_optimize(data))
    if isinstance(lesson, ConvLesson):
        return check_conv(lesson)
    return []


def _finish(problems: list[Problem]) -> list[Problem]:
    """Sorted by place, without repeats, at most MAX_PROBLEMS and a line that says the rest."""
    unique = list(dict.fromkeys(problems))
    unique.sort(key=lambda p: (p.line or 0, p.col or 0))
    if len(unique) <= MAX_PROBLEMS:
        return unique
    rest = unique[MAX_PROBLEMS]
    more = len(unique) - MAX_PROBLEMS
    note = Problem(
        rest.path, f"... and {more:,} more problems from here on, not shown", rest.line, rest.col
    )
    return [*unique[:MAX_PROBLEMS], note]


def _without_echoes(found: list[Found]) -> list[Found]:
    """Drop a "missing X" where the same mapping has an unknown field that is a typo of X:
    the unknown field's message already says so."""
    suggested = {(item.path[:-1], _suggestion(item)) for item in found if _suggestion(item)}
    out = []
    for item in found:
        if item.missing is not None:
            mapping = item.path if item.path and item.path[-1] != item.missing else item.path[:-1]
            if (mapping, item.missing) in suggested:
                continue
        out.append(item)
    return out


_SUGGEST = re.compile(r"did you mean '([^']+)'")


def _suggestion(item: Found) -> str | None:
    if not item.message.startswith("unknown field"):
        return None
    match = _SUGGEST.search(item.message)
    return match.group(1) if match else None


# --- From pydantic errors to located problems in plain words ----------------------------------


def _data_path(loc: tuple[Any, ...], data: Any) -> tuple[tuple[Any, ...], Any, bool]:
    """Split a pydantic location into the path that exists in the data (dropping union branch
    names), the value found there, and whether the error is about a mapping's key."""
    path: list[Any] = []
    node = data
    for n, step in enumerate(loc):
        if step == "[key]" and n == len(loc) - 1:
            return tuple(path), path[-1] if path else None, True
        if (isinstance(node, dict) and step in node) or (
            isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node)
        ):
            node = node[step]
        elif isinstance(step, str) and (
            not isinstance(node, dict | list) or "[" in step or step in _TYPE_NAMES
        ):
            continue
        else:
            return tuple(path), node, False
        path.append(step)
    return tuple(path), node, False


_TYPE_NAMES = {"str", "int", "float", "bool", "list", "dict", "function-after", "literal"}
_KNOWN_FIELDS = sorted({name for model in MODELS for name in model.model_fields})
#: Where each model's fields are written, for "this field belongs in ..." hints.
_HOME = {
    "DenseLesson": "at the top level",
    "LessonBase": "at the top level",
    "Network": "under network",
    "Layer": "in each layer of network.layers",
    "Training": "under training",
    "Sample": "in each sample of training.samples",
    "Display": "under display",
    "ConvLesson": "at the top level of a conv lesson",
    "Kernel": "in each kernel of kernels",
    "Pool": "under pool",
    "Head": "under dense",
    "ShapeOnly": "under shape",
    "Variants": "under variants",
    "Explanation": "under a key of explanations (replace, append)",
    "Grid": "in a range of variants (min, max, step)",
    "OptimizeLesson": "at the top level of an optimize lesson",
    "Optimizer": "in each optimiser of optimizers",
}


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside a field's annotation (list[Layer] -> Layer), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        model = _model_in(arg)
        if model is not None:
            return model
    return None


def _model_at(path: tuple[Any, ...], root: type[BaseModel] = DenseLesson) -> type[BaseModel] | None:
    """The model that reads the mapping at ``path`` (list positions are skipped)."""
    model: type[BaseModel] | None = root
    for step in path:
        if isinstance(step, int):
            continue
        if model is None or step not in model.model_fields:
            return None
        model = _model_in(model.model_fields[step].annotation)
    return model


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
        shown = repr(value) if len(value) <= 40 else repr(value[:37] + "...")
        try:
            float(value.replace(",", "."))
        except ValueError:
            return f"the text {shown}"
        return f"the text {shown} (a number in quotes or with a comma; write it plainly)"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, int) and len(str(value)) > 20:
        return f"a number of {len(str(abs(value)))} digits"
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
_SIGN = {"greater_than_equal": "≥", "greater_than": ">", "less_than_equal": "≤", "less_than": "<"}


def _options(expected: str) -> list[str]:
    return re.findall(r"'([^']*)'", expected)


def _unknown_field(path: tuple[Any, ...], root: type[BaseModel]) -> str:
    name = str(path[-1]) if path else "?"
    model = _model_at(path[:-1], root)
    here = sorted(model.model_fields) if model is not None else _KNOWN_FIELDS
    close = difflib.get_close_matches(name, here, n=1, cutoff=0.6)
    if close:
        return f"unknown field '{name}'; did you mean '{close[0]}'?"
    homes = [_HOME[m.__name__] for m in MODELS if name in m.model_fields and m is not model]
    if homes:
        return f"the field '{name}' does not belong here; it goes {homes[0]}"
    return f"unknown field '{name}'; the fields here are {', '.join(here)}"


def _message(
    err: Any, value: Any, path: tuple[Any, ...], on_key: bool, root: type[BaseModel]
) -> str:
    kind = err["type"]
    where = label(path[:-1] if on_key else path)
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden":
        return _unknown_field(path, root)
    if kind == "float_type" and isinstance(value, int) and not isinstance(value, bool):
        return f"{where}: the number is too large (a number has at most about 308 digits)"
    if kind in _EXPECTED:
        return f"{where}: expected {_EXPECTED[kind]}, got {describe(value)}"
    if kind == "literal_error":
        options = _options(str(ctx.get("expected", "")))
        if path == ("kind",):
            kinds = ["dense", *_MODELS]
            close = difflib.get_close_matches(str(value), kinds, n=1)
            return (
                f"kind: {describe(value)} is not a lesson kind; this version of stepper reads "
                f"{', '.join(repr(k) for k in kinds)} lessons"
                + (f"; did you mean '{close[0]}'?" if close else "")
            )
        what = f"the key {value!r}" if on_key else describe(value)
        close = difflib.get_close_matches(value, options, n=1) if isinstance(value, str) else []
        hint = f"; did you mean '{close[0]}'?" if close else ""
        return f"{where}: {what} is not allowed; expected one of {ctx.get('expected')}{hint}"
    if kind == "finite_number":
        return f"{where}: expected a finite number, got {value} (.inf and .nan are not allowed)"
    if kind in _SIGN:
        bound = next(iter(ctx.values()), "?")
        return f"{where}: must be {_SIGN[kind]} {bound}, got {describe(value)}"
    if kind == "too_short":
        return f"{where}: needs at least {ctx.get('min_length')} item(s)"
    if kind == "string_pattern_mismatch":
        if path and path[-1] in ("symbol", "output_symbol"):
            return f"{where}: {describe(value)} is not a single letter"
        if path and path[0] == "variables":
            return (
                f"{where}: {describe(value)} is not a variable name (a letter, maybe followed "
                "by one or two digits: x, y, w1)"
            )
        if path == ("id",):
            return (
                f"id: {describe(value)} is not an id (letters, digits, '_', '.' and '-', "
                "starting with a letter or digit)"
            )
        return f"{where}: {describe(value)} does not have the expected form"
    return f"{where}: {err['msg']}"


def _schema_found(exc: ValidationError, data: Any, root: type[BaseModel]) -> list[Found]:
    by_path: dict[tuple[Any, ...], Found] = {}
    refused: set[tuple[Any, ...]] = set()
    for err in exc.errors():
        path, value, on_key = _data_path(tuple(err["loc"]), data)
        if value is REFUSED and err["type"] != "extra_forbidden":
            refused.add(path)
            continue  # its tag was refused and reported already; nothing more to say of it
        if err["type"] == "missing":
            field = str(err["loc"][-1])
            message = f"{label(path) + ': ' if path else ''}missing field '{field}'"
            by_path.setdefault((*path, field), Found(path, message, True, missing=field))
            continue
        on_key = on_key or err["type"] == "extra_forbidden"
        # A union (one activation or a list of them) reports one error per branch: keep the
        # first, which names the simple form.
        by_path.setdefault(path, Found(path, _message(err, value, path, on_key, root), on_key))
    # ... and where one branch's error lies deeper (a list item that is wrong), the other
    # branch's complaint about the whole value ("not a name") is beside the point.
    found = []
    for path, item in by_path.items():
        deeper = any(
            len(other) > len(path) and other[: len(path)] == path and not by_path[other].missing
            for other in by_path
        ) or any(len(other) > len(path) and other[: len(path)] == path for other in refused)
        if deeper and not item.missing:
            continue
        found.append(item)
    return found
