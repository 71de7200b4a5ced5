"""A typed number and the examiner's rounding rule: when does it stand for a value?

An answer is read as the decimal the learner wrote, so that its own number of decimals
counts: 0.119 says "rounded to three places" and is right for 0.11943, while 0.12 says "two
places". It agrees with a value when it equals that value rounded to the answer's own
decimals and is precise enough: at least ``SIGNIFICANT`` significant digits, or at least the
lesson's decimals, whichever asks for fewer. An answer that equals the value as the lesson
shows it always agrees (6 for a size of 6, 0.5 for a value of exactly 0.5).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from stepper.numbers import shown

#: Significant digits that are always precise enough.
SIGNIFICANT = 3


@dataclass(frozen=True, slots=True)
class Typed:
    """A number as the learner wrote it: its value, its decimals and significant digits."""

    text: str
    value: float
    #: Places after the point (negative for 2.4e4, which is rounded to hundreds).
    decimals: int
    significant: int

    def rounds(self, value: float) -> bool:
        """Whether this is ``value`` rounded to the answer's own decimals (a tie either way)."""
        return abs(self.value - value) <= 0.5 * 10.0**-self.decimals * (1 + 1e-9)

    def precise(self, decimals: int) -> bool:
        """At least SIGNIFICANT significant digits, or the lesson's ``decimals``."""
        return self.significant >= SIGNIFICANT or self.decimals >= decimals

    def agrees(self, value: float, decimals: int) -> bool:
        """Whether this answer stands for ``value`` in a lesson showing ``decimals`` places."""
        if self.equals(shown(value, decimals)):
            return True
        return self.precise(decimals) and self.rounds(value)

    def equals(self, shown_text: str) -> bool:
        """Whether this is a value exactly as the lesson shows it (0.290 for 0.29)."""
        return Decimal(self.text) == Decimal(shown_text)


def read(text: str) -> Typed | None:
    """A learner's number: ',' or '.' as the decimal separator, − or - as the sign."""
    cleaned = text.strip().replace("−", "-").replace(",", ".").replace(" ", "")
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        return None
    if not number.is_finite() or not math.isfinite(float(number)):
        return None
    _, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)
    significant = len("".join(map(str, digits)).lstrip("0"))
    return Typed(str(number), float(number), -exponent, significant)


def parse_answer(text: str) -> float | None:
    """The value of a typed number, or None when it is none."""
    typed = read(text)
    return typed.value if typed else None
