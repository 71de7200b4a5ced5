"""An optimize lesson as drawn in class: the contour lines of f, and the iterates walking down.

``optimize_picture`` turns a solved optimize lesson and a position in it into Unicode text:

* two variables: the plane as a character-cell contour plot, f's levels as shades (blank in
  the valley, ▓ on the slopes, log-spaced when f is a steep valley like Rosenbrock's), axes
  with round values, and the path of each optimiser as it is revealed, its points joined in
  order and the one being worked from lit. Once the gradient of an iteration is known, −∇f
  is drawn from that point as an arrow (the steepest descent, where the step will go), and
  Nesterov's look-ahead point as ~. Beside the plot, for one optimiser, the table of the
  iterates (t, the coordinates, f) filling in value by value; for several, a legend with a
  sparkline of f per iteration for each. The box holds the start, every iterate and, unless
  the paths would shrink to a dot, the minimum (found numerically, ★); otherwise an arrow in
  the legend says where the minimum lies;
* one variable: the curve f(x) with the iterates on it, and the same table or legend;
* more variables: the table alone (one optimiser), or each optimiser's current point and f.

At 80×24 the picture takes 11 rows, what the app gives it; at 100 columns and more it is
drawn taller when the screen has room (Rich tells it the height it may take).

The function's values come from the formula the engine registered for the steps of f
(``stepper.formulas.registered``), compiled by ``stepper.lesson.formula.numeric``. Like the
other pictures it is headless (Rich only; sympy only once a lesson has been solved), reads
only the solution and is a pure function of its arguments; what depends only on the solution
(the paths, the minimum, the box, the contour grid of each size) is cached for the last
solutions drawn, which it holds weakly.
"""

from __future__ import annotations

import bisect
import itertools
import math
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.style import Style
from rich.text import Text

from stepper.i18n import label
from stepper.numbers import pretty, shown
from stepper.picture import CURRENT_STYLE, HEADER_STYLE, MORE_STYLE, PENDING_STYLE, ROW_BUDGET
from stepper.solution_cache import PerSolution
from stepper.steps import Solution, Step

#: The shades of f's levels, low to high, and their colours: the valley is left blank.
SHADES = " ·:░▒▓"
_SHADE_COLOURS = ("#4a5a78", "#4a6f86", "#55807a", "#7c7f55", "#8a6a4e", "#8a5050")
SHADE_STYLES = tuple(Style(color=c) for c in _SHADE_COLOURS)
#: The minimum, found numerically.
MIN_MARK = "★"
MIN_STYLE = Style(color="bright_white", bold=True)
#: −∇f at the current point, once the gradient is revealed: where the steepest descent goes.
GRADIENT_STYLE = Style(color="bright_white", bold=True)
_ARROW_LENGTH = 7
#: Nesterov's look-ahead point, where it takes the derivative (x̃: a tilde).
AHEAD_MARK = "~"
#: The shared start of several optimisers.
START_MARK = "○"
#: Each optimiser's colour, in the lesson's order.
_PATH_COLOURS = ("#ffd75f", "#ff6e6e", "#6ee7a0", "#6ec8ff", "#ff8cf0", "#ffae5f", "#b4a0ff")
PATH_STYLES = tuple(Style(color=c, bold=True) for c in _PATH_COLOURS)
SPARKS = "▁▂▃▄▅▆▇█"
AXIS_STYLE = Style(dim=True)
#: Rows the picture takes: the app gives it 55 % of the screen, 11 rows at 80×24.
HEIGHT = ROW_BUDGET - 1
#: From this width on the picture is drawn taller, in up to ``TALL_HEIGHT`` rows, when the
#: screen leaves it room: the app gives it 55 % of the screen's height (``_SHARE``), less the
#: header and its border.
TALL_WIDTH = 100
TALL_HEIGHT = 16
_SHARE = 0.55
#: The fewest rows it is drawn in.
_LOWEST = 7
#: Where the minimum lies, seen from the box, by octant (0 = east, counter-clockwise).
_ARROWS = "→↗↑↖←↙↓↘"

#: The minimum is drawn in the box unless including it makes the box this many times larger
#: (its diagonal) than the iterates' own: their paths would then shrink to a few cells.
_MIN_ZOOM = 8.0
#: Room left around the box, as a share of its size.
_MARGIN = 0.15
_GAP = 2
#: The narrowest plot drawn beside its legend; narrower, the legend goes under it.
_MIN_PLOT = 20
_MAX_PLOT = 100
#: The plot's rows when the panel goes under it.
_STACKED_ROWS = 5
#: The longest sparkline: longer runs are resampled.
_MAX_SPARK = 24

_WORDS: dict[str, dict[str, str]] = {
    "es": {
        "per_iteration": "f por iteración",
        "start": "salida",
        "min": "mín",
        "log": "log",
        "descent": "descenso",
        "ahead": "mira adelante",
        "downhill": "máximo descenso",
    },
    "en": {
        "per_iteration": "f per iteration",
        "start": "start",
        "min": "min",
        "log": "log",
        "descent": "descent",
        "ahead": "look-ahead",
        "downhill": "steepest descent",
    },
}

Cell = tuple[str, Style | None]
Point = tuple[float, ...]


def optimize_picture(
    solution: Solution, revealed: int, current: int | None, lang: str, width: int
) -> RenderableType:
    """The plane of ``solution`` with ``steps[:revealed]`` drawn in, ``current`` highlighted.

    ``current`` is the index in ``solution.steps`` of the step being computed, or None (the
    title screen). The text is at most ``width`` cells wide and ``HEIGHT`` rows tall, or up to
    ``TALL_HEIGHT`` when it is ``TALL_WIDTH`` wide and the screen is tall enough. A lesson
    that is not an optimize lesson gives an empty text.
    """
    if solution.kind != "optimize" or not solution.steps or width <= 0:
        return Text("")
    if not _index(solution).paths:
        return Text("")
    return OptimizePicture(solution, revealed, current, lang if lang in _WORDS else "en", width)


