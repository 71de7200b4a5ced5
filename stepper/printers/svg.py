"""The conv lesson's picture as inline SVG, hand-written: no library, no external reference.

A conv lesson shows the image as a grid of its numbers, the kernels as small grids beside it,
and the sizes of the maps they give (left out of a worksheet, where they are the learner's to
find). Only given numbers are ever written, so the picture fits a worksheet as well as a
solution. Grids of more than ``MAX_CELLS`` rows or columns are elided in the middle ("… N
más"). The output has no ``xmlns``: it is meant to be inlined in HTML5, where the parser puts
``<svg>`` in the SVG namespace by itself. (The dense network is drawn from its scene by
``stepper.pictures.render_svg``.)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

from stepper.notation import Sym
from stepper.numbers import given, pretty
from stepper.printers.document import decimal_comma
from stepper.steps import ConvShape, Solution

#: Rows or columns of a grid drawn before the middle ones are elided.
MAX_CELLS = 10
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
