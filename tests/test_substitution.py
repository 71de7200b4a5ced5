"""The substituted formulas evaluate to the step's value.

``substituted_text`` is read by a small evaluator written here (a whitelist over Python's
AST: numbers, + - * / **, unary minus, parentheses and a few functions; anything else is
refused), so a script that trusts the contract's promise gets the step's number back. The
sympy template is also evaluated directly on the full-precision operands, which checks the
formula against the computation independently of how numbers are displayed.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest
import sympy

from stepper import formulas
from stepper.catalog import builtin_folder, builtin_ids
from stepper.engine import solve
from stepper.lesson.load import lesson_from_text, load_lesson
from stepper.printers.json_printer import step_record
from stepper.steps import Quantity, Solution, Step


def _heaviside(x: float) -> float:
    # The unit step as ReLU's slope: 1 on the on side, 0 at and below 0 (a switched-off ReLU
    # has output exactly 0 and passes no gradient back).
    return 1.0 if x > 0 else 0.0


FUNCTIONS: dict[str, Callable[..., float]] = {
    "exp": math.exp,
    "log": math.log,
    "sqrt": math.sqrt,
    "tanh": math.tanh,
    "max": max,
    "min": min,
    "abs": abs,
    "sin": math.sin,
    "cos": math.cos,
    "heaviside": _heaviside,
    # A size formula rounds down when the stride does not divide: ⌊(D − N + 2p)/s⌋ + 1.
    "floor": math.floor,
    # A one-hot entry is Iverson's bracket [k = j]: 1 when the two are equal, else 0.
    "equal": lambda a, b: 1.0 if a == b else 0.0,
}
BINARY: dict[type, Callable[[float, float], float]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Pow: lambda a, b: a**b,
}


class Refused(ValueError):
    """The text uses something outside the contract's little language."""


def evaluate(text: str) -> float:
    """Evaluate a contract expression; refuse names, attributes, calls of anything else."""
    return _eval(ast.parse(text, mode="eval").body)


def _eval(node: ast.AST) -> float:
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return float(node.value)
    if isinstance(node, ast.BinOp) and type(node.op) in BINARY:
        left = _eval(node.left)
        if left == 0 and isinstance(node.op, ast.Mult) and _is_log(node.right):
            # Cross-entropy's y·log ỹ is 0 for a class with y = 0 (the engine sums only
            # y ≠ 0), also when that class's ỹ is shown as 0: 0*log(0) reads as 0.
            return 0.0
        return BINARY[type(node.op)](left, _eval(node.right))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        value = _eval(node.operand)
        return -value if isinstance(node.op, ast.USub) else value
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in FUNCTIONS
        and not node.keywords
    ):
        return float(FUNCTIONS[node.func.id](*(_eval(a) for a in node.args)))
    raise Refused(f"not allowed in substituted_text: {ast.dump(node)}")


