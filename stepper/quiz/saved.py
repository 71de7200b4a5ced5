"""The saved answers of a quiz (``--save FILE``): a file an instructor can grade.

One function writes it, atomically, for every way out of the app and of --plain. Per
question it holds the expected value, every answer with its time stamp, the hints, how each
answer was judged (exact, rounded, follow-through, wrong) and the mistake named; at the top,
the lesson's id and a hash of the worked numbers it asked about, so that files from different
learners can be checked to answer the same lesson. The format is documented in
docs/lessons.md ("Saved quiz answers").
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from stepper.atomic import write_atomic
from stepper.quiz.marking import Score
from stepper.quiz.typed import SIGNIFICANT
from stepper.steps import Solution

#: The format's name and version, first in the file.
FORMAT = "stepper-quiz"
VERSION = 1


def content_hash(solution: Solution) -> str:
    """SHA-256 of the lesson's worked numbers: its id, kind, and each step's key, iteration,
    sample and value in order. Equal for the same lesson in any language; different as soon
    as one number differs (an edited weight, another version of the file)."""
    digest = hashlib.sha256(f"{solution.lesson_id}\n{solution.kind}\n".encode())
    for step in solution.steps:
        digest.update(f"{step.key} {step.iteration} {step.sample} {step.value!r}\n".encode())
    return digest.hexdigest()


def as_json(solution: Solution, score: Score, now: datetime | None = None) -> dict[str, object]:
    """The saved file's content (see docs/lessons.md)."""
    by_n = {s.n: s for s in solution.steps}
    questions = []
    for record in sorted(score.records.values(), key=lambda r: r.n):
        step = by_n.get(record.n)
        if not (record.answers or record.hints or record.revealed):
            continue
        questions.append(
            {
                "n": record.n,
                "key": record.key,
                "symbol": step.sym.unicode() if step else None,
                "iteration": step.iteration if step else None,
                "sample": step.sample if step else None,
                "expected": step.value if step else None,
                "shown": step.shown if step else None,
                "answers": [asdict(a) for a in record.answers],
                "hints": record.hints,
                "hinted_at": record.hinted_at,
                "revealed": record.revealed,
                "revealed_at": record.revealed_at,
                "right": record.right,
                "right_first": record.right_first,
                "judged": record.answers[-1].judged if record.answers else None,
            }
        )
    return {
        "format": FORMAT,
        "version": VERSION,
        "lesson": {
            "id": solution.lesson_id,
            "title": solution.title,
            "kind": solution.kind,
            "language": solution.language,
            "sha256": content_hash(solution),
        },
        "saved_at": (now or datetime.now(UTC)).isoformat(timespec="seconds"),
        "rule": {"significant_digits": SIGNIFICANT, "decimals": solution.decimals},
        "steps": len(solution.steps),
        "asked": score.asked,
        "right": score.right,
        "right_first_try": score.right_first,
        "revealed": sum(1 for r in score.records.values() if r.revealed),
        "questions": questions,
    }


def write_answers(path: str | Path, solution: Solution, score: Score) -> None:
    """Write the saved file at ``path`` atomically (a reader never sees half of it)."""
    text = json.dumps(as_json(solution, score), ensure_ascii=False, indent=2) + "\n"
    write_atomic(str(path), text)
