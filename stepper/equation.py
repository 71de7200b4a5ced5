"""A step's equation laid out in lines: formula, substitution and value under one another.

The lecture writes a computation as one chain, ``Δw₁₀ = 2 · α · x₀ · γ₁`` then ``= 2 · 0.1 ·
1 · 0.32522`` then ``= 0.06504``, each ``=`` under the first one. This module lays that chain
out for a given width, so that the app (in its step pane) and the plain REPL (on a terminal)
show the same lines:

- every ``=`` stands in the column of the formula's relation (``=`` or ``→``), however wide
  the left side is (Δw₁₀, E[g²]₁);
- a part too long for the width wraps after an operator (``+ − · × →``, or a comma between
  arguments), the continuation indented to where the part's text starts, never inside a
  number or a symbol; a break between terms of the outermost sum is preferred to one inside
  parentheses or between factors; the substitution breaks after the same terms as the
  formula when its lines fit, so that each number stands under its symbol;
- a part that only repeats the one before (ỹ₁ = u₁ then 0.29 then 0.29; δ = 0) is written
  once;
- a sum of many terms (a 784-input u) too long for the lines it may take keeps its first and
  last terms and says how many it hides, the same terms in the formula and in the substitution.

Headless: plain strings in, :class:`Line` out; the app styles them, the REPL prints them.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import accumulate

from rich.cells import cell_len

from stepper import formulas
from stepper.numbers import decimal_comma, pretty
from stepper.steps import Step
from stepper.walking import FORMULA, SUBSTITUTION, VALUE

#: Words after which a line may break: the binary operators of the printed formulas.
OPERATORS = frozenset({"+", "−", "-", "·", "×", "→", "="})
#: Between an aside (the unrounded value, a note) and the value it follows.
ASIDE_GAP = "   "
#: The narrowest room a part is laid out in; a screen narrower than the left side plus this
#: lets the lines run past its edge rather than write a few characters a line.
MIN_ROOM = 12
#: A sum of at most this many terms is never elided, however narrow the screen: a conv cell
#: (9 terms, 26 for a 5×5 kernel), a kernel's gradient (16) are what the learner checks, and
#: the pane scrolls. Past it (a 784-input u) only the first and last terms are shown.
WHOLE_SUM = 30
_TERM = " + "
_PARENS = re.compile(r"[()]")


@dataclass(frozen=True, slots=True)
class Line:
    """One line of an equation.

    ``lead`` is what stands before the text: the left side and its relation on the first
    line (``Δw₁₀ = ``), blanks then ``= `` on the first line of a later part, blanks alone on
    a continuation. ``stage`` is the part the line belongs to (FORMULA, SUBSTITUTION or
    VALUE). ``aside`` is said after the text, set apart (dim in the app).
    """

    lead: str
    body: str
    stage: int
    aside: str = ""

    @property
    def continues(self) -> bool:
        """Whether the line carries on the part of the line before it."""
        return not self.lead.strip()

    @property
    def text(self) -> str:
        if not self.aside:
            return self.lead + self.body
        if not self.body:
            return self.lead + self.aside
        return self.lead + self.body + ASIDE_GAP + self.aside


def lay_out(
    lhs: str,
    relation: str,
    parts: Sequence[tuple[int, str]],
    width: int | None = None,
    *,
    aside: str = "",
) -> list[Line]:
    """The lines of ``lhs relation part₁ = part₂ = …`` in ``width`` cells (None: one line a
    part). ``parts`` are (stage, text) in order; ``aside`` follows the last part, on its line
    when it fits there, else on lines of its own under the last part's text."""
    first_lead = f"{lhs} {relation} "
    column = cell_len(lhs) + 1
    at = cell_len(first_lead)
    later_lead = " " * column + "= "
    blank = " " * at
    room = None if width is None else max(width - at, MIN_ROOM)
    lines: list[Line] = []
    previous: str | None = None
    above: list[str] = []
    for stage, text in parts:
        if text == previous:
            continue
        previous = text
        pieces = _like(text, above, room) or wrap(text, room)
        above = pieces
        for k, piece in enumerate(pieces):
            lead = blank if k else (later_lead if lines else first_lead)
            lines.append(Line(lead, piece, stage))
    if aside and lines:
        last = lines[-1]
        if room is None or cell_len(last.body) + len(ASIDE_GAP) + cell_len(aside) <= room:
            lines[-1] = Line(last.lead, last.body, last.stage, aside)
        else:
            lines += [Line(blank, "", last.stage, piece) for piece in _words(aside, room)]
    return lines


