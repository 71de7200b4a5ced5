"""The lesson's picture as inline SVG, hand-written: no library, no external reference.

A dense lesson is drawn as the lecture draws it: the inputs x₀ = 1, x₁ … x_N as circles on the
left, each layer's neurons as circles with their running number and activation, a hidden
layer's bias node (z₀ = 1) above its neurons, and every synapse as a line with its initial
weight written along it (w₁₂ = 0.3, t₃₁ = 0.5, as ``solution.given`` names them); a layer with
more than ``LABELLED`` synapses drawn keeps its lines bare (the HTML printer lists its weights
in a table), as forty labels on forty crossing lines cannot be read. A conv
lesson shows the image as a grid of its numbers, the kernels as small grids beside it, and the
sizes of the maps they give (left out of a worksheet, where they are the learner's to find).

Only given numbers are ever written, so the picture fits a worksheet as well as a solution.
Columns of more than ``MAX_NODES`` neurons (and grids of more than ``MAX_CELLS`` rows or
columns) are elided in the middle ("… N más"). The output has no ``xmlns``: it is meant to be
inlined in HTML5, where the parser puts ``<svg>`` in the SVG namespace by itself.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

from stepper.i18n import label
from stepper.notation import Sym
from stepper.numbers import given, pretty
from stepper.printers.document import decimal_comma
from stepper.steps import ConvShape, NetworkShape, Quantity, Solution

#: Neurons (or inputs besides x₀) drawn per column before the middle ones are elided.
MAX_NODES = 6
#: Rows or columns of a grid drawn before the middle ones are elided.
MAX_CELLS = 10
#: Synapses into a layer up to which each carries its weight written along it.
LABELLED = 16
#: How much larger than its coordinates the picture is shown (it shrinks to fit the page).
SCALE = 1.3

#: Latin Modern Math carries the Greek letters that Latin Modern Roman lacks.
FONT = (
    "'Latin Modern Roman', 'Latin Modern Math', 'STIX Two Text', 'Cambria', 'DejaVu Serif', "
    "Georgia, serif"
)
INK = "#111"
LINE = "#555"
LIGHT = "#777"

_ACTIVATIONS: dict[str, dict[str, str]] = {
    "es": {"linear": "lineal", "identity": "lineal", "sigmoid": "sigmoide", "relu": "ReLU"},
    "en": {"identity": "linear", "relu": "ReLU"},
}
#: Words of the conv picture that ``stepper.i18n`` does not hold.
_WORDS: dict[str, dict[str, str]] = {
    "es": {
        "image": "imagen",
        "channel": "canal {c}",
        "kernel": "kernel {k}",
        "map": "mapa {k}",
        "map.one": "mapa",
        "maps": "{n} mapas",
        "stride": "paso s = {s}",
        "pool.max": "max-pooling {f}×{f}, paso {s}",
        "pool.average": "pooling medio {f}×{f}, paso {s}",
        "classes": "capa densa y softmax: {n} clases",
    },
    "en": {
        "image": "image",
        "channel": "channel {c}",
        "kernel": "kernel {k}",
        "map": "map {k}",
        "map.one": "map",
        "maps": "{n} maps",
        "stride": "stride s = {s}",
        "pool.max": "max pooling {f}×{f}, stride {s}",
        "pool.average": "average pooling {f}×{f}, stride {s}",
        "classes": "dense layer and softmax: {n} classes",
    },
}


def picture(solution: Solution, *, comma: bool = False, worksheet: bool = False) -> str:
    """The picture of ``solution`` as an ``<svg>`` element, or "" when there is nothing to draw.

    ``comma`` writes decimal commas; ``worksheet`` leaves out what the learner computes (the
    sizes of the maps).
    """
    lang = solution.language
    if solution.network is not None and solution.network.layers:
        return network_svg(solution.network, solution.given, lang, comma=comma)
    if solution.conv is not None:
        return conv_svg(solution.conv, lang, comma=comma, worksheet=worksheet)
    return ""


# --- small SVG writers -------------------------------------------------------------------------


def _num(value: float) -> str:
    """A coordinate: short, and never ``-0``."""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@dataclass(frozen=True, slots=True)
class _Font:
    size: float = 13
    anchor: str = "middle"
    italic: bool = False
    bold: bool = False
    fill: str = INK
    halo: bool = False


def _text(x: float, y: float, content: str, font: _Font = _Font(), rotate: float = 0) -> str:
    attrs = [f'x="{_num(x)}"', f'y="{_num(y)}"', f'font-size="{_num(font.size)}"']
    if font.anchor != "start":
        attrs.append(f'text-anchor="{font.anchor}"')
    if font.italic:
        attrs.append('font-style="italic"')
    if font.bold:
        attrs.append('font-weight="bold"')
    if font.fill != INK:
        attrs.append(f'fill="{font.fill}"')
    if rotate:
        attrs.append(f'transform="rotate({_num(rotate)} {_num(x)} {_num(y)})"')
    if font.halo:
        attrs.append('stroke="#fff" stroke-width="4" stroke-linejoin="round" paint-order="stroke"')
    return f"<text {' '.join(attrs)}>{escape(content, quote=False)}</text>"


def _line(
    x1: float, y1: float, x2: float, y2: float, *, stroke: str = LINE, width: float = 1
) -> str:
    return (
        f'<line x1="{_num(x1)}" y1="{_num(y1)}" x2="{_num(x2)}" y2="{_num(y2)}" '
        f'stroke="{stroke}" stroke-width="{_num(width)}"/>'
    )


def _circle(x: float, y: float, r: float, width: float = 1.4) -> str:
    return (
        f'<circle cx="{_num(x)}" cy="{_num(y)}" r="{_num(r)}" fill="#fff" '
        f'stroke="{INK}" stroke-width="{_num(width)}"/>'
    )


def _rect(x: float, y: float, w: float, h: float, *, stroke: str = INK, width: float = 1) -> str:
    return (
        f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(w)}" height="{_num(h)}" fill="none" '
        f'stroke="{stroke}" stroke-width="{_num(width)}"/>'
    )


def _arrow(x1: float, y: float, x2: float) -> str:
    """A horizontal arrow from x1 to x2."""
    return _line(x1, y, x2 - 2, y, stroke=INK, width=1.2) + (
        f'<path d="M{_num(x2)} {_num(y)} l-8 -4 v8 z" fill="{INK}"/>'
    )


def _svg(width: float, height: float, body: list[str], title: str) -> str:
    w, h = math.ceil(width), math.ceil(height)
    return (
        f'<svg class="picture" viewBox="0 0 {w} {h}" width="{math.ceil(w * SCALE)}" '
        f'height="{math.ceil(h * SCALE)}" role="img" font-family="{escape(FONT)}" '
        f'fill="{INK}"><title>{escape(title, quote=False)}</title>{"".join(body)}</svg>'
    )


def _width(text: str, size: float) -> float:
    """About how wide ``text`` is at ``size``, in Latin Modern Roman (measured in Chromium;
    a little generous, so that labels placed by it do not touch)."""
    return size * 1.04 * sum(_EM.get(ch, 0.74 if ch.isupper() else 0.5) for ch in text)


#: Advance widths (in em) of the characters that are not about half an em wide.
_EM: dict[str, float] = {
    **dict.fromkeys("₀₁₂₃₄₅₆₇₈₉⁽⁾⁰¹²³⁴⁵⁶⁷⁸⁹", 0.4),
    **dict.fromkeys(".,:;'!|il", 0.28),
    **dict.fromkeys("()[]ftrj", 0.36),
    **dict.fromkeys("=+−×→<>", 0.78),
    **dict.fromkeys("mwMW", 0.85),
    " ": 0.333,
    "…": 1.0,
}


def _shown(value: float, comma: bool) -> str:
    text = pretty(given(value))
    return decimal_comma(text) if comma else text


def _pick(count: int, limit: int) -> list[int | None]:
    """Indices 0..count-1 to draw; None stands for the elided middle."""
    if count <= limit:
        return list(range(count))
    return [*range(limit - 2), None, count - 1]


# --- geometry for placing labels ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Seg:
    """A segment; with ``r``, the capsule it sweeps (a label's or a node's footprint)."""

    x1: float
    y1: float
    x2: float
    y2: float
    r: float = 0.0


def _point_distance(px: float, py: float, s: _Seg) -> float:
    dx, dy = s.x2 - s.x1, s.y2 - s.y1
    length = dx * dx + dy * dy
    t = 0.0 if length == 0 else ((px - s.x1) * dx + (py - s.y1) * dy) / length
    t = max(0.0, min(1.0, t))
    return math.hypot(px - (s.x1 + t * dx), py - (s.y1 + t * dy))


def _side(s: _Seg, px: float, py: float) -> float:
    return (s.x2 - s.x1) * (py - s.y1) - (s.y2 - s.y1) * (px - s.x1)


def _distance(a: _Seg, b: _Seg) -> float:
    """The distance between the segments of a and b (0 where they cross)."""
    if (
        _side(a, b.x1, b.y1) * _side(a, b.x2, b.y2) < 0
        and _side(b, a.x1, a.y1) * _side(b, a.x2, a.y2) < 0
    ):
        return 0.0
    return min(
        _point_distance(a.x1, a.y1, b),
        _point_distance(a.x2, a.y2, b),
        _point_distance(b.x1, b.y1, a),
        _point_distance(b.x2, b.y2, a),
    )


def _overlap(a: _Seg, b: _Seg) -> float:
    return max(0.0, a.r + b.r - _distance(a, b))


# --- the dense network -------------------------------------------------------------------------

_LABEL = _Font(size=12, halo=True)
_PITCH = 84  # vertical distance between the nodes of a column
_INPUT_R = 21
_NEURON_R = 28
_STUB = 32  # a hidden neuron's output wire, before its synapses fan out
#: Where along a synapse its weight is tried, from the source (0) to the neuron (1).
_ALONG = tuple(k / 40 for k in range(6, 36))


@dataclass(slots=True)
class _Node:
    """A drawn circle (or the "… N more" of an elided run) of one column."""

    x: float
    y: float
    r: float
    index: int | None  # the neuron's (or input's) index; 0 is the bias; None: elided
    hidden: int = 0  # how many an elided run stands for

    @property
    def out_x(self) -> float:
        """Where the synapses leaving this node start."""
        return self.x + self.r


@dataclass(slots=True)
class _Layout:
    columns: list[list[_Node]]
    xs: list[float]
    width: float
    height: float


def _drawn_synapses(net: NetworkShape, layer: int) -> int:
    """How many synapses into ``layer`` are drawn (elided neurons and inputs have none)."""
    fan = net.inputs if layer == 1 else net.layers[layer - 2].size
    size = net.layers[layer - 1].size
    drawn_in = sum(1 for j in _pick(fan, MAX_NODES) if j is not None) + 1  # and the bias
    return drawn_in * sum(1 for i in _pick(size, MAX_NODES) if i is not None)


def labelled(net: NetworkShape, layer: int) -> bool:
    """Whether the picture writes the weights of ``layer`` on its synapses. Past ``LABELLED``
    synapses the labels would bury the lines: the printer gives those weights as a table."""
    return _drawn_synapses(net, layer) <= LABELLED


def _column(count: int, bias: bool) -> list[int | None]:
    """A column's indices: the bias 0 first when it has one, then 1..count, elided if many."""
    picked = [None if i is None else i + 1 for i in _pick(count, MAX_NODES)]
    return ([0] if bias else []) + picked


