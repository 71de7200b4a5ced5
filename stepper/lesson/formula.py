"""The function of an optimize lesson: a formula string, read without ever running it.

A lesson's ``function`` (``x**2 + y**2``) is untrusted text. Python's ``ast`` parses it (parsing
runs nothing), and every node is checked against a whitelist: numbers, the variables the lesson
declares, ``+ - * / **``, a constant exponent of at most 10, and the functions exp, log, sqrt,
tanh, sin and cos (those whose derivatives stay among them and among the functions that
``substituted_text`` may use). Anything else (a name the lesson does not declare, an attribute,
a call of anything else, a lambda, a comprehension, a subscript, a string, a comparison, ...)
is refused with the place in the string where it starts. The string never reaches sympify,
parse_expr, eval or exec: the checked tree is compiled into a tree of closures here (to check the
start point without sympy, so ``stepper check`` stays quick) and turned into sympy objects by
hand, unevaluated, so that the formula prints in the author's order.

The module also holds what the checks of an optimize lesson need besides the formula: the step
keys each optimiser makes, how many steps a lesson makes, and ``check_optimize``.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import math
import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from stepper.lesson.checks import MAX_STEPS, Found
from stepper.lesson.errors import msg, msg_count
from stepper.lesson.schema import HYPERPARAMETERS, VARIABLE

if TYPE_CHECKING:
    import sympy

#: Limits on a formula: characters, expression nodes, |constant exponent|, powers of powers,
#: functions of functions, and the size of a number written in it. sympy's derivative of a
#: nest of functions takes time that grows exponentially with its depth (tanh nested 10 deep:
#: 18 s; 20 deep: no answer), so nests are kept shallow; the node limit bounds their number.
MAX_CHARS = 1_000
MAX_NODES = 200
MAX_EXPONENT = 10
MAX_POWER_DEPTH = 3
MAX_CALL_DEPTH = 3
MAX_LITERAL = 1e15

FUNCTION_NAMES = ("exp", "log", "sqrt", "tanh", "sin", "cos")
#: A graph lesson's formulas may also take the neurons' functions, and max of two values.
GRAPH_FUNCTIONS = (*FUNCTION_NAMES, "sigmoid", "relu", "max")
#: The functions of two arguments; every other function takes one.
TWO_ARGUMENTS = frozenset({"max"})


class FormulaError(ValueError):
    """A formula the whitelist refuses; ``offset`` is the 0-based character where it starts;
    ``name`` the undeclared name, when that is the problem (a graph lesson says it in its own
    terms: inputs and nodes, not variables)."""

    def __init__(self, message: str, offset: int | None = None, name: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset
        self.name = name


class NumericError(ArithmeticError):
    """A value that cannot be computed (log of 0, a division by 0, a number too large)."""


# --- Numbers: the guarded primitives both evaluators use -------------------------------------


def finite(value: float) -> float:
    if not math.isfinite(value):
        raise NumericError(msg("formula.number_too_large"))
    return value


def _log(a: float) -> float:
    if a <= 0:
        raise NumericError(msg("formula.log", a=f"{a:g}"))
    return math.log(a)


def sqrt(a: float) -> float:
    if a < 0:
        raise NumericError(msg("formula.sqrt", a=f"{a:g}"))
    return math.sqrt(a)


def _exp(a: float) -> float:
    try:
        return math.exp(a)
    except OverflowError:
        raise NumericError(msg("formula.exp", a=f"{a:g}")) from None


def sigmoid(a: float) -> float:
    """1/(1 + e^−a), computed on the side where e^−|a| cannot overflow."""
    if a >= 0:
        return 1.0 / (1.0 + math.exp(-a))
    z = math.exp(a)
    return z / (1.0 + z)


FUNCTIONS: dict[str, Callable[[float], float]] = {
    "exp": _exp,
    "log": _log,
    "sqrt": sqrt,
    "tanh": math.tanh,
    "sin": math.sin,
    "cos": math.cos,
    "sigmoid": sigmoid,
    "relu": lambda a: max(0.0, a),
}


def step(a: float) -> float:
    """The unit step [a > 0], 0 at 0: the derivative of relu (and of max) used everywhere."""
    return 1.0 if a > 0 else 0.0


def divide(a: float, b: float) -> float:
    if b == 0:
        raise NumericError(msg("formula.division"))
    return finite(a / b)


def power(base: float, exponent: float) -> float:
    """base ** exponent for a constant exponent, as a real number or a NumericError."""
    if base == 0 and exponent < 0:
        raise NumericError(msg("formula.zero_power"))
    try:
        if exponent == int(exponent):
            return finite(base ** int(exponent))
        if base < 0:
            raise NumericError(
                msg("formula.fractional_power", base=f"{base:g}", exponent=f"{exponent:g}")
            )
        return finite(math.pow(base, exponent))
    except OverflowError:
        raise NumericError(msg("formula.number_too_large")) from None


# --- Parsing: the whitelist over the syntax tree ----------------------------------------------


@dataclass(frozen=True)
class Formula:
    """A checked formula: its text, the variables in order, and its syntax tree (which the
    text and variables determine, so two formulas compare by those: a Solution unpickled in
    another process equals the one it was pickled from)."""

    text: str
    variables: tuple[str, ...]
    tree: ast.expr = dataclasses.field(compare=False)
    #: The functions the text may call (an optimize function's, or a graph's).
    functions: tuple[str, ...] = FUNCTION_NAMES

    def value(self, point: Sequence[float]) -> float:
        """f at ``point`` (one number per variable), computed from the tree with floats."""
        if len(point) != len(self.variables):
            raise ValueError(f"{len(point)} numbers for {len(self.variables)} variables")
        return finite(self._compiled(point))

    @functools.cached_property
    def _compiled(self) -> Evaluator:
        """The tree as a tree of closures, built once: a contour plot evaluates f at thousands
        of points, and walking the syntax tree for each cost more than the rest of the plot."""
        return _compile(self.tree, self.variables)

    def __getstate__(self) -> dict[str, Any]:
        """The fields only: closures do not pickle, and an unpickled formula compiles again."""
        state = dict(self.__dict__)
        state.pop("_compiled", None)
        return state

    def to_sympy(self, symbols: Sequence[sympy.Symbol]) -> sympy.Expr:
        """The formula as sympy objects built node by node, unevaluated (as written)."""
        return _build(self.tree, dict(zip(self.variables, symbols, strict=True)))

    def span(self, node: ast.AST) -> tuple[int, int]:
        """Where ``node`` of the tree is written in ``text`` (first character, one past the
        last): for a problem found past the whitelist, such as a value out of a domain."""
        source, lead = _source(self.text)
        checker = _Checker(source, lead, self.variables, self.functions)
        return checker.at(node), checker.end(node)


def parse_formula(
    text: str, variables: Sequence[str], functions: tuple[str, ...] = FUNCTION_NAMES
) -> Formula:
    """Check ``text`` against the whitelist (``functions`` are the calls it allows); raise
    FormulaError at the first thing it refuses."""
    if len(text) > MAX_CHARS:
        raise FormulaError(msg("formula.too_long", n=len(text), limit=MAX_CHARS))
    source, lead = _source(text)
    if not source:
        raise FormulaError(msg("formula.empty"))
    if "#" in source:  # a comment would silently swallow the rest of the line
        raise FormulaError(msg("formula.comment"), lead + source.index("#"))
    try:
        tree = ast.parse(source, mode="eval").body
    except SyntaxError as exc:
        raise _syntax_error(exc, source, lead) from None
    except (RecursionError, MemoryError, ValueError):
        raise FormulaError(msg("formula.too_deep")) from None
    count = sum(1 for node in ast.walk(tree) if isinstance(node, ast.expr))
    if count > MAX_NODES:
        raise FormulaError(msg("formula.too_many_parts", n=count, limit=MAX_NODES))
    _Checker(source, lead, tuple(variables), functions).check(tree)
    return Formula(text, tuple(variables), tree, functions)


def _source(text: str) -> tuple[str, int]:
    """The text ast parses, and how many characters of ``text`` come before it. A long formula
    may be written over several lines (a YAML block): a line break is a space, one character
    for one, so every offset still points into ``text``."""
    flat = text.replace("\r", " ").replace("\n", " ")
    return flat.strip(), len(flat) - len(flat.lstrip())


def _syntax_error(exc: SyntaxError, source: str, lead: int) -> FormulaError:
    detail = exc.msg or msg("formula.invalid_syntax")
    offset = None
    if exc.lineno is not None and exc.offset is not None:
        lines = source.split("\n")
        offset = lead + sum(len(line) + 1 for line in lines[: exc.lineno - 1]) + exc.offset - 1
    # Python's own words for the syntax error (detail) are quoted as they are.
    products = "decimal literal" in detail
    return FormulaError(
        msg("formula.syntax_products" if products else "formula.syntax", detail=detail), offset
    )


#: What a refused kind of expression is called (``formula.node.<name>``).
_NODE_NAMES: dict[type, str] = {
    ast.Lambda: "lambda",
    ast.ListComp: "comprehension",
    ast.SetComp: "comprehension",
    ast.DictComp: "comprehension",
    ast.GeneratorExp: "generator",
    ast.Subscript: "subscript",
    ast.List: "list",
    ast.Tuple: "tuple",
    ast.Set: "set",
    ast.Dict: "mapping",
    ast.Compare: "comparison",
    ast.BoolOp: "boolean",
    ast.IfExp: "conditional",
    ast.NamedExpr: "assignment",
    ast.JoinedStr: "fstring",
    ast.Starred: "starred",
    ast.Slice: "slice",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
}
_OPERATORS: dict[type, str] = {
    ast.Mod: "%",
    ast.FloorDiv: "//",
    ast.MatMult: "@",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitOr: "|",
    ast.BitAnd: "&",
    ast.BitXor: "^",
}


class _Checker:
    """Walks the tree in source order and refuses the first node outside the whitelist."""

    def __init__(
        self, source: str, lead: int, variables: tuple[str, ...], functions: tuple[str, ...]
    ) -> None:
        self.source = source
        self.lines = source.split("\n")
        self.lead = lead
        self.variables = variables
        self.functions = functions
        self.calls = 0  # how many function calls enclose the node being checked

    def _offset(self, lineno: int, byte_col: int) -> int:
        """The character offset of a place ast gives as (line, column in UTF-8 bytes)."""
        line = self.lines[lineno - 1]
        chars = len(line.encode("utf-8")[:byte_col].decode("utf-8", errors="ignore"))
        return self.lead + sum(len(text) + 1 for text in self.lines[: lineno - 1]) + chars

    def at(self, node: ast.AST) -> int:
        """The character offset where ``node`` starts."""
        return self._offset(getattr(node, "lineno", 1), getattr(node, "col_offset", 0))

    def end(self, node: ast.AST) -> int:
        """The character offset just after ``node``."""
        return self._offset(
            getattr(node, "end_lineno", None) or 1, getattr(node, "end_col_offset", None) or 0
        )

    def refuse(self, message: str, node: ast.AST) -> FormulaError:
        return FormulaError(message, self.at(node))

    def allowed(self) -> str:
        variables, functions = ", ".join(self.variables), ", ".join(self.functions)
        return msg("formula.allowed", variables=variables, functions=functions)

    def check(self, node: ast.AST, powers: int = 0) -> None:
        if isinstance(node, ast.Constant):
            self.number(node)
        elif isinstance(node, ast.Name):
            self.name(node)
        elif isinstance(node, ast.BinOp):
            self.binary(node, powers)
        elif isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, ast.USub | ast.UAdd):
                op = "not" if isinstance(node.op, ast.Not) else "~"
                raise self.refuse(msg("formula.unary", op=op), node)
            self.check(node.operand, powers)
        elif isinstance(node, ast.Call):
            self.call(node)
        elif isinstance(node, ast.Attribute):
            while isinstance(node.value, ast.Attribute):  # report the first dot of a chain
                node = node.value
            dot = self.source.find(".", self.end(node.value) - self.lead)
            raise FormulaError(
                msg("formula.attribute", name=node.attr),
                self.lead + dot if dot >= 0 else self.at(node),
            )
        else:
            kind = _NODE_NAMES.get(type(node))
            what = (
                msg(f"formula.node.{kind}")
                if kind
                else msg("formula.node.other", name=type(node).__name__)
            )
            raise self.refuse(msg("formula.not_allowed", what=what, allowed=self.allowed()), node)

    def number(self, node: ast.Constant) -> None:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            what = msg("formula.text") if isinstance(value, str | bytes) else repr(value)
            raise self.refuse(msg("formula.not_allowed", what=what, allowed=self.allowed()), node)
        # abs() before isfinite: a whole number of hundreds of digits is too large for a float.
        if abs(value) > MAX_LITERAL or not math.isfinite(value):
            raise self.refuse(
                msg("formula.literal_too_large", number=self.source_of(node), limit=MAX_LITERAL),
                node,
            )

    def name(self, node: ast.Name) -> None:
        if node.id in self.variables:
            return
        if node.id in self.functions:
            raise self.refuse(msg("formula.function_name", name=node.id), node)
        declared = ", ".join(self.variables)
        functions = ", ".join(self.functions)
        raise FormulaError(
            msg("formula.unknown_name", name=node.id, variables=declared, functions=functions),
            self.at(node),
            name=node.id,
        )

    def binary(self, node: ast.BinOp, powers: int) -> None:
        if type(node.op) in _OPERATORS:
            symbol = _OPERATORS[type(node.op)]
            at = self._operator_at(node)
            if symbol == "^":
                raise FormulaError(msg("formula.operator_power"), at)
            raise FormulaError(msg("formula.operator", symbol=symbol), at)
        if isinstance(node.op, ast.Pow):
            if powers + 1 > MAX_POWER_DEPTH:
                raise self.refuse(msg("formula.powers", limit=MAX_POWER_DEPTH), node)
            self.exponent(node.right)
            self.check(node.left, powers + 1)
            return
        self.check(node.left, powers)
        self.check(node.right, powers)

    def _operator_at(self, node: ast.BinOp) -> int:
        """Where the operator of ``node`` is written: the first one between its operands."""
        start = self.end(node.left) - self.lead
        end = self.at(node.right) - self.lead
        gap = self.source[start:end]
        symbol = _OPERATORS[type(node.op)]
        found = gap.find(symbol)
        return self.lead + start + (found if found >= 0 else 0)

    def exponent(self, node: ast.expr) -> None:
        """An exponent is a constant number, maybe signed, with |n| ≤ MAX_EXPONENT."""
        inner = node
        while isinstance(inner, ast.UnaryOp) and isinstance(inner.op, ast.USub | ast.UAdd):
            inner = inner.operand
        if not (
            isinstance(inner, ast.Constant)
            and isinstance(inner.value, int | float)
            and not isinstance(inner.value, bool)
        ):
            raise self.refuse(msg("formula.exponent", exponent=repr(self.source_of(node))), node)
        if abs(inner.value) > MAX_EXPONENT or not math.isfinite(inner.value):
            raise self.refuse(
                msg("formula.exponent_large", exponent=self.source_of(node), limit=MAX_EXPONENT),
                node,
            )

    def call(self, node: ast.Call) -> None:
        func = node.func
        if not isinstance(func, ast.Name) or func.id not in self.functions:
            if isinstance(func, ast.Attribute):
                self.check(func)  # refused as attribute access, at the attribute
            what = f"'{func.id}'" if isinstance(func, ast.Name) else msg("formula.call_this")
            functions = ", ".join(self.functions)
            raise self.refuse(msg("formula.call", what=what, functions=functions), node)
        two = func.id in TWO_ARGUMENTS
        if (
            node.keywords
            or len(node.args) != (2 if two else 1)
            or any(isinstance(a, ast.Starred) for a in node.args)
        ):
            raise self.refuse(
                msg("formula.two_arguments" if two else "formula.one_argument", name=func.id),
                node,
            )
        if self.calls == MAX_CALL_DEPTH:
            raise self.refuse(msg("formula.calls_deep", limit=MAX_CALL_DEPTH), node)
        self.calls += 1
        for argument in node.args:
            self.check(argument)
        self.calls -= 1

    def source_of(self, node: ast.AST) -> str:
        text = ast.get_source_segment(self.source, node) or "?"
        return text if len(text) <= 40 else f"{text[:37]}..."


# --- Evaluating the checked tree with floats ---------------------------------------------------


#: f compiled: a float function of the point (one number per variable, in order).
Evaluator = Callable[[Sequence[float]], float]


def _compile(node: ast.expr, variables: tuple[str, ...]) -> Evaluator:
    """The checked tree as nested closures with the guarded primitives above (nothing is
    parsed, compiled or exec'd: each closure is one of the few written here)."""
    if isinstance(node, ast.Constant):
        assert isinstance(node.value, int | float)
        constant = float(node.value)
        return lambda p: constant
    if isinstance(node, ast.Name):
        return operator.itemgetter(variables.index(node.id))
    if isinstance(node, ast.UnaryOp):
        inner = _compile(node.operand, variables)
        if isinstance(node.op, ast.USub):
            return lambda p: -inner(p)
        return inner
    if isinstance(node, ast.Call):
        assert isinstance(node.func, ast.Name)
        if node.func.id == "max":
            first, second = (_compile(a, variables) for a in node.args)
            return lambda p: max(first(p), second(p))
        function, argument = FUNCTIONS[node.func.id], _compile(node.args[0], variables)
        return lambda p: finite(function(argument(p)))
    assert isinstance(node, ast.BinOp)
    a, b = _compile(node.left, variables), _compile(node.right, variables)
    if isinstance(node.op, ast.Add):
        return lambda p: finite(a(p) + b(p))
    if isinstance(node.op, ast.Sub):
        return lambda p: finite(a(p) - b(p))
    if isinstance(node.op, ast.Mult):
        return lambda p: finite(a(p) * b(p))
    if isinstance(node.op, ast.Div):
        return lambda p: divide(a(p), b(p))
    return lambda p: power(a(p), b(p))


# --- Building sympy objects from the checked tree ---------------------------------------------


def _build(node: ast.expr, symbols: dict[str, Any]) -> Any:
    import sympy

    if isinstance(node, ast.Constant):
        assert isinstance(node.value, int | float)
        return _number(node.value)
    if isinstance(node, ast.Name):
        return symbols[node.id]
    if isinstance(node, ast.UnaryOp):
        if isinstance(node.operand, ast.Constant):
            value = node.operand.value
            assert isinstance(value, int | float)
            return _number(-value if isinstance(node.op, ast.USub) else value)
        inner = _build(node.operand, symbols)
        if isinstance(node.op, ast.UAdd):
            return inner
        return sympy.Mul(sympy.Integer(-1), inner, evaluate=False)
    if isinstance(node, ast.Call):
        assert isinstance(node.func, ast.Name)
        arguments = [_build(a, symbols) for a in node.args]
        if node.func.id == "max":
            return neuron_functions()["max"](*arguments)
        function = {
            "exp": sympy.exp,
            "log": sympy.log,
            "sqrt": sympy.sqrt,
            "tanh": sympy.tanh,
            "sin": sympy.sin,
            "cos": sympy.cos,
            **neuron_functions(),
        }[node.func.id]
        return function(*arguments, evaluate=False)
    assert isinstance(node, ast.BinOp)
    left = _build(node.left, symbols)
    if isinstance(node.op, ast.Pow):
        return sympy.Pow(left, _exponent(node.right), evaluate=False)
    return _arithmetic(node.op, left, _build(node.right, symbols))


def _arithmetic(op: ast.operator, left: Any, right: Any) -> Any:
    """left + right, left − right, left · right or left / right, unevaluated."""
    import sympy

    # A sum goes on as one sum (w⁴ − 2w² + 0.5w), not as a sum inside a sum, which prints
    # in parentheses: (w⁴ − 2w²) + 0.5w.
    terms = left.args if left.is_Add else (left,)
    if isinstance(op, ast.Add):
        return sympy.Add(*terms, right, evaluate=False)
    if isinstance(op, ast.Sub):
        negative = sympy.Mul(sympy.Integer(-1), right, evaluate=False)
        if right.is_Number:
            negative = -right
        return sympy.Add(*terms, negative, evaluate=False)
    if isinstance(op, ast.Mult):
        return sympy.Mul(left, right, evaluate=False)
    if left == 1:  # 1/x as x⁻¹: as 1·x⁻¹ LaTeX wrote a stray factor, 1 \cdot \frac{1}{x}
        return sympy.Pow(right, -1, evaluate=False)
    return sympy.Mul(left, sympy.Pow(right, -1, evaluate=False), evaluate=False)


@functools.cache
def neuron_functions() -> dict[str, Any]:
    """sigmoid, relu and max as sympy functions that stay whole (σ(u), relu(u), max(a, b)),
    so a graph node reads as written; each knows its derivative (σ(1 − σ); the step θ(u), 0 at
    u = 0 as the dense kind takes it) and its value. How each is printed: ``stepper.formulas``."""
    import sympy

    def sigmoid_slope(self: Any, argindex: int = 1) -> Any:
        s = sigmoid(self.args[0])
        return s * (1 - s)

    def sigmoid_value(self: Any, prec: int) -> Any:
        return (1 / (1 + sympy.exp(-self.args[0])))._eval_evalf(prec)

    def relu_slope(self: Any, argindex: int = 1) -> Any:
        return sympy.Heaviside(self.args[0], 0)

    def relu_value(self: Any, prec: int) -> Any:
        return sympy.Max(0, self.args[0])._eval_evalf(prec)

    def max_slope(self: Any, argindex: int = 1) -> Any:
        a, b = self.args if argindex == 1 else reversed(self.args)
        return sympy.Heaviside(a - b, 0)

    def max_value(self: Any, prec: int) -> Any:
        return sympy.Max(*self.args)._eval_evalf(prec)

    # sympy names a function by its class.
    function = sympy.Function
    sigmoid = type("sigmoid", (function,), {"fdiff": sigmoid_slope, "_eval_evalf": sigmoid_value})
    relu = type("relu", (function,), {"fdiff": relu_slope, "_eval_evalf": relu_value})
    # max(a, b) in the order written (sympy's Max sorts its arguments), whose slope is the
    # step [a − b > 0]: 0 for both at a tie, as relu's at 0.
    ordered = type("max", (function,), {"fdiff": max_slope, "_eval_evalf": max_value, "nargs": 2})
    return {"sigmoid": sigmoid, "relu": relu, "max": ordered}


def _number(value: float) -> Any:
    """An integer as a sympy Integer; a decimal as a Float of the digits written (0.1 prints
    as 0.1, not as 1/10)."""
    import sympy

    if isinstance(value, int):
        return sympy.Integer(value)
    return sympy.Float(repr(value))


def _exponent(node: ast.expr) -> Any:
    """A constant exponent as an exact number (0.5 -> 1/2, so x**0.5 is the square root)."""
    import sympy

    sign = 1
    while isinstance(node, ast.UnaryOp):
        sign *= -1 if isinstance(node.op, ast.USub) else 1
        node = node.operand
    assert isinstance(node, ast.Constant)
    value = node.value
    exact = sympy.Integer(value) if isinstance(value, int) else sympy.Rational(repr(value))
    return sign * exact


# --- Evaluating sympy expressions (f and its derivatives) with floats --------------------------


def numeric(
    expr: sympy.Expr, symbols: Sequence[sympy.Symbol]
) -> Callable[[Sequence[float]], float]:
    """A float function of the point for ``expr`` (f, a derivative: what the checked tree
    became in sympy), compiled from its tree, nothing parsed or exec'd: sums and products in
    the expression's order, and the guarded functions above. Raises NumericError when called
    where it is undefined. Fast enough for a picture's grid of contour values."""
    import sympy

    index = {s: k for k, s in enumerate(symbols)}
    functions = {
        sympy.exp: FUNCTIONS["exp"],
        sympy.log: FUNCTIONS["log"],
        sympy.tanh: FUNCTIONS["tanh"],
        sympy.sin: FUNCTIONS["sin"],
        sympy.cos: FUNCTIONS["cos"],
        neuron_functions()["sigmoid"]: FUNCTIONS["sigmoid"],
        neuron_functions()["relu"]: FUNCTIONS["relu"],
    }

    def compile_(e: Any) -> Callable[[Sequence[float]], float]:
        if e.is_Symbol:
            k = index[e]
            return lambda p: p[k]
        if e.is_Number or isinstance(e, sympy.NumberSymbol):
            c = float(e)
            if not math.isfinite(c):
                raise NumericError(msg("formula.division_in"))
            return lambda p: c
        parts = [compile_(a) for a in e.args]
        if e.is_Add:
            return lambda p: _sum(parts, p)
        if e.is_Mul:
            return lambda p: _product(parts, p)
        if e.is_Pow and e.exp.is_Number:
            base, n = parts[0], e.exp
            if n == sympy.Rational(1, 2):
                return lambda p: sqrt(base(p))
            exponent = float(n)
            return lambda p: power(base(p), exponent)
        if e.func in (sympy.Max, neuron_functions()["max"]):
            return lambda p: max(part(p) for part in parts)
        if e.func is sympy.Heaviside:  # Heaviside(u, 0): the second argument is its value at 0
            return lambda p: step(parts[0](p))
        if e.func in functions and len(parts) == 1:
            function, (argument,) = functions[e.func], parts
            return lambda p: finite(function(argument(p)))
        raise ValueError(f"cannot evaluate {type(e).__name__} numerically")

    return compile_(expr)


def _sum(parts: list[Callable[[Sequence[float]], float]], p: Sequence[float]) -> float:
    total = 0.0
    for part in parts:
        total += part(p)
    return finite(total)


def _product(parts: list[Callable[[Sequence[float]], float]], p: Sequence[float]) -> float:
    total = 1.0
    for part in parts:
        total *= part(p)
    return finite(total)


# --- The lesson around the formula: keys, step count, checks ----------------------------------

#: The per-variable quantities each optimiser keeps, in the order its steps compute them.
#: ``ahead`` is Nesterov's look-ahead point; the key of each is ``NAME[variable]``.
STATE_KEYS: dict[str, tuple[str, ...]] = {
    "gradient_descent": (),
    "momentum": ("v",),
    "nesterov": ("ahead", "v"),
    "adagrad": ("G",),
    "adadelta": ("Eg2", "delta", "Edx2"),
    "adam": ("m", "v", "mhat", "vhat"),
}


def prefixes(optimizers: Sequence[Any]) -> list[str]:
    """The key prefix of each optimiser: none when the lesson has one, else ``ID.`` (the id
    given, or the optimiser's name)."""
    if len(optimizers) == 1:
        return [""]
    return [f"{_optimizer_id(o)}." for o in optimizers]


def start_prefixes(starts: int) -> list[str]:
    """The key prefix of each start point: none when the lesson has one, else ``startK.``
    (K from 1), which comes before the optimiser's (``start2.adam.x``)."""
    if starts == 1:
        return [""]
    return [f"start{k}." for k in range(1, starts + 1)]


def run_prefixes(starts: int, optimizers: Sequence[Any]) -> list[tuple[int, int, str]]:
    """Every run of a lesson, start by start and, from each, optimiser by optimiser: (the
    start's place, the optimiser's place, the run's key prefix)."""
    return [
        (s, o, head + tail)
        for s, head in enumerate(start_prefixes(starts))
        for o, tail in enumerate(prefixes(optimizers))
    ]


def _optimizer_id(optimizer: Any) -> str:
    get = optimizer.get if isinstance(optimizer, dict) else lambda k: getattr(optimizer, k)
    return str(get("id") or get("name"))


def step_keys(variables: Sequence[str], optimizers: Sequence[Any], starts: int = 1) -> set[str]:
    """Every step key a lesson with these variables, optimisers and starts makes."""
    keys: set[str] = set()
    for _, o, prefix in run_prefixes(starts, optimizers):
        optimizer = optimizers[o]
        name = optimizer.get("name") if isinstance(optimizer, dict) else optimizer.name
        own = ["f", *variables, *(f"grad[{v}]" for v in variables)]
        if len(variables) > 1:
            own.append("grad")
        own += [f"{s}[{v}]" for s in STATE_KEYS.get(str(name), ()) for v in variables]
        keys.update(prefix + k for k in own)
    return keys


def step_count(names: Sequence[str], variables: int, iterations: int, starts: int = 1) -> int:
    """How many steps the engine makes: per optimiser and start, f at the start, then per
    iteration each partial derivative, the gradient's length (with several variables), the
    optimiser's own quantities, the new point and f there."""
    per = 2 * variables + 1 + (1 if variables > 1 else 0)
    return starts * sum(1 + iterations * (per + len(STATE_KEYS[n]) * variables) for n in names)


def check_optimize(data: dict[str, Any]) -> list[Found]:
    """Every problem of an optimize lesson's data that the schema does not report.

    Like the dense checks, these read the plain data, so they run where the schema found
    problems elsewhere; each looks only at values of the shape it needs.
    """
    found: list[Found] = []
    if data.get("variables") is not None and isinstance(data.get("variants"), dict):
        found.append(Found(("variants",), msg("optimize.variants"), True))
    variables = _check_variables(data.get("variables"), found)
    points = _check_starts(data.get("start"), variables, found)
    function = data.get("function")
    if isinstance(function, str) and variables:
        _check_function(function, variables, points, found)
    optimizers = data.get("optimizers")
    starts = _start_count(data.get("start"))
    if isinstance(optimizers, list):
        found += _check_optimizers(optimizers)
        if variables:
            _check_size(data, optimizers, variables, starts, found)
            if all(isinstance(o, dict) for o in optimizers):
                keys = step_keys(variables, optimizers, starts)
                found += _check_notes(data.get("notes"), keys)
    return found


def _check_variables(given: Any, found: list[Found]) -> list[str] | None:
    """The declared names, or None when some name is not one (the schema says which)."""
    if not isinstance(given, list):
        return None
    before = len(found)
    for k, name in enumerate(given):
        if isinstance(name, str) and name in given[:k]:
            found.append(Found(("variables", k), msg("optimize.declared_twice", name=name)))
        if name == "f":
            found.append(Found(("variables", k), msg("optimize.variable_f")))
    names = [v for v in given if isinstance(v, str) and re.fullmatch(VARIABLE, v)]
    return names if len(names) == len(given) and len(found) == before else None


def _start_count(start: Any) -> int:
    """How many start points ``start`` holds: a list of lists is one per item."""
    if isinstance(start, list) and start and all(isinstance(p, list) for p in start):
        return len(start)
    return 1


def _check_starts(
    start: Any, variables: list[str] | None, found: list[Found]
) -> list[tuple[tuple[Any, ...], list[float]]]:
    """Each start point as floats with its place in the file, when it is one number per
    variable; a point given twice is refused (its path would be drawn twice)."""
    if not isinstance(start, list):
        return []
    if not start or not any(isinstance(p, list) for p in start):
        point = _check_start(start, ("start",), variables, found, several=False)
        return [] if point is None else [(("start",), point)]
    points: list[tuple[tuple[Any, ...], list[float]]] = []
    for k, given in enumerate(start):
        if not isinstance(given, list):
            continue  # the schema says so
        point = _check_start(given, ("start", k), variables, found, several=True)
        if point is None:
            continue
        same = next((n for n, (_, p) in enumerate(points) if p == point), None)
        if same is not None:
            message = msg("optimize.start_twice", k=k + 1, same=_point_number(points, same))
            found.append(Found(("start", k), message))
            continue
        points.append((("start", k), point))
    return points


def _point_number(points: list[tuple[tuple[Any, ...], list[float]]], n: int) -> int:
    """The 1-based place in the file of the n-th point kept."""
    return int(points[n][0][1]) + 1


def _check_start(
    start: list[Any],
    where: tuple[Any, ...],
    variables: list[str] | None,
    found: list[Found],
    *,
    several: bool,
) -> list[float] | None:
    """One start point as floats, when it is one number per variable. One number too many
    for a function of one variable is usually two starts written flat: the message says
    how to write several."""
    if not start:
        return None  # the schema says it needs a number
    if variables is not None and len(start) != len(variables):
        sizes = {
            "numbers": msg_count("count.number", len(start)),
            "variables": msg_count("count.variable", len(variables)),
            "names": ", ".join(variables),
        }
        if several:
            message = msg("optimize.start_size_k", k=int(where[-1]) + 1, **sizes)
        else:
            message = msg("optimize.start_size", **sizes)
        if not several and len(variables) == 1 and len(start) > 1:
            message += msg("optimize.start_several", example=_several(start))
        found.append(Found(where, message))
        return None
    return [float(v) for v in start] if all(_is_real(v) for v in start) else None


def _several(start: list[Any]) -> str:
    """``[[-0.5], [0.5]]`` for ``[-0.5, 0.5]``: how several starts of one variable are written."""
    return "[" + ", ".join(f"[{v}]" for v in start[:3]) + (", …" if len(start) > 3 else "") + "]"


def _check_function(
    function: str,
    variables: list[str],
    points: list[tuple[tuple[Any, ...], list[float]]],
    found: list[Found],
) -> None:
    try:
        formula = parse_formula(function, variables)
    except FormulaError as exc:
        message = msg("optimize.function", why=exc.message)
        found.append(FormulaFound(("function",), message, offset=exc.offset))
        return
    for where, point in points:
        try:
            formula.value(point)
        except NumericError as exc:
            found.append(Found(where, msg("optimize.start_value", why=exc)))


def _check_size(
    data: dict[str, Any],
    optimizers: list[Any],
    variables: list[str],
    starts: int,
    found: list[Found],
) -> None:
    names = [o.get("name") if isinstance(o, dict) else None for o in optimizers]
    iterations = data.get("iterations", 1)
    if not all(isinstance(n, str) and n in STATE_KEYS for n in names) or not _is_count(iterations):
        return
    steps = step_count([str(n) for n in names], len(variables), iterations, starts)
    if steps > MAX_STEPS:
        where = ("iterations",) if "iterations" in data else ("optimizers",)
        found.append(
            Found(
                where,
                msg("optimize.steps", steps=steps, limit=MAX_STEPS),
                on_key=where == ("optimizers",),
            )
        )


@dataclass(frozen=True, slots=True)
class FormulaFound(Found):
    """A problem inside the formula string: ``offset`` is the character where it starts."""

    offset: int | None = None


def place(source: str, line: int, col: int, value: str, offset: int | None) -> tuple[int, int]:
    """Where character ``offset`` of the scalar ``value`` (found at 1-based ``line``, ``col``
    of the file ``source``) is written: inside a plain or quoted scalar on its line, or inside
    a block (| or >) below it, when the file's text reads as the value up to there (no escape
    or folding in between); otherwise the scalar's own place."""
    lines = source.split("\n")
    if offset is None or not 1 <= line <= len(lines):
        return line, col
    text = lines[line - 1][col - 1 :]
    head = value[:offset]
    if text[:1] in ("'", '"'):
        if "\n" not in head and text[1:].startswith(head):
            return line, col + 1 + offset
        return line, col
    if "\n" not in head and text.startswith(head):
        return line, col + offset
    if text[:1] in ("|", ">"):
        # Each line break of the block is one character of the value: a newline, or a space
        # once folded. So the offset walks the block's lines, less their indentation.
        at = 0
        for row in range(line + 1, len(lines) + 1):
            content = lines[row - 1].lstrip(" ")
            if not content or value[at : at + len(content)] != content:
                break
            if offset - at <= len(content):
                return row, len(lines[row - 1]) - len(content) + offset - at + 1
            at += len(content) + 1
    return line, col


def _check_optimizers(optimizers: list[Any]) -> list[Found]:
    """Each optimiser's hyper-parameters are its own, the required ones are there, and the
    ids that prefix their keys differ."""
    table = HYPERPARAMETERS
    found: list[Found] = []
    ids: dict[str, int] = {}
    for k, optimizer in enumerate(optimizers):
        name = optimizer.get("name") if isinstance(optimizer, dict) else None
        if not isinstance(name, str) or name not in table:
            continue
        takes = table[name]
        for field in optimizer:
            if field in ("name", "id") or field in takes:
                continue
            if field in _ALL_HYPERPARAMETERS:
                found.append(
                    Found(
                        ("optimizers", k, field),
                        msg(
                            "optimize.hyperparameter",
                            name=name,
                            field=field,
                            takes=", ".join(takes),
                        ),
                        on_key=True,
                    )
                )
        for field, default in takes.items():
            if default is None and optimizer.get(field) is None:
                found.append(
                    Found(
                        ("optimizers", k),
                        msg("optimize.needs", name=name, field=field),
                        on_key=False,
                        missing=field,
                    )
                )
        ident = _optimizer_id(optimizer)
        if ident in ids and len(optimizers) > 1:
            found.append(
                Found(
                    ("optimizers", k),
                    msg("optimize.same_id", first=ids[ident] + 1, second=k + 1, ident=ident),
                )
            )
        ids.setdefault(ident, k)
    return found


_ALL_HYPERPARAMETERS = ("learning_rate", "momentum", "rho", "beta1", "beta2", "epsilon")


def _check_notes(notes: Any, keys: set[str]) -> list[Found]:
    if not isinstance(notes, dict):
        return []
    examples = ", ".join(sorted(keys, key=lambda k: (len(k), k))[:6])
    return [
        Found(
            ("notes", key),
            msg("optimize.note_key", key=key, examples=examples),
            on_key=True,
        )
        for key in notes
        if key not in keys
    ]


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _is_real(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return abs(value) < 10**300
    return isinstance(value, float) and math.isfinite(value)
