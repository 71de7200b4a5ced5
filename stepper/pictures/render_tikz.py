r"""Draw a Scene as a TikZ picture for pdflatex: text in the typewriter font on the cell grid.

The picture uses plain TikZ only (no libraries), so it compiles with a basic TeX Live. Its
coordinates are points with y pointing down, as the scene's rows do. Text is escaped by the
caller's ``escape`` (the LaTeX printer's, whose preamble declares the Unicode characters of the
lecture's notation); block, box-drawing and symbol characters that pdflatex lacks are drawn
here, one column each, as is the minus (the typewriter font's own ``\textminus``: a real
minus, not a hyphen, and no wider than a digit, so that columns of numbers stay aligned).
"""

from __future__ import annotations

from collections.abc import Callable

from stepper.pictures.scene import Frame, Label, Raster, Scene, Shape, Wire
from stepper.pictures.vector import CMTT, Metrics, draw, frame_box, paint, runs

_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def _n(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".")


def _bar(x: float, y: float, w: float, h: float) -> str:
    """A bar in a column: ``x`` and ``w`` in columns, ``y`` and ``h`` in ems from the baseline."""
    return rf"\hspace*{{{_n(x)}\tikzcol}}\rule[{_n(y)}em]{{{_n(w)}\tikzcol}}{{{_n(h)}em}}"


def _rule(*bars: tuple[float, float, float, float]) -> str:
    """Bars overlaid in one column (each starts from the column's left edge)."""
    return "".join(rf"\makebox[0pt][l]{{{_bar(*bar)}}}" for bar in bars) + r"\hspace*{\tikzcol}"


def _shade(level: int) -> str:
    """A light, medium or dark shade filling its column (░ ▒ ▓)."""
    grey = {1: 0.8, 2: 0.6, 3: 0.4}[level]
    return rf"{{\color[gray]{{{grey}}}{_rule((0, -0.25, 1, 1.0))}}}"


def _symbol(math: str) -> str:
    """A math symbol at script size, centred in one column."""
    return rf"\makebox[\tikzcol][c]{{$\scriptstyle {math}$}}"


#: Characters the pictures use that pdflatex has no glyph for (or none one column wide): block,
#: shade and box-drawing pieces as rules, symbols from amssymb, each one column wide.
GLYPHS: dict[str, str] = {
    **{b: _rule((0, -0.25, (k + 1) / 8, 1.0)) for k, b in enumerate("▏▎▍▌▋▊▉█")},
    **{b: _rule((0, -0.25, 1, (k + 1) / 8)) for k, b in enumerate("▁▂▃▄▅▆▇")},
    "─": _rule((0, 0.25, 1, 0.04)),
    "┄": _rule((0.05, 0.25, 0.22, 0.04), (0.39, 0.25, 0.22, 0.04), (0.73, 0.25, 0.22, 0.04)),
    "┆": _rule((0.46, -0.3, 0.08, 0.3), (0.46, 0.1, 0.08, 0.3), (0.46, 0.5, 0.08, 0.3)),
    **{b: _shade(k) for k, b in enumerate("░▒▓", 1)},
    "│": _rule((0.46, -0.3, 0.08, 1.1)),
    "┤": _rule((0, 0.25, 0.5, 0.04), (0.46, -0.3, 0.08, 1.1)),
    "├": _rule((0.46, -0.3, 0.08, 1.1), (0.5, 0.25, 0.5, 0.04)),
    "┬": _rule((0, 0.25, 1, 0.04), (0.46, -0.3, 0.08, 0.59)),
    "┴": _rule((0, 0.25, 1, 0.04), (0.46, 0.25, 0.08, 0.55)),
    "★": _symbol(r"\bigstar"),
    "☆": _symbol(r"\star"),
    "○": _symbol(r"\circ"),
    "●": _symbol(r"\bullet"),
    "◂": _symbol(r"\blacktriangleleft"),
    "▸": _symbol(r"\blacktriangleright"),
    "⋮": _symbol(r"\vdots"),
    "⋯": _symbol(r"\cdots"),
    "…": _symbol(r"\ldots"),
    "·": _symbol(r"\cdot"),
    "→": _symbol(r"\rightarrow"),
    "←": _symbol(r"\leftarrow"),
    "↑": _symbol(r"\uparrow"),
    "↓": _symbol(r"\downarrow"),
    "⇣": _symbol(r"\Downarrow"),
    "↖": _symbol(r"\nwarrow"),
    "↗": _symbol(r"\nearrow"),
    "↘": _symbol(r"\searrow"),
    "↙": _symbol(r"\swarrow"),
    "∗": _symbol(r"\ast"),
    "×": _symbol(r"\times"),
    "✕": _symbol(r"\times"),  # a neuron dropout switched off
    "−": r"\makebox[\tikzcol][c]{\textminus}",
}


def _text(text: str, escape: Callable[[str], str]) -> str:
    """``text`` for pdflatex: runs of ordinary characters through ``escape``, each glyph of
    ``GLYPHS`` squeezed into one column."""
    out, run = [], ""
    for ch in text:
        glyph = GLYPHS.get(ch)
        if glyph is None:
            run += ch
            continue
        if run:
            out.append(escape(run))
            run = ""
        out.append(glyph)
    if run:
        out.append(escape(run))
    return "".join(out)


def escape_specials(text: str) -> str:
    """LaTeX's special characters escaped, every other character left to the preamble."""
    return "".join(_SPECIAL.get(ch, ch) for ch in text)


