"""What the optimize picture draws, read once per solution: paths, minimum, box, f's levels.

Everything here depends on the solution alone, not on the position in the walk nor on the size
drawn (except the contour grids, kept per size): ``index(solution)`` builds it once and keeps
it for the last solutions drawn, holding them weakly (``stepper.solution_cache``).

The function comes from ``Solution.optimize``: the lesson's formula as the loader checked it,
evaluated with floats (``Formula.value``), never from the process-local formula registry.
The paths come from the steps: the value and the text of every coordinate, of f, of the
gradient and of Nesterov's look-ahead point, and the position of the step that reveals each.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from rich.cells import cell_len

from stepper.numbers import pretty, shown
from stepper.pictures.simplex import nelder_mead
from stepper.solution_cache import PerSolution
from stepper.steps import OptimizerShape, OptimizeShape, Solution, Step, key_prefix

Point = tuple[float, ...]

#: The shades of f's levels, low to high (the raster's palette): the valley is left blank.
SHADES = " ·:░▒▓"
BANDS = len(SHADES)
#: The minimum is drawn in the box unless including it makes the box this many times larger
#: (its diagonal) than the iterates' own: their paths would then shrink to a few cells.
MIN_ZOOM = 8.0
#: Room left around the box, as a share of its size.
MARGIN = 0.15
#: The grid f's levels are chosen on, whatever the size drawn: the shades mean the same at
#: every width.
SAMPLE = (48, 16)
#: Contour grids kept per solution (one per size the app was drawn at).
GRIDS = 4


@dataclass(slots=True)
class Path:
    """One run (an optimiser from a start): its points and f per iteration, and the step that
    reveals each."""

    shape: OptimizerShape
    #: Its place in the lesson: the k-th run is drawn as series k.
    series: int
    points: list[list[float]] = field(default_factory=list)
    texts: list[list[str]] = field(default_factory=list)
    at: list[list[int]] = field(default_factory=list)
    f: list[float] = field(default_factory=list)
    f_text: list[str] = field(default_factory=list)
    f_at: list[int] = field(default_factory=list)
    ahead: dict[int, list[float]] = field(default_factory=dict)
    ahead_at: dict[int, list[int]] = field(default_factory=dict)
    ahead_names: list[str] = field(default_factory=list)
    grad: dict[int, list[float]] = field(default_factory=dict)
    grad_at: dict[int, list[int]] = field(default_factory=dict)
    #: The first and last step of this optimiser.
    first: int = -1
    last: int = -1
    #: The position of the last step of each point: it is revealed once that step is.
    ready: list[int] = field(default_factory=list)

    @property
    def family(self) -> str:
        return self.shape.family

    def shown_at(self, t: int, revealed: int) -> bool:
        """Whether point t has all its coordinates revealed."""
        return self.ready[t] < revealed

    def latest(self, revealed: int) -> int:
        """The last iteration whose point is revealed (0, the start, is always known)."""
        return max(0, bisect.bisect_left(self.ready, revealed) - 1)

    def point(self, t: int) -> Point:
        return tuple(self.points[t])

    def start(self, k: int, step: Step) -> None:
        """Step k is f at the start: its operands are the start point."""
        self.first = self.last = k
        self.points.append([q.value for q in step.operands])
        self.texts.append([q.shown for q in step.operands])
        self.at.append([-1] * len(step.operands))
        self.f.append(step.value)
        self.f_text.append(step.shown)
        self.f_at.append(k)

    def record(self, k: int, step: Step, variables: tuple[str, ...], end: int) -> None:
        """Step k of this optimiser: a coordinate, f, the gradient or the look-ahead point.
        Points not revealed yet are known only by their steps' positions."""
        self.last = k
        own = step.key[len(self.shape.prefix) :]
        t = step.iteration
        while len(self.points) <= t:
            previous = self.points[-1]
            self.points.append(list(previous))
            self.texts.append(["·"] * len(previous))
            self.at.append([end] * len(previous))
            self.f.append(math.nan)
            self.f_text.append("·")
            self.f_at.append(end)
        if own in variables:
            i = variables.index(own)
            self.points[t][i] = step.value
            self.texts[t][i] = step.shown
            self.at[t][i] = k
        elif own == "f":
            self.f[t] = step.value
            self.f_text[t] = step.shown
            self.f_at[t] = k
        else:
            family, _, rest = own.partition("[")
            if rest[:-1] not in variables:
                return
            i, n = variables.index(rest[:-1]), len(variables)
            if family == "ahead":  # Nesterov's look-ahead point
                self.ahead.setdefault(t, [math.nan] * n)[i] = step.value
                self.ahead_at.setdefault(t, [end] * n)[i] = k
                if len(self.ahead_names) < n:
                    self.ahead_names.append(step.sym.unicode())
            elif family == "grad":
                self.grad.setdefault(t, [math.nan] * n)[i] = step.value
                self.grad_at.setdefault(t, [end] * n)[i] = k


