"""Typographic quotes for the printed formats.

The catalogues and lessons are typed with the keyboard's ' and "; a printed page has the
apostrophe ’ and the language's quotation marks (« » in Spanish, “ ” in English).
"""

from __future__ import annotations

import re

_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")
_QUOTED = re.compile(r'"([^"]*)"')
#: Opening and closing quotation marks by language; English's for any other.
MARKS = {"es": ("«", "»"), "en": ("“", "”")}


def quotes(text: str, lang: str, wrap: tuple[str, str] | None = None) -> str:
    """``text`` with ’ for an apostrophe and each "…" between the language's marks (or
    between ``wrap``, an element that sets them itself, such as HTML's ``<q>``)."""
    text = _APOSTROPHE.sub("’", text)
    opening, closing = wrap or MARKS.get(lang, MARKS["en"])
    return _QUOTED.sub(lambda m: f"{opening}{m.group(1)}{closing}", text)
