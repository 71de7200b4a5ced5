"""Draw a Scene as SVG: text in a monospaced font on the cell grid, roles as fill and weight.

Each label is one ``<text>`` whose ``textLength`` is its width in columns, so that the text
takes the columns the layout gave it even where the reader's monospaced font differs from
DejaVu Sans Mono. The output has no ``xmlns``: it is meant to be inlined in HTML5, where the
parser puts ``<svg>`` in the SVG namespace by itself.
"""

from __future__ import annotations

import math
from html import escape

from stepper.pictures.scene import Frame, Label, Raster, Scene, Shape, Wire
from stepper.pictures.vector import DEJAVU, Metrics, draw, frame_box, paint, runs

FONT = "DejaVu Sans Mono, Menlo, Consolas, monospace"
#: How much larger than its coordinates the picture is shown: its 10-unit text then reads at
#: about the size of a page's body text (it shrinks to fit a narrow page).
SCALE = 1.4


def _num(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".")


def render(scene: Scene, metrics: Metrics = DEJAVU) -> str:
    """The scene as one ``<svg>`` element, ``scene.width`` columns by ``scene.height`` rows."""
    m = metrics
    body = draw(
        scene,
        lambda item: _label(item, m),
        lambda item: _wire(item, m),
        lambda item: _frame(item, scene, m),
        lambda item: _raster(item, m),
    )
    w, h = math.ceil(m.x(scene.width)), math.ceil(m.y(scene.height))
    return (
        f'<svg width="{math.ceil(w * SCALE)}" height="{math.ceil(h * SCALE)}" '
        f'viewBox="0 0 {w} {h}" role="img" font-family="{escape(FONT)}" '
        f'font-size="{_num(m.size)}"><title>{escape(scene.title, quote=False)}</title>'
        + "".join(body)
        + "</svg>"
    )


def _label(item: Label, m: Metrics) -> str:
    p = paint(item.role, item.series)
    out = ""
    if p.background:
        out += (
            f'<rect x="{_num(m.x(item.x))}" y="{_num(m.y(item.y))}" '
            f'width="{_num(m.x(item.width))}" height="{_num(m.line)}" fill="{p.background}"/>'
        )
    attrs = [
        f'x="{_num(m.x(item.x))}"',
        f'y="{_num(m.baseline(item.y))}"',
        f'fill="{p.ink}"',
        f'textLength="{_num(m.x(item.width))}"',
        'lengthAdjust="spacingAndGlyphs"',
        'xml:space="preserve"',
    ]
    if p.bold:
        attrs.append('font-weight="bold"')
    if p.italic:
        attrs.append('font-style="italic"')
    return out + f"<text {' '.join(attrs)}>{escape(item.text, quote=False)}</text>"


def _wire(item: Wire, m: Metrics) -> str:
    p = paint(item.role, item.series)
    points = [m.centre(pt) for pt in item.points]
    path = " ".join(f"{_num(x)},{_num(y)}" for x, y in points)
    out = (
        f'<polyline points="{path}" fill="none" stroke="{p.ink}" '
        f'stroke-width="{_num(p.stroke)}" stroke-linejoin="round"/>'
    )
    if item.arrow and len(points) >= 2:
        (x0, y0), (x1, y1) = points[-2], points[-1]
        angle = math.degrees(math.atan2(y1 - y0, x1 - x0))
        size = 2.5 + p.stroke * 1.5
        out += (
            f'<path d="M0 0 L{_num(-2 * size)} {_num(-size)} L{_num(-2 * size)} {_num(size)} Z" '
            f'fill="{p.ink}" transform="translate({_num(x1)} {_num(y1)}) '
            f'rotate({_num(angle)})"/>'
        )
    return out


def _frame(item: Frame, scene: Scene, m: Metrics) -> str:
    p = paint(item.role, item.series)
    x, y, w, h = frame_box(item, scene)
    radius = f' rx="{_num(m.line / 2)}"' if item.shape is Shape.ROUND else ""
    return (
        f'<rect x="{_num(m.x(x))}" y="{_num(m.y(y))}" width="{_num(m.x(w))}" '
        f'height="{_num(m.y(h))}"{radius} fill="none" stroke="{p.ink}" '
        f'stroke-width="{_num(p.stroke)}"/>'
    )


def _raster(item: Raster, m: Metrics) -> str:
    return "".join(
        f'<rect x="{_num(m.x(item.x + c))}" y="{_num(m.y(item.y + r))}" '
        f'width="{_num(m.advance * length)}" height="{_num(m.line)}" fill="{shade}"/>'
        for r, c, length, shade in runs(item)
    )
