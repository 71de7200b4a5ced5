"""What the end of a lesson shows: did the update help, what the weights became, the score.

Headless, shared by the app's end screen and ``--plain``'s last lines. ``summarize`` reads
the Solution (and the quiz's Score) and nothing else; ``stepper.ending_text`` lays the summary
out as text for a given width, so both show the same thing:

- the loss before the last update (the last iteration's ``loss`` steps, or ``batch_loss``) and
  after it (the re-forward phase's ``check.`` steps with the new weights);
- the weights old → new, each layer (or kernel) as its matrix: a weight is a quantity the
  lesson gives that a step computes again under its own key (``w[l,i,j]``, ``k[…]``, ``b[…]``);
- the loss over the iterations, when there are several;
- for an optimize lesson, each optimiser's start and end point and f there, and, from several
  starts, at how many different points they ended and which ended lowest;
- for a lesson trained several ways, the runs' final weights and losses side by side;
- for a lesson that only computes forward, what it computed last (the feature maps, the
  outputs), as matrices;
- in a quiz, the score and the steps not right at the first try.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from stepper.i18n import label
from stepper.numbers import given, pretty, shown
from stepper.quiz import Score
from stepper.runs import Compared, compare
from stepper.steps import CHECK, Phase, Solution, Step

#: Which weights come first: the order in which the forward pass reads them.
FORWARD_ORDER = {"k": 0, "b": 1}


@dataclass(frozen=True, slots=True)
class Change:
    """One quantity before and after: a loss, or an optimiser's f."""

    name: str
    before: str
    after: str
    before_value: float
    after_value: float


@dataclass(frozen=True, slots=True)
class Matrix:
    """One layer's weights (or one kernel), old and new, in rows and columns as shown."""

    title: str
    old: tuple[tuple[str, ...], ...]
    new: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class Descent:
    """Where one optimiser of an optimize lesson started and ended, and f on the way."""

    name: str
    start: tuple[str, ...]
    end: tuple[str, ...]
    f: Change
    curve: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class Ends:
    """Where one optimiser ended from each of the lesson's several starts: how many starts,
    at how many different points they ended (as shown, to the lesson's decimals), and the
    start whose run ended lowest with f there. ``optimizer`` names the optimiser when the
    lesson has several, else it is empty."""

    optimizer: str
    starts: int
    points: int
    lowest: str
    f: str


@dataclass(frozen=True, slots=True)
class Missed:
    """A quiz question not answered right at the first try."""

    n: int
    sym: str
    expected: str
    tries: int
    revealed: bool
    right: bool


@dataclass(frozen=True, slots=True)
class GraphEnd:
    """Where one graph of a graph lesson got to: the output before and after the descent step
    and each input it moved (symbol, before, after); without a step, the output's gradient
    with respect to each input (symbol, value). ``title`` names the graph when the lesson
    works two, else it is empty."""

    title: str
    output: Change | None
    inputs: tuple[tuple[str, str, str], ...]
    gradients: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Summary:
    """Everything the end of a lesson shows; empty parts are left out when drawn."""

    losses: tuple[Change, ...]
    weights: tuple[Matrix, ...]
    curve: tuple[float, ...]
    descents: tuple[Descent, ...]
    ends: tuple[Ends, ...]
    results: tuple[Matrix, ...]
    score: tuple[int, int] | None
    missed: tuple[Missed, ...]
    #: A lesson trained several ways: the runs' ends side by side (``stepper.runs``).
    runs: Compared | None = None
    #: A graph lesson: each graph's output and inputs before and after the step.
    graphs: tuple[GraphEnd, ...] = ()


def summarize(solution: Solution, score: Score | None = None) -> Summary:
    """The end of ``solution``; ``score`` in a quiz."""
    weights = _weights(solution)
    descents = _descents(solution)
    return Summary(
        losses=_losses(solution),
        weights=weights,
        curve=_curve(solution),
        descents=descents,
        ends=_ends(solution, descents),
        results=() if weights else _results(solution),
        score=(score.right_first, score.asked) if score is not None else None,
        missed=_missed(solution, score) if score is not None else (),
        runs=compare(solution),
        graphs=_graphs(solution),
    )


