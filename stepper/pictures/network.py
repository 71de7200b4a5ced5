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

from rich.cells import cell_len

from stepper.i18n import label
from stepper.numbers import given, pretty
from stepper.pictures.blocks import (
    BLANK,
    Block,
    Piece,
    crop,
    extent,
    hjoin,
    line,
    vstack,
    window,
)
from stepper.pictures.network_neuron import (
    WEIGHT_ROWS,
    Layout,
    elided_neurons,
    header,
    measure,
    neuron,
)
from stepper.pictures.network_state import Position, gaps, pick, sub
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
_COLUMN_GAP = 2


def network_scene(
    solution: Solution,
    revealed: int,
    current: int | None,
    lang: str,
    width: int,
    *,
    rows: int | None = None,
) -> Scene:
    """The network of ``solution`` with ``steps[:revealed]`` written in, ``current`` highlighted.

    ``current`` is the index in ``solution.steps`` of the step being computed, or None (the
    title screen, a printed page). The scene is ``width`` columns wide at most; a lesson
    with no dense network gives an empty scene. Without ``rows`` it aims at ``ROW_BUDGET``
    rows and may take ``ROW_SLACK`` more; with ``rows`` (the room a screen has) it takes at
    most that many, and when no layout fits, it shows the rows around the current step's
    neuron or synapse (the top rows when there is none), as a window scrolled to it.
    """
    net = solution.network
    if net is None or not net.layers or not solution.steps or width <= 0:
        return Scene(max(width, 0), 0, title=solution.title)
    slack = ROW_SLACK if rows is None else 0
    rows = ROW_BUDGET if rows is None else max(1, rows)
    pos = Position.build(solution, net, revealed, current, lang)
    layout = Layout(pos, rows)
    best: _Plan | None = None
    for weight_rows in (WEIGHT_ROWS, WEIGHT_ROWS - 1):  # fewer synapse rows if too tall
        layout.weight_rows = weight_rows
        for build, spaced in (
            (_horizontal, True),
            (_horizontal, False),
            (_stacked, True),
            (_stacked, False),
        ):
            plan = build(layout, width, spaced)
            if plan is not None and (best is None or plan.key(rows, slack) > best.key(rows, slack)):
                best = plan
            done = best is not None and best.complete and best.rows <= rows
            if build is _horizontal and done:
                break
        if best is not None and best.rows <= rows:
            break
    if best is None:  # narrower than any layout: the narrowest one, cropped
        best = _stacked(layout, 10**6, False, line=width)
        assert best is not None
    items = crop(best.block.items, width)
    height = best.block.height
    if height > rows + slack:
        items, height = _scrolled(items, height, rows)
    return Scene(width, height, tuple(items), title=solution.title)


def _scrolled(items: list[Item], height: int, rows: int) -> tuple[list[Item], int]:
    """At most ``rows`` rows of the picture: those around what the current step computes (its
    neuron, its synapse), as centred on it as they can be, or the top ones when nothing is
    current; a neuron the edge would cut through is left out whole, not drawn in part."""
    lit = [int(i.y) for i in items if isinstance(i, Label) and i.role == Role.CURRENT]
    first, last = (min(lit), max(lit)) if lit else (0, 0)
    top = first - max(0, rows - (last - first + 1)) // 2 if lit else 0
    top = max(0, min(top, height - rows))
    bottom = top + rows - 1
    spans = [(int(min(y for _, y in w.points)), int(max(y for _, y in w.points))) for w in items
             if isinstance(w, Wire)]  # fmt: skip
    cut = [hi for lo, hi in spans if lo < top <= hi]
    if cut and max(cut) < first:
        top = max(cut) + 1
    cut = [lo for lo, hi in spans if lo <= bottom < hi]
    if cut and min(cut) > max(last, top):
        bottom = min(cut) - 1
    return window(items, top, bottom - top + 1), bottom - top + 1


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
    return replace(scene, width=min(scene.width, extent(scene.items)))  # centred on the page


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


