"""``stepper new KIND NAME``: a commented starter lesson of every kind that passes
``stepper check``, explains every field in the language asked for, and never overwrites."""

from __future__ import annotations

import os
import subprocess
import sys
import typing
from pathlib import Path

import pytest
from pydantic import BaseModel

from stepper.cli import main
from stepper.engine import solve
from stepper.lesson.load import load_lesson
from stepper.lesson.schema import MODELS, Variants
from stepper.messages import catalogue
from stepper.scaffold import (
    HEADER,
    KINDS,
    SCHEMA_FILE,
    STARTERS,
    field_help,
    starter,
    write_new,
)

LANGS = ("es", "en")


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def fields_of(
    model: type[BaseModel], skip: frozenset[str] = frozenset()
) -> set[tuple[type[BaseModel], str]]:
    """Every (model, field) reachable from ``model`` through the models its fields hold; the
    models under a field in ``skip`` are not followed."""
    out: set[tuple[type[BaseModel], str]] = set()
    todo, seen = [model], set()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        for name, info in current.model_fields.items():
            out.add((current, name))
            if name not in skip:
                todo += _models_in(info.annotation)
    return out


def _models_in(annotation: object) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]


def test_every_kind_has_a_starter() -> None:
    assert set(STARTERS) == set(KINDS)
    assert next(iter(KINDS)) == "dense"


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", list(STARTERS))
def test_a_starter_of_every_kind_passes_check(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], kind: str, lang: str
) -> None:
    code, out, err = run(capsys, "new", kind, f"my-{kind}", "--lang", lang)
    assert (code, err) == (0, "")
    path = in_tmp / f"my-{kind}.yaml"
    assert f"my-{kind}.yaml" in out
    assert run(capsys, "check", str(path)) == (0, "", "")
    lesson = load_lesson(path)
    assert (lesson.kind, lesson.id, lesson.language) == (kind, f"my-{kind}", lang)
    solution = solve(lesson)
    assert len(solution.steps) > 5
    assert {s.phase.value if hasattr(s.phase, "value") else s.phase for s in solution.steps} >= {
        "forward",
        "update",
    }


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", list(STARTERS))
def test_a_starter_explains_every_field_in_its_language(kind: str, lang: str) -> None:
    text = starter(kind, "demo", lang)
    lines = text.splitlines()
    assert lines[0] == HEADER == f"# yaml-language-server: $schema={SCHEMA_FILE}"
    assert f"stepper schema > {SCHEMA_FILE}" in text
    comments = "\n".join(line for line in lines if line.lstrip().startswith("#"))
    # Exam variants are a dense, recurrent or graph lesson's: other kinds only mention the section.
    skip = frozenset() if kind in ("dense", "recurrent", "graph") else frozenset({"variants"})
    flat = " ".join(comments.replace("#", " ").split())
    # A graph's variants draw its inputs and α: it has no weights or targets to draw.
    absent = {(Variants, "weights"), (Variants, "targets")} if kind == "graph" else set()
    for model, field in fields_of(KINDS[kind], skip) - absent:
        assert f"# {field}: " in comments or f"#   {field}: " in comments, field
        if field in skip:
            continue  # mentioned, not explained
        help_text = field_help(model, field, lang)  # type: ignore[arg-type]
        assert help_text is not None, (model.__name__, field)
        assert " ".join(help_text.split()[:4]) in flat, (model.__name__, field, lang)
    other = {"es": "Optional", "en": "Opcional"}[lang]
    assert other not in text
    assert f"language: {lang}" in text
    assert max(len(line) for line in lines) <= 100


def test_every_field_has_help_in_both_languages() -> None:
    by_name = {model.__name__: model for model in MODELS}
    for model in MODELS:
        for field in model.model_fields:
            for lang in LANGS:
                assert field_help(model, field, lang), f"{model.__name__}.{field} ({lang})"
    english, spanish = catalogue("en"), catalogue("es")
    helped = [msg_id for msg_id in english if msg_id.startswith("field.")]
    assert len(helped) > 60, helped
    for msg_id in helped:  # and no help for a field that is gone
        _, name, field = msg_id.split(".")
        assert name in by_name, name
        assert field in by_name[name].model_fields, msg_id
        assert english[msg_id] != spanish[msg_id] or field == "name", msg_id


def test_name_may_end_in_yaml(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "new", "conv", "bordes.yaml")[0] == 0
    assert (in_tmp / "bordes.yaml").is_file()
    assert not (in_tmp / "bordes.yaml.yaml").exists()
    assert run(capsys, "new", "conv", "otro.yml")[0] == 0
    assert load_lesson(in_tmp / "otro.yml").id == "otro"


def test_name_may_name_a_folder(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (in_tmp / "lessons").mkdir()
    assert run(capsys, "new", "dense", "lessons/first")[0] == 0
    path = in_tmp / "lessons" / "first.yaml"
    assert load_lesson(path).id == "first"
    assert "`stepper check lessons/first.yaml`" in path.read_text(encoding="utf-8")


def test_never_overwrites(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = in_tmp / "mine.yaml"
    path.write_text("title: my own work\n", encoding="utf-8")
    for name in ("mine", "mine.yaml"):
        code, out, err = run(capsys, "new", "dense", name, "--lang", "en")
        assert code == 2
        assert out == ""
        assert (
            err.strip() == "mine.yaml: the file exists already; stepper new never overwrites a file"
        )
        assert path.read_text(encoding="utf-8") == "title: my own work\n"
    assert sorted(p.name for p in in_tmp.iterdir()) == ["mine.yaml"]  # no temporary file left


def test_never_overwrites_a_file_that_appears_meanwhile(tmp_path: Path) -> None:
    """The last step is a hard link, which fails on an existing name: no check-then-write race."""
    path = tmp_path / "late.yaml"
    path.write_text("first\n", encoding="utf-8")
    with pytest.raises(FileExistsError):
        write_new(path, starter("dense", "late"))
    assert path.read_text(encoding="utf-8") == "first\n"
    assert [p.name for p in tmp_path.iterdir()] == ["late.yaml"]


def test_a_name_that_is_not_an_id(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "new", "dense", "mi lección", "--lang", "en")
    assert code == 2
    assert err.startswith("mi lección.yaml: 'mi lección' is not a lesson id")
    assert list(in_tmp.iterdir()) == []


def test_a_folder_that_does_not_exist(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "new", "optimize", "nowhere/x", "--lang", "en")
    assert code == 2
    assert "does not exist" in err
    assert list(in_tmp.iterdir()) == []


def test_an_unknown_kind_is_a_usage_error(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["new", "cnn", "x"])
    assert exit_.value.code == 2
    assert "invalid choice" in capsys.readouterr().err
    assert list(in_tmp.iterdir()) == []


def test_the_file_gets_the_usual_permissions(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    umask = os.umask(0o022)
    try:
        assert run(capsys, "new", "dense", "perm")[0] == 0
    finally:
        os.umask(umask)
    assert (in_tmp / "perm.yaml").stat().st_mode & 0o777 == 0o644


def test_new_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["new", "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "never overwritten" in out
    for kind in STARTERS:
        assert kind in out


@pytest.mark.parametrize("argv", [("new", "dense", "quick"), ("schema",)])
def test_authoring_commands_import_neither_sympy_nor_textual(
    tmp_path: Path, argv: tuple[str, ...]
) -> None:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "stepper", *argv],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    modules = {
        line.rsplit("|", 1)[1].strip()
        for line in result.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    assert "stepper.scaffold" in modules
    assert not {m for m in modules if m.split(".")[0] in ("sympy", "textual")}
