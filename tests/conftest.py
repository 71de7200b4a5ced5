"""Shared fixtures: built-in lessons loaded and solved once per session; skips fail in CI.

A test that does not apply to a lesson is not generated for it (parametrize from
``builtin_ids_of``), so a skip always means something is missing: a tool such as chromium,
pdflatex or torch. On a developer's machine that is fine, but CI installs every tool
(``.ci/run``), and a check that silently never runs there is a hole: with ``CI`` set, a skip
is reported as a failure that names its reason. The formula cache lives in a temporary
folder, and so does hypothesis's (its examples and constants, by default .hypothesis/ in the
checkout).
"""

from __future__ import annotations

import gc
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Generator, Iterator
from functools import cache
from pathlib import Path

import pytest
from hypothesis.configuration import set_hypothesis_home_dir

from stepper.catalog import builtin_folder, builtin_ids
from stepper.engine import solve
from stepper.lesson.errors import speaking
from stepper.lesson.load import load_lesson
from stepper.lesson.schema import Lesson
from stepper.steps import Solution


def in_ci() -> bool:
    """Whether the suite runs under CI (``CI=true``, as CI services and ``.ci/run`` set it)."""
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def pytest_configure(config: pytest.Config) -> None:
    """Hypothesis's folder is set here, before collection, where its plugin first writes."""
    folder = tempfile.mkdtemp(prefix="stepper-hypothesis-")
    config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))
    config.add_cleanup(lambda: set_hypothesis_home_dir(None))
    set_hypothesis_home_dir(folder)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, None]:
    outcome = yield
    report = outcome.get_result()
    if in_ci() and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped under CI, where every tool is installed: {reason}"


def cpu_clock() -> float:
    """The start of a timed section, in CPU seconds, after collecting earlier tests' garbage.

    CPU time, because another process on a busy machine (or a second test worker) must not fail
    a speed test; the collection first, because a full one over the test process's heap (100 ms
    and more with the big lessons alive) would otherwise land inside the section now and then.
    """
    gc.collect()
    return time.process_time()


@cache
def compile_latex(source: Path) -> None:
    """Compile ``source`` with pdflatex in its own folder, as an instructor would; the test
    fails with the end of LaTeX's log when it does not compile."""
    run = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", source.name],
        cwd=source.parent,
        capture_output=True,
        text=True,
        # TeX's box warnings print glyphs by their font slot (T1's ó is the byte 0xF3): not UTF-8.
        errors="replace",
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-2000:]


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a child ``stepper``: this interpreter's scripts first on PATH, no
    colour variables but those given, the formula cache off (nothing written outside)."""
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["STEPPER_CACHE_DIR"] = ""
    return {**env, **extra}


def check_refuses(*args: str, timeout: int = 120) -> subprocess.CompletedProcess[str]:
    """``python -m stepper check ARGS`` in a subprocess, as a terminal runs it, asserted to
    refuse as bad input: exit 2, nothing on stdout, no traceback on stderr (which the caller
    reads for the located problems)."""
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "stepper", "check", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    return result


def positions(solution: Solution, every: int = 1) -> Iterator[tuple[int, int | None]]:
    """Positions of a walk through ``solution`` as (revealed, current): the title screen, each
    ``every``-th step being computed and then with its value shown, and the end."""
    n = len(solution.steps)
    yield 0, None
    for k in range(0, n, every):
        yield k, k
        yield k + 1, k
    yield n, None


def builtin_lesson(lesson_id: str) -> Lesson:
    """A built-in lesson, loaded once per process (lessons are immutable once loaded)."""
    return load_lesson(builtin_folder() / f"{lesson_id}.yaml", lesson_id)


def builtin_ids_of(kind: str) -> list[str]:
    """The built-in lessons of one kind (dense, conv, optimize), for tests that only apply there."""
    return [lesson_id for lesson_id in builtin_ids() if builtin_lesson(lesson_id).kind == kind]


@pytest.fixture(autouse=True, scope="session")
def _cache_in_a_temporary_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The formula cache (stepper.formula_cache) writes into a temporary folder, never into the
    user's ~/.cache, also from the subprocesses the tests start."""
    before = os.environ.get("STEPPER_CACHE_DIR")
    os.environ["STEPPER_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if before is None:
        del os.environ["STEPPER_CACHE_DIR"]
    else:
        os.environ["STEPPER_CACHE_DIR"] = before


@pytest.fixture
def english_problems() -> Iterator[None]:
    """A lesson's problems told in English when it declares no language, as ``--lang en``
    does: for the tests that match the English messages (the default is the lecture's
    Spanish)."""
    with speaking("en"):
        yield


def solved(lesson_id: str, lang: str | None = None) -> Solution:
    return solve(builtin_lesson(lesson_id), lang)


@pytest.fixture(scope="session")
def builtin() -> dict[str, Solution]:
    """Every built-in lesson, solved in its own language."""
    return {lesson_id: solved(lesson_id) for lesson_id in builtin_ids()}
