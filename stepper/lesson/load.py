"""Loading a lesson: read, parse safely, validate, check, and report every problem with its place.

A file that is not YAML at all (a syntax error, an alias bomb) gets one problem: nothing else
can be said about it. Otherwise every problem is reported at once, sorted by line: the tags
and duplicate keys the reader refused, what the schema says (wrong types, unknown fields,
values out of range) and what the checks say (row lengths, layers that chain, limits), which
read the plain data and so run even where the schema found problems elsewhere.
"""

from __future__ import annotations

import difflib
import functools
import re
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from stepper.lesson.checks import Found, check_lesson
from stepper.lesson.conv_checks import check_conv
from stepper.lesson.errors import (
    LessonError,
    NumberProblem,
    Problem,
    declared_language,
    msg,
    msg_count,
    speaking,
)
from stepper.lesson.formula import FormulaFound, check_optimize, place
from stepper.lesson.graph_checks import check_graph
from stepper.lesson.recurrent_checks import check_recurrent
from stepper.lesson.schema import (
    MODELS,
    ConvLesson,
    DenseLesson,
    GraphLesson,
    Lesson,
    OptimizeLesson,
    RecurrentLesson,
)
from stepper.lesson.yamlsafe import MAX_BYTES, REFUSED, locate, parse

#: Kinds the format names but this version does not read yet (kind -> what they are).
_KINDS_LATER: dict[str, str] = {}
_MODELS: dict[
    str,
    type[DenseLesson]
    | type[ConvLesson]
    | type[OptimizeLesson]
    | type[RecurrentLesson]
    | type[GraphLesson],
] = {
    "conv": ConvLesson,
    "optimize": OptimizeLesson,
    "recurrent": RecurrentLesson,
    "graph": GraphLesson,
}
#: Problems printed for one file; past this, one line says how many more there are.
MAX_PROBLEMS = 100


def load_lesson(
    path: str | Path, display_path: str | None = None, lang: str | None = None
) -> Lesson:
    """Load and validate the lesson at ``path``; raise LessonError listing every problem, in
    the language the file declares, else in ``lang``, else in the one chosen around."""
    shown = display_path or str(path)
    with speaking(lang):
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
            message = msg("load.too_big", size=size, limit=MAX_BYTES)
            raise LessonError([Problem(shown, message)])
        raw = path.read_bytes()
    except FileNotFoundError:
        raise LessonError([Problem(shown, msg("load.no_file"))]) from None
    except IsADirectoryError:
        raise LessonError([Problem(shown, msg("load.folder"))]) from None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise LessonError([Problem(shown, msg("load.unreadable", reason=reason))]) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise LessonError([Problem(shown, msg("load.not_utf8"), line, col)]) from None


def lesson_from_text(text: str, shown: str, default_id: str = "lesson") -> Lesson:
    """Validate a lesson given as YAML text (``shown`` names it in messages, which are in the
    language the text declares, else in the one chosen around)."""
    with speaking(declared_language(text)):
        return _from_text(text, shown, default_id)