def _is_log(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "log"


def test_the_evaluator_refuses_what_the_contract_does_not_allow() -> None:
    assert evaluate("2*0.1*0.7*(-0.09)") == pytest.approx(-0.0126, rel=1e-15)
    assert evaluate("-(0*log(0.5) + 1*log(0.25))") == pytest.approx(math.log(4), rel=1e-15)
    assert evaluate("max(0, (-0.3)) + heaviside(0) + heaviside(0.2)") == 1.0
    assert evaluate("-(1*log(1) + 0*log(0))") == 0.0
    with pytest.raises(ValueError):
        evaluate("1*log(0)")
    for bad in (
        "__import__('os')",
        "x + 1",
        "(1).real",
        "[1, 2]",
        "1 if 1 else 2",
        "'1'",
        "pow(2, 3)",
        "1 < 2",
        "True + 1",
    ):
        with pytest.raises((Refused, SyntaxError)):
            evaluate(bad)


# Lessons: the built-in ones, in both languages, and a few made here for what they lack -------

EXTRA = {
    # ReLU (on and off), sigmoid, half_sse, a batch of two, two epochs.
    "relu-sigmoid": """
display: {decimals: 4}
network:
  inputs: 2
  layers:
    - activation: [relu, sigmoid, relu]
      weights: [[0.1, -0.9, 0.3], [0.5, 0.4, -0.6], [0.3, 0.8, 0.1]]
    - activation: [relu, linear]
      weights: [[0.2, 0.5, -0.4, 0.3], [-0.1, 0.3, 0.2, -0.7]]
training:
  learning_rate: 0.2
  loss: half_sse
  batch_size: 2
  epochs: 2
  samples:
    - {x: [0.4, 0.7], y: [1.0, -0.5]}
    - {x: [-0.8, 0.1], y: [0.0, 0.5]}
    - {x: [0.3, -0.2]}
""",
    # A hand calculation that trains: round_intermediate through δ, Δw and the update.
    "rounded-training": """
display: {decimals: 3, round_intermediate: true}
network:
  inputs: 2
  layers:
    - activation: tanh
      weights: [[0.1, -0.2, 0.3], [0.5, 0.4, -0.6]]
    - activation: [sigmoid]
      weights: [[0.2, 0.5, -0.4]]
training:
  learning_rate: 0.1
  batch_size: 2
  samples:
    - {x: [0.1, 0.7], y: [1.0]}
    - {x: [0.6, -0.3], y: [0.0]}
    - {x: [0.2, 0.2], y: [1.0]}
""",
    # Softmax with a soft target, batch of two, with rounding on paper.
    "softmax-rounded": """
display: {decimals: 2, round_intermediate: true}
network:
  inputs: 1
  layers:
    - activation: softmax
      weights: [[0.5, 1.0], [0.2, -0.4], [0.0, 0.3]]
training:
  learning_rate: 0.5
  loss: cross_entropy
  batch_size: 2
  samples:
    - {x: [1.0], y: [0.0, 1.0, 0.0]}
    - {x: [-0.5], y: [0.2, 0.3, 0.5]}
""",
}


def _solutions() -> Iterator[tuple[str, Solution]]:
    for lesson_id in builtin_ids():
        lesson = load_lesson(builtin_folder() / f"{lesson_id}.yaml", lesson_id)
        for lang in ("es", "en"):
            yield f"{lesson_id}-{lang}", solve(lesson, lang)
    for name, text in EXTRA.items():
        yield name, solve(lesson_from_text(text, name), None)


SOLUTIONS = dict(_solutions())


def numeric_steps(solution: Solution) -> list[Step]:
    return [s for s in solution.steps if isinstance(s.value, float)]


def _rounding_bound(step: Step, decimals: int, value: float) -> float:
    """How far the substituted text may be from ``value`` because of the displayed operands.

    A computed operand is shown rounded to ``decimals`` places, off its full value by at most
    η = ½·10^-decimals; given numbers (x, initial weights, α, the bias input 1) are shown
    exactly, and so is a computed operand whose shown string is its value (a switched-off
    ReLU's 0, which must not be wiggled across the step of heaviside). To first order the
    error of the expression is at most Σ_k |∂f/∂q_k|·η, and |f(q_k ± η) − f(q)| measures each
    term (the larger side also covers q_k's own curvature). The cross terms ∂²f/∂q_i∂q_j·η²
    are left: (n·η)²·max(1, |f|)·10 covers them for these smooth functions of modest
    arguments. 1e-12·max(1, |f|) more allows for float64 evaluating in another order. Each
    perturbed expression is rendered with the same printer and read with the same evaluator.
    """
    eta = 0.5 * 10.0**-decimals
    computed = [q for q in step.reads if q.step is not None and float(q.shown) != q.value]
    total = 0.0
    for q in computed:
        swings = []
        for sign in (1, -1):
            moved = float(q.shown) + sign * eta
            operands = tuple(
                replace(o, shown=repr(moved)) if (o.key, o.step) == (q.key, q.step) else o
                for o in step.operands
            )
            swings.append(
                abs(
                    evaluate(formulas.substituted(replace(step, operands=operands), "text")) - value
                )
            )
        total += max(swings)
    scale = max(1.0, abs(value))
    return total * (1 + 1e-9) + 10 * (len(computed) * eta) ** 2 * scale + 1e-12 * scale


def test_the_cases_cover_the_check_phase() -> None:
    """The check after the update is among the steps evaluated: a sample's loss and a
    batch's (regression-1, the relu-sigmoid lesson's batch of two), dense, conv and recurrent."""
    keys = {s.key.split("[")[0] for sol in SOLUTIONS.values() for s in sol.steps}
    assert {"check.u", "check.y", "check.e", "check.loss", "check.batch_loss"} <= keys
    assert {"check.conv", "check.relu", "check.pool"} <= keys
    kinds = {
        sol.kind for sol in SOLUTIONS.values() if any(s.key == "check.loss" for s in sol.steps)
    }
    assert kinds == {"dense", "conv", "recurrent"}


@pytest.mark.parametrize("name", sorted(SOLUTIONS))
def test_substituted_text_evaluates_to_the_value(name: str) -> None:
    check_substitutions(name, SOLUTIONS[name])


def check_substitutions(name: str, solution: Solution) -> None:
    """Every numeric step's substituted_text evaluates to its value, up to display rounding
    (exactly, on paper: with round_intermediate the text is the computation)."""
    steps = numeric_steps(solution)
    assert steps
    for step in steps:
        text = step_record(step)["substituted_text"]
        assert text == formulas.substituted(step, "text")
        got = evaluate(text)
        if solution.round_intermediate:
            # On paper every step computes from the shown values: the text is the computation.
            tolerance = 1e-12 * max(1.0, abs(step.value))
        else:
            tolerance = _rounding_bound(step, solution.decimals, got)
        assert abs(got - step.value) <= tolerance, (
            f"{name} step {step.n} {step.key}: {text} = {got!r}, value {step.value!r}, "
            f"allowed {tolerance:.3g}"
        )


@pytest.mark.parametrize("name", sorted(SOLUTIONS))
def test_the_bound_is_not_vacuous(name: str) -> None:
    """The rounding bound is a few units of the last shown place, not a blanket tolerance."""
    solution = SOLUTIONS[name]
    if solution.round_intermediate:
        return
    for step in numeric_steps(solution):
        bound = _rounding_bound(step, solution.decimals, step.value)
        assert bound <= 20 * 10.0**-solution.decimals * max(1.0, abs(step.value)), step.key


@pytest.mark.parametrize("name", sorted(SOLUTIONS))
def test_sympy_template_on_full_precision_operands(name: str) -> None:
    """The formula itself, fed the operands' full values, gives the value (~1e-12)."""
    for step in numeric_steps(SOLUTIONS[name]):
        slots = [sympy.Float(q.value, 30) for q in step.operands]
        expr = formulas.build(step.template, slots, step.params)
        got = float(sympy.N(expr, 30))
        assert math.isclose(got, step.value, rel_tol=1e-12, abs_tol=1e-12), (
            f"{name} step {step.n} {step.key}: template gives {got!r}, value {step.value!r}"
        )


def test_every_substitution_puts_in_the_numbers_shown() -> None:
    """The text substitutes the operands' shown numbers, nothing recomputed or re-rounded."""
    solution = SOLUTIONS["backprop-1-es"]
    by_key = {s.key: s for s in solution.steps}
    assert by_key["y[1,2]"].operands[0].shown == "0.12"
    assert formulas.substituted(by_key["y[1,2]"], "text") == "tanh(0.12)"
    assert formulas.substituted(by_key["d[1,2]"], "text") == "0.88057*(1 - 0.11943**2)"
    assert formulas.substituted(by_key["w[1,2,2]"], "text") == "(-0.6) + 0.12152"
    quantity = by_key["w[1,2,2]"].operands[1]
    assert isinstance(quantity, Quantity)
    assert quantity.step == by_key["w[1,2,2]"].n - 1


@pytest.mark.parametrize(
    ("shown", "fmt", "written"),
    [
        ("1e-8", "unicode", "10⁻⁸"),
        ("-2.5e-3", "unicode", "-2.5·10⁻³"),
        ("1e-10", "latex", "10^{-10}"),
        ("2.5e-3", "latex", r"2.5 \cdot 10^{-3}"),
        ("1e-8", "text", "1e-8"),  # substituted_text stays Python
        ("0.25", "unicode", "0.25"),
    ],
)
def test_a_power_of_ten_is_written_as_the_lecture_writes_it(
    shown: str, fmt: str, written: str
) -> None:
    """normalize-1's α = 10⁻⁸ and the optimisers' ξ = 10⁻¹⁰ in a substitution: never "1e-8"
    where a person reads it, always "1e-8" where a program evaluates it."""
    from stepper.numbers import power_of_ten

    assert power_of_ten(shown, fmt) == written
    if fmt == "text":
        assert float(written) == float(shown)