def iteration_losses(solution: Solution, prefix: str = "") -> list[tuple[int, float]]:
    """(n, loss) for each iteration: the batch's mean loss when batched, else the mean of its
    samples' losses, with the number of the step after which the whole of it is known.
    ``prefix`` ``check.``: the loss after the last update, as one more iteration."""
    per_iteration: dict[int, list[tuple[int, float]]] = {}
    batch: dict[int, tuple[int, float]] = {}
    for step in solution.steps:
        if step.key == prefix + "loss":
            per_iteration.setdefault(step.iteration, []).append((step.n, step.value))
        elif step.key == prefix + "batch_loss":
            batch[step.iteration] = (step.n, step.value)
    return [
        batch.get(i, (v[-1][0], sum(loss for _, loss in v) / len(v)))
        for i, v in sorted(per_iteration.items())
    ]


def _losses(solution: Solution) -> tuple[Change, ...]:
    """The loss before the last update and after it: the batch's when there is one, else each
    sample's. Nothing when the lesson computes no loss or hides the re-forward phase."""
    steps = solution.steps
    last = max((s.iteration for s in steps), default=0)
    key = "batch_loss" if any(s.key == "batch_loss" for s in steps) else "loss"
    before = [s for s in steps if s.key == key and s.iteration == last]
    after = {s.sample: s for s in steps if s.key == CHECK + key}
    return tuple(
        Change(b.sym.unicode(), b.shown, after[b.sample].shown, b.value, after[b.sample].value)
        for b in before
        if b.sample in after
    )


def _curve(solution: Solution) -> tuple[float, ...]:
    """The loss of every iteration, then after the last update: only when there are several."""
    losses = [loss for _, loss in iteration_losses(solution)]
    after = [loss for _, loss in iteration_losses(solution, CHECK)]
    return tuple(losses + after) if len(losses) > 1 else ()


_INDEXED = re.compile(r"([A-Za-z]+)\[(?:([a-z]),)?([0-9,]+)\]")


def _weights(solution: Solution) -> tuple[Matrix, ...]:
    """Every weight the lesson trains, grouped into matrices by the indices of its key: the
    last two are row and column (``w[l,i,j]``: layer l, neuron i, input j), the others name
    the matrix; a key with one index (``b[k]``) is one row."""
    if solution.optimize is not None:
        return ()
    old: dict[str, tuple[Step, str]] = {}
    new: dict[str, Step] = {}
    for step in solution.steps:
        if step.phase != Phase.UPDATE:  # a weight is computed again only there
            continue
        for q in step.operands:
            if q.key == step.key and q.step is None and step.key not in old:
                old[step.key] = (step, q.shown)
        if step.key in old:
            new[step.key] = step
    groups: dict[tuple[object, ...], dict[tuple[int, int], tuple[str, Step]]] = {}
    for key, (_, before) in old.items():
        match = _INDEXED.fullmatch(key)
        if match is None:
            continue
        name, numbers = match.group(1), [int(i) for i in match.group(3).split(",")]
        gate = (match.group(2),) if match.group(2) else ()  # a recurrent cell's gate
        where = (name, *gate, *numbers[:-2]) if len(numbers) > 1 else (name, *gate)
        row, col = (numbers[-2], numbers[-1]) if len(numbers) > 1 else (0, numbers[0])
        groups.setdefault(where, {})[(row, col)] = (before, new[key])
    # In the order the forward pass reads them: kernels, their biases, then the dense layers;
    # a recurrent cell's gates in its formulas' order, then its output.
    gates = solution.recurrent.gates if solution.recurrent is not None else ()
    order = sorted(
        groups,
        key=lambda where: (
            FORWARD_ORDER.get(str(where[0]), 2),
            gates.index(str(where[1])) if where[1:] and where[1] in gates else len(gates),
            where[1:],
        ),
    )
    return tuple(_matrix(solution, where, groups[where]) for where in order)


