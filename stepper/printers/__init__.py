"""Printers: one per output format, each reading only the step list.

Formats are looked up by name in ``REGISTRY``; the command line's ``--format`` choices come
from it, so a format exists exactly when its printer is registered. A built-in printer's
module is imported when its format is first asked for, not before.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, MutableMapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from stepper.printers.document import Blank
from stepper.steps import Solution

if TYPE_CHECKING:
    from stepper.exam.header import ExamHeader


@dataclass(frozen=True, slots=True)
class Options:
    """What a printer may be asked besides the solution itself.

    ``blank`` makes a worksheet: "values" leaves every value blank, "all" the substitutions
    too. ``comma`` writes decimal commas. ``variant`` is the id printed on an exam variant,
    ``exam`` the exam's header (course, instructor, date, points, instructions).
    """

    blank: Blank = "none"
    comma: bool = False
    variant: str | None = None
    exam: ExamHeader | None = None

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


#: The built-in formats and the modules that register them. A module is imported the first
#: time its format is asked for: a solve to JSON need not import the HTML printer's Rich and
#: drawings, nor the PDF printer's typst.
_BUILTIN = {
    "json": "stepper.printers.json_printer",
    "md": "stepper.printers.markdown",
    "tex": "stepper.printers.latex",
    "html": "stepper.printers.html",
    "pdf": "stepper.printers.pdf",
    "moodle": "stepper.exam.moodle",
}


class Registry(MutableMapping[str, Printer]):
    """Formats by name: the built-in ones, each imported on first use, and any registered."""

    def __init__(self) -> None:
        self._names = dict.fromkeys(_BUILTIN)  # every format, in order, loaded or not
        self._printers: dict[str, Printer] = {}

    def __getitem__(self, name: str) -> Printer:
        if name not in self._printers and name in self._names and name in _BUILTIN:
            importlib.import_module(_BUILTIN[name])  # it registers itself
        return self._printers[name]

    def __setitem__(self, name: str, printer: Printer) -> None:
        self._names[name] = None
        self._printers[name] = printer

    def __delitem__(self, name: str) -> None:
        del self._names[name]
        self._printers.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


REGISTRY = Registry()


def register(printer: Printer) -> Printer:
    REGISTRY[printer.name] = printer
    return printer