def wrap(text: str, room: int | None) -> list[str]:
    """``text`` in pieces of at most ``room`` cells, each but the last ending with an operator
    or with a quotient's slash (joined, with one space after an operator and none after a
    slash, they give ``text`` back). Among the breaks that fit, the one least deep in
    parentheses, and then a sum's before a product's, is taken, unless it would leave a line
    less than a third as long as the longest that fits."""
    if room is None or cell_len(text) <= room:
        return [text]
    words, gaps = _tokens(text)
    ends = list(accumulate(cell_len(w) + len(g) for w, g in zip(words, gaps, strict=True)))
    breaks, ranks = _breaks(words, gaps)
    pieces: list[str] = []
    start = 0

    def width(end: int) -> int:
        return ends[end] - len(gaps[end]) - (ends[start - 1] if start else 0)

    while start < len(words):
        if width(len(words) - 1) <= room:
            end = len(words) - 1
        else:
            lo = bisect_right(breaks, start - 1)
            hi = lo
            while hi < len(breaks) and width(breaks[hi]) <= room:
                hi += 1
            if hi == lo:  # no break fits: the shortest overflowing line, or the rest
                end = breaks[lo] if lo < len(breaks) else len(words) - 1
            else:
                longest = width(breaks[hi - 1])
                fair = [b for b in breaks[lo:hi] if 3 * width(b) >= longest]
                end = min(fair, key=lambda b: (ranks[b], -b))
        line = "".join(w + g for w, g in zip(words[start:end], gaps[start:end], strict=True))
        pieces.append(line + words[end])
        start = end + 1
    return pieces


def _like(text: str, above: list[str], room: int | None) -> list[str] | None:
    """``text`` broken after the same terms as the part ``above`` it (the substitution as its
    formula is), so that each number stands under the symbol it replaces: when the two have
    the same words and operators and every line fits; else None."""
    if room is None or len(above) < 2:
        return None
    words, gaps = _tokens(text)
    shape = [_tokens(piece)[0] for piece in above]
    if sum(len(model) for model in shape) != len(words):
        return None
    pieces: list[str] = []
    start = 0
    for model in shape:
        end = start + len(model) - 1
        last, same = words[end], model[-1]
        quotients = last.endswith("/") and same.endswith("/")
        if end < len(words) - 1 and last != same and not quotients:
            return None
        line = "".join(w + g for w, g in zip(words[start:end], gaps[start:end], strict=True))
        pieces.append(line + last)
        if cell_len(pieces[-1]) > room:
            return None
        start = end + 1
    return pieces


def _tokens(text: str) -> tuple[list[str], list[str]]:
    """The words of ``text`` and what follows each: a space, or nothing after the slash of a
    quotient written tight (g₁/(sqrt(G₁) + ε) may break after its /)."""
    words: list[str] = []
    gaps: list[str] = []
    for word in text.split(" "):
        *quotients, last = word.split("/")
        for part in quotients:
            words.append(part + "/")
            gaps.append("")
        words.append(last)
        gaps.append(" ")
    gaps[-1] = ""
    return words, gaps


def _breaks(words: list[str], gaps: list[str]) -> tuple[list[int], dict[int, int]]:
    """The indexes of the words a line may end with, and the rank of each (lower is better:
    twice the depth in parentheses, plus one after a product's or a quotient's sign)."""
    breaks: list[int] = []
    ranks: dict[int, int] = {}
    depth = 0
    for k, word in enumerate(words[:-1]):
        depth += word.count("(") - word.count(")")
        spaced = gaps[k] == " " and (word in OPERATORS or word.endswith((",", ";")))
        if spaced or word.endswith("/"):
            breaks.append(k)
            ranks[k] = 2 * max(depth, 0) + (0 if word in ("+", "−", "-", "→", "=") else 1)
    return breaks, ranks


def _words(text: str, room: int) -> list[str]:
    """Prose (an aside) broken at spaces into lines of ``room`` cells."""
    lines: list[str] = []
    for word in text.split():
        if lines and cell_len(lines[-1]) + 1 + cell_len(word) <= room:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def elide(rhs: str, substitution: str, more: Callable[[int], str], budget: int) -> tuple[str, str]:
    """The formula's right side and its substitution with the middle terms of their sum left
    out, the same terms in both, so that each is at most ``budget`` cells long; ``more(n)``
    names the ``n`` terms left out. Texts within the budget, and sums of at most
    ``WHOLE_SUM`` terms, come back as they are."""
    if not (_over(rhs, budget) or _over(substitution, budget)):
        return rhs, substitution
    left, right = rhs.split(_TERM), substitution.split(_TERM)
    if max(len(left), len(right)) <= WHOLE_SUM:
        return rhs, substitution
    if len(left) != len(right):  # not one sum in the same shape: shorten each alone
        return _elide_one(left, more, budget), _elide_one(right, more, budget)
    keep = _kept(len(left), budget, more, [left, right])
    return _joined(left, keep, more), _joined(right, keep, more)


