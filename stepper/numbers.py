"""How numbers are shown: computed values with the lesson's decimals, given values as written.

Every printer shows the same strings, so a value means the same thing on screen, in JSON and
on paper. Formatting lives here and nowhere else.
"""

from __future__ import annotations

import math
import re


def shown(value: float, decimals: int) -> str:
    """A computed value rounded to ``decimals`` places, trailing zeros trimmed (0.2900 -> 0.29)."""
    text = f"{value:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return text


def given(value: float) -> str:
    """A number the lesson states (an input, an initial weight): exactly as short as it is."""
    if math.isfinite(value) and value == int(value) and abs(value) < 1e15:
        return str(int(value))
    text = repr(float(value))
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}e{int(exponent)}"
    return text


def parse_shown(text: str) -> float:
    """The float that a shown string stands for (what a hand calculation carries on)."""
    return float(text)


def with_comma(text: str) -> str:
    """The same number with a decimal comma, as Spanish class notes write it."""
    return text.replace(".", ",")


def pretty(text: str) -> str:
    """A shown number for people: the typographic minus sign (−0.09), and a power of ten
    as such (1e-8 as 10⁻⁸, 2.5e-3 as 2.5·10⁻³: normalize-1's α), as the formulas write it."""
    text = power_of_ten(text, "unicode")
    return "−" + text[1:] if text.startswith("-") else text


def power_of_ten(shown: str, fmt: str) -> str:
    """A shown number in scientific notation as the lecture writes it, not as a program does
    ("1e-8"): 10⁻⁸ and 2.5·10⁻³ in Unicode, 10^{-8} and 2.5 \\cdot 10^{-3} in LaTeX; any other
    number (or format) as it is."""
    found = _EXPONENT.match(shown)
    if found is None or fmt not in ("unicode", "latex"):
        return shown
    sign, mantissa, exponent = found.groups()
    if fmt == "latex":
        power, times = f"10^{{{int(exponent)}}}", r" \cdot "
    else:
        power, times = "10" + str(int(exponent)).translate(_SUPERSCRIPT), "·"
    return sign + (power if mantissa == "1" else mantissa + times + power)


_EXPONENT = re.compile(r"^(-?)([\d.]+)e([+-]?\d+)$")
_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


_DECIMAL = re.compile(r"(?<=\d)\.(?=\d)")
_NUMBER = r"[−-]?\d+(?:\.\d+)?"
#: Numbers listed with commas ("2.0, 1.0 y 0.1", "[1, 0.5]"), not part of a longer word.
_LIST = re.compile(rf"(?<![\w.]){_NUMBER}(?:, {_NUMBER})+(?![\w.])")


def decimal_comma(text: str, replacement: str = ",") -> str:
    """Numbers with a decimal comma (0.29 -> 0,29); ``replacement`` is ``{,}`` for LaTeX.

    A list of numbers that holds a decimal is separated by semicolons, as the decimal comma
    requires: "2.0, 1.0 y 0.1" becomes "2,0; 1,0 y 0,1", never "2,0, 1,0 y 0,1"."""
    text = _LIST.sub(lambda found: _semicolons(found.group(0)), text)
    return _DECIMAL.sub(replacement, text)


def _semicolons(listed: str) -> str:
    return listed.replace(", ", "; ") if "." in listed else listed