@dataclass(slots=True)
class Index:
    """What a picture of one solution needs that does not depend on the position."""

    shape: OptimizeShape
    paths: list[Path]
    _minimum: Point | bool | None = False
    _minima: tuple[Point, ...] | None = None
    _box: tuple[float, ...] | None = None
    _near: bool = False
    grids: dict[tuple[float, ...], list[list[int]]] = field(default_factory=dict)
    _levels: Levels | bool | None = False
    _spark: tuple[float, float, bool] | None = None
    _f_width: int | None = None

    @classmethod
    def build(cls, solution: Solution) -> Index | None:
        shape = solution.optimize
        if shape is None:
            return None
        paths = [Path(o, k) for k, o in enumerate(shape.optimizers)]
        by_prefix = {p.shape.prefix: p for p in paths}
        end = len(solution.steps)
        for k, step in enumerate(solution.steps):
            prefix = key_prefix(step.key)  # a run's: start2., adam., start2.adam.
            path = by_prefix.get(prefix)
            if path is None:
                continue
            if step.key == prefix + "f" and step.iteration == 0:
                path.start(k, step)
            elif path.points:
                path.record(k, step, shape.variables, end)
        paths = [p for p in paths if p.points]
        for p in paths:
            p.ready = [max(at) for at in p.at]
        return cls(shape, paths)

    @property
    def variables(self) -> tuple[str, ...]:
        return self.shape.variables

    @property
    def names(self) -> tuple[str, ...]:
        return self.shape.names

    def value(self, point: Sequence[float]) -> float:
        """f at the point, NaN where it is undefined."""
        try:
            v = self.shape.function.value(point)
        except (ArithmeticError, ValueError):
            return math.nan
        return v if math.isfinite(v) else math.nan

    def iterates(self) -> list[Point]:
        return [p.point(t) for p in self.paths for t in range(len(p.points))]

    def minimum(self) -> Point | None:
        """The minimum the optimisers head to, found by Nelder-Mead from the best iterate."""
        if self._minimum is False:
            self._minimum = _find_minimum(self)
        return self._minimum if isinstance(self._minimum, tuple) else None

    def minima(self) -> tuple[Point, ...]:
        """The minimum, then, from several starts, each other minimum a run heads to (found
        from its lowest iterate, when it is not one already found): a lesson that compares
        starts shows every valley they end in."""
        if self._minima is None:
            found = [m for m in (self.minimum(),) if m is not None]
            if found and len(self.shape.starts) > 1:
                for path in self.paths:
                    other = _find_minimum(self, [path])
                    if other is not None and all(not _same(other, m, self) for m in found):
                        found.append(other)
            self._minima = tuple(found)
        return self._minima

    def box(self) -> tuple[tuple[float, ...], bool]:
        """(low, high per variable), and whether it holds the minimum."""
        if self._box is None:
            self._box, self._near = _box(self)
        return self._box, self._near

    def levels(self) -> Levels | None:
        """Where f's shades change over the box, or None where f is nowhere defined."""
        if self._levels is False:
            self._levels = _levels(self)
        return self._levels if isinstance(self._levels, Levels) else None

    def grid(self, box: tuple[float, ...], cols: int, rows: int) -> list[list[int]] | None:
        """The band of every cell of ``box`` split in cols × rows (-1 where f is undefined),
        row 0 at the top, cached per size."""
        key = (*box, cols, rows)
        hit = self.grids.get(key)
        if hit is not None:
            return hit
        levels = self.levels()
        if levels is None:
            return None
        grid = [[levels.of(v) for v in row] for row in values(self, box, cols, rows)]
        self.grids[key] = grid
        while len(self.grids) > GRIDS:
            del self.grids[next(iter(self.grids))]
        return grid

    def f_width(self) -> int:
        """The widest value of f shown."""
        if self._f_width is None:
            self._f_width = max(cell_len(pretty(t)) for p in self.paths for t in p.f_text)
        return self._f_width

    def spark_scale(self) -> tuple[float, float, bool]:
        """Low and high f of every path, and whether the sparklines are drawn in log."""
        if self._spark is None:
            found = [v for p in self.paths for v in p.f if math.isfinite(v)]
            lo, hi = (min(found), max(found)) if found else (0.0, 1.0)
            self._spark = (lo, hi, lo > 0 and hi / lo > 50)
        return self._spark


#: The index of each solution drawn lately; None for a solution that is not an optimize lesson.
index = PerSolution(Index.build, 3)


# --- the minimum and the box -------------------------------------------------------------------


def _find_minimum(index: Index, paths: list[Path] | None = None) -> Point | None:
    """Nelder-Mead from the lowest iterate (of ``paths``, else of every path): the minimum of
    the region the optimisers are in, or None when f has none there (it keeps falling) or
    cannot be evaluated."""
    n = len(index.variables)
    if n > 2:
        return None
    paths = index.paths if paths is None else paths
    points = [p.point(t) for p in paths for t in range(len(p.points))]
    found_f = [_or_inf(v) for p in paths for v in p.f]
    best = points[min(range(len(points)), key=found_f.__getitem__)]
    spans = [max(p[i] for p in points) - min(p[i] for p in points) for i in range(n)]
    size = max(*spans, 1e-3 * max(1.0, *(abs(v) for v in best)))
    found = nelder_mead(lambda p: _or_inf(index.value(p)), best, size)
    if found is None:
        return None
    reach = 1e3 * (size + max(abs(v) for v in best))
    if any(abs(a - b) > reach for a, b in zip(found, best, strict=True)):
        return None
    return found


