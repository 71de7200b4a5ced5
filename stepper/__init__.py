"""stepper: a terminal tutor for the arithmetic of neural networks.

The package is split so that the headless core (lesson loading, the step engine, the
printers) never imports Textual; only ``stepper.tui`` does.

The Python API (``docs/api.md``) is importable from here: ``stepper.load``, ``stepper.solve``,
``stepper.variants``, ``stepper.render`` and, with the ``notebook`` extra, ``stepper.walk``.
Each name is imported when first used, so ``import stepper`` stays cheap: no sympy, numpy or
Textual until a lesson is solved or shown.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from stepper.api import (
        Dependency,
        Solution,
        Step,
        Variant,
        load,
        render,
        solve,
        variant,
        variants,
    )
    from stepper.lesson.errors import LessonError, Problem
    from stepper.notebook.widget import walk

__all__ = [
    "Dependency",
    "LessonError",
    "Problem",
    "Solution",
    "Step",
    "Variant",
    "__version__",
    "load",
    "render",
    "solve",
    "variant",
    "variants",
    "walk",
]

#: Each public name and the module that defines it.
_LAZY = {
    **{name: "stepper.api" for name in __all__ if name not in ("__version__", "walk")},
    "LessonError": "stepper.lesson.errors",
    "Problem": "stepper.lesson.errors",
    "walk": "stepper.notebook.widget",
}


def __getattr__(name: str) -> Any:
    """A public name, imported from its module the first time it is asked for (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'stepper' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