def _layout(net: NetworkShape) -> _Layout:
    layers = net.layers
    indices = [_column(net.inputs, True)]
    indices += [_column(s.size, k < len(layers) - 1) for k, s in enumerate(layers)]
    rows = max(len(c) for c in indices)
    top = 32.0
    xs = [24.0 + _INPUT_R]
    for k in range(len(layers)):
        synapses = _drawn_synapses(net, k + 1)
        gap = min(400.0, max(270.0, 130 + 14 * synapses)) if synapses <= LABELLED else 220.0
        xs.append(xs[-1] + gap + (_STUB if k else 0))
    columns: list[list[_Node]] = []
    for c, column in enumerate(indices):
        offset = top + (rows - len(column)) * _PITCH / 2
        size = net.inputs if c == 0 else layers[c - 1].size
        shown = sum(1 for i in column if i)
        nodes = []
        for row, index in enumerate(column):
            y = offset + (row + 0.5) * _PITCH
            if index is not None and (c == 0 or index == 0):
                x = xs[c] + (_NEURON_R + _STUB if c else 0)
                nodes.append(_Node(x, y, _INPUT_R, index))
            else:
                nodes.append(_Node(xs[c], y, _NEURON_R, index, size - shown))
        columns.append(nodes)
    width = xs[-1] + _NEURON_R + 84
    return _Layout(columns, xs, width, top + rows * _PITCH + 8)