def _matrix(
    solution: Solution,
    where: tuple[object, ...],
    cells: dict[tuple[int, int], tuple[str, Step]],
) -> Matrix:
    rows = sorted({r for r, _ in cells})
    cols = sorted({c for _, c in cells})

    def grid(pick: int) -> tuple[tuple[str, ...], ...]:
        return tuple(
            tuple(
                pretty(cell[0] if pick == 0 else cell[1].shown) if cell else ""
                for cell in (cells.get((r, c)) for c in cols)
            )
            for r in rows
        )

    return Matrix(_title(solution, where, [cells[k][1] for k in sorted(cells)]), grid(0), grid(1))


def _title(solution: Solution, where: tuple[object, ...], steps: list[Step]) -> str:
    """``w₁₀ … w₂₂``, after the layer (``Capa 1``) or the kernel's name when there is one."""
    first, last = steps[0].sym.unicode(), steps[-1].sym.unicode()
    title = first if first == last else f"{first} … {last}"
    name = where[0]
    if solution.recurrent is not None:
        gate = str(where[1]) if len(where) > 1 else None
        part = label(f"gate.{gate}" if gate else "end.output", solution.language)
        return f"{part}: {title}"
    if name == "w" and solution.network is not None and len(where) == 2:
        return f"{label('end.layer', solution.language, l=where[1])}: {title}"
    if name in ("k", "conv") and solution.conv is not None and len(where) >= 2:
        kernel = int(str(where[1])) - 1
        if 0 <= kernel < len(solution.conv.names):
            return f"{solution.conv.names[kernel]}: {title}"
    return title


def _results(solution: Solution) -> tuple[Matrix, ...]:
    """For a lesson that trains nothing: the values of the last step's kind (every map of a
    convolution, the last layer's outputs), one matrix per map, values only."""
    if solution.optimize is not None or not solution.steps:
        return ()
    last = _INDEXED.fullmatch(solution.steps[-1].key)
    if last is None:
        return ()
    name, final = last.group(1), [int(i) for i in last.group(3).split(",")]
    maps: dict[tuple[int, ...], dict[tuple[int, int], Step]] = {}
    for step in solution.steps:
        match = _INDEXED.fullmatch(step.key)
        numbers = [int(i) for i in match.group(3).split(",")] if match else []
        if match is None or match.group(1) != name or len(numbers) != len(final) or match.group(2):
            continue
        if len(numbers) == 2 and numbers[0] != final[0]:
            continue  # another layer's outputs
        where, row, col = (
            tuple(numbers[:-2]),
            *((numbers[-2], numbers[-1]) if len(numbers) > 1 else (0, numbers[0])),
        )
        maps.setdefault(where, {})[(row, col)] = step
    out = []
    for where, cells in maps.items():
        rows, cols = sorted({r for r, _ in cells}), sorted({c for _, c in cells})
        grid = tuple(
            tuple(pretty(cells[(r, c)].shown) if (r, c) in cells else "" for c in cols)
            for r in rows
        )
        out.append(Matrix(_title(solution, (name, *where), list(cells.values())), grid, grid))
    return tuple(out)


