"""A small cache of what a picture builds from a solution, kept while the solution lives.

A walk draws the same solution hundreds of times, so the pictures index its steps once; but a
cache must not keep a 150,000-step lesson alive after the app has moved on (an edit, a reload),
so each entry holds its solution weakly and goes with it.
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

from stepper.steps import Solution

T = TypeVar("T")


class PerSolution(Generic[T]):
    """``build(solution)``, remembered for the last ``size`` solutions still alive."""

    def __init__(self, build: Callable[[Solution], T], size: int) -> None:
        self._build = build
        self._size = size
        self._items: OrderedDict[int, tuple[weakref.ref[Solution], T]] = OrderedDict()

    def __call__(self, solution: Solution) -> T:
        key = id(solution)
        hit = self._items.get(key)
        if hit is not None and hit[0]() is solution:
            self._items.move_to_end(key)
            return hit[1]
        value = self._build(solution)
        self._items[key] = (weakref.ref(solution), value)
        weakref.finalize(solution, self._forget, key)
        while len(self._items) > self._size:
            self._items.popitem(last=False)
        return value

    def _forget(self, key: int) -> None:
        hit = self._items.get(key)
        if hit is not None and hit[0]() is None:
            del self._items[key]