def network_svg(
    net: NetworkShape, given_weights: Sequence[Quantity], lang: str, *, comma: bool = False
) -> str:
    """The network as the lecture draws it, with the initial weight on every synapse (of the
    layers with at most ``LABELLED`` synapses drawn; see ``labelled``)."""
    layout = _layout(net)
    heads = []
    for c, x in enumerate(layout.xs):
        head = label("picture.layer", lang, l=c) if c else label("picture.inputs", lang)
        if c == len(net.layers):
            head += " · " + label("picture.outputs", lang)
        heads.append(_text(x, 18, head, _Font(size=13, bold=True)))
    lines, labels = _synapses(layout, net, {q.key: q for q in given_weights}, comma)
    nodes = _nodes(layout, net, lang)
    title = ", ".join(
        [f"{label('picture.inputs', lang)}: {net.inputs}"]
        + [f"{label('picture.layer', lang, l=k + 1)}: {s.size}" for k, s in enumerate(net.layers)]
    )
    return _svg(layout.width, layout.height, heads + lines + nodes + labels, title)


def _synapses(
    layout: _Layout, net: NetworkShape, weights: dict[str, Quantity], comma: bool
) -> tuple[list[str], list[str]]:
    """The synapses' lines and their weights' labels."""
    pairs: list[tuple[_Seg, str]] = []
    for layer, shape in enumerate(net.layers, start=1):
        sources = [n for n in layout.columns[layer - 1] if n.index is not None]
        targets = [n for n in layout.columns[layer] if n.index]
        for target in targets:
            for source in sources:
                assert target.index is not None and source.index is not None
                start = source.out_x + (_STUB if layer > 1 and source.index else 0)
                seg = _Seg(start, source.y, target.x - target.r, target.y)
                key = f"w[{layer},{target.index},{source.index}]"
                q = weights.get(key)
                sym = (
                    q.sym
                    if q is not None
                    else Sym(shape.letter, (shape.offset + target.index, source.index))
                )
                value = _shown(q.value, comma) if q is not None else "?"
                pairs.append((seg, f"{sym.unicode()} = {value}" if labelled(net, layer) else ""))
    segments = [seg for seg, _ in pairs]
    placed = [
        _Seg(n.x, n.y, n.x, n.y, n.r + 3) for column in layout.columns for n in column if n.index
    ]
    placed += [
        _Seg(n.x - 30, n.y, n.x + 30, n.y, 9)
        for column in layout.columns
        for n in column
        if n.index is None
    ]
    lines = [_line(s.x1, s.y1, s.x2, s.y2) for s, _ in pairs]
    labels = [_place(text, seg, placed, segments) for seg, text in pairs if text]
    return lines, labels