@dataclass(frozen=True, slots=True)
class OptimizePicture:
    """The picture at one position, drawn when Rich knows how tall it may be: the app gives
    it a share of the screen (``_SHARE``), and a wide screen is drawn taller when it fits."""

    solution: Solution
    revealed: int
    current: int | None
    lang: str
    width: int

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.text(self.height(options))

    def height(self, options: ConsoleOptions) -> int:
        wanted = TALL_HEIGHT if self.width >= TALL_WIDTH else HEIGHT
        if options.height is not None:  # the app has measured it: exactly that
            return max(_LOWEST, min(wanted, options.height))
        return min(wanted, max(HEIGHT, int(options.max_height * _SHARE) - 2))

    def text(self, height: int = HEIGHT) -> Text:
        """The picture in ``height`` rows."""
        index = _index(self.solution)
        ctx = _Ctx(index, self.solution, self.revealed, self.current, self.lang, height)
        n = len(index.variables)
        if n == 2:
            lines = _plane(ctx, self.width)
        elif n == 1:
            lines = _curve(ctx, self.width)
        else:
            lines = _table_only(ctx, self.width)
        text = Text(no_wrap=True, overflow="crop")
        for k, line in enumerate(lines[:height]):
            if k:
                text.append("\n")
            line.rstrip()
            line.truncate(self.width)
            text.append_text(line)
        return text


# --- the paths, read once from the steps -------------------------------------------------------


@dataclass(slots=True)
class _Path:
    """One optimiser's run: its points and f per iteration, and the step that gives each."""

    prefix: str
    family: str
    first: int
    last: int = 0
    points: list[list[float]] = field(default_factory=list)
    texts: list[list[str]] = field(default_factory=list)
    at: list[list[int]] = field(default_factory=list)
    f: list[float] = field(default_factory=list)
    f_text: list[str] = field(default_factory=list)
    f_at: list[int] = field(default_factory=list)
    families: set[str] = field(default_factory=set)
    ahead: dict[int, list[float]] = field(default_factory=dict)
    ahead_at: dict[int, list[int]] = field(default_factory=dict)
    ahead_names: list[str] = field(default_factory=list)
    grad: dict[int, list[float]] = field(default_factory=dict)
    grad_at: dict[int, list[int]] = field(default_factory=dict)
    marker: str = ""
    style: Style = PATH_STYLES[0]
    line_style: Style = PATH_STYLES[0]
    #: The position of the last step of each point: it is revealed once that step is.
    ready: list[int] = field(default_factory=list)

    def shown_at(self, t: int, revealed: int) -> bool:
        """Whether point t has all its coordinates revealed."""
        return self.ready[t] < revealed

    def latest(self, revealed: int) -> int:
        """The last iteration whose point is revealed (0, the start, is always known)."""
        return max(0, bisect.bisect_left(self.ready, revealed) - 1)

    def point(self, t: int) -> Point:
        return tuple(self.points[t])

    def record(self, k: int, step: Step, variables: tuple[str, ...], end: int) -> None:
        """Step k of this optimiser: a coordinate, f, or a state whose name says which
        optimiser this is. Points not revealed yet are known only by their steps' positions."""
        self.last = k
        own = step.key[len(self.prefix) :]
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
            self.families.add(family)
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


#: The optimiser an id names, from the state its steps keep.
def _optimizer_name(families: set[str]) -> str:
    if "ahead" in families:
        return "nesterov"
    if "m" in families:
        return "adam"
    if "Eg2" in families:
        return "adadelta"
    if "G" in families:
        return "adagrad"
    if "v" in families:
        return "momentum"
    return "gradient_descent"


_KNOWN = {"gradient_descent", "momentum", "nesterov", "adagrad", "adadelta", "adam"}


@dataclass(slots=True)
class _Index:
    """What a picture of one solution needs that does not depend on the position."""

    ref: weakref.ref[Solution]
    variables: tuple[str, ...]
    names: tuple[str, ...]
    paths: list[_Path]
    expression: str | None
    _fn: Callable[[Sequence[float]], float] | bool | None = False
    _minimum: Point | bool | None = False
    _box: tuple[float, ...] | None = None
    _near: bool = False
    grids: dict[tuple[float, ...], list[list[int]]] = field(default_factory=dict)
    levels: _Levels | None = None
    _spark: tuple[float, float, bool] | None = None
    _f_width: int | None = None

    @classmethod
    def build(cls, solution: Solution) -> _Index:
        paths: list[_Path] = []
        variables: tuple[str, ...] = ()
        names: tuple[str, ...] = ()
        expression: str | None = None
        path: _Path | None = None
        end = len(solution.steps)
        for k, step in enumerate(solution.steps):
            if step.key.endswith("f") and step.iteration == 0 and step.operands:
                prefix = step.key[:-1]
                keys = tuple(q.key for q in step.operands)
                if (prefix and not prefix.endswith(".")) or not all(
                    key.startswith(prefix) for key in keys
                ):
                    continue
                if not variables:
                    variables = tuple(key[len(prefix) :] for key in keys)
                    names = tuple(q.sym.unicode() for q in step.operands)
                    if step.template == "expression" and step.params:
                        expression = str(step.params[0])
                path = _Path(prefix, "", k)
                path.points.append([q.value for q in step.operands])
                path.texts.append([q.shown for q in step.operands])
                path.at.append([-1] * len(keys))
                path.f.append(step.value)
                path.f_text.append(step.shown)
                path.f_at.append(k)
                path.last = k
                paths.append(path)
            elif path is not None and step.key.startswith(path.prefix):
                path.record(k, step, variables, end)
        many = len(paths) > 1
        for i, p in enumerate(paths):
            p.family = _optimizer_name(p.families)
            p.style = PATH_STYLES[i % len(PATH_STYLES)]
            p.line_style = Style(color=p.style.color)
            p.ready = [max(at) for at in p.at]
            p.marker = "1234567890"[i % 10] if many else ""
        return cls(weakref.ref(solution), variables, names, paths, expression)

    # The function ------------------------------------------------------------------------------

    def fn(self) -> Callable[[Sequence[float]], float] | None:
        """f as a float function of the point, or None when its formula is not at hand."""
        if self._fn is False:
            self._fn = _compile(self.expression, len(self.variables))
        return self._fn if callable(self._fn) else None

    def value(self, point: Sequence[float]) -> float:
        """f at the point, NaN where it is undefined."""
        fn = self.fn()
        if fn is None:
            return math.nan
        try:
            v = fn(point)
        except (ArithmeticError, ValueError):
            return math.nan
        return v if math.isfinite(v) else math.nan

    # Where to look -------------------------------------------------------------------------------

    def iterates(self) -> list[Point]:
        return [p.point(t) for p in self.paths for t in range(len(p.points))]

    def minimum(self) -> Point | None:
        """The minimum the optimisers head to, found by Nelder-Mead from the best iterate."""
        if self._minimum is False:
            self._minimum = _find_minimum(self)
        return self._minimum if isinstance(self._minimum, tuple) else None

    def box(self) -> tuple[tuple[float, ...], bool]:
        """(low, high per variable), and whether it holds the minimum."""
        if self._box is None:
            self._box, self._near = _box(self)
        return self._box, self._near

    def f_width(self) -> int:
        """The widest value of f shown."""
        if self._f_width is None:
            self._f_width = max(cell_len(pretty(t)) for p in self.paths for t in p.f_text)
        return self._f_width

    def spark_scale(self) -> tuple[float, float, bool]:
        """Low and high f of every path, and whether the sparklines are drawn in log."""
        if self._spark is None:
            values = [v for p in self.paths for v in p.f if math.isfinite(v)]
            lo, hi = (min(values), max(values)) if values else (0.0, 1.0)
            log = lo > 0 and hi / lo > 50
            self._spark = (lo, hi, log)
        return self._spark