def _descents(solution: Solution) -> tuple[Descent, ...]:
    """Each optimiser's path: the start, every point it stepped to, and f at each, as the
    lesson's own f steps give it (a lesson that rounds as it goes, as the slides do, computes f
    at the rounded point: the end must say what the last step said), else computed from the
    lesson's function at the point, as the contour plot draws it."""
    shape = solution.optimize
    if shape is None:
        return ()
    out = []
    for optimizer in shape.optimizers:
        points = [optimizer.start]
        by_iteration: dict[int, dict[str, float]] = {}
        f_steps: dict[int, float] = {}
        for step in solution.steps:
            if step.key == optimizer.prefix + "f":
                f_steps[step.iteration] = step.value
            for v in shape.variables:
                if step.key == optimizer.prefix + v:
                    by_iteration.setdefault(step.iteration, {})[v] = step.value
        walked = [
            (iteration, tuple(point[v] for v in shape.variables))
            for iteration, point in sorted(by_iteration.items())
            if len(point) == len(shape.variables)
        ]
        points += [point for _, point in walked]
        iterations = [0] + [iteration for iteration, _ in walked]
        values = [
            f_steps[i] if i in f_steps else shape.function.value(p)
            for i, p in zip(iterations, points, strict=True)
        ]
        decimals = solution.decimals
        f = Change(
            "f",
            shown(values[0], decimals),
            shown(values[-1], decimals),
            values[0],
            values[-1],
        )
        out.append(
            Descent(
                optimizer.title(solution.language) if len(shape.optimizers) > 1 else "",
                tuple(pretty(given(x)) for x in points[0]),
                tuple(pretty(shown(x, decimals)) for x in points[-1]),
                f,
                tuple(values),
            )
        )
    return tuple(out)


def ends(solution: Solution) -> tuple[Ends, ...]:
    """Where each optimiser ended from the lesson's several starts (none with one start)."""
    return _ends(solution, _descents(solution))


def _ends(solution: Solution, descents: tuple[Descent, ...]) -> tuple[Ends, ...]:
    shape = solution.optimize
    if shape is None or len(shape.starts) < 2 or not descents:
        return ()
    runs = shape.optimizers
    per_start = len(runs) // len(shape.starts)  # the runs go start by start
    out = []
    for k in range(per_start):
        mine = [(runs[i], descents[i]) for i in range(k, len(runs), per_start)]
        run, lowest = min(mine, key=lambda pair: pair[1].f.after_value)
        out.append(
            Ends(
                optimizer=replace(run, origin=0).title(solution.language) if run.among else "",
                starts=len(mine),
                points=len({d.end for _, d in mine}),
                lowest=run.start_text(),
                f=pretty(lowest.f.after),
            )
        )
    return tuple(out)


def _graphs(solution: Solution) -> tuple[GraphEnd, ...]:
    """Each graph's end: the output's value before the step (``val[OUT]``) and after it
    (``check.val[OUT]``), each ``new[x]`` beside the x the lesson gives; or each input's
    ``grad[x]`` when there is no step. Two graphs that end alike (as two splits of one
    expression do, up to rounding) are said once."""
    shape = solution.graph
    if shape is None:
        return ()
    from stepper.graph_timeline import by_node, split_title

    given = {q.sym: q.shown for s in solution.steps for q in s.operands if q.step is None}
    out = []
    for run in shape.runs:
        steps = by_node(solution, run)
        inputs = [n for n in run.nodes if n.is_input]
        before = steps.get("val", {}).get(run.output)
        after = steps.get("check", {}).get(run.output)
        output = None
        if before is not None and after is not None:
            name = before.sym.unicode()
            output = Change(name, before.shown, after.shown, before.value, after.value)
        new = steps.get("new", {})
        moved = tuple(
            (n.sym.unicode(), given.get(n.sym, ""), new[n.name].shown)
            for n in inputs
            if n.name in new
        )
        grads = steps.get("grad", {})
        gradients = (
            ()
            if moved
            else tuple(
                (grads[n.name].sym.unicode(), grads[n.name].shown)
                for n in inputs
                if n.name in grads
            )
        )
        title = split_title(run, solution.language)
        out.append(GraphEnd(title[:1].upper() + title[1:], output, moved, gradients))
    if len({replace(end, title="") for end in out}) == 1:  # two graphs, one result: said once
        return (replace(out[0], title=""),)
    return tuple(out)


def _missed(solution: Solution, score: Score) -> tuple[Missed, ...]:
    by_n = {s.n: s for s in solution.steps}
    return tuple(
        Missed(
            n,
            by_n[n].sym.unicode(),
            by_n[n].shown,
            len(record.answers),
            record.revealed,
            record.right,
        )
        for n, record in sorted(score.records.items())
        if n in by_n and not record.right_first and (record.answers or record.revealed)
    )
