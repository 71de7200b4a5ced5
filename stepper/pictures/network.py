"""The network as drawn in class, laid out once: inputs, neurons and weighted synapses, with values.

``network_scene`` turns a solved dense lesson and a position in it (how many steps are
revealed, which one is being computed) into a ``Scene``: the inputs with x₀ = 1, each layer's
neurons with their activation, the weights on the synapses that enter them, and every value
already revealed beside its node. The neuron being computed and the quantities it reads carry
their roles; weights updated in this iteration replace the old ones, written with → for =.

Layers stand side by side when they fit the width, one under another when they do not, and
long layers are elided with "… N más/more"; the picture aims to keep within ``rows`` rows.
The same scene is drawn in the terminal, in SVG, TikZ and typst; a printed document draws
the position with everything revealed (``print_scene``), or nothing for a worksheet.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from rich.cells import cell_len, set_cell_size

from stepper.i18n import label
from stepper.notation import Sym
from stepper.numbers import given, pretty
from stepper.pictures.network_state import Piece, Position, gaps, pick, sub
from stepper.pictures.scene import Item, Label, Role, Scene, Wire
from stepper.steps import Phase, Solution

#: Rows the picture aims to stay within (an 80×24 terminal leaves it about 10–12).
ROW_BUDGET = 12
#: Rows it may take beyond the budget when a network cannot be drawn in fewer.
ROW_SLACK = 2
#: Columns of a printed picture at most (a printer shrinks its font if they do not fit).
PRINT_WIDTH = 100
#: Rows of a printed picture: a page has room for more neurons than a terminal.
PRINT_ROWS = 30
#: Rows of a neuron's synapses drawn before the list is elided (w₁₀, w₁₁, w₁₂, …, w₁,₇₈₄).
_WEIGHT_ROWS = 5
_COLUMN_GAP = 2


def network_scene(
    solution: Solution,
    revealed: int,
    current: int | None,
    lang: str,
    width: int,
    *,
    rows: int = ROW_BUDGET,
) -> Scene:
    """The network of ``solution`` with ``steps[:revealed]`` written in, ``current`` highlighted.

    ``current`` is the index in ``solution.steps`` of the step being computed, or None (the
    title screen, a printed page). The scene is ``width`` columns wide at most; a lesson
    with no dense network gives an empty scene.
    """
    net = solution.network
    if net is None or not net.layers or not solution.steps or width <= 0:
        return Scene(max(width, 0), 0, title=solution.title)
    pos = Position.build(solution, net, revealed, current, lang)
    layout = _Layout(pos, rows)
    best: _Plan | None = None
    for weight_rows in (_WEIGHT_ROWS, _WEIGHT_ROWS - 1):  # fewer synapse rows if too tall
        layout.weight_rows = weight_rows
        for build, spaced in (
            (_horizontal, True),
            (_horizontal, False),
            (_stacked, True),
            (_stacked, False),
        ):
            plan = build(layout, width, spaced)
            if plan is not None and (best is None or plan.key(rows) > best.key(rows)):
                best = plan
            done = best is not None and best.complete and best.rows <= rows
            if build is _horizontal and done:
                break
        if best is not None and best.rows <= rows:
            break
    if best is None:  # narrower than any layout: the narrowest one, cropped
        best = _stacked(layout, 10**6, False)
        assert best is not None
    items = _crop(best.block.items, width)
    return Scene(width, best.block.height, tuple(items), title=solution.title)


def print_scene(solution: Solution, lang: str, *, worksheet: bool = False) -> Scene:
    """The network for a printed document, as wide as a page: on a worksheet nothing revealed
    (no answer may appear there); else every value up to the first update of the weights, so
    that the weights drawn are the lesson's own (the data the document gives) and every value
    beside a node was computed from them. The updated weights are in the result tables."""
    revealed = 0
    if not worksheet:
        steps = solution.steps
        revealed = next((k for k, s in enumerate(steps) if s.phase is Phase.UPDATE), len(steps))
    scene = network_scene(solution, revealed, None, lang, PRINT_WIDTH, rows=PRINT_ROWS)
    return replace(scene, width=min(scene.width, _extent(scene.items)))  # centred on the page


def weights_shown(scene: Scene, solution: Solution, layer: int) -> bool:
    """Whether ``scene`` writes every weight of ``layer`` (a printer lists the others)."""
    net = solution.network
    if net is None or not 1 <= layer <= len(net.layers):
        return False
    fan_in = net.inputs if layer == 1 else net.layers[layer - 2].size
    keys = {label.key for label in scene.labels()}
    return all(
        f"w[{layer},{i},{j}]" in keys
        for i in range(1, net.layers[layer - 1].size + 1)
        for j in range(fan_in + 1)
    )


# --- blocks: items laid out relative to a corner -----------------------------------------------


@dataclass(slots=True)
class _Block:
    """Items in a rectangle ``width`` × ``height`` whose top-left cell is (0, 0)."""

    width: int
    height: int
    items: list[Item]


def _moved(item: Item, dx: int, dy: int) -> Item:
    """The item ``dx`` columns right and ``dy`` rows down (built directly: this is hot)."""
    if isinstance(item, Label):
        return Label(item.x + dx, item.y + dy, item.text, item.role, item.series, item.key)
    if isinstance(item, Wire):
        points = tuple((x + dx, y + dy) for x, y in item.points)
        return Wire(points, item.role, item.arrow, item.series)
    return replace(item, x=item.x + dx, y=item.y + dy)


def _hjoin(blocks: Sequence[_Block], gap: int) -> _Block:
    """Blocks side by side, ``gap`` columns apart, tops aligned."""
    items: list[Item] = []
    x = 0
    for k, block in enumerate(blocks):
        if k:
            x += gap
        items += [_moved(item, x, 0) for item in block.items]
        x += block.width
    return _Block(x, max((b.height for b in blocks), default=0), items)


def _vstack(blocks: Sequence[_Block]) -> _Block:
    """Blocks one under another, left edges aligned."""
    items: list[Item] = []
    y = 0
    for block in blocks:
        items += [_moved(item, 0, y) for item in block.items]
        y += block.height
    return _Block(max((b.width for b in blocks), default=0), y, items)


def _line(pieces: Sequence[tuple[int, Piece]]) -> _Block:
    """One row of pieces at the given columns."""
    items: list[Item] = [p.at(x, 0) for x, p in pieces if p.text]
    return _Block(max((x + p.width for x, p in pieces), default=0), 1, items)


_BLANK = _Block(0, 1, [])


def _extent(items: Sequence[Item]) -> int:
    """The columns the items reach: a block's width less the room its last column keeps."""
    right = 0
    for item in items:
        if isinstance(item, Label):
            right = max(right, int(item.x) + item.width)
        elif isinstance(item, Wire):
            right = max(right, *(int(x) + 1 for x, _ in item.points))
    return right