def _place(text: str, seg: _Seg, placed: list[_Seg], lines: list[_Seg]) -> str:
    """``text`` along ``seg``, just above it, where it covers the fewest other labels, nodes
    and synapses (a label on a crossing of lines is hard to read, and to attribute)."""
    angle = math.atan2(seg.y2 - seg.y1, seg.x2 - seg.x1)
    length = math.hypot(seg.x2 - seg.x1, seg.y2 - seg.y1)
    ux, uy = math.cos(angle), math.sin(angle)
    nx, ny = uy, -ux  # the normal on the upper side
    half = _width(text, _LABEL.size) / 2 + 2
    lift = _LABEL.size * 0.62
    radius = _LABEL.size * 0.55
    best: tuple[float, float, float, _Seg] | None = None
    for t in _ALONG:
        middle = length * t
        if middle - half < 6 or middle + half > length - 6:
            continue
        cx, cy = seg.x1 + ux * middle + nx * lift, seg.y1 + uy * middle + ny * lift
        core = half - radius
        capsule = _Seg(cx - ux * core, cy - uy * core, cx + ux * core, cy + uy * core, radius)
        cost = 50 * sum(_overlap(capsule, other) for other in placed)
        cost += sum(6 for other in lines if other != seg and _distance(capsule, other) < radius)
        cost += abs(t - 0.55) * 4  # all else equal, near the middle
        if best is None or cost < best[0]:
            best = (cost, cx, cy, capsule)
    if best is None:  # too short a synapse for its label: the middle, whatever it covers
        cx = (seg.x1 + seg.x2) / 2 + nx * lift
        cy = (seg.y1 + seg.y2) / 2 + ny * lift
        best = (0.0, cx, cy, _Seg(cx, cy, cx, cy, radius))
    _, cx, cy, capsule = best
    placed.append(capsule)
    drop = _LABEL.size * 0.34  # from the middle of the text down to its baseline
    return _text(cx - nx * drop, cy - ny * drop, text, _LABEL, rotate=math.degrees(angle))


