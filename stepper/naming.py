"""How a learner names a step: by its key, or by its symbol as the screen writes it or as a
keyboard types it.

The names come from each step's own ``Sym`` and key, never from a table per lesson, so every
lesson kind (dense, conv, optimize, and whatever comes next) is found the same way. A name is
tried in three ways, closest first, and the first way that finds any step wins:

1. the key itself (``d[1,2]``, ``momentum.x``);
2. the symbol as written, with plain digits for subscripts (``δ2`` for δ₂, ``Δw12``, ``ε^2``
   for ε²): letters keep their case, so adagrad's G₁ and the gradient g₁ stay apart;
3. the symbol typed in ASCII (``d2``, ``dw12``, ``e2``, ``y2`` for ỹ₂): Greek letters by their
   Latin initial, Δ as d, accents and tildes dropped, any case, and the commas between
   two-digit indices optional (``w110`` for w₁‚₁₀); or the symbol's script name
   (``delta_2``, ``y_tilde_2``).

A name with a dot (``check.u1``, ``adam.m1``) names a symbol among the steps whose key has that
prefix.
"""

from __future__ import annotations

import re
import string
import unicodedata
from bisect import bisect_left

from stepper.notation import Sym, superscript
from stepper.steps import Step

_SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉‚", "0123456789,")
#: Every superscript ``stepper.notation`` writes, back to its character: a gate's tag (wᶠ₁₀)
#: is typed as the letter (``wf10``) whichever letters the notation raises.
_SUPERSCRIPTS = {
    up: char
    for char in string.digits + string.ascii_lowercase + "-()+"
    if (up := superscript(char)) != char
}
#: Greek letters as a Latin keyboard types them: the letter the lecture's Greek one stands for.
_LATIN = str.maketrans("δεγασβρΔ", "degasbrd")
#: The caret before a raised letter (a tag), which typing leaves out.
_TAG = re.compile(r"\^(?=[a-z])")


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
    """The symbol in ASCII, any case: δ₂ is ``d2``, Δw₁₂ ``dw12``, ỹ₂ ``y2``; a letter
    raised as a tag is typed after the letter it tags (wᶠ₁₀ is ``wf10``, εʰ₁ ``eh1``)."""
    plain = unicodedata.normalize("NFD", written(text).translate(_LATIN))
    ascii_ = "".join(c for c in plain if not unicodedata.combining(c)).lower()
    return _TAG.sub("", ascii_)


def indices(tail: str, *, loose: bool) -> set[tuple[int, ...]]:
    """The indices a tail of digits may stand for: split at its commas, or one digit each as
    the lecture writes them below 10 (``12`` is 1, 2); ``loose``, also any other split of the
    digits (``110`` may be 1, 10 or 11, 0: whoever types it left the commas out)."""
    if not tail or not tail.replace(",", "").isdigit() or tail.startswith(","):
        return set()
    if "," in tail:
        parts = tail.split(",")
        return {tuple(map(int, parts))} if all(parts) else set()
    found = {tuple(map(int, tail))}
    if loose and len(tail) <= 12:
        for cuts in range(1 << (len(tail) - 1)):
            parts, start = [], 0
            for at in range(1, len(tail)):
                if cuts >> (at - 1) & 1:
                    parts.append(tail[start:at])
                    start = at
            parts.append(tail[start:])
            if all(p == "0" or not p.startswith("0") for p in parts):
                found.add(tuple(map(int, parts)))
    return found


def _split(key: str) -> tuple[str, str]:
    """A key's prefix up to its last dot before any bracket (``check.`` of ``check.u[1,1]``)."""
    head = key.split("[", 1)[0]
    cut = head.rfind(".") + 1
    return key[:cut], key[cut:]


