"""Packaging: every package of the source tree is installed, and the lessons, the app's
stylesheet, the notebook widget's script and the message catalogues go with it as package
data (CI installs with a plain ``pip install``)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

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


@pytest.mark.slow
def test_the_wheel_ships_the_data_without_warnings(tmp_path: Path) -> None:
    """A wheel built as ``pip install .`` builds it (isolated, from a copy of the tree, so
    that nothing is written beside the sources) holds the lessons (with the picker's topics
    and index), the stylesheet and every message catalogue, and setuptools warns of nothing
    (no deprecated field, no data directory taken for a package missing from the list)."""
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    skip = shutil.ignore_patterns("__pycache__", "*.egg-info")
    for name in ("stepper", "lessons"):
        shutil.copytree(ROOT / name, source / name, ignore=skip)
    run = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-v", "-w", str(tmp_path), str(source)],
        capture_output=True,
        text=True,
        check=False,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    warnings = [line for line in output.splitlines() if "Warning" in line or "deprecat" in line]
    assert warnings == []
    (wheel,) = tmp_path.glob("stepper-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    catalogues = {
        p.relative_to(ROOT).as_posix() for p in (ROOT / "stepper" / "locale").rglob("*.po")
    }
    assert catalogues and catalogues <= names, catalogues - names
    lessons = {f"stepper/lessons/{p.name}" for p in (ROOT / "lessons").glob("*.yaml")}
    assert lessons and lessons <= names, lessons - names
    sheets = {p.relative_to(ROOT).as_posix() for p in (ROOT / "stepper" / "tui").glob("*.tcss")}
    assert sheets and sheets <= names, sheets - names
    assert "stepper/formula_seed.json" in names
    # The picker's topics and recorded index (stepper.syllabus), beside the lessons.
    assert {"stepper/lessons/topics.toml", "stepper/lessons/index.json"} <= names
    assert {"stepper/notebook/walk.js", "stepper/notebook/walk.css"} <= names
