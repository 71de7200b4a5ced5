"""How a learner names a step: by its key, or by its symbol as the screen writes it or as a
keyboard types it.

The names come from each step's own ``Sym`` and key, never from a table per lesson, so every
lesson kind (dense, conv, optimize, and whatever comes next) is found the same way. A name is
tried in three ways, closest first, and the first way that finds any step wins:

1. the key itself (``d[1,2]``, ``momentum.x``);
2. the symbol as written, with plain digits for subscripts (``δ2`` for δ₂, ``Δw12``, ``ε^2``
   for ε²): letters keep their case, so adagrad's G₁ and the gradient g₁ stay apart;
3. the symbol typed in ASCII (``d2``, ``dw12``, ``e2``, ``y2`` for ỹ₂): Greek letters by their
   Latin initial, Δ as d, accents and tildes dropped, any case; or the symbol's script name
   (``delta_2``, ``y_tilde_2``).

A name with a dot (``check.u1``, ``adam.m1``) names a symbol among the steps whose key has that
prefix.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_left
from dataclasses import dataclass

from stepper.steps import Step

_SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉‚", "0123456789,")
_SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁽⁾⁺ᵃᵖᶻ", "0123456789-()+apz", strict=True))
#: Greek letters as a Latin keyboard types them: the letter the lecture's Greek one stands for.
_LATIN = str.maketrans("δεγασβρΔ", "degasbrd")


def written(text: str) -> str:
    """The symbol as a keyboard writes what the screen shows: subscripts as plain digits, a
    superscript after ``^`` (ε² is ``ε^2``), no spaces."""
    out: list[str] = []
    raised = False
    for char in text.translate(_SUBSCRIPTS):
        up = _SUPERSCRIPTS.get(char)
        if up is not None:
            out.append(up if raised else "^" + up)
        elif not char.isspace():
            out.append(char)
        raised = up is not None
    return "".join(out)


def typed(text: str) -> str:
    """The symbol in ASCII, any case: δ₂ is ``d2``, Δw₁₂ ``dw12``, ỹ₂ ``y2``; the commas that
    keep two-digit indices apart are optional."""
    plain = unicodedata.normalize("NFD", written(text).translate(_LATIN))
    return "".join(c for c in plain if not unicodedata.combining(c) and c != ",").lower()


def _split(key: str) -> tuple[str, str]:
    """A key's prefix up to its last dot before any bracket (``check.`` of ``check.u[1,1]``)."""
    head = key.split("[", 1)[0]
    cut = head.rfind(".") + 1
    return key[:cut], key[cut:]


@dataclass(frozen=True)
class Names:
    """Every name of every step of one solution, built once (a big lesson has 51,000 steps)."""

    keys: dict[str, list[int]]
    written: dict[str, list[int]]
    typed: dict[str, list[int]]
    prefixes: tuple[str, ...]
    offered: tuple[str, ...]
    sorted_keys: tuple[str, ...]

    @classmethod
    def of(cls, steps: tuple[Step, ...]) -> Names:
        keys: dict[str, list[int]] = {}
        by_written: dict[str, list[int]] = {}
        by_typed: dict[str, list[int]] = {}
        prefixes: list[str] = []
        offered: dict[str, None] = {}
        spelt: dict[object, tuple[str, str, str]] = {}
        for i, step in enumerate(steps):
            keys.setdefault(step.key, []).append(i)
            prefix = _split(step.key)[0]
            prefixes.append(prefix)
            forms = spelt.get(step.sym)
            if forms is None:
                shown = step.sym.unicode()
                forms = spelt[step.sym] = (written(shown), typed(shown), step.sym.text().lower())
            by_written.setdefault(forms[0], []).append(i)
            by_typed.setdefault(forms[1], []).append(i)
            if forms[2] != forms[1]:
                by_typed.setdefault(forms[2], []).append(i)
            offered.setdefault(prefix + forms[0])
            offered.setdefault(prefix + forms[1])
        return cls(
            keys, by_written, by_typed, tuple(prefixes), tuple(sorted(offered)), tuple(sorted(keys))
        )

    def matches(self, text: str) -> list[int]:
        """The indices of the steps ``text`` names, in order; empty when it names none."""
        name = "".join(text.split())
        if name in self.keys:
            return self.keys[name]
        prefix, rest = _split(name)
        for table, form in ((self.written, written(rest)), (self.typed, typed(rest))):
            found = [i for i in table.get(form, ()) if not prefix or self.prefixes[i] == prefix]
            if found:
                return found
        return []

    def suggest(self, text: str, *, keys: bool = False) -> str | None:
        """The first symbol, in the learner's writing, that starts with ``text``; with
        ``keys``, else the first key."""
        for names in (self.offered, self.sorted_keys) if keys else (self.offered,):
            at = bisect_left(names, text)
            if at < len(names) and names[at].startswith(text):
                return names[at]
        return None
