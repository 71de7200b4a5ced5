"""How fast the app answers: time to the first screen, and the redraw after a key press.

The first-screen figure is taken in a fresh interpreter (imports included), from the start of
the process to the moment the title screen is mounted; whether the title screen's modules
import sympy is checked apart, since the worker that warms the formulas races with it. Key
presses are driven with Textual's Pilot and timed inside the app, from the action a key runs
to the end of the screen refresh that follows, for backprop-1 and for a generated 784-32-10
lesson (51,000 steps), plus the time of the walk screen's redraw alone. Each kind of key (Next,
Back, End, Home, next step, a goto by symbol) is reported apart, with its median and its worst:
the worst of all must stay under 50 ms on the big lesson. The full garbage collection waits
until no key has come for a second (``stepper.tui.idle_gc``): how many ran during the keys,
and what one costs when it runs, are reported too.

    python benchmarks/bench_app.py
"""

from __future__ import annotations

import asyncio
import gc
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.widgets import Input

    from stepper.tui.app import StepperApp

FIRST_SCREEN = """
import time, sys
start = time.perf_counter()
import asyncio
import gc
import os
from stepper.catalog import resolve
from stepper.lesson.load import load_lesson
from stepper.tui.app import StepperApp

async def main():
    app = StepperApp(load_lesson(resolve(sys.argv[1]).path))
    async with app.run_test(size=(80, 24)):
        took = time.perf_counter() - start
        print(f"{took:.3f}")

asyncio.run(main())
"""


def first_screen(lesson: str) -> float:
    """Median seconds from process start to the mounted title screen, over three runs."""
    runs = []
    for _ in range(3):
        out = subprocess.run(
            [sys.executable, "-c", FIRST_SCREEN, lesson], capture_output=True, text=True, check=True
        ).stdout.split()
        runs.append(float(out[0]))
    return statistics.median(runs)


#: What each key press is called in the report.
KINDS = {
    "n": "Next",
    "p": "Back",
    "end": "End",
    "home": "Home",
    "right_square_bracket": "next step",
    "enter": "goto",
}


Waits = dict[str, list[tuple[float, float]]]


@dataclass
class Figures:
    """What one lesson's run measured."""

    waits: Waits
    #: The walk screen's redraw alone, in seconds.
    redraw: float
    #: Full collections that ran while the keys were pressed, and one's cost, in seconds.
    collections: int
    collection: float


async def latencies(lesson_path: Path, keys: list[str]) -> Figures:
    """Key to screen, in seconds of wall clock and of the process's CPU, for each kind of key
    in ``keys``, and the walk screen's redraw alone. Measured inside the app: from the start of
    the action that a key runs (for a goto, from the Enter that closes the dialog) to the end of
    the compositor refresh that follows (what reaches the terminal). ``g`` and the letters typed
    into the goto dialog are not timed; the Enter that ends them is. The CPU figure is what the
    key costs whatever else the machine runs; the wall figure grows with the machine's load."""
    from textual.screen import Screen

    from stepper.lesson.load import load_lesson
    from stepper.tui.app import StepperApp
    from stepper.tui.screens.goto import GotoScreen
    from stepper.tui.screens.walk import WalkScreen

    waits: Waits = {}
    pending: list[tuple[float, float]] = []
    pressing = [""]
    moved, refresh = WalkScreen._moved, Screen._compositor_refresh
    submitted = GotoScreen.on_input_submitted

    def start() -> None:
        if not pending and pressing[0] in KINDS:
            pending.append((time.perf_counter(), time.process_time()))

    def timed_moved(self: WalkScreen, did: bool) -> None:
        start()
        moved(self, did)

    def timed_submitted(self: GotoScreen, event: Input.Submitted) -> None:
        start()
        submitted(self, event)

    def timed_refresh(self: Screen[object]) -> None:
        refresh(self)
        if pending:
            wall, cpu = pending.pop()
            took = (time.perf_counter() - wall, time.process_time() - cpu)
            waits.setdefault(KINDS[pressing[0]], []).append(took)

    WalkScreen._moved = timed_moved  # type: ignore[method-assign]
    GotoScreen.on_input_submitted = timed_submitted  # type: ignore[method-assign]
    Screen._compositor_refresh = timed_refresh  # type: ignore[method-assign]
    try:
        app = StepperApp(load_lesson(lesson_path))
        async with app.run_test(size=(100, 30)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.press("enter")
            await pilot.pause()
            for key in keys:
                pressing[0] = key
                await pilot.press(key)
                await pilot.pause()
                pending.clear()  # a key that moved nothing painted nothing
            redraw, collections, collection = afterwards(app)
    finally:
        WalkScreen._moved = moved  # type: ignore[method-assign]
        Screen._compositor_refresh = refresh  # type: ignore[method-assign]
        GotoScreen.on_input_submitted = submitted  # type: ignore[method-assign]
    return Figures(waits, redraw, collections, collection)


def afterwards(app: StepperApp) -> tuple[float, int, float]:
    """Once the keys are pressed: the walk screen's redraw alone, the full collections that ran
    during the keys, and what one costs now."""
    collections = app.collector.collected
    screen = app.screen
    begin = time.perf_counter()
    for _ in range(20):
        screen.redraw()  # type: ignore[attr-defined]
    redraw = (time.perf_counter() - begin) / 20
    begin = time.perf_counter()
    gc.collect()
    return redraw, collections, time.perf_counter() - begin


def report(name: str, figures: Figures) -> None:
    waits = figures.waits
    every = [w for kind in waits.values() for w in kind]
    print(
        f"{name}: key to screen, worst {max(w for w, _ in every) * 1000:.1f} ms wall "
        f"({max(c for _, c in every) * 1000:.1f} ms CPU), median "
        f"{statistics.median(w for w, _ in every) * 1000:.1f} ms wall; "
        f"walk screen redraw alone {figures.redraw * 1000:.1f} ms "
        f"(load average {os.getloadavg()[0]:.1f})"
    )
    print(
        f"    full collections during the keys: {figures.collections}; "
        f"one, run while idle: {figures.collection * 1000:.1f} ms"
    )
    for kind, times in waits.items():
        wall, cpu = [w for w, _ in times], [c for _, c in times]
        print(
            f"    {kind:<10} {len(times):3} presses: worst {max(wall) * 1000:6.1f} ms wall "
            f"({max(cpu) * 1000:5.1f} CPU), median {statistics.median(wall) * 1000:6.1f} ms wall "
            f"({statistics.median(cpu) * 1000:5.1f} CPU)"
        )


def main() -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    from bench_solve import big_lesson

    from stepper.catalog import resolve

    took = first_screen("backprop-1")
    check = "import sys, stepper.tui.app, stepper.tui.screens.title; print('sympy' in sys.modules)"
    sympy = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, check=True
    ).stdout.strip()
    print(
        f"first screen, backprop-1 (fresh process): {took:.3f} s; "
        f"the title screen's modules import sympy: {sympy}"
    )
    goto = ["g", "d", "2", "enter"]  # δ₂ by its ASCII name
    keys = ["n"] * 40 + ["p"] * 10 + ["right_square_bracket"] * 10 + ["end", "home", *goto]
    report("backprop-1", asyncio.run(latencies(resolve("backprop-1").path, keys)))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.yaml"
        big_lesson(path)
        goto = ["g", "u", "2", "0", "enter"]  # u₂₀, the first layer's 20th net input
        keys = ["n"] * 30 + ["end", "p", "p", "home", "right_square_bracket"] * 3 + goto + ["p"]
        report("784-32-10", asyncio.run(latencies(path, keys)))


if __name__ == "__main__":
    main()