def _compile(expression: str | None, n: int) -> Callable[[Sequence[float]], float] | None:
    if expression is None:
        return None
    try:
        from stepper.formulas import registered
        from stepper.lesson.formula import numeric

        expr, symbols = registered(expression)
        if len(symbols) != n:
            return None
        return numeric(expr, symbols)
    except (KeyError, ValueError, ImportError, AttributeError):
        return None


#: The index of each solution drawn lately (see stepper.solution_cache).
_index = PerSolution(_Index.build, 3)
#: Contour grids kept per solution (one per size the app was drawn at).
_GRIDS = 4


# --- the minimum and the box -------------------------------------------------------------------


def _find_minimum(index: _Index) -> Point | None:
    """Nelder-Mead from the lowest iterate: the minimum of the region the optimisers are in,
    or None when f has none there (it keeps falling) or cannot be evaluated."""
    n = len(index.variables)
    if n > 2 or index.fn() is None:
        return None
    points = index.iterates()
    values = [_or_inf(v) for p in index.paths for v in p.f]
    best = points[min(range(len(points)), key=values.__getitem__)]
    spans = [max(p[i] for p in points) - min(p[i] for p in points) for i in range(n)]
    size = max(*spans, 1e-3 * max(1.0, *(abs(v) for v in best)))
    found = _nelder_mead(lambda p: _or_inf(index.value(p)), best, size)
    if found is None:
        return None
    reach = 1e3 * (size + max(abs(v) for v in best))
    if any(abs(a - b) > reach for a, b in zip(found, best, strict=True)):
        return None
    return found


def _or_inf(v: float) -> float:
    return v if math.isfinite(v) else math.inf


def _nelder_mead(
    fn: Callable[[Sequence[float]], float], start: Point, size: float, limit: int = 1500
) -> Point | None:
    """The textbook simplex search; None unless it converges within ``limit`` moves."""
    n = len(start)
    simplex = [list(start)]
    for i in range(n):
        p = list(start)
        p[i] += size
        simplex.append(p)
    values = [fn(p) for p in simplex]
    for _ in range(limit):
        order = sorted(range(n + 1), key=values.__getitem__)
        simplex = [simplex[i] for i in order]
        values = [values[i] for i in order]
        best, worst = values[0], values[-1]
        diameter = max(abs(a - b) for p in simplex[1:] for a, b in zip(p, simplex[0], strict=True))
        scale = max(1.0, *(abs(v) for v in simplex[0]))
        if (
            math.isfinite(worst)
            and diameter < 1e-7 * scale
            and worst - best <= 1e-10 * (1 + abs(best))
        ):
            return tuple(simplex[0])
        centre = [sum(p[i] for p in simplex[:-1]) / n for i in range(n)]
        far = simplex[-1]

        def toward(c: float, centre: list[float] = centre, far: list[float] = far) -> list[float]:
            """The point c times as far past the centre as the worst vertex is before it."""
            return [a + c * (a - b) for a, b in zip(centre, far, strict=True)]

        reflected = toward(1.0)
        fr = fn(reflected)
        if fr < best:
            expanded = toward(2.0)
            fe = fn(expanded)
            simplex[-1], values[-1] = (expanded, fe) if fe < fr else (reflected, fr)
        elif fr < values[-2]:
            simplex[-1], values[-1] = reflected, fr
        else:
            contracted = toward(0.5) if fr < worst else toward(-0.5)
            fc = fn(contracted)
            if fc < min(fr, worst):
                simplex[-1], values[-1] = contracted, fc
            else:
                low = simplex[0]
                simplex = [low] + [
                    [a + 0.5 * (b - a) for a, b in zip(low, p, strict=True)] for p in simplex[1:]
                ]
                values = [values[0]] + [fn(p) for p in simplex[1:]]
    return None


