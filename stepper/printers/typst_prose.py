"""Prose for typst: the formulas inside a sentence set as math, the rest as text (and where
those formulas are, for the HTML to keep each on one line).

Explanations, notes and summaries are written in the catalogues with Unicode math
("la entrada x₀ = 1", "Δw = 2αxδ", "E[g²]₁ → ρ·E[g²]₁ + (1 − ρ)·g₁²"). Printed as text, the
subscripts come from a fallback font (the text font has none), an ε from the text font is not
the formulas' ε, and "x₀ =" may end a line with "1" on the next. Here each formula is found and
written in typst math, in a box so that a short one never breaks; everything else stays text,
with typographic quotes.

A formula is found by a small parser over words, numbers, operators and brackets: an operand
(a symbol with its scripts and accents, a number, a bracketed group, a function applied to
one) followed by operator and operand, or by a juxtaposed operand (2αxδ, (1 − zₖ²) δ₃). A run
is set as math when it has something only math has (a Greek letter, a script, an accent, a
letter alone such as x) or joins two operands with an operator (tgh(0.12) ≈ 0.12); words of
two or more Latin letters are prose unless a bracket follows them (tanh(u₂)).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from stepper.numbers import decimal_comma
from stepper.printers.typography import quotes

_SUB = dict(
    zip("₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₒₓₕₖₗₘₙₚₛₜᵢⱼᵣᵤᵥ", "0123456789+-=()aeoxhklmnpstijruv", strict=True)
)
_SUP = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁱⁿᵗᵀᵐᵃˣʸᶜᵖᶻᶠᵍʰᵒʳ", "0123456789+-=()intTmaxycpzfghor", strict=True))
#: Combining accents and the typst function that puts them on a letter.
_ACCENTS = {"\u0303": "tilde", "\u0302": "hat", "\u0304": "macron", "\u0307": "dot"}
#: The prime of a scaled quantity (x′₁), kept on its letter as an accent is.
_PRIME = "′"
#: The comma between two indices (h₂‚₁, unit 1 at time 2; w₁‚₁₀) is part of the subscript.
_SUB["‚"] = ","
#: Binary operators and relations as typst math writes them.
_OPS = {
    "=": "=",
    "≈": "approx",
    "→": "->",
    "+": "+",
    "−": "-",
    "·": "dot",
    "×": "times",
    "/": "\\/",
    "<": "<",
    ">": ">",
    "≤": "<=",
    "≥": ">=",
}
#: Functions typst math writes upright by name; any other word before a bracket is op("…").
_FUNCTIONS = {"tanh", "log", "ln", "exp", "max", "min", "sin", "cos", "arg"}
#: One-letter words of the prose (Spanish y, o, a, e, u; English a, I): never a symbol alone.
_WORDS = set("yoaeuIAOYEU")
#: The word before a graph's node in headings and explanations (nodo e: the node, not "and").
_NODE = ("nodo", "node")
#: Letters of the prose that Unicode writes with an accent a symbol could carry (ñ is n + ~).
_LETTERS = {"ñ", "Ñ"}
#: Letters that are mathematical symbols although not alphabetic.
_SYMBOLS = {"∇", "∂"}
#: The longest formula (in characters of the source) kept whole on one line.
_BOX = 40

_SCRIPTS = "".join(_SUB) + "".join(_SUP)
_LETTER = rf"(?:(?![{_SCRIPTS}])[^\W\d_]|[∇∂])[\u0300-\u036f{_PRIME}]*"
_TOKEN = re.compile(
    # A name of Latin letters and digits (CS231n, a course) is a word: not CS times 231n.
    r"(?P<name>[A-Za-z]{2,}\d+[A-Za-z\d]*)"
    rf"|(?P<word>(?:{_LETTER})+)"
    r"|(?P<num>\d+(?:[.,]\d+)?)"
    rf"|(?P<script>[{_SCRIPTS}]+)"
    r"|(?P<op>[=≈→+−·×/<>≤≥√])"
    r"|(?P<open>[(\[{])|(?P<close>[)\]}])|(?P<bar>‖)"
    r"|(?P<comma>,)|(?P<space>\s+)|(?P<other>.)",
    re.DOTALL,
)


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str
    text: str


@dataclass(frozen=True, slots=True)
class _Math:
    """A parsed stretch: where it ends, its typst math, and what makes it mathematical."""

    end: int
    typst: str
    strong: bool
    operators: int


def _tokens(text: str) -> list[_Token]:
    found = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "other"
        found.append(_Token(kind, m.group()))
    return found


def _scripts(text: str) -> str:
    """Unicode sub- and superscripts as typst attachments (₃ₖ → _(3 k), ⁽³⁾ → ^((3)))."""
    out = ""
    k = 0
    while k < len(text):
        table, mark = (_SUB, "_") if text[k] in _SUB else (_SUP, "^")
        run = ""
        while k < len(text) and text[k] in table:
            run += table[text[k]]
            k += 1
        # Letters apart from each other and from digits (3k would be one name to typst), but
        # min and max whole: typst writes them upright, as the formulas' xᵐⁱⁿ does.
        if run not in _FUNCTIONS:
            run = re.sub(r"(?<=[^\W_])(?=[^\W\d_])|(?<=[^\W\d_])(?=\d)", " ", run)
        out += mark + "(" + run + ")"
    return out


def _letters(word: str) -> list[tuple[str, str]]:
    """A word as (letter, accents) pairs."""
    pairs: list[tuple[str, str]] = []
    for ch in "".join(c if c in _LETTERS else unicodedata.normalize("NFD", c) for c in word):
        if (unicodedata.combining(ch) or ch == _PRIME) and pairs:
            letter, marks = pairs[-1]
            pairs[-1] = (letter, marks + ch)
        else:
            pairs.append((ch, ""))
    return pairs


def _is_prose(word: str) -> bool:
    """A word of two or more Latin letters, with no accent a symbol would carry."""
    pairs = _letters(word)
    latin = all(
        unicodedata.name(letter, "").startswith("LATIN") and not set(marks) & {*_ACCENTS, _PRIME}
        for letter, marks in pairs
    )
    return latin and len(pairs) > 1


def _symbols(word: str) -> str:
    """A word of symbols juxtaposed (Δw, 2αxδ's αxδ, ỹ) in typst math."""
    out = []
    for letter, marks in _letters(word):
        written = letter
        for mark in marks:
            if mark in _ACCENTS:
                written = f"{_ACCENTS[mark]}({written})"
            elif mark == _PRIME:
                written += "'"
        out.append(written)
    return " ".join(out)


def _strong(word: str) -> bool:
    if len(_letters(word)) == 1 and word not in _WORDS:
        return True
    return any(
        unicodedata.combining(ch)
        or ch in _SYMBOLS
        or ch == _PRIME
        or "GREEK" in unicodedata.name(ch, "")
        for ch in word
    )


class _Parser:
    """Recursive descent over the tokens of one text, in the grammar the module describes."""

    def __init__(self, tokens: list[_Token], comma: bool) -> None:
        self.tokens = tokens
        self.comma = comma

    def kind(self, i: int) -> str:
        return self.tokens[i].kind if i < len(self.tokens) else "end"

    def text(self, i: int) -> str:
        return self.tokens[i].text if i < len(self.tokens) else ""

    def skip(self, i: int) -> int:
        return i + 1 if self.kind(i) == "space" else i

    def number(self, text: str) -> str:
        from stepper.printers.typst_math import number_typst

        # A decimal comma the text already has stays a comma.
        return number_typst(text.replace(",", "."), comma=self.comma or "," in text)

    def scripted(self, found: _Math) -> _Math:
        """An operand with the scripts that follow it (E[g²]₁, 0.12², e^(yᵢ))."""
        if self.text(found.end) == "^":
            power = self.operand(found.end + 1)
            if power is None:
                return found
            exponent = power.typst if power.typst.startswith("(") else f"({power.typst})"
            return _Math(power.end, f"{found.typst}^{exponent}", True, found.operators)
        if self.kind(found.end) != "script":
            return found
        attached = found.typst + _scripts(self.text(found.end))
        return _Math(found.end + 1, attached, True, found.operators)

    def operand(self, i: int) -> _Math | None:
        kind, text = self.kind(i), self.text(i)
        if kind == "op" and text in "−+√":
            inner = self.operand(i + 1)
            if inner is None:
                return None
            sign = {"−": "-", "+": "+", "√": "√"}[text]
            return _Math(inner.end, sign + inner.typst, inner.strong, inner.operators)
        if kind == "num":
            return self.scripted(_Math(i + 1, self.number(text), False, 0))
        if kind in ("open", "bar"):
            return self.scripted_group(i)
        if kind != "word":
            return None
        if self.kind(i + 1) in ("open",):
            # A function applied: tanh(u₂), tgh(0.12), E[g²].
            group = self.group(i + 1)
            if group is not None:
                name = text if len(_letters(text)) == 1 or text in _FUNCTIONS else f'op("{text}")'
                strong = group.strong or _strong(text)
                return self.scripted(
                    _Math(group.end, f"{name} {group.typst}", strong, group.operators)
                )
        if _is_prose(text):
            return None
        # A letter right before a comma is a symbol in a list ("u, ỹ, ε"), and one that ends a
        # phrase after "nodo"/"node" names a graph's node ("hacia atrás · nodo e"): the
        # one-letter words of the prose (y, o, u, a, e) never stand there.
        named = len(_letters(text)) == 1 and (self.kind(i + 1) == "comma" or self._after_node(i))
        return self.scripted(_Math(i + 1, _symbols(text), _strong(text) or named, 0))

    def _after_node(self, i: int) -> bool:
        """Whether token ``i`` follows the word nodo (node) and a space and ends the phrase
        (the heading's "nodo e", "nodo e:"; "cada nodo y cada entrada" has the word y)."""
        named = i >= 2 and self.kind(i - 1) == "space" and self.text(i - 2).lower() in _NODE
        phrase = not (self.kind(i + 1) == "space" and self.kind(i + 2) == "word")
        return named and phrase

    def scripted_group(self, i: int) -> _Math | None:
        group = self.group(i)
        return self.scripted(group) if group is not None else None

    def group(self, i: int) -> _Math | None:
        """( … ), [ … ] or ‖ … ‖, the inside a list of expressions separated by commas."""
        opening = self.text(i)
        closing = {"(": ")", "[": "]", "{": "}", "‖": "‖"}[opening]
        items: list[_Math] = []
        j = i + 1
        while True:
            found = self.expression(j)
            if found is None:
                return None
            items.append(found)
            j = found.end
            if self.kind(j) == "comma":
                j = self.skip(j + 1)
                continue
            if self.text(j) == closing:
                break
            return None
        inside = ", ".join(item.typst for item in items)
        written = {
            "(": f"({inside})",
            "[": f"[{inside}]",
            "{": f"{{{inside}}}",
            "‖": f"‖{inside}‖",
        }[opening]
        strong = any(item.strong for item in items)
        return _Math(j + 1, written, strong, sum(item.operators for item in items))

    def expression(self, i: int) -> _Math | None:
        """Operands joined by operators or juxtaposed."""
        first = self.operand(i)
        if first is None:
            return None
        typst, strong, operators, end = first.typst, first.strong, first.operators, first.end
        while True:
            j = self.skip(end)
            if self.kind(j) == "op" and self.text(j) != "√":
                nxt = self.operand(self.skip(j + 1))
                if nxt is None:
                    break
                typst += f" {_OPS[self.text(j)]} {nxt.typst}"
                operators += 1 + nxt.operators
            else:
                nxt = self.operand(j)
                # Juxtaposed: glued (2αxδ), or across a space between two symbols ((1 − z²) δ₃).
                if nxt is None or (j != end and not (strong and nxt.strong)):
                    break
                typst += f" {nxt.typst}"
                operators += nxt.operators
            strong = strong or nxt.strong
            end = nxt.end
        return _Math(end, typst, strong, operators)


def _string(text: str, comma: bool) -> str:
    """Text as a typst string literal in markup, with decimal commas if asked."""
    text = decimal_comma(text) if comma else text
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ").replace("\t", " ")
    return f'#"{escaped}"'


@dataclass(frozen=True, slots=True)
class Formula:
    """A formula found in a text: where it is (``text[start:end]``) and its typst math."""

    start: int
    end: int
    typst: str

    @property
    def short(self) -> bool:
        """Short enough to keep on one line: a longer one may break at its operators."""
        return self.end - self.start <= _BOX


def formulas(text: str, *, comma: bool = False) -> list[Formula]:
    """The formulas of ``text``, in order."""
    tokens = _tokens(text)
    offsets = [0]
    for token in tokens:
        offsets.append(offsets[-1] + len(token.text))
    parser = _Parser(tokens, comma)
    found: list[Formula] = []
    i = 0
    while i < len(tokens):
        starts = tokens[i].kind in ("word", "num", "open", "op", "bar")
        # Not the s of an apostrophe's "channel’s".
        glued = i > 0 and tokens[i - 1].text in "’'"
        parsed = parser.expression(i) if starts and not glued else None
        if parsed is not None and (parsed.strong or parsed.operators):
            found.append(Formula(offsets[i], offsets[parsed.end], parsed.typst))
            i = parsed.end
        else:
            i += 1
    return found


def prose(text: str, *, lang: str, comma: bool = False) -> str:
    """``text`` as typst markup: its formulas as math, the rest as text."""
    text = quotes(text, lang)
    out: list[str] = []
    at = 0
    for formula in formulas(text, comma=comma):
        if formula.start > at:
            out.append(_string(text[at : formula.start], comma))
        math = f"${formula.typst}$"
        out.append(f"#box({math})" if formula.short else math)
        at = formula.end
    if at < len(text):
        out.append(_string(text[at:], comma))
    return "[" + "".join(out) + "]"
