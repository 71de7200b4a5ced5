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


def render(solution: Solution, options: Options) -> str:
    document = {
        "lesson": {
            "id": solution.lesson_id,
            "title": solution.title,
            "kind": solution.kind,
            "language": solution.language,
        },
        "steps": [step_record(s) for s in solution.steps],
    }
    if options.worksheet:
        for record in document["steps"]:
            for field in ("value", "shown", "substituted", "substituted_text",
                          "substituted_unicode", "exact_value"):
                record[field] = None
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


register(Printer("json", render, description="the solution as JSON (the contract's format)"))
