"""The scene: what a picture shows, laid out once, as plain frozen data.

A layout (one module per kind of picture: the network, the image and its kernels, the contour
plot and its paths) turns a Solution and a position in it into a ``Scene``; renderers (Rich
cells for the terminal, SVG, TikZ, typst) draw any scene and know nothing of networks or
kernels. This is matplotlib's split between the artist tree and ``RendererBase``: a label that
overlaps is fixed once, in the layout, for every medium.

Coordinates are character cells: ``x`` counts columns from the left, ``y`` rows from the top,
and a label is one row high and as wide as its text in terminal cells. The terminal draws a
scene cell by cell; the vector renderers scale a column and a row to a monospaced glyph's
advance and line height, so the text fits in print exactly where it fits on screen, and one
overlap test covers every medium. Coordinates may be fractional: a vector renderer draws
them as they are, the terminal rounds them to the cell they fall in.

Nothing here is styled by colour: an item carries a ``Role`` (what it means to the learner:
the quantity being computed, what that step reads, a value not revealed yet, …) and each
renderer maps roles to its own styles.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import StrEnum

from rich.cells import cell_len


class Role(StrEnum):
    """What an item means to the learner; each renderer styles it in its own medium."""

    PLAIN = "plain"
    #: The quantity the current step computes, or the neuron/cell it belongs to.
    CURRENT = "current"
    #: What the current step reads.
    READ = "read"
    #: A value already updated in this iteration.
    UPDATED = "updated"
    #: A quantity not revealed yet: only its symbol is written.
    PENDING = "pending"
    #: A heading over a part of the picture.
    HEADER = "header"
    #: A note that something is left out (⋯, "12 more").
    MORE = "more"
    #: Axes, ticks and frames that carry no value of their own.
    AXIS = "axis"
    #: A number the lesson gives (inputs, initial weights), as opposed to a computed one.
    GIVEN = "given"
    #: A winner (max pooling) or an optimum (★): singled out, not current.
    MARK = "mark"
    #: A neuron dropout switched off for the sample shown: drawn struck through, ✕ beside it.
    DROPPED = "dropped"


#: Series colours are numbered, not named: the k-th optimiser's path is ``series=k``.
SeriesIndex = int


@dataclass(frozen=True, slots=True)
class Label:
    """One line of text whose left edge is at column ``x`` of row ``y``."""

    x: float
    y: float
    text: str
    role: Role = Role.PLAIN
    series: SeriesIndex | None = None
    #: The key of the quantity the label writes (``w[1,2,0]``), when it writes one: for tests
    #: and for printers that list what a picture leaves out.
    key: str | None = None

    @property
    def width(self) -> int:
        """Columns the text takes in a terminal (wide and combining characters counted)."""
        return cell_len(self.text)


@dataclass(frozen=True, slots=True)
class Wire:
    """A line through the centres of the given cells: a synapse, an arrow, an optimiser's path.

    The terminal draws horizontal and vertical runs with box-drawing characters (joining
    where wires meet) and diagonal runs with ╱ and ╲; vector media draw the polyline.
    """

    points: tuple[tuple[float, float], ...]
    role: Role = Role.PLAIN
    arrow: bool = False
    series: SeriesIndex | None = None


class Shape(StrEnum):
    """The outline of a ``Frame``."""

    RECT = "rect"
    ROUND = "round"
    #: Drawn in the frame's own first and last columns (which the layout leaves empty), as
    #: ┌ │ └ and ┐ │ ┘, or [ and ] one row high: for grids whose rows touch (a kernel's window
    #: over the image). Vector media draw the rectangle through the middle of the edge columns.
    BRACKET = "bracket"


@dataclass(frozen=True, slots=True)
class Frame:
    """A rectangle around cells ``x ≤ column < x + w``, ``y ≤ row < y + h``.

    A neuron, a kernel's window over the image, a pooling window: the frame surrounds what it
    marks, and the terminal draws it on the cells' borders (or, when there is no room for a
    border, by styling the cells inside with its role).
    """

    x: float
    y: float
    w: float
    h: float
    role: Role = Role.PLAIN
    shape: Shape = Shape.RECT
    series: SeriesIndex | None = None


@dataclass(frozen=True, slots=True)
class Raster:
    """Cells shaded by level, from the top-left cell at (``x``, ``y``): a contour plot's field.

    ``levels[r][c]`` is a shade from 0 (lightest) to ``len(palette) - 1``, or None for an
    unshaded cell; the terminal prints ``palette[level]``, vector media fill the cell with a
    grey of that level.
    """

    x: float
    y: float
    levels: tuple[tuple[int | None, ...], ...]
    palette: str


Item = Label | Wire | Frame | Raster


@dataclass(frozen=True, slots=True)
class Scene:
    """A picture laid out on a grid of ``width`` × ``height`` cells, drawn in item order."""

    width: int
    height: int
    items: tuple[Item, ...] = field(default=())
    #: Words for a screen reader, and the title of an SVG or figure.
    title: str = ""

    def labels(self) -> tuple[Label, ...]:
        """The text items, for tests of overlap and of what is highlighted."""
        return tuple(i for i in self.items if isinstance(i, Label))

    def map_labels(self, change: Callable[[str], str]) -> Scene:
        """The scene with every label's text changed (a decimal comma for print), in place."""
        items = tuple(
            replace(i, text=change(i.text)) if isinstance(i, Label) else i for i in self.items
        )
        return replace(self, items=items)
