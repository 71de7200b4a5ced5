"""Nelder and Mead's simplex search, for the minimum the contour picture marks with ★.

The picture needs a minimum near where the optimisers walk, found without derivatives and
without scipy (the app stays light): the textbook method is enough for two variables.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

Point = tuple[float, ...]


def nelder_mead(
    fn: Callable[[Sequence[float]], float], start: Point, size: float, limit: int = 1500
) -> Point | None:
    """The textbook simplex search; None unless it converges within ``limit`` moves."""
    n = len(start)
    simplex = [list(start)]
    for i in range(n):
        p = list(start)
        p[i] += size
        simplex.append(p)
    found = [fn(p) for p in simplex]
    for _ in range(limit):
        order = sorted(range(n + 1), key=found.__getitem__)
        simplex = [simplex[i] for i in order]
        found = [found[i] for i in order]
        best, worst = found[0], found[-1]
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
            simplex[-1], found[-1] = (expanded, fe) if fe < fr else (reflected, fr)
        elif fr < found[-2]:
            simplex[-1], found[-1] = reflected, fr
        else:
            contracted = toward(0.5) if fr < worst else toward(-0.5)
            fc = fn(contracted)
            if fc < min(fr, worst):
                simplex[-1], found[-1] = contracted, fc
            else:
                low = simplex[0]
                simplex = [low] + [
                    [a + 0.5 * (b - a) for a, b in zip(low, p, strict=True)] for p in simplex[1:]
                ]
                found = [found[0]] + [fn(p) for p in simplex[1:]]
    return None
