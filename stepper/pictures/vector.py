"""What the vector renderers (SVG, TikZ, typst) share: the cell grid in points, and roles as paint.

A column is a monospaced glyph's advance and a row a line's height, so a label takes in print
the columns it takes on screen. A frame is drawn through the centres of the ring of cells
around it, where the terminal draws its border, so that a wire ending on that ring meets the
frame's edge in every medium; when the ring is off the grid the frame hugs its cells.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from stepper.pictures.scene import Frame, Label, Raster, Role, Scene, Shape, Wire

#: What a renderer writes for one item: a line of its markup, or several.
Markup = str | list[str]

#: Ink, in print, of each numbered series (darker than the terminal's, for white paper).
SERIES_INK = ("#b8860b", "#c62828", "#2e8b57", "#1f6fb2", "#ad1457", "#e65100", "#5e35b1")
INK = "#222222"


@dataclass(frozen=True, slots=True)
class Metrics:
    """A monospaced font at ``size`` points: a column is ``advance`` wide, a row ``line`` high."""

    size: float
    advance: float
    line: float

    def fit(self, columns: int, room: float) -> Metrics:
        """These metrics, or smaller ones in proportion, so that ``columns`` fit in ``room``."""
        factor = room / (columns * self.advance) if columns else 1.0
        if factor >= 1:
            return self
        return Metrics(self.size * factor, self.advance * factor, self.line * factor)

    def x(self, col: float) -> float:
        return col * self.advance

    def y(self, row: float) -> float:
        return row * self.line

    def baseline(self, row: float) -> float:
        """Where the text of row ``row`` sits: centred on the row, as the terminal centres it."""
        return (row + 0.5) * self.line + 0.33 * self.size

    def centre(self, point: tuple[float, float]) -> tuple[float, float]:
        """A wire's point: the centre of its cell."""
        return (point[0] + 0.5) * self.advance, (point[1] + 0.5) * self.line


#: DejaVu Sans Mono (SVG, typst): a glyph is 0.602 em wide.
DEJAVU = Metrics(size=10.0, advance=6.02, line=13.0)
#: Computer Modern typewriter at 10 pt (pdflatex): a glyph is 5.25 pt wide.
CMTT = Metrics(size=10.0, advance=5.25, line=12.0)


@dataclass(frozen=True, slots=True)
class Paint:
    """How a role looks on paper: ink, weight, slant, and a highlight behind text."""

    ink: str = INK
    bold: bool = False
    italic: bool = False
    background: str | None = None
    stroke: float = 0.7


_PAINTS: dict[Role, Paint] = {
    Role.PLAIN: Paint(),
    Role.CURRENT: Paint(bold=True, background="#ffe08a", stroke=1.6),
    Role.READ: Paint(ink="#00838f", bold=True, stroke=1.3),
    Role.UPDATED: Paint(ink="#2e7d32"),
    Role.PENDING: Paint(ink="#9e9e9e"),
    Role.HEADER: Paint(bold=True),
    Role.MORE: Paint(ink="#757575", italic=True),
    Role.AXIS: Paint(ink="#9e9e9e", stroke=0.5),
    Role.GIVEN: Paint(),
    Role.MARK: Paint(ink="#b8860b", bold=True, stroke=1.3),
    Role.DROPPED: Paint(ink="#9e9e9e", italic=True),
}


def paint(role: Role, series: int | None = None) -> Paint:
    """The paint of ``role``, inked in its series' colour when it has one."""
    base = _PAINTS[role]
    if series is None:
        return base
    ink = SERIES_INK[series % len(SERIES_INK)]
    return Paint(ink, base.bold, base.italic, base.background, max(base.stroke, 1.2))


def frame_box(frame: Frame, scene: Scene) -> tuple[float, float, float, float]:
    """The frame's rectangle in cells (x, y, w, h): through the ring of cells around it, or
    tight around its cells when the ring leaves the grid (as the terminal decides), or through
    the middle of its edge columns when it is drawn as brackets there."""
    if frame.shape is Shape.BRACKET:  # through the middle of its edge columns
        return frame.x + 0.5, frame.y, frame.w - 1, frame.h
    left, top = round(frame.x) - 1, round(frame.y) - 1
    right, bottom = round(frame.x + frame.w), round(frame.y + frame.h)
    if left < 0 or top < 0 or right >= scene.width or bottom >= scene.height:
        return frame.x, frame.y, frame.w, frame.h
    return frame.x - 0.5, frame.y - 0.5, frame.w + 1, frame.h + 1


def grey(level: int, top: int) -> str:
    """A raster level as a grey, from near white (0) to mid grey (``top``)."""
    v = round(0xF2 - (0xF2 - 0x70) * level / max(1, top))
    return f"#{v:02x}{v:02x}{v:02x}"


def runs(item: Raster) -> Iterator[tuple[int, int, int, str]]:
    """The raster's cells as runs of one shade along each row: (row, column, length, grey).
    A printed contour plot is some 2,000 cells but a few hundred runs, and a run has no seams
    between its cells where a viewer's anti-aliasing would draw hairlines."""
    top = len(item.palette) - 1
    for r, levels in enumerate(item.levels):
        c = 0
        while c < len(levels):
            level = levels[c]
            end = c + 1
            while end < len(levels) and levels[end] == level:
                end += 1
            if level is not None:
                yield r, c, end - c, grey(max(0, min(top, level)), top)
            c = end


def draw(
    scene: Scene,
    label: Callable[[Label], Markup],
    wire: Callable[[Wire], Markup],
    frame: Callable[[Frame], Markup],
    raster: Callable[[Raster], Markup],
) -> list[str]:
    """The scene's items in order, each written by its renderer's function for its kind: the one
    loop every vector renderer shares, as matplotlib's backends share ``draw`` and differ only
    in ``draw_path`` and ``draw_text``."""
    out: list[str] = []
    for item in scene.items:
        if isinstance(item, Label):
            written = label(item)
        elif isinstance(item, Wire):
            written = wire(item)
        elif isinstance(item, Frame):
            written = frame(item)
        else:
            written = raster(item)
        out.extend([written] if isinstance(written, str) else written)
    return out
