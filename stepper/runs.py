"""What every reader of a lesson trained several ways (``training.runs``) shares.

A run's steps are keyed with its id as a prefix (``sgd.w[1,1,0]``). ``view`` gives one run as
the solution of a lesson without runs, its keys without the prefix, so that what reads a dense
lesson (the pictures, the results) reads a run unchanged. ``compare`` sets the runs' ends side
by side: from the lesson's weights, the weights each run reached, its number of updates, and
its mean loss over every sample (its check's): what the end screen, ``--plain`` and every
printed format show.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from stepper.i18n import label
from stepper.notation import Sym
from stepper.numbers import given
from stepper.steps import Phase, Quantity, RunShape, Solution, Step, run_of

#: Weights a comparison lists one by one; a larger network keeps the first and the last.
MOST_WEIGHTS = 12
#: A cell standing for the weights left out.
ELIDED = "…"


def view(solution: Solution, run: RunShape) -> Solution:
    """``run``'s steps alone, keyed as in a lesson without runs (step numbers kept)."""
    return replace(solution, steps=tuple(_bare(s) for s in own_steps(solution, run)), runs=())


def own_steps(solution: Solution, run: RunShape) -> list[Step]:
    """The steps of ``run``, in order."""
    return [s for s in solution.steps if s.key.startswith(run.prefix)]


def _bare(step: Step) -> Step:
    n = len(step.key) - len(step.key.split(".", 1)[1])
    return replace(
        step,
        key=step.key[n:],
        operands=tuple(_bare_quantity(q, step.key[:n]) for q in step.operands),
    )


def _bare_quantity(q: Quantity, prefix: str) -> Quantity:
    return replace(q, key=q.key[len(prefix) :]) if q.key.startswith(prefix) else q


def bare_key(key: str, solution: Solution) -> str:
    """``key`` without its run's prefix (itself in a lesson without runs)."""
    return run_of(key, solution.runs)[1]


@dataclass(frozen=True, slots=True)
class Compared:
    """The runs' ends side by side: one row per run (after the lesson's start), one column
    per quantity: the updates made, each weight, the mean loss over every sample."""

    title: str
    head: tuple[Sym | str, ...]
    side: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    #: What the loss column is: the mean over which samples, with which weights.
    note: str


def compare(solution: Solution) -> Compared | None:
    """The comparison of a lesson's runs; None for a lesson without runs."""
    if not solution.runs:
        return None
    lang = solution.language
    weights = [q for q in solution.given if q.key.startswith("w[")]
    keep = _kept(len(weights))
    head: list[Sym | str] = [label("end.runs.updates", lang)]
    head += [ELIDED if k is None else weights[k].sym for k in keep]
    start = ["", *(ELIDED if k is None else given(weights[k].value) for k in keep), ""]
    rows = [tuple(start)]
    loss_sym: Sym | str = "L"
    for run in solution.runs:
        steps = own_steps(solution, run)
        last: dict[str, Step] = {}
        for step in steps:
            last[step.key[len(run.prefix) :]] = step
        updates = max((s.iteration for s in steps if s.phase is Phase.UPDATE), default=0)
        row = [str(updates)]
        for k in keep:
            if k is None:
                row.append(ELIDED)
                continue
            new = last.get(weights[k].key)
            row.append(new.shown if new is not None else given(weights[k].value))
        loss = last.get("check.batch_loss") or last.get("check.loss")
        if loss is not None:
            loss_sym = replace(loss.sym, sample=None)
        row.append(loss.shown if loss is not None else "")
        rows.append(tuple(row))
    head.append(loss_sym)
    samples = len(solution.network.samples) if solution.network is not None else 0
    return Compared(
        label("end.runs", lang),
        tuple(head),
        (label("end.runs.start", lang), *(run.title for run in solution.runs)),
        tuple(rows),
        label("end.runs.note", lang, loss=cell_text(loss_sym), n=samples),
    )


def cell_text(cell: Sym | str) -> str:
    """A heading cell as text (a symbol in Unicode)."""
    return cell.unicode() if isinstance(cell, Sym) else cell


def _kept(count: int) -> list[int | None]:
    """The weights a comparison lists: all, or the first ones, a gap (None) and the last."""
    if count <= MOST_WEIGHTS:
        return list(range(count))
    return [*range(MOST_WEIGHTS - 2), None, count - 1]