def _over(text: str, budget: int) -> bool:
    """Whether ``text`` is wider than ``budget`` cells, measuring a long text only as far as
    needed (a mark such as m̂'s takes no cell, so a long text may still fit)."""
    return cell_len(text[: 2 * budget + 2]) > budget or cell_len(text) > budget


def _elide_one(terms: list[str], more: Callable[[int], str], budget: int) -> str:
    return _joined(terms, _kept(len(terms), budget, more, [terms]), more)


def _kept(
    n: int, budget: int, more: Callable[[int], str], texts: list[list[str]]
) -> tuple[int, int]:
    """How many terms to keep at the head and the tail: as many as the budget holds (two
    thirds of them at the head), leaving out only terms whose parentheses balance. Counted up
    from two, and each term measured only when reached, so that a 785-term sum costs the
    dozen terms kept, not the 785 (only the count of unbalanced terms reads them all)."""
    unbalanced = [any(not _balanced(t[k]) for t in texts) for k in range(n)]
    total = sum(unbalanced)
    heads = [[0] for _ in texts]  # each text's first ``h`` terms' width, by h
    tails = [[0] for _ in texts]  # and its last ``t`` terms'
    words = max(cell_len(more(n)), cell_len(more(n - 2)))  # the label, as wide as it gets
    best = (1, 1)
    for kept in range(2, n - 1):
        head = (2 * kept + 2) // 3
        tail = kept - head
        for terms, widths in zip(texts, heads, strict=True):
            while len(widths) <= head:
                widths.append(widths[-1] + cell_len(terms[len(widths) - 1]) + len(_TERM))
        for terms, widths in zip(texts, tails, strict=True):
            while len(widths) <= tail:
                widths.append(widths[-1] + cell_len(terms[n - len(widths)]) + len(_TERM))
        if any(h[head] + t[tail] + words > budget for h, t in zip(heads, tails, strict=True)):
            break
        # Only balanced terms left out: none of the unbalanced ones between head and tail.
        if sum(unbalanced[:head]) + sum(unbalanced[n - tail :]) == total:
            best = (head, tail)
    return best


def _balanced(text: str) -> bool:
    if "(" not in text and ")" not in text:
        return True
    depth = 0
    for char in _PARENS.findall(text):
        depth += 1 if char == "(" else -1
        if depth < 0:
            return False
    return depth == 0


def _joined(terms: list[str], keep: tuple[int, int], more: Callable[[int], str]) -> str:
    head, tail = keep
    hidden = len(terms) - head - tail
    if hidden <= 0:
        return _TERM.join(terms)
    return _TERM.join([*terms[:head], more(hidden), *terms[len(terms) - tail :]])


def step_parts(step: Step, upto: int, *, comma: bool = False) -> list[tuple[int, str]]:
    """The parts of ``step`` shown up to stage ``upto``, as (stage, text), in Unicode, with a
    decimal comma when ``comma`` (and then ``;`` between a function's arguments, as Spanish
    notes write max(0; 1,2))."""
    parts = [
        (FORMULA, formulas.rhs_formula(step, "unicode")),
        (SUBSTITUTION, formulas.substituted(step, "unicode")),
        (VALUE, pretty(step.shown)),
    ]
    return [(stage, commas(text) if comma else text) for stage, text in parts if stage <= upto]


def commas(text: str) -> str:
    """A formula's text with decimal commas, its argument separators made semicolons."""
    return decimal_comma(re.sub(r",(?= )", ";", text))


def step_lines(
    step: Step,
    upto: int,
    width: int | None = None,
    *,
    comma: bool = False,
    aside: str = "",
    more: Callable[[int], str] | None = None,
    max_lines: int | None = None,
) -> list[Line]:
    """The lines of ``step`` shown up to stage ``upto``. With ``more`` and ``max_lines``, a sum
    that would take more than about ``max_lines`` lines is elided in the middle, the same
    terms at every stage."""
    parts = step_parts(step, VALUE, comma=comma)
    if more is not None and max_lines is not None and width is not None:
        room = max(width - cell_len(step.sym.unicode()) - 3, MIN_ROOM)
        (_, rhs), (_, substitution) = parts[0], parts[1]
        rhs, substitution = elide(rhs, substitution, more, max_lines * room * 4 // 5)
        parts[:2] = [(FORMULA, rhs), (SUBSTITUTION, substitution)]
    shown = [(stage, text) for stage, text in parts if stage <= upto]
    return lay_out(step.sym.unicode(), step.relation, shown, width, aside=aside)
