"""The lesson's data and results as every printed format shows them: built once from the
Solution, so that the PDF, the HTML, the LaTeX and the Markdown list the same numbers under
the same names.

The data is every number the lesson gives, in the lecture's shapes: the samples x and targets
y as a table, each layer's weights as its matrix W (row i the neuron, column j the input, 0 the
bias; a one-neuron layer is the lecture's vector t), the image and the kernels as grids, the
biases, the dense head's weights, and for an optimize lesson the starting point and then each
optimiser's own parameters (α, β, ρ, ε, t) and starting state under its name, never one list
in which two α's cannot be told apart. The results follow the same shapes: the new W of each
layer, the maps, the new kernels.

A printer writes a ``Table`` as a grid with its headings (``head`` over the columns, ``side``
before the rows, ``corner`` where they meet), or, when it has no headings and its rows are
symbol–value pairs, as such pairs. Very large matrices (a 784-input layer) keep their first
and last rows and columns, with ``ELIDED`` between.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from stepper.i18n import label
from stepper.notation import Sym
from stepper.numbers import given
from stepper.printers.optimize import PARAMETERS
from stepper.steps import Phase, Quantity, Solution, Step, run_of

#: A cell standing for the rows or columns left out of a large matrix.
ELIDED = "…"
#: Matrices print whole up to this many rows and columns; a larger one keeps its first ones
#: and its last.
LIMIT = 12

Cell = Sym | str


@dataclass(frozen=True, slots=True)
class Table:
    """A titled table: a matrix of shown numbers under its headings, or symbol–value pairs.

    ``head`` labels the columns and ``side`` the rows (both empty for pairs); ``corner`` is
    what the matrix is called (w, t, x, k), written where the headings meet."""

    title: str
    rows: tuple[tuple[Cell, ...], ...]
    head: tuple[Cell, ...] = ()
    side: tuple[Cell, ...] = ()
    corner: Cell = ""
    #: The printed picture shows these very numbers as a grid (the image and the kernels of a
    #: conv lesson): the PDF and the HTML, read as pages, do not set them twice; the LaTeX and
    #: Markdown sources keep them as matrices an instructor edits.
    drawn: bool = False

    @property
    def pairs(self) -> bool:
        """Whether the rows are symbol–value pairs (ỹ₁ 0.29) rather than a matrix."""
        return not self.head and all(len(r) == 2 and isinstance(r[0], Sym) for r in self.rows)


@dataclass(frozen=True, slots=True)
class Given:
    """One group of the lesson's data: the whole lesson's (``title`` None) or one optimiser's,
    its single numbers as symbol and shown value, then its matrices."""

    title: str | None
    values: tuple[tuple[Sym, str], ...]
    tables: tuple[Table, ...] = ()
    #: How to read the matrices (which index is the row), said once.
    note: str | None = None
    #: Formulas the lesson gives (a graph's nodes), each written as the step that computes
    #: it writes its formula (e = a·b).
    formulas: tuple[Step, ...] = ()


_EXPONENT = re.compile(r"^(-?[\d.]+)e(-?\d+)$")


def latex_number(shown: str) -> str:
    """A given number in LaTeX, as the lecture writes it: ε = 1·10⁻¹⁰, not 1e-10."""
    found = _EXPONENT.match(shown)
    if found is None:
        return shown
    mantissa, exponent = found.groups()
    power = f"10^{{{int(exponent)}}}"
    return power if mantissa == "1" else rf"{mantissa} \cdot {power}"


# -- building blocks ---------------------------------------------------------------------------


def _kept(count: int) -> list[int | None]:
    """The positions of ``count`` rows (or columns) a printed matrix keeps; None is the gap."""
    if count <= LIMIT:
        return list(range(count))
    return [*range(LIMIT - 2), None, count - 1]


def grid(
    title: str,
    cells: Mapping[tuple[int, int], str],
    corner: Cell = "",
    labels: bool = True,
) -> Table:
    """The matrix of ``cells`` by (row, column) as the indices name them, with those indices as
    headings (``labels``); a missing cell is empty, large matrices lose their middle."""
    rows = sorted({r for r, _ in cells})
    cols = sorted({c for _, c in cells})
    keep_r = [rows[k] if k is not None else None for k in _kept(len(rows))]
    keep_c = [cols[k] if k is not None else None for k in _kept(len(cols))]
    body = tuple(
        tuple(ELIDED if r is None or c is None else cells.get((r, c), "") for c in keep_c)
        for r in keep_r
    )
    if not labels:
        return Table(title, body)
    head = tuple(ELIDED if c is None else str(c) for c in keep_c)
    side = tuple(ELIDED if r is None else str(r) for r in keep_r)
    return Table(title, body, head, side, corner)


def givens(solution: Solution) -> dict[str, Quantity]:
    """Every number the lesson gives, by key, as the steps first read it."""
    found = {q.key: q for q in solution.given}
    for step in solution.steps:
        for q in step.operands:
            if q.step is None:
                found.setdefault(q.key, q)
    return found


_WEIGHT = re.compile(r"^w\[(\d+),(\d+),(\d+)\]$")


def _weights(
    solution: Solution, found: Iterable[tuple[str, Sym, str]], title: Callable[[int], str]
) -> list[Table]:
    """One matrix per layer of the weights among ``found`` (key, symbol, shown), as the
    forward pass reads it: row i gives the net input uᵢ, column j multiplies the input that
    the heading names (x₀ = 1, the bias, first)."""
    layers: dict[int, dict[tuple[int, int], str]] = {}
    letters: dict[int, str] = {}
    for key, sym, shown in found:
        match = _WEIGHT.match(key)
        if match is None or len(sym.indices) != 2:
            continue
        layer = int(match.group(1))
        layers.setdefault(layer, {})[sym.indices[0], sym.indices[1]] = shown
        letters[layer] = sym.letter
    if not layers:
        return []
    rows, cols = _headings(solution, layers)
    tables = []
    net = solution.network
    for layer in sorted(layers):
        if layer == 1 and net is not None and net.of:
            tables.append(_lookup(title(layer), layers[layer], net.of, rows, Sym(letters[layer])))
            continue
        table = grid(title(layer), layers[layer], Sym(letters[layer]))
        side = tuple(rows.get((layer, h), h) if isinstance(h, str) else h for h in table.side)
        head = tuple(
            cols.get((layer, h), _input(layer, h)) if isinstance(h, str) else h for h in table.head
        )
        tables.append(Table(table.title, table.rows, head, side, table.corner))
    return tables


def _lookup(
    title: str,
    cells: Mapping[tuple[int, int], str],
    of: Sequence[str],
    rows: Mapping[tuple[int, str], Sym],
    corner: Sym,
) -> Table:
    """The first layer of a lesson whose inputs are categories, as its lookup table: a row
    per input (x₀, the biases', then one per category, with its name and id), a column per
    neuron. Whole, however many categories: it is what the learner looks an id up in."""
    neurons = sorted({i for i, _ in cells})
    head: list[Cell] = [Sym("x"), Sym("id")]
    head += [rows.get((1, str(i)), Sym("u", (i,))) for i in neurons]
    body = [("", "", *(cells.get((i, 0), "") for i in neurons))]
    body += [
        (name, str(j - 1), *(cells.get((i, j), "") for i in neurons))
        for j, name in enumerate(of, 1)
    ]
    side = tuple(Sym("x", (j,)) for j in range(len(of) + 1))
    return Table(title, tuple(body), tuple(head), side, corner)


def _input(layer: int, heading: str) -> Sym | str:
    """A column no forward step names: in the first layer it multiplies input x_j all the
    same (a one-hot input reads only its own column, so a category no sample has is never
    read); elsewhere the bare index."""
    return Sym("x", (int(heading),)) if layer == 1 and heading.isdigit() else heading


def _headings(
    solution: Solution, layers: Mapping[int, Mapping[tuple[int, int], str]]
) -> tuple[dict[tuple[int, str], Sym], dict[tuple[int, str], Sym]]:
    """What each row and column of the weight matrices stands for, as the forward pass reads
    it: the step a row's weights feed (u₁), the input a column's weights multiply (x₂, p₁₁).
    Keyed by layer and the index as the matrix heads it."""
    rows: dict[tuple[int, str], Sym] = {}
    cols: dict[tuple[int, str], Sym] = {}
    wanted = sum(len({i for i, _ in cells}) for cells in layers.values())
    for step in solution.steps:
        if step.phase != Phase.FORWARD:
            continue
        operands = step.operands
        for k, q in enumerate(operands[:-1]):
            match = _WEIGHT.match(q.key)
            if match is None:
                continue
            layer = int(match.group(1))
            if len(q.sym.indices) == 2:
                rows.setdefault((layer, str(q.sym.indices[0])), step.sym)
                cols.setdefault((layer, str(q.sym.indices[1])), operands[k + 1].sym)
        if len(rows) >= wanted:
            break
    return rows, cols


def _is_bias_input(key: str) -> bool:
    """x₀ = 1 and the like: the constant that feeds the biases, said by column 0's heading."""
    return re.fullmatch(r"(x|f)\[0\]|y\[\d+,0\]", key) is not None


# -- the data ----------------------------------------------------------------------------------


def build_data(solution: Solution) -> tuple[Given, ...]:
    """What the lesson gives, in the lecture's shapes; the same for a worksheet (it is the
    problem) as for a solution."""
    if solution.optimize is not None:
        return _optimize(solution)
    if solution.recurrent is not None:
        from stepper.printers.recurrent_data import recurrent_data

        return recurrent_data(solution)
    if solution.graph is not None:
        from stepper.printers.graph_data import graph_data

        return graph_data(solution)
    found = givens(solution)
    tables: list[Table] = []
    used: set[str] = set()
    lang = solution.language
    net, conv = solution.network, solution.conv
    if net is not None and net.samples:
        tables.append(_samples(solution))
        used |= {k for k in found if k == "id" or k.startswith(("x[", "target[", "j["))}
    if conv is not None:
        tables += _image(solution)
        tables += _kernels(solution)
        used |= {k for k in found if k.startswith(("x[", "k["))}
    weights = [(k, q.sym, q.shown) for k, q in found.items() if _WEIGHT.match(k)]
    head = conv is not None
    tables += _weights(
        solution, weights, lambda l: label("data.head" if head else "data.weights", lang, l=l)
    )
    used |= {k for k, _, _ in weights}
    if solution.runs:  # each run's own numbers (its α) are in the table of the runs
        from stepper.printers.runs import runs_table

        tables.append(runs_table(solution))
        used |= {k for k in found if run_of(k, solution.runs)[0] is not None}
    values = tuple(
        (q.sym, q.shown) for k, q in found.items() if k not in used and not _is_bias_input(k)
    )
    if not values and not tables:
        return ()
    note = None
    if weights:
        note = label("data.head.note" if head else "data.weights.note", lang)
        if net is not None and net.of:
            note += " " + label("data.lookup.note", lang)
    return (Given(None, values, tuple(tables), note),)


def is_number(cell: str) -> bool:
    """Whether a text cell is a shown number (a category's name is not, even "inf")."""
    try:
        float(cell.replace(",", ".").replace("−", "-"))
    except ValueError:
        return False
    return any(c.isdigit() for c in cell) and "_" not in cell


def _samples(solution: Solution) -> Table:
    """The samples, one row each: x₁ … x_N, then y₁ … y_M when some sample has a target. A
    sample that gives a category has it under x and its id beside it, its one-hot vector
    being for the steps to compute."""
    net = solution.network
    assert net is not None
    outputs = max((len(t) for t in net.targets if t is not None), default=0)
    names = net.categories or (None,) * len(net.samples)
    xs = _kept(net.inputs) if None in names else []
    ys = _kept(outputs)
    head: list[Cell] = [Sym("x"), Sym("id")] if net.categories else []
    head += [ELIDED if j is None else Sym("x", (j + 1,)) for j in xs]
    head += [ELIDED if i is None else Sym("y", (i + 1,)) for i in ys]
    rows = []
    for p, x in enumerate(net.samples):
        y = net.targets[p] if p < len(net.targets) else None
        name = names[p]
        row: list[Cell] = []
        if net.categories:
            row += [name[0], str(name[1])] if name else ["", ""]
        row += ["" if name else ELIDED if j is None else given(x[j]) for j in xs]
        row += ["" if y is None else ELIDED if i is None else given(y[i]) for i in ys]
        rows.append(tuple(row))
    lang = solution.language
    side = tuple(str(p) for p in range(1, len(rows) + 1))
    return Table(
        label("pdf.samples", lang), tuple(rows), tuple(head), side, label("doc.pair", lang)
    )


def _image(solution: Solution) -> list[Table]:
    conv = solution.conv
    assert conv is not None
    lang = solution.language
    tables = []
    for c, channel in enumerate(conv.image, 1):
        cells = {
            (r, col): given(v) for r, row in enumerate(channel, 1) for col, v in enumerate(row, 1)
        }
        title = (
            label("data.image", lang, c=c) if len(conv.image) > 1 else label("data.image.one", lang)
        )
        tables.append(replace(grid(title, cells, labels=False), drawn=True))
    return tables


def _kernels(solution: Solution) -> list[Table]:
    conv = solution.conv
    assert conv is not None
    lang = solution.language
    tables = []
    for k, (kernel, name) in enumerate(zip(conv.kernels, conv.names, strict=True), 1):
        for c, channel in enumerate(kernel, 1):
            cells = {
                (r, col): given(v)
                for r, row in enumerate(channel, 1)
                for col, v in enumerate(row, 1)
            }
            if len(kernel) > 1:
                title = label("data.kernel.channel", lang, k=k, name=name, c=c)
            else:
                title = label("data.kernel", lang, k=k, name=name)
            tables.append(replace(grid(title, cells, labels=False), drawn=True))
    return tables


#: The order an optimiser's parameters are listed in: the learning rate first, as the lecture.


def _optimize(solution: Solution) -> tuple[Given, ...]:
    """The starting point once, then each optimiser under its name: its parameters (what no
    step updates: α, β, ρ, ε, Adam's first t) and the state it starts from (v, G, E[g²], m).
    From several starts, each run (an optimiser from one start) lists its own start first."""
    shape = solution.optimize
    assert shape is not None
    lang = solution.language
    found = givens(solution)
    updated = {s.key for s in solution.steps if s.relation == "→"}
    start: dict[str, tuple[Sym, str]] = {}
    groups = []
    for opt in shape.optimizers:
        params: list[tuple[str, Sym, str]] = []  # name, symbol, shown
        state: list[tuple[Sym, str]] = []
        for key, q in found.items():
            if not key.startswith(opt.prefix) or (not opt.prefix and "." in key):
                continue
            name = key[len(opt.prefix) :]
            at = shape.variables.index(name) if name in shape.variables else -1
            if at >= 0 and q.shown == given(opt.start[at]):
                if len(shape.starts) == 1:  # one start, listed once for every optimiser
                    start.setdefault(name, (q.sym, q.shown))
                else:  # several: each run's own, first in its list
                    params.append(("", q.sym, q.shown))
                continue
            if key in updated:
                state.append((q.sym, q.shown))
            else:
                params.append((name, q.sym, q.shown))
        params.sort(key=lambda p: -1 if not p[0] else _place(p[0]))
        if params or state:
            values = tuple((sym, shown) for _, sym, shown in params)
            groups.append(Given(opt.title(lang), values + tuple(state)))
    common = tuple(start[v] for v in shape.variables if v in start)
    if len(groups) == 1 and groups[0].title is not None and len(shape.optimizers) == 1:
        # One optimiser: its name is the lesson's; one list, the point first.
        return (Given(None, common + groups[0].values),)
    return ((Given(None, common),) if common else ()) + tuple(groups)


def _place(name: str) -> int:
    """Where a parameter is listed: in the order of ``PARAMETERS``, anything else after."""
    return PARAMETERS.index(name) if name in PARAMETERS else len(PARAMETERS)


# -- the results -------------------------------------------------------------------------------

_MAP = re.compile(r"^(conv|relu|pool)\[(\d+),(\d+),(\d+)\]$")
_KERNEL = re.compile(r"^k\[(\d+),(\d+),(\d+),(\d+)\]$")
_BIAS = re.compile(r"^b\[\d+\]$")


def build_results(solution: Solution) -> tuple[Table, ...]:
    """The tables after the steps: each map a grid; the updated weights as each layer's new
    W, the new kernels as grids, the new biases as pairs (the last value of each); a
    recurrent lesson's states through time and its gates' new weights."""
    if solution.recurrent is not None:
        from stepper.printers.recurrent_data import recurrent_results

        return recurrent_results(solution)
    if solution.graph is not None:
        from stepper.printers.graph_data import graph_results

        return graph_results(solution)
    lang = solution.language
    tables: list[Table] = []
    maps: dict[tuple[str, int], dict[tuple[int, int], str]] = {}
    latest: dict[str, Step] = {}
    for step in solution.steps:
        found = _MAP.match(step.key)
        if found:
            name, k, r, c = found.group(1), *map(int, found.groups()[1:])
            maps.setdefault((name, k), {})[(r, c)] = step.shown
        elif step.relation == "→" and step.key[:2] in ("w[", "k[", "b["):
            latest[step.key] = step
    for (name, k), cells in maps.items():
        tables.append(grid(label(f"table.{name}", lang, k=k), cells, labels=False))
    tables += _new_kernels(solution, latest.values())
    weights = [(s.key, s.sym, s.shown) for s in latest.values()]
    head = solution.conv is not None
    tables += _weights(
        solution,
        weights,
        lambda l: label("data.head.new" if head else "data.weights.new", lang, l=l),
    )
    biases = tuple((s.sym, s.shown) for s in latest.values() if _BIAS.match(s.key))
    if biases:
        tables.append(Table(label("table.new", lang), biases))
    if solution.runs:
        from stepper.printers.runs import compared_table

        tables += [t for t in (compared_table(solution),) if t is not None]
    return tuple(tables)


def _new_kernels(solution: Solution, steps: Iterable[Step]) -> list[Table]:
    """Each updated kernel (each channel of it) as a grid of its new weights."""
    kernels: dict[tuple[int, int], dict[tuple[int, int], str]] = {}
    for step in steps:
        found = _KERNEL.match(step.key)
        if found:
            k, c, r, col = map(int, found.groups())
            kernels.setdefault((k, c), {})[r, col] = step.shown
    lang = solution.language
    channels = len(solution.conv.image) if solution.conv is not None else 1
    tables = []
    for (k, c), cells in sorted(kernels.items()):
        if channels > 1:
            title = label("data.kernel.new.channel", lang, k=k, c=c)
        else:
            title = label("data.kernel.new", lang, k=k)
        tables.append(grid(title, cells, labels=False))
    return tables
