r"""Long equations broken into lines that fit the page, as a textbook sets them.

A step prints as formula = substitution = value. When that does not fit the text width, each
part goes on its own line, aligned at its "=" (``align*`` in LaTeX, ``aligned`` in Markdown's
``$$``); a part still too wide is broken before a + or − of its outermost sum, the next line
indented under the first term. A break inside ``\left( … \right)`` closes the line with
``\right.`` and opens the next with ``\left.``, so that each line is complete math.

The width of a formula is estimated from its LaTeX in ems of Computer Modern at the text size
(digits and letters half an em, operators with their spacing, sub- and superscripts at 70 %);
the estimate leans wide, and a test compiles every lesson and finds no overfull line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

#: The text width of the page (A4 with 2 cm margins: 480 pt) in ems of the 11 pt font, less
#: a margin for the estimate's error.
TEXT_WIDTH = 40.0

_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|[{}^_&]|\s+|.", re.S)

#: Widths in ems of single tokens; a binary operator or relation with the space around it.
_BINARY = 0.78 + 0.44
_RELATION = 1.0 + 0.56
_WIDTHS = {
    "+": _BINARY,
    "-": _BINARY,
    r"\cdot": 0.28 + 0.44,
    r"\times": _BINARY,
    "=": _RELATION,
    r"\rightarrow": _RELATION,
    r"\approx": _RELATION,
    r"\leq": _RELATION,
    r"\geq": _RELATION,
    "<": _RELATION,
    ">": _RELATION,
    "(": 0.45,
    ")": 0.45,
    "[": 0.35,
    "]": 0.35,
    "|": 0.3,
    ",": 0.45,
    ".": 0.3,
    ";": 0.45,
    r"\,": 0.17,
    r"\;": 0.28,
    r"\:": 0.22,
    r"\!": -0.17,
    r"\quad": 1.0,
    r"\qquad": 2.0,
    r"\square": 0.78,
    r"\|": 0.5,
    r"\{": 0.5,
    r"\}": 0.5,
}
#: Commands that take no room of their own (sizes, spacing of delimiters, fonts).
_INVISIBLE = {
    r"\left",
    r"\right",
    r"\bigl",
    r"\bigr",
    r"\Bigl",
    r"\Bigr",
    r"\mathrm",
    r"\mathbf",
    r"\mathit",
    r"\operatorname",
    r"\displaystyle",
    r"\textstyle",
    r"\text",
    r"\phantom",
    r"\hat",
    r"\tilde",
    r"\bar",
    r"\vec",
    r"\limits",
}
#: A command that is a word in roman type (\tanh, \log, \max): its letters.
_WORDS = re.compile(r"\\(?:tanh|sinh|cosh|log|ln|exp|max|min|sin|cos|sqrt|operatorname)$")


def _group(tokens: list[str], i: int) -> tuple[list[str], int]:
    """The argument starting at ``tokens[i]``: a braced group or one token; and the index after."""
    if i >= len(tokens):
        return [], i
    if tokens[i] != "{":
        return [tokens[i]], i + 1
    depth = 0
    for j in range(i, len(tokens)):
        depth += {"{": 1, "}": -1}.get(tokens[j], 0)
        if depth == 0:
            return tokens[i + 1 : j], j + 1
    return tokens[i + 1 :], len(tokens)


def _width(tokens: list[str]) -> float:
    total = 0.0
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok in ("^", "_"):
            # A sub- and a superscript on one base stack: count the wider one.
            arg, i = _group(tokens, i + 1)
            here = 0.7 * _width(arg)
            if i < len(tokens) and tokens[i] in ("^", "_") and tokens[i] != tok:
                other, i = _group(tokens, i + 1)
                here = max(here, 0.7 * _width(other))
            total += here
            continue
        if tok == r"\frac":
            top, i = _group(tokens, i + 1)
            bottom, i = _group(tokens, i)
            total += max(_width(top), _width(bottom)) + 0.3
            continue
        if tok == r"\sqrt":
            arg, i = _group(tokens, i + 1)
            total += _width(arg) + 0.9
            continue
        if tok == r"\boxed":
            arg, i = _group(tokens, i + 1)
            total += _width(arg) + 0.8
            continue
        if tok == r"\text":
            arg, i = _group(tokens, i + 1)
            total += 0.5 * len("".join(arg))
            continue
        total += _token_width(tok, tokens[i - 1] if i else None)
        i += 1
    return total


def _token_width(tok: str, previous: str | None) -> float:
    """The width of a token that takes no argument."""
    if tok in ("{", "}", "&") or tok in _INVISIBLE:
        return 0.0
    if tok in ("+", "-") and (previous is None or previous in _NO_OPERAND):
        return 0.78  # a sign, not an operator: no space around it
    if tok in _WIDTHS:
        return _WIDTHS[tok]
    if _WORDS.match(tok):
        return 0.5 * (len(tok) - 1) + 0.17
    if tok.startswith("\\"):
        return 0.6
    return 0.55 if tok.isalpha() and tok.isupper() else 0.5


def width(tex: str) -> float:
    """The estimated width of ``tex`` (display math) in ems."""
    return _width(_scan(tex)[0])


@dataclass(frozen=True, slots=True)
class Line:
    """One line of a broken equation: what stands left of the alignment point, and right."""

    left: str
    right: str


_RELATIONS = ("=", r"\rightarrow", r"\approx")
#: Tokens after which a + or − is a sign, not a binary operator.
_NO_OPERAND = {"(", "[", "{", "=", ",", "+", "-", r"\left", r"\cdot", r"\times", *_RELATIONS}


def _scan(tex: str) -> tuple[list[str], list[int]]:
    """The tokens of ``tex`` and where each starts, so that pieces are cut from the source."""
    found = [(m.group(), m.start()) for m in _TOKEN.finditer(tex) if not m.group().isspace()]
    return [t for t, _ in found], [s for _, s in found]


def _split_relation(tex: str) -> tuple[str, str, str] | None:
    """``tex`` as (left side, relation, right side) at its first relation outside any group."""
    tokens, starts = _scan(tex)
    depth = 0
    for i, tok in enumerate(tokens):
        depth += {"{": 1, "}": -1}.get(tok, 0)
        if depth == 0 and tok in _RELATIONS:
            return tex[: starts[i]].strip(), tok, tex[starts[i] + len(tok) :].strip()
    return None


def _breaks(tokens: list[str]) -> list[tuple[int, int]]:
    """Where a line may break: before each binary + or − outside braces, with how many
    ``\\left`` delimiters are open there."""
    found = []
    braces = lefts = 0
    previous = None
    for i, tok in enumerate(tokens):
        if tok == "{":
            braces += 1
        elif tok == "}":
            braces -= 1
        elif tok == r"\left":
            lefts += 1
        elif tok == r"\right":
            lefts -= 1
        elif braces == 0 and tok in ("+", "-") and previous not in _NO_OPERAND:
            found.append((i, lefts))
        previous = tok
    return found


def _pieces(tex: str, room: float) -> list[str]:
    """``tex`` cut before + or − into pieces no wider than ``room`` ems where it can be, as
    even as the greedy count of lines allows, at the outermost sum; each piece complete math."""
    tokens, starts = _scan(tex)
    breaks = _breaks(tokens)
    if not breaks or _width(tokens) <= room:
        return [tex]
    depth = min(d for _, d in breaks)
    cuts = [i for i, d in breaks if d == depth]
    spans = _Spans(tokens, cuts)
    greedy = _greedy(tokens, cuts, room, spans)
    chosen = _even(tokens, cuts, len(greedy) + 1, room, spans) or greedy
    edges = [0, *(starts[i] for i in chosen), len(tex)]
    pieces = []
    for n in range(len(edges) - 1):
        piece = tex[edges[n] : edges[n + 1]].strip()
        if n > 0:
            # "{}" keeps the + binary (spaced) after the line's opening.
            piece = r"\left." * depth + "{} " + piece
        if n < len(edges) - 2:
            piece += " " + r"\right." * depth
        pieces.append(piece.strip())
    return pieces


class _Spans:
    """Widths of the token runs between cuts, measured once: a 785-term sum has 785 cuts, and
    measuring each candidate line anew made breaking it take minutes. A cut is at the top
    level of the sum, so a run's width is the sum of the runs it spans; a run measured alone
    starts with a unary sign (as ``_width`` of that slice would), in context with a binary one."""

    def __init__(self, tokens: list[str], cuts: list[int]) -> None:
        self.tokens = tokens
        #: The width of ``tokens[:c]`` in context, for 0, each cut and the end.
        self.before: dict[int, float] = {0: 0.0}
        total, start = 0.0, 0
        for cut in [*cuts, len(tokens)]:
            if cut <= start:
                continue
            total += _width(tokens[start:cut]) + self._context(start)
            self.before[cut] = total
            start = cut

    def _context(self, at: int) -> float:
        """What the sign at ``at`` adds in context over its width alone."""
        if at == 0:
            return 0.0
        tok = self.tokens[at]
        return _token_width(tok, self.tokens[at - 1]) - _token_width(tok, None)

    def prefix(self, c: int) -> float:
        """The width of ``tokens[:c]``, in context."""
        return self.before[c]

    def run(self, a: int, b: int) -> float:
        """The width of ``tokens[a:b]`` measured alone."""
        return self.before[b] - self.before[a] - self._context(a)


def _greedy(tokens: list[str], cuts: list[int], room: float, spans: _Spans) -> list[int]:
    """Each line as full as it can be: the cuts where the next term would not fit."""
    chosen: list[int] = []
    start = 0
    for n, cut in enumerate(cuts):
        following = cuts[n + 1] if n + 1 < len(cuts) else len(tokens)
        if spans.run(start, following) > room and cut > start:
            chosen.append(cut)
            start = cut
    return chosen


def _even(
    tokens: list[str], cuts: list[int], count: int, room: float, spans: _Spans
) -> list[int] | None:
    """``count`` lines of about equal width (no short last line), or None if one overflows."""
    total = spans.prefix(len(tokens))
    chosen: list[int] = []
    for j in range(1, count):
        later = [c for c in cuts if not chosen or c > chosen[-1]]
        if not later:
            return None
        chosen.append(min(later, key=lambda c: abs(spans.prefix(c) - total * j / count)))
    edges = [0, *chosen, len(tokens)]
    if any(spans.run(a, b) > room for a, b in pairwise(edges)):
        return None
    return chosen


def joined(parts: list[str], relations: list[str] | None = None) -> str:
    """formula = substitution = value on one line; ``relations`` between the parts when not
    all are =."""
    between = relations or ["="] * (len(parts) - 1)
    return parts[0] + "".join(f" {r} {p}" for r, p in zip(between, parts[1:], strict=True))


def lines(
    parts: list[str], room: float = TEXT_WIDTH, relations: list[str] | None = None
) -> list[Line] | None:
    """The lines of formula = substitution = value when they do not fit on one line of
    ``room`` ems, or None when they do; ``relations`` are those between the parts when
    not all are = (≈ before a rounded value)."""
    between = relations or ["="] * (len(parts) - 1)
    if width(joined(parts, between)) <= room:
        return None
    first = _split_relation(parts[0])
    left, relation, right = first if first else (parts[0], "", "")
    rights = [(relation, right)] if first else []
    rights += list(zip(between, parts[1:], strict=True))
    indent = width(left) + _RELATION + 1.0
    out: list[Line] = []
    for rel, part in rights:
        for k, piece in enumerate(_pieces(part, room - indent)):
            head = f"{rel} " if k == 0 else r"\quad "
            out.append(Line(left if not out else "", head + piece))
    if not out:
        out.append(Line(left, ""))
    return out


def aligned(line_list: list[Line]) -> str:
    """The body of an ``align*`` or ``aligned`` environment."""
    return " \\\\\n".join(f"{line.left} &{line.right}" for line in line_list)
