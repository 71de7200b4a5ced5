"""Draw a Scene as typst code: a fixed-size box of placed text, lines and rectangles.

The code uses built-ins only (``place``, ``box``, ``line``, ``polygon``, ``rect``), since the
typst package compiles offline. Text is given as strings, not markup, so that no character of
a label can be read as typst syntax.
"""

from __future__ import annotations

import itertools
import math

from stepper.pictures.scene import Frame, Label, Raster, Scene, Shape, Wire
from stepper.pictures.vector import DEJAVU, Metrics, draw, frame_box, paint, runs

FONT = "DejaVu Sans Mono"


def _pt(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".") + "pt"


def _string(text: str) -> str:
    """A typst string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render(scene: Scene, metrics: Metrics = DEJAVU) -> str:
    """The scene as a typst ``#box`` of ``scene.width`` columns by ``scene.height`` rows."""
    m = metrics
    body = draw(
        scene,
        lambda item: _label(item, m),
        lambda item: _wire(item, m),
        lambda item: _frame(item, scene, m),
        lambda item: _raster(item, m),
    )
    head = f"#box(width: {_pt(m.x(scene.width))}, height: {_pt(m.y(scene.height))})["
    return "\n".join([head, *body, "]"])


def _place(dx: float, dy: float, content: str) -> str:
    return f"#place(top + left, dx: {_pt(dx)}, dy: {_pt(dy)}, {content})"


def _label(item: Label, m: Metrics) -> str:
    p = paint(item.role, item.series)
    style = [f'font: "{FONT}"', f"size: {_pt(m.size)}", f'fill: rgb("{p.ink}")']
    if p.bold:
        style.append('weight: "bold"')
    if p.italic:
        style.append('style: "italic"')
    text = f"text({', '.join(style)}, {_string(item.text)})"
    x, y = m.x(item.x), m.y(item.y)
    out = []
    if p.background:
        out.append(
            _place(
                x,
                y,
                f"rect(width: {_pt(m.x(item.width))}, height: {_pt(m.line)}, "
                f'fill: rgb("{p.background}"), stroke: none)',
            )
        )
    # The text's box has no width of its own, so that nothing wraps it.
    out.append(_place(x, y, f"box(height: {_pt(m.line)}, align(left + horizon, {text}))"))
    return "\n".join(out)


def _stroke(ink: str, width: float) -> str:
    return f'{_pt(width)} + rgb("{ink}")'


def _wire(item: Wire, m: Metrics) -> list[str]:
    p = paint(item.role, item.series)
    points = [m.centre(pt) for pt in item.points]
    stroke = _stroke(p.ink, p.stroke)
    out = [
        "#place(top + left, line(start: "
        f"({_pt(x0)}, {_pt(y0)}), end: ({_pt(x1)}, {_pt(y1)}), stroke: {stroke}))"
        for (x0, y0), (x1, y1) in itertools.pairwise(points)
    ]
    if item.arrow and len(points) >= 2:
        (x0, y0), (x1, y1) = points[-2], points[-1]
        a = math.atan2(y1 - y0, x1 - x0)
        size = 2.5 + p.stroke * 1.5
        corners = [
            (x1, y1),
            (
                x1 - 2 * size * math.cos(a) + size * math.sin(a),
                y1 - 2 * size * math.sin(a) - size * math.cos(a),
            ),
            (
                x1 - 2 * size * math.cos(a) - size * math.sin(a),
                y1 - 2 * size * math.sin(a) + size * math.cos(a),
            ),
        ]
        vertices = ", ".join(f"({_pt(x)}, {_pt(y)})" for x, y in corners)
        out.append(f'#place(top + left, polygon(fill: rgb("{p.ink}"), {vertices}))')
    return out


def _frame(item: Frame, scene: Scene, m: Metrics) -> str:
    p = paint(item.role, item.series)
    x, y, w, h = frame_box(item, scene)
    radius = f", radius: {_pt(m.line / 2)}" if item.shape is Shape.ROUND else ""
    rect = (
        f"rect(width: {_pt(m.x(w))}, height: {_pt(m.y(h))}{radius}, "
        f"stroke: {_stroke(p.ink, p.stroke)})"
    )
    return _place(m.x(x), m.y(y), rect)


def _raster(item: Raster, m: Metrics) -> list[str]:
    return [
        _place(
            m.x(item.x + c),
            m.y(item.y + r),
            f"rect(width: {_pt(m.advance * length)}, height: {_pt(m.line)}, "
            f'fill: rgb("{shade}"), stroke: none)',
        )
        for r, c, length, shade in runs(item)
    ]
