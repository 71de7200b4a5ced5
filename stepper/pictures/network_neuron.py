"""One neuron of the network picture as drawn in class, and the header over its layer.

The synapses fan in to a bracket, the neuron's circle ``(1 tanh)`` sits at its junction with
u above it and δ below, and its output (z₁, ỹ₁ with the wanted y and the error ε) to the right.
A layer's neurons are measured together (``measure``) so that their columns line up.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.cells import cell_len

from stepper.i18n import label
from stepper.notation import Sym
from stepper.numbers import given, pretty
from stepper.pictures.blocks import Block, Piece, line
from stepper.pictures.network_state import Position, gaps, pick, sub
from stepper.pictures.scene import Item, Label, Role, Wire

#: Rows of a neuron's synapses drawn before the list is elided (w₁₀, w₁₁, w₁₂, …, w₁,₇₈₄).
WEIGHT_ROWS = 5


@dataclass(slots=True)
class Layout:
    """The position and the choices the layouts try: spacing and rows of synapses."""

    pos: Position
    rows: int
    weight_rows: int = WEIGHT_ROWS
    #: Layers measured, by what the measure depends on: the layouts tried for one scene ask
    #: for the same few again and again (some 24 times a scene on a 784-32-10 network).
    measured: dict[tuple[int, tuple[int | None, ...], bool, int], Layer] = field(
        default_factory=dict
    )


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
    if shape.dropout is not None and shape.dropout.masked(pos.sample):  # z̃, after the mask
        tilde = Sym(shape.out_letter, (number,), tilde=True)
        slots["drop"] = (f"drop[{layer},{i}]", pos.symbol(f"drop[{layer},{i}]", tilde))
    return slots


def _glyph(pos: Position, layer: int, i: int) -> str:
    """The neuron itself, as the circle of the lecture: (3 lineal), or (2 tanh ✕) when
    dropout switches it off for the sample shown."""
    shape = pos.net.layers[layer - 1]
    mark = " ✕" if _dropped(pos, layer, i) else ""
    return f"({shape.offset + i} {pos.activation(shape.activations[i - 1])}{mark})"


def _dropped(pos: Position, layer: int, i: int) -> bool:
    dropout = pos.net.layers[layer - 1].dropout
    return dropout is not None and dropout.dropped(pos.sample, i)


@dataclass(slots=True)
class Layer:
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


def measure(layout: Layout, layer: int, neurons: list[int | None]) -> Layer:
    """The widths and synapse rows that ``neurons`` of ``layer`` share, so that they line up."""
    key = (layer, tuple(neurons), layout.pos.spaced, layout.weight_rows)
    if key not in layout.measured:
        layout.measured[key] = _measure(layout, layer, neurons)
    return layout.measured[key]


def _measure(layout: Layout, layer: int, neurons: list[int | None]) -> Layer:
    pos = layout.pos
    fan_in = pos.fan_in(layer)
    w_width = g_width = o_width = 0
    synapses: dict[int, list[int | None]] = {}
    o_gap = 1
    for i in neurons:
        if i is None:
            continue
        inputs = range(fan_in + 1)
        limit = layout.weight_rows if fan_in + 1 > WEIGHT_ROWS else fan_in + 1
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
        for slot in ("y", "e", "drop"):
            if slot in slots:
                o_width = max(o_width, pos.slot_width(*slots[slot]))
        t = pos.target_value(i)
        if t is not None and pos.is_last(layer):
            o_width = max(o_width, cell_len(f"y{sub(i)}{pos.eq}{pretty(given(t))}"))
            scaled = pos.scaled("y", i)
            if scaled is not None:
                o_width = max(o_width, pos.slot_width(scaled, f"y′{sub(i)}"))
        if pos.is_last(layer) and ("e" in slots or t is not None):
            o_gap = 2
    return Layer(layer, neurons, synapses, w_width, g_width, o_gap, o_width)


def neuron(pos: Position, draw: Layer, i: int) -> Block:
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
    role = Role.DROPPED if _dropped(pos, layer, i) else Role.PLAIN
    items.append(Label(at, m, glyph, Role.CURRENT if current else role))
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
    return Block(draw.width, draw.height, items)


def _beside_output(
    pos: Position, slots: dict[str, tuple[str, str]], layer: int, i: int, above: bool
) -> Piece | None:
    """At an output: the wanted y above ỹ, the error ε below it; in a hidden layer with
    dropout, z̃ below z."""
    if not pos.is_last(layer):
        return None if above or "drop" not in slots else pos.slot(*slots["drop"])
    if above:
        t = pos.target_value(i)
        scaled = pos.scaled("y", i)
        if t is not None and scaled is not None:
            return pos.sample_slot(scaled, f"y′{sub(i)}")
        return None if t is None else pos.given_slot(f"target[{i}]", f"y{sub(i)}", t)
    return pos.slot(*slots["e"]) if "e" in slots else None


def elided_neurons(pos: Position, count: int, indent: int = 0) -> Block:
    """Neurons left out, drawn as one more circle: (… 30 más)."""
    return line([(indent, Piece(f"({pos.more(count)})", Role.MORE))])


def header(pos: Position, layer: int, right_at: int = 0) -> Block:
    """capa 1 · salidas (capa 1 · congelada for a frozen layer), then z₀ = 1 over a hidden
    layer's outputs, or the loss of the pair."""
    name = label("picture.layer", pos.lang, l=layer)
    if not pos.net.layers[layer - 1].trainable:
        name += " · " + label("picture.frozen", pos.lang)
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
    return line(pieces)