def _nodes(layout: _Layout, net: NetworkShape, lang: str) -> list[str]:
    """The circles: inputs and bias nodes, neurons with their number and activation, and what
    each neuron puts out (z₁ on its wire, or ỹ₁ at an arrow)."""
    names = _ACTIVATIONS.get(lang, _ACTIVATIONS["en"])
    out: list[str] = []
    for c, column in enumerate(layout.columns):
        for n in column:
            if n.index is None:
                more = label("picture.more", lang, n=n.hidden)
                out.append(_text(n.x, n.y + 4, more, _Font(size=12, italic=True, fill=LIGHT)))
            elif c == 0 or n.index == 0:
                letter = "x" if c == 0 else net.layers[c - 1].out_letter
                sym = Sym(letter, (n.index,)).unicode()
                out.append(_circle(n.x, n.y, n.r))
                if n.index == 0:
                    out.append(_text(n.x, n.y + 4.5, f"{sym}=1", _Font(size=12.5)))
                else:
                    out.append(_text(n.x, n.y + 5, sym, _Font(size=15, italic=True)))
            else:
                out += _neuron(n, net, c, names)
    return out


def _neuron(n: _Node, net: NetworkShape, c: int, names: dict[str, str]) -> list[str]:
    assert n.index is not None
    shape = net.layers[c - 1]
    number = shape.offset + n.index
    activation = shape.activations[n.index - 1]
    activation = names.get(activation, activation)
    size = 10.5 if _width(activation, 10.5) < 2 * n.r - 8 else 9.0
    parts = [
        _circle(n.x, n.y, n.r, width=1.6),
        _text(n.x, n.y - 2, str(number), _Font(size=15, bold=True)),
        _text(n.x, n.y + 13, activation, _Font(size=size)),
    ]
    x0 = n.x + n.r
    if c == len(net.layers):
        output = Sym("y", (n.index,), tilde=True).unicode()
        parts.append(_arrow(x0, n.y, x0 + 40))
        parts.append(_text(x0 + 48, n.y + 5, output, _Font(size=16, anchor="start", italic=True)))
    else:
        output = Sym(shape.out_letter, (number,)).unicode()
        parts.append(_line(x0, n.y, x0 + _STUB, n.y, stroke=INK, width=1.2))
        parts.append(f'<circle cx="{_num(x0 + _STUB)}" cy="{_num(n.y)}" r="2.2" fill="{INK}"/>')
        parts.append(
            _text(x0 + _STUB / 2 + 1, n.y - 7, output, _Font(size=14, italic=True, halo=True))
        )
    return parts


