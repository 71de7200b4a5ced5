"""The lesson guide, docs/lessons.md, documents the whole format: every field of every model,
every lesson kind, every step key the built-in lessons make, the formats and commands; and its
YAML examples are valid."""

from __future__ import annotations

import re
import typing
from pathlib import Path

import pytest
from pydantic import BaseModel

from stepper.cli import build_parser
from stepper.lesson.errors import LessonError
from stepper.lesson.load import lesson_from_text
from stepper.lesson.schema import MODELS, Lesson
from stepper.lesson.yamlsafe import parse
from stepper.printers import REGISTRY
from stepper.steps import Solution, run_of

GUIDE = Path(__file__).parent.parent / "docs" / "lessons.md"


@pytest.fixture(scope="module")
def guide() -> str:
    return GUIDE.read_text(encoding="utf-8")


def _models_in(annotation: object) -> list[type[BaseModel]]:
    """Every pydantic model inside a field's annotation (list[Layer] -> [Layer])."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]


def all_fields() -> dict[str, set[str]]:
    """Every field name of the format, from every lesson model down (field -> its models)."""
    seen: set[type[BaseModel]] = set()
    todo: list[type[BaseModel]] = list(MODELS)
    out: dict[str, set[str]] = {}
    while todo:
        model = todo.pop()
        if model in seen:
            continue
        seen.add(model)
        for name, info in model.model_fields.items():
            out.setdefault(name, set()).add(model.__name__)
            todo += _models_in(info.annotation)
    return out


def documented(guide: str, name: str) -> bool:
    """``name`` appears as a code span (`name`, `name: ...`) or in a heading."""
    span = re.search(rf"`{re.escape(name)}(:[^`]*)?`", guide)
    heading = re.search(rf"^#+ .*\b{re.escape(name)}\b", guide, re.MULTILINE)
    return bool(span or heading)


def test_the_field_walk_finds_the_nested_models() -> None:
    fields = all_fields()
    for name in ("decimals", "x", "kernel_size", "min", "saturate", "bias"):
        assert name in fields


def test_every_field_is_documented(guide: str) -> None:
    missing = {name: sorted(models) for name, models in all_fields().items()}
    missing = {n: m for n, m in missing.items() if not documented(guide, n)}
    assert not missing, f"fields missing from docs/lessons.md: {missing}"


def test_every_kind_has_its_section(guide: str) -> None:
    for model in typing.get_args(Lesson):
        (kind,) = typing.get_args(model.model_fields["kind"].annotation)
        assert re.search(rf"^## kind: {kind}$", guide, re.MULTILINE), kind


def _prefix(key: str, solution: Solution) -> str:
    """u[1,2] -> u; in an optimize lesson with several optimisers, adam.m[x] -> m; in a
    lesson trained several ways, sgd.check.u[1,1] -> check.u (``RUN.KEY`` is documented); in
    a graph worked at two granularities, operations.val[n3] -> val (``SPLIT.KEY`` is)."""
    if solution.kind == "optimize":
        key = re.sub(r"^[A-Za-z][A-Za-z0-9_-]*\.", "", key)
    if solution.graph is not None:
        key = key.removeprefix(solution.graph.run_of(key).prefix)
    key = run_of(key, solution.runs)[1]
    return key.split("[", 1)[0]


def test_every_step_key_is_documented(guide: str, builtin: dict[str, Solution]) -> None:
    prefixes = {
        (_prefix(step.key, solution), solution.kind)
        for solution in builtin.values()
        for step in solution.steps
    }
    assert {"u", "dw", "conv", "dk", "pool_values"} <= {p for p, _ in prefixes}
    missing = sorted(
        (p, kind)
        for p, kind in prefixes
        if not re.search(rf"`{re.escape(p)}(\[[^`\]]*\])?`", guide)
    )
    assert not missing, f"step keys missing from docs/lessons.md: {missing}"


def test_every_optimizer_state_key_is_documented(guide: str) -> None:
    from stepper.lesson.formula import STATE_KEYS

    for name, keys in STATE_KEYS.items():
        assert f"`{name}`" in guide
        for key in keys:
            assert f"`{key}[x]`" in guide, key


def test_formats_commands_and_editor_header_are_documented(guide: str) -> None:
    for name in REGISTRY:
        assert f"`{name}`" in guide, name
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for command in sub.choices:  # type: ignore[union-attr]
        assert f"stepper {command}" in guide, command
    for text in (
        "# yaml-language-server: $schema=stepper-lesson.schema.json",
        "stepper schema > stepper-lesson.schema.json",
        "--worksheet=all",
        "--variants",
        "--seed",
        "--variant ID",
        "PATH:LINE:COL: message",
        "Δw = 2αxδ",
        "½",
        "half_sse",
        "10⁶",
        "## Resumen en español",
    ):
        assert text in guide, text


def _yaml_blocks(guide: str) -> list[str]:
    return re.findall(r"^```yaml\n(.*?)^```$", guide, re.MULTILINE | re.DOTALL)


def test_yaml_examples_parse_and_whole_lessons_pass_check(guide: str) -> None:
    """A fragment must be YAML; a block that is a whole lesson (a network and its training, an
    image, logits, a shape or a function) must pass ``stepper check``."""
    blocks = _yaml_blocks(guide)
    assert len(blocks) > 10
    whole = 0
    for n, block in enumerate(blocks):
        if all(not line.strip() or line.lstrip().startswith("#") for line in block.splitlines()):
            continue  # only comments: the editor header
        data, _, problems = parse(f"block {n}", block)
        assert not problems, (block, problems)
        keys = set(data) if isinstance(data, dict) else set()
        if {"network", "training"} <= keys or {"image", "logits", "shape", "function"} & keys:
            whole += 1
            try:
                lesson_from_text(block, f"docs/lessons.md block {n}")
            except LessonError as exc:
                pytest.fail(f"{exc}\n{block}")
    assert whole >= 5


def test_the_readme_names_every_built_in_lesson() -> None:
    """README's list of built-in ids, the first thing a newcomer reads, is the whole list: a
    lesson that lands without it is one nobody finds."""
    from stepper.catalog import builtin_ids

    readme = (GUIDE.parent.parent / "README.md").read_text(encoding="utf-8")
    start = readme.index("`LESSON` is a built-in id")
    listed = set(re.findall(r"`([a-z]+-\d+)`", readme[start : readme.index("the path of", start)]))
    assert listed == set(builtin_ids())
