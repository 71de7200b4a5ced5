"""How fast the app answers: time to the first screen, and the redraw after a key press.

The first-screen figure is taken in a fresh interpreter (imports included), from the start of
the process to the moment the title screen is mounted; whether the title screen's modules
import sympy is checked apart, since the worker that warms the formulas races with it. Key
presses are driven with Textual's Pilot and timed inside the app, from the action a key runs
to the end of the screen refresh that follows, for backprop-1 and for a generated 784-32-10
lesson (51,000 steps), plus the time of the walk screen's redraw alone.

    python benchmarks/bench_app.py
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FIRST_SCREEN = """
import time, sys
start = time.perf_counter()
import asyncio
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


async def latencies(lesson_path: Path, keys: list[str]) -> tuple[float, float, float]:
    """Key to screen, in seconds: the median and the worst over ``keys``, and the walk screen's
    redraw alone. Measured inside the app: from the start of the action that a key runs to the
    end of the compositor refresh that follows (what reaches the terminal)."""
    from textual.screen import Screen

    from stepper.lesson.load import load_lesson
    from stepper.tui.app import StepperApp
    from stepper.tui.screens.walk import WalkScreen

    marks: list[tuple[str, float]] = []
    moved, refresh = WalkScreen._moved, Screen._compositor_refresh

    def timed_moved(self: WalkScreen, did: bool) -> None:
        marks.append(("key", time.perf_counter()))
        moved(self, did)

    def timed_refresh(self: Screen[object]) -> None:
        refresh(self)
        marks.append(("painted", time.perf_counter()))

    WalkScreen._moved = timed_moved  # type: ignore[method-assign]
    Screen._compositor_refresh = timed_refresh  # type: ignore[method-assign]
    try:
        app = StepperApp(load_lesson(lesson_path))
        async with app.run_test(size=(100, 30)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.press("enter")
            await pilot.pause()
            marks.clear()
            for key in keys:
                await pilot.press(key)
            screen = app.screen
            start = time.perf_counter()
            for _ in range(20):
                screen.redraw()  # type: ignore[attr-defined]
            redraw = (time.perf_counter() - start) / 20
    finally:
        WalkScreen._moved, Screen._compositor_refresh = moved, refresh  # type: ignore[method-assign]
    waits, pressed = [], None
    for kind, at in marks:
        if kind == "key":
            pressed = at
        elif pressed is not None:
            waits.append(at - pressed)
            pressed = None
    return statistics.median(waits), max(waits), redraw


def report(name: str, median: float, worst: float, redraw: float) -> None:
    print(
        f"{name}: key to screen {median * 1000:.1f} ms median, {worst * 1000:.1f} ms worst; "
        f"walk screen redraw alone {redraw * 1000:.1f} ms"
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
    keys = ["n"] * 40 + ["p"] * 10 + ["right_square_bracket"] * 10 + ["end", "home"]
    report("backprop-1", *asyncio.run(latencies(resolve("backprop-1").path, keys)))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.yaml"
        big_lesson(path)
        keys = ["n"] * 30 + ["end", "p", "p", "home", "right_square_bracket"]
        report("784-32-10", *asyncio.run(latencies(path, keys)))


if __name__ == "__main__":
    main()
