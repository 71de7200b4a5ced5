"""The machine-readable solution, exactly as the contract lays it out, plus a few extras.

Contract fields: n, key, phase, iteration, sample, formula, substituted, substituted_text,
value, shown, explanation. Extras others may use: ``formula_unicode`` and
``substituted_unicode`` (the app's notation), ``depends_on`` (each quantity the step reads,
with the step that computed it, or null for a given number), ``note`` and ``exact_value``.

A worksheet (``--worksheet``) nulls every answer field, and also an explanation that quotes a
computed value ("before the update ε² = 0.78351"); it keeps no note, since a note compares
the lecture's slide with the values ("to more places it is 0.11943").
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from stepper import formulas
from stepper.printers import Options, Printer, register
from stepper.printers.document import answer_numbers, quotes_answer
from stepper.steps import GraphShape, Solution, Step


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


def graph_record(shape: GraphShape, *, worksheet: bool = False) -> dict[str, Any]:
    """A graph lesson's graphs, as a script walking the steps needs them: per graph its
    split, key prefix and output, and every node (inputs first) with what it reads and its
    value (a computed node's is an answer: null on a worksheet)."""
    return {
        "learning_rate": shape.learning_rate,
        "runs": [
            {
                "split": run.split,
                "prefix": run.prefix,
                "output": run.output,
                "nodes": [
                    {
                        "name": node.name,
                        "symbol": node.sym.unicode(),
                        "input": node.is_input,
                        "operands": list(node.operands),
                        "formula": node.formula or None,
                        "op": node.op or None,
                        "value": None if worksheet and not node.is_input else node.value,
                        "trainable": node.trainable,
                    }
                    for node in run.nodes
                ],
            }
            for run in shape.runs
        ],
    }


#: One encoder for every record: ``json.dumps`` with ensure_ascii=False builds a new one per
#: call, which a document of 50,000 steps notices.
_ENCODE = json.JSONEncoder(ensure_ascii=False).encode

_ANSWERS = (
    "value",
    "shown",
    "substituted",
    "substituted_text",
    "substituted_unicode",
    "exact_value",
)


def stream(solution: Solution, options: Options) -> Iterator[str]:
    """The document in pieces, one step a line: diffable, and it never has to sit in memory
    whole (a 28×28 image with 32 kernels makes some 75 MB of JSON)."""
    lesson: dict[str, object] = {
        "id": solution.lesson_id,
        "title": solution.title,
        "kind": solution.kind,
        "language": solution.language,
    }
    if options.variant:
        lesson["variant"] = options.variant
    if solution.runs:  # a lesson trained several ways: each run's id, title, key prefix, settings
        lesson["runs"] = [
            {"id": r.id, "title": r.title, "prefix": r.prefix, "settings": dict(r.settings)}
            for r in solution.runs
        ]
    if solution.graph is not None:
        lesson["graph"] = graph_record(solution.graph, worksheet=options.worksheet)
    yield '{"lesson": ' + json.dumps(lesson, ensure_ascii=False) + ',\n "steps": ['
    answers = answer_numbers(solution) if options.worksheet else frozenset()
    for k, step in enumerate(solution.steps):
        record = step_record(step)
        if options.worksheet:
            _blank(record, answers)
        yield ("\n  " if k == 0 else ",\n  ") + _ENCODE(record)
    yield "\n ]}\n"


def _blank(record: dict[str, Any], answers: frozenset[str]) -> None:
    """A worksheet's record: no answer in any field."""
    record.update(dict.fromkeys(_ANSWERS))
    record.pop("note", None)
    if quotes_answer(record["explanation"], answers):
        record["explanation"] = None


def render(solution: Solution, options: Options) -> str:
    return "".join(stream(solution, options))


def render_many(documents: list[tuple[Solution, Options]]) -> str:
    """Several solutions (an exam's variants): one JSON document per line of a JSON list."""
    return "[\n" + ",\n".join(render(s, o).rstrip() for s, o in documents) + "\n]\n"


register(
    Printer(
        "json",
        render,
        description="the solution as JSON (the contract's format)",
        render_many=render_many,
        stream=stream,
    )
)
