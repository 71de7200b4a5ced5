"""The machine-readable solution, exactly as the contract lays it out, plus a few extras.

Contract fields: n, key, phase, iteration, sample, formula, substituted, substituted_text,
value, shown, explanation. Extras others may use: ``formula_unicode`` and
``substituted_unicode`` (the app's notation), ``depends_on`` (each quantity the step reads,
with the step that computed it, or null for a given number), ``note`` and ``exact_value``.
"""

from __future__ import annotations

import json
from typing import Any

from stepper import formulas
from stepper.printers import Options, Printer, register
from stepper.steps import Solution, Step


def step_record(step: Step) -> dict[str, Any]:
    """One step as the contract's JSON object."""
    record: dict[str, Any] = {
        "n": step.n,
        "key": step.key,
        "phase": str(step.phase),
        "iteration": step.iteration,
        "sample": step.sample,
        "formula": formulas.formula(step, "latex"),
        "substituted": formulas.substituted(step, "latex"),
        "substituted_text": formulas.substituted(step, "text"),
        "value": step.value,
        "shown": step.shown,
        "explanation": step.explanation,
        "formula_unicode": formulas.formula(step, "unicode"),
        "substituted_unicode": formulas.substituted(step, "unicode"),
        "depends_on": [{"key": q.key, "n": q.step} for q in step.reads],
    }
    if step.note:
        record["note"] = step.note
    if step.exact is not None:
        record["exact_value"] = step.exact
    return record


_ANSWERS = (
    "value",
    "shown",
    "substituted",
    "substituted_text",
    "substituted_unicode",
    "exact_value",
)


def render(solution: Solution, options: Options) -> str:
    """The whole document, one step a line: diffable, and fast (json's C encoder per step)."""
    lesson = {
        "id": solution.lesson_id,
        "title": solution.title,
        "kind": solution.kind,
        "language": solution.language,
    }
    lines = []
    for step in solution.steps:
        record = step_record(step)
        if options.worksheet:
            record.update(dict.fromkeys(_ANSWERS))
        lines.append(json.dumps(record, ensure_ascii=False))
    if options.variant:
        lesson["variant"] = options.variant
    head = json.dumps(lesson, ensure_ascii=False)
    return '{"lesson": ' + head + ',\n "steps": [\n  ' + ",\n  ".join(lines) + "\n ]}\n"


def render_many(documents: list[tuple[Solution, Options]]) -> str:
    """Several solutions (an exam's variants): one JSON document per line of a JSON list."""
    return "[\n" + ",\n".join(render(s, o).rstrip() for s, o in documents) + "\n]\n"


register(
    Printer(
        "json",
        render,
        description="the solution as JSON (the contract's format)",
        render_many=render_many,
    )
)
