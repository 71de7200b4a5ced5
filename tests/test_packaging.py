"""Packaging: every package of the source tree is installed, and the lessons, the app's
stylesheet, the notebook widget's script and the message catalogues go with it as package
data, in a wheel from ``python -m build``; ``pipx install .`` gives a ``stepper`` that works."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

import stepper

ROOT = Path(__file__).parent.parent
#: The notebook widget's front end, shipped beside its module.
NOTEBOOK = ROOT / "stepper" / "notebook"


def test_every_package_is_listed() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    found = {
        ".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "stepper").rglob("__init__.py")
    }
    assert found | {"stepper.lessons"} == listed
    assert config["package-dir"] == {"stepper.lessons": "lessons"}
    assert "*.yaml" in config["package-data"]["stepper.lessons"]
    assert "*.tcss" in config["package-data"]["stepper.tui"]
    front = {
        p for pattern in config["package-data"]["stepper.notebook"] for p in NOTEBOOK.glob(pattern)
    }
    assert front == {NOTEBOOK / "walk.js", NOTEBOOK / "walk.css"}
    catalogues = config["package-data"]["stepper"]
    shipped = {p for pattern in catalogues for p in (ROOT / "stepper").glob(pattern)}
    seed = ROOT / "stepper" / "formula_seed.json"
    assert shipped == {*(ROOT / "stepper" / "locale").rglob("*.po"), seed}, catalogues
    assert shipped - {seed}, "no message catalogue is shipped"


def _source(tmp_path: Path) -> Path:
    """A copy of what a release builds from, so that a build writes nothing beside the
    sources (setuptools leaves build/ and *.egg-info where it builds)."""
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    skip = shutil.ignore_patterns("__pycache__", "*.egg-info")
    for name in ("stepper", "lessons"):
        shutil.copytree(ROOT / name, source / name, ignore=skip)
    return source


@pytest.mark.slow
def test_the_wheel_ships_the_data_without_warnings(tmp_path: Path) -> None:
    """A wheel built as a release is (``python -m build --wheel``, isolated: it fetches
    setuptools as pyproject's build-system says; about 3 s) holds every file of the package
    that is not Python (the lessons, the stylesheet, the message catalogues, the formula seed,
    a notebook's script), its version is the package's, and setuptools warns of nothing (no
    deprecated field, no data directory taken for a package missing from the list)."""
    source, dist = _source(tmp_path), tmp_path / "dist"
    run = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(source)],
        capture_output=True,
        text=True,
        check=False,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    warnings = [line for line in output.splitlines() if "Warning" in line or "deprecat" in line]
    assert warnings == []
    (wheel,) = dist.glob("stepper-*.whl")
    assert wheel.name.startswith(f"stepper-{stepper.__version__}-")
    names = set(zipfile.ZipFile(wheel).namelist())
    data = {
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "stepper").rglob("*")
        if p.is_file() and p.suffix not in {".py", ".pyc"} and "__pycache__" not in p.parts
    }
    assert {
        "stepper/formula_seed.json",
        "stepper/tui/stepper.tcss",
        "stepper/notebook/walk.js",
    } <= data
    assert any(name.endswith(".po") for name in data)
    assert data <= names, data - names
    lessons = {
        f"stepper/lessons/{p.name}"
        for p in (ROOT / "lessons").iterdir()
        if p.is_file() and p.suffix != ".py"
    }
    picker = {"stepper/lessons/topics.toml", "stepper/lessons/index.json"}  # stepper.syllabus
    assert {"stepper/lessons/backprop-1.yaml", *picker} <= lessons
    assert lessons <= names, lessons - names


@pytest.mark.slow
def test_pipx_install_gives_a_working_stepper(tmp_path: Path) -> None:
    """``pipx install .`` as the README says, into a pipx home under tmp_path: the
    ``stepper`` it puts on PATH prints its version, lists the lessons and solves one (about
    20 s with pip's cache warm; pipx fetches the dependencies as pip does)."""
    env = {
        **os.environ,
        "PIPX_HOME": str(tmp_path / "pipx"),
        "PIPX_BIN_DIR": str(tmp_path / "bin"),
        "PIPX_MAN_DIR": str(tmp_path / "man"),
        "STEPPER_CACHE_DIR": "",
    }
    source = _source(tmp_path)
    install = subprocess.run(
        [sys.executable, "-m", "pipx", "install", str(source)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    program = str(tmp_path / "bin" / "stepper")

    def run(*args: str) -> str:
        done = subprocess.run(
            [program, *args], capture_output=True, text=True, env=env, cwd=tmp_path, check=False
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    assert run("--version") == f"stepper {stepper.__version__}\n"
    assert run("list").startswith("activations-1 ")
    assert run("solve", "backprop-1", "--format", "md").startswith("# Red de una capa")
