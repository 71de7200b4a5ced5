"""Printers: one per output format, each reading only the step list.

Formats are looked up by name in ``REGISTRY``; the command line's ``--format`` choices come
from it, so a format exists exactly when its printer is registered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from stepper.steps import Solution


@dataclass(frozen=True, slots=True)
class Options:
    """What a printer may be asked besides the solution itself."""

    worksheet: bool = False


@dataclass(frozen=True, slots=True)
class Printer:
    """A format: its name, whether its output is bytes, and the function that prints it."""

    name: str
    render: Callable[[Solution, Options], str | bytes]
    binary: bool = False
    description: str = ""


REGISTRY: dict[str, Printer] = {}


def register(printer: Printer) -> Printer:
    REGISTRY[printer.name] = printer
    return printer


def _load_builtin() -> None:
    from stepper.printers import json_printer

    del json_printer


_load_builtin()
