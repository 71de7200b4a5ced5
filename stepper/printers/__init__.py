"""Printers: one per output format, each reading only the step list.

Formats are looked up by name in ``REGISTRY``; the command line's ``--format`` choices come
from it, so a format exists exactly when its printer is registered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from stepper.printers.document import Blank
from stepper.steps import Solution


@dataclass(frozen=True, slots=True)
class Options:
    """What a printer may be asked besides the solution itself.

    ``blank`` makes a worksheet: "values" leaves every value blank, "all" the substitutions
    too. ``comma`` writes decimal commas. ``variant`` is the id printed on an exam variant.
    """

    blank: Blank = "none"
    comma: bool = False
    variant: str | None = None

    @property
    def worksheet(self) -> bool:
        return self.blank != "none"


Many = Callable[[list[tuple[Solution, Options]]], str | bytes]


@dataclass(frozen=True, slots=True)
class Printer:
    """A format: its name, whether its output is bytes, the function that prints it, and the
    one that prints several documents into one file (an exam's variants, a page each)."""

    name: str
    render: Callable[[Solution, Options], str | bytes]
    binary: bool = False
    description: str = ""
    render_many: Many | None = None
    stream: Callable[[Solution, Options], Iterator[str]] | None = None


REGISTRY: dict[str, Printer] = {}


def register(printer: Printer) -> Printer:
    REGISTRY[printer.name] = printer
    return printer


def _load_builtin() -> None:
    import stepper.printers.html  # registers itself
    import stepper.printers.pdf  # noqa: F401  # registers itself
    from stepper.printers import json_printer, latex, markdown

    del json_printer, latex, markdown


_load_builtin()
