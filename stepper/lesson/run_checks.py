"""The rules of ``training.runs`` that a schema cannot state.

Each run's id prefixes its steps' keys, so two runs may not share one, and ``check`` (the
prefix of the check phase) is not an id. A run trains, so every sample needs its target, and a
learning rate must come from the run or from ``training``. In a lesson with runs every step
key starts with a run's id: a note keyed as in a lesson without runs (``w[1,1,0]``) would
never be shown. Like the other dense checks these read the plain data.
"""

from __future__ import annotations

from typing import Any

from stepper.lesson.errors import msg

#: The prefix of the check phase's keys, which a run's id would make ambiguous.
RESERVED = frozenset({"check"})


def runs_of(training: Any) -> list[Any] | None:
    """The list of runs the data give, or None when there is none (or it is not a list)."""
    runs = training.get("runs") if isinstance(training, dict) else None
    return runs if isinstance(runs, list) and runs else None


def run_ids(training: Any) -> list[str]:
    """The ids of the runs, as far as they are text."""
    runs = runs_of(training) or []
    ids = [r["id"] for r in runs if isinstance(r, dict) and isinstance(r.get("id"), str)]
    return list(dict.fromkeys(ids))


def check_runs(training: dict[str, Any], has_targets: bool, found: list[Any]) -> None:
    """Ids unique and not reserved; targets on every sample; a learning rate for each run."""
    from stepper.lesson.checks import Found

    runs = runs_of(training)
    if runs is None:
        return
    samples = training.get("samples")
    untargeted = [
        k
        for k, s in enumerate(samples if isinstance(samples, list) else [], 1)
        if isinstance(s, dict) and s.get("y") is None
    ]
    if untargeted:
        found.append(Found(("training", "runs"), msg("runs.targets", k=untargeted[0]), on_key=True))
    seen: dict[str, int] = {}
    rate = training.get("learning_rate")
    for k, run in enumerate(runs):
        if not isinstance(run, dict):
            continue
        ident = run.get("id")
        if isinstance(ident, str):
            if ident in RESERVED:
                found.append(
                    Found(("training", "runs", k, "id"), msg("runs.reserved", ident=ident))
                )
            elif ident in seen:
                found.append(
                    Found(
                        ("training", "runs", k, "id"),
                        msg("runs.same_id", first=seen[ident] + 1, second=k + 1, ident=ident),
                    )
                )
            else:
                seen[ident] = k
        if has_targets and rate is None and run.get("learning_rate") is None:
            found.append(
                Found(
                    ("training", "runs", k),
                    msg("runs.rate", run=ident if isinstance(ident, str) else k + 1),
                    missing="learning_rate",
                )
            )


def note_key(key: str, ids: list[str]) -> tuple[str | None, str]:
    """A note's key in a lesson with runs ``ids``: the message when it names no run, else
    None and the key without the run's prefix."""
    head, dot, rest = key.partition(".")
    if not dot or "[" in head:
        return msg("runs.note_prefix", key=key, ids=", ".join(ids)), key
    if head not in ids:
        return msg("runs.note_run", key=key, run=head, ids=", ".join(ids)), key
    return None, rest