class Family:
    """The steps whose symbols differ only in their indices and superscript (every Δw of a
    lesson, or every ``adam.m``): their names are one head (``Δw``, ``dw``) and a tail per
    step (``12``, ``1,10``). The tails are listed only when a name with this head is asked
    for, so a goto in a 51,000-step lesson reads a few families, not every symbol."""

    def __init__(self, prefix: str, sym: Sym) -> None:
        self.prefix = prefix
        bare = sym.family()
        self.heads = (written(bare.unicode()), typed(bare.unicode()), bare.text().lower())
        self.members: list[int] = []
        self.syms: list[Sym] = []
        self._tails: dict[int, dict[str, list[int]]] = {}
        self._sorted: dict[int, list[str]] = {}
        #: Members spelt whole (no indices, or a superscript): their typed tails differ.
        self.odd = 0

    def add(self, index: int, sym: Sym) -> None:
        self.members.append(index)
        self.syms.append(sym)
        self.odd += not sym.indices or sym.sample is not None

    def find(self, way: int, tail: str) -> list[int]:
        """The members named by ``tail`` after the head of names written (0), typed (1) or
        by script name (2). Indices are compared as numbers, so a lookup in a family of
        25,000 weights spells none of them."""
        if way == 2:
            return self.tails(2).get(tail, [])
        wanted = indices(tail, loose=way == 1)
        spell = self._written if way == 0 else self._typed
        return [
            index
            for index, sym in zip(self.members, self.syms, strict=True)
            if (sym.indices in wanted if sym.indices and sym.sample is None else spell(sym) == tail)
        ]

    def tails(self, way: int) -> dict[str, list[int]]:
        """Tail -> members, for names written (0), typed (1) or by script name (2), listed
        the first time they are needed (completion, a script name)."""
        if way not in self._tails:
            spell = (self._written, self._typed, self._script)[way]
            tails: dict[str, list[int]] = {}
            for index, sym in zip(self.members, self.syms, strict=True):
                tails.setdefault(spell(sym), []).append(index)
            self._tails[way] = tails
        return self._tails[way]

    def sorted_tails(self, way: int) -> list[str]:
        """The tails in order, for completion (typed ones are the written ones, as a rule)."""
        if way == 1 and not self.odd:
            way = 0
        if way not in self._sorted:
            self._sorted[way] = sorted(self.tails(way))
        return self._sorted[way]

    def _written(self, sym: Sym) -> str:
        if not sym.indices or sym.sample is not None:  # few: spelt whole
            return written(sym.unicode())[len(self.heads[0]) :]
        return sym._index()  # the lecture's writing of the indices: 12, or 1,10

    def _typed(self, sym: Sym) -> str:
        if not sym.indices or sym.sample is not None:
            return typed(sym.unicode())[len(self.heads[1]) :]
        return sym._index()

    def _script(self, sym: Sym) -> str:
        return sym.text().lower()[len(self.heads[2]) :]


class Names:
    """The names of the steps of one solution, gathered into families once; a name is looked
    up in the families whose head it starts with."""

    def __init__(self, steps: tuple[Step, ...]) -> None:
        self.steps = steps
        self.families: dict[
            tuple[str, str, bool, bool, str | None, Sym | None, Sym | None, bool], Family
        ] = {}
        self._keys: tuple[str, ...] | None = None
        #: Where each key is, so that a key typed costs a look-up, not a pass over the steps.
        self.by_key: dict[str, list[int]] = {}
        for i, step in enumerate(steps):
            self.by_key.setdefault(step.key, []).append(i)
            sym = step.sym
            prefix = _split(step.key)[0] if "." in step.key else ""
            family = (prefix, sym.letter, sym.tilde, sym.delta, sym.tag, sym.of, sym.via, sym.total)
            found = self.families.get(family)
            if found is None:
                found = self.families[family] = Family(prefix, sym)
            found.add(i, sym)

    def matches(self, text: str) -> list[int]:
        """The indices of the steps ``text`` names, in order; empty when it names none."""
        name = "".join(text.split())
        found = list(self.by_key.get(name, ()))
        if found:
            return found
        prefix, rest = _split(name)
        for way, form in enumerate((written(rest), typed(rest), typed(rest))):
            for family in self.families.values():
                head = family.heads[way]
                if (prefix and family.prefix != prefix) or not form.startswith(head):
                    continue
                found += family.find(way, form[len(head) :])
            if found:
                return sorted(found)
        return []

    def suggest(self, text: str, *, keys: bool = False) -> str | None:
        """The first symbol, in the learner's writing, that starts with ``text``; with
        ``keys``, else the first key."""
        offers = []
        for family in self.families.values():
            for way in (0, 1):
                head = family.prefix + family.heads[way]
                if head.startswith(text):
                    tails = family.sorted_tails(way)
                elif text.startswith(head):
                    tails = family.sorted_tails(way)
                    at = bisect_left(tails, text[len(head) :])
                    tails = [t for t in tails[at : at + 1] if (head + t).startswith(text)]
                else:
                    continue
                offers += [head + tails[0]] if tails else []
        if not offers and keys:
            if self._keys is None:
                self._keys = tuple(sorted({step.key for step in self.steps}))
            at = bisect_left(self._keys, text)
            offers = [k for k in self._keys[at : at + 1] if k.startswith(text)]
        return min(offers, default=None)