# --- the convolution ---------------------------------------------------------------------------


def _word(name: str, lang: str, **fields: object) -> str:
    table = _WORDS.get(lang, _WORDS["en"])
    return table.get(name, _WORDS["en"][name]).format(**fields)


def _grid(
    x: float, y: float, matrix: Sequence[Sequence[float]], cell: float, comma: bool
) -> tuple[list[str], float, float]:
    """A matrix as a grid of numbered cells at (x, y): the parts, the width and the height.

    A large matrix keeps its first and last rows and columns, with ⋯ ⋮ ⋱ for the middle.
    """
    rows = _pick(len(matrix), MAX_CELLS)
    cols = _pick(len(matrix[0]) if matrix else 0, MAX_CELLS)
    font = _Font(size=min(13.0, cell * 0.44))
    parts: list[str] = []
    for r, i in enumerate(rows):
        for c, j in enumerate(cols):
            cx, cy = x + c * cell, y + r * cell
            if i is None or j is None:
                mark = "⋯" if i is not None else "⋮" if j is not None else "⋱"
                parts.append(_text(cx + cell / 2, cy + cell / 2 + 4, mark, font))
                continue
            parts.append(_rect(cx, cy, cell, cell, stroke="#999", width=0.8))
            text = _shown(matrix[i][j], comma)
            parts.append(_text(cx + cell / 2, cy + cell / 2 + font.size * 0.35, text, font))
    width, height = len(cols) * cell, len(rows) * cell
    parts.append(_rect(x, y, width, height, width=1.4))
    return parts, width, height


def _cell_size(matrices: Sequence[Sequence[Sequence[float]]], comma: bool) -> float:
    longest = max((len(_shown(v, comma)) for m in matrices for row in m for v in row), default=1)
    return max(28.0, 7.0 * longest + 12)


@dataclass(slots=True)
class _Block:
    """Part of the conv picture: its SVG, the box it fills, and where its grids start."""

    parts: list[str]
    width: float
    height: float
    rows: list[float] = field(default_factory=list)


#: The width the conv picture aims to stay within (it is shrunk to the page beyond that).
_CONV_WIDTH = 720.0


