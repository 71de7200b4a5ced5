"""Where the walk is in an optimize lesson: the optimiser and iteration being computed, and what
of its gradient and look-ahead point is revealed; and the words the picture writes.

The plot and the panel beside it both read this, so it is its own small module.
"""

from __future__ import annotations

from dataclasses import dataclass

from stepper.i18n import label
from stepper.pictures.contour_data import Index, Path, Point
from stepper.steps import Solution


@dataclass(slots=True)
class Position:
    """``steps[:revealed]`` known, ``steps[current]`` being computed (None: the title screen)."""

    index: Index
    solution: Solution
    revealed: int
    current: int | None
    lang: str
    height: int
    #: The optimiser the current step belongs to.
    path: Path | None = None

    def __post_init__(self) -> None:
        current = self.current
        if current is not None:
            self.path = next((p for p in self.index.paths if p.first <= current <= p.last), None)

    def word(self, key: str) -> str:
        return label(f"contour.{key}", self.lang)

    def many(self) -> bool:
        return len(self.index.paths) > 1

    def iteration(self) -> int | None:
        """The iteration the current step belongs to."""
        if self.current is None or self.path is None:
            return None
        return self.solution.steps[self.current].iteration

    def ahead(self) -> Point | None:
        """Nesterov's look-ahead point of the iteration being computed, once revealed and
        until the new point is."""
        path, t = self.path, self.iteration()
        if path is None or t is None or t not in path.ahead:
            return None
        if any(a >= self.revealed for a in path.ahead_at[t]) or path.shown_at(t, self.revealed):
            return None
        return tuple(path.ahead[t])

    def gradient(self) -> Point | None:
        """The gradient of the iteration being computed, once revealed and until the new point
        is: the descent goes against it."""
        path, t = self.path, self.iteration()
        if path is None or t is None or t not in path.grad:
            return None
        if any(a >= self.revealed for a in path.grad_at[t]) or path.shown_at(t, self.revealed):
            return None
        return tuple(path.grad[t])

    def name(self, path: Path) -> str:
        """The optimiser as the legend names it: the id the lesson gave it, or its family."""
        short = self.word("descent") if path.family == "gradient_descent" else None
        return path.shape.title(self.lang, short)
