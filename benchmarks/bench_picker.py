"""How fast the picker of ``stepper lesson`` (no LESSON) opens, and what its lengths would cost.

Each figure is the median of three fresh interpreters (imports included), as a learner meets
it: the app from the start of the process to the mounted list (Textual's first paint follows
at once), the plain list printed to a pipe, and, for the choice of where the lengths come
from, what the picker would pay before its first paint if it found the titles and the numbers
of steps itself: reading the recorded index (what it does), loading the 35 lessons for their
titles, loading and solving them for their lengths. The baseline is what every command of the
CLI imports anyway (the lesson loader, pydantic): the choices differ by what they add to it.

    python benchmarks/bench_picker.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile

BASE = """
import time
start = time.perf_counter()
import stepper.cli, stepper.lesson.load
print(f"{time.perf_counter() - start:.3f}")
"""

APP = """
import time
start = time.perf_counter()
import asyncio
from stepper.tui.app import StepperApp

async def main():
    app = StepperApp(None)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        print(f"{time.perf_counter() - start:.3f}")

asyncio.run(main())
"""

PLAIN = """
import io, time
start = time.perf_counter()
from stepper.picker import listing
listing("es")
print(f"{time.perf_counter() - start:.3f}")
"""

INDEX = """
import time
start = time.perf_counter()
from stepper.syllabus import syllabus
syllabus()
print(f"{time.perf_counter() - start:.3f}")
"""

LOAD = """
import time
start = time.perf_counter()
from stepper.catalog import builtin_folder, builtin_ids
from stepper.lesson.load import load_lesson
for i in builtin_ids():
    load_lesson(builtin_folder() / f"{i}.yaml", i)
print(f"{time.perf_counter() - start:.3f}")
"""

SOLVE = """
import time
start = time.perf_counter()
from stepper.syllabus import build_index
build_index()
print(f"{time.perf_counter() - start:.3f}")
"""


def median(code: str, env: dict[str, str]) -> float:
    runs = []
    for _ in range(3):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
        ).stdout.split()
        runs.append(float(out[-1]))
    return statistics.median(runs)


def main() -> None:
    import os

    with tempfile.TemporaryDirectory() as cache:
        # A fresh formula cache (what a first run meets) and compiled bytecode kept apart.
        env = {**os.environ, "STEPPER_CACHE_DIR": cache, "PYTHONPYCACHEPREFIX": cache}
        for name, code in [
            ("baseline: what every command imports", BASE),
            ("app: process start to the mounted list", APP),
            ("plain: the numbered list built", PLAIN),
            ("titles and lengths from the recorded index", INDEX),
            ("titles by loading the 35 lessons", LOAD),
            ("titles and lengths by loading and solving them", SOLVE),
        ]:
            print(f"{name:<50} {median(code, env) * 1000:7.0f} ms")
    print(f"(load average {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
