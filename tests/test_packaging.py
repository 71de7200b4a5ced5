"""Packaging: every package of the source tree is installed, and the lessons, the app's
stylesheet and the message catalogues go with it as package data (CI installs with a plain
``pip install``)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).parent.parent


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
    catalogues = config["package-data"]["stepper"]
    shipped = {p for pattern in catalogues for p in (ROOT / "stepper").glob(pattern)}
    assert shipped == set((ROOT / "stepper" / "locale").rglob("*.po")), catalogues
    assert shipped, "no message catalogue is shipped"