def _box(index: _Index) -> tuple[tuple[float, ...], bool]:
    """(lo₁, hi₁, lo₂, hi₂, …): every iterate, and the minimum unless it is far, with a margin."""
    points = index.iterates()
    n = len(index.variables)
    lo = [min(p[i] for p in points) for i in range(n)]
    hi = [max(p[i] for p in points) for i in range(n)]
    minimum = index.minimum()
    near = False
    if minimum is not None:
        lo2 = [min(a, m) for a, m in zip(lo, minimum, strict=True)]
        hi2 = [max(a, m) for a, m in zip(hi, minimum, strict=True)]
        own = math.dist(lo, hi)
        both = math.dist(lo2, hi2)
        if own == 0 or both <= _MIN_ZOOM * own:
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
        pad = (b - a) * _MARGIN
        out += [a - pad, b + pad]
    return tuple(out), near


# --- the position ------------------------------------------------------------------------------


@dataclass(slots=True)
class _Ctx:
    index: _Index
    solution: Solution
    revealed: int
    current: int | None
    lang: str
    height: int = HEIGHT
    path: _Path | None = None

    def __post_init__(self) -> None:
        if self.current is not None:
            self.path = next(
                (p for p in self.index.paths if p.first <= self.current <= p.last), None
            )

    def word(self, key: str) -> str:
        return _WORDS[self.lang][key]

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

    def many(self) -> bool:
        return len(self.index.paths) > 1

    def iteration(self) -> int | None:
        """The iteration the current step belongs to."""
        if self.current is None or self.path is None:
            return None
        return self.solution.steps[self.current].iteration

    def name(self, path: _Path) -> str:
        own = path.prefix[:-1]
        if own and own not in _KNOWN:
            return own
        if path.family == "gradient_descent":
            text = self.word("descent")
        else:
            text = label(f"optimizer.{path.family}", self.lang)
        return text[:1].upper() + text[1:]


# --- numbers -----------------------------------------------------------------------------------


def _num(v: float, decimals: int) -> str:
    return pretty(shown(v, decimals))


def _nice_ticks(lo: float, hi: float, most: int) -> tuple[list[float], int]:
    """Round values between lo and hi, at most ``most`` of them, and their decimals."""
    span = hi - lo
    if span <= 0 or not math.isfinite(span):
        return [lo], 2
    raw = span / max(1, most)
    exp = math.floor(math.log10(raw))
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


def _compact(v: float) -> str:
    """A level or a minimum, to about three figures."""
    if v == 0 or not math.isfinite(v):
        return "0"
    digits = max(0, 2 - math.floor(math.log10(abs(v))))
    return _num(v, min(digits, 6))


# --- the contour grid --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Levels:
    """Where f's shades change: ``len(SHADES)`` bands between low and high, evenly spaced in
    f, or in log(f − low + floor) when f is a steep valley (most of the box is near its low)."""

    low: float
    high: float
    log: bool
    floor: float

    def of(self, v: float) -> int:
        """The band of a value, or -1 where f is undefined."""
        if not math.isfinite(v):
            return -1
        bands, span = len(SHADES), self.high - self.low
        if span <= 0:
            return 0
        if self.log:
            bottom = math.log(self.floor)
            t = (math.log(max(v - self.low, 0.0) + self.floor) - bottom) / (
                math.log(span + self.floor) - bottom
            )
        else:
            t = (v - self.low) / span
        return min(bands - 1, max(0, int(t * bands)))


#: The grid f's levels are chosen on, whatever the size drawn: the shades mean the same at
#: every width.
_SAMPLE = (48, 16)