# --- layouts -----------------------------------------------------------------------------------


@dataclass(slots=True)
class _Plan:
    block: Block
    rows: int  # without the blank rows added only because there was room
    shown: int
    complete: bool
    horizontal: bool
    spaced: bool

    def key(self, budget: int, slack: int) -> tuple[bool, bool, int, bool, int, bool]:
        """Within the rows; more neurons; side by side; fewer rows; with spaces."""
        rows = self.rows
        return (
            rows <= budget + slack,
            rows <= budget,
            self.shown,
            self.horizontal,
            -rows,
            self.spaced,
        )


def _choose(pos: Position, layer: int, count: int) -> list[int | None]:
    size = pos.net.layers[layer - 1].size
    own = pos.own.get(f"n{layer}", ())
    return pick(range(1, size + 1), count, pos.focus.get(f"n{layer}", ()), False, own)


def _alpha(pos: Position) -> Piece | None:
    """The learning rate α, beside the inputs, for the lessons that train."""
    q = pos.alpha
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
            scaled = pos.scaled("x", j) if j else None
            if scaled is not None:
                out.append(pos.sample_slot(scaled, f"x′{sub(j)}"))
            else:
                out.append(_input(pos, j, x[j - 1] if j else 1.0))
    return out


def _input(pos: Position, j: int, value: float) -> Piece:
    """Input x_j of the current sample: as given, or, when an input-phase step of this sample
    computes it (a one-hot entry), as a computed slot: its value once revealed, ? while it is
    being computed, its symbol alone before."""
    key, sym = f"x[{j}]", f"x{sub(j)}"
    mine = [k for k in pos.index.positions(key) if pos.solution.steps[k].sample == pos.sample]
    if not mine:
        return pos.given_slot(key, sym, value)
    step = pos.solution.steps[mine[0]]
    if mine[0] < pos.revealed:
        return Piece(f"{sym}{pos.eq}{pretty(step.shown)}", pos.role(key), key)
    if step is pos.step:
        return Piece(f"{sym}{pos.eq}?", Role.CURRENT, key)
    return Piece(sym, Role.PENDING, key)


def _inputs_width(pos: Position, picked: Sequence[int | None]) -> int:
    """The widest these inputs are written in any sample, so that a batch does not shift."""
    width = 0
    for j in picked:
        if j is not None:
            values = [1.0] if j == 0 else [x[j - 1] for x in pos.net.samples]
            widest = max(cell_len(pretty(given(v))) for v in values)
            width = max(width, cell_len(f"x{sub(j)}{pos.eq}") + widest)
            scaled = pos.scaled("x", j) if j else None
            if scaled is not None:
                width = max(width, pos.slot_width(scaled, f"x′{sub(j)}"))
    return width


def _column_rows(neurons: Sequence[int | None], height: int, gap: int) -> int:
    return 1 + sum(height if i is not None else 1 for i in neurons) + gap * (len(neurons) - 1)