def _crop(items: Sequence[Item], width: int) -> list[Item]:
    """The items as far as ``width`` columns: text cut, lines shortened, the rest left out."""
    out: list[Item] = []
    for item in items:
        if isinstance(item, Label):
            room = width - int(item.x)
            if room <= 0:
                continue
            if len(item.text) <= room // 2 or item.width <= room:  # (no cell is wider than 2)
                out.append(item)
            elif text := set_cell_size(item.text, room).rstrip():
                out.append(replace(item, text=text))
        elif isinstance(item, Wire):
            if all(x < width for x, _ in item.points):
                out.append(item)
                continue
            points = tuple((min(x, width - 1), y) for x, y in item.points)
            if len(set(points)) > 1:
                out.append(replace(item, points=points))
        else:
            out.append(item)
    return out


# --- neurons -----------------------------------------------------------------------------------


@dataclass(slots=True)
class _Layout:
    """The position and the choices the layouts try: spacing and rows of synapses."""

    pos: Position
    rows: int
    weight_rows: int = _WEIGHT_ROWS

    @property
    def limit(self) -> int:
        return self.rows + ROW_SLACK


def _neuron_slots(pos: Position, layer: int, i: int) -> dict[str, tuple[str, str]]:
    """The value slots of neuron i of ``layer``: u, output y, δ, ε -> (key, symbol)."""
    shape = pos.net.layers[layer - 1]
    number = shape.offset + i
    last = pos.is_last(layer)
    out = Sym("y", (i,), tilde=True) if last else Sym(shape.out_letter, (number,))
    slots = {
        "u": (f"u[{layer},{i}]", pos.symbol(f"u[{layer},{i}]", Sym("u", (number,)))),
        "y": (f"y[{layer},{i}]", pos.symbol(f"y[{layer},{i}]", out)),
    }
    if pos.exists(f"d[{layer},{i}]"):
        slots["d"] = (f"d[{layer},{i}]", pos.symbol(f"d[{layer},{i}]", Sym("delta", (number,))))
    if last and pos.exists(f"e[{i}]"):
        slots["e"] = (f"e[{i}]", pos.symbol(f"e[{i}]", Sym("eps", (i,))))
    return slots