def conv_svg(conv: ConvShape, lang: str, *, comma: bool = False, worksheet: bool = False) -> str:
    """The image, the kernels beside it, and then the maps' sizes, ReLU, pooling and the dense
    head. Nothing when the lesson has no image (a lesson on sizes alone)."""
    if not conv.image or not conv.image[0] or not conv.image[0][0]:
        return ""
    top, left = 8.0, 16.0
    image = _image(conv, lang, comma, left, top)
    body = list(image.parts)
    right = left + image.width
    bottom = top + image.height
    middle = image.rows[0] + min(len(conv.image[0]), MAX_CELLS) * _cell_size(conv.image, comma) / 2
    if conv.kernels:
        body.append(_text(right + 20, middle + 9, "∗", _Font(size=28)))
        room = _CONV_WIDTH - (right + 42)
        kernels = _kernels(conv, lang, comma, (right + 42, top), (room, image.rows))
        body += kernels.parts
        right += 42 + kernels.width
        bottom = max(bottom, top + kernels.height)
    lines = _after(conv, lang, worksheet)
    if lines:
        widest = max(_width(text, 13) * (1.1 if strong else 1) for text, strong in lines)
        if right + 56 + widest <= _CONV_WIDTH + 40:  # beside, after an arrow
            body.append(_arrow(right + 12, middle, right + 46))
            y = middle - (len(lines) - 1) * 10 + 4
            x = right + 56
            right = x + widest
        else:  # under everything
            y = bottom + 22
            x = left
            right = max(right, x + widest)
        for k, (text, strong) in enumerate(lines):
            body.append(_text(x, y + k * 20, text, _Font(size=13, anchor="start", bold=strong)))
        bottom = max(bottom, y + (len(lines) - 1) * 20 + 8)
    alt = f"{_word('image', lang)} {len(conv.image[0])}×{len(conv.image[0][0])}"
    return _svg(right + 16, bottom + 8, body, alt)


def _image(conv: ConvShape, lang: str, comma: bool, x: float, y: float) -> _Block:
    """The image, one grid per channel, one under another, with its size above."""
    channels = len(conv.image)
    rows, cols = len(conv.image[0]), len(conv.image[0][0])
    cell = _cell_size(conv.image, comma)
    size = f"{rows}×{cols}" + (f"×{channels}" if channels > 1 else "")
    title = f"{_word('image', lang)} {size}"
    parts = [_text(x, y + 12, title, _Font(anchor="start", bold=True))]
    gy, width, starts = y + 20, 0.0, []
    for ch, matrix in enumerate(conv.image):
        if channels > 1:
            name = _word("channel", lang, c=ch + 1)
            parts.append(_text(x, gy + 12, name, _Font(size=12, anchor="start", fill=LIGHT)))
            gy += 16
        starts.append(gy)
        grid, w, h = _grid(x, gy, matrix, cell, comma)
        parts += grid
        width = max(width, w)
        gy += h + 12
    return _Block(parts, max(width, _width(title, 14)), gy - y, starts)


