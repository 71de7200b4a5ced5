"""``stepper schema``: the JSON Schema of lesson files, for editors. It is generated from the
models that validate lessons, so every built-in lesson and every starter is valid against it,
and what the models refuse for its type or its name the schema refuses too."""

from __future__ import annotations

import copy
import json
import typing
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from stepper.catalog import builtin_folder, builtin_ids
from stepper.cli import main
from stepper.lesson.errors import LessonError
from stepper.lesson.load import lesson_from_text
from stepper.lesson.schema import MODELS, Lesson
from stepper.lesson.yamlsafe import parse
from stepper.scaffold import KINDS, STARTERS, json_schema, starter


@pytest.fixture(scope="module")
def validator() -> Any:
    schema = json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def plain(lesson_id: str) -> Any:
    """A built-in lesson as plain data, read as the loader reads it (YAML 1.2)."""
    path = builtin_folder() / f"{lesson_id}.yaml"
    data, _, problems = parse(str(path), path.read_text(encoding="utf-8"))
    assert not problems
    return data


def errors(validator: Any, data: Any) -> list[str]:
    return [
        f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)
    ]


def test_the_schema_is_json_and_names_every_kind() -> None:
    schema = json.loads(json.dumps(json_schema()))
    assert schema["$schema"].startswith("https://json-schema.org/")
    kinds = [typing.get_args(m.model_fields["kind"].annotation)[0] for m in typing.get_args(Lesson)]
    assert list(KINDS) == kinds
    assert schema["properties"]["kind"]["enum"] == kinds
    for model in KINDS.values():
        assert model.__name__ in schema["$defs"]


@pytest.mark.parametrize("lesson_id", builtin_ids())
def test_every_builtin_lesson_is_valid(validator: Any, lesson_id: str) -> None:
    assert errors(validator, plain(lesson_id)) == []


@pytest.mark.parametrize("lang", ["es", "en"])
@pytest.mark.parametrize("kind", list(STARTERS))
def test_every_starter_is_valid(validator: Any, kind: str, lang: str) -> None:
    data, _, _ = parse("starter", starter(kind, "demo", lang))
    assert errors(validator, data) == []


def test_a_dense_lesson_may_leave_out_its_kind(validator: Any) -> None:
    data = plain("backprop-1")
    assert "kind" not in data
    assert errors(validator, {**data, "kind": "dense"}) == []


def test_whole_numbers_are_numbers_as_for_pydantic(validator: Any) -> None:
    """Strict models still take an integer where a number goes (weights: [[0, 1, -1]])."""
    data = plain("backprop-1")
    data["network"]["layers"][0]["weights"] = [[0, 1, -1], [1, 0, 2]]
    data["training"]["learning_rate"] = 1
    assert errors(validator, data) == []
    lesson_from_text(json.dumps(data), "ints.yaml")  # JSON is YAML: the loader agrees


#: (lesson, path to a value, a wrong value): each is refused by the loader and by the schema.
WRONG: list[tuple[str, tuple[Any, ...], Any]] = [
    ("backprop-1", ("network", "layers", 0, "weights", 0, 0), "0.1"),
    ("backprop-1", ("network", "layers", 0, "weights", 0, 0), True),
    ("backprop-1", ("network", "layers", 0, "activation"), "tanhh"),
    ("backprop-1", ("network", "inputs"), 0),
    ("backprop-1", ("display", "decimals"), 13),
    ("backprop-1", ("display", "round_intermediate"), "yes"),
    ("backprop-1", ("language",), "fr"),
    ("backprop-1", ("training", "loss"), "mse"),
    ("backprop-1", ("training", "batch_size"), 0),
    ("backprop-1", ("variants", "weights", "step"), 0),
    ("backprop-1", ("id",), "no spaces"),
    ("backprop-1", ("kind",), "dense2"),
    ("cnn-1", ("kernels", 0, "weights", 0, 0), "1"),
    ("cnn-1", ("pool", "kind"), "min"),
    ("cnn-1", ("padding",), "full"),
    ("cnn-1", ("stride",), 0),
    ("cnn-1", ("kind",), "cnn"),
    ("gradient-1", ("optimizers", 0, "name"), "sgd"),
    ("gradient-1", ("optimizers", 0, "learning_rate"), -0.1),
    ("gradient-1", ("start", 0), "1"),
    ("gradient-1", ("variables", 0), "xy"),
]