def _horizontal(layout: Layout, width: int, spaced: bool) -> _Plan | None:
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
    first = vstack([line([(0, p)]) for p in column])
    blocks = [Block(width_x, first.height, first.items)]
    draws = []
    total = width_x
    for layer in range(1, len(net.layers) + 1):
        size = net.layers[layer - 1].size
        height = measure(layout, layer, [1]).height
        gap = 1 if 1 + size * height + size - 1 <= budget else 0
        count = min(size, budget)  # each neuron takes a row at least
        neurons = _choose(pos, layer, count)
        while count > 1 and _column_rows(neurons, height, gap) > budget:
            count -= 1
            neurons = _choose(pos, layer, count)
        draw = measure(layout, layer, neurons)
        draws.append((draw, gap))
        total += _COLUMN_GAP + draw.width
        if total > width:
            return None
    shown = 0
    for draw, gap in draws:
        size = net.layers[draw.layer - 1].size
        top = header(pos, draw.layer, draw.out_at)
        parts = [top]
        counts = iter(gaps(range(1, size + 1), draw.neurons))
        for k, i in enumerate(draw.neurons):
            if k and gap:
                parts.append(BLANK)
            if i is None:
                parts.append(elided_neurons(pos, next(counts), draw.junction + 1))
            else:
                parts.append(neuron(pos, draw, i))
                shown += 1
        column_block = vstack(parts)
        blocks.append(Block(max(draw.width, top.width), column_block.height, column_block.items))
    block = hjoin(blocks, _COLUMN_GAP)
    if block.width > width:
        return None
    complete = shown == sum(layer.size for layer in net.layers)
    return _Plan(block, block.height, shown, complete, True, spaced)


def _stacked(layout: Layout, width: int, spaced: bool, *, line: int | None = None) -> _Plan | None:
    """The inputs on one line, then each layer as a band, its neurons side by side; the input
    line fits ``line`` columns when given (the cropped fallback: a value cut at the edge would
    read as another number, α = 10⁻⁸ as "α=1", so what does not fit is elided or left out)."""
    pos = layout.pos
    pos.spaced = spaced
    net = pos.net
    for tight in (False, True):  # each layer's neurons in two rows, or in one and "…"
        shown = 0
        bands: list[Block] = []
        for layer in range(1, len(net.layers) + 1):
            band = _band(layout, layer, width, tight)
            if band is None:
                return None
            bands.append(band[0])
            shown += band[1]
        rows = 1 + sum(b.height for b in bands)
        if rows <= layout.rows:
            break
    parts = [_input_line(pos, line or width)]
    spare = layout.rows - rows
    for band_block in bands:
        if spare > 0:
            parts.append(BLANK)
            spare -= 1
        parts.append(band_block)
    block = vstack(parts)
    if extent(block.items) > width:
        return None
    complete = shown == sum(layer.size for layer in net.layers)
    return _Plan(block, rows, shown, complete, False, spaced)


def _band(layout: Layout, layer: int, width: int, tight: bool) -> tuple[Block, int] | None:
    """One layer under its header, neurons side by side in at most two rows (one when
    ``tight``), or one and "…"."""
    pos = layout.pos
    size = pos.net.layers[layer - 1].size
    probe = measure(layout, layer, list(range(1, min(size, 8) + 1)))
    if probe.width > width:
        return None
    gap = 3 if 2 * probe.width + 3 <= width or size == 1 else 2
    per_row = max(1, (width + gap) // (probe.width + gap))
    neurons: list[int | None] = list(range(1, size + 1))
    count = per_row + 1
    while size > (1 if tight else 2) * per_row:
        neurons = _choose(pos, layer, count)
        counts = iter(gaps(range(1, size + 1), neurons))
        used = sum(
            probe.width if i is not None else len(f"({pos.more(next(counts))})") for i in neurons
        )
        if used + gap * (len(neurons) - 1) <= width or count == 1:
            break
        count -= 1
    draw = measure(layout, layer, neurons)
    counts = iter(gaps(range(1, size + 1), neurons))
    blocks = []
    for i in neurons:
        if i is None:
            more = elided_neurons(pos, next(counts))
            blocks.append(vstack([Block(0, draw.neuron_row, []), more]))
        else:
            blocks.append(neuron(pos, draw, i))
    parts = [header(pos, layer)]
    row: list[Block] = []
    for block in blocks:
        if row and sum(b.width + gap for b in row) + block.width > width:
            parts.append(hjoin(row, gap))
            row = []
        row.append(block)
    parts.append(hjoin(row, gap))
    return vstack(parts), sum(i is not None for i in neurons)


def _input_line(pos: Position, width: int) -> Block:
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
            return line(pieces)
        rows -= 1