def _levels(index: _Index) -> _Levels | None:
    if index.levels is not None or index.fn() is None:
        return index.levels
    box, _ = index.box()
    values = sorted(v for row in _values(index, box, *_SAMPLE) for v in row if math.isfinite(v))
    if not values:
        return None
    low, high = values[0], values[-1]
    span = high - low
    median = values[len(values) // 2]
    log = span > 0 and (median - low) < 0.15 * span
    floor = max(values[len(values) // 10] - low, span * 1e-6) if log else 0.0
    index.levels = _Levels(low, high, log, floor)
    return index.levels


def _values(index: _Index, box: tuple[float, ...], cols: int, rows: int) -> list[list[float]]:
    """f at the centre of every cell of the box, row 0 at the top."""
    x0, x1, y0, y1 = box
    dx, dy = (x1 - x0) / cols, (y1 - y0) / rows
    value = index.value
    return [
        [value((x0 + (c + 0.5) * dx, y1 - (r + 0.5) * dy)) for c in range(cols)]
        for r in range(rows)
    ]


def _grid(index: _Index, box: tuple[float, ...], cols: int, rows: int) -> list[list[int]] | None:
    """The band of every cell (-1 where f is undefined), cached per size."""
    key = (*box, cols, rows)
    hit = index.grids.get(key)
    if hit is not None:
        return hit
    levels = _levels(index)
    if levels is None:
        return None
    grid = [[levels.of(v) for v in row] for row in _values(index, box, cols, rows)]
    index.grids[key] = grid
    while len(index.grids) > _GRIDS:
        del index.grids[next(iter(index.grids))]
    return grid


# --- drawing on a canvas -----------------------------------------------------------------------


class _Canvas:
    """Rows of cells, with points placed by their coordinates in a box."""

    def __init__(self, cols: int, rows: int, box: tuple[float, float, float, float]) -> None:
        self.cols, self.rows = cols, rows
        self.x0, self.x1, self.y0, self.y1 = box
        self.cells: list[list[Cell]] = [[(" ", None)] * cols for _ in range(rows)]

    def at(self, x: float, y: float) -> tuple[float, float]:
        """Continuous (column, row) of a point."""
        c = (x - self.x0) / (self.x1 - self.x0) * self.cols
        r = (self.y1 - y) / (self.y1 - self.y0) * self.rows
        return c, r

    def spot(self, c: float, r: float) -> tuple[int, int] | None:
        """The cell at continuous (column, row), pulled inside the canvas."""
        if not (math.isfinite(c) and math.isfinite(r)):
            return None
        return min(self.cols - 1, max(0, int(c))), min(self.rows - 1, max(0, int(r)))

    def put(self, x: float, y: float, char: str, style: Style | None) -> None:
        self.mark(self.at(x, y), char, style)

    def mark(self, at: tuple[float, float], char: str, style: Style | None) -> None:
        spot = self.spot(*at)
        if spot is not None:
            self.cells[spot[1]][spot[0]] = (char, style)

    def segment(self, a: Point, b: Point, style: Style | None) -> None:
        self.line(self.at(*a), self.at(*b), style)

    def line(self, a: tuple[float, float], b: tuple[float, float], style: Style | None) -> None:
        """A line between two continuous (column, row), its cells drawn with ─ │ ╱ ╲ by its
        direction on screen, its ends left to their marks."""
        ca, cb = self.spot(*a), self.spot(*b)
        if ca is None or cb is None or ca == cb:
            return
        (c0, r0), (c1, r1) = a, b
        dc, dr = c1 - c0, r1 - r0
        run, rise = abs(dc), abs(dr) * 2  # a cell is about twice as tall as it is wide
        if rise < 0.41 * run:
            char = "─"
        elif rise > 2.41 * run:
            char = "│"
        else:
            char = "╲" if (dc > 0) == (dr > 0) else "╱"
        steps = max(2, int(max(abs(dc), abs(dr)) * 3) + 1)
        for k in range(1, steps):
            f = k / steps
            c, r = int(c0 + f * dc), int(r0 + f * dr)
            if 0 <= c < self.cols and 0 <= r < self.rows and (c, r) not in (ca, cb):
                self.cells[r][c] = (char, style)

    def arrow(self, a: Point, direction: Point, length: float, style: Style) -> str | None:
        """A line from a along ``direction`` (in f's units), ``length`` columns long on
        screen, ended by an arrowhead; the head drawn, or None when there is none."""
        c0, r0 = self.at(*a)
        dc = direction[0] / (self.x1 - self.x0) * self.cols
        dr = -direction[1] / (self.y1 - self.y0) * self.rows
        size = math.hypot(dc, 2 * dr)
        if not math.isfinite(size) or size == 0:
            return None
        dc, dr = dc / size * length, dr / size * length
        c1, r1 = c0 + dc, r0 + dr
        if not (0 <= c1 < self.cols and 0 <= r1 < self.rows):
            return None
        end = (
            self.x0 + c1 / self.cols * (self.x1 - self.x0),
            self.y1 - r1 / self.rows * (self.y1 - self.y0),
        )
        self.segment(a, end, style)
        head = _ARROWS[round(math.atan2(-2 * dr, dc) / (math.pi / 4)) % 8]
        self.cells[int(r1)][int(c1)] = (head, style)
        return head

    def lines(self) -> list[Text]:
        out = []
        for row in self.cells:
            out.append(_cells_text(row))
        return out


def _cells_text(row: Sequence[Cell]) -> Text:
    text = Text()
    run, style = "", None
    for ch, st in row:
        if st != style and run:
            text.append(run, style)
            run = ""
        run += ch
        style = st
    if run:
        text.append(run, style)
    return text


def _marker(ctx: _Ctx, path: _Path, t: int) -> str:
    if ctx.many():
        return START_MARK if t == 0 else path.marker
    if len(path.points) <= 10:
        return str(t)
    return "0" if t == 0 else "•"


def _draw_paths(ctx: _Ctx, canvas: _Canvas) -> str | None:
    """Every revealed path, joined in order (in the plane; on the curve its points alone); the
    current optimiser's last, the point it works from lit, its look-ahead point, and −∇f
    from it once the gradient is known. The arrow's head, if drawn."""
    index, revealed = ctx.index, ctx.revealed
    order = [p for p in index.paths if p is not ctx.path]
    if ctx.path is not None:
        order.append(ctx.path)
    plane = len(index.variables) == 2
    screen = {}
    for path in order:
        last = path.latest(revealed)
        if plane:
            points = [canvas.at(p[0], p[1]) for p in path.points[: last + 1]]
        else:
            points = [canvas.at(path.points[t][0], path.f[t]) for t in range(last + 1)]
        screen[id(path)] = points
        if plane:
            for a, b in itertools.pairwise(points):
                canvas.line(a, b, path.line_style)
    head = None
    ahead = ctx.ahead() if plane else None
    gradient = ctx.gradient() if plane else None
    if gradient is not None and ctx.path is not None:
        at = ahead or ctx.path.point(ctx.path.latest(revealed))
        downhill = tuple(-g for g in gradient)
        head = canvas.arrow(at, downhill, _ARROW_LENGTH, GRADIENT_STYLE)
    for path in order:
        for t, at_t in enumerate(screen[id(path)]):
            canvas.mark(at_t, _marker(ctx, path, t), path.style)
    if ctx.path is not None:
        path = ctx.path
        if ahead is not None:
            canvas.put(ahead[0], ahead[1], AHEAD_MARK, path.style)
        points = screen[id(path)]
        char = path.marker or _marker(ctx, path, len(points) - 1)
        canvas.mark(points[-1], char, CURRENT_STYLE + Style(color=path.style.color))
    return head


# --- two variables: the plane ------------------------------------------------------------------


def _plane(ctx: _Ctx, width: int) -> list[Text]:
    index = ctx.index
    base, near = index.box()
    height = ctx.height
    panel, panel_width = _panel(ctx, height, contour=True)
    rows = height - 2

    def room(box: tuple[float, ...], rows: int) -> tuple[dict[int, str], int, int]:
        ticks = _y_ticks(box[2], box[3], rows)
        left = max([cell_len(index.names[1])] + [cell_len(t) for t in ticks.values()])
        return ticks, left, width - left - 1 - _GAP - panel_width

    _, _, cols = room(base, rows)
    beside = cols >= _MIN_PLOT
    if not beside:  # too narrow: the plot, and under it what is left of the panel
        rows = _STACKED_ROWS
        panel = _panel(ctx, height - 2 - rows, contour=True)[0]
        cols = width - room(base, rows)[1] - 1
    box = _aspect(base, max(4, min(cols, _MAX_PLOT)), rows)
    y_ticks, left, cols = room(box, rows)
    if not beside:
        cols = width - left - 1
    cols = max(4, min(cols, _MAX_PLOT))
    canvas = _Canvas(cols, rows, (box[0], box[1], box[2], box[3]))
    grid = _grid(index, box, cols, rows)
    if grid is not None:
        for r, row in enumerate(grid):
            canvas.cells[r] = [(SHADES[v], SHADE_STYLES[v]) if v >= 0 else (" ", None) for v in row]
    minimum = index.minimum()
    if minimum is not None and near:
        canvas.put(minimum[0], minimum[1], MIN_MARK, MIN_STYLE)
    head = _draw_paths(ctx, canvas)
    panel = [_with_head(line, head) for line in panel]
    plot = _framed(canvas.lines(), y_ticks, index.names[1], left)
    plot += _x_axis(box[0], box[1], cols, left, index.names[0])
    if beside:
        return _beside(plot, left + 1 + cols + _GAP, panel)
    return plot + panel


#: Where the note on −∇f shows the arrowhead drawn.
_HEAD = "⇣"


def _with_head(line: Text, head: str | None) -> Text:
    if not line.plain.startswith(_HEAD):
        return line
    if head is None:
        return Text("")
    out = Text()
    out.append(head, GRADIENT_STYLE)
    out.append_text(line[1:])
    return out


#: The most one axis is stretched against the other on screen (a cell is about twice as tall
#: as it is wide): past it the narrower range is widened, so that a round bowl looks round
#: enough and the gradient crosses the contour lines at about a right angle.
_STRETCH = 2.5


def _aspect(box: tuple[float, ...], cols: int, rows: int) -> tuple[float, ...]:
    x0, x1, y0, y1 = box
    per_col, per_row = (x1 - x0) / cols, (y1 - y0) / rows / 2
    if per_row > _STRETCH * per_col:
        half = per_row / _STRETCH * cols / 2
        middle = (x0 + x1) / 2
        return (middle - half, middle + half, y0, y1)
    if per_col > _STRETCH * per_row:
        half = per_col / _STRETCH * rows * 2 / 2
        middle = (y0 + y1) / 2
        return (x0, x1, middle - half, middle + half)
    return box


def _y_ticks(lo: float, hi: float, rows: int) -> dict[int, str]:
    """Row -> the label of the round value nearest the row's centre (none on the top row,
    which names the axis)."""
    ticks, decimals = _nice_ticks(lo, hi, max(2, rows // 2))
    out: dict[int, str] = {}
    for v in ticks:
        r = int((hi - v) / (hi - lo) * rows)
        if 1 <= r < rows and r not in out and r - 1 not in out and r + 1 not in out:
            out[r] = _num(v, decimals)
    return out


def _framed(lines: list[Text], ticks: dict[int, str], name: str, left: int) -> list[Text]:
    out = []
    for r, line in enumerate(lines):
        text = Text()
        if r in ticks:
            text.append(ticks[r].rjust(left) + "┤", AXIS_STYLE)
        elif r == 0:
            text.append(name.rjust(left), HEADER_STYLE)
            text.append("│", AXIS_STYLE)
        else:
            text.append(" " * left + "│", AXIS_STYLE)
        text.append_text(line)
        out.append(text)
    return out


def _x_axis(lo: float, hi: float, cols: int, left: int, name: str) -> list[Text]:
    """The axis under the plot with its ticks, and their values under them."""
    for most in range(max(2, cols // 8), 1, -1):
        ticks, decimals = _nice_ticks(lo, hi, most)
        placed: list[tuple[int, str]] = []
        end = -2
        fits = True
        for v in ticks:
            c = int((v - lo) / (hi - lo) * cols)
            if not 0 <= c < cols:
                continue
            text = _num(v, decimals)
            start = max(0, min(cols - cell_len(text), c - cell_len(text) // 2))
            if start <= end + 1:
                fits = False
                break
            placed.append((c, text))
            end = start + cell_len(text)
        if fits:
            break
    axis = ["─"] * cols
    labels = [" "] * (cols + 2)
    for c, text in placed:
        axis[c] = "┬"
        start = max(0, min(cols - cell_len(text), c - cell_len(text) // 2))
        labels[start : start + len(text)] = list(text)
    used = max((i for i, ch in enumerate(labels) if ch != " "), default=-2)
    line = Text(" " * left + "└" + "".join(axis), AXIS_STYLE)
    width = cell_len(name)
    under = Text()
    if used + 3 + width <= cols:  # the axis's name at its end, or else before its values
        labels[cols - width : cols] = list(name)
        under.append(" " * (left + 1))
    else:
        under.append(name.rjust(left), HEADER_STYLE)
        under.append(" ")
    text = "".join(labels).rstrip()
    if used + 3 + width <= cols:
        under.append(text[: cols - width], AXIS_STYLE)
        under.append(text[cols - width :], HEADER_STYLE)
    else:
        under.append(text, AXIS_STYLE)
    return [line, under]


def _beside(left: list[Text], at: int, right: list[Text]) -> list[Text]:
    out = []
    for k in range(max(len(left), len(right))):
        line = left[k].copy() if k < len(left) else Text()
        if k < len(right) and right[k].plain:
            pad = at - cell_len(line.plain)
            line.append(" " * max(0, pad))
            line.append_text(right[k])
        out.append(line)
    return out


# --- one variable: the curve -------------------------------------------------------------------


def _curve(ctx: _Ctx, width: int) -> list[Text]:
    index = ctx.index
    (x0, x1), near = index.box()
    height = ctx.height
    panel, panel_width = _panel(ctx, height, contour=False)
    rows = height - 2
    lo, hi = _f_range(index)
    y_ticks = _y_ticks(lo, hi, rows)
    left = max([cell_len("f")] + [cell_len(t) for t in y_ticks.values()])
    cols = width - left - 1 - _GAP - panel_width
    beside = cols >= _MIN_PLOT
    if not beside:
        cols = width - left - 1
        rows = _STACKED_ROWS
        y_ticks = _y_ticks(lo, hi, rows)
        panel = _panel(ctx, height - 2 - rows, contour=False)[0]
    cols = max(4, min(cols, _MAX_PLOT))
    canvas = _Canvas(cols, rows, (x0, x1, lo, hi))
    dx = (x1 - x0) / cols
    previous: int | None = None
    curve = SHADE_STYLES[3]
    for c in range(cols):
        v = index.value((x0 + (c + 0.5) * dx,))
        if not math.isfinite(v):
            previous = None
            continue
        row = min(rows - 1, max(0, int(canvas.at(x0, v)[1])))
        low, high = (row, row) if previous is None else (min(row, previous), max(row, previous))
        for r in range(low, high + 1):
            canvas.cells[r][c] = ("·", curve)
        previous = row
    minimum = index.minimum()
    if minimum is not None and near:
        canvas.put(minimum[0], index.value(minimum), MIN_MARK, MIN_STYLE)
    _draw_paths(ctx, canvas)
    plot = _framed(canvas.lines(), y_ticks, "f", left)
    plot += _x_axis(x0, x1, cols, left, index.names[0])
    if beside:
        return _beside(plot, left + 1 + cols + _GAP, panel)
    return plot + panel


def _f_range(index: _Index) -> tuple[float, float]:
    """The values of f the curve's axis spans: f over the box, and at every iterate."""
    (x0, x1), _ = index.box()
    values = [index.value((x0 + (x1 - x0) * k / 200,)) for k in range(201)]
    values += [v for p in index.paths for v in p.f]
    finite = [v for v in values if math.isfinite(v)] or [0.0, 1.0]
    lo, hi = min(finite), max(finite)
    if hi - lo <= 0:
        lo, hi = lo - 1, hi + 1
    pad = (hi - lo) * 0.08
    return lo - pad, hi + pad


# --- the table or legend beside the plot -------------------------------------------------------


def _panel(ctx: _Ctx, height: int, *, contour: bool) -> tuple[list[Text], int]:
    """The legend or the table of iterates, then the notes (−∇f, the look-ahead, the minimum,
    the key of the shades); and the width it takes at any position of the walk, so that the
    plot beside it keeps its size while notes come and go."""
    extra = _notes(ctx, contour)
    every = _notes(ctx, contour, every=True)
    if ctx.many():
        lines = _legend(ctx, height)
    else:
        below = len(every) + 1
        lines = _iterates(ctx, height - below if height - below >= 5 else height)
    widest = max((cell_len(line.plain) for line in lines + every), default=0)
    room = height - len(lines)
    if room > len(extra):
        lines.append(Text(""))
    return (lines + extra[: max(0, room)])[: max(0, height)], widest


def _notes(ctx: _Ctx, contour: bool, *, every: bool = False) -> list[Text]:
    """The notes under the legend: −∇f while its arrow is drawn, Nesterov's look-ahead point
    while it is, the minimum (with an arrow when it is out of the box) and the key of the
    shades; with ``every``, each note the lesson ever shows."""
    index = ctx.index
    out = []
    if contour and (ctx.gradient() is not None or (every and any(p.grad for p in index.paths))):
        out.append(Text(_HEAD + f" −∇f: {ctx.word('downhill')}"))  # the head is put in once drawn
    ahead: _Path | None = ctx.path if ctx.ahead() is not None else None
    if every:
        ahead = next((p for p in index.paths if p.ahead), None)
    if ahead is not None and len(index.variables) <= 2:
        text = Text()
        text.append(AHEAD_MARK, ahead.style)
        names = ", ".join(ahead.ahead_names)
        if len(index.variables) > 1:
            names = f"({names})"
        text.append(f" {names} {ctx.word('ahead')}")
        out.append(text)
    minimum = index.minimum()
    if minimum is not None:
        box, near = index.box()
        text = Text()
        text.append(MIN_MARK, MIN_STYLE)
        where = ", ".join(_compact(v) for v in minimum)
        text.append(
            f" {ctx.word('min')} ≈ ({where})"
            if len(minimum) > 1
            else f" {ctx.word('min')} ≈ {where}"
        )
        if not near:
            text.append(" " + _arrow(box, minimum), HEADER_STYLE)
        out.append(text)
    if contour:
        levels = _levels(index)
        if levels is not None:
            span = levels.high - levels.low
            decimals = max(0, 1 - math.floor(math.log10(span))) if span > 0 else 2
            text = Text(f"f {_num(levels.low, decimals)} ")
            for k, ch in enumerate(SHADES):
                text.append(ch, SHADE_STYLES[k])
            text.append(" " + _num(levels.high, decimals))
            if levels.log:
                text.append(f" ({ctx.word('log')})", MORE_STYLE)
            out.append(text)
    return out


def _arrow(box: tuple[float, ...], point: Point) -> str:
    x0, x1, y0, y1 = box
    dx = (point[0] - (x0 + x1) / 2) / (x1 - x0)
    dy = (point[1] - (y0 + y1) / 2) / (y1 - y0)
    angle = math.atan2(dy, dx)
    return _ARROWS[round(angle / (math.pi / 4)) % 8]


def _iterates(ctx: _Ctx, lines: int) -> list[Text]:
    """t, the coordinates and f of every iteration so far, the one being computed lit, in
    ``lines`` lines (a long run: the start, ⋮, the rows around the current one, and a
    sparkline of f)."""
    index = ctx.index
    path = index.paths[0]
    revealed = ctx.revealed
    total = len(path.points)
    headers = ["t", *index.names, "f"]
    widths = [len(str(total - 1))]
    for i in range(len(index.names)):
        widths.append(max(cell_len(pretty(path.texts[t][i])) for t in range(total)))
    widths.append(max(cell_len(pretty(s)) for s in path.f_text))
    widths = [max(w, cell_len(h)) for w, h in zip(widths, headers, strict=True)]
    head = Text("  ".join(h.rjust(w) for h, w in zip(headers, widths, strict=True)), HEADER_STYLE)
    busy = ctx.iteration() if ctx.path is path else None
    lines = max(lines, 3)
    rows = lines - 1 if total <= lines - 1 else lines - 2
    shown_rows = _window(total, rows, busy if busy is not None else path.latest(revealed))
    out = [head]
    for t in shown_rows:
        if t is None:
            out.append(Text("⋮", MORE_STYLE))
            continue
        line = Text()
        if t == busy:
            style = CURRENT_STYLE
        elif path.shown_at(t, revealed):
            style = path.style
        else:
            style = PENDING_STYLE
        line.append(str(t).rjust(widths[0]), style)
        cells = [
            (pretty(path.texts[t][i]), path.at[t][i] < revealed) for i in range(len(index.names))
        ]
        cells.append((pretty(path.f_text[t]), path.f_at[t] < revealed))
        for (text, known), w in zip(cells, widths[1:], strict=True):
            line.append("  ")
            if known:
                line.append(text.rjust(w))
            else:
                line.append("·".rjust(w), PENDING_STYLE)
        out.append(line)
    if total > rows:
        out.append(_spark_line(ctx, path, Text("f "), value=False))
    return out


def _window(total: int, rows: int, focus: int) -> list[int | None]:
    """The iterations shown in ``rows`` rows: all, or the start, ⋮ and those around focus."""
    if total <= rows:
        return list(range(total))
    if rows < 4:  # no room for the start: the rows up to the one in focus
        end = min(total, max(focus + 1, rows))
        return list(range(end - rows, end))
    tail = rows - 2
    end = min(total, max(focus + 2, tail + 1))
    return [0, None, *range(end - tail, end)]


def _legend(ctx: _Ctx, height: int) -> list[Text]:
    """Each optimiser: its mark, name, a sparkline of f per iteration and its last f; over
    them a title, under them the shared start (left out, and then optimisers far from the
    current one, when ``height`` is short)."""
    index = ctx.index
    names = [ctx.name(p) for p in index.paths]
    name_width = max(cell_len(n) for n in names)
    rows = []
    for path, name in zip(index.paths, names, strict=True):
        line = Text()
        style = CURRENT_STYLE + Style(color=path.style.color) if path is ctx.path else path.style
        line.append(path.marker, style)
        line.append(" " + name.ljust(name_width) + " ")
        _spark_line(ctx, path, line)
        rows.append(line)
    start = Text()
    start.append(START_MARK, HEADER_STYLE)
    where = ", ".join(pretty(s) for s in index.paths[0].texts[0])
    start.append(f" {ctx.word('start')} ({where})")
    title = Text(ctx.word("per_iteration"), HEADER_STYLE)
    if len(rows) + 2 <= height:
        return [title, *rows, start]
    if len(rows) + 1 <= height:
        return [title, *rows]
    focus = index.paths.index(ctx.path) if ctx.path is not None else 0
    first = max(0, min(focus - height // 2, len(rows) - height))
    return rows[first : first + max(0, height)]


def _spark_line(ctx: _Ctx, path: _Path, line: Text, *, value: bool = True) -> Text:
    """f per iteration as ▁▂▃…█ (pending ones as ·), then the last f revealed."""
    lo, hi, log = ctx.index.spark_scale()
    total = len(path.f)
    cells = min(total, _MAX_SPARK)
    last_known: str | None = None
    for k in range(cells):
        first, end = k * total // cells, (k + 1) * total // cells
        known = [t for t in range(first, end) if path.f_at[t] < ctx.revealed]
        if not known:
            line.append("·", PENDING_STYLE)
            continue
        v = path.f[known[-1]]
        if log:
            s = (math.log(v) - math.log(lo)) / (math.log(hi) - math.log(lo)) if hi > lo else 0.0
        else:
            s = (v - lo) / (hi - lo) if hi > lo else 0.0
        line.append(SPARKS[min(len(SPARKS) - 1, max(0, round(s * (len(SPARKS) - 1))))], path.style)
    for t in range(total - 1, -1, -1):
        if path.f_at[t] < ctx.revealed:
            last_known = pretty(path.f_text[t])
            break
    if value:
        line.append(" " + (last_known or "").rjust(ctx.index.f_width()))
    return line


# --- more variables: the table -----------------------------------------------------------------


def _table_only(ctx: _Ctx, width: int) -> list[Text]:
    if not ctx.many():
        return _iterates(ctx, ctx.height)
    index = ctx.index
    names = [ctx.name(p) for p in index.paths]
    name_width = max(cell_len(n) for n in names)
    headers = [*index.names, "f"]
    columns: list[list[str]] = []
    for path in index.paths:
        t = path.latest(ctx.revealed)
        row = [pretty(s) for s in path.texts[t]]
        row.append(pretty(path.f_text[t]) if path.f_at[t] < ctx.revealed else "·")
        columns.append(row)
    widths = [max(cell_len(h), *(cell_len(r[i]) for r in columns)) for i, h in enumerate(headers)]
    head = Text(" " * (name_width + 2))
    for h, w in zip(headers, widths, strict=True):
        head.append(h.rjust(w) + "  ", HEADER_STYLE)
    out = [head]
    for path, name, row in zip(index.paths, names, columns, strict=True):
        line = Text()
        style = CURRENT_STYLE + Style(color=path.style.color) if path is ctx.path else path.style
        line.append(path.marker, style)
        line.append(" " + name.ljust(name_width) + " ")
        for text, w in zip(row, widths, strict=True):
            line.append(text.rjust(w) + "  ")
        _spark_line(ctx, path, line, value=False)
        out.append(line)
    return out[: ctx.height]
