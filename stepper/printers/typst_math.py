"""Typst math for the formulas: a small sympy printer, the lecture's symbols and shown numbers.

``stepper.formulas`` builds each kind of step as a sympy template over numbered slot symbols.
Here the template is printed once in typst's math syntax by :class:`TypstMathPrinter` (sympy's
``Printer`` model: one ``_print_<Class>`` method per kind of expression) and split at its slots
(:func:`compiled`); a step then fills the slots with its symbols written by :func:`sym_typst`
(the formula) or with its numbers written by :func:`number_typst` (the substitution). So a
784-input neuron costs one sympy print, and the formula and its substitution have one shape.

The printer keeps the order of unevaluated sums and products (the formula reads in the
lecture's order), writes products with ``dot`` (``times`` for the convolution's windows, as
the lecture does), quotients as ``frac`` (shown in display size, or as ``a \\/ b`` when too long
to keep on one line), and groups a sum in parentheses that a line may break inside, so that a
long sum in running text wraps instead of overflowing the page.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

import sympy
from sympy.core.function import AppliedUndef
from sympy.printing.printer import Printer

from stepper import formulas
from stepper.notation import Sym
from stepper.steps import Step

#: Sums with more terms than this in a quotient are written a \/ b, which a line may break.
FRAC_TERMS = 6

_SLOT_NAME = re.compile(r"Zslot(\d+)Z")
#: A slot as the printer leaves it in its output: number and how it stands (see ``Slot``).
_MARK = re.compile(r"\x00(\d+):([ep]*)\x00")


@dataclass(frozen=True, slots=True)
class Slot:
    """A place in a printed template where a symbol or a number goes.

    ``enclosed``: the slot is a whole argument of a function (tanh(u), e^(u), max(0, z)), so a
    negative number needs no parentheses of its own. ``powered``: the slot is the base of a
    power, so a symbol that already has a superscript needs parentheses.
    """

    index: int
    enclosed: bool = False
    powered: bool = False


@dataclass(frozen=True, slots=True)
class Template:
    """A printed template: typst text between slots, in order."""

    parts: tuple[str | Slot, ...]

    @property
    def bare(self) -> bool:
        """The whole template is one slot (ỹ = u): its substitution is just a number."""
        return len(self.parts) == 1 and isinstance(self.parts[0], Slot)

    @property
    def arity(self) -> int:
        return len({p.index for p in self.parts if isinstance(p, Slot)})

    def fill(self, write: Callable[[Slot], str]) -> str:
        return "".join(p if isinstance(p, str) else write(p) for p in self.parts)


def _group(text: str) -> str:
    """Parentheses around ``text``: plain glyphs a line may break between, unless they must
    grow around a fraction."""
    if "frac(" in text:
        return f"({text})"
    return rf"\({text}\)"


def _is_negative(expr: sympy.Basic) -> bool:
    """A term that is written with a leading minus: -x (Mul by -1) or a negative number."""
    if expr.is_Number:
        return bool(expr.is_negative)
    if expr.is_Mul and expr.args:
        first = expr.args[0]
        return bool(first.is_Number and first.is_negative)
    return False


class TypstMathPrinter(Printer):  # type: ignore[misc]  # sympy is untyped
    """sympy expressions in typst math syntax, keeping the order of unevaluated terms.

    ``mul`` is the product symbol: ``dot`` or ``times``. Slot symbols (``Zslot3Z``) come out
    as markers for :func:`compiled` to split at.
    """

    printmethod = "_typst"
    _default_settings = {"mul": "dot", "order": "none"}  # noqa: RUF012  # sympy's own protocol

    # -- slots and atoms ----------------------------------------------------------------
    def _slot(self, expr: sympy.Basic, *, enclosed: bool = False, powered: bool = False) -> str:
        if isinstance(expr, sympy.Symbol):
            found = _SLOT_NAME.fullmatch(expr.name)
            if found:
                flags = ("e" if enclosed else "") + ("p" if powered else "")
                return f"\x00{found.group(1)}:{flags}\x00"
        return str(self._print(expr))

    def _argument(self, expr: sympy.Basic) -> str:
        """A whole argument of a function: a slot there is enclosed."""
        return self._slot(expr, enclosed=True)

    def _print_Symbol(self, expr: sympy.Symbol) -> str:
        if _SLOT_NAME.fullmatch(expr.name):
            return self._slot(expr)
        return symbol_name(expr.name)

    def _print_Integer(self, expr: sympy.Integer) -> str:
        return str(int(expr))

    def _print_Rational(self, expr: sympy.Rational) -> str:
        sign = "-" if expr.p < 0 else ""
        return f"{sign}display(frac({abs(expr.p)}, {expr.q}))"

    def _print_Float(self, expr: sympy.Float) -> str:
        return number_typst(repr(float(expr)))

    def _print_Half(self, expr: sympy.Rational) -> str:
        return self._print_Rational(expr)

    def _print_NegativeOne(self, expr: sympy.Integer) -> str:
        return "-1"

    # -- sums, products, powers -----------------------------------------------------------
    def _print_Add(self, expr: sympy.Add) -> str:
        out = ""
        for k, term in enumerate(expr.args):
            if _is_negative(term):
                positive = self._positive(term)
                out += ("-" if k == 0 else " - ") + positive
            else:
                out += ("" if k == 0 else " + ") + self._term(term)
        return out

    def _term(self, term: sympy.Basic) -> str:
        """A term of a sum: no parentheses unless it is a sum itself."""
        text = self._print(term)
        return _group(text) if term.is_Add else str(text)

    def _positive(self, term: sympy.Basic) -> str:
        """A negative term without its minus sign, parenthesised where the minus needs it."""
        if term.is_Number:
            return str(self._print(-term))
        rest = term.args[1:] if term.args[0] == -1 else (-term.args[0], *term.args[1:])
        if len(rest) == 1:
            inner = rest[0]
            if inner.is_Add:
                return _group(self._print(inner))
            return self._slot(inner)
        return self._print_Mul(sympy.Mul(*rest, evaluate=False))

    def _print_Mul(self, expr: sympy.Mul) -> str:
        args = list(expr.args)
        if args and args[0] == -1 and len(args) > 1:
            return "-" + self._positive(expr)
        numerator: list[sympy.Basic] = []
        denominator: list[sympy.Basic] = []
        for factor in args:
            if factor.is_Pow and factor.exp == -1:
                denominator.append(factor.base)
            elif factor.is_Rational and not factor.is_Integer:
                if factor.p != 1:
                    numerator.append(sympy.Integer(factor.p))
                denominator.append(sympy.Integer(factor.q))
            else:
                numerator.append(factor)
        if denominator:
            top = self._product(numerator) if numerator else "1"
            bottom = self._product(denominator)
            return self._quotient(top, bottom, numerator, denominator)
        return self._product(numerator)

    def _product(self, factors: Sequence[sympy.Basic]) -> str:
        if len(factors) == 1 and factors[0].is_Add:
            return str(self._print(factors[0]))
        sep = f" {self._settings['mul']} "
        return sep.join(self._factor(f) for f in factors)

    def _factor(self, factor: sympy.Basic) -> str:
        """A factor of a product: sums and nested products in parentheses, negative numbers
        too (the slot's filling adds those for numbers that come in as text)."""
        if factor.is_Add or factor.is_Mul:
            return _group(self._print(factor))
        if factor.is_Number and factor.is_negative:
            return _group(self._print(factor))
        return self._slot(factor)

    def _quotient(
        self,
        top: str,
        bottom: str,
        numerator: Sequence[sympy.Basic],
        denominator: Sequence[sympy.Basic],
    ) -> str:
        terms = sum(len(f.args) if f.is_Add else 1 for f in (*numerator, *denominator))
        if terms <= FRAC_TERMS:
            return f"display(frac({top}, {bottom}))"
        # Too long for a fraction that cannot break: a slash, with the sums grouped.
        up = _group(top) if len(numerator) > 1 or (numerator and numerator[0].is_Add) else top
        down = bottom if len(denominator) == 1 and not denominator[0].is_Add else _group(bottom)
        return rf"{up} \/ {down}"

    def _print_Pow(self, expr: sympy.Pow) -> str:
        base, exp = expr.base, expr.exp
        if exp == -1:
            return self._quotient("1", self._print(base), [sympy.Integer(1)], [base])
        if exp == sympy.Rational(1, 2):
            return f"sqrt({self._argument(base)})"
        grouped = base.is_Add or base.is_Mul or base.is_Pow or isinstance(base, sympy.exp)
        if grouped or (base.is_Number and base.is_negative):
            written = f"({self._print(base)})"
        else:
            written = self._slot(base, powered=True)
        power = self._print(exp)
        return f"{written}^({power})" if len(power) > 1 else f"{written}^{power}"

    def _print_Exp1(self, expr: sympy.Expr) -> str:
        return "e"

    # -- functions ------------------------------------------------------------------------
    def _print_exp(self, expr: sympy.Expr) -> str:
        return f"e^({self._argument(expr.args[0])})"

    def _print_Heaviside(self, expr: sympy.Expr) -> str:
        # ReLU's step is Heaviside(y, 0) (value 0 at 0): written [y > 0], 1 when y > 0.
        return f"[{self._argument(expr.args[0])} > 0]"

    def _print_equal(self, expr: sympy.Expr) -> str:
        """Iverson's bracket [a = b] (a one-hot entry)."""
        a, b = (self._argument(x) for x in expr.args)
        return f"[{a} = {b}]"

    def _print_Max(self, expr: sympy.Expr) -> str:
        # sympy keeps Max's arguments as a set: print them in sympy's canonical order (0 first).
        args = sorted(expr.args, key=sympy.default_sort_key)
        return "max(" + ", ".join(self._argument(a) for a in args) + ")"

    def _print_sigmoid(self, expr: sympy.Expr) -> str:
        """A graph's σ(u) (``stepper.lesson.formula.neuron_functions``)."""
        return f"sigma({self._argument(expr.args[0])})"

    def _print_relu(self, expr: sympy.Expr) -> str:
        return f'op("relu")({self._argument(expr.args[0])})'

    def _print_Min(self, expr: sympy.Expr) -> str:
        args = sorted(expr.args, key=sympy.default_sort_key)
        return "min(" + ", ".join(self._argument(a) for a in args) + ")"

    def _print_Abs(self, expr: sympy.Expr) -> str:
        return f"abs({self._argument(expr.args[0])})"

    def _print_Function(self, expr: sympy.Expr) -> str:
        """tanh, log, sin, cos and functions of our own (the window's ordered ``max``)."""
        name = expr.func.__name__
        known = {"tanh", "log", "sin", "cos", "max", "min", "exp", "sqrt"}
        head = name if name in known else f'op("{name}")'
        return head + "(" + ", ".join(self._argument(a) for a in expr.args) + ")"

    def _print_AppliedUndef(self, expr: AppliedUndef) -> str:
        return self._print_Function(expr)

    def emptyPrinter(self, expr: object) -> str:  # sympy's name
        return f'"{expr}"'


_GREEK = {
    "eps": "epsilon",
    "epsilon": "epsilon",
    "delta": "delta",
    "gamma": "gamma",
    "alpha": "alpha",
    "sigma": "sigma",
    "theta": "theta",
    "Delta": "Delta",
}


def symbol_name(name: str) -> str:
    """A letter (or a Greek letter's name) as typst math writes it; a longer name upright."""
    if name in _GREEK:
        return _GREEK[name]
    if len(name) == 1 and name.isalpha():
        return name
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def typst_math(expr: sympy.Expr, *, mul: str = "dot") -> str:
    """Any sympy expression in typst math (without the ``$``)."""
    printed = str(TypstMathPrinter({"mul": mul}).doprint(expr))
    return _MARK.sub(lambda m: f"Zslot{m.group(1)}Z", printed)


@cache
def compiled(name: str, params: tuple[int | str, ...], arity: int) -> Template:
    """Print the template once in typst with slot symbols, and split it at the slots."""
    slots = [sympy.Symbol(f"Zslot{k}Z") for k in range(arity)]
    mul = "times" if name in formulas._TIMES else "dot"
    printed = str(TypstMathPrinter({"mul": mul}).doprint(formulas.build(name, slots, params)))
    parts: list[str | Slot] = []
    at = 0
    for found in _MARK.finditer(printed):
        if found.start() > at:
            parts.append(printed[at : found.start()])
        flags = found.group(2)
        parts.append(Slot(int(found.group(1)), "e" in flags, "p" in flags))
        at = found.end()
    if at < len(printed):
        parts.append(printed[at:])
    return Template(tuple(parts))


# -- the lecture's symbols ----------------------------------------------------------------

#: letter -> its base in typst math
_LETTERS: dict[str, str] = {
    "eps": "epsilon",
    "delta": "delta",
    "gamma": "gamma",
    "alpha": "alpha",
    "sigma": "sigma",
    "eps2": "epsilon",
    "Fo": "F",
    # The optimisers' letters, as the other formats write them (stepper.notation).
    "beta": "beta",
    "rho": "rho",
    "mhat": "hat(m)",
    "rhat": "hat(r)",
    "xi": "xi",
    "norm": "norm(nabla f)",
    "Eg2": "E[g^2]",
    "xp": "x'",
    "yp": "y'",
    "mu": "mu",
}
#: Letters whose base has an attachment of its own (ε², Fₒ).
_ATTACHED: dict[str, tuple[str, str]] = {"eps2": ("2", ""), "Fo": ("", "o")}


@cache
def sym_typst(sym: Sym) -> str:
    """A symbol of the lecture in typst math: ``w_(10)``, ``tilde(y)_2``, ``Delta w_(10)``,
    ``epsilon^(2(1))``, ``delta^z_(11)``, ``x_(1,10)^((2))``, a graph's
    ``(partial L)/(partial a)``."""
    base = _LETTERS.get(sym.letter) or _squared_step(sym.letter) or symbol_name(sym.letter)
    sup, sub = _ATTACHED.get(sym.letter, ("", ""))
    if sym.tilde:
        base = f"tilde({base})"
    if sym.delta:
        base = f"Delta {base}"
    if sym.tag:
        sup += sym.tag
    if sym.sample is not None:
        sup += f"({sym.sample})"
    if sym.indices:
        sep = "," if sym.comma or any(i > 9 for i in sym.indices) else ""
        sub = (sub + "," if sub else "") + sep.join(str(i) for i in sym.indices)
    if sup:
        base += f"^({sup})" if len(sup) > 1 else f"^{sup}"
    if sub:
        base += f"_({sub})" if len(sub) > 1 else f"_{sub}"
    if sym.of is None:
        return base
    d = "upright(d)" if sym.total else "partial"
    base = f"({d} {sym_typst(sym.of)})/({d} {base})"  # dL/da or ∂e/∂a, as a fraction
    if sym.via is not None:
        base = f"({base})^(({sym_typst(sym.via)}))"
    return base


#: AdaDelta's average of the squared steps, written by the engine as one letter (E[Δx²],
#: E[Δx₁²]): the variable and its subscript digits.
_SQUARED_STEP = re.compile(r"^E\[Δ([^\W\d_])([₀-₉]*)²\]$")


def _squared_step(letter: str) -> str | None:
    """E[Δx²] as typst math, ``E[Delta x^2]`` (with x₁'s subscript kept), rather than text."""
    found = _SQUARED_STEP.match(letter)
    if found is None:
        return None
    var, digits = found.groups()
    if digits:
        var += f"_({digits.translate(_FROM_SUBSCRIPT)})"
    return f"E[Delta {var}^2]"


_FROM_SUBSCRIPT = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")


def has_script(sym: Sym) -> bool:
    """Whether the symbol has a superscript (and needs parentheses to be squared)."""
    return bool(sym.tag or sym.sample is not None or sym.letter in ("eps2",))


# -- shown numbers --------------------------------------------------------------------------

_EXPONENT = re.compile(r"^(-?[\d.]+)e([+-]?\d+)$")


def _digits(text: str, comma: bool) -> str:
    # A bare comma in typst math is punctuation (it adds a space after it): quote it.
    return text.replace(".", '","') if comma else text


def number_typst(shown: str, *, comma: bool = False, alone: bool = True) -> str:
    """A shown number in typst math; a negative one in parentheses unless ``alone`` (the
    number is a whole expression or a function's whole argument)."""
    found = _EXPONENT.match(shown)
    if found:
        mantissa, exponent = found.groups()
        body = f"{_digits(mantissa.lstrip('-'), comma)} dot 10^({int(exponent)})"
        negative = mantissa.startswith("-")
    else:
        negative = shown.startswith("-")
        body = _digits(shown.lstrip("-"), comma)
    if not negative:
        return body
    return f"-{body}" if alone else f"(-{body})"


def formula_rhs(step: Step) -> str:
    """The right-hand side of the step's formula, with the lecture's symbols in the slots."""
    template = compiled(step.template, step.params, len(step.operands))
    syms = [q.sym for q in step.operands]

    def write(slot: Slot) -> str:
        sym = syms[slot.index]
        text = sym_typst(sym)
        return f"({text})" if slot.powered and has_script(sym) else text

    return template.fill(write)


def substitution(step: Step, *, comma: bool = False, blank: str | None = None) -> str:
    """The right-hand side with the numbers as shown in the slots, nothing evaluated.

    With ``blank``, the numbers that earlier steps computed are replaced by it (a worksheet
    shows the lesson's given numbers and leaves the learner's own results to fill in).
    """
    template = compiled(step.template, step.params, len(step.operands))
    operands = step.operands
    bare = template.bare

    def write(slot: Slot) -> str:
        q = operands[slot.index]
        if blank is not None and q.step is not None:
            return blank
        return number_typst(q.shown, comma=comma, alone=bare or slot.enclosed)

    return template.fill(write)


@cache
def constants(name: str, params: tuple[int | str, ...], arity: int) -> frozenset[float]:
    """The numbers a template writes itself (the 2 of 2αxδ, the 1 of 1 − ỹ², the 0 of
    max(0, z)): they show in every formula, so they are never an answer given away."""
    slots = [sympy.Symbol(f"Zslot{k}Z") for k in range(arity)]
    expr = formulas.build(name, slots, params)
    found = set()
    for atom in expr.atoms(sympy.Number):
        found |= {float(atom), float(abs(atom))}
        if atom.is_Rational:
            found |= {float(atom.p), float(abs(atom.p)), float(atom.q)}
    return frozenset(found)


def relation(step: Step) -> str:
    return "->" if step.relation == "→" else "="


# -- where a long line of math may break ----------------------------------------------------

#: Operators a line of math may break before, with the space typst puts around each.
_BREAKS = {" + ": "med", " - ": "med", " = ": "thick", " approx ": "thick", " -> ": "thick"}
_BREAK = re.compile("|".join(re.escape(b) for b in _BREAKS))


def _top_level(math: str) -> list[int]:
    """Where ``math`` has a breaking operator outside every call, group and string."""
    found = []
    depth = 0
    quoted = False
    k = 0
    while k < len(math):
        ch = math[k]
        if ch == "\\":
            k += 2  # \( \) \/ are glyphs, not groups
            continue
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in "([":
            depth += 1
        elif not quoted and ch in ")]":
            depth -= 1
        elif not quoted and depth == 0 and _BREAK.match(math, k):
            found.append(k)
        k += 1
    return found


def breaking(math: str) -> str:
    """Typst markup for a line of math that breaks only before + − = →, never inside a
    term: each term is a box that cannot break, and the boxes are joined by a zero-width
    break; the operator starts the next box, with its usual spacing written out."""
    cuts = _top_level(math)
    if not cuts:
        return f"#box(${math}$)"
    pieces = [math[: cuts[0]]]
    for at, end in zip(cuts, [*cuts[1:], len(math)], strict=True):
        op = _BREAK.match(math, at)
        assert op is not None
        space = _BREAKS[op.group()]
        pieces.append(f"{space} {op.group().strip()} {space} {math[op.end() : end]}")
    return "#sym.zws".join(f"#box(${p}$)" for p in pieces)