def _colour(ink: str) -> str:
    r, g, b = (int(ink[k : k + 2], 16) for k in (1, 3, 5))
    return f"{{rgb,255:red,{r};green,{g};blue,{b}}}"


def render(
    scene: Scene, escape: Callable[[str], str] = escape_specials, metrics: Metrics = CMTT
) -> str:
    """The scene as a ``tikzpicture`` of ``scene.width`` columns by ``scene.height`` rows."""
    m = metrics
    lines = [
        r"\begin{tikzpicture}[x=1pt,y=-1pt,font=\ttfamily\fontsize{"
        + _n(m.size)
        + "}{"
        + _n(m.line)
        + r"}\selectfont]",
        # A column, for the glyphs drawn as rules and boxes.
        rf"\ifdefined\tikzcol\else\newdimen\tikzcol\fi\tikzcol={_n(m.advance)}pt",
        # The whole grid, so that the picture's size is the scene's even where it is blank.
        rf"\path (0,0) rectangle ({_n(m.x(scene.width))},{_n(m.y(scene.height))});",
    ]
    nodes = _nodes(scene)
    lines += draw(
        scene,
        lambda item: _label(item, escape, m, (item.x, item.y) in nodes),
        lambda item: _wire(item, m),
        lambda item: _frame(item, scene, m),
        lambda item: _raster(item, m),
    )
    lines.append(r"\end{tikzpicture}")
    return "\n".join(lines)


def _nodes(scene: Scene) -> set[tuple[float, float]]:
    """Where a label in parentheses has a wire ending on its left edge: a neuron, "(1 tanh)",
    which TikZ draws as the lecture's circle (a round box) rather than as two parentheses
    that the wires run into."""
    ends = {pt for w in scene.items if isinstance(w, Wire) for pt in (w.points[0], w.points[-1])}
    return {
        (item.x, item.y)
        for item in scene.items
        if isinstance(item, Label)
        and item.text.startswith("(")
        and item.text.endswith(")")
        and (item.x - 0.5, item.y) in ends
    }


def _node(item: Label, escape: Callable[[str], str], m: Metrics) -> str:
    """A neuron: its text without the parentheses, centred in a round box as wide as the label
    (so the wires that end on the label's edges meet the box) and shorter than a row."""
    p = paint(item.role, item.series)
    body = _text(item.text[1:-1], escape)
    if p.bold:
        body = rf"\bfseries {body}"
    fill = f",fill={_colour(p.background)}" if p.background else ""
    # The text's box from its baseline to 0.66 em, centred on the row: the baseline lands where
    # every other label's does (``Metrics.baseline``), and the wires meet the box's middle.
    style = (
        f"draw={_colour(p.ink)},line width={_n(p.stroke)}pt,rounded corners={_n(m.line * 0.4)}pt"
        f"{fill},minimum width={_n(m.x(item.width))}pt,minimum height={_n(m.line * 0.85)}pt,"
        f"inner sep=0pt,text height={_n(m.size * 0.66)}pt,text depth=0pt,text={_colour(p.ink)}"
    )
    at = f"({_n(m.x(item.x + item.width / 2))},{_n(m.y(item.y + 0.5))})"
    return rf"\node[{style}] at {at} {{{body}}};"


def _label(item: Label, escape: Callable[[str], str], m: Metrics, node: bool = False) -> list[str]:
    if node:
        return [_node(item, escape, m)]
    p = paint(item.role, item.series)
    out = []
    if p.background:
        out.append(
            rf"\fill[fill={_colour(p.background)}] ({_n(m.x(item.x))},{_n(m.y(item.y))}) "
            rf"rectangle ({_n(m.x(item.x + item.width))},{_n(m.y(item.y + 1))});"
        )
    body = _text(item.text, escape)
    if p.bold:
        body = rf"\bfseries {body}"
    if p.italic:
        body = rf"\itshape {body}"
    out.append(
        rf"\node[anchor=base west,inner sep=0pt,text={_colour(p.ink)}] "
        rf"at ({_n(m.x(item.x))},{_n(m.baseline(item.y))}) {{{body}}};"
    )
    return out


def _wire(item: Wire, m: Metrics) -> str:
    p = paint(item.role, item.series)
    path = " -- ".join(f"({_n(x)},{_n(y)})" for x, y in (m.centre(pt) for pt in item.points))
    arrow = ",-latex" if item.arrow else ""
    return (
        rf"\draw[draw={_colour(p.ink)},line width={_n(p.stroke)}pt,line join=round{arrow}] {path};"
    )


def _frame(item: Frame, scene: Scene, m: Metrics) -> str:
    p = paint(item.role, item.series)
    x, y, w, h = frame_box(item, scene)
    round_ = f",rounded corners={_n(m.line / 2)}pt" if item.shape is Shape.ROUND else ""
    return (
        rf"\draw[draw={_colour(p.ink)},line width={_n(p.stroke)}pt{round_}] "
        rf"({_n(m.x(x))},{_n(m.y(y))}) rectangle ({_n(m.x(x + w))},{_n(m.y(y + h))});"
    )


def _raster(item: Raster, m: Metrics) -> list[str]:
    return [
        rf"\fill[fill={_colour(shade)}] ({_n(m.x(item.x + c))},{_n(m.y(item.y + r))}) "
        rf"rectangle ({_n(m.x(item.x + c + length))},{_n(m.y(item.y + r + 1))});"
        for r, c, length, shade in runs(item)
    ]
