"""The headless core stays headless and the quick commands stay quick.

Each check runs in a fresh interpreter, so modules imported by other tests in this session
cannot hide (or fake) an import.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.slow  # each test starts a Python process


def run_python(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PYTHONSTARTUP", None)
    return subprocess.run(
        [sys.executable, *args, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


def loaded(modules: list[str], package: str) -> list[str]:
    return [m for m in modules if m == package or m.startswith(package + ".")]


def test_core_and_json_solution_import_no_textual() -> None:
    result = run_python("""
        import json, sys
        import stepper.cli, stepper.engine, stepper.lesson, stepper.printers, stepper.formulas
        from stepper.catalog import builtin_folder
        from stepper.engine import solve
        from stepper.lesson.load import load_lesson
        from stepper.printers import REGISTRY, Options

        lesson = load_lesson(builtin_folder() / "backprop-1.yaml", "backprop-1")
        document = REGISTRY["json"].render(solve(lesson), Options())
        steps = json.loads(document)["steps"]
        assert steps[0]["substituted_text"] == "0.1*1 + (-0.2)*0.1 + 0.3*0.7", steps[0]
        print(json.dumps(sorted(sys.modules)))
    """)
    assert result.returncode == 0, result.stderr
    modules = json.loads(result.stdout.strip().splitlines()[-1])
    assert "stepper.engine" in modules  # the probe did look at the right interpreter
    assert loaded(modules, "textual") == []
    assert loaded(modules, "stepper.tui") == []


def test_solve_command_imports_no_textual() -> None:
    result = run_python("""
        import io, json, sys
        from contextlib import redirect_stdout
        from stepper.cli import main

        out = io.StringIO()
        with redirect_stdout(out):
            status = main(["solve", "backprop-1", "--format", "json"])
        assert status == 0
        assert json.loads(out.getvalue())["lesson"]["id"] == "backprop-1"
        print(json.dumps(sorted(sys.modules)))
    """)
    assert result.returncode == 0, result.stderr
    assert loaded(json.loads(result.stdout.strip().splitlines()[-1]), "textual") == []


def imported_by_command(*argv: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run ``python -X importtime -m stepper ARGV``: the real entry point, and every module it
    imports, as the interpreter reports them on stderr."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "stepper", *argv],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    modules = set()
    for line in result.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            if name != "imported package":
                modules.add(name)
    return result, modules


@pytest.mark.parametrize("argv", [("list",), ("check", "backprop-1")])
def test_quick_commands_import_neither_sympy_nor_textual(argv: tuple[str, ...]) -> None:
    result, modules = imported_by_command(*argv)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "stepper.cli" in modules  # the import log was read
    assert loaded(sorted(modules), "sympy") == []
    assert loaded(sorted(modules), "textual") == []
    if argv[0] == "list":
        assert result.stdout.splitlines()[0].split()[0] in {
            "activations-1",
            "backprop-1",
            "backprop-2",
            "classify-1",
            "forward-1",
            "regression-1",
        }
        assert any(line.split()[0] == "backprop-1" for line in result.stdout.splitlines())
    else:
        assert result.stdout == ""