def _set(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    data = copy.deepcopy(data)
    node = data
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return data


@pytest.mark.parametrize(("lesson_id", "path", "value"), WRONG)
def test_what_the_models_refuse_the_schema_refuses(
    validator: Any, lesson_id: str, path: tuple[Any, ...], value: Any
) -> None:
    data = _set(plain(lesson_id), path, value)
    with pytest.raises(LessonError):
        lesson_from_text(json.dumps(data), f"{lesson_id}.yaml")
    assert errors(validator, data), (path, value)


@pytest.mark.parametrize(
    ("lesson_id", "where"),
    [
        ("backprop-1", ()),
        ("backprop-1", ("training",)),
        ("cnn-1", ("kernels", 0)),
        ("cnn-1", ("pool",)),
        ("gradient-1", ("optimizers", 0)),
        ("gradient-1", ()),
    ],
)
def test_an_unknown_field_fails_the_schema(
    validator: Any, lesson_id: str, where: tuple[Any, ...]
) -> None:
    data = copy.deepcopy(plain(lesson_id))
    node = data
    for step in where:
        node = node[step]
    node["learning_rat"] = 0.1
    found = errors(validator, data)
    assert found
    assert any("learning_rat" in e for e in found), found


def test_a_string_weight_is_reported_where_it_is(validator: Any) -> None:
    data = _set(plain("backprop-1"), ("network", "layers", 0, "weights", 1, 2), "-0.6")
    assert errors(validator, data) == [
        "network.layers.0.weights.1.2: '-0.6' is not of type 'number'"
    ]


def test_every_field_has_a_description() -> None:
    """The editor's hover text: every field of every model of the format."""
    defs = json_schema()["$defs"]
    for model in MODELS:
        if model.__name__ not in defs:
            continue
        for field, prop in defs[model.__name__]["properties"].items():
            assert prop.get("description"), f"{model.__name__}.{field}"


def test_the_command_prints_the_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert json.loads(out) == json.loads(json.dumps(json_schema()))


def test_the_command_writes_the_schema_to_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "stepper-lesson.schema.json"
    assert main(["schema", "-o", str(target)]) == 0
    assert capsys.readouterr().out == ""
    assert json.loads(target.read_text(encoding="utf-8"))["title"] == "stepper lesson"
    assert main(["schema", "-o", str(tmp_path / "no" / "such.json")]) == 2
    assert "no existe" in capsys.readouterr().err  # the default language: schema has no --lang


def test_schema_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["schema", "--help"])
    assert exit_.value.code == 0
    assert "yaml-language-server" in capsys.readouterr().out


def test_the_schema_speaks_the_language_asked(capsys: pytest.CaptureFixture[str]) -> None:
    """The fields' descriptions, the editor's hover text, are English by default and Spanish
    with --lang es: the same schema otherwise."""
    assert main(["schema"]) == 0
    english = json.loads(capsys.readouterr().out)
    assert main(["schema", "--lang", "es"]) == 0
    spanish = json.loads(capsys.readouterr().out)
    assert english["description"].startswith("A lesson of stepper")
    assert spanish["description"].startswith("Una lección de stepper")
    lesson_id = "$defs", "DenseLesson", "properties", "id", "description"

    def at(schema: dict[str, Any], path: tuple[str, ...]) -> Any:
        for part in path:
            schema = schema[part]
        return schema

    assert "identificador" in at(spanish, lesson_id)
    assert "identificador" not in at(english, lesson_id)

    def without_descriptions(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: without_descriptions(v) for k, v in node.items() if k != "description"}
        if isinstance(node, list):
            return [without_descriptions(v) for v in node]
        return node

    assert without_descriptions(english) == without_descriptions(spanish)


def test_an_unknown_language_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """``--lang xx`` exits 2 naming the choices, with no traceback and no schema written."""
    with pytest.raises(SystemExit) as raised:
        main(["schema", "--lang", "xx"])
    assert raised.value.code == 2
    out, err = capsys.readouterr()
    assert out == "" and "Traceback" not in err and "'xx'" in err
