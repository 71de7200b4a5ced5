"""Full garbage collections while the learner reads, not while the app answers a key.

Python's cycle collector runs its oldest generation when enough has piled up, wherever the
program stands: on a 784-32-10 lesson that is 13–20 ms in the middle of a key press, a third
of the 50 ms the app allows itself (the solution's own objects are frozen out of it already:
``StepperApp._adopt``). So the app keeps the two young generations automatic, which cost about
a millisecond, and runs the full collection itself once no key has come for ``IDLE`` seconds,
as often as Python would have run it (or at once if keys never stop for ``OVERDUE`` young
collections, so that memory is never left to grow). Reference counting frees everything
that is not a cycle, as always.
"""

from __future__ import annotations

import gc
import time

#: Seconds without a key (or a click) after which a full collection may run.
IDLE = 1.0
#: How often the app looks, in seconds.
LOOK = 0.5
#: Young collections after which a full one is due: what Python itself waits for.
DUE = 10
#: Young collections after which a full one runs even while keys keep coming.
OVERDUE = 200


class IdleCollector:
    """Holds the automatic full collection back and runs it when the app is idle."""

    def __init__(self) -> None:
        self.last_input = time.monotonic()
        self._thresholds: tuple[int, int, int] | None = None
        self.collected = 0

    def start(self) -> None:
        """Leave the full collection to ``look`` (the young ones stay automatic)."""
        if self._thresholds is None:
            self._thresholds = gc.get_threshold()
            young, middle, _ = self._thresholds
            gc.set_threshold(young, middle, 2**31 - 1)

    def stop(self) -> None:
        """Give Python its own thresholds back."""
        if self._thresholds is not None:
            gc.set_threshold(*self._thresholds)
            self._thresholds = None

    def touched(self) -> None:
        """A key or a click came: the learner is not reading now."""
        self.last_input = time.monotonic()

    def look(self) -> bool:
        """Run the full collection if it is due and the learner is idle (or it is overdue);
        say whether it ran."""
        pending = gc.get_count()[2]  # young collections since the last full one
        idle = time.monotonic() - self.last_input >= IDLE
        if not (pending >= DUE and idle) and pending < OVERDUE:
            return False
        gc.collect()
        self.collected += 1
        return True