def _same(a: Point, b: Point, index: Index) -> bool:
    """Whether two minima found are one: nearer than a hundredth of the iterates' spread."""
    points = index.iterates()
    spread = max(max(p[i] for p in points) - min(p[i] for p in points) for i in range(len(a)))
    return math.dist(a, b) <= 0.01 * max(spread, 1e-9)


def _or_inf(v: float) -> float:
    return v if math.isfinite(v) else math.inf


def _box(index: Index) -> tuple[tuple[float, ...], bool]:
    """(lo₁, hi₁, lo₂, hi₂, …): every iterate, and the minimum unless it is far, with a margin."""
    points = index.iterates()
    n = len(index.variables)
    lo = [min(p[i] for p in points) for i in range(n)]
    hi = [max(p[i] for p in points) for i in range(n)]
    minima = index.minima()
    near = False
    if minima:
        lo2 = [min(a, *(m[i] for m in minima)) for i, a in enumerate(lo)]
        hi2 = [max(a, *(m[i] for m in minima)) for i, a in enumerate(hi)]
        own = math.dist(lo, hi)
        both = math.dist(lo2, hi2)
        if own == 0 or both <= MIN_ZOOM * own:
            lo, hi, near = lo2, hi2, True
    spans = [b - a for a, b in zip(lo, hi, strict=True)]
    widest = max(spans)
    for i in range(n):
        if widest == 0:
            spans[i] = max(1.0, abs(lo[i]) * 0.5)
        elif spans[i] < 0.2 * widest:
            spans[i] = 0.2 * widest
        middle = (lo[i] + hi[i]) / 2
        lo[i], hi[i] = middle - spans[i] / 2, middle + spans[i] / 2
    out: list[float] = []
    for a, b in zip(lo, hi, strict=True):
        pad = (b - a) * MARGIN
        out += [a - pad, b + pad]
    return tuple(out), near


# --- f's levels --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Levels:
    """Where f's shades change: ``BANDS`` bands between low and high, evenly spaced in f, or
    in log(f − low + floor) when f is a steep valley (most of the box is near its low)."""

    low: float
    high: float
    log: bool
    floor: float

    def of(self, v: float) -> int:
        """The band of a value, or -1 where f is undefined."""
        if not math.isfinite(v):
            return -1
        span = self.high - self.low
        if span <= 0:
            return 0
        if self.log:
            bottom = math.log(self.floor)
            t = (math.log(max(v - self.low, 0.0) + self.floor) - bottom) / (
                math.log(span + self.floor) - bottom
            )
        else:
            t = (v - self.low) / span
        return min(BANDS - 1, max(0, int(t * BANDS)))


def _levels(index: Index) -> Levels | None:
    box, _ = index.box()
    found = sorted(v for row in values(index, box, *SAMPLE) for v in row if math.isfinite(v))
    if not found:
        return None
    low, high = found[0], found[-1]
    span = high - low
    median = found[len(found) // 2]
    log = span > 0 and (median - low) < 0.15 * span
    floor = max(found[len(found) // 10] - low, span * 1e-6) if log else 0.0
    return Levels(low, high, log, floor)


def values(index: Index, box: tuple[float, ...], cols: int, rows: int) -> list[list[float]]:
    """f at the centre of every cell of the box, row 0 at the top."""
    x0, x1, y0, y1 = box
    dx, dy = (x1 - x0) / cols, (y1 - y0) / rows
    value = index.value
    return [
        [value((x0 + (c + 0.5) * dx, y1 - (r + 0.5) * dy)) for c in range(cols)]
        for r in range(rows)
    ]


# --- numbers -----------------------------------------------------------------------------------


def num(v: float, decimals: int) -> str:
    """A value with ``decimals`` decimals, with the Unicode minus."""
    return pretty(shown(v, decimals))


def nice_ticks(lo: float, hi: float, most: int) -> tuple[list[float], int]:
    """Round values between lo and hi, at most ``most`` of them, and their decimals."""
    span = hi - lo
    if span <= 0 or not math.isfinite(span):
        return [lo], 2
    raw = span / max(1, most)
    exp = math.floor(math.log10(raw))
    step = 10.0**exp
    for mult in (1, 2, 5, 10, 20, 50):
        step = mult * 10.0**exp
        if span / step <= most:
            break
    k = math.floor(math.log10(step) + 1e-9)
    decimals = max(0, -k)
    first = math.ceil(lo / step - 1e-9)
    ticks = []
    v = first
    while v * step <= hi + 1e-9 * step:
        ticks.append(v * step)
        v += 1
    return ticks, decimals


def compact(v: float) -> str:
    """A level or a minimum, to about three figures."""
    if v == 0 or not math.isfinite(v):
        return "0"
    digits = max(0, 2 - math.floor(math.log10(abs(v))))
    return num(v, min(digits, 6))