def _from_text(text: str, shown: str, default_id: str) -> Lesson:
    if not text.strip():
        raise LessonError([Problem(shown, msg("load.empty"))])
    data, tree, problems = parse(shown, text)
    if not isinstance(data, dict):
        line, col = locate(tree, ())
        what = "list" if isinstance(data, list) else "value"
        problems.append(Problem(shown, msg(f"load.not_mapping.{what}"), line, col))
        raise LessonError(_finish(problems))
    kind = data.get("kind", "dense")
    if isinstance(kind, str) and kind in _KINDS_LATER:
        line, col = locate(tree, ("kind",))
        problems.append(
            Problem(
                shown,
                msg(
                    "load.kind_later",
                    kind=kind,
                    what=_KINDS_LATER[kind],
                    kinds=", ".join(repr(k) for k in ["dense", *_MODELS]),
                ),
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
        found += schema_found(exc, data, model)
    found += _kind_checks(model, data, lesson)
    if not (isinstance(kind, str) and (kind == "dense" or kind in _MODELS)):
        # An unknown kind: the rest of the file cannot be judged against any kind's fields.
        found = [f for f in found if f.path[:1] == ("kind",)]
    for item in _without_echoes(found):
        line, col = locate(tree, item.path, key=item.on_key)
        if isinstance(item, FormulaFound):  # the place inside the formula string
            line, col = place(text, line, col, _value_at(data, item.path), item.offset)
        problems.append(Problem(shown, item.message, line, col))
    if problems:
        raise LessonError(_finish(problems))
    if lesson is None:  # cannot happen: a failed validation always reports something
        raise LessonError([Problem(shown, msg("load.invalid"), 1, 1)])
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
    if model is GraphLesson:
        return check_graph(data)
    if isinstance(lesson, ConvLesson):
        return check_conv(lesson)
    if isinstance(lesson, RecurrentLesson):
        return check_recurrent(lesson)
    return []


def _value_at(data: Any, path: tuple[Any, ...]) -> str:
    """The formula string at ``path`` (an optimize lesson's function, a graph's node)."""
    for step in path:
        data = data[step]
    return data if isinstance(data, str) else ""


def _finish(problems: list[Problem]) -> list[Problem]:
    """Sorted by place, without repeats, at most MAX_PROBLEMS and a line that says the rest."""
    unique = list(dict.fromkeys(problems))
    unique.sort(key=lambda p: (p.line or 0, p.col or 0))
    if len(unique) <= MAX_PROBLEMS:
        return unique
    rest = unique[MAX_PROBLEMS]
    more = len(unique) - MAX_PROBLEMS
    note = Problem(rest.path, msg("load.more", more=more), rest.line, rest.col)
    return [*unique[:MAX_PROBLEMS], note]


def _without_echoes(found: list[Found]) -> list[Found]:
    """Drop a "missing X" where the same mapping has an unknown field that is a typo of X:
    the unknown field's message already says so."""
    suggested = {(item.path[:-1], item.suggests) for item in found if item.suggests}
    out = []
    for item in found:
        if item.missing is not None:
            mapping = item.path if item.path and item.path[-1] != item.missing else item.path[:-1]
            if (mapping, item.missing) in suggested:
                continue
        out.append(item)
    return out


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
_TYPE_NAMES |= {"Category"}  # the tag of a sample's x given as a category (schema.Inputs)
_KNOWN_FIELDS = sorted({name for model in MODELS for name in model.model_fields})


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside a field's annotation (list[Layer] -> Layer), if any."""
    return next(iter(_models_in(annotation)), None)


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
    return out or msg("load.the_lesson")


def describe(value: Any) -> str:
    """A value as a person would name it in a message."""
    if isinstance(value, bool):
        return msg("value.bool", value=str(value).lower())
    if value is None:
        return msg("value.none")
    if isinstance(value, str):
        shown = repr(value) if len(value) <= 40 else repr(value[:37] + "...")
        try:
            float(value.replace(",", "."))
        except ValueError:
            return msg("value.text", text=shown)
        return msg("value.text_number", text=shown)
    if isinstance(value, list):
        return msg("value.list")
    if isinstance(value, dict):
        return msg("value.mapping")
    if isinstance(value, int) and len(str(value)) > 20:
        return msg("value.digits", digits=len(str(abs(value))))
    return repr(value)


#: pydantic's errors of a wrong type; each names what was expected (``expected.<type>``).
_EXPECTED = {"float_type", "int_type", "bool_type", "string_type", "list_type", "dict_type"}
_EXPECTED |= {"model_type"}
_SIGN = {"greater_than_equal": "≥", "greater_than": ">", "less_than_equal": "≤", "less_than": "<"}


def _options(expected: str) -> list[str]:
    return re.findall(r"'([^']*)'", expected)


def _close_field(path: tuple[Any, ...], root: type[BaseModel]) -> str | None:
    """The field of this mapping that an unknown field is probably a typo of."""
    model = _model_at(path[:-1], root)
    here = sorted(model.model_fields) if model is not None else _KNOWN_FIELDS
    close = difflib.get_close_matches(str(path[-1]) if path else "?", here, n=1, cutoff=0.6)
    return close[0] if close else None


def _unknown_field(path: tuple[Any, ...], root: type[BaseModel]) -> str:
    name = str(path[-1]) if path else "?"
    close = _close_field(path, root)
    if close:
        return msg("schema.unknown_close", name=name, close=close)
    model = _model_at(path[:-1], root)
    here = sorted(model.model_fields) if model is not None else _KNOWN_FIELDS
    # Only a place the lesson's kind has is a home: a dense lesson's training.epochs is no
    # field of a recurrent lesson's training; a field of another kind's top level is said so.
    homes = [m for m in _models_of(root) if name in m.model_fields and m is not model]
    if homes:
        return msg("schema.elsewhere", name=name, home=msg(f"home.{homes[0].__name__}"))
    others = [m for m in MODELS if _kind_of(m) and name in m.model_fields]
    if others and model is not None and _kind_of(model):
        kind, this = _kind_of(others[0]), _kind_of(model)
        return msg("schema.other_kind", name=name, kind=kind, this=this, fields=", ".join(here))
    return msg("schema.unknown", name=name, fields=", ".join(here))


@functools.cache
def _models_of(root: type[BaseModel]) -> tuple[type[BaseModel], ...]:
    """Every model a lesson of model ``root`` reads, in the order of MODELS."""
    seen: set[type[BaseModel]] = set()
    todo = [root]
    while todo:
        model = todo.pop()
        if model in seen:
            continue
        seen.add(model)
        for field in model.model_fields.values():
            todo += _models_in(field.annotation)
    return tuple(m for m in MODELS if m in seen)


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """Every pydantic model inside a field's annotation (list[Layer] | None -> [Layer])."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]


def _kind_of(model: type[BaseModel]) -> str | None:
    """The ``kind`` a lesson model reads (dense, conv, …); None for a model inside a lesson."""
    field = model.model_fields.get("kind")
    kinds = typing.get_args(field.annotation) if field is not None else ()
    return str(kinds[0]) if kinds else None


def _message(
    err: Any, value: Any, path: tuple[Any, ...], on_key: bool, root: type[BaseModel]
) -> str:
    kind = err["type"]
    where = label(path[:-1] if on_key else path)
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden":
        return _unknown_field(path, root)
    if kind == "float_type" and isinstance(value, int) and not isinstance(value, bool):
        return msg("schema.too_large", where=where)
    if kind in _EXPECTED:
        return msg(
            "schema.expected", where=where, expected=msg(f"expected.{kind}"), got=describe(value)
        )
    if kind == "literal_error":
        options = _options(str(ctx.get("expected", "")))
        if path == ("kind",):
            kinds = ["dense", *_MODELS]
            close = difflib.get_close_matches(str(value), kinds, n=1)
            return msg(
                "schema.kind", got=describe(value), kinds=", ".join(repr(k) for k in kinds)
            ) + (msg("schema.did_you_mean", close=close[0]) if close else "")
        what = msg("value.key", key=repr(value)) if on_key else describe(value)
        close = (
            [o for o in options if o.lower() == value.lower()]
            or difflib.get_close_matches(value, options, n=1)
            if isinstance(value, str)
            else []
        )
        hint = msg("schema.did_you_mean", close=close[0]) if close else ""
        quoted = [repr(option) for option in options]
        shown = (
            msg("schema.or", items=", ".join(quoted[:-1]), last=quoted[-1])
            if len(quoted) > 1
            else ", ".join(quoted)
        )
        return msg("schema.literal", where=where, got=what, options=shown) + hint
    if kind == "finite_number":
        return msg("schema.finite", where=where, value=value)
    if kind in _SIGN:
        bound = next(iter(ctx.values()), "?")
        return msg("schema.bound", where=where, sign=_SIGN[kind], bound=bound, got=describe(value))
    if kind == "too_short":
        return msg_count("schema.too_short", ctx.get("min_length", 0), where=where)
    if kind == "string_too_short":
        return msg("schema.empty_text", where=where)
    if kind == "too_long":
        return msg_count("schema.too_long", ctx.get("max_length", 0), where=where)
    if kind == "flat_rows":
        return _flat_message(where, value, path)
    if kind == "string_pattern_mismatch":
        return _pattern_message(where, value, path)
    return msg("schema.other", where=where, got=describe(value), kind=kind)


def _flat_message(where: str, value: list[Any], path: tuple[Any, ...]) -> str:
    """A flat list where a recurrent lesson wants lists: how to write it instead."""
    numbers = [repr(v) for v in value[:6]] + (["…"] if len(value) > 6 else [])
    whole = "[[" + ", ".join(numbers) + "]]"
    each = "[" + ", ".join(f"[{n}]" if n != "…" else n for n in numbers) + "]"
    what = path[0] if path and path[0] in ("sequence", "targets") and len(value) > 1 else "rows"
    return msg(f"schema.flat_rows.{what}", where=where, whole=whole, each=each)


def _pattern_message(where: str, value: Any, path: tuple[Any, ...]) -> str:
    """A text that is not of its field's form: a letter, a variable's name, an id."""
    if path and path[-1] in ("symbol", "output_symbol"):
        return msg("schema.letter", where=where, got=describe(value))
    if path and path[0] == "variables":
        return msg("schema.variable", where=where, got=describe(value))
    if path == ("id",):
        return msg("schema.id", got=describe(value))
    if path and path[0] == "explanations":
        return msg("schema.key_pattern", got=describe(value))
    return msg("schema.form", where=where, got=describe(value))


def schema_found(exc: ValidationError, data: Any, root: type[BaseModel]) -> list[Found]:
    """pydantic's errors about ``data`` as located problems in plain words, one per place."""
    by_path: dict[tuple[Any, ...], Found] = {}
    refused: set[tuple[Any, ...]] = set()
    for err in exc.errors():
        path, value, on_key = _data_path(tuple(err["loc"]), data)
        if value is REFUSED and err["type"] != "extra_forbidden":
            refused.add(path)
            continue  # its tag was refused and reported already; nothing more to say of it
        if err["type"] == "missing":
            field = str(err["loc"][-1])
            message = (
                msg("schema.missing_at", where=label(path), field=field)
                if path
                else msg("schema.missing", field=field)
            )
            by_path.setdefault((*path, field), Found(path, message, True, missing=field))
            continue
        on_key = on_key or err["type"] == "extra_forbidden"
        # A union (one activation or a list of them) reports one error per branch: keep the
        # first, which names the simple form.
        message = _message(err, value, path, on_key, root)
        suggests = _close_field(path, root) if err["type"] == "extra_forbidden" else None
        by_path.setdefault(path, Found(path, message, on_key, suggests=suggests))
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