def _kernels(
    conv: ConvShape,
    lang: str,
    comma: bool,
    at: tuple[float, float],
    fit: tuple[float, list[float]],
) -> _Block:
    """Each kernel under its name, symbol, bias and padding, as a column of its channels'
    grids (level with the image's channels); side by side, as many to a row as ``fit`` has
    room for."""
    x, y = at
    room, channel_rows = fit
    channels = len(conv.kernels[0])
    cell = _cell_size([m for kernel in conv.kernels for m in kernel], comma) * 0.9
    side = min(max(len(conv.kernels[0][0]), 1), MAX_CELLS)
    block = max(cell * side, 96.0)
    per_row = max(1, min(len(conv.kernels), int((room + 24) // (block + 24))))
    names = [
        _wrap(conv.names[k] if k < len(conv.names) else _word("kernel", lang, k=k + 1), block + 20)
        for k in range(len(conv.kernels))
    ]
    head = 14 * max(len(n) for n in names) + 22
    if channels > 1:  # each channel level with the image's
        offsets = [r - channel_rows[0] for r in channel_rows]
        tall = channel_rows[-1] - channel_rows[0] + cell * side + head + 24
    else:
        offsets = [0.0]
        tall = head + cell * side + 24
    parts: list[str] = []
    several = len(conv.kernels) > 1
    for k, kernel in enumerate(conv.kernels):
        bx = x + (k % per_row) * (block + 24)
        by = y + (k // per_row) * tall
        for n, line in enumerate(names[k]):
            parts.append(
                _text(bx, by + 12 + 14 * n, line, _Font(size=12, anchor="start", bold=True))
            )
        extra = [Sym("k", sample=k + 1).unicode()] if several else []
        if k < len(conv.biases) and conv.biases[k]:
            extra.append(f"b = {_shown(conv.biases[k], comma)}")
        if k < len(conv.paddings) and conv.paddings[k]:
            extra.append(f"p = {conv.paddings[k]}")
        if extra:
            font = _Font(size=12, anchor="start")
            parts.append(_text(bx, by + head - 6, "   ".join(extra), font))
        grid_top = by + head + (channel_rows[0] - y - head if channels > 1 else 0)
        grid_top = max(grid_top, by + head)
        for ch, matrix in enumerate(kernel):
            grid, _, _ = _grid(bx, grid_top + offsets[ch], matrix, cell, comma)
            parts += grid
    columns = min(len(conv.kernels), per_row)
    rows = -(-len(conv.kernels) // per_row)
    return _Block(parts, columns * block + (columns - 1) * 24, rows * tall)


def _wrap(text: str, width: float, size: float = 12) -> list[str]:
    """``text`` in at most two lines of ``width``, the second shortened with … if need be."""
    if _width(text, size) <= width:
        return [text]
    words = text.split()
    first = ""
    while words and _width(f"{first} {words[0]}".strip(), size) <= width:
        first = f"{first} {words.pop(0)}".strip()
    if not first:  # one long word
        first, words = _clip(words[0], width, size), words[1:]
    rest = " ".join(words)
    return [first, _clip(rest, width, size)] if rest else [first]


def _clip(text: str, width: float, size: float = 12) -> str:
    """``text`` shortened with … to fit ``width``."""
    if _width(text, size) <= width:
        return text
    while text and _width(text + "…", size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _after(conv: ConvShape, lang: str, worksheet: bool) -> list[tuple[str, bool]]:
    """What follows the kernels, a line each: the maps with their sizes (not on a worksheet),
    ReLU, the pooling and the pooled sizes, the dense head."""
    out: list[tuple[str, bool]] = []
    out += _maps(conv.maps, lang, worksheet, "z")
    if conv.kernels and conv.stride != 1:
        out.append((_word("stride", lang, s=conv.stride), False))
    if conv.kernels and conv.relu:
        out.append(("ReLU: max(0, z)", False))
    if conv.pool is not None:
        kind, f, s = conv.pool
        out.append((_word(f"pool.{kind}", lang, f=f, s=s), False))
        sizes = conv.maps or ((len(conv.image[0]), len(conv.image[0][0])),)
        pooled = [((r - f) // s + 1, (c - f) // s + 1) for r, c in sizes if r >= f and c >= f]
        out += _maps(tuple(pooled), lang, worksheet, "p")
    if conv.classes:
        out.append((_word("classes", lang, n=conv.classes), False))
    return out


def _maps(
    sizes: Sequence[tuple[int, int]], lang: str, worksheet: bool, letter: str
) -> list[tuple[str, bool]]:
    """A line per map with its symbol and size; one line for several of the same size. A
    worksheet names the maps without their sizes."""
    if not sizes:
        return []
    if len(sizes) == 1:
        sym = Sym(letter).unicode()
        size = "" if worksheet else f": {sizes[0][0]}×{sizes[0][1]}"
        return [(f"{_word('map.one', lang)} {sym}{size}", True)]
    if len(set(sizes)) == 1:
        first, last = Sym(letter, sample=1).unicode(), Sym(letter, sample=len(sizes)).unicode()
        size = "" if worksheet else f": {sizes[0][0]}×{sizes[0][1]}"
        return [(f"{_word('maps', lang, n=len(sizes))} {first} … {last}{size}", True)]
    out = []
    for k, (rows, cols) in enumerate(sizes):
        sym = Sym(letter, sample=k + 1).unicode()
        size = "" if worksheet else f": {rows}×{cols}"
        out.append((f"{_word('map', lang, k=k + 1)} {sym}{size}", True))
    return out
