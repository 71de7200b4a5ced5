"""Whether the line output (``stepper list``, ``stepper lesson --plain``) may use colour.

One rule for every command that takes ``--color``, so that a learner who turns colour off
turns it off everywhere. ``never`` and ``always`` are obeyed as said. ``auto`` (the default)
colours only a terminal, and not when the environment asks otherwise: ``NO_COLOR`` with any
non-empty value (https://no-color.org) or ``TERM=dumb`` turn it off; ``FORCE_COLOR`` with a
non-empty value turns it on through a pipe (as in CI logs). Where both are set, ``NO_COLOR``
wins: the user's refusal weighs more than a tool's request. The flag beats both.

Only SGR attributes that every terminal has (bold, dim) are used: the text stays readable on
a light or a dark background, and a screen reader ignores them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Literal, TextIO

Mode = Literal["auto", "always", "never"]
MODES: tuple[Mode, ...] = ("auto", "always", "never")
Style = Literal["bold", "dim"]
#: Text in a style, or as it is when colour is off.
Paint = Callable[[str, Style], str]
_SGR: dict[Style, str] = {"bold": "1", "dim": "2"}


def wanted(mode: str, stream: TextIO, environ: Mapping[str, str] = os.environ) -> bool:
    """Whether text written to ``stream`` under ``--color mode`` gets colour."""
    if mode != "auto":
        return mode == "always"
    if environ.get("NO_COLOR") or environ.get("TERM") == "dumb":
        return False
    if environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def plain(text: str, style: Style) -> str:
    """``text`` as it is: the painter of colourless output."""
    return text


def bright(text: str, style: Style) -> str:
    """``text`` between the escapes that turn ``style`` on and off again."""
    return f"\x1b[{_SGR[style]}m{text}\x1b[0m" if text else text


def painter(on: bool) -> Paint:
    """The painter for output that may (``on``) or may not use colour."""
    return bright if on else plain