def _glyph(pos: Position, layer: int, i: int) -> str:
    """The neuron itself, as the circle of the lecture: (3 lineal)."""
    shape = pos.net.layers[layer - 1]
    return f"({shape.offset + i} {pos.activation(shape.activations[i - 1])})"


@dataclass(slots=True)
class _Layer:
    """Some neurons of one layer, measured so that their columns line up."""

    layer: int
    neurons: list[int | None]
    synapses: dict[int, list[int | None]]
    w_width: int
    g_width: int
    o_gap: int
    o_width: int

    @property
    def width(self) -> int:
        return self.w_width + 3 + self.g_width + self.o_gap + self.o_width

    @property
    def junction(self) -> int:
        """The column where the synapses meet."""
        return self.w_width + 2

    @property
    def neuron_row(self) -> int:
        """The row of the neuron's circle: under u, over δ, about the middle of its synapses."""
        n = max((len(s) for s in self.synapses.values()), default=3)
        return max(1, (n - 1) // 2)

    @property
    def height(self) -> int:
        n = max((len(s) for s in self.synapses.values()), default=3)
        return max(n, self.neuron_row + 2)

    @property
    def out_at(self) -> int:
        """The column where the outputs (z, ỹ) start."""
        return self.w_width + 3 + self.g_width + self.o_gap


def _measure(layout: _Layout, layer: int, neurons: list[int | None]) -> _Layer:
    pos = layout.pos
    fan_in = pos.fan_in(layer)
    w_width = g_width = o_width = 0
    synapses: dict[int, list[int | None]] = {}
    o_gap = 1
    for i in neurons:
        if i is None:
            continue
        inputs = range(fan_in + 1)
        limit = layout.weight_rows if fan_in + 1 > _WEIGHT_ROWS else fan_in + 1
        rows = pick(inputs, limit, pos.focus.get(f"w{layer},{i}", ()), True)
        synapses[i] = rows
        for count in gaps(inputs, rows):
            w_width = max(w_width, cell_len(pos.more(count)))
        for j in rows:
            if j is not None:
                w_width = max(w_width, pos.weight_width(layer, i, j))
        slots = _neuron_slots(pos, layer, i)
        g_width = max(g_width, cell_len(_glyph(pos, layer, i)) + 2)
        for slot in ("u", "d"):
            if slot in slots:
                g_width = max(g_width, 1 + pos.slot_width(*slots[slot]))
        for slot in ("y", "e"):
            if slot in slots:
                o_width = max(o_width, pos.slot_width(*slots[slot]))
        t = pos.target_value(i)
        if t is not None and pos.is_last(layer):
            o_width = max(o_width, cell_len(f"y{sub(i)}{pos.eq}{pretty(given(t))}"))
        if pos.is_last(layer) and ("e" in slots or t is not None):
            o_gap = 2
    return _Layer(layer, neurons, synapses, w_width, g_width, o_gap, o_width)


def _neuron(pos: Position, draw: _Layer, i: int) -> _Block:
    """One neuron as drawn in class: synapses fan in, u above, δ below, the output to the right.

    w₁₀ = 0.1  ──╮ u₁ = 0.29
    w₁₁ = −0.2 ──┼─(1 tanh)─── z₁ = 0.28213
    w₁₂ = 0.3  ──╯ γ₁ = 0.32522
    """
    layer = draw.layer
    rows = draw.synapses[i]
    counts = iter(gaps(range(pos.fan_in(layer) + 1), rows))
    n = len(rows)
    m = draw.neuron_row
    bottom = max(n - 1, m)
    joint = draw.junction
    slots = _neuron_slots(pos, layer, i)
    step = pos.step
    current = step is not None and (step.layer, step.neuron) == (layer, i)
    items: list[Item] = []
    for r, j in enumerate(rows):
        if j is not None:
            weight = pos.weight(layer, i, j)
            items.append(weight.at(0, r))
            role = pos.role(f"w[{layer},{i},{j}]")
            items.append(Wire(((weight.width + 0.5, r), (joint, r)), role))
        else:  # the synapses left out, drawn dotted
            more = pos.more(next(counts))
            items.append(Label(0, r, more, Role.MORE))
            items.append(Wire(((joint - 1, r), (joint, r)), Role.MORE))
            dots = joint - 1 - cell_len(more)
            if dots > 0:
                items.append(Label(cell_len(more) + 1, r, "┄" * dots, Role.MORE))
    # The bracket after the synapses, so that its junctions keep their plain style.
    items.append(Wire(((joint, 0), (joint, bottom))))
    glyph = _glyph(pos, layer, i)
    at = joint + 2
    # Wires end on the glyph's edges (drawn under it), so that print joins them to the text.
    items.append(Wire(((joint, m), (at - 0.5, m))))
    items.append(Label(at, m, glyph, Role.CURRENT if current else Role.PLAIN))
    end = at + cell_len(glyph)
    if draw.out_at - 2 >= end:
        items.append(Wire(((end - 0.5, m), (draw.out_at - 2, m))))
    items.append(pos.slot(*slots["y"]).at(draw.out_at, m))
    for r, slot in ((m - 1, "u"), (m + 1, "d")):
        if slot in slots:
            items.append(pos.slot(*slots[slot]).at(at, r))
        beside = _beside_output(pos, slots, layer, i, above=r < m)
        if beside is not None:
            items.append(beside.at(draw.out_at, r))
    return _Block(draw.width, draw.height, items)


def _beside_output(
    pos: Position, slots: dict[str, tuple[str, str]], layer: int, i: int, above: bool
) -> Piece | None:
    """At an output: the wanted y above ỹ, the error ε below it."""
    if not pos.is_last(layer):
        return None
    if above:
        t = pos.target_value(i)
        return None if t is None else pos.given_slot(f"target[{i}]", f"y{sub(i)}", t)
    return pos.slot(*slots["e"]) if "e" in slots else None


def _elided_neurons(pos: Position, count: int, indent: int = 0) -> _Block:
    """Neurons left out, drawn as one more circle: (… 30 más)."""
    return _line([(indent, Piece(f"({pos.more(count)})", Role.MORE))])


def _header(pos: Position, layer: int, right_at: int = 0) -> _Block:
    """capa 1 · salidas, then z₀ = 1 over a hidden layer's outputs, or the loss of the pair."""
    name = label("picture.layer", pos.lang, l=layer)
    if pos.is_last(layer):
        name += " · " + label("picture.outputs", pos.lang)
    pieces = [(0, Piece(name, Role.HEADER))]
    extra: list[Piece] = []
    if not pos.is_last(layer):
        key = f"y[{layer},0]"
        sym = pos.symbol(key, Sym(pos.net.layers[layer - 1].out_letter, (0,)))
        extra.append(pos.given_slot(key, sym, 1.0))
    else:
        for key, fallback in (("loss", Sym("eps2")), ("batch_loss", Sym("Fo"))):
            if pos.exists(key):
                extra.append(pos.slot(key, pos.symbol(key, fallback)))
    end = cell_len(name)
    for k, part in enumerate(extra):
        x = right_at if k == 0 and right_at >= end + 2 else end + 2
        pieces.append((x, part))
        end = x + part.width
    return _line(pieces)


# --- layouts -----------------------------------------------------------------------------------


@dataclass(slots=True)
class _Plan:
    block: _Block
    rows: int  # without the blank rows added only because there was room
    shown: int
    complete: bool
    horizontal: bool
    spaced: bool

    def key(self, budget: int) -> tuple[bool, bool, int, bool, int, bool]:
        """Within the rows; more neurons; side by side; fewer rows; with spaces."""
        rows = self.rows
        return (
            rows <= budget + ROW_SLACK,
            rows <= budget,
            self.shown,
            self.horizontal,
            -rows,
            self.spaced,
        )


def _choose(pos: Position, layer: int, count: int) -> list[int | None]:
    size = pos.net.layers[layer - 1].size
    return pick(range(1, size + 1), count, pos.focus.get(f"n{layer}", ()), False)


def _alpha(pos: Position) -> Piece | None:
    """The learning rate α, beside the inputs, for the lessons that train."""
    q = pos.index.alpha
    return None if q is None else pos.given_slot("alpha", q.sym.unicode(), q.value)


def _sample_note(pos: Position) -> Piece | None:
    """Which pair the inputs are, when the lesson has several."""
    if len(pos.net.samples) <= 1:
        return None
    return Piece(f"({label('sample', pos.lang, s=pos.sample)})", Role.MORE)


def _inputs(pos: Position, picked: Sequence[int | None]) -> list[Piece]:
    """x₀ = 1 and the current sample's inputs; "… N more" where elided."""
    x = pos.net.samples[pos.sample - 1]
    counts = iter(gaps(range(pos.net.inputs + 1), picked))
    out = []
    for j in picked:
        if j is None:
            out.append(Piece(pos.more(next(counts)), Role.MORE))
        else:
            out.append(pos.given_slot(f"x[{j}]", f"x{sub(j)}", x[j - 1] if j else 1.0))
    return out


def _inputs_width(pos: Position, picked: Sequence[int | None]) -> int:
    """The widest these inputs are written in any sample, so that a batch does not shift."""
    width = 0
    for j in picked:
        if j is not None:
            values = [1.0] if j == 0 else [x[j - 1] for x in pos.net.samples]
            widest = max(cell_len(pretty(given(v))) for v in values)
            width = max(width, cell_len(f"x{sub(j)}{pos.eq}") + widest)
    return width


def _column_rows(neurons: Sequence[int | None], height: int, gap: int) -> int:
    return 1 + sum(height if i is not None else 1 for i in neurons) + gap * (len(neurons) - 1)


def _horizontal(layout: _Layout, width: int, spaced: bool) -> _Plan | None:
    """The inputs, then one column per layer left to right, its neurons one under another."""
    pos = layout.pos
    pos.spaced = spaced
    net = pos.net
    budget = layout.rows
    extra = [t for t in (_alpha(pos), _sample_note(pos)) if t is not None]
    rows = budget - 1 - (len(extra) + 1 if extra else 0)
    picked = pick(range(net.inputs + 1), rows, pos.focus.get("x", ()), True)
    column = [Piece(label("picture.inputs", pos.lang), Role.HEADER), *_inputs(pos, picked)]
    if extra:
        column += [Piece(""), *extra]
    width_x = max(_inputs_width(pos, picked), *(p.width for p in column))
    first = _vstack([_line([(0, p)]) for p in column])
    blocks = [_Block(width_x, first.height, first.items)]
    draws = []
    total = width_x
    for layer in range(1, len(net.layers) + 1):
        size = net.layers[layer - 1].size
        height = _measure(layout, layer, [1]).height
        gap = 1 if 1 + size * height + size - 1 <= budget else 0
        count = min(size, budget)  # each neuron takes a row at least
        neurons = _choose(pos, layer, count)
        while count > 1 and _column_rows(neurons, height, gap) > budget:
            count -= 1
            neurons = _choose(pos, layer, count)
        draw = _measure(layout, layer, neurons)
        draws.append((draw, gap))
        total += _COLUMN_GAP + draw.width
        if total > width:
            return None
    shown = 0
    for draw, gap in draws:
        size = net.layers[draw.layer - 1].size
        header = _header(pos, draw.layer, draw.out_at)
        parts = [header]
        counts = iter(gaps(range(1, size + 1), draw.neurons))
        for k, i in enumerate(draw.neurons):
            if k and gap:
                parts.append(_BLANK)
            if i is None:
                parts.append(_elided_neurons(pos, next(counts), draw.junction + 1))
            else:
                parts.append(_neuron(pos, draw, i))
                shown += 1
        column_block = _vstack(parts)
        blocks.append(
            _Block(max(draw.width, header.width), column_block.height, column_block.items)
        )
    block = _hjoin(blocks, _COLUMN_GAP)
    if block.width > width:
        return None
    complete = shown == sum(layer.size for layer in net.layers)
    return _Plan(block, block.height, shown, complete, True, spaced)


def _stacked(layout: _Layout, width: int, spaced: bool) -> _Plan | None:
    """The inputs on one line, then each layer as a band, its neurons side by side."""
    pos = layout.pos
    pos.spaced = spaced
    net = pos.net
    shown = 0
    bands: list[_Block] = []
    for layer in range(1, len(net.layers) + 1):
        band = _band(layout, layer, width)
        if band is None:
            return None
        bands.append(band[0])
        shown += band[1]
    parts = [_input_line(pos, width)]
    rows = 1 + sum(b.height for b in bands)
    spare = layout.rows - rows
    for band_block in bands:
        if spare > 0:
            parts.append(_BLANK)
            spare -= 1
        parts.append(band_block)
    block = _vstack(parts)
    if _extent(block.items) > width:
        return None
    complete = shown == sum(layer.size for layer in net.layers)
    return _Plan(block, rows, shown, complete, False, spaced)


def _band(layout: _Layout, layer: int, width: int) -> tuple[_Block, int] | None:
    """One layer under its header, neurons side by side in at most two rows, or one and "…"."""
    pos = layout.pos
    size = pos.net.layers[layer - 1].size
    probe = _measure(layout, layer, list(range(1, min(size, 8) + 1)))
    if probe.width > width:
        return None
    gap = 3 if 2 * probe.width + 3 <= width or size == 1 else 2
    per_row = max(1, (width + gap) // (probe.width + gap))
    neurons: list[int | None] = list(range(1, size + 1))
    count = per_row + 1
    while size > 2 * per_row:
        neurons = _choose(pos, layer, count)
        counts = iter(gaps(range(1, size + 1), neurons))
        used = sum(
            probe.width if i is not None else len(f"({pos.more(next(counts))})") for i in neurons
        )
        if used + gap * (len(neurons) - 1) <= width or count == 1:
            break
        count -= 1
    draw = _measure(layout, layer, neurons)
    counts = iter(gaps(range(1, size + 1), neurons))
    blocks = []
    for i in neurons:
        if i is None:
            more = _elided_neurons(pos, next(counts))
            blocks.append(_vstack([_Block(0, draw.neuron_row, []), more]))
        else:
            blocks.append(_neuron(pos, draw, i))
    parts = [_header(pos, layer)]
    row: list[_Block] = []
    for block in blocks:
        if row and sum(b.width + gap for b in row) + block.width > width:
            parts.append(_hjoin(row, gap))
            row = []
        row.append(block)
    parts.append(_hjoin(row, gap))
    return _vstack(parts), sum(i is not None for i in neurons)


def _input_line(pos: Position, width: int) -> _Block:
    """entradas  x₀ = 1  x₁ = 0.1  x₂ = 0.7, elided in the middle when too long."""
    head = [(0, Piece(label("picture.inputs", pos.lang), Role.HEADER))]
    end = head[0][1].width
    note = _sample_note(pos)
    if note is not None:
        head.append((end + 1, note))
        end += 1 + note.width
    items = range(pos.net.inputs + 1)
    rows = min(len(items), max(3, width // 6))
    alpha = _alpha(pos)
    while True:
        pieces, x = list(head), end
        for slot in _inputs(pos, pick(items, rows, pos.focus.get("x", ()), True)):
            pieces.append((x + 2, slot))
            x += 2 + slot.width
        if alpha is not None and x + 4 + alpha.width <= width:
            pieces.append((x + 4, alpha))
            x += 4 + alpha.width
        if x <= width or rows <= 3:
            return _line(pieces)
        rows -= 1
